/*
 * PEP 440 versions (see version.h).
 *
 * The parser is a hand-written equivalent of the PEP's reference regular
 * expression, read left to right with one byte of lookahead:
 *
 *   v? (N!)? N(.N)* (sep? pre-label sep? N?)? (-N | sep? post-label sep? N?)?
 *      (sep? dev sep? N?)? (+local)?
 *
 * where sep is one of "-_." and a missing number is 0. A separator before
 * a label is taken only when the label follows, which is what the
 * expression's backtracking settles on. Case is ignored everywhere.
 *
 * Order (the PEP's, as packaging computes it): epoch; release with
 * trailing zeros ignored; then a dev release with no pre or post part
 * sorts before every pre-release, a final release after them; then post
 * (none first), dev (none last), local (none first; numeric parts above
 * alphanumeric ones, compared as numbers).
 */
#include "req/version.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "req/internal.h"
#include "core/banned.h"

struct cursor {
	const char *p, *end;
};

static bool at_sep(const struct cursor *c)
{
	return c->p < c->end && (*c->p == '-' || *c->p == '_' || *c->p == '.');
}

static bool at_digit(const struct cursor *c, size_t off)
{
	return c->p + off < c->end && sp_req_digit(c->p[off]);
}

/* Whether the text at c starts with word (lower case), ignoring case. */
static bool at_word(const struct cursor *c, size_t off, const char *word)
{
	size_t n = strlen(word), i;

	if ((size_t)(c->end - c->p) < off + n)
		return false;
	for (i = 0; i < n; i++)
		if (sp_req_lower(c->p[off + i]) != word[i])
			return false;
	return true;
}

/* Reads digits at c (at least one is there) into *out. */
static int number(struct cursor *c, uint64_t *out)
{
	uint64_t n = 0;

	while (c->p < c->end && sp_req_digit(*c->p)) {
		unsigned d = (unsigned)(*c->p - '0');

		if (n > (UINT64_MAX - d) / 10)
			return SP_ELIMIT;
		n = n * 10 + d;
		c->p++;
	}
	*out = n;
	return 0;
}

/*
 * The optional "sep? N?" after a label; a missing number is 0. The
 * separator is taken even when no digit follows ("1.0a-" is 1.0a0), as the
 * reference expression does: giving it back never lets a later part match
 * where it would not otherwise.
 */
static int label_number(struct cursor *c, uint64_t *out)
{
	if (at_sep(c))
		c->p++;
	if (at_digit(c, 0))
		return number(c, out);
	*out = 0;
	return 0;
}

/*
 * Matches one of labels (longest first) at c, after an optional
 * separator. Returns its index and advances c, or -1 leaving c alone.
 */
static int label(struct cursor *c, const char *const *labels, size_t n)
{
	size_t off = at_sep(c) ? 1 : 0, i;

	for (i = 0; i < n; i++) {
		if (at_word(c, off, labels[i])) {
			c->p += off + strlen(labels[i]);
			return (int)i;
		}
	}
	return -1;
}

static const char *const pre_labels[] = {"preview", "alpha", "beta", "pre", "rc", "a", "b", "c"};
static const enum sp_pre_kind pre_kinds[] = {SP_PRE_RC, SP_PRE_A, SP_PRE_B, SP_PRE_RC,
					     SP_PRE_RC, SP_PRE_A, SP_PRE_B, SP_PRE_RC};
static const char *const post_labels[] = {"post", "rev", "r"};
static const char *const dev_labels[] = {"dev"};

static bool local_char(char c)
{
	c = sp_req_lower(c);
	return (c >= 'a' && c <= 'z') || sp_req_digit(c);
}

/* Normalises the local label at c (after '+') into v->local. */
static bool parse_local(struct cursor *c, struct sp_version *v)
{
	size_t n = 0;

	for (;;) {
		const char *start = c->p;
		bool numeric = true;

		while (c->p < c->end && local_char(*c->p)) {
			numeric = numeric && sp_req_digit(*c->p);
			c->p++;
		}
		if (c->p == start)
			return false;
		if (numeric) {
			while (start + 1 < c->p && *start == '0')
				start++;
		}
		if (n)
			v->local[n++] = '.';
		while (start < c->p)
			v->local[n++] = sp_req_lower(*start++);
		if (!(at_sep(c) && c->p + 1 < c->end && local_char(c->p[1])))
			break;
		c->p++;
	}
	v->local[n] = '\0';
	return true;
}

static int invalid(struct sp_diag *d, int err, const char *s, size_t len, const char *why)
{
	char q[SP_REQ_QUOTE_MAX];

	sp_req_quote(q, sizeof(q), s, len);
	return sp_diag_set(d, err, "invalid version '%s': %s", q, why);
}

int sp_version_parse(struct sp_version *v, const char *s, size_t len, struct sp_diag *d)
{
	struct cursor c = {s, s + len};
	const char *text;
	size_t tlen;
	int k;

	memset(v, 0, sizeof(*v));
	while (c.p < c.end && sp_req_space(*c.p))
		c.p++;
	while (c.end > c.p && sp_req_space(c.end[-1]))
		c.end--;
	text = c.p;
	tlen = (size_t)(c.end - c.p);
	if (tlen == 0)
		return sp_diag_set(d, SP_EINVAL, "invalid version '': empty");
	if (tlen > SP_MAX_VERSION_LEN)
		return invalid(d, SP_ELIMIT, text, tlen, "longer than SP_MAX_VERSION_LEN");
	if (*c.p == 'v' || *c.p == 'V')
		c.p++;
	if (!at_digit(&c, 0))
		return invalid(d, SP_EINVAL, text, tlen, "not a PEP 440 version");
	if (number(&c, &v->release[0]))
		goto too_large;
	if (c.p < c.end && *c.p == '!') {
		c.p++;
		v->epoch = v->release[0];
		if (!at_digit(&c, 0))
			return invalid(d, SP_EINVAL, text, tlen, "no release after the epoch");
		if (number(&c, &v->release[0]))
			goto too_large;
	}
	v->nrelease = 1;
	while (c.p < c.end && *c.p == '.' && at_digit(&c, 1)) {
		if (v->nrelease == SP_MAX_VERSION_SEGMENTS)
			return invalid(d, SP_ELIMIT, text, tlen,
				       "more release numbers than SP_MAX_VERSION_SEGMENTS");
		c.p++;
		if (number(&c, &v->release[v->nrelease++]))
			goto too_large;
	}
	k = label(&c, pre_labels, sizeof(pre_labels) / sizeof(pre_labels[0]));
	if (k >= 0) {
		v->pre_kind = pre_kinds[k];
		if (label_number(&c, &v->pre))
			goto too_large;
	}
	if (c.p < c.end && *c.p == '-' && at_digit(&c, 1)) {
		c.p++;
		v->has_post = true;
		if (number(&c, &v->post))
			goto too_large;
	} else if (label(&c, post_labels, sizeof(post_labels) / sizeof(post_labels[0])) >= 0) {
		v->has_post = true;
		if (label_number(&c, &v->post))
			goto too_large;
	}
	if (label(&c, dev_labels, 1) >= 0) {
		v->has_dev = true;
		if (label_number(&c, &v->dev))
			goto too_large;
	}
	if (c.p < c.end && *c.p == '+') {
		c.p++;
		if (!parse_local(&c, v))
			return invalid(d, SP_EINVAL, text, tlen, "bad local label after '+'");
	}
	if (c.p != c.end)
		return invalid(d, SP_EINVAL, text, tlen, "not a PEP 440 version");
	/*
	 * Normalising grows a text by a few bytes at most ("-1" is ".post1",
	 * "1a" is "1a0"): the cap holds for the normal form too, so that every
	 * version's canonical text parses back.
	 */
	if (tlen + 32 > SP_MAX_VERSION_LEN && sp_version_format(v, NULL, 0) > SP_MAX_VERSION_LEN)
		return invalid(d, SP_ELIMIT, text, tlen,
			       "longer than SP_MAX_VERSION_LEN once normalised");
	return 0;
too_large:
	return invalid(d, SP_ELIMIT, text, tlen, "a number does not fit in 64 bits");
}

bool sp_version_valid(const char *s, size_t len)
{
	struct sp_version v;

	return sp_version_parse(&v, s, len, NULL) == 0;
}

size_t sp_version_format(const struct sp_version *v, char *out, size_t size)
{
	static const char *const pre_names[] = {"", "a", "b", "rc"};
	char buf[SP_VERSION_TEXT_MAX * 4];
	size_t n = 0, i;

	/* A struct built by hand may hold more than a parsed one: stop at the end. */
#define PUT(...)                                                                                   \
	do {                                                                                       \
		if (n < sizeof(buf))                                                               \
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, __VA_ARGS__);              \
	} while (0)
	if (v->epoch)
		PUT("%" PRIu64 "!", v->epoch);
	for (i = 0; i < v->nrelease; i++)
		PUT(i ? ".%" PRIu64 : "%" PRIu64, v->release[i]);
	if (v->pre_kind != SP_PRE_NONE)
		PUT("%s%" PRIu64, pre_names[v->pre_kind], v->pre);
	if (v->has_post)
		PUT(".post%" PRIu64, v->post);
	if (v->has_dev)
		PUT(".dev%" PRIu64, v->dev);
	if (v->local[0])
		PUT("+%s", v->local);
#undef PUT
	if (size)
		snprintf(out, size, "%s", buf);
	return n;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Compares two runs of digits as numbers (leading zeros already gone). */
static int cmp_digits(const char *a, size_t na, const char *b, size_t nb)
{
	int r;

	if (na != nb)
		return na < nb ? -1 : 1;
	r = memcmp(a, b, na);
	return r < 0 ? -1 : r > 0;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!sp_req_digit(s[i]))
			return false;
	return true;
}

/* Compares two normalised local labels part by part. */
static int cmp_local(const char *a, const char *b)
{
	for (;;) {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		bool da = all_digits(a, na), db = all_digits(b, nb);
		int r;

		if (da && db) {
			r = cmp_digits(a, na, b, nb);
		} else if (da != db) {
			r = da ? 1 : -1; /* a number sorts above a word */
		} else {
			r = memcmp(a, b, na < nb ? na : nb);
			r = r ? (r < 0 ? -1 : 1) : cmp_u64(na, nb);
		}
		if (r)
			return r;
		a += na;
		b += nb;
		if (!*a || !*b)
			return *a ? 1 : *b ? -1 : 0;
		a++;
		b++;
	}
}

/*
 * The pre-release key as a rank: 0 for a bare dev release (before every
 * pre-release), 1-3 for a, b, rc, 4 for none (after them).
 */
static int pre_rank(const struct sp_version *v)
{
	if (v->pre_kind == SP_PRE_NONE)
		return !v->has_post && v->has_dev ? 0 : 4;
	return (int)v->pre_kind;
}

int sp_version_cmp(const struct sp_version *a, const struct sp_version *b)
{
	unsigned n = a->nrelease > b->nrelease ? a->nrelease : b->nrelease, i;
	int r;

	if ((r = cmp_u64(a->epoch, b->epoch)))
		return r;
	for (i = 0; i < n; i++) {
		uint64_t x = i < a->nrelease ? a->release[i] : 0;
		uint64_t y = i < b->nrelease ? b->release[i] : 0;

		if ((r = cmp_u64(x, y)))
			return r;
	}
	if ((r = pre_rank(a) - pre_rank(b)))
		return r < 0 ? -1 : 1;
	if (a->pre_kind != SP_PRE_NONE && (r = cmp_u64(a->pre, b->pre)))
		return r;
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if (a->has_post && (r = cmp_u64(a->post, b->post)))
		return r;
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	if (a->has_dev && (r = cmp_u64(a->dev, b->dev)))
		return r;
	if (!a->local[0] || !b->local[0])
		return a->local[0] ? 1 : b->local[0] ? -1 : 0;
	return cmp_local(a->local, b->local);
}

bool sp_version_is_prerelease(const struct sp_version *v)
{
	return v->pre_kind != SP_PRE_NONE || v->has_dev;
}

bool sp_version_is_postrelease(const struct sp_version *v)
{
	return v->has_post;
}

void sp_version_public(const struct sp_version *v, struct sp_version *out)
{
	if (out != v)
		*out = *v;
	out->local[0] = '\0';
}

void sp_version_base(const struct sp_version *v, struct sp_version *out)
{
	if (out != v)
		*out = *v;
	out->pre_kind = SP_PRE_NONE;
	out->pre = 0;
	out->has_post = false;
	out->post = 0;
	out->has_dev = false;
	out->dev = 0;
	out->local[0] = '\0';
}
