-- graduates_expected.sql - the employment indicators computed a second way,
-- straight from the raw CSV with SQL, to check what vqr loaded.
--
-- tail -n +3 FILE | psql -v school=CODE -v period=P -f graduates_expected.sql
-- (the CSV's data rows on standard input, without its title and header rows)
-- prints one line: "<missing>|<unexpected>|<compared>", where missing are
-- expected values vqr lacks (or has different) and unexpected are vqr
-- values not expected.  A pass is "0|0|N" with N > 0.
\set ON_ERROR_STOP 1
\ir graduates_raw.sql

CREATE TEMP TABLE expected AS
WITH g AS (
  SELECT major, dest, dest <> '待就业' AS placed, in_field = '是' AS inf, retained = '是' AS ret,
         referred = '是' AS refd, NULLIF(replace(salary, ',', ''), '')::numeric AS sal
  FROM raw),
lv AS (
  SELECT '{}'::jsonb AS bd, * FROM g
  UNION ALL SELECT jsonb_build_object('major', major), * FROM g),
d(code, zh) AS (VALUES ('enterprise', '企事业单位就业'), ('further_study', '高等教育深造'),
  ('self_directed', '自主择业'), ('self_employed', '自主创业'), ('military', '参军入伍'),
  ('unplaced', '待就业')),
v AS (
  SELECT 'employment.graduates.total' AS code, bd, count(*)::numeric AS value FROM lv GROUP BY bd
  UNION ALL
  SELECT 'employment.dest.' || d.code, bd, count(*) FILTER (WHERE dest = d.zh) FROM lv, d GROUP BY bd, d.code
  UNION ALL
  SELECT 'employment.dest.' || d.code || '.rate', bd, 100.0 * count(*) FILTER (WHERE dest = d.zh) / count(*)
  FROM lv, d GROUP BY bd, d.code
  UNION ALL
  SELECT 'employment.placed.total', bd, count(*) FILTER (WHERE placed) FROM lv GROUP BY bd
  UNION ALL
  SELECT 'employment.placed.rate', bd, 100.0 * count(*) FILTER (WHERE placed) / count(*) FROM lv GROUP BY bd
  UNION ALL
  SELECT 'employment.major_match.rate', bd,
         100.0 * count(*) FILTER (WHERE placed AND inf) / NULLIF(count(*) FILTER (WHERE placed), 0)
  FROM lv GROUP BY bd
  UNION ALL
  SELECT 'employment.six_month_retention.rate', bd,
         100.0 * count(*) FILTER (WHERE placed AND ret) / NULLIF(count(*) FILTER (WHERE placed), 0)
  FROM lv GROUP BY bd
  UNION ALL
  SELECT 'employment.starting_salary.mean', bd, avg(sal) FROM lv GROUP BY bd
  UNION ALL
  SELECT 'employment.school_referred', bd, count(*) FILTER (WHERE refd) FROM lv GROUP BY bd)
SELECT code, bd, round(value, 6) AS value FROM v WHERE value IS NOT NULL;

CREATE TEMP TABLE got AS
SELECT indicator_code AS code, breakdown AS bd, round(value, 6) AS value
FROM vqr.indicator_value
WHERE school_code = :'school' AND period = :'period' AND source_code = 'graduate_destination'
  AND value_type = 'computed';

SELECT (SELECT count(*) FROM (TABLE expected EXCEPT TABLE got) x) || '|' ||
       (SELECT count(*) FROM (TABLE got EXCEPT TABLE expected) y) || '|' ||
       (SELECT count(*) FROM expected);
