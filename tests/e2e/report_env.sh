# report_env.sh - sourced by the tests of vqr report after tap.sh and
# env.sh: report_env NAME makes the test database NAME, a configuration
# ($CFG, over the whole shipped catalog), and inserts the figures of the
# 2023 quality report (tests/data/report/seed_2022-2023.sql; three TAP
# tests); $LAYOUT is the shipped layout and $DATA the report's test
# data.  $PY is Debian's python3, where scripts/deps.sh installs
# python3-openpyxl (another python3 first on PATH may not have it).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
report_env() {
	test_db "$1"
	make_config c "$TEST_DB"
	CFG=$WORK/c.yaml
	# the whole shipped catalog: the layout names indicators of every register
	sed -i -e "s|^  - .*/config/sources/graduate_destination.yaml\$|  - $TOP/config/catalog.yaml|" \
		-e '/config\/indicators\/employment.yaml$/d' "$CFG"
	head -c 32 /dev/urandom > "$WORK/pii.key" && chmod 600 "$WORK/pii.key" &&
		echo "pii_key_file: $WORK/pii.key" >> "$CFG"
	LAYOUT=$TOP/config/report/quality_report.yaml
	DATA=$TOP/tests/data/report
	vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"
	# The database must know every indicator the layout names: loading a
	# summary sheet syncs the whole catalog.  That of 2020-2021, whose
	# figures are not the report's year.
	cp "$TOP/fixtures/CQGYGJ/2020-2021/质量年报数据汇总表_2020-2021.xlsx" "$WORK/c/inbox/"
	vqr -c "$CFG" run >/dev/null 2>&1; ok $? "a summary sheet of 2020-2021 loads (and the catalog with it)"
	psql -X -q -v ON_ERROR_STOP=1 -d "$TEST_DB" -f "$DATA/seed_2022-2023.sql" >/dev/null 2>&1
	ok $? "the report's figures are inserted"
}
