/*
 * The resolver core against resolvelib itself: tests/unit/data/
 * resolver_oracle.py makes random toy graphs and resolves them with the
 * resolvelib pip 23.2 vendors; this test resolves the same graphs through
 * a toy provider with the same rules and must reach the same pins, or a
 * conflict with the same causes. A second test checks small hand-made
 * cases by name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/xalloc.h"
#include "resolve/resolver.h"

enum op { OP_ANY, OP_EQ, OP_NE, OP_GE, OP_LT };

struct req {
	char name[16];
	enum op op;
	int v;
};

struct pkg {
	char name[16];
	int v;
	struct req *deps;
	const void **depp;
	size_t ndeps;
};

struct toy {
	struct pkg pkgs[128];
	size_t npkgs;
	struct req roots[8];
	size_t nroots;
	const void *matches[4096];
	size_t nmatches;
};

static bool ok(enum op op, int have, int want)
{
	switch (op) {
	case OP_EQ:
		return have == want;
	case OP_NE:
		return have != want;
	case OP_GE:
		return have >= want;
	case OP_LT:
		return have < want;
	default:
		return true;
	}
}

static const char *identify_req(void *ctx, const void *r)
{
	(void)ctx;
	return ((const struct req *)r)->name;
}

static const char *identify_cand(void *ctx, const void *c)
{
	(void)ctx;
	return ((const struct pkg *)c)->name;
}

static int find_matches(void *ctx, const char *id, const void *const *reqs, size_t nreqs,
			const void *const *incompat, size_t nincompat, const struct sp_rlookup *all,
			const void *const **out, size_t *nout, struct sp_diag *d)
{
	struct toy *t = ctx;
	const void **res = &t->matches[t->nmatches];
	size_t n = 0, i, j;
	int best;

	(void)d;
	(void)all;
	/* Newest first: repeatedly take the highest version not yet taken. */
	for (best = 100; best > 0; best--) {
		for (i = 0; i < t->npkgs; i++) {
			const struct pkg *p = &t->pkgs[i];
			bool good = strcmp(p->name, id) == 0 && p->v == best;

			for (j = 0; good && j < nincompat; j++)
				good = incompat[j] != p;
			for (j = 0; good && j < nreqs; j++) {
				const struct req *r = reqs[j];

				good = ok(r->op, p->v, r->v);
			}
			if (good)
				res[n++] = p;
		}
	}
	t->nmatches += n;
	assert_true(t->nmatches < 4096);
	*out = res;
	*nout = n;
	return 0;
}

static bool is_satisfied_by(void *ctx, const void *r, const void *c)
{
	const struct req *q = r;

	(void)ctx;
	return ok(q->op, ((const struct pkg *)c)->v, q->v);
}

static int get_dependencies(void *ctx, const void *c, const void *const **out, size_t *nout,
			    struct sp_diag *d)
{
	const struct pkg *p = c;

	(void)ctx;
	(void)d;
	*out = p->depp;
	*nout = p->ndeps;
	return 0;
}

/* (not pinned, not a backtrack cause, identifier), as the oracle's. */
static void get_preference(void *ctx, const char *id, const struct sp_rinfo *info, size_t ninfo,
			   const struct sp_rinfo *causes, size_t ncauses, struct sp_rpref *out)
{
	bool pinned = false, cause = false;
	size_t i;

	(void)ctx;
	for (i = 0; i < ninfo; i++)
		pinned |= ((const struct req *)info[i].req)->op == OP_EQ;
	for (i = 0; i < ncauses; i++)
		cause |= strcmp(((const struct req *)causes[i].req)->name, id) == 0;
	memset(out, 0, sizeof(*out));
	out->k[0] = !pinned;
	out->k[1] = !cause;
}

static const struct sp_rprovider provider = {
	NULL, identify_req, identify_cand, find_matches, is_satisfied_by, get_dependencies,
	get_preference,
};

static void parse_req(const char *s, struct req *r)
{
	char op[4];

	memset(r, 0, sizeof(*r));
	assert_int_equal(sscanf(s, "%15[^:]:%3[^:]:%d", r->name, op, &r->v), 3);
	r->op = strcmp(op, "==") == 0 ? OP_EQ : strcmp(op, "!=") == 0 ? OP_NE
		: strcmp(op, ">=") == 0 ? OP_GE : strcmp(op, "<") == 0 ? OP_LT : OP_ANY;
}

static const char *op_text(enum op op)
{
	static const char *const t[] = {"any", "==", "!=", ">=", "<"};

	return t[op];
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Resolves t; the outcome in the oracle's words. */
static char *solve(struct toy *t)
{
	struct sp_resolver r;
	struct sp_diag d;
	struct sp_rprovider p = provider;
	const void *roots[8];
	char *parts[256], *out;
	size_t i, n = 0, len = 0;
	int err;

	p.ctx = t;
	for (i = 0; i < t->nroots; i++)
		roots[i] = &t->roots[i];
	sp_resolver_init(&r, &p);
	err = sp_resolver_resolve(&r, roots, t->nroots, &d);
	if (err == 0) {
		for (i = 0; i < r.nresult; i++) {
			const struct pkg *k = r.result[i].cand;

			parts[n++] = xasprintf("%s=%d", k->name, k->v);
		}
	} else {
		assert_int_equal(err, SP_ENOENT);
		for (i = 0; i < r.ncauses && n < 255; i++) {
			const struct req *q = r.causes[i].req;
			const struct pkg *k = r.causes[i].parent;

			if (k)
				parts[n++] = xasprintf("%s:%s:%d@%s=%d", q->name, op_text(q->op),
						       q->v, k->name, k->v);
			else
				parts[n++] = xasprintf("%s:%s:%d@user", q->name, op_text(q->op),
						       q->v);
		}
	}
	qsort(parts, n, sizeof(*parts), cmp_str);
	for (i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	out = xcalloc(1, len + 16);
	snprintf(out, len + 16, "%s", err ? "impossible" : "expect");
	for (i = 0; i < n; i++) {
		size_t at = strlen(out);

		snprintf(out + at, len + 16 - at, " %s", parts[i]);
		free(parts[i]);
	}
	sp_resolver_release(&r);
	return out;
}

static void free_toy(struct toy *t)
{
	size_t i;

	for (i = 0; i < t->npkgs; i++) {
		free(t->pkgs[i].deps);
		free(t->pkgs[i].depp);
	}
	memset(t, 0, sizeof(*t));
}

static void test_against_resolvelib(void **state)
{
	const char *src = getenv("SP_SOURCE_DIR");
	char *cmd = xasprintf("python3 '%s/tests/unit/data/resolver_oracle.py' 0 400",
			      src ? src : "../..");
	FILE *f = popen(cmd, "r");
	static struct toy t;
	char line[4096];
	size_t cases = 0, conflicts = 0;

	(void)state;
	assert_non_null(f);
	memset(&t, 0, sizeof(t));
	while (fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "pkg ", 4) == 0) {
			struct pkg *p = &t.pkgs[t.npkgs++];

			tok = strtok_r(line + 4, " ", &save);
			snprintf(p->name, sizeof(p->name), "%s", tok);
			p->v = (int)strtol(strtok_r(NULL, " ", &save), NULL, 10);
			p->deps = xcalloc(8, sizeof(*p->deps));
			p->depp = xcalloc(8, sizeof(*p->depp));
			while ((tok = strtok_r(NULL, " ", &save))) {
				parse_req(tok, &p->deps[p->ndeps]);
				p->depp[p->ndeps] = &p->deps[p->ndeps];
				p->ndeps++;
			}
		} else if (strncmp(line, "root ", 5) == 0) {
			tok = strtok_r(line + 5, " ", &save);
			for (; tok; tok = strtok_r(NULL, " ", &save))
				parse_req(tok, &t.roots[t.nroots++]);
		} else if (strncmp(line, "expect", 6) == 0 || strncmp(line, "impossible", 10) == 0) {
			char *got = solve(&t);
			size_t n = strlen(line);

			while (n && line[n - 1] == ' ')
				line[--n] = '\0';
			if (strcmp(got, line) != 0)
				fail_msg("case %zu: resolvelib: '%s', safepip: '%s'", cases, line, got);
			conflicts += line[0] == 'i';
			free(got);
			cases++;
		} else if (strcmp(line, "end") == 0) {
			free_toy(&t);
		}
	}
	assert_int_equal(pclose(f), 0);
	free(cmd);
	/* The oracle must have produced both outcomes in numbers. */
	assert_true(cases == 400);
	assert_true(conflicts > 50 && conflicts < 350);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_resolvelib),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
