/*
 * test_runfile.c - unit tests of the pure steps of `vqr run`'s files
 * (pipeline/runfile.c): the file's fate from vqr-load's exit status and
 * result line, the batch label, the stages' argument lists, shrink
 * acceptance (names and markers), a supplement's periods, the held
 * reason.
 */
#include "pipeline/runfile.h"
#include "pipeline/runparts.h"
#include "lib/util/log.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* argv joined by spaces, NULL shown as "|" and ending the list. */
static const char *joined(char **argv)
{
	static char buf[1024];
	buf[0] = '\0';
	for (int i = 0; argv[i]; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? " " : "", argv[i]);
	return buf;
}

static void test_outcome(void)
{
	stage_result lr = { 0 };

	lr.batch_id = 7;
	lr.outcome = STAGE_HELD;
	ok(runfile_load_outcome(EXIT_REJECTED, &lr, 0) == RUNFILE_HELD, "exit 2 with held: held back");
	lr.outcome = STAGE_BLOCKED;
	ok(runfile_load_outcome(EXIT_REJECTED, &lr, 0) == RUNFILE_BLOCKED, "exit 2 with blocked: blocked");
	lr.batch_id = 0;
	ok(runfile_load_outcome(EXIT_REJECTED, &lr, 0) == RUNFILE_FAILED, "blocked without a batch: failed");
	lr.batch_id = 7;
	lr.outcome = STAGE_LOADED;
	ok(runfile_load_outcome(EXIT_REJECTED, &lr, 0) == RUNFILE_FAILED, "exit 2 with loaded: failed");
	ok(runfile_load_outcome(EXIT_DB, &lr, 0) == RUNFILE_FAILED, "exit 3: failed");
	ok(runfile_load_outcome(-1, &lr, 0) == RUNFILE_FAILED, "not run: failed");
	ok(runfile_load_outcome(EXIT_OK, &lr, 0) == RUNFILE_LOADED, "exit 0 loaded: loaded");
	lr.outcome = STAGE_SKIPPED;
	ok(runfile_load_outcome(EXIT_OK, &lr, 0) == RUNFILE_SKIPPED, "exit 0 skipped: already loaded");
	memset(&lr, 0, sizeof lr);
	ok(runfile_load_outcome(EXIT_OK, &lr, 1) == RUNFILE_WOULD_LOAD, "a dry run that passes: would load");
	ok(runfile_load_outcome(EXIT_REJECTED, &lr, 1) == RUNFILE_FAILED, "a dry run that fails: failed");

	lr.batch_id = 7;
	lr.outcome = STAGE_LOADED;
	ok(runfile_keeps_rows(EXIT_OK, &lr), "rows kept when the batch loaded the file");
	ok(!runfile_keeps_rows(EXIT_REJECTED, &lr), "not when the load failed");
	lr.outcome = STAGE_SKIPPED;
	ok(!runfile_keeps_rows(EXIT_OK, &lr), "not when it was skipped");
	lr.outcome = STAGE_LOADED;
	lr.batch_id = 0;
	ok(!runfile_keeps_rows(EXIT_OK, &lr), "not without a batch");
}

static void test_label(void)
{
	char label[96];
	time_t t = 1700000000; /* 2023-11-14 22:13:20 UTC */

	setenv("TZ", "UTC0", 1);
	tzset();
	runfile_label(label, sizeof label, t, "graduates", "", 0);
	is_str(label, "20231114T221320-graduates", "label: time and source");
	runfile_label(label, sizeof label, t, "graduates", "-dry", 0);
	is_str(label, "20231114T221320-graduates-dry", "a dry run's tag");
	runfile_label(label, sizeof label, t, "graduates", "-reprocess", 3);
	is_str(label, "20231114T221320-graduates-reprocess-3", "the third of that second");
	runfile_label(label, sizeof label, t, "s", "", 1);
	is_str(label, "20231114T221320-s", "n 1 adds nothing");
	runfile_label(label, sizeof label, t, "abcdefghijabcdefghijabcdefghijabcdefghijXYZ", "-dry", 12);
	is_str(label, "20231114T221320-abcdefghijabcdefghijabcdefghijabcdefghij-dry-12",
	       "the source cut to 40 bytes");
}

static void test_argv(void)
{
	char *argv[RUNFILE_ARGS + 4], *w[] = { "-w", "2022-2023:/a/x.tsv.gz" };

	runfile_extract_argv(argv, "vqr-extract", "c.yaml", "grad", "st/L", "in/f.csv", 0);
	is_str(joined(argv), "vqr-extract -c c.yaml -s grad -o st/L in/f.csv", "extract");
	runfile_extract_argv(argv, "vqr-extract", "c.yaml", "grad", "st/L", "in/f.csv", 1);
	is_str(joined(argv), "vqr-extract -c c.yaml -s grad -o st/L in/f.csv -v", "extract, verbose");
	runfile_transform_argv(argv, "vqr-transform", "c.yaml", "grad", w, 2, "st/L", 0);
	is_str(joined(argv), "vqr-transform -c c.yaml -f grad -w 2022-2023:/a/x.tsv.gz st/L",
	       "transform following, with a supplement's rows");
	runfile_transform_argv(argv, "vqr-transform", "c.yaml", NULL, NULL, 0, "st/L", 1);
	is_str(joined(argv), "vqr-transform -c c.yaml st/L -v", "transform alone, verbose");
	runfile_load_argv(argv, "vqr-load", "c.yaml", "L", "grad", 0, "st/L", 0, 0);
	is_str(joined(argv), "vqr-load -c c.yaml -l L -f grad -l L st/L", "load following: the label twice");
	runfile_load_argv(argv, "vqr-load", "c.yaml", "L", "grad", 1, "st/L", 0, 1);
	is_str(joined(argv), "vqr-load -c c.yaml -l L -f grad -a -a st/L -v", "load following, accepted, verbose");
	runfile_load_argv(argv, "vqr-load", "c.yaml", "L", NULL, 0, "st/L", 1, 0);
	is_str(joined(argv), "vqr-load -c c.yaml -l L -l L st/L -n", "a dry run's load");
	runfile_load_argv(argv, "vqr-load", "c.yaml", "L", NULL, 0, "st/L", 1, 1);
	is_str(joined(argv), "vqr-load -c c.yaml -l L -l L st/L -n -v", "a dry run's load, verbose");
}

/* A workbook read as parts: each part's extract names its sheet, one
 * load takes every part's directory. */
static void test_parts_argv(void)
{
	char *argv[RUNFILE_ARGS + RUNPARTS_MAX];
	cfg_source a = { .name = "aid" }, b = { .name = "act" };
	runpart v[2] = { { .sheet = "资助", .s = &a }, { .sheet = "活 动", .s = &b } };
	runparts p = { v, 2, NULL };

	snprintf(v[0].dir, sizeof v[0].dir, "st/L");
	snprintf(v[1].dir, sizeof v[1].dir, "st/M");
	runparts_extract_argv(argv, "vqr-extract", "c.yaml", &p, 1, "in/b.xlsx", 0);
	is_str(joined(argv), "vqr-extract -c c.yaml -s act -S 活 动 -o st/M in/b.xlsx", "a part's extract names its sheet");
	runparts_extract_argv(argv, "vqr-extract", "c.yaml", &p, 0, "in/b.xlsx", 1);
	is_str(joined(argv), "vqr-extract -c c.yaml -s aid -S 资助 -o st/L in/b.xlsx -v", "... verbose");
	runparts_load_argv(argv, "vqr-load", "c.yaml", "L", NULL, &p, 0, 0);
	is_str(joined(argv), "vqr-load -c c.yaml -l L st/L st/M", "one load of every part");
	runparts_load_argv(argv, "vqr-load", "c.yaml", "L", "-a", &p, 0, 1);
	is_str(joined(argv), "vqr-load -c c.yaml -l L -a st/L st/M -v -v", "accepted, verbose");
	runparts_load_argv(argv, "vqr-load", "c.yaml", "L", "-R", &p, 1, 1);
	is_str(joined(argv), "vqr-load -c c.yaml -l L -R st/L st/M -n -v", "a reprocess's dry run, verbose");
}

static void test_accept(void)
{
	char dir[] = "/tmp/test_runfile.XXXXXX", path[256], marker[300];
	const char *names[] = { "a.csv", "b.xlsx" };
	tally t = { 0 };
	FILE *f;

	t.accept = names;
	t.naccept = 2;
	ok(runfile_shrink_accepted(&t, "/in/b.xlsx"), "named by --accept-shrink (its base name)");
	ok(!runfile_shrink_accepted(&t, "/in/c.csv"), "not named, no marker");
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/c.csv", dir);
	snprintf(marker, sizeof marker, "%s.accept-shrink", path);
	f = fopen(marker, "w");
	ok(f != NULL, "marker written");
	if (f)
		fclose(f);
	ok(runfile_shrink_accepted(&t, path), "a marker FILE.accept-shrink accepts it");
	t.naccept = 0;
	ok(runfile_shrink_accepted(&t, path), "the marker alone is enough");
	unlink(marker);
	ok(!runfile_shrink_accepted(&t, path), "marker gone: not accepted");
	rmdir(dir);
}

static void test_periods(void)
{
	char *periods[] = { "2022-2023", "2023" };
	manifest m = { 0 };

	m.periods = periods;
	m.nperiods = 2;
	ok(runfile_in_periods(&m, "2021-2022,2023"), "a period in the list");
	ok(!runfile_in_periods(&m, "2021-2022,2022"), "none in the list");
	ok(!runfile_in_periods(&m, ""), "an empty list");
	m.nperiods = 0;
	ok(!runfile_in_periods(&m, "2023"), "a file of no period");
}

static void test_text(void)
{
	char line[8];
	char *r = runfile_held_reason("/in/x.csv", 0.2, "grad", "120 values would replace 400");

	ok(strstr(r, "/in/x.csv: held back: it would replace its slice with much less (more than max_shrink 0.2 "
		     "of grad): 120 values would replace 400\nhint: ") == r, "held reason: what and why");
	ok(strstr(r, "vqr run --accept-shrink x.csv (or create x.csv.accept-shrink beside it)") != NULL,
	   "held reason: how to accept it, by base name");
	free(r);
	runfile_first_line(line, sizeof line, "ab\ncd");
	is_str(line, "ab", "first line");
	runfile_first_line(line, sizeof line, "abcdefghij");
	is_str(line, "abcdefg", "first line cut to fit");
}

int main(void)
{
	test_outcome();
	test_label();
	test_argv();
	test_parts_argv();
	test_accept();
	test_periods();
	test_text();
	return tap_done();
}
