#!/bin/sh
# reprocess.sh - what `vqr reprocess --all` costs per file and per row
# (not a test: it prints figures).
#
#   sh bench/reprocess.sh               RUNS=3 (runs per set), BIG=300000
#   SETS="year big" sh bench/reprocess.sh   only these sets (no fit)
#
# Three sets of the fixture college CQGYGJ's exports, each loaded with
# `vqr run` into a fresh database (not timed), then reprocessed with
# `vqr reprocess --all` (timed, RUNS times, the median kept):
#   year    the 32 exports of 2022-2023
#   years   the exports of 2020-2021, 2021-2022 and 2022-2023 (94 files)
#   big     the 32 of 2022-2023 with the graduate register replaced by a
#           generated one of BIG rows (bench/lib.sh repeat_fixture):
#           the files of "year", many more rows
# and fits time = a + b * files + c * rows through the three medians:
# a the run's own cost, b the cost of a file, c that of a row.  The rows
# are those read from the exports (vqr.source_file.rows_read).
#
# Needs: a build (make), PostgreSQL (tests/lib/pg.sh starts a throwaway
# cluster: unix socket, fsync off).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=$TOP/${VQR_BUILD:-build}/bin
RUNS=${RUNS:-3}
BIG=${BIG:-300000}
FIX=$TOP/fixtures/CQGYGJ
[ -x "$BIN/vqr" ] || { echo "reprocess.sh: no $BIN/vqr: run make first" >&2; exit 1; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

. "$TOP/bench/lib.sh"
bench_cluster reprocess

# The big set's register: the fixture register's rows, repeated.
mkdir "$W/bigset"
for f in "$FIX"/2022-2023/*; do
	case $f in */毕业生去向登记表_*) ;; *) cp "$f" "$W/bigset/" ;; esac
done
repeat_fixture "$BIG" "$W/bigset/毕业生去向登记表_2022-2023.csv"

# Load a set (its files as arguments) into a fresh database, then time
# RUNS reprocesses; prints "files rows seconds" (the median).
measure() {
	name=$1
	shift
	rm -rf "$W/$name"
	mkdir -p "$W/$name/inbox"
	bench_config "$W/$name/vqr.yaml" "rp_$name"
	cp "$@" "$W/$name/inbox/"
	q -d postgres -c "DROP DATABASE IF EXISTS rp_$name" -c "CREATE DATABASE rp_$name"
	"$BIN/vqr" -c "$W/$name/vqr.yaml" init >/dev/null 2>&1 || { echo "reprocess.sh: vqr init failed" >&2; exit 1; }
	rc=0
	"$BIN/vqr" -c "$W/$name/vqr.yaml" run >"$W/$name/run.out" 2>&1 || rc=$?
	[ "$rc" -le 2 ] || { echo "reprocess.sh: vqr run of $name exited $rc:" >&2; tail -5 "$W/$name/run.out" >&2; exit 1; }
	files=$(q -d "rp_$name" -c "SELECT count(*) FROM vqr.source_file")
	rows=$(q -d "rp_$name" -c "SELECT sum(rows_read) FROM vqr.source_file")
	: > "$W/$name/times"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		i=$((i + 1))
		q -d "rp_$name" -c "CHECKPOINT"
		t0=$(bench_now)
		rc=0
		"$BIN/vqr" -c "$W/$name/vqr.yaml" reprocess --all >"$W/$name/rp.out" 2>&1 || rc=$?
		t1=$(bench_now)
		[ "$rc" -le 2 ] || { echo "reprocess.sh: vqr reprocess of $name exited $rc:" >&2; tail -5 "$W/$name/rp.out" >&2; exit 1; }
		grep -q "$files files reprocessed" "$W/$name/rp.out" ||
			{ echo "reprocess.sh: $name: not every file was reprocessed:" >&2; tail -3 "$W/$name/rp.out" >&2; exit 1; }
		echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$W/$name/times"
	done
	echo "$files $rows $(bench_median < "$W/$name/times")"
}

printf '%-6s %6s %9s %9s %11s\n' set files rows seconds "ms per file"
for set in ${SETS:-year years big}; do
	case $set in
	year) r=$(measure year "$FIX"/2022-2023/*) ;;
	years) r=$(measure years "$FIX"/2020-2021/* "$FIX"/2021-2022/* "$FIX"/2022-2023/*) ;;
	big) r=$(measure big "$W"/bigset/*) ;;
	esac
	echo "$set $r" >> "$W/sets"
	echo "$set $r" | awk '{ printf "%-6s %6d %9d %9.3f %11.1f\n", $1, $2, $3, $4, $4 * 1000 / $2 }'
done
# Solve a + b*files + c*rows = seconds through the three sets (Cramer).
[ "$(wc -l < "$W/sets")" = 3 ] || exit 0
awk '{ f[NR] = $2; r[NR] = $3; t[NR] = $4 }
END {
	det = (f[2] - f[1]) * (r[3] - r[1]) - (f[3] - f[1]) * (r[2] - r[1])
	if (det == 0) { print "reprocess.sh: the sets do not separate files from rows"; exit 1 }
	b = ((t[2] - t[1]) * (r[3] - r[1]) - (t[3] - t[1]) * (r[2] - r[1])) / det
	c = ((f[2] - f[1]) * (t[3] - t[1]) - (f[3] - f[1]) * (t[2] - t[1])) / det
	a = t[1] - b * f[1] - c * r[1]
	printf "fit: seconds = %.2f + %.1f ms x files + %.2f us x rows (%.0f rows per second)\n", a, b * 1000, c * 1e6, (c > 0 ? 1 / c : 0)
	if (a < 0 || b <= 0 || c <= 0)
		print "fit: a cost came out negative: the sets differ by less than the noise of the machine (run again, RUNS=5)"
}' "$W/sets"
echo "median of $RUNS runs per set; load average: before $LOAD0, after $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
