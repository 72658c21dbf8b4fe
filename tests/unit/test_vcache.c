/*
 * The verdict cache (src/cache/vcache.c) with the real catalog and engine:
 * a wheel built here is scanned, stored and read back equal to a fresh
 * scan; a new engine or catalog misses; damaged, foreign and torn
 * databases and rows are set aside or missed, never trusted; processes
 * forked at once share one database. Also the payload decoder on bad
 * input, pruning, the store's and HTTP cache's usage and pruning, and
 * durations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/vcache.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "fetch/httpcache.h"
#include "fetch/store.h"
#include "scan/engine.h"
#include "scan/scanner.h"

static struct sp_catalog cat;
static struct sp_engine *engine;
static char scratch[64];
static char *wheel; /* a wheel with findings of several kinds */
static char *db;    /* scratch/verdicts.sqlite */

/* --- helpers --- */

struct member {
	const char *name;
	const char *body;
};

static void write_zip(const char *path, const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	size_t i;

	assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_size(e, (la_int64_t)strlen(m[i].body));
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, m[i].body, strlen(m[i].body)),
				 (la_ssize_t)strlen(m[i].body));
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static struct sp_artifact *scan(const char *path)
{
	struct sp_scanner *s = sp_scanner_new(&cat, engine, 1);
	struct sp_artifact *a = sp_scanner_add(s, path);

	sp_scanner_wait(s);
	sp_scanner_free(s);
	assert_int_equal(a->error, 0);
	return a;
}

static struct sp_vcache *open_cache(const char *path, const char *eng,
				    const struct sp_catalog *c)
{
	struct sp_vcache_opts o = {path, eng, c};
	struct sp_vcache *vc = NULL;
	struct sp_diag d;

	sp_diag_clear(&d);
	assert_int_equal(sp_vcache_open(&vc, &o, &d), 0);
	assert_non_null(vc);
	return vc;
}

static bool same_str(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

static void assert_same(const struct sp_artifact *x, const struct sp_artifact *y)
{
	size_t i;

	assert_string_equal(x->target, y->target);
	assert_true(same_str(x->name, y->name));
	assert_true(same_str(x->version, y->version));
	assert_int_equal(x->kind, y->kind);
	assert_int_equal(x->pure, y->pure);
	assert_int_equal(x->has_sha256, y->has_sha256);
	assert_memory_equal(x->sha256, y->sha256, SP_SHA256_LEN);
	assert_int_equal(x->files, y->files);
	assert_int_equal(x->sources, y->sources);
	assert_int_equal(x->source_bytes, y->source_bytes);
	assert_int_equal(x->error, y->error);
	assert_int_equal(x->nfindings, y->nfindings);
	for (i = 0; i < x->nfindings; i++) {
		const struct sp_finding *f = &x->findings[i], *g = &y->findings[i];

		assert_ptr_equal(f->rule, g->rule);
		assert_int_equal(f->severity, g->severity);
		assert_int_equal(f->confidence, g->confidence);
		assert_int_equal(f->context, g->context);
		assert_true(same_str(f->path, g->path));
		assert_int_equal(f->line, g->line);
		assert_int_equal(f->col, g->col);
		assert_true(same_str(f->snippet, g->snippet));
		assert_true(same_str(f->detail, g->detail));
	}
}

static void exec_sql(const char *path, const char *sql)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	sqlite3_close(h);
}

static int64_t count_rows(const char *path)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM verdicts", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* The names in scratch that start with prefix; how many. */
static int count_names(const char *prefix, char *first, size_t size)
{
	DIR *d = opendir(scratch);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (n++ == 0 && first)
			snprintf(first, size, "%s/%s", scratch, de->d_name);
	}
	closedir(d);
	return n;
}

static void remove_db(void)
{
	char *cmd = xasprintf("rm -f '%s'/verdicts.sqlite*", scratch);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* An artifact made by hand: k findings of catalog rules, for bulk stores. */
static struct sp_artifact *synthetic(unsigned seed, size_t k)
{
	unsigned char sha[SP_SHA256_LEN];
	char name[64], text[64];
	struct sp_artifact *a;
	size_t i;

	snprintf(name, sizeof(name), "syn-%u-1.0-py3-none-any.whl", seed);
	a = sp_artifact_new(name);
	sp_sha256(name, strlen(name), sha);
	memcpy(a->sha256, sha, sizeof(sha));
	a->has_sha256 = true;
	a->kind = SP_SOURCE_WHEEL;
	a->name = xasprintf("syn%u", seed);
	a->version = xstrdup("1.0");
	a->files = seed;
	for (i = 0; i < k; i++) {
		const struct sp_rule *r = &cat.rules[(seed + i) % cat.nrules];

		/* Not the one rule whose findings are never stored. */
		if (!strcmp(r->id, "source-timeout"))
			r = &cat.rules[(seed + i + 1) % cat.nrules];

		snprintf(text, sizeof(text), "line %zu of %u", i, seed);
		sp_artifact_add(a, r, (enum sp_context)(i % 5), "pkg/mod.py", (uint32_t)i + 1, 1,
				text, strlen(text), i % 2 ? NULL : "seen");
	}
	return a;
}

/* --- fixtures --- */

static int setup(void **state)
{
	static const struct member members[] = {
		{"pkg/__init__.py", "import os, base64\n"
				    "os.system('echo hi')\n"
				    "exec(base64.b64decode('cHJpbnQoMSk='))\n"},
		{"pkg/util.py", "import subprocess as sp\n"
				"def run(cmd):\n"
				"    return sp.Popen(cmd, shell=True)\n"
				"def ev(x):\n"
				"    return eval(x)\n"},
		{"demo_hook.pth", "import os; os.system('id')\n"},
		{"demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"},
		{"demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"
					     "Tag: py3-none-any\n"},
		{"demo-1.0.dist-info/RECORD", "pkg/__init__.py,sha256=AAAA,3\n"
					      "demo-1.0.dist-info/RECORD,,\n"},
	};
	struct sp_diag d;

	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/sp-vcache-XXXXXX");
	assert_non_null(mkdtemp(scratch));
	sp_diag_clear(&d);
	assert_int_equal(sp_catalog_load_embedded(&cat, &d), 0);
	assert_int_equal(sp_engine_new(&cat, &engine, &d), 0);
	wheel = xasprintf("%s/demo-1.0-py3-none-any.whl", scratch);
	write_zip(wheel, members, sizeof(members) / sizeof(members[0]));
	db = xasprintf("%s/verdicts.sqlite", scratch);
	return 0;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", scratch);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(wheel);
	free(db);
	sp_engine_free(engine);
	sp_catalog_release(&cat);
	return 0;
}

/* Each test starts from no database. */
static int fresh(void **state)
{
	(void)state;
	remove_db();
	return 0;
}

/* --- tests --- */

static void test_roundtrip(void **state)
{
	struct sp_artifact *a = scan(wheel), *b = NULL, *c;
	struct sp_vcache *vc = open_cache(db, NULL, &cat);
	struct sp_vcache_stats st;

	(void)state;
	/* The wheel is worth caching: facts and findings of several kinds. */
	assert_string_equal(a->name, "demo");
	assert_true(a->pure);
	assert_true(a->nfindings >= 4);
	assert_null(sp_vcache_warning(vc));
	assert_int_equal(sp_vcache_get(vc, a->sha256, wheel, &b), SP_ENOENT);
	assert_int_equal(sp_vcache_put(vc, a), 0);
	assert_int_equal(sp_vcache_get(vc, a->sha256, wheel, &b), 0);
	assert_same(a, b);
	sp_vcache_stats(vc, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.stores, 1);
	sp_vcache_close(vc);
	sp_artifact_free(b);

	/* Another process (a new connection) reads what a fresh scan finds. */
	c = scan(wheel);
	vc = open_cache(db, NULL, &cat);
	assert_int_equal(sp_vcache_get_file(vc, wheel, &b), 0);
	assert_same(c, b);
	sp_vcache_close(vc);
	sp_artifact_free(a);
	sp_artifact_free(b);
	sp_artifact_free(c);
}

static void test_key(void **state)
{
	struct sp_artifact *a = scan(wheel), *b = NULL;
	struct sp_vcache *vc = open_cache(db, NULL, &cat);
	struct sp_catalog other = cat;
	char *renamed = xasprintf("%s/demo-1.0.zip", scratch);

	(void)state;
	assert_int_equal(sp_vcache_put(vc, a), 0);
	sp_vcache_close(vc);

	/* A new engine version misses. */
	vc = open_cache(db, "0.0.0+engine.99", &cat);
	assert_int_equal(sp_vcache_get(vc, a->sha256, wheel, &b), SP_ENOENT);
	sp_vcache_close(vc);
	/* So does another catalog: the same rules, but a changed hash. */
	other.hash[0] = other.hash[0] == 'a' ? 'b' : 'a';
	vc = open_cache(db, NULL, &other);
	assert_int_equal(sp_vcache_get(vc, a->sha256, wheel, &b), SP_ENOENT);
	sp_vcache_close(vc);
	/* And the same bytes under another name (the scanner would see another kind). */
	vc = open_cache(db, NULL, &cat);
	assert_int_equal(sp_vcache_get(vc, a->sha256, renamed, &b), SP_ENOENT);
	/* And another hash under the same name. */
	a->sha256[0] ^= 1;
	assert_int_equal(sp_vcache_get(vc, a->sha256, wheel, &b), SP_ENOENT);
	a->sha256[0] ^= 1;
	assert_int_equal(sp_vcache_get(vc, a->sha256, wheel, &b), 0);
	sp_vcache_close(vc);
	assert_null(b->error_msg);
	sp_artifact_free(b);
	sp_artifact_free(a);
	free(renamed);
}

static void test_not_stored(void **state)
{
	struct sp_artifact *a = scan(wheel), *dir;
	struct sp_vcache *vc = open_cache(db, NULL, &cat);
	const struct sp_rule *timeout = sp_catalog_find(&cat, "source-timeout");

	(void)state;
	assert_non_null(timeout);
	dir = scan(scratch);
	assert_int_equal(sp_vcache_put(vc, dir), SP_EINVAL);
	a->error = SP_EIO;
	assert_int_equal(sp_vcache_put(vc, a), SP_EINVAL);
	a->error = 0;
	sp_artifact_add(a, timeout, SP_CTX_NONE, "pkg/slow.py", 0, 0, NULL, 0, NULL);
	assert_int_equal(sp_vcache_put(vc, a), SP_EINVAL);
	sp_vcache_close(vc);
	assert_int_equal(count_rows(db), 0);
	sp_artifact_free(a);
	sp_artifact_free(dir);
}

/*
 * Rewrites the stored payload with its first finding lowered to info: a
 * payload that still decodes, as an edit by hand would leave it.
 */
static void lower_first_severity(void)
{
	struct sp_artifact *x = NULL;
	sqlite3_stmt *st, *up;
	unsigned char *p;
	sqlite3 *h;
	size_t n, at;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT payload FROM verdicts", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = (size_t)sqlite3_column_bytes(st, 0);
	p = xmemdup(sqlite3_column_blob(st, 0), n);
	sqlite3_finalize(st);
	assert_int_equal(sp_vcache_decode(p, n, &cat, "x", &x), 0);
	/* magic, kind, pure, three counts, name, version, count, then the first rule id */
	at = 4 + 2 + 24 + 4 + strlen(x->name) + 4 + strlen(x->version) + 4 + 4 +
	     strlen(x->findings[0].rule->id);
	assert_int_equal(p[at], x->findings[0].severity);
	assert_true(p[at] > SP_SEV_INFO);
	p[at] = SP_SEV_INFO;
	sp_artifact_free(x);
	assert_int_equal(sp_vcache_decode(p, n, &cat, "x", &x), 0);
	assert_int_equal(x->findings[0].severity, SP_SEV_INFO);
	sp_artifact_free(x);
	assert_int_equal(sqlite3_prepare_v2(h, "UPDATE verdicts SET payload = ?1", -1, &up, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(up, 1, p, (int)n, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(up), SQLITE_DONE);
	sqlite3_finalize(up);
	sqlite3_close(h);
	free(p);
}

/* A row changed after it was written is a miss, never a different answer. */
static void test_torn_row(void **state)
{
	static const char *const edits[] = {
		/* the last byte of the payload */
		"UPDATE verdicts SET payload = substr(payload, 1, length(payload) - 1) || x'7e'",
		/* a row cut short, as a torn write would leave it */
		"UPDATE verdicts SET payload = substr(payload, 1, length(payload) / 2)",
		"UPDATE verdicts SET checksum = zeroblob(32)",
		"UPDATE verdicts SET checksum = x'00'",
		"UPDATE verdicts SET payload = zeroblob(0)",
		/* moved to another key: the checksum binds it to its own */
		"UPDATE verdicts SET name = 'other-1.0-py3-none-any.whl'",
	};
	struct sp_artifact *a = scan(wheel), *b = NULL;
	size_t i;

	(void)state;
	for (i = 0; i <= sizeof(edits) / sizeof(edits[0]); i++) {
		struct sp_vcache *vc = open_cache(db, NULL, &cat);
		char *other = xasprintf("%s/other-1.0-py3-none-any.whl", scratch);

		assert_int_equal(sp_vcache_put(vc, a), 0);
		assert_int_equal(sp_vcache_get(vc, a->sha256, wheel, &b), 0);
		sp_artifact_free(b);
		b = NULL;
		if (i < sizeof(edits) / sizeof(edits[0]))
			exec_sql(db, edits[i]);
		else
			lower_first_severity();
		assert_int_equal(sp_vcache_get(vc, a->sha256, wheel, &b), SP_ENOENT);
		assert_int_equal(sp_vcache_get(vc, a->sha256, other, &b), SP_ENOENT);
		assert_null(b);
		sp_vcache_close(vc);
		free(other);
		exec_sql(db, "DELETE FROM verdicts");
	}
	sp_artifact_free(a);
}

static void assert_set_aside(const char *why)
{
	struct sp_artifact *a = synthetic(1, 3), *b = NULL;
	struct sp_vcache *vc = open_cache(db, NULL, &cat);
	const char *w = sp_vcache_warning(vc);
	char aside[512];

	assert_non_null(w);
	assert_non_null(strstr(w, why));
	assert_int_equal(count_names("verdicts.sqlite.aside-", aside, sizeof(aside)), 1);
	/* The warning names where the old file went, and the new one works. */
	assert_non_null(strstr(w, aside));
	assert_int_equal(sp_vcache_put(vc, a), 0);
	assert_int_equal(sp_vcache_get(vc, a->sha256, a->target, &b), 0);
	assert_same(a, b);
	sp_vcache_close(vc);
	sp_artifact_free(a);
	sp_artifact_free(b);
	/* Opened again, the new database needs nothing done. */
	vc = open_cache(db, NULL, &cat);
	assert_null(sp_vcache_warning(vc));
	sp_vcache_close(vc);
}

static void test_not_a_database(void **state)
{
	char junk[8192], aside[512];
	struct stat st;

	(void)state;
	memset(junk, 'x', sizeof(junk));
	write_file(db, junk, sizeof(junk));
	assert_set_aside("not a usable SQLite database");
	/* Kept as it was, for whoever wants to look. */
	count_names("verdicts.sqlite.aside-", aside, sizeof(aside));
	assert_int_equal(stat(aside, &st), 0);
	assert_int_equal(st.st_size, sizeof(junk));
}

static void test_damaged_database(void **state)
{
	struct sp_vcache *vc = open_cache(db, NULL, &cat);
	unsigned char junk[4096];
	size_t i;
	int fd;

	(void)state;
	for (i = 0; i < 40; i++) {
		struct sp_artifact *a = synthetic((unsigned)i, 20);

		assert_int_equal(sp_vcache_put(vc, a), 0);
		sp_artifact_free(a);
	}
	sp_vcache_close(vc);
	/* Checkpointed at close; now pages past the header are overwritten. */
	memset(junk, 0xa5, sizeof(junk));
	fd = open(db, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 4096), sizeof(junk));
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 3 * 4096), sizeof(junk));
	close(fd);
	assert_set_aside("damaged");
}

static void test_foreign_database(void **state)
{
	(void)state;
	/* Another program's tables, no mark. */
	exec_sql(db, "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine')");
	assert_set_aside("another program");
	/* The aside file still has them. */
	{
		char aside[512];
		sqlite3 *h;
		sqlite3_stmt *st;

		count_names("verdicts.sqlite.aside-", aside, sizeof(aside));
		assert_int_equal(sqlite3_open(aside, &h), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(h, "SELECT t FROM notes", -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "mine");
		sqlite3_finalize(st);
		sqlite3_close(h);
	}
	remove_db();
	/* Another program's mark. */
	exec_sql(db, "PRAGMA application_id = 1234; CREATE TABLE t (x)");
	assert_set_aside("application id 0x000004d2");
	remove_db();
	/* Our mark, another schema version. */
	exec_sql(db, "PRAGMA application_id = 1397773891; PRAGMA user_version = 7; "
		     "CREATE TABLE verdicts (x)");
	assert_set_aside("schema version 7");
	remove_db();
	/* Our mark and version, but not our table. */
	exec_sql(db, "PRAGMA application_id = 1397773891; PRAGMA user_version = 1; "
		     "CREATE TABLE verdicts (x)");
	assert_set_aside("damaged");
}

/* A damaged database another process has open is left alone; this run goes without. */
static void test_damaged_in_use(void **state)
{
	struct sp_artifact *a = synthetic(3, 2), *b = NULL;
	char *lock = xasprintf("%s.lock", db);
	struct sp_vcache *vc;
	int fd;

	(void)state;
	write_file(db, "not sqlite at all, not at all, not at all, not at all, not at all!!",
		   68);
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_SH), 0);
	vc = open_cache(db, NULL, &cat);
	assert_non_null(sp_vcache_warning(vc));
	assert_non_null(strstr(sp_vcache_warning(vc), "another safepip is using it"));
	assert_int_equal(count_names("verdicts.sqlite.aside-", NULL, 0), 0);
	assert_int_equal(sp_vcache_get(vc, a->sha256, a->target, &b), SP_ENOENT);
	assert_int_equal(sp_vcache_put(vc, a), SP_EIO);
	sp_vcache_close(vc);
	close(fd);
	sp_artifact_free(a);
	free(lock);
}

static void test_decode(void **state)
{
	struct sp_artifact *a = synthetic(7, 5), *b = NULL;
	struct sp_buf buf, again;
	struct sp_rule fake = *a->findings[0].rule;
	unsigned char *p;
	size_t n, i;

	(void)state;
	sp_buf_init(&buf, SP_VCACHE_MAX_PAYLOAD);
	sp_buf_init(&again, SP_VCACHE_MAX_PAYLOAD);
	assert_int_equal(sp_vcache_encode(a, &buf), 0);
	assert_int_equal(sp_vcache_decode(buf.data, buf.len, &cat, a->target, &b), 0);
	memcpy(b->sha256, a->sha256, SP_SHA256_LEN);
	b->has_sha256 = true;
	assert_same(a, b);
	/* Encoding is canonical: what decodes re-encodes to the same bytes. */
	assert_int_equal(sp_vcache_encode(b, &again), 0);
	assert_int_equal(again.len, buf.len);
	assert_memory_equal(again.data, buf.data, buf.len);
	sp_artifact_free(b);
	b = NULL;

	/* Every proper prefix, and one trailing byte, is refused. */
	for (n = 0; n < buf.len; n++) {
		assert_int_not_equal(sp_vcache_decode(buf.data, n, &cat, "x", &b), 0);
		assert_null(b);
	}
	sp_buf_add(&buf, "", 1);
	assert_int_equal(sp_vcache_decode(buf.data, buf.len, &cat, "x", &b), SP_EFORMAT);
	buf.len--;

	/* Single bytes with a meaning: magic, kind, pure, a string length, a severity. */
	p = (unsigned char *)buf.data;
	{
		static const struct {
			size_t at;
			unsigned char v;
		} bad[] = {
			{0, 'X'},  /* magic */
			{4, 9},    /* kind past the last */
			{4, 5},    /* a directory is never stored */
			{5, 2},    /* pure is 0 or 1 */
			{33, 0x7f}, /* the name's length past the end */
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			unsigned char keep = p[bad[i].at];

			p[bad[i].at] = bad[i].v;
			assert_int_equal(sp_vcache_decode(buf.data, buf.len, &cat, "x", &b),
					 SP_EFORMAT);
			p[bad[i].at] = keep;
		}
	}
	/* A NUL inside a string. */
	{
		char *at = NULL;

		for (n = 0; n + 4 <= buf.len && !at; n++)
			if (!memcmp(buf.data + n, "syn7", 4))
				at = buf.data + n;
		assert_non_null(at);
		at[1] = '\0';
		assert_int_equal(sp_vcache_decode(buf.data, buf.len, &cat, "x", &b), SP_EFORMAT);
		at[1] = 'y';
	}
	sp_buf_release(&buf);

	/* A rule the catalog does not have: a miss of its own kind. */
	fake.id = "no-such-rule";
	a->findings[2].rule = &fake;
	sp_buf_init(&buf, SP_VCACHE_MAX_PAYLOAD);
	assert_int_equal(sp_vcache_encode(a, &buf), 0);
	assert_int_equal(sp_vcache_decode(buf.data, buf.len, &cat, "x", &b), SP_ENOENT);
	assert_null(b);
	a->findings[2].rule = a->findings[1].rule;

	/* A snippet longer than the scanner ever keeps. */
	free(a->findings[0].snippet);
	a->findings[0].snippet = xmalloc(SP_MAX_SNIPPET + 2);
	memset(a->findings[0].snippet, 's', SP_MAX_SNIPPET + 1);
	a->findings[0].snippet[SP_MAX_SNIPPET + 1] = '\0';
	sp_buf_reset(&buf);
	assert_int_equal(sp_vcache_encode(a, &buf), 0);
	assert_int_equal(sp_vcache_decode(buf.data, buf.len, &cat, "x", &b), SP_EFORMAT);

	/* A payload over the cap is not encoded. */
	sp_buf_release(&buf);
	sp_buf_init(&buf, 64);
	assert_int_equal(sp_vcache_encode(a, &buf), SP_ELIMIT);
	sp_buf_release(&buf);
	sp_buf_release(&again);
	sp_artifact_free(a);
}

/* Writers in several processes at once: every store lands, every entry reads back. */
static void test_concurrent(void **state)
{
	enum { PROCS = 4, EACH = 40 };
	pid_t pids[PROCS];
	struct sp_vcache *vc;
	int i, k, status;

	(void)state;
	for (i = 0; i < PROCS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			int bad = 0;

			vc = open_cache(db, NULL, &cat);
			for (k = 0; k < EACH; k++) {
				struct sp_artifact *a = synthetic((unsigned)(i * EACH + k), 8);
				struct sp_artifact *b = NULL;

				/* Some keys are shared by two writers: the same answer twice. */
				if (k % 10 == 0) {
					sp_artifact_free(a);
					a = synthetic((unsigned)k, 8);
				}
				bad += sp_vcache_put(vc, a) != 0;
				bad += sp_vcache_get(vc, a->sha256, a->target, &b) != 0;
				sp_artifact_free(a);
				sp_artifact_free(b);
			}
			bad += sp_vcache_warning(vc) != NULL;
			sp_vcache_close(vc);
			_exit(bad ? 1 : 0);
		}
	}
	for (i = 0; i < PROCS; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	vc = open_cache(db, NULL, &cat);
	assert_null(sp_vcache_warning(vc));
	for (i = 0; i < PROCS * EACH; i++) {
		struct sp_artifact *a = synthetic((unsigned)i, 8), *b = NULL;

		if (i % EACH % 10 == 0 && i >= EACH) {
			sp_artifact_free(a);
			continue; /* that writer stored a shared key instead */
		}
		assert_int_equal(sp_vcache_get(vc, a->sha256, a->target, &b), 0);
		assert_same(a, b);
		sp_artifact_free(a);
		sp_artifact_free(b);
	}
	sp_vcache_close(vc);
	assert_int_equal(count_rows(db), PROCS * EACH - (PROCS - 1) * (EACH / 10));
}

/* Processes that find no database all at once: one makes it, none takes it for foreign. */
static void test_create_race(void **state)
{
	enum { PROCS = 6, ROUNDS = 15 };
	pid_t pids[PROCS];
	int round, i, status;

	(void)state;
	for (round = 0; round < ROUNDS; round++) {
		remove_db();
		for (i = 0; i < PROCS; i++) {
			pids[i] = fork();
			assert_true(pids[i] >= 0);
			if (pids[i] == 0) {
				struct sp_vcache_opts o = {db, NULL, &cat};
				struct sp_vcache *vc = NULL;
				struct sp_artifact *a = synthetic((unsigned)i, 1);
				int bad;

				bad = sp_vcache_open(&vc, &o, NULL) != 0 || sp_vcache_warning(vc) ||
				      sp_vcache_put(vc, a) != 0;
				if (bad && vc && sp_vcache_warning(vc))
					fprintf(stderr, "%s\n", sp_vcache_warning(vc));
				sp_vcache_close(vc);
				_exit(bad);
			}
		}
		for (i = 0; i < PROCS; i++) {
			assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
			assert_true(WIFEXITED(status));
			assert_int_equal(WEXITSTATUS(status), 0);
		}
		assert_int_equal(count_rows(db), PROCS);
		assert_int_equal(count_names("verdicts.sqlite.aside-", NULL, 0), 0);
	}
}

static void test_prune(void **state)
{
	struct sp_vcache *vc = open_cache(db, NULL, &cat);
	struct sp_cache_usage u;
	struct sp_diag d;
	int64_t now = (int64_t)time(NULL);
	struct sp_artifact *b = NULL;
	int i;

	(void)state;
	sp_diag_clear(&d);
	for (i = 0; i < 6; i++) {
		struct sp_artifact *a = synthetic((unsigned)i, 2);

		assert_int_equal(sp_vcache_put(vc, a), 0);
		sp_artifact_free(a);
	}
	sp_vcache_close(vc);
	/* Entries 0-2 last used ten days ago, 3-5 now. */
	{
		char *sql = xasprintf("UPDATE verdicts SET used = %lld WHERE name < 'syn-3'",
				      (long long)(now - 10 * 86400));

		exec_sql(db, sql);
		free(sql);
	}
	vc = open_cache(db, NULL, &cat);
	assert_int_equal(sp_vcache_usage(vc, &u, &d), 0);
	assert_int_equal(u.entries, 6);
	assert_true(u.bytes > 0);
	assert_int_equal(u.oldest, now - 10 * 86400);
	assert_true(u.newest >= now);
	/* A hit marks its entry as used: entry 0 survives the prune. */
	{
		struct sp_artifact *a = synthetic(0, 2);

		assert_int_equal(sp_vcache_get(vc, a->sha256, a->target, &b), 0);
		sp_artifact_free(a);
		sp_artifact_free(b);
	}
	sp_vcache_close(vc);
	vc = open_cache(db, NULL, &cat);
	assert_int_equal(sp_vcache_prune(vc, now - 86400, &u, &d), 0);
	assert_int_equal(u.entries, 2);
	assert_int_equal(count_rows(db), 4);
	assert_int_equal(sp_vcache_prune(vc, INT64_MAX, &u, &d), 0);
	assert_int_equal(u.entries, 4);
	assert_int_equal(sp_vcache_usage(vc, &u, &d), 0);
	assert_int_equal(u.entries, 0);
	sp_vcache_close(vc);
}

static void touch_at(const char *path, int64_t when)
{
	struct timespec ts[2] = {{(time_t)when, 0}, {(time_t)when, 0}};

	assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* The store and the HTTP cache: usage, pruning by last use, and lookups marking use. */
static void test_other_caches(void **state)
{
	char *root = xasprintf("%s/c", scratch), *art = xasprintf("%s/artifacts", root);
	char *http = xasprintf("%s/http", root), *path = NULL, hex[SP_SHA256_HEX];
	int64_t now = (int64_t)time(NULL);
	struct sp_httpcache *hc;
	struct sp_httpcache_entry e;
	struct sp_store *s;
	struct sp_cache_set set;
	struct sp_diag d;
	int i;

	(void)state;
	sp_diag_clear(&d);
	assert_int_equal(sp_store_open(&s, art, &d), 0);
	for (i = 0; i < 3; i++) {
		struct sp_store_tmp *t;
		char body[32];

		snprintf(body, sizeof(body), "artifact %d", i);
		assert_int_equal(sp_store_tmp_open(s, &t, &d), 0);
		assert_int_equal(sp_store_tmp_write(t, body, strlen(body)), 0);
		assert_int_equal(sp_store_tmp_commit(t, NULL, "test", hex, &path, &d), 0);
		/* Two of them last used a month ago. */
		if (i < 2)
			touch_at(path, now - 30 * 86400);
		free(path);
	}
	/* A lookup is a use: the first one is fresh again. */
	{
		const char *first = "artifact 0";
		unsigned char dig[SP_SHA256_LEN];

		sp_sha256(first, strlen(first), dig);
		sp_hex(dig, SP_SHA256_LEN, hex);
		assert_int_equal(sp_store_lookup(s, hex, NULL, NULL, &d), 0);
	}
	sp_store_free(s);
	assert_int_equal(sp_httpcache_open(&hc, http, &d), 0);
	assert_int_equal(sp_httpcache_put(hc, "https://x.test/simple/a/", "", "\"e1\"", NULL, NULL,
					  "page a", 6, &d), 0);
	assert_int_equal(sp_httpcache_put(hc, "https://x.test/simple/b/", "", "\"e2\"", NULL, NULL,
					  "page b", 6, &d), 0);
	sp_httpcache_free(hc);

	assert_int_equal(sp_cache_set_init(&set, root, &d), 0);
	sp_cache_info(&set);
	assert_false(sp_cache_failed(&set));
	assert_int_equal(set.part[SP_CACHE_ARTIFACTS].usage.entries, 3);
	assert_int_equal(set.part[SP_CACHE_ARTIFACTS].usage.bytes, 30);
	assert_int_equal(set.part[SP_CACHE_ARTIFACTS].usage.oldest, now - 30 * 86400);
	assert_int_equal(set.part[SP_CACHE_HTTP].usage.entries, 2);
	/* Never written: reported empty, and not created by looking. */
	assert_int_equal(set.part[SP_CACHE_VERDICTS].usage.entries, 0);
	assert_int_not_equal(access(set.part[SP_CACHE_VERDICTS].path, F_OK), 0);
	sp_cache_set_release(&set);

	/* Both pages last used a month ago; then a get makes page a fresh again. */
	{
		char *p = xasprintf("find '%s' -type f -exec touch -d '@%lld' {} +", http,
				    (long long)(now - 30 * 86400));

		assert_int_equal(system(p), 0);
		free(p);
		assert_int_equal(sp_httpcache_open(&hc, http, &d), 0);
		sp_httpcache_entry_init(&e);
		assert_int_equal(sp_httpcache_get(hc, "https://x.test/simple/a/", "", &e), 0);
		assert_int_equal(e.body.len, 6);
		sp_httpcache_entry_release(&e);
		sp_httpcache_free(hc);
	}
	assert_int_equal(sp_cache_set_init(&set, root, &d), 0);
	sp_cache_prune(&set, now - 7 * 86400);
	assert_false(sp_cache_failed(&set));
	assert_int_equal(set.part[SP_CACHE_ARTIFACTS].usage.entries, 1);
	assert_int_equal(set.part[SP_CACHE_HTTP].usage.entries, 1);
	sp_cache_set_release(&set);
	assert_int_equal(sp_cache_set_init(&set, root, &d), 0);
	sp_cache_info(&set);
	assert_int_equal(set.part[SP_CACHE_ARTIFACTS].usage.entries, 2);
	assert_int_equal(set.part[SP_CACHE_HTTP].usage.entries, 1);
	sp_cache_set_release(&set);
	/* Clean: everything, and the emptied directories. */
	assert_int_equal(sp_cache_set_init(&set, root, &d), 0);
	sp_cache_prune(&set, INT64_MAX);
	assert_int_equal(set.part[SP_CACHE_ARTIFACTS].usage.entries, 2);
	assert_int_equal(set.part[SP_CACHE_HTTP].usage.entries, 1);
	sp_cache_set_release(&set);
	assert_int_equal(sp_store_usage(art, &set.part[0].usage, &d), 0);
	assert_int_equal(set.part[0].usage.entries, 0);
	{
		DIR *dh = opendir(http);
		struct dirent *de;
		int left = 0;

		assert_non_null(dh);
		while ((de = readdir(dh)) != NULL)
			left += de->d_name[0] != '.';
		closedir(dh);
		assert_int_equal(left, 0);
	}
	free(root);
	free(art);
	free(http);
}

static void test_duration(void **state)
{
	static const struct {
		const char *text;
		int64_t seconds; /* -1: refused */
	} cases[] = {
		{"30d", 30 * 86400}, {"12h", 12 * 3600}, {"90m", 90 * 60}, {"2w", 14 * 86400},
		{"45s", 45},         {"1d", 86400},     {"0d", -1},        {"d", -1},
		{"30", -1},          {"", -1},          {"30dd", -1},      {"-1d", -1},
		{"1.5d", -1},        {"30y", -1},       {" 30d", -1},      {"30 d", -1},
		{"99999999999999999999w", -1},          {"5000w", 5000LL * 7 * 86400},
		{"5300w", -1},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t s = 0;
		int rc = sp_cache_parse_duration(cases[i].text, &s);

		if (cases[i].seconds < 0) {
			if (rc == 0)
				fail_msg("'%s' accepted as %lld", cases[i].text, (long long)s);
		} else {
			if (rc != 0 || s != cases[i].seconds)
				fail_msg("'%s': rc %d, %lld seconds", cases[i].text, rc,
					 (long long)s);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_roundtrip, fresh),
		cmocka_unit_test_setup(test_key, fresh),
		cmocka_unit_test_setup(test_not_stored, fresh),
		cmocka_unit_test_setup(test_torn_row, fresh),
		cmocka_unit_test_setup(test_not_a_database, fresh),
		cmocka_unit_test_setup(test_damaged_database, fresh),
		cmocka_unit_test_setup(test_foreign_database, fresh),
		cmocka_unit_test_setup(test_damaged_in_use, fresh),
		cmocka_unit_test(test_decode),
		cmocka_unit_test_setup(test_concurrent, fresh),
		cmocka_unit_test(test_create_race),
		cmocka_unit_test_setup(test_prune, fresh),
		cmocka_unit_test(test_other_caches),
		cmocka_unit_test(test_duration),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
