/*
 * test_stage_open.c - stage_open's library convention (lib/staging/stage):
 * a directory without a manifest fails -1 with the hint in err, a file
 * that failed at extract fails -2 with its reason; and cli_parse
 * (lib/util/cli) hands a program its own options, the configuration and
 * the one operand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "tests/unit/tap.h"

/* The own option -s of the test program, into ctx (a const char *). */
static int own(int ch, const char *arg, void *ctx)
{
	if (ch != 's')
		return CLI_NOT_MINE;
	*(const char **)ctx = arg;
	return CLI_GO_ON;
}

static void no_usage(FILE *f)
{
	(void)f;
}

static void test_parse(void)
{
	static const cli_parser p = { "test", no_usage, "s:", own, "input file", {
		{ "source", required_argument, NULL, 's' } } };
	char *argv[] = { "test", "--config", "x.yaml", "-s", "S", "-v", "in.csv", NULL };
	const char *config = NULL, *source = NULL;

	optind = 1;
	ok(cli_parse(7, argv, &p, &source, &config) == CLI_GO_ON, "cli_parse goes on");
	is_str(config, "x.yaml", "--config");
	is_str(source, "S", "own -s");
	is_str(argv[optind], "in.csv", "the operand");
}

int main(void)
{
	char dir[] = "/tmp/test_stage_open.XXXXXX", err[ERR_MAX], *path, *want;
	const struct cfg_source *s = NULL;
	manifest m = { 0 };
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	ok(stage_open(dir, NULL, "vqr.yaml", &m, &s, err, sizeof err) == -1, "no manifest: -1");
	want = xasprintf("\nhint: is %s a staging directory written by vqr-extract?", dir);
	ok(strstr(err, want) != NULL, "no manifest: the hint in err");
	free(want);
	manifest_clear(&m);
	memset(&m, 0, sizeof m);
	path = stage_path(dir, STAGE_MANIFEST);
	f = fopen(path, "w");
	fputs("status: failed\nreason: bad thing\n", f);
	fclose(f);
	ok(stage_open(dir, NULL, "vqr.yaml", &m, &s, err, sizeof err) == -2, "failed at extract: -2");
	ok(m.status == MANIFEST_FAILED, "failed at extract: status failed");
	want = xasprintf("%s: the file failed at extract: bad thing", dir);
	is_str(err, want, "failed at extract: the reason");
	free(want);
	manifest_clear(&m);
	unlink(path);
	free(path);
	rmdir(dir);
	test_parse();
	return tap_done();
}
