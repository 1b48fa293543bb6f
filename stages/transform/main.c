/*
 * main.c - vqr-transform: turn the canonical rows of one staged file
 * into indicator records, by the rules of the indicator catalog (the
 * aggregation itself is engine.c's).
 *
 * Usage: vqr-transform --config vqr.yaml DIR
 *        vqr-transform --serve      (many such runs, one a request: serve.h)
 *
 * Reads DIR/manifest.yaml and DIR/rows.tsv (written by vqr-extract), and
 * writes DIR/indicators.gz: one line per (period, indicator, breakdown)
 * in the column order STAGE_INDICATOR_COLUMNS (lib/staging/stage.h,
 * COPY text), then records its timing and count in the manifest.
 *
 * Rows stream through once.  Every indicator of the file's source is
 * evaluated on each row; each (period, indicator, breakdown) group keeps
 * running accumulators in a hash table, so memory grows with the number
 * of groups, never with the number of rows.  A group exists as soon as a
 * row of its breakdown exists, so a count that no row meets is emitted as
 * 0 (not left out), while a rate whose denominator is 0 or a mean of no
 * values is left out (it has no value).  count_distinct keeps the distinct
 * values of its group (memory grows with them, as it must).
 *
 * Each indicator is counted in its own period type: the file's (the label
 * vqr-extract put in each row) or semesters within it, found from the
 * source's period date; rows without that date do not count for it.
 *
 * A reported source (a summary sheet the school made) is not aggregated:
 * each row (long form: indicator name, value) or each figure column (wide
 * form) becomes one record of value_type "reported", value as printed.  A
 * row that names no indicator, or whose figure is not a number, or that
 * repeats a figure, is rejected into DIR/rejects_transform.tsv, which
 * vqr-load loads beside extract's rejects.
 *
 * With --follow SOURCE (what `vqr run` uses) it starts beside vqr-extract
 * and reads DIR/rows.tsv while it is being written (rows_follow), then
 * waits for the extract's manifest and checks it as usual before writing
 * anything.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "lib/util/cli.h"
#include "lib/catalog/expr.h"
#include "lib/util/log.h"
#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "lib/catalog/period.h"
#include "lib/staging/rows.h"
#include "lib/catalog/val.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/serve.h"
#include "stages/transform/engine.h"
#include "stages/transform/text.h"

/* A reported figure, for sorting and duplicate detection. */
typedef struct repval {
	const cfg_indicator *ind;
	const char *period;     /* arena */
	const char *json;       /* breakdown (arena) */
	const char *value;      /* as printed, cleaned (arena) */
	long line;              /* source line */
} repval;

/* A canonical column of the typed row. */
typedef struct ucol {
	int col;                /* canonical column */
	int staged;             /* its column in the rows file being read, -1 when not staged (NULL) */
	int typed;              /* a rule reads it and it is not text: its value is parsed into num */
} ucol;

typedef struct transform {
	const cfg *c;
	const cfg_source *s;
	engine *e;              /* the aggregation (records sources) */
	const cfg_indicator *const *inds; /* the source's indicators (the engine's) */
	size_t ninds;
	expr_type *coltype;     /* per canonical column */
	expr_value *row;        /* the current row, typed */
	size_t *vlen;           /* per canonical column: this row's value length in bytes */
	ucol *ucols;            /* canonical columns read per row (nucols) */
	size_t nucols;
	int *scol;              /* per canonical column: its column in rows.tsv, -1 when not staged (NULL) */
	long long *nonnull;     /* per canonical column: rows with a value (counted for the columns read) */
	unsigned char *absent;  /* per canonical column: no rows file read had a column for it */
	unsigned char *skip;    /* per indicator: not computed, a field it reads is absent or empty */
	size_t nstaged;         /* columns of rows.tsv */
	char (*prev)[32];       /* per column: the last number or date text parsed */
	double *prevnum;        /* its value */
	unsigned char *prevok;  /* prev holds it */
	int date_col;           /* canonical column of the period date, -1 none */
	arena a;                /* reported figures */
	repval *rep;            /* reported: figures (nrep) */
	size_t nrep, caprep;
	rows_writer *rejects;   /* reported: rejects_transform.tsv, NULL until needed */
	const char *dir;        /* staging directory */
	long long nrejected;    /* rows rejected here */
	long last_rejected;     /* line of the last reject */
	int nprinted;           /* rejects printed */
} transform;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqr-transform [OPTION]... DIR\n"
		"Compute indicator records from the canonical rows that vqr-extract staged in\n"
		"DIR, by the rules of the indicator catalog, into DIR/indicators.gz.\n"
		"\n"
		"  -c, --config FILE   deployment configuration (default: $VQR_CONFIG,\n"
		"                      ./vqr.yaml, /etc/vqr/vqr.yaml)\n"
		"  -f, --follow SOURCE read DIR/rows.tsv of SOURCE while vqr-extract still\n"
		"                      writes it (started beside it), then its manifest\n"
		"  -w, --with PERIODS:ROWS  also count the rows of ROWS (a rows.tsv[.gz] kept\n"
		"                      from an earlier file of the slice) whose period is one\n"
		"                      of PERIODS (comma-separated) and of DIR's file: a\n"
		"                      supplement (补录) is computed with the rows before it\n"
		"  -v, --verbose       say what is done\n"
		"  -L, --log FILE      also append every message to FILE\n"
		"      --serve         serve the jobs of vqr run, one a request on stdin\n"
		"                      (the only option besides -c; see the man page)\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n"
		"\n" LOG_EXIT_CODES_HELP);
}

/* ---- rows -------------------------------------------------------------- */

static int typed_row(transform *x, rows_reader *r, int n, char *err, size_t errlen)
{
	if ((size_t)n != x->nstaged) {
		snprintf(err, errlen, "rows.tsv:%ld: %d fields, expected %zu", rows_lineno(r), n, x->nstaged);
		return -1;
	}
	const size_t *lens;
	char *const *fields = rows_fields(r, &lens);

	expr_value *row = x->row;
	size_t *vlen = x->vlen;
	long long *nonnull = x->nonnull;

	/* Only the columns some rule reads (and the line and period). */
	for (const ucol *c = x->ucols, *cend = x->ucols + x->nucols; c < cend; c++) {
		int i = c->col, j = c->staged;
		expr_value *v = &row[i];
		const char *s = j >= 0 ? fields[j] : NULL;
		size_t len = vlen[i] = j >= 0 ? lens[j] : 0;
		v->isnull = s == NULL;
		v->s = s ? s : "";
		v->num = 0;
		nonnull[i] += s != NULL;
		if (!s || !c->typed)
			continue;
		if (x->coltype[i] == EXPR_DATE && x->prevok[i] && len < sizeof x->prev[i] &&
		    memcmp(s, x->prev[i], len + 1) == 0) {
			v->num = x->prevnum[i]; /* the same date as the row before: often so */
			continue;
		}
		switch (x->coltype[i]) {
		case EXPR_NUMBER: {
			char *end;
			if (val_decimal_fast(s, len, &v->num) == 0)
				break;
			v->num = strtod(s, &end);
			if (*end) {
				snprintf(err, errlen, "rows.tsv:%ld: column %d: \"%s\" is not a number", rows_lineno(r), i + 1, s);
				return -1;
			}
			break;
		}
		case EXPR_BOOL:
			v->num = s[0] == 't';
			break;
		case EXPR_DATE: {
			long days;
			if (expr_date_days(s, &days) < 0) {
				snprintf(err, errlen, "rows.tsv:%ld: column %d: \"%s\" is not a date", rows_lineno(r), i + 1, s);
				return -1;
			}
			v->num = (double)days;
			break;
		}
		case EXPR_TEXT:
			break;
		}
		if (x->coltype[i] == EXPR_DATE) {
			x->prevok[i] = len < sizeof x->prev[i];
			if (x->prevok[i]) {
				memcpy(x->prev[i], s, len + 1);
				x->prevnum[i] = v->num;
			}
		}
	}
	return 0;
}

/* ---- reported sources ---------------------------------------------------- */

/* Reject the current row of a reported source into rejects_transform.tsv. */
static int rep_reject(transform *x, long line, const cfg_field *f, const char *value, const char *rule,
		      const char *msg, char *err, size_t errlen)
{
	if (!x->rejects) {
		char path[4200];
		snprintf(path, sizeof path, "%s/rejects_transform.tsv", x->dir);
		if (!(x->rejects = rows_create(path, 0, err, errlen)))
			return -1;
		for (size_t i = 0; i < STAGE_REJECT_NCOLS; i++)
			rows_put(x->rejects, stage_reject_header[i], strlen(stage_reject_header[i]));
		rows_end(x->rejects);
	}
	rows_putf(x->rejects, "%ld", line);
	rows_put_null(x->rejects);
	if (f) {
		rows_put(x->rejects, f->header, strlen(f->header));
		rows_put(x->rejects, f->name, strlen(f->name));
	} else {
		rows_put_null(x->rejects);
		rows_put_null(x->rejects);
	}
	if (value)
		rows_put(x->rejects, value, strlen(value));
	else
		rows_put_null(x->rejects);
	rows_put(x->rejects, rule, strlen(rule));
	rows_put(x->rejects, msg, strlen(msg));
	rows_end(x->rejects);
	if (line != x->last_rejected) {
		x->nrejected++;
		x->last_rejected = line;
	}
	if (++x->nprinted <= 20)
		log_error("%s: line %ld: %s", x->dir, line, msg);
	return 0;
}

/* A figure as printed ("6,042.72", "94.82%", "１４６６") cleaned to a number
 * text with its printed decimals ("6042.72", "94.82", "1466").  Sets *pct
 * when it carried a percent sign.  0, or -1 when it is not a number. */
static int clean_figure(const char *in, char *out, size_t outlen, int *pct)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;
	int digits = 0, dot = 0;

	*pct = 0;
	while (*p && n + 2 < outlen) {
		unsigned ch = *p;
		if (ch == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) { /* full-width digit */
			out[n++] = (char)('0' + p[2] - 0x90);
			digits++;
			p += 3;
			continue;
		}
		if (ch == 0xef && p[1] == 0xbc && (p[2] == 0x8c || p[2] == 0x85)) { /* ， ％ */
			if (p[2] == 0x85)
				*pct = 1;
			p += 3;
			continue;
		}
		if (ch == 0xe3 && p[1] == 0x80 && p[2] == 0x80) { /* ideographic space */
			p += 3;
			continue;
		}
		if (ch >= '0' && ch <= '9') {
			out[n++] = (char)ch;
			digits++;
		} else if (ch == '.') {
			if (dot++)
				return -1;
			out[n++] = '.';
		} else if (ch == '-' && n == 0) {
			out[n++] = '-';
		} else if (ch == '%') {
			if (*pct)
				return -1;
			*pct = 1;
		} else if (ch != ',' && ch != ' ' && ch != '\t') {
			return -1;
		} else if (*pct) {
			/* nothing may follow the percent sign but space */
		}
		if (*pct && ch >= '0' && ch <= '9')
			return -1;
		p++;
	}
	if (*p || !digits || (n && out[n - 1] == '.'))
		return -1;
	out[n] = '\0';
	return 0;
}

/* The breakdown of a reported row as JSON (arena), from the source's by fields. */
static const char *rep_json(transform *x)
{
	const cfg_source *s = x->s;
	char buf[4096], *o = buf;
	size_t k = 0;

	*o++ = '{';
	for (size_t i = 0; i < s->nrby; i++) {
		const expr_value *v = &x->row[s->rby[i]];
		if (v->isnull)
			continue;
		if (6 * (strlen(v->s) + strlen(s->rby_names[i])) + 16 > sizeof buf - (size_t)(o - buf) - 2)
			break;
		if (k++) {
			*o++ = ',';
			*o++ = ' ';
		}
		text_json_quote(&o, s->rby_names[i]);
		*o++ = ':';
		*o++ = ' ';
		text_json_quote(&o, v->s);
	}
	*o++ = '}';
	*o = '\0';
	return arena_dup(&x->a, buf, (size_t)(o - buf));
}

static void rep_add(transform *x, const cfg_indicator *ind, const char *period, const char *json,
		    const char *value, long line)
{
	if (x->nrep == x->caprep) {
		size_t nc = x->caprep ? x->caprep * 2 : 256;
		x->rep = xreallocarray(x->rep, nc, sizeof *x->rep);
		x->caprep = nc;
	}
	value = arena_dup(&x->a, value, strlen(value));
	x->rep[x->nrep++] = (repval){ ind, period, json, value, line };
}

/* One row of a long reported source: an indicator's name and its figure. */
static int rep_long(transform *x, long line, const char *period, const char *json, char *err, size_t errlen)
{
	const cfg_source *s = x->s;
	char msg[1200];
	const cfg_field *nf = &s->fields[s->ind_field], *vf = &s->fields[s->value_field];
	const expr_value *name = &x->row[nf->col], *val = &x->row[vf->col];
	char key[1024], num[128];
	const cfg_indicator *ind;
	int pct;

	if (name->isnull) {
		if (val->isnull)
			return 0; /* an empty line in the sheet */
		snprintf(msg, sizeof msg, "%s: the figure \"%s\" names no indicator", nf->header, val->s);
		return rep_reject(x, line, nf, NULL, "indicator", msg, err, errlen);
	}
	val_norm_key(name->s, strlen(name->s), key, sizeof key);
	if (!(ind = cfg_indicator_by_name(x->c, key))) {
		snprintf(msg, sizeof msg,
			 "%s: no indicator is named \"%s\" (add the name to reported_names of the indicator it means)",
			 nf->header, name->s);
		return rep_reject(x, line, nf, name->s, "indicator", msg, err, errlen);
	}
	if (val->isnull)
		return 0; /* named but not reported */
	if (x->coltype[vf->col] == EXPR_NUMBER) {
		snprintf(num, sizeof num, "%s", val->s);
		pct = 0;
	} else if (clean_figure(val->s, num, sizeof num, &pct) < 0) {
		snprintf(msg, sizeof msg, "%s: \"%s\" (%s) is not a number", vf->header, val->s, ind->code);
		return rep_reject(x, line, vf, val->s, "number", msg, err, errlen);
	}
	if (pct && strcmp(ind->unit, "%") != 0) {
		snprintf(msg, sizeof msg, "%s: \"%s\" is a percentage, but %s is counted in %s", vf->header,
			 val->s, ind->code, ind->unit);
		return rep_reject(x, line, vf, val->s, "unit", msg, err, errlen);
	}
	if (ind->period != s->period) {
		snprintf(msg, sizeof msg, "%s is counted per %s, but this sheet places its rows in %s periods",
			 ind->code, period_type_name(ind->period), period_type_name(s->period));
		return rep_reject(x, line, nf, name->s, "period", msg, err, errlen);
	}
	rep_add(x, ind, period, json, num, line);
	return 0;
}

/* One row of a reported source. */
static int do_reported(transform *x, char *err, size_t errlen)
{
	const cfg_source *s = x->s;
	long line = atol(x->row[CFG_COL_LINE].s);
	const char *period = arena_dup(&x->a, x->row[CFG_COL_PERIOD].s, strlen(x->row[CFG_COL_PERIOD].s));
	const char *json = rep_json(x);
	char msg[1200];

	if (!s->wide)
		return rep_long(x, line, period, json, err, errlen);
	for (size_t i = 0; i < s->nfields; i++) {
		const cfg_field *f = &s->fields[i];
		const cfg_indicator *ind;
		const expr_value *v;
		char num[128];
		int pct = 0;
		if (f->indicator < 0 || f->col < 0)
			continue;
		ind = &x->c->indicators[f->indicator];
		v = &x->row[f->col];
		if (v->isnull)
			continue;
		if (x->coltype[f->col] == EXPR_NUMBER)
			snprintf(num, sizeof num, "%s", v->s);
		else if (clean_figure(v->s, num, sizeof num, &pct) < 0) {
			snprintf(msg, sizeof msg, "%s: \"%s\" (%s) is not a number", f->header, v->s, ind->code);
			if (rep_reject(x, line, f, v->s, "number", msg, err, errlen) < 0)
				return -1;
			continue;
		}
		if (ind->period != s->period) {
			snprintf(msg, sizeof msg, "%s is counted per %s, but this sheet places its rows in %s periods",
				 ind->code, period_type_name(ind->period), period_type_name(s->period));
			if (rep_reject(x, line, f, v->s, "period", msg, err, errlen) < 0)
				return -1;
			continue;
		}
		rep_add(x, ind, period, json, num, line);
	}
	return 0;
}

static int cmp_rep(const void *a, const void *b)
{
	const repval *p = a, *q = b;
	int c;
	if ((c = strcmp(p->ind->code, q->ind->code)))
		return c;
	if ((c = strcmp(p->period, q->period)))
		return c;
	if ((c = strcmp(p->json, q->json)))
		return c;
	return p->line < q->line ? -1 : p->line > q->line;
}

/* Sort the reported figures, reject repeats, write indicators.gz. */
static int write_reported(transform *x, manifest *m, long long *count, char *err, size_t errlen)
{
	char path[4200], msg[1200];
	rows_writer *w;

	if (x->nrep) /* qsort wants a non-null base even for no element */
		qsort(x->rep, x->nrep, sizeof *x->rep, cmp_rep);
	snprintf(path, sizeof path, "%s/indicators.gz", x->dir);
	if (!(w = rows_create(path, 1, err, errlen)))
		return -1;
	*count = 0;
	for (size_t i = 0; i < x->nrep; i++) {
		const repval *r = &x->rep[i];
		if (i && x->rep[i - 1].ind == r->ind && strcmp(x->rep[i - 1].period, r->period) == 0 &&
		    strcmp(x->rep[i - 1].json, r->json) == 0) {
			const repval *first = &x->rep[i - 1];
			while (first > x->rep && first[-1].ind == r->ind && strcmp(first[-1].period, r->period) == 0 &&
			       strcmp(first[-1].json, r->json) == 0)
				first--;
			snprintf(msg, sizeof msg, "%s %s%s%s is reported again (first on line %ld as %s)", r->ind->code,
				 r->period, strcmp(r->json, "{}") ? " " : "", strcmp(r->json, "{}") ? r->json : "",
				 first->line, first->value);
			if (rep_reject(x, r->line, NULL, r->value, "duplicate", msg, err, errlen) < 0) {
				rows_abort(w);
				return -1;
			}
			continue;
		}
		if (manifest_add_period(m, r->period) < 0) {
			rows_abort(w);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		rows_put(w, x->c->school_code, strlen(x->c->school_code));
		rows_put(w, r->period, strlen(r->period));
		rows_put(w, r->ind->code, strlen(r->ind->code));
		rows_put(w, r->json, strlen(r->json));
		rows_put(w, "reported", 8);
		rows_put(w, x->s->name, strlen(x->s->name));
		rows_put_null(w);
		rows_put_null(w);
		rows_put(w, r->value, strlen(r->value));
		rows_end(w);
		(*count)++;
	}
	return rows_commit(w, err, errlen);
}

/* ---- output ------------------------------------------------------------ */

/* One computed record into indicators.gz. */
static void put_record(transform *x, rows_writer *w, const engine_rec *r)
{
	const char *code = x->inds[r->ind]->code;

	rows_put(w, x->c->school_code, strlen(x->c->school_code));
	rows_put(w, r->period, strlen(r->period));
	rows_put(w, code, strlen(code));
	rows_put(w, r->json, strlen(r->json));
	rows_put(w, "computed", 8);
	rows_put(w, x->s->name, strlen(x->s->name));
	if (r->has_nd) {
		rows_putf(w, "%.15g", r->num);
		rows_putf(w, "%.15g", r->den);
	} else {
		rows_put_null(w);
		rows_put_null(w);
	}
	rows_putf(w, "%.15g", r->value);
	rows_end(w);
}

/* The engine's records (but the skipped indicators') into DIR/indicators.gz. */
static int write_out(transform *x, const char *dir, manifest *m, long long *count, char *err, size_t errlen)
{
	char *path = xasprintf("%s/indicators.gz", dir);
	engine_rec *recs;
	size_t n = engine_records(x->e, &recs);
	rows_writer *w = rows_create(path, 1, err, errlen);

	free(path);
	if (!w) {
		free(recs);
		return -1;
	}
	*count = 0;
	for (size_t r = 0; r < n; r++) {
		if (x->skip[recs[r].ind])
			continue;
		if (manifest_add_period(m, recs[r].period) < 0) {
			rows_abort(w);
			free(recs);
			return err_set(err, errlen, "out of memory");
		}
		put_record(x, w, &recs[r]);
		(*count)++;
	}
	free(recs);
	return rows_commit(w, err, errlen);
}

/* ---- fields without values ---------------------------------------------- */

/* Mark the indicators that read a field the file does not have (no
 * column) or has empty in every row: they are not computed for the
 * file's slices (a rate of 0/N would be a number the data does not
 * support), and the manifest lists each with the field and why, for
 * vqr-load to record as a finding. */
static void find_skipped(transform *x, manifest *m, long long rows)
{
	manifest_list_clear(&m->skipped);
	manifest_list_clear(&m->skipped_field);
	manifest_list_clear(&m->skipped_why);
	if (x->s->reported || rows == 0)
		return;         /* no rows: no groups, so nothing is computed anyway */
	for (size_t i = 0; i < x->ninds; i++) {
		const cfg_indicator *ind = x->inds[i];
		for (size_t k = 0; k < ind->nreads && !x->skip[i]; k++) {
			int col = ind->reads[k];
			const cfg_field *f = NULL;
			if (x->nonnull[col] > 0)
				continue;
			for (size_t j = 0; j < x->s->nfields && !f; j++)
				if (x->s->fields[j].col == col)
					f = &x->s->fields[j];
			x->skip[i] = 1;
			manifest_list_add(&m->skipped, ind->code);
			manifest_list_add(&m->skipped_field, f ? f->name : "?");
			manifest_list_add(&m->skipped_why, x->scol[col] < 0 ? "absent" : "empty");
			log_warning("%s: indicator %s is not computed: field %s (%s) is %s", m->file_name ? m->file_name : "?",
				    ind->code, f ? f->name : "?", f ? f->header : "?",
				    x->absent[col] ? "not in the file" : "empty in every row");
		}
	}
}

/* ---- main -------------------------------------------------------------- */

/* The typed row's columns: the ones some rule reads (and the line, the
 * period and the period date), each with its expression type. */
static void setup_columns(transform *x)
{
	const cfg_source *s = x->s;

	x->coltype = xcalloc(s->ncols, sizeof *x->coltype);
	x->row = xcalloc(s->ncols, sizeof *x->row);
	x->ucols = xcalloc(s->ncols, sizeof *x->ucols);
	x->scol = xcalloc(s->ncols, sizeof *x->scol);
	x->vlen = xcalloc(s->ncols, sizeof *x->vlen);
	x->prev = xcalloc(s->ncols, sizeof *x->prev);
	x->prevnum = xcalloc(s->ncols, sizeof *x->prevnum);
	x->prevok = xcalloc(s->ncols, 1);
	x->nonnull = xcalloc(s->ncols, sizeof *x->nonnull);
	x->absent = xmalloc(s->ncols);
	memset(x->absent, 1, s->ncols);
	for (size_t i = 0; i < s->ncols; i++) {
		x->row[i].isnull = 1;
		x->row[i].s = "";
		if (s->used[i] || i == CFG_COL_LINE || i == CFG_COL_PERIOD || (int)i == x->date_col)
			x->ucols[x->nucols++].col = (int)i;
	}
	x->coltype[CFG_COL_LINE] = EXPR_NUMBER;
	x->coltype[CFG_COL_PERIOD] = EXPR_TEXT;
	for (size_t i = 0; i < s->nfields; i++) {
		const cfg_field *f = &s->fields[i];
		if (f->col < 0)
			continue;
		switch (f->type) {
		case CFG_INTEGER:
		case CFG_DECIMAL:
		case CFG_PERCENT: x->coltype[f->col] = EXPR_NUMBER; break;
		case CFG_BOOL: x->coltype[f->col] = EXPR_BOOL; break;
		case CFG_DATE: x->coltype[f->col] = EXPR_DATE; break;
		default: x->coltype[f->col] = EXPR_TEXT; break;
		}
	}
}

static int setup(transform *x, char *err, size_t errlen)
{
	const cfg_source *s = x->s;

	if (!(x->e = engine_new(x->c, s, err, errlen)))
		return -1;
	x->inds = engine_indicators(x->e, &x->ninds);
	x->skip = xcalloc(x->ninds ? x->ninds : 1, 1);
	x->date_col = s->period_date >= 0 ? s->fields[s->period_date].col : -1;
	setup_columns(x);
	return 0;
}

/* rows.tsv's column line: _line, _period, then the fields the file had
 * (vqr-extract stages only those).  Sets scol and nstaged. */
static int check_header(transform *x, rows_reader *r, char *err, size_t errlen)
{
	int n = rows_next(r);
	if (n < 0) {
		snprintf(err, errlen, "%s", rows_error(r));
		return -1;
	}
	if (n < 2 || !rows_field(r, 0) || strcmp(rows_field(r, 0), "_line") || !rows_field(r, 1) ||
	    strcmp(rows_field(r, 1), "_period")) {
		snprintf(err, errlen, "rows.tsv: the column line does not start with _line and _period");
		return -1;
	}
	for (size_t i = 0; i < x->s->ncols; i++)
		x->scol[i] = -1;
	x->scol[CFG_COL_LINE] = 0;
	x->scol[CFG_COL_PERIOD] = 1;
	for (int j = 2; j < n; j++) {
		const char *name = rows_field(r, j);
		const cfg_field *f = name ? cfg_field_find(x->s, name) : NULL;
		if (!f || f->col < 0 || x->scol[f->col] >= 0) {
			snprintf(err, errlen, "rows.tsv column %d is \"%s\", %s source \"%s\"\n"
				 "hint: the configuration changed since extract; extract the file again", j + 1,
				 name ? name : "\\N", f && f->col >= 0 ? "a second time in" : "not a staged field of",
				 x->s->name);
			return -1;
		}
		x->scol[f->col] = j;
		x->absent[f->col] = 0;
	}
	x->nstaged = (size_t)n;
	for (size_t u = 0; u < x->nucols; u++) {
		ucol *c = &x->ucols[u];
		c->staged = x->scol[c->col];
		c->typed = x->s->used[c->col] && x->coltype[c->col] != EXPR_TEXT;
	}
	return 0;
}

/* --with PERIODS:ROWS: count the rows of an earlier file of the slices
 * whose period is in PERIODS and among the file's own (m->periods).
 * 0, or -1 with err set. */
static int with_rows(transform *x, const manifest *m, const char *arg, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':');
	char periods[1024];
	rows_reader *r;
	int n, any = 0;

	if (!colon || (size_t)(colon - arg) >= sizeof periods) {
		snprintf(err, errlen, "--with %s: expected PERIODS:ROWS", arg);
		return -1;
	}
	snprintf(periods, sizeof periods, "%.*s", (int)(colon - arg), arg);
	for (size_t i = 0; i < m->nperiods && !any; i++)
		any = period_in_list(periods, m->periods[i]);
	if (!any)
		return 0;       /* none of the file's periods: not a file of its slices */
	if (!(r = rows_open(colon + 1, err, errlen)))
		return -1;
	if (check_header(x, r, err, errlen) < 0) {
		rows_close(r);
		return -1;
	}
	while ((n = rows_next(r)) > 0) {
		if (typed_row(x, r, n, err, errlen) < 0) {
			rows_close(r);
			return -1;
		}
		if (!period_in_list(periods, x->row[CFG_COL_PERIOD].s))
			continue;
		any = 0;
		for (size_t i = 0; i < m->nperiods && !any; i++)
			any = strcmp(m->periods[i], x->row[CFG_COL_PERIOD].s) == 0;
		if (any)
			engine_add_row(x->e, x->row, x->vlen);
	}
	if (n < 0)
		snprintf(err, errlen, "%s", rows_error(r));
	rows_close(r);
	return n < 0 ? -1 : 0;
}

static void cleanup(transform *x)
{
	engine_free(x->e);
	free(x->coltype);
	free(x->row);
	free(x->vlen);
	free(x->ucols);
	free(x->scol);
	free(x->nonnull);
	free(x->absent);
	free(x->skip);
	free(x->prev);
	free(x->prevnum);
	free(x->prevok);
	free(x->rep);
	arena_free(&x->a);
}

/* What main parsed. */
typedef struct opts {
	const char *config;     /* --config, or the default */
	const char *dir;        /* the staging directory */
	const char *follow;     /* --follow SOURCE, or NULL */
	const char *with[256];  /* --with PERIODS:ROWS (nwith) */
	size_t nwith;
	long long t0;           /* when the program started (cli_ms) */
} opts;

/* An option of vqr-transform's own into ctx (opts); cli_parse's own
 * function. */
static int own_option(int ch, const char *arg, void *ctx)
{
	opts *o = ctx;

	switch (ch) {
	case 'f': o->follow = arg; return CLI_GO_ON;
	case 'w':
		if (o->nwith == sizeof o->with / sizeof o->with[0]) {
			log_error("--with: at most %zu files", o->nwith);
			return EXIT_USAGE;
		}
		o->with[o->nwith++] = arg;
		return CLI_GO_ON;
	}
	return CLI_NOT_MINE;
}

/* Parse the options into o: -1 to go on, else the exit status for main. */
static int parse_options(int argc, char **argv, opts *o)
{
	static const cli_parser parser = { "vqr-transform", usage, "f:w:", own_option, "staging directory", {
		{ "follow", required_argument, NULL, 'f' }, { "with", required_argument, NULL, 'w' } } };
	int rc;

	if ((rc = cli_parse(argc, argv, &parser, o, &o->config)) != CLI_GO_ON)
		return rc;
	o->dir = argv[optind];
	o->config = cli_config_path(o->config);
	return -1;
}

/* Say err and give the status of an internal error. */
static int internal(const char *err)
{
	log_error_text(err);
	return EXIT_INTERNAL;
}

/* The rows ended with err: following, the rows end early when the
 * extract gives the file up, which is the extract's to report (its
 * manifest says why); else an internal error. */
static int rows_failed(const opts *o, manifest *m, const char *err)
{
	if (o->follow && stage_extract_gave_up(o->dir, m, STAGE_FOLLOW_WAIT_MS))
		return EXIT_REJECTED;
	return internal(err);
}

/* Every row of DIR/rows.tsv (following the extract with --follow),
 * counted in *rows.  0, or the exit status after saying why. */
static int read_rows(transform *x, const opts *o, manifest *m, long long *rows)
{
	char err[ERR_MAX], *path = xasprintf("%s/rows.tsv", o->dir), *mpath = xasprintf("%s/manifest.yaml", o->dir);
	rows_reader *r = o->follow ? rows_follow(path, mpath, err, sizeof err) : rows_open(path, err, sizeof err);
	int n = 0, status = EXIT_OK;

	free(mpath);
	free(path);
	if (!r)
		return rows_failed(o, m, err);
	if (check_header(x, r, err, sizeof err) < 0) {
		log_error_text(err);
		status = EXIT_USAGE;
	}
	while (!status && (n = rows_next(r)) > 0) {
		if (typed_row(x, r, n, err, sizeof err) < 0 || (x->s->reported && do_reported(x, err, sizeof err) < 0))
			status = internal(err);
		else if (!x->s->reported)
			engine_add_row(x->e, x->row, x->vlen);
		(*rows)++;
	}
	if (!status && n < 0) {
		err_set(err, sizeof err, "%s", rows_error(r));
		status = rows_failed(o, m, err);
	}
	rows_close(r);
	return status;
}

/* Open the staging directory (stage_open) into m and *s.  0, or the
 * exit status after saying why not: 2 when the file failed at extract. */
static int open_staged(transform *x, const opts *o, manifest *m, const cfg_source **s)
{
	char err[ERR_MAX];
	int rc = stage_open(o->dir, x->c, o->config, m, s, err, sizeof err);

	if (rc == -2)
		log_error("%s", err);
	else if (rc < 0)
		log_error_text(err);
	return rc == -2 ? EXIT_REJECTED : rc < 0 ? EXIT_USAGE : EXIT_OK;
}

/* Following, the extract's manifest (same source); then the rows read
 * must be the rows staged.  0, or the exit status after saying why. */
static int check_staged(transform *x, const opts *o, manifest *m, long long rows)
{
	if (o->follow) {
		const cfg_source *ms;
		int status;
		if (stage_extract_gave_up(o->dir, m, STAGE_FOLLOW_WAIT_MS))
			return EXIT_REJECTED;
		manifest_clear(m);
		if ((status = open_staged(x, o, m, &ms)))
			return status;
		if (ms != x->s) {
			log_error("%s: staged for source %s, not %s (--follow)", o->dir, ms->name, o->follow);
			return EXIT_USAGE;
		}
	}
	/* rows.tsv is not synced (rows_nosync): after a crash it can be
	 * short, with the synced manifest still counting every row. */
	if (m->rows_staged >= 0 && rows != m->rows_staged) {
		log_error("%s/rows.tsv: %lld rows, but vqr-extract staged %lld (manifest.yaml: rows_staged): the file is "
			  "incomplete\nhint: extract the export again (a crash can leave staged files short)",
			  o->dir, rows, m->rows_staged);
		return EXIT_INTERNAL;
	}
	return 0;
}

/* The manifest's row counts, with the rows rejected here. */
static void count_rows(const transform *x, manifest *m)
{
	if (m->rows_staged >= 0) {
		/* from the extract's counts, so that running the transform
		 * again on the directory counts the same */
		m->rows_loaded = m->rows_staged - x->nrejected;
		m->rows_rejected = m->rows_read - m->rows_skipped - m->rows_staged + x->nrejected;
	} else {
		m->rows_rejected += x->nrejected;
		m->rows_loaded -= x->nrejected;
	}
	if (m->rows_loaded < 0)
		m->rows_loaded = 0;
}

/* Write indicators.gz, the rejects and the manifest.  The exit status. */
static int finish(transform *x, const opts *o, manifest *m, long long rows)
{
	char err[ERR_MAX], *path;
	long long count = 0;
	int status = EXIT_OK;

	find_skipped(x, m, rows);
	if ((x->s->reported ? write_reported(x, m, &count, err, sizeof err)
			    : write_out(x, o->dir, m, &count, err, sizeof err)) < 0)
		return internal(err);
	if (x->rejects) {
		int rc = rows_commit(x->rejects, err, sizeof err);
		x->rejects = NULL;
		if (rc < 0)
			return internal(err);
		status = EXIT_REJECTED;
		if (m->status == MANIFEST_OK)
			m->status = MANIFEST_REJECTED;
	}
	count_rows(x, m);
	m->transform_ms = cli_ms() - o->t0;
	m->indicators = count;
	path = xasprintf("%s/manifest.yaml", o->dir);
	if (manifest_write(path, m, err, sizeof err) < 0)
		status = internal(err);
	free(path);
	if (status != EXIT_INTERNAL)
		log_info("%s: %lld rows -> %lld indicator records (%zu indicators, %zu breakdown sets, %zu groups)",
			 o->dir, rows, count, x->ninds, x->e ? engine_nsets(x->e) : 0, x->e ? engine_ngroups(x->e) : 0);
	return status;
}

/* The staged directory's rows through the catalog.  The exit status. */
static int transform_dir(transform *x, const opts *o, manifest *m)
{
	char err[ERR_MAX];
	long long rows = 0;
	int status;

	if (o->follow && !(x->s = cfg_source_find(x->c, o->follow))) {
		log_error("--follow %s: no such source in %s", o->follow, o->config);
		return EXIT_USAGE;
	}
	if (!o->follow && (status = open_staged(x, o, m, &x->s)))
		return status;
	if (setup(x, err, sizeof err) < 0)
		return internal(err);
	if ((status = read_rows(x, o, m, &rows)) || (status = check_staged(x, o, m, rows)))
		return status;
	for (size_t i = 0; i < o->nwith; i++)
		if (with_rows(x, m, o->with[i], err, sizeof err) < 0) {
			log_error("%s: the rows kept for the slice cannot be read", o->dir);
			log_error_text(err);
			return EXIT_INTERNAL;
		}
	return finish(x, o, m, rows);
}

/* One transform: the command line of a vqr-transform run (argv), with the
 * configuration kept in k (serve.h); the exit status. */
static int transform_job(int argc, char **argv, void *k)
{
	char err[ERR_MAX];
	manifest m = { 0 };
	opts o = { 0 };
	transform x;
	int status;
	cfg *c;

	o.t0 = cli_ms();
	if ((status = parse_options(argc, argv, &o)) >= 0)
		return status;
	if (!(c = cfg_keep(k, o.config, err, sizeof err))) {
		log_error_text(err);
		return EXIT_USAGE;
	}
	memset(&x, 0, sizeof x);
	x.c = c;
	x.dir = o.dir;
	status = transform_dir(&x, &o, &m);
	if (x.rejects)
		rows_abort(x.rejects);
	cleanup(&x);
	manifest_clear(&m);
	return status;
}

int main(int argc, char **argv)
{
	cfg_kept k = { 0 };
	int status;

	status = serve_main("vqr-transform", argc, argv, transform_job, &k);
	cfg_kept_free(&k);
	return cli_finish_stdout(status);
}
