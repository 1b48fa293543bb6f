-- 077_value_by_period.sql - v_value's rows in the order of the indexes
-- the views read (tests/bench/region.sh: 200 colleges x 10 years x the
-- shipped catalog, about 4M values; bench/README.md has the figures).
--
-- v_value (076) keeps the first row of each school, period, indicator
-- and breakdown in the order of its DISTINCT ON, so it reads for free
-- from an index in that order and sorts otherwise, and sorting jsonb
-- breakdowns is slow.  Ordered by school first, one indicator over the
-- colleges by major (v_school_compare, breakdown ? 'major') sorted its
-- 4,600 values, which indicator_value_compare holds by breakdown, then
-- school.  Ordered (period, indicator_code, breakdown, school_code),
-- every shape the views serve finds its order in an index once its
-- filters fix some columns: one indicator and year (by breakdown, then
-- school: indicator_value_compare), one college's year (the primary key
-- and indicator_value_totals), one college's indicator over the years
-- (indicator_value_totals_by_school), one college over everything (the
-- primary key) and one year's school totals of every college and
-- indicator, a college's ranks (indicator_value_totals_by_period, below).
-- Same columns, rows and values.
--
-- indicator_value_totals_by_period: the school totals (breakdown = '{}')
-- by period, indicator and school, with what the comparison reads (about
-- 75 MB at 4.1M values; a load writes one more entry per school total).

CREATE INDEX indicator_value_totals_by_period
  ON vqr.indicator_value (period, indicator_code, school_code, value_type)
  INCLUDE (breakdown, numerator, denominator, value)
  WHERE breakdown = '{}';
COMMENT ON INDEX vqr.indicator_value_totals_by_period IS
  '学校合计索引（按统计期、指标）/ the school totals (breakdown = ''{}'') by period, indicator and school: one year''s totals of every college, indicator by indicator (a college''s ranks in every indicator of a year)';

CREATE OR REPLACE VIEW vqr.v_value WITH (security_invoker = true) AS
SELECT d.school_code, d.period, d.indicator_code, d.breakdown, d.value_type,
       d.numerator, d.denominator, d.value, r.value AS reported_value, d.batch_id, d.file_id
FROM (SELECT DISTINCT ON (v.period, v.indicator_code, v.breakdown, v.school_code)
             v.school_code, v.period, v.indicator_code, v.breakdown, v.value_type,
             v.numerator, v.denominator, v.value, v.batch_id, v.file_id
      FROM vqr.indicator_value v
      ORDER BY v.period, v.indicator_code, v.breakdown, v.school_code, v.value_type) d
LEFT JOIN vqr.indicator_value r
  ON (r.school_code, r.period, r.indicator_code, r.breakdown, r.value_type) =
     (d.school_code, d.period, d.indicator_code, d.breakdown, 'reported');

SELECT vqr.setup_access();
