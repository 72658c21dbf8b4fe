/*
 * What every level shares: the run and level lifecycles, the counting of
 * entries and bytes against the caps, and the reading of one file body,
 * which is where hashing, buffering and nested archives happen.
 */
#include <archive.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/xalloc.h"
#include "unpack/internal.h"
#include "core/banned.h"

/* Magic numbers need at most this many bytes of the head. */
#define MAGIC_LEN 6

void unpack_run_init(struct run *run, const struct sp_unpack_ops *ops, void *ud, struct sp_diag *d)
{
	memset(run, 0, sizeof(*run));
	run->ops = ops;
	run->ud = ud;
	run->d = d;
	run->max_entries = SP_MAX_ENTRIES;
	run->sha = sp_sha256_new();
	run->chunk = xmalloc(UNPACK_CHUNK);
}

void unpack_run_release(struct run *run)
{
	sp_sha256_free(run->sha);
	free(run->chunk);
	run->sha = NULL;
	run->chunk = NULL;
}

void unpack_level_init(struct level *lv, struct run *run, struct level *parent, struct archive *a,
		       const char *name, unsigned depth)
{
	memset(lv, 0, sizeof(*lv));
	lv->run = run;
	lv->parent = parent;
	lv->a = a;
	lv->name = name;
	lv->depth = depth;
	unpack_names_init(&lv->names);
	/* Room for the prefix and one entry path, which callers cap at SP_MAX_PATH. */
	sp_buf_init(&lv->path, (name ? strlen(name) + 2 : 0) + SP_MAX_PATH);
}

void unpack_level_release(struct level *lv)
{
	unpack_names_release(&lv->names);
	sp_buf_release(&lv->path);
}

const char *unpack_level_path(struct level *lv, const char *p, size_t n)
{
	sp_buf_reset(&lv->path);
	if (lv->name && (sp_buf_addstr(&lv->path, lv->name) || sp_buf_add(&lv->path, "!/", 2)))
		abort();
	if (sp_buf_add(&lv->path, p, n))
		abort();
	return lv->path.data;
}

void unpack_issue(struct level *lv, enum sp_unpack_issue issue, const char *path, const char *fmt,
		  ...)
{
	char detail[SP_MAX_PATH + 256];
	va_list ap;

	if (!lv->run->ops->issue)
		return;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	lv->run->ops->issue(lv->run->ud, issue, path, fmt ? detail : NULL);
}

void unpack_stop(struct level *lv)
{
	lv->run->stop = true;
}

bool unpack_count_entry(struct level *lv, const char *path)
{
	struct run *run = lv->run;

	lv->entries++;
	run->entries++;
	if (lv->a && lv->entries > SP_MAX_ENTRIES) {
		unpack_issue(lv, SP_UI_TOO_MANY_ENTRIES, path,
			     "more than %d entries in one archive", SP_MAX_ENTRIES);
	} else if (run->entries > run->max_entries) {
		unpack_issue(lv, SP_UI_TOO_MANY_ENTRIES, path, "more than %llu entries in all",
			     (unsigned long long)run->max_entries);
	} else {
		return true;
	}
	unpack_stop(lv);
	return false;
}

bool unpack_count_bytes(struct level *lv, const char *path, int64_t n)
{
	struct run *run = lv->run;
	struct level *l;

	run->total += n;
	if (run->total > SP_MAX_TOTAL_BYTES) {
		unpack_issue(lv, SP_UI_TOTAL_TOO_LARGE, path, "more than %lld MiB uncompressed",
			     SP_MAX_TOTAL_BYTES >> 20);
		unpack_stop(lv);
		return false;
	}
	/*
	 * Bytes from a nested archive count against every archive around it,
	 * so a bomb split across levels still shows in the outermost ratio.
	 * The output side also takes libarchive's count of decompressed
	 * stream bytes, which includes data it skipped without handing over.
	 */
	for (l = lv; l; l = l->parent) {
		int64_t in, out;

		l->produced += n;
		if (!l->a || l->produced < SP_RATIO_MIN_BYTES)
			continue;
		in = archive_filter_bytes(l->a, -1);
		out = archive_filter_bytes(l->a, 0);
		if (out < l->produced)
			out = l->produced;
		if (in < 1)
			in = 1;
		if (out / in > SP_MAX_RATIO) {
			unpack_issue(lv, SP_UI_BOMB, path,
				     "%lld MiB from %lld KiB of %s (ratio %lld, limit %d)",
				     (long long)(out >> 20), (long long)(in >> 10),
				     l->name ? l->name : "the archive", (long long)(out / in),
				     SP_MAX_RATIO);
			unpack_stop(lv);
			return false;
		}
	}
	return true;
}

bool unpack_archive_name(const char *path)
{
	static const char *const suffixes[] = {
		".whl", ".zip", ".egg", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar",
	};
	size_t n = strlen(path), i;

	/* Case-insensitive: an attacker's EVIL.ZIP is as much a zip. */
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i]);

		if (n > k && strcasecmp(path + n - k, suffixes[i]) == 0)
			return true;
	}
	return false;
}

bool unpack_archive_magic(const unsigned char *h, size_t n, bool *zip)
{
	static const unsigned char xz[] = {0xfd, '7', 'z', 'X', 'Z', 0};
	bool z = n >= 4 && h[0] == 'P' && h[1] == 'K' && h[2] == 3 && h[3] == 4;

	if (zip)
		*zip = z;
	if (z)
		return true;
	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		return true;
	if (n >= 3 && memcmp(h, "BZh", 3) == 0)
		return true;
	return n >= sizeof(xz) && memcmp(h, xz, sizeof(xz)) == 0;
}

int unpack_emit(struct level *lv, struct sp_entry *e)
{
	struct run *run = lv->run;
	int rc = 0;

	if (run->ops->entry)
		rc = run->ops->entry(run->ud, e);
	free(e->data);
	e->data = NULL;
	e->len = 0;
	if (rc) {
		run->rc = rc;
		run->stop = true;
	}
	return rc;
}

/* Reports a libarchive failure once per archive; a fatal one ends the archive. */
static void corrupt(struct level *lv, const char *path, int r)
{
	if (lv->dead)
		return;
	unpack_issue(lv, SP_UI_CORRUPT, path, "%s",
		     archive_error_string(lv->a) ? archive_error_string(lv->a) : "damaged archive");
	if (r <= ARCHIVE_FATAL)
		lv->dead = true;
}

/*
 * Bytes into run->chunk: > 0, 0 at the end, < 0 on failure (reported). pos
 * is how much of the entry was read before.
 */
static ssize_t read_some(struct level *lv, int fd, const char *path, int64_t pos)
{
	struct run *run = lv->run;
	ssize_t n;

	if (lv->a) {
		n = archive_read_data(lv->a, run->chunk, UNPACK_CHUNK);
		if (n < 0)
			corrupt(lv, path, (int)n);
		/*
		 * libarchive fills holes of a sparse entry with zeros, except one
		 * at the end; that hole is content too (and a classic bomb).
		 */
		if (n == 0 && pos < lv->sparse_end) {
			n = lv->sparse_end - pos < UNPACK_CHUNK ? (ssize_t)(lv->sparse_end - pos)
								: UNPACK_CHUNK;
			memset(run->chunk, 0, (size_t)n);
		}
		return n;
	}
	do
		n = read(fd, run->chunk, UNPACK_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		/* A file on disk that cannot be read is a scan that cannot finish. */
		run->rc =
			sp_diag_set(run->d, SP_EIO, "cannot read '%s': %s", path, strerror(errno));
		sp_diag_file(run->d, path);
		run->stop = true;
	}
	return n;
}

void unpack_drain(struct level *lv, const char *path)
{
	int64_t pos = 0;
	ssize_t n;

	while (!lv->run->stop && (n = read_some(lv, -1, path, pos)) > 0) {
		pos += n;
		if (!unpack_count_bytes(lv, path, n))
			break;
	}
}

bool unpack_bytes(struct level *lv, struct sp_entry *e, const char *p, size_t n)
{
	struct run *run = lv->run;

	if (!unpack_count_bytes(lv, e->path, (int64_t)n))
		return false;
	sp_sha256(p, n, e->sha256);
	e->size = (int64_t)n;
	e->head_len = n < SP_ENTRY_HEAD ? n : SP_ENTRY_HEAD;
	memcpy(e->head, p, e->head_len);
	if (run->ops->want && run->ops->want(run->ud, e->path, (int64_t)n)) {
		if (n > SP_MAX_SOURCE_BYTES) {
			e->too_large = true;
		} else {
			e->data = xmalloc(n + 1);
			memcpy(e->data, p, n);
			e->data[n] = '\0';
			e->len = n;
		}
	}
	return true;
}

enum nest { NEST_NO, NEST_MAYBE, NEST_YES };

int unpack_file(struct level *lv, struct sp_entry *e, int64_t size_hint, int fd)
{
	struct run *run = lv->run;
	struct sp_buf body, nb;
	enum nest nest;
	bool want, strong, zip, nest_big = false, cut = false, failed = false;
	int64_t kept = 0;
	int rc;

	want = run->ops->want && run->ops->want(run->ud, e->path, size_hint);
	strong = unpack_archive_name(e->path);
	/* Until the magic is known the body goes into nb too, so nothing is read twice. */
	nest = strong ? NEST_YES : NEST_MAYBE;
	sp_buf_init(&body, SP_MAX_SOURCE_BYTES);
	sp_buf_init(&nb, SP_MAX_NESTED_BYTES);
	sp_sha256_reset(run->sha);
	e->size = 0;
	e->head_len = 0;
	e->too_large = false;

	while (!run->stop) {
		ssize_t got = read_some(lv, fd, e->path, e->size);
		size_t take;

		if (got <= 0) {
			failed = got < 0;
			break;
		}
		e->size += got;
		if (!unpack_count_bytes(lv, e->path, got))
			break;
		if (cut)
			continue; /* counted, so caps and the ratio still see the rest */
		take = (size_t)got;
		if (kept + got > SP_MAX_ENTRY_BYTES) {
			take = (size_t)(SP_MAX_ENTRY_BYTES - kept);
			cut = true;
			unpack_issue(lv, SP_UI_ENTRY_TOO_LARGE, e->path,
				     "more than %lld MiB; hashed only up to there, not scanned",
				     SP_MAX_ENTRY_BYTES >> 20);
		}
		sp_sha256_update(run->sha, run->chunk, take);
		if (e->head_len < SP_ENTRY_HEAD) {
			size_t h = SP_ENTRY_HEAD - e->head_len;

			if (h > take)
				h = take;
			memcpy(e->head + e->head_len, run->chunk, h);
			e->head_len += h;
		}
		if (want && !e->too_large && sp_buf_add(&body, run->chunk, take)) {
			e->too_large = true;
			sp_buf_release(&body);
		}
		if (nest != NEST_NO && !nest_big && sp_buf_add(&nb, run->chunk, take)) {
			nest_big = true;
			sp_buf_release(&nb);
		}
		if (nest == NEST_MAYBE && e->head_len >= MAGIC_LEN) {
			nest = unpack_archive_magic(e->head, e->head_len, &zip) ? NEST_YES
										: NEST_NO;
			/* A zip is an archive whatever its name; a lone .gz may be just data. */
			strong = strong || zip;
			if (nest == NEST_NO)
				sp_buf_release(&nb);
		}
		kept += take;
	}
	e->complete = !cut && !failed && !run->stop;
	sp_sha256_final(run->sha, e->sha256);
	if (want && e->complete && !e->too_large) {
		e->data = sp_buf_detach(&body, &e->len);
	}

	rc = unpack_emit(lv, e);
	if (rc || run->stop || !e->complete || nest != NEST_YES)
		goto out;
	if (nest_big) {
		if (strong)
			unpack_issue(lv, SP_UI_NESTING, e->path,
				     "nested archive larger than %lld MiB is not opened",
				     SP_MAX_NESTED_BYTES >> 20);
		goto out;
	}
	rc = unpack_nested(lv, e->path, nb.data, nb.len, strong);
out:
	sp_buf_release(&nb);
	sp_buf_release(&body);
	return rc;
}
