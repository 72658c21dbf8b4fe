/*
 * Core metadata: the headers kept, folding, the body skipped, repeated
 * headers, Requires-Dist parsed with its line, the static-dependency rule
 * (PEP 643), and the malformed files and caps that must fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/error.h"
#include "core/limits.h"
#include "req/metadata.h"

static const char wheel_metadata[] = "Metadata-Version: 2.1\r\n"
				     "Name: Foo_Bar\r\n"
				     "Version: 1.0.POST1\r\n"
				     "Summary: A thing\r\n"
				     "  that is folded\r\n"
				     "Home-page: https://example.com\r\n"
				     "Author: A. Person\r\n"
				     "author-email: a@example.com\r\n"
				     "License: MIT\r\n"
				     "License-Expression: MIT OR Apache-2.0\r\n"
				     "Project-URL: Source, https://example.com/src\r\n"
				     "Project-URL: Docs, https://example.com/docs\r\n"
				     "Classifier: Programming Language :: Python :: 3\r\n"
				     "Classifier: License :: OSI Approved :: MIT License\r\n"
				     "Requires-Python: >=3.8\r\n"
				     "Requires-Dist: requests (>=2.0)\r\n"
				     "Requires-Dist: idna; python_version < \"3.10\"\r\n"
				     "Requires-Dist: pytest ; extra == 'test'\r\n"
				     "Requires-Dist: colorama;\r\n"
				     "\tsys_platform == \"win32\"\r\n"
				     "Provides-Extra: test\r\n"
				     "X-Unknown: ignored\r\n"
				     "Summary: a second summary is ignored\r\n"
				     "\r\n"
				     "Body: not a header\r\n"
				     "Requires-Dist: evil-hidden-dep\r\n";

static void test_wheel(void **state)
{
	struct sp_metadata m;
	struct sp_diag d;
	struct sp_arena a;
	struct sp_requirement **reqs;
	size_t n;

	(void)state;
	sp_diag_clear(&d);
	assert_int_equal(sp_metadata_parse(&m, wheel_metadata, sizeof(wheel_metadata) - 1, &d), 0);
	assert_string_equal(m.metadata_version, "2.1");
	assert_string_equal(m.name, "Foo_Bar");
	assert_string_equal(m.version_text, "1.0.POST1");
	assert_true(m.version.has_post);
	assert_string_equal(m.summary, "A thing  that is folded");
	assert_string_equal(m.home_page, "https://example.com");
	assert_string_equal(m.author, "A. Person");
	assert_string_equal(m.author_email, "a@example.com");
	assert_string_equal(m.license, "MIT");
	assert_string_equal(m.license_expression, "MIT OR Apache-2.0");
	assert_string_equal(m.requires_python, ">=3.8");
	assert_int_equal(m.nproject_urls, 2);
	assert_string_equal(m.project_urls[1], "Docs, https://example.com/docs");
	assert_int_equal(m.nclassifiers, 2);
	assert_int_equal(m.nprovides_extra, 1);
	assert_string_equal(m.provides_extra[0], "test");
	assert_int_equal(m.nrequires_dist, 4);
	assert_string_equal(m.requires_dist[3].value, "colorama;\tsys_platform == \"win32\"");
	assert_int_equal(m.requires_dist[3].line, 19);
	assert_false(sp_metadata_requires_dist_is_static(&m)); /* 2.1 */

	sp_arena_init(&a);
	assert_int_equal(sp_metadata_requirements(&m, &a, &reqs, &n, &d), 0);
	assert_int_equal(n, 4);
	assert_string_equal(reqs[0]->key, "requests");
	assert_int_equal(reqs[0]->spec.n, 1);
	assert_non_null(reqs[1]->marker);
	assert_string_equal(reqs[2]->name, "pytest");
	assert_string_equal(reqs[3]->name, "colorama");
	assert_non_null(reqs[3]->marker);
	sp_arena_release(&a);
	sp_metadata_release(&m);
}

static void test_static(void **state)
{
	static const struct {
		const char *text;
		bool is_static;
	} cases[] = {
		{"Metadata-Version: 2.2\nName: a\nVersion: 1\n", true},
		{"Metadata-Version: 2.3\nName: a\nVersion: 1\nDynamic: Summary\n", true},
		{"Metadata-Version: 2.2\nName: a\nVersion: 1\nDynamic: Requires-Dist\n", false},
		{"Metadata-Version: 2.4\nName: a\nVersion: 1\ndynamic: requires-dist\n", false},
		{"Metadata-Version: 2.10\nName: a\nVersion: 1\n", true},
		{"Metadata-Version: 3.0\nName: a\nVersion: 1\n", true},
		{"Metadata-Version: 2.1\nName: a\nVersion: 1\n", false},
		{"Metadata-Version: 1.2\nName: a\nVersion: 1\n", false},
		{"Metadata-Version: x\nName: a\nVersion: 1\n", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_metadata m;

		assert_int_equal(sp_metadata_parse(&m, cases[i].text, strlen(cases[i].text), NULL),
				 0);
		assert_int_equal(sp_metadata_requires_dist_is_static(&m), cases[i].is_static);
		sp_metadata_release(&m);
	}
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		size_t len; /* 0: strlen */
		int err;
		unsigned line;
		const char *msg;
	} cases[] = {
		{"Metadata-Version: 2.1\nName: a\nthis line has no colon\nVersion: 1\n", 0,
		 SP_EFORMAT, 3, "not a 'Name: value' header"},
		{" folded: first\nName: a\n", 0, SP_EFORMAT, 1, "folded line before any header"},
		{"Metadata-Version: 2.1\nName: a\nName: b\nVersion: 1\n", 0, SP_EFORMAT, 3,
		 "'Name' appears twice"},
		{"Metadata-Version: 2.1\nName: a\nVersion: 1\nVersion: 2\n", 0, SP_EFORMAT, 4,
		 "'Version' appears twice"},
		{"Metadata-Version: 2.1\nName: a\n", 0, SP_EFORMAT, 0, "no 'Version' header"},
		{"Name: a\nVersion: 1\n", 0, SP_EFORMAT, 0, "no 'Metadata-Version' header"},
		{"Metadata-Version: 2.1\nName: -a-\nVersion: 1\n", 0, SP_EFORMAT, 0,
		 "not a valid name"},
		{"Metadata-Version: 2.1\nName: a\nVersion: one\n", 0, SP_EFORMAT, 0,
		 "invalid version 'one'"},
		{"Metadata-Version: 2.1\nName: a\nVer\0sion: 1\n", 40, SP_EFORMAT, 3, "NUL byte"},
		{"Metadata-Version: 2.1\nName: a\nBad Name: 1\n", 0, SP_EFORMAT, 3,
		 "not a 'Name: value' header"},
		{"Metadata-Version: 2.1\nName: a\n: empty name\n", 0, SP_EFORMAT, 3,
		 "not a 'Name: value' header"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_metadata m;
		struct sp_diag d;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);

		sp_diag_clear(&d);
		assert_int_equal(sp_metadata_parse(&m, cases[i].text, len, &d), cases[i].err);
		if (!strstr(d.msg, cases[i].msg) || d.line != cases[i].line)
			fail_msg("case %zu: line %u '%s', expected line %u '%s'", i, d.line, d.msg,
				 cases[i].line, cases[i].msg);
		sp_metadata_release(&m);
	}
}

static void test_bad_requirement(void **state)
{
	static const char text[] = "Metadata-Version: 2.2\nName: a\nVersion: 1\n"
				   "Requires-Dist: ok\nRequires-Dist: bad[\n";
	struct sp_metadata m;
	struct sp_diag d;
	struct sp_arena a;
	struct sp_requirement **reqs;
	size_t n;

	(void)state;
	assert_int_equal(sp_metadata_parse(&m, text, sizeof(text) - 1, NULL), 0);
	sp_arena_init(&a);
	sp_diag_clear(&d);
	assert_int_equal(sp_metadata_requirements(&m, &a, &reqs, &n, &d), SP_EPARSE);
	assert_int_equal(d.line, 5);
	assert_non_null(strstr(d.msg, "invalid Requires-Dist at line 5"));
	assert_int_equal(n, 1);
	sp_arena_release(&a);
	sp_metadata_release(&m);
}

static void test_limits(void **state)
{
	struct sp_metadata m;
	struct sp_diag d;
	size_t size = SP_MAX_METADATA_VALUE + 1024, n, i;
	char *text = malloc(size * 2);

	(void)state;
	/* A kept header over the value cap fails; an ignored one does not. */
	n = (size_t)snprintf(text, size, "Metadata-Version: 2.1\nName: a\nVersion: 1\nLicense: ");
	memset(text + n, 'x', SP_MAX_METADATA_VALUE);
	n += SP_MAX_METADATA_VALUE;
	text[n++] = '\n';
	sp_diag_clear(&d);
	assert_int_equal(sp_metadata_parse(&m, text, n, &d), SP_ELIMIT);
	assert_non_null(strstr(d.msg, "SP_MAX_METADATA_VALUE"));
	sp_metadata_release(&m);
	n = (size_t)snprintf(text, size, "Metadata-Version: 2.1\nName: a\nVersion: 1\nX-Long: ");
	memset(text + n, 'x', SP_MAX_METADATA_VALUE);
	n += SP_MAX_METADATA_VALUE;
	assert_int_equal(sp_metadata_parse(&m, text, n, NULL), 0);
	sp_metadata_release(&m);
	/* Too many headers. */
	free(text);
	size = (SP_MAX_METADATA_HEADERS + 10) * 12;
	text = malloc(size);
	n = (size_t)snprintf(text, size, "Metadata-Version: 2.1\nName: a\nVersion: 1\n");
	for (i = 0; i < SP_MAX_METADATA_HEADERS; i++)
		n += (size_t)snprintf(text + n, size - n, "X: %zu\n", i % 10);
	sp_diag_clear(&d);
	assert_int_equal(sp_metadata_parse(&m, text, n, &d), SP_ELIMIT);
	assert_non_null(strstr(d.msg, "SP_MAX_METADATA_HEADERS"));
	sp_metadata_release(&m);
	assert_int_equal(sp_metadata_parse(&m, text, SP_MAX_METADATA_BYTES + 1, &d), SP_ELIMIT);
	sp_metadata_release(&m);
	free(text);
}

static void test_line_ends(void **state)
{
	static const char text[] = "\xef\xbb\xbfMetadata-Version: 2.1\rName: a\r\n"
				   "Version:1.0\nRequires-Dist:x\r\n\r\nbody";
	struct sp_metadata m;

	(void)state;
	assert_int_equal(sp_metadata_parse(&m, text, sizeof(text) - 1, NULL), 0);
	assert_string_equal(m.version_text, "1.0");
	assert_int_equal(m.nrequires_dist, 1);
	assert_int_equal(m.requires_dist[0].line, 4);
	sp_metadata_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wheel),  cmocka_unit_test(test_static),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_bad_requirement),
		cmocka_unit_test(test_limits), cmocka_unit_test(test_line_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
