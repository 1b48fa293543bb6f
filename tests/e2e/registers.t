#!/bin/sh
# The register fixtures end to end: every export of fixtures/<SCHOOL>/<YEAR>/
# for the three colleges (CQGYGJ 2020-2021..2022-2023, NLGJ and BCJS
# 2022-2023) goes through `vqr run` with the shipped catalog into one
# database; the figures of the 2023 quality report that come from the
# party, training, certification, service, finance, procurement, project,
# research, partnership, exchange, document, incident, volunteer, activity
# and event registers are checked against the report (typed in from it,
# not computed by vqr); the summary sheet's printed 26.31% for 事业收入
# must be a finding against the computed 1589.19 / 6042.72 = 26.30%, and
# its printed 752 (表1-2) findings of the sheet's own checks.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_registers
head -c 32 /dev/urandom > "$WORK/pii.key" && chmod 600 "$WORK/pii.key"
for s in CQGYGJ NLGJ BCJS; do
	cat > "$WORK/$s.yaml" <<YAML
school:
  code: $s
  name: $(sed -n 's/^  name: //p' "$TOP/fixtures/$s/vqr.yaml")
  region: 重庆市
database: "$TEST_DB"
pii_key_file: $WORK/pii.key
paths:
  inbox: $s/inbox
  staging: $s/staging
  archive: $s/archive
  quarantine: $s/quarantine
  settle_seconds: 0
include:
  - $TOP/config/catalog.yaml
YAML
	mkdir -p "$WORK/$s/inbox"
	cp "$TOP"/fixtures/$s/*/* "$WORK/$s/inbox/"
done
vqr -c "$WORK/CQGYGJ.yaml" init >/dev/null 2>&1; ok $? "vqr init"
for s in CQGYGJ NLGJ BCJS; do
	out=$(vqr -c "$WORK/$s.yaml" run 2>&1); rc=$?
	# Every row of every export, summary sheets included, maps to a rule:
	# exit 0 (2 would mean a rejected row).
	is "$rc" 0 "$s: vqr run loads every export ($(echo "$out" | tail -1))"
	is "$(ls "$WORK/$s/quarantine" 2>/dev/null | wc -l | tr -d ' ')" 0 "$s: nothing quarantined"
done
is "$(sql "select coalesce(string_agg(f.file_name || ':' || r.line || ': ' || r.message, '; '), 'none') from vqr.reject r join vqr.source_file f using (file_id)")" \
	none "no row of any export is rejected, summary sheets included"
# 1.4 "电子与信息专业的毕业生平均起薪点最高，达到5200元/月": the highest
# group mean is derived (take: max over the major-group breakdown), the
# sheet's printed 5200 (its row 57) is stored beside it and agrees.
is "$(sql "select value_type || ' ' || source_code || ' ' || round(value) from vqr.indicator_value
	  where school_code = 'CQGYGJ' and period = '2022-2023' and breakdown = '{}'
	    and indicator_code = 'employment.starting_salary.mean_by_major_group.max' order by value_type")" \
	"computed derived 5200
reported summary_sheet 5200" "1.4 最高专业大类平均起薪 5200: computed (max over the major groups) and reported"
is "$(sql "select count(*) from vqr.finding where indicator_code = 'employment.starting_salary.mean_by_major_group.max'")" 0 \
	"  and no finding compares them"
is "$(sql "select round(max(value)) from vqr.indicator_value where school_code = 'CQGYGJ' and period = '2022-2023'
	  and value_type = 'computed' and indicator_code = 'employment.starting_salary.mean_by_major_group' and breakdown ? 'major_group'")" \
	5200 "  the largest of the group means, in SQL too"
is "$(sql "select derived || ' ' || aggregate || ' ' || rule from vqr.indicator where indicator_code = 'employment.starting_salary.mean_by_major_group.max'")" \
	"true none max(employment.starting_salary.mean_by_major_group across major_group)" "  its rule in the catalog"

# value rounded to the printed decimals: v CODE [PERIOD] [DECIMALS] [TYPE] [SCHOOL]
v() {
	sql "select round(value, ${3:-0}) from vqr.indicator_value where school_code = '${5:-CQGYGJ}' and indicator_code = '$1'
	     and period = '${2:-2022-2023}' and value_type = '${4:-computed}' and breakdown = '{}'"
}
while IFS='|' read -r code want dec period what; do
	[ -n "$code" ] || continue
	is "$(v "$code" "${period:-2022-2023}" "${dec:-0}")" "$want" "report $what: $code = $want"
done <<'EXPECT'
party.theme_edu.workstreams|5|||1.1 主题教育 5 个方面
party.reading_class.days|7|||1.1 读书班 7 天
party.study_books.issued|108|||1.1 发放书本 108 本
party.study_materials.issued|60|||1.1 印发学习材料 60 余篇
party.focused_study.sessions|7|||1.1 集中学习 7 次
party.seminars.sessions|5|||1.1 研讨 5 次
party.central_group_study.sessions|12|||1.1 中心组学习 12 次
party.central_group_study.seminar_sessions|6|||1.1 其中专题研讨 6 次
party.branch_followup_study.sessions|100|||1.1 支部跟进学习 近100余次
party.lecture_team.sessions|10|||1.1 宣讲 10 余次
party.role_model_talks.sessions|4|||1.1 榜样在身边报告会 4 场
party.mass_org_activities|13|||1.1 党建带群团活动 13 次
party.branches.evaluated|8|||1.1 8 个党支部完成自评互评
party.branches.unqualified|0|||1.1 无不合格党支部
exchange.teacher_secondment.months|3|||1.1 师资互派 3 个月
rural.consumption_aid.offline|4.00|2|2023|1.1 线下消费帮扶 近4万余元
rural.consumption_aid.party_branches|14.00|2|2023|1.1 各党支部消费帮扶 14余万元
moral.papers.published|20|||1.2 德育论文 20 余篇
safety.liability_incidents|0|||1.3 无安全责任事故
campus.wifi.investment|120|||1.3 校园无线网络 120 万
student_life.major_events|10|||1.3 大型活动 10 多项
volunteer.events|9|||1.3 志愿服务活动 9 次
volunteer.hours|2406|||1.3 志愿服务 2406 小时
entrepreneurship.training.trainees|120|||1.5 GYB 创业培训 120 人
competitions.hosted_events|4|||1.6 承办 4 个赛项
majors.municipal_integrated_projects|2|||2.1 市级工学一体化专业建设立项 2 个
majors.municipal_premium|3|||2.1 市级精品专业 3 个
majors.municipal_high_quality|3|||2.1 市级优质建设专业 3 个
courses.national_standard_dev|1|||2.2 国家级专业教学标准 1 项
studios.municipal_master|1|||2.6 市级技能大师工作室 1 个
teams.teaching.count|1|||2.6 教学团队 1 个
teams.teaching.members|10|||2.6 成员 10 人
partnership.enterprises|50|||2.7 深度合作企业 50 余家
apprenticeship.classes|20|||2.7 学徒制 20 个班
apprenticeship.trainees|670|||2.7 学徒制 670 人
training.project_types|6|||4.1 6 个培训项目
training.social.person_times|5369|||4.1 培训 5369 人次
training.technician_level.trainees|529|||4.1 技师、高级技师培训 529 人
tech_service.projects|3|||4.1 技术服务 3 项
tech_service.people|35|||4.1 服务人数 35 人
tech_service.days|700|||4.1 共服务 700 天
training.case_smart_mfg.trainees|50|||4.1 案例七 智能制造培训 50 人
training.local_enterprises.person_times|1500|||4.2 地方企业培训 1500 余人次
exchange.cadres_in|3|||4.2 接收 3 名中层干部
exchange.teachers_out|1|||4.2 派出 1 名教师
exchange.months|3|||4.2 为期 3 个月
training.sinopec.sessions|30|||4.2 案例八 页岩气培训 30 期
training.sinopec.trainees|600|||4.2 案例八 600 余人
rural.poverty_product_purchases|29|0|2023|4.3 采购扶贫产品 29 万元
rural.ecommerce_training.sessions|3|||4.3 案例九 电商培训 3 期
volunteer.summer_volunteers|20|||4.4 三下乡 20 余名志愿者
partner.investment|1|||4.5 案例十一 投资近 1 亿元
apprenticeship.branch.person_times|200|||4.5 案例十一 学徒制 200 人次
research.papers|5|||4.5 案例十一 论文 5 篇
textbooks.co_developed|1|||4.5 案例十一 合编教材 1 本
training.certification.person_times|3944|||5.1 技能认证 3944 人次
training.total.person_times|9313|||5.1 培训认证 9313 人次
governance.regulations_revised|10|||5.3 修订 10 项规章制度
finance.revenue.total|6042.72|2|2022|5.5 筹措经费总额 6042.72 万元
finance.revenue.fiscal_appropriation|3176.33|2|2022|5.5 财政拨款收入 3176.33 万元
finance.revenue.operating|1589.19|2|2022|5.5 事业收入 1589.19 万元
finance.revenue.non_peer_fiscal|100.00|2|2022|5.5 非同级财政拨款收入 100 万元
finance.revenue.other|1177.20|2|2022|5.5 其他预算收入 1177.2 万元
finance.revenue.fiscal_appropriation.share|52.56|2|2022|5.5 财政拨款占比 52.56%
finance.revenue.non_peer_fiscal.share|1.65|2|2022|5.5 非同级财政拨款占比 1.65%
finance.revenue.other.share|19.48|2|2022|5.5 其他预算收入占比 19.48%
EXPECT
# The figures of the report from the graduate, survey, staff, training,
# award, student, aid, majors and course registers (typed in from the
# report: code, breakdown, value as printed; compared at the printed
# precision).
vb() {
	sql "select round(value, $3) from vqr.indicator_value where school_code = 'CQGYGJ' and indicator_code = '$1'
	     and period = '2022-2023' and value_type = 'computed' and breakdown = '$2'::jsonb"
}
while IFS='|' read -r code bd want; do
	[ -n "$code" ] || continue
	case $want in *.*) dec=${want#*.}; dec=${#dec} ;; *) dec=0 ;; esac
	is "$(vb "$code" "$bd" "$dec")" "$want" "report: $code${bd#\{\}} = $want"
done <<'EXPECT'
employment.graduates.total|{}|1466
employment.dest.enterprise|{}|737
employment.dest.enterprise.rate|{}|50.27
employment.dest.further_study|{}|709
employment.dest.further_study.rate|{}|48.36
employment.dest.self_directed|{}|15
employment.dest.self_directed.rate|{}|1.02
employment.major_match.rate|{}|94.66
employment.six_month_retention.rate|{}|90.55
employment.starting_salary.mean|{}|4090
employment.starting_salary.mean_by_major_group|{"major_group": "电子与信息"}|5200
employment.placed.total|{}|1461
employment.placed.rate|{}|99.66
employment.school_referred|{}|351
satisfaction.current_students|{}|94.82
satisfaction.current_students.classroom|{}|93.81
satisfaction.current_students.extracurricular|{}|96.42
satisfaction.current_students.classroom.ideology|{}|92.48
satisfaction.current_students.classroom.general|{}|92.12
satisfaction.current_students.classroom.vocational|{}|96.82
satisfaction.graduates|{}|90.51
satisfaction.graduates.current_cohort|{}|91.52
satisfaction.graduates.within_3y|{}|89.49
satisfaction.staff|{}|91.58
satisfaction.employers|{}|90.25
satisfaction.parents|{}|91.20
staff.total|{}|440
teachers.total|{}|395
teachers.full_time|{}|265
teachers.part_time|{}|130
teachers.dual_qualified|{}|181
teachers.program_leaders.municipal_plus|{}|19
teachers.famous.municipal|{}|1
teachers.famous.school|{}|15
teachers.by_subject.general|{}|74
teachers.by_subject.vocational|{}|321
teachers.by_subject.ideology|{}|10
teachers.by_education.bachelor|{}|236
teachers.by_education.master_plus|{}|15
teachers.by_voc_qual.senior_technician|{}|43
teachers.by_voc_qual.technician|{}|86
teachers.by_voc_qual.senior_worker|{}|168
teachers.by_title.junior|{}|181
teachers.by_title.intermediate|{}|103
teachers.by_title.senior|{}|53
staff.high_level_hires|{}|2
teachers.new.famous|{}|1
teachers.new.leaders|{}|3
teachers.new.backbone|{}|6
teachers.new.dual|{}|11
teachers.title_promotions|{}|16
moral.teacher_training.participants|{}|30
pd.school_wide.sessions|{}|9
pd.school_wide.person_times|{}|832
pd.by_level.national|{}|10
pd.by_level.municipal|{}|104
pd.by_level.district|{}|13
pd.enterprise_practice.teachers|{}|191
pd.mentored_young_teachers|{}|20
honors.student.national_best_vocational|{}|1
honors.student.cyl_national_delegates|{}|1
honors.student.cyl_municipal_delegates|{}|1
honors.student.district_volunteer|{}|1
honors.student.best_students|{}|10
honors.student.best_cadres|{}|10
honors.best_dorms|{}|30
honors.best_classrooms|{}|8
awards.student.innovation.zhenxingbei.municipal.second|{}|1
awards.student.innovation.yuchuang.startup.second|{}|2
awards.student.innovation.yuchuang.startup.third|{}|2
awards.student.innovation.yuchuang.creative.second|{}|1
awards.student.innovation.yuchuang.creative.third|{}|1
awards.teacher.skills.total|{}|13
awards.teacher.skills.national.second|{}|2
awards.teacher.skills.national.third|{}|1
awards.teacher.skills.municipal.first|{}|4
awards.teacher.skills.municipal.second|{}|4
awards.teacher.skills.municipal.third|{}|2
awards.teacher.teaching_achievement.total|{}|72
awards.teacher.teaching_achievement.first|{}|14
awards.teacher.teaching_achievement.second|{}|28
awards.teacher.teaching_achievement.third|{}|30
awards.student.skills.total|{}|70
awards.student.skills.national.second|{}|2
awards.student.skills.national.third|{}|3
awards.student.skills.national.merit|{}|7
awards.student.skills.municipal.first|{}|8
awards.student.skills.municipal.second|{}|20
awards.student.skills.municipal.third|{}|16
awards.student.skills.municipal.merit|{}|10
awards.student.skills.district.first|{}|1
awards.student.skills.district.second|{}|2
awards.student.skills.district.merit|{}|1
beneficiary.awards.first|{}|1
beneficiary.awards.second|{}|2
majors.count|{}|23
majors.programme_levels|{}|33
majors.programme_levels|{"level": "预备技师"}|4
majors.programme_levels|{"level": "高级工"}|19
majors.programme_levels|{"level": "中级工"}|10
majors.committees_adjusted|{}|23
majors.curricula_revised|{}|33
majors.integrated_curricula_developed|{}|4
courses.quality_resources.majors|{}|5
courses.municipal_premium|{}|3
courses.national_online_in_construction|{}|3
courses.municipal_premium_applied|{}|5
digital.online_courses|{}|57
digital.online_classes_simultaneous|{}|84
student_life.clubs|{}|31
students.enrolled|{}|5337
students.advanced_level.share|{}|70
aid.national_scholarship.recipients|{}|7
aid.tuition_waiver.students|{"term": "秋季学期"}|3685
aid.tuition_waiver.students|{"term": "春季学期"}|3394
aid.accommodation_waiver.students|{"term": "秋季学期"}|1448
aid.accommodation_waiver.students|{"term": "春季学期"}|909
aid.textbook_waiver.students|{"term": "秋季学期"}|691
aid.textbook_waiver.students|{"term": "春季学期"}|423
aid.grant_tier2.person_months|{"term": "秋季学期"}|7933
aid.grant_tier2.person_months|{"term": "春季学期"}|7233
aid.grant_tier1.person_months|{"term": "秋季学期"}|1903
aid.grant_tier1.person_months|{"term": "春季学期"}|1714
EXPECT
is "$(v finance.revenue.operating.share 2022 2)" 26.30 "5.5: 事业收入占比 computed 1589.19 / 6042.72 = 26.30%"
is "$(v finance.revenue.operating.share 2022 2 reported)" 26.31 "  and the summary sheet carries the printed 26.31%"
f() { sql "select severity || ' ' || round(left_value, 2) || ' ' || round(right_value, 2) from vqr.finding
	   where superseded_by is null and school_code = 'CQGYGJ' and check_code = '$1' and coalesce(indicator_code, '') = '${2:-}'"; }
is "$(f reported_vs_computed finance.revenue.operating.share)" "warning 26.31 26.30" "finding: 26.31% printed vs 26.30% computed"
like "$(f finance.reported_operating_share_matches_amounts)" "error 26.31 26.30" "finding: the printed share does not match the printed amounts"
is "$(f employment.reported_destinations_within_graduates)" "error 1476.00 1466.00" \
	"finding: 表1-2's 752 + 709 + 15 destinations exceed the 1466 graduates"
is "$(f employment.reported_enterprise_rate_matches_count)" "error 50.27 51.30" \
	"finding: the printed 50.27% is not 752 / 1466 (51.30%)"
is "$(sql "select count(*) from vqr.finding where superseded_by is null and (school_code <> 'CQGYGJ' or period not in ('2022', '2022-2023'))
	  and (check_code like 'finance.%' or check_code like 'training.%' or check_code like 'party.%' or check_code like 'rural.%')")" 0 \
	"no finding for the other schools and years, whose summary sheets match their registers"
is "$(sql "select count(*) from vqr.finding where superseded_by is null and school_code = 'CQGYGJ' and check_code = 'reported_vs_computed'
	  and indicator_code in ('finance.revenue.total', 'training.social.person_times', 'volunteer.hours', 'party.study_books.issued')")" 0 \
	"no finding where the printed figure and the registers agree"
is "$(sql "select count(*) from vqr.finding where superseded_by is null and check_code in
	  ('finance.revenue_parts_sum_to_total', 'finance.reported_revenue_parts_sum_to_total', 'rural.offline_within_branches',
	   'party.central_group_seminars_within_sessions', 'training.technician_within_social')")" 0 \
	"the identities that hold raise no finding, in any school or year"

is "$(f reported_vs_computed employment.dest.enterprise)" "warning 752.00 737.00" \
	"finding: 表1-2's printed 752 against the 737 enterprise placements of the register (the text's figure)"
is "$(f awards.teacher.teaching_achievement.parts)" "warning 71.00 72.00" \
	"finding: the printed 71 teaching achievements against their printed parts 14 + 28 + 30 = 72"
is "$(f reported_vs_computed awards.teacher.teaching_achievement.total)" "warning 71.00 72.00" \
	"finding: the printed 71 against the 72 awards of the register"

# Multi-year, multi-school: every school and year has its figures.
is "$(sql "select string_agg(distinct school_code || ' ' || period, ', ' order by school_code || ' ' || period) from vqr.indicator_value
	  where indicator_code = 'training.social.person_times' and value_type = 'computed' and breakdown = '{}'")" \
	"BCJS 2022-2023, CQGYGJ 2020-2021, CQGYGJ 2021-2022, CQGYGJ 2022-2023, NLGJ 2022-2023" "social training for three years of CQGYGJ and two more colleges"
is "$(sql "select string_agg(distinct school_code || ' ' || period, ', ' order by school_code || ' ' || period) from vqr.indicator_value
	  where indicator_code = 'finance.revenue.total' and value_type = 'computed' and breakdown = '{}'")" \
	"BCJS 2022, CQGYGJ 2020, CQGYGJ 2021, CQGYGJ 2022, NLGJ 2022" "income per fiscal year for every school"
is "$(v training.social.person_times 2022-2023 0 computed NLGJ) $(v training.social.person_times 2022-2023 0 computed BCJS)" "640 11230" \
	"the small and the large college differ (640 and 11230 person-times)"
is "$(sql "select string_agg(school_code || ' ' || period || ' ' || value::int, ', ' order by school_code, period) from vqr.indicator_value
	  where indicator_code = 'employment.graduates.total' and value_type = 'computed' and breakdown = '{}'")" \
	"$(sql "select string_agg(school_code || ' ' || period || ' ' || value::int, ', ' order by school_code, period) from vqr.v_school_trend
	  where indicator_code = 'employment.graduates.total' and breakdown = '{}'")" "v_school_trend has the graduates of every school and year"
is "$(sql "select count(distinct school_code) from vqr.v_school_compare where indicator_code = 'satisfaction.current_students' and period = '2022-2023'")" 3 \
	"v_school_compare sets the three colleges side by side"
is "$(sql "select count(distinct period) from vqr.v_school_trend where school_code = 'CQGYGJ' and indicator_code = 'teachers.total' and breakdown = '{}'")" 3 \
	"three years of CQGYGJ's teachers"
# vqr report over what the pipeline loaded prints the report's tables
# exactly as tests/e2e/report.t expects them from the typed-in figures:
# every line of its expected output that holds no missing figure (—;
# report.t types in the tables' figures, not every key figure) is the
# same line here, and the report has as many lines.  The loaded
# registers have validation findings, which the typed-in figures have
# not: their footnotes (校验发现...) and all marks are left out of both,
# and the spaces that align columns (a mark widens its column) and blank
# lines too.
vqr -c "$WORK/CQGYGJ.yaml" report --year 2022-2023 --layout "$TOP/config/report/quality_report.yaml" >"$WORK/report.raw" 2>&1
ok $? "vqr report on the loaded registers"
unmarked() { # FILE: its lines without findings, marks, alignment and blank lines
	sed -E -e 's/；校验发现.*//' -e 's/†|‡|§|¶//g' -e 's/  +/ /g' -e 's/ +$//' "$1" | grep -v -e '^ *校验发现' -e '^ *$'
}
unmarked "$WORK/report.raw" > "$WORK/report.txt"
unmarked "$TOP/tests/data/report/expected_2022-2023.txt" > "$WORK/expected.txt"
ok $(grep -q '校验发现' "$WORK/report.raw"; echo $?) "  with the loaded registers' findings as footnotes"
exp=$WORK/expected.txt
differ=$(awk 'NR == FNR { want[FNR] = $0; n = FNR; next }
	{ got++ } index(want[FNR], "—") == 0 && want[FNR] != $0 { print FNR ": " $0; bad++ }
	END { if (got != n) print "lines: " got " for " n; exit (bad > 0 || got != n) }' "$exp" "$WORK/report.txt")
ok $? "  prints the report's tables (tests/data/report/expected_2022-2023.txt, but for its missing figures)"
[ -z "$differ" ] || echo "$differ" | sed 's/^/# /' | head -20
typed=$(grep -vc '—' "$exp")
ok $([ "$typed" -gt 150 ]; echo $?) "  $typed lines of it compared"
echo "# $(grep -c '—' "$WORK/report.txt") lines of the loaded registers' report have a missing figure (—)"
done_testing
