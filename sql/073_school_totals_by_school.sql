-- 073_school_totals_by_school.sql - the index of the school totals (072)
-- by period and school, then indicator.
--
-- A reader under row-level security (vqr_analyst) gets no statistics for
-- a condition that is not leakproof, such as jsonb's breakdown = '{}'
-- (PostgreSQL then assumes it keeps 0.5% of the rows), so its planner
-- thinks this partial index far smaller than it is.  Ordered (period,
-- indicator_code, school_code), it was chosen for one college's totals of
-- a year, whose school then was no index condition: the scan read every
-- college's totals of the year (17 ms where 0.3 ms do).  Ordered (period,
-- school_code, indicator_code) it serves that query directly and still
-- serves what it is for (every college's totals of one period), while
-- one indicator across the colleges keeps indicator_value_compare.

DROP INDEX vqr.indicator_value_totals;
CREATE INDEX indicator_value_totals ON vqr.indicator_value (period, school_code, indicator_code, value_type)
  INCLUDE (breakdown, numerator, denominator, value, batch_id, file_id)
  WHERE breakdown = '{}';
COMMENT ON INDEX vqr.indicator_value_totals IS
  '学校合计索引 / the school totals (breakdown = ''{}'') by period, school and indicator: one period''s totals of every school (ranks in every indicator at once), or of one school';
