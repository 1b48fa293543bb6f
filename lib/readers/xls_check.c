/*
 * xls_check.c - an .xls file checked before libfreexl 1.0.6 reads it; see
 * xls_check.h.
 *
 * The workbook stream is walked record by record as libfreexl's first pass
 * walks it (parse_biff_record), with a copy of its 8224-byte record buffer
 * (a short record leaves the previous one's bytes after it, and libfreexl
 * reads its fixed fields from there), its sheet list and active sheet, and
 * its reading of the shared string table.  Where libfreexl fails the open
 * by itself, the walk may go on: it then checks more than libfreexl reads,
 * never less.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/readers/cfb.h"
#include "lib/readers/xls_check.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"

#define REC_MAX 8224                    /* libfreexl's record buffer */
#define GRID_MAX (256.0 * 1024 * 1024)  /* libfreexl's limit on one grid, in bytes */
#define CELL_BYTES 16                   /* libfreexl's cell */

/* A little-endian 16- and 32-bit number. */
static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

/*
 * The directory entries libfreexl reads: 0, or -1 with err.  libfreexl
 * (get_workbook_stream) reads the container's first directory sector into
 * a 4096-byte buffer on its stack and converts each entry's name with the
 * length the entry declares (up to 65535 bytes) from the entry's 64-byte
 * name field, so a length over 64 makes it read past its stack.  The
 * sector is found as libfreexl finds it: (start + 1) * sector size, in 32
 * bits.  What libfreexl refuses by itself (a bad sector size, a sector
 * past the end) is left to it.
 */
static int check_directory(const unsigned char *buf, size_t n, const char *path, char *err, size_t errlen)
{
	unsigned shift = le16(buf + 0x1E);
	uint32_t size = shift == 12 ? 4096 : 512;
	uint32_t where = (le32(buf + 0x30) + 1) * size;

	if ((shift != 9 && shift != 12) || (size_t)where + size > n)
		return 0;
	for (uint32_t i = 0; i < size / 128; i++) {
		unsigned k = le16(buf + where + i * 128 + 64);

		if (k > 64)
			return err_set(err, errlen, "%s: damaged OLE2 container: directory entry %u "
				       "declares a name of %u bytes (at most 64)", path, i, k);
	}
	return 0;
}

/* Whether libfreexl reads sector s of a file of n bytes whole: it seeks
 * to (s + 1) * size, in 32 bits. */
static int readable(uint32_t s, uint32_t size, size_t n)
{
	return (size_t)(uint32_t)((s + 1) * size) + size <= n;
}

/*
 * The FAT sectors libfreexl reads (read_cfbf_header: those of the
 * header's 109 slots, then those of the DIFAT chain, for as many sectors
 * as the header says, without noticing a loop), counted before it reads
 * them: 0, or -1 with err when they are more than a file of n bytes can
 * need.  libfreexl keeps a list node for each of their entries, so a
 * looping DIFAT chain takes gigabytes (and a chain of empty DIFAT
 * sectors as many reads as the header's 32-bit count).  Where libfreexl
 * fails the open by itself (a sector past the end) the count stops.
 */
static int check_fat(const unsigned char *buf, size_t n, const char *path, char *err, size_t errlen)
{
	unsigned shift = le16(buf + 0x1E);
	uint32_t size = shift == 12 ? 4096 : 512, per = size / 4, d = le32(buf + 0x44);
	uint64_t nsect = n / size, reads = 0, most = 109 + nsect / per + 1;

	if (shift != 9 && shift != 12)
		return 0;
	for (int i = 0; i < 109; i++) {
		uint32_t s = le32(buf + 0x4C + i * 4);

		if (s != 0xFFFFFFFFu && !readable(s, size, n))
			return 0;
		reads += s != 0xFFFFFFFFu;
	}
	for (uint64_t blocks = 1; le32(buf + 0x48) > 0; blocks++) {
		const unsigned char *p = buf + (uint32_t)((d + 1) * size);
		int end = 0;

		if (blocks > nsect)
			return err_set(err, errlen, "%s: damaged OLE2 container: the DIFAT chain is longer "
				       "than the file's %llu sectors (it loops)", path,
				       (unsigned long long)nsect);
		if (!readable(d, size, n))
			return 0;
		for (uint32_t i = 0; i < per && !end; i++) {
			uint32_t v = le32(p + i * 4);

			if (v == 0xFFFFFFFEu)
				end = 1;
			else if (i == per - 1)
				d = v;
			else if (v != 0xFFFFFFFFu && !readable(v, size, n))
				return 0;
			else if (v != 0xFFFFFFFFu && ++reads > most)
				return err_set(err, errlen, "%s: damaged OLE2 container: the DIFAT names "
					       "more than %llu FAT sectors, more than the file's %llu sectors "
					       "need (its chain loops)", path, (unsigned long long)most - 1,
					       (unsigned long long)nsect);
		}
		if (blocks == le32(buf + 0x48) || end)
			break;
	}
	return 0;
}

/* The largest row and column (each plus one) a cell record of a sheet
 * names, into *row and *col: cell records start with their row and
 * column; MULRK and MULBLANK end with their last column.  A superset of
 * the records by which libfreexl sizes a sheet without DIMENSIONS. */
static void biff_cell(unsigned type, const unsigned char *b, unsigned len, uint32_t *row, uint32_t *col)
{
	uint32_t c;

	switch (type) {
	case 0x0006: case 0x00FD: case 0x0201: case 0x0203: case 0x0204: case 0x0205: case 0x027E:
	case 0x00BD: case 0x00BE: case 0x00D6: case 0x0406:
		c = (type == 0x00BD || type == 0x00BE) ? le16(b + len - 2) : le16(b + 2);
		*row = le16(b) + 1u > *row ? le16(b) + 1u : *row;
		*col = c + 1 > *col ? c + 1 : *col;
	}
}

/*
 * What libfreexl reads of the shared string table, mirrored (parse_SST:
 * the SST record, then each CONTINUE after it).  It reads a string's
 * header and text without comparing them with the record's size: a
 * declared length past the record reads past its record buffer.  The
 * mirror follows its arithmetic, quirks included (the bytes a string's
 * rich-text runs and phonetic data take in the next record are skipped by
 * one path and not by the other), so that it reads what libfreexl reads.
 */
typedef struct biff_sst {
	int started;            /* the SST record was read (libfreexl's table allocated) */
	int stopped;            /* libfreexl gives up there: the open fails */
	uint32_t count;         /* strings the SST declares */
	uint32_t index;         /* the next string */
	uint32_t len;           /* characters of the string split between records (0: none) */
	uint32_t off;           /* ... of them already read */
	uint32_t skip;          /* rich-text and phonetic bytes after the current string */
	uint32_t next_skip;     /* bytes libfreexl skips at the start of the next string */
} biff_sst;

/* The header of a BIFF8 string's text at r + p (the option byte, then a
 * run count and an extension size when it says so), read as libfreexl's
 * get_unicode_params reads it: the header's size, or 0 when it does not
 * lie within the record's rs bytes. */
static uint32_t ustr_head(const unsigned char *r, uint64_t p, uint32_t rs, int *utf16, uint32_t *extra)
{
	uint32_t k = 1, runs = 0, ext = 0;

	if (p >= rs)
		return 0;
	if (r[p] & 0x08) {
		if (p + k + 2 > rs)
			return 0;
		runs = le16(r + p + k);
		k += 2;
	}
	if (r[p] & 0x04) {
		if (p + k + 4 > rs)
			return 0;
		ext = le32(r + p + k);
		k += 4;
	}
	*utf16 = r[p] & 0x01;
	*extra = ext + runs * 4;
	return k;
}

/* The SST or CONTINUE record in r (rs bytes) as libfreexl's parse_SST
 * reads it: 0, or -1 when it would read past the record. */
static int sst_record(biff_sst *s, const unsigned char *r, uint32_t rs)
{
	uint64_t p = 0;

	if (s->stopped)
		return 0;
	if (!s->started) {
		s->count = le32(r + 4);
		if (s->count > 1024 * 1024) {
			s->stopped = 1;
			return 0;
		}
		s->started = 1;
		p = 8;
	} else if (s->len > 0) {
		/* the rest of the string split at the previous record's end */
		uint32_t n = s->len - s->off;

		if (!(r[0] & 0x01) && 1 + (uint64_t)n > rs) {
			s->stopped = 1; /* libfreexl checks this case itself */
			return 0;
		}
		if ((r[0] & 0x01) && 1 + 2 * (uint64_t)n > rs)
			return -1;
		p = 1 + ((r[0] & 0x01) ? 2 * (uint64_t)n : n) + s->skip;
		s->skip = p >= rs ? (uint32_t)(p - rs) : 0;
		s->next_skip = 0;
		s->len = s->off = 0;
		s->index++;
	}
	for (; s->index < s->count; s->index++) {
		uint32_t k, len, extra, avail;
		uint64_t need;
		int utf16;

		if ((uint32_t)p >= rs)
			return 0;
		p += s->next_skip;
		if (p + 2 > rs)
			return -1;
		len = le16(r + p);
		p += 2;
		if (!(k = ustr_head(r, p, rs, &utf16, &extra)))
			return -1;
		p += k;
		s->skip = extra;
		s->next_skip = s->off = 0;
		s->len = len;
		need = utf16 ? 2 * (uint64_t)len : len;
		avail = rs - (uint32_t)p;
		if (need > avail) {
			s->off = utf16 ? avail / 2 : avail;
			return 0;
		}
		if (len == 0) {
			s->stopped = 1;
			return 0;
		}
		p += need + s->skip;
		s->next_skip = p >= rs ? (uint32_t)(p - rs) : 0;
		s->len = s->off = s->skip = 0;
	}
	return 0;
}

/* A FORMAT or LABEL record in r (rs bytes): 1 when its string, whose
 * length is at r + at and text after it, lies within the record, as
 * libfreexl reads it without checking. */
static int ustr_fits(const unsigned char *r, uint32_t rs, uint32_t at)
{
	uint32_t k, extra;
	int utf16;

	if (at + 2 > rs || !(k = ustr_head(r, at + 2, rs, &utf16, &extra)))
		return 0;
	return at + 2 + k + (utf16 ? 2 * (uint64_t)le16(r + at) : le16(r + at)) <= rs;
}

/* A sheet as libfreexl keeps it (biff_sheet). */
typedef struct biff_sheet {
	uint32_t offset;        /* its BOF's offset in the stream (BOUNDSHEET) */
	uint32_t rows;          /* its rows: declared, or the largest row of its cells plus one */
	uint32_t cols;          /* ... and columns */
	int valid;              /* sized by a DIMENSIONS record, or at the end of the pass */
} biff_sheet;

/* What biff_walk found wrong. */
enum biff_fault {
	BIFF_OK,
	BIFF_NOT8,              /* the first BOF is not BIFF8's */
	BIFF_ENCRYPTED,         /* a FILEPASS record */
	BIFF_DIMENSIONS,        /* a sheet has two DIMENSIONS records */
	BIFF_EMBEDDED,          /* a substream (an embedded chart) inside a sheet */
	BIFF_STRING,            /* a string past its record (FORMAT, LABEL) */
	BIFF_SST                /* the shared strings past their records */
};

/* Each fault's reason (a %zu: the offending record's offset). */
static const char *const fault_text[] = {
	[BIFF_NOT8] = XLS_NOT_BIFF8,
	[BIFF_ENCRYPTED] = XLS_ENCRYPTED,
	[BIFF_DIMENSIONS] = "damaged workbook stream: a sheet has two DIMENSIONS records (the second "
			    "at byte %zu of the workbook stream)",
	[BIFF_EMBEDDED] = "a sheet holds an embedded chart or object (a substream at byte %zu of the "
			  "workbook stream), which libfreexl cannot read past: save it as .xlsx, or "
			  "move the chart to a sheet of its own",
	[BIFF_STRING] = "damaged workbook stream: the record at byte %zu of the workbook stream "
			"declares a text longer than the record",
	[BIFF_SST] = "the shared string table (record at byte %zu of the workbook stream) is damaged, "
		     "or has a text that continues over more than two records, which libfreexl cannot "
		     "read safely: save it as .xlsx",
};

/* The walk's state: libfreexl's, as far as the checks need it. */
typedef struct biff_walk {
	unsigned char rec[REC_MAX];     /* libfreexl's record buffer (zeroed at the start) */
	biff_sheet *sheets;             /* the BOUNDSHEET records' sheets (owned) */
	size_t nsheets;                 /* ... how many */
	long active;                    /* the active sheet's index, or -1 */
	int ok_bof;                     /* -1 before the first BOF, 0 after an EOF, 1 in a substream */
	unsigned prev;                  /* the last record's type that is not CONTINUE */
	biff_sst sst;                   /* the shared string table read so far */
	double cells;                   /* the cells of the grids allocated so far */
} biff_walk;

/* libfreexl's allocate_cells for sheet h: 0, or -1 when it refuses the
 * grid (over 256 MiB), which fails the open. */
static int grid_alloc(biff_walk *b, const biff_sheet *h)
{
	double cells = (double)h->rows * h->cols;

	if (CELL_BYTES * cells > GRID_MAX)
		return -1;
	b->cells += cells;
	return 0;
}

/* One record (type, its rs bytes in b->rec) as libfreexl's first pass
 * takes it: BIFF_OK, a fault, or -1 when libfreexl fails the open there
 * (in *stop). */
static enum biff_fault walk_record(biff_walk *b, uint32_t at, unsigned type, uint32_t rs, int *stop)
{
	const unsigned char *r = b->rec;
	biff_sheet *h = b->active >= 0 ? &b->sheets[b->active] : NULL;

	if (type == 0x003C)                                     /* CONTINUE */
		return b->prev == 0x00FC && sst_record(&b->sst, r, rs) < 0 ? BIFF_SST : BIFF_OK;
	b->prev = type;
	if (b->ok_bof == -1) {
		if (type != 0x0809)
			*stop = 1;
		else if (le16(r) != 0x0600)
			return BIFF_NOT8;
		b->ok_bof = 1;
		return BIFF_OK;
	}
	if (b->ok_bof == 0) {
		if (type != 0x0809) {
			*stop = 1;
			return BIFF_OK;
		}
		b->ok_bof = 1;
		b->active = -1;
		for (size_t i = 0; i < b->nsheets && b->active < 0; i++)
			if (b->sheets[i].offset == at)
				b->active = (long)i;
		return BIFF_OK;
	}
	if (type == 0x0204 && !ustr_fits(r, rs, 6))            /* LABEL */
		return BIFF_STRING;
	switch (type) {
	case 0x0809:                                            /* BOF inside a substream */
		return BIFF_EMBEDDED;
	case 0x000A:                                            /* EOF */
		b->ok_bof = 0;
		break;
	case 0x00FC:                                            /* SST */
		return sst_record(&b->sst, r, rs) < 0 ? BIFF_SST : BIFF_OK;
	case 0x002F:                                            /* FILEPASS */
		return BIFF_ENCRYPTED;
	case 0x0085:                                            /* BOUNDSHEET */
		if (r[6] == 0) {
			*stop = 1;
			break;
		}
		b->sheets = xreallocarray(b->sheets, b->nsheets + 1, sizeof *b->sheets);
		b->sheets[b->nsheets++] = (biff_sheet){ .offset = le32(r) };
		break;
	case 0x0200:                                            /* DIMENSIONS */
		if (!h)
			break;
		if (h->valid)
			return BIFF_DIMENSIONS;
		h->rows = le32(r + 4);
		h->cols = le16(r + 10);
		if (grid_alloc(b, h) < 0)
			*stop = 1;
		h->valid = 1;
		break;
	case 0x041E:                                            /* FORMAT */
		return ustr_fits(r, rs, 2) ? BIFF_OK : BIFF_STRING;
	default:
		if (h && !h->valid)
			biff_cell(type, r, rs < 6 ? 6 : rs, &h->rows, &h->cols);
	}
	return BIFF_OK;
}

/* The end of libfreexl's first pass: each sheet without DIMENSIONS is
 * sized by its cells, and a grid allocated for it, of the active sheet's
 * size (libfreexl 1.0.6 allocates for the active sheet, not for that
 * one, so a workbook of sheets without DIMENSIONS takes the active
 * sheet's grid once for each). */
static void walk_end(biff_walk *b)
{
	for (size_t i = 0; i < b->nsheets; i++) {
		biff_sheet *h = &b->sheets[i];

		if (h->valid)
			continue;
		h->rows = h->rows ? h->rows : 1;
		h->cols = h->cols ? h->cols : 1;
		if (b->active < 0 || grid_alloc(b, &b->sheets[b->active]) < 0)
			return;
		h->valid = 1;
	}
}

/*
 * The workbook stream w (n bytes; mini: read from the mini stream) walked
 * record by record as libfreexl walks it at freexl_open, before it does:
 * a fault, with the offending record's offset in *at, or BIFF_OK with the
 * cells of the grids libfreexl allocates in *cells.
 *
 * A sheet with two DIMENSIONS records is refused: libfreexl then allocates
 * the grid again, and when that fails it frees the first grid as if it
 * had the second's size.  So is a BOF inside a substream (an embedded
 * chart): libfreexl ignores it, takes the chart's records for the
 * sheet's, and stops parsing at the chart's EOF.  A FILEPASS (encryption) is refused, as libfreexl
 * goes on parsing the encrypted records after it.  libfreexl's pass ends
 * at the end of the stream, at a record cut off by it, at a record of
 * type 0 and size 0 or one longer than its buffer (mini stream: it fails
 * the open at a record cut off or of 8192 bytes or more).
 */
static enum biff_fault walk_stream(const unsigned char *w, size_t n, int mini, double *cells, size_t *at)
{
	biff_walk *b = xcalloc(1, sizeof *b);
	enum biff_fault f = BIFF_OK;
	int stop = 0;
	size_t pos = 0;

	*at = 0;
	b->active = -1;
	b->ok_bof = -1;
	for (; pos + 4 <= n && f == BIFF_OK && !stop; pos += 4 + le16(w + pos + 2)) {
		unsigned type = le16(w + pos), len = le16(w + pos + 2);

		*at = pos;
		if (mini && (len >= 8192 || pos + 4 + len > n))
			stop = 1;
		else if (!mini && ((type == 0 && len == 0) || len > REC_MAX || pos + 4 + len > n))
			break;
		else {
			memcpy(b->rec, w + pos + 4, len);
			f = walk_record(b, (uint32_t)pos, type, len, &stop);
		}
	}
	if (f == BIFF_OK && !stop)
		walk_end(b);
	*cells = b->cells;
	free(b->sheets);
	free(b);
	return f;
}

int xls_check(const unsigned char *buf, size_t n, long long max_grid, const char *path, char *err,
	      size_t errlen)
{
	static const char *const names[] = { "Workbook", "Book", NULL };
	cfb_stream w;
	double cells;
	size_t at = 0;
	enum biff_fault f;

	if (check_fat(buf, n, path, err, errlen) < 0 || check_directory(buf, n, path, err, errlen) < 0)
		return -1;
	if (cfb_read(buf, n, names, &w) != 1)
		return 0;
	if (w.mini_size > n) {
		err_set(err, errlen, "%s: damaged OLE2 container: the root entry declares a mini stream "
			"of %zu bytes in a file of %zu", path, w.mini_size, n);
		cfb_stream_free(&w);
		return -1;
	}
	if (w.beyond > 0) {
		/* libfreexl reads on along the chain past the size (bytes this
		 * check does not see), and two sectors past it its end of the
		 * data in the sector buffer (16 bits) wraps */
		err_set(err, errlen, "%s: damaged OLE2 container: the sector chain of the workbook "
			"stream goes on past its %zu bytes", path, w.size);
		cfb_stream_free(&w);
		return -1;
	}
	if (w.len < w.size) {
		err_set(err, errlen, "%s: damaged OLE2 container: the sector chain of the workbook "
			"stream ends after %zu of its %zu bytes", path, w.len, w.size);
		cfb_stream_free(&w);
		return -1;
	}
	f = walk_stream(w.data, w.len, w.mini, &cells, &at);
	cfb_stream_free(&w);
	if (f != BIFF_OK) {
		char what[ERR_MAX];

		snprintf(what, sizeof what, fault_text[f], at);
		return err_set(err, errlen, "%s: %s", path, what);
	}
	if (CELL_BYTES * cells > (double)max_grid)
		return err_set(err, errlen, "%s: the workbook's sheets declare %.0f cells (each sheet's "
			       "rows x columns), for which libfreexl would take %.0f MiB, over the limit "
			       "of %lld MiB: save it as .xlsx", path, cells, CELL_BYTES * cells / (1 << 20),
			       max_grid >> 20);
	return 0;
}
