#include "core/embed.h"

#include <string.h>

#include "core/banned.h"

const struct sp_embedded *sp_embedded_find(const char *name)
{
	const struct sp_embedded *e;

	for (e = sp_embedded_files; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}
