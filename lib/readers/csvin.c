/*
 * csvin.c - streaming CSV record reader on libcsv, zlib and iconv; see
 * csvin.h.
 *
 * one file: the raw layer, the decoder, the delimiter detection and the
 * libcsv callbacks are one pipeline over one struct whose offsets (pos,
 * off, raw_off, line) each step advances for the next; split, every part
 * would need the whole struct and the invariants below in a shared header.
 *
 * Data flow:
 *
 *     gzread -> raw[rpos..rlen) -> fill(): check/decode -> buf[pos..len) -> libcsv -> record
 *
 * Raw layer: raw_read() appends up to `chunk` decompressed bytes to raw.
 * At open, the encoding is settled on raw bytes alone (BOMs, then a UTF-8
 * check of the first 64 KiB, read ahead into raw for that).
 *
 * fill() is the only place that produces decoded bytes: it decodes at most
 * `chunk` raw bytes per call into buf + len, either with iconv (GB18030,
 * UTF-16LE/BE to UTF-8) or, for UTF-8, by validating and copying.  A
 * multibyte sequence cut by the end of the raw data stays in raw for the
 * next call; an invalid one ends the input with an error once the bytes
 * before it are parsed.  So buf only ever holds complete, valid UTF-8, and
 * everything after fill() (BOM stripping, delimiter detection, line
 * counting) works on UTF-8.  CR and LF are single bytes in the decoded
 * text that come from CR and LF characters of the raw text, never from a
 * trail byte.
 *
 * Offsets: `off` counts decoded bytes, `raw_off` raw bytes.  The segment
 * loop advances raw_off by the raw size of each decoded segment, computed
 * from its UTF-8 text: the same for UTF-8; 2 bytes per BMP character and 4
 * per supplementary one for UTF-16; 4 per character for UTF-32; for GB18030 1 byte per ASCII
 * character, and 2 or 4 for any other, 2 when it is one of the code points
 * that GB18030's two-byte codes decode to: a bitmap for the BMP plus a
 * short list of supplementary ones (FE51 -> U+20087 and a few more), built
 * at open by decoding all two-byte codes with the same iconv, so it agrees
 * with the decoder.  This is exact because glibc decodes no two GB18030
 * codes to the same character (the unit test checks every two-byte and
 * every BMP four-byte code), with one exception: the six rare characters
 * of FE51 FE52 FE53 FE6C FE76 FE91 (U+20087 ...) also come from their
 * four-byte codes, and are always counted as two bytes.
 *
 * Push to pull: libcsv calls back per field and per row.  Instead of
 * queueing completed records, the buffer is fed to csv_parse one segment
 * at a time, a segment ending just after a CR or LF (or at the end of the
 * buffered data).  libcsv completes rows only at CR or LF, so a row can
 * only complete at the last byte of a segment: csvin_next stops feeding as
 * soon as one completes, with no other record started.  This also gives
 * exact record positions: the next record starts at the byte after the
 * segment, and lines are counted on the bytes of each segment (LF,
 * CRLF and lone CR each end one line), inside quoted fields included.
 * CSV_REPALL_NL makes libcsv report the blank rows (and the LF of a CRLF)
 * too, so a record's start moves past blank lines.
 *
 * Quote-free lines skip libcsv.  When the parser stands at the start of a
 * row (no field of the record begun) and a segment holds a whole line
 * (it ends in its CR or LF) without any quote character, libcsv could only
 * split it at the delimiters: with no space trimming (no_space) and no
 * quote, its state machine submits exactly the texts between delimiters,
 * then the row (a terminator alone: an empty row, which CSV_REPALL_NL
 * reports and cb_row ignores).  split_line() does the same with memchr,
 * several times faster than libcsv's byte-at-a-time loop, and leaves the
 * parser where it was (at a row start).  Everything else, any line with a
 * quote, a line cut by the end of the buffer, and whatever follows until
 * the record ends, goes through libcsv.  The tests read every input at
 * every chunk size, which moves lines between the two paths.
 *
 * Unbalanced quotes.  libcsv reads a stray quote in a quoted field (one
 * neither doubled nor followed by the delimiter or a line break) as text
 * and stays in the field, so one opening quote without its closing one
 * swallows the lines after it into one field, up to some later quote that
 * happens to close it.  After each segment libcsv parses, watch_quotes()
 * reads its state; when a quoted field is open at the segment's start or
 * end (rare: the lines of multi-line fields), scan_quotes() follows the
 * segment's quotes as libcsv read them, to find where the field opened
 * and whether it holds a stray quote (checked against libcsv's state at
 * the end).  A quoted field with both a line break and a stray quote is
 * the sign of an unbalanced quote (a well-formed multi-line field
 * has no stray quote), and the reading ends with an error naming the
 * line and column of its opening quote (csvin.h says why not a reject).
 *
 * Field texts are copied into one arena reused for every record; the
 * field pointer array is rebuilt per record (no malloc in steady state).
 */
#include "lib/readers/csvin.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"
#include "lib/util/utf8.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define CSVIN_CHUNK     65536           /* default read size */
#define CSVIN_CHUNK_MAX (1u << 30)      /* gzread takes an unsigned, returns an int */
#define CSVIN_GZBUF     65536           /* zlib's input buffer */
#define CSVIN_DETECT_MAX (1u << 20)     /* detection gives up on a delimiter after this */
#define CSVIN_BLK       4096            /* libcsv field buffer growth step */
#define CSVIN_SNIFF     65536           /* raw bytes checked for UTF-8 by encoding detection */
#define CSVIN_SLACK     16              /* decoded room beyond chunk: one character always fits */
#define CSVIN_GB2SUP    32              /* room for GB18030 two-byte codes of supplementary characters (glibc has 6) */

/* Input encodings. */
enum { ENC_UTF8, ENC_GB18030, ENC_UTF16LE, ENC_UTF16BE, ENC_UTF32LE, ENC_UTF32BE };

/* Decoder outcomes (dec_step). */
enum { DEC_OK, DEC_SHORT, DEC_BAD };

/*
 * libcsv's parser state "inside a field" (FIELD_BEGUN in libcsv.c, the
 * same value in every release since 1.0).  With struct csv_parser.quoted
 * set at end of input it means a quoted field without its closing quote.
 * libcsv only reports that in CSV_STRICT mode, which would also reject the
 * stray quotes we accept; tests/unit/test_csvin.c checks this value.
 */
#define LIBCSV_FIELD_BEGUN 2
/* libcsv's "no field of the row begun" state (ROW_NOT_BEGUN, likewise
 * stable); split_line() may take over only there. */
#define LIBCSV_ROW_NOT_BEGUN 0
/* libcsv's "between fields" state (FIELD_NOT_BEGUN): a quote there opens
 * a quoted field. */
#define LIBCSV_FIELD_NOT_BEGUN 1
/* libcsv's "quote seen in a quoted field" state (FIELD_MIGHT_HAVE_ENDED):
 * that quote is in its field buffer until the next byte says whether it
 * ends the field. */
#define LIBCSV_FIELD_MIGHT_HAVE_ENDED 3

struct csvin {
	char *path;             /* file name for messages (owned) */
	gzFile gz;              /* the open file */
	size_t chunk;           /* bytes per gzread, decoded bytes per fill */
	size_t max_record;      /* csvin_opts.max_record (resolved) */
	size_t max_field;       /* csvin_opts.max_field (resolved) */
	double max_ratio;       /* csvin_opts.max_ratio (resolved) */
	long long ratio_next;   /* inflated bytes at which the ratio is checked next */

	unsigned char *raw;     /* raw (decompressed, undecoded) bytes, undecoded ones in [rpos, rlen) */
	size_t rcap;            /* allocated size of raw */
	size_t rpos;            /* next raw byte to decode */
	size_t rlen;            /* end of the raw bytes */
	long long raw_base;     /* input offset of raw[0] */
	int raw_state;          /* 0 reading, 1 end of input, -1 read error (raw_msg) */
	char raw_msg[256];      /* the read error, without path and line */

	int enc;                /* ENC_* */
	const char *enc_name;   /* csvin_encoding() */
	iconv_t cd;             /* decoder to UTF-8, (iconv_t)-1 for UTF-8 input */
	unsigned char *gb2;     /* GB18030: bitmap of the BMP code points of two-byte codes (8 KiB), else NULL */
	unsigned gb2sup[CSVIN_GB2SUP]; /* GB18030: the supplementary code points of two-byte codes */
	int ngb2sup;            /* entries in gb2sup */

	unsigned char *buf;     /* decoded bytes, unread ones in [pos, len) */
	size_t cap;             /* allocated size of buf */
	size_t pos;             /* next byte to parse */
	size_t len;             /* end of the buffered bytes */
	int rd_state;           /* 0 reading, 1 end of input, -1 read or decoding error */
	char rd_msg[256];       /* the read or decoding error, without path and line */

	struct csv_parser p;    /* the libcsv parser */
	int p_init;             /* p is initialised (needs csv_free) */
	unsigned char delim;    /* delimiter in use */
	int had_bom;            /* a BOM was stripped */

	long long off;          /* decoded stream offset of buf[pos] */
	long long raw_off;      /* raw input offset of buf[pos] */
	long line;              /* physical line of buf[pos] */
	int prev_cr;            /* the byte before buf[pos] was a CR */
	long long rec_off;      /* where the next record starts */
	long long rec_raw_off;  /* the same in the raw input */
	long rec_line;          /* line where the next record starts */
	long col;               /* characters of the line before buf[pos] */

	/* quotes (watch_quotes): the quoted field last opened */
	long q_line, q_col;     /* where its opening quote is */
	int q_nl;               /* it holds a line break */
	long q_stray;           /* line of a stray quote in it (neither doubled nor closing), 0 = none */

	char *data;             /* arena: field texts of the current record, each NUL-terminated */
	size_t dlen;            /* bytes used in data */
	size_t dcap;            /* allocated size of data */
	size_t *foff;           /* offset of each field in data */
	size_t *flen;           /* length of each field (record.lens) */
	size_t nf;              /* fields collected so far */
	size_t fcap;            /* allocated entries of foff, flen and fields */
	char **fields;          /* record.fields, rebuilt per record */
	int have_rec;           /* a row completed during the last csv_parse */
	int cb_err;             /* callback failure: 1 out of memory, 2 internal, 3 field too long */
	csvin_record rec;       /* the record handed out */

	int state;              /* 0 reading, 1 end returned, -1 error returned */
	char err[1024];         /* "path:line: message" */
};

/* Record an error at the current line and enter the error state; -1. */
static int fail(csvin *r, long line, const char *msg)
{
	r->state = -1;
	return err_set(r->err, sizeof r->err, "%s:%ld: %s", r->path, line, msg);
}

/* The text of a zlib error, without the "<fd:N>: " prefix gzerror adds. */
static const char *zlib_text(const char *msg)
{
	const char *p = strstr(msg, ">: ");

	return p ? p + 3 : msg;
}

/* Make room for need more bytes after *len in *b (capacity *cap), moving
 * the unread bytes [*pos, *len) to the front when that makes room.
 * Returns the number of bytes moved out at the front. */
static long long make_room(unsigned char **b, size_t *cap, size_t *pos, size_t *len, size_t need)
{
	size_t moved = 0;

	if (*pos == *len) {
		moved = *pos;
		*pos = *len = 0;
	} else if (*pos > 0 && *cap - *len < need) {
		moved = *pos;
		memmove(*b, *b + *pos, *len - *pos);
		*len -= *pos;
		*pos = 0;
	}
	if (*cap - *len < need) {
		size_t ncap = *cap ? *cap : need;

		while (ncap - *len < need)
			ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;  /* xreallocarray ends an impossible size */
		*b = xreallocarray(*b, ncap, 1);
		*cap = ncap;
	}
	return (long long)moved;
}

/* With n more bytes just inflated, has a .gz inflated to more than
 * max_ratio times the compressed bytes zlib consumed?  Checked once
 * CSVIN_RATIO_FLOOR bytes are out, then every CSVIN_CHUNK bytes (asking
 * zlib costs a system call).  Those n bytes are then never used. */
static int ratio_exceeded(csvin *r, size_t n)
{
	long long out = r->raw_base + (long long)(r->rlen + n);
	long long in;

	if (out <= (long long)CSVIN_RATIO_FLOOR || out < r->ratio_next || gzdirect(r->gz))
		return 0;
	r->ratio_next = out + CSVIN_CHUNK;
	in = (long long)gzoffset(r->gz);
	return (double)out > r->max_ratio * (double)(in > 0 ? in : 1);
}

/*
 * Append up to r->chunk raw bytes at raw + rlen.  Returns the number of
 * bytes added, 0 at end of input, -1 on a read error (r->raw_msg).  Errors
 * are sticky (r->raw_state).  A truncated .gz (Z_BUF_ERROR) is reported
 * only once gzread has nothing more to give, and an error that comes with
 * data on the next call, so every byte zlib could decode is used first,
 * whatever the chunk size.
 */
static int raw_read(csvin *r)
{
	int n, zerr, saved;
	const char *zmsg;
	long long moved;

	if (r->raw_state < 0)
		return -1;
	if (r->raw_state > 0)
		return 0;
	moved = make_room(&r->raw, &r->rcap, &r->rpos, &r->rlen, r->chunk);
	r->raw_base += moved;

	errno = 0;
	n = gzread(r->gz, r->raw + r->rlen, (unsigned)r->chunk);
	saved = errno;
	zmsg = gzerror(r->gz, &zerr);
	if (n > 0 && (zerr == Z_OK || zerr == Z_BUF_ERROR)) {
		/* Z_BUF_ERROR: the input ended early, but zlib may still hold
		 * decoded bytes; read on until gzread returns 0 */
		if (ratio_exceeded(r, (size_t)n)) {
			snprintf(r->raw_msg, sizeof r->raw_msg, "the .gz inflates to more than %g "
				 "times its compressed size: refusing a possible decompression bomb "
				 "(max_inflation_ratio %g)", r->max_ratio, r->max_ratio);
			r->raw_state = -1;
			return -1;
		}
		r->rlen += (size_t)n;
		return n;
	}
	if (n == 0 && zerr == Z_OK) {
		r->raw_state = 1;
		return 0;
	}
	if (zerr == Z_BUF_ERROR)
		snprintf(r->raw_msg, sizeof r->raw_msg,
			 "unexpected end of compressed data (truncated .gz file?)");
	else if (zerr == Z_DATA_ERROR)
		snprintf(r->raw_msg, sizeof r->raw_msg,
			 "corrupt compressed data: %s", zlib_text(zmsg));
	else if (zerr == Z_ERRNO || zerr == Z_OK)
		snprintf(r->raw_msg, sizeof r->raw_msg, "read error: %s",
			 strerror(saved ? saved : EIO));
	else if (zerr == Z_MEM_ERROR)
		snprintf(r->raw_msg, sizeof r->raw_msg, "out of memory");
	else
		snprintf(r->raw_msg, sizeof r->raw_msg, "read error: %s", zlib_text(zmsg));
	r->raw_state = -1;
	if (n <= 0)
		return -1;
	/* data that came with a hard error: use it, fail on the next call */
	r->rlen += (size_t)n;
	return n;
}

/* ---- UTF-8 ---- */

/* ---- raw sizes of decoded text ---- */

/*
 * Build the GB18030 bitmap: decode every two-byte code (lead 81..FE, trail
 * 40..7E, 80..FE) and mark the code point it gives.  Returns 0, or -1 when
 * out of memory or when iconv does not behave (message in errbuf).
 */
static int gb2_build(csvin *r, char *errbuf, size_t errlen)
{
	unsigned char in[2 * 190], out[4 * 190];
	unsigned lead;

	r->gb2 = xcalloc(1, 65536 / 8);
	for (lead = 0x81; lead <= 0xFE; lead++) {
		size_t ni = 0, done = 0;
		unsigned t;

		for (t = 0x40; t <= 0xFE; t++) {
			if (t == 0x7F)
				continue;
			in[ni++] = (unsigned char)lead;
			in[ni++] = (unsigned char)t;
		}
		while (done < ni) {
			char *ip = (char *)in + done, *op = (char *)out;
			size_t il = ni - done, ol = sizeof out;
			size_t rc = iconv(r->cd, &ip, &il, &op, &ol);
			const unsigned char *u = out, *ue = (unsigned char *)op;
			int e = errno;

			/* one code point per two input bytes */
			while (u < ue) {
				unsigned cp;

				if (u[0] >= 0xE0 && u[0] < 0xF0 && ue - u >= 3) {
					cp = (unsigned)(u[0] & 0x0F) << 12 | (unsigned)(u[1] & 0x3F) << 6 |
					     (u[2] & 0x3F);
					u += 3;
				} else if (u[0] >= 0xC0 && u[0] < 0xE0 && ue - u >= 2) {
					cp = (unsigned)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
					u += 2;
				} else if (u[0] >= 0xF0 && ue - u >= 4) {
					/* a few two-byte codes (FE51, FE52, ...) decode to
					 * supplementary characters: keep a list */
					cp = (unsigned)(u[0] & 0x07) << 18 | (unsigned)(u[1] & 0x3F) << 12 |
					     (unsigned)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
					u += 4;
					if (r->ngb2sup == CSVIN_GB2SUP) {
						err_set(errbuf, errlen, "%s: GB18030 decoder: more than %d "
							"two-byte codes decode to supplementary characters",
							r->path, CSVIN_GB2SUP);
						return -1;
					}
					r->gb2sup[r->ngb2sup++] = cp;
					continue;
				} else {
					u++;    /* ASCII: no two-byte code gives one */
					continue;
				}
				r->gb2[cp >> 3] |= (unsigned char)(1u << (cp & 7));
			}
			done = (size_t)(ip - (char *)in);
			if (rc == (size_t)-1) {
				if (e != EILSEQ || il < 2) {
					err_set(errbuf, errlen, "%s: GB18030 decoder: %s", r->path,
						strerror(e));
					return -1;
				}
				done += 2;      /* an unassigned code: skip it */
				iconv(r->cd, NULL, NULL, NULL, NULL);
			}
		}
	}
	return 0;
}

/* Raw size, in the input encoding, of the decoded (valid, whole-character) text s[0..n). */
static long long raw_size(const csvin *r, const unsigned char *s, size_t n)
{
	long long raw = 0;
	size_t i = 0;

	if (r->enc == ENC_UTF8)
		return (long long)n;
	if (r->enc == ENC_UTF32LE || r->enc == ENC_UTF32BE) {
		/* UTF-32: 4 bytes per character */
		for (i = 0; i < n; i++)
			raw += ((s[i] & 0xC0) != 0x80) * 4;
		return raw;
	}
	if (r->enc != ENC_GB18030) {
		/* UTF-16: 2 bytes per character, 4 for those UTF-8 writes in 4 */
		for (i = 0; i < n; i++)
			raw += ((s[i] & 0xC0) != 0x80) * 2 + (s[i] >= 0xF0) * 2;
		return raw;
	}
	while (i < n) {
		unsigned c = s[i], cp;

		if (c < 0x80) {
			raw++;
			i++;
			continue;
		}
		if (c >= 0xF0) {
			int k;

			cp = (c & 0x07) << 18 | (unsigned)(s[i + 1] & 0x3F) << 12 |
			     (unsigned)(s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
			for (k = 0; k < r->ngb2sup && r->gb2sup[k] != cp; k++)
				;
			raw += k < r->ngb2sup ? 2 : 4;
			i += 4;
			continue;
		}
		if (c >= 0xE0) {
			cp = (c & 0x0F) << 12 | (unsigned)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
			i += 3;
		} else {
			cp = (c & 0x1F) << 6 | (s[i + 1] & 0x3F);
			i += 2;
		}
		raw += r->gb2[cp >> 3] & (1u << (cp & 7)) ? 2 : 4;
	}
	return raw;
}

/* ---- decoding ---- */

static const char *enc_label(int enc)
{
	static const char *const label[] = { "UTF-8", "GB18030", "UTF-16LE", "UTF-16BE",
					     "UTF-32LE", "UTF-32BE" };

	return label[enc];
}

/*
 * Decode up to take raw bytes at raw + rpos into buf + len (room for at
 * least CSVIN_SLACK bytes), advancing rpos and len.  Returns DEC_OK (all
 * taken or the output is full), DEC_SHORT (stopped before a sequence that
 * the taken bytes cut off) or DEC_BAD (stopped before an invalid sequence,
 * which starts at raw + rpos).
 */
static int dec_step(csvin *r, size_t take)
{
	if (r->enc == ENC_UTF8) {
		size_t n = r->cap - r->len, v;
		int bad;

		if (n > take)
			n = take;
		v = utf8_valid(r->raw + r->rpos, n, &bad);
		memcpy(r->buf + r->len, r->raw + r->rpos, v);
		r->rpos += v;
		r->len += v;
		if (bad)
			return DEC_BAD;
		return v < take && n == take ? DEC_SHORT : DEC_OK;
	} else {
		char *ip = (char *)r->raw + r->rpos, *op = (char *)r->buf + r->len;
		size_t il = take, ol = r->cap - r->len;
		size_t rc = iconv(r->cd, &ip, &il, &op, &ol);
		int e = errno;

		r->rpos = (size_t)((unsigned char *)ip - r->raw);
		r->len = (size_t)((unsigned char *)op - r->buf);
		if (rc != (size_t)-1 || e == E2BIG)
			return DEC_OK;
		return e == EINVAL ? DEC_SHORT : DEC_BAD;
	}
}

/* Enter the decoding error state for the bytes at raw + rpos. */
static void dec_fail(csvin *r, const char *why)
{
	snprintf(r->rd_msg, sizeof r->rd_msg, "invalid %s byte sequence at byte offset %lld%s",
		 enc_label(r->enc), r->raw_base + (long long)r->rpos, why);
	r->rd_state = -1;
}

/*
 * Append decoded bytes at buf + len, from at most about r->chunk raw
 * bytes.  Returns the number of bytes added, 0 at end of input, -1 on a
 * read or decoding error (r->rd_msg).  Bytes in [pos, len) are kept (moved
 * to the front when that makes room).  Errors are sticky, and come only
 * after every decoded byte before them has been returned.
 */
static int fill(csvin *r)
{
	size_t lim = r->chunk, len0;

	if (r->rd_state < 0)
		return -1;
	if (r->rd_state > 0)
		return 0;
	make_room(&r->buf, &r->cap, &r->pos, &r->len, r->chunk + CSVIN_SLACK);
	len0 = r->len;
	for (;;) {
		size_t avail = r->rlen - r->rpos;

		if (avail > 0) {
			size_t take = avail < lim ? avail : lim;

			if (dec_step(r, take) == DEC_BAD) {
				dec_fail(r, "");
				return r->len > len0 ? (int)(r->len - len0) : -1;
			}
			if (r->len > len0)
				return (int)(r->len - len0);
			if (take < avail) {
				lim = take + 4;         /* a longer sequence: take more */
				continue;
			}
		}
		/* all raw bytes are used, or they end in a cut sequence */
		if (r->raw_state < 0) {
			snprintf(r->rd_msg, sizeof r->rd_msg, "%s", r->raw_msg);
			r->rd_state = -1;
			return -1;
		}
		if (r->raw_state > 0) {
			if (avail > 0) {
				dec_fail(r, " (cut off at end of file)");
				return -1;
			}
			r->rd_state = 1;
			return 0;
		}
		raw_read(r);
	}
}

/* libcsv space test: nothing is a space, so fields are never trimmed. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* ---- delimiter detection ---- */

typedef struct det {
	struct csv_parser p;    /* parser with this candidate delimiter */
	size_t nfields;         /* fields of the first non-empty row so far */
	int done;               /* the first non-empty row is complete */
} det;

static void det_field(void *s, size_t len, void *data)
{
	det *d = data;

	(void)s;
	(void)len;
	if (!d->done)
		d->nfields++;
}

static void det_row(int c, void *data)
{
	det *d = data;

	(void)c;
	d->done = 1;            /* without CSV_REPALL_NL only non-empty rows come here */
}

/*
 * Parse the first non-empty row with each candidate delimiter and pick the
 * one giving most fields.  Reads (buffers) as much as that row needs.
 * Returns 0, or -1 when libcsv runs out of memory (message in errbuf).
 * A read error just ends the detection: csvin_next reports it.
 */
static int detect_delim(csvin *r, char *errbuf, size_t errlen)
{
	static const unsigned char cand[3] = { ',', '\t', ';' };
	det d[3];
	size_t scanned = 0;     /* bytes after pos already fed to the parsers */
	int i, best, ndone, ret = 0;

	for (i = 0; i < 3; i++) {
		csv_init(&d[i].p, 0);
		csv_set_delim(&d[i].p, cand[i]);
		csv_set_space_func(&d[i].p, no_space);
		csv_set_blk_size(&d[i].p, CSVIN_BLK);
		d[i].nfields = 0;
		d[i].done = 0;
	}
	for (;;) {
		size_t avail = r->len - r->pos - scanned;
		const unsigned char *s = r->buf + r->pos + scanned;

		ndone = 0;
		for (i = 0; i < 3; i++) {
			if (!d[i].done && avail > 0 &&
			    csv_parse(&d[i].p, s, avail, det_field, det_row, &d[i]) != avail) {
				err_set(errbuf, errlen, "%s: %s", r->path,
					csv_strerror(csv_error(&d[i].p)));
				ret = -1;
				goto out;
			}
			ndone += d[i].done;
		}
		scanned += avail;
		if (ndone == 3)
			break;
		if ((ndone > 0 && scanned > CSVIN_DETECT_MAX) || scanned > r->max_record) {
			/* the others are stuck in an open quote: not the delimiter
			 * (or the first record is over max_record, and csvin_next
			 * refuses it) */
			for (i = 0; i < 3; i++)
				if (!d[i].done)
					d[i].nfields = 0;
			break;
		}
		if (fill(r) <= 0) {
			for (i = 0; i < 3; i++)
				if (!d[i].done)
					csv_fini(&d[i].p, det_field, det_row, &d[i]);
			break;
		}
	}
	best = 0;
	for (i = 1; i < 3; i++)
		if (d[i].nfields > d[best].nfields)
			best = i;
	r->delim = cand[best];
out:
	for (i = 0; i < 3; i++)
		csv_free(&d[i].p);
	return ret;
}

/* ---- libcsv callbacks of the main parser ---- */

/* Make room for need fields in foff, flen and fields (one capacity). */
static void grow_fields(csvin *r, size_t need)
{
	size_t ncap = r->fcap ? r->fcap : 16;

	if (need <= r->fcap)
		return;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;  /* xreallocarray ends an impossible size */
	r->foff = xreallocarray(r->foff, ncap, sizeof *r->foff);
	r->flen = xreallocarray(r->flen, ncap, sizeof *r->flen);
	r->fields = xreallocarray(r->fields, ncap, sizeof *r->fields);
	r->fcap = ncap;
}

/* Make room for need bytes in the text arena. */
static void grow_data(csvin *r, size_t need)
{
	size_t ncap = r->dcap ? r->dcap : 1024;

	if (need <= r->dcap)
		return;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;
	r->data = xreallocarray(r->data, ncap, 1);
	r->dcap = ncap;
}

/* Record a field of the current record: len bytes at off in the arena
 * (its NUL already there). */
static void add_field(csvin *r, size_t off, size_t len)
{
	if (r->nf == r->fcap)
		grow_fields(r, r->nf + 1);
	r->foff[r->nf] = off;
	r->flen[r->nf++] = len;
}

static void cb_field(void *s, size_t len, void *data)
{
	csvin *r = data;

	if (r->cb_err)
		return;
	if (r->have_rec) {
		r->cb_err = 2;  /* a field after a completed row: cannot happen */
		return;
	}
	if (len > r->max_field) {
		r->cb_err = 3;
		return;
	}
	if (len >= SIZE_MAX - r->dlen) {
		r->cb_err = 1;
		return;
	}
	grow_data(r, r->dlen + len + 1);
	if (len > 0)
		memcpy(r->data + r->dlen, s, len);
	r->data[r->dlen + len] = '\0';
	add_field(r, r->dlen, len);
	r->dlen += len + 1;
}

/*
 * End of a row.  Called at the last byte of a segment (or by csv_fini), so
 * r->off and r->line already point after the row's terminator.
 */
static void cb_row(int c, void *data)
{
	csvin *r = data;

	(void)c;
	if (r->cb_err)
		return;         /* the error names where the record starts */
	if (r->nf > 0) {
		r->have_rec = 1;
		r->rec.line = r->rec_line;
		r->rec.offset = r->rec_off;
		r->rec.raw_offset = r->rec_raw_off;
	}
	r->rec_line = r->line;
	r->rec_off = r->off;
	r->rec_raw_off = r->raw_off;
}

/*
 * The fields of the quote-free line s[0..n) (without its terminator), as
 * libcsv would deliver them (see the file header): 0, or -1 when a field
 * is too long or the arena cannot grow (cb_err set).
 */
static int split_line(csvin *r, const unsigned char *s, size_t n)
{
	char *d, *p, *end;

	if (n == 0)
		return 0;
	if (n >= SIZE_MAX - r->dlen) {
		r->cb_err = 1;
		return -1;
	}
	grow_data(r, r->dlen + n + 1);
	d = r->data + r->dlen;
	memcpy(d, s, n);
	d[n] = '\0';
	end = d + n;
	for (p = d;;) {
		char *q = memchr(p, r->delim, (size_t)(end - p));

		if (!q)
			q = end;
		if ((size_t)(q - p) > r->max_field) {
			r->cb_err = 3;
			return -1;
		}
		*q = '\0';
		add_field(r, (size_t)(p - r->data), (size_t)(q - p));
		if (q == end)
			break;
		p = q + 1;
	}
	r->dlen += n + 1;
	return 0;
}

#if defined(__SSE2__)
/*
 * The quote-free line at s, split as split_line() splits it, in one pass
 * 16 bytes a step (SSE2 compares find the CR, LF, quote and delimiter
 * bytes of each step): the bytes are copied to the arena as they are
 * scanned, each delimiter and the terminator overwritten with a NUL, and
 * a field recorded at each.  Returns the line's terminator (its CR or
 * LF), with the fields added to the record; or NULL, with the record as
 * it was, when the line must take the general path: a quote before its
 * terminator, no terminator before e, a field over max_field or a line
 * over max_record (the general path gives their errors).
 */
static const unsigned char *fast_line(csvin *r, const unsigned char *s, const unsigned char *e)
{
	size_t n = (size_t)(e - s), nf0 = r->nf, base = r->dlen, fstart = 0, i = 0;
	const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), qu = _mm_set1_epi8('"');
	const __m128i dl = _mm_set1_epi8((char)r->delim);

	if (n > r->max_record + 1)
		n = r->max_record + 1;  /* a longer line is the general path's error */
	if (base >= SIZE_MAX - n - 32)
		return NULL;
	grow_data(r, base + n + 17);  /* a step may store 16 bytes past the line */
	for (;;) {
		unsigned end, quote, dm, k;

		if (i + 16 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));

			_mm_storeu_si128((__m128i *)(void *)(r->data + base + i), v);
			end = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
			quote = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, qu));
			dm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, dl));
			k = 16;
		} else {
			end = quote = dm = 0;
			for (k = 0; i + k < n && k < 16; k++) {
				unsigned char c = s[i + k];

				r->data[base + i + k] = (char)c;
				end |= (unsigned)(c == '\n' || c == '\r') << k;
				quote |= (unsigned)(c == '"') << k;
				dm |= (unsigned)(c == r->delim) << k;
			}
			if (k == 0)
				goto general;   /* no terminator before e (or max_record) */
		}
		if (end) {
			unsigned below = (1u << __builtin_ctz(end)) - 1;

			quote &= below;
			dm &= below;
		}
		if (quote)
			goto general;
		for (; dm; dm &= dm - 1) {
			size_t at = i + (size_t)__builtin_ctz(dm);

			if (at - fstart > r->max_field)
				goto general;
			r->data[base + at] = '\0';
			add_field(r, base + fstart, at - fstart);
			fstart = at + 1;
		}
		if (end) {
			size_t at = i + (size_t)__builtin_ctz(end);

			if (at - fstart > r->max_field)
				goto general;
			if (at > 0) {   /* an empty line has no field (split_line) */
				r->data[base + at] = '\0';
				add_field(r, base + fstart, at - fstart);
				r->dlen = base + at + 1;
			}
			return s + at;
		}
		i += k;
	}
general:
	r->nf = nf0;
	return NULL;
}
#endif

/* ---- public API ---- */

/* Which encoding a name asks for: ENC_* (utf-32le and utf-32be name their
 * byte order, with or without a BOM), ENC_UTF16 or ENC_UTF32 (LE or BE by
 * the BOM), ENC_AUTO, or -1. */
enum { ENC_UTF16 = 10, ENC_AUTO = 11, ENC_UTF32 = 12 };

static int enc_parse(const char *name)
{
	if (!name || !*name || strcasecmp(name, "auto") == 0)
		return ENC_AUTO;
	if (strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0)
		return ENC_UTF8;
	if (strcasecmp(name, "gb18030") == 0)
		return ENC_GB18030;
	if (strcasecmp(name, "utf-16") == 0 || strcasecmp(name, "utf16") == 0)
		return ENC_UTF16;
	if (strcasecmp(name, "utf-32") == 0 || strcasecmp(name, "utf32") == 0)
		return ENC_UTF32;
	if (strcasecmp(name, "utf-32le") == 0 || strcasecmp(name, "utf32le") == 0)
		return ENC_UTF32LE;
	if (strcasecmp(name, "utf-32be") == 0 || strcasecmp(name, "utf32be") == 0)
		return ENC_UTF32BE;
	return -1;
}

/* The byte order mark at the start of the raw bytes (reading ahead for
 * it): 0 none, else the ENC_* it marks but 1 for UTF-8's.  UTF-32LE's
 * (FF FE 00 00) is looked for before UTF-16LE's (FF FE). */
static int find_bom(csvin *r)
{
	static const struct { const char *b; size_t n; int bom; } boms[] = {
		{ "\xEF\xBB\xBF", 3, 1 }, { "\xFF\xFE\0\0", 4, ENC_UTF32LE },
		{ "\0\0\xFE\xFF", 4, ENC_UTF32BE }, { "\xFF\xFE", 2, ENC_UTF16LE },
		{ "\xFE\xFF", 2, ENC_UTF16BE },
	};

	while (r->rlen - r->rpos < 4 && raw_read(r) > 0)
		;
	for (size_t i = 0; i < sizeof boms / sizeof boms[0]; i++)
		if (r->rlen - r->rpos >= boms[i].n && memcmp(r->raw + r->rpos, boms[i].b, boms[i].n) == 0)
			return boms[i].bom;
	return 0;
}

/* Auto-detection without a BOM: UTF-8 when the first CSVIN_SNIFF bytes
 * are valid UTF-8, else GB18030. */
static int sniff_encoding(csvin *r)
{
	size_t n, v;
	int bad;

	while (r->rlen - r->rpos < CSVIN_SNIFF && raw_read(r) > 0)
		;
	n = r->rlen - r->rpos;
	if (n > CSVIN_SNIFF)
		n = CSVIN_SNIFF;
	v = utf8_valid(r->raw + r->rpos, n, &bad);
	/* a sequence cut off by the end of the window is fine, one cut off by
	 * the end of the file is not */
	return bad || (v < n && r->raw_state > 0 && n == r->rlen - r->rpos) ? ENC_GB18030 : ENC_UTF8;
}

/*
 * Settle the encoding from the raw bytes (reading ahead as needed) and set
 * up its decoder.  Returns 0, or -1 with "path: reason" in errbuf.
 */
static int settle_encoding(csvin *r, int want, char *errbuf, size_t errlen)
{
	static const char *const bom_name[] = { "", "UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE",
						"UTF-32BE" };
	static const char *const enc_names[] = { "utf-8", "gb18030", "utf-16le (BOM)",
						 "utf-16be (BOM)", "utf-32le (BOM)", "utf-32be (BOM)" };
	static const char *const plain_names[] = { "utf-8", "gb18030", "utf-16le", "utf-16be",
						   "utf-32le", "utf-32be" };
	int bom = find_bom(r);          /* 1 UTF-8, else ENC_UTF16LE ... ENC_UTF32BE */

	if (want == ENC_AUTO) {
		r->enc = bom == 1 ? ENC_UTF8 : bom ? bom : sniff_encoding(r);
	} else if (want == ENC_UTF16 || want == ENC_UTF32) {
		int le = want == ENC_UTF16 ? ENC_UTF16LE : ENC_UTF32LE;

		if (bom != le && bom != le + 1) {
			if (r->raw_state < 0)   /* csvin_next reports the read error */
				return 0;
			err_set(errbuf, errlen, "%s: encoding %s needs a byte order mark "
				"(%s) at the start of the file%s%s", r->path,
				want == ENC_UTF16 ? "utf-16" : "utf-32",
				want == ENC_UTF16 ? "FF FE or FE FF" : "FF FE 00 00 or 00 00 FE FF",
				bom ? ", found one of " : "", bom_name[bom]);
			return -1;
		}
		r->enc = bom;
	} else {
		r->enc = want;
		/* a BOM of the named encoding is skipped; none is needed */
		if (bom && bom != (want == ENC_UTF8 ? 1 : want >= ENC_UTF16LE ? want : -1)) {
			err_set(errbuf, errlen, "%s: the file starts with a %s byte order mark, "
				"but the configured encoding is %s", r->path, bom_name[bom],
				plain_names[want]);
			return -1;
		}
	}

	r->enc_name = bom > 1 || r->enc <= ENC_GB18030 ? enc_names[r->enc] : plain_names[r->enc];
	if (r->enc == ENC_UTF8)
		return 0;
	r->cd = iconv_open("UTF-8", enc_label(r->enc));
	if (r->cd == (iconv_t)-1) {
		err_set(errbuf, errlen, "%s: cannot decode %s: iconv_open: %s", r->path,
			enc_label(r->enc), strerror(errno));
		return -1;
	}
	if (r->enc == ENC_GB18030 && gb2_build(r, errbuf, errlen) < 0)
		return -1;
	return 0;
}

/* The options' delimiter and encoding checked: the encoding wanted
 * (ENC_*), or -1 with the reason in errbuf. */
static int check_opts(const char *path, unsigned char delim, const char *encoding, char *errbuf, size_t errlen)
{
	int want;

	if (!path)
		return err_set(errbuf, errlen, "(null): no file name");
	if (delim == '"' || delim == '\r' || delim == '\n')
		return err_set(errbuf, errlen, "%s: invalid delimiter 0x%02x", path, delim);
	want = enc_parse(encoding);
	if (want < 0)
		return err_set(errbuf, errlen, "%s: unknown encoding \"%s\" "
			       "(known: utf-8, gb18030, utf-16, utf-32, utf-32le, utf-32be, auto)", path, encoding);
	return want;
}

/* A byte order mark (decoded: U+FEFF of any encoding) at the start:
 * skipped, however its three bytes arrive. */
static void skip_bom(csvin *r)
{
	while (r->len - r->pos < 3 && fill(r) > 0)
		;
	if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0) {
		r->pos += 3;
		r->off = r->rec_off = 3;
		r->raw_off = r->rec_raw_off = raw_size(r, (const unsigned char *)"\xEF\xBB\xBF", 3);
		r->had_bom = 1;
		if (r->enc == ENC_UTF8)
			r->enc_name = "utf-8 (BOM)";
		else if (r->enc == ENC_GB18030)
			r->enc_name = "gb18030 (BOM)";
	}
}

csvin *csvin_open(const char *path, const csvin_opts *opts, char *errbuf, size_t errlen)
{
	csvin *r;
	int fd, want;
	gzFile gz;
	unsigned char delim = opts ? opts->delim : 0;
	size_t chunk = opts && opts->chunk ? opts->chunk : CSVIN_CHUNK;

	if ((want = check_opts(path, delim, opts ? opts->encoding : NULL, errbuf, errlen)) < 0)
		return NULL;
	if (chunk > CSVIN_CHUNK_MAX)
		chunk = CSVIN_CHUNK_MAX;
	fd = cli_open_input(path, errbuf, errlen);
	if (fd < 0)
		return NULL;
	gz = gzdopen(fd, "rb");
	if (!gz) {
		err_set(errbuf, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	gzbuffer(gz, CSVIN_GZBUF);
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->gz = gz;
	r->cd = (iconv_t)-1;
	r->chunk = chunk;
	r->max_record = opts && opts->max_record ? opts->max_record : CSVIN_MAX_RECORD;
	r->max_field = opts && opts->max_field ? opts->max_field : CSVIN_MAX_FIELD;
	r->max_ratio = opts && opts->max_ratio > 0 ? opts->max_ratio : CSVIN_MAX_RATIO;
	r->line = 1;
	r->rec_line = 1;
	if (settle_encoding(r, want, errbuf, errlen) < 0) {
		csvin_close(r);
		return NULL;
	}
	skip_bom(r);
	if (delim) {
		r->delim = delim;
	} else if (detect_delim(r, errbuf, errlen) < 0) {
		csvin_close(r);
		return NULL;
	}
	csv_init(&r->p, CSV_REPALL_NL);
	r->p_init = 1;
	csv_set_delim(&r->p, r->delim);
	csv_set_space_func(&r->p, no_space);
	csv_set_blk_size(&r->p, CSVIN_BLK);
	return r;
}

/* Hand out the completed record. */
static int emit(csvin *r, const csvin_record **rec)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		r->fields[i] = r->data + r->foff[i];
	r->rec.nfields = r->nf;
	r->rec.fields = r->fields;
	r->rec.lens = r->flen;
	*rec = &r->rec;
	return 1;
}

/* Fail with a limit exceeded by the record starting at rec_line. */
static int too_long(csvin *r, const char *what, size_t limit, const char *key)
{
	char msg[128];

	snprintf(msg, sizeof msg, "%s longer than %zu bytes (%s)", what, limit, key);
	return fail(r, r->rec_line, msg);
}

static int cb_failed(csvin *r)
{
	if (r->cb_err == 3)
		return too_long(r, "field", r->max_field, "max_field_bytes");
	return fail(r, r->rec_line, r->cb_err == 1 ? "out of memory" :
		    "internal error: libcsv delivered a field after the row end");
}

/* Characters (UTF-8 lead bytes) in s[0..n). */
static long nchars(const unsigned char *s, size_t n)
{
	long k = 0;

	for (size_t i = 0; i < n; i++)
		k += (s[i] & 0xC0) != 0x80;
	return k;
}

/* End the reading at the unbalanced quote (see the file header); -1. */
static int quote_fail(csvin *r)
{
	r->state = -1;
	return err_set(r->err, sizeof r->err, "%s:%ld:%ld: unbalanced quotes: the quoted field "
		       "opened here runs over a line break and holds a stray quote (line %ld), so "
		       "it would swallow the records after it\nhint: a quote inside a field is "
		       "written twice (\"\"), and a field that holds quotes is itself quoted; "
		       "look for the closing quote of this field", r->path, r->q_line, r->q_col,
		       r->q_stray);
}

/* libcsv's reading of quotes, as scan_quotes follows it: at a field's
 * start, in an unquoted field, in a quoted one, just after a quote in a
 * quoted one. */
enum { QS_START, QS_PLAIN, QS_QUOTED, QS_QUOTE };

/* The QS_* of libcsv's state. */
static int qs_of(const struct csv_parser *p)
{
	if (p->pstate == LIBCSV_ROW_NOT_BEGUN || p->pstate == LIBCSV_FIELD_NOT_BEGUN)
		return QS_START;
	if (p->pstate == LIBCSV_FIELD_MIGHT_HAVE_ENDED)
		return QS_QUOTE;
	return p->quoted ? QS_QUOTED : QS_PLAIN;
}

/*
 * Follow libcsv's reading of the quotes of the segment s[0..n) (on line
 * `line`, its first byte at column col + 1) from state qs (QS_*): where a
 * quoted field opens, and its stray quotes (see the file header).  libcsv
 * has parsed the segment already; this only places its quotes, for the
 * few segments that start or end inside a quoted field.  Returns the
 * state at the end, which must be libcsv's.
 */
static int scan_quotes(csvin *r, const unsigned char *s, size_t n, long line, long col, int qs)
{
	for (size_t i = 0; i < n; i++) {
		int c = s[i], brk = c == r->delim || c == '\r' || c == '\n';

		if (qs == QS_START && c == '"') {
			qs = QS_QUOTED;
			r->q_line = line;
			r->q_col = col + nchars(s, i) + 1;
			r->q_nl = 0;
			r->q_stray = 0;
		} else if (qs == QS_START || qs == QS_PLAIN) {
			qs = brk ? QS_START : QS_PLAIN;
		} else if (qs == QS_QUOTED) {
			qs = c == '"' ? QS_QUOTE : QS_QUOTED;
		} else if (c == '"') {
			qs = QS_QUOTED;         /* doubled */
		} else if (brk) {
			qs = QS_START;          /* closed */
		} else {
			qs = QS_QUOTED;         /* stray: libcsv takes it as text */
			if (!r->q_stray)
				r->q_stray = line;
		}
	}
	return qs;
}

/*
 * Feed libcsv the segment s[0..n), which starts at line `line`, column
 * `col` + 1, and watch its quotes when it starts or ends inside a quoted
 * field.  0, or -1 when libcsv fails or the quotes do not balance (r
 * failed).
 */
static int watch_quotes(csvin *r, const unsigned char *s, size_t n, long line, long col)
{
	int qs0 = qs_of(&r->p), qs1;

	if (csv_parse(&r->p, s, n, cb_field, cb_row, r) != n)
		return fail(r, r->rec_line, csv_strerror(csv_error(&r->p)));
	qs1 = qs_of(&r->p);
	if (qs0 < QS_QUOTED && qs1 < QS_QUOTED)
		return 0;               /* the usual line: no quoted field open at either end */
	if (scan_quotes(r, s, n, line, col, qs0) != qs1)
		return fail(r, line, "internal error: the quotes read differently from libcsv");
	if (qs1 == QS_QUOTED && n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		r->q_nl = 1;
	if (r->q_nl && r->q_stray)
		return quote_fail(r);
	return 0;
}

/*
 * Parse the next segment of buf: up to and including the next CR or LF,
 * or to the end of the buffered bytes.  0, or -1 when r failed.
 */
static int segment(csvin *r)
{
	const unsigned char *s = r->buf + r->pos, *e = r->buf + r->len, *q = NULL, *c;
	long line = r->line, col = r->col;
	size_t n;
	int split;

#if defined(__SSE2__)
	if (r->p.pstate == LIBCSV_ROW_NOT_BEGUN)
		q = fast_line(r, s, e);
#endif
	split = q != NULL;
	if (!split) {
		q = memchr(s, '\n', (size_t)(e - s));
		if (!q)
			q = e;
		c = memchr(s, '\r', (size_t)(q - s));
		if (c)
			q = c;
	}
	if (q < e) {
		n = (size_t)(q - s) + 1;
		if (!(*q == '\n' && r->prev_cr && n == 1))
			r->line++;
		r->prev_cr = *q == '\r';
		r->col = 0;
	} else {
		n = (size_t)(q - s);
		r->prev_cr = 0;
		r->col += nchars(s, n);
	}
	/* off/line now describe the position after the segment (see cb_row) */
	r->off += (long long)n;
	r->raw_off += raw_size(r, s, n);
	r->pos += n;
	/* the record so far, but a line break that may end it */
	if ((size_t)(r->off - r->rec_off) - (q < e) > r->max_record)
		return too_long(r, "record", r->max_record, "max_record_bytes");
	if (split) {
		cb_row(*q, r);
	} else if (q < e && r->p.pstate == LIBCSV_ROW_NOT_BEGUN && !memchr(s, '"', n)) {
		if (split_line(r, s, n - 1) == 0)
			cb_row(*q, r);
	} else if (watch_quotes(r, s, n, line, col) < 0) {
		return -1;
	}
	if (r->cb_err)
		return cb_failed(r);
	/* a field libcsv is still collecting */
	if (r->p.entry_pos - (r->p.pstate == LIBCSV_FIELD_MIGHT_HAVE_ENDED) > r->max_field)
		return too_long(r, "field", r->max_field, "max_field_bytes");
	return 0;
}

int csvin_next(csvin *r, const csvin_record **rec)
{
	const csvin_record *dummy;

	if (!rec)
		rec = &dummy;
	*rec = NULL;
	if (r->state < 0)
		return -1;
	if (r->state > 0)
		return 0;

	/* the previous record is released: reuse the arena */
	r->dlen = 0;
	r->nf = 0;
	r->have_rec = 0;

	for (;;) {
		if (r->pos == r->len) {
			int got = fill(r);

			if (got < 0)
				return fail(r, r->line, r->rd_msg);
			if (got == 0) {
				if (r->p.quoted && r->p.pstate == LIBCSV_FIELD_BEGUN) {
					r->state = -1;
					return err_set(r->err, sizeof r->err, "%s:%ld:%ld: the quoted field "
						       "opened here is not closed at end of file",
						       r->path, r->q_line, r->q_col);
				}
				csv_fini(&r->p, cb_field, cb_row, r);
				if (r->cb_err)
					return cb_failed(r);
				r->state = 1;
				if (r->have_rec)
					return emit(r, rec);
				return 0;
			}
		}
		if (segment(r) < 0)
			return -1;
		if (r->have_rec)
			return emit(r, rec);
	}
}

const char *csvin_error(const csvin *r)
{
	return r->err;
}

unsigned char csvin_delim(const csvin *r)
{
	return r->delim;
}

int csvin_had_bom(const csvin *r)
{
	return r->had_bom;
}

const char *csvin_encoding(const csvin *r)
{
	return r->enc_name;
}

void csvin_close(csvin *r)
{
	if (!r)
		return;
	if (r->p_init)
		csv_free(&r->p);
	if (r->gz)
		gzclose(r->gz);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	FREE_ALL(r->path, r->raw, r->gb2, r->buf, r->data, r->foff, r->flen, r->fields, r);
}
