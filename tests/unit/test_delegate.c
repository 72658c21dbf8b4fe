/*
 * The delegate: lock file text and wheelhouse, the installer's argv and
 * scrubbed environment, venv discovery and the refusals, the target probe
 * against real virtual environments (made with `python3 -m venv
 * --without-pip` in a temp dir), the installed-set reader, and the child
 * process runner.
 *
 * The same program is also the driver of tests/e2e/run-delegate.sh (the
 * resolver that will feed the delegate does not exist yet):
 *   test_delegate --driver install [--python P] [--allow-root] [--allow-system]
 *                 [--create-venv] [--fwd OPT]... [--build] NAME==VERSION=PATH[#SHA]...
 *   test_delegate --driver prepare ITEM...          prints the lock directory
 *   test_delegate --driver run --python P --dir D [--fwd OPT]...
 * Exit status: the installer's, or 3 with a message when safepip refused.
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

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/digest.h"
#include "core/xalloc.h"
#include "delegate/lock.h"
#include "delegate/proc.h"
#include "delegate/run.h"
#include "delegate/target.h"
#include "delegate/venv.h"

/* --- helpers --- */

static char *tmp_dir(void)
{
	char *t = xstrdup("/tmp/sp-delegate-test-XXXXXX");

	assert_non_null(mkdtemp(t));
	return t;
}

static void rm_rf(const char *dir)
{
	struct sp_proc_status st;
	char *argv[] = {"/bin/rm", "-rf", "--", (char *)dir, NULL};

	assert_int_equal(sp_proc_run(argv, NULL, &st, NULL), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sha_hex(const char *text, char hex[SP_SHA256_HEX])
{
	unsigned char d[SP_SHA256_LEN];

	sp_sha256(text, strlen(text), d);
	sp_hex(d, sizeof(d), hex);
}

static bool exists(const char *p)
{
	struct stat sb;

	return lstat(p, &sb) == 0;
}

/* A real venv without pip (fast), made once per test that needs it. */
static char *make_venv(const char *dir)
{
	struct sp_diag d;
	char *venv = xasprintf("%s/venv", dir);

	sp_diag_clear(&d);
	if (sp_venv_create(venv, NULL, false, &d) != 0)
		fail_msg("cannot make a venv: %s", d.msg);
	return venv;
}

/* --- lock file text --- */

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"

#define HDR                                                                               \
	"# Written by safepip: the files it scanned, pinned by sha256.\n"                  \
	"# The installer reads them from the wheelhouse next to this file only.\n"

struct lock_case {
	const char *what;
	struct sp_lock_item items[4];
	size_t n;
	int err;
	const char *want;
};

static const struct lock_case lock_cases[] = {
	{"one wheel", {{"alpha", "1.0", "alpha-1.0-py3-none-any.whl", "/s/a", H1}}, 1, 0,
	 HDR "alpha==1.0 --hash=sha256:" H1 "\n"},
	{"wheel and sdist of one pin share a line",
	 {{"Alpha", "1.0", "alpha-1.0.tar.gz", "/s/b", H2},
	  {"alpha", "1.0", "alpha-1.0-py3-none-any.whl", "/s/a", H1}},
	 2, 0, HDR "alpha==1.0 --hash=sha256:" H1 " --hash=sha256:" H2 "\n"},
	{"sorted by normalised name, spellings grouped",
	 {{"Zeta_Pkg", "2", "zeta_pkg-2-py3-none-any.whl", "/s/z", H1},
	  {"beta", "3.0.post1", "beta-3.0.post1.tar.gz", "/s/b", H2},
	  {"zeta.pkg", "2", "zeta_pkg-2.tar.gz", "/s/z2", H3}},
	 3, 0,
	 HDR "beta==3.0.post1 --hash=sha256:" H2 "\n"
	     "Zeta_Pkg==2 --hash=sha256:" H1 " --hash=sha256:" H3 "\n"},
	{"same file twice gives one hash",
	 {{"a", "1", "a-1-py3-none-any.whl", "/s/a", H1},
	  {"a", "1", "a-1-py3-none-any.whl", "/s/a", H1}},
	 2, 0, HDR "a==1 --hash=sha256:" H1 "\n"},
	{"two versions of one project", {{"a", "1", "a-1.tar.gz", "/s", H1},
	  {"A", "2", "a-2.tar.gz", "/s", H2}}, 2, SP_EINVAL, NULL},
	{"build requirement of another version is a comment",
	 {{"setuptools", "68.0", "setuptools-68.0-py3-none-any.whl", "/s", H1},
	  {"setuptools", "69.1", "setuptools-69.1-py3-none-any.whl", "/s", H2, true},
	  {"flit_core", "3.9", "flit_core-3.9-py3-none-any.whl", "/s", H3, true}},
	 3, 0,
	 HDR "# build requirement: flit_core==3.9 --hash=sha256:" H3 "\n"
	     "setuptools==68.0 --hash=sha256:" H1 "\n"
	     "# build requirement: setuptools==69.1 --hash=sha256:" H2 "\n"},
	{"build requirement of the pinned version joins the pin",
	 {{"wheel", "0.42", "wheel-0.42-py3-none-any.whl", "/s", H1, true},
	  {"wheel", "0.42", "wheel-0.42.tar.gz", "/s", H2}},
	 2, 0, HDR "wheel==0.42 --hash=sha256:" H2 " --hash=sha256:" H1 "\n"},
	{"epoch and local version", {{"x", "1!2.0+local.7", "x-1!2.0+local.7.tar.gz", "/s", H1}},
	 1, 0, HDR "x==1!2.0+local.7 --hash=sha256:" H1 "\n"},
	{"name with a space", {{"a b", "1", "a-1.tar.gz", "/s", H1}}, 1, SP_EINVAL, NULL},
	{"name that is an option", {{"--index-url", "1", "a-1.tar.gz", "/s", H1}}, 1, SP_EINVAL,
	 NULL},
	{"version smuggling an option",
	 {{"a", "1 --index-url=http://evil/", "a-1.tar.gz", "/s", H1}}, 1, SP_EINVAL, NULL},
	{"version with a newline", {{"a", "1\n--find-links=/x", "a-1.tar.gz", "/s", H1}}, 1,
	 SP_EINVAL, NULL},
	{"marker in a version", {{"a", "1;python_version<'4'", "a-1.tar.gz", "/s", H1}}, 1,
	 SP_EINVAL, NULL},
	{"upper-case hash", {{"a", "1", "a-1.tar.gz", "/s",
	  "ABCDEF1111111111111111111111111111111111111111111111111111111111"}}, 1, SP_EINVAL,
	 NULL},
	{"short hash", {{"a", "1", "a-1.tar.gz", "/s", "abc"}}, 1, SP_EINVAL, NULL},
	{"no hash", {{"a", "1", "a-1.tar.gz", "/s", NULL}}, 1, SP_EINVAL, NULL},
	{"file name with a directory", {{"a", "1", "../a-1.tar.gz", "/s", H1}}, 1, SP_EINVAL,
	 NULL},
	{"hidden file name", {{"a", "1", ".a-1.whl", "/s", H1}}, 1, SP_EINVAL, NULL},
	{"file name without an archive suffix", {{"a", "1", "a-1.exe", "/s", H1}}, 1,
	 SP_EINVAL, NULL},
	{"nothing to pin", {{NULL}}, 0, 0, HDR},
};

static void test_lock_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lock_cases) / sizeof(lock_cases[0]); i++) {
		const struct lock_case *c = &lock_cases[i];
		struct sp_buf out;
		struct sp_diag d;
		int ret;

		sp_buf_init(&out, 1 << 20);
		sp_diag_clear(&d);
		ret = sp_lock_format(c->items, c->n, &out, &d);
		if (ret != c->err)
			fail_msg("%s: got %d (%s), want %d", c->what, ret, d.msg, c->err);
		if (c->want && strcmp(out.data, c->want) != 0)
			fail_msg("%s: got\n%s\nwant\n%s", c->what, out.data, c->want);
		if (c->err)
			assert_true(d.msg[0] != '\0');
		sp_buf_release(&out);
	}
}

/* --- wheelhouse --- */

static void test_lock_prepare(void **state)
{
	char ha[SP_SHA256_HEX], hb[SP_SHA256_HEX], *dir = tmp_dir(), *pa, *pb, *p;
	struct sp_lock_item items[2];
	struct sp_lock l;
	struct sp_diag d;
	struct sp_buf want;
	struct stat sa, sw;
	int ret;

	(void)state;
	pa = xasprintf("%s/store-a", dir);
	pb = xasprintf("%s/store-b", dir);
	write_file(pa, "wheel bytes of alpha");
	write_file(pb, "sdist bytes of beta");
	sha_hex("wheel bytes of alpha", ha);
	sha_hex("sdist bytes of beta", hb);
	items[0] = (struct sp_lock_item){"alpha", "1.0", "alpha-1.0-py3-none-any.whl", pa, ha};
	items[1] = (struct sp_lock_item){"beta", "2.0", "beta-2.0.tar.gz", pb, hb};
	sp_diag_clear(&d);
	ret = sp_lock_prepare(&l, items, 2, dir, &d);
	if (ret)
		fail_msg("prepare: %s", d.msg);
	assert_int_equal(l.n_linked, 2); /* same file system: hard links */
	p = xasprintf("%s/alpha-1.0-py3-none-any.whl", l.wheelhouse);
	assert_int_equal(stat(p, &sw), 0);
	assert_int_equal(stat(pa, &sa), 0);
	assert_true(sa.st_ino == sw.st_ino);
	free(p);
	/* The lock file is exactly the formatted text. */
	sp_buf_init(&want, 1 << 20);
	assert_int_equal(sp_lock_format(items, 2, &want, NULL), 0);
	{
		FILE *f = fopen(l.lock_path, "rb");
		char got[4096] = {0};

		assert_non_null(f);
		assert_true(fread(got, 1, sizeof(got) - 1, f) > 0);
		fclose(f);
		assert_string_equal(got, want.data);
	}
	sp_buf_release(&want);
	p = xstrdup(l.dir);
	sp_lock_remove(&l);
	assert_false(exists(p));
	free(p);

	/* A store file that changed since its scan: refused, nothing left behind. */
	write_file(pb, "sdist bytes of beta, changed");
	sp_diag_clear(&d);
	assert_int_equal(sp_lock_prepare(&l, items, 2, dir, &d), SP_EHASH);
	assert_non_null(strstr(d.msg, "beta-2.0.tar.gz"));
	assert_null(l.dir);
	{
		struct sp_proc_status st;
		struct sp_buf out;
		char *argv[] = {"/bin/ls", "-A", dir, NULL};

		sp_buf_init(&out, 4096);
		assert_int_equal(sp_proc_run(argv, &(struct sp_proc_opts){.out = &out}, &st, NULL),
				 0);
		assert_string_equal(out.data, "store-a\nstore-b\n");
		sp_buf_release(&out);
	}
	/* A store path that is a link is not followed. */
	p = xasprintf("%s/link", dir);
	assert_int_equal(symlink(pa, p), 0);
	items[0].path = p;
	assert_int_equal(sp_lock_prepare(&l, items, 1, dir, &d), SP_ENOENT);
	free(p);
	rm_rf(dir);
	free(pa);
	free(pb);
	free(dir);
}

/* The store on another file system: copies, still verified. */
static void test_lock_prepare_copy(void **state)
{
	char h[SP_SHA256_HEX], *dir = tmp_dir(), *pa;
	struct sp_lock_item item;
	struct stat s1, s2;
	struct sp_lock l;
	struct sp_diag d;

	(void)state;
	if (stat("/dev/shm", &s1) != 0 || stat(dir, &s2) != 0 || s1.st_dev == s2.st_dev) {
		rm_rf(dir);
		free(dir);
		skip();
	}
	pa = xasprintf("%s/store", dir);
	write_file(pa, "bytes");
	sha_hex("bytes", h);
	item = (struct sp_lock_item){"a", "1", "a-1-py3-none-any.whl", pa, h};
	sp_diag_clear(&d);
	if (sp_lock_prepare(&l, &item, 1, "/dev/shm", &d))
		fail_msg("%s", d.msg);
	assert_int_equal(l.n_copied, 1);
	assert_int_equal(l.n_linked, 0);
	sp_lock_remove(&l);
	rm_rf(dir);
	free(pa);
	free(dir);
}

/* --- argv and environment --- */

static void assert_strv(char **got, const char *const *want)
{
	size_t i;

	for (i = 0; want[i]; i++) {
		if (!got[i])
			fail_msg("missing '%s' at %zu", want[i], i);
		if (strcmp(got[i], want[i]) != 0)
			fail_msg("at %zu: got '%s', want '%s'", i, got[i], want[i]);
	}
	if (got[i])
		fail_msg("extra '%s' at %zu", got[i], i);
}

static void test_install_argv_pip(void **state)
{
	char *fwd[] = {"-v", "--progress-bar", "off", "--no-color", "--log=/tmp/x.log", NULL};
	struct sp_run_opts o = {.python = "/v/bin/python", .wheelhouse = "/t/wh",
				.lock_path = "/t/req.txt", .forward = fwd};
	static const char *const want[] = {
		"/v/bin/python", "-I", "-m", "pip", "install", "--no-index", "--find-links",
		"/t/wh", "--require-hashes", "--disable-pip-version-check", "--no-input", "-v",
		"--progress-bar", "off", "--no-color", "--log=/tmp/x.log", "-r", "/t/req.txt",
		NULL};
	struct sp_strv argv;

	(void)state;
	assert_int_equal(sp_run_install_argv(&o, &argv, NULL), 0);
	assert_strv(argv.v, want);
	sp_strv_release(&argv);
}

static void test_install_argv_uv(void **state)
{
	char *fwd[] = {"-q", "--color", "never", NULL};
	struct sp_run_opts o = {.installer = SP_INSTALLER_UV, .uv = "/bin/true",
				.python = "/v/bin/python", .wheelhouse = "/t/wh",
				.lock_path = "/t/req.txt", .forward = fwd};
	static const char *const want[] = {
		"/bin/true", "pip", "install", "--offline", "--no-index", "--find-links", "/t/wh",
		"--require-hashes", "-q", "--color", "never", "-r", "/t/req.txt", "--python",
		"/v/bin/python", NULL};
	struct sp_strv argv;
	struct sp_diag d;

	(void)state;
	assert_int_equal(sp_run_install_argv(&o, &argv, NULL), 0);
	assert_strv(argv.v, want);
	sp_strv_release(&argv);
	o.uv = "/nonexistent/uv";
	sp_diag_clear(&d);
	assert_int_equal(sp_run_install_argv(&o, &argv, &d), SP_ENOENT);
	assert_non_null(strstr(d.msg, "/nonexistent/uv"));
	sp_strv_release(&argv);
}

static const struct {
	enum sp_installer who;
	const char *args[4];
	bool ok;
} fwd_cases[] = {
	{SP_INSTALLER_PIP, {"-q"}, true},
	{SP_INSTALLER_PIP, {"-vvv", "--quiet"}, true},
	{SP_INSTALLER_PIP, {"--progress-bar=raw"}, true},
	{SP_INSTALLER_PIP, {"--progress-bar", "on"}, true},
	{SP_INSTALLER_PIP, {"--root-user-action", "ignore"}, true},
	{SP_INSTALLER_PIP, {"--force-reinstall", "-U"}, true},
	{SP_INSTALLER_PIP, {"--progress-bar"}, false},
	{SP_INSTALLER_PIP, {"--progress-bar", "fancy"}, false},
	{SP_INSTALLER_PIP, {"--progress-bar=fancy"}, false},
	{SP_INSTALLER_PIP, {"--index-url", "http://evil/"}, false},
	{SP_INSTALLER_PIP, {"-i", "http://evil/"}, false},
	{SP_INSTALLER_PIP, {"--extra-index-url=http://evil/"}, false},
	{SP_INSTALLER_PIP, {"--find-links", "/evil"}, false},
	{SP_INSTALLER_PIP, {"--trusted-host", "evil"}, false},
	{SP_INSTALLER_PIP, {"--no-deps"}, false},
	{SP_INSTALLER_PIP, {"--user"}, false},
	{SP_INSTALLER_PIP, {"--target", "/x"}, false},
	{SP_INSTALLER_PIP, {"-r", "other.txt"}, false},
	{SP_INSTALLER_PIP, {"--no-build-isolation"}, true},
	{SP_INSTALLER_PIP, {"--break-system-packages"}, false},
	{SP_INSTALLER_PIP, {"--python", "/other"}, false},
	{SP_INSTALLER_PIP, {"--no-progress"}, false},
	{SP_INSTALLER_UV, {"--no-progress", "-v"}, true},
	{SP_INSTALLER_UV, {"--color=always"}, true},
	{SP_INSTALLER_UV, {"--progress-bar", "off"}, false},
	{SP_INSTALLER_UV, {"--index-url", "http://evil/"}, false},
	{SP_INSTALLER_UV, {"--no-verify-hashes"}, false},
};

static void test_forward(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fwd_cases) / sizeof(fwd_cases[0]); i++) {
		struct sp_diag d;
		int ret;

		sp_diag_clear(&d);
		ret = sp_run_check_forward(fwd_cases[i].who, (char *const *)fwd_cases[i].args, &d);
		if ((ret == 0) != fwd_cases[i].ok)
			fail_msg("case %zu (%s): got %d, want %s", i, fwd_cases[i].args[0], ret,
				 fwd_cases[i].ok ? "ok" : "refused");
		if (ret)
			assert_non_null(strstr(d.msg, "cannot pass"));
	}
}

static void test_install_env(void **state)
{
	char *env[] = {
		"HOME=/home/u",
		"PATH=/usr/bin:/bin",
		"PIP_INDEX_URL=http://evil/simple",
		"PIP_EXTRA_INDEX_URL=http://evil/simple",
		"PIP_FIND_LINKS=/evil",
		"PIP_TRUSTED_HOST=evil",
		"PIP_CONFIG_FILE=/home/u/evil.conf",
		"PIP_NO_INDEX=0",
		"PIP_USER=1",
		"PIP_TARGET=/x",
		"PIP_PREFIX=/x",
		"PIP_PYTHON=/usr/bin/python3",
		"PIP_BREAK_SYSTEM_PACKAGES=1",
		"PIP_CONSTRAINT=/c.txt",
		"PIP_REQUIREMENT=/r.txt",
		"PIP_NO_BUILD_ISOLATION=0",
		"PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
		"PIP_VERBOSE=1",
		"PIP_PROGRESS_BAR=off",
		"PIP_DISABLE_PIP_VERSION_CHECK=0",
		"UV_INDEX_URL=http://evil/simple",
		"UV_EXTRA_INDEX_URL=http://evil/simple",
		"UV_FIND_LINKS=/evil",
		"UV_INSECURE_HOST=evil",
		"UV_NO_VERIFY_HASHES=1",
		"UV_CONFIG_FILE=/evil.toml",
		"UV_NO_PROGRESS=1",
		"PIPX_HOME=/p",
		"UVX=1",
		"LANG=C.UTF-8",
		"NO_EQUALS_SIGN",
		NULL};
	static const char *const want[] = {
		"HOME=/home/u", "PATH=/usr/bin:/bin", "PIP_VERBOSE=1", "PIP_PROGRESS_BAR=off",
		"UV_NO_PROGRESS=1", "PIPX_HOME=/p", "UVX=1", "LANG=C.UTF-8",
		"PIP_CONFIG_FILE=/dev/null", "PIP_NO_INDEX=1", "PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_NO_INPUT=1", "UV_NO_CONFIG=1", NULL};
	struct sp_strv out;

	(void)state;
	sp_run_install_env(env, &out);
	assert_strv(out.v, want);
	sp_strv_release(&out);
}

static void test_passthrough_argv(void **state)
{
	char *args[] = {"list", "--format=json", "a b", NULL};
	static const char *const want[] = {"/v/bin/python", "-m", "pip", "list", "--format=json",
					   "a b", NULL};
	struct sp_strv out;

	(void)state;
	sp_run_passthrough_argv("/v/bin/python", 3, args, &out);
	assert_strv(out.v, want);
	sp_strv_release(&out);
}

/* --- processes --- */

static void test_proc(void **state)
{
	struct sp_proc_status st;
	struct sp_buf out, err;
	struct sp_diag d;
	char how[128];
	char *exit3[] = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	char *killed[] = {"/bin/sh", "-c", "kill -9 $$", NULL};
	char *slow[] = {"/bin/sleep", "5", NULL};
	char *loud[] = {"/usr/bin/yes", NULL};
	char *env[] = {"/bin/sh", "-c", "echo \"$ONLY\"; echo \"${PIP_INDEX_URL-unset}\"", NULL};
	char *missing[] = {"/nonexistent/program", NULL};
	char *child_env[] = {"ONLY=this", NULL};

	(void)state;
	sp_buf_init(&out, 1 << 16);
	sp_buf_init(&err, 1 << 16);
	assert_int_equal(sp_proc_run(exit3, &(struct sp_proc_opts){.out = &out, .err = &err},
				     &st, NULL), 0);
	assert_true(st.exited);
	assert_int_equal(st.code, 3);
	assert_int_equal(sp_proc_exit_code(&st), 3);
	assert_string_equal(out.data, "out\n");
	assert_string_equal(err.data, "err\n");
	sp_buf_release(&err);

	assert_int_equal(sp_proc_run(killed, NULL, &st, NULL), 0);
	assert_false(st.exited);
	assert_int_equal(st.signal, 9);
	assert_int_equal(sp_proc_exit_code(&st), 137);
	sp_proc_describe(&st, how, sizeof(how));
	assert_non_null(strstr(how, "signal 9"));

	assert_int_equal(sp_proc_run(slow, &(struct sp_proc_opts){.timeout_ms = 200}, &st, NULL),
			 SP_ETIMEOUT);
	assert_true(st.timed_out);

	sp_buf_reset(&out);
	out.max = 1000;
	assert_int_equal(sp_proc_run(loud, &(struct sp_proc_opts){.out = &out}, &st, NULL),
			 SP_ELIMIT);
	assert_true(out.len <= 1000);
	out.max = 1 << 16;

	sp_buf_reset(&out);
	assert_int_equal(sp_proc_run(env, &(struct sp_proc_opts){.out = &out, .env = child_env},
				     &st, NULL), 0);
	assert_string_equal(out.data, "this\nunset\n");

	sp_diag_clear(&d);
	assert_int_equal(sp_proc_run(missing, NULL, &st, &d), SP_ENOENT);
	assert_non_null(strstr(d.msg, "/nonexistent/program"));
	sp_buf_release(&out);

	{
		char *p = sp_proc_which("sh", "/nonexistent:/bin");

		assert_string_equal(p, "/bin/sh");
		free(p);
		assert_null(sp_proc_which("sh", "/nonexistent"));
		assert_null(sp_proc_which("no-such-program-here", NULL));
	}
}

/* --- venv discovery --- */

static void test_venv(void **state)
{
	char *dir = tmp_dir(), *venv = make_venv(dir), *py, *cfg, *plain;
	struct sp_venv_opts o;
	struct sp_venv v;
	struct sp_diag d;

	(void)state;
	py = xasprintf("%s/bin/python", venv);
	cfg = sp_venv_prefix_of(py);
	assert_string_equal(cfg, venv);
	free(cfg);
	cfg = sp_venv_cfg_get(venv, "include-system-site-packages");
	assert_string_equal(cfg, "false");
	free(cfg);
	assert_null(sp_venv_cfg_get(venv, "no-such-key"));

	/* --python as the venv's directory, and as its interpreter. */
	memset(&o, 0, sizeof(o));
	o.virtual_env = "";
	o.cwd = dir;
	o.python = venv;
	assert_int_equal(sp_venv_find(&o, &v, NULL), 0);
	assert_string_equal(v.python, py);
	assert_true(v.is_venv);
	assert_string_equal(v.prefix, venv);
	assert_int_equal(v.source, SP_VENV_FROM_OPTION);
	sp_venv_release(&v);
	o.python = "venv/bin/python"; /* relative to cwd */
	assert_int_equal(sp_venv_find(&o, &v, NULL), 0);
	assert_string_equal(v.python, py);
	assert_true(v.is_venv);
	sp_venv_release(&v);

	/* $VIRTUAL_ENV. */
	o.python = NULL;
	o.virtual_env = venv;
	assert_int_equal(sp_venv_find(&o, &v, NULL), 0);
	assert_string_equal(v.python, py);
	assert_int_equal(v.source, SP_VENV_FROM_ENV);
	sp_venv_release(&v);

	/* Nothing: a refusal with the command that makes one. */
	o.virtual_env = "";
	sp_diag_clear(&d);
	assert_int_equal(sp_venv_find(&o, &v, &d), SP_ENOENT);
	assert_non_null(strstr(d.msg, SP_VENV_HINT));
	assert_non_null(strstr(d.msg, "--create-venv"));

	/* ./.venv. */
	cfg = xasprintf("%s/.venv", dir);
	assert_int_equal(rename(venv, cfg), 0);
	assert_int_equal(sp_venv_find(&o, &v, NULL), 0);
	assert_int_equal(v.source, SP_VENV_FROM_DOTVENV);
	assert_true(v.is_venv);
	sp_venv_release(&v);
	assert_int_equal(rename(cfg, venv), 0);
	free(cfg);

	/* Outside a venv, when allowed: python3 from PATH, not a venv. */
	o.allow_system = true;
	assert_int_equal(sp_venv_find(&o, &v, NULL), 0);
	assert_int_equal(v.source, SP_VENV_FROM_PATH);
	plain = xstrdup(v.python);
	sp_venv_release(&v);
	o.allow_system = false;

	/* Bad --python values. */
	o.python = "/nonexistent/python";
	sp_diag_clear(&d);
	assert_int_equal(sp_venv_find(&o, &v, &d), SP_ENOENT);
	assert_non_null(strstr(d.msg, "check --python"));
	o.python = dir; /* a directory, not a venv */
	assert_int_equal(sp_venv_find(&o, &v, &d), SP_ENOENT);
	o.python = "no-such-python-anywhere";
	assert_int_equal(sp_venv_find(&o, &v, &d), SP_ENOENT);

	/* The refusals. */
	memset(&o, 0, sizeof(o));
	sp_diag_clear(&d);
	if (geteuid() == 0) {
		assert_int_equal(sp_venv_check(&o, py, true, &d), SP_EUNSUPPORTED);
		assert_non_null(strstr(d.msg, "refusing to install as root"));
		assert_non_null(strstr(d.msg, SP_VENV_HINT));
		o.allow_root = true;
	}
	assert_int_equal(sp_venv_check(&o, py, true, NULL), 0);
	sp_diag_clear(&d);
	assert_int_equal(sp_venv_check(&o, plain, false, &d), SP_EUNSUPPORTED);
	assert_non_null(strstr(d.msg, "outside a virtual environment"));
	assert_non_null(strstr(d.msg, plain));
	o.allow_system = true;
	assert_int_equal(sp_venv_check(&o, plain, false, NULL), 0);

	free(plain);
	free(py);
	rm_rf(dir);
	free(venv);
	free(dir);
}

static void test_venv_create(void **state)
{
	char *dir = tmp_dir(), *dot;
	struct sp_venv_opts o = {.cwd = NULL, .virtual_env = "", .create = true};
	struct sp_venv v;
	struct sp_diag d;

	(void)state;
	o.cwd = dir;
	/* Made with pip, as --create-venv does: slower, so only here. */
	sp_diag_clear(&d);
	if (sp_venv_find(&o, &v, &d) != 0)
		fail_msg("%s", d.msg);
	assert_int_equal(v.source, SP_VENV_CREATED);
	assert_true(v.is_venv);
	dot = xasprintf("%s/.venv/pyvenv.cfg", dir);
	assert_true(exists(dot));
	free(dot);
	sp_venv_release(&v);
	/* A second run finds it instead of making it again. */
	assert_int_equal(sp_venv_find(&o, &v, NULL), 0);
	assert_int_equal(v.source, SP_VENV_FROM_DOTVENV);
	sp_venv_release(&v);
	/* Creation failing is an error that names the directory. */
	sp_diag_clear(&d);
	assert_int_not_equal(sp_venv_create("/proc/no/such/dir", NULL, false, &d), 0);
	assert_non_null(strstr(d.msg, "/proc/no/such/dir"));
	rm_rf(dir);
	free(dir);
}

/* --- the target probe --- */

static void test_target_probe(void **state)
{
	char *dir = tmp_dir(), *venv = make_venv(dir), *py, *cache, *p;
	struct sp_target_opts o;
	struct sp_target t;
	struct sp_diag d;
	const struct sp_dist *dist;
	long any, best;

	(void)state;
	py = xasprintf("%s/bin/python", venv);
	cache = xasprintf("%s/cache", dir);
	memset(&o, 0, sizeof(o));
	o.cache_dir = cache;
	sp_diag_clear(&d);
	if (sp_target_probe(&t, py, &o, &d) != 0)
		fail_msg("%s", d.msg);
	assert_false(t.from_cache);
	assert_true(t.in_venv);
	assert_string_equal(t.prefix, venv);
	assert_string_not_equal(t.base_prefix, venv);
	assert_int_equal(t.n_site_dirs, 1);
	assert_non_null(strstr(t.purelib, venv));
	assert_string_equal(sp_target_marker(&t, "os_name"), "posix");
	assert_string_equal(sp_target_marker(&t, "sys_platform"), "linux");
	assert_string_equal(sp_target_marker(&t, "implementation_name"), "cpython");
	assert_int_equal(strncmp(sp_target_marker(&t, "python_version"), "3.", 2), 0);
	assert_int_equal(strncmp(sp_target_marker(&t, "python_full_version"),
				 sp_target_marker(&t, "python_version"),
				 strlen(sp_target_marker(&t, "python_version"))), 0);
	assert_null(sp_target_marker(&t, "no_such_marker"));
	assert_string_equal(t.tags_source, "builtin"); /* no pip in this venv */
	assert_true(t.n_tags > 10);
	any = sp_target_tag_priority(&t, "py3-none-any");
	best = sp_target_tag_priority(&t, t.tags[0]);
	assert_int_equal(best, 0);
	assert_true(any > 0);
	assert_int_equal(sp_target_tag_priority(&t, "PY3-None-Any"), any);
	assert_int_equal(sp_target_tag_priority(&t, "py3-none-win_amd64"), -1);
	assert_int_equal(sp_target_tag_priority(&t, "cp27-cp27mu-manylinux1_x86_64"), -1);
	assert_int_equal(t.n_installed, 0);
	sp_target_release(&t);

	/* Installed distributions, read again on every probe (the cached facts are not). */
	assert_int_equal(sp_target_probe(&t, py, &o, &d), 0);
	assert_true(t.from_cache);
	p = xasprintf("%s/foo_bar-1.2.dist-info", t.purelib);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/foo_bar-1.2.dist-info/METADATA", t.purelib);
	write_file(p, "Metadata-Version: 2.1\nname: Foo.Bar\nVersion:  1.2 \n\nName: not-this\n");
	free(p);
	p = xasprintf("%s/nometa-3.0.dist-info", t.purelib); /* METADATA lost: the name says it */
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/legacy-0.9-py3.11.egg-info", t.purelib);
	write_file(p, "Metadata-Version: 1.0\nName: legacy\nVersion: 0.9\n");
	free(p);
	p = xasprintf("%s/bad-1.dist-info", t.purelib);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/bad-1.dist-info/METADATA", t.purelib);
	write_file(p, "Name: bad name;rm\nVersion: 1\n");
	free(p);
	assert_int_equal(sp_target_scan_installed(&t, &d), 0);
	assert_int_equal(t.n_installed, 3);
	dist = sp_target_find_installed(&t, "FOO_bar");
	assert_non_null(dist);
	assert_string_equal(dist->name, "Foo.Bar");
	assert_string_equal(dist->key, "foo-bar");
	assert_string_equal(dist->version, "1.2");
	dist = sp_target_find_installed(&t, "nometa");
	assert_non_null(dist);
	assert_string_equal(dist->version, "3.0");
	dist = sp_target_find_installed(&t, "legacy");
	assert_non_null(dist);
	assert_string_equal(dist->version, "0.9");
	assert_null(sp_target_find_installed(&t, "bad"));
	assert_null(sp_target_find_installed(&t, "absent"));
	sp_target_release(&t);

	/* A pip appearing in the venv makes the cached builtin tags stale. */
	assert_int_equal(sp_target_probe(&t, py, &o, &d), 0);
	assert_true(t.from_cache);
	p = xasprintf("%s/pip", t.purelib);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/pip/__init__.py", t.purelib);
	write_file(p, "raise ImportError('not a real pip')\n");
	free(p);
	sp_target_release(&t);
	assert_int_equal(sp_target_probe(&t, py, &o, &d), 0);
	assert_false(t.from_cache);
	assert_string_equal(t.tags_source, "builtin"); /* that pip could not be imported */
	sp_target_release(&t);

	/* Not an interpreter: a clear error naming it. */
	sp_diag_clear(&d);
	assert_int_not_equal(sp_target_probe(&t, "/bin/false", &o, &d), 0);
	assert_non_null(strstr(d.msg, "/bin/false"));
	sp_target_release(&t);
	assert_int_not_equal(sp_target_probe(&t, "/nonexistent/python", &o, &d), 0);
	sp_target_release(&t);

	free(cache);
	free(py);
	rm_rf(dir);
	free(venv);
	free(dir);
}

/* The script's own reading of the installed set agrees with safepip's. */
static void test_installed_matches_script(void **state)
{
	char *argv[6] = {0};
	struct sp_proc_status st;
	struct sp_target t;
	struct sp_target_opts o = {.no_cache = true};
	struct sp_buf out;
	cJSON *root, *it;
	size_t n = 0;

	(void)state;
	argv[0] = sp_proc_which("python3", NULL);
	assert_non_null(argv[0]);
	assert_int_equal(sp_target_probe(&t, argv[0], &o, NULL), 0);
	argv[1] = "-I";
	argv[2] = "-S";
	argv[3] = "-c";
	argv[4] = (char *)sp_target_script;
	sp_buf_init(&out, 16 << 20);
	assert_int_equal(sp_proc_run(argv, &(struct sp_proc_opts){.out = &out}, &st, NULL), 0);
	root = cJSON_ParseWithLength(out.data, out.len);
	assert_non_null(root);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "installed")) {
		const char *name = cJSON_GetObjectItem(it, "name")->valuestring;
		const struct sp_dist *dd = sp_target_find_installed(&t, name);

		if (!dd)
			fail_msg("'%s' is installed but safepip did not see it", name);
		/* Duplicates across site dirs: the first one wins, as on sys.path. */
		if (strcmp(dd->path, cJSON_GetObjectItem(it, "path")->valuestring) == 0) {
			assert_string_equal(dd->version,
					    cJSON_GetObjectItem(it, "version")->valuestring);
			n++;
		}
	}
	assert_true(n > 0);
	assert_true(n <= t.n_installed);
	cJSON_Delete(root);
	sp_buf_release(&out);
	sp_target_release(&t);
	free(argv[0]);
}

/*
 * The script's tag rules give exactly pip's list, on every interpreter
 * here that has pip importable from its site directories.
 */
static void test_builtin_tags_match_pip(void **state)
{
	const char *const candidates[] = {"python3", "/usr/bin/python3"};
	size_t compared = 0;

	(void)state;
	for (size_t c = 0; c < sizeof(candidates) / sizeof(candidates[0]); c++) {
		struct sp_target_opts with = {.no_cache = true}, without = {.no_pip = true};
		struct sp_target a, b;
		char *py = sp_proc_which(candidates[c], NULL);

		if (!py)
			continue;
		assert_int_equal(sp_target_probe(&a, py, &with, NULL), 0);
		assert_int_equal(sp_target_probe(&b, py, &without, NULL), 0);
		assert_string_equal(b.tags_source, "builtin");
		if (strncmp(a.tags_source, "pip ", 4) == 0) {
			assert_int_equal(a.n_tags, b.n_tags);
			for (size_t i = 0; i < a.n_tags; i++)
				if (strcmp(a.tags[i], b.tags[i]) != 0)
					fail_msg("%s: tag %zu: pip says '%s', builtin '%s'", py, i,
						 a.tags[i], b.tags[i]);
			compared++;
		}
		sp_target_release(&a);
		sp_target_release(&b);
		free(py);
	}
	if (!compared)
		skip();
}

#define GOOD_MARKERS                                                                      \
	"\"markers\":{\"implementation_name\":\"cpython\",\"implementation_version\":\"3.11.2\"," \
	"\"os_name\":\"posix\",\"platform_machine\":\"x86_64\","                          \
	"\"platform_python_implementation\":\"CPython\",\"platform_release\":\"6\","      \
	"\"platform_system\":\"Linux\",\"platform_version\":\"#1\","                      \
	"\"python_full_version\":\"3.11.2\",\"python_version\":\"3.11\","                 \
	"\"sys_platform\":\"linux\"}"
#define GOOD_HEAD                                                                         \
	"{\"format\":1,\"executable\":\"/v/bin/python\",\"prefix\":\"/v\","                \
	"\"base_prefix\":\"/usr\",\"in_venv\":true,\"purelib\":\"/v/lib\","               \
	"\"platlib\":\"/v/lib\",\"site_dirs\":[\"/v/lib\"],\"tags_source\":\"builtin\","  \
	"\"pip_file\":null," GOOD_MARKERS

static const struct {
	const char *what;
	const char *json;
	int err;
} parse_cases[] = {
	{"good", GOOD_HEAD ",\"tags\":[\"cp311-cp311-linux_x86_64\",\"py3-none-any\"]}", 0},
	{"upper-case tags are lowered", GOOD_HEAD ",\"tags\":[\"PY3-None-ANY\"]}", 0},
	{"not JSON", "Traceback (most recent call last):", SP_EPARSE},
	{"not an object", "[1,2]", SP_EFORMAT},
	{"empty", "", SP_EPARSE},
	{"wrong format", "{\"format\":2}", SP_EFORMAT},
	{"no tags", GOOD_HEAD "}", SP_EFORMAT},
	{"empty tags", GOOD_HEAD ",\"tags\":[]}", SP_EFORMAT},
	{"tag with two parts", GOOD_HEAD ",\"tags\":[\"py3-none\"]}", SP_EFORMAT},
	{"tag with four parts", GOOD_HEAD ",\"tags\":[\"py3-none-any-x\"]}", SP_EFORMAT},
	{"tag with a space", GOOD_HEAD ",\"tags\":[\"py3-none-any x\"]}", SP_EFORMAT},
	{"tag with an empty part", GOOD_HEAD ",\"tags\":[\"py3--any\"]}", SP_EFORMAT},
	{"tag not a string", GOOD_HEAD ",\"tags\":[3]}", SP_EFORMAT},
	{"relative prefix",
	 "{\"format\":1,\"executable\":\"/v/bin/python\",\"prefix\":\"v\"}", SP_EFORMAT},
	{"control byte in a marker",
	 "{\"format\":1,\"executable\":\"/p\",\"prefix\":\"/v\",\"base_prefix\":\"/usr\","
	 "\"purelib\":\"/v\",\"platlib\":\"/v\",\"tags_source\":\"b\",\"pip_file\":null,"
	 "\"in_venv\":true,\"markers\":{\"implementation_name\":\"a\\u001b[31m\"}}",
	 SP_EFORMAT},
	{"missing marker",
	 "{\"format\":1,\"executable\":\"/p\",\"prefix\":\"/v\",\"base_prefix\":\"/usr\","
	 "\"purelib\":\"/v\",\"platlib\":\"/v\",\"tags_source\":\"b\",\"pip_file\":null,"
	 "\"in_venv\":true,\"markers\":{}}",
	 SP_EFORMAT},
	{"in_venv not a boolean",
	 "{\"format\":1,\"executable\":\"/p\",\"prefix\":\"/v\",\"base_prefix\":\"/usr\","
	 "\"purelib\":\"/v\",\"platlib\":\"/v\",\"tags_source\":\"b\",\"pip_file\":null,"
	 "\"in_venv\":\"yes\"}",
	 SP_EFORMAT},
	{"site dir relative",
	 "{\"format\":1,\"executable\":\"/v/bin/python\",\"prefix\":\"/v\","
	 "\"base_prefix\":\"/usr\",\"in_venv\":true,\"purelib\":\"/v/lib\","
	 "\"platlib\":\"/v/lib\",\"site_dirs\":[\"lib\"],\"tags_source\":\"builtin\","
	 "\"pip_file\":null," GOOD_MARKERS ",\"tags\":[\"py3-none-any\"]}",
	 SP_EFORMAT},
};

static void test_target_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		struct sp_target t;
		struct sp_diag d;
		int ret;

		memset(&t, 0, sizeof(t));
		sp_diag_clear(&d);
		ret = sp_target_parse(&t, parse_cases[i].json, strlen(parse_cases[i].json), &d);
		if (ret != parse_cases[i].err)
			fail_msg("%s: got %d (%s), want %d", parse_cases[i].what, ret, d.msg,
				 parse_cases[i].err);
		if (ret == 0)
			assert_int_equal(sp_target_tag_priority(&t, "py3-none-any"),
					 (long)t.n_tags - 1);
		else
			assert_true(d.msg[0] != '\0');
		sp_target_release(&t);
	}
}

static void test_name_key(void **state)
{
	static const char *const cases[][2] = {
		{"Foo", "foo"}, {"foo_bar", "foo-bar"}, {"Foo.Bar--baz", "foo-bar-baz"},
		{"a-_.b", "a-b"}, {"ZOPE.interface", "zope-interface"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *k = sp_target_name_key(cases[i][0]);

		assert_string_equal(k, cases[i][1]);
		free(k);
	}
}

/* --- the e2e driver --- */

static int driver_fail(const char *what, const struct sp_diag *d)
{
	fprintf(stderr, "safepip: %s%s%s\n", what, d->msg[0] ? ": " : "", d->msg);
	return 3;
}

/* NAME==VERSION=PATH[#SHA] into an item; the sha256 of the file unless given. */
static int parse_item(char *arg, struct sp_lock_item *it, bool build)
{
	char *eq2 = strstr(arg, "=="), *eq, *hash;
	static char hexes[64][SP_SHA256_HEX];
	static size_t used;

	if (!eq2 || !(eq = strchr(eq2 + 2, '=')) || used >= 64)
		return -1;
	*eq2 = '\0';
	*eq = '\0';
	hash = strchr(eq + 1, '#');
	if (hash)
		*hash++ = '\0';
	*it = (struct sp_lock_item){.name = arg, .version = eq2 + 2, .path = eq + 1,
				    .build_only = build};
	it->filename = strrchr(it->path, '/') ? strrchr(it->path, '/') + 1 : it->path;
	if (hash) {
		it->sha256 = hash;
	} else {
		unsigned char buf[65536], dg[SP_SHA256_LEN];
		struct sp_sha256 *h = sp_sha256_new();
		FILE *f = fopen(it->path, "rb");
		size_t n;

		if (!f)
			return -1;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			sp_sha256_update(h, buf, n);
		fclose(f);
		sp_sha256_final(h, dg);
		sp_sha256_free(h);
		sp_hex(dg, sizeof(dg), hexes[used]);
		it->sha256 = hexes[used++];
	}
	return 0;
}

static int driver(int argc, char **argv)
{
	struct sp_venv_opts vo = {0};
	struct sp_run_opts ro = {0};
	struct sp_lock_item items[64];
	struct sp_proc_status st;
	struct sp_target t = {0};
	struct sp_venv v = {0};
	struct sp_lock l = {0};
	struct sp_diag d;
	char *fwd[32] = {0}, how[128];
	const char *dir = NULL, *cmd = argv[0];
	size_t n = 0, nf = 0;
	int ret;

	sp_diag_clear(&d);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--python") == 0 && i + 1 < argc)
			vo.python = argv[++i];
		else if (strcmp(argv[i], "--allow-root") == 0)
			vo.allow_root = true;
		else if (strcmp(argv[i], "--allow-system") == 0)
			vo.allow_system = true;
		else if (strcmp(argv[i], "--create-venv") == 0)
			vo.create = true;
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--fwd") == 0 && i + 1 < argc && nf < 31)
			fwd[nf++] = argv[++i];
		else if (strcmp(argv[i], "--build") == 0 && i + 1 < argc && n < 64 &&
			 parse_item(argv[i + 1], &items[n], true) == 0)
			i++, n++;
		else if (n < 64 && parse_item(argv[i], &items[n], false) == 0)
			n++;
		else
			return fprintf(stderr, "driver: bad argument '%s'\n", argv[i]), 2;
	}
	if (strcmp(cmd, "prepare") == 0) {
		if (sp_lock_prepare(&l, items, n, NULL, &d))
			return driver_fail("cannot prepare", &d);
		printf("%s\n", l.dir);
		free(l.dir);
		free(l.lock_path);
		free(l.wheelhouse);
		return 0;
	}
	if (sp_venv_find(&vo, &v, &d))
		return driver_fail("cannot find the target", &d);
	if (sp_target_probe(&t, v.python, NULL, &d)) {
		ret = driver_fail("cannot probe the target", &d);
		goto out;
	}
	if (sp_venv_check(&vo, v.python, t.in_venv, &d)) {
		ret = driver_fail("", &d);
		goto out;
	}
	ro.python = v.python;
	ro.forward = fwd;
	if (strcmp(cmd, "run") == 0) {
		char *lock = xasprintf("%s/requirements.txt", dir ? dir : "");
		char *wh = xasprintf("%s/wheelhouse", dir ? dir : "");

		ro.lock_path = lock;
		ro.wheelhouse = wh;
		ret = sp_run_install(&ro, &st, &d);
		free(lock);
		free(wh);
	} else {
		if (sp_lock_prepare(&l, items, n, NULL, &d)) {
			ret = driver_fail("cannot prepare", &d);
			goto out;
		}
		ro.lock_path = l.lock_path;
		ro.wheelhouse = l.wheelhouse;
		ret = sp_run_install(&ro, &st, &d);
		sp_lock_remove(&l);
	}
	if (ret) {
		ret = driver_fail("cannot run the installer", &d);
		goto out;
	}
	if (!st.exited || st.code) {
		sp_proc_describe(&st, how, sizeof(how));
		fprintf(stderr, "safepip: pip %s\n", how);
	}
	ret = sp_proc_exit_code(&st);
out:
	sp_target_release(&t);
	sp_venv_release(&v);
	return ret;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_format),
		cmocka_unit_test(test_lock_prepare),
		cmocka_unit_test(test_lock_prepare_copy),
		cmocka_unit_test(test_install_argv_pip),
		cmocka_unit_test(test_install_argv_uv),
		cmocka_unit_test(test_forward),
		cmocka_unit_test(test_install_env),
		cmocka_unit_test(test_passthrough_argv),
		cmocka_unit_test(test_proc),
		cmocka_unit_test(test_venv),
		cmocka_unit_test(test_venv_create),
		cmocka_unit_test(test_target_probe),
		cmocka_unit_test(test_installed_matches_script),
		cmocka_unit_test(test_builtin_tags_match_pip),
		cmocka_unit_test(test_target_parse),
		cmocka_unit_test(test_name_key),
	};

	if (argc > 2 && strcmp(argv[1], "--driver") == 0)
		return driver(argc - 2, argv + 2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
