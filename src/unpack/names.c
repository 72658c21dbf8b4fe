/*
 * The set of names seen in one archive. Open addressing with linear
 * probing on a 64-bit FNV-1a hash, grown at half load, so checking 100,000
 * entries costs 100,000 hash computations, not 5 billion comparisons.
 */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "unpack/internal.h"
#include "core/banned.h"

struct unpack_name {
	uint64_t hash;
	const char *name; /* NULL: empty slot */
	size_t len;
	bool dir;
};

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void unpack_names_init(struct unpack_names *s)
{
	s->slots = NULL;
	s->cap = s->n = 0;
	sp_arena_init(&s->arena);
}

void unpack_names_release(struct unpack_names *s)
{
	free(s->slots);
	s->slots = NULL;
	s->cap = s->n = 0;
	sp_arena_release(&s->arena);
}

static struct unpack_name *probe(struct unpack_name *slots, size_t cap, uint64_t hash,
				 const char *name, size_t len)
{
	size_t i = (size_t)hash & (cap - 1);

	for (;; i = (i + 1) & (cap - 1)) {
		struct unpack_name *x = &slots[i];

		if (!x->name)
			return x;
		if (x->hash == hash && x->len == len && memcmp(x->name, name, len) == 0)
			return x;
	}
}

static void grow(struct unpack_names *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024, i;
	struct unpack_name *slots = xcalloc(cap, sizeof(*slots));

	for (i = 0; i < s->cap; i++) {
		struct unpack_name *x = &s->slots[i];

		if (x->name)
			*probe(slots, cap, x->hash, x->name, x->len) = *x;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
}

int unpack_names_add(struct unpack_names *s, const char *name, size_t len, bool dir, bool *was_dir)
{
	uint64_t hash = fnv1a(name, len);
	struct unpack_name *x;

	if ((s->n + 1) * 2 > s->cap)
		grow(s);
	x = probe(s->slots, s->cap, hash, name, len);
	if (x->name) {
		if (was_dir)
			*was_dir = x->dir;
		return 1;
	}
	x->hash = hash;
	x->name = sp_arena_strndup(&s->arena, name, len);
	x->len = len;
	x->dir = dir;
	s->n++;
	return 0;
}
