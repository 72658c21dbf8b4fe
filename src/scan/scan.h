/*
 * The scan model: rules (from the catalog), findings, and the artifacts
 * they belong to.
 *
 * Ownership: a struct sp_catalog owns its rules and all their strings (in
 * its arena) until sp_catalog_release(); findings point at rules, so the
 * catalog must outlive every artifact scanned with it. An artifact owns its
 * findings and their strings; sp_artifact_free() frees them. Findings may
 * be added from several threads at once (the artifact has a lock).
 */
#ifndef SP_SCAN_SCAN_H
#define SP_SCAN_SCAN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/digest.h"
#include "core/error.h"
#include "unpack/unpack.h"

enum sp_severity {
	SP_SEV_INFO,
	SP_SEV_LOW,
	SP_SEV_MEDIUM,
	SP_SEV_HIGH,
	SP_SEV_CRITICAL,
};

enum sp_confidence {
	SP_CONF_LOW,
	SP_CONF_MEDIUM,
	SP_CONF_HIGH,
};

/*
 * When the code of a finding runs. Install and import time weigh more: the
 * user never called it, installing or importing the package did.
 */
enum sp_context {
	SP_CTX_NONE,     /* not code (archive, metadata, RECORD) */
	SP_CTX_FUNCTION, /* inside a function or lambda body: runs when called */
	SP_CTX_MODULE,   /* module or class body of an ordinary module: runs on import */
	SP_CTX_IMPORT,   /* top level of a package's __init__.py: runs on any import of it */
	SP_CTX_INSTALL,  /* top level of setup.py, or a .pth line: runs at install or start-up */
};

/* What a file is, which decides the context of its top-level code. */
enum sp_file_role {
	SP_FILE_MODULE,
	SP_FILE_INIT,  /* __init__.py */
	SP_FILE_SETUP, /* setup.py at the root of an sdist */
	SP_FILE_PTH,   /* executable lines of a .pth file */
};

const char *sp_severity_name(enum sp_severity s);
int sp_severity_parse(const char *s, enum sp_severity *out);
const char *sp_confidence_name(enum sp_confidence c);
int sp_confidence_parse(const char *s, enum sp_confidence *out);
const char *sp_context_name(enum sp_context c);

struct sp_rule {
	const char *id;          /* stable, kebab-case: "subprocess-shell" */
	const char *title;
	const char *category;    /* "code-execution", "malicious", "archive", ... */
	enum sp_severity severity;
	enum sp_confidence confidence;
	int cwe;                 /* 0 when none */
	const char *rationale;
	const char *remediation;
	/* Peer checks this rule covers, comma-separated ids; NULL when none. */
	const char *bandit;
	const char *pycodeaudit;
	const char *guarddog;
	/*
	 * Raise severity one step when the match runs at install or import
	 * time (SP_CTX_INSTALL, SP_CTX_IMPORT).
	 */
	bool escalate;
	bool builtin;            /* found by code, not by a query */
	/*
	 * Examples from the catalog, each a Python source text; NULL-terminated
	 * (empty lists, never NULL). aliased must raise the rule through an
	 * alias (import ... as, __import__("m"), getattr(m, "f") ...);
	 * aliased_gap holds alias forms the engine does not resolve yet.
	 */
	const char **positive;
	const char **negative;
	const char **aliased;
	const char **aliased_gap;
	const char *alias_note; /* what "aliased" means for this rule, or NULL */
};

/*
 * A check of a peer tool the catalog is measured against (policy/rules/
 * peers.tsv): a rule covers it by naming its id in the rule's equivalents;
 * otherwise reason says why no rule does.
 */
struct sp_peer_check {
	const char *peer;   /* "bandit", "pycodeaudit" or "guarddog" */
	const char *id;     /* "B602", "os.system", "shady-links" */
	const char *title;  /* what the peer's check looks for */
	const char *reason; /* NULL when a rule is meant to cover it */
};

/*
 * Why safepip and bandit disagree on one bandit test, from policy/rules/
 * bandit-compare.tsv (docs/rules.md shows it).
 */
struct sp_bandit_note {
	const char *id;   /* "B603": a bandit test of peers.tsv */
	const char *text; /* what each tool flags that the other does not, and why */
	const char *file; /* where it was read, for errors found at seal time */
	unsigned line;
};

/* One bandit test's row of a measured run of bench/compare-bandit.sh. */
struct sp_bandit_count {
	const char *id;
	unsigned long bandit, safepip; /* findings each reported */
	unsigned long both;            /* at the same place; the rest are one tool's only */
	unsigned long bandit_only, safepip_only;
	const char *file;
	unsigned line;
};

/*
 * The run docs/rules.md shows (policy/rules/bandit-compare-run.tsv, written
 * by the script): the facts of the run and a row per bandit test. The
 * strings are NULL when no run was loaded.
 */
struct sp_bandit_run {
	const char *command, *tree, *date, *bandit, *safepip;
	struct sp_bandit_count *counts;
	size_t ncounts, counts_cap;
};

struct sp_catalog {
	struct sp_rule *rules;
	size_t nrules;
	size_t cap;
	struct sp_peer_check *peers;
	size_t npeers, peers_cap;
	struct sp_bandit_note *bandit_notes;
	size_t nbandit_notes, bandit_notes_cap;
	struct sp_bandit_run bandit_run;
	char *queries;          /* all query files, concatenated; NUL-terminated */
	size_t queries_len;
	char hash[SP_SHA256_HEX]; /* of the catalog and queries: keys the verdict cache */
	struct sp_arena arena;
	struct sp_sha256 *hasher; /* while loading */
};

/*
 * Loads the catalog compiled into the binary: every .json file under
 * policy/rules (an array of rules) and every .scm file there (queries).
 */
int sp_catalog_load_embedded(struct sp_catalog *cat, struct sp_diag *d);

/*
 * Building a catalog by hand (tests, a rules directory): init, add rule
 * files and query files in any order, then seal, which refuses duplicate
 * ids and computes the hash. Adding rules checks each one, a query rule's
 * examples included (positive, negative and aliased); errors name the file
 * and the JSON path of the bad value.
 */
void sp_catalog_init(struct sp_catalog *cat);
int sp_catalog_add_rules(struct sp_catalog *cat, const char *name, const char *json, size_t len,
			 struct sp_diag *d);
int sp_catalog_add_queries(struct sp_catalog *cat, const char *name, const char *text, size_t len,
			   struct sp_diag *d);
int sp_catalog_seal(struct sp_catalog *cat, struct sp_diag *d);
/*
 * Adds the peer checks of a peers.tsv file: lines of PEER, ID, WHAT and
 * REASON separated by tabs ('-' for no reason), '#' comments and blank
 * lines. Errors name the file and line.
 */
int sp_catalog_add_peers(struct sp_catalog *cat, const char *name, const char *text, size_t len,
			 struct sp_diag *d);
/*
 * The comparison with bandit, for docs/rules.md; neither changes a finding,
 * so neither is part of the catalog hash. add_bandit_notes reads lines of
 * BANDIT_ID<TAB>TEXT; add_bandit_run lines of run<TAB>KEY<TAB>VALUE (keys
 * command, tree, date, bandit, safepip, each once) and count<TAB>BANDIT_ID
 * <TAB>BANDIT<TAB>SAFEPIP<TAB>BOTH<TAB>BANDIT_ONLY<TAB>SAFEPIP_ONLY, whose
 * numbers must add up. '#' comments and blank lines are skipped; errors
 * name the file and line. sp_catalog_seal() then refuses a bandit id that
 * peers.tsv does not list, an id given twice, and a run without all its keys.
 */
int sp_catalog_add_bandit_notes(struct sp_catalog *cat, const char *name, const char *text,
				size_t len, struct sp_diag *d);
int sp_catalog_add_bandit_run(struct sp_catalog *cat, const char *name, const char *text,
			      size_t len, struct sp_diag *d);
/* The note on a bandit test, or NULL. */
const struct sp_bandit_note *sp_catalog_bandit_note(const struct sp_catalog *cat,
						    const char *id);
/* Whether the rule names the peer's check id among its equivalents. */
bool sp_rule_covers(const struct sp_rule *r, const char *peer, const char *id);
/*
 * Adds the rule, query, peer and bandit comparison files compiled into the
 * binary (not sealed).
 */
int sp_catalog_add_embedded(struct sp_catalog *cat, struct sp_diag *d);
void sp_catalog_release(struct sp_catalog *cat);
/* The rule with this id, or NULL. Binary search once sealed, linear before. */
const struct sp_rule *sp_catalog_find(const struct sp_catalog *cat, const char *id);

struct sp_finding {
	const struct sp_rule *rule;
	enum sp_severity severity; /* after context */
	enum sp_confidence confidence;
	enum sp_context context;
	char *path;    /* path inside the artifact; NULL for the artifact itself */
	uint32_t line; /* 1-based; 0 when not about a line */
	uint32_t col;  /* 1-based; 0 when not about a line */
	char *snippet; /* the source line(s), capped at SP_MAX_SNIPPET; may be NULL */
	char *detail;  /* what exactly was seen: "calls os.system"; may be NULL */
};

struct sp_artifact {
	char *target;               /* as the user named it */
	char *name;                 /* distribution name from metadata, or NULL */
	char *version;              /* or NULL */
	enum sp_source_kind kind;
	bool has_sha256;
	unsigned char sha256[SP_SHA256_LEN];
	bool pure;                  /* wheel: Root-Is-Purelib: true */
	size_t files;               /* entries seen */
	size_t sources;             /* Python sources parsed */
	uint64_t source_bytes;
	int error;                  /* 0, or why the target could not be read at all */
	char *error_msg;

	struct sp_finding *findings;
	size_t nfindings, cap;
	pthread_mutex_t lock;
};

struct sp_artifact *sp_artifact_new(const char *target);
void sp_artifact_free(struct sp_artifact *a);

/*
 * Adds a finding for rule (must not be NULL). Strings are copied; snippet
 * is capped. severity is the rule's, raised one step when the rule
 * escalates and ctx is install or import time. Thread-safe.
 */
void sp_artifact_add(struct sp_artifact *a, const struct sp_rule *rule, enum sp_context ctx,
		     const char *path, uint32_t line, uint32_t col, const char *snippet,
		     size_t snippet_len, const char *detail);
/* Sorts findings by path, line, column and rule id (stable output). */
void sp_artifact_sort(struct sp_artifact *a);
/* The highest severity among findings, or -1 when there are none. */
int sp_artifact_max_severity(const struct sp_artifact *a);

#endif
