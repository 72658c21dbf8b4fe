/*
 * libFuzzer: the same bytes as a wheel's RECORD, WHEEL, METADATA,
 * entry_points.txt, a root .pth file and an image (the appended-payload
 * check, which reads the image's structure), then the RECORD verification.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/checks.h"

static struct sp_catalog cat;
static bool loaded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct sp_checks *c, const char *path, const uint8_t *data, size_t size)
{
	struct sp_entry e;
	char *copy = malloc(size + 1);

	memcpy(copy, data, size);
	copy[size] = '\0';
	memset(&e, 0, sizeof(e));
	e.path = path;
	e.type = SP_ENTRY_FILE;
	e.size = (int64_t)size;
	e.complete = true;
	sp_sha256(data, size, e.sha256);
	e.head_len = size < SP_ENTRY_HEAD ? size : SP_ENTRY_HEAD;
	memcpy(e.head, data, e.head_len);
	e.data = copy;
	e.len = size;
	sp_checks_entry(c, &e);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_artifact *a;
	struct sp_checks *c;
	char *pth;
	size_t n;
	unsigned first;

	if (!loaded) {
		if (sp_catalog_load_embedded(&cat, NULL))
			abort();
		loaded = true;
	}
	a = sp_artifact_new("fuzz-1.0-py3-none-any.whl");
	a->kind = SP_SOURCE_WHEEL;
	c = sp_checks_new(&cat, a);
	feed(c, "fuzz-1.0.dist-info/WHEEL", data, size);
	feed(c, "fuzz-1.0.dist-info/METADATA", data, size);
	feed(c, "fuzz-1.0.dist-info/entry_points.txt", data, size);
	feed(c, "fuzz.pth", data, size);
	feed(c, "fuzz/logo.png", data, size);
	feed(c, "fuzz-1.0.dist-info/RECORD", data, size);
	sp_checks_finish(c);
	sp_checks_free(c);
	sp_artifact_free(a);
	pth = sp_pth_code((const char *)data, size, &n, &first);
	free(pth);
	return 0;
}
