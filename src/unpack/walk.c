/*
 * Directory targets. Everything is opened relative to its parent's open
 * descriptor (openat, fstatat) with O_NOFOLLOW, so a symlink swapped in
 * while walking is refused rather than followed, and paths longer than
 * PATH_MAX never reach the kernel. Names are sorted so the entry order, and
 * with it the report, does not depend on the file system.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "unpack/internal.h"
#include "core/banned.h"

struct walker {
	struct level *lv;
	const char *root;	   /* as the caller named it, for messages */
	char rel[SP_MAX_PATH + 1]; /* path of the current entry below root */
	/* The current symlink's target: here rather than on the recursion's stack. */
	char target[SP_MAX_PATH + 1];
};

/* A file that cannot be read leaves the scan unfinished, so the run fails. */
static void fail(struct walker *w, const char *what, const char *rel, int err)
{
	struct run *run = w->lv->run;

	if (run->rc < 0)
		return;
	run->rc = sp_diag_set(run->d, SP_EIO, "cannot %s '%s%s%s': %s (check its permissions)",
			      what, w->root, *w->root ? "/" : "", rel, strerror(err));
	sp_diag_file(run->d, w->root);
	run->stop = true;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(struct walker *w, int dfd, size_t rellen, unsigned depth);

/*
 * Emits the entry e for name (in dfd, already lstat'ed into st): a link,
 * a regular file with its body, or a special file that is never opened.
 * Returns true, having emitted nothing, for a directory.
 */
static bool emit_node(struct walker *w, int dfd, const char *name, struct sp_entry *e,
		      struct stat *st)
{
	struct level *lv = w->lv;
	ssize_t tn;
	int fd;

	e->mode = st->st_mode & 07777;
	if (S_ISDIR(st->st_mode)) {
		e->type = SP_ENTRY_DIR;
		return true;
	}
	if (S_ISLNK(st->st_mode)) {
		tn = readlinkat(dfd, name, w->target, sizeof(w->target) - 1);
		w->target[tn < 0 ? 0 : tn] = '\0';
		e->type = SP_ENTRY_SYMLINK;
		e->link_target = w->target;
		unpack_issue(lv, SP_UI_SYMLINK, e->path, "%s", w->target);
		unpack_emit(lv, e);
	} else if (S_ISREG(st->st_mode)) {
		/* O_NONBLOCK: should a fifo be swapped in, the open does not hang. */
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || fstat(fd, st) || !S_ISREG(st->st_mode)) {
			fail(w, "open", w->rel, fd < 0 ? errno : EINVAL);
			if (fd >= 0)
				close(fd);
			return false;
		}
		e->type = SP_ENTRY_FILE;
		unpack_file(lv, e, st->st_size, fd);
		close(fd);
	} else {
		e->type = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? SP_ENTRY_DEVICE
			  : S_ISFIFO(st->st_mode)			     ? SP_ENTRY_FIFO
			  : S_ISSOCK(st->st_mode)			     ? SP_ENTRY_SOCKET
									     : SP_ENTRY_OTHER;
		unpack_issue(lv, SP_UI_DEVICE, e->path, "%s",
			     e->type == SP_ENTRY_DEVICE	  ? "device"
			     : e->type == SP_ENTRY_FIFO	  ? "fifo"
			     : e->type == SP_ENTRY_SOCKET ? "socket"
							  : "file of unknown type");
		unpack_emit(lv, e);
	}
	return false;
}

static void visit(struct walker *w, int dfd, size_t rellen, const char *name, unsigned depth)
{
	struct level *lv = w->lv;
	size_t nlen = strlen(name), len = rellen + (rellen ? 1 : 0) + nlen;
	struct sp_entry e;
	struct stat st;
	unsigned flags;
	int fd;

	if (len > SP_MAX_PATH) {
		const char *path = unpack_level_path(lv, w->rel, rellen);

		if (unpack_count_entry(lv, path))
			unpack_issue(lv, SP_UI_PATH_TOO_LONG, path,
				     "an entry of '%.200s' has a path over %d bytes", path,
				     SP_MAX_PATH);
		return;
	}
	if (rellen)
		w->rel[rellen] = '/';
	memcpy(w->rel + len - nlen, name, nlen + 1);
	memset(&e, 0, sizeof(e));
	e.path = unpack_level_path(lv, w->rel, len);
	e.depth = lv->depth;
	e.complete = true;
	if (!unpack_count_entry(lv, e.path))
		return;

	flags = sp_path_check(name, nlen, NULL);
	if (flags & (SP_PATH_CONTROL | SP_PATH_BACKSLASH))
		unpack_issue(lv, SP_UI_BAD_PATH, e.path, "%s in the name",
			     flags & SP_PATH_CONTROL ? "control character" : "backslash");
	if (depth + 1 > SP_MAX_PATH_DEPTH)
		unpack_issue(lv, SP_UI_TOO_DEEP, e.path,
			     "%u directories deep, limit %d; not walked", depth + 1,
			     SP_MAX_PATH_DEPTH);

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		fail(w, "stat", w->rel, errno);
		return;
	}
	if (!emit_node(w, dfd, name, &e, &st))
		return;
	if (unpack_emit(lv, &e) || depth + 1 > SP_MAX_PATH_DEPTH)
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		fail(w, "open", w->rel, errno);
		return;
	}
	walk(w, fd, len, depth + 1);
}

static void walk(struct walker *w, int dfd, size_t rellen, unsigned depth)
{
	struct run *run = w->lv->run;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *dir;

	dir = fdopendir(dfd);
	if (!dir) {
		fail(w, "read", rellen ? w->rel : ".", errno);
		close(dfd);
		return;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* Names past the cap are never visited; keeping them would only cost memory. */
		if (run->entries + n > run->max_entries)
			break;
		SP_GROW(names, n + 1, cap);
		names[n++] = xstrdup(de->d_name);
	}
	if (!de && errno) {
		fail(w, "read", rellen ? w->rel : ".", errno);
		goto out;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && !run->stop; i++) {
		w->rel[rellen] = '\0';
		visit(w, dirfd(dir), rellen, names[i], depth);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
}

int unpack_dir(struct level *lv, int dfd, const char *dirpath)
{
	struct walker *w = xmalloc(sizeof(*w));

	w->lv = lv;
	w->root = dirpath;
	w->rel[0] = '\0';
	walk(w, dfd, 0, 0);
	free(w);
	return lv->run->rc;
}

int sp_unpack_files(const struct sp_unpack_file *files, size_t n, const struct sp_unpack_ops *ops,
		    void *ud, struct sp_diag *d)
{
	struct walker *w = xmalloc(sizeof(*w));
	struct level lv;
	struct run run;
	size_t i;
	int rc;

	unpack_run_init(&run, ops, ud, d);
	unpack_level_init(&lv, &run, NULL, NULL, NULL, 0);
	run.max_entries = SP_MAX_DIR_FILES;
	w->lv = &lv;
	w->root = "";
	for (i = 0; i < n && !run.stop; i++) {
		const char *slash = strrchr(files[i].path, '/');
		size_t nlen = strlen(files[i].name), plen = strlen(files[i].path);
		struct sp_entry e;
		struct stat st;
		char *dir;
		int dfd;

		if (nlen > SP_MAX_PATH || plen > SP_MAX_PATH || !slash)
			continue;
		/* For messages: w->root is empty, so they name the file by its path. */
		memcpy(w->rel, files[i].path, plen + 1);
		memset(&e, 0, sizeof(e));
		e.path = unpack_level_path(&lv, files[i].name, nlen);
		e.complete = true;
		if (!unpack_count_entry(&lv, e.path))
			break;
		/* The last component is never followed; the directories above it may be links. */
		dir = xstrndup(files[i].path, (size_t)(slash - files[i].path) + (slash == files[i].path));
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(dir);
		if (dfd < 0 || fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW)) {
			/* Gone since it was listed: the caller's own check reports it. */
			if (errno != ENOENT && errno != ENOTDIR)
				fail(w, "stat", w->rel, errno);
		} else if (emit_node(w, dfd, slash + 1, &e, &st)) {
			unpack_emit(&lv, &e);
		}
		if (dfd >= 0)
			close(dfd);
	}
	free(w);
	rc = run.rc;
	unpack_level_release(&lv);
	unpack_run_release(&run);
	return rc;
}
