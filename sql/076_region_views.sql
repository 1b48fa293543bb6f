-- 076_region_views.sql - v_value, v_school_compare and v_latest at the
-- size of a region (tests/bench/region.sh: 200 colleges x 10 years x the
-- shipped catalog, about 4M values; bench/README.md has the figures).
-- Each view keeps its columns (names, types, order), its rows and its
-- values.
--
-- v_value picks one row per school, period, indicator and breakdown: the
-- computed one, else the reported one.  It found the reported rows that
-- no computed row hides by an anti-join, one index probe per reported
-- row (32,600 for one year's school totals of 200 colleges).  A key's
-- computed and reported rows are neighbours in the indexes (value_type
-- is their last column, and 'computed' sorts before 'reported'), so
-- DISTINCT ON keeps the first row of each key in one pass, with no
-- probe.  Its order is (period, indicator_code, breakdown, school_code):
-- every shape the views serve then finds that order in an index once its
-- filters fix some columns (one indicator and year: by breakdown, then
-- school, indicator_value_compare; one college's year: the primary key
-- and indicator_value_totals; one college's indicator over the years:
-- indicator_value_totals_by_school; one year's school totals of every
-- college and indicator, for a college's ranks: the index below), and
-- sorting jsonb breakdowns, which is slow, is left out.  reported_value
-- is looked up by the primary key as before, and a query that does not
-- read it does not join.
--
-- indicator_value_totals_by_period: the school totals (breakdown = '{}')
-- by period, indicator and school, with what the comparison reads (about
-- 75 MB at 4.1M values; a load writes one entry per school total).
-- breakdown is a key column, constant in this partial index: for a
-- reader under row-level security (vqr_analyst) jsonb's = is not
-- leakproof, so the planner keeps breakdown = '{}' as a filter and still
-- wants the rows ordered by breakdown, which the index then holds.
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
-- v_latest reads vqr.indicator_value itself in one window per series
-- (school, indicator, breakdown), newest period first and, within a
-- period, the computed row before the reported one (through v_value it
-- sorted a college's values twice: for DISTINCT ON, then for the window).
-- The first row is v_value's latest row; the reported value beside it is
-- the next row when that is the same period's; the previous year's value
-- is the first row of the next period (the next row, or the one after
-- the same period's reported row), counted when that period starts one
-- year before.  Where two periods of a series start on the same day, the
-- one first by name is taken as the later.  Filters on school_code,
-- indicator_code and breakdown still reach the indexes (they are the
-- window's partition).

CREATE INDEX indicator_value_totals_by_period
  ON vqr.indicator_value (period, indicator_code, breakdown, school_code, value_type)
  INCLUDE (numerator, denominator, value)
  WHERE breakdown = '{}';
COMMENT ON INDEX vqr.indicator_value_totals_by_period IS
  '学校合计索引（按统计期、指标）/ the school totals (breakdown = ''{}'') by period, indicator and school: one year''s totals of every college, indicator by indicator (a college''s ranks in every indicator of a year), in the order of v_value for every reader';

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

CREATE OR REPLACE VIEW vqr.v_latest WITH (security_invoker = true) AS
SELECT l.school_code, s.name AS school_name, s.region, l.indicator_code, i.name_zh, i.name_en, i.unit,
       i.kind, l.breakdown, vqr.breakdown_text(l.breakdown) AS breakdown_text, l.period, l.value_type,
       l.numerator, l.denominator, l.value, l.reported_value, l.prev_period, l.prev_value,
       l.value - l.prev_value AS change,
       (l.value - l.prev_value) / abs(NULLIF(l.prev_value, 0)) * 100 AS change_pct,
       l.batch_id, b.finished_at AS loaded_at
FROM (SELECT t.*
      FROM (SELECT v.school_code, v.indicator_code, v.breakdown, v.period, v.value_type, v.numerator, v.denominator,
                   v.value, v.batch_id,
                   CASE WHEN v.value_type = 'reported' THEN v.value
                        WHEN lead(v.period) OVER w = v.period THEN lead(v.value) OVER w END AS reported_value,
                   row_number() OVER w AS newest,
                   CASE WHEN lead(p.start_date) OVER w = (p.start_date - interval '1 year')::date THEN lead(v.period) OVER w
                        WHEN lead(v.period) OVER w = v.period AND lead(p.start_date, 2) OVER w = (p.start_date - interval '1 year')::date
                        THEN lead(v.period, 2) OVER w END AS prev_period,
                   CASE WHEN lead(p.start_date) OVER w = (p.start_date - interval '1 year')::date THEN lead(v.value) OVER w
                        WHEN lead(v.period) OVER w = v.period AND lead(p.start_date, 2) OVER w = (p.start_date - interval '1 year')::date
                        THEN lead(v.value, 2) OVER w END AS prev_value
            FROM vqr.indicator_value v
            JOIN vqr.period p USING (period)
            WINDOW w AS (PARTITION BY v.school_code, v.indicator_code, v.breakdown
                         ORDER BY p.start_date DESC, v.period, v.value_type)) t
      WHERE t.newest = 1) l
JOIN vqr.school s USING (school_code)
JOIN vqr.indicator i USING (indicator_code)
JOIN vqr.batch b ON b.batch_id = l.batch_id;

SELECT vqr.setup_access();
