/*
 * test_cfg_overlay.c - overlays (cfg_overlay.c): a deployment's
 * `overlay:` extends and overrides sources, indicators and checks of a
 * "shipped" catalog that it includes, and disables some; the shipped
 * file changed underneath still reaches it; each overlay takes part in
 * its source's catalog hash; each mistake is refused at its
 * file:line:col in the overlay file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "lib/catalog/val.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/vqr-ov-XXXXXX";
static char err[1024];

/* Write text to dir/name. */
static void put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

#define SHIP_SOURCES "sources:\n" \
	"  g:\n" \
	"    files: [\"*g*\"]\n" \
	"    period: {type: academic_year, date: d, year: y}\n" \
	"    fields:\n" \
	"      dest: {header: 去向, type: enum, required: true, values: {就业: [企业就业], 升学: []}}\n" \
	"      pay: {header: 起薪, synonyms: [月薪], type: decimal, min: 0}\n" \
	"      d: {header: 毕业日期, type: date}\n" \
	"      y: {header: 届别, type: integer}\n" \
	"      pid: {header: 学号, type: text, pii: drop}\n" \
	"  h:\n" \
	"    files: [\"*h*\"]\n" \
	"    period: {type: fiscal_year, year: y}\n" \
	"    fields:\n" \
	"      y: {header: 年度, type: integer}\n" \
	"      amount: {header: 金额, type: decimal}\n"
#define SHIP_INDS "indicators:\n" \
	"  - {code: n, name_zh: 人数, name_en: N, unit: 人, kind: count, source: g, count: \"*\"}\n" \
	"  - {code: w, name_zh: 就业人数, name_en: W, unit: 人, kind: count, source: g, count: \"*\", where: \"dest = '就业'\"}\n" \
	"  - {code: r, name_zh: 就业率, name_en: R, unit: \"%\", kind: rate, ratio: {numerator: \"w\", denominator: \"n\"}}\n" \
	"  - {code: m, name_zh: 金额, name_en: M, unit: 元, kind: amount, source: h, sum: amount}\n"
#define SHIP_CHECKS "checks:\n" \
	"  - {code: k, left: \"w\", op: \"<=\", right: \"n\", block: true}\n" \
	"  - {code: k2, left: \"m\", op: \">=\", right: \"0\", severity: warning}\n"
#define SHIP_REST SHIP_INDS SHIP_CHECKS

/* Load dep.yaml, which includes ship.yaml (the shipped catalog) and
 * ov.yaml (the overlay, text ov); NULL with err set when refused. */
static cfg *load_with(const char *ov)
{
	char path[512];

	put("ship.yaml", SHIP_SOURCES SHIP_REST);
	put("ov.yaml", ov);
	put("dep.yaml", "school: {code: S, name: 学校}\ninclude: [ship.yaml, ov.yaml]\n");
	snprintf(path, sizeof path, "%s/dep.yaml", dir);
	err[0] = '\0';
	return cfg_load(path, err, sizeof err);
}

/* The overlay ov is refused at ov.yaml:where with a message holding what. */
static void refused(const char *ov, const char *where, const char *what, const char *name)
{
	cfg *c = load_with(ov);
	char want[600];
	int good;

	snprintf(want, sizeof want, "%s/ov.yaml:%s ", dir, where);
	good = !c && strncmp(err, want, strlen(want)) == 0 && strstr(err, what) != NULL;
	ok(good, "%s", name);
	if (!good)
		printf("#   got:  %s\n#   want: %s...%s\n", c ? "(loaded)" : err, want, what);
	cfg_free(c);
}

/* Is text (val_norm_key'd) a header of field f? */
static int has_header(const cfg_field *f, const char *text)
{
	if (strcmp(f->header, text) == 0)
		return 1;
	for (size_t i = 0; f->synonyms[i]; i++)
		if (strcmp(f->synonyms[i], text) == 0)
			return 1;
	return 0;
}

static const cfg_check *check_find(const cfg *c, const char *code)
{
	for (size_t i = 0; i < c->nchecks; i++)
		if (strcmp(c->checks[i].code, code) == 0)
			return &c->checks[i];
	return NULL;
}

/* The catalog hash of source name under overlay ov, into hex ("" when the
 * load failed). */
static void hash_with(const char *ov, const char *name, char hex[65])
{
	cfg *c = load_with(ov);

	hex[0] = '\0';
	if (c && cfg_catalog_sha256(c, cfg_source_find(c, name), hex, err, sizeof err) < 0)
		hex[0] = '\0';
	cfg_free(c);
}

static void extend_sources(void)
{
	cfg *c = load_with("overlay:\n"
			   "  sources:\n"
			   "    g:\n"
			   "      files: [\"*去向*\"]\n"
			   "      max_shrink: 0.5\n"
			   "      fields:\n"
			   "        dest: {synonyms: [毕业去向], values: {就业: [签约就业], 待业: [暂未就业]}}\n"
			   "        pay: {synonyms: [起薪（元）], max: 100000}\n"
			   "        campus: {header: 校区, type: text}\n");
	const cfg_source *s = c ? cfg_source_find(c, "g") : NULL;
	const cfg_field *f = s ? cfg_field_find(s, "dest") : NULL, *p = s ? cfg_field_find(s, "pay") : NULL;
	const cfg_field *nf = s ? cfg_field_find(s, "campus") : NULL;
	char key[64];

	ok(s != NULL, "an overlay of a shipped source loads: %s", err);
	if (!s)
		return;
	ok(cfg_source_for_file(c, "/in/毕业去向2023.xlsx") == s && cfg_source_for_file(c, "/in/g.csv") == s,
	   "files: a pattern is added to the shipped ones");
	ok(s->max_shrink == 0.5 && s->max_reject_share == 0.5, "max_shrink is overridden, the rest stays");
	ok(f && has_header(f, "毕业去向") && has_header(f, "去向") && f->required, "a header synonym is added");
	val_norm_key("签约就业", strlen("签约就业"), key, sizeof key);
	ok(f && cfg_enum_match(f, key) && strcmp(cfg_enum_match(f, key)->value, "就业") == 0,
	   "an enum synonym is added to a value");
	val_norm_key("企业就业", strlen("企业就业"), key, sizeof key);
	ok(f && cfg_enum_match(f, key) && strcmp(cfg_enum_match(f, key)->value, "就业") == 0,
	   "  and the shipped synonym stays");
	val_norm_key("暂未就业", strlen("暂未就业"), key, sizeof key);
	ok(f && f->nvalues == 3 && cfg_enum_match(f, key) && strcmp(cfg_enum_match(f, key)->value, "待业") == 0,
	   "an enum value is added with its synonym");
	ok(p && has_header(p, "月薪") && has_header(p, "起薪（元）") && p->has_min && p->min == 0 &&
	   p->has_max && p->max == 100000, "pay: a synonym and a max added, min kept");
	ok(nf && nf->type == CFG_TEXT && nf->col == 6 && s->ncols == 7 && nf->max_length == CFG_TEXT_MAX_LENGTH,
	   "a field the source lacks is added with the next column");
	ok(c->nindicators == 4 && c->nchecks == 2, "every indicator and check stays");
	cfg_free(c);

	c = load_with("overlay:\n  sources:\n    g:\n      files: {replace: [\"*去向*\"]}\n"
		      "      fields: {pay: {synonyms: {replace: [工资]}}}\n");
	s = c ? cfg_source_find(c, "g") : NULL;
	p = s ? cfg_field_find(s, "pay") : NULL;
	ok(s && !cfg_source_for_file(c, "/in/g.csv") && cfg_source_for_file(c, "/in/去向.csv") == s &&
	   p && has_header(p, "工资") && !has_header(p, "月薪"), "{replace: LIST} replaces a list: %s", err);
	cfg_free(c);
}

static void override_and_disable(void)
{
	cfg *c = load_with("overlay:\n"
			   "  indicators:\n"
			   "    n: {name_zh: 毕业生人数, reported_names: [毕业生 总数]}\n"
			   "  checks:\n"
			   "    k: {tolerance: 2, block: false, severity: warning}\n");
	const cfg_indicator *ind = c ? cfg_indicator_find(c, "n") : NULL;
	const cfg_check *k = c ? check_find(c, "k") : NULL;
	char key[64];

	val_norm_key("毕业生 总数", strlen("毕业生 总数"), key, sizeof key);
	ok(ind && strcmp(ind->name_zh, "毕业生人数") == 0 && strcmp(ind->name_en, "N") == 0 &&
	   cfg_indicator_by_name(c, key) == ind, "an indicator's name and reported names are changed: %s", err);
	ok(k && k->tolerance == 2 && !k->block && k->severity == CFG_WARNING, "a check's tolerance, block, severity");
	cfg_free(c);

	c = load_with("overlay:\n  indicators:\n    w: {disable: true}\n");
	ok(c && !cfg_indicator_find(c, "w") && !cfg_indicator_find(c, "r") && cfg_indicator_find(c, "n") &&
	   cfg_indicator_find(c, "m") && c->nindicators == 2,
	   "disabling an indicator removes it and the derived indicators over it: %s", err);
	ok(c && c->nchecks == 1 && check_find(c, "k2"), "  and the checks over it");
	cfg_free(c);

	c = load_with("overlay:\n  checks:\n    k2: {disable: true}\n");
	ok(c && c->nchecks == 1 && check_find(c, "k") && c->nindicators == 4, "a check is disabled: %s", err);
	cfg_free(c);

	c = load_with("overlay:\n  sources:\n    g: {disable: true}\n");
	ok(c && c->nsources == 1 && cfg_source_find(c, "h") && c->nindicators == 1 &&
	   cfg_indicator_find(c, "m")->source == cfg_source_find(c, "h") && c->nchecks == 1,
	   "disabling a source removes it, its indicators and what is over them: %s", err);
	cfg_free(c);

	c = load_with("overlay:\n  sources:\n    g: {max_shrink: 0.3}\n    h: {disable: true}\n");
	ok(c && c->nsources == 1 && cfg_source_find(c, "g")->max_shrink == 0.3 &&
	   cfg_indicator_find(c, "n")->source == cfg_source_find(c, "g") && c->nindicators == 3,
	   "indicators keep their source when another is disabled: %s", err);
	cfg_free(c);
}

/* Two overlays apply in the order read; one in the deployment file itself. */
static void order_and_upgrade(void)
{
	char path[512];
	cfg *c;
	const cfg_source *s;

	put("ship.yaml", SHIP_SOURCES SHIP_REST);
	put("a.yaml", "overlay: {sources: {g: {max_shrink: 0.4, fields: {pay: {synonyms: [甲]}}}}}\n");
	put("b.yaml", "overlay: {sources: {g: {max_shrink: 0.6, fields: {pay: {synonyms: [乙]}}}}}\n");
	put("dep.yaml", "school: {code: S, name: 学校}\ninclude: [b.yaml, ship.yaml, a.yaml]\n"
	    "overlay: {checks: {k2: {tolerance: 5}}}\n");
	snprintf(path, sizeof path, "%s/dep.yaml", dir);
	c = cfg_load(path, err, sizeof err);
	s = c ? cfg_source_find(c, "g") : NULL;
	ok(s && s->max_shrink == 0.4 && has_header(cfg_field_find(s, "pay"), "甲") &&
	   has_header(cfg_field_find(s, "pay"), "乙") && check_find(c, "k2")->tolerance == 5,
	   "overlays apply in the order read, wherever the catalog is included: %s", err);
	cfg_free(c);

	/* The shipped catalog is upgraded: a new indicator reaches the deployment. */
	put("ship.yaml", SHIP_SOURCES SHIP_INDS
	    "  - {code: p, name_zh: 平均起薪, name_en: P, unit: 元, kind: mean, source: g, mean: pay}\n" SHIP_CHECKS);
	c = cfg_load(path, err, sizeof err);
	s = c ? cfg_source_find(c, "g") : NULL;
	ok(s && cfg_indicator_find(c, "p") && s->max_shrink == 0.4 && has_header(cfg_field_find(s, "pay"), "甲"),
	   "an upgraded shipped catalog reaches the deployment, the overlay still applies: %s", err);
	cfg_free(c);
}

static void hashes(void)
{
	char none[65], a[65], a2[65], b[65], hg[65], hh[65], kh[65];

	hash_with("{}\n", "g", none);
	hash_with("overlay: {sources: {g: {fields: {pay: {synonyms: [甲]}}}}}\n", "g", a);
	hash_with("overlay: {sources: {g: {fields: {pay: {synonyms: [甲]}}}}}\n", "g", a2);
	hash_with("overlay: {sources: {g: {fields: {pay: {synonyms: [乙]}}}}}\n", "g", b);
	ok(none[0] && a[0] && strcmp(none, a) != 0 && strcmp(a, b) != 0 && strcmp(a, a2) == 0,
	   "a source's overlay takes part in its catalog hash");
	hash_with("overlay: {sources: {h: {max_shrink: 0.9}}}\n", "g", hg);
	hash_with("overlay: {sources: {h: {max_shrink: 0.9}}}\n", "h", hh);
	hash_with("{}\n", "h", kh);
	ok(hg[0] && strcmp(hg, none) == 0 && strcmp(hh, kh) != 0, "another source's overlay does not change it");
	hash_with("overlay: {indicators: {n: {name_zh: 人}}}\n", "g", a);
	hash_with("overlay: {indicators: {n: {name_zh: 人}}}\n", "h", hh);
	ok(a[0] && strcmp(a, none) != 0 && strcmp(hh, kh) == 0, "an overlay of an indicator changes its source's hash");
	hash_with("overlay: {checks: {k: {tolerance: 1}}}\n", "h", hh);
	ok(hh[0] && strcmp(hh, kh) != 0, "an overlay of a check changes every source's hash");
}

static void mistakes(void)
{
	refused("overlay:\n  sources:\n    nope: {max_shrink: 0.1}\n", "3:5:",
		"overlay of an unknown source \"nope\"", "an unknown source is refused at its name");
	refused("overlay:\n  indicators:\n    n: {}\n    nope: {disable: true}\n", "4:5:",
		"overlay of an unknown indicator \"nope\"", "an unknown indicator is refused at its code");
	refused("overlay:\n  checks:\n    kk: {tolerance: 1}\n", "3:5:",
		"overlay of an unknown check \"kk\"", "an unknown check is refused at its code");
	refused("overlay:\n  sources:\n    g: {period: {type: semester, date: d}}\n", "3:9:",
		"\"period\" cannot be changed by an overlay of source \"g\" (it may give: disable, name_zh",
		"a source's period cannot be overridden");
	refused("overlay:\n  sources:\n    g:\n      fields:\n        dest: {synonyms: [x], type: text}\n", "5:31:",
		"\"type\" cannot be changed by an overlay of field \"dest\" of source \"g\"",
		"a field's type cannot be overridden");
	refused("overlay:\n  sources:\n    g:\n      fields:\n        pid: {pii: none}\n", "5:15:",
		"\"pii\" cannot be changed", "a field's pii cannot be overridden");
	refused("overlay:\n  indicators:\n    n: {count: pay}\n", "3:9:",
		"\"count\" cannot be changed by an overlay of indicator \"n\"", "an indicator's rule cannot be overridden");
	refused("overlay:\n  checks:\n    k: {left: \"n\"}\n", "3:9:",
		"\"left\" cannot be changed by an overlay of check \"k\"", "a check's formula cannot be overridden");
	refused("overlay:\n  sources:\n    g: {max_shrink: lots}\n", "3:21:",
		"max_shrink must be a number, found \"lots\"", "a word for a share is refused");
	refused("overlay:\n  sources:\n    g: {max_shrink: 2}\n", "3:21:",
		"max_shrink must be between 0 and 1", "a share above 1 is refused");
	refused("overlay:\n  sources:\n    g: {fields: {campus: {header: 校区}}}\n", "3:18:",
		"source \"g\" has no field \"campus\" (a new field needs a \"header\" and a \"type\")",
		"a new field without a type is refused");
	refused("overlay:\n  sources:\n    g: {fields: {campus: {header: 校区, type: txt}}}\n", "3:45:",
		"unknown type \"txt\"", "a new field of an unknown type is refused");
	refused("overlay:\n  sources:\n    g: {fields: {dest: {values: {升学: [企业就业]}}}}\n", "3:33:",
		"enum label \"企业就业\" is given twice", "an enum synonym meaning two values is refused");
	refused("overlay:\n  sources:\n    g: {fields: {pay: {values: {a: []}}}}\n", "3:32:",
		"\"values\" applies to enum fields only", "values on a number field are refused");
	refused("overlay:\n  sources:\n    g: {fields: {pay: {max_length: 20}}}\n", "3:36:",
		"max_length applies to text fields", "an option of another type is refused");
	refused("overlay:\n  checks:\n    k2: {block: true}\n", "3:17:",
		"only an error can block a load", "a warning made blocking is refused");
	refused("overlay:\n  checks:\n    k: {severity: warning}\n", "3:19:",
		"only an error can block a load", "a blocking check made a warning is refused");
	refused("overlay:\n  checks:\n    k: {tolerance: -1}\n", "3:20:",
		"tolerance must not be negative", "a negative tolerance is refused");
	refused("overlay:\n  indicators:\n    n: {disable: maybe}\n", "3:18:",
		"disable must be true or false", "disable must be a boolean");
	refused("overlay:\n  sources:\n    g: {files: {add: [x]}}\n", "3:17:",
		"unknown key \"add\" in files (expected one of: replace)", "a list is added to or replaced");
	refused("overlay: [g]\n", "1:10:", "overlay must be a mapping", "overlay must be a mapping");
	refused("overlay:\n  source: {}\n", "2:3:",
		"unknown key \"source\" in overlay (expected one of: sources, indicators, checks)",
		"an unknown part of an overlay is refused");
	refused("overlay:\n  sources: [g]\n", "2:12:", "overlay.sources (names and their changes) must be a mapping",
		"overlay.sources must be a mapping");
	refused("sources:\n  g:\n    files: [x]\n    period: {type: fiscal_year, year: y}\n"
		"    fields: {y: {header: 年, type: integer}}\n", "2:3:",
		"source \"g\" is defined twice", "a source defined twice is still refused");
}

int main(void)
{
	char cmd[600];
	cfg *c;
	const cfg_source *s;

	if (!mkdtemp(dir))
		return 1;
	c = cfg_load("tests/data/overlay/self.yaml", err, sizeof err);
	s = c ? cfg_source_find(c, "g") : NULL;
	ok(s && s->max_shrink == 0.5 && s->nfields == 4 && strcmp(cfg_field_find(s, "pay")->synonyms[0], "月薪") == 0 &&
	   !cfg_field_find(s, "pay")->synonyms[1] && c->nindicators == 1 && c->nchecks == 0,
	   "a file may overlay what it defines itself (tests/data/overlay/self.yaml): %s", c ? "" : err);
	cfg_free(c);
	extend_sources();
	override_and_disable();
	order_and_upgrade();
	hashes();
	mistakes();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
