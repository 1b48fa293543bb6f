#!/bin/sh
# fuzz-run.sh - run each fuzz target for a bounded time (make fuzz).
#
#   sh scripts/fuzz-run.sh build-fuzz 60 NAME...    (make fuzz: every name of tests/fuzz/targets)
#
# Target NAME is DIR/fuzz/fuzz_NAME, its seeds DIR/corpus/NAME (read only);
# what it finds goes to DIR/work/NAME (kept between runs) and a crash to
# DIR/crash/NAME-*.  Prints each target's figures (executions, seconds);
# exits 1 when a target crashed, after running the others.
#
# FUZZ_SEED=N FUZZ_RUNS=M (make check): each target starts from its seeds
# alone (a fresh work directory) with the random seed N and stops after M
# inputs (or SECONDS), so that the run does the same on every machine and
# a crash it finds is found again by the same command; without them the
# run explores anew each time.
set -u
# libfreexl's own leaks on damaged workbooks are not reported (the file says why)
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")/.." && pwd)/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
DIR=${1:?usage: fuzz-run.sh DIR SECONDS NAME...}
SECS=${2:?usage: fuzz-run.sh DIR SECONDS NAME...}
shift 2
status=0
mkdir -p "$DIR/crash"
for n in "$@"; do
	work=$DIR/work/$n
	set --
	if [ -n "${FUZZ_SEED:-}" ]; then
		work=$DIR/work-seeded/$n
		rm -rf "$work"
		set -- -seed="$FUZZ_SEED" -runs="${FUZZ_RUNS:--1}"
	fi
	mkdir -p "$work"
	log=$DIR/fuzz_$n.log
	# -rss_limit_mb: ASan's shadow memory included; -timeout: a hang is a crash
	"$DIR/fuzz/fuzz_$n" -max_total_time="$SECS" -max_len=65536 -timeout=10 \
		-rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$DIR/crash/$n-" "$@" \
		"$work" "$DIR/corpus/$n" > "$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ "$rc" -eq 0 ]; then
		# libFuzzer's rate is whole runs per whole second: 0 for a run under 1 s
		[ "${rate:-?}" = 0 ] && rate="over ${execs:-?}"
		echo "fuzz_$n: ${execs:-?} runs${FUZZ_SEED:+ (seed $FUZZ_SEED)} in at most ${SECS} s (${rate:-?}/s), no crash"
	else
		echo "fuzz_$n: CRASH after ${execs:-?} runs (exit $rc): see $log and $DIR/crash/" >&2
		grep -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error)" "$log" | head -5 >&2
		status=1
	fi
done
exit $status
