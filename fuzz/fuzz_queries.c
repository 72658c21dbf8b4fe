/*
 * libFuzzer: bytes as a rule query file next to the shipped rules, through
 * the engine's splitting, dispatch keys and lazily compiled groups, then a
 * scan of a fixed source that calls the names such patterns key on.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/path.h"
#include "scan/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * tree-sitter 0.20.7 leaks a few bytes when ts_query_new() rejects some
 * malformed patterns (a misspelt field name with a nested pattern inside:
 * reproduced without safepip). This harness feeds malformed queries on
 * purpose, so here alone leaks from inside the library are not reported;
 * every other harness and test keeps full leak checking.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libtree-sitter.so\n";
}

static const char source[] = "import os, subprocess as sp\nfrom x import *\n"
			     "os.system(c)\nsp.run(c, shell=True)\nf()()\na.b.write_text(p)\n"
			     "x = y = 'http://10.0.0.1/' + z\ndef g(k='v', *a, **kw): return eval(k)\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sp_embedded *f;
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	int err = 0;

	sp_catalog_init(&cat);
	for (f = sp_embedded_files; f->name && !err; f++)
		if (!strncmp(f->name, "rules/", 6) && sp_str_endswith(f->name, ".json"))
			err = sp_catalog_add_rules(&cat, f->name, (const char *)f->data, f->len, NULL);
	if (!err && size < 64 * 1024 && !memchr(data, '\0', size))
		err = sp_catalog_add_queries(&cat, "fuzz.scm", (const char *)data, size, NULL);
	if (!err && !sp_catalog_seal(&cat, NULL) && !sp_engine_new(&cat, &e, NULL)) {
		struct sp_worker *w = sp_worker_new(e);
		struct sp_artifact *a = sp_artifact_new("fuzz");

		sp_worker_scan(w, a, "m.py", source, sizeof(source) - 1, SP_FILE_MODULE, 0);
		sp_engine_check(e, NULL);
		sp_artifact_free(a);
		sp_worker_free(w);
		sp_engine_free(e);
	}
	sp_catalog_release(&cat);
	return 0;
}
