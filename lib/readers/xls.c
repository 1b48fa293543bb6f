/*
 * xls.c - Excel 97-2003 (.xls) row reader on libfreexl; see xls.h.
 *
 * libfreexl loads the workbook at freexl_open and the chosen sheet's cells
 * at freexl_select_active_worksheet; xls_next then walks the sheet's grid
 * a row at a time (freexl_get_cell_value), turns each cell into text as
 * the .xlsx reader would, and hands the row out as a csvin_record whose
 * texts live in one buffer reused from row to row.
 *
 * Before libfreexl sees the file, it is opened as any input is
 * (cli_open_input: no FIFOs or devices), its size checked against
 * max_file and its first bytes against the OLE2 signature, so that those
 * refusals say what is wrong rather than libfreexl's generic codes.
 */
#include <errno.h>
#include <freexl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/readers/xls.h"
#include "lib/readers/xls_check.h"
#include "lib/readers/xlsx.h"
#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"

#define XLS_MAX_CELL (4LL << 20)
#define XLS_MAX_ROWMEM (64LL << 20)

static const unsigned char ole2_magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

struct xls {
	const void *h;          /* the libfreexl workbook */
	char *path;             /* the file, for messages */
	char *sheet;            /* the sheet's name */
	int date1904;           /* the workbook's date system is 1904 */
	unsigned rows;          /* the sheet's rows */
	unsigned short cols;    /* ... and columns */
	unsigned next_row;      /* the next row to read (0-based) */
	size_t max_cell;        /* xls_opts.max_cell (resolved) */
	size_t max_row;         /* xls_opts.max_row (resolved) */
	char *text;             /* the texts of the current row, each NUL-terminated */
	size_t text_cap;        /* text's capacity */
	size_t *offs;           /* each field's offset in text */
	size_t *lens;           /* each field's length */
	char **fields;          /* each field's pointer into text */
	csvin_record rec;       /* the record handed out */
	int done;               /* 0 reading, 1 at the end, -1 failed */
	char err[ERR_MAX];      /* the message after -1 */
};

/* libfreexl's error codes as reasons. */
static const char *freexl_reason(int rc)
{
	switch (rc) {
	case FREEXL_INSUFFICIENT_MEMORY:
		return "out of memory reading the workbook";
	case FREEXL_INVALID_CFBF_HEADER:
	case FREEXL_CFBF_INVALID_SIGNATURE:
	case FREEXL_CFBF_INVALID_SECTOR_SIZE:
		return "damaged OLE2 container header";
	case FREEXL_CFBF_READ_ERROR:
	case FREEXL_CFBF_SEEK_ERROR:
		return "truncated or damaged OLE2 container";
	case FREEXL_CFBF_EMPTY_FAT_CHAIN:
	case FREEXL_CFBF_ILLEGAL_FAT_ENTRY:
	case FREEXL_INVALID_MINI_STREAM:
	case FREEXL_CFBF_ILLEGAL_MINI_FAT_ENTRY:
		return "damaged OLE2 container (sector chains)";
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
		return "no workbook stream in the OLE2 container (an encrypted .xlsx, or not a "
		       "spreadsheet): save it as .xlsx or .xls without a password";
	case FREEXL_BIFF_INVALID_BOF:
		return "damaged workbook stream (bad BOF record)";
	case FREEXL_BIFF_INVALID_SST:
	case FREEXL_BIFF_ILLEGAL_SST_INDEX:
		return "damaged shared string table";
	case FREEXL_INVALID_CHARACTER:
		return "text not valid in the workbook's code page";
	case FREEXL_UNSUPPORTED_CHARSET:
		return "the workbook's code page is not supported";
	case FREEXL_ILLEGAL_RK_VALUE:
		return "damaged number cell (RK value)";
	case FREEXL_CRAFTED_FILE:
		return "severely damaged workbook (libfreexl refuses it as crafted)";
	default:
		return "unreadable workbook";
	}
}

/* The whole of the open file fd (st_size bytes) into *buf (free it):
 * 0, or -1. */
static int slurp(int fd, size_t size, unsigned char **buf, size_t *n)
{
	*buf = xmalloc(size ? size : 1);
	*n = 0;
	while (*n < size) {
		ssize_t k = read(fd, *buf + *n, size - *n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -1 : 0;
		*n += (size_t)k;
	}
	return 0;
}

/* Check what path is before libfreexl reads it (the file read whole, at
 * most max_file bytes): 0, or -1 with err. */
static int check_file(const char *path, const xls_opts *o, char *err, size_t errlen)
{
	long long max_file = o->max_file > 0 ? o->max_file : XLS_MAX_FILE;
	unsigned char *buf = NULL;
	struct stat st;
	size_t n = 0;
	int rc = 0, fd = cli_open_input(path, err, errlen);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		rc = err_set(err, errlen, "%s: cannot stat the file", path);
	else if ((long long)st.st_size > max_file)
		rc = err_set(err, errlen, "%s: the .xls file has %lld bytes, over the limit of %lld "
			     "(max_xls_bytes): save it as .xlsx", path, (long long)st.st_size, max_file);
	else if (slurp(fd, (size_t)st.st_size, &buf, &n) < 0)
		rc = err_set(err, errlen, "%s: cannot read the file: %s", path, strerror(errno));
	else if (n < sizeof ole2_magic || memcmp(buf, ole2_magic, sizeof ole2_magic) != 0)
		rc = err_set(err, errlen, "%s: not an .xls workbook (no OLE2 signature)", path);
	else if (n >= 512)
		rc = xls_check(buf, n, o->max_grid > 0 ? o->max_grid : XLS_MAX_GRID, path, err, errlen);
	free(buf);
	close(fd);
	return rc;
}

/* Refuse what libfreexl opened but vqr cannot read: 0 or -1 with err. */
static int check_book(xls *x, char *err, size_t errlen)
{
	unsigned v = 0;
	int rc = freexl_get_info(x->h, FREEXL_BIFF_SHEET_COUNT, &v);

	/* libfreexl 1.0.6 says FREEXL_OK at freexl_open even when it ran out
	 * of memory for the sheets' cells: the handle is then NULL, and
	 * errno (cleared before freexl_open) says ENOMEM */
	if ((!x->h || rc == FREEXL_NULL_HANDLE || rc == FREEXL_INVALID_HANDLE) && errno == ENOMEM)
		return err_set(err, errlen, "%s: the workbook does not fit in memory: libfreexl takes 16 bytes "
			       "for every cell of each sheet's declared range (limits.max_extract_memory_bytes); "
			       "save it as .xlsx", x->path);
	if (freexl_get_info(x->h, FREEXL_BIFF_PASSWORD, &v) == FREEXL_OK && v == FREEXL_BIFF_OBFUSCATED)
		return err_set(err, errlen, "%s: " XLS_ENCRYPTED, x->path);
	if (freexl_get_info(x->h, FREEXL_BIFF_VERSION, &v) != FREEXL_OK || v != FREEXL_BIFF_VER_8)
		return err_set(err, errlen, "%s: " XLS_NOT_BIFF8, x->path);
	if (freexl_get_info(x->h, FREEXL_BIFF_DATEMODE, &v) == FREEXL_OK)
		x->date1904 = v == FREEXL_BIFF_DATEMODE_1904;
	return 0;
}

/* The list of sheet names, for "no such sheet". */
static void sheet_list(const xls *x, unsigned n, char *out, size_t len)
{
	size_t k = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < n && k + 1 < len; i++) {
		const char *name = NULL;

		if (freexl_get_worksheet_name(x->h, (unsigned short)i, &name) != FREEXL_OK || !name)
			continue;
		k += (size_t)snprintf(out + k, len - k, "%s\"%s\"", k ? ", " : "", name);
	}
}

/* Select the sheet named `want` (NULL: the first): 0 or -1 with err. */
static int pick_sheet(xls *x, const char *want, char *err, size_t errlen)
{
	unsigned n = 0, pick = 0, ci = (unsigned)-1;
	const char *name = NULL;
	char names[1024];
	int rc;

	if (freexl_get_info(x->h, FREEXL_BIFF_SHEET_COUNT, &n) != FREEXL_OK || n == 0)
		return err_set(err, errlen, "%s: the workbook has no worksheet", x->path);
	if (want) {
		for (pick = 0; pick < n; pick++) {
			if (freexl_get_worksheet_name(x->h, (unsigned short)pick, &name) != FREEXL_OK || !name)
				continue;
			if (strcmp(name, want) == 0)
				break;
			if (ci == (unsigned)-1 && strcasecmp(name, want) == 0)
				ci = pick;
		}
		if (pick == n && (pick = ci) == (unsigned)-1) {
			sheet_list(x, n, names, sizeof names);
			return err_set(err, errlen, "%s: no sheet named \"%s\" (the sheets: %s)",
				       x->path, want, names);
		}
	}
	if ((rc = freexl_select_active_worksheet(x->h, (unsigned short)pick)) != FREEXL_OK ||
	    (rc = freexl_worksheet_dimensions(x->h, &x->rows, &x->cols)) != FREEXL_OK)
		return err_set(err, errlen, "%s: sheet %u: %s", x->path, pick + 1, freexl_reason(rc));
	if (freexl_get_worksheet_name(x->h, (unsigned short)pick, &name) != FREEXL_OK || !name)
		name = "";
	x->sheet = xstrdup(name);
	return 0;
}

xls *xls_open(const char *path, const xls_opts *opts, char *errbuf, size_t errlen)
{
	static const xls_opts none;
	char tmp[ERR_MAX];
	xls *x;
	int rc;

	if (!errbuf) {
		errbuf = tmp;
		errlen = sizeof tmp;
	}
	if (!opts)
		opts = &none;
	if (check_file(path, opts, errbuf, errlen) < 0)
		return NULL;
	x = xcalloc(1, sizeof *x);
	x->path = xstrdup(path);
	x->max_cell = (size_t)(opts->max_cell > 0 ? opts->max_cell : XLS_MAX_CELL);
	x->max_row = (size_t)(opts->max_row > 0 ? opts->max_row : XLS_MAX_ROWMEM);
	errno = 0;
	if ((rc = freexl_open(path, &x->h)) != FREEXL_OK) {
		err_set(errbuf, errlen, "%s: %s", path, freexl_reason(rc));
		xls_close(x);
		return NULL;
	}
	if (check_book(x, errbuf, errlen) < 0 || pick_sheet(x, opts->sheet, errbuf, errlen) < 0) {
		xls_close(x);
		return NULL;
	}
	x->offs = xcalloc(x->cols ? x->cols : 1, sizeof *x->offs);
	x->lens = xcalloc(x->cols ? x->cols : 1, sizeof *x->lens);
	x->fields = xcalloc(x->cols ? x->cols : 1, sizeof *x->fields);
	return x;
}

/* Fail the reader with "path: sheet NAME row R column C: msg" (row and
 * col 0-based; C in letters). */
static int fail_at(xls *x, unsigned row, unsigned col, const char *msg)
{
	char rev[8], ref[8];
	int n = 0, k = 0;

	for (unsigned c = col + 1; c > 0 && n < 7; c = (c - 1) / 26)
		rev[n++] = (char)('A' + (c - 1) % 26);
	while (n > 0)
		ref[k++] = rev[--n];
	ref[k] = '\0';
	err_set(x->err, sizeof x->err, "%s: sheet %s row %u column %s: %s", x->path, x->sheet,
		row + 1, ref, msg);
	x->done = -1;
	return -1;
}

/* The text of a date or time cell as the .xlsx reader gives it: a
 * date-time at midnight is its date. */
static size_t date_text(const FreeXL_CellValue *v, const char **s)
{
	size_t n = strlen(v->value.text_value);

	*s = v->value.text_value;
	if (v->type == FREEXL_CELL_DATETIME && n == 19 && strcmp(*s + 10, " 00:00:00") == 0)
		n = 10;
	return n;
}

/* Cell (row, col)'s text: its length, *s pointing at it (buf or
 * libfreexl's), or -1 when libfreexl cannot read it (the reader failed). */
static long cell_text(xls *x, unsigned row, unsigned col, char *buf, const char **s)
{
	FreeXL_CellValue v;
	int rc = freexl_get_cell_value(x->h, row, (unsigned short)col, &v);

	*s = buf;
	if (rc != FREEXL_OK)
		return fail_at(x, row, col, freexl_reason(rc));
	switch (v.type) {
	case FREEXL_CELL_INT:
		return snprintf(buf, 32, "%d", v.value.int_value);
	case FREEXL_CELL_DOUBLE:
		return (long)xlsx_fmt_number(v.value.double_value, buf);
	case FREEXL_CELL_TEXT:
	case FREEXL_CELL_SST_TEXT:
		*s = v.value.text_value ? v.value.text_value : "";
		return (long)strlen(*s);
	case FREEXL_CELL_DATE:
	case FREEXL_CELL_DATETIME:
	case FREEXL_CELL_TIME:
		if (!v.value.text_value)
			break;
		return (long)date_text(&v, s);
	default:
		break;
	}
	buf[0] = '\0';
	return 0;
}

/* Read row `row` into the record: its number of fields (0 when empty), or
 * -1 when the reader failed. */
static long read_row(xls *x, unsigned row)
{
	size_t used = 0, nf = 0;
	char buf[64];

	for (unsigned c = 0; c < x->cols; c++) {
		const char *s;
		long n = cell_text(x, row, c, buf, &s);

		if (n < 0)
			return -1;
		if ((size_t)n > x->max_cell)
			return fail_at(x, row, c, "the cell's text is over the limit (max_field_bytes)");
		if (used + (size_t)n + 1 > x->max_row)
			return fail_at(x, row, c, "the row's cells hold more than the limit (max_record_bytes)");
		if (used + (size_t)n + 1 > x->text_cap)
			xgrow((void **)&x->text, &x->text_cap, used + (size_t)n + 1, 1);
		memcpy(x->text + used, s, (size_t)n);
		x->text[used + (size_t)n] = '\0';
		x->offs[c] = used;
		x->lens[c] = (size_t)n;
		used += (size_t)n + 1;
		if (n > 0)
			nf = c + 1;
	}
	for (size_t i = 0; i < nf; i++)
		x->fields[i] = x->text + x->offs[i];
	return (long)nf;
}

int xls_next(xls *x, const csvin_record **rec)
{
	while (x->done == 0 && x->next_row < x->rows) {
		unsigned row = x->next_row++;
		long nf = read_row(x, row);

		if (nf < 0)
			break;
		if (nf == 0)
			continue;
		x->rec.nfields = (size_t)nf;
		x->rec.fields = x->fields;
		x->rec.lens = x->lens;
		x->rec.line = (long)row + 1;
		x->rec.offset = 0;
		x->rec.raw_offset = 0;
		*rec = &x->rec;
		return 1;
	}
	if (x->done == 0)
		x->done = 1;
	return x->done > 0 ? 0 : -1;
}

const char *xls_error(const xls *x)
{
	return x->err;
}

size_t xls_sheet_count(const xls *x)
{
	unsigned n = 0;

	return freexl_get_info(x->h, FREEXL_BIFF_SHEET_COUNT, &n) == FREEXL_OK ? n : 0;
}

const char *xls_sheet_name(const xls *x, size_t i)
{
	const char *name = NULL;

	if (i >= xls_sheet_count(x) || freexl_get_worksheet_name(x->h, (unsigned short)i, &name) != FREEXL_OK)
		return NULL;
	return name ? name : "";
}

const char *xls_sheet(const xls *x)
{
	return x->sheet ? x->sheet : "";
}

int xls_date1904(const xls *x)
{
	return x->date1904;
}

void xls_close(xls *x)
{
	if (!x)
		return;
	if (x->h)
		freexl_close(x->h);
	FREE_ALL(x->path, x->sheet, x->text, x->offs, x->lens, x->fields);
	free(x);
}
