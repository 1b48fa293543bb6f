/*
 * derive.h - after a load, inside its transaction: compute the derived
 * indicators and evaluate the validation checks of the catalog for the
 * school and periods the load touched.
 *
 *   derive_summary sum;
 *   derive *dv = derive_run(&d, c, "CQGYGJ", "{2022-2023}", batch_id, &sum, err, sizeof err);
 *   if (!dv) ... roll back ...
 *   if (sum.blocked) ... ROLLBACK TO SAVEPOINT, keep only the findings ...
 *   derive_record(&d, dv, "CQGYGJ", "{2022-2023}", batch_id, file_id, err, sizeof err);
 *   derive_free(dv);
 *
 * Derived values are written by derive_run: for each period, the slice
 * (school, source "derived", period) is replaced (old values go to
 * vqr.indicator_value_history) by the formulas evaluated, operands first,
 * for every breakdown all operands have, and by the values taken out of a
 * breakdown (take: max / min), as totals.  Checks and the built-in
 * reported_vs_computed comparison (reported = computed within half a unit
 * of the reported value's last printed decimal) are evaluated over the
 * values then in the database; failures are kept as findings until
 * derive_record supersedes the period's current findings with them.
 */
#ifndef VQR_DERIVE_H
#define VQR_DERIVE_H

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"

typedef struct derive derive;

typedef struct derive_summary {
	long long derived;      /* derived values written */
	long long checked;      /* comparisons made (checks x breakdowns, reported pairs) */
	long long errors;       /* findings of severity error */
	long long warnings;     /* findings of severity warning */
	int blocked;            /* an error of a check with block: true concerns this batch's values */
	char blocked_by[1024];  /* the first such finding, in words */
} derive_summary;

/* Compute derived values and evaluate checks for school and periods (a
 * PostgreSQL text[] literal) in d's open transaction; batch_id is the
 * batch being loaded.  Returns the findings (the caller frees them with
 * derive_free), or NULL with err set. */
derive *derive_run(db *d, const cfg *c, const char *school, const char *periods, long long batch_id,
		   derive_summary *sum, char *err, size_t errlen);

/* Supersede the current findings of school's periods and insert the new
 * ones, found by batch_id (file_id 0 = none).  0 or -1 with err set. */
int derive_record(db *d, const derive *dv, const char *school, const char *periods, long long batch_id,
		  long long file_id, char *err, size_t errlen);

/* Free what derive_run returned (NULL is fine). */
void derive_free(derive *dv);

/* Sync the catalog's checks into vqr.check_rule; when guarded (a school's
 * loader, which may not write the shared catalog itself) through
 * vqr.catalog_add_check, which adds a check but refuses to change one.
 * 0 or -1 with err set. */
int derive_sync_checks(db *d, const cfg *c, int guarded, char *err, size_t errlen);

#endif
