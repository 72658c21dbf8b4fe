#include "resolve/meta.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/path.h"
#include "unpack/unpack.h"
#include "core/banned.h"

struct finder {
	bool wheel;
	char *data;
	size_t len;
	unsigned found;  /* metadata files seen at the right place */
};

/* "X.dist-info/METADATA" (wheel) or "X/PKG-INFO" (sdist): one level down. */
static bool is_meta_name(bool wheel, const char *path)
{
	const char *slash = strchr(path, '/');
	size_t dir;

	if (!slash || strchr(slash + 1, '/') || strchr(path, '!'))
		return false;
	dir = (size_t)(slash - path);
	if (wheel)
		return dir > 10 && strncmp(slash - 10, ".dist-info", 10) == 0 &&
		       strcmp(slash + 1, "METADATA") == 0;
	return strcmp(slash + 1, "PKG-INFO") == 0;
}

bool sp_meta_is_wheel_metadata(const char *path)
{
	return is_meta_name(true, path);
}

static bool is_meta(const struct finder *f, const char *path)
{
	return is_meta_name(f->wheel, path);
}

static bool want(void *ud, const char *path, int64_t size_hint)
{
	(void)size_hint;
	return is_meta(ud, path);
}

static int entry(void *ud, struct sp_entry *e)
{
	struct finder *f = ud;

	if (e->type != SP_ENTRY_FILE || e->depth != 0 || !is_meta(f, e->path))
		return 0;
	f->found++;
	if (f->found > 1 || !e->data)
		return 0;
	f->data = e->data;
	f->len = e->len;
	e->data = NULL; /* taken */
	return 0;
}

int sp_meta_read(const char *path, bool wheel, char **out, size_t *len, struct sp_diag *d)
{
	struct finder f = {wheel, NULL, 0, 0};
	struct sp_unpack_ops ops = {want, entry, NULL};
	int err;

	*out = NULL;
	*len = 0;
	err = sp_unpack_path(path, &ops, &f, NULL, d);
	if (err < 0)
		goto out;
	if (f.found > 1 && wheel) {
		err = sp_diag_set(d, SP_EFORMAT, "'%s' has more than one .dist-info directory",
				  sp_path_base(path));
		goto out;
	}
	if (!f.data) {
		err = sp_diag_set(d, SP_ENOENT, "'%s' has no %s", sp_path_base(path),
				  wheel ? ".dist-info/METADATA" : "PKG-INFO");
		goto out;
	}
	*out = f.data;
	*len = f.len;
	f.data = NULL;
out:
	free(f.data);
	return err;
}

/* --- an sdist's static build and dependency files --- */

static const char *const sdist_names[SP_SDIST__COUNT] = {
	"PKG-INFO", "pyproject.toml", "setup.py", "setup.cfg",
};

static const size_t sdist_caps[SP_SDIST__COUNT] = {
	SP_MAX_METADATA_BYTES, SP_MAX_PYPROJECT_BYTES, SP_MAX_SETUPPY_BYTES,
	SP_MAX_PYPROJECT_BYTES,
};

struct sdist_reader {
	struct sp_sdist_files *out;
	unsigned seen[SP_SDIST__COUNT];
};

/* Which of the files path is ("TOP/name", one level down), or -1. */
static int sdist_which(const char *path)
{
	const char *slash = strchr(path, '/');
	int i;

	if (!slash || slash == path || strchr(slash + 1, '/') || strchr(path, '!'))
		return -1;
	for (i = 0; i < SP_SDIST__COUNT; i++)
		if (strcmp(slash + 1, sdist_names[i]) == 0)
			return i;
	return -1;
}

static bool sdist_want(void *ud, const char *path, int64_t size_hint)
{
	(void)ud;
	(void)size_hint;
	return sdist_which(path) >= 0;
}

static int sdist_entry(void *ud, struct sp_entry *e)
{
	struct sdist_reader *r = ud;
	int k;

	if (e->type != SP_ENTRY_FILE || e->depth != 0 || (k = sdist_which(e->path)) < 0)
		return 0;
	if (r->seen[k]++)
		return 0;
	if (!e->data || e->len > sdist_caps[k]) {
		r->out->too_large[k] = true;
		return 0;
	}
	r->out->data[k] = e->data;
	r->out->len[k] = e->len;
	e->data = NULL; /* taken */
	return 0;
}

int sp_sdist_files_read(const char *path, struct sp_sdist_files *out, struct sp_diag *d)
{
	struct sdist_reader r;
	struct sp_unpack_ops ops = {sdist_want, sdist_entry, NULL};
	int err, k;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.out = out;
	err = sp_unpack_path(path, &ops, &r, NULL, d);
	for (k = 0; !err && k < SP_SDIST__COUNT; k++)
		if (r.seen[k] > 1)
			err = sp_diag_set(d, SP_EFORMAT, "'%s' has more than one top-level %s",
					  sp_path_base(path), sdist_names[k]);
	if (err)
		sp_sdist_files_release(out);
	return err;
}

void sp_sdist_files_release(struct sp_sdist_files *f)
{
	int k;

	for (k = 0; k < SP_SDIST__COUNT; k++)
		free(f->data[k]);
	memset(f, 0, sizeof(*f));
}
