/*
 * Lock file text and the per-run wheelhouse (see lock.h).
 *
 * Every field that ends up in the lock file is checked against a strict
 * character set first: the lock file is a pip requirements file, where a
 * space, a ';' or a newline in a name or version would let index metadata
 * add options (--index-url...) or requirements of its own.
 */
#include "delegate/lock.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "delegate/target.h"
#include "req/name.h"
#include "core/file.h"
#include "core/banned.h"

/* Bytes of a project name or version in a lock line (names on PyPI stay under 100). */
#define MAX_FIELD 200

/* Directory depth sp_lock_remove() descends; the wheelhouse is one level deep. */
#define MAX_REMOVE_DEPTH 8

/* Archive suffixes pip accepts from --find-links. */
static const char *const suffixes[] = {
	".whl", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".zip",
};

static bool valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n <= MAX_FIELD && sp_name_valid(s, n);
}

/* PEP 440 characters (epoch '!', local '+'); no wildcard, no space. */
static bool valid_version(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > MAX_FIELD || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".+!_-", s[i]))
			return false;
	return true;
}

static bool valid_sha256(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n != SP_SHA256_LEN * 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

/* A plain file name pip can take apart: no directory, no dot file, a known suffix. */
static bool valid_filename(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	bool suffix = false;

	if (n == 0 || n > 255 || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.+!", s[i]))
			return false;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		suffix |= strlen(suffixes[i]) < n && strcmp(s + n - strlen(suffixes[i]),
							    suffixes[i]) == 0;
	return suffix;
}

static int check_item(const struct sp_lock_item *it, size_t i, struct sp_diag *d)
{
	if (!valid_name(it->name))
		return sp_diag_set(d, SP_EINVAL,
				   "cannot pin item %zu: invalid project name '%.80s'", i,
				   it->name ? it->name : "");
	if (!valid_version(it->version))
		return sp_diag_set(d, SP_EINVAL, "cannot pin '%s': invalid version '%.80s'",
				   it->name, it->version ? it->version : "");
	if (!valid_sha256(it->sha256))
		return sp_diag_set(d, SP_EINVAL, "cannot pin '%s==%s': invalid sha256 '%.80s'",
				   it->name, it->version, it->sha256 ? it->sha256 : "");
	if (!valid_filename(it->filename))
		return sp_diag_set(d, SP_EINVAL,
				   "cannot pin '%s==%s': invalid file name '%.80s'", it->name,
				   it->version, it->filename ? it->filename : "");
	return 0;
}

struct entry {
	char *key;
	const struct sp_lock_item *it;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (!c)
		c = (int)x->it->build_only - (int)y->it->build_only;
	if (!c)
		c = strcmp(x->it->version, y->it->version);
	if (!c)
		c = strcmp(x->it->sha256, y->it->sha256);
	return c;
}

/* Whether an earlier entry of e[lo..i) with this version already gave the same hash. */
static bool seen_hash(const struct entry *e, size_t lo, size_t i, const char *version)
{
	for (size_t j = lo; j < i; j++)
		if (strcmp(e[j].it->version, version) == 0 &&
		    strcmp(e[j].it->sha256, e[i].it->sha256) == 0)
			return true;
	return false;
}

/* Appends " --hash=sha256:H" once for each hash of e[lo..hi) with this version. */
static void add_hashes(struct sp_buf *out, const struct entry *e, size_t lo, size_t hi,
		       const char *version)
{
	for (size_t i = lo; i < hi; i++)
		if (strcmp(e[i].it->version, version) == 0 && !seen_hash(e, lo, i, version))
			sp_buf_addf(out, " --hash=sha256:%s", e[i].it->sha256);
}

/* One project's lines: the install pin, then build-only versions it does not cover. */
static int format_group(struct sp_buf *out, const struct entry *e, size_t lo, size_t hi,
			struct sp_diag *d)
{
	const struct sp_lock_item *pin = NULL;
	const char *done = NULL;

	for (size_t i = lo; i < hi; i++) {
		if (e[i].it->build_only)
			continue;
		if (pin && strcmp(pin->version, e[i].it->version) != 0)
			return sp_diag_set(d, SP_EINVAL, "cannot pin '%s' twice: %s and %s",
					   pin->name, pin->version, e[i].it->version);
		if (!pin)
			pin = e[i].it; /* the spelling of the first in sort order */
	}
	if (pin) {
		/* Build-only files of the pinned version are more files of the same pin. */
		sp_buf_addf(out, "%s==%s", pin->name, pin->version);
		add_hashes(out, e, lo, hi, pin->version);
		sp_buf_addstr(out, "\n");
	}
	for (size_t i = lo; i < hi; i++) {
		const struct sp_lock_item *it = e[i].it;

		if (!it->build_only || (pin && strcmp(it->version, pin->version) == 0) ||
		    (done && strcmp(done, it->version) == 0))
			continue;
		sp_buf_addf(out, "# build requirement: %s==%s", it->name, it->version);
		add_hashes(out, e, lo, hi, it->version);
		sp_buf_addstr(out, "\n");
		done = it->version;
	}
	return 0;
}

int sp_lock_format(const struct sp_lock_item *items, size_t n, struct sp_buf *out,
		   struct sp_diag *d)
{
	struct entry *e = NULL;
	size_t lo, hi;
	int ret = 0;

	if (n > SP_MAX_LOCK_ITEMS)
		return sp_diag_set(d, SP_ELIMIT, "cannot pin %zu files: more than %d", n,
				   SP_MAX_LOCK_ITEMS);
	for (size_t i = 0; i < n; i++)
		if ((ret = check_item(&items[i], i, d)) < 0)
			return ret;
	e = xcalloc(n ? n : 1, sizeof(*e));
	for (size_t i = 0; i < n; i++)
		e[i] = (struct entry){sp_target_name_key(items[i].name), &items[i]};
	qsort(e, n, sizeof(*e), cmp_entry);
	sp_buf_addstr(out, "# Written by safepip: the files it scanned, pinned by sha256.\n"
			   "# The installer reads them from the wheelhouse next to this file "
			   "only.\n");
	for (lo = 0; lo < n && ret == 0; lo = hi) {
		for (hi = lo + 1; hi < n && strcmp(e[hi].key, e[lo].key) == 0; hi++)
			;
		ret = format_group(out, e, lo, hi, d);
	}
	for (size_t i = 0; i < n; i++)
		free(e[i].key);
	free(e);
	return ret;
}

static int hash_file(const char *path, char hex[SP_SHA256_HEX])
{
	unsigned char buf[65536], digest[SP_SHA256_LEN];
	struct sp_sha256 *h;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), ret = 0;

	if (fd < 0)
		return SP_EIO;
	h = sp_sha256_new();
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = SP_EIO;
			break;
		}
		sp_sha256_update(h, buf, (size_t)r);
	}
	sp_sha256_final(h, digest);
	sp_sha256_free(h);
	close(fd);
	sp_hex(digest, sizeof(digest), hex);
	return ret;
}

/* Places one file in the wheelhouse and checks its bytes are the scanned ones. */
static int place(struct sp_lock *l, const struct sp_lock_item *it, struct sp_diag *d)
{
	char hex[SP_SHA256_HEX], *dst;
	struct stat sb;
	int ret = 0;

	if (!it->path || lstat(it->path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return sp_diag_set(d, SP_ENOENT, "cannot stage '%s': '%s' is not a regular file",
				   it->filename, it->path ? it->path : "");
	dst = xasprintf("%s/%s", l->wheelhouse, it->filename);
	if (lstat(dst, &sb) == 0) {
		/* The same file named twice (a wheel pinned and needed for a build). */
		ret = hash_file(dst, hex);
		if (ret == 0 && strcmp(hex, it->sha256) != 0)
			ret = sp_diag_set(d, SP_EINVAL, "cannot stage two different files as '%s'",
					  it->filename);
		goto out;
	}
	if (link(it->path, dst) == 0) {
		l->n_linked++;
	} else if ((ret = sp_file_copy(it->path, dst, 0600, true)) == 0) {
		l->n_copied++;
	} else {
		ret = sp_diag_set(d, SP_EIO, "cannot copy '%s' into the wheelhouse: %s",
				  it->path, strerror(errno));
		goto out;
	}
	ret = hash_file(dst, hex);
	if (ret < 0) {
		sp_diag_set(d, ret, "cannot read '%s' back: %s", dst, strerror(errno));
		goto out;
	}
	if (strcmp(hex, it->sha256) != 0)
		ret = sp_diag_set(d, SP_EHASH,
				  "refusing to install '%s': its bytes no longer match the "
				  "scanned sha256 %s (the store changed; run "
				  "'safepip cache clean')",
				  it->filename, it->sha256);
out:
	free(dst);
	return ret;
}

static int write_all(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), ret = 0;
	ssize_t w;

	if (fd < 0)
		return SP_EIO;
	for (size_t off = 0; off < len; off += (size_t)w) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR) {
			w = 0;
		} else if (w < 0) {
			ret = SP_EIO;
			break;
		}
	}
	if (close(fd) != 0)
		ret = SP_EIO;
	return ret;
}

int sp_lock_prepare(struct sp_lock *l, const struct sp_lock_item *items, size_t n,
		    const char *base, struct sp_diag *d)
{
	struct sp_buf text;
	char *tmpl;
	int ret;

	memset(l, 0, sizeof(*l));
	sp_buf_init(&text, (size_t)SP_MAX_LOCK_ITEMS * 1024);
	ret = sp_lock_format(items, n, &text, d);
	if (ret < 0)
		goto out;
	if (!base) {
		base = getenv("TMPDIR");
		if (!base || base[0] != '/')
			base = "/tmp";
	}
	tmpl = xasprintf("%s/safepip-XXXXXX", base);
	l->dir = mkdtemp(tmpl);
	if (!l->dir) {
		ret = sp_diag_set(d, SP_EIO, "cannot create a directory in '%s': %s (check "
				  "$TMPDIR)", base, strerror(errno));
		free(tmpl);
		goto out;
	}
	l->wheelhouse = xasprintf("%s/wheelhouse", l->dir);
	l->lock_path = xasprintf("%s/requirements.txt", l->dir);
	if (mkdir(l->wheelhouse, 0700) != 0) {
		ret = sp_diag_set(d, SP_EIO, "cannot create '%s': %s", l->wheelhouse,
				  strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n && ret == 0; i++)
		ret = place(l, &items[i], d);
	if (ret == 0 && write_all(l->lock_path, text.data, text.len) < 0)
		ret = sp_diag_set(d, SP_EIO, "cannot write '%s': %s", l->lock_path,
				  strerror(errno));
out:
	if (ret < 0)
		sp_lock_remove(l);
	sp_buf_release(&text);
	return ret;
}

static void remove_tree(const char *path, int depth)
{
	struct stat sb;
	struct dirent *de;
	DIR *dir;

	if (lstat(path, &sb) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlink(path);
		return;
	}
	if (depth < MAX_REMOVE_DEPTH && (dir = opendir(path))) {
		while ((de = readdir(dir))) {
			char *sub;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			sub = xasprintf("%s/%s", path, de->d_name);
			remove_tree(sub, depth + 1);
			free(sub);
		}
		closedir(dir);
	}
	rmdir(path);
}

void sp_lock_remove(struct sp_lock *l)
{
	if (l->dir)
		remove_tree(l->dir, 0);
	free(l->dir);
	free(l->lock_path);
	free(l->wheelhouse);
	memset(l, 0, sizeof(*l));
}
