/*
 * embed_stop.c - the embedded cluster's running server (see embed.h):
 * its lock files and the dead or zombie processes they may name, pg_ctl
 * status, and a stop that escalates from -m fast to SIGKILL.
 */
#include "lib/db/embed.h"
#include "lib/db/embed_int.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util/err.h"

/* The pid on line 1 of lock file path, or 0 when there is no such file
 * or it names no pid. */
static pid_t lock_pid(const char *path)
{
	char line[64];
	FILE *f = fopen(path, "r");
	long pid = 0;

	if (!f)
		return 0;
	if (fgets(line, sizeof line, f))
		pid = strtol(line, NULL, 10);
	fclose(f);
	return pid > 1 && pid < 0x7fffffffL ? (pid_t)pid : 0;
}

/* The postmaster's pid from line 1 of PGDATA/postmaster.pid, or 0 when
 * there is no such file or it names no pid. */
static pid_t postmaster_pid(const embed_cluster *cl)
{
	char path[4200];
	return fmt_fits(path, sizeof path, "%s/postmaster.pid", cl->datadir) < 0 ? 0 : lock_pid(path);
}

/* The state letter and parent of process pid from /proc/PID/stat; 0, or
 * -1 when there is no such process (or no /proc). */
static int proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;
	long pp;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) S ppid ...": the name may hold anything, so after the last ')'. */
	if (!(p = strrchr(buf, ')')) || sscanf(p + 1, " %c %ld", state, &pp) != 2)
		return -1;
	*ppid = (pid_t)pp;
	return 0;
}

/* 1 when process pid exists and is not a zombie, else 0. */
static int pid_alive(pid_t pid)
{
	char state;
	pid_t ppid;

	if (pid <= 0)
		return 0;
	if (proc_stat(pid, &state, &ppid) == 0)
		return state != 'Z' && state != 'X';
	return kill(pid, 0) == 0 || errno == EPERM;
}

/* 1 when process pid runs the program "postgres" (/proc/PID/comm), 0 when
 * it runs something else or is gone, -1 when this cannot be told (no /proc). */
static int is_postgres(pid_t pid)
{
	char path[64], name[64] = "";
	FILE *f;

	if (access("/proc/self/comm", R_OK) < 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (!fgets(name, sizeof name, f))
		name[0] = '\0';
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
	return strcmp(name, "postgres") == 0;
}

/* Remove the stale lock file path (gone already is fine).  0, or -1
 * with err. */
static int unlink_stale(const char *path, char *err, size_t errlen)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return err_set(err, errlen, "cannot remove the stale lock file %s: %s", path, strerror(errno));
	return 0;
}

/* Remove the server's lock files, PGDATA/postmaster.pid and the socket's
 * SOCKDIR/.s.PGSQL.PORT.lock, when the process each names is dead: gone,
 * or a zombie nobody has reaped (pg_ctl and postgres take a zombie's pid
 * for a running server and would neither start nor stop).  Safe because
 * postgres itself refuses to start while processes of the old server
 * still use its shared memory.  0, or -1 with err. */
int emb_drop_dead_locks(const embed_cluster *cl, char *err, size_t errlen)
{
	char paths[2][4200];
	char sock[64];

	snprintf(sock, sizeof sock, ".s.PGSQL.%d.lock", cl->port);
	if (fmt_fits(paths[0], sizeof paths[0], "%s/postmaster.pid", cl->datadir) < 0 ||
	    fmt_fits(paths[1], sizeof paths[1], "%s/%s", cl->sockdir, sock) < 0)
		return err_set(err, errlen, "path too long");
	for (int i = 0; i < 2; i++) {
		pid_t pid = lock_pid(paths[i]);
		if (pid > 0 && !pid_alive(pid) && unlink_stale(paths[i], err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* pg_ctl status: 1 running, 0 not, -1 unknown.  A postmaster.pid naming
 * a dead process (a zombie, which pg_ctl takes for a live server) means
 * not running. */
int emb_status(const embed_cluster *cl, const struct who *w, const struct cenv *env)
{
	char prog[4200], e[512], ver[4200];
	char *argv[] = { prog, "status", "-D", (char *)cl->datadir, NULL };
	struct stat st;
	int s;

	if (fmt_fits(ver, sizeof ver, "%s/PG_VERSION", cl->datadir) < 0)
		return -1;
	if (stat(ver, &st) < 0 && errno == ENOENT)
		return 0;
	if (fmt_fits(prog, sizeof prog, "%s/pg_ctl", cl->bindir) < 0 ||
	    emb_run_child(w, env, argv, NULL, -1, &s, e, sizeof e) < 0 || !WIFEXITED(s))
		return -1;
	if (WEXITSTATUS(s) == 0) {
		pid_t pm = postmaster_pid(cl);
		return pm > 0 && !pid_alive(pm) ? 0 : 1;
	}
	return WEXITSTATUS(s) == 3 ? 0 : -1;
}

int emb_status_err(const embed_cluster *cl, const struct who *w, const struct cenv *env, char *err,
		   size_t errlen)
{
	int running = emb_status(cl, w, env);

	if (running < 0)
		err_set(err, errlen,
			"cannot tell whether the embedded PostgreSQL in %s is running (pg_ctl status failed)",
			cl->datadir);
	return running;
}

/* Take over the port and socket directory of a server that was already
 * running (postmaster.pid lines 4 and 5). */
void emb_adopt_pidfile(embed_cluster *cl)
{
	char path[4200], line[4096], sock[4096] = "";
	int n = 0, port = 0;
	FILE *f;

	if (fmt_fits(path, sizeof path, "%s/postmaster.pid", cl->datadir) < 0 || !(f = fopen(path, "r")))
		return;
	while (n < 5 && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (++n == 4)
			port = atoi(line);
		else if (n == 5)
			snprintf(sock, sizeof sock, "%s", line);
	}
	fclose(f);
	if (n < 5)
		return;
	if (port > 0 && port <= 65535)
		cl->port = port;
	if (sock[0] == '/' && !emb_bad_char(sock))
		snprintf(cl->sockdir, sizeof cl->sockdir, "%s", sock);
	emb_conninfo(cl);
}

/* SIGKILL the postmaster pm and its child processes (found in /proc), then
 * wait at most secs seconds for all of them to be gone, so that a new
 * server can attach the shared memory.  0 when they are gone, else -1. */
static int kill_postmaster(pid_t pm, int secs)
{
	pid_t kids[256];
	int nkids = 0, left;
	double end;
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d)) && nkids < (int)(sizeof kids / sizeof kids[0])) {
		char *x, state;
		long pid = strtol(e->d_name, &x, 10);
		pid_t ppid;
		if (*x || pid <= 1 || proc_stat((pid_t)pid, &state, &ppid) < 0 || ppid != pm)
			continue;
		kids[nkids++] = (pid_t)pid;
	}
	if (d)
		closedir(d);
	kill(pm, SIGKILL);
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	end = emb_now() + secs;
	do {
		left = pid_alive(pm);
		for (int i = 0; i < nkids; i++)
			left += pid_alive(kids[i]);
		if (!left)
			return 0;
		emb_pause_ms(100);
	} while (emb_now() < end);
	return -1;
}

/* pg_ctl stop -D PGDATA -m mode -w -t secs, its output into
 * DIR/log/pg_ctl.log.  0 when pg_ctl says the server stopped, 1 when it
 * failed or timed out, -1 with err when it could not be run. */
static int pg_ctl_stop(const embed_cluster *cl, const struct who *w, const struct cenv *env,
		       const char *mode, int secs, char *err, size_t errlen)
{
	char prog[4200], logpath[4200], t[16];
	char *argv[] = { prog, "stop", "-D", (char *)cl->datadir, "-m", (char *)mode, "-w", "-t", t,
			 NULL };
	int st;

	snprintf(t, sizeof t, "%d", secs);
	if (fmt_fits(prog, sizeof prog, "%s/pg_ctl", cl->bindir) < 0 ||
	    fmt_fits(logpath, sizeof logpath, "%s/log/pg_ctl.log", cl->dir) < 0)
		return err_set(err, errlen, "path too long");
	if (emb_run_logged(w, env, argv, logpath, &st, err, errlen) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* Stop a server that pg_ctl status says is running, whatever state it is
 * in: a server recovering from a crash first gets the ready time to finish
 * (it may refuse a fast shutdown meanwhile), then pg_ctl stop -m fast, then
 * -m immediate, each with the stop timeout, and last SIGKILL for the
 * postmaster and its processes.  A postmaster.pid naming a live process
 * that is not PostgreSQL is stale: it is removed, nothing is signalled.
 * Each step beyond the fast stop is described in cl->note.  0, or -1 with
 * err (which quotes the server log from byte logsize on). */
int emb_stop_hard(embed_cluster *cl, const struct who *w, const struct cenv *env,
		     off_t logsize, char *err, size_t errlen)
{
	int stop_secs = emb_env_secs("VQR_EMBED_STOP_TIMEOUT", EMBED_STOP_SECS);
	int ready_secs = emb_env_secs("VQR_EMBED_READY_SECS", EMBED_READY_SECS);
	char tail[1000], path[4200];
	pid_t pm = postmaster_pid(cl);
	PGPing p;
	int r, killed = 0;

	if (pm > 0 && pid_alive(pm) && is_postgres(pm) == 0) {
		if (fmt_fits(path, sizeof path, "%s/postmaster.pid", cl->datadir) < 0 ||
		    unlink_stale(path, err, errlen) < 0)
			return -1;
		emb_note(cl, "its postmaster.pid named pid %ld, which is not a PostgreSQL server: removed that stale file",
			 (long)pm);
		return 0;
	}
	p = emb_ping(cl);
	if (p == PQPING_REJECT) {
		/* Recovering from a crash (or starting, or already shutting down). */
		double t0 = emb_now();
		while (p == PQPING_REJECT && pid_alive(pm) && emb_now() < t0 + ready_secs) {
			emb_pause_ms(200);
			p = emb_ping(cl);
		}
		emb_note(cl, "it was recovering or shutting down; waited %.0f s for it%s", emb_now() - t0,
			 p == PQPING_OK ? " to accept connections" : "");
	}
	if ((r = pg_ctl_stop(cl, w, env, "fast", stop_secs, err, errlen)) < 0)
		return -1;
	if (r == 0 || emb_status(cl, w, env) == 0)
		return 0;
	emb_note(cl, "pg_ctl stop -m fast did not stop it within %d s", stop_secs);
	if ((r = pg_ctl_stop(cl, w, env, "immediate", stop_secs, err, errlen)) < 0)
		return -1;
	if (r == 0 || emb_status(cl, w, env) == 0) {
		emb_note(cl, "stopped it with -m immediate (the next start recovers from the write-ahead log)");
		return 0;
	}
	emb_note(cl, "-m immediate did not stop it within %d s either", stop_secs);
	pm = postmaster_pid(cl);
	if (pm > 0 && is_postgres(pm) != 0 && (killed = kill_postmaster(pm, stop_secs)) == 0) {
		if (emb_drop_dead_locks(cl, err, errlen) < 0)
			return -1;
		emb_note(cl, "killed its postmaster (pid %ld) and its processes with SIGKILL (the next start recovers from the write-ahead log)",
			 (long)pm);
		return 0;
	}
	emb_tail(cl->logfile, logsize, 5, tail, sizeof tail);
	err_set(err, errlen,
		 "the embedded PostgreSQL in %s cannot be stopped: %s%s; the end of the server log %s:\n%s",
		 cl->datadir, cl->note,
		 killed ? "; it survived SIGKILL"
			: pm > 0 ? "; postmaster.pid names a process that is not PostgreSQL, left alone"
				 : "; postmaster.pid names no process to kill",
		 cl->logfile, tail);
	return -1;
}

int embed_running(const embed_cluster *cl)
{
	struct who w;
	struct cenv env;
	char e[1024];
	int r;

	if (emb_who_get(cl, &w, &env, e, sizeof e) < 0)
		return -1;
	r = emb_status(cl, &w, &env);
	emb_who_free(&w);
	return r;
}

int embed_stop(embed_cluster *cl, char *err, size_t errlen)
{
	struct who w;
	struct cenv env;
	off_t logsize;
	int rc;

	cl->note[0] = '\0';
	if (emb_who_get(cl, &w, &env, err, errlen) < 0)
		return -1;
	logsize = emb_log_size(cl);
	rc = emb_status_err(cl, &w, &env, err, errlen);
	if (rc == 1) {
		emb_adopt_pidfile(cl);
		rc = emb_stop_hard(cl, &w, &env, logsize, err, errlen);
	}
	emb_who_free(&w);
	return rc;
}
