#include "fetch/store.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "fetch/internal.h"
#include "core/file.h"
#include "core/banned.h"

/*
 * A temporary file younger than this is never removed by the clean-up, even
 * when it is unlocked: a writer creates its file and locks it in two steps,
 * and the clean-up must not slip in between.
 */
#define TMP_GRACE_SECONDS 60

#define TMP_SUFFIX ".part"

struct sp_store {
	char *root;
	char *tmpdir;
	unsigned counter;
};

struct sp_store_tmp {
	struct sp_store *store;
	char *path;
	int fd;
	int64_t size;
	struct sp_sha256 *hash;
};

char *sp_store_cache_root(void)
{
	const char *own = getenv("SAFEPIP_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (own && *own)
		return xstrdup(own);
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/safepip", xdg);
	if (home && home[0] == '/')
		return xasprintf("%s/.cache/safepip", home);
	return NULL;
}

char *sp_fetch_cache_dir(const char *leaf)
{
	char *root = sp_store_cache_root(), *dir;

	if (!root)
		return NULL;
	dir = xasprintf("%s/%s", root, leaf);
	free(root);
	return dir;
}

bool sp_fetch_touch_due(int64_t mtime, int64_t now)
{
	return now - mtime >= 60 || mtime > now;
}

void sp_cache_usage_add(struct sp_cache_usage *u, uint64_t bytes, int64_t when)
{
	if (!u->entries || when < u->oldest)
		u->oldest = when;
	if (!u->entries || when > u->newest)
		u->newest = when;
	u->entries++;
	u->bytes += bytes;
}

static bool two_hex(const char *name)
{
	return isxdigit((unsigned char)name[0]) && isxdigit((unsigned char)name[1]) && !name[2];
}

/* One directory level of sp_fetch_walk(); *emptied says whether nothing is left in it. */
static int walk_dir(int fd, const char *path, unsigned levels, sp_fetch_walk_fn fn, void *arg,
		    bool *emptied, struct sp_diag *d)
{
	DIR *dir = fdopendir(fd);
	struct dirent *de;
	bool left = false;
	int rc = 0;

	*emptied = false;
	if (!dir) {
		close(fd);
		return sp_diag_set(d, SP_EIO, "cannot read '%s': %s", path, strerror(errno));
	}
	while ((de = readdir(dir)) != NULL) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			left = true;
			continue;
		}
		if (levels && S_ISDIR(st.st_mode) && two_hex(de->d_name)) {
			char *sub = xasprintf("%s/%s", path, de->d_name);
			int subfd = openat(dirfd(dir), de->d_name,
					   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			bool gone = false;

			if (subfd < 0)
				rc = sp_diag_set(d, SP_EIO, "cannot read '%s': %s", sub,
						 strerror(errno));
			else
				rc = walk_dir(subfd, sub, levels - 1, fn, arg, &gone, d);
			free(sub);
			if (rc)
				break;
			if (!gone || unlinkat(dirfd(dir), de->d_name, AT_REMOVEDIR) != 0)
				left = true;
		} else if (!levels && S_ISREG(st.st_mode) && sp_store_valid_hex(de->d_name)) {
			if (!fn(dirfd(dir), de->d_name, &st, arg))
				left = true;
		} else {
			left = true;
		}
	}
	closedir(dir);
	*emptied = !rc && !left;
	return rc;
}

int sp_fetch_walk(const char *root, unsigned levels, sp_fetch_walk_fn fn, void *arg,
		  struct sp_diag *d)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool emptied;

	if (fd < 0)
		return errno == ENOENT ? 0
				       : sp_diag_set(d, SP_EIO, "cannot read '%s': %s", root,
						     strerror(errno));
	/* The root itself stays, even when emptied: it is the cache's home. */
	return walk_dir(fd, root, levels, fn, arg, &emptied, d);
}

struct prune {
	int64_t before;
	struct sp_cache_usage *u;
};

static bool count_entry(int dirfd, const char *name, const struct stat *st, void *arg)
{
	(void)dirfd;
	(void)name;
	sp_cache_usage_add(arg, (uint64_t)st->st_size, (int64_t)st->st_mtime);
	return false;
}

static bool prune_entry(int dirfd, const char *name, const struct stat *st, void *arg)
{
	struct prune *p = arg;

	if (p->before != INT64_MAX && (int64_t)st->st_mtime >= p->before)
		return false;
	if (unlinkat(dirfd, name, 0) != 0)
		return false;
	sp_cache_usage_add(p->u, (uint64_t)st->st_size, (int64_t)st->st_mtime);
	return true;
}

int sp_fetch_walk_usage(const char *root, unsigned levels, struct sp_cache_usage *u,
			struct sp_diag *d)
{
	memset(u, 0, sizeof(*u));
	return sp_fetch_walk(root, levels, count_entry, u, d);
}

int sp_fetch_walk_prune(const char *root, unsigned levels, int64_t before,
			struct sp_cache_usage *removed, struct sp_diag *d)
{
	struct prune p = {before, removed};

	memset(removed, 0, sizeof(*removed));
	return sp_fetch_walk(root, levels, prune_entry, &p, d);
}

int sp_store_usage(const char *root, struct sp_cache_usage *u, struct sp_diag *d)
{
	return sp_fetch_walk_usage(root, 2, u, d);
}

int sp_store_prune(const char *root, int64_t before, struct sp_cache_usage *removed,
		   struct sp_diag *d)
{
	struct sp_store s = {0};
	int rc;

	rc = sp_fetch_walk_prune(root, 2, before, removed, d);
	s.root = (char *)root;
	s.tmpdir = xasprintf("%s/tmp", root);
	sp_store_clean_tmp(&s);
	free(s.tmpdir);
	return rc;
}

char *sp_store_default_root(void)
{
	return sp_fetch_cache_dir("artifacts");
}

int sp_store_open(struct sp_store **out, const char *root, struct sp_diag *d)
{
	struct sp_store *s;
	char *dflt = NULL;
	struct stat st;
	int rc = 0;

	*out = NULL;
	if (!root) {
		dflt = sp_store_default_root();
		if (!dflt) {
			rc = sp_diag_set(
				d, SP_EINVAL,
				"cannot find the artifact store: neither XDG_CACHE_HOME nor "
				"HOME is set to an absolute path");
			goto out;
		}
		root = dflt;
	}
	if (sp_mkdirs(root) != 0 || stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
		rc = sp_diag_set(d, SP_EIO, "cannot create the artifact store '%s': %s", root,
				 strerror(errno));
		goto out;
	}
	s = xcalloc(1, sizeof(*s));
	s->root = xstrdup(root);
	s->tmpdir = xasprintf("%s/tmp", root);
	if (mkdir(s->tmpdir, 0700) != 0 && errno != EEXIST) {
		rc = sp_diag_set(d, SP_EIO, "cannot create '%s': %s", s->tmpdir, strerror(errno));
		sp_store_free(s);
		goto out;
	}
	sp_store_clean_tmp(s);
	*out = s;
out:
	free(dflt);
	return rc;
}

void sp_store_free(struct sp_store *s)
{
	if (!s)
		return;
	free(s->root);
	free(s->tmpdir);
	free(s);
}

const char *sp_store_root(const struct sp_store *s)
{
	return s->root;
}

int sp_store_valid_hex(const char *hex)
{
	size_t i;

	if (!hex)
		return 0;
	for (i = 0; i < SP_SHA256_LEN * 2; i++) {
		char c = hex[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return hex[i] == '\0';
}

static void lower_hex(const char *hex, char out[SP_SHA256_HEX])
{
	size_t i;

	for (i = 0; i < SP_SHA256_LEN * 2; i++)
		out[i] = (hex[i] >= 'A' && hex[i] <= 'F') ? (char)(hex[i] - 'A' + 'a') : hex[i];
	out[i] = '\0';
}

char *sp_store_path(const struct sp_store *s, const char *hex)
{
	char h[SP_SHA256_HEX];

	lower_hex(hex, h);
	return xasprintf("%s/%.2s/%.2s/%s", s->root, h, h + 2, h);
}

/* Hashes the open file fd to its end. */
static int hash_fd(int fd, unsigned char out[SP_SHA256_LEN], int64_t *size)
{
	struct sp_sha256 *h = sp_sha256_new();
	char *buf = xmalloc(1 << 16);
	int64_t total = 0;
	ssize_t n;
	int rc = 0;

	for (;;) {
		n = read(fd, buf, 1 << 16);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = SP_EIO;
			goto out;
		}
		if (n == 0)
			break;
		sp_sha256_update(h, buf, (size_t)n);
		total += n;
	}
	sp_sha256_final(h, out);
	if (size)
		*size = total;
out:
	free(buf);
	sp_sha256_free(h);
	return rc;
}

int sp_store_lookup(struct sp_store *s, const char *hex, char **path, int64_t *size,
		    struct sp_diag *d)
{
	unsigned char dig[SP_SHA256_LEN];
	char want[SP_SHA256_HEX], got[SP_SHA256_HEX];
	char *p = NULL;
	struct stat st;
	int fd = -1, rc;

	if (path)
		*path = NULL;
	if (!sp_store_valid_hex(hex))
		return sp_diag_set(d, SP_EINVAL, "invalid sha256 '%.80s': expected 64 hex digits",
				   hex ? hex : "");
	lower_hex(hex, want);
	p = sp_store_path(s, want);
	/* O_NOFOLLOW: a link planted in the store must not point the scan elsewhere. */
	fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT
			     ? SP_ENOENT
			     : sp_diag_set(d, SP_EIO, "cannot open '%s': %s", p, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = sp_diag_set(d, SP_EIO, "cannot use '%s': not a regular file", p);
		goto out;
	}
	rc = hash_fd(fd, dig, size);
	if (rc) {
		sp_diag_set(d, rc, "cannot read '%s': %s", p, strerror(errno));
		goto out;
	}
	sp_hex(dig, SP_SHA256_LEN, got);
	if (strcmp(got, want) != 0) {
		/* Corrupted or tampered with: drop it so it is downloaded again. */
		unlink(p);
		rc = SP_ENOENT;
		goto out;
	}
	/* Last use, for pruning; failing to record it costs nothing now. */
	if (sp_fetch_touch_due((int64_t)st.st_mtime, (int64_t)time(NULL)))
		(void)futimens(fd, NULL);
	if (path) {
		*path = p;
		p = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	free(p);
	return rc;
}

int sp_store_clean_tmp(struct sp_store *s)
{
	DIR *dir = opendir(s->tmpdir);
	struct dirent *de;
	unsigned seen = 0;
	int removed = 0;
	time_t now = time(NULL);

	if (!dir)
		return 0;
	while ((de = readdir(dir)) != NULL && seen++ < SP_STORE_MAX_TMP_SCAN) {
		struct stat st;
		int fd;

		if (!sp_str_endswith(de->d_name, TMP_SUFFIX))
			continue;
		fd = openat(dirfd(dir), de->d_name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* Unlocked means its writer is gone; the grace covers open-then-lock. */
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    now - st.st_mtime > TMP_GRACE_SECONDS && flock(fd, LOCK_EX | LOCK_NB) == 0) {
			if (unlinkat(dirfd(dir), de->d_name, 0) == 0)
				removed++;
		}
		close(fd);
	}
	closedir(dir);
	return removed;
}

int sp_store_tmp_open(struct sp_store *s, struct sp_store_tmp **out, struct sp_diag *d)
{
	struct sp_store_tmp *t;
	unsigned char rnd[8];
	char hex[17];
	struct timespec ts;
	int tries, fd = -1;
	char *p = NULL;

	*out = NULL;
	for (tries = 0; tries < 16; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		/* Unique enough to make collisions rare; O_EXCL makes them harmless. */
		unsigned long long mix =
			(unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 20) ^
			((unsigned long long)getpid() << 40) ^ (s->counter * 0x9e3779b9ULL);

		memcpy(rnd, &mix, sizeof(rnd));
		sp_hex(rnd, sizeof(rnd), hex);
		free(p);
		p = xasprintf("%s/%ld-%u-%s%s", s->tmpdir, (long)getpid(), s->counter++, hex,
			      TMP_SUFFIX);
		fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int rc = sp_diag_set(d, SP_EIO, "cannot create a file in '%s': %s", s->tmpdir,
				     strerror(errno));

		free(p);
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int rc = sp_diag_set(d, SP_EIO, "cannot lock '%s': %s", p, strerror(errno));

		close(fd);
		unlink(p);
		free(p);
		return rc;
	}
	t = xcalloc(1, sizeof(*t));
	t->store = s;
	t->path = p;
	t->fd = fd;
	t->hash = sp_sha256_new();
	*out = t;
	return 0;
}

int sp_store_tmp_write(struct sp_store_tmp *t, const void *p, size_t n)
{
	const char *c = p;
	size_t left = n;

	while (left) {
		ssize_t w = write(t->fd, c, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return SP_EIO;
		c += w;
		left -= (size_t)w;
	}
	sp_sha256_update(t->hash, p, n);
	t->size += (int64_t)n;
	return 0;
}

int sp_store_tmp_rewind(struct sp_store_tmp *t)
{
	if (ftruncate(t->fd, 0) != 0 || lseek(t->fd, 0, SEEK_SET) != 0)
		return SP_EIO;
	sp_sha256_reset(t->hash);
	t->size = 0;
	return 0;
}

int64_t sp_store_tmp_size(const struct sp_store_tmp *t)
{
	return t->size;
}

static void tmp_free(struct sp_store_tmp *t, bool remove_file)
{
	if (remove_file)
		unlink(t->path);
	if (t->fd >= 0)
		close(t->fd);
	sp_sha256_free(t->hash);
	free(t->path);
	free(t);
}

void sp_store_tmp_discard(struct sp_store_tmp *t)
{
	if (t)
		tmp_free(t, true);
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -1;
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = -1;
	close(fd);
	return rc;
}

int sp_store_tmp_commit(struct sp_store_tmp *t, const char *expected, const char *what,
			char hex_out[SP_SHA256_HEX], char **path, struct sp_diag *d)
{
	unsigned char dig[SP_SHA256_LEN];
	char want[SP_SHA256_HEX];
	char *dest = NULL, *dir = NULL;
	bool keep = false;
	int rc = 0;

	if (path)
		*path = NULL;
	sp_sha256_final(t->hash, dig);
	sp_hex(dig, SP_SHA256_LEN, hex_out);
	if (expected) {
		if (!sp_store_valid_hex(expected)) {
			rc = sp_diag_set(d, SP_EINVAL, "invalid sha256 for '%s': '%.80s'", what,
					 expected);
			goto out;
		}
		lower_hex(expected, want);
		if (strcmp(want, hex_out) != 0) {
			rc = sp_diag_set(d, SP_EHASH, "hash mismatch for '%s': expected %s, got %s",
					 what, want, hex_out);
			goto out;
		}
	}
	if (fsync(t->fd) != 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot write '%s': %s", t->path, strerror(errno));
		goto out;
	}
	dest = sp_store_path(t->store, hex_out);
	dir = xstrndup(dest, strlen(dest) - SP_SHA256_LEN * 2 - 1);
	if (sp_mkdirs(dir) != 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot create '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (rename(t->path, dest) != 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot store '%s' as '%s': %s", what, dest,
				 strerror(errno));
		goto out;
	}
	keep = true;
	if (fsync_dir(dir) != 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot sync '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (path) {
		*path = dest;
		dest = NULL;
	}
out:
	tmp_free(t, !keep);
	free(dest);
	free(dir);
	return rc;
}

int sp_store_put_file(struct sp_store *s, const char *src, const char *expected, const char *what,
		      char hex_out[SP_SHA256_HEX], char **path, struct sp_diag *d)
{
	struct sp_store_tmp *t = NULL;
	char *chunk = NULL;
	ssize_t n;
	int fd, rc;

	if (path)
		*path = NULL;
	fd = open(src, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return sp_diag_set(d, errno == ENOENT ? SP_ENOENT : SP_EIO, "cannot read '%s': %s",
				   what, strerror(errno));
	if ((rc = sp_store_tmp_open(s, &t, d)))
		goto out;
	chunk = xmalloc(64 * 1024);
	while ((n = read(fd, chunk, 64 * 1024)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sp_store_tmp_write(t, chunk, (size_t)n) != 0) {
			rc = sp_diag_set(d, SP_EIO, "cannot store '%s': %s", what, strerror(errno));
			sp_store_tmp_discard(t);
			goto out;
		}
	}
	rc = sp_store_tmp_commit(t, expected, what, hex_out, path, d);
out:
	free(chunk);
	close(fd);
	return rc;
}
