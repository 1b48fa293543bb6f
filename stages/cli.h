/*
 * cli.h - what every vqr program shares at its edges: the version, where
 * the configuration is found, clocks, and directory helpers.
 */
#ifndef VQR_CLI_H
#define VQR_CLI_H

#include <stddef.h>

#define VQR_VERSION "0.1.0"

/* The configuration file to use: opt when given, else $VQR_CONFIG, else
 * ./vqr.yaml, else /etc/vqr/vqr.yaml.  Returns a static or given string. */
const char *cli_config_path(const char *opt);

/* Milliseconds of a monotonic clock. */
long long cli_ms(void);

/* mkdir -p with mode 0755 (existing directories are fine).  0, or -1 with
 * "path: reason" in err. */
int cli_mkdirs(const char *path, char *err, size_t errlen);

/* The part of path after the last '/'. */
const char *cli_basename(const char *path);

/* Print "prog VERSION" on stdout; returns the exit status for main (5 when
 * stdout cannot be written). */
int cli_print_version(const char *prog);

/* Flush and check stdout before exiting: a truncated output must fail the
 * program.  Returns status, or EXIT_INTERNAL after printing an error. */
int cli_finish_stdout(int status);

#endif
