-- 011_access.sql - who may do what in schema vqr: the roles vqr_loader
-- (the pipeline), vqr_analyst (read only) and vqr_school_loader (the group
-- of per-school loaders), their grants, and row-level security that
-- confines a school's loader to its own school's rows in a regional
-- database that several colleges load into directly.
--
-- Roles are cluster-wide: they are created only when missing, and creating
-- them needs CREATEROLE (or a superuser).  When `vqr init` runs without
-- that right the schema is still created, a WARNING says so, and a DBA
-- finishes the job later with `SELECT vqr.setup_access();`.
--
-- vqr.setup_access() is idempotent and covers every table of the schema
-- that exists when it runs.  A later migration that adds a table ends
-- with `SELECT vqr.setup_access();` so the table gets its grants and, if
-- it has a school_code column, its row-level security policy.
--
-- The owner of the tables (who runs `vqr init`) is not subject to
-- row-level security, nor is a superuser; vqr_loader is created
-- BYPASSRLS when a superuser runs this, because COPY FROM (which vqr-load
-- uses) refuses a table whose row-level security applies to the user.

CREATE TABLE vqr.school_role (
  role_name   text PRIMARY KEY,
  school_code text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX school_role_school ON vqr.school_role (school_code);
COMMENT ON TABLE vqr.school_role IS '学校装载角色 / which database role loads which school: row-level security confines a member of such a role to that school''s rows (see vqr.create_school_loader)';
COMMENT ON COLUMN vqr.school_role.role_name IS '角色名 / database role, e.g. vqr_loader_cqgygj';
COMMENT ON COLUMN vqr.school_role.school_code IS '学校代码 / the school it may see and write';
COMMENT ON COLUMN vqr.school_role.created_at IS '创建时间 / when the mapping was made';

-- The schools the current user is confined to, or NULL when it is not
-- confined.  Confined: it has the privileges of vqr_school_loader or of a
-- role in vqr.school_role.  Used by the policies through a sub-select, so
-- it runs once per statement.
CREATE FUNCTION vqr.rls_schools() RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  schools text[];
  grp oid := pg_catalog.to_regrole('vqr_school_loader');
BEGIN
  SELECT array_agg(m.school_code ORDER BY m.school_code) INTO schools FROM vqr.school_role m
  WHERE pg_catalog.pg_has_role(current_user, pg_catalog.to_regrole(pg_catalog.quote_ident(m.role_name)), 'USAGE');
  IF schools IS NULL AND grp IS NOT NULL AND pg_catalog.pg_has_role(current_user, grp, 'USAGE') THEN
    schools := '{}';
  END IF;
  RETURN schools;
END
$fn$;
COMMENT ON FUNCTION vqr.rls_schools() IS
  '行级安全学校 / the school codes the current user is confined to by row-level security, NULL when it is not confined (not a school loader)';

CREATE FUNCTION vqr.setup_access() RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  me record;
  can_create boolean;
  t record;
  want text;
  -- Tables a school's loader writes without a school column of their own
  -- (shared catalogs the load keeps in step), and tables nobody but the
  -- owner writes.
  catalogs text[] := ARRAY['school', 'source', 'indicator', 'period'];
  readonly text[] := ARRAY['schema_migration', 'school_role'];
BEGIN
  SELECT rolsuper, rolcreaterole INTO me FROM pg_catalog.pg_roles WHERE rolname = current_user;
  can_create := me.rolsuper OR me.rolcreaterole;

  -- Roles.
  FOR t IN SELECT * FROM (VALUES
      ('vqr_loader', 'LOGIN' || CASE WHEN me.rolsuper THEN ' BYPASSRLS' ELSE '' END),
      ('vqr_analyst', 'NOLOGIN'),
      ('vqr_school_loader', 'NOLOGIN')) AS r(name, attrs)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = t.name) THEN
      IF NOT can_create THEN
        RAISE WARNING 'vqr: role % does not exist and % may not create roles', t.name, current_user
          USING HINT = 'run "SELECT vqr.setup_access();" as a superuser or a role with CREATEROLE';
        CONTINUE;
      END IF;
      BEGIN
        EXECUTE format('CREATE ROLE %I %s', t.name, t.attrs);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;  -- another database's vqr init created it meanwhile
      END;
    END IF;
  END LOOP;
  IF me.rolsuper AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vqr_loader' AND NOT rolbypassrls) THEN
    ALTER ROLE vqr_loader BYPASSRLS;
  END IF;

  -- Grants.
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vqr_analyst') THEN
    GRANT USAGE ON SCHEMA vqr TO vqr_analyst;
    GRANT SELECT ON ALL TABLES IN SCHEMA vqr TO vqr_analyst;
    ALTER DEFAULT PRIVILEGES IN SCHEMA vqr GRANT SELECT ON TABLES TO vqr_analyst;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vqr_loader') THEN
    GRANT USAGE ON SCHEMA vqr TO vqr_loader;
    GRANT SELECT ON ALL TABLES IN SCHEMA vqr TO vqr_loader;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA vqr TO vqr_loader;
    FOR t IN SELECT c.relname FROM pg_catalog.pg_class c
             WHERE c.relnamespace = 'vqr'::regnamespace AND c.relkind IN ('r', 'p')
               AND c.relname <> ALL (readonly)
    LOOP
      EXECUTE format('GRANT INSERT, UPDATE, DELETE ON vqr.%I TO vqr_loader', t.relname);
    END LOOP;
    ALTER DEFAULT PRIVILEGES IN SCHEMA vqr GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO vqr_loader;
    ALTER DEFAULT PRIVILEGES IN SCHEMA vqr GRANT USAGE, SELECT ON SEQUENCES TO vqr_loader;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vqr_school_loader') THEN
    -- No default privileges here: a table this function has not seen
    -- (and given a policy) stays closed to the schools' loaders.
    GRANT USAGE ON SCHEMA vqr TO vqr_school_loader;
    GRANT SELECT ON ALL TABLES IN SCHEMA vqr TO vqr_school_loader;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA vqr TO vqr_school_loader;
    FOR t IN SELECT c.relname,
                    EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                            WHERE a.attrelid = c.oid AND a.attname IN ('school_code', 'file_id')
                              AND NOT a.attisdropped) AS confined
             FROM pg_catalog.pg_class c
             WHERE c.relnamespace = 'vqr'::regnamespace AND c.relkind IN ('r', 'p')
               AND c.relname <> ALL (readonly)
    LOOP
      IF t.relname = ANY (catalogs) THEN
        EXECUTE format('GRANT INSERT, UPDATE ON vqr.%I TO vqr_school_loader', t.relname);
      ELSIF t.confined THEN
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON vqr.%I TO vqr_school_loader', t.relname);
      END IF;
    END LOOP;
  END IF;

  -- Row-level security: a policy on every table with a school column
  -- (and on reject, whose school is its file's).  The policy lets every
  -- unconfined user through; GRANTs decide what those may do.
  FOR t IN SELECT c.relname,
                  EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attname = 'school_code' AND NOT a.attisdropped) AS has_school,
                  EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attname = 'file_id' AND NOT a.attisdropped) AS has_file
           FROM pg_catalog.pg_class c
           WHERE c.relnamespace = 'vqr'::regnamespace AND c.relkind IN ('r', 'p')
             AND c.relname <> ALL (readonly)
  LOOP
    IF t.has_school THEN
      want := '(SELECT vqr.rls_schools()) IS NULL OR school_code = ANY ((SELECT vqr.rls_schools())::text[])';
    ELSIF t.has_file THEN
      want := '(SELECT vqr.rls_schools()) IS NULL OR file_id IN (SELECT f.file_id FROM vqr.source_file f '
              'WHERE f.school_code = ANY ((SELECT vqr.rls_schools())::text[]))';
    ELSE
      CONTINUE;
    END IF;
    EXECUTE format('DROP POLICY IF EXISTS school_confine ON vqr.%I', t.relname);
    EXECUTE format('CREATE POLICY school_confine ON vqr.%I FOR ALL TO PUBLIC USING (%s) WITH CHECK (%s)',
                   t.relname, want, want);
    EXECUTE format('COMMENT ON POLICY school_confine ON vqr.%I IS %L', t.relname,
                   '学校隔离 / a school''s loader (see vqr.school_role) sees and writes only its own school''s rows; everyone else is governed by GRANTs alone');
    EXECUTE format('ALTER TABLE vqr.%I ENABLE ROW LEVEL SECURITY', t.relname);
  END LOOP;
END
$fn$;
COMMENT ON FUNCTION vqr.setup_access() IS
  '权限设置 / (re)create the roles vqr_loader, vqr_analyst and vqr_school_loader when missing, grant them their rights on every table of schema vqr, and put the school row-level security policy on every table with a school; idempotent; run by vqr init and by migrations that add tables';

CREATE FUNCTION vqr.create_school_loader(p_school_code text, p_login boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql SET client_min_messages = warning SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  base text;
  rname text;
  other text;
BEGIN
  IF p_school_code IS NULL OR p_school_code = '' THEN
    RAISE EXCEPTION 'vqr.create_school_loader: a school code is required';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vqr_school_loader') THEN
    RAISE EXCEPTION 'vqr.create_school_loader: role vqr_school_loader does not exist'
      USING HINT = 'run "SELECT vqr.setup_access();" as a superuser or a role with CREATEROLE first';
  END IF;
  SELECT m.role_name INTO rname FROM vqr.school_role m WHERE m.school_code = p_school_code
  ORDER BY m.created_at LIMIT 1;
  IF rname IS NULL THEN
    -- Lower case, [a-z0-9_] only; a code that loses characters that way
    -- gets a hash suffix so that two codes never share a role.
    base := regexp_replace(lower(p_school_code), '[^a-z0-9_]+', '_', 'g');
    IF base <> lower(p_school_code) THEN
      base := left(trim(both '_' FROM base), 40) || '_' || left(md5(p_school_code), 8);
    END IF;
    rname := left('vqr_loader_' || trim(both '_' FROM base), 63);
    SELECT m.school_code INTO other FROM vqr.school_role m WHERE m.role_name = rname;
    IF other IS NOT NULL THEN
      RAISE EXCEPTION 'vqr.create_school_loader: role % already loads school %', rname, other;
    END IF;
    INSERT INTO vqr.school_role (role_name, school_code) VALUES (rname, p_school_code);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = rname) THEN
    BEGIN
      EXECUTE format('CREATE ROLE %I %s', rname, CASE WHEN p_login THEN 'LOGIN' ELSE 'NOLOGIN' END);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  EXECUTE format('GRANT vqr_school_loader TO %I', rname);
  RETURN rname;
END
$fn$;
COMMENT ON FUNCTION vqr.create_school_loader(text, boolean) IS
  '创建学校装载角色 / create (or find) the role vqr_loader_<code> that loads one school into a regional database: a member of vqr_school_loader, recorded in vqr.school_role, confined by row-level security to that school''s rows; returns the role name; LOGIN unless p_login is false';

REVOKE EXECUTE ON FUNCTION vqr.setup_access() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.create_school_loader(text, boolean) FROM PUBLIC;
GRANT SELECT ON vqr.school_role TO PUBLIC;

-- 001's view reads as its caller too, so row-level security holds
-- through it.
ALTER VIEW vqr.v_indicator SET (security_invoker = true);

SELECT vqr.setup_access();
