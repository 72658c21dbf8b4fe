/*
 * The advisory store: importing osv.dev's zip into SQLite, and lookups.
 *
 * Schema (format 1):
 *   meta(key, value)          format, source, synced_at, counts of the sync
 *   advisory(rowid, id, ...)  one row per stored record
 *   affected(advisory, name, data)
 *                             one row per PyPI entry of a record; name is
 *                             PEP 503 normalised and indexed; data holds
 *                             its ranges and versions, one item a line:
 *                             "R\tE|S|G" opens a range, "i|f|l|x\tVERSION"
 *                             is an introduced, fixed, last_affected or
 *                             limit event of it, "v\tVERSION" a listed
 *                             version (the parser refuses control
 *                             characters, so tabs and newlines cannot occur)
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "advisory/db.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "fetch/fetch.h"
#include "req/name.h"
#include "req/version.h"
#include "core/banned.h"

#define FORMAT "1"

/* Bytes read from libarchive at a time. */
#define CHUNK (64 * 1024)

struct sp_advisory_db {
	sqlite3 *db;
	sqlite3_stmt *match;
};

int sp_advisory_db_path(char *out, size_t size, struct sp_diag *d)
{
	const char *env = getenv("SAFEPIP_ADVISORY_DB"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (env && *env)
		n = snprintf(out, size, "%s", env);
	else if (xdg && xdg[0] == '/') /* XDG: a relative value is invalid and ignored */
		n = snprintf(out, size, "%s/safepip/advisories.sqlite", xdg);
	else if (home && home[0] == '/')
		n = snprintf(out, size, "%s/.local/share/safepip/advisories.sqlite", home);
	else
		return sp_diag_set(d, SP_ENOENT,
				   "cannot place the advisory database: no HOME (set "
				   "SAFEPIP_ADVISORY_DB or XDG_DATA_HOME)");
	if (n < 0 || (size_t)n >= size)
		return sp_diag_set(d, SP_ELIMIT,
				   "cannot place the advisory database: path too long");
	return 0;
}

/* --- reading --- */

static int db_error(struct sp_diag *d, sqlite3 *db, const char *path, const char *what)
{
	sp_diag_file(d, path);
	return sp_diag_set(d, SP_EIO, "cannot %s the advisory database '%s': %s", what, path,
			   db ? sqlite3_errmsg(db) : "out of memory");
}

int sp_advisory_db_open(struct sp_advisory_db **out, const char *path, struct sp_diag *d)
{
	struct sp_advisory_db *a = xcalloc(1, sizeof(*a));
	sqlite3_stmt *st = NULL;
	struct stat sb;
	int err = 0;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		sp_diag_file(d, path);
		err = sp_diag_set(d, errno == ENOENT ? SP_ENOENT : SP_EIO,
				  "no advisory data: cannot read '%s': %s (run 'safepip "
				  "advisories sync')",
				  path, strerror(errno));
		goto out;
	}
	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		err = db_error(d, a->db, path, "open");
		goto out;
	}
	if (sqlite3_prepare_v2(a->db, "SELECT value FROM meta WHERE key = 'format'", -1, &st,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), FORMAT) != 0) {
		sp_diag_file(d, path);
		err = sp_diag_set(d, SP_EFORMAT,
				  "'%s' is not an advisory database this safepip reads (run "
				  "'safepip advisories sync' to rebuild it)",
				  path);
		goto out;
	}
	if (sqlite3_prepare_v2(a->db,
			       "SELECT a.rowid, a.id, a.aliases, a.summary, a.modified, "
			       "a.published, a.malicious, a.severity, a.score, a.vector, f.data "
			       "FROM affected f JOIN advisory a ON a.rowid = f.advisory "
			       "WHERE f.name = ?1 ORDER BY a.rowid",
			       -1, &a->match, NULL) != SQLITE_OK) {
		err = db_error(d, a->db, path, "read");
		goto out;
	}
	*out = a;
	a = NULL;
out:
	sqlite3_finalize(st);
	if (a) {
		sqlite3_close(a->db);
		free(a);
	}
	return err;
}

void sp_advisory_db_close(struct sp_advisory_db *db)
{
	if (!db)
		return;
	sqlite3_finalize(db->match);
	sqlite3_close(db->db);
	free(db);
}

static int64_t meta_int(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return v;
}

static int64_t count_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int sp_advisory_db_info(struct sp_advisory_db *db, struct sp_advisory_info *info, struct sp_diag *d)
{
	sqlite3_stmt *st = NULL;
	int64_t adv, mal, pkgs;

	memset(info, 0, sizeof(*info));
	if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = 'source'", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		snprintf(info->source, sizeof(info->source), "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	info->synced_at = meta_int(db->db, "synced_at");
	info->withdrawn = (size_t)meta_int(db->db, "withdrawn");
	info->other = (size_t)meta_int(db->db, "other");
	info->bad = (size_t)meta_int(db->db, "bad");
	adv = count_of(db->db, "SELECT count(*) FROM advisory");
	mal = count_of(db->db, "SELECT count(*) FROM advisory WHERE malicious");
	pkgs = count_of(db->db, "SELECT count(DISTINCT name) FROM affected");
	if (adv < 0 || mal < 0 || pkgs < 0)
		return sp_diag_set(d, SP_EIO, "cannot read the advisory database: %s",
				   sqlite3_errmsg(db->db));
	info->advisories = (size_t)adv;
	info->malicious = (size_t)mal;
	info->packages = (size_t)pkgs;
	return 0;
}

void sp_advisory_list_init(struct sp_advisory_list *l)
{
	memset(l, 0, sizeof(*l));
	sp_arena_init(&l->arena);
}

void sp_advisory_list_release(struct sp_advisory_list *l)
{
	free(l->items);
	sp_arena_release(&l->arena);
	memset(l, 0, sizeof(*l));
}

const char *sp_advisory_aliases_text(struct sp_advisory_list *l, const struct sp_advisory *a)
{
	struct sp_buf b;
	const char *r;
	size_t i;

	sp_buf_init(&b, SIZE_MAX);
	sp_buf_addstr(&b, "");
	for (i = 0; i < a->naliases; i++)
		sp_buf_addf(&b, "%s%s", i ? ", " : "", a->aliases[i]);
	r = sp_arena_strdup(&l->arena, b.data);
	sp_buf_release(&b);
	return r;
}

/* The stored form of an affected entry back into ranges and versions (arena-owned). */
static void decode(struct sp_arena *ar, const char *data, struct sp_osv_affected *a)
{
	size_t lines = 1, nr = 0, ne = 0, nv = 0;
	const char *p;
	char *copy, *line, *save = NULL;

	memset(a, 0, sizeof(*a));
	for (p = data; *p; p++)
		lines += *p == '\n';
	a->ranges = sp_arena_alloc(ar, lines * sizeof(*a->ranges));
	a->versions = sp_arena_alloc(ar, lines * sizeof(*a->versions));
	copy = sp_arena_strdup(ar, data);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char tag = line[0];
		const char *v = line[1] == '\t' ? line + 2 : NULL;

		if (!v)
			continue;
		if (tag == 'R') {
			struct sp_osv_range *rg = &a->ranges[nr++];

			rg->type = *v == 'G'   ? SP_OSV_GIT
				   : *v == 'S' ? SP_OSV_SEMVER
					       : SP_OSV_ECOSYSTEM;
			rg->events = sp_arena_alloc(ar, lines * sizeof(*rg->events));
			ne = 0;
		} else if (tag == 'v') {
			a->versions[nv++] = v;
		} else if (nr && strchr("iflx", tag)) {
			struct sp_osv_range *rg = &a->ranges[nr - 1];

			rg->events[ne].kind = tag == 'i'   ? SP_OSV_INTRODUCED
					      : tag == 'f' ? SP_OSV_FIXED
					      : tag == 'l' ? SP_OSV_LAST_AFFECTED
							   : SP_OSV_LIMIT;
			rg->events[ne++].version = v;
			rg->nevents = ne;
		}
	}
	a->nranges = nr;
	a->nversions = nv;
}

static const char *col(struct sp_arena *ar, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return sp_arena_strdup(ar, s ? (const char *)s : "");
}

static const char **split_aliases(struct sp_arena *ar, const char *s, size_t *n)
{
	size_t cap = 1, k = 0;
	const char *p;
	const char **out;
	char *copy, *tok, *save = NULL;

	for (p = s; *p; p++)
		cap += *p == ' ';
	out = sp_arena_alloc(ar, cap * sizeof(*out));
	copy = sp_arena_strdup(ar, s);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		out[k++] = tok;
	*n = k;
	return out;
}

static int cmp_advisory(const void *x, const void *y)
{
	const struct sp_advisory *a = x, *b = y;

	if (a->malicious != b->malicious)
		return a->malicious ? -1 : 1;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* The lower of two fixed versions (either may be NULL). */
static const char *lower_fixed(const char *a, const char *b)
{
	struct sp_version x, y;

	if (!a || !b)
		return a ? a : b;
	if (sp_version_parse(&x, a, strlen(a), NULL) || sp_version_parse(&y, b, strlen(b), NULL))
		return a;
	return sp_version_cmp(&x, &y) <= 0 ? a : b;
}

int sp_advisory_match(struct sp_advisory_db *db, const char *name, const char *version,
		      struct sp_advisory_list *out, struct sp_diag *d)
{
	char *norm = sp_name_normalize(name);
	sqlite3_int64 last = -1;
	size_t cap = out->n, first = out->n;
	bool have_last = false;
	int rc, err = 0;

	sqlite3_reset(db->match);
	sqlite3_bind_text(db->match, 1, norm, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(db->match)) == SQLITE_ROW) {
		sqlite3_int64 row = sqlite3_column_int64(db->match, 0);
		struct sp_osv_affected af;
		struct sp_advisory *a;
		const char *fixed = NULL;
		struct sp_arena tmp;
		bool hit;

		sp_arena_init(&tmp);
		decode(&tmp, (const char *)sqlite3_column_text(db->match, 10), &af);
		hit = !version || sp_osv_affects(&af, version, &fixed);
		if (hit && fixed)
			fixed = sp_arena_strdup(&out->arena, fixed);
		sp_arena_release(&tmp);
		if (!hit)
			continue;
		/* several entries of one record for the same package: one advisory */
		if (have_last && row == last) {
			a = &out->items[out->n - 1];
			a->fixed = lower_fixed(a->fixed, fixed);
			continue;
		}
		SP_GROW(out->items, out->n + 1, cap);
		a = &out->items[out->n++];
		memset(a, 0, sizeof(*a));
		a->id = col(&out->arena, db->match, 1);
		a->aliases =
			split_aliases(&out->arena, col(&out->arena, db->match, 2), &a->naliases);
		a->package = sp_arena_strdup(&out->arena, norm);
		a->summary = col(&out->arena, db->match, 3);
		a->modified = col(&out->arena, db->match, 4);
		a->published = col(&out->arena, db->match, 5);
		a->malicious = sqlite3_column_int(db->match, 6) != 0;
		a->severity = (enum sp_adv_severity)sqlite3_column_int(db->match, 7);
		if (a->severity > SP_ADV_CRITICAL)
			a->severity = SP_ADV_UNKNOWN;
		a->score = sqlite3_column_type(db->match, 8) == SQLITE_NULL
				   ? -1
				   : sqlite3_column_double(db->match, 8);
		a->vector = col(&out->arena, db->match, 9);
		a->fixed = fixed;
		last = row;
		have_last = true;
	}
	if (rc != SQLITE_DONE)
		err = sp_diag_set(d, SP_EIO, "cannot look up advisories for '%s': %s", norm,
				  sqlite3_errmsg(db->db));
	sqlite3_reset(db->match);
	if (out->n > first)
		qsort(out->items + first, out->n - first, sizeof(*out->items), cmp_advisory);
	free(norm);
	return err;
}

/* --- writing --- */

static const char SCHEMA[] =
	"PRAGMA journal_mode = OFF;"
	"PRAGMA synchronous = OFF;"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE advisory(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
	" aliases TEXT NOT NULL, summary TEXT NOT NULL, modified TEXT NOT NULL,"
	" published TEXT NOT NULL, malicious INTEGER NOT NULL, severity INTEGER NOT NULL,"
	" score REAL, vector TEXT NOT NULL);"
	"CREATE TABLE affected(advisory INTEGER NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL);"
	"BEGIN;";

struct writer {
	sqlite3 *db;
	sqlite3_stmt *adv, *aff;
	const char *path; /* the temporary file, for messages */
};

static void encode(const struct sp_osv_affected *a, struct sp_buf *b)
{
	static const char tags[] = "iflx";
	size_t i, j;

	sp_buf_reset(b);
	sp_buf_addstr(b, "");
	for (i = 0; i < a->nranges; i++) {
		const struct sp_osv_range *rg = &a->ranges[i];

		sp_buf_addf(b, "R\t%c\n",
			    rg->type == SP_OSV_GIT	? 'G'
			    : rg->type == SP_OSV_SEMVER ? 'S'
							: 'E');
		for (j = 0; j < rg->nevents; j++)
			sp_buf_addf(b, "%c\t%s\n", tags[rg->events[j].kind], rg->events[j].version);
	}
	for (i = 0; i < a->nversions; i++)
		sp_buf_addf(b, "v\t%s\n", a->versions[i]);
}

/* Stores one record; *dup when its id is already stored. */
static int store(struct writer *w, const struct sp_osv_record *r, bool *dup, struct sp_diag *d)
{
	struct sp_buf b;
	sqlite3_int64 row;
	size_t i;
	int err = 0;

	*dup = false;
	sp_buf_init(&b, SIZE_MAX);
	for (i = 0; i < r->naliases; i++)
		sp_buf_addf(&b, "%s%s", i ? " " : "", r->aliases[i]);
	sp_buf_addstr(&b, "");
	sqlite3_reset(w->adv);
	sqlite3_bind_text(w->adv, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->adv, 2, b.data, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(w->adv, 3, r->summary ? r->summary : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(w->adv, 4, r->modified, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->adv, 5, r->published ? r->published : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(w->adv, 6, r->malicious);
	sqlite3_bind_int(w->adv, 7, (int)r->severity);
	if (r->score >= 0)
		sqlite3_bind_double(w->adv, 8, r->score);
	else
		sqlite3_bind_null(w->adv, 8);
	sqlite3_bind_text(w->adv, 9, r->vector ? r->vector : "", -1, SQLITE_STATIC);
	if (sqlite3_step(w->adv) != SQLITE_DONE) {
		err = db_error(d, w->db, w->path, "write");
		goto out;
	}
	if (sqlite3_changes(w->db) == 0) {
		*dup = true;
		goto out;
	}
	row = sqlite3_last_insert_rowid(w->db);
	for (i = 0; i < r->naffected; i++) {
		encode(&r->affected[i], &b);
		sqlite3_reset(w->aff);
		sqlite3_bind_int64(w->aff, 1, row);
		sqlite3_bind_text(w->aff, 2, r->affected[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(w->aff, 3, b.data, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(w->aff) != SQLITE_DONE) {
			err = db_error(d, w->db, w->path, "write");
			goto out;
		}
	}
out:
	sp_buf_release(&b);
	return err;
}

static void note_bad(struct sp_advisory_sync_stats *st, const char *entry, const char *why)
{
	st->bad++;
	if (st->nbad_shown < SP_MAX_ADVISORY_BAD_SHOWN)
		snprintf(st->bad_shown[st->nbad_shown++], sizeof(st->bad_shown[0]),
			 "%.200s: %.300s", entry, why);
}

/* One zip entry's record: parsed, then stored or counted. */
static int import_record(struct writer *w, const char *entry, const struct sp_buf *body,
			 struct sp_advisory_sync_stats *st, struct sp_diag *d)
{
	struct sp_osv_record r;
	struct sp_diag pd;
	bool dup = false;
	int err;

	sp_diag_clear(&pd);
	if (sp_osv_parse(&r, body->data, body->len, &pd)) {
		note_bad(st, entry, pd.msg);
		err = 0;
	} else if (r.withdrawn) {
		st->withdrawn++;
		err = 0;
	} else if (!r.naffected) {
		st->other++;
		err = 0;
	} else if (!(err = store(w, &r, &dup, d))) {
		if (dup) {
			note_bad(st, entry, "a record with this id was already imported");
		} else {
			st->imported++;
			st->malicious += r.malicious;
		}
	}
	sp_osv_release(&r);
	return err;
}

static int zip_error(struct sp_diag *d, struct archive *a, const char *source)
{
	const char *msg = archive_error_string(a);

	return sp_diag_set(d, SP_EFORMAT,
			   "cannot import '%s': not a complete OSV zip (%s); the previous "
			   "advisory data is kept",
			   source, msg ? msg : "unreadable");
}

/* Reads every entry of the zip into the open writer. */
static int read_zip(struct writer *w, const void *zip, size_t len, const char *source,
		    struct sp_advisory_sync_stats *st, struct sp_diag *d)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct sp_buf body;
	char *chunk = xmalloc(CHUNK);
	int64_t total = 0;
	int r, err = 0;

	sp_buf_init(&body, SP_MAX_OSV_RECORD_BYTES);
	if (!a) {
		fprintf(stderr, "safepip: fatal: out of memory creating an archive reader\n");
		abort();
	}
	/* Seekable only: the central directory must be there, so truncation is an error. */
	archive_read_support_format_zip_seekable(a);
	if (archive_read_open_memory(a, zip, len) != ARCHIVE_OK) {
		err = zip_error(d, a, source);
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		const char *name;
		bool too_big = false;
		ssize_t n;

		if (r != ARCHIVE_OK) {
			err = zip_error(d, a, source);
			goto out;
		}
		if (++st->entries > SP_MAX_ADVISORY_RECORDS) {
			err = sp_diag_set(
				d, SP_ELIMIT,
				"cannot import '%s': more than %d entries "
				"(SP_MAX_ADVISORY_RECORDS); the previous advisory data is "
				"kept",
				source, SP_MAX_ADVISORY_RECORDS);
			goto out;
		}
		name = archive_entry_pathname(e);
		if (!name)
			name = "(unnamed entry)";
		if (archive_entry_filetype(e) != AE_IFREG) {
			st->entries--; /* directories are not records */
			continue;
		}
		sp_buf_reset(&body);
		sp_buf_addstr(&body, "");
		while ((n = archive_read_data(a, chunk, CHUNK)) > 0) {
			total += n;
			if (total > SP_MAX_ADVISORY_TOTAL_BYTES) {
				err = sp_diag_set(d, SP_ELIMIT,
						  "cannot import '%s': more than %lld bytes "
						  "uncompressed (SP_MAX_ADVISORY_TOTAL_BYTES); the "
						  "previous advisory data is kept",
						  source, (long long)SP_MAX_ADVISORY_TOTAL_BYTES);
				goto out;
			}
			if (!too_big && sp_buf_add(&body, chunk, (size_t)n))
				too_big = true;
		}
		if (n < 0) {
			err = zip_error(d, a, source);
			goto out;
		}
		if (too_big) {
			char why[128];

			snprintf(why, sizeof(why), "larger than %d bytes (SP_MAX_OSV_RECORD_BYTES)",
				 SP_MAX_OSV_RECORD_BYTES);
			note_bad(st, name, why);
			continue;
		}
		if ((err = import_record(w, name, &body, st, d)))
			goto out;
	}
out:
	free(chunk);
	sp_buf_release(&body);
	archive_read_free(a);
	return err;
}

static int set_meta(struct writer *w, const char *key, const char *value, struct sp_diag *d)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(w->db, "INSERT INTO meta(key, value) VALUES(?1, ?2)", -1, &st,
			       NULL) != SQLITE_OK)
		return db_error(d, w->db, w->path, "write");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(d, w->db, w->path, "write");
}

static int write_meta(struct writer *w, const char *source, int64_t now,
		      const struct sp_advisory_sync_stats *st, struct sp_diag *d)
{
	char num[32];
	int err;

#define META_NUM(k, v) (snprintf(num, sizeof(num), "%lld", (long long)(v)), set_meta(w, k, num, d))
	if ((err = set_meta(w, "format", FORMAT, d)) || (err = set_meta(w, "source", source, d)) ||
	    (err = META_NUM("synced_at", now)) || (err = META_NUM("entries", st->entries)) ||
	    (err = META_NUM("withdrawn", st->withdrawn)) || (err = META_NUM("other", st->other)) ||
	    (err = META_NUM("bad", st->bad)))
		return err;
#undef META_NUM
	return 0;
}

static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* fsync of the directory holding path, so the rename itself is durable. */
static void sync_dir(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	sync_file(slash ? dir : ".");
	free(dir);
}

int sp_advisory_import(const char *path, const void *zip, size_t len, const char *source,
		       int64_t now, struct sp_advisory_sync_stats *st, struct sp_diag *d)
{
	struct writer w = {0};
	char *tmp = NULL, *dir = xstrdup(path), *slash = strrchr(dir, '/');
	bool created = false;
	char *errmsg = NULL;
	int fd, err = 0;

	memset(st, 0, sizeof(*st));
	st->bytes = (int64_t)len;
	if (slash && slash != dir) {
		*slash = '\0';
		if (sp_mkdirs(dir) != 0) {
			sp_diag_file(d, dir);
			err = sp_diag_set(d, SP_EIO, "cannot create '%s': %s", dir,
					  strerror(errno));
			goto out;
		}
	}
	tmp = xasprintf("%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		sp_diag_file(d, path);
		err = sp_diag_set(d, SP_EIO, "cannot write next to '%s': %s", path,
				  strerror(errno));
		goto out;
	}
	close(fd);
	created = true;
	w.path = tmp;
	if (sqlite3_open_v2(tmp, &w.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		err = db_error(d, w.db, tmp, "create");
		goto out;
	}
	if (sqlite3_exec(w.db, SCHEMA, NULL, NULL, &errmsg) != SQLITE_OK ||
	    sqlite3_prepare_v2(w.db,
			       "INSERT OR IGNORE INTO advisory(id, aliases, summary, modified, "
			       "published, malicious, severity, score, vector) "
			       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			       -1, &w.adv, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w.db,
			       "INSERT INTO affected(advisory, name, data) VALUES(?1, ?2, ?3)", -1,
			       &w.aff, NULL) != SQLITE_OK) {
		err = db_error(d, w.db, tmp, "create");
		goto out;
	}
	if ((err = read_zip(&w, zip, len, source, st, d)))
		goto out;
	if (st->imported == 0) {
		err = sp_diag_set(d, SP_EFORMAT,
				  "cannot import '%s': no PyPI advisory in it (%zu entries, %zu "
				  "invalid); the previous advisory data is kept",
				  source, st->entries, st->bad);
		goto out;
	}
	if ((err = write_meta(&w, source, now, st, d)))
		goto out;
	/* the index is built once, after the rows: faster than keeping it up to date */
	if (sqlite3_exec(w.db, "CREATE INDEX affected_name ON affected(name); COMMIT;", NULL, NULL,
			 &errmsg) != SQLITE_OK) {
		err = db_error(d, w.db, tmp, "write");
		goto out;
	}
	sqlite3_finalize(w.adv);
	sqlite3_finalize(w.aff);
	w.adv = w.aff = NULL;
	if (sqlite3_close(w.db) != SQLITE_OK) {
		err = db_error(d, w.db, tmp, "write");
		w.db = NULL;
		goto out;
	}
	w.db = NULL;
	if (sync_file(tmp) != 0 || rename(tmp, path) != 0) {
		sp_diag_file(d, path);
		err = sp_diag_set(d, SP_EIO,
				  "cannot replace '%s': %s; the previous advisory data "
				  "is kept",
				  path, strerror(errno));
		goto out;
	}
	created = false;
	sync_dir(path);
out:
	sqlite3_free(errmsg);
	sqlite3_finalize(w.adv);
	sqlite3_finalize(w.aff);
	if (w.db)
		sqlite3_close(w.db);
	if (created)
		unlink(tmp);
	free(tmp);
	free(dir);
	return err;
}

/* --- sync --- */

struct got {
	struct sp_buf body;
	int err;
	struct sp_diag d;
};

static void fetched(const struct sp_fetch_result *r, void *arg)
{
	struct got *g = arg;

	g->err = r->err;
	if (r->err) {
		if (r->diag)
			g->d = *r->diag;
		return;
	}
	g->body.data = sp_buf_detach(r->body, &g->body.len);
	g->body.cap = g->body.len + 1;
}

static int download(const char *url, const struct sp_fetch_opts *fo, struct sp_buf *out,
		    struct sp_diag *d)
{
	struct sp_fetch *f = NULL;
	struct sp_fetch_req req = {0};
	struct got g;
	int err;

	memset(&g, 0, sizeof(g));
	sp_buf_init(&g.body, SP_MAX_ADVISORY_ZIP_BYTES);
	req.url = url;
	req.size = -1;
	req.max_bytes = SP_MAX_ADVISORY_ZIP_BYTES;
	req.sink = SP_SINK_MEMORY;
	req.done = fetched;
	req.arg = &g;
	if ((err = sp_fetch_new(&f, fo, d)) || (err = sp_fetch_add(f, &req, d)))
		goto out;
	sp_fetch_run(f);
	if ((err = g.err)) {
		if (d) {
			*d = g.d;
			if (!d->msg[0])
				sp_diag_set(d, err, "cannot fetch '%s'", url);
		}
		goto out;
	}
	*out = g.body;
	g.body.data = NULL;
out:
	sp_fetch_free(f);
	sp_buf_release(&g.body);
	return err;
}

int sp_advisory_sync(const char *path, const char *source, const struct sp_fetch_opts *fo,
		     int64_t now, struct sp_advisory_sync_stats *st, struct sp_diag *d)
{
	struct sp_buf zip;
	int err;

	memset(st, 0, sizeof(*st));
	sp_buf_init(&zip, SP_MAX_ADVISORY_ZIP_BYTES);
	if (!strncmp(source, "https://", 8) || !strncmp(source, "http://", 7)) {
		err = download(source, fo, &zip, d);
	} else {
		const char *file = !strncmp(source, "file://", 7) ? source + 7 : source;

		err = sp_file_read(file, SP_MAX_ADVISORY_ZIP_BYTES, &zip, d);
		if (err == SP_ENOENT)
			sp_diag_set(d, err, "cannot read '%s': no such file (check --from)", file);
	}
	if (!err)
		err = sp_advisory_import(path, zip.data, zip.len, source, now, st, d);
	sp_buf_release(&zip);
	return err;
}
