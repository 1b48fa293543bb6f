-- 079_latest_one_pass.sql - v_latest in one sort of the values
-- (tests/bench/region.sh: 200 colleges x 10 years x the shipped catalog,
-- about 4M values; bench/README.md has the figures).
--
-- v_latest read v_value, which keeps one row per key by DISTINCT ON
-- (076, 077); for one college over every breakdown the planner sorts the
-- college's 20,600 values for DISTINCT ON and then again, by indicator,
-- breakdown and start date, for the window: two sorts of jsonb
-- breakdowns, which is most of the query's time.  v_latest now reads
-- vqr.indicator_value itself in one window per series (school,
-- indicator, breakdown), newest period first and, within a period, the
-- computed row before the reported one: the first row is v_value's latest
-- row; the reported value beside it is the next row when that is the same
-- period's; the previous year's value is the first row of the next
-- period (the next row, or the one after the same period's reported row),
-- counted when that period starts one year before.  Same columns, rows
-- and values; where two periods of a series start on the same day, the
-- one first by name is taken as the later (the old window took either).
-- Filters on school_code, indicator_code and breakdown still reach the
-- indexes (they are the window's partition).

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
