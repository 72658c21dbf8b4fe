/*
 * The verdict cache: what scanning an artifact found, kept in SQLite at
 * <cache root>/verdicts.sqlite (see sp_store_cache_root()), so that a file
 * already scanned is not scanned again.
 *
 * An entry is keyed by the artifact's SHA-256, the base name it was
 * scanned under (the scanner decides a file's kind and the role of a lone
 * source file from its name), the engine version and the catalog hash: a
 * new safepip or a changed rule set misses every old entry. An entry holds
 * the artifact's facts (name, version, kind, purity, counts) and every
 * finding; never a verdict, which the caller recomputes from the current
 * policy, so a policy change takes effect without rescanning. Artifacts
 * whose scan failed, and those with a timing-dependent finding (a source
 * that timed out), are not stored.
 *
 * The database is untrusted on read. Each row carries a SHA-256 over its
 * key and payload, so a torn or edited row is a miss; a payload that does
 * not decode, or names a rule the catalog does not have, is a miss. A file
 * that is not an SQLite database, is damaged, or belongs to another
 * program or schema version is renamed aside (never deleted) and a new one
 * is made; sp_vcache_warning() says so. Any error is a miss: a lookup
 * never fails, it only costs a scan. The cache trusts the user's own files
 * no more than the artifact store does: someone who can write them could
 * also change the files that are installed.
 *
 * Several processes may share one database: WAL journal, a busy timeout
 * (SP_VCACHE_BUSY_MS), one short transaction per store. Each process holds
 * a shared flock() on <path>.lock while it has the database open; renaming
 * a database aside takes it exclusively, so a database is never moved from
 * under a process using it (that process's run goes without the cache).
 *
 * Ownership: sp_vcache_open() returns a cache freed by sp_vcache_close().
 * Artifacts returned by sp_vcache_get() and sp_vcache_decode() belong to
 * the caller (sp_artifact_free()); their findings point at the rules of
 * the catalog given at open, which must outlive them.
 */
#ifndef SP_CACHE_VCACHE_H
#define SP_CACHE_VCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "fetch/store.h"
#include "scan/scan.h"

#define SP_VCACHE_FILE "verdicts.sqlite"

/*
 * The engine version in the key, followed by the program's GNU build id
 * when it has one ("0.1.0+engine.1+build.3a43..."), so that any rebuild
 * starts afresh. The part after the first '+' is bumped whenever the
 * scanner can find something different in the same bytes with the same
 * catalog (a new check in code, a changed context rule), for builds
 * without a build id.
 */
#define SP_VCACHE_ENGINE SP_VERSION "+engine.1"

struct sp_vcache;

struct sp_vcache_opts {
	const char *path;                 /* NULL: <cache root>/verdicts.sqlite */
	const char *engine;               /* NULL: SP_VCACHE_ENGINE and the build id */
	const struct sp_catalog *catalog; /* sealed; NULL for maintenance only */
};

struct sp_vcache_stats {
	size_t hits;   /* artifacts answered from the cache */
	size_t misses; /* lookups that found no usable entry */
	size_t stores; /* entries written */
};

/*
 * Opens (creating it and its directory) the database. A database set
 * aside is not an error: the warning says where it went. Fails only when
 * no path can be found or the database cannot be opened or made at all;
 * callers then go without the cache.
 */
int sp_vcache_open(struct sp_vcache **out, const struct sp_vcache_opts *o, struct sp_diag *d);
/* Writes pending last-use times, closes, frees; NULL is allowed. */
void sp_vcache_close(struct sp_vcache *c);
/* What open had to do (set aside, rebuilt, or left without a cache), or NULL. */
const char *sp_vcache_warning(const struct sp_vcache *c);
const char *sp_vcache_path(const struct sp_vcache *c);
void sp_vcache_stats(const struct sp_vcache *c, struct sp_vcache_stats *out);

/*
 * The cached scan of the file with this SHA-256 that the scanner would be
 * given as target (its base name is part of the key). 0 and a new artifact
 * (target set to target, sha256 set) on a hit; SP_ENOENT on a miss, which
 * is also what every error and every damaged entry gives.
 */
int sp_vcache_get(struct sp_vcache *c, const unsigned char sha256[SP_SHA256_LEN],
		  const char *target, struct sp_artifact **out);

/*
 * sp_vcache_get() for a local file, hashed first. Anything but a regular
 * file (a directory, a fifo) cannot be cached: SP_ENOENT, not counted as a
 * miss.
 */
int sp_vcache_get_file(struct sp_vcache *c, const char *path, struct sp_artifact **out);

/*
 * Stores a scanned artifact under its sha256 and the base name of its
 * target, replacing an entry with the same key. SP_EINVAL (nothing stored)
 * for an artifact that failed, has no sha256 (a directory) or has a
 * timed-out source; SP_ELIMIT when it encodes to more than
 * SP_VCACHE_MAX_PAYLOAD; SP_EIO when the database refused it.
 */
int sp_vcache_put(struct sp_vcache *c, const struct sp_artifact *a);

/* Entries, bytes on disk (database and journal) and last-use range. */
int sp_vcache_usage(struct sp_vcache *c, struct sp_cache_usage *u, struct sp_diag *d);
/*
 * Removes entries last used before the Unix time before (INT64_MAX: all of
 * them, and the databases set aside earlier too), then compacts the file.
 * removed counts entries and payload bytes.
 */
int sp_vcache_prune(struct sp_vcache *c, int64_t before, struct sp_cache_usage *removed,
		    struct sp_diag *d);

/*
 * The payload of an entry, exposed for the tests and the fuzzer. encode
 * appends to out (whose max bounds the size; SP_ELIMIT past it). decode
 * checks every byte and returns 0 and a new artifact named target, or
 * SP_EFORMAT for anything that encode could not have written, or
 * SP_ENOENT for a rule id that cat does not have.
 */
int sp_vcache_encode(const struct sp_artifact *a, struct sp_buf *out);
int sp_vcache_decode(const void *p, size_t n, const struct sp_catalog *cat, const char *target,
		     struct sp_artifact **out);

#endif
