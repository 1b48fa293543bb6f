-- 060_latest_one_sort.sql - v_latest at the size of a region
-- (tests/bench/region.sh: 200 colleges x 10 years x the shipped catalog,
-- about 4M values; bench/README.md has the figures).
--
-- v_latest picked each key's latest row with DISTINCT ON over the rows
-- the window had numbered in the other direction: two sorts of every
-- value of the school (all years, all breakdowns).  It now numbers and
-- looks back in one window, newest first (row_number() = 1 is the latest
-- row, lead() the year before it), so the rows are sorted once.  Same
-- columns, same rows, same values; a filter on school_code,
-- indicator_code or breakdown still reaches the indexes.
CREATE OR REPLACE VIEW vqr.v_latest WITH (security_invoker = true) AS
SELECT l.school_code, s.name AS school_name, s.region, l.indicator_code, i.name_zh, i.name_en, i.unit,
       i.kind, l.breakdown, vqr.breakdown_text(l.breakdown) AS breakdown_text, l.period, l.value_type,
       l.numerator, l.denominator, l.value, l.reported_value, l.prev_period, l.prev_value,
       l.value - l.prev_value AS change,
       (l.value - l.prev_value) / abs(NULLIF(l.prev_value, 0)) * 100 AS change_pct,
       l.batch_id, b.finished_at AS loaded_at
FROM (SELECT t.*
      FROM (SELECT v.*, p.start_date AS period_start,
                   row_number() OVER w AS newest,
                   CASE WHEN lead(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                        THEN lead(v.period) OVER w END AS prev_period,
                   CASE WHEN lead(p.start_date) OVER w = (p.start_date - interval '1 year')::date
                        THEN lead(v.value) OVER w END AS prev_value
            FROM vqr.v_value v
            JOIN vqr.period p USING (period)
            WINDOW w AS (PARTITION BY v.school_code, v.indicator_code, v.breakdown ORDER BY p.start_date DESC)) t
      WHERE t.newest = 1) l
JOIN vqr.school s USING (school_code)
JOIN vqr.indicator i USING (indicator_code)
JOIN vqr.batch b ON b.batch_id = l.batch_id;
