/*
 * child.h - the driver's child processes: the stage programs (vqr-extract,
 * vqr-transform, vqr-load) found beside the driver, run to the end or
 * started beside one another and waited for.
 *
 *     char prog[PATH_MAX + 32];
 *     child_program("vqr-extract", prog, sizeof prog);
 *     char *argv[] = { prog, "-o", dir, path, NULL };
 *     int rc = child_run(argv, NULL, 0, err, sizeof err);   (exit status, or -1)
 */
#ifndef VQR_CHILD_H
#define VQR_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/* Path of a stage program into buf: $VQR_LIBEXEC_DIR/name, else beside
 * our executable, else the bare name (looked up in PATH). */
void child_program(const char *name, char *buf, size_t len);

/* Tell the stage programs started from now on which database to use:
 * VQR_DATABASE in the environment they inherit (readable by this user
 * only), never an argument, which every user sees in ps.  conninfo is
 * copied.  0, or -1 with err. */
int child_set_database(const char *conninfo, char *err, size_t errlen);

/* Run argv; its stdout goes to out (NUL-terminated, may be NULL), its
 * stderr to ours.  Returns its exit status, or -1 (message in err). */
int child_run(char *const argv[], char *out, size_t outlen, char *err, size_t errlen);

/* Start argv with stderr ours, and stdout ours too or, with outfd, a
 * pipe whose reading end (close-on-exec) *outfd receives.  The child's
 * pid, or -1 with err. */
pid_t child_spawn(char *const argv[], int *outfd, char *err, size_t errlen);

/* As child_spawn, and with infd its stdin a pipe too, whose writing end
 * (close-on-exec) *infd receives. */
pid_t child_spawn_io(char *const argv[], int *infd, int *outfd, char *err, size_t errlen);

/* Wait for a child of child_spawn (name for messages): its exit status,
 * or -1 with err. */
int child_wait(pid_t pid, const char *name, char *err, size_t errlen);

/* The exit status of a child (status as waitpid gives it) as child_wait
 * returns it: its exit code, or -1 with err when it was killed or could
 * not run. */
int child_status(int status, const char *name, char *err, size_t errlen);

/* Stop a child of child_spawn that is no longer wanted (SIGTERM, then
 * wait); *pid becomes -1.  Nothing when *pid is not a child. */
void child_stop(pid_t *pid, const char *name);

/* The progress line of an extract (child_progress_tick). */
typedef struct child_progress {
	pid_t pid;              /* the process reading the export */
	long long read0;        /* what it had read before this file (its rchar) */
	const char *path;       /* the export */
	long long size;         /* its size */
	char rpath[4300];       /* the rows file being written */
	int fd;                 /* rpath, open once it exists (-1 not yet) */
	long long rows;         /* its lines so far */
	size_t index, count;    /* the file's place in the run */
	long delay;             /* VQR_PROGRESS_DELAY_MS (500): nothing shown before */
	long long t0;           /* when it began (cli_ms) */
} child_progress;

/* Begin the progress of pid's extract of path (size bytes) into dir,
 * the index-th file of count.  child_progress_end closes what it opens. */
void child_progress_begin(child_progress *p, pid_t pid, const char *path, long long size, const char *dir,
			  size_t index, size_t count);

/* Show on the terminal one line, updated in place, with the rows staged
 * so far (the lines of dir's rows file, counted as they come), the
 * megabytes of the export read, the percentage, rows/s and the time
 * left.  Only for a terminal on stderr; the line is never logged.  The
 * first one comes after VQR_PROGRESS_DELAY_MS (500) milliseconds. */
void child_progress_tick(child_progress *p);

/* Close what child_progress_begin opened. */
void child_progress_end(child_progress *p);

#endif
