/*
 * Index pages: PEP 691 JSON and PEP 503 HTML as an index sends them, with
 * the malformed and hostile variants each parser must refuse or skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/xalloc.h"
#include "resolve/index.h"

#define BASE "https://example.org/simple/demo/"
#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int parse(struct sp_index_page *p, const char *ct, const char *body, struct sp_diag *d)
{
	sp_index_page_init(p, BASE);
	sp_diag_clear(d);
	return sp_index_parse(p, ct, body, strlen(body), d);
}

static void test_json_full(void **state)
{
	struct sp_index_page p;
	struct sp_diag d;
	const char *body =
		"{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"demo\",\"versions\":[\"1.0\"],"
		"\"files\":[{\"filename\":\"demo-1.0-py3-none-any.whl\","
		"\"url\":\"../../files/demo-1.0-py3-none-any.whl\","
		"\"hashes\":{\"sha256\":\"" H64 "\",\"md5\":\"x\"},"
		"\"requires-python\":\">=3.8\",\"yanked\":\"broken build\",\"size\":1234,"
		"\"upload-time\":\"2024-01-02T03:04:05.123456Z\","
		"\"core-metadata\":{\"sha256\":\"" H64 "\"}},"
		"{\"filename\":\"demo-1.0.tar.gz\",\"url\":\"https://files.example/demo-1.0.tar.gz\","
		"\"hashes\":{},\"yanked\":false,\"dist-info-metadata\":true}]}";

	(void)state;
	assert_int_equal(parse(&p, "application/vnd.pypi.simple.v1+json", body, &d), 0);
	assert_string_equal(p.name, "demo");
	assert_int_equal(p.api_minor, 1);
	assert_int_equal(p.nfiles, 2);
	assert_string_equal(p.files[0].url,
			    "https://example.org/files/demo-1.0-py3-none-any.whl");
	assert_true(p.files[0].has_sha256);
	assert_int_equal(p.files[0].sha256[0], 0x01);
	assert_int_equal(p.files[0].sha256[31], 0xef);
	assert_string_equal(p.files[0].requires_python, ">=3.8");
	assert_true(p.files[0].yanked);
	assert_string_equal(p.files[0].yanked_reason, "broken build");
	assert_int_equal(p.files[0].size, 1234);
	assert_int_equal(p.files[0].upload_time, 1704164645);
	assert_true(p.files[0].has_metadata && p.files[0].metadata_has_sha256);
	assert_false(p.files[1].has_sha256);
	assert_false(p.files[1].yanked);
	assert_true(p.files[1].has_metadata);
	assert_false(p.files[1].metadata_has_sha256);
	assert_int_equal(p.files[1].size, -1);
	sp_index_page_release(&p);
}

/* Each body must be refused, with the JSON path of the bad value. */
static void test_json_bad(void **state)
{
	static const struct {
		const char *body;
		const char *where;
	} cases[] = {
		{"{", NULL},
		{"[]", "$"},
		{"{\"meta\":{\"api-version\":\"2.0\"},\"files\":[]}", NULL},
		{"{\"meta\":{\"api-version\":1},\"files\":[]}", "meta.api-version"},
		{"{\"files\":{}}", "files"},
		{"{\"files\":[1]}", "files[0]"},
		{"{\"files\":[{\"url\":\"a.whl\"}]}", "files[0].filename"},
		{"{\"files\":[{\"filename\":\"../evil.whl\",\"url\":\"a.whl\"}]}", "files[0].filename"},
		{"{\"files\":[{\"filename\":\"a/b.whl\",\"url\":\"a.whl\"}]}", "files[0].filename"},
		{"{\"files\":[{\"filename\":\"a.whl\"}]}", "files[0].url"},
		{"{\"files\":[{\"filename\":\"a.whl\",\"url\":\"javascript:alert(1)\"}]}",
		 "files[0].url"},
		{"{\"files\":[{\"filename\":\"a.whl\",\"url\":\"file:///etc/passwd\"}]}",
		 "files[0].url"},
		{"{\"files\":[{\"filename\":\"a.whl\",\"url\":\"a.whl\",\"hashes\":{\"sha256\":\"zz\"}}]}",
		 "files[0].hashes"},
		{"{\"files\":[{\"filename\":\"a.whl\",\"url\":\"a.whl\",\"hashes\":[]}]}",
		 "files[0].hashes"},
		{"{\"files\":[{\"filename\":\"a.whl\",\"url\":\"a.whl\",\"yanked\":1}]}",
		 "files[0].yanked"},
		{"{\"files\":[{\"filename\":\"a.whl\",\"url\":\"a.whl\",\"size\":-1}]}",
		 "files[0].size"},
		{"{\"files\":[{\"filename\":\"a.whl\",\"url\":\"a.whl\",\"upload-time\":\"yesterday\"}]}",
		 "files[0].upload-time"},
		{"{\"files\":[{\"filename\":\"a.whl\",\"url\":\"a.whl\",\"core-metadata\":\"x\"}]}",
		 "files[0].core-metadata"},
		{"{\"files\":[{\"filename\":\"a.whl\",\"url\":\"a.whl\",\"requires-python\":3}]}",
		 "files[0].requires-python"},
	};
	struct sp_index_page p;
	struct sp_diag d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = parse(&p, "application/vnd.pypi.simple.v1+json", cases[i].body, &d);

		if (err == 0)
			fail_msg("accepted: %s", cases[i].body);
		assert_true(strstr(d.msg, BASE) != NULL);
		if (cases[i].where)
			assert_string_equal(d.where, cases[i].where);
		sp_index_page_release(&p);
	}
}

static void test_html(void **state)
{
	struct sp_index_page p;
	struct sp_diag d;
	const char *body =
		"<!DOCTYPE html><html><head><meta name=\"pypi:repository-version\" content=\"1.0\">"
		"<title>demo</title></head><body><h1>Links for demo</h1>\n"
		"<a href=\"../../files/demo-1.0-py3-none-any.whl#sha256=" H64 "\" "
		"data-requires-python=\"&gt;=3.8\" data-core-metadata=\"sha256=" H64 "\">"
		"demo-1.0-py3-none-any.whl</a><br>\n"
		"<a href=\"https://cdn.example/p/demo-0.9.tar.gz#md5=abc\" data-yanked=\"\">x</a>\n"
		"<a href=\"https://cdn.example/p/demo%2B1.1.zip\" data-yanked=\"bad\" "
		"data-dist-info-metadata=\"true\">y</a>\n"
		"<a href=\"javascript:void(0)\">nav</a><a href=\"../\">up</a><a>no href</a>"
		"<a href=\"file:///etc/passwd\">local</a>"
		"</body></html>";

	(void)state;
	assert_int_equal(parse(&p, "text/html; charset=utf-8", body, &d), 0);
	assert_int_equal(p.nfiles, 3);
	assert_string_equal(p.files[0].filename, "demo-1.0-py3-none-any.whl");
	assert_string_equal(p.files[0].url, "https://example.org/files/demo-1.0-py3-none-any.whl");
	assert_true(p.files[0].has_sha256);
	assert_string_equal(p.files[0].requires_python, ">=3.8");
	assert_true(p.files[0].has_metadata && p.files[0].metadata_has_sha256);
	assert_false(p.files[0].yanked);
	assert_false(p.files[1].has_sha256); /* md5 only */
	assert_true(p.files[1].yanked);
	assert_null(p.files[1].yanked_reason);
	assert_string_equal(p.files[2].filename, "demo+1.1.zip");
	assert_string_equal(p.files[2].yanked_reason, "bad");
	assert_true(p.files[2].has_metadata);
	sp_index_page_release(&p);
}

static void test_html_base_and_version(void **state)
{
	struct sp_index_page p;
	struct sp_diag d;

	(void)state;
	assert_int_equal(parse(&p, "application/vnd.pypi.simple.v1+html",
			       "<html><head><base href=\"https://mirror.example/pkgs/\"></head>"
			       "<body><a href=\"demo-1.0.tar.gz\">d</a></body></html>", &d), 0);
	assert_int_equal(p.nfiles, 1);
	assert_string_equal(p.files[0].url, "https://mirror.example/pkgs/demo-1.0.tar.gz");
	sp_index_page_release(&p);

	assert_int_equal(parse(&p, "text/html",
			       "<meta name=\"pypi:repository-version\" content=\"2.0\">", &d),
			 SP_EUNSUPPORTED);
	sp_index_page_release(&p);
}

static void test_content_type(void **state)
{
	struct sp_index_page p;
	struct sp_diag d;

	(void)state;
	assert_int_equal(parse(&p, "application/octet-stream", "x", &d), SP_EFORMAT);
	assert_non_null(strstr(d.msg, "--index-url"));
	sp_index_page_release(&p);
	assert_int_equal(parse(&p, "application/vnd.pypi.simple.v2+json", "{}", &d),
			 SP_EUNSUPPORTED);
	sp_index_page_release(&p);
	assert_int_equal(parse(&p, NULL, "x", &d), SP_EFORMAT);
	sp_index_page_release(&p);
}

/*
 * Nesting and garbage: links found under moderate nesting; past libxml2's
 * depth cap the page is refused, not silently cut short.
 */
static void test_html_hostile(void **state)
{
	static const size_t depths[] = {100, 200000};
	struct sp_index_page p;
	struct sp_diag d;
	size_t k, i;

	(void)state;
	for (k = 0; k < 2; k++) {
		char *body = xmalloc(depths[k] * 5 + 64), *w = body;

		for (i = 0; i < depths[k]; i++)
			w += snprintf(w, 6, "<div>");
		snprintf(w, 64, "<a href=\"x-1.0.tar.gz\">x</a>\xff\xfe");
		if (k == 0) {
			assert_int_equal(parse(&p, "text/html", body, &d), 0);
			assert_int_equal(p.nfiles, 1);
		} else {
			assert_int_equal(parse(&p, "text/html", body, &d), SP_EPARSE);
			assert_non_null(strstr(d.msg, "depth"));
		}
		sp_index_page_release(&p);
		free(body);
	}
}

static void test_iso8601(void **state)
{
	(void)state;
	assert_int_equal(sp_parse_iso8601("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(sp_parse_iso8601("2024-01-02T03:04:05+00:00"), 1704164645);
	assert_int_equal(sp_parse_iso8601("2024-01-02T03:04:05.5Z"), 1704164645);
	assert_int_equal(sp_parse_iso8601("2024-01-02 03:04:05Z"), -1);
	assert_int_equal(sp_parse_iso8601("2024-13-02T03:04:05Z"), -1);
	assert_int_equal(sp_parse_iso8601("2024-01-02T03:04:05+02:00"), -1);
	assert_int_equal(sp_parse_iso8601(""), -1);
}

static void test_dir(void **state)
{
	char tmpl[] = "/tmp/sp-index-XXXXXX";
	char *dir = mkdtemp(tmpl), *path;
	struct sp_index_page p;
	struct sp_diag d;
	FILE *f;

	(void)state;
	assert_non_null(dir);
	path = xasprintf("%s/b x-1.0.tar.gz", dir);
	f = fopen(path, "w");
	fputs("abc", f);
	fclose(f);
	free(path);
	path = xasprintf("%s/a-1.0-py3-none-any.whl", dir);
	f = fopen(path, "w");
	fclose(f);
	free(path);
	path = xasprintf("%s/sub", dir);
	assert_int_equal(mkdir(path, 0700), 0);

	sp_index_page_init(&p, "file://");
	assert_int_equal(sp_index_scan_dir(&p, dir, &d), 0);
	assert_int_equal(p.nfiles, 2);
	assert_string_equal(p.files[0].filename, "a-1.0-py3-none-any.whl");
	assert_string_equal(p.files[1].filename, "b x-1.0.tar.gz");
	assert_int_equal(p.files[1].size, 3);
	assert_non_null(strstr(p.files[1].url, "file:///"));
	assert_non_null(strstr(p.files[1].url, "b%20x-1.0.tar.gz"));
	sp_index_page_release(&p);

	sp_index_page_init(&p, "file://");
	assert_int_equal(sp_index_scan_dir(&p, "/nonexistent/dir", &d), SP_ENOENT);
	sp_index_page_release(&p);
	rmdir(path);
	free(path);
	path = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_full),
		cmocka_unit_test(test_json_bad),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_html_base_and_version),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_html_hostile),
		cmocka_unit_test(test_iso8601),
		cmocka_unit_test(test_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
