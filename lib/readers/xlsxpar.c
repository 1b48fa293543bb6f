/*
 * xlsxpar.c - an .xlsx sheet's rows parsed on two cores; see xlsxpar.h.
 *
 * Part 1 parses blocks 0, 2, 4..., part 2 blocks 1, 3, 5...; each hands
 * out a marker (a record of no fields) after each of its blocks, so the
 * rows are taken from part 1 until its marker, then from part 2 until
 * its marker, and so on.  The part that reads the last block ends the
 * sheet.  Each part runs in a recq producer thread (and has its own
 * inflater thread).  On any error of a part, both are stopped and one
 * reader reads the whole sheet, skipping the rows handed out: its rows and
 * its error are the ones to report.
 */
#include "lib/readers/xlsxpar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/err.h"
#include "lib/util/mem.h"

#include "lib/readers/recq.h"

struct xlsxpar {
	char *path;             /* the workbook */
	xlsx_opts opts;         /* its options (part 0) */
	xlsx *a, *b;            /* parts 1 and 2 (NULL when not used) */
	recq *qa, *qb;          /* their threads */
	int cur;                /* 0: rows come from part 1, 1: from part 2 */
	xlsx *whole;            /* one reader of the whole sheet (NULL while the parts are used) */
	long long handed;       /* rows handed out */
	long last;              /* the row number of the last one */
	int state;              /* 0 reading, -1 failed (err) */
	char *sheet;            /* the sheet's name */
	char **sheets;          /* the workbook's worksheets (nsheets names) */
	size_t nsheets;
	int date1904;           /* the workbook's date system */
	char err[1200];         /* the error when the whole reader could not be made */
};

static int part_next(void *xl, const csvin_record **rec)
{
	return xlsx_next(xl, rec);
}

static const char *part_error(void *xl)
{
	return xlsx_error(xl);
}

static void stop_parts(xlsxpar *p)
{
	xlsx_part_abort(p->a);  /* no part waits for a buffer any more */
	recq_stop(p->qb);
	recq_stop(p->qa);
	xlsx_close(p->b);       /* before a: it reads a's buffers */
	xlsx_close(p->a);
	p->qa = p->qb = NULL;
	p->a = p->b = NULL;
}

/* Read the whole sheet with one reader from here on, past the rows handed
 * out.  0, or -1 (p->err, p->state). */
static int whole_from_here(xlsxpar *p)
{
	const csvin_record *rec;
	char err[1100];

	stop_parts(p);
	if (!(p->whole = xlsx_open(p->path, &p->opts, err, sizeof err))) {
		snprintf(p->err, sizeof p->err, "%s", err);
		p->state = -1;
		return -1;
	}
	for (long long k = 0; k < p->handed; k++) {
		int r = xlsx_next(p->whole, &rec);
		if (r <= 0) {
			snprintf(p->err, sizeof p->err, "%s", r < 0 ? xlsx_error(p->whole) : "the sheet changed while it was read");
			p->state = -1;
			return -1;
		}
	}
	return 0;
}

xlsxpar *xlsxpar_open(const char *path, const xlsx_opts *opts, char *errbuf, size_t errlen)
{
	xlsxpar *p = xcalloc(1, sizeof *p);
	char err[64];

	p->path = xstrdup(path);
	if (opts)
		p->opts = *opts;
	p->opts.part = 1;
	if (!(p->a = xlsx_open(path, &p->opts, errbuf, errlen))) {
		free(p->path);
		free(p);
		return NULL;
	}
	p->sheet = xstrdup(xlsx_sheet(p->a));
	p->nsheets = xlsx_sheet_count(p->a);
	p->sheets = xcalloc(p->nsheets + 1, sizeof *p->sheets);
	for (size_t i = 0; i < p->nsheets; i++)
		p->sheets[i] = xstrdup(xlsx_sheet_name(p->a, i));
	p->date1904 = xlsx_date1904(p->a);
	if (xlsx_shared_bytes(p->a) <= XLSXPAR_MAX_SHARED) {
		p->opts.part = 2;
		if ((p->b = xlsx_open(path, &p->opts, NULL, 0)) && xlsx_part_share(p->b, p->a) == 0 &&
		    (p->qa = recq_start(part_next, part_error, p->a, err, sizeof err)))
			p->qb = recq_start(part_next, part_error, p->b, err, sizeof err);
	}
	p->opts.part = 0;
	if (!p->qb && whole_from_here(p) < 0) {
		err_set(errbuf, errlen, "%s", p->err);
		xlsxpar_close(p);
		return NULL;
	}
	return p;
}

int xlsxpar_next(xlsxpar *p, const csvin_record **rec)
{
	for (;;) {
		int r;

		if (p->state < 0)
			return -1;
		if (p->whole) {
			r = xlsx_next(p->whole, rec);
			p->handed += r > 0;
			return r;
		}
		r = recq_next(p->cur ? p->qb : p->qa, rec);
		if (r > 0 && (*rec)->nfields == 0) {
			p->cur ^= 1;            /* the block's end: the other part has the next */
			continue;
		}
		if (r == 0 || (r > 0 && (*rec)->line > p->last)) {
			p->handed += r;
			if (r > 0)
				p->last = (*rec)->line;
			return r;
		}
		/* an error, or rows out of order across two blocks: the whole
		 * reader says what is wrong there */
		if (whole_from_here(p) < 0)
			return -1;
	}
}

const char *xlsxpar_error(const xlsxpar *p)
{
	if (p->state < 0)
		return p->err;
	return p->whole ? xlsx_error(p->whole) : "";
}

const char *xlsxpar_sheet(const xlsxpar *p)
{
	return p->sheet;
}

int xlsxpar_date1904(const xlsxpar *p)
{
	return p->date1904;
}

size_t xlsxpar_sheet_count(const xlsxpar *p)
{
	return p->nsheets;
}

const char *xlsxpar_sheet_name(const xlsxpar *p, size_t i)
{
	return i < p->nsheets ? p->sheets[i] : NULL;
}

int xlsxpar_in_parts(const xlsxpar *p)
{
	return p->qa != NULL;
}

void xlsxpar_close(xlsxpar *p)
{
	if (!p)
		return;
	stop_parts(p);
	xlsx_close(p->whole);
	for (size_t i = 0; i < p->nsheets; i++)
		free(p->sheets[i]);
	FREE_ALL(p->sheets, p->sheet, p->path, p);
}
