/*
 * Checks on an artifact's files rather than its code (see checks.h).
 *
 * Entries arrive one at a time from the unpacker's thread, in archive order.
 * What can be judged from one file (a .pth, a binary in an sdist) is
 * reported at once; what needs the whole archive (RECORD against the files,
 * binaries against the WHEEL tags that usually come last, console scripts
 * against a name from METADATA that may come after entry_points.txt) is
 * collected and judged in sp_checks_finish().
 *
 * Every byte read here is hostile: parsers work on (pointer, length) with
 * no recursion, stop at the end of the buffer, cap what they keep, and
 * quote what they show (details never carry raw control bytes).
 */
#include "scan/checks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/digest.h"
#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "scan/text.h"
#include "core/banned.h"

/*
 * Findings kept per rule and artifact. A wheel whose RECORD is wholly wrong
 * would otherwise give one finding per file (tens of thousands); the first
 * hundred and one summary finding with the count carry the same verdict.
 */
#define MAX_FINDINGS_PER_RULE 100

/*
 * Rows read from one RECORD. No archive has more entries than
 * SP_MAX_ENTRIES, so a RECORD with more rows is not describing this wheel;
 * the cap bounds memory against a RECORD of millions of tiny rows.
 */
#define MAX_RECORD_ROWS SP_MAX_ENTRIES

/* Bytes of one RECORD field; the longest legitimate field is a path. */
#define MAX_RECORD_FIELD SP_MAX_PATH

/*
 * Bytes of one metadata header value kept (folded lines included). Name,
 * Version, Tag and Root-Is-Purelib are short; a longer value is invalid.
 */
#define MAX_HEADER_VALUE (64 * 1024)

/* Bytes of untrusted text (a name, a hash) quoted in one detail. */
#define MAX_QUOTED 160

/* Bytes of a detail string. */
#define MAX_DETAIL 2048

enum rule_idx {
	R_RECORD_MISMATCH,
	R_RECORD_UNLISTED,
	R_RECORD_MISSING,
	R_RECORD_ABSENT,
	R_RECORD_INVALID,
	R_RECORD_WEAK,
	R_RECORD_UNVERIFIABLE,
	R_WHEEL_NATIVE,
	R_WHEEL_FOREIGN,
	R_SDIST_NATIVE,
	R_PTH_EXEC,
	R_PTH_FILE,
	R_PTH_KNOWN,
	R_META_MISSING,
	R_META_INVALID,
	R_SCRIPT_SHADOW,
	R_STEGO_PAYLOAD,
	R_CAP_NATIVE,
	R_COUNT
};

/*
 * Every id is in policy/rules/builtin-checks.json, but for stego-image-payload
 * (stego.json) and capability-native-code (capability.json).
 */
static const char *const rule_ids[R_COUNT] = {
	[R_RECORD_MISMATCH] = "record-mismatch",
	[R_RECORD_UNLISTED] = "record-unlisted",
	[R_RECORD_MISSING] = "record-missing-file",
	[R_RECORD_ABSENT] = "record-absent",
	[R_RECORD_INVALID] = "record-invalid",
	[R_RECORD_WEAK] = "record-weak-hash",
	[R_RECORD_UNVERIFIABLE] = "record-unverifiable",
	[R_WHEEL_NATIVE] = "wheel-native-binary",
	[R_WHEEL_FOREIGN] = "wheel-foreign-binary",
	[R_SDIST_NATIVE] = "sdist-native-binary",
	[R_PTH_EXEC] = "pth-exec",
	[R_PTH_FILE] = "pth-file",
	[R_PTH_KNOWN] = "pth-exec-known",
	[R_META_MISSING] = "metadata-missing",
	[R_META_INVALID] = "metadata-invalid",
	[R_SCRIPT_SHADOW] = "console-script-shadow",
	[R_STEGO_PAYLOAD] = "stego-image-payload",
	[R_CAP_NATIVE] = "capability-native-code",
};

/* A file of the wheel (depth 0, anything but a directory). */
struct file {
	const char *path;
	int64_t size;
	unsigned char sha256[SP_SHA256_LEN];
	bool regular;  /* a regular file, whose hash and size mean something */
	bool complete; /* its whole content went through the hash */
};

/* One usable RECORD row. */
struct row {
	const char *path; /* normalised like entry paths */
	const char *hash; /* urlsafe base64, padding stripped; NULL unless sha256 */
	int64_t size;	  /* -1 when the field is empty */
	unsigned line;
	size_t seq; /* order read: the last of duplicate rows wins, as in installers */
	bool seen;
};

/* Rows of one kind of problem: counted, the first one named. */
struct tally {
	size_t n;
	char *path;
	unsigned line;
	char what[96];
};

/* A binary in a wheel, reported in finish() if the wheel claims to be pure. */
struct native {
	const char *path;
	const char *what;
};

/* A script that would shadow a command, judged in finish(). */
struct script {
	const char *name;   /* as written */
	const char *target; /* "module:func", or NULL for a .data/scripts file */
	const char *path;
	unsigned line;
};

struct sp_checks {
	const struct sp_catalog *cat;
	struct sp_artifact *a;
	const struct sp_rule *rules[R_COUNT];
	size_t reported[R_COUNT];
	size_t suppressed[R_COUNT];
	struct sp_arena arena;
	bool finished;

	/* wheel layout */
	const char *distinfo; /* "name-1.0.dist-info": the first one seen */
	bool multi_distinfo;

	/* RECORD */
	const char *record_path; /* the distinfo's RECORD, once seen */
	bool record_unreadable;	 /* reported; its rows are not checked */
	struct row *rows;
	size_t nrows, rows_cap, row_seq;
	struct tally invalid, weak, unhashed, unverifiable;
	struct file *files;
	size_t nfiles, files_cap;

	/* WHEEL */
	bool wheel_seen;
	bool root_is_purelib;
	size_t ntags, ntags_any;
	char *first_tag;

	bool metadata_seen;
	/* While one metadata file is read: its first Name and Version were seen. */
	bool meta_name, meta_version;

	struct native *natives;
	size_t nnatives, natives_cap, natives_more;

	struct script *scripts;
	size_t nscripts, scripts_cap, scripts_more;
};

/* --- small text helpers --- */

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

/* Whether s (n bytes) equals the NUL-terminated lit, ignoring ASCII case. */
static bool eq_nocase(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!lit[i] || lower(s[i]) != lower(lit[i]))
			return false;
	return lit[n] == '\0';
}

static bool ends_nocase(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && eq_nocase(s + n - m, m, suffix);
}

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The last ch in s (n bytes), or NULL; memrchr is not portable. */
static const char *last_char(const char *s, size_t n, char ch)
{
	while (n--)
		if (s[n] == ch)
			return s + n;
	return NULL;
}

/*
 * Appends untrusted text in single quotes: cut at MAX_QUOTED bytes on a
 * UTF-8 boundary, control bytes and quotes shown as '?', so a name cannot
 * rewrite a terminal or fake the end of the quote.
 */
static void add_quoted(struct sp_buf *b, const char *s, size_t n)
{
	size_t i, m = n > MAX_QUOTED ? MAX_QUOTED : n;
	char tmp[MAX_QUOTED];

	while (m < n && m && ((unsigned char)s[m] & 0xc0) == 0x80)
		m--;
	for (i = 0; i < m; i++) {
		unsigned char ch = (unsigned char)s[i];

		tmp[i] = ch < 0x20 || ch == 0x7f || ch == '\'' ? '?' : (char)ch;
	}
	sp_buf_add(b, "'", 1);
	sp_buf_add(b, tmp, m);
	sp_buf_add(b, m < n ? "...'" : "'", m < n ? 4 : 1);
}

static void add_quoted_str(struct sp_buf *b, const char *s)
{
	add_quoted(b, s, strlen(s));
}

/* --- findings --- */

static void report(struct sp_checks *c, enum rule_idx r, enum sp_context ctx, const char *path,
		   unsigned line, const char *snippet, size_t snippet_len, const char *detail)
{
	if (c->reported[r] >= MAX_FINDINGS_PER_RULE) {
		c->suppressed[r]++;
		return;
	}
	c->reported[r]++;
	sp_artifact_add(c->a, c->rules[r], ctx, path, line, 0, snippet, snippet_len, detail);
}

/* Reports b's text as the detail and empties b for the next one. */
static void report_buf(struct sp_checks *c, enum rule_idx r, enum sp_context ctx, const char *path,
		       unsigned line, const char *snippet, size_t snippet_len, struct sp_buf *b)
{
	report(c, r, ctx, path, line, snippet, snippet_len, b->data ? b->data : "");
	sp_buf_reset(b);
}

static void tally_add(struct sp_checks *c, struct tally *t, const char *path, size_t len,
		      unsigned line, const char *what)
{
	if (t->n++)
		return;
	t->path = sp_arena_strndup(&c->arena, path, len);
	t->line = line;
	snprintf(t->what, sizeof(t->what), "%s", what);
}

/* --- lifecycle --- */

struct sp_checks *sp_checks_new(const struct sp_catalog *cat, struct sp_artifact *a)
{
	struct sp_checks *c = xcalloc(1, sizeof(*c));
	int i;

	c->cat = cat;
	c->a = a;
	sp_arena_init(&c->arena);
	for (i = 0; i < R_COUNT; i++) {
		c->rules[i] = sp_catalog_find(cat, rule_ids[i]);
		if (!c->rules[i]) {
			fprintf(stderr,
				"safepip: fatal: builtin rule '%s' is missing from the rule "
				"catalog "
				"(policy/rules/builtin-checks.json)\n",
				rule_ids[i]);
			abort();
		}
	}
	return c;
}

void sp_checks_free(struct sp_checks *c)
{
	if (!c)
		return;
	free(c->rows);
	free(c->files);
	free(c->natives);
	free(c->scripts);
	sp_arena_release(&c->arena);
	free(c);
}

/* --- paths --- */

/* Slashes in p: 0 for a file at the root. */
static size_t slashes(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		n += *p == '/';
	return n;
}

/*
 * Whether path is "<something>.dist-info/<name>", one directory deep; with
 * name NULL, whether its first component is a .dist-info directory.
 */
static bool distinfo_file(const char *path, const char *name)
{
	const char *slash = strchr(path, '/');
	size_t dlen;

	if (!slash)
		return false;
	dlen = (size_t)(slash - path);
	if (dlen <= strlen(".dist-info") || memcmp(slash - 10, ".dist-info", 10) != 0)
		return false;
	return !name || strcmp(slash + 1, name) == 0;
}

/* Whether path is the RECORD or one of its signatures, which RECORD cannot list with a hash. */
static bool record_itself(const struct sp_checks *c, const char *path, size_t len)
{
	size_t n;

	if (!c->record_path)
		return false;
	n = strlen(c->record_path);
	if (len < n || memcmp(path, c->record_path, n) != 0)
		return false;
	return len == n || (len == n + 4 &&
			    (memcmp(path + n, ".jws", 4) == 0 || memcmp(path + n, ".p7s", 4) == 0));
}

/* Image formats whose end sp_text_image_end() finds, by name. */
static bool image_name(const char *path)
{
	static const char *const exts[] = {".png", ".jpg", ".jpeg", ".jpe", ".gif", ".bmp", NULL};
	size_t n = strlen(path), i;

	for (i = 0; exts[i]; i++)
		if (ends_nocase(path, n, exts[i]))
			return true;
	return false;
}

bool sp_checks_want(const char *path)
{
	const char *base = sp_path_base(path);
	size_t depth = slashes(path);

	if (sp_str_endswith(path, ".pth") || image_name(path))
		return true;
	if (strcmp(base, "PKG-INFO") == 0 && depth <= 1)
		return true;
	return depth == 1 && distinfo_file(path, NULL) &&
	       (!strcmp(base, "RECORD") || !strcmp(base, "WHEEL") || !strcmp(base, "METADATA") ||
		!strcmp(base, "entry_points.txt"));
}

/* --- .pth files --- */

/*
 * Whether the bytes are valid UTF-8 as Python's strict decoder sees it (no
 * overlong forms, surrogates or values past U+10FFFF).
 */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char ch = s[i];
		size_t need;
		unsigned char lo = 0x80, hi = 0xbf;

		if (ch < 0x80) {
			i++;
			continue;
		}
		if (ch >= 0xc2 && ch <= 0xdf) {
			need = 1;
		} else if (ch >= 0xe0 && ch <= 0xef) {
			need = 2;
			if (ch == 0xe0)
				lo = 0xa0;
			else if (ch == 0xed)
				hi = 0x9f;
		} else if (ch >= 0xf0 && ch <= 0xf4) {
			need = 3;
			if (ch == 0xf0)
				lo = 0x90;
			else if (ch == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (n - i - 1 < need || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += need + 1;
	}
	return true;
}

/*
 * Bytes of a line break that only Python 3.13+ sees at s[i] (str.splitlines
 * on the decoded file), or 0. Older versions split on \n, \r and \r\n only;
 * those are handled by the caller. latin1 says the file is not UTF-8, so
 * 3.13 decodes it with the locale's single-byte encoding: then the UTF-8
 * forms of U+0085, U+2028 and U+2029 are not breaks, but a 0x85 byte is one
 * (NEL in latin-1; taking it in every such encoding only over-splits).
 */
static size_t new_break(const unsigned char *s, size_t n, size_t i, bool latin1)
{
	unsigned char ch = s[i];

	if (ch == 0x0b || ch == 0x0c || ch == 0x1c || ch == 0x1d || ch == 0x1e)
		return 1;
	if (latin1)
		return ch == 0x85;
	if (ch == 0xc2 && i + 1 < n && s[i + 1] == 0x85)
		return 2;
	if (ch == 0xe2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))
		return 3;
	return 0;
}

/* site.py's test: the line starts with "import" and a space or tab. */
static bool pth_exec_line(const char *s, size_t n)
{
	return n > 6 && memcmp(s, "import", 6) == 0 && is_ws(s[6]);
}

struct pth_info {
	size_t nexec;	       /* lines that run */
	unsigned first_exec;   /* 1-based */
	const char *exec_text; /* the first of them */
	size_t exec_len;
	size_t npaths; /* lines that name a directory */
	const char *path_text;
	size_t path_len;
	char *code; /* when asked for: see sp_pth_code() */
	size_t code_len;
};

/*
 * Reads a .pth file the way every supported CPython does, and takes the
 * union of what they would run. Up to 3.12, site.py reads it in the locale's
 * encoding with universal newlines (\n, \r, \r\n) and keeps a BOM; 3.13
 * strips a UTF-8 BOM and splits with str.splitlines(), which also breaks at
 * \v, \f, \x1c-\x1e, U+0085, U+2028 and U+2029. A line runs when it starts
 * with "import" and a space or tab (no leading whitespace allowed).
 *
 * Lines are numbered by the \n/\r/\r\n breaks (what an editor shows). The
 * code keeps those numbers: line k of it is line first_exec + k - 1 of the
 * file, lines that do not run are left empty. A line that runs on 3.12 is
 * kept whole, with the 3.13-only breaks in it turned into newlines (on 3.12
 * they are whitespace inside the one executed line; on 3.13 each piece that
 * starts with "import " runs); only such lines shift the numbering.
 */
static void pth_scan(const char *data, size_t len, bool want_code, struct pth_info *pi)
{
	const unsigned char *u = (const unsigned char *)data;
	bool latin1 = !utf8_valid(u, len);
	size_t pos = 0, emitted_line = 0;
	unsigned ln = 0;
	char *out = NULL;
	size_t olen = 0;

	memset(pi, 0, sizeof(*pi));
	if (want_code)
		out = xmalloc(len + 2);
	while (pos < len) {
		size_t s = pos, e = pos, k, bstart;
		bool exec_old, exec_new = false;

		while (e < len && data[e] != '\n' && data[e] != '\r')
			e++;
		pos = e;
		if (pos < len)
			pos += data[pos] == '\r' && pos + 1 < len && data[pos + 1] == '\n' ? 2 : 1;
		ln++;

		exec_old = pth_exec_line(data + s, e - s);
		/* 3.13's view: pieces between its extra breaks; the BOM goes first. */
		bstart = s;
		if (s == 0 && len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
			bstart = 3;
		for (k = bstart; k <= e;) {
			size_t br = k < e ? new_break(u, e, k, latin1) : 0;

			if (k == e || br) {
				if (pth_exec_line(data + bstart, k - bstart))
					exec_new = true;
				if (k == e)
					break;
				k += br;
				bstart = k;
			} else {
				k++;
			}
		}

		if (!exec_old && !exec_new) {
			const char *t = data + s;
			size_t tn = e - s, j = 0;

			while (j < tn && (is_ws(t[j]) || t[j] == '\f' || t[j] == '\v'))
				j++;
			if (j < tn && t[0] != '#') {
				if (!pi->npaths++) {
					pi->path_text = t;
					pi->path_len = tn;
				}
			}
			continue;
		}
		if (!pi->nexec++) {
			pi->first_exec = ln;
			pi->exec_text = data + s;
			pi->exec_len = e - s;
		}
		if (!want_code)
			continue;
		if (emitted_line)
			while (emitted_line < ln) {
				out[olen++] = '\n';
				emitted_line++;
			}
		emitted_line = ln;
		if (exec_old) {
			/* The whole line, 3.13's breaks as newlines. */
			for (k = s; k < e;) {
				size_t br = new_break(u, e, k, latin1);

				if (br) {
					out[olen++] = '\n';
					k += br;
				} else {
					out[olen++] = data[k++];
				}
			}
		} else {
			/* Only the pieces that run on 3.13, one per line. */
			bool first = true;

			bstart = s == 0 && len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : s;
			for (k = bstart; k <= e;) {
				size_t br = k < e ? new_break(u, e, k, latin1) : 0;

				if (k == e || br) {
					if (pth_exec_line(data + bstart, k - bstart)) {
						if (!first)
							out[olen++] = '\n';
						memcpy(out + olen, data + bstart, k - bstart);
						olen += k - bstart;
						first = false;
					}
					if (k == e)
						break;
					k += br;
					bstart = k;
				} else {
					k++;
				}
			}
		}
	}
	if (want_code && pi->nexec) {
		out[olen] = '\0';
		pi->code = out;
		pi->code_len = olen;
	} else {
		free(out);
	}
}

char *sp_pth_code(const char *data, size_t len, size_t *out_len, unsigned *first_line)
{
	struct pth_info pi;

	if (out_len)
		*out_len = 0;
	if (first_line)
		*first_line = 0;
	if (!data || !len)
		return NULL;
	pth_scan(data, len, true, &pi);
	if (!pi.code)
		return NULL;
	if (out_len)
		*out_len = pi.code_len;
	if (first_line)
		*first_line = pi.first_exec;
	return pi.code;
}

/*
 * Whether a .pth at path in a wheel lands in a directory site.py reads:
 * the wheel's root and its .data/purelib and .data/platlib (all installed
 * into site-packages), and in .data/data (installed under sys.prefix) the
 * top (a site directory on Windows) and any directory named site-packages
 * or dist-packages. Anywhere else a .pth is inert.
 */
static bool pth_at_site_root(const char *path)
{
	const char *slash = strchr(path, '/'), *rest, *base, *parent;
	size_t plen;

	if (!slash)
		return true;
	if ((size_t)(slash - path) <= 5 || memcmp(slash - 5, ".data", 5) != 0)
		return false;
	rest = slash + 1;
	if (!strncmp(rest, "purelib/", 8) || !strncmp(rest, "platlib/", 8))
		return !strchr(rest + 8, '/');
	if (strncmp(rest, "data/", 5) != 0)
		return false;
	rest += 5;
	base = strrchr(rest, '/');
	if (!base)
		return true;
	for (parent = base; parent > rest && parent[-1] != '/'; parent--)
		;
	plen = (size_t)(base - parent);
	return (plen == 13 && !memcmp(parent, "site-packages", 13)) ||
	       (plen == 13 && !memcmp(parent, "dist-packages", 13));
}

/*
 * Start-up lines whose whole text is known and harmless in itself: the shim
 * setuptools (since 49.1) installs as distutils-precedence.pth, upstream and
 * as Debian patches it. Every setuptools install carries one; judging it
 * like an unknown hook would block setuptools, and with it every sdist build.
 * Only an exact match counts (a changed byte is an unknown hook), and the
 * _distutils_hack module it imports is scanned like any other code.
 */
static bool known_pth(const char *s, size_t n)
{
	static const char *const known[] = {
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, "
		"'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); ",
		"import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, "
		"'stdlib') == 'local'; enabled and __import__('_distutils_hack').add_shim(); ",
	};
	size_t i;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == n && memcmp(known[i], s, n) == 0)
			return true;
	return false;
}

static void check_pth(struct sp_checks *c, const struct sp_entry *e, bool wheel)
{
	struct pth_info pi;
	struct sp_buf b;
	bool empty = !e->data && !e->size && e->complete && !e->too_large;

	/* A wheel's layout says where it lands; an sdist or tree may install it anywhere. */
	if (wheel && (e->depth != 0 || !pth_at_site_root(e->path)))
		return;
	sp_buf_init(&b, MAX_DETAIL);
	if (!e->data && !empty) {
		sp_buf_addf(&b,
			    ".pth file of %lld bytes could not be read (limit %d MiB); "
			    "it may run code at every python start-up",
			    (long long)e->size, SP_MAX_SOURCE_BYTES >> 20);
		report_buf(c, R_PTH_EXEC, SP_CTX_INSTALL, e->path, 0, NULL, 0, &b);
		goto out;
	}
	pth_scan(e->data ? e->data : "", e->data ? e->len : 0, false, &pi);
	if (pi.nexec == 1 && !pi.npaths && known_pth(pi.exec_text, pi.exec_len)) {
		sp_buf_addstr(&b, ".pth file runs setuptools' distutils shim at every python "
				  "start-up (its known text; the module it imports is scanned)");
		report_buf(c, R_PTH_KNOWN, SP_CTX_INSTALL, e->path, pi.first_exec, pi.exec_text,
			   pi.exec_len, &b);
	} else if (pi.nexec) {
		sp_buf_addf(&b, ".pth file runs %zu line%s of code at every python start-up%s",
			    pi.nexec, pi.nexec == 1 ? "" : "s",
			    wheel ? "" : " if it is installed into a site directory");
		report_buf(c, R_PTH_EXEC, SP_CTX_INSTALL, e->path, pi.first_exec, pi.exec_text,
			   pi.exec_len, &b);
	} else if (wheel) {
		if (pi.npaths) {
			sp_buf_addf(&b,
				    ".pth file adds %zu entr%s to sys.path at every python "
				    "start-up, first ",
				    pi.npaths, pi.npaths == 1 ? "y" : "ies");
			add_quoted(&b, pi.path_text, pi.path_len);
		} else {
			sp_buf_addstr(&b,
				      ".pth file in site-packages with no path or import lines");
		}
		report_buf(c, R_PTH_FILE, SP_CTX_INSTALL, e->path, 0, NULL, 0, &b);
	}
out:
	sp_buf_release(&b);
}

/* --- native binaries --- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* What native executable format the first bytes show, or NULL. */
static const char *native_magic(const unsigned char *h, size_t n)
{
	uint32_t m;

	if (n >= 4 && !memcmp(h, "\177ELF", 4)) {
		unsigned type = 0;

		if (n >= 18)
			type = h[5] == 2 ? (unsigned)h[16] << 8 | h[17]
					 : (unsigned)h[17] << 8 | h[16];
		switch (type) {
		case 1:
			return "an ELF header (object file)";
		case 2:
			return "an ELF header (executable)";
		case 3:
			return "an ELF header (shared object or executable)";
		default:
			return "an ELF header";
		}
	}
	if (n < 4)
		return NULL;
	m = be32(h);
	if (m == 0xfeedfaceu || m == 0xfeedfacfu || m == 0xcefaedfeu || m == 0xcffaedfeu)
		return "a Mach-O header";
	/*
	 * 0xcafebabe also starts Java class files, whose next word is a class
	 * version (45 and up); a universal binary's is its architecture count.
	 */
	if ((m == 0xcafebabeu || m == 0xcafebabfu) && n >= 8 && be32(h + 4) > 0 && be32(h + 4) < 20)
		return "a Mach-O universal header";
	if ((m == 0xbebafecau || m == 0xbfbafecau) && n >= 8 && le32(h + 4) > 0 && le32(h + 4) < 20)
		return "a Mach-O universal header";
	/*
	 * "MZ" alone is two letters any text can start with: also require a
	 * plausible offset of the PE header at 0x3c (text has ASCII there,
	 * which makes a huge offset), and "PE\0\0" there when it is in view.
	 */
	if (n >= 64 && h[0] == 'M' && h[1] == 'Z') {
		uint32_t off = le32(h + 0x3c);

		if (off >= 4 && off < 0x10000 && (off + 4 > n || !memcmp(h + off, "PE\0\0", 4)))
			return "a Windows PE header";
	}
	return NULL;
}

/* Whether the name is that of a native library Python would load. */
static const char *native_name(const char *path)
{
	const char *base = sp_path_base(path), *so;
	size_t n = strlen(base);

	if (ends_nocase(base, n, ".so"))
		return "a native library name (.so)";
	if (ends_nocase(base, n, ".pyd"))
		return "a native library name (.pyd)";
	if (ends_nocase(base, n, ".dll"))
		return "a native library name (.dll)";
	if (ends_nocase(base, n, ".dylib"))
		return "a native library name (.dylib)";
	/* Versioned shared objects: libfoo.so.1 */
	so = strstr(base, ".so.");
	if (so && so[4] >= '0' && so[4] <= '9')
		return "a native library name (.so.N)";
	return NULL;
}

/*
 * Windows and macOS binaries (PE, Mach-O, .dll, .pyd, .dylib) do not run
 * on the Linux interpreters safepip gates, and pure wheels legitimately
 * carry some (setuptools' and distlib's script launchers): they get their
 * own, lower rule. ELF objects and .so files load here.
 */
static bool foreign(const char *what)
{
	return !strstr(what, "ELF") && !strstr(what, ".so");
}

static void check_native(struct sp_checks *c, const struct sp_entry *e, bool wheel)
{
	const char *what =
		native_magic(e->head, e->head_len < SP_ENTRY_HEAD ? e->head_len : SP_ENTRY_HEAD);
	struct sp_buf b;

	if (wheel) {
		if (!what)
			what = native_name(e->path);
		if (!what)
			return;
		if (c->nnatives >= MAX_FINDINGS_PER_RULE) {
			c->natives_more++;
			return;
		}
		SP_GROW(c->natives, c->nnatives + 1, c->natives_cap);
		c->natives[c->nnatives].path = sp_arena_strdup(&c->arena, e->path);
		c->natives[c->nnatives].what = what;
		c->nnatives++;
		return;
	}
	if (!what)
		return;
	sp_buf_init(&b, MAX_DETAIL);
	sp_buf_addf(&b,
		    "file has %s; an sdist is built from source, and a prebuilt binary in it "
		    "cannot be reviewed or scanned",
		    what);
	report_buf(c, R_SDIST_NATIVE, SP_CTX_NONE, e->path, 0, NULL, 0, &b);
	sp_buf_release(&b);
}

/*
 * Whether a wheel tag set's platforms are all "any" (the tag is the last
 * three dash-separated parts; each may be a dot-separated set).
 */
static bool platform_any(const char *plat, size_t n)
{
	size_t i = 0;

	if (!n)
		return false;
	while (i <= n) {
		size_t j = i;

		while (j < n && plat[j] != '.')
			j++;
		if (j - i != 3 || memcmp(plat + i, "any", 3) != 0)
			return false;
		i = j + 1;
	}
	return true;
}

/*
 * From the wheel's file name ("name-1.0-py3-none-any.whl"): 1 when it
 * claims every platform, 0 when it names platforms, -1 when the target is
 * not named like a wheel.
 */
static int filename_pure(const char *target, const char **tag, size_t *tag_len)
{
	const char *base, *end, *p, *dash[4] = {NULL};
	size_t n, found = 0;

	if (!target)
		return -1;
	base = sp_path_base(target);
	n = strlen(base);
	if (!ends_nocase(base, n, ".whl"))
		return -1;
	end = base + n - 4;
	for (p = end; p > base && found < 4; p--)
		if (p[-1] == '-')
			dash[found++] = p - 1;
	if (found < 4)
		return -1; /* name-version-py-abi-plat needs four dashes */
	*tag = dash[2] + 1;
	*tag_len = (size_t)(end - *tag);
	return platform_any(dash[0] + 1, (size_t)(end - dash[0] - 1)) ? 1 : 0;
}

/* --- RFC 822 headers (METADATA, PKG-INFO, WHEEL) --- */

typedef void (*header_fn)(struct sp_checks *c, const char *path, const char *name, size_t nlen,
			  const char *value, size_t vlen, bool truncated, unsigned line);

/*
 * Calls fn for each header up to the first blank line, as Python's email
 * parser reads them (importlib.metadata and pip use it): lines end at \n, \r
 * or \r\n; a line starting with a space or tab continues the header before
 * it; a line that is neither ends the headers. The value has leading
 * whitespace removed and folded lines joined with '\n'.
 */
static void parse_headers(struct sp_checks *c, const char *path, const char *p, size_t len,
			  header_fn fn)
{
	struct sp_buf v;
	const char *name = NULL;
	size_t nlen = 0, pos = 0;
	unsigned line = 0, hline = 0;
	bool trunc = false;

	sp_buf_init(&v, MAX_HEADER_VALUE);
	while (pos < len) {
		size_t s = pos, e = pos, i;

		while (e < len && p[e] != '\n' && p[e] != '\r')
			e++;
		pos = e;
		if (pos < len)
			pos += p[pos] == '\r' && pos + 1 < len && p[pos + 1] == '\n' ? 2 : 1;
		line++;
		if (e == s)
			break;
		if (is_ws(p[s])) {
			if (name && (sp_buf_add(&v, "\n", 1) || sp_buf_add(&v, p + s, e - s)))
				trunc = true;
			continue;
		}
		for (i = s; i < e && p[i] != ':'; i++)
			if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
				break;
		if (i == e || p[i] != ':')
			break;
		if (name)
			fn(c, path, name, nlen, v.data ? v.data : "", v.len, trunc, hline);
		sp_buf_reset(&v);
		trunc = false;
		name = p + s;
		nlen = i - s;
		hline = line;
		for (i++; i < e && is_ws(p[i]); i++)
			;
		if (sp_buf_add(&v, p + i, e - i))
			trunc = true;
	}
	if (name)
		fn(c, path, name, nlen, v.data ? v.data : "", v.len, trunc, hline);
	sp_buf_release(&v);
}

static void trim(const char **s, size_t *n)
{
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
	while (*n && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
}

/* A project name as PEP 508 allows it: ASCII letters, digits, and inner . _ - */
static bool valid_name(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 200)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || i == n - 1 || (ch != '.' && ch != '_' && ch != '-')))
			return false;
	}
	return true;
}

/*
 * A version made of the characters PEP 440 (and its legacy forms) uses;
 * enough to keep it safe in lock files and messages, not a full parse.
 */
static bool valid_version(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 128)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '!' || ch == '+' ||
		      ch == '-' || ch == '_'))
			return false;
	}
	return (s[0] >= '0' && s[0] <= '9') || s[0] == 'v' || s[0] == 'V';
}

static void meta_header(struct sp_checks *c, const char *path, const char *name, size_t nlen,
			const char *value, size_t vlen, bool truncated, unsigned line)
{
	bool is_name = eq_nocase(name, nlen, "name");
	struct sp_buf b;
	char **slot;

	if (!is_name && !eq_nocase(name, nlen, "version"))
		return;
	/* The first of each wins, as email.message.Message.get() returns it. */
	if (is_name ? c->meta_name : c->meta_version)
		return;
	if (is_name)
		c->meta_name = true;
	else
		c->meta_version = true;
	trim(&value, &vlen);
	if (truncated || !(is_name ? valid_name(value, vlen) : valid_version(value, vlen))) {
		sp_buf_init(&b, MAX_DETAIL);
		sp_buf_addf(&b, "%s ", is_name ? "name" : "version");
		add_quoted(&b, value, vlen);
		sp_buf_addstr(&b, is_name ? " is not a valid project name (PEP 508)"
					  : " is not a valid version (PEP 440)");
		report_buf(c, R_META_INVALID, SP_CTX_NONE, path, line, NULL, 0, &b);
		sp_buf_release(&b);
		return;
	}
	slot = is_name ? &c->a->name : &c->a->version;
	pthread_mutex_lock(&c->a->lock);
	if (!*slot)
		*slot = xstrndup(value, vlen);
	pthread_mutex_unlock(&c->a->lock);
}

static void read_metadata(struct sp_checks *c, const struct sp_entry *e)
{
	const char *missing;
	struct sp_buf b;

	if (!e->data)
		return;
	c->meta_name = c->meta_version = false;
	parse_headers(c, e->path, e->data, e->len, meta_header);
	if (c->meta_name && c->meta_version)
		return;
	if (!c->meta_name && !c->meta_version)
		missing = "Name or Version";
	else if (!c->meta_name)
		missing = "Name";
	else
		missing = "Version";
	sp_buf_init(&b, MAX_DETAIL);
	sp_buf_addf(&b, "metadata has no %s header", missing);
	report_buf(c, R_META_INVALID, SP_CTX_NONE, e->path, 0, NULL, 0, &b);
	sp_buf_release(&b);
}

static void wheel_header(struct sp_checks *c, const char *path, const char *name, size_t nlen,
			 const char *value, size_t vlen, bool truncated, unsigned line)
{
	const char *dash;

	(void)path;
	(void)line;
	if (truncated)
		return;
	trim(&value, &vlen);
	if (eq_nocase(name, nlen, "root-is-purelib")) {
		c->root_is_purelib = eq_nocase(value, vlen, "true");
		return;
	}
	if (!eq_nocase(name, nlen, "tag"))
		return;
	if (!c->ntags++)
		c->first_tag = sp_arena_strndup(&c->arena, value, vlen);
	dash = last_char(value, vlen, '-');
	if (dash && platform_any(dash + 1, vlen - (size_t)(dash + 1 - value)))
		c->ntags_any++;
}

/* --- console scripts --- */

/* Commands a package's script could take the place of on PATH. */
static const char *const shadowed_commands[] = {
	"pip",	   "pip3", "python", "python3", "git",	"sudo",	   "ls",  "cp",	  "mv",
	"rm",	   "ssh",  "scp",    "curl",	"wget", "bash",	   "sh",  "zsh",  "env",
	"cd",	   "cat",  "chmod",  "chown",	"apt",	"apt-get", "npm", "node", "docker",
	"kubectl", "make", "gcc",    "cc",	"tar",	"openssl", "gpg", NULL,
};

/*
 * Whether a script name takes a common command's place. Compared without
 * ASCII case: macOS and Windows file systems ignore it, so "PIP" is "pip".
 */
static bool shadows_command(const char *name, size_t n)
{
	size_t i;

	for (i = 0; shadowed_commands[i]; i++)
		if (eq_nocase(name, n, shadowed_commands[i]))
			return true;
	return (n > 5 && eq_nocase(name, 5, "pip3.")) || (n > 8 && eq_nocase(name, 8, "python3."));
}

static void add_script(struct sp_checks *c, const char *name, size_t nlen, const char *target,
		       size_t tlen, const char *path, unsigned line)
{
	struct script *s;

	if (c->nscripts >= MAX_FINDINGS_PER_RULE) {
		c->scripts_more++;
		return;
	}
	SP_GROW(c->scripts, c->nscripts + 1, c->scripts_cap);
	s = &c->scripts[c->nscripts++];
	s->name = sp_arena_strndup(&c->arena, name, nlen);
	s->target = target ? sp_arena_strndup(&c->arena, target, tlen) : NULL;
	s->path = sp_arena_strdup(&c->arena, path);
	s->line = line;
}

/* Bytes of a line break at s[i] as either reader of entry_points.txt sees it, or 0. */
static size_t any_break(const unsigned char *s, size_t n, size_t i)
{
	if (s[i] == '\n')
		return 1;
	if (s[i] == '\r')
		return i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
	return new_break(s, n, i, false);
}

static bool scripts_group(const char *s, size_t n)
{
	return (n == 15 && !memcmp(s, "console_scripts", 15)) ||
	       (n == 11 && !memcmp(s, "gui_scripts", 11));
}

/* Whether a stripped "[...]" line opens a scripts section for either reader. */
static bool scripts_section(const char *t, size_t n)
{
	const char *close = last_char(t, n, ']');
	size_t i = 0, j = n;

	/* importlib.metadata: the whole line is "[...]", brackets stripped. */
	if (n >= 2 && t[n - 1] == ']') {
		while (i < n && t[i] == '[')
			i++;
		while (j > i && t[j - 1] == ']')
			j--;
		if (scripts_group(t + i, j - i))
			return true;
	}
	/* configparser: from the first "[" to the last "]"; the rest is ignored. */
	return close && close > t + 1 && scripts_group(t + 1, (size_t)(close - t - 1));
}

/*
 * entry_points.txt is INI text read two ways: by importlib.metadata (pip:
 * lines stripped, split with str.splitlines(), "[...]" sections) and by
 * configparser (installer: universal newlines, "[" up to the last "]").
 * A name is whatever comes before the first "=", stripped. Taking the union
 * of both readings means neither can be used to hide a script.
 */
static void read_entry_points(struct sp_checks *c, const struct sp_entry *e)
{
	const unsigned char *u = (const unsigned char *)e->data;
	const char *p = e->data;
	size_t len = e->len, pos = 0;
	unsigned line = 1;
	bool scripts = false;

	if (!p)
		return;
	while (pos < len) {
		size_t s = pos, end = pos, n, br = 0;
		const char *t, *eq;

		while (end < len && !(br = any_break(u, len, end)))
			end++;
		pos = end + br;
		t = p + s;
		n = end - s;
		trim(&t, &n);
		if (n && t[0] == '[') {
			scripts = scripts_section(t, n);
		} else if (scripts && n && t[0] != '#' && t[0] != ';' &&
			   (eq = memchr(t, '=', n)) != NULL) {
			const char *name = t, *target = eq + 1;
			size_t nlen = (size_t)(eq - t), tlen = n - nlen - 1;

			trim(&name, &nlen);
			trim(&target, &tlen);
			if (nlen && shadows_command(name, nlen))
				add_script(c, name, nlen, target, tlen, e->path, line);
		}
		if (br && (p[end] == '\n' || p[end] == '\r'))
			line++; /* numbered as an editor shows them */
	}
}

/* A file in "<name>.data/scripts/" is copied into the environment's bin directory. */
static void check_data_script(struct sp_checks *c, const struct sp_entry *e)
{
	const char *slash = strchr(e->path, '/'), *name;
	size_t n;

	if (!slash || (size_t)(slash - e->path) <= 5 || memcmp(slash - 5, ".data", 5) != 0 ||
	    strncmp(slash + 1, "scripts/", 8) != 0)
		return;
	name = slash + 9;
	if (strchr(name, '/'))
		return;
	n = strlen(name);
	/* On Windows, PATHEXT makes git.exe or git.bat the "git" command. */
	if (ends_nocase(name, n, ".exe") || ends_nocase(name, n, ".bat") ||
	    ends_nocase(name, n, ".cmd"))
		n -= 4;
	if (n && shadows_command(name, n))
		add_script(c, name, n, NULL, 0, e->path, 0);
}

/* PEP 503: lower case, runs of "-", "_" and "." as one "-". */
static void normalize_name(const char *s, char *out, size_t outlen)
{
	size_t w = 0;

	for (; *s && w + 1 < outlen; s++) {
		if (*s == '-' || *s == '_' || *s == '.') {
			if (w && out[w - 1] == '-')
				continue;
			out[w++] = '-';
		} else {
			out[w++] = lower(*s);
		}
	}
	out[w] = '\0';
}

/* The command a script name is: lower case, version digits dropped ("pip3.12" is "pip"). */
static void command_family(const char *s, char *out, size_t outlen)
{
	size_t w = 0;

	for (; *s && w + 1 < outlen; s++)
		out[w++] = lower(*s);
	while (w && ((out[w - 1] >= '0' && out[w - 1] <= '9') || out[w - 1] == '.'))
		w--;
	out[w] = '\0';
}

static void finish_scripts(struct sp_checks *c)
{
	char pkg[256] = "", fam[256];
	struct sp_buf b;
	size_t i;

	pthread_mutex_lock(&c->a->lock);
	if (c->a->name)
		normalize_name(c->a->name, pkg, sizeof(pkg));
	pthread_mutex_unlock(&c->a->lock);
	sp_buf_init(&b, MAX_DETAIL);
	for (i = 0; i < c->nscripts; i++) {
		const struct script *s = &c->scripts[i];

		command_family(s->name, fam, sizeof(fam));
		/* The project that owns the command ("pip" installing pip, pip3, pip3.12). */
		if (pkg[0] && !strcmp(pkg, fam))
			continue;
		if (s->target) {
			sp_buf_addstr(&b, "console script ");
			add_quoted_str(&b, s->name);
			sp_buf_addstr(&b, " (");
			add_quoted_str(&b, s->target);
			sp_buf_addstr(&b, ") takes the place of the ");
		} else {
			sp_buf_addstr(&b, "script file ");
			add_quoted_str(&b, s->name);
			sp_buf_addstr(&b, " takes the place of the ");
		}
		add_quoted_str(&b, s->name);
		sp_buf_addstr(&b, " command for everyone who runs it with the environment active");
		report_buf(c, R_SCRIPT_SHADOW, SP_CTX_NONE, s->path, s->line, NULL, 0, &b);
	}
	if (c->scripts_more)
		c->suppressed[R_SCRIPT_SHADOW] += c->scripts_more;
	sp_buf_release(&b);
}

/* --- RECORD --- */

/* Hash algorithms the wheel spec forbids or that are weaker than sha256. */
static const char *const weak_algos[] = {"md5", "sha1", "sha224", "sha3_224", NULL};
/* Strong ones safepip cannot check: entries are hashed with sha256 only. */
static const char *const other_algos[] = {"sha384",   "sha512",	    "sha3_256",
					  "sha3_384", "sha3_512",   "blake2b",
					  "blake2s",  "sha512_256", NULL};

static bool in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (eq_nocase(s, n, *list))
			return true;
	return false;
}

static void record_row(struct sp_checks *c, const struct sp_csv_row *row)
{
	const struct sp_buf *fp = &row->f[0], *fh = &row->f[1], *fs = &row->f[2];
	char what[96];
	struct row *rw;
	int64_t size = -1;
	char *path;
	size_t plen, i;
	const char *hash = NULL;
	bool self;

	if (row->error || row->nfields != 3 || !fp->len) {
		if (row->error)
			snprintf(what, sizeof(what), "%s", row->error);
		else if (!fp->len)
			snprintf(what, sizeof(what), "an empty path");
		else
			snprintf(what, sizeof(what),
				 "%zu fields where path, hash and size are expected", row->nfields);
		tally_add(c, &c->invalid, fp->data ? fp->data : "", fp->len, row->line, what);
		return;
	}
	if (fp->data[fp->len - 1] == '/')
		return; /* a directory: nothing to hash */
	path = sp_arena_strndup(&c->arena, fp->data, fp->len);
	plen = sp_path_normalize(path, fp->len);
	path[plen] = '\0';
	self = record_itself(c, path, plen);

	if (fs->len) {
		if (fs->len > 18) {
			tally_add(c, &c->invalid, path, plen, row->line,
				  "a size that is not a number");
			return;
		}
		size = 0;
		for (i = 0; i < fs->len; i++) {
			if (fs->data[i] < '0' || fs->data[i] > '9') {
				tally_add(c, &c->invalid, path, plen, row->line,
					  "a size that is not a number");
				return;
			}
			size = size * 10 + (fs->data[i] - '0');
		}
	}
	if (!fh->len) {
		if (!self)
			tally_add(c, &c->unhashed, path, plen, row->line, "");
	} else {
		const char *eq = memchr(fh->data, '=', fh->len);
		size_t alen = eq ? (size_t)(eq - fh->data) : 0;

		if (!eq) {
			tally_add(c, &c->invalid, path, plen, row->line,
				  "a hash without an algorithm name");
			return;
		}
		if (eq_nocase(fh->data, alen, "sha256")) {
			size_t vlen = fh->len - alen - 1;

			while (vlen && eq[vlen] == '=')
				vlen--;
			hash = sp_arena_strndup(&c->arena, eq + 1, vlen);
		} else {
			struct sp_buf b;

			sp_buf_init(&b, sizeof(what));
			if (!in_list(fh->data, alen, weak_algos) &&
			    !in_list(fh->data, alen, other_algos))
				sp_buf_addstr(&b, "the unknown algorithm ");
			add_quoted(&b, fh->data, alen > 24 ? 24 : alen);
			snprintf(what, sizeof(what), "%s", b.data ? b.data : "");
			sp_buf_release(&b);
			if (in_list(fh->data, alen, other_algos))
				tally_add(c, &c->unverifiable, path, plen, row->line, what);
			else
				tally_add(c, &c->weak, path, plen, row->line, what);
		}
	}
	SP_GROW(c->rows, c->nrows + 1, c->rows_cap);
	rw = &c->rows[c->nrows++];
	rw->path = path;
	rw->hash = hash;
	rw->size = size;
	rw->line = row->line;
	rw->seq = c->row_seq++;
	rw->seen = false;
}

static void report_tallies(struct sp_checks *c)
{
	struct sp_buf b;

	sp_buf_init(&b, MAX_DETAIL);
	if (c->invalid.n) {
		sp_buf_addf(&b, "RECORD row cannot be used: %s", c->invalid.what);
		if (c->invalid.n > 1)
			sp_buf_addf(&b, " (%zu bad rows in all)", c->invalid.n);
		sp_buf_addstr(&b, "; files it should list are not checked");
		report_buf(c, R_RECORD_INVALID, SP_CTX_NONE, c->record_path, c->invalid.line, NULL,
			   0, &b);
	}
	if (c->weak.n) {
		add_quoted_str(&b, c->weak.path);
		sp_buf_addf(&b,
			    " is hashed with %s in RECORD, which is weak or unknown; the wheel "
			    "spec requires sha256 or stronger",
			    c->weak.what);
		if (c->weak.n > 1)
			sp_buf_addf(&b, " (%zu rows in all)", c->weak.n);
		report_buf(c, R_RECORD_WEAK, SP_CTX_NONE, c->record_path, c->weak.line, NULL, 0,
			   &b);
	}
	if (c->unhashed.n) {
		add_quoted_str(&b, c->unhashed.path);
		sp_buf_addstr(&b, " has no hash in RECORD, so its content cannot be checked");
		if (c->unhashed.n > 1)
			sp_buf_addf(&b, " (%zu rows in all)", c->unhashed.n);
		report_buf(c, R_RECORD_WEAK, SP_CTX_NONE, c->record_path, c->unhashed.line, NULL, 0,
			   &b);
	}
	if (c->unverifiable.n) {
		add_quoted_str(&b, c->unverifiable.path);
		sp_buf_addf(&b,
			    " is hashed with %s in RECORD, which safepip cannot check (it "
			    "verifies sha256)",
			    c->unverifiable.what);
		if (c->unverifiable.n > 1)
			sp_buf_addf(&b, " (%zu rows in all)", c->unverifiable.n);
		report_buf(c, R_RECORD_UNVERIFIABLE, SP_CTX_NONE, c->record_path,
			   c->unverifiable.line, NULL, 0, &b);
	}
	sp_buf_release(&b);
}

static void read_record(struct sp_checks *c, const struct sp_entry *e)
{
	struct sp_csv r;
	struct sp_csv_row row;
	struct sp_buf b;

	if (!e->data && (e->size || !e->complete || e->too_large)) {
		sp_buf_init(&b, MAX_DETAIL);
		sp_buf_addf(&b,
			    "RECORD of %lld bytes could not be read (limit %d MiB); no file "
			    "of the wheel is checked against it",
			    (long long)e->size, SP_MAX_SOURCE_BYTES >> 20);
		report_buf(c, R_RECORD_INVALID, SP_CTX_NONE, e->path, 0, NULL, 0, &b);
		sp_buf_release(&b);
		c->record_unreadable = true;
		return;
	}
	sp_csv_init(&r, e->data, e->len);
	sp_csv_row_init(&row, MAX_RECORD_FIELD);
	while (sp_csv_next(&r, &row)) {
		if (c->nrows >= MAX_RECORD_ROWS) {
			sp_buf_init(&b, MAX_DETAIL);
			sp_buf_addf(&b,
				    "RECORD has more than %d rows, more than any wheel can hold; "
				    "no file of the wheel is checked against it",
				    MAX_RECORD_ROWS);
			report_buf(c, R_RECORD_INVALID, SP_CTX_NONE, e->path, row.line, NULL, 0,
				   &b);
			sp_buf_release(&b);
			c->record_unreadable = true;
			break;
		}
		record_row(c, &row);
	}
	sp_csv_row_release(&row);
	if (!c->nrows && !c->record_unreadable) {
		/* One finding, rather than every file of the wheel called unlisted. */
		sp_buf_init(&b, MAX_DETAIL);
		sp_buf_addstr(&b, "RECORD lists no files, so none of the wheel's files can be "
				  "checked against it");
		report_buf(c, R_RECORD_INVALID, SP_CTX_NONE, e->path, 0, NULL, 0, &b);
		sp_buf_release(&b);
		c->record_unreadable = true;
	}
}

static int cmp_row(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int d = strcmp(a->path, b->path);

	if (d)
		return d;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_row_path(const void *key, const void *elem)
{
	return strcmp(((const struct row *)key)->path, ((const struct row *)elem)->path);
}

static void verify_record(struct sp_checks *c)
{
	struct sp_buf b;
	size_t i, w;

	sp_buf_init(&b, MAX_DETAIL);
	if (!c->record_path) {
		sp_buf_addstr(&b, "wheel has no .dist-info/RECORD, so none of its files can be "
				  "checked against the hashes recorded when it was built");
		report_buf(c, R_RECORD_ABSENT, SP_CTX_NONE, NULL, 0, NULL, 0, &b);
		goto out;
	}
	report_tallies(c);
	if (c->record_unreadable)
		goto out;

	/* Sort by path; of rows naming the same file the last one wins, as in installers. */
	if (c->nrows > 1)
		qsort(c->rows, c->nrows, sizeof(*c->rows), cmp_row);
	for (i = 0, w = 0; i < c->nrows; i++) {
		if (i + 1 < c->nrows && !strcmp(c->rows[i].path, c->rows[i + 1].path))
			continue;
		c->rows[w++] = c->rows[i];
	}
	c->nrows = w;

	for (i = 0; i < c->nfiles; i++) {
		const struct file *f = &c->files[i];
		struct row key = {.path = f->path}, *rw;
		char have[48];
		bool bad_hash, bad_size;

		rw = c->nrows ? bsearch(&key, c->rows, c->nrows, sizeof(*c->rows), cmp_row_path)
			      : NULL;
		if (rw)
			rw->seen = true;
		if (record_itself(c, f->path, strlen(f->path)))
			continue;
		if (!rw) {
			sp_buf_addstr(&b, "file is in the wheel but not listed in ");
			add_quoted_str(&b, c->record_path);
			sp_buf_addstr(&b, "; it was added after the wheel was built, or RECORD "
					  "was edited to hide it");
			report_buf(c, R_RECORD_UNLISTED, SP_CTX_NONE, f->path, 0, NULL, 0, &b);
			continue;
		}
		/* Links, devices and cut-short files are reported by the unpacker. */
		if (!f->regular || !f->complete)
			continue;
		sp_b64url_nopad(f->sha256, SP_SHA256_LEN, have, sizeof(have));
		bad_hash = rw->hash && strcmp(rw->hash, have) != 0;
		bad_size = rw->size >= 0 && rw->size != f->size;
		if (!bad_hash && !bad_size)
			continue;
		if (bad_hash) {
			sp_buf_addstr(&b, "RECORD says sha256=");
			add_quoted_str(&b, rw->hash);
			sp_buf_addf(&b, ", file has sha256='%s'", have);
		}
		if (bad_size)
			sp_buf_addf(&b, "%sRECORD says %lld bytes, file has %lld bytes",
				    bad_hash ? "; " : "", (long long)rw->size, (long long)f->size);
		sp_buf_addf(&b, " (RECORD line %u)", rw->line);
		report_buf(c, R_RECORD_MISMATCH, SP_CTX_NONE, f->path, 0, NULL, 0, &b);
	}
	for (i = 0; i < c->nrows; i++) {
		const struct row *rw = &c->rows[i];

		if (rw->seen)
			continue;
		add_quoted_str(&b, rw->path);
		sp_buf_addstr(&b, " is listed in RECORD but is not in the wheel");
		report_buf(c, R_RECORD_MISSING, SP_CTX_NONE, c->record_path, rw->line, NULL, 0, &b);
	}
out:
	sp_buf_release(&b);
}

/* --- wheels --- */

static void note_distinfo(struct sp_checks *c, const char *path)
{
	const char *slash = strchr(path, '/');
	size_t n;
	struct sp_buf b;

	if (!distinfo_file(path, NULL))
		return;
	n = (size_t)(slash - path);
	if (!c->distinfo) {
		c->distinfo = sp_arena_strndup(&c->arena, path, n);
		return;
	}
	if (c->multi_distinfo || (strlen(c->distinfo) == n && !memcmp(c->distinfo, path, n)))
		return;
	c->multi_distinfo = true;
	sp_buf_init(&b, MAX_DETAIL);
	sp_buf_addstr(&b, "wheel has more than one .dist-info directory (");
	add_quoted_str(&b, c->distinfo);
	sp_buf_addstr(&b, " and ");
	add_quoted(&b, path, n);
	sp_buf_addstr(&b, "); pip refuses it, and only the first is checked here");
	report_buf(c, R_META_INVALID, SP_CTX_NONE, path, 0, NULL, 0, &b);
	sp_buf_release(&b);
}

/* Whether path is name in the wheel's own .dist-info directory. */
static bool own_distinfo_file(const struct sp_checks *c, const char *path, const char *name)
{
	size_t n;

	if (!c->distinfo)
		return false;
	n = strlen(c->distinfo);
	return !strncmp(path, c->distinfo, n) && path[n] == '/' && !strcmp(path + n + 1, name);
}

static void wheel_entry(struct sp_checks *c, const struct sp_entry *e)
{
	struct file *f;

	note_distinfo(c, e->path);
	SP_GROW(c->files, c->nfiles + 1, c->files_cap);
	f = &c->files[c->nfiles++];
	f->path = sp_arena_strdup(&c->arena, e->path);
	f->size = e->size;
	memcpy(f->sha256, e->sha256, SP_SHA256_LEN);
	f->regular = e->type == SP_ENTRY_FILE;
	f->complete = e->complete;
	if (e->type != SP_ENTRY_FILE)
		return;

	if (own_distinfo_file(c, e->path, "RECORD")) {
		/* A second copy under the same name (the unpacker reports it) adds its rows. */
		if (!c->record_path)
			c->record_path = sp_arena_strdup(&c->arena, e->path);
		if (!c->record_unreadable)
			read_record(c, e);
	} else if (own_distinfo_file(c, e->path, "WHEEL")) {
		if (!c->wheel_seen && e->data)
			parse_headers(c, e->path, e->data, e->len, wheel_header);
		c->wheel_seen = true;
	} else if (own_distinfo_file(c, e->path, "METADATA")) {
		if (!c->metadata_seen)
			read_metadata(c, e);
		c->metadata_seen = true;
	} else if (own_distinfo_file(c, e->path, "entry_points.txt")) {
		read_entry_points(c, e);
	} else {
		check_data_script(c, e);
	}
}

static void finish_native(struct sp_checks *c)
{
	const char *tag = NULL;
	size_t tag_len = 0, i;
	int fn = filename_pure(c->a->target, &tag, &tag_len);
	struct sp_buf why, b;

	pthread_mutex_lock(&c->a->lock);
	c->a->pure = c->root_is_purelib;
	pthread_mutex_unlock(&c->a->lock);
	if (!c->nnatives)
		return;
	/*
	 * A wheel claims to hold no native code when its tags name no platform
	 * ("any"). The file name's tags are what pip selects by (WHEEL is not
	 * checked against them), so they decide when the target is named like
	 * a wheel; then WHEEL's Tag lines. Root-Is-Purelib only says where files
	 * are installed, and platform wheels that ship binaries as package data
	 * set it too: it decides only when there are no tags at all.
	 */
	sp_buf_init(&why, MAX_DETAIL);
	if (fn == 1) {
		sp_buf_addstr(&why, "its file name's tag ");
		add_quoted(&why, tag, tag_len);
	} else if (fn == -1 && c->ntags && c->ntags_any == c->ntags) {
		sp_buf_addstr(&why, "its WHEEL tag ");
		add_quoted_str(&why, c->first_tag);
	} else if (fn == -1 && !c->ntags && c->root_is_purelib) {
		sp_buf_addstr(&why, "its WHEEL Root-Is-Purelib: true and no platform tag");
	} else {
		goto out;
	}
	sp_buf_init(&b, MAX_DETAIL);
	for (i = 0; i < c->nnatives; i++) {
		sp_buf_addf(&b, "file has %s, but the wheel claims to hold no platform code (%s)",
			    c->natives[i].what, why.data);
		report_buf(c, foreign(c->natives[i].what) ? R_WHEEL_FOREIGN : R_WHEEL_NATIVE,
			   SP_CTX_NONE, c->natives[i].path, 0, NULL, 0, &b);
	}
	c->suppressed[R_WHEEL_NATIVE] += c->natives_more;
	sp_buf_release(&b);
out:
	sp_buf_release(&why);
}

/* --- images with something appended --- */

/*
 * Bytes after the end of an image are invisible to every viewer; when they
 * hold code or an encoded payload, the picture is a carrier. Only files
 * named as images are read whole (sp_checks_want()); the format comes from
 * the bytes, so a .png that is really a JPEG is judged as a JPEG.
 */
static void check_image(struct sp_checks *c, const struct sp_entry *e)
{
	const unsigned char *d = (const unsigned char *)e->data;
	const char *format, *marker;
	size_t end, tail;
	struct sp_buf b;

	if (!e->data || !image_name(e->path))
		return;
	end = sp_text_image_end(d, e->len, &format);
	if (!format || end >= e->len)
		return;
	tail = e->len - end;
	marker = sp_text_code_marker(d + end,
				     tail < SP_STEGO_MAX_TRAILER ? tail : SP_STEGO_MAX_TRAILER);
	if (!marker)
		return;
	sp_buf_init(&b, MAX_DETAIL);
	sp_buf_addf(&b, "%zu bytes follow the end of this %s image at offset %zu; they contain ",
		    tail, format, end);
	if (marker[0] == 'a' && marker[1] == ' ')
		sp_buf_addstr(&b, marker);
	else
		add_quoted_str(&b, marker);
	report_buf(c, R_STEGO_PAYLOAD, SP_CTX_NONE, e->path, 0, NULL, 0, &b);
	sp_buf_release(&b);
}

/* Any compiled binary or native library in any artifact: a capability. */
static void check_native_capability(struct sp_checks *c, const struct sp_entry *e)
{
	const char *what =
		native_magic(e->head, e->head_len < SP_ENTRY_HEAD ? e->head_len : SP_ENTRY_HEAD);
	struct sp_buf b;

	if (!what)
		what = native_name(e->path);
	if (!what)
		return;
	sp_buf_init(&b, MAX_DETAIL);
	sp_buf_addf(&b, "file has %s", what);
	report_buf(c, R_CAP_NATIVE, SP_CTX_NONE, e->path, 0, NULL, 0, &b);
	sp_buf_release(&b);
}

/* --- the interface --- */

void sp_checks_entry(struct sp_checks *c, const struct sp_entry *e)
{
	bool wheel, known;
	size_t depth;

	if (!c || !e || !e->path || c->finished || e->type == SP_ENTRY_DIR)
		return;
	wheel = c->a->kind == SP_SOURCE_WHEEL;
	if (wheel && e->depth == 0)
		wheel_entry(c, e);
	if (e->type != SP_ENTRY_FILE)
		return;
	if (wheel || c->a->kind == SP_SOURCE_SDIST)
		check_native(c, e, wheel);
	check_native_capability(c, e);
	check_image(c, e);
	if (sp_str_endswith(e->path, ".pth"))
		check_pth(c, e, wheel);
	if (wheel || e->depth != 0 || strcmp(sp_path_base(e->path), "PKG-INFO") != 0)
		return;
	/* An sdist's "name-1.0/PKG-INFO"; a tree's own PKG-INFO (not a site-packages' egg-info). */
	depth = slashes(e->path);
	if (depth == 0 || (depth == 1 && c->a->kind != SP_SOURCE_DIR)) {
		pthread_mutex_lock(&c->a->lock);
		known = c->a->name && c->a->version;
		pthread_mutex_unlock(&c->a->lock);
		if (!known)
			read_metadata(c, e);
	}
}

void sp_checks_finish(struct sp_checks *c)
{
	struct sp_buf b;
	int r;

	if (!c || c->finished)
		return;
	c->finished = true;
	if (c->a->kind == SP_SOURCE_WHEEL) {
		verify_record(c);
		if (!c->metadata_seen)
			report(c, R_META_MISSING, SP_CTX_NONE, NULL, 0, NULL, 0,
			       "wheel has no .dist-info/METADATA, so its name, version and "
			       "dependencies cannot be read");
		finish_native(c);
		finish_scripts(c);
	}
	sp_buf_init(&b, MAX_DETAIL);
	for (r = 0; r < R_COUNT; r++) {
		if (!c->suppressed[r])
			continue;
		sp_buf_addf(&b, "%zu more findings of this rule are not listed", c->suppressed[r]);
		sp_artifact_add(c->a, c->rules[r], r == R_PTH_EXEC ? SP_CTX_INSTALL : SP_CTX_NONE,
				NULL, 0, 0, NULL, 0, b.data);
		sp_buf_reset(&b);
		c->suppressed[r] = 0;
	}
	sp_buf_release(&b);
}
