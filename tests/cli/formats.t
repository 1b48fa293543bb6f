#!/bin/sh
# The same register exported as UTF-8 CSV, UTF-8 with BOM, GB18030 CSV,
# UTF-16LE tab text, .csv.gz, .xlsx (merged title row above the header,
# real dates and numbers) and UTF-32LE CSV gives byte-identical canonical
# rows, and the manifest records the encoding found.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

D="$TOP/tests/data/formats"
make_config f
ref=""
# same_rows NAME CONFIG FILE ENC: FILE extracted into $WORK/NAME gives the
# canonical rows of the first form, and its manifest records ENC
same_rows() {
	out=$(vqr-extract -c "$2" -o "$WORK/$1" "$3" 2>&1); rc=$?
	is "$rc" 0 "$1: extract exits 0"
	sum=$(sha256sum < "$WORK/$1/rows.tsv" | cut -d' ' -f1)
	if [ -z "$ref" ]; then
		ref=$sum
		is "$(wc -l < "$WORK/$1/rows.tsv" | tr -d ' ')" 201 "$1: 200 rows and the column line"
	else
		is "$sum" "$ref" "$1: canonical rows byte-identical to the UTF-8 CSV's"
	fi
	like "$(cat "$WORK/$1/manifest.yaml")" "*encoding: $4*" "$1: the manifest records encoding $4"
	like "$(cat "$WORK/$1/manifest.yaml")" "*header_line: 2*" "$1: the header is found below the title row"
}
for kind in utf8.csv:utf-8 bom.csv:"utf-8 (BOM)" gb18030.csv:gb18030 utf16.txt:"utf-16le (BOM)" \
	gz.csv.gz:utf-8 excel.xlsx:"xlsx (sheet 毕业生去向)" utf32.csv:"utf-32le (BOM)"; do
	file="$D/毕业生去向登记表_${kind%%:*}"
	if [ "${kind%%:*}" = utf32.csv ]; then
		# UTF-32LE with its BOM (FF FE 00 00), made here from the UTF-8 form
		file="$WORK/毕业生去向登记表_utf32.csv"
		{ printf '\377\376\000\000'; iconv -f UTF-8 -t UTF-32LE "$D/毕业生去向登记表_utf8.csv"; } > "$file"
	fi
	same_rows "${kind%%:*}" "$WORK/f.yaml" "$file" "${kind#*:}"
done

# An opening quote without its closing one (line 50), and a stray quote in
# what it swallows (line 60): the file fails, the reason names the quote.
awk 'NR == 50 { sub(/,/, ",\"") } NR == 60 { sub(/,/, ",A\"B") } { print }' \
	"$D/毕业生去向登记表_utf8.csv" > "$WORK/毕业生去向登记表_quote.csv"
out=$(vqr-extract -c "$WORK/f.yaml" -o "$WORK/quote" "$WORK/毕业生去向登记表_quote.csv" 2>&1); rc=$?
is "$rc" 2 "unbalanced quotes fail the file"
like "$out" "*毕业生去向登记表_quote.csv:50:14: unbalanced quotes: the quoted field opened here runs over a line break and holds a stray quote (line 60)*" \
	"naming the line and column of the opening quote"

# A configured encoding is checked: GB18030 bytes are not UTF-8.
sed 's/^    encoding: auto .*$/    encoding: utf-8/' "$TOP/config/sources/graduate_destination.yaml" > "$WORK/src8.yaml"
cat > "$WORK/u.yaml" <<YAML
school: {code: X, name: Y}
include: [$WORK/src8.yaml]
YAML
out=$(vqr-extract -c "$WORK/u.yaml" -o "$WORK/bad" "$D/毕业生去向登记表_gb18030.csv" 2>&1); rc=$?
is "$rc" 2 "GB18030 bytes in a file configured as UTF-8 fail the file"
like "$out" "*毕业生去向登记表_gb18030.csv:1: invalid UTF-8 byte sequence at byte offset [0-9]*" "naming the line and the byte offset"

# encoding: utf-32le / utf-32be name the byte order: a file without a BOM
# is read as configured, with the same canonical rows; utf-32 needs the BOM.
for e in utf-32le:UTF-32LE utf-32be:UTF-32BE; do
	sed "s/^    encoding: auto .*\$/    encoding: ${e%%:*}/" \
		"$TOP/config/sources/graduate_destination.yaml" > "$WORK/src32.yaml"
	sed "s|src8.yaml|src32.yaml|" "$WORK/u.yaml" > "$WORK/u32.yaml"
	iconv -f UTF-8 -t "${e#*:}" "$D/毕业生去向登记表_utf8.csv" > "$WORK/毕业生去向登记表_nobom.csv"
	same_rows "${e%%:*}" "$WORK/u32.yaml" "$WORK/毕业生去向登记表_nobom.csv" "${e%%:*}"
done
sed "s/^    encoding: auto .*\$/    encoding: utf-32/" \
	"$TOP/config/sources/graduate_destination.yaml" > "$WORK/src32.yaml"
out=$(vqr-extract -c "$WORK/u32.yaml" -o "$WORK/u32nobom" "$WORK/毕业生去向登记表_nobom.csv" 2>&1); rc=$?
is "$rc" 2 "utf-32 without a BOM fails the file"
like "$out" "*encoding utf-32 needs a byte order mark*" "saying that it needs a BOM"
sed "s/^    encoding: auto .*\$/    encoding: utf-32x/" \
	"$TOP/config/sources/graduate_destination.yaml" > "$WORK/src32.yaml"
out=$(vqr-extract -c "$WORK/u32.yaml" -o "$WORK/u32x" "$D/毕业生去向登记表_utf8.csv" 2>&1); rc=$?
[ "$rc" != 0 ]; ok $? "an unknown encoding name is a configuration error (exit $rc)"
like "$out" "*src32.yaml:*encoding \"utf-32x\" is not one of utf-8, gb18030 (covers GBK and GB2312), utf-16, utf-32, utf-32le, utf-32be or auto*" \
	"naming the file, line and the accepted names"
done_testing
