/*
 * The typosquatting check against the compiled-in popular-name list:
 * squats it must catch (with the name imitated and why), names it must
 * leave alone (every popular name itself, unrelated and short names), the
 * "top" cut-off, malformed lists, and the cost of a lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/embed.h"
#include "policy/typosquat.h"

static struct sp_typosquat *idx;

static int setup(void **state)
{
	struct sp_diag d;

	(void)state;
	sp_diag_clear(&d);
	if (sp_typosquat_new_embedded(&idx, &d)) {
		fprintf(stderr, "cannot build the index: %s\n", d.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sp_typosquat_free(idx);
	return 0;
}

struct squat {
	const char *name;
	const char *imitates;
};

/* Each kind of imitation: swaps, one edit, digits, affixes, look-alikes. */
static const struct squat squats[] = {
	{"reqeusts", "requests"},	 /* neighbours swapped */
	{"requets", "requests"},	 /* a letter left out */
	{"requestss", "requests"},	 /* a letter added */
	{"reqvests", "requests"},	 /* a letter replaced */
	{"urllib4", "urllib3"},		 /* another number */
	{"dateutil", "python-dateutil"}, /* the python- prefix dropped */
	{"python-requests", "requests"}, /* a python- prefix added */
	{"requests-py", "requests"},	 /* a -py suffix added */
	{"panads", "pandas"},
	{"colourama", "colorama"},
	{"numpyy", "numpy"},
	{"crypt0graphy", "cryptography"}, /* 0 for o */
	{"rnatplotlib", "matplotlib"},	  /* rn for m */
	{"setuptool", "setuptools"},
	{"py-yaml", "pyyaml"}, /* a separator added */
	{"boto4", "boto3"},
};

static void test_true_positives(void **state)
{
	struct sp_typosquat_match m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(squats) / sizeof(squats[0]); i++) {
		memset(&m, 0, sizeof(m));
		if (!sp_typosquat_check(idx, squats[i].name, 0, &m))
			fail_msg("'%s' is not flagged", squats[i].name);
		if (strcmp(m.popular, squats[i].imitates))
			fail_msg("'%s' imitates '%s', not '%s'", squats[i].name, squats[i].imitates,
				 m.popular);
		assert_true(m.rank > 0);
		assert_non_null(m.how);
	}
}

static void test_reasons(void **state)
{
	struct sp_typosquat_match m;

	(void)state;
	assert_true(sp_typosquat_check(idx, "reqeusts", 0, &m));
	assert_string_equal(m.how, "two neighbouring letters swapped");
	assert_int_equal(m.rank, sp_typosquat_rank(idx, "requests"));
	assert_true(sp_typosquat_check(idx, "urllib4", 0, &m));
	assert_non_null(strstr(m.how, "digits"));
	assert_true(sp_typosquat_check(idx, "rnatplotlib", 0, &m));
	assert_string_equal(m.how, "look-alike characters");
}

/* Popular names themselves, unrelated names and names too short to judge. */
static const char *const innocent[] = {
	"requests", "urllib3", "python-dateutil",
	"numpy",    "boto3",   "boto",
	"attrs",    "six",     "my-internal-billing-tool",
	"zzqxv",    "abc",     "a",
	"x1",	    "safepip", "",
};

static void test_false_positives(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(innocent) / sizeof(innocent[0]); i++)
		if (sp_typosquat_check(idx, innocent[i], 0, NULL))
			fail_msg("'%s' is flagged", innocent[i]);
}

/* Reads popular.tsv as the index does, to walk the names in rank order. */
static char **popular_by_rank(size_t *n)
{
	const struct sp_embedded *e = sp_embedded_find("data/popular.tsv");
	char **byrank = calloc(20000, sizeof(*byrank));
	const char *p, *end;

	assert_non_null(e);
	*n = 0;
	for (p = (const char *)e->data, end = p + e->len; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *tab;
		long rank;

		if (!eol)
			eol = end;
		tab = memchr(p, '\t', (size_t)(eol - p));
		if (*p != '#' && tab) {
			rank = strtol(tab + 1, NULL, 10);
			if (rank > 0 && rank < 20000 && !byrank[rank]) {
				byrank[rank] = strndup(p, (size_t)(tab - p));
				(*n)++;
			}
		}
		p = eol + 1;
	}
	return byrank;
}

/*
 * No popular name is flagged: the top 1,000 (the measure) and, for
 * good measure, every name in the list.
 */
static void test_popular_names_not_flagged(void **state)
{
	size_t n, i, flagged_top = 0, flagged_all = 0, seen = 0;
	char **byrank = popular_by_rank(&n);

	(void)state;
	assert_true(n > 14000);
	for (i = 1; i < 20000; i++) {
		if (!byrank[i])
			continue;
		seen++;
		if (sp_typosquat_check(idx, byrank[i], 0, NULL)) {
			flagged_all++;
			if (seen <= 1000)
				flagged_top++;
		}
		free(byrank[i]);
	}
	free(byrank);
	printf("popular names flagged: %zu of the top 1000, %zu of all %zu\n", flagged_top,
	       flagged_all, seen);
	assert_int_equal(flagged_top, 0);
	assert_int_equal(flagged_all, 0);
}

static void test_top_cutoff(void **state)
{
	unsigned rank = sp_typosquat_rank(idx, "requests");

	(void)state;
	assert_true(rank > 1);
	assert_false(sp_typosquat_check(idx, "reqeusts", rank - 1, NULL));
	assert_true(sp_typosquat_check(idx, "reqeusts", rank, NULL));
	assert_true(sp_typosquat_check(idx, "reqeusts", 0, NULL));
	assert_int_equal(sp_typosquat_rank(idx, "reqeusts"), 0);
}

static void test_small_list(void **state)
{
	static const char tsv[] = "# test\nrequests\t1\nflask\t2\nurllib3\t3\n";
	struct sp_typosquat *t;
	struct sp_typosquat_match m;

	(void)state;
	assert_int_equal(sp_typosquat_new(tsv, strlen(tsv), &t, NULL), 0);
	assert_int_equal(sp_typosquat_count(t), 3);
	assert_true(sp_typosquat_check(t, "flaask", 0, &m));
	assert_string_equal(m.popular, "flask");
	assert_false(sp_typosquat_check(t, "flask", 0, NULL));
	assert_false(sp_typosquat_check(t, "django", 0, NULL));
	sp_typosquat_free(t);
}

static void test_bad_lists(void **state)
{
	static const struct {
		const char *tsv;
		unsigned line;
	} bad[] = {
		{"", 0},
		{"# only a comment\n", 1},
		{"requests\n", 1},
		{"requests\t\n", 1},
		{"requests\t0\n", 1},
		{"requests\t-3\n", 1},
		{"requests\t1x\n", 1},
		{"ok\t1\nRequests\t2\n", 2},
		{"ok\t1\nre_quests\t2\n", 2},
		{"ok\t1\n-bad\t2\n", 2},
		{"ok\t1\nbad--name\t2\n", 2},
		{"ok\t1\nok\t2\n", 0},
		{"ok\t99999999999999999999\n", 1},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sp_typosquat *t = (void *)1;
		struct sp_diag d;

		sp_diag_clear(&d);
		if (sp_typosquat_new(bad[i].tsv, strlen(bad[i].tsv), &t, &d) != SP_EFORMAT)
			fail_msg("list %zu accepted", i);
		assert_null(t);
		assert_true(d.msg[0] != '\0');
		if (bad[i].line)
			assert_int_equal(d.line, bad[i].line);
	}
}

/* The cost of one lookup; a budget far above the measure keeps it stable under sanitizers. */
static void test_lookup_cost(void **state)
{
	static const char *const q[] = {"reqeusts", "numpy", "some-internal-package",
					"python-dateutil", "djangorestframework-extensions"};
	struct timespec a, b;
	size_t i, n = 50000, hits = 0;
	double us;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		hits += sp_typosquat_check(idx, q[i % 5], 0, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3) /
	     (double)n;
	printf("typosquat lookup: %.2f us on average (%zu names)\n", us, sp_typosquat_count(idx));
	assert_int_equal(hits, n / 5);
	assert_true(us < 1000.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_true_positives),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_false_positives),
		cmocka_unit_test(test_popular_names_not_flagged),
		cmocka_unit_test(test_top_cutoff),
		cmocka_unit_test(test_small_list),
		cmocka_unit_test(test_bad_lists),
		cmocka_unit_test(test_lookup_cost),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
