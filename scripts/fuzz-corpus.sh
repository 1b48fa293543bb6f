#!/bin/sh
# fuzz-corpus.sh - build the seed corpus of the fuzz targets from the
# project's own inputs: DIR/<name>/ for each target of tests/fuzz/targets.
#
#   sh scripts/fuzz-corpus.sh build-fuzz/corpus
#
#   csvin  every .csv, .tsv, .txt and .csv.gz under fixtures/, tests/data/ and
#          tests/corpus/ (other writers' files; up to 256 KiB), behind the option byte 0 (detect everything)
#          and 0x40 (small limits)
#   xlsx   every .xlsx there, behind the option byte 0 (one reader) and 1 (two parts);
#          those of tests/data/headers also behind 2 and 3 (merged ranges read)
#   xls    every .xls there (tests/corpus: other writers' files)
#   cfg    every .yaml under config/, fixtures/ and tests/data/
#   expr   each distinct `where:` filter of those YAML files
#   calc   each distinct formula (left:, right:, formula:, numerator:, denominator:)
#   hpath  the first lines of every .csv under tests/data/headers, behind the
#          option byte 1 (two header rows), 2 (three) and 5 (two, merged ranges)
#   and the regression inputs of tests/data/fuzz/<name>/.
# Seeds are named by their sha256, so rerunning adds nothing twice.
set -eu
OUT=${1:?usage: fuzz-corpus.sh DIR}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
NAMES=$(grep '^[a-z]' tests/fuzz/targets)
for n in $NAMES; do
	mkdir -p "$OUT/$n"
done

# seed NAME: stdin becomes a seed of NAME
seed() {
	tmp=$OUT/$1/.seed.$$
	cat > "$tmp"
	mv "$tmp" "$OUT/$1/$(sha256sum < "$tmp" | cut -c1-40)"
}

find fixtures tests/data tests/corpus -type f -size -257k \( -name '*.csv' -o -name '*.tsv' -o -name '*.txt' \
	-o -name '*.csv.gz' \) | while IFS= read -r f; do
	{ printf '\000'; cat "$f"; } | seed csvin
	{ printf '\100'; cat "$f"; } | seed csvin
done
find fixtures tests/data tests/corpus -type f -size -1025k -name '*.xlsx' | while IFS= read -r f; do
	{ printf '\000'; cat "$f"; } | seed xlsx
	{ printf '\001'; cat "$f"; } | seed xlsx
done
# the workbooks with merged header rows, read with the first pass for merges
find tests/data/headers -type f -name '*.xlsx' | while IFS= read -r f; do
	{ printf '\002'; cat "$f"; } | seed xlsx
	{ printf '\003'; cat "$f"; } | seed xlsx
done
find fixtures tests/data tests/corpus -type f -size -1025k -name '*.xls' | while IFS= read -r f; do
	seed xls < "$f"
done
find config fixtures tests/data -type f -name '*.yaml' | while IFS= read -r f; do
	seed cfg < "$f"
done
# the quoted or plain value of KEY: lines, one a line
values() {
	find config fixtures tests/data -type f -name '*.yaml' -exec cat {} + |
		sed -n -E "s/^[[:space:]-]*($1):[[:space:]]*//p" |
		sed -E 's/[[:space:]]+#.*$//; s/^"(.*)"$/\1/; s/^'"'"'(.*)'"'"'$/\1/' | sort -u
}
values where | while IFS= read -r e; do
	printf '%s' "$e" | seed expr
done
values 'left|right|formula|numerator|denominator' | grep -v '^[{[]' | while IFS= read -r e; do
	printf '%s' "$e" | seed calc
done
find tests/data/headers -type f -name '*.csv' | while IFS= read -r f; do
	{ printf '\001'; head -5 "$f"; } | seed hpath
	{ printf '\002'; head -5 "$f"; } | seed hpath
	{ printf '\005'; head -5 "$f"; } | seed hpath
done
for n in $NAMES; do
	if [ -d "tests/data/fuzz/$n" ]; then
		for f in "tests/data/fuzz/$n"/*; do
			[ -f "$f" ] && seed "$n" < "$f"
		done
	fi
	echo "fuzz-corpus.sh: $n: $(ls "$OUT/$n" | wc -l) seeds"
done
