-- 050_compare.sql - honest comparisons.  A regional total over the years
-- changes when schools join or leave the region's data, not only when the
-- schools change: one school one year and two the next doubles the
-- graduates without any school having more.  So beside the raw change
-- the comparison views give the coverage (schools now, schools before,
-- schools in both) and the like-for-like change, over the schools
-- present in both periods only:
--
--   v_region_trend    prev_schools, common_schools, like_value,
--                     like_prev_value, like_change, like_change_pct and
--                     the summed parts of the like-for-like rates
--   v_school_trend    has_prev_value; change only when both values exist
--   v_school_compare  region_total_schools, coverage_pct
--
-- Every column of 002 keeps its name, type, position and meaning; the new
-- ones come last, so CREATE OR REPLACE VIEW keeps the grants, the comments
-- of the old columns and the queries written against them.

-- Whether a school's computed value enters a regional value by the rule:
-- for ratio_of_sums and weighted_mean its numerator and denominator, for
-- sum (and none) its value.
CREATE FUNCTION vqr.contributes(rule text, numerator numeric, denominator numeric, value numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN rule IN ('ratio_of_sums', 'weighted_mean') THEN numerator IS NOT NULL AND denominator IS NOT NULL
              ELSE value IS NOT NULL END
$$;
COMMENT ON FUNCTION vqr.contributes(text, numeric, numeric, numeric) IS
  '计入汇总 / whether a school''s value enters a regional value by the indicator''s rule: ratio_of_sums and weighted_mean need numerator and denominator, sum (and none) the value; a school counts in schools, prev_schools and common_schools of v_region_trend only then';

-- A region over the years, with its coverage and the like-for-like change.
-- The previous period is the one 002 finds (the region's row of the year
-- before, by start_date).  Each school's row carries its own previous
-- row (lag per school); the school is common when that row is of the
-- year before and both enter the regional value (vqr.contributes), and
-- like_value and like_prev_value combine, by the indicator's rule, the
-- common schools' values of the two years.  One pass over the values, so
-- a filter on indicator_code and breakdown reaches the index.
CREATE OR REPLACE VIEW vqr.v_region_trend WITH (security_invoker = true) AS
SELECT t.region, t.indicator_code, t.name_zh, t.name_en, t.unit, t.kind, t.aggregate,
       t.breakdown, vqr.breakdown_text(t.breakdown) AS breakdown_text, t.period, t.period_start,
       t.schools, t.numerator, t.denominator, t.value, t.prev_period, t.prev_value,
       CASE WHEN t.value IS NOT NULL AND t.prev_value IS NOT NULL THEN t.value - t.prev_value END AS change,
       (t.value - t.prev_value) / abs(NULLIF(t.prev_value, 0)) * 100 AS change_pct,
       coalesce(t.prev_schools, 0) AS prev_schools,
       t.common_schools, t.like_value, t.like_prev_value,
       t.like_value - t.like_prev_value AS like_change,
       (t.like_value - t.like_prev_value) / abs(NULLIF(t.like_prev_value, 0)) * 100 AS like_change_pct,
       t.like_numerator, t.like_denominator, t.like_prev_numerator, t.like_prev_denominator
FROM (SELECT a.*, i.name_zh, i.name_en, i.unit, i.kind, i.aggregate, p.start_date AS period_start,
             vqr.aggregate_value(i.aggregate, i.scale, a.numerator, a.denominator, a.sum_value) AS value,
             CASE WHEN lag(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                  THEN lag(a.period) OVER w END AS prev_period,
             CASE WHEN lag(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                  THEN lag(vqr.aggregate_value(i.aggregate, i.scale, a.numerator, a.denominator,
                                               a.sum_value)) OVER w END AS prev_value,
             CASE WHEN lag(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                  THEN lag(a.schools) OVER w END AS prev_schools,
             vqr.aggregate_value(i.aggregate, i.scale, a.like_numerator, a.like_denominator, a.like_sum_value)
               AS like_value,
             vqr.aggregate_value(i.aggregate, i.scale, a.like_prev_numerator, a.like_prev_denominator,
                                 a.like_prev_sum_value) AS like_prev_value
      FROM (SELECT y.region, y.indicator_code, y.breakdown, y.period,
                   count(*) FILTER (WHERE y.enters) AS schools,
                   sum(y.numerator) FILTER (WHERE y.denominator IS NOT NULL) AS numerator,
                   sum(y.denominator) FILTER (WHERE y.numerator IS NOT NULL) AS denominator,
                   sum(y.value) AS sum_value,
                   count(*) FILTER (WHERE y.common) AS common_schools,
                   sum(y.numerator) FILTER (WHERE y.common AND y.denominator IS NOT NULL) AS like_numerator,
                   sum(y.denominator) FILTER (WHERE y.common AND y.numerator IS NOT NULL) AS like_denominator,
                   sum(y.value) FILTER (WHERE y.common) AS like_sum_value,
                   sum(y.prev_numerator) FILTER (WHERE y.common AND y.prev_denominator IS NOT NULL)
                     AS like_prev_numerator,
                   sum(y.prev_denominator) FILTER (WHERE y.common AND y.prev_numerator IS NOT NULL)
                     AS like_prev_denominator,
                   sum(y.prev_value) FILTER (WHERE y.common) AS like_prev_sum_value
            FROM (SELECT x.*, x.enters AND x.prev_enters
                              AND x.prev_start = (x.start_date - interval '1 year')::date AS common
                  FROM (SELECT s.region, v.indicator_code, v.breakdown, v.period, v.numerator, v.denominator,
                               v.value, pp.start_date,
                               vqr.contributes(ii.aggregate, v.numerator, v.denominator, v.value) AS enters,
                               lag(vqr.contributes(ii.aggregate, v.numerator, v.denominator, v.value)) OVER sw
                                 AS prev_enters,
                               lag(pp.start_date) OVER sw AS prev_start,
                               lag(v.numerator) OVER sw AS prev_numerator,
                               lag(v.denominator) OVER sw AS prev_denominator,
                               lag(v.value) OVER sw AS prev_value
                        FROM vqr.indicator_value v
                        JOIN vqr.school s USING (school_code)
                        JOIN vqr.indicator ii USING (indicator_code)
                        JOIN vqr.period pp USING (period)
                        WHERE v.value_type = 'computed'
                        WINDOW sw AS (PARTITION BY v.school_code, v.indicator_code, v.breakdown
                                      ORDER BY pp.start_date)) x) y
            GROUP BY y.region, y.indicator_code, y.breakdown, y.period) a
      JOIN vqr.indicator i USING (indicator_code)
      JOIN vqr.period p USING (period)
      WINDOW w AS (PARTITION BY a.region, a.indicator_code, a.breakdown ORDER BY p.start_date)) t;
COMMENT ON VIEW vqr.v_region_trend IS
  '地区历年汇总 / a region over the years: the computed values of its schools combined by the indicator''s rule (rates: sum of numerators / sum of denominators x scale, never an average of percentages), with the previous year and the change; when the schools differ between the years (schools <> prev_schools or common_schools < schools), compare like_value with like_prev_value (the schools present in both years only): like_change is the honest change, change mixes in the schools that joined or left';
COMMENT ON COLUMN vqr.v_region_trend.change IS
  '变化 / value - previous value (percentage points for rates), over whichever schools each year has: read it only when schools = prev_schools = common_schools, else use like_change; NULL when either value is missing';
COMMENT ON COLUMN vqr.v_region_trend.schools IS
  '学校数 / schools whose computed value enters the regional value this year (rates and means: numerator and denominator; counts and amounts: the value)';
COMMENT ON COLUMN vqr.v_region_trend.prev_schools IS
  '上年学校数 / schools whose computed value entered the regional value in the previous year (0 when the region has none then)';
COMMENT ON COLUMN vqr.v_region_trend.common_schools IS
  '可比学校数 / schools counted in both schools and prev_schools (present in both years): the schools like_value and like_prev_value combine';
COMMENT ON COLUMN vqr.v_region_trend.like_value IS
  '可比口径值 / regional value by the indicator''s rule over the common schools only, this year (rates: their numerators summed / their denominators summed x scale); NULL when no school is in both years';
COMMENT ON COLUMN vqr.v_region_trend.like_prev_value IS
  '可比口径上年值 / regional value by the indicator''s rule over the same common schools, in the previous year';
COMMENT ON COLUMN vqr.v_region_trend.like_change IS
  '可比变化 / like_value - like_prev_value: the change of the schools present in both years, not moved by schools joining or leaving (percentage points for rates)';
COMMENT ON COLUMN vqr.v_region_trend.like_change_pct IS
  '可比变化率 / like_change in percent of like_prev_value (NULL when that is 0 or missing)';

COMMENT ON COLUMN vqr.v_region_trend.like_numerator IS
  '可比分子合计 / sum of the numerators of the common schools, this year (rates and means)';
COMMENT ON COLUMN vqr.v_region_trend.like_denominator IS
  '可比分母合计 / sum of the denominators of the common schools, this year (rates and means)';
COMMENT ON COLUMN vqr.v_region_trend.like_prev_numerator IS
  '可比上年分子合计 / sum of the numerators of the common schools, previous year';
COMMENT ON COLUMN vqr.v_region_trend.like_prev_denominator IS
  '可比上年分母合计 / sum of the denominators of the common schools, previous year';

-- One school over the years: a change only when both years have a value.
CREATE OR REPLACE VIEW vqr.v_school_trend WITH (security_invoker = true) AS
SELECT t.school_code, s.name AS school_name, s.region, t.indicator_code, i.name_zh, i.name_en,
       i.unit, i.kind, t.breakdown, vqr.breakdown_text(t.breakdown) AS breakdown_text,
       t.period, t.period_start, t.value_type, t.numerator, t.denominator, t.value, t.reported_value,
       t.prev_period, t.prev_value,
       CASE WHEN t.value IS NOT NULL AND t.prev_value IS NOT NULL THEN t.value - t.prev_value END AS change,
       (t.value - t.prev_value) / abs(NULLIF(t.prev_value, 0)) * 100 AS change_pct,
       t.batch_id,
       t.prev_value IS NOT NULL AS has_prev_value
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
  '学校历年对比 / one school over the years: each period''s value with the previous year''s value, the change and the change in percent, the change only when both years have a value (has_prev_value); filter on school_code, indicator_code and breakdown (''{}'' = school total)';
COMMENT ON COLUMN vqr.v_school_trend.change IS
  '变化 / value - previous value (percentage points for rates); NULL (never 0) when either year has no value';
COMMENT ON COLUMN vqr.v_school_trend.has_prev_value IS
  '有上年值 / true when the previous year has a value (prev_value is not NULL), false when change is NULL for want of one';

-- Schools side by side, with how much of the region they cover.
CREATE OR REPLACE VIEW vqr.v_school_compare WITH (security_invoker = true) AS
SELECT c.period, c.indicator_code, i.name_zh, i.name_en, i.unit, i.kind, i.aggregate,
       c.breakdown, vqr.breakdown_text(c.breakdown) AS breakdown_text, c.region,
       c.school_code, c.school_name, c.value_type, c.numerator, c.denominator, c.value,
       c.reported_value, c.rank, c.percentile, c.schools,
       c.region_schools, c.region_numerator, c.region_denominator,
       vqr.aggregate_value(i.aggregate, i.scale, c.region_numerator, c.region_denominator,
                           c.region_sum) AS region_value,
       c.value - vqr.aggregate_value(i.aggregate, i.scale, c.region_numerator, c.region_denominator,
                                     c.region_sum) AS vs_region,
       rs.total AS region_total_schools,
       round(100.0 * c.schools / NULLIF(rs.total, 0), 2) AS coverage_pct
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
JOIN vqr.indicator i USING (indicator_code)
LEFT JOIN LATERAL (SELECT count(*) AS total FROM vqr.school r
                   WHERE r.region IS NOT DISTINCT FROM c.region) rs ON true;
COMMENT ON VIEW vqr.v_school_compare IS
  '学校横向对比 / schools side by side in one period: value, rank and percentile among the schools of the region, and the regional value by the indicator''s rule (rates: sum of numerators / sum of denominators, never an average of percentages); read a rank with its coverage: rank of schools ranked, schools of region_total_schools (2 of 2 of 40 is not 2 of 2 of 2); filter on period, indicator_code and breakdown';
COMMENT ON COLUMN vqr.v_school_compare.region_total_schools IS
  '地区学校总数 / schools of the region in vqr.school, with a value or not: the rank is among schools of them';
COMMENT ON COLUMN vqr.v_school_compare.coverage_pct IS
  '覆盖率 / schools with a value in percent of region_total_schools (0-100)';

SELECT vqr.setup_access();
