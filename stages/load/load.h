/*
 * load.h - vqr-load's load of one staged batch into PostgreSQL, in one
 * transaction (the program's main parses the options and calls
 * load_run; see stages/load/main.c for what a load does).
 */
#ifndef VQR_LOAD_H
#define VQR_LOAD_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "lib/db/derive.h"
#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"

/* What to do (vqr-load's options). */
typedef struct load_opts {
	const char *dir;        /* the staging directory (of a workbook of parts: the first part's) */
	const char *label;      /* the batch label (made unique in the school) */
	int dry_run;            /* load, report what would change, roll back */
	int accept_shrink;      /* load a replacing file even if it shrinks its slice */
	int follow;             /* started beside vqr-extract: stream the rows, await the manifest */
	int reprocess;          /* the file is loaded already: compute its slices again */
} load_opts;

/* What the load did. */
typedef struct load_result {
	long long batch_id;     /* batch recorded, 0 when skipped */
	long long replaced;     /* old values deleted */
	long long values;       /* values copied in */
	long long rejects;      /* rejects copied in */
	long long rows;         /* canonical rows copied into vqr_rows (load_rows) */
	derive_summary checks;  /* derived values and findings */
	char skipped_by[128];   /* when already loaded: "batch N at T" */
	int held;               /* a replacing file would shrink its slice: held back */
} load_result;

/* Load the batch staged in o->dir, of source s, its manifest m (with
 * o->follow, read here once vqr-transform has written it), into d.
 * reprocess: the file was loaded before (its sha256 is in
 * vqr.source_file) and is computed again with the current catalog: its
 * file record is reused, its rejects and rows are replaced, it joins its
 * slices' files (slice_file) rather than resetting them, and no shrink
 * holds it back.  Fills out.  0 (committed, or rolled back by a dry run
 * or a skip), -1 with err (rolled back), or -2 (rolled back) when
 * vqr-extract gave the file up (--follow; the extract says why). */
int load_run(db *d, const cfg *c, const cfg_source *s, manifest *m, const load_opts *o, load_result *out,
	     char *err, size_t errlen);

/* One staging directory of a load: the file's only one, or one part (a
 * sheet, vqr-extract --sheet) of a workbook read as parts. */
typedef struct load_part {
	const char *dir;        /* its staging directory */
	const cfg_source *s;    /* its source */
	manifest *m;            /* its manifest (transformed) */
} load_part;

/* Load the parts of one workbook (parts[0..n), n >= 1, each staged and
 * transformed in a directory of its own, all of the same file: one
 * sha256) in one transaction, as load_run loads one: one batch and one
 * file record (labelled with parts[0]'s source, with the counts and
 * periods of every part), each part's slices replaced by its values,
 * its rejects naming its sheet (vqr.reject.sheet), one row per worksheet
 * of the workbook in vqr.source_file_sheet (those no part reads as
 * unmatched), the derived indicators and checks over every part's
 * periods.  A shrink holds back, and a blocking check blocks, the whole
 * file.  o->dir is parts[0].dir; o->follow only with one part.  The
 * parts and their manifests stay the caller's.  Returns as load_run. */
int load_run_parts(db *d, const cfg *c, const load_part *parts, size_t n, const load_opts *o, load_result *out,
		   char *err, size_t errlen);

/* The outcome of a load for its result line. */
stage_outcome load_outcome(const load_result *r);

#endif
