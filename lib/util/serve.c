/*
 * serve.c - a stage program as a server of many jobs; see serve.h for the
 * protocol.
 */
#include "lib/util/serve.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "lib/util/str.h"

int serve_wanted(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], SERVE_OPTION) != 0)
		return 0;
	if (argc == 2 || (argc == 4 && strcmp(argv[2], "-c") == 0))
		return 1;
	log_error("%s takes no other option than -c FILE", SERVE_OPTION);
	log_hint("each job names its own options (see lib/util/serve.h)");
	return -1;
}

/* One request read from f: its context and argv (NULL-terminated), the
 * strings in one malloc'd block each.  1 read, 0 end of input before
 * one, -1 malformed (said on stderr). */
static int read_request(FILE *f, char **context, char ***argv, int *argc)
{
	char *s = NULL;
	size_t cap = 0, n = 0, vcap = 0;
	ssize_t k;

	*context = NULL;
	*argv = NULL;
	*argc = 0;
	if ((k = getdelim(&s, &cap, '\0', f)) < 0) {
		free(s);
		return 0;
	}
	*context = s;
	for (;;) {
		s = NULL;
		cap = 0;
		if ((k = getdelim(&s, &cap, '\0', f)) <= 0 || s[k - 1] != '\0') {
			free(s);
			log_error("%s: a request ended before its end (%zu arguments read)", SERVE_OPTION, n);
			return -1;
		}
		if (k == 1) {           /* the empty string: the end of argv */
			free(s);
			break;
		}
		xgrow((void **)argv, &vcap, n + 2, sizeof **argv);
		(*argv)[n++] = s;
		(*argv)[n] = NULL;
		*argc = (int)n;
	}
	if (!n) {
		log_error("%s: a request with no command line", SERVE_OPTION);
		return -1;
	}
	return 1;
}

/* For the tests of a server that dies in a job: the server kills itself
 * (SIGKILL) when VQR_TEST_SERVE_DIE names the program (log_progname)
 * and some argument of the job contains the text after its colon
 * ("vqr-extract:2022"). */
static void test_die(char **argv)
{
	const char *t = getenv("VQR_TEST_SERVE_DIE"), *colon = t ? strchr(t, ':') : NULL;
	size_t n = colon ? (size_t)(colon - t) : 0;

	if (!colon || strncmp(t, log_progname(), n) != 0 || log_progname()[n])
		return;
	for (size_t i = 0; argv[i]; i++)
		if (strstr(argv[i], colon + 1))
			raise(SIGKILL);
}

int serve_loop(serve_job job, void *ctx)
{
	int status = EXIT_OK;

	for (;;) {
		char *context, **argv;
		int argc, got = read_request(stdin, &context, &argv, &argc), rc;

		if (got <= 0) {
			free(context);
			strv_free(argv, (size_t)argc);
			return got < 0 ? EXIT_INTERNAL : status;
		}
		test_die(argv);
		log_adopt_context(context);
		log_set_verbose(0);     /* as a program started afresh: -v is per job */
		optind = 0;             /* getopt starts afresh (glibc) */
		rc = job(argc, argv, ctx);
		log_adopt_context(NULL);
		free(context);
		strv_free(argv, (size_t)argc);
		if (printf("%c%d\n", SERVE_MARK, rc) < 0 || fflush(stdout) == EOF || ferror(stdout)) {
			log_error("%s: cannot write the reply: %s", SERVE_OPTION, strerror(errno));
			return EXIT_INTERNAL;
		}
		if (rc == EXIT_INTERNAL)
			return rc;
	}
}

char *serve_request(const char *context, char *const argv[], size_t *len)
{
	str b = STR_INIT;

	str_add(&b, context ? context : "");
	str_addc(&b, '\0');
	for (size_t i = 0; argv[i]; i++) {
		str_add(&b, argv[i]);
		str_addc(&b, '\0');
	}
	str_addc(&b, '\0');
	*len = b.len;
	return str_steal(&b);
}

size_t serve_reply_feed(serve_reply *r, const char *buf, size_t len, void (*out)(const char *line, void *arg),
			void *arg)
{
	for (size_t i = 0; i < len; i++) {
		if (r->n + 1 < sizeof r->line)
			r->line[r->n++] = buf[i];
		if (buf[i] != '\n')
			continue;
		r->line[r->n] = '\0';
		if (r->line[0] == SERVE_MARK) {
			r->rc = atoi(r->line + 1);
			r->done = 1;
			r->n = 0;
			return i + 1;
		}
		if (out)
			out(r->line, arg);
		r->n = 0;
	}
	return len;
}

int serve_main(const char *prog, int argc, char **argv, serve_job job, void *ctx)
{
	int wanted;

	log_init(prog);
	cli_init_process();
	if ((wanted = serve_wanted(argc, argv)) < 0)
		return EXIT_USAGE;
	return wanted ? serve_loop(job, ctx) : job(argc, argv, ctx);
}
