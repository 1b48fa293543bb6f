/*
 * csvin.h - streaming CSV record reader: plain or gzip files, parsed by
 * libcsv, read one record at a time.
 *
 * Usage:
 *     char err[1024];
 *     csvin_opts o = { .delim = 0, .chunk = 0 };      // detect, 64 KiB reads
 *     csvin *r = csvin_open("inbox/a.csv.gz", &o, err, sizeof err);
 *     if (!r) { log_error("%s", err); return EXIT_USAGE; }
 *     const csvin_record *rec;
 *     int rc;
 *     while ((rc = csvin_next(r, &rec)) == 1)
 *         use(rec->fields, rec->lens, rec->nfields, rec->line);
 *     if (rc < 0)
 *         log_error("%s", csvin_error(r));
 *     csvin_close(r);
 *
 * What the reader does, and what it leaves to the caller:
 *  - .gz and plain files are read through the same code (zlib's gzread is
 *    transparent); a truncated or corrupt .gz is an error, never a short file.
 *  - A UTF-8 BOM at the start of the stream is stripped (csvin_had_bom).
 *  - Quoting is RFC 4180 as libcsv implements it: quoted fields may hold
 *    delimiters, doubled quotes and line breaks (kept verbatim, CRLF stays
 *    CRLF).  Malformed quoting is parsed leniently the way libcsv does
 *    (a stray quote inside an unquoted field is literal), except that a
 *    quoted field still open at end of file is an error.
 *  - Line breaks are LF, CRLF or a lone CR.  Blank lines are skipped but
 *    counted: csvin_record.line is the physical line of the record's first
 *    byte, also for records after quoted multi-line fields.
 *  - Fields are not trimmed ("  " stays "  ", spaces around a value stay)
 *    and ragged rows are returned as they are: trimming, empty rows and
 *    column counts are the caller's business.
 *  - Memory is bounded by the largest record, not by the file.
 */
#ifndef VQR_CSVIN_H
#define VQR_CSVIN_H

#include <stddef.h>

typedef struct csvin csvin;

typedef struct csvin_opts {
	unsigned char delim;    /* ',', '\t', ';' (any byte but '"', CR, LF), or 0 = detect */
	size_t chunk;           /* read size in bytes, 0 = 64 KiB (tests set small values) */
} csvin_opts;

typedef struct csvin_record {
	size_t nfields;         /* number of fields (>= 1) */
	char **fields;          /* NUL-terminated field texts (owned by the reader, valid until the next csvin_next) */
	size_t *lens;           /* byte length of each field (a field may hold NUL bytes) */
	long line;              /* 1-based physical line where this record starts */
	long long offset;       /* byte offset of the record start in the decoded stream (a stripped BOM counts, so for UTF-8 input this is the offset in the uncompressed file) */
} csvin_record;

/*
 * Open path (plain or gzip) for reading.  opts may be NULL (detect the
 * delimiter, 64 KiB reads).  With delim 0 the delimiter is detected from
 * the first non-empty line: whichever of ',', TAB, ';' splits it into the
 * most fields when libcsv parses it (so delimiters inside quotes do not
 * count); ties go to ',' then TAB then ';', and ',' when none occurs.
 * Detection buffers that first record before returning.
 * Returns NULL on error with "path: reason" in errbuf (errbuf may be NULL).
 * Read errors in the first bytes are not reported here but by the first
 * csvin_next, with a line number.  Free the reader with csvin_close().
 */
csvin *csvin_open(const char *path, const csvin_opts *opts, char *errbuf, size_t errlen);

/*
 * Read the next record.  Returns 1 and sets *rec (owned by the reader,
 * valid until the next csvin_next or csvin_close), 0 at end of input, -1
 * on error with "path:line: message" in csvin_error().  After 0 or -1
 * every further call returns the same.
 */
int csvin_next(csvin *r, const csvin_record **rec);

/* The last error message ("" when there was none); owned by the reader. */
const char *csvin_error(const csvin *r);

/* The delimiter in use (detected or configured). */
unsigned char csvin_delim(const csvin *r);

/* Non-zero when a UTF-8 BOM was found at the start and stripped. */
int csvin_had_bom(const csvin *r);

/* Close the file and free the reader and its records.  NULL is allowed. */
void csvin_close(csvin *r);

#endif
