/*
 * runfile_args.c - the pure helpers of runfile.h: batch labels and
 * staging directories, the stage programs' command lines, and what a
 * file's load result means for it (no process, no database: unit-tested
 * by tests/unit/test_runfile.c).  runfile.c holds the steps of a file.
 */
#include "pipeline/runfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/util/cli.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "pipeline/inbox.h"
#include "pipeline/notice.h"

void runfile_first_line(char *dst, size_t len, const char *text)
{
	snprintf(dst, len, "%.*s", (int)strcspn(text, "\n"), text);
}

void runfile_label(char *label, size_t llen, time_t when, const char *source, const char *tag, int n)
{
	struct tm tm;
	size_t k;

	localtime_r(&when, &tm);
	k = strftime(label, llen, "%Y%m%dT%H%M%S", &tm);
	snprintf(label + k, llen - k, "-%.40s%s", source, tag);
	k = strlen(label);
	if (n >= 2)
		snprintf(label + k, llen - k, "-%d", n);
}

void runfile_stage_dir(const cfg *c, const cfg_source *s, const char *tag, char *label, size_t llen, char *dir,
		       size_t dlen)
{
	time_t now = time(NULL);

	runfile_label(label, llen, now, s->name, tag, 0);
	snprintf(dir, dlen, "%s/%s", c->staging, label);
	for (int i = 2; access(dir, F_OK) == 0 && i < 1000; i++) {
		runfile_label(label, llen, now, s->name, tag, i);
		snprintf(dir, dlen, "%s/%s", c->staging, label);
	}
}

void runfile_extract_argv(char **argv, char *prog, const char *config, const char *source, const char *dir,
			  const char *path, int verbose)
{
	char *v[] = { prog, "-c", (char *)config, "-s", (char *)source, "-o", (char *)dir, (char *)path,
		      verbose ? "-v" : NULL, NULL };
	memcpy(argv, v, sizeof v);
}

void runfile_transform_argv(char **argv, char *prog, const char *config, const char *follow, char **wargs, int nw,
			    const char *dir, int verbose)
{
	int n = 0;

	argv[n++] = prog;
	argv[n++] = "-c";
	argv[n++] = (char *)config;
	if (follow) {
		argv[n++] = "-f";
		argv[n++] = (char *)follow;
	}
	for (int i = 0; i < nw; i++)
		argv[n++] = wargs[i];
	argv[n++] = (char *)dir;
	argv[n++] = verbose ? "-v" : NULL;
	argv[n] = NULL;
}

void runfile_load_argv(char **argv, char *prog, const char *config, const char *label, const char *follow,
		       int accepted, const char *dir, int dry_run, int verbose)
{
	int n = 0;

	argv[n++] = prog;
	argv[n++] = "-c";
	argv[n++] = (char *)config;
	argv[n++] = "-l";
	argv[n++] = (char *)label;
	if (follow) {
		argv[n++] = "-f";
		argv[n++] = (char *)follow;
	}
	argv[n++] = accepted ? "-a" : "-l";
	argv[n++] = accepted ? "-a" : (char *)label;
	argv[n++] = (char *)dir;
	if (!follow)
		argv[n++] = dry_run ? "-n" : verbose ? "-v" : NULL;
	argv[n++] = verbose ? "-v" : NULL;
	argv[n] = NULL;
}

int runfile_shrink_accepted(const tally *t, const char *path)
{
	char *marker;
	int yes;

	for (int i = 0; i < t->naccept; i++)
		if (strcmp(t->accept[i], cli_basename(path)) == 0)
			return 1;
	marker = xasprintf("%s" INBOX_ACCEPT_SUFFIX, path);
	yes = access(marker, F_OK) == 0;
	free(marker);
	return yes;
}

int runfile_in_periods(const manifest *m, const char *list)
{
	for (size_t i = 0; i < m->nperiods; i++)
		if (period_in_list(list, m->periods[i]))
			return 1;
	return 0;
}

runfile_outcome runfile_load_outcome(int rc, const stage_result *lr, int dry_run)
{
	if (rc == EXIT_REJECTED && lr->batch_id && lr->outcome == STAGE_HELD)
		return RUNFILE_HELD;
	if (rc == EXIT_REJECTED && lr->batch_id && lr->outcome == STAGE_BLOCKED)
		return RUNFILE_BLOCKED;
	if (rc != EXIT_OK)
		return RUNFILE_FAILED;
	if (dry_run)
		return RUNFILE_WOULD_LOAD;
	return lr->outcome == STAGE_SKIPPED ? RUNFILE_SKIPPED : RUNFILE_LOADED;
}

int runfile_keeps_rows(int rc, const stage_result *lr)
{
	return rc == EXIT_OK && lr->batch_id && lr->outcome == STAGE_LOADED;
}

char *runfile_held_reason(const char *path, double max_shrink, const char *source, const char *held)
{
	return xasprintf("%s: held back: it would replace its slice with much less (more than max_shrink %g of %s): "
			 "%s\nhint: if the smaller export is right, move it back into the inbox and run "
			 "vqr run --accept-shrink %s (or create %s.accept-shrink beside it); if it is a supplement "
			 "(补录), name it *补录* or add it to the source's supplement_files",
			 path, max_shrink, source, held, cli_basename(path), cli_basename(path));
}

void tally_free(tally *t)
{
	for (size_t i = 0; i < t->nfiles; i++) {
		if (t->files[i].nf)
			notice_clear(t->files[i].nf);
		free(t->files[i].nf);
	}
	free(t->files);
	t->files = NULL;
	t->nfiles = t->cap = 0;
}

