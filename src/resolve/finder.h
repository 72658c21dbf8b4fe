/*
 * Where projects' files come from: the configured indexes and find-links,
 * fetched in parallel, filtered as pip's link evaluator filters them
 * (file name, wheel tags, Requires-Python, --only-binary / --no-binary),
 * and the metadata of a file, read without running anything (PEP 658 file,
 * else the wheel's METADATA; for an sdist its PKG-INFO when that is
 * Metadata 2.2+ with static dependencies, else the static [project] table
 * of its pyproject.toml, else the literal arguments of its setup.py), and
 * how an sdist is built (its [build-system], or pip's default).
 *
 * The finder is the real struct sp_psource of the provider.
 *
 * Ownership: the finder owns projects, files and metadata until
 * sp_finder_release(); opts' strings and the fetcher must outlive it.
 */
#ifndef SP_RESOLVE_FINDER_H
#define SP_RESOLVE_FINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/error.h"
#include "fetch/fetch.h"
#include "req/version.h"
#include "resolve/provider.h"

struct sp_finder_opts {
	const char *const *indexes;    /* simple-API roots, --index-url first */
	size_t nindexes;
	const char *const *find_links; /* directories, files or URLs of pages */
	size_t nfind_links;
	/* The target's tags: rank of "py3-none-any", -1 when unsupported. */
	long (*tag_priority)(void *ctx, const char *tag);
	void *tag_ctx;
	size_t ntags;
	struct sp_version python;      /* the target's version */
	bool ignore_requires_python;
	/* pip's FormatControl: ":all:", ":none:" or names, comma-separated */
	const char *only_binary;
	const char *no_binary;
	struct sp_fetch *fetch;        /* with a store, for artifacts */
	struct sp_store *store;        /* that store: a file in it needs no range requests */
	FILE *log;                     /* verbose notes, or NULL */
};

struct fproject;
struct fmeta;

struct sp_finder {
	struct sp_finder_opts o;
	struct sp_arena arena;
	struct fproject **projects;
	size_t nprojects, capprojects;
	struct fmeta **metas;
	size_t nmetas, capmetas;
	struct sp_index_page *flpages; /* find-links sources, read once */
	size_t nflpages;
	bool fl_loaded;
	char **noranges; /* origins that answered a range request with the whole file */
	size_t nnoranges;
	unsigned long pages_fetched, metadata_fetched, files_fetched, ranges_fetched;
	uint64_t range_bytes;
};

int sp_finder_init(struct sp_finder *f, const struct sp_finder_opts *o, struct sp_diag *d);
void sp_finder_release(struct sp_finder *f);

/* The provider's source, with ctx = f. */
void sp_finder_source(struct sp_finder *f, struct sp_psource *out);

/* Fetches the project pages of keys in parallel (a hint: errors wait for use). */
void sp_finder_prefetch(struct sp_finder *f, const char *const *keys, size_t n);

/*
 * Makes sure each file is in the store (downloading the missing ones in
 * parallel, hashes checked) and sets paths[i] (owned by the finder) and
 * sha256[i] (hex). Fails closed on the first file that cannot be had.
 */
int sp_finder_download(struct sp_finder *f, const struct sp_pfile *const *files, size_t n,
		       const char **paths, const char **sha256, struct sp_diag *d);

/* How pip 23.2 would build an sdist, from its pyproject.toml. */
struct sp_build_info {
	bool has_pyproject;
	/* [build-system] requires, or pip's default (setuptools>=40.8.0, wheel) */
	const struct sp_requirement *const *requires;
	size_t nrequires;
	bool default_requires;
	const char *backend;     /* as declared; NULL: setuptools' legacy backend */
	/*
	 * setuptools.build_meta (or the legacy backend): before version 70.1
	 * its get_requires_for_build_wheel hook asks for "wheel" at build time.
	 */
	bool setuptools_backend;
};

/*
 * The build information of an sdist (file->wheel false), downloading the
 * file when it is not in the store yet. *out is owned by the finder.
 * Fails closed on an invalid pyproject.toml, as pip refuses to build then.
 */
int sp_finder_build_info(struct sp_finder *f, const struct sp_pfile *file,
			 const struct sp_build_info **out, struct sp_diag *d);

/* The index URLs that list files of key (for dependency-confusion checks). */
size_t sp_finder_sources(struct sp_finder *f, const char *key, const char *const **out);

#endif
