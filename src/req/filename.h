/*
 * Distribution file names: wheels (PEP 427/491) and sdists.
 *
 * Results live in the caller's arena and are freed with it.
 */
#ifndef SP_REQ_FILENAME_H
#define SP_REQ_FILENAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "req/version.h"

struct sp_wheel_tag {
	const char *python;   /* "py3", "cp311" */
	const char *abi;      /* "none", "cp311", "abi3" */
	const char *platform; /* "any", "manylinux_2_17_x86_64" */
};

struct sp_wheel_name {
	const char *name;	  /* as in the file name, '_' turned back into '-' */
	const char *key;	  /* normalised (PEP 503) */
	const char *version_text; /* as in the file name, '_' turned back into '-' */
	struct sp_version version;
	/*
	 * The optional build tag ("1", "2b"): pip orders candidates by
	 * (number, rest), and a wheel without one before any with one.
	 */
	bool has_build;
	uint64_t build_num;
	const char *build_rest;
	/* Every (python, abi, platform) triple of the compressed tag sets. */
	struct sp_wheel_tag *tags;
	size_t ntags;
};

/*
 * Parses "name-version(-build)?-python-abi-platform.whl" (the base name,
 * no directories). Tag sets may be compressed with '.' ("py2.py3"). The
 * name must be a valid project name and the version PEP 440. Returns 0, or
 * SP_EFORMAT with d set; SP_ELIMIT past SP_MAX_FILENAME_LEN or
 * SP_MAX_WHEEL_TAGS.
 */
int sp_wheel_name_parse(struct sp_arena *a, const char *filename, struct sp_wheel_name *out,
			struct sp_diag *d);

/* Orders build tags as pip does: none < (1, "") < (1, "a") < (2, ""). */
int sp_wheel_build_cmp(const struct sp_wheel_name *a, const struct sp_wheel_name *b);

struct sp_sdist_name {
	const char *name;	  /* as in the file name */
	const char *version_text; /* as in the file name */
	struct sp_version version;
	const char *ext; /* ".tar.gz", ".zip", ".tar.bz2", ".tar.xz" or ".tgz" (lower case) */
};

/*
 * Parses "name-version.ext" with ext one of .tar.gz, .zip, .tar.bz2,
 * .tar.xz, .tgz (any case). As pip does, the name ends at the first '-'
 * before which the text normalises to key (the project's normalised name),
 * so "foo-bar-1.0.tar.gz" and "foo_bar-1.0.tar.gz" both give 1.0 for
 * "foo-bar". Without a key, the name ends at the first '-' that leaves a
 * valid name before it and a valid version after it. Returns 0, or
 * SP_EFORMAT with d set (SP_ENOENT when the name is not key's).
 */
int sp_sdist_name_parse(struct sp_arena *a, const char *filename, const char *key,
			struct sp_sdist_name *out, struct sp_diag *d);

#endif
