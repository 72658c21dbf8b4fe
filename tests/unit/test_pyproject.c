/*
 * Static metadata of sdists: pyproject.toml's [build-system] and [project]
 * (tests/unit/data/pyproject-cases.txt) and setup.py's literal setup()
 * arguments (tests/unit/data/setuppy-cases.txt), each case's result
 * printed as a summary and compared with the expected one; then caps and
 * messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/file.h"
#include "core/limits.h"
#include "resolve/pyproject.h"
#include "resolve/setuppy.h"

static const char *code_name(int err)
{
	switch (err) {
	case SP_EFORMAT: return "EFORMAT";
	case SP_EPARSE: return "EPARSE";
	case SP_ELIMIT: return "ELIMIT";
	case SP_EUNSUPPORTED: return "EUNSUPPORTED";
	default: return "E?";
	}
}

static void list(struct sp_buf *out, const char *label, const char *const *v, size_t n)
{
	size_t i;

	sp_buf_addf(out, "%s:", label);
	for (i = 0; i < n; i++)
		sp_buf_addf(out, "%s%s", i ? " | " : " ", v[i]);
	sp_buf_addstr(out, "\n");
}

static void dump_pyproject(const struct sp_pyproject *p, struct sp_buf *out)
{
	size_t i;

	if (p->has_build_system)
		sp_buf_addstr(out, "build-system\n");
	if (p->has_build_requires)
		list(out, "requires", p->build_requires, p->nbuild_requires);
	if (p->build_backend)
		sp_buf_addf(out, "backend: %s\n", p->build_backend);
	if (p->has_backend_path)
		sp_buf_addstr(out, "backend-path\n");
	if (p->has_project)
		sp_buf_addstr(out, "project\n");
	if (p->name)
		sp_buf_addf(out, "name: %s\n", p->name);
	if (p->version)
		sp_buf_addf(out, "version: %s\n", p->version);
	if (p->requires_python)
		sp_buf_addf(out, "requires-python: %s\n", p->requires_python);
	if (p->has_dependencies)
		list(out, "dependencies", p->dependencies, p->ndependencies);
	for (i = 0; i < p->nextras; i++) {
		char label[300];

		snprintf(label, sizeof(label), "extra %s", p->extras[i].name);
		list(out, label, p->extras[i].reqs, p->extras[i].nreqs);
	}
	if (p->ndynamic)
		list(out, "dynamic", p->dynamic, p->ndynamic);
}

static void dump_setuppy(const struct sp_setuppy *s, struct sp_buf *out)
{
	size_t i;

	if (s->has_install_requires)
		list(out, "install_requires", s->install_requires, s->ninstall_requires);
	for (i = 0; i < s->nextras; i++) {
		char label[300];

		snprintf(label, sizeof(label), "extra %s", s->extras[i].name);
		list(out, label, s->extras[i].reqs, s->extras[i].nreqs);
	}
	if (s->python_requires)
		sp_buf_addf(out, "python_requires: %s\n", s->python_requires);
}

/* Runs one case; returns the summary (caller frees). */
static char *run_case(bool toml, const char *text, size_t len)
{
	struct sp_arena a;
	struct sp_diag d;
	struct sp_buf out;
	int err;

	sp_arena_init(&a);
	sp_diag_clear(&d);
	sp_buf_init(&out, 1 << 20);
	if (toml) {
		struct sp_pyproject p;

		err = sp_pyproject_parse(&a, text, len, &p, &d);
		if (!err)
			dump_pyproject(&p, &out);
	} else {
		struct sp_setuppy s;

		err = sp_setuppy_parse(&a, text, len, &s, &d);
		if (!err)
			dump_setuppy(&s, &out);
	}
	if (err == SP_EUNSUPPORTED) {
		assert_true(strncmp(d.msg, "setup.py: ", 10) == 0);
		sp_buf_addf(&out, "unknown line %u\n", d.line);
	} else if (err) {
		sp_buf_addf(&out, "error %s line %u", code_name(err), d.line);
		if (d.where[0])
			sp_buf_addf(&out, " where %s", d.where);
		sp_buf_addstr(&out, "\n");
	}
	sp_arena_release(&a);
	return sp_buf_detach(&out, NULL);
}

/* Runs every case of a data file; fails listing each case that differs. */
static void run_file(const char *path, bool toml)
{
	struct sp_buf file, input, expect;
	char *line, *save = NULL, name[256] = "";
	int state = 0; /* 0 before a case, 1 input, 2 expected */
	size_t cases = 0, failed = 0;

	sp_buf_init(&file, 1 << 22);
	assert_int_equal(sp_file_read(path, 1 << 22, &file, NULL), 0);
	sp_buf_init(&input, 1 << 20);
	sp_buf_init(&expect, 1 << 20);
	/* A sentinel case header ends the last case. */
	sp_buf_addstr(&file, "\n=== \n");
	for (line = strtok_r(file.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "=== ", 4) == 0) {
			if (state == 2) {
				char *got = run_case(toml, input.data ? input.data : "", input.len);

				cases++;
				if (strcmp(got, expect.data ? expect.data : "") != 0) {
					failed++;
					fprintf(stderr, "case '%s':\n--- want\n%s--- got\n%s", name,
						expect.data ? expect.data : "", got);
				}
				free(got);
			}
			snprintf(name, sizeof(name), "%s", line + 4);
			sp_buf_reset(&input);
			sp_buf_reset(&expect);
			state = 1;
		} else if (state == 1 && strcmp(line, "---") == 0) {
			state = 2;
		} else if (state == 1) {
			sp_buf_addf(&input, "%s\n", line);
		} else if (state == 2) {
			sp_buf_addf(&expect, "%s\n", line);
		}
	}
	fprintf(stderr, "%s: %zu cases, %zu failed\n", path, cases, failed);
	assert_true(cases >= 20);
	assert_int_equal(failed, 0);
	sp_buf_release(&file);
	sp_buf_release(&input);
	sp_buf_release(&expect);
}

static void test_pyproject_cases(void **state)
{
	(void)state;
	run_file("data/pyproject-cases.txt", true);
}

static void test_setuppy_cases(void **state)
{
	(void)state;
	run_file("data/setuppy-cases.txt", false);
}

static void test_dynamic(void **state)
{
	static const char text[] = "[project]\ndynamic = [\"version\", \"dependencies\"]\n";
	struct sp_arena a;
	struct sp_pyproject p;

	(void)state;
	sp_arena_init(&a);
	assert_int_equal(sp_pyproject_parse(&a, text, sizeof(text) - 1, &p, NULL), 0);
	assert_true(sp_pyproject_is_dynamic(&p, "dependencies"));
	assert_true(sp_pyproject_is_dynamic(&p, "version"));
	assert_false(sp_pyproject_is_dynamic(&p, "optional-dependencies"));
	sp_arena_release(&a);
}

static void test_caps(void **state)
{
	struct sp_arena a;
	struct sp_pyproject p;
	struct sp_setuppy s;
	struct sp_diag d;
	struct sp_buf b;
	int i;

	(void)state;
	sp_arena_init(&a);
	/* too large */
	assert_int_equal(sp_pyproject_parse(&a, "", SP_MAX_PYPROJECT_BYTES + 1, &p, &d),
			 SP_ELIMIT);
	assert_int_equal(sp_setuppy_parse(&a, "", SP_MAX_SETUPPY_BYTES + 1, &s, &d), SP_ELIMIT);
	/* a NUL byte */
	assert_int_equal(sp_pyproject_parse(&a, "a = 1\0", 6, &p, &d), SP_EPARSE);
	/* too many items */
	sp_buf_init(&b, 1 << 24);
	sp_buf_addstr(&b, "[build-system]\nrequires = [");
	for (i = 0; i <= SP_MAX_PYPROJECT_LIST; i++)
		sp_buf_addstr(&b, "\"a\",");
	sp_buf_addstr(&b, "]\n");
	sp_diag_clear(&d);
	assert_int_equal(sp_pyproject_parse(&a, b.data, b.len, &p, &d), SP_ELIMIT);
	assert_string_equal(d.where, "build-system.requires");
	/* a key of too many parts */
	sp_buf_reset(&b);
	for (i = 0; i <= SP_MAX_TOML_KEY_PARTS; i++)
		sp_buf_addstr(&b, i ? ".k" : "project");
	sp_buf_addstr(&b, " = 1\n");
	assert_int_equal(sp_pyproject_parse(&a, b.data, b.len, &p, &d), SP_ELIMIT);
	/* deep nesting elsewhere is only syntax */
	sp_buf_reset(&b);
	sp_buf_addstr(&b, "x = ");
	for (i = 0; i < 5000; i++)
		sp_buf_addstr(&b, "[");
	for (i = 0; i < 5000; i++)
		sp_buf_addstr(&b, "]");
	sp_buf_addstr(&b, "\n");
	assert_int_equal(sp_pyproject_parse(&a, b.data, b.len, &p, &d), 0);
	/* deep Python nesting is walked without recursion */
	sp_buf_reset(&b);
	sp_buf_addstr(&b, "from setuptools import setup\nx = ");
	for (i = 0; i < 3000; i++)
		sp_buf_addstr(&b, "(");
	sp_buf_addstr(&b, "1");
	for (i = 0; i < 3000; i++)
		sp_buf_addstr(&b, ")");
	sp_buf_addstr(&b, "\nsetup(install_requires=['a'])\n");
	assert_int_equal(sp_setuppy_parse(&a, b.data, b.len, &s, &d), 0);
	assert_int_equal(s.ninstall_requires, 1);
	sp_buf_release(&b);
	sp_arena_release(&a);
}

static void test_messages(void **state)
{
	static const char py[] = "from setuptools import setup\n"
				 "setup(install_requires=get_requirements())\n";
	static const char toml[] = "[build-system]\nrequires = \"setuptools\"\n";
	struct sp_arena a;
	struct sp_pyproject p;
	struct sp_setuppy s;
	struct sp_diag d;

	(void)state;
	sp_arena_init(&a);
	sp_diag_clear(&d);
	assert_int_equal(sp_setuppy_parse(&a, py, sizeof(py) - 1, &s, &d), SP_EUNSUPPORTED);
	assert_non_null(strstr(d.msg, "install_requires is computed"));
	assert_int_equal(d.line, 2);
	sp_diag_clear(&d);
	assert_int_equal(sp_pyproject_parse(&a, toml, sizeof(toml) - 1, &p, &d), SP_EFORMAT);
	assert_string_equal(d.msg, "pyproject.toml: 'build-system.requires' must be an array of "
				   "strings");
	sp_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pyproject_cases),
		cmocka_unit_test(test_setuppy_cases),
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
