/*
 * The public entry points: what a target is, and opening it as an archive,
 * a directory or a single file.
 */
#include "unpack/unpack.h"

#include <archive.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "unpack/internal.h"
#include "core/banned.h"

/* Bytes of a file looked at to tell an archive by its content (tar's magic is at 257). */
#define SNIFF 512

const char *sp_unpack_issue_name(enum sp_unpack_issue issue)
{
	static const char *const names[] = {
		[SP_UI_TRAVERSAL] = "traversal",
		[SP_UI_ABSOLUTE] = "absolute-path",
		[SP_UI_BAD_PATH] = "bad-path",
		[SP_UI_SYMLINK] = "symlink",
		[SP_UI_HARDLINK] = "hardlink",
		[SP_UI_DEVICE] = "device",
		[SP_UI_DUPLICATE] = "duplicate",
		[SP_UI_PATH_TOO_LONG] = "path-too-long",
		[SP_UI_TOO_DEEP] = "too-deep",
		[SP_UI_ENTRY_TOO_LARGE] = "entry-too-large",
		[SP_UI_TOO_MANY_ENTRIES] = "too-many-entries",
		[SP_UI_TOTAL_TOO_LARGE] = "too-large",
		[SP_UI_BOMB] = "bomb",
		[SP_UI_NESTING] = "nesting",
		[SP_UI_ENCRYPTED] = "encrypted",
		[SP_UI_CORRUPT] = "corrupt",
	};

	if ((unsigned)issue >= sizeof(names) / sizeof(names[0]) || !names[issue])
		return "unknown";
	return names[issue];
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && strcasecmp(s + n - k, suffix) == 0;
}

enum sp_source_kind sp_unpack_kind(const char *path)
{
	struct stat st;
	size_t n;

	if (!path || !*path)
		return SP_SOURCE_UNKNOWN;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return SP_SOURCE_DIR;
	n = strlen(path);
	if (ends_with(path, n, ".whl"))
		return SP_SOURCE_WHEEL;
	if (ends_with(path, n, ".tar.gz") || ends_with(path, n, ".tgz") ||
	    ends_with(path, n, ".tar.bz2") || ends_with(path, n, ".tar.xz"))
		return SP_SOURCE_SDIST;
	if (ends_with(path, n, ".zip") || ends_with(path, n, ".egg"))
		return SP_SOURCE_ZIP;
	if (ends_with(path, n, ".tar"))
		return SP_SOURCE_TAR;
	return SP_SOURCE_FILE;
}

/* libarchive's message, lower-cased to read as part of ours. */
static const char *archive_msg(struct archive *a, char *buf, size_t size)
{
	const char *s = archive_error_string(a);

	snprintf(buf, size, "%s", s && *s ? s : "unrecognized format");
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

/* The top-level archive is read from the already open descriptor. */
struct fdsrc {
	int fd;
	char *buf;
};

static la_ssize_t fd_read(struct archive *a, void *ud, const void **out)
{
	struct fdsrc *s = ud;
	ssize_t n;

	do
		n = read(s->fd, s->buf, UNPACK_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read failed: %s", strerror(errno));
		return ARCHIVE_FATAL;
	}
	*out = s->buf;
	return n;
}

static la_int64_t fd_seek(struct archive *a, void *ud, la_int64_t off, int whence)
{
	struct fdsrc *s = ud;
	off_t r = lseek(s->fd, (off_t)off, whence);

	if (r < 0) {
		archive_set_error(a, errno, "seek failed: %s", strerror(errno));
		return ARCHIVE_FATAL;
	}
	return r;
}

static la_int64_t fd_skip(struct archive *a, void *ud, la_int64_t n)
{
	struct fdsrc *s = ud;

	(void)a;
	if (n <= 0 || lseek(s->fd, (off_t)n, SEEK_CUR) < 0)
		return 0;
	return n;
}

/*
 * Hashes the whole file and keeps its first bytes. A pass of its own, on
 * the same descriptor the unpacking then reads: the archive reader seeks
 * (zips are read by their central directory), so it cannot hash as it goes.
 */
static int hash_file(int fd, const char *path, unsigned char out[SP_SHA256_LEN],
		     unsigned char *head, size_t *head_len, char *buf, struct sp_diag *d)
{
	struct sp_sha256 *h = sp_sha256_new();
	ssize_t n;
	int rc = 0;

	*head_len = 0;
	for (;;) {
		n = read(fd, buf, UNPACK_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sp_sha256_update(h, buf, (size_t)n);
		if (*head_len < SNIFF) {
			size_t k = SNIFF - *head_len < (size_t)n ? SNIFF - *head_len : (size_t)n;

			memcpy(head + *head_len, buf, k);
			*head_len += k;
		}
	}
	if (n < 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	sp_sha256_final(h, out);
	if (lseek(fd, 0, SEEK_SET) < 0)
		rc = sp_diag_set(d, SP_EIO, "cannot read '%s': %s", path, strerror(errno));
out:
	sp_sha256_free(h);
	return rc;
}

static bool tar_magic(const unsigned char *head, size_t n)
{
	return n >= 262 && memcmp(head + 257, "ustar", 5) == 0;
}

/* A single file is one entry, named by its base name, under the same caps. */
static int unpack_single(struct level *lv, int fd, const char *path, int64_t size)
{
	const char *base = sp_path_base(path);
	struct sp_entry e;

	memset(&e, 0, sizeof(e));
	e.path = unpack_level_path(lv, base, strnlen(base, SP_MAX_PATH));
	e.type = SP_ENTRY_FILE;
	e.complete = true;
	if (unpack_count_entry(lv, e.path))
		unpack_file(lv, &e, size, fd);
	return lv->run->rc;
}

int sp_unpack_path(const char *path, const struct sp_unpack_ops *ops, void *ud,
		   unsigned char sha256[SP_SHA256_LEN], struct sp_diag *d)
{
	unsigned char head[SNIFF], digest[SP_SHA256_LEN];
	struct archive *a = NULL;
	struct fdsrc src = {-1, NULL};
	char msg[SP_DIAG_TEXT];
	size_t head_len;
	bool named, magic;
	struct stat st;
	struct level lv;
	struct run run;
	int rc = 0;

	unpack_run_init(&run, ops, ud, d);
	unpack_level_init(&lv, &run, NULL, NULL, NULL, 0);
	sp_diag_file(d, path);
	if (sha256)
		memset(sha256, 0, SP_SHA256_LEN);

	/* O_NONBLOCK: a fifo named as the target must not hang the open. */
	src.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (src.fd < 0 || fstat(src.fd, &st)) {
		rc = sp_diag_set(d, errno == ENOENT ? SP_ENOENT : SP_EIO, "cannot open '%s': %s",
				 path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		run.max_entries = SP_MAX_DIR_FILES;
		rc = unpack_dir(&lv, src.fd, path);
		src.fd = -1; /* the walk closed it */
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = sp_diag_set(d, SP_EINVAL,
				 "cannot scan '%s': not a regular file or directory (name a "
				 "wheel, an sdist, a directory or a source file)",
				 path);
		goto out;
	}

	src.buf = xmalloc(UNPACK_CHUNK);
	rc = hash_file(src.fd, path, digest, head, &head_len, src.buf, d);
	if (rc)
		goto out;
	if (sha256)
		memcpy(sha256, digest, SP_SHA256_LEN);

	/* By name, and by content too: a renamed archive is still opened. */
	named = unpack_archive_name(path);
	magic = unpack_archive_magic(head, head_len, NULL) || tar_magic(head, head_len);
	if (named || magic) {
		a = unpack_reader_new();
		archive_read_set_callback_data(a, &src);
		archive_read_set_read_callback(a, fd_read);
		archive_read_set_seek_callback(a, fd_seek);
		archive_read_set_skip_callback(a, fd_skip);
		if (unpack_reader_open(a) == ARCHIVE_OK) {
			lv.a = a;
			rc = unpack_archive(&lv);
			goto out;
		}
		if (named) {
			rc = sp_diag_set(d, SP_EFORMAT,
					 "cannot open '%s': not a zip or tar archive: %s (is the "
					 "download complete?)",
					 path, archive_msg(a, msg, sizeof(msg)));
			goto out;
		}
		/* Compressed data that is not an archive (a lone .gz) is a plain file. */
		archive_read_free(a);
		a = NULL;
		if (lseek(src.fd, 0, SEEK_SET) < 0) {
			rc = sp_diag_set(d, SP_EIO, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
	}
	rc = unpack_single(&lv, src.fd, path, st.st_size);
out:
	if (a)
		archive_read_free(a);
	if (src.fd >= 0)
		close(src.fd);
	free(src.buf);
	unpack_level_release(&lv);
	unpack_run_release(&run);
	return rc;
}

int sp_unpack_memory(const void *p, size_t len, const char *name, unsigned depth,
		     const struct sp_unpack_ops *ops, void *ud, struct sp_diag *d)
{
	struct archive *a = unpack_reader_new();
	char msg[SP_DIAG_TEXT];
	struct unpack_mem mem;
	struct level lv;
	struct run run;
	int rc;

	unpack_run_init(&run, ops, ud, d);
	unpack_level_init(&lv, &run, NULL, a, depth ? name : NULL, depth);
	if (unpack_open_memory(a, &mem, p, len) != ARCHIVE_OK) {
		rc = sp_diag_set(d, SP_EFORMAT, "cannot open '%s': not a zip or tar archive: %s",
				 name ? name : "(in memory)", archive_msg(a, msg, sizeof(msg)));
		goto out;
	}
	rc = unpack_archive(&lv);
out:
	unpack_level_release(&lv);
	archive_read_free(a);
	unpack_run_release(&run);
	return rc;
}
