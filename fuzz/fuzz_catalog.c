/* libFuzzer: bytes as a rules JSON file, then as a query file. */
#include <stddef.h>
#include <stdint.h>

#include "scan/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_catalog cat;
	struct sp_engine *e = NULL;

	sp_catalog_init(&cat);
	if (sp_catalog_add_rules(&cat, "fuzz.json", (const char *)data, size, NULL) == 0 &&
	    sp_catalog_seal(&cat, NULL) == 0 && sp_engine_new(&cat, &e, NULL) == 0)
		sp_engine_free(e);
	sp_catalog_release(&cat);
	return 0;
}
