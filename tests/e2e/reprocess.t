#!/bin/sh
# Reprocess after a catalog change, on a real PostgreSQL:
#  - each batch records the sha256 of the catalog that computed it; vqr
#    status lists the slices computed with another catalog;
#  - vqr reprocess (--stale, --all, --source, --year, by file name) runs
#    the archived exports again through the current catalog, replacing
#    their slices in one transaction each and keeping the history; a
#    supplement's rows are counted with its slice;
#  - a dropped duplicate is said in one line, not silently archived.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_reprocess
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"

make_config c "$TEST_DB"
own_source c            # the test changes the catalog as a college would
CFG=$WORK/c.yaml
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"

val() { # INDICATOR [PERIOD]
	sql "select round(value, 2) || ' (' || coalesce(numerator::text, '-') || '/' || coalesce(denominator::text, '-') || ')'
	     from vqr.indicator_value where indicator_code = '$1' and period = '${2:-2022-2023}' and breakdown = '{}'"
}

# The seed register with 是否专业对口 renamed by another vendor.
awk -F, 'BEGIN { OFS = "," } { sub(/\r$/, "") }
	NR == 2 { for (i = 1; i <= NF; i++) if ($i == "是否专业对口") $i = "对口情况" } { print }' "$FIX" \
	> "$WORK/c/inbox/毕业生去向登记表_vendor.csv"
vqr -c "$CFG" run >/dev/null 2>&1; is "$?" 0 "the renamed register loads"
is "$(val employment.major_match.rate)" "" "without an in-field rate (its column is not mapped)"
B1=$(sql "select max(batch_id) from vqr.batch")
like "$(sql "select catalog_sha256 from vqr.batch where batch_id = $B1")" "????????????????????????????????????????????????????????????????" \
	"the batch records the sha256 of its catalog"
st=$(vqr -c "$CFG" status 2>&1)
case "$st" in *"another catalog"*) ok 1 "vqr status lists no stale slice yet";; *) ok 0 "vqr status lists no stale slice yet";; esac
out=$(vqr -c "$CFG" reprocess --stale 2>&1); rc=$?
is "$rc" 0 "vqr reprocess --stale with nothing stale exits 0"
like "$out" "*nothing to reprocess*" "  and says so"

# The same file dropped again is said, in one line.
cp "$WORK/c/archive/毕业生去向登记表_vendor.csv" "$WORK/c/inbox/毕业生去向登记表_vendor_again.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a duplicate file exits 0"
like "$out" "*毕业生去向登记表_vendor_again.csv: already loaded as batch $B1 on * (as 毕业生去向登记表_vendor.csv)*" \
	"and is said in one line: already loaded as batch N on DATE"

# The college adds the vendor's header as a synonym.
sed -i 's/synonyms: \[专业对口\]/synonyms: [专业对口, 对口情况]/' "$WORK/src.yaml"
st=$(vqr -c "$CFG" status 2>&1)
like "$st" "*slices computed with another catalog*graduate_destination: 2022-2023 (batch $B1)*" \
	"vqr status lists the slice computed with the older catalog"
before=$(sql "select count(*) from vqr.indicator_value")
out=$(vqr -c "$CFG" reprocess --stale --dry-run 2>&1); rc=$?
is "$rc" 0 "a dry run of the reprocess exits 0"
like "$out" "*employment.major_match.rate*" "  and shows the values that would change"
is "$(val employment.major_match.rate)" "" "  and changes nothing"
out=$(vqr -c "$CFG" reprocess --stale 2>&1); rc=$?
is "$rc" 0 "vqr reprocess --stale exits 0"
like "$out" "*毕业生去向登记表_vendor.csv reprocessed (batch *)*" "  and says what it reprocessed"
is "$(val employment.major_match.rate)" "94.66 (1383/1461)" "the in-field rate is now computed: 94.66% (1383/1461)"
B2=$(sql "select max(batch_id) from vqr.batch")
is "$(sql "select count(*) from vqr.indicator_value_history where superseded_by = $B2 and batch_id = $B1")" "$before" \
	"every value of the older computation is kept in the history, superseded by the reprocess"
is "$(sql "select count(*) || ' ' || min(batch_id) from vqr.source_file where file_name = '毕业生去向登记表_vendor.csv'")" "1 $B2" \
	"the file keeps one record, now of the reprocessing batch"
is "$(sql "select array_to_string(unmapped_headers, ',') from vqr.source_file")" "" "  with its coverage as now mapped"
is "$(sql "select count(*) from vqr.finding where check_code = 'field_missing' and superseded_by is null and indicator_code = 'employment.major_match.rate'")" 0 \
	"the field_missing finding is superseded"
st=$(vqr -c "$CFG" status 2>&1)
case "$st" in *"another catalog"*) ok 1 "vqr status lists no stale slice after it";; *) ok 0 "vqr status lists no stale slice after it";; esac

# A supplement, then a reprocess by file name: the supplement's rows are
# counted with the slice, extracted again from its archived export.
{ head -2 "$FIX"; tail -n +3 "$FIX" | head -10 | sed 's/^2020/2099/'; } > "$WORK/c/inbox/毕业生去向登记表_2022-2023补录.csv"
vqr -c "$CFG" run >/dev/null 2>&1; is "$?" 0 "a supplement loads"
total=$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2022-2023' and breakdown = '{}'")
is "$total" 1476 "the slice has 1476 graduates"
sed -i 's/synonyms: \[专业对口, 对口情况\]/synonyms: [对口情况, 专业对口]/' "$WORK/src.yaml"
out=$(vqr -c "$CFG" reprocess 毕业生去向登记表_vendor.csv 2>&1); rc=$?
is "$rc" 0 "vqr reprocess FILE exits 0" || diag "$out"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2022-2023' and breakdown = '{}'")" 1476 \
	"the reprocessed slice still counts the supplement's rows: 1476"
is "$(sql "select count(*) from vqr.slice_file where period = '2022-2023'")" 2 "  and is still made of the two files"
out=$(vqr -c "$CFG" reprocess --source graduate_destination --year 2022-2023 2>&1); rc=$?
is "$rc" 0 "vqr reprocess --source --year exits 0"
like "$out" "*2 files reprocessed, 0 not*" "  and reprocesses both files of the slice"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2022-2023' and breakdown = '{}'")" 1476 \
	"  the slice still has 1476 graduates"

# What cannot be reprocessed is said, and the slice is left as it was.
out=$(vqr -c "$CFG" reprocess 毕业生去向登记表_nosuch.csv 2>&1); rc=$?
is "$rc" 2 "naming a file that is not loaded exits 2"
like "$out" "*毕业生去向登记表_nosuch.csv: not a file of the current slices*" "  and says so"
rm "$WORK/c/archive/毕业生去向登记表_vendor.csv"
out=$(vqr -c "$CFG" reprocess --all 2>&1); rc=$?
is "$rc" 2 "a file whose export is gone from the archive exits 2"
like "$out" "*毕业生去向登记表_vendor.csv: not reprocessed: its export is not in *" "  and says why"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and period = '2022-2023' and breakdown = '{}'")" 1476 \
	"  the slice is unchanged"
out=$(vqr -c "$CFG" reprocess 2>&1); rc=$?
is "$rc" 1 "vqr reprocess without a choice is a usage error"

done_testing
