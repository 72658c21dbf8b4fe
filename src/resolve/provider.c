#include "resolve/provider.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "req/name.h"
#include "req/specifier.h"
#include "core/banned.h"

/* pip's identifier for the interpreter's version requirement. */
#define PYTHON_ID "<Python from Requires-Python>"

enum preq_kind { PR_SPEC, PR_EXPLICIT, PR_PYTHON };
enum pcand_kind { PC_FILE, PC_INSTALLED, PC_EXTRAS, PC_PYTHON };

struct sp_preq {
	enum preq_kind kind;
	const char *id;  /* "key" or "key[e1,e2]" */
	const char *key;
	const struct sp_requirement *r;  /* PR_SPEC */
	const char **extras;             /* sorted, normalised */
	size_t nextras;
	const struct sp_pcand *cand;     /* PR_EXPLICIT */
	struct sp_specset rp;            /* PR_PYTHON */
	const char *rp_text;
	const char *origin;              /* where the user wrote it, or NULL */
	const char *const *hashes;       /* "sha256:HEX" pins */
	size_t nhashes;
};

struct sp_pcand {
	enum pcand_kind kind;
	const char *id;
	const char *key;
	struct sp_version v;
	char vtext[SP_VERSION_TEXT_MAX];
	const struct sp_project *proj;   /* PC_FILE */
	const struct sp_pfile *file;     /* PC_FILE */
	const struct sp_pinstalled *inst; /* PC_INSTALLED */
	const struct sp_pcand *base;     /* PC_EXTRAS */
	const char **extras;
	size_t nextras;
	bool deps_done;
	const void **deps;
	size_t ndeps;
};

struct pdepth {
	const char *id;
	double depth;
};

struct preq_list {
	const char *key;
	const struct sp_requirement **r;
	size_t n;
};

void sp_provider_init(struct sp_provider *p, const struct sp_provider_opts *o,
		      const struct sp_psource *src)
{
	memset(p, 0, sizeof(*p));
	p->o = *o;
	p->src = *src;
	sp_arena_init(&p->arena);
	p->python = sp_arena_alloc(&p->arena, sizeof(*p->python));
	p->python->kind = PC_PYTHON;
	p->python->id = p->python->key = PYTHON_ID;
	if (o->python_version &&
	    sp_version_parse(&p->python->v, o->python_version, strlen(o->python_version), NULL) == 0)
		sp_version_format(&p->python->v, p->python->vtext, sizeof(p->python->vtext));
}

void sp_provider_release(struct sp_provider *p)
{
	size_t i;

	for (i = 0; i < p->nconstraints; i++)
		free(p->constraints[i].r);
	free(p->constraints);
	free(p->cands);
	free(p->depths);
	free(p->requested);
	sp_arena_release(&p->arena);
	memset(p, 0, sizeof(*p));
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "key[a,b]" with the extras sorted, as pip names identifiers. */
static const char *format_id(struct sp_provider *p, const char *key, const char **extras,
			     size_t n)
{
	size_t i, len = strlen(key) + 3;
	char *out, *w;

	if (!n)
		return sp_arena_strdup(&p->arena, key);
	qsort(extras, n, sizeof(*extras), cmp_strp);
	for (i = 0; i < n; i++)
		len += strlen(extras[i]) + 1;
	out = w = sp_arena_alloc(&p->arena, len);
	w += snprintf(w, len, "%s[", key);
	for (i = 0; i < n; i++)
		w += snprintf(w, len - (size_t)(w - out), "%s%s", i ? "," : "", extras[i]);
	snprintf(w, len - (size_t)(w - out), "]");
	return out;
}

static struct sp_preq *make_spec(struct sp_provider *p, const struct sp_requirement *r)
{
	struct sp_preq *q = sp_arena_alloc(&p->arena, sizeof(*q));

	q->kind = PR_SPEC;
	q->r = r;
	q->key = r->key;
	q->nextras = r->nextras;
	q->extras = sp_arena_alloc(&p->arena, (r->nextras + 1) * sizeof(*q->extras));
	if (r->nextras)
		memcpy(q->extras, r->extras, r->nextras * sizeof(*q->extras));
	q->id = format_id(p, r->key, q->extras, q->nextras);
	return q;
}

static bool applies(struct sp_provider *p, const struct sp_requirement *r,
		    const char *const *extras, size_t nextras)
{
	struct sp_marker_env env = *p->o.env;

	if (!r->marker)
		return true;
	env.extras = extras;
	env.nextras = nextras;
	/* A marker that cannot be evaluated does not apply (pip raises; we skip). */
	return sp_marker_evaluate(r->marker, &env, NULL) == 1;
}

struct sp_preq *sp_provider_root(struct sp_provider *p, const struct sp_requirement *r,
				 const char *origin, const char *const *hashes, size_t nhashes)
{
	struct sp_preq *q;
	size_t i;

	if (!applies(p, r, NULL, 0))
		return NULL;
	q = make_spec(p, r);
	q->origin = origin ? sp_arena_strdup(&p->arena, origin) : NULL;
	if (nhashes) {
		const char **h = sp_arena_alloc(&p->arena, nhashes * sizeof(*h));

		for (i = 0; i < nhashes; i++)
			h[i] = sp_arena_strdup(&p->arena, hashes[i]);
		q->hashes = h;
		q->nhashes = nhashes;
	}
	for (i = 0; i < p->nrequested; i++)
		if (strcmp(p->requested[i], q->id) == 0)
			return q;
	SP_GROW(p->requested, p->nrequested + 1, p->caprequested);
	p->requested[p->nrequested++] = q->id;
	return q;
}

void sp_provider_constrain(struct sp_provider *p, const struct sp_requirement *r)
{
	struct preq_list *l = NULL;
	size_t i;

	if (!applies(p, r, NULL, 0))
		return;
	for (i = 0; i < p->nconstraints; i++)
		if (strcmp(p->constraints[i].key, r->key) == 0)
			l = &p->constraints[i];
	if (!l) {
		SP_GROW(p->constraints, p->nconstraints + 1, p->capconstraints);
		l = &p->constraints[p->nconstraints++];
		memset(l, 0, sizeof(*l));
		l->key = sp_arena_strdup(&p->arena, r->key);
	}
	l->r = xrealloc(l->r, (l->n + 1) * sizeof(*l->r));
	l->r[l->n++] = r;
}

/* The project part of an identifier ("key" of "key[x]"), in the arena. */
static const char *id_key(struct sp_provider *p, const char *id)
{
	const char *b = strchr(id, '[');

	return b ? sp_arena_strndup(&p->arena, id, (size_t)(b - id)) : id;
}

static const struct preq_list *constraint_for(struct sp_provider *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nconstraints; i++)
		if (strcmp(p->constraints[i].key, key) == 0)
			return &p->constraints[i];
	return NULL;
}

/* pip's _get_with_identifier: the identifier, else its project. */
static ssize_t requested_order(struct sp_provider *p, const char *id, bool exact)
{
	size_t i, n = strcspn(id, "[");

	for (i = 0; i < p->nrequested; i++)
		if (strcmp(p->requested[i], id) == 0)
			return (ssize_t)i;
	if (exact || !id[n])
		return -1;
	for (i = 0; i < p->nrequested; i++)
		if (strlen(p->requested[i]) == n && strncmp(p->requested[i], id, n) == 0)
			return (ssize_t)i;
	return -1;
}

/* --- candidates, made once each so identity means equality --- */

static const void *cand_src(const struct sp_pcand *c)
{
	return c->kind == PC_FILE ? (const void *)c->file
	       : c->kind == PC_INSTALLED ? (const void *)c->inst : (const void *)c->base;
}

static size_t cand_hash(enum pcand_kind kind, const char *id, const void *src)
{
	size_t h = (size_t)kind * 0x9e3779b97f4a7c15ULL ^ (size_t)(uintptr_t)src;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 0x100000001b3ULL;
	return h;
}

/*
 * The candidate for (kind, id, src), made on first use. find_matches asks
 * for every file of a project each time, so this is a hash lookup.
 */
static struct sp_pcand *intern(struct sp_provider *p, enum pcand_kind kind, const char *id,
			       const void *src)
{
	size_t mask, i;
	struct sp_pcand *c;

	if ((p->ncands + 1) * 2 > p->capcands) {
		size_t cap = p->capcands ? p->capcands * 2 : 256, k;
		struct sp_pcand **t = xcalloc(cap, sizeof(*t));

		for (k = 0; k < p->capcands; k++) {
			c = p->cands[k];
			if (!c)
				continue;
			for (i = cand_hash(c->kind, c->id, cand_src(c)) & (cap - 1); t[i];
			     i = (i + 1) & (cap - 1))
				;
			t[i] = c;
		}
		free(p->cands);
		p->cands = t;
		p->capcands = cap;
	}
	mask = p->capcands - 1;
	for (i = cand_hash(kind, id, src) & mask; (c = p->cands[i]); i = (i + 1) & mask)
		if (c->kind == kind && cand_src(c) == src && strcmp(c->id, id) == 0)
			return c;
	c = sp_arena_alloc(&p->arena, sizeof(*c));
	c->kind = kind;
	c->id = sp_arena_strdup(&p->arena, id);
	/* The source is set now: the table's key must not change later. */
	if (kind == PC_FILE)
		c->file = src;
	else if (kind == PC_INSTALLED)
		c->inst = src;
	else
		c->base = src;
	p->cands[i] = c;
	p->ncands++;
	return c;
}

static struct sp_pcand *file_cand(struct sp_provider *p, const struct sp_project *proj,
				  const struct sp_pfile *f)
{
	struct sp_pcand *c = intern(p, PC_FILE, proj->key, f);

	if (!c->key) {
		c->key = c->id;
		c->proj = proj;
		c->v = f->version;
		sp_version_format(&c->v, c->vtext, sizeof(c->vtext));
	}
	return c;
}

static struct sp_pcand *installed_cand(struct sp_provider *p, const struct sp_pinstalled *in)
{
	struct sp_pcand *c = intern(p, PC_INSTALLED, in->key, in);

	if (!c->key) {
		c->key = c->id;
		c->v = in->version;
		sp_version_format(&c->v, c->vtext, sizeof(c->vtext));
	}
	return c;
}

static struct sp_pcand *extras_cand(struct sp_provider *p, const struct sp_pcand *base,
				    const char *const *extras, size_t n)
{
	const char **ex = sp_arena_alloc(&p->arena, (n + 1) * sizeof(*ex));
	const char *id;
	struct sp_pcand *c;

	if (n)
		memcpy(ex, extras, n * sizeof(*ex));
	id = format_id(p, base->key, ex, n);
	c = intern(p, PC_EXTRAS, id, base);
	if (!c->key) {
		c->key = base->key;
		c->extras = ex;
		c->nextras = n;
		c->v = base->v;
		memcpy(c->vtext, base->vtext, sizeof(c->vtext));
	}
	return c;
}

/* --- matching --- */

static bool python_ok(struct sp_provider *p, const struct sp_specset *s)
{
	return sp_specset_contains(s, &p->python->v, true);
}

static bool satisfied(struct sp_provider *p, const struct sp_preq *q, const struct sp_pcand *c)
{
	switch (q->kind) {
	case PR_EXPLICIT:
		return q->cand == c;
	case PR_PYTHON:
		return python_ok(p, &q->rp);
	default:
		return sp_specset_contains(&q->r->spec, &c->v, true);
	}
}

/* A pin that names exactly one version: ===, or == without a wildcard. */
static bool pinned_set(const struct sp_specset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->specs[i].op == SP_OP_ARBITRARY || (s->specs[i].op == SP_OP_EQ &&
							  !s->specs[i].wildcard))
			return true;
	return false;
}

struct query {
	const struct sp_specset **sets; /* every specifier set that applies */
	size_t nsets;
	const char *const *hashes;      /* allowed "sha256:HEX", or none */
	size_t nhashes;
	bool hashes_set;
};

static bool any_prerelease_named(const struct query *q)
{
	size_t i;

	for (i = 0; i < q->nsets; i++)
		if (sp_specset_prereleases(q->sets[i]))
			return true;
	return false;
}

static size_t total_specs(const struct query *q)
{
	size_t i, n = 0;

	for (i = 0; i < q->nsets; i++)
		n += q->sets[i]->n;
	return n;
}

static bool contains_all(const struct query *q, const struct sp_version *v, bool allow_pre)
{
	size_t i;

	if (!allow_pre && sp_version_is_prerelease(v))
		return false;
	for (i = 0; i < q->nsets; i++)
		if (!sp_specset_contains(q->sets[i], v, true))
			return false;
	return true;
}

static bool hash_allowed(const struct query *q, const struct sp_pfile *f)
{
	char hex[SP_SHA256_HEX];
	size_t i;

	if (!q->nhashes || !f->f->has_sha256)
		return false;
	sp_hex(f->f->sha256, SP_SHA256_LEN, hex);
	for (i = 0; i < q->nhashes; i++)
		if (strncmp(q->hashes[i], "sha256:", 7) == 0 && strcmp(q->hashes[i] + 7, hex) == 0)
			return true;
	return false;
}

struct ranked {
	const struct sp_pfile *f;
	int allowed_hash;
	int binary;   /* 1 for a wheel under --prefer-binary */
	long pri;     /* -(tag rank) for wheels, -(number of tags) for sdists */
	size_t pos;   /* the finder's order, for a stable sort */
};

/*
 * pip's CandidateEvaluator._sort_key, ascending (the best is last):
 * (allowed hash, not yanked, binary preference, version, tag rank, build tag).
 */
static int cmp_ranked(const void *va, const void *vb)
{
	const struct ranked *a = va, *b = vb;
	const struct sp_pfile *fa = a->f, *fb = b->f;
	int c;

	if (a->allowed_hash != b->allowed_hash)
		return a->allowed_hash - b->allowed_hash;
	if (fa->f->yanked != fb->f->yanked)
		return fa->f->yanked ? -1 : 1;
	if (a->binary != b->binary)
		return a->binary - b->binary;
	c = sp_version_cmp(&fa->version, &fb->version);
	if (c)
		return c;
	if (a->pri != b->pri)
		return a->pri < b->pri ? -1 : 1;
	if (fa->has_build != fb->has_build)
		return fa->has_build ? 1 : -1;
	if (fa->has_build) {
		if (fa->build_num != fb->build_num)
			return fa->build_num < fb->build_num ? -1 : 1;
		c = strcmp(fa->build_rest ? fa->build_rest : "", fb->build_rest ? fb->build_rest : "");
		if (c)
			return c;
	}
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

struct clist {
	const void **v;
	size_t n, cap;
};

static void clist_add(struct clist *l, const void *c)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == c)
			return;
	SP_GROW(l->v, l->n + 1, l->cap);
	l->v[l->n++] = c;
}

static bool in_list(const void *const *l, size_t n, const void *c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i] == c)
			return true;
	return false;
}

/*
 * The index's candidates for a project, best first, one per version: the
 * finder's applicable files (pre-release rules of the packaging 21.3 pip
 * vendors, --hash filtering), then pip's yanked rule.
 */
static int found_candidates(struct sp_provider *p, const char *key, const struct query *q,
			    struct clist *out, struct sp_diag *d)
{
	const struct sp_project *proj;
	struct ranked *rk = NULL;
	bool allow_pre = p->o.pre || any_prerelease_named(q);
	bool any_final = false, all_yanked = true, pinned = false, any_hash = false;
	size_t i, n = 0;
	int err;

	err = p->src.project(p->src.ctx, key, &proj, d);
	if (err < 0 || !proj || !proj->nfiles)
		return err < 0 ? err : 0;
	rk = xcalloc(proj->nfiles, sizeof(*rk));
	if (!total_specs(q) && !p->o.pre) {
		/* No specifier: finals only, unless there are none. */
		for (i = 0; i < proj->nfiles && !any_final; i++)
			any_final = !sp_version_is_prerelease(&proj->files[i].version);
		allow_pre = !any_final;
	}
	for (i = 0; i < proj->nfiles; i++) {
		const struct sp_pfile *f = &proj->files[i];

		if (!contains_all(q, &f->version, allow_pre))
			continue;
		rk[n].f = f;
		rk[n].pos = i;
		rk[n].allowed_hash = hash_allowed(q, f);
		rk[n].binary = p->o.prefer_binary && f->wheel;
		rk[n].pri = f->wheel ? -f->tag_pri : -(long)proj->ntags;
		any_hash |= rk[n].allowed_hash;
		n++;
	}
	/* pip's filter_unallowed_hashes: keep the matching ones when any match. */
	if (any_hash) {
		size_t k = 0;

		for (i = 0; i < n; i++)
			if (rk[i].allowed_hash)
				rk[k++] = rk[i];
		n = k;
	}
	if (n > 1)
		qsort(rk, n, sizeof(*rk), cmp_ranked);
	for (i = 0; i < n; i++)
		all_yanked &= rk[i].f->f->yanked;
	for (i = 0; i < q->nsets && !pinned; i++)
		pinned = pinned_set(q->sets[i]);
	for (i = n; i-- > 0;) {
		const struct sp_pfile *f = rk[i].f;
		size_t j;
		bool seen = false;

		if (f->f->yanked && !(all_yanked && pinned))
			continue;
		for (j = 0; j < out->n && !seen; j++)
			seen = sp_version_cmp(&((const struct sp_pcand *)out->v[j])->v,
					      &f->version) == 0;
		if (!seen)
			clist_add(out, file_cand(p, proj, f));
	}
	free(rk);
	return 0;
}

static const struct sp_pinstalled *installed(struct sp_provider *p, const char *key)
{
	size_t i;

	if (p->o.ignore_installed)
		return NULL;
	for (i = 0; i < p->o.ninstalled; i++)
		if (strcmp(p->o.installed[i].key, key) == 0)
			return &p->o.installed[i];
	return NULL;
}

static bool eligible_for_upgrade(struct sp_provider *p, const char *id)
{
	if (p->o.upgrade == SP_UPGRADE_EAGER)
		return true;
	if (p->o.upgrade == SP_UPGRADE_ONLY_IF_NEEDED)
		return requested_order(p, id, false) >= 0;
	return false;
}

static int find_matches(void *ctx, const char *id, const void *const *reqs, size_t nreqs,
			const void *const *incompat, size_t nincompat,
			const struct sp_rlookup *all, const void *const **out, size_t *nout,
			struct sp_diag *d)
{
	struct sp_provider *p = ctx;
	const char *key = id_key(p, id);
	const struct preq_list *cons = constraint_for(p, key);
	struct clist explicit = {0}, found = {0}, res = {0};
	const char **extras = NULL, **hashes = NULL;
	size_t nextras = 0, nhashes = 0, nspec = 0, i, j;
	struct query q = {0};
	int err = 0;

	if (strcmp(id, PYTHON_ID) == 0) {
		bool ok = !in_list(incompat, nincompat, p->python);

		for (i = 0; i < nreqs && ok; i++)
			ok = satisfied(p, reqs[i], p->python);
		if (ok)
			clist_add(&res, p->python);
		goto done;
	}
	q.sets = xcalloc(nreqs + (cons ? cons->n : 0) + 1, sizeof(*q.sets));
	for (i = 0; cons && i < cons->n; i++)
		q.sets[q.nsets++] = &cons->r[i]->spec;
	for (i = 0; i < nreqs; i++) {
		const struct sp_preq *r = reqs[i];

		if (r->kind == PR_EXPLICIT) {
			clist_add(&explicit, r->cand);
			continue;
		}
		if (r->kind != PR_SPEC)
			continue;
		nspec++;
		q.sets[q.nsets++] = &r->r->spec;
		for (j = 0; j < r->nextras; j++) {
			size_t k;

			for (k = 0; k < nextras && strcmp(extras[k], r->extras[j]) != 0; k++)
				;
			if (k == nextras) {
				extras = xrealloc(extras, (nextras + 1) * sizeof(*extras));
				extras[nextras++] = r->extras[j];
			}
		}
		/* --hash pins intersect, as pip's Hashes.__and__ does. */
		if (r->nhashes && !q.hashes_set) {
			hashes = xmemdup(r->hashes, r->nhashes * sizeof(*hashes));
			nhashes = r->nhashes;
			q.hashes_set = true;
		} else if (r->nhashes) {
			size_t k = 0;

			for (j = 0; j < nhashes; j++) {
				size_t m;

				for (m = 0; m < r->nhashes; m++)
					if (strcmp(r->hashes[m], hashes[j]) == 0)
						break;
				if (m < r->nhashes)
					hashes[k++] = hashes[j];
			}
			nhashes = k;
		}
	}
	q.hashes = hashes;
	q.nhashes = nhashes;
	/* An identifier with extras follows what is pinned for its project. */
	if (strcmp(key, id) != 0) {
		const void *const *base;
		size_t nbase = sp_rlookup_reqs(all, key, &base);
		const char **ex = xcalloc(strlen(id), sizeof(*ex));
		size_t nex = 0;
		char *list = xstrdup(strchr(id, '[') + 1), *tok, *save = NULL;

		list[strlen(list) - 1] = '\0';
		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			ex[nex++] = sp_arena_strdup(&p->arena, tok);
		for (i = 0; i < nbase; i++) {
			const struct sp_preq *r = base[i];

			if (r->kind == PR_EXPLICIT)
				clist_add(&explicit, extras_cand(p, r->cand, ex, nex));
		}
		free(ex);
		free(list);
	}
	if (!explicit.n) {
		const struct sp_pinstalled *in = installed(p, key);
		const struct sp_pcand *ic = NULL;

		if (!nspec)
			goto done;
		if (in && contains_all(&q, &in->version, true)) {
			ic = installed_cand(p, in);
			if (nextras)
				ic = extras_cand(p, ic, extras, nextras);
			if (in_list(incompat, nincompat, ic))
				ic = NULL;
		}
		err = found_candidates(p, key, &q, &found, d);
		if (err < 0)
			goto done;
		if (nextras)
			for (i = 0; i < found.n; i++)
				found.v[i] = extras_cand(p, found.v[i], extras, nextras);
		if (ic && !eligible_for_upgrade(p, id)) {
			clist_add(&res, ic);
		}
		for (i = 0; i < found.n; i++) {
			const struct sp_pcand *c = found.v[i];

			if (ic && sp_version_cmp(&ic->v, &c->v) >= 0)
				clist_add(&res, ic);
			if (ic && sp_version_cmp(&ic->v, &c->v) == 0)
				continue;
			clist_add(&res, c);
		}
		if (ic)
			clist_add(&res, ic);
		/* incompatibilities go last: the installed one was checked above */
		for (i = j = 0; i < res.n; i++)
			if (!in_list(incompat, nincompat, res.v[i]))
				res.v[j++] = res.v[i];
		res.n = j;
		goto done;
	}
	for (i = 0; i < explicit.n; i++) {
		const struct sp_pcand *c = explicit.v[i];
		bool ok = !in_list(incompat, nincompat, c) && contains_all(&q, &c->v, true);

		for (j = 0; j < nreqs && ok; j++)
			ok = satisfied(p, reqs[j], c);
		if (ok)
			clist_add(&res, c);
	}
done:
	*out = sp_arena_alloc(&p->arena, (res.n + 1) * sizeof(**out));
	if (res.n)
		memcpy((void *)*out, res.v, res.n * sizeof(*res.v));
	*nout = res.n;
	free(res.v);
	free(found.v);
	free(explicit.v);
	free(extras);
	free(hashes);
	free(q.sets);
	return err;
}

static const char *identify_req(void *ctx, const void *r)
{
	(void)ctx;
	return ((const struct sp_preq *)r)->id;
}

static const char *identify_cand(void *ctx, const void *c)
{
	(void)ctx;
	return ((const struct sp_pcand *)c)->id;
}

static bool is_satisfied_by(void *ctx, const void *r, const void *c)
{
	return satisfied(ctx, r, c);
}

struct deps {
	const void **v;
	size_t n, cap;
};

static void deps_add(struct deps *l, const void *q)
{
	SP_GROW(l->v, l->n + 1, l->cap);
	l->v[l->n++] = q;
}

static int cand_meta(struct sp_provider *p, const struct sp_pcand *c, const struct sp_pmeta **out,
		     struct sp_diag *d)
{
	const struct sp_pmeta *m;
	struct sp_version v;
	char *name;
	int err;

	if (c->kind == PC_INSTALLED) {
		*out = c->inst->meta;
		return 0;
	}
	err = p->src.metadata(p->src.ctx, c->proj, c->file, &m, d);
	if (err < 0)
		return err;
	/* pip refuses a file whose metadata disagrees with its name. */
	name = sp_name_normalize(m->name ? m->name : "");
	if (strcmp(name, c->key) != 0 || !m->version ||
	    sp_version_parse(&v, m->version, strlen(m->version), NULL) != 0 ||
	    sp_version_cmp(&v, &c->v) != 0) {
		err = sp_diag_set(d, SP_EFORMAT, "'%s' is inconsistent: its metadata says %s %s, "
				  "its file name %s %s", c->file->f->filename,
				  m->name ? m->name : "(no name)", m->version ? m->version : "(none)",
				  c->key, c->vtext);
		free(name);
		return err;
	}
	free(name);
	*out = m;
	return 0;
}

static int get_dependencies(void *ctx, const void *vc, const void *const **out, size_t *nout,
			    struct sp_diag *d)
{
	struct sp_provider *p = ctx;
	struct sp_pcand *c = (struct sp_pcand *)vc;
	const struct sp_pcand *base = c->kind == PC_EXTRAS ? c->base : c;
	const struct sp_pmeta *m = NULL;
	const char **valid = NULL;
	size_t nvalid = 0, i, j;
	struct deps l = {0};
	int err = 0;

	if (c->deps_done)
		goto done;
	if (c->kind == PC_PYTHON)
		goto finish;
	if (c->kind == PC_EXTRAS) {
		struct sp_preq *q = sp_arena_alloc(&p->arena, sizeof(*q));

		q->kind = PR_EXPLICIT;
		q->cand = base;
		q->id = base->id;
		q->key = base->key;
		deps_add(&l, q);
		if (p->o.no_deps)
			goto finish;
	}
	err = cand_meta(p, base, &m, d);
	if (err < 0)
		goto out;
	if (c->kind == PC_EXTRAS) {
		/* Extras the project does not provide are ignored, as pip does. */
		valid = xcalloc(c->nextras + 1, sizeof(*valid));
		for (i = 0; i < c->nextras; i++)
			for (j = 0; j < m->nextras; j++)
				if (strcmp(c->extras[i], m->extras[j]) == 0) {
					valid[nvalid++] = c->extras[i];
					break;
				}
	}
	if (!p->o.no_deps || c->kind == PC_EXTRAS) {
		for (i = 0; i < m->nrequires; i++)
			if (applies(p, m->requires[i], valid, nvalid))
				deps_add(&l, make_spec(p, m->requires[i]));
	}
	if (c->kind == PC_FILE && m->requires_python && *m->requires_python &&
	    !p->o.ignore_requires_python) {
		struct sp_preq *q = sp_arena_alloc(&p->arena, sizeof(*q));

		/* An invalid Requires-Python is ignored, as pip does. */
		if (sp_specset_parse(&p->arena, m->requires_python, strlen(m->requires_python),
				     &q->rp, NULL) == 0 && q->rp.n) {
			q->kind = PR_PYTHON;
			q->id = q->key = PYTHON_ID;
			q->rp_text = m->requires_python;
			deps_add(&l, q);
		}
	}
finish:
	c->deps = sp_arena_alloc(&p->arena, (l.n + 1) * sizeof(*c->deps));
	if (l.n)
		memcpy(c->deps, l.v, l.n * sizeof(*l.v));
	c->ndeps = l.n;
	c->deps_done = true;
done:
	*out = c->deps;
	*nout = c->ndeps;
out:
	free(l.v);
	free(valid);
	return err;
}

static double *depth_of(struct sp_provider *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->ndepths; i++)
		if (strcmp(p->depths[i].id, id) == 0)
			return &p->depths[i].depth;
	SP_GROW(p->depths, p->ndepths + 1, p->capdepths);
	p->depths[p->ndepths] = (struct pdepth){sp_arena_strdup(&p->arena, id), INFINITY};
	return &p->depths[p->ndepths++].depth;
}

/*
 * pip 23.2's get_preference, as numbers. Its "direct" test looks at a
 * tuple and so is true whenever the identifier has requirements; kept.
 */
static void get_preference(void *ctx, const char *id, const struct sp_rinfo *info, size_t ninfo,
			   const struct sp_rinfo *causes, size_t ncauses, struct sp_rpref *out)
{
	struct sp_provider *p = ctx;
	bool pinned = false, unfree = false, cause = false;
	ssize_t order = requested_order(p, id, true);
	double depth;
	size_t i, j;

	for (i = 0; i < ninfo; i++) {
		const struct sp_preq *q = info[i].req;

		if (q->kind != PR_SPEC)
			continue;
		for (j = 0; j < q->r->spec.n; j++) {
			unfree = true;
			pinned |= q->r->spec.specs[j].op == SP_OP_EQ ||
				  q->r->spec.specs[j].op == SP_OP_ARBITRARY;
		}
	}
	if (order >= 0) {
		depth = 1.0;
	} else if (ninfo) {
		depth = INFINITY;
		for (i = 0; i < ninfo; i++) {
			const struct sp_pcand *par = info[i].parent;
			double pd = par ? *depth_of(p, par->id) : 0.0;

			if (pd < depth)
				depth = pd;
		}
		depth += 1.0;
	} else {
		depth = INFINITY;
	}
	*depth_of(p, id) = depth;
	for (i = 0; i < ncauses && !cause; i++) {
		const struct sp_preq *q = causes[i].req;
		const struct sp_pcand *par = causes[i].parent;

		cause = strcmp(q->id, id) == 0 || (par && strcmp(par->id, id) == 0);
	}
	out->k[0] = strcmp(id, PYTHON_ID) != 0;
	out->k[1] = ninfo == 0;
	out->k[2] = !pinned;
	out->k[3] = !cause;
	out->k[4] = depth;
	out->k[5] = order >= 0 ? (double)order : INFINITY;
	out->k[6] = !unfree;
}

void sp_provider_callbacks(struct sp_provider *p, struct sp_rprovider *out)
{
	out->ctx = p;
	out->identify_req = identify_req;
	out->identify_cand = identify_cand;
	out->find_matches = find_matches;
	out->is_satisfied_by = is_satisfied_by;
	out->get_dependencies = get_dependencies;
	out->get_preference = get_preference;
}

const char *sp_pcand_key(const struct sp_pcand *c)
{
	return c->key;
}

const char *sp_pcand_version(const struct sp_pcand *c)
{
	return c->vtext;
}

const struct sp_pfile *sp_pcand_file(const struct sp_pcand *c)
{
	return c->kind == PC_FILE ? c->file : NULL;
}

const struct sp_project *sp_pcand_project(const struct sp_pcand *c)
{
	return c->kind == PC_FILE ? c->proj : NULL;
}

bool sp_pcand_is_installed(const struct sp_pcand *c)
{
	return c->kind == PC_INSTALLED || (c->kind == PC_EXTRAS && c->base->kind == PC_INSTALLED);
}

bool sp_pcand_is_extras(const struct sp_pcand *c)
{
	return c->kind == PC_EXTRAS || c->kind == PC_PYTHON;
}

void sp_provider_describe(const struct sp_rinfo *info, char *buf, size_t size)
{
	const struct sp_preq *q = info->req;
	const struct sp_pcand *par = info->parent;
	struct sp_buf b;
	char *text;

	sp_buf_init(&b, 4096);
	if (q->kind == PR_SPEC)
		sp_requirement_format(q->r, &b);
	else if (q->kind == PR_PYTHON)
		sp_buf_addf(&b, "Python%s", q->rp_text);
	else
		sp_buf_addf(&b, "%s==%s", q->cand->key, q->cand->vtext);
	text = b.data ? b.data : "";
	if (par)
		snprintf(buf, size, "%s (from %s %s)", text, par->id, par->vtext);
	else if (q->origin)
		snprintf(buf, size, "%s (from %s)", text, q->origin);
	else
		snprintf(buf, size, "%s (requested)", text);
	sp_buf_release(&b);
}
