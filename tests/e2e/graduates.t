#!/bin/sh
# End to end on a real PostgreSQL: the graduate destination register of
# 2022-2023 from the inbox into schema vqr, checked against the same
# indicators computed independently in SQL from the raw CSV and against the
# figures of the 2023 quality report; a second run changes nothing; bad
# rows are rejected with file, row, column, value and reason while the
# other rows load; an unreadable file is quarantined; a corrected re-export
# replaces its slice.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_graduates
make_config c "$TEST_DB"
CFG=$WORK/c.yaml
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
BAD="$TOP/tests/data/毕业生去向登记表_2021-2022_bad.csv"

out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 3 "vqr run before vqr init exits 3"
like "$out" "*no vqr schema*vqr init*" "and says to run vqr init"

out=$(vqr -c "$CFG" init 2>&1); rc=$?
is "$rc" 0 "vqr init exits 0"
like "$out" "*migrations applied*" "vqr init applies the migrations"
out=$(vqr -c "$CFG" init 2>&1); rc=$?
is "$rc" 0 "vqr init a second time exits 0"
like "$out" "*is up to date*" "and changes nothing"
is "$(sql "select count(*) from vqr.schema_migration")" "$(ls "$TOP"/sql/[0-9]*.sql | wc -l)" "every migration is recorded once"

cp "$FIX" "$WORK/c/inbox/"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "vqr run on the fixture exits 0"
like "$out" "*1 file loaded (1466 rows, 0 rejected)*" "vqr run says what it loaded"
ok "$(ls "$WORK/c/inbox" | wc -l | tr -d ' ')" "the inbox is empty afterwards"
test -f "$WORK/c/archive/$(basename "$FIX")"; ok $? "the file is in the archive"
is "$(ls "$WORK"/c/staging/*/manifest.yaml | wc -l | tr -d ' ') $(ls "$WORK"/c/staging/*/rows.tsv 2>/dev/null | wc -l | tr -d ' ')" "1 0" \
	"staging keeps the batch's manifest, and not its canonical rows once they are loaded"

res=$(tail -n +3 "$FIX" | psql -X -q -A -t -d "$TEST_DB" -v school=CQGYGJ -v period=2022-2023 \
	-f "$TOP/tests/e2e/graduates_expected.sql" 2>&1)
like "$res" "0|0|[1-9]*" "every indicator and breakdown equals the SQL computation from the raw CSV ($res)"

val() { sql "select value from vqr.indicator_value where period = '${2:-2022-2023}' and indicator_code = '$1' and breakdown = '{}'"; }
r2() { sql "select round(value, 2) from vqr.indicator_value where period = '2022-2023' and indicator_code = '$1' and breakdown = '{}'"; }
is "$(val employment.graduates.total)" 1466 "report 1.4: 1466 graduates"
is "$(val employment.dest.enterprise)" 737 "report 1.4: 737 employed by enterprises"
is "$(r2 employment.dest.enterprise.rate)" 50.27 "report 表1-2: 50.27%"
is "$(val employment.dest.further_study)" 709 "report 1.4: 709 in further study"
is "$(r2 employment.dest.further_study.rate)" 48.36 "report 表1-2: 48.36%"
is "$(val employment.dest.self_directed)" 15 "report 1.4: 15 self-directed"
is "$(r2 employment.dest.self_directed.rate)" 1.02 "report 表1-2: 1.02%"
is "$(r2 employment.major_match.rate)" 94.66 "report 1.4: in-field rate 94.66%"
is "$(r2 employment.six_month_retention.rate)" 90.55 "report 1.4: six-month retention 90.55%"
is "$(r2 employment.starting_salary.mean)" 4090.00 "report 1.4: mean starting salary 4090"
is "$(val employment.school_referred)" 351 "report 4.2: 351 referred by the school"
is "$(sql "select numerator || '/' || denominator from vqr.indicator_value where indicator_code = 'employment.major_match.rate' and breakdown = '{}'")" \
	"1383/1461" "a rate keeps its numerator and denominator"
is "$(sql "select count(distinct breakdown->>'major') from vqr.indicator_value where indicator_code = 'employment.graduates.total' and breakdown <> '{}'")" \
	"$(tail -n +3 "$FIX" | cut -d, -f7 | sort -u | wc -l | tr -d ' ')" "one breakdown per major in the file"
is "$(sql "select rows_read || ' ' || rows_loaded || ' ' || rows_rejected || ' ' || header_line || ' ' || periods::text from vqr.source_file")" \
	"1466 1466 0 2 {2022-2023}" "the source file is recorded with its counts, header line and period"
is "$(sql "select sha256 from vqr.source_file")" "$(sha256sum "$FIX" | cut -d' ' -f1)" "with its sha256"
is "$(sql "select count(*) from vqr.indicator_value v join vqr.indicator i using (indicator_code) where i.source_code is null")" 0 "every value's indicator is in the catalog"
ok "$(sql "select count(*) from information_schema.columns where table_schema = 'vqr' and column_name in ('student_id', 'id_number')")" \
	"no personal data column exists in schema vqr"

before=$(sql "select count(*) || ' ' || (select count(*) from vqr.batch) || ' ' || (select max(batch_id) from vqr.batch) from vqr.indicator_value")
cp "$FIX" "$WORK/c/inbox/"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a second run over the same file exits 0"
like "$out" "*nothing new*1 file already loaded*" "and says nothing was new"
is "$(sql "select count(*) || ' ' || (select count(*) from vqr.batch) || ' ' || (select max(batch_id) from vqr.batch) from vqr.indicator_value")" \
	"$before" "the second run changed nothing in the database"
is "$(sql "select count(*) - count(distinct (school_code, period, indicator_code, breakdown, value_type)) from vqr.indicator_value")" 0 "no duplicate values"
is "$(ls "$WORK/c/inbox" | wc -l | tr -d ' ')" 0 "the already-loaded file left the inbox too"
ls -d "$WORK"/c/staging/*-graduate_destination >/dev/null 2>&1; ok $? "the staging directory is named <time>-<source>"
is "$(sql "select label ~ '^[0-9]{8}T[0-9]{6}-graduate_destination$' from vqr.batch order by batch_id limit 1")" t \
	"and so is the batch"
# The same bytes under another name: hashed up front (a file of that size
# was loaded) and archived without an extract.
nstage=$(ls "$WORK/c/staging" | wc -l)
cp "$FIX" "$WORK/c/inbox/毕业生去向登记表_copy.csv"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a copy under another name exits 0"
like "$out" "*already loaded as batch * on 2*(as $(basename "$FIX"))*" "and is known as the file loaded before, with its batch and date"
is "$(ls "$WORK/c/staging" | wc -l)" "$nstage" "no extract ran for it (no new staging directory)"
is "$(sql "select count(*) from vqr.batch") $(sql "select max(batch_id) from vqr.batch")" "$(sql "select count(*) from vqr.batch") ${before##* }" \
	"and no batch was made"
# A file of a size never loaded is not hashed before its extract; if its
# bytes were loaded before after all, vqr-load refuses them: here the
# load alone, on a staging the extract made of the loaded file.
"$BIN/vqr-extract" -c "$CFG" -o "$WORK/again" "$FIX" >/dev/null 2>&1
"$BIN/vqr-transform" -c "$CFG" "$WORK/again" >/dev/null 2>&1
out=$("$BIN/vqr-load" -c "$CFG" "$WORK/again" 2>&1); rc=$?
is "$rc" 0 "vqr-load of bytes loaded before exits 0"
like "$out" "skipped*" "and skips them (the load's own guard against a second load)"

# Bad rows: rejected with file, row, column, value and reason; the rest loads.
cp "$BAD" "$WORK/c/inbox/"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "a file with bad rows exits 2"
b=$(basename "$BAD")
like "$out" "*error: $WORK/c/inbox/$b:4:8: 起薪(元/月): \"abc\" is not a number*" "a bad salary is reported as file:row:col with the value and reason"
like "$out" "*error: $WORK/c/inbox/$b:5:6: 毕业去向类别: \"出国\" is not one of: *" "a bad enum value names the allowed values"
like "$out" "*error: $WORK/c/inbox/$b:6:3: 专业名称: a value is required*" "a missing required value is reported"
like "$out" "*error: $WORK/c/inbox/$b:8: row has 6 fields, the header (line 1) has 9*" "a ragged row is rejected, not shifted"
like "$out" "*1 file loaded (12 rows, 4 rejected)*" "the summary counts the rejected rows"
is "$(sql "select line || '|' || column_no || '|' || column_name || '|' || field || '|' || value || '|' || rule from vqr.reject r join vqr.source_file f using (file_id) where f.file_name = '$b' and line = 4")" \
	"4|8|起薪(元/月)|salary|abc|decimal" "the reject is in vqr.reject with line, column, field, value and rule"
is "$(sql "select string_agg(line::text, ',' order by line) from vqr.reject")" "4,5,6,8" "every rejected row is recorded"
is "$(sql "select rows_read || ' ' || rows_loaded || ' ' || rows_rejected || ' ' || rows_skipped || ' ' || encoding from vqr.source_file where file_name = '$b'")" \
	"12 7 4 1 utf-8 (BOM)" "read, loaded, rejected and skipped (the 合计 row) add up; the BOM is noticed"
is "$(val employment.graduates.total 2021-2022)" 7 "the good rows of 2021-2022 are loaded"
is "$(val employment.dest.enterprise 2021-2022)" 2 "a salary with a thousands separator is read"
is "$(val employment.starting_salary.mean 2021-2022)" 4350 "mean of 4500 and 4,200"
is "$(val employment.graduates.total)" 1466 "2022-2023 is untouched by the 2021-2022 load"

# A file without the required columns is quarantined with a reason.
cp "$TOP/tests/data/毕业生去向_noheader.csv" "$WORK/c/inbox/"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "a file without the required columns exits 2"
test -f "$WORK/c/quarantine/毕业生去向_noheader.csv"; ok $? "it is moved to the quarantine"
reason=$(cat "$WORK/c/quarantine/毕业生去向_noheader.csv.reason" 2>&1)
like "$reason" "*no header row with the required columns*expected columns: 专业名称 毕业去向类别*the first 2 rows have 3, 3 columns*" \
	"the .reason file says what was expected and how wide the first rows were"
case $reason in *学生编号*|*名字*|*方向*) false ;; esac; ok $? "and quotes none of the file's cells"

# A file that rejects more than max_reject_share (0.5) of its rows is quarantined.
head -6 "$BAD" > "$WORK/c/inbox/毕业生去向登记表_mostly_bad.csv"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "a file rejecting most of its rows exits 2"
like "$(cat "$WORK/c/quarantine/毕业生去向登记表_mostly_bad.csv.reason" 2>&1)" "*3 of 5 rows rejected, more than the source's max_reject_share 0.5*" \
	"it is quarantined with the share in the reason"
ok "$(sql "select count(*) from vqr.source_file where file_name = '毕业生去向登记表_mostly_bad.csv'")" "and nothing of it is loaded"

# A file no source recognises is quarantined too.
echo "a,b" > "$WORK/c/inbox/unknown.csv"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "an unrecognised file exits 2"
like "$(cat "$WORK/c/quarantine/unknown.csv.reason")" "*no source recognises this file name*" "and is quarantined with the reason"

# A corrected re-export replaces its slice; the earlier batch stays in the history.
sed 's/^s2,李四,数控加工,高级工,2022\/6\/30,升学/s2,李四,数控加工,高级工,2022\/6\/30,待就业/' "$BAD" > "$WORK/c/inbox/毕业生去向登记表_2021-2022_v2.csv"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 2 "the corrected re-export loads (its bad rows still rejected)"
is "$(val employment.dest.unplaced 2021-2022)" 1 "the slice holds the corrected values"
is "$(val employment.dest.further_study 2021-2022)" 4 "and not the old ones"
is "$(sql "select count(*) from vqr.indicator_value where period = '2021-2022' and indicator_code = 'employment.graduates.total'")" \
	"$(sql "select count(distinct breakdown) from vqr.indicator_value where period = '2021-2022'")" "no value of the old batch is left beside the new ones"
is "$(sql "select count(*) from vqr.source_file where '2021-2022' = any(periods)")" 2 "both files stay in the history"
is "$(sql "select h.value || ' ' || (h.superseded_by > h.batch_id) from vqr.indicator_value_history h where h.period = '2021-2022' and h.indicator_code = 'employment.dest.further_study' and h.breakdown = '{}'")" \
	"5 true" "the replaced values are kept in vqr.indicator_value_history with the batch that replaced them"

# Standalone stages on the same file give the same result.
mkdir -p "$WORK/s"
vqr-extract -c "$CFG" -o "$WORK/s/b" "$FIX"; ok $? "vqr-extract alone exits 0"
is "$(cat "$WORK/s/b/rows.tsv" | wc -l | tr -d ' ')" 1467 "rows.tsv has a header line and 1466 rows"
sid=$(sed -n 3p "$FIX" | cut -d, -f1); sname=$(sed -n 3p "$FIX" | cut -d, -f2); sidn=$(sed -n 3p "$FIX" | cut -d, -f4)
is "$(cat "$WORK/s/b/rows.tsv" | grep -c -e "$sid" -e "$sname" -e "$sidn")" 0 "personal data (学号, 姓名, 身份证号) is never staged"
vqr-transform -c "$CFG" "$WORK/s/b"; ok $? "vqr-transform alone exits 0"
is "$(zcat "$WORK/s/b/indicators.gz" | grep -c "	employment.graduates.total	{}	")" 1 "indicators.gz has the school total"
is "$(sql "select count(*) from vqr.indicator_value where period = '2022-2023'")" "$(zcat "$WORK/s/b/indicators.gz" | grep -c '	2022-2023	')" \
	"the standalone transform gives as many values as were loaded"
out=$(vqr-load -c "$CFG" "$WORK/s/b" 2>&1); rc=$?
is "$rc" 0 "vqr-load of an already loaded file exits 0"
like "$out" "skipped*" "and skips it"

done_testing
