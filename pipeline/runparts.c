/*
 * runparts.c - a workbook read as parts: its sheets matched to sources,
 * and the stage programs' arguments for them (see runparts.h).
 */
#include "pipeline/runparts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

/* The output of --list-sheets that is read at most (a longer list is not
 * taken as a list: the file is then read as one table). */
#define LIST_MAX (64 * 1024)

/* Sheet name (len bytes) to part or to the unmatched list of p.  0, or -1
 * with err when there are too many parts. */
static int add_sheet(const cfg *c, const char *path, runparts *p, str *unmatched, const char *name, char *err,
		     size_t errlen)
{
	const cfg_source *s = cfg_source_for_sheet(c, path, name);

	if (!s) {
		str_addf(unmatched, "%s\"%s\"", unmatched->len ? ", " : "", name);
		return 0;
	}
	if (p->n == RUNPARTS_MAX)
		return err_set(err, errlen, "%s: more than %d sheets are matched by sources' sheets patterns",
			       path, RUNPARTS_MAX);
	runparts_add(p, name, s);
	return 0;
}

void runparts_add(runparts *p, const char *sheet, const cfg_source *s)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	memset(&p->v[p->n], 0, sizeof p->v[p->n]);
	p->v[p->n].sheet = xstrdup(sheet);
	p->v[p->n].s = s;
	p->n++;
}

int runparts_find(const cfg *c, const char *config, stagesrv *x, const char *path, runparts *p, char *err,
		  size_t errlen)
{
	char *argv[] = { "vqr-extract", "-c", (char *)config, "--list-sheets", (char *)path, NULL };
	char *out = xmalloc(LIST_MAX), *line, *next;
	str unmatched = STR_INIT;
	int rc = stagesrv_run(x, argv, out, LIST_MAX, err, errlen);

	if (rc != 0 || !out[0] || strlen(out) + 1 >= LIST_MAX) {   /* said by vqr-extract, no sheets (CSV), too many */
		free(out);
		return 1;
	}
	rc = 0;
	for (line = out; rc == 0 && *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		rc = add_sheet(c, path, p, &unmatched, line, err, errlen);
	}
	p->unmatched = xstrdup(str_cstr(&unmatched));
	str_free(&unmatched);
	free(out);
	return rc;
}

void runparts_load_argv(char **argv, char *prog, const char *config, const char *label, const char *flag,
			const runparts *p, int dry_run, int verbose)
{
	char *head[] = { prog, "-c", (char *)config, "-l", (char *)label };
	int n = sizeof head / sizeof head[0];

	memcpy(argv, head, sizeof head);
	if (flag)
		argv[n++] = (char *)flag;
	for (size_t i = 0; i < p->n; i++)
		argv[n++] = (char *)p->v[i].dir;
	argv[n++] = dry_run ? "-n" : verbose ? "-v" : NULL;
	argv[n++] = verbose ? "-v" : NULL;
	argv[n] = NULL;
}

void runparts_extract_argv(char **argv, char *prog, const char *config, const runparts *p, size_t i,
			   const char *path, int verbose)
{
	char *v[] = { prog, "-c", (char *)config, "-s", p->v[i].s->name, "-S", p->v[i].sheet, "-o",
		      (char *)p->v[i].dir, (char *)path, verbose ? "-v" : NULL, NULL };
	memcpy(argv, v, sizeof v);
}

void runparts_free(runparts *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].sheet);
	free(p->v);
	free(p->unmatched);
	memset(p, 0, sizeof *p);
}
