#include "fetch/httpcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "fetch/internal.h"
#include "fetch/redact.h"
#include "core/file.h"
#include "core/banned.h"

#define MAGIC "safepip-httpcache 1\n"
#define TMP_SUFFIX ".part"
/* Temporary entry files are written in one go; older ones are debris. */
#define TMP_GRACE_SECONDS 60

struct sp_httpcache {
	char *root;
	unsigned counter;
};

char *sp_httpcache_default_root(void)
{
	return sp_fetch_cache_dir("http");
}

static void clean_tmp(const char *root)
{
	DIR *dir = opendir(root);
	struct dirent *de;
	unsigned seen = 0;
	time_t now = time(NULL);

	if (!dir)
		return;
	while ((de = readdir(dir)) != NULL && seen++ < SP_STORE_MAX_TMP_SCAN) {
		struct stat st;

		if (!sp_str_endswith(de->d_name, TMP_SUFFIX))
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now - st.st_mtime > TMP_GRACE_SECONDS)
			unlinkat(dirfd(dir), de->d_name, 0);
	}
	closedir(dir);
}

int sp_httpcache_open(struct sp_httpcache **out, const char *root, struct sp_diag *d)
{
	struct sp_httpcache *c;
	char *dflt = NULL;
	int rc = 0;

	*out = NULL;
	if (!root) {
		dflt = sp_httpcache_default_root();
		if (!dflt) {
			rc = sp_diag_set(d, SP_EINVAL,
					 "cannot find the http cache: neither XDG_CACHE_HOME nor "
					 "HOME is set to an absolute path");
			goto out;
		}
		root = dflt;
	}
	if (sp_mkdirs(root) != 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot create the http cache '%s': %s", root,
				 strerror(errno));
		goto out;
	}
	clean_tmp(root);
	c = xcalloc(1, sizeof(*c));
	c->root = xstrdup(root);
	*out = c;
out:
	free(dflt);
	return rc;
}

void sp_httpcache_free(struct sp_httpcache *c)
{
	if (!c)
		return;
	free(c->root);
	free(c);
}

void sp_httpcache_entry_init(struct sp_httpcache_entry *e)
{
	memset(e, 0, sizeof(*e));
	sp_buf_init(&e->body, SP_FETCH_MAX_PAGE_BYTES);
}

void sp_httpcache_entry_release(struct sp_httpcache_entry *e)
{
	free(e->url);
	free(e->accept);
	free(e->etag);
	free(e->last_modified);
	free(e->content_type);
	sp_buf_release(&e->body);
	sp_httpcache_entry_init(e);
}

/* The file of a key: ROOT/ab/<hex of sha256(url "\n" accept)>. */
static char *entry_path(const struct sp_httpcache *c, const char *url, const char *accept,
			char **dir)
{
	char *bare = sp_url_strip_userinfo(url);
	char *key = xasprintf("%s\n%s", bare, accept ? accept : "");
	unsigned char dig[SP_SHA256_LEN];
	char hex[SP_SHA256_HEX];

	sp_sha256(key, strlen(key), dig);
	sp_hex(dig, SP_SHA256_LEN, hex);
	free(key);
	free(bare);
	if (dir)
		*dir = xasprintf("%s/%.2s", c->root, hex);
	return xasprintf("%s/%.2s/%s", c->root, hex, hex);
}

/* A header value or URL fit to be one line of an entry. */
static bool clean_value(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++) {
		unsigned char ch = (unsigned char)s[n];

		if (ch < 0x20 || ch == 0x7f || n >= max)
			return false;
	}
	return true;
}

static bool parse_u64(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	if (n == 0 || n > 19)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	*out = v;
	return true;
}

int sp_httpcache_parse(const char *data, size_t len, struct sp_httpcache_entry *e)
{
	const char *p, *end, *nl, *sp, *sha = NULL;
	unsigned long long size = 0;
	bool have_size = false;
	unsigned char dig[SP_SHA256_LEN];
	char hex[SP_SHA256_HEX];
	size_t meta = len < SP_HTTPCACHE_MAX_META ? len : SP_HTTPCACHE_MAX_META;
	int rc = SP_EFORMAT;

	sp_httpcache_entry_init(e);
	if (len < strlen(MAGIC) || memcmp(data, MAGIC, strlen(MAGIC)) != 0)
		goto out;
	p = data + strlen(MAGIC);
	end = data + meta;
	for (;;) {
		char **slot = NULL;
		size_t klen, vlen;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			rc = meta < len ? SP_ELIMIT : SP_EFORMAT;
			goto out;
		}
		if (nl == p) {
			p = nl + 1;
			break;
		}
		sp = memchr(p, ' ', (size_t)(nl - p));
		if (!sp)
			goto out;
		klen = (size_t)(sp - p);
		vlen = (size_t)(nl - sp - 1);
		if (vlen > SP_FETCH_MAX_URL)
			goto out;
		for (size_t i = 0; i < vlen; i++)
			if ((unsigned char)sp[1 + i] < 0x20 || sp[1 + i] == 0x7f)
				goto out;
		if (klen == 3 && !memcmp(p, "url", 3))
			slot = &e->url;
		else if (klen == 6 && !memcmp(p, "accept", 6))
			slot = &e->accept;
		else if (klen == 4 && !memcmp(p, "etag", 4))
			slot = &e->etag;
		else if (klen == 13 && !memcmp(p, "last-modified", 13))
			slot = &e->last_modified;
		else if (klen == 12 && !memcmp(p, "content-type", 12))
			slot = &e->content_type;
		if (slot) {
			if (*slot)
				goto out; /* a key twice */
			*slot = xstrndup(sp + 1, vlen);
		} else if (klen == 9 && !memcmp(p, "body-size", 9)) {
			if (have_size || !parse_u64(sp + 1, vlen, &size))
				goto out;
			have_size = true;
		} else if (klen == 11 && !memcmp(p, "body-sha256", 11)) {
			if (sha || vlen != SP_SHA256_LEN * 2)
				goto out;
			sha = sp + 1;
		} else {
			goto out;
		}
		p = nl + 1;
	}
	if (!e->url || !e->accept || !have_size || !sha)
		goto out;
	if ((unsigned long long)(data + len - p) != size)
		goto out;
	if (size > SP_FETCH_MAX_PAGE_BYTES) {
		rc = SP_ELIMIT;
		goto out;
	}
	sp_sha256(p, (size_t)size, dig);
	sp_hex(dig, SP_SHA256_LEN, hex);
	if (memcmp(hex, sha, SP_SHA256_LEN * 2) != 0) {
		rc = SP_EHASH;
		goto out;
	}
	sp_buf_add(&e->body, p, (size_t)size);
	return 0;
out:
	sp_httpcache_entry_release(e);
	return rc;
}

static int read_file(const char *path, struct sp_buf *b, int64_t *mtime)
{
	char chunk[1 << 14];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int rc = 0;
	ssize_t n;

	if (fd < 0)
		return errno == ENOENT ? SP_ENOENT : SP_EIO;
	*mtime = fstat(fd, &st) == 0 ? (int64_t)st.st_mtime : 0;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = SP_EIO;
			break;
		}
		if (n == 0)
			break;
		rc = sp_buf_add(b, chunk, (size_t)n);
		if (rc)
			break;
	}
	close(fd);
	return rc;
}

int sp_httpcache_get(struct sp_httpcache *c, const char *url, const char *accept,
		     struct sp_httpcache_entry *e)
{
	struct sp_buf raw;
	char *path = entry_path(c, url, accept, NULL);
	char *bare = sp_url_strip_userinfo(url);
	int64_t mtime = 0, now = (int64_t)time(NULL);
	int rc;

	sp_buf_init(&raw, SP_HTTPCACHE_MAX_META + SP_FETCH_MAX_PAGE_BYTES);
	sp_httpcache_entry_init(e);
	rc = read_file(path, &raw, &mtime);
	if (rc == SP_ENOENT)
		goto out;
	if (!rc)
		rc = sp_httpcache_parse(raw.data, raw.len, e);
	/* A key that hashed to this file but is not ours: not our entry. */
	if (!rc && (strcmp(e->url, bare) != 0 || strcmp(e->accept, accept ? accept : "") != 0))
		rc = SP_EFORMAT;
	if (rc) {
		sp_httpcache_entry_release(e);
		unlink(path);
		rc = SP_ENOENT;
	} else if (sp_fetch_touch_due(mtime, now)) {
		/* Last use, for pruning; failing to record it costs nothing now. */
		(void)utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
	}
out:
	sp_buf_release(&raw);
	free(bare);
	free(path);
	return rc;
}

void sp_httpcache_drop(struct sp_httpcache *c, const char *url, const char *accept)
{
	char *path = entry_path(c, url, accept, NULL);

	unlink(path);
	free(path);
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int sp_httpcache_put(struct sp_httpcache *c, const char *url, const char *accept, const char *etag,
		     const char *last_modified, const char *content_type, const void *body,
		     size_t len, struct sp_diag *d)
{
	struct sp_buf head;
	unsigned char dig[SP_SHA256_LEN];
	char hex[SP_SHA256_HEX];
	char *bare = sp_url_strip_userinfo(url);
	char *dir = NULL, *path = NULL, *tmp = NULL;
	int fd = -1, rc = 0;

	sp_buf_init(&head, SP_HTTPCACHE_MAX_META);
	if (!etag && !last_modified)
		goto out;
	if (len > SP_FETCH_MAX_PAGE_BYTES || !clean_value(bare, SP_FETCH_MAX_URL) ||
	    !clean_value(accept ? accept : "", SP_FETCH_MAX_HEADER_VALUE) ||
	    (etag && !clean_value(etag, SP_FETCH_MAX_HEADER_VALUE)) ||
	    (last_modified && !clean_value(last_modified, SP_FETCH_MAX_HEADER_VALUE)) ||
	    (content_type && !clean_value(content_type, SP_FETCH_MAX_HEADER_VALUE)))
		goto out;
	sp_sha256(body, len, dig);
	sp_hex(dig, SP_SHA256_LEN, hex);
	sp_buf_addstr(&head, MAGIC);
	sp_buf_addf(&head, "url %s\naccept %s\n", bare, accept ? accept : "");
	if (etag)
		sp_buf_addf(&head, "etag %s\n", etag);
	if (last_modified)
		sp_buf_addf(&head, "last-modified %s\n", last_modified);
	if (content_type)
		sp_buf_addf(&head, "content-type %s\n", content_type);
	sp_buf_addf(&head, "body-size %zu\nbody-sha256 %s\n\n", len, hex);

	path = entry_path(c, url, accept, &dir);
	tmp = xasprintf("%s/%ld-%u%s", c->root, (long)getpid(), c->counter++, TMP_SUFFIX);
	if (sp_mkdirs(dir) != 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, head.data, head.len) != 0 || write_all(fd, body, len) != 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = sp_diag_set(d, SP_EIO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	/* No fsync: a torn entry is caught by its hash and simply refetched. */
	if (rename(tmp, path) != 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp)
		unlink(tmp);
	sp_buf_release(&head);
	free(tmp);
	free(path);
	free(dir);
	free(bare);
	return rc;
}

int sp_httpcache_usage(const char *root, struct sp_cache_usage *u, struct sp_diag *d)
{
	return sp_fetch_walk_usage(root, 1, u, d);
}

int sp_httpcache_prune(const char *root, int64_t before, struct sp_cache_usage *removed,
		       struct sp_diag *d)
{
	clean_tmp(root);
	return sp_fetch_walk_prune(root, 1, before, removed, d);
}
