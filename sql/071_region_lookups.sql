-- 071_region_lookups.sql - v_school_trend and the comparison index at
-- the size of a region (tests/bench/region.sh: 200 colleges x 10 years x
-- the shipped catalog, about 4M values; bench/README.md has the figures).
--
-- v_school_trend numbered each school's series over all its years with a
-- window (lag), so a filter on period could not go below the window: one
-- year of one indicator across the colleges read the indicator's ten
-- years.  Now each row looks up its previous value through the index on
-- (school_code, indicator_code, breakdown, period): the same school,
-- indicator and breakdown in the latest period that starts before the
-- row's (the computed value preferred, as in v_value); it counts when
-- that period starts one year before the row's, as with lag().  Same
-- columns (names, types, order), same rows, same values.  One difference
-- where the old result was arbitrary: when two periods of one series
-- start on the same day, lag() looked back to whichever of the two the
-- sort put first; the lookup looks back past both to the period before.
--
-- indicator_value_compare, the index of the side-by-side and regional
-- views (one indicator and period across the schools), now holds what
-- those views read: (indicator_code, period, breakdown, school_code,
-- value_type) with numerator, denominator and value, so they read the
-- index alone (index-only scans, on pages VACUUM has marked all-visible)
-- instead of one table page per school.  Its old columns are its first
-- three, so every query it served it still serves.  Rebuilding it reads
-- the whole table once (about a minute for 4M values).

DROP INDEX vqr.indicator_value_compare;
CREATE INDEX indicator_value_compare ON vqr.indicator_value
  (indicator_code, period, breakdown, school_code, value_type) INCLUDE (numerator, denominator, value);

-- One school over the years: the previous value looked up per row.
CREATE OR REPLACE VIEW vqr.v_school_trend WITH (security_invoker = true) AS
SELECT v.school_code, s.name AS school_name, s.region, v.indicator_code, i.name_zh, i.name_en,
       i.unit, i.kind, v.breakdown, vqr.breakdown_text(v.breakdown) AS breakdown_text,
       v.period, p.start_date AS period_start, v.value_type, v.numerator, v.denominator, v.value,
       v.reported_value, b.prev_period, b.prev_value,
       CASE WHEN v.value IS NOT NULL AND b.prev_value IS NOT NULL THEN v.value - b.prev_value END AS change,
       (v.value - b.prev_value) / abs(NULLIF(b.prev_value, 0)) * 100 AS change_pct,
       v.batch_id,
       b.prev_value IS NOT NULL AS has_prev_value
FROM vqr.v_value v
JOIN vqr.period p USING (period)
JOIN vqr.school s USING (school_code)
JOIN vqr.indicator i USING (indicator_code)
LEFT JOIN LATERAL (
  SELECT CASE WHEN e.start_date = (p.start_date - interval '1 year')::date THEN e.period END AS prev_period,
         CASE WHEN e.start_date = (p.start_date - interval '1 year')::date THEN e.value END AS prev_value
  FROM (SELECT w.period, q.start_date, w.value
        FROM vqr.indicator_value w
        JOIN vqr.period q USING (period)
        WHERE w.school_code = v.school_code AND w.indicator_code = v.indicator_code
          AND w.breakdown = v.breakdown AND q.start_date < p.start_date
        ORDER BY q.start_date DESC, w.value_type
        LIMIT 1) e) b ON true;
