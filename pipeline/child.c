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
static void child_exec(char *const argv[], const int *ifd, const int *ofd)
{
	if (ifd) {
		dup2(ifd[0], STDIN_FILENO);
		close(ifd[0]);
		close(ifd[1]);
	}
	if (ofd) {
		dup2(ofd[1], STDOUT_FILENO);
		close(ofd[0]);
		close(ofd[1]);
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
	int fd = -1;
	size_t got = 0;
	pid_t pid = child_spawn(argv, out ? &fd : NULL, err, errlen);

	if (pid < 0)
		return -1;
	if (out) {
		for (;;) {
			char tmp[4096];
			ssize_t n = read(fd, tmp, sizeof tmp);
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
		close(fd);
	}
	return child_wait(pid, argv[0], err, errlen);
}

/* Start argv with stderr ours, and stdout ours too or, with outfd, a
 * pipe whose reading end (close-on-exec) *outfd receives.  The child's
 * pid, or -1 with err. */
pid_t child_spawn_io(char *const argv[], int *infd, int *outfd, char *err, size_t errlen)
{
	int ifd[2] = { -1, -1 }, ofd[2] = { -1, -1 };
	pid_t pid;

	fflush(NULL);
	if ((infd && pipe(ifd) < 0) || (outfd && pipe(ofd) < 0)) {
		err_set(err, errlen, "pipe: %s", strerror(errno));
		pid = -1;
		goto fail;
	}
	if ((pid = fork()) < 0) {
		err_set(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child_exec(argv, infd ? ifd : NULL, outfd ? ofd : NULL);
	if (infd) {
		close(ifd[0]);
		fcntl(ifd[1], F_SETFD, FD_CLOEXEC);
		*infd = ifd[1];
	}
	if (outfd) {
		close(ofd[1]);
		fcntl(ofd[0], F_SETFD, FD_CLOEXEC);
		*outfd = ofd[0];
	}
	return pid;
fail:
	for (int i = 0; i < 2; i++) {
		if (ifd[i] >= 0)
			close(ifd[i]);
		if (ofd[i] >= 0)
			close(ofd[i]);
	}
	return -1;
}

pid_t child_spawn(char *const argv[], int *outfd, char *err, size_t errlen)
{
	return child_spawn_io(argv, NULL, outfd, err, errlen);
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

void child_progress_begin(child_progress *p, pid_t pid, const char *path, long long size, const char *dir,
			  size_t index, size_t count)
{
	const char *env = getenv("VQR_PROGRESS_DELAY_MS");

	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->read0 = bytes_read(pid);
	p->path = path;
	p->size = size;
	snprintf(p->rpath, sizeof p->rpath, "%s/" STAGE_ROWS, dir);
	p->fd = -1;
	p->index = index;
	p->count = count;
	p->delay = env && *env ? atol(env) : 500;
	p->t0 = cli_ms();
}

void child_progress_tick(child_progress *p)
{
	long long got = bytes_read(p->pid), rows;
	double secs = (double)(cli_ms() - p->t0) / 1000, mb, pct;
	char buf[65536];
	ssize_t k;

	if (got >= 0 && p->read0 > 0)
		got -= p->read0;
	if (p->fd < 0)
		p->fd = open(p->rpath, O_RDONLY | O_CLOEXEC);
	while (p->fd >= 0 && (k = read(p->fd, buf, sizeof buf)) > 0)
		for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + k - q))); q++)
			p->rows++;
	if (secs * 1000 < p->delay)
		return;
	rows = p->rows > 0 ? p->rows - 1 : 0;
	mb = got > 0 ? (double)got / 1e6 : 0;
	pct = p->size > 0 && got > 0 ? 100.0 * (double)(got < p->size ? got : p->size) / (double)p->size : 0;
	fprintf(stderr, "\rvqr: [%zu/%zu] %s: %lld rows, %.0f/%.0f MB (%.0f%%), %.0f rows/s", p->index, p->count,
		cli_basename(p->path), rows, mb, (double)p->size / 1e6, pct, secs > 0 ? (double)rows / secs : 0);
	if (pct >= 1 && pct < 100)
		fprintf(stderr, ", %.0f s left", secs * (100 - pct) / pct);
	fputs("\033[K", stderr);
}

void child_progress_end(child_progress *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}
