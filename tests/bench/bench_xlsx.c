/*
 * bench_xlsx.c - benchmark of the streaming .xlsx reader (lib/readers/xlsx.c).
 *
 *     bench_xlsx gen FILE [ROWS]   write a graduate-register-like workbook:
 *                                  ROWS (default 1000000) rows of 10 columns
 *                                  (numbers, shared strings, dates,
 *                                  booleans, a sparse column; headers a
 *                                  graduate_destination source maps), as Excel
 *                                  writes them (r= and s= on every cell)
 *     bench_xlsx read FILE         read its first sheet with xlsx_next and
 *                                  print rows, cells, bytes, seconds and
 *                                  peak RSS (getrusage) to stderr
 *     bench_xlsx csv FILE          the same, and write the rows to stdout
 *                                  as CSV (for a like-for-like comparison
 *                                  with xlsx2csv: every byte is touched)
 *
 * tests/bench/bench_xlsx.sh builds this, runs both and compares with
 * Debian's xlsx2csv on the same workbook.
 */
#include "lib/readers/xlsx.h"

#include <minizip/zip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define NNAMES 20000    /* distinct names in the shared strings */
#define NFIRMS 50000    /* distinct employers */

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周" };
static const char *const given[] = { "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军",
				     "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞" };
static const char *const majors[] = { "数控加工", "模具制造", "电气自动化设备安装与维修",
				      "汽车维修", "计算机网络应用", "电子商务", "烹饪（中式烹调）",
				      "工业机器人应用与维护", "会计", "护理" };
static const char *const dests[] = { "就业", "升学", "参军", "自主创业", "待就业", "自主择业" };

static void die(const char *what)
{
	fprintf(stderr, "bench_xlsx: %s\n", what);
	exit(1);
}

typedef struct out {
	zipFile zf;
	char *buf;
	size_t len, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap) {
		if (zipWriteInFileInZip(o->zf, o->buf, (unsigned)o->len) != ZIP_OK)
			die("zip write");
		o->len = 0;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void puts_(out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void entry(out *o, const char *name)
{
	zip_fileinfo zi;

	memset(&zi, 0, sizeof zi);
	if (zipOpenNewFileInZip64(o->zf, name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED, 6, 1) != ZIP_OK)
		die("zip open entry");
}

static void entry_end(out *o)
{
	if (o->len && zipWriteInFileInZip(o->zf, o->buf, (unsigned)o->len) != ZIP_OK)
		die("zip write");
	o->len = 0;
	if (zipCloseFileInZip(o->zf) != ZIP_OK)
		die("zip close entry");
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define NSR "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static void gen(const char *path, long rows)
{
	out o = { zipOpen64(path, APPEND_STATUS_CREATE), malloc(1 << 20), 0, 1 << 20 };
	char line[1024];
	long i;
	int n;
	/* shared string indexes: names, then sexes, majors, destinations, firms, remark */
	const long s_names = 0, s_sex = NNAMES, s_major = s_sex + 2, s_dest = s_major + 10,
		   s_firm = s_dest + 6, s_note = s_firm + NFIRMS, s_head = s_note + 1, total = s_head + 10;

	if (!o.zf || !o.buf)
		die("cannot create the workbook");
	entry(&o, "[Content_Types].xml");
	puts_(&o, "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	      "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	      "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	      "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
	      "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
	      "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
	      "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
	      "</Types>");
	entry_end(&o);
	entry(&o, "_rels/.rels");
	puts_(&o, "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	      "<Relationship Id=\"rId1\" Type=\"" NSR "/officeDocument\" Target=\"xl/workbook.xml\"/>"
	      "</Relationships>");
	entry_end(&o);
	entry(&o, "xl/workbook.xml");
	puts_(&o, "<workbook " NS " xmlns:r=\"" NSR "\"><sheets>"
	      "<sheet name=\"毕业生\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
	entry_end(&o);
	entry(&o, "xl/_rels/workbook.xml.rels");
	puts_(&o, "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	      "<Relationship Id=\"rId1\" Type=\"" NSR "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	      "<Relationship Id=\"rId2\" Type=\"" NSR "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
	      "<Relationship Id=\"rId3\" Type=\"" NSR "/styles\" Target=\"styles.xml\"/>"
	      "</Relationships>");
	entry_end(&o);
	entry(&o, "xl/styles.xml");
	puts_(&o, "<styleSheet " NS "><numFmts count=\"1\"><numFmt numFmtId=\"176\" "
	      "formatCode=\"yyyy/m/d;@\"/></numFmts><cellXfs count=\"3\"><xf numFmtId=\"0\"/>"
	      "<xf numFmtId=\"176\" applyNumberFormat=\"1\"/><xf numFmtId=\"2\"/></cellXfs></styleSheet>");
	entry_end(&o);

	entry(&o, "xl/sharedStrings.xml");
	n = snprintf(line, sizeof line, "<sst " NS " count=\"%ld\" uniqueCount=\"%ld\">", rows * 6, total);
	put(&o, line, (size_t)n);
	for (i = 0; i < NNAMES; i++) {
		n = snprintf(line, sizeof line, "<si><t>%s%s%s</t></si>", surnames[i % 10],
			     given[i / 10 % 20], i >= 200 ? given[i / 200 % 20] : "");
		put(&o, line, (size_t)n);
	}
	puts_(&o, "<si><t>男</t></si><si><t>女</t></si>");
	for (i = 0; i < 10; i++) {
		n = snprintf(line, sizeof line, "<si><t>%s</t></si>", majors[i]);
		put(&o, line, (size_t)n);
	}
	for (i = 0; i < 6; i++) {
		n = snprintf(line, sizeof line, "<si><t>%s</t></si>", dests[i]);
		put(&o, line, (size_t)n);
	}
	for (i = 0; i < NFIRMS; i++) {
		n = snprintf(line, sizeof line, "<si><t>%s市第%ld机械有限公司</t></si>",
			     majors[i % 10], i);
		put(&o, line, (size_t)n);
	}
	puts_(&o, "<si><t xml:space=\"preserve\">转专业 &amp; 复学</t></si>");
	puts_(&o, "<si><t>学号</t></si><si><t>姓名</t></si><si><t>性别</t></si><si><t>专业</t></si>"
	      "<si><t>毕业日期</t></si><si><t>毕业去向</t></si><si><t>起薪（元/月）</t></si>"
	      "<si><t>是否对口</t></si><si><t>就业单位</t></si><si><t>备注</t></si></sst>");
	entry_end(&o);

	entry(&o, "xl/worksheets/sheet1.xml");
	puts_(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet " NS
	      " xmlns:r=\"" NSR "\"><dimension ref=\"A1:J2\"/><sheetData>");
	puts_(&o, "<row r=\"1\" spans=\"1:10\">");
	for (i = 0; i < 10; i++) {
		n = snprintf(line, sizeof line, "<c r=\"%c1\" t=\"s\"><v>%ld</v></c>", (char)('A' + i),
			     s_head + i);
		put(&o, line, (size_t)n);
	}
	puts_(&o, "</row>");
	for (i = 0; i < rows; i++) {
		long r = i + 2;

		n = snprintf(line, sizeof line,
			     "<row r=\"%ld\" spans=\"1:10\">"
			     "<c r=\"A%ld\"><v>%ld</v></c>"
			     "<c r=\"B%ld\" t=\"s\"><v>%ld</v></c>"
			     "<c r=\"C%ld\" t=\"s\"><v>%ld</v></c>"
			     "<c r=\"D%ld\" t=\"s\"><v>%ld</v></c>"
			     "<c r=\"E%ld\" s=\"1\"><v>%ld</v></c>"
			     "<c r=\"F%ld\" t=\"s\"><v>%ld</v></c>"
			     "<c r=\"G%ld\" s=\"2\"><v>%ld.%ld</v></c>"
			     "<c r=\"H%ld\" t=\"b\"><v>%ld</v></c>"
			     "<c r=\"I%ld\" t=\"s\"><v>%ld</v></c>",
			     r, r, 2020000000L + i, r, s_names + (i * 7919) % NNAMES, r, s_sex + i % 2,
			     r, s_major + i % 10, r, 45000 + i % 400, r, s_dest + i % 6,
			     r, 2500 + (i * 37) % 6000, (i * 13) % 100, r, (i / 3) % 2,
			     r, s_firm + (i * 104729) % NFIRMS);
		if (i % 10 == 0)        /* the sparse remark column */
			n += snprintf(line + n, sizeof line - (size_t)n,
				      "<c r=\"J%ld\" t=\"s\"><v>%ld</v></c>", r, s_note);
		n += snprintf(line + n, sizeof line - (size_t)n, "</row>");
		put(&o, line, (size_t)n);
	}
	puts_(&o, "</sheetData></worksheet>");
	entry_end(&o);
	if (zipClose(o.zf, NULL) != ZIP_OK)
		die("zip close");
	free(o.buf);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One field as CSV: quoted when it holds a comma, quote or line break. */
static void csv_field(const char *s, size_t n, FILE *out)
{
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
		fwrite(s, 1, n, out);
		return;
	}
	putc('"', out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', out);
		putc(s[i], out);
	}
	putc('"', out);
}

static int read_it(const char *path, int csv)
{
	char err[1024];
	double t0 = now(), t1;
	xlsx *x = xlsx_open(path, NULL, err, sizeof err);
	const csvin_record *rec;
	long rows = 0;
	long long cells = 0, bytes = 0;
	struct rusage ru;
	int rc;

	if (!x) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t1 = now();
	while ((rc = xlsx_next(x, &rec)) == 1) {
		rows++;
		cells += (long long)rec->nfields;
		for (size_t i = 0; i < rec->nfields; i++) {
			bytes += (long long)rec->lens[i];
			if (csv) {
				if (i)
					putc(',', stdout);
				csv_field(rec->fields[i], rec->lens[i], stdout);
			}
		}
		if (csv)
			putc('\n', stdout);
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", xlsx_error(x));
		xlsx_close(x);
		return 1;
	}
	xlsx_close(x);
	getrusage(RUSAGE_SELF, &ru);
	fflush(stdout);
	fprintf(stderr, "xlsx_reader rows=%ld cells=%lld text_bytes=%lld open_s=%.3f total_s=%.3f "
	       "rows_per_s=%.0f peak_rss_kb=%ld\n", rows, cells, bytes, t1 - t0, now() - t0,
	       rows / (now() - t0), ru.ru_maxrss);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "gen") == 0) {
		gen(argv[2], argc > 3 ? atol(argv[3]) : 1000000L);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return read_it(argv[2], 0);
	if (argc == 3 && strcmp(argv[1], "csv") == 0)
		return read_it(argv[2], 1);
	fprintf(stderr, "usage: bench_xlsx gen FILE [ROWS] | bench_xlsx read|csv FILE\n");
	return 2;
}
