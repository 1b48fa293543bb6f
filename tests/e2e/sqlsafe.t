#!/bin/sh
# Configuration text reaches SQL only quoted by libpq or as a query
# parameter: a catalog whose source, field header, indicator and check
# names carry SQL (a dollar quote that ends early, a quote that ends a
# literal) loads with exit 0, runs none of it, and stores every name
# verbatim: in the catalog tables and in the comments on the canonical
# rows' table (load_rows: true).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_sqlsafe
ZH='毕业生去向 x$c$; CREATE TABLE vqr.pwned(); --'
EN="Graduates'); DROP TABLE vqr.batch; --"
HDR='岗位名称$c$; CREATE TABLE vqr.pwned_column(); --'
IZH="派生 x\$c\$; CREATE TABLE vqr.pwned(); --"
IEN="x'); DROP TABLE vqr.batch; --"
# The shipped source with those names (YAML double-quoted: \$ needs none),
# its rows loaded; the file's header 岗位名称 matches through a synonym.
sed -e "s/^    name_zh: .*/    name_zh: \"$ZH\"/" -e "s/^    name_en: .*/    name_en: \"$EN\"/" \
	-e 's/^\(    delimiter: .*\)$/\1\n    load_rows: true/' \
	-e "s/{header: 岗位名称, synonyms: \[岗位\]/{header: \"$HDR\", synonyms: [岗位名称, 岗位]/" \
	"$TOP/config/sources/graduate_destination.yaml" > "$WORK/src.yaml"
is "$(grep -c -F -e "$ZH" -e "$EN" -e "$HDR" "$WORK/src.yaml")|$(grep -c -x '    load_rows: true' "$WORK/src.yaml")" "3|1" \
	"(the source's names, a field header and load_rows are in the copy)"
cat > "$WORK/extra.yaml" <<YAML
indicators:
  - code: sqlsafe.graduates
    name_zh: "$IZH"
    name_en: "$IEN"
    description: "\$\$; DROP SCHEMA vqr CASCADE; --"
    unit: 人
    kind: count
    aggregate: sum
    formula: "employment.graduates.total"
checks:
  - code: sqlsafe.graduates_equal
    name_zh: "$IZH"
    name_en: "$IEN"
    left: "sqlsafe.graduates"
    op: "="
    right: "employment.graduates.total"
    severity: warning
YAML
make_config c "$TEST_DB"
sed -i "s|$TOP/config/sources/graduate_destination.yaml|$WORK/src.yaml|" "$WORK/c.yaml"
echo "  - $WORK/extra.yaml" >> "$WORK/c.yaml"
out=$(vqr -c "$WORK/c.yaml" init 2>&1); rc=$?
is "$rc" 0 "vqr init ($out)"
cp "$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" "$WORK/c/inbox/"
out=$(vqr -c "$WORK/c.yaml" run 2>&1); rc=$?
is "$rc" 0 "vqr run loads the fixture ($(echo "$out" | tail -n 1))"

is "$(sql "select coalesce(string_agg(n.nspname || '.' || c.relname, ' '), 'none') from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname like 'pwned%'")" \
	none "no table pwned was created"
is "$(sql "select to_regclass('vqr.batch') is not null and (select count(*) from vqr.batch) = 1")" t "vqr.batch is still there, with the batch"
is "$(sql "select count(*) from vqr.indicator_value where indicator_code = 'sqlsafe.graduates' and breakdown = '{}' and value = 1466")" 1 \
	"the indicator with those names was computed"
is "$(sql "select name_zh from vqr.source where source_code = 'graduate_destination'")" "$ZH" "the source's Chinese name is stored verbatim"
is "$(sql "select name_en from vqr.source where source_code = 'graduate_destination'")" "$EN" "and its English name"
is "$(sql "select name_zh || '|' || name_en || '|' || description from vqr.indicator where indicator_code = 'sqlsafe.graduates'")" \
	"$IZH|$IEN|\$\$; DROP SCHEMA vqr CASCADE; --" "the indicator's names and description"
is "$(sql "select name_zh || '|' || name_en from vqr.check_rule where check_code = 'sqlsafe.graduates_equal'")" "$IZH|$IEN" \
	"the check's names"
is "$(sql "select obj_description('vqr_rows.graduate_destination'::regclass, 'pg_class')")" \
	"明细行 / canonical rows of $ZH ($EN), one per loaded row; replaced with its slice (school, period)" \
	"the comment on the rows' table holds both names verbatim"
is "$(sql "select col_description('vqr_rows.graduate_destination'::regclass, a.attnum) from pg_attribute a where a.attrelid = 'vqr_rows.graduate_destination'::regclass and a.attname = 'job_title'")" \
	"$HDR" "the comment on a column holds its header verbatim"
is "$(sql "select col_description('vqr_rows.graduate_destination'::regclass, a.attnum) from pg_attribute a where a.attrelid = 'vqr_rows.graduate_destination'::regclass and a.attname = 'line'")" \
	"行号 / line in that file" "and the fixed columns keep theirs"
is "$(sql "select count(*) from vqr_rows.graduate_destination")" 1466 "the rows are in"
done_testing
