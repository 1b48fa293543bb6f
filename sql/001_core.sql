-- 001_core.sql - the core of schema vqr: schools, periods, the indicator
-- catalog, indicator values with their provenance, and rejected rows.
-- Applied once by `vqr init` inside a transaction and recorded in
-- vqr.schema_migration; never edit an applied migration, add a new one.

CREATE SCHEMA IF NOT EXISTS vqr;
COMMENT ON SCHEMA vqr IS
  'vqr: 技工院校质量年度报告指标 / quality-report indicators of technician colleges, loaded from smart-campus exports';

CREATE TABLE vqr.school (
  school_code text PRIMARY KEY,
  name        text NOT NULL,
  region      text
);
COMMENT ON TABLE vqr.school IS '学校 / schools whose data is loaded (synced from each deployment''s configuration)';
COMMENT ON COLUMN vqr.school.school_code IS '学校代码 / stable school code from the configuration';
COMMENT ON COLUMN vqr.school.name IS '学校名称 / school name';
COMMENT ON COLUMN vqr.school.region IS '所属地区 / region the school belongs to';

CREATE TABLE vqr.period (
  period      text PRIMARY KEY,
  period_type text NOT NULL CHECK (period_type IN ('academic_year')),
  start_date  date NOT NULL,
  end_date    date NOT NULL,
  CHECK (start_date <= end_date)
);
COMMENT ON TABLE vqr.period IS '统计期 / reporting periods; an academic year (学年) runs 1 September to 31 August';
COMMENT ON COLUMN vqr.period.period IS '统计期标识 / period label, e.g. 2022-2023';
COMMENT ON COLUMN vqr.period.period_type IS '统计期类型 / period type: academic_year';
COMMENT ON COLUMN vqr.period.start_date IS '开始日期 / first day of the period';
COMMENT ON COLUMN vqr.period.end_date IS '结束日期 / last day of the period';

CREATE TABLE vqr.source (
  source_code text PRIMARY KEY,
  name_zh     text,
  name_en     text
);
COMMENT ON TABLE vqr.source IS '数据来源 / kinds of export (e.g. 毕业生去向登记表), synced from the source catalog';
COMMENT ON COLUMN vqr.source.source_code IS '来源代码 / source key in the configuration';
COMMENT ON COLUMN vqr.source.name_zh IS '中文名称 / Chinese name of the export';
COMMENT ON COLUMN vqr.source.name_en IS '英文名称 / English name of the export';

CREATE TABLE vqr.indicator (
  indicator_code text PRIMARY KEY,
  name_zh        text NOT NULL,
  name_en        text NOT NULL,
  unit           text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('count', 'amount', 'mean', 'rate')),
  aggregate      text NOT NULL CHECK (aggregate IN ('sum', 'ratio_of_sums', 'weighted_mean', 'none')),
  source_code    text REFERENCES vqr.source,
  scale          numeric NOT NULL DEFAULT 1,
  description    text,
  rule           text,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE vqr.indicator IS '指标目录 / indicator catalog, synced from the YAML catalog at every load';
COMMENT ON COLUMN vqr.indicator.indicator_code IS '指标代码 / stable dotted code, e.g. employment.dest.enterprise.rate';
COMMENT ON COLUMN vqr.indicator.name_zh IS '指标名称 / Chinese name as in the report';
COMMENT ON COLUMN vqr.indicator.name_en IS '英文名称 / English name';
COMMENT ON COLUMN vqr.indicator.unit IS '单位 / unit: 人, %, 元/月, ...';
COMMENT ON COLUMN vqr.indicator.kind IS '类型 / count, amount, mean or rate';
COMMENT ON COLUMN vqr.indicator.aggregate IS '跨校汇总规则 / how schools combine: sum, ratio_of_sums (rates: sum of numerators over sum of denominators, never an average of percentages), weighted_mean (sum of numerators over sum of denominators), none';
COMMENT ON COLUMN vqr.indicator.source_code IS '数据来源 / source whose rows compute it';
COMMENT ON COLUMN vqr.indicator.scale IS '倍数 / value = numerator / denominator x scale (100 for percentages)';
COMMENT ON COLUMN vqr.indicator.description IS '口径说明 / definition of the figure';
COMMENT ON COLUMN vqr.indicator.rule IS '计算规则 / the rule from the YAML catalog, as text';
COMMENT ON COLUMN vqr.indicator.updated_at IS '同步时间 / when the catalog entry was last synced';

CREATE TABLE vqr.batch (
  batch_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  school_code  text NOT NULL REFERENCES vqr.school,
  label        text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  status       text NOT NULL DEFAULT 'loading' CHECK (status IN ('loading', 'loaded')),
  vqr_version  text NOT NULL,
  host         text,
  UNIQUE (school_code, label)
);
COMMENT ON TABLE vqr.batch IS '批次 / one load: the files it read and the slices it replaced';
COMMENT ON COLUMN vqr.batch.batch_id IS '批次号 / batch number';
COMMENT ON COLUMN vqr.batch.school_code IS '学校代码 / school loaded';
COMMENT ON COLUMN vqr.batch.label IS '批次标签 / staging directory name of the batch';
COMMENT ON COLUMN vqr.batch.started_at IS '开始时间 / when the load transaction began';
COMMENT ON COLUMN vqr.batch.finished_at IS '完成时间 / when it committed';
COMMENT ON COLUMN vqr.batch.status IS '状态 / loaded once committed (a failed load leaves no row at all)';
COMMENT ON COLUMN vqr.batch.vqr_version IS 'vqr 版本 / version of the loader';
COMMENT ON COLUMN vqr.batch.host IS '主机 / machine that ran the load';

CREATE TABLE vqr.source_file (
  file_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  batch_id      bigint NOT NULL REFERENCES vqr.batch,
  school_code   text NOT NULL REFERENCES vqr.school,
  source_code   text NOT NULL REFERENCES vqr.source,
  file_name     text NOT NULL,
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes    bigint NOT NULL,
  encoding      text NOT NULL,
  header_line   integer,
  rows_read     bigint NOT NULL,
  rows_loaded   bigint NOT NULL,
  rows_rejected bigint NOT NULL,
  rows_skipped  bigint NOT NULL,
  periods       text[] NOT NULL,
  extract_ms    bigint,
  transform_ms  bigint,
  loaded_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (school_code, sha256)
);
COMMENT ON TABLE vqr.source_file IS '源文件 / every export file loaded, with its checksum and row counts; a file (same sha256) is never loaded twice';
COMMENT ON COLUMN vqr.source_file.file_id IS '文件号 / file number';
COMMENT ON COLUMN vqr.source_file.batch_id IS '批次号 / batch that loaded it';
COMMENT ON COLUMN vqr.source_file.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.source_file.source_code IS '数据来源 / kind of export';
COMMENT ON COLUMN vqr.source_file.file_name IS '文件名 / name of the file in the inbox';
COMMENT ON COLUMN vqr.source_file.sha256 IS 'SHA-256 / checksum of the file''s bytes as received';
COMMENT ON COLUMN vqr.source_file.size_bytes IS '字节数 / file size';
COMMENT ON COLUMN vqr.source_file.encoding IS '编码 / character encoding found';
COMMENT ON COLUMN vqr.source_file.header_line IS '表头行 / line of the header row';
COMMENT ON COLUMN vqr.source_file.rows_read IS '读取行数 / data rows read (after the header)';
COMMENT ON COLUMN vqr.source_file.rows_loaded IS '有效行数 / rows that passed every check';
COMMENT ON COLUMN vqr.source_file.rows_rejected IS '拒绝行数 / rows rejected (see vqr.reject)';
COMMENT ON COLUMN vqr.source_file.rows_skipped IS '跳过行数 / blank and total (合计) rows skipped';
COMMENT ON COLUMN vqr.source_file.periods IS '统计期 / periods (slices) the file covers';
COMMENT ON COLUMN vqr.source_file.extract_ms IS '抽取耗时 / extract time in milliseconds';
COMMENT ON COLUMN vqr.source_file.transform_ms IS '转换耗时 / transform time in milliseconds';
COMMENT ON COLUMN vqr.source_file.loaded_at IS '入库时间 / when it was loaded';

CREATE TABLE vqr.indicator_value (
  school_code    text NOT NULL REFERENCES vqr.school,
  period         text NOT NULL REFERENCES vqr.period,
  indicator_code text NOT NULL REFERENCES vqr.indicator,
  breakdown      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(breakdown) = 'object'),
  value_type     text NOT NULL DEFAULT 'computed' CHECK (value_type IN ('computed', 'reported')),
  source_code    text NOT NULL REFERENCES vqr.source,
  numerator      numeric,
  denominator    numeric,
  value          numeric,
  batch_id       bigint NOT NULL REFERENCES vqr.batch,
  file_id        bigint REFERENCES vqr.source_file,
  PRIMARY KEY (school_code, period, indicator_code, breakdown, value_type),
  CHECK (denominator IS NULL OR denominator > 0)
);
CREATE INDEX indicator_value_slice ON vqr.indicator_value (school_code, source_code, period);
CREATE INDEX indicator_value_indicator ON vqr.indicator_value (indicator_code, period);
CREATE INDEX indicator_value_batch ON vqr.indicator_value (batch_id);
COMMENT ON TABLE vqr.indicator_value IS '指标值 / indicator values per school, period and breakdown; a slice (school, source, period) is replaced as a whole by each load';
COMMENT ON COLUMN vqr.indicator_value.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.indicator_value.period IS '统计期 / period, e.g. 2022-2023';
COMMENT ON COLUMN vqr.indicator_value.indicator_code IS '指标代码 / indicator';
COMMENT ON COLUMN vqr.indicator_value.breakdown IS '分组 / breakdown, {} for the school total, e.g. {"major": "数控加工"}';
COMMENT ON COLUMN vqr.indicator_value.value_type IS '取值类型 / computed from rows, or reported by the school';
COMMENT ON COLUMN vqr.indicator_value.source_code IS '数据来源 / source that produced it (the slice key)';
COMMENT ON COLUMN vqr.indicator_value.numerator IS '分子 / numerator of a rate, or sum of a mean';
COMMENT ON COLUMN vqr.indicator_value.denominator IS '分母 / denominator of a rate, or count of a mean';
COMMENT ON COLUMN vqr.indicator_value.value IS '值 / value: the count or amount, or numerator / denominator x scale';
COMMENT ON COLUMN vqr.indicator_value.batch_id IS '批次号 / batch that loaded it';
COMMENT ON COLUMN vqr.indicator_value.file_id IS '文件号 / file it was computed from';

CREATE TABLE vqr.reject (
  file_id     bigint NOT NULL REFERENCES vqr.source_file ON DELETE CASCADE,
  line        bigint NOT NULL,
  column_no   integer,
  column_name text,
  field       text,
  value       text,
  rule        text NOT NULL,
  message     text NOT NULL
);
CREATE INDEX reject_file ON vqr.reject (file_id, line);
COMMENT ON TABLE vqr.reject IS '拒绝记录 / every rejected row, with the cell and the reason; the row''s other cells are in the file at that line';
COMMENT ON COLUMN vqr.reject.file_id IS '文件号 / file the row came from';
COMMENT ON COLUMN vqr.reject.line IS '行号 / physical line of the row in the file (1-based)';
COMMENT ON COLUMN vqr.reject.column_no IS '列号 / column (1-based), NULL when the whole row is wrong';
COMMENT ON COLUMN vqr.reject.column_name IS '列名 / header text of the column';
COMMENT ON COLUMN vqr.reject.field IS '字段 / canonical field name';
COMMENT ON COLUMN vqr.reject.value IS '原值 / the cell as found';
COMMENT ON COLUMN vqr.reject.rule IS '规则 / the rule it broke: type, not_null, min, max, enum, period, fields';
COMMENT ON COLUMN vqr.reject.message IS '原因 / the reason, in words';

CREATE VIEW vqr.v_indicator AS
SELECT v.school_code, s.name AS school_name, v.period, v.indicator_code,
       i.name_zh, i.name_en, i.unit, i.kind,
       CASE WHEN v.breakdown = '{}' THEN '' ELSE
         (SELECT string_agg(key || '=' || value, ', ' ORDER BY key) FROM jsonb_each_text(v.breakdown))
       END AS breakdown_text,
       v.breakdown, v.value_type, v.numerator, v.denominator, v.value,
       v.batch_id, f.file_name
FROM vqr.indicator_value v
JOIN vqr.school s USING (school_code)
JOIN vqr.indicator i USING (indicator_code)
LEFT JOIN vqr.source_file f USING (file_id);
COMMENT ON VIEW vqr.v_indicator IS '指标一览 / indicator values with names, units and a readable breakdown; start here';
