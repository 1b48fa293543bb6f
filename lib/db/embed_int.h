/*
 * embed_int.h - what the parts of the embedded cluster (lib/db/embed*.c)
 * share; not for use outside them.  The public interface is embed.h.
 *
 *     embed.c        finding the PostgreSQL programs, embed_init, the
 *                    shared clocks, notes and pings
 *     embed_child.c  running a PostgreSQL program as the cluster user
 *     embed_start.c  directories, initdb and the first start, embed_start
 *     embed_stop.c   lock files, zombies, pg_ctl status and the stop that
 *                    escalates (embed_stop, embed_running)
 */
#ifndef VQR_EMBED_INT_H
#define VQR_EMBED_INT_H

#include <stddef.h>
#include <sys/types.h>

#include <libpq-fe.h>

#include "lib/db/embed.h"

#define EMBED_DEFAULT_USER "postgres"
#define EMBED_DEFAULT_PORT 5432
#define EMBED_SUPERUSER "vqr"
#define EMBED_DATABASE "vqr"
#define EMBED_TIMEOUT "60"      /* seconds pg_ctl waits for a start */
#define EMBED_STOP_SECS 60      /* seconds each stop step waits (VQR_EMBED_STOP_TIMEOUT) */
#define EMBED_READY_SECS 60     /* seconds to wait for a running server to accept connections
				 * (VQR_EMBED_READY_SECS) */
#define EMBED_TAIL_LINES 8      /* lines of a log quoted in an error */

/* The user the programs run as. */
struct who {
	int change;             /* 1: switch to uid/gid in the child (vqr runs as root) */
	uid_t uid;              /* the user's id */
	gid_t gid;              /* its primary group */
	gid_t *groups;          /* its supplementary groups (malloc'd, may be NULL) */
	int ngroups;            /* how many */
	char name[256];         /* its login name, for messages and USER */
	char home[4096];        /* its home directory, for HOME */
};

/* A child's environment: static storage, built before fork. */
struct cenv {
	char buf[6][4400];      /* "NAME=value" strings */
	char *vec[7];           /* the NULL-terminated vector execve gets */
};

/* ---- embed.c ---- */

/* A byte of s that pg_ctl's shell command line or the
 * unix_socket_directories list syntax would mangle, or 0. */
int emb_bad_char(const char *s);
/* cl->conninfo from cl->sockdir and cl->port, quoting the host when needed. */
void emb_conninfo(embed_cluster *cl);
/* Seconds from environment variable name (a whole number 1..86400), else
 * dflt.  These variables let tests shorten the waits. */
int emb_env_secs(const char *name, int dflt);
/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
double emb_now(void);
/* The size of the server log now (0 when there is none): where the
 * messages of what comes next start. */
off_t emb_log_size(const embed_cluster *cl);
/* Sleep for ms milliseconds. */
void emb_pause_ms(long ms);
/* Append a sentence, formatted as printf does, to cl->note ("; " between
 * sentences), truncating what does not fit. */
void emb_note(embed_cluster *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ask the server at cl's socket whether it accepts connections (answer
 * within about 2 s). */
PGPing emb_ping(const embed_cluster *cl);
/* Wait, at most secs seconds, until the server accepts connections: the
 * last answer (PQPING_OK, or what it said when the time was up), or
 * PQPING_NO_ATTEMPT at once when libpq cannot even try. */
PGPing emb_wait_ready(const embed_cluster *cl, int secs);

/* ---- embed_child.c ---- */

/* Who runs the programs (into w): ourselves unless root; as root, the
 * owner of an existing cluster, else cl->run_as; and the clean environment
 * they get (into env).  0, or -1 with err; on 0 the caller frees w with
 * emb_who_free. */
int emb_who_get(const embed_cluster *cl, struct who *w, struct cenv *env, char *err,
		size_t errlen);
void emb_who_free(struct who *w);
/* Run argv (argv[0] an absolute path) as w in environment env, or, with
 * argv NULL, check as w that every component of the path check is
 * searchable.  stdout and stderr go to outfd (-1: /dev/null).  *status
 * receives the wait status.  0, or -1 with err when the child could not
 * be run or waited for. */
int emb_run_child(const struct who *w, const struct cenv *env, char *const argv[],
		  const char *check, int outfd, int *status, char *err, size_t errlen);
/* As emb_run_child, the output into the file logpath (made afresh, owned
 * by the cluster user). */
int emb_run_logged(const struct who *w, const struct cenv *env, char *const argv[],
		   const char *logpath, int *st, char *err, size_t errlen);
/* Check, as the cluster user, that it can reach cl->dir.  0, or -1 with err. */
int emb_check_reach(const embed_cluster *cl, const struct who *w, const struct cenv *env,
		    char *err, size_t errlen);
/* A wait status in words ("exit status 1", "killed by signal 9 (Killed)"). */
void emb_describe(int st, char *buf, size_t len);
/* The last `lines` lines of a file after byte offset skip (at most
 * ~1 KB), each indented, into out; "(empty)" or "(unreadable)" when there
 * is nothing to show. */
void emb_tail(const char *path, off_t skip, int lines, char *out, size_t outlen);

/* ---- embed_stop.c ---- */

/* Remove the lock files whose processes are dead (or zombies).  0, or -1
 * with err. */
int emb_drop_dead_locks(const embed_cluster *cl, char *err, size_t errlen);
/* pg_ctl status as w: 1 running, 0 not, -1 unknown. */
int emb_status(const embed_cluster *cl, const struct who *w, const struct cenv *env);
/* emb_status, saying in err when it is unknown (-1). */
int emb_status_err(const embed_cluster *cl, const struct who *w, const struct cenv *env, char *err,
		   size_t errlen);
/* Take over the port and socket directory of a running server
 * (postmaster.pid lines 4 and 5). */
void emb_adopt_pidfile(embed_cluster *cl);
/* Stop a running server however it takes (see embed_stop); each step
 * beyond the fast stop in cl->note.  0, or -1 with err, which quotes the
 * server log from byte logsize on. */
int emb_stop_hard(embed_cluster *cl, const struct who *w, const struct cenv *env,
		  off_t logsize, char *err, size_t errlen);

#endif
