/*
 * main.c - vqr-load: load one staged batch into PostgreSQL, in one
 * transaction.  This file parses the options and reports; the load
 * itself is stages/load/load.c and its modules (load_*.c).
 *
 * Usage: vqr-load --config vqr.yaml [--database CONNINFO] DIR [DIR...]
 *        vqr-load --serve           (many such runs, one a request: serve.h;
 *                                    the connection is kept between them)
 *
 * Reads DIR/manifest.yaml, DIR/indicators.gz (vqr-transform) and
 * DIR/rejects.tsv (vqr-extract).  In one transaction it syncs the school,
 * source and indicator catalog from the configuration, records the batch
 * and the source file (sha256, counts), deletes the slices the file covers
 * (school, source, period) and COPYs the new indicator values and the
 * rejects in.  Either all of it commits or none of it: an analyst never
 * sees a half-loaded year, and a file whose sha256 is already loaded is
 * not loaded again.
 *
 * With --follow SOURCE (what `vqr run` uses for a source with load_rows)
 * it starts beside vqr-extract: the transaction opens and the canonical
 * rows stream in while they are written; then it waits for the manifest
 * to show the transform's indicators and goes on as usual.
 *
 * Several DIRs are the parts of one workbook (a sheet each, staged by
 * vqr-extract --sheet), loaded together in the one transaction.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "lib/db/migrate.h"
#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "lib/util/serve.h"
#include "stages/load/load.h"


static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqr-load [OPTION]... DIR [DIR]...\n"
		"Load the batch staged in DIR (by vqr-extract and vqr-transform) into\n"
		"PostgreSQL in one transaction, replacing the slices (school, source, period)\n"
		"it covers.  A file whose sha256 is already loaded is skipped.  Several DIRs\n"
		"are the parts of one workbook (a sheet each, vqr-extract --sheet), loaded\n"
		"together: one batch, one file, each part's slices.\n"
		"Prints one line: STATUS BATCH VALUES REPLACED REJECTS ERRORS WARNINGS\n"
		"(tab-separated), STATUS being loaded, skipped (already loaded), blocked\n"
		"(a blocking check failed) or held (a replacing file would shrink its slice\n"
		"by more than the source's max_shrink; DIR/" STAGE_HELD_FILE " says by how much); with\n"
		"--dry-run, the changes instead.  A file whose name matches the source's\n"
		"supplement_files (or a source with mode: supplement) adds its rows to its\n"
		"slices: DIR/" STAGE_INDICATORS " was then computed over all of their rows.\n"
		"\n"
		"  -c, --config FILE      deployment configuration (default: $VQR_CONFIG,\n"
		"                         ./vqr.yaml, /etc/vqr/vqr.yaml)\n"
		"  -d, --database CONN    libpq conninfo, URI or service name (default:\n"
		"                         $VQR_DATABASE, else the configuration's database,\n"
		"                         else the embedded cluster)\n"
		"  -l, --label TEXT       batch label (default: the directory's name)\n"
		"  -n, --dry-run          load, report what would change, and roll back\n"
		"  -a, --accept-shrink    load a replacing file even if it shrinks its slice\n"
		"  -R, --reprocess        the file is loaded already: compute its slices again\n"
		"                         (with the current catalog), keeping its file record\n"
		"                         and the history; implies --accept-shrink\n"
		"  -f, --follow SOURCE    start beside vqr-extract and vqr-transform: stream\n"
		"                         the rows (load_rows) as they are written, then wait\n"
		"                         for the transform's manifest\n"
		"  -v, --verbose          say what is done\n"
		"  -L, --log FILE         also append every message to FILE\n"
		"      --serve            serve the jobs of vqr run, one a request on stdin\n"
		"                         (the only option besides -c; see the man page)\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"Environment:\n"
		"  VQR_DATABASE           the database when -d is not given; vqr run passes its\n"
		"                         database this way, so that no password shows in ps\n"
		"\n" LOG_EXIT_CODES_HELP);
}

/* What load's own options fill (cli_parse's ctx). */
typedef struct load_args {
	load_opts *o;           /* --label, --dry-run, --accept-shrink, --reprocess */
	const char **database;  /* --database */
	const char **follow;    /* --follow */
} load_args;

/* An option of vqr-load's own into ctx (load_args); cli_parse's own
 * function. */
static int own_option(int ch, const char *arg, void *ctx)
{
	load_args *a = ctx;

	switch (ch) {
	case 'd': *a->database = arg; return CLI_GO_ON;
	case 'l': a->o->label = arg; return CLI_GO_ON;
	case 'n': a->o->dry_run = 1; return CLI_GO_ON;
	case 'a': a->o->accept_shrink = 1; return CLI_GO_ON;
	case 'R': a->o->reprocess = 1; return CLI_GO_ON;
	case 'f': *a->follow = arg; return CLI_GO_ON;
	}
	return CLI_NOT_MINE;
}

/* Parse the options into o (and the configuration, database); the
 * staging directory is the one operand.  CLI_GO_ON, or the exit status. */
static int parse_options(int argc, char **argv, load_opts *o, const char **config, const char **database,
			 const char **follow)
{
	static const cli_parser parser = { "vqr-load", usage, "d:l:naRf:", own_option, NULL, {
		{ "database", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "accept-shrink", no_argument, NULL, 'a' },
		{ "reprocess", no_argument, NULL, 'R' },
		{ "follow", required_argument, NULL, 'f' } } };
	load_args a = { o, database, follow };
	int rc;

	if ((rc = cli_parse(argc, argv, &parser, &a, config)) != CLI_GO_ON)
		return rc;
	if (optind >= argc || (*follow && optind != argc - 1))
		return cli_one_operand(argc, argv, optind, "vqr-load", "staging directory");
	o->dir = argv[optind];
	if (!o->label)
		o->label = cli_basename(o->dir);
	o->follow = *follow != NULL;
	return CLI_GO_ON;
}

/* The source of the load: --follow's (the manifest comes later), else the
 * staging directory's, which must be transformed.  0, or the exit
 * status after saying why not. */
static int find_source(const char *dir, const cfg *c, const char *config, const char *follow, manifest *m,
		       const cfg_source **s)
{
	char err[ERR_MAX];
	int status;

	if (follow) {
		if ((*s = cfg_source_find(c, follow)))
			return EXIT_OK;
		log_error("--follow %s: no such source in %s", follow, config);
		return EXIT_USAGE;
	}
	if ((status = stage_open(dir, c, config, m, s, err, sizeof err)) < 0) {
		if (status == -1) {
			log_error_text(err);
			return EXIT_USAGE;
		}
		log_error("%s", err);   /* -2: the file failed at extract */
		return EXIT_REJECTED;
	}
	if (m->indicators < 0) {
		log_error("%s: not transformed yet", dir);
		log_hint("run \"vqr-transform %s\" first", dir);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The parts of a workbook: each of dirs[0..n) opened as find_source
 * does (into parts[i], with ms[i] its manifest), all of one file, each
 * with its sheet, no two of one source in the same period.  0, or the
 * exit status after saying why not. */
static int open_parts(char **dirs, size_t n, const cfg *c, const char *config, manifest *ms, load_part *parts)
{
	manifest **mp = xcalloc(n, sizeof *mp);
	char err[ERR_MAX];
	int status = EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		parts[i].dir = dirs[i];
		parts[i].m = mp[i] = &ms[i];
		if ((status = find_source(dirs[i], c, config, NULL, &ms[i], &parts[i].s)))
			break;
		if (!ms[i].sheet || !ms[i].sha256 || !ms[0].sha256 || strcmp(ms[i].sha256, ms[0].sha256) != 0) {
			log_error("%s: not a part of the workbook staged in %s (several directories must each hold "
				  "one sheet of the same file: vqr-extract --sheet)", dirs[i], dirs[0]);
			status = EXIT_USAGE;
			break;
		}
	}
	if (!status && stage_parts_clash(mp, n, err, sizeof err) < 0) {
		log_error_text(err);
		status = EXIT_USAGE;
	}
	free(mp);
	return status;
}

/* What a vqr-load keeps between its jobs (serve.h); one job alone keeps
 * it for nothing. */
typedef struct load_kept {
	cfg_kept k;             /* the configuration */
	db d;                   /* the connection (d.conn NULL: none) */
	char *target;           /* what it was opened for: --database or $VQR_DATABASE (NULL: neither) */
} load_kept;

/* Connect (database, else $VQR_DATABASE, else the configuration's) and
 * check the schema, unless l holds an idle connection opened for the
 * same that still answers.  0, or EXIT_DB after saying why. */
static int open_db(load_kept *l, const cfg *c, const char *database)
{
	char err[ERR_MAX];

	if (!database && getenv("VQR_DATABASE") && *getenv("VQR_DATABASE"))
		database = getenv("VQR_DATABASE");
	if (l->d.conn && PQstatus(l->d.conn) == CONNECTION_OK && PQtransactionStatus(l->d.conn) == PQTRANS_IDLE &&
	    (database ? l->target && strcmp(l->target, database) == 0 : !l->target)) {
		/* still there? (its backend may have ended since the last job) */
		PGresult *r = PQexec(l->d.conn, "SELECT 1");
		int alive = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
		if (alive)
			return EXIT_OK;
	}
	db_close(&l->d, 0);
	free(l->target);
	l->target = xstrdup_or_null(database);
	if (db_open(&l->d, c, database, NULL, err, sizeof err) < 0 || migrate_check(&l->d, err, sizeof err) < 0) {
		log_error_text(err);
		db_close(&l->d, 0);
		return EXIT_DB;
	}
	return EXIT_OK;
}

/* Say what the load did (and print its result line); the exit status. */
static int report(const load_opts *o, const cfg_source *s, const manifest *m, const load_result *res)
{
	const char *dir = o->dir;
	stage_result sr = { load_outcome(res), res->batch_id, res->values, res->replaced, res->rejects,
			    res->checks.errors, res->checks.warnings };
	int status = EXIT_OK;

	if (o->dry_run && !res->skipped_by[0])
		return EXIT_OK;
	if (res->skipped_by[0]) {
		log_info("%s: %s is already loaded (%s): nothing to do", dir, m->file_name, res->skipped_by);
	} else if (res->held) {
		log_error("%s: batch %lld held back: %s would shrink its slice by more than max_shrink %g; nothing of it "
			  "was loaded", dir, res->batch_id, m->file_name, s->max_shrink);
		log_detail("see %s/%s and SELECT * FROM vqr.v_finding WHERE check_code = 'slice_shrink'", dir,
			   STAGE_HELD_FILE);
		log_hint("if the smaller export is right, load it with --accept-shrink (vqr run --accept-shrink %s)",
			 m->file_name);
		status = EXIT_REJECTED;
	} else if (res->checks.blocked) {
		log_error("%s: batch %lld blocked: a check with block: true failed; nothing of %s was loaded", dir,
			  res->batch_id, m->file_name);
		log_detail("%s", res->checks.blocked_by);
		log_hint("see SELECT * FROM vqr.v_finding; correct the export, or the check, and load again");
		status = EXIT_REJECTED;
	} else {
		log_info("%s: batch %lld: %lld indicator values (%lld replaced), %lld rejects, %lld derived, "
			 "%lld checked: %lld errors, %lld warnings", dir, res->batch_id, res->values, res->replaced,
			 res->rejects, res->checks.derived, res->checks.checked, res->checks.errors, res->checks.warnings);
		if (s->load_rows)
			log_info("%s: %lld canonical rows into vqr_rows.%s", dir, res->rows, s->name);
	}
	stage_result_print(stdout, &sr);
	return status;
}

/* One load: the command line of a vqr-load run (argv), with what l keeps
 * between jobs; the exit status. */
static int load_job(int argc, char **argv, void *ctx)
{
	const char *config = NULL, *database = NULL, *follow = NULL;
	load_kept *l = ctx;
	load_opts o = { 0 };
	char err[ERR_MAX];
	manifest *ms;
	load_part *parts;
	load_result res;
	cfg *c;
	size_t n;
	int rc, status;

	if ((status = parse_options(argc, argv, &o, &config, &database, &follow)) != CLI_GO_ON)
		return status;
	config = cli_config_path(config);
	if (!(c = cfg_keep(&l->k, config, err, sizeof err))) {
		log_error_text(err);
		return EXIT_USAGE;
	}
	n = (size_t)(argc - optind);
	ms = xcalloc(n, sizeof *ms);
	parts = xcalloc(n, sizeof *parts);
	parts[0].dir = o.dir;
	parts[0].m = &ms[0];
	if ((status = n == 1 ? find_source(o.dir, c, config, follow, &ms[0], &parts[0].s)
			     : open_parts(argv + optind, n, c, config, ms, parts)) ||
	    (status = open_db(l, c, database)))
		goto out;
	if ((rc = load_run_parts(&l->d, c, parts, n, &o, &res, err, sizeof err)) == -2) {
		status = EXIT_REJECTED;         /* --follow: the extract gave the file up, and says why */
	} else if (rc < 0) {
		log_error("%s: load rolled back, the database is unchanged", o.dir);
		log_error_text(err);
		log_detail("%s", l->d.where);
		status = EXIT_DB;
	} else {
		status = report(&o, parts[0].s, &ms[0], &res);
	}
out:
	/* a connection is kept only as it was taken: idle, nothing pending */
	if (l->d.conn && (status == EXIT_DB || PQtransactionStatus(l->d.conn) != PQTRANS_IDLE))
		db_close(&l->d, 0);
	for (size_t i = 0; i < n; i++)
		manifest_clear(&ms[i]);
	free(ms);
	free(parts);
	return status;
}

int main(int argc, char **argv)
{
	load_kept l = { 0 };
	int status;

	status = serve_main("vqr-load", argc, argv, load_job, &l);
	db_close(&l.d, 1);
	free(l.target);
	cfg_kept_free(&l.k);
	return cli_finish_stdout(status);
}
