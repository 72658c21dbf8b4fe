/*
 * The typosquatting index. Four hash tables over the popular names:
 *   exact     name -> id, to leave popular names alone;
 *   deletions every name and each of its one-letter deletions -> id, so a
 *             lookup of the query and its own deletions finds every name
 *             one Damerau edit away (symmetric deletion: a replaced,
 *             added, removed or swapped letter always leaves a deletion in
 *             common), each candidate then checked exactly;
 *   cores     the name stripped of separators, trailing digits and a
 *             python/py affix -> the best-ranked id;
 *   skeletons the name with look-alike characters folded -> best id.
 * Table slots hold a hash and an id; keys are read back from the names,
 * so the deletion table stores no strings at all.
 */
#include "policy/typosquat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/embed.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "core/banned.h"

#define MAX_NAME 200 /* longer than any PyPI name; longer queries are not checked */
#define NO_POS 255
_Static_assert(MAX_NAME < NO_POS, "deleted positions must fit below NO_POS");
_Static_assert(SP_MAX_POPULAR_NAMES < (1 << 24), "ids must fit 24 bits");

struct pop {
	const char *name;
	unsigned rank;
	uint16_t len;
	const char *core; /* NULL when too short to compare */
	const char *skeleton;
};

struct slot {
	uint32_t hash;
	uint32_t id; /* pop index + 1; 0 empty */
};

/* 8 bytes, so the largest table stays small: names are at most MAX_NAME (< 255) long. */
struct del_slot {
	uint32_t hash;
	uint32_t id : 24; /* pop index + 1; 0 empty (SP_MAX_POPULAR_NAMES < 2^24) */
	uint32_t pos : 8; /* deleted position, NO_POS for the whole name */
};

enum key_kind { KEY_NAME, KEY_CORE, KEY_SKELETON };

struct table {
	struct slot *slots;
	size_t mask;
	enum key_kind kind;
};

struct sp_typosquat {
	struct pop *pops;
	size_t npops;
	struct table exact, cores, skeletons;
	struct del_slot *dels;
	size_t del_mask;
	struct sp_arena arena;
};

static uint32_t fnv(const char *s, size_t n, size_t skip)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i == skip)
			continue;
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h ? h : 1;
}

static size_t table_size(size_t n)
{
	size_t s = 64;

	while (s < n * 2)
		s *= 2;
	return s;
}

static const char *pop_key(const struct pop *p, enum key_kind k)
{
	return k == KEY_NAME ? p->name : k == KEY_CORE ? p->core : p->skeleton;
}

/* The id stored for key, or 0. */
static uint32_t table_get(const struct table *t, const struct pop *pops, const char *key)
{
	uint32_t h = fnv(key, strlen(key), SIZE_MAX);
	size_t i = h & t->mask;

	for (; t->slots[i].id; i = (i + 1) & t->mask) {
		const char *k = pop_key(&pops[t->slots[i].id - 1], t->kind);

		if (t->slots[i].hash == h && strcmp(k, key) == 0)
			return t->slots[i].id;
	}
	return 0;
}

/* Inserts pops[id - 1] under its key, keeping the best rank per key. */
static void table_put(struct table *t, const struct pop *pops, uint32_t id)
{
	const char *key = pop_key(&pops[id - 1], t->kind);
	uint32_t h = fnv(key, strlen(key), SIZE_MAX);
	size_t i = h & t->mask;

	for (; t->slots[i].id; i = (i + 1) & t->mask) {
		const struct pop *o = &pops[t->slots[i].id - 1];

		if (t->slots[i].hash == h && strcmp(pop_key(o, t->kind), key) == 0) {
			if (pops[id - 1].rank < o->rank)
				t->slots[i].id = id;
			return;
		}
	}
	t->slots[i].hash = h;
	t->slots[i].id = id;
}

static void table_init(struct table *t, size_t n, enum key_kind kind)
{
	size_t size = table_size(n);

	t->slots = xcalloc(size, sizeof(*t->slots));
	t->mask = size - 1;
	t->kind = kind;
}

static const char *const prefixes[] = {"python3-", "python-", "py3-", "py-"};
static const char *const suffixes[] = {"-python3", "-python", "-py3", "-py"};

/*
 * The part of a name that carries its meaning: a separated python/py
 * affix, separators and trailing digits removed. Writes into out (at
 * least MAX_NAME + 1 bytes); returns false when too little is left.
 */
static bool make_core(const char *name, char *out)
{
	size_t n = strlen(name), i, o = 0, k;
	const char *s = name;

	for (k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
		size_t pl = strlen(prefixes[k]);

		if (n > pl && strncmp(s, prefixes[k], pl) == 0) {
			s += pl;
			n -= pl;
			break;
		}
	}
	for (k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
		size_t sl = strlen(suffixes[k]);

		if (n > sl && memcmp(s + n - sl, suffixes[k], sl) == 0) {
			n -= sl;
			break;
		}
	}
	for (i = 0; i < n; i++)
		if (s[i] != '-')
			out[o++] = s[i];
	while (o > 0 && out[o - 1] >= '0' && out[o - 1] <= '9')
		o--;
	out[o] = '\0';
	return o >= SP_TYPO_MIN_CORE_LEN;
}

/* Folds characters that look alike in most fonts. out: MAX_NAME + 1 bytes. */
static void make_skeleton(const char *name, char *out)
{
	size_t o = 0;
	const char *p;

	for (p = name; *p; p++) {
		char c = *p;

		if (c == '0')
			c = 'o';
		else if (c == '1' || c == 'i')
			c = 'l';
		else if (c == 'r' && p[1] == 'n')
			c = 'm', p++;
		else if (c == 'v' && p[1] == 'v')
			c = 'w', p++;
		out[o++] = c;
	}
	out[o] = '\0';
}

/* Whether key equals name with position pos left out (NO_POS: whole name). */
static bool del_equal(const char *key, size_t klen, const struct pop *p, uint16_t pos)
{
	if (pos == NO_POS)
		return klen == p->len && memcmp(key, p->name, klen) == 0;
	if (klen + 1 != p->len)
		return false;
	return memcmp(key, p->name, pos) == 0 &&
	       memcmp(key + pos, p->name + pos + 1, klen - pos) == 0;
}

static void del_put(struct sp_typosquat *t, uint32_t id, uint16_t pos)
{
	const struct pop *p = &t->pops[id - 1];
	uint32_t h = fnv(p->name, p->len, pos == NO_POS ? SIZE_MAX : pos);
	size_t i = h & t->del_mask;

	while (t->dels[i].id)
		i = (i + 1) & t->del_mask;
	t->dels[i].hash = h;
	t->dels[i].id = id;
	t->dels[i].pos = pos;
}

static bool valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MAX_NAME || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && s[i + 1] == '-')
			return false;
	}
	return true;
}

static int bad_line(struct sp_diag *d, size_t line, const char *what)
{
	sp_diag_file(d, "popular.tsv");
	if (d)
		d->line = (unsigned)line;
	return sp_diag_set(d, SP_EFORMAT, "invalid popular-name list at line %zu: %s", line, what);
}

/* Parses the TSV into t->pops. */
static int parse(struct sp_typosquat *t, const char *tsv, size_t len, struct sp_diag *d)
{
	const char *p = tsv, *end = tsv + len;
	size_t line = 0, cap = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *tab, *q;
		unsigned long rank = 0;
		struct pop *pop;

		if (!eol)
			eol = end;
		line++;
		if (p == eol || *p == '#') {
			p = eol + 1;
			continue;
		}
		tab = memchr(p, '\t', (size_t)(eol - p));
		if (!tab || !valid_name(p, (size_t)(tab - p)))
			return bad_line(d, line, "expected a normalised name, a tab and a rank");
		for (q = tab + 1; q < eol && *q >= '0' && *q <= '9' && rank < 10000000; q++)
			rank = rank * 10 + (unsigned long)(*q - '0');
		if (q != eol || q == tab + 1 || rank == 0 || rank >= 10000000)
			return bad_line(d, line, "the rank must be a positive integer");
		if (t->npops >= SP_MAX_POPULAR_NAMES)
			return bad_line(d, line, "more names than SP_MAX_POPULAR_NAMES");
		SP_GROW(t->pops, t->npops + 1, cap);
		pop = &t->pops[t->npops++];
		memset(pop, 0, sizeof(*pop));
		pop->name = sp_arena_strndup(&t->arena, p, (size_t)(tab - p));
		pop->len = (uint16_t)(tab - p);
		pop->rank = (unsigned)rank;
		p = eol + 1;
	}
	if (!t->npops)
		return bad_line(d, line, "no names");
	return 0;
}

int sp_typosquat_new(const char *tsv, size_t len, struct sp_typosquat **out, struct sp_diag *d)
{
	struct sp_typosquat *t = xcalloc(1, sizeof(*t));
	char buf[MAX_NAME + 1];
	size_t i, ndel = 0;
	uint16_t k;
	int err;

	sp_arena_init(&t->arena);
	*out = NULL;
	if ((err = parse(t, tsv, len, d)))
		goto out;
	table_init(&t->exact, t->npops, KEY_NAME);
	table_init(&t->cores, t->npops, KEY_CORE);
	table_init(&t->skeletons, t->npops, KEY_SKELETON);
	for (i = 0; i < t->npops; i++) {
		struct pop *p = &t->pops[i];
		uint32_t id = (uint32_t)i + 1;

		if (table_get(&t->exact, t->pops, p->name)) {
			sp_diag_file(d, "popular.tsv");
			err = sp_diag_set(d, SP_EFORMAT,
					  "invalid popular-name list: '%s' is listed twice",
					  p->name);
			goto out;
		}
		table_put(&t->exact, t->pops, id);
		if (make_core(p->name, buf)) {
			p->core = sp_arena_strdup(&t->arena, buf);
			table_put(&t->cores, t->pops, id);
		}
		make_skeleton(p->name, buf);
		p->skeleton = sp_arena_strdup(&t->arena, buf);
		table_put(&t->skeletons, t->pops, id);
		if (p->len >= SP_TYPO_MIN_EDIT_LEN)
			ndel += (size_t)p->len + 1;
	}
	t->del_mask = table_size(ndel) - 1;
	t->dels = xcalloc(t->del_mask + 1, sizeof(*t->dels));
	for (i = 0; i < t->npops; i++) {
		const struct pop *p = &t->pops[i];

		if (p->len < SP_TYPO_MIN_EDIT_LEN)
			continue;
		del_put(t, (uint32_t)i + 1, NO_POS);
		for (k = 0; k < p->len; k++)
			del_put(t, (uint32_t)i + 1, k);
	}
	*out = t;
	t = NULL;
out:
	sp_typosquat_free(t);
	return err;
}

int sp_typosquat_new_embedded(struct sp_typosquat **out, struct sp_diag *d)
{
	const struct sp_embedded *e = sp_embedded_find("data/popular.tsv");

	if (!e) {
		*out = NULL;
		return sp_diag_set(d, SP_EINTERNAL, "popular-name list missing from the binary");
	}
	return sp_typosquat_new((const char *)e->data, e->len, out, d);
}

void sp_typosquat_free(struct sp_typosquat *t)
{
	if (!t)
		return;
	free(t->exact.slots);
	free(t->cores.slots);
	free(t->skeletons.slots);
	free(t->dels);
	free(t->pops);
	sp_arena_release(&t->arena);
	free(t);
}

size_t sp_typosquat_count(const struct sp_typosquat *t)
{
	return t->npops;
}

unsigned sp_typosquat_rank(const struct sp_typosquat *t, const char *name)
{
	uint32_t id;

	if (strlen(name) > MAX_NAME)
		return 0;
	id = table_get(&t->exact, t->pops, name);
	return id ? t->pops[id - 1].rank : 0;
}

/*
 * Whether a and b are exactly one Damerau edit apart (optimal string
 * alignment); says which edit in *how.
 */
static bool one_edit(const char *a, size_t la, const char *b, size_t lb, const char **how)
{
	size_t i = 0;

	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb) {
		if (i == la)
			return false;
		if (strcmp(a + i + 1, b + i + 1) == 0) {
			*how = "one letter replaced";
			return true;
		}
		if (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    strcmp(a + i + 2, b + i + 2) == 0) {
			*how = "two neighbouring letters swapped";
			return true;
		}
		return false;
	}
	if (la + 1 == lb && strcmp(a + i, b + i + 1) == 0) {
		*how = "one letter left out";
		return true;
	}
	if (lb + 1 == la && strcmp(a + i + 1, b + i) == 0) {
		*how = "one letter added";
		return true;
	}
	return false;
}

static void consider(const struct sp_typosquat *t, uint32_t id, unsigned top, const char *how,
		     struct sp_typosquat_match *best)
{
	const struct pop *p = &t->pops[id - 1];

	if (top && p->rank > top)
		return;
	if (!best->popular || p->rank < best->rank) {
		best->popular = p->name;
		best->rank = p->rank;
		best->how = how;
	}
}

/* Popular names reached from key (the query or one of its deletions). */
static void probe_deletions(const struct sp_typosquat *t, const char *q, size_t qlen,
			    const char *key, size_t klen, size_t skip, unsigned top,
			    struct sp_typosquat_match *best)
{
	uint32_t h = fnv(key, klen, skip);
	size_t i = h & t->del_mask;
	char buf[MAX_NAME + 1];
	const char *k = key;

	if (skip != SIZE_MAX) {
		memcpy(buf, key, skip);
		memcpy(buf + skip, key + skip + 1, klen - skip - 1);
		klen--;
		buf[klen] = '\0';
		k = buf;
	}
	for (; t->dels[i].id; i = (i + 1) & t->del_mask) {
		const struct del_slot *s = &t->dels[i];
		const struct pop *p = &t->pops[s->id - 1];
		const char *how;

		if (s->hash != h || !del_equal(k, klen, p, s->pos))
			continue;
		if (one_edit(q, qlen, p->name, p->len, &how))
			consider(t, s->id, top, how, best);
	}
}

bool sp_typosquat_check(const struct sp_typosquat *t, const char *name, unsigned top,
			struct sp_typosquat_match *m)
{
	struct sp_typosquat_match best = {0};
	size_t n = strlen(name), i;
	char buf[MAX_NAME + 1];
	uint32_t id;

	if (n == 0 || n > MAX_NAME || table_get(&t->exact, t->pops, name))
		return false;
	/* The most telling explanation first: a tie in rank keeps the earlier one. */
	if (make_core(name, buf) && (id = table_get(&t->cores, t->pops, buf)))
		consider(t, id, top, "differs only by separators, digits or a python/py affix",
			 &best);
	make_skeleton(name, buf);
	if ((id = table_get(&t->skeletons, t->pops, buf)))
		consider(t, id, top, "look-alike characters", &best);
	if (n >= SP_TYPO_MIN_EDIT_LEN - 1) {
		probe_deletions(t, name, n, name, n, SIZE_MAX, top, &best);
		for (i = 0; i < n && n >= SP_TYPO_MIN_EDIT_LEN; i++)
			probe_deletions(t, name, n, name, n, i, top, &best);
	}
	if (!best.popular)
		return false;
	if (m)
		*m = best;
	return true;
}
