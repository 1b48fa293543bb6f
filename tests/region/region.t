#!/bin/sh
# Regional aggregation on PostgreSQL's logical replication: three servers
# (two colleges and the region, unix sockets only), each college loading
# its own register, and at the region:
#   - every college's indicators arrive, and the regional values equal the
#     ratio of sums computed by hand from the raw files;
#   - a corrected re-export at one college replaces its slice, and a
#     reader at the region never sees two batches in one slice;
#   - with one college's server stopped the region still answers and its
#     freshness view shows that college stale; after a restart
#     replication catches up;
#   - no row-level or personal data table exists at the region;
# plus: a second college claiming a school code is refused at
# `vqr region add`, the region refuses local loads, `vqr region status`,
# `vqr region remove`.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

VQR_TEST_PGOPTS="-c wal_level=logical -c wal_retrieve_retry_interval=1s -c max_logical_replication_workers=8"
export VQR_TEST_PGOPTS
A= B= R=
cleanup() {
	for _d in $A $B $R; do pg_temp_stop "$_d"; done
	rm -rf "$WORK"
}
trap cleanup EXIT
pg_temp_start || { echo "Bail out! cannot start the first college's server"; exit 1; }
A=$VQR_TEST_PGDIR
pg_temp_start || { echo "Bail out! cannot start the second college's server"; exit 1; }
B=$VQR_TEST_PGDIR
pg_temp_start || { echo "Bail out! cannot start the region's server"; exit 1; }
R=$VQR_TEST_PGDIR
unset PGHOST PGPORT PGDATABASE VQR_TEST_PGDIR
for d in "$A/college" "$B/college" "$B/college_c" "$R/region"; do
	psql -X -q -h "${d%/*}" -U vqr_test -d postgres -c "CREATE DATABASE ${d##*/}" || exit 1
done
CA="host=$A port=5432 user=vqr_test dbname=college"
CB="host=$B port=5432 user=vqr_test dbname=college"
CC="host=$B port=5432 user=vqr_test dbname=college_c"
CR="host=$R port=5432 user=vqr_test dbname=region"
qa() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$CA" -c "$1"; }
qb() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$CB" -c "$1"; }
qr() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$CR" -c "$1"; }
# Wait up to $2 seconds (default 30) until region query $1 prints "t".
wait_region() {
	_i=0
	while [ "$(qr "$1" 2>/dev/null)" != t ]; do
		_i=$((_i + 1))
		[ "$_i" -le "$((${2:-30} * 5))" ] || return 1
		sleep 0.2
	done
}

# The colleges: A is the seed college with its 2022-2023 register; B is
# another school with a register of its own in two years (made from the
# seed's rows: 800 graduates of 2022-2023, every fourth further-study
# graduate not placed; the other 666 as graduates of June 2022).  B has
# history before it publishes: a first draft of 2021-2022 without the
# in-field column (its in-field rate not computed, a field_missing
# finding), replaced by the full register.
make_config a "$CA"
make_config b "$CB"
# B keeps its canonical rows (load_rows), which publishing renumbers too.
sed 's/^\(    delimiter: .*\)$/\1\n    load_rows: true/' "$TOP/config/sources/graduate_destination.yaml" > "$WORK/b-src.yaml"
sed -i "s|$TOP/config/sources/graduate_destination.yaml|$WORK/b-src.yaml|" "$WORK/b.yaml"
sed -i 's/code: CQGYGJ/code: CQJDJS/; s/name: 重庆市工业高级技工学校/name: 重庆市机电技师学院/' "$WORK/b.yaml"
make_config c "$CC"   # a third deployment that claims A's school code
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
FA="$WORK/a/inbox/毕业生去向登记表_2022-2023.csv"
FB="$WORK/b/inbox/毕业生去向登记表_2022-2023.csv"
FB1="$WORK/b/inbox/毕业生去向登记表_2021-2022.csv"
FB1D="$WORK/b/inbox/毕业生去向登记表_2021-2022_初稿.csv"
cp "$FIX" "$FA"
{ head -n 2 "$FIX"; tail -n +3 "$FIX" | head -n 800 | sed '0~4s/,高等教育深造,/,待就业,/'; } > "$FB"
{ head -n 2 "$FIX"; tail -n +803 "$FIX" | sed 's/,2023-06-30,/,2022-06-30,/'; } > "$WORK/b-2021-2022.csv"
cut -d, -f1-20,22- "$WORK/b-2021-2022.csv" > "$FB1D"
# By hand, from the raw rows: graduates, and the in-field rate's parts
# (placed graduates working or studying in their field / placed ones).
count() { tail -n +3 "$1" | awk -F, -v w="$2" '
	w == "n" && $13 != "待就业" && $21 == "是" { n++ }
	w == "d" && $13 != "待就业" { n++ }
	w == "g" { n++ }
	END { print n + 0 }'; }
GA=$(count "$FA" g) NA=$(count "$FA" n) DA=$(count "$FA" d)
GB=$(count "$FB" g) NB=$(count "$FB" n) DB=$(count "$FB" d)

out=$(vqr -c "$WORK/a.yaml" init --publish 2>&1); rc=$?
is "$rc" 0 "vqr init --publish at college A exits 0"
like "$out" "*publication vqr_college: * tables of school CQGYGJ, ids in block*" "it says what it publishes"
BLOCK_A=$(qa "select id_block from vqr.publication_setting")
is "$BLOCK_A" "$(qa "select vqr.id_block_for('CQGYGJ')")" "A's id block comes from its school code"
out=$(vqr -c "$WORK/a.yaml" run 2>&1); rc=$?
is "$rc" 0 "college A loads its register"
# B loads first and publishes afterwards: its ids move into its block,
# its history and superseded findings with them.
vqr -c "$WORK/b.yaml" init >/dev/null
out=$(vqr -c "$WORK/b.yaml" run 2>&1); rc=$?
is "$rc" 0 "college B loads its 2022-2023 register and the draft of 2021-2022"
cp "$WORK/b-2021-2022.csv" "$FB1"
out=$(vqr -c "$WORK/b.yaml" run 2>&1); rc=$?
is "$rc" 0 "and then the full 2021-2022 register, which replaces the draft's slice"
is "$(qb "select min(batch_id) || ' ' || max(batch_id) from vqr.batch")" "1 3" "B's batches are numbered 1 to 3"
# B's history and findings with their ids inside a block, for comparing before and after the move.
hist="select count(*) || ' ' || md5(string_agg(concat_ws('|', school_code, period, indicator_code, breakdown::text, value_type, value, batch_id % 1000000000000, file_id % 1000000000000, superseded_by % 1000000000000), ';' order by period, indicator_code, breakdown::text, value_type, batch_id)) from vqr.indicator_value_history"
gone="select count(*) || ' ' || md5(string_agg(concat_ws('|', check_code, period, indicator_code, message, batch_id % 1000000000000, file_id % 1000000000000, superseded_by % 1000000000000), ';' order by finding_id)) from vqr.finding where superseded_by is not null"
HIST_B=$(qb "$hist") GONE_B=$(qb "$gone")
ok $([ "${HIST_B%% *}" -gt 0 ] && [ "${GONE_B%% *}" -gt 0 ]; echo $?) \
	"B has history (${HIST_B%% *} replaced values) and superseded findings (${GONE_B%% *})"
is "$(qb "select string_agg(distinct check_code || ' ' || superseded_by, ',') from vqr.finding where superseded_by is not null")" \
	"field_missing 3" "  the draft's field_missing finding, superseded by batch 3"
out=$(vqr -c "$WORK/b.yaml" init --publish 2>&1); rc=$?
is "$rc" 0 "vqr init --publish at college B (with history) exits 0 ($(echo "$out" | tail -n 1))"
BLOCK_B=$(qb "select id_block from vqr.publication_setting")
is "$(qb "select string_agg(batch_id::text, ' ' order by batch_id) from vqr.batch")" \
	"$((BLOCK_B * 1000000000000 + 1)) $((BLOCK_B * 1000000000000 + 2)) $((BLOCK_B * 1000000000000 + 3))" \
	"publishing moved B's batch ids into its block"
is "$(qb "$hist")|$(qb "$gone")" "$HIST_B|$GONE_B" "B's history and superseded findings survive the move, row for row"
lo=$((BLOCK_B * 1000000000000))
ROWS_B=$((GB + $(count "$WORK/b-2021-2022.csv" g)))
is "$(qb "select count(*) from vqr.indicator_value_history h join vqr.batch b using (batch_id) join vqr.batch s on s.batch_id = h.superseded_by join vqr.source_file f on f.file_id = h.file_id where h.batch_id > $lo and h.superseded_by > $lo and h.file_id > $lo")" \
	"${HIST_B%% *}" "every history row points at its batch, its file and the batch that replaced it, in the block"
is "$(qb "select count(*) from vqr.finding f join vqr.batch b on b.batch_id = f.superseded_by where f.superseded_by > $lo and f.finding_id > $lo and f.batch_id > $lo")" \
	"${GONE_B%% *}" "every superseded finding points at the batch that superseded it, in the block"
is "$(qb "select count(*) || ' ' || count(f.file_id) || ' ' || count(*) filter (where r.file_id > $lo) from vqr_rows.graduate_destination r left join vqr.source_file f using (file_id)")" \
	"$ROWS_B $ROWS_B $ROWS_B" \
	"B's canonical rows (vqr_rows) point at their files, in the block"
is "$(qb "select count(*) from vqr.indicator_value v join vqr.batch b using (batch_id) join vqr.source_file f using (file_id)")" \
	"$(qb "select count(*) from vqr.indicator_value")" "and every value still points at its batch and file"
is "$(qb "select count(*) from vqr.indicator_value where batch_id < 1000000000000 or file_id < 1000000000000")" 0 \
	"no value keeps an old id"
NT=$(qa "select count(*) from pg_publication_tables where pubname = 'vqr_college'")
is "$(qa "select string_agg(tablename, ' ' order by tablename) from pg_publication_tables where pubname = 'vqr_college' and tablename in ('batch', 'finding', 'indicator', 'indicator_value', 'period', 'school', 'source', 'source_file', 'reject', 'indicator_value_history')")" \
	"batch finding indicator indicator_value period school source source_file" \
	"the publication holds indicators, catalog, batches, files and findings: not vqr.reject"
is "$NT" "$(qa "select count(*) from vqr.published_table")" "and exactly the tables of vqr.published_table ($NT)"

# The region.
out=$(vqr -d "$CR" init --region 2>&1); rc=$?
is "$rc" 0 "vqr init --region exits 0 (no configuration file needed)"
like "$out" "*regional database*vqr region add NAME CONNINFO*" "and says how to add colleges"
out=$(vqr -d "$CR" region add a "host=$A port=5432 user=vqr_region dbname=college" 2>&1); rc=$?
is "$rc" 0 "vqr region add a exits 0"
like "$out" "*college a added: subscription vqr_a*school CQGYGJ*" "and says what it created"
out=$(vqr -d "$CR" region add b "host=$B port=5432 user=vqr_region dbname=college" 2>&1); rc=$?
is "$rc" 0 "vqr region add b exits 0"
wait_region "select count(*) = 2 and bool_and(tables_syncing = 0 and tables = $NT) from vqr.v_college_freshness" &&
	wait_region "select count(*) = $(qa "select count(*) from vqr.indicator_value") + $(qb "select count(*) from vqr.indicator_value") from vqr.indicator_value"
ok $? "both colleges' initial copies complete"

# 1. Every college's indicators arrive.
digest="select md5(string_agg(concat_ws('|', school_code, period, indicator_code, breakdown::text, value_type, source_code, numerator, denominator, value, batch_id, file_id), ';' order by period, indicator_code, breakdown::text, value_type)) from vqr.indicator_value"
is "$(qr "$digest where school_code = 'CQGYGJ'")" "$(qa "$digest")" "A's values at the region equal A's own, row for row"
is "$(qr "$digest where school_code = 'CQJDJS'")" "$(qb "$digest")" "B's values at the region equal B's own, row for row"
is "$(qr "select count(*) from vqr.batch") $(qr "select count(*) from vqr.source_file") $(qr "select count(*) from vqr.school")" \
	"4 4 2" "batches, source files and both schools arrive"
is "$(qr "select count(*) from vqr.indicator")" "$(qa "select count(*) from vqr.indicator")" \
	"the indicator catalog is there once, though both colleges send it"
rt="select round(value, 6) from vqr.v_region_trend where region = '重庆市' and breakdown = '{}' and period = '2022-2023' and indicator_code"
is "$(qr "$rt = 'employment.graduates.total'")" "$((GA + GB)).000000" "region graduates 2022-2023 = $GA + $GB, counted in the raw files"
want=$(awk "BEGIN { printf \"%.6f\", 100 * ($NA + $NB) / ($DA + $DB) }")
is "$(qr "$rt = 'employment.major_match.rate'")" "$want" \
	"region in-field rate = ($NA + $NB) / ($DA + $DB), the ratio of sums from the raw files"
avg=$(awk "BEGIN { printf \"%.6f\", (100 * $NA / $DA + 100 * $NB / $DB) / 2 }")
[ "$avg" != "$want" ]; ok $? "(which differs from the average of the two rates, $avg)"
is "$(qr "select string_agg(school_code || '=' || round(region_value, 6), ' ' order by school_code) from vqr.v_school_compare where period = '2022-2023' and breakdown = '{}' and indicator_code = 'employment.major_match.rate'")" \
	"CQGYGJ=$want CQJDJS=$want" "v_school_compare puts the colleges side by side with the same regional value"
is "$(qr "select string_agg(school_code || '=' || rank, ' ' order by school_code) from vqr.v_school_compare where period = '2022-2023' and breakdown = '{}' and indicator_code = 'employment.major_match.rate'")" \
	"CQGYGJ=$( [ $((NA * DB)) -gt $((NB * DA)) ] && echo 1 || echo 2) CQJDJS=$( [ $((NA * DB)) -gt $((NB * DA)) ] && echo 2 || echo 1)" \
	"and ranks them by their own rates"
is "$(qr "select prev_period || ' ' || schools from vqr.v_region_trend where region = '重庆市' and breakdown = '{}' and period = '2022-2023' and indicator_code = 'employment.graduates.total'")" \
	"2021-2022 2" "v_region_trend goes over the years (2021-2022 from B only)"
is "$(qr "select count(*) from vqr.v_school_trend where school_code = 'CQJDJS' and indicator_code = 'employment.graduates.total' and breakdown = '{}'")" \
	2 "v_school_trend shows B over its two years"
is "$(qr "select count(*) from vqr.v_data_quality")" 4 "v_data_quality has one row per batch and file, no mixed-up ids"
is "$(qr "select count(*) from vqr.v_latest where indicator_code = 'employment.graduates.total' and breakdown = '{}'")" 2 \
	"v_latest has one row per school"

# Refusals.
out=$(vqr -c "$WORK/c.yaml" init --publish 2>&1); rc=$?
is "$rc" 0 "a third deployment with A's school code publishes"
out=$(vqr -d "$CR" region add c "host=$B port=5432 user=vqr_region dbname=college_c" 2>&1); rc=$?
is "$rc" 1 "vqr region add c (school code CQGYGJ again) is refused with exit 1"
like "$out" "*school code CQGYGJ of college c is already supplied by college a*" "with a clear error naming both colleges"
is "$(qr "select count(*) from pg_subscription where subname = 'vqr_c'")|$(qr "select count(*) from vqr.region_college")" \
	"0|2" "and nothing was created"
sed -i 's/code: CQGYGJ/code: CQTEST/' "$WORK/c.yaml"
vqr -c "$WORK/c.yaml" init --publish >/dev/null 2>&1
out=$(vqr -d "$CR" region add c "host=$B port=5432 user=vqr_region dbname=college_c" 2>&1); rc=$?
like "$rc:$out" "1:*college c numbers its batches and files in id block $BLOCK_A, like college a*--id-block N*" \
	"a college numbering its ids in another college's block is refused"
vqr -c "$WORK/c.yaml" init --publish --id-block 7 >/dev/null 2>&1
psql -X -q -d "$CC" -c "insert into vqr.source values ('graduate_destination', '毕业生去向登记表', null)" \
	-c "insert into vqr.indicator (indicator_code, name_zh, name_en, unit, kind, aggregate, source_code) values ('employment.graduates.total', '毕业生数', 'Graduates', '个', 'count', 'none', 'graduate_destination')"
out=$(vqr -d "$CR" region add c "host=$B port=5432 user=vqr_region dbname=college_c" 2>&1); rc=$?
like "$rc:$out" "1:*college c defines indicators differently*employment.graduates.total: count sum 人 x1 at the region, count none 个 x1 at the college*" \
	"a college whose indicator the region could not aggregate with the others' is refused"
is "$(qr "select count(*) from pg_subscription")" 2 "and none of the refusals created a subscription"
out=$(vqr -d "$CR" region add d "host=$WORK/nowhere port=5432 user=vqr_region dbname=college" 2>&1); rc=$?
like "$rc:$out" "3:*cannot connect to college d*" "a college that cannot be reached is refused"
make_config r "$CR"
head -n 50 "$FIX" > "$WORK/r/inbox/毕业生去向登记表_2022-2023.csv"
out=$(vqr -c "$WORK/r.yaml" run 2>&1); rc=$?
is "$rc" 3 "vqr run at the region fails"
like "$out" "*regional database*loads nothing itself*" "because the region loads nothing itself"
is "$(qr "select count(*) from vqr.batch")" 4 "and nothing was loaded"

# 2. A corrected re-export at A replaces A's slice at the region.
OLD=$(qa "select max(batch_id) from vqr.batch")
awk -F, -v OFS=, 'NR > 2 && NR % 10 == 0 && $21 == "是" { $21 = "否" } { print }' "$FIX" \
	> "$WORK/a/inbox/毕业生去向登记表_2022-2023_更正.csv"
NA2=$(count "$WORK/a/inbox/毕业生去向登记表_2022-2023_更正.csv" n)
slice="select count(distinct batch_id) || ' ' || max(batch_id) from vqr.indicator_value where school_code = 'CQGYGJ' and period = '2022-2023' and value_type = 'computed'"
# A reader at the region, meanwhile: how many batches one slice shows.
( i=0; while [ ! -f "$WORK/stop" ] && [ $i -lt 600 ]; do qr "$slice" >> "$WORK/seen"; i=$((i + 1)); done ) &
reader=$!
out=$(vqr -c "$WORK/a.yaml" run 2>&1); rc=$?
is "$rc" 0 "A loads the corrected re-export"
NEW=$(qa "select max(batch_id) from vqr.batch")
wait_region "select max(batch_id) = $NEW from vqr.indicator_value where school_code = 'CQGYGJ'"
ok $? "the region receives the new batch"
sleep 0.5
touch "$WORK/stop"
wait "$reader"
is "$(cut -d' ' -f1 "$WORK/seen" | sort -u | tr '\n' ' ')" "1 " \
	"a reader at the region saw one batch per slice at every moment ($(wc -l < "$WORK/seen") reads)"
like "$(sort -u "$WORK/seen" | tr '\n' ' ')" "*1 $OLD *1 $NEW *" "first the old batch, then the new one"
is "$(qr "$digest where school_code = 'CQGYGJ'")" "$(qa "$digest")" "A's values at the region equal A's corrected values"
is "$(qr "select count(*) from vqr.indicator_value where batch_id = $OLD")" 0 "nothing of the old version is left at the region"
want2=$(awk "BEGIN { printf \"%.6f\", 100 * ($NA2 + $NB) / ($DA + $DB) }")
is "$(qr "$rt = 'employment.major_match.rate'")" "$want2" "the regional rate is recomputed: ($NA2 + $NB) / ($DA + $DB)"
is "$(qr "select values_current from vqr.v_data_quality where batch_id = $OLD")" 0 \
	"the old batch stays as provenance with no current values"

# 3. B's server stops: the region answers and shows B stale.
pg_temp_pause "$B"
ok $? "B's server is stopped"
is "$(qr "$rt = 'employment.major_match.rate'")" "$want2" "the region still answers, with B's last data"
wait_region "select stale from vqr.v_college_freshness where college = 'b'" 15
ok $? "the freshness view shows B stale"
is "$(qr "select stale from vqr.v_college_freshness where college = 'a'")" f "and A fresh"
is "$(qr "set role vqr_analyst; select string_agg(college || '=' || stale, ' ' order by college) from vqr.v_college_freshness")" \
	"a=false b=true" "an analyst (vqr_analyst) reads the freshness view too"
is "$(qr "select last_batch_id from vqr.v_college_freshness where college = 'b'")" \
	"$((BLOCK_B * 1000000000000 + 3))" "with B's last batch that arrived"
out=$(vqr -d "$CR" region status 2>&1); rc=$?
is "$rc" 0 "vqr region status exits 0 with a college down"
like "$out" "*college b (schools CQJDJS;*lag: college unreachable*STALE*" "and says B is unreachable and stale"
like "$out" "*college a (schools CQGYGJ;*replicating ($NT tables)*lag: * bytes*last batch: $NEW loaded *fresh*" \
	"and A replicating, its lag, its last batch, fresh"
# B restarts and at once loads a corrected 2021-2022 register: the
# region catches up through B's replication slot.
pg_temp_resume "$B"
ok $? "B's server starts again"
# (It has no further-study graduates left, more than max_shrink: accepted.)
sed 's/,高等教育深造,/,企事业单位就业,/' "$WORK/b/archive/${FB1##*/}" > "$WORK/b/inbox/毕业生去向登记表_2021-2022_更正.csv"
out=$(vqr -c "$WORK/b.yaml" run --accept-shrink 毕业生去向登记表_2021-2022_更正.csv 2>&1); rc=$?
is "$rc" 0 "B loads a corrected 2021-2022 register"
NEWB=$(qb "select max(batch_id) from vqr.batch")
wait_region "select not stale and last_batch_id = $NEWB from vqr.v_college_freshness where college = 'b'" 30
ok $? "the region catches up: B is fresh again, with its new batch"
is "$(qr "$digest where school_code = 'CQJDJS'")" "$(qb "$digest")" "B's values at the region equal B's own again"

# 4. No row-level or personal data table at the region.
is "$(qr "select coalesce(string_agg(relname, ' ' order by relname), 'none') from pg_class where relnamespace = 'vqr'::regnamespace and relkind in ('r', 'p') and relname not in (select table_name from vqr.published_table) and relname not in ('indicator_value_history', 'publication_setting', 'published_table', 'region', 'region_college', 'region_school', 'schema_migration', 'school_role', 'slice_file', 'slice_file_history')")" \
	none "the region's tables are the published ones (indicators, catalog, provenance, findings) and bookkeeping"
is "$(qr "select relkind from pg_class where oid = 'vqr.reject'::regclass")|$(qr "select count(*) from vqr.reject")" "v|0" \
	"vqr.reject (rejected rows with raw values) is only an empty view at the region"
is "$(qr "select count(*) from information_schema.columns c join pg_class t on t.relname = c.table_name and t.relnamespace = 'vqr'::regnamespace and t.relkind = 'r' where c.table_schema = 'vqr' and (c.column_name ~ '(student|id_number|name_of|姓名|身份证)' or (c.column_name = 'value' and c.table_name not like 'indicator_value%'))")" \
	0 "no table at the region has a personal or raw-value column"
is "$(qr "select count(*) from vqr.indicator_value_history")" 0 "replaced values stay in the colleges' history"
qr "select * from vqr.v_reject_summary" >/dev/null; ok $? "the views that read vqr.reject still work at the region"

# Remove a college.
out=$(vqr -d "$CR" region remove b 2>&1); rc=$?
is "$rc" 0 "vqr region remove b exits 0"
is "$(qr "select count(*) from vqr.indicator_value where school_code = 'CQJDJS'")|$(qr "select count(*) from pg_subscription")|$(qb "select count(*) from pg_replication_slots")" \
	"0|1|0" "B's data, subscription and slot are gone"
done_testing
