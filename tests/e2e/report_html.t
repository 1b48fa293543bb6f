#!/bin/sh
# vqr report --format html: one self-contained page (no script, no fetch,
# a CJK font stack, lang zh-CN, a viewport, print CSS) that an HTML
# parser (Debian's python3-html5lib, strict) reads without error; every
# chart's marks carry the values of the database (表1-1 satisfaction as
# bars, 表1-2 destinations and 5.5 funding shares as stacked bars) and
# their lengths are proportional to them within a pixel, from zero, with
# (and a value of 1.4's text has its trend over the years loaded),
# the unit, the source and the date under each chart; the † footnotes
# under their tables; text escaped.  -o writes the file atomically.  The
# current findings of vqr.v_finding are footnotes that the figures they
# concern link to (and notes and cell comments in text, Markdown, xlsx);
# none of another year or superseded.  With one school in the database no
# chart sets it beside a region; with three (and as a role that
# row-level security confines to two), each figure of 1.4 is drawn beside
# the region's, checked against the ratio of sums (a count: the sum) and
# the rank computed here by SQL.  Last, headless Chromium renders the page
# of three schools: the screenshot is not blank and the title's pixels are
# dark in the top band.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"
. "$(dirname "$0")/report_env.sh"
PY=/usr/bin/python3   # Debian's, with python3-html5lib and python3-pil

test_db vqr_e2e_report_html
make_config c "$TEST_DB"
CFG=$WORK/c.yaml
LAYOUT=$TOP/config/report/quality_report.yaml
sed -i -e "s|^  - .*/config/sources/graduate_destination.yaml\$|  - $TOP/config/catalog.yaml|" \
	-e '/config\/indicators\/employment.yaml$/d' "$CFG"
head -c 32 /dev/urandom > "$WORK/pii.key" && chmod 600 "$WORK/pii.key" && echo "pii_key_file: $WORK/pii.key" >> "$CFG"
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"
# a summary sheet of another year: the database learns the whole catalog
cp "$TOP/fixtures/CQGYGJ/2020-2021/质量年报数据汇总表_2020-2021.xlsx" "$WORK/c/inbox/"
vqr -c "$CFG" run >/dev/null 2>&1; ok $? "the catalog is loaded"
psql -X -q -v ON_ERROR_STOP=1 -d "$TEST_DB" -f "$TOP/tests/data/report/seed_2022-2023.sql" >/dev/null 2>&1
ok $? "the report's figures are inserted"

# Validation findings of the year: the inconsistency of 752 and 737 as
# the built-in check found it (error), a check whose formula names the
# three destinations (warning), and two that must not show: one of
# another year, one superseded by a later check.
sql "INSERT INTO vqr.check_rule (check_code, name_zh, left_side, op, right_side, severity)
     VALUES ('dest_sum', '去向之和等于毕业生', 'employment.dest.enterprise + employment.dest.further_study + employment.dest.self_directed',
             '=', 'employment.graduates.total', 'warning');
     INSERT INTO vqr.finding (batch_id, school_code, period, check_code, severity, indicator_code, message, superseded_by)
     SELECT b.batch_id, 'CQGYGJ', p, c, sev, ind, msg, CASE WHEN old THEN b.batch_id END
     FROM vqr.batch b, (VALUES
       ('2022-2023', 'reported_vs_computed', 'error', 'employment.dest.enterprise', '填报 752 与明细 737 不符', false),
       ('2022-2023', 'dest_sum', 'warning', NULL, '去向人数之和 1461 少于毕业生 1466', false),
       ('2021-2022', 'dest_sum', 'warning', NULL, '上一学年的发现', false),
       ('2022-2023', 'dest_sum', 'error', NULL, '已被取代的发现', true)) AS f(p, c, sev, ind, msg, old)
     WHERE b.label = 'report-test'" >/dev/null
ok $? "findings are inserted"
sql "SELECT message || '|' || severity || '|' || coalesce(indicator_code, '') FROM vqr.v_finding
     WHERE school_code = 'CQGYGJ' AND period = '2022-2023'" > "$WORK/findings.txt"

out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format html -o "$WORK/r.html" 2>&1); rc=$?
is "$rc" 0 "vqr report --format html -o FILE exits 0"
is "$out" "" "  and says nothing"
ok $([ -s "$WORK/r.html" ] && [ -z "$(ls "$WORK" | grep 'r.html.tmp')" ]; echo $?) "  the file is written, no temporary file is left"
vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format html 2>/dev/null > "$WORK/stdout.html"
is "$(sed 's/20[0-9][0-9]-[01][0-9]-[0-3][0-9]/DATE/g' "$WORK/stdout.html" | md5sum)" \
	"$(sed 's/20[0-9][0-9]-[01][0-9]-[0-3][0-9]/DATE/g' "$WORK/r.html" | md5sum)" "  the same page as on stdout"

# The values the charts draw, from the database: label|value.
val() { # INDICATOR PERIOD [BREAKDOWN]: the computed value, else the reported one
	sql "SELECT value FROM vqr.indicator_value WHERE school_code = 'CQGYGJ' AND indicator_code = '$1'
	     AND period = '$2' AND breakdown = '${3:-{\}}' ORDER BY value_type = 'computed' DESC LIMIT 1"
}
{
	for x in 在校生满意度:satisfaction.current_students 家长满意度:satisfaction.parents \
		教职工满意度:satisfaction.staff 用人单位满意度:satisfaction.employers; do
		echo "1-1|${x%%:*}|$(val "${x#*:}" 2022-2023)"
	done
	for x in 企事业单位就业:employment.dest.enterprise 高等教育深造:employment.dest.further_study \
		自主择业:employment.dest.self_directed; do
		echo "1-2|${x%%:*}|$(val "${x#*:}" 2022-2023)"
	done
	for x in 财政拨款收入:finance.revenue.fiscal_appropriation.share 事业收入:finance.revenue.operating.share \
		非同级财政拨款收入:finance.revenue.non_peer_fiscal.share 其他预算收入:finance.revenue.other.share; do
		echo "5.5|${x%%:*}|$(val "${x#*:}" 2022)"
	done
	for y in 2021-2022 2022-2023; do
		echo "trend|$y|$(val employment.dest.enterprise $y)"
	done
} > "$WORK/want.txt"
is "$(grep -c '|[0-9]' "$WORK/want.txt")" 13 "the database holds the 13 values the test compares"
is "$(wc -l < "$WORK/findings.txt")" 2 "vqr.v_finding holds the 2 current findings of 2022-2023"

$PY - "$WORK/r.html" "$WORK/want.txt" "$WORK/findings.txt" > "$WORK/check.tap" 2>&1 <<'PY'
import sys, re, html5lib
n = 0
def ok(c, what):
    global n
    n += 1
    print(("ok" if c else "not ok"), n, "-", what)
src = open(sys.argv[1], encoding="utf-8").read()
try:
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(src)
    ok(True, "the page parses (html5lib, strict)")
except Exception as e:
    doc = html5lib.parse(src, namespaceHTMLElements=False)
    ok(False, "the page parses (html5lib, strict): %s" % e)
ok(doc.get("lang") == "zh-CN", "html lang=zh-CN")
ok(doc.find(".//meta[@charset='utf-8']") is not None, "meta charset utf-8")
ok(doc.find(".//meta[@name='viewport']") is not None, "a viewport: readable on a phone")
style = "".join(s.text or "" for s in doc.iter("style"))
ok('"Noto Sans CJK SC"' in style and '"PingFang SC"' in style and '"Microsoft YaHei"' in style, "a CJK font stack")
ok("@media print" in style and "size:A4" in style, "print CSS for A4")
ok(".scroll{overflow-x:auto" in style, "tables scroll sideways")
ok(not list(doc.iter("script")), "no script")
ext = [e.get(a) for e in doc.iter() for a in ("src", "href") if (e.get(a) or "").startswith(("http:", "https:", "//"))]
ok(not ext and "@import" not in style and "url(" not in style, "nothing fetched from the network")
ok(doc.find(".//h1").text.startswith("重庆市工业高级技工学校（CQGYGJ）2022-2023"), "the heading")
want = {}
for line in open(sys.argv[2], encoding="utf-8"):
    t, label, v = line.rstrip("\n").split("|")
    want.setdefault(t, {})[label] = float(v)
secs = {s.get("data-id"): s for s in doc.iter("section")}
for tid, kind in (("1-1", "bars"), ("1-2", "stack"), ("5.5", "stack")):
    s = secs.get(tid)
    svg = next((e for e in s.iter() if str(e.tag).endswith("svg")), None) if s is not None else None
    ok(svg is not None and kind in svg.get("class"), "%s: a chart (%s)" % (tid, kind))
    if svg is None:
        continue
    marks = {r.get("data-label"): r for r in svg.iter() if str(r.tag).endswith("rect") and r.get("class") == "mark"}
    for label, v in want[tid].items():
        r = marks.get(label)
        ok(r is not None and abs(float(r.get("data-value")) - v) <= 0.0051,
           "%s: %s drawn with the database's value %s (as rounded for the report)" % (tid, label, v))
    vals = [float(r.get("data-value")) for r in marks.values()]
    if kind == "bars":
        scale = float(svg.get("data-scale"))
        ok(all(abs(float(r.get("width")) - float(r.get("data-value")) * scale) <= 1 for r in marks.values()),
           "%s: every bar's length is its value times the scale, within a pixel" % tid)
        ok(len({r.get("x") for r in marks.values()}) == 1, "%s: every bar starts at zero" % tid)
        ok(abs(scale * float(svg.get("data-axis-max")) - 360) < 0.01 and float(svg.get("data-axis-max")) >= max(vals),
           "%s: the axis from 0 holds the largest value" % tid)
        ok(any("单位：%" in (t.text or "") for t in svg.iter() if str(t.tag).endswith("text")), "%s: the axis has its unit" % tid)
    else:
        tot = sum(vals)
        ok(abs(float(svg.get("data-sum")) - tot) < 0.01, "%s: the bar is the sum of the parts" % tid)
        ok(all(abs(float(r.get("width")) - float(r.get("data-value")) * 560 / tot) <= 1 for r in marks.values()),
           "%s: every segment is its share of the bar, within a pixel" % tid)
        xs = sorted((float(r.get("x")), float(r.get("width"))) for r in marks.values())
        ok(all(abs(a[0] + a[1] - b[0]) < 0.01 for a, b in zip(xs, xs[1:])) and abs(xs[0][0] - 40) < 0.01,
           "%s: the segments follow each other from the start" % tid)
    cap = s.find(".//figcaption")
    ok(cap is not None and "来源" in cap.text and re.search(r"20\d\d-\d\d-\d\d", cap.text),
       "%s: the source and the date under the chart" % tid)
# 1.4's text: each value's trend over the years loaded (here 2021-2022
# and 2022-2023 of employment.dest.enterprise), bars from zero.
trend = None
for f in secs["1.4"].iter("figure"):
    svg = next((e for e in f.iter() if str(e.tag).endswith("svg")), None)
    m = {r.get("data-label"): r for r in svg.iter() if str(r.tag).endswith("rect") and r.get("class") == "mark"}
    if set(m) == set(want["trend"]) and all(abs(float(m[k].get("data-value")) - v) < 0.0051 for k, v in want["trend"].items()):
        trend = (svg, m)
ok(trend is not None, "1.4: the trend of 企事业单位就业 over the loaded years, with the database's values")
if trend:
    sc = float(trend[0].get("data-scale"))
    ok(all(abs(float(r.get("width")) - float(r.get("data-value")) * sc) <= 1 for r in trend[1].values()),
       "  its bars' lengths are proportional to the values, within a pixel")
notes = " ".join(li.text or "" for li in secs["1-2"].iter("li"))
ok("† 报告填报 752，按明细计算 737" in notes, "1-2: the inconsistency is a footnote under its table")
# Findings of vqr.v_finding: footnotes under the blocks whose figures
# they concern, linked from those figures, with severity and message.
sev = {"error": "错误", "warning": "警告"}
def linked(sec, label):
    # the footnotes the marks of the row (table) or card labelled label link to
    out = []
    for row in list(sec.iter("tr")) + sec.findall(".//div[@class='card']"):
        if label not in "".join(row.itertext()):
            continue
        for a in row.iter("a"):
            li = sec.find(".//li[@id='%s']" % a.get("href", "#")[1:])
            out.append("".join(li.itertext()) if li is not None else None)
    return out
finds = [l.rstrip("\n").split("|") for l in open(sys.argv[3], encoding="utf-8")]
allnotes = " ".join("".join(li.itertext()) for li in doc.iter("li"))
for msg, severity, ind in finds:
    for tid, label in (("1-2", "企事业单位就业"),) + ((("1-2", "高等教育深造"), ("1-2", "自主择业")) if not ind else ()):
        ok(any(n and msg in n and "校验发现（" + sev[severity] in n for n in linked(secs[tid], label)),
           "%s: the finding '%s' (%s) is the footnote its row %s links to" % (tid, msg, severity, label))
    p14 = secs["1.4"].find(".//p")
    links = [secs["1.4"].find(".//li[@id='%s']" % a.get("href")[1:]) for a in p14.iter("a")]
    ok(any(li is not None and msg in "".join(li.itertext()) for li in links),
       "1.4: the paragraph's figures link to the finding '%s'" % msg)
ok("上一学年的发现" not in allnotes and "已被取代的发现" not in allnotes,
   "no finding of another year, none superseded")
ok(all("".join(sup.itertext()) in "†‡§¶" for sup in secs["1-2"].iter("sup")) and
   len(list(secs["1-2"].iter("sup"))) == 3, "1-2: the three marked cells of 表1-2 (737†, and the destinations)")
ok(not [f for f in doc.iter("figure") if f.get("class") in ("beside", "beside-table")],
   "one school in the database: no chart sets it beside a region")
cards = secs["1.1"].findall(".//div[@class='card']")
ok(len(cards) == 17, "1.1: the key figures as cards (%d)" % len(cards))
print("1..%d" % n)
PY
report_relay "$WORK/check.tap"
ok $(grep -q '^1\.\.' "$WORK/check.tap"; echo $?) "the checks ran to the end"

# The findings in the other formats: footnotes under the table in text
# and Markdown, a comment on the figure in the workbook.
for fmt in text markdown; do
	out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --table 1-2 --format $fmt 2>/dev/null)
	like "$out" "*† 报告填报 752，按明细计算 737 / reported 752, computed 737；校验发现（错误 / error）填报值与计算值一致：填报 752 与明细 737 不符*" \
		"--format $fmt: the finding of the built-in check joins the footnote of 737†"
	like "$out" "*‡ 校验发现（警告 / warning）去向之和等于毕业生：去向人数之和 1461 少于毕业生 1466*" "  the check's finding is footnote ‡"
done
vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --table 1-2 --format xlsx -o "$WORK/f.xlsx" 2>/dev/null
is "$($PY -c '
import openpyxl, sys
for ws in openpyxl.load_workbook(sys.argv[1]).worksheets:
    for row in ws.iter_rows():
        if row[1].value == "高等教育深造":
            print(row[2].value, row[2].comment.text if row[2].comment else None)
' "$WORK/f.xlsx")" "709 ‡ 校验发现（警告 / warning）去向之和等于毕业生：去向人数之和 1461 少于毕业生 1466" \
	"--format xlsx: the finding is the comment of the figure it concerns"

# Text is escaped: a layout whose title and cells carry markup.
cat > "$WORK/esc.yaml" <<'YAML'
heading: "<script>alert(1)</script> & {school_code}"
tables:
  - id: x
    title: "A <b>bold</b> \"title\""
    columns: ["<i>", "值"]
    rows:
      - ["a & b < c", {indicator: employment.dest.enterprise}]
YAML
vqr -c "$CFG" report --year 2022-2023 --layout "$WORK/esc.yaml" --format html > "$WORK/esc.html" 2>/dev/null
is "$($PY -c '
import sys, html5lib
d = html5lib.parse(open(sys.argv[1], encoding="utf-8").read(), namespaceHTMLElements=False)
print(len(list(d.iter("script"))), len(list(d.iter("b"))), len(list(d.iter("i"))), d.find(".//h1").text, "|",
      d.find(".//h2").text, "|", d.find(".//td").text)' "$WORK/esc.html")" \
	'0 0 0 <script>alert(1)</script> & CQGYGJ | A <b>bold</b> "title" | a & b < c' "markup in the layout is text, not markup"

# -o: a file that cannot be written exits 5 and leaves nothing.
out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format html -o "$WORK/no/such/dir/r.html" 2>&1); rc=$?
is "$rc" 5 "-o into a missing directory exits 5"
like "$out" "*no/such/dir/r.html: cannot write*" "  and says so"
out=$(vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format html -o "$WORK" 2>&1); rc=$?
is "$rc" 5 "-o a directory exits 5"; like "$out" "*cannot write*" "  and says so"
ok $([ -d "$WORK" ] && [ -s "$WORK/r.html" ]; echo $?) "  and leaves it as it was"

# The school beside the region: two more schools with graduate
# destinations (every rate with its numerator and denominator; 40 and
# 1000 graduates against the report's 1466).
report_more_schools
# and the parents' satisfaction of one of them (45 of 50), that of the
# report's school as 91195 of 100000
sql "UPDATE vqr.indicator SET scale = 100 WHERE indicator_code = 'satisfaction.parents';
     UPDATE vqr.indicator_value SET numerator = 91195, denominator = 100000
      WHERE indicator_code = 'satisfaction.parents' AND value_type = 'computed' AND period = '2022-2023';
     INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code,
                                      numerator, denominator, value, batch_id)
     SELECT 'RGN2', '2022-2023', 'satisfaction.parents', '{}', 'computed', 'report_test', 45, 50, 90, batch_id
     FROM vqr.batch WHERE label = 'region-2'" >/dev/null
ok $? "two more schools with their graduates' destinations"
# what the charts must show, computed here: the region by the indicator's
# rule (a count: the sum; a rate: the sum of numerators over the sum of
# denominators), the rank of CQGYGJ by value (1: the highest) among the
# schools with the value, and CQGYGJ's value; for every school, and for
# the schools a role confined by row-level security sees (beside.SCHOOLS)
beside() { # SCHOOLS (a SQL array): code|region|rank|nrank|value, one a line
	sql "WITH v AS (SELECT DISTINCT ON (school_code, indicator_code) school_code, indicator_code, value, numerator,
	            denominator FROM vqr.indicator_value WHERE period = '2022-2023' AND breakdown = '{}'
	            AND indicator_code LIKE 'employment.dest.%' AND school_code = ANY ($1)
	            ORDER BY school_code, indicator_code, value_type = 'computed' DESC),
	     me AS (SELECT indicator_code, round(value, 2) AS value FROM v WHERE school_code = 'CQGYGJ')
	     SELECT v.indicator_code || '|' || CASE WHEN i.aggregate = 'sum' THEN sum(v.value)
	              ELSE round(sum(v.numerator) / sum(v.denominator) * i.scale, 2) END
	            || '|' || 1 + count(*) FILTER (WHERE round(v.value, 2) > me.value) || '|' || count(*) || '|' || me.value
	     FROM v JOIN me USING (indicator_code) JOIN vqr.indicator i USING (indicator_code)
	     GROUP BY v.indicator_code, i.aggregate, i.scale, me.value ORDER BY 1"
}
beside "'{CQGYGJ,RGN2,RGN3}'" > "$WORK/beside.all"
parents=$(sql "SELECT round(sum(numerator) / sum(denominator) * 100, 2) FROM vqr.indicator_value
	WHERE indicator_code = 'satisfaction.parents' AND period = '2022-2023' AND value_type = 'computed'")
is "$(wc -l < "$WORK/beside.all")" 6 "the database holds 6 figures of 1.4 for the three schools"
vqr -c "$CFG" report --year 2022-2023 --layout "$LAYOUT" --format html -o "$WORK/r2.html" 2>"$WORK/r2.err"
is "$?$(cat "$WORK/r2.err")" 0 "vqr report --format html with three schools in the database"
# a role that row-level security confines to two of the schools
sql "SET client_min_messages = warning; SELECT vqr.create_school_loader('CQGYGJ'), vqr.create_school_loader('RGN2');
     DROP ROLE IF EXISTS vqr_test_two_schools; CREATE ROLE vqr_test_two_schools LOGIN;
     GRANT vqr_loader_cqgygj, vqr_loader_rgn2 TO vqr_test_two_schools" >/dev/null
beside "'{CQGYGJ,RGN2}'" > "$WORK/beside.two"
vqr -c "$CFG" -d "$TEST_DB user=vqr_test_two_schools" report --school CQGYGJ --year 2022-2023 --layout "$LAYOUT" \
	--format html -o "$WORK/r3.html" 2>"$WORK/r3.err"
is "$?$(cat "$WORK/r3.err")" 0 "  and as a role that row-level security confines to two schools"
sql "DROP OWNED BY vqr_test_two_schools; DROP ROLE vqr_test_two_schools" >/dev/null

$PY - "$WORK/r2.html" "$WORK/beside.all" "$WORK/r3.html" "$WORK/beside.two" "$parents" > "$WORK/beside.tap" 2>&1 <<'PY'
import sys, re, html5lib
n = 0
def ok(c, what):
    global n
    n += 1
    print(("ok" if c else "not ok"), n, "-", what)
for page, want, schools, rls in ((sys.argv[1], sys.argv[2], 3, False), (sys.argv[3], sys.argv[4], 2, True)):
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(open(page, encoding="utf-8").read())
    ok(True, "%d schools: the page parses (html5lib, strict)" % schools)
    figs = {f.get("data-indicator"): f for f in doc.iter("figure") if f.get("class") == "beside"}
    for line in open(want, encoding="utf-8"):
        code, region, rank, nrank, value = line.rstrip("\n").split("|")
        f = figs.pop(code, None)
        ok(f is not None, "%d schools: %s has a chart beside the region" % (schools, code))
        if f is None:
            continue
        svg = next(e for e in f.iter() if str(e.tag).endswith("svg"))
        marks = [r for r in svg.iter() if str(r.tag).endswith("rect") and "mark" in (r.get("class") or "").split()]
        got = {r.get("data-label"): float(r.get("data-value")) for r in marks}
        reg = [v for k, v in got.items() if k.startswith("区域（%d 校）" % schools)]
        ok([r.get("data-label") for r in marks if "region" in r.get("class")] == ["区域（%d 校）" % schools],
           "  the region's bar in the region's colour (class region)")
        ok(abs(got.get("重庆市工业高级技工学校", -1) - float(value)) < 0.0051,
           "  the school's bar: %s" % value)
        ok(len(reg) == 1 and abs(reg[0] - float(region)) < 0.0051,
           "  the region's bar: %s (the database's %s over %d schools)" % (region, "ratio of sums" if "rate" in code else "sum", schools))
        ok((f.get("data-rank"), f.get("data-nrank")) == (rank, nrank) and "第%s/%s" % (rank, nrank) in "".join(f.itertext()),
           "  the rank: 第%s/%s" % (rank, nrank))
        sc = float(svg.get("data-scale"))
        ok(len({r.get("x") for r in marks}) == 1 and all(abs(float(r.get("width")) - float(r.get("data-value")) * sc) <= 1 for r in marks)
           and float(svg.get("data-axis-max")) >= max(got.values()), "  bars from zero, proportional, the axis holding both")
        unit = "%" if "rate" in code else "人"
        ok(any(t.text == "单位：" + unit for t in svg.iter() if str(t.tag).endswith("text")), "  the unit on the axis (%s)" % unit)
        cap = "".join(f.find("figcaption").itertext())
        ok("来源" in cap and re.search(r"20\d\d-\d\d-\d\d", cap) and ("行级安全" in cap) == rls,
           "  source and date under it%s" % (", and that row-level security limits the region" if rls else ""))
    ok(not figs, "%d schools: no other chart beside the region (%s)" % (schools, " ".join(figs)))
    # 表1-2: the region's destinations as a stacked bar under the school's
    secs = {s.get("data-id"): s for s in doc.iter("section")}
    tab = [f for f in secs["1-2"].iter("figure") if f.get("class") == "beside-table"]
    counts = {}
    for line in open(want, encoding="utf-8"):
        code, region = line.split("|")[:2]
        counts[code] = float(region)
    if tab:
        m = {r.get("data-label"): float(r.get("data-value")) for r in tab[0].iter() if str(r.tag).endswith("rect") and r.get("data-label")}
    ok(len(tab) == 1 and m == {"企事业单位就业": counts["employment.dest.enterprise"], "高等教育深造": counts["employment.dest.further_study"],
                               "自主择业": counts["employment.dest.self_directed"]},
       "%d schools: 表1-2's region as a stacked bar of the sums (%s)" % (schools, tab and m))
    # 表1-1: each bar of the school, and under 家长满意度 (the one figure
    # another school has too) the region's, its rank beside the school's
    tab = [f for f in secs["1-1"].iter("figure") if f.get("class") == "beside-table"]
    rects = [r for r in tab[0].iter() if str(r.tag).endswith("rect") and r.get("data-label")] if tab else []
    texts = [t.text for t in tab[0].iter() if str(t.tag).endswith("text")] if tab else []
    reg = [(i, r) for i, r in enumerate(rects) if "region" in r.get("class")]
    ok(len(reg) == 1 and rects[reg[0][0] - 1].get("data-label") == "家长满意度" and
       abs(float(reg[0][1].get("data-value")) - float(sys.argv[5])) < 0.0051,
       "%d schools: 表1-1's region of 家长满意度 beside the school's: %s (ratio of sums)" % (schools, sys.argv[5]))
    ok(any(t and t.endswith("（第1/2）") for t in texts) and len(rects) > 10,
       "  the school's rank beside its value, every other bar the school's alone")
print("1..%d" % n)
PY
report_relay "$WORK/beside.tap"
ok $(grep -q '^1\.\.' "$WORK/beside.tap"; echo $?) "the checks of the region ran to the end"

# Headless Chromium renders the page (of three schools).
if ! command -v chromium >/dev/null 2>&1; then
	skip "chromium is not installed (scripts/deps.sh installs it)" 4
else
	for w in 1000 390; do
		timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
			--user-data-dir="$WORK/chromium" --window-size=$w,1400 --screenshot="$WORK/shot$w.png" \
			"file://$WORK/r2.html" >/dev/null 2>&1
	done
	ok $([ -s "$WORK/shot1000.png" ] && [ -s "$WORK/shot390.png" ]; echo $?) "chromium --headless --screenshot renders the page (desktop and phone widths)"
	res=$($PY - "$WORK/shot1000.png" "$WORK/shot390.png" <<'PY'
import sys
from PIL import Image
for f in sys.argv[1:]:
    im = Image.open(f).convert("L")
    w, h = im.size
    px = im.load()
    colours = len(set(im.getdata()))
    # the title: dark pixels in the band 10..70 px from the top, left half
    dark = sum(1 for y in range(10, 70) for x in range(0, w // 2) if px[x, y] < 90)
    # nothing dark in the right margin of the band below the heading rule on a wide page
    print(f.rsplit("/", 1)[1], w, h, "colours=%d" % colours, "title_dark=%d" % dark)
PY
)
	diag "$res"
	ok $(echo "$res" | awk '{ split($4, c, "="); if (c[2] < 16) bad++ } END { exit bad }'; echo $?) "  the screenshots are not blank"
	ok $(echo "$res" | awk '{ split($5, d, "="); if (d[2] < 300) bad++ } END { exit bad }'; echo $?) "  the title's pixels are dark in the top band"
	ok $(echo "$res" | awk '$1 == "shot390.png" { exit !($2 == 390) }'; echo $?) "  the phone-width page is 390 px wide"
fi
done_testing
