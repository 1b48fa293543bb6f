-- 075_totals_by_indicator_and_school.sql - the school totals indexed by
-- indicator and by school too.
--
-- An analyst (vqr_analyst) reads under row-level security, where
-- PostgreSQL gives no column statistics to an operator that is not
-- leakproof, such as jsonb's = in breakdown = '{}': it assumes the
-- condition keeps 0.5% of the rows, not the fifth it keeps, and takes the
-- partial index of the totals (072, 073) for a small one.  Ordered by
-- period, that index was scanned whole for one indicator over the
-- colleges and years (v_latest of an indicator: 91 ms where the owner
-- took 17; v_school_compare of a college's indicator over ten years: 104
-- ms against 17) and for one college over its years (v_latest of a
-- college: 142 ms against 13), in the benchmark of 200 colleges
-- (tests/bench/region.sh).  The same totals ordered by indicator and by
-- school give those queries an index condition on the leading column,
-- whichever index the planner believes: 6, 8 and about 20 ms.  Each is
-- about 80 MB at 4.1M values, and a load writes one more entry in each
-- per school total.

CREATE INDEX indicator_value_totals_by_indicator
  ON vqr.indicator_value (indicator_code, period, school_code, value_type)
  INCLUDE (breakdown, numerator, denominator, value, batch_id, file_id)
  WHERE breakdown = '{}';
COMMENT ON INDEX vqr.indicator_value_totals_by_indicator IS
  '学校合计索引（按指标）/ the school totals (breakdown = ''{}'') by indicator, period and school: one indicator over the colleges and years';

CREATE INDEX indicator_value_totals_by_school
  ON vqr.indicator_value (school_code, indicator_code, period, value_type)
  INCLUDE (breakdown, numerator, denominator, value, batch_id, file_id)
  WHERE breakdown = '{}';
COMMENT ON INDEX vqr.indicator_value_totals_by_school IS
  '学校合计索引（按学校）/ the school totals (breakdown = ''{}'') by school, indicator and period: one college over its indicators and years';
