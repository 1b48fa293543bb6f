/*
 * notice.c - what `vqr run` says about one loaded file: its column
 * coverage and its batch's findings (see notice.h).
 */
#include "pipeline/notice.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/str.h"

#define MAX_ERROR_TEXTS 50      /* errors named per file; the count has them all */

static void list_copy(manifest_list *dst, const manifest_list *src)
{
	manifest_list_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		manifest_list_add(dst, src->v[i]);
}

int notice_coverage(notice_file *n, const char *mpath, char *err, size_t errlen)
{
	manifest m = { 0 };

	if (manifest_read(mpath, &m, err, errlen) < 0)
		return -1;
	list_copy(&n->m.unmapped, &m.unmapped);
	list_copy(&n->m.unmapped_hint, &m.unmapped_hint);
	list_copy(&n->m.missing, &m.missing);
	list_copy(&n->m.skipped, &m.skipped);
	list_copy(&n->m.skipped_field, &m.skipped_field);
	list_copy(&n->m.skipped_why, &m.skipped_why);
	manifest_clear(&m);
	return 0;
}

int notice_findings(notice_file *n, db *d, long long batch_id, char *err, size_t errlen)
{
	char num[32];
	const char *p[1] = { num };
	PGresult *r;

	snprintf(num, sizeof num, "%lld", batch_id);
	r = db_query(d,
		     "SELECT severity, check_code, coalesce(indicator_code, ''), period, message, "
		     "CASE WHEN breakdown = '{}' THEN '' ELSE breakdown::text END "
		     "FROM vqr.finding f WHERE batch_id = $1 "
		     /* new: not the same as one this batch superseded (a check of
		      * the period found again by a later load of the run) */
		     "AND NOT EXISTS (SELECT 1 FROM vqr.finding o WHERE o.superseded_by = f.batch_id "
		     "  AND o.check_code = f.check_code AND o.indicator_code IS NOT DISTINCT FROM f.indicator_code "
		     "  AND o.period IS NOT DISTINCT FROM f.period AND o.breakdown IS NOT DISTINCT FROM f.breakdown "
		     "  AND o.severity = f.severity AND o.message = f.message) "
		     "ORDER BY severity, finding_id",
		     1, p, err, errlen);
	if (!r)
		return -1;
	n->errors = n->warnings = 0;
	manifest_list_clear(&n->error_text);
	for (int i = 0; i < PQntuples(r); i++) {
		char text[2048];
		if (strcmp(PQgetvalue(r, i, 0), "error") != 0) {
			n->warnings++;
			continue;
		}
		n->errors++;
		if (n->error_text.n >= MAX_ERROR_TEXTS)
			continue;
		snprintf(text, sizeof text, "%s%s%s %s%s%s: %s", PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)[0] ? " " : "",
			 PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 5)[0] ? " " : "",
			 PQgetvalue(r, i, 5), PQgetvalue(r, i, 4));
		manifest_list_add(&n->error_text, text);
	}
	PQclear(r);
	return 0;
}

int notice_wants_look(const notice_file *n)
{
	return n->m.unmapped.n || n->m.missing.n || n->errors;
}

/* Append to buf (of len, used *used) with printf formatting, never past it. */
static void addf(char *buf, size_t len, size_t *used, const char *fmt, const char *a, const char *b)
{
	if (*used >= len)
		return;
	*used += (size_t)snprintf(buf + *used, len - *used, fmt, a, b);
}

void notice_print(const notice_file *n, const char *file)
{
	if (n->m.unmapped.n || n->m.missing.n) {
		char line[4096];
		size_t u = 0;
		u += (size_t)snprintf(line, sizeof line, "%s:", file);
		if (n->m.unmapped.n) {
			char cnt[32];
			snprintf(cnt, sizeof cnt, "%zu", n->m.unmapped.n);
			addf(line, sizeof line, &u, " %s unmapped column%s (", cnt, n->m.unmapped.n == 1 ? "" : "s");
			for (size_t i = 0; i < n->m.unmapped.n; i++) {
				const char *h = i < n->m.unmapped_hint.n ? n->m.unmapped_hint.v[i] : "";
				addf(line, sizeof line, &u, "%s%s", i ? "; " : "", n->m.unmapped.v[i]);
				if (h[0])
					addf(line, sizeof line, &u, ": did you mean %s%s?", h, "");
			}
			addf(line, sizeof line, &u, ")%s", n->m.missing.n ? ";" : "", "");
		}
		if (n->m.missing.n) {
			addf(line, sizeof line, &u, " %s%s", "missing fields:", "");
			for (size_t i = 0; i < n->m.missing.n; i++)
				addf(line, sizeof line, &u, "%s%s", i ? ", " : " ", n->m.missing.v[i]);
		}
		if (n->m.skipped.n) {
			char cnt[32];
			snprintf(cnt, sizeof cnt, "%zu", n->m.skipped.n);
			addf(line, sizeof line, &u, "; %s indicator%s not computed (field_missing):", cnt,
			     n->m.skipped.n == 1 ? "" : "s");
			for (size_t i = 0; i < n->m.skipped.n; i++)
				addf(line, sizeof line, &u, "%s%s", i ? ", " : " ", n->m.skipped.v[i]);
		}
		log_warning("%s", line);
	}
	for (size_t i = 0; i < n->error_text.n; i++)
		log_warning("%s: finding: error %s", file, n->error_text.v[i]);
	if (n->errors > (long long)n->error_text.n)
		log_warning("%s: and %lld more error findings (SELECT * FROM vqr.v_finding)", file,
			    n->errors - (long long)n->error_text.n);
}

void notice_json_str(FILE *f, const char *s)
{
	str b = STR_INIT;

	str_add_json(&b, s);
	fputs(str_cstr(&b), f);
	str_free(&b);
}

static void json_list(FILE *f, const char *name, const manifest_list *l)
{
	fprintf(f, ", \"%s\": [", name);
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			fputs(", ", f);
		notice_json_str(f, l->v[i]);
	}
	fputc(']', f);
}

void notice_json(FILE *f, const notice_file *n)
{
	fputs(", \"unmapped\": [", f);
	for (size_t i = 0; i < n->m.unmapped.n; i++) {
		const char *h = i < n->m.unmapped_hint.n ? n->m.unmapped_hint.v[i] : "";
		fprintf(f, "%s{\"header\": ", i ? ", " : "");
		notice_json_str(f, n->m.unmapped.v[i]);
		fputs(", \"suggestion\": ", f);
		if (h[0])
			notice_json_str(f, h);
		else
			fputs("null", f);
		fputc('}', f);
	}
	fputc(']', f);
	json_list(f, "missing_fields", &n->m.missing);
	fputs(", \"skipped_indicators\": [", f);
	for (size_t i = 0; i < n->m.skipped.n; i++) {
		fprintf(f, "%s{\"indicator\": ", i ? ", " : "");
		notice_json_str(f, n->m.skipped.v[i]);
		fputs(", \"field\": ", f);
		notice_json_str(f, i < n->m.skipped_field.n ? n->m.skipped_field.v[i] : "");
		fputs(", \"why\": ", f);
		notice_json_str(f, i < n->m.skipped_why.n ? n->m.skipped_why.v[i] : "");
		fputc('}', f);
	}
	fputc(']', f);
	fprintf(f, ", \"findings\": {\"error\": %lld, \"warning\": %lld}", n->errors, n->warnings);
	json_list(f, "errors", &n->error_text);
}

void notice_clear(notice_file *n)
{
	manifest_clear(&n->m);
	manifest_list_clear(&n->error_text);
	memset(n, 0, sizeof *n);
}
