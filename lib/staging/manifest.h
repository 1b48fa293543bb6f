/*
 * manifest.h - staging/<batch>/manifest.yaml: what vqr-extract found in one
 * export file and what vqr-transform made of it, read by vqr-load and by
 * the driver.  Written with libyaml's emitter (so any file name or reason
 * is quoted correctly), to a temporary name, then renamed.
 *
 *     manifest m = {0};
 *     if (manifest_read("dir/manifest.yaml", &m, err, sizeof err) < 0) ...
 *     m.transform_ms = 12;
 *     manifest_write("dir/manifest.yaml", &m, err, sizeof err);
 *     manifest_clear(&m);
 */
#ifndef VQR_MANIFEST_H
#define VQR_MANIFEST_H

#include <stddef.h>

/* A list of strings in the manifest (a YAML flow sequence). */
typedef struct manifest_list {
	char **v;               /* the strings, owned (n of them) */
	size_t n;
} manifest_list;

/* What became of the file (written as "ok", "rejected", "failed"). */
typedef enum manifest_status {
	MANIFEST_NONE,          /* not said (a manifest being written) */
	MANIFEST_OK,            /* every row passed */
	MANIFEST_REJECTED,      /* some rows or cells were rejected */
	MANIFEST_FAILED         /* the whole file failed (reason says why) */
} manifest_status;

typedef struct manifest {
	manifest_status status; /* what became of the file */
	char *reason;           /* why the file failed, "path:line:col: message" */
	char *school;           /* school code */
	char *source;           /* source name */
	char *file;             /* the export as given (absolute path) */
	char *file_name;        /* its base name */
	char *sheet;            /* a part of a workbook (vqr-extract --sheet): the sheet read, else NULL */
	char *sha256;           /* hex checksum of its bytes */
	long long size;         /* its size in bytes */
	char *encoding;         /* encoding found */
	char *delimiter;        /* "comma", "tab", "semicolon" */
	long long header_line;  /* line of the header row, 0 if none found */
	long long rows_read;    /* data rows after the header */
	long long rows_loaded;  /* rows that passed */
	long long rows_staged;  /* data lines vqr-extract wrote to rows.tsv (which is
				 * not synced: a reader checks that it has them
				 * all); -1 when unknown (an older manifest) */
	long long rows_rejected; /* rows rejected */
	long long rows_skipped; /* blank and total rows */
	char **periods;         /* periods the rows fall in (nperiods) */
	size_t nperiods;
	long long extract_ms;   /* extract wall time */
	long long transform_ms; /* transform wall time, -1 before transform */
	long long indicators;   /* indicator records written, -1 before transform */
	/* Column coverage (vqr-extract): */
	manifest_list unmapped; /* header cells that name no field of the source, as written */
	manifest_list unmapped_hint; /* per unmapped header: the closest missing field as
				 * "name (header)", or "" when none is close */
	manifest_list missing;  /* fields of the source that the file has no column for */
	/* Indicators not computed because a field they read is absent or
	 * empty in every row (vqr-transform), three lists in step: */
	manifest_list skipped;  /* indicator codes */
	manifest_list skipped_field; /* the field each reads that is missing */
	manifest_list skipped_why; /* "absent" (no column) or "empty" (no value in any row) */
	manifest_list sheets;   /* a part (sheet set): every worksheet of its workbook, in order */
	manifest_list unmatched_sheets; /* a part: the worksheets no source's sheets patterns match */
} manifest;

/* Read path into m (m must be zeroed or cleared).  0, or -1 with err. */
int manifest_read(const char *path, manifest *m, char *err, size_t errlen);

/* Write m to path (through path.tmp, synced, renamed).  0 or -1 with err. */
int manifest_write(const char *path, const manifest *m, char *err, size_t errlen);

/* The status as written in the manifest ("ok", ...; "" for NONE). */
const char *manifest_status_name(manifest_status st);

/* Free every string m holds and zero it. */
void manifest_clear(manifest *m);

/* Free the strings of l and empty it. */
void manifest_list_clear(manifest_list *l);

/* Append a copy of s to l (allocation cannot fail: lib/util/mem.h). */
void manifest_list_add(manifest_list *l, const char *s);

/* Add a period label if not yet present (copied).  0 (allocation cannot
 * fail: lib/util/mem.h). */
int manifest_add_period(manifest *m, const char *period);

#endif
