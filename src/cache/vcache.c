/* dl_iterate_phdr(), to read the program's build id, is a GNU extension. */
#define _GNU_SOURCE

#include "cache/vcache.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/file.h"
#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "core/banned.h"

/* "SPVC" in the database header: this file is safepip's verdict cache. */
#define APP_ID 0x53505643
/* The table's layout and the payload format; any other value is set aside. */
#define SCHEMA 1
#define MAGIC "SPV1"
#define NULL_LEN 0xffffffffu
/*
 * Last use is written at most this often per entry: a warm run reads every
 * entry it needs, and rewriting each row every time would make every
 * lookup a write.
 */
#define TOUCH_SECONDS 60
#define ASIDE ".aside-"
/* The rule of the one finding whose presence depends on how busy the machine was. */
#define TIMEOUT_RULE "source-timeout"

static const char schema_sql[] =
	"CREATE TABLE verdicts ("
	" sha256 BLOB NOT NULL,"   /* of the artifact file */
	" name TEXT NOT NULL,"     /* the base name it was scanned under */
	" engine TEXT NOT NULL,"
	" catalog TEXT NOT NULL,"
	" payload BLOB NOT NULL,"  /* sp_vcache_encode() */
	" checksum BLOB NOT NULL," /* SHA-256 of the key and payload: see row_sum() */
	" created INTEGER NOT NULL,"
	" used INTEGER NOT NULL,"  /* last use, Unix seconds, for pruning */
	" PRIMARY KEY (sha256, name, engine, catalog));"
	"CREATE INDEX verdicts_used ON verdicts (used);";

struct touch {
	unsigned char sha[SP_SHA256_LEN];
	char *name;
};

struct sp_vcache {
	char *path;
	char *engine;
	const struct sp_catalog *cat;
	sqlite3 *db;
	sqlite3_stmt *get, *put;
	int lockfd;
	bool broken; /* damage seen during the run: no more reads or writes */
	char *warning;
	struct sp_vcache_stats stats;
	struct touch *touches;
	size_t ntouches, cap;
};

/* --- the payload --- */

struct writer {
	struct sp_buf *b;
	int err;
};

static void w_bytes(struct writer *w, const void *p, size_t n)
{
	if (!w->err)
		w->err = sp_buf_add(w->b, p, n);
}

static void w_uint(struct writer *w, uint64_t v, size_t n)
{
	unsigned char le[8];
	size_t i;

	for (i = 0; i < n; i++)
		le[i] = (unsigned char)(v >> (8 * i));
	w_bytes(w, le, n);
}

static void w_str(struct writer *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (s && n > SP_VCACHE_MAX_FIELD) {
		if (!w->err)
			w->err = SP_ELIMIT;
		return;
	}
	w_uint(w, s ? (uint32_t)n : NULL_LEN, 4);
	if (s)
		w_bytes(w, s, n);
}

int sp_vcache_encode(const struct sp_artifact *a, struct sp_buf *out)
{
	struct writer w = {out, 0};
	size_t i;

	w_bytes(&w, MAGIC, 4);
	w_uint(&w, (uint64_t)a->kind, 1);
	w_uint(&w, a->pure ? 1 : 0, 1);
	w_uint(&w, (uint64_t)a->files, 8);
	w_uint(&w, (uint64_t)a->sources, 8);
	w_uint(&w, a->source_bytes, 8);
	w_str(&w, a->name);
	w_str(&w, a->version);
	w_uint(&w, (uint64_t)a->nfindings, 4);
	for (i = 0; i < a->nfindings; i++) {
		const struct sp_finding *f = &a->findings[i];

		w_str(&w, f->rule->id);
		w_uint(&w, (uint64_t)f->severity, 1);
		w_uint(&w, (uint64_t)f->confidence, 1);
		w_uint(&w, (uint64_t)f->context, 1);
		w_str(&w, f->path);
		w_uint(&w, f->line, 4);
		w_uint(&w, f->col, 4);
		w_str(&w, f->snippet);
		w_str(&w, f->detail);
	}
	return w.err;
}

struct reader {
	const unsigned char *p;
	size_t left;
	bool bad;
};

static uint64_t r_uint(struct reader *r, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (r->bad || r->left < n) {
		r->bad = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	r->left -= n;
	return v;
}

/* A string field: NULL for the null marker (and on error, with r->bad set). */
static char *r_str(struct reader *r, bool nullable, size_t max)
{
	uint64_t n = r_uint(r, 4);
	char *s;

	if (r->bad)
		return NULL;
	if (n == NULL_LEN) {
		r->bad = !nullable;
		return NULL;
	}
	if (n > max || n > r->left || memchr(r->p, '\0', (size_t)n)) {
		r->bad = true;
		return NULL;
	}
	s = xstrndup((const char *)r->p, (size_t)n);
	r->p += n;
	r->left -= (size_t)n;
	return s;
}

/* Bytes of the smallest finding: a one-byte rule id, null strings, zeros. */
#define MIN_FINDING (4 + 1 + 3 + 4 + 4 + 4 + 4 + 4)

int sp_vcache_decode(const void *p, size_t n, const struct sp_catalog *cat, const char *target,
		     struct sp_artifact **out)
{
	struct reader r = {p, n, false};
	struct sp_artifact *a = NULL;
	uint64_t kind, pure, nf, i;
	int rc = SP_EFORMAT;

	*out = NULL;
	if (n > SP_VCACHE_MAX_PAYLOAD || n < 4 || memcmp(p, MAGIC, 4) != 0)
		return SP_EFORMAT;
	r.p += 4;
	r.left -= 4;
	a = sp_artifact_new(target);
	kind = r_uint(&r, 1);
	pure = r_uint(&r, 1);
	/* A directory has no sha256, so it is never stored. */
	if (kind > SP_SOURCE_FILE || kind == SP_SOURCE_DIR || pure > 1)
		goto out;
	a->kind = (enum sp_source_kind)kind;
	a->pure = pure == 1;
	a->files = (size_t)r_uint(&r, 8);
	a->sources = (size_t)r_uint(&r, 8);
	a->source_bytes = r_uint(&r, 8);
	a->name = r_str(&r, true, SP_VCACHE_MAX_FIELD);
	a->version = r_str(&r, true, SP_VCACHE_MAX_FIELD);
	nf = r_uint(&r, 4);
	if (r.bad || nf > r.left / MIN_FINDING)
		goto out;
	a->findings = xcalloc(nf ? (size_t)nf : 1, sizeof(*a->findings));
	a->cap = nf ? (size_t)nf : 1;
	for (i = 0; i < nf; i++) {
		struct sp_finding *f = &a->findings[a->nfindings];
		char *id = r_str(&r, false, SP_VCACHE_MAX_FIELD);
		uint64_t sev = r_uint(&r, 1), conf = r_uint(&r, 1), ctx = r_uint(&r, 1);

		f->rule = id ? sp_catalog_find(cat, id) : NULL;
		free(id);
		if (r.bad)
			goto out;
		if (!f->rule) {
			rc = SP_ENOENT;
			goto out;
		}
		if (sev > SP_SEV_CRITICAL || conf > SP_CONF_HIGH || ctx > SP_CTX_INSTALL)
			goto out;
		f->severity = (enum sp_severity)sev;
		f->confidence = (enum sp_confidence)conf;
		f->context = (enum sp_context)ctx;
		/* Counted now, so sp_artifact_free() frees whatever was read. */
		a->nfindings++;
		f->path = r_str(&r, true, SP_VCACHE_MAX_FIELD);
		f->line = (uint32_t)r_uint(&r, 4);
		f->col = (uint32_t)r_uint(&r, 4);
		f->snippet = r_str(&r, true, SP_MAX_SNIPPET);
		f->detail = r_str(&r, true, SP_VCACHE_MAX_FIELD);
		if (r.bad)
			goto out;
	}
	if (r.left != 0)
		goto out;
	*out = a;
	a = NULL;
	rc = 0;
out:
	sp_artifact_free(a);
	return rc;
}

/* --- the database --- */

/* The directory part of path ("." for a bare name); the caller frees it. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}


static bool damaged(int rc)
{
	return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

/* The checksum binds the payload to its key, so a row copied under another key fails. */
static void row_sum(const unsigned char sha[SP_SHA256_LEN], const char *name, const char *engine,
		    const char *catalog, const void *payload, size_t n,
		    unsigned char out[SP_SHA256_LEN])
{
	struct sp_sha256 *h = sp_sha256_new();

	sp_sha256_update(h, "safepip-vcache", 15);
	sp_sha256_update(h, sha, SP_SHA256_LEN);
	sp_sha256_update(h, name, strlen(name) + 1);
	sp_sha256_update(h, engine, strlen(engine) + 1);
	sp_sha256_update(h, catalog, strlen(catalog) + 1);
	sp_sha256_update(h, payload, n);
	sp_sha256_final(h, out);
	sp_sha256_free(h);
}

/* One integer from a statement such as a PRAGMA; its result code. */
static int query_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	*v = 0;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*v = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* A statement run for its effect, retried while another connection holds a lock it needs. */
static int exec_retry(sqlite3 *db, const char *sql)
{
	struct timespec pause = {0, 10 * 1000 * 1000};
	int rc, waited = 0;

	for (;;) {
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return rc;
		if (waited >= SP_VCACHE_BUSY_MS)
			return rc;
		nanosleep(&pause, NULL);
		waited += 10;
	}
}

enum { CONNECT_OK, CONNECT_ASIDE, CONNECT_FAIL };

/* Makes the table in a new, empty database, unless another process just did. */
static int init_schema(sqlite3 *db)
{
	int64_t app = 0, objects = 0;
	int rc;

	/* WAL first: the mode cannot change inside a transaction. */
	if ((rc = exec_retry(db, "PRAGMA journal_mode=WAL")) != SQLITE_OK)
		return rc;
	if ((rc = exec_retry(db, "BEGIN IMMEDIATE")) != SQLITE_OK)
		return rc;
	rc = query_int(db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = query_int(db, "SELECT count(*) FROM sqlite_master", &objects);
	if (rc == SQLITE_OK && app == 0 && objects == 0) {
		char pragmas[96];

		snprintf(pragmas, sizeof(pragmas), "PRAGMA application_id=%d; PRAGMA user_version=%d",
			 APP_ID, SCHEMA);
		rc = sqlite3_exec(db, schema_sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, pragmas, NULL, NULL, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static char *quick_check(sqlite3 *db, int *rc)
{
	sqlite3_stmt *st = NULL;
	char *bad = NULL;

	*rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (*rc == SQLITE_OK) {
		*rc = sqlite3_step(st);
		if (*rc == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(st, 0);

			if (!t || strcmp(t, "ok") != 0)
				bad = xstrdup(t ? t : "no answer");
			*rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return bad;
}

/*
 * Opens the database and decides whether it can be used. CONNECT_ASIDE
 * with *why when it must be moved aside; CONNECT_FAIL when it cannot be
 * opened at all (d says why).
 */
static int connect_db(struct sp_vcache *c, char **why, struct sp_diag *d)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
		    SQLITE_OPEN_NOMUTEX;
	int64_t app = 0, version = 0, objects = 0;
	char *bad;
	int rc;

	*why = NULL;
	rc = sqlite3_open_v2(c->path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		sp_diag_set(d, SP_EIO, "cannot open the verdict cache '%s': %s", c->path,
			    c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		return CONNECT_FAIL;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, SP_VCACHE_BUSY_MS);
	/*
	 * Read the header before changing anything: a foreign file is left as
	 * it is. One read transaction, so that a process making the schema
	 * meanwhile is seen either not at all or whole.
	 */
	rc = sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = query_int(c->db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = query_int(c->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK && app == 0)
		rc = query_int(c->db, "SELECT count(*) FROM sqlite_master", &objects);
	sqlite3_exec(c->db, rc == SQLITE_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	if (damaged(rc)) {
		*why = xasprintf("is not a usable SQLite database (%s)", sqlite3_errstr(rc));
		return CONNECT_ASIDE;
	}
	if (rc != SQLITE_OK)
		goto fail;
	if (app == 0 && objects > 0) {
		*why = xstrdup("belongs to another program (it has tables but no safepip mark)");
		return CONNECT_ASIDE;
	}
	if (app != 0 && app != APP_ID) {
		*why = xasprintf("belongs to another program (application id 0x%08llx)",
				 (unsigned long long)(uint32_t)app);
		return CONNECT_ASIDE;
	}
	if (app == APP_ID && version != SCHEMA) {
		*why = xasprintf("has schema version %lld, not %d (another safepip wrote it)",
				 (long long)version, SCHEMA);
		return CONNECT_ASIDE;
	}
	if (app == 0 && (rc = init_schema(c->db)) != SQLITE_OK)
		goto fail;
	if (app != 0 && (rc = exec_retry(c->db, "PRAGMA journal_mode=WAL")) != SQLITE_OK)
		goto fail;
	/* In WAL mode NORMAL keeps the file consistent; a crash may lose the last stores. */
	sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	bad = quick_check(c->db, &rc);
	if (bad || damaged(rc)) {
		*why = xasprintf("is damaged (%s)", bad ? bad : sqlite3_errstr(rc));
		free(bad);
		return CONNECT_ASIDE;
	}
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_prepare_v2(c->db,
				"SELECT payload, checksum, used FROM verdicts WHERE sha256 = ?1 AND "
				"name = ?2 AND engine = ?3 AND catalog = ?4",
				-1, &c->get, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c->db,
					"INSERT OR REPLACE INTO verdicts (sha256, name, engine, "
					"catalog, payload, checksum, created, used) VALUES (?1, ?2, "
					"?3, ?4, ?5, ?6, ?7, ?7)",
					-1, &c->put, NULL);
	if (rc != SQLITE_OK) {
		/* Our mark and version, but not our table. */
		*why = xasprintf("is damaged (%s)", sqlite3_errmsg(c->db));
		return CONNECT_ASIDE;
	}
	return CONNECT_OK;
fail:
	sp_diag_set(d, SP_EIO, "cannot use the verdict cache '%s': %s", c->path,
		    sqlite3_errmsg(c->db));
	return CONNECT_FAIL;
}

static void disconnect(struct sp_vcache *c)
{
	sqlite3_finalize(c->get);
	sqlite3_finalize(c->put);
	sqlite3_close(c->db);
	c->get = c->put = NULL;
	c->db = NULL;
}

/* flock with a bounded wait: a lock held for long means something is stuck. */
static bool lock_wait(int fd, int op)
{
	struct timespec pause = {0, 10 * 1000 * 1000};
	int waited;

	for (waited = 0; waited <= SP_VCACHE_BUSY_MS; waited += 10) {
		if (flock(fd, op | LOCK_NB) == 0)
			return true;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return false;
		nanosleep(&pause, NULL);
	}
	return false;
}

/* Renames the database (and its journals) aside; the new name, or NULL. */
static char *set_aside(const char *path)
{
	static const char *const journals[] = {"-wal", "-journal"};
	char when[32], *aside, *from, *to, *shm;
	time_t now = time(NULL);
	size_t i;

	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", gmtime(&now));
	aside = xasprintf("%s%s%s-%ld", path, ASIDE, when, (long)getpid());
	if (rename(path, aside) != 0) {
		free(aside);
		return NULL;
	}
	/* A journal belongs to its database: paired with a new one it would corrupt it. */
	for (i = 0; i < sizeof(journals) / sizeof(journals[0]); i++) {
		from = xasprintf("%s%s", path, journals[i]);
		to = xasprintf("%s%s", aside, journals[i]);
		if (rename(from, to) != 0 && errno != ENOENT)
			unlink(from);
		free(from);
		free(to);
	}
	shm = xasprintf("%s-shm", path);
	unlink(shm);
	free(shm);
	return aside;
}

static void disable(struct sp_vcache *c, char *warning)
{
	disconnect(c);
	free(c->warning);
	c->warning = warning;
}

/*
 * The database must go: move it aside when no other process has it open,
 * then start a new one. Otherwise this run goes without the cache.
 */
static int recover(struct sp_vcache *c, char *why, struct sp_diag *d)
{
	char *aside = NULL, *why2 = NULL;
	int rc = 0, saved;

	disconnect(c);
	if (flock(c->lockfd, LOCK_EX | LOCK_NB) != 0) {
		disable(c, xasprintf("the verdict cache '%s' %s, and another safepip is using it; "
				     "scanning without the cache this time",
				     c->path, why));
		goto out;
	}
	aside = set_aside(c->path);
	saved = errno;
	/* Back to shared before the new database is opened, so others can join. */
	flock(c->lockfd, LOCK_SH);
	if (!aside) {
		disable(c, xasprintf("the verdict cache '%s' %s and cannot be moved aside (%s); "
				     "scanning without the cache (remove the file)",
				     c->path, why, strerror(saved)));
		goto out;
	}
	switch (connect_db(c, &why2, d)) {
	case CONNECT_OK:
		free(c->warning);
		c->warning = xasprintf("the verdict cache '%s' %s; it was moved to '%s' and a new "
				       "one started",
				       c->path, why, aside);
		break;
	case CONNECT_ASIDE:
		disable(c, xasprintf("the verdict cache '%s' %s, and its replacement %s; scanning "
				     "without the cache",
				     c->path, why, why2));
		break;
	default:
		disconnect(c);
		rc = SP_EIO;
		break;
	}
out:
	free(aside);
	free(why2);
	free(why);
	return rc;
}

/* The GNU build id of the running program, in hex; "" when it has none. */
struct build_id {
	char hex[2 * 64 + 1];
};

static int find_build_id(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct build_id *b = arg;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
			const ElfW(Nhdr) *n = (const void *)p;
			size_t namesz = (n->n_namesz + 3) & ~(size_t)3;
			size_t descsz = (n->n_descsz + 3) & ~(size_t)3;
			const char *name = p + sizeof(*n), *desc = name + namesz;

			if (namesz > (size_t)(end - name) || descsz > (size_t)(end - desc))
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    !memcmp(name, "GNU", 4) && n->n_descsz <= 64) {
				sp_hex((const unsigned char *)desc, n->n_descsz, b->hex);
				return 1;
			}
			p = desc + descsz;
		}
	}
	return 1; /* the first object is the program itself; libraries do not matter */
}

/*
 * SP_VCACHE_ENGINE and the program's build id: any rebuild (a development
 * tree, a distribution's patched package) then starts with no entries, so
 * a changed scanner is never answered by the old one's findings.
 */
static char *default_engine(void)
{
	struct build_id b = {""};

	dl_iterate_phdr(find_build_id, &b);
	return b.hex[0] ? xasprintf("%s+build.%s", SP_VCACHE_ENGINE, b.hex)
			: xstrdup(SP_VCACHE_ENGINE);
}

int sp_vcache_open(struct sp_vcache **out, const struct sp_vcache_opts *o, struct sp_diag *d)
{
	struct sp_vcache *c = xcalloc(1, sizeof(*c));
	char *root = NULL, *lock = NULL, *dir, *why = NULL;
	int rc = 0;

	*out = NULL;
	c->lockfd = -1;
	c->cat = o->catalog;
	c->engine = o->engine ? xstrdup(o->engine) : default_engine();
	if (o->path) {
		c->path = xstrdup(o->path);
	} else {
		root = sp_store_cache_root();
		if (!root) {
			rc = sp_diag_set(d, SP_EINVAL, "cannot find the verdict cache: none of "
					 "SAFEPIP_CACHE_DIR, XDG_CACHE_HOME or HOME is set");
			goto out;
		}
		c->path = xasprintf("%s/%s", root, SP_VCACHE_FILE);
	}
	dir = dir_of(c->path);
	if (sp_mkdirs(dir) != 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot create '%s': %s", dir, strerror(errno));
		free(dir);
		goto out;
	}
	free(dir);
	lock = xasprintf("%s.lock", c->path);
	c->lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (c->lockfd < 0) {
		rc = sp_diag_set(d, SP_EIO, "cannot open '%s': %s", lock, strerror(errno));
		goto out;
	}
	if (!lock_wait(c->lockfd, LOCK_SH)) {
		c->warning = xasprintf("the verdict cache '%s' is locked by another process; "
				       "scanning without the cache this time", c->path);
		goto out;
	}
	switch (connect_db(c, &why, d)) {
	case CONNECT_OK:
		break;
	case CONNECT_ASIDE:
		rc = recover(c, why, d);
		break;
	default:
		disconnect(c);
		rc = SP_EIO;
		break;
	}
out:
	free(root);
	free(lock);
	if (rc) {
		sp_vcache_close(c);
		c = NULL;
	}
	*out = c;
	return rc;
}

/* Writes the last-use times of the entries this run used, in one transaction. */
static void flush_touches(struct sp_vcache *c)
{
	sqlite3_stmt *st = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t i;

	if (!c->db || c->broken || !c->ntouches)
		return;
	if (sqlite3_prepare_v2(c->db, "UPDATE verdicts SET used = ?1 WHERE sha256 = ?2 AND name = "
			       "?3 AND engine = ?4 AND catalog = ?5 AND used < ?1",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < c->ntouches; i++) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_blob(st, 2, c->touches[i].sha, SP_SHA256_LEN, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, c->touches[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, c->engine, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, c->cat ? c->cat->hash : "", -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_reset(st);
	}
	if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(st);
}

void sp_vcache_close(struct sp_vcache *c)
{
	size_t i;

	if (!c)
		return;
	flush_touches(c);
	disconnect(c);
	if (c->lockfd >= 0)
		close(c->lockfd); /* releases the flock */
	for (i = 0; i < c->ntouches; i++)
		free(c->touches[i].name);
	free(c->touches);
	free(c->warning);
	free(c->engine);
	free(c->path);
	free(c);
}

const char *sp_vcache_warning(const struct sp_vcache *c)
{
	return c ? c->warning : NULL;
}

const char *sp_vcache_path(const struct sp_vcache *c)
{
	return c->path;
}

void sp_vcache_stats(const struct sp_vcache *c, struct sp_vcache_stats *out)
{
	if (c)
		*out = c->stats;
	else
		memset(out, 0, sizeof(*out));
}

/* Damage found while running: stop using the database; the next open sets it aside. */
static void mark_broken(struct sp_vcache *c, int rc)
{
	if (c->broken)
		return;
	c->broken = true;
	free(c->warning);
	c->warning = xasprintf("the verdict cache '%s' is damaged (%s); scanning without it "
			       "(the next run moves it aside)",
			       c->path, sqlite3_errstr(rc));
}

int sp_vcache_get(struct sp_vcache *c, const unsigned char sha256[SP_SHA256_LEN],
		  const char *target, struct sp_artifact **out)
{
	unsigned char sum[SP_SHA256_LEN];
	const char *name = sp_path_base(target);
	const void *payload, *check;
	int64_t used;
	size_t n;
	int rc, found = SP_ENOENT;

	*out = NULL;
	if (!c || !c->db || c->broken || !c->cat) {
		if (c)
			c->stats.misses++;
		return SP_ENOENT;
	}
	sqlite3_bind_blob(c->get, 1, sha256, SP_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_text(c->get, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->get, 3, c->engine, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->get, 4, c->cat->hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(c->get);
	if (rc == SQLITE_ROW) {
		payload = sqlite3_column_blob(c->get, 0);
		n = (size_t)sqlite3_column_bytes(c->get, 0);
		check = sqlite3_column_blob(c->get, 1);
		used = sqlite3_column_int64(c->get, 2);
		if (payload && check && sqlite3_column_bytes(c->get, 1) == SP_SHA256_LEN &&
		    n <= SP_VCACHE_MAX_PAYLOAD) {
			row_sum(sha256, name, c->engine, c->cat->hash, payload, n, sum);
			if (memcmp(sum, check, SP_SHA256_LEN) == 0 &&
			    sp_vcache_decode(payload, n, c->cat, target, out) == 0)
				found = 0;
		}
	} else if (rc != SQLITE_DONE && damaged(rc)) {
		mark_broken(c, rc);
	}
	sqlite3_reset(c->get);
	sqlite3_clear_bindings(c->get);
	if (found) {
		c->stats.misses++;
		return SP_ENOENT;
	}
	(*out)->has_sha256 = true;
	memcpy((*out)->sha256, sha256, SP_SHA256_LEN);
	c->stats.hits++;
	if (used + TOUCH_SECONDS <= (int64_t)time(NULL)) {
		SP_GROW(c->touches, c->ntouches + 1, c->cap);
		memcpy(c->touches[c->ntouches].sha, sha256, SP_SHA256_LEN);
		c->touches[c->ntouches++].name = xstrdup(name);
	}
	return 0;
}

int sp_vcache_get_file(struct sp_vcache *c, const char *path, struct sp_artifact **out)
{
	unsigned char sha[SP_SHA256_LEN];
	struct sp_sha256 *h = NULL;
	struct stat st;
	char *buf = NULL;
	int fd, rc = SP_ENOENT;
	ssize_t n;

	*out = NULL;
	if (!c)
		return SP_ENOENT;
	/* O_NONBLOCK: a fifo named as the target must not hang the open. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	h = sp_sha256_new();
	buf = xmalloc(1 << 16);
	while ((n = read(fd, buf, 1 << 16)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		sp_sha256_update(h, buf, (size_t)n);
	}
	sp_sha256_final(h, sha);
	rc = sp_vcache_get(c, sha, path, out);
out:
	free(buf);
	sp_sha256_free(h);
	if (fd >= 0)
		close(fd);
	return rc;
}

int sp_vcache_put(struct sp_vcache *c, const struct sp_artifact *a)
{
	unsigned char sum[SP_SHA256_LEN];
	const char *name = sp_path_base(a->target);
	int64_t now = (int64_t)time(NULL);
	struct sp_buf b;
	size_t i;
	int rc;

	if (a->error || !a->has_sha256 || a->kind == SP_SOURCE_DIR)
		return SP_EINVAL;
	for (i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i].rule->id, TIMEOUT_RULE))
			return SP_EINVAL;
	if (!c || !c->db || c->broken || !c->cat)
		return SP_EIO;
	sp_buf_init(&b, SP_VCACHE_MAX_PAYLOAD);
	if ((rc = sp_vcache_encode(a, &b)))
		goto out;
	row_sum(a->sha256, name, c->engine, c->cat->hash, b.data, b.len, sum);
	sqlite3_bind_blob(c->put, 1, a->sha256, SP_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_text(c->put, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->put, 3, c->engine, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->put, 4, c->cat->hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob(c->put, 5, b.data, (int)b.len, SQLITE_STATIC);
	sqlite3_bind_blob(c->put, 6, sum, SP_SHA256_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(c->put, 7, now);
	rc = sqlite3_step(c->put);
	sqlite3_reset(c->put);
	sqlite3_clear_bindings(c->put);
	if (rc == SQLITE_DONE) {
		c->stats.stores++;
		rc = 0;
	} else {
		if (damaged(rc))
			mark_broken(c, rc);
		rc = SP_EIO;
	}
out:
	sp_buf_release(&b);
	return rc;
}

/* --- maintenance --- */

static uint64_t file_size(const char *path, const char *suffix)
{
	char *p = xasprintf("%s%s", path, suffix);
	struct stat st;
	uint64_t n = 0;

	if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
		n = (uint64_t)st.st_size;
	free(p);
	return n;
}

static int unusable(const struct sp_vcache *c, struct sp_diag *d)
{
	return sp_diag_set(d, SP_EIO, "cannot use the verdict cache '%s'%s%s", c->path,
			   c->warning ? ": " : "", c->warning ? c->warning : "");
}

int sp_vcache_usage(struct sp_vcache *c, struct sp_cache_usage *u, struct sp_diag *d)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(u, 0, sizeof(*u));
	if (!c->db || c->broken)
		return unusable(c, d);
	rc = sqlite3_prepare_v2(c->db, "SELECT count(*), min(used), max(used) FROM verdicts", -1,
				&st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		u->entries = (uint64_t)sqlite3_column_int64(st, 0);
		u->oldest = sqlite3_column_int64(st, 1);
		u->newest = sqlite3_column_int64(st, 2);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		rc = sp_diag_set(d, SP_EIO, "cannot read the verdict cache '%s': %s", c->path,
				 sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	u->bytes = file_size(c->path, "") + file_size(c->path, "-wal");
	return rc;
}

/* Removes the databases earlier runs moved aside (clean only); adds their bytes. */
static void remove_aside(const char *path, struct sp_cache_usage *removed)
{
	char *dir = dir_of(path), *prefix;
	const char *base = sp_path_base(path);
	struct dirent *de;
	DIR *dh;

	prefix = xasprintf("%s%s", base, ASIDE);
	dh = opendir(dir);
	while (dh && (de = readdir(dh)) != NULL) {
		struct stat st;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (unlinkat(dirfd(dh), de->d_name, 0) == 0)
			removed->bytes += (uint64_t)st.st_size;
	}
	if (dh)
		closedir(dh);
	free(prefix);
	free(dir);
}

int sp_vcache_prune(struct sp_vcache *c, int64_t before, struct sp_cache_usage *removed,
		    struct sp_diag *d)
{
	sqlite3_stmt *st = NULL, *del = NULL;
	int rc;

	memset(removed, 0, sizeof(*removed));
	if (before == INT64_MAX)
		remove_aside(c->path, removed);
	if (!c->db || c->broken)
		return unusable(c, d);
	rc = exec_retry(c->db, "BEGIN IMMEDIATE");
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c->db, "SELECT count(*), sum(length(payload)), min(used), "
					"max(used) FROM verdicts WHERE used < ?1",
					-1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c->db, "DELETE FROM verdicts WHERE used < ?1", -1, &del,
					NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, before);
		sqlite3_bind_int64(del, 1, before);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			removed->entries = (uint64_t)sqlite3_column_int64(st, 0);
			removed->bytes += (uint64_t)sqlite3_column_int64(st, 1);
			removed->oldest = sqlite3_column_int64(st, 2);
			removed->newest = sqlite3_column_int64(st, 3);
			rc = sqlite3_step(del);
		}
		if (rc == SQLITE_DONE)
			rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	if (rc != SQLITE_OK) {
		rc = sp_diag_set(d, SP_EIO, "cannot prune the verdict cache '%s': %s", c->path,
				 sqlite3_errmsg(c->db));
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		memset(removed, 0, sizeof(*removed));
		return rc;
	}
	/* Give the space back; another process reading at the same time only delays it. */
	if (removed->entries) {
		sqlite3_exec(c->db, "VACUUM", NULL, NULL, NULL);
		sqlite3_exec(c->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	}
	return 0;
}
