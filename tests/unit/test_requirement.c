/*
 * PEP 508 requirements against a table generated from the packaging
 * library (data/gen_requirements.py): name, extras, clauses, URL and the
 * marker's value; requirements that must not parse, with error columns;
 * the canonical text; and project names (PEP 503 / PEP 508).
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
#include "core/buf.h"
#include "core/error.h"
#include "core/limits.h"
#include "req/name.h"
#include "req/requirement.h"

static char *slurp(const char *name)
{
	const char *src = getenv("SP_SOURCE_DIR");
	char path[1024];
	FILE *f;
	long size;
	char *text;

	if (src)
		snprintf(path, sizeof(path), "%s/tests/unit/data/%s", src, name);
	else
		snprintf(path, sizeof(path), "data/%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)size + 1);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	text[size] = '\0';
	fclose(f);
	return text;
}

static size_t unescape(char *s)
{
	char *w = s, *r = s;

	for (; *r; r++) {
		if (r[0] == '\\' && r[1]) {
			r++;
			*w++ = *r == 't' ? '\t' : *r == '0' ? '\0' : *r;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, comma-joined, "-" when empty, as the generator writes lists. */
static void join_sorted(char **items, size_t n, char *out, size_t size)
{
	size_t i, len = 0;

	qsort(items, n, sizeof(*items), cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", items[i]);
	if (n == 0)
		snprintf(out, size, "-");
}

static const struct sp_marker_env linux311 = {
	.python_version = "3.11",
	.python_full_version = "3.11.4",
	.os_name = "posix",
	.sys_platform = "linux",
	.platform_release = "6.1",
	.platform_system = "Linux",
	.platform_version = "#1 SMP",
	.platform_machine = "x86_64",
	.platform_python_implementation = "CPython",
	.implementation_name = "cpython",
	.implementation_version = "3.11.4",
};

static void test_valid(void **state)
{
	char *text = slurp("requirement-valid.txt"), *line, *next;
	size_t rows = 0;

	(void)state;
	for (line = text; *line; line = next + 1) {
		char *f[7], *items[SP_MAX_EXTRAS], joined[2048], *p;
		struct sp_arena a;
		struct sp_requirement *r;
		struct sp_diag d;
		struct sp_buf b;
		size_t n = 0, i, len;

		next = strchr(line, '\n');
		*next = '\0';
		if (line[0] == '#')
			continue;
		f[n++] = line;
		for (p = line; *p && n < 7; p++) {
			if (*p == '\t') {
				*p = '\0';
				f[n++] = p + 1;
			}
		}
		assert_int_equal(n, 7);
		len = unescape(f[0]);
		sp_arena_init(&a);
		sp_diag_clear(&d);
		if (sp_requirement_parse(&a, f[0], len, &r, &d))
			fail_msg("'%s': %s", f[0], d.msg);
		assert_string_equal(r->name, f[1]);
		assert_string_equal(r->key, f[2]);
		for (i = 0; i < r->nextras; i++)
			items[i] = (char *)r->extras[i];
		join_sorted(items, r->nextras, joined, sizeof(joined));
		assert_string_equal(joined, f[3]);
		for (i = 0; i < r->spec.n; i++) {
			items[i] = sp_arena_alloc(&a, 300);
			snprintf(items[i], 300, "%s%s%s", sp_spec_op_str(r->spec.specs[i].op),
				 r->spec.specs[i].text, r->spec.specs[i].wildcard ? ".*" : "");
		}
		join_sorted(items, r->spec.n, joined, sizeof(joined));
		assert_string_equal(joined, f[4]);
		assert_string_equal(r->url ? r->url : "-", f[5]);
		if (!r->marker) {
			assert_string_equal(f[6], "-");
		} else {
			const char *extras[] = {"test"};
			struct sp_marker_env env = linux311;
			char got[3];

			got[0] = (char)('0' + sp_requirement_applies(r, &env, NULL));
			env.extras = extras;
			env.nextras = 1;
			got[1] = (char)('0' + sp_requirement_applies(r, &env, NULL));
			got[2] = '\0';
			if (strcmp(got, f[6]))
				fail_msg("'%s': marker gave %s, expected %s", f[0], got, f[6]);
		}
		/* The canonical text parses back to the same canonical text. */
		sp_buf_init(&b, SP_MAX_REQUIREMENT_LEN);
		assert_int_equal(sp_requirement_format(r, &b), 0);
		{
			struct sp_requirement *again;
			struct sp_buf b2;

			if (sp_requirement_parse(&a, b.data, b.len, &again, &d))
				fail_msg("canonical '%s' of '%s': %s", b.data, f[0], d.msg);
			sp_buf_init(&b2, SP_MAX_REQUIREMENT_LEN);
			assert_int_equal(sp_requirement_format(again, &b2), 0);
			assert_string_equal(b.data, b2.data);
			sp_buf_release(&b2);
		}
		sp_buf_release(&b);
		sp_arena_release(&a);
		rows++;
	}
	assert_true(rows >= 50);
	free(text);
}

static void test_invalid(void **state)
{
	char *text = slurp("requirement-invalid.txt"), *line, *next;
	size_t rows = 0;

	(void)state;
	for (line = text; *line; line = next + 1) {
		struct sp_arena a;
		struct sp_requirement *r;
		struct sp_diag d;
		size_t len;
		int err;

		next = strchr(line, '\n');
		*next = '\0';
		if (line[0] == '#')
			continue;
		len = unescape(line);
		sp_arena_init(&a);
		sp_diag_clear(&d);
		err = sp_requirement_parse(&a, line, len, &r, &d);
		if (err == 0)
			fail_msg("'%s' parsed but is invalid", line);
		assert_int_equal(err, SP_EPARSE);
		assert_non_null(strstr(d.msg, "invalid requirement"));
		assert_true(d.col >= 1 && d.col <= len + 1);
		sp_arena_release(&a);
		rows++;
	}
	assert_true(rows > 40);
	free(text);
}

static void test_errors(void **state)
{
	static const struct {
		const char *in;
		unsigned col;
		const char *msg;
	} cases[] = {
		{"foo>=1.0; os_name == 'nt' and bogus", 31,
		 "variable or a quoted string at column 31"},
		{"foo[bar baz]", 9, "expected ',' or ']'"},
		{"foo (>=1.0", 5, "'(' without ')'"},
		{"foo @ example.com/x", 7, "scheme"},
		{"  -foo", 3, "start and end with a letter or digit at column 3"},
		{"  >=1", 3, "expected a project name"},
		{"foo- >= 1", 1, "start and end with a letter or digit"},
		{"foo>=1.0 extra", 4, "not PEP 440"},
		{"foo @ https://e.com/x.whl junk", 27, "expected ';'"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_arena a;
		struct sp_requirement *r;
		struct sp_diag d;

		sp_arena_init(&a);
		sp_diag_clear(&d);
		assert_int_equal(sp_requirement_parse(&a, cases[i].in, strlen(cases[i].in), &r, &d),
				 SP_EPARSE);
		if (!strstr(d.msg, cases[i].msg) || d.col != cases[i].col)
			fail_msg("'%s': col %u msg '%s', expected col %u and '%s'", cases[i].in,
				 d.col, d.msg, cases[i].col, cases[i].msg);
		sp_arena_release(&a);
	}
}

static void test_format(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"Foo_Bar [Sec, socks] ( >= 1.0 , <2 ) ;python_version>='3.8'",
		 "Foo_Bar[sec,socks]>=1.0,<2; python_version >= \"3.8\""},
		{"foo@https://e.com/x.whl ; os_name=='nt'",
		 "foo @ https://e.com/x.whl ; os_name == \"nt\""},
		{"foo==v1.0.0", "foo==1.0.0"},
		{"foo", "foo"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_arena a;
		struct sp_requirement *r;
		struct sp_buf b;

		sp_arena_init(&a);
		sp_buf_init(&b, 4096);
		assert_int_equal(
			sp_requirement_parse(&a, cases[i].in, strlen(cases[i].in), &r, NULL), 0);
		assert_int_equal(sp_requirement_format(r, &b), 0);
		assert_string_equal(b.data, cases[i].out);
		sp_buf_release(&b);
		sp_arena_release(&a);
	}
}

static void test_limits(void **state)
{
	struct sp_arena a;
	struct sp_requirement *r;
	struct sp_diag d;
	char *big = malloc(SP_MAX_REQUIREMENT_LEN + 2);
	size_t i, n;

	(void)state;
	sp_arena_init(&a);
	memset(big, 'a', SP_MAX_REQUIREMENT_LEN + 1);
	sp_diag_clear(&d);
	assert_int_equal(sp_requirement_parse(&a, big, SP_MAX_REQUIREMENT_LEN + 1, &r, &d),
			 SP_ELIMIT);
	assert_int_equal(sp_requirement_parse(&a, big, SP_MAX_REQUIREMENT_LEN, &r, NULL), 0);
	n = (size_t)snprintf(big, SP_MAX_REQUIREMENT_LEN, "foo[");
	for (i = 0; i <= SP_MAX_EXTRAS; i++)
		n += (size_t)snprintf(big + n, SP_MAX_REQUIREMENT_LEN - n, "%se%zu", i ? "," : "",
				      i);
	n += (size_t)snprintf(big + n, SP_MAX_REQUIREMENT_LEN - n, "]");
	assert_int_equal(sp_requirement_parse(&a, big, n, &r, NULL), SP_ELIMIT);
	/* Input is read to len only. */
	assert_int_equal(sp_requirement_parse(&a, "foo>=1.0 junk", 8, &r, NULL), 0);
	assert_int_equal(r->spec.n, 1);
	free(big);
	sp_arena_release(&a);
}

static void test_names(void **state)
{
	static const struct {
		const char *in, *norm;
		bool valid;
	} cases[] = {
		{"requests", "requests", true},
		{"Foo.Bar_baz", "foo-bar-baz", true},
		{"foo--bar", "foo-bar", true},
		{"foo-._bar", "foo-bar", true},
		{"A", "a", true},
		{"1", "1", true},
		{"-foo", "-foo", false},
		{"foo.", "foo-", false},
		{"", "", false},
		{"foo bar", "foo bar", false},
		{"f\xc3\xb6o", "f\xc3\xb6o", false},
		{"__init__", "-init-", false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = sp_name_normalize(cases[i].in);

		assert_string_equal(n, cases[i].norm);
		assert_int_equal(sp_name_valid(cases[i].in, strlen(cases[i].in)), cases[i].valid);
		assert_true(sp_name_equal(cases[i].in, n));
		assert_true(sp_name_equal(n, cases[i].in));
		free(n);
	}
	assert_false(sp_name_equal("foo", "foo-"));
	assert_false(sp_name_equal("foo-bar", "foobar"));
	assert_true(sp_name_equal("FOO__BAR", "foo.bar"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),  cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_format),
		cmocka_unit_test(test_limits), cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
