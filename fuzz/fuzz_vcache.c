/*
 * libFuzzer: the bytes as a verdict cache payload (src/cache/vcache.c reads
 * those back from an SQLite file anyone with the user's rights can edit).
 * Whatever decodes must re-encode to the same bytes: the format has one
 * spelling per artifact, so nothing is accepted that safepip did not write.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/vcache.h"
#include "core/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sp_catalog cat;
	static int loaded;
	struct sp_artifact *a = NULL;
	struct sp_buf again;

	if (!loaded) {
		struct sp_diag d;

		if (sp_catalog_load_embedded(&cat, &d) != 0)
			abort();
		loaded = 1;
	}
	if (sp_vcache_decode(data, size, &cat, "fuzz.whl", &a) != 0) {
		if (a)
			abort();
		return 0;
	}
	sp_buf_init(&again, SP_VCACHE_MAX_PAYLOAD);
	if (sp_vcache_encode(a, &again) != 0 || again.len != size ||
	    memcmp(again.data, data, size) != 0)
		abort();
	sp_buf_release(&again);
	sp_artifact_free(a);
	return 0;
}
