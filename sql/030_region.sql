-- 030_region.sql - regional aggregation on PostgreSQL's own logical
-- replication (docs/REGION.md).  A college publishes its indicator
-- records, their provenance and its findings (`vqr init --publish` calls
-- vqr.publish); the regional database subscribes to each college
-- (`vqr init --region` calls vqr.region_setup, `vqr region add` creates
-- the subscription).  Row-level data (vqr.reject) is never published and
-- does not exist at the region.
--
-- Applied everywhere like every migration; the tables below stay empty
-- where they do not apply.  The functions do the work when asked:
--
--   vqr.publish(school, block)  at a college: ids into the college's own
--                               block, publication vqr_college, role vqr_region
--   vqr.region_setup()          at the region: catalog merge, no local loads,
--                               no row-level tables
--
-- Identity columns (batch_id, file_id, finding_id) count from 1 at every
-- college, and the analyst views join on them alone, so at the region
-- they must be unique across colleges: a publishing college numbers them
-- in a block of its own, ids id_block x 10^12 + n (blocks 1..999999,
-- derived from the school code unless chosen), and `vqr region add`
-- refuses a second college with the same block.
--
-- A later migration that adds a table worth publishing inserts it into
-- vqr.published_table; the next `vqr init` at a college adds it to the
-- publication.

-- What a college publishes.
CREATE TABLE vqr.published_table (
  table_name text PRIMARY KEY CHECK (table_name <> 'reject'),
  note       text NOT NULL
);
COMMENT ON TABLE vqr.published_table IS
  '发布表 / tables of schema vqr a college publishes to its region (logical replication publication vqr_college); never row-level or personal data';
COMMENT ON COLUMN vqr.published_table.table_name IS '表名 / table in schema vqr';
COMMENT ON COLUMN vqr.published_table.note IS '说明 / why the region needs it';
INSERT INTO vqr.published_table (table_name, note) VALUES
  ('school', 'schools and their region (catalog)'),
  ('period', 'reporting periods (catalog)'),
  ('source', 'kinds of export (catalog)'),
  ('indicator', 'indicator catalog with the aggregation rule'),
  ('batch', 'provenance: loads'),
  ('source_file', 'provenance: files with checksum and row counts, no rows'),
  ('indicator_value', 'the indicator records'),
  ('finding', 'validation findings');
-- The check catalog, where the schema has one (020): v_finding names the checks.
INSERT INTO vqr.published_table (table_name, note)
SELECT 'check_rule', 'validation check catalog' WHERE to_regclass('vqr.check_rule') IS NOT NULL;

CREATE TABLE vqr.publication_setting (
  singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  pubname      text NOT NULL,
  school_code  text NOT NULL,
  id_block     integer NOT NULL CHECK (id_block BETWEEN 1 AND 999999),
  published_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE vqr.publication_setting IS
  '发布设置 / at a college that publishes to a region (vqr init --publish): the publication and the block its ids are numbered in; empty elsewhere';
COMMENT ON COLUMN vqr.publication_setting.singleton IS '单行 / always true: one row at most';
COMMENT ON COLUMN vqr.publication_setting.pubname IS '发布名 / the logical replication publication, vqr_college';
COMMENT ON COLUMN vqr.publication_setting.school_code IS '学校代码 / school of the deployment that published';
COMMENT ON COLUMN vqr.publication_setting.id_block IS '编号段 / batch, file and finding ids are id_block x 10^12 + n, unique across the colleges of a region';
COMMENT ON COLUMN vqr.publication_setting.published_at IS '发布时间 / when vqr init --publish last ran';

-- At the region.
CREATE TABLE vqr.region (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  stale_after interval NOT NULL DEFAULT '10 minutes',
  created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE vqr.region IS
  '地区库设置 / one row when this database is a regional database (vqr init --region), none at a college';
COMMENT ON COLUMN vqr.region.singleton IS '单行 / always true: one row at most';
COMMENT ON COLUMN vqr.region.stale_after IS '过期阈值 / a college is stale when nothing was received from it for this long (or its replication is not running)';
COMMENT ON COLUMN vqr.region.created_at IS '创建时间 / when the database became a region';

CREATE TABLE vqr.region_college (
  college   text PRIMARY KEY CHECK (college ~ '^[a-z0-9_]{1,40}$'),
  subname   text NOT NULL UNIQUE,
  id_block  integer NOT NULL UNIQUE,
  publisher text NOT NULL,
  added_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE vqr.region_college IS
  '地区成员学院 / at the region: each college subscribed to (vqr region add), one subscription each';
COMMENT ON COLUMN vqr.region_college.college IS '学院名 / the name given at vqr region add';
COMMENT ON COLUMN vqr.region_college.subname IS '订阅名 / the logical replication subscription, vqr_<college>';
COMMENT ON COLUMN vqr.region_college.id_block IS '编号段 / the college''s id block (ids are id_block x 10^12 + n)';
COMMENT ON COLUMN vqr.region_college.publisher IS '发布端 / host, port and database of the college (no password)';
COMMENT ON COLUMN vqr.region_college.added_at IS '加入时间 / when it was added';

CREATE TABLE vqr.region_school (
  school_code text PRIMARY KEY,
  college     text NOT NULL REFERENCES vqr.region_college ON DELETE CASCADE
);
COMMENT ON TABLE vqr.region_school IS
  '学校归属 / at the region: which college supplies each school code; a code belongs to one college only';
COMMENT ON COLUMN vqr.region_school.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.region_school.college IS '学院名 / the college whose subscription brings it';

CREATE FUNCTION vqr.is_region() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT EXISTS (SELECT 1 FROM vqr.region) $$;
COMMENT ON FUNCTION vqr.is_region() IS
  '是否地区库 / true in a regional database (vqr init --region); a migration that alters vqr.reject must skip it there, where vqr.reject is an empty view';

CREATE FUNCTION vqr.id_block_for(p_school_code text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (1 + ('x' || substr(md5(p_school_code), 1, 8))::bit(32)::bigint % 999999)::integer
$$;
COMMENT ON FUNCTION vqr.id_block_for(text) IS
  '默认编号段 / the id block a college gets by default: 1..999999 from the MD5 of its school code; vqr region add refuses two colleges with the same block';

-- Move the identity ids of every published table into block p_block:
-- id -> p_block x 10^12 + (id mod 10^12), in the table and in every
-- column that refers to it (foreign keys, and columns of the same name
-- without one, such as the history's batch_id).  The identity then
-- counts on inside the block and stops at its end.  A table whose ids
-- are all inside the block already is left as it is (so that vqr init
-- at a publishing college does not rebuild its foreign keys each time).
CREATE FUNCTION vqr.move_ids(p_block integer) RETURNS bigint
LANGUAGE plpgsql SET client_min_messages = warning SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  span constant bigint := 1000000000000;
  lo bigint := p_block::bigint * span;
  t record;
  col record;
  fk text[];
  fks text[];
  moved bigint := 0;
  n bigint;
  mx bigint;
  outside boolean;
  upd constant text := 'UPDATE %s SET %I = $1 + %I %% $2 WHERE %I < $1 OR %I >= $1 + $2';
BEGIN
  IF p_block IS NULL OR p_block NOT BETWEEN 1 AND 999999 THEN
    RAISE EXCEPTION 'vqr: id block % is out of range (1..999999)', p_block;
  END IF;
  FOR t IN SELECT c.oid, c.relname, a.attname, a.attidentity
           FROM vqr.published_table p
           JOIN pg_class c ON c.relname = p.table_name AND c.relnamespace = 'vqr'::regnamespace
                          AND c.relkind IN ('r', 'p')
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity IN ('a', 'd') AND NOT a.attisdropped
           ORDER BY c.relname
  LOOP
    EXECUTE format('LOCK TABLE vqr.%I IN ACCESS EXCLUSIVE MODE', t.relname);
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM vqr.%I WHERE %I < $1 OR %I >= $1 + $2)', t.relname, t.attname,
                   t.attname) INTO outside USING lo, span;
    IF outside THEN
      SELECT array_agg(ARRAY[con.conrelid::regclass::text, con.conname, pg_get_constraintdef(con.oid)]
                       ORDER BY con.conname) INTO fks
      FROM pg_constraint con WHERE con.contype = 'f' AND con.confrelid = t.oid;
      IF fks IS NOT NULL THEN
        FOREACH fk SLICE 1 IN ARRAY fks LOOP
          EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk[1], fk[2]);
        END LOOP;
      END IF;
      IF t.attidentity = 'a' THEN
        EXECUTE format('ALTER TABLE vqr.%I ALTER COLUMN %I SET GENERATED BY DEFAULT', t.relname, t.attname);
      END IF;
      EXECUTE format(upd, format('vqr.%I', t.relname), t.attname, t.attname, t.attname, t.attname) USING lo, span;
      GET DIAGNOSTICS n = ROW_COUNT;
      moved := moved + n;
      FOR col IN SELECT c2.relname, a2.attname
                 FROM pg_class c2 JOIN pg_attribute a2 ON a2.attrelid = c2.oid
                 WHERE c2.relnamespace = 'vqr'::regnamespace AND c2.relkind IN ('r', 'p') AND c2.oid <> t.oid
                   AND a2.attnum > 0 AND NOT a2.attisdropped
                   AND (a2.attname = t.attname
                        OR EXISTS (SELECT 1 FROM pg_constraint con
                                   WHERE con.contype = 'f' AND con.conrelid = c2.oid AND con.confrelid = t.oid
                                     AND a2.attnum = ANY (con.conkey)))
                 ORDER BY 1, 2
      LOOP
        EXECUTE format(upd, format('vqr.%I', col.relname), col.attname, col.attname, col.attname, col.attname)
          USING lo, span;
      END LOOP;
      IF fks IS NOT NULL THEN
        FOREACH fk SLICE 1 IN ARRAY fks LOOP
          EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk[1], fk[2], fk[3]);
        END LOOP;
      END IF;
    END IF;
    EXECUTE format('SELECT max(%I) FROM vqr.%I', t.attname, t.relname) INTO mx;
    EXECUTE format('ALTER TABLE vqr.%I ALTER COLUMN %I SET MINVALUE %s SET MAXVALUE %s SET START WITH %s RESTART WITH %s',
                   t.relname, t.attname, lo, lo + span - 1, lo + 1, greatest(coalesce(mx, lo), lo) + 1);
    IF t.attidentity = 'a' THEN
      EXECUTE format('ALTER TABLE vqr.%I ALTER COLUMN %I SET GENERATED ALWAYS', t.relname, t.attname);
    END IF;
  END LOOP;
  RETURN moved;
END
$fn$;
COMMENT ON FUNCTION vqr.move_ids(integer) IS
  '迁移编号 / move the batch, file and finding ids (every identity of a published table, and every column referring to it) into block p_block: id_block x 10^12 + n; returns the rows moved';

-- At a college: publish.  Returns the id block.
-- (client_min_messages = error: CREATE PUBLICATION warns when wal_level
-- is not logical yet, which vqr init --publish reports and fixes itself.)
CREATE FUNCTION vqr.publish(p_school_code text, p_id_block integer DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql SET client_min_messages = error SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  blk integer;
  tabs text;
  su boolean;
BEGIN
  IF vqr.is_region() THEN
    RAISE EXCEPTION 'vqr: this is a regional database: it subscribes to colleges and publishes nothing';
  END IF;
  IF p_school_code IS NULL OR p_school_code = '' THEN
    RAISE EXCEPTION 'vqr.publish: a school code is required';
  END IF;
  blk := coalesce(p_id_block, (SELECT s.id_block FROM vqr.publication_setting s), vqr.id_block_for(p_school_code));
  PERFORM vqr.move_ids(blk);
  INSERT INTO vqr.publication_setting (pubname, school_code, id_block) VALUES ('vqr_college', p_school_code, blk)
  ON CONFLICT (singleton) DO UPDATE SET pubname = EXCLUDED.pubname, school_code = EXCLUDED.school_code,
                                        id_block = EXCLUDED.id_block, published_at = now();
  SELECT string_agg(format('vqr.%I', c.relname), ', ' ORDER BY c.relname) INTO tabs
  FROM vqr.published_table p
  JOIN pg_class c ON c.relname = p.table_name AND c.relnamespace = 'vqr'::regnamespace AND c.relkind IN ('r', 'p');
  -- No truncate: a college's TRUNCATE would empty every college's rows
  -- at the region.
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'vqr_college') THEN
    EXECUTE 'CREATE PUBLICATION vqr_college FOR TABLE ' || tabs || ' WITH (publish = ''insert, update, delete'')';
  ELSE
    EXECUTE 'ALTER PUBLICATION vqr_college SET TABLE ' || tabs;
    ALTER PUBLICATION vqr_college SET (publish = 'insert, update, delete');
  END IF;
  COMMENT ON PUBLICATION vqr_college IS
    '学院发布 / what this college sends its region: indicator values, catalog, batches, source file metadata, findings; never row-level or personal data';
  -- The role the region connects as: replication, and SELECT for the
  -- initial copy.  Creating a REPLICATION role needs a superuser.
  SELECT rolsuper INTO su FROM pg_roles WHERE rolname = current_user;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vqr_region') AND su THEN
    CREATE ROLE vqr_region LOGIN REPLICATION;
    COMMENT ON ROLE vqr_region IS 'vqr: the regional database connects as this role to replicate publication vqr_college';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vqr_region') THEN
    GRANT USAGE ON SCHEMA vqr TO vqr_region;
    GRANT SELECT ON vqr.publication_setting TO vqr_region;
    EXECUTE 'GRANT SELECT ON ' || tabs || ' TO vqr_region';
  END IF;
  RETURN blk;
END
$fn$;
COMMENT ON FUNCTION vqr.publish(text, integer) IS
  '发布 / at a college (vqr init --publish): number ids in the college''s block, create or update publication vqr_college over vqr.published_table, create role vqr_region (LOGIN REPLICATION, when a superuser runs it) with SELECT on those tables; idempotent; returns the id block';

-- At the region: catalog rows arrive from every college.  An insert of a
-- row that is already there (another college sent it) becomes an update,
-- and a college's delete does not remove a row others may use.  Both
-- triggers are ENABLE REPLICA: they act on replicated changes only.
CREATE FUNCTION vqr.region_merge() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  pk text[];
  cols text[];
  n bigint;
  found boolean;
BEGIN
  -- Two colleges' workers adding the same row queue here.
  PERFORM pg_advisory_xact_lock(hashtext('vqr.region_merge:' || TG_TABLE_NAME));
  SELECT array_agg(a.attname::text ORDER BY k.ord) INTO pk
  FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
  WHERE i.indrelid = TG_RELID AND i.indisprimary;
  SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO cols FROM pg_attribute a
  WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    AND a.attname::text <> ALL (pk);
  IF cols IS NULL THEN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s t WHERE (%s) = (%s))', TG_RELID::regclass,
                   (SELECT string_agg('t.' || quote_ident(c), ', ') FROM unnest(pk) c),
                   (SELECT string_agg('($1).' || quote_ident(c), ', ') FROM unnest(pk) c))
      INTO found USING NEW;
    RETURN CASE WHEN found THEN NULL ELSE NEW END;
  END IF;
  EXECUTE format('UPDATE %s t SET (%s) = ROW(%s) WHERE (%s) = (%s)', TG_RELID::regclass,
                 (SELECT string_agg(quote_ident(c), ', ') FROM unnest(cols) c),
                 (SELECT string_agg('($1).' || quote_ident(c), ', ') FROM unnest(cols) c),
                 (SELECT string_agg('t.' || quote_ident(c), ', ') FROM unnest(pk) c),
                 (SELECT string_agg('($1).' || quote_ident(c), ', ') FROM unnest(pk) c))
    USING NEW;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN CASE WHEN n > 0 THEN NULL ELSE NEW END;
END
$fn$;
COMMENT ON FUNCTION vqr.region_merge() IS
  '目录合并 / at the region, on replicated inserts into a catalog table: a row another college already sent is updated instead of inserted twice';

CREATE FUNCTION vqr.region_keep() RETURNS trigger
LANGUAGE plpgsql AS $fn$ BEGIN RETURN NULL; END $fn$;
COMMENT ON FUNCTION vqr.region_keep() IS
  '目录保留 / at the region, on replicated deletes from a catalog table: kept, because other colleges may use the row';

CREATE FUNCTION vqr.region_no_load() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'vqr: this is a regional database: it receives the colleges'' data by logical replication and loads nothing itself'
    USING HINT = 'run vqr run at a college; the region shows its data once replicated';
END
$fn$;
COMMENT ON FUNCTION vqr.region_no_load() IS
  '地区库不装载 / at the region, on a local insert into vqr.batch: refused, the region only receives replicated data';

-- Replace table vqr.<p_table> by an empty view of the same columns,
-- rebuilding the views that read it (with their options, comments and,
-- through vqr.setup_access, grants).
CREATE FUNCTION vqr.region_drop_table(p_table text) RETURNS boolean
LANGUAGE plpgsql SET client_min_messages = warning SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  tbl oid := to_regclass('vqr.' || quote_ident(p_table));
  cols text;
  v record;
  c text[];
  progress boolean;
  left_over text;
BEGIN
  IF tbl IS NULL OR (SELECT relkind FROM pg_class WHERE oid = tbl) NOT IN ('r', 'p') THEN
    RETURN false;
  END IF;
  DROP TABLE IF EXISTS pg_temp.vqr_region_views;
  CREATE TEMP TABLE vqr_region_views ON COMMIT DROP AS
  WITH RECURSIVE dep(oid) AS (
    SELECT r.ev_class FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
    WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
      AND d.refobjid = tbl AND r.ev_class <> tbl
    UNION
    SELECT r.ev_class FROM dep JOIN pg_depend d ON d.refobjid = dep.oid AND d.refclassid = 'pg_class'::regclass
                              AND d.classid = 'pg_rewrite'::regclass
    JOIN pg_rewrite r ON r.oid = d.objid AND r.ev_class <> dep.oid)
  SELECT cl.oid, cl.relname, pg_get_viewdef(cl.oid) AS def, cl.reloptions,
         obj_description(cl.oid, 'pg_class') AS comment,
         (SELECT array_agg(ARRAY[a.attname::text, col_description(cl.oid, a.attnum)])
          FROM pg_attribute a WHERE a.attrelid = cl.oid AND a.attnum > 0
            AND col_description(cl.oid, a.attnum) IS NOT NULL) AS col_comments,
         false AS done
  FROM pg_class cl WHERE cl.oid IN (SELECT oid FROM dep) AND cl.relkind = 'v';
  SELECT string_agg(format('NULL::%s AS %I', format_type(a.atttypid, a.atttypmod), a.attname), ', '
                    ORDER BY a.attnum) INTO cols
  FROM pg_attribute a WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped;
  EXECUTE format('DROP TABLE vqr.%I CASCADE', p_table);
  EXECUTE format('CREATE VIEW vqr.%I AS SELECT %s WHERE false', p_table, cols);
  EXECUTE format('COMMENT ON VIEW vqr.%I IS %L', p_table,
                 '地区库中为空 / always empty in a regional database: row-level data stays at the college (see the college''s own database)');
  LOOP
    progress := false;
    FOR v IN SELECT * FROM vqr_region_views WHERE NOT done ORDER BY oid LOOP
      BEGIN
        EXECUTE format('CREATE VIEW vqr.%I%s AS %s', v.relname,
                       CASE WHEN v.reloptions IS NULL THEN ''
                            ELSE ' WITH (' || array_to_string(v.reloptions, ', ') || ')' END,
                       v.def);
        IF v.comment IS NOT NULL THEN
          EXECUTE format('COMMENT ON VIEW vqr.%I IS %L', v.relname, v.comment);
        END IF;
        IF v.col_comments IS NOT NULL THEN
          FOREACH c SLICE 1 IN ARRAY v.col_comments LOOP
            EXECUTE format('COMMENT ON COLUMN vqr.%I.%I IS %L', v.relname, c[1], c[2]);
          END LOOP;
        END IF;
        UPDATE vqr_region_views SET done = true WHERE oid = v.oid;
        progress := true;
      EXCEPTION WHEN undefined_table OR undefined_function OR undefined_column THEN
        NULL;  -- reads a view not rebuilt yet: next round
      END;
    END LOOP;
    EXIT WHEN NOT progress;
  END LOOP;
  SELECT string_agg(relname, ', ') INTO left_over FROM vqr_region_views WHERE NOT done;
  IF left_over IS NOT NULL THEN
    RAISE EXCEPTION 'vqr: could not rebuild the views % after replacing vqr.%', left_over, p_table;
  END IF;
  DROP TABLE vqr_region_views;
  RETURN true;
END
$fn$;
COMMENT ON FUNCTION vqr.region_drop_table(text) IS
  '地区库删表 / at the region: replace a row-level table by an empty view of the same columns, rebuilding the views that read it';

CREATE FUNCTION vqr.region_setup() RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  t text;
BEGIN
  IF EXISTS (SELECT 1 FROM vqr.publication_setting) OR EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'vqr_college') THEN
    RAISE EXCEPTION 'vqr: this database publishes a college (vqr init --publish): a region needs a database of its own';
  END IF;
  IF NOT vqr.is_region() THEN
    IF EXISTS (SELECT 1 FROM vqr.batch) THEN
      RAISE EXCEPTION 'vqr: this database already holds loaded batches: a regional database starts empty'
        USING HINT = 'create a new database for the region and run vqr init --region on it';
    END IF;
    INSERT INTO vqr.region DEFAULT VALUES;
  END IF;
  FOREACH t IN ARRAY ARRAY['school', 'period', 'source', 'indicator', 'check_rule'] LOOP
    CONTINUE WHEN to_regclass('vqr.' || t) IS NULL;
    EXECUTE format('DROP TRIGGER IF EXISTS region_merge ON vqr.%I', t);
    EXECUTE format('CREATE TRIGGER region_merge BEFORE INSERT ON vqr.%I FOR EACH ROW EXECUTE FUNCTION vqr.region_merge()', t);
    EXECUTE format('ALTER TABLE vqr.%I ENABLE REPLICA TRIGGER region_merge', t);
    EXECUTE format('DROP TRIGGER IF EXISTS region_keep ON vqr.%I', t);
    EXECUTE format('CREATE TRIGGER region_keep BEFORE DELETE ON vqr.%I FOR EACH ROW EXECUTE FUNCTION vqr.region_keep()', t);
    EXECUTE format('ALTER TABLE vqr.%I ENABLE REPLICA TRIGGER region_keep', t);
  END LOOP;
  DROP TRIGGER IF EXISTS region_no_load ON vqr.batch;
  CREATE TRIGGER region_no_load BEFORE INSERT ON vqr.batch FOR EACH STATEMENT EXECUTE FUNCTION vqr.region_no_load();
  -- Row-level data never reaches the region.
  PERFORM vqr.region_drop_table('reject');
  PERFORM vqr.setup_access();
END
$fn$;
COMMENT ON FUNCTION vqr.region_setup() IS
  '地区库设置 / make this (empty) database a regional database (vqr init --region): catalog rows from several colleges merge, local loads are refused, vqr.reject becomes an empty view; idempotent';

-- How fresh each college's data is at the region.
CREATE VIEW vqr.v_college_freshness WITH (security_invoker = true) AS
SELECT rc.college, rc.subname, rc.publisher,
       (SELECT array_agg(rs.school_code ORDER BY rs.school_code) FROM vqr.region_school rs
        WHERE rs.college = rc.college) AS schools,
       coalesce(s.subenabled, false) AS enabled,
       st.pid IS NOT NULL AS receiving,
       st.last_msg_receipt_time AS last_contact,
       (SELECT count(*) FROM pg_subscription_rel sr WHERE sr.srsubid = s.oid AND sr.srsubstate <> 'r') AS tables_syncing,
       (SELECT count(*) FROM pg_subscription_rel sr WHERE sr.srsubid = s.oid) AS tables,
       lb.batch_id AS last_batch_id, lb.finished_at AS last_batch_at, now() - lb.finished_at AS data_age,
       NOT coalesce(s.subenabled AND st.pid IS NOT NULL AND st.last_msg_receipt_time > now() - r.stale_after,
                    false) AS stale
FROM vqr.region_college rc
CROSS JOIN vqr.region r
LEFT JOIN pg_subscription s ON s.subname = rc.subname
     AND s.subdbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL
LEFT JOIN LATERAL (SELECT b.batch_id, b.finished_at FROM vqr.batch b
                   JOIN vqr.region_school rs ON rs.school_code = b.school_code AND rs.college = rc.college
                   ORDER BY b.finished_at DESC NULLS LAST, b.batch_id DESC LIMIT 1) lb ON true;
COMMENT ON VIEW vqr.v_college_freshness IS
  '学院数据新鲜度 / at the region: per college, whether its replication is receiving, when it last heard from the college, and its last batch (time and age); stale = not receiving or silent longer than vqr.region.stale_after, the data shown is then the last that arrived';
COMMENT ON COLUMN vqr.v_college_freshness.college IS '学院名 / college (vqr region add NAME)';
COMMENT ON COLUMN vqr.v_college_freshness.subname IS '订阅名 / its subscription';
COMMENT ON COLUMN vqr.v_college_freshness.publisher IS '发布端 / host, port and database of the college';
COMMENT ON COLUMN vqr.v_college_freshness.schools IS '学校代码 / the school codes it supplies';
COMMENT ON COLUMN vqr.v_college_freshness.enabled IS '启用 / the subscription is enabled';
COMMENT ON COLUMN vqr.v_college_freshness.receiving IS '接收中 / its replication worker is running (connected to the college)';
COMMENT ON COLUMN vqr.v_college_freshness.last_contact IS '最近联系 / when the last message from the college arrived (NULL when not connected)';
COMMENT ON COLUMN vqr.v_college_freshness.tables_syncing IS '同步中表数 / tables still in their initial copy';
COMMENT ON COLUMN vqr.v_college_freshness.tables IS '表数 / tables subscribed';
COMMENT ON COLUMN vqr.v_college_freshness.last_batch_id IS '最近批次 / the college''s last batch that reached the region';
COMMENT ON COLUMN vqr.v_college_freshness.last_batch_at IS '最近批次时间 / when that batch was loaded at the college';
COMMENT ON COLUMN vqr.v_college_freshness.data_age IS '数据时长 / now - last_batch_at';
COMMENT ON COLUMN vqr.v_college_freshness.stale IS '过期 / true when the region is not receiving from the college (worker down, subscription disabled, or nothing for vqr.region.stale_after)';

REVOKE EXECUTE ON FUNCTION vqr.move_ids(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.publish(text, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.region_drop_table(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.region_setup() FROM PUBLIC;

SELECT vqr.setup_access();
