-- 074_sheets.sql - workbooks of several sheets.
--
-- A source may read sheets by name patterns (`sheets:` in the catalog):
-- every worksheet of a workbook that some source matches is read as one
-- part of the file's batch, loaded in the file's one transaction.
-- vqr.source_file keeps one row per file (its sha256 is loaded once);
-- vqr.source_file_sheet has one row per worksheet of such a file: the
-- source that read it with its counts, or no source (a sheet nothing
-- matches, listed and not an error).  A reject of a part names its sheet.

CREATE TABLE vqr.source_file_sheet (
  file_id       bigint NOT NULL REFERENCES vqr.source_file ON DELETE CASCADE,
  sheet_no      integer NOT NULL CHECK (sheet_no >= 1),
  sheet_name    text NOT NULL,
  source_code   text REFERENCES vqr.source,
  status        text NOT NULL CHECK (status IN ('loaded', 'unmatched')),
  header_line   integer,
  rows_read     bigint,
  rows_loaded   bigint,
  rows_rejected bigint,
  rows_skipped  bigint,
  periods       text[],
  PRIMARY KEY (file_id, sheet_no),
  CHECK ((status = 'unmatched') = (source_code IS NULL))
);
COMMENT ON TABLE vqr.source_file_sheet IS
  '工作表 / every worksheet of a workbook read as parts (a source with sheets:): the source that read it and its counts, or none (unmatched)';
COMMENT ON COLUMN vqr.source_file_sheet.file_id IS '文件号 / the workbook (vqr.source_file)';
COMMENT ON COLUMN vqr.source_file_sheet.sheet_no IS '表序号 / position of the sheet among the workbook''s worksheets (1-based)';
COMMENT ON COLUMN vqr.source_file_sheet.sheet_name IS '工作表名 / the sheet''s name as written in the workbook';
COMMENT ON COLUMN vqr.source_file_sheet.source_code IS '数据来源 / the source that read the sheet, NULL when no source''s sheets patterns match it';
COMMENT ON COLUMN vqr.source_file_sheet.status IS '状态 / loaded (a part of the file''s batch) or unmatched (listed, not read)';
COMMENT ON COLUMN vqr.source_file_sheet.header_line IS '表头行 / sheet row of the header, NULL when unmatched';
COMMENT ON COLUMN vqr.source_file_sheet.rows_read IS '读取行数 / data rows read from the sheet';
COMMENT ON COLUMN vqr.source_file_sheet.rows_loaded IS '通过行数 / rows that passed';
COMMENT ON COLUMN vqr.source_file_sheet.rows_rejected IS '拒绝行数 / rows rejected (their reasons in vqr.reject with this sheet)';
COMMENT ON COLUMN vqr.source_file_sheet.rows_skipped IS '跳过行数 / blank and total rows';
COMMENT ON COLUMN vqr.source_file_sheet.periods IS '统计期 / periods the sheet''s rows fall in';

-- At a region vqr.reject is an empty view (030_region.sql): it gets the
-- column too, still empty.
DO $do$
BEGIN
  IF vqr.is_region() THEN
    EXECUTE format('CREATE OR REPLACE VIEW vqr.reject AS SELECT r.*, NULL::text AS sheet FROM (%s) r',
                   rtrim(pg_get_viewdef('vqr.reject'::regclass), E'; \n'));
  ELSE
    ALTER TABLE vqr.reject ADD COLUMN sheet text;
  END IF;
END
$do$;
COMMENT ON COLUMN vqr.reject.sheet IS '工作表 / the sheet of a workbook read as parts whose row this is (line is its row), NULL for a file of one table or sheet';

-- The sheets with their file, for analysts.
CREATE VIEW vqr.v_source_file_sheet WITH (security_invoker = true) AS
SELECT f.school_code, f.batch_id, s.file_id, f.file_name, f.sha256, s.sheet_no, s.sheet_name, s.source_code,
       s.status, s.header_line, s.rows_read, s.rows_loaded, s.rows_rejected, s.rows_skipped, s.periods,
       f.loaded_at
FROM vqr.source_file_sheet s
JOIN vqr.source_file f USING (file_id);
COMMENT ON VIEW vqr.v_source_file_sheet IS
  '工作表明细 / the worksheets of each workbook read as parts, with the file: which source read each sheet and its counts, and the sheets no source matched';
COMMENT ON COLUMN vqr.v_source_file_sheet.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.v_source_file_sheet.batch_id IS '批次号 / batch that loaded the file';
COMMENT ON COLUMN vqr.v_source_file_sheet.file_id IS '文件号 / the workbook';
COMMENT ON COLUMN vqr.v_source_file_sheet.file_name IS '文件名 / the workbook''s name in the inbox';
COMMENT ON COLUMN vqr.v_source_file_sheet.sha256 IS '校验和 / the workbook''s sha256';
COMMENT ON COLUMN vqr.v_source_file_sheet.sheet_no IS '表序号 / position among the worksheets (1-based)';
COMMENT ON COLUMN vqr.v_source_file_sheet.sheet_name IS '工作表名 / the sheet''s name';
COMMENT ON COLUMN vqr.v_source_file_sheet.source_code IS '数据来源 / the source that read it, NULL when unmatched';
COMMENT ON COLUMN vqr.v_source_file_sheet.status IS '状态 / loaded or unmatched';
COMMENT ON COLUMN vqr.v_source_file_sheet.header_line IS '表头行 / sheet row of the header';
COMMENT ON COLUMN vqr.v_source_file_sheet.rows_read IS '读取行数 / data rows read';
COMMENT ON COLUMN vqr.v_source_file_sheet.rows_loaded IS '通过行数 / rows that passed';
COMMENT ON COLUMN vqr.v_source_file_sheet.rows_rejected IS '拒绝行数 / rows rejected';
COMMENT ON COLUMN vqr.v_source_file_sheet.rows_skipped IS '跳过行数 / blank and total rows';
COMMENT ON COLUMN vqr.v_source_file_sheet.periods IS '统计期 / periods of the sheet''s rows';
COMMENT ON COLUMN vqr.v_source_file_sheet.loaded_at IS '加载时间 / when the file was loaded';

-- The reject summary also by sheet (NULL for a file of one table).
CREATE OR REPLACE VIEW vqr.v_reject_summary WITH (security_invoker = true) AS
SELECT f.batch_id, f.school_code, r.file_id, f.file_name, r.rule, r.field, r.column_name,
       count(*) AS rejects, min(r.line) AS first_line,
       (array_agg(r.value ORDER BY r.line))[1] AS first_value,
       (array_agg(r.message ORDER BY r.line))[1] AS first_message,
       r.sheet
FROM vqr.reject r
JOIN vqr.source_file f USING (file_id)
GROUP BY f.batch_id, f.school_code, r.file_id, f.file_name, r.sheet, r.rule, r.field, r.column_name;
COMMENT ON COLUMN vqr.v_reject_summary.sheet IS '工作表 / the sheet of a workbook read as parts, NULL for a file of one table or sheet';

-- Provenance a region may have, as vqr.source_file (sheet names and
-- counts, no rows): published by the next `vqr init` at a college.
INSERT INTO vqr.published_table (table_name, note) VALUES
  ('source_file_sheet', 'provenance: the worksheets of each workbook read as parts, their sources and row counts, no rows');

SELECT vqr.setup_access();
