/*
 * report.h - the tables of a college's quality report (质量年度报告),
 * printed from the database in the report's own layout (`vqr report`).
 *
 * The layout is data: a YAML file (config/report/quality_report.yaml)
 * lists the tables, each with a title template, its columns and its rows.
 * A cell is literal text (a template: {year_end}, {school_name}, ...) or
 * a reference to an indicator value: {indicator: CODE, breakdown: {...},
 * format: percent | integer | "%.2f", value_type: computed | reported,
 * semester: 1 | 2, period: TEMPLATE}.  A table may instead take its rows
 * from the breakdowns of one indicator (rows_from: {indicator, by, order}
 * with a row template using the breakdown fields and {n}).
 *
 * Use:
 *     report_layout *l = report_layout_load(path, err, sizeof err);
 *     report_data *r;
 *     rc = report_fetch(conn, l, school, year, table_id, &r, err, sizeof err);
 *     report_write(r, report_format_find("text"), stdout);   (then check stdout)
 *     report_data_free(r); report_layout_free(l);
 *
 * The period of each value follows its indicator's vqr.indicator
 * period_type: academic_year = the year asked for, fiscal_year = the
 * calendar year the academic year starts in, snapshot = the latest
 * snapshot of the indicator within the academic year, semester = the
 * cell's semester (1 or 2) of the academic year.  A computed value that
 * differs from the reported one of the same period and breakdown (by more
 * than half a unit of the reported figure's last decimal) is marked (†)
 * and explained in a footnote under its table.  A missing value prints —.
 * Nothing here prints or exits: errors go into the caller's buffer.
 */
#ifndef VQR_REPORT_H
#define VQR_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <libpq-fe.h>

typedef struct report_layout report_layout; /* a loaded layout (opaque) */
typedef struct report_data report_data;     /* the filled tables (opaque) */

/* A format the tables are written in (opaque, static): text (aligned
 * columns for a terminal, CJK counted double width), markdown or md (pipe
 * tables), csv (RFC 4180: each table's title, header, rows, footnotes;
 * a figure is its bare number, a percentage with its %, and a column with
 * marked figures is followed by a column 注 holding the marks), xlsx (an Excel workbook, report_save only: pipeline/report_xlsx.c). */
typedef struct report_format report_format;

/* The format of that name, or NULL when there is none. */
const report_format *report_format_find(const char *name);

/* Read and check the layout file path.  NULL with "file:line:col: what is
 * wrong" in err.  The caller frees it with report_layout_free. */
report_layout *report_layout_load(const char *path, char *err, size_t errlen);

/* Free a layout (NULL is fine). */
void report_layout_free(report_layout *l);

/* Does the layout have a table with this id? */
int report_layout_has_table(const report_layout *l, const char *id);

/* Fill the tables of layout l (only table only_id when not NULL) for
 * school and academic year (e.g. "2022-2023") from the database conn.
 * Returns 0 with *out set (caller frees with report_data_free), or with
 * err REPORT_REFUSED (unknown school or bad year) or -1 (a database
 * error). */
#define REPORT_REFUSED (-2)
int report_fetch(PGconn *conn, const report_layout *l, const char *school, const char *year,
		 const char *only_id, report_data **out, char *err, size_t errlen);

/* The colleges side by side: the layout filled for every school that has
 * values in the database (report_fetch for each, in order of school
 * code), merged by report_region.  Returns as report_fetch does;
 * REPORT_REFUSED also when no school, or more than REPORT_MAX_SCHOOLS,
 * has values. */
#define REPORT_MAX_SCHOOLS 60
int report_fetch_region(PGconn *conn, const report_layout *l, const char *year, const char *only_id,
			report_data **out, char *err, size_t errlen);

/* The region beside school r (report_fetch's: one school, layout l,
 * only_id as given to report_fetch): when the database holds the values
 * of r's school and at least one other (of what the role may see; at most
 * REPORT_MAX_SCHOOLS), each figure of r gets the region's figure as
 * report_region computes it and the school's rank among the schools with
 * that figure (1: the highest value); the HTML report draws them beside
 * the school's.  0 (with one school r is left as it was), or -1 with err.
 * Nothing of the other schools is kept. */
int report_fetch_beside(PGconn *conn, const report_layout *l, report_data *r, const char *only_id, char *err,
			size_t errlen);

/* The reports per[0..n-1] (n >= 1: one layout and year filled for n
 * schools) merged into one whose tables set the schools side by side:
 * each column of figures becomes one column per school and a region
 * column (counts: the sum; rates and means: the sum of numerators over
 * the sum of denominators, never the mean of percentages; see
 * report_region.c).  A new report the caller frees with
 * report_data_free; per stays the caller's. */
report_data *report_region(report_data *const *per, size_t n);

/* Warnings found while filling (an indicator the database does not know, a
 * semester cell of an indicator not counted per semester): the i-th, or
 * NULL past the last.  Owned by r. */
const char *report_warning(const report_data *r, size_t i);

/* The number of values found (0: nothing of the school in that year). */
size_t report_values_found(const report_data *r);

/* Write the tables to out in format fmt.  Returns 0, or -1 when out
 * reports a write error or fmt writes only files (errno set). */
int report_write(const report_data *r, const report_format *fmt, FILE *out);

/* Write the byte-order mark that begins a file of format fmt (csv:
 * UTF-8's, so that Excel reads it as UTF-8; others: nothing) to out.
 * report_save writes it itself. */
void report_write_bom(const report_format *fmt, FILE *out);

/* Does format fmt write only whole files (xlsx), never to a stream? */
int report_format_file_only(const report_format *fmt);

/* Write the tables in format fmt into the file path: into a temporary
 * file in path's directory, renamed to path once complete (path is
 * untouched on failure), beginning with fmt's byte-order mark; a path
 * that is a device or a pipe is written as it is, a directory refused.
 * Returns 0, or -1 with err. */
int report_save(const report_data *r, const report_format *fmt, const char *path, char *err, size_t errlen);

/* Free filled tables (NULL is fine). */
void report_data_free(report_data *r);

#endif
