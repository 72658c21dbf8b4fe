/*
 * pip's configuration sources and their order, as pip 23.2's code applies
 * them: files (global < user < site < PIP_CONFIG_FILE), [global] < the
 * command's section, PIP_* variables, then the command line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "resolve/pipconf.h"

static char dir[64];

static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sp-pipconf-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);

	(void)state;
	free(cmd);
	return rc;
}

static void test_layers(void **state)
{
	char *g = write_file("global.conf", "[global]\nindex-url = https://global/simple\n"
					    "timeout = 1\nretries = 1\ncert = /g.pem\n");
	char *u = write_file("user.conf", "[global]\ntimeout = 2\nretries=2\n"
					  "[install]\nindex-url = https://user-install/simple\n"
					  "[download]\nindex-url = https://user-download/simple\n");
	char *s = write_file("site.conf", "# comment\n; comment\n[global]\nretries: 3\n"
					  "proxy = http://proxy:3128\n");
	const char *globals[] = {g, NULL}, *users[] = {u, NULL};
	struct sp_pipconf_paths paths = {globals, users, s};
	char *env[] = {"PIP_PROXY=http://envproxy:1", "HOME=/x", NULL};
	struct sp_pipconf c;
	struct sp_diag d;

	(void)state;
	sp_pipconf_init(&c);
	assert_int_equal(sp_pipconf_load(&c, "install", &paths, env, &d), 0);
	assert_string_equal(sp_pipconf_str(&c, SP_PIPOPT_INDEX_URL), "https://user-install/simple");
	assert_int_equal(c.v[SP_PIPOPT_INDEX_URL].origin, SP_ORIGIN_USER);
	assert_string_equal(c.v[SP_PIPOPT_INDEX_URL].source, u);
	assert_true(sp_pipconf_num(&c, SP_PIPOPT_TIMEOUT, 15) == 2);
	assert_true(sp_pipconf_num(&c, SP_PIPOPT_RETRIES, 5) == 3);
	assert_string_equal(sp_pipconf_str(&c, SP_PIPOPT_CERT), "/g.pem");
	assert_string_equal(sp_pipconf_str(&c, SP_PIPOPT_PROXY), "http://envproxy:1");
	assert_int_equal(c.v[SP_PIPOPT_PROXY].origin, SP_ORIGIN_ENV);
	assert_string_equal(c.v[SP_PIPOPT_PROXY].source, "PIP_PROXY");
	assert_null(sp_pipconf_str(&c, SP_PIPOPT_CLIENT_CERT));
	assert_true(sp_pipconf_num(&c, SP_PIPOPT_CLIENT_CERT, 7) == 7);
	sp_pipconf_release(&c);

	/* The same files for `download`: its own section. */
	sp_pipconf_init(&c);
	assert_int_equal(sp_pipconf_load(&c, "download", &paths, env, &d), 0);
	assert_string_equal(sp_pipconf_str(&c, SP_PIPOPT_INDEX_URL),
			    "https://user-download/simple");
	sp_pipconf_release(&c);
	free(g);
	free(u);
	free(s);
}

static void test_config_file_variable(void **state)
{
	char *g = write_file("g2.conf", "[global]\nindex-url = https://global/simple\n");
	char *u = write_file("u2.conf", "[global]\nindex-url = https://user/simple\n");
	char *s = write_file("s2.conf", "[global]\nindex-url = https://site/simple\n");
	char *e = write_file("e2.conf", "[global]\nindex-url = https://envfile/simple\n");
	const char *globals[] = {g, NULL}, *users[] = {u, NULL};
	struct sp_pipconf_paths paths = {globals, users, s};
	char *envfile = xasprintf("PIP_CONFIG_FILE=%s", e);
	char *env1[] = {envfile, NULL};
	char *env2[] = {"PIP_CONFIG_FILE=/dev/null", "PIP_RETRIES=9", NULL};
	char *env3[] = {"PIP_CONFIG_FILE=/nonexistent.conf", NULL};
	char *env4[] = {"PIP_ISOLATED=yes", "PIP_RETRIES=9", NULL};
	struct sp_pipconf c;
	struct sp_diag d;

	(void)state;
	/* PIP_CONFIG_FILE beats the site file (pip's OVERRIDE_ORDER). */
	sp_pipconf_init(&c);
	assert_int_equal(sp_pipconf_load(&c, "install", &paths, env1, &d), 0);
	assert_string_equal(sp_pipconf_str(&c, SP_PIPOPT_INDEX_URL), "https://envfile/simple");
	assert_int_equal(c.v[SP_PIPOPT_INDEX_URL].origin, SP_ORIGIN_ENVFILE);
	sp_pipconf_release(&c);
	/* An existing PIP_CONFIG_FILE skips the user files. */
	paths.site = NULL;
	unlink(e);
	sp_pipconf_init(&c);
	assert_int_equal(sp_pipconf_load(&c, "install", &paths, env3, &d), 0);
	assert_string_equal(sp_pipconf_str(&c, SP_PIPOPT_INDEX_URL), "https://user/simple");
	sp_pipconf_release(&c);
	free(e);
	e = write_file("e2.conf", "[install]\nretries = 4\n");
	sp_pipconf_init(&c);
	assert_int_equal(sp_pipconf_load(&c, "install", &paths, env1, &d), 0);
	assert_string_equal(sp_pipconf_str(&c, SP_PIPOPT_INDEX_URL), "https://global/simple");
	assert_true(sp_pipconf_num(&c, SP_PIPOPT_RETRIES, 5) == 4);
	sp_pipconf_release(&c);
	/* /dev/null: no file at all, variables still apply. */
	sp_pipconf_init(&c);
	assert_int_equal(sp_pipconf_load(&c, "install", &paths, env2, &d), 0);
	assert_null(sp_pipconf_str(&c, SP_PIPOPT_INDEX_URL));
	assert_true(sp_pipconf_num(&c, SP_PIPOPT_RETRIES, 5) == 9);
	sp_pipconf_release(&c);
	/* Isolated: global files only, no user files, no variables. */
	sp_pipconf_init(&c);
	assert_int_equal(sp_pipconf_load(&c, "install", &paths, env4, &d), 0);
	assert_string_equal(sp_pipconf_str(&c, SP_PIPOPT_INDEX_URL), "https://global/simple");
	assert_true(sp_pipconf_num(&c, SP_PIPOPT_RETRIES, 5) == 5);
	sp_pipconf_release(&c);
	free(envfile);
	free(g);
	free(u);
	free(s);
	free(e);
}

static void test_lists_and_aliases(void **state)
{
	char *g = write_file("g3.conf", "[global]\nextra-index-url = https://a/simple\n"
					"  https://b/simple   https://c/simple\n\n"
					"find_links = /w1\nno-index = true\n--pre = off\n"
					"some-future-option = whatever\n");
	const char *globals[] = {g, NULL};
	struct sp_pipconf_paths paths = {globals, NULL, NULL};
	char *env[] = {"PIP_DEFAULT_TIMEOUT=180", "PIP_FIND_LINKS=/opt/wheels /w2",
		       "PIP_NO_DEPENDENCIES=1", "PIP_UNKNOWN_THING=1", "NOT_PIP=x", NULL};
	struct sp_pipconf c;
	struct sp_diag d;
	const struct sp_pipconf_value *v;

	(void)state;
	sp_pipconf_init(&c);
	assert_int_equal(sp_pipconf_load(&c, "install", &paths, env, &d), 0);
	v = &c.v[SP_PIPOPT_EXTRA_INDEX_URL];
	assert_int_equal(v->n, 3);
	assert_string_equal(v->items[2], "https://c/simple");
	assert_true(sp_pipconf_bool(&c, SP_PIPOPT_NO_INDEX));
	assert_false(sp_pipconf_bool(&c, SP_PIPOPT_PRE));
	assert_true(sp_pipconf_bool(&c, SP_PIPOPT_NO_DEPS));
	assert_true(sp_pipconf_num(&c, SP_PIPOPT_TIMEOUT, 15) == 180);
	/* A variable replaces the configured list... */
	v = &c.v[SP_PIPOPT_FIND_LINKS];
	assert_int_equal(v->n, 2);
	assert_string_equal(v->items[0], "/opt/wheels");
	/* ...the command line adds to it, as optparse's append does. */
	assert_int_equal(sp_pipconf_set(&c, "find-links", "/cli", SP_ORIGIN_CMDLINE,
					"command line", &d), 0);
	assert_int_equal(sp_pipconf_set(&c, "find-links", "/req", SP_ORIGIN_REQFILE, "r.txt",
					&d), 0);
	assert_int_equal(v->n, 4);
	assert_string_equal(v->items[3], "/req");
	assert_int_equal(v->origin, SP_ORIGIN_REQFILE);
	/* A scalar from the command line replaces. */
	assert_int_equal(sp_pipconf_set(&c, "timeout", "3.5", SP_ORIGIN_CMDLINE, NULL, &d), 0);
	assert_true(sp_pipconf_num(&c, SP_PIPOPT_TIMEOUT, 15) == 3.5);
	assert_int_equal(sp_pipconf_set(&c, "no-such-option", "1", SP_ORIGIN_CMDLINE, NULL, &d),
			 SP_ENOENT);
	sp_pipconf_release(&c);
	free(g);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *needle;
	} cases[] = {
		{"index-url = x\n", 1, "before any [section]"},
		{"[global]\n[global]\n", 2, "appears twice"},
		{"[global]\ntimeout = 1\ntimeout = 2\n", 3, "set twice"},
		{"[global]\njust a line\n", 2, "name = value"},
		{"[global\n", 1, "missing ']'"},
		{"[global]\nno-index = maybe\n", 2, "not a valid value for no-index"},
		{"[install]\n\ntimeout = -3\n", 3, "non-negative number"},
		{"[global]\nretries = ten\n", 2, "non-negative number"},
	};
	struct sp_pipconf c;
	struct sp_diag d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *f = write_file("bad.conf", cases[i].text);
		const char *globals[] = {f, NULL};
		struct sp_pipconf_paths paths = {globals, NULL, NULL};

		sp_pipconf_init(&c);
		sp_diag_clear(&d);
		assert_true(sp_pipconf_load(&c, "install", &paths, NULL, &d) < 0);
		if (!strstr(d.msg, cases[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, d.msg, cases[i].needle);
		assert_int_equal(d.line, cases[i].line);
		assert_string_equal(d.file, f);
		sp_pipconf_release(&c);
		free(f);
	}
	{
		/* A file of endless sections is refused at the cap, not parsed forever. */
		struct sp_buf b;
		size_t k;

		sp_buf_init(&b, 1 << 20);
		for (k = 0; k < 5000; k++)
			sp_buf_addf(&b, "[s%zu]\n", k);
		sp_pipconf_init(&c);
		assert_int_equal(sp_pipconf_load_text(&c, "install", "big.conf", b.data, b.len,
						      SP_ORIGIN_USER, &d), SP_ELIMIT);
		assert_non_null(strstr(d.msg, "big.conf"));
		sp_pipconf_release(&c);
		sp_buf_release(&b);
	}
	{
		char *env[] = {"PIP_NO_INDEX=perhaps", NULL};

		sp_pipconf_init(&c);
		assert_int_equal(sp_pipconf_load(&c, "install", NULL, env, &d), SP_EINVAL);
		assert_non_null(strstr(d.msg, "PIP_NO_INDEX"));
		sp_pipconf_release(&c);
	}
}

static void test_strtobool(void **state)
{
	(void)state;
	assert_int_equal(sp_strtobool("YES"), 1);
	assert_int_equal(sp_strtobool("on"), 1);
	assert_int_equal(sp_strtobool("0"), 0);
	assert_int_equal(sp_strtobool("Off"), 0);
	assert_int_equal(sp_strtobool(""), -1);
	assert_int_equal(sp_strtobool("2"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_config_file_variable),
		cmocka_unit_test(test_lists_and_aliases),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_strtobool),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
