/*
 * test_xlsx.c - unit tests of the streaming .xlsx reader (lib/readers/xlsx.c).
 *
 * Most workbooks are built here with minizip's zip writer, part by part,
 * so each test shows the XML it reads; raw entries (zipCloseFileInZipRaw)
 * give lying sizes, bad CRCs and truncated deflate streams.  Two
 * workbooks written by openpyxl (tests/data/xlsx, see make_workbooks.py)
 * check the reader on a real writer's output.
 *
 * Every sheet is read whole into one text, a row per line, "ROW:f1|f2|..."
 * (an error adds "ERROR: message"), and compared with the expected text.
 * While reading, the record invariants are checked on every row.
 */
#include "lib/readers/reader.h"
#include "lib/readers/xlsx.h"
#include "lib/readers/xlsxpar.h"
#include "tests/unit/tap.h"

#include <dirent.h>
#include <errno.h>
#include <minizip/zip.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_R    "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG  "http://schemas.openxmlformats.org/package/2006/relationships"
#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

/* A worksheet part around the given <row>s. */
#define SHEET(rows) XMLDECL "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_R "\">" \
	"<sheetData>" rows "</sheetData></worksheet>"

static char tmpdir[256];
static int invariant_bad;       /* rows that broke a record invariant */

static void bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- building workbooks ---- */

typedef struct part {
	const char *name;       /* entry name */
	const char *data;       /* content, NUL-terminated (NULL ends a list) */
} part;

static void zip_add(zipFile zf, const char *name, const void *data, size_t len, int method)
{
	zip_fileinfo zi;

	memset(&zi, 0, sizeof zi);
	if (zipOpenNewFileInZip64(zf, name, &zi, NULL, 0, NULL, 0, NULL, method,
				  method ? 6 : 0, 0) != ZIP_OK ||
	    (len > 0 && zipWriteInFileInZip(zf, data, (unsigned)len) != ZIP_OK) ||
	    zipCloseFileInZip(zf) != ZIP_OK)
		bail("zip_add");
}

/* An entry written raw: comp as stored, declared size and CRC as given. */
static void zip_add_raw(zipFile zf, const char *name, const void *comp, size_t clen,
			int method, unsigned long usize, unsigned long crc)
{
	zip_fileinfo zi;

	memset(&zi, 0, sizeof zi);
	if (zipOpenNewFileInZip2(zf, name, &zi, NULL, 0, NULL, 0, NULL, method, 6, 1) != ZIP_OK ||
	    (clen > 0 && zipWriteInFileInZip(zf, comp, (unsigned)clen) != ZIP_OK) ||
	    zipCloseFileInZipRaw(zf, usize, crc) != ZIP_OK)
		bail("zip_add_raw");
}

/* Raw deflate of data (malloc'd, *clen set). */
static unsigned char *deflate_raw(const void *data, size_t len, size_t *clen)
{
	z_stream zs;
	unsigned char *out;
	size_t cap;

	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		bail("deflateInit2");
	cap = deflateBound(&zs, len);
	if (!(out = malloc(cap)))
		bail("malloc");
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		bail("deflate");
	*clen = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

static zipFile zip_new(const char *path)
{
	zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);

	if (!zf)
		bail(path);
	return zf;
}

static void zip_done(zipFile zf)
{
	if (zipClose(zf, NULL) != ZIP_OK)
		bail("zipClose");
}

static void zip_parts(zipFile zf, const part *p)
{
	for (; p->name; p++)
		zip_add(zf, p->name, p->data, strlen(p->data), Z_DEFLATED);
}

/* A path in the temp dir. */
static const char *tpath(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

static const char ROOT_RELS[] = XMLDECL
	"<Relationships xmlns=\"" NS_PKG "\">"
	"<Relationship Id=\"rId1\" Type=\"" NS_R "/officeDocument\" Target=\"xl/workbook.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"" NS_R "/extended-properties\" Target=\"docProps/app.xml\"/>"
	"</Relationships>";

/* A workbook with one sheet "Sheet1" (sheet1.xml) and optional shared
 * strings and styles. */
static const char WB_ONE[] = XMLDECL
	"<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_R "\"><sheets>"
	"<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char WB_ONE_RELS[] = XMLDECL
	"<Relationships xmlns=\"" NS_PKG "\">"
	"<Relationship Id=\"rId1\" Type=\"" NS_R "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"" NS_R "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
	"<Relationship Id=\"rId3\" Type=\"" NS_R "/styles\" Target=\"styles.xml\"/>"
	"</Relationships>";

/* Shared strings of the main workbook, by index:
 *  0 姓名   1 学号   2 rich text "Hello World"   3 東京 with a phonetic run
 *  4 entities   5 _x000D_ escape   6 ""   7 preserved spaces
 *  8 the title   9 an escaped escape */
static const char SST[] = XMLDECL
	"<sst xmlns=\"" NS_MAIN "\" count=\"12\" uniqueCount=\"10\">"
	"<si><t>姓名</t></si>"
	"<si><t>学号</t></si>"
	"<si><r><t xml:space=\"preserve\">Hello </t></r><r><rPr><b/><sz val=\"11\"/></rPr><t>World</t></r></si>"
	"<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh><phoneticPr fontId=\"1\"/></si>"
	"<si><t>A&amp;B &lt;C&gt; &#x4E2D;</t></si>"
	"<si><t>line1_x000D_\nline2</t></si>"
	"<si><t/></si>"
	"<si><t xml:space=\"preserve\"> 两边 </t></si>"
	"<si><t>2023届毕业生去向登记表</t></si>"
	"<si><t>a_x005F_x000D_b</t></si>"
	"</sst>";

/* Styles: the cellXfs index is the s attribute of a cell.
 *  0 General  1 id 14  2 yyyy"年"m"月"d"日"  3 0.00_);[Red]\(0.00\)  4 h:mm:ss
 *  5 id 22  6 "day"0  7 [h]:mm  8 id 31 (zh-CN date)  9 id 2 (0.00)  10 id 20
 *  11 [$-804]yyyy/m/d;@  12 mmm  13 h"时"mm"分"
 * The dxf's numFmt must not count. */
static const char STYLES[] = XMLDECL
	"<styleSheet xmlns=\"" NS_MAIN "\"><numFmts count=\"8\">"
	"<numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
	"<numFmt numFmtId=\"165\" formatCode=\"0.00_);[Red]\\(0.00\\)\"/>"
	"<numFmt numFmtId=\"166\" formatCode=\"h:mm:ss\"/>"
	"<numFmt numFmtId=\"168\" formatCode=\"&quot;day&quot;0\"/>"
	"<numFmt numFmtId=\"169\" formatCode=\"[h]:mm\"/>"
	"<numFmt numFmtId=\"170\" formatCode=\"[$-804]yyyy/m/d;@\"/>"
	"<numFmt numFmtId=\"171\" formatCode=\"mmm\"/>"
	"<numFmt numFmtId=\"172\" formatCode=\"h&quot;时&quot;mm&quot;分&quot;\"/>"
	"</numFmts>"
	"<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
	"<cellXfs count=\"14\">"
	"<xf numFmtId=\"0\" fontId=\"0\"/><xf numFmtId=\"14\" applyNumberFormat=\"1\"/>"
	"<xf numFmtId=\"164\"/><xf numFmtId=\"165\"/><xf numFmtId=\"166\"/><xf numFmtId=\"22\"/>"
	"<xf numFmtId=\"168\"/><xf numFmtId=\"169\"/><xf numFmtId=\"31\"/><xf numFmtId=\"2\"/>"
	"<xf numFmtId=\"20\"/><xf numFmtId=\"170\"/><xf numFmtId=\"171\"/><xf numFmtId=\"172\"/>"
	"</cellXfs>"
	"<dxfs count=\"1\"><dxf><numFmt numFmtId=\"9\" formatCode=\"yyyy\"/></dxf></dxfs>"
	"</styleSheet>";

/* The part names of a one-sheet workbook, as Excel writes them. */
static const char *const PARTS_ONE[] = {
	"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
	"xl/sharedStrings.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"
};

/* Write a one-sheet workbook around sheet1 with shared strings sst and
 * STYLES, its parts named as in names (PARTS_ONE's order). */
static const char *one_sheet_names(const char *name, const char *const names[7], const char *sst,
				   const char *sheet1)
{
	const char *path = tpath(name);
	zipFile zf = zip_new(path);
	const char *data[7] = { "<Types/>", ROOT_RELS, WB_ONE, WB_ONE_RELS, sst, STYLES, sheet1 };

	for (int i = 0; i < 7; i++)
		zip_add(zf, names[i], data[i], strlen(data[i]), Z_DEFLATED);
	zip_done(zf);
	return path;
}

/* Write a one-sheet workbook around sheet1 with shared strings sst and
 * STYLES. */
static const char *one_sheet_sst(const char *name, const char *sst, const char *sheet1)
{
	return one_sheet_names(name, PARTS_ONE, sst, sheet1);
}

/* Write a one-sheet workbook around sheet1 (with SST and STYLES). */
static const char *one_sheet(const char *name, const char *sheet1)
{
	return one_sheet_sst(name, SST, sheet1);
}

/* ---- reading ---- */

typedef struct sbuf {
	char *s;
	size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 1024;
		if (!(b->s = realloc(b->s, b->cap)))
			bail("realloc");
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Append rec as "ROW:f1|f2\n". */
static void sb_rec(sbuf *b, const csvin_record *rec)
{
	char num[32];

	snprintf(num, sizeof num, "%ld:", rec->line);
	sb_str(b, num);
	for (size_t i = 0; i < rec->nfields; i++) {
		if (i)
			sb_str(b, "|");
		if (rec->lens[i] == READER_NO_VALUE_LEN && rec->fields[i][0] == '\0')
			sb_str(b, "<no value>");
		else
			sb_add(b, rec->fields[i], rec->lens[i]);
	}
	sb_str(b, "\n");
}

/* Check the record invariants of one row. */
static void check_rec(const csvin_record *rec, long prev_line)
{
	int bad = rec->nfields < 1 || rec->offset != 0 || rec->line <= prev_line ||
		  rec->lens[rec->nfields - 1] == 0;

	for (size_t i = 0; i < rec->nfields; i++)
		if (strlen(rec->fields[i]) != rec->lens[i] &&
		    !(rec->lens[i] == READER_NO_VALUE_LEN && rec->fields[i][0] == '\0'))
			bad = 1;
	invariant_bad += bad;
}

/*
 * Open path with opts and read the whole sheet into "ROW:f1|f2\n" lines;
 * on a read error add "ERROR: message\n".  NULL when xlsx_open fails, with
 * its message in err.  sheet (may be NULL) gets xlsx_sheet().
 */
static char *slurp(const char *path, const xlsx_opts *o, char *err, size_t errlen,
		   char *sheet, size_t sheetlen, int *date1904)
{
	xlsx *x = xlsx_open(path, o, err, errlen);
	const csvin_record *rec;
	sbuf b = { NULL, 0, 0 };
	long prev = 0;
	int rc;

	if (!x)
		return NULL;
	if (sheet)
		snprintf(sheet, sheetlen, "%s", xlsx_sheet(x));
	if (date1904)
		*date1904 = xlsx_date1904(x);
	sb_str(&b, "");
	while ((rc = xlsx_next(x, &rec)) == 1) {
		check_rec(rec, prev);
		prev = rec->line;
		sb_rec(&b, rec);
	}
	if (rc < 0) {
		sb_str(&b, "ERROR: ");
		sb_str(&b, xlsx_error(x));
		sb_str(&b, "\n");
	} else if (xlsx_error(x)[0]) {
		sb_str(&b, "ERROR at end: ");
		sb_str(&b, xlsx_error(x));
		sb_str(&b, "\n");
	}
	/* sticky end and error */
	if (xlsx_next(x, &rec) != rc || rec != NULL)
		invariant_bad++;
	xlsx_close(x);
	return b.s;
}

/* Read path with default options and compare the sheet text. */
static void expect(const char *what, const char *path, const xlsx_opts *o, const char *want)
{
	char err[1024];
	char *got = slurp(path, o, err, sizeof err, NULL, 0, NULL);

	if (!got) {
		ok(0, "%s: xlsx_open failed: %s", what, err);
		return;
	}
	is_str(got, want, "%s", what);
	free(got);
}

/* Expect xlsx_open to fail with a message containing each of the
 * NULL-terminated substrings. */
static void expect_open_err(const char *what, const char *path, const xlsx_opts *o, ...)
{
	char err[1024];
	char *got = slurp(path, o, err, sizeof err, NULL, 0, NULL);
	va_list ap;
	const char *sub;
	int good = 1;

	if (got) {
		ok(0, "%s: opened, read:\n%s", what, got);
		free(got);
		return;
	}
	va_start(ap, o);
	while ((sub = va_arg(ap, const char *)))
		if (!strstr(err, sub)) {
			good = 0;
			printf("#   missing: '%s'\n", sub);
		}
	va_end(ap);
	ok(good, "%s: %s", what, err);
}

/* Expect the reading (not the opening) to end in an error whose text
 * contains sub, after the rows in want_rows. */
static void expect_read_err(const char *what, const char *path, const xlsx_opts *o,
			    const char *want_rows, const char *sub)
{
	char err[1024];
	char *got = slurp(path, o, err, sizeof err, NULL, 0, NULL);
	char *e;

	if (!got) {
		ok(0, "%s: xlsx_open failed: %s", what, err);
		return;
	}
	e = strstr(got, "ERROR: ");
	if (e && got[strlen(got) - 1] == '\n')
		got[strlen(got) - 1] = '\0';
	ok(e && strstr(e, sub) && (size_t)(e - got) == strlen(want_rows) &&
	   strncmp(got, want_rows, strlen(want_rows)) == 0, "%s: %s", what, e ? e + 7 : got);
	if (!e || !strstr(e, sub))
		printf("#   want an error with: '%s'\n", sub);
	free(got);
}

/* ---- the tests ---- */

/* Sheet1 of the main workbook: Excel's own namespaces and attributes,
 * every kind of cell. */
static const char MAIN_SHEET1[] = XMLDECL
	"<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_R "\" "
	"xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" "
	"xmlns:x14ac=\"http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac\" "
	"mc:Ignorable=\"x14ac\"><dimension ref=\"A1:L17\"/><sheetViews><sheetView "
	"tabSelected=\"1\" workbookViewId=\"0\"/></sheetViews>"
	"<sheetFormatPr defaultRowHeight=\"14.25\" x14ac:dyDescent=\"0.2\"/><sheetData>\n"
	/* a title row above the header, merged A1:D1 */
	"<row r=\"1\" spans=\"1:10\" x14ac:dyDescent=\"0.2\"><c r=\"A1\" s=\"0\" t=\"s\"><v>8</v></c>"
	"<c r=\"B1\" s=\"0\"/><c r=\"C1\" s=\"0\"/><c r=\"D1\" s=\"0\"/></row>\n"
	"<row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c><c r=\"B2\" t=\"s\"><v>0</v></c>"
	"<c r=\"C2\" t=\"s\"><v>2</v></c><c r=\"D2\" t=\"s\"><v>3</v></c><c r=\"E2\" t=\"s\"><v>4</v></c>"
	"<c r=\"F2\" t=\"s\"><v>5</v></c><c r=\"G2\" t=\"s\"><v>9</v></c></row>\n"
	/* numbers */
	"<row r=\"3\"><c r=\"A3\"><v>42</v></c><c r=\"B3\" t=\"n\"><v>3.14</v></c>"
	"<c r=\"C3\"><v>-17.5</v></c><c r=\"D3\"><v>1E+20</v></c>"
	"<c r=\"E3\"><v>0.30000000000000004</v></c><c r=\"F3\"><v>-0</v></c>"
	"<c r=\"G3\"><v>007</v></c><c r=\"H3\"><v>123456789012345678</v></c>"
	"<c r=\"I3\"><v>9007199254740993</v></c><c r=\"J3\"><v>1.5E-3</v></c>"
	"<c r=\"K3\"><v> 12 </v></c><c r=\"L3\"><v>-123456789012345</v></c></row>\n"
	/* booleans, errors, formulas */
	"<row r=\"4\"><c r=\"A4\" t=\"b\"><v>1</v></c><c r=\"B4\" t=\"b\"><v>0</v></c>"
	"<c r=\"C4\" t=\"e\"><v>#N/A</v></c><c r=\"D4\"><f>SUM(A3:B3)</f><v>45.14</v></c>"
	"<c r=\"E4\" t=\"str\"><f>\"abc &amp; \"&amp;\"d\"</f><v>abc &amp; d</v></c>"
	"<c r=\"F4\"><f>NOW()</f></c><c r=\"G4\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c></row>\n"
	/* dates, 1900 system */
	"<row r=\"5\"><c r=\"A5\" s=\"1\"><v>45107</v></c><c r=\"B5\" s=\"2\"><v>45107</v></c>"
	"<c r=\"C5\" s=\"5\"><v>45107.5</v></c><c r=\"D5\" s=\"1\"><v>60</v></c>"
	"<c r=\"E5\" s=\"1\"><v>61</v></c><c r=\"F5\" s=\"1\"><v>59</v></c>"
	"<c r=\"G5\" s=\"1\"><v>1</v></c><c r=\"H5\" s=\"1\"><v>0</v></c>"
	"<c r=\"I5\" s=\"4\"><v>0.5</v></c><c r=\"J5\" s=\"10\"><v>0.75</v></c></row>\n"
	/* formats that are not dates, and odd values */
	"<row r=\"6\"><c r=\"A6\" s=\"3\"><v>45107</v></c><c r=\"B6\" s=\"6\"><v>45107</v></c>"
	"<c r=\"C6\" s=\"8\"><v>45107</v></c><c r=\"D6\" s=\"9\"><v>1234.5</v></c>"
	"<c r=\"E6\" s=\"7\"><v>0.25</v></c><c r=\"F6\" s=\"11\"><v>45107</v></c>"
	"<c r=\"G6\" s=\"12\"><v>45107</v></c><c r=\"H6\" s=\"13\"><v>0.5</v></c>"
	"<c r=\"I6\" s=\"1\"><v>-1</v></c><c r=\"J6\" s=\"1\"><v>3000000</v></c>"
	"<c r=\"K6\" s=\"99\"><v>45107</v></c><c r=\"L6\" s=\"1\"><v>45107.99999999</v></c></row>\n"
	/* sparse: rows 7-9 and 11 absent */
	"<row r=\"10\"><c r=\"A10\" t=\"inlineStr\"><is><t>x</t></is></c><c r=\"C10\"><v>5</v></c></row>\n"
	"<row r=\"12\"><c r=\"E12\"><v>7</v></c></row>\n"
	/* only empty cells: not delivered */
	"<row r=\"13\"><c r=\"A13\" s=\"1\"/><c r=\"B13\" t=\"s\"><v>6</v></c><c r=\"C13\"><v></v></c></row>\n"
	/* trailing empty cells do not count */
	"<row r=\"14\"><c r=\"A14\" t=\"inlineStr\"><is><t>内联</t></is></c><c r=\"B14\" t=\"s\"><v>6</v></c>"
	"<c r=\"C14\" s=\"2\"/></row>\n"
	/* inline rich text, entities, phonetic run, preserved spaces */
	"<row r=\"15\"><c r=\"A15\" t=\"inlineStr\"><is><r><t>a</t></r><r><rPr><i/></rPr><t>b</t></r></is></c>"
	"<c r=\"B15\" t=\"inlineStr\"><is><t>&amp; &lt; &#x4E2D;&#20013;</t></is></c>"
	"<c r=\"C15\" t=\"inlineStr\"><is><t>漢</t><rPh sb=\"0\" eb=\"1\"><t>カン</t></rPh></is></c>"
	"<c r=\"D15\" t=\"s\"><v>7</v></c></row>\n"
	/* no r attributes: cells follow each other, rows too */
	"<row r=\"16\"><c><v>1</v></c><c t=\"s\"><v>0</v></c></row>\n"
	"<row><c r=\"B17\"><v>2</v></c></row>\n"
	/* ISO dates in the cell (t="d", strict OOXML) */
	"<row r=\"18\"><c r=\"A18\" t=\"d\"><v>2023-06-30T00:00:00</v></c>"
	"<c r=\"B18\" t=\"d\"><v>2023-06-30T08:30:00.000Z</v></c><c r=\"C18\" t=\"d\"><v>2023-06-30</v></c></row>\n"
	"</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:D1\"/></mergeCells>"
	"<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>"
	"</worksheet>";

static const char MAIN_SHEET1_TEXT[] =
	"1:2023届毕业生去向登记表\n"
	"2:学号|姓名|Hello World|東京|A&B <C> 中|line1\r\nline2|a_x000D_b\n"
	"3:42|3.14|-17.5|1e+20|0.30000000000000004|0|7|1.2345678901234568e+17|"
	"9007199254740992|0.0015|12|-123456789012345\n"
	"4:TRUE|FALSE|#N/A|45.14|abc & d|<no value>|#DIV/0!\n"
	"5:2023-06-30|2023-06-30|2023-06-30 12:00:00|1900-02-29|1900-03-01|1900-02-28|"
	"1900-01-01|1900-01-00|12:00:00|18:00:00\n"
	"6:45107|45107|2023-06-30|1234.5|06:00:00|2023-06-30|2023-06-30|12:00:00|-1|"
	"3000000|45107|2023-07-01\n"
	"10:x||5\n"
	"12:||||7\n"
	"14:内联\n"
	"15:ab|& < 中中|漢| 两边 \n"
	"16:1|姓名\n"
	"17:|2\n"
	"18:2023-06-30|2023-06-30 08:30:00|2023-06-30\n";

/* The second sheet: every element with an "x:" prefix. */
static const char MAIN_SHEET2[] = XMLDECL
	"<x:worksheet xmlns:x=\"" NS_MAIN "\"><x:sheetData>"
	"<x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is><x:t>名单</x:t></x:is></x:c></x:row>"
	"<x:row r=\"3\"><x:c r=\"A3\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"B3\" t=\"s\"><x:v>1</x:v></x:c></x:row>"
	"<x:row r=\"4\"><x:c r=\"A4\" t=\"inlineStr\"><x:is><x:t>张三</x:t></x:is></x:c>"
	"<x:c r=\"B4\" s=\"1\" t=\"str\"><x:v>2020010001</x:v></x:c></x:row>"
	"</x:sheetData></x:worksheet>";

static const char *main_workbook(void)
{
	const char *path = tpath("main.xlsx");
	zipFile zf = zip_new(path);
	part p[] = {
		{ "[Content_Types].xml", "<Types/>" },
		{ "_rels/.rels", ROOT_RELS },
		{ "docProps/app.xml", "<Properties/>" },
		{ "xl/workbook.xml", XMLDECL
		  "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_R "\">"
		  "<fileVersion appName=\"xl\"/><workbookPr defaultThemeVersion=\"124226\"/>"
		  "<bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>"
		  "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/>"
		  "<sheet name=\"名单\" sheetId=\"2\" r:id=\"rId2\"/>"
		  "<sheet name=\"图表\" sheetId=\"3\" r:id=\"rId3\"/>"
		  "</sheets><calcPr calcId=\"191029\"/></workbook>" },
		{ "xl/_rels/workbook.xml.rels", XMLDECL
		  "<Relationships xmlns=\"" NS_PKG "\">"
		  "<Relationship Id=\"rId3\" Type=\"" NS_R "/chartsheet\" Target=\"chartsheets/sheet1.xml\"/>"
		  "<Relationship Id=\"rId2\" Type=\"" NS_R "/worksheet\" Target=\"/xl/worksheets/sheet2.xml\"/>"
		  "<Relationship Id=\"rId1\" Type=\"" NS_R "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
		  "<Relationship Id=\"rId4\" Type=\"" NS_R "/styles\" Target=\"styles.xml\"/>"
		  "<Relationship Id=\"rId5\" Type=\"" NS_R "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
		  "<Relationship Id=\"rId6\" Type=\"" NS_R "/hyperlink\" Target=\"http://example.com/\" TargetMode=\"External\"/>"
		  "</Relationships>" },
		{ "xl/sharedStrings.xml", SST },
		{ "xl/styles.xml", STYLES },
		{ "xl/worksheets/sheet1.xml", MAIN_SHEET1 },
		{ "xl/worksheets/sheet2.xml", MAIN_SHEET2 },
		{ "xl/chartsheets/sheet1.xml", "<chartsheet/>" },
		{ NULL, NULL }
	};

	zip_parts(zf, p);
	zip_done(zf);
	return path;
}

static void test_main(void)
{
	const char *path = main_workbook();
	char err[1024], sheet[64];
	int d1904 = -1;
	xlsx_opts o = { 0 };
	char *got;

	got = slurp(path, NULL, err, sizeof err, sheet, sizeof sheet, &d1904);
	is_str(got, MAIN_SHEET1_TEXT, "main workbook, first sheet: every kind of cell");
	is_str(sheet, "Sheet1", "the first sheet is Sheet1");
	is_int(d1904, 0, "1900 date system");
	free(got);

	o.sheet = "名单";
	got = slurp(path, &o, err, sizeof err, sheet, sizeof sheet, NULL);
	is_str(got, "1:名单\n3:姓名|学号\n4:张三|2020010001\n",
	       "named second sheet, x: prefixes, title row above the header");
	is_str(sheet, "名单", "xlsx_sheet is the named sheet");
	free(got);

	o.sheet = "sheet1";
	got = slurp(path, &o, err, sizeof err, sheet, sizeof sheet, NULL);
	is_str(sheet, "Sheet1", "sheet names match ASCII case-insensitively");
	ok(got && strcmp(got, MAIN_SHEET1_TEXT) == 0, "... and read the same rows");
	free(got);

	{
		xlsx *x = xlsx_open(path, NULL, err, sizeof err);
		ok(x != NULL, "main workbook opens for its sheet list");
		is_int(x ? (long long)xlsx_sheet_count(x) : -1, 2, "two worksheets: the chart sheet is not listed");
		is_str(x ? xlsx_sheet_name(x, 0) : NULL, "Sheet1", "the first worksheet in the workbook's order");
		is_str(x ? xlsx_sheet_name(x, 1) : NULL, "名单", "the second (its part found through an absolute target)");
		ok(!x || xlsx_sheet_name(x, 2) == NULL, "none past the end");
		xlsx_close(x);
	}

	o.sheet = "Nope";
	expect_open_err("missing sheet", path, &o, path, ": no sheet \"Nope\" in the workbook; "
			"its sheets are \"Sheet1\", \"名单\", \"图表\"", (char *)NULL);
	o.sheet = "图表";
	expect_open_err("chart sheet", path, &o, "sheet \"图表\" is a chart sheet, not a worksheet",
			(char *)NULL);
}

/* The 1904 date system, a hidden first sheet, and a workbook in an odd
 * place found through _rels/.rels (relative targets with ..). */
static void test_1904(void)
{
	const char *path = tpath("mac.xlsx");
	zipFile zf = zip_new(path);
	char err[1024], sheet[64];
	int d1904 = -1;
	char *got;
	part p[] = {
		{ "_rels/.rels", XMLDECL "<Relationships xmlns=\"" NS_PKG "\">"
		  "<Relationship Id=\"R1\" Type=\"" NS_R "/officeDocument\" Target=\"/book/wb.xml\"/>"
		  "</Relationships>" },
		{ "book/wb.xml", XMLDECL "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_R "\">"
		  "<workbookPr date1904=\"true\"/><sheets>"
		  "<sheet name=\"Hidden\" sheetId=\"1\" state=\"hidden\" r:id=\"a\"/>"
		  "<sheet name=\"Data\" sheetId=\"2\" r:id=\"b\"/></sheets></workbook>" },
		{ "book/_rels/wb.xml.rels", XMLDECL "<Relationships xmlns=\"" NS_PKG "\">"
		  "<Relationship Id=\"a\" Type=\"" NS_R "/worksheet\" Target=\"../sheets/./h.xml\"/>"
		  "<Relationship Id=\"b\" Type=\"" NS_R "/worksheet\" Target=\"../sheets/d%20x.xml\"/>"
		  "<Relationship Id=\"c\" Type=\"" NS_R "/styles\" Target=\"st.xml\"/>"
		  "</Relationships>" },
		{ "book/st.xml", STYLES },
		{ "sheets/h.xml", SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>hidden</t></is></c></row>") },
		{ "sheets/d x.xml", SHEET(
		  "<row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c><c r=\"B1\" s=\"1\"><v>43645</v></c>"
		  "<c r=\"C1\" s=\"5\"><v>0.5</v></c><c r=\"D1\" s=\"4\"><v>0.5</v></c>"
		  "<c r=\"E1\" s=\"1\"><v>60</v></c><c r=\"F1\" s=\"1\"><v>2957003</v></c>"
		  "<c r=\"G1\" s=\"1\"><v>2957004</v></c></row>") },
		{ NULL, NULL }
	};

	zip_parts(zf, p);
	zip_done(zf);
	got = slurp(path, NULL, err, sizeof err, sheet, sizeof sheet, &d1904);
	is_str(got, "1:1904-01-01|2023-06-30|1904-01-01 12:00:00|12:00:00|1904-03-01|9999-12-31|2957004\n",
	       "1904 date system");
	is_str(sheet, "Data", "the first visible sheet is chosen, not a hidden one");
	is_int(d1904, 1, "xlsx_date1904");
	free(got);
}

/* Workbooks written by openpyxl (tests/data/xlsx/make_workbooks.py). */
static void test_openpyxl(void)
{
	const char *g = "tests/data/xlsx/graduates_openpyxl.xlsx";
	const char *m = "tests/data/xlsx/date1904_openpyxl.xlsx";
	char err[1024], sheet[64];
	int d1904 = -1;
	char *got;
	xlsx_opts o = { .sheet = "字典" };

	if (access(g, R_OK) != 0 || access(m, R_OK) != 0) {
		ok(1, "# SKIP openpyxl workbooks not found (run from the top directory)");
		return;
	}
	got = slurp(g, NULL, err, sizeof err, sheet, sizeof sheet, NULL);
	is_str(got,
	       "1:2022-2023学年毕业生去向登记表\n"
	       "2:学号|姓名|毕业日期|起薪（元/月）|是否对口|备注\n"
	       "3:2020010001|张三|2023-06-30|4500|TRUE|双证\n"
	       "4:2020010002|李四|2023-06-30 08:30:00|4090.5|FALSE\n"
	       "6:2020010003|王五|2023-07-01|-1.25|<no value>|A&B<C> 中\n"
	       "7:||08:30:00|||  两边空格  \n"
	       "8:1e+20|0.1|0.3333333333333333|123456789012345||行1\n行2\n"
	       "9:|||||||稀疏\n",
	       "openpyxl workbook: inline strings, dates, times, a formula without a cached value");
	is_str(sheet, "毕业生", "openpyxl workbook: the hidden first sheet is skipped");
	free(got);
	expect("openpyxl workbook: the hidden sheet by name", g, &o, "1:就业\n2:升学\n3:待就业\n");
	got = slurp(m, NULL, err, sizeof err, NULL, 0, &d1904);
	is_str(got, "1:日期|时间\n2:2023-06-30|1904-01-01 12:00:00\n", "openpyxl 1904 workbook");
	is_int(d1904, 1, "openpyxl 1904 workbook: date1904");
	free(got);
}

/* A sheet big enough for many parse chunks: every row checked. */
static void test_big(void)
{
	const long nrows = 30000;
	sbuf sh = { NULL, 0, 0 }, want = { NULL, 0, 0 };
	char line[512], cell[128];
	const char *sst_names[] = { "姓名", "学号" };

	sb_str(&sh, XMLDECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>");
	for (long i = 1; i <= nrows; i++) {
		long r = i * 2 + (i % 7 == 0);        /* gaps */

		snprintf(line, sizeof line,
			 "<row r=\"%ld\"><c r=\"A%ld\" t=\"s\"><v>%ld</v></c>"
			 "<c r=\"B%ld\"><v>%ld.25</v></c>"
			 "<c r=\"C%ld\" t=\"inlineStr\"><is><t>行%ld&amp;</t></is></c>"
			 "<c r=\"E%ld\" s=\"1\"><v>%ld</v></c>%s</row>\n",
			 r, r, i % 2, r, i, r, i, r, 45000 + i % 365,
			 i % 3 ? "" : "<c t=\"b\"><v>1</v></c>");
		sb_str(&sh, line);
		{
			int y, m, d;
			long days = 45000 + i % 365 - 25569;    /* days since 1970 */
			/* civil from days, for the expected date */
			long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
			unsigned long doe = (unsigned long)(z - era * 146097);
			unsigned long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
			unsigned long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
			unsigned long mp = (5 * doy + 2) / 153;

			d = (int)(doy - (153 * mp + 2) / 5 + 1);
			m = (int)(mp < 10 ? mp + 3 : mp - 9);
			y = (int)((long)yoe + era * 400 + (m <= 2));
			snprintf(cell, sizeof cell, "%04d-%02d-%02d", y, m, d);
		}
		snprintf(line, sizeof line, "%ld:%s|%ld.25|行%ld&||%s%s\n", r, sst_names[i % 2], i, i,
			 cell, i % 3 ? "" : "|TRUE");
		sb_str(&want, line);
	}
	sb_str(&sh, "</sheetData></worksheet>");
	ok(sh.len > 10 * 65536, "big sheet is %zu bytes, many chunks", sh.len);
	expect("big sheet: every row across chunk boundaries", one_sheet("big.xlsx", sh.s), NULL, want.s);
	free(sh.s);
	free(want.s);
}

/*
 * Rows that fill the reader's queue within one parse buffer: very sparse
 * wide rows (A and XFD, 16384 fields each) and a 200 KB shared string
 * used in every row.  The parser is suspended and resumed; every row must
 * still come out whole.
 */
static void test_queue_full(void)
{
	sbuf sh = { NULL, 0, 0 }, sst = { NULL, 0, 0 };
	char line[256], err[1024];
	const csvin_record *rec;
	xlsx *x;
	int rc, nrows = 0, bad = 0;
	const char *p;

	sb_str(&sh, XMLDECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>");
	for (int i = 1; i <= 60; i++) {
		snprintf(line, sizeof line, "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c>"
			 "<c r=\"XFD%d\" t=\"inlineStr\"><is><t>end%d</t></is></c></row>", i, i, i, i, i);
		sb_str(&sh, line);
	}
	sb_str(&sh, "</sheetData></worksheet>");
	p = one_sheet("wide.xlsx", sh.s);
	if (!(x = xlsx_open(p, NULL, err, sizeof err))) {
		ok(0, "wide rows: %s", err);
	} else {
		while ((rc = xlsx_next(x, &rec)) == 1) {
			nrows++;
			snprintf(line, sizeof line, "end%d", nrows);
			if (rec->line != nrows || rec->nfields != 16384 || atoi(rec->fields[0]) != nrows ||
			    strcmp(rec->fields[16383], line) != 0 || rec->lens[8000] != 0 ||
			    rec->fields[8000][0] != '\0')
				bad++;
		}
		ok(rc == 0 && nrows == 60 && bad == 0, "60 wide rows (A and XFD): rows %d, bad %d, rc %d %s",
		   nrows, bad, rc, xlsx_error(x));
		xlsx_close(x);
	}
	free(sh.s);

	sh.s = NULL;
	sh.len = sh.cap = 0;
	sb_str(&sst, XMLDECL "<sst xmlns=\"" NS_MAIN "\"><si><t>");
	for (int i = 0; i < 20000; i++)
		sb_str(&sst, "长文本long");            /* 13 bytes x 20000 */
	sb_str(&sst, "</t></si><si><t>短</t></si></sst>");
	sb_str(&sh, XMLDECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>");
	for (int i = 1; i <= 300; i++) {
		snprintf(line, sizeof line, "<row r=\"%d\"><c r=\"A%d\" t=\"s\"><v>0</v></c>"
			 "<c r=\"B%d\" t=\"s\"><v>1</v></c><c r=\"C%d\"><v>%d</v></c></row>",
			 i, i, i, i, i);
		sb_str(&sh, line);
	}
	sb_str(&sh, "</sheetData></worksheet>");
	p = one_sheet_sst("longsst.xlsx", sst.s, sh.s);
	nrows = bad = 0;
	if (!(x = xlsx_open(p, NULL, err, sizeof err))) {
		ok(0, "long shared string: %s", err);
	} else {
		while ((rc = xlsx_next(x, &rec)) == 1) {
			nrows++;
			if (rec->line != nrows || rec->nfields != 3 || rec->lens[0] != 260000 ||
			    memcmp(rec->fields[0], "长文本long长文本", 19) != 0 ||
			    strcmp(rec->fields[0] + 260000 - 13, "长文本long") != 0 ||
			    strcmp(rec->fields[1], "短") != 0 || atoi(rec->fields[2]) != nrows)
				bad++;
		}
		ok(rc == 0 && nrows == 300 && bad == 0,
		   "300 rows with a 260 KB shared string: rows %d, bad %d, rc %d %s", nrows, bad, rc,
		   xlsx_error(x));
		xlsx_close(x);
	}
	free(sh.s);
	free(sst.s);
}

/* Errors in the sheet itself. */
static void test_sheet_errors(void)
{
	const char *p;

	p = one_sheet("sst_range.xlsx", SHEET(
		"<row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c></row>"
		"<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c><c r=\"B3\" t=\"s\"><v>99</v></c></row>"));
	expect_read_err("shared string index out of range", p, NULL, "2:学号\n",
			": sheet Sheet1 row 3: cell B3: shared string index \"99\" out of range "
			"(the table has 10)");

	p = one_sheet("order.xlsx", SHEET(
		"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
		"<row r=\"3\"><c r=\"A3\"><v>3</v></c></row>"
		"<row r=\"2\"><c r=\"A2\"><v>2</v></c></row>"));
	expect_read_err("rows out of order", p, NULL, "1:1\n3:3\n",
			": sheet Sheet1 row 3: the next row is numbered 2: rows out of order");
	p = one_sheet("order2.xlsx", SHEET(
		"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
		"<row r=\"1\"><c r=\"B1\"><v>2</v></c></row>"));
	expect_read_err("a row number twice", p, NULL, "1:1\n",
			": sheet Sheet1 row 1: the next row is numbered 1: rows out of order");

	p = one_sheet("badxml.xlsx", SHEET(
		"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
		"<row r=\"2\"><c r=\"A2\"><v>1</v></row>"));
	expect_read_err("bad XML", p, NULL, "1:1\n",
			"sheet Sheet1 row 2: xl/worksheets/sheet1.xml: bad XML at line 2, column");

	p = one_sheet("badref.xlsx", SHEET("<row r=\"1\"><c r=\"AAAA1\"><v>1</v></c></row>"));
	expect_read_err("bad cell reference", p, NULL, "", "row 1: bad cell reference \"AAAA1\"");

	p = one_sheet("badrow.xlsx", SHEET("<row r=\"1048577\"><c r=\"A1\"><v>1</v></c></row>"));
	expect_read_err("bad row number", p, NULL, "", "bad row number \"1048577\"");

	p = one_sheet("doctype.xlsx", XMLDECL
		"<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
		"<worksheet xmlns=\"" NS_MAIN "\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">"
		"<is><t>&lol2;</t></is></c></row></sheetData></worksheet>");
	expect_read_err("a DOCTYPE (entity expansion) is refused", p, NULL, "",
			"a DOCTYPE is not allowed");

	p = one_sheet("empty.xlsx", XMLDECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData/></worksheet>");
	expect("empty sheet: no rows, no error", p, NULL, "");

	p = one_sheet("nodata.xlsx", XMLDECL "<worksheet xmlns=\"" NS_MAIN "\"/>");
	expect("sheet without sheetData: no rows", p, NULL, "");
}

/* Files that are not workbooks, or broken ones. */
static void test_file_errors(void)
{
	const char *p;
	FILE *f;
	char *buf;
	long n;
	zipFile zf;

	expect_open_err("missing file", tpath("nope.xlsx"), NULL, "nope.xlsx: No such file or directory",
			(char *)NULL);
	expect_open_err("a directory", tmpdir, NULL, "not a regular file (a directory)", (char *)NULL);

	p = tpath("text.xlsx");
	if (!(f = fopen(p, "wb")) || fputs("学号,姓名\n1,张三\n", f) < 0 || fclose(f) != 0)
		bail(p);
	expect_open_err("a CSV named .xlsx", p, NULL, "not an .xlsx file (not a zip archive)",
			(char *)NULL);

	p = tpath("ole2.xls");
	if (!(f = fopen(p, "wb")) || fwrite("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest", 1, 13, f) != 13 ||
	    fclose(f) != 0)
		bail(p);
	expect_open_err("an OLE2 file (.xls or encrypted)", p, NULL, "an OLE2 file, not an .xlsx",
			"password", (char *)NULL);

	p = tpath("corrupt.xlsx");
	if (!(f = fopen(p, "wb")) || fwrite("PK\003\004garbage, not a zip at all", 1, 30, f) != 30 ||
	    fclose(f) != 0)
		bail(p);
	expect_open_err("corrupt zip", p, NULL, "corrupt or truncated zip archive", (char *)NULL);

	/* the main workbook cut in half: no central directory */
	p = main_workbook();
	if (!(f = fopen(p, "rb")) || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(buf = malloc((size_t)n)) ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n || fclose(f) != 0)
		bail(p);
	p = tpath("truncated.xlsx");
	if (!(f = fopen(p, "wb")) || fwrite(buf, 1, (size_t)n / 2, f) != (size_t)n / 2 || fclose(f) != 0)
		bail(p);
	free(buf);
	expect_open_err("truncated file", p, NULL, "corrupt or truncated zip archive", (char *)NULL);

	p = tpath("noworkbook.xlsx");
	zf = zip_new(p);
	zip_add(zf, "hello.txt", "hello", 5, Z_DEFLATED);
	zip_done(zf);
	expect_open_err("a zip without a workbook", p, NULL,
			"not an Excel workbook: the archive has no xl/workbook.xml", (char *)NULL);

	p = tpath("nosheetpart.xlsx");
	zf = zip_new(p);
	zip_add(zf, "xl/workbook.xml", WB_ONE, strlen(WB_ONE), Z_DEFLATED);
	zip_add(zf, "xl/_rels/workbook.xml.rels", WB_ONE_RELS, strlen(WB_ONE_RELS), Z_DEFLATED);
	zip_done(zf);
	expect_open_err("the sheet's part is missing (and no _rels/.rels)", p, NULL,
			"sheet \"Sheet1\": the archive has no xl/worksheets/sheet1.xml", (char *)NULL);
}

/* Write a one-sheet workbook whose sheet entry is raw: comp as given,
 * with the declared method, size and CRC. */
static const char *raw_sheet(const char *name, const void *comp, size_t clen, int method,
			     unsigned long usize, unsigned long crc)
{
	const char *path = tpath(name);
	zipFile zf = zip_new(path);
	part p[] = {
		{ "_rels/.rels", ROOT_RELS },
		{ "xl/workbook.xml", WB_ONE },
		{ "xl/_rels/workbook.xml.rels", WB_ONE_RELS },
		{ "xl/sharedStrings.xml", SST },
		{ "xl/styles.xml", STYLES },
		{ NULL, NULL }
	};

	zip_parts(zf, p);
	zip_add_raw(zf, "xl/worksheets/sheet1.xml", comp, clen, method, usize, crc);
	zip_done(zf);
	return path;
}

/* Damaged entries: CRC, truncated deflate data, corrupt deflate data. */
static void test_damaged(void)
{
	static const char sheet[] = SHEET(
		"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>2</v></c></row>");
	size_t len = strlen(sheet), clen;
	unsigned long crc = crc32(0L, (const unsigned char *)sheet, (uInt)len);
	unsigned char *comp;
	const char *p;
	sbuf big = { NULL, 0, 0 };
	char line[128];

	p = raw_sheet("stored.xlsx", sheet, len, 0, len, crc);
	expect("a stored (uncompressed) entry", p, NULL, "1:1\n2:2\n");

	p = raw_sheet("storedcrc.xlsx", sheet, len, 0, len, crc ^ 1);
	expect_read_err("stored entry with a bad CRC", p, NULL, "1:1\n2:2\n",
			"xl/worksheets/sheet1.xml is corrupt: CRC error");

	comp = deflate_raw(sheet, len, &clen);
	p = raw_sheet("deflcrc.xlsx", comp, clen, Z_DEFLATED, len, crc ^ 0x100);
	expect_read_err("deflated entry with a bad CRC: no rows from it", p, NULL, "",
			"xl/worksheets/sheet1.xml is corrupt: CRC error");
	p = raw_sheet("shortsize.xlsx", comp, clen, Z_DEFLATED, len + 10, crc);
	expect_read_err("deflated entry shorter than declared", p, NULL, "",
			"xl/worksheets/sheet1.xml is corrupt or truncated: it inflates to 324 bytes, "
			"the archive says 334");
	p = raw_sheet("trunc.xlsx", comp, clen / 2, Z_DEFLATED, len, crc);
	expect_read_err("truncated deflate data", p, NULL, "",
			"xl/worksheets/sheet1.xml is truncated: the compressed data ends early");
	free(comp);

	/* a corrupt byte in the middle of a longer deflate stream */
	sb_str(&big, XMLDECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>");
	for (int i = 1; i <= 20000; i++) {
		snprintf(line, sizeof line, "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c></row>", i, i, i * 7919 % 10007);
		sb_str(&big, line);
	}
	sb_str(&big, "</sheetData></worksheet>");
	comp = deflate_raw(big.s, big.len, &clen);
	crc = crc32(0L, (const unsigned char *)big.s, (uInt)big.len);
	for (size_t k = clen / 2; k < clen / 2 + 8; k++)
		comp[k] ^= 0x5A;
	p = raw_sheet("corrupt_defl.xlsx", comp, clen, Z_DEFLATED, big.len, crc);
	{
		char err[1024];
		char *got = slurp(p, NULL, err, sizeof err, NULL, 0, NULL);
		char *e = got ? strstr(got, "ERROR: ") : NULL;

		ok(e && strstr(e, ": sheet Sheet1") && strstr(e, "xl/worksheets/sheet1.xml is corrupt"),
		   "corrupt deflate data: an error, %s", e ? e + 7 : got ? "no error" : err);
		free(got);
	}
	free(comp);
	free(big.s);
}

/* Decompression bombs. */
static void test_bombs(void)
{
	sbuf sh = { NULL, 0, 0 };
	size_t clen;
	unsigned char *comp;
	const char *p;
	xlsx_opts o = { 0 };
	char line[128];

	/* 8 MiB of the same row: deflates about 1000 to 1 */
	sb_str(&sh, XMLDECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>");
	while (sh.len < (8u << 20))
		sb_str(&sh, "<row><c><v>1</v></c><c><v>1</v></c><c><v>1</v></c></row>");
	sb_str(&sh, "</sheetData></worksheet>");
	p = one_sheet("ratio.xlsx", sh.s);
	expect_open_err("high declared ratio refused before inflating", p, NULL,
			": xl/worksheets/sheet1.xml expands to more than ",
			"refusing a possible decompression bomb (limits: 2147483648 bytes, ratio 200)",
			(char *)NULL);
	o.max_ratio = 5000;
	{
		char err[1024];
		char *got = slurp(p, &o, err, sizeof err, NULL, 0, NULL);

		ok(got && !strstr(got, "ERROR"), "max_ratio 5000 reads the 8 MiB sheet");
		free(got);
	}

	/* a lying header: declares 2000 bytes, inflates to 8 MiB */
	comp = deflate_raw(sh.s, sh.len, &clen);
	p = raw_sheet("lying.xlsx", comp, clen, Z_DEFLATED, 2000, 0);
	expect_read_err("lying header: inflation stops at the declared size", p, NULL, "",
			"sheet Sheet1: xl/worksheets/sheet1.xml expands to more than its declared "
			"2000 bytes: refusing a possible decompression bomb");
	free(comp);
	free(sh.s);

	/* declared size over max_uncompressed (ordinary ratio) */
	sh.s = NULL;
	sh.len = sh.cap = 0;
	sb_str(&sh, XMLDECL "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>");
	for (unsigned i = 1; sh.len < (2u << 20); i++) {
		snprintf(line, sizeof line, "<row r=\"%u\"><c r=\"A%u\"><v>%u</v></c></row>",
			 i, i, i * 2654435761u);
		sb_str(&sh, line);
	}
	sb_str(&sh, "</sheetData></worksheet>");
	p = one_sheet("big2.xlsx", sh.s);
	o.max_ratio = 0;
	o.max_uncompressed = 1 << 20;
	expect_open_err("declared size over max_uncompressed", p, &o,
			": xl/worksheets/sheet1.xml expands to more than 1048576 bytes (ratio ",
			"refusing a possible decompression bomb", (char *)NULL);
	o.max_uncompressed = 0;
	{
		char err[1024];
		char *got = slurp(p, NULL, err, sizeof err, NULL, 0, NULL);

		ok(got && !strstr(got, "ERROR"), "... and with the default limits it reads");
		free(got);
	}
	free(sh.s);

	/* shared strings bound */
	o.max_shared = 100;
	expect_open_err("shared strings over max_shared", main_workbook(), &o,
			"xl/sharedStrings.xml: the shared strings take more than 100 bytes",
			(char *)NULL);
	o.max_shared = 0;

	/* a cell's text and a row's texts */
	p = one_sheet("cell.xlsx", SHEET(
		"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>0123456789</t></is></c></row>"
		"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>0123456789a</t></is></c></row>"));
	o.max_cell = 10;
	expect_read_err("a cell over max_cell", p, &o, "1:0123456789\n",
			"sheet Sheet1 row 2: cell A2 holds more than 10 bytes (max_field_bytes)");
	o.max_cell = 0;
	p = one_sheet("row.xlsx", SHEET(
		"<row r=\"1\"><c r=\"A1\" t=\"str\"><v>01234</v></c><c r=\"B1\"><v>56789</v></c></row>"
		"<row r=\"2\"><c r=\"A2\" t=\"str\"><v>01234</v></c><c r=\"B2\"><v>567890</v></c></row>"));
	o.max_row = 10;
	expect_read_err("a row over max_row", p, &o, "1:01234|56789\n",
			"sheet Sheet1 row 2: the row's cells hold more than 10 bytes (max_record_bytes)");
}

/* A formula without a cached value as the sheet's first text cell (as
 * openpyxl writes it), read with no text buffer yet: READER_NO_VALUE. */
static void test_formula_first(void)
{
	const char *p = one_sheet("formula_first.xlsx", SHEET(
		"<row r=\"1\"><c r=\"A1\" t=\"str\"><f>1+1</f></c><c r=\"B1\" t=\"str\"><v>b</v></c></row>"
		"<row r=\"2\"><c r=\"A2\" t=\"str\"><f>A1&amp;\"x\"</f></c></row>"
		"<row r=\"3\"><c r=\"A3\" t=\"str\"><f>2</f><v>2</v></c></row>"));

	expect("formula without a cached value first: no value", p, NULL, "1:<no value>|b\n2:<no value>\n3:2\n");
}

/* Cells as other writers than Excel write them: each sheet and what it reads. */
static void test_other_writers(void)
{
	static const struct { const char *what, *file, *sheet, *want; } t[] = {
		/* an inline string with a <v> and an <is>: the <is> text, as
		 * Excel shows it; a <v> alone, as LibreOffice writes it */
		{ "inline strings: <is> over <v>, <v> alone", "inline_v.xlsx", SHEET(
			"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><v>1.0</v><is><t>1.</t></is></c>"
			"<c r=\"B1\" t=\"inlineStr\"><is><t>x</t></is><v>y</v></c>"
			"<c r=\"C1\" t=\"inlineStr\"><v>LibreOffice</v></c></row>"),
		  "1:1.|x|LibreOffice\n" },
		/* ISO times of day in t="d" cells: HH:MM:SS like the date-times */
		{ "ISO times without fraction or zone", "iso_time.xlsx", SHEET(
			"<row r=\"2\"><c r=\"A2\" t=\"d\"><v>23:44:51.894</v></c>"
			"<c r=\"B2\" t=\"d\"><v>08:30:00</v></c><c r=\"C2\" t=\"d\"><v>08:30:00Z</v></c>"
			"<c r=\"D2\" t=\"d\"><v>2023-06-30T23:44:51.894</v></c></row>"),
		  "2:23:44:51|08:30:00|08:30:00|2023-06-30 23:44:51\n" },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		expect(t[i].what, one_sheet(t[i].file, t[i].sheet), NULL, t[i].want);
}

/* Zip entries named with backslashes (xl\\workbook.xml), as some Windows
 * tools write them, in any case: read as the parts they name. */
static void test_backslash_names(void)
{
	static const char *const names[7] = {
		"[Content_Types].xml", "_rels\\.rels", "xl\\workbook.xml", "XL\\_rels\\Workbook.xml.rels",
		"xl\\sharedStrings.xml", "xl\\styles.xml", "xl\\worksheets\\sheet1.xml"
	};
	const char *path = one_sheet_names("backslash.xlsx", names, SST, SHEET(
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" s=\"1\"><v>45107</v></c></row>"));

	expect("zip entries named with backslashes", path, NULL, "1:姓名|2023-06-30\n");
}

/* Remove the temp dir and the workbooks in it (no subdirectories). */
static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(tpath(e->d_name));
	if (d)
		closedir(d);
	if (rmdir(tmpdir) != 0)
		printf("# could not remove %s: %s\n", tmpdir, strerror(errno));
}

/* ---- two parts (xlsxpar) ---- */

/* As slurp, through xlsxpar; *parts says whether the parts were still in
 * use at the end. */
static char *slurp_par(const char *path, char *err, size_t errlen, int *parts)
{
	xlsxpar *x = xlsxpar_open(path, NULL, err, errlen);
	const csvin_record *rec;
	sbuf b = { NULL, 0, 0 };
	int rc;

	if (!x)
		return NULL;
	sb_str(&b, "");
	while ((rc = xlsxpar_next(x, &rec)) == 1) {
		sb_rec(&b, rec);
	}
	if (rc < 0) {
		sb_str(&b, "ERROR: ");
		sb_str(&b, xlsxpar_error(x));
		sb_str(&b, "\n");
	}
	*parts = xlsxpar_in_parts(x);
	xlsxpar_close(x);
	return b.s;
}

/* xlsxpar gives what xlsx_next gives on path; parts: 1 the parts must
 * have read it, 0 it must have fallen back (or never split), -1 either. */
static void same_par(const char *what, const char *path, int parts)
{
	char e1[1024], e2[1024];
	int used = -1;
	char *want = slurp(path, NULL, e1, sizeof e1, NULL, 0, NULL);
	char *got = slurp_par(path, e2, sizeof e2, &used);

	if (!want || !got)
		is_str(got ? "opened" : e2, want ? "opened" : e1, "%s: the same open error", what);
	else
		ok(strcmp(want, got) == 0, "%s: two parts give every row, line and error as one reader", what);
	if (parts >= 0 && want && got)
		is_int(used, parts, "%s: %s", what, parts ? "read in two parts" : "read by one reader");
	free(want);
	free(got);
}

/* A sheet of n rows (about 110 bytes of XML each), with a variation. */
static const char *par_sheet(const char *name, long n, const char *variant)
{
	sbuf sh = { NULL, 0, 0 };
	char line[512];
	const char *path;

	sb_str(&sh, XMLDECL);
	sb_str(&sh, strcmp(variant, "prefix") == 0 ? "<x:worksheet xmlns:x=\"" NS_MAIN "\"><x:sheetData>"
						   : "<worksheet xmlns=\"" NS_MAIN "\"><dimension ref=\"A1\"/><sheetData>");
	for (long i = 1; i <= n; i++) {
		const char *p = strcmp(variant, "prefix") == 0 ? "x:" : "";
		if (strcmp(variant, "no-r") == 0 && i > n / 2)
			snprintf(line, sizeof line, "<row><c t=\"s\"><v>%ld</v></c><c><v>%ld</v></c></row>", i % 2, i);
		else if (strcmp(variant, "bad") == 0 && i == n - 10)
			snprintf(line, sizeof line, "<row r=\"%ld\"><c r=\"ZZZZ%ld\"><v>1</v></c></row>", i, i);
		else
			snprintf(line, sizeof line,
				 "<%srow r=\"%ld\"><%sc r=\"A%ld\" t=\"s\"><%sv>%ld</%sv></%sc>"
				 "<%sc r=\"C%ld\" t=\"inlineStr\"><%sis><%st>行%ld &lt;%ld&gt;</%st></%sis></%sc></%srow>",
				 p, i, p, i, p, i % 2, p, p, p, i, p, p, i, i, p, p, p, p);
		sb_str(&sh, line);
		if (strcmp(variant, "comment") == 0 && i == n / 3)
			sb_str(&sh, "<!-- a note with </row> in it -->");
		if (strcmp(variant, "pi") == 0 && i == n / 3)
			sb_str(&sh, "<?note </row>?>");
	}
	sb_str(&sh, strcmp(variant, "prefix") == 0 ? "</x:sheetData></x:worksheet>"
						   : "</sheetData><pageMargins left=\"0.7\"/></worksheet>");
	path = one_sheet(name, sh.s);
	free(sh.s);
	return path;
}

static void test_parts(void)
{
	const long n = 30000;   /* about 3 MB of XML: many blocks */

	same_par("big sheet", par_sheet("par.xlsx", n, ""), 1);
	same_par("one block", par_sheet("par1.xlsx", 50, ""), -1);
	same_par("rows without their number from the middle on", par_sheet("par_nor.xlsx", n, "no-r"), 0);
	same_par("a comment holding </row>", par_sheet("par_comment.xlsx", n, "comment"), 0);
	same_par("a processing instruction holding </row>", par_sheet("par_pi.xlsx", n, "pi"), 0);
	same_par("a prefixed root element", par_sheet("par_prefix.xlsx", n, "prefix"), 0);
	same_par("a bad cell near the end", par_sheet("par_bad.xlsx", n, "bad"), 0);
	same_par("the big sheet of test_big", tpath("big.xlsx"), 1);
	same_par("the sheet that fills the queue", tpath("wide.xlsx"), -1);
	{
		static const char *const others[] = {
			"badxml.xlsx", "badref.xlsx", "badrow.xlsx", "empty.xlsx", "nodata.xlsx", "sst_range.xlsx",
			"trunc.xlsx", "corrupt_defl.xlsx", "lying.xlsx", "ratio.xlsx", "main.xlsx",
		};
		for (size_t i = 0; i < sizeof others / sizeof *others; i++)
			same_par(others[i], tpath(others[i]), -1);
	}

	/* stopping early: in the first block, and after several */
	for (long stop = 1; stop <= 20001; stop += 10000) {
		char err[512];
		xlsxpar *x = xlsxpar_open(tpath("par.xlsx"), NULL, err, sizeof err);
		const csvin_record *rec;
		long k = 0;

		while (x && k < stop && xlsxpar_next(x, &rec) == 1)
			k++;
		xlsxpar_close(x);
		is_int(k, stop, "two parts stopped after %ld rows", stop);
	}
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/test_xlsx.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		bail("mkdtemp");

	test_main();
	test_1904();
	test_openpyxl();
	test_big();
	test_queue_full();
	test_sheet_errors();
	test_file_errors();
	test_damaged();
	test_bombs();
	test_formula_first();
	test_other_writers();
	test_backslash_names();
	test_parts();
	is_int(invariant_bad, 0, "record invariants held on every row (nfields >= 1, last field "
	       "non-empty, lens, rising lines, offset 0, sticky end)");

	remove_tmpdir();
	return tap_done();
}
