/*
 * The dependencies a setuptools setup.py declares, read with the
 * tree-sitter Python grammar and never run: the install_requires,
 * extras_require and python_requires arguments of its one setup() call,
 * when each is a literal (a string, or a list or tuple of strings; for
 * extras a dict of those) or a module-level name bound once to such a
 * literal and used nowhere else. Anything computed means "unknown".
 *
 * Ownership: every string and list lives in the arena passed to
 * sp_setuppy_parse() and is freed with it.
 */
#ifndef SP_RESOLVE_SETUPPY_H
#define SP_RESOLVE_SETUPPY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "resolve/pyproject.h"

struct sp_setuppy {
	unsigned line;                      /* of the setup() call */
	bool has_install_requires;
	const char *const *install_requires; /* one requirement per item, as written */
	size_t ninstall_requires;
	bool has_extras_require;
	/* Keys as written: "name" or setuptools' "name:marker". */
	struct sp_static_extra *extras;
	size_t nextras;
	const char *python_requires;        /* NULL when absent */
};

/*
 * Reads text (len bytes). Returns 0 when all three arguments are absent
 * or literal; SP_EUNSUPPORTED when they cannot be known without running
 * the file, with the reason in d (d->line where it is); SP_ELIMIT past a
 * cap. A string argument holds one requirement per line, as setuptools
 * reads it ("#" comments and blank lines dropped).
 */
int sp_setuppy_parse(struct sp_arena *a, const char *text, size_t len, struct sp_setuppy *out,
		     struct sp_diag *d);

#endif
