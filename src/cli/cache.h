/*
 * The verdict cache as `install`, `download`, `policy explain` and `scan`
 * use it: open it unless turned off, answer each artifact from it or from
 * the scanner, store what was scanned, say how much was reused.
 *
 * Ownership: the cache returned by cli_vcache_open() is closed with
 * sp_vcache_close(); artifacts returned by cli_vcache_get() are the
 * caller's, like the scanner's.
 */
#ifndef SP_CLI_CACHE_H
#define SP_CLI_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cache/vcache.h"

/*
 * The verdict cache for scans with cat, or NULL when it is off (off is
 * true, or SAFEPIP_NO_VERDICT_CACHE is set to anything but "" or "0") or
 * cannot be used at all. Its warnings go to stderr, prefixed by prog.
 */
struct sp_vcache *cli_vcache_open(const struct sp_catalog *cat, bool off, const char *prog);

/*
 * The cached scan of target (the path the scanner would be given), or NULL
 * on a miss. sha256_hex is the file's hash when known (the store's), else
 * NULL and the file is hashed. vc may be NULL.
 */
struct sp_artifact *cli_vcache_get(struct sp_vcache *vc, const char *target,
				   const char *sha256_hex);

/*
 * After sp_scanner_wait(): stores every artifact not taken from the cache
 * (hit[i] false). A database that refuses a store is warned about once.
 */
void cli_vcache_store(struct sp_vcache *vc, struct sp_artifact **arts, const bool *hit, size_t n,
		      const char *prog);

/* "scanned 2 artifacts, 28 from the verdict cache" for n artifacts in all. */
void cli_vcache_summary(FILE *out, const struct sp_vcache *vc, size_t n);

#endif
