#!/bin/sh
# vqr report --format xlsx: the quality report's tables as an Excel
# workbook (libxlsxwriter), read back with openpyxl (report_book.py) and
# compared cell by cell with the same report in Markdown and with the
# school's values in the database: one sheet per table with a valid,
# unique name, the title on top, the headers (group labels merged), the
# numbers as numbers shown with the report's decimals, rates as
# percentages, each marked figure (†) with its footnote as a comment and
# the footnotes under the table, and an about sheet (说明).  Then: -o
# replaces a file only once complete, xlsx refuses standard output, and a
# directory that cannot be written exits 5 leaving nothing behind.  Last,
# CSV for Excel: a UTF-8 byte-order mark with -o (and --bom), read back
# with Python's csv: figures stay numbers, marks in a column 注 of their
# own, every figure as in the database.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/report_env.sh"

report_env vqr_e2e_report_xlsx

out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format xlsx 2>&1); rc=$?
is "$rc" 1 "--format xlsx without -o exits 1"
like "$out" "*--format xlsx writes a file: say which with -o FILE*" "  saying why"

mkdir -p "$WORK/out"
echo old > "$WORK/out/report.xlsx"
vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format xlsx -o "$WORK/out/report.xlsx" \
	>"$WORK/xlsx.out" 2>"$WORK/xlsx.err"; rc=$?
is "$rc" 0 "--format xlsx -o FILE exits 0"
is "$(cat "$WORK/xlsx.out" "$WORK/xlsx.err")" "" "  and prints nothing"
is "$(ls -A "$WORK/out")" "report.xlsx" "  replacing the file, no temporary file left"
is "$(head -c 2 "$WORK/out/report.xlsx")" "PK" "  with a workbook (a zip file)"

vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format markdown >"$WORK/report.md" 2>/dev/null
sql "SELECT value FROM vqr.indicator_value WHERE school_code = 'CQGYGJ'" >"$WORK/values"
"$PY" "$TOP/tests/e2e/report_book.py" "$WORK/out/report.xlsx" "$WORK/report.md" "$WORK/values" \
	重庆市工业高级技工学校 2022-2023 >"$WORK/book.out" 2>&1; rc=$?
is "$rc" 0 "the workbook matches the report and the database cell by cell"
[ "$rc" = 0 ] || sed 's/^/# /' "$WORK/book.out"
counts=$(tail -n 1 "$WORK/book.out")
# sections with a table (a sheet each), and text blocks (one sheet 文字 for all)
tables=$(awk '/^## /{t=0} /^\|/&&!t{t=1;n++} END{print n+0}' "$WORK/report.md")
texts=$(awk '/^## /{if(s&&!t)n++; s=1; t=0} /^\|/{t=1} END{if(s&&!t)n++; print (n>0)}' "$WORK/report.md")
# footnote marks of the sections with a table (a text block's marks stay in its text)
marks=$(awk '/^## /{if(t)n+=m; t=0; m=0} /^\|/{t=1} /^[†‡§¶]+ /{m++} END{if(t)n+=m; print n+0}' "$WORK/report.md")
like "$counts" "sheets $((tables + texts + 1)) *" "  one sheet per table ($tables), 文字 for the text blocks, and 说明"
like "$counts" "* comments $marks *" "  every marked figure ($marks) carries its footnote as a comment"
numbers=$(echo "$counts" | sed 's/.* numbers \([0-9]*\) .*/\1/')
cells=$(grep -o ' | [0-9][0-9.]*%\?[†‡§¶]* |' "$WORK/report.md" | wc -l)
ok $([ "$numbers" -ge "$cells" ] && [ "$numbers" -gt 0 ]; echo $?) "  every figure is a number ($numbers >= $cells)"
pcts=$(echo "$counts" | sed 's/.* percents \([0-9]*\) .*/\1/')
ok $([ "$pcts" -gt 0 ]; echo $?) "  rates are percentages ($pcts)"

# One figure, straight from the database: 表1-2's 737 counted (752 reported).
got=$("$PY" -c '
import openpyxl, sys
ws = next(w for w in openpyxl.load_workbook(sys.argv[1]).worksheets if str(w["A1"].value).startswith("表 1-2"))
for row in ws.iter_rows():
    for c in row:
        if c.comment:
            print(c.value, c.number_format, c.comment.text)
            ws2 = [x for x in row if isinstance(x.value, float) and x.number_format == "0.00%"]
            print(ws2[0].value if ws2 else None)
' "$WORK/out/report.xlsx")
want=$(sql "SELECT value FROM vqr.indicator_value WHERE school_code = 'CQGYGJ' AND period = '2022-2023'
	AND indicator_code = 'employment.dest.enterprise' AND breakdown = '{}' ORDER BY value_type")
rate=$(sql "SELECT round(value / 100, 4) FROM vqr.indicator_value WHERE school_code = 'CQGYGJ' AND period = '2022-2023'
	AND indicator_code = 'employment.dest.enterprise.rate' AND breakdown = '{}' AND value_type = 'computed'")
comp=$(echo "$want" | head -n 1); rep=$(echo "$want" | tail -n 1)
like "$got" "$comp 0 † 报告填报 $rep，按明细计算 $comp*" "表1-2: $comp computed (format 0), a comment with $rep reported"
like "$got" "*
$rate" "  its rate $rate as a fraction, format 0.00%"

# Cannot write there: exit 5, nothing left behind.
out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format xlsx -o "$WORK/nodir/r.xlsx" 2>&1); rc=$?
is "$rc" 5 "-o in a directory that does not exist exits 5"
like "$out" "*nodir/r.xlsx: cannot write there*" "  naming the file"
out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format text -o "$WORK/out/r.txt" 2>&1); rc=$?
is "$rc" 0 "-o works for every format (text)"
vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format text >"$WORK/r.txt" 2>/dev/null
ok $(cmp -s "$WORK/out/r.txt" "$WORK/r.txt"; echo $?) "  and writes what standard output gets"

# CSV that Excel opens by double-click, with figures that stay numbers.
vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format csv -o "$WORK/out/r.csv" 2>/dev/null; rc=$?
is "$rc" 0 "--format csv -o FILE exits 0"
is "$(head -c 3 "$WORK/out/r.csv" | od -An -tx1 | tr -d ' ')" "efbbbf" "  the file begins with a UTF-8 byte-order mark"
vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format csv >"$WORK/plain.csv" 2>/dev/null
is "$(head -c 3 "$WORK/plain.csv" | od -An -tx1 | tr -d ' ')" "$(head -c 3 "$WORK/plain.csv" | od -An -tx1 | tr -d ' ' | grep -v efbbbf)" \
	"  standard output has none"
vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format csv --bom >"$WORK/bom.csv" 2>/dev/null
ok $(cmp -s "$WORK/bom.csv" "$WORK/out/r.csv"; echo $?) "  unless --bom: then the same bytes as the file"
"$PY" "$TOP/tests/e2e/report_book.py" --csv "$WORK/out/r.csv" "$WORK/report.md" >"$WORK/csv.out" 2>&1; rc=$?
is "$rc" 0 "the CSV read back (python csv) holds the report's figures, marks in a column 注 of their own"
[ "$rc" = 0 ] || sed 's/^/# /' "$WORK/csv.out"
nmarks=$marks  # the marks of the sections with a table
figures=$(grep -o ' | [0-9][0-9.]*%\?[†‡§¶]* |' "$WORK/report.md" | wc -l)
like "$(tail -n 1 "$WORK/csv.out")" "numbers * marks $nmarks" "  all $nmarks marks of the tables"
nums=$(tail -n 1 "$WORK/csv.out" | cut -d' ' -f2)
ok $([ "$nums" -ge "$figures" ] && [ "$nums" -gt 0 ]; echo $?) "  every figure a bare number ($nums >= $figures)"
like "$(sed -n '/^表 1-2/,/^$/p' "$WORK/out/r.csv")" "*数量（人）,注,*
1,企事业单位就业,737,†,50.27*" "  表1-2: 737 and its mark † in the column after it"

done_testing
