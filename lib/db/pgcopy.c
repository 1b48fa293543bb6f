/*
 * pgcopy.c - COPY a staged rows file into PostgreSQL (see pgcopy.h).
 */
#include "lib/db/pgcopy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

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

int pgcopy_stream(db *d, rows_reader *r, int skip_header, const char *suffix, int stall, long long *nlines,
		  char *err, size_t errlen)
{
	size_t slen = strlen(suffix), used = 0, len;
	const char *line;
	PGresult *res;
	char *buf = malloc(PGCOPY_BUF);
	int rc = 0;

	*nlines = 0;
	if (!buf) {
		PQputCopyEnd(d->conn, "out of memory");
		snprintf(err, errlen, "out of memory");
		rc = -2;
	}
	while (!rc && (line = rows_next_raw(r, &len))) {
		if (skip_header && rows_lineno(r) == 1)
			continue;
		if (*nlines == 1 && stall > 0) {
			/* hold the COPY open with data sent */
			if (used && PQputCopyData(d->conn, buf, (int)used) == 1 && PQflush(d->conn) == 0)
				used = 0;
			sleep((unsigned)stall);
		}
		if (used + len + slen + 1 > PGCOPY_BUF) {
			if (used && PQputCopyData(d->conn, buf, (int)used) != 1) {
				rc = -1;
				break;
			}
			used = 0;
		}
		if (len + slen + 1 > PGCOPY_BUF) {
			/* A line longer than the buffer goes on its own. */
			if (PQputCopyData(d->conn, line, (int)len) != 1 ||
			    PQputCopyData(d->conn, suffix, (int)slen) != 1 || PQputCopyData(d->conn, "\n", 1) != 1) {
				rc = -1;
				break;
			}
		} else {
			memcpy(buf + used, line, len);
			memcpy(buf + used + len, suffix, slen);
			buf[used + len + slen] = '\n';
			used += len + slen + 1;
		}
		(*nlines)++;
	}
	if (rc == 0 && rows_error(r)[0]) {
		snprintf(err, errlen, "%s", rows_error(r));
		PQputCopyEnd(d->conn, "input file unreadable");
		rc = -2;
	} else if (rc == 0 && used && PQputCopyData(d->conn, buf, (int)used) != 1) {
		rc = -1;
	}
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
	free(buf);
	return rc < 0 ? -1 : 0;
}
