#include "core/arena.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "core/banned.h"

#define BLOCK_SIZE (64 * 1024)
#define ALIGN 16

struct sp_arena_block {
	struct sp_arena_block *next;
	size_t used, size;
	_Alignas(ALIGN) unsigned char mem[];
};

void sp_arena_init(struct sp_arena *a)
{
	a->head = NULL;
}

void sp_arena_release(struct sp_arena *a)
{
	struct sp_arena_block *b = a->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

void *sp_arena_alloc(struct sp_arena *a, size_t n)
{
	struct sp_arena_block *b = a->head;
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	void *p;

	if (!b || b->size - b->used < need) {
		size_t size = need > BLOCK_SIZE / 4 ? need : BLOCK_SIZE;

		b = xmalloc(sizeof(*b) + size);
		b->used = 0;
		b->size = size;
		/* Large one-off blocks go behind the head so the head keeps its room. */
		if (a->head && size != BLOCK_SIZE) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->mem + b->used;
	b->used += need;
	memset(p, 0, n);
	return p;
}

char *sp_arena_strndup(struct sp_arena *a, const char *s, size_t n)
{
	char *p = sp_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sp_arena_strdup(struct sp_arena *a, const char *s)
{
	return sp_arena_strndup(a, s, strlen(s));
}
