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

/* A source, a rule, and how many findings of it the source must give. */
struct rule_case {
	const char *src, *rule;
	size_t count;
};

static void expect_counts(struct sp_engine *e, const struct sp_catalog *cat,
			  const struct rule_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct sp_artifact *a = scan(e, cases[i].src, strlen(cases[i].src));

		if (!sp_catalog_find(cat, cases[i].rule))
			fail_msg("case %zu: no rule %s in the catalog", i, cases[i].rule);
		if (count_rule(a, cases[i].rule) != cases[i].count)
			fail_msg("case %zu (%s): %zu findings of %s, expected %zu", i, cases[i].src,
				 count_rule(a, cases[i].rule), cases[i].rule, cases[i].count);
		sp_artifact_free(a);
	}
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

/* The cases against the shipped catalog, plus the extra query when there is one. */
static void check_table(const char *extra, const struct rule_case *cases, size_t n)
{
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_diag d;

	load_plus(&cat, extra);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);
	expect_counts(e, &cat, cases, n);
	sp_engine_free(e);
	sp_catalog_release(&cat);
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
 * alias, under a star import, by a prefix key, by method (also when the
 * method's object is itself a call or an expression in brackets).
 */
static void test_dispatch_findings(void **state)
{
	static const struct rule_case cases[] = {
		{"import os\nos.system(cmd)\n", "os-system", 1},
		{"import os as o\no.system(cmd)\n", "os-system", 1},
		{"from os import *\nsystem(cmd)\n", "os-system", 1},
		{"import os\nos.execvp(p, args)\nos.spawnl(m, p)\n", "os-exec", 2},
		{"import yaml\nyaml.load(s)\n", "yaml-unsafe-load", 1},
		{"import os\nos.system('ls')\n", "os-system", 1},
		{"print(cmd)\n", "os-system", 0},
		{"from pathlib import Path\nPath(\"~/.bashrc\").open(\"a\")\n", "shell-rc-write",
		 1},
		{"from pathlib import Path\n(Path.home() / \".bashrc\").write_text(x)\n",
		 "shell-rc-write", 1},
		{"from pathlib import Path\nPath(\"~/.bashrc\").read_text()\n", "shell-rc-write",
		 0},
	};

	(void)state;
	check_table(NULL, cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * Root patterns are run only on nodes where a chain of types they need
 * turned up (read from the pattern text): chains through fields, several
 * levels down, through alternations, at the inner link of a chain of
 * assignments, next to findings of an enclosing node, and the same shapes
 * without what a rule needs.
 */
static void test_root_triggers(void **state)
{
	static const struct rule_case cases[] = {
		{"password = \"hunter2!x\"\n", "hardcoded-password", 1},
		{"a = b = password = \"hunter2!x\"\n", "hardcoded-password", 1},
		{"password = x = \"hunter2!x\"\n", "hardcoded-password", 0},
		{"cfg[\"password\"] = \"hunter2!x\"\n", "hardcoded-password", 1},
		{"cfg[\"password\"] = value\n", "hardcoded-password", 0},
		{"def f(password=\"hunter2!x\"):\n    pass\n", "hardcoded-password", 1},
		{"connect(password=\"hunter2!x\")\n", "hardcoded-password", 1},
		{"x = {\"k\": connect(password=\"hunter2!x\")}\n", "hardcoded-password", 1},
		{"import ssl\nctx = ssl._create_unverified_context\n", "insecure-tls", 1},
		{"s.verify = False\n", "insecure-tls", 1},
		{"s.verify = True\n", "insecure-tls", 0},
		{"app.run(host=\"0.0.0.0\")\n", "bind-all-interfaces", 1},
		{"app.run(debug=True, host=\"0.0.0.0\")\n", "bind-all-interfaces", 1},
		{"app.run(host=HOST)\n", "bind-all-interfaces", 0},
		{"run(cmd, shell=True)\n", "shell-true-kwarg", 1},
		{"cur.execute(\"SELECT a FROM t WHERE b = '%s'\" % x)\n", "sql-string-format", 1},
		{"cur.execute(f\"SELECT a FROM t WHERE b = {x}\")\n", "sql-string-format", 1},
		{"cur.execute(\"SELECT a FROM t WHERE b = ?\", (x,))\n", "sql-string-format", 0},
		{"import os\nh = os.environ[\"HOME\"]\n", "capability-env", 1},
		{"import http.server\nclass H(http.server.BaseHTTPRequestHandler):\n    pass\n",
		 "http-server", 1},
		{"x = \"/tmp/a\"\n", "hardcoded-tmp-path", 1},
		{"x = \"/tmp/a\" + y\n", "hardcoded-tmp-path", 0},
		{"f(\"/tmp/a\")\n", "hardcoded-tmp-path", 1},
	};

	(void)state;
	check_table(NULL, cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * What a pattern's text requires, as the trigger reader sees it: a child
 * under '?' or '*' is not required, a wildcard or literal in an
 * alternation requires nothing, a field must be the one named, and a
 * wildcard child leaves the node's own type as the need.
 */
static void test_trigger_reading(void **state)
{
	static const char *const q =
		"((assignment left: (identifier) @l right: (list (string)? @s)) @match"
		" (#eq? @l \"zz_opt\") (#rule! \"eval-dynamic\"))\n"
		"((assignment left: (identifier) @l right: [(integer) (_)] @r) @match"
		" (#eq? @l \"zz_alt\") (#rule! \"eval-dynamic\"))\n"
		"((keyword_argument name: (identifier) @k value: (integer)) @match"
		" (#eq? @k \"zz_port\") (#rule! \"eval-dynamic\"))\n"
		"((pair key: (_) @k value: (_)) @match"
		" (#eq? @k \"zz_key\") (#rule! \"eval-dynamic\"))\n"
		"((subscript value: (identifier) @v subscript: (string (string_content) @c)) @match"
		" (#eq? @v \"zz_sub\") (#eq? @c \"x\") (#rule! \"eval-dynamic\"))\n";
	static const struct rule_case cases[] = {
		{"zz_opt = []\n", "eval-dynamic", 1},
		{"zz_opt = [\"a\"]\n", "eval-dynamic", 1},
		{"zz_opt = 1\n", "eval-dynamic", 0},
		{"zz_alt = f(x)\n", "eval-dynamic", 1},
		{"zz_alt = 3\n", "eval-dynamic", 1},
		{"f(zz_port=1)\n", "eval-dynamic", 1},
		{"f(zz_port='1')\n", "eval-dynamic", 0},
		{"f(zz_port=zz_port)\n", "eval-dynamic", 0},
		{"d = {zz_key: v}\n", "eval-dynamic", 1},
		{"y = zz_sub[\"x\"]\n", "eval-dynamic", 1},
		{"y = zz_sub[\"y\"]\n", "eval-dynamic", 0},
		{"y = zz_sub[x]\n", "eval-dynamic", 0},
	};

	(void)state;
	check_table(q, cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * A method pattern is keyed by its method name whatever its object (so it
 * is compiled on first use: a broken one shows only in files that call the
 * method), and a call pattern that reports something other than the call
 * is not dispatched, since a call's run keeps only matches at the call.
 */
static void test_method_and_match_shapes(void **state)
{
	static const char *const q =
		"((call function: (attribute object: (call function: (identifier) @o)"
		" attribute: (identifier) @m)) @match"
		" (#eq? @m \"zz_method\") (#eq? @o \"zz_obj\") (#rule! \"eval-dynamic\"))\n"
		"((call function: (_) @fn arguments: (argument_list (string) @match))"
		" (#callee? @fn \"zzmod.run\") (#rule! \"os-system\"))\n";
	static const char *const broken =
		"((call function: (attribute object: (call function: (no_such_node) @o)"
		" attribute: (identifier) @m)) @match"
		" (#eq? @m \"zz_broken\") (#rule! \"eval-dynamic\"))\n";
	static const struct rule_case cases[] = {
		{"zz_obj().zz_method()\n", "eval-dynamic", 1},
		{"other().zz_method()\n", "eval-dynamic", 0},
		{"zz_obj().other()\n", "eval-dynamic", 0},
		{"import zzmod\nzzmod.run(\"a\", \"b\")\n", "os-system", 2},
	};
	const char *calls = "x.zz_broken()\n";
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_artifact *a;
	struct sp_diag d;

	(void)state;
	load_plus(&cat, q);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);
	expect_counts(e, &cat, cases, sizeof(cases) / sizeof(cases[0]));
	sp_engine_free(e);
	sp_catalog_release(&cat);

	load_plus(&cat, broken);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);
	a = scan(e, cases[0].src, strlen(cases[0].src));
	assert_int_equal(count_rule(a, "source-incomplete"), 0);
	sp_artifact_free(a);
	a = scan(e, calls, strlen(calls));
	assert_int_equal(count_rule(a, "source-incomplete"), 1);
	sp_artifact_free(a);
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

/*
 * Keyed root patterns run only where the child their (#callee? @c ...)
 * names resolves to one of its names: through the import table however
 * it is spelt (aliases, star imports, an import below the use, a plain
 * alias assigned), once for a chain that ends at one byte; a shape the
 * reader must not key (the callee under an optional child) still matches.
 */
static void test_keyed_roots(void **state)
{
	static const char *const q =
		"([(keyword_argument name: (identifier) @k value: (_) @v)"
		" (default_parameter name: (identifier) @k value: (_) @v)] @match"
		" (#callee? @v \"zzmod.flag\") (#rule! \"eval-dynamic\"))\n"
		"((assignment left: (_) @l right: (_)? @r) @match"
		" (#callee? @r \"zzmod.opt\") (#rule! \"os-exec\"))\n";
	static const char *const broken =
		"((assignment right: (call function: (_) @fn arguments: (no_such_node))) @match"
		" (#callee? @fn \"zzmod.bad\") (#rule! \"eval-dynamic\"))\n";
	static const struct rule_case cases[] = {
		{"import random\ntoken = random.random()\n", "insecure-random", 1},
		{"token = rnd.random()\n", "insecure-random", 0},
		{"import random\nname = random.random()\n", "insecure-random", 0},
		{"import random as r\npassword = r.randint(1, 9)\n", "insecure-random", 1},
		{"from random import choice as c\nsecret = c(x)\n", "insecure-random", 1},
		{"from random import *\nsecret = choice(x)\n", "insecure-random", 1},
		{"def f():\n    token = random.random()\nimport random\n", "insecure-random", 1},
		{"import random\nr = random\ntoken = r.random()\n", "insecure-random", 1},
		{"import random\na = token = random.random()\n", "insecure-random", 1},
		{"import random\nself.token = random.choice(x)\n", "insecure-random", 1},
		{"import ssl\nctx = ssl.CERT_NONE\n", "insecure-tls", 1},
		{"from ssl import CERT_NONE as N\nx = N\n", "insecure-tls", 1},
		{"import ssl\nf(cert_reqs=ssl.CERT_NONE)\n", "insecure-tls", 1},
		{"f(cert_reqs=CERT_NONE)\n", "insecure-tls", 0},
		{"import builtins\nf = getattr(builtins, name)\n", "getattr-builtins-obfuscation",
		 1},
		{"import builtins\nf = getattr(builtins, 'len')\n", "getattr-builtins-obfuscation",
		 0},
		{"import os\nh = os.environ[\"HOME\"]\n", "capability-env", 1},
		{"from os import environ as E\nh = E[\"HOME\"]\n", "capability-env", 1},
		{"import zzmod\nf(a=zzmod.flag)\n", "eval-dynamic", 1},
		{"import zzmod\ndef g(a=zzmod.flag):\n    pass\n", "eval-dynamic", 1},
		{"import zzmod\nf(a=zzmod.other)\n", "eval-dynamic", 0},
		{"import zzmod\nx = zzmod.opt\n", "os-exec", 1},
		{"import zzmod\nx = zzmod.other\n", "os-exec", 0},
	};
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_artifact *a;
	struct sp_buf b;
	struct sp_diag d;
	size_t i;

	(void)state;
	load_plus(&cat, q);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);
	expect_counts(e, &cat, cases, sizeof(cases) / sizeof(cases[0]));
	/* a = b = ... = random.random(): one finding, at the innermost assignment. */
	sp_buf_init(&b, SIZE_MAX);
	sp_buf_addf(&b, "import random\n");
	for (i = 0; i < 20000; i++)
		sp_buf_addf(&b, "v%zu = ", i);
	sp_buf_addf(&b, "token = random.random()\n");
	a = scan(e, b.data, b.len);
	assert_int_equal(count_rule(a, "insecure-random"), 1);
	assert_int_equal(count_rule(a, "source-incomplete"), 0);
	sp_artifact_free(a);
	sp_buf_release(&b);
	sp_engine_free(e);
	sp_catalog_release(&cat);

	/* A keyed pattern that does not compile shows in the files that need the keyed unit. */
	load_plus(&cat, broken);
	sp_diag_clear(&d);
	assert_int_equal(sp_engine_new(&cat, &e, &d), 0);
	assert_int_not_equal(sp_engine_check(e, &d), 0);
	a = scan(e, "x = 1\n", 6);
	assert_int_equal(count_rule(a, "source-incomplete"), 0);
	sp_artifact_free(a);
	a = scan(e, "import zzmod\nx = zzmod.bad()\n", 29);
	assert_int_equal(count_rule(a, "source-incomplete"), 1);
	sp_artifact_free(a);
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
		cmocka_unit_test(test_root_triggers),
		cmocka_unit_test(test_trigger_reading),
		cmocka_unit_test(test_method_and_match_shapes),
		cmocka_unit_test(test_long_chains),
		cmocka_unit_test(test_keyed_roots),
		cmocka_unit_test(test_threads_share_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
