#!/bin/sh
# Schema vqr as `vqr init` makes it: tables, keys, indexes, a comment in
# Chinese and English on every table, column, view and function, views
# that read as their caller, row-level security, the roles; init run
# again, by a database owner who is not a superuser, and over an older
# schema holding data (upgraded in place, nothing lost).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_sql_schema
make_config c "$TEST_DB"
out=$(vqr -c "$WORK/c.yaml" init 2>&1); rc=$?
is "$rc" 0 "vqr init exits 0"
like "$out" "*migrations applied*" "and applies the migrations"
out=$(vqr -c "$WORK/c.yaml" init 2>&1); rc=$?
is "$rc" 0 "vqr init again exits 0"
like "$out" "*is up to date*" "and changes nothing"
is "$(sql "select count(*) from vqr.schema_migration")" "$(ls "$TOP"/sql/[0-9]*.sql | wc -l | tr -d ' ')" "every migration is recorded"

rel() { sql "select string_agg(relname, ' ' order by relname) from pg_class where relnamespace = 'vqr'::regnamespace and relkind = '$1'"; }
is "$(rel r)" "batch check_rule finding indicator indicator_value indicator_value_history period publication_setting published_table region region_college region_school reject schema_migration school school_role slice_file slice_file_history source source_file source_file_sheet" \
	"the tables"
is "$(rel v)" "v_college_freshness v_data_quality v_finding v_indicator v_latest v_region_trend v_reject_summary v_school_compare v_school_trend v_source_file_sheet v_value" \
	"the views"

# Keys.
is "$(sql "select string_agg(c.relname, ' ' order by c.relname) from pg_class c where c.relnamespace = 'vqr'::regnamespace
           and c.relkind = 'r' and not exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p')")" \
	"indicator_value_history reject" "every table but the reject and history logs has a primary key"
is "$(sql "select pg_get_constraintdef(oid) from pg_constraint where conrelid = 'vqr.indicator_value'::regclass and contype = 'p'")" \
	"PRIMARY KEY (school_code, period, indicator_code, breakdown, value_type)" "indicator_value's key: school, period, indicator, breakdown, value type"
fk() { sql "select string_agg(distinct confrelid::regclass::text, ' ' order by confrelid::regclass::text) from pg_constraint where conrelid = 'vqr.$1'::regclass and contype = 'f'"; }
is "$(fk indicator_value)" "vqr.batch vqr.indicator vqr.period vqr.school vqr.source vqr.source_file" \
	"indicator_value refers to its school, period, indicator, source, batch and file"
is "$(fk finding)" "vqr.batch vqr.indicator vqr.period vqr.school vqr.source vqr.source_file" "finding refers to its batch, file, school, period, source and indicator"
is "$(fk source_file)" "vqr.batch vqr.school vqr.source" "source_file refers to its batch, school and source"
is "$(fk reject)" "vqr.source_file" "reject refers to its file"
is "$(fk batch)" "vqr.batch vqr.school" "batch refers to its school (and a revert to the batch it reverts)"
is "$(sql "select string_agg(indexrelid::regclass::text, ' ' order by indexrelid::regclass::text) from pg_index where indrelid = 'vqr.indicator_value'::regclass")" \
	"vqr.indicator_value_batch vqr.indicator_value_compare vqr.indicator_value_pkey vqr.indicator_value_slice vqr.indicator_value_totals vqr.indicator_value_totals_by_indicator vqr.indicator_value_totals_by_period vqr.indicator_value_totals_by_school vqr.indicator_value_trend" \
	"indicator_value's indexes, for the loads and for the views"
is "$(sql "select pg_get_indexdef('vqr.indicator_value_compare'::regclass) || ' | ' || pg_get_indexdef('vqr.indicator_value_trend'::regclass)")" \
	"CREATE INDEX indicator_value_compare ON vqr.indicator_value USING btree (indicator_code, period, breakdown, school_code, value_type) INCLUDE (numerator, denominator, value) | CREATE INDEX indicator_value_trend ON vqr.indicator_value USING btree (school_code, indicator_code, breakdown, period)" \
	"the view indexes' columns"
is "$(sql "select pg_get_indexdef('vqr.indicator_value_totals'::regclass)")" \
	"CREATE INDEX indicator_value_totals ON vqr.indicator_value USING btree (period, school_code, indicator_code, value_type) INCLUDE (breakdown, numerator, denominator, value, batch_id, file_id) WHERE (breakdown = '{}'::jsonb)" \
	"the school totals by period (a college's ranks in every indicator of a year)"
is "$(sql "select pg_get_indexdef('vqr.indicator_value_totals_by_indicator'::regclass) || ' | ' || pg_get_indexdef('vqr.indicator_value_totals_by_school'::regclass)")" \
	"CREATE INDEX indicator_value_totals_by_indicator ON vqr.indicator_value USING btree (indicator_code, period, school_code, value_type) INCLUDE (breakdown, numerator, denominator, value, batch_id, file_id) WHERE (breakdown = '{}'::jsonb) | CREATE INDEX indicator_value_totals_by_school ON vqr.indicator_value USING btree (school_code, indicator_code, period, value_type) INCLUDE (breakdown, numerator, denominator, value, batch_id, file_id) WHERE (breakdown = '{}'::jsonb)" \
	"  and by indicator and by school (what an analyst's planner, without statistics for jsonb =, reads)"
is "$(sql "select pg_get_indexdef('vqr.indicator_value_totals_by_period'::regclass)")" \
	"CREATE INDEX indicator_value_totals_by_period ON vqr.indicator_value USING btree (period, indicator_code, breakdown, school_code, value_type) INCLUDE (numerator, denominator, value) WHERE (breakdown = '{}'::jsonb)" \
	"  and by period and indicator (v_value's order: one year's totals of every college, indicator by indicator)"
is "$(sql "select count(*) from pg_index where indrelid = 'vqr.source_file'::regclass and indkey[0] = (select attnum from pg_attribute where attrelid = 'vqr.source_file'::regclass and attname = 'batch_id')")" \
	1 "source_file is indexed by batch"
is "$(sql "select string_agg(pg_get_constraintdef(oid), ' ') from pg_constraint where conrelid = 'vqr.finding'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%severity%'")" \
	"CHECK ((severity = ANY (ARRAY['error'::text, 'warning'::text])))" "a finding's severity is error or warning"

# Comments: bilingual on every table, view, column and function.
sql "create function public.t_bilingual(t text) returns boolean language sql immutable
     as \$\$ select coalesce(t ~ '[一-龥]' and t ~ '[A-Za-z]{3}' and t ~ ' / ', false) \$\$" >/dev/null
is "$(sql "select coalesce(string_agg(relname, ' '), 'none') from pg_class where relnamespace = 'vqr'::regnamespace and relkind in ('r', 'v')
           and not t_bilingual(obj_description(oid, 'pg_class'))")" \
	none "every table and view has a comment in Chinese and English"
is "$(sql "select coalesce(string_agg(c.relname || '.' || a.attname, ' '), 'none') from pg_class c join pg_attribute a on a.attrelid = c.oid
           where c.relnamespace = 'vqr'::regnamespace and c.relkind in ('r', 'v') and a.attnum > 0 and not a.attisdropped
           and not t_bilingual(col_description(c.oid, a.attnum))
           and (c.relname, a.attname) <> ('schema_migration', 'sha256')")" \
	none "every column of every table and view has a comment in Chinese and English (but 000's sha256, which every init resets)"
is "$(sql "select coalesce(string_agg(proname, ' '), 'none') from pg_proc where pronamespace = 'vqr'::regnamespace
           and not t_bilingual(obj_description(oid, 'pg_proc'))")" \
	none "every function has a comment in Chinese and English"
is "$(sql "select t_bilingual(obj_description('vqr'::regnamespace, 'pg_namespace'))")" t "the schema has a comment in Chinese and English"
is "$(sql "select count(*) from pg_policy p join pg_class c on c.oid = p.polrelid where c.relnamespace = 'vqr'::regnamespace and not t_bilingual(obj_description(p.oid, 'pg_policy'))")" 0 "the policies have comments in Chinese and English"

# Security.
is "$(sql "select coalesce(string_agg(relname, ' '), 'none') from pg_class where relnamespace = 'vqr'::regnamespace and relkind = 'v'
           and not coalesce('security_invoker=true' = any(reloptions), false)")" \
	none "every view reads as its caller (security_invoker), so row-level security holds through it"
is "$(sql "select string_agg(relname, ' ' order by relname) from pg_class where relnamespace = 'vqr'::regnamespace and relrowsecurity")" \
	"batch finding indicator_value indicator_value_history publication_setting region_school reject school slice_file slice_file_history source_file source_file_sheet" \
	"row-level security is on for every table that holds a school's rows"
is "$(sql "select string_agg(tablename, ' ' order by tablename) from pg_policies where schemaname = 'vqr' and policyname = 'school_confine'")" \
	"batch finding indicator_value indicator_value_history publication_setting region_school reject school slice_file slice_file_history source_file source_file_sheet" "each with the school_confine policy"
is "$(sql "select string_agg(tablename || ':' || cmd || ':' || roles::text || ':' || qual, ' ' order by tablename) from pg_policies where schemaname = 'vqr' and policyname = 'analyst_read'")" \
	"$(sql "select string_agg(tablename || ':SELECT:{vqr_analyst}:true', ' ' order by tablename) from pg_policies where schemaname = 'vqr' and policyname = 'school_confine'")" \
	"and beside each, analyst_read: vqr_analyst reads every row (so no barrier is left in its plans)"
is "$(sql "select rolname || ':' || rolcanlogin || ':' || rolbypassrls || ':' || rolsuper from pg_roles where rolname in ('vqr_loader', 'vqr_analyst', 'vqr_school_loader') order by 1" | tr '\n' ' ')" \
	"vqr_analyst:false:false:false vqr_loader:true:true:false vqr_school_loader:false:false:false " \
	"roles: vqr_analyst and vqr_school_loader are groups, vqr_loader logs in and bypasses row-level security (for COPY)"
is "$(sql "select count(*) from pg_class c where c.relnamespace = 'vqr'::regnamespace and c.relkind in ('r', 'v')
           and not has_table_privilege('vqr_analyst', c.oid, 'SELECT')")" 0 "vqr_analyst may read every table and view"
is "$(sql "select count(*) from pg_class c, unnest(array['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
           where c.relnamespace = 'vqr'::regnamespace and c.relkind in ('r', 'v') and has_table_privilege('vqr_analyst', c.oid, p)")" \
	0 "and nothing else on any of them"
is "$(sql "select has_schema_privilege('vqr_analyst', 'vqr', 'CREATE') || ' ' || has_schema_privilege('vqr_analyst', 'public', 'CREATE') || ' ' ||
           has_function_privilege('vqr_analyst', 'vqr.setup_access()', 'EXECUTE') || ' ' ||
           has_function_privilege('vqr_analyst', 'vqr.create_school_loader(text, boolean)', 'EXECUTE')")" \
	"false false false false" "vqr_analyst may not create objects nor run the access functions"
is "$(sql "select count(*) from pg_class c, unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p where c.relnamespace = 'vqr'::regnamespace
           and c.relkind = 'r' and c.relname not in ('schema_migration', 'school_role') and not has_table_privilege('vqr_loader', c.oid, p)")" \
	0 "vqr_loader may read and write every pipeline table"
is "$(sql "select has_table_privilege('vqr_loader', 'vqr.schema_migration', 'INSERT') || ' ' || has_table_privilege('vqr_loader', 'vqr.school_role', 'INSERT') || ' ' ||
           has_table_privilege('vqr_loader', 'vqr.indicator_value', 'TRUNCATE') || ' ' || has_schema_privilege('vqr_loader', 'vqr', 'CREATE')")" \
	"false false false false" "but not the migration record, the school roles, TRUNCATE or DDL"

# A database owner without CREATEROLE can run vqr init (the roles exist).
sql "do \$\$ begin if not exists (select 1 from pg_roles where rolname = 'vqr_t_owner') then create role vqr_t_owner login; end if; end \$\$" >/dev/null
psql -X -q -d postgres -c "drop database if exists vqr_sql_schema_owned" -c "create database vqr_sql_schema_owned owner vqr_t_owner" >/dev/null 2>&1
out=$(vqr --database "host=$PGHOST port=$PGPORT dbname=vqr_sql_schema_owned user=vqr_t_owner" -c "$WORK/c.yaml" init 2>&1); rc=$?
is "$rc" 0 "vqr init as a database owner who is not a superuser exits 0 ($out)"
is "$(psql -X -A -t -d "host=$PGHOST port=$PGPORT dbname=vqr_sql_schema_owned" -c "select has_table_privilege('vqr_analyst', 'vqr.v_school_compare', 'SELECT') || ' ' || count(*) from pg_policies where schemaname = 'vqr'")" \
	"true 24" "and the grants and policies are in place (school_confine and analyst_read on 12 tables)"
make_config o "host=$PGHOST port=$PGPORT dbname=vqr_sql_schema_owned user=vqr_t_owner"
cp "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" "$WORK/o/inbox/"
out=$(vqr -c "$WORK/o.yaml" run 2>&1); rc=$?
is "$rc" 0 "vqr run as that owner loads the fixture: row-level security does not apply to the tables' owner ($out)"
is "$(psql -X -A -t -d "host=$PGHOST port=$PGPORT dbname=vqr_sql_schema_owned" -c "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and breakdown = '{}'")" \
	1466 "  its values are in"

# An older schema (000, 001, 010) holding data is upgraded in place.
test_db vqr_sql_upgrade
for f in 000_migration.sql 001_core.sql 010_value_history.sql; do
	PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -1 -d "$TEST_DB" -f "$TOP/sql/$f" >/dev/null &&
		sql "insert into vqr.schema_migration (version, sha256) values ('$f', '$(sha256sum "$TOP/sql/$f" | cut -d' ' -f1)')" >/dev/null ||
		echo "# could not apply $f"
done
sed -e '/INSERT INTO vqr.finding/,/USING (file_name);/d' "$TOP/tests/sql/views_data.sql" > "$WORK/old_data.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$TEST_DB" -f "$WORK/old_data.sql" >/dev/null 2>&1
ok $? "the older schema takes data"
before=$(sql "select count(*) || ' ' || sum(value) from vqr.indicator_value")
make_config u "$TEST_DB"
out=$(vqr -c "$WORK/u.yaml" init 2>&1); rc=$?
is "$rc" 0 "vqr init over the older schema exits 0 ($out)"
like "$out" "*upgraded*" "and upgrades it"
is "$(sql "select count(*) || ' ' || sum(value) from vqr.indicator_value")" "$before" "no value is lost"
is "$(sql "select round(region_value, 2) from vqr.v_school_compare where school_code = 'A' and period = '2022-2023' and indicator_code = 't.rate' and breakdown = '{}'")" \
	"98.04" "the new views work on the old data"
is "$(sql "select count(*) from vqr.schema_migration")" "$(ls "$TOP"/sql/[0-9]*.sql | wc -l | tr -d ' ')" "every migration is recorded"

done_testing
