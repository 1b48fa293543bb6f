/*
 * inbox.c - the inbox's files, the archive and the quarantine (see
 * inbox.h).
 */
#include "pipeline/inbox.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/util/cli.h"
#include "lib/util/err.h"
#include "lib/util/log.h"
#include "lib/util/mem.h"
#include "lib/util/sha256.h"

/* Move path into dir under its own name (adding .1, .2, ... when taken),
 * and make a regular file its owner's alone.  Both must be on one
 * filesystem: rename is atomic.  The new path goes into dest. */
int inbox_move(const char *path, const char *dir, char *dest, size_t dlen, char *err, size_t errlen)
{
	const char *base = cli_basename(path);
	struct stat st;
	if (cli_mkdirs(dir, err, errlen) < 0)
		return -1;
	for (int i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(dest, dlen, "%s/%s", dir, base);
		else
			snprintf(dest, dlen, "%s/%s.%d", dir, base, i);
		if (lstat(dest, &st) == 0)
			continue;       /* taken, if only by a link */
		if (rename(path, dest) < 0) {
			err_set(err, errlen, "cannot move %s to %s: %s", path, dir, strerror(errno));
			return -1;
		}
		/* An export (personal data) is private once vqr keeps it; a link,
		 * FIFO or directory is left as it is (chmod would follow a link). */
		if (lstat(dest, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) &&
		    chmod(dest, st.st_mode & 0700) < 0)
			log_warning("%s: cannot make it private: %s", dest, strerror(errno));
		return 0;
	}
	err_set(err, errlen, "cannot move %s to %s: too many files of that name", path, dir);
	return -1;
}

/* Move path into the quarantine, with its reason beside it. */
int inbox_quarantine(const cfg *c, const char *path, const char *reason, char *err, size_t errlen)
{
	char dest[4200], rpath[4300];
	FILE *f;

	if (inbox_move(path, c->quarantine, dest, sizeof dest, err, errlen) < 0)
		return -1;
	snprintf(rpath, sizeof rpath, "%s.reason", dest);
	f = fopen(rpath, "w");
	if (!f || fprintf(f, "%s\n", reason) < 0 || fclose(f) != 0) {
		err_set(err, errlen, "%s: %s", rpath, strerror(errno));
		return -1;
	}
	log_error("%s: quarantined to %s", path, dest);
	log_error_text(reason);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entries of the inbox, sorted; hidden and partial files left out.  The
 * array and its strings are malloc'd, the caller frees them. */
char **inbox_list(const char *dir, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		err_set(err, errlen, "inbox %s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((e = readdir(d))) {
		char path[4200];
		struct stat st;
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || (len > 4 && strcmp(e->d_name + len - 4, ".tmp") == 0) ||
		    (len > 5 && strcmp(e->d_name + len - 5, ".part") == 0) ||
		    (len > 14 && strcmp(e->d_name + len - 14, ".accept-shrink") == 0))
			continue;       /* FILE.accept-shrink is a marker for FILE */
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		/* lstat: a link or other non-regular file is listed, to be
		 * quarantined by name, its target never opened. */
		if (lstat(path, &st) < 0)
			continue;
		xgrow((void **)&v, &cap, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(path);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, cmp_str);
	return v ? v : xcalloc(1, sizeof *v);
}

/* Say which of the directories vqr writes data into (staging, archive,
 * quarantine) others may read or enter: what vqr creates in them is
 * private, but an operator's directory keeps the mode it was given. */
void inbox_warn_shared(const cfg *c)
{
	const char *dirs[] = { c->staging, c->archive, c->quarantine };
	struct stat st;

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (dirs[i] && stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 077)) {
			log_warning("%s: others may read or enter this directory (mode %04o); it holds exports and "
				    "their rows", dirs[i], (unsigned)(st.st_mode & 07777));
			log_hint("chmod 700 %s", dirs[i]);
		}
}

/* Is path ready to be taken: unchanged for settle_seconds, and with its
 * .done marker when markers are configured? */
int inbox_ready(const cfg *c, const char *path)
{
	struct stat st;
	char marker[4200];

	if (c->done_marker) {
		snprintf(marker, sizeof marker, "%s.done", path);
		if (access(marker, F_OK) != 0)
			return 0;
	}
	if (c->settle_seconds > 0) {
		if (stat(path, &st) < 0 || time(NULL) - st.st_mtime < c->settle_seconds)
			return 0;
	}
	return 1;
}

void inbox_drop_marker(const cfg *c, const char *path)
{
	char marker[4200];
	snprintf(marker, sizeof marker, "%s" INBOX_ACCEPT_SUFFIX, path);
	unlink(marker);
	if (!c->done_marker)
		return;
	snprintf(marker, sizeof marker, "%s.done", path);
	unlink(marker);
}

/* The archived export of an earlier file with that name and sha256 (a
 * later namesake is archived as NAME.1, NAME.2, ...), into out; 0 if
 * found, else -1. */
int inbox_archived_export(const cfg *c, const char *name, const char *sha, char *out, size_t len)
{
	for (int i = 0; i < 100; i++) {
		unsigned char dig[SHA256_DIGEST_LEN];
		char hex[65], e[256];
		if (i == 0)
			snprintf(out, len, "%s/%s", c->archive, name);
		else
			snprintf(out, len, "%s/%s.%d", c->archive, name, i);
		if (access(out, F_OK) != 0)
			return -1;
		if (sha256_file(out, dig, e, sizeof e) < 0)
			continue;
		sha256_hex(dig, hex);
		if (strcmp(hex, sha) == 0)
			return 0;
	}
	return -1;
}

/* Has the file at path changed since st0 was taken (size, mtime, or
 * gone)? */
int inbox_changed_since(const char *path, const struct stat *st0)
{
	struct stat st;
	return lstat(path, &st) < 0 || st.st_size != st0->st_size || st.st_mtim.tv_sec != st0->st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != st0->st_mtim.tv_nsec;
}
