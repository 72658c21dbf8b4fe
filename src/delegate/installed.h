/*
 * What an installed distribution owns, from its RECORD, and whether those
 * files are still what was installed: `safepip audit` reads this for every
 * distribution of a target environment.
 *
 * RECORD paths are relative to the site directory the .dist-info is in
 * (scripts are "../../../bin/x"); they are joined and normalised without
 * touching the file system, and a path that leaves the environment's
 * prefix is a problem, never read. A distribution without RECORD (an
 * .egg-info, or one whose RECORD was deleted) lists what its
 * installed-files.txt names, unverified.
 *
 * struct sp_installed owns every string in it; sp_installed_release()
 * frees them.
 */
#ifndef SP_DELEGATE_INSTALLED_H
#define SP_DELEGATE_INSTALLED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/error.h"
#include "delegate/target.h"

struct sp_installed_file {
	char *path;  /* on disk, absolute and normalised */
	char *name;  /* as RECORD lists it */
	char *hash;  /* sha256 in RECORD's urlsafe base64 (no padding), or NULL */
	int64_t size; /* from RECORD, -1 when not given */
};

enum sp_installed_problem_kind {
	SP_IP_MODIFIED,   /* content or size differs from RECORD */
	SP_IP_MISSING,    /* listed, not there */
	SP_IP_NOT_FILE,   /* listed, but a link, a directory or a special file */
	SP_IP_OUTSIDE,    /* listed outside the environment's prefix: not read */
	SP_IP_NO_RECORD,  /* no RECORD: nothing can be verified */
	SP_IP_BAD_RECORD, /* a row that cannot be used, or RECORD unreadable */
	SP_IP_UNREADABLE, /* listed, there, but cannot be read */
};

struct sp_installed_problem {
	enum sp_installed_problem_kind kind;
	char *name;    /* the RECORD path (or RECORD itself) */
	unsigned line; /* RECORD line, 0 when not about one */
	char *detail;
};

struct sp_installed {
	char *record;  /* the RECORD (or installed-files.txt) path, NULL when none */
	struct sp_installed_file *files;
	size_t nfiles;
	struct sp_installed_problem *problems;
	size_t nproblems;
	size_t unhashed; /* rows without a hash (.pyc files pip compiled), not verifiable */
};

/*
 * Reads what dist owns in t into out. Problems found in RECORD itself are
 * added to out->problems; only failing to allocate or a dist outside t's
 * site directories is an error.
 */
int sp_installed_read(const struct sp_target *t, const struct sp_dist *dist,
		      struct sp_installed *out, struct sp_diag *d);

/*
 * Hashes every listed file that has a hash and compares content and size
 * with RECORD, adding a problem for each file modified, missing, not a
 * regular file or unreadable.
 */
void sp_installed_verify(struct sp_installed *in);

const char *sp_installed_problem_name(enum sp_installed_problem_kind kind);

void sp_installed_release(struct sp_installed *in);

#endif
