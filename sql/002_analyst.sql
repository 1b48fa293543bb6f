-- 002_analyst.sql - the analyst surface of schema vqr: validation findings,
-- the indexes the comparison views need, and the views themselves (one
-- school over the years, schools side by side, a region over the years,
-- data quality, latest values).  Every view is security_invoker, so it
-- shows a reader only what row-level security lets the reader see
-- (011_access.sql).
--
-- Regional figures always follow the indicator's `aggregate` rule:
--   ratio_of_sums  sum(numerator) / sum(denominator) x scale   (rates)
--   weighted_mean  sum(numerator) / sum(denominator) x scale   (means: sum / count)
--   sum            sum(value)                                  (counts, amounts)
--   none           NULL
-- never an average of the schools' percentages, and only over computed
-- values (reported ones stay visible beside them).
--
-- This migration depends only on 001 (it may be applied after 010 on a
-- database that already had 010), and never changes the columns of
-- vqr.indicator_value, whose shape 010's history table copies.

-- Validation findings (issue 4 fills it: checks `left op right` between
-- indicators, with a severity).
CREATE TABLE vqr.finding (
  finding_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  batch_id     bigint NOT NULL REFERENCES vqr.batch,
  file_id      bigint REFERENCES vqr.source_file,
  school_code  text NOT NULL REFERENCES vqr.school,
  period       text NOT NULL REFERENCES vqr.period,
  source_code  text REFERENCES vqr.source,
  check_code   text NOT NULL,
  severity     text NOT NULL CHECK (severity IN ('error', 'warning')),
  breakdown    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(breakdown) = 'object'),
  left_value   numeric,
  right_value  numeric,
  message      text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX finding_batch ON vqr.finding (batch_id);
CREATE INDEX finding_school ON vqr.finding (school_code, period);
COMMENT ON TABLE vqr.finding IS '校验发现 / findings of the validation checks between indicators (e.g. sum of destinations = graduates), per school, period and batch';
COMMENT ON COLUMN vqr.finding.finding_id IS '发现号 / finding number';
COMMENT ON COLUMN vqr.finding.batch_id IS '批次号 / batch whose load produced it';
COMMENT ON COLUMN vqr.finding.file_id IS '文件号 / file it concerns, NULL when it concerns the whole batch';
COMMENT ON COLUMN vqr.finding.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.finding.period IS '统计期 / period checked';
COMMENT ON COLUMN vqr.finding.source_code IS '数据来源 / source (the slice key), NULL when the check spans sources';
COMMENT ON COLUMN vqr.finding.check_code IS '校验代码 / code of the check in the catalog';
COMMENT ON COLUMN vqr.finding.severity IS '严重程度 / error or warning';
COMMENT ON COLUMN vqr.finding.breakdown IS '分组 / breakdown checked, {} for the school total';
COMMENT ON COLUMN vqr.finding.left_value IS '左值 / value of the left side';
COMMENT ON COLUMN vqr.finding.right_value IS '右值 / value of the right side';
COMMENT ON COLUMN vqr.finding.message IS '说明 / what is inconsistent, in words';
COMMENT ON COLUMN vqr.finding.created_at IS '发现时间 / when it was recorded';

-- Indexes for the views.  (indicator_code, period, breakdown) serves the
-- side-by-side and regional views and replaces 001's (indicator_code,
-- period), its prefix; (school_code, indicator_code, breakdown, period)
-- serves one school over the years and the latest values.
CREATE INDEX indicator_value_compare ON vqr.indicator_value (indicator_code, period, breakdown);
DROP INDEX vqr.indicator_value_indicator;
CREATE INDEX indicator_value_trend ON vqr.indicator_value (school_code, indicator_code, breakdown, period);
CREATE INDEX source_file_batch ON vqr.source_file (batch_id);
CREATE INDEX batch_school ON vqr.batch (school_code, batch_id);

-- Comments that 001 left without Chinese, or left out (v_indicator's columns).
-- (schema_migration's are 000's, which every vqr init runs again.)
COMMENT ON COLUMN vqr.source_file.sha256 IS 'SHA-256 校验和 / checksum of the file''s bytes as received';
COMMENT ON COLUMN vqr.v_indicator.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.v_indicator.school_name IS '学校名称 / school name';
COMMENT ON COLUMN vqr.v_indicator.period IS '统计期 / period, e.g. 2022-2023';
COMMENT ON COLUMN vqr.v_indicator.indicator_code IS '指标代码 / indicator';
COMMENT ON COLUMN vqr.v_indicator.name_zh IS '指标名称 / Chinese name as in the report';
COMMENT ON COLUMN vqr.v_indicator.name_en IS '英文名称 / English name';
COMMENT ON COLUMN vqr.v_indicator.unit IS '单位 / unit';
COMMENT ON COLUMN vqr.v_indicator.kind IS '类型 / count, amount, mean or rate';
COMMENT ON COLUMN vqr.v_indicator.breakdown_text IS '分组文字 / breakdown as text, '''' for the school total';
COMMENT ON COLUMN vqr.v_indicator.breakdown IS '分组 / breakdown, {} for the school total';
COMMENT ON COLUMN vqr.v_indicator.value_type IS '取值类型 / computed from rows, or reported by the school';
COMMENT ON COLUMN vqr.v_indicator.numerator IS '分子 / numerator of a rate, or sum of a mean';
COMMENT ON COLUMN vqr.v_indicator.denominator IS '分母 / denominator of a rate, or count of a mean';
COMMENT ON COLUMN vqr.v_indicator.value IS '值 / the value';
COMMENT ON COLUMN vqr.v_indicator.batch_id IS '批次号 / batch that loaded it';
COMMENT ON COLUMN vqr.v_indicator.file_name IS '文件名 / file it was computed from';

-- Helpers.
CREATE FUNCTION vqr.breakdown_text(b jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(key || '=' || value, ', ' ORDER BY key), '') FROM jsonb_each_text(b)
$$;
COMMENT ON FUNCTION vqr.breakdown_text(jsonb) IS
  '分组文字 / a breakdown as readable text: '''' for the school total, else key=value pairs by key, e.g. major=数控加工';

CREATE FUNCTION vqr.aggregate_value(rule text, scale numeric, sum_numerator numeric,
                                    sum_denominator numeric, sum_value numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE rule
           WHEN 'sum' THEN sum_value
           WHEN 'ratio_of_sums' THEN sum_numerator / NULLIF(sum_denominator, 0) * scale
           WHEN 'weighted_mean' THEN sum_numerator / NULLIF(sum_denominator, 0) * scale
         END
$$;
COMMENT ON FUNCTION vqr.aggregate_value(text, numeric, numeric, numeric, numeric) IS
  '汇总值 / the combined value of several schools by the indicator''s rule: ratio_of_sums and weighted_mean = sum of numerators / sum of denominators x scale, sum = sum of values, none = NULL; never an average of percentages';

-- One value per school, period, indicator and breakdown.
CREATE VIEW vqr.v_value WITH (security_invoker = true) AS
SELECT c.school_code, c.period, c.indicator_code, c.breakdown, c.value_type,
       c.numerator, c.denominator, c.value, r.value AS reported_value, c.batch_id, c.file_id
FROM vqr.indicator_value c
LEFT JOIN vqr.indicator_value r
  ON (r.school_code, r.period, r.indicator_code, r.breakdown, r.value_type) =
     (c.school_code, c.period, c.indicator_code, c.breakdown, 'reported')
WHERE c.value_type = 'computed'
UNION ALL
SELECT r.school_code, r.period, r.indicator_code, r.breakdown, r.value_type,
       r.numerator, r.denominator, r.value, r.value, r.batch_id, r.file_id
FROM vqr.indicator_value r
WHERE r.value_type = 'reported'
  AND NOT EXISTS (SELECT 1 FROM vqr.indicator_value c
                  WHERE (c.school_code, c.period, c.indicator_code, c.breakdown, c.value_type) =
                        (r.school_code, r.period, r.indicator_code, r.breakdown, 'computed'));
COMMENT ON VIEW vqr.v_value IS
  '优选值 / one value per school, period, indicator and breakdown: the computed one when there is one, else the one the school reported; reported_value shows the reported figure beside it';
COMMENT ON COLUMN vqr.v_value.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.v_value.period IS '统计期 / period, e.g. 2022-2023';
COMMENT ON COLUMN vqr.v_value.indicator_code IS '指标代码 / indicator';
COMMENT ON COLUMN vqr.v_value.breakdown IS '分组 / breakdown, {} for the school total';
COMMENT ON COLUMN vqr.v_value.value_type IS '取值类型 / computed (preferred) or reported (when nothing was computed)';
COMMENT ON COLUMN vqr.v_value.numerator IS '分子 / numerator of a rate, or sum of a mean';
COMMENT ON COLUMN vqr.v_value.denominator IS '分母 / denominator of a rate, or count of a mean';
COMMENT ON COLUMN vqr.v_value.value IS '值 / the value';
COMMENT ON COLUMN vqr.v_value.reported_value IS '填报值 / the value the school reported, if any';
COMMENT ON COLUMN vqr.v_value.batch_id IS '批次号 / batch that loaded the value';
COMMENT ON COLUMN vqr.v_value.file_id IS '文件号 / file it came from';

-- One school over the years.
CREATE VIEW vqr.v_school_trend WITH (security_invoker = true) AS
SELECT t.school_code, s.name AS school_name, s.region, t.indicator_code, i.name_zh, i.name_en,
       i.unit, i.kind, t.breakdown, vqr.breakdown_text(t.breakdown) AS breakdown_text,
       t.period, t.period_start, t.value_type, t.numerator, t.denominator, t.value, t.reported_value,
       t.prev_period, t.prev_value, t.value - t.prev_value AS change,
       (t.value - t.prev_value) / abs(NULLIF(t.prev_value, 0)) * 100 AS change_pct,
       t.batch_id
FROM (SELECT v.*, p.start_date AS period_start,
             CASE WHEN lag(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                  THEN lag(v.period) OVER w END AS prev_period,
             CASE WHEN lag(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                  THEN lag(v.value) OVER w END AS prev_value
      FROM vqr.v_value v
      JOIN vqr.period p USING (period)
      WINDOW w AS (PARTITION BY v.school_code, v.indicator_code, v.breakdown ORDER BY p.start_date)) t
JOIN vqr.school s USING (school_code)
JOIN vqr.indicator i USING (indicator_code);
COMMENT ON VIEW vqr.v_school_trend IS
  '学校历年对比 / one school over the years: each period''s value with the previous year''s value, the change and the change in percent; filter on school_code, indicator_code and breakdown (''{}'' = school total)';
COMMENT ON COLUMN vqr.v_school_trend.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.v_school_trend.school_name IS '学校名称 / school name';
COMMENT ON COLUMN vqr.v_school_trend.region IS '所属地区 / region of the school';
COMMENT ON COLUMN vqr.v_school_trend.indicator_code IS '指标代码 / indicator';
COMMENT ON COLUMN vqr.v_school_trend.name_zh IS '指标名称 / Chinese name';
COMMENT ON COLUMN vqr.v_school_trend.name_en IS '英文名称 / English name';
COMMENT ON COLUMN vqr.v_school_trend.unit IS '单位 / unit';
COMMENT ON COLUMN vqr.v_school_trend.kind IS '类型 / count, amount, mean or rate';
COMMENT ON COLUMN vqr.v_school_trend.breakdown IS '分组 / breakdown, {} for the school total';
COMMENT ON COLUMN vqr.v_school_trend.breakdown_text IS '分组文字 / breakdown as text, '''' for the school total';
COMMENT ON COLUMN vqr.v_school_trend.period IS '统计期 / period';
COMMENT ON COLUMN vqr.v_school_trend.period_start IS '开始日期 / first day of the period (the order of the years)';
COMMENT ON COLUMN vqr.v_school_trend.value_type IS '取值类型 / computed (preferred) or reported';
COMMENT ON COLUMN vqr.v_school_trend.numerator IS '分子 / numerator of a rate, or sum of a mean';
COMMENT ON COLUMN vqr.v_school_trend.denominator IS '分母 / denominator of a rate, or count of a mean';
COMMENT ON COLUMN vqr.v_school_trend.value IS '值 / value in this period';
COMMENT ON COLUMN vqr.v_school_trend.reported_value IS '填报值 / the value the school reported, if any';
COMMENT ON COLUMN vqr.v_school_trend.prev_period IS '上年 / the previous year, NULL when it has no value';
COMMENT ON COLUMN vqr.v_school_trend.prev_value IS '上年值 / value in the previous year';
COMMENT ON COLUMN vqr.v_school_trend.change IS '变化 / value - previous value (percentage points for rates)';
COMMENT ON COLUMN vqr.v_school_trend.change_pct IS '变化率 / change in percent of the previous value (NULL when that is 0)';
COMMENT ON COLUMN vqr.v_school_trend.batch_id IS '批次号 / batch that loaded the value';

-- Schools side by side in one period, with the regional value.
CREATE VIEW vqr.v_school_compare WITH (security_invoker = true) AS
SELECT c.period, c.indicator_code, i.name_zh, i.name_en, i.unit, i.kind, i.aggregate,
       c.breakdown, vqr.breakdown_text(c.breakdown) AS breakdown_text, c.region,
       c.school_code, c.school_name, c.value_type, c.numerator, c.denominator, c.value,
       c.reported_value, c.rank, c.percentile, c.schools,
       c.region_schools, c.region_numerator, c.region_denominator,
       vqr.aggregate_value(i.aggregate, i.scale, c.region_numerator, c.region_denominator,
                           c.region_sum) AS region_value,
       c.value - vqr.aggregate_value(i.aggregate, i.scale, c.region_numerator, c.region_denominator,
                                     c.region_sum) AS vs_region
FROM (SELECT v.period, v.indicator_code, v.breakdown, s.region, v.school_code, s.name AS school_name,
             v.value_type, v.numerator, v.denominator, v.value, v.reported_value,
             CASE WHEN v.value IS NOT NULL THEN rank() OVER (w ORDER BY v.value DESC NULLS LAST) END AS rank,
             CASE WHEN v.value IS NOT NULL THEN
               coalesce((rank() OVER (w ORDER BY v.value ASC NULLS LAST) - 1)::numeric * 100
                        / NULLIF(count(v.value) OVER w - 1, 0), 0) END AS percentile,
             count(v.value) OVER w AS schools,
             count(*) FILTER (WHERE v.value_type = 'computed') OVER w AS region_schools,
             sum(v.numerator) FILTER (WHERE v.value_type = 'computed' AND v.denominator IS NOT NULL) OVER w
               AS region_numerator,
             sum(v.denominator) FILTER (WHERE v.value_type = 'computed' AND v.numerator IS NOT NULL) OVER w
               AS region_denominator,
             sum(v.value) FILTER (WHERE v.value_type = 'computed') OVER w AS region_sum
      FROM vqr.v_value v
      JOIN vqr.school s USING (school_code)
      WINDOW w AS (PARTITION BY s.region, v.period, v.indicator_code, v.breakdown)) c
JOIN vqr.indicator i USING (indicator_code);
COMMENT ON VIEW vqr.v_school_compare IS
  '学校横向对比 / schools side by side in one period: value, rank and percentile among the schools of the region, and the regional value by the indicator''s rule (rates: sum of numerators / sum of denominators, never an average of percentages); filter on period, indicator_code and breakdown';
COMMENT ON COLUMN vqr.v_school_compare.period IS '统计期 / period';
COMMENT ON COLUMN vqr.v_school_compare.indicator_code IS '指标代码 / indicator';
COMMENT ON COLUMN vqr.v_school_compare.name_zh IS '指标名称 / Chinese name';
COMMENT ON COLUMN vqr.v_school_compare.name_en IS '英文名称 / English name';
COMMENT ON COLUMN vqr.v_school_compare.unit IS '单位 / unit';
COMMENT ON COLUMN vqr.v_school_compare.kind IS '类型 / count, amount, mean or rate';
COMMENT ON COLUMN vqr.v_school_compare.aggregate IS '汇总规则 / rule that combines schools: ratio_of_sums, weighted_mean, sum, none';
COMMENT ON COLUMN vqr.v_school_compare.breakdown IS '分组 / breakdown, {} for the school total';
COMMENT ON COLUMN vqr.v_school_compare.breakdown_text IS '分组文字 / breakdown as text, '''' for the school total';
COMMENT ON COLUMN vqr.v_school_compare.region IS '所属地区 / region; ranks and regional values are within it';
COMMENT ON COLUMN vqr.v_school_compare.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.v_school_compare.school_name IS '学校名称 / school name';
COMMENT ON COLUMN vqr.v_school_compare.value_type IS '取值类型 / computed (preferred) or reported';
COMMENT ON COLUMN vqr.v_school_compare.numerator IS '分子 / numerator of a rate, or sum of a mean';
COMMENT ON COLUMN vqr.v_school_compare.denominator IS '分母 / denominator of a rate, or count of a mean';
COMMENT ON COLUMN vqr.v_school_compare.value IS '值 / the school''s value';
COMMENT ON COLUMN vqr.v_school_compare.reported_value IS '填报值 / the value the school reported, if any';
COMMENT ON COLUMN vqr.v_school_compare.rank IS '排名 / rank in the region, 1 = highest value (whether high is good or not)';
COMMENT ON COLUMN vqr.v_school_compare.percentile IS '百分位 / percent of the other schools of the region with a lower value (0-100; 0 when alone)';
COMMENT ON COLUMN vqr.v_school_compare.schools IS '学校数 / schools of the region with a value';
COMMENT ON COLUMN vqr.v_school_compare.region_schools IS '汇总学校数 / schools whose computed value enters the regional value';
COMMENT ON COLUMN vqr.v_school_compare.region_numerator IS '地区分子 / sum of the numerators of the computed values';
COMMENT ON COLUMN vqr.v_school_compare.region_denominator IS '地区分母 / sum of the denominators of the computed values';
COMMENT ON COLUMN vqr.v_school_compare.region_value IS '地区值 / regional value by the indicator''s rule (ratio of sums, weighted mean, sum; NULL for none)';
COMMENT ON COLUMN vqr.v_school_compare.vs_region IS '与地区差 / value - regional value';

-- A region over the years.
CREATE VIEW vqr.v_region_trend WITH (security_invoker = true) AS
SELECT t.region, t.indicator_code, t.name_zh, t.name_en, t.unit, t.kind, t.aggregate,
       t.breakdown, vqr.breakdown_text(t.breakdown) AS breakdown_text, t.period, t.period_start,
       t.schools, t.numerator, t.denominator, t.value, t.prev_period, t.prev_value,
       t.value - t.prev_value AS change,
       (t.value - t.prev_value) / abs(NULLIF(t.prev_value, 0)) * 100 AS change_pct
FROM (SELECT a.*, i.name_zh, i.name_en, i.unit, i.kind, i.aggregate, p.start_date AS period_start,
             vqr.aggregate_value(i.aggregate, i.scale, a.numerator, a.denominator, a.sum_value) AS value,
             CASE WHEN lag(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                  THEN lag(a.period) OVER w END AS prev_period,
             CASE WHEN lag(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                  THEN lag(vqr.aggregate_value(i.aggregate, i.scale, a.numerator, a.denominator,
                                               a.sum_value)) OVER w END AS prev_value
      FROM (SELECT s.region, v.indicator_code, v.breakdown, v.period, count(*) AS schools,
                   sum(v.numerator) FILTER (WHERE v.denominator IS NOT NULL) AS numerator,
                   sum(v.denominator) FILTER (WHERE v.numerator IS NOT NULL) AS denominator,
                   sum(v.value) AS sum_value
            FROM vqr.indicator_value v
            JOIN vqr.school s USING (school_code)
            WHERE v.value_type = 'computed'
            GROUP BY s.region, v.indicator_code, v.breakdown, v.period) a
      JOIN vqr.indicator i USING (indicator_code)
      JOIN vqr.period p USING (period)
      WINDOW w AS (PARTITION BY a.region, a.indicator_code, a.breakdown ORDER BY p.start_date)) t;
COMMENT ON VIEW vqr.v_region_trend IS
  '地区历年汇总 / a region over the years: the computed values of its schools combined by the indicator''s rule (rates: sum of numerators / sum of denominators x scale, never an average of percentages), with the previous year and the change';
COMMENT ON COLUMN vqr.v_region_trend.region IS '地区 / region (vqr.school.region)';
COMMENT ON COLUMN vqr.v_region_trend.indicator_code IS '指标代码 / indicator';
COMMENT ON COLUMN vqr.v_region_trend.name_zh IS '指标名称 / Chinese name';
COMMENT ON COLUMN vqr.v_region_trend.name_en IS '英文名称 / English name';
COMMENT ON COLUMN vqr.v_region_trend.unit IS '单位 / unit';
COMMENT ON COLUMN vqr.v_region_trend.kind IS '类型 / count, amount, mean or rate';
COMMENT ON COLUMN vqr.v_region_trend.aggregate IS '汇总规则 / rule that combines schools';
COMMENT ON COLUMN vqr.v_region_trend.breakdown IS '分组 / breakdown, {} for the school totals';
COMMENT ON COLUMN vqr.v_region_trend.breakdown_text IS '分组文字 / breakdown as text';
COMMENT ON COLUMN vqr.v_region_trend.period IS '统计期 / period';
COMMENT ON COLUMN vqr.v_region_trend.period_start IS '开始日期 / first day of the period';
COMMENT ON COLUMN vqr.v_region_trend.schools IS '学校数 / schools with a computed value';
COMMENT ON COLUMN vqr.v_region_trend.numerator IS '分子合计 / sum of the numerators';
COMMENT ON COLUMN vqr.v_region_trend.denominator IS '分母合计 / sum of the denominators';
COMMENT ON COLUMN vqr.v_region_trend.value IS '地区值 / regional value by the indicator''s rule';
COMMENT ON COLUMN vqr.v_region_trend.prev_period IS '上年 / the previous year, NULL when it has no value';
COMMENT ON COLUMN vqr.v_region_trend.prev_value IS '上年值 / regional value in the previous year';
COMMENT ON COLUMN vqr.v_region_trend.change IS '变化 / value - previous value (percentage points for rates)';
COMMENT ON COLUMN vqr.v_region_trend.change_pct IS '变化率 / change in percent of the previous value';

-- Data quality per batch and source file.
CREATE VIEW vqr.v_data_quality WITH (security_invoker = true) AS
SELECT b.batch_id, b.school_code, s.name AS school_name, b.label, b.status, b.started_at,
       b.finished_at, b.finished_at - b.started_at AS load_time, b.vqr_version, b.host,
       f.file_id, f.source_code, f.file_name, f.sha256, f.encoding, f.periods,
       f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_skipped,
       round(100.0 * f.rows_rejected / NULLIF(f.rows_read, 0), 2) AS rejected_pct,
       coalesce((SELECT jsonb_object_agg(x.rule, x.n ORDER BY x.rule)
                 FROM (SELECT r.rule, count(*) AS n FROM vqr.reject r
                       WHERE r.file_id = f.file_id GROUP BY r.rule) x), '{}') AS rejects_by_rule,
       (SELECT count(*) FROM vqr.indicator_value v WHERE v.batch_id = b.batch_id) AS values_current,
       fd.findings_error, fd.findings_warning,
       f.extract_ms, f.transform_ms
FROM vqr.batch b
JOIN vqr.school s USING (school_code)
LEFT JOIN vqr.source_file f ON f.batch_id = b.batch_id
LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE g.severity = 'error') AS findings_error,
                          count(*) FILTER (WHERE g.severity = 'warning') AS findings_warning
                   FROM vqr.finding g
                   WHERE g.batch_id = b.batch_id
                     AND (g.file_id IS NULL OR g.file_id = f.file_id)) fd ON true;
COMMENT ON VIEW vqr.v_data_quality IS
  '数据质量 / data quality per batch and source file: rows read, loaded, rejected and skipped, rejects by rule, findings by severity, timings; the last batch is ORDER BY batch_id DESC LIMIT 1';
COMMENT ON COLUMN vqr.v_data_quality.batch_id IS '批次号 / batch';
COMMENT ON COLUMN vqr.v_data_quality.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.v_data_quality.school_name IS '学校名称 / school name';
COMMENT ON COLUMN vqr.v_data_quality.label IS '批次标签 / batch label (staging directory)';
COMMENT ON COLUMN vqr.v_data_quality.status IS '状态 / loading or loaded';
COMMENT ON COLUMN vqr.v_data_quality.started_at IS '开始时间 / when the load began';
COMMENT ON COLUMN vqr.v_data_quality.finished_at IS '完成时间 / when it committed';
COMMENT ON COLUMN vqr.v_data_quality.load_time IS '入库耗时 / duration of the load transaction';
COMMENT ON COLUMN vqr.v_data_quality.vqr_version IS 'vqr 版本 / version of the loader';
COMMENT ON COLUMN vqr.v_data_quality.host IS '主机 / machine that ran the load';
COMMENT ON COLUMN vqr.v_data_quality.file_id IS '文件号 / source file (NULL for a batch without files)';
COMMENT ON COLUMN vqr.v_data_quality.source_code IS '数据来源 / kind of export';
COMMENT ON COLUMN vqr.v_data_quality.file_name IS '文件名 / file name';
COMMENT ON COLUMN vqr.v_data_quality.sha256 IS 'SHA-256 校验和 / checksum of the file';
COMMENT ON COLUMN vqr.v_data_quality.encoding IS '编码 / character encoding found';
COMMENT ON COLUMN vqr.v_data_quality.periods IS '统计期 / periods the file covers';
COMMENT ON COLUMN vqr.v_data_quality.rows_read IS '读取行数 / data rows read';
COMMENT ON COLUMN vqr.v_data_quality.rows_loaded IS '有效行数 / rows that passed every check';
COMMENT ON COLUMN vqr.v_data_quality.rows_rejected IS '拒绝行数 / rows rejected';
COMMENT ON COLUMN vqr.v_data_quality.rows_skipped IS '跳过行数 / blank and total rows skipped';
COMMENT ON COLUMN vqr.v_data_quality.rejected_pct IS '拒绝率 / rows rejected in percent of rows read';
COMMENT ON COLUMN vqr.v_data_quality.rejects_by_rule IS '按规则拒绝数 / rejected cells per rule, e.g. {"type": 3, "not_null": 1}';
COMMENT ON COLUMN vqr.v_data_quality.values_current IS '现行指标值 / values of this batch still current (0 once a later load replaced them)';
COMMENT ON COLUMN vqr.v_data_quality.findings_error IS '错误数 / findings of severity error';
COMMENT ON COLUMN vqr.v_data_quality.findings_warning IS '警告数 / findings of severity warning';
COMMENT ON COLUMN vqr.v_data_quality.extract_ms IS '抽取耗时 / extract time in milliseconds';
COMMENT ON COLUMN vqr.v_data_quality.transform_ms IS '转换耗时 / transform time in milliseconds';

-- Rejects per file and rule, for drilling into v_data_quality.
CREATE VIEW vqr.v_reject_summary WITH (security_invoker = true) AS
SELECT f.batch_id, f.school_code, r.file_id, f.file_name, r.rule, r.field, r.column_name,
       count(*) AS rejects, min(r.line) AS first_line,
       (array_agg(r.value ORDER BY r.line))[1] AS first_value,
       (array_agg(r.message ORDER BY r.line))[1] AS first_message
FROM vqr.reject r
JOIN vqr.source_file f USING (file_id)
GROUP BY f.batch_id, f.school_code, r.file_id, f.file_name, r.rule, r.field, r.column_name;
COMMENT ON VIEW vqr.v_reject_summary IS
  '拒绝汇总 / rejected cells per file, rule and field, with the first line, value and reason';
COMMENT ON COLUMN vqr.v_reject_summary.batch_id IS '批次号 / batch';
COMMENT ON COLUMN vqr.v_reject_summary.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.v_reject_summary.file_id IS '文件号 / file';
COMMENT ON COLUMN vqr.v_reject_summary.file_name IS '文件名 / file name';
COMMENT ON COLUMN vqr.v_reject_summary.rule IS '规则 / rule broken';
COMMENT ON COLUMN vqr.v_reject_summary.field IS '字段 / canonical field';
COMMENT ON COLUMN vqr.v_reject_summary.column_name IS '列名 / header text of the column';
COMMENT ON COLUMN vqr.v_reject_summary.rejects IS '拒绝数 / rejected cells';
COMMENT ON COLUMN vqr.v_reject_summary.first_line IS '首行 / first line with this rejection';
COMMENT ON COLUMN vqr.v_reject_summary.first_value IS '首值 / the cell at that line';
COMMENT ON COLUMN vqr.v_reject_summary.first_message IS '首条原因 / the reason at that line';

-- The latest value per school, indicator and breakdown.  The latest row
-- is picked from the bare values first; names, text and the batch's time
-- are joined to the picked rows only.
CREATE VIEW vqr.v_latest WITH (security_invoker = true) AS
SELECT l.school_code, s.name AS school_name, s.region, l.indicator_code, i.name_zh, i.name_en, i.unit,
       i.kind, l.breakdown, vqr.breakdown_text(l.breakdown) AS breakdown_text, l.period, l.value_type,
       l.numerator, l.denominator, l.value, l.reported_value, l.prev_period, l.prev_value,
       l.value - l.prev_value AS change,
       (l.value - l.prev_value) / abs(NULLIF(l.prev_value, 0)) * 100 AS change_pct,
       l.batch_id, b.finished_at AS loaded_at
FROM (SELECT DISTINCT ON (t.school_code, t.indicator_code, t.breakdown) t.*
      FROM (SELECT v.*, p.start_date AS period_start,
                   CASE WHEN lag(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                        THEN lag(v.period) OVER w END AS prev_period,
                   CASE WHEN lag(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                        THEN lag(v.value) OVER w END AS prev_value
            FROM vqr.v_value v
            JOIN vqr.period p USING (period)
            WINDOW w AS (PARTITION BY v.school_code, v.indicator_code, v.breakdown ORDER BY p.start_date)) t
      ORDER BY t.school_code, t.indicator_code, t.breakdown, t.period_start DESC) l
JOIN vqr.school s USING (school_code)
JOIN vqr.indicator i USING (indicator_code)
JOIN vqr.batch b ON b.batch_id = l.batch_id;
COMMENT ON VIEW vqr.v_latest IS
  '最新值 / the latest value per school, indicator and breakdown (the most recent period that has one), with the change from the year before; for dashboards';
COMMENT ON COLUMN vqr.v_latest.school_code IS '学校代码 / school';
COMMENT ON COLUMN vqr.v_latest.school_name IS '学校名称 / school name';
COMMENT ON COLUMN vqr.v_latest.region IS '所属地区 / region';
COMMENT ON COLUMN vqr.v_latest.indicator_code IS '指标代码 / indicator';
COMMENT ON COLUMN vqr.v_latest.name_zh IS '指标名称 / Chinese name';
COMMENT ON COLUMN vqr.v_latest.name_en IS '英文名称 / English name';
COMMENT ON COLUMN vqr.v_latest.unit IS '单位 / unit';
COMMENT ON COLUMN vqr.v_latest.kind IS '类型 / count, amount, mean or rate';
COMMENT ON COLUMN vqr.v_latest.breakdown IS '分组 / breakdown, {} for the school total';
COMMENT ON COLUMN vqr.v_latest.breakdown_text IS '分组文字 / breakdown as text';
COMMENT ON COLUMN vqr.v_latest.period IS '统计期 / the latest period with a value';
COMMENT ON COLUMN vqr.v_latest.value_type IS '取值类型 / computed (preferred) or reported';
COMMENT ON COLUMN vqr.v_latest.numerator IS '分子 / numerator of a rate, or sum of a mean';
COMMENT ON COLUMN vqr.v_latest.denominator IS '分母 / denominator of a rate, or count of a mean';
COMMENT ON COLUMN vqr.v_latest.value IS '值 / latest value';
COMMENT ON COLUMN vqr.v_latest.reported_value IS '填报值 / the value the school reported, if any';
COMMENT ON COLUMN vqr.v_latest.prev_period IS '上年 / the year before, NULL when it has no value';
COMMENT ON COLUMN vqr.v_latest.prev_value IS '上年值 / value in the year before';
COMMENT ON COLUMN vqr.v_latest.change IS '变化 / value - previous value (percentage points for rates)';
COMMENT ON COLUMN vqr.v_latest.change_pct IS '变化率 / change in percent of the previous value';
COMMENT ON COLUMN vqr.v_latest.batch_id IS '批次号 / batch that loaded the value';
COMMENT ON COLUMN vqr.v_latest.loaded_at IS '入库时间 / when that batch committed';
