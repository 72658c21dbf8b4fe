/*
 * One OSV record (https://ossf.github.io/osv-schema/), as the per-ecosystem
 * zips of osv.dev hold them: parsing, and the CVSS v3 base score.
 *
 * Only what safepip uses is kept: the id, dates, withdrawal, aliases, the
 * summary, the severity (a CVSS v3 score computed from the vector; else a
 * GitHub-style severity word; else unknown), whether the record is about
 * a malicious package, and the PyPI entries of "affected" with their ranges
 * and explicit versions. Entries of other ecosystems are dropped. Keys the
 * schema adds later are ignored; a known key with the wrong type, a range or
 * event that breaks the schema, or a PyPI ECOSYSTEM/SEMVER version that is
 * not PEP 440 makes the record invalid (the caller counts and reports it).
 *
 * Ownership: every string and array of a struct sp_osv_record lives in its
 * arena until sp_osv_release().
 */
#ifndef SP_ADVISORY_OSV_H
#define SP_ADVISORY_OSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"

/* Ordered: a larger value is more severe; UNKNOWN when nothing says. */
enum sp_adv_severity {
	SP_ADV_UNKNOWN,
	SP_ADV_LOW,
	SP_ADV_MEDIUM,
	SP_ADV_HIGH,
	SP_ADV_CRITICAL,
};

/* "unknown", "low", "medium", "high", "critical". */
const char *sp_adv_severity_name(enum sp_adv_severity s);

/*
 * CVSS's qualitative rating of a base score: 0.1-3.9 low, 4.0-6.9 medium,
 * 7.0-8.9 high, 9.0-10.0 critical. 0.0 ("none") counts as low: the record
 * still says the version is affected.
 */
enum sp_adv_severity sp_adv_severity_of_score(double score);

/*
 * The CVSS v3.0 or v3.1 base score of a vector such as
 * "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" (9.8), by the formula of
 * the specification (v3.1 section 7; its round-up is used for both
 * versions). Every base metric must appear once; temporal and
 * environmental metrics are accepted and do not change the base score.
 * SP_EINVAL for anything else.
 */
int sp_cvss3_base_score(const char *vector, double *score);

enum sp_osv_range_type {
	SP_OSV_ECOSYSTEM,
	SP_OSV_SEMVER,
	SP_OSV_GIT,
};

enum sp_osv_event_kind {
	SP_OSV_INTRODUCED,
	SP_OSV_FIXED,
	SP_OSV_LAST_AFFECTED,
	SP_OSV_LIMIT,
};

struct sp_osv_event {
	enum sp_osv_event_kind kind;
	const char *version; /* "0" for introduced means every version */
};

struct sp_osv_range {
	enum sp_osv_range_type type;
	struct sp_osv_event *events;
	size_t nevents;
};

struct sp_osv_affected {
	const char *name; /* PEP 503 normalised */
	struct sp_osv_range *ranges;
	size_t nranges;
	const char **versions; /* as written; may include non-PEP 440 legacy versions */
	size_t nversions;
};

struct sp_osv_record {
	const char *id;
	const char *modified;  /* RFC 3339, as written */
	const char *published; /* NULL when absent */
	const char *withdrawn; /* NULL unless withdrawn */
	const char *summary;   /* NULL when absent; control characters replaced */
	const char **aliases;
	size_t naliases;
	double score;	    /* CVSS v3 base score, -1 when none */
	const char *vector; /* the vector the score came from, or NULL */
	enum sp_adv_severity severity;
	/* a MAL- id or alias, or database_specific naming malicious-package origins */
	bool malicious;
	struct sp_osv_affected *affected; /* PyPI entries only */
	size_t naffected;
	struct sp_arena arena;
};

/*
 * Whether version (PEP 440 text) of a's package is affected, by OSV's
 * evaluation: ECOSYSTEM and SEMVER ranges in PEP 440 order (events sorted,
 * "introduced" opens, "fixed" closes at that version, "last_affected"
 * closes after it, "limit" bounds the range), GIT ranges skipped, then the
 * explicit versions list. A local label is dropped before ranges are
 * evaluated and before the list is compared, so 1.0+ubuntu1 is affected
 * when 1.0 is; a list entry with a local label matches only itself. A
 * version that is not PEP 440 matches list entries spelt the same only.
 *
 * When affected and fixed is not NULL, *fixed is the lowest "fixed" version
 * above version that a does not affect (a string of a), or NULL.
 */
bool sp_osv_affects(const struct sp_osv_affected *a, const char *version, const char **fixed);

/*
 * Parses one record (len bytes of JSON) into r, which the call initialises
 * (release it whatever the result). SP_EPARSE for invalid JSON, SP_EFORMAT
 * for a schema violation, SP_ELIMIT for a cap of core/limits.h; d gives the
 * JSON path and the reason.
 */
int sp_osv_parse(struct sp_osv_record *r, const char *text, size_t len, struct sp_diag *d);
void sp_osv_release(struct sp_osv_record *r);

#endif
