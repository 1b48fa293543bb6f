/*
 * report_html.c - the quality report as one self-contained HTML file
 * (`vqr report --format html`): the tables, the text and key figures as
 * paragraphs and cards, the charts a table's layout asks for (chart:) as
 * inline SVG (report_svg.c), the school beside the region where the
 * report has it (report_fetch_beside), footnotes (†) under their block,
 * linked from their marks.  No script,
 * no fetch: system fonts (a CJK stack), CSS inline, readable on a phone
 * (tables scroll sideways, charts scale), printable on A4.
 */
#include "pipeline/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util/mem.h"
#include "lib/util/str.h"
#include "pipeline/report_svg.h"

static const char css[] =
	":root{font-family:\"PingFang SC\",\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;color:#1d232b;"
	"line-height:1.6}\n"
	"body{margin:0;background:#fff}\n"
	"main{max-width:960px;margin:0 auto;padding:12px 16px 32px}\n"
	"h1{font-size:1.5em;margin:.4em 0;border-bottom:3px solid #1f5fa8;padding-bottom:.3em}\n"
	"h2{font-size:1.15em;margin:1.4em 0 .5em;color:#123f73}\n"
	".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}\n"
	"table{border-collapse:collapse;font-size:.92em}\n"
	"th,td{border:1px solid #c9d1dc;padding:4px 8px;vertical-align:top}\n"
	"th{background:#eef2f7;font-weight:600}\n"
	"td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
	".mark{color:#b8403a}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px}\n"
	".card{border:1px solid #d5dce6;border-radius:6px;padding:6px 10px;background:#f8fafc}\n"
	".card .v{font-size:1.35em;font-weight:700;color:#1f5fa8}\n"
	".card .l{font-size:.85em;color:#444}\n"
	"figure{margin:10px 0}\n"
	"svg.chart{display:block;width:100%;max-width:640px;height:auto}\n"
	".trends{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,420px),1fr));gap:8px 16px}\n"
	"figcaption,.notes,footer{font-size:.82em;color:#555}\n"
	".notes{margin:.4em 0;padding-left:0;list-style:none}\n"
	"@media print{@page{size:A4;margin:15mm}main{max-width:none;padding:0}"
	"section{break-inside:avoid-page}.scroll{overflow:visible}h1{color:#000}}\n";

/* Write text s escaped for HTML. */
static void put_esc(FILE *out, const char *s)
{
	str b = STR_INIT;
	svg_escape(&b, s);
	if (b.len)
		fwrite(b.s, 1, b.len, out);
	str_free(&b);
}

/* Write <tag>text</tag>, the text escaped. */
static void put_elem(FILE *out, const char *tag, const char *text)
{
	fprintf(out, "<%s>", tag);
	put_esc(out, text ? text : "");
	fprintf(out, "</%s>", tag);
}

/* The date the report is written (UTC), YYYY-MM-DD. */
static void today(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

void report_html_begin(const report_data *r, FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", out);
	put_esc(out, r->heading ? r->heading : "质量年度报告");
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
	put_esc(out, r->heading ? r->heading : "质量年度报告");
	fputs("</h1>\n", out);
}

void report_html_end(const report_data *r, FILE *out)
{
	char d[16];
	today(d, sizeof d);
	fputs("<footer><p>数据来源：vqr 数据库（vqr.indicator_value），学校 ", out);
	put_esc(out, r->school_code);
	fputs("，", out);
	put_esc(out, r->year);
	fprintf(out, " 学年；生成日期 %s。— 表示数据库中没有该值；† 等标记见各表下的注。</p></footer>\n"
		     "</main>\n</body>\n</html>\n", d);
}

/* The number of mark mk (0 for †, ...; report_mark), or -1. */
static int mark_index(const char *mk, size_t len)
{
	for (int i = 0; i < 8; i++)
		if (strlen(report_mark(i)) == len && strncmp(report_mark(i), mk, len) == 0)
			return i;
	return -1;
}

/* A cell's text with its mark, which links to its footnote (the note
 * with id n<block>-<mark>) under block t of r. */
static void put_cell(FILE *out, const report_data *r, const ftable *t, const fcell *x)
{
	put_esc(out, x->text ? x->text : "");
	if (x->mark) {
		fprintf(out, "<sup class=\"mark\"><a href=\"#n%td-%d\">", t - r->t, mark_index(x->mark, strlen(x->mark)));
		put_esc(out, x->mark);
		fputs("</a></sup>", out);
	}
}

/* The notes under block t of r: a footnote ("† ...") has the id its
 * marks link to. */
static void put_notes(FILE *out, const report_data *r, const ftable *t)
{
	fputs("<ul class=\"notes\">\n", out);
	for (size_t k = 0; k < t->nnotes; k++) {
		const char *sp = strchr(t->notes[k], ' ');
		int m = sp ? mark_index(t->notes[k], (size_t)(sp - t->notes[k])) : -1;
		if (m >= 0)
			fprintf(out, "<li id=\"n%td-%d\">", t - r->t, m);
		else
			fputs("<li>", out);
		put_esc(out, t->notes[k]);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

/* The header rows: the groups (spanning their columns) when there are
 * any, then the column titles. */
static void html_head(const ftable *t, FILE *out)
{
	int groups = 0;

	for (size_t c = 0; c < t->ncols; c++)
		groups |= t->group[c] != NULL;
	fputs("<thead>\n", out);
	if (groups) {
		fputs("<tr>", out);
		for (size_t c = 0, e; c < t->ncols; c = e) {
			e = c + 1;
			while (t->group[c] && e < t->ncols && t->group[e] && strcmp(t->group[e], t->group[c]) == 0)
				e++;
			fprintf(out, "<th colspan=\"%zu\">", e - c);
			put_esc(out, t->group[c] ? t->group[c] : "");
			fputs("</th>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("<tr>", out);
	for (size_t c = 0; c < t->ncols; c++)
		put_elem(out, "th", t->head[c]);
	fputs("</tr>\n</thead>\n", out);
}

static void html_table(const report_data *rd, const ftable *t, FILE *out)
{
	fputs("<div class=\"scroll\"><table>\n", out);
	html_head(t, out);
	fputs("<tbody>\n", out);
	for (size_t r = 0; r < t->nrows; r++) {
		fputs("<tr>", out);
		for (size_t c = 0; c < t->ncols; c++) {
			const fcell *x = &t->cells[r * t->ncols + c];
			if (x->hasnum)
				fprintf(out, "<td class=\"num\" data-value=\"%.9g\">", x->val);
			else
				fputs(t->right[c] ? "<td class=\"num\">" : "<td>", out);
			put_cell(out, rd, t, x);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n", out);
}

/* The paragraph of text block t: its template expanded again with a
 * token for each value (\x01 k \x02, which escaping leaves alone), then
 * escaped, each token replaced by its value with a linked mark.  A
 * paragraph of no values of its own (the region's) is written as it is. */
static void html_paragraph(const report_data *r, const ftable *t, FILE *out)
{
	char tok[MAX_BY][8];
	report_base base;
	vars v;
	char *text;
	str b = STR_INIT;

	if (!t->nvals || t->nvals > MAX_BY) {
		put_elem(out, "p", t->text);
		fputc('\n', out);
		return;
	}
	report_base_vars(&base, r->school_name, r->school_code, r->year);
	v = base.v;
	for (size_t k = 0; k < t->nvals; k++) {
		snprintf(tok[k], sizeof tok[k], "\x01%c\x02", (char)('A' + k));
		report_vars_set(&v, t->lt->vnames[k], tok[k]);
	}
	text = report_tmpl_expand(t->lt->text, &v);
	svg_escape(&b, text);
	fputs("<p>", out);
	for (const char *p = b.s ? b.s : ""; *p; p++) {
		if (p[0] == '\x01' && p[1] && p[2] == '\x02' && p[1] >= 'A' && (size_t)(p[1] - 'A') < t->nvals) {
			put_cell(out, r, t, &t->vals[p[1] - 'A']);
			p += 2;
		} else {
			fputc(*p, out);
		}
	}
	fputs("</p>\n", out);
	free(text);
	str_free(&b);
}

/* Key figures as cards: label, value. */
static void html_cards(const report_data *rd, const ftable *t, FILE *out)
{
	fputs("<div class=\"cards\">\n", out);
	for (size_t r = 0; r < t->nrows; r++) {
		const fcell *l = &t->cells[r * 2], *v = &t->cells[r * 2 + 1];
		if (v->hasnum)
			fprintf(out, "<div class=\"card\"><div class=\"v\" data-value=\"%.9g\">", v->val);
		else
			fputs("<div class=\"card\"><div class=\"v\">", out);
		put_cell(out, rd, t, v);
		fputs("</div><div class=\"l\">", out);
		put_cell(out, rd, t, l);
		fputs("</div></div>\n", out);
	}
	fputs("</div>\n", out);
}

/* The source and date of a chart, under it. */
static void put_caption(const report_data *rd, const char *what, FILE *out)
{
	char d[16];
	today(d, sizeof d);
	fputs("<figcaption>", out);
	if (what) {
		put_esc(out, what);
		fputs("。", out);
	}
	fputs("来源：vqr 数据库，学校 ", out);
	put_esc(out, rd->school_code);
	fprintf(out, "；%s 生成。</figcaption>\n", d);
}

/* Does value c have a region beside it (report_fetch_beside; another
 * school has the value too)? */
static int has_region(const report_data *rd, const fcell *c)
{
	return rd->nschools > 1 && c->rtext && c->nrank > 1;
}

/* Append to b what the region of rd is and how its figure of rule agg
 * (NULL: of several rules) is made. */
static void region_note(str *b, const report_data *rd, const char *agg)
{
	str_addf(b, "区域 = %s %zu 所学校", rd->confined ? "行级安全下当前数据库角色可见的" : "数据库中", rd->nschools);
	if (!agg)
		str_add(b, "（计数为各校之和，比率与均值为各校分子之和除以分母之和）");
	else if (strcmp(agg, "sum") == 0)
		str_add(b, "之和");
	else
		str_add(b, "的分子之和除以分母之和（不是百分比的平均）");
}

/* The chart the layout asks for under table t: one mark per row whose
 * value column holds a value; with region, the school's beside the
 * region's (bars: the school's, with its rank, then the region's; a
 * stacked bar: the region's), nothing when no row has the region's. */
static void html_chart(const report_data *rd, const ftable *t, int region, FILE *out)
{
	const ltable *lt = t->lt;
	svg_item *it = xcalloc(2 * t->nrows + 1, sizeof *it);
	char **shown = xcalloc(t->nrows + 1, sizeof *shown);
	char *rlabel = xasprintf("区域（%zu 校）", rd->nschools);
	size_t n = 0, nr = 0;
	str b = STR_INIT, what = STR_INIT;

	for (size_t r = 0; r < t->nrows; r++) {
		const fcell *l = &t->cells[r * t->ncols + lt->chart_label], *v = &t->cells[r * t->ncols + lt->chart_value];
		int beside = region && has_region(rd, v);
		if (!v->hasnum || (region && lt->chart == CH_STACK && !beside))
			continue;
		nr += beside;
		shown[r] = beside ? xasprintf("%s%s（第%d/%d）", v->text, v->mark ? v->mark : "", v->rank, v->nrank)
				  : xasprintf("%s%s", v->text, v->mark ? v->mark : "");
		if (!region || lt->chart == CH_BARS)
			it[n++] = (svg_item){ l->text, v->val, shown[r], 0 };
		if (beside)
			it[n++] = (svg_item){ lt->chart == CH_BARS ? rlabel : l->text, v->rval, v->rtext, 1 };
	}
	if (region) {
		str_addf(&what, "%s：%s。", t->title, lt->chart == CH_BARS ? "本校（括号内为排名，从高到低）与区域" : "区域的构成");
		region_note(&what, rd, NULL);
	}
	if (lt->chart == CH_BARS)
		svg_bars(&b, region ? what.s : t->title, it, n, lt->chart_unit, 0);
	else
		svg_stack(&b, region ? what.s : t->title, it, n, lt->chart_unit);
	if (n && b.len && (!region || nr)) {
		fputs(region ? "<figure class=\"beside-table\">\n" : "<figure>\n", out);
		fwrite(b.s, 1, b.len, out);
		fputc('\n', out);
		put_caption(rd, region ? what.s : NULL, out);
		fputs("</figure>\n", out);
	}
	str_free(&b);
	str_free(&what);
	strv_free(shown, t->nrows);
	FREE_ALL(it, rlabel);
}

/* The trend of value c (two periods or more): a bar per period. */
static void html_trend(const report_data *rd, const fcell *c, FILE *out)
{
	svg_item *it = xcalloc(c->ntrend, sizeof *it);
	str b = STR_INIT, title = STR_INIT;

	for (size_t k = 0; k < c->ntrend; k++)
		it[k] = (svg_item){ c->tperiod[k], c->tvalue[k], c->tshown[k], 0 };
	str_addf(&title, "%s 历年（%s）", c->tname, c->tunit && *c->tunit ? c->tunit : "—");
	svg_bars(&b, title.s, it, c->ntrend, c->tunit, 0);
	fputs("<figure class=\"trend\">\n", out);
	fwrite(b.s, 1, b.len, out);
	fputc('\n', out);
	put_caption(rd, title.s, out);
	fputs("</figure>\n", out);
	str_free(&b);
	str_free(&title);
	free(it);
}

/* Value c of the school beside the region's (report_fetch_beside; when
 * another school has the value too): two bars from zero, the school's
 * rank and how the region is made under them. */
static void html_beside(const report_data *rd, const fcell *c, FILE *out)
{
	char *shown = xasprintf("%s%s", c->text, c->mark ? c->mark : "");
	char *region = xasprintf("区域（%zu 校）", rd->nschools);
	svg_item it[2] = { { rd->school_name, c->val, shown, 0 }, { region, c->rval, c->rtext, 1 } };
	str b = STR_INIT, title = STR_INIT, what = STR_INIT;

	str_addf(&title, "%s：本校与区域（%s）", c->name ? c->name : c->code, c->unit && *c->unit ? c->unit : "—");
	svg_bars(&b, title.s, it, 2, c->unit, 0);
	fputs("<figure class=\"beside\" data-indicator=\"", out);
	put_esc(out, c->code);
	fprintf(out, "\" data-rank=\"%d\" data-nrank=\"%d\">\n", c->rank, c->nrank);
	fwrite(b.s, 1, b.len, out);
	str_addf(&what, "%s。本校排名 第%d/%d（有此数据的 %d 所学校中，从高到低）；", title.s, c->rank, c->nrank,
		 c->nrank);
	region_note(&what, rd, c->agg ? c->agg : "sum");
	fputc('\n', out);
	put_caption(rd, what.s, out);
	fputs("</figure>\n", out);
	str_free(&b);
	str_free(&title);
	str_free(&what);
	FREE_ALL(shown, region);
}

/* The trends of the values of a text block or of key figures, and each
 * value beside the region's when the report has it. */
static void html_trends(const report_data *rd, const ftable *t, FILE *out)
{
	size_t n = t->kind == LK_TEXT ? t->nvals : t->nrows, shown = 0;

	for (size_t k = 0; k < n; k++) {
		const fcell *c = t->kind == LK_TEXT ? &t->vals[k] : &t->cells[k * 2 + 1];
		int beside = has_region(rd, c);
		if (c->ntrend < 2 && !beside)
			continue;
		if (!shown++)
			fputs("<div class=\"trends\">\n", out);
		if (c->ntrend >= 2)
			html_trend(rd, c, out);
		if (beside)
			html_beside(rd, c, out);
	}
	if (shown)
		fputs("</div>\n", out);
}

void report_html_block(const report_data *r, const ftable *t, FILE *out)
{
	fprintf(out, "<section class=\"block %s\" data-id=\"", t->kind == LK_TEXT ? "text" :
							     t->kind == LK_FIGURES ? "figures" : "table");
	put_esc(out, t->lt->id);
	fputs("\">\n", out);
	put_elem(out, "h2", t->title);
	fputc('\n', out);
	if (t->kind == LK_TEXT) {
		html_paragraph(r, t, out);
	} else if (t->kind == LK_FIGURES) {
		html_cards(r, t, out);
	} else {
		html_table(r, t, out);
	}
	if (t->kind != LK_TABLE)
		html_trends(r, t, out);
	if (t->lt->chart != CH_NONE)
		html_chart(r, t, 0, out);
	if (t->lt->chart != CH_NONE && r->nschools > 1)
		html_chart(r, t, 1, out);
	if (t->nnotes)
		put_notes(out, r, t);
	fputs("</section>\n", out);
}
