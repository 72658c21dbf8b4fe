/*
 * Wheel and sdist file names: the parts, the expanded tag triples, pip's
 * build-tag order, how the sdist name is split given the project, and the
 * names that must be refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"
#include "req/filename.h"

static void test_wheels(void **state)
{
	static const struct {
		const char *file, *name, *key, *version, *build, *tags;
		size_t ntags;
	} cases[] = {
		{"requests-2.31.0-py3-none-any.whl", "requests", "requests", "2.31.0", NULL,
		 "py3-none-any", 1},
		{"six-1.16.0-py2.py3-none-any.whl", "six", "six", "1.16.0", NULL,
		 "py2-none-any py3-none-any", 2},
		{"Foo_Bar-1.0_post1-py3-none-any.whl", "Foo-Bar", "foo-bar", "1.0-post1", NULL,
		 "py3-none-any", 1},
		{"numpy-1.26.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "numpy",
		 "numpy", "1.26.0", NULL,
		 "cp311-cp311-manylinux_2_17_x86_64 cp311-cp311-manylinux2014_x86_64", 2},
		{"pkg-1.0-1-py3-none-any.whl", "pkg", "pkg", "1.0", "1", "py3-none-any", 1},
		{"pkg-1.0-12b-cp39.cp310-abi3.none-linux_x86_64.whl", "pkg", "pkg", "1.0", "12b",
		 "cp39-abi3-linux_x86_64 cp39-none-linux_x86_64 cp310-abi3-linux_x86_64 "
		 "cp310-none-linux_x86_64",
		 4},
		{"zope.interface-6.0-cp311-cp311-win_amd64.whl", "zope.interface", "zope-interface",
		 "6.0", NULL, "cp311-cp311-win_amd64", 1},
		{"a-1!2.0rc1-py3-none-any.whl", "a", "a", "1!2.0rc1", NULL, "py3-none-any", 1},
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_arena a;
		struct sp_wheel_name w;
		struct sp_diag d;
		char tags[1024] = "";
		size_t n = 0;

		sp_arena_init(&a);
		sp_diag_clear(&d);
		if (sp_wheel_name_parse(&a, cases[i].file, &w, &d))
			fail_msg("'%s': %s", cases[i].file, d.msg);
		assert_string_equal(w.name, cases[i].name);
		assert_string_equal(w.key, cases[i].key);
		assert_string_equal(w.version_text, cases[i].version);
		assert_int_equal(w.has_build, cases[i].build != NULL);
		if (cases[i].build) {
			char b[64];

			snprintf(b, sizeof(b), "%llu%s", (unsigned long long)w.build_num,
				 w.build_rest);
			assert_string_equal(b, cases[i].build);
		}
		assert_int_equal(w.ntags, cases[i].ntags);
		for (j = 0; j < w.ntags; j++)
			n += (size_t)snprintf(tags + n, sizeof(tags) - n, "%s%s-%s-%s",
					      j ? " " : "", w.tags[j].python, w.tags[j].abi,
					      w.tags[j].platform);
		assert_string_equal(tags, cases[i].tags);
		sp_arena_release(&a);
	}
}

static void test_bad_wheels(void **state)
{
	static const char *const bad[] = {
		"requests-2.31.0-py3-none.whl",		/* four parts */
		"requests-2.31.0-1-2-py3-none-any.whl", /* seven parts */
		"requests-2.31.0-py3-none-any.zip",
		"requests-2.31.0-py3-none-any.WHL",
		"requests-2.31.0-b1-py3-none-any.whl", /* build tag without a digit first */
		"requests--py3-none-any.whl",
		"-2.31.0-py3-none-any.whl",
		"requests-2 .31-py3-none-any.whl",
		"requests-foo-py3-none-any.whl", /* not PEP 440 */
		"re quests-1.0-py3-none-any.whl",
		"requests_-1.0-py3-none-any.whl",     /* not a valid name */
		"requests-1.0-py3..py2-none-any.whl", /* empty tag in a set */
		"requests-1.0-py3-none-any.",
		"dir/requests-1.0-py3-none-any.whl",
		".whl",
		"requests-1.0-99999999999999999999-py3-none-any.whl",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sp_arena a;
		struct sp_wheel_name w;
		struct sp_diag d;

		sp_arena_init(&a);
		sp_diag_clear(&d);
		if (sp_wheel_name_parse(&a, bad[i], &w, &d) != SP_EFORMAT)
			fail_msg("'%s' should be refused", bad[i]);
		assert_non_null(strstr(d.msg, "invalid wheel file name"));
		sp_arena_release(&a);
	}
}

static void test_wheel_limits(void **state)
{
	struct sp_arena a;
	struct sp_wheel_name w;
	char name[SP_MAX_FILENAME_LEN + 16];
	size_t n, i;

	(void)state;
	sp_arena_init(&a);
	/* 11 x 10 x 10 tags: over SP_MAX_WHEEL_TAGS (1024) once multiplied. */
	n = (size_t)snprintf(name, sizeof(name), "p-1.0-");
	for (i = 0; i < 11; i++)
		n += (size_t)snprintf(name + n, sizeof(name) - n, "%spy%zu", i ? "." : "", i);
	n += (size_t)snprintf(name + n, sizeof(name) - n, "-");
	for (i = 0; i < 10; i++)
		n += (size_t)snprintf(name + n, sizeof(name) - n, "%sa%zu", i ? "." : "", i);
	n += (size_t)snprintf(name + n, sizeof(name) - n, "-");
	for (i = 0; i < 10; i++)
		n += (size_t)snprintf(name + n, sizeof(name) - n, "%sp%zu", i ? "." : "", i);
	snprintf(name + n, sizeof(name) - n, ".whl");
	assert_int_equal(sp_wheel_name_parse(&a, name, &w, NULL), SP_ELIMIT);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(sp_wheel_name_parse(&a, name, &w, NULL), SP_ELIMIT);
	sp_arena_release(&a);
}

static void test_build_order(void **state)
{
	/* pip's order: no build tag, then (number, rest) ascending. */
	static const char *const ordered[] = {
		"p-1.0-py3-none-any.whl",    "p-1.0-0-py3-none-any.whl",
		"p-1.0-1-py3-none-any.whl",  "p-1.0-1a-py3-none-any.whl",
		"p-1.0-1b-py3-none-any.whl", "p-1.0-2-py3-none-any.whl",
		"p-1.0-10-py3-none-any.whl",
	};
	struct sp_wheel_name w[sizeof(ordered) / sizeof(ordered[0])];
	struct sp_arena a;
	size_t i, j, n = sizeof(ordered) / sizeof(ordered[0]);

	(void)state;
	sp_arena_init(&a);
	for (i = 0; i < n; i++)
		assert_int_equal(sp_wheel_name_parse(&a, ordered[i], &w[i], NULL), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(sp_wheel_build_cmp(&w[i], &w[i]), 0);
		for (j = i + 1; j < n; j++) {
			assert_int_equal(sp_wheel_build_cmp(&w[i], &w[j]), -1);
			assert_int_equal(sp_wheel_build_cmp(&w[j], &w[i]), 1);
		}
	}
	sp_arena_release(&a);
}

static void test_sdists(void **state)
{
	static const struct {
		const char *file, *key, *name, *version, *ext;
		int err;
	} cases[] = {
		{"foo-bar-1.0.tar.gz", "foo-bar", "foo-bar", "1.0", ".tar.gz", 0},
		{"foo_bar-1.0.tar.gz", "foo-bar", "foo_bar", "1.0", ".tar.gz", 0},
		{"Foo.Bar-1.0.zip", "foo-bar", "Foo.Bar", "1.0", ".zip", 0},
		{"foo-bar-1.0.TAR.GZ", "foo-bar", "foo-bar", "1.0", ".tar.gz", 0},
		{"foo-2.0rc1.tar.bz2", "foo", "foo", "2.0rc1", ".tar.bz2", 0},
		{"foo-2.0.tar.xz", "foo", "foo", "2.0", ".tar.xz", 0},
		{"foo-2.0.tgz", "foo", "foo", "2.0", ".tgz", 0},
		{"foo-1.0-1.tar.gz", "foo", "foo", "1.0-1", ".tar.gz", 0},
		{"foo-bar-1.0.tar.gz", NULL, "foo-bar", "1.0", ".tar.gz", 0},
		{"foo-1.0-1.tar.gz", NULL, "foo", "1.0-1", ".tar.gz", 0},
		{"foo-2-1.0.tar.gz", NULL, "foo-2", "1.0", ".tar.gz", 0},
		{"foo-bar-1.0.tar.gz", "foo", NULL, NULL, NULL, SP_EFORMAT}, /* "bar-1.0" */
		{"foo-bar-1.0.tar.gz", "baz", NULL, NULL, NULL, SP_ENOENT},
		{"foo-1.0.tar", "foo", NULL, NULL, NULL, SP_EFORMAT},
		{"foo-1.0.rar", "foo", NULL, NULL, NULL, SP_EFORMAT},
		{"foo-1.0-py3-none-any.whl", "foo", NULL, NULL, NULL, SP_EFORMAT},
		{"foo-.tar.gz", "foo", NULL, NULL, NULL, SP_EFORMAT},
		{"foo.tar.gz", "foo", NULL, NULL, NULL, SP_ENOENT},
		{"foo-latest.tar.gz", "foo", NULL, NULL, NULL, SP_EFORMAT},
		{"foo-latest.tar.gz", NULL, NULL, NULL, NULL, SP_EFORMAT},
		{"foo-1.0 .tar.gz", "foo", NULL, NULL, NULL, SP_EFORMAT},
		{".tar.gz", NULL, NULL, NULL, NULL, SP_EFORMAT},
		{"a/foo-1.0.tar.gz", "foo", NULL, NULL, NULL, SP_EFORMAT},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_arena a;
		struct sp_sdist_name s;
		struct sp_diag d;
		int err;

		sp_arena_init(&a);
		sp_diag_clear(&d);
		err = sp_sdist_name_parse(&a, cases[i].file, cases[i].key, &s, &d);
		if (err != cases[i].err)
			fail_msg("'%s' (key %s): got %d (%s), expected %d", cases[i].file,
				 cases[i].key ? cases[i].key : "none", err, d.msg, cases[i].err);
		if (!err) {
			assert_string_equal(s.name, cases[i].name);
			assert_string_equal(s.version_text, cases[i].version);
			assert_string_equal(s.ext, cases[i].ext);
		} else {
			assert_non_null(strstr(d.msg, "invalid sdist file name"));
		}
		sp_arena_release(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wheels),	     cmocka_unit_test(test_bad_wheels),
		cmocka_unit_test(test_wheel_limits), cmocka_unit_test(test_build_order),
		cmocka_unit_test(test_sdists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
