#!/bin/sh
# The embedded cluster over TCP, when the deployment asks for it
# (embedded: listen): a loopback port with scram-sha-256 passwords for the
# analysts' logins that `vqr db login` makes, the unix socket as before;
# without listen, no TCP port; a change takes effect at the next start.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

# Keep libpq from finding the suite's own server through PG* variables.
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD

# A TCP port nobody listens on now (/proc/net/tcp{,6} list the bound ones).
free_port() {
	_p=$((20000 + $$ % 20000))
	while cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p="$(printf '%04X' "$_p")" '{ split($2, a, ":"); if (a[2] == p) f = 1 } END { exit !f }'; do
		_p=$((_p + 1))
	done
	echo "$_p"
}
PORT=$(free_port)
make_config t ""
CFG=$WORK/t.yaml
# Whatever happens, stop the cluster before $WORK goes.
trap 'vqr -c "$CFG" db stop >/dev/null 2>&1; rm -rf "$WORK"' EXIT
sed -i "s|^  dir: t/pg\$|  dir: t/pg\n  port: $PORT\n  listen: 127.0.0.1|" "$CFG"
FIX="$TOP/fixtures/graduate_destination/毕业生去向登记表_2022-2023.csv"
TCP="host=127.0.0.1 port=$PORT dbname=vqr"
tcp_psql() { # USER PASSWORD SQL
	PGPASSWORD=$2 psql -X -A -t -v ON_ERROR_STOP=1 -d "$TCP user=$1 connect_timeout=10" -c "$3" 2>&1
}

vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init with embedded.listen"
cp "$FIX" "$WORK/t/inbox/"
vqr -c "$CFG" run >/dev/null 2>&1; ok $? "vqr run loads into it"
out=$(vqr -c "$CFG" db start 2>&1); rc=$?
is "$rc" 0 "vqr db start exits 0"
like "$out" "*over TCP: psql \"host=127.0.0.1 port=$PORT dbname=vqr user=NAME\"*" "it prints how analysts connect over TCP"
conn=$(printf '%s\n' "$out" | sed -n 's/^connect with: psql "\(.*\)"$/\1/p')
is "$(psql -X -A -t -d "$conn" -c "show listen_addresses")" "127.0.0.1" "the cluster listens on the loopback address"
is "$(psql -X -A -t -d "$conn" -c "show password_encryption")" "scram-sha-256" "passwords are stored as SCRAM verifiers"
is "$(grep -c '^host.*trust' "$WORK/t/pg/pgdata/pg_hba.conf")" 0 "no TCP line of pg_hba.conf trusts anyone"

out=$(printf 'Secret-1 x\n' | vqr -c "$CFG" db login wang_li --password-stdin 2>&1); rc=$?
is "$rc" 0 "vqr db login --password-stdin exits 0"
like "$out" "*created analyst login wang_li*connect with: psql \"$TCP user=wang_li\"*" "it says what it made and how to connect"
is "$(psql -X -A -t -d "$conn" -c "select rolpassword like 'SCRAM-SHA-256\$%' from pg_authid where rolname = 'wang_li'")" t \
	"the server holds a SCRAM verifier, not the password"
is "$(tcp_psql wang_li 'Secret-1 x' "select value from vqr.v_latest where indicator_code = 'employment.dest.enterprise' and breakdown = '{}'")" \
	737 "the login reads the analysts' views over TCP with its password"
out=$(tcp_psql wang_li 'wrong' "select 1"); rc=$?
ok $((rc == 0)) "a wrong password is refused"
like "$out" "*password authentication failed for user \"wang_li\"*" "with PostgreSQL's message"
out=$(tcp_psql vqr '' "select 1"); rc=$?
ok $((rc == 0)) "the superuser cannot log in over TCP"
out=$(tcp_psql wang_li 'Secret-1 x' "create table vqr.mine (x int)"); rc=$?
ok $((rc == 0)) "the analyst's login cannot write"

out=$(printf 'Secret-2\n' | vqr -c "$CFG" db login wang_li --password-stdin 2>&1); rc=$?
is "$rc" 0 "vqr db login again exits 0"
like "$out" "*new password for analyst login wang_li*" "and gives the login a new password"
tcp_psql wang_li 'Secret-1 x' "select 1" >/dev/null; ok $((! $?)) "the old password is refused"
is "$(tcp_psql wang_li 'Secret-2' "select 1")" 1 "the new one is taken"

out=$(printf 'x\n' | vqr -c "$CFG" db login vqr_loader --password-stdin 2>&1); rc=$?
is "$rc" 1 "vqr db login refuses a role that is not an analyst's login (exit 1)"
like "$out" "*role vqr_loader exists and is not an analyst's login*" "and says why"
out=$(printf 'x\n' | vqr -c "$CFG" db login "Wang; drop" --password-stdin 2>&1); rc=$?
is "$rc" 1 "a name that would need quoting is refused (exit 1)"
out=$(vqr -c "$CFG" db login li_na </dev/null 2>&1); rc=$?
is "$rc" 1 "an empty standard input gives no password (exit 1)"
out=$(setsid vqr -c "$CFG" db login li_na </dev/null 2>&1); rc=$?
is "$rc" 1 "without a terminal and without --password-stdin: exit 1"
like "$out" "*no terminal to ask for the password of li_na*--password-stdin*" "with a hint"
out=$(vqr -c "$CFG" db login 2>&1); rc=$?
is "$rc" 1 "vqr db login without a name exits 1"

# The listen address is checked where it is written.
sed "s|^  listen: 127.0.0.1\$|  listen: 10.1.2.3|" "$CFG" > "$WORK/remote.yaml"
out=$(vqr -c "$WORK/remote.yaml" db status 2>&1); rc=$?
is "$rc" 1 "a listen address that is not loopback is refused (exit 1)"
like "$out" "*remote.yaml:*:*: embedded.listen \"10.1.2.3\" is not a loopback address*hint:*" \
	"with file:line:col and a hint"

# Without listen (the default), the next start opens no TCP port.
vqr -c "$CFG" db stop >/dev/null 2>&1; ok $? "vqr db stop"
sed -i '/^  listen: /d' "$CFG"
out=$(vqr -c "$CFG" db start 2>&1); rc=$?
is "$rc" 0 "vqr db start without listen"
case "$out" in *"over TCP"*) ok 1 "it prints no TCP command" ;; *) ok 0 "it prints no TCP command" ;; esac
is "$(psql -X -A -t -d "$conn" -c "show listen_addresses")" "" "the cluster listens on no TCP address after a restart"
tcp_psql wang_li 'Secret-2' "select 1" >/dev/null; ok $((! $?)) "TCP connections fail"
vqr -c "$CFG" db stop >/dev/null 2>&1; ok $? "vqr db stop"

done_testing
