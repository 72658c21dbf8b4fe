/*
 * The advisory store: OSV records for PyPI in an SQLite file, filled by a
 * sync from osv.dev's per-ecosystem zip and read by exact (name, version)
 * lookups.
 *
 * A sync reads the whole zip in memory (libarchive, central directory
 * required, so a truncated file is refused), parses every record, writes a
 * new database file next to the old one and renames it over the old one
 * only when everything succeeded. An invalid record is counted and named in
 * the statistics and the sync goes on; a damaged zip, a cap, a download or
 * disk error fails the sync and the previous data stays as it was.
 *
 * Lookups go through an index on the normalised package name and evaluate
 * the ranges of that package's records only (src/advisory/osv.h), so their
 * cost does not grow with the size of the data.
 *
 * Ownership: a struct sp_advisory_db is opened read-only and freed by
 * sp_advisory_db_close(). A struct sp_advisory_list owns every string of
 * its items until sp_advisory_list_release().
 */
#ifndef SP_ADVISORY_DB_H
#define SP_ADVISORY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advisory/osv.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

struct sp_fetch_opts;

#define SP_ADVISORY_DEFAULT_URL "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"

/*
 * Where the database is: $SAFEPIP_ADVISORY_DB, else
 * $XDG_DATA_HOME/safepip/advisories.sqlite, else
 * ~/.local/share/safepip/advisories.sqlite. SP_ENOENT (in d) when none of
 * them can be formed (no HOME), SP_ELIMIT when the path does not fit.
 */
int sp_advisory_db_path(char *out, size_t size, struct sp_diag *d);

struct sp_advisory_db;

/*
 * Opens the database read-only. SP_ENOENT when there is none (never
 * synced), SP_EFORMAT when the file is not one safepip wrote, SP_EIO when
 * it cannot be read; d says which and what to do.
 */
int sp_advisory_db_open(struct sp_advisory_db **out, const char *path, struct sp_diag *d);
void sp_advisory_db_close(struct sp_advisory_db *db);

/* What the data is and where it came from. */
struct sp_advisory_info {
	char source[1024]; /* URL or file of the last sync */
	int64_t synced_at; /* unix seconds */
	size_t advisories; /* records stored */
	size_t malicious;
	size_t packages;  /* distinct package names */
	size_t withdrawn; /* skipped by the sync, as below */
	size_t other;
	size_t bad;
};

int sp_advisory_db_info(struct sp_advisory_db *db, struct sp_advisory_info *info,
			struct sp_diag *d);

struct sp_advisory {
	const char *id;
	const char **aliases; /* CVE, GHSA, PYSEC... ids of the same report */
	size_t naliases;
	const char *package; /* normalised name */
	const char *summary; /* "" when the record has none */
	const char *modified;
	const char *published; /* "" when unknown */
	bool malicious;
	enum sp_adv_severity severity;
	double score;	    /* CVSS v3 base score, -1 none */
	const char *vector; /* "" none */
	/* the first fixed version above the one looked up, NULL when none (or no version given) */
	const char *fixed;
};

struct sp_advisory_list {
	struct sp_advisory *items;
	size_t n;
	struct sp_arena arena;
};

void sp_advisory_list_init(struct sp_advisory_list *l);
void sp_advisory_list_release(struct sp_advisory_list *l);

/*
 * Appends to out the advisories that affect name (any spelling; PEP 503)
 * at version, or with version NULL every advisory naming the package.
 * Sorted: malicious first, then by severity, then by id.
 */
int sp_advisory_match(struct sp_advisory_db *db, const char *name, const char *version,
		      struct sp_advisory_list *out, struct sp_diag *d);

/* "GHSA-x, CVE-y" (aliases joined), into the list's arena. */
const char *sp_advisory_aliases_text(struct sp_advisory_list *l, const struct sp_advisory *a);

struct sp_advisory_sync_stats {
	int64_t bytes;	  /* of the zip */
	size_t entries;	  /* zip entries read */
	size_t imported;  /* records stored */
	size_t malicious; /* of those, malicious-package reports */
	size_t withdrawn; /* skipped: withdrawn */
	size_t other;	  /* skipped: no PyPI package */
	size_t bad;	  /* skipped: invalid, duplicate or too large */
	/* the first SP_MAX_ADVISORY_BAD_SHOWN of them: entry name and reason */
	char bad_shown[SP_MAX_ADVISORY_BAD_SHOWN][SP_DIAG_TEXT];
	size_t nbad_shown;
};

/*
 * Imports an OSV zip held in memory (len bytes) into a new database that
 * replaces the one at path atomically; source and now are recorded. On
 * any error but invalid records, path is left as it was.
 */
int sp_advisory_import(const char *path, const void *zip, size_t len, const char *source,
		       int64_t now, struct sp_advisory_sync_stats *st, struct sp_diag *d);

/*
 * Reads source, an https:// (or, when fo allows it, http://) URL fetched
 * with fo, or a local file (a "file://" prefix is allowed), and imports it.
 */
int sp_advisory_sync(const char *path, const char *source, const struct sp_fetch_opts *fo,
		     int64_t now, struct sp_advisory_sync_stats *st, struct sp_diag *d);

#endif
