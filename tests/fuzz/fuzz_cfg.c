/*
 * fuzz_cfg.c - the configuration loader (cfg.c) on any bytes as the
 * deployment file (relative includes resolve beside the scratch file, so
 * they are missing).  A load either gives a configuration or a message
 * "file:line:col: ..." naming a file it read.  The overlay code
 * (cfg_overlay.c) is reached from seeds that define a catalog and overlay
 * it in the same file (tests/data/overlay/self.yaml).
 */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "lib/catalog/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "";
	const char *path = fuzz_file(data, size, ".yaml");
	cfg *c = cfg_load(path, err, sizeof err);

	if (!c) {
		if (!err[0])
			abort();
		return 0;
	}
	if (!c->school_code || !c->inbox || c->limits.max_field_bytes > c->limits.max_record_bytes)
		abort();
	cfg_free(c);
	return 0;
}
