/*
 * The backtracking resolver: which candidate to pin for each identifier so
 * that every requirement is satisfied.
 *
 * The algorithm is the one pip's resolver library (resolvelib 1.0, vendored
 * by pip 23.2) runs, step for step — criteria per identifier, pin the most
 * preferred unsatisfied one, back-jump to the state that caused a conflict,
 * carry what was learnt (incompatibilities) forward — because safepip must
 * pick the same versions as the pip that will install them. What a
 * requirement, a candidate, a match or a preference is belongs to the
 * provider (src/resolve/provider.c): this file knows nothing of versions,
 * indexes or metadata.
 *
 * Ownership: requirements and candidates are the provider's; the resolver
 * only keeps pointers, so they must live until sp_resolver_release(). The
 * provider must return the same pointer for the same candidate every time
 * (identity is how incompatibilities are recognised). Identifiers are
 * compared as strings.
 */
#ifndef SP_RESOLVE_RESOLVER_H
#define SP_RESOLVE_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"

/* A requirement and the candidate that asked for it (NULL: the user). */
struct sp_rinfo {
	const void *req;
	const void *parent;
};

/*
 * A preference key: lexicographically smaller is resolved first, then the
 * identifier breaks ties (pip's get_preference tuple, as numbers).
 */
#define SP_RPREF_LEN 7
struct sp_rpref {
	double k[SP_RPREF_LEN];
};

/*
 * The requirements of another identifier in the criteria being built, for
 * providers whose matches depend on them (an identifier with extras looks
 * at the pins asked of its base project). Valid during the call only.
 */
struct sp_rlookup {
	const void *criteria;
	size_t n;
	struct sp_resolver *r;
};
/* The requirements known for id; 0 when none. *out is valid until the next call. */
size_t sp_rlookup_reqs(const struct sp_rlookup *l, const char *id, const void *const **out);

struct sp_rprovider {
	void *ctx;
	const char *(*identify_req)(void *ctx, const void *req);
	const char *(*identify_cand)(void *ctx, const void *cand);
	/*
	 * Candidates for id that satisfy every requirement in reqs and are
	 * not in incompat, most preferred first. *out must stay valid until the
	 * resolver is released. A negative return (a fetch that failed) ends
	 * the resolution with that error.
	 */
	int (*find_matches)(void *ctx, const char *id, const void *const *reqs, size_t nreqs,
			    const void *const *incompat, size_t nincompat,
			    const struct sp_rlookup *all, const void *const **out, size_t *nout,
			    struct sp_diag *d);
	bool (*is_satisfied_by)(void *ctx, const void *req, const void *cand);
	/* The candidate's requirements; negative on error (metadata unreadable). */
	int (*get_dependencies)(void *ctx, const void *cand, const void *const **out,
				size_t *nout, struct sp_diag *d);
	void (*get_preference)(void *ctx, const char *id, const struct sp_rinfo *info, size_t ninfo,
			       const struct sp_rinfo *causes, size_t ncauses, struct sp_rpref *out);
};

struct sp_rpin {
	const char *id;
	const void *cand;
};

struct sp_resolver {
	struct sp_rprovider p;
	struct sp_arena arena;
	struct rstate **states; /* the stack; the last one is current */
	size_t nstates, capstates;
	size_t rounds;
	/* The result: pins reachable from the user's requirements, in pin order. */
	struct sp_rpin *result;
	size_t nresult;
	/* Why there is no solution: the conflicting requirements and parents. */
	struct sp_rinfo *causes;
	size_t ncauses;
};

void sp_resolver_init(struct sp_resolver *r, const struct sp_rprovider *p);
void sp_resolver_release(struct sp_resolver *r);

/*
 * Resolves reqs (the user's requirements). 0: r->result holds the pins.
 * SP_ENOENT: no solution; r->causes says why (the caller words the
 * message). SP_ELIMIT: more than SP_MAX_RESOLVE_ROUNDS rounds. Other
 * negative values come from the provider, with d filled in by it.
 */
int sp_resolver_resolve(struct sp_resolver *r, const void *const *reqs, size_t nreqs,
			struct sp_diag *d);

/*
 * After a successful resolution: who asked for id, and with what, in the
 * final state (for "# via" lines). Valid until sp_resolver_release().
 */
size_t sp_resolver_info(struct sp_resolver *r, const char *id, const struct sp_rinfo **out);

#endif
