#include "resolve/pipconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "core/banned.h"

enum kind {
	K_STR,  /* a string; the last one set wins */
	K_LIST, /* whitespace-separated items */
	K_BOOL, /* pip's strtobool */
	K_NUM,  /* a non-negative number */
};

struct optdef {
	const char *name;
	const char *alias; /* a second long name pip accepts, or NULL */
	enum kind kind;
};

/* Indexed by enum sp_pipopt. */
static const struct optdef opts[SP_PIPOPT__COUNT] = {
	[SP_PIPOPT_CERT] = {"cert", NULL, K_STR},
	[SP_PIPOPT_CLIENT_CERT] = {"client-cert", NULL, K_STR},
	[SP_PIPOPT_EXTRA_INDEX_URL] = {"extra-index-url", NULL, K_LIST},
	[SP_PIPOPT_FIND_LINKS] = {"find-links", NULL, K_LIST},
	[SP_PIPOPT_FORCE_REINSTALL] = {"force-reinstall", NULL, K_BOOL},
	[SP_PIPOPT_IGNORE_INSTALLED] = {"ignore-installed", NULL, K_BOOL},
	[SP_PIPOPT_INDEX_URL] = {"index-url", NULL, K_STR},
	[SP_PIPOPT_ISOLATED] = {"isolated", NULL, K_BOOL},
	[SP_PIPOPT_NO_BINARY] = {"no-binary", NULL, K_STR},
	[SP_PIPOPT_NO_BUILD_ISOLATION] = {"no-build-isolation", NULL, K_BOOL},
	[SP_PIPOPT_NO_DEPS] = {"no-deps", "no-dependencies", K_BOOL},
	[SP_PIPOPT_NO_INDEX] = {"no-index", NULL, K_BOOL},
	[SP_PIPOPT_ONLY_BINARY] = {"only-binary", NULL, K_STR},
	[SP_PIPOPT_PRE] = {"pre", NULL, K_BOOL},
	[SP_PIPOPT_PREFER_BINARY] = {"prefer-binary", NULL, K_BOOL},
	[SP_PIPOPT_PROXY] = {"proxy", NULL, K_STR},
	[SP_PIPOPT_REQUIRE_HASHES] = {"require-hashes", NULL, K_BOOL},
	[SP_PIPOPT_RETRIES] = {"retries", NULL, K_NUM},
	[SP_PIPOPT_TIMEOUT] = {"timeout", "default-timeout", K_NUM},
	[SP_PIPOPT_TRUSTED_HOST] = {"trusted-host", NULL, K_LIST},
	[SP_PIPOPT_UPGRADE] = {"upgrade", NULL, K_BOOL},
	[SP_PIPOPT_UPGRADE_STRATEGY] = {"upgrade-strategy", NULL, K_STR},
};

static const char *const origin_names[] = {
	[SP_ORIGIN_DEFAULT] = "default",
	[SP_ORIGIN_GLOBAL] = "global config",
	[SP_ORIGIN_USER] = "user config",
	[SP_ORIGIN_SITE] = "site config",
	[SP_ORIGIN_ENVFILE] = "PIP_CONFIG_FILE",
	[SP_ORIGIN_ENV] = "environment",
	[SP_ORIGIN_REQFILE] = "requirements file",
	[SP_ORIGIN_CMDLINE] = "command line",
};

const char *sp_pipopt_name(enum sp_pipopt opt)
{
	return (unsigned)opt < SP_PIPOPT__COUNT ? opts[opt].name : "?";
}

const char *sp_pipconf_origin_name(enum sp_pipconf_origin o)
{
	return (unsigned)o <= SP_ORIGIN_CMDLINE ? origin_names[o] : "?";
}

int sp_pipopt_lookup(const char *name)
{
	int i;

	for (i = 0; i < SP_PIPOPT__COUNT; i++)
		if (strcmp(name, opts[i].name) == 0 ||
		    (opts[i].alias && strcmp(name, opts[i].alias) == 0))
			return i;
	return -1;
}

int sp_strtobool(const char *s)
{
	static const char *const yes[] = {"y", "yes", "t", "true", "on", "1"};
	static const char *const no[] = {"n", "no", "f", "false", "off", "0"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

void sp_pipconf_init(struct sp_pipconf *c)
{
	memset(c, 0, sizeof(*c));
}

static void value_clear(struct sp_pipconf_value *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->items[i]);
	free(v->items);
	free(v->source);
	memset(v, 0, sizeof(*v));
}

void sp_pipconf_release(struct sp_pipconf *c)
{
	int i;

	for (i = 0; i < SP_PIPOPT__COUNT; i++)
		value_clear(&c->v[i]);
}

static void push(struct sp_pipconf_value *v, const char *s, size_t n)
{
	v->items = xrealloc(v->items, (v->n + 1) * sizeof(*v->items));
	v->items[v->n++] = xstrndup(s, n);
}

static int check_value(const struct optdef *o, const char *value, struct sp_diag *d)
{
	char *end;
	double x;

	switch (o->kind) {
	case K_BOOL:
		if (sp_strtobool(value) < 0)
			return sp_diag_set(d, SP_EINVAL,
					   "'%s' is not a valid value for %s (use yes/no, true/false "
					   "or 1/0)", value, o->name);
		break;
	case K_NUM:
		errno = 0;
		x = strtod(value, &end);
		if (errno || end == value || *end || x < 0 || x != x)
			return sp_diag_set(d, SP_EINVAL, "'%s' is not a valid value for %s "
					   "(expected a non-negative number)", value, o->name);
		break;
	default:
		break;
	}
	return 0;
}

int sp_pipconf_set(struct sp_pipconf *c, const char *name, const char *value,
		   enum sp_pipconf_origin origin, const char *source, struct sp_diag *d)
{
	int i = sp_pipopt_lookup(name);
	struct sp_pipconf_value *v;
	const struct optdef *o;
	const char *p;
	bool append;
	int err;

	if (i < 0)
		return SP_ENOENT;
	o = &opts[i];
	v = &c->v[i];
	err = check_value(o, value, d);
	if (err)
		return err;
	/* The command line and requirement files add to a configured list. */
	append = o->kind == K_LIST && origin >= SP_ORIGIN_REQFILE;
	if (!append) {
		value_clear(v);
	} else if (v->origin < SP_ORIGIN_REQFILE) {
		free(v->source);
		v->source = NULL;
	}
	v->origin = origin;
	if (source && !v->source)
		v->source = xstrdup(source);
	if (o->kind == K_LIST && !append) {
		for (p = value; *p;) {
			size_t n = 0;

			while (isspace((unsigned char)*p))
				p++;
			while (p[n] && !isspace((unsigned char)p[n]))
				n++;
			if (n)
				push(v, p, n);
			p += n;
		}
	} else {
		push(v, value, strlen(value));
	}
	return 0;
}

const char *sp_pipconf_str(const struct sp_pipconf *c, enum sp_pipopt opt)
{
	const struct sp_pipconf_value *v = &c->v[opt];

	return v->n ? v->items[v->n - 1] : NULL;
}

bool sp_pipconf_bool(const struct sp_pipconf *c, enum sp_pipopt opt)
{
	const char *s = sp_pipconf_str(c, opt);

	return s && sp_strtobool(s) == 1;
}

double sp_pipconf_num(const struct sp_pipconf *c, enum sp_pipopt opt, double def)
{
	const char *s = sp_pipconf_str(c, opt);

	return s ? strtod(s, NULL) : def;
}

/* --- INI files, as Python's configparser (RawConfigParser) reads them --- */

struct item {
	char *section;
	char *key;
	char *value;
	unsigned line;
};

struct ini {
	struct item *items;
	size_t n, cap;
};

static void ini_release(struct ini *ini)
{
	size_t i;

	for (i = 0; i < ini->n; i++) {
		free(ini->items[i].section);
		free(ini->items[i].key);
		free(ini->items[i].value);
	}
	free(ini->items);
}

static char *trim(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Key names as pip stores them: lower case, '_' as '-', no leading "--". */
static void normalize_key(char *k)
{
	char *p;

	if (k[0] == '-' && k[1] == '-')
		memmove(k, k + 2, strlen(k + 2) + 1);
	for (p = k; *p; p++)
		*p = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
}

/*
 * configparser's rules: "[section]" headers; "key = value" or "key: value";
 * whole-line comments starting with '#' or ';'; an indented line continues
 * the previous value; duplicate sections or keys are errors (strict mode).
 */
static int ini_parse(struct ini *ini, const char *file, const char *text, size_t len,
		     struct sp_diag *d)
{
	char *section = NULL;
	struct item *last = NULL;
	const char *p = text, *end = text + len;
	unsigned line = 0;
	size_t i;
	int err = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		const char *s = p;
		size_t k;

		line++;
		p += n + (eol ? 1 : 0);
		if (n && s[n - 1] == '\r')
			n--;
		if (memchr(s, '\0', n)) {
			err = SP_EPARSE;
			sp_diag_set(d, err, "cannot parse '%s' line %u: NUL byte", file, line);
			goto out;
		}
		if (ini->n >= SP_MAX_CONFIG_ITEMS) {
			err = SP_ELIMIT;
			sp_diag_set(d, err, "cannot parse '%s': more than %d sections and settings",
				    file, SP_MAX_CONFIG_ITEMS);
			goto out;
		}
		k = 0;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k == n) {
			last = NULL; /* a blank line ends a continued value */
			continue;
		}
		if (s[k] == '#' || s[k] == ';')
			continue;
		if (k > 0 && last) {
			char *more = trim(s + k, n - k);
			char *joined = xasprintf("%s\n%s", last->value, more);

			free(more);
			free(last->value);
			last->value = joined;
			continue;
		}
		if (s[k] == '[') {
			const char *close = memchr(s + k, ']', n - k);

			if (!close) {
				err = SP_EPARSE;
				sp_diag_set(d, err, "cannot parse '%s' line %u: missing ']'", file,
					    line);
				goto out;
			}
			free(section);
			section = xstrndup(s + k + 1, (size_t)(close - s - k - 1));
			for (i = 0; i < ini->n; i++) {
				if (strcmp(ini->items[i].section, section) == 0 &&
				    ini->items[i].key == NULL) {
					err = SP_EPARSE;
					sp_diag_set(d, err, "cannot parse '%s' line %u: section "
						    "'%s' appears twice", file, line, section);
					goto out;
				}
			}
			SP_GROW(ini->items, ini->n + 1, ini->cap);
			ini->items[ini->n++] = (struct item){xstrdup(section), NULL, NULL, line};
			last = NULL;
			continue;
		}
		if (!section) {
			err = SP_EPARSE;
			sp_diag_set(d, err, "cannot parse '%s' line %u: a setting before any "
				    "[section] header", file, line);
			goto out;
		}
		{
			const char *eq = NULL;
			size_t j;
			char *key;

			for (j = k; j < n; j++)
				if (s[j] == '=' || s[j] == ':') {
					eq = s + j;
					break;
				}
			if (!eq) {
				err = SP_EPARSE;
				sp_diag_set(d, err, "cannot parse '%s' line %u: expected "
					    "'name = value'", file, line);
				goto out;
			}
			key = trim(s + k, (size_t)(eq - s - k));
			normalize_key(key);
			for (i = 0; i < ini->n; i++) {
				if (ini->items[i].key && strcmp(ini->items[i].key, key) == 0 &&
				    strcmp(ini->items[i].section, section) == 0) {
					err = SP_EPARSE;
					sp_diag_set(d, err, "cannot parse '%s' line %u: '%s' set twice "
						    "in [%s]", file, line, key, section);
					free(key);
					goto out;
				}
			}
			SP_GROW(ini->items, ini->n + 1, ini->cap);
			ini->items[ini->n] = (struct item){xstrdup(section), key,
							   trim(eq + 1, (size_t)(s + n - eq - 1)),
							   line};
			last = &ini->items[ini->n++];
		}
	}
out:
	if (err) {
		sp_diag_file(d, file);
		if (d)
			d->line = line;
	}
	free(section);
	return err;
}

int sp_pipconf_load_text(struct sp_pipconf *c, const char *cmd, const char *name,
			 const char *text, size_t len, enum sp_pipconf_origin origin,
			 struct sp_diag *d)
{
	struct ini ini = {0};
	int pass, err;
	size_t i;

	err = ini_parse(&ini, name, text, len, d);
	/* [global] first, then the command's section, so the command's wins. */
	for (pass = 0; !err && pass < 2; pass++) {
		const char *want = pass == 0 ? "global" : cmd;

		for (i = 0; i < ini.n; i++) {
			struct item *it = &ini.items[i];

			if (!it->key || !want || strcmp(it->section, want) != 0 || !*it->value)
				continue;
			err = sp_pipconf_set(c, it->key, it->value, origin, name, d);
			if (err == SP_ENOENT) {
				err = 0; /* a setting for pip alone */
				continue;
			}
			if (err) {
				sp_diag_file(d, name);
				if (d)
					d->line = it->line;
				break;
			}
		}
	}
	ini_release(&ini);
	return err;
}

/* A file that does not exist is skipped, as pip skips it. */
static int apply_file(struct sp_pipconf *c, const char *cmd, const char *path,
		      enum sp_pipconf_origin origin, struct sp_diag *d)
{
	struct sp_buf text;
	int err;

	sp_buf_init(&text, SP_MAX_CONFIG_BYTES);
	err = sp_file_read(path, SP_MAX_CONFIG_BYTES, &text, d);
	if (err == SP_ENOENT) {
		sp_diag_clear(d);
		err = 0;
	} else if (!err) {
		err = sp_pipconf_load_text(c, cmd, path, text.data, text.len, origin, d);
	}
	sp_buf_release(&text);
	return err;
}

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static int apply_env(struct sp_pipconf *c, char *const *envp, struct sp_diag *d)
{
	char *const *e;
	int err;

	for (e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char *key, *var;

		if (strncmp(*e, "PIP_", 4) != 0 || !eq || !eq[1])
			continue;
		key = xstrndup(*e + 4, (size_t)(eq - *e - 4));
		normalize_key(key);
		var = xstrndup(*e, (size_t)(eq - *e));
		err = sp_pipconf_set(c, key, eq + 1, SP_ORIGIN_ENV, var, d);
		if (err == SP_EINVAL)
			sp_diag_set(d, err, "bad %s: %s", var, d ? d->msg : "");
		free(key);
		free(var);
		if (err && err != SP_ENOENT)
			return err;
	}
	return 0;
}

int sp_pipconf_load(struct sp_pipconf *c, const char *cmd, const struct sp_pipconf_paths *paths,
		    char *const *envp, struct sp_diag *d)
{
	const char *envfile = env_get(envp, "PIP_CONFIG_FILE");
	const char *iso = env_get(envp, "PIP_ISOLATED");
	bool isolated = sp_pipconf_bool(c, SP_PIPOPT_ISOLATED) || (iso && sp_strtobool(iso) == 1);
	const char *const *f;
	int err;

	if (envfile && strcmp(envfile, "/dev/null") == 0)
		goto env;
	for (f = paths ? paths->global : NULL; f && *f; f++)
		if ((err = apply_file(c, cmd, *f, SP_ORIGIN_GLOBAL, d)))
			return err;
	if (!isolated && !(envfile && *envfile && access(envfile, F_OK) == 0))
		for (f = paths ? paths->user : NULL; f && *f; f++)
			if ((err = apply_file(c, cmd, *f, SP_ORIGIN_USER, d)))
				return err;
	if (paths && paths->site && (err = apply_file(c, cmd, paths->site, SP_ORIGIN_SITE, d)))
		return err;
	if (envfile && *envfile && (err = apply_file(c, cmd, envfile, SP_ORIGIN_ENVFILE, d)))
		return err;
env:
	if (!isolated)
		return apply_env(c, envp, d);
	return 0;
}

void sp_pipconf_default_paths(struct sp_pipconf_paths *p, struct sp_pipconf_pathstore *store,
			      const char *site_prefix)
{
	const char *xdg_dirs = getenv("XDG_CONFIG_DIRS");
	const char *xdg_home = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	size_t ns = 0, ng = 0, nu = 0;

	memset(store, 0, sizeof(*store));
	memset(p, 0, sizeof(*p));
	/* pip takes the first directory of XDG_CONFIG_DIRS only. */
	if (xdg_dirs && *xdg_dirs) {
		size_t n = strcspn(xdg_dirs, ":");

		store->strings[ns] = xasprintf("%.*s/pip/pip.conf", (int)n, xdg_dirs);
	} else {
		store->strings[ns] = xstrdup("/etc/xdg/pip/pip.conf");
	}
	store->global[ng++] = store->strings[ns++];
	store->global[ng++] = "/etc/pip.conf";
	if (home && *home) {
		store->strings[ns] = xasprintf("%s/.pip/pip.conf", home);
		store->user[nu++] = store->strings[ns++];
	}
	if (xdg_home && *xdg_home) {
		store->strings[ns] = xasprintf("%s/pip/pip.conf", xdg_home);
		store->user[nu++] = store->strings[ns++];
	} else if (home && *home) {
		store->strings[ns] = xasprintf("%s/.config/pip/pip.conf", home);
		store->user[nu++] = store->strings[ns++];
	}
	if (site_prefix) {
		store->strings[ns] = xasprintf("%s/pip.conf", site_prefix);
		p->site = store->strings[ns++];
	}
	p->global = store->global;
	p->user = store->user;
}

void sp_pipconf_paths_release(struct sp_pipconf_pathstore *store)
{
	size_t i;

	for (i = 0; i < sizeof(store->strings) / sizeof(store->strings[0]); i++)
		free(store->strings[i]);
	memset(store, 0, sizeof(*store));
}
