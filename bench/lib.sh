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
