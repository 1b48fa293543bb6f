/*
 * embed_child.c - running PostgreSQL's programs as the cluster user, for
 * the embedded cluster (see embed.h, embed_int.h).
 *
 * Every PostgreSQL program runs through emb_run_child(): fork; in the child
 * reset signals, point stdin at /dev/null and stdout/stderr at a log file,
 * switch user when root (setgroups, setgid, setuid), close every other
 * descriptor (a server must not inherit vqr's lock files), then execve with
 * a small clean environment (no PG* variables).  A failure in the child
 * before exec comes back to the parent through a close-on-exec pipe.
 * Group lists are computed in the parent (getgrouplist) so that the child
 * only makes async-signal-safe calls.
 */
#include "lib/db/embed_int.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util/err.h"
#include "lib/util/mem.h"

/* What failed in a child before exec, sent through the report pipe. */
struct child_report {
	int stage;              /* one of the ST_ values */
	int err;                /* errno */
};

enum { ST_STDIO = 1, ST_GROUPS, ST_GID, ST_UID, ST_CHDIR, ST_EXEC };

void emb_who_free(struct who *w)
{
	free(w->groups);
	w->groups = NULL;
}

/* Who runs the programs: ourselves unless root; as root, the owner of an
 * existing cluster, else cl->run_as. */
static int who_get(const embed_cluster *cl, struct who *w, char *err, size_t errlen)
{
	char ver[4200];
	struct stat st;
	const struct passwd *pw;
	int n = 32;

	memset(w, 0, sizeof *w);
	w->uid = geteuid();
	w->gid = getegid();
	if (w->uid != 0) {
		const char *home = getenv("HOME");
		pw = getpwuid(w->uid);
		snprintf(w->name, sizeof w->name, "%s", pw ? pw->pw_name : "");
		snprintf(w->home, sizeof w->home, "%s", home ? home : pw ? pw->pw_dir : "/");
		return 0;
	}
	if (fmt_fits(ver, sizeof ver, "%s/PG_VERSION", cl->datadir) == 0 && stat(ver, &st) == 0 &&
	    stat(cl->datadir, &st) == 0) {
		if (st.st_uid == 0) {
			err_set(err, errlen,
				 "the PostgreSQL data directory %s belongs to root, and PostgreSQL refuses to run as root\n"
				 "hint: chown -R %s %s", cl->datadir, cl->run_as, cl->dir);
			return -1;
		}
		if (!(pw = getpwuid(st.st_uid))) {
			return err_set(err, errlen, "the PostgreSQL data directory %s belongs to uid %u, which is no user here",
				 cl->datadir, (unsigned)st.st_uid);
		}
	} else {
		if (!(pw = getpwnam(cl->run_as))) {
			err_set(err, errlen,
				 "user \"%s\", who should run the embedded PostgreSQL, does not exist\n"
				 "hint: installing PostgreSQL creates \"postgres\"; or configure another unprivileged user",
				 cl->run_as);
			return -1;
		}
		if (pw->pw_uid == 0) {
			err_set(err, errlen,
				 "user \"%s\" is root, and PostgreSQL refuses to run as root\n"
				 "hint: configure an unprivileged user such as \"postgres\"", cl->run_as);
			return -1;
		}
	}
	w->change = 1;
	w->uid = pw->pw_uid;
	w->gid = pw->pw_gid;
	snprintf(w->name, sizeof w->name, "%s", pw->pw_name);
	snprintf(w->home, sizeof w->home, "%s", pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
	for (int tries = 0; tries < 2; tries++) {
		w->groups = xreallocarray(w->groups, (size_t)n, sizeof *w->groups);
		if (getgrouplist(w->name, w->gid, w->groups, &n) >= 0) {
			w->ngroups = n;
			return 0;
		}
	}
	/* Could not list the groups: the primary group only. */
	w->groups[0] = w->gid;
	w->ngroups = 1;
	return 0;
}

static void env_add(struct cenv *e, int *n, const char *name, const char *value)
{
	snprintf(e->buf[*n], sizeof e->buf[*n], "%s=%s", name, value);
	e->vec[*n] = e->buf[*n];
	(*n)++;
}

/* A clean environment: no PG* variables (PGPORT, PGDATA... would change
 * what the programs do), messages in English. */
static void make_env(struct cenv *e, const char *bindir, const struct who *w)
{
	char path[4200];
	const char *tz = getenv("TZ");
	int n = 0;

	snprintf(path, sizeof path, "%s:/usr/local/bin:/usr/bin:/bin", bindir);
	env_add(e, &n, "PATH", path);
	env_add(e, &n, "HOME", w->home);
	env_add(e, &n, "USER", w->name);
	env_add(e, &n, "LOGNAME", w->name);
	env_add(e, &n, "LC_ALL", "C");
	if (tz && *tz)
		env_add(e, &n, "TZ", tz);
	e->vec[n] = NULL;
}

int emb_who_get(const embed_cluster *cl, struct who *w, struct cenv *env, char *err,
		size_t errlen)
{
	if (who_get(cl, w, err, errlen) < 0)
		return -1;
	make_env(env, cl->bindir, w);
	return 0;
}

static void close_from(int lo, int keep)
{
	long max;
#ifdef SYS_close_range
	if (keep > lo && syscall(SYS_close_range, (unsigned)lo, (unsigned)keep - 1, 0U) == 0 &&
	    syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = lo; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

/* Exit status of the reachability check: 0 when every existing component
 * of path is searchable, else the number of the first one that is not. */
static int walk(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);
	int comp = 0;

	if (n >= sizeof buf)
		return 250;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (i < n && buf[i] != '/')
			continue;
		buf[i] = '\0';
		comp++;
		if (access(buf, X_OK) < 0)
			return errno == ENOENT ? 0 : comp > 249 ? 249 : comp;
		buf[i] = i < n ? '/' : '\0';
	}
	return 0;
}

static void child_fail(int wfd, int stage)
{
	struct child_report rep = { stage, errno };
	if (wfd >= 0) {
		ssize_t r = write(wfd, &rep, sizeof rep);
		(void)r;
	}
	_exit(127);
}

/* In the child: never returns. */
__attribute__((noreturn))
static void child_main(const struct who *w, const struct cenv *env, char *const argv[],
		       const char *check, int outfd, int nullfd, int pw)
{
	static const int sigs[] = { SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGALRM,
				    SIGUSR1, SIGUSR2 };
	sigset_t none;
	int wfd, nfd, ofd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	/* Move our descriptors out of the way of 0, 1 and 2 first. */
	wfd = fcntl(pw, F_DUPFD_CLOEXEC, 10);
	nfd = fcntl(nullfd, F_DUPFD, 10);
	ofd = outfd >= 0 ? fcntl(outfd, F_DUPFD, 10) : nfd;
	if (wfd < 0)
		_exit(127);
	if (nfd < 0 || ofd < 0 || dup2(nfd, 0) < 0 || dup2(ofd, 1) < 0 || dup2(ofd, 2) < 0)
		child_fail(wfd, ST_STDIO);
	if (w->change) {
		if (setgroups((size_t)w->ngroups, w->groups) < 0)
			child_fail(wfd, ST_GROUPS);
		if (setgid(w->gid) < 0)
			child_fail(wfd, ST_GID);
		if (setuid(w->uid) < 0)
			child_fail(wfd, ST_UID);
	}
	if (chdir("/") < 0)
		child_fail(wfd, ST_CHDIR);
	close_from(3, wfd);
	if (!argv)
		_exit(walk(check));
	execve(argv[0], argv, env->vec);
	child_fail(wfd, ST_EXEC);
	_exit(127);
}

/* Run argv (argv[0] an absolute path) as w in environment env, or, with
 * argv NULL, run walk(check) as w.  stdout and stderr go to outfd (-1:
 * /dev/null).  *status receives the wait status.  0, or -1 with err when
 * the child could not be run or waited for. */
int emb_run_child(const struct who *w, const struct cenv *env, char *const argv[],
		     const char *check, int outfd, int *status, char *err, size_t errlen)
{
	static const char *const stages[] = { "", "cannot redirect its output", "setgroups",
					      "setgid", "setuid", "chdir", "exec" };
	const char *what = argv ? argv[0] : "the access check";
	struct child_report rep;
	int nullfd, pfd[2];
	ssize_t n;
	pid_t pid, r;

	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return err_set(err, errlen, "cannot open /dev/null: %s", strerror(errno));
	if (pipe(pfd) < 0) {
		err_set(err, errlen, "cannot create a pipe: %s", strerror(errno));
		close(nullfd);
		return -1;
	}
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		err_set(err, errlen, "cannot fork to run %s: %s", what, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		close(nullfd);
		return -1;
	}
	if (pid == 0)
		child_main(w, env, argv, check, outfd, nullfd, pfd[1]);
	close(pfd[1]);
	close(nullfd);
	do
		n = read(pfd[0], &rep, sizeof rep);
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_set(err, errlen, "cannot wait for %s: %s", what, strerror(errno));
	if (n == (ssize_t)sizeof rep) {
		const char *st = rep.stage > 0 && rep.stage <= ST_EXEC ? stages[rep.stage] : "?";
		if (rep.stage == ST_EXEC)
			err_set(err, errlen, "cannot run %s: %s", what, strerror(rep.err));
		else if (rep.stage >= ST_GROUPS && rep.stage <= ST_UID)
			err_set(err, errlen, "cannot switch to user %s (uid %u) to run %s: %s: %s", w->name,
				 (unsigned)w->uid, what, st, strerror(rep.err));
		else
			return err_set(err, errlen, "cannot run %s: %s: %s", what, st, strerror(rep.err));
	}
	return 0;
}

void emb_describe(int st, char *buf, size_t len)
{
	if (WIFEXITED(st))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "wait status 0x%x", (unsigned)st);
}

/* The last `lines` lines of a file after byte offset skip (at most
 * ~1 KB), each indented, into out; "(empty)" or "(unreadable)" when there
 * is nothing to show. */
void emb_tail(const char *path, off_t skip, int lines, char *out, size_t outlen)
{
	char buf[1200];
	off_t size, from;
	ssize_t n;
	char *start, *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t o = 0;

	snprintf(out, outlen, "  (unreadable)");
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	from = size > (off_t)sizeof buf - 1 ? size - ((off_t)sizeof buf - 1) : 0;
	if (from < skip)
		from = skip > size ? size : skip;
	n = size < 0 ? -1 : pread(fd, buf, (size_t)(size - from), from);
	close(fd);
	if (n < 0)
		return;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	start = buf;
	if (from > skip && (p = strchr(buf, '\n')))
		start = p + 1; /* drop the partial first line */
	for (p = buf + n; p > start; p--) /* blank lines do not count */
		if (p[-1] == '\n' && *p != '\n' && --lines == 0)
			break;
	start = p;
	if (!*start) {
		snprintf(out, outlen, "  (empty)");
		return;
	}
	for (p = start; *p && o + 4 < outlen; p++) {
		if (*p == '\n' && (p == start || p[-1] == '\n'))
			continue; /* and are left out */
		if (p == start || p[-1] == '\n') {
			out[o++] = ' ';
			out[o++] = ' ';
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* Open (truncate) a file that captures a program's output, owned by the
 * cluster user.  The descriptor, or -1 with err. */
static int open_capture(const char *path, const struct who *w, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return err_set(err, errlen, "cannot create %s: %s", path, strerror(errno));
	if (w->change && fchown(fd, w->uid, w->gid) < 0) {
		err_set(err, errlen, "cannot give %s to user %s: %s", path, w->name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Run argv as run_child does, its output into the file logpath (made
 * afresh, owned by the cluster user); *st receives the wait status.  0,
 * or -1 with err when the file cannot be made or the program not run. */
int emb_run_logged(const struct who *w, const struct cenv *env, char *const argv[],
		      const char *logpath, int *st, char *err, size_t errlen)
{
	int fd, rc;

	if ((fd = open_capture(logpath, w, err, errlen)) < 0)
		return -1;
	rc = emb_run_child(w, env, argv, NULL, fd, st, err, errlen);
	close(fd);
	return rc;
}

/* Check, as the cluster user, that it can reach cl->dir (or what exists of it). */
int emb_check_reach(const embed_cluster *cl, const struct who *w, const struct cenv *env,
		       char *err, size_t errlen)
{
	char where[4096], how[128];
	int st, code, comp = 0;
	size_t i;

	if (emb_run_child(w, env, NULL, cl->dir, -1, &st, err, errlen) < 0)
		return -1;
	code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (code == 0)
		return 0;
	if (code < 1 || code > 249) {
		emb_describe(st, how, sizeof how);
		return err_set(err, errlen, "checking whether user %s can reach %s failed (%s)", w->name, cl->dir,
			 how);
	}
	/* The prefix of cl->dir up to component number `code`. */
	for (i = 1; cl->dir[i]; i++)
		if (cl->dir[i] == '/' && ++comp == code)
			break;
	snprintf(where, sizeof where, "%.*s", (int)i, cl->dir);
	err_set(err, errlen,
		 "user %s, who runs the embedded PostgreSQL, cannot reach %s: no search permission on %s\n"
		 "hint: choose a directory for the cluster that user can traverse, e.g. under /var/lib/vqr or /tmp",
		 w->name, cl->dir, where);
	return -1;
}
