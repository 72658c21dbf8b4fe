/*
 * One resolution as a command runs it: pip's configuration, the target
 * interpreter's facts, the fetcher with its store and HTTP cache, the
 * finder, the provider and the resolver, set up together and torn down
 * together. `safepip lock`, `install`, `download` and `scan NAME` share it.
 *
 * Ownership: the session owns everything it sets up, and the pins, until
 * sp_session_close(). conf and the requirements passed in must outlive it.
 */
#ifndef SP_RESOLVE_SESSION_H
#define SP_RESOLVE_SESSION_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "delegate/target.h"
#include "fetch/fetch.h"
#include "fetch/httpcache.h"
#include "fetch/store.h"
#include "resolve/finder.h"
#include "resolve/pipconf.h"
#include "resolve/provider.h"
#include "resolve/resolver.h"

struct sp_session_opts {
	const struct sp_pipconf *conf; /* files, variables, command line merged */
	const char *python;            /* the target interpreter */
	const char *cache_root;        /* NULL: $XDG_CACHE_HOME/safepip */
	bool allow_http;               /* plain http:// indexes (policy) */
	bool progress;                 /* a progress line on stderr */
	FILE *log;                     /* notes for -v (why a wheel is read whole...), or NULL */
};

/* A user requirement with where it came from. */
struct sp_sreq {
	const struct sp_requirement *req;
	const char *origin;            /* "-r r.txt (line 3)", "command line" */
	const char *const *hashes;     /* "sha256:HEX" */
	size_t nhashes;
};

struct sp_pin {
	const char *key;
	const char *name;      /* as the metadata spells it, when known */
	const char *version;
	bool installed;        /* kept: already in the target */
	const struct sp_pfile *file; /* NULL when installed */
	const char *filename, *url;  /* url may hold credentials: redact to show */
	const char *path;      /* in the store, after sp_session_download() */
	const char *sha256;    /* hex, after sp_session_download() */
	const char **via;      /* who asked: "bar 1.0", "-r r.txt (line 3)", "to build foo 1.0" */
	size_t nvia;
	/*
	 * Build requirements (after sp_session_resolve_builds()): for_build
	 * when some sdist's build environment needs the file; build_only when
	 * that is the only reason it is here, so it goes to the wheelhouse but
	 * not into the target. Their via entries say for whom ("to build foo
	 * 1.0") and, inside a build environment, which build requirement
	 * pulled them in.
	 */
	bool for_build;
	bool build_only;
};

struct sp_session {
	struct sp_session_opts o;
	struct sp_arena arena;
	struct sp_target target;
	bool have_target;
	struct sp_marker_env env;
	struct sp_store *store;
	struct sp_httpcache *cache;
	struct sp_fetch *fetch;
	struct sp_finder finder;
	bool have_finder;
	struct sp_provider prov;
	bool have_prov;
	struct sp_resolver res;
	bool have_res;
	struct sp_pinstalled *installed;
	const char **indexes;
	size_t nindexes;
	struct sp_pin *pins;   /* sorted by key; build-only pins may repeat a key */
	size_t npins;
	size_t nbuild_envs;    /* build environments resolved */
	size_t nbuilt_in_target; /* sdists built with the target's own packages */
};

int sp_session_open(struct sp_session *s, const struct sp_session_opts *o, struct sp_diag *d);
void sp_session_close(struct sp_session *s);

/*
 * Resolves roots under constraints. On a conflict, the message in d names
 * the requirements that cannot all hold and who asked for each.
 */
int sp_session_resolve(struct sp_session *s, const struct sp_sreq *roots, size_t nroots,
		       const struct sp_requirement *const *constraints, size_t nconstraints,
		       struct sp_diag *d);

/* Downloads every pinned file into the store (parallel, hashes checked). */
int sp_session_download(struct sp_session *s, struct sp_diag *d);

/*
 * After sp_session_download(): the build requirements of every pinned
 * sdist, resolved as pip 23.2 fills a build environment (a resolution of
 * their own per sdist, with the same indexes, --only-binary/--no-binary,
 * --pre and --prefer-binary, blind to the target's installed set), then
 * downloaded and appended to the pins. An sdist among them has its own
 * build requirements, to SP_MAX_BUILD_DEPTH levels. With
 * --no-build-isolation on the command line, or for an sdist without
 * pyproject.toml when the target has setuptools and wheel (pip then builds
 * it in the target without a build environment), nothing is resolved: the
 * target must already satisfy the build requirements, as pip would need.
 * Errors name the sdist whose build failed to resolve.
 */
int sp_session_resolve_builds(struct sp_session *s, struct sp_diag *d);

/*
 * pip's hash rules, after sp_session_download(): a pinned file whose
 * requirement carries --hash values must match one of them; with
 * require_hashes (--require-hashes, or any --hash in a requirements file),
 * every file to install must come from a requirement pinned with == and
 * hashes, dependencies included.
 */
int sp_session_check_hashes(struct sp_session *s, const struct sp_sreq *roots, size_t nroots,
			    bool require_hashes, struct sp_diag *d);

#endif
