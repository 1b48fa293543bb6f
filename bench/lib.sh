# lib.sh - shared by the bench scripts (sourced; POSIX sh).
#
#   . "$TOP/bench/lib.sh"
#   repeat_fixture ROWS OUT   the header of the fixture graduate register,
#                             then its 1466 rows repeated to ROWS rows, into OUT
#   bench_cluster NAME        a throwaway PostgreSQL cluster (tests/lib/pg.sh)
#                             and a work directory $W (vqr-NAME.XXXXXX), both
#                             removed on exit; sets PSQL (PostgreSQL's own
#                             psql binary) and q (psql -X -q -A -t, stops on
#                             the first error)
#   bench_now                 the time in seconds (with nanoseconds)
#   bench_median              the median of the numbers on stdin, one a line
#   build_bench_xlsx OUT      compile tests/bench/bench_xlsx.c (a workbook writer
#                             and a timing of the .xlsx reader) into OUT, against
#                             the build's library ($VQR_BUILD, default build)
#   bench_config FILE DBNAME  a deployment of the fixture college CQGYGJ with
#                             the shipped catalog, on database DBNAME of that
#                             cluster, its directories (inbox, staging,
#                             archive, quarantine) beside FILE, its key in $W

repeat_fixture() {
	_fix="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
	{
		sed -n 2p "$_fix"
		_n=0
		while [ "$_n" -lt "$1" ]; do
			tail -n +3 "$_fix"
			_n=$((_n + 1466))
		done
	} | head -n $(($1 + 1)) > "$2"
}

build_bench_xlsx() {
	_lib=$TOP/${VQR_BUILD:-build}/libvqr.a
	[ -f "$_lib" ] || { echo "bench: no $_lib: run make first" >&2; return 1; }
	cc -std=c11 -O2 -Wall -Wextra -Werror -Wno-format-truncation -D_POSIX_C_SOURCE=200809L \
		-D_DEFAULT_SOURCE -I"$TOP" -I"$TOP/${VQR_BUILD:-build}/gen" -o "$1" "$TOP/tests/bench/bench_xlsx.c" \
		"$_lib" $(pkg-config --cflags --libs libpq yaml-0.1 zlib libcrypto minizip expat freexl xlsxwriter) \
		-lcsv -lpthread -lm
}

bench_cluster() {
	. "$TOP/tests/lib/pg.sh"
	W=$(mktemp -d "${TMPDIR:-/tmp}/vqr-$1.XXXXXX")
	chmod 755 "$W"
	pg_temp_start || exit 1
	trap 'pg_temp_stop; rm -rf "$W"' EXIT
	trap 'exit 130' INT TERM
	PSQL="$(pg_bindir)/psql"
	[ -x "$PSQL" ] || PSQL=psql
}
q() { PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

bench_config() {
	[ -f "$W/pii.key" ] || { head -c 32 /dev/urandom > "$W/pii.key" && chmod 600 "$W/pii.key"; }
	cat > "$1" <<YAML
school: {code: CQGYGJ, name: 重庆市工业高级技工学校, region: 重庆市}
database: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$2"
pii_key_file: $W/pii.key
paths: {inbox: inbox, staging: staging, archive: archive, quarantine: quarantine, settle_seconds: 0}
include: [$TOP/config/catalog.yaml]
YAML
}

bench_now() { date +%s.%N; }
bench_median() {
	sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
