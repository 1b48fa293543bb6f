/*
 * test_stage.c - the staging contract (lib/staging/stage): vqr-load's
 * result line printed and parsed back for every outcome, malformed lines
 * refused, staged paths, outcome names; and the manifest's status
 * written and read back, a bogus one refused with its place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/staging/manifest.h"
#include "lib/staging/stage.h"
#include "tests/unit/tap.h"

static int same_result(const stage_result *a, const stage_result *b)
{
	return a->outcome == b->outcome && a->batch_id == b->batch_id && a->values == b->values &&
	       a->replaced == b->replaced && a->rejects == b->rejects && a->errors == b->errors &&
	       a->warnings == b->warnings;
}

static int is_zero(const stage_result *r)
{
	static const stage_result zero;
	return same_result(r, &zero);
}

/* Print r into a buffer (through a temporary file) and parse it back. */
static void roundtrip(stage_outcome o)
{
	stage_result r = { o, 42 + o, 1000000000000LL, 7, 3, o == STAGE_BLOCKED, 12 }, back;
	char line[256] = "";
	FILE *f = tmpfile();

	ok(f && stage_result_print(f, &r) == 0, "%s: printed", stage_outcome_name(o));
	if (f) {
		rewind(f);
		if (!fgets(line, sizeof line, f))
			line[0] = '\0';
		fclose(f);
	}
	ok(strlen(line) > 0 && line[strlen(line) - 1] == '\n', "%s: one line with its newline", stage_outcome_name(o));
	is_int(stage_result_parse(line, &back), 0, "%s: parsed back", stage_outcome_name(o));
	ok(same_result(&r, &back), "%s: every field survives", stage_outcome_name(o));
	line[strcspn(line, "\n")] = '\0';
	is_int(stage_result_parse(line, &back), 0, "%s: parsed without its newline", stage_outcome_name(o));
	ok(same_result(&r, &back), "%s: the same without its newline", stage_outcome_name(o));
}

static void refused(const char *line, const char *why)
{
	stage_result r = { STAGE_HELD, 1, 2, 3, 4, 5, 6 };

	is_int(stage_result_parse(line, &r), -1, "refused: %s", why);
	ok(is_zero(&r), "  and the result is zeroed: %s", why);
}

static void test_result(void)
{
	for (stage_outcome o = STAGE_LOADED; o <= STAGE_BLOCKED; o++)
		roundtrip(o);
	refused("", "an empty line");
	refused("loaded\t1\t2\t3\t4\t5\n", "too few fields");
	refused("loaded\t1\t2\t3\t4\t5\tx\n", "a field not a number");
	refused("loaded\t1\t2\tthree\t4\t5\t6\n", "a number field in words");
	refused("merged\t1\t2\t3\t4\t5\t6\n", "an unknown outcome");
	refused("LOADED\t1\t2\t3\t4\t5\t6\n", "an outcome in capitals");
	refused("loaded\t1\t2\t3\t4\t5\t6\tjunk\n", "a trailing field");
	refused("loaded\t1\t2\t3\t4\t5\t6 \n", "a trailing space");
	refused("loaded\t1\t2\t3\t4\t5\t6\n\n", "two newlines");
	refused("loaded\t1\t2\t3\t4\t5\t6x", "trailing junk without a newline");
}

static void test_names(void)
{
	char *p = stage_path("/tmp/st", STAGE_ROWS);

	is_str(p, "/tmp/st/rows.tsv", "stage_path joins dir and name");
	free(p);
	p = stage_path("staging/20260101", STAGE_MANIFEST);
	is_str(p, "staging/20260101/manifest.yaml", "stage_path: the manifest");
	free(p);
	is_str(stage_outcome_name(STAGE_LOADED), "loaded", "outcome name: loaded");
	is_str(stage_outcome_name(STAGE_SKIPPED), "skipped", "outcome name: skipped");
	is_str(stage_outcome_name(STAGE_HELD), "held", "outcome name: held");
	is_str(stage_outcome_name(STAGE_BLOCKED), "blocked", "outcome name: blocked");
	is_str(stage_outcome_name((stage_outcome)99), "?", "outcome name: out of range");
}

static void test_manifest_status(const char *dir)
{
	char *path = stage_path(dir, STAGE_MANIFEST), err[1024];

	for (manifest_status st = MANIFEST_OK; st <= MANIFEST_FAILED; st++) {
		manifest w = { 0 }, r = { 0 };
		w.status = st;
		w.source = "graduates";
		w.reason = st == MANIFEST_FAILED ? "x.csv:1:1: broken" : NULL;
		is_int(manifest_write(path, &w, err, sizeof err), 0, "status %s: written", manifest_status_name(st));
		is_int(manifest_read(path, &r, err, sizeof err), 0, "status %s: read back", manifest_status_name(st));
		is_int(r.status, st, "status %s: the same status", manifest_status_name(st));
		is_str(r.source, "graduates", "status %s: the source too", manifest_status_name(st));
		manifest_clear(&r);
	}
	{
		FILE *f = fopen(path, "w");
		manifest r = { 0 };
		char want[1200];
		if (f) {
			fputs("source: graduates\nstatus: bogus\n", f);
			fclose(f);
		}
		is_int(manifest_read(path, &r, err, sizeof err), -1, "status: bogus is refused");
		snprintf(want, sizeof want, "%s:2:9: status must be ok, rejected or failed, not \"bogus\"", path);
		is_str(err, want, "  with file:line:col");
		manifest_clear(&r);
	}
	unlink(path);
	free(path);
}

/* Two parts of one workbook read by one source must not share a period. */
static void test_parts_clash(void)
{
	char *p1[] = { "2022-2023" }, *p2[] = { "2021-2022", "2022-2023" }, *p3[] = { "2021-2022" }, err[512];
	manifest a = { .file_name = "b.xlsx", .sheet = "秋", .source = "aid", .periods = p1, .nperiods = 1 };
	manifest b = { .file_name = "b.xlsx", .sheet = "春", .source = "aid", .periods = p2, .nperiods = 2 };
	manifest c = { .file_name = "b.xlsx", .sheet = "活动", .source = "act", .periods = p1, .nperiods = 1 };
	manifest d = { .file_name = "b.xlsx", .sheet = "旧", .source = "aid", .periods = p3, .nperiods = 1 };
	manifest *ac[] = { &a, &c }, *ad[] = { &a, &d }, *cab[] = { &c, &a, &b };

	is_int(stage_parts_clash(ac, 2, err, sizeof err), 0, "two sources in one period: fine");
	is_int(stage_parts_clash(ad, 2, err, sizeof err), 0, "one source in two periods: fine");
	is_int(stage_parts_clash(cab, 3, err, sizeof err), -1, "one source twice in one period: refused");
	is_str(err, "b.xlsx: sheets \"秋\" and \"春\" are both read by source aid and both have rows in period "
	       "2022-2023: each would replace the other's slice\nhint: give each sheet a source of its own, or put "
	       "the rows of one period in one sheet", "  naming the sheets, the source and the period");
}

int main(void)
{
	char dir[] = "/tmp/vqr-stage-XXXXXX";

	test_result();
	test_names();
	test_parts_clash();
	if (mkdtemp(dir)) {
		test_manifest_status(dir);
		rmdir(dir);
	} else {
		ok(0, "a temporary directory");
	}
	return tap_done();
}
