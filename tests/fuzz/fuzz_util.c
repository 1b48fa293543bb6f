/*
 * fuzz_util.c - scratch files and strings for the fuzz targets (fuzz.h).
 */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scratch[4][512];    /* one per suffix used, removed at exit */
static int nscratch;

static void remove_scratch(void)
{
	for (int i = 0; i < nscratch; i++)
		unlink(scratch[i]);
}

const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
	const char *t = getenv("TMPDIR");
	size_t sl = strlen(suffix);
	FILE *f;
	int i;

	for (i = 0; i < nscratch; i++) {
		size_t n = strlen(scratch[i]);

		if (n >= sl && strcmp(scratch[i] + n - sl, suffix) == 0)
			break;
	}
	if (i == nscratch) {
		int fd;

		if (nscratch == 4)
			abort();
		snprintf(scratch[i], sizeof scratch[i], "%s/vqr-fuzz.XXXXXX%s",
			 t && *t ? t : "/tmp", suffix);
		fd = mkstemps(scratch[i], (int)sl);
		if (fd < 0)
			abort();
		close(fd);
		if (nscratch++ == 0)
			atexit(remove_scratch);
	}
	f = fopen(scratch[i], "wb");
	if (!f || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	return scratch[i];
}

char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
