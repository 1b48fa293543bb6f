# report_env.sh - sourced by the tests of vqr report after tap.sh and
# env.sh: report_env NAME makes the test database NAME, a configuration
# ($CFG), and inserts the figures of the 2023 quality report
# (tests/data/report/seed_2022-2023.sql; two TAP tests); $LAYOUT is the
# shipped layout and $DATA the report's test data.  $PY is Debian's
# python3, where scripts/deps.sh installs python3-openpyxl (another
# python3 first on PATH may not have it).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
report_env() {
	test_db "$1"
	make_config c "$TEST_DB"
	CFG=$WORK/c.yaml
	LAYOUT=$TOP/config/report/quality_report.yaml
	DATA=$TOP/tests/data/report
	vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"
	psql -X -q -v ON_ERROR_STOP=1 -d "$TEST_DB" -f "$DATA/seed_2022-2023.sql" >/dev/null 2>&1
	ok $? "the report's figures are inserted"
}
