#!/bin/sh
# End to end on a real PostgreSQL: median and percentile indicators
# (tests/data/median/indicators.yaml) over the graduate destination
# register of 2022-2023 equal PostgreSQL's percentile_cont over the same
# rows, read straight from the raw CSV: the total and every major.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_median
make_config c "$TEST_DB"
CFG=$WORK/c.yaml
echo "  - $TOP/tests/data/median/indicators.yaml" >> "$CFG"
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"

vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"
cp "$FIX" "$WORK/c/inbox/"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "vqr run on the fixture exits 0"
like "$out" "*1 file loaded (1466 rows, 0 rejected)*" "every row loaded"

# The same figures from the raw CSV (its rows on psql's stdin) with
# percentile_cont, compared to 6 decimals: "<missing>|<unexpected>|<compared>".
printf "\\i '%s'\n" "$TOP/tests/e2e/graduates_raw.sql" > "$WORK/median.sql"
cat >> "$WORK/median.sql" <<'SQL'
CREATE TEMP TABLE g AS
  SELECT major, dest, NULLIF(replace(salary, ',', ''), '')::float8 AS sal FROM raw;
CREATE TEMP TABLE expected AS
  SELECT 'test.starting_salary.median' AS code, '{}'::jsonb AS bd,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY sal) AS value FROM g
  UNION ALL
  SELECT 'test.starting_salary.median', jsonb_build_object('major', major),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY sal) FROM g GROUP BY major
  UNION ALL
  SELECT 'test.starting_salary.p90', '{}', percentile_cont(0.9) WITHIN GROUP (ORDER BY sal) FROM g
  UNION ALL
  SELECT 'test.starting_salary.p90', jsonb_build_object('major', major),
         percentile_cont(0.9) WITHIN GROUP (ORDER BY sal) FROM g GROUP BY major
  UNION ALL
  SELECT 'test.starting_salary.p25.enterprise', '{}',
         percentile_cont(0.25) WITHIN GROUP (ORDER BY sal) FROM g WHERE dest = '企事业单位就业';
DELETE FROM expected WHERE value IS NULL;
CREATE TEMP TABLE got AS
  SELECT indicator_code AS code, breakdown AS bd, value::float8 AS value FROM vqr.indicator_value
  WHERE indicator_code LIKE 'test.starting_salary.%' AND period = '2022-2023';
SELECT (SELECT count(*) FROM expected e WHERE NOT EXISTS (SELECT 1 FROM got v WHERE v.code = e.code
          AND v.bd = e.bd AND round(v.value::numeric, 6) = round(e.value::numeric, 6)))
       || '|' || (SELECT count(*) FROM got v WHERE NOT EXISTS (SELECT 1 FROM expected e
          WHERE v.code = e.code AND v.bd = e.bd))
       || '|' || (SELECT count(*) FROM expected);
SQL
res=$(tail -n +3 "$FIX" | psql -X -q -A -t -d "$TEST_DB" -v ON_ERROR_STOP=1 -f "$WORK/median.sql" 2>&1)
like "$res" "0|0|[1-9]*" "median and percentiles equal percentile_cont over the raw rows, total and by major ($res)"

v() { sql "select value from vqr.indicator_value where indicator_code = '$1' and breakdown = '{}' and period = '2022-2023'"; }
ok "$([ -n "$(v test.starting_salary.median)" ] && echo 0 || echo 1)" "the median is stored: $(v test.starting_salary.median)"
is "$(sql "select numerator is null and denominator is null from vqr.indicator_value where indicator_code = 'test.starting_salary.median' and breakdown = '{}'")" \
	t "a median has no numerator and denominator"
is "$(sql "select kind || ' ' || aggregate from vqr.indicator where indicator_code = 'test.starting_salary.p90'")" \
	"amount none" "a percentile's schools do not combine: aggregate none"

done_testing
