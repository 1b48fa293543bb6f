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
	const char *dir;        /* the staging directory */
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

/* The outcome of a load for its result line. */
stage_outcome load_outcome(const load_result *r);

#endif
