#!/bin/sh
# run.sh - run vqr's whole test suite against the programs in one build
# directory, with a real PostgreSQL started for the run (initdb in a
# temporary directory, unix socket only) and stopped afterwards.
#
#   sh tests/run.sh build        # the plain build
#   sh tests/run.sh build-san    # the AddressSanitizer + UBSan build
#   sh tests/run.sh build tests/e2e/rules.t build/tests/test_cfg
#                                # only these tests (while developing)
#
# Tiers: unit tests (build/tests/test_*), CLI tests (tests/cli/*.t),
# end-to-end tests on the real PostgreSQL (tests/e2e/*.t).  prove runs
# them and prints its summary; the exit status is prove's.
#
# Test files run side by side: VQR_TEST_JOBS at once (default 1: one
# after another, until tests/e2e/serve.t and slices.t run beside others without failing).  They share the
# run's server, each in databases of its own name, and each works in a
# directory of its own ($WORK, tests/lib/env.sh), so a new test must keep
# to that: a database name no other file uses, nothing written outside
# $WORK, no fixed TCP port.  The longest files start first (LONG below)
# so that none of them is left to run alone at the end.  PROVE_FLAGS
# adds options of prove (e.g. --timer, -v).
set -u
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
. tests/lib/pg.sh
export VQR_BUILD="$BUILD" VQR_EMBED_NOSYNC=1
# Sanitizers: stop at the first error, and report leaks.
export ASAN_OPTIONS="abort_on_error=0:halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# libfreexl's own leaks on damaged workbooks (tests/fuzz/lsan.supp says why)
export LSAN_OPTIONS="suppressions=$TOP/tests/fuzz/lsan.supp"
JOBS=${VQR_TEST_JOBS:-1}
case $JOBS in '' | *[!0-9]* | 0) echo "tests/run.sh: VQR_TEST_JOBS=$JOBS is not a number of jobs" >&2; exit 1 ;; esac
# The files that take longest (waits, servers of their own, many loads).
LONG="tests/e2e/crash.t tests/e2e/registers.t tests/region/region.t tests/sql/roles.t
tests/e2e/report_html.t tests/region/region_bench.t tests/e2e/nightly.t tests/cli/fixtures.t
tests/e2e/sheets.t tests/e2e/summary.t tests/e2e/kill.t tests/e2e/rules.t tests/e2e/rows.t"
pg_temp_start || { echo "tests/run.sh: could not start PostgreSQL" >&2; exit 1; }
trap 'pg_temp_stop' EXIT
trap 'exit 130' INT TERM
echo "# $BUILD: PostgreSQL $(psql -X -A -t -c 'show server_version') at $PGHOST; $JOBS test files at once"
if [ $# -gt 1 ]; then
	shift
else
	# every test once, the long ones first
	set -- $(for f in $LONG; do [ -f "$f" ] && echo "$f"; done)
	for f in tests/e2e/*.t tests/region/*.t tests/sql/*.t tests/cli/*.t tests/lib/*.t "$BUILD"/tests/test_*; do
		case " $* " in *" $f "*) ;; *) set -- "$@" "$f" ;; esac
	done
fi
prove -j "$JOBS" ${PROVE_FLAGS-} "$@"
