#!/bin/sh
# night.sh - a college's night of many small files: `vqr run` over the 32
# exports of one college-year, side by side with the floor a shell script
# would get, in the same run (not a test: it prints figures).
#
#   sh bench/night.sh                   PAIRS=5 (interleaved pairs)
#   NIGHT_DIR=fixtures/CQGYGJ/2022-2023 sh bench/night.sh
#
# Each pair times, in turn (the order alternates from pair to pair):
#   vqr     `vqr run` with the shipped catalog on an inbox holding the 32
#           exports (xlsx, csv, csv.gz), into a freshly created and
#           initialised database;
#   floor   one psql per file (PostgreSQL's own psql binary, not Debian's
#           Perl wrapper), each `\copy`ing that file's rows, as UTF-8 CSV
#           with a header, into a fresh table of its own.
# The floor's CSV files are made once before the pairs from what
# vqr-extract reads in each export (its canonical rows, through a COPY
# round trip), so both load the same rows.  Creating the databases and
# tables is not timed.  Prints every pair, then the median of each, the
# median ratio vqr/floor and the load average before and after.
#
# Needs: a build (make), PostgreSQL (tests/lib/pg.sh starts a throwaway
# cluster: unix socket, fsync off).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=$TOP/${VQR_BUILD:-build}/bin
PAIRS=${PAIRS:-5}
DIR=${NIGHT_DIR:-$TOP/fixtures/CQGYGJ/2022-2023}
case $DIR in /*) ;; *) DIR=$TOP/$DIR ;; esac
[ -x "$BIN/vqr" ] || { echo "night.sh: no $BIN/vqr: run make first" >&2; exit 1; }
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

. "$TOP/bench/lib.sh"
bench_cluster night
now() { date +%s.%N; }

head -c 32 /dev/urandom > "$W/pii.key" && chmod 600 "$W/pii.key"
cat > "$W/vqr.yaml" <<YAML
school: {code: CQGYGJ, name: 重庆市工业高级技工学校, region: 重庆市}
database: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=night"
pii_key_file: $W/pii.key
paths: {inbox: inbox, staging: staging, archive: archive, quarantine: quarantine, settle_seconds: 0}
include: [$TOP/config/catalog.yaml]
YAML

# The floor's files: each export's rows as UTF-8 CSV with a header.
mkdir "$W/csv"
q -d postgres -c "CREATE DATABASE floor"
n=0 rows=0 bytes=0
for f in "$DIR"/*; do
	n=$((n + 1))
	bytes=$((bytes + $(stat -c %s "$f")))
	"$BIN/vqr-extract" -c "$W/vqr.yaml" -o "$W/x$n" "$f" >/dev/null 2>&1 ||
		{ echo "night.sh: vqr-extract $f failed" >&2; exit 1; }
	ncol=$(head -n 1 "$W/x$n/rows.tsv" | awk -F '\t' '{ print NF }')
	[ -n "$ncol" ] || ncol=$(awk -F '\t' 'NR == 1 { print NF }' "$W/x$n/rows.tsv")
	cols=$(awk -v n="$ncol" 'BEGIN { for (i = 1; i <= n; i++) printf "%sc%d text", (i > 1 ? ", " : ""), i }')
	echo "$cols" > "$W/csv/cols$n"
	q -d floor -c "CREATE TABLE t$n ($cols)" -c "\\copy t$n FROM '$W/x$n/rows.tsv'" \
		-c "\\copy t$n TO '$W/csv/f$n.csv' (FORMAT csv, HEADER)" -c "DROP TABLE t$n"
	rows=$((rows + $(wc -l < "$W/x$n/rows.tsv")))
	rm -rf "$W/x$n"
done
echo "night.sh: $n exports of $(basename "$(dirname "$DIR")") $(basename "$DIR"), $rows rows, $bytes bytes; $PAIRS pairs"

run_vqr() {
	q -d postgres -c "DROP DATABASE IF EXISTS night" -c "CREATE DATABASE night"
	rm -rf "$W/inbox" "$W/staging" "$W/archive" "$W/quarantine"
	mkdir "$W/inbox"
	cp "$DIR"/* "$W/inbox/"
	"$BIN/vqr" -c "$W/vqr.yaml" init >/dev/null 2>&1 || { echo "night.sh: vqr init failed" >&2; exit 1; }
	q -d night -c "CHECKPOINT"
	t0=$(now)
	rc=0
	"$BIN/vqr" -c "$W/vqr.yaml" run >"$W/run.out" 2>&1 || rc=$?
	t1=$(now)
	[ "$rc" = 0 ] || { echo "night.sh: vqr run exited $rc:" >&2; tail -5 "$W/run.out" >&2; exit 1; }
	got=$(q -d night -c "SELECT count(*) FROM vqr.source_file")
	[ "$got" = "$n" ] || { echo "night.sh: vqr loaded $got files of $n" >&2; exit 1; }
	echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }'
}

run_floor() {
	q -d postgres -c "DROP DATABASE IF EXISTS floor" -c "CREATE DATABASE floor"
	i=0
	while [ "$i" -lt "$n" ]; do
		i=$((i + 1))
		q -d floor -c "CREATE TABLE t$i ($(cat "$W/csv/cols$i"))"
	done
	q -d floor -c "CHECKPOINT"
	t0=$(now)
	i=0
	while [ "$i" -lt "$n" ]; do
		i=$((i + 1))
		"$PSQL" -X -q -d floor -c "\\copy t$i FROM '$W/csv/f$i.csv' (FORMAT csv, HEADER)"
	done
	t1=$(now)
	got=$(q -d floor -c "SELECT $(i=0; while [ $i -lt $n ]; do i=$((i + 1)); printf '%s(SELECT count(*) FROM t%d)' "$([ $i -gt 1 ] && echo +)" $i; done)")
	[ "$got" = "$rows" ] || { echo "night.sh: the floor loaded $got rows of $rows" >&2; exit 1; }
	echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }'
}

printf '%-6s %10s %10s %8s\n' pair "vqr s" "floor s" ratio
p=0
: > "$W/pairs"
while [ "$p" -lt "$PAIRS" ]; do
	p=$((p + 1))
	if [ $((p % 2)) = 1 ]; then
		v=$(run_vqr); f=$(run_floor)
	else
		f=$(run_floor); v=$(run_vqr)
	fi
	echo "$v $f" >> "$W/pairs"
	echo "$p $v $f" | awk '{ printf "%-6s %10.3f %10.3f %7.2fx\n", $1, $2, $3, $2 / $3 }'
done
med() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mv=$(cut -d' ' -f1 "$W/pairs" | med)
mf=$(cut -d' ' -f2 "$W/pairs" | med)
mr=$(awk '{ print $1 / $2 }' "$W/pairs" | med)
printf '%-6s %10.3f %10.3f %7.2fx   (median of %d pairs; ratio: median of the pairs'"'"' ratios)\n' median "$mv" "$mf" "$mr" "$PAIRS"
printf 'per file: vqr %.1f ms, floor %.1f ms\n' "$(echo "$mv $n" | awk '{ print $1 * 1000 / $2 }')" "$(echo "$mf $n" | awk '{ print $1 * 1000 / $2 }')"
echo "load average: before $LOAD0, after $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
