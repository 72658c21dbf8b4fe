/*
 * Requirements files as pip 23.2 reads them. Fixture files are written to
 * a temporary directory: includes and constraints relative to the
 * including file, continuations, comments, ${VAR}, hashes and per-line
 * options, file-level options, editables, URLs and paths; then the errors,
 * each naming file:line, cycles, the depth cap and the file-count cap.
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

#include "core/error.h"
#include "core/limits.h"
#include "req/reqfile.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H64U "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sp-reqfile-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* Writes dir/name with text; returns the path (static buffer per call site). */
static const char *put(const char *name, const char *text)
{
	static char paths[8][512];
	static int k;
	char *path = paths[k++ % 8];
	FILE *f;
	char *slash;

	snprintf(path, 512, "%s/%s", dir, name);
	for (slash = path + strlen(dir) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(text, 1, strlen(text), f);
	fclose(f);
	return path;
}

static const char *fake_env(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "TOKEN"))
		return "s3cr3t";
	if (!strcmp(name, "EMPTY"))
		return "";
	if (!strcmp(name, "VER"))
		return "2.0";
	if (!strcmp(name, "SELF"))
		return "x${VER}";
	if (!strcmp(name, "BIG"))
		return "0123456789012345678901234567890123456789012345678901234567890123";
	return NULL;
}

static void open_rf(struct sp_reqfile *rf)
{
	sp_reqfile_init(rf);
	rf->getenv = fake_env;
}

/* Parses text as file "name" in dir; expects success. */
static void parse_ok(struct sp_reqfile *rf, const char *name, const char *text)
{
	struct sp_diag d;
	const char *path = put(name, text);

	sp_diag_clear(&d);
	if (sp_reqfile_read(rf, path, false, &d))
		fail_msg("%s: %s", name, d.msg);
}

/* Parses text; expects err with "file:line" and msg in the message. */
static void parse_fails(const char *text, int err, unsigned line, const char *msg)
{
	struct sp_reqfile rf;
	struct sp_diag d;
	const char *path = put("bad.txt", text);
	char where[600];
	int got;

	open_rf(&rf);
	sp_diag_clear(&d);
	got = sp_reqfile_read(&rf, path, false, &d);
	snprintf(where, sizeof(where), "%s:%u", path, line);
	if (got != err || !strstr(d.msg, msg) ||
	    (line && (!strstr(d.msg, where) || d.line != line)))
		fail_msg("'%s': got %d '%s' (line %u), expected %d '%s' at line %u", text, got,
			 d.msg, d.line, err, msg, line);
	sp_reqfile_release(&rf);
}

static void test_basic(void **state)
{
	struct sp_reqfile rf;
	const struct sp_reqfile_entry *e;

	(void)state;
	open_rf(&rf);
	parse_ok(&rf, "basic.txt",
		 "# a comment\n"
		 "\n"
		 "requests>=2.0  # trailing comment\n"
		 "Django==4.2 ; python_version >= '3.8'\n"
		 "  \tsix\t\n"
		 "flask \\\n"
		 "   [async] \\\n"
		 "   >=2.0\n"
		 "numpy==1.26.0 \\\n"
		 "    --hash=sha256:" H64 " \\\n"
		 "    --hash sha512:" H64 H64 "\n"
		 "pkg==1.0 --hash=sha256:" H64U "\n"
		 "foo==${VER} # from the environment\n"
		 "bar @ https://user:${TOKEN}@example.com/bar-1.0.tar.gz\n"
		 "baz @ https://e.com/${UNSET}/${EMPTY}.whl\n"
		 "qux --config-settings=a=1 -C b=2 --global-option=--x --install-option='--y z'\n"
		 "cont \\\n"
		 "# comment ends the join\n"
		 "last \\");
	assert_int_equal(rf.nentries, 12);
	e = &rf.entries[0];
	assert_int_equal(e->kind, SP_REQFILE_NAMED);
	assert_string_equal(e->req->key, "requests");
	assert_int_equal(e->origin.line, 3);
	assert_non_null(strstr(e->origin.file, "basic.txt"));
	e = &rf.entries[1];
	assert_string_equal(e->name, "Django");
	assert_non_null(e->req->marker);
	assert_non_null(e->marker);
	assert_string_equal(rf.entries[2].name, "six");
	e = &rf.entries[3];
	assert_string_equal(e->req->name, "flask");
	assert_int_equal(e->req->nextras, 1);
	assert_int_equal(e->origin.line, 6);
	e = &rf.entries[4];
	assert_int_equal(e->nhashes, 2);
	assert_string_equal(e->hashes[0].algo, "sha256");
	assert_string_equal(e->hashes[0].hex, H64);
	assert_string_equal(e->hashes[1].algo, "sha512");
	assert_int_equal(e->origin.line, 9);
	assert_string_equal(rf.entries[5].hashes[0].hex, H64); /* lower-cased */
	assert_true(rf.opts.require_hashes);
	assert_string_equal(rf.entries[6].text, "foo==2.0");
	e = &rf.entries[7];
	assert_string_equal(e->req->url, "https://user:s3cr3t@example.com/bar-1.0.tar.gz");
	assert_string_equal(rf.entries[8].req->url, "https://e.com/${UNSET}/${EMPTY}.whl");
	e = &rf.entries[9];
	assert_string_equal(e->name, "qux");
	assert_int_equal(e->nconfig_settings, 2);
	assert_string_equal(e->config_settings[0], "a=1");
	assert_string_equal(e->config_settings[1], "b=2");
	assert_int_equal(e->nglobal_options, 1);
	assert_string_equal(e->global_options[0], "--x");
	assert_int_equal(e->ninstall_options, 1);
	assert_string_equal(e->install_options[0], "--y z");
	assert_string_equal(rf.entries[10].name, "cont");
	assert_int_equal(rf.entries[10].origin.line, 17);
	assert_string_equal(rf.entries[11].name, "last");
	assert_int_equal(rf.entries[11].origin.line, 19);
	sp_reqfile_release(&rf);
}

static void test_idna_comment(void **state)
{
	struct sp_reqfile rf;

	(void)state;
	/* "#" not after whitespace is not a comment: pip then fails on the name. */
	parse_fails("idna#x\n", SP_EPARSE, 1, "invalid requirement");
	open_rf(&rf);
	parse_ok(&rf, "c.txt", "a  #x\n\t# y\nb\t#z\n");
	assert_int_equal(rf.nentries, 2);
	assert_string_equal(rf.entries[1].name, "b");
	assert_int_equal(rf.entries[1].origin.line, 3);
	sp_reqfile_release(&rf);
}

static void test_continuation(void **state)
{
	struct sp_reqfile rf;

	(void)state;
	open_rf(&rf);
	/* All backslashes at either end of a continued line go, as in pip. */
	parse_ok(&rf, "cont.txt", "foo\\\\\n>=1.0\r\n\\bar\\\r\n==2\rbaz \\\n\nqux\n");
	assert_int_equal(rf.nentries, 4);
	assert_string_equal(rf.entries[0].text, "foo>=1.0");
	assert_int_equal(rf.entries[0].origin.line, 1);
	assert_string_equal(rf.entries[1].text, "bar==2");
	assert_int_equal(rf.entries[1].origin.line, 3);
	assert_string_equal(rf.entries[2].text, "baz");
	assert_int_equal(rf.entries[3].origin.line, 7);
	sp_reqfile_release(&rf);
}

static void test_env(void **state)
{
	struct sp_reqfile rf;

	(void)state;
	open_rf(&rf);
	/* Lower-case names, $VAR and ${} are not references; values are replaced as pip
	 * replaces them, in order (SELF's value holds ${VER}, replaced after it). */
	parse_ok(&rf, "env.txt",
		 "a==${VER}.${VER}\nb @ https://e.com/${lower}/$VER/${}/x.whl\n"
		 "c @ https://e.com/${SELF}${VER}.whl\n");
	assert_string_equal(rf.entries[0].text, "a==2.0.2.0");
	assert_string_equal(rf.entries[1].req->url, "https://e.com/${lower}/$VER/${}/x.whl");
	assert_string_equal(rf.entries[2].req->url, "https://e.com/x2.02.0.whl");
	sp_reqfile_release(&rf);
}

static void test_options(void **state)
{
	struct sp_reqfile rf;
	const struct sp_reqfile_opts *o;

	(void)state;
	open_rf(&rf);
	parse_ok(&rf, "opts.txt",
		 "-i https://a.example/simple\n"
		 "--index-url=https://b.example/simple\n"
		 "--extra-index-url https://c.example/simple\n"
		 "--extra https://d.example/simple\n"
		 "-f ./wheels --find-links=https://e.example/links\n"
		 "--no-index --pre --prefer-binary\n"
		 "--only-binary :all: --no-binary=foo,bar\n"
		 "--trusted-host e.example\n"
		 "--use-feature=truststore\n"
		 "--require-hashes\n"
		 "-ihttps://last.example/simple\n");
	o = &rf.opts;
	assert_string_equal(o->index_url, "https://last.example/simple");
	assert_int_equal(o->index_url_origin.line, 11);
	assert_int_equal(o->nextra_index_urls, 2);
	assert_string_equal(o->extra_index_urls[1].value, "https://d.example/simple");
	assert_int_equal(o->extra_index_urls[1].origin.line, 4);
	assert_int_equal(o->nfind_links, 2);
	assert_string_equal(o->find_links[0].value, "./wheels");
	assert_true(o->no_index && o->pre && o->prefer_binary && o->require_hashes);
	assert_int_equal(o->nformats, 2);
	assert_true(o->formats[0].only_binary);
	assert_string_equal(o->formats[0].value, ":all:");
	assert_false(o->formats[1].only_binary);
	assert_string_equal(o->formats[1].value, "foo,bar");
	assert_int_equal(o->ntrusted_hosts, 1);
	assert_int_equal(o->nfeatures, 1);
	assert_int_equal(rf.nentries, 0);
	sp_reqfile_release(&rf);
}

static void test_kinds(void **state)
{
	struct sp_reqfile rf;
	const struct sp_reqfile_entry *e;

	(void)state;
	open_rf(&rf);
	parse_ok(&rf, "kinds.txt",
		 "https://e.com/pkg-1.0-py3-none-any.whl\n"
		 "https://e.com/x.tar.gz#egg=xpkg; python_version >= '3'\n"
		 "git+https://github.com/o/r.git@v1#egg=repo\n"
		 "./dist/foo-2.0-py3-none-any.whl\n"
		 "./local/dir[extra1, Extra_2] ; os_name == 'posix'\n"
		 "dist/bar-1.0.tar.gz\n"
		 "name @ https://e.com/n-1.0.zip\n"
		 "-e ./src/project[dev]\n"
		 "--editable git+https://github.com/o/e.git#egg=edit\n");
	assert_int_equal(rf.nentries, 9);
	e = &rf.entries[0];
	assert_int_equal(e->kind, SP_REQFILE_URL);
	assert_string_equal(e->name, "pkg");
	assert_string_equal(e->version, "1.0");
	e = &rf.entries[1];
	assert_int_equal(e->kind, SP_REQFILE_URL);
	assert_string_equal(e->location, "https://e.com/x.tar.gz#egg=xpkg");
	assert_string_equal(e->name, "xpkg");
	assert_non_null(e->marker);
	e = &rf.entries[2];
	assert_int_equal(e->kind, SP_REQFILE_URL);
	assert_string_equal(e->name, "repo");
	e = &rf.entries[3];
	assert_int_equal(e->kind, SP_REQFILE_PATH);
	assert_string_equal(e->location, "./dist/foo-2.0-py3-none-any.whl");
	assert_string_equal(e->name, "foo");
	e = &rf.entries[4];
	assert_int_equal(e->kind, SP_REQFILE_PATH);
	assert_string_equal(e->location, "./local/dir");
	assert_int_equal(e->nextras, 2);
	assert_string_equal(e->extras[1], "extra-2");
	assert_non_null(e->marker);
	assert_null(e->name);
	e = &rf.entries[5];
	assert_int_equal(e->kind, SP_REQFILE_PATH);
	e = &rf.entries[6];
	assert_int_equal(e->kind, SP_REQFILE_NAMED);
	assert_string_equal(e->req->url, "https://e.com/n-1.0.zip");
	e = &rf.entries[7];
	assert_int_equal(e->kind, SP_REQFILE_EDITABLE);
	assert_string_equal(e->location, "./src/project");
	assert_int_equal(e->nextras, 1);
	e = &rf.entries[8];
	assert_int_equal(e->kind, SP_REQFILE_EDITABLE);
	assert_string_equal(e->name, "edit");
	sp_reqfile_release(&rf);
}

static void test_includes(void **state)
{
	struct sp_reqfile rf;
	const char *top;
	struct sp_diag d;
	size_t i;

	(void)state;
	put("inc/sub/base.txt", "six\n-c ../constraints.txt\n");
	put("inc/constraints.txt", "# pins\nsix==1.16.0\n-r more.txt\n");
	put("inc/more.txt", "idna\n");
	top = put("inc/top.txt", "requests\n-r sub/base.txt\n--requirement=sub/base.txt\nlast\n");
	open_rf(&rf);
	sp_diag_clear(&d);
	assert_int_equal(sp_reqfile_read(&rf, top, false, &d), 0);
	/* requests, six, six==1.16.0 (c), idna (a -r in a -c file is not a constraint), x2, last */
	assert_int_equal(rf.nentries, 8);
	assert_string_equal(rf.entries[0].name, "requests");
	assert_string_equal(rf.entries[1].name, "six");
	assert_false(rf.entries[1].constraint);
	assert_non_null(strstr(rf.entries[1].origin.file, "inc/sub/base.txt"));
	assert_true(rf.entries[2].constraint);
	assert_int_equal(rf.entries[2].origin.line, 2);
	assert_non_null(strstr(rf.entries[2].origin.file, "inc/sub/../constraints.txt"));
	assert_string_equal(rf.entries[3].name, "idna");
	assert_false(rf.entries[3].constraint);
	assert_string_equal(rf.entries[7].name, "last");
	for (i = 0; i < rf.nentries; i++)
		assert_non_null(rf.entries[i].origin.file);
	/* A second top-level file adds to the same set. */
	assert_int_equal(sp_reqfile_read(&rf, put("inc/extra.txt", "extra\n"), true, &d), 0);
	assert_int_equal(rf.nentries, 9);
	assert_true(rf.entries[8].constraint);
	sp_reqfile_release(&rf);
}

static void test_cycles_and_caps(void **state)
{
	struct sp_reqfile rf;
	struct sp_diag d;
	char name[512], text[64];
	const char *top;
	int i;

	(void)state;
	put("cyc/a.txt", "x\n-r b.txt\n");
	top = put("cyc/b.txt", "y\n\n-r ./a.txt\n");
	open_rf(&rf);
	sp_diag_clear(&d);
	assert_int_equal(sp_reqfile_read(&rf, top, false, &d), SP_EPARSE);
	assert_non_null(strstr(d.msg, "includes itself"));
	assert_non_null(strstr(d.msg, "a.txt:2"));
	assert_non_null(strstr(d.file, "a.txt"));
	assert_int_equal(d.line, 2);
	sp_reqfile_release(&rf);

	/* The same file twice, not nested, is fine (pip reads it twice). */
	open_rf(&rf);
	put("cyc/a2.txt", "z\n");
	parse_ok(&rf, "cyc/twice.txt", "-r a2.txt\n-r a2.txt\n");
	assert_int_equal(rf.nentries, 2);
	sp_reqfile_release(&rf);

	/* A chain as deep as allowed reads; one more level is refused. */
	for (i = 0; i <= SP_MAX_REQFILE_DEPTH + 1; i++) {
		snprintf(name, sizeof(name), "deep/%d.txt", i);
		snprintf(text, sizeof(text), "p%d\n-r %d.txt\n", i, i + 1);
		put(name, text);
	}
	snprintf(name, sizeof(name), "deep/%d.txt", SP_MAX_REQFILE_DEPTH);
	put(name, "end\n");
	open_rf(&rf);
	snprintf(name, sizeof(name), "%s/deep/0.txt", dir);
	assert_int_equal(sp_reqfile_read(&rf, name, false, &d), 0);
	assert_int_equal(rf.nentries, SP_MAX_REQFILE_DEPTH + 1);
	sp_reqfile_release(&rf);
	snprintf(name, sizeof(name), "deep/%d.txt", SP_MAX_REQFILE_DEPTH);
	snprintf(text, sizeof(text), "-r %d.txt\n", SP_MAX_REQFILE_DEPTH + 1);
	put(name, text);
	open_rf(&rf);
	snprintf(name, sizeof(name), "%s/deep/0.txt", dir);
	sp_diag_clear(&d);
	assert_int_equal(sp_reqfile_read(&rf, name, false, &d), SP_ELIMIT);
	assert_non_null(strstr(d.msg, "SP_MAX_REQFILE_DEPTH"));
	sp_reqfile_release(&rf);

	/* Diamonds: 2^12 reads of one file pass the file-count cap. */
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "wide/%d.txt", i);
		snprintf(text, sizeof(text), "-r %d.txt\n-r %d.txt\n", i + 1, i + 1);
		put(name, text);
	}
	put("wide/12.txt", "x\n");
	open_rf(&rf);
	snprintf(name, sizeof(name), "%s/wide/0.txt", dir);
	sp_diag_clear(&d);
	assert_int_equal(sp_reqfile_read(&rf, name, false, &d), SP_ELIMIT);
	assert_non_null(strstr(d.msg, "SP_MAX_REQFILE_FILES"));
	sp_reqfile_release(&rf);

	/* A missing include names the including line. */
	open_rf(&rf);
	sp_diag_clear(&d);
	top = put("missing.txt", "a\n-r nowhere.txt\n");
	assert_int_equal(sp_reqfile_read(&rf, top, false, &d), SP_ENOENT);
	assert_non_null(strstr(d.msg, "nowhere.txt"));
	assert_non_null(strstr(d.msg, "missing.txt:2"));
	sp_reqfile_release(&rf);
}

static void test_errors(void **state)
{
	(void)state;
	parse_fails("ok\n--frobnicate\n", SP_EPARSE, 2, "unknown option '--frobnicate'");
	parse_fails("-x foo\n", SP_EPARSE, 1, "unknown option '-x'");
	parse_fails("--no\n", SP_EPARSE, 1, "ambiguous option '--no'");
	parse_fails("--pre=1\n", SP_EPARSE, 1, "takes no value");
	parse_fails("-r\n", SP_EPARSE, 1, "needs a value");
	parse_fails("a\nb\nfoo --index-url x\n", SP_EPARSE, 3, "cannot follow a requirement");
	parse_fails("foo -r other.txt\n", SP_EPARSE, 1, "cannot follow a requirement");
	parse_fails("--hash=sha256:" H64 "\n", SP_EPARSE, 1, "needs a requirement");
	parse_fails("foo --hash=md5:abc\n", SP_EPARSE, 1, "sha256, sha384 or sha512");
	parse_fails("foo --hash=sha256:abc\n", SP_EPARSE, 1, "64 hex digits");
	parse_fails("foo --hash=sha256\n", SP_EPARSE, 1, "ALGO:HEX");
	parse_fails("foo --config-settings=nokey\n", SP_EPARSE, 1, "KEY=VALUE");
	parse_fails("foo --hash sha256:" H64 " extra\n", SP_EPARSE, 1, "unexpected argument");
	parse_fails("foo --global-option='unclosed\n", SP_EPARSE, 1, "no closing quotation");
	parse_fails("-r a.txt -r b.txt\n", SP_EPARSE, 1, "alone on its line");
	parse_fails("-r a.txt --pre\n", SP_EPARSE, 1, "alone on its line");
	parse_fails("-r https://e.com/r.txt\n", SP_EUNSUPPORTED, 1, "from URL");
	parse_fails("-e . -e ..\n", SP_EPARSE, 1, "more than one -e");
	parse_fails("-e . --hash=sha256:" H64 "\n", SP_EPARSE, 1, "cannot follow -e");
	parse_fails("--use-feature=magic\n", SP_EPARSE, 1, "unknown --use-feature");
	parse_fails("--no-binary --pre\n", SP_EPARSE, 1, "needs a value");
	parse_fails("a\n\nfoo=1.0\n", SP_EPARSE, 3, "use '=='");
	parse_fails("foo>=1.0; bogus == '1'\n", SP_EPARSE, 1, "invalid marker");
	parse_fails("ok\nb\xff\n", SP_EPARSE, 2, "invalid UTF-8");
}

static void test_nul_and_encoding(void **state)
{
	struct sp_reqfile rf;
	struct sp_diag d;

	(void)state;
	open_rf(&rf);
	sp_diag_clear(&d);
	assert_int_equal(sp_reqfile_parse(&rf, "mem.txt", "ok\n\nb\0c\n", 8, false, &d), SP_EPARSE);
	assert_non_null(strstr(d.msg, "NUL byte at mem.txt:3"));
	sp_diag_clear(&d);
	assert_int_equal(sp_reqfile_parse(&rf, "u16.txt",
					  "\xff\xfe"
					  "a\0",
					  4, false, &d),
			 SP_EUNSUPPORTED);
	sp_reqfile_release(&rf);
	open_rf(&rf);
	assert_int_equal(sp_reqfile_parse(&rf, "bom.txt",
					  "\xef\xbb\xbf"
					  "a\xe2\x80\xa8"
					  "b\n",
					  9, false, NULL),
			 0);
	assert_int_equal(rf.nentries, 2); /* U+2028 splits lines, as str.splitlines() does */
	assert_int_equal(rf.entries[1].origin.line, 2);
	sp_reqfile_release(&rf);
}

static void test_constraints(void **state)
{
	struct sp_reqfile rf;
	struct sp_diag d;
	const char *path;

	(void)state;
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"-e ./src\n", "editable requirement cannot be a constraint"},
		{"foo[bar]==1\n", "cannot have extras"},
		{"./local/dir\n", "needs a project name"},
		{"https://e.com/x.tar.gz\n", "needs a project name"},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		open_rf(&rf);
		sp_diag_clear(&d);
		path = put("cons.txt", bad[i].text);
		assert_int_equal(sp_reqfile_read(&rf, path, true, &d), SP_EPARSE);
		if (!strstr(d.msg, bad[i].msg) || !strstr(d.msg, "cons.txt:1"))
			fail_msg("'%s': '%s'", bad[i].text, d.msg);
		sp_reqfile_release(&rf);
	}
	open_rf(&rf);
	path = put("cons.txt", "foo==1.0\nhttps://e.com/pkg-1.0-py3-none-any.whl\nbar @ "
			       "https://e.com/b.zip\n");
	assert_int_equal(sp_reqfile_read(&rf, path, true, NULL), 0);
	assert_int_equal(rf.nentries, 3);
	sp_reqfile_release(&rf);
}

static void test_limits(void **state)
{
	struct sp_reqfile rf;
	struct sp_diag d;
	char *big = malloc(SP_MAX_REQFILE_LINE + 16);

	(void)state;
	memset(big, 'a', SP_MAX_REQFILE_LINE + 8);
	big[SP_MAX_REQFILE_LINE + 8] = '\0';
	open_rf(&rf);
	sp_diag_clear(&d);
	assert_int_equal(sp_reqfile_parse(&rf, "long.txt", big, strlen(big), false, &d), SP_ELIMIT);
	assert_non_null(strstr(d.msg, "SP_MAX_REQFILE_LINE at long.txt:1"));
	sp_reqfile_release(&rf);
	open_rf(&rf);
	sp_diag_clear(&d);
	assert_int_equal(
		sp_reqfile_parse(&rf, "huge.txt", big, SP_MAX_REQFILE_BYTES + 1, false, &d),
		SP_ELIMIT);
	sp_reqfile_release(&rf);
	/* ${VAR} expansion is capped too: 20000 x 64 bytes is over a MiB. */
	{
		size_t i, n = (size_t)snprintf(big, 16, "a @ https://e/");

		for (i = 0; i < 20000; i++)
			n += (size_t)snprintf(big + n, 8, "${BIG}");
		open_rf(&rf);
		sp_diag_clear(&d);
		assert_int_equal(sp_reqfile_parse(&rf, "env.txt", big, n, false, &d), SP_ELIMIT);
		assert_non_null(strstr(d.msg, "after expanding"));
		sp_reqfile_release(&rf);
	}
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),	     cmocka_unit_test(test_idna_comment),
		cmocka_unit_test(test_continuation), cmocka_unit_test(test_env),
		cmocka_unit_test(test_options),	     cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_includes),     cmocka_unit_test(test_cycles_and_caps),
		cmocka_unit_test(test_errors),	     cmocka_unit_test(test_nul_and_encoding),
		cmocka_unit_test(test_constraints),  cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
