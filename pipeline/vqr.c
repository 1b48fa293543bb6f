/*
 * vqr.c - the driver a college's cron job calls.
 *
 *     vqr init              create or upgrade the schema (numbered migrations)
 *     vqr run               load whatever is new in the inbox
 *     vqr show              print the indicators loaded for the school
 *     vqr status            the last batches and what is quarantined
 *     vqr db start|stop|status   manage the embedded PostgreSQL cluster
 *     vqr region add|status|remove   a regional database (pipeline/region.h)
 *     vqr report            the quality report's tables (pipeline/report.h)
 *
 * `vqr run` takes a lock (a lock file in the staging directory and an
 * advisory lock in the database), lists the inbox, and for each file:
 * skips it when its sha256 is already loaded (moving it to the archive),
 * quarantines it when no source recognises it or it cannot be read, and
 * otherwise runs the three stage programs (vqr-extract, vqr-transform,
 * vqr-load) on it in a staging directory of its own, then archives it.
 * Extract and transform overlap: vqr-transform --follow starts beside
 * vqr-extract and reads the canonical rows while they are written, so
 * the two use both cores; the staged files are the same as when the
 * stages run one after the other.
 * The stage programs are found beside this executable, else on PATH.
 *
 * This file parses the options and dispatches the command through the
 * table below; each command's code is in pipeline/cmd_*.c (cmd.h), a
 * file's steps in pipeline/runfile.c.
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "lib/util/cli.h"
#include "lib/util/log.h"
#include "pipeline/cmd.h"
#include "pipeline/runfile.h"

/* A command of the driver: its name, its function, what it takes and its
 * lines of the help's command list. */
typedef struct command {
	const char *name;       /* as typed after the options */
	cmd_fn *fn;             /* does it, returns an exit code */
	int nargs;              /* arguments after the name: 0, 1 (exactly), or -1 (any, the command checks) */
	const char *args_error; /* nargs 1: what to say when they are not one ("too many arguments" else) */
	int nocfg;              /* may go without a deployment file when --database names the database */
	const char *usage;      /* the help's line(s), each after two spaces */
} command;

static const command commands[] = {
	{ "init", cmd_init, 0, NULL, 1, "init              create or upgrade the vqr schema (safe to run again)" },
	{ "run", cmd_run, 0, NULL, 0, "run               process the inbox: extract, transform, load each new file" },
	{ "show", cmd_show, 0, NULL, 0, "show              print the indicators loaded for the school" },
	{ "status", cmd_status, 0, NULL, 0, "status            the last batches, open findings, what is quarantined" },
	{ "revert", cmd_revert, 1, "vqr revert needs a batch number", 0,
	  "revert BATCH      restore the slices of a batch as they were before it" },
	{ "reprocess", cmd_reprocess, -1, NULL, 0,
	  "reprocess [FILE]...  compute loaded files' slices again with the current\n"
	  "                    catalog, from the archived exports (chosen by name and/or\n"
	  "                    --all, --stale, --source, --year)" },
	{ "db", cmd_db, -1, NULL, 0,
	  "db start|stop|status  manage the embedded PostgreSQL cluster\n"
	  "  db login NAME     create an analyst's read-only login (role vqr_analyst), or\n"
	  "                    give it a new password; asked on the terminal, or read\n"
	  "                    from standard input with --password-stdin" },
	{ "region", cmd_region, -1, NULL, 1,
	  "region add NAME CONNINFO  at a regional database: subscribe to a college\n"
	  "  region status     at a regional database: each college's replication and data\n"
	  "  region remove NAME  at a regional database: drop a college and its data" },
	{ "report", cmd_report, 0, NULL, 1,
	  "report            print the quality report's tables (表1-1 ... 5.5) from the database" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqr [OPTION]... COMMAND\n"
		"Load smart-campus exports of a technician college into PostgreSQL as\n"
		"quality-report indicators.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -c, --config FILE      deployment configuration (default: $VQR_CONFIG,\n"
		"                         ./vqr.yaml, /etc/vqr/vqr.yaml)\n"
		"  -d, --database CONN    libpq conninfo, URI or service name (default: the\n"
		"                         configuration's database, else the embedded cluster)\n"
		"  -y, --year PERIOD      show: the period, e.g. 2022-2023 or 2022 (default: the\n"
		"                         latest academic year, with its fiscal year and\n"
		"                         snapshot); reprocess: the slices of this period\n"
		"  -a, --all              show: every breakdown, not only school totals;\n"
		"                         reprocess: every current slice\n"
		"      --stale            reprocess: the slices computed with another catalog\n"
		"      --source SOURCE    reprocess: the slices of this source\n"
		"      --school CODE      report: the school (default: the configuration's)\n"
		"      --format FMT       report: text (aligned, default), markdown, csv, html\n"
		"                         (one self-contained page with charts) or xlsx\n"
		"  -o, --output FILE      report: write to FILE (replaced once complete), not to\n"
		"                         standard output; xlsx needs it\n"
		"      --bom              report --format csv: begin with a UTF-8 byte-order mark\n"
		"                         (as a file written with -o always does)\n"
		"      --layout FILE      report: the tables' layout (default: report/quality_report.yaml\n"
		"                         beside the configuration, else the installed one)\n"
		"      --table ID         report: only this table (e.g. 1-2)\n"
		"  -o, --output FILE      report: write to FILE (complete or not at all), not stdout\n"
		"  -n, --dry-run          run, reprocess, revert: do it all, report what would\n"
		"                         change, roll back, move nothing\n"
		"  -j, --summary-json FILE  run: write a summary of the run as JSON (monitoring)\n"
		"      --accept-shrink FILE  run: load FILE (a base name in the inbox) although it\n"
		"                         shrinks its slice by more than the source's max_shrink\n"
		"                         (so does a marker FILE.accept-shrink beside it)\n"
		"      --publish          init: publish this college's indicators to a region\n"
		"      --id-block N       init --publish: number ids in block N (1..999999)\n"
		"      --region           init: make this database the regional database;\n"
		"                         report: the schools of the database side by side, with\n"
		"                         the region's figures (rates: ratio of sums)\n"
		"      --password-stdin   db login: read the password from standard input's\n"
		"                         first line instead of asking on the terminal\n"
		"  -v, --verbose          say what is done\n"
		"  -L, --log FILE         also append every message to FILE\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n" LOG_EXIT_CODES_HELP);
}
/* The command named name, or NULL. */
static const command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* An option of vqr's own into ctx (opts); cli_parse's own function. */
static int own_option(int ch, const char *arg, void *ctx)
{
	opts *o = ctx;

	switch (ch) {
	case 'd': o->database = arg; break;
	case 'y': o->year = arg; break;
	case 'a': o->all = 1; break;
	case 1001: o->school = arg; break;
	case 1002: o->format = arg; break;
	case 1003: o->layout = arg; break;
	case 1004: o->table = arg; break;
	case 'o': o->output = arg; break;
	case 1008: o->bom = 1; break;
	case 'n': o->dry_run = 1; break;
	case 'j': o->summary_json = arg; break;
	case 1005:
		if (o->naccept == (int)(sizeof o->accept / sizeof o->accept[0])) {
			log_error("--accept-shrink: at most %zu files", sizeof o->accept / sizeof o->accept[0]);
			return EXIT_USAGE;
		}
		o->accept[o->naccept++] = cli_basename(arg);
		break;
	case 1006: o->stale = 1; break;
	case 1007: o->source = arg; break;
	case 1010: o->password_stdin = 1; break;
	case 'P': o->ro.publish = 1; break;
	case 'R': o->ro.region = 1; break;
	case 'B':
		o->ro.id_block = atoi(arg);
		if (o->ro.id_block < 1 || o->ro.id_block > 999999 || strspn(arg, "0123456789") != strlen(arg)) {
			log_error("--id-block %s: a number from 1 to 999999", arg);
			return EXIT_USAGE;
		}
		break;
	default:
		return CLI_NOT_MINE;
	}
	return CLI_GO_ON;
}

/* The options into o.  -1 to go on, or an exit code (help, version, a
 * wrong option). */
static int parse_options(int argc, char **argv, opts *o)
{
	static const cli_parser parser = { "vqr", usage, "d:y:anj:o:", own_option, NULL, {
		{ "database", required_argument, NULL, 'd' },
		{ "year", required_argument, NULL, 'y' },
		{ "all", no_argument, NULL, 'a' },
		{ "school", required_argument, NULL, 1001 },
		{ "format", required_argument, NULL, 1002 },
		{ "layout", required_argument, NULL, 1003 },
		{ "table", required_argument, NULL, 1004 },
		{ "output", required_argument, NULL, 'o' },
		{ "bom", no_argument, NULL, 1008 },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "summary-json", required_argument, NULL, 'j' },
		{ "accept-shrink", required_argument, NULL, 1005 },
		{ "stale", no_argument, NULL, 1006 },
		{ "source", required_argument, NULL, 1007 },
		{ "password-stdin", no_argument, NULL, 1010 },
		{ "publish", no_argument, NULL, 'P' },
		{ "id-block", required_argument, NULL, 'B' },
		{ "region", no_argument, NULL, 'R' } } };
	int rc = cli_parse(argc, argv, &parser, o, &o->config);

	return rc == CLI_GO_ON ? -1 : rc;
}

/* The command named after the options, with the arguments it takes, into
 * *cmd.  -1 to go on, or EXIT_USAGE after saying why. */
static int choose_command(int argc, char **argv, const command **cmd)
{
	int nargs = argc - optind - 1;

	if (optind >= argc) {
		log_error("no command given");
		log_hint("try \"vqr --help\"");
		return EXIT_USAGE;
	}
	if (!(*cmd = find_command(argv[optind]))) {
		log_error("unknown command \"%s\"", argv[optind]);
		log_hint("try \"vqr --help\"");
		return EXIT_USAGE;
	}
	if ((*cmd)->nargs >= 0 && nargs != (*cmd)->nargs) {
		log_error("%s", (*cmd)->nargs == 1 ? (*cmd)->args_error : "too many arguments");
		log_hint("try \"vqr --help\"");
		return EXIT_USAGE;
	}
	optind++;
	return -1;
}

/* The deployment configuration at config into *c: NULL when the command
 * can go without one (a regional database, a report or the schema:
 * --database is enough) and there is none.  0, or EXIT_USAGE after
 * saying why (and, for vqr run --summary-json, writing a summary that
 * says so: monitoring must not read last night's summary as tonight's). */
static int load_config(const command *cmd, const opts *o, const char *config, cfg **c)
{
	char err[4096];

	*c = NULL;
	if ((cmd->nocfg || o->ro.region) && o->database && !o->config && access(config, F_OK) != 0)
		return 0;
	if ((*c = cfg_load(config, err, sizeof err)))
		return 0;
	log_error_text(err);
	if (cmd->fn == cmd_run && o->summary_json) {
		tally t = { 0 };
		char line[1024], e2[1024];
		runfile_first_line(line, sizeof line, err);
		if (run_summary_json(o->summary_json, NULL, &t, EXIT_USAGE, time(NULL), line, e2, sizeof e2) < 0)
			log_error_text(e2);
	}
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	opts o = { 0 };
	const command *cmd;
	const char *config;
	cfg *c;
	int rc;

	log_init("vqr");
	cli_init_process();
	setlocale(LC_CTYPE, "C.UTF-8");
	if ((rc = parse_options(argc, argv, &o)) >= 0 || (rc = choose_command(argc, argv, &cmd)) >= 0)
		return rc;
	o.ro.database = o.database;
	config = cli_config_path(o.config);
	if ((rc = load_config(cmd, &o, config, &c)))
		return rc;
	rc = cmd->fn(c, config, &o, argc - optind, argv + optind);
	cfg_free(c);
	return cli_finish_stdout(rc);
}
