-- 076_ranks_without_sorts.sql - v_value and v_school_compare at the size
-- of a region (tests/bench/region.sh: 200 colleges x 10 years x the
-- shipped catalog, about 4M values; bench/README.md has the figures).
--
-- v_value picks one row per school, period, indicator and breakdown: the
-- computed one, else the reported one.  It found the reported rows that
-- no computed row hides by an anti-join, one index probe per reported
-- row (32,600 for one year's school totals of 200 colleges).  A key's
-- computed and reported rows are neighbours in the primary key and in
-- the indexes of the school totals (value_type is their last column, and
-- 'computed' sorts before 'reported'), so DISTINCT ON in that order keeps
-- the first row of each key in one pass over the index, with no probe.
-- reported_value is looked up by the primary key as before, and a query
-- that does not read it does not join.  Filters on school_code, period,
-- indicator_code and breakdown still reach the indexes: they are the
-- DISTINCT ON columns.
--
-- v_school_compare ranked with two windows over the same partition (the
-- ranks, ordered by value, and the regional totals, unordered), and the
-- percentile with a third, ordered the other way: up to two sorts and
-- three passes over every value of the partitions, which for one
-- college's ranks in every indicator of a year are all 36,000 totals of
-- the year.  Now one window ordered by value carries everything: its frame
-- is the whole partition, so the counts and sums are the partition's
-- (rank() does not depend on the frame), and the percentile counts the
-- values below the row as the partition's values less those up to the
-- row's (a second frame over the same order, so no second sort).
--
-- Both views keep their columns (names, types, order), their rows and
-- their values.

CREATE OR REPLACE VIEW vqr.v_value WITH (security_invoker = true) AS
SELECT d.school_code, d.period, d.indicator_code, d.breakdown, d.value_type,
       d.numerator, d.denominator, d.value, r.value AS reported_value, d.batch_id, d.file_id
FROM (SELECT DISTINCT ON (v.school_code, v.period, v.indicator_code, v.breakdown)
             v.school_code, v.period, v.indicator_code, v.breakdown, v.value_type,
             v.numerator, v.denominator, v.value, v.batch_id, v.file_id
      FROM vqr.indicator_value v
      ORDER BY v.school_code, v.period, v.indicator_code, v.breakdown, v.value_type) d
LEFT JOIN vqr.indicator_value r
  ON (r.school_code, r.period, r.indicator_code, r.breakdown, r.value_type) =
     (d.school_code, d.period, d.indicator_code, d.breakdown, 'reported');

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
             CASE WHEN v.value IS NOT NULL THEN rank() OVER w END AS rank,
             CASE WHEN v.value IS NOT NULL THEN
               coalesce((count(v.value) OVER w - count(v.value) OVER up_to)::numeric * 100
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
      WINDOW w AS (PARTITION BY s.region, v.period, v.indicator_code, v.breakdown ORDER BY v.value DESC NULLS LAST
                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
             up_to AS (PARTITION BY s.region, v.period, v.indicator_code, v.breakdown ORDER BY v.value DESC NULLS LAST
                       RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) c
JOIN vqr.indicator i USING (indicator_code)
LEFT JOIN LATERAL (SELECT count(*) AS total FROM vqr.school r
                   WHERE r.region IS NOT DISTINCT FROM c.region) rs ON true;

SELECT vqr.setup_access();
