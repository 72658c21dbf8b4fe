/*
 * libFuzzer: wheel and sdist file names. The input (up to a NUL) is parsed
 * as a wheel name, as an sdist name without a project, and as an sdist
 * name of the project the wheel parse or the text before the first '-'
 * names. A parsed wheel's tags must all be non-empty.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "req/filename.h"
#include "req/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1), *key;
	struct sp_wheel_name w;
	struct sp_sdist_name s;
	struct sp_arena a;
	size_t i, dash;

	memcpy(name, data, size);
	name[size] = '\0';
	sp_arena_init(&a);
	if (sp_wheel_name_parse(&a, name, &w, NULL) == 0) {
		for (i = 0; i < w.ntags; i++)
			if (!*w.tags[i].python || !*w.tags[i].abi || !*w.tags[i].platform)
				abort();
		if (sp_wheel_build_cmp(&w, &w) != 0)
			abort();
	}
	if (sp_sdist_name_parse(&a, name, NULL, &s, NULL) == 0) {
		key = sp_name_normalize(s.name);
		if (sp_sdist_name_parse(&a, name, key, &s, NULL) != 0)
			abort(); /* the name it found is one it accepts */
		free(key);
	}
	dash = strcspn(name, "-");
	key = malloc(dash + 1);
	sp_name_normalize_buf(key, name, dash);
	(void)sp_sdist_name_parse(&a, name, key, &s, NULL);
	free(key);
	sp_arena_release(&a);
	free(name);
	return 0;
}
