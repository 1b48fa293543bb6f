/*
 * pgcopy.c - COPY a staged rows file into PostgreSQL (see pgcopy.h).
 */
#include "lib/db/pgcopy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "lib/util/err.h"
#include "lib/util/mem.h"

/* TEST HOOK, read in this one place only: VQR_TEST_STALL_COPY=SECONDS
 * makes pgcopy_file hold the COPY of a file without a header line (the
 * indicator values) open for that long after its first line, with data
 * sent: fault injection for the crash-safety tests (tests/e2e/kill.t,
 * crash.t, nightly.t).  0 when unset. */
static int test_stall_seconds(void)
{
	const char *st = getenv("VQR_TEST_STALL_COPY");

	return st ? atoi(st) : 0;
}

int pgcopy_start(db *d, const char *copy_sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(d->conn, copy_sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		db_error(d, res, err, errlen);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* The copy buffer: buf holds used bytes not sent yet. */
typedef struct copybuf {
	char *buf;   /* PGCOPY_BUF bytes */
	size_t used; /* bytes of it waiting */
} copybuf;

/* Send what b holds.  0, or -1 (the connection's error). */
static int flush_buf(db *d, copybuf *b)
{
	if (b->used && PQputCopyData(d->conn, b->buf, (int)b->used) != 1)
		return -1;
	b->used = 0;
	return 0;
}

/* Add line (len bytes) and suffix (slen) and a newline to the COPY
 * through b.  0, or -1 (the connection's error). */
static int put_line(db *d, copybuf *b, const char *line, size_t len, const char *suffix, size_t slen)
{
	if (b->used + len + slen + 1 > PGCOPY_BUF && flush_buf(d, b) < 0)
		return -1;
	if (len + slen + 1 > PGCOPY_BUF)
		/* A line longer than the buffer goes on its own. */
		return PQputCopyData(d->conn, line, (int)len) != 1 || PQputCopyData(d->conn, suffix, (int)slen) != 1 ||
		       PQputCopyData(d->conn, "\n", 1) != 1 ? -1 : 0;
	memcpy(b->buf + b->used, line, len);
	memcpy(b->buf + b->used + len, suffix, slen);
	b->buf[b->used + len + slen] = '\n';
	b->used += len + slen + 1;
	return 0;
}

/* End the COPY (rc: 0 so far, -1 a connection error, -2 an error already
 * in err) and collect every result.  0, or -1 with err. */
static int finish(db *d, int rc, char *err, size_t errlen)
{
	PGresult *res;

	if (rc == 0 && PQputCopyEnd(d->conn, NULL) != 1)
		rc = -1;
	if (rc == -1)
		db_error(d, NULL, err, errlen);
	while ((res = PQgetResult(d->conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
			db_error(d, res, err, errlen);
			rc = -1;
		}
		PQclear(res);
	}
	return rc < 0 ? -1 : 0;
}

/* pgcopy_stream, holding the COPY open stall seconds after its first line
 * (0: not). */
static int stream(db *d, rows_reader *r, int skip_header, const char *suffix, int stall, long long *nlines,
		  char *err, size_t errlen)
{
	size_t slen = strlen(suffix), len;
	copybuf b = { xmalloc(PGCOPY_BUF), 0 };
	const char *line;
	int rc = 0;

	*nlines = 0;
	while ((line = rows_next_raw(r, &len))) {
		if (skip_header && rows_lineno(r) == 1)
			continue;
		if (*nlines == 1 && stall > 0) {
			/* hold the COPY open with data sent */
			if (flush_buf(d, &b) == 0)
				PQflush(d->conn);
			sleep((unsigned)stall);
		}
		if (put_line(d, &b, line, len, suffix, slen) < 0) {
			rc = -1;
			break;
		}
		(*nlines)++;
	}
	if (rc == 0 && rows_error(r)[0]) {
		err_set(err, errlen, "%s", rows_error(r));
		PQputCopyEnd(d->conn, "input file unreadable");
		rc = -2;
	} else if (rc == 0 && flush_buf(d, &b) < 0) {
		rc = -1;
	}
	free(b.buf);
	return finish(d, rc, err, errlen);
}

int pgcopy_stream(db *d, rows_reader *r, int skip_header, const char *suffix, long long *nlines, char *err,
		  size_t errlen)
{
	return stream(d, r, skip_header, suffix, 0, nlines, err, errlen);
}

int pgcopy_file(db *d, const char *copy_sql, const char *path, int skip_header, const char *suffix,
		long long *nlines, char *err, size_t errlen)
{
	rows_reader *r;
	int rc;

	*nlines = 0;
	if (!(r = rows_open(path, err, errlen)))
		return -1;
	if (pgcopy_start(d, copy_sql, err, errlen) < 0) {
		rows_close(r);
		return -1;
	}
	rc = stream(d, r, skip_header, suffix, skip_header ? 0 : test_stall_seconds(), nlines, err, errlen);
	rows_close(r);
	return rc;
}

void pgcopy_add_escaped(str *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': str_add(b, "\\\\"); break;
		case '\t': str_add(b, "\\t"); break;
		case '\n': str_add(b, "\\n"); break;
		case '\r': str_add(b, "\\r"); break;
		default: str_addc(b, *s);
		}
	}
}
