-- 055_hardening.sql - the shared catalog belongs to its owner, and
-- publishing a college with history keeps its references.
--
-- The catalog tables vqr.source, vqr.indicator, vqr.period and
-- vqr.check_rule are shared by every school of a database.  A school's
-- loader (a member of vqr_school_loader) may not write them directly: it
-- goes through the vqr.catalog_add_* functions, which add an entry that
-- does not exist yet, accept one that exists unchanged, and refuse any
-- change of an existing entry.  The owner (who runs `vqr init`) and
-- vqr_loader keep writing the catalog directly.
--
-- vqr.move_ids (`vqr init --publish`) finds every column that refers to
-- a moved identity before it drops the foreign keys, so columns with
-- another name than the identity (finding.superseded_by,
-- indicator_value_history.superseded_by) move too; the canonical rows in
-- schema vqr_rows move with their files.

-- The shared catalog, the rows of one table as JSON keyed by column.
CREATE FUNCTION vqr.catalog_put(p_table text, p_what text, p_key text, p_row jsonb) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, vqr AS $fn$
DECLARE
  cols text;
  n bigint;
  have jsonb;
  want jsonb;
  diff text;
BEGIN
  SELECT string_agg(pg_catalog.quote_ident(k), ', ' ORDER BY k) INTO cols FROM jsonb_object_keys(p_row) AS k;
  EXECUTE format('INSERT INTO vqr.%I (%s) SELECT %s FROM jsonb_populate_record(NULL::vqr.%I, $1) '
                 'ON CONFLICT DO NOTHING', p_table, cols, cols, p_table) USING p_row;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    RETURN true;
  END IF;
  -- Both sides through the table's types, so that 1 and 1.0 compare equal.
  EXECUTE format('SELECT to_jsonb(t) FROM vqr.%I t WHERE %I = ($1 ->> %L)', p_table, p_key, p_key)
    INTO have USING p_row;
  EXECUTE format('SELECT to_jsonb(jsonb_populate_record(NULL::vqr.%I, $1))', p_table) INTO want USING p_row;
  SELECT string_agg(format('%s: %s in the shared catalog, %s in this configuration',
                           k, coalesce(have -> k, 'null'::jsonb), coalesce(want -> k, 'null'::jsonb)),
                    '; ' ORDER BY k) INTO diff
  FROM jsonb_object_keys(p_row) AS k
  WHERE (have -> k) IS DISTINCT FROM (want -> k);
  IF diff IS NOT NULL THEN
    RAISE EXCEPTION 'vqr: % "%" of the shared catalog differs from this configuration, and a school''s loader may not change it',
                    p_what, p_row ->> p_key
      USING ERRCODE = 'insufficient_privilege', DETAIL = diff,
            HINT = 'load with the catalog the other schools share, or have the catalog''s owner (the role that runs vqr init) change it';
  END IF;
  RETURN false;
END
$fn$;
COMMENT ON FUNCTION vqr.catalog_put(text, text, text, jsonb) IS
  '共享目录写入 / add the row p_row (JSON by column) to shared catalog table vqr.p_table unless its key p_key exists; an existing row must equal p_row in every column given, else an error names the entry (p_what and key) and each differing column; returns true when added; called by the vqr.catalog_add_* functions';

CREATE FUNCTION vqr.catalog_add_source(p_source_code text, p_name_zh text, p_name_en text) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, vqr AS $$
  SELECT vqr.catalog_put('source', 'source', 'source_code',
                         jsonb_build_object('source_code', p_source_code, 'name_zh', p_name_zh, 'name_en', p_name_en))
$$;
COMMENT ON FUNCTION vqr.catalog_add_source(text, text, text) IS
  '添加数据来源 / for a school''s loader: add source p_source_code to the shared catalog, or accept it when it exists with the same names; refuses a change (returns true when added)';

CREATE FUNCTION vqr.catalog_add_indicator(p_indicator_code text, p_name_zh text, p_name_en text, p_unit text,
                                          p_kind text, p_aggregate text, p_source_code text, p_scale numeric,
                                          p_description text, p_rule text, p_period_type text, p_derived boolean)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, vqr AS $$
  SELECT vqr.catalog_put('indicator', 'indicator', 'indicator_code',
                         jsonb_build_object('indicator_code', p_indicator_code, 'name_zh', p_name_zh,
                                            'name_en', p_name_en, 'unit', p_unit, 'kind', p_kind,
                                            'aggregate', p_aggregate, 'source_code', p_source_code,
                                            'scale', p_scale, 'description', p_description, 'rule', p_rule,
                                            'period_type', p_period_type, 'derived', p_derived))
$$;
COMMENT ON FUNCTION vqr.catalog_add_indicator(text, text, text, text, text, text, text, numeric, text, text, text, boolean) IS
  '添加指标 / for a school''s loader: add indicator p_indicator_code to the shared catalog, or accept it when it exists with the same definition; refuses a change of any column (returns true when added)';

CREATE FUNCTION vqr.catalog_add_period(p_period text, p_period_type text, p_start_date date, p_end_date date)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, vqr AS $$
  SELECT vqr.catalog_put('period', 'period', 'period',
                         jsonb_build_object('period', p_period, 'period_type', p_period_type,
                                            'start_date', p_start_date, 'end_date', p_end_date))
$$;
COMMENT ON FUNCTION vqr.catalog_add_period(text, text, date, date) IS
  '添加统计期 / for a school''s loader: add period p_period to the shared catalog, or accept it when it exists with the same type and dates; refuses a change (returns true when added)';

CREATE FUNCTION vqr.catalog_add_check(p_check_code text, p_name_zh text, p_name_en text, p_left_side text,
                                      p_op text, p_right_side text, p_tolerance numeric, p_severity text,
                                      p_block boolean, p_by_fields text[])
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, vqr AS $$
  SELECT vqr.catalog_put('check_rule', 'check', 'check_code',
                         jsonb_build_object('check_code', p_check_code, 'name_zh', p_name_zh, 'name_en', p_name_en,
                                            'left_side', p_left_side, 'op', p_op, 'right_side', p_right_side,
                                            'tolerance', p_tolerance, 'severity', p_severity, 'block', p_block,
                                            'by_fields', p_by_fields))
$$;
COMMENT ON FUNCTION vqr.catalog_add_check(text, text, text, text, text, text, numeric, text, boolean, text[]) IS
  '添加校验规则 / for a school''s loader: add check p_check_code to the shared catalog, or accept it when it exists with the same definition; refuses a change (returns true when added)';

REVOKE EXECUTE ON FUNCTION vqr.catalog_put(text, text, text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.catalog_add_source(text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.catalog_add_indicator(text, text, text, text, text, text, text, numeric, text, text, text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.catalog_add_period(text, text, date, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.catalog_add_check(text, text, text, text, text, text, numeric, text, boolean, text[]) FROM PUBLIC;

-- setup_access: what 011 defined, then the shared catalog closed to the
-- schools' loaders (every run, so a later migration or a DBA running it
-- never opens it again).
ALTER FUNCTION vqr.setup_access() RENAME TO setup_access_tables;
COMMENT ON FUNCTION vqr.setup_access_tables() IS
  '权限设置(表) / the roles, table grants and row-level security policies of vqr.setup_access, before it closes the shared catalog to the schools'' loaders; call vqr.setup_access instead';

CREATE FUNCTION vqr.setup_access() RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  shared constant text[] := ARRAY['source', 'indicator', 'period', 'check_rule'];
  fns constant text[] := ARRAY['vqr.catalog_add_source(text, text, text)',
    'vqr.catalog_add_indicator(text, text, text, text, text, text, text, numeric, text, text, text, boolean)',
    'vqr.catalog_add_period(text, text, date, date)',
    'vqr.catalog_add_check(text, text, text, text, text, text, numeric, text, boolean, text[])'];
  tab text;
  fn text;
  r text;
BEGIN
  PERFORM vqr.setup_access_tables();
  IF pg_catalog.to_regrole('vqr_school_loader') IS NULL THEN
    RETURN;
  END IF;
  FOREACH tab IN ARRAY shared LOOP
    CONTINUE WHEN pg_catalog.to_regclass(format('vqr.%I', tab)) IS NULL;
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON vqr.%I FROM vqr_school_loader', tab);
    FOR r IN SELECT m.role_name FROM vqr.school_role m WHERE pg_catalog.to_regrole(pg_catalog.quote_ident(m.role_name)) IS NOT NULL
    LOOP
      EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON vqr.%I FROM %I', tab, r);
    END LOOP;
  END LOOP;
  FOREACH fn IN ARRAY fns LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO vqr_school_loader', fn);
  END LOOP;
END
$fn$;
COMMENT ON FUNCTION vqr.setup_access() IS
  '权限设置 / (re)create the roles vqr_loader, vqr_analyst and vqr_school_loader when missing, grant them their rights on every table of schema vqr, put the school row-level security policy on every table with a school, and leave the shared catalog (source, indicator, period, check_rule) writable by a school''s loader only through the vqr.catalog_add_* functions; idempotent; run by vqr init and by migrations that add tables';
REVOKE EXECUTE ON FUNCTION vqr.setup_access() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.setup_access_tables() FROM PUBLIC;

-- Move the identity ids of every published table into block p_block:
-- id -> p_block x 10^12 + (id mod 10^12), in the table and in every
-- column that refers to it: its foreign keys (found before they are
-- dropped for the move and added again after it), columns of schema vqr
-- of the same name without one (the history's batch_id), and the
-- file_id of the canonical rows in schema vqr_rows.
CREATE OR REPLACE FUNCTION vqr.move_ids(p_block integer) RETURNS bigint
LANGUAGE plpgsql SET client_min_messages = warning SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  span constant bigint := 1000000000000;
  lo bigint := p_block::bigint * span;
  t record;
  fk text[];
  fks text[];
  refs text[];
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
      -- The referring columns (table, column) while the foreign keys still say which they are.
      SELECT array_agg(ARRAY[format('%I.%I', n2.nspname, c2.relname), a2.attname] ORDER BY n2.nspname, c2.relname, a2.attname)
      INTO refs
      FROM pg_class c2
      JOIN pg_namespace n2 ON n2.oid = c2.relnamespace
      JOIN pg_attribute a2 ON a2.attrelid = c2.oid
      WHERE c2.relkind IN ('r', 'p') AND c2.oid <> t.oid AND a2.attnum > 0 AND NOT a2.attisdropped
        AND ((n2.nspname = 'vqr'
              AND (a2.attname = t.attname
                   OR EXISTS (SELECT 1 FROM pg_constraint con
                              WHERE con.contype = 'f' AND con.conrelid = c2.oid AND con.confrelid = t.oid
                                AND a2.attnum = ANY (con.conkey))))
             OR (n2.nspname = 'vqr_rows' AND t.relname = 'source_file' AND a2.attname = 'file_id'));
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
      IF refs IS NOT NULL THEN
        FOREACH fk SLICE 1 IN ARRAY refs LOOP
          EXECUTE format(upd, fk[1], fk[2], fk[2], fk[2], fk[2]) USING lo, span;
        END LOOP;
      END IF;
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
  '迁移编号 / move the batch, file and finding ids (every identity of a published table, every column of schema vqr referring to it by foreign key or by name, and the file_id of the rows in vqr_rows) into block p_block: id_block x 10^12 + n; returns the rows moved';
REVOKE EXECUTE ON FUNCTION vqr.move_ids(integer) FROM PUBLIC;

SELECT vqr.setup_access();
