/*
 * test_cfg.c - the configuration loader: the shipped catalogs load, and
 * each kind of mistake is refused with file:line:col and a clear reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "tap.h"
#include "val.h"

static char dir[] = "/tmp/vqr-cfg-XXXXXX";

/* Write text to dir/name; returns the path (static buffer). */
static const char *put(const char *name, const char *text)
{
	static char path[512];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

#define SRC "sources:\n" \
	"  g:\n" \
	"    files: [\"*g*\"]\n" \
	"    period: {type: academic_year, date: d, year: y}\n" \
	"    fields:\n" \
	"      pid: {header: 学号, type: text, pii: drop}\n" \
	"      d: {header: 毕业日期, type: date}\n" \
	"      y: {header: 届别, type: integer}\n" \
	"      dest: {header: 去向, type: enum, required: true, values: {就业: [企业就业], 升学: []}}\n" \
	"      pay: {header: 起薪（元/月）, synonyms: [起薪], type: decimal, min: 0}\n"

/* Load a config made of the school line, SRC and extra; return the error
 * (empty when it loaded). */
static const char *try(const char *extra)
{
	static char err[1024];
	char text[4096];
	cfg *c;
	snprintf(text, sizeof text, "school: {code: S, name: 学校}\n%s%s", SRC, extra);
	c = cfg_load(put("t.yaml", text), err, sizeof err);
	if (c) {
		err[0] = '\0';
		cfg_free(c);
	}
	return err;
}

static void refused(const char *extra, const char *where, const char *what, const char *name)
{
	const char *e = try(extra);
	char want[600];
	snprintf(want, sizeof want, "%s/t.yaml:%s", dir, where);
	ok(strncmp(e, want, strlen(want)) == 0 && strstr(e, what) != NULL, "%s", name);
	if (strncmp(e, want, strlen(want)) != 0 || !strstr(e, what))
		printf("#   got:  %s\n#   want: %s...%s\n", e, want, what);
}

int main(void)
{
	char err[1024], key[256];
	cfg *c;
	const cfg_source *s;
	const cfg_field *f;

	if (!mkdtemp(dir))
		return 1;

	/* The shipped example loads. */
	c = cfg_load("config/vqr.yaml", err, sizeof err);
	ok(c != NULL, "config/vqr.yaml loads: %s", c ? "" : err);
	if (c) {
		s = cfg_source_find(c, "graduate_destination");
		ok(s != NULL, "the graduate source is there");
		ok(c->nindicators >= 18, "the employment indicators are there (%zu)", c->nindicators);
		ok(c->database == NULL, "an empty database means the embedded cluster");
		ok(c->inbox[0] == '/' && strstr(c->inbox, "/var/inbox"), "paths are made absolute: %s", c->inbox);
		ok(cfg_source_for_file(c, "/x/毕业生去向登记表_2023.csv") == s, "a file is recognised by its name");
		ok(cfg_source_for_file(c, "/x/花名册.csv") == NULL, "another is not");
		f = cfg_field_find(s, "student_id");
		ok(f && f->pii == CFG_PII_DROP && f->col < 0, "dropped personal fields get no column");
		f = cfg_field_find(s, "destination");
		ok(f && f->col >= 2, "kept fields get a column after _line and _period");
		val_norm_key("升学", strlen("升学"), key, sizeof key);
		ok(f && cfg_enum_match(f, key) && strcmp(cfg_enum_match(f, key)->value, "高等教育深造") == 0,
		   "升学 means 高等教育深造");
		cfg_free(c);
	}

	is_str(try(""), "", "a minimal source loads");
	c = cfg_load(put("t.yaml", "school: {code: S, name: 学校}\n" SRC), err, sizeof err);
	s = c ? cfg_source_find(c, "g") : NULL;
	ok(s && s->ncols == 6, "canonical width: 2 + 4 kept fields");
	ok(s && s->period_date == 1 && s->period_year == 2, "period fields resolved");
	cfg_free(c);

	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\", where: \"dest = 1\"}\n",
		"13:", "in filter", "text compared with a number is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\", where: \"nope = 'x'\"}\n",
		"13:", "nope", "an unknown field in a filter is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: h, count: \"*\"}\n",
		"13:", "unknown source \"h\"", "an unknown source is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: \"%\", kind: rate, source: g, ratio: {numerator: {count: \"*\"}}}\n",
		"13:", "a ratio needs a denominator", "a ratio without denominator is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: \"%\", kind: rate, source: g, count: \"*\"}\n",
		"13:5", "give it a ratio", "a rate that is not a ratio is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 元, kind: mean, source: g, mean: dest}\n",
		"13:", "cannot aggregate enum field \"dest\"", "mean of a text field is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: pid}\n",
		"13:", "personal data", "a rule on personal data is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\", by: [nope]}\n",
		"13:", "breakdown field \"nope\"", "an unknown breakdown field is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"}\n"
		"  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"}\n",
		"14:5", "defined twice", "a duplicate indicator code is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: tally, source: g, count: \"*\"}\n",
		"13:", "kind \"tally\"", "an unknown kind is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\", colour: red}\n",
		"13:", "unknown key \"colour\" in an indicator", "an unknown indicator key is refused");
	refused("indicators:\n  - {code: a, name_en: A, unit: 人, kind: count, source: g, count: \"*\"}\n",
		"13:", "needs \"name_zh\"", "a missing name is refused");
	refused("indicators:\n  - {code: a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\", sum: pay}\n",
		"13:", "exactly one of", "two aggregations at once are refused");

	/* Source mistakes. */
	ok(strstr(cfg_load(put("t.yaml", "school: {code: S, name: 学校}\nsources:\n  g:\n    files: x\n    period: {type: academic_year, year: y}\n"
			       "    fields:\n      y: {header: 年, type: integer}\n      e: {header: 值, type: enum}\n"), err, sizeof err) ? "" : err,
		  "t.yaml:8:10: enum field \"e\" needs \"values\"") != NULL, "an enum without values is refused: %s", err);
	ok(!cfg_load(put("t.yaml", "school: {code: S, name: 学校}\nsources:\n  g:\n    files: x\n    period: {type: academic_year, year: z}\n"
			 "    fields:\n      y: {header: 年, type: integer}\n"), err, sizeof err) &&
	   strstr(err, "t.yaml:5:41: period year \"z\" is not a field"), "an unknown period field is refused: %s", err);
	ok(!cfg_load(put("t.yaml", "school: {code: S, name: 学校}\nsources:\n  g:\n    files: x\n    period: {type: academic_year, year: y}\n"
			 "    fields:\n      y: {header: 年, type: integer}\n      e: {header: 值, type: enum, values: {a: [b], c: [B]}}\n"), err, sizeof err) &&
	   strstr(err, "given twice"), "an enum label meaning two values is refused: %s", err);
	ok(!cfg_load(put("t.yaml", "school: {code: S}\n"), err, sizeof err) && strstr(err, "t.yaml:1:9: school needs a \"name\""),
	   "a school without a name is refused: %s", err);
	ok(!cfg_load(put("t.yaml", "school: {code: S, name: x}\ninclude: [nothere.yaml]\n"), err, sizeof err) &&
	   strstr(err, "t.yaml:2:11: cannot open included file"), "a missing include is refused at its mark: %s", err);
	put("a.yaml", "include: [b.yaml]\n");
	put("b.yaml", "include: [a.yaml]\n");
	ok(!cfg_load(put("t.yaml", "school: {code: S, name: x}\ninclude: [a.yaml]\n"), err, sizeof err) &&
	   strstr(err, "included twice"), "an include cycle is refused: %s", err);
	ok(!cfg_load(put("t.yaml", "school: {code: S, name: x\n"), err, sizeof err) && strstr(err, "t.yaml:"),
	   "a YAML syntax error names the file: %s", err);
	ok(!cfg_load(put("t.yaml", ""), err, sizeof err) && strstr(err, "empty"), "an empty file is refused: %s", err);

	snprintf(err, sizeof err, "rm -rf %s", dir);
	if (system(err) != 0)
		return 1;
	return tap_done();
}
