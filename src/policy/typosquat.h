/*
 * Typosquatting: is a requested name a near-copy of a popular one?
 *
 * The index is built once from a "name<TAB>rank" list (policy/data/
 * popular.tsv, compiled in) and is then read-only, so one index may be
 * shared by threads. A lookup costs a few hash probes per deletion variant
 * of the name: microseconds, whatever the list's size.
 *
 * A name is a likely typosquat of a popular name P when it is not itself
 * in the list and
 *   - it is one Damerau edit from P (a letter replaced, added, removed, or
 *     two neighbours swapped), both names having at least
 *     SP_TYPO_MIN_EDIT_LEN characters; or
 *   - it differs from P only by separators, trailing digits or a
 *     separated python/py prefix or suffix (dateutil ~ python-dateutil,
 *     urllib4 ~ urllib3, requests-py ~ requests); or
 *   - it reads the same once look-alike characters are folded (0/o, 1/l/i,
 *     rn/m, vv/w).
 * Of several matches, the most popular P is reported.
 *
 * Ownership: sp_typosquat_free() frees the index; match strings point into
 * it and live as long as it.
 */
#ifndef SP_POLICY_TYPOSQUAT_H
#define SP_POLICY_TYPOSQUAT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* Names shorter than this are too close to too many others for edit distance. */
#define SP_TYPO_MIN_EDIT_LEN 5
/* A stripped core shorter than this says nothing ("py-a" vs "a"). */
#define SP_TYPO_MIN_CORE_LEN 3

struct sp_typosquat;

struct sp_typosquat_match {
	const char *popular; /* the name imitated */
	unsigned rank;	     /* its download rank, 1 = most downloaded */
	const char *how;     /* "two neighbouring letters swapped", ... */
};

/*
 * Builds an index from TSV text: '#' comment lines, then "name<TAB>rank"
 * lines with PEP 503 normalised names. Errors name the line.
 */
int sp_typosquat_new(const char *tsv, size_t len, struct sp_typosquat **out, struct sp_diag *d);
/* From the compiled-in policy/data/popular.tsv. */
int sp_typosquat_new_embedded(struct sp_typosquat **out, struct sp_diag *d);
void sp_typosquat_free(struct sp_typosquat *t);

/* Names in the index. */
size_t sp_typosquat_count(const struct sp_typosquat *t);
/* The rank of a normalised name, 0 when it is not in the list. */
unsigned sp_typosquat_rank(const struct sp_typosquat *t, const char *name);

/*
 * Whether the normalised name imitates one of the top most popular names
 * (top 0: all of them). Fills m when it does.
 */
bool sp_typosquat_check(const struct sp_typosquat *t, const char *name, unsigned top,
			struct sp_typosquat_match *m);

#endif
