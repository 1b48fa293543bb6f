#!/bin/sh
# The inputs the fuzz targets (tests/fuzz/, make fuzz) once crashed or hung
# on, replayed through the same LLVMFuzzerTestOneInput with the suite's
# build (and its sanitizers in build-san): each must now run to the end.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

for n in $(grep '^[a-z]' "$TOP/tests/fuzz/targets"); do
	replay=$TOP/${VQR_BUILD:-build}/tests/replay_$n
	set -- "$TOP/tests/data/fuzz/$n"/*
	[ -f "$1" ] || continue
	out=$(timeout 120 "$replay" "$@" 2>&1); rc=$?
	is "$rc" 0 "replay_$n: $# regression inputs run to the end"
	[ "$rc" = 0 ] || diag "$(printf '%s\n' "$out" | tail -20)"
done
nfiles=$(ls "$TOP/tests/data/fuzz"/*/* 2>/dev/null | wc -l)
[ "$nfiles" -gt 0 ]; ok $? "the regression inputs are there: $nfiles files"
done_testing
