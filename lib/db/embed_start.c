/*
 * embed_start.c - making the embedded cluster usable (see embed.h): its
 * directories, initdb the first time, starting the server (or taking over
 * one that runs, repairing one that is stuck) and database "vqr".
 */
#include "lib/db/embed.h"
#include "lib/db/embed_int.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util/err.h"

/* mkdir -p with mode 0755 for what it creates, set explicitly so that a
 * restrictive umask cannot make the path unreachable for the cluster user. */
static int mkdirs(const char *path, char *err, size_t errlen)
{
	char buf[4096];
	size_t n = strlen(path);
	struct stat st;

	if (n >= sizeof buf)
		return err_set(err, errlen, "path too long: %s", path);
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (i < n && buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) == 0) {
			if (chmod(buf, 0755) < 0)
				return err_set(err, errlen, "cannot set the mode of %s: %s", buf, strerror(errno));
		} else if (errno != EEXIST) {
			return err_set(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
		} else if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
			return err_set(err, errlen, "%s exists and is not a directory", buf);
		buf[i] = i < n ? '/' : '\0';
	}
	return 0;
}

/* path: a real directory (not a symlink), created if missing, owned by the
 * cluster user and with exactly mode. */
static int own_dir(const char *path, mode_t mode, const struct who *w, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return err_set(err, errlen, "cannot create directory %s: %s", path, strerror(errno));
	if (lstat(path, &st) < 0)
		return err_set(err, errlen, "cannot stat %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(err, errlen, "%s exists and is not a directory", path);
	if (w->change && (st.st_uid != w->uid || st.st_gid != w->gid) &&
	    chown(path, w->uid, w->gid) < 0)
		return err_set(err, errlen, "cannot give %s to user %s: %s", path, w->name, strerror(errno));
	if ((st.st_mode & 07777) != mode && chmod(path, mode) < 0)
		return err_set(err, errlen, "cannot set the mode of %s: %s", path, strerror(errno));
	return 0;
}

static int has_cluster(const embed_cluster *cl)
{
	char ver[4200];
	struct stat st;
	return fmt_fits(ver, sizeof ver, "%s/PG_VERSION", cl->datadir) == 0 && stat(ver, &st) == 0;
}

static int run_initdb(embed_cluster *cl, const struct who *w, const struct cenv *env, char *err,
		      size_t errlen)
{
	char prog[4200], logpath[4200], locale[32], tail[1400], how[128];
	const char *nosync = getenv("VQR_EMBED_NOSYNC");
	char *argv[16];
	int n = 0, st;
	locale_t loc = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);

	/* C.UTF-8 where the C library has it, else plain C; UTF8 either way. */
	snprintf(locale, sizeof locale, "--locale=%s", loc ? "C.UTF-8" : "C");
	if (loc)
		freelocale(loc);
	if (fmt_fits(prog, sizeof prog, "%s/initdb", cl->bindir) < 0 ||
	    fmt_fits(logpath, sizeof logpath, "%s/log/initdb.log", cl->dir) < 0)
		return err_set(err, errlen, "path too long");
	argv[n++] = prog;
	argv[n++] = "-D";
	argv[n++] = cl->datadir;
	argv[n++] = "-U";
	argv[n++] = EMBED_SUPERUSER;
	argv[n++] = "--auth=trust";
	argv[n++] = "-E";
	argv[n++] = "UTF8";
	argv[n++] = locale;
	if (nosync && strcmp(nosync, "1") == 0)
		argv[n++] = "--no-sync";
	argv[n] = NULL;
	if (emb_run_logged(w, env, argv, logpath, &st, err, errlen) < 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		emb_describe(st, how, sizeof how);
		emb_tail(logpath, 0, EMBED_TAIL_LINES, tail, sizeof tail);
		return err_set(err, errlen, "initdb of %s failed (%s); the end of its output (%s):\n%s",
			 cl->datadir, how, logpath, tail);
	}
	cl->initialised = 1;
	return 0;
}

static int run_start(embed_cluster *cl, const struct who *w, const struct cenv *env, char *err,
		     size_t errlen)
{
	char prog[4200], logpath[4200], opts[4600], tail[1400], tail2[600], how[128];
	const char *nosync = getenv("VQR_EMBED_NOSYNC");
	char *argv[] = { prog, "start", "-D", cl->datadir, "-w", "-t", EMBED_TIMEOUT, "-l",
			 cl->logfile, "-o", opts, NULL };
	off_t logsize;
	int st;

	if (fmt_fits(prog, sizeof prog, "%s/pg_ctl", cl->bindir) < 0 ||
	    fmt_fits(logpath, sizeof logpath, "%s/log/pg_ctl.log", cl->dir) < 0)
		return err_set(err, errlen, "path too long");
	snprintf(opts, sizeof opts,
		 "-c listen_addresses='%s' -c unix_socket_directories='%s' -p %d"
		 " -c password_encryption=scram-sha-256%s",
		 cl->listen, cl->sockdir, cl->port, nosync && strcmp(nosync, "1") == 0 ? " -c fsync=off" : "");
	logsize = emb_log_size(cl);
	if (emb_run_logged(w, env, argv, logpath, &st, err, errlen) < 0)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	emb_describe(st, how, sizeof how);
	emb_tail(logpath, 0, 3, tail2, sizeof tail2);
	emb_tail(cl->logfile, logsize, EMBED_TAIL_LINES, tail, sizeof tail);
	return err_set(err, errlen, "pg_ctl start failed (%s):\n%s\nthe end of the server log %s:\n%s", how,
		 tail2, cl->logfile, tail);
}

static void conn_error(PGconn *c, const char *what, char *err, size_t errlen)
{
	const char *m = c ? PQerrorMessage(c) : "out of memory";
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	err_set(err, errlen, "%s: %.*s", what, (int)n, m);
}

/* Create database "vqr" unless it exists, once the server accepts
 * connections (waiting at most the ready time for it). */
static int ensure_database(embed_cluster *cl, char *err, size_t errlen)
{
	char port[16], tail[1400];
	const char *keys[] = { "host", "port", "user", "dbname", "connect_timeout",
			       "application_name", NULL };
	const char *vals[] = { cl->sockdir, port, EMBED_SUPERUSER, "postgres", "10", "vqr", NULL };
	PGconn *c;
	PGresult *r;
	int rc = -1;

	snprintf(port, sizeof port, "%d", cl->port);
	if (emb_wait_ready(cl, emb_env_secs("VQR_EMBED_READY_SECS", EMBED_READY_SECS)) != PQPING_OK) {
		emb_tail(cl->logfile, 0, EMBED_TAIL_LINES, tail, sizeof tail);
		err_set(err, errlen,
			 "the embedded PostgreSQL in %s does not accept connections on %s; the end of the server log %s:\n%s",
			 cl->datadir, cl->sockdir, cl->logfile, tail);
		return -1;
	}
	c = PQconnectdbParams(keys, vals, 0);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		conn_error(c, "cannot connect to the embedded PostgreSQL", err, errlen);
		PQfinish(c);
		return -1;
	}
	r = PQexec(c, "SELECT 1 FROM pg_database WHERE datname = '" EMBED_DATABASE "'");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		conn_error(c, "cannot look for database " EMBED_DATABASE, err, errlen);
	} else if (PQntuples(r) > 0) {
		rc = 0;
	} else {
		PQclear(r);
		r = PQexec(c, "CREATE DATABASE " EMBED_DATABASE);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			rc = 0;
		else if (PQresultErrorField(r, PG_DIAG_SQLSTATE) &&
			 strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42P04") == 0)
			rc = 0; /* created meanwhile by another vqr */
		else
			conn_error(c, "cannot create database " EMBED_DATABASE, err, errlen);
	}
	PQclear(r);
	PQfinish(c);
	return rc;
}

/* Make DIR and its subdirectories, and the cluster (initdb) when there
 * is none yet; remove lock files left by dead processes.  0, or -1 with err. */
static int prepare(embed_cluster *cl, const struct who *w, const struct cenv *env, char *err,
		   size_t errlen)
{
	char logdir[4200];

	if (w->change && emb_check_reach(cl, w, env, err, errlen) < 0)
		return -1;
	if (mkdirs(cl->dir, err, errlen) < 0)
		return -1;
	if (fmt_fits(logdir, sizeof logdir, "%s/log", cl->dir) < 0)
		return err_set(err, errlen, "path too long: %s/log", cl->dir);
	if (own_dir(cl->datadir, 0700, w, err, errlen) < 0 ||
	    own_dir(cl->sockdir, 0700, w, err, errlen) < 0 ||
	    own_dir(logdir, 0750, w, err, errlen) < 0)
		return -1;
	if (!has_cluster(cl) && run_initdb(cl, w, env, err, errlen) < 0)
		return -1;
	return emb_drop_dead_locks(cl, err, errlen);
}

/* A server that runs may be stuck starting up or shutting down (e.g. a
 * stop after a crash that never finished): when it does not accept
 * connections within the ready time, stop it however it takes.  1 when
 * it runs (and accepts), 0 when it was stopped, -1 with err. */
static int unstick(embed_cluster *cl, const struct who *w, const struct cenv *env, char *err,
		   size_t errlen)
{
	int ready = emb_env_secs("VQR_EMBED_READY_SECS", EMBED_READY_SECS);
	PGPing p;

	emb_adopt_pidfile(cl);
	if ((p = emb_wait_ready(cl, ready)) == PQPING_OK || p == PQPING_NO_ATTEMPT)
		return 1;
	emb_note(cl, "it was running but %s within %d s",
		 p == PQPING_REJECT ? "refused connections (stuck starting up or shutting down)"
				    : "did not answer",
		 ready);
	return emb_stop_hard(cl, w, env, emb_log_size(cl), err, errlen) < 0 ? -1 : 0;
}

/* The pg_hba.conf of every start (see embed.h). */
static const char hba_text[] =
	"# pg_hba.conf of vqr's embedded PostgreSQL, written by vqr at every start:\n"
	"# edits here are lost.  The unix socket's directory is private (0700), so\n"
	"# trust there; over TCP (embedded: listen in the deployment), from this\n"
	"# machine only, with a password (create a login: vqr db login NAME).\n"
	"# TYPE  DATABASE     USER  ADDRESS       METHOD\n"
	"local   all          all                 trust\n"
	"local   replication  all                 trust\n"
	"host    all          all   127.0.0.0/8   scram-sha-256\n"
	"host    all          all   ::1/128       scram-sha-256\n";

/* Write DIR/pgdata/pg_hba.conf afresh (through a temporary file renamed
 * into place, mode 0600, owned by the cluster user).  0, or -1 with err. */
static int write_hba(const embed_cluster *cl, const struct who *w, char *err, size_t errlen)
{
	char path[4200], tmp[4300];
	size_t n = sizeof hba_text - 1;
	int fd, bad;

	if (fmt_fits(path, sizeof path, "%s/pg_hba.conf", cl->datadir) < 0 ||
	    fmt_fits(tmp, sizeof tmp, "%s.vqr-tmp", path) < 0)
		return err_set(err, errlen, "path too long: %s/pg_hba.conf", cl->datadir);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return err_set(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
	bad = write(fd, hba_text, n) != (ssize_t)n || (w->change && fchown(fd, w->uid, w->gid) < 0) ||
	      fsync(fd) < 0;
	if (close(fd) < 0)
		bad = 1;
	if (bad || rename(tmp, path) < 0) {
		err_set(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Start the server that is not running (cl->started = 1); a start that
 * fails because another vqr started it meanwhile takes that one over.
 * 0, or -1 with err. */
static int start_server(embed_cluster *cl, const struct who *w, const struct cenv *env,
			char *err, size_t errlen)
{
	if (write_hba(cl, w, err, errlen) < 0)
		return -1;
	if (run_start(cl, w, env, err, errlen) == 0) {
		cl->started = 1;
		if (cl->note[0])
			emb_note(cl, "started it again");
		return 0;
	}
	if (emb_status(cl, w, env) != 1)
		return -1;
	emb_adopt_pidfile(cl);
	return 0;
}

int embed_start(embed_cluster *cl, char *err, size_t errlen)
{
	struct who w;
	struct cenv env;
	int rc = -1, running;

	cl->started = cl->initialised = 0;
	cl->note[0] = '\0';
	if (emb_who_get(cl, &w, &env, err, errlen) < 0)
		return -1;
	if (prepare(cl, &w, &env, err, errlen) < 0 ||
	    (running = emb_status_err(cl, &w, &env, err, errlen)) < 0)
		goto out;
	if (running == 1 && (running = unstick(cl, &w, &env, err, errlen)) < 0)
		goto out;
	if (running == 0 && start_server(cl, &w, &env, err, errlen) < 0)
		goto out;
	rc = ensure_database(cl, err, errlen);
out:
	emb_who_free(&w);
	return rc;
}
