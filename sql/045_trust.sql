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

-- The files whose rows make up each slice: a replacing file becomes the
-- only one; a supplement (补录) joins the files before it, and the slice's
-- indicators are computed over all of their rows.
CREATE TABLE vqr.slice_file (
  school_code text NOT NULL REFERENCES vqr.school,
  source_code text NOT NULL REFERENCES vqr.source,
  period      text NOT NULL REFERENCES vqr.period,
  file_id     bigint NOT NULL REFERENCES vqr.source_file,
  PRIMARY KEY (school_code, source_code, period, file_id)
);
COMMENT ON TABLE vqr.slice_file IS
  '切片文件 / the files whose rows make up each slice (school, source, period) now: the last replacing file and the supplements (补录) loaded after it';
COMMENT ON COLUMN vqr.slice_file.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.slice_file.source_code IS '数据来源 / source';
COMMENT ON COLUMN vqr.slice_file.period IS '统计期 / period';
COMMENT ON COLUMN vqr.slice_file.file_id IS '文件号 / a file of the slice (vqr.source_file)';

ALTER TABLE vqr.finding DROP CONSTRAINT IF EXISTS finding_severity_check;
ALTER TABLE vqr.finding ADD CONSTRAINT finding_severity_check CHECK (severity IN ('error', 'warning'));
COMMENT ON COLUMN vqr.batch.status IS
  '状态 / loaded, or blocked: an error-level check with block: true failed, or a replacing file would shrink its slice by more than max_shrink (check_code slice_shrink); nothing of the file was loaded (see vqr.finding)';

SELECT vqr.setup_access();
