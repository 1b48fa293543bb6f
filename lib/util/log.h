/*
 * log.h - the one logging module of vqr's programs.
 *
 * Messages go to stderr in the style of PostgreSQL's frontend programs:
 *
 *     vqr-extract: error: inbox/a.csv:12:7: salary: "abc" is not a number
 *     vqr-extract: detail: column 起薪(元/月), rule decimal
 *     vqr-extract: hint: fix the cell or add it to the source's null values
 *
 * Data goes to stdout or to files, never through this module.  Call
 * log_init() first in main().  Nothing here exits the process: only main
 * decides the exit status, with the codes below (documented in every
 * program's --help and in README.md).
 */
#ifndef VQR_LOG_H
#define VQR_LOG_H

#include <stdarg.h>
#include <stddef.h>

/* Exit codes shared by every vqr program. */
enum {
	EXIT_OK = 0,        /* success */
	EXIT_USAGE = 1,     /* usage or configuration error */
	EXIT_REJECTED = 2,  /* input data rejected (some rows or files) */
	EXIT_DB = 3,        /* database error */
	EXIT_LOCKED = 4,    /* another run holds the lock */
	EXIT_INTERNAL = 5,  /* internal error (I/O, out of memory, bug) */
	EXIT_STALE = 6      /* vqr region status: a college is stale or its subscription is down */
};

/* The text block every --help prints for the exit codes above. */
#define LOG_EXIT_CODES_HELP \
	"Exit status:\n" \
	"  0  success\n" \
	"  1  usage or configuration error\n" \
	"  2  input data rejected (some rows or files; see the rejects)\n" \
	"  3  database error\n" \
	"  4  another run holds the lock\n" \
	"  5  internal error (I/O, out of memory)\n" \
	"  6  vqr region status: a college is stale or not replicating\n"

/* Set the program name printed before every message (not copied: pass a
 * string that lives as long as the program, such as a literal), and
 * open the log named by VQR_LOG, if any (see log_open_file). */
void log_init(const char *progname);

/* Name the batch and the file that the following messages are about:
 * every line of the log file then carries "batch=LABEL file=NAME" after
 * its time (NULL or "" leaves one out; both NULL: none).  Passed on to the
 * programs this one starts (VQR_LOG_CONTEXT), so a stage's lines carry
 * them too. */
void log_set_context(const char *batch, const char *file);

/* Take text (what log_set_context made in the program that started this
 * one: "batch=LABEL file=NAME ", or "" for none) as the context of the
 * following messages, as log_init takes VQR_LOG_CONTEXT; a stage server
 * (serve.h) does for each job.  text is copied (cut at 639 bytes). */
void log_adopt_context(const char *text);

/* The context of the following messages ("" none): a static string,
 * changed by log_set_context and log_adopt_context. */
const char *log_context(void);

/* Print info messages (log_info) on stderr only when verbose is non-zero;
 * the log file (log_open_file, VQR_LOG) gets them always. */
void log_set_verbose(int verbose);
int log_verbose(void);

/* "prog: error: ..." on stderr. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: warning: ..." on stderr. */
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: detail: ..." after an error or warning. */
void log_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: hint: ..." after an error or warning. */
void log_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: ..." on stderr, only in verbose mode. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: ..." on stderr, always (for summaries the user asked for). */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a possibly multi-line message as an error: the first line with
 * "error:", later lines that start with "detail: " or "hint: " with those
 * labels, other lines as details. */
void log_error_text(const char *text);

/* Also append every message, with a timestamp and the process id, to
 * the file at path (created if missing, 0600; O_APPEND, so several
 * processes may share it).  The path is put in the environment as
 * VQR_LOG, which log_init of the programs started from here opens too:
 * the stages' messages reach the same log.  0, or -1 with "path: reason"
 * in err. */
int log_open_file(const char *path, char *err, size_t errlen);

/* A progress line, updated in place, may stand on the terminal (stderr):
 * every message clears it first, in this program and (through
 * VQR_PROGRESS_LINE) in the programs it starts.  Nothing when stderr is
 * not a terminal. */
void log_progress_line(void);

/* The program name given to log_init. */
const char *log_progname(void);

#endif
