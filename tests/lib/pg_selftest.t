#!/bin/sh
# pg_selftest.t - tests/lib/pg.sh itself: start a throwaway PostgreSQL,
# query it, create databases, stop it.  TAP output; runs as root or not.
#   sh tests/lib/pg_selftest.t     (or: prove tests/lib/pg_selftest.t)
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/pg.sh"
trap 'pg_temp_stop' EXIT

bin=$(pg_bindir)
ok $? "pg_bindir finds the PostgreSQL programs ($bin)"
[ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ]
ok $? "... initdb and pg_ctl are there"
out=$(VQR_PG_BINDIR=/nonexistent pg_bindir 2>&1)
like "$out" "*VQR_PG_BINDIR=/nonexistent*" "a wrong VQR_PG_BINDIR is reported"

pg_temp_start
ok $? "pg_temp_start"
dir=${VQR_TEST_PGDIR-}
like "$dir" "${TMPDIR:-/tmp}/vqr-pg.*" "VQR_TEST_PGDIR is a new directory under \${TMPDIR:-/tmp}"
is "${PGHOST-}" "$dir" "PGHOST is that directory"
is "${PGPORT-}:${PGUSER-}:${PGDATABASE-}" "5432:vqr_test:postgres" "PGPORT, PGUSER and PGDATABASE"
[ -S "$dir/.s.PGSQL.5432" ]
ok $? "the socket is in that directory"
is "$(psql -X -A -t -c 'select 1' 2>&1)" 1 "psql -c 'select 1'"
is "$(psql -X -A -t -c 'show listen_addresses' 2>&1)" "" "no TCP: listen_addresses is empty"
is "$(psql -X -A -t -c 'show server_encoding' 2>&1)" "UTF8" "the cluster is UTF8"

conn=$(pg_temp_createdb selftest_db)
ok $? "pg_temp_createdb selftest_db"
is "$conn" "host=$dir port=5432 user=vqr_test dbname=selftest_db" "... prints its conninfo"
is "$(psql -X -A -t -d "$conn" -c 'select current_database()' 2>&1)" selftest_db \
	"... which reaches the new database"
psql -X -q -d "$conn" -c 'create table t (x int)'
conn=$(pg_temp_createdb selftest_db)
is "$(psql -X -A -t -d "$conn" -c "select count(*) from pg_tables where tablename = 't'" 2>&1)" 0 \
	"... and a second call gives a fresh database"
out=$(pg_temp_createdb 'bad name' 2>&1)
like "$out" "*bad database name*" "a bad database name is refused"

pg_temp_stop
ok $? "pg_temp_stop"
[ -n "$dir" ] && [ ! -e "$dir" ]
ok $? "the directory is gone"
is "${PGHOST-unset}" unset "PGHOST is unset again"
done_testing
