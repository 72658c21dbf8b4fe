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

#endif
