#include "cli/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "req/specifier.h"
#include "fetch/redact.h"
#include "core/banned.h"

/* A requirements file's options join the configuration as pip merges them. */
static int merge_file_options(struct sp_request *r, struct sp_diag *d)
{
	const struct sp_reqfile_opts *o = &r->rf.opts;
	struct sp_pipconf *c = &r->args.conf;
	size_t i;
	int err = 0;

	if (o->index_url)
		err = sp_pipconf_set(c, "index-url", o->index_url, SP_ORIGIN_REQFILE,
				     o->index_url_origin.file, d);
	for (i = 0; !err && i < o->nextra_index_urls; i++)
		err = sp_pipconf_set(c, "extra-index-url", o->extra_index_urls[i].value,
				     SP_ORIGIN_REQFILE, o->extra_index_urls[i].origin.file, d);
	for (i = 0; !err && i < o->nfind_links; i++)
		err = sp_pipconf_set(c, "find-links", o->find_links[i].value, SP_ORIGIN_REQFILE,
				     o->find_links[i].origin.file, d);
	for (i = 0; !err && i < o->ntrusted_hosts; i++)
		err = sp_pipconf_set(c, "trusted-host", o->trusted_hosts[i].value,
				     SP_ORIGIN_REQFILE, o->trusted_hosts[i].origin.file, d);
	for (i = 0; !err && i < o->nformats; i++)
		err = sp_pipconf_set(c, o->formats[i].only_binary ? "only-binary" : "no-binary",
				     o->formats[i].value, SP_ORIGIN_REQFILE,
				     o->formats[i].origin.file, d);
	if (!err && o->no_index)
		err = sp_pipconf_set(c, "no-index", "yes", SP_ORIGIN_REQFILE, NULL, d);
	if (!err && o->pre)
		err = sp_pipconf_set(c, "pre", "yes", SP_ORIGIN_REQFILE, NULL, d);
	if (!err && o->prefer_binary)
		err = sp_pipconf_set(c, "prefer-binary", "yes", SP_ORIGIN_REQFILE, NULL, d);
	if (!err && o->require_hashes)
		err = sp_pipconf_set(c, "require-hashes", "yes", SP_ORIGIN_REQFILE, NULL, d);
	return err;
}

static void add_root(struct sp_request *r, const struct sp_requirement *q, const char *origin,
		     const char *const *hashes, size_t nhashes)
{
	r->roots = xrealloc(r->roots, (r->nroots + 1) * sizeof(*r->roots));
	r->roots[r->nroots++] = (struct sp_sreq){q, origin, hashes, nhashes};
}

static int entries(struct sp_request *r, struct sp_diag *d)
{
	size_t i, j;

	for (i = 0; i < r->rf.nentries; i++) {
		const struct sp_reqfile_entry *e = &r->rf.entries[i];
		char *o = xasprintf("-r %s (line %u)", e->origin.file, e->origin.line);
		const char *origin = sp_arena_strdup(&r->arena, o);
		const char **hashes;

		free(o);
		if (e->kind != SP_REQFILE_NAMED || e->req->url) {
			sp_diag_file(d, e->origin.file);
			if (d)
				d->line = e->origin.line;
			return sp_diag_set(d, SP_EUNSUPPORTED, "cannot gate '%s' (%s): safepip "
					   "resolves named requirements from indexes; URLs, paths and "
					   "editables are not supported yet", e->text, origin);
		}
		if (e->constraint) {
			r->constraints = xrealloc(r->constraints,
						  (r->nconstraints + 1) * sizeof(*r->constraints));
			r->constraints[r->nconstraints++] = e->req;
			continue;
		}
		hashes = sp_arena_alloc(&r->arena, (e->nhashes + 1) * sizeof(*hashes));
		for (j = 0; j < e->nhashes; j++) {
			char *h = xasprintf("%s:%s", e->hashes[j].algo, e->hashes[j].hex);

			hashes[j] = sp_arena_strdup(&r->arena, h);
			free(h);
		}
		add_root(r, e->req, origin, hashes, e->nhashes);
	}
	return 0;
}

int sp_request_load(struct sp_request *r, const char *cmd, int argc, char **argv,
		    bool outside_venv_ok, struct sp_diag *d)
{
	struct sp_venv_opts vo = {0};
	struct sp_requirement **roots = NULL;
	size_t i, nroots = 0;
	int err;

	memset(r, 0, sizeof(*r));
	sp_arena_init(&r->arena);
	sp_reqfile_init(&r->rf);
	if ((err = sp_pipargs_parse(&r->args, cmd, argc, argv, d)))
		return err;
	if (r->args.help)
		return 0;
	/* The command line's requirements come first, as pip orders them. */
	roots = xcalloc(r->args.nreqs + 1, sizeof(*roots));
	for (i = 0; i < r->args.nreqs; i++) {
		const char *s = r->args.reqs[i];

		err = sp_requirement_parse(&r->arena, s, strlen(s), &roots[nroots], d);
		if (err) {
			err = sp_diag_set(d, SP_EUSAGE, "bad requirement '%s': %s", s, d ? d->msg : "");
			goto out;
		}
		if (roots[nroots]->url) {
			err = sp_diag_set(d, SP_EUNSUPPORTED, "cannot gate '%s': URL requirements are "
					  "not supported yet", s);
			goto out;
		}
		add_root(r, roots[nroots++], "command line", NULL, 0);
	}
	for (i = 0; i < r->args.nconstraints; i++)
		if ((err = sp_reqfile_read(&r->rf, r->args.constraints[i], true, d)))
			goto out;
	for (i = 0; i < r->args.nreqfiles; i++)
		if ((err = sp_reqfile_read(&r->rf, r->args.reqfiles[i], false, d)))
			goto out;
	if ((err = entries(r, d)) || (err = merge_file_options(r, d)))
		goto out;
	vo.python = r->args.python;
	vo.create = r->args.create_venv;
	vo.allow_system = outside_venv_ok;
	vo.allow_root = true; /* refusing root is the install command's business */
	err = sp_venv_find(&vo, &r->venv, d);
	if (err)
		goto out;
	r->have_venv = true;
out:
	free(roots);
	return err;
}

int sp_request_resolve(struct sp_request *r, bool allow_http, bool ignore_installed,
		       struct sp_diag *d)
{
	struct sp_session_opts so = {0};
	int err;

	if (!r->nroots)
		return sp_diag_set(d, SP_EUSAGE, "nothing to resolve: name requirements or use -r "
				   "FILE");
	if (ignore_installed)
		sp_pipconf_set(&r->args.conf, "ignore-installed", "yes", SP_ORIGIN_CMDLINE, NULL,
			       NULL);
	so.conf = &r->args.conf;
	so.python = r->venv.python;
	so.cache_root = getenv("SAFEPIP_CACHE_DIR");
	so.allow_http = allow_http;
	so.log = r->args.verbose ? stderr : NULL;
	err = sp_session_open(&r->session, &so, d);
	r->have_session = true;
	if (err)
		return err;
	return sp_session_resolve(&r->session, r->roots, r->nroots, r->constraints,
				  r->nconstraints, d);
}

void sp_request_release(struct sp_request *r)
{
	if (r->have_session)
		sp_session_close(&r->session);
	if (r->have_venv)
		sp_venv_release(&r->venv);
	sp_reqfile_release(&r->rf);
	sp_pipargs_release(&r->args);
	free(r->roots);
	free(r->constraints);
	sp_arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
}

void sp_request_print_error(const char *cmd, const struct sp_diag *d)
{
	char *msg = sp_redact_text(d->msg);

	if (d->file[0] && d->line)
		fprintf(stderr, "safepip %s: %s:%u: %s\n", cmd, d->file, d->line, msg);
	else
		fprintf(stderr, "safepip %s: %s\n", cmd, msg);
	free(msg);
}

/* The policy's version matcher: PEP 440 specifiers against a version. */
bool sp_request_version_matches(const char *specifiers, const char *version, void *ctx)
{
	struct sp_arena a;
	struct sp_specset s;
	struct sp_version v;
	bool ok = false;

	(void)ctx;
	if (!specifiers || !*specifiers)
		return true;
	sp_arena_init(&a);
	if (sp_version_parse(&v, version, strlen(version), NULL) == 0 &&
	    sp_specset_parse(&a, specifiers, strlen(specifiers), &s, NULL) == 0)
		ok = sp_specset_contains(&s, &v, true);
	sp_arena_release(&a);
	return ok;
}
