/*
 * test_recq.c - unit tests of lib/readers/recq.c: the records read ahead in a
 * thread are the reader's, field for field, with their lines and offsets,
 * across many batches (records of every size, one larger than a batch);
 * the reader's error comes after the records before it, with its
 * message; stopping early (in the first batch, mid-file) frees everything
 * (the sanitizer build checks leaks and races of this test).
 */
#include "lib/readers/recq.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[256];
/* room for the 300 KiB field (over the default max_field) */
static const csvin_opts big = { .max_field = 1 << 20 };

/* A CSV of n records: quoted fields with commas, newlines, quotes; rows
 * of growing width; one field of 300 KiB (more than a batch); when bad,
 * an invalid UTF-8 byte on the last record. */
static void write_csv(int n, int bad)
{
	FILE *f = fopen(path, "wb");

	fputs("a,b,c\n", f);
	for (int i = 0; i < n; i++) {
		if (i == n / 2) {
			fputs("big,", f);
			for (int k = 0; k < 300 * 1024; k++)
				fputc('x' + k % 3, f);
			fputs(",end\n", f);
		} else if (i % 7 == 0) {
			fprintf(f, "\"q,%d\",\"line\nbreak\",\"say \"\"hi\"\"\"\n", i);
		} else {
			fprintf(f, "%d,专业%d,%*d\n", i, i % 50, 1 + i % 40, i);
		}
	}
	if (bad)
		fputs("x,\xff\xfe,y\n", f);
	fclose(f);
}

static int csv_next(void *in, const csvin_record **rec)
{
	return csvin_next(in, rec);
}

static const char *csv_error(void *in)
{
	return csvin_error(in);
}

/* Read path directly and through a queue; 1 when everything agrees. */
static int same(int expect_error)
{
	char err[256];
	csvin *a = csvin_open(path, &big, err, sizeof err), *b = csvin_open(path, &big, err, sizeof err);
	recq *q = recq_start(csv_next, csv_error, b, err, sizeof err);
	const csvin_record *ra, *rb;
	int na, nb, n = 0, diff = 0;

	do {
		na = csvin_next(a, &ra);
		nb = recq_next(q, &rb);
		if (na != nb) {
			printf("# record %d: %d directly, %d through the queue\n", n, na, nb);
			diff = 1;
			break;
		}
		if (na <= 0)
			break;
		n++;
		if (ra->nfields != rb->nfields || ra->line != rb->line || ra->offset != rb->offset ||
		    ra->raw_offset != rb->raw_offset) {
			diff = 1;
			printf("# record %d (line %ld) differs\n", n, ra->line);
			break;
		}
		for (size_t i = 0; i < ra->nfields; i++)
			if (ra->lens[i] != rb->lens[i] || memcmp(ra->fields[i], rb->fields[i], ra->lens[i]) ||
			    rb->fields[i][rb->lens[i]] != '\0')
				diff = 1;
	} while (!diff);
	if (!diff && na < 0 && strcmp(csvin_error(a), recq_error(q)) != 0) {
		printf("# errors differ: %s / %s\n", csvin_error(a), recq_error(q));
		diff = 1;
	}
	if (!diff && (na < 0) != expect_error)
		diff = 1;
	/* after the end, the same answer again */
	if (!diff && recq_next(q, &rb) != na)
		diff = 1;
	recq_stop(q);
	csvin_close(a);
	csvin_close(b);
	return !diff && n > 0;
}

int main(void)
{
	char err[256];

	snprintf(path, sizeof path, "%s/test_recq.%d.csv", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());

	write_csv(20000, 0);
	ok(same(0), "20000 records (one of 300 KiB) read ahead are the reader's, field for field");
	write_csv(3, 0);
	ok(same(0), "a file smaller than a batch");
	write_csv(20000, 1);
	ok(same(1), "an invalid byte: the records before it, then the reader's error");

	/* stopping early, in the first batch and after several */
	for (int stopat = 0; stopat <= 15000; stopat += 5000) {
		csvin *b;
		recq *q;
		const csvin_record *rec;
		int n = 0;

		write_csv(20000, 0);
		b = csvin_open(path, &big, err, sizeof err);
		q = recq_start(csv_next, csv_error, b, err, sizeof err);
		while (n < stopat && recq_next(q, &rec) > 0)
			n++;
		recq_stop(q);
		/* the reader is ours again: it goes on after what the thread read */
		ok(n == stopat && csvin_next(b, &rec) >= 0, "stopped after %d records, the reader is usable", stopat);
		csvin_close(b);
	}
	recq_stop(NULL);
	ok(1, "recq_stop(NULL) is fine");
	unlink(path);
	return tap_done();
}
