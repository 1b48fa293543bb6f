#!/bin/sh
# vqr report --region: the schools of a database side by side.  The
# report's figures of 重庆市工业高级技工学校 (tests/data/report) plus two
# more schools with graduate destinations of their own, every rate with
# its numerator and denominator.  Each figure column becomes one column
# per school and a region column; the region's rate is checked against
# the numerators and denominators summed in SQL, and against the mean of
# the schools' percentages, which differs; a count is the sum.  The
# majors of 表2-1 (rows from breakdowns) are the union of the schools'
# rows, numbered again.  A text block is each school's paragraph and
# the region's (the template filled with the region's figures).  Every
# format prints it; the workbook holds the region's rate as a number.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/report_env.sh"

report_env vqr_e2e_report_region
# Two more schools: graduates 40 and 1000; the report's school had 1466.
report_more_schools
sql "INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code, value, batch_id)
     SELECT 'RGN2', '2022-2023', 'majors.programme_levels', b, 'computed', 'report_test', 1,
            (SELECT batch_id FROM vqr.batch WHERE label = 'region-2')
     FROM vqr.indicator_value v, LATERAL (SELECT v.breakdown AS b UNION ALL
          SELECT jsonb_build_object('seq', '99', 'major_code', '9999-3', 'major', '区域新专业', 'direction', NULL, 'level', '高级工')) AS x
     WHERE v.school_code = 'CQGYGJ' AND v.indicator_code = 'majors.programme_levels' AND v.breakdown ? 'major_code'
       AND v.breakdown->>'major_code' = '0209-3'" >/dev/null
ok $? "two more schools with their graduates' destinations and one major of their own"

rate_sql="FROM vqr.indicator_value WHERE indicator_code = 'employment.dest.enterprise.rate' AND period = '2022-2023'
	AND breakdown = '{}' AND value_type = 'computed'"
ratio=$(sql "SELECT round(sum(numerator) / sum(denominator) * 100, 2) $rate_sql")
mean=$(sql "SELECT round(avg(value), 2) $rate_sql")
count=$(sql "SELECT sum(value) FROM vqr.indicator_value WHERE indicator_code = 'employment.dest.enterprise'
	AND period = '2022-2023' AND breakdown = '{}' AND value_type = 'computed'")
ok $([ "$ratio" != "$mean" ]; echo $?) "the ratio of sums ($ratio) is not the mean of the percentages ($mean)"

vqr -c "$CFG" report --region --year 2022-2023 --layout "$LAYOUT" --table 1-2 --format csv \
	>"$WORK/r.csv" 2>"$WORK/r.err"; rc=$?
is "$rc" 0 "vqr report --region --table 1-2 exits 0"
is "$(cat "$WORK/r.err")" "" "  and says nothing on stderr"
got=$("$PY" - "$WORK/r.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
head = next(r for r in rows if len(r) > 2)
row = next(r for r in rows if len(r) > 2 and r[1] == "企事业单位就业")
cols = {h: v for h, v in zip(head, row)}
print("|".join(head))
print(cols["2023 年 数量（人） 区域 / region"], cols["2023 年 比例（%） 区域 / region"],
      cols["2023 年 比例（%） 区域第二技工学校"], cols["2023 年 数量（人） 重庆市工业高级技工学校"],
      cols.get("注", ""))
PY
)
like "$got" "序号|就业类型|2023 年 数量（人） 重庆市工业高级技工学校|注|2023 年 数量（人） 区域第二技工学校|2023 年 数量（人） 区域第三技工学校|2023 年 数量（人） 区域 / region|2023 年 比例（%） 重庆市工业高级技工学校|*" \
	"  one column per school and one for the region, under the figure's header"
like "$got" "*
$count $ratio 75.00 737 †" "  region: $count graduates (the sum), $ratio% (sum of numerators / sum of denominators), marks kept"
like "$(cat "$WORK/r.csv")" "*† 重庆市工业高级技工学校：报告填报 752，按明细计算 737*" "  the footnote names its school"

out=$(vqr -c "$CFG" report --region --year 2022-2023 --layout "$LAYOUT" --table 2-1 2>&1); rc=$?
is "$rc" 0 "--region --table 2-1 exits 0"
majors=$(sql "SELECT count(DISTINCT breakdown) FROM vqr.indicator_value WHERE indicator_code = 'majors.programme_levels'
	AND breakdown ? 'major_code' AND breakdown ? 'seq'")
is "$(printf '%s\n' "$out" | grep -c '^[0-9][0-9]* ')" "$majors" "  表2-1 lists the union of the schools' majors ($majors)"
like "$out" "*
$majors  *区域新专业（高级工）（9999-3）*" "  numbered again, the new one last"

# A text block: each school's paragraph, then the region's, the same
# template filled with the region's figures, in every format.
for fmt in text markdown csv; do
	out=$(vqr -c "$CFG" report --region --year 2022-2023 --layout "$LAYOUT" --table 1.4 --format $fmt 2>/dev/null)
	like "$out" "*重庆市工业高级技工学校：2022-2023 学年，学校毕业生 — 人，其中在企事业单位就业 737† 人*" "--region --table 1.4 --format $fmt: each school's paragraph"
	like "$out" "*区域（3 校）/ region：2022-2023 学年，学校毕业生 * 人，其中在企事业单位就业 $count 人，占 $ratio%*" \
		"  and the region's: $count (the sum), $ratio% (the ratio of sums)"
done
vqr -c "$CFG" report --region --year 2022-2023 --layout "$LAYOUT" --table 1.4 --format xlsx -o "$WORK/t.xlsx" 2>/dev/null
like "$("$PY" -c '
import openpyxl, sys
for ws in openpyxl.load_workbook(sys.argv[1]).worksheets:
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None: print(c.value)
' "$WORK/t.xlsx")" "*区域（3 校）/ region：*在企事业单位就业 $count 人，占 $ratio%*" "  --format xlsx: the region's paragraph"

# the tables with figures: those with a right-aligned column in Markdown
withfig=$(vqr -c "$CFG" report --school CQGYGJ --year 2022-2023 --layout "$LAYOUT" --format markdown 2>/dev/null |
	grep -c -- '---:')
for fmt in text markdown; do
	vqr -c "$CFG" report --region --year 2022-2023 --layout "$LAYOUT" --format $fmt >"$WORK/all.$fmt" 2>/dev/null
	is "$?" 0 "--region --format $fmt: every table"
	is "$(grep -c "区域 / region" "$WORK/all.$fmt")" "$withfig" "  each of the $withfig tables with figures has region columns"
done
vqr -c "$CFG" report --region --year 2022-2023 --layout "$LAYOUT" --format xlsx -o "$WORK/r.xlsx" 2>/dev/null
is "$?" 0 "--region --format xlsx"
got=$("$PY" -c '
import openpyxl, sys
ws = next(w for w in openpyxl.load_workbook(sys.argv[1]).worksheets if str(w["A1"].value).startswith("表 1-2"))
for row in ws.iter_rows():
    if row[1].value == "企事业单位就业":
        print(row[-1].value, row[-1].number_format)
' "$WORK/r.xlsx")
is "$got" "$(sql "SELECT round(sum(numerator) / sum(denominator), 4) $rate_sql") 0.00%" "  the region's rate in the workbook: a fraction, format 0.00%"

done_testing
