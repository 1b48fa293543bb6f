/*
 * csvin.c - streaming CSV record reader on libcsv and zlib; see csvin.h.
 *
 * Data flow:
 *
 *     gzread (plain or .gz)  ->  fill()  ->  buf[pos..len)  ->  libcsv  ->  record
 *
 * fill() is the only place that produces decoded bytes.  A character
 * decoding layer (iconv from GB18030 or UTF-16 to UTF-8) goes there: read
 * raw bytes with gzread into a second buffer, run iconv from it into
 * buf + len, and keep an incomplete multibyte tail for the next call.
 * Everything after fill() (BOM stripping, delimiter detection, line
 * counting, offsets) then sees UTF-8 and stays as it is; offsets become
 * offsets in the UTF-8 stream.
 *
 * Push to pull: libcsv calls back per field and per row.  Instead of
 * queueing completed records, the buffer is fed to csv_parse one segment
 * at a time, a segment ending just after a CR or LF (or at the end of the
 * buffered data).  libcsv completes rows only at CR or LF, so a row can
 * only complete at the last byte of a segment: csvin_next stops feeding as
 * soon as one completes, with no other record started.  This also gives
 * exact record positions: the next record starts at the byte after the
 * segment, and lines are counted on the raw bytes of each segment (LF,
 * CRLF and lone CR each end one line), inside quoted fields included.
 * CSV_REPALL_NL makes libcsv report the blank rows (and the LF of a CRLF)
 * too, so a record's start moves past blank lines.
 *
 * Field texts are copied into one arena reused for every record; the
 * field pointer array is rebuilt per record (no malloc in steady state).
 */
#include "csvin.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define CSVIN_CHUNK     65536           /* default read size */
#define CSVIN_CHUNK_MAX (1u << 30)      /* gzread takes an unsigned, returns an int */
#define CSVIN_GZBUF     65536           /* zlib's input buffer */
#define CSVIN_DETECT_MAX (1u << 20)     /* detection gives up on a delimiter after this */
#define CSVIN_BLK       4096            /* libcsv field buffer growth step */

/*
 * libcsv's parser state "inside a field" (FIELD_BEGUN in libcsv.c, the
 * same value in every release since 1.0).  With struct csv_parser.quoted
 * set at end of input it means a quoted field without its closing quote.
 * libcsv only reports that in CSV_STRICT mode, which would also reject the
 * stray quotes we accept; tests/unit/test_csvin.c checks this value.
 */
#define LIBCSV_FIELD_BEGUN 2

struct csvin {
	char *path;             /* file name for messages (owned) */
	gzFile gz;              /* the open file */
	size_t chunk;           /* bytes per gzread */

	unsigned char *buf;     /* decoded bytes, unread ones in [pos, len) */
	size_t cap;             /* allocated size of buf */
	size_t pos;             /* next byte to parse */
	size_t len;             /* end of the buffered bytes */
	int rd_state;           /* 0 reading, 1 end of input, -1 read error */
	char rd_msg[256];       /* the read error, without path and line */

	struct csv_parser p;    /* the libcsv parser */
	int p_init;             /* p is initialised (needs csv_free) */
	unsigned char delim;    /* delimiter in use */
	int had_bom;            /* a BOM was stripped */

	long long off;          /* stream offset of buf[pos] */
	long line;              /* physical line of buf[pos] */
	int prev_cr;            /* the byte before buf[pos] was a CR */
	long long rec_off;      /* where the next record starts */
	long rec_line;          /* line where the next record starts */

	char *data;             /* arena: field texts of the current record, each NUL-terminated */
	size_t dlen;            /* bytes used in data */
	size_t dcap;            /* allocated size of data */
	size_t *foff;           /* offset of each field in data */
	size_t *flen;           /* length of each field (record.lens) */
	size_t nf;              /* fields collected so far */
	size_t fcap;            /* allocated entries of foff, flen and fields */
	char **fields;          /* record.fields, rebuilt per record */
	int have_rec;           /* a row completed during the last csv_parse */
	int cb_err;             /* callback failure: 1 out of memory, 2 internal */
	csvin_record rec;       /* the record handed out */

	int state;              /* 0 reading, 1 end returned, -1 error returned */
	char err[1024];         /* "path:line: message" */
};

static void set_err(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Record an error at the current line and enter the error state. */
static int fail(csvin *r, long line, const char *msg)
{
	set_err(r->err, sizeof r->err, "%s:%ld: %s", r->path, line, msg);
	r->state = -1;
	return -1;
}

/* The text of a zlib error, without the "<fd:N>: " prefix gzerror adds. */
static const char *zlib_text(const char *msg)
{
	const char *p = strstr(msg, ">: ");

	return p ? p + 3 : msg;
}

/*
 * Append up to r->chunk decoded bytes at buf + len.  Returns the number of
 * bytes added, 0 at end of input, -1 on a read error (r->rd_msg).  Bytes in
 * [pos, len) are kept (moved to the front when that makes room).  Errors
 * are sticky.  A truncated .gz (Z_BUF_ERROR) is reported only once gzread
 * has nothing more to give, and an error that comes with data on the next
 * call, so every byte zlib could decode is parsed first, whatever the
 * chunk size.
 *
 * This is where a character decoding layer goes (see the file header).
 */
static int fill(csvin *r)
{
	int n, zerr, saved;
	const char *zmsg;

	if (r->rd_state < 0)
		return -1;
	if (r->rd_state > 0)
		return 0;
	if (r->pos == r->len) {
		r->pos = r->len = 0;
	} else if (r->pos > 0 && r->cap - r->len < r->chunk) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < r->chunk) {
		size_t ncap = r->cap ? r->cap : r->chunk;
		unsigned char *nb;

		while (ncap - r->len < r->chunk)
			ncap *= 2;
		nb = realloc(r->buf, ncap);
		if (!nb) {
			snprintf(r->rd_msg, sizeof r->rd_msg, "out of memory");
			r->rd_state = -1;
			return -1;
		}
		r->buf = nb;
		r->cap = ncap;
	}

	errno = 0;
	n = gzread(r->gz, r->buf + r->len, (unsigned)r->chunk);
	saved = errno;
	zmsg = gzerror(r->gz, &zerr);
	if (n > 0 && (zerr == Z_OK || zerr == Z_BUF_ERROR)) {
		/* Z_BUF_ERROR: the input ended early, but zlib may still hold
		 * decoded bytes; read on until gzread returns 0 */
		r->len += (size_t)n;
		return n;
	}
	if (n == 0 && zerr == Z_OK) {
		r->rd_state = 1;
		return 0;
	}
	if (zerr == Z_BUF_ERROR)
		snprintf(r->rd_msg, sizeof r->rd_msg,
			 "unexpected end of compressed data (truncated .gz file?)");
	else if (zerr == Z_DATA_ERROR)
		snprintf(r->rd_msg, sizeof r->rd_msg,
			 "corrupt compressed data: %s", zlib_text(zmsg));
	else if (zerr == Z_ERRNO || zerr == Z_OK)
		snprintf(r->rd_msg, sizeof r->rd_msg, "read error: %s",
			 strerror(saved ? saved : EIO));
	else if (zerr == Z_MEM_ERROR)
		snprintf(r->rd_msg, sizeof r->rd_msg, "out of memory");
	else
		snprintf(r->rd_msg, sizeof r->rd_msg, "read error: %s", zlib_text(zmsg));
	r->rd_state = -1;
	if (n <= 0)
		return -1;
	/* data that came with a hard error: parse it, fail on the next call */
	r->len += (size_t)n;
	return n;
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
				set_err(errbuf, errlen, "%s: %s", r->path,
					csv_strerror(csv_error(&d[i].p)));
				ret = -1;
				goto out;
			}
			ndone += d[i].done;
		}
		scanned += avail;
		if (ndone == 3)
			break;
		if (ndone > 0 && scanned > CSVIN_DETECT_MAX) {
			/* the others are stuck in an open quote: not the delimiter */
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
static int grow_fields(csvin *r, size_t need)
{
	size_t ncap = r->fcap ? r->fcap : 16;
	void *p;

	if (need <= r->fcap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sizeof(char *))
			return -1;
		ncap *= 2;
	}
	if (!(p = realloc(r->foff, ncap * sizeof *r->foff)))
		return -1;
	r->foff = p;
	if (!(p = realloc(r->flen, ncap * sizeof *r->flen)))
		return -1;
	r->flen = p;
	if (!(p = realloc(r->fields, ncap * sizeof *r->fields)))
		return -1;
	r->fields = p;
	r->fcap = ncap;
	return 0;
}

/* Make room for need bytes in the text arena. */
static int grow_data(csvin *r, size_t need)
{
	size_t ncap = r->dcap ? r->dcap : 1024;
	char *p;

	if (need <= r->dcap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (!(p = realloc(r->data, ncap)))
		return -1;
	r->data = p;
	r->dcap = ncap;
	return 0;
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
	if (len >= SIZE_MAX - r->dlen || grow_data(r, r->dlen + len + 1) < 0 ||
	    grow_fields(r, r->nf + 1) < 0) {
		r->cb_err = 1;
		return;
	}
	if (len > 0)
		memcpy(r->data + r->dlen, s, len);
	r->data[r->dlen + len] = '\0';
	r->foff[r->nf] = r->dlen;
	r->flen[r->nf] = len;
	r->nf++;
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
	if (r->nf > 0) {
		r->have_rec = 1;
		r->rec.line = r->rec_line;
		r->rec.offset = r->rec_off;
	}
	r->rec_line = r->line;
	r->rec_off = r->off;
}

/* ---- public API ---- */

csvin *csvin_open(const char *path, const csvin_opts *opts, char *errbuf, size_t errlen)
{
	csvin *r;
	struct stat st;
	int fd, e;
	gzFile gz;
	unsigned char delim = opts ? opts->delim : 0;
	size_t chunk = opts && opts->chunk ? opts->chunk : CSVIN_CHUNK;

	if (!path) {
		set_err(errbuf, errlen, "(null): no file name");
		return NULL;
	}
	if (delim == '"' || delim == '\r' || delim == '\n') {
		set_err(errbuf, errlen, "%s: invalid delimiter 0x%02x", path, delim);
		return NULL;
	}
	if (chunk > CSVIN_CHUNK_MAX)
		chunk = CSVIN_CHUNK_MAX;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(errbuf, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		e = errno;
	else
		e = S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (e) {
		set_err(errbuf, errlen, "%s: %s", path, strerror(e));
		close(fd);
		return NULL;
	}
	gz = gzdopen(fd, "rb");
	if (!gz) {
		set_err(errbuf, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	gzbuffer(gz, CSVIN_GZBUF);

	r = calloc(1, sizeof *r);
	if (!r || !(r->path = strdup(path))) {
		set_err(errbuf, errlen, "%s: out of memory", path);
		free(r);
		gzclose(gz);
		return NULL;
	}
	r->gz = gz;
	r->chunk = chunk;
	r->line = 1;
	r->rec_line = 1;

	/* BOM: look at the first three bytes, however they arrive */
	while (r->len - r->pos < 3 && fill(r) > 0)
		;
	if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0) {
		r->pos += 3;
		r->off = r->rec_off = 3;
		r->had_bom = 1;
	}

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

static int cb_failed(csvin *r)
{
	return fail(r, r->rec_line, r->cb_err == 1 ? "out of memory" :
		    "internal error: libcsv delivered a field after the row end");
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
		const unsigned char *s, *q, *e;
		size_t n;

		if (r->pos == r->len) {
			int got = fill(r);

			if (got < 0)
				return fail(r, r->line, r->rd_msg);
			if (got == 0) {
				if (r->p.quoted && r->p.pstate == LIBCSV_FIELD_BEGUN)
					return fail(r, r->rec_line,
						    "quoted field not closed at end of file "
						    "(record starts here)");
				csv_fini(&r->p, cb_field, cb_row, r);
				if (r->cb_err)
					return cb_failed(r);
				r->state = 1;
				if (r->have_rec)
					return emit(r, rec);
				return 0;
			}
		}

		/* one segment: up to and including the next CR or LF */
		s = r->buf + r->pos;
		e = r->buf + r->len;
		for (q = s; q < e && *q != '\n' && *q != '\r'; q++)
			;
		if (q < e) {
			n = (size_t)(q - s) + 1;
			if (!(*q == '\n' && r->prev_cr && n == 1))
				r->line++;
			r->prev_cr = *q == '\r';
		} else {
			n = (size_t)(q - s);
			r->prev_cr = 0;
		}
		/* off/line now describe the position after the segment (see cb_row) */
		r->off += (long long)n;
		r->pos += n;
		if (csv_parse(&r->p, s, n, cb_field, cb_row, r) != n)
			return fail(r, r->rec_line, csv_strerror(csv_error(&r->p)));
		if (r->cb_err)
			return cb_failed(r);
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

void csvin_close(csvin *r)
{
	if (!r)
		return;
	if (r->p_init)
		csv_free(&r->p);
	if (r->gz)
		gzclose(r->gz);
	free(r->path);
	free(r->buf);
	free(r->data);
	free(r->foff);
	free(r->flen);
	free(r->fields);
	free(r);
}
