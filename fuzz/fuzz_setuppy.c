/*
 * libFuzzer: setup.py through the tree-sitter Python grammar and the
 * literal-argument reader; a result is either lists of strings or a reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/setuppy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_arena a;
	struct sp_setuppy s;
	struct sp_diag d;
	size_t i, j;

	sp_arena_init(&a);
	sp_diag_clear(&d);
	if (sp_setuppy_parse(&a, (const char *)data, size, &s, &d) == 0) {
		if (!s.line || (s.ninstall_requires && !s.has_install_requires))
			abort();
		for (i = 0; i < s.ninstall_requires; i++)
			if (!s.install_requires[i] || !s.install_requires[i][0])
				abort();
		for (i = 0; i < s.nextras; i++) {
			if (!s.extras[i].name)
				abort();
			for (j = 0; j < s.extras[i].nreqs; j++)
				if (!s.extras[i].reqs[j] || !s.extras[i].reqs[j][0])
					abort();
		}
	} else if (!d.msg[0]) {
		abort();
	}
	sp_arena_release(&a);
	return 0;
}
