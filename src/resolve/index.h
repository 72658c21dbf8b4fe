/*
 * Package index pages: what an index says about one project's files.
 *
 * Parses PEP 691 JSON (api-version 1.x, with PEP 700's versions, sizes and
 * upload times), PEP 503 HTML (the same facts as anchor attributes), and
 * find-links sources (any HTML page of links, or a local directory). The
 * bytes come from an index safepip does not control: every field is
 * checked, every URL is resolved against the page's own URL with libcurl's
 * URL parser, and a file name with a path in it is refused.
 *
 * Ownership: a struct sp_index_page owns its files and every string in
 * them (in its arena) until sp_index_page_release().
 */
#ifndef SP_RESOLVE_INDEX_H
#define SP_RESOLVE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/digest.h"
#include "core/error.h"

struct sp_index_file {
	const char *filename;  /* the last path component of url, decoded */
	const char *url;       /* absolute, without the #fragment */
	bool has_sha256;
	unsigned char sha256[SP_SHA256_LEN];
	const char *requires_python; /* NULL when the index does not say */
	bool yanked;
	const char *yanked_reason;   /* NULL when none was given */
	int64_t size;                /* bytes, -1 when unknown */
	int64_t upload_time;         /* seconds since the epoch, -1 when unknown */
	bool has_metadata;           /* PEP 658/714: url + ".metadata" exists */
	bool metadata_has_sha256;
	unsigned char metadata_sha256[SP_SHA256_LEN];
	const char *index;           /* the page's URL: which index served this */
};

struct sp_index_page {
	const char *url;   /* as fetched, after redirects */
	const char *name;  /* the project name the page gives, or NULL */
	int api_major, api_minor;
	struct sp_index_file *files;
	size_t nfiles, cap;
	struct sp_arena arena;
};

void sp_index_page_init(struct sp_index_page *p, const char *url);
void sp_index_page_release(struct sp_index_page *p);

/* PEP 691 JSON. */
int sp_index_parse_json(struct sp_index_page *p, const char *body, size_t len,
			struct sp_diag *d);
/* PEP 503 HTML, or any page of links (find-links). */
int sp_index_parse_html(struct sp_index_page *p, const char *body, size_t len,
			struct sp_diag *d);
/*
 * Chooses the parser by the response's Content-Type (PEP 691's JSON type,
 * else HTML); a type that is neither is an error.
 */
int sp_index_parse(struct sp_index_page *p, const char *content_type, const char *body, size_t len,
		   struct sp_diag *d);

/*
 * A find-links directory: every regular file in it becomes a file://
 * entry (no hash: the hash is computed when the file is read).
 */
int sp_index_scan_dir(struct sp_index_page *p, const char *dir, struct sp_diag *d);

/*
 * Parses an RFC 3339 / ISO 8601 UTC time as PEP 700 gives it
 * ("2024-01-02T03:04:05.123456Z" or "+00:00"); -1 when malformed.
 */
int64_t sp_parse_iso8601(const char *s);

#endif
