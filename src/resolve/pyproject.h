/*
 * What a pyproject.toml says without running anything: the [build-system]
 * table pip reads to set up a build, and the static parts of the PEP 621
 * [project] table (dependencies, optional-dependencies, requires-python,
 * dynamic). The TOML is parsed by the tree-sitter TOML grammar; only the
 * keys above are read, wherever TOML lets them be written (a [table], a
 * dotted key, an inline table).
 *
 * Ownership: every string and list of a struct sp_pyproject lives in the
 * arena passed to sp_pyproject_parse() and is freed with it.
 */
#ifndef SP_RESOLVE_PYPROJECT_H
#define SP_RESOLVE_PYPROJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"

/* One extra's requirements, as written (PEP 508 strings, not checked here). */
struct sp_static_extra {
	const char *name;
	const char *const *reqs;
	size_t nreqs;
};

struct sp_pyproject {
	/* [build-system] */
	bool has_build_system;
	bool has_build_requires;           /* "requires" present */
	const char *const *build_requires;
	size_t nbuild_requires;
	const char *build_backend;         /* NULL when absent */
	bool has_backend_path;
	/* [project] */
	bool has_project;
	const char *name, *version;        /* NULL when absent */
	const char *requires_python;       /* NULL when absent */
	bool has_dependencies;
	const char *const *dependencies;
	size_t ndependencies;
	struct sp_static_extra *extras;    /* optional-dependencies, in file order */
	size_t nextras;
	const char *const *dynamic;        /* field names, as written */
	size_t ndynamic;
};

/*
 * Parses text (len bytes). Fails with SP_EPARSE (d->line set) when the
 * TOML does not parse, SP_EFORMAT (d->where names the key) when a key read
 * here has the wrong type or is given twice, SP_ELIMIT past a cap. Keys
 * outside [build-system] and [project] are not looked at beyond syntax.
 */
int sp_pyproject_parse(struct sp_arena *a, const char *text, size_t len,
		       struct sp_pyproject *out, struct sp_diag *d);

/* Whether [project] lists field (e.g. "dependencies") in "dynamic". */
bool sp_pyproject_is_dynamic(const struct sp_pyproject *p, const char *field);

#endif
