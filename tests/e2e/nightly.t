#!/bin/sh
# Nightly operation, each case against a real PostgreSQL, asserting the
# database and the directories afterwards:
#  - kill -9 of vqr-load in the middle of its COPY: database as before, file
#    still in the inbox, the next run loads it exactly once;
#  - two runs at once: one loads, the other exits 4 naming the holder;
#  - PostgreSQL stopped during a run: exit 3 naming the server, nothing
#    moved; after a restart the next run loads everything;
#  - the staging area full (ulimit -f): a clear error, inbox untouched, no
#    partial batch;
#  - a truncated .gz, an empty file, a header-only file and a file with an
#    unknown header set are quarantined with their reasons while the other
#    files load; the same file under two names loads once;
#  - --dry-run reports and changes nothing; --summary-json; --log; status;
#    files still being written are left for the next run.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

# A server of this test's own, so that it can be stopped and started.
pg_temp_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
trap 'pg_temp_stop; rm -rf "$WORK"' EXIT
TEST_DB="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
export TEST_DB
srv_stop() { _pg_as "$(pg_bindir)/pg_ctl" stop -D "$VQR_TEST_PGDIR/data" -m fast -w >/dev/null 2>&1; }
srv_start() {
	_pg_as "$(pg_bindir)/pg_ctl" start -w -t 60 -D "$VQR_TEST_PGDIR/data" -l "$VQR_TEST_PGDIR/server.log" \
		-o "-c listen_addresses='' -c unix_socket_directories='$VQR_TEST_PGDIR' -p 5432 -c fsync=off" >/dev/null 2>&1
}
make_config n "$TEST_DB"
CFG=$WORK/n.yaml
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init"
state() { sql "select (select count(*) from vqr.batch) || '/' || (select count(*) from vqr.source_file) || '/' || (select count(*) from vqr.indicator_value)"; }
inbox() { ls "$WORK/n/inbox" | tr '\n' ' '; }
# Wait (at most 30 s) until vqr-load is inside its COPY.
wait_copy() {
	_i=0
	until [ "$(sql "select count(*) from pg_stat_activity where query like 'COPY vqr.indicator_value%'")" = 1 ]; do
		_i=$((_i + 1)); [ $_i -ge 300 ] && return 1; sleep 0.1
	done
}

# kill -9 in the middle of the COPY.
cp "$FIX" "$WORK/n/inbox/"
before=$(state)
VQR_TEST_STALL_COPY=30 vqr -c "$CFG" run >"$WORK/run1.out" 2>&1 &
runpid=$!
wait_copy; ok $? "vqr-load is inside its COPY"
pkill -9 -f "vqr-load .*-c $CFG" ; ok $? "kill -9 vqr-load"
wait $runpid; rc=$?
is "$rc" 5 "vqr reports the killed stage (exit 5)"
like "$(cat "$WORK/run1.out")" "*vqr-load was killed by signal 9*stays in the inbox*" "and says the file stays in the inbox"
is "$(state)" "$before" "the database is exactly as before"
is "$(inbox)" "$(basename "$FIX") " "the file is still in the inbox"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "the next run exits 0"
is "$(sql "select count(*) from vqr.source_file")" 1 "and loads the file exactly once"
is "$(sql "select value from vqr.indicator_value where indicator_code = 'employment.graduates.total' and breakdown = '{}'")" 1466 "with its values"

# Two runs at once.
sed 's/^\(2020[0-9]*\),/\1,/; s/2023-12-28/2023-12-29/' "$FIX" > "$WORK/n/inbox/毕业生去向登记表_v2.csv"
VQR_TEST_STALL_COPY=3 vqr -c "$CFG" run >"$WORK/run2.out" 2>&1 &
runpid=$!
wait_copy; ok $? "the first run is loading"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 4 "a second run at the same time exits 4"
like "$out" "*another vqr run holds the lock*pid $runpid on * since 20*" "naming who holds the lock since when"
wait $runpid; rc=$?
is "$rc" 0 "the first run completes"
is "$(sql "select count(*) from vqr.source_file")" 2 "one load, no duplicate"
is "$(sql "select count(*) - count(distinct (school_code, period, indicator_code, breakdown, value_type)) from vqr.indicator_value")" 0 "no duplicate values"

# PostgreSQL stopped during a run.
sed 's/2023-12-28/2023-12-30/' "$FIX" > "$WORK/n/inbox/毕业生去向登记表_v3.csv"
before=$(state)
VQR_TEST_STALL_COPY=4 vqr -c "$CFG" run >"$WORK/run3.out" 2>&1 &
runpid=$!
wait_copy; ok $? "a run is loading"
srv_stop; ok $? "PostgreSQL is stopped under it"
wait $runpid; rc=$?
is "$rc" 3 "the run exits 3"
like "$(cat "$WORK/run3.out")" "*server $VQR_TEST_PGDIR port 5432, database postgres*" "the message names the server"
is "$(inbox)" "毕业生去向登记表_v3.csv " "nothing was moved"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 3 "a run while the server is down exits 3"
like "$out" "*cannot connect to host=$VQR_TEST_PGDIR*" "naming the server it could not reach"
srv_start; ok $? "PostgreSQL is started again"
is "$(state)" "$before" "the database is as before the interrupted run"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "the next run exits 0"
is "$(sql "select count(*) from vqr.source_file")" 3 "and loads the file"

# The staging area fills up.
sed 's/2023-12-28/2023-12-31/' "$FIX" > "$WORK/n/inbox/毕业生去向登记表_v4.csv"
before=$(state)
out=$(ulimit -f 64; vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 5 "a full staging area exits 5"
like "$out" "*cannot write: File too large*" "with a clear error"
is "$(inbox)" "毕业生去向登记表_v4.csv " "the inbox is untouched"
is "$(state)" "$before" "no partial batch in the database"
rm "$WORK/n/inbox/毕业生去向登记表_v4.csv"

# Bad files are quarantined with their reasons; the others load.
head -c 20000 "$FIX" | gzip -c | head -c 3000 > "$WORK/n/inbox/毕业生去向登记表_truncated.csv.gz"
: > "$WORK/n/inbox/毕业生去向登记表_empty.csv"
sed -n 2p "$FIX" > "$WORK/n/inbox/毕业生去向登记表_header_only.csv"
printf '编号,名称\n1,a\n' > "$WORK/n/inbox/毕业生去向登记表_unknown.csv"
head -c 9000 "$TOP/tests/data/formats/毕业生去向登记表_excel.xlsx" > "$WORK/n/inbox/毕业生去向登记表_corrupt.xlsx"
sed 's/2023-12-28/2024-01-02/' "$FIX" > "$WORK/n/inbox/毕业生去向登记表_v5.csv"
cp "$WORK/n/inbox/毕业生去向登记表_v5.csv" "$WORK/n/inbox/毕业生去向登记表_v5_copy.csv"
out=$(vqr -c "$CFG" --summary-json "$WORK/summary.json" --log "$WORK/vqr.log" run 2>&1); rc=$?
is "$rc" 2 "a run with bad files exits 2"
q() { cat "$WORK/n/quarantine/$1.reason" 2>&1; }
like "$(q 毕业生去向登记表_truncated.csv.gz)" "*unexpected end of compressed data*" "a truncated .gz is quarantined with its reason"
like "$(q 毕业生去向登记表_empty.csv)" "*the file is empty*" "an empty file is quarantined"
like "$(q 毕业生去向登记表_header_only.csv)" "*has a header (line 1) but no data rows*" "a header-only file is quarantined"
like "$(q 毕业生去向登记表_unknown.csv)" "*no header row with the required columns*the first 2 rows have 2, 2 columns*" "an unknown header set is quarantined"
like "$(q 毕业生去向登记表_corrupt.xlsx)" "*毕业生去向登记表_corrupt.xlsx: *" "a corrupt .xlsx is quarantined with its reason"
is "$(sql "select count(*) from vqr.source_file where file_name like '毕业生去向登记表_v5%'")" 1 "the same file under two names loads once"
is "$(ls "$WORK/n/inbox" | wc -l | tr -d ' ')" 0 "the inbox is empty"
test -f "$WORK/n/archive/毕业生去向登记表_v5_copy.csv"; ok $? "the duplicate is archived"
sj=$(cat "$WORK/summary.json")
like "$sj" "*\"exit_code\": 2*\"loaded\": 1, \"already_loaded\": 1, \"quarantined\": 5*" "--summary-json counts the files"
like "$sj" "*\"file\": \"毕业生去向登记表_empty.csv\", \"status\": \"quarantined\"*\"reason\": \"*the file is empty\"*" "and gives each file's status and reason"
like "$(cat "$WORK/vqr.log")" "*20[0-9][0-9]-*vqr: error: *毕业生去向登记表_empty.csv: quarantined*" "--log keeps the messages with timestamps"
out=$(vqr -c "$CFG" status 2>&1); rc=$?
is "$rc" 0 "vqr status exits 0"
like "$out" "*last batches:*batch * loaded *毕业生去向登记表_v5.csv: 1466 rows*no open findings*quarantined in*毕业生去向登记表_empty.csv: *the file is empty*" \
	"vqr status shows the last batches, the open findings and the quarantine"
b=$(sql "select max(batch_id) from vqr.batch")
sql "insert into vqr.finding (batch_id, school_code, period, source_code, check_code, severity, left_value, right_value, message)
     values ($b, 'CQGYGJ', '2022-2023', 'graduate_destination', 'dest.sum', 'error', 1461, 1466, 'destinations add up to 1461, graduates are 1466')" >/dev/null
like "$(vqr -c "$CFG" status 2>&1)" "*open findings:*error  2022-2023  dest.sum: destinations add up to 1461, graduates are 1466*" \
	"and lists a finding of the current values"

# Quiet on success: cron mails nothing.
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a run with nothing to do exits 0"
is "$out" "" "and prints nothing"

# --dry-run: reports what would change, changes nothing, moves nothing.
before=$(state)
sed 's/^\([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*\),高等教育深造,/\1,待就业,/' "$FIX" |
	awk 'NR <= 40 || !/待就业/' > "$WORK/n/inbox/毕业生去向登记表_v6.csv"
out=$(vqr -c "$CFG" run --dry-run 2>&1); rc=$?
is "$rc" 0 "a dry run exits 0"
like "$out" "*dry run: 毕业生去向登记表_v6.csv: * rows (0 rejected) -> * values for 2022-2023, replacing *; * would change*2022-2023  employment.dest.unplaced  {}  5 -> *" \
	"it reports the values that would change, old and new"
like "$out" "*dry run, nothing changed: 1 file would load*" "and says nothing changed"
is "$(state)" "$before" "the database is unchanged"
is "$(inbox)" "毕业生去向登记表_v6.csv " "the file stays in the inbox"

# A file still being written is left for the next run.
sed -i 's/^  settle_seconds: 0$/  settle_seconds: 3600/' "$CFG"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "a run with a fresh file exits 0"
like "$out" "*毕业生去向登记表_v6.csv: not ready yet*" "and leaves a file changed within settle_seconds"
is "$(inbox)" "毕业生去向登记表_v6.csv " "in the inbox"
sed -i 's/^  settle_seconds: 3600$/  settle_seconds: 0\n  done_marker: true/' "$CFG"
out=$(vqr -v -c "$CFG" run 2>&1)
like "$out" "*not ready yet*" "with done_marker, a file without FILE.done waits"
touch "$WORK/n/inbox/毕业生去向登记表_v6.csv.done"
out=$(vqr -v -c "$CFG" run --accept-shrink 毕业生去向登记表_v6.csv 2>&1); rc=$?
like "$out" "*1 file loaded*" "and is taken once the marker is there"
is "$(ls "$WORK/n/inbox" | wc -l | tr -d ' ')" 0 "the marker is removed with it"

done_testing
