#!/bin/sh
# load_rows: true on a real PostgreSQL: vqr-load also COPYs the canonical
# rows into vqr_rows.<source>, typed, without personal data, with school,
# period, file and line; a re-export replaces the rows of its slice; the
# rows load is part of the one load transaction; a source without the
# option loads no rows.  And vqr-transform --follow (what vqr run uses):
# reading the rows while vqr-extract writes them gives the same result.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_rows
make_config c "$TEST_DB"
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
BAD="$TOP/tests/data/毕业生去向登记表_2021-2022_bad.csv"
sed 's/^\(    delimiter: .*\)$/\1\n    load_rows: true/' "$TOP/config/sources/graduate_destination.yaml" > "$WORK/src_rows.yaml"
sed "s#- $TOP/config/sources/graduate_destination.yaml#- $WORK/src_rows.yaml#" "$WORK/c.yaml" > "$WORK/r.yaml"
grep -q src_rows "$WORK/r.yaml"; ok $? "a deployment whose source has load_rows: true"

vqr -c "$WORK/c.yaml" init >/dev/null; ok $? "vqr init"
is "$(sql "select count(*) from pg_namespace where nspname = 'vqr_rows'")" 1 "migration 040 makes schema vqr_rows"

# Without the option: no rows anywhere.
cp "$BAD" "$WORK/c/inbox/"
vqr -c "$WORK/c.yaml" run >/dev/null 2>&1
is "$(sql "select count(*) from pg_tables where schemaname = 'vqr_rows'")" 0 "a source without load_rows loads no rows"

# With it: the rows, typed, with their provenance.
cp "$FIX" "$WORK/c/inbox/"
out=$(vqr -v -c "$WORK/r.yaml" run 2>&1); rc=$?
is "$rc" 0 "vqr run with load_rows exits 0"
like "$out" "*1466 canonical rows into vqr_rows.graduate_destination*" "vqr-load says how many rows it loaded"
T=vqr_rows.graduate_destination
is "$(sql "select count(*) || ' ' || count(distinct line) || ' ' || min(line) || ' ' || max(line) from $T")" "1466 1466 3 1468" \
	"one row per graduate, with its line in the file (title row 1, header row 2)"
is "$(sql "select count(*) from $T t join vqr.source_file f using (file_id) where f.file_name = '$(basename "$FIX")' and t.school_code = 'CQGYGJ' and t.period = '2022-2023'")" \
	1466 "each row names its school, period and source file"
is "$(sql "select string_agg(column_name || ':' || data_type, ' ' order by column_name) from information_schema.columns where table_schema = 'vqr_rows' and column_name in ('graduation_date', 'salary', 'in_field', 'entry_year', 'destination')")" \
	"destination:text entry_year:bigint graduation_date:date in_field:boolean salary:numeric" "columns are typed from the fields"
is "$(sql "select count(*) from information_schema.columns where table_schema = 'vqr_rows' and column_name in ('student_id', 'name', 'id_number')")" \
	0 "personal fields (pii: drop) are not there"
is "$(sql "select round(avg(salary), 2) || ' ' || count(*) filter (where in_field) from $T where destination = '企事业单位就业'")" \
	"4090.00 $(sql "select count(*) from $T where destination = '企事业单位就业' and in_field")" "the values are the staged ones (mean salary 4090)"
is "$(sql "select count(*) from (select major, count(*) n from $T group by major) r join vqr.indicator_value v on v.indicator_code = 'employment.graduates.total' and v.period = '2022-2023' and v.breakdown->>'major' = r.major where v.value <> r.n")" \
	0 "counts by major from the rows equal the loaded indicator values"
is "$(sql "select count(*) - count(distinct line) from $T")" 0 "no duplicate rows"
like "$(sql "select obj_description('$T'::regclass)")" "*canonical rows*" "the table has a COMMENT"

# A corrected re-export replaces the rows of its slice.
v2="$WORK/c/inbox/毕业生去向登记表_2022-2023_v2.csv"
awk -F, 'NR == 3 { sub(/高等教育深造|企事业单位就业|自主择业/, "待就业") } { print }' "$FIX" > "$v2"
line3=$(sed -n 3p "$v2" | cut -d, -f13)
vqr -c "$WORK/r.yaml" run >/dev/null 2>&1; ok $? "the re-export loads"
is "$(sql "select count(*) || ' ' || count(distinct file_id) from $T where period = '2022-2023'")" "1466 1" "its rows replace the slice's"
is "$(sql "select f.file_name from $T t join vqr.source_file f using (file_id) limit 1")" "$(basename "$v2")" "they come from the new file"
is "$(sql "select destination from $T where line = 3")" "$line3" "with the corrected value"

# The rows load is in the load's transaction: when it fails, nothing changes.
sql "alter table $T add constraint no_salary check (salary is null) not valid" >/dev/null
before=$(sql "select count(*) || ' ' || max(batch_id) from vqr.indicator_value")
sed 's/,2023-06-30,/,2023-06-29,/' "$FIX" > "$WORK/c/inbox/毕业生去向登记表_2022-2023_v3.csv"
out=$(vqr -c "$WORK/r.yaml" run 2>&1); rc=$?
is "$rc" 3 "a failing rows COPY fails the load (exit 3)"
like "$out" "*no_salary*" "and says why"
is "$(sql "select count(*) || ' ' || max(batch_id) from vqr.indicator_value")" "$before" "the indicator values are unchanged"
is "$(sql "select count(*) from $T where period = '2022-2023'")" 1466 "so are the rows"
test -f "$WORK/c/inbox/毕业生去向登记表_2022-2023_v3.csv"; ok $? "the file stays in the inbox"
sql "alter table $T drop constraint no_salary" >/dev/null
rm -f "$WORK/c/inbox/毕业生去向登记表_2022-2023_v3.csv"

# Rejected rows are not loaded; the good ones of another period are.
sed 's/^s2,李四,数控加工,高级工,2022\/6\/30,升学/s2,李四,数控加工,高级工,2022\/6\/30,待就业/' "$BAD" > "$WORK/c/inbox/毕业生去向登记表_2021-2022_v2.csv"
vqr -c "$WORK/r.yaml" run >/dev/null 2>&1
is "$(sql "select count(*) from $T where period = '2021-2022'")" 7 "2021-2022: the 7 loaded rows"
is "$(sql "select count(*) from $T where period = '2021-2022' and line in (4, 5, 6, 8)")" 0 "not the rejected lines"
is "$(sql "select count(*) from $T where period = '2022-2023'")" 1466 "2022-2023 is untouched"

# A blocking check keeps the batch and its findings, and none of the rows.
cat > "$WORK/block.yaml" <<YAML
checks:
  - code: employment.graduates.plausible
    name_zh: 毕业生人数不超过一千
    left: employment.graduates.total
    op: "<="
    right: "1000"
    block: true
YAML
cp "$WORK/r.yaml" "$WORK/rb.yaml"
echo "  - $WORK/block.yaml" >> "$WORK/rb.yaml"
sed 's/,2023-06-30,/,2023-06-28,/' "$FIX" > "$WORK/c/inbox/毕业生去向登记表_2022-2023_v4.csv"
out=$(vqr -c "$WORK/rb.yaml" run 2>&1); rc=$?
is "$rc" 2 "a load blocked by a check exits 2"
is "$(sql "select count(*) || ' ' || count(distinct file_id) from $T where period = '2022-2023'")" "1466 1" "the slice keeps its rows"
is "$(sql "select count(*) from $T t join vqr.source_file f using (file_id) where f.file_name like '%_v4.csv'")" 0 "none of the blocked file's rows are there"
is "$(sql "select status from vqr.batch order by batch_id desc limit 1")" blocked "the batch is recorded as blocked"

# With load_rows the load starts beside the extract; a file the extract
# gives up is quarantined and its begun load leaves nothing behind.
before=$(sql "select (select count(*) from vqr.batch) || ' ' || (select count(*) from $T)")
cp "$TOP/tests/data/毕业生去向_noheader.csv" "$WORK/c/inbox/毕业生去向登记表_noheader.csv"
out=$(vqr -c "$WORK/r.yaml" run 2>&1); rc=$?
is "$rc" 2 "a file without the required columns exits 2 with load_rows too"
test -f "$WORK/c/quarantine/毕业生去向登记表_noheader.csv"; ok $? "it is quarantined"
is "$(sql "select (select count(*) from vqr.batch) || ' ' || (select count(*) from $T)")" "$before" "no batch and no rows are left of its load"
case $out in *vqr-load*) false ;; esac; ok $? "vqr-load, stopped, says nothing"

# vqr-transform --follow reads the rows while vqr-extract writes them.
mkdir -p "$WORK/s"
vqr-transform -c "$WORK/c.yaml" -f graduate_destination "$WORK/s/a" 2>"$WORK/s/ferr" &
tp=$!
sleep 1
vqr-extract -c "$WORK/c.yaml" -o "$WORK/s/a" "$FIX"; ok $? "vqr-extract beside a following vqr-transform"
wait $tp; is "$?" 0 "vqr-transform --follow exits 0 ($(cat "$WORK/s/ferr"))"
vqr-extract -c "$WORK/c.yaml" -o "$WORK/s/b" "$FIX" && vqr-transform -c "$WORK/c.yaml" "$WORK/s/b"
is "$(zcat "$WORK/s/a/indicators.gz" | md5sum)" "$(zcat "$WORK/s/b/indicators.gz" | md5sum)" "it gives the same indicators as after the extract"
like "$(grep '^indicators:' "$WORK/s/a/manifest.yaml")" "indicators: [1-9]*" "and records them in the manifest"
vqr-transform -c "$WORK/c.yaml" -f graduate_destination "$WORK/s/q" 2>"$WORK/s/qerr" &
tp=$!
vqr-extract -c "$WORK/c.yaml" -s graduate_destination -o "$WORK/s/q" "$TOP/tests/data/毕业生去向_noheader.csv" 2>/dev/null
wait $tp; is "$?" 2 "a following vqr-transform stops when the extract gives the file up (exit 2)"
is "$(cat "$WORK/s/qerr")" "" "and leaves the explaining to the extract"

# rows.tsv is not synced (it is large and vqr run never reuses a staging
# directory after a crash); the synced manifest counts its rows, and a
# short file (what a crash can leave) is refused, never half-loaded.
like "$(cat "$WORK/s/b/manifest.yaml")" "*rows_staged: 1466*" "the manifest counts the staged rows"
sed -i '$d' "$WORK/s/b/rows.tsv"
out=$(vqr-transform -c "$WORK/c.yaml" "$WORK/s/b" 2>&1); rc=$?
is "$rc" 5 "vqr-transform refuses a rows.tsv shorter than the manifest says (exit 5)"
like "$out" "*rows.tsv: 1465 rows, but vqr-extract staged 1466*incomplete*extract the export again*" "and says so"
v4="$WORK/毕业生去向登记表_2022-2023_v4.csv"
sed 's/,2023-06-30,/,2023-06-28,/' "$FIX" > "$v4"
vqr-extract -c "$WORK/r.yaml" -o "$WORK/s/c" "$v4" && vqr-transform -c "$WORK/r.yaml" "$WORK/s/c"; ok $? "a new export staged with load_rows"
sed -i '$d' "$WORK/s/c/rows.tsv"
before=$(sql "select (select count(*) from vqr.batch) || ' ' || (select count(*) from $T) || ' ' || (select count(*) from vqr.indicator_value)")
out=$(vqr-load -c "$WORK/r.yaml" "$WORK/s/c" 2>&1); rc=$?
[ "$rc" -ne 0 ]; ok $? "vqr-load refuses canonical rows shorter than the manifest says (exit $rc)"
like "$out" "*rows.tsv: 1465 rows, but vqr-extract staged 1466*" "and says so"
is "$(sql "select (select count(*) from vqr.batch) || ' ' || (select count(*) from $T) || ' ' || (select count(*) from vqr.indicator_value)")" \
	"$before" "its transaction leaves nothing behind"

# A supplement (补录) adds its rows to the slice's, as it adds its
# graduates to the slice's indicators.
{ head -2 "$FIX"; tail -n +3 "$FIX" | head -3 | sed 's/^2020/2099/'; } > "$WORK/c/inbox/毕业生去向登记表_2022-2023补录.csv"
vqr -c "$WORK/r.yaml" run >/dev/null 2>&1; ok $? "a supplement loads"
is "$(sql "select count(*) || ' ' || count(distinct file_id) from $T where period = '2022-2023'")" "1469 2" \
	"its 3 rows join the slice's 1466, of two files"
is "$(sql "select count(*) from (select major, count(*) n from $T where period = '2022-2023' group by major) r join vqr.indicator_value v on v.indicator_code = 'employment.graduates.total' and v.period = '2022-2023' and v.breakdown->>'major' = r.major where v.value <> r.n")" \
	0 "  counts by major from the rows still equal the indicator values"

# rows.tsv has a column for each field the file has, not for the others.
nojob="$WORK/毕业生去向登记表_nojob.csv"
awk -F, '{ o = ""; for (i = 1; i <= NF; i++) if (i != 15 && i != 16) o = o (o == "" && i == 1 ? "" : ",") $i; print o }' "$FIX" > "$nojob"
vqr-extract -c "$WORK/c.yaml" -o "$WORK/s/d" "$nojob" && vqr-transform -c "$WORK/c.yaml" "$WORK/s/d"; ok $? "a file without 就业单位名称 and 统一社会信用代码"
hdr=$(head -1 "$WORK/s/d/rows.tsv")
case "	$hdr	" in *"	employer	"*|*"	employer_credit_code	"*) false ;; *"	major	"*"	destination	"*) true ;; *) false ;; esac
ok $? "stages no column for them ($hdr)"
is "$(zcat "$WORK/s/d/indicators.gz" | md5sum)" "$(zcat "$WORK/s/a/indicators.gz" | md5sum)" "and gives the same indicators"
sed -i '1s/\tdestination\t/\tno_such_field\t/' "$WORK/s/d/rows.tsv"
out=$(vqr-transform -c "$WORK/c.yaml" "$WORK/s/d" 2>&1); rc=$?
is "$rc" 1 "vqr-transform refuses a column that is not a field of the source"
like "$out" "*rows.tsv column * is \"no_such_field\", not a staged field of source \"graduate_destination\"*extract the file again*" "and names it"

done_testing
