/*
 * A wheel's METADATA read from a zip known only in pieces (resolve/rangezip.h).
 * Zips are written here with libzip in memory, in the layouts that matter
 * (METADATA last or first, a central directory larger than the tail, stored
 * or deflated, a long archive comment), then read the way the finder reads
 * them: the tail first, then each range asked for. Every range asked for
 * must lie inside the file and add bytes not known yet; hostile or odd zips
 * must end in a give-up (the whole file is fetched), never a wrong answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zip.h>

#include "core/limits.h"
#include "resolve/rangezip.h"

#define META_NAME "demo-1.0.dist-info/METADATA"
#define META_TEXT "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: six\n"

struct entry {
	const char *name;
	const void *data;
	size_t len;
};

struct zipbuf {
	unsigned char *data;
	size_t len;
};

/* A deterministic filler that does not compress. */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
	unsigned long long x = 0x9E3779B97F4A7C15ULL * (seed + 1);
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)x;
	}
}

static struct zipbuf make_zip(const struct entry *e, size_t n, zip_int32_t method,
			      size_t comment_len)
{
	struct zipbuf out = {NULL, 0};
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za;
	zip_int64_t size;
	size_t i;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	for (i = 0; i < n; i++) {
		zip_source_t *fs = zip_source_buffer(za, e[i].data, e[i].len, 0);
		zip_int64_t idx = zip_file_add(za, e[i].name, fs, ZIP_FL_ENC_UTF_8);

		assert_true(idx >= 0);
		assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, method, 0), 0);
	}
	if (comment_len) {
		char *c = malloc(comment_len);

		memset(c, 'c', comment_len);
		assert_int_equal(zip_set_archive_comment(za, c, (zip_uint16_t)comment_len), 0);
		free(c);
	}
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_seek(src, 0, SEEK_END), 0);
	size = zip_source_tell(src);
	assert_true(size > 0);
	assert_int_equal(zip_source_seek(src, 0, SEEK_SET), 0);
	out.len = (size_t)size;
	out.data = malloc(out.len);
	assert_int_equal(zip_source_read(src, out.data, out.len), size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	return out;
}

struct result {
	enum sp_rzip_rc rc;
	int rounds;
	int64_t known;
	char *md;
	size_t mdlen;
	char why[SP_DIAG_TEXT];
};

/* Reads z the finder's way: the last `tail` bytes, then what is asked for. */
static struct result drive(const struct zipbuf *z, size_t tail)
{
	struct result r = {SP_RZIP_GIVE_UP, 0, 0, NULL, 0, ""};
	struct sp_rzip *rz = sp_rzip_new((int64_t)z->len);
	struct sp_diag d;
	int64_t off, len;

	if (tail > z->len)
		tail = z->len;
	assert_int_equal(sp_rzip_add(rz, (int64_t)(z->len - tail), z->data + z->len - tail, tail),
			 0);
	for (;;) {
		int64_t before = sp_rzip_known(rz);

		sp_diag_clear(&d);
		r.rc = sp_rzip_step(rz, &off, &len, &r.md, &r.mdlen, &d);
		if (r.rc != SP_RZIP_MORE)
			break;
		assert_true(off >= 0 && len > 0 && off + len <= (int64_t)z->len);
		assert_int_equal(sp_rzip_add(rz, off, z->data + off, (size_t)len), 0);
		assert_true(sp_rzip_known(rz) > before); /* each round brings new bytes */
	}
	if (r.rc == SP_RZIP_GIVE_UP)
		snprintf(r.why, sizeof(r.why), "%s", d.msg);
	r.rounds = sp_rzip_rounds(rz);
	r.known = sp_rzip_known(rz);
	sp_rzip_free(rz);
	return r;
}

/* n filler modules of size bytes each, plus METADATA and WHEEL at `meta_at`. */
static struct zipbuf package(size_t n, size_t size, size_t meta_at, zip_int32_t method)
{
	struct entry *e = calloc(n + 2, sizeof(*e));
	unsigned char *blob = malloc(n * size + 1);
	char (*names)[32] = calloc(n, sizeof(*names));
	struct zipbuf z;
	size_t i, k = 0;

	fill(blob, n * size, 1);
	for (i = 0; i <= n; i++) {
		if (i == meta_at) {
			e[k++] = (struct entry){META_NAME, META_TEXT, strlen(META_TEXT)};
			e[k++] = (struct entry){"demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n", 19};
		}
		if (i < n) {
			snprintf(names[i], sizeof(names[i]), "demo/m%05zu.py", i);
			e[k++] = (struct entry){names[i], blob + i * size, size};
		}
	}
	z = make_zip(e, k, method, 0);
	free(names);
	free(blob);
	free(e);
	return z;
}

static void expect_metadata(const struct result *r)
{
	assert_int_equal(r->rc, SP_RZIP_DONE);
	assert_int_equal(r->mdlen, strlen(META_TEXT));
	assert_string_equal(r->md, META_TEXT);
}

static void test_small_in_one_round(void **state)
{
	struct zipbuf z = package(3, 100, 3, ZIP_CM_DEFLATE);
	struct result r = drive(&z, SP_RANGE_TAIL_BYTES);

	(void)state;
	expect_metadata(&r);
	assert_int_equal(r.rounds, 1);
	free(r.md);
	free(z.data);
}

static void test_large_metadata_last(void **state)
{
	/* 2 MiB of modules: the tail holds the directory and METADATA */
	struct zipbuf z = package(512, 4096, 512, ZIP_CM_DEFLATE);
	struct result r = drive(&z, SP_RANGE_TAIL_BYTES);

	(void)state;
	expect_metadata(&r);
	assert_int_equal(r.rounds, 1);
	assert_int_equal(r.known, SP_RANGE_TAIL_BYTES);
	free(r.md);
	free(z.data);
}

static void test_directory_larger_than_tail(void **state)
{
	/* 6000 entries: ~270 KiB of directory, 3 MiB in all */
	struct zipbuf z = package(6000, 512, 6000, ZIP_CM_STORE);
	struct result r = drive(&z, SP_RANGE_TAIL_BYTES);

	(void)state;
	expect_metadata(&r);
	assert_true(r.rounds >= 2 && r.rounds <= 3);
	assert_true(r.known < (int64_t)z.len / 5);
	free(r.md);
	free(z.data);
}

static void test_metadata_first(void **state)
{
	struct zipbuf z = package(600, 4096, 0, ZIP_CM_DEFLATE);
	struct result r = drive(&z, SP_RANGE_TAIL_BYTES);

	(void)state;
	expect_metadata(&r);
	assert_int_equal(r.rounds, 2);
	assert_true(r.known < (int64_t)z.len / 5);
	free(r.md);
	free(z.data);
}

static void test_tiny_tail(void **state)
{
	/* a tail shorter than the end record: libzip's own search asks for more */
	struct zipbuf z = package(300, 4096, 300, ZIP_CM_DEFLATE);
	struct result r = drive(&z, 16);

	(void)state;
	expect_metadata(&r);
	assert_true(r.rounds <= SP_RANGE_MAX_ROUNDS);
	free(r.md);
	free(z.data);
}

/* The longest archive comment: the end record lies 64 KiB before the end. */
static void test_long_comment(void **state)
{
	size_t n = 256 * 1024;
	unsigned char *blob = malloc(n);
	struct entry e[] = {
		{"demo/a.py", blob, n},
		{META_NAME, META_TEXT, strlen(META_TEXT)},
	};
	struct zipbuf z;
	struct result r;

	(void)state;
	fill(blob, n, 2);
	z = make_zip(e, 2, ZIP_CM_DEFLATE, 65535);
	r = drive(&z, 4096);
	expect_metadata(&r);
	free(r.md);
	free(z.data);
	free(blob);
}

static void test_gives_up(void **state)
{
	unsigned char *junk = malloc(2 << 20);
	struct entry two[] = {
		{META_NAME, META_TEXT, strlen(META_TEXT)},
		{"other-1.0.dist-info/METADATA", META_TEXT, strlen(META_TEXT)},
	};
	struct entry none[] = {{"demo/__init__.py", "", 0}, {"demo-1.0.dist-info/WHEEL", "x", 1}};
	struct entry deep[] = {{"a/demo-1.0.dist-info/METADATA", META_TEXT, strlen(META_TEXT)}};
	struct zipbuf z;
	struct result r;

	(void)state;
	fill(junk, 2 << 20, 3);
	z = (struct zipbuf){junk, 2 << 20};
	r = drive(&z, SP_RANGE_TAIL_BYTES);
	assert_int_equal(r.rc, SP_RZIP_GIVE_UP);
	assert_non_null(strstr(r.why, "not a zip archive"));
	assert_int_equal(r.rounds, 1);
	free(junk);

	z = make_zip(two, 2, ZIP_CM_DEFLATE, 0);
	r = drive(&z, SP_RANGE_TAIL_BYTES);
	assert_int_equal(r.rc, SP_RZIP_GIVE_UP);
	assert_string_equal(r.why, "more than one .dist-info/METADATA");
	free(z.data);

	z = make_zip(none, 2, ZIP_CM_DEFLATE, 0);
	r = drive(&z, SP_RANGE_TAIL_BYTES);
	assert_int_equal(r.rc, SP_RZIP_GIVE_UP);
	assert_string_equal(r.why, "no .dist-info/METADATA");
	free(z.data);

	z = make_zip(deep, 1, ZIP_CM_DEFLATE, 0);
	r = drive(&z, SP_RANGE_TAIL_BYTES);
	assert_int_equal(r.rc, SP_RZIP_GIVE_UP);
	free(z.data);
}

static void test_metadata_over_cap(void **state)
{
	size_t n = SP_MAX_METADATA_BYTES + 1;
	char *big = calloc(1, n); /* zeros: deflates to a few KiB */
	struct entry e[] = {{META_NAME, big, n}};
	struct zipbuf z = make_zip(e, 1, ZIP_CM_DEFLATE, 0);
	struct result r = drive(&z, SP_RANGE_TAIL_BYTES);

	(void)state;
	assert_int_equal(r.rc, SP_RZIP_GIVE_UP);
	assert_non_null(strstr(r.why, "larger than the cap"));
	free(z.data);
	free(big);
}

/* Damage in the bytes: a CRC error, or a directory pointing outside. */
static void test_damaged(void **state)
{
	const char *mark = "Requires-Dist: six";
	struct zipbuf z = package(3, 100, 3, ZIP_CM_STORE);
	unsigned char *p = NULL;
	struct result r;
	size_t eocd, i;

	(void)state;
	for (i = 0; !p && i + strlen(mark) <= z.len; i++)
		if (!memcmp(z.data + i, mark, strlen(mark)))
			p = z.data + i;
	assert_non_null(p);
	p[0] ^= 0x20;
	r = drive(&z, SP_RANGE_TAIL_BYTES);
	assert_int_equal(r.rc, SP_RZIP_GIVE_UP);
	assert_null(r.md);
	p[0] ^= 0x20;

	/* the end record's central directory offset (at +16) past the end */
	eocd = z.len - 22;
	assert_memory_equal(z.data + eocd, "PK\5\6", 4);
	z.data[eocd + 16] = 0xff;
	z.data[eocd + 17] = 0xff;
	r = drive(&z, SP_RANGE_TAIL_BYTES);
	assert_int_equal(r.rc, SP_RZIP_GIVE_UP);
	free(z.data);
}

/* A little-endian field. */
static void put(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/*
 * An 8 GiB file whose end record puts a small central directory 6 GiB
 * before the end: filling that gap would hold far more than ranges may.
 */
static void test_memory_cap(void **state)
{
	int64_t total = 8LL << 30;
	unsigned char eocd[22] = {'P', 'K', 5, 6};
	struct sp_rzip *rz = sp_rzip_new(total);
	struct sp_diag d;
	int64_t off, len;
	char *md, *zeros;
	size_t mdlen;

	(void)state;
	put(eocd + 8, 1, 2);
	put(eocd + 10, 1, 2);
	put(eocd + 12, 4096, 4);
	put(eocd + 16, 2LL << 30, 4);
	assert_int_equal(sp_rzip_add(rz, total - 22, eocd, sizeof(eocd)), 0);
	/* the end record's search window first (zeros), then the directory */
	sp_diag_clear(&d);
	assert_int_equal(sp_rzip_step(rz, &off, &len, &md, &mdlen, &d), SP_RZIP_MORE);
	assert_true(len < 128 * 1024 && off + len == total - 22);
	zeros = calloc(1, (size_t)len);
	assert_int_equal(sp_rzip_add(rz, off, zeros, (size_t)len), 0);
	free(zeros);
	assert_int_equal(sp_rzip_step(rz, &off, &len, &md, &mdlen, &d), SP_RZIP_GIVE_UP);
	if (!strstr(d.msg, "in memory"))
		fail_msg("gave up for another reason: %s", d.msg);
	sp_rzip_free(rz);
}

/*
 * End records that claim a directory larger than ranges may hold are
 * refused before libzip sizes its tables by them: a zip32 size, and a
 * zip64 end record claiming 30 million entries.
 */
static void test_claims_refused(void **state)
{
	int64_t total = 3LL << 30;
	unsigned char tail[56 + 20 + 22] = {0}, *e64 = tail, *loc = tail + 56, *e = tail + 76;
	struct sp_rzip *rz;
	struct sp_diag d;
	int64_t off, len;
	char *md;
	size_t mdlen;

	(void)state;
	memcpy(e, "PK\5\6", 4);
	put(e + 8, 1, 2);
	put(e + 10, 1, 2);
	put(e + 12, 1LL << 30, 4);
	put(e + 16, 4096, 4);
	rz = sp_rzip_new(total);
	assert_int_equal(sp_rzip_add(rz, total - 22, e, 22), 0);
	sp_diag_clear(&d);
	assert_int_equal(sp_rzip_step(rz, &off, &len, &md, &mdlen, &d), SP_RZIP_GIVE_UP);
	assert_non_null(strstr(d.msg, "claims a central directory"));
	sp_rzip_free(rz);

	memcpy(e64, "PK\6\6", 4);
	put(e64 + 4, 44, 8);
	put(e64 + 24, 30000000, 8);
	put(e64 + 32, 30000000, 8);
	put(e64 + 40, 30000000ULL * 46, 8);
	put(e64 + 48, 4096, 8);
	memcpy(loc, "PK\6\7", 4);
	put(loc + 8, (uint64_t)(total - (int64_t)sizeof(tail)), 8);
	put(loc + 16, 1, 4);
	put(e + 8, 0xffff, 2);
	put(e + 10, 0xffff, 2);
	put(e + 12, 0xffffffff, 4);
	put(e + 16, 0xffffffff, 4);
	rz = sp_rzip_new(total);
	assert_int_equal(sp_rzip_add(rz, total - (int64_t)sizeof(tail), tail, sizeof(tail)), 0);
	sp_diag_clear(&d);
	assert_int_equal(sp_rzip_step(rz, &off, &len, &md, &mdlen, &d), SP_RZIP_GIVE_UP);
	assert_non_null(strstr(d.msg, "claims a central directory"));
	sp_rzip_free(rz);
}

/*
 * A stored file near the end holding a fake end record whose directory
 * lies in bytes not known: libzip tries it, fails, then opens the real
 * one; the miss of the fake must not be what is asked for next.
 */
static void test_fake_end_record(void **state)
{
	size_t n = 600, size = 4096, i;
	struct entry *e = calloc(n + 2, sizeof(*e));
	unsigned char *blob = malloc(n * size), fake[22] = {'P', 'K', 5, 6};
	char (*names)[32] = calloc(n, sizeof(*names));
	struct zipbuf z;
	struct result r;

	(void)state;
	fill(blob, n * size, 4);
	put(fake + 8, 1, 2);
	put(fake + 10, 1, 2);
	put(fake + 12, 46, 4);
	put(fake + 16, 300000, 4);
	e[0] = (struct entry){META_NAME, META_TEXT, strlen(META_TEXT)};
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "demo/m%05zu.py", i);
		e[i + 1] = (struct entry){names[i], blob + i * size, size};
	}
	e[n + 1] = (struct entry){"demo/fake.bin", fake, sizeof(fake)};
	z = make_zip(e, n + 2, ZIP_CM_STORE, 0);
	r = drive(&z, SP_RANGE_TAIL_BYTES);
	expect_metadata(&r);
	assert_int_equal(r.rounds, 2);
	free(r.md);
	free(z.data);
	free(names);
	free(blob);
	free(e);
}

/* Parts added in any order and overlapping are one view of the file. */
static void test_add(void **state)
{
	struct zipbuf z = package(40, 4096, 40, ZIP_CM_DEFLATE);
	struct sp_rzip *rz = sp_rzip_new((int64_t)z.len);
	size_t third = z.len / 3, i;
	struct sp_diag d;
	int64_t off, len;
	char *md = NULL;
	size_t mdlen;

	(void)state;
	assert_int_equal(sp_rzip_add(rz, -1, z.data, 1), SP_EINVAL);
	assert_int_equal(sp_rzip_add(rz, (int64_t)z.len, z.data, 1), SP_EINVAL);
	assert_int_equal(sp_rzip_add(rz, 1, z.data, z.len), SP_EINVAL);
	assert_int_equal(sp_rzip_add(rz, 0, z.data, third), 0);
	assert_int_equal(sp_rzip_add(rz, (int64_t)(2 * third), z.data + 2 * third, z.len - 2 * third),
			 0);
	assert_int_equal(sp_rzip_known(rz), (int64_t)(z.len - third));
	/* the middle, overlapping both sides, in small pieces */
	for (i = third - 10; i < 2 * third + 10; i += 1000) {
		size_t n = i + 1000 > z.len ? z.len - i : 1000;

		assert_int_equal(sp_rzip_add(rz, (int64_t)i, z.data + i, n), 0);
	}
	assert_int_equal(sp_rzip_known(rz), (int64_t)z.len);
	sp_diag_clear(&d);
	assert_int_equal(sp_rzip_step(rz, &off, &len, &md, &mdlen, &d), SP_RZIP_DONE);
	assert_string_equal(md, META_TEXT);
	free(md);
	sp_rzip_free(rz);
	free(z.data);
}

static void test_round_cap(void **state)
{
	struct zipbuf z = package(6000, 512, 6000, ZIP_CM_STORE);
	struct sp_rzip *rz = sp_rzip_new((int64_t)z.len);
	struct sp_diag d;
	int64_t off, len;
	char *md;
	size_t mdlen;
	int i;

	(void)state;
	/* asking again without adding anything: the same range, until the cap */
	for (i = 0; i < SP_RANGE_MAX_ROUNDS; i++)
		assert_int_equal(sp_rzip_step(rz, &off, &len, &md, &mdlen, &d), SP_RZIP_MORE);
	sp_diag_clear(&d);
	assert_int_equal(sp_rzip_step(rz, &off, &len, &md, &mdlen, &d), SP_RZIP_GIVE_UP);
	assert_non_null(strstr(d.msg, "rounds"));
	sp_rzip_free(rz);
	free(z.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_in_one_round),
		cmocka_unit_test(test_large_metadata_last),
		cmocka_unit_test(test_directory_larger_than_tail),
		cmocka_unit_test(test_metadata_first),
		cmocka_unit_test(test_tiny_tail),
		cmocka_unit_test(test_long_comment),
		cmocka_unit_test(test_gives_up),
		cmocka_unit_test(test_metadata_over_cap),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_memory_cap),
		cmocka_unit_test(test_claims_refused),
		cmocka_unit_test(test_fake_end_record),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_round_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
