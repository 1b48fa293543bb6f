/*
 * load_shrink.c - vqr-load's shrink check; see load_shrink.h.
 */
#include "stages/load/load_shrink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db/db.h"
#include "lib/staging/stage.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"

int shrink_exceeds(double before, double after, double max_shrink)
{
	return before > 0 && after < before * (1 - max_shrink);
}

void shrink_add(shrink *k, const char *period, const char *what, double before, double after)
{
	shrink_item *it = &k->item[k->n];

	if (k->n >= SHRINK_MAX)
		return;
	it->period = xstrdup(period);
	it->msg = xasprintf("%s %s: %.15g -> %.15g (%+.1f%%)", what, period, before, after,
			    before ? (after - before) / before * 100 : 0);
	it->before = before;
	it->after = after;
	str_addf(&k->text, "%s%s", k->n ? "; " : "", it->msg);
	k->n++;
}

void shrink_free(shrink *k)
{
	for (int i = 0; i < k->n; i++) {
		free(k->item[i].period);
		free(k->item[i].msg);
	}
	str_free(&k->text);
	memset(k, 0, sizeof *k);
}

/* The codes of s's count indicators as a text[] literal (NULL: no
 * memory). */
static char *count_codes(const cfg *c, const cfg_source *s)
{
	char **cv = xcalloc(c->nindicators + 1, sizeof *cv), *codes;
	size_t nc = 0;

	for (size_t i = 0; i < c->nindicators; i++)
		if (c->indicators[i].source == s && c->indicators[i].kind == CFG_KIND_COUNT)
			cv[nc++] = c->indicators[i].code;
	codes = db_text_array(cv, nc);
	free(cv);
	return codes;
}

int shrink_check(db *d, const cfg *c, const cfg_source *s, const manifest *m, const char *periods,
		 const char *bnum, long long old_rows, shrink *k, char *err, size_t errlen)
{
	char share[32], *codes;
	const char *p[4];
	PGresult *r;

	if (shrink_exceeds((double)old_rows, (double)m->rows_loaded, s->max_shrink))
		shrink_add(k, m->nperiods ? m->periods[0] : "", "rows", (double)old_rows, (double)m->rows_loaded);
	codes = count_codes(c, s);
	snprintf(share, sizeof share, "%.15g", 1 - s->max_shrink);
	p[0] = bnum;
	p[1] = codes;
	p[2] = share;
	p[3] = periods;
	r = db_query(d,
		     "SELECT o.period, o.indicator_code, o.value, coalesce(n.value, 0) "
		     "FROM vqr.indicator_value_history o "
		     "LEFT JOIN vqr.indicator_value n ON n.batch_id = $1::bigint AND n.period = o.period "
		     "  AND n.indicator_code = o.indicator_code AND n.breakdown = '{}' AND n.value_type = 'computed' "
		     "WHERE o.superseded_by = $1::bigint AND o.breakdown = '{}' AND o.value_type = 'computed' "
		     "AND o.indicator_code = ANY($2::text[]) AND o.period = ANY($4::text[]) "
		     "AND o.value > 0 AND coalesce(n.value, 0) < o.value * $3::numeric "
		     "ORDER BY o.period, o.indicator_code",
		     4, p, err, errlen);
	free(codes);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		shrink_add(k, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), strtod(PQgetvalue(r, i, 2), NULL),
			   strtod(PQgetvalue(r, i, 3), NULL));
	PQclear(r);
	return 0;
}

int shrink_record(db *d, const cfg *c, const cfg_source *s, const shrink *k, const char *file,
		  const char *bnum, char *err, size_t errlen)
{
	int rc = 0;

	for (int i = 0; !rc && i < k->n; i++) {
		char *msg = xasprintf("%s would shrink its slice by more than max_shrink %.15g: %s; held back until "
				      "accepted (vqr run --accept-shrink)", file, s->max_shrink, k->item[i].msg);
		char l[40], r2[40];
		const char *p[7] = { bnum, c->school_code, k->item[i].period, s->name, msg, l, r2 };
		snprintf(l, sizeof l, "%.15g", k->item[i].before);
		snprintf(r2, sizeof r2, "%.15g", k->item[i].after);
		rc = db_run(d,
			    "INSERT INTO vqr.finding (batch_id, school_code, period, source_code, check_code, severity, "
			    "message, left_value, right_value) VALUES ($1, $2, $3, $4, 'slice_shrink', 'error', $5, $6, $7)",
			    7, p, err, errlen);
		free(msg);
	}
	return rc;
}

int shrink_write_held(const char *dir, const shrink *k, char *err, size_t errlen)
{
	char *path = stage_path(dir, STAGE_HELD_FILE);
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (!f || fprintf(f, "%s\n", str_cstr(&k->text)) < 0 || fclose(f) != 0)
		rc = err_set(err, errlen, "%s: cannot write: %s", path, strerror(errno));
	free(path);
	return rc;
}
