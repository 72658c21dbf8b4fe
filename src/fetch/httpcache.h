/*
 * An HTTP cache for index pages, so a second resolve asks the server only
 * "has this changed?" (If-None-Match / If-Modified-Since) and a 304 is
 * answered from disk.
 *
 * Entries are keyed by the URL without credentials plus the Accept header
 * (PEP 691 negotiates JSON or HTML on the same URL). Each is one file,
 * ROOT/ab/<sha256 of the key>, written to a temporary name and renamed:
 *
 *     safepip-httpcache 1
 *     url <url>
 *     accept <accept>
 *     etag <value>            (each header line optional)
 *     last-modified <value>
 *     content-type <value>
 *     body-size <decimal>
 *     body-sha256 <hex>
 *                             (an empty line)
 *     <body bytes>
 *
 * Entry files are untrusted on read (another program or a full disk may
 * have mangled them): an entry that does not parse, whose body does not
 * match its size and hash, or whose key is not the one asked for is
 * ignored, and the page is fetched whole.
 *
 * Ownership: sp_httpcache_open() returns a cache freed by
 * sp_httpcache_free(). A struct sp_httpcache_entry filled by get or parse
 * owns its strings and body until sp_httpcache_entry_release().
 */
#ifndef SP_FETCH_HTTPCACHE_H
#define SP_FETCH_HTTPCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "fetch/store.h"

struct sp_httpcache;

struct sp_httpcache_entry {
	char *url;    /* without credentials */
	char *accept; /* "" when the request had none */
	char *etag;   /* NULL when absent, as are the next two */
	char *last_modified;
	char *content_type;
	struct sp_buf body;
};

/* $XDG_CACHE_HOME/safepip/http or ~/.cache/safepip/http; NULL if unknown. */
char *sp_httpcache_default_root(void);

/* Opens (creating it, mode 0700) the cache at root, or the default root. */
int sp_httpcache_open(struct sp_httpcache **out, const char *root, struct sp_diag *d);
void sp_httpcache_free(struct sp_httpcache *c);

void sp_httpcache_entry_init(struct sp_httpcache_entry *e);
void sp_httpcache_entry_release(struct sp_httpcache_entry *e);

/*
 * Fills e with the entry for (url, accept); url may carry credentials (they
 * are not part of the key). Returns 0, or SP_ENOENT when there is no usable
 * entry (absent, corrupt or for another key: a corrupt file is deleted).
 * An entry found is marked as used now, for sp_httpcache_prune().
 */
int sp_httpcache_get(struct sp_httpcache *c, const char *url, const char *accept,
		     struct sp_httpcache_entry *e);

/*
 * Stores body (len bytes) with its validators for (url, accept), replacing
 * any entry. A response with neither ETag nor Last-Modified cannot be
 * revalidated and is not stored (returns 0). Bodies over
 * SP_FETCH_MAX_PAGE_BYTES and header values over SP_FETCH_MAX_HEADER_VALUE
 * are not stored either.
 */
int sp_httpcache_put(struct sp_httpcache *c, const char *url, const char *accept, const char *etag,
		     const char *last_modified, const char *content_type, const void *body,
		     size_t len, struct sp_diag *d);

/* Forgets the entry for (url, accept), if any. */
void sp_httpcache_drop(struct sp_httpcache *c, const char *url, const char *accept);

/*
 * Counts the entries of the cache at root into u (zeroed first); a root
 * that does not exist is an empty cache. An entry's last use is its file's
 * modification time, which sp_httpcache_get() refreshes.
 */
int sp_httpcache_usage(const char *root, struct sp_cache_usage *u, struct sp_diag *d);

/*
 * Removes the entries of the cache at root last used before the Unix time
 * before (INT64_MAX: all of them) and stale temporary files; counts the
 * removed entries into removed (zeroed first). The only eviction the cache
 * has: without it, pages of projects no longer used stay forever.
 */
int sp_httpcache_prune(const char *root, int64_t before, struct sp_cache_usage *removed,
		       struct sp_diag *d);

/*
 * Parses the bytes of one entry file into e (exposed for the fuzzer).
 * Returns 0, or SP_EFORMAT / SP_ELIMIT / SP_EHASH with e left empty.
 */
int sp_httpcache_parse(const char *data, size_t len, struct sp_httpcache_entry *e);

#endif
