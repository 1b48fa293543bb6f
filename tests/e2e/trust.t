#!/bin/sh
# No number the data does not support, and never a silent one, on a real
# PostgreSQL:
#  - column coverage: every header is mapped or reported as unmapped (with
#    the closest missing field), every missing field is reported: in the
#    manifest, vqr.source_file, the run's output, --summary-json and
#    vqr status;
#  - an indicator reading a field the file lacks, or has empty in every
#    row, is not computed (no value, never 0/N) and gets a field_missing
#    finding; derived indicators and checks over it are skipped with the
#    same finding; a corrected export brings the value back and the
#    finding goes;
#  - findings are seen: counted by severity in the summary line and JSON,
#    each error named; fail_on: error makes such a run exit 2.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_trust
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"

# A deployment with the employment indicators, the derived maximum over
# major groups, a derived formula and checks over the in-field rate.
deploy() { # NAME [fail_on]
	make_config "$1" "$TEST_DB"
	cat >> "$WORK/$1.yaml" <<YAML
  - $TOP/config/indicators/employment_groups.yaml
  - $WORK/extra.yaml
${2:+fail_on: $2}
YAML
}
cat > "$WORK/extra.yaml" <<'YAML'
indicators:
  - code: trust.in_field_share_of_placed
    name_zh: 对口就业率的百分之一
    name_en: In-field rate / 100
    unit: "1"
    kind: amount
    aggregate: none
    formula: "employment.major_match.rate / 100"
checks:
  - code: trust.in_field_at_most_100
    name_zh: 对口就业率不超过100%
    left: "employment.major_match.rate"
    op: "<="
    right: "100"
    severity: warning
YAML
deploy c
CFG=$WORK/c.yaml
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"

# The seed register with three optional headers renamed and one extra
# column, as a college with another vendor exports it.
renamed() { # OUT
	awk -F, 'BEGIN { OFS = "," }
		{ sub(/\r$/, "") }
		NR == 1 { print $0 ","; next }
		NR == 2 { for (i = 1; i <= NF; i++) {
				if ($i == "是否专业对口") $i = "对口情况";
				else if ($i == "起薪（元/月）") $i = "月收入(元)";
				else if ($i == "培养层次") $i = "学制层次";
			}
			print $0 ",辅导员"; next }
		{ print $0 ",张老师" }' "$FIX" > "$1"
}
renamed "$WORK/c/inbox/毕业生去向登记表_vendor.csv"
out=$(vqr -c "$CFG" run --summary-json "$WORK/sum.json" 2>&1); rc=$?
is "$rc" 0 "the renamed register loads (exit 0: warnings only)"
like "$out" "*毕业生去向登记表_vendor.csv: 4 unmapped columns (*" "the run says the file has 4 unmapped columns, even without -v"
like "$out" "*对口情况: did you mean in_field (是否专业对口)?*" "  对口情况 is suggested as in_field"
like "$out" "*月收入(元): did you mean salary (起薪(元/月))?*" "  月收入(元) as salary"
like "$out" "*学制层次: did you mean level (培养层次)?*" "  学制层次 as level"
like "$out" "*; 辅导员)*" "  辅导员 is unmapped without a suggestion"
like "$out" "*missing fields: major_group, level, in_field, salary*" "  the missing fields are named"
like "$out" "*not computed (field_missing): employment.major_match.rate*" "  and the indicators not computed"
like "$out" "*vqr: 1 file loaded (1466 rows, 0 rejected)*findings: * warning*" "the summary line is printed and counts the findings"

m=$(cat "$WORK"/c/staging/*/manifest.yaml)
like "$m" "*unmapped: \[学制层次, 对口情况, 月收入(元), 辅导员\]*" "the manifest lists the unmapped headers"
like "$m" "*unmapped_hint: \[level (培养层次), in_field (是否专业对口), salary (起薪(元/月)), ''\]*" "with their suggestions"
like "$m" "*missing: \[major_group, level, in_field, salary\]*" "and the missing fields"
like "$m" "*skipped: \[*employment.major_match.rate*" "and the skipped indicators"

is "$(sql "select array_to_string(unmapped_headers, '|') || ' / ' || array_to_string(missing_fields, '|') from vqr.source_file")" \
	"学制层次|对口情况|月收入(元)|辅导员 / major_group|level|in_field|salary" "vqr.source_file records the coverage"
is "$(sql "select unmapped_hints[2] from vqr.source_file")" "in_field (是否专业对口)" "with the hints"
like "$(sql "select array_to_string(skipped_indicators, ' ') from vqr.source_file")" \
	"*employment.major_match.rate*employment.starting_salary.mean*" "and the indicators not computed"

# No number from absent data.
is "$(sql "select count(*) from vqr.indicator_value where indicator_code = 'employment.major_match.rate'")" 0 \
	"no in-field rate is stored (it would have been 0/1461)"
is "$(sql "select count(*) from vqr.v_indicator where indicator_code like 'employment.starting_salary%'")" 0 \
	"no salary value, no mean by major group"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and breakdown = '{}'")" 1466 \
	"the indicators the file supports are computed"
is "$(sql "select count(*) from vqr.indicator_value where indicator_code = 'employment.six_month_retention.rate' and breakdown = '{}'")" 1 \
	"including the six-month retention rate (its fields are there)"
f=$(sql "select severity || '|' || period || '|' || source_code || '|' || message from vqr.finding where check_code = 'field_missing' and indicator_code = 'employment.major_match.rate' and superseded_by is null")
like "$f" "warning|2022-2023|graduate_destination|employment.major_match.rate 对口就业率 is not computed: 毕业生去向登记表_vendor.csv has no column for field in_field (是否专业对口); unmapped columns of the file: *对口情况 (did you mean in_field (是否专业对口)?)*" \
	"a field_missing finding names the indicator, the field, the file and its unmapped headers"
like "$(sql "select message from vqr.finding where check_code = 'field_missing' and indicator_code = 'trust.in_field_share_of_placed' and superseded_by is null")" \
	"*not computed: its operand employment.major_match.rate has no value*" "a derived formula over it is skipped with a field_missing finding"
is "$(sql "select count(*) from vqr.indicator_value where indicator_code = 'trust.in_field_share_of_placed'")" 0 "  and has no value"
like "$(sql "select message from vqr.finding where check_code = 'field_missing' and indicator_code = 'employment.starting_salary.mean_by_major_group.max' and superseded_by is null")" \
	"*not computed: its operand employment.starting_salary.mean_by_major_group has no value*" "a derived take over a skipped indicator is skipped too"
like "$(sql "select message from vqr.finding where check_code = 'field_missing' and indicator_code is null and superseded_by is null")" \
	"check trust.in_field_at_most_100 is not evaluated: employment.major_match.rate has no value*" "a check over it is skipped with a field_missing finding"
like "$(sql "select string_agg(check_code, ' ') from vqr.v_finding")" "*field_missing*" "v_finding shows them"

j=$(cat "$WORK/sum.json")
like "$j" '*"unmapped": \[{"header": "学制层次", "suggestion": "level (培养层次)"}*{"header": "辅导员", "suggestion": null}\]*' "--summary-json lists unmapped headers with suggestions"
like "$j" '*"missing_fields": \["major_group", "level", "in_field", "salary"\]*' "  the missing fields"
like "$j" '*"skipped_indicators": \[{"indicator": "employment.major_match.rate", "field": "in_field", "why": "absent"}*' "  the indicators not computed"
like "$j" '*"findings": {"error": 0, "warning": *' "  and the findings by severity"
like "$j" '*"files_to_look_at": 1,*' "  and counts the file as one to look at"

st=$(vqr -c "$CFG" status 2>&1)
like "$st" "*column coverage of the loaded files:*毕业生去向登记表_vendor.csv (batch *): unmapped columns: 学制层次 (did you mean level (培养层次)?)*辅导员; missing fields: major_group, level, in_field, salary; not computed: *employment.major_match.rate*" \
	"vqr status shows the coverage"
like "$st" "*warning  2022-2023  field_missing: employment.major_match.rate*" "and the field_missing findings"

# A corrected export: the rate comes back and the finding goes.
cp "$FIX" "$WORK/c/inbox/"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "the corrected export loads"
is "$(sql "select round(value, 2) || ' (' || numerator || '/' || denominator || ')' from vqr.indicator_value where indicator_code = 'employment.major_match.rate' and breakdown = '{}'")" \
	"94.66 (1383/1461)" "the in-field rate is 94.66% (1383/1461)"
is "$(sql "select count(*) from vqr.finding where check_code = 'field_missing' and superseded_by is null and indicator_code like 'employment.major_match%'")" 0 \
	"its field_missing finding is superseded"
is "$(sql "select count(*) from vqr.finding where check_code = 'field_missing' and superseded_by is null and indicator_code = 'trust.in_field_share_of_placed'")" 0 \
	"and so is the derived indicator's"
is "$(sql "select round(value, 4) from vqr.indicator_value where indicator_code = 'trust.in_field_share_of_placed' and breakdown = '{}'")" 0.9466 "which is computed again"
like "$out" "*missing fields: major_group*" "the corrected file's own missing field is still said"

# A minimal register: only the required columns.  Counts load; every
# rate or mean over an absent field is left out, none is 0.
deploy m
printf '专业名称,毕业去向类别,毕业日期\n数控加工,企事业单位就业,2024-06-30\n数控加工,待就业,2024-06-30\n汽车维修,升学深造,2024-06-30\n' \
	> "$WORK/m/inbox/毕业生去向登记表_min.csv"
out=$(vqr -c "$WORK/m.yaml" run 2>&1); rc=$?
is "$rc" 0 "a minimal register loads" || diag "$out"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2023-2024' and breakdown = '{}'")" 3 \
	"its graduates are counted"
is "$(sql "select count(*) from vqr.indicator_value where period = '2023-2024' and indicator_code in ('employment.major_match.rate', 'employment.six_month_retention.rate', 'employment.starting_salary.mean')")" 0 \
	"no in-field, retention or salary figure comes from it"
is "$(sql "select count(distinct indicator_code) from vqr.finding where period = '2023-2024' and check_code = 'field_missing' and superseded_by is null and indicator_code in ('employment.major_match.rate', 'employment.six_month_retention.rate', 'employment.starting_salary.mean')")" 3 \
	"each has a field_missing finding"

# A column that is there but empty in every row counts as missing too.
awk -F, 'BEGIN { OFS = "," } { sub(/\r$/, "") } NR == 2 { for (i = 1; i <= NF; i++) if ($i == "是否专业对口") c = i }
	NR > 2 && c { $c = "" } { print }' "$FIX" | sed 's/2023-06-30/2024-06-30/; s/,2023,/,2024,/' > "$WORK/m/inbox/毕业生去向登记表_empty.csv"
out=$(vqr -c "$WORK/m.yaml" run 2>&1); rc=$?
is "$rc" 0 "a register with an empty column loads" || diag "$out"
like "$(sql "select message from vqr.finding where check_code = 'field_missing' and superseded_by is null and indicator_code = 'employment.major_match.rate' and period = '2023-2024'")" \
	"*has no value in any row of field in_field (是否专业对口)*" "an empty column is a field_missing finding"
is "$(sql "select count(*) from vqr.indicator_value where period = '2023-2024' and indicator_code = 'employment.major_match.rate'")" 0 "and no rate"

# Errors are seen, and fail_on: error makes the run exit 2.
cat > "$WORK/extra.yaml" <<'YAML'
checks:
  - code: trust.graduates_below_1000
    name_zh: 毕业生不足1000人
    left: "employment.graduates.total"
    op: "<"
    right: "1000"
    severity: error
YAML
deploy e
cp "$FIX" "$WORK/e/inbox/"
sql "delete from vqr.indicator_value; delete from vqr.finding; delete from vqr.reject; delete from vqr.slice_file; delete from vqr.source_file;" >/dev/null
out=$(vqr -c "$WORK/e.yaml" run --summary-json "$WORK/e.json" 2>&1); rc=$?
is "$rc" 0 "an error finding without fail_on: exit 0"
like "$out" "*finding: error trust.graduates_below_1000 2022-2023: *1466*" "the error is named on stderr"
like "$out" "*findings: 1 error*" "and counted in the summary line"
like "$(cat "$WORK/e.json")" '*"findings": {"error": 1, *"errors": ["trust.graduates_below_1000 2022-2023: *' "and in the JSON"
test_db vqr_e2e_trust_f
deploy f error
vqr -c "$WORK/f.yaml" init >/dev/null 2>&1
cp "$FIX" "$WORK/f/inbox/"
out=$(vqr -c "$WORK/f.yaml" run --summary-json "$WORK/f.json" 2>&1); rc=$?
is "$rc" 2 "fail_on: error makes a run with an error finding exit 2"
like "$out" "*findings of severity error or worse (fail_on)*" "and says why"
like "$(cat "$WORK/f.json")" '*"exit_code": 2,*' "the summary JSON has the exit code"
# A corrected file of the same year in which the check finds the same
# error again: not a new finding, so neither counted nor failing the run.
awk '!done && NR > 2 && /,男,/ { sub(/,男,/, ",女,"); done = 1 } { print }' "$FIX" > "$WORK/f/inbox/毕业生去向登记表_2022-2023_更正.csv"
out=$(vqr -c "$WORK/f.yaml" run --summary-json "$WORK/f.json" 2>&1); rc=$?
is "$rc" 0 "the same error found again by a later load is not new: exit 0" || diag "$out"
like "$(cat "$WORK/f.json")" '*"findings": {"error": 0, *' "  and not counted"
is "$(sql "select count(*) from vqr.finding where check_code = 'trust.graduates_below_1000' and superseded_by is null")" 1 \
	"  while the finding stays current"
sed -i 's/^fail_on: error/fail_on: sometimes/' "$WORK/f.yaml"
out=$(vqr -c "$WORK/f.yaml" run 2>&1); rc=$?
is "$rc" 1 "a bad fail_on is a configuration error"
like "$out" "*f.yaml:*:*: fail_on must be error, warning or never*" "  with file:line:col"

done_testing
