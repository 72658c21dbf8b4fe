#include "resolve/finder.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/xalloc.h"
#include "fetch/redact.h"
#include "req/filename.h"
#include "req/metadata.h"
#include "req/name.h"
#include "req/specifier.h"
#include "req/version.h"
#include "resolve/index.h"
#include "resolve/meta.h"
#include "resolve/pyproject.h"
#include "resolve/rangezip.h"
#include "resolve/setuppy.h"
#include "core/banned.h"

/* pip's Accept header: JSON preferred, HTML understood. */
#define ACCEPT "application/vnd.pypi.simple.v1+json, " \
	       "application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"

struct fproject {
	const char *key;
	bool loaded;
	int err;
	struct sp_diag diag;
	struct sp_index_page *pages; /* one per index */
	struct sp_project proj;
	const char **sources;        /* indexes that listed files */
	size_t nsources;
};

struct fmeta {
	const struct sp_pfile *file;
	bool done;
	int err;
	struct sp_diag diag;
	struct sp_metadata md;
	bool has_md;
	struct sp_pmeta pm;
	const char *path;            /* in the store, once downloaded */
	char sha256[SP_SHA256_HEX];
	/* METADATA read by range requests: checked against the file once downloaded */
	bool ranged;
	unsigned char md_sha256[SP_SHA256_LEN];
	/* sdists: their own files, read once */
	bool build_done;
	int build_err;
	struct sp_diag build_diag;
	struct sp_build_info build;
};

int sp_finder_init(struct sp_finder *f, const struct sp_finder_opts *o, struct sp_diag *d)
{
	(void)d;
	memset(f, 0, sizeof(*f));
	f->o = *o;
	sp_arena_init(&f->arena);
	return 0;
}

void sp_finder_release(struct sp_finder *f)
{
	size_t i, j;

	for (i = 0; i < f->nprojects; i++) {
		struct fproject *p = f->projects[i];

		for (j = 0; p->pages && j < f->o.nindexes; j++)
			sp_index_page_release(&p->pages[j]);
		free(p->pages);
		free(p->proj.files);
		free(p->sources);
		free(p);
	}
	free(f->projects);
	for (i = 0; i < f->nmetas; i++) {
		if (f->metas[i]->has_md)
			sp_metadata_release(&f->metas[i]->md);
		free(f->metas[i]);
	}
	free(f->metas);
	free(f->noranges);
	for (i = 0; i < f->nflpages; i++)
		sp_index_page_release(&f->flpages[i]);
	free(f->flpages);
	sp_arena_release(&f->arena);
	memset(f, 0, sizeof(*f));
}

/* --- which files a project may use: pip's LinkEvaluator --- */

/* Whether name is in a FormatControl list ("a,b", ":all:", ":none:"). */
static bool fc_has(const char *list, const char *key)
{
	char *copy, *tok, *save = NULL;
	bool hit = false;

	if (!list)
		return false;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok && !hit; tok = strtok_r(NULL, ",", &save)) {
		char *n = sp_name_normalize(tok);

		hit = strcmp(tok, ":all:") != 0 && strcmp(n, key) == 0;
		free(n);
	}
	free(copy);
	return hit;
}

static bool fc_all(const char *list)
{
	return list && strstr(list, ":all:") && !strstr(list, ":none:");
}

static bool allowed_format(struct sp_finder *f, const char *key, bool wheel)
{
	if (fc_has(f->o.only_binary, key))
		return wheel;
	if (fc_has(f->o.no_binary, key))
		return !wheel;
	if (fc_all(f->o.only_binary))
		return wheel;
	if (fc_all(f->o.no_binary))
		return !wheel;
	return true;
}

static bool python_fits(struct sp_finder *f, const char *requires_python)
{
	struct sp_arena a;
	struct sp_specset s;
	bool ok = true;

	if (!requires_python || f->o.ignore_requires_python)
		return true;
	sp_arena_init(&a);
	/* An invalid Requires-Python is ignored, as pip ignores it. */
	if (sp_specset_parse(&a, requires_python, strlen(requires_python), &s, NULL) == 0)
		ok = sp_specset_contains(&s, &f->o.python, false);
	sp_arena_release(&a);
	return ok;
}

static void consider(struct sp_finder *f, struct fproject *p, const struct sp_index_file *x,
		     size_t *cap)
{
	struct sp_pfile pf;
	size_t len = strlen(x->filename);

	memset(&pf, 0, sizeof(pf));
	pf.f = x;
	if (len > 4 && strcmp(x->filename + len - 4, ".whl") == 0) {
		struct sp_wheel_name w;
		size_t i;
		long best = -1;

		if (sp_wheel_name_parse(&f->arena, x->filename, &w, NULL) != 0 ||
		    strcmp(w.key, p->key) != 0)
			return;
		for (i = 0; i < w.ntags; i++) {
			char tag[256];
			long r;

			snprintf(tag, sizeof(tag), "%s-%s-%s", w.tags[i].python, w.tags[i].abi,
				 w.tags[i].platform);
			r = f->o.tag_priority(f->o.tag_ctx, tag);
			if (r >= 0 && (best < 0 || r < best))
				best = r;
		}
		if (best < 0)
			return;
		pf.wheel = true;
		pf.tag_pri = best;
		pf.version = w.version;
		pf.has_build = w.has_build;
		pf.build_num = (unsigned long)w.build_num;
		pf.build_rest = w.build_rest;
	} else {
		struct sp_sdist_name s;

		if (sp_sdist_name_parse(&f->arena, x->filename, p->key, &s, NULL) != 0)
			return;
		pf.version = s.version;
	}
	if (!allowed_format(f, p->key, pf.wheel) || !python_fits(f, x->requires_python))
		return;
	SP_GROW(p->proj.files, p->proj.nfiles + 1, *cap);
	p->proj.files[p->proj.nfiles++] = pf;
}

static void add_source(struct fproject *p, const char *index)
{
	size_t i;

	for (i = 0; i < p->nsources; i++)
		if (strcmp(p->sources[i], index) == 0)
			return;
	p->sources = xrealloc(p->sources, (p->nsources + 1) * sizeof(*p->sources));
	p->sources[p->nsources++] = index;
}

/* find-links first, then the indexes in order, as pip lists candidates. */
static void evaluate(struct sp_finder *f, struct fproject *p)
{
	size_t cap = 0, i, j, before;

	p->proj.key = p->key;
	p->proj.ntags = f->o.ntags;
	for (i = 0; i < f->nflpages; i++)
		for (j = 0; j < f->flpages[i].nfiles; j++)
			consider(f, p, &f->flpages[i].files[j], &cap);
	for (i = 0; i < f->o.nindexes; i++) {
		before = p->proj.nfiles;
		for (j = 0; j < p->pages[i].nfiles; j++)
			consider(f, p, &p->pages[i].files[j], &cap);
		if (p->proj.nfiles > before)
			add_source(p, f->o.indexes[i]);
	}
}

/* --- fetching pages --- */

struct page_job {
	struct sp_finder *f;
	struct fproject *p;
	struct sp_index_page *page;
	const char *shown; /* the URL for messages, redacted */
};

static void page_done(const struct sp_fetch_result *r, void *arg)
{
	struct page_job *j = arg;
	struct fproject *p = j->p;
	int err;

	j->f->pages_fetched++;
	if (r->err && r->status == 404)
		return; /* the index does not have the project */
	if (r->err) {
		if (!p->err) {
			p->err = r->err;
			sp_diag_set(&p->diag, r->err, "%s", r->diag ? r->diag->msg : "fetch failed");
		}
		return;
	}
	err = sp_index_parse(j->page, r->content_type, r->body->data, r->body->len, &p->diag);
	if (err && !p->err)
		p->err = err;
}

static struct fproject *project_slot(struct sp_finder *f, const char *key)
{
	struct fproject *p;
	size_t i;

	for (i = 0; i < f->nprojects; i++)
		if (strcmp(f->projects[i]->key, key) == 0)
			return f->projects[i];
	p = xcalloc(1, sizeof(*p));
	p->key = sp_arena_strdup(&f->arena, key);
	SP_GROW(f->projects, f->nprojects + 1, f->capprojects);
	f->projects[f->nprojects++] = p;
	return p;
}

static void fl_page_done(const struct sp_fetch_result *r, void *arg)
{
	struct page_job *j = arg;
	int err = r->err;

	if (!err)
		err = sp_index_parse_html(j->page, r->body->data, r->body->len, NULL);
	if (err)
		fprintf(stderr, "safepip: warning: cannot read find-links page '%s'\n", j->shown);
}

/*
 * Reads every find-links source once: a directory is listed, a file is
 * itself, a URL is a page of links.
 */
static void load_find_links(struct sp_finder *f, struct page_job *jobs)
{
	size_t i;

	f->flpages = xcalloc(f->o.nfind_links + 1, sizeof(*f->flpages));
	for (i = 0; i < f->o.nfind_links; i++) {
		const char *src = f->o.find_links[i];
		struct sp_index_page *pg = &f->flpages[f->nflpages++];
		struct stat st;

		if (strncmp(src, "file://", 7) == 0)
			src += 7;
		if (stat(src, &st) == 0 && S_ISDIR(st.st_mode)) {
			sp_index_page_init(pg, "file://");
			sp_index_scan_dir(pg, src, NULL);
		} else if (strstr(src, "://")) {
			struct sp_fetch_req rq = {0};

			sp_index_page_init(pg, src);
			jobs[i] = (struct page_job){f, NULL, pg, sp_arena_strdup(&f->arena, src)};
			rq.url = src;
			rq.size = -1;
			rq.sink = SP_SINK_MEMORY;
			rq.accept = "text/html";
			rq.use_cache = true;
			rq.done = fl_page_done;
			rq.arg = &jobs[i];
			sp_fetch_add(f->o.fetch, &rq, NULL);
		} else {
			sp_index_page_init(pg, "file://");
		}
	}
}

/* Fetches the pages of every key not loaded yet, all in one parallel run. */
static void load_projects(struct sp_finder *f, const char *const *keys, size_t n)
{
	struct page_job *jobs = xcalloc(n * f->o.nindexes + f->o.nfind_links + 1, sizeof(*jobs));
	struct page_job *fljobs = jobs + n * f->o.nindexes;
	struct fproject **todo = xcalloc(n + 1, sizeof(*todo));
	size_t i, k, ntodo = 0, nj = 0;

	if (!f->fl_loaded)
		load_find_links(f, fljobs);
	for (k = 0; k < n; k++) {
		struct fproject *p = project_slot(f, keys[k]);

		if (p->loaded)
			continue;
		p->loaded = true;
		todo[ntodo++] = p;
		p->pages = xcalloc(f->o.nindexes + 1, sizeof(*p->pages));
		for (i = 0; i < f->o.nindexes; i++) {
			const char *base = f->o.indexes[i];
			size_t bl = strlen(base);
			char *url = xasprintf("%.*s/%s/", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl),
					      base, p->key);
			struct sp_fetch_req rq = {0};

			sp_index_page_init(&p->pages[i], url);
			jobs[nj] = (struct page_job){f, p, &p->pages[i], NULL};
			rq.url = url;
			rq.accept = ACCEPT;
			rq.size = -1;
			rq.sink = SP_SINK_MEMORY;
			rq.use_cache = true;
			rq.done = page_done;
			rq.arg = &jobs[nj++];
			if (sp_fetch_add(f->o.fetch, &rq, &p->diag) < 0 && !p->err)
				p->err = SP_EINVAL;
			free(url);
		}
	}
	sp_fetch_run(f->o.fetch);
	f->fl_loaded = true;
	for (k = 0; k < ntodo; k++)
		if (!todo[k]->err)
			evaluate(f, todo[k]);
	free(todo);
	free(jobs);
}

void sp_finder_prefetch(struct sp_finder *f, const char *const *keys, size_t n)
{
	load_projects(f, keys, n);
}

static int get_project(void *ctx, const char *key, const struct sp_project **out,
		       struct sp_diag *d)
{
	struct sp_finder *f = ctx;
	struct fproject *p = project_slot(f, key);

	if (!p->loaded)
		load_projects(f, &key, 1);
	if (p->err) {
		if (d)
			*d = p->diag;
		return p->err;
	}
	*out = &p->proj;
	return 0;
}

size_t sp_finder_sources(struct sp_finder *f, const char *key, const char *const **out)
{
	struct fproject *p = project_slot(f, key);

	*out = p->sources;
	return p->nsources;
}

/* --- metadata --- */

static struct fmeta *meta_slot(struct sp_finder *f, const struct sp_pfile *file)
{
	struct fmeta *m;
	size_t i;

	for (i = 0; i < f->nmetas; i++)
		if (f->metas[i]->file == file)
			return f->metas[i];
	m = xcalloc(1, sizeof(*m));
	m->file = file;
	SP_GROW(f->metas, f->nmetas + 1, f->capmetas);
	f->metas[f->nmetas++] = m;
	return m;
}

static int meta_fail(struct fmeta *m, int err, const struct sp_diag *src)
{
	m->done = true;
	m->err = err;
	if (src && src != &m->diag)
		m->diag = *src;
	return err;
}

/* m->pm from the parsed m->md. */
static int pm_from_md(struct sp_finder *f, struct fmeta *m)
{
	struct sp_requirement **reqs;
	const char **extras;
	size_t n, i;
	int err;

	err = sp_metadata_requirements(&m->md, &f->arena, &reqs, &n, &m->diag);
	if (err)
		return meta_fail(m, err, NULL);
	extras = sp_arena_alloc(&f->arena, (m->md.nprovides_extra + 1) * sizeof(*extras));
	for (i = 0; i < m->md.nprovides_extra; i++) {
		char *e = sp_name_normalize(m->md.provides_extra[i]);

		extras[i] = sp_arena_strdup(&f->arena, e);
		free(e);
	}
	m->pm.name = m->md.name;
	m->pm.version = m->md.version_text;
	m->pm.requires = (const struct sp_requirement *const *)reqs;
	m->pm.nrequires = n;
	m->pm.requires_python = m->md.requires_python;
	m->pm.extras = extras;
	m->pm.nextras = m->md.nprovides_extra;
	m->done = true;
	return 0;
}

static int md_load(struct fmeta *m, const char *data, size_t len)
{
	int err;

	m->has_md = true;
	err = sp_metadata_parse(&m->md, data, len, &m->diag);
	if (err) {
		char *shown = sp_redact_url(m->file->f->url), msg[SP_DIAG_TEXT];

		/* Copied first: the message is rewritten in place. */
		snprintf(msg, sizeof(msg), "%s", m->diag.msg);
		sp_diag_set(&m->diag, err, "bad metadata in '%s': %s", shown, msg);
		free(shown);
		return meta_fail(m, err, NULL);
	}
	return 0;
}

/* Parses a wheel's metadata bytes (PEP 658 file or METADATA) into m->pm. */
static int meta_parse(struct sp_finder *f, struct fmeta *m, const char *data, size_t len)
{
	int err = md_load(m, data, len);

	return err ? err : pm_from_md(f, m);
}

/* --- sdists: metadata and build information without running anything --- */

static int unknown_deps(struct fmeta *m, const char *why)
{
	const char *fn = m->file->f->filename;

	int err = sp_diag_set(&m->diag, SP_EUNSUPPORTED,
			      "cannot know what '%s' depends on without running its build (%s); "
			      "safepip never runs a package's code to find out: use a version "
			      "that has a wheel (--only-binary :all:), or pin its dependencies "
			      "yourself and pass --no-deps", fn, why);

	return meta_fail(m, err, NULL);
}

/*
 * Whether setup.cfg may declare what setup.py leaves out. It is not read;
 * any mention of the three options makes the dependencies unknown.
 */
static bool cfg_declares(const char *cfg)
{
	return cfg && (strstr(cfg, "install_requires") || strstr(cfg, "extras_require") ||
		       strstr(cfg, "python_requires"));
}

/* "req ; (own marker) and extra == "x"", parsed. */
static int with_extra(struct sp_finder *f, const char *text, const char *extra,
		      const char *key_marker, struct sp_requirement **out, struct sp_diag *d)
{
	struct sp_requirement *r;
	struct sp_marker *own;
	struct sp_buf b;
	int err;

	if ((err = sp_requirement_parse(&f->arena, text, strlen(text), &r, d)))
		return err;
	own = r->marker;
	r->marker = NULL;
	sp_buf_init(&b, 64 * 1024);
	sp_requirement_format(r, &b);
	sp_buf_addstr(&b, r->url ? " ; " : "; ");
	if (own) {
		sp_buf_addstr(&b, "(");
		sp_marker_format(own, &b);
		sp_buf_addstr(&b, ") and ");
	}
	if (key_marker)
		sp_buf_addf(&b, "(%s) and ", key_marker);
	if (sp_buf_addf(&b, "extra == \"%s\"", extra) < 0)
		err = sp_diag_set(d, SP_ELIMIT, "requirement too long");
	else
		err = sp_requirement_parse(&f->arena, b.data, b.len, out, d);
	sp_buf_release(&b);
	return err;
}

/* m->pm from static lists: dependencies, extras, Requires-Python. */
static int pm_from_lists(struct sp_finder *f, struct fmeta *m, const char *source,
			 const char *const *deps, size_t ndeps,
			 const struct sp_static_extra *extras, size_t nextras, const char *rp,
			 const char *name)
{
	struct sp_requirement **reqs;
	const char **enames;
	size_t i, j, n = ndeps;
	char vtext[SP_VERSION_TEXT_MAX];
	int err = 0;

	for (i = 0; i < nextras; i++)
		n += extras[i].nreqs;
	reqs = sp_arena_alloc(&f->arena, (n + 1) * sizeof(*reqs));
	enames = sp_arena_alloc(&f->arena, (nextras + 1) * sizeof(*enames));
	for (i = 0; i < ndeps && !err; i++)
		err = sp_requirement_parse(&f->arena, deps[i], strlen(deps[i]), &reqs[i], &m->diag);
	for (i = 0, n = ndeps; i < nextras && !err; i++) {
		const char *colon = strchr(extras[i].name, ':');
		char *plain = xstrndup(extras[i].name, colon ? (size_t)(colon - extras[i].name)
							     : strlen(extras[i].name));
		char *key = sp_name_normalize(plain);

		enames[i] = sp_arena_strdup(&f->arena, key);
		for (j = 0; j < extras[i].nreqs && !err; j++)
			err = with_extra(f, extras[i].reqs[j], key, colon ? colon + 1 : NULL,
					 &reqs[n++], &m->diag);
		free(key);
		free(plain);
	}
	if (err) {
		char msg[SP_DIAG_TEXT];

		snprintf(msg, sizeof(msg), "%s", m->diag.msg);
		return meta_fail(m, sp_diag_set(&m->diag, err, "bad requirement in %s of '%s': %s",
						source, m->file->f->filename, msg), NULL);
	}
	sp_version_format(&m->file->version, vtext, sizeof(vtext));
	m->pm.name = name;
	m->pm.version = sp_arena_strdup(&f->arena, vtext);
	m->pm.requires = (const struct sp_requirement *const *)reqs;
	m->pm.nrequires = n;
	m->pm.requires_python = rp;
	m->pm.extras = enames;
	m->pm.nextras = nextras;
	m->done = true;
	return 0;
}

/*
 * The sdist's dependencies when PKG-INFO does not promise them: each of
 * dependencies, optional-dependencies and requires-python from a static
 * [project] table, else from setup.py's literal arguments when setuptools
 * builds it, else unknown.
 */
static int static_deps(struct sp_finder *f, struct fmeta *m, const struct sp_sdist_files *sf,
		       const struct sp_pyproject *pp)
{
	const char *const *deps = NULL, *rp = NULL, *name;
	const struct sp_static_extra *extras = NULL;
	size_t ndeps = 0, nextras = 0;
	bool project = pp && pp->has_project;
	bool need_deps = true, need_extras = true, need_rp = true, setuptools;
	struct sp_setuppy su;
	struct sp_diag sd;
	char why[SP_DIAG_TEXT];

	if (project && !sp_pyproject_is_dynamic(pp, "dependencies")) {
		deps = pp->dependencies;
		ndeps = pp->ndependencies;
		need_deps = false;
	}
	if (project && !sp_pyproject_is_dynamic(pp, "optional-dependencies")) {
		extras = pp->extras;
		nextras = pp->nextras;
		need_extras = false;
	}
	if (project && !sp_pyproject_is_dynamic(pp, "requires-python")) {
		rp = pp->requires_python;
		need_rp = false;
	}
	name = m->has_md && m->md.name ? m->md.name : project && pp->name ? pp->name
		: m->file->f->filename;
	if (!need_deps && !need_extras && !need_rp)
		return pm_from_lists(f, m, "pyproject.toml", deps, ndeps, extras, nextras, rp,
				     name);
	setuptools = !pp || !pp->build_backend ||
		     strcmp(pp->build_backend, "setuptools.build_meta") == 0 ||
		     strcmp(pp->build_backend, "setuptools.build_meta:__legacy__") == 0;
	if (!sf->data[SP_SDIST_SETUP_PY] || !setuptools) {
		snprintf(why, sizeof(why), "%s",
			 project ? "its pyproject.toml lists them as dynamic"
			 : !pp ? "it has neither PKG-INFO 2.2+ with static dependencies, a "
				 "pyproject.toml nor a setup.py"
			 : "its pyproject.toml has no [project] table");
		return unknown_deps(m, why);
	}
	if (cfg_declares(sf->data[SP_SDIST_SETUP_CFG]))
		return unknown_deps(m, "its setup.cfg declares them, and safepip does not read "
				    "setup.cfg");
	if (sf->too_large[SP_SDIST_SETUP_PY])
		return unknown_deps(m, "its setup.py is too large to read");
	sp_diag_clear(&sd);
	if (sp_setuppy_parse(&f->arena, sf->data[SP_SDIST_SETUP_PY], sf->len[SP_SDIST_SETUP_PY],
			     &su, &sd) != 0) {
		if (sd.line)
			snprintf(why, sizeof(why), "%.400s, line %u", sd.msg, sd.line);
		else
			snprintf(why, sizeof(why), "%.400s", sd.msg);
		return unknown_deps(m, why);
	}
	/*
	 * With a [project] table, a field that is dynamic but not passed to
	 * setup() may come from [tool.setuptools.dynamic], which is not read.
	 */
	if ((need_deps && project && !su.has_install_requires) ||
	    (need_extras && project && !su.has_extras_require) ||
	    (need_rp && project && !su.python_requires))
		return unknown_deps(m, "its pyproject.toml lists them as dynamic and setup.py does "
				    "not pass them to setup()");
	if (need_deps) {
		deps = su.install_requires;
		ndeps = su.ninstall_requires;
	}
	if (need_extras) {
		extras = su.extras;
		nextras = su.nextras;
	}
	if (need_rp)
		rp = su.python_requires;
	return pm_from_lists(f, m, project ? "pyproject.toml and setup.py" : "setup.py", deps,
			     ndeps, extras, nextras, rp, name);
}

static const char *const default_build_requires[] = {"setuptools>=40.8.0", "wheel"};

static void build_fail(struct fmeta *m, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void build_fail(struct fmeta *m, int err, const char *fmt, ...)
{
	va_list ap;

	m->build_done = true;
	m->build_err = err;
	va_start(ap, fmt);
	vsnprintf(m->build_diag.msg, sizeof(m->build_diag.msg), fmt, ap);
	va_end(ap);
}

/* pip 23.2's reading of [build-system] (pyproject.py: load_pyproject_toml). */
static void build_from(struct sp_finder *f, struct fmeta *m, bool has_pyproject,
		       const struct sp_pyproject *pp)
{
	struct sp_build_info *b = &m->build;
	const char *const *texts = default_build_requires;
	struct sp_requirement **reqs;
	size_t i, n = 2;
	struct sp_diag rd;

	b->has_pyproject = has_pyproject;
	b->default_requires = true;
	if (pp && pp->has_build_system) {
		if (!pp->has_build_requires)
			return build_fail(m, SP_EFORMAT, "'%s' has an invalid pyproject.toml: "
					  "[build-system] has no 'requires' (pip refuses to build "
					  "it)", m->file->f->filename);
		texts = pp->build_requires;
		n = pp->nbuild_requires;
		b->default_requires = false;
		b->backend = pp->build_backend;
	}
	reqs = sp_arena_alloc(&f->arena, (n + 1) * sizeof(*reqs));
	for (i = 0; i < n; i++) {
		sp_diag_clear(&rd);
		if (sp_requirement_parse(&f->arena, texts[i], strlen(texts[i]), &reqs[i], &rd))
			return build_fail(m, SP_EFORMAT, "'%s' has an invalid build requirement "
					  "'%.200s' in pyproject.toml: %.200s", m->file->f->filename,
					  texts[i], rd.msg);
	}
	b->requires = (const struct sp_requirement *const *)reqs;
	b->nrequires = n;
	b->setuptools_backend = !b->backend || strcmp(b->backend, "setuptools.build_meta") == 0 ||
				strcmp(b->backend, "setuptools.build_meta:__legacy__") == 0;
	m->build_done = true;
}

/*
 * Reads the sdist at m->path once: its build information and, unless
 * known already, its metadata: PKG-INFO when it is static, else
 * static_deps().
 */
static void sdist_read(struct sp_finder *f, struct fmeta *m)
{
	struct sp_sdist_files sf;
	struct sp_pyproject pp;
	bool have_pp = false;
	int err;

	err = sp_sdist_files_read(m->path, &sf, &m->build_diag);
	if (!err && sf.too_large[SP_SDIST_PYPROJECT])
		err = sp_diag_set(&m->build_diag, SP_ELIMIT, "the pyproject.toml of '%s' is "
				  "larger than %d bytes", m->file->f->filename,
				  SP_MAX_PYPROJECT_BYTES);
	if (!err && sf.data[SP_SDIST_PYPROJECT]) {
		err = sp_pyproject_parse(&f->arena, sf.data[SP_SDIST_PYPROJECT],
					 sf.len[SP_SDIST_PYPROJECT], &pp, &m->build_diag);
		if (err) {
			char msg[SP_DIAG_TEXT];

			snprintf(msg, sizeof(msg), "%s", m->build_diag.msg);
			sp_diag_set(&m->build_diag, err,
				    "cannot read the pyproject.toml of '%s': %s",
				    m->file->f->filename, msg);
		}
		have_pp = !err;
	}
	if (err) {
		m->build_done = true;
		m->build_err = err;
		if (!m->done)
			meta_fail(m, err, &m->build_diag);
		goto out;
	}
	build_from(f, m, sf.data[SP_SDIST_PYPROJECT] != NULL, have_pp ? &pp : NULL);
	if (m->done)
		goto out;
	if (sf.too_large[SP_SDIST_PKG_INFO]) {
		meta_fail(m, sp_diag_set(&m->diag, SP_ELIMIT, "the PKG-INFO of '%s' is larger "
					 "than %d bytes", m->file->f->filename,
					 SP_MAX_METADATA_BYTES), NULL);
		goto out;
	}
	if (sf.data[SP_SDIST_PKG_INFO]) {
		if (md_load(m, sf.data[SP_SDIST_PKG_INFO], sf.len[SP_SDIST_PKG_INFO]))
			goto out;
		if (sp_metadata_requires_dist_is_static(&m->md)) {
			pm_from_md(f, m);
			goto out;
		}
	}
	static_deps(f, m, &sf, have_pp ? &pp : NULL);
out:
	sp_sdist_files_release(&sf);
}

struct meta_job {
	struct sp_finder *f;
	struct fmeta *m;
	bool whole;	    /* the file itself, into the store */
	const char *url;    /* the file's */
	struct sp_rzip *z;  /* range requests under way */
};

static void meta_done(const struct sp_fetch_result *r, void *arg);

/* A request for the whole file into the store, checked against the index's size and hash. */
static void whole_req(const struct sp_index_file *x, char hex[SP_SHA256_HEX],
		      struct sp_fetch_req *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->url = x->url;
	rq->sink = SP_SINK_STORE;
	rq->size = x->size;
	if (x->has_sha256) {
		sp_hex(x->sha256, SP_SHA256_LEN, hex);
		rq->sha256 = hex;
	}
}

/* The file whole, into the store (hash checked): it serves the install too. */
static void queue_whole(struct meta_job *j)
{
	struct sp_fetch_req rq;
	char hex[SP_SHA256_HEX];

	j->whole = true;
	whole_req(j->m->file->f, hex, &rq);
	rq.done = meta_done;
	rq.arg = j;
	if (sp_fetch_add(j->f->o.fetch, &rq, &j->m->diag) < 0)
		meta_fail(j->m, SP_EINVAL, NULL);
}

/* "scheme://host:port" of a URL: where range support was learnt. */
static size_t origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (!p)
		return strlen(url);
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

static bool ranges_refused(const struct sp_finder *f, const char *url)
{
	size_t i, n = origin_len(url);

	for (i = 0; i < f->nnoranges; i++)
		if (strlen(f->noranges[i]) == n && !strncmp(f->noranges[i], url, n))
			return true;
	return false;
}

static void refuse_ranges(struct sp_finder *f, const char *url)
{
	if (ranges_refused(f, url))
		return;
	f->noranges = xrealloc(f->noranges, (f->nnoranges + 1) * sizeof(*f->noranges));
	f->noranges[f->nnoranges++] = sp_arena_strndup(&f->arena, url, origin_len(url));
}

static void range_done(const struct sp_fetch_result *r, void *arg);

static void queue_range(struct meta_job *j, int64_t start, int64_t len)
{
	struct sp_fetch_req rq = {0};
	struct sp_diag d;

	rq.url = j->url;
	rq.sink = SP_SINK_MEMORY;
	rq.size = -1;
	rq.range_start = start;
	rq.range_len = len;
	rq.done = range_done;
	rq.arg = j;
	sp_diag_clear(&d);
	if (sp_fetch_add(j->f->o.fetch, &rq, &d) < 0)
		queue_whole(j);
}

/*
 * One answer of a wheel read by ranges: the next range, the metadata, or
 * (anything unusual: no range support, an odd zip, too many rounds) the
 * whole file, whose reader has the established checks and messages.
 */
static void range_done(const struct sp_fetch_result *r, void *arg)
{
	struct meta_job *j = arg;
	struct fmeta *m = j->m;
	const char *why = NULL;
	struct sp_diag d;
	int64_t off = 0, len = 0;
	char *md = NULL;
	size_t mdlen = 0;

	sp_diag_clear(&d);
	j->f->ranges_fetched++;
	if (r->err) {
		if (r->status == 200)
			refuse_ranges(j->f, j->url);
		why = r->diag->msg;
		goto whole;
	}
	/* Every part must be of one file, of the size the index gave when it gave one. */
	if ((m->file->f->size >= 0 && r->range_total != m->file->f->size) ||
	    (j->z && r->range_total != sp_rzip_total(j->z))) {
		why = "the server's parts are of a file of another size";
		goto whole;
	}
	if (!j->z)
		j->z = sp_rzip_new(r->range_total);
	if (sp_rzip_add(j->z, r->range_start, r->body->data, r->body->len) != 0) {
		why = "a part lies outside the file";
		goto whole;
	}
	j->f->range_bytes += (uint64_t)r->body->len;
	switch (sp_rzip_step(j->z, &off, &len, &md, &mdlen, &d)) {
	case SP_RZIP_MORE:
		queue_range(j, off, len);
		return;
	case SP_RZIP_DONE:
		sp_rzip_free(j->z);
		j->z = NULL;
		j->f->metadata_fetched++;
		m->ranged = true;
		sp_sha256(md, mdlen, m->md_sha256);
		meta_parse(j->f, m, md, mdlen);
		free(md);
		return;
	case SP_RZIP_GIVE_UP:
		why = d.msg;
		break;
	}
whole:
	if (j->f->o.log)
		fprintf(j->f->o.log, "safepip: reading '%s' whole for its METADATA: %s\n",
			m->file->f->filename, why);
	sp_rzip_free(j->z);
	j->z = NULL;
	queue_whole(j);
}

static void meta_done(const struct sp_fetch_result *r, void *arg)
{
	struct meta_job *j = arg;
	struct fmeta *m = j->m;
	char *data = NULL;
	size_t len = 0;
	int err;

	if (r->err) {
		meta_fail(m, r->err, r->diag);
		return;
	}
	if (!j->whole) {
		j->f->metadata_fetched++;
		meta_parse(j->f, m, r->body->data, r->body->len);
		return;
	}
	j->f->files_fetched++;
	m->path = sp_arena_strdup(&j->f->arena, r->path);
	snprintf(m->sha256, sizeof(m->sha256), "%s", r->sha256);
	if (!m->file->wheel) {
		sdist_read(j->f, m);
		return;
	}
	err = sp_meta_read(r->path, true, &data, &len, &m->diag);
	if (err) {
		meta_fail(m, err, NULL);
		return;
	}
	meta_parse(j->f, m, data, len);
	free(data);
}

/*
 * Whether to read a wheel's METADATA by range requests: a large wheel (or
 * one of unknown size) from a server not known to refuse them, and not
 * already in the store.
 */
static bool want_ranges(struct sp_finder *f, const struct sp_pfile *file)
{
	const struct sp_index_file *x = file->f;
	char hex[SP_SHA256_HEX], *path;
	bool found;

	if (!file->wheel || (x->size >= 0 && x->size < SP_RANGE_MIN_FILE_BYTES) ||
	    strncmp(x->url, "http", 4) != 0 || ranges_refused(f, x->url))
		return false;
	/* In the store already: the whole download is checked there, without a request. */
	if (x->has_sha256 && f->o.store) {
		sp_hex(x->sha256, SP_SHA256_LEN, hex);
		path = sp_store_path(f->o.store, hex);
		found = path && access(path, F_OK) == 0;
		free(path);
		if (found)
			return false;
	}
	return true;
}

/* Fetches the metadata of every file not done yet, in one parallel run. */
static void load_metas(struct sp_finder *f, const struct sp_pfile *const *files, size_t n)
{
	struct meta_job *jobs = xcalloc(n + 1, sizeof(*jobs));
	char **urls = xcalloc(n + 1, sizeof(*urls));
	size_t i, nj = 0;

	for (i = 0; i < n; i++) {
		struct fmeta *m = meta_slot(f, files[i]);
		const struct sp_index_file *x = files[i]->f;
		struct sp_fetch_req rq = {0};
		char hex[SP_SHA256_HEX];
		struct meta_job *j = &jobs[nj];

		if (m->done || m->err)
			continue;
		nj++;
		*j = (struct meta_job){f, m, false, x->url, NULL};
		/*
		 * An sdist is always fetched whole: its build information is needed
		 * anyway, and a PEP 658 file of one may not say its dependencies.
		 */
		if (!files[i]->wheel) {
			queue_whole(j);
			continue;
		}
		if (!x->has_metadata) {
			if (want_ranges(f, files[i]))
				queue_range(j, -1, SP_RANGE_TAIL_BYTES);
			else
				queue_whole(j);
			continue;
		}
		/* PEP 658: the metadata file next to the distribution. */
		urls[i] = xasprintf("%s.metadata", x->url);
		rq.url = urls[i];
		rq.size = -1;
		rq.sink = SP_SINK_MEMORY;
		rq.max_bytes = SP_MAX_METADATA_BYTES;
		/* Cached: a pinned copy needs no request, another only a 304. */
		rq.use_cache = true;
		if (x->metadata_has_sha256) {
			sp_hex(x->metadata_sha256, SP_SHA256_LEN, hex);
			rq.sha256 = hex;
		}
		rq.done = meta_done;
		rq.arg = j;
		if (sp_fetch_add(f->o.fetch, &rq, &m->diag) < 0)
			meta_fail(m, SP_EINVAL, NULL);
	}
	if (nj)
		sp_fetch_run(f->o.fetch);
	for (i = 0; i < nj; i++)
		sp_rzip_free(jobs[i].z);
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(jobs);
}

static int get_metadata(void *ctx, const struct sp_project *p, const struct sp_pfile *file,
			const struct sp_pmeta **out, struct sp_diag *d)
{
	struct sp_finder *f = ctx;
	struct fmeta *m = meta_slot(f, file);

	(void)p;
	if (!m->done)
		load_metas(f, &file, 1);
	if (!m->done && !m->err)
		meta_fail(m, sp_diag_set(&m->diag, SP_EINTERNAL, "no metadata for '%s'",
					 file->f->filename), NULL);
	if (m->err) {
		if (d)
			*d = m->diag;
		return m->err;
	}
	*out = &m->pm;
	return 0;
}

void sp_finder_source(struct sp_finder *f, struct sp_psource *out)
{
	out->ctx = f;
	out->project = get_project;
	out->metadata = get_metadata;
}

/* --- downloads for scanning and installing --- */

struct dl_job {
	struct sp_finder *f;
	struct fmeta *m;
	int err;
	struct sp_diag diag;
};

/*
 * The METADATA inside a downloaded wheel must be the one its server sent
 * in parts: the resolution was made with that one, and only the whole
 * file's hash was vouched for by the index.
 */
static int same_metadata(const struct fmeta *m, const char *path, struct sp_diag *d)
{
	unsigned char dig[SP_SHA256_LEN];
	char *data = NULL;
	size_t len = 0;
	int err;

	err = sp_meta_read(path, true, &data, &len, d);
	if (err)
		return err;
	sp_sha256(data, len, dig);
	free(data);
	if (memcmp(dig, m->md_sha256, sizeof(dig)) != 0)
		return sp_diag_set(d, SP_EHASH, "the METADATA inside '%s' differs from the one "
				   "its server sent by range requests, which the resolution used "
				   "(a server or cache serving mixed copies): run again, and "
				   "report it to the index's operator if it persists",
				   m->file->f->filename);
	return 0;
}

static void dl_done(const struct sp_fetch_result *r, void *arg)
{
	struct dl_job *j = arg;

	if (r->err) {
		j->err = r->err;
		if (r->diag)
			j->diag = *r->diag;
		return;
	}
	if (j->m->ranged && (j->err = same_metadata(j->m, r->path, &j->diag)))
		return;
	j->f->files_fetched++;
	j->m->path = sp_arena_strdup(&j->f->arena, r->path);
	snprintf(j->m->sha256, sizeof(j->m->sha256), "%s", r->sha256);
}

int sp_finder_download(struct sp_finder *f, const struct sp_pfile *const *files, size_t n,
		       const char **paths, const char **sha256, struct sp_diag *d)
{
	struct dl_job *jobs = xcalloc(n + 1, sizeof(*jobs));
	size_t i, nj = 0;
	int err = 0;

	for (i = 0; i < n; i++) {
		struct fmeta *m = meta_slot(f, files[i]);
		struct sp_fetch_req rq;
		char hex[SP_SHA256_HEX];

		if (m->path)
			continue;
		jobs[nj] = (struct dl_job){f, m, 0, {{0}}};
		whole_req(files[i]->f, hex, &rq);
		rq.done = dl_done;
		rq.arg = &jobs[nj];
		err = sp_fetch_add(f->o.fetch, &rq, d);
		if (err < 0)
			goto out;
		nj++;
	}
	if (nj)
		sp_fetch_run(f->o.fetch);
	for (i = 0; i < nj; i++) {
		if (jobs[i].err) {
			err = jobs[i].err;
			if (d)
				*d = jobs[i].diag;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		struct fmeta *m = meta_slot(f, files[i]);

		paths[i] = m->path;
		sha256[i] = m->sha256;
	}
out:
	free(jobs);
	return err;
}

int sp_finder_build_info(struct sp_finder *f, const struct sp_pfile *file,
			 const struct sp_build_info **out, struct sp_diag *d)
{
	struct fmeta *m = meta_slot(f, file);
	const char *path, *sha;
	int err;

	if (file->wheel)
		return sp_diag_set(d, SP_EINTERNAL, "'%s' is a wheel: it has no build",
				   file->f->filename);
	if (!m->build_done) {
		if (!m->path && (err = sp_finder_download(f, &file, 1, &path, &sha, d)))
			return err;
		sdist_read(f, m);
	}
	if (m->build_err) {
		if (d)
			*d = m->build_diag;
		return m->build_err;
	}
	*out = &m->build;
	return 0;
}
