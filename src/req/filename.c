/*
 * Distribution file names (see filename.h).
 *
 * Wheels: pip 23.2 splits "name-ver(-build)?-py-abi-plat.whl" at '-' with
 * no whitespace in any part and a build tag starting with a digit; '_' in
 * the name and version stands for '-'. Here the name must also be a valid
 * project name and the version valid PEP 440, since nothing useful can be
 * done with a wheel whose version cannot be compared.
 */
#include "req/filename.h"

#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "req/internal.h"
#include "req/name.h"
#include "core/banned.h"

static int bad(struct sp_diag *d, int err, const char *kind, const char *filename, const char *why)
{
	char q[SP_REQ_QUOTE_MAX];

	sp_req_quote(q, sizeof(q), filename, strlen(filename));
	return sp_diag_set(d, err, "invalid %s file name '%s': %s", kind, q, why);
}

static bool has_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sp_req_space(s[i]) || s[i] == '\0')
			return true;
	return false;
}

/* A copy of s (n bytes) with every '_' turned into '-'. */
static char *dash_copy(struct sp_arena *a, const char *s, size_t n)
{
	char *c = sp_arena_strndup(a, s, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] == '_')
			c[i] = '-';
	return c;
}

/* Splits a '.'-compressed tag set into an arena array; returns its size. */
static size_t split_set(struct sp_arena *a, const char *s, size_t n, const char ***out)
{
	size_t count = 1, i, k = 0;
	const char *start = s;

	for (i = 0; i < n; i++)
		count += s[i] == '.';
	*out = sp_arena_alloc(a, count * sizeof(**out));
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			(*out)[k++] = sp_arena_strndup(a, start, (size_t)(s + i - start));
			start = s + i + 1;
		}
	}
	return count;
}

int sp_wheel_name_parse(struct sp_arena *a, const char *filename, struct sp_wheel_name *out,
			struct sp_diag *d)
{
	const char *parts[6], *end, *p;
	size_t lens[6], n = 0, len = strlen(filename), i, j, k, np, na, nplat;
	const char **py, **abi, **plat;
	char *key;

	memset(out, 0, sizeof(*out));
	if (len > SP_MAX_FILENAME_LEN)
		return bad(d, SP_ELIMIT, "wheel", filename, "longer than SP_MAX_FILENAME_LEN");
	if (len < 4 || strcasecmp(filename + len - 4, ".whl") || strchr(filename, '/'))
		return bad(d, SP_EFORMAT, "wheel", filename, "not a .whl file name");
	if (strcmp(filename + len - 4, ".whl"))
		return bad(d, SP_EFORMAT, "wheel", filename, "the extension must be '.whl'");
	end = filename + len - 4;
	for (p = filename;;) {
		const char *dash = memchr(p, '-', (size_t)(end - p));

		if (n == 6) {
			n++; /* a seventh part */
			break;
		}
		parts[n] = p;
		lens[n++] = (size_t)((dash ? dash : end) - p);
		if (!dash)
			break;
		p = dash + 1;
	}
	if (n != 5 && n != 6)
		return bad(d, SP_EFORMAT, "wheel", filename,
			   "expected name-version(-build)-python-abi-platform.whl");
	for (i = 0; i < n; i++)
		if (lens[i] == 0 || has_space(parts[i], lens[i]))
			return bad(d, SP_EFORMAT, "wheel", filename,
				   "an empty part or whitespace between dashes");
	if (!sp_name_valid(parts[0], lens[0]))
		return bad(d, SP_EFORMAT, "wheel", filename, "the project name is not valid");
	out->name = dash_copy(a, parts[0], lens[0]);
	key = sp_arena_alloc(a, lens[0] + 1);
	sp_name_normalize_buf(key, parts[0], lens[0]);
	out->key = key;
	out->version_text = dash_copy(a, parts[1], lens[1]);
	if (sp_version_parse(&out->version, out->version_text, lens[1], NULL))
		return bad(d, SP_EFORMAT, "wheel", filename, "the version is not PEP 440");
	if (n == 6) {
		const char *b = parts[2];
		size_t digits = 0;
		uint64_t num = 0;

		while (digits < lens[2] && sp_req_digit(b[digits])) {
			unsigned dv = (unsigned)(b[digits] - '0');

			if (num > (UINT64_MAX - dv) / 10)
				return bad(d, SP_EFORMAT, "wheel", filename,
					   "the build number does not fit in 64 bits");
			num = num * 10 + dv;
			digits++;
		}
		if (digits == 0)
			return bad(d, SP_EFORMAT, "wheel", filename,
				   "the build tag must start with a digit");
		out->has_build = true;
		out->build_num = num;
		out->build_rest = sp_arena_strndup(a, b + digits, lens[2] - digits);
	}
	np = split_set(a, parts[n - 3], lens[n - 3], &py);
	na = split_set(a, parts[n - 2], lens[n - 2], &abi);
	nplat = split_set(a, parts[n - 1], lens[n - 1], &plat);
	if (np * na * nplat > SP_MAX_WHEEL_TAGS || np > SP_MAX_WHEEL_TAGS ||
	    na > SP_MAX_WHEEL_TAGS || nplat > SP_MAX_WHEEL_TAGS)
		return bad(d, SP_ELIMIT, "wheel", filename, "more tags than SP_MAX_WHEEL_TAGS");
	out->tags = sp_arena_alloc(a, np * na * nplat * sizeof(*out->tags));
	for (i = 0; i < np; i++) {
		for (j = 0; j < na; j++) {
			for (k = 0; k < nplat; k++) {
				struct sp_wheel_tag *t = &out->tags[out->ntags++];

				if (!*py[i] || !*abi[j] || !*plat[k])
					return bad(d, SP_EFORMAT, "wheel", filename,
						   "an empty tag in a compressed tag set");
				t->python = py[i];
				t->abi = abi[j];
				t->platform = plat[k];
			}
		}
	}
	return 0;
}

int sp_wheel_build_cmp(const struct sp_wheel_name *a, const struct sp_wheel_name *b)
{
	int r;

	if (a->has_build != b->has_build)
		return a->has_build ? 1 : -1;
	if (!a->has_build)
		return 0;
	if (a->build_num != b->build_num)
		return a->build_num < b->build_num ? -1 : 1;
	r = strcmp(a->build_rest, b->build_rest);
	return r < 0 ? -1 : r > 0;
}

static const char *const sdist_exts[] = {".tar.gz", ".tar.bz2", ".tar.xz", ".zip", ".tgz"};

int sp_sdist_name_parse(struct sp_arena *a, const char *filename, const char *key,
			struct sp_sdist_name *out, struct sp_diag *d)
{
	size_t len = strlen(filename), i, stem = 0, best = 0;
	bool found = false;
	char *norm;

	memset(out, 0, sizeof(*out));
	if (len > SP_MAX_FILENAME_LEN)
		return bad(d, SP_ELIMIT, "sdist", filename, "longer than SP_MAX_FILENAME_LEN");
	if (strchr(filename, '/'))
		return bad(d, SP_EFORMAT, "sdist", filename, "a path, not a file name");
	for (i = 0; i < sizeof(sdist_exts) / sizeof(sdist_exts[0]); i++) {
		size_t el = strlen(sdist_exts[i]);

		if (len > el && !strcasecmp(filename + len - el, sdist_exts[i])) {
			out->ext = sdist_exts[i];
			stem = len - el;
			break;
		}
	}
	if (!out->ext)
		return bad(d, SP_EFORMAT, "sdist", filename,
			   "not .tar.gz, .zip, .tar.bz2, .tar.xz or .tgz");
	norm = sp_arena_alloc(a, stem + 1);
	for (i = 0; i < stem && !found; i++) {
		if (filename[i] != '-')
			continue;
		if (key) {
			sp_name_normalize_buf(norm, filename, i);
			found = !strcmp(norm, key);
		} else {
			found = sp_name_valid(filename, i) &&
				sp_version_valid(filename + i + 1, stem - i - 1) &&
				!has_space(filename + i + 1, stem - i - 1);
		}
		best = i;
	}
	if (!found)
		return bad(d, key ? SP_ENOENT : SP_EFORMAT, "sdist", filename,
			   key ? "the name is not the project's" : "no name-version split");
	if (best + 1 == stem)
		return bad(d, SP_EFORMAT, "sdist", filename, "no version after the name");
	out->name = sp_arena_strndup(a, filename, best);
	out->version_text = sp_arena_strndup(a, filename + best + 1, stem - best - 1);
	if (has_space(out->version_text, stem - best - 1) ||
	    sp_version_parse(&out->version, out->version_text, stem - best - 1, NULL))
		return bad(d, SP_EFORMAT, "sdist", filename, "the version is not PEP 440");
	return 0;
}
