/*
 * rows.h - the files that pass between vqr's stages: lines in PostgreSQL's
 * COPY text format (tab-separated, \N for NULL, backslash escapes), gzip
 * compressed or plain, always written to a temporary name and renamed into
 * place only once flushed, checked and (unless rows_nosync) synced.
 *
 * Writing:
 *     rows_writer *w = rows_create("dir/rows.tsv", 1, err, sizeof err);
 *     rows_put(w, "数控加工", 12); rows_put_null(w); rows_end(w);
 *     if (rows_commit(w, err, sizeof err) < 0) ...   // frees w
 * Reading:
 *     rows_reader *r = rows_open("dir/rows.tsv", err, sizeof err);
 *     while ((n = rows_next(r)) > 0)
 *         use rows_field(r, i) (NULL for \N) for i < n;
 *     if (n < 0) ... rows_error(r);
 *     rows_close(r);
 * A file may start with one header line of column names (rows_put the
 * names, rows_end); readers treat it like any other line.
 * A compressed writer (level > 0) deflates in a thread of its own, started
 * by rows_create and joined by rows_commit / rows_abort; the calls above
 * are still made from one thread only.
 */
#ifndef VQR_ROWS_H
#define VQR_ROWS_H

#include <stddef.h>

typedef struct rows_writer rows_writer;
typedef struct rows_reader rows_reader;

/* Start writing path (through path.tmp).  level: 0 = plain text, 1..9 =
 * gzip level.  NULL with "path: reason" in err. */
rows_writer *rows_create(const char *path, int level, char *err, size_t errlen);

/* Do not fsync w at rows_commit.  For a large file that only the next
 * stage reads, and that vqr run never reuses after a crash (each attempt
 * stages afresh): syncing 160 MB of rows.tsv cost 0.3 s of I/O wait on a
 * run of 1.3 s.  A reader then learns that the file is whole from a count
 * kept in a synced file (manifest.yaml: rows_staged), not from the file. */
void rows_nosync(rows_writer *w);

/* Append one field (len bytes, escaped as COPY text requires). */
void rows_put(rows_writer *w, const char *s, size_t len);
/* Append a NULL field (\N). */
void rows_put_null(rows_writer *w);
/* Append a field formatted with printf (no escaping: use for numbers). */
void rows_putf(rows_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append an integer field (no printf on the hot path). */
void rows_put_int(rows_writer *w, long long v);
/* End the current line. */
void rows_end(rows_writer *w);
/* Append an already formatted, already escaped line (without its
 * newline). */
void rows_put_line(rows_writer *w, const char *line, size_t len);

/* Flush, check every write, fsync (see rows_nosync) and rename into place; frees w.  0, or
 * -1 with err (the temporary file is removed). */
int rows_commit(rows_writer *w, char *err, size_t errlen);
/* Give up: remove the temporary file and free w. */
void rows_abort(rows_writer *w);

/* Open a rows file (plain or gzip).  NULL with "path: reason" in err. */
rows_reader *rows_open(const char *path, char *err, size_t errlen);
/* Open a rows file that another process may still be writing with
 * rows_create: path itself when it is complete, else path.tmp, read as it
 * grows (polling every millisecond at its end) until the writer renames
 * it into place.  Waits for either to appear, unless stop (may be NULL)
 * names a file that appears first (the writer finished without rows).
 * Reading fails when the writer gives up (removes path.tmp); a writer
 * killed outright is never waited out: stop the follower with a signal.
 * NULL with "path: reason" in err.  Close with rows_close. */
rows_reader *rows_follow(const char *path, const char *stop, char *err, size_t errlen);
/* Read the next line and split it into fields, unescaped in place.
 * Returns the number of fields (>= 1), 0 at end of file, -1 on error. */
int rows_next(rows_reader *r);
/* Field i of the current line: NUL-terminated, NULL for \N.  Valid until
 * the next rows_next. */
const char *rows_field(const rows_reader *r, int i);
/* The length in bytes of field i of the current row (unescaped; 0 for
 * NULL or when i >= the row's field count): saves the caller a strlen. */
size_t rows_field_len(const rows_reader *r, int i);
/* All fields of the current row at once, for hot loops: the array of the
 * n (rows_next's result) field pointers (NULL for \N), and in *lens their
 * lengths; both owned by r and valid until the next rows_next. */
char *const *rows_fields(const rows_reader *r, const size_t **lens);
/* The next raw line as stored (escaped, without newline): *len set,
 * pointer valid until the next call; NULL at end of file or on error
 * (rows_error non-empty). */
const char *rows_next_raw(rows_reader *r, size_t *len);
/* 1-based number of the line last read. */
long rows_lineno(const rows_reader *r);
/* The last error ("path:line: reason"), or "" when none. */
const char *rows_error(const rows_reader *r);
void rows_close(rows_reader *r);

#endif
