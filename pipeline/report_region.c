/*
 * report_region.c - the colleges side by side (`vqr report --region`,
 * report_region and report_fetch_region in report.h): the same layout
 * filled for every school of the database, merged into ordinary filled
 * tables in which each column of figures becomes one column per school
 * plus a region column.  Every writer prints the result unchanged.
 *
 * The region's figure follows the indicator's rule (vqr.indicator
 * aggregate): a count or amount (sum) is the sum of the schools' figures;
 * a rate or mean (ratio_of_sums, weighted_mean) is the sum of their
 * numerators over the sum of their denominators times the scale, never
 * the mean of their percentages, and shows — when a school's figure has
 * no numerator and denominator (a figure only reported); none shows —.
 * It has the decimals and the prefix and suffix of the schools' figures.
 * A school's marked figure (†) keeps its footnote, named after the
 * school.  Rows are matched by their text cells (a column numbering the
 * rows 1, 2, ... is left out of the match and numbered again), so a table
 * whose rows come from breakdowns lists the union of the schools' rows.
 * A text block becomes each school's paragraph after the school's name,
 * then the region's: the same template filled with the region's figures.
 *
 * report_fetch_beside gives one school's report the same region figures
 * (and the school's rank) for the HTML charts of the school beside the
 * region: one code path for the ratio of sums.
 */
#include "pipeline/report_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

/* A merge of table ti of n filled reports. */
typedef struct merge {
	report_data *const *per; /* the schools' reports (n) */
	size_t n;
	size_t ti;              /* which table */
	int *isval;             /* per column: it holds figures */
	int *isnum;             /* per column: it numbers the rows 1, 2, ... */
	char **keys;            /* the merged rows' keys (nrows) */
	size_t *src;            /* nrows x n: the row of each school, or SIZE_MAX */
	size_t nrows, cap;
} merge;

/* Is column c of t a column of row numbers (every row r shows r + 1)? */
static int numbers_rows(const ftable *t, size_t c)
{
	for (size_t r = 0; r < t->nrows; r++) {
		char want[24];
		snprintf(want, sizeof want, "%zu", r + 1);
		if (strcmp(t->cells[r * t->ncols + c].text, want) != 0)
			return 0;
	}
	return 1;
}

/* Which columns hold figures, and which number the rows. */
static void merge_columns(merge *m)
{
	size_t nc = m->per[0]->t[m->ti].ncols;

	m->isval = xcalloc(nc + 1, sizeof *m->isval);
	m->isnum = xcalloc(nc + 1, sizeof *m->isnum);
	for (size_t c = 0; c < nc; c++) {
		int rows = 0;
		m->isnum[c] = 1;
		for (size_t i = 0; i < m->n; i++) {
			const ftable *t = &m->per[i]->t[m->ti];
			for (size_t r = 0; r < t->nrows; r++)
				m->isval[c] |= t->cells[r * t->ncols + c].isref;
			rows += t->nrows > 0;
			if (t->nrows && !numbers_rows(t, c))
				m->isnum[c] = 0;
		}
		m->isnum[c] = m->isnum[c] && rows && !m->isval[c];
	}
}

/* The key of row r of t: its text cells but the row numbers. */
static char *row_key(const merge *m, const ftable *t, size_t r)
{
	str b = STR_INIT;
	for (size_t c = 0; c < t->ncols; c++)
		if (!m->isval[c] && !m->isnum[c]) {
			str_add(&b, t->cells[r * t->ncols + c].text);
			str_add(&b, "\x1f");
		}
	str_add(&b, "");
	return str_steal(&b);
}

/* The merged rows: every school's rows, matched by key, in the order
 * first seen. */
static void merge_rows(merge *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const ftable *t = &m->per[i]->t[m->ti];
		for (size_t r = 0; r < t->nrows; r++) {
			char *k = row_key(m, t, r);
			size_t j = 0;
			while (j < m->nrows && (strcmp(m->keys[j], k) || m->src[j * m->n + i] != SIZE_MAX))
				j++;
			if (j == m->nrows) {
				xgrow((void **)&m->keys, &m->cap, m->nrows + 1, sizeof *m->keys);
				m->src = xreallocarray(m->src, m->cap * m->n, sizeof *m->src);
				for (size_t s = 0; s < m->n; s++)
					m->src[j * m->n + s] = SIZE_MAX;
				m->keys[m->nrows++] = k;
			} else {
				free(k);
			}
			m->src[j * m->n + i] = r;
		}
	}
}

/* The digits after the point of number text s. */
static int decimals_of(const char *s)
{
	const char *dot = strchr(s, '.');
	return dot ? (int)strlen(dot + 1) : 0;
}

/* The region's number from the schools' cells c[0..n-1] (NULL: the school
 * has no such row), or NULL for —.  Malloc'd. */
static char *region_number(const fcell *const *c, size_t n, const fcell **first)
{
	long double sum = 0, num = 0, den = 0, p;
	const char *agg = NULL;
	int dec = 0, ratio;

	*first = NULL;
	for (size_t i = 0; i < n; i++)
		if (c[i] && c[i]->num) {
			if (!*first)
				*first = c[i];
			if (!agg)
				agg = c[i]->agg;
			if (decimals_of(c[i]->num) > dec)
				dec = decimals_of(c[i]->num);
		}
	if (!*first || !agg || strcmp(agg, "none") == 0)
		return NULL;
	ratio = strcmp(agg, "sum") != 0;
	for (size_t i = 0; i < n; i++) {
		if (!c[i] || !c[i]->num)
			continue;
		if (ratio && (!c[i]->numer || !c[i]->denom))
			return NULL;
		sum += strtold(c[i]->num, NULL);
		if (ratio) {
			num += strtold(c[i]->numer, NULL);
			den += strtold(c[i]->denom, NULL);
		}
	}
	if (ratio && den <= 0)
		return NULL;
	if (ratio)
		sum = num / den * ((*first)->scale ? strtold((*first)->scale, NULL) : 1);
	p = powl(10, dec);
	return xasprintf("%.*Lf", dec, roundl(sum * p) / p);
}

void report_region_cell(fcell *out, const fcell *const *c, size_t n)
{
	const fcell *f;
	char *v = region_number(c, n, &f);
	str b = STR_INIT;
	const char *at;

	out->isref = 1;
	if (!v) {
		out->text = xstrdup("—");
		return;
	}
	at = strstr(f->text, f->num);
	str_addn(&b, f->text, at ? (size_t)(at - f->text) : 0);
	str_add(&b, v);
	str_add(&b, at ? at + strlen(f->num) : "");
	out->text = str_steal(&b);
	out->num = v;
	out->agg = f->agg;
	out->pct = f->pct;
	out->scale = xstrdup_or_null(f->scale);
}

/* Copy school i's cell x into out; a mark gets the next mark of ft, its
 * footnote (from t) named after the school. */
static void school_cell(fcell *out, const fcell *x, const ftable *t, const char *school, ftable *ft)
{
	out->text = xstrdup(x->text);
	out->isref = x->isref;
	out->num = xstrdup_or_null(x->num);
	out->numer = xstrdup_or_null(x->numer);
	out->denom = xstrdup_or_null(x->denom);
	out->scale = xstrdup_or_null(x->scale);
	out->agg = x->agg;
	out->pct = x->pct;
	if (!x->mark)
		return;
	out->mark = report_mark(ft->nmarks);
	for (size_t k = 0; k < t->nnotes; k++) {
		size_t ml = strlen(x->mark);
		if (strncmp(t->notes[k], x->mark, ml) == 0 && t->notes[k][ml] == ' ')
			report_push_str(&ft->notes, &ft->nnotes,
					xasprintf("%s %s：%s", out->mark, school, t->notes[k] + ml + 1));
	}
	if (ft->nmarks < 8)
		ft->nmarks++;
}

/* Is note the footnote of a marked cell of t ("† ...")?  Those go with
 * their school's cells (school_cell). */
static int is_mark_note(const ftable *t, const char *note)
{
	for (size_t x = 0; x < t->nrows * t->ncols; x++) {
		const char *mk = t->cells[x].mark;
		if (mk && strncmp(note, mk, strlen(mk)) == 0 && note[strlen(mk)] == ' ')
			return 1;
	}
	return 0;
}

/* The merged table's columns: a figure column becomes one column per
 * school and the region's, under a group header naming the figure. */
static void merged_head(const merge *m, ftable *ft)
{
	const ftable *t0 = &m->per[0]->t[m->ti];
	size_t k = 0;

	for (size_t c = 0; c < t0->ncols; c++)
		ft->ncols += m->isval[c] ? m->n + 1 : 1;
	ft->title = xstrdup(t0->title);
	ft->head = xcalloc(ft->ncols + 1, sizeof *ft->head);
	ft->group = xcalloc(ft->ncols + 1, sizeof *ft->group);
	ft->right = xcalloc(ft->ncols + 1, sizeof *ft->right);
	for (size_t c = 0; c < t0->ncols; c++) {
		if (!m->isval[c]) {
			ft->head[k] = xstrdup(t0->head[c]);
			ft->group[k] = xstrdup_or_null(t0->group[c]);
			ft->right[k++] = t0->right[c];
			continue;
		}
		for (size_t i = 0; i <= m->n; i++, k++) {
			ft->head[k] = xstrdup(i < m->n ? m->per[i]->school_name : "区域 / region");
			ft->group[k] = t0->group[c] ? xasprintf("%s %s", t0->group[c], t0->head[c]) : xstrdup(t0->head[c]);
			ft->right[k] = 1;
		}
	}
	for (size_t x = 0; x < t0->nnotes; x++)
		if (!is_mark_note(t0, t0->notes[x]))
			report_push_str(&ft->notes, &ft->nnotes, xstrdup(t0->notes[x]));
}

/* Row j of the merged table into ft's cells. */
static void merged_row(const merge *m, size_t j, ftable *ft)
{
	const ftable *t0 = &m->per[0]->t[m->ti];
	fcell *out = &ft->cells[j * ft->ncols];
	const fcell **cells = xcalloc(m->n + 1, sizeof *cells);
	size_t first = 0;

	while (m->src[j * m->n + first] == SIZE_MAX)
		first++;
	for (size_t c = 0; c < t0->ncols; c++) {
		const ftable *tf = &m->per[first]->t[m->ti];
		if (!m->isval[c]) {
			out->text = m->isnum[c] ? xasprintf("%zu", j + 1)
						: xstrdup(tf->cells[m->src[j * m->n + first] * tf->ncols + c].text);
			out++->isref = 0;
			continue;
		}
		for (size_t i = 0; i < m->n; i++, out++) {
			const ftable *t = &m->per[i]->t[m->ti];
			size_t r = m->src[j * m->n + i];
			cells[i] = r == SIZE_MAX ? NULL : &t->cells[r * t->ncols + c];
			if (cells[i])
				school_cell(out, cells[i], t, m->per[i]->school_name, ft);
			else
				*out = (fcell){ .text = xstrdup("—"), .isref = 1 };
		}
		report_region_cell(out++, cells, m->n);
	}
	free(cells);
}

/* The region's paragraph of text block ti, appended to b: the block's
 * template filled with the region's figures (report_region_cell of the
 * schools' values), school_name 全区域 and school_code empty. */
static void region_paragraph(report_data *const *per, size_t n, size_t ti, str *b)
{
	const ltable *lt = per[0]->t[ti].lt;
	const fcell **c = xcalloc(n + 1, sizeof *c);
	fcell *rv = xcalloc(lt->nvals + 1, sizeof *rv);
	report_base base;
	vars v;
	char *text;

	report_base_vars(&base, "全区域", "", per[0]->year);
	v = base.v;
	for (size_t k = 0; k < lt->nvals; k++) {
		for (size_t i = 0; i < n; i++)
			c[i] = k < per[i]->t[ti].nvals ? &per[i]->t[ti].vals[k] : NULL;
		report_region_cell(&rv[k], c, n);
		report_vars_set(&v, lt->vnames[k], rv[k].text);
	}
	text = report_tmpl_expand(lt->text, &v);
	str_addf(b, "\n区域（%zu 校）/ region：%s", n, text);
	free(text);
	for (size_t k = 0; k < lt->nvals; k++)
		report_fcell_free(&rv[k]);
	free(rv);
	free(c);
}

/* Text block ti of the schools into ft: each school's paragraph after
 * its name, one a line, then the region's, and the schools' footnotes,
 * named after their school. */
static void region_text(report_data *const *per, size_t n, size_t ti, ftable *ft)
{
	str b = STR_INIT;

	ft->kind = LK_TEXT;
	ft->lt = per[0]->t[ti].lt;
	ft->title = xstrdup(per[0]->t[ti].title);
	for (size_t i = 0; i < n; i++) {
		const ftable *t = &per[i]->t[ti];
		str_addf(&b, "%s%s：%s", i ? "\n" : "", per[i]->school_name, t->text ? t->text : "—");
		for (size_t k = 0; k < t->nnotes; k++)
			report_push_str(&ft->notes, &ft->nnotes, xasprintf("%s：%s", per[i]->school_name, t->notes[k]));
	}
	region_paragraph(per, n, ti, &b);
	ft->text = str_steal(&b);
}

report_data *report_region(report_data *const *per, size_t n)
{
	report_data *r = xcalloc(1, sizeof *r);
	str names = STR_INIT, codes = STR_INIT;

	r->t = xcalloc(per[0]->nt + 1, sizeof *r->t);
	for (size_t i = 0; i < n; i++) {
		str_add(&names, i ? "、" : "");
		str_add(&names, per[i]->school_name);
		str_add(&codes, i ? ", " : "");
		str_add(&codes, per[i]->school_code);
		r->found += per[i]->found;
		for (size_t w = 0; w < per[i]->nwarn; w++)
			report_push_str(&r->warn, &r->nwarn, xstrdup(per[i]->warn[w]));
	}
	r->school_name = str_steal(&names);
	r->school_code = str_steal(&codes);
	r->year = xstrdup(per[0]->year);
	r->source = xstrdup(per[0]->source);
	r->heading = xasprintf("%s 学年质量年度报告 数据表 区域对比（%zu 校）/ %zu schools side by side", r->year, n, n);
	for (; r->nt < per[0]->nt; r->nt++) {
		merge m = { .per = per, .n = n, .ti = r->nt };
		ftable *ft = &r->t[r->nt];
		if (per[0]->t[r->nt].kind == LK_TEXT) {
			region_text(per, n, r->nt, ft);
			continue;
		}
		ft->kind = per[0]->t[r->nt].kind;
		ft->lt = per[0]->t[r->nt].lt;
		merge_columns(&m);
		merge_rows(&m);
		merged_head(&m, ft);
		ft->nrows = m.nrows;
		ft->cells = xcalloc(m.nrows * ft->ncols + 1, sizeof *ft->cells);
		for (size_t j = 0; j < m.nrows; j++)
			merged_row(&m, j, ft);
		strv_free(m.keys, m.nrows);
		FREE_ALL(m.isval, m.isnum, m.src);
	}
	return r;
}

/* The schools that have values in the database (those the role may
 * see), in order of code, and in column 1 of row 0 whether row-level
 * security confines the role (t/f): a result the caller clears, or NULL
 * with err. */
static PGresult *region_schools(PGconn *conn, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, "SELECT s.school_code, row_security_active('vqr.indicator_value') FROM vqr.school s "
				     "WHERE EXISTS (SELECT FROM vqr.indicator_value v WHERE v.school_code = s.school_code) "
				     "ORDER BY 1");

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	err_set(err, errlen, "report: the schools: %s", PQresultErrorMessage(res));
	PQclear(res);
	return NULL;
}

int report_fetch_region(PGconn *conn, const report_layout *l, const char *year, const char *only_id,
			report_data **out, char *err, size_t errlen)
{
	PGresult *res = region_schools(conn, err, errlen);
	report_data **per;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	if (!res)
		return -1;
	if (!PQntuples(res) || PQntuples(res) > REPORT_MAX_SCHOOLS) {
		err_set(err, errlen, "--region: the database holds the values of %d schools (1 to %d can be compared)",
			PQntuples(res), REPORT_MAX_SCHOOLS);
		PQclear(res);
		return REPORT_REFUSED;
	}
	per = xcalloc((size_t)PQntuples(res) + 1, sizeof *per);
	for (; (int)n < PQntuples(res) && !rc; n++)
		rc = report_fetch(conn, l, PQgetvalue(res, (int)n, 0), year, only_id, &per[n], err, errlen);
	PQclear(res);
	if (!rc)
		*out = report_region(per, n);
	for (size_t i = 0; i < n; i++)
		report_data_free(per[i]);
	free(per);
	return rc;
}

/* A school's cell x among the schools' cells c[0..n-1] (x one of them):
 * the region's figure (report_region_cell) and x's rank by value among
 * the cells with a value. */
static void beside_cell(fcell *x, const fcell *const *c, size_t n)
{
	fcell reg = { 0 };

	if (!x->hasnum)
		return;
	x->rank = 1;
	x->nrank = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i] && c[i]->hasnum) {
			x->nrank++;
			x->rank += c[i]->val > x->val;
		}
	report_region_cell(&reg, c, n);
	if (reg.num) {
		x->rval = strtod(reg.num, NULL);
		x->rtext = reg.text;
		reg.text = NULL;
	}
	report_fcell_free(&reg);
}

/* Table ti of school s among the reports per[0..n-1]: each figure's
 * region and rank (beside_cell), rows matched as report_region matches
 * them. */
static void beside_table(report_data *const *per, size_t n, size_t s, size_t ti)
{
	const fcell **c = xcalloc(n + 1, sizeof *c);
	ftable *t = &per[s]->t[ti];
	merge m = { .per = per, .n = n, .ti = ti };

	if (t->kind == LK_TEXT) {
		for (size_t k = 0; k < t->nvals; k++) {
			for (size_t i = 0; i < n; i++)
				c[i] = k < per[i]->t[ti].nvals ? &per[i]->t[ti].vals[k] : NULL;
			beside_cell(&t->vals[k], c, n);
		}
		free(c);
		return;
	}
	merge_columns(&m);
	merge_rows(&m);
	for (size_t j = 0; j < m.nrows; j++)
		for (size_t col = 0; col < t->ncols && m.src[j * n + s] != SIZE_MAX; col++) {
			if (!m.isval[col])
				continue;
			for (size_t i = 0; i < n; i++) {
				const ftable *o = &per[i]->t[ti];
				size_t r = m.src[j * n + i];
				c[i] = r == SIZE_MAX ? NULL : &o->cells[r * o->ncols + col];
			}
			beside_cell(&t->cells[m.src[j * n + s] * t->ncols + col], c, n);
		}
	strv_free(m.keys, m.nrows);
	FREE_ALL(m.isval, m.isnum, m.src, c);
}

int report_fetch_beside(PGconn *conn, const report_layout *l, report_data *r, const char *only_id, char *err,
			size_t errlen)
{
	PGresult *res = region_schools(conn, err, errlen);
	report_data **per;
	size_t n = 0, s = SIZE_MAX;
	int rc = 0;

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), r->school_code) == 0)
			s = (size_t)i;
	if (PQntuples(res) < 2 || PQntuples(res) > REPORT_MAX_SCHOOLS || s == SIZE_MAX) {
		PQclear(res);
		return 0;
	}
	per = xcalloc((size_t)PQntuples(res) + 1, sizeof *per);
	for (; (int)n < PQntuples(res) && !rc; n++)
		rc = n == s ? 0 : report_fetch(conn, l, PQgetvalue(res, (int)n, 0), r->year, only_id, &per[n], err, errlen);
	per[s] = r;
	if (!rc) {
		r->nschools = n;
		r->confined = PQgetvalue(res, 0, 1)[0] == 't';
		for (size_t ti = 0; ti < r->nt; ti++)
			beside_table(per, n, s, ti);
	}
	PQclear(res);
	for (size_t i = 0; i < n; i++)
		if (i != s)
			report_data_free(per[i]);
	free(per);
	return rc ? -1 : 0;
}
