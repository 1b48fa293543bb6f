#!/bin/sh
# region.sh - benchmark of the analyst views on a synthetic region:
# BENCH_SCHOOLS colleges x BENCH_YEARS academic years x the whole shipped
# catalog with its breakdowns.  One college's year is made by vqr itself:
# the fixture college's exports of one year (fixtures/CQGYGJ/2022-2023)
# loaded by `vqr run` with config/catalog.yaml into a seed database, so
# the indicators, checks and sources are exactly the catalog's and the
# values (about 2,000 a college and year: every indicator, its
# breakdowns, computed and reported) exactly what a load stores.  Every
# synthetic college and year copies them, scaled, in a batch of its own
# with the seed's files, rejects and findings.
# Each view's typical queries -- (a) one indicator and one year across
# the colleges, (b) one college's dashboard of every indicator for one
# year, (c) one indicator over the years, (d) the data-quality and
# findings drill-downs -- run under EXPLAIN (ANALYZE, BUFFERS), first as
# the owner and then as a login of vqr_analyst (to whom row-level
# security applies), in one session each (a warm-up, then three runs);
# the best of the three execution times is printed, with the indexes the
# plan uses and whether either plan scans vqr.indicator_value
# sequentially.  Target: every query under 50 ms, no sequential scan of
# vqr.indicator_value; each miss is named on stderr.
#
#   sh tests/bench/region.sh [--plans FILE] [--keep] [--replication]   (after `make`)
#   BENCH_REUSE=DIR sh tests/bench/region.sh [--plans FILE] [--replication]
#
# --plans FILE writes every plan to FILE; --keep leaves the server and the
# synthetic region running afterwards and prints how to reach and stop it,
# and how to run the queries on it again: BENCH_REUSE=DIR (the kept
# server's directory) skips the seed and the generation, starts that
# server again if it is stopped, brings the schema up to date (`vqr init`
# applies the migrations it lacks), runs ANALYZE and times the queries on
# the region as it is; the server is left running.  Generating 200
# colleges takes many minutes, so generate once and reuse.
#
# Not part of `make check` (tests/region/region_bench.t runs it small).
# It starts its own throwaway PostgreSQL (tests/lib/pg.sh) and stops it at
# the end.  Exit status 1 when a query misses the target.  Environment:
# BENCH_REUSE (above),
# VQR_BUILD (default build), BENCH_SCHOOLS (50), BENCH_YEARS (10),
# BENCH_MAJORS (0: every major of the seed; N: only the first N majors'
# breakdowns), BENCH_SEED_YEAR (2022-2023), BENCH_SEED_FILES (shell
# patterns of the seed year's files to load, default every file; the
# summary sheet 质量年报数据汇总表_* alone brings the whole catalog),
# BENCH_RUNS (3 timed runs after a warm-up; 1: a single run, no warm-up).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
. tests/lib/pg.sh
BIN=$TOP/${VQR_BUILD:-build}/bin
SCHOOLS=${BENCH_SCHOOLS:-50}
YEARS=${BENCH_YEARS:-10}
MAJORS=${BENCH_MAJORS:-0}
SEEDSCHOOL=CQGYGJ
SEEDYEAR=${BENCH_SEED_YEAR:-2022-2023}
SEEDFILES=${BENCH_SEED_FILES:-*}
RUNS=${BENCH_RUNS:-3}
TARGET_MS=50
PLANS=
KEEP=0
REPL=0
COLPG=
while [ $# -gt 0 ]; do
	case $1 in
	--plans) PLANS=${2-}; shift ;;
	--keep) KEEP=1 ;;
	--replication) REPL=1 ;;
	*) echo "usage: sh tests/bench/region.sh [--plans FILE] [--keep] [--replication]" >&2; exit 1 ;;
	esac
	shift
done
[ -x "$BIN/vqr" ] || { echo "region.sh: $BIN/vqr not found; run make first" >&2; exit 1; }

REUSE=${BENCH_REUSE:-}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vqr-bench.XXXXXX")
chmod 755 "$WORK"
if [ "$REPL" -eq 1 ]; then
	VQR_TEST_PGOPTS="-c wal_level=logical -c wal_retrieve_retry_interval=1s -c max_logical_replication_workers=8"
	export VQR_TEST_PGOPTS
fi
if [ -n "$REUSE" ]; then
	[ -f "$REUSE/options" ] || { echo "region.sh: BENCH_REUSE=$REUSE is not a server that region.sh --keep left" >&2; exit 1; }
	[ -f "$REUSE/data/postmaster.pid" ] || pg_temp_resume "$REUSE" || exit 1
	PGHOST=$REUSE PGPORT=5432 PGUSER=vqr_test PGDATABASE=postgres VQR_TEST_PGDIR=$REUSE
	export PGHOST PGPORT PGUSER PGDATABASE VQR_TEST_PGDIR
	KEEP=1
else
	pg_temp_start || exit 1
fi
cleanup() {
	rm -rf "$WORK"
	[ -z "$COLPG" ] || pg_temp_stop "$COLPG"
	if [ "$KEEP" -eq 1 ]; then
		echo "# kept: psql -h $PGHOST -U $PGUSER -d vqr_bench   (again: BENCH_REUSE=$VQR_TEST_PGDIR sh tests/bench/region.sh;" \
			"stop: sh -c '. tests/lib/pg.sh; pg_temp_stop $VQR_TEST_PGDIR')"
	else
		pg_temp_stop
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "$REUSE" ]; then
	DB="host=$PGHOST port=$PGPORT user=$PGUSER dbname=vqr_bench"
else
	DB=$(pg_temp_createdb vqr_bench) || exit 1
fi
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# The catalog and one college's year, exactly as vqr makes them: the
# fixture college's exports of one academic year (fixtures/CQGYGJ/$SEEDYEAR)
# loaded by `vqr run` with the whole shipped catalog (config/catalog.yaml)
# into a seed database.  Its indicators, checks and sources, and its
# values (every indicator with its breakdowns, computed and reported),
# files, rejects and findings are the template of every synthetic
# college's year.
head -c 32 /dev/urandom > "$WORK/pii.key" && chmod 600 "$WORK/pii.key"
mkconf() { # NAME CONNINFO
	mkdir -p "$WORK/$1/inbox"
	cat > "$WORK/$1.yaml" <<YAML
school:
  code: $SEEDSCHOOL
  name: 重庆市工业高级技工学校
  region: 重庆市
database: "$2"
pii_key_file: $WORK/pii.key
paths:
  inbox: $WORK/$1/inbox
  staging: $WORK/$1/staging
  archive: $WORK/$1/archive
  quarantine: $WORK/$1/quarantine
  settle_seconds: 0
include:
  - $TOP/config/catalog.yaml
YAML
}
mkconf bench "$DB"
"$BIN/vqr" -c "$WORK/bench.yaml" init >/dev/null || exit 1
if [ -n "$REUSE" ]; then
	q -c "ANALYZE" || exit 1
	echo "# region.sh: reusing $REUSE: $(q -c "select count(*) from vqr.school") colleges," \
		"$(q -c "select count(*) from vqr.indicator_value") indicator values, $(q -c "select count(*) from vqr.batch") batches;" \
		"schema at $(q -c "select max(version) from vqr.schema_migration")"
	echo "# PostgreSQL $(q -c 'show server_version')"
	SCHOOLS=$(q -c "select count(*) from vqr.school where school_code ~ '^S[0-9]+$'")
	SEEDY=${SEEDYEAR%%-*}
else
SEED=$(pg_temp_createdb vqr_bench_seed) || exit 1
mkconf seed "$SEED"
"$BIN/vqr" -c "$WORK/seed.yaml" init >/dev/null || exit 1
(cd "$TOP/fixtures/$SEEDSCHOOL/$SEEDYEAR" && cp $SEEDFILES "$WORK/seed/inbox/") || exit 1
t0=$(date +%s)
"$BIN/vqr" -c "$WORK/seed.yaml" run >"$WORK/seed.log" 2>&1
rc=$?
[ "$rc" -le 2 ] || { echo "region.sh: vqr run of the seed year failed ($rc):" >&2; tail -n 5 "$WORK/seed.log" >&2; exit 1; }
SEEDSECS=$(( $(date +%s) - t0 ))
qs() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$SEED" "$@"; }
# Fiscal-year values of the seed's academic year (the fiscal year it starts
# in) are kept; the later fiscal year's belong to the next academic year.
SEEDY=${SEEDYEAR%%-*}
qs <<SQL || exit 1
\copy vqr.source TO '$WORK/source.tsv'
\copy vqr.indicator TO '$WORK/indicator.tsv'
\copy vqr.check_rule TO '$WORK/check_rule.tsv'
\copy (SELECT v.period = '$SEEDYEAR', v.indicator_code, v.breakdown, v.value_type, v.source_code, v.numerator, v.denominator, v.value, i.kind, i.scale FROM vqr.indicator_value v JOIN vqr.indicator i USING (indicator_code) WHERE v.school_code = '$SEEDSCHOOL' AND v.period IN ('$SEEDYEAR', '$SEEDY') AND ($MAJORS = 0 OR NOT v.breakdown ? 'major' OR v.breakdown ->> 'major' IN (SELECT DISTINCT breakdown ->> 'major' FROM vqr.indicator_value WHERE breakdown ? 'major' ORDER BY 1 LIMIT $MAJORS))) TO '$WORK/values.tsv'
\copy (SELECT source_code, min(file_name), min(encoding), min(header_line), sum(size_bytes), sum(rows_read), sum(rows_loaded), sum(rows_rejected), sum(rows_skipped), sum(extract_ms), sum(transform_ms) FROM vqr.source_file GROUP BY source_code) TO '$WORK/files.tsv'
\copy (SELECT f.source_code, r.line, r.column_no, r.column_name, r.field, r.value, r.rule, r.message FROM vqr.reject r JOIN vqr.source_file f USING (file_id)) TO '$WORK/rejects.tsv'
\copy (SELECT g.source_code, g.check_code, g.severity, g.breakdown, g.left_value, g.right_value, g.message, g.indicator_code, g.period = '$SEEDYEAR' FROM vqr.finding g WHERE g.superseded_by IS NULL AND g.period IN ('$SEEDYEAR', '$SEEDY')) TO '$WORK/findings.tsv'
SQL
NIND=$(qs -c "select count(*) from vqr.indicator")
PERYEAR=$(wc -l < "$WORK/values.tsv" | tr -d ' ')
[ "$PERYEAR" -gt 0 ] || { echo "region.sh: the seed year $SEEDYEAR gave no values" >&2; exit 1; }

echo "# region.sh: $SCHOOLS colleges x $YEARS years x the shipped catalog ($NIND indicators):" \
	"$PERYEAR values per college and year, as vqr computed them from fixtures/$SEEDSCHOOL/$SEEDYEAR (in $SEEDSECS s)"
echo "# PostgreSQL $(q -c 'show server_version')"
t0=$(date +%s)
# Every college and year: the seed's values scaled by a factor of the
# college and year (counts, amounts, numerators and denominators; rates
# and means recomputed), in one batch per college and year with one file
# per source (the seed's), its rejects and its findings.  Batches are
# numbered year by year, college by college, as nightly loads would be.
q -v schools="$SCHOOLS" -v years="$YEARS" <<SQL || exit 1
SET client_min_messages = warning;
CREATE TEMP TABLE ts (LIKE vqr.source);
\copy ts FROM '$WORK/source.tsv'
INSERT INTO vqr.source SELECT * FROM ts ON CONFLICT DO NOTHING;
CREATE TEMP TABLE ti (LIKE vqr.indicator);
\copy ti FROM '$WORK/indicator.tsv'
INSERT INTO vqr.indicator SELECT * FROM ti ON CONFLICT DO NOTHING;
CREATE TEMP TABLE tc (LIKE vqr.check_rule);
\copy tc FROM '$WORK/check_rule.tsv'
INSERT INTO vqr.check_rule SELECT * FROM tc ON CONFLICT DO NOTHING;
CREATE TEMP TABLE tv (academic boolean, indicator_code text, breakdown jsonb, value_type text, source_code text,
  numerator numeric, denominator numeric, value numeric, kind text, scale numeric);
\copy tv FROM '$WORK/values.tsv'
CREATE TEMP TABLE tf (source_code text, file_name text, encoding text, header_line int, size_bytes bigint,
  rows_read bigint, rows_loaded bigint, rows_rejected bigint, rows_skipped bigint, extract_ms bigint, transform_ms bigint);
\copy tf FROM '$WORK/files.tsv'
CREATE TEMP TABLE tr (source_code text, line bigint, column_no int, column_name text, field text, value text,
  rule text, message text);
\copy tr FROM '$WORK/rejects.tsv'
CREATE TEMP TABLE tg (source_code text, check_code text, severity text, breakdown jsonb, left_value numeric,
  right_value numeric, message text, indicator_code text, academic boolean);
\copy tg FROM '$WORK/findings.tsv'
INSERT INTO vqr.school (school_code, name, region)
SELECT format('S%s', lpad(s::text, 3, '0')), format('第%s技工学校', s), '重庆市' FROM generate_series(1, :schools) s;
CREATE TEMP TABLE y AS
SELECT y, format('%s-%s', y, y + 1) AS period, y::text AS fiscal FROM generate_series(2024 - :years, 2023) y;
INSERT INTO vqr.period (period, period_type, start_date, end_date)
SELECT period, 'academic_year', make_date(y, 9, 1), make_date(y + 1, 8, 31) FROM y
UNION ALL
SELECT fiscal, 'fiscal_year', make_date(y, 1, 1), make_date(y, 12, 31) FROM y
ON CONFLICT DO NOTHING;
INSERT INTO vqr.batch (school_code, label, status, vqr_version, started_at, finished_at)
SELECT s.school_code, y.period, 'loaded', 'bench', make_date(y.y + 1, 9, 1) + time '02:00',
       make_date(y.y + 1, 9, 1) + time '02:00:30'
FROM y CROSS JOIN vqr.school s ORDER BY y.y, s.school_code;
INSERT INTO vqr.source_file (batch_id, school_code, source_code, file_name, sha256, size_bytes, encoding,
  header_line, rows_read, rows_loaded, rows_rejected, rows_skipped, periods, extract_ms, transform_ms)
SELECT b.batch_id, b.school_code, tf.source_code, tf.file_name,
       encode(sha256(convert_to(b.school_code || b.label || tf.source_code, 'UTF8')), 'hex'), tf.size_bytes,
       tf.encoding, tf.header_line, tf.rows_read, tf.rows_loaded, tf.rows_rejected, tf.rows_skipped,
       ARRAY[b.label], tf.extract_ms, tf.transform_ms
FROM vqr.batch b CROSS JOIN tf ORDER BY b.batch_id, tf.source_code;
INSERT INTO vqr.reject (file_id, line, column_no, column_name, field, value, rule, message)
SELECT f.file_id, tr.line, tr.column_no, tr.column_name, tr.field, tr.value, tr.rule, tr.message
FROM vqr.source_file f JOIN tr USING (source_code) ORDER BY f.file_id, tr.line;
INSERT INTO vqr.finding (batch_id, file_id, school_code, period, source_code, check_code, severity, breakdown,
  left_value, right_value, message, indicator_code)
SELECT b.batch_id, f.file_id, b.school_code, CASE WHEN tg.academic THEN y.period ELSE y.fiscal END, tg.source_code,
       tg.check_code, tg.severity, tg.breakdown, tg.left_value, tg.right_value, tg.message, tg.indicator_code
FROM vqr.batch b JOIN y ON y.period = b.label CROSS JOIN tg
LEFT JOIN vqr.source_file f ON f.batch_id = b.batch_id AND f.source_code = tg.source_code
ORDER BY b.batch_id;
-- The values, one year at a time, college by college.
DO \$\$
DECLARE yr record;
BEGIN
  FOR yr IN SELECT * FROM y ORDER BY y LOOP
    INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code,
      numerator, denominator, value, batch_id, file_id)
    SELECT x.school_code, x.period, x.indicator_code, x.breakdown, x.value_type, x.source_code,
           x.num, x.den,
           CASE WHEN x.den IS NOT NULL AND x.num IS NOT NULL THEN round(x.num / x.den * x.scale, 6)
                WHEN x.kind = 'count' THEN round(x.value * x.f)
                ELSE round(x.value * x.f, 2) END,
           x.batch_id, x.file_id
    FROM (SELECT b.school_code, CASE WHEN tv.academic THEN yr.period ELSE yr.fiscal END AS period,
                 tv.indicator_code, tv.breakdown, tv.value_type, tv.source_code, tv.kind, tv.scale, tv.value,
                 round(tv.numerator * f.f * (0.9 + (abs(hashtext(b.school_code || yr.period || tv.indicator_code)) % 11) / 100.0))
                   AS num,
                 greatest(1, round(tv.denominator * f.f)) AS den, f.f, b.batch_id, sf.file_id
          FROM vqr.batch b
          CROSS JOIN LATERAL (SELECT 0.6 + (abs(hashtext(b.school_code || yr.period)) % 80) / 100.0 AS f) f
          CROSS JOIN tv
          LEFT JOIN vqr.source_file sf ON sf.batch_id = b.batch_id AND sf.source_code = tv.source_code
          WHERE b.label = yr.period
          ORDER BY b.batch_id) x;
  END LOOP;
END
\$\$;
SQL
q -c "VACUUM ANALYZE" || exit 1
echo "# generated $(q -c 'select count(*) from vqr.indicator_value') indicator values, $(q -c 'select count(*) from vqr.batch') batches, $(q -c 'select count(*) from vqr.reject') rejects in $(( $(date +%s) - t0 )) s"
fi

# A login that has only vqr_analyst, for the runs under row-level security.
q -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vqr_bench_analyst') THEN
      CREATE ROLE vqr_bench_analyst LOGIN; END IF;
      IF NOT pg_has_role('vqr_bench_analyst', 'vqr_analyst', 'MEMBER') THEN GRANT vqr_analyst TO vqr_bench_analyst; END IF;
      END \$\$" || exit 1

IND=employment.placed.rate
[ -n "$(q -c "select 1 from vqr.indicator_value where indicator_code = '$IND' limit 1")" ] ||
	IND=$(q -c "select min(indicator_code) from vqr.indicator i where kind = 'rate' and exists (select 1 from vqr.indicator_value v where v.indicator_code = i.indicator_code)")
YEAR=$(q -c "select max(period) from vqr.period where period_type = 'academic_year'")
SCH=$(printf 'S%03d' $(( (SCHOOLS + 1) / 2 )))

# shape: name|query.  The typical queries: (a) one indicator and one year
# across the colleges, (b) one college's dashboard of every indicator for
# one year (school totals), (c) one indicator over the years; (d) the
# data-quality and findings drill-downs.
cat > "$WORK/queries" <<EOF
a v_indicator|SELECT school_code, value_type, value FROM vqr.v_indicator WHERE indicator_code = '$IND' AND period = '$YEAR' AND breakdown = '{}'
a v_value|SELECT school_code, value, reported_value FROM vqr.v_value WHERE indicator_code = '$IND' AND period = '$YEAR' AND breakdown = '{}'
a v_school_compare|SELECT school_code, value, rank, percentile, region_value FROM vqr.v_school_compare WHERE period = '$YEAR' AND indicator_code = '$IND' AND breakdown = '{}' ORDER BY rank
a v_school_compare, by major|SELECT breakdown->>'major', value, rank, region_value FROM vqr.v_school_compare WHERE period = '$YEAR' AND indicator_code = '$IND' AND school_code = '$SCH' AND breakdown ? 'major' ORDER BY value DESC
a v_school_trend|SELECT school_code, value, prev_value, change FROM vqr.v_school_trend WHERE indicator_code = '$IND' AND period = '$YEAR' AND breakdown = '{}'
a v_region_trend|SELECT period, schools, value, prev_value, change, like_change FROM vqr.v_region_trend WHERE indicator_code = '$IND' AND breakdown = '{}' AND period = '$YEAR'
a v_latest|SELECT school_code, period, value, change FROM vqr.v_latest WHERE indicator_code = '$IND' AND breakdown = '{}'
b v_indicator|SELECT indicator_code, name_zh, unit, value_type, value FROM vqr.v_indicator WHERE school_code = '$SCH' AND period = '$YEAR' AND breakdown = '{}'
b v_indicator, every breakdown|SELECT indicator_code, breakdown_text, value_type, value FROM vqr.v_indicator WHERE school_code = '$SCH' AND period = '$YEAR'
b v_value|SELECT indicator_code, value, reported_value FROM vqr.v_value WHERE school_code = '$SCH' AND period = '$YEAR' AND breakdown = '{}'
b v_school_trend|SELECT indicator_code, name_zh, value, prev_value, change, change_pct FROM vqr.v_school_trend WHERE school_code = '$SCH' AND period = '$YEAR' AND breakdown = '{}'
b v_school_compare|SELECT indicator_code, value, rank, schools, region_value FROM vqr.v_school_compare WHERE school_code = '$SCH' AND period = '$YEAR' AND breakdown = '{}'
b v_latest|SELECT indicator_code, name_zh, period, value, change FROM vqr.v_latest WHERE school_code = '$SCH' AND breakdown = '{}'
b v_latest, every breakdown|SELECT indicator_code, breakdown_text, period, value, change FROM vqr.v_latest WHERE school_code = '$SCH'
c v_indicator|SELECT period, value_type, value FROM vqr.v_indicator WHERE school_code = '$SCH' AND indicator_code = '$IND' AND breakdown = '{}' ORDER BY period
c v_value|SELECT period, value, reported_value FROM vqr.v_value WHERE school_code = '$SCH' AND indicator_code = '$IND' AND breakdown = '{}' ORDER BY period
c v_school_trend|SELECT period, value, prev_value, change, change_pct FROM vqr.v_school_trend WHERE school_code = '$SCH' AND indicator_code = '$IND' AND breakdown = '{}' ORDER BY period
c v_school_compare|SELECT period, value, rank, schools, region_value FROM vqr.v_school_compare WHERE school_code = '$SCH' AND indicator_code = '$IND' AND breakdown = '{}' ORDER BY period
c v_region_trend|SELECT period, schools, value, prev_value, change, like_change FROM vqr.v_region_trend WHERE indicator_code = '$IND' AND breakdown = '{}' ORDER BY period
d v_data_quality, last batch|SELECT * FROM vqr.v_data_quality ORDER BY batch_id DESC LIMIT 1
d v_data_quality, a college's last|SELECT * FROM vqr.v_data_quality WHERE school_code = '$SCH' ORDER BY batch_id DESC LIMIT 1
d v_reject_summary, a college's year|SELECT file_name, rule, field, rejects FROM vqr.v_reject_summary WHERE school_code = '$SCH' AND batch_id = (SELECT max(batch_id) FROM vqr.batch WHERE school_code = '$SCH')
d v_finding, a college's year|SELECT check_code, severity, indicator_code, message FROM vqr.v_finding WHERE school_code = '$SCH' AND period = '$YEAR'
EOF

[ -z "$PLANS" ] || : > "$PLANS"
fail=0
: > "$WORK/misses"
printf '# %-42s %12s %12s %9s  %s\n' "query ($IND, $YEAR)" "owner ms" "analyst ms" "seq scan" "indexes used"
while IFS='|' read -r name sql; do
	times=
	for who in "$PGUSER" vqr_bench_analyst; do
		# One session, as an analyst's would be: a warm-up, then three timed
		# runs (BENCH_RUNS=1: one run, no warm-up, for the smoke test).
		if [ "$RUNS" -le 1 ]; then
			out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB user=$who" \
				-c "SELECT '-- last plan'" -c "EXPLAIN (ANALYZE, BUFFERS) $sql")
		else
			out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB user=$who" -c "$sql" \
				-c "EXPLAIN (ANALYZE, BUFFERS) $sql" -c "EXPLAIN (ANALYZE, BUFFERS) $sql" \
				-c "SELECT '-- last plan'" -c "EXPLAIN (ANALYZE, BUFFERS) $sql")
		fi || { echo "region.sh: $name failed as $who" >&2; exit 1; }
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
			echo "$name: $best ms as $who" >> "$WORK/misses"
		fi
	done
	sq=no
	if [ "$seq" -ne 0 ]; then
		fail=1
		sq=YES
		echo "$name: a sequential scan of vqr.indicator_value" >> "$WORK/misses"
	fi
	set -- $times
	printf '  %-42s %12s %12s %9s  %s\n' "$name" "$1" "$2" "$sq" "$idx"
done < "$WORK/queries"
if [ "$fail" -eq 0 ]; then
	echo "# every query under $TARGET_MS ms with index scans"
else
	echo "# some query took $TARGET_MS ms or more, or scanned vqr.indicator_value sequentially"
	sed 's/^/region.sh: MISSED THE TARGET: /' "$WORK/misses" >&2
fi

# --replication: one college's nights reaching the region by logical
# replication (docs/REGION.md).  The college is a server of its own
# (wal_level = logical) that loads the fixture college's earlier year,
# publishes (vqr init --publish); a regional database on the benchmark's
# server (vqr init --region, beside the synthetic region, sharing its
# machine) subscribes (vqr region add).  Timed: the initial copy of that
# year, then the next night -- the seed year loaded at the college -- from
# the end of its `vqr run` until the region holds every value of it.
if [ "$REPL" -eq 1 ]; then
	save="$PGHOST|$PGPORT|$PGUSER|$PGDATABASE|$VQR_TEST_PGDIR"
	pg_temp_start || exit 1
	COLPG=$VQR_TEST_PGDIR
	IFS='|' read -r PGHOST PGPORT PGUSER PGDATABASE VQR_TEST_PGDIR <<EOF
$save
EOF
	export PGHOST PGPORT PGUSER PGDATABASE VQR_TEST_PGDIR
	psql -X -q -h "$COLPG" -U vqr_test -d postgres -c "CREATE DATABASE college" || exit 1
	CC="host=$COLPG port=5432 user=vqr_test dbname=college"
	# A kept server may hold the subscription of an earlier run whose
	# college is gone: drop it without its slot, so the database can go.
	for sub in $(psql -X -q -A -t -d postgres -c "SELECT s.subname FROM pg_subscription s
			JOIN pg_database d ON d.oid = s.subdbid WHERE d.datname = 'vqr_bench_region'"); do
		psql -X -q -d "host=$PGHOST port=$PGPORT user=$PGUSER dbname=vqr_bench_region" -c "ALTER SUBSCRIPTION $sub DISABLE" \
			-c "ALTER SUBSCRIPTION $sub SET (slot_name = NONE)" -c "DROP SUBSCRIPTION $sub" || exit 1
	done
	REG=$(pg_temp_createdb vqr_bench_region) || exit 1
	qc() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$CC" -c "$1"; }
	qr() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$REG" -c "$1"; }
	mkconf college "$CC"
	"$BIN/vqr" -c "$WORK/college.yaml" init --publish >/dev/null || exit 1
	PREV=$(( SEEDY - 1 ))-$SEEDY
	(cd "$TOP/fixtures/$SEEDSCHOOL/$PREV" && cp $SEEDFILES "$WORK/college/inbox/") || exit 1
	"$BIN/vqr" -c "$WORK/college.yaml" run >"$WORK/college.log" 2>&1
	[ "$?" -le 2 ] || { echo "region.sh: vqr run of $PREV at the college failed:" >&2; tail -n 5 "$WORK/college.log" >&2; exit 1; }
	"$BIN/vqr" -d "$REG" init --region >/dev/null || exit 1
	want=$(qc "select count(*) from vqr.indicator_value")
	t0=$(date +%s.%N)
	"$BIN/vqr" -d "$REG" region add college "host=$COLPG port=5432 user=vqr_region dbname=college" >/dev/null || exit 1
	secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
	# Wait (up to 300 s) until the region holds $1 of the college's values.
	arrive() {
		_i=0
		until [ "$(qr "select count(*) from vqr.indicator_value where school_code = '$SEEDSCHOOL'" 2>/dev/null)" = "$1" ]; do
			_i=$((_i + 1))
			[ "$_i" -le 3000 ] || { echo "region.sh: the region did not receive the college's values" >&2; exit 1; }
			sleep 0.1
		done
	}
	arrive "$want"
	t1=$(date +%s.%N)
	echo "# replication: the initial copy of one college-year ($want values, $PREV) reached the region in $(secs "$t0" "$t1") s (from vqr region add)"
	(cd "$TOP/fixtures/$SEEDSCHOOL/$SEEDYEAR" && cp $SEEDFILES "$WORK/college/inbox/") || exit 1
	t0=$(date +%s.%N)
	"$BIN/vqr" -c "$WORK/college.yaml" run >"$WORK/college.log" 2>&1
	[ "$?" -le 2 ] || { echo "region.sh: vqr run of $SEEDYEAR at the college failed:" >&2; tail -n 5 "$WORK/college.log" >&2; exit 1; }
	t1=$(date +%s.%N)
	before=$want
	want=$(qc "select count(*) from vqr.indicator_value")
	arrive "$want"
	t2=$(date +%s.%N)
	echo "# replication: the next night ($SEEDYEAR: the college's values $before -> $want) loaded at the college in" \
		"$(secs "$t0" "$t1") s and reached the region $(secs "$t1" "$t2") s after its end"
	"$BIN/vqr" -d "$REG" region remove college >/dev/null || exit 1
fi
exit $fail
