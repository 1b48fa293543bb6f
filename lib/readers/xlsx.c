/*
 * xlsx.c - streaming .xlsx row reader on minizip and expat; see xlsx.h.
 * This file hands out the sheet's rows (xlsx_next, the parts of xlsxpar);
 * xlsx_zip.c reads the zip entries, xlsx_book.c opens the workbook,
 * xlsx_sheet.c holds the sheet's XML handlers; xlsx_int.h is their
 * shared inside.
 *
 * Data flow:
 *
 *     minizip (raw entry bytes)  ->  zent_read (inflate, count, CRC)
 *         ->  XML_GetBuffer / XML_ParseBuffer  ->  handlers  ->  row arena
 *
 * The zip entries are read raw (unzOpenCurrentFile2 with raw = 1) and
 * inflated here, so every inflated byte is counted against the entry's
 * declared size and the limits, and the CRC-32 is checked by us whatever
 * minizip does.  Only one entry is open at a time (minizip's rule): the
 * small parts (relationships, workbook, styles, shared strings) are parsed
 * whole at open, then the sheet's entry stays open and is parsed a chunk
 * at a time.
 *
 * Push to pull: expat calls back per element.  The rows completed while
 * expat parses one 64 KiB buffer are queued (their texts in one arena,
 * their fields in one pair of offset/length arrays), and xlsx_next hands
 * them out one by one before it parses the next buffer; the row still
 * being built is then moved to the front.  Suspending expat after every
 * row (XML_StopParser) would be simpler but costs about half a second per
 * million rows; the parser is suspended only when the queue grows past
 * XLSX_QFIELDS fields or XLSX_QBYTES bytes (very sparse rows), and
 * resumed on the rest of the same buffer (expat owns it: XML_GetBuffer).
 * An error found while parsing is reported after the rows queued before
 * it.
 *
 * Element names are matched on their local part (after the last ':'), so
 * a prefix ("x:row") or the strict OOXML namespace change nothing.
 *
 * Offset 0 of the text arena is always an empty string, used for empty
 * cells and the gaps of sparse rows.  The arena and the arrays are reused:
 * no allocation per row once they have grown.  A shared string is not
 * copied, nor even looked up while parsing (a cache miss per cell in a
 * large table, which costs most when it interrupts expat): its field
 * offset is its index tagged with SS_REF, its length a placeholder 1
 * (ss_empty says which strings are "", so that empty cells are still known
 * at the row's end), and emit() resolves the indexes of a whole row at
 * once into pointers into the table, which lives as long as the reader.
 * Shared strings do not count against a row's text limit: they take no
 * memory of the row.
 *
 * The sheet's entry is inflated by a second thread (the inflater), so
 * that inflating and checking it overlap expat's parsing: the inflater
 * fills a ring of XLSX_RING buffers with zent_read, xlsx_next hands them
 * to expat with XML_Parse (which copies them) in order.  While it runs,
 * the inflater alone uses the zip state (x->uf, x->z, x->zin) and may
 * write x->err (through fail); the consumer looks at those only after the
 * inflater has passed on its end or error, or has been stopped and joined
 * (stop_inflater).  A read error comes after the data before it, as
 * without the thread.  If the thread cannot be started, xlsx_next inflates
 * itself.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/readers/xlsx_int.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"

/* ---- reading ---------------------------------------------------------- */

/*
 * The sheet error "path: sheet NAME row N: message" into x->err; it is
 * returned once the rows queued before it are handed out.
 */
static void sheet_err(xlsx *x, const char *msg)
{
	if (x->row > 0)
		err_set(x->err, sizeof x->err, "%s: sheet %s row %ld: %s", x->path,
			x->sheet_name, x->row, msg);
	else
		err_set(x->err, sizeof x->err, "%s: sheet %s: %s", x->path, x->sheet_name, msg);
	x->pend_err = 1;
}

/* An entry error (x->err is "path: entry ...") as a sheet error. */
static void zent_err(xlsx *x)
{
	char msg[1024];

	snprintf(msg, sizeof msg, "%s", x->err + strlen(x->path) + 2);
	sheet_err(x, msg);
}

/* Hand out queued row q. */
static int emit(xlsx *x, const qrow *q, const csvin_record **rec)
{
	if (q->nf > x->fpcap) {
		size_t ncap = x->fpcap ? x->fpcap : 64;

		while (ncap < q->nf)
			ncap *= 2;
		x->fields = xreallocarray(x->fields, ncap, sizeof *x->fields);
		x->fpcap = ncap;
	}
	for (size_t i = 0; i < q->nf; i++) {
		size_t off = x->foff[q->first + i];

		if (off & SS_REF) {
			size_t k = off & ~SS_REF, o, e;

			if (x->ss_o32) {
				o = x->ss_o32[k];
				e = x->ss_o32[k + 1];
			} else {
				o = x->ss_off[k];
				e = x->ss_off[k + 1];
			}
			x->fields[i] = x->ss + o;
			x->flen[q->first + i] = e - o - 1;
			__builtin_prefetch(x->fields[i]);       /* the caller reads it next */
		} else {
			x->fields[i] = x->data + off;
		}
	}
	x->rec.nfields = q->nf;
	x->rec.fields = x->fields;
	x->rec.lens = x->flen + q->first;
	x->rec.line = q->line;
	x->rec.offset = 0;
	*rec = &x->rec;
	return 1;
}

/* All queued rows are handed out: move the row being built (if any) to
 * the front of the arena and the field arrays. */
static void compact(xlsx *x)
{
	size_t dn = x->dlen - x->cur_dstart;

	if (x->in_row) {
		memmove(x->foff, x->foff + x->cur_first, x->cur_nf * sizeof *x->foff);
		memmove(x->flen, x->flen + x->cur_first, x->cur_nf * sizeof *x->flen);
		for (size_t i = 0; i < x->cur_nf; i++)
			if (x->foff[i] && !(x->foff[i] & SS_REF))
				x->foff[i] = x->foff[i] - x->cur_dstart + 1;
		memmove(x->data + 1, x->data + x->cur_dstart, dn);
		x->dlen = 1 + dn;
	} else {
		x->dlen = 1;
	}
	x->cur_first = 0;
	x->cur_dstart = 1;
	x->ftotal = 0;
	x->nq = x->qpos = 0;
}

/* After XML_ParseBuffer or XML_ResumeParser returned st. */
static void after_parse(xlsx *x, enum XML_Status st)
{
	char msg[768];

	x->suspended = st == XML_STATUS_SUSPENDED;
	if (st == XML_STATUS_ERROR) {
		if (x->herr_set)
			snprintf(msg, sizeof msg, "%s", x->herr);
		else
			xl_xml_msg(x, x->p, msg, sizeof msg);
		if (xl_zent_drain(x) < 0)
			zent_err(x);    /* a damaged entry, not bad XML */
		else
			sheet_err(x, msg);
	} else if (st == XML_STATUS_OK && x->fed_final) {
		x->parsed = 1;
	}
}

/* Part reading: queue the marker of a block of ours (a record of no fields). */
static void queue_marker(xlsx *x)
{
	xgrow((void **)&x->q, &x->qcap, x->nq + 1, sizeof *x->q);
	x->q[x->nq].line = 0;
	x->q[x->nq].first = x->ftotal;
	x->q[x->nq].nf = 0;
	x->nq++;
}

/* Part reading: something the cut cannot handle. */
static void part_unsupported(xlsx *x, const char *what)
{
	char msg[200];

	x->part_bad = 1;
	snprintf(msg, sizeof msg, "%s: the sheet cannot be read in parts", what);
	sheet_err(x, msg);
}

/* Part reading: a new chunk.  Until <sheetData> is found, the document's
 * start is kept (part 2 feeds it before its first block).  -1 when it
 * cannot be read in parts (sheet_err called). */
static int part_take(xlsx *x, unsigned char *buf, long n)
{
	static const char sd[] = "<sheetData>";

	x->cbuf = buf;
	x->clen = n;
	x->cpos = 0;
	if (!x->sd_found) {
		char *hit;
		if (x->prelen + (size_t)n > XLSX_PART_BLOCK) {
			part_unsupported(x, "no <sheetData> in the first MiB");
			return -1;
		}
		x->pre = xreallocarray(x->pre, x->prelen + (size_t)n + 1, 1);
		memcpy(x->pre + x->prelen, buf, (size_t)n);
		x->prelen += (size_t)n;
		x->pre[x->prelen] = '\0';
		if (strstr(x->pre, "<sheetData/>")) {
			part_unsupported(x, "an empty sheet");
			return -1;
		}
		if ((hit = strstr(x->pre, sd))) {
			x->prelen = (size_t)(hit - x->pre) + sizeof sd - 1;
			x->sd_end = (long long)x->prelen;
			x->sd_found = 1;
		}
	}
	return 0;
}

/* Is there a '<' followed by c in b[0..n)?  (c is rare in sheet XML: find
 * it, then look behind.) */
static int lt_then(const unsigned char *b, long n, unsigned char c)
{
	const unsigned char *p = b + 1, *end = b + n;

	while (p < end && (p = memchr(p, c, (size_t)(end - p)))) {
		if (p[-1] == '<')
			return 1;
		p++;
	}
	return 0;
}

/* Part reading: a comment, CDATA section or processing instruction in the
 * sheet data of bytes [from, to) of the chunk (a "</row>" inside one
 * would cut a block in the wrong place)?  1 if so. */
static int part_hazard(xlsx *x, long from, long to)
{
	const unsigned char *b = x->cbuf;

	if (x->cstart + from < x->sd_end)
		from = (long)(x->sd_end - x->cstart);
	if (from >= to)
		return 0;
	if (x->lt && (b[from] == '!' || b[from] == '?'))
		return 1;
	x->lt = b[to - 1] == '<';
	return lt_then(b + from, to - from, '!') || lt_then(b + from, to - from, '?');
}

/* Part reading: feed the next piece of the current chunk (taking one when
 * there is none) to the parser if its block is ours, or finish at the
 * end of the sheet's XML. */
/* Part reading: the next inflated chunk into x->cbuf.  0, or -1 when
 * the step is over (the end fed, an error, or the part cannot go on). */
static int part_next_chunk(xlsx *x)
{
	unsigned char *buf;
	long n = xl_take_chunk(x, &buf);

	if (n == -2) {
		xl_stop_inflater(x);
		sheet_err(x, "the inflater stopped");
		return -1;
	}
	if (n < 0 && x->src) {
		xl_release_chunk(x);
		sheet_err(x, "the sheet's entry cannot be read");     /* part 1 tells what */
		return -1;
	}
	if (n < 0) {
		xl_release_chunk(x);
		xl_stop_inflater(x);
		x->zfailed = 1;
		zent_err(x);
		return -1;
	}
	if (n == 0) {
		static const char close[] = "</sheetData></worksheet>";
		int own = x->blk % 2 == x->part - 1;

		xl_release_chunk(x);
		xl_stop_inflater(x);
		x->fed_final = 1;
		if (!x->fed_any)
			x->parsed = 1;          /* no block of ours: nothing to close */
		else
			after_parse(x, own ? XML_Parse(x->p, "", 0, XML_TRUE)
					   : XML_Parse(x->p, close, (int)sizeof close - 1, XML_TRUE));
		return -1;
	}
	return part_take(x, buf, n) < 0 ? -1 : 0;
}

/* Part reading: where the current block ends in x->cbuf, from start:
 * just past the first "</row>" at or after next_cut (1), or the chunk's
 * end (0) with *end x->clen. */
static int part_find_cut(xlsx *x, long start, long *end)
{
	static const char pat[] = "</row>";
	long i;

	*end = x->clen;
	if (!x->sd_found)
		return 0;
	i = (long)(x->next_cut - x->cstart);
	for (i = i < start ? start : i; i < x->clen; i++) {
		if (x->cbuf[i] == (unsigned char)pat[x->match]) {
			if (++x->match == 6) {
				x->match = 0;
				*end = i + 1;
				return 1;
			}
		} else {
			x->match = x->cbuf[i] == '<';
		}
	}
	return 0;
}

static void part_step(xlsx *x)
{
	long start, end;
	int cut, own;

	if (!x->inflating && !x->src && !x->cbuf) {
		part_unsupported(x, "no inflater thread");
		return;
	}
	if (!x->cbuf && part_next_chunk(x) < 0)
		return;
	start = x->cpos;
	cut = part_find_cut(x, start, &end);
	own = x->blk % 2 == x->part - 1;
	x->cpos = end;
	if (own && end > start) {
		if (part_hazard(x, start, end)) {
			part_unsupported(x, "a comment, CDATA section or processing instruction");
			return;
		}
		if (x->part == 2 && !x->fed_any) {
			enum XML_Status st = XML_Parse(x->p, x->pre, (int)x->prelen, XML_FALSE);
			if (st != XML_STATUS_OK) {
				after_parse(x, st);
				return;
			}
		}
		x->fed_any = 1;
		after_parse(x, XML_Parse(x->p, (const char *)x->cbuf + start, (int)(end - start), XML_FALSE));
	} else {
		x->lt = 0;
	}
	if (cut) {
		if (own)
			x->marker = 1;
		x->blk++;
		x->next_cut = x->cstart + end + XLSX_PART_BLOCK;
	}
	if (x->cpos == x->clen) {
		xl_release_chunk(x);
		x->cstart += x->clen;
		x->cbuf = NULL;
	}
}

int xlsx_part_share(xlsx *b, xlsx *a)
{
	if (!a->inflating || a->part != 1 || b->part != 2 || b->src)
		return -1;
	xl_stop_inflater(b);
	for (int i = 0; i < XLSX_RING; i++) {
		free(b->ring[i]);       /* b reads a's */
		b->ring[i] = NULL;
	}
	if (b->nss == a->nss && b->sslen == a->sslen && !!b->ss_o32 == !!a->ss_o32) {
		/* the same table, read-only from now on: keep one */
		free(b->ss);
		free(b->ss_off);
		free(b->ss_empty);
		free(b->ss_o32);
		b->ss = a->ss;
		b->ss_off = a->ss_off;
		b->ss_empty = a->ss_empty;
		b->ss_o32 = a->ss_o32;
		b->ss_borrowed = 1;
	}
	pthread_mutex_lock(&a->mu);
	a->shared = 1;
	a->rtail2 = a->rtail;
	pthread_mutex_unlock(&a->mu);
	b->src = a;
	return 0;
}

void xlsx_part_abort(xlsx *a)
{
	if (!a || !a->shared || !a->inflating)
		return;
	pthread_mutex_lock(&a->mu);
	a->rstop = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

int xlsx_part_unsupported(const xlsx *x)
{
	return x->part_bad;
}

size_t xlsx_shared_bytes(const xlsx *x)
{
	return x->sslen + (x->nss + 1) * (x->ss_o32 ? sizeof *x->ss_o32 : sizeof *x->ss_off);
}

int xlsx_next(xlsx *x, const csvin_record **rec)
{
	const csvin_record *dummy;

	if (!rec)
		rec = &dummy;
	*rec = NULL;
	if (x->state < 0)
		return -1;
	if (x->state > 0)
		return 0;
	for (;;) {
		if (x->qpos < x->nq)
			return emit(x, &x->q[x->qpos++], rec);
		if (x->pend_err) {
			x->state = -1;
			return -1;
		}
		if (x->nq)
			compact(x);
		if (x->parsed) {
			xl_zent_close(x);
			x->state = 1;
			return 0;
		}
		if (x->suspended) {
			after_parse(x, XML_ResumeParser(x->p));
		} else if (x->marker) {
			x->marker = 0;
			queue_marker(x);
		} else if (x->part) {
			part_step(x);
		} else if (x->inflating) {
			unsigned char *buf;
			long n = xl_take_chunk(x, &buf);
			enum XML_Status st;

			if (n == -2) {
				xl_stop_inflater(x);
				sheet_err(x, "the inflater stopped");
				continue;
			}
			if (n < 0) {
				xl_release_chunk(x);
				xl_stop_inflater(x);
				x->zfailed = 1;
				zent_err(x);
				continue;
			}
			x->fed_final = n == 0;
			st = XML_Parse(x->p, (const char *)buf, (int)n, x->fed_final);
			xl_release_chunk(x);
			if (x->fed_final)
				xl_stop_inflater(x);       /* it has ended: join it */
			after_parse(x, st);
		} else {
			void *buf = XML_GetBuffer(x->p, XLSX_CHUNK);
			long n;

			if (!buf) {
				sheet_err(x, "out of memory");
				continue;
			}
			n = xl_zent_read(x, buf, XLSX_CHUNK);
			if (n < 0) {
				zent_err(x);
				continue;
			}
			x->fed_final = n == 0;
			after_parse(x, XML_ParseBuffer(x->p, (int)n, x->fed_final));
		}
	}
}

const char *xlsx_error(const xlsx *x)
{
	return x->err;
}

const char *xlsx_sheet(const xlsx *x)
{
	return x->sheet_name ? x->sheet_name : "";
}

int xlsx_date1904(const xlsx *x)
{
	return x->date1904;
}

const reader_merge *xlsx_merges(const xlsx *x, size_t *n)
{
	static const reader_merge none[1];

	*n = x->have_merges ? x->nmerges : 0;
	return !x->have_merges ? NULL : x->merges ? x->merges : none;
}

void xlsx_close(xlsx *x)
{
	if (!x)
		return;
	xl_stop_inflater(x);
	if (x->shared) {
		pthread_cond_destroy(&x->cv);
		pthread_mutex_destroy(&x->mu);
	}
	for (int i = 0; i < XLSX_RING; i++)
		free(x->ring[i]);
	if (x->p)
		XML_ParserFree(x->p);
	if (x->uf) {
		xl_zent_close(x);
		unzClose(x->uf);
	}
	xl_free_rels(x);
	free(x->rels);
	free(x->merges);
	for (size_t i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
	}
	free(x->sheets);
	free(x->fmts);
	free(x->xf_fmt);
	free(x->xf_kind);
	if (!x->ss_borrowed) {
		free(x->ss);
		free(x->ss_off);
		free(x->ss_empty);
		free(x->ss_o32);
	}
	FREE_ALL(x->tb, x->data, x->foff, x->flen, x->fields, x->q, x->zin, x->pre, x->path, x);
}
