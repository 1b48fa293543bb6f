#!/bin/sh
# vqr revert BATCH on a real PostgreSQL: the slices of a batch are
# restored as they were before it, in one transaction with a batch of its
# own, after a replace, a supplement and a reprocess; the values it took
# back stay in the history; a batch whose slices were loaded again later,
# or that is reverted already, is refused with the reason and nothing
# changes; --dry-run changes nothing.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_revert
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
make_config c "$TEST_DB"
own_source c            # the test changes the catalog as a college would
CFG=$WORK/c.yaml
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"

# Every current value, with the files of each slice (no batch numbers).
state() {
	sql "select md5(string_agg(concat_ws('|', period, indicator_code, breakdown::text, value_type, source_code,
	       numerator, denominator, value, file_id), ',' order by period, indicator_code, breakdown::text, value_type))
	     from vqr.indicator_value"
	sql "select string_agg(period || ':' || file_id, ' ' order by period, file_id) from vqr.slice_file"
}
total() {
	sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2022-2023' and breakdown = '{}'"
}
last_batch() {
	sql "select max(batch_id) from vqr.batch"
}

cp "$FIX" "$WORK/c/inbox/"
out=$(vqr -c "$CFG" run 2>&1); is "$?" 0 "the register loads" || diag "$out"
B1=$(last_batch)
S1=$(state)

# 1. A replace: a corrected register with five graduates moved from
# further study into employment.
awk -F, 'BEGIN { OFS = "," } { sub(/\r$/, "") } NR > 2 && n < 5 && /,高等教育深造,/ { sub(/,高等教育深造,/, ",企事业单位就业,"); n++ } { print }' \
	"$FIX" > "$WORK/c/inbox/毕业生去向登记表_2022-2023_更正.csv"
vqr -c "$CFG" run >/dev/null 2>&1; is "$?" 0 "a corrected register replaces the slice"
B2=$(last_batch)
S2=$(state)
[ "$S2" != "$S1" ]; ok $? "  and changes its values"

out=$(vqr -c "$CFG" revert "$B1" 2>&1); rc=$?
is "$rc" 2 "reverting a batch whose slices were loaded again later exits 2"
like "$out" "*the slices of batch $B1 were loaded again by batch $B2*revert batch $B2 first*" "  and says which to revert first"
is "$(state)" "$S2" "  and changes nothing"

out=$(vqr -c "$CFG" revert --dry-run "$B2" 2>&1); rc=$?
is "$rc" 0 "a dry run of the revert exits 0"
like "$out" "*dry run, nothing changed: batch $B2 reverted would be*" "  and says what it would do"
is "$(state)" "$S2" "  and changes nothing"

out=$(vqr -c "$CFG" revert "$B2" 2>&1); rc=$?
is "$rc" 0 "vqr revert of the replace exits 0" || diag "$out"
R2=$(last_batch)
like "$out" "*batch $B2 reverted (batch $R2): * values restored, * taken back, periods {2022-2023}*" "  and says what it did"
is "$(state)" "$S1" "the slice is as it was before the replace: every value and its file"
is "$(sql "select status from vqr.batch where batch_id = $B2") $(sql "select reverts || ' ' || status from vqr.batch where batch_id = $R2")" \
	"reverted $B2 loaded" "the batch is marked reverted, by a batch of its own"
is "$(sql "select count(*) > 0 from vqr.indicator_value_history where batch_id = $B2 and superseded_by = $R2")" t \
	"the values taken back stay in the history"
out=$(vqr -c "$CFG" revert "$B2" 2>&1); rc=$?
is "$rc" 2 "reverting it again exits 2"
like "$out" "*batch $B2 is reverted already (by batch $R2)*" "  and says so"
out=$(vqr -c "$CFG" revert "$R2" 2>&1); rc=$?
like "$out" "*batch $R2 is itself a revert (of batch $B2)*" "a revert is not reverted"

# 2. A supplement (补录): ten more graduates, then reverted.
{ head -2 "$FIX"; tail -n +3 "$FIX" | head -10 | sed 's/^2020/2099/'; } > "$WORK/c/inbox/毕业生去向登记表_2022-2023补录.csv"
vqr -c "$CFG" run >/dev/null 2>&1; is "$?" 0 "a supplement loads"
is "$(total)" 1476 "  the slice has 1476 graduates, of two files"
B3=$(last_batch)
out=$(vqr -c "$CFG" revert "$B3" 2>&1); rc=$?
is "$rc" 0 "vqr revert of the supplement exits 0" || diag "$out"
is "$(total)" 1466 "  1466 graduates again"
is "$(state)" "$S1" "  the slice is as it was, of one file"

# 3. A reprocess after a catalog change, then reverted.
sed -i 's/synonyms: \[专业对口\]/synonyms: [专业对口, 对口情况]/' "$WORK/src.yaml"
vqr -c "$CFG" reprocess --all >/dev/null 2>&1; is "$?" 0 "a reprocess"
B4=$(last_batch)
[ "$(sql "select count(*) from vqr.indicator_value where batch_id = $B4 and source_code = 'graduate_destination'")" -gt 0 ]
ok $? "  computes the slice again"
is "$(sql "select count(*) > 0 from vqr.indicator_value_history where superseded_by = $B4")" t "  replacing the values before it"
out=$(vqr -c "$CFG" revert "$B4" 2>&1); rc=$?
is "$rc" 0 "vqr revert of the reprocess exits 0" || diag "$out"
is "$(state)" "$S1" "  the slice is as it was"
is "$(sql "select count(*) from vqr.indicator_value where batch_id = $B4")" 0 "  none of the reprocess's values is current"

out=$(vqr -c "$CFG" revert 99999 2>&1); rc=$?
is "$rc" 2 "a batch that does not exist exits 2"
like "$out" "*batch 99999 does not exist*" "  and says so"
out=$(vqr -c "$CFG" revert x 2>&1); rc=$?
is "$rc" 1 "a batch that is not a number is a usage error"

done_testing
