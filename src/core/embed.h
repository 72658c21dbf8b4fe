/*
 * Data files compiled into the binary (rule catalog, queries, shipped
 * policies): see cmake/embed.cmake. Static storage; never freed. Each data
 * array is followed by a NUL byte not counted in len.
 */
#ifndef SP_CORE_EMBED_H
#define SP_CORE_EMBED_H

#include <stddef.h>

struct sp_embedded {
	const char *name; /* path relative to the repository's policy/ */
	const unsigned char *data;
	size_t len;
};

/* Terminated by an entry with name == NULL. */
extern const struct sp_embedded sp_embedded_files[];

const struct sp_embedded *sp_embedded_find(const char *name);

#endif
