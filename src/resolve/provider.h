/*
 * pip's rules for the resolver: what a requirement and a candidate are,
 * which files of a project can be candidates and in which order, how
 * extras, Requires-Python, yanked files, pre-releases, constraints, hashes
 * and the installed set count, and which identifier to pin first. Each
 * rule is pip 23.2's (src/pip/_internal/resolution/resolvelib and
 * index/package_finder.py), so `safepip lock` and pip pick the same set.
 *
 * Where files and metadata come from is a struct sp_psource: the real one
 * reads indexes (src/resolve/finder.c); tests give projects from text.
 *
 * Ownership: a struct sp_provider owns every requirement and candidate it
 * makes, in its arena, until sp_provider_release(). Projects and metadata
 * handed out by the source must live as long as the provider.
 */
#ifndef SP_RESOLVE_PROVIDER_H
#define SP_RESOLVE_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "req/marker.h"
#include "req/requirement.h"
#include "req/version.h"
#include "resolve/index.h"
#include "resolve/resolver.h"

/* One file of a project that the target can use (tags, name and version checked). */
struct sp_pfile {
	const struct sp_index_file *f;
	struct sp_version version;
	bool wheel;
	long tag_pri;           /* wheel: the best tag's rank, 0 = most preferred */
	bool has_build;         /* wheel build tag */
	unsigned long build_num;
	const char *build_rest;
};

struct sp_project {
	const char *key;        /* PEP 503 name */
	struct sp_pfile *files;
	size_t nfiles;
	size_t ntags;           /* how many tags the target supports (sdist rank) */
};

/* What resolution needs of a distribution's core metadata. */
struct sp_pmeta {
	const char *name;
	const char *version;
	const struct sp_requirement *const *requires; /* Requires-Dist, parsed */
	size_t nrequires;
	const char *requires_python;                  /* NULL when absent */
	const char *const *extras;                    /* Provides-Extra, normalised */
	size_t nextras;
};

struct sp_psource {
	void *ctx;
	/*
	 * The project's usable files from every configured source; a project
	 * no source has gives 0 files. Negative on a failure (fail closed).
	 */
	int (*project)(void *ctx, const char *key, const struct sp_project **out,
		       struct sp_diag *d);
	/* The metadata of one file; negative when it cannot be known statically. */
	int (*metadata)(void *ctx, const struct sp_project *p, const struct sp_pfile *f,
			const struct sp_pmeta **out, struct sp_diag *d);
};

/* A distribution already in the target environment. */
struct sp_pinstalled {
	const char *key;
	struct sp_version version;
	const struct sp_pmeta *meta;
};

enum sp_upgrade {
	SP_UPGRADE_NONE,           /* no -U: keep what is installed when it fits */
	SP_UPGRADE_ONLY_IF_NEEDED, /* -U: upgrade what the user named */
	SP_UPGRADE_EAGER,          /* -U --upgrade-strategy eager: everything */
};

struct sp_provider_opts {
	const struct sp_marker_env *env;  /* the target's markers */
	const char *python_version;       /* the target's full version, "3.11.7" */
	bool pre;                         /* --pre */
	bool prefer_binary;
	bool no_deps;
	bool ignore_installed;            /* or --force-reinstall */
	enum sp_upgrade upgrade;
	bool ignore_requires_python;
	const struct sp_pinstalled *installed;
	size_t ninstalled;
};

/* The resolver's view of a requirement (opaque to it). */
struct sp_preq;
/* The resolver's view of a candidate. */
struct sp_pcand;

struct sp_provider {
	struct sp_provider_opts o;
	struct sp_psource src;
	struct sp_arena arena;
	/*
	 * Every candidate made, in an open-addressing table keyed by (kind,
	 * source, identifier), so each is made once and identity is equality.
	 */
	struct sp_pcand **cands;
	size_t ncands, capcands;
	struct pdepth *depths;   /* pip's known depths, by identifier */
	size_t ndepths, capdepths;
	struct preq_list *constraints;
	size_t nconstraints, capconstraints;
	const char **requested;  /* identifiers the user named, in order */
	size_t nrequested, caprequested;
	struct sp_pcand *python; /* the Requires-Python candidate */
};

void sp_provider_init(struct sp_provider *p, const struct sp_provider_opts *o,
		      const struct sp_psource *src);
void sp_provider_release(struct sp_provider *p);

/*
 * A user requirement (command line or requirements file): NULL when its
 * marker excludes it from the target. origin ("-r r.txt (line 3)") and
 * hashes (--hash pins, "sha256:HEX") may be NULL / empty.
 */
struct sp_preq *sp_provider_root(struct sp_provider *p, const struct sp_requirement *r,
				 const char *origin, const char *const *hashes, size_t nhashes);
/* A -c constraint. */
void sp_provider_constrain(struct sp_provider *p, const struct sp_requirement *r);

/* The callbacks for sp_resolver_init(), with ctx = p. */
void sp_provider_callbacks(struct sp_provider *p, struct sp_rprovider *out);

/* About a resolved candidate. */
const char *sp_pcand_key(const struct sp_pcand *c);
const char *sp_pcand_version(const struct sp_pcand *c);
/* NULL for installed distributions, extras and the Python candidate. */
const struct sp_pfile *sp_pcand_file(const struct sp_pcand *c);
/* The project's file list the candidate came from, or NULL. */
const struct sp_project *sp_pcand_project(const struct sp_pcand *c);
bool sp_pcand_is_installed(const struct sp_pcand *c);
/* Extras and Python candidates: part of the graph, not something to install. */
bool sp_pcand_is_extras(const struct sp_pcand *c);

/* "foo>=1.0 (from bar 2.0)" for conflict messages, into buf. */
void sp_provider_describe(const struct sp_rinfo *info, char *buf, size_t size);

#endif
