/*
 * A team's install rules: loaded from layered JSON-with-comments files,
 * merged, and evaluated into a verdict per artifact.
 *
 * Loading does the I/O (sp_policy_load) or takes text (sp_policy_add_layer).
 * Evaluation is pure: findings + facts + policy + "now" in, verdict out; it
 * reads no file, clock or environment, so tests pass every input.
 *
 * Layers, from weakest to strongest: built-in (policy/default.json, compiled
 * in) < system < user < project < command line. A later layer overrides an
 * earlier one value by value. A layer that says "enforced": true adds its
 * settings to a floor that later layers may tighten but never loosen: a
 * looser value is kept out and reported as a warning, and evaluation runs a
 * second time with the floor alone so that no cross-setting trick (a rule
 * set to "ignore" under a blocked category, an exception from a weaker
 * layer) gets under it.
 *
 * Ownership: a struct sp_policy owns its layers, settings and warnings
 * until sp_policy_release(). A struct sp_verdict owns its reasons until
 * sp_verdict_release(); reasons point at nothing outside the verdict.
 */
#ifndef SP_POLICY_POLICY_H
#define SP_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "scan/scan.h"

struct sp_typosquat;

/* Ordered by strictness: a larger value is stricter. UNSET is no setting. */
enum sp_action {
	SP_ACTION_UNSET,
	SP_ACTION_ALLOW, /* spelt "ignore" for findings, "allow" elsewhere */
	SP_ACTION_WARN,
	SP_ACTION_BLOCK,
};

/* "allow", "warn", "block" (the verdict words). */
const char *sp_action_name(enum sp_action a);

enum sp_layer_kind {
	SP_LAYER_BUILTIN,
	SP_LAYER_SYSTEM,  /* /etc/safepip/policy.json */
	SP_LAYER_USER,	  /* $XDG_CONFIG_HOME/safepip/policy.json */
	SP_LAYER_PROJECT, /* .safepip.json, found upward from the working directory */
	SP_LAYER_CLI,	  /* --policy FILE */
};

/* "built-in", "system", "user", "project", "command line". */
const char *sp_layer_kind_name(enum sp_layer_kind k);

struct sp_policy_layer {
	enum sp_layer_kind kind;
	char *file; /* path, or "builtin:NAME" for an embedded policy */
	bool enforced;
};

/* Where a value came from: an index into sp_policy.layers, -1 when unset. */
typedef int sp_layer_ref;

/* A scalar setting and its origin. */
struct sp_pval {
	int64_t v;
	sp_layer_ref layer;
	unsigned line; /* in the layer's file */
};

/*
 * The scalar settings, one slot each. Their JSON paths, types and which
 * direction is stricter are in a table in load.c.
 */
enum sp_policy_key {
	SP_PK_FINDINGS_DEFAULT, /* action for findings no other entry decides */
	SP_PK_SDISTS,		/* action for source distributions */
	SP_PK_TYPOSQUAT,	/* action for a likely typosquat */
	SP_PK_TYPOSQUAT_TOP,	/* how many popular names are guarded */
	SP_PK_MIN_AGE,		/* seconds a release must have been public */
	SP_PK_MIN_AGE_ACTION,
	SP_PK_YANKED,
	SP_PK_REQUIRE_HASHES,  /* bool */
	SP_PK_DEP_CONFUSION,   /* action when several indexes serve a name */
	SP_PK_ALLOW_HTTP,      /* bool */
	SP_PK_ALLOW_TRUSTED,   /* bool: --trusted-host */
	SP_PK_LICENSE_ACTION,  /* license outside the allow list */
	SP_PK_LICENSE_UNKNOWN, /* no license could be read */
	SP_PK_MAX_INACTIVE,    /* seconds without a release */
	SP_PK_INACTIVE_ACTION,
	SP_PK_VENV_ONLY,  /* bool */
	SP_PK_ALLOW_ROOT, /* bool */
	SP_PK_MAX_ARTIFACT_BYTES,
	SP_PK_ADV_MALICIOUS, /* action for a known malicious package (OSV MAL- records) */
	SP_PK_ADV_CRITICAL,  /* actions for a known vulnerability, by its severity */
	SP_PK_ADV_HIGH,
	SP_PK_ADV_MEDIUM,
	SP_PK_ADV_LOW,
	SP_PK_ADV_UNKNOWN, /* no severity in the record */
	SP_PK_ADV_MAX_AGE, /* seconds the advisory data may be old */
	SP_PK_ADV_STALE,   /* action when it is older */
	SP_PK_ADV_MISSING, /* action when there is none */
	SP_PK_COUNT
};

/* The JSON path of a scalar setting, e.g. "$.sdists.action". */
const char *sp_policy_key_path(enum sp_policy_key k);

/*
 * What to do with a finding, for one severity, category or rule id. The
 * entry decides only findings at or above both minimums; others fall
 * through to the next, less specific level (rule > category > severity >
 * default).
 */
struct sp_policy_entry {
	char *key; /* rule id, category or package name; NULL for a severity */
	enum sp_action action;
	int min_severity;   /* enum sp_severity, -1 for none */
	int min_confidence; /* enum sp_confidence, -1 for none */
	sp_layer_ref layer;
	char *path; /* JSON path where it was set */
	unsigned line;
};

/* A package with version specifiers, "name" or "name>=1,<2". */
struct sp_policy_pkg {
	char *name; /* PEP 503 normalised */
	char *spec; /* specifiers as written, "" for any version */
	sp_layer_ref layer;
	char *path;
	unsigned line;
};

/* An item of a name list (typosquatting.allow, licenses.allow...). */
struct sp_policy_name {
	char *name;
	sp_layer_ref layer;
	char *path;
	unsigned line;
};

struct sp_policy_exception {
	char *package;	/* normalised */
	char *versions; /* specifiers, "" for any */
	char **rules;	/* rule or check ids, "*" for all */
	size_t nrules;
	char *reason;
	char *owner;
	int64_t expires; /* days since 1970-01-01; valid through that whole day (UTC) */
	char expires_text[11];
	sp_layer_ref layer;
	char *path;
	unsigned line;
};

/* One merged view: every layer (eff) or the enforced layers only (floor). */
struct sp_policy_set {
	struct sp_pval v[SP_PK_COUNT];
	struct sp_policy_entry severity[5]; /* by enum sp_severity */
	struct sp_policy_entry *categories, *rules;
	size_t ncategories, nrules;
	struct sp_policy_entry *sdist_packages; /* key: package, per-package action */
	size_t nsdist_packages;
	struct sp_policy_pkg *allow, *deny;
	size_t nallow, ndeny;
	struct sp_policy_exception *exceptions;
	size_t nexceptions;
	/*
	 * Name lists: names exempt from the typosquatting check and from the
	 * minimum age, allowed index URLs, allowed SPDX license ids.
	 */
	struct sp_policy_name *typo_allow, *age_exempt, *indexes, *licenses;
	size_t ntypo_allow, nage_exempt, nindexes, nlicenses;
	struct sp_arena arena; /* every string above */
};

struct sp_policy {
	struct sp_policy_layer *layers;
	size_t nlayers;
	struct sp_policy_set eff;   /* what applies */
	struct sp_policy_set floor; /* what enforced layers demand; unset elsewhere */
	bool has_floor;
	/* Loosening attempts and other problems that do not stop loading. */
	struct sp_diag *warnings;
	size_t nwarnings;
};

void sp_policy_init(struct sp_policy *p);
void sp_policy_release(struct sp_policy *p);

/*
 * Parses one layer's text (JSON with comments) and merges it over the
 * layers added before. Layers must be added in the order of their kinds.
 * file names the text in messages. On error (SP_EPARSE for syntax,
 * SP_EFORMAT for an unknown key, wrong type or bad value, SP_ELIMIT for a
 * cap) d names the file, line and JSON path, and p is unchanged.
 */
int sp_policy_add_layer(struct sp_policy *p, enum sp_layer_kind kind, const char *file,
			const char *text, size_t len, struct sp_diag *d);

/* Adds policy/NAME.json compiled into the binary ("default", "strict"...). */
int sp_policy_add_embedded(struct sp_policy *p, enum sp_layer_kind kind, const char *name,
			   struct sp_diag *d);

/*
 * Where the layers are. NULL skips a layer. system and user are files that
 * may be missing; project_dir is where the upward search for .safepip.json
 * starts (it stops at the root); cli is --policy, which must exist, or
 * "builtin:NAME" for a shipped policy.
 */
struct sp_policy_paths {
	const char *system;
	const char *user;
	const char *project_dir;
	const char *cli;
};

#define SP_POLICY_SYSTEM_FILE "/etc/safepip/policy.json"
#define SP_POLICY_PROJECT_FILE ".safepip.json"

/*
 * The usual places: SP_POLICY_SYSTEM_FILE, $XDG_CONFIG_HOME (or
 * ~/.config)/safepip/policy.json, the working directory. Strings go into
 * buf (at least 2 * PATH_MAX bytes), which must outlive paths.
 */
void sp_policy_paths_default(struct sp_policy_paths *paths, char *buf, size_t bufsize);

/*
 * Loads the built-in layer, then every file paths names. A missing system,
 * user or project file is skipped; any other read error, and any malformed
 * file, fails (fail closed) with d naming the file.
 */
int sp_policy_load(struct sp_policy *p, const struct sp_policy_paths *paths, struct sp_diag *d);

/* Reads a policy file with the SP_MAX_POLICY_BYTES cap; free() the result. */
int sp_policy_read_file(const char *path, char **text, size_t *len, struct sp_diag *d);

/*
 * Checks rule ids and categories named in the policy against the catalog;
 * each unknown one becomes a warning. Returns how many were added.
 */
size_t sp_policy_lint(struct sp_policy *p, const struct sp_catalog *cat);

/* One effective setting, for `policy show`. */
struct sp_policy_setting {
	char *path;  /* JSON path */
	char *value; /* as JSON text */
	sp_layer_ref layer;
};

/* Every set value of p->eff in a stable order; free with sp_policy_settings_free. */
size_t sp_policy_settings(const struct sp_policy *p, struct sp_policy_setting **out);
void sp_policy_settings_free(struct sp_policy_setting *s, size_t n);

/* --- evaluation (pure) --- */

enum sp_dist_kind {
	SP_DIST_UNKNOWN,
	SP_DIST_WHEEL,
	SP_DIST_SDIST,
};

/* An advisory (OSV record) that affects the artifact's exact version. */
struct sp_policy_advisory {
	const char *id;		    /* "PYSEC-2023-74", "GHSA-...", "MAL-2024-1" */
	const char *const *aliases; /* other ids of the same report (CVE, GHSA...) */
	size_t naliases;
	const char *summary; /* may be NULL */
	bool malicious;	     /* a malicious-package report rather than a vulnerability */
	int severity;	     /* 0 unknown, 1 low, 2 medium, 3 high, 4 critical */
	double score;	     /* CVSS base score, -1 when none */
	const char *fixed;   /* the first fixed version above this one, or NULL */
};

/* The advisory data a run uses, for the checks on the data itself. */
struct sp_policy_advisory_data {
	bool present;	     /* a database could be read */
	int64_t synced_at;   /* unix seconds of its last sync */
	const char *problem; /* why there is none, when not present; may be NULL */
};

/*
 * What is known about an artifact besides its findings. Pointers are
 * borrowed for the call. Unknown facts are 0/NULL/-1 as noted; a check
 * whose fact is unknown is skipped for local files and warns for files
 * from an index (from_index), where the fact should have been there.
 */
struct sp_policy_facts {
	const char *name;    /* distribution name as given; NULL when unknown */
	const char *version; /* NULL when unknown */
	enum sp_dist_kind kind;
	bool from_index;
	int64_t upload_time;	    /* unix seconds; 0 unknown */
	int yanked;		    /* 1 yes, 0 no, -1 unknown */
	const char *yanked_reason;  /* may be NULL */
	const char *index_url;	    /* the index the file came from; NULL local */
	const char *const *serving; /* every configured index that serves the name */
	size_t nserving;
	const char *license_expression; /* SPDX, from License-Expression; NULL none */
	const char *const *classifiers; /* Classifier: values; may be NULL */
	size_t nclassifiers;
	int64_t latest_release_time; /* unix seconds of the project's newest release; 0 unknown */
	int hash_pinned;	     /* 1, 0, or -1 when not from a requirement file */
	int64_t size;		     /* bytes of the file; -1 unknown */
	const char *scan_error;	     /* why the artifact could not be scanned, or NULL */
	/* known advisories for this exact name and version (src/advisory) */
	const struct sp_policy_advisory *advisories;
	size_t nadvisories;
};

/* Facts about the run rather than one artifact (install only). */
struct sp_policy_env {
	bool installing; /* venv and root rules apply only to installs */
	bool in_venv;
	bool is_root;
	const char *const *index_urls; /* every index the run uses */
	size_t nindex_urls;
	const char *const *trusted_hosts; /* --trusted-host values */
	size_t ntrusted_hosts;
	const struct sp_policy_advisory_data *advisory_data; /* NULL: not checked */
};

/*
 * Version specifiers are PEP 440's; the matcher is supplied by the caller.
 * It returns whether version satisfies specifiers (never called with an
 * empty specifier string, which matches every version). With no matcher,
 * or no version known, a package entry with specifiers matches for deny
 * lists (fail closed) and does not for allow lists and exceptions.
 */
typedef bool (*sp_version_matcher)(const char *specifiers, const char *version, void *ctx);

struct sp_policy_ctx {
	const struct sp_policy *policy;
	int64_t now; /* unix seconds */
	sp_version_matcher version_matches;
	void *matcher_ctx;
	const struct sp_typosquat *popular; /* NULL: no typosquatting check */
};

/*
 * Ids of the policy's own checks, usable in exceptions next to rule ids.
 * Deny, allow-list and scan-error decisions cannot be waived.
 */
#define SP_CHECK_DENIED "policy-denied"
#define SP_CHECK_NOT_ALLOWED "policy-not-allowed"
#define SP_CHECK_SCAN_ERROR "policy-scan-error"
#define SP_CHECK_SDIST "policy-sdist"
#define SP_CHECK_TYPOSQUAT "policy-typosquat"
#define SP_CHECK_AGE "policy-release-age"
#define SP_CHECK_YANKED "policy-yanked"
#define SP_CHECK_HASHES "policy-unhashed"
#define SP_CHECK_INDEX "policy-index"
#define SP_CHECK_CONFUSION "policy-dependency-confusion"
#define SP_CHECK_LICENSE "policy-license"
#define SP_CHECK_MAINTENANCE "policy-maintenance"
#define SP_CHECK_SIZE "policy-size"
#define SP_CHECK_VENV "policy-venv"
#define SP_CHECK_ROOT "policy-root"
#define SP_CHECK_HTTP "policy-http"
#define SP_CHECK_TRUSTED_HOST "policy-trusted-host"
#define SP_CHECK_ADVISORIES_MISSING "policy-advisories-missing"
#define SP_CHECK_ADVISORIES_STALE "policy-advisories-stale"

/* Whether id is one of the SP_CHECK_* ids. */
bool sp_policy_is_check(const char *id);

/*
 * Whether id has the shape of an advisory id ("GHSA-xxxx-xxxx-xxxx",
 * "CVE-2023-1234", "PYSEC-2023-74", "MAL-2024-1"): an upper-case prefix, a
 * '-', then letters, digits and "-_.:". Exceptions name advisories by such
 * ids (the record's own or an alias); "*" does not waive advisories.
 */
bool sp_policy_is_advisory_id(const char *id);

/*
 * Why a verdict is what it is. Findings of one rule decided the same way
 * are grouped: count says how many, path/line locate the first.
 */
struct sp_reason {
	enum sp_action action; /* ALLOW for notes (a waived finding, an expired exception) */
	char *id;	       /* rule id or SP_CHECK_* id */
	char *message;
	size_t count; /* findings in the group; 0 for a check */
	char *path;   /* first finding's path in the artifact, or NULL */
	uint32_t line;
	char *setting;	    /* JSON path of the deciding setting, or NULL */
	sp_layer_ref layer; /* layer of that setting, -1 when none */
	bool enforced;	    /* decided by the enforced floor over a looser value */
};

struct sp_verdict {
	enum sp_action action; /* ALLOW when nothing warns or blocks */
	struct sp_reason *reasons;
	size_t nreasons;
	enum sp_action *finding_actions; /* per finding of the artifact; NULL without findings */
	size_t nfindings;
};

/*
 * The verdict for one artifact. a may be NULL (no scan yet). Never fails;
 * v must be released with sp_verdict_release.
 */
void sp_policy_eval_artifact(const struct sp_policy_ctx *ctx, const struct sp_policy_facts *facts,
			     const struct sp_artifact *a, struct sp_verdict *v);

/*
 * The verdict for the run's environment (venv, root, transport) and, when
 * env->advisory_data is set, for the advisory data (missing, too old).
 */
void sp_policy_eval_env(const struct sp_policy_ctx *ctx, const struct sp_policy_env *env,
			struct sp_verdict *v);

/*
 * Whether the policy acts on advisories at all (some advisory action above
 * allow in any layer), so a caller can skip opening the data.
 */
bool sp_policy_wants_advisories(const struct sp_policy *p);

void sp_verdict_release(struct sp_verdict *v);

/* --- helpers the loader and tests share --- */

/* PEP 503: lower case, runs of '-', '_', '.' become '-'. Returns a new string. */
char *sp_policy_normalize_name(const char *name);
/* "7 days", "12h", "2 weeks", "90 min", "1 year" -> seconds. */
int sp_policy_parse_duration(const char *s, int64_t *seconds);
/* "YYYY-MM-DD" -> days since 1970-01-01. */
int sp_policy_parse_date(const char *s, int64_t *days);
/*
 * Whether an SPDX license expression is satisfied by the allow list
 * (ids compared case-insensitively; OR needs one side, AND both, "X WITH
 * exception" counts as X). Returns 1 yes, 0 no, SP_EINVAL if malformed.
 */
int sp_policy_license_ok(const char *expr, const struct sp_policy_name *allow, size_t nallow);
/* The SPDX id a "License :: ..." trove classifier stands for, or NULL. */
const char *sp_policy_classifier_spdx(const char *classifier);

#endif
