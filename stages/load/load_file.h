/*
 * load_file.h - vqr-load's records of the file and its slices: the
 * vqr.source_file row, the slice's values moved to history, the slice's
 * files (vqr.slice_file), and a dry run's report of what would change.
 */
#ifndef VQR_LOAD_FILE_H
#define VQR_LOAD_FILE_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "lib/staging/manifest.h"

/* Record file m of source s in vqr.source_file as of batch bnum: a new
 * row (with id *file_id when it is not 0: taken ahead by --follow), or,
 * with reprocess, the file's existing row *file_id updated.  periods: m's
 * periods as a text[] literal.  Sets *file_id.  0, or -1 with err set. */
int load_record_file(db *d, const cfg *c, const cfg_source *s, const manifest *m, const char *periods,
		     const char *bnum, int reprocess, long long *file_id, char *err, size_t errlen);

/* The worksheets of a workbook read as parts (the parts' manifests
 * ms[0..n), each with its sheet and source; ms[0] lists the workbook's
 * worksheets) into vqr.source_file_sheet for file fnum: each part's
 * sheet with its source and counts, loaded; every other worksheet
 * unmatched, without a source.  A reprocessed file's rows are replaced.
 * 0, or -1 with err set. */
int load_record_sheets(db *d, manifest *const *ms, size_t n, const char *fnum, char *err, size_t errlen);

/* Move the values of the slices (school, s, periods) to
 * vqr.indicator_value_history as superseded by batch bnum; *replaced:
 * how many.  dry_run: keep them first in the temporary table
 * vqr_dry_old for load_report_changes.  0, or -1 with err set. */
int load_replace_values(db *d, const cfg *c, const cfg_source *s, const char *periods, const char *bnum,
			int dry_run, long long *replaced, char *err, size_t errlen);

/* Keep vqr.slice_file in step for batch bnum and file fnum: a replacing
 * file becomes the only file of its slices (the files it replaces go to
 * vqr.slice_file_history, their rows loaded into *old_rows), a
 * supplement joins theirs.  0 or -1 with err set. */
int load_slice_files(db *d, const cfg *c, const cfg_source *s, const char *periods, const char *fnum,
		     const char *bnum, int supplement, long long *old_rows, char *err, size_t errlen);

/* Dry run: print on stdout what batch bnum would change (values whose
 * value differs from the slice's current one); values and replaced for
 * the summary line.  0, or -1 with err set. */
int load_report_changes(db *d, const manifest *m, const char *bnum, long long values, long long replaced,
			char *err, size_t errlen);

#endif
