-- 078_totals_by_period_breakdown.sql - indicator_value_totals_by_period
-- (077) with breakdown among its key columns.
--
-- v_value keeps the first row of each key in the order (period,
-- indicator_code, breakdown, school_code, value_type), and the index of
-- the totals by period served that order when breakdown = '{}' is known
-- to be constant.  For a reader under row-level security (vqr_analyst)
-- it is not: jsonb's = is not leakproof, so the planner keeps the
-- condition as a filter and still wants the rows ordered by breakdown,
-- and it sorted one year's 68,600 totals (on disk) before DISTINCT ON
-- (a college's ranks in every indicator of a year, v_school_compare).
-- With breakdown as a key column, constant in this partial index, the
-- index holds the order for both.  Same size (one '{}' an entry, where
-- 077 held it among the included columns).

DROP INDEX vqr.indicator_value_totals_by_period;
CREATE INDEX indicator_value_totals_by_period
  ON vqr.indicator_value (period, indicator_code, breakdown, school_code, value_type)
  INCLUDE (numerator, denominator, value)
  WHERE breakdown = '{}';
COMMENT ON INDEX vqr.indicator_value_totals_by_period IS
  '学校合计索引（按统计期、指标）/ the school totals (breakdown = ''{}'') by period, indicator and school: one year''s totals of every college, indicator by indicator (a college''s ranks in every indicator of a year), in the order of v_value for every reader';
