#!/bin/sh
# vqr report: the tables of the 2023 quality report of 重庆市工业高级技工学校
# from a fresh database holding the report's figures (typed in from the
# report: tests/data/report/seed_2022-2023.sql), printed in the layout of
# config/report/quality_report.yaml as text, Markdown and CSV and compared
# with tests/data/report/expected_2022-2023.{txt,md,csv} (the report's
# tables, with the report's inconsistencies as footnotes: 752 printed
# against 737 counted, 71 against 14 + 28 + 30, 26.31% against
# 1589.19 / 6042.72).  Then: periods (snapshot, fiscal year, semester, an
# explicit period), warnings, refusals with file:line:col, usage errors,
# a full disk, and a regional database without a configuration file.
# Last, vqr show without --year: the latest academic year, then the fiscal
# year and snapshot that go with it under headings of their own.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/report_env.sh"

report_env vqr_e2e_report

for f in txt md csv; do
	case $f in txt) fmt=text ;; md) fmt=markdown ;; csv) fmt=csv ;; esac
	vqr -c "$CFG" report --school CQGYGJ --year 2022-2023 --format $fmt --layout "$LAYOUT" \
		>"$WORK/out.$f" 2>"$WORK/err.$f"; rc=$?
	is "$rc" 0 "vqr report --format $fmt exits 0"
	is "$(cat "$WORK/err.$f")" "" "  and says nothing on stderr"
	if cmp -s "$WORK/out.$f" "$DATA/expected_2022-2023.$f"; then
		ok 0 "  and prints the report's tables (expected_2022-2023.$f)"
	else
		ok 1 "  and prints the report's tables (expected_2022-2023.$f)"
		diff "$DATA/expected_2022-2023.$f" "$WORK/out.$f" | head -30 | sed 's/^/# /'
	fi
done

# What the comparison above rests on, said once more in words.
txt=$WORK/out.txt
like "$(cat "$txt")" "*企事业单位就业        737†      50.27*" "表1-2: 737 counted, marked against the 752 printed"
like "$(cat "$txt")" "*† 报告填报 752，按明细计算 737 / reported 752, computed 737*" "  with its footnote"
like "$(cat "$txt")" "*72†*† 报告填报 71，按明细计算 72 / reported 71, computed 72*" "1.6: 71 printed, 14 + 28 + 30 = 72"
like "$(cat "$txt")" "*26.30†*† 报告填报 26.31，按明细计算 26.30*" "5.5: 26.31% printed, 1589.19 / 6042.72 = 26.30%"
like "$(cat "$txt")" "*筹措经费总额             6042.72*" "5.5: 6042.72 万元 of fiscal 2022, not 6500 of 2023; equal reported value unmarked"
like "$(cat "$txt")" "*   440       395       265           130         181                    19*" \
	"表2-2: the snapshot of 2023-08-31 (not 2023-06-30, 2022-08-31 or 2023-09-30); 19 from the summary sheet only"
like "$(cat "$txt")" "*家长满意度                              91.20%*" "表1-1: 91.195 rounds half up to 91.20%"
is "$(grep -c '^[0-9]* *[^ ]*（[^）]*）（0[0-9]*-[234]）$\|^[0-9]* *[^ ]*（1501-3）$' "$txt")" 33 "表2-1: 33 programmes"
like "$(cat "$txt")" "*32    铁路客运服务（高铁乘务方向）（中级工）（0430-4）*" "  a direction is shown in brackets, in the catalog's order (序号)"
like "$(cat "$txt")" "*4     电子技术应用（高级工）（0209-3）*" "  and left out when there is none"
# Columns line up on a terminal: every line of 表2-3 has one display width.
widths=$(grep -A5 '^表 2-3' "$txt" | sed -n '4,6p' | while IFS= read -r l; do
	printf '%s' "$l" | python3 -c 'import sys, unicodedata as u; s = sys.stdin.read(); print(sum(2 if u.east_asian_width(c) in "WF" else 1 for c in s))'
done | sort -u | tr '\n' ' ')
is "$widths" "94 " "表2-3: header, rule and row have the same display width (CJK counted double)"
is "$(awk '{ if (substr($0, length($0)) != "\r") bad++ } END { print bad + 0 }' "$WORK/out.csv")" 0 "every CSV line ends with CRLF"
like "$(cat "$WORK/out.csv")" '*"† 报告填报 752，按明细计算 737 / reported 752, computed 737"*' "CSV quotes a field with a comma"

out=$(vqr -c "$CFG" report --layout "$LAYOUT" --table 2-2 2>&1); rc=$?
is "$rc" 0 "--table 2-2, no --school or --year: the configuration's school, the latest year"
like "$out" "*2022-2023 学年*表 2-2 2023 年师资队伍基本情况一览表*" "  prints 2022-2023"
is "$(printf '%s\n' "$out" | grep -c '^表')" 1 "  and that table only"

# (nothing installed: VQR_DATADIR names an empty directory, as the build
# tree's vqr would otherwise find the source tree's config/)
mkdir -p "$WORK/nodata"
out=$(VQR_DATADIR="$WORK/nodata" vqr -c "$CFG" report --table 5.5 2>&1); rc=$?
is "$rc" 1 "no --layout, none beside the configuration nor installed: exits 1"
like "$out" "*cannot open the report layout*hint: name the layout with --layout FILE*" "  with a hint"
mkdir -p "$WORK/report" && cp "$LAYOUT" "$WORK/report/quality_report.yaml"
out=$(vqr -c "$CFG" report --table 5.5 2>&1); rc=$?
is "$rc" 0 "no --layout: report/quality_report.yaml beside the configuration"
like "$out" "*5.5 2022 年学校筹措经费情况*" "  is used"

# Periods and warnings, in a small layout.
sql "INSERT INTO vqr.indicator (indicator_code, name_zh, name_en, unit, kind, aggregate, period_type)
     VALUES ('test.semester', '学期测试', 'semester test', '人', 'count', 'sum', 'semester');
     INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code, value, batch_id)
     SELECT 'CQGYGJ', p, 'test.semester', '{}', 'computed', 'report_test', v, batch_id
     FROM (VALUES ('2022-2023-1', 12), ('2022-2023-2', 34)) AS x(p, v), vqr.batch WHERE label = 'report-test'" >/dev/null
cat > "$WORK/small.yaml" <<'YAML'
tables:
  - id: p
    title: "{school_code} {year} {fiscal_year}"
    columns: [what, {title: value, align: left}]
    rows:
      - [秋期, {indicator: test.semester, semester: 1}]
      - [春期, {indicator: test.semester, semester: 2}]
      - [no semester, {indicator: test.semester}]
      - ["{year_end}", {indicator: finance.revenue.total, period: "{year_end}", format: "%.1f 万元"}]
      - [unknown, {indicator: no.such.indicator}]
      - [reported, {indicator: employment.dest.enterprise, value_type: reported}]
      - [default, {indicator: employment.dest.enterprise.rate}]
      - [semester?, {indicator: staff.total, semester: 2}]
      - [other year, {indicator: employment.dest.enterprise, period: "2021-2022"}]
YAML
vqr -c "$CFG" report --year 2022-2023 --layout "$WORK/small.yaml" >"$WORK/small.out" 2>"$WORK/small.err"; rc=$?
is "$rc" 0 "a layout with warnings still prints (exit 0)"
cat > "$WORK/small.want" <<'TXT'
CQGYGJ 2022-2023 2022

what         value
-----------  -----------
秋期         12
春期         34
no semester  —
2023         6500.0 万元
unknown      —
reported     752
default      50.27
semester?    440
other year   690
TXT
if cmp -s "$WORK/small.out" "$WORK/small.want"; then ok 0 "semester 1 and 2, an explicit period, reported only, default format"
else ok 1 "semester 1 and 2, an explicit period, reported only, default format"; diff "$WORK/small.want" "$WORK/small.out" | sed 's/^/# /'; fi
err=$(cat "$WORK/small.err")
like "$err" "*small.yaml:8:23: indicator test.semester is counted per semester: say semester: 1 or 2*" "warning: a semester indicator without a semester"
like "$err" "*small.yaml:10:19: indicator no.such.indicator is not in the database's catalog*" "warning: an unknown indicator, with line and column"
like "$err" "*small.yaml:13:21: indicator staff.total is counted per snapshot, not per semester*" "warning: a semester for an indicator of another period type"

# A text block: a paragraph whose placeholders are values (with their
# marks and footnotes), and a block of key figures (label, value).
cat > "$WORK/text.yaml" <<'YAML'
tables:
  - id: t
    title: "{year} 文字"
    text: "{school_name}毕业生在企事业单位就业 {n} 人，占 {rate}，\
      未知 {none}。"
    values:
      n: {indicator: employment.dest.enterprise, format: integer}
      rate: {indicator: employment.dest.enterprise.rate, format: percent}
      none: {indicator: no.such.indicator}
  - id: k
    title: 要点
    figures:
      - [企事业单位就业（人）, {indicator: employment.dest.enterprise, value_type: reported}]
      - [高等教育深造（人）, {indicator: employment.dest.further_study}]
YAML
out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$WORK/text.yaml" 2>"$WORK/text.err"); rc=$?
is "$rc" 0 "a layout with a text block and key figures prints (exit 0)"
is "$out" "2022-2023 文字

重庆市工业高级技工学校毕业生在企事业单位就业 737† 人，占 50.27%，未知 —。

† 报告填报 752，按明细计算 737 / reported 752, computed 737

要点

指标                  数值
--------------------  ----
企事业单位就业（人）   752
高等教育深造（人）     709" "  the paragraph with its values, the mark and its footnote; the figures as label and value"
like "$(cat "$WORK/text.err")" "*text.yaml:9:13: indicator no.such.indicator is not in the database's catalog*" \
	"  a value of a text block is warned about with its line and column"
out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$WORK/text.yaml" --format markdown 2>/dev/null)
like "$out" "*## 2022-2023 文字

重庆市工业高级技工学校毕业生在企事业单位就业 737† 人*| 企事业单位就业（人） | 752 |*" "  in Markdown: a paragraph and a table"
out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$WORK/text.yaml" --format csv 2>/dev/null)
like "$out" "*2022-2023 文字*
重庆市工业高级技工学校毕业生在企事业单位就业 737† 人*" "  in CSV: the title, then the paragraph as one field"

# Layout errors: file:line:col before the database is asked.
bad() {
	printf '%s\n' "$2" > "$WORK/bad.yaml"
	out=$(vqr -c "$CFG" report --layout "$WORK/bad.yaml" 2>&1); rc=$?
	is "$rc" 1 "bad layout ($1) exits 1"
	like "$out" "*$WORK/bad.yaml:$3*" "  $3"
}
bad "unknown key" 'tables:
  - id: a
    title: x
    colour: red' '4:5: unknown key "colour" in a table*'
bad "unknown variable" 'tables:
  - id: a
    title: "表 {yr}"' '3:12: title: unknown variable {yr} (known: school_name,*'
bad "short row" 'tables:
  - id: a
    title: x
    columns: [a, b]
    rows:
      - [x]' '6:9: this row has 1 cells, the table has 2 columns'
bad "format" 'tables:
  - id: a
    title: x
    columns: [a]
    rows:
      - [{indicator: x, format: "%5.2f"}]' '6:33: format "%5.2f": a number is written %.Nf*'
bad "unquoted template" 'tables:
  - id: a
    title: x
    columns: [a]
    rows:
      - [{n}]' '6:10: a value cell needs indicator: CODE (quote text that starts with "{")'
bad "order field" 'tables:
  - id: a
    title: x
    columns: [a]
    rows_from: {indicator: x, by: [major], order: [level]}
    row: ["{major}"]' '5:51: order: "level" is not one of the by fields'
bad "row variable" 'tables:
  - id: a
    title: x
    columns: [a]
    rows_from: {indicator: x, by: [major]}
    row: ["{level}"]' '6:11: a cell: unknown variable {level}*'
bad "YAML syntax" 'tables: [' '2:1: did not find expected node content*'
bad "text variable" 'tables:
  - id: a
    title: x
    text: "{n} and {m}"
    values: {n: {indicator: x}}' '4:11: text: unknown variable {m}*'
bad "values without text" 'tables:
  - id: a
    title: x
    columns: [a]
    rows: [[b]]
    values: {n: {indicator: x}}' '6:13: values go with text:*'
bad "text and figures" 'tables:
  - id: a
    title: x
    text: y
    figures: [[a, {indicator: x}]]' '5:14: block a is text or figures, not both'
bad "a value that is not a value" 'tables:
  - id: a
    title: x
    text: "{n}"
    values: {n: 3}' '5:17: value n must be {indicator: CODE, ...}'

# Usage errors.
out=$(vqr -c "$CFG" report --layout "$LAYOUT" --format pdf 2>&1); rc=$?
is "$rc" 1 "--format pdf exits 1"; like "$out" "*--format pdf: text, markdown, csv, html or xlsx*" "  and names the formats"
out=$(vqr -c "$CFG" report --layout "$LAYOUT" --year 2023 2>&1); rc=$?
is "$rc" 1 "--year 2023 exits 1"; like "$out" "*like 2022-2023*" "  and shows how a year is written"
out=$(vqr -c "$CFG" report --layout "$LAYOUT" --school NOPE 2>&1); rc=$?
is "$rc" 1 "an unknown school exits 1"; like "$out" "*school NOPE is not in the database*" "  and lists the schools"
out=$(vqr -c "$CFG" report --layout "$LAYOUT" --table 9-9 2>&1); rc=$?
is "$rc" 1 "an unknown table exits 1"; like "$out" "*no table \"9-9\"*" "  and says so"
out=$(vqr -c "$CFG" report --layout "$WORK/none.yaml" 2>&1); rc=$?
is "$rc" 1 "a missing layout exits 1"; like "$out" "*none.yaml: cannot open the report layout*" "  and says so"
out=$(vqr -c "$CFG" report --layout "$LAYOUT" --year 2019-2020 2>&1 >/dev/null); rc=$?
is "$rc" 0 "a year without data prints dashes (exit 0)"; like "$out" "*no value of CQGYGJ in 2019-2020*" "  with a warning"
vqr -c "$CFG" report --layout "$LAYOUT" >/dev/full 2>/dev/null; rc=$?
is "$rc" 5 "a full disk exits 5"
out=$(vqr -d "host=/nonexistent" report --school CQGYGJ --layout "$LAYOUT" 2>&1); rc=$?
is "$rc" 3 "an unreachable database exits 3"
like "$(vqr --help)" "*report  *--school CODE*--format FMT*--layout FILE*" "--help documents report"

# Read only: an analyst can print the report.
sql "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'vqr_report_reader') THEN
     CREATE ROLE vqr_report_reader LOGIN; END IF; END \$\$; GRANT vqr_analyst TO vqr_report_reader" >/dev/null 2>&1
out=$(vqr -c "$CFG" -d "$TEST_DB user=vqr_report_reader" report --year 2022-2023 --layout "$LAYOUT" 2>&1); rc=$?
is "$rc" 0 "vqr_analyst can run vqr report"
is "$out" "$(cat "$DATA/expected_2022-2023.txt")" "  and sees the same tables"

# A regional database: --database and --school, no configuration file.
out=$(cd "$WORK" && VQR_CONFIG= vqr -d "$TEST_DB" report --school CQGYGJ --year 2022-2023 --layout "$LAYOUT" 2>&1); rc=$?
is "$rc" 0 "without a configuration file: --database and --school"
is "$out" "$(cat "$DATA/expected_2022-2023.txt")" "  print the same tables"
out=$(cd "$WORK" && VQR_CONFIG= vqr -d "$TEST_DB" report --layout "$LAYOUT" 2>&1); rc=$?
is "$rc" 1 "  and without --school it exits 1"; like "$out" "*needs --school*" "  asking for it"

# vqr show on the same figures: without --year, the latest academic year,
# then under headings of their own the periods vqr report pairs with it
# (its semesters, the fiscal year it starts in, its last snapshot), then
# the later periods by name.
out=$(vqr -c "$CFG" show 2>&1); rc=$?
is "$rc" 0 "vqr show exits 0"
like "$out" "*
学年 2022-2023 (academic year)
*employment.dest.enterprise  *737  人*
学期 2022-2023-1 (semester)
*test.semester  *12  人*
学期 2022-2023-2 (semester)
*test.semester  *34  人*
会计年度 2022 (fiscal year)
*finance.revenue.total  *6042.72  *
时点 2023-08-31 (snapshot)
*staff.total  *440  人*" "without --year: 2022-2023, its semesters, fiscal 2022 and the snapshot of 2023-08-31, each under its heading"
like "$out" "*
也已载入较新的统计期 / later periods also loaded: 2023, 2023-09-30 (vqr show --year PERIOD)" "  and names the later fiscal year and snapshot"
case "$out" in *6500*|*"时点 2023-09-30"*) ok 1 "  whose values it does not mix in" ;; *) ok 0 "  whose values it does not mix in" ;; esac
out=$(vqr -c "$CFG" show --year 2023 2>&1); rc=$?
like "$out" "*
会计年度 2023 (fiscal year)
*finance.revenue.total  *6500  *" "vqr show --year 2023: the fiscal year 2023 under its heading"
case "$out" in *学年*|*6042.72*) ok 1 "  alone" ;; *) ok 0 "  alone" ;; esac

# vqr show after loading two academic years of graduates and two fiscal
# years of income: the later academic year and the fiscal year it starts in.
cat > "$WORK/show.yaml" <<YAML
school: {code: CQGYGJ, name: 重庆市工业高级技工学校, region: 重庆市}
database: "$(pg_temp_createdb vqr_e2e_show)"
paths: {inbox: show/inbox, staging: show/staging, archive: show/archive, quarantine: show/quarantine, settle_seconds: 0}
include:
  - $TOP/config/sources/graduate_destination.yaml
  - $TOP/config/sources/finance_ledger.yaml
  - $TOP/config/sources/procurement_ledger.yaml
  - $TOP/config/sources/contract_ledger.yaml
  - $TOP/config/indicators/employment.yaml
  - $TOP/config/indicators/finance.yaml
YAML
mkdir -p "$WORK/show/inbox"
cp "$TOP/fixtures/CQGYGJ/2021-2022/毕业生去向登记表_2022届.csv" "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" \
	"$TOP/fixtures/CQGYGJ/2021-2022/收入明细账_2021.csv.gz" "$TOP/fixtures/CQGYGJ/2022-2023/收入明细账_2022.csv.gz" "$WORK/show/inbox/"
out=$(vqr -c "$WORK/show.yaml" init 2>&1 && vqr -c "$WORK/show.yaml" run 2>&1); rc=$?
is "$rc" 0 "two academic years of graduates and two fiscal years of income load" || diag "$out"
out=$(vqr -c "$WORK/show.yaml" show 2>&1); rc=$?
is "$rc" 0 "vqr show exits 0"
SHOWDB=$(sed -n 's/^database: "\(.*\)"$/\1/p' "$WORK/show.yaml")
shown() { # the value as vqr show prints it: shown INDICATOR PERIOD
	psql -X -q -A -t -d "$SHOWDB" -c "select trim_scale(round(value, 2)) from vqr.indicator_value
		where indicator_code = '$1' and period = '$2' and breakdown = '{}' and value_type = 'computed'"
}
g22=$(shown employment.graduates.total 2021-2022); g23=$(shown employment.graduates.total 2022-2023)
f21=$(shown finance.revenue.total 2021); f22=$(shown finance.revenue.total 2022)
ok $([ -n "$g22" ] && [ -n "$g23" ] && [ "$g22" != "$g23" ] && [ -n "$f21" ] && [ "$f21" != "$f22" ]; echo $?) \
	"  the years differ ($g22 and $g23 graduates, $f21 and $f22 万元)"
like "$out" "*
学年 2022-2023 (academic year)
*employment.graduates.total  *毕业生人数  *$g23  人*
会计年度 2022 (fiscal year)
*finance.revenue.total  *筹措经费总额  *$f22  万元*" "without --year: the latest academic year, then the fiscal-year heading with fiscal 2022"
case "$out" in *2021-2022*|*"会计年度 2021"*|*" $g22  人"*|*" $f21  万元"*) ok 1 "  and neither 2021-2022 nor fiscal 2021" ;;
*) ok 0 "  and neither 2021-2022 nor fiscal 2021" ;; esac
out=$(vqr -c "$WORK/show.yaml" show --year 2021-2022 2>&1); rc=$?
like "$out" "*
学年 2021-2022 (academic year)
*employment.graduates.total  *毕业生人数  *$g22  人*" "vqr show --year 2021-2022 still shows that year"
case "$out" in *会计年度*|*later*) ok 1 "  and that year only" ;; *) ok 0 "  and that year only" ;; esac

done_testing
