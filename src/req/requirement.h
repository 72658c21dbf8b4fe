/*
 * PEP 508 dependency specifiers: "name[extra,...] (specifiers) ; marker"
 * and "name[extra,...] @ URL ; marker".
 *
 * A parsed requirement lives in the caller's arena, with every string and
 * its marker tree; it is freed with the arena.
 */
#ifndef SP_REQ_REQUIREMENT_H
#define SP_REQ_REQUIREMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "req/marker.h"
#include "req/specifier.h"

struct sp_requirement {
	const char *name;    /* as written */
	const char *key;     /* normalised (PEP 503) */
	const char **extras; /* normalised, without duplicates, in order */
	size_t nextras;
	struct sp_specset spec;	  /* empty with a URL */
	const char *url;	  /* NULL unless "name @ URL" */
	struct sp_marker *marker; /* NULL when there is none */
};

/*
 * Parses s (len bytes). Whitespace (spaces, tabs) is allowed around
 * tokens; specifiers may be in parentheses; a marker after a URL must be
 * preceded by whitespace (else ';' is part of the URL). A URL needs a
 * scheme, "//" and a host (file:// URLs may leave the host empty). Returns 0, or SP_EPARSE
 * (SP_ELIMIT for a cap) with the 1-based column in d->col and a message
 * that names it.
 */
int sp_requirement_parse(struct sp_arena *a, const char *s, size_t len, struct sp_requirement **out,
			 struct sp_diag *d);

/* Whether the requirement applies in env (true when it has no marker). */
int sp_requirement_applies(const struct sp_requirement *r, const struct sp_marker_env *env,
			   struct sp_diag *d);

/* Appends the canonical text: name[a,b]>=1,<2; marker or name @ url ; marker. */
int sp_requirement_format(const struct sp_requirement *r, struct sp_buf *out);

#endif
