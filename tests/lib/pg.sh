# pg.sh - a throwaway PostgreSQL server for vqr's tests (POSIX sh, sourced).
#
#   . tests/lib/pg.sh
#   pg_temp_start || exit 1      # initdb and start in a fresh temporary
#                                # directory; exports PGHOST PGPORT PGUSER
#                                # PGDATABASE and VQR_TEST_PGDIR
#   trap 'pg_temp_stop' EXIT     # the caller stops it; nothing else does
#   conn=$(pg_temp_createdb NAME)  # a fresh (dropped and created) database;
#                                # prints a conninfo string for it
#   pg_temp_stop                 # stop (immediate) and remove the directory
#   pg_bindir                    # prints the directory of initdb and pg_ctl
#
# Several servers at once (e.g. logical replication between them): set
# VQR_TEST_PGOPTS to extra server options (e.g. "-c wal_level=logical")
# before pg_temp_start, and keep each server's VQR_TEST_PGDIR:
#   pg_temp_start && A=$VQR_TEST_PGDIR     # each call exports a new PGHOST
#   pg_temp_pause "$A"           # stop it (fast), keeping its data
#   pg_temp_resume "$A"          # start it again with the same options
#   pg_temp_stop "$A"            # stop and remove that one
#
# The server is built for speed, not safety: initdb --no-sync, fsync=off.
# It listens only on a unix socket inside its temporary directory
# (listen_addresses is empty, port 5432 names the socket file), so several
# can run at once and none opens a TCP port.  Authentication is trust for
# superuser vqr_test; the 0700 directory keeps other users out.
#
# initdb refuses to run as root, so as root the server runs as the user
# $VQR_TEST_PGOSUSER (default postgres), through runuser (or su), and the
# temporary directory, made under ${TMPDIR:-/tmp}, is given to that user.
# As any other user it runs as that user.
#
# The programs come from $VQR_PG_BINDIR, else the highest installed
# /usr/lib/postgresql/<major>/bin (Debian keeps them off PATH), else PATH,
# else `pg_config --bindir` - the same rule vqr's embedded cluster uses.
# Helper variables and functions are prefixed _pg_.

# Print the directory holding initdb and pg_ctl.
pg_bindir() {
	if [ -n "${VQR_PG_BINDIR-}" ]; then
		if [ -x "$VQR_PG_BINDIR/initdb" ] && [ -x "$VQR_PG_BINDIR/pg_ctl" ]; then
			echo "$VQR_PG_BINDIR"
			return 0
		fi
		echo "pg.sh: VQR_PG_BINDIR=$VQR_PG_BINDIR: initdb and pg_ctl are not there" >&2
		return 1
	fi
	_pg_best=
	_pg_bestv=-1
	for _pg_d in /usr/lib/postgresql/*/bin; do
		[ -x "$_pg_d/initdb" ] && [ -x "$_pg_d/pg_ctl" ] || continue
		_pg_v=${_pg_d#/usr/lib/postgresql/}
		_pg_v=${_pg_v%/bin}
		_pg_maj=${_pg_v%%.*}
		case $_pg_v in
		*.*) _pg_min=${_pg_v#*.} ;;
		*) _pg_min=0 ;;
		esac
		case "$_pg_maj.$_pg_min" in
		.* | *. | *[!0-9.]* | *.*.*) continue ;;
		esac
		_pg_n=$((_pg_maj * 100 + _pg_min))
		if [ "$_pg_n" -gt "$_pg_bestv" ]; then
			_pg_bestv=$_pg_n
			_pg_best=$_pg_d
		fi
	done
	if [ -n "$_pg_best" ]; then
		echo "$_pg_best"
		return 0
	fi
	_pg_d=$(command -v initdb 2>/dev/null) && _pg_d=${_pg_d%/*} &&
		[ -x "$_pg_d/pg_ctl" ] && { echo "$_pg_d"; return 0; }
	_pg_d=$(pg_config --bindir 2>/dev/null) &&
		[ -x "$_pg_d/initdb" ] && [ -x "$_pg_d/pg_ctl" ] && { echo "$_pg_d"; return 0; }
	echo "pg.sh: cannot find initdb and pg_ctl (in /usr/lib/postgresql/<major>/bin, on PATH or by pg_config);" \
		"install PostgreSQL (Debian: apt-get install postgresql) or set VQR_PG_BINDIR" >&2
	return 1
}

# Run a command as the server's user: root switches to $VQR_TEST_PGOSUSER.
# From "/" so that the user need not reach the caller's directory.
_pg_as() {
	if [ "$(id -u)" -ne 0 ]; then
		(cd / && "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u "${VQR_TEST_PGOSUSER:-postgres}" -- "$@")
	else
		(cd / && su -s /bin/sh -c 'exec "$0" "$@"' "${VQR_TEST_PGOSUSER:-postgres}" "$@")
	fi
}

_pg_psql() {
	if [ -x "$(pg_bindir)/psql" ]; then
		"$(pg_bindir)/psql" "$@"
	else
		psql "$@"
	fi
}

# pg_temp_start's failure: message $1, the end of log file $2 (if given);
# removes the half-made directory.
_pg_fail() {
	echo "pg.sh: $1" >&2
	[ -z "${2-}" ] || tail -n 15 "$2" | sed 's/^/pg.sh:   /' >&2
	rm -rf "$_pg_dir"
	return 1
}

# Start a throwaway server; see the top of the file.  0, or 1 with a
# message on stderr (and nothing left behind).
pg_temp_start() {
	_pg_bin=$(pg_bindir) || return 1
	_pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/vqr-pg.XXXXXX") || {
		echo "pg.sh: cannot make a temporary directory under ${TMPDIR:-/tmp}" >&2
		return 1
	}
	case $_pg_dir in
	*[!A-Za-z0-9/._-]*) _pg_fail "$_pg_dir: the temporary directory's path must be plain (set TMPDIR)"; return 1 ;;
	esac
	# A unix socket path has at most 107 bytes.
	[ ${#_pg_dir} -le 90 ] || { _pg_fail "$_pg_dir: too long for a unix socket path (set TMPDIR)"; return 1; }
	if [ "$(id -u)" -eq 0 ]; then
		chown "${VQR_TEST_PGOSUSER:-postgres}" "$_pg_dir" ||
			{ _pg_fail "cannot give $_pg_dir to user ${VQR_TEST_PGOSUSER:-postgres}"; return 1; }
		_pg_as test -w "$_pg_dir" 2>/dev/null || {
			_pg_fail "user ${VQR_TEST_PGOSUSER:-postgres} cannot reach $_pg_dir; set TMPDIR to a directory it can traverse, e.g. /tmp"
			return 1
		}
	fi
	chmod 700 "$_pg_dir"
	if locale -a 2>/dev/null | grep -qi '^c\.utf-*8$'; then
		_pg_loc=C.UTF-8
	else
		_pg_loc=C
	fi
	_pg_as "$_pg_bin/initdb" -D "$_pg_dir/data" --no-sync -A trust -U vqr_test -E UTF8 \
		--locale="$_pg_loc" >"$_pg_dir/initdb.log" 2>&1 ||
		{ _pg_fail "initdb failed:" "$_pg_dir/initdb.log"; return 1; }
	printf '%s\n' "-c listen_addresses='' -c unix_socket_directories='$_pg_dir' -p 5432 -c fsync=off -c full_page_writes=off -c synchronous_commit=off ${VQR_TEST_PGOPTS-}" \
		>"$_pg_dir/options"
	_pg_as "$_pg_bin/pg_ctl" start -w -t 60 -D "$_pg_dir/data" -l "$_pg_dir/server.log" \
		-o "$(cat "$_pg_dir/options")" >"$_pg_dir/pg_ctl.log" 2>&1 ||
		{ _pg_fail "the server did not start; its log says:" "$_pg_dir/server.log"; return 1; }
	PGHOST=$_pg_dir
	PGPORT=5432
	PGUSER=vqr_test
	PGDATABASE=postgres
	VQR_TEST_PGDIR=$_pg_dir
	export PGHOST PGPORT PGUSER PGDATABASE VQR_TEST_PGDIR
	# pg_ctl -w returns once the server accepts connections; make sure.
	_pg_i=0
	until _pg_psql -X -q -A -t -c 'SELECT 1' >/dev/null 2>&1; do
		_pg_i=$((_pg_i + 1))
		if [ "$_pg_i" -ge 30 ]; then
			echo "pg.sh: the server in $_pg_dir does not accept connections" >&2
			pg_temp_stop
			return 1
		fi
		sleep 1
	done
	return 0
}

# Stop the server of pg_temp_start (immediately: its data is thrown away)
# and remove its directory.  Harmless when there is none.  With an
# argument, that server's directory (the environment is left alone unless
# it is the current VQR_TEST_PGDIR).
pg_temp_stop() {
	_pg_d=${1:-${VQR_TEST_PGDIR-}}
	[ -n "$_pg_d" ] || return 0
	if [ -f "$_pg_d/data/postmaster.pid" ]; then
		_pg_b=$(pg_bindir) &&
			_pg_as "$_pg_b/pg_ctl" stop -D "$_pg_d/data" -m immediate -w >/dev/null 2>&1
	fi
	rm -rf "$_pg_d"
	if [ "$_pg_d" = "${VQR_TEST_PGDIR-}" ]; then
		unset VQR_TEST_PGDIR PGHOST PGPORT PGUSER PGDATABASE
	fi
	return 0
}

# Stop the server in directory $1 (a VQR_TEST_PGDIR) as a crash-free
# shutdown would, keeping its data, so that pg_temp_resume can start it.
pg_temp_pause() {
	[ -f "${1-}/options" ] || { echo "pg.sh: pg_temp_pause: ${1-} is not a server of pg_temp_start" >&2; return 1; }
	_pg_as "$(pg_bindir)/pg_ctl" stop -D "$1/data" -m fast -w >>"$1/pg_ctl.log" 2>&1
}

# Start the server in directory $1 again, with the options it had.
pg_temp_resume() {
	[ -f "${1-}/options" ] || { echo "pg.sh: pg_temp_resume: ${1-} is not a server of pg_temp_start" >&2; return 1; }
	_pg_as "$(pg_bindir)/pg_ctl" start -w -t 60 -D "$1/data" -l "$1/server.log" -o "$(cat "$1/options")" \
		>>"$1/pg_ctl.log" 2>&1 ||
		{ echo "pg.sh: the server in $1 did not start again" >&2; tail -n 15 "$1/server.log" >&2; return 1; }
}

# Create database NAME (letters, digits, _), dropping an old one first,
# and print a conninfo string that reaches it.
pg_temp_createdb() {
	[ -n "${VQR_TEST_PGDIR-}" ] || { echo "pg.sh: pg_temp_createdb: no server (call pg_temp_start first)" >&2; return 1; }
	case ${1-} in
	'' | *[!A-Za-z0-9_]*) echo "pg.sh: pg_temp_createdb: bad database name \"${1-}\"" >&2; return 1 ;;
	esac
	_pg_psql -X -q -v ON_ERROR_STOP=1 -d postgres -c 'SET client_min_messages = warning' \
		-c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null || return 1
	echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"
}
