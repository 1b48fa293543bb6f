#!/bin/sh
# transform.sh - vqr-transform throughput and peak memory (issue 4's
# benchmark; it prints figures, it is not a test).
#
#   sh bench/transform.sh [ROWS]     (default 1000000; build first with make)
#
# A graduate register of ROWS rows (the fixture's 1466 graduates repeated)
# is extracted once; then the canonical rows are transformed three times
# with 20 indicators (counts, count_distinct, sums, means, min/max, rates)
# broken down by major and level (total, by major, by level, by both), and
# the median run is printed as rows/s with its peak RSS.
set -eu
ROWS=${1:-1000000}
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=$TOP/${VQR_BUILD:-build}/bin
W=$(mktemp -d "${TMPDIR:-/tmp}/vqr-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
. "$TOP/bench/lib.sh"
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

csv="$W/毕业生去向登记表_bench.csv"
repeat_fixture "$ROWS" "$csv"

{
	echo "indicators:"
	i=0
	for rule in 'count: "*"' 'count: "*", where: "destination = '"'企事业单位就业'"'"' \
		'count: "*", where: "destination = '"'高等教育深造'"'"' 'count: "*", where: "destination in ('"'自主择业', '自主创业'"')"' \
		'count: "*", where: "destination = '"'待就业'"'"' 'count: "*", where: "school_referred = true"' \
		'count_distinct: employer' 'count_distinct: industry, where: "in_field = true"' \
		'sum: salary' 'mean: salary' 'min: salary' 'max: salary, where: "retained_6m = true"' \
		'count: salary' 'count: "*", where: "salary >= 4000 and in_field = true"' \
		'count: "*", where: "graduation_date >= '"'2023-06-01'"'"' 'count: "*", where: "not (gender = '"'男'"')"'; do
		i=$((i + 1))
		kind=count
		case $rule in mean*) kind=mean ;; sum*|min*|max*) kind=amount ;; esac
		echo "  - {code: b.$i, name_zh: 指标$i, name_en: I$i, unit: 人, kind: $kind, aggregate: sum, source: graduate_destination, by: [major, level], $rule}"
	done
	for pair in 'destination = '"'企事业单位就业'"'|*' 'in_field = true|destination != '"'待就业'"'' \
		'retained_6m = true|retained_6m is not null' 'school_referred = true|destination = '"'企事业单位就业'"''; do
		i=$((i + 1))
		num=${pair%%|*} den=${pair#*|}
		if [ "$den" = "*" ]; then d='{count: "*"}'; else d="{count: \"*\", where: \"$den\"}"; fi
		echo "  - {code: b.$i, name_zh: 比率$i, name_en: R$i, unit: \"%\", kind: rate, source: graduate_destination, by: [major, level], ratio: {numerator: {count: \"*\", where: \"$num\"}, denominator: $d}}"
	done
} > "$W/ind.yaml"
cat > "$W/b.yaml" <<YAML
school: {code: BENCH, name: 基准}
include: [$TOP/config/sources/graduate_destination.yaml, $W/ind.yaml]
YAML
n=$(grep -c "code: b\." "$W/ind.yaml")
"$BIN/vqr-extract" -c "$W/b.yaml" -o "$W/s" "$csv" >/dev/null
for k in 1 2 3; do
	/usr/bin/time -f "%e %U %S %M" -o "$W/t$k" "$BIN/vqr-transform" -c "$W/b.yaml" "$W/s" >/dev/null
done
sort -n "$W/t1" "$W/t2" "$W/t3" | sed -n 2p > "$W/t"
read -r secs user sys rss < "$W/t"
user=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
groups=$(zcat "$W/s/indicators.gz" | wc -l)
printf 'transform: %s rows, %s indicators by major and level -> %s records\n' "$ROWS" "$n" "$groups"
printf '  median of 3: %s s wall, %s s CPU (user+system): %s rows/s wall, %s rows/s per CPU second, peak RSS %s MB\n' "$secs" "$user" \
	"$(awk -v r="$ROWS" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')" \
	"$(awk -v r="$ROWS" -v s="$user" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')" \
	"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '  canonical rows: %s MB (uncompressed COPY text)\n' \
	"$(awk -v b="$(stat -c %s "$W/s/rows.tsv")" 'BEGIN { printf "%.1f", b / 1e6 }')"
echo "machine: $(nproc) cores, $(awk '/model name/ { sub(/.*: /, ""); print; exit }' /proc/cpuinfo)"
