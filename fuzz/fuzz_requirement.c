/*
 * libFuzzer: PEP 508 requirements and their markers. Parses the input as a
 * requirement (and, failing that, as a bare marker), evaluates any marker
 * in two environments with and without extras, and checks that the
 * canonical text parses back to the same canonical text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/limits.h"
#include "req/marker.h"
#include "req/requirement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const extras[] = {"test", "Docs_Extra"};

static const struct sp_marker_env envs[] = {
	{"3.11", "3.11.4", "posix", "linux", "6.1.0-10-amd64", "Linux", "#1 SMP", "x86_64",
	 "CPython", "cpython", "3.11.4", NULL, 0},
	{"3.12", "3.12.0rc1", "nt", "win32", "10", "Windows", "10.0.19045", "AMD64", "PyPy", "pypy",
	 "7.3.12", extras, 2},
};

static void evaluate(const struct sp_marker *m)
{
	size_t i;

	for (i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
		int r = sp_marker_evaluate(m, &envs[i], NULL);

		if (r != 0 && r != 1 && r != SP_EINVAL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct sp_requirement *r, *again;
	struct sp_marker *m, *m2;
	struct sp_arena a;
	struct sp_buf b, b2;

	sp_arena_init(&a);
	sp_buf_init(&b, 4 * SP_MAX_REQUIREMENT_LEN);
	sp_buf_init(&b2, 4 * SP_MAX_REQUIREMENT_LEN);
	if (sp_requirement_parse(&a, s, size, &r, NULL) == 0) {
		if (r->marker)
			evaluate(r->marker);
		if (sp_requirement_format(r, &b))
			abort();
		if (b.len <= SP_MAX_REQUIREMENT_LEN) {
			if (sp_requirement_parse(&a, b.data, b.len, &again, NULL) ||
			    sp_requirement_format(again, &b2) || strcmp(b.data, b2.data))
				abort();
		}
	} else if (sp_marker_parse(&a, s, size, &m, NULL) == 0) {
		evaluate(m);
		if (sp_marker_format(m, &b))
			abort();
		if (b.len <= SP_MAX_REQUIREMENT_LEN) {
			if (sp_marker_parse(&a, b.data, b.len, &m2, NULL) ||
			    sp_marker_format(m2, &b2) || strcmp(b.data, b2.data))
				abort();
		}
	}
	sp_buf_release(&b2);
	sp_buf_release(&b);
	sp_arena_release(&a);
	return 0;
}
