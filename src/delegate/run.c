/*
 * The installer's command line and environment (see run.h).
 *
 * Why these flags:
 *   --no-index --find-links DIR  the wheelhouse is the only source: it holds
 *        exactly the scanned files (lock.c hashes them in place).
 *   --require-hashes -r LOCK     every file pip takes must match a scanned
 *        sha256; a pin without one is an error, not a download.
 *   no --no-deps                 pip resolves the dependencies of the pinned
 *        set again, and in hash-checking mode refuses any dependency the lock
 *        does not pin: a second, independent check that safepip's resolver
 *        missed nothing, which can only fail closed (there is nowhere to fetch
 *        a missing one from). With --no-deps a resolver bug would give a
 *        broken environment silently.
 *   sdists' build requirements   pip builds an sdist in an isolated
 *        environment that it fills by running a second pip; it hands that pip
 *        --no-index and --find-links (so the wheelhouse again) but not
 *        --require-hashes, and build requirements carry no pins. The second
 *        pip inherits this environment (PIP_CONFIG_FILE=/dev/null,
 *        PIP_NO_INDEX=1), so it can only take files from the wheelhouse,
 *        every one of which was scanned and hashed: invariant 2 still holds.
 *        That is also why build requirements are not install lines in the
 *        lock: they belong to the build, not to the target.
 *   -I                           pip itself runs isolated from PYTHON*
 *        variables, the user site and the working directory, so a pip.py or
 *        a packaging/ directory in the current project cannot stand in for
 *        pip's modules.
 */
#include "delegate/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "core/banned.h"

extern char **environ;

enum { FOR_PIP = 1, FOR_UV = 2 };

struct fwd {
	const char *opt;
	unsigned who;
	const char *values; /* accepted values, '|'-separated; NULL: no value; "*": any */
};

/*
 * Output and reporting only: none of these changes which files are
 * installed. --no-build-isolation changes where a build finds its build
 * requirements: in the target, which safepip checked has them (see
 * sp_session_resolve_builds()), instead of the wheelhouse. Sorted.
 */
static const struct fwd forwardable[] = {
	{"--color", FOR_UV, "auto|always|never"},
	{"--compile", FOR_PIP, NULL},
	{"--compile-bytecode", FOR_UV, NULL},
	{"--force-reinstall", FOR_PIP, NULL},
	{"--log", FOR_PIP, "*"},
	{"--no-build-isolation", FOR_PIP | FOR_UV, NULL},
	{"--no-color", FOR_PIP, NULL},
	{"--no-compile", FOR_PIP, NULL},
	{"--no-progress", FOR_UV, NULL},
	{"--no-python-version-warning", FOR_PIP, NULL},
	{"--no-warn-conflicts", FOR_PIP, NULL},
	{"--no-warn-script-location", FOR_PIP, NULL},
	{"--progress-bar", FOR_PIP, "on|off|raw"},
	{"--quiet", FOR_PIP | FOR_UV, NULL},
	{"--reinstall", FOR_UV, NULL},
	{"--require-virtualenv", FOR_PIP, NULL},
	{"--root-user-action", FOR_PIP, "warn|ignore"},
	{"--upgrade", FOR_PIP | FOR_UV, NULL},
	{"--verbose", FOR_PIP | FOR_UV, NULL},
	{"-U", FOR_PIP | FOR_UV, NULL},
	{"-q", FOR_PIP | FOR_UV, NULL},
	{"-qq", FOR_PIP | FOR_UV, NULL},
	{"-qqq", FOR_PIP | FOR_UV, NULL},
	{"-v", FOR_PIP | FOR_UV, NULL},
	{"-vv", FOR_PIP | FOR_UV, NULL},
	{"-vvv", FOR_PIP | FOR_UV, NULL},
};

/*
 * PIP_* and UV_* variables that only change output, timing or caches. All
 * others go: they can name indexes, find-links, trusted hosts, config
 * files, constraints, a target or prefix, another interpreter (PIP_PYTHON),
 * or turn checks off (PIP_BREAK_SYSTEM_PACKAGES, UV_NO_VERIFY_HASHES...).
 * A list of what to keep, because the list of what could harm grows with
 * every pip and uv release.
 */
static const char *const keep_env[] = {
	"PIP_CACHE_DIR",
	"PIP_DEFAULT_TIMEOUT",
	"PIP_LOG",
	"PIP_NO_CACHE_DIR",
	"PIP_NO_COLOR",
	"PIP_NO_PYTHON_VERSION_WARNING",
	"PIP_NO_WARN_CONFLICTS",
	"PIP_NO_WARN_SCRIPT_LOCATION",
	"PIP_PROGRESS_BAR",
	"PIP_QUIET",
	"PIP_REQUIRE_VIRTUALENV",
	"PIP_ROOT_USER_ACTION",
	"PIP_TIMEOUT",
	"PIP_VERBOSE",
	"UV_CACHE_DIR",
	"UV_CONCURRENT_BUILDS",
	"UV_CONCURRENT_DOWNLOADS",
	"UV_CONCURRENT_INSTALLS",
	"UV_LINK_MODE",
	"UV_NO_CACHE",
	"UV_NO_PROGRESS",
};

/* What the installer gets set, whatever the user's environment says. */
static const char *const set_env[] = {
	"PIP_CONFIG_FILE=/dev/null", /* pip reads no configuration file at all */
	"PIP_NO_INDEX=1",            /* also for the second pip that fills build environments */
	"PIP_DISABLE_PIP_VERSION_CHECK=1",
	"PIP_NO_INPUT=1",
	"UV_NO_CONFIG=1", /* no uv.toml or [tool.uv] from the project or the user */
};

static const struct fwd *find_fwd(const char *opt, size_t len)
{
	for (size_t i = 0; i < sizeof(forwardable) / sizeof(forwardable[0]); i++)
		if (strlen(forwardable[i].opt) == len && strncmp(forwardable[i].opt, opt, len) == 0)
			return &forwardable[i];
	return NULL;
}

static bool value_ok(const struct fwd *f, const char *v)
{
	size_t n = strlen(v);
	const char *p = f->values, *bar;

	if (strcmp(p, "*") == 0)
		return n > 0;
	for (;; p = bar + 1) {
		bar = strchr(p, '|');
		if ((bar ? (size_t)(bar - p) : strlen(p)) == n && strncmp(p, v, n) == 0)
			return true;
		if (!bar)
			return false;
	}
}

bool sp_run_forwardable(enum sp_installer installer, const char *opt, bool *takes_value)
{
	const char *eq = strchr(opt, '=');
	const struct fwd *f = find_fwd(opt, eq ? (size_t)(eq - opt) : strlen(opt));
	unsigned who = installer == SP_INSTALLER_UV ? FOR_UV : FOR_PIP;

	*takes_value = false;
	if (!f || !(f->who & who))
		return false;
	if (eq)
		return f->values && value_ok(f, eq + 1);
	*takes_value = f->values != NULL;
	return true;
}

int sp_run_check_forward(enum sp_installer installer, char *const *forward, struct sp_diag *d)
{
	const char *name = installer == SP_INSTALLER_UV ? "uv" : "pip", *opt, *val;
	bool takes;

	for (size_t i = 0; forward && forward[i]; i++) {
		opt = forward[i];
		if (!sp_run_forwardable(installer, opt, &takes))
			return sp_diag_set(d, SP_EUSAGE,
					   "cannot pass '%s' to %s: it is not an output option "
					   "safepip forwards", opt, name);
		if (!takes)
			continue;
		val = forward[++i];
		if (!val || !value_ok(find_fwd(opt, strlen(opt)), val))
			return sp_diag_set(d, SP_EUSAGE, "cannot pass '%s' to %s: bad or missing "
					   "value '%s'", opt, name, val ? val : "");
	}
	return 0;
}

int sp_run_install_argv(const struct sp_run_opts *o, struct sp_strv *argv, struct sp_diag *d)
{
	char *uv;
	int ret;

	sp_strv_init(argv);
	ret = sp_run_check_forward(o->installer, o->forward, d);
	if (ret < 0)
		return ret;
	if (!o->python || o->python[0] != '/' || !o->wheelhouse || !o->lock_path)
		return sp_diag_set(d, SP_EINTERNAL, "installer needs an absolute interpreter "
				   "path, a wheelhouse and a lock file");
	if (o->installer == SP_INSTALLER_UV) {
		uv = sp_proc_which(o->uv ? o->uv : "uv", NULL);
		if (!uv)
			return sp_diag_set(d, SP_ENOENT,
					   "cannot find '%s' (install uv, or use pip)",
					   o->uv ? o->uv : "uv");
		sp_strv_push(argv, uv);
		free(uv);
		sp_strv_push(argv, "pip");
		sp_strv_push(argv, "install");
		sp_strv_push(argv, "--offline");
	} else {
		sp_strv_push(argv, o->python);
		sp_strv_push(argv, "-I");
		sp_strv_push(argv, "-m");
		sp_strv_push(argv, "pip");
		sp_strv_push(argv, "install");
	}
	sp_strv_push(argv, "--no-index");
	sp_strv_push(argv, "--find-links");
	sp_strv_push(argv, o->wheelhouse);
	sp_strv_push(argv, "--require-hashes");
	if (o->installer == SP_INSTALLER_PIP) {
		sp_strv_push(argv, "--disable-pip-version-check");
		sp_strv_push(argv, "--no-input");
	}
	for (size_t i = 0; o->forward && o->forward[i]; i++)
		sp_strv_push(argv, o->forward[i]);
	sp_strv_push(argv, "-r");
	sp_strv_push(argv, o->lock_path);
	if (o->installer == SP_INSTALLER_UV) {
		sp_strv_push(argv, "--python");
		sp_strv_push(argv, o->python);
	}
	return 0;
}

static bool kept(const char *var)
{
	size_t n = strcspn(var, "=");

	if (strncmp(var, "PIP_", 4) != 0 && strncmp(var, "UV_", 3) != 0)
		return true;
	for (size_t i = 0; i < sizeof(keep_env) / sizeof(keep_env[0]); i++)
		if (strlen(keep_env[i]) == n && strncmp(keep_env[i], var, n) == 0)
			return true;
	return false;
}

void sp_run_install_env(char *const *env, struct sp_strv *out)
{
	sp_strv_init(out);
	if (!env)
		env = environ;
	for (size_t i = 0; env[i]; i++) {
		bool overridden = false;

		for (size_t j = 0; j < sizeof(set_env) / sizeof(set_env[0]); j++) {
			size_t n = strcspn(set_env[j], "=") + 1;

			overridden |= strncmp(env[i], set_env[j], n) == 0;
		}
		if (!overridden && strchr(env[i], '=') && kept(env[i]))
			sp_strv_push(out, env[i]);
	}
	for (size_t j = 0; j < sizeof(set_env) / sizeof(set_env[0]); j++)
		sp_strv_push(out, set_env[j]);
}

int sp_run_install(const struct sp_run_opts *o, struct sp_proc_status *st, struct sp_diag *d)
{
	struct sp_strv argv, env;
	int ret;

	sp_strv_init(&env);
	ret = sp_run_install_argv(o, &argv, d);
	if (ret < 0)
		goto out;
	sp_strv_release(&env);
	sp_run_install_env(o->env, &env);
	ret = sp_proc_run(argv.v, &(struct sp_proc_opts){.env = env.v, .stdin_null = true,
			  .ignore_interrupts = true}, st, d);
out:
	sp_strv_release(&argv);
	sp_strv_release(&env);
	return ret;
}

void sp_run_passthrough_argv(const char *python, int argc, char *const *args,
			     struct sp_strv *out)
{
	sp_strv_init(out);
	sp_strv_push(out, python);
	sp_strv_push(out, "-m");
	sp_strv_push(out, "pip");
	for (int i = 0; i < argc; i++)
		sp_strv_push(out, args[i]);
}

int sp_run_passthrough(const char *python, int argc, char *const *args, struct sp_diag *d)
{
	struct sp_strv argv;
	int e;

	sp_run_passthrough_argv(python, argc, args, &argv);
	fflush(NULL);
	execv(argv.v[0], argv.v);
	e = errno;
	sp_strv_release(&argv);
	return sp_diag_set(d, e == ENOENT ? SP_ENOENT : SP_EIO, "cannot run '%s -m pip': %s",
			   python, strerror(e));
}
