/*
 * reader.c - the table of input formats and the reader that picks one
 * (reader.h): the first format whose match takes the file reads it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/readers/reader.h"
#include "lib/readers/recq.h"
#include "lib/util/cli.h"
#include "lib/util/mem.h"

/* The formats, tried in this order.  CSV takes any file: it stays last. */
static const reader_format *const formats[] = {
	&reader_xlsx,
	&reader_xls,
	&reader_csv,
};

struct reader {
	const reader_format *f; /* its format */
	void *h;                /* the format's handle */
	recq *q;                /* h's records read ahead in a thread, or NULL */
};

const reader_format *reader_pick(const char *path)
{
	unsigned char head[READER_HEAD];
	char err[512];
	ssize_t got = 0;
	int fd;
	size_t i;

	if ((fd = cli_open_input(path, err, sizeof err)) >= 0) {
		got = read(fd, head, sizeof head);      /* the reader says why it fails */
		close(fd);
	}
	for (i = 0; i + 1 < sizeof formats / sizeof *formats; i++)
		if (formats[i]->match(path, head, got > 0 ? (size_t)got : 0))
			break;
	return formats[i];
}

reader *reader_open(const char *path, const reader_opts *o, char *err, size_t errlen)
{
	static const reader_opts none;
	const reader_format *f = reader_pick(path);
	void *h = f->open(path, o ? o : &none, err, errlen);
	reader *r;

	if (!h)
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->f = f;
	r->h = h;
	return r;
}

int reader_next(reader *r, const csvin_record **rec)
{
	return r->q ? recq_next(r->q, rec) : r->f->next(r->h, rec);
}

const char *reader_error(const reader *r)
{
	return r->q ? recq_error(r->q) : r->f->error(r->h);
}

void reader_read_ahead(reader *r)
{
	char err[256];

	if (r->f->read_ahead && !r->q)
		r->q = recq_start(r->f->next, r->f->error, r->h, err, sizeof err);
}

const reader_format *reader_format_of(const reader *r)
{
	return r->f;
}

size_t reader_sheet_count(const reader *r)
{
	return r->f->sheet_count ? r->f->sheet_count(r->h) : 0;
}

const char *reader_sheet_name(const reader *r, size_t i)
{
	return r->f->sheet_name ? r->f->sheet_name(r->h, i) : NULL;
}

void reader_describe(reader *r, reader_info *out)
{
	recq_stop(r->q);
	r->q = NULL;
	memset(out, 0, sizeof *out);
	r->f->info(r->h, out);
}

void reader_close(reader *r)
{
	if (!r)
		return;
	recq_stop(r->q);
	r->f->close(r->h);
	free(r);
}
