/*
 * Files: reading small ones whole (configuration, requirement and policy
 * files) with a cap, so a huge or endless file (a FIFO, /dev/zero) cannot
 * exhaust memory; making directories; copying.
 */
#ifndef SP_CORE_FILE_H
#define SP_CORE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/*
 * Reads path into out (initialised by the caller; its old content is
 * replaced). Fails with SP_ENOENT when the file does not exist, SP_ELIMIT
 * past max bytes, SP_EIO otherwise; d names the file.
 */
int sp_file_read(const char *path, size_t max, struct sp_buf *out, struct sp_diag *d);

/* mkdir -p with mode 0700 for each missing level; -1 with errno on failure. */
int sp_mkdirs(const char *path);

/*
 * Copies the regular file src to dst (mode 0600 or 0644 as given), never
 * following a link at either end. With exclusive, an existing dst is an
 * error (a fresh directory); otherwise it is replaced. SP_EIO with errno.
 */
int sp_file_copy(const char *src, const char *dst, unsigned mode, bool exclusive);

#endif
