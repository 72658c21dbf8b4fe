/*
 * Reading small files whole (configuration, requirement and policy files),
 * with a cap so a huge or endless file (a FIFO, /dev/zero) cannot exhaust
 * memory.
 */
#ifndef SP_CORE_FILE_H
#define SP_CORE_FILE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/*
 * Reads path into out (initialised by the caller; its old content is
 * replaced). Fails with SP_ENOENT when the file does not exist, SP_ELIMIT
 * past max bytes, SP_EIO otherwise; d names the file.
 */
int sp_file_read(const char *path, size_t max, struct sp_buf *out, struct sp_diag *d);

#endif
