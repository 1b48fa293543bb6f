/*
 * test_embed.c - the embedded PostgreSQL cluster (lib/db/embed.c) on a
 * real PostgreSQL: initdb, start, connect, start again, stop, restart with
 * the data kept, stop; a server that cannot start; and the errors that
 * embed_init and embed_start report.
 *
 * Works as root (the cluster then runs as "postgres") and as any other
 * user.  Everything lives in a temporary directory under /tmp, removed at
 * the end.  VQR_EMBED_NOSYNC=1 keeps it fast (about 2 s).
 */
#include "lib/db/embed.h"
#include "tests/unit/tap.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[64];

/* A message as TAP diagnostics, one "#" line per line. */
static void diag(const char *m)
{
	while (*m) {
		size_t n = strcspn(m, "\n");
		printf("#   %.*s\n", (int)n, m);
		m += n;
		if (*m)
			m++;
	}
}

/* The first value of a query, into out ("" on failure, with a diagnostic). */
static void query1(PGconn *c, const char *sql, char *out, size_t len)
{
	PGresult *r = PQexec(c, sql);
	out[0] = '\0';
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		snprintf(out, len, "%s", PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_COMMAND_OK)
		printf("# %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

static int file_size(const char *dir, const char *name)
{
	char p[4300];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return stat(p, &st) == 0 ? (int)st.st_size : -1;
}

static long postmaster_pid(const embed_cluster *cl)
{
	char p[4300];
	long pid = -1;
	FILE *f;
	snprintf(p, sizeof p, "%s/postmaster.pid", cl->datadir);
	if ((f = fopen(p, "r"))) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = -1;
		fclose(f);
	}
	return pid;
}

/* Does any descriptor of process pid point at path? */
static int has_fd_to(long pid, const char *path)
{
	char p[128], target[4200];
	for (int fd = 0; fd < 1024; fd++) {
		ssize_t n;
		snprintf(p, sizeof p, "/proc/%ld/fd/%d", pid, fd);
		if ((n = readlink(p, target, sizeof target - 1)) < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) == 0)
			return 1;
	}
	return 0;
}

static void cleanup(void)
{
	char cmd[128];
	if (!base[0])
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", base);
}

static void lifecycle(void)
{
	embed_cluster cl, again;
	char dir[256], want[4300], err[4096], v[256], leak[128];
	struct stat st;
	PGconn *c;
	FILE *f;
	uid_t owner = geteuid();
	int leakfd;

	if (geteuid() == 0) {
		const struct passwd *pw = getpwnam("postgres");
		owner = pw ? pw->pw_uid : 0;
	}
	snprintf(dir, sizeof dir, "%s/cluster", base);
	err[0] = '\0';
	is_int(embed_init(&cl, dir, NULL, 0, err, sizeof err), 0, "embed_init: %s", err[0] ? err : "ok");
	snprintf(want, sizeof want, "%s/pgdata", dir);
	is_str(cl.datadir, want, "the PGDATA is DIR/pgdata");
	snprintf(want, sizeof want, "%s/run", dir);
	is_str(cl.sockdir, want, "the socket directory is DIR/run");
	snprintf(want, sizeof want, "%s/log/postgresql.log", dir);
	is_str(cl.logfile, want, "the server log is DIR/log/postgresql.log");
	is_int(cl.port, 5432, "port 0 means 5432");
	snprintf(want, sizeof want, "host=%s/run port=5432 user=vqr dbname=vqr", dir);
	is_str(cl.conninfo, want, "the conninfo");
	ok(stat(dir, &st) < 0, "embed_init creates nothing");
	is_int(embed_running(&cl), 0, "no cluster yet: not running");

	/* A descriptor without close-on-exec, like a lock file of vqr's, and
	 * PG* variables of the caller: neither may reach the server. */
	snprintf(leak, sizeof leak, "%s/lockfile", base);
	leakfd = open(leak, O_WRONLY | O_CREAT, 0600);
	setenv("PGPORT", "1", 1);
	setenv("PGDATA", "/nonexistent", 1);
	err[0] = '\0';
	if (!is_int(embed_start(&cl, err, sizeof err), 0, "embed_start creates and starts the cluster"))
		diag(err);
	unsetenv("PGPORT");
	unsetenv("PGDATA");
	is_int(cl.initialised, 1, "initdb ran");
	is_int(cl.started, 1, "the server was started");
	is_int(embed_running(&cl), 1, "embed_running says running");
	ok(leakfd >= 0 && postmaster_pid(&cl) > 0 && !has_fd_to(postmaster_pid(&cl), leak),
	   "the server did not inherit the caller's descriptors");
	if (leakfd >= 0)
		close(leakfd);
	ok(stat(cl.sockdir, &st) == 0 && (st.st_mode & 0777) == 0700 && st.st_uid == owner,
	   "the socket directory is 0700 and belongs to the cluster user");
	ok(stat(cl.datadir, &st) == 0 && st.st_uid == owner, "the PGDATA belongs to the cluster user");
	ok(file_size(dir, "log/initdb.log") > 0, "initdb's output went to log/initdb.log");
	ok(file_size(dir, "log/postgresql.log") >= 0, "the server log exists");

	c = PQconnectdb(cl.conninfo);
	if (!ok(PQstatus(c) == CONNECTION_OK, "libpq connects with the conninfo"))
		printf("# %s", PQerrorMessage(c));
	query1(c, "SELECT 1", v, sizeof v);
	is_str(v, "1", "SELECT 1");
	query1(c, "SELECT current_database() || ' ' || current_user", v, sizeof v);
	is_str(v, "vqr vqr", "database vqr exists, superuser vqr");
	query1(c, "SHOW listen_addresses", v, sizeof v);
	is_str(v, "", "no TCP: listen_addresses is empty");
	query1(c, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'vqr'", v,
	       sizeof v);
	is_str(v, "UTF8", "the database is UTF8");
	query1(c, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)", v, sizeof v);
	PQfinish(c);

	/* Starting a running cluster. */
	err[0] = '\0';
	is_int(embed_init(&again, dir, NULL, 5432, err, sizeof err), 0, "embed_init again");
	if (!is_int(embed_start(&again, err, sizeof err), 0, "embed_start on a running cluster"))
		diag(err);
	is_int(again.started, 0, "... did not start it");
	is_int(again.initialised, 0, "... did not initdb");
	is_str(again.conninfo, cl.conninfo, "... same conninfo");

	err[0] = '\0';
	if (!is_int(embed_stop(&cl, err, sizeof err), 0, "embed_stop"))
		diag(err);
	is_int(embed_running(&cl), 0, "stopped: not running");
	is_int(embed_stop(&cl, err, sizeof err), 0, "embed_stop on a stopped cluster is no error");

	/* Restart: no initdb, the data is still there. */
	err[0] = '\0';
	if (!is_int(embed_start(&cl, err, sizeof err), 0, "embed_start restarts it"))
		diag(err);
	is_int(cl.initialised, 0, "no initdb the second time");
	is_int(cl.started, 1, "started");
	c = PQconnectdb(cl.conninfo);
	query1(c, "SELECT x FROM kept", v, sizeof v);
	is_str(v, "42", "the table created before the stop is still there");
	PQfinish(c);
	if (!is_int(embed_stop(&cl, err, sizeof err), 0, "embed_stop again"))
		diag(err);
	is_int(embed_running(&cl), 0, "not running");

	/* A server that cannot start: the error quotes the server log. */
	snprintf(want, sizeof want, "%s/postgresql.auto.conf", cl.datadir);
	f = fopen(want, "a");
	ok(f && fputs("shared_buffers = 'lots'\n", f) >= 0 && fclose(f) == 0,
	   "broke postgresql.auto.conf");
	err[0] = '\0';
	is_int(embed_start(&cl, err, sizeof err), -1, "embed_start of a server that cannot start fails");
	ok(strstr(err, "pg_ctl start failed") && strstr(err, "the end of the server log") &&
		   strstr(err, "shared_buffers"),
	   "... quoting the server log");
	diag(err);
	is_int(embed_running(&cl), 0, "... and it is not running");
}

static void errors(void)
{
	embed_cluster cl;
	char dir[512], err[4096], p[4300];
	const char *old;
	FILE *f;

	is_int(embed_init(&cl, "/tmp/it's", NULL, 0, err, sizeof err), -1,
	       "a quote in the directory is refused");
	ok(strstr(err, "/tmp/it's contains '''") != NULL, "... and the message shows it");
	diag(err);
	is_int(embed_init(&cl, "/tmp/x", NULL, 70000, err, sizeof err), -1, "port 70000 is refused");
	memset(&cl, 0, sizeof cl);
	for (const char *const *a = (const char *const[]){ "127.0.0.1", "127.1.2.3", "::1", "localhost", NULL };
	     *a; a++) {
		is_int(embed_set_listen(&cl, *a, err, sizeof err), 0, "listen %s is taken", *a);
		is_str(cl.listen, *a, "... into the cluster");
	}
	for (const char *const *a = (const char *const[]){ "0.0.0.0", "*", "10.1.2.3", "::", "128.0.0.1",
							   "127.0.0.1,10.0.0.1", "", NULL };
	     *a; a++) {
		int want = **a ? -1 : 0;
		is_int(embed_set_listen(&cl, *a, err, sizeof err), want, "listen \"%s\" is %s", *a,
		       want ? "refused (not loopback)" : "no TCP");
		is_str(cl.listen, "", "... and no address is kept");
	}
	snprintf(dir, sizeof dir, "/tmp/%0100d", 0);
	is_int(embed_init(&cl, dir, NULL, 0, err, sizeof err), -1,
	       "a socket path over 107 bytes is refused");
	ok(strstr(err, "too long for a unix socket") != NULL, "... saying so");
	diag(err);

	old = getenv("VQR_PG_BINDIR");
	setenv("VQR_PG_BINDIR", "/nonexistent/bin", 1);
	is_int(embed_init(&cl, "/tmp/x", NULL, 0, err, sizeof err), -1, "a wrong VQR_PG_BINDIR is refused");
	ok(strstr(err, "VQR_PG_BINDIR=/nonexistent/bin") != NULL, "... naming it");
	if (old)
		setenv("VQR_PG_BINDIR", old, 1);
	else
		unsetenv("VQR_PG_BINDIR");

	/* initdb fails on a non-empty PGDATA that holds no cluster. */
	snprintf(dir, sizeof dir, "%s/stray", base);
	embed_init(&cl, dir, NULL, 0, err, sizeof err);
	mkdir(dir, 0755);
	mkdir(cl.datadir, 0700);
	snprintf(p, sizeof p, "%s/stray-file", cl.datadir);
	if ((f = fopen(p, "w")))
		fclose(f);
	err[0] = '\0';
	is_int(embed_start(&cl, err, sizeof err), -1, "initdb into a non-empty directory fails");
	ok(strstr(err, "initdb of ") && strstr(err, "log/initdb.log") && strstr(err, "not empty"),
	   "... quoting initdb's output");
	diag(err);

	if (geteuid() != 0) {
		for (int i = 0; i < 7; i++)
			ok(1, "# SKIP not root: no user switch to test");
		return;
	}
	/* A 0700 root directory the cluster user cannot traverse. */
	snprintf(dir, sizeof dir, "%s/locked", base);
	ok(mkdir(dir, 0700) == 0 && chmod(dir, 0700) == 0, "made DIR/locked (0700, root)");
	snprintf(dir, sizeof dir, "%s/locked/sub/pg", base);
	is_int(embed_init(&cl, dir, NULL, 0, err, sizeof err), 0, "embed_init under it");
	err[0] = '\0';
	is_int(embed_start(&cl, err, sizeof err), -1, "embed_start under an unreachable directory fails");
	snprintf(p, sizeof p, "no search permission on %s/locked\n", base);
	ok(strstr(err, p) && strstr(err, "user postgres") &&
		   strstr(err, "hint: choose a directory for the cluster that user can traverse, "
			       "e.g. under /var/lib/vqr or /tmp"),
	   "... naming the directory and the user, with the hint");
	diag(err);
	snprintf(dir, sizeof dir, "%s/locked/sub", base);
	ok(access(dir, F_OK) < 0, "... before creating anything");

	snprintf(dir, sizeof dir, "%s/nouser", base);
	embed_init(&cl, dir, "vqr-no-such-user", 0, err, sizeof err);
	is_int(embed_start(&cl, err, sizeof err), -1, "an unknown cluster user is refused");
	ok(strstr(err, "user \"vqr-no-such-user\"") && strstr(err, "does not exist"), "... saying so");
	diag(err);
}

int main(void)
{
	setenv("VQR_EMBED_NOSYNC", "1", 1);
	snprintf(base, sizeof base, "/tmp/vqr-embed.XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	chmod(base, 0755); /* the cluster user must traverse it */
	lifecycle();
	errors();
	cleanup();
	return tap_done();
}
