#!/bin/sh
# Crashes at random moments, on a real PostgreSQL of the test's own: a
# clean run of four files into one database gives the expected values and
# archive; then, into another database, `vqr run` is started again and
# again and, after a random 0.05 s up to the clean run's duration (at most
# 1.5 s), one of
#  - kill -9 of its whole process group (vqr and its stages),
#  - pg_ctl stop -m immediate of the server (then started again),
#  - kill -9 of one of the database's backends,
# after which nothing is half done: no file both archived and in the
# inbox, every archived file's sha256 in vqr.source_file, no batch left
# 'loading'.  (When all is loaded, the next round starts again with a
# fresh database.)  Then runs until the inbox is empty must give exactly
# the clean run's values and archive.  The seed is printed;
# VQR_TEST_SEED=N repeats a sequence.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/env.sh"

# Commits must survive an immediate stop: synchronous_commit on (pg.sh turns it
# off for speed).
VQR_TEST_PGOPTS="-c synchronous_commit=on" pg_temp_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
runpid=
cleanup() {
	[ -z "$runpid" ] || kill -9 "-$runpid" 2>/dev/null
	pg_temp_stop
	rm -rf "$WORK"
}
trap cleanup EXIT
PGDIR=$VQR_TEST_PGDIR
ROUNDS=8
SEED=${VQR_TEST_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
diag "seed $SEED (VQR_TEST_SEED=$SEED repeats this sequence)"

names() { # DIR: its regular files' names, sorted, on one line
	find "$1" -maxdepth 1 -type f -printf '%f\n' | sort | tr '\n' ' '
}

# The reference.
REF=$(pg_temp_createdb ref)
make_config r "$REF"
for y in 2019 2020 2021 2022; do one_year $y "$WORK/r/inbox/毕业生去向登记表_$((y - 1))-$y.csv"; done
mkdir "$WORK/files" && cp "$WORK/r/inbox/"* "$WORK/files/"
vqr -c "$WORK/r.yaml" init >/dev/null 2>&1
t0=$(date +%s%N)
vqr -c "$WORK/r.yaml" run >/dev/null 2>&1
ok $? "a clean reference run"
# Its duration bounds the moments of the crashes (0.05 s to at most 1.5 s).
span=$((($(date +%s%N) - t0) / 1000000))
[ "$span" -le 1500 ] || span=1500
[ "$span" -ge 100 ] || span=100
diag "the clean run took $span ms"
want=$(values_digest "$REF")
want_archive=$(names "$WORK/r/archive")
is "$(names "$WORK/r/inbox")" "" "  loads the four files"
like "$want" "[1-9]* *" "  with values"

# The database that sees the crashes.
DB=$(pg_temp_createdb crash)
make_config k "$DB"
CFG=$WORK/k.yaml
INBOX=$WORK/k/inbox
ARCH=$WORK/k/archive
vqr -c "$CFG" init >/dev/null 2>&1; ok $? "vqr init in a second database"
cp "$WORK/files/"* "$INBOX/"
# Once everything is loaded, start again: a fresh database and the four
# files back in the inbox, so that each crash meets a run with work to do.
restart() {
	psql -X -q -d postgres -c "drop database if exists crash with (force)" -c "create database crash" >/dev/null 2>&1 &&
		vqr -c "$CFG" init >/dev/null 2>&1 &&
		rm -f "$ARCH/"* && cp "$WORK/files/"* "$INBOX/"
}

# Wait (at most 30 s) until the server accepts connections.
wait_server() {
	_i=0
	until psql -X -q -A -t -d "$DB" -c 'select 1' >/dev/null 2>&1; do
		_i=$((_i + 1)); [ $_i -ge 300 ] && return 1; sleep 0.1
	done
}
# Wait (at most 60 s) for the run in the background; kill it after that.
wait_run() {
	_i=0
	while kill -0 "$runpid" 2>/dev/null && [ "$(ps -o stat= -p "$runpid" | cut -c1)" != Z ]; do
		_i=$((_i + 1))
		if [ $_i -ge 600 ]; then
			kill -9 "-$runpid" 2>/dev/null
			diag "vqr run did not end within 60 s"
			break
		fi
		sleep 0.1
	done
	wait "$runpid" 2>/dev/null
	runpid=
}
# The invariants after a crash; $1 names the round.
check() {
	_bad=
	for _f in $(names "$ARCH"); do
		[ ! -e "$INBOX/$_f" ] || _bad="$_bad $_f:archived-and-in-inbox"
		_sum=$(sha256sum "$ARCH/$_f" | cut -d' ' -f1)
		[ "$(psql -X -A -t -d "$DB" -c "select count(*) from vqr.source_file where sha256 = '$_sum'")" -ge 1 ] ||
			_bad="$_bad $_f:archived-not-loaded"
	done
	_loading=$(psql -X -A -t -d "$DB" -c "select count(*) from vqr.batch where status = 'loading'")
	[ "$_loading" = 0 ] || _bad="$_bad batches-loading:$_loading"
	is "${_bad# }" "" "$1: no file both archived and in the inbox, none archived unloaded, no batch loading"
}

# Random sleeps (50..1500 ms) and crash kinds, from the seed.
awk -v seed="$SEED" -v n="$ROUNDS" -v span="$span" 'BEGIN { srand(seed); for (i = 1; i <= n; i++)
	printf "%d %d\n", 50 + int(rand() * (span - 49)), int(rand() * 3) }' > "$WORK/plan"
round=0
while read -r ms kind; do
	round=$((round + 1))
	if [ -z "$(names "$INBOX")" ]; then
		restart || diag "round $round: cannot start again with a fresh database"
	fi
	setsid vqr -c "$CFG" run >"$WORK/run.out" 2>&1 &
	runpid=$!
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	case $kind in
	0)
		what="kill -9 of vqr's process group after $ms ms"
		kill -9 "-$runpid" 2>/dev/null || what="$what (it had ended)"
		;;
	1)
		what="the server stopped (immediate) after $ms ms"
		_pg_as "$(pg_bindir)/pg_ctl" stop -D "$PGDIR/data" -m immediate -w >/dev/null 2>&1
		pg_temp_resume "$PGDIR" >/dev/null 2>&1 || diag "round $round: the server did not start again"
		;;
	2)
		bp=$(psql -X -A -t -d "$DB" -c "select pid from pg_stat_activity where datname = 'crash' and pid <> pg_backend_pid() order by random() limit 1" 2>/dev/null)
		what="kill -9 of a backend (${bp:-none there}) after $ms ms"
		[ -z "$bp" ] || kill -9 "$bp" 2>/dev/null
		;;
	esac
	wait_run
	wait_server || diag "round $round: the server does not accept connections"
	check "round $round, $what ($(names "$INBOX" | wc -w) left in the inbox)"
done < "$WORK/plan"

# Then runs until the inbox is empty (at most 5; a run may find the
# advisory lock of a killed one not yet released).
i=0
while [ -n "$(names "$INBOX")" ] && [ $i -lt 5 ]; do
	vqr -c "$CFG" run >"$WORK/run.out" 2>&1
	i=$((i + 1))
	[ -z "$(names "$INBOX")" ] || sleep 1
done
is "$(names "$INBOX")" "" "the inbox is empty after $i more runs" || diag "$(cat "$WORK/run.out")"
is "$(names "$ARCH")" "$want_archive" "the archive holds what the clean run archived"
is "$(values_digest "$DB")" "$want" "the values equal the clean run's"
is "$(psql -X -A -t -d "$DB" -c "select count(*) - count(distinct sha256) from vqr.source_file")" 0 "no file loaded twice"

done_testing
