/*
 * stage.c - the staging directory's contract; see stage.h.
 */
#include "lib/staging/stage.h"

#include <stdio.h>
#include <string.h>

#include "lib/catalog/cfg.h"
#include "lib/staging/manifest.h"
#include "lib/util/log.h"

int stage_open(const char *dir, const cfg *c, const char *config, manifest *m, const cfg_source **s)
{
	char path[4200], err[4096];

	snprintf(path, sizeof path, "%s/manifest.yaml", dir);
	if (manifest_read(path, m, err, sizeof err) < 0) {
		log_error_text(err);
		log_hint("is %s a staging directory written by vqr-extract?", dir);
		return EXIT_USAGE;
	}
	if (m->status && strcmp(m->status, "failed") == 0) {
		log_error("%s: the file failed at extract: %s", dir, m->reason ? m->reason : "?");
		return EXIT_REJECTED;
	}
	if (!m->source || !m->sha256 || !(*s = cfg_source_find(c, m->source))) {
		log_error("%s: source \"%s\" is not in the configuration %s", path, m->source ? m->source : "?",
			  config);
		return EXIT_USAGE;
	}
	if (m->school && strcmp(m->school, c->school_code) != 0) {
		log_error("%s: staged for school %s, the configuration %s is for %s", path, m->school, config,
			  c->school_code);
		return EXIT_USAGE;
	}
	return 0;
}
