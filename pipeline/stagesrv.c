/*
 * stagesrv.c - the stage programs of a run as servers (see stagesrv.h).
 */
#include "pipeline/stagesrv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "pipeline/child.h"

void stagesrv_init(stagesrv *s, const char *name, const char *config)
{
	memset(s, 0, sizeof *s);
	s->name = name;
	s->config = config;
	s->pid = -1;
	s->in = s->out = -1;
	child_program(name, s->prog, sizeof s->prog);
}

pid_t stagesrv_pid(const stagesrv *s) { return s->pid; }

/* Forget the server of s (its pipes closed; the process waited for by
 * the caller). */
static void forget(stagesrv *s)
{
	if (s->in >= 0)
		close(s->in);
	if (s->out >= 0)
		close(s->out);
	s->in = s->out = -1;
	s->pid = -1;
	s->busy = 0;
	memset(&s->reply, 0, sizeof s->reply);
}

/* Start the server: PROG --serve -c CONFIG, its stdin and stdout our pipes
 * (close-on-exec here, so that no other child holds them), its stderr
 * ours.  0, or -1 with err. */
static int start(stagesrv *s, char *err, size_t errlen)
{
	char *argv[] = { s->prog, SERVE_OPTION, "-c", (char *)s->config, NULL };

	s->pid = child_spawn_io(argv, &s->in, &s->out, err, errlen);
	return s->pid < 0 ? -1 : 0;
}

/* Write len bytes of buf to the server, with SIGPIPE held back: a server
 * gone gives EPIPE here (its status comes from waitpid), never the end of
 * the driver.  0, or -1 with errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	int was_pending, rc = 0, e = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	while (len) {
		ssize_t k = write(fd, buf, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = -1;
			e = errno;
			break;
		}
		buf += k;
		len -= (size_t)k;
	}
	if (rc < 0 && e == EPIPE && !was_pending) {
		const struct timespec zero = { 0, 0 };
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return rc;
}

int stagesrv_send(stagesrv *s, char *const argv[], char *err, size_t errlen)
{
	char **args;
	char *req;
	size_t n = 0, len;
	int rc;

	if (s->busy) {
		err_set(err, errlen, "%s: a job is running already", s->name);
		return -1;
	}
	if (s->pid < 0 && start(s, err, errlen) < 0)
		return -1;
	while (argv[n])
		n++;
	args = xcalloc(n + 1, sizeof *args);
	memcpy(args, argv, n * sizeof *args);
	args[0] = (char *)s->name;
	req = serve_request(log_context(), args, &len);
	free(args);
	if ((rc = write_all(s->in, req, len)) < 0)
		err_set(err, errlen, "%s: cannot send it the file: %s", s->name, strerror(errno));
	free(req);
	if (rc < 0) {
		stagesrv_stop(s);
		return -1;
	}
	memset(&s->reply, 0, sizeof s->reply);
	s->busy = 1;
	return 0;
}

/* Where a job's output lines go: a buffer, or our stdout. */
typedef struct sink {
	char *out;              /* the buffer (NULL: stdout) */
	size_t outlen, used;
} sink;

static void to_sink(const char *line, void *arg)
{
	sink *k = arg;
	size_t n = strlen(line);

	if (!k->out) {
		fputs(line, stdout);
		return;
	}
	if (k->used + 1 >= k->outlen)
		return;
	if (n > k->outlen - 1 - k->used)
		n = k->outlen - 1 - k->used;
	memcpy(k->out + k->used, line, n);
	k->used += n;
	k->out[k->used] = '\0';
}

/* The server ended before its reply: its status as child_wait gives it. */
static int ended(stagesrv *s, char *err, size_t errlen)
{
	int rc = child_wait(s->pid, s->name, err, errlen);

	forget(s);
	if (rc == 0) {          /* an end of its own before the reply: not a success */
		err_set(err, errlen, "%s ended before it finished the file", s->name);
		rc = -1;
	}
	return rc;
}

int stagesrv_wait(stagesrv *s, char *out, size_t outlen, void (*tick)(void *arg), void *arg, char *err,
		  size_t errlen)
{
	sink k = { out, outlen, 0 };

	if (out && outlen)
		out[0] = '\0';
	if (!s->busy) {
		err_set(err, errlen, "%s: no job to wait for", s->name);
		return -1;
	}
	if (tick)
		tick(arg);
	for (;;) {
		struct pollfd p = { s->out, POLLIN, 0 };
		char buf[4096];
		ssize_t n;
		int r = poll(&p, 1, tick ? 100 : -1);

		if (r < 0 && errno != EINTR) {
			err_set(err, errlen, "poll: %s", strerror(errno));
			stagesrv_stop(s);
			return -1;
		}
		if (r <= 0) {
			if (r == 0 && tick)
				tick(arg);
			continue;
		}
		if ((n = read(s->out, buf, sizeof buf)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ended(s, err, errlen);
		serve_reply_feed(&s->reply, buf, (size_t)n, to_sink, &k);
		if (s->reply.done) {
			int rc = s->reply.rc;   /* stagesrv_close forgets the reply */

			s->busy = 0;
			if (rc == EXIT_INTERNAL)
				stagesrv_close(s);      /* it ends after such a job */
			return rc;
		}
	}
}

int stagesrv_run(stagesrv *s, char *const argv[], char *out, size_t outlen, char *err, size_t errlen)
{
	if (stagesrv_send(s, argv, err, errlen) < 0)
		return -1;
	return stagesrv_wait(s, out, outlen, NULL, NULL, err, errlen);
}

void stagesrv_stop(stagesrv *s)
{
	if (s->pid <= 0)
		return;
	child_stop(&s->pid, s->name);
	forget(s);
}

void stagesrv_close(stagesrv *s)
{
	char e[256];

	if (s->pid <= 0)
		return;
	if (s->busy) {
		stagesrv_stop(s);
		return;
	}
	stagesrv_hangup(s);
	child_wait(s->pid, s->name, e, sizeof e);      /* its end: nothing to report */
	forget(s);
}

int stagesrv_prestart(stagesrv *s, char *err, size_t errlen)
{
	return s->pid < 0 ? start(s, err, errlen) : 0;
}

void stagesrv_hangup(stagesrv *s)
{
	if (s->pid > 0 && !s->busy && s->in >= 0) {
		close(s->in);
		s->in = -1;
	}
}
