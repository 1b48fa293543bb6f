#!/bin/sh
# Small things operators trip on, on a real PostgreSQL:
#  - vqr init -d CONNINFO works without a deployment file;
#  - vqr status lists the files waiting in the inbox (ready or not) and
#    the quarantine;
#  - staging directories of committed batches are removed after
#    paths.keep_staging_days; others stay;
#  - a terminal shows a file's progress on one line, a pipe or a log never.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

test_db vqr_e2e_ops
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"

mkdir -p "$WORK/empty"
out=$(cd "$WORK/empty" && VQR_CONFIG= vqr -d "$TEST_DB" init 2>&1); rc=$?
is "$rc" 0 "vqr init -d CONNINFO without a deployment file exits 0" || diag "$out"
like "$out" "*schema vqr upgraded*" "  and creates the schema"
out=$(cd "$WORK/empty" && VQR_CONFIG= vqr -d "$TEST_DB" run 2>&1); rc=$?
is "$rc" 1 "vqr run still needs its deployment file"

make_config c "$TEST_DB"
CFG=$WORK/c.yaml
cp "$FIX" "$WORK/c/inbox/"
sed -i 's/^  settle_seconds: 0$/  settle_seconds: 3600/' "$CFG"
st=$(vqr -c "$CFG" status 2>&1)
like "$st" "*waiting in $WORK/c/inbox:*毕业生去向登记表_2022-2023.csv: not ready yet (changed in the last settle_seconds)*" \
	"vqr status lists a file in the inbox that is not ready yet"
sed -i 's/^  settle_seconds: 3600$/  settle_seconds: 0/' "$CFG"
st=$(vqr -c "$CFG" status 2>&1)
like "$st" "*毕业生去向登记表_2022-2023.csv: ready: the next run takes it*" "  and one that is ready"
vqr -c "$CFG" run >/dev/null 2>&1; is "$?" 0 "it loads"
st=$(vqr -c "$CFG" status 2>&1)
like "$st" "*nothing waiting in the inbox*" "vqr status says the inbox is empty"

# Staging directories: a committed batch's, a dry run's, and a failed
# attempt's (no batch), all made 40 days old.
sed 's/2023-06-30/2024-06-30/; s/,2023,/,2024,/' "$FIX" > "$WORK/c/inbox/毕业生去向登记表_2023-2024.csv"
vqr -c "$CFG" run --dry-run >/dev/null 2>&1; is "$?" 0 "a dry run"
mkdir "$WORK/c/staging/20200101T000000-graduate_destination"
echo x > "$WORK/c/staging/20200101T000000-graduate_destination/manifest.yaml"
for d in "$WORK"/c/staging/*/; do touch -d '40 days ago' "$d"; done
is "$(ls "$WORK/c/staging" | wc -l)" 3 "three staging directories, 40 days old"
rm "$WORK/c/inbox/毕业生去向登记表_2023-2024.csv"
sed -i 's/^  settle_seconds: 0$/  settle_seconds: 0\n  keep_staging_days: 50/' "$CFG"
vqr -c "$CFG" run >/dev/null 2>&1
is "$(ls "$WORK/c/staging" | wc -l)" 3 "with keep_staging_days: 50 they stay"
sed -i 's/^  keep_staging_days: 50$/  keep_staging_days: 30/' "$CFG"
out=$(vqr -v -c "$CFG" run 2>&1)
like "$out" "*removed 2 staging directories older than 30 days*" "with 30, the run removes two and says so with -v"
is "$(ls "$WORK/c/staging")" "20200101T000000-graduate_destination" "  the failed attempt's stays (no batch committed it)"
sed -i 's/^  keep_staging_days: 30$/  keep_staging_days: -1/' "$CFG"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 1 "a negative keep_staging_days is a configuration error"
like "$out" "*c.yaml:*:*: keep_staging_days must be a whole number of days*" "  with file:line:col"

# Progress: one line updated in place on a terminal (script(1) gives the
# run one), never in a pipe or the log.
make_config p "$TEST_DB"
sed 's/2023-06-30/2025-06-30/; s/,2023,/,2025,/' "$FIX" > "$WORK/p/inbox/毕业生去向登记表_2024-2025.csv"
out=$(VQR_PROGRESS_DELAY_MS=0 script -qfec "vqr -c '$WORK/p.yaml' --log '$WORK/p.log' run" /dev/null 2>&1); rc=$?
is "$rc" 0 "a run on a terminal exits 0" || diag "$out"
like "$out" "*vqr: \[1/1\] 毕业生去向登记表_2024-2025.csv: * rows, */* MB (*%), * rows/s*" \
	"it shows the file's rows, megabytes, percentage and rate on one line"
case "$(cat "$WORK/p.log")" in *"rows/s"*) ok 1 "  never in the log";; *) ok 0 "  never in the log";; esac
sed 's/2023-06-30/2024-06-30/; s/,2023,/,2024,/' "$FIX" > "$WORK/p/inbox/毕业生去向登记表_2023-2024.csv"
out=$(VQR_PROGRESS_DELAY_MS=0 vqr -c "$WORK/p.yaml" run 2>&1 | cat); rc=$?
case "$out" in *"rows/s"*) ok 1 "  nor in a pipe";; *) ok 0 "  nor in a pipe";; esac

done_testing
