#!/bin/sh
# layers.sh - check that no C file includes a header of a higher layer.
#
#   sh scripts/layers.sh [TOP]      exit 0 when the rule holds, 1 with one
#                                   "file:line: message" per breach
#
# The layers, lowest first (docs/ARCHITECTURE.md draws them):
#   0 lib/util      logging, program edges, allocation, strings, errors, threads, sha256
#   1 lib/catalog   values, expressions, the YAML catalog and its rules
#   2 lib/readers   CSV and .xlsx readers behind one interface
#   3 lib/staging   the staging directory's contract: files, manifest, rows
#   4 lib/db        PostgreSQL: connection, embedded cluster, COPY, schema
#   5 stages/NAME   one stage program's own modules (extract, transform,
#                   load); a stage never includes another stage
#   6 pipeline      the driver, vqr
# A file may include its own layer and the layers below.  Every project
# include is path-qualified from the top of the tree ("lib/util/log.h"),
# and names a file that exists.  tests/ may include any layer.
set -eu
TOP=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$TOP"
FILES=$(find lib stages pipeline tests -name '*.[ch]' 2>/dev/null | sort)
[ -n "$FILES" ] || exit 0
# "file:line:text" of every quoted include, read with the list of the files
# that exist (an include must name one of them, or a generated build/ file)
{
	printf '%s\n' "$FILES" | sed 's/^/=/'
	# shellcheck disable=SC2086
	grep -n -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' $FILES | \
		sed 's/^\([^:]*\):\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2 \3/'
} | awk '
function layer(p,   d) {
	if (p ~ /^lib\/util\//) return "0"
	if (p ~ /^lib\/catalog\//) return "1"
	if (p ~ /^lib\/readers\//) return "2"
	if (p ~ /^lib\/staging\//) return "3"
	if (p ~ /^lib\/db\//) return "4"
	if (p ~ /^stages\/[^\/]+\//) { d = p; sub(/^stages\//, "", d); sub(/\/.*/, "", d); return "5:" d }
	if (p ~ /^pipeline\//) return "6"
	if (p ~ /^tests\//) return "9"
	return ""
}
function rank(l) { return substr(l, 1, 1) + 0 }
/^=/ { exists[substr($0, 2)] = 1; next }
{
	f = $1; line = $2; inc = $3
	if (inc !~ /\//) { printf "%s:%s: #include \"%s\" is not path-qualified (write it from the top of the tree)\n", f, line, inc; bad = 1; next }
	if (!(inc in exists) && inc !~ /^build\//) {
		printf "%s:%s: #include \"%s\": no such file from the top of the tree\n", f, line, inc; bad = 1; next
	}
	lf = layer(f); li = layer(inc)
	if (lf == "" || li == "") next
	if (rank(li) > rank(lf) || (rank(li) == 5 && rank(lf) == 5 && li != lf)) {
		printf "%s:%s: includes \"%s\" of a higher or sibling layer (%s over %s)\n", f, line, inc, li, lf; bad = 1
	}
}
END { exit bad }'
