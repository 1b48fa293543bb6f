/*
 * load_findings.c - vqr-load's field_missing findings; see
 * load_findings.h.
 */
#include "stages/load/load_findings.h"

#include <stdlib.h>
#include <string.h>

#include "lib/db/db.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

char *load_unmapped_text(const manifest *m)
{
	str b = STR_INIT;

	for (size_t i = 0; i < m->unmapped.n; i++) {
		const char *h = i < m->unmapped_hint.n ? m->unmapped_hint.v[i] : "";
		str_addf(&b, "%s%s%s%s%s", i ? ", " : "", m->unmapped.v[i], h[0] ? " (did you mean " : "", h,
			 h[0] ? "?)" : "");
	}
	if (!m->unmapped.n)
		str_add(&b, "none");
	return str_steal(&b);
}

char *load_field_missing_message(const cfg_indicator *ind, const manifest *m, const cfg_field *f, int absent,
				 const char *unmapped)
{
	return xasprintf("%s %s is not computed: %s %s field %s (%s); unmapped columns of the file: %s", ind->code,
			 ind->name_zh, m->file_name, absent ? "has no column for" : "has no value in any row of",
			 f->name, f->header, unmapped);
}

/* Supersede the field_missing findings of the slices batch bnum replaces. */
static int supersede(db *d, const cfg *c, const cfg_source *s, const char *periods, const char *bnum, char *err,
		     size_t errlen)
{
	const char *p[4] = { c->school_code, s->name, periods, bnum };
	return db_run(d,
			       "UPDATE vqr.finding SET superseded_by = $4::bigint WHERE school_code = $1 AND "
			       "source_code = $2 AND period = ANY($3::text[]) AND check_code = 'field_missing' AND "
			       "superseded_by IS NULL",
			       4, p, err, errlen);
}

#define INSERT_FIELD_MISSING \
	"INSERT INTO vqr.finding (batch_id, file_id, school_code, period, source_code, check_code, severity, " \
	"message, indicator_code) VALUES ($1, $2, $3, $4, $5, 'field_missing', 'warning', $6, $7)"

/* Record the finding msg of indicator ind in each of m's periods of type
 * pt.  How many were recorded, or -1 with err set. */
static int record_in(db *d, const cfg *c, const cfg_source *s, const manifest *m, const cfg_indicator *ind,
		     period_type pt, const char *msg, const char *bnum, const char *fnum, char *err, size_t errlen)
{
	int n = 0;

	for (size_t k = 0; k < m->nperiods; k++) {
		const char *p[7] = { bnum, fnum, c->school_code, m->periods[k], s->name, msg, ind->code };
		period_type t;
		long first, last;
		if (period_bounds(m->periods[k], &t, &first, &last) < 0 || t != pt)
			continue;
		if (db_run(d, INSERT_FIELD_MISSING, 7, p, err, errlen) < 0)
			return -1;
		n++;
	}
	return n;
}

/* Record the finding msg of indicator ind in m's periods of its period
 * type, else (none being of it) of the source's.  How many were
 * recorded, or -1 with err set. */
static int record_one(db *d, const cfg *c, const cfg_source *s, const manifest *m, const cfg_indicator *ind,
		      const char *msg, const char *bnum, const char *fnum, char *err, size_t errlen)
{
	int n = record_in(d, c, s, m, ind, ind->period, msg, bnum, fnum, err, errlen);

	return n ? n : record_in(d, c, s, m, ind, s->period, msg, bnum, fnum, err, errlen);
}

long long load_field_missing(db *d, const cfg *c, const cfg_source *s, const manifest *m, const char *periods,
			     const char *bnum, const char *fnum, char *err, size_t errlen)
{
	long long n = 0;
	char *unmapped;

	if (supersede(d, c, s, periods, bnum, err, errlen) < 0)
		return -1;
	unmapped = load_unmapped_text(m);
	for (size_t i = 0; i < m->skipped.n && n >= 0; i++) {
		const cfg_indicator *ind = cfg_indicator_find(c, m->skipped.v[i]);
		const cfg_field *f = i < m->skipped_field.n ? cfg_field_find(s, m->skipped_field.v[i]) : NULL;
		int absent = i < m->skipped_why.n && strcmp(m->skipped_why.v[i], "absent") == 0, rc;
		char *msg;
		if (!ind || !f)
			continue; /* the catalog changed since the transform */
		msg = load_field_missing_message(ind, m, f, absent, unmapped);
		rc = record_one(d, c, s, m, ind, msg, bnum, fnum, err, errlen);
		free(msg);
		n = rc < 0 ? -1 : n + rc;
	}
	free(unmapped);
	return n;
}
