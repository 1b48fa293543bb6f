#!/bin/sh
# bench_xlsx.sh - time vqr's streaming .xlsx reader against Debian's
# xlsx2csv on the same generated workbook (1M rows x 10 columns by default,
# shaped like a graduate destination register as Excel writes it).
#
#   sh tests/bench/bench_xlsx.sh [ROWS] [DIR] [ROUNDS]
#
# Four measurements, ROUNDS times each (default 3, interleaved), best
# wall time kept, peak RSS from /usr/bin/time:
#   read      xlsx_next over the whole sheet (the reader the extract stage uses)
#   csv       the same, writing CSV to /dev/null (like for like with xlsx2csv)
#   extract   the whole vqr-extract stage on the workbook (checks every cell,
#             writes the staging rows), when build/bin/vqr-extract exists
#   xlsx2csv  xlsx2csv FILE > /dev/null
# Needs: a build (make: the reader is linked from build/libvqr.a), cc,
# pkg-config, xlsx2csv, time (/usr/bin/time).
set -eu
ROWS=${1:-1000000}
DIR=${2:-${TMPDIR:-/tmp}/bench_xlsx}
ROUNDS=${3:-3}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$DIR"
BIN=$DIR/bench_xlsx
WB=$DIR/bench_$ROWS.xlsx

. "$TOP/bench/lib.sh"
build_bench_xlsx "$BIN"
[ -f "$WB" ] || "$BIN" gen "$WB" "$ROWS"
echo "# workbook: $WB ($(du -k "$WB" | cut -f1) KiB, $ROWS data rows + header, 10 columns)"
"$BIN" read "$WB"

# run LABEL CMD...: append "seconds KiB" of one run to $DIR/LABEL.times
run() {
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$DIR/time.out" "$@" > /dev/null || true
	tail -n 1 "$DIR/time.out" >> "$DIR/$label.times"
}
rm -f "$DIR"/*.times
EXTRACT=$TOP/${VQR_BUILD:-build}/bin/vqr-extract
have_ex=0
if [ -x "$EXTRACT" ]; then
	have_ex=1
	cat > "$DIR/b.yaml" <<YAML
school: {code: BENCH, name: 基准}
include: [$TOP/config/sources/graduate_destination.yaml]
YAML
fi
have_x2c=0
command -v xlsx2csv >/dev/null 2>&1 && have_x2c=1
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	run read "$BIN" read "$WB" 2>/dev/null
	run csv "$BIN" csv "$WB" 2>/dev/null
	[ "$have_ex" = 1 ] && run extract "$EXTRACT" -c "$DIR/b.yaml" -s graduate_destination \
		-o "$DIR/staging" "$WB"
	[ "$have_x2c" = 1 ] && run xlsx2csv xlsx2csv "$WB"
	i=$((i + 1))
done
best() {        # best wall time and the largest peak RSS of LABEL
	sort -n "$DIR/$1.times" | head -n 1 | cut -d' ' -f1
}
rss() {
	sort -n -k2 "$DIR/$1.times" | tail -n 1 | cut -d' ' -f2
}
labels="read csv"
[ "$have_ex" = 1 ] && labels="$labels extract"
for l in $labels; do
	echo "vqr $l: best $(best $l) s of $ROUNDS, peak RSS $(rss $l) KiB"
done
if [ "$have_x2c" = 1 ]; then
	echo "xlsx2csv: best $(best xlsx2csv) s of $ROUNDS, peak RSS $(rss xlsx2csv) KiB"
	printf 'speed-up:'
	for l in $labels; do
		awk -v a="$(best xlsx2csv)" -v r="$(best $l)" -v l="$l" 'BEGIN { printf " %s %.1fx", l, a / r }'
	done
	echo
else
	echo "xlsx2csv: not installed (apt-get install xlsx2csv)"
fi
