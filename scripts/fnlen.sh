#!/bin/sh
# fnlen.sh - list C functions longer than a limit, and files longer than
# 1,000 lines whose head does not say why they stay whole.
#
#   sh scripts/fnlen.sh [LIMIT] [FILE]...    LIMIT default 80; files default
#                                            to every .c under lib, stages,
#                                            pipeline.  Exit 1 when any is listed.
# A function is counted from its opening brace at column 0 to its closing
# brace at column 0 (the style of this tree).  A long file's head (its first
# 40 lines) says why with a line containing "one file:".
LIM=${1:-80}
[ $# -gt 0 ] && shift
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 2
[ $# -gt 0 ] || set -- $(find lib stages pipeline -name '*.c' | sort)
awk -v LIM="$LIM" '
function longfile() { if (last != "" && lines > 1000 && !why) { printf "%s: %d lines (split it, or say why not in its head: \"one file: ...\")\n", last, lines; bad = 1 } }
FNR == 1 { longfile(); start = 0; why = 0; last = FILENAME }
{ lines = FNR }
FNR <= 40 && /one file:/ { why = 1 }
/^\{/ { start = FNR; name = prev; next }
/^\}/ { if (start) { n = FNR - start + 1; if (n > LIM) { printf "%s:%d: function of %d lines: %s\n", FILENAME, start, n, name; bad = 1 } start = 0 } next }
{ if (!start && $0 ~ /^[A-Za-z_].*\(/) prev = $0 }
END { longfile(); exit bad }' "$@"
