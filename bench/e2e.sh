#!/bin/sh
# e2e.sh - vqr end to end, side by side with PostgreSQL's own COPY and with
# pgloader, on the same generated register in the same run (not a test: it
# prints figures).
#
#   make bench                          1M and 10M rows, median of 3 runs
#   sh bench/e2e.sh [ROWS]...           RUNS=3 (runs per method and size)
#
# For each size, bench/gen_register.c writes a deterministic graduate
# destination register (UTF-8 CSV, about 120 MB per million rows), and a
# throwaway PostgreSQL cluster (tests/lib/pg.sh: unix socket, fsync off)
# loads it four ways, interleaved run by run:
#   copy      psql -c "\copy register FROM ... (FORMAT csv, HEADER)": the
#             floor, into a plain table with the register's columns
#   pgloader  pgloader loading the same CSV into the same table
#   vqr       `vqr run` on an inbox holding the file: extract, transform,
#             load, indicators only
#   vqr+rows  the same with `load_rows: true`: the canonical rows also
#             loaded into vqr_rows.graduate_destination
# Every timed command runs under /usr/bin/time; vqr's stage programs run
# through wrappers (VQR_LIBEXEC_DIR) that time each one, so the peak RSS of
# every vqr process is known.  "client CPU" is user+system of the command
# and its children; "server CPU" is what the PostgreSQL processes used
# meanwhile (/proc of the postmaster and its children).  Each run starts
# from an empty table or a freshly initialised vqr database, after a
# CHECKPOINT; row counts are checked after every run.
#
# Needs: a build (make), /usr/bin/time (Debian: time), PostgreSQL, and
# pgloader (optional: without it that column is left out);
# `sh scripts/deps.sh --bench` installs them.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=$TOP/${VQR_BUILD:-build}/bin
RUNS=${RUNS:-3}
[ $# -gt 0 ] || set -- 1000000 10000000
[ -x /usr/bin/time ] || { echo "e2e.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
[ -x "$BIN/vqr" ] || { echo "e2e.sh: no $BIN/vqr: run make first" >&2; exit 1; }
PGLOADER=$(command -v pgloader || true)
[ -n "$PGLOADER" ] || echo "e2e.sh: pgloader not installed (apt-get install pgloader): its column is left out" >&2

. "$TOP/bench/lib.sh"
bench_cluster e2e
q -d postgres -c "CREATE DATABASE bench" -c "CREATE DATABASE vqrb"
cc -O2 -o "$W/gen" "$TOP/bench/gen_register.c"

# Wrappers that time each stage program vqr runs.
mkdir "$W/libexec"
for p in vqr-extract vqr-transform vqr-load; do
	printf '#!/bin/sh\nexec /usr/bin/time -a -o "$VQR_BENCH_STAGES" -f "%s %%e %%U %%S %%M" "%s" "$@"\n' \
		"$p" "$BIN/$p" > "$W/libexec/$p"
	chmod 755 "$W/libexec/$p"
done
export VQR_LIBEXEC_DIR="$W/libexec" VQR_BENCH_STAGES="$W/stages.txt"

# Two deployments on database vqrb: indicators only, and with load_rows.
sed 's/^\(    delimiter: .*\)$/\1\n    load_rows: true/' "$TOP/config/sources/graduate_destination.yaml" > "$W/src_rows.yaml"
grep -q 'load_rows: true' "$W/src_rows.yaml" || { echo "e2e.sh: could not make the load_rows source" >&2; exit 1; }
for d in vqr rows; do
	src=$TOP/config/sources/graduate_destination.yaml
	[ $d = rows ] && src=$W/src_rows.yaml
	cat > "$W/$d.yaml" <<YAML
school: {code: BENCH, name: 基准学校, region: 重庆市}
database: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=vqrb"
paths: {inbox: $d/inbox, staging: $d/staging, archive: $d/archive, quarantine: $d/quarantine, settle_seconds: 0}
include: [$src, $TOP/config/indicators/employment.yaml]
YAML
done

TABLE="CREATE TABLE register (student_id text, name text, gender text, major_code text, major text,
  level text, graduation_date date, destination text, school_referred text, employer text,
  in_field text, salary numeric, retained_6m text)"

# Server CPU ticks so far: the postmaster with its reaped children, plus
# the live children (every process whose parent it is: /proc/PID/task/
# TID/children is not reliable while children come and go).
srv_ticks() {
	pm=$(head -1 "$VQR_TEST_PGDIR/data/postmaster.pid")
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$pm" '{
		pid = $1; sub(/^.*\) /, "")
		if (pid == pm) t += $12 + $13 + $14 + $15
		else if ($2 == pm) t += $12 + $13
	} END { print t + 0 }'
}
HZ=$(getconf CLK_TCK)

# measure METHOD ROWS CMD...: one timed run, appended to $W/results.
measure() {
	m=$1 n=$2
	shift 2
	: > "$W/stages.txt"
	q -d postgres -c CHECKPOINT
	s0=$(srv_ticks)
	if ! /usr/bin/time -o "$W/t" -f "%e %U %S %M" "$@" > "$W/out" 2>&1; then
		echo "e2e.sh: $m failed:" >&2
		tail -n 20 "$W/out" >&2
		exit 1
	fi
	s1=$(srv_ticks)
	read -r wall u s rss < "$W/t"
	# Peak RSS of every process: the command's own tree, and each stage.
	rss=$(awk -v r="$rss" '/^vqr-/ && $5 + 0 > r + 0 { r = $5 } END { print r }' "$W/stages.txt")
	echo "$n $m $wall $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') $(awk -v a="$s0" -v b="$s1" -v hz="$HZ" 'BEGIN { print (b - a) / hz }') $rss" >> "$W/results"
	awk -v n="$n" -v m="$m" '/^vqr-/ { print n, m, $1, $2, $3 + $4, $5 }' "$W/stages.txt" >> "$W/stageres"
}

check() { # what got expected
	[ "$2" = "$3" ] || { echo "e2e.sh: $1: $2 rows loaded, expected $3" >&2; exit 1; }
}

vqr_fresh() { # deployment
	q -d postgres -c "DROP DATABASE vqrb" -c "CREATE DATABASE vqrb"
	rm -rf "${W:?}/$1"
	mkdir -p "$W/$1/inbox"
	"$BIN/vqr" -c "$W/$1.yaml" init > /dev/null
	ln "$csv" "$W/$1/inbox/"
}

: > "$W/results"
: > "$W/stageres"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for n in "$@"; do
	csv="$W/毕业生去向登记表_$n.csv"
	"$W/gen" "$n" "$TOP/fixtures/reference/seed-majors-2023.csv" > "$csv"
	mb=$(awk -v b="$(stat -c %s "$csv")" 'BEGIN { printf "%.0f", b / 1e6 }')
	echo "e2e.sh: $n rows, $mb MB of UTF-8 CSV; $RUNS runs of each method" >&2
	cat > "$W/p.load" <<EOF
LOAD CSV FROM '$csv' WITH ENCODING utf-8
  INTO postgresql://$PGUSER@unix:$PGHOST:$PGPORT/bench TARGET TABLE register
  WITH skip header = 1, fields optionally enclosed by '"', fields escaped by double-quote,
       fields terminated by ','
  SET work_mem to '16MB', standard_conforming_strings to 'on';
EOF
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		i=$((i + 1))
		q -d bench -c "DROP TABLE IF EXISTS register" -c "$TABLE"
		measure copy "$n" "$PSQL" -X -q -d bench -c "\\copy register FROM '$csv' WITH (FORMAT csv, HEADER true)"
		check copy "$(q -d bench -c 'SELECT count(*) FROM register')" "$n"
		if [ -n "$PGLOADER" ]; then
			q -d bench -c "DROP TABLE register" -c "$TABLE"
			measure pgloader "$n" "$PGLOADER" -q "$W/p.load"
			check pgloader "$(q -d bench -c 'SELECT count(*) FROM register')" "$n"
		fi
		q -d bench -c "DROP TABLE register"
		vqr_fresh vqr
		measure vqr "$n" "$BIN/vqr" -c "$W/vqr.yaml" run
		check vqr "$(q -d vqrb -c 'SELECT sum(rows_loaded) FROM vqr.source_file')" "$n"
		vqr_fresh rows
		measure vqr+rows "$n" "$BIN/vqr" -c "$W/rows.yaml" run
		check vqr+rows "$(q -d vqrb -c 'SELECT count(*) FROM vqr_rows.graduate_destination')" "$n"
		echo "e2e.sh: $n rows: run $i of $RUNS done" >&2
	done
	rm -f "$csv"
	rm -rf "${W:?}/vqr" "${W:?}/rows"
done

# The table: medians per size and method, ratios of the median wall times.
echo
echo "machine: $(nproc) cores, $(awk '/model name/ { sub(/.*: /, ""); print; exit }' /proc/cpuinfo)," \
	"$(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1048576 }' /proc/meminfo);" \
	"PostgreSQL $(q -d postgres -c 'SHOW server_version'), fsync off; median of $RUNS runs;" \
	"load average before: $LOAD0, after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
function median(list,   k, n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
FNR == 1 { file++ }
file == 1 { k = $1 SUBSEP $2; if (!(k in wall)) { order[++no] = k }
	wall[k] = wall[k] " " $3; ccpu[k] = ccpu[k] " " $4; scpu[k] = scpu[k] " " $5; rss[k] = rss[k] " " $6; next }
file == 2 { k = $1 SUBSEP $2 SUBSEP $3; if (!(k in swall)) { sorder[++ns] = k }
	swall[k] = swall[k] " " $4; scpu2[k] = scpu2[k] " " $5; srss[k] = (srss[k] + 0 > $6 + 0 ? srss[k] : $6) }
END {
	printf "%-10s %-9s %9s %9s %9s %10s %8s %8s\n", "rows", "method", "wall s", "client", "server", "peak RSS", "x copy", "x pglr"
	printf "%-10s %-9s %9s %9s %9s %10s %8s %8s\n", "", "", "", "CPU s", "CPU s", "MB", "", ""
	for (i = 1; i <= no; i++) {
		split(order[i], kk, SUBSEP)
		w = median(wall[order[i]]); cw = median(wall[kk[1] SUBSEP "copy"]); pw = ""
		if ((kk[1] SUBSEP "pgloader") in wall) pw = median(wall[kk[1] SUBSEP "pgloader"])
		r = 0; n = split(rss[order[i]], a, " "); for (j = 1; j <= n; j++) if (a[j] + 0 > r) r = a[j] + 0
		printf "%-10s %-9s %9.2f %9.2f %9.2f %10.1f %8.2f %8s\n", kk[1], kk[2], w, median(ccpu[order[i]]),
			median(scpu[order[i]]), r / 1024, w / cw, pw == "" ? "-" : sprintf("%.3f", w / pw)
	}
	print ""
	printf "%-10s %-9s %-14s %9s %9s %10s\n", "rows", "method", "stage", "wall s", "CPU s", "peak RSS MB"
	for (i = 1; i <= ns; i++) {
		split(sorder[i], kk, SUBSEP)
		printf "%-10s %-9s %-14s %9.2f %9.2f %10.1f\n", kk[1], kk[2], kk[3], median(swall[sorder[i]]),
			median(scpu2[sorder[i]]), srss[sorder[i]] / 1024
	}
}' "$W/results" "$W/stageres"
