/*
 * main.c - vqr-extract: read one export file, find its header row, map
 * its columns to the source's fields, check every cell, and write the
 * staging files of one batch:
 *
 *     DIR/rows.tsv       canonical rows (COPY text): line, period, fields
 *     DIR/rejects.tsv    one line per rejected cell (COPY text, with header)
 *     DIR/manifest.yaml  file, sha256, encoding, header line, row counts, periods
 *
 * Usage: vqr-extract --config vqr.yaml [--source NAME] [--sheet NAME] -o DIR FILE
 *        vqr-extract --config vqr.yaml --list-sheets FILE
 *        vqr-extract --serve        (many such runs, one a request: serve.h)
 *
 * This file parses the options, finds the source and the key, and reports;
 * the work is extract.c's (header.c finds the header row, rowcheck.c checks
 * the rows, lib/readers/reader.c picks the reader of the file's format).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/pii.h"
#include "lib/util/serve.h"
#include "stages/extract/extract.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqr-extract [OPTION]... -o DIR FILE\n"
		"Read one export FILE, check every row against its source definition, and\n"
		"write canonical rows, rejects and a manifest into the staging directory DIR.\n"
		"\n"
		"  -c, --config FILE   deployment configuration (default: $VQR_CONFIG,\n"
		"                      ./vqr.yaml, /etc/vqr/vqr.yaml)\n"
		"  -s, --source NAME   source of the file (default: recognised by its name)\n"
		"  -o, --output DIR    staging directory to write (created if missing)\n"
		"  -S, --sheet NAME    read the sheet NAME of a workbook as one part of the\n"
		"                      file's batch (whatever the source's sheet): rejects\n"
		"                      read FILE:NAME:ROW:COLUMN, and the manifest lists the\n"
		"                      sheet and every worksheet of the workbook\n"
		"      --list-sheets   print the names of FILE's worksheets, one a line, in\n"
		"                      the workbook's order (nothing for a CSV file), and exit\n"
		"  -v, --verbose       say what is done\n"
		"  -L, --log FILE      also append every message to FILE\n"
		"      --serve         serve the jobs of vqr run, one a request on stdin\n"
		"                      (the only option besides -c; see the man page)\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n"
		"\n"
		"Files written: DIR/rows.tsv, DIR/rejects.tsv, DIR/manifest.yaml.\n"
		"Each rejected cell is reported as FILE:LINE:COLUMN: message.\n"
		"\n" LOG_EXIT_CODES_HELP);
}

/* The source named, or the one whose file patterns match path; NULL
 * after saying why. */
static const cfg_source *find_source(const cfg *c, const char *config, const char *source, const char *path)
{
	const cfg_source *s = source ? cfg_source_find(c, source) : cfg_source_for_file(c, path);

	if (s)
		return s;
	if (source)
		log_error("unknown source \"%s\" (see %s)", source, config);
	else
		log_error("%s: no source's file patterns match this file name", path);
	log_hint("name the source with --source");
	return NULL;
}

/* Check that path is a regular file (never what a symbolic link points
 * to, nor a FIFO or device), and open the key when s pseudonymises a
 * field (*p, NULL when none).  0, or -1 after saying why. */
static int check_input(const cfg *c, const cfg_source *s, const char *path, pii **p)
{
	char err[ERR_MAX];
	int fd = cli_open_input(path, err, sizeof err);

	*p = NULL;
	if (fd < 0) {
		log_error_text(err);
		return -1;
	}
	close(fd);
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].pii == CFG_PII_PSEUDONYMISE && !*p &&
		    !(*p = pii_open(c->pii_key_file, err, sizeof err))) {
			log_error_text(err);
			return -1;
		}
	return 0;
}

/* --list-sheets: the worksheets of the workbook at path on stdout; the
 * exit status. */
static int list_sheets(const cfg *c, const char *path)
{
	char err[ERR_MAX];
	int fd = cli_open_input(path, err, sizeof err);

	if (fd < 0) {
		log_error_text(err);
		return EXIT_USAGE;
	}
	close(fd);
	if (extract_list_sheets(c, path, stdout, err, sizeof err) < 0) {
		log_error_text(err);
		return EXIT_REJECTED;
	}
	return EXIT_OK;
}

/* Extract path (its sheet named sheet, NULL: as its source says) into
 * outdir and say how it went; the exit status. */
static int extract_one(const cfg *c, const cfg_source *s, const char *path, const char *sheet, const char *outdir,
		       pii *p)
{
	char err[ERR_MAX];
	extract x;
	int status;

	log_info("%s: source %s -> %s", path, s->name, outdir);
	extract_init(&x, c, s, path, outdir);
	if (sheet)
		extract_set_sheet(&x, sheet);
	x.rc.pii = p;
	if (extract_run(&x, err, sizeof err) < 0) {
		log_error_text(err);
		status = EXIT_INTERNAL;
	} else if (x.m.status == MANIFEST_FAILED) {
		log_error_text(x.m.reason);
		status = EXIT_REJECTED;
	} else {
		if (x.rc.printed > ROWCHECK_MAX_PRINTED)
			log_notice("%ld more rejected cells are in %s/rejects.tsv", x.rc.printed - ROWCHECK_MAX_PRINTED,
				   outdir);
		log_info("%s: %lld rows read, %lld loaded, %lld rejected, %lld skipped", path, x.m.rows_read,
			 x.m.rows_loaded, x.m.rows_rejected, x.m.rows_skipped);
		status = x.m.rows_rejected ? EXIT_REJECTED : EXIT_OK;
	}
	extract_free(&x);
	return status;
}

/* What main parsed besides the configuration. */
typedef struct extract_opts {
	const char *source;     /* --source, or NULL */
	const char *outdir;     /* --output */
	const char *sheet;      /* --sheet, or NULL */
	int list_sheets;        /* --list-sheets */
} extract_opts;

/* An option of vqr-extract's own into ctx (extract_opts); cli_parse's
 * own function. */
static int own_option(int ch, const char *arg, void *ctx)
{
	extract_opts *o = ctx;

	switch (ch) {
	case 's': o->source = arg; return CLI_GO_ON;
	case 'o': o->outdir = arg; return CLI_GO_ON;
	case 'S': o->sheet = arg; return CLI_GO_ON;
	case 'T': o->list_sheets = 1; return CLI_GO_ON;
	}
	return CLI_NOT_MINE;
}

/* Bound this process's heap to bytes (RLIMIT_DATA), so that an input
 * whose library allocates for what it declares rather than what it holds
 * (libfreexl: 16 bytes for every cell of an .xls sheet's declared range)
 * fails with a reason instead of taking the machine's memory.  Not under
 * AddressSanitizer, whose shadow memory counts as data. */
static void limit_memory(long long bytes)
{
#if defined(__SANITIZE_ADDRESS__)
	(void)bytes;
#else
	struct rlimit rl;

	if (getrlimit(RLIMIT_DATA, &rl) == 0 && (rl.rlim_max == RLIM_INFINITY || (rlim_t)bytes < rl.rlim_max)) {
		rl.rlim_cur = (rlim_t)bytes;
		if (setrlimit(RLIMIT_DATA, &rl) != 0)
			log_warning("cannot bound the memory to %lld bytes: %s", bytes, strerror(errno));
	}
#endif
}

/* One extract: the command line of a vqr-extract run (argv), with the
 * configuration kept in k (serve.h); the exit status. */
static int extract_job(int argc, char **argv, void *k)
{
	static const cli_parser parser = { "vqr-extract", usage, "s:o:S:", own_option, "input file", {
		{ "source", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "sheet", required_argument, NULL, 'S' },
		{ "list-sheets", no_argument, NULL, 'T' } } };
	extract_opts o = { 0 };
	const char *config = NULL;
	char err[ERR_MAX];
	const cfg_source *s;
	pii *p = NULL;
	cfg *c;
	int rc, status;

	if ((rc = cli_parse(argc, argv, &parser, &o, &config)) != CLI_GO_ON)
		return rc;
	if (!o.outdir && !o.list_sheets) {
		log_error("no output directory given (-o DIR)");
		return EXIT_USAGE;
	}
	config = cli_config_path(config);
	if (!(c = cfg_keep(k, config, err, sizeof err))) {
		log_error_text(err);
		return EXIT_USAGE;
	}
	limit_memory(c->limits.max_extract_memory_bytes);
	if (o.list_sheets)
		return list_sheets(c, argv[optind]);
	if (!(s = find_source(c, config, o.source, argv[optind])) || check_input(c, s, argv[optind], &p) < 0) {
		pii_close(p);
		return EXIT_USAGE;
	}
	status = extract_one(c, s, argv[optind], o.sheet, o.outdir, p);
	pii_close(p);
	return status;
}

int main(int argc, char **argv)
{
	cfg_kept k = { 0 };
	int status;

	status = serve_main("vqr-extract", argc, argv, extract_job, &k);
	cfg_kept_free(&k);
	return cli_finish_stdout(status);
}
