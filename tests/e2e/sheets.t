#!/bin/sh
# A workbook of several sheets read as parts (a source's `sheets:`):
# tests/data/sheets/学生工作台账_2022-2023.xlsx holds the seed college's
# student activities (a title row, and one more row with a bad scale),
# its student clubs, and a sheet of notes that no source reads.  vqr run
# loads both registers from it in one batch and one transaction, with
# counts per sheet, the reject naming its sheet, the notes listed as
# unmatched; the same figures as the two registers' CSV exports give; a
# copy is not loaded again; a part that fails to load rolls back the
# whole file; the same workbook written by LibreOffice (.xlsx and .xls)
# gives the same figures.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

DATA=$TOP/tests/data/sheets
SEED=$TOP/fixtures/CQGYGJ/2022-2023
BOOK=学生工作台账_2022-2023.xlsx
ACTS=$(($(wc -l < "$SEED/学生活动登记_2022-2023.csv") - 1))
CLUBS=$(($(wc -l < "$SEED/学生社团名册_2022-2023.csv") - 1))

# deploy NAME DB: a deployment of the shipped catalog in which both
# registers are also read as sheets of the 学生工作台账 workbook.
deploy() {
	make_config "$1" "$2"
	test -f "$WORK/pii.key" || { head -c 32 /dev/urandom > "$WORK/pii.key" && chmod 600 "$WORK/pii.key"; }
	sed -i -e "s|^  - .*/config/sources/graduate_destination.yaml\$|  - $TOP/config/catalog.yaml|; /employment.yaml\$/d" \
		-e "s|^include:|pii_key_file: $WORK/pii.key\\ninclude:|" "$WORK/$1.yaml"
	mkdir -p "$WORK/local"
	cat > "$WORK/local/$1.yaml" <<YAML
overlay:
  sources:
    activity_register: {files: ["*学生工作台账*"], sheets: ["*活动*"]}
    club_roster: {files: ["*学生工作台账*"], sheets: ["*社团*"]}
YAML
	echo "  - local/$1.yaml" >> "$WORK/$1.yaml"
}

# figures DB: the two sources' values in database DB, one line each.
figures() {
	psql -X -A -t -d "$1" -c "select concat_ws('|', source_code, period, indicator_code, breakdown::text, value_type,
		numerator, denominator, value) from vqr.indicator_value
		where source_code in ('activity_register', 'club_roster') order by 1"
}

test_db vqr_e2e_sheets
WBDB=$TEST_DB
deploy wb "$TEST_DB"
CFG=$WORK/wb.yaml
out=$(vqr -c "$CFG" init 2>&1); ok $? "vqr init" || echo "$out" | sed 's/^/# /'

is "$(vqr-extract -c "$CFG" --list-sheets "$DATA/$BOOK" | tr '\n' ' ')" "学生活动 社团名册 填表说明 " \
	"vqr-extract --list-sheets lists the workbook's sheets in order"
is "$(vqr-extract -c "$CFG" --list-sheets "$SEED/学生活动登记_2022-2023.csv" | wc -c | tr -d ' ')" 0 \
	"... and nothing for a CSV file"

# A part that fails to load rolls back the whole file: the clubs' values
# are refused by a trigger, so the activities do not stay either.
sql "create function public.t_no_clubs() returns trigger language plpgsql as
     \$\$ begin if new.source_code = 'club_roster' then raise exception 'no clubs today'; end if; return new; end \$\$;
     create trigger t_no_clubs before insert on vqr.indicator_value for each row execute function public.t_no_clubs()"
cp "$DATA/$BOOK" "$WORK/wb/inbox/"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 3 "a part that fails to load: vqr run exits 3"
like "$out" "*no clubs today*" "  saying why"
is "$(sql "select count(*) from vqr.source_file") $(sql "select count(*) from vqr.indicator_value") $(sql "select count(*) from vqr.batch")" \
	"0 0 0" "  nothing of the file is loaded: no file, no value of either sheet, no batch"
test -f "$WORK/wb/inbox/$BOOK"; ok $? "  and the workbook stays in the inbox"
sql "drop trigger t_no_clubs on vqr.indicator_value; drop function public.t_no_clubs()"

out=$(vqr -c "$CFG" run --dry-run 2>&1); rc=$?
like "$out" "*dry run: $BOOK: *" "a dry run says what the workbook would change"
like "$out" "*dry run, nothing changed: 1 file would load*" "  that it would load"
is "$(sql "select count(*) from vqr.source_file") $(sql "select count(*) from vqr.indicator_value")" "0 0" \
	"  and loads nothing"
test -f "$WORK/wb/inbox/$BOOK"; ok $? "  leaving the workbook in the inbox"

out=$(vqr -c "$CFG" run --summary-json "$WORK/sum.json" 2>&1); rc=$?
is "$rc" 2 "vqr run loads the workbook, exit 2 for its rejected row"
like "$(tr -d '\n' < "$WORK/sum.json")" "*\"source\": \"activity_register\", \"sources\": ?\"activity_register\", \"club_roster\"?, *" \
	"  its summary names the sources of its parts"
if python3 -c 'import jsonschema' 2>/dev/null; then
	vout=$(python3 - "$TOP/docs/summary.schema.json" "$WORK/sum.json" 2>&1 <<'PY'
import json, sys
import jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PY
	); ok $? "  as the schema (docs/summary.schema.json) says"
	[ -z "$vout" ] || diag "$vout"
else
	ok 0 "  as the schema says # SKIP python3-jsonschema is not installed (sh scripts/deps.sh installs it)"
fi
like "$out" "*$BOOK:学生活动:$((ACTS + 3)):3: *" "the reject is said as file:sheet:row:column"
is "$(sql "select count(*) || ' ' || count(distinct batch_id) from vqr.source_file")" "1 1" \
	"one file record, in one batch"
is "$(sql "select rows_read || ' ' || rows_rejected from vqr.source_file")" "$((ACTS + 1 + CLUBS)) 1" \
	"  counting the rows of every part"
is "$(sql "select string_agg(concat_ws(':', sheet_no, sheet_name, coalesce(source_code, '-'), status, rows_read,
		rows_rejected, array_to_string(periods, ',')), ' ' order by sheet_no) from vqr.source_file_sheet")" \
	"1:学生活动:activity_register:loaded:$((ACTS + 1)):1:2022-2023 2:社团名册:club_roster:loaded:$CLUBS:0:2022-2023 3:填表说明:-:unmatched" \
	"vqr.source_file_sheet: each part with its source and counts, the notes unmatched"
is "$(sql "select sheet || ':' || line || ':' || column_no || ':' || field || ':' || value from vqr.reject")" \
	"学生活动:$((ACTS + 3)):3:scale:超大型" "the reject names its sheet and the sheet's row"
is "$(sql "select string_agg(distinct source_code, ' ' order by source_code) from vqr.indicator_value
	   where file_id = (select file_id from vqr.source_file)")" "activity_register club_roster" \
	"both registers' values come from the one file"
is "$(sql "select count(*) from vqr.slice_file where file_id = (select file_id from vqr.source_file)")" 2 \
	"  which makes up both sources' slices"
is "$(sql "select count(*) from vqr.v_source_file_sheet where file_name = '$BOOK'")" 3 "v_source_file_sheet shows the sheets"
out=$(vqr -c "$CFG" status 2>&1)
like "$out" "*$BOOK: $((ACTS + 1 + CLUBS)) rows*
    sheet 学生活动: activity_register, $((ACTS + 1)) rows, $ACTS loaded, 1 rejected
    sheet 社团名册: club_roster, $CLUBS rows, $CLUBS loaded, 0 rejected
    sheet 填表说明: not read (no source reads it)*" "vqr status lists the workbook's sheets under its batch"
ls "$WORK/wb/archive" | grep -q "学生工作台账"; ok $? "the workbook is archived"
is "$(grep -h '^unmatched_sheets:' "$WORK"/wb/staging/*/manifest.yaml | sort -u)" "unmatched_sheets: [填表说明]" \
	"each part's manifest lists the sheet no source reads"

# The same figures as the registers' own exports give.
test_db vqr_e2e_sheets_csv
CSVDB=$TEST_DB
deploy csv "$CSVDB"
vqr -c "$WORK/csv.yaml" init >/dev/null 2>&1
cp "$SEED/学生活动登记_2022-2023.csv" "$SEED/学生社团名册_2022-2023.csv" "$WORK/csv/inbox/"
vqr -c "$WORK/csv.yaml" run >/dev/null 2>&1; ok $? "the two registers' CSV exports load (sources with sheets read a CSV as one table)"
is "$(sql "select count(*) from vqr.source_file_sheet")" 0 "  with no sheets recorded"
want=$(figures "$CSVDB")
test -n "$want"; ok $? "  and give figures"
is "$(figures "$WBDB")" "$want" "the workbook gives the same figures as the CSV exports"

# Loaded once: a copy is archived as already loaded.
TEST_DB=$WBDB
cp "$DATA/$BOOK" "$WORK/wb/inbox/"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a copy of the workbook: exit 0"
like "$out" "*already loaded as batch*" "  already loaded"
is "$(sql "select count(*) from vqr.source_file") $(sql "select count(*) from vqr.source_file_sheet")" "1 3" \
	"  nothing is recorded twice"

# Reprocessed: every part extracted again from the archive and loaded
# again together, the figures, sheets and rejects as they were.
before=$(sql "select max(batch_id) from vqr.batch")
out=$(vqr -c "$CFG" reprocess "$BOOK" 2>&1); rc=$?
is "$rc" 0 "vqr reprocess of the workbook exits 0"
like "$out" "*$BOOK reprocessed (batch *" "  and says so"
is "$(sql "select count(distinct batch_id) || ' ' || min(batch_id) from vqr.indicator_value
	   where source_code in ('activity_register', 'club_roster')")" "1 $(sql "select max(batch_id) from vqr.batch")" \
	"  both registers' values now come from one new batch"
is "$(sql "select max(batch_id) > $before from vqr.batch")" t "  (a batch after the load's)"
is "$(figures "$WBDB")" "$want" "  with the same figures"
is "$(sql "select count(*) || ' ' || string_agg(distinct status, ',') from vqr.source_file_sheet")" "3 loaded,unmatched" \
	"  the same sheets"
is "$(sql "select sheet || ':' || line from vqr.reject")" "学生活动:$((ACTS + 3))" "  and the same reject, naming its sheet"
is "$(sql "select rows_read from vqr.source_file")" "$((ACTS + 1 + CLUBS))" "  and the file's counts"

# Written by LibreOffice, as .xlsx and as .xls: the same figures.
for f in 学生工作台账_libreoffice_2022-2023.xlsx 学生工作台账_2022-2023.xls; do
	name=$(echo "$f" | tr -c 'a-z0-9\n' '_')
	test_db "vqr_e2e_sheets_$name"
	deploy "lo$name" "$TEST_DB"
	vqr -c "$WORK/lo$name.yaml" init >/dev/null 2>&1
	cp "$DATA/$f" "$WORK/lo$name/inbox/"
	out=$(vqr -c "$WORK/lo$name.yaml" run 2>&1); rc=$?
	is "$rc" 2 "$f: loaded, with its rejected row"
	is "$(sql "select string_agg(sheet_name || ':' || status || ':' || coalesce(rows_read, 0), ' ' order by sheet_no)
		   from vqr.source_file_sheet")" "学生活动:loaded:$((ACTS + 1)) 社团名册:loaded:$CLUBS 填表说明:unmatched:0" \
		"  its sheets"
	is "$(figures "$TEST_DB")" "$want" "  the same figures"
done

# A sheet that cannot be read quarantines the whole workbook: here the
# activities' source is made to read every sheet the clubs' source does
# not (the first source in the catalog that matches a sheet reads it),
# and the sheet of notes has none of its columns.
test_db vqr_e2e_sheets_bad
deploy bad "$TEST_DB"
sed -i 's|sheets: \["\*活动\*"\]|sheets: ["*"]|' "$WORK/local/bad.yaml"
vqr -c "$WORK/bad.yaml" init >/dev/null 2>&1
cp "$DATA/$BOOK" "$WORK/bad/inbox/"
out=$(vqr -c "$WORK/bad.yaml" run 2>&1); rc=$?
is "$rc" 2 "a sheet that cannot be read: exit 2"
like "$(cat "$WORK/bad/quarantine/$BOOK.reason" 2>/dev/null)" "*$BOOK:填表说明: no header row*" \
	"  the workbook is quarantined with that sheet's reason"
is "$(sql "select count(*) from vqr.source_file") $(sql "select count(*) from vqr.indicator_value")" "0 0" \
	"  and nothing of it is loaded, not even the sheet that could be read"

# A workbook whose sheets no source reads is quarantined, saying so.
TEST_DB=$WBDB
cp "$TOP/tests/data/xls/cells_xlwt.xls" "$WORK/wb/inbox/学生工作台账_空.xls"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "a workbook whose sheets no source reads: exit 2"
like "$(cat "$WORK/wb/quarantine/学生工作台账_空.xls.reason" 2>/dev/null)" \
	'*no source reads any of its sheets ("字典", "Cells")*' "  quarantined: no source reads any of its sheets"

done_testing
