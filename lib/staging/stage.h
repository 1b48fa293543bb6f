/*
 * stage.h - the staging directory's contract: what one stage leaves for
 * the next, in one place (docs/ARCHITECTURE.md, "Staging").
 *
 * vqr-extract writes STAGE_ROWS, STAGE_REJECTS and STAGE_MANIFEST into a
 * staging directory; vqr-transform reads the rows and writes
 * STAGE_INDICATORS (and STAGE_REJECTS_TRANSFORM), then records its counts
 * in the manifest; vqr-load COPYs the indicators and the rejects into
 * PostgreSQL with the column lists below (tests/sql/schema.t checks them
 * against sql/) and prints one result line that the driver parses.
 */
#ifndef VQR_STAGE_H
#define VQR_STAGE_H

#include <stdio.h>

#include "lib/staging/manifest.h"

/* The staged files, by name inside the staging directory. */
#define STAGE_MANIFEST "manifest.yaml"            /* manifest.h */
#define STAGE_ROWS "rows.tsv"                     /* canonical rows, COPY text (rows.h) */
#define STAGE_REJECTS "rejects.tsv"               /* vqr-extract's rejected cells */
#define STAGE_REJECTS_TRANSFORM "rejects_transform.tsv" /* vqr-transform's rejects */
#define STAGE_INDICATORS "indicators.gz"          /* indicator values, gzipped COPY text */
/* Written by vqr-load when it holds a file back (a replacing file would
 * shrink its slice by more than max_shrink): by how much, in words, one
 * line; the driver shows it in the quarantine's reason.  (STAGE_HELD is
 * the outcome below.) */
#define STAGE_HELD_FILE "held.txt"

/* How long a stage started beside vqr-extract (--follow) waits for its
 * manifest before it goes on without. */
#define STAGE_FOLLOW_WAIT_MS 60000

/* The path of staged file name (one of STAGE_*) in dir: a new string
 * (the caller frees it). */
char *stage_path(const char *dir, const char *name);

/* The columns of a STAGE_INDICATORS line, in order, as vqr-transform
 * writes them; vqr-load appends batch_id and file_id
 * (STAGE_INDICATOR_COPY_COLUMNS is the COPY column list of
 * vqr.indicator_value). */
#define STAGE_INDICATOR_COLUMNS \
	"school_code, period, indicator_code, breakdown, value_type, source_code, numerator, denominator, value"
#define STAGE_INDICATOR_COPY_COLUMNS STAGE_INDICATOR_COLUMNS ", batch_id, file_id"
/* The header of both rejects files, and its columns (vqr-load appends
 * file_id: STAGE_REJECT_COPY_COLUMNS is the COPY column list of
 * vqr.reject). */
#define STAGE_REJECT_NCOLS 7
extern const char *const stage_reject_header[STAGE_REJECT_NCOLS];
#define STAGE_REJECT_COPY_COLUMNS "line, column_no, column_name, field, value, rule, message, file_id"

/* Open the staging directory dir written by vqr-extract: read its
 * manifest into m (zeroed by the caller, cleared by the caller), refuse a
 * file that failed at extract, and find its source in c (config names the
 * configuration file in messages).  0; -1 with the reason in err (the
 * manifest unreadable, then with a "hint:" line asking whether dir is a
 * staging directory; or its source or school not the configuration's);
 * or -2 when the file failed at extract, with "DIR: the file failed at
 * extract: REASON" in err (m->status is MANIFEST_FAILED). */
struct cfg;
struct cfg_source;
int stage_open(const char *dir, const struct cfg *c, const char *config, manifest *m,
	       const struct cfg_source **s, char *err, size_t errlen);

/* The parts of one workbook (a sheet each; their manifests ms[0..n)):
 * two parts that the same source reads must not have rows in the same
 * period, as each would replace the other's slice.  0, or -1 with
 * "FILE: sheets "A" and "B" are both read by source S and both have rows
 * in period P" and a hint in err. */
int stage_parts_clash(manifest *const *ms, size_t n, char *err, size_t errlen);

/* A stage started beside vqr-extract (--follow) waits for the manifest
 * that vqr-extract writes right after its rows, up to timeout_ms, and
 * reads it into m (cleared first).  1 when it says the extract gave the
 * file up (the extract reports why, so the caller stays quiet); 0
 * otherwise (also when no manifest came, or it could not be read). */
int stage_extract_gave_up(const char *dir, manifest *m, int timeout_ms);

/* vqr-load's result: one line on stdout, tab-separated, read by vqr. */
typedef enum stage_outcome {
	STAGE_LOADED,  /* the file's values are in */
	STAGE_SKIPPED, /* nothing loaded: loaded before, or an older export than the slice's */
	STAGE_HELD,    /* held back: it would shrink its slice too much */
	STAGE_BLOCKED  /* a check with on_fail: block failed; rolled back */
} stage_outcome;

typedef struct stage_result {
	stage_outcome outcome;   /* what happened to the file */
	long long batch_id;      /* vqr.batch of the load (0 when none) */
	long long values;        /* indicator values loaded */
	long long replaced;      /* values of the slices that were replaced */
	long long rejects;       /* rejects recorded */
	long long errors;        /* findings of severity error */
	long long warnings;      /* findings of severity warning */
} stage_result;

/* The usage text of the result line, for vqr-load --help. */
#define STAGE_RESULT_HELP \
	"On success vqr-load prints one line on stdout, tab-separated:\n" \
	"  OUTCOME BATCH VALUES REPLACED REJECTS ERRORS WARNINGS\n" \
	"OUTCOME is loaded, skipped, held (a shrink) or blocked (a check).\n"

/* The name of an outcome ("loaded", ...). */
const char *stage_outcome_name(stage_outcome o);
/* Print r as vqr-load's result line on f.  0, or -1 on a write error. */
int stage_result_print(FILE *f, const stage_result *r);
/* Parse a result line (with or without its newline) into r.  0, or -1
 * when line is not one (r is then zeroed). */
int stage_result_parse(const char *line, stage_result *r);

#endif
