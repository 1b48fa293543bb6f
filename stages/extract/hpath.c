/*
 * hpath.c - column paths through a header of several rows (hpath.h).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/catalog/val.h"
#include "lib/util/mem.h"
#include "stages/extract/hpath.h"

void hpath_init(hpath *hp, int nrows)
{
	memset(hp, 0, sizeof *hp);
	hp->nrows = nrows < 1 ? 1 : nrows;
	hp->rows = xcalloc((size_t)hp->nrows, sizeof *hp->rows);
}

static void row_free(hpath_row *r)
{
	strv_free(r->cells, r->n);
	free(r->lens);
	memset(r, 0, sizeof *r);
}

void hpath_free(hpath *hp)
{
	for (int i = 0; i < hp->have; i++)
		row_free(&hp->rows[i]);
	free(hp->rows);
	free(hp->rec.fields);
	free(hp->rec.lens);
	free(hp->last);
	str_free(&hp->buf);
	memset(hp, 0, sizeof *hp);
}

/* A copy of rec's cells, trimmed, into r. */
static void row_copy(hpath_row *r, const csvin_record *rec)
{
	r->n = rec->nfields;
	r->line = rec->line;
	r->cells = xcalloc(r->n ? r->n : 1, sizeof *r->cells);
	r->lens = xcalloc(r->n ? r->n : 1, sizeof *r->lens);
	for (size_t c = 0; c < r->n; c++) {
		size_t len = rec->lens[c];
		const char *t = val_trim(rec->fields[c], &len);

		r->cells[c] = xmalloc(len + 1);
		memcpy(r->cells[c], t, len);
		r->cells[c][len] = '\0';
		r->lens[c] = len;
	}
}

/* The part of row r in column c, as given (not filled). */
static const char *cell_at(const hpath *hp, int r, size_t c, size_t *len)
{
	const hpath_row *row = &hp->rows[r];

	*len = c < row->n ? row->lens[c] : 0;
	return c < row->n ? row->cells[c] : "";
}

static int same(const char *a, size_t al, const char *b, size_t bl)
{
	return al == bl && memcmp(a, b, al) == 0;
}

/* The parts of every column (ncols of them) in the kept rows, group rows
 * filled from the left: part[r * ncols + c] and plen likewise. */
static void fill_parts(const hpath *hp, size_t ncols, const char **part, size_t *plen)
{
	for (int r = 0; r < hp->nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			size_t k = (size_t)r * ncols + c;
			int parents = 1;

			part[k] = cell_at(hp, r, c, &plen[k]);
			if (plen[k] || c == 0 || r == hp->nrows - 1)
				continue;
			for (int q = 0; q < r && parents; q++)
				parents = same(part[(size_t)q * ncols + c], plen[(size_t)q * ncols + c],
					       part[(size_t)q * ncols + c - 1], plen[(size_t)q * ncols + c - 1]);
			if (parents) {
				part[k] = part[k - 1];
				plen[k] = plen[k - 1];
			}
		}
}

void hpath_set_merges(hpath *hp, const reader_merge *m, size_t n)
{
	static const reader_merge none[1];

	hp->merges = m ? m : none;
	hp->nmerges = m ? n : 0;
}

/* The merged range holding the cell at line, column c, or NULL. */
static const reader_merge *merge_at(const hpath *hp, long line, size_t c)
{
	for (size_t i = 0; i < hp->nmerges; i++) {
		const reader_merge *m = &hp->merges[i];

		if (line >= m->r1 && line <= m->r2 && (long)c >= m->c1 && (long)c <= m->c2)
			return m;
	}
	return NULL;
}

/* The parts of every column as the merged ranges give them: a cell of a
 * range takes its top-left cell's text when that row is kept. */
static void fill_merged(const hpath *hp, size_t ncols, const char **part, size_t *plen)
{
	for (int r = 0; r < hp->nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			size_t k = (size_t)r * ncols + c;
			const reader_merge *m = merge_at(hp, hp->rows[r].line, c);

			part[k] = cell_at(hp, r, c, &plen[k]);
			if (!m || (m->r1 == hp->rows[r].line && m->c1 == (long)c))
				continue;
			for (int q = 0; q <= r; q++)
				if (hp->rows[q].line == m->r1)
					part[k] = cell_at(hp, q, (size_t)m->c1, &plen[k]);
		}
}

/* Make room for ncols columns in rec and last. */
static void reserve(hpath *hp, size_t ncols)
{
	if (ncols <= hp->cap)
		return;
	hp->rec.fields = xreallocarray(hp->rec.fields, ncols, sizeof *hp->rec.fields);
	hp->rec.lens = xreallocarray(hp->rec.lens, ncols, sizeof *hp->rec.lens);
	hp->last = xreallocarray(hp->last, ncols, sizeof *hp->last);
	hp->cap = ncols;
}

/* The paths of the kept rows' columns into hp->rec. */
static void build(hpath *hp)
{
	size_t ncols = 1, *off, nr = (size_t)hp->nrows;
	const char **part;
	size_t *plen;

	for (int r = 0; r < hp->nrows; r++)
		if (hp->rows[r].n > ncols)
			ncols = hp->rows[r].n;
	reserve(hp, ncols);
	part = xcalloc(nr * ncols, sizeof *part);
	plen = xcalloc(nr * ncols, sizeof *plen);
	off = xcalloc(ncols, sizeof *off);
	if (hp->merges)
		fill_merged(hp, ncols, part, plen);
	else
		fill_parts(hp, ncols, part, plen);
	str_clear(&hp->buf);
	for (size_t c = 0; c < ncols; c++) {
		const char *prev = NULL;
		size_t prevlen = 0;

		off[c] = hp->buf.len;
		hp->last[c] = 0;
		for (size_t r = 0; r < nr; r++) {
			const char *p = part[r * ncols + c];
			size_t pl = plen[r * ncols + c];

			if (pl == 0 || (prev && same(p, pl, prev, prevlen)))
				continue;
			if (prev)
				str_addc(&hp->buf, '/');
			hp->last[c] = hp->buf.len - off[c];
			str_addn(&hp->buf, p, pl);
			prev = p;
			prevlen = pl;
		}
		hp->rec.lens[c] = hp->buf.len - off[c];
		str_addc(&hp->buf, '\0');
	}
	for (size_t c = 0; c < ncols; c++)
		hp->rec.fields[c] = hp->buf.s + off[c];
	hp->rec.nfields = ncols;
	hp->rec.line = hp->rows[nr - 1].line;
	free(part);
	free(plen);
	free(off);
}

const csvin_record *hpath_push(hpath *hp, const csvin_record *rec)
{
	if (hp->have == hp->nrows) {
		row_free(&hp->rows[0]);
		memmove(hp->rows, hp->rows + 1, (size_t)(hp->nrows - 1) * sizeof *hp->rows);
		hp->have--;
	}
	row_copy(&hp->rows[hp->have++], rec);
	if (hp->have < hp->nrows)
		return NULL;
	build(hp);
	return &hp->rec;
}

size_t hpath_last(const hpath *hp, size_t c)
{
	return c < hp->rec.nfields ? hp->last[c] : 0;
}

long hpath_first_line(const hpath *hp)
{
	return hp->have ? hp->rows[0].line : 0;
}
