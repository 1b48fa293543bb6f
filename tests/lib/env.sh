# env.sh - common set-up for vqr's shell tests (sourced after tap.sh).
#
# Expects VQR_BUILD (the build directory, set by tests/run.sh) and, for
# tests that need a database, PGHOST/PGPORT/PGUSER from pg.sh.  Gives:
#   $TOP        the repository          $BIN   the programs under test
#   $WORK       a fresh scratch directory, removed at exit
#   make_config NAME [database]  writes $WORK/NAME.yaml for a deployment
#                                under $WORK/NAME (inbox, staging, ...)
#   sql "SELECT ..."             runs SQL in $TEST_DB, prints unaligned rows
#   test_db NAME                 creates database NAME on the suite's server,
#                                sets and exports TEST_DB (its conninfo)
#   own_source NAME              makes deployment NAME read a copy of the
#                                shipped graduate source, $WORK/src.yaml,
#                                which the test may change as a college would
#   one_year YEAR OUT            writes the graduate fixture moved to
#                                graduation year YEAR into file OUT
#   values_digest CONNINFO       prints the count and an md5 of the loaded
#                                values (vqr.indicator_value) in that database
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/lib/pg.sh"
BIN=$TOP/${VQR_BUILD:-build}/bin
PATH=$BIN:$PATH
export PATH
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vqr-test.XXXXXX")
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

make_config() {
	_name=$1
	_db=${2-}
	mkdir -p "$WORK/$_name"
	cat > "$WORK/$_name.yaml" <<YAML
school:
  code: CQGYGJ
  name: 重庆市工业高级技工学校
  region: 重庆市
database: "$_db"
embedded:
  dir: $_name/pg
paths:
  inbox: $_name/inbox
  staging: $_name/staging
  archive: $_name/archive
  quarantine: $_name/quarantine
  settle_seconds: 0
include:
  - $TOP/config/sources/graduate_destination.yaml
  - $TOP/config/indicators/employment.yaml
YAML
	mkdir -p "$WORK/$_name/inbox"
}

sql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$TEST_DB" -c "$1"
}

test_db() {
	TEST_DB=$(pg_temp_createdb "$1") && [ -n "$TEST_DB" ] || {
		echo "Bail out! no test database (is the suite's PostgreSQL running? use tests/run.sh)"
		exit 1
	}
	export TEST_DB
}

own_source() {
	cp "$TOP/config/sources/graduate_destination.yaml" "$WORK/src.yaml"
	sed -i "s|$TOP/config/sources/graduate_destination.yaml|$WORK/src.yaml|" "$WORK/$1.yaml"
}

one_year() {
	sed "s/2023-06-30/$1-06-30/; s/,2023,/,$1,/" \
		"$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv" > "$2"
}

values_digest() {
	psql -X -A -t -d "$1" -c "select count(*) || ' ' || md5(string_agg(concat_ws('|', period, indicator_code, breakdown::text,
		value_type, numerator, denominator, value), ';' order by period, indicator_code, breakdown::text, value_type))
		from vqr.indicator_value"
}
