/*
 * cfg_yaml.h - the inside of cfg_load, shared by its files only (not a
 * public interface): the loader that keeps every YAML document read, and
 * the helpers that read nodes with errors at their file:line:col.
 *
 *   cfg_yaml.c       reading files and includes, node helpers, errors
 *   cfg.c            the deployment settings, cfg_load, cfg_free, lookups
 *   cfg_source.c     sources and their fields
 *   cfg_indicator.c  indicators and their aggregations (aggfn.h's table)
 *   cfg_check.c      checks, and the links between indicators
 *   cfg_overlay.c    overlays: changes to sources, indicators and checks
 *                    defined elsewhere
 *
 * Every yl_* function that fails records the first error in the loader
 * (later ones are dropped) and returns -1 or NULL.
 */
#ifndef VQR_CFG_YAML_H
#define VQR_CFG_YAML_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

#include "lib/catalog/cfg.h"

#define MAX_FILES 64
#define MAX_INCLUDE_DEPTH 8

typedef struct ydoc {
	yaml_document_t doc;    /* the parsed file */
	const char *file;       /* its path (owned by the cfg) */
	char *dir;              /* its directory, for relative paths */
} ydoc;

typedef struct loader {
	cfg *c;                 /* what is being built */
	ydoc docs[MAX_FILES];   /* every file read */
	int ndocs;
	char *err;              /* caller's buffer */
	size_t errlen;
	int failed;             /* an error was recorded */
	cfg_mark *src_off;      /* per source: where an overlay disables it (line 0: enabled), or
	                           NULL when none is disabled; owned */
} loader;

/* The keys of a configuration file's top level. */
extern const char *const yl_top_keys[];

/* ---- errors and nodes (cfg_yaml.c) ---- */

/* Record "file:line:col: message" at mark m of document d (the first
 * error only).  Returns -1. */
int yl_fail(loader *L, const ydoc *d, yaml_mark_t m, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same at file:line:col (1-based), with a va_list. */
int yl_vfail(loader *L, const char *file, size_t line, size_t col, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
/* Record "file:line:col: message" at mark m (the first error only).
 * Returns -1. */
int yl_fail_at(loader *L, const cfg_mark *m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Where node n starts, 1-based. */
cfg_mark yl_mark_of(const ydoc *d, const yaml_node_t *n);
/* Node number i of d. */
yaml_node_t *yl_node(const ydoc *d, int i);
/* Is n a scalar (NULL is not)? */
int yl_is_scalar(const yaml_node_t *n);
/* A scalar's text. */
const char *yl_sval(const yaml_node_t *n);
/* Is n the scalar s? */
int yl_scalar_is(const yaml_node_t *n, const char *s);
/* A YAML null: an empty plain scalar, ~ or null. */
int yl_is_null(const yaml_node_t *n);
/* 0 when n is of type t, else an error "what must be ...". */
int yl_want_kind(loader *L, const ydoc *d, const yaml_node_t *n, yaml_node_type_t t, const char *what);
/* The value of key in mapping n, or NULL. */
yaml_node_t *yl_get(const ydoc *d, const yaml_node_t *n, const char *key);
/* Check that every key of mapping n is one of `allowed` (NULL-terminated). */
int yl_check_keys(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, const char *const *allowed);
/* Into out: head's keys (may be NULL), every aggregation function's name,
 * then tail's keys, NULL-terminated (out has room for all of them). */
void yl_keys_with_aggfns(const char **out, const char *const *head, const char *const *tail);

/* ---- values (cfg_yaml.c) ---- */

/* Copy a scalar's text (the caller frees).  NULL (and an error) when it
 * is not a scalar. */
char *yl_str_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what);
/* A boolean scalar (true/yes/on, false/no/off) into *out: 0, or -1. */
int yl_bool_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, int *out);
/* A number scalar into *out: 0, or -1. */
int yl_num_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, double *out);
/* A whole number lo..hi into *out, else the error "what must be lo..hi":
 * 0, or -1. */
int yl_int_in(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, int lo, int hi, int *out);
/* A share 0..1 into *out, else the error "what must be between 0 and 1
 * (why)": 0, or -1. */
int yl_share_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what, const char *why, double *out);
/* The optional name_zh and name_en of mapping n into *zh and *en (the
 * caller frees): 0, or -1. */
int yl_names_of(loader *L, const ydoc *d, const yaml_node_t *n, char **zh, char **en);
/* The same, replacing *zh and *en (freed) with those n gives; the others
 * stay: 0, or -1. */
int yl_names_set(loader *L, const ydoc *d, const yaml_node_t *n, char **zh, char **en);
/* Add to *total the entries of document d's top-level key (absent or null:
 * none), which must be of kind t (a sequence or a mapping): 0, or -1. */
int yl_count_top(loader *L, ydoc *d, const char *key, yaml_node_type_t t, size_t *total);
/* A NULL-terminated array of strings from a scalar or a list of scalars
 * (free with yl_strlist_free), or NULL after an error. */
char **yl_strlist_of(loader *L, const ydoc *d, const yaml_node_t *n, const char *what);
/* Free such an array (NULL is fine). */
void yl_strlist_free(char **v);
/* The index in names[0..n) of scalar v's text, into *out; else an error
 * "what \"X\" is not one of A, B, C". */
int yl_name_of(loader *L, const ydoc *d, const yaml_node_t *v, const char *what, const char *const *names,
	       int n, int *out);
/* Resolve path against dir unless absolute.  The caller frees. */
char *yl_resolve_path(const char *dir, const char *path);

/* ---- the passes ---- */

/* Read the YAML file at path into a new document (from, at: who includes
 * it and where, for messages; NULL for the main file).  0, or -1. */
int yl_read_file(loader *L, const char *path, const ydoc *from, yaml_mark_t at);
/* Read document di's `include:` list, recursively (cfg_yaml.c). */
int yl_read_includes(loader *L, int di, int depth);
/* The sources of every document (cfg_source.c). */
int yl_read_sources(loader *L);
/* The indicators of every document (cfg_indicator.c). */
int yl_read_indicators(loader *L);
/* The checks of every document (cfg_check.c). */
int yl_read_checks(loader *L);
/* After everything is read: wide summary columns name indicators, derived
 * indicators and checks name existing ones, no cycles (cfg_check.c). */
int yl_link_catalog(loader *L);

/* Apply the `overlay: {sources: ...}` entries of every document, in the
 * order read, to the sources read (cfg_overlay.c); a disabled source is
 * only noted in L->src_off.  0, or -1. */
int yl_overlay_sources(loader *L);
/* Apply the indicator and check entries of every overlay, then remove what
 * is disabled (with the indicators of disabled sources, and the derived
 * indicators and checks over removed indicators) (cfg_overlay.c).  0, or -1. */
int yl_overlay_catalog(loader *L);

/* ---- shared between the parts ---- */

/* Read field k: n (a full definition) into *f (cfg_source.c).  0, or -1. */
int yl_read_field(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *k, yaml_node_t *n);
/* Set the options of field f that mapping n has (required, not_null, pii,
 * indicator, percent, excel_serial, min, max, max_length, scale), checked
 * against its type (cfg_source.c).  0, or -1. */
int yl_field_options(loader *L, const ydoc *d, cfg_field *f, yaml_node_t *n);
/* (Re)make e->keys from its value and synonyms (cfg_source.c). */
void yl_enum_keys(cfg_enumval *e);
/* 0 when no label of enum f means two values, else an error at n
 * (cfg_source.c). */
int yl_enum_unique(loader *L, const ydoc *d, const cfg_field *f, const yaml_node_t *n);
/* Set the options of source s that mapping n has (names, encoding,
 * delimiter, header_scan, sheet, max_reject_share, load_rows, mode,
 * max_shrink) (cfg_source.c).  0, or -1. */
int yl_source_options(loader *L, const ydoc *d, cfg_source *s, yaml_node_t *n);
/* Set check k's tolerance, severity and block from mapping n where it has
 * them (cfg_check.c).  0, or -1. */
int yl_check_options(loader *L, const ydoc *d, cfg_check *k, yaml_node_t *n);
/* Free what one source, field, indicator or check owns, not the struct
 * itself (cfg.c). */
void yl_source_free(cfg_source *s);
void yl_field_free(cfg_field *f);
void yl_indicator_free(cfg_indicator *ind);
void yl_check_free(cfg_check *k);


/* s through val_norm_key, copied (the caller frees) (cfg_source.c). */
char *yl_norm_dup(const char *s);
/* The index of the field of s named name, or -1 (cfg_source.c). */
int yl_field_index(const cfg_source *s, const char *name);
/* A formula (scalar n) compiled, or NULL after an error at its column
 * (cfg_indicator.c). */
calc *yl_formula_of(loader *L, const ydoc *d, yaml_node_t *n, const char *what);

#endif
