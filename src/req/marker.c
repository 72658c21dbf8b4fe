/*
 * PEP 508 environment markers (see marker.h).
 *
 * Grammar, as packaging's hand-written parser reads it (whitespace is
 * spaces and tabs):
 *
 *   marker  = and ("or" and)*
 *   and     = atom ("and" atom)*
 *   atom    = "(" marker ")" | value op value
 *   value   = VARIABLE | '...' | "..."
 *   op      = "===" | "==" | "~=" | "!=" | "<=" | ">=" | "<" | ">" | "in" | "not" WS "in"
 *
 * Words (variables, and, or, in, not) end at a word boundary. A
 * comparison needs exactly one variable: packaging accepts two strings or
 * two variables in its grammar but cannot evaluate them meaningfully.
 * "and"/"or" chains become one node with many operands, so recursion
 * depth is bounded by the nesting of parentheses alone.
 */
#include "req/marker.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/xalloc.h"
#include "req/internal.h"
#include "req/name.h"
#include "req/specifier.h"
#include "req/version.h"
#include "core/banned.h"

static const char *const var_names[SP_MV_COUNT] = {
	[SP_MV_PYTHON_VERSION] = "python_version",
	[SP_MV_PYTHON_FULL_VERSION] = "python_full_version",
	[SP_MV_OS_NAME] = "os_name",
	[SP_MV_SYS_PLATFORM] = "sys_platform",
	[SP_MV_PLATFORM_RELEASE] = "platform_release",
	[SP_MV_PLATFORM_SYSTEM] = "platform_system",
	[SP_MV_PLATFORM_VERSION] = "platform_version",
	[SP_MV_PLATFORM_MACHINE] = "platform_machine",
	[SP_MV_PLATFORM_PYTHON_IMPLEMENTATION] = "platform_python_implementation",
	[SP_MV_IMPLEMENTATION_NAME] = "implementation_name",
	[SP_MV_IMPLEMENTATION_VERSION] = "implementation_version",
	[SP_MV_EXTRA] = "extra",
};

/* Every spelling packaging accepts, longest first within a shared prefix. */
static const struct {
	const char *word;
	enum sp_marker_var var;
} spellings[] = {
	{"python_full_version", SP_MV_PYTHON_FULL_VERSION},
	{"python_version", SP_MV_PYTHON_VERSION},
	{"python_implementation", SP_MV_PLATFORM_PYTHON_IMPLEMENTATION},
	{"os_name", SP_MV_OS_NAME},
	{"os.name", SP_MV_OS_NAME},
	{"sys_platform", SP_MV_SYS_PLATFORM},
	{"sys.platform", SP_MV_SYS_PLATFORM},
	{"platform_release", SP_MV_PLATFORM_RELEASE},
	{"platform_system", SP_MV_PLATFORM_SYSTEM},
	{"platform_version", SP_MV_PLATFORM_VERSION},
	{"platform.version", SP_MV_PLATFORM_VERSION},
	{"platform_machine", SP_MV_PLATFORM_MACHINE},
	{"platform.machine", SP_MV_PLATFORM_MACHINE},
	{"platform_python_implementation", SP_MV_PLATFORM_PYTHON_IMPLEMENTATION},
	{"platform.python_implementation", SP_MV_PLATFORM_PYTHON_IMPLEMENTATION},
	{"implementation_name", SP_MV_IMPLEMENTATION_NAME},
	{"implementation_version", SP_MV_IMPLEMENTATION_VERSION},
	{"extra", SP_MV_EXTRA},
};

static const char *const op_names[] = {
	[SP_MOP_LT] = "<",	    [SP_MOP_LE] = "<=",		[SP_MOP_EQ] = "==",
	[SP_MOP_NE] = "!=",	    [SP_MOP_GE] = ">=",		[SP_MOP_GT] = ">",
	[SP_MOP_COMPATIBLE] = "~=", [SP_MOP_ARBITRARY] = "===", [SP_MOP_IN] = "in",
	[SP_MOP_NOT_IN] = "not in",
};

const char *sp_marker_var_name(enum sp_marker_var var)
{
	return var_names[var];
}

struct parser {
	struct sp_arena *a;
	const char *s, *p, *end;
	struct sp_diag *d;
	unsigned col0; /* columns before s, when s is part of a requirement */
};

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || sp_req_digit(c) || c == '_' ||
	       (unsigned char)c >= 0x80;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && sp_req_blank(*ps->p))
		ps->p++;
}

static int fail(struct parser *ps, int err, const char *what)
{
	char q[SP_REQ_QUOTE_MAX];
	size_t rest = (size_t)(ps->end - ps->p);

	unsigned col = ps->col0 + (unsigned)(ps->p - ps->s) + 1;

	if (ps->d)
		ps->d->col = col;
	if (rest == 0)
		return sp_diag_set(ps->d, err, "invalid marker: %s at the end (column %u)", what,
				   col);
	sp_req_quote(q, sizeof(q), ps->p, rest > 24 ? 24 : rest);
	return sp_diag_set(ps->d, err, "invalid marker: %s at column %u, before '%s'", what, col,
			   q);
}

/* Whether word is at ps->p followed by a word boundary; consumes it if so. */
static bool take_word(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return false;
	if (ps->p + n < ps->end && word_char(ps->p[n]))
		return false;
	ps->p += n;
	return true;
}

/* A variable or a quoted string: *var set (>= 0) or *lit set. */
static int value(struct parser *ps, int *var, const char **lit)
{
	size_t i;

	*var = -1;
	*lit = NULL;
	skip_ws(ps);
	if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\'')) {
		const char *q = memchr(ps->p + 1, *ps->p, (size_t)(ps->end - ps->p - 1));

		if (!q)
			return fail(ps, SP_EPARSE, "unterminated string");
		*lit = sp_arena_strndup(ps->a, ps->p + 1, (size_t)(q - ps->p - 1));
		ps->p = q + 1;
		return 0;
	}
	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		if (take_word(ps, spellings[i].word)) {
			*var = (int)spellings[i].var;
			return 0;
		}
	}
	return fail(ps, SP_EPARSE, "expected a marker variable or a quoted string");
}

static int op(struct parser *ps, enum sp_marker_op *out)
{
	static const enum sp_marker_op symbolic[] = {SP_MOP_ARBITRARY, SP_MOP_EQ, SP_MOP_COMPATIBLE,
						     SP_MOP_NE,	       SP_MOP_LE, SP_MOP_GE,
						     SP_MOP_LT,	       SP_MOP_GT};
	size_t i;

	skip_ws(ps);
	for (i = 0; i < sizeof(symbolic) / sizeof(symbolic[0]); i++) {
		size_t n = strlen(op_names[symbolic[i]]);

		if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, op_names[symbolic[i]], n)) {
			ps->p += n;
			*out = symbolic[i];
			return 0;
		}
	}
	if (take_word(ps, "in")) {
		*out = SP_MOP_IN;
		return 0;
	}
	if (take_word(ps, "not")) {
		const char *ws = ps->p;

		skip_ws(ps);
		if (ps->p > ws && take_word(ps, "in")) {
			*out = SP_MOP_NOT_IN;
			return 0;
		}
		return fail(ps, SP_EPARSE, "expected 'in' after 'not'");
	}
	return fail(ps, SP_EPARSE, "expected a comparison operator");
}

static int comparison(struct parser *ps, struct sp_marker **out)
{
	struct sp_marker *m = sp_arena_alloc(ps->a, sizeof(*m));
	const char *start = ps->p, *l1, *l2;
	int v1, v2, err;

	m->kind = SP_MARKER_CMP;
	if ((err = value(ps, &v1, &l1)) || (err = op(ps, &m->op)) || (err = value(ps, &v2, &l2)))
		return err;
	if ((v1 >= 0) == (v2 >= 0)) {
		ps->p = start;
		skip_ws(ps);
		return fail(ps, SP_EPARSE,
			    v1 >= 0 ? "a comparison of two variables"
				    : "a comparison of two strings (one side must be a variable)");
	}
	m->var_left = v1 >= 0;
	m->var = (enum sp_marker_var)(v1 >= 0 ? v1 : v2);
	m->literal = v1 >= 0 ? l2 : l1;
	if (m->var == SP_MV_EXTRA) {
		size_t n = strlen(m->literal);
		char *norm = sp_arena_alloc(ps->a, n + 1);

		sp_name_normalize_buf(norm, m->literal, n);
		m->literal = norm;
	}
	*out = m;
	return 0;
}

static int parse_or(struct parser *ps, unsigned depth, struct sp_marker **out);

static int atom(struct parser *ps, unsigned depth, struct sp_marker **out)
{
	int err;

	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '(') {
		if (depth >= SP_MAX_MARKER_DEPTH)
			return fail(ps, SP_ELIMIT,
				    "parentheses nested deeper than SP_MAX_MARKER_DEPTH");
		ps->p++;
		if ((err = parse_or(ps, depth + 1, out)))
			return err;
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ')')
			return fail(ps, SP_EPARSE, "expected ')'");
		ps->p++;
		return 0;
	}
	return comparison(ps, out);
}

/* One level of "and" (kind AND) or "or" (kind OR) operands. */
static int chain(struct parser *ps, unsigned depth, enum sp_marker_kind kind,
		 struct sp_marker **out)
{
	const char *word = kind == SP_MARKER_AND ? "and" : "or";
	struct sp_marker *first, *node = NULL;
	size_t cap = 0;
	int err;

	err = kind == SP_MARKER_AND ? atom(ps, depth, &first)
				    : chain(ps, depth, SP_MARKER_AND, &first);
	if (err)
		return err;
	for (;;) {
		struct sp_marker *next;
		const char *save = ps->p;

		skip_ws(ps);
		if (!take_word(ps, word)) {
			ps->p = save;
			break;
		}
		err = kind == SP_MARKER_AND ? atom(ps, depth, &next)
					    : chain(ps, depth, SP_MARKER_AND, &next);
		if (err)
			return err;
		if (!node) {
			node = sp_arena_alloc(ps->a, sizeof(*node));
			node->kind = kind;
			node->kids = sp_req_grow(ps->a, node->kids, node->nkids, &cap,
						 sizeof(*node->kids));
			node->kids[node->nkids++] = first;
		}
		node->kids = sp_req_grow(ps->a, node->kids, node->nkids, &cap, sizeof(*node->kids));
		node->kids[node->nkids++] = next;
	}
	*out = node ? node : first;
	return 0;
}

static int parse_or(struct parser *ps, unsigned depth, struct sp_marker **out)
{
	return chain(ps, depth, SP_MARKER_OR, out);
}

int sp_req_marker_parse_at(struct sp_arena *a, const char *s, size_t len, unsigned col0,
			   struct sp_marker **out, struct sp_diag *d)
{
	struct parser ps = {a, s, s, s + len, d, col0};
	int err;

	*out = NULL;
	if (len > SP_MAX_REQUIREMENT_LEN)
		return sp_diag_set(d, SP_ELIMIT,
				   "invalid marker: longer than SP_MAX_REQUIREMENT_LEN");
	if (memchr(s, '\0', len))
		return fail(&ps, SP_EPARSE, "NUL byte");
	if ((err = parse_or(&ps, 0, out)))
		return err;
	skip_ws(&ps);
	if (ps.p < ps.end)
		return fail(&ps, SP_EPARSE,
			    *ps.p == ')' ? "unbalanced ')'" : "expected 'and', 'or' or the end");
	return 0;
}

int sp_marker_parse(struct sp_arena *a, const char *s, size_t len, struct sp_marker **out,
		    struct sp_diag *d)
{
	return sp_req_marker_parse_at(a, s, len, 0, out, d);
}

/* --- evaluation --- */

static const char *env_value(const struct sp_marker_env *env, enum sp_marker_var var)
{
	const char *v = NULL;

	switch (var) {
	case SP_MV_PYTHON_VERSION:
		v = env->python_version;
		break;
	case SP_MV_PYTHON_FULL_VERSION:
		v = env->python_full_version;
		break;
	case SP_MV_OS_NAME:
		v = env->os_name;
		break;
	case SP_MV_SYS_PLATFORM:
		v = env->sys_platform;
		break;
	case SP_MV_PLATFORM_RELEASE:
		v = env->platform_release;
		break;
	case SP_MV_PLATFORM_SYSTEM:
		v = env->platform_system;
		break;
	case SP_MV_PLATFORM_VERSION:
		v = env->platform_version;
		break;
	case SP_MV_PLATFORM_MACHINE:
		v = env->platform_machine;
		break;
	case SP_MV_PLATFORM_PYTHON_IMPLEMENTATION:
		v = env->platform_python_implementation;
		break;
	case SP_MV_IMPLEMENTATION_NAME:
		v = env->implementation_name;
		break;
	case SP_MV_IMPLEMENTATION_VERSION:
		v = env->implementation_version;
		break;
	case SP_MV_EXTRA:
	case SP_MV_COUNT:
		break;
	}
	return v ? v : "";
}

static int strcmp_bytes(const char *a, const char *b)
{
	int r = strcmp(a, b); /* byte order is code point order in UTF-8 */

	return r < 0 ? -1 : r > 0;
}

/*
 * "lhs OP rhs" with packaging's rules: PEP 440 when "OP rhs" is a valid
 * specifier and lhs a valid version, else Python's string operators.
 */
static int compare(enum sp_marker_op op, const char *lhs, const char *rhs, struct sp_diag *d)
{
	struct sp_arena a;
	struct sp_specifier spec;
	struct sp_version v;
	char *text;
	int r = -1;

	if (op == SP_MOP_IN)
		return strstr(rhs, lhs) != NULL;
	if (op == SP_MOP_NOT_IN)
		return strstr(rhs, lhs) == NULL;
	sp_arena_init(&a);
	text = sp_arena_alloc(&a, strlen(op_names[op]) + strlen(rhs) + 1);
	memcpy(text, op_names[op], strlen(op_names[op]));
	memcpy(text + strlen(op_names[op]), rhs, strlen(rhs) + 1);
	if (sp_specifier_parse(&a, text, strlen(text), &spec, NULL) == 0 &&
	    sp_version_parse(&v, lhs, strlen(lhs), NULL) == 0)
		r = sp_specifier_match(&spec, &v);
	sp_arena_release(&a);
	if (r >= 0)
		return r;
	switch (op) {
	case SP_MOP_LT:
		return strcmp_bytes(lhs, rhs) < 0;
	case SP_MOP_LE:
		return strcmp_bytes(lhs, rhs) <= 0;
	case SP_MOP_EQ:
		return strcmp_bytes(lhs, rhs) == 0;
	case SP_MOP_NE:
		return strcmp_bytes(lhs, rhs) != 0;
	case SP_MOP_GE:
		return strcmp_bytes(lhs, rhs) >= 0;
	case SP_MOP_GT:
		return strcmp_bytes(lhs, rhs) > 0;
	case SP_MOP_ARBITRARY:
		/* "=== x" is string equality, ignoring case, whatever the values. */
		if (*rhs && !strpbrk(rhs, " \t\n\r\f\v")) {
			for (; *lhs && sp_req_lower(*lhs) == sp_req_lower(*rhs); lhs++, rhs++)
				;
			return *lhs == '\0' && *rhs == '\0';
		}
		break;
	default:
		break;
	}
	{
		char ql[SP_REQ_QUOTE_MAX], qr[SP_REQ_QUOTE_MAX];

		sp_req_quote(ql, sizeof(ql), lhs, strlen(lhs));
		sp_req_quote(qr, sizeof(qr), rhs, strlen(rhs));
		return sp_diag_set(
			d, SP_EINVAL,
			"cannot evaluate marker: '%s' %s '%s' is undefined (not versions)", ql,
			op_names[op], qr);
	}
}

static int eval_cmp(const struct sp_marker *m, const struct sp_marker_env *env, const char *extra,
		    struct sp_diag *d)
{
	const char *value;
	char *norm = NULL;
	int r;

	if (m->var == SP_MV_EXTRA) {
		size_t n = strlen(extra);

		norm = xmalloc(n + 1);
		sp_name_normalize_buf(norm, extra, n);
		value = norm;
	} else {
		value = env_value(env, m->var);
	}
	r = m->var_left ? compare(m->op, value, m->literal, d)
			: compare(m->op, m->literal, value, d);
	free(norm);
	return r;
}

static int eval(const struct sp_marker *m, const struct sp_marker_env *env, const char *extra,
		struct sp_diag *d)
{
	size_t i;

	if (m->kind == SP_MARKER_CMP)
		return eval_cmp(m, env, extra, d);
	for (i = 0; i < m->nkids; i++) {
		int r = eval(m->kids[i], env, extra, d);

		if (r < 0)
			return r;
		/* Short-circuit as Python's any()/all() do. */
		if (m->kind == SP_MARKER_AND ? !r : r)
			return r;
	}
	return m->kind == SP_MARKER_AND;
}

int sp_marker_evaluate(const struct sp_marker *m, const struct sp_marker_env *env,
		       struct sp_diag *d)
{
	size_t i;

	if (env->nextras == 0)
		return eval(m, env, "", d);
	for (i = 0; i < env->nextras; i++) {
		int r = eval(m, env, env->extras[i] ? env->extras[i] : "", d);

		if (r != 0)
			return r;
	}
	return 0;
}

/* --- formatting --- */

static int format(const struct sp_marker *m, struct sp_buf *out, bool paren)
{
	size_t i;
	int err = 0;

	if (m->kind == SP_MARKER_CMP) {
		char q = strchr(m->literal, '"') ? '\'' : '"';

		if (m->var_left)
			return sp_buf_addf(out, "%s %s %c%s%c", var_names[m->var], op_names[m->op],
					   q, m->literal, q);
		return sp_buf_addf(out, "%c%s%c %s %s", q, m->literal, q, op_names[m->op],
				   var_names[m->var]);
	}
	if (paren)
		err = sp_buf_addstr(out, "(");
	for (i = 0; i < m->nkids && !err; i++) {
		if (i)
			err = sp_buf_addstr(out, m->kind == SP_MARKER_AND ? " and " : " or ");
		if (!err)
			err = format(m->kids[i], out, m->kids[i]->kind != SP_MARKER_CMP);
	}
	if (paren && !err)
		err = sp_buf_addstr(out, ")");
	return err;
}

int sp_marker_format(const struct sp_marker *m, struct sp_buf *out)
{
	return format(m, out, false);
}
