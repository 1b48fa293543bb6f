/*
 * serve.h - a stage program as a server of many jobs (`vqr-extract
 * --serve`, and the same for vqr-transform and vqr-load), so that a run
 * of many small files pays for a program start, a configuration parse and
 * a database connection once rather than once a file.
 *
 * The protocol, on the server's standard input and output (its standard
 * error stays the driver's):
 *
 *     request   CONTEXT NUL ARG0 NUL ARG1 NUL ... NUL NUL
 *     reply     whatever the job writes on stdout, then the line
 *               SERVE_MARK RC "\n"
 *
 * CONTEXT is the log context of the job (log.h: "batch=... file=... ",
 * what VQR_LOG_CONTEXT carries to a program started for one file), ARG0..
 * the command line the program would be started with for that one job,
 * and RC the exit status it would have ended with.  Jobs run one at a
 * time, in order.  End of input ends the server (exit 0).
 *
 * A job that fails inside (EXIT_INTERNAL) ends the server after its
 * reply: what it held may not be sound, and the driver starts a new one
 * for the next job.  A server killed in the middle of a job (a signal, or
 * the driver stopping it) gives no reply: the driver reads end of file and
 * takes the status from waitpid, as for a program started for one file.
 *
 * serve_request_write and serve_reply_read are the driver's half.
 */
#ifndef VQR_SERVE_H
#define VQR_SERVE_H

#include <stddef.h>
#include <stdio.h>

/* The option that makes a stage program a server: `PROG --serve [-c
 * FILE]`, FILE naming the configuration its jobs use (for ps and the
 * operator; each job names its own). */
#define SERVE_OPTION "--serve"

/* Is argv a server's command line?  1 yes, 0 no (a program run for one
 * job), -1 when it starts with --serve but the rest is not -c FILE (said
 * on stderr: exit EXIT_USAGE). */
int serve_wanted(int argc, char **argv);

/* The byte that starts a reply's last line (RS, never in a job's output:
 * stage programs print tab-separated text lines). */
#define SERVE_MARK '\036'

/* One job of a server: the command line (argv[argc] is NULL, argv[0] the
 * program) and ctx, serve_loop's.  Returns the exit status the program
 * would end with.  argv and its strings are the loop's, valid during the
 * call only; getopt is reset before each call. */
typedef int (*serve_job)(int argc, char **argv, void *ctx);

/* A stage program's main up to its exit: log_init(prog), cli_init_process,
 * then the server's loop when argv asks for one (serve_wanted), else one
 * job of argv.  Returns the exit status, for main to return through
 * cli_finish_stdout once it has freed ctx. */
int serve_main(const char *prog, int argc, char **argv, serve_job job, void *ctx);

/* Read requests on stdin until end of input and run each through job,
 * replying on stdout as above.  Sets the log context of each job
 * (log_adopt_context).  Returns the exit status for main: 0 at the end of
 * input, the job's EXIT_INTERNAL when one failed inside, EXIT_INTERNAL
 * when a request is malformed or stdout cannot be written (said on
 * stderr). */
int serve_loop(serve_job job, void *ctx);

/* One request (context may be NULL: none; argv ends with NULL) as bytes
 * to write to a server, their number in *len; the caller frees them. */
char *serve_request(const char *context, char *const argv[], size_t *len);

/* A reply being read by the driver, byte by byte as it comes (the output
 * of a job is short: a few lines). */
typedef struct serve_reply {
	char line[1024];        /* the current line so far (cut at its size) */
	size_t n;               /* bytes in line */
	int done;               /* the mark line was read: rc is the job's */
	int rc;                 /* the job's exit status, once done */
} serve_reply;

/* Feed the len bytes of buf (read from the server's stdout) to r: each
 * complete line of the job's output is given to out (with its newline,
 * NUL-terminated; out may be NULL: dropped), and the mark line sets
 * r->done and r->rc.  Returns the bytes used: all of them, or fewer when
 * the mark line ends within buf (what follows belongs to no job and is
 * a protocol error for the caller). */
size_t serve_reply_feed(serve_reply *r, const char *buf, size_t len, void (*out)(const char *line, void *arg),
			void *arg);

#endif
