/*
 * load_catalog.h - vqr-load's sync of the catalog (school, sources,
 * indicators, checks, periods) from the configuration into the database,
 * inside the load's transaction.
 *
 * A school's loader role may not change the shared catalog: then
 * (load_catalog_guarded) entries are only added, through the
 * vqr.catalog_add_* functions, which refuse to change existing ones.
 */
#ifndef VQR_LOAD_CATALOG_H
#define VQR_LOAD_CATALOG_H

#include <stddef.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "lib/staging/manifest.h"

/* Whether the connected role must write the catalog through the
 * vqr.catalog_add_* functions (it may not update vqr.indicator).  1 or
 * 0, or -1 with err set. */
int load_catalog_guarded(db *d, char *err, size_t errlen);

/* Sync the school, source s and its indicators (and the derived ones, and
 * the checks) from c; with a summary sheet (s->reported), the other
 * sources' indicators too.  0, or -1 with err set. */
int load_catalog_sync(db *d, const cfg *c, const cfg_source *s, int guarded, char *err, size_t errlen);

/* Add the periods of m to vqr.period (with their first and last days).
 * dir names the staging directory in messages.  0, or -1 with err set
 * (also for a period label that is not one). */
int load_catalog_periods(db *d, const manifest *m, const char *dir, int guarded, char *err, size_t errlen);

/* The rule of an indicator as text, for the catalog: "sum(pay) / count(*)
 * by major", "max(x across major_group)", "(a) / (b)".  A new string the
 * caller frees. */
char *load_rule_text(const cfg_indicator *ind);

#endif
