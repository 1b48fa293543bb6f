/*
 * extract.h - vqr-extract's run over one export file: the file is read
 * through the reader its format picks (lib/readers/reader.h), its header
 * row found (header.h), every data row checked (rowcheck.h), and the
 * staging files of one batch written:
 *
 *     DIR/rows.tsv       canonical rows (COPY text): line, period, fields
 *     DIR/rejects.tsv    one line per rejected cell (COPY text, with header)
 *     DIR/manifest.yaml  file, sha256, encoding, header line, row counts, periods
 *
 *     extract x;
 *     extract_init(&x, cfg, source, path, outdir);
 *     x.rc.pii = pii;                    // when a field is pseudonymised
 *     if (extract_run(&x, err, sizeof err) < 0) ...;    // internal error
 *     else if (x.m.status == MANIFEST_FAILED) ... x.m.reason;
 *     extract_free(&x);
 */
#ifndef VQR_EXTRACT_H
#define VQR_EXTRACT_H

#include <stddef.h>
#include <stdio.h>

#include "lib/catalog/cfg.h"
#include "lib/readers/reader.h"
#include "lib/staging/manifest.h"
#include "stages/extract/header.h"
#include "stages/extract/rowcheck.h"

typedef struct extract {
	const cfg *c;           /* the configuration (the caller's) */
	const cfg_source *s;    /* the file's source (in c) */
	const char *path;       /* input as given */
	const char *sheet;      /* a part of a workbook: the sheet read (extract_set_sheet), else NULL */
	char *where;            /* the input in messages: path, or "path:sheet" for a part (owned) */
	const char *outdir;     /* the staging directory */
	reader *in;             /* the file's reader, NULL when it could not be opened */
	manifest m;             /* what is found (written at the end of extract_run) */
	rowcheck rc;            /* the rows' check and their writers */
	hfind hf;               /* the header row's search */
} extract;

/* Prepare x for the file at path of source s (all kept for x's life),
 * staged into outdir.  Free with extract_free. */
void extract_init(extract *x, const cfg *c, const cfg_source *s, const char *path, const char *outdir);

/* Read the sheet named sheet (kept for x's life) of the workbook, as one
 * part of its batch, whatever the source's `sheet`: messages and rejects
 * name it as "path:sheet", and the manifest records the sheet, every
 * worksheet of the workbook and those no source's `sheets` match
 * (manifest.sheet, sheets, unmatched_sheets).  Call
 * after extract_init, before extract_run. */
void extract_set_sheet(extract *x, const char *sheet);

/* Write the names of the worksheets of the workbook at path to out, one
 * a line, in the workbook's order (a line break in a name becomes a
 * space); nothing for a file of one table (CSV).  Read with c's limits.
 * 0, or -1 with "path: reason" in err (the file cannot be read). */
int extract_list_sheets(const cfg *c, const char *path, FILE *out, char *err, size_t errlen);

/* Read the file, write rows.tsv, rejects.tsv and manifest.yaml (with the
 * file's SHA-256, computed in a second thread).  A file that cannot be
 * read or fails as a whole is not an error here: the manifest says
 * MANIFEST_FAILED with its reason (x->m).  0, or -1 with err (the
 * staging files cannot be written). */
int extract_run(extract *x, char *err, size_t errlen);

/* Free what x owns and abort unfinished staging files (not pii). */
void extract_free(extract *x);

#endif
