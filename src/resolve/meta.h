/*
 * The core metadata inside a distribution file, read without installing,
 * building or unpacking it to disk: a wheel's NAME-VERSION.dist-info/METADATA,
 * an sdist's TOP/PKG-INFO.
 */
#ifndef SP_RESOLVE_META_H
#define SP_RESOLVE_META_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/*
 * Reads the metadata file of the wheel (wheel true) or sdist at path into
 * *out (malloc'd, NUL-terminated; the caller frees it). A wheel must have
 * exactly one top-level .dist-info directory, as pip requires. SP_ENOENT
 * when there is no metadata file; d names the file.
 */
int sp_meta_read(const char *path, bool wheel, char **out, size_t *len, struct sp_diag *d);

/* Whether an archive member's path is a wheel's "X.dist-info/METADATA". */
bool sp_meta_is_wheel_metadata(const char *path);

/*
 * The files of an sdist that say, without running anything, what it needs:
 * TOP/PKG-INFO, TOP/pyproject.toml, TOP/setup.py and TOP/setup.cfg. Each
 * is malloc'd and NUL-terminated, or NULL when the sdist has none;
 * *_too_large is set when one exists past its cap (SP_MAX_METADATA_BYTES,
 * SP_MAX_PYPROJECT_BYTES, SP_MAX_SETUPPY_BYTES). Released with
 * sp_sdist_files_release().
 */
enum sp_sdist_file { SP_SDIST_PKG_INFO, SP_SDIST_PYPROJECT, SP_SDIST_SETUP_PY,
		     SP_SDIST_SETUP_CFG, SP_SDIST__COUNT };

struct sp_sdist_files {
	char *data[SP_SDIST__COUNT];
	size_t len[SP_SDIST__COUNT];
	bool too_large[SP_SDIST__COUNT];
};

/*
 * Reads them in one pass over the archive at path. Fails with SP_EFORMAT
 * when one of them is in more than one top-level directory (it is then
 * unclear which one a build would use), and as sp_unpack_path() fails.
 */
int sp_sdist_files_read(const char *path, struct sp_sdist_files *out, struct sp_diag *d);
void sp_sdist_files_release(struct sp_sdist_files *f);

#endif
