/*
 * The rule catalog proves itself: every query rule's positive examples must
 * raise it and its negative examples must not. Also checks the loader's
 * strictness (unknown keys, bad values, patterns without a rule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scan/engine.h"
#include "scan/scan.h"

static bool has_rule(const struct sp_artifact *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->nfindings; i++)
		if (strcmp(a->findings[i].rule->id, id) == 0)
			return true;
	return false;
}

static void test_examples(void **state)
{
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_worker *w;
	struct sp_diag d;
	size_t i, j, failures = 0, checked = 0;

	(void)state;
	sp_diag_clear(&d);
	if (sp_catalog_load_embedded(&cat, &d))
		fail_msg("catalog: %s", d.msg);
	if (sp_engine_new(&cat, &e, &d))
		fail_msg("engine: %s", d.msg);
	w = sp_worker_new(e);
	for (i = 0; i < cat.nrules; i++) {
		const struct sp_rule *r = &cat.rules[i];

		for (j = 0; r->positive[j]; j++) {
			struct sp_artifact *a = sp_artifact_new("example");

			sp_worker_scan(w, a, "example.py", r->positive[j], strlen(r->positive[j]),
				       SP_FILE_MODULE, 0);
			if (!has_rule(a, r->id)) {
				print_error("rule %s misses its positive example %zu:\n%s\n", r->id, j,
					    r->positive[j]);
				failures++;
			}
			checked++;
			sp_artifact_free(a);
		}
		for (j = 0; r->negative[j]; j++) {
			struct sp_artifact *a = sp_artifact_new("example");

			sp_worker_scan(w, a, "example.py", r->negative[j], strlen(r->negative[j]),
				       SP_FILE_MODULE, 0);
			if (has_rule(a, r->id)) {
				print_error("rule %s fires on its negative example %zu:\n%s\n", r->id, j,
					    r->negative[j]);
				failures++;
			}
			checked++;
			sp_artifact_free(a);
		}
	}
	print_message("%zu examples of %zu rules checked\n", checked, cat.nrules);
	sp_worker_free(w);
	sp_engine_free(e);
	sp_catalog_release(&cat);
	assert_int_equal(failures, 0);
}

static int load(const char *json, const char *queries, struct sp_diag *d)
{
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	int err;

	sp_catalog_init(&cat);
	err = sp_catalog_add_rules(&cat, "t.json", json, strlen(json), d);
	if (!err)
		err = sp_catalog_add_queries(&cat, "t.scm", queries, strlen(queries), d);
	if (!err)
		err = sp_catalog_seal(&cat, d);
	if (!err) {
		err = sp_engine_new(&cat, &e, d);
		sp_engine_free(e);
	}
	sp_catalog_release(&cat);
	return err;
}

#define RULE_HEAD "[{\"id\":\"x\",\"title\":\"t\",\"category\":\"c\",\"rationale\":\"r\",\"remediation\":\"m\""
#define EXAMPLES ",\"examples\":{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"]}"

static void test_loader_rejects(void **state)
{
	struct sp_diag d;
	const char *q = "((call function: (_) @fn) @match (#callee? @fn \"eval\") (#rule! \"x\"))";
	const char *builtins =
		",{\"id\":\"source-too-large\",\"title\":\"t\",\"category\":\"c\",\"rationale\":\"r\","
		"\"remediation\":\"m\",\"severity\":\"low\",\"confidence\":\"low\",\"builtin\":true}";
	char ok[1024];

	(void)state;
	/* The minimal valid catalog loads; the engine demands the scan built-ins. */
	snprintf(ok, sizeof(ok), "%s,\"severity\":\"low\",\"confidence\":\"low\"%s}%s]", RULE_HEAD,
		 EXAMPLES, builtins);
	sp_diag_clear(&d);
	assert_int_equal(load(ok, q, &d), SP_EFORMAT);
	assert_non_null(strstr(d.msg, "built-in rule"));

	sp_diag_clear(&d);
	assert_int_equal(load(RULE_HEAD ",\"severity\":\"bad\",\"confidence\":\"low\"" EXAMPLES "}]", q, &d),
			 SP_EFORMAT);
	assert_string_equal(d.where, "$[0].severity");

	sp_diag_clear(&d);
	assert_int_equal(load(RULE_HEAD ",\"severity\":\"low\",\"confidence\":\"low\",\"colour\":1" EXAMPLES "}]", q, &d),
			 SP_EFORMAT);
	assert_string_equal(d.where, "$[0].colour");

	sp_diag_clear(&d);
	assert_int_equal(load(RULE_HEAD ",\"severity\":\"low\",\"confidence\":\"low\"}]", q, &d),
			 SP_EFORMAT);
	assert_non_null(strstr(d.msg, "positive and one negative"));

	sp_diag_clear(&d);
	assert_int_equal(load("{", q, &d), SP_EPARSE);
}

/* The shipped catalog plus one more query file, sealed. */
static void load_embedded_plus(struct sp_catalog *cat, const char *extra)
{
	struct sp_diag d;

	sp_catalog_init(cat);
	assert_int_equal(sp_catalog_add_embedded(cat, &d), 0);
	sp_catalog_add_queries(cat, "extra.scm", extra, strlen(extra), &d);
	assert_int_equal(sp_catalog_seal(cat, &d), 0);
}

static void test_query_errors(void **state)
{
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_diag d;
	const char *bad[] = {
		"((call function: (_) @fn) @match (#rule! \"no-such-rule\"))",
		"((call function: (_) @fn) (#callee? @fn \"eval\") (#rule! \"eval-dynamic\"))",
		"((call function: (_) @fn) @match (#frobnicate? @fn) (#rule! \"eval-dynamic\"))",
		"((call function: (_) @fn) @match (#match? @fn \"[\") (#rule! \"eval-dynamic\"))",
		"((call function: (_) @fn) @match)",
		"((not_a_node) @match (#rule! \"eval-dynamic\"))",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sp_diag_clear(&d);
		load_embedded_plus(&cat, bad[i]);
		assert_int_not_equal(sp_engine_new(&cat, &e, &d), 0);
		assert_null(e);
		assert_true(d.msg[0] != '\0');
		sp_catalog_release(&cat);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_loader_rejects),
		cmocka_unit_test(test_query_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
