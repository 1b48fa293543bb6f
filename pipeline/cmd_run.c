/*
 * cmd_run.c - vqr run: the locks, each file of the inbox through the
 * stages (runfile.h), the staging directories pruned, the summary said
 * and written as JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "pipeline/cmd.h"
#include "pipeline/inbox.h"
#include "pipeline/notice.h"
#include "pipeline/runfile.h"

static int lock_staging(const cfg *c, int *fd, char *err, size_t errlen)
{
	char info[512], host[256] = "", *path = xasprintf("%s/.vqr.lock", c->staging);
	time_t now = time(NULL);
	struct tm tm;

	if (cli_mkdirs(c->staging, err, errlen) < 0) {
		free(path);
		return EXIT_INTERNAL;
	}
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return EXIT_INTERNAL;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		ssize_t n = read(*fd, info, sizeof info - 1);
		info[n > 0 ? n : 0] = '\0';
		info[strcspn(info, "\n")] = '\0';
		err_set(err, errlen, "another vqr run holds the lock %s (%s)", path, info[0] ? info : "holder unknown");
		close(*fd);
		*fd = -1;
		free(path);
		return EXIT_LOCKED;
	}
	gethostname(host, sizeof host - 1);
	localtime_r(&now, &tm);
	strftime(info, sizeof info, "%Y-%m-%d %H:%M:%S", &tm);
	if (ftruncate(*fd, 0) == 0)
		dprintf(*fd, "pid %ld on %s since %s\n", (long)getpid(), host, info);
	free(path);
	return 0;
}

/* The run's summary as JSON (see cmd.h). */
int run_summary_json(const char *path, const cfg *c, const tally *t, int status, time_t started,
			      const char *error, char *err, size_t errlen)
{
	char tmp[4200], ts[2][32];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(f = fopen(tmp, "w"))) {
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
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
	fprintf(f, ", \"started\": \"%s\", \"finished\": \"%s\", \"seconds\": %lld, \"exit_code\": %d, \"dry_run\": %s,\n"
		" \"loaded\": %d, \"already_loaded\": %d, \"quarantined\": %d, \"waiting\": %d, \"failed\": %d,"
		" \"rows_read\": %lld, \"rows_rejected\": %lld,\n \"findings\": {\"error\": %lld, \"warning\": %lld},"
		" \"files_to_look_at\": %d,\n \"files\": [",
		ts[0], ts[1], (long long)(now - started), status, t->dry_run ? "true" : "false", t->loaded, t->skipped, t->quarantined,
		t->waiting, t->failed, t->rows, t->rejected, t->errors, t->warnings, t->look);
	for (size_t i = 0; i < t->nfiles; i++) {
		const fileres *r = &t->files[i];
		fprintf(f, "%s\n  {\"file\": ", i ? "," : "");
		notice_json_str(f, r->name);
		fprintf(f, ", \"status\": \"%s\", \"rows_read\": %lld, \"rows_rejected\": %lld", r->status,
			r->rows_read, r->rows_rejected);
		if (r->source[0]) {
			fprintf(f, ", \"source\": ");
			notice_json_str(f, r->source);
		}
		if (r->sources[0]) {
			char all[sizeof r->sources], *save = NULL;
			int first = 1;

			snprintf(all, sizeof all, "%s", r->sources);
			fprintf(f, ", \"sources\": [");
			for (char *s = strtok_r(all, ",", &save); s; s = strtok_r(NULL, ",", &save), first = 0) {
				fprintf(f, "%s", first ? "" : ", ");
				notice_json_str(f, s);
			}
			fprintf(f, "]");
		}
		fprintf(f, ", \"ms\": %lld", r->ms);
		if (r->extract_ms >= 0)
			fprintf(f, ", \"extract_ms\": %lld", r->extract_ms);
		if (r->transform_ms >= 0)
			fprintf(f, ", \"transform_ms\": %lld", r->transform_ms);
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
		err_set(err, errlen, "%s: cannot write: %s", path, strerror(errno));
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
int run_locks(const cfg *c, const opts *o, int *lockfd, db *d)
{
	char err[4096];
	const char *p[1] = { c->school_code };
	PGresult *r;
	int rc;

	if ((rc = lock_staging(c, lockfd, err, sizeof err))) {
		log_error_text(err);
		return rc;
	}
	inbox_warn_shared(c);
	if ((rc = cmd_open_db(d, c, o, 1)))
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

/* The run's summary on stdout: quiet on success for cron; said when
 * asked for, on a terminal, or when something needs a look.  rc: the
 * exit code that stopped the run early (0 none). */
static void say_summary(const cfg *c, const opts *o, const tally *t, int status, int rc)
{
	char found[96] = "";

	if (status == EXIT_LOCKED || !(log_verbose() || isatty(STDOUT_FILENO) || status != EXIT_OK || o->dry_run ||
				       t->look || t->errors))
		return;
	if (t->errors || t->warnings)
		snprintf(found, sizeof found, "; findings: %lld error%s, %lld warning%s", t->errors,
			 t->errors == 1 ? "" : "s", t->warnings, t->warnings == 1 ? "" : "s");
	if (status != EXIT_OK && status != EXIT_REJECTED && !t->failed)
		printf("vqr: run stopped (exit %d): %d file%s loaded before the error\n", status, t->loaded,
		       t->loaded == 1 ? "" : "s");
	else if (t->failed)
		printf("vqr: %d file%s loaded (%lld rows, %lld rejected), %d already loaded, %d quarantined, "
		       "%d failed (exit %d: see the errors above; left for the next run)%s%s\n", t->loaded,
		       t->loaded == 1 ? "" : "s", t->rows, t->rejected, t->skipped, t->quarantined, t->failed, status,
		       rc ? "; the run stopped early" : "", found);
	else if (!t->loaded && !t->quarantined)
		printf("vqr: nothing new in %s (%d file%s already loaded%s)\n", c->inbox, t->skipped,
		       t->skipped == 1 ? "" : "s", t->waiting ? ", some not ready yet" : "");
	else
		printf("vqr: %s%d file%s %s (%lld rows, %lld rejected), %d already loaded, %d quarantined%s%s\n",
		       o->dry_run ? "dry run, nothing changed: " : "", t->loaded, t->loaded == 1 ? "" : "s",
		       o->dry_run ? "would load" : "loaded", t->rows, t->rejected, t->skipped, t->quarantined,
		       t->waiting ? ", some not ready yet" : "", found);
}

/* What a file's steps returned (rc, of runfile_do): a failure of the
 * file's own (its data, its size, its move) leaves it where it is and the
 * others go on (counted in t, 0 returned); only a failure that every file
 * would meet ends the run: the database gone (rc returned). */
static int file_ended(tally *t, db *d, int rc)
{
	if (rc && (rc != EXIT_DB || db_alive(d))) {
		if (!t->failed++)
			t->failed_rc = rc;
		rc = 0;
	}
	return rc;
}

/* The files of the inbox through the stages, with one file in flight
 * (prev): its load runs while the next file is extracted and transformed
 * (runfile_begin's comment).  0, or the code that ended the run. */
static int run_files(const cfg *c, const char *config, db *d, const char *conninfo, char **files, size_t n,
		     tally *t)
{
	filerun *prev = NULL, *r;
	int rc = 0, k;

	for (size_t i = 0; i < n && rc == 0; i++) {
		t->index = i + 1;
		if (prev && runfile_in_order(c, files[i]))
			rc = file_ended(t, d, runfile_end(prev)), prev = NULL;
		if (rc)
			break;
		if (t->progress)
			fprintf(stderr, "\rvqr: [%zu/%zu] %s\033[K", i + 1, n, cli_basename(files[i]));
		r = runfile_begin(c, config, d, conninfo, files[i], t, &k);
		rc = file_ended(t, d, k);
		if (prev && (k = file_ended(t, d, runfile_end(prev))) && !rc)
			rc = k;
		if ((prev = r) && !rc)
			runfile_send_load(prev);
	}
	if (prev && (k = file_ended(t, d, runfile_end(prev))) && !rc)
		rc = k;
	return rc;
}

/* Start the extract's and the transform's servers while the driver
 * connects and takes its locks (runfile_servers_prestart), when a look
 * at the inbox (before the lock: the list is taken again under it) finds
 * files. */
static void prestart(const cfg *c, runfile_servers *srv)
{
	char err[256];
	size_t n = 0;
	char **files = inbox_list(c->inbox, &n, err, sizeof err);

	if (n)
		runfile_servers_prestart(srv);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
}

int cmd_run(const cfg *c, const char *config, const opts *o, int argc, char **argv)
{
	char err[4096], conninfo[8192];
	char **files = NULL;
	size_t n = 0;
	int lockfd = -1, rc = 0, status;
	tally t = { 0 };
	runfile_servers srv;
	db d = { 0 };
	time_t started = time(NULL);
	int progress = isatty(STDERR_FILENO) && !log_verbose();

	(void)argc;
	(void)argv;
	t.dry_run = o->dry_run;
	t.accept = o->accept;
	t.naccept = o->naccept;
	runfile_servers_init(&srv, config);
	t.srv = &srv;
	prestart(c, &srv);
	if ((status = run_locks(c, o, &lockfd, &d)))
		goto summary;
	db_conninfo(&d, c, o->database, conninfo, sizeof conninfo);
	if (cli_mkdirs(c->inbox, err, sizeof err) < 0 || !(files = inbox_list(c->inbox, &n, err, sizeof err))) {
		log_error_text(err);
		status = EXIT_INTERNAL;
		goto summary;
	}
	rc = 0;
	t.progress = progress;
	t.count = n;
	if (progress)
		log_progress_line();
	rc = run_files(c, config, &d, conninfo, files, n, &t);
	runfile_servers_close(&srv);
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
	runfile_servers_close(&srv);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	db_close(&d, 1);
	if (lockfd >= 0)
		close(lockfd);
	say_summary(c, o, &t, status, rc);
	if (o->summary_json && run_summary_json(o->summary_json, c, &t, status, started, NULL, err, sizeof err) < 0) {
		log_error_text(err);
		if (status == EXIT_OK)
			status = EXIT_INTERNAL;
	}
	tally_free(&t);
	return status;
}
