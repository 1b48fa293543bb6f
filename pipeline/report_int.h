/*
 * report_int.h - what the parts of `vqr report` share, inside pipeline/
 * report*.c only: the layout's tables (report_layout.c reads them), the
 * filled tables (report_fill.c), templates (report_tmpl.c) that both
 * expand, and what report_write.c prints.  Other modules use report.h.
 */
#ifndef VQR_REPORT_INT_H
#define VQR_REPORT_INT_H

#include <stddef.h>
#include <stdio.h>

#include "pipeline/report.h"

#define MAX_BY 16               /* breakdown fields of a rows_from table */

enum { AL_AUTO, AL_LEFT, AL_RIGHT };

/* The chart of a table in HTML. */
enum { CH_NONE, CH_BARS, CH_STACK };

/* What a block of the layout is. */
enum { LK_TABLE, LK_TEXT, LK_FIGURES };

/* A reference to an indicator value. */
typedef struct vref {
	char *indicator;        /* indicator code */
	char **bd_keys;         /* breakdown field names (nbd) */
	char **bd_vals;         /* their values: templates, NULL = JSON null (nbd) */
	size_t nbd;             /* number of breakdown fields */
	int decimals;           /* digits after the point; -1: as stored, at most 2 */
	char *prefix, *suffix;  /* literal text around the number (from format) */
	int reported;           /* value_type: reported (else computed, falling back to reported) */
	int semester;           /* 1 or 2 for a semester indicator, else 0 */
	char *period;           /* period template overriding the indicator's own, or NULL */
	int line, col;          /* where in the layout (for warnings) */
} vref;

/* A cell of the layout: a template, or a value reference. */
typedef struct lcell {
	char *text;             /* template (when ref is NULL) */
	vref *ref;              /* value reference, or NULL */
} lcell;

typedef struct lcol {
	char *title;            /* header template */
	char *group;            /* header template of the span above it, or NULL */
	int align;              /* AL_AUTO, AL_LEFT, AL_RIGHT */
} lcol;

typedef struct ltable {
	char *id;               /* table id, e.g. "1-2" (for --table) */
	char *title;            /* title template */
	char **notes;           /* note templates printed under the table (nnotes) */
	size_t nnotes;
	lcol *cols;             /* columns (ncols) */
	size_t ncols;
	lcell *cells;           /* fixed rows: nrows x ncols */
	size_t nrows;
	char *from;             /* rows_from: the indicator, or NULL */
	char *by[MAX_BY];       /* rows_from: its breakdown fields (nby) */
	size_t nby;
	char *order[MAX_BY];    /* rows_from: sort fields (norder) */
	size_t norder;
	lcell *row;             /* rows_from: one row template (ncols) */
	int kind;               /* LK_TABLE, LK_TEXT (text + values) or LK_FIGURES (rows: label, value) */
	char *text;             /* LK_TEXT: the paragraph template, with the value names as variables */
	char **vnames;          /* LK_TEXT: the names of the values (nvals) */
	lcell *vals;            /* LK_TEXT: the values (nvals) */
	size_t nvals;
	int chart;              /* CH_NONE, CH_BARS or CH_STACK (chart: type) */
	size_t chart_label;     /* chart: the column of the labels (0-based) */
	size_t chart_value;     /* chart: the column of the values (0-based) */
	char *chart_unit;       /* chart: the unit of the values, or NULL */
	int line, col;          /* where the table starts */
} ltable;

struct report_layout {
	char *path;             /* the layout file */
	char *heading;          /* heading template, or NULL */
	ltable *t;              /* tables (nt) */
	size_t nt;
};

/* A filled cell. */
typedef struct fcell {
	char *text;             /* what it shows (without its mark) */
	const char *mark;       /* footnote mark (static), or NULL */
	int isref;              /* it came from a value reference */
	char *num;              /* the number in text, rounded, without prefix or suffix, or NULL */
	char *numer, *denom;    /* its numerator and denominator (computed rates and means), or NULL */
	const char *agg;        /* how schools combine (vqr.indicator.aggregate, static), or NULL */
	char *scale;            /* the indicator's scale (100 for percentages), or NULL */
	int pct;                /* the indicator's unit is % */
	int hasnum;             /* a value was found: val holds it */
	double val;             /* the value shown, as a number (rounded as shown) */
	size_t ntrend;          /* values of the indicator in the periods up to the report's (text and figures) */
	char **tperiod;         /* their periods, oldest first (ntrend) */
	char **tshown;          /* the values as shown (ntrend) */
	double *tvalue;         /* the values (ntrend) */
	char *tname, *tunit;    /* the indicator's name and unit (with a trend), or NULL */
	char *code;             /* the indicator's code (a value found), or NULL */
	char *name, *unit;      /* the indicator's name and unit (a value found), or NULL */
	char *rtext;            /* the region's figure as shown (report_beside), or NULL */
	double rval;            /* that figure as a number */
	int rank, nrank;        /* the school's rank (1: the highest value) among the nrank schools with a value */
} fcell;

typedef struct ftable {
	char *title;            /* expanded title */
	char **head;            /* column headers (ncols) */
	char **group;           /* span headers, NULL entries when none (ncols) */
	int *right;             /* per column: right-aligned */
	size_t ncols;
	fcell *cells;           /* nrows x ncols */
	size_t nrows;
	char **notes;           /* expanded notes and footnotes, in order (nnotes) */
	size_t nnotes;
	int nmarks;             /* footnote marks used */
	int kind;               /* LK_TABLE, LK_TEXT or LK_FIGURES (as the layout's block) */
	const ltable *lt;       /* the layout's block (not owned) */
	char *text;             /* LK_TEXT: the paragraph with its values, or NULL */
	fcell *vals;            /* LK_TEXT: its values, in the layout's order (nvals) */
	size_t nvals;
} ftable;

struct report_data {
	char *heading;          /* expanded heading, or NULL */
	char *school_code;      /* the school (for a region report: the first one) */
	char *school_name;      /* its name */
	char *year;             /* the academic year, e.g. "2022-2023" */
	char *source;           /* the database read: "dbname on host" */
	ftable *t;              /* tables (nt) */
	size_t nt;
	char **warn;            /* warnings (nwarn) */
	size_t nwarn;
	size_t found;           /* values found */
	size_t nschools;        /* report_beside: the schools of the region (0: not compared) */
	int confined;           /* report_beside: row-level security limits what the role sees */
};

/* The i-th footnote mark of a table (†, ‡, ...; the 8th for any later
 * one; static). */
const char *report_mark(int i);

/* Display width of UTF-8 text s on a terminal (East Asian wide
 * characters count 2; report_write.c). */
int report_dwidth(const char *s);

/* Write r as an Excel workbook at path (report_xlsx.c): one sheet per
 * table and an about sheet.  0, or -1 with err. */
int report_xlsx_write(const report_data *r, const char *path, char *err, size_t errlen);

/* Template variables: name -> value (NULL = no value). */
typedef struct vars {
	const char *name[8 + MAX_BY];
	const char *value[8 + MAX_BY];
	size_t n;
} vars;

/* The report's own template variables and the texts they point to. */
typedef struct report_base {
	vars v;                 /* school_name, school_code, year, year_start, year_end, fiscal_year */
	char ystart[8];         /* year_start's text */
	char yend[8];           /* year_end's text */
	char fiscal[16];        /* fiscal_year's text */
} report_base;

/* Set b's variables for the school of name and code (the caller's
 * strings, which must outlive b) and academic year year (checked, e.g.
 * "2022-2023"; the caller's too).  b->v points into b: use b in place. */
void report_base_vars(report_base *b, const char *name, const char *code, const char *year);

/* Free what filled cell c holds (not c itself). */
void report_fcell_free(fcell *c);

/* The region's figure of the schools' cells c[0..n-1] (NULL: the school
 * has no such cell) into out, as report_region computes it (counts: the
 * sum; rates and means: the sum of numerators over the sum of
 * denominators times the scale); out->text is — when there is none.
 * The caller frees out's contents with report_fcell_free. */
void report_region_cell(fcell *out, const fcell *const *c, size_t n);

/* Append s (a malloc'd string, handed over) to the array *v of *n
 * strings. */
void report_push_str(char ***v, size_t *n, char *s);

/* Set template variable name (static or the caller's, as value) in v. */
void report_vars_set(vars *v, const char *name, const char *value);

/* Check template s: {name} with name one of the report's variables
 * (school_name, school_code, year, year_start, year_end, fiscal_year) or
 * extra (nextra), optional groups [...] (not nested), {{ }} [[ ]] for
 * literal brackets.  0, or -1 with what is wrong in bad. */
int report_tmpl_check(const char *s, char *const *extra, size_t nextra, char *bad, size_t badlen);

/* The value of variable name (its first n bytes) in v, *known saying
 * whether v has it. */
const char *report_var_of(const vars *v, const char *name, size_t n, int *known);

/* Expand a checked template: a new string (the caller frees it); an
 * optional group [...] with an empty variable in it is left out. */
char *report_tmpl_expand(const char *s, const vars *v);

/* The HTML format (report_html.c): the document's start (with heading,
 * may be NULL), one block, and its end.  They write to out; the caller
 * checks ferror. */
void report_html_begin(const report_data *r, FILE *out);
void report_html_block(const report_data *r, const ftable *t, FILE *out);
void report_html_end(const report_data *r, FILE *out);

#endif
