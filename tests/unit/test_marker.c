/*
 * PEP 508 markers against a table generated from the packaging library
 * (data/gen_markers.py): markers, environments, requested extras, and the
 * expected value or evaluation error; markers that must not parse; then
 * the canonical form, the nesting cap and error columns.
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
#include "req/marker.h"

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

/* Undoes the generator's "\t" escape in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 't') {
			*w++ = '\t';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

#define MAX_ENVS 8

struct named_env {
	char *name;
	struct sp_marker_env env;
};

static void set_field(struct sp_marker_env *e, const char *key, const char *value)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"python_version", offsetof(struct sp_marker_env, python_version)},
		{"python_full_version", offsetof(struct sp_marker_env, python_full_version)},
		{"os_name", offsetof(struct sp_marker_env, os_name)},
		{"sys_platform", offsetof(struct sp_marker_env, sys_platform)},
		{"platform_release", offsetof(struct sp_marker_env, platform_release)},
		{"platform_system", offsetof(struct sp_marker_env, platform_system)},
		{"platform_version", offsetof(struct sp_marker_env, platform_version)},
		{"platform_machine", offsetof(struct sp_marker_env, platform_machine)},
		{"platform_python_implementation",
		 offsetof(struct sp_marker_env, platform_python_implementation)},
		{"implementation_name", offsetof(struct sp_marker_env, implementation_name)},
		{"implementation_version", offsetof(struct sp_marker_env, implementation_version)},
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!strcmp(keys[i].key, key)) {
			*(const char **)((char *)e + keys[i].off) = value;
			return;
		}
	}
	fail_msg("unknown environment key '%s'", key);
}

static int eval_text(const char *text, const struct sp_marker_env *env, struct sp_diag *d)
{
	struct sp_arena a;
	struct sp_marker *m;
	int r;

	sp_arena_init(&a);
	r = sp_marker_parse(&a, text, strlen(text), &m, d);
	if (r == 0)
		r = sp_marker_evaluate(m, env, d);
	sp_arena_release(&a);
	return r;
}

static void test_table(void **state)
{
	char *text = slurp("marker-eval.txt"), *line, *save = NULL;
	struct named_env envs[MAX_ENVS];
	size_t nenvs = 0, rows = 0, i;

	(void)state;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *p, *extras[4], *s2 = NULL;
		const char *ex[4];
		struct sp_marker_env env;
		struct sp_diag d;
		size_t n = 0, nex = 0;
		int want, got;

		if (line[0] == '#')
			continue;
		if (!strncmp(line, "@env\t", 5)) {
			struct named_env *ne = &envs[nenvs++];

			assert_true(nenvs <= MAX_ENVS);
			memset(ne, 0, sizeof(*ne));
			p = strtok_r(line + 5, "\t", &s2);
			ne->name = p;
			while ((p = strtok_r(NULL, "\t", &s2))) {
				char *eq = strchr(p, '=');

				assert_non_null(eq);
				*eq = '\0';
				set_field(&ne->env, p, eq + 1);
			}
			continue;
		}
		f[n++] = line;
		for (p = line; *p && n < 4; p++) {
			if (*p == '\t') {
				*p = '\0';
				f[n++] = p + 1;
			}
		}
		assert_int_equal(n, 4);
		unescape(f[0]);
		for (i = 0; i < nenvs && strcmp(envs[i].name, f[1]); i++)
			;
		assert_true(i < nenvs);
		env = envs[i].env;
		if (strcmp(f[2], "-")) {
			for (p = strtok_r(f[2], ",", &s2); p; p = strtok_r(NULL, ",", &s2))
				extras[nex++] = p;
			for (i = 0; i < nex; i++)
				ex[i] = extras[i];
			env.extras = ex;
			env.nextras = nex;
		}
		sp_diag_clear(&d);
		got = eval_text(f[0], &env, &d);
		want = f[3][0] == 'E' ? SP_EINVAL : f[3][0] - '0';
		if (got != want)
			fail_msg("'%s' in %s (extras %s): got %d, expected %d (%s)", f[0], f[1],
				 f[2], got, want, d.msg);
		if (want == SP_EINVAL)
			assert_non_null(strstr(d.msg, "cannot evaluate marker"));
		rows++;
	}
	assert_true(rows > 400);
	free(text);
}

static void test_invalid(void **state)
{
	char *text = slurp("marker-invalid.txt"), *line, *next;
	size_t rows = 0;

	(void)state;
	for (line = text; *line; line = next + 1) {
		struct sp_arena a;
		struct sp_marker *m;
		struct sp_diag d;
		int err;

		next = strchr(line, '\n');
		assert_non_null(next);
		*next = '\0';
		if (line[0] == '#')
			continue;
		sp_arena_init(&a);
		sp_diag_clear(&d);
		err = sp_marker_parse(&a, line, strlen(line), &m, &d);
		if (err != SP_EPARSE)
			fail_msg("'%s' parsed (%d) but is invalid", line, err);
		assert_non_null(strstr(d.msg, "invalid marker"));
		assert_true(d.col >= 1 && d.col <= strlen(line) + 1);
		sp_arena_release(&a);
		rows++;
	}
	assert_true(rows > 30);
	free(text);
}

static void test_format(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"python_version>='3.8'", "python_version >= \"3.8\""},
		{"os.name == 'nt'", "os_name == \"nt\""},
		{"'linux' in sys.platform", "\"linux\" in sys_platform"},
		{"extra == 'Foo_Bar'", "extra == \"foo-bar\""},
		{"a_b", NULL},
		{"os_name == \"a'b\"", "os_name == \"a'b\""},
		{"os_name == 'say \"hi\"'", "os_name == 'say \"hi\"'"},
		{"(os_name == 'a' or os_name == 'b') and (extra == 'x')",
		 "(os_name == \"a\" or os_name == \"b\") and extra == \"x\""},
		{"os_name == 'a' or os_name == 'b' and os_name == 'c'",
		 "os_name == \"a\" or (os_name == \"b\" and os_name == \"c\")"},
		{"python_version not  in '2.7 3.5'", "python_version not in \"2.7 3.5\""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_arena a;
		struct sp_marker *m, *again;
		struct sp_buf b;
		int err;

		sp_arena_init(&a);
		sp_buf_init(&b, 4096);
		err = sp_marker_parse(&a, cases[i].in, strlen(cases[i].in), &m, NULL);
		if (!cases[i].out) {
			assert_int_equal(err, SP_EPARSE);
			goto next;
		}
		assert_int_equal(err, 0);
		assert_int_equal(sp_marker_format(m, &b), 0);
		assert_string_equal(b.data, cases[i].out);
		/* The canonical text parses back to the same text. */
		assert_int_equal(sp_marker_parse(&a, b.data, b.len, &again, NULL), 0);
		sp_buf_reset(&b);
		assert_int_equal(sp_marker_format(again, &b), 0);
		assert_string_equal(b.data, cases[i].out);
	next:
		sp_buf_release(&b);
		sp_arena_release(&a);
	}
}

static void test_limits(void **state)
{
	struct sp_arena a;
	struct sp_marker *m;
	struct sp_diag d;
	struct sp_marker_env env = {.os_name = "posix"};
	char deep[4 * SP_MAX_MARKER_DEPTH + 64];
	size_t n = 0, i;

	(void)state;
	sp_arena_init(&a);
	/* As deep as allowed parses and evaluates; one more level is refused. */
	for (i = 0; i < SP_MAX_MARKER_DEPTH; i++)
		deep[n++] = '(';
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "os_name == 'posix'");
	for (i = 0; i < SP_MAX_MARKER_DEPTH; i++)
		deep[n++] = ')';
	deep[n] = '\0';
	assert_int_equal(sp_marker_parse(&a, deep, n, &m, NULL), 0);
	assert_int_equal(sp_marker_evaluate(m, &env, NULL), 1);
	memmove(deep + 1, deep, n + 1);
	deep[0] = '(';
	deep[n + 1] = ')';
	deep[n + 2] = '\0';
	sp_diag_clear(&d);
	assert_int_equal(sp_marker_parse(&a, deep, n + 2, &m, &d), SP_ELIMIT);
	assert_non_null(strstr(d.msg, "SP_MAX_MARKER_DEPTH"));
	/* A long flat chain is no deeper than one level. */
	{
		size_t cap = 200000, len = 0;
		char *chain = malloc(cap);

		for (i = 0; i < 600; i++)
			len += (size_t)snprintf(chain + len, cap - len, "%sos_name == 'x%zu'",
						i ? " or " : "", i);
		assert_int_equal(sp_marker_parse(&a, chain, len, &m, NULL), 0);
		assert_int_equal(m->kind, SP_MARKER_OR);
		assert_int_equal(m->nkids, 600);
		assert_true(len < SP_MAX_REQUIREMENT_LEN);
		assert_int_equal(sp_marker_evaluate(m, &env, NULL), 0);
		free(chain);
	}
	/* Columns point at the problem; bytes are escaped in messages. */
	sp_diag_clear(&d);
	assert_int_equal(sp_marker_parse(&a, "os_name == 'nt' and bogus == 'x'", 32, &m, &d),
			 SP_EPARSE);
	assert_int_equal(d.col, 21);
	assert_non_null(strstr(d.msg, "column 21"));
	sp_diag_clear(&d);
	assert_int_equal(sp_marker_parse(&a, "os_name == 'a\0b'", 16, &m, &d), SP_EPARSE);
	assert_non_null(strstr(d.msg, "NUL"));
	sp_diag_clear(&d);
	assert_int_equal(sp_marker_parse(&a, "os_name \x1b== 'a'", 16, &m, &d), SP_EPARSE);
	assert_non_null(strstr(d.msg, "\\x1b"));
	/* Missing environment values read as "". */
	assert_int_equal(sp_marker_parse(&a, "sys_platform == ''", 18, &m, NULL), 0);
	assert_int_equal(sp_marker_evaluate(m, &env, NULL), 1);
	sp_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
