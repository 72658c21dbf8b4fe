/*
 * Allocation wrappers that never return NULL: on failure they print one
 * line to stderr and abort, as tree-sitter and libsolv do. Memory is freed
 * with free().
 */
#ifndef SP_CORE_XALLOC_H
#define SP_CORE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows *array (of elem bytes each) so that it holds at least need items. */
#define SP_GROW(array, need, cap)                                                          \
	do {                                                                               \
		if ((need) > (cap)) {                                                      \
			size_t sp_grow_n = (cap) ? (cap) * 2 : 8;                          \
			while (sp_grow_n < (need))                                         \
				sp_grow_n *= 2;                                            \
			(array) = xrealloc((array), sp_grow_n * sizeof(*(array)));         \
			(cap) = sp_grow_n;                                                 \
		}                                                                          \
	} while (0)

#endif
