/*
 * report_fill.c - the quality report's tables filled for one school and
 * year (report_fetch, report.h): rows taken from an indicator's
 * breakdowns are read first (one query per such table), then every value
 * of every table is read in one query that also resolves each
 * indicator's period and compares computed with reported figures.
 */
#include "pipeline/report_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/db/db.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

/* A value wanted from the database: an expanded reference of a cell. */
typedef struct wanted {
	const vref *ref;        /* the layout's reference */
	char *bd;               /* breakdown as JSON */
	char *period;           /* period override, or NULL */
	char *resolved;         /* the period the value was read for (fetch_values), or NULL */
	fcell *cell;            /* where the result goes (index into a table, fixed up later) */
	size_t table, index;    /* which filled table and cell */
} wanted;

typedef struct filler {
	PGconn *conn;
	const report_layout *l;
	report_data *r;
	const char *school, *year;
	char fiscal[16];        /* the fiscal year of the academic year */
	vars base;              /* the report's template variables */
	wanted *w;              /* every value wanted (nw) */
	size_t nw, capw;
	char *err;
	size_t errlen;
} filler;

static int db_fail(filler *F, PGresult *res, const char *what)
{
	const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(F->conn);
	size_t n = strlen(m);
	while (n && m[n - 1] == '\n')
		n--;
	snprintf(F->err, F->errlen, "%s: %.*s", what, (int)n, m);
	PQclear(res);
	return -1;
}

static void warn(filler *F, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(filler *F, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < F->r->nwarn; i++)
		if (strcmp(F->r->warn[i], buf) == 0)
			return;
	report_push_str(&F->r->warn, &F->r->nwarn, xstrdup(buf));
}

/* Expand a layout cell into filled cell c (a value reference is queued). */
static int fill_cell(filler *F, const lcell *lc, const vars *v, size_t ti, size_t ci)
{
	ftable *ft = &F->r->t[ti];
	fcell *c = &ft->cells[ci];
	const vref *r = lc->ref;
	wanted *w;
	str bd = STR_INIT;

	if (!r) {
		c->text = report_tmpl_expand(lc->text, v);
		return 0;
	}
	c->isref = 1;
	xgrow((void **)&F->w, &F->capw, F->nw + 1, sizeof *F->w);
	w = &F->w[F->nw];
	memset(w, 0, sizeof *w);
	w->ref = r;
	w->table = ti;
	w->index = ci;
	str_add(&bd, "{");
	for (size_t i = 0; i < r->nbd; i++) {
		char *val = NULL;
		if (i)
			str_add(&bd, ", ");
		str_add_json(&bd, r->bd_keys[i]);
		str_add(&bd, ": ");
		/* "{field}" of a field without a value is JSON null */
		if (r->bd_vals[i] && r->bd_vals[i][0] == '{' && strchr(r->bd_vals[i], '}')[1] == '\0') {
			int known;
			const char *s = report_var_of(v, r->bd_vals[i] + 1, strlen(r->bd_vals[i]) - 2, &known);
			if (known && !s) {
				str_add(&bd, "null");
				continue;
			}
		}
		if (r->bd_vals[i])
			val = report_tmpl_expand(r->bd_vals[i], v);
		if (val)
			str_add_json(&bd, val);
		else
			str_add(&bd, "null");
		free(val);
	}
	str_add(&bd, "}");
	w->bd = str_steal(&bd);
	if (r->period)
		w->period = report_tmpl_expand(r->period, v);
	F->nw++;
	return 0;
}

/* The period expression shared by the queries: $1 school, $2 academic
 * year, $3 fiscal year; w.code, w.sem, w.period_override; i = the
 * indicator (LEFT JOINed). */
#define PERIOD_SQL                                                                                        \
	"CASE WHEN w.period_override <> '' THEN w.period_override "                                       \
	"WHEN i.period_type = 'fiscal_year' THEN $3::text "                                               \
	"WHEN i.period_type = 'semester' THEN $2::text || '-' || w.sem "                                  \
	"WHEN i.period_type = 'snapshot' THEN (SELECT v.period FROM vqr.indicator_value v "                \
	"  JOIN vqr.period sp ON sp.period = v.period JOIN vqr.period ay ON ay.period = $2::text "          \
	"  WHERE v.school_code = $1::text AND v.indicator_code = w.code AND sp.period_type = 'snapshot' "  \
	"  AND sp.start_date BETWEEN ay.start_date AND ay.end_date ORDER BY sp.start_date DESC LIMIT 1) " \
	"ELSE $2::text END"

typedef struct brow {
	char *f[MAX_BY];        /* field values (NULL = null) */
	const ltable *t;        /* for the sort order */
} brow;

static const ltable *sort_table;

/* Text order, except that two whole numbers ("2", "10") compare as numbers. */
static int cmp_val(const char *a, const char *b)
{
	size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
	if (la && lb && !a[la] && !b[lb] && la < 19 && lb < 19) {
		long long x = atoll(a), y = atoll(b);
		return x < y ? -1 : x > y;
	}
	return strcmp(a, b);
}

/* Fields a and b by cmp, a value before a null. */
static int cmp_field(const char *a, const char *b, int (*cmp)(const char *, const char *))
{
	if (!a || !b)
		return a == b ? 0 : a ? -1 : 1;
	return cmp(a, b);
}

static int cmp_brow(const void *a, const void *b)
{
	const brow *x = a, *y = b;
	const ltable *t = sort_table;
	int c;

	for (size_t i = 0; i < t->norder; i++) {
		size_t k = 0;
		while (strcmp(t->by[k], t->order[i]))
			k++;
		if ((c = cmp_field(x->f[k], y->f[k], cmp_val)))
			return c;
	}
	for (size_t k = 0; k < t->nby; k++)
		if ((c = cmp_field(x->f[k], y->f[k], strcmp)))
			return c;
	return 0;
}

/* The rows of a rows_from table: the breakdowns of its indicator with
 * exactly the by fields, in the table's period. */
static int fill_from(filler *F, const ltable *t, size_t ti)
{
	ftable *ft = &F->r->t[ti];
	str sql = STR_INIT, keys = STR_INIT;
	const char *p[5 + MAX_BY];
	char nby[8];
	PGresult *res;
	brow *rows = NULL;
	size_t n;
	int rc = 0;

	for (size_t i = 0; i < t->nby; i++)
		db_array_add(&keys, t->by[i]);
	db_array_end(&keys);
	str_add(&sql, "WITH w AS (SELECT $4::text AS code, 0 AS sem, ''::text AS period_override) "
		     "SELECT DISTINCT b.breakdown::text");
	for (size_t i = 0; i < t->nby; i++) {
		char col[64];
		snprintf(col, sizeof col, ", b.breakdown->>$%zu::text", 7 + i);
		str_add(&sql, col);
	}
	str_add(&sql, ", i.indicator_code IS NULL FROM w LEFT JOIN vqr.indicator i ON i.indicator_code = w.code "
		     "LEFT JOIN vqr.indicator_value b ON b.school_code = $1::text AND b.indicator_code = w.code "
		     "AND b.period = (" PERIOD_SQL ") AND b.breakdown ?& $5::text[] "
		     "AND (SELECT count(*) FROM jsonb_object_keys(b.breakdown)) = $6::int");
	snprintf(nby, sizeof nby, "%zu", t->nby);
	p[0] = F->school;
	p[1] = F->year;
	p[2] = F->fiscal;
	p[3] = t->from;
	p[4] = keys.s;
	p[5] = nby;
	for (size_t i = 0; i < t->nby; i++)
		p[6 + i] = t->by[i];
	res = PQexecParams(F->conn, sql.s, (int)(6 + t->nby), NULL, p, NULL, NULL, 0);
	str_free(&sql);
	str_free(&keys);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return db_fail(F, res, "report: the rows of a table");
	n = 0;
	if (PQntuples(res) && PQgetvalue(res, 0, (int)t->nby + 1)[0] == 't') {
		warn(F, "%s:%d:%d: table %s: indicator %s is not in the database's catalog", F->l->path, t->line,
		     t->col, t->id, t->from);
	}
	rows = xcalloc((size_t)PQntuples(res) + 1, sizeof *rows);
	for (int i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 0))
			continue;
		for (size_t k = 0; k < t->nby; k++)
			rows[n].f[k] = PQgetisnull(res, i, (int)k + 1) ? NULL : PQgetvalue(res, i, (int)k + 1);
		n++;
	}
	sort_table = t;
	qsort(rows, n, sizeof *rows, cmp_brow);
	ft->nrows = n;
	F->r->found += n;
	ft->cells = xcalloc(n * t->ncols + 1, sizeof *ft->cells);
	for (size_t i = 0; i < n && !rc; i++) {
		vars v = F->base;
		char num[24];
		snprintf(num, sizeof num, "%zu", i + 1);
		report_vars_set(&v, "n", num);
		for (size_t k = 0; k < t->nby; k++)
			report_vars_set(&v, t->by[k], rows[i].f[k]);
		for (size_t c = 0; c < t->ncols && !rc; c++)
			rc = fill_cell(F, &t->row[c], &v, ti, i * t->ncols + c);
	}
	free(rows);
	PQclear(res);
	return rc;
}

static const char *const marks[] = { "†", "‡", "§", "¶", "††", "‡‡", "§§", "¶¶" };

const char *report_mark(int i)
{
	return marks[i < 8 ? i : 7];
}

/* Format a number text with the reference's prefix and suffix. */
static char *with_affixes(const vref *r, const char *num)
{
	str b = STR_INIT;
	if (r->prefix)
		str_add(&b, r->prefix);
	str_add(&b, num);
	if (r->suffix)
		str_add(&b, r->suffix);
	return str_steal(&b);
}

/* Warn about a reference whose indicator the database's catalog does
 * not have, or whose semester does not fit its period type (ptype). */
static void check_period_type(filler *F, const wanted *w, const char *ptype)
{
	const vref *r = w->ref;

	if (!ptype)
		warn(F, "%s:%d:%d: indicator %s is not in the database's catalog", F->l->path, r->line, r->col,
		     r->indicator);
	else if (strcmp(ptype, "semester") == 0 && !r->semester && !w->period)
		warn(F, "%s:%d:%d: indicator %s is counted per semester: say semester: 1 or 2", F->l->path, r->line,
		     r->col, r->indicator);
	else if (strcmp(ptype, "semester") != 0 && r->semester)
		warn(F, "%s:%d:%d: indicator %s is counted per %s, not per semester", F->l->path, r->line, r->col,
		     r->indicator, ptype);
}

/* How the schools of a region combine cell c (row row of fetch_values's
 * result): the indicator's rule, scale, unit and name and, for a computed
 * value (computed), its numerator and denominator. */
static void value_parts(fcell *c, PGresult *res, int row, int computed)
{
	static const char *const rules[] = { "sum", "ratio_of_sums", "weighted_mean", "none" };

	for (size_t k = 0; !PQgetisnull(res, row, 9) && k < sizeof rules / sizeof rules[0]; k++)
		if (strcmp(PQgetvalue(res, row, 9), rules[k]) == 0)
			c->agg = rules[k];
	if (!PQgetisnull(res, row, 10))
		c->scale = xstrdup(PQgetvalue(res, row, 10));
	c->pct = !PQgetisnull(res, row, 11) && strcmp(PQgetvalue(res, row, 11), "%") == 0;
	c->unit = PQgetisnull(res, row, 11) ? NULL : xstrdup(PQgetvalue(res, row, 11));
	c->name = PQgetisnull(res, row, 12) ? NULL : xstrdup(PQgetvalue(res, row, 12));
	if (computed && !PQgetisnull(res, row, 7) && !PQgetisnull(res, row, 8)) {
		c->numer = xstrdup(PQgetvalue(res, row, 7));
		c->denom = xstrdup(PQgetvalue(res, row, 8));
	}
}

/* The cell of row row of fetch_values's result: the value shown (the
 * reported one for value_type: reported, else the computed one, else the
 * reported one), or —; a computed value that differs from the reported
 * one is marked, with a footnote. */
static int fill_value(filler *F, PGresult *res, int row)
{
	size_t i = (size_t)atol(PQgetvalue(res, row, 0)) - 1;
	wanted *w = &F->w[i];
	const vref *r = w->ref;
	ftable *ft = &F->r->t[w->table];
	fcell *c = &ft->cells[w->index];
	const char *shown = NULL;
	char *rep;
	int m;

	check_period_type(F, w, PQgetisnull(res, row, 1) ? NULL : PQgetvalue(res, row, 1));
	w->resolved = PQgetisnull(res, row, 2) ? NULL : xstrdup(PQgetvalue(res, row, 2));
	if (r->reported)
		shown = PQgetisnull(res, row, 4) ? NULL : PQgetvalue(res, row, 4);
	else if (!PQgetisnull(res, row, 3))
		shown = PQgetvalue(res, row, 3);
	else if (!PQgetisnull(res, row, 4))
		shown = PQgetvalue(res, row, 4);
	if (!shown) {
		c->text = xstrdup("—");
		return 0;
	}
	F->r->found++;
	c->text = with_affixes(r, shown);
	c->num = xstrdup(shown);
	c->hasnum = 1;
	c->val = strtod(shown, NULL);
	c->code = xstrdup(r->indicator);
	value_parts(c, res, row, shown == PQgetvalue(res, row, 3));
	if (PQgetvalue(res, row, 6)[0] != 't' || r->reported)
		return 0;
	rep = with_affixes(r, PQgetvalue(res, row, 5));
	m = ft->nmarks < 8 ? ft->nmarks : 7;
	c->mark = marks[m];
	if (ft->nmarks < 8)
		ft->nmarks++;
	report_push_str(&ft->notes, &ft->nnotes, xasprintf("%s 报告填报 %s，按明细计算 %s / reported %s, computed %s",
							      marks[m], rep, c->text, rep, c->text));
	free(rep);
	return 0;
}

/* Run sql with $1 the school, $2 the academic year, $3 the fiscal year
 * and $4... the na array literals a (closed with "}" here, then freed).
 * The result, or NULL after db_fail (what) into F->err. */
static PGresult *exec_arrays(filler *F, const char *sql, str *a, int na, const char *what)
{
	const char *p[3 + 8];
	PGresult *res;

	for (int k = 0; k < na; k++)
		p[3 + k] = db_array_end(&a[k]);
	p[0] = F->school;
	p[1] = F->year;
	p[2] = F->fiscal;
	res = PQexecParams(F->conn, sql, 3 + na, NULL, p, NULL, NULL, 0);
	for (int k = 0; k < na; k++)
		str_free(&a[k]);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_fail(F, res, what);
		return NULL;
	}
	return res;
}

/* Every wanted value in one query. */
static int fetch_values(filler *F)
{
	static const char *sql =
		"WITH w AS (SELECT * FROM unnest($4::text[], $5::jsonb[], $6::int[], $7::text[], $8::int[]) "
		"  WITH ORDINALITY AS w(code, bd, sem, period_override, dec, i)) "
		"SELECT w.i, i.period_type, p.period, "
		"  CASE WHEN w.dec < 0 THEN trim_scale(round(c.value, 2))::text ELSE round(c.value, w.dec)::text END, "
		"  CASE WHEN w.dec < 0 THEN trim_scale(round(r.value, 2))::text ELSE round(r.value, w.dec)::text END, "
		"  r.value::text, "
		"  c.value IS NOT NULL AND r.value IS NOT NULL "
		"    AND abs(c.value - r.value) > 0.5 * power(10::numeric, -scale(r.value)), "
		"  c.numerator::text, c.denominator::text, i.aggregate, i.scale::text, i.unit, i.name_zh "
		"FROM w LEFT JOIN vqr.indicator i ON i.indicator_code = w.code "
		"CROSS JOIN LATERAL (SELECT " PERIOD_SQL " AS period) p "
		"LEFT JOIN vqr.indicator_value c ON c.school_code = $1::text AND c.period = p.period "
		"  AND c.indicator_code = w.code AND c.breakdown = w.bd AND c.value_type = 'computed' "
		"LEFT JOIN vqr.indicator_value r ON r.school_code = $1::text AND r.period = p.period "
		"  AND r.indicator_code = w.code AND r.breakdown = w.bd AND r.value_type = 'reported' "
		"ORDER BY w.i";
	str a[5] = { STR_INIT, STR_INIT, STR_INIT, STR_INIT, STR_INIT };
	PGresult *res;
	int rc = 0;

	if (!F->nw)
		return 0;
	for (size_t i = 0; i < F->nw; i++) {
		char num[16];
		db_array_add(&a[0], F->w[i].ref->indicator);
		db_array_add(&a[1], F->w[i].bd);
		snprintf(num, sizeof num, "%d", F->w[i].ref->semester);
		db_array_add(&a[2], num);
		db_array_add(&a[3], F->w[i].period ? F->w[i].period : "");
		snprintf(num, sizeof num, "%d", F->w[i].ref->decimals);
		db_array_add(&a[4], num);
	}
	if (!(res = exec_arrays(F, sql, a, 5, "report: the values")))
		return -1;
	for (int row = 0; row < PQntuples(res) && !rc; row++)
		rc = fill_value(F, res, row);
	PQclear(res);
	return rc;
}

/* One row of fetch_trends's result into its cell: the period, the value
 * as shown and as a number, and the indicator's name and unit. */
static void add_trend(filler *F, PGresult *res, int row)
{
	const wanted *w = &F->w[(size_t)atol(PQgetvalue(res, row, 0)) - 1];
	fcell *c = &F->r->t[w->table].cells[w->index];
	size_t k = c->ntrend++;

	c->tperiod = xreallocarray(c->tperiod, k + 1, sizeof *c->tperiod);
	c->tshown = xreallocarray(c->tshown, k + 1, sizeof *c->tshown);
	c->tvalue = xreallocarray(c->tvalue, k + 1, sizeof *c->tvalue);
	c->tperiod[k] = xstrdup(PQgetvalue(res, row, 1));
	c->tshown[k] = with_affixes(w->ref, PQgetvalue(res, row, 2));
	c->tvalue[k] = strtod(PQgetvalue(res, row, 2), NULL);
	if (!c->tname) {
		c->tname = xstrdup(PQgetvalue(res, row, 3));
		c->tunit = xstrdup(PQgetvalue(res, row, 4));
	}
}

/* The trend of every value of a text block or key figures: the
 * indicator's values (computed, else reported) in every academic or
 * fiscal year up to the report's, for the HTML charts. */
static int fetch_trends(filler *F)
{
	static const char *sql =
		"WITH w AS (SELECT * FROM unnest($4::text[], $5::jsonb[], $6::int[]) WITH ORDINALITY AS w(code, bd, dec, i)) "
		"SELECT w.i, v.period, CASE WHEN w.dec < 0 THEN trim_scale(round(x.value, 2))::text "
		"  ELSE round(x.value, w.dec)::text END, i.name_zh, coalesce(i.unit, '') "
		"FROM w JOIN vqr.indicator i ON i.indicator_code = w.code AND i.period_type IN ('academic_year', 'fiscal_year') "
		"JOIN (SELECT DISTINCT period, indicator_code, breakdown FROM vqr.indicator_value WHERE school_code = $1::text) v "
		"  ON v.indicator_code = w.code AND v.breakdown = w.bd "
		"  AND v.period <= CASE WHEN i.period_type = 'fiscal_year' THEN $3::text ELSE $2::text END "
		"CROSS JOIN LATERAL (SELECT value FROM vqr.indicator_value x WHERE x.school_code = $1::text "
		"  AND x.indicator_code = w.code AND x.breakdown = w.bd AND x.period = v.period "
		"  ORDER BY x.value_type = 'computed' DESC LIMIT 1) x "
		"ORDER BY w.i, v.period";
	str a[3] = { STR_INIT, STR_INIT, STR_INIT };
	PGresult *res;

	for (size_t i = 0; i < F->nw; i++) {
		char num[16];
		int kind = F->r->t[F->w[i].table].kind;
		/* only text and figures; a period of their own has no trend */
		int want = (kind == LK_TEXT || kind == LK_FIGURES) && !F->w[i].period && !F->w[i].ref->reported;
		db_array_add(&a[0], want ? F->w[i].ref->indicator : "");
		db_array_add(&a[1], F->w[i].bd);
		snprintf(num, sizeof num, "%d", F->w[i].ref->decimals);
		db_array_add(&a[2], num);
	}
	if (!(res = exec_arrays(F, sql, a, 3, "report: the trends")))
		return -1;
	for (int row = 0; row < PQntuples(res); row++)
		add_trend(F, res, row);
	PQclear(res);
	return 0;
}

/* Footnote note (handed over) on cell c of table ft: added to the note
 * of c's mark when c has one, else c takes the mark of an equal note of
 * ft, else ft's next mark with the note under it. */
static void add_note(ftable *ft, fcell *c, char *note)
{
	const char *mk = c->mark;
	size_t ml = mk ? strlen(mk) : 0;

	for (size_t k = 0; mk && k < ft->nnotes; k++)
		if (strncmp(ft->notes[k], mk, ml) == 0 && ft->notes[k][ml] == ' ') {
			char *s = xasprintf("%s；%s", ft->notes[k], note);
			free(ft->notes[k]);
			ft->notes[k] = s;
			free(note);
			return;
		}
	for (int m = 0; !mk && m < ft->nmarks; m++) {
		ml = strlen(marks[m]);
		for (size_t k = 0; k < ft->nnotes; k++)
			if (strncmp(ft->notes[k], marks[m], ml) == 0 && ft->notes[k][ml] == ' ' &&
			    strcmp(ft->notes[k] + ml + 1, note) == 0) {
				c->mark = marks[m];
				free(note);
				return;
			}
	}
	c->mark = marks[ft->nmarks < 8 ? ft->nmarks : 7];
	if (ft->nmarks < 8)
		ft->nmarks++;
	report_push_str(&ft->notes, &ft->nnotes, xasprintf("%s %s", c->mark, note));
	free(note);
}

/* The findings of the values (the report's period of each): rows of
 * fetch_findings's result from row on that concern the same value, as
 * one footnote on its cell.  The row after them. */
static int add_findings(filler *F, PGresult *res, int row)
{
	const char *i = PQgetvalue(res, row, 0);
	const wanted *w = &F->w[(size_t)atol(i) - 1];
	ftable *ft = &F->r->t[w->table];
	str b = STR_INIT;

	for (; row < PQntuples(res) && strcmp(PQgetvalue(res, row, 0), i) == 0; row++) {
		int err = strcmp(PQgetvalue(res, row, 1), "error") == 0;
		str_addf(&b, "%s校验发现（%s）%s%s", b.len ? "；" : "", err ? "错误 / error" : "警告 / warning",
			 PQgetvalue(res, row, 2), PQgetvalue(res, row, 3));
	}
	add_note(ft, &ft->cells[w->index], str_steal(&b));
	return row;
}

/* The current validation findings (vqr.v_finding) about the values: of
 * the school, in the period each value was read for, of its breakdown,
 * on its indicator (reported_vs_computed, field_missing) or from a check
 * whose formula names it.  Each becomes a footnote of its cell: its
 * severity, the check's name (unless the message names it) and the
 * message. */
static int fetch_findings(filler *F)
{
	static const char *sql =
		"WITH w AS (SELECT * FROM unnest($4::text[], $5::jsonb[], $6::text[]) WITH ORDINALITY AS w(code, bd, period, i)) "
		"SELECT DISTINCT w.i, f.severity, CASE WHEN strpos(f.message, coalesce(f.check_name_zh, f.check_code)) = 0 "
		"  THEN coalesce(f.check_name_zh, f.check_code) || '：' ELSE '' END, f.message "
		"FROM w JOIN vqr.v_finding f ON f.school_code = $1::text AND f.period = w.period "
		"  AND f.breakdown_text = CASE WHEN w.bd = '{}' THEN '' ELSE (SELECT string_agg(key || '=' || value, ', ' "
		"    ORDER BY key) FROM jsonb_each_text(w.bd)) END "
		"  AND (f.indicator_code = w.code OR f.indicator_code IS NULL AND EXISTS (SELECT FROM vqr.check_rule c "
		"    WHERE c.check_code = f.check_code AND w.code = ANY (regexp_split_to_array(c.left_side || ' ' || "
		"    c.right_side, '[^A-Za-z0-9_.]+')))) "
		"WHERE $2::text <> '' AND $3::text <> '' " /* exec_arrays passes them: typed */
		"ORDER BY 1, 2, 3, 4";
	str a[3] = { STR_INIT, STR_INIT, STR_INIT };
	PGresult *res;

	for (size_t i = 0; i < F->nw; i++) {
		db_array_add(&a[0], F->w[i].ref->indicator);
		db_array_add(&a[1], F->w[i].bd);
		db_array_add(&a[2], F->w[i].resolved ? F->w[i].resolved : "");
	}
	if (!(res = exec_arrays(F, sql, a, 3, "report: the findings")))
		return -1;
	for (int row = 0; row < PQntuples(res);)
		row = add_findings(F, res, row);
	PQclear(res);
	return 0;
}

static int year_ok(const char *y, char *fiscal, size_t flen)
{
	int a, b;
	char tail;
	if (strlen(y) != 9 || sscanf(y, "%4d-%4d%c", &a, &b, &tail) != 2 || b != a + 1 || y[4] != '-')
		return 0;
	snprintf(fiscal, flen, "%d", a);
	return 1;
}

/* The school's name (a result of one row the caller clears), or NULL
 * with *rc REPORT_REFUSED (no such school) or -1 after writing why into
 * F->err. */
static PGresult *school_name(filler *F, int *rc)
{
	const char *p[1] = { F->school };
	PGresult *res = PQexecParams(F->conn, "SELECT name FROM vqr.school WHERE school_code = $1", 1, NULL, p, NULL,
				     NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		*rc = db_fail(F, res, "report: the school");
		return NULL;
	}
	if (PQntuples(res))
		return res;
	PQclear(res);
	res = PQexec(F->conn, "SELECT string_agg(school_code, ', ' ORDER BY school_code) FROM vqr.school");
	snprintf(F->err, F->errlen, "school %s is not in the database (it has: %s)", F->school,
		 PQresultStatus(res) == PGRES_TUPLES_OK && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "none");
	PQclear(res);
	*rc = REPORT_REFUSED;
	return NULL;
}

/* The filled table ft's title, headers, alignment and notes from the
 * layout's table t (a column of value references aligns right unless
 * said otherwise). */
static void table_head(filler *F, const ltable *t, ftable *ft)
{
	ft->kind = t->kind;
	ft->lt = t;
	ft->ncols = t->ncols;
	ft->title = report_tmpl_expand(t->title, &F->base);
	ft->head = xcalloc(t->ncols + 1, sizeof *ft->head);
	ft->group = xcalloc(t->ncols + 1, sizeof *ft->group);
	ft->right = xcalloc(t->ncols + 1, sizeof *ft->right);
	for (size_t c = 0; c < t->ncols; c++) {
		ft->head[c] = report_tmpl_expand(t->cols[c].title, &F->base);
		if (t->cols[c].group)
			ft->group[c] = report_tmpl_expand(t->cols[c].group, &F->base);
		if (t->cols[c].align == AL_AUTO) {
			const lcell *cells = t->row ? t->row : t->cells;
			size_t nr = t->row ? 1 : t->nrows;
			for (size_t k = 0; k < nr; k++)
				if (cells[k * t->ncols + c].ref)
					ft->right[c] = 1;
		} else {
			ft->right[c] = t->cols[c].align == AL_RIGHT;
		}
	}
	for (size_t k = 0; k < t->nnotes; k++)
		report_push_str(&ft->notes, &ft->nnotes, report_tmpl_expand(t->notes[k], &F->base));
}

/* Fill the tables of the layout (only only_id when not NULL) into F->r,
 * queueing the values wanted.  0, or -1 with F->err. */
static int fill_tables(filler *F, const char *only_id)
{
	const report_layout *l = F->l;
	int rc = 0;

	for (size_t i = 0; i < l->nt && !rc; i++) {
		const ltable *t = &l->t[i];
		ftable *ft = &F->r->t[F->r->nt];
		if (only_id && strcmp(t->id, only_id) != 0)
			continue;
		F->r->nt++;
		table_head(F, t, ft);
		if (t->from) {
			rc = fill_from(F, t, F->r->nt - 1);
			continue;
		}
		if (t->kind == LK_TEXT) {
			/* the values are the table's cells, in no row */
			ft->vals = ft->cells = xcalloc(t->nvals + 1, sizeof *ft->cells);
			ft->nvals = t->nvals;
			for (size_t k = 0; k < t->nvals && !rc; k++)
				rc = fill_cell(F, &t->vals[k], &F->base, F->r->nt - 1, k);
			continue;
		}
		ft->nrows = t->nrows;
		ft->cells = xcalloc(t->nrows * t->ncols + 1, sizeof *ft->cells);
		for (size_t k = 0; k < t->nrows * t->ncols && !rc; k++)
			rc = fill_cell(F, &t->cells[k], &F->base, F->r->nt - 1, k);
	}
	return rc;
}

/* The paragraphs of the text blocks, once their values are in: each
 * value (with its mark) is the variable of its name. */
static void fill_texts(filler *F)
{
	for (size_t i = 0; i < F->r->nt; i++) {
		ftable *ft = &F->r->t[i];
		char *shown[MAX_BY];
		vars v = F->base;
		if (ft->kind != LK_TEXT)
			continue;
		for (size_t k = 0; k < ft->nvals; k++) {
			shown[k] = xasprintf("%s%s", ft->vals[k].text ? ft->vals[k].text : "—",
					     ft->vals[k].mark ? ft->vals[k].mark : "");
			report_vars_set(&v, ft->lt->vnames[k], shown[k]);
		}
		ft->text = report_tmpl_expand(ft->lt->text, &v);
		for (size_t k = 0; k < ft->nvals; k++)
			free(shown[k]);
	}
}

int report_fetch(PGconn *conn, const report_layout *l, const char *school, const char *year, const char *only_id,
		 report_data **out, char *err, size_t errlen)
{
	filler F = { .conn = conn, .l = l, .school = school, .year = year, .err = err, .errlen = errlen };
	report_base base;
	PGresult *res;
	int rc = 0;

	*out = NULL;
	if (!year_ok(year, F.fiscal, sizeof F.fiscal)) {
		err_set(err, errlen, "--year %s: an academic year is written like 2022-2023", year);
		return REPORT_REFUSED;
	}
	if (!(res = school_name(&F, &rc)))
		return rc;
	F.r = xcalloc(1, sizeof *F.r);
	F.r->t = xcalloc(l->nt + 1, sizeof *F.r->t);
	report_base_vars(&base, PQgetvalue(res, 0, 0), school, year);
	F.base = base.v;
	if (l->heading)
		F.r->heading = report_tmpl_expand(l->heading, &F.base);
	F.r->school_code = xstrdup(school);
	F.r->school_name = xstrdup(PQgetvalue(res, 0, 0));
	F.r->year = xstrdup(year);
	F.r->source = xasprintf("%s on %s", PQdb(conn), PQhost(conn) ? PQhost(conn) : "localhost");
	rc = fill_tables(&F, only_id);
	if (!rc)
		rc = fetch_values(&F);
	if (!rc && F.nw)
		rc = fetch_trends(&F);
	if (!rc && F.nw)
		rc = fetch_findings(&F);
	if (!rc)
		fill_texts(&F);
	PQclear(res); /* the school's name, a template variable until here */
	for (size_t i = 0; i < F.nw; i++) {
		free(F.w[i].bd);
		free(F.w[i].period);
		free(F.w[i].resolved);
	}
	free(F.w);
	if (rc) {
		report_data_free(F.r);
		return rc;
	}
	*out = F.r;
	return 0;
}

const char *report_warning(const report_data *r, size_t i)
{
	return i < r->nwarn ? r->warn[i] : NULL;
}

size_t report_values_found(const report_data *r)
{
	return r->found;
}

/* Free the n strings of v (NULL entries fine) and v (NULL fine). */
static void free_strings(char **v, size_t n)
{
	while (v && n)
		free(v[--n]);
	free(v);
}

void report_fcell_free(fcell *c)
{
	free_strings(c->tperiod, c->ntrend);
	free_strings(c->tshown, c->ntrend);
	FREE_ALL(c->text, c->num, c->numer, c->denom, c->scale, c->tvalue, c->tname, c->tunit, c->code, c->name,
		 c->unit, c->rtext);
}

/* Free what filled table t holds (not t). */
static void ftable_free(ftable *t)
{
	free(t->title);
	free_strings(t->head, t->ncols);
	free_strings(t->group, t->ncols);
	free(t->right);
	if (t->cells)
		for (size_t k = 0; k < (t->kind == LK_TEXT ? t->nvals : t->nrows * t->ncols); k++)
			report_fcell_free(&t->cells[k]);
	free(t->text);
	free(t->cells);
	free_strings(t->notes, t->nnotes);
}

void report_data_free(report_data *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nt; i++)
		ftable_free(&r->t[i]);
	free(r->t);
	free_strings(r->warn, r->nwarn);
	FREE_ALL(r->heading, r->school_code, r->school_name, r->year, r->source, r);
}
