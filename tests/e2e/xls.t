#!/bin/sh
# .xls (Excel 97-2003) end to end: the register of tests/cli/formats.t as
# python3-xlwt wrote it (1900 and 1904 date systems) and as LibreOffice
# converted its .xlsx form (tests/data/xls/make_xls.sh) gives the canonical
# rows of the CSV and .xlsx forms byte for byte; a bad cell is rejected
# with its sheet row and column; a damaged or BIFF5 .xls is quarantined
# with its reason; and vqr run loads an .xls from the inbox to the same
# indicator values as its CSV.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

F="$TOP/tests/data/formats"
X="$TOP/tests/data/xls"
make_config f
ref=""
for file in "$F/毕业生去向登记表_utf8.csv" "$F/毕业生去向登记表_excel.xlsx" "$X/毕业生去向登记表_xlwt.xls" \
	"$X/毕业生去向登记表_1904.xls" "$X/毕业生去向登记表_libreoffice.xls"; do
	name=$(basename "$file")
	out=$(vqr-extract -c "$WORK/f.yaml" -o "$WORK/$name" "$file" 2>&1); rc=$?
	is "$rc" 0 "$name: extract exits 0"
	sum=$(sha256sum < "$WORK/$name/rows.tsv" | cut -d' ' -f1)
	if [ -z "$ref" ]; then
		ref=$sum
		is "$(wc -l < "$WORK/$name/rows.tsv" | tr -d ' ')" 201 "$name: 200 rows and the column line"
	else
		is "$sum" "$ref" "$name: canonical rows byte-identical to the UTF-8 CSV's"
	fi
	case $name in
	*.xls)
		like "$(cat "$WORK/$name/manifest.yaml")" "*encoding: xls (sheet 毕业生去向)*" \
			"$name: the manifest records the format and the sheet"
		like "$(cat "$WORK/$name/manifest.yaml")" "*header_line: 2*" \
			"$name: the header is found below the merged title row";;
	esac
done

# A bad date in data row 6 is sheet row 8 (title and header above it).
out=$(vqr-extract -c "$WORK/f.yaml" -o "$WORK/bad" "$X/毕业生去向登记表_bad.xls" 2>&1); rc=$?
like "$out" "*毕业生去向登记表_bad.xls:8:12: 毕业日期: \"2023-02-30\" is not a valid date*" \
	"a bad cell is named by its sheet row and column"
is "$(grep -c . "$WORK/bad/rows.tsv")" 200 "the other 199 rows are staged"
is "$(cut -f1,2,3,5 "$WORK/bad/rejects.tsv" | tail -n +2)" "8	12	毕业日期	2023-02-30" \
	"rejects.tsv has the sheet row, column, header and value"

# A 5.6 KB workbook whose three sheets declare 65,536 x 256 cells each:
# libfreexl would allocate about 768 MiB, so vqr-extract refuses it with
# the reason before libfreexl loads it.
out=$(vqr-extract -c "$WORK/f.yaml" -o "$WORK/large" "$X/毕业生去向登记表_declared_large.xls" 2>&1); rc=$?
is "$rc" 2 "an .xls whose sheets declare too many cells is refused (exit 2)"
like "$out" "*毕业生去向登记表_declared_large.xls: the workbook's sheets declare 50331648 cells*768 MiB, over the limit of 256 MiB*" \
	"  naming the cells and the limit"

# vqr run: the .xls loads to the same values as its CSV; a BIFF5 and a
# truncated .xls are quarantined with their reasons.
test_db vqr_e2e_xls_csv
make_config c "$TEST_DB"
csv_db=$TEST_DB
cp "$F/毕业生去向登记表_utf8.csv" "$WORK/c/inbox/"
out=$(vqr -c "$WORK/c.yaml" init 2>&1 && vqr -c "$WORK/c.yaml" run 2>&1); rc=$?
is "$rc" 0 "vqr run on the CSV exits 0: $out"
test_db vqr_e2e_xls
make_config x "$TEST_DB"
cp "$X/毕业生去向登记表_xlwt.xls" "$WORK/x/inbox/"
/usr/bin/perl -e 'local $/; $_ = <STDIN>; s/\x09\x08\x10\x00\x00\x06/\x09\x08\x10\x00\x00\x05/g; print' \
	< "$X/cells_xlwt.xls" > "$WORK/x/inbox/毕业生去向登记表_biff5.xls"
head -c 3000 "$X/毕业生去向登记表_xlwt.xls" > "$WORK/x/inbox/毕业生去向登记表_cut.xls"
out=$(vqr -c "$WORK/x.yaml" init 2>&1 && vqr -v -c "$WORK/x.yaml" run 2>&1); rc=$?
is "$rc" 2 "vqr run on the .xls and two bad ones exits 2 (files quarantined)"
like "$out" "*1 file loaded (200 rows, 0 rejected)*" "the .xls loads its 200 rows"
is "$(values_digest "$TEST_DB")" "$(values_digest "$csv_db")" "the .xls gives the indicator values of its CSV"
is "$(sql "select encoding from vqr.source_file where file_name = '毕业生去向登记表_xlwt.xls'")" \
	"xls (sheet 毕业生去向)" "vqr.source_file records the format and sheet"
like "$(cat "$WORK/x/quarantine/毕业生去向登记表_biff5.xls.reason" 2>&1)" \
	"*not an Excel 97-2003 (BIFF8) workbook*" "a BIFF5 .xls is quarantined with the reason"
like "$(cat "$WORK/x/quarantine/毕业生去向登记表_cut.xls.reason" 2>&1)" \
	"*毕业生去向登记表_cut.xls: truncated or damaged OLE2 container*" "a truncated .xls is quarantined with the reason"
done_testing
