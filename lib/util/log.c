/*
 * log.c - error/detail/hint messages on stderr; see log.h.
 */
#include "lib/util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/util/err.h"

static const char *progname = "vqr";
static int verbose;
static FILE *logfile;           /* --log FILE, or NULL */
static int clear_line;          /* a progress line may be on the terminal: clear it first */
static char context[640];       /* "batch=LABEL file=NAME " in the log's lines, or "" */

static int open_log(const char *path, int warn, char *err, size_t errlen);

void log_init(const char *name)
{
	const char *inherited = getenv("VQR_LOG");
	char err[ERR_MAX];

	progname = name;
	clear_line = getenv("VQR_PROGRESS_LINE") && isatty(STDERR_FILENO);
	/* a stage started by vqr run --log writes to the same log */
	if (inherited && *inherited && open_log(inherited, 0, err, sizeof err) < 0)
		fprintf(stderr, "%s: warning: VQR_LOG=%s\n", progname, err);
	inherited = getenv("VQR_LOG_CONTEXT");
	snprintf(context, sizeof context, "%s", inherited ? inherited : "");
}

/* Append "key=value " to context, with white space and control bytes of
 * value as '_' (a log line stays one line and splits on blanks). */
static void context_add(size_t *n, const char *key, const char *value)
{
	int k = snprintf(context + *n, sizeof context - *n, "%s=", key);

	if (k < 0 || (size_t)k >= sizeof context - *n)
		return;
	*n += (size_t)k;
	for (const unsigned char *p = (const unsigned char *)value; *p && *n + 2 < sizeof context; p++)
		context[(*n)++] = *p <= ' ' || *p == 0x7f ? '_' : (char)*p;
	context[(*n)++] = ' ';
	context[*n] = '\0';
}

void log_set_context(const char *batch, const char *file)
{
	size_t n = 0;

	context[0] = '\0';
	if (batch && *batch)
		context_add(&n, "batch", batch);
	if (file && *file)
		context_add(&n, "file", file);
	if (n)
		setenv("VQR_LOG_CONTEXT", context, 1);
	else
		unsetenv("VQR_LOG_CONTEXT");
}

void log_adopt_context(const char *text)
{
	snprintf(context, sizeof context, "%s", text ? text : "");
}

const char *log_context(void) { return context; }
void log_set_verbose(int v) { verbose = v; }
int log_verbose(void) { return verbose; }
const char *log_progname(void) { return progname; }

static void stamp(FILE *f)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(f, "%s [%ld] %s", ts, (long)getpid(), context);
}

/* "prog: level: message\n" (or "prog: message\n" without a level) on f. */
static void emit_to(FILE *f, const char *level, const char *fmt, va_list ap)
{
	if (level)
		fprintf(f, "%s: %s: ", progname, level);
	else
		fprintf(f, "%s: ", progname);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

/* A message on stderr (unless quiet) and, stamped with its level, in the
 * log file (a message without a level is "info" there). */
static void emit(const char *level, int quiet, const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	if (!quiet) {
		if (clear_line)
			fputs("\r\033[K", stderr);
		emit_to(stderr, level, fmt, ap);
	}
	if (logfile) {
		stamp(logfile);
		emit_to(logfile, level ? level : "info", fmt, ap2);
		fflush(logfile);
	}
	va_end(ap2);
}

void log_progress_line(void)
{
	clear_line = isatty(STDERR_FILENO);
	if (clear_line)
		setenv("VQR_PROGRESS_LINE", "1", 1);
}

int log_open_file(const char *path, char *err, size_t errlen)
{
	return open_log(path, 1, err, errlen);
}

/* Open the log at path (closing one opened before) and name it in
 * VQR_LOG for the programs this one starts; warn: say when others may
 * read it.  0, or -1 with err set. */
static int open_log(const char *path, int warn, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	struct stat st;

	if (logfile) {
		fclose(logfile);
		logfile = NULL;
	}
	if (fd < 0 || !(logfile = fdopen(fd, "a"))) {
		err_set(err, errlen, "%s: cannot open the log: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (setenv("VQR_LOG", path, 1) < 0) {
		err_set(err, errlen, "%s: cannot pass the log on: %s", path, strerror(errno));
		fclose(logfile);
		logfile = NULL;
		return -1;
	}
	setvbuf(logfile, NULL, _IOLBF, 0);
	/* An existing log the operator made readable by others is theirs to
	 * change: said, not changed. */
	if (warn && fstat(fd, &st) == 0 && (st.st_mode & 077)) {
		log_warning("%s: the log is readable or writable by others (mode %04o)", path,
			    (unsigned)(st.st_mode & 07777));
		log_hint("chmod 600 %s", path);
	}
	return 0;
}

/* quiet: not on stderr (the log file, if any, gets every message) */
#define DEFINE_LOG(fn, level, quiet)                \
	void fn(const char *fmt, ...)               \
	{                                           \
		va_list ap;                         \
		if ((quiet) && !logfile)            \
			return;                     \
		va_start(ap, fmt);                  \
		emit(level, quiet, fmt, ap);        \
		va_end(ap);                         \
	}

DEFINE_LOG(log_error, "error", 0)
DEFINE_LOG(log_warning, "warning", 0)
DEFINE_LOG(log_detail, "detail", 0)
DEFINE_LOG(log_hint, "hint", 0)
DEFINE_LOG(log_info, NULL, !verbose)
DEFINE_LOG(log_notice, NULL, 0)

static void line_out(const char *fmt, const char *label, int len, const char *p)
{
	if (clear_line)
		fputs("\r\033[K", stderr);
	fprintf(stderr, fmt, progname, label, len, p);
	if (logfile) {
		stamp(logfile);
		fprintf(logfile, fmt, progname, label, len, p);
		fflush(logfile);
	}
}

void log_error_text(const char *text)
{
	const char *p = text;
	int first = 1;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (first)
			line_out("%s: %s%.*s\n", "error: ", len, p);
		else if (strncmp(p, "detail: ", 8) == 0 || strncmp(p, "hint: ", 6) == 0)
			line_out("%s: %s%.*s\n", "", len, p);
		else
			line_out("%s: %s%.*s\n", "detail: ", len, p);
		first = 0;
		p += len;
		if (*p == '\n')
			p++;
	}
}
