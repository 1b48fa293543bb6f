/*
 * xlsx_int.h - the inside of the .xlsx reader (xlsx.h), shared by its
 * files and by nothing else:
 *     xlsx.c        reading the sheet's rows (the streaming, the parts)
 *     xlsx_zip.c    zip entries, the inflater thread, whole parts, relationships
 *     xlsx_book.c   opening: the workbook, styles, shared strings, numbers and dates
 *     xlsx_sheet.c  the sheet's XML handlers: cells and rows into the queue
 * The design is described at the head of xlsx.c.
 */
#ifndef VQR_XLSX_INT_H
#define VQR_XLSX_INT_H

#include "lib/readers/xlsx.h"

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
	int c_f, c_v;                   /* the current cell has an <f>, a <v> */
	int cell_is;                    /* the inline string cell has an <is>: its text, not <v>'s */
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
	/* merged ranges (xlsx_opts.merge_rows; xlsx_merge.c) */
	reader_merge *merges;           /* those starting in the first merge_rows rows (owned) */
	size_t nmerges;                 /* how many */
	int have_merges;                /* the sheet's merges were read (none may be there) */
};

/* The scan of a sheet's XML for its merged ranges (xlsx_merge.c). */
typedef struct xl_mscan {
	long max_row;                   /* keep ranges starting at or above this row */
	char *win;                      /* bytes not yet matched: the end of the last chunk, then a new one */
	size_t wlen, wcap;              /* their length, win's capacity */
	XML_Parser p;                   /* from the mergeCells start tag on; NULL before */
	int state;                      /* 0 scanning, 1 </mergeCells> seen, -1 not parsable */
	reader_merge *m;                /* the ranges kept (owned) */
	size_t n, cap;                  /* how many, capacity */
} xl_mscan;

/* ---- shared functions (defined in the file named by their section) ---- */

/* Prepare s to keep the merged ranges that start in rows 1..max_row. */
void xl_mscan_init(xl_mscan *s, long max_row);
/* The next n bytes of the sheet's XML (any chunking). */
void xl_mscan_feed(xl_mscan *s, const char *b, size_t n);
/* After the last bytes: 0 (s->m, s->n hold the ranges; none when the sheet
 * has no mergeCells), or -1 when its mergeCells could not be parsed. */
int xl_mscan_end(xl_mscan *s);
/* Free what s holds. */
void xl_mscan_free(xl_mscan *s);
/* The first pass: the sheet entry (x->sheet_path) scanned whole; its
 * ranges into x->merges when they could be read.  0 (also when the entry
 * is missing: the open says so), or -1 on an error of the entry (x->err). */
int xl_read_merges(xlsx *x, long max_row);

/* An error inside an expat handler: keep the first, stop the parser. */
void xl_herr(xlsx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "path: message" into x->err (err_set's convention); -1. */
int xl_fail(xlsx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Are a and b equal but for ASCII case? */
int xl_ascii_ieq(const char *a, const char *b);

/* The value of the attribute with local name `name`, or NULL. */
const char *xl_attr(const XML_Char **a, const char *name);

/* expat handlers that do nothing (end of an element, text). */
void XMLCALL xl_end_nothing(void *ud, const XML_Char *name);

/* Does s end with suffix? */
int xl_ends_with(const char *s, const char *suffix);

/* The shortest text strtod reads back as v (finite); out >= 32 bytes. */
size_t xl_fmt_double(double v, char *out);

/*
 * Serial date-time v of a cell with format kind `kind` as text in out
 * (>= 32 bytes): "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS", "HH:MM:SS" (a time
 * format and a value below one day).  Returns the length, or 0 when v is
 * not a date Excel can show (negative, after 9999-12-31).
 */
size_t xl_fmt_serial(double v, int date1904, int kind, char *out);

/* Forget the relationships read last. */
void xl_free_rels(xlsx *x);

/* The value of hex digit c, or -1. */
int xl_hexval(int c);

/* The local part of an element or attribute name. */
const char *xl_local(const XML_Char *n);

/* Make a parser calling back with x; NULL when out of memory. */
XML_Parser xl_new_parser(xlsx *x, XML_StartElementHandler s, XML_EndElementHandler e,
			 XML_CharacterDataHandler c);

/*
 * Parse the whole entry `name` with these handlers.  Returns 1 when
 * parsed, 0 when the archive has no such entry, -1 on error (x->err).
 */
int xl_parse_part(xlsx *x, const char *name, XML_StartElementHandler s,
		  XML_EndElementHandler e, XML_CharacterDataHandler c);

/* The relationship with that Id, or NULL. */
const rel *xl_rel_by_id(const xlsx *x, const char *id);

/* The first internal relationship whose Type ends with suffix, or NULL. */
const rel *xl_rel_by_type(const xlsx *x, const char *suffix);

/* Give the buffer of take_chunk back to the inflater (which refills it
 * once every reader of the ring has given it back). */
void xl_release_chunk(xlsx *x);

/* The .rels part of part `source`: "xl/_rels/workbook.xml.rels". */
int xl_rels_name(const char *source, char *out, size_t outlen);

/* The expat handler of a .rels part: its <Relationship>s into x->rels. */
void XMLCALL xl_rels_start(void *ud, const XML_Char *name, const XML_Char **a);

/*
 * The part name that `target` of the .rels of part `source` points to:
 * relative to source's folder, or from the root when it starts with '/';
 * "." and ".." resolved, %XX decoded.  0, or -1 when it does not fit or
 * climbs above the root.
 */
int xl_resolve(const char *source, const char *target, char *out, size_t outlen);

/* The sheet's expat handlers (xlsx_sheet.c): end of an element, start, text. */
void XMLCALL xl_sh_end(void *ud, const XML_Char *name);

void XMLCALL xl_sh_start(void *ud, const XML_Char *name, const XML_Char **a);

void XMLCALL xl_sh_text(void *ud, const XML_Char *s, int len);

/* Start the inflater on the open sheet entry; on any failure xlsx_next
 * inflates itself. */
void xl_start_inflater(xlsx *x);

/* End the inflater (if it runs) and wait for it; afterwards the zip state
 * is the caller's.  Buffers not parsed are dropped; an error among them
 * sets zfailed. */
void xl_stop_inflater(xlsx *x);

/* The next inflated buffer, in order (waits for it): its length (0 at
 * the end, -1 on an error in x->err); *buf until release_chunk. */
long xl_take_chunk(xlsx *x, unsigned char **buf);

void XMLCALL xl_text_nothing(void *ud, const XML_Char *s, int len);

/*
 * Decode OOXML's _xHHHH_ escapes (ST_Xstring: characters XML cannot hold,
 * "_x000D_" for CR, "_x005F_" for '_') in s[0..n), in place.  Surrogate
 * pairs are joined; a lone surrogate becomes U+FFFD; U+0000 is dropped.
 * Returns the new length.
 */
size_t xl_unescape_x(char *s, size_t n);

/* An XML error of parser p in the open entry, as text in buf. */
void xl_xml_msg(xlsx *x, XML_Parser p, char *buf, size_t len);

/* "1", "true" (xsd:boolean). */
int xl_xml_true(const char *v);

/* Close the open entry (if any). */
void xl_zent_close(xlsx *x);

/*
 * After an XML error: inflate the rest of the entry (within the limits) to
 * tell a damaged entry from bad XML.  Returns -1 with the entry's error in
 * x->err when it is damaged, else 0.
 */
int xl_zent_drain(xlsx *x);

/*
 * Open entry `name` (case-insensitive; '\\' in an entry's name reads as
 * '/', as some Windows tools write them).  Returns 1 when open, 0 when the
 * archive has no such entry, -1 on error (x->err).
 */
int xl_zent_open(xlsx *x, const char *name);

/*
 * Read up to len (<= INT_MAX) inflated bytes of the open entry into buf.
 * Returns the count, 0 at the end (size and CRC checked), -1 on error.
 */
long xl_zent_read(xlsx *x, unsigned char *buf, size_t len);

#endif
