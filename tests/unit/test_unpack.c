/*
 * The unpacker against archives built here with libarchive's writer (and
 * a directory built in a temporary folder): normal wheels and sdists, every
 * kind of unsafe entry, nested archives, the caps, and the ownership of
 * entry bodies. The multi-gigabyte cases live in tests/hostile/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/limits.h"
#include "unpack/unpack.h"

/* --- building archives ------------------------------------------------- */

struct fx {
	const char *name;
	unsigned type;	  /* AE_IF*; 0 means AE_IFREG */
	const char *data; /* NUL-terminated content, or NULL */
	size_t zeros;	  /* else this many zero bytes */
	const char *link; /* symlink target, or hardlink target when hard */
	bool hard;
	const void *blob; /* else blob_len bytes (a nested archive) */
	size_t blob_len;
};

struct mem {
	unsigned char *p;
	size_t len, cap;
};

static la_ssize_t mem_write(struct archive *a, void *ud, const void *p, size_t n)
{
	struct mem *m = ud;

	(void)a;
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->p = realloc(m->p, m->cap);
		assert_non_null(m->p);
	}
	memcpy(m->p + m->len, p, n);
	m->len += n;
	return (la_ssize_t)n;
}

enum { ZIP, TAR, TGZ, ZIP_STORE };

static unsigned char *build(int kind, const struct fx *f, size_t n, size_t *len)
{
	static const char zero[65536];
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	struct mem m = {0};
	size_t i;

	if (kind == ZIP || kind == ZIP_STORE) {
		assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
		if (kind == ZIP_STORE)
			archive_write_zip_set_compression_store(a);
	} else {
		assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
		if (kind == TGZ)
			assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	}
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open(a, &m, NULL, mem_write, NULL), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		size_t size = f[i].data	  ? strlen(f[i].data)
			      : f[i].blob ? f[i].blob_len
					  : f[i].zeros;
		unsigned type = f[i].type ? f[i].type : AE_IFREG;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, f[i].name);
		archive_entry_set_mtime(e, 1700000000, 0);
		if (f[i].hard) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, f[i].link);
			size = 0;
		} else {
			archive_entry_set_filetype(e, type);
			if (type == AE_IFLNK)
				archive_entry_set_symlink(e, f[i].link);
			if (type == AE_IFCHR)
				archive_entry_set_rdev(e, 0x0103);
		}
		archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
		if (type != AE_IFREG || f[i].hard)
			size = 0;
		archive_entry_set_size(e, (la_int64_t)size);
		assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
		if (f[i].data)
			archive_write_data(a, f[i].data, size);
		else if (f[i].blob)
			archive_write_data(a, f[i].blob, size);
		else
			for (size_t left = size; left;) {
				size_t k = left < sizeof(zero) ? left : sizeof(zero);

				assert_int_equal(archive_write_data(a, zero, k), (la_ssize_t)k);
				left -= k;
			}
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	*len = m.len;
	return m.p;
}

/* --- recording what the unpacker reports ------------------------------- */

struct got_entry {
	char *path;
	enum sp_entry_type type;
	int64_t size;
	char *link;
	unsigned depth;
	bool complete, too_large;
	unsigned char sha256[SP_SHA256_LEN];
	unsigned char head[SP_ENTRY_HEAD];
	size_t head_len;
	char *data; /* a copy, or stolen */
	size_t len;
	bool has_data;
};

struct got_issue {
	enum sp_unpack_issue issue;
	char *path;
	char *detail;
};

struct got {
	struct got_entry *e;
	size_t ne;
	struct got_issue *i;
	size_t ni;
	const char *want_suffix; /* want() says yes to names ending so; NULL: .py */
	bool steal;		 /* take bodies rather than copy them */
	size_t stop_after;	 /* entry() returns 42 after this many; 0: never */
	size_t quiet;		 /* record no entries (for huge counts), only count */
};

static bool want(void *ud, const char *path, int64_t size_hint)
{
	struct got *g = ud;
	const char *s = g->want_suffix ? g->want_suffix : ".py";
	size_t n = strlen(path), k = strlen(s);

	(void)size_hint;
	return n >= k && strcmp(path + n - k, s) == 0;
}

static int on_entry(void *ud, struct sp_entry *e)
{
	struct got *g = ud;
	struct got_entry *x;

	if (g->quiet) {
		g->ne++;
		return 0;
	}
	g->e = realloc(g->e, (g->ne + 1) * sizeof(*g->e));
	x = &g->e[g->ne++];
	memset(x, 0, sizeof(*x));
	x->path = strdup(e->path);
	x->type = e->type;
	x->size = e->size;
	x->link = e->link_target ? strdup(e->link_target) : NULL;
	x->depth = e->depth;
	x->complete = e->complete;
	x->too_large = e->too_large;
	memcpy(x->sha256, e->sha256, sizeof(x->sha256));
	memcpy(x->head, e->head, e->head_len);
	x->head_len = e->head_len;
	if (e->data) {
		assert_int_equal(e->data[e->len], '\0');
		x->has_data = true;
		x->len = e->len;
		if (g->steal) {
			x->data = e->data;
			e->data = NULL;
		} else {
			x->data = malloc(e->len + 1);
			memcpy(x->data, e->data, e->len + 1);
		}
	}
	if (g->stop_after && g->ne == g->stop_after)
		return 42;
	return 0;
}

static void on_issue(void *ud, enum sp_unpack_issue issue, const char *path, const char *detail)
{
	struct got *g = ud;
	struct got_issue *x;

	g->i = realloc(g->i, (g->ni + 1) * sizeof(*g->i));
	x = &g->i[g->ni++];
	x->issue = issue;
	x->path = path ? strdup(path) : NULL;
	x->detail = detail ? strdup(detail) : NULL;
}

static const struct sp_unpack_ops ops = {want, on_entry, on_issue};

static void got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->ne && !g->quiet; i++) {
		free(g->e[i].path);
		free(g->e[i].link);
		free(g->e[i].data);
	}
	for (i = 0; i < g->ni; i++) {
		free(g->i[i].path);
		free(g->i[i].detail);
	}
	free(g->e);
	free(g->i);
	memset(g, 0, sizeof(*g));
}

static const struct got_entry *find_entry(const struct got *g, const char *path)
{
	size_t i;

	for (i = 0; i < g->ne; i++)
		if (strcmp(g->e[i].path, path) == 0)
			return &g->e[i];
	return NULL;
}

static size_t count_issue(const struct got *g, enum sp_unpack_issue issue, const char *path)
{
	size_t i, n = 0;

	for (i = 0; i < g->ni; i++)
		if (g->i[i].issue == issue &&
		    (!path || (g->i[i].path && !strcmp(g->i[i].path, path))))
			n++;
	return n;
}

static const struct got_issue *find_issue(const struct got *g, enum sp_unpack_issue issue)
{
	size_t i;

	for (i = 0; i < g->ni; i++)
		if (g->i[i].issue == issue)
			return &g->i[i];
	return NULL;
}

static void dump(const struct got *g)
{
	size_t i;

	for (i = 0; i < g->ne && !g->quiet; i++)
		print_message("entry %s type=%d size=%lld depth=%u complete=%d\n", g->e[i].path,
			      g->e[i].type, (long long)g->e[i].size, g->e[i].depth,
			      g->e[i].complete);
	for (i = 0; i < g->ni; i++)
		print_message("issue %s %s: %s\n", sp_unpack_issue_name(g->i[i].issue),
			      g->i[i].path ? g->i[i].path : "-",
			      g->i[i].detail ? g->i[i].detail : "-");
}

static void assert_sha(const unsigned char *sha, const void *p, size_t n)
{
	unsigned char want_sha[SP_SHA256_LEN];

	sp_sha256(p, n, want_sha);
	assert_memory_equal(sha, want_sha, SP_SHA256_LEN);
}

static int unpack_mem(const void *p, size_t len, struct got *g)
{
	struct sp_diag d;
	int rc;

	sp_diag_clear(&d);
	rc = sp_unpack_memory(p, len, "test.zip", 0, &ops, g, &d);
	if (rc < 0)
		print_message("sp_unpack_memory: %s\n", d.msg);
	return rc;
}

/* --- temporary files ----------------------------------------------------- */

static char tmpdir[256];

static int setup_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_unpack.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_rf(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	return system(cmd);
}

static int teardown_tmp(void **state)
{
	(void)state;
	return rm_rf(tmpdir) == 0 ? 0 : -1;
}

static const char *tmp_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
	return buf;
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* --- tests --------------------------------------------------------------- */

static const char init_py[] = "from .mod import run\n";
static const char mod_py[] = "import os\n\ndef run():\n    return os.getcwd()\n";
static const char metadata[] = "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n";

static void test_wheel(void **state)
{
	const struct fx f[] = {
		{"pkg/", AE_IFDIR},
		{"pkg/__init__.py", 0, init_py},
		{"pkg/mod.py", 0, mod_py},
		{"pkg-1.0.dist-info/METADATA", 0, metadata},
	};
	unsigned char file_sha[SP_SHA256_LEN];
	const struct got_entry *x;
	struct got g = {0};
	struct sp_diag d;
	char path[512];
	unsigned char *zip;
	size_t len;

	(void)state;
	zip = build(ZIP, f, 4, &len);
	assert_int_equal(unpack_mem(zip, len, &g), 0);
	assert_int_equal(g.ne, 4);
	assert_int_equal(g.ni, 0);
	assert_string_equal(g.e[0].path, "pkg");
	assert_int_equal(g.e[0].type, SP_ENTRY_DIR);
	x = find_entry(&g, "pkg/mod.py");
	assert_non_null(x);
	assert_int_equal(x->type, SP_ENTRY_FILE);
	assert_true(x->complete);
	assert_int_equal(x->size, strlen(mod_py));
	assert_sha(x->sha256, mod_py, strlen(mod_py));
	assert_true(x->has_data);
	assert_int_equal(x->len, strlen(mod_py));
	assert_memory_equal(x->data, mod_py, strlen(mod_py));
	assert_int_equal(x->head_len, strlen(mod_py));
	assert_int_equal(x->depth, 0);
	x = find_entry(&g, "pkg-1.0.dist-info/METADATA");
	assert_non_null(x);
	assert_false(x->has_data); /* want() said no */
	assert_sha(x->sha256, metadata, strlen(metadata));
	assert_int_equal(x->head_len,
			 strlen(metadata) < SP_ENTRY_HEAD ? strlen(metadata) : SP_ENTRY_HEAD);
	got_free(&g);

	/* The same from a file, with the whole file's hash. */
	write_file(tmp_path(path, sizeof(path), "pkg-1.0-py3-none-any.whl"), zip, len);
	assert_int_equal(sp_unpack_kind(path), SP_SOURCE_WHEEL);
	sp_diag_clear(&d);
	assert_int_equal(sp_unpack_path(path, &ops, &g, file_sha, &d), 0);
	assert_sha(file_sha, zip, len);
	assert_int_equal(g.ne, 4);
	assert_int_equal(g.ni, 0);
	assert_non_null(find_entry(&g, "pkg/__init__.py"));
	got_free(&g);
	free(zip);
}

static void test_sdist(void **state)
{
	const struct fx f[] = {
		{"./", AE_IFDIR},
		{"pkg-1.0/", AE_IFDIR},
		{"pkg-1.0/setup.py", 0, "from setuptools import setup\nsetup()\n"},
		{"pkg-1.0/PKG-INFO", 0, metadata},
		{"./pkg-1.0//src/./pkg/__init__.py", 0, init_py},
	};
	const struct got_entry *x;
	struct got g = {0};
	struct sp_diag d;
	char path[512];
	unsigned char *tgz;
	size_t len;

	(void)state;
	tgz = build(TGZ, f, 5, &len);
	write_file(tmp_path(path, sizeof(path), "pkg-1.0.tar.gz"), tgz, len);
	assert_int_equal(sp_unpack_kind(path), SP_SOURCE_SDIST);
	sp_diag_clear(&d);
	assert_int_equal(sp_unpack_path(path, &ops, &g, NULL, &d), 0);
	dump(&g);
	assert_int_equal(g.ni, 0);
	assert_int_equal(g.ne, 4); /* "./" is the root, not an entry */
	x = find_entry(&g, "pkg-1.0/setup.py");
	assert_non_null(x);
	assert_true(x->has_data);
	assert_string_equal(x->data, "from setuptools import setup\nsetup()\n");
	/* Names are normalised. */
	assert_non_null(find_entry(&g, "pkg-1.0/src/pkg/__init__.py"));
	got_free(&g);
	free(tgz);
}

static void test_unsafe_paths(void **state)
{
	const struct fx f[] = {
		{"../evil.py", 0, "x = 1\n"},
		{"pkg/../../evil2.py", 0, "x = 2\n"},
		{"/etc/cron.d/evil", 0, "* * * * * root sh\n"},
		{"C:/Windows/evil.py", 0, "x = 3\n"},
		{"pkg\\..\\win.py", 0, "x = 4\n"},
		{"pkg/new\nline.py", 0, "x = 5\n"},
		{"pkg/ok.py", 0, "x = 6\n"},
	};
	struct got g = {0};
	unsigned char *tar;
	size_t len;

	(void)state;
	tar = build(TAR, f, 7, &len);
	assert_int_equal(unpack_mem(tar, len, &g), 0);
	dump(&g);
	/* Reported, and still passed on so their content is scanned. */
	assert_int_equal(g.ne, 7);
	assert_int_equal(count_issue(&g, SP_UI_TRAVERSAL, "../evil.py"), 1);
	assert_int_equal(count_issue(&g, SP_UI_TRAVERSAL, "pkg/../../evil2.py"), 1);
	assert_int_equal(count_issue(&g, SP_UI_ABSOLUTE, "/etc/cron.d/evil"), 1);
	assert_int_equal(count_issue(&g, SP_UI_ABSOLUTE, "C:/Windows/evil.py"), 1);
	assert_int_equal(count_issue(&g, SP_UI_BAD_PATH, "pkg\\..\\win.py"), 1);
	assert_int_equal(count_issue(&g, SP_UI_TRAVERSAL, "pkg\\..\\win.py"), 1);
	assert_int_equal(count_issue(&g, SP_UI_BAD_PATH, "pkg/new\nline.py"), 1);
	assert_int_equal(count_issue(&g, SP_UI_BAD_PATH, "pkg/ok.py"), 0);
	assert_true(find_entry(&g, "../evil.py")->has_data);
	got_free(&g);
	free(tar);
}

static void test_links_and_devices(void **state)
{
	const struct fx f[] = {
		{"pkg/__init__.py", 0, init_py},
		{"pkg/passwd", AE_IFLNK, NULL, 0, "/etc/passwd"},
		{"pkg/hard.py", 0, NULL, 0, "pkg/__init__.py", true},
		{"pkg/null", AE_IFCHR},
		{"pkg/pipe", AE_IFIFO},
	};
	const struct got_entry *x;
	const struct got_issue *is;
	struct got g = {0};
	unsigned char *tar;
	size_t len;

	(void)state;
	tar = build(TGZ, f, 5, &len);
	assert_int_equal(unpack_mem(tar, len, &g), 0);
	dump(&g);
	assert_int_equal(g.ne, 5);
	x = find_entry(&g, "pkg/passwd");
	assert_int_equal(x->type, SP_ENTRY_SYMLINK);
	assert_string_equal(x->link, "/etc/passwd");
	assert_false(x->has_data);
	is = find_issue(&g, SP_UI_SYMLINK);
	assert_non_null(is);
	assert_string_equal(is->path, "pkg/passwd");
	assert_string_equal(is->detail, "/etc/passwd");
	x = find_entry(&g, "pkg/hard.py");
	assert_int_equal(x->type, SP_ENTRY_HARDLINK);
	assert_string_equal(x->link, "pkg/__init__.py");
	assert_false(x->has_data);
	assert_int_equal(count_issue(&g, SP_UI_HARDLINK, "pkg/hard.py"), 1);
	assert_int_equal(find_entry(&g, "pkg/null")->type, SP_ENTRY_DEVICE);
	assert_int_equal(find_entry(&g, "pkg/pipe")->type, SP_ENTRY_FIFO);
	assert_int_equal(count_issue(&g, SP_UI_DEVICE, "pkg/null"), 1);
	assert_int_equal(count_issue(&g, SP_UI_DEVICE, "pkg/pipe"), 1);
	assert_int_equal(g.ni, 4);
	got_free(&g);
	free(tar);

	/* In a zip a symlink's target is data pip writes as a file: it is content. */
	{
		const char code[] = "import os; os.system('id')";
		const struct fx z[] = {{"pkg/evil.py", AE_IFLNK, NULL, 0, code}};

		tar = build(ZIP, z, 1, &len);
		assert_int_equal(unpack_mem(tar, len, &g), 0);
		dump(&g);
		x = find_entry(&g, "pkg/evil.py");
		assert_non_null(x);
		assert_int_equal(x->type, SP_ENTRY_SYMLINK);
		assert_string_equal(x->link, code);
		assert_true(x->has_data);
		assert_string_equal(x->data, code);
		assert_sha(x->sha256, code, strlen(code));
		assert_int_equal(count_issue(&g, SP_UI_SYMLINK, "pkg/evil.py"), 1);
		got_free(&g);
		free(tar);
	}
}

static void test_duplicates(void **state)
{
	const struct fx f[] = {
		{"pkg/", AE_IFDIR},
		{"pkg/", AE_IFDIR}, /* a directory twice is harmless */
		{"pkg/a.py", 0, "x = 1\n"},
		{"pkg/b.py", 0, "y = 1\n"},
		{"pkg/a.py", 0, "import os; os.system('id')\n"},
		{"./pkg/a.py", 0, "z = 1\n"},
	};
	struct got g = {0};
	unsigned char *zip;
	size_t len;
	int kind;

	(void)state;
	for (kind = ZIP; kind <= TGZ; kind++) {
		zip = build(kind, f, 6, &len);
		assert_int_equal(unpack_mem(zip, len, &g), 0);
		dump(&g);
		assert_int_equal(count_issue(&g, SP_UI_DUPLICATE, NULL), 2);
		assert_int_equal(count_issue(&g, SP_UI_DUPLICATE, "pkg/a.py"), 2);
		/* Every copy is scanned: the hostile one may be the one installed. */
		assert_int_equal(g.ne, 6);
		got_free(&g);
		free(zip);
	}
}

static void test_nested(void **state)
{
	const struct fx inner[] = {
		{"x.py", 0, "import socket\n"},
		{"../up.py", 0, "y = 1\n"},
	};
	unsigned char *in, *out, *tgz;
	const struct got_entry *x;
	struct got g = {0};
	size_t in_len, out_len, tgz_len;

	(void)state;
	in = build(ZIP, inner, 2, &in_len);
	{
		const struct fx outer[] = {
			{"pkg/__init__.py", 0, init_py},
			{"pkg/vendor/a.zip", 0, NULL, 0, NULL, false, in, in_len},
			/* Renamed: the magic gives it away. */
			{"pkg/data.bin", 0, NULL, 0, NULL, false, in, in_len},
		};
		out = build(ZIP, outer, 3, &out_len);
	}
	assert_int_equal(unpack_mem(out, out_len, &g), 0);
	dump(&g);
	/* The nested archive is a file entry first. */
	x = find_entry(&g, "pkg/vendor/a.zip");
	assert_non_null(x);
	assert_int_equal(x->type, SP_ENTRY_FILE);
	assert_int_equal(x->depth, 0);
	assert_sha(x->sha256, in, in_len);
	x = find_entry(&g, "pkg/vendor/a.zip!/x.py");
	assert_non_null(x);
	assert_int_equal(x->depth, 1);
	assert_true(x->has_data);
	assert_string_equal(x->data, "import socket\n");
	assert_non_null(find_entry(&g, "pkg/data.bin!/x.py"));
	assert_int_equal(count_issue(&g, SP_UI_TRAVERSAL, "pkg/vendor/a.zip!/../up.py"), 1);
	/* Names are per archive: the same inner names are no duplicates. */
	assert_int_equal(count_issue(&g, SP_UI_DUPLICATE, NULL), 0);
	assert_int_equal(g.ne, 7);
	got_free(&g);

	/* A wheel vendored in an sdist. */
	{
		const struct fx sdist[] = {
			{"pkg-1.0/setup.py", 0, "setup()\n"},
			{"pkg-1.0/wheels/dep-1.0-py3-none-any.whl", 0, NULL, 0, NULL, false, out,
			 out_len},
		};
		tgz = build(TGZ, sdist, 2, &tgz_len);
	}
	assert_int_equal(unpack_mem(tgz, tgz_len, &g), 0);
	x = find_entry(&g, "pkg-1.0/wheels/dep-1.0-py3-none-any.whl!/pkg/vendor/a.zip!/x.py");
	assert_non_null(x);
	assert_int_equal(x->depth, 2);
	got_free(&g);
	free(tgz);
	free(out);
	free(in);
}

static void test_nesting_cap(void **state)
{
	unsigned char *cur, *next;
	struct got g = {0};
	size_t len, next_len;
	char name[32];
	int level;
	const char *deep = "l1.zip!/l2.zip!/l3.zip!/l4.zip";

	(void)state;
	{
		const struct fx f[] = {{"deep.py", 0, "import os\n"}};
		cur = build(ZIP, f, 1, &len);
	}
	for (level = 4; level >= 1; level--) {
		snprintf(name, sizeof(name), "l%d.zip", level);
		{
			const struct fx f[] = {{name, 0, NULL, 0, NULL, false, cur, len}};
			next = build(ZIP, f, 1, &next_len);
		}
		free(cur);
		cur = next;
		len = next_len;
	}
	assert_int_equal(unpack_mem(cur, len, &g), 0);
	dump(&g);
	assert_int_equal(g.ne, 4);
	assert_int_equal(find_entry(&g, "l1.zip!/l2.zip!/l3.zip")->depth, 2);
	assert_int_equal(find_entry(&g, deep)->depth, 3);
	assert_int_equal(count_issue(&g, SP_UI_NESTING, deep), 1);
	assert_int_equal(g.ni, 1);
	got_free(&g);
	free(cur);
}

static void test_want_and_steal(void **state)
{
	const struct fx f[] = {
		{"a.py", 0, "a = 1\n"},
		{"b.txt", 0, "text\n"},
		{"c.py", 0, ""},
	};
	struct got g = {0};
	unsigned char *zip;
	size_t len;

	(void)state;
	zip = build(ZIP, f, 3, &len);
	g.steal = true;
	assert_int_equal(unpack_mem(zip, len, &g), 0);
	/* Stolen bodies are ours now (got_free frees them; ASan checks the rest). */
	assert_true(g.e[0].has_data);
	assert_string_equal(g.e[0].data, "a = 1\n");
	assert_false(g.e[1].has_data);
	assert_true(g.e[2].has_data); /* an empty body is still a body */
	assert_int_equal(g.e[2].len, 0);
	got_free(&g);

	g.want_suffix = ".txt";
	assert_int_equal(unpack_mem(zip, len, &g), 0);
	assert_false(g.e[0].has_data);
	assert_true(g.e[1].has_data);
	got_free(&g);

	/* A non-zero return from entry() stops and is returned. */
	g.stop_after = 2;
	assert_int_equal(unpack_mem(zip, len, &g), 42);
	assert_int_equal(g.ne, 2);
	got_free(&g);
	free(zip);
}

static void test_too_large(void **state)
{
	size_t n = SP_MAX_SOURCE_BYTES + 1, i;
	char *big = malloc(n + 1);
	uint32_t x = 12345;
	const struct got_entry *e;
	struct got g = {0};
	unsigned char *zip;
	size_t len;

	(void)state;
	for (i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		big[i] = (char)('a' + (x >> 16) % 26);
	}
	big[n] = '\0';
	{
		const struct fx f[] = {{"big.py", 0, big}, {"small.py", 0, "s = 1\n"}};
		zip = build(ZIP, f, 2, &len);
	}
	assert_int_equal(unpack_mem(zip, len, &g), 0);
	e = find_entry(&g, "big.py");
	assert_true(e->too_large);
	assert_false(e->has_data);
	assert_true(e->complete); /* hashed to the end all the same */
	assert_int_equal(e->size, n);
	assert_sha(e->sha256, big, n);
	assert_memory_equal(e->head, big, SP_ENTRY_HEAD);
	assert_true(find_entry(&g, "small.py")->has_data);
	assert_int_equal(g.ni, 0);
	got_free(&g);
	free(zip);
	free(big);
}

static void test_bomb(void **state)
{
	/* Zeros deflate about 1000:1, far over SP_MAX_RATIO, once past SP_RATIO_MIN_BYTES. */
	const struct fx f[] = {
		{"ok.py", 0, "x = 1\n"},
		{"zeros.bin", 0, NULL, (size_t)SP_RATIO_MIN_BYTES * 2},
		{"after.py", 0, "y = 1\n"},
	};
	const struct got_issue *is;
	struct got g = {0};
	unsigned char *zip, *tgz, *outer;
	size_t zip_len, tgz_len, outer_len;

	(void)state;
	zip = build(ZIP, f, 3, &zip_len);
	assert_int_equal(unpack_mem(zip, zip_len, &g), 0);
	dump(&g);
	is = find_issue(&g, SP_UI_BOMB);
	assert_non_null(is);
	assert_string_equal(is->path, "zeros.bin");
	assert_null(find_entry(&g, "after.py")); /* unpacking stopped */
	assert_false(find_entry(&g, "zeros.bin")->complete);
	got_free(&g);

	tgz = build(TGZ, f, 3, &tgz_len);
	assert_int_equal(unpack_mem(tgz, tgz_len, &g), 0);
	assert_non_null(find_issue(&g, SP_UI_BOMB));
	got_free(&g);

	/* Stored (not compressed) in an outer zip, the bomb is still a bomb. */
	{
		const struct fx o[] = {{"inner.zip", 0, NULL, 0, NULL, false, zip, zip_len}};
		outer = build(ZIP_STORE, o, 1, &outer_len);
	}
	assert_int_equal(unpack_mem(outer, outer_len, &g), 0);
	dump(&g);
	is = find_issue(&g, SP_UI_BOMB);
	assert_non_null(is);
	assert_string_equal(is->path, "inner.zip!/zeros.bin");
	got_free(&g);
	free(outer);
	free(tgz);
	free(zip);
}

static void test_too_many_entries(void **state)
{
	size_t n = SP_MAX_ENTRIES + 10, i;
	struct fx *f = calloc(n, sizeof(*f));
	char(*names)[24] = malloc(n * sizeof(*names));
	struct got g = {0};
	unsigned char *zip;
	size_t len;
	clock_t t0;

	(void)state;
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "f/%zu.py", i);
		f[i].name = names[i];
		f[i].data = "";
	}
	zip = build(ZIP, f, n, &len);
	g.quiet = 1;
	t0 = clock();
	assert_int_equal(unpack_mem(zip, len, &g), 0);
	print_message("%zu entries read in %.2fs\n", g.ne, (double)(clock() - t0) / CLOCKS_PER_SEC);
	assert_int_equal(g.ne, SP_MAX_ENTRIES);
	assert_int_equal(count_issue(&g, SP_UI_TOO_MANY_ENTRIES, NULL), 1);
	assert_int_equal(count_issue(&g, SP_UI_DUPLICATE, NULL), 0);
	got_free(&g);
	free(zip);
	free(names);
	free(f);
}

static void test_long_and_deep(void **state)
{
	char *longname = malloc(SP_MAX_PATH + 100);
	char deep[SP_MAX_PATH];
	struct got g = {0};
	unsigned char *tar;
	size_t len, i, n = 0;

	(void)state;
	memset(longname, 'a', SP_MAX_PATH + 50);
	memcpy(longname + SP_MAX_PATH + 50, ".py", 4);
	for (i = 0; i < SP_MAX_PATH_DEPTH + 5; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "d/");
	snprintf(deep + n, sizeof(deep) - n, "x.py");
	{
		const struct fx f[] = {
			{longname, 0, "import os\n"},
			{deep, 0, "y = 1\n"},
			{"ok.py", 0, "z = 1\n"},
		};
		tar = build(TAR, f, 3, &len);
	}
	assert_int_equal(unpack_mem(tar, len, &g), 0);
	dump(&g);
	assert_int_equal(count_issue(&g, SP_UI_PATH_TOO_LONG, NULL), 1);
	assert_int_equal(count_issue(&g, SP_UI_TOO_DEEP, deep), 1);
	assert_int_equal(g.ne, 2); /* the over-long name is not passed on */
	assert_non_null(find_entry(&g, "ok.py"));
	got_free(&g);
	free(tar);
	free(longname);
}

static void test_corrupt(void **state)
{
	const struct fx f[] = {
		{"a.py", 0, "a = 1\n"},
		{"big.txt", 0, NULL, 1 << 20},
		{"b.py", 0, "b = 1\n"},
	};
	struct got g = {0};
	unsigned char *tgz, *zip;
	size_t len, i;

	(void)state;
	/* A truncated .tar.gz: what was read is passed on, then one issue. */
	tgz = build(TGZ, f, 3, &len);
	assert_int_equal(unpack_mem(tgz, len / 2, &g), 0);
	dump(&g);
	assert_non_null(find_entry(&g, "a.py"));
	assert_int_equal(count_issue(&g, SP_UI_CORRUPT, NULL), 1);
	got_free(&g);

	/* A zip whose stored data was changed: the CRC no longer matches. */
	zip = build(ZIP_STORE, f, 3, &len);
	for (i = 0; i + 5 < len; i++)
		if (memcmp(zip + i, "a = 1", 5) == 0)
			zip[i] = 'A';
	assert_int_equal(unpack_mem(zip, len, &g), 0);
	dump(&g);
	assert_int_equal(count_issue(&g, SP_UI_CORRUPT, "a.py"), 1);
	assert_false(find_entry(&g, "a.py")->complete);
	assert_non_null(find_entry(&g, "b.py")); /* the rest is still read */
	got_free(&g);
	free(zip);
	free(tgz);
}

static void test_not_an_archive(void **state)
{
	const char text[] = "this is not a wheel\n";
	struct got g = {0};
	struct sp_diag d;
	char path[512];

	(void)state;
	write_file(tmp_path(path, sizeof(path), "fake-1.0-py3-none-any.whl"), text, strlen(text));
	sp_diag_clear(&d);
	assert_int_equal(sp_unpack_path(path, &ops, &g, NULL, &d), SP_EFORMAT);
	assert_non_null(strstr(d.msg, "cannot open '"));
	assert_non_null(strstr(d.msg, "fake-1.0-py3-none-any.whl"));
	print_message("%s\n", d.msg);
	assert_int_equal(g.ne, 0);

	sp_diag_clear(&d);
	assert_int_equal(sp_unpack_memory(text, strlen(text), "x.zip", 0, &ops, &g, &d),
			 SP_EFORMAT);
	assert_non_null(strstr(d.msg, "cannot open 'x.zip'"));

	sp_diag_clear(&d);
	assert_int_equal(
		sp_unpack_path(tmp_path(path, sizeof(path), "missing.whl"), &ops, &g, NULL, &d),
		SP_ENOENT);
	assert_non_null(strstr(d.msg, "cannot open '"));

	sp_diag_clear(&d);
	assert_int_equal(sp_unpack_path("/dev/null", &ops, &g, NULL, &d), SP_EINVAL);
	assert_int_equal(g.ne, 0);
	got_free(&g);
}

static void test_single_file(void **state)
{
	unsigned char sha[SP_SHA256_LEN];
	const struct fx f[] = {{"hidden.py", 0, "import os\n"}};
	struct got g = {0};
	struct sp_diag d;
	char path[512];
	unsigned char *zip;
	size_t len;

	(void)state;
	write_file(tmp_path(path, sizeof(path), "script.py"), mod_py, strlen(mod_py));
	assert_int_equal(sp_unpack_kind(path), SP_SOURCE_FILE);
	sp_diag_clear(&d);
	assert_int_equal(sp_unpack_path(path, &ops, &g, sha, &d), 0);
	assert_int_equal(g.ne, 1);
	assert_string_equal(g.e[0].path, "script.py");
	assert_string_equal(g.e[0].data, mod_py);
	assert_sha(sha, mod_py, strlen(mod_py));
	assert_sha(g.e[0].sha256, mod_py, strlen(mod_py));
	got_free(&g);

	/* A zip named like a source file is opened as the zip it is. */
	zip = build(ZIP, f, 1, &len);
	write_file(tmp_path(path, sizeof(path), "innocent.py"), zip, len);
	assert_int_equal(sp_unpack_path(path, &ops, &g, sha, &d), 0);
	assert_sha(sha, zip, len);
	assert_int_equal(g.ne, 1);
	assert_string_equal(g.e[0].path, "hidden.py");
	got_free(&g);
	free(zip);
}

static void test_directory(void **state)
{
	const struct fx f[] = {{"inside.py", 0, "import ctypes\n"}};
	const struct got_entry *x;
	unsigned char sha[SP_SHA256_LEN];
	char dir[512], path[600];
	struct got g = {0};
	struct sp_diag d;
	unsigned char *zip;
	size_t len;

	(void)state;
	tmp_path(dir, sizeof(dir), "tree");
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/pkg", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/pkg/__init__.py", dir);
	write_file(path, init_py, strlen(init_py));
	snprintf(path, sizeof(path), "%s/setup.py", dir);
	write_file(path, "setup()\n", 8);
	snprintf(path, sizeof(path), "%s/pkg/secrets", dir);
	assert_int_equal(symlink("/etc/shadow", path), 0);
	snprintf(path, sizeof(path), "%s/pkg/linkdir", dir);
	assert_int_equal(symlink("/etc", path), 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	zip = build(ZIP, f, 1, &len);
	snprintf(path, sizeof(path), "%s/pkg/vendored.whl", dir);
	write_file(path, zip, len);

	assert_int_equal(sp_unpack_kind(dir), SP_SOURCE_DIR);
	sp_diag_clear(&d);
	assert_int_equal(sp_unpack_path(dir, &ops, &g, sha, &d), 0);
	dump(&g);
	/* Sorted, relative to the directory. */
	assert_string_equal(g.e[0].path, "fifo");
	assert_string_equal(g.e[1].path, "pkg");
	assert_int_equal(g.e[1].type, SP_ENTRY_DIR);
	x = find_entry(&g, "pkg/secrets");
	assert_int_equal(x->type, SP_ENTRY_SYMLINK);
	assert_string_equal(x->link, "/etc/shadow");
	assert_false(x->has_data);
	assert_int_equal(count_issue(&g, SP_UI_SYMLINK, "pkg/secrets"), 1);
	assert_int_equal(count_issue(&g, SP_UI_SYMLINK, "pkg/linkdir"), 1);
	assert_null(find_entry(&g, "pkg/linkdir/passwd")); /* not followed */
	assert_int_equal(find_entry(&g, "fifo")->type, SP_ENTRY_FIFO);
	assert_int_equal(count_issue(&g, SP_UI_DEVICE, "fifo"), 1);
	assert_string_equal(find_entry(&g, "pkg/__init__.py")->data, init_py);
	x = find_entry(&g, "pkg/vendored.whl!/inside.py");
	assert_non_null(x);
	assert_int_equal(x->depth, 1);
	assert_int_equal(g.ne, 8);
	assert_int_equal(g.ni, 3);
	got_free(&g);
	free(zip);
}

static void test_names(void **state)
{
	const struct fx f[] = {
		{"pkg/caf\xc3\xa9.py", 0, "x = 1\n"},
		{"pkg/bad\xff.py", 0, "y = 1\n"},
	};
	struct got g = {0};
	unsigned char *zip;
	size_t len;

	(void)state;
	zip = build(TAR, f, 2, &len);
	assert_int_equal(unpack_mem(zip, len, &g), 0);
	dump(&g);
	assert_non_null(find_entry(&g, "pkg/caf\xc3\xa9.py"));
	assert_int_equal(count_issue(&g, SP_UI_BAD_PATH, "pkg/caf\xc3\xa9.py"), 0);
	assert_int_equal(count_issue(&g, SP_UI_BAD_PATH, NULL), 1);
	assert_int_equal(g.ne, 2);
	got_free(&g);
	free(zip);

	zip = build(ZIP, f, 1, &len);
	assert_int_equal(unpack_mem(zip, len, &g), 0);
	assert_non_null(find_entry(&g, "pkg/caf\xc3\xa9.py"));
	assert_int_equal(g.ni, 0);
	got_free(&g);
	free(zip);
}

static void test_sparse(void **state)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t size = 1 << 20, len;
	const struct got_entry *x;
	struct mem m = {0};
	struct got g = {0};
	char *content = calloc(1, size);

	(void)state;
	/* 4 KiB of data, then a hole to the end: the hole is content too. */
	memset(content, 'x', 4096);
	archive_write_set_format_pax_restricted(a);
	archive_write_open(a, &m, NULL, mem_write, NULL);
	archive_entry_set_pathname(e, "sparse.bin");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_sparse_add_entry(e, 0, 4096);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, content, 4096), 4096);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	len = m.len;
	assert_true(len < size / 4);

	assert_int_equal(unpack_mem(m.p, len, &g), 0);
	dump(&g);
	x = find_entry(&g, "sparse.bin");
	assert_non_null(x);
	assert_int_equal(x->size, size);
	assert_true(x->complete);
	assert_sha(x->sha256, content, size);
	got_free(&g);
	free(content);
	free(m.p);
}

static void test_kind_and_issue_names(void **state)
{
	(void)state;
	assert_int_equal(sp_unpack_kind("a-1.0-py3-none-any.whl"), SP_SOURCE_WHEEL);
	assert_int_equal(sp_unpack_kind("A-1.0.TAR.GZ"), SP_SOURCE_SDIST);
	assert_int_equal(sp_unpack_kind("a-1.0.tgz"), SP_SOURCE_SDIST);
	assert_int_equal(sp_unpack_kind("a-1.0.tar.bz2"), SP_SOURCE_SDIST);
	assert_int_equal(sp_unpack_kind("a-1.0.tar.xz"), SP_SOURCE_SDIST);
	assert_int_equal(sp_unpack_kind("a-1.0.zip"), SP_SOURCE_ZIP);
	assert_int_equal(sp_unpack_kind("a-1.0-py3.8.egg"), SP_SOURCE_ZIP);
	assert_int_equal(sp_unpack_kind("a-1.0.tar"), SP_SOURCE_TAR);
	assert_int_equal(sp_unpack_kind("setup.py"), SP_SOURCE_FILE);
	assert_int_equal(sp_unpack_kind("/"), SP_SOURCE_DIR);
	assert_int_equal(sp_unpack_kind(""), SP_SOURCE_UNKNOWN);
	assert_string_equal(sp_unpack_issue_name(SP_UI_TRAVERSAL), "traversal");
	assert_string_equal(sp_unpack_issue_name(SP_UI_BOMB), "bomb");
	assert_string_equal(sp_unpack_issue_name(SP_UI_TOTAL_TOO_LARGE), "too-large");
	assert_string_equal(sp_unpack_issue_name(SP_UI_CORRUPT), "corrupt");
	assert_string_equal(sp_unpack_issue_name((enum sp_unpack_issue)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wheel),
		cmocka_unit_test(test_sdist),
		cmocka_unit_test(test_unsafe_paths),
		cmocka_unit_test(test_links_and_devices),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_nesting_cap),
		cmocka_unit_test(test_want_and_steal),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_long_and_deep),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_not_an_archive),
		cmocka_unit_test(test_single_file),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_kind_and_issue_names),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
