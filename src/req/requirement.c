/*
 * PEP 508 dependency specifiers (see requirement.h).
 *
 *   requirement = WS? NAME WS? extras? WS? (url_part | spec_part) END
 *   extras      = "[" WS? (NAME (WS? "," WS? NAME)*)? WS? "]"
 *   url_part    = "@" WS? URL (WS (";" marker)?)?     URL = [^ \t]+
 *   spec_part   = ("(" specifiers ")" | specifiers)? WS? (";" marker)?
 *
 * Names follow PEP 508 (letters and digits, with "-_." inside). The
 * specifier text is handed to specifier.c and the marker to marker.c;
 * their errors come back with the column moved to this string.
 */
#include "req/requirement.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "req/internal.h"
#include "req/name.h"
#include "core/banned.h"

struct parser {
	struct sp_arena *a;
	const char *s, *p, *end;
	struct sp_diag *d;
};

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && sp_req_blank(*ps->p))
		ps->p++;
}

static int fail_at(struct parser *ps, const char *at, int err, const char *what)
{
	char q[SP_REQ_QUOTE_MAX];
	size_t len = (size_t)(ps->end - ps->s);

	sp_req_quote(q, sizeof(q), ps->s, len);
	if (ps->d)
		ps->d->col = (unsigned)(at - ps->s) + 1;
	return sp_diag_set(ps->d, err, "invalid requirement '%s': %s at column %u", q, what,
			   (unsigned)(at - ps->s) + 1);
}

/*
 * Wraps a message from marker.c (which names its column already) or
 * specifier.c (which does not: the clause starts at at) to name this
 * string. Both report syntax errors here, so SP_EINVAL becomes SP_EPARSE.
 */
static int fail_inner(struct parser *ps, const char *at, int err, bool has_col)
{
	char q[SP_REQ_QUOTE_MAX], inner[SP_DIAG_TEXT];
	unsigned col = (unsigned)(at - ps->s) + 1;

	err = err == SP_ELIMIT ? SP_ELIMIT : SP_EPARSE;
	if (!ps->d)
		return err;
	snprintf(inner, sizeof(inner), "%s", ps->d->msg);
	sp_req_quote(q, sizeof(q), ps->s, (size_t)(ps->end - ps->s));
	if (has_col)
		return sp_diag_set(ps->d, err, "invalid requirement '%s': %s", q, inner);
	ps->d->col = col;
	return sp_diag_set(ps->d, err, "invalid requirement '%s': %s at column %u", q, inner, col);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || sp_req_digit(c) || c == '-' ||
	       c == '_' || c == '.';
}

/* A PEP 508 name at ps->p, into *start and *len. */
static int name(struct parser *ps, const char *what, const char **start, size_t *len)
{
	const char *p = ps->p;

	while (ps->p < ps->end && name_char(*ps->p))
		ps->p++;
	*start = p;
	*len = (size_t)(ps->p - p);
	if (*len == 0)
		return fail_at(ps, p, SP_EPARSE, what);
	if (!sp_name_valid(p, *len))
		return fail_at(ps, p, SP_EPARSE,
			       "a name must start and end with a letter or digit");
	return 0;
}

static int extras(struct parser *ps, struct sp_requirement *r)
{
	size_t cap = 0, i;
	int err;

	ps->p++; /* '[' */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		const char *start;
		size_t len;
		char *norm;
		bool dup = false;

		if ((err = name(ps, "expected an extra name", &start, &len)))
			return err;
		norm = sp_arena_alloc(ps->a, len + 1);
		sp_name_normalize_buf(norm, start, len);
		for (i = 0; i < r->nextras && !dup; i++)
			dup = !strcmp(r->extras[i], norm);
		if (!dup) {
			if (r->nextras == SP_MAX_EXTRAS)
				return fail_at(ps, start, SP_ELIMIT,
					       "more extras than SP_MAX_EXTRAS");
			r->extras =
				sp_req_grow(ps->a, r->extras, r->nextras, &cap, sizeof(*r->extras));
			r->extras[r->nextras++] = norm;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return 0;
		}
		if (ps->p >= ps->end || *ps->p != ',')
			return fail_at(ps, ps->p, SP_EPARSE, "expected ',' or ']' after an extra");
		ps->p++;
		skip_ws(ps);
	}
}

/* scheme "://" and a host, which only file: URLs may leave empty. */
static bool url_ok(const char *u, size_t len)
{
	size_t i = 0, host;

	if (len == 0 || !((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
		return false;
	while (i < len && u[i] != ':') {
		char c = u[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || sp_req_digit(c) ||
		      c == '+' || c == '-' || c == '.'))
			return false;
		i++;
	}
	if (i == len || len - i < 3 || u[i + 1] != '/' || u[i + 2] != '/')
		return false;
	/* file:///path has an empty host; packaging refuses file:path. */
	if (i == 4 && !strncasecmp(u, "file", 4))
		return true;
	host = i + 3;
	return host < len && u[host] != '/' && u[host] != '?' && u[host] != '#';
}

static int marker(struct parser *ps, struct sp_requirement *r)
{
	const char *start;
	int err;

	ps->p++; /* ';' */
	start = ps->p;
	err = sp_req_marker_parse_at(ps->a, start, (size_t)(ps->end - start),
				     (unsigned)(start - ps->s), &r->marker, ps->d);
	if (err)
		return fail_inner(ps, start, err, true);
	ps->p = ps->end;
	return 0;
}

static int url_part(struct parser *ps, struct sp_requirement *r)
{
	const char *start;

	ps->p++; /* '@' */
	skip_ws(ps);
	start = ps->p;
	while (ps->p < ps->end && !sp_req_blank(*ps->p))
		ps->p++;
	if (ps->p == start)
		return fail_at(ps, start, SP_EPARSE, "expected a URL after '@'");
	if (!url_ok(start, (size_t)(ps->p - start)))
		return fail_at(ps, start, SP_EPARSE,
			       "the URL needs a scheme and a host (or file:)");
	r->url = sp_arena_strndup(ps->a, start, (size_t)(ps->p - start));
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ';')
		return marker(ps, r);
	return 0;
}

static int spec_part(struct parser *ps, struct sp_requirement *r)
{
	const char *start, *stop;
	int err;

	if (ps->p < ps->end && *ps->p == '(') {
		const char *close = memchr(ps->p, ')', (size_t)(ps->end - ps->p));

		if (!close)
			return fail_at(ps, ps->p, SP_EPARSE, "'(' without ')'");
		start = ps->p + 1;
		stop = close;
		ps->p = close + 1;
	} else {
		const char *semi = memchr(ps->p, ';', (size_t)(ps->end - ps->p));

		start = ps->p;
		stop = semi ? semi : ps->end;
		ps->p = stop;
	}
	err = sp_specset_parse(ps->a, start, (size_t)(stop - start), &r->spec, ps->d);
	if (err)
		return fail_inner(ps, start, err, false);
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ';')
		return marker(ps, r);
	return 0;
}

int sp_requirement_parse(struct sp_arena *a, const char *s, size_t len, struct sp_requirement **out,
			 struct sp_diag *d)
{
	struct parser ps = {a, s, s, s + len, d};
	struct sp_requirement *r;
	const char *nstart;
	size_t nlen;
	char *key;
	int err;

	*out = NULL;
	if (len > SP_MAX_REQUIREMENT_LEN)
		return sp_diag_set(d, SP_ELIMIT,
				   "invalid requirement: longer than SP_MAX_REQUIREMENT_LEN");
	if (memchr(s, '\0', len))
		return fail_at(&ps, (const char *)memchr(s, '\0', len), SP_EPARSE, "NUL byte");
	r = sp_arena_alloc(a, sizeof(*r));
	skip_ws(&ps);
	if ((err = name(&ps, "expected a project name", &nstart, &nlen)))
		return err;
	r->name = sp_arena_strndup(a, nstart, nlen);
	key = sp_arena_alloc(a, nlen + 1);
	sp_name_normalize_buf(key, nstart, nlen);
	r->key = key;
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '[' && (err = extras(&ps, r)))
		return err;
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '@')
		err = url_part(&ps, r);
	else
		err = spec_part(&ps, r);
	if (err)
		return err;
	skip_ws(&ps);
	if (ps.p < ps.end)
		return fail_at(&ps, ps.p, SP_EPARSE,
			       r->url ? "expected ';' and a marker after the URL"
				      : "expected a version specifier, ';' or the end");
	*out = r;
	return 0;
}

int sp_requirement_applies(const struct sp_requirement *r, const struct sp_marker_env *env,
			   struct sp_diag *d)
{
	return r->marker ? sp_marker_evaluate(r->marker, env, d) : 1;
}

int sp_requirement_format(const struct sp_requirement *r, struct sp_buf *out)
{
	size_t i;
	int err = sp_buf_addstr(out, r->name);

	for (i = 0; i < r->nextras && !err; i++)
		err = sp_buf_addf(out, "%s%s", i ? "," : "[", r->extras[i]);
	if (!err && r->nextras)
		err = sp_buf_addstr(out, "]");
	if (!err && r->url)
		err = sp_buf_addf(out, " @ %s", r->url);
	else if (!err)
		err = sp_specset_format(&r->spec, out);
	if (!err && r->marker) {
		err = sp_buf_addstr(out, r->url ? " ; " : "; ");
		if (!err)
			err = sp_marker_format(r->marker, out);
	}
	return err;
}
