-- 072_school_totals_index.sql - an index of the school totals by period.
--
-- A college's ranks in every indicator of a year (v_school_compare
-- filtered on school_code and period, breakdown '{}') rank every
-- college's total of every indicator of that year: the view's window
-- needs all of them, and no index of vqr.indicator_value starts with the
-- period, so the plan read the whole table (4M values in the benchmark of
-- a region, tests/bench/region.sh).  This partial index holds the school
-- totals only (breakdown = '{}', about a fifth of the values) by period
-- and indicator, with what v_value reads, so such a query reads one
-- period's totals from the index.  It is small (about 90 MB at 4M
-- values) and costs a load one more index entry per school total.

CREATE INDEX indicator_value_totals ON vqr.indicator_value (period, indicator_code, school_code, value_type)
  INCLUDE (breakdown, numerator, denominator, value, batch_id, file_id)
  WHERE breakdown = '{}';
COMMENT ON INDEX vqr.indicator_value_totals IS
  '学校合计索引 / the school totals (breakdown = ''{}'') by period and indicator, for reading one period''s totals of every school (ranks in every indicator at once)';
