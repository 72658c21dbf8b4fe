/*
 * PEP 440 version specifiers: one clause (">=1.0", "==1.4.*", "~=2.2",
 * "===foo") and sets of them joined by commas, with pip's rules for
 * pre-releases.
 *
 * Parsed sets live in the caller's arena: the clauses and their text are
 * freed when the arena is released, never one by one.
 */
#ifndef SP_REQ_SPECIFIER_H
#define SP_REQ_SPECIFIER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "req/version.h"

enum sp_spec_op {
	SP_OP_COMPATIBLE, /* ~= */
	SP_OP_EQ,	  /* == */
	SP_OP_NE,	  /* != */
	SP_OP_LE,	  /* <= */
	SP_OP_GE,	  /* >= */
	SP_OP_LT,	  /* < */
	SP_OP_GT,	  /* > */
	SP_OP_ARBITRARY,  /* === */
};

struct sp_specifier {
	enum sp_spec_op op;
	bool wildcard;		   /* "==1.2.*" or "!=1.2.*" */
	struct sp_version version; /* unused for === */
	const char *text;	   /* the version as written, trimmed, without ".*" */
};

struct sp_specset {
	struct sp_specifier *specs;
	size_t n;
};

/* The operator's spelling ("~=", "==", ...). */
const char *sp_spec_op_str(enum sp_spec_op op);

/*
 * Parses one clause, s (len bytes, surrounding whitespace allowed). What
 * each operator accepts is PEP 440's as packaging 22+ reads it: wildcards
 * only with == and != and only after a release ("==1.2.*", not
 * "==1.2a1.*"), a local label only with == and != without a wildcard, at
 * least two release numbers with ~=, and anything without whitespace after
 * ===. Returns 0 or SP_EINVAL/SP_ELIMIT with d set.
 */
int sp_specifier_parse(struct sp_arena *a, const char *s, size_t len, struct sp_specifier *out,
		       struct sp_diag *d);

/*
 * Parses a comma-separated set; an empty or blank string is the empty set
 * (which every final release satisfies). An empty clause between commas
 * is an error, as in PEP 508.
 */
int sp_specset_parse(struct sp_arena *a, const char *s, size_t len, struct sp_specset *out,
		     struct sp_diag *d);

/*
 * Whether v satisfies the clause's operator, pre-releases not considered
 * (PEP 440's comparison rules only: exclusive < and >, prefix matching,
 * local labels ignored unless the clause has one). For ===, v's canonical
 * text is compared with the clause's text, ignoring case.
 */
bool sp_specifier_match(const struct sp_specifier *s, const struct sp_version *v);

/*
 * Whether the clause itself names a pre-release (==, ===, >=, <= or ~= of
 * a pre-release or dev version), in which case pip lets it match them.
 */
bool sp_specifier_prereleases(const struct sp_specifier *s);

/* Whether any clause of the set names a pre-release. */
bool sp_specset_prereleases(const struct sp_specset *set);

/*
 * Whether v satisfies every clause. A pre-release does only when
 * allow_prereleases is set or the set names a pre-release.
 */
bool sp_specset_contains(const struct sp_specset *set, const struct sp_version *v,
			 bool allow_prereleases);

/*
 * Picks the candidates pip would consider (pip's get_applicable_candidates,
 * which filters with allow_prereleases = --pre): keep[i] is set for each
 * of cands[0..n) that satisfies the set. A pre-release is kept when
 * allow_prereleases is set or the set names a pre-release; otherwise, and
 * only for an empty set, pre-releases are kept when no final release is.
 * (With a non-empty set pip keeps no pre-release in that case: "foo>=1"
 * with only 2.0b1 published finds nothing.) Returns the number kept.
 */
size_t sp_specset_filter(const struct sp_specset *set, const struct sp_version *cands, size_t n,
			 bool allow_prereleases, bool *keep);

/*
 * Appends the set to out in canonical form: clauses in the order given,
 * joined by ",", versions canonical (=== keeps its text).
 */
int sp_specset_format(const struct sp_specset *set, struct sp_buf *out);

#endif
