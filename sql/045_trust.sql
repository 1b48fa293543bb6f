-- 045_trust.sql - what makes every stored number defensible: the column
-- coverage of each loaded file (headers that map to no field, fields the
-- file has no column for, indicators left uncomputed because of them) and
-- the catalog each batch was computed with.
--
-- An indicator whose rule reads a field that a file lacks, or has empty
-- in every row, is not computed for that file's slices: no value is
-- stored (never a 0 from absent data) and a finding with check_code
-- field_missing names the indicator, the field, the file and its unmapped
-- headers.  Such a finding stays current until its slice
-- (school, source, period) is loaded again; derived indicators and checks
-- over the missing indicator get field_missing findings of their own
-- (source_code NULL), renewed with every check of the period.

ALTER TABLE vqr.source_file ADD COLUMN unmapped_headers text[] NOT NULL DEFAULT '{}';
ALTER TABLE vqr.source_file ADD COLUMN unmapped_hints text[] NOT NULL DEFAULT '{}';
ALTER TABLE vqr.source_file ADD COLUMN missing_fields text[] NOT NULL DEFAULT '{}';
ALTER TABLE vqr.source_file ADD COLUMN skipped_indicators text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN vqr.source_file.unmapped_headers IS
  '未映射列 / header cells of the file that name no field of the source (as written): their data was not read';
COMMENT ON COLUMN vqr.source_file.unmapped_hints IS
  '建议字段 / per unmapped header (same position): the closest field the file lacks, "name (header)", or empty';
COMMENT ON COLUMN vqr.source_file.missing_fields IS
  '缺失字段 / fields of the source that the file has no column for';
COMMENT ON COLUMN vqr.source_file.skipped_indicators IS
  '未计算指标 / indicators not computed from this file because a field they read is missing or empty in every row (see vqr.finding, check_code field_missing)';

ALTER TABLE vqr.batch ADD COLUMN catalog_sha256 text CHECK (catalog_sha256 ~ '^[0-9a-f]{64}$');
COMMENT ON COLUMN vqr.batch.catalog_sha256 IS
  '目录摘要 / sha256 of the source and indicator catalog that computed the batch; vqr status lists slices computed with another catalog, vqr reprocess computes them again';

COMMENT ON COLUMN vqr.finding.source_code IS
  '数据来源 / source (the slice key), NULL when the check spans sources; for field_missing, the source whose file lacks the field (the finding stays current until that slice is loaded again)';

CREATE INDEX finding_field_missing ON vqr.finding (school_code, source_code, period)
  WHERE check_code = 'field_missing' AND superseded_by IS NULL;
