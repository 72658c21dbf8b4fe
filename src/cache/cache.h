/*
 * safepip's three caches taken together, for `safepip cache`: the artifact
 * store (src/fetch/store.c), the HTTP page cache (src/fetch/httpcache.c)
 * and the verdict cache (vcache.h), all under one root
 * (sp_store_cache_root()): ROOT/artifacts, ROOT/http, ROOT/verdicts.sqlite.
 *
 * Ownership: struct sp_cache_set owns its paths and messages until
 * sp_cache_set_release().
 */
#ifndef SP_CACHE_CACHE_H
#define SP_CACHE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "fetch/store.h"

enum sp_cache_part_id {
	SP_CACHE_ARTIFACTS,
	SP_CACHE_HTTP,
	SP_CACHE_VERDICTS,
	SP_CACHE__COUNT
};

struct sp_cache_part {
	const char *name;            /* "artifacts", "http", "verdicts" */
	char *path;
	struct sp_cache_usage usage; /* what it holds, or what was removed */
	int err;                     /* 0, or why this part could not be read or changed */
	char *msg;                   /* the error, or a warning (database set aside); or NULL */
};

struct sp_cache_set {
	char *root;
	struct sp_cache_part part[SP_CACHE__COUNT];
};

/* root NULL: sp_store_cache_root(); SP_EINVAL when there is none. */
int sp_cache_set_init(struct sp_cache_set *s, const char *root, struct sp_diag *d);
void sp_cache_set_release(struct sp_cache_set *s);

/* Fills every part's usage; a cache never written is empty (nothing is created). */
void sp_cache_info(struct sp_cache_set *s);

/*
 * Removes, from every part, what was last used before the Unix time before
 * (INT64_MAX: everything); each part's usage then says what was removed.
 * A part that fails keeps its error and the others go on.
 */
void sp_cache_prune(struct sp_cache_set *s, int64_t before);

/* Whether any part has an error. */
bool sp_cache_failed(const struct sp_cache_set *s);

/*
 * A duration such as "30d", "12h", "90m", "2w" or "45s": digits, then one
 * unit (s, m, h, d, w). SP_EINVAL for anything else, zero, or more than
 * SP_CACHE_MAX_AGE_S.
 */
int sp_cache_parse_duration(const char *s, int64_t *seconds);

#endif
