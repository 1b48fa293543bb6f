#!/bin/sh
# stages.sh - throughput and peak memory of vqr-extract and vqr-transform on
# a generated graduate register (not a test: it prints figures).
#
#   sh bench/stages.sh [ROWS]        (default 1000000; build first with make)
#
# The register repeats the fixture's 1466 graduates until ROWS rows; it is
# written as UTF-8 CSV, GB18030 CSV (iconv) and .csv.gz, each extracted and
# timed with /usr/bin/time; then the canonical rows are transformed.  An
# .xlsx register of ROWS rows (10 columns, tests/bench/bench_xlsx.c gen,
# built here against the build's library) is
# extracted too.  MB/s is of the input file as stored (for .gz and .xlsx
# the compressed size; rows/s compares them).
set -eu
ROWS=${1:-1000000}
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=$TOP/${VQR_BUILD:-build}/bin
W=$(mktemp -d "${TMPDIR:-/tmp}/vqr-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
. "$TOP/bench/lib.sh"
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

csv="$W/毕业生去向登记表_bench.csv"
repeat_fixture "$ROWS" "$csv"
iconv -f UTF-8 -t GB18030 "$csv" > "$W/毕业生去向登记表_gb.csv"
gzip -1 -c "$csv" > "$W/毕业生去向登记表_gz.csv.gz"
cat > "$W/b.yaml" <<YAML
school: {code: BENCH, name: 基准}
include: [$TOP/config/sources/graduate_destination.yaml, $TOP/config/indicators/employment.yaml]
YAML
sed -i 's/encoding: utf-8/encoding: auto/' "$W/b.yaml" 2>/dev/null || true

printf '%-28s %10s %10s %10s %10s %12s %8s\n' "stage (input)" "MB" "seconds" "MB/s" "peak RSS" "rows/s" "CPU s"
run() { # label, input file, command...
	label=$1 input=$2
	shift 2
	/usr/bin/time -f "%e %M %U %S" -o "$W/t" "$@" >/dev/null || true
	read -r secs rss usr sys < "$W/t"
	mb=$(awk -v b="$(stat -c %s "$input")" 'BEGIN { printf "%.1f", b / 1e6 }')
	printf '%-28s %10s %10s %10s %8s MB %12s %8s\n' "$label" "$mb" "$secs" \
		"$(awk -v m="$mb" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? m / s : 0) }')" \
		"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(awk -v r="$ROWS" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')" \
		"$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
}
run "extract (UTF-8 CSV)" "$csv" "$BIN/vqr-extract" -c "$W/b.yaml" -o "$W/s1" "$csv"
if "$BIN/vqr-extract" -c "$W/b.yaml" -o "$W/s2" "$W/毕业生去向登记表_gb.csv" >/dev/null 2>&1; then
	run "extract (GB18030 CSV)" "$W/毕业生去向登记表_gb.csv" "$BIN/vqr-extract" -c "$W/b.yaml" -o "$W/s2" "$W/毕业生去向登记表_gb.csv"
else
	echo "extract (GB18030 CSV)        not supported by this build"
fi
run "extract (.csv.gz)" "$W/毕业生去向登记表_gz.csv.gz" "$BIN/vqr-extract" -c "$W/b.yaml" -o "$W/s3" "$W/毕业生去向登记表_gz.csv.gz"
if build_bench_xlsx "$W/bench_xlsx" 2>/dev/null &&
	"$W/bench_xlsx" gen "$W/毕业生去向登记表_x.xlsx" "$ROWS"; then
	run "extract (.xlsx)" "$W/毕业生去向登记表_x.xlsx" "$BIN/vqr-extract" -c "$W/b.yaml" -o "$W/s4" "$W/毕业生去向登记表_x.xlsx"
else
	echo "extract (.xlsx)              cannot build tests/bench/bench_xlsx.c to write the workbook"
fi
/usr/bin/time -f "%e %M %U %S" -o "$W/t" "$BIN/vqr-transform" -c "$W/b.yaml" "$W/s1" >/dev/null
read -r secs rss usr sys < "$W/t"
printf '%-28s %10s %10s %10s %8s MB %12s %8s\n' "transform ($ROWS rows)" "-" "$secs" "-" \
	"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" \
	"$(awk -v r="$ROWS" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')" \
	"$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
echo "load average before: $LOAD0, after: $(cut -d' ' -f1 /proc/loadavg) (other work on the machine slows the wall times)"
echo "machine: $(nproc) cores, $(awk '/model name/ { sub(/.*: /, ""); print; exit }' /proc/cpuinfo)"
