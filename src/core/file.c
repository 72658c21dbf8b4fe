#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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
