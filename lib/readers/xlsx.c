/*
 * xlsx.c - streaming .xlsx row reader on minizip and expat; see xlsx.h.
 *
 * Data flow:
 *
 *     minizip (raw entry bytes)  ->  zent_read (inflate, count, CRC)
 *         ->  XML_GetBuffer / XML_ParseBuffer  ->  handlers  ->  row arena
 *
 * The zip entries are read raw (unzOpenCurrentFile2 with raw = 1) and
 * inflated here, so every inflated byte is counted against the entry's
 * declared size and the limits, and the CRC-32 is checked by us whatever
 * minizip does.  Only one entry is open at a time (minizip's rule): the
 * small parts (relationships, workbook, styles, shared strings) are parsed
 * whole at open, then the sheet's entry stays open and is parsed a chunk
 * at a time.
 *
 * Push to pull: expat calls back per element.  The rows completed while
 * expat parses one 64 KiB buffer are queued (their texts in one arena,
 * their fields in one pair of offset/length arrays), and xlsx_next hands
 * them out one by one before it parses the next buffer; the row still
 * being built is then moved to the front.  Suspending expat after every
 * row (XML_StopParser) would be simpler but costs about half a second per
 * million rows; the parser is suspended only when the queue grows past
 * XLSX_QFIELDS fields or XLSX_QBYTES bytes (very sparse rows), and
 * resumed on the rest of the same buffer (expat owns it: XML_GetBuffer).
 * An error found while parsing is reported after the rows queued before
 * it.
 *
 * Element names are matched on their local part (after the last ':'), so
 * a prefix ("x:row") or the strict OOXML namespace change nothing.
 *
 * Offset 0 of the text arena is always an empty string, used for empty
 * cells and the gaps of sparse rows.  The arena and the arrays are reused:
 * no allocation per row once they have grown.  A shared string is not
 * copied, nor even looked up while parsing (a cache miss per cell in a
 * large table, which costs most when it interrupts expat): its field
 * offset is its index tagged with SS_REF, its length a placeholder 1
 * (ss_empty says which strings are "", so that empty cells are still known
 * at the row's end), and emit() resolves the indexes of a whole row at
 * once into pointers into the table, which lives as long as the reader.
 * Shared strings do not count against a row's text limit: they take no
 * memory of the row.
 *
 * The sheet's entry is inflated by a second thread (the inflater), so
 * that inflating and checking it overlap expat's parsing: the inflater
 * fills a ring of XLSX_RING buffers with zent_read, xlsx_next hands them
 * to expat with XML_Parse (which copies them) in order.  While it runs,
 * the inflater alone uses the zip state (x->uf, x->z, x->zin) and may
 * write x->err (through fail); the consumer looks at those only after the
 * inflater has passed on its end or error, or has been stopped and joined
 * (stop_inflater).  A read error comes after the data before it, as
 * without the thread.  If the thread cannot be started, xlsx_next inflates
 * itself.
 */
#include "lib/readers/xlsx.h"
#include "lib/util/cli.h"

#include <errno.h>
#include <expat.h>
#include <fcntl.h>
#include <math.h>
#include <minizip/unzip.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define XLSX_CHUNK       65536          /* XML bytes per parse step */
#define XLSX_ZIN         65536          /* compressed bytes per read */
#define XLSX_MAX_UNCOMP  (2LL << 30)    /* default max_uncompressed */
#define XLSX_MAX_RATIO   200.0          /* default max_ratio */
#define XLSX_RATIO_FLOOR (1LL << 20)    /* the ratio applies above this size */
#define XLSX_MAX_SHARED  (1LL << 30)    /* default max_shared */
#define XLSX_MAX_ENTRIES 100000         /* zip entries (lookups are linear) */
#define XLSX_MAX_COL     16384          /* XFD, Excel's last column */
#define XLSX_MAX_ROW     1048576L       /* Excel's last row */
#define XLSX_MAX_CELL    (4L << 20)     /* default max_cell: bytes of one cell's text */
#define XLSX_MAX_ROWMEM  (64L << 20)    /* default max_row: bytes of one row's texts */
#define XLSX_PATH        1024           /* longest part name */
#define XLSX_QFIELDS     65536          /* queued fields before the parser is suspended */
#define XLSX_QBYTES      (1L << 20)     /* queued text bytes before it is suspended */
#define XLSX_RING        8              /* inflated XLSX_CHUNK buffers between the threads */

/* A field offset with this bit set is the index of a shared string. */
#define SS_REF           ((size_t)1 << (sizeof(size_t) * 8 - 1))

/* Serial day numbers as days since 1970-01-01 */
#define DAYS_1899_12_30  (-25569L)      /* serial 0 of the 1900 system, from serial 61 on */
#define DAYS_1904_01_01  (-24107L)      /* serial 0 of the 1904 system */
#define SERIAL_MAX_1900  2958465L       /* 9999-12-31 */
#define SERIAL_MAX_1904  2957003L

/* Kinds of number format */
enum { FMT_NUM = 0, FMT_DATE = 1, FMT_TIME = 2 };

/* Cell types (the t attribute) */
enum { T_NUM, T_SST, T_INLINE, T_STR, T_BOOL, T_ERR, T_DATE };

/* One open zip entry, read raw and inflated here. */
typedef struct zent {
	char name[XLSX_PATH];           /* entry name, for messages */
	int open;                       /* unzOpenCurrentFile2 done */
	int zinit;                      /* inflateInit2 done */
	int method;                     /* 0 stored, 8 deflated */
	int in_eof;                     /* no more raw bytes */
	int done;                       /* the end was reached and checked */
	z_stream zs;                    /* inflate state */
	uLong crc;                      /* CRC-32 of the bytes so far */
	uLong want_crc;                 /* declared CRC-32 */
	unsigned long long want_size;   /* declared uncompressed size */
	unsigned long long comp_size;   /* declared compressed size */
	unsigned long long out;         /* bytes produced so far */
} zent;

/* A <sheet> of the workbook. */
typedef struct wsheet {
	char *name;                     /* sheet name (owned) */
	char *rid;                      /* relationship id (owned) */
	int hidden;                     /* state="hidden" or "veryHidden" */
} wsheet;

/* A <Relationship> of a .rels part. */
typedef struct rel {
	char *id;                       /* Id (owned) */
	char *type;                     /* Type URI (owned) */
	char *target;                   /* Target (owned) */
	int external;                   /* TargetMode="External" */
} rel;

/* A completed row in the queue. */
typedef struct qrow {
	long line;                      /* its row number */
	size_t first;                   /* its first field in foff/flen */
	size_t nf;                      /* its field count */
} qrow;

/* A custom <numFmt> of the styles. */
typedef struct numfmt {
	long id;                        /* numFmtId */
	int kind;                       /* FMT_* */
} numfmt;

struct xlsx {
	char *path;                     /* file name for messages (owned) */
	unzFile uf;                     /* the archive */
	zent z;                         /* the open entry */
	unsigned char *zin;             /* compressed read buffer (XLSX_ZIN) */
	unsigned long long max_uncomp;  /* limits, defaults applied */
	double max_ratio;
	unsigned long long max_shared;
	size_t max_cell;                /* xlsx_opts.max_cell (resolved) */
	size_t max_row;                 /* xlsx_opts.max_row (resolved) */

	/* parts */
	char wb_path[XLSX_PATH];        /* the workbook part */
	char sheet_path[XLSX_PATH];     /* the chosen sheet's part */
	char sst_path[XLSX_PATH];       /* shared strings part, "" = none */
	char styles_path[XLSX_PATH];    /* styles part, "" = none */
	int date1904;                   /* workbookPr date1904 */
	wsheet *sheets;                 /* the workbook's sheets in order */
	size_t nsheets, csheets;
	rel *rels;                      /* the last .rels part read */
	size_t nrels, crels;
	char *sheet_name;               /* the chosen sheet (points into sheets) */

	/* styles */
	numfmt *fmts;                   /* custom number formats */
	size_t nfmts, cfmts;
	long *xf_fmt;                   /* numFmtId of each cellXfs xf, then its FMT_* kind */
	unsigned char *xf_kind;         /* FMT_* of each cellXfs xf */
	size_t nxf, cxf;
	int in_numfmts, in_cellxfs;     /* styles parse state */

	/* shared strings: texts NUL-terminated back to back; ss_off[nss] = end */
	char *ss;
	size_t sslen, sscap;
	size_t *ss_off;
	size_t nss, coff;
	unsigned char *ss_empty;        /* bit i: shared string i is "" */
	uint32_t *ss_o32;               /* ss_off as 32 bits (half the cache misses), NULL when the table is larger */
	size_t si_start;                /* where the current <si> text starts */
	int in_si;                      /* parse state of sst, inline strings */
	int in_t;                       /* inside <t> */
	int in_rph;                     /* depth of <rPh> (phonetic runs) */

	/* handler error: message without the prefix; the parser is stopped */
	char herr[512];
	int herr_set;

	/* sheet stream */
	XML_Parser p;                   /* the sheet's parser (NULL when not streaming) */
	int fed_final;                  /* the last buffer was given with isFinal */
	int parsed;                     /* the parser has consumed the final buffer */
	int suspended;                  /* the parser is suspended (the queue was full) */
	int pend_err;                   /* err is set: report it once the queue is empty */
	char pfx[32];                   /* the root element's prefix with its ':', or "" */
	size_t pfxlen;
	int seen_root;                  /* pfx is known */
	int in_sd;                      /* inside <sheetData> */
	int in_row;                     /* inside <row> */
	int in_c, in_v, in_is;          /* inside <c>, <v>, <is> */
	int ctype;                      /* T_* of the current cell */
	int cstyle_kind;                /* FMT_* of the current cell's style */
	long ccol;                      /* 0-based column of the current cell */
	long prev_col;                  /* column of the previous cell in the row */
	long row;                       /* current row number (0 before the first) */
	char *tb;                       /* text of the current cell */
	size_t tlen, tcap;

	/* completed rows waiting to be handed out, then the row being built */
	char *data;                     /* arena of cell texts; data[0] is always "" */
	size_t dlen, dcap;
	size_t *foff;                   /* offset in data of each field of each row */
	size_t *flen;                   /* length of each field (record.lens points in here) */
	size_t fcap;                    /* allocated entries of foff and flen */
	size_t ftotal;                  /* fields used by the queued rows */
	qrow *q;                        /* the queue */
	size_t nq, qpos, qcap;          /* rows queued, next to hand out, allocated */
	size_t cur_first;               /* first field of the row being built */
	size_t cur_nf;                  /* its fields so far */
	size_t cur_dstart;              /* where its texts start in data */
	size_t cur_mem;                 /* bytes of its texts (shared strings not counted), for max_row */
	char **fields;                  /* record.fields, rebuilt per record */
	size_t fpcap;                   /* allocated entries of fields */

	/* the inflater thread of the sheet (see the file header) */
	int inflating;                  /* it runs: th, mu and cv are valid */
	pthread_t th;                   /* the thread */
	pthread_mutex_t mu;             /* guards the ring counters and rstop */
	pthread_cond_t cv;              /* signals changes of them */
	unsigned char *ring[XLSX_RING]; /* inflated buffers (XLSX_CHUNK bytes each) */
	long ring_len[XLSX_RING];       /* bytes in each; 0 the end of the entry, -1 an error (x->err) */
	size_t rhead, rtail, rcount;    /* next to fill, next to parse, filled and not released */
	int rstop;                      /* the consumer asks the inflater to end */
	int pwait;                      /* the inflater waits for the ring to drain to half */
	int cwait;                      /* the consumer waits for a buffer */
	int zfailed;                    /* the inflater met an error in the entry (x->err) */
	int ended;                      /* the inflater has exited (guarded by mu) */
	int shared;                     /* a second reader (part 2) takes the ring's buffers too: mu and cv live until xlsx_close */
	size_t rtail2;                  /* its next buffer (guarded by mu) */
	xlsx *src;                      /* part 2: the reader whose inflater it takes buffers from */
	int ss_borrowed;                /* part 2: the shared string table is src's (not freed here) */
	csvin_record rec;               /* the record handed out */

	/* reading a part (xlsx_opts.part; see xlsx.h) */
	int part;                       /* 0, 1 or 2 */
	int part_bad;                   /* the part cannot be read by itself */
	unsigned char *cbuf;            /* the inflated chunk being fed (NULL: none) */
	long clen, cpos;                /* its length, bytes of it done */
	long long cstart;               /* stream offset of its first byte */
	long long next_cut;             /* the block ends after the first "</row>" ending at or after this offset */
	int match;                      /* bytes of "</row>" matched so far */
	long blk;                       /* the current block */
	int fed_any;                    /* some block has been parsed */
	int marker;                     /* a block of ours ended: queue its marker once parsed */
	int sd_found;                   /* <sheetData> has been seen */
	long long sd_end;               /* stream offset just past it */
	char *pre;                      /* the document start, through <sheetData> (part 2 feeds it) */
	size_t prelen;
	int lt;                         /* the last byte fed was '<' */

	int state;                      /* 0 reading, 1 end returned, -1 error */
	char err[1024];                 /* the error message */
};

static void set_err(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void herr(xlsx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(xlsx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* "path: message" into x->err. */
static int fail(xlsx *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(x->err, sizeof x->err, "%s: ", x->path);
	if (n < 0 || (size_t)n >= sizeof x->err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(x->err + n, sizeof x->err - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error inside an expat handler: keep the first, stop the parser. */
static void herr(xlsx *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->herr_set) {
		va_start(ap, fmt);
		vsnprintf(x->herr, sizeof x->herr, fmt, ap);
		va_end(ap);
		x->herr_set = 1;
	}
	if (x->p)
		XML_StopParser(x->p, XML_FALSE);
}

/* Grow *buf (elements of size sz) to hold need; 0 or -1. */
static int grow(void **buf, size_t *cap, size_t need, size_t sz, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	void *nb;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / sz)
			return -1;
		ncap *= 2;
	}
	nb = realloc(*buf, ncap * sz);
	if (!nb)
		return -1;
	*buf = nb;
	*cap = ncap;
	return 0;
}

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *dups(const char *s)
{
	return dupn(s, strlen(s));
}

/* The local part of an element or attribute name. */
static const char *local(const XML_Char *n)
{
	const char *p = strrchr(n, ':');

	return p ? p + 1 : n;
}

/* The value of the attribute with local name `name`, or NULL. */
static const char *attr(const XML_Char **a, const char *name)
{
	for (; a[0]; a += 2)
		if (strcmp(local(a[0]), name) == 0)
			return a[1];
	return NULL;
}

static int ascii_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

/* Does s end with suffix? */
static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "1", "true" (xsd:boolean). */
static int xml_true(const char *v)
{
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

/* ---- zip entries ------------------------------------------------------ */

static void zent_close(xlsx *x)
{
	if (x->z.zinit)
		inflateEnd(&x->z.zs);
	if (x->z.open)
		unzCloseCurrentFile(x->uf);
	x->z.zinit = x->z.open = 0;
}

/* Refuse an entry of `size` bytes from `comp` compressed ones when it
 * breaks a limit.  0 or -1 (x->err). */
static int check_bomb(xlsx *x, const char *name, unsigned long long size,
		      unsigned long long comp)
{
	double ratio = (double)size / (double)(comp ? comp : 1);
	unsigned long long limit = 0;

	if (size > x->max_uncomp)
		limit = x->max_uncomp;
	else if (size > (unsigned long long)XLSX_RATIO_FLOOR && ratio > x->max_ratio)
		limit = (unsigned long long)(x->max_ratio * (double)(comp ? comp : 1));
	if (!limit)
		return 0;
	return fail(x, "%s expands to more than %llu bytes (ratio %.0f): refusing a possible "
		    "decompression bomb (limits: %llu bytes, ratio %.0f)", name, limit, ratio,
		    x->max_uncomp, x->max_ratio);
}

/*
 * Open entry `name` (case-insensitive).  Returns 1 when open, 0 when the
 * archive has no such entry, -1 on error (x->err).
 */
static int zent_open(xlsx *x, const char *name)
{
	unz_file_info64 fi;
	int method = 0, level = 0, rc;
	zent *z = &x->z;

	zent_close(x);
	memset(z, 0, sizeof *z);
	snprintf(z->name, sizeof z->name, "%s", name);
	if (unzLocateFile(x->uf, name, 2) != UNZ_OK)
		return 0;
	if (unzGetCurrentFileInfo64(x->uf, &fi, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
		return fail(x, "%s: corrupt zip directory entry", name);
	if (fi.flag & 1)
		return fail(x, "%s is encrypted: password-protected workbooks are not supported", name);
	if (fi.compression_method != 0 && fi.compression_method != Z_DEFLATED)
		return fail(x, "%s uses zip compression method %lu: only stored and deflated "
			    "entries are supported", name, fi.compression_method);
	if (fi.compression_method == 0 && fi.compressed_size != fi.uncompressed_size)
		return fail(x, "%s: corrupt zip directory entry (stored entry with two sizes)", name);
	if (check_bomb(x, name, fi.uncompressed_size, fi.compressed_size) < 0)
		return -1;
	z->method = (int)fi.compression_method;
	z->want_crc = fi.crc;
	z->want_size = fi.uncompressed_size;
	z->comp_size = fi.compressed_size;
	z->crc = crc32(0L, Z_NULL, 0);
	rc = unzOpenCurrentFile2(x->uf, &method, &level, 1);
	if (rc != UNZ_OK)
		return fail(x, "%s: corrupt zip entry (bad local header)", name);
	z->open = 1;
	if (z->method == Z_DEFLATED) {
		if (inflateInit2(&z->zs, -MAX_WBITS) != Z_OK)
			return fail(x, "%s: out of memory", name);
		z->zinit = 1;
	}
	return 1;
}

/* The entry's end: size and CRC must be the declared ones. */
static int zent_finish(xlsx *x)
{
	zent *z = &x->z;

	if (z->out != z->want_size)
		return fail(x, "%s is corrupt or truncated: it inflates to %llu bytes, the archive "
			    "says %llu", z->name, z->out, z->want_size);
	if (z->crc != z->want_crc)
		return fail(x, "%s is corrupt: CRC error (CRC-32 %08lx, the archive says %08lx)",
			    z->name, z->crc, z->want_crc);
	z->done = 1;
	return 0;
}

/* Count n more inflated bytes (at buf). */
static int zent_count(xlsx *x, const unsigned char *buf, size_t n)
{
	zent *z = &x->z;

	z->out += n;
	z->crc = crc32(z->crc, buf, (uInt)n);
	if (z->out > z->want_size)
		return fail(x, "%s expands to more than its declared %llu bytes: refusing a "
			    "possible decompression bomb", z->name, z->want_size);
	/* implied by the declared size passing check_bomb; kept in case a
	 * declared size is ever not checked first */
	if (z->out > x->max_uncomp ||
	    (z->out > (unsigned long long)XLSX_RATIO_FLOOR &&
	     (double)z->out / (double)(z->comp_size ? z->comp_size : 1) > x->max_ratio))
		return check_bomb(x, z->name, z->out, z->comp_size);
	return 0;
}

/*
 * Read up to len (<= INT_MAX) inflated bytes of the open entry into buf.
 * Returns the count, 0 at the end (size and CRC checked), -1 on error.
 */
static long zent_read(xlsx *x, unsigned char *buf, size_t len)
{
	zent *z = &x->z;
	int n, rc = Z_OK;
	size_t got;

	if (z->done)
		return 0;
	if (z->method == 0) {
		n = unzReadCurrentFile(x->uf, buf, (unsigned)len);
		if (n < 0)
			return fail(x, "%s: read error (truncated or corrupt zip file)", z->name);
		if (n == 0)
			return zent_finish(x);
		if (zent_count(x, buf, (size_t)n) < 0)
			return -1;
		return n;
	}
	z->zs.next_out = buf;
	z->zs.avail_out = (uInt)len;
	while (z->zs.avail_out == len) {
		if (z->zs.avail_in == 0 && !z->in_eof) {
			n = unzReadCurrentFile(x->uf, x->zin, XLSX_ZIN);
			if (n < 0)
				return fail(x, "%s: read error (truncated or corrupt zip file)", z->name);
			if (n == 0)
				z->in_eof = 1;
			z->zs.next_in = x->zin;
			z->zs.avail_in = (uInt)n;
		}
		rc = inflate(&z->zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_BUF_ERROR && z->in_eof && z->zs.avail_in == 0)
			return fail(x, "%s is truncated: the compressed data ends early", z->name);
		if (rc == Z_MEM_ERROR)
			return fail(x, "%s: out of memory", z->name);
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return fail(x, "%s is corrupt: %s", z->name,
				    z->zs.msg ? z->zs.msg : "bad compressed data");
	}
	got = len - z->zs.avail_out;
	if (got > 0 && zent_count(x, buf, got) < 0)
		return -1;
	if (rc == Z_STREAM_END) {
		if (zent_finish(x) < 0)
			return -1;
	}
	return (long)got;
}

/* ---- the inflater thread ---------------------------------------------- */

/* Inflate the sheet's entry into the ring until its end, an error or a
 * stop request. */
static void *inflater(void *arg)
{
	xlsx *x = arg;

	for (;;) {
		size_t slot;
		long n;

		pthread_mutex_lock(&x->mu);
		if (x->rcount == XLSX_RING) {
			/* full: sleep until half of it is parsed (one wake-up
			 * per XLSX_RING / 2 buffers, not one per buffer) */
			while (x->rcount > XLSX_RING / 2 && !x->rstop) {
				x->pwait = 1;
				pthread_cond_wait(&x->cv, &x->mu);
			}
			x->pwait = 0;
		}
		if (x->rstop) {
			pthread_mutex_unlock(&x->mu);
			break;
		}
		slot = x->rhead % XLSX_RING;
		pthread_mutex_unlock(&x->mu);
		n = zent_read(x, x->ring[slot], XLSX_CHUNK);
		pthread_mutex_lock(&x->mu);
		x->ring_len[slot] = n;
		x->rhead++;
		x->rcount++;
		if (x->cwait)
			pthread_cond_broadcast(&x->cv);
		pthread_mutex_unlock(&x->mu);
		if (n <= 0)
			break;
	}
	pthread_mutex_lock(&x->mu);
	x->ended = 1;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

/* Start the inflater on the open sheet entry; on any failure xlsx_next
 * inflates itself. */
static void start_inflater(xlsx *x)
{
	for (int i = 0; i < XLSX_RING; i++)
		if (!(x->ring[i] = malloc(XLSX_CHUNK)))
			return;
	if (pthread_mutex_init(&x->mu, NULL) != 0)
		return;
	if (pthread_cond_init(&x->cv, NULL) != 0) {
		pthread_mutex_destroy(&x->mu);
		return;
	}
	if (pthread_create(&x->th, NULL, inflater, x) != 0) {
		pthread_cond_destroy(&x->cv);
		pthread_mutex_destroy(&x->mu);
		return;
	}
	x->inflating = 1;
}

/* End the inflater (if it runs) and wait for it; afterwards the zip state
 * is the caller's.  Buffers not parsed are dropped; an error among them
 * sets zfailed. */
static void stop_inflater(xlsx *x)
{
	if (!x->inflating)
		return;
	pthread_mutex_lock(&x->mu);
	x->rstop = 1;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	pthread_join(x->th, NULL);
	if (!x->shared) {
		pthread_cond_destroy(&x->cv);
		pthread_mutex_destroy(&x->mu);
	}
	x->inflating = 0;
	for (size_t k = x->rtail; k < x->rhead; k++)
		if (x->ring_len[k % XLSX_RING] < 0)
			x->zfailed = 1;
}

/* The next inflated buffer, in order (waits for it): its length (0 at
 * the end, -1 on an error in x->err); *buf until release_chunk. */
static long take_chunk(xlsx *x, unsigned char **buf)
{
	xlsx *r = x->src ? x->src : x;         /* whose ring */
	size_t *tail = x->src ? &r->rtail2 : &r->rtail;
	long n;

	pthread_mutex_lock(&r->mu);
	while (r->rhead == *tail && !r->ended) {
		r->cwait++;
		pthread_cond_wait(&r->cv, &r->mu);
		r->cwait--;
	}
	if (r->rhead == *tail) {
		/* stopped before the end (only when the ring is shared) */
		pthread_mutex_unlock(&r->mu);
		return -2;
	}
	*buf = r->ring[*tail % XLSX_RING];
	n = r->ring_len[*tail % XLSX_RING];
	pthread_mutex_unlock(&r->mu);
	return n;
}

/* Give the buffer of take_chunk back to the inflater (which refills it
 * once every reader of the ring has given it back). */
static void release_chunk(xlsx *x)
{
	xlsx *r = x->src ? x->src : x;
	size_t lo;

	pthread_mutex_lock(&r->mu);
	if (x->src)
		r->rtail2++;
	else
		r->rtail++;
	lo = r->shared && r->rtail2 < r->rtail ? r->rtail2 : r->rtail;
	r->rcount = r->rhead - lo;
	if (r->pwait && r->rcount <= XLSX_RING / 2)
		pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/*
 * After an XML error: inflate the rest of the entry (within the limits) to
 * tell a damaged entry from bad XML.  Returns -1 with the entry's error in
 * x->err when it is damaged, else 0.
 */
static int zent_drain(xlsx *x)
{
	unsigned char *scratch;
	long n;

	if (x->src)
		return 0;       /* part 2 reads another reader's inflater */
	stop_inflater(x);
	if (x->zfailed)
		return -1;
	if (!x->z.open || x->z.done || !(scratch = malloc(XLSX_CHUNK)))
		return 0;
	while ((n = zent_read(x, scratch, XLSX_CHUNK)) > 0)
		;
	free(scratch);
	return n < 0 ? -1 : 0;
}

/* ---- whole parts ------------------------------------------------------ */

static void XMLCALL no_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	herr(ud, "a DOCTYPE is not allowed in a workbook part");
}

/* Make a parser calling back with x; NULL when out of memory. */
static XML_Parser new_parser(xlsx *x, XML_StartElementHandler s, XML_EndElementHandler e,
			     XML_CharacterDataHandler c)
{
	XML_Parser p = XML_ParserCreate(NULL);

	if (!p)
		return NULL;
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, s, e);
	XML_SetCharacterDataHandler(p, c);
	XML_SetStartDoctypeDeclHandler(p, no_doctype);
	return p;
}

/* An XML error of parser p in the open entry, as text in buf. */
static void xml_msg(xlsx *x, XML_Parser p, char *buf, size_t len)
{
	if (x->herr_set)
		snprintf(buf, len, "%s: %s", x->z.name, x->herr);
	else
		snprintf(buf, len, "%s: bad XML at line %lu, column %lu: %s", x->z.name,
			 (unsigned long)XML_GetCurrentLineNumber(p),
			 (unsigned long)XML_GetCurrentColumnNumber(p),
			 XML_ErrorString(XML_GetErrorCode(p)));
}

/*
 * Parse the whole entry `name` with these handlers.  Returns 1 when
 * parsed, 0 when the archive has no such entry, -1 on error (x->err).
 */
static int parse_part(xlsx *x, const char *name, XML_StartElementHandler s,
		      XML_EndElementHandler e, XML_CharacterDataHandler c)
{
	XML_Parser p;
	int rc, fin = 0;
	long n;
	char msg[768];

	rc = zent_open(x, name);
	if (rc <= 0)
		return rc;
	if (!(p = new_parser(x, s, e, c)))
		return fail(x, "out of memory");
	x->p = p;
	x->herr_set = 0;
	rc = 1;
	while (!fin) {
		void *buf = XML_GetBuffer(p, XLSX_CHUNK);

		if (!buf) {
			rc = fail(x, "out of memory");
			break;
		}
		n = zent_read(x, buf, XLSX_CHUNK);
		if (n < 0) {
			rc = -1;
			break;
		}
		fin = n == 0;
		if (XML_ParseBuffer(p, (int)n, fin) != XML_STATUS_OK) {
			xml_msg(x, p, msg, sizeof msg);
			if (zent_drain(x) == 0)
				fail(x, "%s", msg);
			rc = -1;
			break;
		}
	}
	x->p = NULL;
	XML_ParserFree(p);
	zent_close(x);
	return rc;
}

/* ---- relationships ---------------------------------------------------- */

static void free_rels(xlsx *x)
{
	for (size_t i = 0; i < x->nrels; i++) {
		free(x->rels[i].id);
		free(x->rels[i].type);
		free(x->rels[i].target);
	}
	x->nrels = 0;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *id, *type, *target, *mode;
	rel *r;

	if (strcmp(local(name), "Relationship") != 0)
		return;
	id = attr(a, "Id");
	type = attr(a, "Type");
	target = attr(a, "Target");
	mode = attr(a, "TargetMode");
	if (!id || !type || !target)
		return;
	if (grow((void **)&x->rels, &x->crels, x->nrels + 1, sizeof *x->rels, 16) < 0) {
		herr(x, "out of memory");
		return;
	}
	r = &x->rels[x->nrels];
	r->id = dups(id);
	r->type = dups(type);
	r->target = dups(target);
	r->external = mode && strcmp(mode, "External") == 0;
	if (!r->id || !r->type || !r->target) {
		free(r->id);
		free(r->type);
		free(r->target);
		herr(x, "out of memory");
		return;
	}
	x->nrels++;
}

static void XMLCALL end_nothing(void *ud, const XML_Char *name)
{
	(void)ud;
	(void)name;
}

static void XMLCALL text_nothing(void *ud, const XML_Char *s, int len)
{
	(void)ud;
	(void)s;
	(void)len;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The part name that `target` of the .rels of part `source` points to:
 * relative to source's folder, or from the root when it starts with '/';
 * "." and ".." resolved, %XX decoded.  0, or -1 when it does not fit or
 * climbs above the root.
 */
static int resolve(const char *source, const char *target, char *out, size_t outlen)
{
	char tmp[XLSX_PATH * 2];
	size_t n = 0, o = 0, seg;
	const char *slash, *p;

	if (target[0] != '/' && (slash = strrchr(source, '/'))) {
		n = (size_t)(slash - source) + 1;
		if (n >= sizeof tmp)
			return -1;
		memcpy(tmp, source, n);
	}
	for (p = target; *p; p++) {
		int c = (unsigned char)*p;

		if (c == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			c = hexval(p[1]) * 16 + hexval(p[2]);
			p += 2;
		}
		if (n + 1 >= sizeof tmp)
			return -1;
		tmp[n++] = (char)c;
	}
	tmp[n] = '\0';
	/* normalise the segments into out */
	for (p = tmp; *p; p += seg + (p[seg] == '/')) {
		seg = strcspn(p, "/");
		if (seg == 0 || (seg == 1 && p[0] == '.'))
			continue;
		if (seg == 2 && p[0] == '.' && p[1] == '.') {
			if (o == 0)
				return -1;
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;        /* the slash before the dropped segment */
			continue;
		}
		if (o + (o > 0) + seg + 1 > outlen)
			return -1;
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, p, seg);
		o += seg;
	}
	if (o == 0 || o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* The .rels part of part `source`: "xl/_rels/workbook.xml.rels". */
static int rels_name(const char *source, char *out, size_t outlen)
{
	const char *slash = strrchr(source, '/');
	int n;

	if (slash)
		n = snprintf(out, outlen, "%.*s/_rels/%s.rels", (int)(slash - source), source, slash + 1);
	else
		n = snprintf(out, outlen, "_rels/%s.rels", source);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* The first internal relationship whose Type ends with suffix, or NULL. */
static const rel *rel_by_type(const xlsx *x, const char *suffix)
{
	for (size_t i = 0; i < x->nrels; i++)
		if (!x->rels[i].external && ends_with(x->rels[i].type, suffix))
			return &x->rels[i];
	return NULL;
}

static const rel *rel_by_id(const xlsx *x, const char *id)
{
	for (size_t i = 0; i < x->nrels; i++)
		if (strcmp(x->rels[i].id, id) == 0)
			return &x->rels[i];
	return NULL;
}

/* ---- workbook --------------------------------------------------------- */

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *n = local(name), *sname, *rid, *state;
	wsheet *w;

	if (strcmp(n, "workbookPr") == 0) {
		x->date1904 = xml_true(attr(a, "date1904"));
		return;
	}
	if (strcmp(n, "sheet") != 0)
		return;
	sname = attr(a, "name");
	rid = attr(a, "id");            /* r:id */
	state = attr(a, "state");
	if (!sname || !rid) {
		herr(x, "a <sheet> without name or r:id");
		return;
	}
	if (grow((void **)&x->sheets, &x->csheets, x->nsheets + 1, sizeof *x->sheets, 8) < 0) {
		herr(x, "out of memory");
		return;
	}
	w = &x->sheets[x->nsheets];
	w->name = dups(sname);
	w->rid = dups(rid);
	w->hidden = state && strcmp(state, "visible") != 0;
	if (!w->name || !w->rid) {
		free(w->name);
		free(w->rid);
		herr(x, "out of memory");
		return;
	}
	x->nsheets++;
}

/* ---- styles ----------------------------------------------------------- */

/*
 * The kind of a custom number format code: a date when y, d (or an m that
 * is not minutes) occurs outside quotes, escapes and brackets, a time when
 * only h, m, s do ([h] [mm] [ss] elapsed times included).
 */
static int fmt_kind(const char *code)
{
	int has_date = 0, has_time = 0, has_m = 0;
	const char *p;

	for (p = code; *p; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		switch (c) {
		case '"':
			p++;
			while (*p && *p != '"')
				p++;
			if (!*p)
				return has_date ? FMT_DATE : has_time ? FMT_TIME : has_m ? FMT_DATE : FMT_NUM;
			break;
		case '\\': case '_': case '*':
			if (p[1])
				p++;
			break;
		case '[': {
			const char *q = p + 1;
			size_t k = 0;

			while (q[k] && q[k] != ']')
				k++;
			if (k > 0 && strspn(q, "hH") >= k)
				has_time = 1;
			else if (k > 0 && (strspn(q, "mM") >= k || strspn(q, "sS") >= k))
				has_time = 1;
			p = q[k] ? q + k : q + k - 1;
			break;
		}
		case 'a':
			/* AM/PM and A/P are not months */
			if (strncasecmp(p, "am/pm", 5) == 0)
				p += 4;
			else if (strncasecmp(p, "a/p", 3) == 0)
				p += 2;
			break;
		case 'y': case 'd':
			has_date = 1;
			break;
		case 'h': case 's':
			has_time = 1;
			break;
		case 'm':
			has_m = 1;
			break;
		case 'g':
			/* General */
			if (strncasecmp(p, "general", 7) == 0)
				p += 6;
			break;
		case 'e':
			break;
		default:
			break;
		}
	}
	if (has_date)
		return FMT_DATE;
	if (has_time)
		return FMT_TIME;
	return has_m ? FMT_DATE : FMT_NUM;
}

/* The kind of built-in format id (ECMA-376 18.8.30, East Asian ids too). */
static int builtin_kind(long id)
{
	if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 ||
	    (id >= 50 && id <= 54) || id == 57 || id == 58)
		return FMT_DATE;
	if ((id >= 18 && id <= 21) || (id >= 32 && id <= 35) || (id >= 45 && id <= 47) ||
	    id == 55 || id == 56)
		return FMT_TIME;
	return FMT_NUM;
}

static long to_long(const char *s, long dflt)
{
	char *end;
	long v;

	if (!s)
		return dflt;
	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno)
		return dflt;
	return v;
}

static void XMLCALL st_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *n = local(name);

	if (strcmp(n, "numFmts") == 0) {
		x->in_numfmts = 1;
	} else if (strcmp(n, "cellXfs") == 0) {
		x->in_cellxfs = 1;
	} else if (x->in_numfmts && strcmp(n, "numFmt") == 0) {
		const char *code = attr(a, "formatCode");
		long id = to_long(attr(a, "numFmtId"), -1);

		if (id < 0 || !code)
			return;
		if (grow((void **)&x->fmts, &x->cfmts, x->nfmts + 1, sizeof *x->fmts, 16) < 0) {
			herr(x, "out of memory");
			return;
		}
		x->fmts[x->nfmts].id = id;
		x->fmts[x->nfmts].kind = fmt_kind(code);
		x->nfmts++;
	} else if (x->in_cellxfs && strcmp(n, "xf") == 0) {
		if (grow((void **)&x->xf_fmt, &x->cxf, x->nxf + 1, sizeof *x->xf_fmt, 64) < 0) {
			herr(x, "out of memory");
			return;
		}
		x->xf_fmt[x->nxf++] = to_long(attr(a, "numFmtId"), 0);
	}
}

static void XMLCALL st_end(void *ud, const XML_Char *name)
{
	xlsx *x = ud;
	const char *n = local(name);

	if (strcmp(n, "numFmts") == 0)
		x->in_numfmts = 0;
	else if (strcmp(n, "cellXfs") == 0)
		x->in_cellxfs = 0;
}

/* The FMT_* of each xf, from the custom formats or the built-in ids. */
static int style_kinds(xlsx *x)
{
	if (x->nxf == 0)
		return 0;
	if (!(x->xf_kind = malloc(x->nxf)))
		return fail(x, "out of memory");
	for (size_t i = 0; i < x->nxf; i++) {
		long id = x->xf_fmt[i];
		int kind = builtin_kind(id);

		for (size_t j = 0; j < x->nfmts; j++)
			if (x->fmts[j].id == id)
				kind = x->fmts[j].kind;     /* the last definition wins */
		x->xf_kind[i] = (unsigned char)kind;
	}
	return 0;
}

/* ---- strings ---------------------------------------------------------- */

/* Append code point c as UTF-8 at out; returns the byte count. */
static size_t put_utf8(char *out, unsigned long c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* The code of "_xHHHH_" at s (n bytes available), or -1. */
static long x_escape(const char *s, size_t n)
{
	long v = 0;

	if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return -1;
	for (int i = 2; i < 6; i++) {
		int h = hexval((unsigned char)s[i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * Decode OOXML's _xHHHH_ escapes (ST_Xstring: characters XML cannot hold,
 * "_x000D_" for CR, "_x005F_" for '_') in s[0..n), in place.  Surrogate
 * pairs are joined; a lone surrogate becomes U+FFFD; U+0000 is dropped.
 * Returns the new length.
 */
static size_t unescape_x(char *s, size_t n)
{
	size_t i = 0, o = 0;
	const char *u;

	if (n == 0)             /* s may be NULL: a formula cell without a value */
		return 0;
	u = memchr(s, '_', n);
	if (!u)
		return n;
	i = o = (size_t)(u - s);
	while (i < n) {
		long c = s[i] == '_' ? x_escape(s + i, n - i) : -1;

		if (c < 0) {
			s[o++] = s[i++];
			continue;
		}
		i += 7;
		if (c >= 0xD800 && c <= 0xDBFF) {
			long lo = x_escape(s + i, n - i);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i += 7;
			} else {
				c = 0xFFFD;
			}
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			c = 0xFFFD;
		}
		if (c != 0)
			o += put_utf8(s + o, (unsigned long)c);
	}
	return o;
}

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *n = local(name);

	(void)a;
	if (n[0] == 's' && strcmp(n, "si") == 0) {
		x->in_si = 1;
		x->in_t = 0;
		x->in_rph = 0;
		x->si_start = x->sslen;
	} else if (x->in_si && n[0] == 't' && n[1] == '\0') {
		x->in_t = 1;
	} else if (x->in_si && strcmp(n, "rPh") == 0) {
		x->in_rph++;
	}
}

/* Room for need more bytes of shared string text; 0 or -1 (herr). */
static int sst_room(xlsx *x, size_t need)
{
	if ((unsigned long long)x->sslen + need + 8ULL * (x->nss + 1) > x->max_shared) {
		herr(x, "the shared strings take more than %llu bytes: refusing a possible "
		     "decompression bomb", x->max_shared);
		return -1;
	}
	if (grow((void **)&x->ss, &x->sscap, x->sslen + need, 1, 4096) < 0) {
		herr(x, "out of memory");
		return -1;
	}
	return 0;
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	xlsx *x = ud;
	const char *n = local(name);

	if (n[0] == 't' && n[1] == '\0') {
		x->in_t = 0;
	} else if (strcmp(n, "rPh") == 0) {
		if (x->in_rph > 0)
			x->in_rph--;
	} else if (strcmp(n, "si") == 0 && x->in_si) {
		size_t len = unescape_x(x->ss + x->si_start, x->sslen - x->si_start);

		x->sslen = x->si_start + len;
		if (sst_room(x, 1) < 0)
			return;
		x->ss[x->sslen++] = '\0';
		if (grow((void **)&x->ss_off, &x->coff, x->nss + 2, sizeof *x->ss_off, 1024) < 0) {
			herr(x, "out of memory");
			return;
		}
		x->ss_off[x->nss++] = x->si_start;
		x->in_si = 0;
	}
}

static void XMLCALL sst_text(void *ud, const XML_Char *s, int len)
{
	xlsx *x = ud;

	if (!x->in_si || !x->in_t || x->in_rph || len <= 0)
		return;
	if (sst_room(x, (size_t)len) < 0)
		return;
	memcpy(x->ss + x->sslen, s, (size_t)len);
	x->sslen += (size_t)len;
}

/* ---- numbers and dates ------------------------------------------------ */

/* Non-negative integer v < 2^53 as decimal digits; returns the length. */
static size_t put_uint(char *out, unsigned long long v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* The shortest text strtod reads back as v (finite); out >= 32 bytes. */
static size_t fmt_double(double v, char *out)
{
	int n = 0;

	if (v == 0) {
		out[0] = '0';
		return 1;
	}
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		size_t k = 0;

		if (v < 0)
			out[k++] = '-';
		return k + put_uint(out + k, (unsigned long long)fabs(v));
	}
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(out, 32, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	return (size_t)n;
}

static void put2(char *out, int v)
{
	out[0] = (char)('0' + v / 10 % 10);
	out[1] = (char)('0' + v % 10);
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant). */
static void civil(long z, int *y, int *m, int *d)
{
	long era, yy;
	unsigned long doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned long)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

/*
 * Serial date-time v of a cell with format kind `kind` as text in out
 * (>= 32 bytes): "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS", "HH:MM:SS" (a time
 * format and a value below one day).  Returns the length, or 0 when v is
 * not a date Excel can show (negative, after 9999-12-31).
 */
static size_t fmt_serial(double v, int date1904, int kind, char *out)
{
	double whole;
	long days, secs;
	int y, m, d;
	size_t n = 0;

	if (!(v >= 0) || v >= (date1904 ? SERIAL_MAX_1904 : SERIAL_MAX_1900) + 1.0)
		return 0;
	whole = floor(v);
	days = (long)whole;
	secs = (long)floor((v - whole) * 86400.0 + 0.5);
	if (secs >= 86400) {
		days++;
		secs -= 86400;
	}
	if (days > (date1904 ? SERIAL_MAX_1904 : SERIAL_MAX_1900))
		return 0;
	if (!(kind == FMT_TIME && days == 0)) {
		if (date1904) {
			civil(DAYS_1904_01_01 + days, &y, &m, &d);
		} else if (days == 0) {
			y = 1900, m = 1, d = 0;         /* Excel shows 1900-01-00 */
		} else if (days == 60) {
			y = 1900, m = 2, d = 29;        /* the day that never was */
		} else {
			civil(DAYS_1899_12_30 + days + (days < 60), &y, &m, &d);
		}
		put2(out, y / 100);
		put2(out + 2, y % 100);
		out[4] = '-';
		put2(out + 5, m);
		out[7] = '-';
		put2(out + 8, d);
		n = 10;
		if (secs == 0)
			return n;
		out[n++] = ' ';
	}
	put2(out + n, (int)(secs / 3600));
	out[n + 2] = ':';
	put2(out + n + 3, (int)(secs / 60 % 60));
	out[n + 5] = ':';
	put2(out + n + 6, (int)(secs % 60));
	return n + 8;
}

/* ---- the sheet -------------------------------------------------------- */

/* Make room for need fields in foff and flen. */
static int grow_fields(xlsx *x, size_t need)
{
	size_t ncap = x->fcap ? x->fcap : 64;
	void *p;

	if (need <= x->fcap)
		return 0;
	while (ncap < need)
		ncap *= 2;      /* need <= XLSX_QFIELDS + 2 * XLSX_MAX_COL */
	if (!(p = realloc(x->foff, ncap * sizeof *x->foff)))
		return -1;
	x->foff = p;
	if (!(p = realloc(x->flen, ncap * sizeof *x->flen)))
		return -1;
	x->flen = p;
	x->fcap = ncap;
	return 0;
}

/* Place text s[0..len) in column col (0-based) of the row being built,
 * or with ss_idx other than SIZE_MAX (and len > 0) that non-empty shared
 * string. */
static int put_cell(xlsx *x, long col, const char *s, size_t len, size_t ss_idx)
{
	size_t c = x->cur_first + (size_t)col;

	if (c >= x->fcap && grow_fields(x, c + 1) < 0)
		goto oom;
	if ((size_t)col >= x->cur_nf) {
		for (size_t k = x->cur_first + x->cur_nf; k < c; k++) {
			x->foff[k] = 0;
			x->flen[k] = 0;
		}
		x->cur_nf = (size_t)col + 1;
	}
	if (len == 0) {
		x->foff[c] = 0;
		x->flen[c] = 0;
		return 0;
	}
	if (ss_idx != SIZE_MAX) {
		x->foff[c] = ss_idx | SS_REF;
		x->flen[c] = 1;         /* not empty; emit() sets the length */
		return 0;
	}
	if (x->cur_mem + len > x->max_row) {
		herr(x, "the row's cells hold more than %zu bytes (max_record_bytes)", x->max_row);
		return -1;
	}
	x->cur_mem += len;
	if (grow((void **)&x->data, &x->dcap, x->dlen + len + 1, 1, 4096) < 0)
		goto oom;
	memcpy(x->data + x->dlen, s, len);
	x->data[x->dlen + len] = '\0';
	x->foff[c] = x->dlen;
	x->flen[c] = len;
	x->dlen += len + 1;
	return 0;
oom:
	herr(x, "out of memory");
	return -1;
}

/* The end of a row: queue it when it has a non-empty cell, else drop it.
 * Suspend the parser when the queue is full. */
static void row_end(xlsx *x)
{
	size_t nf = x->cur_nf;

	x->in_row = 0;
	while (nf > 0 && x->flen[x->cur_first + nf - 1] == 0)
		nf--;
	if (nf == 0 || x->herr_set) {
		x->dlen = x->cur_dstart;
		return;
	}
	if (grow((void **)&x->q, &x->qcap, x->nq + 1, sizeof *x->q, 64) < 0) {
		herr(x, "out of memory");
		return;
	}
	x->q[x->nq].line = x->row;
	x->q[x->nq].first = x->cur_first;
	x->q[x->nq].nf = nf;
	x->nq++;
	x->ftotal = x->cur_first + nf;
	if (x->ftotal > XLSX_QFIELDS || x->dlen > (size_t)XLSX_QBYTES)
		XML_StopParser(x->p, XML_TRUE);
}

/* Column of a cell reference "AB12" (0-based), or -1 when it is bad. */
static long ref_col(const char *r)
{
	long col = 0;
	int k = 0;

	for (; (*r >= 'A' && *r <= 'Z') || (*r >= 'a' && *r <= 'z'); r++, k++) {
		if (k == 3)
			return -1;
		col = col * 26 + ((*r | 0x20) - 'a' + 1);
	}
	if (k == 0 || col > XLSX_MAX_COL)
		return -1;
	for (; *r; r++)
		if (*r < '0' || *r > '9')
			return -1;
	return col - 1;
}

static void col_name(long col, char *out)
{
	char tmp[4];
	int n = 0, i;

	col++;
	while (col > 0 && n < 3) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/*
 * The local name of a sheet element: the root element's prefix is skipped
 * without a search (this is the hot path); names with another prefix keep
 * it and so match nothing.
 */
static const char *sh_local(xlsx *x, const char *name)
{
	if (x->pfxlen && strncmp(name, x->pfx, x->pfxlen) == 0)
		return name + x->pfxlen;
	return name;
}

static void XMLCALL sh_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	xlsx *x = ud;
	const char *n;

	if (!x->seen_root) {
		const char *colon = strchr(name, ':');

		x->seen_root = 1;
		if (x->part && (colon || strcmp(name, "worksheet") != 0)) {
			x->part_bad = 1;
			herr(x, "the root element %.40s cannot be read in parts", name);
			return;
		}
		if (colon && (size_t)(colon - name) + 1 < sizeof x->pfx) {
			x->pfxlen = (size_t)(colon - name) + 1;
			memcpy(x->pfx, name, x->pfxlen);
			x->pfx[x->pfxlen] = '\0';
		}
	}
	n = sh_local(x, name);
	if (!x->in_sd) {
		if (strcmp(n, "sheetData") == 0)
			x->in_sd = 1;
		return;
	}
	switch (n[0]) {
	case 'c':
		if (n[1] == '\0' && x->in_row) {
			const char *r = NULL, *t = NULL, *s = NULL;

			for (; a[0]; a += 2) {
				const char *an = a[0];

				if (an[1] == '\0') {
					if (an[0] == 'r')
						r = a[1];
					else if (an[0] == 't')
						t = a[1];
					else if (an[0] == 's')
						s = a[1];
				}
			}
			x->in_c = 1;
			x->tlen = 0;
			if (r) {
				x->ccol = ref_col(r);
				if (x->ccol < 0) {
					herr(x, "bad cell reference \"%.20s\"", r);
					return;
				}
			} else {
				x->ccol = x->prev_col + 1;
				if (x->ccol >= XLSX_MAX_COL) {
					herr(x, "more than %d columns", XLSX_MAX_COL);
					return;
				}
			}
			x->prev_col = x->ccol;
			x->ctype = T_NUM;
			if (t) {
				if (t[0] == 's' && t[1] == '\0')
					x->ctype = T_SST;
				else if (strcmp(t, "str") == 0)
					x->ctype = T_STR;
				else if (strcmp(t, "inlineStr") == 0)
					x->ctype = T_INLINE;
				else if (t[0] == 'b' && t[1] == '\0')
					x->ctype = T_BOOL;
				else if (t[0] == 'e' && t[1] == '\0')
					x->ctype = T_ERR;
				else if (t[0] == 'd' && t[1] == '\0')
					x->ctype = T_DATE;
			}
			x->cstyle_kind = FMT_NUM;
			if (s && x->ctype == T_NUM) {
				size_t si = 0;

				for (; *s >= '0' && *s <= '9' && si < x->nxf; s++)
					si = si * 10 + (size_t)(*s - '0');
				if (*s == '\0' && si < x->nxf)
					x->cstyle_kind = x->xf_kind[si];
			}
		}
		return;
	case 'v':
		if (n[1] == '\0' && x->in_c)
			x->in_v = 1;
		return;
	case 't':
		if (n[1] == '\0' && x->in_is)
			x->in_t = 1;
		return;
	case 'i':
		if (n[1] == 's' && n[2] == '\0' && x->in_c)
			x->in_is = 1;
		return;
	case 'r':
		if (n[1] == 'o' && n[2] == 'w' && n[3] == '\0') {
			const char *r = NULL;

			for (; a[0]; a += 2)
				if (a[0][0] == 'r' && a[0][1] == '\0')
					r = a[1];
			if (r) {
				long v = 0;
				const char *d = r;

				for (; *d >= '0' && *d <= '9' && v <= XLSX_MAX_ROW; d++)
					v = v * 10 + (*d - '0');
				if (*d || v < 1 || v > XLSX_MAX_ROW) {
					herr(x, "bad row number \"%.20s\"", r);
					return;
				}
				if (v <= x->row) {
					herr(x, "the next row is numbered %ld: rows out of order", v);
					return;
				}
				x->row = v;
			} else {
				if (x->part) {
					/* its number depends on rows another part reads */
					x->part_bad = 1;
					herr(x, "a row without its number cannot be read in parts");
					return;
				}
				if (x->row >= XLSX_MAX_ROW) {
					herr(x, "more than %ld rows", XLSX_MAX_ROW);
					return;
				}
				x->row++;
			}
			x->prev_col = -1;
			x->in_row = 1;
			x->cur_first = x->ftotal;
			x->cur_nf = 0;
			x->cur_dstart = x->dlen;
			x->cur_mem = 0;
		} else if (strcmp(n, "rPh") == 0) {
			x->in_rph++;
		}
		return;
	default:
		return;
	}
}

static void XMLCALL sh_text(void *ud, const XML_Char *s, int len)
{
	xlsx *x = ud;

	if (!(x->in_v || (x->in_is && x->in_t && !x->in_rph)) || len <= 0)
		return;
	if (x->tlen + (size_t)len > x->max_cell) {
		char c[4];

		col_name(x->ccol, c);
		herr(x, "cell %s%ld holds more than %zu bytes (max_field_bytes)", c, x->row,
		     x->max_cell);
		return;
	}
	if (grow((void **)&x->tb, &x->tcap, x->tlen + (size_t)len + 1, 1, 256) < 0) {
		herr(x, "out of memory");
		return;
	}
	memcpy(x->tb + x->tlen, s, (size_t)len);
	x->tlen += (size_t)len;
}

/* Trim ASCII whitespace around s[0..*len). */
static const char *trim(const char *s, size_t *len)
{
	size_t n = *len;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	*len = n;
	return s;
}

/* A plain integer of at most 15 digits without a leading zero: kept as is. */
static int plain_int(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 0 && s[0] == '-')
		i = 1;
	if (n - i == 0 || n - i > 15 || (s[i] == '0' && n - i > 1) || (s[i] == '0' && i))
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * A plain decimal that %.15g would print the same: [-]int.frac, no
 * leading zero in int, frac not ending in 0, at most 15 significant
 * digits, and for 0.x at most 3 zeros after the point (%g switches to an
 * exponent below 1e-4).  Kept as is, saving strtod and printf.
 */
static int plain_dec(const char *s, size_t n)
{
	size_t i = 0, ni, nf, lz = 0;

	if (n > 0 && s[0] == '-')
		i = 1;
	for (ni = 0; i + ni < n && s[i + ni] >= '0' && s[i + ni] <= '9'; ni++)
		;
	if (ni == 0 || (ni > 1 && s[i] == '0') || i + ni >= n || s[i + ni] != '.')
		return 0;
	i += ni + 1;
	for (nf = 0; i + nf < n && s[i + nf] >= '0' && s[i + nf] <= '9'; nf++)
		;
	if (nf == 0 || i + nf != n || s[n - 1] == '0')
		return 0;
	if (ni == 1 && s[n - nf - 2] == '0') {          /* 0.xxx */
		while (lz < nf && s[i + lz] == '0')
			lz++;
		return lz <= 3 && nf - lz <= 15;
	}
	return ni + nf <= 15;
}

/* The end of a cell: its text in the row. */
static void cell_end(xlsx *x)
{
	char buf[64], c[4];
	const char *s = x->tb;
	size_t n = x->tlen, ss_idx = SIZE_MAX;

	x->in_c = x->in_v = x->in_is = x->in_t = 0;
	x->in_rph = 0;
	if (x->herr_set)
		return;
	switch (x->ctype) {
	case T_SST: {
		unsigned long long i = 0;
		size_t k;

		s = trim(s, &n);
		if (n == 0)
			break;
		for (k = 0; k < n && s[k] >= '0' && s[k] <= '9' && i <= x->nss; k++)
			i = i * 10 + (unsigned)(s[k] - '0');
		if (k < n || i >= x->nss) {
			col_name(x->ccol, c);
			herr(x, "cell %s%ld: shared string index \"%.*s\" out of range (the table "
			     "has %zu)", c, x->row, (int)(n > 20 ? 20 : n), s, x->nss);
			return;
		}
		if (x->ss_empty[i >> 3] & (1u << (i & 7))) {
			n = 0;
		} else {
			ss_idx = (size_t)i;
			n = 1;
			/* start loading its offsets for emit() (a miss in a large
			 * table otherwise stalls it there) */
			if (x->ss_o32)
				__builtin_prefetch(x->ss_o32 + i);
		}
		break;
	}
	case T_INLINE: case T_STR:
		n = unescape_x(x->tb, x->tlen);
		break;
	case T_BOOL:
		s = trim(s, &n);
		if (n == 1 && s[0] == '1')
			s = "TRUE", n = 4;
		else if (n == 1 && s[0] == '0')
			s = "FALSE", n = 5;
		break;
	case T_ERR:
		s = trim(s, &n);
		break;
	case T_DATE:
		/* ISO 8601 in the cell (strict OOXML): a space for the T, no
		 * midnight, no zone */
		s = trim(s, &n);
		if (n >= 19 && n < sizeof buf && s[10] == 'T') {
			memcpy(buf, s, n);
			buf[10] = ' ';
			n = 19;
			if (memcmp(buf + 10, " 00:00:00", 9) == 0)
				n = 10;
			s = buf;
		}
		break;
	default: {
		char *end;
		double v;

		s = trim(s, &n);
		if (n == 0)
			break;
		if (plain_int(s, n)) {
			long long iv = 0;

			if (x->cstyle_kind == FMT_NUM)
				break;                  /* as it is */
			for (size_t k = s[0] == '-'; k < n; k++)
				iv = iv * 10 + (s[k] - '0');
			v = (double)(s[0] == '-' ? -iv : iv);   /* exact: 15 digits at most */
		} else {
			if (x->cstyle_kind == FMT_NUM && plain_dec(s, n))
				break;
			if (n >= sizeof buf)
				break;          /* not a number Excel writes: as it is */
			memcpy(buf, s, n);
			buf[n] = '\0';
			v = strtod(buf, &end);
			if (*end || end == buf || !isfinite(v))
				break;          /* as it is */
		}
		if (x->cstyle_kind != FMT_NUM) {
			size_t k = fmt_serial(v, x->date1904, x->cstyle_kind, buf);

			if (k > 0) {
				s = buf;
				n = k;
				break;
			}
		}
		n = fmt_double(v, buf);
		s = buf;
		break;
	}
	}
	put_cell(x, x->ccol, s, n, ss_idx);
}

static void XMLCALL sh_end(void *ud, const XML_Char *name)
{
	xlsx *x = ud;
	const char *n = sh_local(x, name);

	if (!x->in_sd)
		return;
	switch (n[0]) {
	case 'c':
		if (n[1] == '\0' && x->in_c)
			cell_end(x);
		return;
	case 'v':
		if (n[1] == '\0')
			x->in_v = 0;
		return;
	case 't':
		if (n[1] == '\0')
			x->in_t = 0;
		return;
	case 'i':
		if (n[1] == 's' && n[2] == '\0')
			x->in_is = 0;
		return;
	case 'r':
		if (n[1] == 'o' && n[2] == 'w' && n[3] == '\0') {
			if (x->in_row)
				row_end(x);
		} else if (strcmp(n, "rPh") == 0 && x->in_rph > 0) {
			x->in_rph--;
		}
		return;
	case 's':
		if (strcmp(n, "sheetData") == 0)
			x->in_sd = 0;
		return;
	default:
		return;
	}
}

/* ---- open ------------------------------------------------------------- */

/* What kind of file is this?  0 zip, -1 not (errbuf set). */
static int check_magic(const char *path, char *errbuf, size_t errlen)
{
	unsigned char m[4] = { 0 };
	int fd = cli_open_input(path, errbuf, errlen);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, m, 4);
	close(fd);
	if (n == 4 && m[0] == 'P' && m[1] == 'K' && m[2] < 9 && m[3] < 9)
		return 0;
	if (n == 4 && memcmp(m, "\xD0\xCF\x11\xE0", 4) == 0)
		set_err(errbuf, errlen, "%s: an OLE2 file, not an .xlsx: a legacy .xls workbook or a "
			"password-protected one; save it as .xlsx without a password", path);
	else
		set_err(errbuf, errlen, "%s: not an .xlsx file (not a zip archive)", path);
	return -1;
}

/* The error of x into errbuf, then close x.  NULL. */
static xlsx *open_failed(xlsx *x, char *errbuf, size_t errlen)
{
	set_err(errbuf, errlen, "%s", x->err);
	xlsx_close(x);
	return NULL;
}

/* Choose the sheet and find its part.  0 or -1. */
static int pick_sheet(xlsx *x, const char *want)
{
	const wsheet *w = NULL;
	const rel *r;
	size_t i;

	if (x->nsheets == 0)
		return fail(x, "the workbook has no sheets");
	if (want) {
		for (i = 0; !w && i < x->nsheets; i++)
			if (strcmp(x->sheets[i].name, want) == 0)
				w = &x->sheets[i];
		for (i = 0; !w && i < x->nsheets; i++)
			if (ascii_ieq(x->sheets[i].name, want))
				w = &x->sheets[i];
		if (!w) {
			char list[700];
			size_t n = 0;

			list[0] = '\0';
			for (i = 0; i < x->nsheets && n < sizeof list; i++) {
				int k = snprintf(list + n, sizeof list - n, "%s\"%s\"%s", i ? ", " : "",
						 x->sheets[i].name, x->sheets[i].hidden ? " (hidden)" : "");

				if (k < 0)
					break;
				n += (size_t)k;
			}
			return fail(x, "no sheet \"%s\" in the workbook; its sheets are %s", want, list);
		}
		r = rel_by_id(x, w->rid);
		if (!r)
			return fail(x, "sheet \"%s\": relationship %s is missing from the workbook's "
				    "relationships", w->name, w->rid);
		if (!ends_with(r->type, "/worksheet"))
			return fail(x, "sheet \"%s\" is a %s, not a worksheet", w->name,
				    ends_with(r->type, "/chartsheet") ? "chart sheet" : "special sheet");
	} else {
		/* the first visible worksheet, else the first worksheet */
		const wsheet *first = NULL;
		const rel *first_r = NULL;

		r = NULL;
		for (i = 0; !w && i < x->nsheets; i++) {
			const rel *ri = rel_by_id(x, x->sheets[i].rid);

			if (!ri || ri->external || !ends_with(ri->type, "/worksheet"))
				continue;
			if (!first) {
				first = &x->sheets[i];
				first_r = ri;
			}
			if (!x->sheets[i].hidden) {
				w = &x->sheets[i];
				r = ri;
			}
		}
		if (!w) {
			w = first;
			r = first_r;
		}
		if (!w)
			return fail(x, "the workbook has no worksheets");
	}
	if (r->external || resolve(x->wb_path, r->target, x->sheet_path, sizeof x->sheet_path) < 0)
		return fail(x, "sheet \"%s\": bad part name \"%s\"", w->name, r->target);
	x->sheet_name = w->name;
	return 0;
}

xlsx *xlsx_open(const char *path, const xlsx_opts *opts, char *errbuf, size_t errlen)
{
	xlsx *x;
	unz_global_info64 gi;
	char name[XLSX_PATH];
	const rel *r;
	int rc;

	if (!path) {
		set_err(errbuf, errlen, "(null): no file name");
		return NULL;
	}
	if (check_magic(path, errbuf, errlen) < 0)
		return NULL;
	x = calloc(1, sizeof *x);
	if (!x || !(x->path = strdup(path)) || !(x->zin = malloc(XLSX_ZIN)) ||
	    !(x->data = malloc(4096))) {
		set_err(errbuf, errlen, "%s: out of memory", path);
		xlsx_close(x);
		return NULL;
	}
	x->dcap = 4096;
	x->data[0] = '\0';
	x->dlen = 1;
	x->cur_dstart = 1;
	x->max_uncomp = opts && opts->max_uncompressed > 0 ?
		(unsigned long long)opts->max_uncompressed : (unsigned long long)XLSX_MAX_UNCOMP;
	x->max_ratio = opts && opts->max_ratio > 0 ? opts->max_ratio : XLSX_MAX_RATIO;
	x->part = opts && (opts->part == 1 || opts->part == 2) ? opts->part : 0;
	x->next_cut = XLSX_PART_BLOCK;
	x->max_shared = opts && opts->max_shared > 0 ?
		(unsigned long long)opts->max_shared : (unsigned long long)XLSX_MAX_SHARED;
	x->max_cell = opts && opts->max_cell > 0 ? (size_t)opts->max_cell : (size_t)XLSX_MAX_CELL;
	x->max_row = opts && opts->max_row > 0 ? (size_t)opts->max_row : (size_t)XLSX_MAX_ROWMEM;

	x->uf = unzOpen64(path);
	if (!x->uf) {
		fail(x, "corrupt or truncated zip archive (its central directory is missing or damaged)");
		return open_failed(x, errbuf, errlen);
	}
	if (unzGetGlobalInfo64(x->uf, &gi) != UNZ_OK) {
		fail(x, "corrupt zip archive");
		return open_failed(x, errbuf, errlen);
	}
	if (gi.number_entry > XLSX_MAX_ENTRIES) {
		fail(x, "the zip archive has %llu entries (at most %d): not a workbook",
		     (unsigned long long)gi.number_entry, XLSX_MAX_ENTRIES);
		return open_failed(x, errbuf, errlen);
	}

	/* the workbook part, from the package relationships */
	strcpy(x->wb_path, "xl/workbook.xml");
	rc = parse_part(x, "_rels/.rels", rels_start, end_nothing, text_nothing);
	if (rc < 0)
		return open_failed(x, errbuf, errlen);
	if (rc > 0 && (r = rel_by_type(x, "/officeDocument")) &&
	    resolve("", r->target, name, sizeof name) == 0)
		snprintf(x->wb_path, sizeof x->wb_path, "%s", name);
	free_rels(x);
	if (ends_with(x->wb_path, ".bin")) {
		fail(x, "a binary .xlsb workbook: save it as .xlsx");
		return open_failed(x, errbuf, errlen);
	}
	rc = parse_part(x, x->wb_path, wb_start, end_nothing, text_nothing);
	if (rc == 0)
		fail(x, "not an Excel workbook: the archive has no %s", x->wb_path);
	if (rc <= 0)
		return open_failed(x, errbuf, errlen);

	/* its relationships: sheets, shared strings, styles */
	if (rels_name(x->wb_path, name, sizeof name) < 0) {
		fail(x, "bad part name \"%s\"", x->wb_path);
		return open_failed(x, errbuf, errlen);
	}
	rc = parse_part(x, name, rels_start, end_nothing, text_nothing);
	if (rc == 0)
		fail(x, "the archive has no %s (the workbook's relationships)", name);
	if (rc <= 0)
		return open_failed(x, errbuf, errlen);
	if (pick_sheet(x, opts ? opts->sheet : NULL) < 0)
		return open_failed(x, errbuf, errlen);
	if ((r = rel_by_type(x, "/sharedStrings")))
		resolve(x->wb_path, r->target, x->sst_path, sizeof x->sst_path);
	if ((r = rel_by_type(x, "/styles")))
		resolve(x->wb_path, r->target, x->styles_path, sizeof x->styles_path);

	if (x->styles_path[0]) {
		if (parse_part(x, x->styles_path, st_start, st_end, text_nothing) < 0 ||
		    style_kinds(x) < 0)
			return open_failed(x, errbuf, errlen);
	}
	if (x->sst_path[0]) {
		if (parse_part(x, x->sst_path, sst_start, sst_end, sst_text) < 0)
			return open_failed(x, errbuf, errlen);
	}
	if (grow((void **)&x->ss_off, &x->coff, x->nss + 1, sizeof *x->ss_off, 1) < 0) {
		fail(x, "out of memory");
		return open_failed(x, errbuf, errlen);
	}
	x->ss_off[x->nss] = x->sslen;   /* sentinel: the end of the last string */
	if (!(x->ss_empty = calloc(x->nss / 8 + 1, 1))) {
		fail(x, "out of memory");
		return open_failed(x, errbuf, errlen);
	}
	for (size_t i = 0; i < x->nss; i++)
		if (x->ss_off[i + 1] - x->ss_off[i] == 1)
			x->ss_empty[i >> 3] |= (unsigned char)(1u << (i & 7));
	if (x->sslen <= UINT32_MAX && (x->ss_o32 = malloc((x->nss + 1) * sizeof *x->ss_o32)))
		for (size_t i = 0; i <= x->nss; i++)
			x->ss_o32[i] = (uint32_t)x->ss_off[i];
	x->in_si = x->in_t = x->in_rph = 0;

	/* the sheet: open its entry, ready to stream */
	rc = zent_open(x, x->sheet_path);
	if (rc == 0)
		fail(x, "sheet \"%s\": the archive has no %s", x->sheet_name, x->sheet_path);
	if (rc <= 0)
		return open_failed(x, errbuf, errlen);
	x->p = new_parser(x, sh_start, sh_end, sh_text);
	if (!x->p) {
		fail(x, "out of memory");
		return open_failed(x, errbuf, errlen);
	}
	x->herr_set = 0;
	start_inflater(x);
	if (x->part && !x->inflating)
		x->part_bad = 1;        /* xlsx_next says so */
	return x;
}

/* ---- reading ---------------------------------------------------------- */

/*
 * The sheet error "path: sheet NAME row N: message" into x->err; it is
 * returned once the rows queued before it are handed out.
 */
static void sheet_err(xlsx *x, const char *msg)
{
	if (x->row > 0)
		set_err(x->err, sizeof x->err, "%s: sheet %s row %ld: %s", x->path,
			x->sheet_name, x->row, msg);
	else
		set_err(x->err, sizeof x->err, "%s: sheet %s: %s", x->path, x->sheet_name, msg);
	x->pend_err = 1;
}

/* An entry error (x->err is "path: entry ...") as a sheet error. */
static void zent_err(xlsx *x)
{
	char msg[1024];

	snprintf(msg, sizeof msg, "%s", x->err + strlen(x->path) + 2);
	sheet_err(x, msg);
}

/* Hand out queued row q. */
static int emit(xlsx *x, const qrow *q, const csvin_record **rec)
{
	if (q->nf > x->fpcap) {
		size_t ncap = x->fpcap ? x->fpcap : 64;
		char **p;

		while (ncap < q->nf)
			ncap *= 2;
		if (!(p = realloc(x->fields, ncap * sizeof *p))) {
			stop_inflater(x);       /* x->err is ours again */
			sheet_err(x, "out of memory");
			x->state = -1;
			return -1;
		}
		x->fields = p;
		x->fpcap = ncap;
	}
	for (size_t i = 0; i < q->nf; i++) {
		size_t off = x->foff[q->first + i];

		if (off & SS_REF) {
			size_t k = off & ~SS_REF, o, e;

			if (x->ss_o32) {
				o = x->ss_o32[k];
				e = x->ss_o32[k + 1];
			} else {
				o = x->ss_off[k];
				e = x->ss_off[k + 1];
			}
			x->fields[i] = x->ss + o;
			x->flen[q->first + i] = e - o - 1;
			__builtin_prefetch(x->fields[i]);       /* the caller reads it next */
		} else {
			x->fields[i] = x->data + off;
		}
	}
	x->rec.nfields = q->nf;
	x->rec.fields = x->fields;
	x->rec.lens = x->flen + q->first;
	x->rec.line = q->line;
	x->rec.offset = 0;
	*rec = &x->rec;
	return 1;
}

/* All queued rows are handed out: move the row being built (if any) to
 * the front of the arena and the field arrays. */
static void compact(xlsx *x)
{
	size_t dn = x->dlen - x->cur_dstart;

	if (x->in_row) {
		memmove(x->foff, x->foff + x->cur_first, x->cur_nf * sizeof *x->foff);
		memmove(x->flen, x->flen + x->cur_first, x->cur_nf * sizeof *x->flen);
		for (size_t i = 0; i < x->cur_nf; i++)
			if (x->foff[i] && !(x->foff[i] & SS_REF))
				x->foff[i] = x->foff[i] - x->cur_dstart + 1;
		memmove(x->data + 1, x->data + x->cur_dstart, dn);
		x->dlen = 1 + dn;
	} else {
		x->dlen = 1;
	}
	x->cur_first = 0;
	x->cur_dstart = 1;
	x->ftotal = 0;
	x->nq = x->qpos = 0;
}

/* After XML_ParseBuffer or XML_ResumeParser returned st. */
static void after_parse(xlsx *x, enum XML_Status st)
{
	char msg[768];

	x->suspended = st == XML_STATUS_SUSPENDED;
	if (st == XML_STATUS_ERROR) {
		if (x->herr_set)
			snprintf(msg, sizeof msg, "%s", x->herr);
		else
			xml_msg(x, x->p, msg, sizeof msg);
		if (zent_drain(x) < 0)
			zent_err(x);    /* a damaged entry, not bad XML */
		else
			sheet_err(x, msg);
	} else if (st == XML_STATUS_OK && x->fed_final) {
		x->parsed = 1;
	}
}

/* Part reading: queue the marker of a block of ours (a record of no fields). */
static void queue_marker(xlsx *x)
{
	if (grow((void **)&x->q, &x->qcap, x->nq + 1, sizeof *x->q, 64) < 0) {
		sheet_err(x, "out of memory");
		return;
	}
	x->q[x->nq].line = 0;
	x->q[x->nq].first = x->ftotal;
	x->q[x->nq].nf = 0;
	x->nq++;
}

/* Part reading: something the cut cannot handle. */
static void part_unsupported(xlsx *x, const char *what)
{
	char msg[200];

	x->part_bad = 1;
	snprintf(msg, sizeof msg, "%s: the sheet cannot be read in parts", what);
	sheet_err(x, msg);
}

/* Part reading: a new chunk.  Until <sheetData> is found, the document's
 * start is kept (part 2 feeds it before its first block).  -1 when it
 * cannot be read in parts (sheet_err called). */
static int part_take(xlsx *x, unsigned char *buf, long n)
{
	static const char sd[] = "<sheetData>";

	x->cbuf = buf;
	x->clen = n;
	x->cpos = 0;
	if (!x->sd_found) {
		char *np, *hit;
		if (x->prelen + (size_t)n > XLSX_PART_BLOCK) {
			part_unsupported(x, "no <sheetData> in the first MiB");
			return -1;
		}
		if (!(np = realloc(x->pre, x->prelen + (size_t)n + 1))) {
			sheet_err(x, "out of memory");
			return -1;
		}
		x->pre = np;
		memcpy(x->pre + x->prelen, buf, (size_t)n);
		x->prelen += (size_t)n;
		x->pre[x->prelen] = '\0';
		if (strstr(x->pre, "<sheetData/>")) {
			part_unsupported(x, "an empty sheet");
			return -1;
		}
		if ((hit = strstr(x->pre, sd))) {
			x->prelen = (size_t)(hit - x->pre) + sizeof sd - 1;
			x->sd_end = (long long)x->prelen;
			x->sd_found = 1;
		}
	}
	return 0;
}

/* Is there a '<' followed by c in b[0..n)?  (c is rare in sheet XML: find
 * it, then look behind.) */
static int lt_then(const unsigned char *b, long n, unsigned char c)
{
	const unsigned char *p = b + 1, *end = b + n;

	while (p < end && (p = memchr(p, c, (size_t)(end - p)))) {
		if (p[-1] == '<')
			return 1;
		p++;
	}
	return 0;
}

/* Part reading: a comment, CDATA section or processing instruction in the
 * sheet data of bytes [from, to) of the chunk (a "</row>" inside one
 * would cut a block in the wrong place)?  1 if so. */
static int part_hazard(xlsx *x, long from, long to)
{
	const unsigned char *b = x->cbuf;

	if (x->cstart + from < x->sd_end)
		from = (long)(x->sd_end - x->cstart);
	if (from >= to)
		return 0;
	if (x->lt && (b[from] == '!' || b[from] == '?'))
		return 1;
	x->lt = b[to - 1] == '<';
	return lt_then(b + from, to - from, '!') || lt_then(b + from, to - from, '?');
}

/* Part reading: feed the next piece of the current chunk (taking one when
 * there is none) to the parser if its block is ours, or finish at the
 * end of the sheet's XML. */
static void part_step(xlsx *x)
{
	static const char pat[] = "</row>";
	long start, end, i;
	int cut = 0, own;

	if (!x->inflating && !x->src && !x->cbuf) {
		part_unsupported(x, "no inflater thread");
		return;
	}
	if (!x->cbuf) {
		unsigned char *buf;
		long n = take_chunk(x, &buf);

		if (n == -2) {
			stop_inflater(x);
			sheet_err(x, "the inflater stopped");
			return;
		}
		if (n < 0 && x->src) {
			release_chunk(x);
			sheet_err(x, "the sheet's entry cannot be read");     /* part 1 tells what */
			return;
		}
		if (n < 0) {
			release_chunk(x);
			stop_inflater(x);
			x->zfailed = 1;
			zent_err(x);
			return;
		}
		if (n == 0) {
			static const char close[] = "</sheetData></worksheet>";

			release_chunk(x);
			stop_inflater(x);
			x->fed_final = 1;
			own = x->blk % 2 == x->part - 1;
			if (!x->fed_any)
				x->parsed = 1;          /* no block of ours: nothing to close */
			else
				after_parse(x, own ? XML_Parse(x->p, "", 0, XML_TRUE)
						   : XML_Parse(x->p, close, (int)sizeof close - 1, XML_TRUE));
			return;
		}
		if (part_take(x, buf, n) < 0)
			return;
	}
	start = x->cpos;
	end = x->clen;
	if (x->sd_found) {
		i = (long)(x->next_cut - x->cstart);
		for (i = i < start ? start : i; i < x->clen; i++) {
			if (x->cbuf[i] == (unsigned char)pat[x->match]) {
				if (++x->match == 6) {
					x->match = 0;
					end = i + 1;
					cut = 1;
					break;
				}
			} else {
				x->match = x->cbuf[i] == '<';
			}
		}
	}
	own = x->blk % 2 == x->part - 1;
	x->cpos = end;
	if (own && end > start) {
		if (part_hazard(x, start, end)) {
			part_unsupported(x, "a comment, CDATA section or processing instruction");
			return;
		}
		if (x->part == 2 && !x->fed_any) {
			enum XML_Status st = XML_Parse(x->p, x->pre, (int)x->prelen, XML_FALSE);
			if (st != XML_STATUS_OK) {
				after_parse(x, st);
				return;
			}
		}
		x->fed_any = 1;
		after_parse(x, XML_Parse(x->p, (const char *)x->cbuf + start, (int)(end - start), XML_FALSE));
	} else {
		x->lt = 0;
	}
	if (cut) {
		if (own)
			x->marker = 1;
		x->blk++;
		x->next_cut = x->cstart + end + XLSX_PART_BLOCK;
	}
	if (x->cpos == x->clen) {
		release_chunk(x);
		x->cstart += x->clen;
		x->cbuf = NULL;
	}
}

int xlsx_part_share(xlsx *b, xlsx *a)
{
	if (!a->inflating || a->part != 1 || b->part != 2 || b->src)
		return -1;
	stop_inflater(b);
	for (int i = 0; i < XLSX_RING; i++) {
		free(b->ring[i]);       /* b reads a's */
		b->ring[i] = NULL;
	}
	if (b->nss == a->nss && b->sslen == a->sslen && !!b->ss_o32 == !!a->ss_o32) {
		/* the same table, read-only from now on: keep one */
		free(b->ss);
		free(b->ss_off);
		free(b->ss_empty);
		free(b->ss_o32);
		b->ss = a->ss;
		b->ss_off = a->ss_off;
		b->ss_empty = a->ss_empty;
		b->ss_o32 = a->ss_o32;
		b->ss_borrowed = 1;
	}
	pthread_mutex_lock(&a->mu);
	a->shared = 1;
	a->rtail2 = a->rtail;
	pthread_mutex_unlock(&a->mu);
	b->src = a;
	return 0;
}

void xlsx_part_abort(xlsx *a)
{
	if (!a || !a->shared || !a->inflating)
		return;
	pthread_mutex_lock(&a->mu);
	a->rstop = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

int xlsx_part_unsupported(const xlsx *x)
{
	return x->part_bad;
}

size_t xlsx_shared_bytes(const xlsx *x)
{
	return x->sslen + (x->nss + 1) * (x->ss_o32 ? sizeof *x->ss_o32 : sizeof *x->ss_off);
}

int xlsx_next(xlsx *x, const csvin_record **rec)
{
	const csvin_record *dummy;

	if (!rec)
		rec = &dummy;
	*rec = NULL;
	if (x->state < 0)
		return -1;
	if (x->state > 0)
		return 0;
	for (;;) {
		if (x->qpos < x->nq)
			return emit(x, &x->q[x->qpos++], rec);
		if (x->pend_err) {
			x->state = -1;
			return -1;
		}
		if (x->nq)
			compact(x);
		if (x->parsed) {
			zent_close(x);
			x->state = 1;
			return 0;
		}
		if (x->suspended) {
			after_parse(x, XML_ResumeParser(x->p));
		} else if (x->marker) {
			x->marker = 0;
			queue_marker(x);
		} else if (x->part) {
			part_step(x);
		} else if (x->inflating) {
			unsigned char *buf;
			long n = take_chunk(x, &buf);
			enum XML_Status st;

			if (n == -2) {
				stop_inflater(x);
				sheet_err(x, "the inflater stopped");
				continue;
			}
			if (n < 0) {
				release_chunk(x);
				stop_inflater(x);
				x->zfailed = 1;
				zent_err(x);
				continue;
			}
			x->fed_final = n == 0;
			st = XML_Parse(x->p, (const char *)buf, (int)n, x->fed_final);
			release_chunk(x);
			if (x->fed_final)
				stop_inflater(x);       /* it has ended: join it */
			after_parse(x, st);
		} else {
			void *buf = XML_GetBuffer(x->p, XLSX_CHUNK);
			long n;

			if (!buf) {
				sheet_err(x, "out of memory");
				continue;
			}
			n = zent_read(x, buf, XLSX_CHUNK);
			if (n < 0) {
				zent_err(x);
				continue;
			}
			x->fed_final = n == 0;
			after_parse(x, XML_ParseBuffer(x->p, (int)n, x->fed_final));
		}
	}
}

const char *xlsx_error(const xlsx *x)
{
	return x->err;
}

const char *xlsx_sheet(const xlsx *x)
{
	return x->sheet_name ? x->sheet_name : "";
}

int xlsx_date1904(const xlsx *x)
{
	return x->date1904;
}

void xlsx_close(xlsx *x)
{
	if (!x)
		return;
	stop_inflater(x);
	if (x->shared) {
		pthread_cond_destroy(&x->cv);
		pthread_mutex_destroy(&x->mu);
	}
	for (int i = 0; i < XLSX_RING; i++)
		free(x->ring[i]);
	if (x->p)
		XML_ParserFree(x->p);
	if (x->uf) {
		zent_close(x);
		unzClose(x->uf);
	}
	free_rels(x);
	free(x->rels);
	for (size_t i = 0; i < x->nsheets; i++) {
		free(x->sheets[i].name);
		free(x->sheets[i].rid);
	}
	free(x->sheets);
	free(x->fmts);
	free(x->xf_fmt);
	free(x->xf_kind);
	if (!x->ss_borrowed) {
		free(x->ss);
		free(x->ss_off);
		free(x->ss_empty);
		free(x->ss_o32);
	}
	free(x->tb);
	free(x->data);
	free(x->foff);
	free(x->flen);
	free(x->fields);
	free(x->q);
	free(x->zin);
	free(x->pre);
	free(x->path);
	free(x);
}
