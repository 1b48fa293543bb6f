/*
 * fuzz_csvin.c - the CSV reader (csvin.c) on any bytes: plain or gzip,
 * every encoding and delimiter setting, small read chunks (1 and 3 bytes
 * for inputs up to 4 KiB) and small limits.  The first input byte chooses the options, the rest is the file.
 * Checks the record promises: nfields >= 1, lines never go back, every
 * field NUL-terminated at its length, within max_field, and an error
 * message that starts with the path.
 */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "lib/readers/csvin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const enc[] = { NULL, "utf-8", "gb18030", "utf-16" };
	static const unsigned char delim[] = { 0, ',', '\t', ';' };
	static const size_t chunk[] = { 1, 3, 64, 0 };
	csvin_opts o;
	const csvin_record *rec;
	const char *path;
	csvin *r;
	long last = 0;
	int rc;

	if (size < 1)
		return 0;
	o.encoding = enc[data[0] & 3];
	o.delim = delim[(data[0] >> 2) & 3];
	o.chunk = chunk[(data[0] >> 4) & 3];
	if (o.chunk < 64 && size > 4096)
		o.chunk = 64;   /* byte-sized reads of a big input only take time */
	o.max_record = data[0] & 0x40 ? 4096 : 0;
	o.max_field = data[0] & 0x40 ? 1024 : 0;
	o.max_ratio = data[0] & 0x80 ? 10 : 0;
	path = fuzz_file(data + 1, size - 1, ".csv");
	r = csvin_open(path, &o, NULL, 0);
	if (!r)
		return 0;
	while ((rc = csvin_next(r, &rec)) == 1) {
		if (rec->nfields < 1 || rec->line < last)
			abort();
		last = rec->line;
		for (size_t i = 0; i < rec->nfields; i++)
			if (rec->fields[i][rec->lens[i]] != '\0' ||
			    (o.max_field && rec->lens[i] > o.max_field))
				abort();
	}
	if (rc < 0 && strncmp(csvin_error(r), path, strlen(path)) != 0)
		abort();
	if (csvin_next(r, &rec) != rc)  /* end and error are sticky */
		abort();
	csvin_close(r);
	return 0;
}
