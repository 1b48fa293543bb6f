# report_env.sh - sourced by the tests of vqr report after tap.sh and
# env.sh: report_env NAME makes the test database NAME, a configuration
# ($CFG, over the whole shipped catalog), and inserts the figures of the
# 2023 quality report (tests/data/report/seed_2022-2023.sql; three TAP
# tests); $LAYOUT is the shipped layout and $DATA the report's test
# data.  $PY is Debian's python3, where scripts/deps.sh installs
# python3-openpyxl (another python3 first on PATH may not have it).
# report_more_schools adds two schools with graduate destinations;
# report_relay FILE passes on the TAP lines a Python check wrote.
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

# Two more schools, RGN2 and RGN3, with graduates 40 and 1000 (the
# report's school had 1466) and their destinations, every rate with its
# numerator and denominator (those of the report's school too).
report_more_schools() {
	sql "UPDATE vqr.indicator SET scale = 100 WHERE indicator_code LIKE 'employment.dest.%.rate';
	     UPDATE vqr.indicator_value SET numerator = round(value * 1466 / 100), denominator = 1466
	      WHERE indicator_code LIKE 'employment.dest.%.rate' AND value_type = 'computed' AND period = '2022-2023';
	     INSERT INTO vqr.school VALUES ('RGN2', '区域第二技工学校', '重庆市'), ('RGN3', '区域第三技工学校', '重庆市');
	     INSERT INTO vqr.batch (school_code, label, status, vqr_version)
	     VALUES ('RGN2', 'region-2', 'loaded', 'test'), ('RGN3', 'region-3', 'loaded', 'test');
	     INSERT INTO vqr.indicator_value (school_code, period, indicator_code, breakdown, value_type, source_code,
	                                      numerator, denominator, value, batch_id)
	     SELECT s, '2022-2023', code, '{}', 'computed', 'report_test', num, den,
	            CASE WHEN den IS NULL THEN num ELSE num / den * 100 END, (SELECT batch_id FROM vqr.batch WHERE label = b)
	     FROM (VALUES ('RGN2', 'region-2', 30, 8, 2, 40), ('RGN3', 'region-3', 300, 650, 50, 1000)) AS x(s, b, e, f, d, g),
	     LATERAL (VALUES ('employment.dest.enterprise', e::numeric, NULL::numeric),
	                     ('employment.dest.enterprise.rate', e, g),
	                     ('employment.dest.further_study', f, NULL), ('employment.dest.further_study.rate', f, g),
	                     ('employment.dest.self_directed', d, NULL), ('employment.dest.self_directed.rate', d, g)) AS v(code, num, den)" \
		>/dev/null
}

# The TAP lines of file $1 (ok N - what, not ok N - what, other lines as
# diagnostics) as this test's own.
report_relay() {
	while IFS= read -r l; do
		case $l in
		"ok "*) ok 0 "${l#ok [0-9]* - }" ;;
		"not ok "*) ok 1 "${l#not ok [0-9]* - }" ;;
		1..*) ;;
		*) diag "$l" ;;
		esac
	done < "$1"
}
