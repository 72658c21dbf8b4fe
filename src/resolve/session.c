#include "resolve/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "fetch/progress.h"
#include "fetch/redact.h"
#include "req/metadata.h"
#include "req/name.h"
#include "req/specifier.h"
#include "core/banned.h"

#define PYPI "https://pypi.org/simple/"

static long tag_priority(void *ctx, const char *tag)
{
	return sp_target_tag_priority(ctx, tag);
}

/* The CA bundle as pip's requests would pick it. */
static const char *ca_bundle(const struct sp_pipconf *c)
{
	static const char *const vars[] = {"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"};
	const char *v = sp_pipconf_str(c, SP_PIPOPT_CERT);
	size_t i;

	for (i = 0; !v && i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((v = getenv(vars[i])) && !*v)
			v = NULL;
	return v;
}

static int check_url(const char *what, const char *url, bool allow_http, struct sp_diag *d)
{
	char *shown;
	int err = 0;

	if (strncmp(url, "https://", 8) == 0 || !strstr(url, "://") ||
	    strncmp(url, "file://", 7) == 0)
		return 0;
	if (strncmp(url, "http://", 7) == 0 && allow_http)
		return 0;
	shown = sp_redact_url(url);
	err = sp_diag_set(d, SP_EUSAGE, "refusing %s '%s': only https is allowed (a policy may "
			  "allow plain http)", what, shown);
	free(shown);
	return err;
}

static void set_env(struct sp_session *s)
{
	const struct sp_target *t = &s->target;

	memset(&s->env, 0, sizeof(s->env));
	s->env.python_version = sp_target_marker(t, "python_version");
	s->env.python_full_version = sp_target_marker(t, "python_full_version");
	s->env.os_name = sp_target_marker(t, "os_name");
	s->env.sys_platform = sp_target_marker(t, "sys_platform");
	s->env.platform_release = sp_target_marker(t, "platform_release");
	s->env.platform_system = sp_target_marker(t, "platform_system");
	s->env.platform_version = sp_target_marker(t, "platform_version");
	s->env.platform_machine = sp_target_marker(t, "platform_machine");
	s->env.platform_python_implementation =
		sp_target_marker(t, "platform_python_implementation");
	s->env.implementation_name = sp_target_marker(t, "implementation_name");
	s->env.implementation_version = sp_target_marker(t, "implementation_version");
}

/* The installed distributions with their dependencies, for pip's "keep it" rules. */
static void read_installed(struct sp_session *s)
{
	size_t i, n = 0;

	s->installed = sp_arena_alloc(&s->arena, (s->target.n_installed + 1) *
						   sizeof(*s->installed));
	for (i = 0; i < s->target.n_installed; i++) {
		const struct sp_dist *dist = &s->target.installed[i];
		struct sp_pinstalled *in = &s->installed[n];
		struct sp_pmeta *pm = sp_arena_alloc(&s->arena, sizeof(*pm));
		struct sp_metadata md;
		struct sp_requirement **reqs = NULL;
		struct sp_buf b;
		char *path;
		size_t nreqs = 0;

		if (sp_version_parse(&in->version, dist->version, strlen(dist->version), NULL))
			continue;
		sp_buf_init(&b, SP_MAX_METADATA_BYTES);
		path = xasprintf("%s/METADATA", dist->path);
		if (sp_file_read(path, SP_MAX_METADATA_BYTES, &b, NULL) != 0) {
			free(path);
			path = xasprintf("%s/PKG-INFO", dist->path);
			sp_file_read(path, SP_MAX_METADATA_BYTES, &b, NULL);
		}
		free(path);
		/*
		 * Unreadable metadata: the distribution is kept without dependencies.
		 * The requirements are parsed into the session's arena, so the
		 * metadata itself can go.
		 */
		if (b.len) {
			if (sp_metadata_parse(&md, b.data, b.len, NULL) == 0)
				sp_metadata_requirements(&md, &s->arena, &reqs, &nreqs, NULL);
			sp_metadata_release(&md);
		}
		sp_buf_release(&b);
		pm->name = dist->name;
		pm->version = dist->version;
		pm->requires = (const struct sp_requirement *const *)reqs;
		pm->nrequires = reqs ? nreqs : 0;
		in->key = dist->key;
		in->meta = pm;
		n++;
	}
	s->prov.o.installed = s->installed;
	s->prov.o.ninstalled = n;
}

int sp_session_open(struct sp_session *s, const struct sp_session_opts *o, struct sp_diag *d)
{
	const struct sp_pipconf *c = o->conf;
	const struct sp_pipconf_value *extra = &c->v[SP_PIPOPT_EXTRA_INDEX_URL];
	const struct sp_pipconf_value *fl = &c->v[SP_PIPOPT_FIND_LINKS];
	const struct sp_pipconf_value *th = &c->v[SP_PIPOPT_TRUSTED_HOST];
	struct sp_fetch_opts fo;
	struct sp_finder_opts fio;
	struct sp_target_opts to = {0};
	struct sp_provider_opts po = {0};
	struct sp_psource src;
	const char *strategy;
	char *root = NULL;
	size_t i;
	int err;

	memset(s, 0, sizeof(*s));
	s->o = *o;
	sp_arena_init(&s->arena);
	if (th->n && !o->allow_http) {
		err = sp_diag_set(d, SP_EUSAGE, "refusing --trusted-host '%s' (from %s): safepip "
				  "always verifies TLS (a policy may allow a trusted host)",
				  th->items[0], sp_pipconf_origin_name(th->origin));
		goto out;
	}
	/* Indexes: --index-url (PyPI by default) then --extra-index-url, unless --no-index. */
	s->indexes = sp_arena_alloc(&s->arena, (extra->n + 2) * sizeof(*s->indexes));
	if (!sp_pipconf_bool(c, SP_PIPOPT_NO_INDEX)) {
		const char *iu = sp_pipconf_str(c, SP_PIPOPT_INDEX_URL);

		s->indexes[s->nindexes++] = iu ? iu : PYPI;
		for (i = 0; i < extra->n; i++)
			s->indexes[s->nindexes++] = extra->items[i];
	}
	for (i = 0; i < s->nindexes; i++)
		if ((err = check_url("index", s->indexes[i], o->allow_http, d)))
			goto out;
	for (i = 0; i < fl->n; i++)
		if ((err = check_url("find-links", fl->items[i], o->allow_http, d)))
			goto out;

	if ((err = sp_target_probe(&s->target, o->python, &to, d)))
		goto out;
	s->have_target = true;
	set_env(s);

	if (o->cache_root)
		root = xasprintf("%s/artifacts", o->cache_root);
	if ((err = sp_store_open(&s->store, root, d)))
		goto out;
	free(root);
	root = o->cache_root ? xasprintf("%s/http", o->cache_root) : sp_httpcache_default_root();
	/* The HTTP cache only saves requests: without it safepip still works. */
	if (!root || sp_httpcache_open(&s->cache, root, NULL) != 0)
		s->cache = NULL;

	sp_fetch_opts_init(&fo);
	fo.proxy = sp_pipconf_str(c, SP_PIPOPT_PROXY);
	fo.ca_bundle = ca_bundle(c);
	fo.client_cert = sp_pipconf_str(c, SP_PIPOPT_CLIENT_CERT);
	fo.timeout = (long)sp_pipconf_num(c, SP_PIPOPT_TIMEOUT, 15);
	fo.retries = (int)sp_pipconf_num(c, SP_PIPOPT_RETRIES, 5);
	fo.allow_http = o->allow_http;
	fo.store = s->store;
	fo.cache = s->cache;
	if ((err = sp_fetch_new(&s->fetch, &fo, d)))
		goto out;

	memset(&fio, 0, sizeof(fio));
	fio.indexes = s->indexes;
	fio.nindexes = s->nindexes;
	fio.find_links = (const char *const *)fl->items;
	fio.nfind_links = fl->n;
	fio.tag_priority = tag_priority;
	fio.tag_ctx = &s->target;
	fio.ntags = s->target.n_tags;
	if (!s->env.python_full_version ||
	    sp_version_parse(&fio.python, s->env.python_full_version,
			     strlen(s->env.python_full_version), d)) {
		err = sp_diag_set(d, SP_EFORMAT, "the target interpreter '%s' gave no usable version",
				  o->python);
		goto out;
	}
	fio.only_binary = sp_pipconf_str(c, SP_PIPOPT_ONLY_BINARY);
	fio.no_binary = sp_pipconf_str(c, SP_PIPOPT_NO_BINARY);
	fio.fetch = s->fetch;
	fio.store = s->store;
	fio.log = o->log;
	if ((err = sp_finder_init(&s->finder, &fio, d)))
		goto out;
	s->have_finder = true;

	po.env = &s->env;
	po.python_version = s->env.python_full_version;
	po.pre = sp_pipconf_bool(c, SP_PIPOPT_PRE);
	po.prefer_binary = sp_pipconf_bool(c, SP_PIPOPT_PREFER_BINARY);
	po.no_deps = sp_pipconf_bool(c, SP_PIPOPT_NO_DEPS);
	po.ignore_installed = sp_pipconf_bool(c, SP_PIPOPT_IGNORE_INSTALLED) ||
			      sp_pipconf_bool(c, SP_PIPOPT_FORCE_REINSTALL);
	strategy = sp_pipconf_str(c, SP_PIPOPT_UPGRADE_STRATEGY);
	po.upgrade = !sp_pipconf_bool(c, SP_PIPOPT_UPGRADE) ? SP_UPGRADE_NONE
		     : strategy && strcmp(strategy, "eager") == 0 ? SP_UPGRADE_EAGER
								    : SP_UPGRADE_ONLY_IF_NEEDED;
	sp_finder_source(&s->finder, &src);
	sp_provider_init(&s->prov, &po, &src);
	s->have_prov = true;
	if (!po.ignore_installed)
		read_installed(s);
out:
	free(root);
	return err;
}

void sp_session_close(struct sp_session *s)
{
	if (s->have_res)
		sp_resolver_release(&s->res);
	if (s->have_prov)
		sp_provider_release(&s->prov);
	if (s->have_finder)
		sp_finder_release(&s->finder);
	if (s->fetch)
		sp_fetch_free(s->fetch);
	if (s->cache)
		sp_httpcache_free(s->cache);
	if (s->store)
		sp_store_free(s->store);
	if (s->have_target)
		sp_target_release(&s->target);
	sp_arena_release(&s->arena);
	memset(s, 0, sizeof(*s));
}

/*
 * The message for a resolution with no solution: every conflicting
 * requirement, after prefix ("" for the user's own resolution).
 */
static int conflict(const struct sp_resolver *res, const char *prefix, struct sp_diag *d)
{
	struct sp_buf b;
	size_t i;
	char line[1024];

	sp_buf_init(&b, SP_DIAG_TEXT);
	if (res->ncauses == 1 && !res->causes[0].parent) {
		sp_provider_describe(&res->causes[0], line, sizeof(line));
		sp_diag_set(d, SP_ENOENT, "%sno version satisfies %s: nothing on the configured "
			    "indexes matches (check the name, --index-url and --pre)", prefix, line);
		sp_buf_release(&b);
		return SP_ENOENT;
	}
	sp_buf_addf(&b, "%sthese requirements cannot all be satisfied:", prefix);
	for (i = 0; i < res->ncauses; i++) {
		sp_provider_describe(&res->causes[i], line, sizeof(line));
		if (sp_buf_addf(&b, "\n  %s", line) < 0)
			break;
	}
	sp_diag_set(d, SP_ENOENT, "%s", b.data);
	sp_buf_release(&b);
	return SP_ENOENT;
}

static int cmp_pin(const void *a, const void *b)
{
	return strcmp(((const struct sp_pin *)a)->key, ((const struct sp_pin *)b)->key);
}

static void add_via(struct sp_session *s, struct sp_pin *p, const char *via)
{
	size_t i;

	for (i = 0; i < p->nvia; i++)
		if (strcmp(p->via[i], via) == 0)
			return;
	{
		/* In the session's arena, like the pins: via lists are short. */
		const char **grown = sp_arena_alloc(&s->arena, (p->nvia + 1) * sizeof(*grown));

		if (p->nvia)
			memcpy(grown, p->via, p->nvia * sizeof(*grown));
		p->via = grown;
	}
	p->via[p->nvia++] = sp_arena_strdup(&s->arena, via);
}

/* Who asked for key in res: parents by name, the user by where they wrote it. */
static void collect_via(struct sp_session *s, struct sp_resolver *res, struct sp_pin *p)
{
	size_t i, j;

	for (i = 0; i < res->nresult; i++) {
		const struct sp_rinfo *info;
		const char *id = res->result[i].id;
		size_t n, kl = strlen(p->key);

		if (strncmp(id, p->key, kl) != 0 || (id[kl] && id[kl] != '['))
			continue;
		n = sp_resolver_info(res, id, &info);
		for (j = 0; j < n; j++) {
			const struct sp_pcand *par = info[j].parent;

			if (par && strcmp(sp_pcand_key(par), p->key) == 0)
				continue; /* an extra asking for its own project */
			if (par) {
				add_via(s, p, sp_pcand_key(par));
			} else {
				char text[1024], *o, *e;

				sp_provider_describe(&info[j], text, sizeof(text));
				o = strstr(text, " (from ");
				if (o && (e = strrchr(o, ')')))
					*e = '\0';
				add_via(s, p, o ? o + 7 : "command line");
			}
		}
	}
}

int sp_session_resolve(struct sp_session *s, const struct sp_sreq *roots, size_t nroots,
		       const struct sp_requirement *const *constraints, size_t nconstraints,
		       struct sp_diag *d)
{
	struct sp_rprovider rp;
	const void **reqs = xcalloc(nroots + 1, sizeof(*reqs));
	size_t i, n = 0;
	int err;

	for (i = 0; i < nconstraints; i++)
		sp_provider_constrain(&s->prov, constraints[i]);
	for (i = 0; i < nroots; i++) {
		struct sp_preq *q = sp_provider_root(&s->prov, roots[i].req, roots[i].origin,
						     roots[i].hashes, roots[i].nhashes);

		if (q)
			reqs[n++] = q;
	}
	sp_provider_callbacks(&s->prov, &rp);
	sp_resolver_init(&s->res, &rp);
	s->have_res = true;
	err = sp_resolver_resolve(&s->res, reqs, n, d);
	free(reqs);
	if (err == SP_ENOENT)
		return conflict(&s->res, "", d);
	if (err)
		return err;
	s->pins = sp_arena_alloc(&s->arena, (s->res.nresult + 1) * sizeof(*s->pins));
	for (i = 0; i < s->res.nresult; i++) {
		const struct sp_pcand *c = s->res.result[i].cand;
		struct sp_pin *p = &s->pins[s->npins];

		if (sp_pcand_is_extras(c))
			continue;
		p->key = sp_pcand_key(c);
		p->version = sp_pcand_version(c);
		p->installed = sp_pcand_is_installed(c);
		p->file = sp_pcand_file(c);
		if (p->file) {
			p->filename = p->file->f->filename;
			p->url = p->file->f->url;
		}
		s->npins++;
	}
	for (i = 0; i < s->npins; i++)
		collect_via(s, &s->res, &s->pins[i]);
	if (s->npins > 1)
		qsort(s->pins, s->npins, sizeof(*s->pins), cmp_pin);
	return 0;
}

int sp_session_download(struct sp_session *s, struct sp_diag *d)
{
	const struct sp_pfile **files = xcalloc(s->npins + 1, sizeof(*files));
	const char **paths = xcalloc(s->npins + 1, sizeof(*paths));
	const char **hashes = xcalloc(s->npins + 1, sizeof(*hashes));
	size_t i, n = 0;
	int err;

	for (i = 0; i < s->npins; i++)
		if (s->pins[i].file)
			files[n++] = s->pins[i].file;
	err = sp_finder_download(&s->finder, files, n, paths, hashes, d);
	for (i = 0, n = 0; !err && i < s->npins; i++) {
		if (!s->pins[i].file)
			continue;
		s->pins[i].path = paths[n];
		s->pins[i].sha256 = hashes[n];
		n++;
	}
	free(files);
	free(paths);
	free(hashes);
	return err;
}

static const struct sp_sreq *root_for(const struct sp_sreq *roots, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(roots[i].req->key, key) == 0 && roots[i].nhashes)
			return &roots[i];
	return NULL;
}

int sp_session_check_hashes(struct sp_session *s, const struct sp_sreq *roots, size_t nroots,
			    bool require_hashes, struct sp_diag *d)
{
	size_t i, j;

	for (i = 0; i < s->npins; i++) {
		const struct sp_pin *p = &s->pins[i];
		const struct sp_sreq *r = root_for(roots, nroots, p->key);
		bool pinned = false;

		if (p->installed || p->build_only)
			continue; /* pip checks no hashes of build requirements */
		if (!r) {
			if (require_hashes)
				return sp_diag_set(d, SP_EHASH, "hashes are required (--require-hashes "
						   "or a --hash in a requirements file), but '%s' "
						   "(needed by %s) has none: add '%s==%s --hash=sha256:%s' "
						   "to the requirements", p->key,
						   p->nvia ? p->via[0] : "the request", p->key,
						   p->version, p->sha256 ? p->sha256 : "...");
			continue;
		}
		for (j = 0; j < r->req->spec.n; j++)
			pinned |= r->req->spec.specs[j].op == SP_OP_EQ ||
				  r->req->spec.specs[j].op == SP_OP_ARBITRARY;
		if (require_hashes && !pinned)
			return sp_diag_set(d, SP_EHASH, "hashes are required, so '%s' (%s) must be "
					   "pinned with ==", p->key, r->origin);
		for (j = 0; j < r->nhashes; j++)
			if (p->sha256 && strncmp(r->hashes[j], "sha256:", 7) == 0 &&
			    strcmp(r->hashes[j] + 7, p->sha256) == 0)
				break;
		if (j == r->nhashes)
			return sp_diag_set(d, SP_EHASH, "hash mismatch for '%s': %s allows %s%s, the "
					   "file is sha256:%s; nothing was installed", p->filename,
					   r->origin, r->hashes[0], r->nhashes > 1 ? " (and others)" : "",
					   p->sha256 ? p->sha256 : "?");
	}
	return 0;
}

/* --- build environments --- */

/* An sdist whose build is to be set up, and why. */
struct build_job {
	const struct sp_pfile *file;
	const char *who;       /* "foo 1.0": the sdist */
	unsigned depth;        /* 1: a pin of the user's resolution */
	size_t parent;         /* the job whose build environment needs it, or NO_PARENT */
};

#define NO_PARENT ((size_t)-1)

struct builds {
	struct build_job *jobs;
	size_t njobs, capjobs, next;
	const struct sp_pfile **done; /* sdists handled, each once */
	size_t ndone, capdone;
	struct sp_pin *added;  /* new build-only pins (malloc'd array) */
	size_t nadded, capadded;
};

static void enqueue(struct sp_session *s, struct builds *b, const struct sp_pfile *file,
		    const char *key, const char *version, unsigned depth, size_t parent)
{
	char *who = xasprintf("%s %s", key, version);

	SP_GROW(b->jobs, b->njobs + 1, b->capjobs);
	b->jobs[b->njobs++] = (struct build_job){file, sp_arena_strdup(&s->arena, who), depth,
						 parent};
	free(who);
}

/* Whether the target already has a distribution that meets r (pip's check without isolation). */
static bool target_has(struct sp_session *s, const struct sp_requirement *r, const char **have)
{
	const struct sp_dist *dist = sp_target_find_installed(&s->target, r->key);
	struct sp_version v;

	*have = dist ? dist->version : NULL;
	if (r->marker && sp_marker_evaluate(r->marker, &s->env, NULL) != 1)
		return true;
	if (!dist || sp_version_parse(&v, dist->version, strlen(dist->version), NULL) != 0)
		return false;
	return sp_specset_contains(&r->spec, &v, true);
}

static int check_in_target(struct sp_session *s, const struct build_job *j,
			   const struct sp_build_info *bi, struct sp_diag *d)
{
	size_t i;

	for (i = 0; i < bi->nrequires; i++) {
		const char *have;
		struct sp_buf t;
		int err;

		if (target_has(s, bi->requires[i], &have))
			continue;
		sp_buf_init(&t, 1024);
		sp_requirement_format(bi->requires[i], &t);
		err = sp_diag_set(d, SP_ENOENT, "cannot build '%s' without build isolation: it "
				  "needs '%s' and the target has %s%s (install it first, "
				  "through safepip, or drop --no-build-isolation)", j->who,
				  t.data ? t.data : "?", have ? "version " : "none",
				  have ? have : "");
		sp_buf_release(&t);
		return err;
	}
	return 0;
}

static struct sp_pin *find_pin(struct sp_pin *pins, size_t n, const char *key,
			       const struct sp_pfile *file)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(pins[i].key, key) == 0 && pins[i].file == file)
			return &pins[i];
	return NULL;
}

/* Merges one resolved build environment into the pins; queues the sdists in it. */
static void take_env(struct sp_session *s, struct builds *b, struct sp_resolver *res,
		     size_t job)
{
	size_t i;

	for (i = 0; i < res->nresult; i++) {
		const struct sp_pcand *c = res->result[i].cand;
		const struct sp_pfile *file = sp_pcand_file(c);
		struct sp_pin tmp = {0}, *p;

		if (sp_pcand_is_extras(c) || !file)
			continue; /* extras; the Python candidate; nothing installed is seen */
		tmp.key = sp_arena_strdup(&s->arena, sp_pcand_key(c));
		tmp.version = sp_arena_strdup(&s->arena, sp_pcand_version(c));
		tmp.file = file;
		tmp.filename = file->f->filename;
		tmp.url = file->f->url;
		tmp.for_build = true;
		collect_via(s, res, &tmp);
		p = find_pin(s->pins, s->npins, tmp.key, file);
		if (!p)
			p = find_pin(b->added, b->nadded, tmp.key, file);
		if (!p) {
			tmp.build_only = true;
			SP_GROW(b->added, b->nadded + 1, b->capadded);
			b->added[b->nadded++] = tmp;
			if (!file->wheel)
				enqueue(s, b, file, tmp.key, tmp.version, b->jobs[job].depth + 1,
					job);
			continue;
		}
		/* Built already, or to be: queued again to see whether it is its own ancestor. */
		if (!file->wheel)
			enqueue(s, b, file, tmp.key, tmp.version, b->jobs[job].depth + 1, job);
		p->for_build = true;
		for (size_t k = 0; k < tmp.nvia; k++)
			add_via(s, p, tmp.via[k]);
	}
}

/* One sdist's build environment: pip's second resolution, blind to the target. */
static int build_env(struct sp_session *s, struct builds *b, size_t job,
		     const struct sp_build_info *bi, struct sp_diag *d)
{
	const struct build_job *j = &b->jobs[job];
	struct sp_provider_opts po = s->prov.o;
	struct sp_provider prov;
	struct sp_resolver res;
	struct sp_rprovider rp;
	struct sp_psource src;
	struct sp_requirement *wheel = NULL;
	const void **roots = xcalloc(bi->nrequires + 2, sizeof(*roots));
	char *origin = xasprintf("to build %s", j->who), *prefix;
	size_t i, n = 0;
	int err;

	po.installed = NULL;
	po.ninstalled = 0;
	po.ignore_installed = true; /* pip fills the build environment with --ignore-installed */
	po.upgrade = SP_UPGRADE_NONE;
	po.no_deps = false;
	sp_finder_source(&s->finder, &src);
	sp_provider_init(&prov, &po, &src);
	for (i = 0; i < bi->nrequires; i++) {
		struct sp_preq *q = sp_provider_root(&prov, bi->requires[i], origin, NULL, 0);

		if (q)
			roots[n++] = q;
	}
	/*
	 * setuptools' backend asks for "wheel" from get_requires_for_build_wheel
	 * (before setuptools 70.1), and pip installs it into the same
	 * environment: it is needed offline, so it is resolved with the rest.
	 */
	if (bi->setuptools_backend && !bi->default_requires &&
	    sp_requirement_parse(&s->arena, "wheel", 5, &wheel, NULL) == 0) {
		struct sp_preq *q = sp_provider_root(&prov, wheel, origin, NULL, 0);

		if (q)
			roots[n++] = q;
	}
	sp_provider_callbacks(&prov, &rp);
	sp_resolver_init(&res, &rp);
	err = sp_resolver_resolve(&res, roots, n, d);
	prefix = xasprintf("cannot set up the build environment of '%s': ", j->who);
	if (err == SP_ENOENT) {
		conflict(&res, prefix, d);
	} else if (err) {
		char msg[SP_DIAG_TEXT];

		snprintf(msg, sizeof(msg), "%s", d ? d->msg : "");
		sp_diag_set(d, err, "%s%s", prefix, msg);
	} else {
		s->nbuild_envs++;
		take_env(s, b, &res, job);
	}
	free(prefix);
	sp_resolver_release(&res);
	sp_provider_release(&prov);
	free(roots);
	free(origin);
	return err;
}

static bool handled(struct builds *b, const struct sp_pfile *file)
{
	size_t i;

	for (i = 0; i < b->ndone; i++)
		if (b->done[i] == file)
			return true;
	SP_GROW(b->done, b->ndone + 1, b->capdone);
	b->done[b->ndone++] = file;
	return false;
}

static int one_build(struct sp_session *s, struct builds *b, size_t job, struct sp_diag *d)
{
	const struct build_job *j = &b->jobs[job];
	const struct sp_build_info *bi;
	bool no_isolation = sp_pipconf_bool(s->o.conf, SP_PIPOPT_NO_BUILD_ISOLATION) &&
			    s->o.conf->v[SP_PIPOPT_NO_BUILD_ISOLATION].origin == SP_ORIGIN_CMDLINE;
	size_t k;
	int err;

	/* pip would build environments inside each other forever. */
	for (k = j->parent; k != NO_PARENT; k = b->jobs[k].parent)
		if (b->jobs[k].file == j->file)
			return sp_diag_set(d, SP_EINVAL, "cannot build '%s': its build "
					   "requirements need it again to build (a cycle "
					   "through '%s'); use a wheel for one of them "
					   "(--only-binary)", j->who, b->jobs[j->parent].who);
	if (handled(b, j->file))
		return 0;
	if ((err = sp_finder_build_info(&s->finder, j->file, &bi, d)))
		return err;
	if (no_isolation)
		return check_in_target(s, j, bi, d);
	/*
	 * pip 23.2 builds an sdist without pyproject.toml the old way, in the
	 * target and with the target's setuptools and wheel, when it can
	 * import both; only otherwise does it make a build environment.
	 */
	if (!bi->has_pyproject && sp_target_find_installed(&s->target, "setuptools") &&
	    sp_target_find_installed(&s->target, "wheel")) {
		s->nbuilt_in_target++;
		return 0;
	}
	if (j->depth > SP_MAX_BUILD_DEPTH)
		return sp_diag_set(d, SP_ELIMIT, "cannot set up the build environment of '%s': "
				   "build requirements that are themselves sdists nest more than "
				   "%d deep (use wheels for them: --only-binary)", j->who,
				   SP_MAX_BUILD_DEPTH);
	if (s->nbuild_envs >= SP_MAX_BUILD_ENVS)
		return sp_diag_set(d, SP_ELIMIT, "cannot set up more than %d build environments "
				   "(too many sdists: use wheels, --only-binary)",
				   SP_MAX_BUILD_ENVS);
	return build_env(s, b, job, bi, d);
}

int sp_session_resolve_builds(struct sp_session *s, struct sp_diag *d)
{
	struct builds b;
	const struct sp_pfile **files = NULL;
	const char **paths = NULL, **hashes = NULL;
	struct sp_pin *all;
	size_t i;
	int err = 0;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < s->npins; i++)
		if (s->pins[i].file && !s->pins[i].file->wheel)
			enqueue(s, &b, s->pins[i].file, s->pins[i].key, s->pins[i].version, 1,
				NO_PARENT);
	while (!err && b.next < b.njobs)
		err = one_build(s, &b, b.next++, d);
	if (err || !b.nadded)
		goto out;
	files = xcalloc(b.nadded, sizeof(*files));
	paths = xcalloc(b.nadded, sizeof(*paths));
	hashes = xcalloc(b.nadded, sizeof(*hashes));
	for (i = 0; i < b.nadded; i++)
		files[i] = b.added[i].file;
	if ((err = sp_finder_download(&s->finder, files, b.nadded, paths, hashes, d)))
		goto out;
	all = sp_arena_alloc(&s->arena, (s->npins + b.nadded + 1) * sizeof(*all));
	if (s->npins)
		memcpy(all, s->pins, s->npins * sizeof(*all));
	for (i = 0; i < b.nadded; i++) {
		b.added[i].path = paths[i];
		b.added[i].sha256 = hashes[i];
		all[s->npins + i] = b.added[i];
	}
	s->pins = all;
	s->npins += b.nadded;
	qsort(s->pins, s->npins, sizeof(*s->pins), cmp_pin);
out:
	free(files);
	free(paths);
	free(hashes);
	free(b.jobs);
	free(b.done);
	free(b.added);
	return err;
}
