/*
 * test_cfg.c - the configuration loader: the shipped catalogs load, and
 * each kind of mistake is refused with file:line:col and a clear reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "tests/unit/tap.h"
#include "lib/catalog/val.h"

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

	/* sheets: a workbook's sheets matched to sources by name patterns */
#define SHEETS_SRC(a, b) \
	"  aid:\n    files: [\"*book*\"]\n    sheets: " a "\n    period: {type: academic_year, date: d}\n" \
	"    fields: {d: {header: 日期, type: date}}\n" \
	"  act:\n    files: [\"*book*\", \"*act*\"]\n    sheets: " b "\n    period: {type: academic_year, date: d}\n" \
	"    fields: {d: {header: 日期, type: date}}\n"
	c = cfg_load(put("t.yaml", "school: {code: S, name: 学校}\n" SRC SHEETS_SRC("[\"*资助*\"]", "[\"*活动*\", \"Act?\"]")),
		     err, sizeof err);
	ok(c != NULL, "sources with sheets load%s%s", c ? "" : ": ", c ? "" : err);
	if (c) {
		ok(cfg_file_has_sheets(c, "/in/book_2023.xlsx"), "a workbook whose sources have sheets is read as parts");
		ok(!cfg_file_has_sheets(c, "/in/g_2023.xlsx"), "a file of a source without sheets is not");
		ok(cfg_source_for_sheet(c, "/in/book.xlsx", "学生资助2023") == cfg_source_find(c, "aid"),
		   "a sheet goes to the source whose pattern matches it");
		ok(cfg_source_for_sheet(c, "/in/book.xlsx", "Act1") == cfg_source_find(c, "act"),
		   "... any of its patterns");
		ok(cfg_source_for_sheet(c, "/in/book.xlsx", "说明") == NULL, "a sheet no pattern matches is unmatched");
		ok(cfg_source_for_sheet(c, "/in/g.xlsx", "学生资助") == NULL, "only sources whose files match the workbook");
		ok(cfg_source_for_file(c, "/in/g.csv") == cfg_source_find(c, "g"), "files still recognise single files");
		cfg_free(c);
	}
	refused(SHEETS_SRC("[]", "[x]"), "14:13:", "sheets must name at least one pattern", "an empty sheets list is refused");
	refused(SHEETS_SRC("[x]\n    sheet: 数据", "[y]"), "13:", "has both sheet (one sheet) and sheets (patterns): keep one",
		"sheet and sheets together are refused");
#undef SHEETS_SRC

	/* limits: defaults, values, and mistakes refused where they are */
	c = cfg_load(put("t.yaml", "school: {code: S, name: 学校}\n" SRC), err, sizeof err);
	ok(c && c->limits.max_record_bytes == 1048576 && c->limits.max_field_bytes == 262144 &&
	   c->limits.max_inflation_ratio == 100 && c->limits.max_shared_strings_bytes == 67108864 &&
	   c->limits.max_xls_bytes == 67108864 && c->limits.max_extract_memory_bytes == 536870912,
	   "limits: defaults 1 MiB record, 256 KiB field, ratio 100, 64 MiB shared strings and .xls, "
	   "512 MiB extract heap");
	cfg_free(c);
	c = cfg_load(put("t.yaml", "school: {code: S, name: 学校}\n" SRC
			 "limits: {max_record_bytes: 2000, max_field_bytes: 1000, "
			 "max_inflation_ratio: 20.5, max_shared_strings_bytes: 4096, "
			 "max_xls_bytes: 8192, max_extract_memory_bytes: 100000000}\n"), err, sizeof err);
	ok(c && c->limits.max_record_bytes == 2000 && c->limits.max_field_bytes == 1000 &&
	   c->limits.max_inflation_ratio == 20.5 && c->limits.max_shared_strings_bytes == 4096 &&
	   c->limits.max_xls_bytes == 8192 && c->limits.max_extract_memory_bytes == 100000000,
	   "limits: every key read %s", c ? "" : err);
	cfg_free(c);
	refused("limits:\n  max_record_bytes: 100\n  max_feld_bytes: 10\n", "14:3:",
		"unknown key \"max_feld_bytes\" in limits (expected one of: max_record_bytes, "
		"max_field_bytes, max_inflation_ratio, max_shared_strings_bytes, max_xls_bytes, "
		"max_extract_memory_bytes)",
		"limits: an unknown key is refused");
	refused("limits: {max_field_bytes: 1.5}\n", "12:27:",
		"limits.max_field_bytes must be a whole number of bytes", "limits: a fraction of a byte is refused");
	refused("limits: {max_record_bytes: 0}\n", "12:28:",
		"limits.max_record_bytes must be a whole number of bytes, 1..", "limits: 0 bytes is refused");
	refused("limits: {max_inflation_ratio: 0.5}\n", "12:31:",
		"limits.max_inflation_ratio must be between 1 and 1000000", "limits: a ratio below 1 is refused");
	refused("limits: {max_shared_strings_bytes: lots}\n", "12:36:",
		"limits.max_shared_strings_bytes must be a number, found \"lots\"", "limits: a word is refused");
	refused("limits: {max_record_bytes: 1000, max_field_bytes: 2000}\n", "12:51:",
		"limits.max_field_bytes (2000) is larger than limits.max_record_bytes (1000)",
		"limits: a field limit above the record limit is refused");
	refused("limits: [1, 2]\n", "12:9:", "limits must be a mapping", "limits: a list is refused");

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

	/* Issue 4: count_distinct, periods, derived indicators, checks, reported sources. */
#define IND(x) "  - {code: " x "}\n"
	is_str(try("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count_distinct: dest")),
	       "", "count_distinct of a text field loads");
	is_str(try("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\", period: semester")),
	       "", "a semester indicator over an academic-year source loads");
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\", period: fiscal_year"),
		"13:", "would span files", "a fiscal-year indicator over an academic-year source is refused");
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\", period: weekly"),
		"13:", "period must be academic_year, semester, fiscal_year or snapshot", "an unknown period type is refused");
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
		IND("b, name_zh: 乙, name_en: B, unit: 人, kind: count, formula: \"a + c\""),
		"14:5", "unknown indicator \"c\"", "a derived indicator naming an unknown indicator is refused");
	refused("indicators:\n" IND("b, name_zh: 乙, name_en: B, unit: 人, kind: count, formula: \"c * 2\"")
		IND("c, name_zh: 丙, name_en: C, unit: 人, kind: count, formula: \"d + 1\"")
		IND("d, name_zh: 丁, name_en: D, unit: 人, kind: count, formula: \"b - 1\""),
		"1", "derived indicators form a cycle: ", "a cycle of derived indicators is refused");
	{
		const char *e = try("indicators:\n" IND("b, name_zh: 乙, name_en: B, unit: 人, kind: count, formula: \"c * 2\"")
				    IND("c, name_zh: 丙, name_en: C, unit: 人, kind: count, formula: \"d + 1\"")
				    IND("d, name_zh: 丁, name_en: D, unit: 人, kind: count, formula: \"b - 1\""));
		ok(strstr(e, "b -> c -> d -> b") || strstr(e, "c -> d -> b -> c") || strstr(e, "d -> b -> c -> d"),
		   "  naming the cycle: %s", e);
	}
	refused("indicators:\n" IND("b, name_zh: 乙, name_en: B, unit: 人, kind: count, formula: \"b + 1\""),
		"13:", "refers to itself", "a derived indicator using itself is refused");
	refused("indicators:\n" IND("b, name_zh: 乙, name_en: B, unit: 人, kind: count, formula: \"1 +\""),
		"13:", "unexpected end of formula", "a broken formula is refused with its column");
	refused("indicators:\n" IND("b, name_zh: 乙, name_en: B, unit: \"%\", kind: rate, formula: \"1\""),
		"13:", "is a rate: give it ratio", "a derived rate without numerator and denominator is refused");
	is_str(try("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
		   IND("e, name_zh: 戊, name_en: E, unit: 人, kind: count, source: g, count: \"*\", where: \"dest = '就业'\"")
		   IND("r, name_zh: 己, name_en: R, unit: \"%\", kind: rate, ratio: {numerator: e, denominator: a}")
		   "checks:\n  - {code: k, left: \"e + 1\", op: \"<=\", right: a, tolerance: 0.5, severity: warning}\n"),
	       "", "a derived ratio and a check load");
	c = cfg_load(put("t.yaml", "school: {code: S, name: 学校}\n" SRC "indicators:\n"
			 IND("r, name_zh: 己, name_en: R, unit: \"%\", kind: rate, ratio: {numerator: e, denominator: a}")
			 IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
			 IND("e, name_zh: 戊, name_en: E, unit: 人, kind: count, formula: \"a - 1\"")),
		     err, sizeof err);
	ok(c && c->nderived == 2 && strcmp(c->indicators[c->derived[0]].code, "e") == 0 &&
	   strcmp(c->indicators[c->derived[1]].code, "r") == 0 && c->indicators[0].scale == 100,
	   "derived indicators are ordered operands first: %s", c ? "" : err);
	cfg_free(c);
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
		"checks:\n  - {code: k, left: a, right: nope}\n",
		"15:5", "check \"k\": unknown indicator \"nope\"", "a check naming an unknown indicator is refused");
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
		"checks:\n  - {code: k, left: a, right: a, op: \"=~\"}\n",
		"15:", "op must be one of", "an unknown comparison is refused");
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
		"checks:\n  - {code: k, left: a, right: a, severity: warning, block: true}\n",
		"15:", "only an error can block", "a blocking warning is refused");
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
		"checks:\n  - {code: k, left: a, right: a, by: [dest]}\n",
		"15:5", "does not break down by \"dest\"", "a check by a breakdown its indicators lack is refused");
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
		"checks:\n  - {code: k, left: numerator(a), right: a}\n",
		"15:5", "has no numerator and denominator", "numerator() of a count is refused");
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
		"checks:\n  - {code: k, left: a}\n",
		"15:", "needs \"right\"", "a check without a right side is refused");
	refused("indicators:\n" IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: g, count: \"*\"")
		"checks:\n  - {code: k, left: a, right: a}\n  - {code: k, left: a, right: a}\n",
		"16:5", "defined twice", "a duplicate check is refused");
	{
		static const char rep[] =
			"  s:\n    files: [\"*s*\"]\n    kind: reported\n    indicator_field: item\n    value_field: value\n"
			"    period: {type: academic_year, field: year}\n"
			"    fields:\n      year: {header: 学年, type: text}\n      item: {header: 指标, type: text}\n"
			"      value: {header: 数值, type: text}\n";
		char text[4096];
		snprintf(text, sizeof text, "school: {code: S, name: 学校}\n" SRC "%s" "indicators:\n"
			 IND("a, name_zh: 毕业生人数, name_en: A, unit: 人, kind: count, source: g, count: \"*\", reported_names: [毕业生数（人）]"),
			 rep);
		c = cfg_load(put("t.yaml", text), err, sizeof err);
		s = c ? cfg_source_find(c, "s") : NULL;
		ok(s && s->reported && !s->wide && s->ind_field == 1 && s->value_field == 2 && s->period_field == 0,
		   "a long-form reported source loads: %s", c ? "" : err);
		val_norm_key("毕业生数(人)", strlen("毕业生数(人)"), key, sizeof key);
		ok(c && cfg_indicator_by_name(c, key) == cfg_indicator_find(c, "a"), "an indicator is found by a reported name");
		val_norm_key(" 毕业生人数 ", strlen(" 毕业生人数 "), key, sizeof key);
		ok(c && cfg_indicator_by_name(c, key) == cfg_indicator_find(c, "a"), "and by its name_zh");
		val_norm_key("a", 1, key, sizeof key);
		ok(c && cfg_indicator_by_name(c, key) == cfg_indicator_find(c, "a"), "and by its code");
		cfg_free(c);
		snprintf(text, sizeof text, "school: {code: S, name: 学校}\n" SRC "%s" "indicators:\n"
			 IND("a, name_zh: 甲, name_en: A, unit: 人, kind: count, source: s, count: \"*\""), rep);
		ok(!cfg_load(put("t.yaml", text), err, sizeof err) && strstr(err, "is a reported summary"),
		   "an indicator computed from a reported source is refused: %s", err);
		snprintf(text, sizeof text, "school: {code: S, name: 学校}\n" SRC
			 "  w:\n    files: [\"*w*\"]\n    kind: reported\n    form: wide\n    period: {type: fiscal_year, year: y}\n"
			 "    fields:\n      y: {header: 年度, type: integer}\n      n: {header: 人数, type: integer, indicator: nope}\n");
		ok(!cfg_load(put("t.yaml", text), err, sizeof err) && strstr(err, "t.yaml:19:7: field \"n\": unknown indicator \"nope\""),
		   "a wide column naming an unknown indicator is refused: %s", err);
	}
	ok(!cfg_load(put("t.yaml", "school: {code: S, name: 学校}\nsources:\n  g:\n    files: x\n    period: {type: snapshot, year: y}\n"
			 "    fields:\n      y: {header: 年, type: integer}\n"), err, sizeof err) &&
	   strstr(err, "a snapshot cannot be found from a year"), "a snapshot from a year is refused: %s", err);

	/* Task M: a value taken out of another indicator's breakdown. */
#define OPND IND("a, name_zh: 甲, name_en: A, unit: 元, kind: mean, source: g, by: [dest], mean: pay")
#define TAKE(x) IND("m, name_zh: 最高, name_en: M, unit: 元, kind: mean, derived: {" x "}")
	c = cfg_load(put("t.yaml", "school: {code: S, name: 学校}\n" SRC "indicators:\n"
			 TAKE("take: min, over: a") OPND
			 IND("n, name_zh: 最高, name_en: N, unit: 元, kind: mean, period: semester, "
			     "derived: {take: max, over: s, across: [dest]}")
			 IND("s, name_zh: 学期, name_en: S, unit: 元, kind: mean, source: g, by: [dest, y], period: semester, mean: pay")),
		     err, sizeof err);
	{
		const cfg_indicator *m = c ? cfg_indicator_find(c, "m") : NULL, *n = c ? cfg_indicator_find(c, "n") : NULL;
		ok(m && m->take == CFG_TAKE_MIN && m->across && strcmp(m->across, "dest") == 0 && m->nby == 0 &&
		   m->period == PERIOD_ACADEMIC_YEAR && m->aggregate == CFG_AGGREGATE_NONE && m->scale == 1 &&
		   n && n->take == CFG_TAKE_MAX && strcmp(n->across, "dest") == 0 && n->period == PERIOD_SEMESTER,
		   "derived {take: min|max, over}: loads, across a single breakdown field by default, aggregate none: %s",
		   c ? "" : err);
		ok(c && c->nderived == 2 && strcmp(c->indicators[c->derived[0]].code, "m") == 0,
		   "  and is a derived indicator");
	}
	cfg_free(c);
	is_str(try("indicators:\n" OPND IND("f, name_zh: 差, name_en: F, unit: 元, kind: mean, formula: \"a - 1\"")
		   TAKE("take: max, over: f, across: dest")),
	       "", "a take over a formula loads when the formula's operands break down by the field");
	refused("indicators:\n" OPND TAKE("take: max, over: nope"),
		"14:88", "derived indicator \"m\": unknown indicator \"nope\"", "take over an unknown indicator is refused at over");
	refused("indicators:\n" OPND TAKE("take: max, over: a, across: y"),
		"14:99", "indicator \"a\" does not break down by \"y\"", "take across a field the indicator lacks is refused at across");
	refused("indicators:\n" OPND IND("f, name_zh: 差, name_en: F, unit: 元, kind: mean, formula: \"a - b\"")
		IND("b, name_zh: 乙, name_en: B, unit: 人, kind: count, source: g, count: \"*\"")
		TAKE("take: max, over: f, across: dest"),
		"16:99", "indicator \"f\" does not break down by \"dest\"", "  also through a formula whose operands do not all have it");
	refused("indicators:\n" OPND TAKE("take: max, over: a, across: [dest, dest]"),
		"14:99", "across names \"dest\" twice", "a field named twice in across is refused");
	refused("indicators:\n" OPND TAKE("take: median, over: a"),
		"14:", "take must be max or min, found \"median\"", "a take other than max or min is refused");
	refused("indicators:\n" OPND TAKE("over: a"),
		"14:", "derived needs \"take\"", "a derived without take is refused");
	refused("indicators:\n" OPND TAKE("take: max"),
		"14:", "derived needs \"over\"", "a derived without over is refused");
	refused("indicators:\n" OPND TAKE("take: max, over: \"a + 1\""),
		"14:", "over must be one indicator code", "a formula in over is refused");
	refused("indicators:\n" OPND TAKE("take: max, over: a, by: dest"),
		"14:", "unknown key \"by\" in derived", "an unknown key in derived is refused");
	refused("indicators:\n" IND("b, name_zh: 乙, name_en: B, unit: 人, kind: count, source: g, count: \"*\"")
		TAKE("take: max, over: b"),
		"14:", "indicator \"b\" has no breakdown", "take over an indicator without a breakdown is refused");
	refused("indicators:\n" IND("s, name_zh: 学期, name_en: S, unit: 元, kind: mean, source: g, by: [dest, y], mean: pay")
		TAKE("take: max, over: s"),
		"14:", "breaks down by several fields: say which with across", "  or with several, unless across says which");
	refused("indicators:\n" OPND TAKE("take: max, over: m"),
		"14:", "refers to itself", "a take over itself is refused");
	refused("indicators:\n" OPND IND("f, name_zh: 差, name_en: F, unit: 元, kind: mean, formula: \"a - m\"")
		TAKE("take: max, over: f, across: dest"),
		"1", "derived indicators form a cycle", "a take in a cycle of derived indicators is refused");
	refused("indicators:\n" OPND IND("m, name_zh: 最高, name_en: M, unit: 元, kind: mean, aggregate: weighted_mean, "
					 "derived: {take: max, over: a}"),
		"14:", "aggregate must be none", "a take combined across schools is refused");
	refused("indicators:\n" OPND IND("m, name_zh: 最高, name_en: M, unit: 元, kind: mean, period: semester, "
					 "derived: {take: max, over: a}"),
		"14:", "its period must be that of \"a\"", "a take in other periods than its operand's is refused");
	refused("indicators:\n" OPND IND("m, name_zh: 最高, name_en: M, unit: 元, kind: mean, by: [dest], "
					 "derived: {take: max, over: a}"),
		"14:", "\"by\" does not apply", "a take with a breakdown of its own is refused");
	refused("indicators:\n" OPND IND("m, name_zh: 最高, name_en: M, unit: 元, kind: mean, formula: a, "
					 "derived: {take: max, over: a}"),
		"14:", "one of formula, ratio or derived", "a take beside a formula is refused");
	refused("indicators:\n" OPND TAKE("take: max, over: a")
		"checks:\n  - {code: k, left: numerator(m), right: a}\n",
		"16:5", "has no numerator and denominator", "numerator() of a take is refused");

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

	/* median and percentile (lib/catalog/aggfn.c's table) */
#define PCT(x) "indicators:\n  - {code: a, name_zh: A, name_en: A, unit: y, kind: amount, source: g, " x "}\n"
	c = cfg_load(put("t.yaml", "school: {code: S, name: 学校}\n" SRC
			 PCT("median: pay") "  - {code: b, name_zh: B, name_en: B, unit: y, kind: amount, source: g, "
			 "by: [dest], percentile: {field: pay, p: 90}, where: \"dest = '就业'\"}\n"),
		     err, sizeof err);
	ok(c && c->nindicators == 2 && c->indicators[0].num.fn == AGGFN_MEDIAN &&
	   c->indicators[0].aggregate == CFG_AGGREGATE_NONE && c->indicators[1].num.fn == AGGFN_PERCENTILE &&
	   c->indicators[1].num.p == 90 && c->indicators[1].num.where && c->indicators[0].kind == CFG_KIND_AMOUNT,
	   "median and percentile {field, p} load, with aggregate none: %s", c ? "" : err);
	cfg_free(c);
	refused(PCT("percentile: {field: pay, p: 101}"), "13:101:", "p must be a percent from 0 to 100, found \"101\"",
		"a percentile above 100 is refused at its p");
	refused(PCT("percentile: {field: pay, p: -5}"), "13:101:", "p must be a percent from 0 to 100",
		"a negative percentile is refused at its p");
	refused(PCT("percentile: {field: pay, p: ninety}"), "13:101:", "p must be a number, found \"ninety\"",
		"a percentile that is not a number is refused");
	refused(PCT("percentile: {field: pay}"), "13:85:", "needs field and p",
		"a percentile without p is refused");
	refused(PCT("percentile: pay"), "13:85:", "percentile takes {field: FIELD, p: PERCENT}",
		"a percentile without {field, p} is refused");
	refused(PCT("percentile: {field: pay, p: 50, q: 1}"), "13:", "unknown key \"q\" in percentile",
		"an unknown key in a percentile is refused");
	refused(PCT("median: dest"), "13:", "cannot aggregate enum field \"dest\" with median",
		"a median of a text field is refused");
	refused(PCT("median: pay, aggregate: sum"), "13:97:", "do not combine into a regional median, so aggregate must be none",
		"a median summed across schools is refused");
	refused(PCT("median: pay, mean: pay"), "13:", "needs exactly one of count, count_distinct, sum, mean, min, max, "
		"median, percentile (found several)", "the functions are listed from the table");
#undef PCT
	snprintf(err, sizeof err, "rm -rf %s", dir);
	if (system(err) != 0)
		return 1;

	return tap_done();
}
