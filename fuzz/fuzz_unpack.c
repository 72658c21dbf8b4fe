/* libFuzzer: arbitrary bytes as an archive, every body requested. */
#include <stddef.h>
#include <stdint.h>

#include "unpack/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool want(void *ud, const char *path, int64_t size)
{
	(void)ud;
	(void)path;
	(void)size;
	return true;
}

static int entry(void *ud, struct sp_entry *e)
{
	size_t *n = ud;

	*n += e->len + (e->path[0] != 0);
	return 0;
}

static void issue(void *ud, enum sp_unpack_issue i, const char *path, const char *detail)
{
	(void)ud;
	(void)i;
	(void)path;
	(void)detail;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sp_unpack_ops ops = {want, entry, issue};
	size_t n = 0;

	sp_unpack_memory(data, size, "fuzz.zip", 0, &ops, &n, NULL);
	return 0;
}
