#!/bin/sh
# The embedded cluster after a crash, with the waits shortened
# (VQR_EMBED_READY_SECS, VQR_EMBED_STOP_TIMEOUT):
#  - a postmaster that can neither answer nor shut down (SIGSTOP): vqr db
#    stop escalates to -m immediate and then SIGKILL, exits 0 and says so
#    in one warning line; the cluster is stopped;
#  - a cluster stuck that way when vqr run starts: the run stops it, starts
#    it again, says so, and loads the inbox;
#  - a postmaster.pid left by a killed server: the next run just works;
#    one naming a live process that is not PostgreSQL is removed, with a
#    warning, and that process is left alone;
#  - kill -9 of the backend loading a file: the run fails, the cluster is
#    stopped (silently or with a warning, never left stuck), and the next
#    run loads everything: the values equal a clean run's;
#  - a server stuck in a smart shutdown (a session holds it up): vqr db
#    stop waits for it, then stops it fast; vqr run stops it, starts it
#    again and loads.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"


# The reference: a clean run on the suite's server.
test_db vqr_e2e_crash
make_config r "$TEST_DB"
one_year 2021 "$WORK/r/inbox/毕业生去向登记表_2020-2021.csv"
one_year 2022 "$WORK/r/inbox/毕业生去向登记表_2021-2022.csv"
cp "$WORK/r/inbox/"* "$WORK/"
vqr -c "$WORK/r.yaml" init >/dev/null 2>&1 && vqr -c "$WORK/r.yaml" run >/dev/null 2>&1
ok $? "a clean reference run"
want=$(values_digest "$TEST_DB")
like "$want" "[1-9]* *" "  loads values"

# The embedded cluster; keep libpq from finding the suite's server.
unset PGHOST PGPORT PGUSER PGDATABASE
export VQR_EMBED_READY_SECS=2 VQR_EMBED_STOP_TIMEOUT=2
make_config e ""
CFG=$WORK/e.yaml
EC="host=$WORK/e/pg/run port=5432 user=vqr dbname=vqr"
PIDF=$WORK/e/pg/pgdata/postmaster.pid
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init creates the embedded cluster"
dead() { # PID: the process is gone, or a zombie nobody reaped
	[ ! -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}
status() { vqr -c "$CFG" db status 2>&1 | sed -n 's/.* is \(.*\)$/\1/p'; }
left=
cleanup() { # a stopped process of ours must not outlive the test
	[ -z "$left" ] || kill -CONT $left 2>/dev/null
	[ -f "$PIDF" ] && _pg_as "$(pg_bindir)/pg_ctl" stop -D "$WORK/e/pg/pgdata" -m immediate >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

# (a) A postmaster that cannot answer nor shut down.
vqr -c "$CFG" db start >/dev/null 2>&1; ok $? "vqr db start"
pm=$(head -n 1 "$PIDF"); left=$pm
kill -STOP "$pm"; ok $? "the postmaster (pid $pm) is stopped with SIGSTOP"
t0=$(date +%s)
out=$(vqr -c "$CFG" db stop 2>&1); rc=$?
t1=$(date +%s)
is "$rc" 0 "vqr db stop exits 0"
like "$out" "*vqr: warning: embedded PostgreSQL in $WORK/e/pg/pgdata: pg_ctl stop -m fast did not stop it within 2 s; -m immediate did not stop it within 2 s either; killed its postmaster (pid $pm) and its processes with SIGKILL*" \
	"  after escalating to SIGKILL, said in one warning line"
is "$(printf '%s\n' "$out" | grep -c warning)" 1 "  only one warning line"
ok $((t1 - t0 > 20)) "  within the shortened timeouts ($((t1 - t0)) s)"
dead "$pm"; ok $? "the postmaster is gone"
is "$(status)" "not running" "the cluster is stopped"

# A clean stop says nothing.
vqr -c "$CFG" db start >/dev/null 2>&1
like "$(head -n 1 "$PIDF")" "[1-9]*" "vqr db start again (it recovers)"
out=$(vqr -c "$CFG" db stop 2>&1); rc=$?
is "$rc:$out" "0:vqr: embedded PostgreSQL in $WORK/e/pg/pgdata stopped" "a clean vqr db stop prints no warning"

# (b) A cluster stuck when vqr run starts.
vqr -c "$CFG" db start >/dev/null 2>&1
pm=$(head -n 1 "$PIDF"); left=$pm
kill -STOP "$pm"
cp "$WORK/毕业生去向登记表_2020-2021.csv" "$WORK/e/inbox/"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "vqr run on a stuck cluster exits 0" || diag "$out"
like "$out" "*vqr: warning: embedded PostgreSQL in $WORK/e/pg/pgdata: it was running but did not answer within 2 s;*killed its postmaster (pid $pm)*; started it again*" \
	"  it says it stopped and started the cluster again"
like "$out" "*1 file loaded (1466 rows, 0 rejected)*" "  and loads the inbox"
is "$(ls "$WORK/e/inbox")" "" "  the inbox is empty"
dead "$pm"; ok $? "the stuck postmaster is gone"
is "$(status)" "not running" "the run stopped the cluster it started"

# A postmaster.pid left by a killed server (the process is gone).
vqr -c "$CFG" db start >/dev/null 2>&1
cp "$PIDF" "$WORK/pid.saved"
vqr -c "$CFG" db stop >/dev/null 2>&1
cp "$WORK/pid.saved" "$PIDF" && chown --reference="$WORK/e/pg/pgdata" "$PIDF"
dead "$(head -n 1 "$PIDF")"; ok $? "a stale postmaster.pid names a process that is gone"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "vqr run with a stale postmaster.pid exits 0" || diag "$out"
case $out in *"warning: embedded"*) ok 1 "  without a warning"; diag "$out" ;; *) ok 0 "  without a warning" ;; esac

# A postmaster.pid naming a live process that is not PostgreSQL (its pid
# reused): removed, and that process left alone.
vqr -c "$CFG" db start >/dev/null 2>&1
cp "$PIDF" "$WORK/pid.saved"
vqr -c "$CFG" db stop >/dev/null 2>&1
_pg_as sh -c 'echo $$; exec sleep 120' >"$WORK/sp" 2>/dev/null &
sleeper=$!
i=0
until sp=$(cat "$WORK/sp") && [ -n "$sp" ]; do i=$((i + 1)); [ $i -ge 50 ] && break; sleep 0.1; done
{ echo "$sp"; tail -n +2 "$WORK/pid.saved"; } > "$PIDF" && chown --reference="$WORK/e/pg/pgdata" "$PIDF"
like "$(status)" "running" "a postmaster.pid naming a live process (pid $sp, sleep) looks like a running server"
out=$(vqr -c "$CFG" db start 2>&1); rc=$?
is "$rc" 0 "vqr db start exits 0" || diag "$out"
like "$out" "*warning: embedded PostgreSQL in $WORK/e/pg/pgdata: it was running but did not answer within 2 s; its postmaster.pid named pid $sp, which is not a PostgreSQL server: removed that stale file; started it again*" \
	"  saying it removed the stale file"
kill -0 "$sp" 2>/dev/null; ok $? "  and the other process lives on"
kill "$sp" 2>/dev/null
wait "$sleeper" 2>/dev/null
vqr -c "$CFG" db stop >/dev/null 2>&1

# (c) kill -9 of the backend that loads a file.
cp "$WORK/毕业生去向登记表_2021-2022.csv" "$WORK/e/inbox/"
VQR_TEST_STALL_COPY=4 vqr -c "$CFG" run >"$WORK/run.out" 2>&1 &
runpid=$!
i=0
until bp=$(psql -X -A -t -d "$EC" -c "select pid from pg_stat_activity where query like 'COPY vqr.indicator_value%'" 2>/dev/null) &&
	[ -n "$bp" ]; do
	i=$((i + 1)); [ $i -ge 300 ] && break; sleep 0.1
done
like "$bp" "[1-9]*" "the backend loading the file is found (pid $bp)"
kill -9 "$bp"; ok $? "  and killed with SIGKILL"
wait $runpid; rc=$?
ok $((rc == 0)) "the run fails (exit $rc)" || diag "$(cat "$WORK/run.out")"
is "$(grep -c 'could not stop' "$WORK/run.out")" 0 "  and stops the cluster" || diag "$(cat "$WORK/run.out")"
is "$(status)" "not running" "the cluster is stopped, not stuck"
is "$(ls "$WORK/e/inbox")" "毕业生去向登记表_2021-2022.csv" "the file stays in the inbox"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "the next run exits 0" || diag "$out"
is "$(ls "$WORK/e/inbox")" "" "  and loads the inbox"
vqr -c "$CFG" db start >/dev/null 2>&1
is "$(values_digest "$EC")" "$want" "the values equal the clean run's"
vqr -c "$CFG" db stop >/dev/null 2>&1

# (d) A server stuck shutting down: a smart shutdown waits for a client
# that does not go, and the server refuses every new connection.
smart_stuck() { # start the cluster, hold a session, ask for a smart shutdown
	vqr -c "$CFG" db start >/dev/null 2>&1
	psql -X -d "$EC" -c "select pg_sleep(60)" >/dev/null 2>&1 &
	holder=$!
	i=0
	until [ "$(psql -X -A -t -d "$EC" -c "select count(*) from pg_stat_activity where query like 'select pg_sleep%'" 2>/dev/null)" = 1 ]; do
		i=$((i + 1)); [ $i -ge 100 ] && break; sleep 0.1
	done
	_pg_as "$(pg_bindir)/pg_ctl" stop -D "$WORK/e/pg/pgdata" -m smart -W >/dev/null 2>&1
	i=0
	until "$(pg_bindir)/pg_isready" -q -d "$EC"; [ $? -eq 1 ]; do
		i=$((i + 1)); [ $i -ge 100 ] && break; sleep 0.1
	done
}
smart_stuck
"$(pg_bindir)/pg_isready" -q -d "$EC"
is "$?" 1 "a server in a smart shutdown held up by a session refuses connections"
out=$(vqr -c "$CFG" db stop 2>&1); rc=$?
is "$rc" 0 "vqr db stop exits 0"
like "$out" "*vqr: warning: embedded PostgreSQL in $WORK/e/pg/pgdata: it was recovering or shutting down; waited [0-9]* s for it
vqr: embedded PostgreSQL in $WORK/e/pg/pgdata stopped" "  after waiting for it, then a fast stop"
is "$(status)" "not running" "the cluster is stopped"
wait $holder

smart_stuck
one_year 2020 "$WORK/e/inbox/毕业生去向登记表_2019-2020.csv"
out=$(vqr -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "vqr run on a cluster stuck shutting down exits 0" || diag "$out"
like "$out" "*vqr: warning: embedded PostgreSQL in $WORK/e/pg/pgdata: it was running but refused connections (stuck starting up or shutting down) within 2 s; it was recovering or shutting down; waited [0-9]* s for it; started it again*" \
	"  it says it stopped and started the cluster again"
like "$out" "*1 file loaded (1466 rows, 0 rejected)*" "  and loads the inbox"
is "$(status)" "not running" "the run stopped the cluster it started"
wait $holder

done_testing
