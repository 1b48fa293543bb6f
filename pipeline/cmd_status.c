/*
 * cmd_status.c - vqr status: whether a run is going on, the last batches,
 * the column coverage and catalog of the current slices, open findings,
 * what is quarantined and what waits in the inbox.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/util/cli.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "pipeline/cmd.h"
#include "pipeline/inbox.h"

/* The column coverage of school $1's files behind the current values
 * (headers that map to no field, missing fields, indicators not
 * computed). */
#define COVERAGE_SQL \
	"SELECT f.file_name, f.batch_id, " \
	"coalesce((SELECT string_agg(h || CASE WHEN coalesce(f.unmapped_hints[i], '') <> '' " \
	"  THEN ' (did you mean ' || f.unmapped_hints[i] || '?)' ELSE '' END, ', ' ORDER BY i) " \
	"  FROM unnest(f.unmapped_headers) WITH ORDINALITY AS u(h, i)), ''), " \
	"array_to_string(f.missing_fields, ', '), array_to_string(f.skipped_indicators, ', ') " \
	"FROM vqr.source_file f WHERE f.school_code = $1 " \
	"AND (cardinality(f.unmapped_headers) > 0 OR cardinality(f.missing_fields) > 0) " \
	"AND (EXISTS (SELECT 1 FROM vqr.indicator_value v WHERE v.file_id = f.file_id) " \
	"  OR EXISTS (SELECT 1 FROM vqr.finding x WHERE x.file_id = f.file_id AND x.superseded_by IS NULL)) " \
	"ORDER BY f.file_id DESC LIMIT 20"

/* vqr status: row i of COVERAGE_SQL. */
static void coverage_row(PGresult *r, int i)
{
	printf("  %s (batch %s):", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	if (PQgetvalue(r, i, 2)[0])
		printf(" unmapped columns: %s;", PQgetvalue(r, i, 2));
	if (PQgetvalue(r, i, 3)[0])
		printf(" missing fields: %s;", PQgetvalue(r, i, 3));
	if (PQgetvalue(r, i, 4)[0])
		printf(" not computed: %s", PQgetvalue(r, i, 4));
	printf("\n");
}

/* vqr status: title (NULL none), then sql's answer for c's school ($1):
 * head and a line by row for each row, or none when no rows (head and
 * none: lines, NULL for nothing).  0, or -1 after saying why. */
static int status_list(db *d, const cfg *c, const char *title, const char *sql, const char *head,
		       const char *none, void (*row)(PGresult *r, int i))
{
	const char *p[1] = { c->school_code };
	PGresult *r = cmd_query(d, sql, 1, p);
	const char *line;

	if (!r)
		return -1;
	if (title)
		fputs(title, stdout);
	if ((line = PQntuples(r) ? head : none))
		fputs(line, stdout);
	for (int i = 0; i < PQntuples(r); i++)
		row(r, i);
	PQclear(r);
	return 0;
}

/* vqr status: the slices computed with another catalog than the one
 * configured now (vqr reprocess computes them again).  0, or -1 after
 * saying why. */
static int status_stale(db *d, const cfg *c)
{
	char err[1024], *codes, *shas;
	const char *p[5] = { c->school_code, NULL, NULL, NULL, NULL };
	PGresult *r;

	if (catalog_arrays(c, &codes, &shas, err, sizeof err) < 0) {
		log_error_text(err);
		return -1;
	}
	p[1] = codes;
	p[2] = shas;
	r = cmd_query(d,
		      "SELECT source_code, string_agg(period, ', ' ORDER BY period), "
		      "string_agg(DISTINCT batch_id::text, ', ') FROM (" STALE_SLICES_SQL ") s GROUP BY 1 ORDER BY 1",
		      5, p);
	free(codes);
	free(shas);
	if (!r)
		return -1;
	if (PQntuples(r))
		printf("slices computed with another catalog (vqr reprocess --stale computes them again):\n");
	for (int i = 0; i < PQntuples(r); i++)
		printf("  %s: %s (batch %s)\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
	PQclear(r);
	return 0;
}

/* vqr status: the files waiting in the inbox, and whether the next run
 * takes them (ready) or leaves them (still changing, no .done marker). */
static void status_inbox(const cfg *c)
{
	char err[1024];
	size_t n = 0;
	char **files = inbox_list(c->inbox, &n, err, sizeof err);

	if (!files) {
		if (errno != ENOENT)
			log_warning("%s", err);
		return;
	}
	if (!n)
		printf("nothing waiting in the inbox\n");
	else
		printf("waiting in %s:\n", c->inbox);
	for (size_t i = 0; i < n; i++) {
		printf("  %s: %s\n", cli_basename(files[i]), inbox_ready(c, files[i]) ? "ready: the next run takes it" :
		       c->done_marker ? "not ready yet (no .done marker, or still changing)" :
		       "not ready yet (changed in the last settle_seconds)");
		free(files[i]);
	}
	free(files);
}

/* vqr status: is a run going on (the lock of the staging directory
 * held)?  Said with the holder. */
static void status_lock(const cfg *c)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof path, "%s/.vqr.lock", c->staging);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
			char info[256];
			ssize_t k = read(fd, info, sizeof info - 1);
			info[k > 0 ? k : 0] = '\0';
			info[strcspn(info, "\n")] = '\0';
			printf("a run is going on: %s\n", info);
		}
		close(fd);
	}
}

/* vqr status: the files in quarantine, each with the first line of its
 * reason. */
static void status_quarantine(const cfg *c)
{
	DIR *dir;
	struct dirent *e;
	int nq = 0;

	if ((dir = opendir(c->quarantine))) {
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			char rpath[4400], reason[512] = "";
			FILE *f;
			if (e->d_name[0] == '.' || (len > 7 && strcmp(e->d_name + len - 7, ".reason") == 0))
				continue;
			snprintf(rpath, sizeof rpath, "%s/%s.reason", c->quarantine, e->d_name);
			if ((f = fopen(rpath, "r"))) {
				if (!fgets(reason, sizeof reason, f))
					reason[0] = '\0';
				fclose(f);
				reason[strcspn(reason, "\n")] = '\0';
			}
			if (!nq++)
				printf("quarantined in %s:\n", c->quarantine);
			printf("  %s: %s\n", e->d_name, reason[0] ? reason : "(no reason file)");
		}
		closedir(dir);
	}
	if (!nq)
		printf("nothing in quarantine\n");
}

/* The last batches of school $1 and their files. */
#define BATCHES_SQL \
	"SELECT b.batch_id, to_char(b.started_at, 'YYYY-MM-DD HH24:MI'), b.status, f.file_name, " \
	"f.rows_read, f.rows_loaded, f.rows_rejected, array_to_string(f.periods, ','), " \
	"(SELECT count(*) FROM vqr.indicator_value v WHERE v.batch_id = b.batch_id), " \
	"(SELECT string_agg(CASE WHEN s.status = 'loaded' THEN format('%s: %s, %s rows, %s loaded, %s rejected', " \
	"  s.sheet_name, s.source_code, s.rows_read, s.rows_loaded, s.rows_rejected) " \
	"  ELSE format('%s: not read (no source reads it)', s.sheet_name) END, E'\\n' ORDER BY s.sheet_no) " \
	"  FROM vqr.source_file_sheet s WHERE s.file_id = f.file_id) " \
	"FROM vqr.batch b LEFT JOIN vqr.source_file f USING (batch_id) " \
	"WHERE b.school_code = $1 ORDER BY b.batch_id DESC LIMIT 10"

/* vqr status: row i of BATCHES_SQL, and the sheets of a workbook read
 * as parts, a line each. */
static void batch_row(PGresult *r, int i)
{
	const char *s = PQgetvalue(r, i, 9), *e;

	printf("  batch %s  %s  %s  %s: %s rows, %s loaded, %s rejected, %s values for %s\n", PQgetvalue(r, i, 0),
	       PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5),
	       PQgetvalue(r, i, 6), PQgetvalue(r, i, 8), PQgetvalue(r, i, 7));
	for (; *s; s = *e ? e + 1 : e) {
		e = s + strcspn(s, "\n");
		printf("    sheet %.*s\n", (int)(e - s), s);
	}
}

/* The open findings of school $1: the current ones (not superseded by a later check). */
#define FINDINGS_SQL \
	"SELECT f.severity, f.period, f.check_code, f.message FROM vqr.finding f " \
	"WHERE f.school_code = $1 AND f.superseded_by IS NULL " \
	"ORDER BY f.severity, f.period, f.check_code LIMIT 20"

/* vqr status: row i of FINDINGS_SQL. */
static void finding_row(PGresult *r, int i)
{
	printf("  %s  %s  %s: %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
	       PQgetvalue(r, i, 3));
}

/* vqr status: the last runs, what they loaded, the column coverage and
 * the catalog of the current slices, open findings, what is quarantined. */
int cmd_status(const cfg *c, const char *config, const opts *o, int argc, char **argv)
{
	db d;
	char *title;
	int rc;

	(void)config;
	(void)argc;
	(void)argv;
	status_lock(c);
	if ((rc = cmd_open_db(&d, c, o, 1))) {
		db_close(&d, 1);
		return rc;
	}
	title = xasprintf("%s (%s), %s\n", c->school_name, c->school_code, d.where);
	rc = status_list(&d, c, title, BATCHES_SQL, "last batches:\n", "no batch loaded yet\n", batch_row) < 0 ||
	     status_list(&d, c, NULL, COVERAGE_SQL, "column coverage of the loaded files:\n", NULL, coverage_row) < 0 ||
	     status_stale(&d, c) < 0 ||
	     status_list(&d, c, NULL, FINDINGS_SQL, "open findings:\n", "no open findings\n", finding_row) < 0;
	free(title);
	db_close(&d, 1);
	if (rc)
		return EXIT_DB;
	status_quarantine(c);
	status_inbox(c);
	return EXIT_OK;
}
