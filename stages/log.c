/*
 * log.c - error/detail/hint messages on stderr; see log.h.
 */
#include "log.h"

#include <stdio.h>
#include <string.h>

static const char *progname = "vqr";
static int verbose;

void log_init(const char *name) { progname = name; }
void log_set_verbose(int v) { verbose = v; }
int log_verbose(void) { return verbose; }
const char *log_progname(void) { return progname; }

static void emit(const char *level, const char *fmt, va_list ap)
{
	if (level)
		fprintf(stderr, "%s: %s: ", progname, level);
	else
		fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define DEFINE_LOG(fn, level, cond)                 \
	void fn(const char *fmt, ...)               \
	{                                           \
		va_list ap;                         \
		if (!(cond))                        \
			return;                     \
		va_start(ap, fmt);                  \
		emit(level, fmt, ap);               \
		va_end(ap);                         \
	}

DEFINE_LOG(log_error, "error", 1)
DEFINE_LOG(log_warning, "warning", 1)
DEFINE_LOG(log_detail, "detail", 1)
DEFINE_LOG(log_hint, "hint", 1)
DEFINE_LOG(log_info, NULL, verbose)
DEFINE_LOG(log_notice, NULL, 1)

void log_error_text(const char *text)
{
	const char *p = text;
	int first = 1;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (first)
			fprintf(stderr, "%s: error: %.*s\n", progname, len, p);
		else if (strncmp(p, "detail: ", 8) == 0 || strncmp(p, "hint: ", 6) == 0)
			fprintf(stderr, "%s: %.*s\n", progname, len, p);
		else
			fprintf(stderr, "%s: detail: %.*s\n", progname, len, p);
		first = 0;
		p += len;
		if (*p == '\n')
			p++;
	}
}
