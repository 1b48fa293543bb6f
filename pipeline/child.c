/*
 * child.c - the driver's child processes (see child.h).
 */
#include "pipeline/child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/staging/stage.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/log.h"

/* Path of a stage program: beside our executable, else the bare name. */
void child_program(const char *name, char *buf, size_t len)
{
	char self[PATH_MAX];
	const char *env = getenv("VQR_LIBEXEC_DIR");
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s/%s", env, name);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/%s", self, name);
			if (access(buf, X_OK) == 0)
				return;
		}
	}
	snprintf(buf, len, "%s", name);
}

/* Tell the stage programs started from now on which database to use:
 * VQR_DATABASE in the environment they inherit (readable by this user
 * only), never an argument, which every user sees in ps.  conninfo is
 * copied.  0, or -1 with err. */
int child_set_database(const char *conninfo, char *err, size_t errlen)
{
	if ((conninfo[0] ? setenv("VQR_DATABASE", conninfo, 1) : unsetenv("VQR_DATABASE")) < 0) {
		err_set(err, errlen, "cannot set VQR_DATABASE: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* In a forked child: stdout to the pipe pfd (when not NULL), then exec
 * argv (a path, or a name looked up in PATH).  Never returns. */
static void child_exec(char *const argv[], const int *pfd)
{
	if (pfd) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
	}
	if (strchr(argv[0], '/'))
		execv(argv[0], argv);
	else
		execvp(argv[0], argv);
	fprintf(stderr, "%s: error: cannot run %s: %s\n", log_progname(), argv[0], strerror(errno));
	_exit(127);
}

/* Run argv; its stdout goes to out (NUL-terminated, may be NULL), its
 * stderr to ours.  Returns its exit status, or -1 (message in err). */
int child_run(char *const argv[], char *out, size_t outlen, char *err, size_t errlen)
{
	int pfd[2] = { -1, -1 }, status;
	pid_t pid;
	size_t got = 0;

	fflush(NULL);
	if (out && pipe(pfd) < 0) {
		err_set(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		err_set(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_exec(argv, out ? pfd : NULL);
	if (out) {
		close(pfd[1]);
		for (;;) {
			char tmp[4096];
			ssize_t n = read(pfd[0], tmp, sizeof tmp);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (got + 1 < outlen) {
				size_t k = (size_t)n < outlen - 1 - got ? (size_t)n : outlen - 1 - got;
				memcpy(out + got, tmp, k);
				got += k;
			}
		}
		out[got] = '\0';
		close(pfd[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			err_set(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFSIGNALED(status)) {
		err_set(err, errlen, "%s was killed by signal %d", argv[0], WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) == 127) {
		err_set(err, errlen, "could not run %s", argv[0]);
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Start argv with stderr ours, and stdout ours too or, with outfd, a
 * pipe whose reading end (close-on-exec) *outfd receives.  The child's
 * pid, or -1 with err. */
pid_t child_spawn(char *const argv[], int *outfd, char *err, size_t errlen)
{
	int pfd[2] = { -1, -1 };
	pid_t pid;

	fflush(NULL);
	if (outfd && pipe(pfd) < 0) {
		err_set(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		err_set(err, errlen, "fork: %s", strerror(errno));
		if (outfd) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -1;
	}
	if (pid == 0)
		child_exec(argv, outfd ? pfd : NULL);
	if (outfd) {
		close(pfd[1]);
		fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
		*outfd = pfd[0];
	}
	return pid;
}

int child_wait(pid_t pid, const char *name, char *err, size_t errlen)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			err_set(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	return child_status(status, name, err, errlen);
}

/* The exit status of a child as child_wait returns it: its exit code, or
 * -1 with err when it was killed or could not run. */
int child_status(int status, const char *name, char *err, size_t errlen)
{
	if (WIFSIGNALED(status)) {
		err_set(err, errlen, "%s was killed by signal %d", name, WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) == 127) {
		err_set(err, errlen, "could not run %s", name);
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Stop a child of child_spawn that is no longer wanted (SIGTERM, then
 * wait); *pid becomes -1.  Nothing when *pid is not a child. */
void child_stop(pid_t *pid, const char *name)
{
	char err[256];

	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	child_wait(*pid, name, err, sizeof err);
	*pid = -1;
}

/* Bytes the process pid has read so far (rchar of /proc/PID/io), or -1. */
static long long bytes_read(pid_t pid)
{
	char path[64], line[128];
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/io", (long)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "rchar: %lld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Wait for vqr-extract (pid) like child_wait, showing on the terminal one
 * line, updated in place, with the rows staged so far (the lines of
 * dir/STAGE_ROWS, counted as they come), the megabytes of the export read
 * (of size), the percentage, rows/s and the time left.  Only called when
 * stderr is a terminal; the line is never logged.  The first one comes
 * after VQR_PROGRESS_DELAY_MS (500) milliseconds. */
int child_wait_extract(pid_t pid, const char *name, const char *path, const char *dir, long long size,
		       size_t index, size_t count, char *err, size_t errlen)
{
	const char *env = getenv("VQR_PROGRESS_DELAY_MS");
	long delay = env && *env ? atol(env) : 500;
	struct timespec t0, now, pause = { 0, 100 * 1000 * 1000 };
	char rpath[4300], buf[65536];
	long long rows = 0;
	int fd = -1, status;
	pid_t w;

	snprintf(rpath, sizeof rpath, "%s/" STAGE_ROWS, dir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((w = waitpid(pid, &status, WNOHANG)) == 0) {
		double secs, mb, pct;
		long long got = bytes_read(pid);
		ssize_t k;
		clock_gettime(CLOCK_MONOTONIC, &now);
		secs = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (fd < 0)
			fd = open(rpath, O_RDONLY | O_CLOEXEC);
		while (fd >= 0 && (k = read(fd, buf, sizeof buf)) > 0)
			for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + k - q))); q++)
				rows++;
		if (secs * 1000 >= delay) {
			mb = got > 0 ? (double)got / 1e6 : 0;
			pct = size > 0 && got > 0 ? 100.0 * (double)(got < size ? got : size) / (double)size : 0;
			fprintf(stderr, "\rvqr: [%zu/%zu] %s: %lld rows, %.0f/%.0f MB (%.0f%%), %.0f rows/s",
				index, count, cli_basename(path), rows > 0 ? rows - 1 : 0, mb, (double)size / 1e6,
				pct, secs > 0 ? (double)(rows > 0 ? rows - 1 : 0) / secs : 0);
			if (pct >= 1 && pct < 100)
				fprintf(stderr, ", %.0f s left", secs * (100 - pct) / pct);
			fputs("\033[K", stderr);
		}
		nanosleep(&pause, NULL);
	}
	if (fd >= 0)
		close(fd);
	if (w < 0) {
		int e = errno;
		if (e == EINTR)
			return child_wait(pid, name, err, errlen);
		err_set(err, errlen, "waitpid: %s", strerror(e));
		return -1;
	}
	return child_status(status, name, err, errlen);
}
