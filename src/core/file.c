#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "core/banned.h"

int sp_file_read(const char *path, size_t max, struct sp_buf *out, struct sp_diag *d)
{
	FILE *f;
	char chunk[8192];
	size_t n;
	int err = 0;

	sp_buf_reset(out);
	out->max = max;
	f = fopen(path, "rb");
	if (!f) {
		sp_diag_file(d, path);
		if (errno == ENOENT)
			return sp_diag_set(d, SP_ENOENT, "cannot read '%s': no such file", path);
		return sp_diag_set(d, SP_EIO, "cannot read '%s': %s", path, strerror(errno));
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (sp_buf_add(out, chunk, n) < 0) {
			sp_diag_file(d, path);
			err = sp_diag_set(d, SP_ELIMIT, "cannot read '%s': larger than %zu bytes",
					  path, max);
			goto out;
		}
	}
	if (ferror(f)) {
		sp_diag_file(d, path);
		err = sp_diag_set(d, SP_EIO, "cannot read '%s': %s", path, strerror(errno));
	}
out:
	fclose(f);
	return err;
}

int sp_mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

int sp_file_copy(const char *src, const char *dst, unsigned mode, bool exclusive)
{
	char buf[65536];
	ssize_t r, w, off;
	int in, out = -1, ret = SP_EIO;

	in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		goto out;
	out = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			    (exclusive ? O_EXCL : O_TRUNC), (mode_t)mode);
	if (out < 0)
		goto out;
	for (;;) {
		r = read(in, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0)
				goto out;
			break;
		}
		for (off = 0; off < r; off += w) {
			w = write(out, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				goto out;
		}
	}
	ret = close(out) == 0 ? 0 : SP_EIO;
	out = -1;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}
