#!/bin/sh
# Headers of two rows (header_rows: 2): the seed report's 表2-3 (teachers
# by 职业资格 and 职称) and 5.1 (student aid by semester) as summary-sheet
# exports write them (tests/data/headers, made by make_headers.py).  Each
# column is named by its path through the header rows; a field names it
# by the whole path or by its last part; the CSV (group titles written
# once), the .xlsx (merged ranges) and the .xls LibreOffice saved from it
# give the same rows; rejects keep the
# file's lines; a last part two columns share names neither.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

D=$TOP/tests/data/headers
make_config c
sed -i "s#- $TOP/config/sources/graduate_destination.yaml#- $D/sources.yaml#; \\#config/indicators/#d" "$WORK/c.yaml"

col() { # col FILE NAME: the values of column NAME of a COPY text file, space-separated
	awk -F'\t' -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { printf "%s ", $c }' "$1"
}

# 表2-3: a title row, then 统计学年 ... 职业资格 (over 3 columns) 职称 (over 3).
for f in 教师结构_2022-2023.csv 教师结构_2022-2023.xlsx 教师结构_2022-2023.xls; do
	rm -rf "$WORK/s"
	out=$(vqr-extract -c "$WORK/c.yaml" -o "$WORK/s" "$D/$f" 2>&1); rc=$?
	is "$rc" 0 "$f: extract exits 0"
	like "$(cat "$WORK/s/manifest.yaml")" "*header_line: 3*" "$f: the header ends at line 3"
	is "$(col "$WORK/s/rows.tsv" senior_technician)$(col "$WORK/s/rows.tsv" technician)$(col "$WORK/s/rows.tsv" senior_worker)" \
		"43 86 168 " "$f: 职业资格/高级技师, 技师, 高级工 (by path and by last part)"
	is "$(col "$WORK/s/rows.tsv" junior_title)$(col "$WORK/s/rows.tsv" middle_title)$(col "$WORK/s/rows.tsv" senior_title)" \
		"181 103 53 " "$f: the 职称 group right of the 职业资格 group"
	is "$(col "$WORK/s/rows.tsv" culture)$(col "$WORK/s/rows.tsv" _line)" "74 4 " \
		"$f: a title down both rows names its column alone; the data row is line 4"
	cut -f3- "$WORK/s/rows.tsv" > "$WORK/$f.rows"
done
cmp -s "$WORK/教师结构_2022-2023.csv.rows" "$WORK/教师结构_2022-2023.xlsx.rows"
ok $? "the CSV and the .xlsx give the same rows"
cmp -s "$WORK/教师结构_2022-2023.csv.rows" "$WORK/教师结构_2022-2023.xls.rows"
ok $? "the CSV and the .xls give the same rows"

# 5.1: 2022年秋期 and 2023年春期 over 免学费 and 免住宿费.
rm -rf "$WORK/s"
out=$(vqr-extract -c "$WORK/c.yaml" -o "$WORK/s" "$D/学生资助_2022-2023.csv" 2>&1); rc=$?
is "$rc" 2 "aid: a bad row: exit 2"
is "$(col "$WORK/s/rows.tsv" autumn_tuition)/$(col "$WORK/s/rows.tsv" autumn_board)/$(col "$WORK/s/rows.tsv" spring_tuition)/$(col "$WORK/s/rows.tsv" spring_board)" \
	"3685 1 /1448 2 /3394 3 /909 4 " "aid: each semester's columns by their paths"
is "$(col "$WORK/s/rows.tsv" _line)" "3 4 " "aid: the data rows keep their lines"
is "$(sed -n 2p "$WORK/s/rejects.tsv" | cut -f1-4)" "$(printf '5\t2\t2022年秋期/免学费\tautumn_tuition')" \
	"aid: the reject names the file's line 5, column 2 and the column's path"
like "$out" "*学生资助_2022-2023.csv:5:2: 2022年秋期/免学费: \"十\" is not a number*" "aid: and so does the message"
like "$(cat "$WORK/s/manifest.yaml")" "*rows_skipped: 1*" "aid: the total row is skipped"

# A last part that two columns share names neither column (when no
# column has the field's whole path).
sed "s#header: 2022年秋期/免学费#header: 免学费#; s#header: 2023年春期／免学费#header: 春季免学费#" "$D/sources.yaml" > "$WORK/amb.yaml"
sed "s#- $D/sources.yaml#- $WORK/amb.yaml#" "$WORK/c.yaml" > "$WORK/a.yaml"
rm -rf "$WORK/s"
out=$(vqr-extract -c "$WORK/a.yaml" -o "$WORK/s" "$D/学生资助_2022-2023.csv" 2>&1); rc=$?
is "$rc" 2 "ambiguous last part: the file fails (exit 2)"
like "$(cat "$WORK/s/manifest.yaml")" "*status: failed*" "its manifest says failed"
like "$out" "*学生资助_2022-2023.csv:2:4: columns 2 \"2022年秋期/免学费\" and 4 \"2023年春期/免学费\" both end in the name of field autumn_tuition*" \
	"the message names both columns"
like "$out" "*hint: name the column by its whole path*" "and says how to name one"

# Merged ranges: an .xlsx gives them, and they decide the paths; the CSV
# of the same cells (as Excel exports it) is read by the rule for empty
# cells, which names these columns otherwise.  学年 is merged down over
# A1:A2 with B1 empty and not merged (the rule would make B "学年/人数");
# 2022年秋期 is merged over C1:D1 with E1 empty and not merged (the rule
# would make E "2022年秋期/免学费", a second column of that path, so that
# the year's 免学费 is named by no column).
extract() { # extract FILE: vqr-extract into a fresh $WORK/s; $out, $rc
	rm -rf "$WORK/s"
	out=$(vqr-extract -c "$WORK/c.yaml" -o "$WORK/s" "$1" 2>&1); rc=$?
}
extract "$D/资助合计_2022-2023.xlsx"
is "$rc" 0 "totals .xlsx: extract exits 0"
is "$(col "$WORK/s/rows.tsv" students)/$(col "$WORK/s/rows.tsv" autumn_tuition)/$(col "$WORK/s/rows.tsv" autumn_board)/$(col "$WORK/s/rows.tsv" year_tuition)" \
	"5123 /3685 /1448 /7079 " "totals .xlsx: 人数, 2022年秋期/免学费, 2022年秋期/免住宿费 and the year's 免学费 by the merged ranges"
like "$(cat "$WORK/s/manifest.yaml")" "*header_line: 2*" "totals .xlsx: the header ends at line 2"
extract "$D/资助合计_2022-2023.csv"
is "$rc" 2 "totals CSV (no merged ranges): the rule extends 2022年秋期 over column 5, the file fails"
like "$out" "*资助合计_2022-2023.csv: no header row with the required columns*line 2 (5 columns) has the known columns: 学年, 人数, 2022年秋期/免学费, 2022年秋期/免住宿费, 2022年秋期/免学费*" \
	"totals CSV: the year's 免学费 is named by no column (the rule gave column 5 the path of column 3)"

# header_rows: 1 (the default) on the same file: no header.
sed 's#^    header_rows: 2$#    header_rows: 1#' "$D/sources.yaml" > "$WORK/one.yaml"
sed "s#- $D/sources.yaml#- $WORK/one.yaml#" "$WORK/c.yaml" > "$WORK/o.yaml"
rm -rf "$WORK/s"
out=$(vqr-extract -c "$WORK/o.yaml" -o "$WORK/s" "$D/学生资助_2022-2023.csv" 2>&1)
like "$out" "*no header row with the required columns*" "without header_rows the two-row header is not found"

# Configuration errors name the file, line and column.
for v in "0:header_rows must be 1..10" "7:header_rows 7 is more than header_scan 5"; do
	sed "s#^    header_rows: 2\$#    header_rows: ${v%%:*}#" "$D/sources.yaml" > "$WORK/bad.yaml"
	sed "s#- $D/sources.yaml#- $WORK/bad.yaml#" "$WORK/c.yaml" > "$WORK/b.yaml"
	out=$(vqr-extract -c "$WORK/b.yaml" -o "$WORK/s" "$D/学生资助_2022-2023.csv" 2>&1); rc=$?
	is "$rc" 1 "header_rows: ${v%%:*} is a configuration error"
	like "$out" "*bad.yaml:11:18: ${v#*:}*" "with file:line:col"
done
done_testing
