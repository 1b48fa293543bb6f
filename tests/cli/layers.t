#!/bin/sh
# The layers of the C code (scripts/layers.sh, docs/ARCHITECTURE.md) and
# the size of its functions and files (scripts/fnlen.sh): the
# tree as it is keeps them, and each kind of breach is caught: a lower
# layer including a higher one, one stage including another, an include
# that is not path-qualified, one that names no file.
. "$(dirname "$0")/../lib/tap.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT

out=$(sh "$TOP/scripts/layers.sh" "$TOP" 2>&1); rc=$?
ok $rc "the tree keeps its layers"
[ $rc -eq 0 ] || diag "$out"

# A copy of the tree's C files to break one rule at a time.
breach() { # name file text -> the checker's output; status in $brc
	rm -rf "$WORK/t"; mkdir -p "$WORK/t"
	(cd "$TOP" && tar cf - $(find lib stages pipeline -name '*.[ch]')) | (cd "$WORK/t" && tar xf -)
	printf '%s\n' "$3" >> "$WORK/t/$2"
	bout=$(sh "$TOP/scripts/layers.sh" "$WORK/t" 2>&1); brc=$?
}
breach up lib/util/log.h '#include "lib/db/db.h"'
ok $((brc == 0)) "a util header including lib/db fails the check"
like "$bout" "*lib/util/log.h:*lib/db/db.h*higher*" "the breach is named with file and line"
breach up2 lib/readers/csvin.c '#include "lib/staging/rows.h"'
ok $((brc == 0)) "a reader including the staging layer fails"
breach stage stages/load/main.c '#include "stages/transform/main.c"'
ok $((brc == 0)) "one stage including another fails"
breach pipe lib/db/db.c '#include "pipeline/report.h"'
ok $((brc == 0)) "the database layer including pipeline/ fails"
breach bare lib/catalog/cfg.c '#include "log.h"'
ok $((brc == 0)) "an include without its path fails"
like "$bout" "*lib/catalog/cfg.c:*not path-qualified*" "and is said so"
breach gone lib/util/cli.c '#include "lib/util/nothing.h"'
ok $((brc == 0)) "an include of a file that does not exist fails"
breach down pipeline/keep.c '#include "lib/util/log.h"'
is "$brc" 0 "including a lower layer is fine"

# Size (scripts/fnlen.sh): no function over 80 lines, no file over 1,000
# lines whose head does not say why it stays whole; and each is caught.
out=$(sh "$TOP/scripts/fnlen.sh" 80 2>&1); rc=$?
ok $rc "no function over 80 lines, no long file without its reason"
[ $rc -eq 0 ] || diag "$out"
mkdir -p "$WORK/f"
{ echo "int long_one(void)"; echo "{"; i=0; while [ $i -lt 81 ]; do echo "	x();"; i=$((i + 1)); done; echo "}"; } > "$WORK/f/a.c"
out=$(sh "$TOP/scripts/fnlen.sh" 80 "$WORK/f/a.c" 2>&1); rc=$?
ok $((rc == 0)) "a function of 83 lines is caught"
like "$out" "*a.c:2: function of 83 lines: int long_one(void)*" "  and named with its file and line"
i=0; while [ $i -lt 1001 ]; do echo "/* $i */"; i=$((i + 1)); done > "$WORK/f/b.c"
out=$(sh "$TOP/scripts/fnlen.sh" 80 "$WORK/f/b.c" 2>&1); rc=$?
ok $((rc == 0)) "a file of 1,001 lines without its reason is caught"
{ echo "/* b.c - one file: its parts share one state machine */"; cat "$WORK/f/b.c"; } > "$WORK/f/c.c"
sh "$TOP/scripts/fnlen.sh" 80 "$WORK/f/c.c" >/dev/null 2>&1
is "$?" 0 "  and passes when its head says why"
done_testing
