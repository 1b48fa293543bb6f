#!/bin/sh
# Issue 4 end to end: reported summary sheets beside row-level exports that
# do not match them, derived indicators, checks and their findings, and a
# check that blocks a load.  The summary sheets carry what the 2023 report
# printed; the registers follow one reading of it; the findings must name
# the report's own inconsistencies: 737 (text) vs 752 (表1-2) enterprise
# employment, teaching achievements 71 vs 14+28+30, and the 26.31% share
# of operating revenue vs 1589.19/6042.72 = 26.30%.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_rules
make_config c "$TEST_DB"
CFG=$WORK/c.yaml
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/pii.key"
chmod 600 "$WORK/pii.key"
sed -i "s|^include:|pii_key_file: $WORK/pii.key\\ninclude:|" "$CFG"
echo "  - $TOP/tests/data/rules/catalog.yaml" >> "$CFG"
INBOX=$WORK/c/inbox

vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"

# The award register: 72 teaching achievements (14 + 28 + 30) by 40
# teachers, and 13 skills awards.
{
	echo "序号,获奖主体,工号,奖项类别,等次,获奖日期"
	i=0
	for g in 一等奖:14 二等奖:28 三等奖:30; do
		n=${g#*:}; g=${g%:*}
		k=0
		while [ $k -lt "$n" ]; do
			i=$((i + 1)); k=$((k + 1))
			echo "$i,教师,T$((i % 40 + 1000)),教学成果,$g,2023-0$((i % 6 + 1))-15"
		done
	done
	k=0
	while [ $k -lt 13 ]; do
		i=$((i + 1)); k=$((k + 1))
		echo "$i,教师,T$((i % 40 + 1000)),技能大赛,二等,2022-11-20"
	done
	echo "合计,,,,,"
} > "$INBOX/获奖登记_2022-2023.csv"

# The income ledger of fiscal 2022 in yuan: 6042.72 万元 in all, 1589.19 of it operating revenue.
cat > "$INBOX/收入明细账_2022.csv" <<'CSV'
凭证日期,收入科目,金额(元)
2022-01-20,财政拨款收入,"20,000,000.00"
2022-07-20,财政拨款收入,11763300
2022-03-01,事业收入,9000000
2022-09-01,事业收入,6891900
2022-05-10,非同级财政拨款收入,1000000
2022-12-30,其他收入,11772000
CSV

# The school's summary sheet, as the report printed it.
cat > "$INBOX/质量年报数据汇总表_2022-2023.csv" <<'CSV'
质量年报数据汇总表（2022—2023学年）,,
学年,指标名称,数值
2022-2023学年,毕业生人数,1466
2022-2023学年,企事业单位就业人数,752
2022-2023学年,企事业单位就业比例,50.27%
2022-2023学年,教学成果获奖,71
2022-2023学年,教学成果 一等,14
2022-2023学年,教学成果二等奖,28
2022-2023学年,教学成果三等奖,３０
2022-2023学年,校园占地面积,356
2022-2023学年,毕业生人数,1466
2022-2023学年,自主择业人数,十五
CSV
cat > "$INBOX/经费汇总表_2022.csv" <<'CSV'
年度,筹措经费总额(万元),事业收入(万元),事业收入占比
2022,6042.72,1589.19,26.31%
CSV
cp "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" "$INBOX/"
printf '工号,岗位类别,统计时点\nA1,专任教师,2023/8/31\nA2,专任教师,2023/8/31\nA3,管理,2023/8/31\n' > "$INBOX/教职工花名册_20230831.csv"

out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "vqr run exits 2 (some rows rejected)"
like "$out" "*6 files loaded*" "all six files load ($out)"

v() { sql "select value from vqr.indicator_value where indicator_code = '$1' and period = '$2' and value_type = '${3:-computed}' and breakdown = '{}'"; }
is "$(v awards.teacher.teaching_achievement.total 2022-2023)" 72 "teaching achievements computed from the register: 72"
is "$(v awards.teacher.teaching_achievement.total 2022-2023 reported)" 71 "reported on the summary sheet: 71"
is "$(v awards.teacher.teaching_achievement.first 2022-2023 reported)" 14 "a reported name matches through reported_names (教学成果 一等)"
is "$(v awards.teacher.teaching_achievement.third 2022-2023 reported)" 30 "full-width digits in a figure read as 30"
is "$(v awards.teacher.teaching_achievement.teachers 2022-2023)" 40 "count_distinct: 40 teachers (pseudonymised IDs)"
is "$(v employment.dest.enterprise.rate 2022-2023 reported)" 50.27 "a percentage keeps its printed decimals"
is "$(v finance.revenue.total 2022)" 6042.72 "fiscal year 2022: 6042.72 万元 from the ledger in yuan"
is "$(v finance.revenue.operating 2022)" 1589.19 "operating revenue 1589.19"
is "$(sql "select round(value, 4) || ' ' || numerator || '/' || denominator || ' ' || source_code from vqr.indicator_value where indicator_code = 'finance.revenue.operating.share' and value_type = 'computed'")" \
	"26.2992 1589.19/6042.72 derived" "derived share = 1589.19 / 6042.72, kept as a ratio"
is "$(v finance.revenue.operating.share 2022 reported)" 26.31 "the wide sheet's 26.31% is a reported value"
is "$(v staff.fulltime_teachers 2023-08-31)" 2 "a snapshot register counts as of its day: 2 full-time teachers on 2023-08-31"
is "$(sql "select period_type || ' ' || start_date || ' ' || end_date from vqr.period where period = '2023-08-31'")" \
	"snapshot 2023-08-31 2023-08-31" "the snapshot period is one day"
is "$(sql "select period_type || ' ' || start_date || ' ' || end_date from vqr.period where period = '2022'")" \
	"fiscal_year 2022-01-01 2022-12-31" "the fiscal period is recorded with its type and bounds"

is "$(sql "select count(*) from vqr.reject r join vqr.source_file f using (file_id) where f.source_code = 'summary_sheet'")" 3 \
	"three summary rows rejected"
like "$(sql "select rule || ': ' || message from vqr.reject where value = '校园占地面积'")" "indicator: *no indicator is named \"校园占地面积\"*" \
	"  an unknown name, saying so"
like "$(sql "select rule || ': ' || message from vqr.reject where value = '十五'")" "number: *\"十五\"*is not a number*" \
	"  a figure that is not a number"
like "$(sql "select line || ' ' || rule || ': ' || message from vqr.reject where rule = 'duplicate'")" "11 duplicate: employment.graduates.total 2022-2023 is reported again (first on line 3 as 1466)*" \
	"  a figure reported twice, with both lines"

f() { sql "select severity || ' ' || left_value || ' ' || right_value from vqr.finding where superseded_by is null and check_code = '$1' and coalesce(indicator_code, '') = '${2:-}' and breakdown = '{}'"; }
is "$(f reported_vs_computed employment.dest.enterprise)" "warning 752 737" "finding: 752 reported (表1-2) vs 737 computed"
is "$(f reported_vs_computed awards.teacher.teaching_achievement.total)" "warning 71 72" "finding: 71 reported vs 72 counted"
is "$(f awards.teaching_achievement.parts)" "warning 71 72" "finding: 71 vs 14+28+30 on the summary sheet itself"
is "$(f reported_vs_computed finance.revenue.operating.share)" "warning 26.31 26.299249344666" "finding: 26.31% vs 1589.19/6042.72"
is "$(f reported_vs_computed employment.dest.enterprise.rate)" "" "no finding for 50.27% (737/1466 rounds to it)"
is "$(f reported_vs_computed employment.graduates.total)" "" "none for 1466 either"
is "$(sql "select count(*) from vqr.finding where superseded_by is null and check_code = 'employment.destinations.sum'")" 0 \
	"destinations add up to graduates, in total and by major"
is "$(sql "select count(*) from vqr.v_finding where school_code = 'CQGYGJ'")" 4 "v_finding shows the four current findings"
like "$(sql "select message from vqr.v_finding where indicator_code = 'employment.dest.enterprise'")" "*reported 752, computed 737*" \
	"  each in words"
is "$(sql "select left_side || ' ' || op || ' ' || right_side from vqr.check_rule where check_code = 'employment.destinations.sum'")" \
	"employment.dest.enterprise + employment.dest.further_study + employment.dest.self_directed + employment.dest.self_employed + employment.dest.military + employment.dest.unplaced = employment.graduates.total" \
	"the check catalog is in vqr.check_rule"
is "$(sql "select derived || ' ' || period_type || ' ' || coalesce(source_code, '-') from vqr.indicator where indicator_code = 'finance.revenue.operating.share'")" \
	"true fiscal_year -" "the derived indicator is in the catalog"

# A corrected summary sheet supersedes the findings of its period.
sed -e 's/,71$/,72/' -e 's/,752$/,737/' -e '/校园占地面积/d' -e '/十五/d' -e '11d' \
	"$WORK/c/archive/质量年报数据汇总表_2022-2023.csv" > "$INBOX/质量年报数据汇总表_2022-2023_更正.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "the corrected summary sheet loads ($out)"
is "$(sql "select count(*) from vqr.v_finding where period = '2022-2023'")" 0 "no finding is left for 2022-2023"
is "$(sql "select count(*) from vqr.v_finding where period = '2022'")" 1 "the fiscal 2022 one stays"
is "$(sql "select count(*) > 0 from vqr.finding where superseded_by is not null and check_code = 'awards.teaching_achievement.parts'")" t \
	"the old findings are kept, superseded"
# A corrected ledger without operating revenue: the derived share has no
# value any more, so it is gone, and no check compares a share that is not there.
# (It has fewer rows than the slice: accepted, or it would be held back.)
grep -v 事业收入 "$WORK/c/archive/收入明细账_2022.csv" > "$INBOX/收入明细账_2022_更正.csv"
out=$(vqr -c "$CFG" run --accept-shrink 收入明细账_2022_更正.csv 2>&1); rc=$?
is "$rc" 0 "the corrected ledger loads ($out)"
is "$(sql "select count(*) from vqr.indicator_value where indicator_code = 'finance.revenue.operating.share' and value_type = 'computed'")" 0 \
	"the derived share of 2022 is gone with its numerator"
is "$(sql "select count(*) from vqr.v_finding where check_code = 'finance.operating_share.at_most_all'")" 0 \
	"a check on it is not evaluated (no finding about a value that does not exist)"

# A blocking check: a register whose destinations do not add up is not loaded.
cat > "$WORK/block.yaml" <<YAML
checks:
  - code: employment.graduates.plausible
    name_zh: 毕业生人数不超过在校生规模
    left: employment.graduates.total
    op: "<="
    right: "1000"
    block: true
YAML
echo "  - $WORK/block.yaml" >> "$CFG"
sed -n '1,2p' "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" > "$INBOX/毕业生去向登记表_2022-2023_v2.csv"
tail -n +3 "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" | head -1200 >> "$INBOX/毕业生去向登记表_2022-2023_v2.csv"
before=$(sql "select count(*) || ' ' || sum(value) from vqr.indicator_value where source_code = 'graduate_destination'")
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "a blocked load exits 2"
like "$out" "*blocked by a validation check*" "and says why ($out)"
test -f "$WORK/c/quarantine/毕业生去向登记表_2022-2023_v2.csv"; ok $? "the file waits in quarantine"
is "$(sql "select count(*) || ' ' || sum(value) from vqr.indicator_value where source_code = 'graduate_destination'")" "$before" \
	"the graduate values are those of before"
is "$(sql "select status from vqr.batch order by batch_id desc limit 1")" blocked "the batch is recorded as blocked"
like "$(sql "select severity || ' ' || message from vqr.v_finding where check_code = 'employment.graduates.plausible'")" \
	"error employment.graduates.plausible*1200*<= 1000*" "its finding names the check and the values"
is "$(sql "select blocked_load from vqr.v_finding where check_code = 'employment.graduates.plausible'")" t "  as from a blocked load"
is "$(sql "select count(*) from vqr.source_file where file_name like '%_v2.csv'")" 0 "the blocked file is not recorded as loaded"

# Values taken out of a breakdown (derived {take: max|min, over:
# employment.starting_salary.mean}): the highest and lowest mean salary of
# a major, per period, from the majors' values present in that period.
t() { sql "select coalesce(string_agg(round(value)::text, ' ' order by indicator_code), 'none') from vqr.indicator_value
	   where period = '$1' and value_type = 'computed' and breakdown = '{}' and source_code = 'derived'
	     and indicator_code in ('employment.starting_salary.mean.max_major', 'employment.starting_salary.mean.min_major')"; }
is "$(t 2022-2023)" "$(sql "select round(max(value)) || ' ' || round(min(value)) from vqr.indicator_value where period = '2022-2023'
	  and value_type = 'computed' and indicator_code = 'employment.starting_salary.mean' and breakdown ? 'major'")" \
	"take max / min: the highest and lowest of the majors' mean salaries of 2022-2023 ($(t 2022-2023))"
G=毕业生去向登记表_2021届
{
	echo "专业名称,毕业日期,毕业去向类别,起薪(元/月)"
	echo "数控加工,2021-06-30,企事业单位就业,4000"
	echo "数控加工,2021-06-30,企事业单位就业,4200"
	echo "电气自动化设备安装与维修,2021-06-30,企事业单位就业,5000"
	echo "汽车维修,2021-06-30,企事业单位就业,3000"
	echo "汽车维修,2021-06-30,高等教育深造,"
} > "$INBOX/$G.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a register of 2020-2021 loads ($out)"
is "$(t 2020-2021)" "5000 3000" "  max 5000 (电气), min 3000 (汽车维修: the graduate without a salary is not counted)"
is "$(sql "select count(*) from vqr.indicator_value where period = '2020-2021' and indicator_code like 'employment.starting_salary.mean.m%'")" 2 \
	"  one value each, the total: a taken value has no breakdown of its own"
is "$(sql "select count(*) from vqr.v_finding where check_code = 'employment.starting_salary.mean_within_majors'")" 0 \
	"  a check uses it: the mean (4050) is within the highest major's (5000)"
grep -v 电气 "$WORK/c/archive/$G.csv" > "$INBOX/${G}_更正.csv"
touch "$INBOX/${G}_更正.csv.accept-shrink"    # 4 -> 3 graduates of one destination
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a corrected register without the 电气 graduate loads ($out)"
is "$(t 2020-2021)" "4100 3000" "  the maximum is now 数控加工's 4100"
is "$(sql "select round(value) from vqr.indicator_value_history where period = '2020-2021' and source_code = 'derived'
	  and indicator_code = 'employment.starting_salary.mean.max_major'
	  and superseded_by = (select max(batch_id) from vqr.batch)")" 5000 "  the 5000 it replaces is kept in the history, superseded by that load"
is "$(t 2022-2023)" "$(sql "select round(max(value)) || ' ' || round(min(value)) from vqr.indicator_value where period = '2022-2023'
	  and value_type = 'computed' and indicator_code = 'employment.starting_salary.mean' and breakdown ? 'major'")" \
	"  2022-2023 keeps its own"
sed -e 's/,[0-9]*$/,/' "$WORK/c/archive/${G}_更正.csv" > "$INBOX/${G}_无起薪.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a register of 2020-2021 without any salary loads ($out)"
is "$(t 2020-2021)" none "  no major has a mean salary: max and min have no value (none stored)"
is "$(sql "select count(*) from vqr.indicator_value_history where period = '2020-2021' and indicator_code like 'employment.starting_salary.mean.m%'
	  and superseded_by = (select max(batch_id) from vqr.batch)")" 2 "  the values of before are in the history"
is "$(sql "select rule from vqr.indicator where indicator_code = 'employment.starting_salary.mean.min_major'")" \
	"min(employment.starting_salary.mean across major)" "the catalog shows the rule"
done_testing
