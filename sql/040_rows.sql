-- 040_rows.sql - schema vqr_rows: the canonical rows of the sources whose
-- configuration says `load_rows: true`, for drill-down behind an indicator
-- (which graduates of 数控加工 were not placed?).
--
-- vqr-load creates one table per source, vqr_rows.<source>, with the
-- columns school_code, period, file_id, line and one typed column per
-- field the extract stages (personal fields with pii: drop never are;
-- pii: pseudonymise ones hold the keyed hash).  A load replaces the rows
-- of the slices (school, source, period) it covers, in the same
-- transaction as the indicator values.
--
-- The rows are a school's own working data: they are never aggregated
-- into a regional view, and no role but the owner and vqr_loader is
-- granted them (a DBA grants a school's own analysts explicitly).
CREATE SCHEMA vqr_rows;
COMMENT ON SCHEMA vqr_rows IS '明细行 / canonical rows of the sources configured with load_rows: true, one table per source, for drill-down; never published to a region';

DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'vqr_loader') THEN
    GRANT USAGE, CREATE ON SCHEMA vqr_rows TO vqr_loader;
  END IF;
END
$do$;
