/*
 * keep.c - the canonical rows of loaded files, kept beside the archive:
 * the staged file linked, or compressed across filesystems (see keep.h).
 */
#include "pipeline/keep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"

void keep_rows_path(const char *archive, const char *sha256, char *out, size_t len)
{
	snprintf(out, len, "%s/.rows/%s.tsv", archive, sha256);
	if (access(out, F_OK) != 0)
		snprintf(out, len, "%s/.rows/%s.tsv.gz", archive, sha256);
}

/* Link rows into the kept path + ".tmp" (plain, as staged): 0, or -1
 * with errno (EXDEV: staging and archive are different filesystems). */
static int keep_link(const char *rows, const char *archive, const char *sha256, char *tmp, size_t tmplen)
{
	snprintf(tmp, tmplen, "%s/.rows/%s.tsv.tmp", archive, sha256);
	unlink(tmp);
	if (link(rows, tmp) == 0)
		return 0;
	tmp[0] = '\0';
	return -1;
}

int keep_rows_begin(const char *rows, const char *archive, const char *sha256, char *tmp, size_t tmplen,
		    char *err, size_t errlen)
{
	char dir[4200], *buf;
	int in, out = -1;
	gzFile gz = NULL;
	ssize_t k;
	struct stat st;

	tmp[0] = '\0';
	snprintf(dir, sizeof dir, "%s/.rows", archive);
	if (cli_mkdirs(dir, err, errlen) < 0)
		return -1;
	if (stat(dir, &st) == 0 && (st.st_mode & 077))
		chmod(dir, 0700);       /* vqr's own, made by an earlier version */
	if (keep_link(rows, archive, sha256, tmp, tmplen) == 0)
		return 0;
	if ((in = open(rows, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(err, errlen, "%s: %s", rows, strerror(errno));
		return -1;
	}
	snprintf(tmp, tmplen, "%s/.rows/%s.tsv.gz.tmp", archive, sha256);
	buf = xmalloc(256 * 1024);
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 || !(gz = gzdopen(dup(out), "wb1"))) {
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	while ((k = read(in, buf, 256 * 1024)) > 0 || (k < 0 && errno == EINTR))
		if (k > 0 && gzwrite(gz, buf, (unsigned)k) != (int)k) {
			err_set(err, errlen, "%s: cannot write (compressing the kept rows)", tmp);
			goto fail;
		}
	if (k < 0) {
		err_set(err, errlen, "%s: %s", rows, strerror(errno));
		goto fail;
	}
	if (gzclose(gz) != Z_OK) {
		gz = NULL;
		err_set(err, errlen, "%s: cannot write (compressing the kept rows)", tmp);
		goto fail;
	}
	gz = NULL;
	if (fsync(out) < 0 || close(out) < 0) {
		out = -1;
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	close(in);
	free(buf);
	return 0;
fail:
	if (gz)
		gzclose(gz);
	if (out >= 0)
		close(out);
	close(in);
	free(buf);
	if (tmp[0])
		unlink(tmp);
	tmp[0] = '\0';
	return -1;
}

int keep_rows_commit(const char *tmp, char *err, size_t errlen)
{
	char dest[4200];
	size_t n = strlen(tmp);
	if (n < 4 || n - 4 >= sizeof dest) {
		err_set(err, errlen, "%s: not a kept-rows temporary file", tmp);
		return -1;
	}
	snprintf(dest, sizeof dest, "%.*s", (int)(n - 4), tmp);
	if (rename(tmp, dest) < 0) {
		err_set(err, errlen, "cannot rename %s to %s: %s", tmp, dest, strerror(errno));
		return -1;
	}
	/* the other form of the same rows, kept before, goes */
	n = strlen(dest);
	if (n > 3 && strcmp(dest + n - 3, ".gz") == 0)
		dest[n - 3] = '\0';
	else
		strncat(dest, ".gz", sizeof dest - n - 1);
	unlink(dest);
	return 0;
}

long keep_rows_lines(const char *path)
{
	char buf[1 << 16];
	long lines = 0;
	int z;
	gzFile gz = gzopen(path, "rb");

	if (!gz)
		return -1;
	for (;;) {
		int k = gzread(gz, buf, sizeof buf);

		if (k <= 0) {
			gzerror(gz, &z);
			gzclose(gz);
			return k < 0 || (z != Z_OK && z != Z_STREAM_END) ? -1 : lines;
		}
		for (char *p = buf; (p = memchr(p, '\n', (size_t)(buf + k - p))); p++)
			lines++;
	}
}

void keep_rows_abort(const char *tmp)
{
	if (tmp && tmp[0])
		unlink(tmp);
}
