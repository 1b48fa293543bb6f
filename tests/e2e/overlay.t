#!/bin/sh
# A catalog overlay end to end (docs/OPERATIONS.md, "A new college: an
# export with other headers"): a new college's vendor exports the research
# output register under another file name, in UTF-8, with four headers
# renamed.  With the shipped catalog the file is quarantined (no source
# knows its name); with an overlay naming the file pattern it is
# quarantined again (no header row with the required columns); with the
# header synonyms added (a few lines) it loads and gives the same indicator
# values as the original export at another college.  The shipped catalog
# (a copy here) is then upgraded with a new indicator: both deployments
# get it by `vqr reprocess --stale`, the overlay still applying; and an
# overlay change marks the slice as computed with another catalog.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_overlay
SHIP=$WORK/share/vqr/config
mkdir -p "$WORK/share/vqr" && cp -R "$TOP/config" "$SHIP"
head -c 32 /dev/urandom > "$WORK/pii.key" && chmod 600 "$WORK/pii.key"
FIX=$TOP/fixtures/CQGYGJ/2022-2023/科研成果登记_2022-2023.csv

deploy() { # NAME CODE: a deployment of school CODE reading the shipped catalog
	mkdir -p "$WORK/$1/inbox"
	cat > "$WORK/$1.yaml" <<YAML
school: {code: $2, name: 学校$2}
database: "$TEST_DB"
pii_key_file: $WORK/pii.key
paths: {inbox: $1/inbox, staging: $1/staging, archive: $1/archive, quarantine: $1/quarantine, settle_seconds: 0}
include:
  - $SHIP/catalog.yaml
YAML
}

values() { # SCHOOL: the school's research values, without the school
	sql "select indicator_code || ' ' || period || ' ' || breakdown::text || ' ' || value_type || ' ' || value
	     from vqr.indicator_value where school_code = '$1' and source_code = 'research_output_register'
	     order by 1"
}

deploy orig ORIG
deploy newc NEWC
cp "$FIX" "$WORK/orig/inbox/"
out=$(vqr -c "$WORK/orig.yaml" init 2>&1); ok $? "vqr init"; echo "$out" | sed "s/^/# /"
vqr -c "$WORK/orig.yaml" run >/dev/null 2>&1; is "$?" 0 "the original export loads with the shipped catalog"
ORIG_VALUES=$(values ORIG)
ok "$([ "$(echo "$ORIG_VALUES" | grep -c .)" -ge 3 ] && echo 0 || echo 1)" "  and gives research values ($(echo "$ORIG_VALUES" | grep -c .))"

# The vendor's export: UTF-8, another name, four headers renamed.
EXPORT=科研成果台账_2022-2023.csv
iconv -f gb18030 -t utf-8 "$FIX" | sed '1{s/成果名称/题名/; s/成果类型/成果类别/; s/发表日期/刊发时间/; s/依托平台/研发平台/}' \
	> "$WORK/newc/$EXPORT"
is "$(head -1 "$WORK/newc/$EXPORT" | tr -d '\r')" "题名,成果类别,第一作者,工号,所属部门,学科类别,发表刊物/出版社,刊号/ISBN,刊发时间,研发平台,合作企业" \
	"the new college's export has the renamed headers"
retry() { # move the export from quarantine (or the side) into the inbox and run
	rm -f "$WORK/newc/quarantine/$EXPORT".reason
	mv "$WORK/newc/quarantine/$EXPORT" "$WORK/newc/inbox/" 2>/dev/null ||
		cp "$WORK/newc/$EXPORT" "$WORK/newc/inbox/"
	vqr -c "$WORK/newc.yaml" run >/dev/null 2>&1
}

retry; is "$?" 2 "with the shipped catalog, the export is not loaded (exit 2)"
like "$(cat "$WORK/newc/quarantine/$EXPORT.reason" 2>/dev/null)" "*no source recognises this file name*" \
	"  it is quarantined: no source recognises its name"

mkdir -p "$WORK/local"
cat > "$WORK/local/research.yaml" <<'YAML'
overlay:
  sources:
    research_output_register:
      files: ["*科研成果台账*"]
YAML
echo "  - local/research.yaml" >> "$WORK/newc.yaml"
retry; is "$?" 2 "with the file pattern added by an overlay, it is still not loaded"
reason=$(cat "$WORK/newc/quarantine/$EXPORT.reason" 2>/dev/null)
like "$reason" "*no header row with the required columns in the first 5 rows*" \
	"  it is quarantined: no header row with the required columns"
like "$reason" "*hint: add the export's column titles as synonyms of its fields in an overlay of source \"research_output_register\"*" \
	"  with a hint to add synonyms in an overlay"

cat >> "$WORK/local/research.yaml" <<'YAML'
      fields:
        title: {synonyms: [题名]}
        output_type: {synonyms: [成果类别]}
        publication_date: {synonyms: [刊发时间]}
        platform: {synonyms: [研发平台]}
YAML
retry; is "$?" 0 "with four header synonyms in the overlay, it loads (exit 0)"
is "$(ls "$WORK/newc/quarantine" | wc -l | tr -d ' ')" 0 "  nothing is quarantined"
is "$(sql "select file_name || ': ' || array_to_string(unmapped_headers, ',') from vqr.source_file where school_code = 'NEWC'")" "$EXPORT: " \
	"  every header is mapped"
is "$(values NEWC)" "$ORIG_VALUES" "  its values equal those of the original export"

# A mistake in the overlay is refused where it is.
cp "$WORK/local/research.yaml" "$WORK/research.good"
sed -i 's/platform: {synonyms/platfrom: {synonyms/' "$WORK/local/research.yaml"
out=$(vqr -c "$WORK/newc.yaml" status 2>&1); rc=$?
is "$rc" 1 "an overlay naming a field the source lacks (a typo) is refused (exit 1)"
like "$out" "*local/research.yaml:9:9: source \"research_output_register\" has no field \"platfrom\"*" "  at its file:line:col"
cp "$WORK/research.good" "$WORK/local/research.yaml"

# The shipped catalog is upgraded: a new indicator.
cat >> "$SHIP/indicators/research.yaml" <<'YAML'

  - code: research.outputs.total
    name_zh: 科研成果总数
    name_en: Research outputs
    unit: 项
    kind: count
    aggregate: sum
    source: research_output_register
    count: "*"
YAML
for d in orig newc; do
	like "$(vqr -c "$WORK/$d.yaml" status 2>&1)" "*slices computed with another catalog*research_output_register: 2022-2023*" \
		"$d: after the upgrade, vqr status lists the research slice as computed with another catalog"
	vqr -c "$WORK/$d.yaml" reprocess --stale >/dev/null 2>&1; is "$?" 0 "$d: vqr reprocess --stale exits 0"
done
TOTAL=$(sql "select value from vqr.indicator_value where school_code = 'NEWC' and indicator_code = 'research.outputs.total' and breakdown = '{}'")
is "$TOTAL" "$(($(iconv -f gb18030 -t utf-8 "$FIX" | grep -c .) - 1))" \
	"the new college gets the upgraded catalog's indicator (one per row of its export), its overlay still applying"
is "$(values NEWC)" "$(values ORIG)" "  and both colleges' values are still equal"

# An overlay change is a catalog change.
sed -i 's/\[研发平台\]/[研发平台, 平台]/' "$WORK/local/research.yaml"
like "$(vqr -c "$WORK/newc.yaml" status 2>&1)" "*slices computed with another catalog*research_output_register: 2022-2023*" \
	"after an overlay change, vqr status lists the slice as computed with another catalog"
case "$(vqr -c "$WORK/orig.yaml" status 2>&1)" in
*"another catalog"*) ok 1 "  not at the college without the overlay" ;;
*) ok 0 "  not at the college without the overlay" ;;
esac
done_testing
