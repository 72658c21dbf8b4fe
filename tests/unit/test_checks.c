/*
 * The non-code checks, fed hand-made entries as the unpacker would hand
 * them over: RECORD integrity, native binaries, .pth files, metadata and
 * console scripts. The catalog is built by hand with the builtin ids; one
 * test also proves the embedded catalog has every rule the checks use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/digest.h"
#include "core/xalloc.h"
#include "scan/capability.h"
#include "scan/checks.h"
#include "scan/scan.h"
#include "scan/text.h"

static const char *const ids[] = {
	"record-mismatch",
	"record-unlisted",
	"record-missing-file",
	"record-absent",
	"record-invalid",
	"record-weak-hash",
	"record-unverifiable",
	"wheel-native-binary",
	"wheel-foreign-binary",
	"sdist-native-binary",
	"pth-exec",
	"pth-file",
	"pth-exec-known",
	"metadata-missing",
	"metadata-invalid",
	"console-script-shadow",
	"stego-image-payload",
	"capability-native-code",
};
#define NIDS (sizeof(ids) / sizeof(ids[0]))

static struct sp_rule rules[NIDS];
static struct sp_catalog cat;

static int setup(void **state)
{
	size_t i;

	(void)state;
	memset(&cat, 0, sizeof(cat));
	for (i = 0; i < NIDS; i++) {
		rules[i].id = ids[i];
		rules[i].title = ids[i];
		rules[i].category = "integrity";
		rules[i].severity = SP_SEV_MEDIUM;
	}
	for (i = 0; i < NIDS; i++)
		if (!strcmp(ids[i], "pth-exec"))
			rules[i].severity = SP_SEV_HIGH; /* to check context is kept */
	cat.rules = rules;
	cat.nrules = NIDS;
	return 0;
}

/* --- a wheel built in memory --- */

struct file {
	const char *path;
	const char *data;
	size_t len;
	enum sp_entry_type type;
};

static struct sp_entry entry(const char *path, const void *data, size_t len)
{
	struct sp_entry e;

	memset(&e, 0, sizeof(e));
	e.path = path;
	e.type = SP_ENTRY_FILE;
	e.size = (int64_t)len;
	e.complete = true;
	sp_sha256(data, len, e.sha256);
	e.head_len = len < SP_ENTRY_HEAD ? len : SP_ENTRY_HEAD;
	memcpy(e.head, data, e.head_len);
	/* As the unpacker does: a body only for what the checks want, NUL-terminated. */
	if (sp_checks_want(path)) {
		e.data = xmalloc(len + 1);
		memcpy(e.data, data, len);
		e.data[len] = '\0';
		e.len = len;
	}
	return e;
}

static void feed(struct sp_checks *c, const char *path, const void *data, size_t len)
{
	struct sp_entry e = entry(path, data, len);

	sp_checks_entry(c, &e);
	assert_non_null(e.path); /* the checks do not take the body */
	free(e.data);
}

static void feed_str(struct sp_checks *c, const char *path, const char *text)
{
	feed(c, path, text, strlen(text));
}

/* "path,sha256=...,size\n" for text, appended to rec. */
static void record_line(char *rec, size_t cap, const char *path, const void *data, size_t len)
{
	unsigned char d[SP_SHA256_LEN];
	char b64[48];
	size_t n = strlen(rec);

	sp_sha256(data, len, d);
	sp_b64url_nopad(d, sizeof(d), b64, sizeof(b64));
	snprintf(rec + n, cap - n, "%s,sha256=%s,%zu\n", path, b64, len);
}

static size_t count(const struct sp_artifact *a, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i].rule->id, id))
			n++;
	return n;
}

/* Findings other than capabilities (facts the checks also report). */
static size_t faults(const struct sp_artifact *a)
{
	size_t i, n = 0;

	for (i = 0; i < a->nfindings; i++)
		n += strcmp(a->findings[i].rule->id, "capability-native-code") != 0;
	return n;
}

static const struct sp_finding *find(const struct sp_artifact *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i].rule->id, id))
			return &a->findings[i];
	return NULL;
}

static void dump(const struct sp_artifact *a)
{
	size_t i;

	for (i = 0; i < a->nfindings; i++)
		print_message("  %s %s:%u %s\n", a->findings[i].rule->id,
			      a->findings[i].path ? a->findings[i].path : "-", a->findings[i].line,
			      a->findings[i].detail ? a->findings[i].detail : "");
}

#define DI "demo-1.0.dist-info/"
static const char init_py[] = "def hello():\n    return 1\n";
static const char metadata[] = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\nBody\n";
static const char wheel_pure[] =
	"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
static const char wheel_plat[] = "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
				 "Tag: cp311-cp311-manylinux_2_17_x86_64\n";

static struct sp_artifact *wheel_artifact(const char *target)
{
	struct sp_artifact *a = sp_artifact_new(target);

	a->kind = SP_SOURCE_WHEEL;
	return a;
}

/*
 * A well-formed wheel: demo/__init__.py, METADATA, WHEEL, then RECORD (as
 * the build tools order it). extra files are added before RECORD, listed
 * in it when listed is true.
 */
static void good_wheel(struct sp_checks *c, const struct file *extra, size_t nextra, bool listed)
{
	static char rec[8192];
	size_t i;

	rec[0] = '\0';
	record_line(rec, sizeof(rec), "demo/__init__.py", init_py, strlen(init_py));
	record_line(rec, sizeof(rec), DI "METADATA", metadata, strlen(metadata));
	record_line(rec, sizeof(rec), DI "WHEEL", wheel_pure, strlen(wheel_pure));
	feed_str(c, "demo/__init__.py", init_py);
	for (i = 0; i < nextra; i++) {
		if (listed)
			record_line(rec, sizeof(rec), extra[i].path, extra[i].data, extra[i].len);
		feed(c, extra[i].path, extra[i].data, extra[i].len);
	}
	feed_str(c, DI "METADATA", metadata);
	feed_str(c, DI "WHEEL", wheel_pure);
	strcat(rec, DI "RECORD,,\n");
	feed_str(c, DI "RECORD", rec);
}

/* --- RECORD --- */

static void test_record_ok(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);

	(void)state;
	good_wheel(c, NULL, 0, true);
	sp_checks_finish(c);
	sp_checks_finish(c); /* twice is harmless */
	dump(a);
	assert_int_equal(faults(a), 0);
	assert_string_equal(a->name, "demo");
	assert_string_equal(a->version, "1.0");
	assert_true(a->pure);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_record_tampered(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	char rec[4096] = "";
	const char evil[] = "import os\nos.system('id')  # 2 more lines\n";
	const struct sp_finding *f;

	(void)state;
	/* RECORD made for init_py, the wheel holds evil: both hash and size differ. */
	record_line(rec, sizeof(rec), "demo/__init__.py", init_py, strlen(init_py));
	record_line(rec, sizeof(rec), DI "METADATA", metadata, strlen(metadata));
	strcat(rec, DI "RECORD,,\n");
	feed_str(c, DI "RECORD", rec); /* first, to show order does not matter */
	feed_str(c, "demo/__init__.py", evil);
	feed_str(c, DI "METADATA", metadata);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "record-mismatch"), 1);
	f = find(a, "record-mismatch");
	assert_string_equal(f->path, "demo/__init__.py");
	assert_non_null(strstr(f->detail, "RECORD says sha256="));
	assert_non_null(strstr(f->detail, "file has sha256="));
	assert_non_null(strstr(f->detail, "bytes"));
	assert_int_equal(f->context, SP_CTX_NONE);
	assert_int_equal(faults(a), 1);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_record_size_only(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	unsigned char d[SP_SHA256_LEN];
	char b64[48], rec[1024];
	const struct sp_finding *f;

	(void)state;
	sp_sha256(init_py, strlen(init_py), d);
	sp_b64url_nopad(d, sizeof(d), b64, sizeof(b64));
	/* Right hash (with base64 padding, tolerated), wrong size, CRLF rows. */
	snprintf(rec, sizeof(rec), "demo/__init__.py,sha256=%s=,999\r\n" DI "RECORD,,\r\n", b64);
	feed_str(c, "demo/__init__.py", init_py);
	feed_str(c, DI "METADATA", metadata);
	feed_str(c, DI "RECORD", rec);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(faults(a), 2); /* the size, and METADATA unlisted */
	f = find(a, "record-mismatch");
	assert_non_null(f);
	assert_null(strstr(f->detail, "sha256"));
	assert_non_null(strstr(f->detail, "RECORD says 999 bytes, file has 26 bytes"));
	assert_int_equal(count(a, "record-unlisted"), 1);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_record_unlisted_and_missing(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	char rec[4096] = "";
	const struct sp_finding *f;

	(void)state;
	record_line(rec, sizeof(rec), "demo/__init__.py", init_py, strlen(init_py));
	record_line(rec, sizeof(rec), "demo/gone.py", "x", 1);
	record_line(rec, sizeof(rec), DI "METADATA", metadata, strlen(metadata));
	strcat(rec, DI "RECORD,,\n");
	feed_str(c, "demo/__init__.py", init_py);
	feed_str(c, "demo/_hidden.py", "import os\n");
	feed_str(c, DI "METADATA", metadata);
	feed_str(c, DI "RECORD", rec);
	/* Signatures of RECORD cannot be in it: not unlisted. */
	feed_str(c, DI "RECORD.jws", "{}");
	feed_str(c, DI "RECORD.p7s", "sig");
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(faults(a), 2);
	f = find(a, "record-unlisted");
	assert_non_null(f);
	assert_string_equal(f->path, "demo/_hidden.py");
	f = find(a, "record-missing-file");
	assert_non_null(f);
	assert_string_equal(f->path, DI "RECORD");
	assert_int_equal(f->line, 2);
	assert_non_null(strstr(f->detail, "'demo/gone.py'"));
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_record_absent(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);

	(void)state;
	feed_str(c, "demo/__init__.py", init_py);
	feed_str(c, DI "METADATA", metadata);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(faults(a), 1);
	assert_int_equal(count(a, "record-absent"), 1);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_record_quoted_csv(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	const char *names[] = {"demo/a,b.py", "demo/say \"hi\".py"};
	unsigned char d[SP_SHA256_LEN];
	char b64[48], rec[4096], *p = rec;
	size_t i;

	(void)state;
	sp_sha256(init_py, strlen(init_py), d);
	sp_b64url_nopad(d, sizeof(d), b64, sizeof(b64));
	/* Quoted path with a comma, doubled quotes, quoted hash and size, CRLF. */
	p += snprintf(p, sizeof(rec), "\"demo/a,b.py\",sha256=%s,%zu\r\n", b64, strlen(init_py));
	p += snprintf(p, sizeof(rec) - (size_t)(p - rec),
		      "\"demo/say \"\"hi\"\".py\",\"sha256=%s\",\"%zu\"\r\n", b64, strlen(init_py));
	snprintf(p, sizeof(rec) - (size_t)(p - rec), "\r\n" DI "RECORD,,\r\n");
	for (i = 0; i < 2; i++)
		feed_str(c, names[i], init_py);
	feed_str(c, DI "METADATA", metadata);
	feed_str(c, DI "RECORD", rec);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "record-mismatch"), 0);
	assert_int_equal(count(a, "record-missing-file"), 0);
	assert_int_equal(count(a, "record-invalid"), 0);
	assert_int_equal(count(a, "record-unlisted"), 1); /* METADATA only */
	assert_string_equal(find(a, "record-unlisted")->path, DI "METADATA");
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_record_malformed(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	char rec[4096] = "";
	/* Bad rows of every kind, a NUL, and an unclosed quote at the end. */
	static const char bad[] = "only,two\n"
				  "a,b,c,d\n"
				  "demo/x.py,sha256=abc,12x\n"
				  "demo/y.py,noalgo,1\n"
				  "demo/md5.py,md5=AAAA,1\n"
				  "demo/sha1.py,sha1=AAAA,1\n"
				  "demo/none.py,,1\n"
				  "demo/big.py,sha512=AAAA,1\n"
				  ",sha256=AAAA,1\n"
				  "demo/n\0ul.py,sha256=AAAA,1\n"
				  "\"demo/open.py,sha256=AAAA,1\n";
	size_t n;
	const struct sp_finding *f;

	(void)state;
	record_line(rec, sizeof(rec), "demo/__init__.py", init_py, strlen(init_py));
	n = strlen(rec);
	memcpy(rec + n, bad, sizeof(bad) - 1);
	n += sizeof(bad) - 1;
	feed_str(c, "demo/__init__.py", init_py);
	feed(c, DI "RECORD", rec, n);
	sp_checks_finish(c);
	dump(a);
	f = find(a, "record-invalid");
	assert_non_null(f);
	assert_int_equal(f->line, 2);
	assert_non_null(strstr(f->detail, "(7 bad rows in all)"));
	assert_int_equal(count(a, "record-weak-hash"), 2); /* md5/sha1, and no hash */
	assert_int_equal(count(a, "record-unverifiable"), 1);
	assert_int_equal(count(a, "record-mismatch"), 0);
	assert_int_equal(count(a, "metadata-missing"), 1);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_record_unreadable(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	struct sp_entry e = entry(DI "RECORD", "x", 1);

	(void)state;
	free(e.data);
	e.data = NULL; /* over SP_MAX_SOURCE_BYTES */
	e.too_large = true;
	e.size = 20 << 20;
	feed_str(c, "demo/__init__.py", init_py);
	feed_str(c, DI "METADATA", metadata);
	sp_checks_entry(c, &e);
	sp_checks_finish(c);
	dump(a);
	/* Reported once, and the files are not all called unlisted. */
	assert_int_equal(faults(a), 1);
	assert_int_equal(count(a, "record-invalid"), 1);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_record_empty(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	struct sp_entry e = entry(DI "RECORD", "", 0);

	(void)state;
	free(e.data);
	e.data = NULL; /* an empty body may come without a buffer */
	feed_str(c, "demo/__init__.py", init_py);
	feed_str(c, DI "METADATA", metadata);
	sp_checks_entry(c, &e);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(faults(a), 1);
	assert_non_null(strstr(find(a, "record-invalid")->detail, "lists no files"));
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_record_duplicate_rows_last_wins(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	char rec[4096] = "";

	(void)state;
	record_line(rec, sizeof(rec), "demo/__init__.py", "other", 5);
	record_line(rec, sizeof(rec), DI "METADATA", metadata, strlen(metadata));
	record_line(rec, sizeof(rec), "demo/__init__.py", init_py, strlen(init_py));
	feed_str(c, "demo/__init__.py", init_py);
	feed_str(c, DI "METADATA", metadata);
	feed_str(c, DI "RECORD", rec);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(faults(a), 0);
	sp_checks_free(c);
	sp_artifact_free(a);
}

/* Thousands of files: verification is sort + binary search, and findings are capped. */
static void test_record_scale(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	enum { N = 30000 };
	size_t cap = (size_t)N * 120, i;
	char *rec = xmalloc(cap), path[64], body[32];

	(void)state;
	rec[0] = '\0';
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "demo/m%05zu.py", (size_t)(N - 1 - i));
		snprintf(body, sizeof(body), "x = %zu\n", (size_t)(N - 1 - i));
		record_line(rec + strlen(rec), cap - strlen(rec), path, body, strlen(body));
	}
	record_line(rec + strlen(rec), cap - strlen(rec), DI "METADATA", metadata,
		    strlen(metadata));
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "demo/m%05zu.py", i);
		/* Every 100th file is tampered with. */
		snprintf(body, sizeof(body), i % 100 ? "x = %zu\n" : "y = %zu\n", i);
		feed_str(c, path, body);
	}
	feed_str(c, DI "METADATA", metadata);
	feed_str(c, DI "RECORD", rec);
	sp_checks_finish(c);
	/* 300 mismatches: 100 listed and one summary with the rest. */
	assert_int_equal(count(a, "record-mismatch"), 101);
	assert_non_null(strstr(a->findings[a->nfindings - 1].detail, "200 more"));
	assert_int_equal(faults(a), 101);
	free(rec);
	sp_checks_free(c);
	sp_artifact_free(a);
}

/* --- native binaries --- */

static const unsigned char elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, [16] = 3, [17] = 0};

static void test_pure_wheel_elf(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	const struct file extra[] = {
		{"demo/_speed.cpython-311-x86_64-linux-gnu.so", (const char *)elf, sizeof(elf)},
		{"demo/data/blob.bin", (const char *)elf, sizeof(elf)},
		{"demo/helper.dll", "not really", 10},
	};
	const struct sp_finding *f;

	(void)state;
	good_wheel(c, extra, 3, true);
	sp_checks_finish(c);
	dump(a);
	/* ELF loads on Linux: high; a .dll does not: its own, lower rule. */
	assert_int_equal(count(a, "wheel-native-binary"), 2);
	assert_int_equal(count(a, "wheel-foreign-binary"), 1);
	assert_string_equal(find(a, "wheel-foreign-binary")->path, "demo/helper.dll");
	f = find(a, "wheel-native-binary");
	assert_non_null(strstr(f->detail, "ELF"));
	assert_non_null(strstr(f->detail, "py3-none-any"));
	assert_int_equal(faults(a), 3);
	/* Each is also a native-code capability, whatever the wheel claims. */
	assert_int_equal(count(a, "capability-native-code"), 3);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_platform_wheel_so(void **state)
{
	struct sp_artifact *a =
		wheel_artifact("/tmp/demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	char rec[4096] = "";

	(void)state;
	record_line(rec, sizeof(rec), "demo/_speed.so", (const char *)elf, sizeof(elf));
	record_line(rec, sizeof(rec), DI "METADATA", metadata, strlen(metadata));
	record_line(rec, sizeof(rec), DI "WHEEL", wheel_plat, strlen(wheel_plat));
	feed(c, "demo/_speed.so", elf, sizeof(elf));
	feed_str(c, DI "METADATA", metadata);
	feed_str(c, DI "WHEEL", wheel_plat);
	feed_str(c, DI "RECORD", rec);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(faults(a), 0);
	assert_int_equal(count(a, "capability-native-code"), 1);
	assert_false(a->pure);
	sp_checks_free(c);
	sp_artifact_free(a);
}

/* WHEEL is not checked against the file name by pip: a pure file name is enough. */
static void test_wheel_tag_lie(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);

	(void)state;
	feed(c, "demo/_speed.so", elf, sizeof(elf));
	feed_str(c, DI "METADATA", metadata);
	feed_str(c, DI "WHEEL", wheel_plat);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "wheel-native-binary"), 1);
	sp_checks_free(c);
	sp_artifact_free(a);
}

/* Where the claim to be pure comes from: the file name, else WHEEL's tags, else Root-Is-Purelib. */
static void test_purity_sources(void **state)
{
	static const char wheel_any_false[] = "Root-Is-Purelib: false\nTag: py3-none-any\n";
	static const char wheel_plat_true[] = "Root-Is-Purelib: true\nTag: cp312-cp312-win_amd64\n";
	static const char wheel_notag_true[] = "Root-Is-Purelib: true\n";
	static const struct {
		const char *target, *wheel;
		size_t expect;
	} cases[] = {
		/* Not named like a wheel: WHEEL decides. */
		{"/store/ab12cd", wheel_any_false, 1},
		{"/store/ab12cd", wheel_plat_true, 0},
		{"/store/ab12cd", wheel_notag_true, 1},
		/* Renamed to a platform tag by hand, WHEEL left as any: the name wins. */
		{"demo-1.0-cp312-cp312-win_amd64.whl", wheel_any_false, 0},
		/* Compressed tag sets. */
		{"demo-1.0-py2.py3-none-any.whl", wheel_plat_true, 1},
		{"demo-1.0-1-py3-none-manylinux1_x86_64.manylinux2014_x86_64.whl", wheel_any_false,
		 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_artifact *a = wheel_artifact(cases[i].target);
		struct sp_checks *c = sp_checks_new(&cat, a);

		feed(c, "demo/_x.so", elf, sizeof(elf));
		feed_str(c, DI "METADATA", metadata);
		feed_str(c, DI "WHEEL", cases[i].wheel);
		sp_checks_finish(c);
		if (count(a, "wheel-native-binary") != cases[i].expect)
			fail_msg("case %zu: %zu findings, expected %zu", i,
				 count(a, "wheel-native-binary"), cases[i].expect);
		assert_int_equal(a->pure, cases[i].wheel != wheel_any_false);
		sp_checks_free(c);
		sp_artifact_free(a);
	}
}

static void test_magic_edge_cases(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	unsigned char macho[8] = {0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1};
	unsigned char fat[8] = {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2};
	unsigned char java[8] = {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52};
	unsigned char pe[128] = {'M', 'Z', [0x3c] = 0x40, [0x40] = 'P', [0x41] = 'E'};
	char text[80];

	(void)state;
	memset(text, 'a', sizeof(text));
	memcpy(text, "MZ is the start of this text file", 33);
	feed(c, "demo/a.bin", macho, sizeof(macho));
	feed(c, "demo/b.bin", fat, sizeof(fat));
	feed(c, "demo/Hello.class", java, sizeof(java));
	feed(c, "demo/c.exe", pe, sizeof(pe));
	feed(c, "demo/notes.txt", text, sizeof(text));
	feed(c, "demo/short",
	     "\x7f"
	     "EL",
	     3);
	feed_str(c, DI "METADATA", metadata);
	sp_checks_finish(c);
	dump(a);
	/* Mach-O, universal and PE are binaries of other platforms. */
	assert_int_equal(count(a, "wheel-foreign-binary"), 3);
	assert_int_equal(count(a, "wheel-native-binary"), 0);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_sdist_binary(void **state)
{
	struct sp_artifact *a = sp_artifact_new("demo-1.0.tar.gz");
	struct sp_checks *c;

	(void)state;
	a->kind = SP_SOURCE_SDIST;
	c = sp_checks_new(&cat, a);
	feed_str(c, "demo-1.0/PKG-INFO", "Metadata-Version: 2.2\r\nName: demo\r\nVersion: 1.0\r\n");
	feed_str(c, "demo-1.0/setup.py", "from setuptools import setup\nsetup()\n");
	feed(c, "demo-1.0/tools/helper", elf, sizeof(elf));
	feed_str(c, "demo-1.0/lib.so", "text only"); /* names do not count in an sdist */
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "sdist-native-binary"), 1);
	assert_string_equal(find(a, "sdist-native-binary")->path, "demo-1.0/tools/helper");
	assert_int_equal(faults(a), 1); /* no RECORD or METADATA findings for an sdist */
	assert_string_equal(a->name, "demo");
	sp_checks_free(c);
	sp_artifact_free(a);
}

/* --- .pth --- */

static void test_pth_code(void **state)
{
	static const struct {
		const char *in;
		const char *code; /* NULL: nothing runs */
		unsigned first;
	} cases[] = {
		{"import os\n", "import os", 1},
		{"import\tos\n", "import\tos", 1},
		{"importlib\n", NULL, 0},
		{"import\n", NULL, 0},
		{"import", NULL, 0},
		{" import os\n", NULL, 0},
		{"#import os\n", NULL, 0},
		{"Import os\n", NULL, 0},
		{"/usr/lib/foo\n../bar\n", NULL, 0},
		{"", NULL, 0},
		/* Numbering kept: skipped lines stay empty. */
		{"path\n# c\nimport a\npath2\n\nimport b; b.x()\npath3\n",
		 "import a\n\n\nimport b; b.x()", 3},
		{"p\r\nimport a\r\nimport b", "import a\nimport b", 2},
		{"p\rimport a\r", "import a", 2},
		/* 3.13's extra breaks: the piece after \f runs there. */
		{"foo\fimport os\n", "import os", 1},
		{"foo\x1cimport os\n", "import os", 1},
		{"foo\xe2\x80\xa8import os\n", "import os", 1},
		{"foo\xc2\x85import os\n", "import os", 1},
		/* A line 3.12 runs whole: the rest after \f is code there. */
		{"import os;\fos.system('x')\n", "import os;\nos.system('x')", 1},
		/* A BOM: 3.13 strips it and runs the line. */
		{"\xef\xbb\xbfimport os\n", "import os", 1},
		/* Not UTF-8: 3.13 falls back to the locale, where 0x85 may be NEL. */
		{"\xff\x85import os\n", "import os", 1},
		/* Valid UTF-8 with 0x85 as a continuation byte: no break. */
		{"\xc3\x85import os\n", NULL, 0},
	};
	size_t i, n;
	unsigned first;
	char *code;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		code = sp_pth_code(cases[i].in, strlen(cases[i].in), &n, &first);
		if (!cases[i].code) {
			if (code)
				fail_msg("case %zu: expected no code, got '%s'", i, code);
			assert_int_equal(n, 0);
			continue;
		}
		if (!code)
			fail_msg("case %zu: expected code", i);
		assert_string_equal(code, cases[i].code);
		assert_int_equal(n, strlen(cases[i].code));
		assert_int_equal(first, cases[i].first);
		free(code);
	}
	/* NUL bytes and no terminator are fine; NULL data too. */
	code = sp_pth_code("import a\0b\nx", 12, &n, &first);
	assert_non_null(code);
	assert_int_equal(n, 10);
	assert_memory_equal(code, "import a\0b", 10);
	free(code);
	assert_null(sp_pth_code(NULL, 0, &n, &first));
}

static void test_pth_in_wheel(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	static const char exec_pth[] = "# hook\nimport demo_hook; demo_hook.run()\n";
	static const char path_pth[] = "/opt/demo/lib\n";
	const struct file extra[] = {
		{"demo-hook.pth", exec_pth, sizeof(exec_pth) - 1},
		{"demo-paths.pth", path_pth, sizeof(path_pth) - 1},
		{"demo-1.0.data/purelib/x.pth", exec_pth, sizeof(exec_pth) - 1},
		{"demo-1.0.data/data/lib/python3.12/site-packages/y.pth", exec_pth,
		 sizeof(exec_pth) - 1},
		/* Inside a package: site.py never reads it. */
		{"demo/tests/inert.pth", exec_pth, sizeof(exec_pth) - 1},
	};
	const struct sp_finding *f;

	(void)state;
	good_wheel(c, extra, 5, true);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "pth-exec"), 3);
	f = find(a, "pth-exec");
	assert_string_equal(f->path, "demo-hook.pth");
	assert_int_equal(f->line, 2);
	assert_int_equal(f->context, SP_CTX_INSTALL);
	assert_string_equal(f->snippet, "import demo_hook; demo_hook.run()");
	f = find(a, "pth-file");
	assert_non_null(f);
	assert_string_equal(f->path, "demo-paths.pth");
	assert_non_null(strstr(f->detail, "'/opt/demo/lib'"));
	assert_int_equal(faults(a), 4);
	sp_checks_free(c);
	sp_artifact_free(a);
}

/* setuptools' shim is known by its exact text; one byte more is an unknown hook. */
static void test_pth_known(void **state)
{
	static const char shim[] =
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, "
		"'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n";
	static const char debian[] =
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, "
		"'stdlib') == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n";
	static const char changed[] =
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, "
		"'local') == 'local'; enabled and __import__('_distutils_hackx').add_shim(); \n";
	static const char twice[] =
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, "
		"'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n"
		"import evil\n";
	const struct file extra[] = {
		{"distutils-precedence.pth", shim, sizeof(shim) - 1},
		{"debian-precedence.pth", debian, sizeof(debian) - 1},
		{"changed-precedence.pth", changed, sizeof(changed) - 1},
		{"twice-precedence.pth", twice, sizeof(twice) - 1},
	};
	struct sp_artifact *a = wheel_artifact("setuptools-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	size_t i;

	(void)state;
	good_wheel(c, extra, 4, true);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "pth-exec-known"), 2);
	assert_int_equal(count(a, "pth-exec"), 2);
	for (i = 0; i < a->nfindings; i++) {
		const struct sp_finding *f = &a->findings[i];

		if (!strcmp(f->rule->id, "pth-exec"))
			assert_true(!strcmp(f->path, "changed-precedence.pth") ||
				    !strcmp(f->path, "twice-precedence.pth"));
	}
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_pth_elsewhere(void **state)
{
	struct sp_artifact *a = sp_artifact_new("demo-1.0.tar.gz");
	struct sp_checks *c;
	struct sp_entry e;

	(void)state;
	a->kind = SP_SOURCE_SDIST;
	c = sp_checks_new(&cat, a);
	/* In an sdist the install location is unknown: any .pth that runs code counts. */
	feed_str(c, "demo-1.0/src/hook.pth", "import os\n");
	feed_str(c, "demo-1.0/paths.pth", "lib\n");
	/* A body that could not be kept is still reported. */
	e = entry("demo-1.0/huge.pth", "import os\n", 10);
	free(e.data);
	e.data = NULL;
	e.too_large = true;
	sp_checks_entry(c, &e);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "pth-exec"), 2);
	assert_int_equal(count(a, "pth-file"), 0);
	sp_checks_free(c);
	sp_artifact_free(a);
}

/* --- metadata --- */

static void test_metadata_crlf(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);

	(void)state;
	feed_str(c, DI "METADATA",
		 "Metadata-Version: 2.1\r\nSummary: a\r\n  folded summary\r\n"
		 "name:   Demo_Pkg  \r\nVersion: 2.0.post1\r\nName: other\r\n\r\nName: body\r\n");
	sp_checks_finish(c);
	assert_string_equal(a->name, "Demo_Pkg");
	assert_string_equal(a->version, "2.0.post1");
	assert_int_equal(count(a, "metadata-invalid"), 0);
	assert_int_equal(count(a, "metadata-missing"), 0);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_metadata_hostile(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	static const char meta[] = "Name: demo\n --index-url http://evil\nVersion: 1.0\0x\n";

	(void)state;
	/* A folded name would put a second line into lock files: refused. */
	feed(c, DI "METADATA", meta, sizeof(meta) - 1);
	sp_checks_finish(c);
	dump(a);
	assert_null(a->name);
	assert_null(a->version);
	assert_int_equal(count(a, "metadata-invalid"), 2);
	assert_null(strchr(find(a, "metadata-invalid")->detail, '\n'));
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_metadata_missing(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	char rec[1024] = "";

	(void)state;
	record_line(rec, sizeof(rec), "demo/__init__.py", init_py, strlen(init_py));
	feed_str(c, "demo/__init__.py", init_py);
	feed_str(c, DI "RECORD", rec);
	/* A second .dist-info directory: pip refuses such a wheel. */
	feed_str(c, "evil-1.0.dist-info/METADATA", metadata);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "metadata-missing"), 1);
	assert_int_equal(count(a, "metadata-invalid"), 1);
	assert_null(a->name); /* not from the other directory */
	sp_checks_free(c);
	sp_artifact_free(a);
}

/* --- console scripts --- */

static const char entry_points[] = "[console_scripts]\n"
				   "demo = demo.cli:main\n"
				   "pip = demo.cli:pip_main\n"
				   "  PIP3.12   =  demo.cli:main\n"
				   "\n"
				   "[gui_scripts]\n"
				   "git=demo.gui:main\n"
				   "[demo.plugins]\n"
				   "ls = demo.plugins:ls\n";

static void test_console_script_shadow(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	const struct file extra[] = {
		{DI "entry_points.txt", entry_points, sizeof(entry_points) - 1},
		{"demo-1.0.data/scripts/sudo", "#!/bin/sh\n", 10},
		{"demo-1.0.data/scripts/demo-tool", "#!/bin/sh\n", 10},
	};
	const struct sp_finding *f;

	(void)state;
	good_wheel(c, extra, 3, true);
	sp_checks_finish(c);
	dump(a);
	/* pip, PIP3.12, git and the sudo script; not demo, not ls (not a scripts group). */
	assert_int_equal(count(a, "console-script-shadow"), 4);
	f = find(a, "console-script-shadow");
	assert_string_equal(f->path, DI "entry_points.txt");
	assert_int_equal(f->line, 3);
	assert_non_null(strstr(f->detail, "'pip' command"));
	assert_non_null(strstr(f->detail, "demo.cli:pip_main"));
	assert_int_equal(faults(a), 4);
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_console_script_owner(void **state)
{
	struct sp_artifact *a = wheel_artifact("pip-24.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	static const char ep[] = "[console_scripts]\npip = pip._internal.cli.main:main\n"
				 "pip3 = pip._internal.cli.main:main\n"
				 "pip3.12 = pip._internal.cli.main:main\n"
				 "git = pip._internal.cli.main:main\n";

	(void)state;
	/* entry_points.txt before METADATA: the owner is known only at the end. */
	feed_str(c, "pip-24.0.dist-info/entry_points.txt", ep);
	feed_str(c, "pip-24.0.dist-info/METADATA", "Name: pip\nVersion: 24.0\n\n");
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "console-script-shadow"), 1);
	assert_non_null(strstr(find(a, "console-script-shadow")->detail, "'git'"));
	sp_checks_free(c);
	sp_artifact_free(a);
}

static void test_entry_points_section_tricks(void **state)
{
	struct sp_artifact *a = wheel_artifact("demo-1.0-py3-none-any.whl");
	struct sp_checks *c = sp_checks_new(&cat, a);
	/* configparser reads "[console_scripts] junk" as the section; importlib splits at \f. */
	static const char ep[] = "[console_scripts] junk\n"
				 "python = demo:main\n"
				 "[other]\f[console_scripts]\fcurl = demo:main\n"
				 "# pip = demo:main\n";

	(void)state;
	feed_str(c, DI "entry_points.txt", ep);
	feed_str(c, DI "METADATA", metadata);
	sp_checks_finish(c);
	dump(a);
	assert_int_equal(count(a, "console-script-shadow"), 2);
	sp_checks_free(c);
	sp_artifact_free(a);
}

/* --- hostile input and want() --- */

static void test_want(void **state)
{
	(void)state;
	assert_true(sp_checks_want("demo-1.0.dist-info/RECORD"));
	assert_true(sp_checks_want("demo-1.0.dist-info/WHEEL"));
	assert_true(sp_checks_want("demo-1.0.dist-info/METADATA"));
	assert_true(sp_checks_want("demo-1.0.dist-info/entry_points.txt"));
	assert_true(sp_checks_want("PKG-INFO"));
	assert_true(sp_checks_want("demo-1.0/PKG-INFO"));
	assert_true(sp_checks_want("x.pth"));
	assert_true(sp_checks_want("a/b/c/x.pth"));
	assert_false(sp_checks_want("demo-1.0/demo.egg-info/PKG-INFO"));
	assert_false(sp_checks_want("a/demo-1.0.dist-info/RECORD"));
	assert_false(sp_checks_want(".dist-info/RECORD"));
	assert_false(sp_checks_want("demo-1.0.dist-info/LICENSE"));
	assert_false(sp_checks_want("demo/__init__.py"));
}

/* Random bytes into every parser: no crash, no leak (run under ASan). */
/* --- images with appended payloads, and the text helpers behind them --- */

/* A minimal PNG (signature, IHDR, IEND) followed by tail, in buf; returns the length. */
static size_t png_with(unsigned char *buf, const char *tail, size_t tail_len)
{
	static const unsigned char head[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 1, 2, 3, 4,
		0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82,
	};

	memcpy(buf, head, sizeof(head));
	memcpy(buf + sizeof(head), tail, tail_len);
	return sizeof(head) + tail_len;
}

static const unsigned char jpeg_head[] = {
	0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
	0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0,
	0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xd9,
};
static const unsigned char gif_head[] = {
	'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0,
	0x21, 0xf9, 4, 0, 0, 0, 0, 0,
	0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 0x01, 0, 0x3b,
};
static const unsigned char bmp_head[30] = {'B', 'M', 30, 0, 0, 0};

static void test_image_payload(void **state)
{
	static const char code[] = "\nexec(__import__('zlib').decompress(b'x'))\n";
	static const unsigned char noise[] = {0x01, 0x99, 0xfe, 0x00, 0x42, 0x10};
	char b64[200];
	unsigned char buf[1024];
	size_t n, i;
	struct {
		const char *path;
		const unsigned char *head;
		size_t head_len;
		const void *tail;
		size_t tail_len;
		bool found;
	} cases[] = {
		{"pkg/logo.png", NULL, 0, code, sizeof(code) - 1, true},
		{"pkg/logo.PNG", NULL, 0, b64, sizeof(b64), true},
		{"pkg/logo.png", NULL, 0, noise, sizeof(noise), false},
		{"pkg/logo.png", NULL, 0, "", 0, false},
		{"pkg/notes.txt", NULL, 0, code, sizeof(code) - 1, false},
		{"pkg/photo.jpg", jpeg_head, sizeof(jpeg_head), code, sizeof(code) - 1, true},
		{"pkg/photo.jpeg", jpeg_head, sizeof(jpeg_head), "", 0, false},
		{"pkg/anim.gif", gif_head, sizeof(gif_head), code, sizeof(code) - 1, true},
		{"pkg/anim.gif", gif_head, sizeof(gif_head), noise, sizeof(noise), false},
		{"pkg/icon.bmp", bmp_head, sizeof(bmp_head), code, sizeof(code) - 1, true},
		{"pkg/fake.png", (const unsigned char *)"not an image at all", 19, code,
		 sizeof(code) - 1, false},
	};

	(void)state;
	for (i = 0; i < sizeof(b64); i++)
		b64[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789+/"[(i * 7) % 64];
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_artifact *a = sp_artifact_new("demo-1.0.tar.gz");
		struct sp_checks *c;

		a->kind = SP_SOURCE_SDIST;
		c = sp_checks_new(&cat, a);
		if (cases[i].head) {
			memcpy(buf, cases[i].head, cases[i].head_len);
			memcpy(buf + cases[i].head_len, cases[i].tail, cases[i].tail_len);
			n = cases[i].head_len + cases[i].tail_len;
		} else {
			n = png_with(buf, cases[i].tail, cases[i].tail_len);
		}
		feed(c, cases[i].path, buf, n);
		sp_checks_finish(c);
		dump(a);
		if (count(a, "stego-image-payload") != (cases[i].found ? 1u : 0u))
			fail_msg("case %zu (%s): expected %s", i, cases[i].path,
				 cases[i].found ? "a finding" : "none");
		if (cases[i].found)
			assert_non_null(strstr(find(a, "stego-image-payload")->detail,
					       "follow the end"));
		sp_checks_free(c);
		sp_artifact_free(a);
	}
}

static void test_image_end_hostile(void **state)
{
	unsigned char buf[64];
	const char *fmt;
	size_t n;

	(void)state;
	/* A chunk length past the end: no end is claimed. */
	n = png_with(buf, "", 0);
	buf[8 + 3] = 0xff;
	assert_int_equal(sp_text_image_end(buf, n, &fmt), n);
	assert_string_equal(fmt, "PNG");
	/* JPEG segment length below 2, GIF cut short, BMP size past the end. */
	memcpy(buf, jpeg_head, 8);
	buf[4] = 0;
	buf[5] = 1;
	assert_int_equal(sp_text_image_end(buf, 8, &fmt), 8);
	assert_int_equal(sp_text_image_end(gif_head, 20, &fmt), 20);
	memcpy(buf, bmp_head, 30);
	buf[2] = 200;
	assert_int_equal(sp_text_image_end(buf, 30, &fmt), 30);
	assert_int_equal(sp_text_image_end((const unsigned char *)"GIF8", 4, &fmt), 4);
	assert_null(fmt);
}

static void test_text_chars(void **state)
{
	static const struct {
		const char *utf8;
		uint32_t cp;
		size_t len;
	} dec[] = {
		{"a", 'a', 1},
		{"\xc3\xa9", 0xe9, 2},
		{"\xe2\x80\xae", 0x202e, 3},
		{"\xf0\x9d\x90\x9e", 0x1d41e, 4},
		{"\xc0\xaf", UINT32_MAX, 1},     /* overlong */
		{"\xed\xa0\x80", UINT32_MAX, 1}, /* surrogate */
		{"\xe2\x80", UINT32_MAX, 1},     /* cut short */
		{"\xff", UINT32_MAX, 1},
	};
	uint32_t cp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
		assert_int_equal(sp_text_utf8((const unsigned char *)dec[i].utf8,
					      strlen(dec[i].utf8), &cp),
				 dec[i].len);
		assert_int_equal(cp, dec[i].cp);
	}
	assert_int_equal(sp_text_char_kind(0x202e), SP_CHAR_BIDI_CONTROL);
	assert_int_equal(sp_text_char_kind(0x2069), SP_CHAR_BIDI_CONTROL);
	assert_int_equal(sp_text_char_kind(0x200f), SP_CHAR_BIDI_MARK);
	assert_int_equal(sp_text_char_kind(0x061c), SP_CHAR_BIDI_MARK);
	assert_int_equal(sp_text_char_kind(0x200b), SP_CHAR_INVISIBLE);
	assert_int_equal(sp_text_char_kind(0x3164), SP_CHAR_INVISIBLE);
	assert_int_equal(sp_text_char_kind('a'), SP_CHAR_PLAIN);
	assert_int_equal(sp_text_char_kind(0x2065), SP_CHAR_PLAIN);
	assert_string_equal(sp_text_char_name(0x202e), "RIGHT-TO-LEFT OVERRIDE");
	assert_int_equal(sp_text_lookalike(0x0430), 'a'); /* Cyrillic a */
	assert_int_equal(sp_text_lookalike(0x03bf), 'o'); /* Greek omicron */
	assert_int_equal(sp_text_lookalike(0x0418), 0);   /* Cyrillic I: no look-alike */
	assert_int_equal(sp_text_lookalike('a'), 0);
	assert_int_equal(sp_text_nfkc_ascii(0xff45), 'e');  /* fullwidth e */
	assert_int_equal(sp_text_nfkc_ascii(0x1d41e), 'e'); /* bold e */
	assert_int_equal(sp_text_nfkc_ascii(0x1d7ce), '0');
	assert_int_equal(sp_text_nfkc_ascii(0x2113), 'l');
	assert_int_equal(sp_text_nfkc_ascii(0x0430), 0);
	assert_int_equal(sp_text_script(0x0430), SP_SCRIPT_CYRILLIC);
	assert_int_equal(sp_text_script(0x03b1), SP_SCRIPT_GREEK);
	assert_int_equal(sp_text_script('q'), SP_SCRIPT_LATIN);
	assert_int_equal(sp_text_script('_'), SP_SCRIPT_COMMON);
	assert_int_equal(sp_text_script(0x4e2d), SP_SCRIPT_OTHER);
}

static void test_text_literals(void **state)
{
	static const struct {
		const char *s;
		const char *host; /* NULL: not a URL or IP */
	} urls[] = {
		{"https://api.example.com/v1", "api.example.com"},
		{"HTTP://Example.COM", "Example.COM"},
		{"wss://user:pw@stream.example.org:443/x", "stream.example.org"},
		{"http://[2001:db8::1]:80/", "[2001:db8::1]"},
		{"ftp://localhost/", "localhost"},
		{"203.0.113.7", "203.0.113.7"},
		{"10.0.0.1:4444", "10.0.0.1"},
		{"1.2.3", NULL},
		{"256.1.1.1", NULL},
		{"https://{host}/x", NULL},
		{"https://", NULL},
		{"https://intranet/x", NULL},
		{"see https://x.io", NULL},
		{"file:///etc/passwd", NULL},
	};
	const char *host;
	size_t i, n;
	unsigned char flat[400], rnd[400];

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		n = sp_text_url_host(urls[i].s, strlen(urls[i].s), &host);
		if (!urls[i].host) {
			if (n)
				fail_msg("'%s' is no URL but gave host '%.*s'", urls[i].s, (int)n,
					 host);
			continue;
		}
		if (n != strlen(urls[i].host) || memcmp(host, urls[i].host, n))
			fail_msg("'%s': expected host '%s'", urls[i].s, urls[i].host);
	}
	assert_string_equal(sp_text_telemetry_vendor("o1.ingest.sentry.io", 19), "Sentry");
	assert_string_equal(sp_text_telemetry_vendor("www.Google-Analytics.com", 24),
			    "Google Analytics");
	assert_null(sp_text_telemetry_vendor("notsentry.io", 12));
	assert_null(sp_text_telemetry_vendor("example.com", 11));

	memset(flat, 'A', sizeof(flat));
	for (i = 0; i < sizeof(rnd); i++)
		rnd[i] = (unsigned char)"0123456789abcdef"[(i * 2654435761u >> 7) % 16];
	assert_true(sp_text_entropy(flat, sizeof(flat)) < 0.01);
	assert_true(sp_text_entropy(rnd, sizeof(rnd)) > 3.6);
	assert_true(sp_text_entropy(rnd, 0) == 0);
	assert_int_equal(sp_text_alphabet(rnd, sizeof(rnd)), SP_ALPHA_HEX);
	assert_int_equal(sp_text_alphabet((const unsigned char *)"QUJD+/==\n", 9), SP_ALPHA_BASE64);
	assert_int_equal(sp_text_alphabet((const unsigned char *)"a b!", 4), SP_ALPHA_OTHER);
	assert_string_equal(sp_text_code_marker((const unsigned char *)"xx import os", 12),
			    "import ");
	assert_null(sp_text_code_marker((const unsigned char *)"plain words", 11));
}

/* The per-package summary the reports print, from capability findings. */
static void test_capability_summary(void **state)
{
	static const struct sp_rule net = {.id = "capability-network", .category = "capability"};
	static const struct sp_rule dest = {.id = "capability-destination",
					    .category = "capability"};
	static const struct sp_rule env = {.id = "capability-env", .category = "capability"};
	static const struct sp_rule nat = {.id = "capability-native-code",
					   .category = "capability"};
	static const struct sp_rule other = {.id = "eval-dynamic", .category = "code-execution"};
	struct sp_artifact *a = sp_artifact_new("x");
	struct sp_capsum cs;

	(void)state;
	sp_artifact_add(a, &net, SP_CTX_FUNCTION, "a.py", 1, 1, NULL, 0,
			"calls requests.get (written rq.get)");
	sp_artifact_add(a, &net, SP_CTX_FUNCTION, "b.py", 1, 1, NULL, 0, "calls requests.get");
	sp_artifact_add(a, &dest, SP_CTX_MODULE, "a.py", 2, 1, NULL, 0, "https://b.example/x");
	sp_artifact_add(a, &dest, SP_CTX_MODULE, "a.py", 3, 1, NULL, 0, "http://a.example:80/");
	sp_artifact_add(a, &dest, SP_CTX_MODULE, "b.py", 3, 1, NULL, 0, "https://b.example/y");
	sp_artifact_add(a, &env, SP_CTX_MODULE, "a.py", 4, 1, NULL, 0, "HOME");
	sp_artifact_add(a, &nat, SP_CTX_NONE, "pkg/_x.so", 0, 0, NULL, 0, "file has an ELF header");
	sp_artifact_add(a, &other, SP_CTX_MODULE, "a.py", 5, 1, NULL, 0, "calls eval");
	sp_capsum_build(&cs, a);
	assert_true(sp_capsum_any(&cs));
	assert_int_equal(cs.caps[SP_CAP_NETWORK].findings, 5);
	assert_int_equal(cs.caps[SP_CAP_NETWORK].nitems, 1);
	assert_string_equal(cs.caps[SP_CAP_NETWORK].items[0], "requests.get");
	assert_int_equal(cs.nhosts, 2);
	assert_string_equal(cs.hosts[0], "a.example");
	assert_string_equal(cs.hosts[1], "b.example");
	assert_string_equal(cs.caps[SP_CAP_ENV].items[0], "HOME");
	assert_string_equal(cs.caps[SP_CAP_NATIVE_CODE].items[0], "_x.so");
	assert_int_equal(cs.caps[SP_CAP_DYNAMIC_CODE].findings, 0);
	assert_string_equal(sp_capability_name(SP_CAP_FILE_WRITE), "file-write");
	sp_capsum_release(&cs);
	sp_artifact_free(a);
}

static void test_fuzz_smoke(void **state)
{
	static const char *const paths[] = {
		DI "RECORD", DI "WHEEL", DI "METADATA", DI "entry_points.txt", "x.pth", "PKG-INFO",
	};
	static const char alphabet[] = "\"\",,,\r\n\n=:[] \timport\fsha256=\0\x85\xc2\xe2\x80\xa8";
	unsigned seed = 12345;
	char buf[512];
	int round;
	size_t i, n, k;

	(void)state;
	for (round = 0; round < 300; round++) {
		struct sp_artifact *a = wheel_artifact("x-1-py3-none-any.whl");
		struct sp_checks *c = sp_checks_new(&cat, a);

		for (k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
			seed = seed * 1103515245u + 12345u;
			n = (seed >> 8) % sizeof(buf);
			for (i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				buf[i] = (seed >> 16) & 1
						 ? alphabet[(seed >> 8) % (sizeof(alphabet) - 1)]
						 : (char)(seed >> 20);
			}
			feed(c, paths[k], buf, n);
		}
		sp_checks_finish(c);
		sp_checks_free(c);
		sp_artifact_free(a);
	}
}

/* The embedded catalog holds every rule the checks report (sp_checks_new aborts otherwise). */
static void test_embedded_catalog(void **state)
{
	struct sp_catalog real;
	struct sp_diag d;
	struct sp_artifact *a = wheel_artifact("x.whl");
	size_t i;

	(void)state;
	sp_diag_clear(&d);
	if (sp_catalog_load_embedded(&real, &d))
		fail_msg("catalog: %s", d.msg);
	for (i = 0; i < NIDS; i++) {
		const struct sp_rule *r = sp_catalog_find(&real, ids[i]);

		if (!r)
			fail_msg("rule %s is not in the embedded catalog", ids[i]);
		/* The native-code capability is also found by queries (ctypes, cffi). */
		assert_true(r->builtin || !strcmp(ids[i], "capability-native-code"));
	}
	sp_checks_free(sp_checks_new(&real, a));
	sp_artifact_free(a);
	sp_catalog_release(&real);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_ok),
		cmocka_unit_test(test_image_payload),
		cmocka_unit_test(test_capability_summary),
		cmocka_unit_test(test_image_end_hostile),
		cmocka_unit_test(test_text_chars),
		cmocka_unit_test(test_text_literals),
		cmocka_unit_test(test_record_tampered),
		cmocka_unit_test(test_record_size_only),
		cmocka_unit_test(test_record_unlisted_and_missing),
		cmocka_unit_test(test_record_absent),
		cmocka_unit_test(test_record_quoted_csv),
		cmocka_unit_test(test_record_malformed),
		cmocka_unit_test(test_record_unreadable),
		cmocka_unit_test(test_record_empty),
		cmocka_unit_test(test_record_duplicate_rows_last_wins),
		cmocka_unit_test(test_record_scale),
		cmocka_unit_test(test_pure_wheel_elf),
		cmocka_unit_test(test_platform_wheel_so),
		cmocka_unit_test(test_wheel_tag_lie),
		cmocka_unit_test(test_purity_sources),
		cmocka_unit_test(test_magic_edge_cases),
		cmocka_unit_test(test_sdist_binary),
		cmocka_unit_test(test_pth_code),
		cmocka_unit_test(test_pth_in_wheel),
		cmocka_unit_test(test_pth_known),
		cmocka_unit_test(test_pth_elsewhere),
		cmocka_unit_test(test_metadata_crlf),
		cmocka_unit_test(test_metadata_hostile),
		cmocka_unit_test(test_metadata_missing),
		cmocka_unit_test(test_console_script_shadow),
		cmocka_unit_test(test_console_script_owner),
		cmocka_unit_test(test_entry_points_section_tricks),
		cmocka_unit_test(test_want),
		cmocka_unit_test(test_fuzz_smoke),
		cmocka_unit_test(test_embedded_catalog),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
