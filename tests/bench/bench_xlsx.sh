#!/bin/sh
# bench_xlsx.sh - time vqr's streaming .xlsx reader against Debian's
# xlsx2csv on the same generated workbook (1M rows x 10 columns by default).
#
#   sh tests/bench/bench_xlsx.sh [ROWS] [DIR]
#
# Needs: cc, pkg-config, libminizip-dev, libexpat1-dev, zlib, xlsx2csv,
# /usr/bin/time (package time).  Prints seconds and peak RSS of each.
set -eu
ROWS=${1:-1000000}
DIR=${2:-${TMPDIR:-/tmp}/bench_xlsx}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$DIR"
BIN=$DIR/bench_xlsx
WB=$DIR/bench_$ROWS.xlsx

cc -std=c11 -O2 -Wall -Wextra -Werror -Wno-format-truncation -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-I"$TOP/stages" -o "$BIN" "$TOP/tests/bench/bench_xlsx.c" "$TOP/stages/xlsx.c" \
	$(pkg-config --cflags --libs minizip expat zlib) -lm
[ -f "$WB" ] || "$BIN" gen "$WB" "$ROWS"
echo "# workbook: $WB ($(du -k "$WB" | cut -f1) KiB, $ROWS data rows)"

measure() {     # measure LABEL CMD...: wall seconds and peak RSS of CMD
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$DIR/time.out" "$@" > "$DIR/$label.out"
	set -- $(tail -n 1 "$DIR/time.out")
	echo "$label: ${1} s, peak RSS ${2} KiB"
}
measure vqr_xlsx "$BIN" read "$WB"
cat "$DIR/vqr_xlsx.out"
if command -v xlsx2csv >/dev/null 2>&1; then
	measure xlsx2csv xlsx2csv "$WB"
	echo "xlsx2csv: $(wc -l < "$DIR/xlsx2csv.out") lines of CSV"
else
	echo "xlsx2csv: not installed (apt-get install xlsx2csv)"
fi
