/*
 * load_findings.h - the findings vqr-load records itself: field_missing,
 * a warning for each indicator vqr-transform could not compute because
 * the file lacks a field it reads (manifest.yaml: skipped).
 */
#ifndef VQR_LOAD_FINDINGS_H
#define VQR_LOAD_FINDINGS_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "lib/staging/manifest.h"

/* The file's unmapped headers for a message: "对口情况 (did you mean
 * in_field (是否专业对口)?), 辅导员", or "none".  A new string the
 * caller frees. */
char *load_unmapped_text(const manifest *m);

/* The message of a field_missing finding: indicator ind of file m is not
 * computed, field f being absent (a column missing) or empty in every
 * row; unmapped as load_unmapped_text gives.  A new string the caller
 * frees. */
char *load_field_missing_message(const cfg_indicator *ind, const manifest *m, const cfg_field *f, int absent,
				 const char *unmapped);

/* Record a field_missing finding (warning) of batch bnum, file fnum for
 * each indicator the transform left uncomputed, in each period of the
 * file (periods: the same as a text[] literal) of its period type (else
 * of the source's), after superseding those of the slices this load
 * replaces.  How many were recorded, or -1 with err set. */
long long load_field_missing(db *d, const cfg *c, const cfg_source *s, const manifest *m, const char *periods,
			     const char *bnum, const char *fnum, char *err, size_t errlen);

#endif
