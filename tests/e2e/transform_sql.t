#!/bin/sh
# vqr-transform against plain SQL: a generated register (6000 rows, two
# academic years, NULLs in every column that allows them) goes through
# vqr-extract, vqr-transform and vqr-load; the same canonical rows are
# copied into a table and every indicator of tests/data/rules/register.yaml
# is computed again with SQL aggregates and GROUPING SETS.  The two must
# agree exactly: the same (period, indicator, breakdown) records, none
# missing, none extra, the same values (to 9 decimals for sums of decimals).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_transform_sql
make_config c "$TEST_DB"
CFG=$WORK/c.yaml
echo "  - $TOP/tests/data/rules/register.yaml" >> "$CFG"
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"

REG=$WORK/测试登记表.csv
awk 'BEGIN {
	split("数控加工,电气自动化设备安装与维修,汽车维修,工业机器人应用与维护,会计", M, ",")
	split("预备技师,高级工,中级工,", L, ",")
	print "学号,专业,层次,性别,分数,学时,是否通过,日期"
	s = 20230630
	for (i = 1; i <= 6000; i++) {
		s = (s * 1103515245 + 12345) % 2147483648; a = int(s / 65536)
		s = (s * 1103515245 + 12345) % 2147483648; b = int(s / 65536)
		s = (s * 1103515245 + 12345) % 2147483648; c = int(s / 65536)
		id = "S" (a % 2500)
		major = M[a % 5 + 1]
		level = L[b % 4 + 1]
		gender = (c % 7 == 0) ? "" : ((c % 2) ? "男" : "女")
		score = (b % 9 == 0) ? "" : sprintf("%.1f", (c % 1000) / 10)
		hours = (a % 11 == 0) ? "" : (b % 80)
		passed = (c % 5 == 0) ? "" : ((a % 3) ? "是" : "否")
		d = (a + b) % 730
		# days from 2022-09-01
		y = 2022; m = 9; dd = 1
		split("31,28,31,30,31,30,31,31,30,31,30,31", ML, ",")
		while (d > 0) {
			ml = ML[m] + (m == 2 && y % 4 == 0)
			if (d >= ml - dd + 1) { d -= ml - dd + 1; dd = 1; m++; if (m > 12) { m = 1; y++ } }
			else { dd += d; d = 0 }
		}
		printf "%s,%s,%s,%s,%s,%s,%s,%04d-%02d-%02d\n", id, major, level, gender, score, hours, passed, y, m, dd
	}
}' > "$REG"

D=$WORK/stage
vqr-extract -c "$CFG" -s test_register -o "$D" "$REG" >/dev/null 2>&1; ok $? "vqr-extract"
vqr-transform -c "$CFG" "$D" >/dev/null 2>&1; ok $? "vqr-transform"
vqr-load -c "$CFG" -d "$TEST_DB" "$D" >/dev/null 2>&1; ok $? "vqr-load"
is "$(sql "select count(*) from vqr.indicator_value where source_code = 'test_register'")" \
	"$(zcat "$D/indicators.gz" | wc -l | tr -d ' ')" "every record is loaded"

sql "create table reg (line int, period text, student_id text, major text, level text, gender text,
	score numeric, hours int, passed text, event_date date)" >/dev/null
cat "$D/rows.tsv" | tail -n +2 | psql -X -q -d "$TEST_DB" -c "\\copy reg from stdin"
is "$(sql "select count(*) from reg")" 6000 "the canonical rows are in table reg"

cat > "$WORK/expected.sql" <<'SQL'
create temp view r as
select *, passed like 't%' as ok,
       case when extract(month from event_date) >= 9 then extract(year from event_date)::int
            else extract(year from event_date)::int - 1 end as ay
from reg;
create temp view rs as
select *, ay || '-' || (ay + 1) || '-' || case when extract(month from event_date) >= 9
       or extract(month from event_date) <= 2 then 1 else 2 end as sem
from r;
create temp table expected as
with g as (
  select period, grouping(major) as gm, grouping(level) as gl, major, level,
    count(*) as rows, count(score) as scored, count(distinct student_id) as students,
    count(distinct student_id) filter (where ok) as students_passed,
    sum(score) as score_sum, avg(score) as score_mean, min(score) as score_min, max(score) as score_max,
    count(*) filter (where gender = '女') as f_eq,
    count(*) filter (where gender <> '女') as f_ne,
    count(*) filter (where score < 60) as f_lt,
    count(*) filter (where score <= 60.5) as f_le,
    count(*) filter (where hours > 40) as f_gt,
    count(*) filter (where event_date >= '2023-03-01') as f_ge,
    count(*) filter (where major in ('数控加工', '电气自动化设备安装与维修')) as f_in,
    count(*) filter (where level not in ('中级工')) as f_notin,
    count(*) filter (where passed is null) as f_isnull,
    count(*) filter (where gender is not null) as f_notnull,
    count(*) filter (where not (not ok or score < 50) and (hours >= 20 or gender = '男')) as f_bool,
    count(*) filter (where ok) as pass_num, count(passed) as pass_den,
    sum(hours) filter (where score >= 80) as high_num, sum(hours) as high_den
  from r
  group by grouping sets ((period), (period, major), (period, level), (period, major, level))
), gs as (
  select sem as period, grouping(major) as gm, grouping(level) as gl, major, level,
         count(*) as rows, sum(hours) as hours
  from rs group by grouping sets ((sem), (sem, major), (sem, level), (sem, major, level))
), b as (
  select *, (case when gm = 0 then jsonb_build_object('major', major) else '{}' end) ||
            (case when gl = 0 then jsonb_build_object('level', level) else '{}' end) as bd from g
), bs as (
  select *, (case when gm = 0 then jsonb_build_object('major', major) else '{}' end) ||
            (case when gl = 0 then jsonb_build_object('level', level) else '{}' end) as bd from gs
)
select period, bd, code, v from b cross join lateral (values
  ('t.rows', rows::numeric), ('t.scored', scored), ('t.students', students),
  ('t.students.passed', students_passed), ('t.score.sum', score_sum), ('t.score.mean', score_mean),
  ('t.score.min', score_min), ('t.score.max', score_max),
  ('t.f.eq', f_eq), ('t.f.ne', f_ne), ('t.f.lt', f_lt), ('t.f.le', f_le), ('t.f.gt', f_gt), ('t.f.ge', f_ge),
  ('t.f.in', f_in), ('t.f.notin', f_notin), ('t.f.isnull', f_isnull), ('t.f.notnull', f_notnull),
  ('t.f.bool', f_bool),
  ('t.pass.rate', case when pass_den > 0 then pass_num * 100.0 / pass_den end),
  ('t.score.high.share', case when high_den > 0 then coalesce(high_num, 0) * 100.0 / high_den end)
) v(code, v) where v is not null
union all
select period, bd, 't.rows.semester', rows from bs
union all
select period, bd, 't.hours.sum.autumn', hours from bs where gm = 1 and hours is not null;
SQL
psql -X -q -v ON_ERROR_STOP=1 -d "$TEST_DB" -f "$WORK/expected.sql" -c "
create table exp as select * from expected" >/dev/null 2>&1
ok $? "the SQL computation runs"
got="create temp view got as select period, breakdown as bd, indicator_code as code, value as v
	from vqr.indicator_value where source_code = 'test_register';"
is "$(sql "$got select count(*) from exp")" "$(sql "$got select count(*) from got")" "as many records both ways"
missing=$(sql "$got select code || ' ' || period || ' ' || bd::text from (select period, bd, code from exp except select period, bd, code from got) x order by 1 limit 5")
is "$missing" "" "no record of SQL is missing from vqr"
extra=$(sql "$got select code || ' ' || period || ' ' || bd::text from (select period, bd, code from got except select period, bd, code from exp) x order by 1 limit 5")
is "$extra" "" "vqr makes no record SQL does not"
diff=$(sql "$got select e.code || ' ' || e.period || ' ' || e.bd::text || ': sql ' || e.v || ' vqr ' || g.v
	from exp e join got g using (period, bd, code) where round(e.v, 9) <> round(g.v, 9) order by 1 limit 5")
is "$diff" "" "every value agrees"
for code in t.rows t.students t.score.mean t.score.min t.f.bool t.pass.rate t.rows.semester t.hours.sum.autumn; do
	n=$(sql "select count(*) from exp where code = '$code'")
	ok "$( [ "$n" -gt 4 ] && echo 0 || echo 1)" "$code: $n records compared"
done
is "$(sql "select string_agg(distinct period, ' ' order by period) from exp where code = 't.rows.semester'")" \
	"2022-2023-1 2022-2023-2 2023-2024-1 2023-2024-2" "four semesters"
is "$(sql "select count(*) from exp where bd ? 'level' and bd->>'level' is null")" \
	"$(sql "select count(*) from vqr.indicator_value where breakdown ? 'level' and breakdown->>'level' is null")" \
	"an empty level is its own breakdown (null) both ways"
done_testing
