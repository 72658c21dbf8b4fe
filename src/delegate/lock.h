/*
 * The lock file and wheelhouse the installer runs against: exactly the
 * scanned files, each pinned by name, version and sha256.
 *
 * A lock line is `name==version --hash=sha256:HEX [--hash=sha256:HEX...]`:
 * one line per project, one hash per scanned file of it (a wheel and its
 * sdist, or wheels for several tags). Items marked build_only are the build
 * requirements of sdists: they go into the wheelhouse, where pip's isolated
 * build environment finds them (pip passes --no-index and --find-links on
 * to it), and into the lock file only as comments, since installing them
 * into the target is not what was asked. See run.c for why that is safe.
 *
 * The wheelhouse is a fresh directory per run (mode 0700), holding hard
 * links to the store's files when they are on the same file system, else
 * copies; every file is hashed again once in place, so what the installer
 * reads is what was scanned. sp_lock_remove() deletes it all.
 *
 * Items are borrowed for the duration of a call; struct sp_lock owns its
 * strings.
 */
#ifndef SP_DELEGATE_LOCK_H
#define SP_DELEGATE_LOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

struct sp_lock_item {
	const char *name;     /* project name (PEP 508) */
	const char *version;  /* PEP 440 version, as pinned */
	const char *filename; /* the file's name on the index; pip reads tags and version from it */
	const char *path;     /* the scanned file, in the store */
	const char *sha256;   /* lower-case hex of the scanned bytes */
	bool build_only;      /* only needed to build an sdist */
};

struct sp_lock {
	char *dir;        /* the per-run directory; everything below is in it */
	char *lock_path;  /* dir/requirements.txt */
	char *wheelhouse; /* dir/wheelhouse */
	size_t n_linked;  /* files hard-linked from the store */
	size_t n_copied;  /* files copied (the store is on another file system) */
};

/*
 * Writes the lock file's text for items into out. Checks every field
 * (name, version, file name and hash syntax) and refuses two different
 * versions of one project among the installed (not build_only) items.
 * Lines are sorted by normalised name, so the text is reproducible.
 */
int sp_lock_format(const struct sp_lock_item *items, size_t n, struct sp_buf *out,
		   struct sp_diag *d);

/*
 * Makes the directory (under base; NULL: $TMPDIR or /tmp), fills the
 * wheelhouse and writes the lock file. On failure nothing is left behind.
 */
int sp_lock_prepare(struct sp_lock *l, const struct sp_lock_item *items, size_t n,
		    const char *base, struct sp_diag *d);

/* Deletes the directory and its content, and frees l's strings. Safe on a zeroed l. */
void sp_lock_remove(struct sp_lock *l);

#endif
