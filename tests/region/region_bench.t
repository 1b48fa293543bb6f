#!/bin/sh
# The regional benchmark (tests/bench/region.sh) keeps running: a small
# region (3 colleges x 2 years, 3 majors, the seed year made from the
# graduate register and the summary sheets only) is built from the
# shipped catalog as vqr loads it, and every query of its table runs as
# the owner and as an analyst.  No timing is asserted: at this size the
# planner may well read the small tables sequentially, so the exit status
# may be 1 (a miss) but nothing else.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

out=$(BENCH_SCHOOLS=3 BENCH_YEARS=2 BENCH_MAJORS=3 BENCH_RUNS=1 BENCH_SEED_FILES='毕业生去向登记表_* 质量年报数据汇总表*' \
	sh "$TOP/tests/bench/region.sh" 2>&1); rc=$?
ok $([ "$rc" -le 1 ]; echo $?) "region.sh completes (exit $rc: 0 every query on target, 1 some miss)"
[ "$rc" -le 1 ] || diag "$out"
like "$out" "*# region.sh: 3 colleges x 2 years x the shipped catalog (* indicators): * values per college and year*" \
	"it says what it generates"
n=$(echo "$out" | sed -n 's/^# region.sh: .*catalog (\([0-9]*\) indicators).*/\1/p')
ok $([ "${n:-0}" -ge 150 ]; echo $?) "the catalog is the shipped one, from vqr's own loader ($n indicators, no check taken for one)"
like "$out" "*# generated * indicator values, 6 batches,*" "one batch per college and year"
like "$out" "*# query (*, 2023-2024)*owner ms*analyst ms*" "it prints its table's header"
rows=$(echo "$out" | grep -c '^  [abcd] v_[a-z_]*.* [0-9][0-9.]* *[0-9][0-9.]* ')
ok $([ "$rows" -ge 20 ]; echo $?) "and a row with both times for each query ($rows)"
for shape in "a v_school_compare" "b v_indicator" "b v_school_trend" "c v_school_trend" "c v_region_trend" "d v_data_quality"; do
	like "$out" "*  $shape*" "  among them: $shape"
done
ok $(echo "$out" | grep -q -e '^# every query under 50 ms' -e '^# some query took 50 ms or more'; echo $?) "and its verdict"

done_testing
