#!/bin/sh
# fuzz-run.sh - run each fuzz target for a bounded time (make fuzz).
#
#   sh scripts/fuzz-run.sh build-fuzz 60 NAME...    (make fuzz: every name of tests/fuzz/targets)
#
# Target NAME is DIR/fuzz/fuzz_NAME, its seeds DIR/corpus/NAME (read only);
# what it finds goes to DIR/work/NAME (kept between runs) and a crash to
# DIR/crash/NAME-*.  Prints each target's figures (executions, seconds),
# in the order of the names; exits 1 when a target crashed, after running
# the others.  FUZZ_JOBS targets run at once (default: the number of
# processors), each on one process of its own.
#
# FUZZ_SEED=N FUZZ_RUNS=M (make check): each target starts from its seeds
# alone (a fresh work directory) with the random seed N and stops after M
# inputs (or SECONDS), so that the run does the same on every machine and
# a crash it finds is found again by the same command; without them the
# run explores anew each time.
set -u
# libfreexl's own leaks on damaged workbooks are not reported (the file says why)
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")/.." && pwd)/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# Run target $3 of directory $1 for at most $2 seconds; its line of figures
# goes to DIR/fuzz_NAME.result, its exit status to DIR/fuzz_NAME.rc.
if [ "${1-}" = --one ]; then
	DIR=$2 SECS=$3 n=$4
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
		echo "fuzz_$n: CRASH after ${execs:-?} runs (exit $rc): see $log and $DIR/crash/"
		grep -E "^(==[0-9]+==ERROR|SUMMARY|.*runtime error)" "$log" | head -5
	fi > "$DIR/fuzz_$n.result"
	echo "$rc" > "$DIR/fuzz_$n.rc"
	exit 0
fi

DIR=${1:?usage: fuzz-run.sh DIR SECONDS NAME...}
SECS=${2:?usage: fuzz-run.sh DIR SECONDS NAME...}
shift 2
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
mkdir -p "$DIR/crash"
for n in "$@"; do rm -f "$DIR/fuzz_$n.result" "$DIR/fuzz_$n.rc"; done
printf '%s\n' "$@" | xargs -P "$JOBS" -I NAME sh "$0" --one "$DIR" "$SECS" NAME
status=0
for n in "$@"; do
	rc=$(cat "$DIR/fuzz_$n.rc" 2>/dev/null) || rc=none
	if [ "$rc" = 0 ]; then
		cat "$DIR/fuzz_$n.result"
	else
		[ -f "$DIR/fuzz_$n.result" ] && cat "$DIR/fuzz_$n.result" >&2 ||
			echo "fuzz_$n: did not run (see $DIR/fuzz_$n.log)" >&2
		status=1
	fi
done
exit $status
