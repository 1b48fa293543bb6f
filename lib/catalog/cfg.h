/*
 * cfg.h - vqr's configuration: one deployment file plus the source and
 * indicator catalogs it includes, read with libyaml.
 *
 * Usage:
 *     char err[1024];
 *     cfg *c = cfg_load("config/vqr.yaml", err, sizeof err);
 *     if (!c) { log_error("%s", err); return EXIT_USAGE; }
 *     const cfg_source *s = cfg_source_find(c, "graduate_destination");
 *     ...
 *     cfg_free(c);
 *
 * Every error names file:line:col (libyaml's marks, 1-based) and what was
 * expected, and cfg_load checks everything a stage would otherwise find
 * late: unknown keys, field types, enum synonyms, indicator rules (filters
 * are parsed and type-checked against the source's fields by expr.c).
 * Relative paths in the file are resolved against the directory of the
 * file that names them.  The format is documented in README.md and in the
 * commented example config/vqr.yaml.
 */
#ifndef VQR_CFG_H
#define VQR_CFG_H

#include <stddef.h>

#include "lib/catalog/aggfn.h"
#include "lib/catalog/calc.h"
#include "lib/catalog/expr.h"
#include "lib/catalog/period.h"
#include "lib/catalog/val.h"

typedef struct cfg_mark {
	const char *file;       /* path of the YAML file (owned by the cfg) */
	int line;               /* 1-based line */
	int col;                /* 1-based column */
} cfg_mark;

/* A piece of a YAML file: an overlay entry, from its key to the end of
 * its value. */
typedef struct cfg_span {
	const char *file;       /* path of the YAML file (owned by the cfg) */
	size_t start, end;      /* byte offsets: [start, end) */
} cfg_span;

typedef enum {
	CFG_TEXT, CFG_INTEGER, CFG_DECIMAL, CFG_DATE, CFG_BOOL, CFG_ENUM, CFG_PERCENT
} cfg_ftype;

typedef enum {
	CFG_PII_NONE,           /* not personal data */
	CFG_PII_DROP,           /* read, never staged or loaded */
	CFG_PII_PSEUDONYMISE    /* replaced by a keyed hash (pii.h) at extract */
} cfg_pii;

typedef struct cfg_enumval {
	char *value;            /* canonical label stored in the rows */
	char **synonyms;        /* other labels that mean the same (NULL-terminated) */
	char **keys;            /* value and synonyms through val_norm_key (NULL-terminated) */
} cfg_enumval;

/* A text value longer than this many characters is rejected unless the
 * field says max_length: a longer one (a major name of 1000 characters)
 * is a broken export, and would not fit the database's indexes. */
#define CFG_TEXT_MAX_LENGTH 200

typedef struct cfg_field {
	char *name;             /* canonical field name (ASCII identifier) */
	char *header;           /* header text in the export */
	char **synonyms;        /* other accepted header texts (NULL-terminated) */
	cfg_ftype type;         /* value type */
	int required;           /* the column must be present in the export */
	int not_null;           /* every row must have a value */
	cfg_pii pii;            /* personal data: kept, dropped at extract, or pseudonymised */
	val_pct_mode pct;       /* percent fields: how a bare number reads */
	int excel_serial;       /* date fields: accept Excel serial numbers */
	int max_length;         /* text: the longest value in characters (default 200), else 0 */
	int has_min, has_max;   /* range check configured */
	double min, max;        /* allowed range for numbers */
	double scale;           /* numbers are multiplied by this (0 = 1) */
	cfg_enumval *values;    /* enum values (nvalues of them) */
	size_t nvalues;
	int col;                /* index in the canonical row, -1 when dropped */
	char *indicator_code;   /* wide reported sources: the indicator this column holds, or NULL */
	int indicator;          /* its index in cfg.indicators, -1 when none */
	cfg_mark mark;          /* where the field is defined */
} cfg_field;

typedef struct cfg_source {
	char *name;             /* source key, e.g. "graduate_destination" */
	char *name_zh;          /* Chinese name of the export */
	char *name_en;          /* English name */
	char **files;           /* glob patterns that recognise its files (NULL-terminated) */
	char *encoding;         /* "utf-8", "gb18030", "utf-16", "utf-32", "utf-32le", "utf-32be" or "auto" */
	unsigned char delim;    /* ',', '\t', ';' or 0 for auto */
	int header_scan;        /* rows searched for the header row */
	int header_rows;        /* rows the header spans (1: one row; N: group rows above it,
				 * columns named by their path "职业资格/高级技师") */
	char *sheet;            /* .xlsx, .xls: the sheet to read, NULL = the first */
	char **sheets;          /* .xlsx, .xls: name patterns of the sheets it reads, each a part of
				 * its workbook's batch (NULL-terminated; NULL: one sheet, `sheet`) */
	double max_reject_share; /* a file rejecting more of its rows is quarantined */
	int load_rows;          /* vqr-load also COPYs the canonical rows into vqr_rows.<name> */
	int supplement;         /* mode: supplement - every file adds its rows to its slices (else replace) */
	char **supplement_files; /* glob patterns of files that supplement their slices even in
	                           replace mode, e.g. "*补录*" (NULL-terminated) */
	double max_shrink;      /* a replacing file that shrinks its slice by more than this share (rows
	                           or a count indicator) is held back until accepted; 1 = never */
	period_type period;     /* the period type rows are placed in */
	int period_date;        /* field index of the date giving the period, -1 none */
	int period_year;        /* field index of a year (academic: graduation year Y -> (Y-1)-Y;
	                           fiscal: the year), -1 none */
	int period_field;       /* field index of a text academic year ("2022-2023学年"), -1 none */
	int reported;           /* kind: reported - rows are figures the school reported */
	int wide;               /* reported: one column per indicator (else long: name, value) */
	int ind_field;          /* long reported: field index naming the indicator, else -1 */
	int value_field;        /* long reported: field index holding the figure, else -1 */
	int *rby;               /* reported: canonical columns giving a row's breakdown (nrby) */
	char **rby_names;       /* their field names */
	size_t nrby;
	cfg_field *fields;      /* nfields of them, in configuration order */
	size_t nfields;
	size_t ncols;           /* canonical row width: 2 + kept fields */
	unsigned char *used;    /* per canonical column: read by some indicator rule */
	cfg_span *overlays;     /* the `overlay:` entries that change the source, one of its
	                           indicators, a derived indicator or a check (noverlays), in order */
	size_t noverlays;
	cfg_mark mark;
} cfg_source;

/* Canonical rows start with these two columns, then the kept fields. */
#define CFG_COL_LINE 0          /* source line number of the row */
#define CFG_COL_PERIOD 1        /* period label, e.g. "2022-2023" */

typedef struct cfg_agg {
	aggfn_id fn;            /* aggregation function (its row: aggfn_get(fn)) */
	double p;               /* percentile: the percent (0 to 100), else 0 */
	int field;              /* canonical column aggregated; -1 = count(*) */
	char *where_text;       /* filter as written, NULL when none */
	expr *where;            /* compiled filter, NULL when none */
	cfg_mark mark;
} cfg_agg;

/* What an indicator counts (`kind:`); names in cfg_kind_name. */
typedef enum {
	CFG_KIND_COUNT,         /* "count": a number of people or things */
	CFG_KIND_AMOUNT,        /* "amount": a sum of money, hours, ... */
	CFG_KIND_MEAN,          /* "mean": an average */
	CFG_KIND_RATE,          /* "rate": a ratio of two counts */
	CFG_KIND_N              /* how many (not a kind) */
} cfg_kind;

/* How schools' values combine into a region's (`aggregate:`); names in
 * cfg_aggregate_name. */
typedef enum {
	CFG_AGGREGATE_SUM,              /* "sum" */
	CFG_AGGREGATE_RATIO_OF_SUMS,    /* "ratio_of_sums": sum of numerators / sum of denominators */
	CFG_AGGREGATE_WEIGHTED_MEAN,    /* "weighted_mean" */
	CFG_AGGREGATE_NONE,             /* "none": they do not combine */
	CFG_AGGREGATE_N                 /* how many (not a way) */
} cfg_aggregate;

/* A derived indicator that takes one value out of another's breakdown. */
typedef enum {
	CFG_TAKE_NONE,          /* not such an indicator (a formula or a source) */
	CFG_TAKE_MAX,           /* the largest value of the breakdown */
	CFG_TAKE_MIN            /* the smallest value of the breakdown */
} cfg_take;

typedef struct cfg_indicator {
	char *code;             /* stable code, e.g. employment.dest.enterprise.rate */
	char *name_zh;          /* Chinese name */
	char *name_en;          /* English name */
	char *unit;             /* 人, %, 元/月, ... */
	cfg_kind kind;          /* count, amount, mean, rate */
	cfg_aggregate aggregate; /* across schools: sum, ratio_of_sums, weighted_mean, none */
	char *description;      /* optional: how the figure is defined */
	const cfg_source *source; /* where its rows come from; NULL for a derived indicator */
	period_type period;     /* the periods it is counted in */
	int is_ratio;           /* value = num/den * scale */
	cfg_agg num;            /* the aggregation (numerator of a ratio) */
	cfg_agg den;            /* denominator, when is_ratio */
	calc *formula;          /* derived: the value (or numerator, when is_ratio) from other indicators */
	calc *dformula;         /* derived ratio: the denominator formula, else NULL */
	cfg_take take;          /* derived: {take: max|min, over: CODE}: formula is then just CODE */
	char *across;           /* take: the breakdown fields taken across, sorted, comma-joined as
	                           a breakdown's keys ("major_group"), owned */
	cfg_mark over_mark;     /* take: where `over` is written */
	cfg_mark across_mark;   /* take: where `across` is written (line 0: not written) */
	cfg_mark period_mark;   /* derived: where `period` is written (line 0: not written) */
	double scale;           /* 100 for a percentage, else 1 */
	int *by;                /* breakdown columns (nby); totals are always emitted */
	char **by_names;        /* their field names */
	size_t nby;
	char **reported_keys;   /* names a summary sheet may use (val_norm_key'd, NULL-terminated) */
	int *reads;             /* canonical columns its rule reads: aggregated fields, filter fields,
	                           breakdowns and a finer period's date (nreads, no repeats) */
	size_t nreads;
	cfg_mark mark;
} cfg_indicator;

typedef enum { CFG_WARNING, CFG_ERROR } cfg_severity;

typedef struct cfg_check {
	char *code;             /* stable code, e.g. employment.destinations_sum */
	char *name_zh;          /* what it checks, in Chinese (may be NULL) */
	char *name_en;          /* ... in English (may be NULL) */
	calc *left, *right;     /* the two sides */
	calc_op op;             /* how they compare */
	double tolerance;       /* |left - right| within this counts as equal */
	cfg_severity severity;  /* of a failure */
	int block;              /* an error blocks the load of the slice that triggers it */
	char **by_names;        /* breakdown fields also checked per value (NULL-terminated or NULL) */
	cfg_mark mark;
} cfg_check;

/* Bounds on what one input file may make vqr hold or inflate (the
 * deployment's `limits:` block); a file exceeding one fails as a whole. */
typedef struct cfg_limits {
	long long max_record_bytes;     /* one CSV record (decoded text) or .xlsx row's texts; 1 MiB */
	long long max_field_bytes;      /* one CSV field or .xlsx cell's text; 256 KiB */
	double max_inflation_ratio;     /* inflated / compressed bytes of a .gz or an .xlsx zip member,
	                                   checked once 1 MiB is inflated; 100 */
	long long max_shared_strings_bytes; /* an .xlsx shared string table in memory; 64 MiB */
	long long max_xls_bytes;        /* an .xls file (libfreexl reads it whole); 64 MiB */
	long long max_extract_memory_bytes; /* vqr-extract's heap (RLIMIT_DATA), what libfreexl
					     * allocates for an .xls's declared sheets included; 512 MiB */
} cfg_limits;

#define CFG_MAX_RECORD_BYTES  (1LL << 20)
#define CFG_MAX_FIELD_BYTES   (256LL << 10)
#define CFG_MAX_INFLATION     100.0
#define CFG_MAX_SHARED_BYTES  (64LL << 20)
#define CFG_MAX_XLS_BYTES     (64LL << 20)
#define CFG_MAX_EXTRACT_MEMORY (512LL << 20)

typedef struct cfg {
	char *path;             /* the deployment file as given */
	char *school_code;      /* school.code */
	char *school_name;      /* school.name */
	char *school_region;    /* school.region, may be NULL */
	char *database;         /* conninfo or service name; NULL = embedded */
	char *pii_key_file;     /* key for pii: pseudonymise (absolute), NULL when none */
	char *embedded_dir;     /* embedded cluster directory (absolute) */
	char *embedded_user;    /* user the embedded cluster runs as when root */
	int embedded_port;      /* port of the socket name and of embedded_listen */
	char *embedded_listen;  /* loopback address the embedded cluster also listens on over TCP
	                           (cfg_loopback), NULL = unix socket only (the default) */
	char *inbox, *staging, *archive, *quarantine; /* absolute directories */
	int settle_seconds;     /* an inbox file must be unchanged this long to be taken */
	int done_marker;        /* an inbox file is taken only once FILE.done exists */
	int keep_staging_days;  /* staging directories of committed batches are removed after this
	                           many days (default 30); 0 keeps them */
	int fail_on;            /* a run whose loads found findings of this severity (CFG_ERROR or
	                           CFG_WARNING, which includes errors) exits 2; -1: never (default) */
	cfg_limits limits;      /* input bounds (defaults when the file has no limits block) */
	cfg_source *sources;    /* nsources */
	size_t nsources;
	cfg_indicator *indicators; /* nindicators */
	size_t nindicators;
	size_t *derived;        /* indexes of derived indicators, operands first (nderived) */
	size_t nderived;
	cfg_check *checks;      /* nchecks validation checks */
	size_t nchecks;
	cfg_severity reported_check; /* severity of reported != computed findings */
	char **files;           /* every YAML file read (for marks) */
	size_t nfiles;
} cfg;

/* Load the deployment file and its includes.  Returns a cfg the caller
 * frees with cfg_free, or NULL with "file:line:col: message" in err. */
cfg *cfg_load(const char *path, char *err, size_t errlen);

/* Free everything cfg_load allocated (NULL is fine). */
void cfg_free(cfg *c);

/* The configuration a stage server (serve.h) keeps between its jobs: the
 * one of the path its last job named.  Zero it to start. */
typedef struct cfg_kept {
	cfg *c;                 /* loaded, or NULL */
	char *path;             /* the path it was loaded from (malloc'd) */
} cfg_kept;

/* The configuration at path: k's when it was loaded from the same path,
 * else loaded now (replacing k's).  The jobs of one run name the file the
 * driver read at its start, which stays as it was for the run (the
 * driver's lock), so it is parsed once.  Owned by k: valid until the next
 * call or cfg_kept_free.  NULL with err as cfg_load. */
cfg *cfg_keep(cfg_kept *k, const char *path, char *err, size_t errlen);

/* Free what k holds (k itself is the caller's). */
void cfg_kept_free(cfg_kept *k);

/* The source with that name, or NULL.  Points into c. */
const cfg_source *cfg_source_find(const cfg *c, const char *name);

/* The source whose file globs match the base name of path, or NULL. */
const cfg_source *cfg_source_for_file(const cfg *c, const char *path);

/* Is the file at path a workbook of parts: does a source whose file
 * globs match its base name have `sheets` patterns? */
int cfg_file_has_sheets(const cfg *c, const char *path);

/* The source that reads the sheet named sheet of the workbook at path:
 * the first whose file globs match path's base name and whose `sheets`
 * patterns match sheet, or NULL (the sheet is unmatched).  Points into c. */
const cfg_source *cfg_source_for_sheet(const cfg *c, const char *path, const char *sheet);

/* Does the file at path (its base name) supplement its slices rather
 * than replace them (mode: supplement, or a supplement_files pattern)? */
int cfg_is_supplement(const cfg_source *s, const char *path);

/* The sha256 (64 hex digits and a NUL, into hex) of the catalog that
 * computes s's slices: the contents of every YAML file defining s, one of
 * its indicators, a derived indicator or a check, in the order read, each
 * under its base name, then the text of every overlay entry that changes
 * s, one of its indicators, a derived indicator or a check (s->overlays).  A change to any of
 * them (a synonym, a rule, a check, an overlay) changes it; the
 * deployment's directories do not.  0, or -1 with
 * "path: reason" in err. */
int cfg_catalog_sha256(const cfg *c, const cfg_source *s, char hex[65], char *err, size_t errlen);

/* The field of s with that canonical name, or NULL.  Points into s. */
const cfg_field *cfg_field_find(const cfg_source *s, const char *name);

/* The val_type used to parse a field of that type. */
val_type cfg_val_type(cfg_ftype t);

/* The enum value whose label or synonym matches `key` (already
 * normalised with val_norm_key), or NULL. */
const cfg_enumval *cfg_enum_match(const cfg_field *f, const char *key);

/* The indicator with that code, or NULL.  Points into c. */
const cfg_indicator *cfg_indicator_find(const cfg *c, const char *code);

/* The indicator a summary sheet names with `key` (val_norm_key'd): by
 * code, name_zh or one of its reported_names; NULL when none. */
const cfg_indicator *cfg_indicator_by_name(const cfg *c, const char *key);

/* "count", "amount", "mean", "rate" ("?" out of the enum). */
const char *cfg_kind_name(cfg_kind k);

/* "sum", "ratio_of_sums", "weighted_mean", "none" ("?" out of the enum). */
const char *cfg_aggregate_name(cfg_aggregate a);

/* "max", "min" (or "none"). */
const char *cfg_take_name(cfg_take t);

/* "text", "integer", ... */
const char *cfg_ftype_name(cfg_ftype t);

/* Is addr a loopback address the embedded cluster may listen on:
 * "localhost", "::1" or an IPv4 address in 127.0.0.0/8?  1 or 0. */
int cfg_loopback(const char *addr);

#endif
