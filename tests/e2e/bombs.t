#!/bin/sh
# Bounds on input files: a record, a field, the inflation of a .gz or an
# .xlsx zip member and an .xlsx shared string table each have a limit
# (the deployment's limits: block).  A file over one is quarantined with
# the limit as its reason, `vqr run` exits 2, and no vqr process grows
# past 256 MB on the way (peak RSS from /usr/bin/time).  The bombs are
# made here: a .csv.gz of one 64 MB line, a 5 MB quoted field, an .xlsx
# with 100 MB of shared strings.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

if [ ! -x /usr/bin/time ]; then
	echo "1..0 # SKIP /usr/bin/time is missing (sh scripts/deps.sh installs it)"
	exit 0
fi
test_db vqr_e2e_bombs
make_config b "$TEST_DB"
cp "$WORK/b.yaml" "$WORK/base.yaml"
CFG=$WORK/b.yaml
INBOX=$WORK/b/inbox
FIX=$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"

# limits "KEY: VALUE ...": the deployment with this limits block.
limits() {
	cp "$WORK/base.yaml" "$CFG"
	echo "limits:" >> "$CFG"
	for kv in "$@"; do
		echo "  $kv" >> "$CFG"
	done
}

# bomb FILE WHAT REASON: vqr run on FILE (in the inbox) exits 2, quarantines
# it with REASON (a pattern) and peaks under 256 MB.
bomb() {
	out=$(/usr/bin/time -f %M -o "$WORK/rss" vqr -c "$CFG" run 2>&1); rc=$?
	is "$rc" 2 "$2: vqr run exits 2"
	test -f "$WORK/b/quarantine/$1"; ok $? "$2: the file is quarantined"
	like "$(cat "$WORK/b/quarantine/$1.reason" 2>&1)" "$3" "$2: the reason names the limit"
	kb=$(tail -1 "$WORK/rss")
	ok "$([ "$kb" -lt 262144 ] && echo 0 || echo 1)" "$2: peak RSS ${kb} KB < 256 MB"
	[ "$rc" = 2 ] || diag "$out"
	rm -f "$WORK/b/quarantine/$1" "$WORK/b/quarantine/$1.reason"
}

# A .csv.gz holding one 64 MB line of short fields (about 100 KB compressed).
gz=毕业生去向登记表_2022-2023.csv.gz
{ sed -n 1,2p "$FIX"; yes aaaaaaa, | tr -d '\n' | head -c 67108864; echo; } | gzip -9 > "$WORK/$gz"
cp "$WORK/$gz" "$INBOX/"
limits
bomb "$gz" ".csv.gz of one 64 MB line" \
	"*$gz:3: the .gz inflates to more than 100 times its compressed size: refusing a possible decompression bomb (max_inflation_ratio 100)*"
cp "$WORK/$gz" "$INBOX/"
limits "max_inflation_ratio: 1000000"
bomb "$gz" "the same with max_inflation_ratio 1000000" \
	"*$gz:3: record longer than 1048576 bytes (max_record_bytes)*"
{ sed -n 1,2p "$FIX"; head -c 67108864 /dev/zero | tr '\0' a; echo; } | gzip -9 > "$INBOX/$gz"
bomb "$gz" "a .csv.gz of one 64 MB field, max_inflation_ratio 1000000" \
	"*$gz:3: field longer than 262144 bytes (max_field_bytes)*"

# A 5 MB quoted field.
csv=毕业生去向登记表_2022-2023.csv
{ sed -n 1,3p "$FIX"; printf '"'; head -c 5000000 /dev/zero | tr '\0' b; printf '",x\n'; } > "$INBOX/$csv"
limits "max_record_bytes: 8388608" "max_field_bytes: 1000000"
bomb "$csv" "a 5 MB quoted field" "*$csv:4: field longer than 1000000 bytes (max_field_bytes)*"

# An .xlsx whose shared strings inflate to 100 MB (about 100 KB of zip).
xl=毕业生去向登记表_2022-2023.xlsx
python3 - "$INBOX/$xl" <<'PY'
import sys, zipfile
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    z.writestr("_rels/.rels", '<Relationships %s><Relationship Id="rId1" Type="%sofficeDocument" Target="xl/workbook.xml"/></Relationships>' % (RNS, RT))
    z.writestr("xl/workbook.xml", '<workbook %s xmlns:r="%s"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>' % (NS, RT[:-1]))
    z.writestr("xl/_rels/workbook.xml.rels", '<Relationships %s><Relationship Id="rId1" Type="%sworksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="%ssharedStrings" Target="sharedStrings.xml"/></Relationships>' % (RNS, RT, RT))
    z.writestr("xl/worksheets/sheet1.xml", '<worksheet %s><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>' % NS)
    si = "<si><t>" + "x" * 100 + "</t></si>"
    with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
        f.write(('<sst %s>' % NS).encode())
        block = (si * 10000).encode()
        for _ in range(100):
            f.write(block)
        f.write(b"</sst>")
PY
ok $? "an .xlsx with 100 MB of shared strings is made"
cp "$INBOX/$xl" "$WORK/$xl"
limits
bomb "$xl" ".xlsx with 100 MB of shared strings" \
	"*$xl: xl/sharedStrings.xml expands to more than * (ratio *): refusing a possible decompression bomb (limits: *, ratio 100)*"
cp "$WORK/$xl" "$INBOX/"
limits "max_inflation_ratio: 1000000"
bomb "$xl" "the same with max_inflation_ratio 1000000" \
	"*$xl: xl/sharedStrings.xml: the shared strings take more than 67108864 bytes: refusing a possible decompression bomb*"
cp "$WORK/$xl" "$INBOX/"
limits "max_inflation_ratio: 1000000" "max_shared_strings_bytes: 1048576"
bomb "$xl" "the same with max_shared_strings_bytes 1048576" \
	"*$xl: xl/sharedStrings.xml: the shared strings take more than 1048576 bytes*"
done_testing
