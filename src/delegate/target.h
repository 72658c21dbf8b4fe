/*
 * Facts about the target interpreter: PEP 508 marker values, the wheel tags
 * it supports in priority order, its prefix and site directories, and the
 * distributions installed there.
 *
 * The interpreter is asked once, with a short standard-library script run
 * as `PY -I -S -c SCRIPT` (no site processing, so no .pth file and no user
 * code runs; the script enters the venv by hand as site.py would). Tags
 * come from pip's own get_supported() when pip can be imported from the
 * target's site directories, so they are the list pip installs against;
 * otherwise from the script's rewrite of packaging's sys_tags() rules.
 *
 * The answer is cached under $XDG_CACHE_HOME/safepip/targets/ (else
 * ~/.cache/...), keyed by the interpreter's path as given, its real path,
 * that file's mtime and size, the venv's pyvenv.cfg and the script itself;
 * an entry is also dropped when the pip it took tags from has changed.
 * Interpreters that are scripts (pyenv shims, wrappers) are never cached:
 * what they run can change without them changing. The installed set is
 * never cached: sp_target_scan_installed() reads the site directories on
 * every run.
 *
 * struct sp_target owns everything in it; sp_target_release() frees it, also
 * after a failed sp_target_probe() or sp_target_parse().
 * Every string from the interpreter is checked (length, characters) before
 * it is kept: the interpreter's output is treated as untrusted.
 */
#ifndef SP_DELEGATE_TARGET_H
#define SP_DELEGATE_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* The PEP 508 environment markers, in the order of sp_target_marker_names. */
enum {
	SP_MARKER_IMPLEMENTATION_NAME,
	SP_MARKER_IMPLEMENTATION_VERSION,
	SP_MARKER_OS_NAME,
	SP_MARKER_PLATFORM_MACHINE,
	SP_MARKER_PLATFORM_PYTHON_IMPLEMENTATION,
	SP_MARKER_PLATFORM_RELEASE,
	SP_MARKER_PLATFORM_SYSTEM,
	SP_MARKER_PLATFORM_VERSION,
	SP_MARKER_PYTHON_FULL_VERSION,
	SP_MARKER_PYTHON_VERSION,
	SP_MARKER_SYS_PLATFORM,
	SP_MARKER_COUNT
};

extern const char *const sp_target_marker_names[SP_MARKER_COUNT];

/* One installed distribution. */
struct sp_dist {
	char *name;    /* as its METADATA spells it */
	char *key;     /* normalised (PEP 503): lower case, runs of -_. as one '-' */
	char *version;
	char *path;    /* its .dist-info (or .egg-info) directory */
	size_t site;   /* index in site_dirs of the directory it is in */
};

struct sp_target {
	char *python;      /* the interpreter as given */
	char *executable;  /* its sys.executable */
	char *prefix;      /* sys.prefix (the venv's directory in a venv) */
	char *base_prefix; /* sys.base_prefix */
	bool in_venv;      /* prefix != base_prefix */
	char *purelib, *platlib;
	char **site_dirs;  /* where installed distributions are looked for */
	size_t n_site_dirs;
	char *markers[SP_MARKER_COUNT];
	char **tags;       /* "interpreter-abi-platform", most preferred first */
	size_t n_tags;
	char *tags_source; /* "pip 23.2.1" or "builtin" */
	char *pip_file;    /* the pip/__init__.py the tags came from, NULL for builtin */
	bool from_cache;
	struct sp_dist *installed; /* sorted by key; filled by sp_target_scan_installed() */
	size_t n_installed;
	/* private: tags sorted for lookup */
	struct sp_tag_rank *tag_index;
	size_t n_tag_index;
};

struct sp_target_opts {
	bool no_cache;        /* always ask the interpreter; write no cache entry */
	bool no_pip;          /* use the built-in tag rules even when pip is importable (tests) */
	const char *cache_dir; /* NULL: $XDG_CACHE_HOME/safepip/targets or ~/.cache/... */
};

/*
 * Asks python (or the cache) for its facts, then reads the installed set.
 * Fails with the interpreter's stderr in the message when it cannot answer.
 */
int sp_target_probe(struct sp_target *t, const char *python, const struct sp_target_opts *o,
		    struct sp_diag *d);

/*
 * Parses the script's JSON answer into t (the fields above the installed
 * set). The "installed" member, if present, is ignored. For the cache and
 * for tests.
 */
int sp_target_parse(struct sp_target *t, const char *json, size_t len, struct sp_diag *d);

/* (Re)reads the installed distributions from t->site_dirs into t->installed. */
int sp_target_scan_installed(struct sp_target *t, struct sp_diag *d);

/*
 * Name and Version from the start of an installed METADATA or PKG-INFO
 * (data, len bytes; headers up to the first blank line). 0 and two new
 * strings when both are there and valid; SP_EFORMAT and NULLs otherwise.
 */
int sp_target_dist_fields(const char *data, size_t len, char **name, char **version);

/* The value of a marker variable by name, or NULL for an unknown name. */
const char *sp_target_marker(const struct sp_target *t, const char *name);

/*
 * Priority of a wheel tag (one "interp-abi-plat" triple, compared without
 * case): 0 is the most preferred; -1 when the target does not support it.
 */
long sp_target_tag_priority(const struct sp_target *t, const char *tag);

/* The installed distribution with this name (any spelling), or NULL. */
const struct sp_dist *sp_target_find_installed(const struct sp_target *t, const char *name);

/* PEP 503 normalisation of name into a new string. */
char *sp_target_name_key(const char *name);

/* The probe script, for tests that run it directly. */
extern const char sp_target_script[];

void sp_target_release(struct sp_target *t);

#endif
