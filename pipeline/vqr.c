/*
 * vqr.c - the driver a college's cron job calls.
 *
 *     vqr init              create or upgrade the schema (numbered migrations)
 *     vqr run               load whatever is new in the inbox
 *     vqr show              print the indicators loaded for the school
 *     vqr status            the last batches and what is quarantined
 *     vqr db start|stop|status   manage the embedded PostgreSQL cluster
 *     vqr region add|status|remove   a regional database (pipeline/region.h)
 *     vqr report            the quality report's tables (pipeline/report.h)
 *
 * `vqr run` takes a lock (a lock file in the staging directory and an
 * advisory lock in the database), lists the inbox, and for each file:
 * skips it when its sha256 is already loaded (moving it to the archive),
 * quarantines it when no source recognises it or it cannot be read, and
 * otherwise runs the three stage programs (vqr-extract, vqr-transform,
 * vqr-load) on it in a staging directory of its own, then archives it.
 * Extract and transform overlap: vqr-transform --follow starts beside
 * vqr-extract and reads the canonical rows while they are written, so
 * the two use both cores; the staged files are the same as when the
 * stages run one after the other.
 * The stage programs are found beside this executable, else on PATH.
 */
#define _XOPEN_SOURCE 700 /* wcswidth */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "lib/catalog/cfg.h"
#include "lib/util/cli.h"
#include "lib/db/db.h"
#include "lib/db/embed.h"
#include "lib/util/log.h"
#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "lib/catalog/period.h"
#include "lib/db/migrate.h"
#include "pipeline/keep.h"
#include "pipeline/notice.h"
#include "pipeline/region.h"
#include "pipeline/report.h"
#include "pipeline/revert.h"
#include "lib/util/sha256.h"

typedef struct opts {
	const char *config;     /* --config */
	const char *database;   /* --database */
	const char *year;       /* --year (show) */
	const char *summary_json; /* --summary-json FILE (run) */
	int dry_run;            /* --dry-run (run) */
	int all;                /* --all (show): every breakdown */
	region_init_opts ro;    /* --publish, --id-block, --region (init) */
	const char *school;     /* --school (report) */
	const char *format;     /* --format (report): text, markdown, csv */
	const char *layout;     /* --layout FILE (report) */
	const char *table;      /* --table ID (report) */
	const char *accept[64]; /* --accept-shrink FILE (run): base names (naccept) */
	int naccept;
	int stale;              /* --stale (reprocess): the slices computed with another catalog */
	const char *source;     /* --source SOURCE (reprocess) */
} opts;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqr [OPTION]... COMMAND\n"
		"Load smart-campus exports of a technician college into PostgreSQL as\n"
		"quality-report indicators.\n"
		"\n"
		"Commands:\n"
		"  init              create or upgrade the vqr schema (safe to run again)\n"
		"  run               process the inbox: extract, transform, load each new file\n"
		"  show              print the indicators loaded for the school\n"
		"  status            the last batches, open findings, what is quarantined\n"
		"  revert BATCH      restore the slices of a batch as they were before it\n"
		"  reprocess [FILE]...  compute loaded files' slices again with the current\n"
		"                    catalog, from the archived exports (chosen by name and/or\n"
		"                    --all, --stale, --source, --year)\n"
		"  db start|stop|status  manage the embedded PostgreSQL cluster\n"
		"  region add NAME CONNINFO  at a regional database: subscribe to a college\n"
		"  region status     at a regional database: each college's replication and data\n"
		"  region remove NAME  at a regional database: drop a college and its data\n"
		"  report            print the quality report's tables (表1-1 ... 5.5) from the database\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE      deployment configuration (default: $VQR_CONFIG,\n"
		"                         ./vqr.yaml, /etc/vqr/vqr.yaml)\n"
		"  -d, --database CONN    libpq conninfo, URI or service name (default: the\n"
		"                         configuration's database, else the embedded cluster)\n"
		"  -y, --year PERIOD      show: the period, e.g. 2022-2023 or 2022 (default: the\n"
		"                         latest academic year, with its fiscal year and\n"
		"                         snapshot); reprocess: the slices of this period\n"
		"  -a, --all              show: every breakdown, not only school totals;\n"
		"                         reprocess: every current slice\n"
		"      --stale            reprocess: the slices computed with another catalog\n"
		"      --source SOURCE    reprocess: the slices of this source\n"
		"      --school CODE      report: the school (default: the configuration's)\n"
		"      --format FMT       report: text (aligned, default), markdown or csv\n"
		"      --layout FILE      report: the tables' layout (default: report/quality_report.yaml\n"
		"                         beside the configuration, else the installed one)\n"
		"      --table ID         report: only this table (e.g. 1-2)\n"
		"  -n, --dry-run          run, reprocess, revert: do it all, report what would\n"
		"                         change, roll back, move nothing\n"
		"  -j, --summary-json FILE  run: write a summary of the run as JSON (monitoring)\n"
		"      --accept-shrink FILE  run: load FILE (a base name in the inbox) although it\n"
		"                         shrinks its slice by more than the source's max_shrink\n"
		"                         (so does a marker FILE.accept-shrink beside it)\n"
		"      --publish          init: publish this college's indicators to a region\n"
		"      --id-block N       init --publish: number ids in block N (1..999999)\n"
		"      --region           init: make this database the regional database\n"
		"  -v, --verbose          say what is done\n"
		"  -L, --log FILE         also append every message to FILE\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n" LOG_EXIT_CODES_HELP);
}

/* ---- child processes --------------------------------------------------- */

/* Path of a stage program: beside our executable, else the bare name. */
static void stage_program(const char *name, char *buf, size_t len)
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
static int stage_database(const char *conninfo, char *err, size_t errlen)
{
	if ((conninfo[0] ? setenv("VQR_DATABASE", conninfo, 1) : unsetenv("VQR_DATABASE")) < 0) {
		snprintf(err, errlen, "cannot set VQR_DATABASE: %s", strerror(errno));
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
static int run_child(char *const argv[], char *out, size_t outlen, char *err, size_t errlen)
{
	int pfd[2] = { -1, -1 }, status;
	pid_t pid;
	size_t got = 0;

	fflush(NULL);
	if (out && pipe(pfd) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
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
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFSIGNALED(status)) {
		snprintf(err, errlen, "%s was killed by signal %d", argv[0], WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) == 127) {
		snprintf(err, errlen, "could not run %s", argv[0]);
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Start argv with stderr ours, and stdout ours too or, with outfd, a
 * pipe whose reading end (close-on-exec) *outfd receives.  The child's
 * pid, or -1 with err. */
static pid_t spawn_child(char *const argv[], int *outfd, char *err, size_t errlen)
{
	int pfd[2] = { -1, -1 };
	pid_t pid;

	fflush(NULL);
	if (outfd && pipe(pfd) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
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

/* Wait for a child of spawn_child: its exit status, or -1 with err. */
static int child_status(int status, const char *name, char *err, size_t errlen);

static int wait_child(pid_t pid, const char *name, char *err, size_t errlen)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	return child_status(status, name, err, errlen);
}

/* The exit status of a child as wait_child returns it: its exit code, or
 * -1 with err when it was killed or could not run. */
static int child_status(int status, const char *name, char *err, size_t errlen)
{
	if (WIFSIGNALED(status)) {
		snprintf(err, errlen, "%s was killed by signal %d", name, WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) == 127) {
		snprintf(err, errlen, "could not run %s", name);
		return -1;
	}
	return WEXITSTATUS(status);
}

/* Stop a child of spawn_child that is no longer wanted (SIGTERM, then
 * wait); *pid becomes -1.  Nothing when *pid is not a child. */
static void stop_child(pid_t *pid, const char *name)
{
	char err[256];

	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	wait_child(*pid, name, err, sizeof err);
	*pid = -1;
}

/* ---- files ------------------------------------------------------------- */

/* Move path into dir under its own name (adding .1, .2, ... when taken),
 * and make a regular file its owner's alone.  Both must be on one
 * filesystem: rename is atomic.  The new path goes into dest. */
static int move_into(const char *path, const char *dir, char *dest, size_t dlen, char *err, size_t errlen)
{
	const char *base = cli_basename(path);
	struct stat st;
	if (cli_mkdirs(dir, err, errlen) < 0)
		return -1;
	for (int i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(dest, dlen, "%s/%s", dir, base);
		else
			snprintf(dest, dlen, "%s/%s.%d", dir, base, i);
		if (lstat(dest, &st) == 0)
			continue;       /* taken, if only by a link */
		if (rename(path, dest) < 0) {
			snprintf(err, errlen, "cannot move %s to %s: %s", path, dir, strerror(errno));
			return -1;
		}
		/* An export (personal data) is private once vqr keeps it; a link,
		 * FIFO or directory is left as it is (chmod would follow a link). */
		if (lstat(dest, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) &&
		    chmod(dest, st.st_mode & 0700) < 0)
			log_warning("%s: cannot make it private: %s", dest, strerror(errno));
		return 0;
	}
	snprintf(err, errlen, "cannot move %s to %s: too many files of that name", path, dir);
	return -1;
}

static int quarantine(const cfg *c, const char *path, const char *reason, char *err, size_t errlen)
{
	char dest[4200], rpath[4300];
	FILE *f;

	if (move_into(path, c->quarantine, dest, sizeof dest, err, errlen) < 0)
		return -1;
	snprintf(rpath, sizeof rpath, "%s.reason", dest);
	f = fopen(rpath, "w");
	if (!f || fprintf(f, "%s\n", reason) < 0 || fclose(f) != 0) {
		snprintf(err, errlen, "%s: %s", rpath, strerror(errno));
		return -1;
	}
	log_error("%s: quarantined to %s", path, dest);
	log_error_text(reason);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entries of the inbox, sorted; hidden and partial files left out.  The
 * array and its strings are malloc'd, the caller frees them. */
static char **list_inbox(const char *dir, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		snprintf(err, errlen, "inbox %s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((e = readdir(d))) {
		char path[4200];
		struct stat st;
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || (len > 4 && strcmp(e->d_name + len - 4, ".tmp") == 0) ||
		    (len > 5 && strcmp(e->d_name + len - 5, ".part") == 0) ||
		    (len > 14 && strcmp(e->d_name + len - 14, ".accept-shrink") == 0))
			continue;       /* FILE.accept-shrink is a marker for FILE */
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		/* lstat: a link or other non-regular file is listed, to be
		 * quarantined by name, its target never opened. */
		if (lstat(path, &st) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof *v);
			if (!nv)
				break;
			v = nv;
		}
		if (!(v[*n] = strdup(path)))
			break;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, cmp_str);
	return v ? v : calloc(1, sizeof *v);
}

/* Say which of the directories vqr writes data into (staging, archive,
 * quarantine) others may read or enter: what vqr creates in them is
 * private, but an operator's directory keeps the mode it was given. */
static void warn_shared_dirs(const cfg *c)
{
	const char *dirs[] = { c->staging, c->archive, c->quarantine };
	struct stat st;

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (dirs[i] && stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 077)) {
			log_warning("%s: others may read or enter this directory (mode %04o); it holds exports and "
				    "their rows", dirs[i], (unsigned)(st.st_mode & 07777));
			log_hint("chmod 700 %s", dirs[i]);
		}
}

/* ---- locks ------------------------------------------------------------- */

static int lock_staging(const cfg *c, int *fd, char *err, size_t errlen)
{
	char path[4200], info[512], host[256] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (cli_mkdirs(c->staging, err, errlen) < 0)
		return EXIT_INTERNAL;
	snprintf(path, sizeof path, "%s/.vqr.lock", c->staging);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return EXIT_INTERNAL;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		ssize_t n = read(*fd, info, sizeof info - 1);
		info[n > 0 ? n : 0] = '\0';
		info[strcspn(info, "\n")] = '\0';
		snprintf(err, errlen, "another vqr run holds the lock %s (%s)", path,
			 info[0] ? info : "holder unknown");
		close(*fd);
		*fd = -1;
		return EXIT_LOCKED;
	}
	gethostname(host, sizeof host - 1);
	localtime_r(&now, &tm);
	strftime(info, sizeof info, "%Y-%m-%d %H:%M:%S", &tm);
	if (ftruncate(*fd, 0) == 0)
		dprintf(*fd, "pid %ld on %s since %s\n", (long)getpid(), host, info);
	return 0;
}

/* ---- commands ---------------------------------------------------------- */

static void say_info(const char *msg)
{
	log_notice("%s", msg);
}

static int open_db(db *d, const cfg *c, const opts *o, int need_schema)
{
	char err[4096];
	if (db_open(d, c, o->database, say_info, err, sizeof err) < 0) {
		log_error_text(err);
		return EXIT_DB;
	}
	log_info("connected to %s", d->where);
	if (need_schema && migrate_check(d, err, sizeof err) < 0) {
		log_error_text(err);
		return EXIT_DB;
	}
	return 0;
}

static int cmd_init(const cfg *c, const opts *o)
{
	db d;
	char err[4096];
	int applied, rc;

	if ((rc = open_db(&d, c, o, 0)))
		return rc;
	if (migrate_apply(&d, &applied, err, sizeof err) < 0) {
		log_error_text(err);
		log_detail("%s", d.where);
		db_close(&d, 1);
		return EXIT_DB;
	}
	if (applied)
		printf("vqr: schema vqr upgraded: %d migration%s applied, now at %s (%s)\n", applied,
		       applied == 1 ? "" : "s", migrate_latest(), d.where);
	else
		printf("vqr: schema vqr is up to date at %s (%s)\n", migrate_latest(), d.where);
	rc = region_init(&d, c, &o->ro, stdout, err, sizeof err);
	if (rc)
		log_error_text(err);
	db_close(&d, 1);
	return rc;
}

/* What happened to one inbox file, for the summary. */
typedef struct fileres {
	char name[512];         /* base name in the inbox */
	const char *status;     /* loaded, already_loaded, quarantined, waiting, would_load, failed */
	char reason[1024];      /* why quarantined or failed (first line) */
	long long rows_read;    /* data rows read */
	long long rows_rejected; /* rows rejected */
	long long batch_id;     /* batch that loaded it (or that already had it) */
	notice_file *nf;        /* loaded or blocked: coverage and findings (owned), else NULL */
} fileres;

typedef struct tally {
	int loaded, skipped, quarantined, waiting;
	int failed;             /* files whose steps failed (left in the inbox, or not moved) */
	int failed_rc;          /* the exit code of the first such failure */
	long long rows, rejected;
	long long errors, warnings; /* findings of this run's batches */
	int look;               /* files with something to look at (unmapped, missing, errors) */
	fileres *files;         /* one per inbox file looked at */
	size_t nfiles, cap;
	int dry_run;            /* --dry-run: roll back, move nothing */
	const opts *o;          /* the command line (--accept-shrink) */
	int progress;           /* a terminal: show each file's progress on one line */
	size_t index, count;    /* the file being done (1-based) of how many, for that line */
} tally;

static fileres *new_result(tally *t, const char *path)
{
	if (t->nfiles == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		fileres *nf = realloc(t->files, nc * sizeof *nf);
		if (!nf)
			return NULL;
		t->files = nf;
		t->cap = nc;
	}
	fileres *f = &t->files[t->nfiles++];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", cli_basename(path));
	f->status = "failed";
	return f;
}

static void first_line(char *dst, size_t len, const char *text)
{
	snprintf(dst, len, "%.*s", (int)strcspn(text, "\n"), text);
}

/* Is path ready to be taken: unchanged for settle_seconds, and with its
 * .done marker when markers are configured? */
static int ready(const cfg *c, const char *path)
{
	struct stat st;
	char marker[4200];

	if (c->done_marker) {
		snprintf(marker, sizeof marker, "%s.done", path);
		if (access(marker, F_OK) != 0)
			return 0;
	}
	if (c->settle_seconds > 0) {
		if (stat(path, &st) < 0 || time(NULL) - st.st_mtime < c->settle_seconds)
			return 0;
	}
	return 1;
}

static void drop_marker(const cfg *c, const char *path)
{
	char marker[4200];
	snprintf(marker, sizeof marker, "%s.accept-shrink", path);
	unlink(marker);
	if (!c->done_marker)
		return;
	snprintf(marker, sizeof marker, "%s.done", path);
	unlink(marker);
}

/* After the load of f's batch (loaded or blocked): its column coverage
 * from the staging manifest and its findings, said as warnings and kept
 * for the summary.  Failing to read them is said, never fatal: the load
 * has committed. */
static void notice_loaded(db *d, const char *mpath, fileres *f, tally *t)
{
	char err[1024];
	notice_file *n = calloc(1, sizeof *n);

	if (!n) {
		log_error("out of memory");
		return;
	}
	f->nf = n;
	if (notice_coverage(n, mpath, err, sizeof err) < 0)
		log_warning("%s", err);
	if (f->batch_id && notice_findings(n, d, f->batch_id, err, sizeof err) < 0)
		log_warning("%s", err);
	notice_print(n, f->name);
	t->errors += n->errors;
	t->warnings += n->warnings;
	t->look += notice_wants_look(n);
}

/* The archived export of an earlier file with that name and sha256 (a
 * later namesake is archived as NAME.1, NAME.2, ...), into out; 0 if
 * found, else -1. */
static int archived_export(const cfg *c, const char *name, const char *sha, char *out, size_t len)
{
	for (int i = 0; i < 100; i++) {
		unsigned char dig[SHA256_DIGEST_LEN];
		char hex[65], e[256];
		if (i == 0)
			snprintf(out, len, "%s/%s", c->archive, name);
		else
			snprintf(out, len, "%s/%s.%d", c->archive, name, i);
		if (access(out, F_OK) != 0)
			return -1;
		if (sha256_file(out, dig, e, sizeof e) < 0)
			continue;
		sha256_hex(dig, hex);
		if (strcmp(hex, sha) == 0)
			return 0;
	}
	return -1;
}

/* The kept rows of an earlier file of the slices, into path: kept at
 * its load, else extracted again from its archived export (and kept
 * from now on).  fresh: extracted again whenever the export is there (the
 * catalog may map its columns differently now).  0, or -1 with why in
 * reason. */
static int kept_rows_of(const cfg *c, const char *config, const cfg_source *s, const char *sha, const char *name,
			const char *batch, const char *label, int fresh, char *path, size_t len, char *reason,
			size_t rlen)
{
	char exp[4300], dir[4300], rows[4400], tmp[4300], err[1024], prog[PATH_MAX + 32];
	int kept;

	keep_rows_path(c->archive, sha, path, len);
	kept = access(path, R_OK) == 0;
	if (kept && !fresh)
		return 0;       /* no need to look for (and hash) the export */
	if (archived_export(c, name, sha, exp, sizeof exp) < 0) {
		if (kept)
			return 0;

		snprintf(reason, rlen, "its slices' file %s (batch %s) has neither kept rows (%s) nor its export in %s",
			 name, batch, path, c->archive);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s/%s-rows-%.12s", c->staging, label, sha);
	stage_program("vqr-extract", prog, sizeof prog);
	{
		char *argv[] = { prog, "-c", (char *)config, "-s", s->name, "-o", dir, exp, NULL };
		int rc = run_child(argv, NULL, 0, err, sizeof err);
		if (rc != EXIT_OK && rc != EXIT_REJECTED) {
			snprintf(reason, rlen, "its slices' file %s (batch %s) could not be extracted again from %s (exit %d)",
				 name, batch, exp, rc);
			return -1;
		}
	}
	snprintf(rows, sizeof rows, "%s/rows.tsv", dir);
	if (keep_rows_begin(rows, c->archive, sha, tmp, sizeof tmp, err, sizeof err) < 0 ||
	    keep_rows_commit(tmp, err, sizeof err) < 0) {
		keep_rows_abort(tmp);
		snprintf(reason, rlen, "the rows of %s (batch %s) cannot be kept: %s", name, batch, err);
		return -1;
	}
	unlink(rows);
	return 0;
}

/* A supplement (补录): "-w PERIODS:ROWS" for vqr-transform for every
 * earlier file of the source's slices (vqr.slice_file; for slices loaded
 * before it existed, the files their values came from), appended to
 * *argv (*n of them, strings malloc'd).  A file whose rows are neither
 * kept nor extractable again adds its periods to gone (comma-separated,
 * glen bytes) and the first such reason to gone_why: the supplement
 * cannot be computed if it has rows in those periods, which only its
 * extract tells.  self_sha: a reprocessed file's sha256 (its own rows are
 * not added twice, and the others are extracted again from their exports
 * when there, as the catalog may map them differently now); NULL for a
 * supplement.  0, or -1 with why in reason. */
static int supplement_args(db *d, const cfg *c, const char *config, const cfg_source *s, const char *label,
			   const char *self_sha, char **argv, int *n, int max, char *gone, size_t glen, char *gone_why,
			   size_t wlen, char *reason, size_t rlen)
{
	char err[1024];
	const char *p[2] = { c->school_code, s->name };
	PGresult *r = db_query(d,
			       "WITH sf AS (SELECT period, file_id FROM vqr.slice_file WHERE school_code = $1 AND source_code = $2 "
			       "UNION SELECT DISTINCT v.period, v.file_id FROM vqr.indicator_value v "
			       "  WHERE v.school_code = $1 AND v.source_code = $2 AND v.file_id IS NOT NULL "
			       "  AND NOT EXISTS (SELECT 1 FROM vqr.slice_file x WHERE x.school_code = $1 "
			       "                  AND x.source_code = $2 AND x.period = v.period)) "
			       "SELECT string_agg(DISTINCT sf.period, ','), f.sha256, f.file_name, f.batch_id "
			       "FROM sf JOIN vqr.source_file f USING (file_id) "
			       "GROUP BY f.file_id, f.sha256, f.file_name, f.batch_id ORDER BY f.file_id",
			       2, p, err, sizeof err);
	if (!r) {
		snprintf(reason, rlen, "%s", err);
		return -1;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		char path[4300];
		size_t len;
		if (*n + 2 >= max) {
			snprintf(reason, rlen, "its slices have more than %d files", max / 2);
			PQclear(r);
			return -1;
		}
		if (self_sha && strcmp(PQgetvalue(r, i, 1), self_sha) == 0)
			continue;
		if (kept_rows_of(c, config, s, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), label,
				 self_sha != NULL, path, sizeof path, gone_why[0] ? err : gone_why,
				 gone_why[0] ? sizeof err : wlen) < 0) {
			size_t k = strlen(gone);
			snprintf(gone + k, glen - k, "%s%s", k ? "," : "", PQgetvalue(r, i, 0));
			continue;
		}
		len = strlen(PQgetvalue(r, i, 0)) + strlen(path) + 2;
		if (!(argv[*n + 1] = malloc(len)) || !(argv[*n] = strdup("-w"))) {
			free(argv[*n + 1]);
			snprintf(reason, rlen, "out of memory");
			PQclear(r);
			return -1;
		}
		snprintf(argv[*n + 1], len, "%s:%s", PQgetvalue(r, i, 0), path);
		*n += 2;
	}
	PQclear(r);
	return 0;
}

/* May path shrink its slice: named by --accept-shrink, or with a marker
 * path.accept-shrink beside it? */
static int shrink_accepted(const tally *t, const char *path)
{
	char marker[4200];
	for (int i = 0; i < t->o->naccept; i++)
		if (strcmp(t->o->accept[i], cli_basename(path)) == 0)
			return 1;
	snprintf(marker, sizeof marker, "%s.accept-shrink", path);
	return access(marker, F_OK) == 0;
}

/* Quarantine path with reason (said on stderr too), counted in t.
 * Returns 0 to go on, or an exit code to stop. */
static int quarantine_file(const cfg *c, const char *path, const char *reason, fileres *f, tally *t)
{
	char err[4096];
	first_line(f->reason, sizeof f->reason, reason);
	f->status = "quarantined";
	t->quarantined++;
	if (t->dry_run) {
		log_error_text(reason);
		return 0;
	}
	if (quarantine(c, path, reason, err, sizeof err) < 0) {  /* says it, with where to */
		log_error_text(err);
		return EXIT_INTERNAL;
	}
	drop_marker(c, path);
	return 0;
}

#define MAX_WITH 128            /* "-w PERIODS:ROWS" arguments of a supplement's transform */

/* What file_steps allocates for one file, freed by do_file whatever the
 * way out. */
typedef struct scratch {
	char *wargs[MAX_WITH];  /* a supplement's "-w" arguments (nwargs, malloc'd) */
	int nwargs;
	char kept[4300];        /* kept rows written, not yet in place ("" none) */
	char gone[1024];        /* a supplement's periods whose earlier rows are gone ("" none) */
	char gone_why[2048];    /* why (the first such file) */
} scratch;

/* Is any of m's periods in list (comma-separated)? */
static int manifest_in_periods(const manifest *m, const char *list)
{
	for (size_t i = 0; i < m->nperiods; i++)
		if (period_in_list(list, m->periods[i]))
			return 1;
	return 0;
}

/* A new staging directory's name for a file of s (not created): label
 * TIME-SOURCE[tag][-N], dir staging/label.  A fresh directory, also when
 * an earlier attempt in the same second left one (kept for the record):
 * the transform follows whatever rows appear in it. */
static void stage_dir_name(const cfg *c, const cfg_source *s, const char *tag, char *label, size_t llen, char *dir,
			   size_t dlen)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(label, llen, "%Y%m%dT%H%M%S", &tm);
	snprintf(label + strlen(label), llen - strlen(label), "-%.40s%s", s->name, tag);
	snprintf(dir, dlen, "%s/%s", c->staging, label);
	for (int i = 2; access(dir, F_OK) == 0 && i < 1000; i++) {
		char *dash = strrchr(label, '-');
		if (i > 2 && dash)
			*dash = '\0';
		snprintf(label + strlen(label), llen - strlen(label), "-%d", i);
		snprintf(dir, dlen, "%s/%s", c->staging, label);
	}
}

/* Start vqr-transform (targv) and, unless a dry run, vqr-load (largv,
 * its stdout read through *lfd) beside the extract: their pids into
 * *tpid and *lpid (-1 when they could not start, said on stderr). */
static void spawn_follow(char **targv, char **largv, const tally *t, pid_t *tpid, pid_t *lpid, int *lfd)
{
	char err[1024];

	if ((*tpid = spawn_child(targv, NULL, err, sizeof err)) < 0)
		log_error_text(err);
	if (!t->dry_run && (*lpid = spawn_child(largv, lfd, err, sizeof err)) < 0)
		log_error_text(err);
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

/* Wait for vqr-extract (pid) like wait_child, showing on the terminal one
 * line, updated in place, with the rows staged so far (the lines of
 * dir/rows.tsv, counted as they come), the megabytes of the export read
 * (of size), the percentage, rows/s and the time left.  Only called when
 * stderr is a terminal; the line is never logged.  The first one comes
 * after VQR_PROGRESS_DELAY_MS (500) milliseconds. */
static int wait_extract(pid_t pid, const char *name, const char *path, const char *dir, long long size,
			const tally *t, char *err, size_t errlen)
{
	const char *env = getenv("VQR_PROGRESS_DELAY_MS");
	long delay = env && *env ? atol(env) : 500;
	struct timespec t0, now, pause = { 0, 100 * 1000 * 1000 };
	char rpath[4300], buf[65536];
	long long rows = 0;
	int fd = -1, status;
	pid_t w;

	snprintf(rpath, sizeof rpath, "%s/rows.tsv", dir);
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
				t->index, t->count, cli_basename(path), rows > 0 ? rows - 1 : 0, mb, (double)size / 1e6,
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
			return wait_child(pid, name, err, errlen);
		snprintf(err, errlen, "waitpid: %s", strerror(e));
		return -1;
	}
	return child_status(status, name, err, errlen);
}

/* Has the file at path changed since st0 was taken (size, mtime, or
 * gone)? */
static int changed_since(const char *path, const struct stat *st0)
{
	struct stat st;
	return lstat(path, &st) < 0 || st.st_size != st0->st_size || st.st_mtim.tv_sec != st0->st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != st0->st_mtim.tv_nsec;
}

/* One file of the inbox.  Returns 0 to go on, or an exit code to stop. */
static int file_steps(const cfg *c, const char *config, db *d, const char *conninfo, const char *path,
		      tally *t, scratch *sc)
{
	char err[4096], hex[65], label[96], dir[4200], mpath[4300], out[512], dest[4200];
	stage_result lr;
	char prog[PATH_MAX + 32], tprog[PATH_MAX + 32], lprog[PATH_MAX + 32];
	pid_t tpid = -1, lpid = -1;
	int lfd = -1;
	const char *pp[2];
	const cfg_source *s;
	manifest m = { 0 };
	PGresult *r;
	fileres *f = new_result(t, path);
	char **wargs = sc->wargs, *kept = sc->kept, sha[65] = "";
	struct stat st0;        /* the file as it was taken */
	char *targv[MAX_WITH + 10], *largv[16];
	int rc;

	if (!f) {
		log_error("out of memory");
		return EXIT_INTERNAL;
	}
	/* A link, FIFO, directory or device: quarantined by name (the link
	 * itself moves), never opened. */
	if ((rc = cli_not_regular(path, err, sizeof err)) > 0)
		return quarantine_file(c, path, err, f, t);
	if (rc < 0) {
		log_error_text(err);
		first_line(f->reason, sizeof f->reason, err);
		return EXIT_INTERNAL;
	}
	if (!ready(c, path)) {
		log_info("%s: not ready yet (%s): left for the next run", path,
			 c->done_marker ? "no .done marker, or still changing" : "changed in the last settle_seconds");
		f->status = "waiting";
		t->waiting++;
		return 0;
	}
	/* Loaded before?  Only a file of the size of one loaded before can be
	 * (the sha256 is compared then); any other goes straight to the
	 * extract, which hashes what it reads, and vqr-load refuses a sha256
	 * loaded before all the same. */
	{
		struct stat st;
		char size[32];
		if (stat(path, &st) < 0) {
			snprintf(err, sizeof err, "%s: %s", path, strerror(errno));
			log_error_text(err);
			first_line(f->reason, sizeof f->reason, err);
			return EXIT_INTERNAL;
		}
		st0 = st;
		snprintf(size, sizeof size, "%lld", (long long)st.st_size);
		pp[0] = c->school_code;
		pp[1] = size;
		r = db_query(d, "SELECT 1 FROM vqr.source_file WHERE school_code = $1 AND size_bytes = $2 LIMIT 1", 2, pp,
			     err, sizeof err);
		if (!r) {
			log_error_text(err);
			first_line(f->reason, sizeof f->reason, err);
			return EXIT_DB;
		}
		hex[0] = '\0';
		if (PQntuples(r)) {
			unsigned char dig[SHA256_DIGEST_LEN];
			if (sha256_file(path, dig, err, sizeof err) < 0) {
				PQclear(r);
				log_error_text(err);
				first_line(f->reason, sizeof f->reason, err);
				return EXIT_INTERNAL;
			}
			sha256_hex(dig, hex);
		}
		PQclear(r);
	}
	pp[0] = c->school_code;
	pp[1] = hex;
	r = hex[0] ? db_query(d, "SELECT batch_id, to_char(loaded_at, 'YYYY-MM-DD HH24:MI'), file_name FROM vqr.source_file "
			      "WHERE school_code = $1 AND sha256 = $2", 2, pp, err, sizeof err)
		   : PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	if (!r) {
		log_error_text(err);
		first_line(f->reason, sizeof f->reason, err);
		return EXIT_DB;
	}
	if (PQntuples(r)) {
		log_warning("%s: already loaded as batch %s on %s (as %s): %s", cli_basename(path), PQgetvalue(r, 0, 0),
			    PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
			    t->dry_run ? "left in the inbox" : "moved to the archive, not loaded again");
		t->look++;
		f->batch_id = atoll(PQgetvalue(r, 0, 0));
		PQclear(r);
		f->status = "already_loaded";
		t->skipped++;
		if (t->dry_run)
			return 0;
		if (move_into(path, c->archive, dest, sizeof dest, err, sizeof err) < 0) {
			log_error_text(err);
			return EXIT_INTERNAL;
		}
		drop_marker(c, path);
		return 0;
	}
	PQclear(r);
	if (!(s = cfg_source_for_file(c, path))) {
		char reason[1024];
		snprintf(reason, sizeof reason, "%s: no source recognises this file name\n"
			 "hint: add a pattern to the \"files\" of its source in the configuration", path);
		return quarantine_file(c, path, reason, f, t);
	}
	stage_dir_name(c, s, t->dry_run ? "-dry" : "", label, sizeof label, dir, sizeof dir);

	/* Extract, with the transform following its rows as they come, and
	 * the load too: its transaction opens, the catalog and the batch are
	 * written, and (for a source with load_rows) the rows stream into it
	 * while they are written; the indicator records follow once the
	 * transform has them. */
	stage_program("vqr-extract", prog, sizeof prog);
	stage_program("vqr-transform", tprog, sizeof tprog);
	stage_program("vqr-load", lprog, sizeof lprog);
	if (stage_database(conninfo, err, sizeof err) < 0) {
		log_error_text(err);
		rc = EXIT_INTERNAL;
		goto stop;
	}
	if (cfg_is_supplement(s, path) &&
	    supplement_args(d, c, config, s, label, NULL, wargs, &sc->nwargs, MAX_WITH, sc->gone, sizeof sc->gone,
			    sc->gone_why, sizeof sc->gone_why, err, sizeof err) < 0) {
		char reason[4200];
		snprintf(reason, sizeof reason, "%s: a supplement (补录) of %s cannot be added to its slices: %s\n"
			 "hint: load the full export again, or take the file out of the source's supplement_files",
			 path, s->name, err);
		rc = quarantine_file(c, path, reason, f, t);
		goto stop;
	}
	{
		char *argv[] = { prog, "-c", (char *)config, "-s", s->name, "-o", dir, (char *)path,
				 log_verbose() ? "-v" : NULL, NULL };
		int nt = 0;
		targv[nt++] = tprog;
		targv[nt++] = "-c";
		targv[nt++] = (char *)config;
		targv[nt++] = "-f";
		targv[nt++] = s->name;
		for (int i = 0; i < sc->nwargs; i++)
			targv[nt++] = wargs[i];
		targv[nt++] = dir;
		targv[nt++] = log_verbose() ? "-v" : NULL;
		targv[nt] = NULL;
		/* -a (--accept-shrink, twice) or, when not accepted, the label once
		 * more: a NULL would end the argument list early. */
		char *la[] = { lprog, "-c", (char *)config, "-l", label, "-f", s->name,
			       shrink_accepted(t, path) ? "-a" : "-l", shrink_accepted(t, path) ? "-a" : label, dir,
			       log_verbose() ? "-v" : NULL, NULL };
		pid_t xpid;
		memcpy(largv, la, sizeof la);
		if ((xpid = spawn_child(argv, NULL, err, sizeof err)) < 0) {
			log_error_text(err);
			return EXIT_INTERNAL;
		}
		/* The transform and the load follow the extract, unless some of
		 * a supplement's slices may be missing earlier rows: then they
		 * start once the extract has said which periods the file has
		 * (else they could load it alone before it is stopped). */
		if (!sc->gone[0])
			spawn_follow(targv, largv, t, &tpid, &lpid, &lfd);
		rc = t->progress ? wait_extract(xpid, prog, path, dir, st0.st_size, t, err, sizeof err)
				 : wait_child(xpid, prog, err, sizeof err);
	}
	if (rc < 0 || (rc != EXIT_OK && rc != EXIT_REJECTED)) {
		if (rc < 0)
			log_error_text(err);
		stop_child(&tpid, tprog);
		stop_child(&lpid, lprog);
		log_error("%s: vqr-extract failed; the file stays in the inbox", path);
		snprintf(f->reason, sizeof f->reason, "vqr-extract failed");
		rc = rc < 0 ? EXIT_INTERNAL : rc;
		goto stop;
	}
	snprintf(mpath, sizeof mpath, "%s/manifest.yaml", dir);
	if (manifest_read(mpath, &m, err, sizeof err) < 0) {
		log_error_text(err);
		stop_child(&tpid, tprog);
		stop_child(&lpid, lprog);
		rc = EXIT_INTERNAL;
		goto stop;
	}
	f->rows_read = m.rows_read;
	f->rows_rejected = m.rows_rejected;
	snprintf(sha, sizeof sha, "%s", m.sha256 ? m.sha256 : "");
	if (sc->gone[0] && manifest_in_periods(&m, sc->gone)) {
		/* A supplement to a slice whose earlier rows are gone: it
		 * cannot be computed with them, and alone it would replace them. */
		char reason[4200];
		stop_child(&tpid, tprog);
		stop_child(&lpid, lprog);
		manifest_clear(&m);
		snprintf(reason, sizeof reason, "%s: a supplement (补录) of %s cannot be added to its slices: %s\n"
			 "hint: load the full export again, or take the file out of the source's supplement_files",
			 path, s->name, sc->gone_why);
		rc = quarantine_file(c, path, reason, f, t);
		goto stop;
	}
	if (sc->gone[0])
		spawn_follow(targv, largv, t, &tpid, &lpid, &lfd);
	if (m.status == MANIFEST_FAILED) {
		stop_child(&tpid, tprog);
		stop_child(&lpid, lprog);
		first_line(f->reason, sizeof f->reason, m.reason ? m.reason : "unreadable");
		f->status = "quarantined";
		t->quarantined++;
		rc = t->dry_run ? 0 : quarantine(c, path, m.reason ? m.reason : "unreadable", err, sizeof err);
		manifest_clear(&m);
		if (rc < 0) {
			log_error_text(err);
			rc = EXIT_INTERNAL;
			goto stop;
		}
		if (!t->dry_run)
			drop_marker(c, path);
		rc = 0;
		goto stop;
	}
	t->rows += m.rows_read;
	t->rejected += m.rows_rejected;
	manifest_clear(&m);

	rc = tpid > 0 ? wait_child(tpid, tprog, err, sizeof err) : EXIT_INTERNAL;
	tpid = -1;
	if (rc == EXIT_REJECTED) {
		/* rows of a summary sheet that name no indicator: count them too */
		long long before = f->rows_rejected;
		if (manifest_read(mpath, &m, err, sizeof err) < 0) {
			log_error_text(err);
			stop_child(&lpid, lprog);
			rc = EXIT_INTERNAL;
			goto stop;
		}
		f->rows_rejected = m.rows_rejected;
		t->rejected += m.rows_rejected - before;
		manifest_clear(&m);
		rc = EXIT_OK;
	}
	if (rc != EXIT_OK) {
		if (rc < 0)
			log_error_text(err);
		stop_child(&lpid, lprog);
		log_error("%s: vqr-transform failed; the file stays in the inbox", path);
		snprintf(f->reason, sizeof f->reason, "vqr-transform failed");
		rc = rc < 0 ? EXIT_INTERNAL : rc;
		goto stop;
	}

	if (!t->dry_run && sha[0]) {
		/* Keep the canonical rows for supplements and reprocessing: put in
		 * place once the load has committed. */
		char rpath[4200];
		snprintf(rpath, sizeof rpath, "%s/rows.tsv", dir);
		if (keep_rows_begin(rpath, c->archive, sha, kept, sizeof sc->kept, err, sizeof err) < 0)
			log_warning("%s: the canonical rows are not kept: %s", path, err);
	}
	if (!s->load_rows && !t->dry_run) {
		/* The transform has read the canonical rows and nothing else
		 * will: remove them while the load finishes (freeing a large
		 * file takes a while).  The staging directory keeps the manifest,
		 * rejects and indicator records; vqr-extract makes the rows again
		 * from the export. */
		char rpath[4200];
		snprintf(rpath, sizeof rpath, "%s/rows.tsv", dir);
		if (unlink(rpath) < 0 && errno != ENOENT)
			log_warning("%s: %s", rpath, strerror(errno));
	}
	if (lpid > 0) {
		/* Started with the extract: collect its line of output. */
		size_t got = 0;
		ssize_t k;
		while (got + 1 < sizeof out && ((k = read(lfd, out + got, sizeof out - 1 - got)) > 0 ||
						(k < 0 && errno == EINTR)))
			got += k > 0 ? (size_t)k : 0;
		out[got] = '\0';
		rc = wait_child(lpid, lprog, err, sizeof err);
		lpid = -1;
	} else {
		char *argv[] = { lprog, "-c", (char *)config, "-l", label,
				 shrink_accepted(t, path) ? "-a" : "-l", shrink_accepted(t, path) ? "-a" : label, dir,
				 t->dry_run ? "-n" : (log_verbose() ? "-v" : NULL), log_verbose() ? "-v" : NULL, NULL };
		fflush(stdout);
		rc = run_child(argv, t->dry_run ? NULL : out, sizeof out, err, sizeof err);
	}
	if (lfd >= 0)
		close(lfd);
	lfd = -1;
	if (t->dry_run || stage_result_parse(out, &lr) < 0)
		memset(&lr, 0, sizeof lr);
	if (kept[0]) {
		if (rc == EXIT_OK && lr.batch_id && lr.outcome == STAGE_LOADED) {
			if (keep_rows_commit(kept, err, sizeof err) < 0)
				log_warning("%s: the canonical rows are not kept: %s", path, err);
			kept[0] = '\0';
		} else {
			keep_rows_abort(kept);
			kept[0] = '\0';
		}
	}
	if (rc == EXIT_REJECTED && lr.batch_id && lr.outcome == STAGE_HELD) {
		/* A replacing file that would shrink its slice: held back in
		 * quarantine, with the figures, until the operator accepts it. */
		char reason[2048], hpath[4300], held[1500] = "";
		FILE *hf;
		snprintf(hpath, sizeof hpath, "%s/held.txt", dir);
		if ((hf = fopen(hpath, "r"))) {
			if (!fgets(held, sizeof held, hf))
				held[0] = '\0';
			fclose(hf);
			held[strcspn(held, "\n")] = '\0';
		}
		snprintf(reason, sizeof reason,
			 "%s: held back: it would replace its slice with much less (more than max_shrink %g of %s): %s\n"
			 "hint: if the smaller export is right, move it back into the inbox and run "
			 "vqr run --accept-shrink %s (or create %s.accept-shrink beside it); if it is a supplement (补录), "
			 "name it *补录* or add it to the source's supplement_files",
			 path, s->max_shrink, s->name, held, cli_basename(path), cli_basename(path));
		t->look++;
		f->batch_id = lr.batch_id;
		rc = quarantine_file(c, path, reason, f, t);
		f->status = "held";
		return rc;
	}
	if (rc == EXIT_REJECTED && lr.batch_id && lr.outcome == STAGE_BLOCKED) {
		/* A blocking check failed: the batch and its findings are recorded,
		 * nothing else; the file waits in quarantine for a corrected export. */
		char reason[1024];
		snprintf(reason, sizeof reason,
			 "%s: blocked by a validation check (batch %lld); see vqr.v_finding for the findings\n"
			 "hint: correct the export (or the check) and drop the file into the inbox again",
			 path, lr.batch_id);
		f->batch_id = lr.batch_id;
		notice_loaded(d, mpath, f, t);
		return quarantine_file(c, path, reason, f, t);
	}
	if (rc != EXIT_OK) {
		if (rc < 0)
			log_error_text(err);
		log_error("%s: vqr-load failed; the database is unchanged and the file stays in the inbox", path);
		snprintf(f->reason, sizeof f->reason, "vqr-load failed (exit %d)", rc);
		return rc < 0 ? EXIT_INTERNAL : rc;
	}
	if (t->dry_run) {
		f->status = "would_load";
		t->loaded++;
		return 0;
	}
	if (changed_since(path, &st0)) {
		/* Written to while it was read: what was read is loaded; the file
		 * stays for the next run, which loads it as a new version. */
		f->status = "changed";
		f->batch_id = lr.batch_id;
		snprintf(f->reason, sizeof f->reason, "changed while it was loaded");
		t->look++;
		if (lr.outcome == STAGE_LOADED)
			t->loaded++;
		log_warning("%s: changed while it was loaded (size or modification time): the version read is in "
			    "batch %lld; the file stays in the inbox and the next run loads it as a new version",
			    path, f->batch_id);
		return 0;
	}
	if (move_into(path, c->archive, dest, sizeof dest, err, sizeof err) < 0) {
		log_error_text(err);
		return EXIT_INTERNAL;
	}
	drop_marker(c, path);
	if (s->load_rows) {
		/* The canonical rows are loaded (or were before): the staging
		 * directory keeps the manifest, rejects and indicator records; the
		 * rows can be made again from the archived export with vqr-extract. */
		char rpath[4200];
		snprintf(rpath, sizeof rpath, "%s/rows.tsv", dir);
		if (unlink(rpath) < 0 && errno != ENOENT)
			log_warning("%s: %s", rpath, strerror(errno));
	}
	if (lr.outcome == STAGE_SKIPPED) {
		f->status = "already_loaded";
		t->skipped++;
	} else {
		f->status = "loaded";
		f->batch_id = lr.batch_id;
		t->loaded++;
		log_info("%s: loaded (batch %lld), archived as %s", path, f->batch_id, dest);
		notice_loaded(d, mpath, f, t);
	}
	return 0;
stop:
	if (lfd >= 0)
		close(lfd);
	return rc;
}

static int do_file(const cfg *c, const char *config, db *d, const char *conninfo, const char *path, tally *t)
{
	scratch sc;
	int rc;

	sc.nwargs = 0;
	sc.kept[0] = sc.gone[0] = sc.gone_why[0] = '\0';
	rc = file_steps(c, config, d, conninfo, path, t, &sc);
	keep_rows_abort(sc.kept);
	for (int i = 0; i < sc.nwargs; i++)
		free(sc.wargs[i]);
	return rc;
}

/* The run's summary as JSON, for monitoring (written atomically). */
static int write_summary_json(const char *path, const cfg *c, const tally *t, int status, time_t started,
			      const char *error, char *err, size_t errlen)
{
	char tmp[4200], ts[2][32];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	localtime_r(&started, &tm);
	strftime(ts[0], sizeof ts[0], "%Y-%m-%dT%H:%M:%S%z", &tm);
	localtime_r(&now, &tm);
	strftime(ts[1], sizeof ts[1], "%Y-%m-%dT%H:%M:%S%z", &tm);
	fprintf(f, "{\"school\": ");
	if (c)
		notice_json_str(f, c->school_code);
	else
		fputs("null", f);
	if (error) {
		fprintf(f, ", \"error\": ");
		notice_json_str(f, error);
	}
	fprintf(f, ", \"started\": \"%s\", \"finished\": \"%s\", \"exit_code\": %d, \"dry_run\": %s,\n"
		" \"loaded\": %d, \"already_loaded\": %d, \"quarantined\": %d, \"waiting\": %d, \"failed\": %d,"
		" \"rows_read\": %lld, \"rows_rejected\": %lld,\n \"findings\": {\"error\": %lld, \"warning\": %lld},"
		" \"files_to_look_at\": %d,\n \"files\": [",
		ts[0], ts[1], status, t->dry_run ? "true" : "false", t->loaded, t->skipped, t->quarantined,
		t->waiting, t->failed, t->rows, t->rejected, t->errors, t->warnings, t->look);
	for (size_t i = 0; i < t->nfiles; i++) {
		const fileres *r = &t->files[i];
		fprintf(f, "%s\n  {\"file\": ", i ? "," : "");
		notice_json_str(f, r->name);
		fprintf(f, ", \"status\": \"%s\", \"rows_read\": %lld, \"rows_rejected\": %lld", r->status,
			r->rows_read, r->rows_rejected);
		if (r->batch_id)
			fprintf(f, ", \"batch\": %lld", r->batch_id);
		if (r->reason[0]) {
			fprintf(f, ", \"reason\": ");
			notice_json_str(f, r->reason);
		}
		if (r->nf)
			notice_json(f, r->nf);
		fputc('}', f);
	}
	fprintf(f, "]}\n");
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Is the database still there (a failure of one file's load, or of all)? */
static int db_alive(db *d)
{
	char err[256];
	PGresult *r;

	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK)
		return 0;
	if (!(r = db_query(d, "SELECT 1", 0, NULL, err, sizeof err)))
		return 0;
	PQclear(r);
	return 1;
}

/* The locks of a run (or a reprocess): the staging directory's (*lockfd)
 * and, on the database opened into d, the school's.  0, or an exit code
 * after saying why (d and *lockfd to be closed by the caller all the
 * same). */
static int run_locks(const cfg *c, const opts *o, int *lockfd, db *d)
{
	char err[4096];
	const char *p[1] = { c->school_code };
	PGresult *r;
	int rc;

	if ((rc = lock_staging(c, lockfd, err, sizeof err))) {
		log_error_text(err);
		return rc;
	}
	warn_shared_dirs(c);
	if ((rc = open_db(d, c, o, 1)))
		return rc;
	r = db_query(d, "SELECT pg_try_advisory_lock(hashtext('vqr.run:' || $1))", 1, p, err, sizeof err);
	if (!r || PQgetvalue(r, 0, 0)[0] != 't') {
		if (r)
			log_error("another vqr run for school %s holds the database lock (%s)", c->school_code, d->where);
		else
			log_error_text(err);
		PQclear(r);
		return r ? EXIT_LOCKED : EXIT_DB;
	}
	PQclear(r);
	return 0;
}

/* Is the staging directory name that of a committed batch of c's school
 * (status loaded, blocked or reverted; its label may carry ".N"), of a
 * dry run, or a supplement's rows directory?  1 yes, 0 no or unknown. */
static int stage_done(db *d, const cfg *c, const char *name)
{
	char err[512];
	const char *p[2] = { c->school_code, name };
	size_t len = strlen(name);
	PGresult *r;
	int done;

	if ((len > 4 && strcmp(name + len - 4, "-dry") == 0) || strstr(name, "-rows-"))
		return 1;
	if (!(r = db_query(d, "SELECT 1 FROM vqr.batch WHERE school_code = $1 AND status IN ('loaded', 'blocked', "
			   "'reverted') AND (label = $2 OR left(label, length($2) + 1) = $2 || '.') LIMIT 1", 2, p,
			   err, sizeof err)))
		return 0;
	done = PQntuples(r) > 0;
	PQclear(r);
	return done;
}

/* Remove the staging directories (their files) that stage_done says are
 * finished with and that are older than keep_staging_days.  Failures are
 * warnings: the next run tries again. */
static void prune_staging(db *d, const cfg *c)
{
	time_t cutoff = time(NULL) - (time_t)c->keep_staging_days * 86400;
	DIR *dir;
	struct dirent *e;
	int n = 0;

	if (!c->keep_staging_days || !(dir = opendir(c->staging)))
		return;
	while ((e = readdir(dir))) {
		char path[4200], fpath[4600];
		struct stat st;
		DIR *sub;
		struct dirent *f;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", c->staging, e->d_name);
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_mtime > cutoff || !stage_done(d, c, e->d_name))
			continue;
		if ((sub = opendir(path))) {
			while ((f = readdir(sub)))
				if (strcmp(f->d_name, ".") && strcmp(f->d_name, "..")) {
					snprintf(fpath, sizeof fpath, "%s/%s", path, f->d_name);
					unlink(fpath);
				}
			closedir(sub);
		}
		if (rmdir(path) < 0)
			log_warning("%s: cannot remove the staging directory: %s", path, strerror(errno));
		else
			n++;
	}
	closedir(dir);
	if (n)
		log_info("removed %d staging director%s older than %d days (keep_staging_days)", n, n == 1 ? "y" : "ies",
			 c->keep_staging_days);
}

static int cmd_run(const cfg *c, const char *config, const opts *o)
{
	char err[4096], conninfo[8192];
	char **files = NULL;
	size_t n = 0;
	int lockfd = -1, rc = 0, status;
	tally t = { 0 };
	db d = { 0 };
	time_t started = time(NULL);
	int progress = isatty(STDERR_FILENO) && !log_verbose();

	t.dry_run = o->dry_run;
	t.o = o;
	if ((status = run_locks(c, o, &lockfd, &d)))
		goto summary;
	db_conninfo(&d, c, o->database, conninfo, sizeof conninfo);
	if (cli_mkdirs(c->inbox, err, sizeof err) < 0 || !(files = list_inbox(c->inbox, &n, err, sizeof err))) {
		log_error_text(err);
		status = EXIT_INTERNAL;
		goto summary;
	}
	rc = 0;
	t.progress = progress;
	t.count = n;
	if (progress)
		log_progress_line();
	for (size_t i = 0; i < n && rc == 0; i++) {
		t.index = i + 1;
		if (progress)
			fprintf(stderr, "\rvqr: [%zu/%zu] %s\033[K", i + 1, n, cli_basename(files[i]));
		rc = do_file(c, config, &d, conninfo, files[i], &t);
		/* A failure of this file's own (its data, its size, its move)
		 * leaves it where it is and the others go on; only a failure
		 * that every file would meet ends the run: the database gone. */
		if (rc && (rc != EXIT_DB || db_alive(&d))) {
			if (!t.failed++)
				t.failed_rc = rc;
			rc = 0;
		}
	}
	if (progress && n)
		fprintf(stderr, "\r\033[K");
	status = rc ? rc : t.failed ? t.failed_rc : t.rejected || t.quarantined ? EXIT_REJECTED : EXIT_OK;
	if (!rc && !o->dry_run)
		prune_staging(&d, c);
	if (status == EXIT_OK && c->fail_on >= 0 &&
	    (t.errors || (c->fail_on == CFG_WARNING && t.warnings))) {
		log_error("findings of severity %s or worse (fail_on): %lld errors, %lld warnings",
			  c->fail_on == CFG_ERROR ? "error" : "warning", t.errors, t.warnings);
		status = EXIT_REJECTED;
	}
summary:
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	db_close(&d, 1);
	if (lockfd >= 0)
		close(lockfd);
	/* Quiet on success for cron; the summary when asked for, on a
	 * terminal, or when something needs a look. */
	if (status != EXIT_LOCKED && (log_verbose() || isatty(STDOUT_FILENO) || status != EXIT_OK || o->dry_run ||
				      t.look || t.errors)) {
		char found[96] = "";
		if (t.errors || t.warnings)
			snprintf(found, sizeof found, "; findings: %lld error%s, %lld warning%s", t.errors,
				 t.errors == 1 ? "" : "s", t.warnings, t.warnings == 1 ? "" : "s");
		if (status != EXIT_OK && status != EXIT_REJECTED && !t.failed)
			printf("vqr: run stopped (exit %d): %d file%s loaded before the error\n", status, t.loaded,
			       t.loaded == 1 ? "" : "s");
		else if (t.failed)
			printf("vqr: %d file%s loaded (%lld rows, %lld rejected), %d already loaded, %d quarantined, "
			       "%d failed (exit %d: see the errors above; left for the next run)%s%s\n", t.loaded,
			       t.loaded == 1 ? "" : "s", t.rows, t.rejected, t.skipped, t.quarantined, t.failed, status,
			       rc ? "; the run stopped early" : "", found);
		else if (!t.loaded && !t.quarantined)
			printf("vqr: nothing new in %s (%d file%s already loaded%s)\n", c->inbox, t.skipped,
			       t.skipped == 1 ? "" : "s", t.waiting ? ", some not ready yet" : "");
		else
			printf("vqr: %s%d file%s %s (%lld rows, %lld rejected), %d already loaded, %d quarantined%s%s\n",
			       o->dry_run ? "dry run, nothing changed: " : "", t.loaded, t.loaded == 1 ? "" : "s",
			       o->dry_run ? "would load" : "loaded", t.rows, t.rejected, t.skipped, t.quarantined,
			       t.waiting ? ", some not ready yet" : "", found);
	}
	if (o->summary_json && write_summary_json(o->summary_json, c, &t, status, started, NULL, err, sizeof err) < 0) {
		log_error_text(err);
		if (status == EXIT_OK)
			status = EXIT_INTERNAL;
	}
	for (size_t i = 0; i < t.nfiles; i++) {
		if (t.files[i].nf)
			notice_clear(t.files[i].nf);
		free(t.files[i].nf);
	}
	free(t.files);
	return status;
}

/* The configured sources and the sha256 of the catalog that computes each
 * (cfg_catalog_sha256), as two text[] literals (*codes, *shas, malloc'd,
 * the caller frees both).  0, or -1 with err set. */
static int catalog_arrays(const cfg *c, char **codes, char **shas, char *err, size_t errlen)
{
	char **cv = calloc(c->nsources + 1, sizeof *cv), **hv = calloc(c->nsources + 1, sizeof *hv);
	char (*hex)[65] = calloc(c->nsources + 1, sizeof *hex);
	int rc = -1;

	*codes = *shas = NULL;
	if (!cv || !hv || !hex) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->nsources; i++) {
		if (cfg_catalog_sha256(c, &c->sources[i], hex[i], err, errlen) < 0)
			goto out;
		cv[i] = c->sources[i].name;
		hv[i] = hex[i];
	}
	*codes = db_text_array(cv, c->nsources);
	*shas = db_text_array(hv, c->nsources);
	if (!*codes || !*shas) {
		free(*codes);
		free(*shas);
		*codes = *shas = NULL;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(cv);
	free(hv);
	free(hex);
	return rc;
}

/* The current slices of c's school (source, period, the batch that last
 * computed it) whose batch was computed with another catalog than the
 * configured one; $1 school, $2 source codes, $3 their catalog sha256s
 * (catalog_arrays), $4 a source or NULL, $5 a period or NULL. */
#define STALE_SLICES_SQL \
	"SELECT v.source_code, v.period, v.batch_id FROM (SELECT source_code, period, max(batch_id) AS batch_id " \
	"  FROM vqr.indicator_value WHERE school_code = $1 AND source_code <> 'derived' GROUP BY 1, 2) v " \
	"JOIN vqr.batch b USING (batch_id) JOIN unnest($2::text[], $3::text[]) AS cur(source_code, sha) " \
	"  USING (source_code) " \
	"WHERE b.catalog_sha256 IS DISTINCT FROM cur.sha AND ($4::text IS NULL OR v.source_code = $4) " \
	"AND ($5::text IS NULL OR v.period = $5) "

/* vqr reprocess: one file of the current slices, computed again from its
 * archived export with the current catalog (with the rows of the other
 * files of its slices, extracted again too), replacing its slices in one
 * transaction that keeps the history (vqr-load --reprocess).  0 when it
 * was reprocessed (or would be, dry run), 1 when it could not be (said
 * why), or an exit code that ends the command. */
static int reprocess_file(const cfg *c, const char *config, db *d, const char *conninfo, const opts *o,
			  const char *name, const char *sha, const char *source)
{
	char exp[4300], label[96], dir[4200], mpath[4300], out[512], err[4096], gone[1024] = "", gone_why[2048] = "";
	char prog[PATH_MAX + 32], tprog[PATH_MAX + 32], lprog[PATH_MAX + 32];
	char *wargs[MAX_WITH], *targv[MAX_WITH + 8];
	const cfg_source *s = cfg_source_find(c, source);
	manifest m = { 0 };
	int nw = 0, nt = 0, rc = 1, k;

	if (!s) {
		log_error("%s: not reprocessed: its source %s is not in the catalog any more", name, source);
		return 1;
	}
	if (archived_export(c, name, sha, exp, sizeof exp) < 0) {
		log_error("%s: not reprocessed: its export is not in %s (sha256 %.12s...)", name, c->archive, sha);
		log_hint("drop the export into the inbox again under another name, or restore it to the archive");
		return 1;
	}
	stage_dir_name(c, s, o->dry_run ? "-reprocess-dry" : "-reprocess", label, sizeof label, dir, sizeof dir);
	if (supplement_args(d, c, config, s, label, sha, wargs, &nw, MAX_WITH, gone, sizeof gone, gone_why,
			    sizeof gone_why, err, sizeof err) < 0) {
		log_error("%s: not reprocessed: %s", name, err);
		goto out;
	}
	if (gone[0]) {
		log_error("%s: not reprocessed: the other files of its slices cannot be read again: %s", name, gone_why);
		goto out;
	}
	stage_program("vqr-extract", prog, sizeof prog);
	stage_program("vqr-transform", tprog, sizeof tprog);
	stage_program("vqr-load", lprog, sizeof lprog);
	{
		char *argv[] = { prog, "-c", (char *)config, "-s", s->name, "-o", dir, exp,
				 log_verbose() ? "-v" : NULL, NULL };
		k = run_child(argv, NULL, 0, err, sizeof err);
	}
	snprintf(mpath, sizeof mpath, "%s/manifest.yaml", dir);
	if (k < 0 || (k != EXIT_OK && k != EXIT_REJECTED) || manifest_read(mpath, &m, err, sizeof err) < 0 ||
	    (m.status == MANIFEST_FAILED)) {
		if (k < 0)
			log_error_text(err);
		log_error("%s: not reprocessed: vqr-extract could not read %s again", name, exp);
		goto out;
	}
	targv[nt++] = tprog;
	targv[nt++] = "-c";
	targv[nt++] = (char *)config;
	for (int i = 0; i < nw; i++)
		targv[nt++] = wargs[i];
	targv[nt++] = dir;
	targv[nt++] = log_verbose() ? "-v" : NULL;
	targv[nt] = NULL;
	k = run_child(targv, NULL, 0, err, sizeof err);
	if (k != EXIT_OK && k != EXIT_REJECTED) {
		if (k < 0)
			log_error_text(err);
		log_error("%s: not reprocessed: vqr-transform failed (exit %d)", name, k);
		goto out;
	}
	if (stage_database(conninfo, err, sizeof err) < 0) {
		log_error_text(err);
		rc = EXIT_INTERNAL;
		goto out;
	}
	{
		char *argv[] = { lprog, "-c", (char *)config, "-l", label, "-R", dir,
				 o->dry_run ? "-n" : (log_verbose() ? "-v" : NULL), log_verbose() ? "-v" : NULL, NULL };
		fflush(stdout);
		k = run_child(argv, o->dry_run ? NULL : out, sizeof out, err, sizeof err);
	}
	if (k != EXIT_OK) {
		if (k < 0)
			log_error_text(err);
		log_error("%s: not reprocessed: vqr-load failed (exit %d); its slices are unchanged", name, k);
		rc = k == EXIT_DB ? EXIT_DB : 1;
		goto out;
	}
	if (!o->dry_run) {
		stage_result r;
		if (stage_result_parse(out, &r) < 0 || r.outcome != STAGE_LOADED) {
			log_error("%s: not reprocessed: vqr-load says: %s", name, out);
			goto out;
		}
		printf("vqr: %s reprocessed (batch %lld): %lld values for %s, %lld replaced; findings: %lld errors, "
		       "%lld warnings\n", name, r.batch_id, r.values, s->name, r.replaced, r.errors, r.warnings);
	}
	rc = 0;
out:
	manifest_clear(&m);
	for (int i = 0; i < nw; i++)
		free(wargs[i]);
	return rc;
}

/* vqr reprocess: the current slices' files chosen by --all, --stale,
 * --source, --year or by name (ANDed), each computed again with the
 * current catalog in its own transaction.  An exit code. */
static int cmd_reprocess(const cfg *c, const char *config, const opts *o, int nnames, char **names)
{
	char err[4096], conninfo[8192], *codes = NULL, *shas = NULL, *named = NULL;
	const char *p[7];
	db d = { 0 };
	PGresult *r = NULL;
	int lockfd = -1, status, done = 0, failed = 0;

	if (!o->all && !o->stale && !o->source && !o->year && !nnames) {
		log_error("vqr reprocess: which slices? give --all, --stale, --source SOURCE, --year PERIOD or FILE...");
		log_hint("vqr status lists the slices computed with another catalog (--stale)");
		return EXIT_USAGE;
	}
	if ((status = run_locks(c, o, &lockfd, &d)))
		goto out;
	db_conninfo(&d, c, o->database, conninfo, sizeof conninfo);
	if (catalog_arrays(c, &codes, &shas, err, sizeof err) < 0 ||
	    (nnames && !(named = db_text_array(names, (size_t)nnames)))) {
		log_error_text(nnames && !named ? "out of memory" : err);
		status = EXIT_INTERNAL;
		goto out;
	}
	p[0] = c->school_code;
	p[1] = codes;
	p[2] = shas;
	p[3] = o->source;
	p[4] = o->year;
	p[5] = o->stale ? "t" : "f";
	p[6] = named;
	r = db_query(&d,
		     "WITH cur AS (SELECT source_code, period, file_id FROM vqr.slice_file WHERE school_code = $1 "
		     "  UNION SELECT DISTINCT v.source_code, v.period, v.file_id FROM vqr.indicator_value v "
		     "  WHERE v.school_code = $1 AND v.source_code <> 'derived' AND v.file_id IS NOT NULL "
		     "  AND NOT EXISTS (SELECT 1 FROM vqr.slice_file x WHERE x.school_code = $1 "
		     "                  AND x.source_code = v.source_code AND x.period = v.period)), "
		     "stale AS (" STALE_SLICES_SQL ") "
		     "SELECT f.file_name, f.sha256, f.source_code FROM cur JOIN vqr.source_file f USING (file_id) "
		     "WHERE ($4::text IS NULL OR cur.source_code = $4) AND ($5::text IS NULL OR cur.period = $5) "
		     "AND (NOT $6::bool OR (cur.source_code, cur.period) IN (SELECT source_code, period FROM stale)) "
		     "AND ($7::text[] IS NULL OR f.file_name = ANY($7::text[])) "
		     "GROUP BY f.file_id, f.file_name, f.sha256, f.source_code ORDER BY f.file_id",
		     7, p, err, sizeof err);
	if (!r) {
		log_error_text(err);
		status = EXIT_DB;
		goto out;
	}
	for (int i = 0; i < nnames; i++) {
		int found = 0;
		for (int k = 0; k < PQntuples(r) && !found; k++)
			found = strcmp(PQgetvalue(r, k, 0), names[i]) == 0;
		if (!found) {
			log_error("%s: not a file of the current slices%s", names[i],
				  o->stale || o->source || o->year ? " chosen" : "");
			log_hint("vqr status lists the loaded files; name a file as loaded (its base name)");
			failed++;
		}
	}
	for (int i = 0; i < PQntuples(r); i++) {
		int k = reprocess_file(c, config, &d, conninfo, o, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
				       PQgetvalue(r, i, 2));
		if (k > 1) {
			status = k;
			goto out;
		}
		k ? failed++ : done++;
	}
	if (!PQntuples(r) && !failed)
		printf("vqr: nothing to reprocess%s\n", o->stale ? ": every slice was computed with the current catalog" : "");
	else
		printf("vqr: %s%d file%s reprocessed, %d not\n", o->dry_run ? "dry run, nothing changed: " : "", done,
		       done == 1 ? "" : "s", failed);
	status = failed ? EXIT_REJECTED : EXIT_OK;
out:
	PQclear(r);
	free(codes);
	free(shas);
	free(named);
	db_close(&d, 1);
	if (lockfd >= 0)
		close(lockfd);
	return status;
}

/* vqr revert BATCH: restore the slices of that batch as they were before
 * it (revert.h).  An exit code. */
static int cmd_revert(const cfg *c, const opts *o, const char *arg)
{
	char err[4096], *end;
	long long batch = strtoll(arg, &end, 10);
	db d = { 0 };
	revert_result res;
	int rc;

	if (end == arg || *end || batch <= 0) {
		log_error("vqr revert %s: give a batch number (vqr status lists the last batches)", arg);
		return EXIT_USAGE;
	}
	if ((rc = open_db(&d, c, o, 1))) {
		db_close(&d, 1);
		return rc;
	}
	if (revert_batch(&d, c, batch, o->dry_run, &res, err, sizeof err) < 0) {
		log_error("batch %lld is not reverted; the database is unchanged", batch);
		log_error_text(err);
		db_close(&d, 1);
		return EXIT_REJECTED;
	}
	printf("vqr: %sbatch %lld reverted%s (batch %lld): %lld values restored, %lld taken back, periods %s; "
	       "%lld derived, findings: %lld errors, %lld warnings\n", o->dry_run ? "dry run, nothing changed: " : "",
	       batch, o->dry_run ? " would be" : "", res.batch_id, res.restored, res.removed, res.periods,
	       res.checks.derived, res.checks.errors, res.checks.warnings);
	db_close(&d, 1);
	return EXIT_OK;
}

/* Display width of UTF-8 text on a terminal (CJK count 2). */
static int width(const char *s)
{
	wchar_t wbuf[512];
	size_t n = mbstowcs(wbuf, s, 511);
	int w;
	if (n == (size_t)-1)
		return (int)strlen(s);
	wbuf[n] = 0;
	w = wcswidth(wbuf, n);
	return w < 0 ? (int)n : w;
}

static void pad(const char *s, int w, int right)
{
	int k = w - width(s);
	if (right)
		for (; k > 0; k--)
			putchar(' ');
	fputs(s, stdout);
	if (!right)
		for (; k > 0; k--)
			putchar(' ');
}

/* The heading of a section of vqr show: the period's kind in Chinese and
 * English around its label, e.g. "学年 2022-2023 (academic year)". */
static void show_heading(const char *period_type, const char *period)
{
	static const char *const kinds[][3] = {
		{ "academic_year", "学年", "academic year" },
		{ "semester", "学期", "semester" },
		{ "fiscal_year", "会计年度", "fiscal year" },
		{ "snapshot", "时点", "snapshot" },
	};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strcmp(period_type, kinds[k][0]) == 0) {
			printf("\n%s %s (%s)\n", kinds[k][1], period, kinds[k][2]);
			return;
		}
	printf("\n统计期 %s (%s)\n", period, period_type);
}

/* One section of vqr show: rows [from, to) of r, which all have the same
 * period, as a table (columns 2.. of r: code, name, breakdown, value,
 * unit), the breakdown only with --all; widths fit this section. */
static void show_section(PGresult *r, int from, int to, int all)
{
	enum { first = 2, ncol = 5 };
	static const char *const head[ncol] = { "指标代码", "指标", "分组", "值", "单位" };
	int w[ncol];

	show_heading(PQgetvalue(r, from, 0), PQgetvalue(r, from, 1));
	for (int j = 0; j < ncol; j++)
		w[j] = width(head[j]);
	for (int i = from; i < to; i++)
		for (int j = 0; j < ncol; j++)
			if (width(PQgetvalue(r, i, first + j)) > w[j])
				w[j] = width(PQgetvalue(r, i, first + j));
	for (int i = from - 1; i < to; i++)
		for (int j = 0; j < ncol; j++) {
			if (j == 2 && !all)
				continue;
			pad(i < from ? head[j] : PQgetvalue(r, i, first + j), w[j], j == 3);
			fputs(j + 1 < ncol ? "  " : "\n", stdout);
		}
}

/* The periods vqr show prints, as CTEs: has = the periods with computed
 * values of school $1; ay = the latest academic year among them; shown =
 * period $2 when --year gave one, else ay with what vqr report pairs with
 * it (its semesters, the fiscal year it starts in, its latest snapshot),
 * else (no academic year) the latest period of each kind. */
#define SHOW_PERIODS_SQL                                                                                  \
	"WITH has AS (SELECT q.period, q.period_type, q.start_date, q.end_date FROM vqr.period q "          \
	"  WHERE EXISTS (SELECT 1 FROM vqr.indicator_value x WHERE x.school_code = $1::text "               \
	"    AND x.period = q.period AND x.value_type = 'computed')), "                                    \
	"ay AS (SELECT h.* FROM has h WHERE h.period_type = 'academic_year' "                              \
	"  ORDER BY h.start_date DESC LIMIT 1), "                                                          \
	"shown AS (SELECT h.* FROM has h WHERE h.period = $2::text "                                        \
	"  UNION ALL "                                                                                      \
	"  SELECT h.* FROM has h, ay WHERE $2::text IS NULL AND (h.period = ay.period "                     \
	"    OR (h.period_type = 'semester' AND h.start_date BETWEEN ay.start_date AND ay.end_date) "     \
	"    OR (h.period_type = 'fiscal_year' AND h.period = left(ay.period, 4)) "                       \
	"    OR (h.period_type = 'snapshot' AND h.start_date = (SELECT max(z.start_date) FROM has z "       \
	"      WHERE z.period_type = 'snapshot' AND z.start_date BETWEEN ay.start_date AND ay.end_date))) " \
	"  UNION ALL "                                                                                      \
	"  SELECT h.* FROM has h WHERE $2::text IS NULL AND NOT EXISTS (SELECT 1 FROM ay) "                 \
	"    AND h.start_date = (SELECT max(z.start_date) FROM has z WHERE z.period_type = h.period_type)) "

/* Sections in this order: academic year, semesters, fiscal year, snapshot. */
#define SHOW_KIND_ORDER                                                                                   \
	"coalesce(array_position(ARRAY['academic_year', 'semester', 'fiscal_year', 'snapshot'], "         \
	"s.period_type), 9)"

/* After the sections of vqr show without --year: the periods loaded for
 * the school that are later than those shown of their kind (e.g. the
 * fiscal year 2023 beside 2022-2023), with how to see them.  0, or -1
 * after saying why. */
static int show_later(db *d, const char *school)
{
	char err[2048];
	const char *p[2] = { school, NULL };
	PGresult *r = db_query(d,
			       SHOW_PERIODS_SQL
			       "SELECT s.period_type, s.period FROM has s "
			       "WHERE s.period NOT IN (SELECT period FROM shown) "
			       "AND s.start_date > coalesce((SELECT max(w.start_date) FROM shown w "
			       "  WHERE w.period_type = s.period_type), (SELECT start_date FROM ay)) "
			       "ORDER BY " SHOW_KIND_ORDER ", s.start_date",
			       2, p, err, sizeof err);
	if (!r) {
		log_error_text(err);
		return -1;
	}
	if (PQntuples(r)) {
		printf("\n也已载入较新的统计期 / later periods also loaded:");
		for (int i = 0; i < PQntuples(r); i++)
			printf("%s %s", i ? "," : "", PQgetvalue(r, i, 1));
		printf(" (vqr show --year PERIOD)\n");
	}
	PQclear(r);
	return 0;
}

/* vqr show: the school's computed values, a section per period headed by
 * its kind and label.  With --year, that period only; without, the latest
 * academic year with the semesters, fiscal year and snapshot that vqr
 * report pairs with it, so that a fiscal year or a snapshot never passes
 * for the academic year, and the later periods are named. */
static int cmd_show(const cfg *c, const opts *o)
{
	char err[4096];
	const char *p[3] = { c->school_code, o->year, o->all ? "t" : "f" };
	db d;
	PGresult *r;
	int rc, n;

	if ((rc = open_db(&d, c, o, 1))) {
		db_close(&d, 1);
		return rc;
	}
	r = db_query(&d,
		     SHOW_PERIODS_SQL
		     "SELECT s.period_type, v.period, v.indicator_code, v.name_zh, v.breakdown_text, "
		     "CASE WHEN v.kind IN ('rate', 'mean') THEN to_char(round(v.value, 2), 'FM999999990.00') "
		     "ELSE trim_scale(round(v.value, 2))::text END || "
		     "CASE WHEN v.denominator IS NOT NULL AND v.kind = 'rate' "
		     "THEN ' (' || v.numerator || '/' || v.denominator || ')' ELSE '' END, v.unit "
		     "FROM vqr.v_indicator v JOIN shown s USING (period) "
		     "WHERE v.school_code = $1 AND v.value_type = 'computed' "
		     "AND ($3::bool OR v.breakdown = '{}') "
		     "ORDER BY " SHOW_KIND_ORDER ", s.start_date, v.period, v.indicator_code, v.breakdown_text",
		     3, p, err, sizeof err);
	if (!r) {
		log_error_text(err);
		db_close(&d, 1);
		return EXIT_DB;
	}
	n = PQntuples(r);
	if (!n) {
		printf("vqr: no indicators loaded for %s%s%s\n", c->school_code, o->year ? " in " : "",
		       o->year ? o->year : "");
	} else {
		printf("%s (%s)\n", c->school_name, c->school_code);
		for (int i = 0, j; i < n; i = j) {
			for (j = i + 1; j < n && strcmp(PQgetvalue(r, j, 1), PQgetvalue(r, i, 1)) == 0; j++)
				;
			show_section(r, i, j, o->all);
		}
	}
	PQclear(r);
	if (n && !o->year && show_later(&d, c->school_code) < 0)
		rc = EXIT_DB;
	db_close(&d, 1);
	return rc ? rc : EXIT_OK;
}

/* vqr status: the column coverage of the files behind the current
 * values (headers that map to no field, missing fields, indicators not
 * computed).  0, or -1 after saying why. */
static int status_coverage(db *d, const cfg *c)
{
	char err[1024];
	const char *p[1] = { c->school_code };
	PGresult *r = db_query(d,
			       "SELECT f.file_name, f.batch_id, "
			       "coalesce((SELECT string_agg(h || CASE WHEN coalesce(f.unmapped_hints[i], '') <> '' "
			       "  THEN ' (did you mean ' || f.unmapped_hints[i] || '?)' ELSE '' END, ', ' ORDER BY i) "
			       "  FROM unnest(f.unmapped_headers) WITH ORDINALITY AS u(h, i)), ''), "
			       "array_to_string(f.missing_fields, ', '), array_to_string(f.skipped_indicators, ', ') "
			       "FROM vqr.source_file f WHERE f.school_code = $1 "
			       "AND (cardinality(f.unmapped_headers) > 0 OR cardinality(f.missing_fields) > 0) "
			       "AND (EXISTS (SELECT 1 FROM vqr.indicator_value v WHERE v.file_id = f.file_id) "
			       "  OR EXISTS (SELECT 1 FROM vqr.finding x WHERE x.file_id = f.file_id AND x.superseded_by IS NULL)) "
			       "ORDER BY f.file_id DESC LIMIT 20",
			       1, p, err, sizeof err);
	if (!r) {
		log_error_text(err);
		return -1;
	}
	if (PQntuples(r))
		printf("column coverage of the loaded files:\n");
	for (int i = 0; i < PQntuples(r); i++) {
		printf("  %s (batch %s):", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
		if (PQgetvalue(r, i, 2)[0])
			printf(" unmapped columns: %s;", PQgetvalue(r, i, 2));
		if (PQgetvalue(r, i, 3)[0])
			printf(" missing fields: %s;", PQgetvalue(r, i, 3));
		if (PQgetvalue(r, i, 4)[0])
			printf(" not computed: %s", PQgetvalue(r, i, 4));
		printf("\n");
	}
	PQclear(r);
	return 0;
}

/* vqr status: the slices computed with another catalog than the one
 * configured now (vqr reprocess computes them again).  0, or -1 after
 * saying why. */
static int status_stale(db *d, const cfg *c)
{
	char err[1024], *codes, *shas;
	const char *p[5] = { c->school_code, NULL, NULL, NULL, NULL };
	PGresult *r;

	if (catalog_arrays(c, &codes, &shas, err, sizeof err) < 0) {
		log_error_text(err);
		return -1;
	}
	p[1] = codes;
	p[2] = shas;
	r = db_query(d,
		     "SELECT source_code, string_agg(period, ', ' ORDER BY period), "
		     "string_agg(DISTINCT batch_id::text, ', ') FROM (" STALE_SLICES_SQL ") s GROUP BY 1 ORDER BY 1",
		     5, p, err, sizeof err);
	free(codes);
	free(shas);
	if (!r) {
		log_error_text(err);
		return -1;
	}
	if (PQntuples(r))
		printf("slices computed with another catalog (vqr reprocess --stale computes them again):\n");
	for (int i = 0; i < PQntuples(r); i++)
		printf("  %s: %s (batch %s)\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
	PQclear(r);
	return 0;
}

/* vqr status: the files waiting in the inbox, and whether the next run
 * takes them (ready) or leaves them (still changing, no .done marker). */
static void status_inbox(const cfg *c)
{
	char err[1024];
	size_t n = 0;
	char **files = list_inbox(c->inbox, &n, err, sizeof err);

	if (!files) {
		if (errno != ENOENT)
			log_warning("%s", err);
		return;
	}
	if (!n)
		printf("nothing waiting in the inbox\n");
	else
		printf("waiting in %s:\n", c->inbox);
	for (size_t i = 0; i < n; i++) {
		printf("  %s: %s\n", cli_basename(files[i]), ready(c, files[i]) ? "ready: the next run takes it" :
		       c->done_marker ? "not ready yet (no .done marker, or still changing)" :
		       "not ready yet (changed in the last settle_seconds)");
		free(files[i]);
	}
	free(files);
}

/* vqr status: the last runs, what they loaded, the column coverage and
 * the catalog of the current slices, open findings, what is quarantined. */
static int cmd_status(const cfg *c, const opts *o)
{
	char err[4096], path[4200];
	const char *p[1] = { c->school_code };
	db d;
	PGresult *r;
	DIR *dir;
	struct dirent *e;
	int rc, nq = 0, fd;

	/* The lock first: is a run going on? */
	snprintf(path, sizeof path, "%s/.vqr.lock", c->staging);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
			char info[256];
			ssize_t k = read(fd, info, sizeof info - 1);
			info[k > 0 ? k : 0] = '\0';
			info[strcspn(info, "\n")] = '\0';
			printf("a run is going on: %s\n", info);
		}
		close(fd);
	}
	if ((rc = open_db(&d, c, o, 1))) {
		db_close(&d, 1);
		return rc;
	}
	r = db_query(&d,
		     "SELECT b.batch_id, to_char(b.started_at, 'YYYY-MM-DD HH24:MI'), b.status, f.file_name, "
		     "f.rows_read, f.rows_loaded, f.rows_rejected, array_to_string(f.periods, ','), "
		     "(SELECT count(*) FROM vqr.indicator_value v WHERE v.batch_id = b.batch_id) "
		     "FROM vqr.batch b LEFT JOIN vqr.source_file f USING (batch_id) "
		     "WHERE b.school_code = $1 ORDER BY b.batch_id DESC LIMIT 10",
		     1, p, err, sizeof err);
	if (!r) {
		log_error_text(err);
		db_close(&d, 1);
		return EXIT_DB;
	}
	printf("%s (%s), %s\n", c->school_name, c->school_code, d.where);
	if (!PQntuples(r))
		printf("no batch loaded yet\n");
	else
		printf("last batches:\n");
	for (int i = 0; i < PQntuples(r); i++)
		printf("  batch %s  %s  %s  %s: %s rows, %s loaded, %s rejected, %s values for %s\n",
		       PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
		       PQgetvalue(r, i, 4), PQgetvalue(r, i, 5), PQgetvalue(r, i, 6), PQgetvalue(r, i, 8),
		       PQgetvalue(r, i, 7));
	PQclear(r);
	if (status_coverage(&d, c) < 0 || status_stale(&d, c) < 0) {
		db_close(&d, 1);
		return EXIT_DB;
	}
	/* Open findings: the current ones (not superseded by a later check). */
	r = db_query(&d,
		     "SELECT f.severity, f.period, f.check_code, f.message FROM vqr.finding f "
		     "WHERE f.school_code = $1 AND f.superseded_by IS NULL "
		     "ORDER BY f.severity, f.period, f.check_code LIMIT 20",
		     1, p, err, sizeof err);
	if (!r) {
		log_error_text(err);
		db_close(&d, 1);
		return EXIT_DB;
	}
	if (!PQntuples(r))
		printf("no open findings\n");
	else
		printf("open findings:\n");
	for (int i = 0; i < PQntuples(r); i++)
		printf("  %s  %s  %s: %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
		       PQgetvalue(r, i, 3));
	PQclear(r);
	db_close(&d, 1);
	if ((dir = opendir(c->quarantine))) {
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			char rpath[4400], reason[512] = "";
			FILE *f;
			if (e->d_name[0] == '.' || (len > 7 && strcmp(e->d_name + len - 7, ".reason") == 0))
				continue;
			snprintf(rpath, sizeof rpath, "%s/%s.reason", c->quarantine, e->d_name);
			if ((f = fopen(rpath, "r"))) {
				if (!fgets(reason, sizeof reason, f))
					reason[0] = '\0';
				fclose(f);
				reason[strcspn(reason, "\n")] = '\0';
			}
			if (!nq++)
				printf("quarantined in %s:\n", c->quarantine);
			printf("  %s: %s\n", e->d_name, reason[0] ? reason : "(no reason file)");
		}
		closedir(dir);
	}
	if (!nq)
		printf("nothing in quarantine\n");
	status_inbox(c);
	return EXIT_OK;
}

static int cmd_db(const cfg *c, const char *what)
{
	embed_cluster cl;
	char err[4096];
	int running;

	if (c->database) {
		char shown[4096];
		log_error("the configuration names a database (%s): there is no embedded cluster to manage",
			  db_mask_conninfo(c->database, shown, sizeof shown));
		return EXIT_USAGE;
	}
	if (embed_init(&cl, c->embedded_dir, c->embedded_user, c->embedded_port, err, sizeof err) < 0) {
		log_error_text(err);
		return EXIT_INTERNAL;
	}
	if (strcmp(what, "start") == 0) {
		if (embed_start(&cl, err, sizeof err) < 0) {
			log_error_text(err);
			return EXIT_DB;
		}
		if (cl.note[0])
			log_warning("embedded PostgreSQL in %s: %s", cl.datadir, cl.note);
		printf("vqr: embedded PostgreSQL %s in %s\n", cl.started ? "started" : "already running", cl.datadir);
		printf("connect with: psql \"%s\"\n", cl.conninfo);
		return EXIT_OK;
	}
	if (strcmp(what, "stop") == 0) {
		if (embed_running(&cl) != 1) {
			printf("vqr: embedded PostgreSQL in %s is not running\n", cl.datadir);
			return EXIT_OK;
		}
		if (embed_stop(&cl, err, sizeof err) < 0) {
			log_error_text(err);
			return EXIT_DB;
		}
		if (cl.note[0])
			log_warning("embedded PostgreSQL in %s: %s", cl.datadir, cl.note);
		printf("vqr: embedded PostgreSQL in %s stopped\n", cl.datadir);
		return EXIT_OK;
	}
	if (strcmp(what, "status") == 0) {
		running = embed_running(&cl);
		printf("vqr: embedded PostgreSQL in %s is %s\n", cl.datadir,
		       running == 1 ? "running" : running == 0 ? "not running" : "in an unknown state");
		if (running == 1)
			printf("connect with: psql \"%s\"\n", cl.conninfo);
		return EXIT_OK;
	}
	log_error("unknown db command \"%s\" (start, stop or status)", what);
	return EXIT_USAGE;
}

static int cmd_region(const cfg *c, const opts *o, int argc, char **argv)
{
	db d;
	char err[4096];
	int rc, n = argc;

	if (n < 1 || (strcmp(argv[0], "add") == 0 ? n != 3 : strcmp(argv[0], "remove") == 0 ? n != 2 :
		      strcmp(argv[0], "status") == 0 ? n != 1 : 1)) {
		log_error("vqr region needs: add NAME CONNINFO, status, or remove NAME");
		log_hint("try \"vqr --help\"");
		return EXIT_USAGE;
	}
	if ((rc = open_db(&d, c, o, 1))) {
		db_close(&d, 1);
		return rc;
	}
	if (strcmp(argv[0], "add") == 0)
		rc = region_add(&d, argv[1], argv[2], stdout, err, sizeof err);
	else if (strcmp(argv[0], "remove") == 0)
		rc = region_remove(&d, argv[1], stdout, err, sizeof err);
	else
		rc = region_status(&d, stdout, err, sizeof err);
	if (rc)
		log_error_text(err);
	db_close(&d, 1);
	return rc;
}

/* vqr report: the quality report's tables (pipeline/report.h). */
static int cmd_report(const cfg *c, const opts *o)
{
	char err[4096], path[PATH_MAX + 64], latest[64], *dir = NULL;
	const char *school = o->school ? o->school : c ? c->school_code : NULL;
	const char *year = o->year;
	const char *fmt = o->format ? o->format : "text";
	report_format rf;
	report_layout *l;
	report_data *r = NULL;
	db d;
	int rc;

	if (strcmp(fmt, "text") == 0)
		rf = REPORT_TEXT;
	else if (strcmp(fmt, "markdown") == 0 || strcmp(fmt, "md") == 0)
		rf = REPORT_MARKDOWN;
	else if (strcmp(fmt, "csv") == 0)
		rf = REPORT_CSV;
	else {
		log_error("--format %s: text, markdown or csv", fmt);
		return EXIT_USAGE;
	}
	if (!school) {
		log_error("vqr report needs --school CODE (there is no configuration to take it from)");
		return EXIT_USAGE;
	}
	/* The layout: --layout, else report/ beside the configuration, else installed. */
	if (o->layout)
		snprintf(path, sizeof path, "%s", o->layout);
	else {
		char real[PATH_MAX];
		path[0] = '\0';
		if (c && c->path && realpath(c->path, real) && (dir = strrchr(real, '/'))) {
			*dir = '\0';
			snprintf(path, sizeof path, "%s/report/quality_report.yaml", real);
		}
		if (!path[0] || access(path, F_OK) != 0)
			snprintf(path, sizeof path, "%s/config/report/quality_report.yaml", VQR_DATADIR);
	}
	if (!(l = report_layout_load(path, err, sizeof err))) {
		log_error_text(err);
		if (!o->layout)
			log_hint("name the layout with --layout FILE");
		return EXIT_USAGE;
	}
	if (o->table && !report_layout_has_table(l, o->table)) {
		log_error("%s: no table \"%s\"", path, o->table);
		report_layout_free(l);
		return EXIT_USAGE;
	}
	if ((rc = open_db(&d, c, o, 1))) {
		db_close(&d, 1);
		report_layout_free(l);
		return rc;
	}
	if (!year) {
		const char *p[1] = { school };
		PGresult *y = db_query(&d, "SELECT max(v.period), (SELECT count(*) FROM vqr.school WHERE school_code = $1) "
				       "FROM vqr.indicator_value v JOIN vqr.period p USING (period) "
				       "WHERE v.school_code = $1 AND p.period_type = 'academic_year'", 1, p, err, sizeof err);
		if (!y || PQgetisnull(y, 0, 0)) {
			if (y && strcmp(PQgetvalue(y, 0, 1), "0") == 0)
				log_error("school %s is not in the database", school);
			else if (y)
				log_error("no academic year of %s is loaded: say which with --year", school);
			else
				log_error_text(err);
			PQclear(y);
			db_close(&d, 1);
			report_layout_free(l);
			return y ? EXIT_USAGE : EXIT_DB;
		}
		snprintf(latest, sizeof latest, "%s", PQgetvalue(y, 0, 0));
		year = latest;
		PQclear(y);
	}
	rc = report_fetch(d.conn, l, school, year, o->table, &r, err, sizeof err);
	db_close(&d, 1);
	if (rc) {
		log_error_text(err);
		report_layout_free(l);
		return rc;
	}
	for (size_t i = 0; report_warning(r, i); i++)
		log_warning("%s", report_warning(r, i));
	if (!report_values_found(r))
		log_warning("no value of %s in %s is loaded: every figure shows as —", school, year);
	report_write(r, rf, stdout);
	report_data_free(r);
	report_layout_free(l);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "database", required_argument, NULL, 'd' },
		{ "year", required_argument, NULL, 'y' },
		{ "all", no_argument, NULL, 'a' },
		{ "school", required_argument, NULL, 1001 },
		{ "format", required_argument, NULL, 1002 },
		{ "layout", required_argument, NULL, 1003 },
		{ "table", required_argument, NULL, 1004 },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "summary-json", required_argument, NULL, 'j' },
		{ "accept-shrink", required_argument, NULL, 1005 },
		{ "stale", no_argument, NULL, 1006 },
		{ "source", required_argument, NULL, 1007 },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "publish", no_argument, NULL, 'P' },
		{ "id-block", required_argument, NULL, 'B' },
		{ "region", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	opts o = { 0 };
	char err[4096];
	const char *cmd, *config;
	cfg *c;
	int ch, rc;

	log_init("vqr");
	cli_init_process();
	setlocale(LC_CTYPE, "C.UTF-8");
	while ((ch = getopt_long(argc, argv, "c:d:y:anj:vL:hV", lopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o.config = optarg; break;
		case 'd': o.database = optarg; break;
		case 'y': o.year = optarg; break;
		case 'a': o.all = 1; break;
		case 1001: o.school = optarg; break;
		case 1002: o.format = optarg; break;
		case 1003: o.layout = optarg; break;
		case 1004: o.table = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'j': o.summary_json = optarg; break;
		case 1005:
			if (o.naccept == (int)(sizeof o.accept / sizeof o.accept[0])) {
				log_error("--accept-shrink: at most %zu files", sizeof o.accept / sizeof o.accept[0]);
				return EXIT_USAGE;
			}
			o.accept[o.naccept++] = cli_basename(optarg);
			break;
		case 1006: o.stale = 1; break;
		case 1007: o.source = optarg; break;
		case 'P': o.ro.publish = 1; break;
		case 'R': o.ro.region = 1; break;
		case 'B':
			o.ro.id_block = atoi(optarg);
			if (o.ro.id_block < 1 || o.ro.id_block > 999999 || strspn(optarg, "0123456789") != strlen(optarg)) {
				log_error("--id-block %s: a number from 1 to 999999", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			if ((rc = cli_std_option(ch, optarg, "vqr", usage)) != CLI_GO_ON)
				return rc == CLI_NOT_MINE ? EXIT_USAGE : rc;
		}
	}
	if (optind >= argc) {
		log_error("no command given");
		log_hint("try \"vqr --help\"");
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	o.ro.database = o.database;
	if (strcmp(cmd, "init") && strcmp(cmd, "run") && strcmp(cmd, "show") && strcmp(cmd, "db") &&
	    strcmp(cmd, "status") && strcmp(cmd, "region") && strcmp(cmd, "report") && strcmp(cmd, "reprocess") &&
	    strcmp(cmd, "revert")) {
		log_error("unknown command \"%s\"", cmd);
		log_hint("try \"vqr --help\"");
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "region") != 0 && strcmp(cmd, "reprocess") != 0 &&
	    ((strcmp(cmd, "db") == 0 || strcmp(cmd, "revert") == 0) != (optind < argc) || argc - optind > 1)) {
		log_error(strcmp(cmd, "db") == 0 ? "vqr db needs start, stop or status" :
			  strcmp(cmd, "revert") == 0 ? "vqr revert needs a batch number" : "too many arguments");
		log_hint("try \"vqr --help\"");
		return EXIT_USAGE;
	}
	config = cli_config_path(o.config);
	/* A regional database, a report or the schema need no deployment
	 * file: --database is enough. */
	if ((strcmp(cmd, "region") == 0 || strcmp(cmd, "report") == 0 || strcmp(cmd, "init") == 0 || o.ro.region) &&
	    o.database && !o.config && access(config, F_OK) != 0)
		c = NULL;
	else if (!(c = cfg_load(config, err, sizeof err))) {
		log_error_text(err);
		if (strcmp(cmd, "run") == 0 && o.summary_json) {
			/* monitoring must not read last night's summary as tonight's */
			tally t = { 0 };
			char line[1024], e2[1024];
			first_line(line, sizeof line, err);
			if (write_summary_json(o.summary_json, NULL, &t, EXIT_USAGE, time(NULL), line, e2, sizeof e2) < 0)
				log_error_text(e2);
		}
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "init") == 0)
		rc = cmd_init(c, &o);
	else if (strcmp(cmd, "run") == 0)
		rc = cmd_run(c, config, &o);
	else if (strcmp(cmd, "show") == 0)
		rc = cmd_show(c, &o);
	else if (strcmp(cmd, "status") == 0)
		rc = cmd_status(c, &o);
	else if (strcmp(cmd, "revert") == 0)
		rc = cmd_revert(c, &o, argv[optind]);
	else if (strcmp(cmd, "reprocess") == 0)
		rc = cmd_reprocess(c, config, &o, argc - optind, argv + optind);
	else if (strcmp(cmd, "region") == 0)
		rc = cmd_region(c, &o, argc - optind, argv + optind);
	else if (strcmp(cmd, "report") == 0)
		rc = cmd_report(c, &o);
	else
		rc = cmd_db(c, argv[optind]);
	cfg_free(c);
	return cli_finish_stdout(rc);
}
