/*
 * Helpers shared by the parsers in src/req; not part of any public API.
 */
#ifndef SP_REQ_INTERNAL_H
#define SP_REQ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* Bytes of untrusted text quoted in one message. */
#define SP_REQ_QUOTE_MAX 120

/*
 * Writes s (len bytes) to out (size bytes, NUL-terminated) for a message:
 * bytes outside printable ASCII become \xNN, a quote becomes \', and text
 * longer than fits ends in "...".
 */
void sp_req_quote(char *out, size_t size, const char *s, size_t len);

/*
 * Makes room for one more element in an arena-held array of n elements of
 * elem bytes with room for *cap: when full, copies it to a block twice the
 * size (the old one stays in the arena until it is released).
 */
void *sp_req_grow(struct sp_arena *a, void *arr, size_t n, size_t *cap, size_t elem);

struct sp_marker;
struct sp_diag;

/*
 * sp_marker_parse() for a marker that starts after col0 columns of a
 * larger string, so messages and d->col count from that string's start.
 */
int sp_req_marker_parse_at(struct sp_arena *a, const char *s, size_t len, unsigned col0,
			   struct sp_marker **out, struct sp_diag *d);

/* Space or tab: the only whitespace PEP 508 allows between tokens. */
static inline bool sp_req_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* What Python's str.isspace() calls whitespace, in ASCII. */
static inline bool sp_req_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

static inline bool sp_req_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline char sp_req_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

#endif
