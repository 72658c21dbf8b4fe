/*
 * The engine's dispatch: call patterns compiled on first use (and checked
 * by sp_engine_check()), rule patterns run only on the nodes they can be
 * rooted at, and the findings that dispatch must not change.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/buf.h"
#include "scan/engine.h"
#include "scan/scan.h"

static size_t count_rule(const struct sp_artifact *a, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < a->nfindings; i++)
		n += strcmp(a->findings[i].rule->id, id) == 0;
	return n;
}

static const struct sp_finding *find_rule(const struct sp_artifact *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->nfindings; i++)
		if (strcmp(a->findings[i].rule->id, id) == 0)
			return &a->findings[i];
	return NULL;
}

/* Scans src with a fresh worker of e; the caller frees the artifact. */
static struct sp_artifact *scan(const struct sp_engine *e, const char *src, size_t len)
{
	struct sp_artifact *a = sp_artifact_new("t");
	struct sp_worker *w = sp_worker_new(e);

	sp_worker_scan(w, a, "t.py", src, len, SP_FILE_MODULE, 0);
	sp_worker_free(w);
	sp_artifact_sort(a);
	return a;
}

/* The shipped catalog plus one more query file, sealed. */
static void load_plus(struct sp_catalog *cat, const char *extra)
{
	struct sp_diag d;

	sp_diag_clear(&d);
	sp_catalog_init(cat);
	assert_int_equal(sp_catalog_add_embedded(cat, &d), 0);
	if (extra)
		assert_int_equal(sp_catalog_add_queries(cat, "extra.scm", extra, strlen(extra), &d), 0);
	assert_int_equal(sp_catalog_seal(cat, &d), 0);
}

static void test_shipped_catalog_compiles(void **state)
{
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_diag d;

	(void)state;
	load_plus(&cat, NULL);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);
	if (sp_engine_check(e, &d))
		fail_msg("a shipped call pattern does not compile: %s", d.msg);
	/* Twice: every group is compiled once and then only read. */
	assert_int_equal(sp_engine_check(e, &d), 0);
	sp_engine_free(e);
	sp_catalog_release(&cat);
}

/*
 * Mistakes the text shows are refused when the engine is built, even in a
 * call pattern that would only be compiled when a call needs it.
 */
static void test_call_pattern_errors_at_load(void **state)
{
	static const struct {
		const char *query, *msg;
	} bad[] = {
		{"((call function: (_) @fn) @match (#callee? @fn \"zz.a\") (#rule! \"no-such\"))",
		 "missing from the catalog"},
		{"((call function: (_) @fn) @match (#callee? @fn \"zz.a\"))", "no (#rule!"},
		{"((call function: (_) @fn) (#callee? @fn \"zz.a\") (#rule! \"eval-dynamic\"))",
		 "@match"},
		{"((call function: (_) @fn) @matches (#callee? @fn \"zz.a\") (#rule! \"eval-dynamic\"))",
		 "@match"},
		{"((call function: (_) @fn) @match (#callee? @fn \"zz.a\") (#frob? @fn)"
		 " (#rule! \"eval-dynamic\"))",
		 "unknown predicate"},
		{"((call function: (_) @fn) @match (#callee? @fn \"zz.a\") (#match? @fn \"(\")"
		 " (#rule! \"eval-dynamic\"))",
		 "regular expression"},
	};
	struct sp_catalog cat;
	struct sp_engine *e;
	struct sp_diag d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		load_plus(&cat, bad[i].query);
		sp_diag_clear(&d);
		e = NULL;
		assert_int_not_equal(sp_engine_new(&cat, &e, &d), 0);
		assert_null(e);
		if (!strstr(d.msg, bad[i].msg))
			fail_msg("case %zu: expected '%s' in: %s", i, bad[i].msg, d.msg);
		sp_catalog_release(&cat);
	}
}

/*
 * A call pattern the compiler refuses (an unknown node type) is found by
 * sp_engine_check(); in a scan, a file that calls its name is reported as
 * incomplete, never silently unchecked, and other files are not.
 */
static void test_broken_group_is_reported(void **state)
{
	const char *q = "((call function: (_) @fn arguments: (no_such_node)) @match"
			" (#callee? @fn \"zzmod.run\") (#rule! \"eval-dynamic\"))";
	const char *calls = "import zzmod\nzzmod.run(1)\n";
	const char *other = "import os\nprint(os.sep)\n";
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_artifact *a;
	const struct sp_finding *f;
	struct sp_diag d;

	(void)state;
	load_plus(&cat, q);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);

	a = scan(e, other, strlen(other));
	assert_int_equal(count_rule(a, "source-incomplete"), 0);
	sp_artifact_free(a);

	a = scan(e, calls, strlen(calls));
	f = find_rule(a, "source-incomplete");
	assert_non_null(f);
	assert_non_null(f->detail);
	assert_non_null(strstr(f->detail, "findings may be missing"));
	sp_artifact_free(a);

	sp_diag_clear(&d);
	assert_int_not_equal(sp_engine_check(e, &d), 0);
	if (!strstr(d.msg, "unknown node type"))
		fail_msg("unexpected message: %s", d.msg);
	sp_engine_free(e);
	sp_catalog_release(&cat);
}

/*
 * Findings of the dispatched paths: a call keyed by name, through an
 * alias, under a star import, by a prefix key, by method, and a pattern
 * rooted at a keyword argument and at an assignment.
 */
static void test_dispatch_findings(void **state)
{
	static const struct {
		const char *src, *rule;
		size_t count;
	} cases[] = {
		{"import os\nos.system(cmd)\n", "os-system", 1},
		{"import os as o\no.system(cmd)\n", "os-system", 1},
		{"from os import *\nsystem(cmd)\n", "os-system", 1},
		{"import os\nos.execvp(p, args)\nos.spawnl(m, p)\n", "os-exec", 2},
		{"import yaml\nyaml.load(s)\n", "yaml-unsafe-load", 1},
		{"import os\nos.system('ls')\n", "os-system", 1},
		{"print(cmd)\n", "os-system", 0},
	};
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_diag d;
	size_t i;

	(void)state;
	load_plus(&cat, NULL);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_artifact *a = scan(e, cases[i].src, strlen(cases[i].src));

		if (!sp_catalog_find(&cat, cases[i].rule))
			fail_msg("case %zu: no rule %s in the catalog", i, cases[i].rule);
		if (count_rule(a, cases[i].rule) != cases[i].count)
			fail_msg("case %zu: %zu findings of %s, expected %zu", i,
				 count_rule(a, cases[i].rule), cases[i].rule, cases[i].count);
		sp_artifact_free(a);
	}
	sp_engine_free(e);
	sp_catalog_release(&cat);
}

/*
 * A chain whose links all start at one byte ("a" + "b" + ... and
 * f()()()...) is matched once per chain, not once per link: a long one
 * finishes quickly and completely.
 */
static void test_long_chains(void **state)
{
	static const char *const links[] = {" + \"/tmp/x\"", "()"};
	static const char *const heads[] = {"x = \"/tmp/a\"", "y = f"};
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_diag d;
	size_t k, i;

	(void)state;
	load_plus(&cat, NULL);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);
	for (k = 0; k < 2; k++) {
		struct sp_buf b;
		struct sp_artifact *a;
		clock_t t0 = clock();
		double secs;

		sp_buf_init(&b, SIZE_MAX);
		sp_buf_addf(&b, "%s", heads[k]);
		for (i = 0; i < 20000; i++)
			sp_buf_addf(&b, "%s", links[k]);
		sp_buf_addf(&b, "\n");
		a = scan(e, b.data, b.len);
		secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
		if (secs > 5)
			fail_msg("chain %zu took %.1f s", k, secs);
		assert_int_equal(count_rule(a, "source-incomplete"), 0);
		assert_int_equal(count_rule(a, "source-timeout"), 0);
		sp_artifact_free(a);
		sp_buf_release(&b);
	}
	sp_engine_free(e);
	sp_catalog_release(&cat);
}

struct race {
	const struct sp_engine *e;
	const char *src;
	size_t findings;
};

static void *race_main(void *arg)
{
	struct race *r = arg;
	struct sp_artifact *a = scan(r->e, r->src, strlen(r->src));

	r->findings = a->nfindings;
	sp_artifact_free(a);
	return NULL;
}

/* Threads that need the same groups at once each get them compiled, once. */
static void test_threads_share_groups(void **state)
{
	const char *src = "import os, subprocess, pickle, yaml\n"
			  "os.system(c)\nsubprocess.run(c, shell=True)\npickle.loads(b)\n"
			  "yaml.load(s)\neval(x)\nexec(y)\n";
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_diag d;
	struct race r[4];
	pthread_t t[4];
	struct sp_artifact *a;
	size_t i, want;

	(void)state;
	load_plus(&cat, NULL);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);
	for (i = 0; i < 4; i++) {
		r[i].e = e;
		r[i].src = src;
		assert_int_equal(pthread_create(&t[i], NULL, race_main, &r[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	a = scan(e, src, strlen(src));
	want = a->nfindings;
	assert_true(want >= 6);
	assert_int_equal(count_rule(a, "source-incomplete"), 0);
	sp_artifact_free(a);
	for (i = 0; i < 4; i++)
		assert_int_equal(r[i].findings, want);
	sp_engine_free(e);
	sp_catalog_release(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_catalog_compiles),
		cmocka_unit_test(test_call_pattern_errors_at_load),
		cmocka_unit_test(test_broken_group_is_reported),
		cmocka_unit_test(test_dispatch_findings),
		cmocka_unit_test(test_long_chains),
		cmocka_unit_test(test_threads_share_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
