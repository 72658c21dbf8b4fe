/*
 * PEP 440 version specifiers (see specifier.h).
 *
 * Clause semantics are PEP 440's, in the form current packaging releases
 * implement them (which pip's later versions vendor); where the packaging
 * 21.3 that pip 23.2 vendors differs, it is on inputs its own later
 * releases fixed (prefix matching of zero-padded versions) and is noted in
 * docs/requirements.md.
 */
#include "req/specifier.h"

#include <string.h>

#include "req/internal.h"
#include "core/banned.h"

static const char *const op_names[] = {
	[SP_OP_COMPATIBLE] = "~=", [SP_OP_EQ] = "==", [SP_OP_NE] = "!=", [SP_OP_LE] = "<=",
	[SP_OP_GE] = ">=",	   [SP_OP_LT] = "<",  [SP_OP_GT] = ">",	 [SP_OP_ARBITRARY] = "===",
};

const char *sp_spec_op_str(enum sp_spec_op op)
{
	return op_names[op];
}

/* Operators longest first, so "===" is not read as "==" and "=". */
static const enum sp_spec_op op_order[] = {SP_OP_ARBITRARY, SP_OP_COMPATIBLE, SP_OP_EQ, SP_OP_NE,
					   SP_OP_LE,	    SP_OP_GE,	      SP_OP_LT, SP_OP_GT};

static int bad_spec(struct sp_diag *d, int err, const char *s, size_t len, const char *why)
{
	char q[SP_REQ_QUOTE_MAX];

	sp_req_quote(q, sizeof(q), s, len);
	return sp_diag_set(d, err, "invalid specifier '%s': %s", q, why);
}

int sp_specifier_parse(struct sp_arena *a, const char *s, size_t len, struct sp_specifier *out,
		       struct sp_diag *d)
{
	const char *p = s, *end = s + len, *text, *vend;
	size_t i, olen = 0, tlen;
	int err;

	memset(out, 0, sizeof(*out));
	while (p < end && sp_req_space(*p))
		p++;
	while (end > p && sp_req_space(end[-1]))
		end--;
	s = p;
	len = (size_t)(end - p);
	if (len > SP_MAX_VERSION_LEN + 8)
		return bad_spec(d, SP_ELIMIT, s, len, "longer than SP_MAX_VERSION_LEN");
	if (memchr(s, '\0', len))
		return bad_spec(d, SP_EINVAL, s, len, "a NUL byte");
	for (i = 0; i < sizeof(op_order) / sizeof(op_order[0]); i++) {
		olen = strlen(op_names[op_order[i]]);
		if (len >= olen && !memcmp(p, op_names[op_order[i]], olen))
			break;
	}
	if (i == sizeof(op_order) / sizeof(op_order[0]))
		return bad_spec(d, SP_EINVAL, s, len,
				"no comparison operator (one of ~= == != <= >= < > ===)");
	out->op = op_order[i];
	p += olen;
	while (p < end && sp_req_space(*p))
		p++;
	text = p;
	tlen = (size_t)(end - p);
	if (tlen == 0)
		return bad_spec(d, SP_EINVAL, s, len, "no version after the operator");
	if (out->op == SP_OP_ARBITRARY) {
		for (i = 0; i < tlen; i++)
			if (sp_req_space(text[i]))
				return bad_spec(d, SP_EINVAL, s, len, "whitespace in the version");
		out->text = sp_arena_strndup(a, text, tlen);
		return 0;
	}
	vend = end;
	if (tlen >= 2 && vend[-2] == '.' && vend[-1] == '*') {
		if (out->op != SP_OP_EQ && out->op != SP_OP_NE)
			return bad_spec(d, SP_EINVAL, s, len,
					"'.*' is only allowed with == and !=");
		out->wildcard = true;
		vend -= 2;
	}
	err = sp_version_parse(&out->version, text, (size_t)(vend - text), NULL);
	if (err || (vend > text && sp_req_space(vend[-1])))
		return bad_spec(d, err == SP_ELIMIT ? SP_ELIMIT : SP_EINVAL, s, len,
				"the version is not PEP 440");
	if (out->version.local[0] &&
	    (out->wildcard || (out->op != SP_OP_EQ && out->op != SP_OP_NE)))
		return bad_spec(d, SP_EINVAL, s, len,
				out->wildcard ? "a local label cannot go with '.*'"
					      : "a local label is only allowed with == and !=");
	if (out->wildcard &&
	    (out->version.pre_kind != SP_PRE_NONE || out->version.has_post || out->version.has_dev))
		return bad_spec(d, SP_EINVAL, s, len,
				"'.*' can only follow a release (no pre, post or dev part)");
	if (out->op == SP_OP_COMPATIBLE && out->version.nrelease < 2)
		return bad_spec(d, SP_EINVAL, s, len, "~= needs at least two release numbers");
	out->text = sp_arena_strndup(a, text, (size_t)(vend - text));
	return 0;
}

int sp_specset_parse(struct sp_arena *a, const char *s, size_t len, struct sp_specset *out,
		     struct sp_diag *d)
{
	const char *p = s, *end = s + len;
	size_t cap = 0, i;
	int err;

	out->specs = NULL;
	out->n = 0;
	for (i = 0; i < len && sp_req_space(s[i]); i++)
		;
	if (i == len)
		return 0;
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;

		if (out->n == SP_MAX_SPECIFIERS)
			return sp_diag_set(d, SP_ELIMIT,
					   "too many clauses in a specifier (SP_MAX_SPECIFIERS)");
		out->specs = sp_req_grow(a, out->specs, out->n, &cap, sizeof(*out->specs));
		for (i = 0; p + i < stop && sp_req_space(p[i]); i++)
			;
		if (p + i == stop)
			return bad_spec(d, SP_EINVAL, s, len, "empty clause between commas");
		err = sp_specifier_parse(a, p, (size_t)(stop - p), &out->specs[out->n], d);
		if (err)
			return err;
		out->n++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* One part after the release: a pre-release, post or dev marker. */
struct suffix {
	int kind; /* 1..3 pre kind, 4 post, 5 dev */
	uint64_t n;
};

static size_t suffixes(const struct sp_version *v, struct suffix out[3])
{
	size_t n = 0;

	if (v->pre_kind != SP_PRE_NONE)
		out[n++] = (struct suffix){(int)v->pre_kind, v->pre};
	if (v->has_post)
		out[n++] = (struct suffix){4, v->post};
	if (v->has_dev)
		out[n++] = (struct suffix){5, v->dev};
	return n;
}

/*
 * Prefix matching ("==S.*"): the candidate's release, trailing zeros
 * dropped then padded with zeros to S's length, followed by its pre, post
 * and dev parts, cut to as many parts as S has, must equal S. Local labels
 * are ignored.
 */
static bool prefix_match(const struct sp_version *v, const struct sp_version *spec)
{
	struct suffix sv[3], ss[3];
	size_t nv = suffixes(v, sv), ns = suffixes(spec, ss), i;
	unsigned cr = v->nrelease;

	if (v->epoch != spec->epoch)
		return false;
	while (cr > 1 && v->release[cr - 1] == 0)
		cr--;
	for (i = 0; i < spec->nrelease; i++) {
		uint64_t x = i < cr ? v->release[i] : 0;

		if (x != spec->release[i])
			return false;
	}
	if (ns == 0)
		return true;
	/* A release longer than S's puts a number where S has a suffix. */
	if (cr > spec->nrelease || nv < ns)
		return false;
	for (i = 0; i < ns; i++)
		if (sv[i].kind != ss[i].kind || sv[i].n != ss[i].n)
			return false;
	return true;
}

static bool same_base(const struct sp_version *a, const struct sp_version *b)
{
	struct sp_version x, y;

	sp_version_base(a, &x);
	sp_version_base(b, &y);
	return sp_version_cmp(&x, &y) == 0;
}

static int cmp_public(const struct sp_version *v, const struct sp_version *spec)
{
	struct sp_version pub;

	sp_version_public(v, &pub);
	return sp_version_cmp(&pub, spec);
}

static bool equal(const struct sp_specifier *s, const struct sp_version *v)
{
	if (s->wildcard)
		return prefix_match(v, &s->version);
	if (s->version.local[0])
		return sp_version_cmp(v, &s->version) == 0;
	return cmp_public(v, &s->version) == 0;
}

static bool ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (sp_req_lower(*a) != sp_req_lower(*b))
			return false;
	return *a == *b;
}

bool sp_specifier_match(const struct sp_specifier *s, const struct sp_version *v)
{
	const struct sp_version *sv = &s->version;
	struct sp_version prefix;
	char text[SP_VERSION_TEXT_MAX];

	switch (s->op) {
	case SP_OP_EQ:
		return equal(s, v);
	case SP_OP_NE:
		return !equal(s, v);
	case SP_OP_LE:
		return cmp_public(v, sv) <= 0;
	case SP_OP_GE:
		return cmp_public(v, sv) >= 0;
	case SP_OP_LT:
		/* <V excludes V's own pre-releases unless V is one. */
		if (sp_version_cmp(v, sv) >= 0)
			return false;
		return sp_version_is_prerelease(sv) || !sp_version_is_prerelease(v) ||
		       !same_base(v, sv);
	case SP_OP_GT:
		/* >V excludes V's post-releases (unless V is one) and local versions. */
		if (sp_version_cmp(v, sv) <= 0)
			return false;
		if (!sp_version_is_postrelease(sv) && sp_version_is_postrelease(v) &&
		    same_base(v, sv))
			return false;
		return !v->local[0] || !same_base(v, sv);
	case SP_OP_COMPATIBLE:
		/* ~=X.Y.Z is >=X.Y.Z together with ==X.Y.* */
		if (cmp_public(v, sv) < 0)
			return false;
		sp_version_base(sv, &prefix);
		prefix.nrelease--;
		return prefix_match(v, &prefix);
	case SP_OP_ARBITRARY:
		sp_version_format(v, text, sizeof(text));
		return ieq(text, s->text);
	}
	return false;
}

bool sp_specifier_prereleases(const struct sp_specifier *s)
{
	struct sp_version v;

	switch (s->op) {
	case SP_OP_EQ:
	case SP_OP_LE:
	case SP_OP_GE:
	case SP_OP_COMPATIBLE:
		return sp_version_is_prerelease(&s->version);
	case SP_OP_ARBITRARY:
		return sp_version_parse(&v, s->text, strlen(s->text), NULL) == 0 &&
		       sp_version_is_prerelease(&v);
	default:
		return false;
	}
}

bool sp_specset_prereleases(const struct sp_specset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (sp_specifier_prereleases(&set->specs[i]))
			return true;
	return false;
}

bool sp_specset_contains(const struct sp_specset *set, const struct sp_version *v,
			 bool allow_prereleases)
{
	size_t i;

	if (sp_version_is_prerelease(v) && !allow_prereleases && !sp_specset_prereleases(set))
		return false;
	for (i = 0; i < set->n; i++)
		if (!sp_specifier_match(&set->specs[i], v))
			return false;
	return true;
}

size_t sp_specset_filter(const struct sp_specset *set, const struct sp_version *cands, size_t n,
			 bool allow_prereleases, bool *keep)
{
	bool allow = allow_prereleases || sp_specset_prereleases(set);
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		keep[i] = sp_specset_contains(set, &cands[i], allow);
		kept += keep[i];
	}
	/* pip's fallback: an empty set takes pre-releases when nothing else is there. */
	if (kept == 0 && set->n == 0) {
		for (i = 0; i < n; i++) {
			keep[i] = true;
			kept++;
		}
	}
	return kept;
}

int sp_specset_format(const struct sp_specset *set, struct sp_buf *out)
{
	char text[SP_VERSION_TEXT_MAX];
	size_t i;
	int err = 0;

	for (i = 0; i < set->n && !err; i++) {
		const struct sp_specifier *s = &set->specs[i];

		if (s->op == SP_OP_ARBITRARY) {
			err = sp_buf_addf(out, "%s%s%s", i ? "," : "", op_names[s->op], s->text);
			continue;
		}
		sp_version_format(&s->version, text, sizeof(text));
		err = sp_buf_addf(out, "%s%s%s%s", i ? "," : "", op_names[s->op], text,
				  s->wildcard ? ".*" : "");
	}
	return err;
}
