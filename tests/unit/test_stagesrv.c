/*
 * test_stagesrv.c - unit tests of the driver's side of a stage server
 * (pipeline/stagesrv.c) against stand-in servers: shell scripts in a
 * VQR_LIBEXEC_DIR of their own that read a request and answer it as a
 * stage program's --serve would (serve.h: the job's stdout, then RS and
 * the exit status).  Each job's status reaches the caller, that of a job
 * after which the server ends (exit 5) included, as does its output.
 */
#include "pipeline/stagesrv.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/vqr-stagesrv-XXXXXX";

/* A stand-in server named name: for each request (read to its end, the
 * two NUL bytes of serve_request, so that it answers each request once
 * however the bytes arrive) it prints "line N" and the status of the
 * list statuses in turn, and ends after a 5. */
static void server(const char *name, const char *statuses)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return;
	fprintf(f, "#!/bin/sh\n"
		   "request() {\n"
		   "\tp=x\n"
		   "\twhile c=$(dd bs=1 count=1 2>/dev/null | od -An -tx1 | tr -d ' \\n') && [ -n \"$c\" ]; do\n"
		   "\t\t[ \"$p$c\" = 0000 ] && return 0\n"
		   "\t\tp=$c\n"
		   "\tdone\n"
		   "\treturn 1\n"
		   "}\n"
		   "n=0\n"
		   "for s in %s; do\n"
		   "\trequest || exit 0\n"
		   "\tn=$((n + 1))\n"
		   "\tprintf 'line %%d\\n\\036%%d\\n' \"$n\" \"$s\"\n"
		   "\t[ \"$s\" = 5 ] && exit 5\n"
		   "done\n"
		   "exit 0\n", statuses);
	fclose(f);
	chmod(path, 0755);
}

static void test_statuses(void)
{
	char *argv[] = { (char *)"vqr-fake", (char *)"x", NULL };
	char out[256], err[512] = "";
	stagesrv s;

	server("vqr-fake", "0 2 5 0");
	stagesrv_init(&s, "vqr-fake", "/nonexistent.yaml");
	is_int(stagesrv_run(&s, argv, out, sizeof out, err, sizeof err), 0, "a job's status 0 %s", err);
	is_str(out, "line 1\n", "  and its output");
	is_int(stagesrv_run(&s, argv, out, sizeof out, err, sizeof err), 2, "the next job's status 2 on the same server");
	is_str(out, "line 2\n", "  and its output");
	is_int(stagesrv_run(&s, argv, out, sizeof out, err, sizeof err), 5,
	       "a job that fails inside: status 5, not the reply the server's end forgets");
	is_str(out, "line 3\n", "  and its output");
	is_int(stagesrv_run(&s, argv, out, sizeof out, err, sizeof err), 0,
	       "the next job starts a new server: status 0 %s", err);
	is_str(out, "line 1\n", "  the new server's first line");
	stagesrv_close(&s);
}

int main(void)
{
	char path[256];

	if (!mkdtemp(dir)) {
		ok(0, "a temporary directory");
		return tap_done();
	}
	setenv("VQR_LIBEXEC_DIR", dir, 1);
	test_statuses();
	snprintf(path, sizeof path, "%s/vqr-fake", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
