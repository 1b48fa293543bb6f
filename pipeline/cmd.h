/*
 * cmd.h - the driver's commands (vqr run, status, init, show, reprocess,
 * revert, db, region, report), each a function that pipeline/vqr.c's
 * command table calls with the parsed options, and what they share.
 * A command says what went wrong (log.h) and returns an exit code
 * (EXIT_*, lib/util/log.h).
 */
#ifndef VQR_CMD_H
#define VQR_CMD_H

#include <stddef.h>
#include <time.h>

#include "lib/catalog/cfg.h"
#include "lib/db/db.h"
#include "pipeline/region.h"
#include "pipeline/runfile.h"

/* The options of the command line, as main parses them. */
typedef struct opts {
	const char *config;     /* --config */
	const char *database;   /* --database */
	const char *year;       /* --year (show) */
	const char *summary_json; /* --summary-json FILE (run) */
	int dry_run;            /* --dry-run (run) */
	int all;                /* --all (show): every breakdown */
	region_init_opts ro;    /* --publish, --id-block, --region (init) */
	const char *school;     /* --school (report) */
	const char *format;     /* --format (report): text, markdown, csv, xlsx */
	const char *layout;     /* --layout FILE (report) */
	const char *table;      /* --table ID (report) */
	const char *output;     /* -o, --output FILE (report) */
	int bom;                /* --bom (report): a byte-order mark on standard output too */
	const char *accept[64]; /* --accept-shrink FILE (run): base names (naccept) */
	int naccept;            /* entries of accept */
	int stale;              /* --stale (reprocess): the slices computed with another catalog */
	const char *source;     /* --source SOURCE (reprocess) */
	int password_stdin;     /* --password-stdin (db login): the password is standard input's first line */
} opts;

/* A command: c the configuration (NULL for the commands that can go
 * without one), config its path, o the options, argv the arguments after
 * the command's name (argc of them).  An exit code. */
typedef int cmd_fn(const cfg *c, const char *config, const opts *o, int argc, char **argv);

cmd_fn cmd_init;      /* cmd_admin.c: create or upgrade the schema */
cmd_fn cmd_db;        /* cmd_admin.c: db start|stop|status */
cmd_fn cmd_region;    /* cmd_admin.c: region add|status|remove */
cmd_fn cmd_report;    /* cmd_admin.c: the quality report's tables */
cmd_fn cmd_run;       /* cmd_run.c: process the inbox */
cmd_fn cmd_reprocess; /* cmd_reprocess.c: compute loaded files' slices again */
cmd_fn cmd_revert;    /* cmd_reprocess.c: restore the slices of a batch */
cmd_fn cmd_show;      /* cmd_show.c: the indicators loaded for the school */
cmd_fn cmd_status;    /* cmd_status.c: the last batches, findings, quarantine, inbox */

/* vqr db login NAME (cmd_login.c): create the analyst login name (a
 * LOGIN role in vqr_analyst, read only) or give it a new password, read
 * from the terminal or, with o->password_stdin, from standard input.  An
 * exit code. */
int cmd_db_login(const cfg *c, const opts *o, const char *name);

/* Open the database of c (or --database) into d, saying where; with
 * need_schema, check that the schema is vqr's latest.  0, or an exit
 * code after saying why (d to be closed by the caller all the same). */
int cmd_open_db(db *d, const cfg *c, const opts *o, int need_schema);

/* db_query on d for a command: the result (the caller clears it), or NULL
 * after saying why as an error. */
PGresult *cmd_query(db *d, const char *sql, int nparams, const char *const *params);

/* The locks of a run (or a reprocess): the staging directory's (*lockfd)
 * and, on the database opened into d, the school's.  0, or an exit code
 * after saying why (d and *lockfd to be closed by the caller all the
 * same). */
int run_locks(const cfg *c, const opts *o, int *lockfd, db *d);

/* The run's summary as JSON at path, for monitoring (written atomically):
 * c's school (c may be NULL), t's counts and files, the exit status, the
 * times, and error (NULL, or why the run could not start).  0, or -1
 * with err. */
int run_summary_json(const char *path, const cfg *c, const tally *t, int status, time_t started,
		     const char *error, char *err, size_t errlen);

/* The configured sources and the sha256 of the catalog that computes each
 * (cfg_catalog_sha256), as two text[] literals (*codes, *shas, malloc'd,
 * the caller frees both).  0, or -1 with err set. */
int catalog_arrays(const cfg *c, char **codes, char **shas, char *err, size_t errlen);

/* The current slices of c's school (source, period, the batch that last
 * computed it) whose batch was computed with another catalog than the
 * configured one; $1 school, $2 source codes, $3 their catalog sha256s
 * (catalog_arrays), $4 a source or NULL, $5 a period or NULL. */
#define STALE_SLICES_SQL \
	"SELECT v.source_code, v.period, v.batch_id FROM (SELECT source_code, period, max(batch_id) AS batch_id " \
	"  FROM vqr.indicator_value WHERE school_code = $1 AND source_code <> 'derived' GROUP BY 1, 2) v " \
	"JOIN vqr.batch b USING (batch_id) JOIN unnest($2::text[], $3::text[]) AS cur(source_code, sha) " \
	"  USING (source_code) " \
	"WHERE b.catalog_sha256 IS DISTINCT FROM cur.sha AND ($4::text IS NULL OR v.source_code = $4) " \
	"AND ($5::text IS NULL OR v.period = $5) "

#endif
