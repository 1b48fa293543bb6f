#!/bin/sh
# Logging in as the roles of schema vqr: a login granted vqr_analyst reads
# everything and is refused every write and DDL; a school's loader (made
# by vqr.create_school_loader) sees and writes only its own school's rows;
# vqr_loader runs the real pipeline.  The logins connect over the unix
# socket of the suite's cluster, which trusts local users.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"


test_db vqr_sql_roles
make_config c "$TEST_DB"
vqr -c "$WORK/c.yaml" init >/dev/null 2>&1
ok $? "vqr init"
psql -X -q -v ON_ERROR_STOP=1 -d "$TEST_DB" -f "$TOP/tests/sql/views_data.sql" >/dev/null 2>&1
ok $? "the known data loads (schools A to G)"

# as ROLE SQL: run SQL as a login; prints its output and errors, returns psql's status.
as() {
	psql -X -A -t -v ON_ERROR_STOP=1 -d "$TEST_DB user=$1" -c "$2" 2>&1
}
role() {
	sql "do \$\$ begin if not exists (select 1 from pg_roles where rolname = '$1') then create role $1 login; end if; end \$\$" >/dev/null
}
snapshot() {
	sql "select (select count(*) from vqr.indicator_value) || ' ' || (select sum(value) from vqr.indicator_value) || ' ' ||
	            (select count(*) from vqr.batch) || ' ' || (select count(*) from vqr.reject) || ' ' ||
	            (select string_agg(name, ',' order by school_code) from vqr.school)"
}

# --- vqr_analyst
role vqr_t_analyst
sql "grant vqr_analyst to vqr_t_analyst" >/dev/null 2>&1
out=$(psql -X -d "$TEST_DB user=vqr_analyst" -c "select 1" 2>&1); rc=$?
ok $((rc == 0)) "vqr_analyst itself cannot log in (a group role)"
like "$out" "*not permitted to log in*" "the server says so"
is "$(as vqr_t_analyst "select count(*) from vqr.indicator_value")" "$(sql "select count(*) from vqr.indicator_value")" \
	"a login granted vqr_analyst reads every value"
is "$(as vqr_t_analyst "select round(region_value, 2) from vqr.v_school_compare where school_code = 'A' and period = '2022-2023' and indicator_code = 't.rate' and breakdown = '{}'")" \
	"98.04" "and the views"
is "$(as vqr_t_analyst "select count(*) from vqr.v_data_quality")" "$(sql "select count(*) from vqr.batch")" "and the data quality of every school"
# No security barrier in an analyst's plans (analyst_read, 070): its
# breakdown = '{}' (jsonb =, not leakproof) is an index condition as in
# the owner's plan, not a filter applied after the school policy.
plan=$(as vqr_t_analyst "set enable_seqscan = off; set enable_bitmapscan = off; explain select value from vqr.indicator_value where indicator_code = 't.rate' and period = '2022-2023' and breakdown = '{}'")
like "$plan" "*Index Cond: *breakdown = *" "an analyst's breakdown = '{}' is an index condition ($plan)"
before=$(snapshot)
refused() { # refused SQL PATTERN NAME
	out=$(as vqr_t_analyst "$1"); rc=$?
	ok $((rc == 0)) "vqr_analyst: $3 is refused"
	like "$out" "*$2*" "  with \"$2\""
}
refused "insert into vqr.school values ('X', 'x', 'R1')" "permission denied for table school" "INSERT"
refused "update vqr.indicator_value set value = 0" "permission denied for table indicator_value" "UPDATE"
refused "delete from vqr.batch" "permission denied for table batch" "DELETE"
refused "truncate vqr.reject" "permission denied for table reject" "TRUNCATE"
refused "copy vqr.school from stdin" "permission denied for table school" "COPY FROM"
refused "create table vqr.mine (i int)" "permission denied for schema vqr" "CREATE TABLE in vqr"
refused "create table public.mine (i int)" "permission denied for schema public" "CREATE TABLE in public"
refused "create view vqr.mine as select 1" "permission denied for schema vqr" "CREATE VIEW"
refused "drop view vqr.v_latest" "must be owner of view v_latest" "DROP VIEW"
refused "drop table vqr.reject" "must be owner of table reject" "DROP TABLE"
refused "alter table vqr.school add column x int" "must be owner of table school" "ALTER TABLE"
refused "create schema mine" "permission denied for database" "CREATE SCHEMA"
out=$(as vqr_t_analyst "grant select, insert on vqr.school to public")
like "$out" "*no privileges were granted for \"school\"*" "vqr_analyst: GRANT grants nothing"
is "$(sql "select has_table_privilege('public', 'vqr.school', 'SELECT')")" f "  PUBLIC still may not read vqr.school"
refused "select vqr.setup_access()" "permission denied for function setup_access" "vqr.setup_access()"
refused "select vqr.create_school_loader('X')" "permission denied for function create_school_loader" "vqr.create_school_loader()"
is "$(snapshot)" "$before" "the database is unchanged after all that"

# --- a school's loader
is "$(sql "select vqr.create_school_loader('A')")" vqr_loader_a "vqr.create_school_loader('A') makes role vqr_loader_a"
is "$(sql "select vqr.create_school_loader('A')")" vqr_loader_a "and again finds the same role"
is "$(sql "select rolcanlogin || ' ' || rolsuper || ' ' || rolbypassrls || ' ' || pg_has_role('vqr_loader_a', 'vqr_school_loader', 'member') from pg_roles where rolname = 'vqr_loader_a'")" \
	"true false false true" "a login, member of vqr_school_loader, that does not bypass row-level security"
is "$(sql "select role_name from vqr.school_role where school_code = 'A'")" vqr_loader_a "recorded in vqr.school_role"
n=$(sql "select vqr.create_school_loader('重庆-01')")
like "$n" "vqr_loader_01_[0-9a-f]*" "a code with other characters gets a sanitised name with a hash ($n)"
case $n in *[!a-z0-9_]*) ok 1 "  of [a-z0-9_] only" ;; *) ok 0 "  of [a-z0-9_] only" ;; esac
isnt_n=$(sql "select vqr.create_school_loader('重庆_01')")
ok $([ "$isnt_n" != "$n" ]; echo $?) "two codes that sanitise alike get different roles ($isnt_n)"

is "$(as vqr_loader_a "select string_agg(distinct school_code, ',') from vqr.indicator_value")" A "the loader of A sees only A's values"
is "$(as vqr_loader_a "select count(*) from vqr.indicator_value where school_code = 'B'")" 0 "  none of B's"
is "$(as vqr_loader_a "select string_agg(school_code, ',') from vqr.school")" A "  only its school"
is "$(as vqr_loader_a "select string_agg(label, ',') from vqr.batch")" A1 "  only its batches"
is "$(as vqr_loader_a "select string_agg(file_name, ',') from vqr.source_file")" A1.csv "  only its files"
is "$(as vqr_loader_a "select count(*) from vqr.reject")" 4 "  only its rejects (through their file)"
is "$(as vqr_loader_a "select count(*) from vqr.finding where school_code <> 'A'")" 0 "  only its findings"
is "$(as vqr_loader_a "select string_agg(distinct school_code, ',') from vqr.v_school_compare")" A "  and, through the views, only its school"
is "$(as vqr_loader_a "select count(*) from vqr.indicator")" 4 "the catalog is shared"

as vqr_loader_a "insert into vqr.batch (school_code, label, vqr_version) values ('A', 'A2', 'test')" >/dev/null
ok $? "the loader of A inserts its own batch"
out=$(as vqr_loader_a "insert into vqr.indicator_value (school_code, period, indicator_code, source_code, value, batch_id)
      select 'A', '2020-2021', 't.count', 't', 3, batch_id from vqr.batch where label = 'A2'"); rc=$?
is "$rc:$out" "0:INSERT 0 1" "and its own value"
as vqr_loader_a "insert into vqr.source_file (batch_id, school_code, source_code, file_name, sha256, size_bytes, encoding, rows_read, rows_loaded, rows_rejected, rows_skipped, periods)
      select batch_id, 'A', 't', 'A2.csv', repeat('a', 64), 1, 'utf-8', 1, 0, 1, 0, '{2020-2021}' from vqr.batch where label = 'A2';
      insert into vqr.reject (file_id, line, rule, message) select file_id, 2, 'type', 'x' from vqr.source_file where file_name = 'A2.csv'" >/dev/null
ok $? "and its own file and reject"
as vqr_loader_a "update vqr.indicator_value set value = 4 where school_code = 'A' and period = '2020-2021' and indicator_code = 't.count'" >/dev/null
ok $? "and updates its own value"
is "$(sql "select value from vqr.indicator_value where school_code = 'A' and period = '2020-2021' and indicator_code = 't.count'")" 4 "  which is written"

before=$(snapshot)
bfile=$(sql "select file_id from vqr.source_file where school_code = 'B'")
bbatch=$(sql "select batch_id from vqr.batch where school_code = 'B'")
out=$(as vqr_loader_a "insert into vqr.indicator_value (school_code, period, indicator_code, source_code, value, batch_id) values ('B', '2020-2021', 't.count', 't', 1, $bbatch)"); rc=$?
ok $((rc == 0)) "the loader of A is refused inserting a value of B"
like "$out" "*new row violates row-level security policy for table \"indicator_value\"*" "  by row-level security"
out=$(as vqr_loader_a "insert into vqr.batch (school_code, label, vqr_version) values ('B', 'B9', 'test')"); rc=$?
ok $((rc == 0)) "the loader of A is refused inserting a batch of B"
like "$out" "*row-level security policy for table \"batch\"*" "  by row-level security"
out=$(as vqr_loader_a "insert into vqr.reject (file_id, line, rule, message) values ($bfile, 1, 'type', 'x')"); rc=$?
ok $((rc == 0)) "the loader of A is refused inserting a reject into B's file"
like "$out" "*row-level security policy for table \"reject\"*" "  by row-level security"
out=$(as vqr_loader_a "insert into vqr.school values ('B2', 'x', 'R1')"); rc=$?
ok $((rc == 0)) "the loader of A is refused adding another school"
like "$out" "*row-level security policy for table \"school\"*" "  by row-level security"
out=$(as vqr_loader_a "update vqr.indicator_value set school_code = 'B' where school_code = 'A' and indicator_code = 't.none'"); rc=$?
ok $((rc == 0)) "the loader of A is refused moving its row to B"
like "$out" "*row-level security policy for table \"indicator_value\"*" "  by row-level security"
is "$(psql -X -d "$TEST_DB user=vqr_loader_a" -c "update vqr.indicator_value set value = 0 where school_code = 'B'" 2>&1)" "UPDATE 0" \
	"the loader of A updates none of B's values (it cannot see them)"
is "$(psql -X -d "$TEST_DB user=vqr_loader_a" -c "delete from vqr.indicator_value where school_code = 'B'" 2>&1)" "DELETE 0" \
	"and deletes none of them"
is "$(psql -X -d "$TEST_DB user=vqr_loader_a" -c "delete from vqr.reject where file_id = $bfile" 2>&1)" "DELETE 0" \
	"nor B's rejects"
is "$(psql -X -d "$TEST_DB user=vqr_loader_a" -c "update vqr.school set name = 'x' where school_code = 'B'" 2>&1)" "UPDATE 0" \
	"nor renames B"
out=$(as vqr_loader_a "delete from vqr.indicator where indicator_code = 't.none'"); rc=$?
ok $((rc == 0)) "the loader of A may not delete from the shared catalog"
like "$out" "*permission denied for table indicator*" "  permission denied"
out=$(as vqr_loader_a "create table vqr.mine (i int)"); rc=$?
ok $((rc == 0)) "the loader of A may not create tables"
like "$out" "*permission denied for schema vqr*" "  permission denied"
is "$(snapshot)" "$before" "B's rows are as they were"
is "$(as vqr_t_analyst "select count(*) from vqr.indicator_value where school_code = 'A' and period = '2020-2021' and indicator_code = 't.count'")" 1 \
	"the analyst sees what the loader of A wrote"

# A login granted the school's role is confined the same way.
role vqr_t_clerk
sql "grant vqr_loader_a to vqr_t_clerk" >/dev/null 2>&1
is "$(as vqr_t_clerk "select string_agg(distinct school_code, ',') from vqr.indicator_value")" A "a login granted vqr_loader_a sees only A's rows too"

# --- vqr_loader runs the real pipeline (COPY included).
make_config p "$TEST_DB user=vqr_loader"
cp "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" "$WORK/p/inbox/"
out=$(vqr -c "$WORK/p.yaml" run 2>&1); rc=$?
is "$rc" 0 "vqr run connected as vqr_loader loads the fixture ($out)"
is "$(sql "select count(*) > 400 from vqr.indicator_value where school_code = 'CQGYGJ'")" t "  its values are in"
cp "$TOP/tests/data/毕业生去向登记表_2021-2022_bad.csv" "$WORK/p/inbox/"
vqr -c "$WORK/p.yaml" run >/dev/null 2>&1; rc=$?
is "$rc" 2 "  and a file with rejects (exit 2)"
sed 's/^s2,李四,数控加工,高级工,2022\/6\/30,升学/s2,李四,数控加工,高级工,2022\/6\/30,待就业/' \
	"$TOP/tests/data/毕业生去向登记表_2021-2022_bad.csv" > "$WORK/p/inbox/毕业生去向登记表_2021-2022_v2.csv"
vqr -c "$WORK/p.yaml" run >/dev/null 2>&1; rc=$?
is "$rc" 2 "  and a corrected re-export that replaces a slice"
ok $([ "$(sql "select count(*) from vqr.indicator_value_history where school_code = 'CQGYGJ'")" -gt 0 ]; echo $?) "  moving the old values to the history"
out=$(vqr --database "$TEST_DB user=vqr_t_analyst" -c "$WORK/p.yaml" show 2>&1); rc=$?
is "$rc" 0 "vqr show works for a login granted vqr_analyst"
like "$out" "*1466*" "  and shows the loaded figures"

# --- a school's loader running the real pipeline.  vqr-load COPYs into
# vqr.indicator_value and vqr.reject, which PostgreSQL refuses when
# row-level security applies to the user ("COPY FROM not supported with
# row-level security"); vqr-load has to COPY into a temporary table and
# INSERT ... SELECT from it when row_security_active('vqr.indicator_value').
# school_deploy NAME CODE SCHOOL: deployment NAME of school CODE (named
# SCHOOL) connecting as its own loader, with a check by major besides the
# employment catalog, the fixture in its inbox.
cat > "$WORK/check.yaml" <<'YAML'
checks:
  - code: roles.placed_within_graduates
    name_zh: 已落实去向人数不超过毕业生人数
    left: "employment.placed.total"
    op: "<="
    right: "employment.graduates.total"
    severity: warning
    by: [major]
YAML
school_deploy() {
	sql "select vqr.create_school_loader('$2')" >/dev/null
	make_config "$1" "$TEST_DB user=vqr_loader_$(echo "$2" | tr 'A-Z' 'a-z')"
	sed -i "s/^  code: CQGYGJ/  code: $2/; s/^  name: .*/  name: $3/" "$WORK/$1.yaml"
	echo "  - $WORK/check.yaml" >> "$WORK/$1.yaml"
	cp "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" "$WORK/$1/inbox/"
}
school_deploy sb SCHB 乙技师学院
out=$(vqr -c "$WORK/sb.yaml" run 2>&1); rc=$?
is "$rc" 0 "vqr run connected as a school's loader loads its school ($(echo "$out" | head -n 2 | tr '\n' ' '))"
is "$(sql "select value from vqr.indicator_value where school_code = 'SCHB' and indicator_code = 'employment.graduates.total' and breakdown = '{}'")" \
	1466 "its values are there"
is "$(sql "select count(*) from vqr.indicator_value where school_code = 'SCHB' and batch_id not in (select batch_id from vqr.batch where school_code = 'SCHB')")" 0 \
	"nothing of SCHB is attached to another school's batch"
is "$(as vqr_loader_schb "select count(*) from vqr.indicator_value where school_code <> 'SCHB'")" 0 "the loader of SCHB sees no other school's values"
is "$(sql "select by_fields::text || ' ' || severity from vqr.check_rule where check_code = 'roles.placed_within_graduates'")" "{major} warning" \
	"the loader of SCHB added its new check to the shared catalog"

# --- the shared catalog belongs to its owner: a school's loader adds
# entries through vqr.catalog_add_* but changes none.
catalog="select md5(string_agg(concat_ws('|', indicator_code, name_zh, name_en, unit, kind, aggregate, source_code, scale, rule, updated_at), ';' order by indicator_code)) from vqr.indicator"
cat0=$(sql "$catalog")
for stmt in "update vqr.indicator set aggregate = 'none', scale = 1000 where indicator_code = 'employment.graduates.total'" \
	"insert into vqr.source (source_code) values ('x')" "delete from vqr.period" \
	"update vqr.check_rule set tolerance = 99"; do
	out=$(as vqr_loader_schb "$stmt"); rc=$?
	like "$rc:$out" "[!0]*permission denied for table *" "a school's loader is refused: ${stmt%% where*}"
done
out=$(as vqr_loader_schb "select vqr.catalog_put('indicator', 'indicator', 'indicator_code', '{\"indicator_code\": \"x\"}')"); rc=$?
like "$rc:$out" "[!0]*permission denied for function catalog_put*" "  and may not call vqr.catalog_put itself"
is "$(sql "$catalog")" "$cat0" "the catalog is unchanged"
sql "select vqr.setup_access()" >/dev/null
out=$(as vqr_loader_schb "update vqr.indicator set aggregate = 'none'"); rc=$?
like "$rc:$out" "[!0]*permission denied for table indicator*" "vqr.setup_access() run again keeps the catalog closed to it"

school_deploy sc SCHC 丙技师学院
out=$(vqr -c "$WORK/sc.yaml" run 2>&1); rc=$?
is "$rc" 0 "a second school's loader loads with the unchanged shared catalog ($(echo "$out" | head -n 1))"
is "$(sql "select value from vqr.indicator_value where school_code = 'SCHC' and indicator_code = 'employment.graduates.total' and breakdown = '{}'")" \
	1466 "  its values are there"
is "$(sql "$catalog")" "$cat0" "  and the catalog is as it was"
is "$(sql "select count(*) from vqr.check_rule where check_code = 'roles.placed_within_graduates' and updated_at < (select min(started_at) from vqr.batch where school_code = 'SCHC')")" 1 \
	"  the check it shares too"

# A loader whose configuration changes a shared indicator is refused.
sed '/^  - code: employment.graduates.total$/,/^    kind: count$/s/^    kind: count$/    kind: count\n    aggregate: none/' \
	"$TOP/config/indicators/employment.yaml" > "$WORK/employment_changed.yaml"
grep -q 'aggregate: none' "$WORK/employment_changed.yaml"; ok $? "(a catalog with graduates.total aggregated by none)"
school_deploy sd SCHD 丁技师学院
sed -i "s|$TOP/config/indicators/employment.yaml|$WORK/employment_changed.yaml|" "$WORK/sd.yaml"
before=$(sql "select count(*) from vqr.batch")
out=$(vqr -c "$WORK/sd.yaml" run 2>&1); rc=$?
is "$rc" 3 "a school's loader changing a shared indicator fails with exit 3"
like "$out" "*indicator \"employment.graduates.total\" of the shared catalog differs from this configuration*" \
	"  naming the indicator"
like "$out" "*aggregate: \"sum\" in the shared catalog, \"none\" in this configuration*" "  and what differs"
is "$(sql "$catalog")" "$cat0" "  the catalog is unchanged"
is "$(sql "select count(*) from vqr.batch")|$(sql "select count(*) from vqr.school where school_code = 'SCHD'")|$(sql "select count(*) from vqr.indicator_value where school_code = 'SCHD'")" \
	"$before|0|0" "  and nothing of the load is in the database"
out=$(vqr -c "$WORK/sd.yaml" -d "$TEST_DB" run 2>&1); rc=$?
is "$rc" 0 "the catalog's owner loading the same configuration changes the indicator"
is "$(sql "select aggregate from vqr.indicator where indicator_code = 'employment.graduates.total'")" none "  as the owner may"

done_testing
