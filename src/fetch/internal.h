/*
 * Helpers shared by the files of src/fetch, not part of its interface.
 */
#ifndef SP_FETCH_INTERNAL_H
#define SP_FETCH_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "core/error.h"

/*
 * LEAF under the cache root (sp_store_cache_root()); NULL when there is no
 * root. The caller frees the string.
 */
char *sp_fetch_cache_dir(const char *leaf);

/*
 * Entry files of a cache laid out as ROOT/<2 hex>/.../<64 hex> with levels
 * directory levels (the store has two, the HTTP cache one). fn is called
 * for each regular file there with its directory's descriptor, its name and
 * its lstat; it returns true when it removed the file, and directories left
 * empty by removals are removed too. Anything else (links, other names) is
 * left alone. A root that does not exist has no entries. Returns 0 or
 * SP_EIO with d naming the directory that could not be read.
 */
typedef bool (*sp_fetch_walk_fn)(int dirfd, const char *name, const struct stat *st, void *arg);
int sp_fetch_walk(const char *root, unsigned levels, sp_fetch_walk_fn fn, void *arg,
		  struct sp_diag *d);

struct sp_cache_usage;
/* Entries, bytes and oldest and newest use of such a cache. */
int sp_fetch_walk_usage(const char *root, unsigned levels, struct sp_cache_usage *u,
			struct sp_diag *d);
/*
 * Removes the entries last used before `before` (unix seconds; INT64_MAX:
 * all of them), summing what went into removed.
 */
int sp_fetch_walk_prune(const char *root, unsigned levels, int64_t before,
			struct sp_cache_usage *removed, struct sp_diag *d);

/*
 * Whether a file last modified at mtime should be marked as used again: the
 * time is refreshed at most once a minute, so a warm run does not write
 * metadata for every file it reads.
 */
bool sp_fetch_touch_due(int64_t mtime, int64_t now);

#endif
