-- 000_migration.sql - the table that records applied migrations.  `vqr init`
-- creates it before anything else (it is idempotent on its own).
CREATE SCHEMA IF NOT EXISTS vqr;
CREATE TABLE IF NOT EXISTS vqr.schema_migration (
  version    text PRIMARY KEY,
  sha256     text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE vqr.schema_migration IS '迁移记录 / schema migrations applied by vqr init, in order';
COMMENT ON COLUMN vqr.schema_migration.version IS '版本 / migration file name, e.g. 001_core.sql';
COMMENT ON COLUMN vqr.schema_migration.sha256 IS 'SHA-256 / checksum of the applied script (a changed script is refused)';
COMMENT ON COLUMN vqr.schema_migration.applied_at IS '应用时间 / when it was applied';
