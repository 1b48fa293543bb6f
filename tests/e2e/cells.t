#!/bin/sh
# Cells as Excel users write them (tests/data/cells, made by make_cells.py):
# a formula gives its cached value, and one without (a workbook written by
# a library, never opened in a spreadsheet program) is a reject naming
# its row and column; the same workbook saved by LibreOffice gives the
# values; hidden rows and columns are read; numbers kept as text
# ("0012", " 12 ", full-width) give their value; an ID typed with a
# leading apostrophe keeps its zeros; CSV's ="0012" and '0012 guards give
# the value.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

D=$TOP/tests/data/cells
make_config c
sed -i "s#- $TOP/config/sources/graduate_destination.yaml#- $D/sources.yaml#; \\#config/indicators/#d" "$WORK/c.yaml"

extract() { # extract FILE: vqr-extract into $WORK/s; its output in $out, status in $rc
	rm -rf "$WORK/s"
	out=$(vqr-extract -c "$WORK/c.yaml" -o "$WORK/s" "$D/$1" 2>&1); rc=$?
}
rows() { # the rows staged, without _period and year
	cut -f1,4- "$WORK/s/rows.tsv" | tail -n +2
}
tab() { printf "$@" | tr '|' '\t'; }

# openpyxl: no cached values.
extract 单元格_openpyxl_2022-2023.xlsx
is "$rc" 2 "openpyxl: formulas without values are rejects (exit 2)"
is "$(tail -n +2 "$WORK/s/rejects.tsv" | cut -f1-6)" "$(tab '2|5|金额|amount|\\N|formula\n3|5|金额|amount|\\N|formula')" \
	"openpyxl: one reject per formula, with its row, column and field"
like "$out" "*单元格_openpyxl_2022-2023.xlsx:2:5: 金额: a formula without a cached value; open and save the file in Excel or LibreOffice to compute it*" \
	"openpyxl: the message says what to do"
is "$(rows)" "$(tab '4|0014|12|12.5|150|数字存为文本')" \
	"openpyxl: \" 12 \" and \"１２.5\" kept as text give 12 and 12.5; the apostrophe-typed ID keeps its zeros"

# The same workbook opened and saved by LibreOffice: the cached values.
extract 单元格_lo_2022-2023.xlsx
is "$rc" 0 "LibreOffice: exit 0"
is "$(rows)" "$(tab '2|0012|5|2|10|公式\n3|0013|12|4.5|54|隐藏的行\n4|0014|12|12.5|150|数字存为文本')" \
	"LibreOffice: the formulas' values; the hidden row 3 and hidden column F are read"
is "$(tail -n +2 "$WORK/s/rejects.tsv")" "" "LibreOffice: no rejects"

# CSV: Excel's text guards.
extract 单元格_guard_2022-2023.csv
is "$rc" 2 "CSV: exit 2 (one bad row)"
is "$(rows)" "$(tab '2|0012|12|12.5|150|等号引号\n3|0013|3|4.5|13.5|撇号\n4|0014|12|2|24|全角数字')" \
	"CSV: =\"0012\" gives 0012, '0013 gives 0013, '3 gives 3, full-width １２ gives 12"
is "$(tail -n +2 "$WORK/s/rejects.tsv" | cut -f1-6)" "$(tab '5|3|人数|count|x|integer')" \
	"CSV: 'x in a number column is still not a number (line 5)"
like "$out" "*单元格_guard_2022-2023.csv:5:3: 人数: \"x\" is not a number*" "CSV: with file, line and column"
done_testing
