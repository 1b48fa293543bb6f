/*
 * stage.c - the staging directory's contract; see stage.h.
 */
#include "lib/staging/stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/catalog/cfg.h"
#include "lib/util/err.h"
#include "lib/util/mem.h"

const char *const stage_reject_header[STAGE_REJECT_NCOLS] = {
	"line", "column_no", "column_name", "field", "value", "rule", "message"
};

static const char *const outcome_names[] = {
	[STAGE_LOADED] = "loaded", [STAGE_SKIPPED] = "skipped", [STAGE_HELD] = "held", [STAGE_BLOCKED] = "blocked"
};

char *stage_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

int stage_open(const char *dir, const cfg *c, const char *config, manifest *m, const cfg_source **s, char *err,
	       size_t errlen)
{
	char *path = stage_path(dir, STAGE_MANIFEST);
	int rc = 0;

	if (manifest_read(path, m, err, errlen) < 0) {
		char *why = xstrdup(err);
		rc = err_set(err, errlen, "%s\nhint: is %s a staging directory written by vqr-extract?", why, dir);
		free(why);
	} else if (m->status == MANIFEST_FAILED) {
		err_set(err, errlen, "%s: the file failed at extract: %s", dir, m->reason ? m->reason : "?");
		rc = -2;
	} else if (!m->source || !m->sha256 || !(*s = cfg_source_find(c, m->source))) {
		rc = err_set(err, errlen, "%s: source \"%s\" is not in the configuration %s", path,
			     m->source ? m->source : "?", config);
	} else if (m->school && strcmp(m->school, c->school_code) != 0) {
		rc = err_set(err, errlen, "%s: staged for school %s, the configuration %s is for %s", path, m->school,
			     config, c->school_code);
	}
	free(path);
	return rc;
}

int stage_extract_gave_up(const char *dir, manifest *m, int timeout_ms)
{
	char err[ERR_MAX];
	char *path = stage_path(dir, STAGE_MANIFEST);
	int gave_up;

	for (int i = 0; access(path, F_OK) != 0 && i < timeout_ms; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	manifest_clear(m);
	gave_up = manifest_read(path, m, err, sizeof err) == 0 && m->status == MANIFEST_FAILED;
	free(path);
	return gave_up;
}

const char *stage_outcome_name(stage_outcome o)
{
	return (unsigned)o < sizeof outcome_names / sizeof outcome_names[0] ? outcome_names[o] : "?";
}

int stage_result_print(FILE *f, const stage_result *r)
{
	return fprintf(f, "%s\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\n", stage_outcome_name(r->outcome), r->batch_id,
		       r->values, r->replaced, r->rejects, r->errors, r->warnings) < 0 ? -1 : 0;
}

int stage_result_parse(const char *line, stage_result *r)
{
	char name[16];
	int used = 0;

	memset(r, 0, sizeof *r);
	if (sscanf(line, "%15[a-z]\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld%n", name, &r->batch_id, &r->values,
		   &r->replaced, &r->rejects, &r->errors, &r->warnings, &used) != 7 ||
	    (line[used] != '\0' && strcmp(line + used, "\n") != 0))
		goto bad;
	for (size_t i = 0; i < sizeof outcome_names / sizeof outcome_names[0]; i++)
		if (strcmp(name, outcome_names[i]) == 0) {
			r->outcome = (stage_outcome)i;
			return 0;
		}
bad:
	memset(r, 0, sizeof *r);
	return -1;
}

int stage_parts_clash(manifest *const *ms, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const manifest *a = ms[i], *b = ms[j];
			if (!a->source || !b->source || strcmp(a->source, b->source) != 0)
				continue;
			for (size_t p = 0; p < a->nperiods; p++)
				for (size_t q = 0; q < b->nperiods; q++)
					if (strcmp(a->periods[p], b->periods[q]) == 0)
						return err_set(err, errlen,
							       "%s: sheets \"%s\" and \"%s\" are both read by source %s "
							       "and both have rows in period %s: each would replace the "
							       "other's slice\nhint: give each sheet a source of its own, "
							       "or put the rows of one period in one sheet",
							       a->file_name, a->sheet ? a->sheet : "", b->sheet ? b->sheet : "",
							       a->source, a->periods[p]);
		}
	return 0;
}
