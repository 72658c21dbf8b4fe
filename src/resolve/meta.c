#include "resolve/meta.h"

#include <stdlib.h>
#include <string.h>

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
static bool is_meta(const struct finder *f, const char *path)
{
	const char *slash = strchr(path, '/');
	size_t dir;

	if (!slash || strchr(slash + 1, '/') || strchr(path, '!'))
		return false;
	dir = (size_t)(slash - path);
	if (f->wheel)
		return dir > 10 && strncmp(slash - 10, ".dist-info", 10) == 0 &&
		       strcmp(slash + 1, "METADATA") == 0;
	return strcmp(slash + 1, "PKG-INFO") == 0;
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
