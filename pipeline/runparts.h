/*
 * runparts.h - a workbook that `vqr run` reads as parts: a source whose
 * `files` match it has `sheets` patterns (cfg_file_has_sheets).  Its
 * worksheets are listed by `vqr-extract --list-sheets`, each matched to
 * the first source whose `files` and `sheets` match (cfg_source_for_sheet);
 * every matched sheet is one part, staged in a directory of its own by
 * `vqr-extract --sheet`, transformed alone, and all parts are loaded by
 * one `vqr-load DIR...` in one transaction (each a job of the run's stage
 * servers, stagesrv.h).  The sheets no source reads
 * are recorded as unmatched by vqr-load (from the parts' manifests).
 *
 *     runparts p = { 0 };
 *     if (runparts_find(c, config, &srv->x, path, &p, err, sizeof err) < 0) ...;
 *     for (size_t i = 0; i < p.n; i++) ... p.v[i].sheet, p.v[i].s, p.v[i].dir;
 *     runparts_load_argv(argv, ...);
 *     runparts_free(&p);
 */
#ifndef VQR_RUNPARTS_H
#define VQR_RUNPARTS_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "pipeline/stagesrv.h"

/* The most parts a workbook may have (more matched sheets fail the file). */
#define RUNPARTS_MAX 64

/* One matched sheet. */
typedef struct runpart {
	char *sheet;            /* the sheet's name (owned) */
	const cfg_source *s;    /* the source that reads it (in the configuration) */
	char label[96];         /* its staging directory's name ("" until staged) */
	char dir[4200];         /* its staging directory ("" until staged) */
} runpart;

/* A workbook's parts, in the workbook's order. */
typedef struct runparts {
	runpart *v;             /* the parts (n, owned) */
	size_t n;
	char *unmatched;        /* the sheets no source reads, "A", "B" (owned; "" none) */
} runparts;

/* List the worksheets of the workbook at path with a `vqr-extract
 * --list-sheets` job of the run's extract server x under config, and
 * match each to a source of c into p
 * (zeroed by the caller; no part when none matches).  0; 1 when the file
 * has no sheets (CSV) or they cannot be listed (the file is then read as
 * one table of its name's source, and its extract says why it cannot be
 * read); -1 with err when more than RUNPARTS_MAX sheets match. */
int runparts_find(const cfg *c, const char *config, stagesrv *x, const char *path, runparts *p, char *err,
		  size_t errlen);

/* Add a part: the sheet named sheet (copied), read by s. */
void runparts_add(runparts *p, const char *sheet, const cfg_source *s);

/* vqr-load's arguments for all of p's parts into argv (RUNFILE_ARGS +
 * p->n entries): prog -c config -l label [flag] DIR... [-n | -v] [-v],
 * flag NULL, "-a" (accept a shrink) or "-R" (reprocess).  The strings
 * are the caller's and p's. */
void runparts_load_argv(char **argv, char *prog, const char *config, const char *label, const char *flag,
			const runparts *p, int dry_run, int verbose);

/* vqr-extract's arguments for part i into argv (RUNFILE_ARGS entries):
 * as runfile_extract_argv, with -S sheet.  The strings are the caller's
 * and p's. */
void runparts_extract_argv(char **argv, char *prog, const char *config, const runparts *p, size_t i,
			   const char *path, int verbose);

/* Free what p holds and zero it. */
void runparts_free(runparts *p);

#endif
