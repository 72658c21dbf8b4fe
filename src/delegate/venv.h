/*
 * The environment packages are installed into: which interpreter, whether
 * it is a virtual environment, and whether installing there is allowed.
 *
 * Order of discovery: --python (an interpreter, or a virtual environment's
 * directory), else $VIRTUAL_ENV, else ./.venv; with --create-venv a missing
 * ./.venv is made. Without any of these there is no target, unless the
 * policy allows installing outside a virtual environment, when python3
 * from PATH is used.
 *
 * struct sp_venv owns its strings; sp_venv_release() frees them.
 */
#ifndef SP_DELEGATE_VENV_H
#define SP_DELEGATE_VENV_H

#include <stdbool.h>

#include "core/error.h"

/* The command a refusal suggests, in every message that needs one. */
#define SP_VENV_HINT "python3 -m venv .venv && . .venv/bin/activate"

enum sp_venv_source {
	SP_VENV_FROM_OPTION,  /* --python */
	SP_VENV_FROM_ENV,     /* $VIRTUAL_ENV */
	SP_VENV_FROM_DOTVENV, /* ./.venv */
	SP_VENV_CREATED,      /* ./.venv, made by --create-venv */
	SP_VENV_FROM_PATH,    /* python3 from PATH (outside a venv, when allowed) */
};

struct sp_venv {
	char *python; /* absolute path of the interpreter to run; links not resolved */
	char *prefix; /* the venv's directory (where pyvenv.cfg is), NULL outside a venv */
	bool is_venv; /* a pyvenv.cfg next to the interpreter or one level up (PEP 405) */
	enum sp_venv_source source;
};

struct sp_venv_opts {
	const char *python;       /* --python: interpreter or venv directory; NULL if not given */
	bool create;              /* --create-venv: make ./.venv when no target is found */
	bool allow_system;        /* policy: installing outside a virtual environment is allowed */
	bool allow_root;          /* policy: running as root is allowed */
	const char *base_python;  /* interpreter that creates ./.venv; NULL: python3 from PATH */
	const char *virtual_env;  /* value of $VIRTUAL_ENV; NULL: read the environment */
	const char *cwd;          /* where ./.venv is looked for; NULL: the working directory */
};

/*
 * Finds the target (see the top of this file). Does not check root or
 * refuse a non-venv: that is sp_venv_check(), so pass-through commands can
 * find the same target without being refused.
 */
int sp_venv_find(const struct sp_venv_opts *o, struct sp_venv *v, struct sp_diag *d);

/*
 * Refuses what the policy does not allow: running as root (effective uid
 * 0), or a target that is not a virtual environment. is_venv is the final
 * answer (the target's own sys.prefix != sys.base_prefix when known).
 */
int sp_venv_check(const struct sp_venv_opts *o, const char *python, bool is_venv,
		  struct sp_diag *d);

/*
 * Creates a virtual environment at dir with `base_python -m venv [--without-pip] dir`.
 * base_python NULL: python3 from PATH.
 */
int sp_venv_create(const char *dir, const char *base_python, bool with_pip, struct sp_diag *d);

/*
 * Whether the interpreter at python belongs to a venv: a pyvenv.cfg in its
 * directory or the one above. Returns that directory (a new string) or NULL.
 */
char *sp_venv_prefix_of(const char *python);

/*
 * Reads key from the pyvenv.cfg in prefix ("include-system-site-packages",
 * "home", "version"...). Returns a new string, or NULL when absent.
 */
char *sp_venv_cfg_get(const char *prefix, const char *key);

void sp_venv_release(struct sp_venv *v);

#endif
