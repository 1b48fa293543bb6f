/*
 * notice.h - what `vqr run` says about one loaded file beyond its row
 * counts: the things an operator must look at, because they decide
 * whether the numbers can be trusted.
 *
 *   - column coverage (from the staging manifest): header cells that map
 *     to no field, each with the closest missing field ("对口情况: did you
 *     mean in_field (是否专业对口)?"), the source's fields the file has no
 *     column for, and the indicators not computed because of them;
 *   - the new findings the file's batch recorded, by severity, with
 *     every error named (check, indicator, values, message).
 *
 * Usage:
 *     notice_file n = { 0 };
 *     notice_coverage(&n, "staging/<label>/manifest.yaml", err, sizeof err);
 *     notice_findings(&n, &db, batch_id, err, sizeof err);
 *     notice_print(&n, "毕业生去向登记表_2023.csv");   (warning lines on stderr)
 *     notice_json(stdout_or_file, &n);                (members of a JSON object)
 *     notice_clear(&n);
 */
#ifndef VQR_NOTICE_H
#define VQR_NOTICE_H

#include <stdio.h>

#include "lib/db/db.h"
#include "lib/staging/manifest.h"

typedef struct notice_file {
	manifest m;             /* the manifest's coverage lists (unmapped, unmapped_hint,
				   missing, skipped, skipped_field, skipped_why); owned */
	long long errors;       /* findings of severity error of the file's batch */
	long long warnings;     /* findings of severity warning */
	manifest_list error_text; /* each error: "check_code [indicator] period: message", owned */
} notice_file;

/* Read the coverage lists of the manifest at mpath into n (earlier ones
 * are replaced).  0, or -1 with err set. */
int notice_coverage(notice_file *n, const char *mpath, char *err, size_t errlen);

/* Count the new findings of batch_id by severity and keep the text of
 * each error (at most 50).  New: not the same (check, indicator, period,
 * breakdown, severity, message) as a finding the batch superseded, which
 * a check of the period found before.  0, or -1 with err set. */
int notice_findings(notice_file *n, db *d, long long batch_id, char *err, size_t errlen);

/* Does n hold something an operator must look at (unmapped headers,
 * missing fields, error findings)? */
int notice_wants_look(const notice_file *n);

/* Warning lines on stderr for file (its base name): one for the column
 * coverage (when not complete) and one per error finding. */
void notice_print(const notice_file *n, const char *file);

/* Write n as JSON object members, each preceded by ", ": "unmapped"
 * (objects with header and suggestion), "missing_fields",
 * "skipped_indicators" (objects with indicator, field and why),
 * "findings" ({"error": n, "warning": n}) and "errors" (texts). */
void notice_json(FILE *f, const notice_file *n);

/* Write s as a JSON string (quoted, escaped by str_add_json; NULL gives null). */
void notice_json_str(FILE *f, const char *s);

/* Free what n holds and zero it (n itself is the caller's). */
void notice_clear(notice_file *n);

#endif
