#!/bin/sh
# The embedded default: with no database in the configuration, vqr creates
# and starts a private PostgreSQL cluster under its data directory (unix
# socket only), says where it is, loads into it, and stops it again when
# the command that started it ends.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

make_config e ""
CFG=$WORK/e.yaml
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
# Keep libpq from finding the suite's own server through PG* variables.
unset PGHOST PGPORT PGUSER PGDATABASE

out=$(vqr -c "$CFG" init 2>&1); rc=$?
is "$rc" 0 "vqr init on the embedded default exits 0"
like "$out" "*created and started embedded PostgreSQL in $WORK/e/pg/pgdata (socket $WORK/e/pg/run)*" "it says where the cluster is"
like "$out" "*migrations applied*" "and applies the schema there"
test -f "$WORK/e/pg/pgdata/PG_VERSION"; ok $? "the cluster lives under the configured directory"
is "$(stat -c %a "$WORK/e/pg/run")" 700 "its socket directory is private (0700)"
out=$(vqr -c "$CFG" db status 2>&1)
like "$out" "*is not running*" "vqr stopped the cluster it started when the command ended"

cp "$FIX" "$WORK/e/inbox/"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "vqr run on the embedded default exits 0"
like "$out" "*started embedded PostgreSQL*1 file loaded (1466 rows, 0 rejected)*" "it starts the existing cluster and loads"
case "$out" in *created*) ok 1 "no second initdb" ;; *) ok 0 "no second initdb" ;; esac
cp "$FIX" "$WORK/e/inbox/毕业生去向登记表_again.csv"
out=$(vqr -c "$CFG" run 2>/dev/null); rc=$?
err=$(vqr -c "$CFG" run 2>&1 >/dev/null)
is "$err" "" "a run with nothing to look at prints nothing on stderr, the embedded cluster started all the same (cron mails nothing)"
out=$(vqr -c "$CFG" show 2>&1); rc=$?
is "$rc" 0 "vqr show exits 0"
like "$out" "*employment.graduates.total*毕业生人数*1466*" "vqr show prints the loaded indicators"
like "$out" "*employment.major_match.rate*94.66 (1383/1461)*" "with rates and their parts"

out=$(vqr -c "$CFG" db start 2>&1); rc=$?
is "$rc" 0 "vqr db start exits 0"
conn=$(printf '%s\n' "$out" | sed -n 's/^connect with: psql "\(.*\)"$/\1/p')
like "$conn" "host=$WORK/e/pg/run *" "it prints a conninfo on the private socket"
is "$(psql -X -A -t -d "$conn" -c "show listen_addresses")" "" "the cluster listens on no TCP address"
is "$(psql -X -A -t -d "$conn" -c "select value from vqr.indicator_value where indicator_code = 'employment.dest.enterprise' and breakdown = '{}'")" \
	737 "an analyst reaches the loaded values with psql"
out=$(vqr -v -c "$CFG" run 2>&1); rc=$?
is "$rc" 0 "vqr run with the cluster already running exits 0"
like "$(vqr -c "$CFG" db status 2>&1)" "*is running*" "and leaves a cluster it did not start running"
out=$(vqr -c "$CFG" db stop 2>&1); rc=$?
is "$rc" 0 "vqr db stop exits 0"
like "$(vqr -c "$CFG" db status 2>&1)" "*is not running*" "the cluster is stopped"

done_testing
