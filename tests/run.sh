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
# them all and prints its summary; the exit status is prove's.
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
pg_temp_start || { echo "tests/run.sh: could not start PostgreSQL" >&2; exit 1; }
trap 'pg_temp_stop' EXIT
trap 'exit 130' INT TERM
echo "# $BUILD: PostgreSQL $(psql -X -A -t -c 'show server_version') at $PGHOST"
if [ $# -gt 1 ]; then
	shift
	prove ${PROVE_FLAGS-} "$@"
else
	prove $BUILD/tests/test_* tests/lib/*.t tests/cli/*.t tests/e2e/*.t tests/sql/*.t tests/region/*.t
fi
