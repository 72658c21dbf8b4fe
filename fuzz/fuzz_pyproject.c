/*
 * libFuzzer: pyproject.toml through the tree-sitter TOML grammar, then the
 * invariants of what was read (lists hold strings, flags match the fields).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolve/pyproject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!v[i] || memchr(v[i], '\0', strlen(v[i]) + 1) != v[i] + strlen(v[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_arena a;
	struct sp_pyproject p;
	struct sp_diag d;
	size_t i;

	sp_arena_init(&a);
	sp_diag_clear(&d);
	if (sp_pyproject_parse(&a, (const char *)data, size, &p, &d) == 0) {
		if (p.nbuild_requires && !p.has_build_requires)
			abort();
		if (p.ndependencies && !p.has_dependencies)
			abort();
		if ((p.build_backend || p.has_build_requires) && !p.has_build_system)
			abort();
		if ((p.name || p.nextras || p.ndynamic) && !p.has_project)
			abort();
		check_list(p.build_requires, p.nbuild_requires);
		check_list(p.dependencies, p.ndependencies);
		check_list(p.dynamic, p.ndynamic);
		for (i = 0; i < p.nextras; i++) {
			if (!p.extras[i].name)
				abort();
			check_list(p.extras[i].reqs, p.extras[i].nreqs);
		}
		(void)sp_pyproject_is_dynamic(&p, "dependencies");
	} else if (!d.msg[0]) {
		abort();
	}
	sp_arena_release(&a);
	return 0;
}
