/*
 * Archives through libarchive: the reader setup, the header loop, what each
 * entry's name and type say about it, and archives nested in archives.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/path.h"
#include "unpack/internal.h"
#include "core/banned.h"

/* Bytes of an over-long name shown in its issue. */
#define SHOWN_NAME 200

/*
 * libarchive converts names to the character set of the current locale,
 * and safepip runs in the "C" locale, where a UTF-8 name fails to convert
 * and comes back NULL. Switching this thread to C.UTF-8 around libarchive
 * calls keeps names as the bytes the archive holds (invalid UTF-8 is passed
 * through untouched, and flagged below). Only LC_CTYPE changes, only for
 * this thread, and never while a callback runs.
 */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static locale_t utf8_enter(void)
{
	pthread_once(&utf8_once, utf8_init);
	return utf8_locale ? uselocale(utf8_locale) : (locale_t)0;
}

static void utf8_leave(locale_t old)
{
	if (old)
		uselocale(old);
}

struct archive *unpack_reader_new(void)
{
	struct archive *a = archive_read_new();

	if (!a) {
		fprintf(stderr, "safepip: fatal: out of memory creating an archive reader\n");
		abort();
	}
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	/*
	 * Only filters compiled into libarchive: without its library a filter
	 * falls back to running an external program, which unpacking never does.
	 */
	if (archive_zlib_version())
		archive_read_support_filter_gzip(a);
	if (archive_bzlib_version())
		archive_read_support_filter_bzip2(a);
	if (archive_liblzma_version())
		archive_read_support_filter_xz(a);
	return a;
}

int unpack_reader_open(struct archive *a)
{
	locale_t old = utf8_enter();
	int r = archive_read_open1(a);

	utf8_leave(old);
	return r;
}

static la_ssize_t mem_read(struct archive *a, void *ud, const void **out)
{
	struct unpack_mem *m = ud;
	size_t n = m->len - m->pos;

	(void)a;
	/* An empty nested archive may have no buffer at all: that is end of input. */
	*out = m->p ? m->p + m->pos : m->p;
	m->pos = m->len;
	return (la_ssize_t)n;
}

static la_int64_t mem_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
	struct unpack_mem *m = ud;
	la_int64_t base = whence == SEEK_SET   ? 0
			  : whence == SEEK_CUR ? (la_int64_t)m->pos
					       : (la_int64_t)m->len;

	if (off < -base || base + off > (la_int64_t)m->len) {
		archive_set_error(a, EINVAL, "seek outside the nested archive");
		return ARCHIVE_FATAL;
	}
	m->pos = (size_t)(base + off);
	return (la_int64_t)m->pos;
}

static la_int64_t mem_skip(struct archive *a, void *ud, la_int64_t n)
{
	struct unpack_mem *m = ud;

	(void)a;
	if (n < 0)
		return 0;
	if ((uint64_t)n > m->len - m->pos)
		n = (la_int64_t)(m->len - m->pos);
	m->pos += (size_t)n;
	return n;
}

int unpack_open_memory(struct archive *a, struct unpack_mem *m, const void *p, size_t len)
{
	m->p = p;
	m->len = len;
	m->pos = 0;
	archive_read_set_callback_data(a, m);
	archive_read_set_read_callback(a, mem_read);
	archive_read_set_seek_callback(a, mem_seek);
	archive_read_set_skip_callback(a, mem_skip);
	return unpack_reader_open(a);
}

struct header {
	const char *name;
	const char *link; /* hardlink or symlink target */
	bool hardlink;
};

static int next_header(struct archive *a, struct archive_entry **ae, struct header *h)
{
	locale_t old = utf8_enter();
	int r = archive_read_next_header(a, ae);

	memset(h, 0, sizeof(*h));
	if (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
		h->name = archive_entry_pathname(*ae);
		if (!h->name)
			h->name = archive_entry_pathname_utf8(*ae);
		h->link = archive_entry_hardlink(*ae);
		h->hardlink = h->link != NULL;
		if (!h->link)
			h->link = archive_entry_symlink(*ae);
	}
	utf8_leave(old);
	return r;
}

static enum sp_entry_type classify(struct archive_entry *ae, const struct header *h)
{
	if (h->hardlink)
		return SP_ENTRY_HARDLINK;
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
		return SP_ENTRY_FILE;
	case AE_IFDIR:
		return SP_ENTRY_DIR;
	case AE_IFLNK:
		return SP_ENTRY_SYMLINK;
	case AE_IFCHR:
	case AE_IFBLK:
		return SP_ENTRY_DEVICE;
	case AE_IFIFO:
		return SP_ENTRY_FIFO;
	case AE_IFSOCK:
		return SP_ENTRY_SOCKET;
	default:
		return SP_ENTRY_OTHER;
	}
}

static const char *special_name(struct archive_entry *ae, enum sp_entry_type type)
{
	switch (type) {
	case SP_ENTRY_DEVICE:
		return archive_entry_filetype(ae) == AE_IFBLK ? "block device" : "character device";
	case SP_ENTRY_FIFO:
		return "fifo";
	case SP_ENTRY_SOCKET:
		return "socket";
	default:
		return "file of unknown type";
	}
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], need, cp, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return false;
		if (n - i <= need)
			return false;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and code points past U+10FFFF. */
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/* Reports what is wrong with a name; the entry is still read and passed on. */
static void check_name(struct level *lv, const char *path, const char *raw, size_t rawlen,
		       unsigned flags, unsigned depth)
{
	char why[128];
	size_t n = 0;

	if (flags & SP_PATH_DOTDOT)
		unpack_issue(lv, SP_UI_TRAVERSAL, path, "'..' in '%s' points outside the target",
			     raw);
	if (flags & SP_PATH_ABSOLUTE)
		unpack_issue(lv, SP_UI_ABSOLUTE, path, "absolute path '%s'", raw);
	why[0] = '\0';
	if (flags & SP_PATH_EMPTY)
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%sempty name", n ? ", " : "");
	if (flags & SP_PATH_NUL)
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%sNUL byte", n ? ", " : "");
	if (flags & SP_PATH_CONTROL)
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%scontrol character",
				      n ? ", " : "");
	if (flags & SP_PATH_BACKSLASH)
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%sbackslash", n ? ", " : "");
	if (!utf8_valid((const unsigned char *)raw, rawlen))
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%sinvalid UTF-8", n ? ", " : "");
	if (n)
		unpack_issue(lv, SP_UI_BAD_PATH, path, "%s in the name", why);
	if (depth > SP_MAX_PATH_DEPTH)
		unpack_issue(lv, SP_UI_TOO_DEEP, path, "%u directories deep, limit %d", depth,
			     SP_MAX_PATH_DEPTH);
}

static int entry(struct level *lv, struct archive_entry *ae, const struct header *h)
{
	char name[SP_MAX_PATH + 1];
	enum sp_entry_type type = classify(ae, h);
	struct sp_entry e;
	unsigned flags, depth;
	size_t len, rawlen;
	bool was_dir = false;
	int64_t hint;

	lv->sparse_end = 0;
	if (!h->name) {
		const char *path = unpack_level_path(lv, "?", 1);

		unpack_issue(lv, SP_UI_BAD_PATH, path, "an entry name that cannot be decoded");
		unpack_drain(lv, path);
		return lv->run->rc;
	}
	rawlen = strlen(h->name);
	if (rawlen > SP_MAX_PATH) {
		const char *path = unpack_level_path(lv, h->name, SHOWN_NAME);

		/* Not passed on: its content is counted but nothing can be named by it. */
		unpack_issue(lv, SP_UI_PATH_TOO_LONG, path, "name of %zu bytes, limit %d", rawlen,
			     SP_MAX_PATH);
		unpack_drain(lv, path);
		return lv->run->rc;
	}
	memcpy(name, h->name, rawlen + 1);
	flags = sp_path_check(name, rawlen, &depth);
	len = sp_path_normalize(name, rawlen);
	if (len == 0 || (len == 1 && name[0] == '.')) {
		if (type == SP_ENTRY_DIR)
			return 0; /* "./", the archive's own root */
		flags |= SP_PATH_EMPTY;
	}

	memset(&e, 0, sizeof(e));
	e.path = unpack_level_path(lv, name, len);
	e.type = type;
	e.mode = archive_entry_perm(ae);
	e.depth = lv->depth;
	e.complete = true;
	hint = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : -1;
	lv->sparse_end = archive_entry_sparse_count(ae) > 0 && hint > 0 ? hint : 0;

	check_name(lv, e.path, h->name, rawlen, flags, depth);
	if (unpack_names_add(&lv->names, name, len, type == SP_ENTRY_DIR, &was_dir) &&
	    !(was_dir && type == SP_ENTRY_DIR))
		unpack_issue(lv, SP_UI_DUPLICATE, e.path,
			     "name seen before in this archive; tools disagree on which copy wins");

	switch (type) {
	case SP_ENTRY_FILE:
		if (archive_entry_is_encrypted(ae)) {
			unpack_issue(lv, SP_UI_ENCRYPTED, e.path,
				     "encrypted content cannot be scanned");
			e.complete = false;
			return unpack_emit(lv, &e);
		}
		return unpack_file(lv, &e, hint, -1);
	case SP_ENTRY_DIR:
		unpack_drain(lv, e.path);
		return lv->run->stop ? lv->run->rc : unpack_emit(lv, &e);
	case SP_ENTRY_SYMLINK:
		e.link_target = h->link ? h->link : "";
		unpack_issue(lv, SP_UI_SYMLINK, e.path, "%s", e.link_target);
		/*
		 * A zip stores a link's target as the entry's data, and pip's
		 * zipfile writes that data as an ordinary file: it is content.
		 */
		if ((archive_format(lv->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP &&
		    !unpack_bytes(lv, &e, e.link_target, strlen(e.link_target)))
			return lv->run->rc;
		unpack_drain(lv, e.path);
		return lv->run->stop ? lv->run->rc : unpack_emit(lv, &e);
	case SP_ENTRY_HARDLINK:
		e.link_target = h->link;
		unpack_issue(lv, SP_UI_HARDLINK, e.path, "%s", e.link_target);
		break;
	default:
		unpack_issue(lv, SP_UI_DEVICE, e.path, "%s", special_name(ae, type));
		break;
	}
	/*
	 * A link or special file that carries data (a pax hardlink, a zip entry
	 * whose mode bits say device) may be installed as an ordinary file with
	 * that data (pip writes zip entries whatever their mode bits), so the
	 * data is read like a file's.
	 */
	if (hint != 0 && !archive_entry_is_encrypted(ae))
		return unpack_file(lv, &e, hint, -1);
	return unpack_emit(lv, &e);
}

int unpack_archive(struct level *lv)
{
	struct run *run = lv->run;
	struct archive_entry *ae;
	struct header h;
	int r;

	while (!run->stop && !lv->dead) {
		r = next_header(lv->a, &ae, &h);
		if (r == ARCHIVE_EOF)
			break;
		if (!unpack_count_entry(lv, lv->name))
			break;
		/* RETRY means a damaged header libarchive skipped; the archive is not sound. */
		if (r == ARCHIVE_RETRY || r < ARCHIVE_WARN) {
			unpack_issue(lv, SP_UI_CORRUPT, lv->name, "%s",
				     archive_error_string(lv->a) ? archive_error_string(lv->a)
								 : "damaged archive");
			lv->dead = true;
			break;
		}
		if (entry(lv, ae, &h))
			break;
	}
	return run->rc;
}

int unpack_nested(struct level *parent, const char *path, const void *p, size_t len, bool strong)
{
	struct run *run = parent->run;
	struct unpack_mem mem;
	struct level child;
	struct archive *a;
	int r;

	if (parent->depth >= SP_MAX_NESTING) {
		if (strong)
			unpack_issue(parent, SP_UI_NESTING, path,
				     "archive nested more than %d levels deep is not opened",
				     SP_MAX_NESTING);
		return 0;
	}
	a = unpack_reader_new();
	unpack_level_init(&child, run, parent, a, path, parent->depth + 1);
	r = unpack_open_memory(a, &mem, p, len);
	if (r != ARCHIVE_OK) {
		/* A .gz that only looked like an archive by its magic is plain data. */
		if (strong)
			unpack_issue(parent, SP_UI_CORRUPT, path,
				     "cannot be opened as an archive: %s",
				     archive_error_string(a) ? archive_error_string(a)
							     : "unknown format");
		goto out;
	}
	unpack_archive(&child);
out:
	unpack_level_release(&child);
	archive_read_free(a);
	return run->rc;
}
