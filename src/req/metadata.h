/*
 * Core metadata (a wheel's METADATA, an sdist's PKG-INFO): the email-style
 * headers safepip needs to resolve and judge a package. The body (the long
 * description) is skipped.
 *
 * struct sp_metadata owns every string it points to (in its arena);
 * sp_metadata_release() frees them all. Call it after sp_metadata_parse()
 * whatever that returned.
 */
#ifndef SP_REQ_METADATA_H
#define SP_REQ_METADATA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "req/requirement.h"
#include "req/version.h"

struct sp_metadata_line {
	const char *value;
	unsigned line; /* 1-based line of the header in the file */
};

struct sp_metadata {
	struct sp_arena arena;
	/* Single headers; NULL when absent. The first three are required. */
	const char *metadata_version;
	const char *name;
	const char *version_text;
	struct sp_version version; /* version_text, parsed */
	const char *requires_python;
	const char *summary;
	const char *home_page;
	const char *license;
	const char *license_expression;
	const char *author;
	const char *author_email;
	/* Repeated headers, in file order. */
	struct sp_metadata_line *requires_dist;
	size_t nrequires_dist;
	const char **provides_extra;
	size_t nprovides_extra;
	const char **dynamic;
	size_t ndynamic;
	const char **classifiers;
	size_t nclassifiers;
	const char **project_urls;
	size_t nproject_urls;
};

/*
 * Parses data (len bytes). Header names are case-insensitive; folded lines
 * (starting with a space or tab) continue the previous header, joined as
 * RFC 5322 unfolds them (the line break dropped); values are trimmed. The
 * headers end at the first empty line or at the end of data.
 *
 * Fails (SP_EFORMAT, d->line set) on: a header line without ':', a folded
 * line before any header, a NUL byte in the headers, a missing or repeated
 * Metadata-Version, Name or Version, an invalid name or version. Caps:
 * SP_MAX_METADATA_BYTES, SP_MAX_METADATA_HEADERS, SP_MAX_METADATA_VALUE
 * (for the headers kept) give SP_ELIMIT. Other single headers keep their
 * first value, as Python's email package does; unknown headers are skipped.
 */
int sp_metadata_parse(struct sp_metadata *m, const char *data, size_t len, struct sp_diag *d);

void sp_metadata_release(struct sp_metadata *m);

/*
 * Whether Requires-Dist can be trusted without building: Metadata-Version
 * 2.2 or later and Requires-Dist not listed in Dynamic (PEP 643).
 */
bool sp_metadata_requires_dist_is_static(const struct sp_metadata *m);

/*
 * Parses every Requires-Dist into *out (an array of *n pointers, in a),
 * in file order. A bad one fails with its line in d->line and the message.
 */
int sp_metadata_requirements(const struct sp_metadata *m, struct sp_arena *a,
			     struct sp_requirement ***out, size_t *n, struct sp_diag *d);

#endif
