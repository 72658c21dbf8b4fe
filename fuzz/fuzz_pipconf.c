/*
 * libFuzzer: the same bytes as a pip.conf (configparser's rules), applied
 * for `install`.
 */
#include <stddef.h>
#include <stdint.h>

#include "resolve/pipconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_pipconf c;
	struct sp_diag d;

	sp_pipconf_init(&c);
	sp_pipconf_load_text(&c, "install", "fuzz.conf", (const char *)data, size,
			     SP_ORIGIN_USER, &d);
	sp_pipconf_release(&c);
	return 0;
}
