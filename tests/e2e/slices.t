#!/bin/sh
# How a new file relates to its slice, on a real PostgreSQL:
#  - a replacing file that shrinks its slice by more than max_shrink (by
#    rows or by a count indicator) is held back: a slice_shrink finding,
#    the file quarantined with the before and after figures, until the
#    operator accepts it (--accept-shrink, or a FILE.accept-shrink marker);
#    --dry-run says so too;
#  - a supplement (补录) adds its rows to the slice: the indicators are
#    computed over all of the slice's rows, from the rows kept at each
#    load (or, when they are gone, from the archived export);
#  - each loaded file's canonical rows are kept compressed, without
#    personal fields.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_slices
make_config c "$TEST_DB"
CFG=$WORK/c.yaml
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"
# The full register again, as other bytes (n blank lines more).
full() { { cat "$FIX"; i=0; while [ $i -lt "$1" ]; do printf '\r\n'; i=$((i + 1)); done; } > "$2"; }
val() { sql "select value from vqr.indicator_value where indicator_code = '$1' and period = '${2:-2022-2023}' and breakdown = '{}'"; }

cp "$FIX" "$WORK/c/inbox/"
vqr -c "$CFG" run >/dev/null 2>&1; ok $? "the full register loads"
is "$(val employment.graduates.total)" 1466 "1466 graduates"
sha=$(sha256sum "$FIX" | cut -d' ' -f1)
test -f "$WORK/c/archive/.rows/$sha.tsv"; ok $? "its canonical rows are kept by sha256 (the staged file linked, no copy)"
is "$(stat -c %a "$WORK/c/archive/.rows/$sha.tsv")" 600 "  readable by vqr's user only"
is "$(tail -n +2 "$WORK/c/archive/.rows/$sha.tsv" | wc -l | tr -d ' ')" 1466 "  one line per loaded row"
case $(head -1 "$WORK/c/archive/.rows/$sha.tsv") in
*student_id* | *id_number* | *name*) false ;;
esac; ok $? "  without the personal fields"
is "$(sql "select count(*) from vqr.slice_file")" 1 "vqr.slice_file: the slice is made of that file"

# Ten rows of the same year under a plain name: a replacement that would
# shrink 1466 graduates to 10.
head -12 "$FIX" > "$WORK/ten.csv"
cp "$WORK/ten.csv" "$WORK/c/inbox/毕业生去向登记表_2022-2023_v2.csv"
out=$(vqr -c "$CFG" run --dry-run 2>&1); rc=$?
like "$out" "*would be held back*rows 2022-2023: 1466 -> 10*" "--dry-run says the file would be held back, with the figures"
is "$(val employment.graduates.total)" 1466 "  and changes nothing"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "a shrinking replacement exits 2"
like "$out" "*held back*rows 2022-2023: 1466 -> 10 (-99.3%)*employment.graduates.total 2022-2023: 1466 -> 10*" \
	"and says it is held back, before and after by rows and by count"
is "$(val employment.graduates.total)" 1466 "the slice keeps its 1466 graduates"
test -f "$WORK/c/quarantine/毕业生去向登记表_2022-2023_v2.csv"; ok $? "the file waits in quarantine"
like "$(cat "$WORK/c/quarantine/毕业生去向登记表_2022-2023_v2.csv.reason")" \
	"*held back*1466 -> 10*--accept-shrink 毕业生去向登记表_2022-2023_v2.csv*" "its .reason gives the figures and how to accept it"
is "$(sql "select string_agg(distinct severity, ' ') || ' ' || bool_or(message like '%employment.graduates.total 2022-2023: 1466 -> 10%') || ' ' || (count(*) > 2) from vqr.finding where check_code = 'slice_shrink'")" "error true true" \
	"slice_shrink findings (error) record it, one per figure that shrank"
is "$(sql "select status from vqr.batch order by batch_id desc limit 1")" blocked "its batch is blocked"

# The operator accepts it.
mv "$WORK/c/quarantine/毕业生去向登记表_2022-2023_v2.csv" "$WORK/c/inbox/"
out=$(vqr -c "$CFG" run --accept-shrink 毕业生去向登记表_2022-2023_v2.csv 2>&1); rc=$?
is "$rc" 0 "with --accept-shrink it loads"
is "$(val employment.graduates.total)" 10 "and replaces the slice"
# ... and the full export again, with a marker instead of the option.
full 1 "$WORK/c/inbox/毕业生去向登记表_2022-2023_v3.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "growing a slice is never held back"
is "$(val employment.graduates.total)" 1466 "1466 again"
{ cat "$WORK/ten.csv"; printf '\r\n'; } > "$WORK/c/inbox/毕业生去向登记表_2022-2023_v4.csv"
: > "$WORK/c/inbox/毕业生去向登记表_2022-2023_v4.csv.accept-shrink"
vqr -c "$CFG" run >/dev/null 2>&1; is "$?" 0 "a FILE.accept-shrink marker accepts it too"
is "$(val employment.graduates.total)" 10 "  10"
full 2 "$WORK/c/inbox/毕业生去向登记表_2022-2023_v5.csv"
vqr -c "$CFG" run >/dev/null 2>&1
is "$(val employment.graduates.total)" 1466 "back to the full register"

# A supplement (补录): ten more graduates of 2022-2023.
nd() { sql "select numerator::int || ' ' || denominator::int from vqr.indicator_value where indicator_code = 'employment.major_match.rate' and breakdown = '{}' and period = '2022-2023'"; }
before=$(nd)
{ head -2 "$FIX"; tail -n +3 "$FIX" | head -10 | sed 's/^2020/2099/'; } > "$WORK/c/inbox/毕业生去向登记表_2022-2023补录.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a supplement loads"
is "$(val employment.graduates.total)" 1476 "its rows are added to the slice: 1476 graduates"
# The in-field rate over both files: the supplement's own rows counted
# here from the CSV, added to the register's.
exp=$(tr -d '\r' < "$WORK/c/archive/毕业生去向登记表_2022-2023补录.csv" | awk -F, -v before="$before" '
	FNR == 2 { for (i = 1; i <= NF; i++) { if ($i == "毕业去向类别") d = i; if ($i == "是否专业对口") c = i }; next }
	FNR > 2 && $d != "" && $d != "待就业" { n++; if ($c == "是") m++ }
	END { split(before, b, " "); printf "%d %d", b[1] + m, b[2] + n }')
is "$(nd)" "$exp" "rates are recomputed over all of the slice's rows (in-field $exp: $before and the supplement's)"
is "$(sql "select count(*) from vqr.slice_file sf join vqr.source_file f using (file_id) where sf.period = '2022-2023'")" 2 \
	"the slice is made of two files"
# A second supplement, with the kept rows cut short, as a crash can leave
# them (they are not synced): they are extracted again from the archived
# exports.
for f in "$WORK"/c/archive/.rows/*.tsv; do
	head -c 300 "$f" > "$WORK/short" && cat "$WORK/short" > "$f"
done
{ head -2 "$FIX"; tail -n +13 "$FIX" | head -5 | sed 's/^2020/2098/'; } > "$WORK/c/inbox/毕业生去向登记表_2022-2023_supplement2.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a second supplement loads with the kept rows cut short"
like "$out" "*vqr: warning: $WORK/c/archive/.rows/*.tsv: the kept rows of 毕业生去向登记表_2022-2023_v5.csv (batch *) are not whole (a crash?): extracted again*" \
	"  which is said"
is "$(val employment.graduates.total)" 1481 "from the archived exports: 1481 graduates"
# A supplement whose earlier files are gone altogether is quarantined.
rm -f "$WORK"/c/archive/.rows/*.tsv "$WORK/c/archive/毕业生去向登记表_2022-2023_v5.csv"
{ head -2 "$FIX"; tail -n +20 "$FIX" | head -3 | sed 's/^2020/2097/'; } > "$WORK/c/inbox/毕业生去向登记表_2022-2023补录3.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "a supplement that cannot see its slice's rows exits 2"
like "$out" "*cannot be added to its slices*neither kept rows*" "and says why"
test -f "$WORK/c/quarantine/毕业生去向登记表_2022-2023补录3.csv"; ok $? "it is quarantined"
is "$(val employment.graduates.total)" 1481 "the slice is unchanged"

# A supplement of another year (no slice yet) is just its own rows.
{ head -2 "$FIX"; tail -n +3 "$FIX" | head -4 | sed 's/2023-06-30/2024-06-30/; s/,2023,/,2024,/'; } > "$WORK/c/inbox/毕业生去向登记表_2023-2024补录.csv"
out=$(vqr -c "$CFG" run 2>&1); is "$?" 0 "a supplement of a new year loads" || diag "$out"
is "$(val employment.graduates.total 2023-2024)" 4 "with its own rows"
is "$(val employment.graduates.total)" 1481 "and leaves 2022-2023 alone"

done_testing
