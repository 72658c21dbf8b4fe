/*
 * A wheel's METADATA read from a zip file known only in pieces: the bytes
 * that HTTP range requests brought, so that a large wheel's dependencies
 * are learnt without downloading it (PEP 658's metadata file is the better
 * way; this serves indexes without one). libzip does the reading; this
 * module serves it the pieces and says which piece is missing.
 *
 *     z = sp_rzip_new(total_size);
 *     sp_rzip_add(z, off, bytes, len);     the tail first, then each answer
 *     while ((rc = sp_rzip_step(z, &off, &len, &md, &mdlen, &d)) == SP_RZIP_MORE)
 *             fetch [off, off + len) and sp_rzip_add() it;
 *     SP_RZIP_DONE: md is the METADATA; SP_RZIP_GIVE_UP: fetch the file whole
 *     sp_rzip_free(z);
 *
 * It gives up (and the caller downloads the whole file, whose reader
 * reports any real problem) on anything unusual: not a zip, no METADATA or
 * more than one, an entry over SP_MAX_METADATA_BYTES, more than
 * SP_RANGE_MAX_ROUNDS rounds, or ranges adding up to more than
 * SP_RANGE_MAX_SHARE_PCT of the file or SP_RANGE_MAX_BYTES.
 *
 * The bytes are not checked against the file's hash, which covers the
 * whole file: the finder compares this METADATA with the one inside the
 * downloaded file before that file is used.
 *
 * Ownership: sp_rzip_add() copies; *md is malloc'd, NUL-terminated, and
 * the caller frees it.
 */
#ifndef SP_RESOLVE_RANGEZIP_H
#define SP_RESOLVE_RANGEZIP_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct sp_rzip;

enum sp_rzip_rc {
	SP_RZIP_DONE,
	SP_RZIP_MORE,
	SP_RZIP_GIVE_UP, /* why, in d */
};

/* A file of total bytes, none of them known yet. */
struct sp_rzip *sp_rzip_new(int64_t total);
void sp_rzip_free(struct sp_rzip *z);

/* Bytes [off, off + len) of the file. SP_EINVAL when they lie outside it. */
int sp_rzip_add(struct sp_rzip *z, int64_t off, const void *data, size_t len);

/*
 * Reads as far as the bytes known allow. SP_RZIP_MORE: the next range to
 * fetch is [*off, *off + *len), never empty, inside the file.
 */
enum sp_rzip_rc sp_rzip_step(struct sp_rzip *z, int64_t *off, int64_t *len, char **md,
			     size_t *mdlen, struct sp_diag *d);

/* Bytes added so far (overlaps counted once), the calls to step, the file's size. */
int64_t sp_rzip_known(const struct sp_rzip *z);
int sp_rzip_rounds(const struct sp_rzip *z);
int64_t sp_rzip_total(const struct sp_rzip *z);

#endif
