#!/bin/sh
# The analyst views on known data (tests/sql/views_data.sql): one school
# over the years, schools side by side with rank, percentile and the
# regional value, a region over the years, data quality, latest values.
# Rates combine as a ratio of sums, never as an average of percentages.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_sql_views
make_config c "$TEST_DB"
out=$(vqr -c "$WORK/c.yaml" init 2>&1); rc=$?
is "$rc" 0 "vqr init exits 0 ($out)"
psql -X -q -v ON_ERROR_STOP=1 -d "$TEST_DB" -f "$TOP/tests/sql/views_data.sql" >/dev/null 2>&1
ok $? "the known data loads"

# --- one school over the years
is "$(sql "select string_agg(period || ':' || value || ':' || coalesce(prev_value::text, '-') || ':' ||
            coalesce(change::text, '-') || ':' || coalesce(round(change_pct, 2)::text, '-'), ' ' order by period)
           from vqr.v_school_trend where school_code = 'A' and indicator_code = 't.rate' and breakdown = '{}'")" \
	"2020-2021:40:-:-:- 2021-2022:30:40:-10:-25.00 2022-2023:50:30:20:66.67" \
	"v_school_trend: A's rate per year with the previous year, the change and the change in percent"
is "$(sql "select value_type || ' ' || value || ' ' || reported_value from vqr.v_school_trend
           where school_code = 'A' and indicator_code = 't.rate' and breakdown = '{}' and period = '2022-2023'")" \
	"computed 50 51" "v_school_trend prefers the computed value and shows the reported one beside it"
is "$(sql "select string_agg(period || ':' || value_type || ':' || value || ':' || coalesce(prev_value::text, '-'), ' ' order by period)
           from vqr.v_school_trend where school_code = 'C' and indicator_code = 't.rate' and breakdown = '{}'")" \
	"2020-2021:computed:25:- 2022-2023:reported:80:-" \
	"a year without a value leaves the next year without a previous value (never the year before that)"
is "$(sql "select period || ' ' || breakdown_text || ' ' || value from vqr.v_school_trend
           where school_code = 'A' and indicator_code = 't.rate' and breakdown <> '{}'")" \
	"2022-2023 major=数控 100" "v_school_trend works per breakdown, with a readable breakdown_text"
is "$(sql "select school_name || ' ' || region || ' ' || name_zh || ' ' || unit from vqr.v_school_trend
           where school_code = 'A' and indicator_code = 't.rate' and breakdown = '{}' and period = '2022-2023'")" \
	"甲技工学校 R1 测试比例 %" "with the school's and the indicator's names"

# --- schools side by side
cmp="from vqr.v_school_compare where period = '2022-2023' and indicator_code = 't.rate' and breakdown = '{}'"
is "$(sql "select string_agg(school_code || ':' || value || ':' || value_type || ':' || rank || ':' || round(percentile, 2), ' ' order by rank) $cmp and region = 'R1'")" \
	"B:99:computed:1:100.00 C:80:reported:2:50.00 A:50:computed:3:0.00" \
	"v_school_compare: value, rank (1 = highest) and percentile among the schools of the region"
is "$(sql "select distinct round(region_value, 2) || ' ' || region_numerator || '/' || region_denominator $cmp and region = 'R1'")" \
	"98.04 100/102" "the regional rate is the ratio of sums 100/102 = 98.04%, over the computed values only"
is "$(sql "select count(*) $cmp and region = 'R1' and round(region_value, 2) = 74.5")" 0 \
	"and not the average of the percentages (74.5%)"
is "$(sql "select distinct schools || ' ' || region_schools $cmp and region = 'R1'")" "3 2" \
	"three schools ranked, two of them (computed) in the regional value"
is "$(sql "select round(vs_region, 2) $cmp and school_code = 'A'")" "-48.04" "vs_region: the school's distance from the regional value"
is "$(sql "select string_agg(school_code || ':' || value || ':' || reported_value, ' ') $cmp and reported_value is not null")" \
	"A:50:51 C:80:80" "reported values stay visible"
tie=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$TEST_DB" 2>&1 <<'SQL'
BEGIN;
UPDATE vqr.indicator_value SET value = 20
 WHERE school_code = 'A' AND period = '2022-2023' AND indicator_code = 't.count' AND breakdown = '{}';
SELECT string_agg(school_code || ':' || rank || ':' || round(percentile, 2) || ':' || schools, ' ' ORDER BY school_code)
  FROM vqr.v_school_compare
 WHERE period = '2022-2023' AND indicator_code = 't.count' AND breakdown = '{}' AND region = 'R1';
ROLLBACK;
SQL
)
is "$tie" "A:1:50.00:3 B:1:50.00:3 C:3:0.00:3" \
	"a tie: both ranked 1, the next 3; the percentile counts the values below (1 of the 2 others)"
is "$(sql "select count(*) from vqr.v_school_compare where period = '2021-2022' and indicator_code = 't.rate' and breakdown = '{}' and region = 'R2' and rank = 1 and percentile = 0 and round(region_value) = 75")" \
	1 "a school alone in its region: rank 1, percentile 0, its own value as the region's"
is "$(sql "select distinct round(region_value, 2) from vqr.v_school_compare where period = '2022-2023' and indicator_code = 't.rate' and breakdown = '{\"major\": \"数控\"}'")" \
	"90.91" "per breakdown: the major 数控 combines as 10/11 = 90.91% (not (100 + 90) / 2)"
is "$(sql "select string_agg(school_code || ':' || rank, ' ' order by rank) from vqr.v_school_compare where period = '2022-2023' and indicator_code = 't.rate' and breakdown ->> 'major' = '数控'")" \
	"A:1 B:2" "and ranks the schools within that breakdown"
is "$(sql "select distinct region_value from vqr.v_school_compare where period = '2022-2023' and indicator_code = 't.count' and region = 'R1'")" \
	35 "a count combines as a sum (10 + 20 + 5)"
is "$(sql "select distinct round(region_value, 2) from vqr.v_school_compare where period = '2022-2023' and indicator_code = 't.mean'")" \
	"3666.67" "a mean combines as a weighted mean 11000/3 (not the mean of means 3500)"
is "$(sql "select count(*) || ' ' || count(region_value) from vqr.v_school_compare where period = '2022-2023' and indicator_code = 't.none'")" \
	"2 0" "an indicator whose rule is none has no regional value"

# --- a region over the years
reg="from vqr.v_region_trend where region = 'R1' and indicator_code = 't.rate' and breakdown = '{}'"
is "$(sql "select string_agg(period || ':' || schools || ':' || numerator || '/' || denominator || ':' || round(value, 2) || ':' ||
            coalesce(round(change, 2)::text, '-') || ':' || coalesce(round(change_pct, 2)::text, '-'), ' ' order by period) $reg")" \
	"2020-2021:2:3/9:33.33:-:- 2021-2022:2:48/60:80.00:46.67:140.00 2022-2023:2:100/102:98.04:18.04:22.55" \
	"v_region_trend: the ratio of sums per year, with the change from the year before"
is "$(sql "select string_agg(period || ':' || round(value, 2), ' ') from vqr.v_region_trend where region = 'R2' and indicator_code = 't.rate' and breakdown = '{}'")" \
	"2021-2022:75.00" "each region on its own"
is "$(sql "select round(value, 2) || ' ' || numerator || '/' || denominator from vqr.v_region_trend where region = 'R1' and indicator_code = 't.mean' and period = '2022-2023'")" \
	"3666.67 11000/3" "v_region_trend: a mean is weighted"
is "$(sql "select value from vqr.v_region_trend where region = 'R1' and indicator_code = 't.count' and period = '2022-2023'")" \
	35 "v_region_trend: a count is summed"
is "$(sql "select count(*) || ' ' || count(value) from vqr.v_region_trend where indicator_code = 't.none'")" \
	"1 0" "v_region_trend: none gives no value"
is "$(sql "select round(value, 2) from vqr.v_region_trend where region = 'R1' and indicator_code = 't.rate' and breakdown = '{\"major\": \"数控\"}'")" \
	"90.91" "v_region_trend per breakdown"

# --- like for like: region R3 goes from one school to two (t.count) and
# from two to three (t.rate); see views_data.sql
r3="from vqr.v_region_trend where region = 'R3' and breakdown = '{}' and period = '2022-2023'"
is "$(sql "select schools || ' ' || prev_schools || ' ' || common_schools || ' ' || value || ' ' || prev_value || ' ' || change $r3 and indicator_code = 't.count'")" \
	"2 1 1 2900 100 2800" "v_region_trend: coverage 1 -> 2 schools, 1 in both, beside the raw change +2800"
is "$(sql "select like_value || ' ' || like_prev_value || ' ' || like_change || ' ' || round(like_change_pct, 2) $r3 and indicator_code = 't.count'")" \
	"120 100 20 20.00" "  like_change is the change of the common school E only (100 -> 120)"
is "$(sql "select like_change = (select e.change from vqr.v_school_trend e where e.school_code = 'E' and e.indicator_code = 't.count'
                                 and e.breakdown = '{}' and e.period = '2022-2023') $r3 and indicator_code = 't.count'")" \
	t "  and equals v_school_trend's change of E"
is "$(sql "select schools || ' ' || prev_schools || ' ' || common_schools $r3 and indicator_code = 't.rate'")" \
	"3 2 2" "a rate: 3 schools now, 2 before (G's value of 2021-2022 is empty and does not count), 2 in both"
is "$(sql "select like_numerator || '/' || like_denominator || ' ' || like_prev_numerator || '/' || like_prev_denominator || ' ' ||
            round(like_value, 4) || ' ' || round(like_prev_value, 4) || ' ' || round(like_change, 4) $r3 and indicator_code = 't.rate'")" \
	"5/9 10/14 55.5556 71.4286 -15.8730" \
	"  like-for-like rate as a ratio of sums: E and F 5/9 = 55.56% against 10/14 = 71.43% (not 0, the change of their average percentage)"
is "$(sql "select numerator || '/' || denominator || ' ' || round(value, 2) || ' ' || round(change, 2) $r3 and indicator_code = 't.rate'")" \
	"55/59 93.22 21.79" "  while the raw regional rate, with G joining at 100%, rises 21.79 points"
is "$(sql "select prev_schools || ' ' || common_schools || ' ' || coalesce(like_value::text, 'NULL') || ' ' || coalesce(change::text, 'NULL')
           from vqr.v_region_trend where region = 'R3' and breakdown = '{}' and period = '2021-2022' and indicator_code = 't.count'")" \
	"0 0 NULL NULL" "a first year: no school before, none in common, no like-for-like value and no change"
is "$(sql "select string_agg(period || ':' || common_schools || ':' || round(like_change, 2), ' ' order by period) $reg and prev_period is not null")" \
	"2021-2022:1:-10.00 2022-2023:2:18.04" "R1: 2021-2022 has A in common with 2020-2021 (A 40% -> 30%), the raw rate rises 46.67 points"

# --- one school: a change only when both years have a value
st="from vqr.v_school_trend where breakdown = '{}' and period = '2022-2023'"
is "$(sql "select coalesce(prev_value::text, 'NULL') || ' ' || coalesce(change::text, 'NULL') || ' ' || coalesce(change_pct::text, 'NULL') || ' ' || has_prev_value
           $st and school_code = 'F' and indicator_code = 't.count'")" \
	"NULL NULL NULL false" "v_school_trend: no previous year -> change NULL (never 0), has_prev_value false"
is "$(sql "select prev_period || ' ' || coalesce(change::text, 'NULL') || ' ' || has_prev_value $st and school_code = 'G' and indicator_code = 't.rate'")" \
	"2021-2022 NULL false" "  a previous year without a value -> change NULL, has_prev_value false"
is "$(sql "select change || ' ' || has_prev_value $st and school_code = 'E' and indicator_code = 't.count'")" \
	"20 true" "  both years -> the change, has_prev_value true"

# --- coverage of a comparison
is "$(sql "select string_agg(school_code || ':' || rank || ':' || schools || ':' || region_total_schools || ':' || coverage_pct, ' ' order by rank)
           from vqr.v_school_compare where region = 'R3' and indicator_code = 't.count' and period = '2022-2023' and breakdown = '{}'")" \
	"F:1:2:3:66.67 E:2:2:3:66.67" "v_school_compare: E ranks 2 of the 2 schools with a value, of the 3 schools of R3 (66.67%)"
is "$(sql "select distinct schools || ':' || region_total_schools || ':' || coverage_pct $cmp and region = 'R1'")" \
	"3:3:100.00" "  every school of R1 has a value: 3 of 3"
is "$(sql "select string_agg(school_code || ':' || coalesce(rank::text, '-') || ':' || schools || ':' || region_total_schools, ' ' order by school_code)
           from vqr.v_school_compare where region = 'R3' and indicator_code = 't.rate' and period = '2021-2022' and breakdown = '{}'")" \
	"E:2:2:3 F:1:2:3 G:-:2:3" "  a school without a value is neither ranked nor counted among the schools with one"

# --- data quality
dq="from vqr.v_data_quality where label = 'A1'"
is "$(sql "select rows_read || ' ' || rows_loaded || ' ' || rows_rejected || ' ' || rows_skipped || ' ' || rejected_pct $dq")" \
	"100 96 4 0 4.00" "v_data_quality: rows read, loaded, rejected, skipped and the rejected share"
is "$(sql "select rejects_by_rule = '{\"type\": 3, \"not_null\": 1}' $dq")" t "rejects counted by rule"
is "$(sql "select findings_error || ' ' || findings_warning $dq")" "2 1" "findings counted by severity"
is "$(sql "select values_current || ' ' || load_time || ' ' || file_name || ' ' || school_name $dq")" \
	"8 00:00:05 A1.csv 甲技工学校" "the values still current, the load time, the file and the school"
is "$(sql "select label || ' ' || rejects_by_rule::text || ' ' || findings_error from vqr.v_data_quality order by batch_id desc limit 1")" \
	"D1 {} 0" "the last batch, with no rejects"
is "$(sql "select string_agg(rule || ':' || rejects || ':' || first_line || ':' || first_value, ' ' order by rule) from vqr.v_reject_summary where file_name = 'A1.csv'")" \
	"not_null:1:12: type:3:4:abc" "v_reject_summary: rejects per rule with the first line and value"

# --- latest values
is "$(sql "select string_agg(school_code || ':' || period || ':' || value || ':' || value_type || ':' || coalesce(change::text, '-'), ' ' order by school_code)
           from vqr.v_latest where indicator_code = 't.rate' and breakdown = '{}' and region in ('R1', 'R2')")" \
	"A:2022-2023:50:computed:20 B:2022-2023:99:computed:9 C:2022-2023:80:reported:- D:2021-2022:75:computed:-" \
	"v_latest: each school's most recent value, with its change"
is "$(sql "select loaded_at = '2023-09-01 02:00:05'::timestamptz from vqr.v_latest where school_code = 'A' and indicator_code = 't.rate' and breakdown = '{}'")" \
	t "with the time its batch was loaded"
is "$(sql "select count(*) from vqr.v_latest where school_code = 'A'")" 5 "one row per indicator and breakdown"

# --- v_value and v_indicator
is "$(sql "select count(*) from vqr.v_value")" "$(sql "select count(distinct (school_code, period, indicator_code, breakdown)) from vqr.indicator_value")" \
	"v_value: exactly one row per school, period, indicator and breakdown"
is "$(sql "select count(*) from vqr.v_indicator")" "$(sql "select count(*) from vqr.indicator_value")" "v_indicator still shows every value"

# --- the plans use the indexes (on this small table only when seq scans are off)
plan() { psql -X -q -A -t -d "$TEST_DB" -c "set enable_seqscan = off" -c "explain $1" 2>&1; }
# uses PLAN INDEX...: 0 when the plan names one of the indexes.
uses() {
	_p=$1
	shift
	for _i in "$@"; do
		case "$_p" in *"$_i"*) echo 0; return ;; esac
	done
	echo 1
}
ok "$(uses "$(plan "select * from vqr.v_school_compare where period = '2022-2023' and indicator_code = 't.rate' and breakdown ? 'major'")" indicator_value_compare)" \
	"v_school_compare can use the index on (indicator_code, period, breakdown, ...)"
ok "$(uses "$(plan "select * from vqr.v_school_compare where period = '2022-2023' and indicator_code = 't.rate' and breakdown = '{}'")" indicator_value_compare indicator_value_totals)" \
	"  for the school totals too (or the index of the totals)"
ok "$(uses "$(plan "select * from vqr.v_school_trend where school_code = 'A' and indicator_code = 't.rate' and breakdown = '{}'")" indicator_value_trend indicator_value_totals)" \
	"v_school_trend can use the index on (school_code, indicator_code, breakdown, period) (or that of the totals)"
like "$(plan "select * from vqr.v_school_compare where school_code = 'A' and period = '2022-2023' and breakdown = '{}'")" \
	"*indicator_value_totals*" "a school's ranks in every indicator of a year read the index of the school totals by period"

done_testing
