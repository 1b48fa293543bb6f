#!/bin/sh
# Every figure of the report: the 2023 quality report of 重庆市工业高级技工学校
# (../shared/seed/, the reference ../shared/reference/seed-indicators-2023.csv)
# states 139 facts with an indicator of the catalog, some several figures at
# once (14|28|30); the list below types those of 138 of them, 187 figures, each
# with its section as the report gives it.  The issue counts 55 key figures
# of the report (1.4's 1466 graduates, 94.66% ... 5.1's 9313 = 3944 + 5369);
# this list holds every figure of the report that has an indicator, so
# those 55 with them.  One is left out: 4.5's "近 1 亿元" invested by the
# partner, which the ledger gives as 0.986 亿元 (shown 0.99; a 1 in 4.5 would
# match another figure by chance).
#
# The seed college's exports of three years (fixtures/CQGYGJ/) are loaded
# through the shipped catalog, `vqr report` prints the shipped layout as
# Markdown, and each figure must be a number of a block of its section:
# a block whose title starts with the section ("1.4 ", "5.1 ") or the
# table ("表 1-2 ").  Where the report contradicts itself (752 against
# 737, 71 against 72, 26.31% against 26.30%) its printed figure is the
# footnote's "报告填报".
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_report_figures
head -c 32 /dev/urandom > "$WORK/pii.key" && chmod 600 "$WORK/pii.key"
cat > "$WORK/c.yaml" <<YAML
school: {code: CQGYGJ, name: 重庆市工业高级技工学校, region: 重庆市}
database: "$TEST_DB"
pii_key_file: $WORK/pii.key
paths: {inbox: c/inbox, staging: c/staging, archive: c/archive, quarantine: c/quarantine, settle_seconds: 0}
include:
  - $TOP/config/catalog.yaml
YAML
mkdir -p "$WORK/c/inbox"
cp "$TOP"/fixtures/CQGYGJ/*/* "$WORK/c/inbox/"
vqr -c "$WORK/c.yaml" init >/dev/null 2>&1; ok $? "vqr init"
out=$(vqr -c "$WORK/c.yaml" run 2>&1); rc=$?
is "$rc" 0 "the seed college's exports of three years load" || diag "$(echo "$out" | tail -5)"
vqr -c "$WORK/c.yaml" report --year 2022-2023 --format markdown >"$WORK/r.md" 2>"$WORK/r.err"; rc=$?
is "$rc" 0 "vqr report with the shipped layout exits 0"
is "$(cat "$WORK/r.err")" "" "  and warns about nothing (every indicator is in the catalog)"

# section|figure|what, typed from the report
cat > "$WORK/figures.txt" <<'FIGURES'
1.1|5|主题教育推进工作方面
1.1|7|读书班天数
1.1|108|发放学习书本
1.1|60|印发学习材料
1.1|7|集中学习
1.1|5|研讨
1.1|12|党委理论学习中心组学习
1.1|6|其中专题研讨
1.1|100|支部跟进学习
1.1|10|领导干部宣讲团宣讲
1.1|4|榜样在身边报告会
1.1|8|完成自评互评党支部
1.1|0|不合格党支部
1.1|13|党建带群团活动
1.1(案例一)|3|师资互派时长
1.1(案例一)|4|线下消费帮扶采购
1.1(案例一)|14|各党支部累计消费帮扶
1.2|30|参加心理健康/班主任培训教师
1.2|20|发表德育论文
1.2|1|全国最美职校生评选参与学生
1.2|1|共青团十九大代表(中职生)
1.2|1|重庆团市委六大代表
1.2|1|永川区优秀青年志愿者
1.2/5.1|7|国家奖学金获得学生
1.3|0|安全责任事故
1.3|120|校园无线网络投资(联合运营商)
1.3|10|大型学生活动
1.3|31|学生社团
1.3|9|志愿服务活动
1.3|2406|志愿服务累计时长
1.3(案例三)|10|最美学生/最美学生干部
1.3(案例三)|10|最美学生/最美学生干部
1.3(案例三)|30|最美寝室/最美教室
1.3(案例三)|8|最美寝室/最美教室
表1-1|94.82|在校生满意度
表1-1|93.81|课堂育人满意度
表1-1|96.42|课外育人满意度
表1-1|92.48|思想政治课教学满意度
表1-1|92.12|公共基础课(不含思政)教学满意度
表1-1|96.82|专业课教学满意度
表1-1|90.51|毕业生满意度
表1-1|91.52|应届毕业生满意度
表1-1|89.49|毕业三年内毕业生满意度
表1-1|91.58|教职工满意度
表1-1|90.25|用人单位满意度
表1-1|91.20|家长满意度
1.4|1466|毕业生人数
1.4/表1-2|737|企事业单位就业
1.4/表1-2|752|企事业单位就业
1.4/表1-2|50.27|企事业单位就业比例
1.4/表1-2|709|高等教育深造
1.4/表1-2|48.36|高等教育深造比例
1.4/表1-2|15|自主择业
1.4/表1-2|1.02|自主择业比例
1.4|94.66|对口就业率
1.4|90.55|半年稳定率
1.4|4090|初次就业平均起薪
1.4|5200|最高专业平均起薪(电子与信息)
(derived)|1461|毕业去向落实人数/率
(derived)|99.66|毕业去向落实人数/率
1.5|120|GYB创业意识/网络创业培训
1.5|1|振兴杯创新创效竞赛(中职组)二等奖
1.5|2|渝创渝新 创新创业组 二等/三等
1.5|2|渝创渝新 创新创业组 二等/三等
1.5|1|渝创渝新 创新创意组 二等/三等
1.5|1|渝创渝新 创新创意组 二等/三等
1.6|13|教师技能/职业能力大赛获奖
1.6|2|教师获奖 国家级 二/三等
1.6|1|教师获奖 国家级 二/三等
1.6|4|教师获奖 市级 一/二/三等
1.6|4|教师获奖 市级 一/二/三等
1.6|2|教师获奖 市级 一/二/三等
1.6|71|教学成果获奖
1.6|14|教学成果 一/二/三等
1.6|28|教学成果 一/二/三等
1.6|30|教学成果 一/二/三等
1.6|70|学生技能大赛获奖
1.6|2|学生 国家级 二/三/优胜
1.6|3|学生 国家级 二/三/优胜
1.6|7|学生 国家级 二/三/优胜
1.6|8|学生 市级 一/二/三/优胜
1.6|20|学生 市级 一/二/三/优胜
1.6|16|学生 市级 一/二/三/优胜
1.6|10|学生 市级 一/二/三/优胜
1.6|1|学生 区级 一/二/优胜
1.6|2|学生 区级 一/二/优胜
1.6|1|学生 区级 一/二/优胜
1.6|4|承办赛项
2.1|23|开设专业
2.1/表2-1|33|培养层次(专业×层次)
2.1|23|调整专业建设委员会
2.1|33|修订人才培养方案
2.1/5.1|4|开发工学一体化人才培养方案
2.1|2|市级工学一体化专业建设立项
2.1/5.1|3|市级精品专业
2.1/5.1|3|市级优质建设专业
2.2|5|优质课程资源专业
2.2|3|市级精品课程
2.2|1|参与开发国家级专业教学标准
2.2|3|在建国家级在线精品课程
2.2|5|申报市级精品课程
2.5|84|同时在线上课班级
2.5|57|网络课程
表2-2|440|教职工
表2-2|395|教师总数
表2-2|265|专任教师
表2-2|130|兼职教师
表2-2|181|双师型教师
表2-2|19|市级及以上专业带头人
2.6|1|市级名师/校级名师
2.6|15|市级名师/校级名师
表2-3|74|文化课/专业课/思政课教师
表2-3|321|文化课/专业课/思政课教师
表2-3|10|文化课/专业课/思政课教师
2.6|236|本科/硕士及以上学历
2.6|15|本科/硕士及以上学历
表2-3|43|职业资格 高级技师/技师/高级工
表2-3|86|职业资格 高级技师/技师/高级工
表2-3|168|职业资格 高级技师/技师/高级工
表2-3|181|职称 初级/中级/高级及以上
表2-3|103|职称 初级/中级/高级及以上
表2-3|53|职称 初级/中级/高级及以上
2.6|1|市级技能大师工作室
2.6|1|教学团队/成员
2.6|10|教学团队/成员
2.6|2|引进高层次人才
2.6|9|全校集中培训 次数/人次
2.6|832|全校集中培训 次数/人次
2.6|10|国家级/市级/区级培训
2.6|104|国家级/市级/区级培训
2.6|13|国家级/市级/区级培训
2.6|191|下企业实践专业课教师
2.6|1|新增 市级名师/专业带头人/骨干/双师
2.6|3|新增 市级名师/专业带头人/骨干/双师
2.6|6|新增 市级名师/专业带头人/骨干/双师
2.6|11|新增 市级名师/专业带头人/骨干/双师
2.6|16|职称晋升
2.6(案例五)|20|受指导青年教师
2.7|50|深度合作企业
2.7|20|学徒制培训 班/人
2.7|670|学徒制培训 班/人
4.1|6|承担培训项目类别
4.1/5.1|5369|企业/社会培训
4.1|529|技师/高级技师培训
4.1|3|技术服务 项/人数/天数
4.1|35|技术服务 项/人数/天数
4.1|700|技术服务 项/人数/天数
4.1(案例七)|50|智能制造培训
4.2|1500|地方企业培训与认证
4.2|351|选送应届毕业生
4.2/5.2|3|接收中层干部/派出教师/时长
4.2/5.2|1|接收中层干部/派出教师/时长
4.2/5.2|3|接收中层干部/派出教师/时长
4.2(案例八)|30|页岩气培训 期数/人数
4.2(案例八)|600|页岩气培训 期数/人数
4.3|29|采购乡村振兴扶贫产品
4.3(案例九)|3|电商人才培训
4.3(案例九)|1|板桥代表队获奖(受益方)
4.3(案例九)|2|板桥代表队获奖(受益方)
4.4|20|三下乡青年志愿者
4.5(案例十一)|200|压铸分院学徒制培训
4.5(案例十一)|5|参与科研教师发表论文
4.5(案例十一)|1|校企合编教材
4.6|70|高级工及以上比例
5.1|9313|培训认证总量
5.1|3944|技能认证
5.1|5337|在籍学生
5.1|3685|免学费
5.1|3394|免学费
5.1|1448|免住宿费
5.1|909|免住宿费
5.1|691|免教科书费
5.1|423|免教科书费
5.1|7933|国家助学金二档(按月累计)
5.1|7233|国家助学金二档(按月累计)
5.1|1903|国家助学金一档(按月累计)
5.1|1714|国家助学金一档(按月累计)
5.3|10|修订规章制度
5.5|6042.72|筹措经费总额
5.5|3176.33|财政拨款收入
5.5|52.56|财政拨款收入
5.5|1589.19|事业收入
5.5|26.31|事业收入
5.5|100|非同级财政拨款收入
5.5|1.65|非同级财政拨款收入
5.5|1177.2|其他预算收入
5.5|19.48|其他预算收入
FIGURES
is "$(grep -c . "$WORK/figures.txt")" 187 "187 figures are listed"

# Each figure must be a number of a block of its section.
/usr/bin/python3 - "$WORK/r.md" "$WORK/figures.txt" > "$WORK/missing.txt" <<'PY'
import re, sys
blocks, title = {}, None
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("## "):
        title = line[3:].strip()
        blocks[title] = []
    elif title:
        blocks[title] += [float(x) for x in re.findall(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)?", line)]
def sections(s):
    for part in re.sub(r"\(.*?\)|（.*?）", "", s).split("/"):
        if part == "":
            part = "1.4"      # (derived): 毕业去向落实, in 1.4
        yield ("表 " + part[1:] + " ") if part.startswith("表") else (part + " ")
for line in open(sys.argv[2], encoding="utf-8"):
    sec, fig, what = line.rstrip("\n").split("|")
    found = any(abs(v - float(fig)) < 1e-9 for t, vals in blocks.items() for p in sections(sec)
                if t.startswith(p) for v in vals)
    if not found:
        print("%s %s (%s)" % (sec, fig, what))
PY
is "$(cat "$WORK/missing.txt")" "" "every figure is printed in its section"
like "$(cat "$WORK/r.md")" "*## 1.4 就业质量

2022-2023 学年，学校毕业生 1466‡ 人，其中在企事业单位就业 737† 人，占 50.27%§；在高等教育深造 709¶ 人，占 48.36%，自主择业 15¶ 人，占 1.02%。对口就业率 94.66%，半年稳定率 90.55%。各专业初次就业平均起薪点 4090 元/月，平均起薪点最高的专业大类达到 5200 元/月。*" \
	"1.4 as a paragraph: 1466, 737 (752 printed), 94.66%, 90.55%, 4090 元, 5200 元"
# the checks of the shipped catalog found the report's inconsistencies:
# the destinations' sum (1476) above the graduates (1466) marks the four
# figures it reads (‡ 1466, † 737, ¶ 709 and 15), the rate that does not
# match its count marks 50.27% (§)
like "$(cat "$WORK/r.md")" "*
‡ 校验发现（错误 / error）employment.reported_destinations_within_graduates 报告的各去向人数之和不超过毕业生人数: *= 1476, but it should be <= reported(employment.graduates.total) = 1466*" \
	"  the findings of the year are its footnotes"
like "$(cat "$WORK/r.md")" "*## 5.1 国家政策落实

*全年开展各类培训认证 9313 人次，其中技能认证 3944 人次，社会培训共计 5369 人次。*" "5.1: 9313 = 3944 + 5369"
ok $([ "$(sql "select round(sum(value)) from vqr.indicator_value where school_code = 'CQGYGJ' and period = '2022-2023'
	and value_type = 'computed' and breakdown = '{}'
	and indicator_code in ('training.certification.person_times', 'training.social.person_times')")" = 9313 ]; echo $?) \
	"  and 3944 + 5369 = 9313 in the database too"
done_testing
