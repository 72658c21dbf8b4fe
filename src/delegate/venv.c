/*
 * Target discovery and the refusals that protect the system (see venv.h).
 *
 * The interpreter's path is kept as found, not resolved: a venv's
 * bin/python is a link to the base interpreter, and only the link's place
 * tells Python (and us) which pyvenv.cfg applies.
 */
#include "delegate/venv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "delegate/proc.h"
#include "core/banned.h"

static bool is_dir(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool is_file(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* p made absolute against base (or the working directory); a new string. */
static char *absolute(const char *p, const char *base)
{
	char cwd[PATH_MAX];

	if (p[0] == '/')
		return xstrdup(p);
	if (!base) {
		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		base = cwd;
	}
	if (p[0] == '.' && p[1] == '/')
		p += 2;
	return xasprintf("%s/%s", base, p);
}

/* The interpreter of the venv at dir: bin/python, else bin/python3. */
static char *venv_python(const char *dir)
{
	static const char *const names[] = {"bin/python", "bin/python3"};
	char *p;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = xasprintf("%s/%s", dir, names[i]);
		if (access(p, X_OK) == 0 && is_file(p))
			return p;
		free(p);
	}
	return NULL;
}

char *sp_venv_prefix_of(const char *python)
{
	char *dir, *slash, *cfg;

	dir = xstrdup(python);
	for (int up = 0; up < 2; up++) {
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		*slash = '\0';
		cfg = xasprintf("%s/pyvenv.cfg", *dir ? dir : "");
		if (is_file(cfg)) {
			free(cfg);
			if (!*dir) {
				free(dir);
				return xstrdup("/");
			}
			return dir;
		}
		free(cfg);
	}
	free(dir);
	return NULL;
}

static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

char *sp_venv_cfg_get(const char *prefix, const char *key)
{
	struct sp_buf b;
	char chunk[4096], *path, *line, *nl, *eq, *k, *val = NULL;
	FILE *f = NULL;
	size_t n;

	sp_buf_init(&b, SP_MAX_PYVENV_CFG);
	path = xasprintf("%s/pyvenv.cfg", prefix);
	f = fopen(path, "rb");
	if (!f)
		goto out;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (sp_buf_add(&b, chunk, n) < 0)
			goto out;
	/* Python's own reader: "key = value" lines, keys compared after trimming. */
	for (line = b.data; line && line < b.data + b.len; line = nl ? nl + 1 : NULL) {
		nl = memchr(line, '\n', (size_t)(b.data + b.len - line));
		if (nl)
			*nl = '\0';
		eq = strchr(line, '=');
		if (!eq)
			continue;
		k = trim(line, eq);
		if (strcmp(k, key) == 0) {
			char *v = eq + 1;

			val = xstrdup(trim(v, v + strlen(v)));
			break;
		}
	}
out:
	if (f)
		fclose(f);
	free(path);
	sp_buf_release(&b);
	return val;
}

static void set_target(struct sp_venv *v, char *python, enum sp_venv_source src)
{
	v->python = python;
	v->prefix = sp_venv_prefix_of(python);
	v->is_venv = v->prefix != NULL;
	v->source = src;
}

/* --python: an interpreter (path or name in PATH) or a venv's directory. */
static int from_option(const struct sp_venv_opts *o, struct sp_venv *v, struct sp_diag *d)
{
	char *abs, *py;

	if (!strchr(o->python, '/') && !is_dir(o->python)) {
		py = sp_proc_which(o->python, NULL);
		if (!py)
			return sp_diag_set(d, SP_ENOENT,
					   "cannot find interpreter '%s' in PATH (check --python)",
					   o->python);
		abs = absolute(py, o->cwd);
		free(py);
		set_target(v, abs, SP_VENV_FROM_OPTION);
		return 0;
	}
	abs = absolute(o->python, o->cwd);
	if (!abs)
		return sp_diag_set(d, SP_EIO, "cannot find the working directory: %s",
				   strerror(errno));
	if (is_dir(abs)) {
		py = venv_python(abs);
		if (!py) {
			sp_diag_set(d, SP_ENOENT,
				    "cannot find an interpreter in '%s': no bin/python "
				    "(is it a virtual environment? check --python)", o->python);
			free(abs);
			return SP_ENOENT;
		}
		free(abs);
		set_target(v, py, SP_VENV_FROM_OPTION);
		return 0;
	}
	if (!is_file(abs) || access(abs, X_OK) != 0) {
		sp_diag_set(d, SP_ENOENT, "cannot run interpreter '%s': %s (check --python)",
			    o->python, is_file(abs) ? "not executable" : "no such file");
		free(abs);
		return SP_ENOENT;
	}
	set_target(v, abs, SP_VENV_FROM_OPTION);
	return 0;
}

int sp_venv_find(const struct sp_venv_opts *o, struct sp_venv *v, struct sp_diag *d)
{
	const char *venv_env;
	char *dot = NULL, *py = NULL;
	int ret = 0;

	memset(v, 0, sizeof(*v));
	if (o->python && *o->python)
		return from_option(o, v, d);
	venv_env = o->virtual_env ? o->virtual_env : getenv("VIRTUAL_ENV");
	if (venv_env && *venv_env) {
		py = venv_python(venv_env);
		if (!py)
			return sp_diag_set(d, SP_ENOENT,
					   "cannot find an interpreter in $VIRTUAL_ENV '%s': "
					   "no bin/python (deactivate, or recreate it: %s)",
					   venv_env, SP_VENV_HINT);
		set_target(v, py, SP_VENV_FROM_ENV);
		return 0;
	}
	dot = absolute(".venv", o->cwd);
	if (!dot)
		return sp_diag_set(d, SP_EIO, "cannot find the working directory: %s",
				   strerror(errno));
	if (is_dir(dot)) {
		py = venv_python(dot);
		if (!py) {
			ret = sp_diag_set(d, SP_ENOENT,
					  "cannot find an interpreter in './.venv': no bin/python "
					  "(remove it and recreate it: %s)", SP_VENV_HINT);
			goto out;
		}
		set_target(v, py, SP_VENV_FROM_DOTVENV);
		goto out;
	}
	if (o->create) {
		ret = sp_venv_create(dot, o->base_python, true, d);
		if (ret < 0)
			goto out;
		py = venv_python(dot);
		if (!py) {
			ret = sp_diag_set(d, SP_EIO, "cannot find bin/python in the new './.venv'");
			goto out;
		}
		set_target(v, py, SP_VENV_CREATED);
		goto out;
	}
	if (o->allow_system) {
		py = sp_proc_which("python3", NULL);
		if (!py) {
			ret = sp_diag_set(d, SP_ENOENT,
					  "cannot find python3 in PATH (pass --python)");
			goto out;
		}
		set_target(v, py, SP_VENV_FROM_PATH);
		goto out;
	}
	ret = sp_diag_set(d, SP_ENOENT,
			  "no virtual environment to install into: $VIRTUAL_ENV is not set and "
			  "there is no './.venv' (make one: %s; or pass --create-venv or --python)",
			  SP_VENV_HINT);
out:
	free(dot);
	return ret;
}

int sp_venv_check(const struct sp_venv_opts *o, const char *python, bool is_venv,
		  struct sp_diag *d)
{
	if (geteuid() == 0 && !o->allow_root)
		return sp_diag_set(d, SP_EUNSUPPORTED,
				   "refusing to install as root: package code would run with "
				   "every privilege (as a normal user: %s; or allow root in the "
				   "policy)", SP_VENV_HINT);
	if (!is_venv && !o->allow_system)
		return sp_diag_set(d, SP_EUNSUPPORTED,
				   "refusing to install outside a virtual environment: '%s' is "
				   "not in one (make one: %s; or pass --create-venv)",
				   python, SP_VENV_HINT);
	return 0;
}

int sp_venv_create(const char *dir, const char *base_python, bool with_pip, struct sp_diag *d)
{
	struct sp_proc_status st;
	struct sp_strv argv;
	char how[128], *py;
	int ret;

	py = sp_proc_which(base_python ? base_python : "python3", NULL);
	if (!py)
		return sp_diag_set(d, SP_ENOENT, "cannot create '%s': '%s' not found in PATH",
				   dir, base_python ? base_python : "python3");
	sp_strv_init(&argv);
	sp_strv_push(&argv, py);
	sp_strv_push(&argv, "-m");
	sp_strv_push(&argv, "venv");
	if (!with_pip)
		sp_strv_push(&argv, "--without-pip");
	sp_strv_push(&argv, "--");
	sp_strv_push(&argv, dir);
	ret = sp_proc_run(argv.v, &(struct sp_proc_opts){.stdin_null = true}, &st, d);
	if (ret == 0 && !(st.exited && st.code == 0)) {
		sp_proc_describe(&st, how, sizeof(how));
		ret = sp_diag_set(d, SP_EIO, "cannot create '%s': '%s -m venv' %s", dir, py, how);
	}
	sp_strv_release(&argv);
	free(py);
	return ret;
}

void sp_venv_release(struct sp_venv *v)
{
	free(v->python);
	free(v->prefix);
	v->python = v->prefix = NULL;
}
