/*
 * stage.h - the staging directory: what one stage leaves for the next
 * (docs/ARCHITECTURE.md, "Staging").
 */
#ifndef VQR_STAGE_H
#define VQR_STAGE_H

struct cfg;
struct cfg_source;
struct manifest;

/* Open the staging directory dir written by vqr-extract: read its
 * manifest into m (zeroed by the caller, cleared by the caller), refuse a
 * file that failed at extract, and find its source in c.  0, or an exit
 * status for main after saying what is wrong (config names the
 * configuration file in messages). */
int stage_open(const char *dir, const struct cfg *c, const char *config, struct manifest *m,
		   const struct cfg_source **s);

#endif
