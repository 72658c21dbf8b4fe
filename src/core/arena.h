/*
 * A bump allocator for data that lives as long as one run or one file scan.
 * Everything allocated from an arena is freed at once by sp_arena_release();
 * nothing in it is freed individually.
 */
#ifndef SP_CORE_ARENA_H
#define SP_CORE_ARENA_H

#include <stddef.h>

struct sp_arena_block;

struct sp_arena {
	struct sp_arena_block *head;
};

void sp_arena_init(struct sp_arena *a);
void sp_arena_release(struct sp_arena *a);
/* Zeroed, aligned for any type; never NULL. */
void *sp_arena_alloc(struct sp_arena *a, size_t n);
char *sp_arena_strndup(struct sp_arena *a, const char *s, size_t n);
char *sp_arena_strdup(struct sp_arena *a, const char *s);

#endif
