/*
 * libFuzzer: a zip read in pieces (resolve/rangezip.h), the finder's way.
 * The first two bytes set the tail fetched first; the rest is the file.
 * Every range asked for must lie inside the file and bring new bytes, the
 * rounds must stay under the cap, and an answer must be NUL-terminated
 * and within SP_MAX_METADATA_BYTES.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "resolve/rangezip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_rzip *z;
	struct sp_diag d;
	size_t tail, n;
	int64_t off, len;
	enum sp_rzip_rc rc;
	char *md = NULL;
	size_t mdlen = 0;

	if (size < 3)
		return 0;
	tail = (size_t)data[0] | (size_t)data[1] << 8;
	data += 2;
	n = size - 2;
	if (!tail || tail > n)
		tail = n;
	z = sp_rzip_new((int64_t)n);
	if (sp_rzip_add(z, (int64_t)(n - tail), data + n - tail, tail) != 0)
		abort();
	for (;;) {
		int64_t before = sp_rzip_known(z);

		sp_diag_clear(&d);
		rc = sp_rzip_step(z, &off, &len, &md, &mdlen, &d);
		if (rc != SP_RZIP_MORE)
			break;
		if (off < 0 || len <= 0 || off + len > (int64_t)n ||
		    sp_rzip_rounds(z) > SP_RANGE_MAX_ROUNDS)
			abort();
		if (sp_rzip_add(z, off, data + off, (size_t)len) != 0 || sp_rzip_known(z) <= before)
			abort();
	}
	if (rc == SP_RZIP_DONE && (!md || md[mdlen] != '\0' || mdlen > SP_MAX_METADATA_BYTES))
		abort();
	if (rc == SP_RZIP_GIVE_UP && (md || !d.msg[0]))
		abort();
	free(md);
	sp_rzip_free(z);
	return 0;
}
