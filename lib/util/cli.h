/*
 * cli.h - what every vqr program shares at its edges: the version, where
 * the configuration is found, clocks, and directory helpers.
 *
 * The program edge: cli_print_version, cli_finish_stdout, cli_std_option,
 * cli_parse and cli_one_operand return exit statuses for main (they are what main
 * calls directly); the other functions here return 0/-1 as lib/util/err.h
 * says.
 */
#ifndef VQR_CLI_H
#define VQR_CLI_H

#include <stddef.h>
#include <getopt.h>
#include <stdio.h>

#define VQR_VERSION "0.1.0"

/* The configuration file to use: opt when given, else $VQR_CONFIG, else
 * ./vqr.yaml, else /etc/vqr/vqr.yaml.  Returns a static or given string. */
const char *cli_config_path(const char *opt);

/* The directory of vqr's shipped data (config/: catalogs, report layouts;
 * sql/), wherever vqr was installed: $VQR_DATADIR when set; else
 * <dir of the program>/../share/vqr (an installed tree, whatever PREFIX);
 * else <dir of the program>/../.. when that is the source tree (build/bin);
 * else the directory fixed at build time.  The first that holds config/
 * wins.  A static string. */
const char *cli_datadir(void);

/* Set up what every program needs before its work: writes past a file
 * size limit (ulimit -f) fail with EFBIG and a message, instead of
 * killing the process with SIGXFSZ; and umask 077, so that every file
 * and directory the program creates is its owner's alone (0600, 0700). */
void cli_init_process(void);

/* Milliseconds of a monotonic clock. */
long long cli_ms(void);

/* Is path (itself, not what a symbolic link points to) other than a
 * regular file?  0 when it is a regular file; 1 when it is not, with
 * "path: not a regular file (a symbolic link)" and a hint in err; -1 with
 * err when it cannot be looked at.  Never opens path. */
int cli_not_regular(const char *path, char *err, size_t errlen);

/* Open an input file for reading: a regular file only, never through a
 * symbolic link (O_NOFOLLOW), and without blocking on a FIFO or device
 * (such a file is refused after opening it non-blocking, before any
 * read).  The descriptor (close-on-exec; the caller closes it), or -1
 * with "path: reason" in err. */
int cli_open_input(const char *path, char *err, size_t errlen);

/* mkdir -p with mode 0700 (existing directories are fine).  0, or -1 with
 * "path: reason" in err. */
int cli_mkdirs(const char *path, char *err, size_t errlen);

/* The part of path after the last '/'. */
const char *cli_basename(const char *path);

/* ---- the program edge: these return exit statuses for main ---- */

/* Print "prog VERSION" on stdout; returns the exit status for main (5 when
 * stdout cannot be written). */
int cli_print_version(const char *prog);

/* Flush and check stdout before exiting: a truncated output must fail the
 * program.  Returns status, or EXIT_INTERNAL after printing an error. */
int cli_finish_stdout(int status);

/* The most long options of a program's own (cli_parser). */
#define CLI_MAX_OWN 24

/* Returned by cli_std_option and a program's own-option function. */
enum { CLI_NOT_MINE = -1, CLI_GO_ON = -2 };

/* Handle, inside a getopt_long loop, the options every program shares:
 * -c FILE (the configuration into *config; arg is optarg), -v (verbose),
 * -L FILE (also log to FILE), -h (usage on stdout), -V (version) and
 * unknown options.
 * Returns CLI_NOT_MINE for the caller's own options, CLI_GO_ON to keep
 * parsing, or an exit status for main to return. */
int cli_std_option(int ch, const char *arg, const char *prog, void (*usage)(FILE *), const char **config);

/* What cli_parse needs of a program (a static table of main's). */
typedef struct cli_parser {
	const char *prog;                               /* the program's name, e.g. "vqr-load" */
	void (*usage)(FILE *);                          /* prints the --help text on f */
	const char *shortopts;                          /* its own short options (getopt's string) */
	int (*own)(int ch, const char *arg, void *ctx); /* its option ch: CLI_GO_ON, CLI_NOT_MINE or an exit status */
	const char *operand;                            /* exactly one operand, this ("input file"); NULL: any */
	struct option longopts[CLI_MAX_OWN + 1];        /* its own long options, ended by a zeroed entry */
} cli_parser;

/* Parse argv's options with getopt_long: the program's own through
 * p->own (given ctx), the shared ones (--config, --verbose, --log,
 * --help, --version and their letters, added here) by cli_std_option (-c into *config,
 * which is not resolved: see cli_config_path); then check the operand
 * (p->operand).  CLI_GO_ON with optind at the first operand, or an exit
 * status for main after saying what is wrong (or printing help/version). */
int cli_parse(int argc, char **argv, const cli_parser *p, void *ctx, const char **config);

/* Require exactly one operand (what: e.g. "input file") after the
 * options.  0, or EXIT_USAGE after saying what is wrong. */
int cli_one_operand(int argc, char **argv, int optind, const char *prog, const char *what);

#endif
