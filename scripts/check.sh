#!/bin/sh
# check.sh - the whole test suite on a fresh Debian machine: install what
# is missing, build, and run `make check` (unit, CLI and end-to-end tests
# on a real PostgreSQL, plain and under ASan/UBSan, then a short fuzz run).
#
#   sh scripts/check.sh
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
make -j2
make check
