#include "cache/cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache/vcache.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "fetch/httpcache.h"
#include "core/banned.h"

static const char *const names[SP_CACHE__COUNT] = {"artifacts", "http", "verdicts"};
static const char *const leaves[SP_CACHE__COUNT] = {"artifacts", "http", SP_VCACHE_FILE};

int sp_cache_set_init(struct sp_cache_set *s, const char *root, struct sp_diag *d)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->root = root ? xstrdup(root) : sp_store_cache_root();
	if (!s->root)
		return sp_diag_set(d, SP_EINVAL, "cannot find the cache: none of SAFEPIP_CACHE_DIR, "
				   "XDG_CACHE_HOME or HOME is set");
	for (i = 0; i < SP_CACHE__COUNT; i++) {
		s->part[i].name = names[i];
		s->part[i].path = xasprintf("%s/%s", s->root, leaves[i]);
	}
	return 0;
}

void sp_cache_set_release(struct sp_cache_set *s)
{
	int i;

	for (i = 0; i < SP_CACHE__COUNT; i++) {
		free(s->part[i].path);
		free(s->part[i].msg);
	}
	free(s->root);
	memset(s, 0, sizeof(*s));
}

static void fail(struct sp_cache_part *p, int err, const struct sp_diag *d)
{
	p->err = err;
	free(p->msg);
	p->msg = xstrdup(d->msg[0] ? d->msg : sp_strerror(err));
}

/* The verdict database, open; NULL (with p->err) when it cannot be. */
static struct sp_vcache *open_verdicts(struct sp_cache_part *p)
{
	struct sp_vcache_opts o = {p->path, NULL, NULL};
	struct sp_vcache *c = NULL;
	struct sp_diag d;
	int err;

	sp_diag_clear(&d);
	if ((err = sp_vcache_open(&c, &o, &d))) {
		fail(p, err, &d);
		return NULL;
	}
	if (sp_vcache_warning(c)) {
		free(p->msg);
		p->msg = xstrdup(sp_vcache_warning(c));
	}
	return c;
}

static void verdicts(struct sp_cache_part *p, int64_t before, bool info)
{
	struct sp_vcache *c;
	struct sp_diag d;
	struct stat st;
	int err;

	memset(&p->usage, 0, sizeof(p->usage));
	/* Looking or cleaning must not create: a cache never written has nothing in it. */
	if (lstat(p->path, &st) != 0 && errno == ENOENT)
		return;
	c = open_verdicts(p);
	if (!c)
		return;
	sp_diag_clear(&d);
	err = info ? sp_vcache_usage(c, &p->usage, &d)
		   : sp_vcache_prune(c, before, &p->usage, &d);
	if (err)
		fail(p, err, &d);
	sp_vcache_close(c);
}

void sp_cache_info(struct sp_cache_set *s)
{
	struct sp_diag d;
	int err;

	sp_diag_clear(&d);
	if ((err = sp_store_usage(s->part[SP_CACHE_ARTIFACTS].path,
				  &s->part[SP_CACHE_ARTIFACTS].usage, &d)))
		fail(&s->part[SP_CACHE_ARTIFACTS], err, &d);
	sp_diag_clear(&d);
	if ((err = sp_httpcache_usage(s->part[SP_CACHE_HTTP].path, &s->part[SP_CACHE_HTTP].usage,
				      &d)))
		fail(&s->part[SP_CACHE_HTTP], err, &d);
	verdicts(&s->part[SP_CACHE_VERDICTS], 0, true);
}

void sp_cache_prune(struct sp_cache_set *s, int64_t before)
{
	struct sp_diag d;
	int err;

	sp_diag_clear(&d);
	if ((err = sp_store_prune(s->part[SP_CACHE_ARTIFACTS].path, before,
				  &s->part[SP_CACHE_ARTIFACTS].usage, &d)))
		fail(&s->part[SP_CACHE_ARTIFACTS], err, &d);
	sp_diag_clear(&d);
	if ((err = sp_httpcache_prune(s->part[SP_CACHE_HTTP].path, before,
				      &s->part[SP_CACHE_HTTP].usage, &d)))
		fail(&s->part[SP_CACHE_HTTP], err, &d);
	verdicts(&s->part[SP_CACHE_VERDICTS], before, false);
}

bool sp_cache_failed(const struct sp_cache_set *s)
{
	int i;

	for (i = 0; i < SP_CACHE__COUNT; i++)
		if (s->part[i].err)
			return true;
	return false;
}

int sp_cache_parse_duration(const char *s, int64_t *seconds)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
	int64_t n = 0;
	size_t i, k;

	*seconds = 0;
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		n = n * 10 + (s[i] - '0');
		if (n > SP_CACHE_MAX_AGE_S)
			return SP_EINVAL;
	}
	if (i == 0 || !s[i] || s[i + 1] || n == 0)
		return SP_EINVAL;
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		if (s[i] == units[k].unit) {
			if (n > SP_CACHE_MAX_AGE_S / units[k].seconds)
				return SP_EINVAL;
			*seconds = n * units[k].seconds;
			return 0;
		}
	}
	return SP_EINVAL;
}
