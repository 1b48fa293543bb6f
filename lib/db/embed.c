/*
 * embed.c - vqr's private PostgreSQL cluster (see embed.h): finding the
 * PostgreSQL programs, embed_init, and what the other parts share (clocks,
 * notes, pings).  The parts are listed in embed_int.h.
 */
#include "lib/db/embed.h"
#include "lib/db/embed_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "lib/util/err.h"

/* A byte of s that pg_ctl's shell command line or the
 * unix_socket_directories list syntax would mangle, or 0. */
int emb_bad_char(const char *s)
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
	return fmt_fits(p, sizeof p, "%s/%s", dir, name) == 0 && stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(p, X_OK) == 0;
}

static int has_programs(const char *dir)
{
	return is_program(dir, "initdb") && is_program(dir, "pg_ctl") && is_program(dir, "postgres");
}

/* The highest /usr/lib/postgresql/<major>/bin holding the programs
 * (Debian's layout) into out: 0, or -1 when there is none. */
static int debian_bindir(char *out, size_t len)
{
	DIR *d = opendir("/usr/lib/postgresql");
	struct dirent *e;
	long best = -1;
	char cand[4096];

	if (!d)
		return -1;
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
		if (fmt_fits(cand, sizeof cand, "/usr/lib/postgresql/%s/bin", e->d_name) == 0 &&
		    v > best && has_programs(cand)) {
			best = v;
			snprintf(out, len, "%s", cand);
		}
	}
	closedir(d);
	return best >= 0 ? 0 : -1;
}

/* The first directory on PATH holding the programs into out: 0, or -1
 * when there is none. */
static int path_bindir(char *out, size_t len)
{
	const char *path = getenv("PATH");
	char cand[4096];

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
	return -1;
}

/* $VQR_PG_BINDIR, else the highest /usr/lib/postgresql/<major>/bin, else
 * the first directory on PATH with initdb, pg_ctl and postgres. */
static int find_bindir(char *out, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("VQR_PG_BINDIR");

	if (env && *env) {
		char real[4096];
		if (!realpath(env, real) || !has_programs(real))
			return err_set(err, errlen,
				       "VQR_PG_BINDIR=%s: initdb, pg_ctl and postgres are not all there", env);
		snprintf(out, len, "%s", real);
		return 0;
	}
	if (debian_bindir(out, len) == 0 || path_bindir(out, len) == 0)
		return 0;
	return err_set(err, errlen,
		       "cannot find the PostgreSQL server programs (initdb, pg_ctl, postgres) in "
		       "/usr/lib/postgresql/<major>/bin or on PATH\n"
		       "hint: install them (Debian: apt-get install postgresql) or set VQR_PG_BINDIR");
}

/* cl->conninfo from cl->sockdir and cl->port, quoting the host when needed. */
void emb_conninfo(embed_cluster *cl)
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

/* cl->dir: dir made absolute (from the current directory), without "//"
 * or a trailing "/"; refused when too long or holding a byte that cannot
 * be passed to pg_ctl.  0, or -1 with err. */
static int set_dir(embed_cluster *cl, const char *dir, char *err, size_t errlen)
{
	char abs[8192], shown[16];
	size_t n = 0;
	int c;

	if (!dir || !*dir)
		return err_set(err, errlen, "no directory given for the embedded PostgreSQL");
	if (dir[0] == '/') {
		snprintf(abs, sizeof abs, "%s", dir);
	} else {
		char cwd[4096];
		if (!getcwd(cwd, sizeof cwd))
			return err_set(err, errlen, "cannot get the current directory: %s", strerror(errno));
		snprintf(abs, sizeof abs, "%s/%s", cwd, dir);
	}
	/* Collapse "//" and drop a trailing "/". */
	for (const char *p = abs; *p; p++)
		if (!(*p == '/' && (p[1] == '/' || (p[1] == '\0' && n > 0))) && n < sizeof cl->dir - 1)
			cl->dir[n++] = *p;
	cl->dir[n] = '\0';
	if (strlen(abs) >= sizeof cl->dir - 32)
		return err_set(err, errlen, "the embedded PostgreSQL directory path is too long (%zu bytes)",
			       strlen(abs));
	if (!(c = emb_bad_char(cl->dir)))
		return 0;
	if (c >= 0x20 && c < 0x7f)
		snprintf(shown, sizeof shown, "'%c'", c);
	else
		snprintf(shown, sizeof shown, "byte 0x%02x", c);
	return err_set(err, errlen,
		       "the embedded PostgreSQL directory %s contains %s, which cannot be passed safely to pg_ctl\n"
		       "hint: choose a directory whose path has no quotes, backslashes, '$', '`', commas or control characters",
		       cl->dir, shown);
}

int embed_init(embed_cluster *cl, const char *dir, const char *run_as, int port, char *err,
	       size_t errlen)
{
	char sock[8192];
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);

	memset(cl, 0, sizeof *cl);
	if (set_dir(cl, dir, err, errlen) < 0)
		return -1;
	if (port == 0)
		port = EMBED_DEFAULT_PORT;
	if (port < 1 || port > 65535)
		return err_set(err, errlen, "port %d for the embedded PostgreSQL is not in 1..65535", port);
	cl->port = port;
	if (!run_as || !*run_as)
		run_as = EMBED_DEFAULT_USER;
	if (strlen(run_as) >= sizeof cl->run_as)
		return err_set(err, errlen, "user name \"%.40s...\" is too long", run_as);
	snprintf(cl->run_as, sizeof cl->run_as, "%s", run_as);
	if (fmt_fits(cl->datadir, sizeof cl->datadir, "%s/pgdata", cl->dir) < 0 ||
	    fmt_fits(cl->sockdir, sizeof cl->sockdir, "%s/run", cl->dir) < 0 ||
	    fmt_fits(cl->logfile, sizeof cl->logfile, "%s/log/postgresql.log", cl->dir) < 0)
		return err_set(err, errlen, "the embedded PostgreSQL directory path is too long");
	snprintf(sock, sizeof sock, "%s/.s.PGSQL.%d", cl->sockdir, cl->port);
	if (strlen(sock) >= max)
		return err_set(err, errlen,
			       "the socket path %s is too long for a unix socket (%zu bytes, at most %zu)\n"
			       "hint: choose a shorter directory for the embedded PostgreSQL",
			       sock, strlen(sock), max - 1);
	if (find_bindir(cl->bindir, sizeof cl->bindir, err, errlen) < 0)
		return -1;
	emb_conninfo(cl);
	return 0;
}

int embed_set_listen(embed_cluster *cl, const char *addr, char *err, size_t errlen)
{
	cl->listen[0] = '\0';
	if (!addr || !*addr)
		return 0;
	if (!cfg_loopback(addr) || strlen(addr) >= sizeof cl->listen)
		return err_set(err, errlen,
			       "listen address \"%.80s\" for the embedded PostgreSQL is not a loopback address "
			       "(127.0.0.1, ::1 or localhost)", addr);
	snprintf(cl->listen, sizeof cl->listen, "%s", addr);
	return 0;
}

/* Seconds from environment variable name (a whole number 1..86400), else
 * dflt.  These variables let tests shorten the waits. */
int emb_env_secs(const char *name, int dflt)
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
double emb_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

off_t emb_log_size(const embed_cluster *cl)
{
	struct stat st;

	return stat(cl->logfile, &st) == 0 ? st.st_size : 0;
}

/* Sleep for ms milliseconds. */
void emb_pause_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000 * 1000 };
	nanosleep(&t, NULL);
}

/* Append a sentence, formatted as printf does, to cl->note ("; " between
 * sentences), truncating what does not fit. */
__attribute__((format(printf, 2, 3)))
void emb_note(embed_cluster *cl, const char *fmt, ...)
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
PGPing emb_ping(const embed_cluster *cl)
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
PGPing emb_wait_ready(const embed_cluster *cl, int secs)
{
	double end = emb_now() + secs;
	PGPing p;

	while ((p = emb_ping(cl)) != PQPING_OK && p != PQPING_NO_ATTEMPT && emb_now() < end)
		emb_pause_ms(100);
	return p;
}
