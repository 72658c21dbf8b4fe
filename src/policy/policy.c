/*
 * The policy's lifecycle and its files: the built-in layer, finding the
 * layers on disk, reading them with a cap, and checking rule ids against
 * the catalog.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/embed.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "policy/internal.h"
#include "core/banned.h"

/* Directories the upward search for .safepip.json climbs at most. */
#define MAX_PROJECT_LEVELS 128

void sp_policy_init(struct sp_policy *p)
{
	memset(p, 0, sizeof(*p));
	sp_set_init(&p->eff);
	sp_set_init(&p->floor);
}

void sp_policy_release(struct sp_policy *p)
{
	size_t i;

	for (i = 0; i < p->nlayers; i++)
		free(p->layers[i].file);
	free(p->layers);
	free(p->warnings);
	sp_set_release(&p->eff);
	sp_set_release(&p->floor);
	memset(p, 0, sizeof(*p));
}

int sp_policy_add_embedded(struct sp_policy *p, enum sp_layer_kind kind, const char *name,
			   struct sp_diag *d)
{
	char path[128], label[140];
	const struct sp_embedded *e;

	snprintf(path, sizeof(path), "%s.json", name);
	snprintf(label, sizeof(label), "builtin:%s", name);
	if (strchr(name, '/') || !(e = sp_embedded_find(path)))
		return sp_diag_set(
			d, SP_ENOENT,
			"no built-in policy '%s' (expected default, strict or permissive)", name);
	return sp_policy_add_layer(p, kind, label, (const char *)e->data, e->len, d);
}

int sp_policy_read_file(const char *path, char **text, size_t *len, struct sp_diag *d)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd, err = 0;

	*text = NULL;
	*len = 0;
	sp_diag_file(d, path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return sp_diag_set(d, errno == ENOENT ? SP_ENOENT : SP_EIO,
				   "cannot read policy '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err = sp_diag_set(d, SP_EIO, "cannot read policy '%s': not a regular file", path);
		goto out;
	}
	buf = xmalloc(SP_MAX_POLICY_BYTES + 2);
	while ((r = read(fd, buf + n, SP_MAX_POLICY_BYTES + 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = sp_diag_set(d, SP_EIO, "cannot read policy '%s': %s", path,
					  strerror(errno));
			goto out;
		}
		n += (size_t)r;
		if (n > SP_MAX_POLICY_BYTES) {
			err = sp_diag_set(d, SP_ELIMIT,
					  "cannot load policy '%s': larger than %d bytes "
					  "(SP_MAX_POLICY_BYTES)",
					  path, SP_MAX_POLICY_BYTES);
			goto out;
		}
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return err;
}

static int add_file(struct sp_policy *p, enum sp_layer_kind kind, const char *path, bool optional,
		    struct sp_diag *d)
{
	char *text;
	size_t len;
	int err = sp_policy_read_file(path, &text, &len, d);

	if (err == SP_ENOENT && optional) {
		sp_diag_clear(d);
		return 0;
	}
	if (!err)
		err = sp_policy_add_layer(p, kind, path, text, len, d);
	free(text);
	return err;
}

static void add_warning(struct sp_policy *p, const char *file, unsigned line, const char *where,
			const char *msg)
{
	struct sp_diag w;

	sp_diag_clear(&w);
	sp_diag_file(&w, file);
	w.line = line;
	snprintf(w.where, sizeof(w.where), "%s", where ? where : "");
	sp_diag_set(&w, SP_EINVAL, "%s", msg);
	p->warnings = xrealloc(p->warnings, (p->nwarnings + 1) * sizeof(*p->warnings));
	p->warnings[p->nwarnings++] = w;
}

/*
 * The nearest .safepip.json at or above dir. A file owned by someone else
 * (a shared /tmp, another user's home) is skipped with a warning: it could
 * loosen the policy for whoever runs safepip below it.
 */
static int find_project(struct sp_policy *p, const char *dir, char *out, size_t size, bool *found,
			struct sp_diag *d)
{
	char cur[PATH_MAX];
	struct stat st;
	int level;

	*found = false;
	if (snprintf(cur, sizeof(cur), "%s", dir) >= (int)sizeof(cur))
		return sp_diag_set(d, SP_ELIMIT, "cannot search for %s: path too long",
				   SP_POLICY_PROJECT_FILE);
	for (level = 0; level < MAX_PROJECT_LEVELS; level++) {
		char *slash;
		size_t n = strlen(cur);

		if (snprintf(out, size, "%s%s%s", cur, n && cur[n - 1] == '/' ? "" : "/",
			     SP_POLICY_PROJECT_FILE) >= (int)size)
			return sp_diag_set(d, SP_ELIMIT, "cannot search for %s: path too long",
					   SP_POLICY_PROJECT_FILE);
		if (lstat(out, &st) == 0) {
			if (st.st_uid == geteuid() || st.st_uid == 0) {
				*found = true;
				return 0;
			}
			add_warning(p, out, 0, NULL,
				    "ignored: the project policy is owned by another user");
		} else if (errno != ENOENT && errno != ENOTDIR) {
			sp_diag_file(d, out);
			return sp_diag_set(d, SP_EIO, "cannot read policy '%s': %s", out,
					   strerror(errno));
		}
		slash = strrchr(cur, '/');
		if (!slash || n <= 1)
			break;
		if (slash == cur)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return 0;
}

int sp_policy_load(struct sp_policy *p, const struct sp_policy_paths *paths, struct sp_diag *d)
{
	char project[PATH_MAX + 32];
	bool found = false;
	int err;

	if ((err = sp_policy_add_embedded(p, SP_LAYER_BUILTIN, "default", d)))
		return err;
	if (paths->system && (err = add_file(p, SP_LAYER_SYSTEM, paths->system, true, d)))
		return err;
	if (paths->user && (err = add_file(p, SP_LAYER_USER, paths->user, true, d)))
		return err;
	if (paths->project_dir) {
		if ((err = find_project(p, paths->project_dir, project, sizeof(project), &found,
					d)))
			return err;
		if (found && (err = add_file(p, SP_LAYER_PROJECT, project, false, d)))
			return err;
	}
	if (paths->cli) {
		if (strncmp(paths->cli, "builtin:", 8) == 0)
			return sp_policy_add_embedded(p, SP_LAYER_CLI, paths->cli + 8, d);
		return add_file(p, SP_LAYER_CLI, paths->cli, false, d);
	}
	return 0;
}

void sp_policy_paths_default(struct sp_policy_paths *paths, char *buf, size_t bufsize)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	size_t half = bufsize / 2;
	int n = -1;

	memset(paths, 0, sizeof(*paths));
	paths->system = SP_POLICY_SYSTEM_FILE;
	/* XDG: a relative XDG_CONFIG_HOME is invalid and is ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(buf, half, "%s/safepip/policy.json", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, half, "%s/.config/safepip/policy.json", home);
	if (n > 0 && (size_t)n < half)
		paths->user = buf;
	if (getcwd(buf + half, bufsize - half))
		paths->project_dir = buf + half;
}

static const char *layer_file(const struct sp_policy *p, sp_layer_ref l)
{
	return l >= 0 && (size_t)l < p->nlayers ? p->layers[l].file : "";
}

static bool category_known(const struct sp_catalog *cat, const char *c)
{
	size_t i;

	for (i = 0; i < cat->nrules; i++)
		if (strcmp(cat->rules[i].category, c) == 0)
			return true;
	return false;
}

size_t sp_policy_lint(struct sp_policy *p, const struct sp_catalog *cat)
{
	const struct sp_policy_set *s = &p->eff;
	size_t before = p->nwarnings, i, j;
	char msg[SP_DIAG_TEXT];

	for (i = 0; i < s->nrules; i++) {
		const struct sp_policy_entry *e = &s->rules[i];

		if (sp_catalog_find(cat, e->key))
			continue;
		snprintf(msg, sizeof(msg),
			 "policy '%s' line %u at %s: unknown rule id '%s' (see "
			 "'safepip rules')",
			 layer_file(p, e->layer), e->line, e->path, e->key);
		add_warning(p, layer_file(p, e->layer), e->line, e->path, msg);
	}
	for (i = 0; i < s->ncategories; i++) {
		const struct sp_policy_entry *e = &s->categories[i];

		if (category_known(cat, e->key))
			continue;
		snprintf(msg, sizeof(msg),
			 "policy '%s' line %u at %s: no rule has the category "
			 "'%s' (see 'safepip rules')",
			 layer_file(p, e->layer), e->line, e->path, e->key);
		add_warning(p, layer_file(p, e->layer), e->line, e->path, msg);
	}
	for (i = 0; i < s->nexceptions; i++) {
		const struct sp_policy_exception *e = &s->exceptions[i];

		for (j = 0; j < e->nrules; j++) {
			const char *id = e->rules[j];

			if (!strcmp(id, "*") || sp_policy_is_check(id) ||
			    sp_policy_is_advisory_id(id) || sp_catalog_find(cat, id))
				continue;
			snprintf(msg, sizeof(msg),
				 "policy '%s' line %u at %s.rules[%zu]: unknown "
				 "rule id '%s' (see 'safepip rules')",
				 layer_file(p, e->layer), e->line, e->path, j, id);
			add_warning(p, layer_file(p, e->layer), e->line, e->path, msg);
		}
	}
	return p->nwarnings - before;
}
