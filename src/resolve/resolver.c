/*
 * resolvelib's Resolution, in C. The names follow its concepts so the two
 * can be read side by side:
 *
 *   criterion  what is known about one identifier: the candidates still
 *              possible (best first), the requirements that asked for it
 *              (with who asked), and candidates known not to work;
 *   state      the pins made so far and the criteria they led to; one per
 *              round on a stack, so back-jumping is popping;
 *   round      pin the most preferred identifier whose pin is missing or no
 *              longer satisfies its requirements.
 *
 * Criteria never change once made (a change makes a new one), so states
 * share them; they live in the resolver's arena until release. States own
 * their arrays.
 */
#include "resolve/resolver.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/xalloc.h"
#include "core/banned.h"

struct criterion {
	const void *const *cands;
	size_t ncands;
	const struct sp_rinfo *info;
	size_t ninfo;
	const void *const *incompat;
	size_t nincompat;
};

struct centry {
	const char *id;
	const struct criterion *c;
};

struct rstate {
	struct sp_rpin *mapping; /* in pin order; the last is the newest */
	size_t nmapping, capmapping;
	struct centry *criteria; /* in insertion order, as a Python dict */
	size_t ncriteria, capcriteria;
	struct sp_rinfo *causes; /* of the last back-jump */
	size_t ncauses, capcauses;
};

void sp_resolver_init(struct sp_resolver *r, const struct sp_rprovider *p)
{
	memset(r, 0, sizeof(*r));
	r->p = *p;
	sp_arena_init(&r->arena);
}

static void state_free(struct rstate *s)
{
	if (!s)
		return;
	free(s->mapping);
	free(s->criteria);
	free(s->causes);
	free(s);
}

void sp_resolver_release(struct sp_resolver *r)
{
	size_t i;

	for (i = 0; i < r->nstates; i++)
		state_free(r->states[i]);
	free(r->states);
	free(r->result);
	free(r->causes);
	sp_arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
}

static struct rstate *top(struct sp_resolver *r)
{
	return r->states[r->nstates - 1];
}

static struct rstate *state_copy(const struct rstate *b)
{
	struct rstate *s = xcalloc(1, sizeof(*s));

	if (!b)
		return s;
	s->nmapping = s->capmapping = b->nmapping;
	s->mapping = b->nmapping ? xmemdup(b->mapping, b->nmapping * sizeof(*b->mapping)) : NULL;
	s->ncriteria = s->capcriteria = b->ncriteria;
	s->criteria = b->ncriteria ? xmemdup(b->criteria, b->ncriteria * sizeof(*b->criteria))
				   : NULL;
	s->ncauses = s->capcauses = b->ncauses;
	s->causes = b->ncauses ? xmemdup(b->causes, b->ncauses * sizeof(*b->causes)) : NULL;
	return s;
}

static void push_state(struct sp_resolver *r, struct rstate *s)
{
	SP_GROW(r->states, r->nstates + 1, r->capstates);
	r->states[r->nstates++] = s;
}

static void push_new_state(struct sp_resolver *r)
{
	push_state(r, state_copy(top(r)));
}

static struct rstate *pop_state(struct sp_resolver *r)
{
	return r->nstates ? r->states[--r->nstates] : NULL;
}

static ssize_t find_id(const struct centry *c, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(c[i].id, id) == 0)
			return (ssize_t)i;
	return -1;
}

static const struct criterion *get_criterion(const struct rstate *s, const char *id)
{
	ssize_t i = find_id(s->criteria, s->ncriteria, id);

	return i < 0 ? NULL : s->criteria[i].c;
}

static void set_criterion(struct centry **c, size_t *n, size_t *cap, const char *id,
			  const struct criterion *crit)
{
	ssize_t i = find_id(*c, *n, id);

	if (i >= 0) {
		(*c)[i].c = crit;
		return;
	}
	SP_GROW(*c, *n + 1, *cap);
	(*c)[(*n)++] = (struct centry){id, crit};
}

/* The requirements of a criterion, plus extra (may be NULL), in the arena. */
static const void **reqs_of(struct sp_resolver *r, const struct criterion *c, const void *extra,
			    size_t *n)
{
	size_t k = c ? c->ninfo : 0, i;
	const void **out = sp_arena_alloc(&r->arena, (k + 1) * sizeof(*out));

	for (i = 0; i < k; i++)
		out[i] = c->info[i].req;
	if (extra)
		out[k++] = extra;
	*n = k;
	return out;
}

static const void **concat(struct sp_resolver *r, const void *const *a, size_t na,
			   const void *const *b, size_t nb)
{
	const void **out = sp_arena_alloc(&r->arena, (na + nb + 1) * sizeof(*out));

	if (na)
		memcpy(out, a, na * sizeof(*a));
	if (nb)
		memcpy(out + na, b, nb * sizeof(*b));
	return out;
}

size_t sp_rlookup_reqs(const struct sp_rlookup *l, const char *id, const void *const **out)
{
	ssize_t at = find_id(l->criteria, l->n, id);
	size_t n;

	if (at < 0) {
		*out = NULL;
		return 0;
	}
	*out = reqs_of(l->r, ((const struct centry *)l->criteria)[at].c, NULL, &n);
	return n;
}

/*
 * Adds req (asked for by parent) to the criteria array. A requirement that
 * leaves its identifier no candidate is a conflict: *conflict gets the
 * criterion that has none, and 0 is returned; negative is a provider error.
 */
static int add_to_criteria(struct sp_resolver *r, struct centry **crit, size_t *ncrit,
			   size_t *capcrit, const void *req, const void *parent,
			   const struct criterion **conflict, struct sp_diag *d)
{
	const char *id = r->p.identify_req(r->p.ctx, req);
	ssize_t at = find_id(*crit, *ncrit, id);
	const struct criterion *old = at >= 0 ? (*crit)[at].c : NULL;
	struct criterion *c = sp_arena_alloc(&r->arena, sizeof(*c));
	struct sp_rinfo *info;
	const void **reqs;
	size_t nreqs;
	int err;

	*conflict = NULL;
	if (old) {
		c->incompat = old->incompat;
		c->nincompat = old->nincompat;
	}
	reqs = reqs_of(r, old, req, &nreqs);
	{
		struct sp_rlookup all = {*crit, *ncrit, r};

		err = r->p.find_matches(r->p.ctx, id, reqs, nreqs, c->incompat, c->nincompat, &all,
					&c->cands, &c->ncands, d);
	}
	if (err < 0)
		return err;
	info = sp_arena_alloc(&r->arena, ((old ? old->ninfo : 0) + 1) * sizeof(*info));
	if (old && old->ninfo)
		memcpy(info, old->info, old->ninfo * sizeof(*info));
	c->ninfo = old ? old->ninfo : 0;
	info[c->ninfo++] = (struct sp_rinfo){req, parent};
	c->info = info;
	if (c->ncands == 0) {
		*conflict = c;
		return 0;
	}
	set_criterion(crit, ncrit, capcrit, id, c);
	return 0;
}

static bool pin_satisfies(struct sp_resolver *r, const struct rstate *s, const char *id,
			  const struct criterion *c)
{
	const void *pin = NULL;
	size_t i;

	for (i = 0; i < s->nmapping; i++)
		if (strcmp(s->mapping[i].id, id) == 0)
			pin = s->mapping[i].cand;
	if (!pin)
		return false;
	for (i = 0; i < c->ninfo; i++)
		if (!r->p.is_satisfied_by(r->p.ctx, c->info[i].req, pin))
			return false;
	return true;
}

static void add_causes(struct rstate *s, const struct criterion *c)
{
	SP_GROW(s->causes, s->ncauses + c->ninfo, s->capcauses);
	memcpy(s->causes + s->ncauses, c->info, c->ninfo * sizeof(*c->info));
	s->ncauses += c->ninfo;
}

/*
 * Tries the candidates of id best first; the first whose dependencies add
 * no conflict is pinned. When none works, the conflicting requirements
 * are left in *causes (malloc'd) for the back-jump.
 */
static int attempt_to_pin(struct sp_resolver *r, const char *id, struct sp_rinfo **causes,
			  size_t *ncauses, struct sp_diag *d)
{
	struct rstate *s = top(r);
	const struct criterion *c = get_criterion(s, id);
	struct rstate failed = {0};
	size_t i, j;
	int err = 0;

	for (i = 0; i < c->ncands; i++) {
		const void *cand = c->cands[i];
		const void *const *deps;
		size_t ndeps, ncrit = s->ncriteria, capcrit = s->ncriteria;
		struct centry *crit = xcalloc(s->ncriteria + 1, sizeof(*crit));
		const struct criterion *conflict = NULL;

		if (s->ncriteria)
			memcpy(crit, s->criteria, s->ncriteria * sizeof(*crit));
		err = r->p.get_dependencies(r->p.ctx, cand, &deps, &ndeps, d);
		for (j = 0; err == 0 && !conflict && j < ndeps; j++)
			err = add_to_criteria(r, &crit, &ncrit, &capcrit, deps[j], cand, &conflict,
					      d);
		if (err < 0 || conflict) {
			free(crit);
			if (err < 0)
				goto out;
			add_causes(&failed, conflict);
			continue;
		}
		for (j = 0; j < c->ninfo; j++) {
			if (!r->p.is_satisfied_by(r->p.ctx, c->info[j].req, cand)) {
				free(crit);
				err = sp_diag_set(d, SP_EINTERNAL, "resolver: a candidate for '%s' "
						  "does not satisfy its own criterion", id);
				goto out;
			}
		}
		free(s->criteria);
		s->criteria = crit;
		s->ncriteria = ncrit;
		s->capcriteria = capcrit;
		for (j = 0; j < s->nmapping; j++) {
			if (strcmp(s->mapping[j].id, id) == 0) {
				memmove(s->mapping + j, s->mapping + j + 1,
					(s->nmapping - j - 1) * sizeof(*s->mapping));
				s->nmapping--;
				break;
			}
		}
		SP_GROW(s->mapping, s->nmapping + 1, s->capmapping);
		s->mapping[s->nmapping++] = (struct sp_rpin){id, cand};
		free(failed.causes);
		*causes = NULL;
		*ncauses = 0;
		return 0;
	}
	*causes = failed.causes;
	*ncauses = failed.ncauses;
	return 0;
out:
	free(failed.causes);
	return err;
}

struct idset {
	const char **ids;
	size_t n, cap;
};

static bool idset_has(const struct idset *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return true;
	return false;
}

static void idset_add(struct idset *s, const char *id)
{
	if (idset_has(s, id))
		return;
	SP_GROW(s->ids, s->n + 1, s->cap);
	s->ids[s->n++] = id;
}

struct learnt {
	const char *id;
	const void *const *incompat;
	size_t n;
};

/*
 * Applies what the broken state learnt (its incompatibilities, and that its
 * last pin failed) to the new top state. False when an identifier is left
 * without candidates.
 */
static int patch_criteria(struct sp_resolver *r, const struct learnt *l, size_t nl, bool *ok,
			  struct sp_diag *d)
{
	struct rstate *s = top(r);
	size_t i;
	int err;

	*ok = true;
	for (i = 0; i < nl; i++) {
		const struct criterion *old;
		struct criterion *c;
		const void **reqs, **inc;
		size_t nreqs;

		if (!l[i].n || !(old = get_criterion(s, l[i].id)))
			continue;
		c = sp_arena_alloc(&r->arena, sizeof(*c));
		reqs = reqs_of(r, old, NULL, &nreqs);
		inc = concat(r, old->incompat, old->nincompat, l[i].incompat, l[i].n);
		{
			struct sp_rlookup all = {s->criteria, s->ncriteria, r};

			err = r->p.find_matches(r->p.ctx, l[i].id, reqs, nreqs, inc,
						old->nincompat + l[i].n, &all, &c->cands,
						&c->ncands, d);
		}
		if (err < 0)
			return err;
		if (!c->ncands) {
			*ok = false;
			return 0;
		}
		c->incompat = concat(r, l[i].incompat, l[i].n, old->incompat, old->nincompat);
		c->nincompat = l[i].n + old->nincompat;
		c->info = old->info;
		c->ninfo = old->ninfo;
		set_criterion(&s->criteria, &s->ncriteria, &s->capcriteria, l[i].id, c);
	}
	return 0;
}

/*
 * Goes back to the newest state whose pin touched the conflict, marks that
 * pin incompatible, and continues from the state before it. *ok is false
 * when there is nowhere left to go back to.
 */
static int backjump(struct sp_resolver *r, const struct sp_rinfo *causes, size_t ncauses,
		    bool *ok, struct sp_diag *d)
{
	struct idset bad = {0};
	struct learnt *l = NULL;
	size_t i, j;
	int err = 0;

	*ok = false;
	for (i = 0; i < ncauses; i++) {
		if (causes[i].parent)
			idset_add(&bad, r->p.identify_cand(r->p.ctx, causes[i].parent));
		idset_add(&bad, r->p.identify_req(r->p.ctx, causes[i].req));
	}
	while (r->nstates >= 3) {
		struct rstate *broken = NULL;
		struct sp_rpin pin = {0};
		bool hit = false;
		size_t nl;

		state_free(pop_state(r));
		while (!hit) {
			const void *const *deps;
			size_t ndeps;

			state_free(broken);
			broken = pop_state(r);
			if (!broken || !broken->nmapping) {
				state_free(broken);
				goto out; /* nothing left to undo: no solution */
			}
			pin = broken->mapping[--broken->nmapping];
			err = r->p.get_dependencies(r->p.ctx, pin.cand, &deps, &ndeps, d);
			if (err < 0) {
				state_free(broken);
				goto out;
			}
			for (j = 0; j < ndeps && !hit; j++)
				hit = idset_has(&bad, r->p.identify_req(r->p.ctx, deps[j]));
		}
		free(l);
		l = xcalloc(broken->ncriteria + 1, sizeof(*l));
		for (nl = 0; nl < broken->ncriteria; nl++)
			l[nl] = (struct learnt){broken->criteria[nl].id,
						broken->criteria[nl].c->incompat,
						broken->criteria[nl].c->nincompat};
		{
			const void **one = sp_arena_alloc(&r->arena, sizeof(*one));

			one[0] = pin.cand;
			l[nl++] = (struct learnt){pin.id, one, 1};
		}
		state_free(broken);
		push_new_state(r);
		err = patch_criteria(r, l, nl, ok, d);
		if (err < 0 || *ok)
			goto out;
	}
out:
	free(l);
	free(bad.ids);
	return err;
}

static void remove_information(struct sp_resolver *r, struct rstate *s, const struct idset *parents)
{
	size_t i, j;

	if (!parents->n)
		return;
	for (i = 0; i < s->ncriteria; i++) {
		const struct criterion *old = s->criteria[i].c;
		struct criterion *c = sp_arena_alloc(&r->arena, sizeof(*c));
		struct sp_rinfo *info = sp_arena_alloc(&r->arena, (old->ninfo + 1) * sizeof(*info));

		*c = *old;
		c->ninfo = 0;
		for (j = 0; j < old->ninfo; j++) {
			const void *p = old->info[j].parent;

			if (!p || !idset_has(parents, r->p.identify_cand(r->p.ctx, p)))
				info[c->ninfo++] = old->info[j];
		}
		c->info = info;
		s->criteria[i].c = c;
	}
}

static int cmp_pref(const struct sp_rpref *a, const char *ida, const struct sp_rpref *b,
		    const char *idb)
{
	int i;

	for (i = 0; i < SP_RPREF_LEN; i++)
		if (a->k[i] != b->k[i])
			return a->k[i] < b->k[i] ? -1 : 1;
	return strcmp(ida, idb);
}

/*
 * The pins reachable from the user's requirements: a pin whose every
 * requirer was itself unpinned later is left out, as resolvelib does.
 */
static void build_result(struct sp_resolver *r)
{
	struct rstate *s = top(r);
	bool *connected = xcalloc(s->ncriteria + 1, sizeof(*connected));
	bool changed = true;
	size_t i, j, k;

	while (changed) {
		changed = false;
		for (i = 0; i < s->ncriteria; i++) {
			const struct criterion *c = s->criteria[i].c;

			if (connected[i])
				continue;
			for (j = 0; j < c->ninfo && !connected[i]; j++) {
				const void *p = c->info[j].parent;
				ssize_t at;

				if (!p) {
					connected[i] = true;
					break;
				}
				for (k = 0; k < s->nmapping; k++)
					if (s->mapping[k].cand == p)
						break;
				if (k == s->nmapping)
					continue;
				at = find_id(s->criteria, s->ncriteria, s->mapping[k].id);
				if (at >= 0 && connected[at])
					connected[i] = true;
			}
			changed |= connected[i];
		}
	}
	r->result = xcalloc(s->nmapping + 1, sizeof(*r->result));
	for (k = 0; k < s->nmapping; k++) {
		ssize_t at = find_id(s->criteria, s->ncriteria, s->mapping[k].id);

		if (at >= 0 && connected[at])
			r->result[r->nresult++] = s->mapping[k];
	}
	free(connected);
}

static void set_result_causes(struct sp_resolver *r, const struct sp_rinfo *c, size_t n)
{
	free(r->causes);
	r->causes = n ? xmemdup(c, n * sizeof(*c)) : NULL;
	r->ncauses = n;
}

int sp_resolver_resolve(struct sp_resolver *r, const void *const *reqs, size_t nreqs,
			struct sp_diag *d)
{
	struct rstate *s;
	struct sp_rinfo *causes = NULL;
	bool *unsat = NULL;
	size_t i, nold, ncauses = 0;
	int err = 0;

	push_state(r, state_copy(NULL));
	s = top(r);
	for (i = 0; i < nreqs; i++) {
		const struct criterion *conflict;

		err = add_to_criteria(r, &s->criteria, &s->ncriteria, &s->capcriteria, reqs[i], NULL,
				      &conflict, d);
		if (err < 0)
			goto out;
		if (conflict) {
			set_result_causes(r, conflict->info, conflict->ninfo);
			err = SP_ENOENT;
			goto out;
		}
	}
	push_new_state(r);
	for (r->rounds = 0; r->rounds < SP_MAX_RESOLVE_ROUNDS; r->rounds++) {
		const char *best = NULL;
		struct sp_rpref bestp = {{0}}, p;
		size_t nunsat = 0;

		s = top(r);
		free(unsat);
		unsat = xcalloc(s->ncriteria + 1, sizeof(*unsat));
		for (i = 0; i < s->ncriteria; i++) {
			unsat[i] = !pin_satisfies(r, s, s->criteria[i].id, s->criteria[i].c);
			nunsat += unsat[i];
		}
		if (!nunsat) {
			build_result(r);
			goto out;
		}
		for (i = 0; i < s->ncriteria; i++) {
			const struct criterion *c = s->criteria[i].c;

			if (!unsat[i])
				continue;
			r->p.get_preference(r->p.ctx, s->criteria[i].id, c->info, c->ninfo, s->causes,
					    s->ncauses, &p);
			if (!best || cmp_pref(&p, s->criteria[i].id, &bestp, best) < 0) {
				best = s->criteria[i].id;
				bestp = p;
			}
		}
		nold = s->ncriteria;
		err = attempt_to_pin(r, best, &causes, &ncauses, d);
		if (err < 0)
			goto out;
		if (ncauses) {
			bool ok;

			err = backjump(r, causes, ncauses, &ok, d);
			if (err < 0)
				goto out;
			if (!ok) {
				set_result_causes(r, causes, ncauses);
				err = SP_ENOENT;
				goto out;
			}
			s = top(r);
			free(s->causes);
			s->causes = causes;
			s->ncauses = s->capcauses = ncauses;
			causes = NULL;
		} else {
			/*
			 * Pins that satisfied their requirements before this pin and no
			 * longer do: what they asked for is no longer trusted. The
			 * criteria kept their order; the pin only appended new ones.
			 */
			struct idset stale = {0};

			for (i = 0; i < nold; i++)
				if (!unsat[i] && !pin_satisfies(r, s, s->criteria[i].id, s->criteria[i].c))
					idset_add(&stale, s->criteria[i].id);
			remove_information(r, s, &stale);
			free(stale.ids);
			push_new_state(r);
		}
	}
	err = sp_diag_set(d, SP_ELIMIT, "dependency resolution gave up after %d rounds; "
			  "pin some versions to narrow the search", SP_MAX_RESOLVE_ROUNDS);
out:
	free(causes);
	free(unsat);
	return err;
}

size_t sp_resolver_info(struct sp_resolver *r, const char *id, const struct sp_rinfo **out)
{
	const struct criterion *c = r->nstates ? get_criterion(top(r), id) : NULL;

	*out = c ? c->info : NULL;
	return c ? c->ninfo : 0;
}
