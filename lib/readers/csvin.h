/*
 * csvin.h - streaming CSV record reader: plain or gzip files in UTF-8,
 * GB18030, UTF-16 or UTF-32, decoded to UTF-8, parsed by libcsv, read one record at
 * a time.
 *
 * Usage:
 *     char err[1024];
 *     csvin_opts o = { .delim = 0, .chunk = 0, .encoding = NULL };  // detect all
 *     csvin *r = csvin_open("inbox/a.csv.gz", &o, err, sizeof err);
 *     if (!r) { log_error("%s", err); return EXIT_USAGE; }
 *     const csvin_record *rec;
 *     int rc;
 *     while ((rc = csvin_next(r, &rec)) == 1)
 *         use(rec->fields, rec->lens, rec->nfields, rec->line);
 *     if (rc < 0)
 *         log_error("%s", csvin_error(r));
 *     note("encoding", csvin_encoding(r));      // e.g. "gb18030"
 *     csvin_close(r);
 *
 * What the reader does, and what it leaves to the caller:
 *  - .gz and plain files are read through the same code (zlib's gzread is
 *    transparent); a truncated or corrupt .gz is an error, never a short file.
 *  - Character encodings: the raw (decompressed) bytes are checked and
 *    decoded to UTF-8 (glibc iconv for GB18030, UTF-16, UTF-32) BEFORE libcsv
 *    sees them, so a GBK/GB18030 trail byte that happens to be '\\' or '|'
 *    can never split or escape a field.  Everything below (delimiter
 *    detection, quoting, lines) works on the decoded text, and every field
 *    handed out is valid UTF-8.  opts.encoding says what the input is:
 *      "utf-8"    UTF-8, with or without a BOM (validated: overlongs,
 *                 surrogates and stray bytes are errors)
 *      "gb18030"  GB18030, which includes GBK and GB2312
 *      "utf-16"   UTF-16; the BOM (FF FE or FE FF) says LE or BE, and a
 *                 file without one is refused (Excel's "Unicode text" has it)
 *      "utf-32"   UTF-32; the BOM (FF FE 00 00 or 00 00 FE FF) says LE or
 *                 BE, and a file without one is refused
 *      "utf-32le", "utf-32be"  UTF-32 in that byte order, with or without
 *                 a BOM (one of the other byte order is refused)
 *      NULL or "auto": a UTF-8 BOM means UTF-8; FF FE 00 00 UTF-32LE;
 *                 00 00 FE FF UTF-32BE; FF FE UTF-16LE; FE FF
 *                 UTF-16BE; otherwise UTF-8 if the first 64 KiB (or the
 *                 whole shorter input) is valid UTF-8, else GB18030.
 *    Names are matched without regard to case ("utf8" is accepted too).
 *    A configured encoding whose input starts with another encoding's BOM
 *    (e.g. gb18030 and EF BB BF) is refused by csvin_open.  Bytes invalid
 *    in the encoding in use (configured or detected) end the reading:
 *    records before them are delivered, then csvin_next returns -1 with
 *    "path:line: invalid GB18030 byte sequence at byte offset N" (or UTF-8,
 *    UTF-16LE, UTF-16BE, UTF-32LE, UTF-32BE), N counted in the raw decompressed input, line the
 *    physical line holding the bad bytes; a sequence cut off by the end of
 *    the file adds " (cut off at end of file)".
 *  - A byte order mark at the start of the stream (UTF-8 EF BB BF, UTF-16
 *    FF FE / FE FF, UTF-32 FF FE 00 00 / 00 00 FE FF, GB18030 84 31 95 33)
 *    is stripped (csvin_had_bom).
 *  - Record positions: csvin_record.offset counts bytes of the decoded
 *    UTF-8 text, raw_offset bytes of the raw decompressed input.  Both are
 *    exact, except that raw_offset counts two bytes for each of the six
 *    rare characters U+20087 U+20089 U+200CC U+215D7 U+2298F U+241FE even
 *    where a GB18030 file writes them with four (glibc decodes both their
 *    two-byte codes FE51 FE52 FE53 FE6C FE76 FE91 and their four-byte
 *    codes to them).
 *  - Quoting is RFC 4180 as libcsv implements it: quoted fields may hold
 *    delimiters, doubled quotes and line breaks (kept verbatim, CRLF stays
 *    CRLF).  Malformed quoting is parsed leniently the way libcsv does
 *    (a stray quote inside an unquoted field, or inside a one-line quoted
 *    field, is literal), except for unbalanced quotes, which end the
 *    reading with an error at the opening quote (records before it are
 *    delivered):
 *      "path:L:C: the quoted field opened here is not closed at end of file"
 *      "path:L:C: unbalanced quotes: the quoted field opened here runs over
 *      a line break and holds a stray quote (line M), so it would swallow
 *      the records after it" (and a hint line): a quote without its
 *      closing one would otherwise merge every line up to some later quote
 *      into one field.  Not a reject of that record: where the field
 *      really ends cannot be known, so neither can the records after it;
 *      the file is refused, pointing at the quote to mend.
 *  - Line breaks are LF, CRLF or a lone CR.  Blank lines are skipped but
 *    counted: csvin_record.line is the physical line of the record's first
 *    byte, also for records after quoted multi-line fields.
 *  - Fields are not trimmed ("  " stays "  ", spaces around a value stay)
 *    and ragged rows are returned as they are: trimming, empty rows and
 *    column counts are the caller's business.
 *  - Bounds (csvin_opts): a record longer than max_record bytes, a field
 *    longer than max_field bytes, or a .gz whose inflated bytes exceed
 *    max_ratio times the compressed bytes read so far (once more than
 *    CSVIN_RATIO_FLOOR bytes are inflated) ends the reading: the records
 *    before are delivered, then csvin_next returns -1 with
 *    "path:line: record longer than N bytes (max_record_bytes)", "...
 *    field longer than N bytes (max_field_bytes)" (line: where the record
 *    starts) or "path:line: the .gz inflates to more than R times its
 *    compressed size: refusing a possible decompression bomb
 *    (max_inflation_ratio R)".  Nothing is buffered beyond a limit.
 *  - Memory is bounded by max_record (four times it while the
 *    delimiter is detected) plus the read chunk, not by the file (plus
 *    64 KiB of raw input held for encoding detection).
 */
#ifndef VQR_CSVIN_H
#define VQR_CSVIN_H

#include <stddef.h>

typedef struct csvin csvin;

typedef struct csvin_opts {
	unsigned char delim;    /* ',', '\t', ';' (any byte but '"', CR, LF), or 0 = detect */
	size_t chunk;           /* raw bytes per read and decoded bytes per refill, 0 = 64 KiB (tests set small values) */
	const char *encoding;   /* "utf-8", "gb18030", "utf-16", "utf-32", "utf-32le", "utf-32be", or NULL / "auto" = detect (see above); only read during csvin_open */
	size_t max_record;      /* largest record, in bytes of decoded text (delimiters and quotes
	                           included, its final line break not), 0 = CSVIN_MAX_RECORD */
	size_t max_field;       /* largest field value, in bytes, 0 = CSVIN_MAX_FIELD */
	double max_ratio;       /* .gz: largest ratio of inflated to compressed bytes, checked as
	                           the file inflates once CSVIN_RATIO_FLOOR bytes are out; 0 = CSVIN_MAX_RATIO */
} csvin_opts;

#define CSVIN_MAX_RECORD  (1u << 20)
#define CSVIN_MAX_FIELD   (256u << 10)
#define CSVIN_MAX_RATIO   100.0
#define CSVIN_RATIO_FLOOR (1u << 20)

typedef struct csvin_record {
	size_t nfields;         /* number of fields (>= 1) */
	char **fields;          /* NUL-terminated field texts (owned by the reader, valid until the next csvin_next) */
	size_t *lens;           /* byte length of each field (a field may hold NUL bytes) */
	long line;              /* 1-based physical line where this record starts */
	long long offset;       /* byte offset of the record start in the decoded UTF-8 stream; a stripped BOM counts as the 3 bytes of a UTF-8 BOM (for UTF-8 input: the offset in the uncompressed file) */
	long long raw_offset;   /* byte offset of the record start in the raw (decompressed, undecoded) input, BOM included; equal to offset for UTF-8 (see the file header) */
} csvin_record;

/*
 * Open path (plain or gzip) for reading.  opts may be NULL (detect the
 * encoding and the delimiter, 64 KiB reads).  The encoding is settled
 * first (see the file header).  With delim 0 the delimiter is then
 * detected from the first non-empty line of the decoded text: whichever
 * of ',', TAB, ';' splits it into the most fields when libcsv parses it
 * (so delimiters inside quotes do not count); ties go to ',' then TAB then
 * ';', and ',' when none occurs.  Detection buffers that first record
 * before returning.
 * Returns NULL on error with "path: reason" in errbuf (errbuf may be NULL):
 * the file cannot be opened, an unknown encoding name, "utf-16" or
 * "utf-32" without its BOM, a configured encoding contradicted by a BOM, iconv unavailable.
 * Read and decoding errors in the first bytes are not reported here but by
 * the first csvin_next, with a line number.  Free the reader with
 * csvin_close().
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

/* Non-zero when a byte order mark (of any encoding) was found at the start and stripped. */
int csvin_had_bom(const csvin *r);

/*
 * The input encoding found or configured, for manifests: "utf-8",
 * "utf-8 (BOM)", "gb18030", "gb18030 (BOM)", "utf-16le (BOM)",
 * "utf-16be (BOM)", "utf-32le (BOM)", "utf-32be (BOM)", "utf-32le" or
 * "utf-32be" (configured, without a BOM).  A static string, valid for the life of the program.
 */
const char *csvin_encoding(const csvin *r);

/* Close the file and free the reader and its records.  NULL is allowed. */
void csvin_close(csvin *r);

#endif
