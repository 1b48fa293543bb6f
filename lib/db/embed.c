/*
 * embed.c - vqr's private PostgreSQL cluster; see embed.h.
 *
 * Every PostgreSQL program runs through run_child(): fork; in the child
 * reset signals, point stdin at /dev/null and stdout/stderr at a log file,
 * switch user when root (setgroups, setgid, setuid), close every other
 * descriptor (a server must not inherit vqr's lock files), then execve with
 * a small clean environment (no PG* variables).  A failure in the child
 * before exec comes back to the parent through a close-on-exec pipe.
 * Group lists are computed in the parent (getgrouplist) so that the child
 * only makes async-signal-safe calls.
 */
#include "lib/db/embed.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

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

/* What failed in a child before exec, sent through the report pipe. */
struct child_report {
	int stage;              /* one of the ST_ values */
	int err;                /* errno */
};

enum { ST_STDIO = 1, ST_GROUPS, ST_GID, ST_UID, ST_CHDIR, ST_EXEC };

/* ---- paths ---------------------------------------------------------- */

/* out = a "/" b; -1 when it does not fit. */
static int pjoin(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s/%s", a, b);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A byte of s that pg_ctl's shell command line or the
 * unix_socket_directories list syntax would mangle, or 0. */
static int bad_char(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || strchr("'\"\\`$,", *p))
			return *p;
	return 0;
}

static int is_program(const char *dir, const char *name)
{
	char p[4200];
	struct stat st;
	return pjoin(p, sizeof p, dir, name) == 0 && stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(p, X_OK) == 0;
}

static int has_programs(const char *dir)
{
	return is_program(dir, "initdb") && is_program(dir, "pg_ctl") && is_program(dir, "postgres");
}

/* $VQR_PG_BINDIR, else the highest /usr/lib/postgresql/<major>/bin, else
 * the first directory on PATH with initdb, pg_ctl and postgres. */
static int find_bindir(char *out, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("VQR_PG_BINDIR");
	const char *path;
	DIR *d;
	struct dirent *e;
	long best = -1;
	char cand[4096];

	if (env && *env) {
		char real[4096];
		if (!realpath(env, real) || !has_programs(real)) {
			snprintf(err, errlen, "VQR_PG_BINDIR=%s: initdb, pg_ctl and postgres are not all there",
				 env);
			return -1;
		}
		snprintf(out, len, "%s", real);
		return 0;
	}
	if ((d = opendir("/usr/lib/postgresql"))) {
		while ((e = readdir(d))) {
			char *end;
			long major = strtol(e->d_name, &end, 10), minor = 0, v;
			if (end == e->d_name || major < 0 || major > 100000)
				continue;
			if (*end == '.') /* old style "9.6" */
				minor = strtol(end + 1, &end, 10);
			if (*end || minor < 0 || minor > 99)
				continue;
			v = major * 100 + minor;
			snprintf(cand, sizeof cand, "/usr/lib/postgresql/%s/bin", e->d_name);
			if (v > best && has_programs(cand)) {
				best = v;
				snprintf(out, len, "%s", cand);
			}
		}
		closedir(d);
		if (best >= 0)
			return 0;
	}
	path = getenv("PATH");
	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (n > 0 && n < sizeof cand && path[0] == '/') {
			memcpy(cand, path, n);
			cand[n] = '\0';
			if (has_programs(cand)) {
				snprintf(out, len, "%s", cand);
				return 0;
			}
		}
		path += n;
		if (*path == ':')
			path++;
	}
	snprintf(err, errlen,
		 "cannot find the PostgreSQL server programs (initdb, pg_ctl, postgres) in "
		 "/usr/lib/postgresql/<major>/bin or on PATH\n"
		 "hint: install them (Debian: apt-get install postgresql) or set VQR_PG_BINDIR");
	return -1;
}

/* cl->conninfo from cl->sockdir and cl->port, quoting the host when needed. */
static void make_conninfo(embed_cluster *cl)
{
	char host[8100];
	size_t o = 0;
	int quote = cl->sockdir[0] == '\0' || strpbrk(cl->sockdir, " \t'\\") != NULL;

	if (quote)
		host[o++] = '\'';
	for (const char *p = cl->sockdir; *p && o < sizeof host - 3; p++) {
		if (quote && (*p == '\'' || *p == '\\'))
			host[o++] = '\\';
		host[o++] = *p;
	}
	if (quote)
		host[o++] = '\'';
	host[o] = '\0';
	snprintf(cl->conninfo, sizeof cl->conninfo, "host=%s port=%d user=%s dbname=%s", host,
		 cl->port, EMBED_SUPERUSER, EMBED_DATABASE);
}

int embed_init(embed_cluster *cl, const char *dir, const char *run_as, int port, char *err,
	       size_t errlen)
{
	char abs[8192], sock[8192];
	size_t n = 0;
	int c;

	memset(cl, 0, sizeof *cl);
	if (!dir || !*dir) {
		snprintf(err, errlen, "no directory given for the embedded PostgreSQL");
		return -1;
	}
	if (dir[0] == '/') {
		snprintf(abs, sizeof abs, "%s", dir);
	} else {
		char cwd[4096];
		if (!getcwd(cwd, sizeof cwd)) {
			snprintf(err, errlen, "cannot get the current directory: %s", strerror(errno));
			return -1;
		}
		snprintf(abs, sizeof abs, "%s/%s", cwd, dir);
	}
	/* Collapse "//" and drop a trailing "/". */
	for (const char *p = abs; *p; p++)
		if (!(*p == '/' && (p[1] == '/' || (p[1] == '\0' && n > 0))) && n < sizeof cl->dir - 1)
			cl->dir[n++] = *p;
	cl->dir[n] = '\0';
	if (strlen(abs) >= sizeof cl->dir - 32) {
		snprintf(err, errlen, "the embedded PostgreSQL directory path is too long (%zu bytes)",
			 strlen(abs));
		return -1;
	}
	if ((c = bad_char(cl->dir))) {
		char shown[16];
		if (c >= 0x20 && c < 0x7f)
			snprintf(shown, sizeof shown, "'%c'", c);
		else
			snprintf(shown, sizeof shown, "byte 0x%02x", c);
		snprintf(err, errlen,
			 "the embedded PostgreSQL directory %s contains %s, which cannot be passed safely to pg_ctl\n"
			 "hint: choose a directory whose path has no quotes, backslashes, '$', '`', commas or control characters",
			 cl->dir, shown);
		return -1;
	}
	if (port == 0)
		port = EMBED_DEFAULT_PORT;
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "port %d for the embedded PostgreSQL is not in 1..65535", port);
		return -1;
	}
	cl->port = port;
	if (!run_as || !*run_as)
		run_as = EMBED_DEFAULT_USER;
	if (strlen(run_as) >= sizeof cl->run_as) {
		snprintf(err, errlen, "user name \"%.40s...\" is too long", run_as);
		return -1;
	}
	snprintf(cl->run_as, sizeof cl->run_as, "%s", run_as);
	if (pjoin(cl->datadir, sizeof cl->datadir, cl->dir, "pgdata") < 0 ||
	    pjoin(cl->sockdir, sizeof cl->sockdir, cl->dir, "run") < 0 ||
	    pjoin(cl->logfile, sizeof cl->logfile, cl->dir, "log/postgresql.log") < 0) {
		snprintf(err, errlen, "the embedded PostgreSQL directory path is too long");
		return -1;
	}
	snprintf(sock, sizeof sock, "%s/.s.PGSQL.%d", cl->sockdir, cl->port);
	if (strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen,
			 "the socket path %s is too long for a unix socket (%zu bytes, at most %zu)\n"
			 "hint: choose a shorter directory for the embedded PostgreSQL",
			 sock, strlen(sock), sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return -1;
	}
	if (find_bindir(cl->bindir, sizeof cl->bindir, err, errlen) < 0)
		return -1;
	make_conninfo(cl);
	return 0;
}

/* ---- users and children ----------------------------------------------- */

static void who_free(struct who *w)
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
	if (pjoin(ver, sizeof ver, cl->datadir, "PG_VERSION") == 0 && stat(ver, &st) == 0 &&
	    stat(cl->datadir, &st) == 0) {
		if (st.st_uid == 0) {
			snprintf(err, errlen,
				 "the PostgreSQL data directory %s belongs to root, and PostgreSQL refuses to run as root\n"
				 "hint: chown -R %s %s", cl->datadir, cl->run_as, cl->dir);
			return -1;
		}
		if (!(pw = getpwuid(st.st_uid))) {
			snprintf(err, errlen, "the PostgreSQL data directory %s belongs to uid %u, which is no user here",
				 cl->datadir, (unsigned)st.st_uid);
			return -1;
		}
	} else {
		if (!(pw = getpwnam(cl->run_as))) {
			snprintf(err, errlen,
				 "user \"%s\", who should run the embedded PostgreSQL, does not exist\n"
				 "hint: installing PostgreSQL creates \"postgres\"; or configure another unprivileged user",
				 cl->run_as);
			return -1;
		}
		if (pw->pw_uid == 0) {
			snprintf(err, errlen,
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
		gid_t *g = realloc(w->groups, (size_t)n * sizeof *g);
		if (!g) {
			snprintf(err, errlen, "out of memory");
			who_free(w);
			return -1;
		}
		w->groups = g;
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
static int run_child(const struct who *w, const struct cenv *env, char *const argv[],
		     const char *check, int outfd, int *status, char *err, size_t errlen)
{
	static const char *const stages[] = { "", "cannot redirect its output", "setgroups",
					      "setgid", "setuid", "chdir", "exec" };
	const char *what = argv ? argv[0] : "the access check";
	struct child_report rep;
	int nullfd, pfd[2];
	ssize_t n;
	pid_t pid, r;

	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open /dev/null: %s", strerror(errno));
		return -1;
	}
	if (pipe(pfd) < 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		close(nullfd);
		return -1;
	}
	fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pfd[1], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot fork to run %s: %s", what, strerror(errno));
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
	if (r < 0) {
		snprintf(err, errlen, "cannot wait for %s: %s", what, strerror(errno));
		return -1;
	}
	if (n == (ssize_t)sizeof rep) {
		const char *st = rep.stage > 0 && rep.stage <= ST_EXEC ? stages[rep.stage] : "?";
		if (rep.stage == ST_EXEC)
			snprintf(err, errlen, "cannot run %s: %s", what, strerror(rep.err));
		else if (rep.stage >= ST_GROUPS && rep.stage <= ST_UID)
			snprintf(err, errlen, "cannot switch to user %s (uid %u) to run %s: %s: %s", w->name,
				 (unsigned)w->uid, what, st, strerror(rep.err));
		else
			snprintf(err, errlen, "cannot run %s: %s: %s", what, st, strerror(rep.err));
		return -1;
	}
	return 0;
}

static void describe(int st, char *buf, size_t len)
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
static void tail_file(const char *path, off_t skip, int lines, char *out, size_t outlen)
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

/* ---- directories -------------------------------------------------------- */

/* mkdir -p with mode 0755 for what it creates, set explicitly so that a
 * restrictive umask cannot make the path unreachable for the cluster user. */
static int mkdirs(const char *path, char *err, size_t errlen)
{
	char buf[4096];
	size_t n = strlen(path);
	struct stat st;

	if (n >= sizeof buf) {
		snprintf(err, errlen, "path too long: %s", path);
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (i < n && buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) == 0) {
			if (chmod(buf, 0755) < 0) {
				snprintf(err, errlen, "cannot set the mode of %s: %s", buf, strerror(errno));
				return -1;
			}
		} else if (errno != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
			return -1;
		} else if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a directory", buf);
			return -1;
		}
		buf[i] = i < n ? '/' : '\0';
	}
	return 0;
}

/* path: a real directory (not a symlink), created if missing, owned by the
 * cluster user and with exactly mode. */
static int own_dir(const char *path, mode_t mode, const struct who *w, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(path, mode) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory %s: %s", path, strerror(errno));
		return -1;
	}
	if (lstat(path, &st) < 0) {
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a directory", path);
		return -1;
	}
	if (w->change && (st.st_uid != w->uid || st.st_gid != w->gid) &&
	    chown(path, w->uid, w->gid) < 0) {
		snprintf(err, errlen, "cannot give %s to user %s: %s", path, w->name, strerror(errno));
		return -1;
	}
	if ((st.st_mode & 07777) != mode && chmod(path, mode) < 0) {
		snprintf(err, errlen, "cannot set the mode of %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Open (truncate) a file that captures a program's output, owned by the
 * cluster user.  The descriptor, or -1 with err. */
static int open_capture(const char *path, const struct who *w, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (w->change && fchown(fd, w->uid, w->gid) < 0) {
		snprintf(err, errlen, "cannot give %s to user %s: %s", path, w->name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Run argv as run_child does, its output into the file logpath (made
 * afresh, owned by the cluster user); *st receives the wait status.  0,
 * or -1 with err when the file cannot be made or the program not run. */
static int run_logged(const struct who *w, const struct cenv *env, char *const argv[],
		      const char *logpath, int *st, char *err, size_t errlen)
{
	int fd, rc;

	if ((fd = open_capture(logpath, w, err, errlen)) < 0)
		return -1;
	rc = run_child(w, env, argv, NULL, fd, st, err, errlen);
	close(fd);
	return rc;
}

/* Check, as the cluster user, that it can reach cl->dir (or what exists of it). */
static int check_reach(const embed_cluster *cl, const struct who *w, const struct cenv *env,
		       char *err, size_t errlen)
{
	char where[4096], how[128];
	int st, code, comp = 0;
	size_t i;

	if (run_child(w, env, NULL, cl->dir, -1, &st, err, errlen) < 0)
		return -1;
	code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (code == 0)
		return 0;
	if (code < 1 || code > 249) {
		describe(st, how, sizeof how);
		snprintf(err, errlen, "checking whether user %s can reach %s failed (%s)", w->name, cl->dir,
			 how);
		return -1;
	}
	/* The prefix of cl->dir up to component number `code`. */
	for (i = 1; cl->dir[i]; i++)
		if (cl->dir[i] == '/' && ++comp == code)
			break;
	snprintf(where, sizeof where, "%.*s", (int)i, cl->dir);
	snprintf(err, errlen,
		 "user %s, who runs the embedded PostgreSQL, cannot reach %s: no search permission on %s\n"
		 "hint: choose a directory for the cluster that user can traverse, e.g. under /var/lib/vqr or /tmp",
		 w->name, cl->dir, where);
	return -1;
}

/* ---- the server ------------------------------------------------------- */

static int has_cluster(const embed_cluster *cl)
{
	char ver[4200];
	struct stat st;
	return pjoin(ver, sizeof ver, cl->datadir, "PG_VERSION") == 0 && stat(ver, &st) == 0;
}

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
	return pjoin(path, sizeof path, cl->datadir, "postmaster.pid") < 0 ? 0 : lock_pid(path);
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
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale lock file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Remove the server's lock files, PGDATA/postmaster.pid and the socket's
 * SOCKDIR/.s.PGSQL.PORT.lock, when the process each names is dead: gone,
 * or a zombie nobody has reaped (pg_ctl and postgres take a zombie's pid
 * for a running server and would neither start nor stop).  Safe because
 * postgres itself refuses to start while processes of the old server
 * still use its shared memory.  0, or -1 with err. */
static int drop_dead_locks(const embed_cluster *cl, char *err, size_t errlen)
{
	char paths[2][4200];
	char sock[64];

	snprintf(sock, sizeof sock, ".s.PGSQL.%d.lock", cl->port);
	if (pjoin(paths[0], sizeof paths[0], cl->datadir, "postmaster.pid") < 0 ||
	    pjoin(paths[1], sizeof paths[1], cl->sockdir, sock) < 0) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
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
static int status_as(const embed_cluster *cl, const struct who *w, const struct cenv *env)
{
	char prog[4200], e[512], ver[4200];
	char *argv[] = { prog, "status", "-D", (char *)cl->datadir, NULL };
	struct stat st;
	int s;

	if (pjoin(ver, sizeof ver, cl->datadir, "PG_VERSION") < 0)
		return -1;
	if (stat(ver, &st) < 0 && errno == ENOENT)
		return 0;
	if (pjoin(prog, sizeof prog, cl->bindir, "pg_ctl") < 0 ||
	    run_child(w, env, argv, NULL, -1, &s, e, sizeof e) < 0 || !WIFEXITED(s))
		return -1;
	if (WEXITSTATUS(s) == 0) {
		pid_t pm = postmaster_pid(cl);
		return pm > 0 && !pid_alive(pm) ? 0 : 1;
	}
	return WEXITSTATUS(s) == 3 ? 0 : -1;
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
	if (pjoin(prog, sizeof prog, cl->bindir, "initdb") < 0 ||
	    pjoin(logpath, sizeof logpath, cl->dir, "log/initdb.log") < 0) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
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
	if (run_logged(w, env, argv, logpath, &st, err, errlen) < 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		describe(st, how, sizeof how);
		tail_file(logpath, 0, EMBED_TAIL_LINES, tail, sizeof tail);
		snprintf(err, errlen, "initdb of %s failed (%s); the end of its output (%s):\n%s",
			 cl->datadir, how, logpath, tail);
		return -1;
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
	struct stat lst;
	off_t logsize;
	int st;

	if (pjoin(prog, sizeof prog, cl->bindir, "pg_ctl") < 0 ||
	    pjoin(logpath, sizeof logpath, cl->dir, "log/pg_ctl.log") < 0) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	snprintf(opts, sizeof opts,
		 "-c listen_addresses='' -c unix_socket_directories='%s' -p %d%s",
		 cl->sockdir, cl->port, nosync && strcmp(nosync, "1") == 0 ? " -c fsync=off" : "");
	logsize = stat(cl->logfile, &lst) == 0 ? lst.st_size : 0;
	if (run_logged(w, env, argv, logpath, &st, err, errlen) < 0)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	describe(st, how, sizeof how);
	tail_file(logpath, 0, 3, tail2, sizeof tail2);
	tail_file(cl->logfile, logsize, EMBED_TAIL_LINES, tail, sizeof tail);
	snprintf(err, errlen, "pg_ctl start failed (%s):\n%s\nthe end of the server log %s:\n%s", how,
		 tail2, cl->logfile, tail);
	return -1;
}

/* Take over the port and socket directory of a server that was already
 * running (postmaster.pid lines 4 and 5). */
static void adopt_pidfile(embed_cluster *cl)
{
	char path[4200], line[4096], sock[4096] = "";
	int n = 0, port = 0;
	FILE *f;

	if (pjoin(path, sizeof path, cl->datadir, "postmaster.pid") < 0 || !(f = fopen(path, "r")))
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
	if (sock[0] == '/' && !bad_char(sock))
		snprintf(cl->sockdir, sizeof cl->sockdir, "%s", sock);
	make_conninfo(cl);
}

static void conn_error(PGconn *c, const char *what, char *err, size_t errlen)
{
	const char *m = c ? PQerrorMessage(c) : "out of memory";
	size_t n = strlen(m);
	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	snprintf(err, errlen, "%s: %.*s", what, (int)n, m);
}

/* Seconds from environment variable name (a whole number 1..86400), else
 * dflt.  These variables let tests shorten the waits. */
static int env_secs(const char *name, int dflt)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return dflt;
	n = strtol(v, &end, 10);
	return *end || n < 1 || n > 86400 ? dflt : (int)n;
}

/* Seconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
static double now_secs(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Sleep for ms milliseconds. */
static void pause_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000 * 1000 };
	nanosleep(&t, NULL);
}

/* Append a sentence, formatted as printf does, to cl->note ("; " between
 * sentences), truncating what does not fit. */
__attribute__((format(printf, 2, 3)))
static void note_add(embed_cluster *cl, const char *fmt, ...)
{
	size_t n = strlen(cl->note);
	va_list ap;

	if (n && n < sizeof cl->note - 2) {
		memcpy(cl->note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(cl->note + n, sizeof cl->note - n, fmt, ap);
	va_end(ap);
}

/* Ask the server at cl's socket whether it accepts connections
 * (PQpingParams, answer within about 2 s: libpq's smallest connect_timeout). */
static PGPing ping(const embed_cluster *cl)
{
	char port[16];
	const char *keys[] = { "host", "port", "user", "dbname", "connect_timeout",
			       "application_name", NULL };
	const char *vals[] = { cl->sockdir, port, EMBED_SUPERUSER, "postgres", "2", "vqr", NULL };

	snprintf(port, sizeof port, "%d", cl->port);
	return PQpingParams(keys, vals, 0);
}

/* Wait, at most secs seconds, until the server accepts connections.  The
 * last answer: PQPING_OK, or what it said when the time was up
 * (PQPING_REJECT: starting up, recovering or shutting down;
 * PQPING_NO_RESPONSE: not there or not answering), or PQPING_NO_ATTEMPT
 * at once when libpq cannot even try. */
static PGPing wait_ready(const embed_cluster *cl, int secs)
{
	double end = now_secs() + secs;
	PGPing p;

	while ((p = ping(cl)) != PQPING_OK && p != PQPING_NO_ATTEMPT && now_secs() < end)
		pause_ms(100);
	return p;
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
	if (wait_ready(cl, env_secs("VQR_EMBED_READY_SECS", EMBED_READY_SECS)) != PQPING_OK) {
		tail_file(cl->logfile, 0, EMBED_TAIL_LINES, tail, sizeof tail);
		snprintf(err, errlen,
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

/* ---- stopping, however it takes --------------------------------------- */

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
	end = now_secs() + secs;
	do {
		left = pid_alive(pm);
		for (int i = 0; i < nkids; i++)
			left += pid_alive(kids[i]);
		if (!left)
			return 0;
		pause_ms(100);
	} while (now_secs() < end);
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
	if (pjoin(prog, sizeof prog, cl->bindir, "pg_ctl") < 0 ||
	    pjoin(logpath, sizeof logpath, cl->dir, "log/pg_ctl.log") < 0) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	if (run_logged(w, env, argv, logpath, &st, err, errlen) < 0)
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
static int stop_hard(embed_cluster *cl, const struct who *w, const struct cenv *env,
		     off_t logsize, char *err, size_t errlen)
{
	int stop_secs = env_secs("VQR_EMBED_STOP_TIMEOUT", EMBED_STOP_SECS);
	int ready_secs = env_secs("VQR_EMBED_READY_SECS", EMBED_READY_SECS);
	char tail[1000], path[4200];
	pid_t pm = postmaster_pid(cl);
	PGPing p;
	int r, killed = 0;

	if (pm > 0 && pid_alive(pm) && is_postgres(pm) == 0) {
		if (pjoin(path, sizeof path, cl->datadir, "postmaster.pid") < 0 ||
		    unlink_stale(path, err, errlen) < 0)
			return -1;
		note_add(cl, "its postmaster.pid named pid %ld, which is not a PostgreSQL server: removed that stale file",
			 (long)pm);
		return 0;
	}
	p = ping(cl);
	if (p == PQPING_REJECT) {
		/* Recovering from a crash (or starting, or already shutting down). */
		double t0 = now_secs();
		while (p == PQPING_REJECT && pid_alive(pm) && now_secs() < t0 + ready_secs) {
			pause_ms(200);
			p = ping(cl);
		}
		note_add(cl, "it was recovering or shutting down; waited %.0f s for it%s", now_secs() - t0,
			 p == PQPING_OK ? " to accept connections" : "");
	}
	if ((r = pg_ctl_stop(cl, w, env, "fast", stop_secs, err, errlen)) < 0)
		return -1;
	if (r == 0 || status_as(cl, w, env) == 0)
		return 0;
	note_add(cl, "pg_ctl stop -m fast did not stop it within %d s", stop_secs);
	if ((r = pg_ctl_stop(cl, w, env, "immediate", stop_secs, err, errlen)) < 0)
		return -1;
	if (r == 0 || status_as(cl, w, env) == 0) {
		note_add(cl, "stopped it with -m immediate (the next start recovers from the write-ahead log)");
		return 0;
	}
	note_add(cl, "-m immediate did not stop it within %d s either", stop_secs);
	pm = postmaster_pid(cl);
	if (pm > 0 && is_postgres(pm) != 0 && (killed = kill_postmaster(pm, stop_secs)) == 0) {
		if (drop_dead_locks(cl, err, errlen) < 0)
			return -1;
		note_add(cl, "killed its postmaster (pid %ld) and its processes with SIGKILL (the next start recovers from the write-ahead log)",
			 (long)pm);
		return 0;
	}
	tail_file(cl->logfile, logsize, 5, tail, sizeof tail);
	snprintf(err, errlen,
		 "the embedded PostgreSQL in %s cannot be stopped: %s%s; the end of the server log %s:\n%s",
		 cl->datadir, cl->note,
		 killed ? "; it survived SIGKILL"
			: pm > 0 ? "; postmaster.pid names a process that is not PostgreSQL, left alone"
				 : "; postmaster.pid names no process to kill",
		 cl->logfile, tail);
	return -1;
}

int embed_start(embed_cluster *cl, char *err, size_t errlen)
{
	struct who w;
	struct cenv env;
	char logdir[4200];
	int rc = -1, running;

	cl->started = cl->initialised = 0;
	cl->note[0] = '\0';
	if (who_get(cl, &w, err, errlen) < 0)
		return -1;
	make_env(&env, cl->bindir, &w);
	if (w.change && check_reach(cl, &w, &env, err, errlen) < 0)
		goto out;
	if (mkdirs(cl->dir, err, errlen) < 0)
		goto out;
	if (pjoin(logdir, sizeof logdir, cl->dir, "log") < 0 ||
	    own_dir(cl->datadir, 0700, &w, err, errlen) < 0 ||
	    own_dir(cl->sockdir, 0700, &w, err, errlen) < 0 ||
	    own_dir(logdir, 0750, &w, err, errlen) < 0)
		goto out;
	if (!has_cluster(cl) && run_initdb(cl, &w, &env, err, errlen) < 0)
		goto out;
	if (drop_dead_locks(cl, err, errlen) < 0)
		goto out;
	running = status_as(cl, &w, &env);
	if (running < 0) {
		snprintf(err, errlen, "cannot tell whether the embedded PostgreSQL in %s is running (pg_ctl status failed)",
			 cl->datadir);
		goto out;
	}
	if (running == 1) {
		/* Running, but it may be stuck starting up or shutting down
		 * (e.g. a stop after a crash that never finished): then stop
		 * it however it takes, and start it again. */
		int ready = env_secs("VQR_EMBED_READY_SECS", EMBED_READY_SECS);
		struct stat lst;
		PGPing p;

		adopt_pidfile(cl);
		if ((p = wait_ready(cl, ready)) != PQPING_OK && p != PQPING_NO_ATTEMPT) {
			note_add(cl, "it was running but %s within %d s",
				 p == PQPING_REJECT ? "refused connections (stuck starting up or shutting down)"
						    : "did not answer",
				 ready);
			if (stop_hard(cl, &w, &env, stat(cl->logfile, &lst) == 0 ? lst.st_size : 0, err,
				      errlen) < 0)
				goto out;
			running = 0;
		}
	}
	if (running == 0) {
		if (run_start(cl, &w, &env, err, errlen) == 0) {
			cl->started = 1;
			if (cl->note[0])
				note_add(cl, "started it again");
		} else if (status_as(cl, &w, &env) != 1) { /* not another vqr starting it meanwhile */
			goto out;
		} else {
			adopt_pidfile(cl);
		}
	}
	if (ensure_database(cl, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	who_free(&w);
	return rc;
}

int embed_running(const embed_cluster *cl)
{
	struct who w;
	struct cenv env;
	char e[1024];
	int r;

	if (who_get(cl, &w, e, sizeof e) < 0)
		return -1;
	make_env(&env, cl->bindir, &w);
	r = status_as(cl, &w, &env);
	who_free(&w);
	return r;
}

int embed_stop(embed_cluster *cl, char *err, size_t errlen)
{
	struct who w;
	struct cenv env;
	struct stat lst;
	off_t logsize;
	int rc = -1, running;

	cl->note[0] = '\0';
	if (who_get(cl, &w, err, errlen) < 0)
		return -1;
	make_env(&env, cl->bindir, &w);
	logsize = stat(cl->logfile, &lst) == 0 ? lst.st_size : 0;
	running = status_as(cl, &w, &env);
	if (running == 0) {
		rc = 0;
		goto out;
	}
	if (running < 0) {
		snprintf(err, errlen, "cannot tell whether the embedded PostgreSQL in %s is running (pg_ctl status failed)",
			 cl->datadir);
		goto out;
	}
	adopt_pidfile(cl);
	rc = stop_hard(cl, &w, &env, logsize, err, errlen);
out:
	who_free(&w);
	return rc;
}
