/* libFuzzer: one Python source through the whole engine (parse, imports, predicates). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "scan/engine.h"

static struct sp_catalog cat;
static struct sp_engine *engine;
static struct sp_worker *worker;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_artifact *a;

	if (!engine) {
		if (sp_catalog_load_embedded(&cat, NULL) || sp_engine_new(&cat, &engine, NULL))
			abort();
		worker = sp_worker_new(engine);
	}
	a = sp_artifact_new("fuzz");
	sp_worker_scan(worker, a, size & 1 ? "pkg/__init__.py" : "setup.py", (const char *)data, size,
		       size & 1 ? SP_FILE_INIT : SP_FILE_SETUP, 0);
	sp_artifact_free(a);
	return 0;
}
