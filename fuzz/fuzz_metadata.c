/*
 * libFuzzer: core metadata (METADATA / PKG-INFO), then every Requires-Dist
 * through the PEP 508 parser and the static-dependency rule.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "req/metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_metadata m;
	struct sp_diag d;

	sp_diag_clear(&d);
	if (sp_metadata_parse(&m, (const char *)data, size, &d) == 0) {
		struct sp_arena a;
		struct sp_requirement **reqs;
		size_t n;

		if (!m.name || !m.version_text || !m.metadata_version)
			abort();
		(void)sp_metadata_requires_dist_is_static(&m);
		sp_arena_init(&a);
		if (sp_metadata_requirements(&m, &a, &reqs, &n, &d) == 0 && n != m.nrequires_dist)
			abort();
		sp_arena_release(&a);
	} else if (!d.msg[0]) {
		abort();
	}
	sp_metadata_release(&m);
	return 0;
}
