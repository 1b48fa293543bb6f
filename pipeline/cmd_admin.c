/*
 * cmd_admin.c - the driver's administrative commands: vqr init (the
 * schema, a region's publication), vqr db (the embedded cluster), vqr
 * region (a regional database's colleges) and vqr report (the quality
 * report's tables); and the database opening every command shares.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/db/embed.h"
#include "lib/db/migrate.h"
#include "lib/util/cli.h"
#include "lib/util/log.h"
#include "pipeline/cmd.h"
#include "pipeline/region.h"
#include "pipeline/report.h"

static void say_info(const char *msg)
{
	log_notice("%s", msg);
}

int cmd_open_db(db *d, const cfg *c, const opts *o, int need_schema)
{
	char err[4096];
	if (db_open(d, c, o->database, say_info, err, sizeof err) < 0) {
		log_error_text(err);
		return EXIT_DB;
	}
	log_info("connected to %s", d->where);
	if (need_schema && migrate_check(d, err, sizeof err) < 0) {
		log_error_text(err);
		return EXIT_DB;
	}
	return 0;
}

/* The exit status of a region_* function's result rc, after saying err
 * when it is not 0. */
static int region_exit(int rc, char *err, size_t errlen)
{
	if (!rc)
		return EXIT_OK;
	if (rc == REGION_STALE) {
		size_t n = strlen(err);
		snprintf(err + n, errlen - n, " (exit %d)", EXIT_STALE);
	}
	log_error_text(err);
	return rc == REGION_STALE ? EXIT_STALE : rc == REGION_REFUSED ? EXIT_USAGE : EXIT_DB;
}

PGresult *cmd_query(db *d, const char *sql, int nparams, const char *const *params)
{
	char err[4096];
	PGresult *r = db_query(d, sql, nparams, params, err, sizeof err);
	if (!r)
		log_error_text(err);
	return r;
}

int cmd_init(const cfg *c, const char *config, const opts *o, int argc, char **argv)
{
	db d;
	char err[4096];
	int applied, rc;

	(void)config;
	(void)argc;
	(void)argv;
	if ((rc = cmd_open_db(&d, c, o, 0)))
		return rc;
	if (migrate_apply(&d, &applied, err, sizeof err) < 0) {
		log_error_text(err);
		log_detail("%s", d.where);
		db_close(&d, 1);
		return EXIT_DB;
	}
	if (applied)
		printf("vqr: schema vqr upgraded: %d migration%s applied, now at %s (%s)\n", applied,
		       applied == 1 ? "" : "s", migrate_latest(), d.where);
	else
		printf("vqr: schema vqr is up to date at %s (%s)\n", migrate_latest(), d.where);
	rc = region_exit(region_init(&d, c, &o->ro, stdout, err, sizeof err), err, sizeof err);
	db_close(&d, 1);
	return rc;
}

int cmd_db(const cfg *c, const char *config, const opts *o, int argc, char **argv)
{
	const char *what;
	embed_cluster cl;
	char err[4096];
	int running;

	(void)config;
	if (argc < 1 || argc != (strcmp(what = argv[0], "login") == 0 ? 2 : 1)) {
		log_error("vqr db needs start, stop, status or login NAME");
		log_hint("try \"vqr --help\"");
		return EXIT_USAGE;
	}
	if (strcmp(what, "login") == 0)
		return cmd_db_login(c, o, argv[1]);
	if (c->database) {
		char shown[4096];
		log_error("the configuration names a database (%s): there is no embedded cluster to manage",
			  db_mask_conninfo(c->database, shown, sizeof shown));
		return EXIT_USAGE;
	}
	if (db_embed_init(&cl, c, err, sizeof err) < 0) {
		log_error_text(err);
		return EXIT_INTERNAL;
	}
	if (strcmp(what, "start") == 0) {
		if (embed_start(&cl, err, sizeof err) < 0) {
			log_error_text(err);
			return EXIT_DB;
		}
		if (cl.note[0])
			log_warning("embedded PostgreSQL in %s: %s", cl.datadir, cl.note);
		printf("vqr: embedded PostgreSQL %s in %s\n", cl.started ? "started" : "already running", cl.datadir);
		printf("connect with: psql \"%s\"\n", cl.conninfo);
		if (cl.listen[0])
			printf("analysts' logins (vqr db login NAME) over TCP: psql \"host=%s port=%d dbname=vqr user=NAME\"\n",
			       cl.listen, cl.port);
		return EXIT_OK;
	}
	if (strcmp(what, "stop") == 0) {
		if (embed_running(&cl) != 1) {
			printf("vqr: embedded PostgreSQL in %s is not running\n", cl.datadir);
			return EXIT_OK;
		}
		if (embed_stop(&cl, err, sizeof err) < 0) {
			log_error_text(err);
			return EXIT_DB;
		}
		if (cl.note[0])
			log_warning("embedded PostgreSQL in %s: %s", cl.datadir, cl.note);
		printf("vqr: embedded PostgreSQL in %s stopped\n", cl.datadir);
		return EXIT_OK;
	}
	if (strcmp(what, "status") == 0) {
		running = embed_running(&cl);
		printf("vqr: embedded PostgreSQL in %s is %s\n", cl.datadir,
		       running == 1 ? "running" : running == 0 ? "not running" : "in an unknown state");
		if (running == 1)
			printf("connect with: psql \"%s\"\n", cl.conninfo);
		return EXIT_OK;
	}
	log_error("unknown db command \"%s\" (start, stop or status)", what);
	return EXIT_USAGE;
}

int cmd_region(const cfg *c, const char *config, const opts *o, int argc, char **argv)
{
	db d;
	char err[4096];
	int rc, n = argc;

	(void)config;
	if (n < 1 || (strcmp(argv[0], "add") == 0 ? n != 3 : strcmp(argv[0], "remove") == 0 ? n != 2 :
		      strcmp(argv[0], "status") == 0 ? n != 1 : 1)) {
		log_error("vqr region needs: add NAME CONNINFO, status, or remove NAME");
		log_hint("try \"vqr --help\"");
		return EXIT_USAGE;
	}
	if ((rc = cmd_open_db(&d, c, o, 1))) {
		db_close(&d, 1);
		return rc;
	}
	if (strcmp(argv[0], "add") == 0)
		rc = region_add(&d, argv[1], argv[2], stdout, err, sizeof err);
	else if (strcmp(argv[0], "remove") == 0)
		rc = region_remove(&d, argv[1], stdout, err, sizeof err);
	else
		rc = region_status(&d, stdout, err, sizeof err);
	rc = region_exit(rc, err, sizeof err);
	db_close(&d, 1);
	return rc;
}

/* The layout of vqr report into path (len bytes): --layout, else
 * report/quality_report.yaml beside the configuration, else the
 * installed one. */
static void report_layout_path(const cfg *c, const opts *o, char *path, size_t len)
{
	char real[PATH_MAX], *dir;

	if (o->layout) {
		snprintf(path, len, "%s", o->layout);
		return;
	}
	path[0] = '\0';
	if (c && c->path && realpath(c->path, real) && (dir = strrchr(real, '/'))) {
		*dir = '\0';
		snprintf(path, len, "%s/report/quality_report.yaml", real);
	}
	if (!path[0] || access(path, F_OK) != 0)
		snprintf(path, len, "%s/config/report/quality_report.yaml", cli_datadir());
}

/* The latest academic year of school (NULL: of any school) loaded in d,
 * into year (len bytes).
 * 0, or an exit code after saying why. */
static int report_latest_year(db *d, const char *school, char *year, size_t len)
{
	char err[4096];
	const char *p[1] = { school };
	PGresult *y = db_query(d, "SELECT max(v.period), (SELECT count(*) FROM vqr.school WHERE school_code = $1 "
			       "OR $1 IS NULL) FROM vqr.indicator_value v JOIN vqr.period p USING (period) "
			       "WHERE (v.school_code = $1 OR $1 IS NULL) AND p.period_type = 'academic_year'",
			       1, p, err, sizeof err);

	if (!y || PQgetisnull(y, 0, 0)) {
		if (y && strcmp(PQgetvalue(y, 0, 1), "0") == 0)
			log_error("school %s is not in the database", school ? school : "(any)");
		else if (y)
			log_error("no academic year of %s is loaded: say which with --year", school ? school : "any school");
		else
			log_error_text(err);
		PQclear(y);
		return y ? EXIT_USAGE : EXIT_DB;
	}
	snprintf(year, len, "%s", PQgetvalue(y, 0, 0));
	PQclear(y);
	return 0;
}

/* vqr report: write r in rf to the file output, else to standard
 * output (with rf's byte-order mark when bom).  An exit code. */
static int report_out(const report_data *r, const report_format *rf, const char *output, int bom)
{
	char err[4096];

	if (!output && bom)
		report_write_bom(rf, stdout);
	if (output && report_save(r, rf, output, err, sizeof err)) {
		log_error("%s", err);
		return EXIT_INTERNAL;
	}
	if (!output && (report_write(r, rf, stdout) || fflush(stdout))) {
		log_error("standard output: %s", strerror(errno));
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

/* vqr report: fill the layout l for school and year (with --region:
 * every school side by side) and print it in rf.
 * An exit code. */
static int report_print(const cfg *c, const opts *o, const report_layout *l, const report_format *rf,
			const char *school)
{
	char err[4096], latest[64];
	const char *year = o->year;
	report_data *r = NULL;
	db d;
	int rc;

	if ((rc = cmd_open_db(&d, c, o, 1)) || (!year && (rc = report_latest_year(&d, school, latest, sizeof latest)))) {
		db_close(&d, 1);
		return rc;
	}
	if (!year)
		year = latest;
	rc = o->ro.region ? report_fetch_region(d.conn, l, year, o->table, &r, err, sizeof err)
			  : report_fetch(d.conn, l, school, year, o->table, &r, err, sizeof err);
	/* the HTML charts set the school beside the region */
	if (!rc && !o->ro.region && rf == report_format_find("html"))
		rc = report_fetch_beside(d.conn, l, r, o->table, err, sizeof err);
	db_close(&d, 1);
	if (rc) {
		log_error_text(err);
		report_data_free(r);
		return rc == REPORT_REFUSED ? EXIT_USAGE : EXIT_DB;
	}
	for (size_t i = 0; report_warning(r, i); i++)
		log_warning("%s", report_warning(r, i));
	if (!report_values_found(r))
		log_warning("no value of %s in %s is loaded: every figure shows as —", school ? school : "any school", year);
	rc = report_out(r, rf, o->output, o->bom);
	report_data_free(r);
	return rc;
}

/* vqr report: the quality report's tables (pipeline/report.h). */
int cmd_report(const cfg *c, const char *config, const opts *o, int argc, char **argv)
{
	char err[4096], path[PATH_MAX + 64];
	const char *school = o->school ? o->school : c ? c->school_code : NULL;
	const char *fmt = o->format ? o->format : "text";
	const report_format *rf = report_format_find(fmt);
	report_layout *l;
	int rc;

	(void)config;
	(void)argc;
	(void)argv;
	if (!rf) {
		log_error("--format %s: text, markdown, csv, html or xlsx", fmt);
		return EXIT_USAGE;
	}
	if (report_format_file_only(rf) && !o->output) {
		log_error("--format %s writes a file: say which with -o FILE", fmt);
		return EXIT_USAGE;
	}
	if (o->ro.region && o->school) {
		log_error("--region sets every school side by side: leave out --school %s", o->school);
		return EXIT_USAGE;
	}
	if (o->ro.region)
		school = NULL;
	else if (!school) {
		log_error("vqr report needs --school CODE (there is no configuration to take it from)");
		return EXIT_USAGE;
	}
	report_layout_path(c, o, path, sizeof path);
	if (!(l = report_layout_load(path, err, sizeof err))) {
		log_error_text(err);
		if (!o->layout)
			log_hint("name the layout with --layout FILE");
		return EXIT_USAGE;
	}
	if (o->table && !report_layout_has_table(l, o->table)) {
		log_error("%s: no table \"%s\"", path, o->table);
		report_layout_free(l);
		return EXIT_USAGE;
	}
	rc = report_print(c, o, l, rf, school);
	report_layout_free(l);
	return rc;
}
