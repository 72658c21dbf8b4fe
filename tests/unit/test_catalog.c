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

/* Whether scanning src as an ordinary module raises rule r. */
static bool fires(struct sp_worker *w, const struct sp_rule *r, const char *src)
{
	struct sp_artifact *a = sp_artifact_new("example");
	bool hit;

	sp_worker_scan(w, a, "example.py", src, strlen(src), SP_FILE_MODULE, 0);
	hit = has_rule(a, r->id);
	sp_artifact_free(a);
	return hit;
}

static bool listed(const char **list, const char *src)
{
	size_t j;

	for (j = 0; list[j]; j++)
		if (!strcmp(list[j], src))
			return true;
	return false;
}

/*
 * Every example of every rule through the real engine: positives and
 * aliased cases must raise the rule, negatives must not. An aliased case
 * must not be a copy of a positive one (it would prove nothing new).
 * aliased_gap cases are alias forms the engine does not resolve yet: they
 * are printed and counted, and one that starts to fire fails the test so
 * that it moves to aliased and the gap list stays true.
 */
static void test_examples(void **state)
{
	struct sp_catalog cat;
	struct sp_engine *e = NULL;
	struct sp_worker *w;
	struct sp_diag d;
	size_t i, j, failures = 0, checked = 0, aliased = 0, gaps = 0;

	(void)state;
	sp_diag_clear(&d);
	if (sp_catalog_load_embedded(&cat, &d))
		fail_msg("catalog: %s", d.msg);
	if (sp_engine_new(&cat, &e, &d))
		fail_msg("engine: %s", d.msg);
	w = sp_worker_new(e);
	for (i = 0; i < cat.nrules; i++) {
		const struct sp_rule *r = &cat.rules[i];

		for (j = 0; r->positive[j]; j++, checked++) {
			if (!fires(w, r, r->positive[j])) {
				print_error("rule %s misses its positive example %zu:\n%s\n", r->id, j,
					    r->positive[j]);
				failures++;
			}
		}
		for (j = 0; r->negative[j]; j++, checked++) {
			if (fires(w, r, r->negative[j])) {
				print_error("rule %s fires on its negative example %zu:\n%s\n", r->id, j,
					    r->negative[j]);
				failures++;
			}
		}
		for (j = 0; r->aliased[j]; j++, checked++, aliased++) {
			if (listed(r->positive, r->aliased[j])) {
				print_error("rule %s: aliased example %zu is a copy of a "
					    "positive one\n", r->id, j);
				failures++;
			} else if (!fires(w, r, r->aliased[j])) {
				print_error("rule %s misses its aliased example %zu (move it to "
					    "aliased_gap if the engine cannot resolve it):\n%s\n",
					    r->id, j, r->aliased[j]);
				failures++;
			}
		}
		for (j = 0; r->aliased_gap[j]; j++, checked++, gaps++) {
			if (fires(w, r, r->aliased_gap[j])) {
				print_error("rule %s now fires on its known gap %zu: move it to "
					    "aliased:\n%s\n", r->id, j, r->aliased_gap[j]);
				failures++;
			} else {
				print_message("known gap: rule %s misses its aliased example "
					      "%zu:\n%s\n", r->id, j, r->aliased_gap[j]);
			}
		}
	}
	print_message("%zu examples of %zu rules checked: %zu aliased, %zu known alias gaps\n",
		      checked, cat.nrules, aliased, gaps);
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
#define ALIASED "\"aliased\":[\"from builtins import eval as e\\ne(a)\"]"
#define EXAMPLES ",\"examples\":{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"]," ALIASED "}"
#define SEV ",\"severity\":\"low\",\"confidence\":\"low\""

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
	assert_int_equal(load(RULE_HEAD SEV "}]", q, &d), SP_EFORMAT);
	assert_string_equal(d.where, "$[0].examples.positive");
	assert_string_equal(d.file, "t.json");

	sp_diag_clear(&d);
	assert_int_equal(load("{", q, &d), SP_EPARSE);
}

/*
 * The examples object of a rule, case by case: what the loader refuses
 * (and the JSON path it names) and what it accepts.
 */
static void test_examples_rejects(void **state)
{
	static const struct {
		const char *examples; /* the rule's "examples" value */
		bool builtin;
		const char *where;    /* NULL: loads */
		const char *msg;      /* part of the message */
	} cases[] = {
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"]}", false,
		 "$[0].examples.aliased", "aliased example"},
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"aliased\":[]}", false,
		 "$[0].examples.aliased", "aliased_gap"},
		{"{\"positive\":[\"eval(a)\"]," ALIASED "}", false,
		 "$[0].examples.negative", "negative example"},
		{"{\"negative\":[\"1\"]," ALIASED "}", false,
		 "$[0].examples.positive", "positive example"},
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"aliased\":[1]}", false,
		 "$[0].examples.aliased", "array of source strings"},
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"aliased\":\"e(a)\"}", false,
		 "$[0].examples.aliased", "array of source strings"},
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"aliased\":[\"\"]}", false,
		 "$[0].examples.aliased", "array of source strings"},
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"aliased_gap\":[null]}", false,
		 "$[0].examples.aliased_gap", "array of source strings"},
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"aliased\":[\"e(a)\"],"
		 "\"note\":3}", false, "$[0].examples.note", "non-empty string"},
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"aliased\":[\"e(a)\"],"
		 "\"note\":\"\"}", false, "$[0].examples.note", "non-empty string"},
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"alias\":[\"e(a)\"]}", false,
		 "$[0].examples.alias", "unknown key"},
		{"[\"eval(a)\"]", false, "$[0].examples", "an object"},
		{NULL, false, "$[0].examples.positive", "positive example"},
		/* accepted: a known gap stands in for an aliased case; a note */
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"aliased_gap\":[\"e(a)\"]}",
		 false, NULL, NULL},
		{"{\"positive\":[\"eval(a)\"],\"negative\":[\"1\"],\"aliased\":[\"e(a)\"],"
		 "\"note\":\"a literal: reached through a name\"}", false, NULL, NULL},
		/* built-in rules are found by code and need no examples */
		{NULL, true, NULL, NULL},
		{"{\"positive\":[\"x\"]}", true, NULL, NULL},
	};
	char json[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_catalog cat;
		struct sp_diag d;
		int err;

		snprintf(json, sizeof(json), "%s%s%s%s}]", RULE_HEAD SEV,
			 cases[i].builtin ? ",\"builtin\":true" : "",
			 cases[i].examples ? ",\"examples\":" : "",
			 cases[i].examples ? cases[i].examples : "");
		sp_catalog_init(&cat);
		sp_diag_clear(&d);
		err = sp_catalog_add_rules(&cat, "t.json", json, strlen(json), &d);
		if (!cases[i].where) {
			if (err)
				fail_msg("case %zu: %s", i, d.msg);
			assert_int_equal(cat.nrules, 1);
			assert_non_null(cat.rules[0].aliased);
			assert_non_null(cat.rules[0].aliased_gap);
			if (cases[i].examples && strstr(cases[i].examples, "note"))
				assert_string_equal(cat.rules[0].alias_note,
						    "a literal: reached through a name");
			else
				assert_null(cat.rules[0].alias_note);
		} else {
			if (err != SP_EFORMAT)
				fail_msg("case %zu: expected an error at %s, got %d", i,
					 cases[i].where, err);
			assert_string_equal(d.where, cases[i].where);
			assert_string_equal(d.file, "t.json");
			assert_non_null(strstr(d.msg, "'t.json'"));
			if (!strstr(d.msg, cases[i].msg))
				fail_msg("case %zu: '%s' lacks '%s'", i, d.msg, cases[i].msg);
		}
		sp_catalog_release(&cat);
	}
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

/* The peer ids a rule names, one at a time, as "peer id". */
static bool peer_listed(const struct sp_catalog *cat, const char *peer, const char *id,
			size_t n)
{
	size_t i;

	for (i = 0; i < cat->npeers; i++)
		if (!strcmp(cat->peers[i].peer, peer) && strlen(cat->peers[i].id) == n &&
		    !memcmp(cat->peers[i].id, id, n))
			return true;
	return false;
}

/*
 * Parity, counted from the catalog: every check of peers.tsv is covered by
 * a rule or explained (not both), every id a rule names is in peers.tsv,
 * and every test of the bandit on this machine (a checked-in list) is in
 * peers.tsv.
 */
static void test_parity(void **state)
{
	static const char *const peers[] = {"bandit", "pycodeaudit", "guarddog"};
	struct sp_catalog cat;
	struct sp_diag d;
	size_t i, j, k, failures = 0, covered = 0;
	char line[256];
	FILE *f;

	(void)state;
	sp_diag_clear(&d);
	if (sp_catalog_load_embedded(&cat, &d))
		fail_msg("catalog: %s", d.msg);
	assert_true(cat.npeers > 150);
	for (i = 0; i < cat.npeers; i++) {
		const struct sp_peer_check *pc = &cat.peers[i];
		bool by_rule = false;

		for (j = 0; j < cat.nrules && !by_rule; j++)
			by_rule = sp_rule_covers(&cat.rules[j], pc->peer, pc->id);
		covered += by_rule;
		if (by_rule == (pc->reason != NULL)) {
			print_error("%s %s: %s\n", pc->peer, pc->id,
				    by_rule ? "covered by a rule and explained as not covered"
					    : "neither covered by a rule nor explained");
			failures++;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(cat.peers[j].peer, pc->peer) &&
			    !strcmp(cat.peers[j].id, pc->id)) {
				print_error("%s %s is listed twice\n", pc->peer, pc->id);
				failures++;
			}
	}
	for (j = 0; j < cat.nrules; j++) {
		const struct sp_rule *r = &cat.rules[j];
		const char *lists[] = {r->bandit, r->pycodeaudit, r->guarddog};

		for (k = 0; k < 3; k++) {
			const char *p = lists[k];

			while (p && *p) {
				size_t n = strcspn(p, ",");

				if (!peer_listed(&cat, peers[k], p, n)) {
					print_error("rule %s names %s '%.*s', missing from "
						    "peers.tsv\n", r->id, peers[k], (int)n, p);
					failures++;
				}
				p += n;
				p += strspn(p, ", ");
			}
		}
	}
	f = fopen("data/bandit-tests.txt", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\t\n");

		if (line[0] == '#' || !n)
			continue;
		if (!peer_listed(&cat, "bandit", line, n)) {
			print_error("bandit test %.*s is missing from peers.tsv\n", (int)n, line);
			failures++;
		}
	}
	fclose(f);
	print_message("%zu peer checks, %zu covered by rules\n", cat.npeers, covered);
	sp_catalog_release(&cat);
	assert_int_equal(failures, 0);
}

static void test_peers_rejects(void **state)
{
	const char *bad[] = {
		"bandit\tB1\tx\n",             /* three fields */
		"bandit\tB1\tx\t-\textra\n",  /* five */
		"pylint\tW1\tx\t-\n",         /* unknown peer */
		"bandit\t\tx\t-\n",           /* empty id */
	};
	struct sp_catalog cat;
	struct sp_diag d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sp_catalog_init(&cat);
		sp_diag_clear(&d);
		assert_int_equal(sp_catalog_add_peers(&cat, "p.tsv", bad[i], strlen(bad[i]), &d),
				 SP_EFORMAT);
		assert_int_equal(d.line, 1);
		sp_catalog_release(&cat);
	}
	sp_catalog_init(&cat);
	assert_int_equal(sp_catalog_add_peers(&cat, "p.tsv", "# c\n\nbandit\tB1\tx\t-\r\n"
					      "guarddog\tg\ty\tbecause\n", 41, &d), 0);
	assert_int_equal(cat.npeers, 2);
	assert_null(cat.peers[0].reason);
	assert_string_equal(cat.peers[1].reason, "because");
	sp_catalog_release(&cat);
}

/*
 * The comparison with bandit shipped in the binary: a recorded run of
 * bench/compare-bandit.sh and the explanations. Every bandit test the run
 * disagrees on (findings only one tool reported) must be explained, and
 * every id must be a bandit test of peers.tsv (the loader refuses others;
 * checked again here so that the test says which).
 */
static void test_bandit_compare(void **state)
{
	struct sp_catalog cat;
	struct sp_diag d;
	const struct sp_bandit_run *run;
	size_t i, failures = 0, disagree = 0;

	(void)state;
	sp_diag_clear(&d);
	if (sp_catalog_load_embedded(&cat, &d))
		fail_msg("catalog: %s", d.msg);
	run = &cat.bandit_run;
	assert_true(cat.nbandit_notes > 10);
	assert_true(run->ncounts > 10);
	assert_non_null(run->command);
	assert_non_null(strstr(run->command, "bench/compare-bandit.sh"));
	assert_non_null(run->tree);
	assert_non_null(run->date);
	assert_non_null(strstr(run->bandit, "bandit"));
	assert_non_null(strstr(run->safepip, "safepip"));
	for (i = 0; i < cat.nbandit_notes; i++) {
		const struct sp_bandit_note *n = &cat.bandit_notes[i];

		if (!peer_listed(&cat, "bandit", n->id, strlen(n->id))) {
			print_error("bandit-compare.tsv explains %s, not a bandit test of "
				    "peers.tsv\n", n->id);
			failures++;
		}
		if (strlen(n->text) < 40) {
			print_error("the explanation of %s is too short to explain anything: %s\n",
				    n->id, n->text);
			failures++;
		}
	}
	for (i = 0; i < run->ncounts; i++) {
		const struct sp_bandit_count *c = &run->counts[i];

		if (!peer_listed(&cat, "bandit", c->id, strlen(c->id))) {
			print_error("the recorded run counts %s, not a bandit test of peers.tsv\n",
				    c->id);
			failures++;
		}
		assert_int_equal(c->both + c->bandit_only, c->bandit);
		assert_int_equal(c->both + c->safepip_only, c->safepip);
		if (!c->bandit_only && !c->safepip_only)
			continue;
		disagree++;
		if (!sp_catalog_bandit_note(&cat, c->id)) {
			print_error("the recorded run disagrees on %s (bandit only %lu, safepip "
				    "only %lu) and bandit-compare.tsv does not say why\n", c->id,
				    c->bandit_only, c->safepip_only);
			failures++;
		}
	}
	print_message("%zu bandit tests in the recorded run, %zu with disagreements, %zu "
		      "explanations\n", run->ncounts, disagree, cat.nbandit_notes);
	sp_catalog_release(&cat);
	assert_int_equal(failures, 0);
}

/*
 * Bad comparison data, case by case: what add refuses (and the line it
 * names), what seal refuses, and what loads.
 */
static void test_bandit_compare_rejects(void **state)
{
	static const char peers[] = "bandit\tB101\tassert_used\tno\n"
				    "bandit\tB602\tshell\t-\n"
				    "guarddog\tB603\tnot bandit\t-\n";
	static const struct {
		const char *notes, *run;
		int stage;	   /* 0 loads, 1 add refuses, 2 seal refuses */
		unsigned line;     /* the line named, 0 for none */
		const char *msg;   /* part of the message */
	} cases[] = {
		{"B101\tasserts are code quality\n", NULL, 0, 0, NULL},
		{"# c\n\nB602\twhy\r\n", NULL, 0, 0, NULL},
		{NULL, "run\tcommand\tc\nrun\ttree\tt\nrun\tdate\td\nrun\tbandit\tb\n"
		 "run\tsafepip\ts\ncount\tB101\t5\t0\t0\t5\t0\n"
		 "count\tB602\t2\t3\t1\t1\t2\n", 0, 0, NULL},
		{"B101\n", NULL, 1, 1, "separated by a tab"},
		{"B101\t\n", NULL, 1, 1, "neither empty"},
		{"\twhy\n", NULL, 1, 1, "separated by a tab"},
		{"# c\nB101\twhy\textra\n", NULL, 1, 2, "separated by a tab"},
		{"B999\twhy\n", NULL, 2, 1, "'B999' is not in peers.tsv"},
		{"B603\twhy\n", NULL, 2, 1, "'B603' is not in peers.tsv"},
		{"B101\twhy\nB101\tagain\n", NULL, 2, 2, "explained twice"},
		{NULL, "run\tcolour\tred\n", 1, 1, "unknown key"},
		{NULL, "run\tdate\td\nrun\tdate\te\n", 1, 2, "given before"},
		{NULL, "count\tB101\t5\t0\t0\t5\n", 1, 1, "expected run"},
		{NULL, "count\tB101\t5\t0\t0\t4\t0\n", 1, 1, "do not add up"},
		{NULL, "count\tB101\t5\t1\t0\t5\t0\n", 1, 1, "do not add up"},
		{NULL, "count\tB101\t-5\t0\t0\t5\t0\n", 1, 1, "not a number"},
		{NULL, "count\tB101\t1234567890\t0\t0\t1234567890\t0\n", 1, 1,
		 "not a number"},
		{NULL, "count\tB101\t5\t0\t0\t5\t0\n", 2, 0, "lacks one of its facts"},
		{NULL, "run\tcommand\tc\n", 2, 0, "no count lines"},
		{NULL, "run\tcommand\tc\nrun\ttree\tt\nrun\tdate\td\nrun\tbandit\tb\n"
		 "run\tsafepip\ts\ncount\tB999\t1\t0\t0\t1\t0\n", 2, 6,
		 "'B999' is not in peers.tsv"},
		{NULL, "run\tcommand\tc\nrun\ttree\tt\nrun\tdate\td\nrun\tbandit\tb\n"
		 "run\tsafepip\ts\ncount\tB101\t1\t0\t0\t1\t0\n"
		 "count\tB101\t1\t0\t0\t1\t0\n", 2, 7, "counted twice"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_catalog cat;
		struct sp_diag d;
		int err;

		sp_catalog_init(&cat);
		sp_diag_clear(&d);
		assert_int_equal(sp_catalog_add_peers(&cat, "p.tsv", peers, strlen(peers), &d), 0);
		err = cases[i].notes ? sp_catalog_add_bandit_notes(&cat, "n.tsv", cases[i].notes,
								   strlen(cases[i].notes), &d)
				     : sp_catalog_add_bandit_run(&cat, "r.tsv", cases[i].run,
								 strlen(cases[i].run), &d);
		if (err != (cases[i].stage == 1 ? SP_EFORMAT : 0))
			fail_msg("case %zu: add returned %d: %s", i, err, d.msg);
		if (!err) {
			err = sp_catalog_seal(&cat, &d);
			if (err != (cases[i].stage == 2 ? SP_EFORMAT : 0))
				fail_msg("case %zu: seal returned %d: %s", i, err, d.msg);
		}
		if (cases[i].stage) {
			assert_int_equal(d.line, cases[i].line);
			if (!strstr(d.msg, cases[i].msg))
				fail_msg("case %zu: '%s' lacks '%s'", i, d.msg, cases[i].msg);
			if (cases[i].line)
				assert_string_equal(d.file, cases[i].notes ? "n.tsv" : "r.tsv");
		} else if (cases[i].notes) {
			assert_int_equal(cat.nbandit_notes, 1);
			assert_non_null(sp_catalog_bandit_note(&cat, cat.bandit_notes[0].id));
			assert_null(sp_catalog_bandit_note(&cat, "B999"));
		} else {
			assert_int_equal(cat.bandit_run.ncounts, 2);
			assert_int_equal(cat.bandit_run.counts[1].safepip_only, 2);
			assert_string_equal(cat.bandit_run.safepip, "s");
		}
		sp_catalog_release(&cat);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_loader_rejects),
		cmocka_unit_test(test_examples_rejects),
		cmocka_unit_test(test_query_errors),
		cmocka_unit_test(test_parity),
		cmocka_unit_test(test_peers_rejects),
		cmocka_unit_test(test_bandit_compare),
		cmocka_unit_test(test_bandit_compare_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
