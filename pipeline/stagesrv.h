/*
 * stagesrv.h - the stage programs of a run as servers (lib/util/serve.h):
 * `vqr run` starts one vqr-extract, one vqr-transform and one vqr-load
 * with --serve when it first needs them, and gives each file's command
 * lines to them as jobs, so that a night of thirty files pays for three
 * program starts, three configuration parses and one database connection
 * rather than ninety and thirty.  The stages stay the programs they are:
 * a job is the command line the program would be started with.
 *
 * A server that dies in a job (a crash, a signal, the driver stopping
 * it) fails that job as the program started alone would have failed;
 * the next job starts a new server.
 *
 * Usage:
 *     stagesrv s;
 *     stagesrv_init(&s, "vqr-extract", config);
 *     if (stagesrv_send(&s, argv, err, sizeof err) == 0)
 *         rc = stagesrv_wait(&s, NULL, 0, NULL, NULL, err, sizeof err);
 *     ...
 *     stagesrv_close(&s);
 */
#ifndef VQR_STAGESRV_H
#define VQR_STAGESRV_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/util/serve.h"

/* One stage server of a run. */
typedef struct stagesrv {
	const char *name;       /* the program ("vqr-extract"): a literal */
	const char *config;     /* the run's configuration (the caller's) */
	char prog[PATH_MAX + 32]; /* its path (child_program) */
	pid_t pid;              /* the server (-1 none) */
	int in;                 /* its stdin: requests (-1 none) */
	int out;                /* its stdout: replies (-1 none) */
	int busy;               /* a job was sent and its reply not read */
	serve_reply reply;      /* the reply being read */
} stagesrv;

/* Set up s for the program name (a literal: not copied) of the run of
 * configuration config (named on the server's command line, for ps;
 * kept, not copied); no process yet. */
void stagesrv_init(stagesrv *s, const char *name, const char *config);

/* Send s a job: argv (argv[0] is replaced by the program's path; ends
 * with NULL) with the log context of the driver's messages, starting the
 * server first when none runs.  0, or -1 with err (then no job runs). */
int stagesrv_send(stagesrv *s, char *const argv[], char *err, size_t errlen);

/* Wait for the reply of the job sent: its exit status, with the lines
 * the job printed on stdout in out (outlen bytes, NUL-terminated, cut to
 * fit; out NULL: printed on our stdout).  While waiting, tick(arg) is
 * called at once and then every 100 ms (tick may be NULL).  When the server ends before
 * replying, the status is its exit status, or -1 with "NAME was killed
 * by signal N" in err (as child_wait), and the next job starts another.
 * -1 with err when no job was sent. */
int stagesrv_wait(stagesrv *s, char *out, size_t outlen, void (*tick)(void *arg), void *arg, char *err,
		  size_t errlen);

/* One job from start to end: stagesrv_send, then stagesrv_wait (no
 * tick).  Its exit status, or -1 with err. */
int stagesrv_run(stagesrv *s, char *const argv[], char *out, size_t outlen, char *err, size_t errlen);

/* The server's pid (-1 none): for the progress of its job. */
pid_t stagesrv_pid(const stagesrv *s);

/* Stop the job of s (when one was sent): the server is killed (SIGTERM)
 * and waited for; the next job starts another. */
void stagesrv_stop(stagesrv *s);

/* End the server of s: end of its input, then wait for it (a job still
 * running is stopped first).  s can be used again. */
void stagesrv_close(stagesrv *s);

/* Start the server of s now, before its first job, so that its start
 * (the program's, the configuration's reading) overlaps the caller's
 * work.  Nothing when it runs already.  0, or -1 with err (the first
 * stagesrv_send tries again). */
int stagesrv_prestart(stagesrv *s, char *err, size_t errlen);

/* End the input of an idle server of s without waiting for it, so that
 * several servers end side by side; stagesrv_close then waits. */
void stagesrv_hangup(stagesrv *s);

#endif
