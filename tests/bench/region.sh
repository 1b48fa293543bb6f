#!/bin/sh
# region.sh - benchmark of the analyst views on a synthetic region: 50
# colleges x 10 academic years x every indicator of the catalog
# (config/indicators/*.yaml), each for the school total and ~30 majors,
# with batches, source files, rejects, findings and some reported values.
# Each view's typical query (one indicator, one year) runs under
# EXPLAIN (ANALYZE, BUFFERS), first as the owner and then as a login of
# vqr_analyst (to whom row-level security applies), in one session each
# (a warm-up, then three runs); the best of the three execution times is
# printed, with the indexes the plan uses.  Target:
# every query under 50 ms, no sequential scan of vqr.indicator_value.
#
#   sh tests/bench/region.sh [--plans FILE] [--keep]     (after `make`)
#
# --plans FILE writes every plan to FILE; --keep leaves the server and the
# synthetic region running afterwards and prints how to reach and stop it.
#
# Not part of `make check`.  It starts its own throwaway PostgreSQL
# (tests/lib/pg.sh) and stops it at the end.  Exit status 1 when a query
# misses the target.  Environment: VQR_BUILD (default build),
# BENCH_SCHOOLS (50), BENCH_YEARS (10), BENCH_MAJORS (30).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
. tests/lib/pg.sh
BIN=$TOP/${VQR_BUILD:-build}/bin
SCHOOLS=${BENCH_SCHOOLS:-50}
YEARS=${BENCH_YEARS:-10}
MAJORS=${BENCH_MAJORS:-30}
TARGET_MS=50
PLANS=
KEEP=0
while [ $# -gt 0 ]; do
	case $1 in
	--plans) PLANS=${2-}; shift ;;
	--keep) KEEP=1 ;;
	*) echo "usage: sh tests/bench/region.sh [--plans FILE] [--keep]" >&2; exit 1 ;;
	esac
	shift
done
[ -x "$BIN/vqr" ] || { echo "region.sh: $BIN/vqr not found; run make first" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vqr-bench.XXXXXX")
chmod 755 "$WORK"
pg_temp_start || exit 1
cleanup() {
	rm -rf "$WORK"
	if [ "$KEEP" -eq 1 ]; then
		echo "# kept: psql -h $PGHOST -U $PGUSER -d vqr_bench   (stop: sh -c '. tests/lib/pg.sh; VQR_TEST_PGDIR=$VQR_TEST_PGDIR pg_temp_stop')"
	else
		pg_temp_stop
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
DB=$(pg_temp_createdb vqr_bench) || exit 1
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

cat > "$WORK/bench.yaml" <<YAML
school:
  code: BENCH
  name: bench
database: "$DB"
paths:
  inbox: $WORK/inbox
  staging: $WORK/staging
  archive: $WORK/archive
  quarantine: $WORK/quarantine
include:
  - $TOP/config/sources/graduate_destination.yaml
  - $TOP/config/indicators/employment.yaml
YAML
"$BIN/vqr" -c "$WORK/bench.yaml" init >/dev/null || exit 1

# The catalog: code, name_zh, name_en, unit, kind, aggregate, source of
# every indicator in config/indicators/*.yaml (aggregate defaults from kind).
awk '
function flush() {
	if (code == "") return
	if (agg == "") agg = (kind == "rate") ? "ratio_of_sums" : (kind == "mean") ? "weighted_mean" : "sum"
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", code, zh, en, unit, kind, agg, src
	code = zh = en = unit = kind = agg = src = ""
}
function val(s) { sub(/^[^:]*:[ \t]*/, "", s); sub(/[ \t]+#.*$/, "", s); gsub(/^"|"$/, "", s); gsub(/\t/, " ", s); return s }
/^[ \t]*- code:/ { flush(); code = val($0); next }
code != "" && /^[ \t]+name_zh:/ && zh == "" { zh = val($0) }
code != "" && /^[ \t]+name_en:/ && en == "" { en = val($0) }
code != "" && /^[ \t]+unit:/ && unit == "" { unit = val($0) }
code != "" && /^[ \t]+kind:/ && kind == "" { kind = val($0) }
code != "" && /^[ \t]+aggregate:/ && agg == "" { agg = val($0) }
code != "" && /^[ \t]+source:/ && src == "" { src = val($0) }
END { flush() }' config/indicators/*.yaml > "$WORK/catalog.tsv"
NIND=$(wc -l < "$WORK/catalog.tsv" | tr -d ' ')
[ "$NIND" -gt 0 ] || { echo "region.sh: no indicators found in config/indicators/*.yaml" >&2; exit 1; }

echo "# region.sh: $SCHOOLS colleges x $YEARS years x $NIND indicators x (total + $MAJORS majors)"
echo "# PostgreSQL $(q -c 'show server_version')"
t0=$(date +%s)
q -v schools="$SCHOOLS" -v years="$YEARS" -v majors="$MAJORS" <<SQL || exit 1
CREATE TEMP TABLE cat (code text, zh text, en text, unit text, kind text, agg text, src text);
\copy cat FROM '$WORK/catalog.tsv'
INSERT INTO vqr.source (source_code, name_zh) SELECT DISTINCT src, src FROM cat ON CONFLICT DO NOTHING;
INSERT INTO vqr.indicator (indicator_code, name_zh, name_en, unit, kind, aggregate, source_code, scale)
SELECT code, zh, en, unit, kind, agg, src, CASE WHEN unit = '%' THEN 100 ELSE 1 END FROM cat
ON CONFLICT (indicator_code) DO NOTHING;
INSERT INTO vqr.school (school_code, name, region)
SELECT format('S%s', lpad(s::text, 2, '0')), format('第%s技工学校', s), '重庆市' FROM generate_series(1, :schools) s;
INSERT INTO vqr.period (period, period_type, start_date, end_date)
SELECT format('%s-%s', y, y + 1), 'academic_year', make_date(y, 9, 1), make_date(y + 1, 8, 31)
FROM generate_series(2024 - :years, 2023) y ON CONFLICT DO NOTHING;
-- One batch and one file per school and year.
INSERT INTO vqr.batch (school_code, label, status, vqr_version, started_at, finished_at)
SELECT s.school_code, p.period, 'loaded', 'bench', p.end_date + time '02:00', p.end_date + time '02:00:01'
FROM vqr.school s CROSS JOIN vqr.period p ORDER BY p.start_date, s.school_code;
INSERT INTO vqr.source_file (batch_id, school_code, source_code, file_name, sha256, size_bytes, encoding,
  header_line, rows_read, rows_loaded, rows_rejected, rows_skipped, periods)
SELECT b.batch_id, b.school_code, (SELECT min(src) FROM cat), format('毕业生去向登记表_%s.csv', b.label),
       encode(sha256(convert_to(b.school_code || b.label, 'UTF8')), 'hex'), 300000, 'gb18030', 2,
       1500, 1500 - b.batch_id % 7, b.batch_id % 7, 1, ARRAY[b.label]
FROM vqr.batch b;
INSERT INTO vqr.reject (file_id, line, column_no, column_name, field, value, rule, message)
SELECT f.file_id, 10 + i, 22, '起薪(元/月)', 'salary', 'abc', (ARRAY['type', 'not_null', 'enum'])[1 + i % 3], 'bad'
FROM vqr.source_file f, generate_series(1, f.rows_rejected::int) i;
INSERT INTO vqr.finding (batch_id, file_id, school_code, period, source_code, check_code, severity,
  left_value, right_value, message)
SELECT f.batch_id, f.file_id, f.school_code, f.periods[1], f.source_code, 'destinations_sum',
       CASE WHEN f.file_id % 2 = 0 THEN 'error' ELSE 'warning' END, 100, 101, 'sum of destinations <> graduates'
FROM vqr.source_file f WHERE f.file_id % 5 = 0;
-- Per major: graduates g (20..79), a share, a salary; totals are the sums.
CREATE TEMP TABLE m AS
SELECT f.school_code, f.periods[1] AS period, f.batch_id, f.file_id, f.source_code, c.code, c.kind,
       CASE WHEN c.unit = '%' THEN 100 ELSE 1 END AS scale,
       jsonb_build_object('major', format('专业%s', lpad(j::text, 2, '0'))) AS breakdown,
       20 + abs(hashtext(f.school_code || f.periods[1] || j)) % 60 AS g,
       (abs(hashtext(c.code || f.school_code || f.periods[1] || j)) % 1000) / 1000.0 AS share,
       3000 + abs(hashtext(f.school_code || j)) % 2000 AS salary
FROM vqr.source_file f, cat c, generate_series(1, :majors) j;
INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code,
  numerator, denominator, value, batch_id, file_id)
SELECT school_code, period, code, breakdown, 'computed', source_code,
       CASE kind WHEN 'rate' THEN floor(g * share) WHEN 'mean' THEN g * salary END,
       CASE WHEN kind IN ('rate', 'mean') THEN g END,
       CASE kind WHEN 'rate' THEN floor(g * share) / g * scale WHEN 'mean' THEN salary
                 ELSE floor(g * share) END,
       batch_id, file_id
FROM m;
INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code,
  numerator, denominator, value, batch_id, file_id)
SELECT v.school_code, v.period, v.indicator_code, '{}', 'computed', v.source_code, sum(v.numerator),
       sum(v.denominator),
       CASE WHEN i.kind IN ('rate', 'mean') THEN sum(v.numerator) / sum(v.denominator) * i.scale ELSE sum(v.value) END,
       min(v.batch_id), min(v.file_id)
FROM vqr.indicator_value v JOIN vqr.indicator i USING (indicator_code)
GROUP BY v.school_code, v.period, v.indicator_code, v.source_code, i.kind, i.scale;
-- The school's own summary sheet: reported totals beside the computed ones.
INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code,
  numerator, denominator, value, batch_id, file_id)
SELECT school_code, period, indicator_code, '{}', 'reported', source_code, NULL, NULL, round(value, 2),
       batch_id, file_id
FROM vqr.indicator_value WHERE breakdown = '{}' AND value_type = 'computed';
SQL
q -c "VACUUM ANALYZE" || exit 1
echo "# generated $(q -c 'select count(*) from vqr.indicator_value') indicator values, $(q -c 'select count(*) from vqr.batch') batches, $(q -c 'select count(*) from vqr.reject') rejects in $(( $(date +%s) - t0 )) s"

# A login that has only vqr_analyst, for the runs under row-level security.
q -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vqr_bench_analyst') THEN
      CREATE ROLE vqr_bench_analyst LOGIN; END IF; END \$\$; GRANT vqr_analyst TO vqr_bench_analyst" || exit 1

IND=employment.placed.rate
[ -n "$(q -c "select 1 from vqr.indicator where indicator_code = '$IND'")" ] ||
	IND=$(q -c "select min(indicator_code) from vqr.indicator where kind = 'rate'")
YEAR=$(q -c "select max(period) from vqr.period")
SCH=S17

# name|query
cat > "$WORK/queries" <<EOF
school trend (v_school_trend)|SELECT period, value, prev_value, change, change_pct FROM vqr.v_school_trend WHERE school_code = '$SCH' AND indicator_code = '$IND' AND breakdown = '{}' ORDER BY period
school trend, one year|SELECT period, value, prev_value, change, change_pct FROM vqr.v_school_trend WHERE school_code = '$SCH' AND indicator_code = '$IND' AND breakdown = '{}' AND period = '$YEAR'
compare schools (v_school_compare)|SELECT school_code, value, rank, percentile, region_value FROM vqr.v_school_compare WHERE period = '$YEAR' AND indicator_code = '$IND' AND breakdown = '{}' ORDER BY rank
region trend (v_region_trend)|SELECT period, schools, value, prev_value, change FROM vqr.v_region_trend WHERE indicator_code = '$IND' AND breakdown = '{}' ORDER BY period
region, one year|SELECT period, schools, value, prev_value, change FROM vqr.v_region_trend WHERE indicator_code = '$IND' AND breakdown = '{}' AND period = '$YEAR'
data quality, last batch (v_data_quality)|SELECT * FROM vqr.v_data_quality ORDER BY batch_id DESC LIMIT 1
data quality, one school's last|SELECT * FROM vqr.v_data_quality WHERE school_code = '$SCH' ORDER BY batch_id DESC LIMIT 1
latest values (v_latest)|SELECT school_code, period, value, change FROM vqr.v_latest WHERE indicator_code = '$IND' AND breakdown = '{}'
latest, one school|SELECT indicator_code, breakdown_text, period, value FROM vqr.v_latest WHERE school_code = '$SCH'
drill-down by major (v_school_compare)|SELECT breakdown->>'major', value, rank, region_value FROM vqr.v_school_compare WHERE period = '$YEAR' AND indicator_code = '$IND' AND school_code = '$SCH' AND breakdown ? 'major' ORDER BY value DESC
values (v_indicator)|SELECT breakdown_text, value FROM vqr.v_indicator WHERE school_code = '$SCH' AND period = '$YEAR' AND indicator_code = '$IND'
EOF

[ -z "$PLANS" ] || : > "$PLANS"
fail=0
printf '# %-42s %12s %12s  %s\n' "query ($IND, $YEAR)" "owner ms" "analyst ms" "indexes used"
while IFS='|' read -r name sql; do
	times=
	for who in "$PGUSER" vqr_bench_analyst; do
		# One session, as an analyst's would be: a warm-up, then three timed runs.
		out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB user=$who" -c "$sql" \
			-c "EXPLAIN (ANALYZE, BUFFERS) $sql" -c "EXPLAIN (ANALYZE, BUFFERS) $sql" \
			-c "SELECT '-- last plan'" -c "EXPLAIN (ANALYZE, BUFFERS) $sql") ||
			{ echo "region.sh: $name failed as $who" >&2; exit 1; }
		best=$(echo "$out" | sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' | sort -n | head -n 1)
		plan=$(echo "$out" | sed -n '/^-- last plan$/,$p' | sed 1d)
		times="$times $best"
		if [ "$who" = "$PGUSER" ]; then
			idx=$(echo "$plan" | sed -n -e 's/.* using \([a-z_0-9]*\) on .*/\1/p' \
				-e 's/.*Bitmap Index Scan on \([a-z_0-9]*\) .*/\1/p' | sort -u | tr '\n' ' ')
			seq=0
		fi
		seq=$((seq + $(echo "$plan" | grep -c 'Seq Scan on indicator_value')))
		[ -z "$PLANS" ] || printf '== %s (as %s)\n%s\n%s\n\n' "$name" "$who" "$sql" "$plan" >> "$PLANS"
		if awk -v t="$best" -v max="$TARGET_MS" 'BEGIN { exit !(t >= max) }'; then
			fail=1
		fi
	done
	[ "$seq" -eq 0 ] || { fail=1; idx="$idx(SEQ SCAN of indicator_value)"; }
	set -- $times
	printf '  %-42s %12s %12s  %s\n' "$name" "$1" "$2" "$idx"
done < "$WORK/queries"
if [ "$fail" -eq 0 ]; then
	echo "# every query under $TARGET_MS ms with index scans"
else
	echo "# some query took $TARGET_MS ms or more, or scanned vqr.indicator_value sequentially"
fi
exit $fail
