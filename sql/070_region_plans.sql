-- 070_region_plans.sql - the analyst views at the size of a region
-- (tests/bench/region.sh: 200 colleges x 10 years x the shipped catalog,
-- about 4M values; bench/README.md has the method and the figures).
--
-- Row-level security and the analysts.  Every table with a school has
-- the policy school_confine (011), which lets every unconfined reader
-- through but is still a security barrier: PostgreSQL evaluates a
-- condition of the reader's query that is not leakproof only after the
-- policy's, and never as an index condition.  jsonb's = and ? are not
-- leakproof, so an analyst's `breakdown = '{}'` read every breakdown of
-- an indicator and filtered the rows one by one, where the owner's plan
-- found them in the index.  vqr_analyst reads every school's rows (see
-- docs/ANALYSTS.md), so it gets a policy of its own, analyst_read, FOR
-- SELECT and USING (true): permissive policies are OR'ed, the planner
-- folds `... OR true` to true, and no barrier is left in an analyst's
-- plans.  It changes nothing that vqr_analyst may read; a school's loader
-- (vqr_school_loader) is confined as before.  A role that is both a
-- school's loader and a member of vqr_analyst reads every school, as any
-- member of vqr_analyst does.

-- setup_access: what 055 defined, then analyst_read beside every
-- school_confine policy (every run, so a table a later migration adds
-- gets both).
ALTER FUNCTION vqr.setup_access() RENAME TO setup_access_catalog;
COMMENT ON FUNCTION vqr.setup_access_catalog() IS
  '权限设置(目录) / the roles, grants, row-level security policies and the closed shared catalog of vqr.setup_access, before analyst_read is added; call vqr.setup_access instead';

CREATE FUNCTION vqr.setup_access() RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  t record;
BEGIN
  PERFORM vqr.setup_access_catalog();
  IF pg_catalog.to_regrole('vqr_analyst') IS NULL THEN
    RETURN;
  END IF;
  FOR t IN SELECT p.tablename FROM pg_catalog.pg_policies p
           WHERE p.schemaname = 'vqr' AND p.policyname = 'school_confine'
  LOOP
    EXECUTE format('DROP POLICY IF EXISTS analyst_read ON vqr.%I', t.tablename);
    EXECUTE format('CREATE POLICY analyst_read ON vqr.%I FOR SELECT TO vqr_analyst USING (true)', t.tablename);
    EXECUTE format('COMMENT ON POLICY analyst_read ON vqr.%I IS %L', t.tablename,
                   '分析员读取 / vqr_analyst reads every school''s rows; a policy of its own, so its queries'' conditions (breakdown = ''{}'') reach the indexes instead of waiting behind school_confine');
  END LOOP;
END
$fn$;
COMMENT ON FUNCTION vqr.setup_access() IS
  '权限设置 / (re)create the roles vqr_loader, vqr_analyst and vqr_school_loader when missing, grant them their rights on every table of schema vqr, put the school row-level security policy on every table with a school (and vqr_analyst''s analyst_read beside it), and leave the shared catalog (source, indicator, period, check_rule) writable by a school''s loader only through the vqr.catalog_add_* functions; idempotent; run by vqr init and by migrations that add tables';
REVOKE EXECUTE ON FUNCTION vqr.setup_access() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vqr.setup_access_catalog() FROM PUBLIC;

SELECT vqr.setup_access();
