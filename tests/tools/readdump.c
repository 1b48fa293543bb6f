/*
 * readdump.c - print the records vqr's readers give for a file, for the
 * differential test against other readers (tests/cli/differential.t).
 *
 *     build/tests/readdump FILE [SHEET]
 *
 * The first line is "#format\t<name>\t<delimiter>" (the reader_info of
 * the file); then one line per record: its line (sheet row) and its
 * fields, TAB-separated, each escaped as "\\" "\t" "\n" "\r" and "\xHH"
 * for other control bytes.  A reader error prints "#error\t<message>"
 * (escaped likewise) after the records before it.  The last line is "#maxrss\t<KB>", the
 * program's peak resident size (-1 when /proc does not say).  Exits 0 when the file was read or
 * refused, 2 when it cannot run (usage).
 */
#include <stdio.h>
#include <string.h>

#include "lib/readers/reader.h"

/* Field s[0..n) escaped on stdout. */
static void put_field(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* "#error\t<message>", the message escaped as a field (its hint lines
 * too). */
static void put_error(const char *msg)
{
	fputs("#error\t", stdout);
	put_field(msg, strlen(msg));
	putchar('\n');
}

/* "#maxrss\t<KB>": the peak resident size so far, VmHWM of
 * /proc/self/status (getrusage's ru_maxrss would count the peak of the
 * process this one was forked from before its exec). */
static void print_maxrss(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	printf("#maxrss\t%ld\n", kb);
}

int main(int argc, char **argv)
{
	reader_opts o = { .sheet = argc > 2 ? argv[2] : NULL };
	const csvin_record *rec;
	reader_info info;
	char err[1024];
	reader *r;
	int rc;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: readdump FILE [SHEET]\n");
		return 2;
	}
	r = reader_open(argv[1], &o, err, sizeof err);
	if (!r) {
		put_error(err);
		print_maxrss();
		return 0;
	}
	while ((rc = reader_next(r, &rec)) > 0) {
		printf("%ld", rec->line);
		for (size_t i = 0; i < rec->nfields; i++) {
			putchar('\t');
			put_field(rec->fields[i], rec->lens[i]);
		}
		putchar('\n');
	}
	reader_describe(r, &info);
	if (rc < 0)
		put_error(reader_error(r));
	printf("#format\t%s\t%s\t%s\n", reader_format_of(r)->name, info.delimiter, info.encoding);
	reader_close(r);
	print_maxrss();
	return ferror(stdout) || fclose(stdout) ? 1 : 0;
}
