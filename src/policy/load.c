/*
 * Reading policy files: JSON with comments, checked against the format of
 * docs/policy.md (policy/schema.json says the same for editors). Unknown
 * keys, duplicate keys, wrong types and bad values are errors that name the
 * file, the line and the JSON path, so a typo never silently weakens a
 * policy.
 *
 * Comments are blanked (replaced by spaces, newlines kept) so that cJSON
 * sees plain JSON with every value on its original line. cJSON keeps no
 * positions, so one pass over the blanked text records the line of every
 * value in document order, and a pre-order walk of the parsed tree pairs
 * them with its nodes.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "policy/internal.h"
#include "core/banned.h"

/* --- comments --- */

/*
 * Blanks // and block comments outside strings in place; checks nesting
 * depth and NUL bytes on the way. Returns 0, or an error with *line set.
 */
static int strip_comments(char *s, size_t len, unsigned *line, const char **what)
{
	size_t i = 0;
	unsigned ln = 1, depth = 0, open_line = 0;
	bool in_str = false;

	while (i < len) {
		char c = s[i];

		if (c == '\0') {
			*line = ln;
			*what = "a NUL byte";
			return SP_EPARSE;
		}
		if (c == '\n')
			ln++;
		if (in_str) {
			if (c == '\\' && i + 1 < len && s[i + 1] != '\n')
				i++;
			else if (c == '"' || c == '\n')
				in_str = false; /* a newline ends it: cJSON reports the error */
			i++;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > SP_MAX_POLICY_DEPTH) {
				*line = ln;
				*what = "nesting deeper than SP_MAX_POLICY_DEPTH";
				return SP_ELIMIT;
			}
		} else if (c == ']' || c == '}') {
			if (depth)
				depth--;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				s[i++] = ' ';
			continue;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			open_line = ln;
			s[i++] = ' ';
			s[i++] = ' ';
			while (i < len && !(s[i] == '*' && i + 1 < len && s[i + 1] == '/')) {
				if (s[i] == '\n')
					ln++;
				else
					s[i] = ' ';
				i++;
			}
			if (i >= len) {
				*line = open_line;
				*what = "a comment that is never closed";
				return SP_EPARSE;
			}
			s[i++] = ' ';
			s[i++] = ' ';
			continue;
		}
		i++;
	}
	return 0;
}

/* --- lines of values --- */

/*
 * The line of every value in document (pre-)order; an object member's
 * line is its key's. The text is valid JSON (cJSON accepted it).
 */
static unsigned *value_lines(const char *s, size_t len, size_t *n)
{
	unsigned *lines = NULL, ln = 1, key_line = 0;
	size_t cap = 0, i = 0;
	/* For each open container: is it an object, and is a key expected next? */
	bool obj[SP_MAX_POLICY_DEPTH + 1], want_key[SP_MAX_POLICY_DEPTH + 1];
	int depth = 0;

	*n = 0;
	while (i < len) {
		char c = s[i];
		bool is_value = false;

		if (c == '\n') {
			ln++;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == ':') {
			i++;
			continue;
		}
		if (c == ',') {
			if (depth > 0 && obj[depth - 1])
				want_key[depth - 1] = true;
			i++;
			continue;
		}
		if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
			i++;
			continue;
		}
		if (c == '"' && depth > 0 && obj[depth - 1] && want_key[depth - 1]) {
			want_key[depth - 1] = false;
			key_line = ln;
		} else {
			is_value = true;
		}
		if (is_value) {
			SP_GROW(lines, *n + 1, cap);
			lines[(*n)++] = (depth > 0 && obj[depth - 1]) ? key_line : ln;
		}
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
		} else if (c == '{' || c == '[') {
			if (depth >= SP_MAX_POLICY_DEPTH)
				break;
			obj[depth] = c == '{';
			want_key[depth] = c == '{';
			depth++;
			i++;
		} else {
			while (i < len && !strchr(" \t\r\n,]}", s[i]))
				i++;
		}
	}
	return lines;
}

/* Node -> line, filled by a pre-order walk. */
struct line_map {
	struct {
		const cJSON *node;
		unsigned line;
	} * slots;
	size_t mask;
};

static size_t node_hash(const cJSON *node, size_t mask)
{
	uintptr_t v = (uintptr_t)node;

	return (size_t)((v >> 4) ^ (v >> 13)) & mask;
}

static void map_nodes(struct line_map *m, const cJSON *node, const unsigned *lines, size_t n,
		      size_t *k)
{
	const cJSON *c;
	size_t i;

	if (*k < n) {
		for (i = node_hash(node, m->mask); m->slots[i].node; i = (i + 1) & m->mask)
			;
		m->slots[i].node = node;
		m->slots[i].line = lines[*k];
	}
	(*k)++;
	for (c = node->child; c; c = c->next)
		map_nodes(m, c, lines, n, k);
}

static unsigned line_of(const struct line_map *m, const cJSON *node)
{
	size_t i;

	if (!m->slots)
		return 0;
	for (i = node_hash(node, m->mask); m->slots[i].node; i = (i + 1) & m->mask)
		if (m->slots[i].node == node)
			return m->slots[i].line;
	return 0;
}

/* --- parsing context and errors --- */

struct comp {
	const char *key; /* NULL for an array index */
	size_t index;
};

struct ctx {
	struct sp_policy *pol;
	struct sp_policy_set *set;
	sp_layer_ref layer;
	const char *file;
	struct sp_diag *d;
	struct line_map lines;
	struct comp path[SP_MAX_POLICY_DEPTH + 4];
	int depth;
	bool enforced;
};

static void push_key(struct ctx *c, const char *key)
{
	c->path[c->depth].key = key;
	c->path[c->depth++].index = 0;
}

static void push_index(struct ctx *c, size_t i)
{
	c->path[c->depth].key = NULL;
	c->path[c->depth++].index = i;
}

static void pop(struct ctx *c)
{
	c->depth--;
}

static bool plain_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-' && *k != '$')
			return false;
	return true;
}

/* "$.a.b[2]"; odd keys as ["k"] with quotes and controls replaced by '?'. */
static char *path_text(const struct ctx *c)
{
	struct sp_buf b;
	int i;

	sp_buf_init(&b, 4096);
	sp_buf_addstr(&b, "$");
	for (i = 0; i < c->depth; i++) {
		const char *k = c->path[i].key;

		if (!k) {
			sp_buf_addf(&b, "[%zu]", c->path[i].index);
		} else if (plain_key(k)) {
			sp_buf_addf(&b, ".%s", k);
		} else {
			sp_buf_addstr(&b, "[\"");
			for (; *k && b.len < 200; k++)
				sp_buf_add(&b,
					   (unsigned char)*k < 0x20 || *k == '"' || *k == '\\' ? "?"
											       : k,
					   1);
			sp_buf_addstr(&b, "\"]");
		}
	}
	return sp_buf_detach(&b, NULL);
}

/* Reports a bad value at the current path; node locates the line. */
static int fail(struct ctx *c, const cJSON *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const cJSON *node, const char *fmt, ...)
{
	char what[SP_DIAG_TEXT];
	char *path;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!c->d)
		return SP_EFORMAT;
	path = path_text(c);
	sp_diag_file(c->d, c->file);
	c->d->line = node ? line_of(&c->lines, node) : 0;
	snprintf(c->d->where, sizeof(c->d->where), "%s", path);
	sp_diag_set(c->d, SP_EFORMAT, "invalid policy '%s' line %u at %s: %s", c->file, c->d->line,
		    path, what);
	free(path);
	return SP_EFORMAT;
}

static char *cur_path(struct ctx *c)
{
	char *p = path_text(c), *r = sp_arena_strdup(&c->set->arena, p);

	free(p);
	return r;
}

/* --- values --- */

struct kid {
	const char *key;
	size_t ord;
};

static int cmp_kid(const void *a, const void *b)
{
	const struct kid *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	return r ? r : (x->ord > y->ord) - (x->ord < y->ord);
}

/*
 * An object whose keys are all in keys (NULL: any key), none twice, at
 * most SP_MAX_POLICY_ENTRIES.
 */
static int check_object(struct ctx *c, const cJSON *o, const char *const *keys)
{
	const cJSON *k;
	struct kid *kids = NULL;
	size_t n = 0, i, j;
	int err = 0;

	if (!cJSON_IsObject(o))
		return fail(c, o, "expected an object");
	for (k = o->child; k; k = k->next)
		n++;
	if (n > SP_MAX_POLICY_ENTRIES) {
		fail(c, o, "more than %d entries (SP_MAX_POLICY_ENTRIES)", SP_MAX_POLICY_ENTRIES);
		return SP_ELIMIT;
	}
	kids = xcalloc(n ? n : 1, sizeof(*kids));
	for (k = o->child, i = 0; k; k = k->next, i++) {
		kids[i].key = k->string;
		kids[i].ord = i;
		if (!keys)
			continue;
		for (j = 0; keys[j] && strcmp(keys[j], k->string); j++)
			;
		if (!keys[j]) {
			char list[400] = "";
			size_t off = 0;

			for (j = 0; keys[j] && off < sizeof(list); j++)
				off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
							j ? ", " : "", keys[j]);
			push_key(c, k->string);
			err = fail(c, k, "unknown key (expected one of: %s)", list);
			pop(c);
			goto out;
		}
	}
	qsort(kids, n, sizeof(*kids), cmp_kid);
	for (i = 1; i < n; i++) {
		if (strcmp(kids[i].key, kids[i - 1].key) == 0) {
			for (k = o->child, j = 0; j < kids[i].ord; j++)
				k = k->next;
			push_key(c, k->string);
			err = fail(c, k, "duplicate key");
			pop(c);
			goto out;
		}
	}
out:
	free(kids);
	return err;
}

static int check_array(struct ctx *c, const cJSON *a, size_t *n)
{
	const cJSON *k;

	*n = 0;
	if (!cJSON_IsArray(a))
		return fail(c, a, "expected an array");
	for (k = a->child; k; k = k->next)
		(*n)++;
	if (*n > SP_MAX_POLICY_ENTRIES) {
		fail(c, a, "more than %d entries (SP_MAX_POLICY_ENTRIES)", SP_MAX_POLICY_ENTRIES);
		return SP_ELIMIT;
	}
	return 0;
}

/* A string of 1..SP_MAX_POLICY_STRING bytes of valid UTF-8, no control characters. */
static int get_string(struct ctx *c, const cJSON *v, const char **out)
{
	const unsigned char *p;
	char *clean;
	size_t n;
	bool same;

	if (!cJSON_IsString(v))
		return fail(c, v, "expected a string");
	n = strlen(v->valuestring);
	if (n == 0)
		return fail(c, v, "expected a non-empty string");
	if (n > SP_MAX_POLICY_STRING)
		return fail(c, v, "string longer than %d bytes (SP_MAX_POLICY_STRING)",
			    SP_MAX_POLICY_STRING);
	for (p = (const unsigned char *)v->valuestring; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return fail(c, v, "control character in a string");
	clean = sp_utf8_clean(v->valuestring, n);
	same = strcmp(clean, v->valuestring) == 0;
	free(clean);
	if (!same)
		return fail(c, v, "invalid UTF-8 in a string");
	*out = v->valuestring;
	return 0;
}

static int get_action(struct ctx *c, const cJSON *v, bool finding, enum sp_action *out)
{
	const char *s;
	int err;

	if ((err = get_string(c, v, &s)))
		return err;
	if (strcmp(s, finding ? "ignore" : "allow") == 0)
		*out = SP_ACTION_ALLOW;
	else if (strcmp(s, "warn") == 0)
		*out = SP_ACTION_WARN;
	else if (strcmp(s, "block") == 0)
		*out = SP_ACTION_BLOCK;
	else
		return fail(c, v, "unknown action '%s' (expected %s, warn or block)", s,
			    finding ? "ignore" : "allow");
	return 0;
}

/* A whole non-negative JSON number up to max. */
static int get_integer(struct ctx *c, const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	double x;

	if (!cJSON_IsNumber(v))
		return fail(c, v, "expected a number");
	x = v->valuedouble;
	if (!(x >= (double)min && x <= (double)max) || x != (double)(int64_t)x)
		return fail(c, v, "expected a whole number from %lld to %lld", (long long)min,
			    (long long)max);
	*out = (int64_t)x;
	return 0;
}

static int get_bytes(struct ctx *c, const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	static const struct {
		const char *unit;
		int64_t mult;
	} units[] = {
		{"B", 1},      {"KB", 1000},	 {"MB", 1000000},     {"GB", 1000000000},
		{"KiB", 1024}, {"MiB", 1048576}, {"GiB", 1073741824},
	};
	const char *s, *p;
	int64_t n = 0;
	size_t i;
	int err;

	if (cJSON_IsNumber(v))
		return get_integer(c, v, min, max, out);
	if ((err = get_string(c, v, &s)))
		return fail(c, v, "expected a number of bytes or a string such as \"100 MiB\"");
	for (p = s; isdigit((unsigned char)*p) && n <= max; p++)
		n = n * 10 + (*p - '0');
	if (p == s || n > max)
		goto bad;
	if (*p == ' ')
		p++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].unit) == 0) {
			if (n > max / units[i].mult || n * units[i].mult < min)
				goto bad;
			*out = n * units[i].mult;
			return 0;
		}
	}
bad:
	return fail(c, v, "expected a size from %lld to %lld bytes, e.g. 1048576 or \"100 MiB\"",
		    (long long)min, (long long)max);
}

static int get_scalar(struct ctx *c, enum sp_policy_key k, const cJSON *v)
{
	const struct keydef *kd = &sp_policy_keydefs[k];
	struct sp_pval *pv = &c->set->v[k];
	enum sp_action a = SP_ACTION_UNSET;
	const char *s;
	int64_t x = 0;
	int err = 0;

	switch (kd->type) {
	case VT_FINDING_ACTION:
	case VT_ACTION:
		err = get_action(c, v, kd->type == VT_FINDING_ACTION, &a);
		x = a;
		break;
	case VT_BOOL:
		if (!cJSON_IsBool(v))
			return fail(c, v, "expected true or false");
		x = cJSON_IsTrue(v);
		break;
	case VT_DURATION:
		if ((err = get_string(c, v, &s)))
			return fail(c, v, "expected a duration such as \"7 days\" or \"12h\"");
		if (sp_policy_parse_duration(s, &x) || x < kd->min || x > kd->max)
			return fail(c, v,
				    "invalid duration '%s' (e.g. \"7 days\", \"12h\", "
				    "\"2 weeks\", \"1 year\"%s)",
				    s, kd->min > 0 ? "; not zero" : "");
		break;
	case VT_BYTES:
		err = get_bytes(c, v, kd->min, kd->max, &x);
		break;
	case VT_COUNT:
		err = get_integer(c, v, kd->min, kd->max, &x);
		break;
	}
	if (err)
		return err;
	pv->v = x;
	pv->layer = c->layer;
	pv->line = line_of(&c->lines, v);
	return 0;
}

/* Handles key k of section if it is a scalar; *done says whether it was. */
static int maybe_scalar(struct ctx *c, const char *section, const cJSON *k, bool *done)
{
	int i;

	*done = false;
	for (i = 0; i < SP_PK_COUNT; i++) {
		if (strcmp(sp_policy_keydefs[i].section, section) == 0 &&
		    strcmp(sp_policy_keydefs[i].name, k->string) == 0) {
			*done = true;
			return get_scalar(c, (enum sp_policy_key)i, k);
		}
	}
	return 0;
}

/* kebab-case ids as the catalog writes them, and "*" where allowed. */
static bool valid_id(const char *s)
{
	if (!*s || strlen(s) > 100)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-' &&
		    *s != '_')
			return false;
	return true;
}

/* PEP 508 names: letters, digits, '.', '_', '-', starting and ending alphanumeric. */
static bool valid_package(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 200 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

/* Specifier text: what PEP 440 specifiers are made of, starting with an operator. */
static bool valid_spec(const char *s)
{
	if (!*s)
		return true;
	if (!strchr("<>=!~", *s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("<>=!~,.*+ -_", *s))
			return false;
	return true;
}

static int get_name(struct ctx *c, const cJSON *v, char **out)
{
	const char *s;
	int err;

	if ((err = get_string(c, v, &s)))
		return err;
	if (!valid_package(s, strlen(s)))
		return fail(c, v, "invalid package name '%s'", s);
	*out = sp_policy_normalize_name(s);
	return 0;
}

/* --- sections --- */

static int parse_entry(struct ctx *c, const cJSON *v, const char *key, bool sev_ok,
		       struct sp_policy_entry *e)
{
	static const char *const keys[] = {"action", "min_severity", "min_confidence", NULL};
	static const char *const sev_keys[] = {"action", "min_confidence", NULL};
	const cJSON *k;
	bool have_action = false;
	int err;

	memset(e, 0, sizeof(*e));
	e->key = key ? sp_arena_strdup(&c->set->arena, key) : NULL;
	e->min_severity = -1;
	e->min_confidence = -1;
	e->layer = c->layer;
	e->path = cur_path(c);
	e->line = line_of(&c->lines, v);
	if (cJSON_IsString(v))
		return get_action(c, v, true, &e->action);
	if (!cJSON_IsObject(v))
		return fail(c, v,
			    "expected an action (\"ignore\", \"warn\", \"block\") or an "
			    "object with \"action\"");
	if ((err = check_object(c, v, sev_ok ? keys : sev_keys)))
		return err;
	for (k = v->child; k; k = k->next) {
		const char *s;

		push_key(c, k->string);
		if (strcmp(k->string, "action") == 0) {
			err = get_action(c, k, true, &e->action);
			have_action = true;
		} else if (!(err = get_string(c, k, &s))) {
			enum sp_severity sv;
			enum sp_confidence cf;

			if (strcmp(k->string, "min_severity") == 0) {
				if (sp_severity_parse(s, &sv))
					err = fail(c, k,
						   "unknown severity '%s' (expected info, low, "
						   "medium, high or critical)",
						   s);
				e->min_severity = (int)sv;
			} else {
				if (sp_confidence_parse(s, &cf))
					err = fail(c, k,
						   "unknown confidence '%s' (expected low, "
						   "medium or high)",
						   s);
				e->min_confidence = (int)cf;
			}
		}
		pop(c);
		if (err)
			return err;
	}
	if (!have_action)
		return fail(c, v, "missing \"action\"");
	return 0;
}

static int parse_map(struct ctx *c, const cJSON *o, bool package_keys, struct sp_policy_entry **out,
		     size_t *nout)
{
	const cJSON *k;
	size_t cap = 0;
	int err;

	if ((err = check_object(c, o, NULL)))
		return err;
	for (k = o->child; k; k = k->next) {
		char *key;

		push_key(c, k->string);
		if (package_keys) {
			if (!valid_package(k->string, strlen(k->string))) {
				err = fail(c, k, "invalid package name");
				pop(c);
				return err;
			}
			key = sp_policy_normalize_name(k->string);
		} else {
			if (!valid_id(k->string)) {
				err = fail(c, k,
					   "invalid id (expected lower-case letters, digits "
					   "and '-')");
				pop(c);
				return err;
			}
			key = xstrdup(k->string);
		}
		SP_GROW(*out, *nout + 1, cap);
		if (package_keys) {
			enum sp_action a = SP_ACTION_UNSET;

			err = get_action(c, k, false, &a);
			memset(&(*out)[*nout], 0, sizeof(**out));
			(*out)[*nout].key = sp_arena_strdup(&c->set->arena, key);
			(*out)[*nout].action = a;
			(*out)[*nout].min_severity = -1;
			(*out)[*nout].min_confidence = -1;
			(*out)[*nout].layer = c->layer;
			(*out)[*nout].path = cur_path(c);
			(*out)[*nout].line = line_of(&c->lines, k);
		} else {
			err = parse_entry(c, k, key, true, &(*out)[*nout]);
		}
		free(key);
		pop(c);
		if (err)
			return err;
		(*nout)++;
	}
	return 0;
}

static int parse_findings(struct ctx *c, const cJSON *o)
{
	static const char *const keys[] = {"default", "severity", "categories", "rules", NULL};
	static const char *const sev_keys[] = {"critical", "high", "medium", "low", "info", NULL};
	const cJSON *k, *s;
	bool done;
	int err;

	if ((err = check_object(c, o, keys)))
		return err;
	for (k = o->child; k && !err; k = k->next) {
		push_key(c, k->string);
		if ((err = maybe_scalar(c, "findings", k, &done)) || done) {
			pop(c);
			continue;
		}
		if (strcmp(k->string, "severity") == 0) {
			if (!(err = check_object(c, k, sev_keys))) {
				for (s = k->child; s && !err; s = s->next) {
					enum sp_severity sv = SP_SEV_INFO;

					sp_severity_parse(s->string, &sv);
					push_key(c, s->string);
					err = parse_entry(c, s, NULL, false, &c->set->severity[sv]);
					pop(c);
				}
			}
		} else if (strcmp(k->string, "categories") == 0) {
			err = parse_map(c, k, false, &c->set->categories, &c->set->ncategories);
		} else {
			err = parse_map(c, k, false, &c->set->rules, &c->set->nrules);
		}
		pop(c);
	}
	return err;
}

/* A package and its specifiers from "name>=1,<2". */
static int parse_pkg(struct ctx *c, const cJSON *v, struct sp_policy_pkg *p)
{
	const char *s, *q, *name_end;
	char *name, *norm;
	int err;

	if ((err = get_string(c, v, &s)))
		return err;
	for (q = s; *q && (isalnum((unsigned char)*q) || strchr("._-", *q)); q++)
		;
	name_end = q;
	if (!valid_package(s, (size_t)(name_end - s)))
		return fail(c, v, "invalid package name in '%s'", s);
	while (*q == ' ')
		q++;
	if (!valid_spec(q))
		return fail(c, v,
			    "invalid version specifiers in '%s' (e.g. \"name\", "
			    "\"name==1.2\", \"name>=1,<2\")",
			    s);
	memset(p, 0, sizeof(*p));
	name = xstrndup(s, (size_t)(name_end - s));
	norm = sp_policy_normalize_name(name);
	p->name = sp_arena_strdup(&c->set->arena, norm);
	free(norm);
	free(name);
	p->spec = sp_arena_strdup(&c->set->arena, q);
	p->layer = c->layer;
	p->path = cur_path(c);
	p->line = line_of(&c->lines, v);
	return 0;
}

static int parse_pkg_list(struct ctx *c, const cJSON *a, struct sp_policy_pkg **out, size_t *nout)
{
	const cJSON *k;
	size_t n = 0, i = 0;
	int err;

	if ((err = check_array(c, a, &n)))
		return err;
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (k = a->child; k; k = k->next, i++) {
		push_index(c, i);
		err = parse_pkg(c, k, &(*out)[i]);
		pop(c);
		if (err)
			return err;
		(*nout)++;
	}
	return 0;
}

enum name_kind { NAME_PACKAGE, NAME_URL, NAME_LICENSE };

static int parse_name_list(struct ctx *c, const cJSON *a, enum name_kind kind,
			   struct sp_policy_name **out, size_t *nout)
{
	const cJSON *k;
	size_t n = 0, i = 0;
	int err;

	if ((err = check_array(c, a, &n)))
		return err;
	*out = xcalloc(n ? n : 1, sizeof(**out));
	for (k = a->child; k; k = k->next, i++) {
		struct sp_policy_name *nm = &(*out)[i];
		const char *s;
		char *v = NULL;

		push_index(c, i);
		if (kind == NAME_PACKAGE) {
			err = get_name(c, k, &v);
		} else if (!(err = get_string(c, k, &s))) {
			size_t len = strlen(s);

			if (kind == NAME_URL) {
				if ((strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) ||
				    strpbrk(s, " \t"))
					err = fail(c, k, "expected an http:// or https:// URL");
				while (len > 1 && s[len - 1] == '/')
					len--;
			} else {
				const char *p;

				for (p = s; *p; p++)
					if (!isalnum((unsigned char)*p) && !strchr(".-+:", *p))
						break;
				if (*p)
					err = fail(c, k,
						   "expected an SPDX license id such as "
						   "\"MIT\" or \"Apache-2.0\"");
			}
			v = xstrndup(s, len);
		}
		if (!err) {
			nm->name = sp_arena_strdup(&c->set->arena, v);
			nm->layer = c->layer;
			nm->path = cur_path(c);
			nm->line = line_of(&c->lines, k);
			(*nout)++;
		}
		free(v);
		pop(c);
		if (err)
			return err;
	}
	return 0;
}

static int parse_exception(struct ctx *c, const cJSON *o, struct sp_policy_exception *e)
{
	static const char *const keys[] = {"package", "versions", "rules", "reason",
					   "owner",   "expires",  NULL};
	static const char *const required[] = {"package", "rules",   "reason",
					       "owner",	  "expires", NULL};
	const cJSON *k;
	size_t i, n;
	int err;

	if ((err = check_object(c, o, keys)))
		return err;
	for (i = 0; required[i]; i++)
		if (!cJSON_GetObjectItemCaseSensitive(o, required[i]))
			return fail(c, o,
				    "missing \"%s\" (an exception needs package, rules, "
				    "reason, owner and expires)",
				    required[i]);
	memset(e, 0, sizeof(*e));
	e->versions = sp_arena_strdup(&c->set->arena, "");
	e->layer = c->layer;
	e->path = cur_path(c);
	e->line = line_of(&c->lines, o);
	for (k = o->child; k && !err; k = k->next) {
		const char *s = NULL;
		char *v = NULL;

		push_key(c, k->string);
		if (strcmp(k->string, "package") == 0) {
			if (!(err = get_name(c, k, &v))) {
				e->package = sp_arena_strdup(&c->set->arena, v);
				free(v);
			}
		} else if (strcmp(k->string, "rules") == 0) {
			const cJSON *r;

			if (!(err = check_array(c, k, &n)) && n == 0)
				err = fail(c, k,
					   "expected at least one rule id (or \"*\" for all)");
			if (!err)
				e->rules = sp_arena_alloc(&c->set->arena, n * sizeof(*e->rules));
			for (r = k->child, i = 0; r && !err; r = r->next, i++) {
				push_index(c, i);
				if (!(err = get_string(c, r, &s)) && strcmp(s, "*") &&
				    !valid_id(s) && !sp_policy_is_advisory_id(s))
					err = fail(c, r,
						   "invalid rule id '%s' (a rule or check id, an "
						   "advisory id such as GHSA-..., CVE-... or "
						   "PYSEC-..., or \"*\")",
						   s);
				if (!err)
					e->rules[e->nrules++] = sp_arena_strdup(&c->set->arena, s);
				pop(c);
			}
		} else if (!(err = get_string(c, k, &s))) {
			if (strcmp(k->string, "versions") == 0) {
				if (!valid_spec(s))
					err = fail(c, k, "invalid version specifiers '%s'", s);
				e->versions = sp_arena_strdup(&c->set->arena, s);
			} else if (strcmp(k->string, "reason") == 0) {
				e->reason = sp_arena_strdup(&c->set->arena, s);
			} else if (strcmp(k->string, "owner") == 0) {
				e->owner = sp_arena_strdup(&c->set->arena, s);
			} else if (sp_policy_parse_date(s, &e->expires)) {
				err = fail(c, k, "expected a date as YYYY-MM-DD");
			} else {
				snprintf(e->expires_text, sizeof(e->expires_text), "%s", s);
			}
		}
		pop(c);
	}
	return err;
}

static int parse_exceptions(struct ctx *c, const cJSON *a)
{
	const cJSON *k;
	size_t n = 0, i = 0;
	int err;

	if ((err = check_array(c, a, &n)))
		return err;
	c->set->exceptions = xcalloc(n ? n : 1, sizeof(*c->set->exceptions));
	for (k = a->child; k; k = k->next, i++) {
		push_index(c, i);
		err = parse_exception(c, k, &c->set->exceptions[i]);
		pop(c);
		if (err)
			return err;
		c->set->nexceptions++;
	}
	return 0;
}

/* Sections made of scalars plus the lists named here. */
static int parse_section(struct ctx *c, const cJSON *o, const char *section)
{
	const char *keys[8];
	const cJSON *k;
	size_t nk = 0;
	bool done;
	int i, err;

	for (i = 0; i < SP_PK_COUNT; i++)
		if (strcmp(sp_policy_keydefs[i].section, section) == 0)
			keys[nk++] = sp_policy_keydefs[i].name;
	if (!strcmp(section, "packages")) {
		keys[nk++] = "allow";
		keys[nk++] = "deny";
	} else if (!strcmp(section, "sdists")) {
		keys[nk++] = "packages";
	} else if (!strcmp(section, "typosquatting") || !strcmp(section, "licenses") ||
		   !strcmp(section, "indexes")) {
		keys[nk++] = !strcmp(section, "indexes") ? "allowed" : "allow";
	} else if (!strcmp(section, "release_age")) {
		keys[nk++] = "exempt";
	} else if (!strcmp(section, "advisories")) {
		keys[nk++] = "severity";
	}
	keys[nk] = NULL;
	if ((err = check_object(c, o, keys)))
		return err;
	for (k = o->child; k && !err; k = k->next) {
		struct sp_policy_set *s = c->set;

		push_key(c, k->string);
		if ((err = maybe_scalar(c, section, k, &done)) || done) {
			pop(c);
			continue;
		}
		if (!strcmp(section, "packages"))
			err = !strcmp(k->string, "allow")
				      ? parse_pkg_list(c, k, &s->allow, &s->nallow)
				      : parse_pkg_list(c, k, &s->deny, &s->ndeny);
		else if (!strcmp(section, "sdists"))
			err = parse_map(c, k, true, &s->sdist_packages, &s->nsdist_packages);
		else if (!strcmp(section, "typosquatting"))
			err = parse_name_list(c, k, NAME_PACKAGE, &s->typo_allow, &s->ntypo_allow);
		else if (!strcmp(section, "licenses"))
			err = parse_name_list(c, k, NAME_LICENSE, &s->licenses, &s->nlicenses);
		else if (!strcmp(section, "indexes"))
			err = parse_name_list(c, k, NAME_URL, &s->indexes, &s->nindexes);
		else if (!strcmp(section, "advisories"))
			err = parse_section(c, k, "advisories.severity");
		else
			err = parse_name_list(c, k, NAME_PACKAGE, &s->age_exempt, &s->nage_exempt);
		pop(c);
	}
	return err;
}

static int parse_root(struct ctx *c, const cJSON *root)
{
	static const char *const keys[] = {
		"$schema",	 "description", "version",    "enforced",
		"findings",	 "packages",	"exceptions", "sdists",
		"typosquatting", "release_age", "yanked",     "require_hashes",
		"indexes",	 "transport",	"licenses",   "maintenance",
		"install",	 "limits",	"advisories", NULL,
	};
	const cJSON *k;
	bool done;
	int err;

	if ((err = check_object(c, root, keys)))
		return err;
	for (k = root->child; k && !err; k = k->next) {
		const char *s;
		int64_t v = 0;

		push_key(c, k->string);
		if ((err = maybe_scalar(c, "", k, &done)) || done) {
			pop(c);
			continue;
		}
		if (!strcmp(k->string, "$schema") || !strcmp(k->string, "description")) {
			err = get_string(c, k, &s);
		} else if (!strcmp(k->string, "version")) {
			if (!(err = get_integer(c, k, 0, 1000, &v)) && v != 1)
				err = fail(c, k,
					   "unsupported policy version %lld (this safepip reads "
					   "version 1)",
					   (long long)v);
		} else if (!strcmp(k->string, "enforced")) {
			if (!cJSON_IsBool(k))
				err = fail(c, k, "expected true or false");
			c->enforced = cJSON_IsTrue(k);
		} else if (!strcmp(k->string, "findings")) {
			err = parse_findings(c, k);
		} else if (!strcmp(k->string, "exceptions")) {
			err = parse_exceptions(c, k);
		} else {
			err = parse_section(c, k, k->string);
		}
		pop(c);
	}
	return err;
}

static unsigned line_at(const char *s, const char *at)
{
	unsigned ln = 1;

	for (; s < at; s++)
		if (*s == '\n')
			ln++;
	return ln;
}

int sp_policy_add_layer(struct sp_policy *p, enum sp_layer_kind kind, const char *file,
			const char *text, size_t len, struct sp_diag *d)
{
	struct sp_policy_set set;
	struct ctx c;
	cJSON *root = NULL;
	char *copy = NULL;
	const char *end = NULL, *what = "";
	unsigned *lines = NULL, line = 0;
	size_t nlines = 0, k = 0;
	int err;

	memset(&c, 0, sizeof(c));
	sp_set_init(&set);
	if (p->nlayers && p->layers[p->nlayers - 1].kind > kind) {
		err = sp_diag_set(d, SP_EINVAL, "policy layers added out of order");
		goto out;
	}
	if (len > SP_MAX_POLICY_BYTES) {
		sp_diag_file(d, file);
		err = sp_diag_set(d, SP_ELIMIT,
				  "cannot load policy '%s': larger than %d bytes "
				  "(SP_MAX_POLICY_BYTES)",
				  file, SP_MAX_POLICY_BYTES);
		goto out;
	}
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	if ((err = strip_comments(copy, len, &line, &what))) {
		sp_diag_file(d, file);
		if (d)
			d->line = line;
		sp_diag_set(d, err, "cannot parse policy '%s' line %u: %s", file, line, what);
		goto out;
	}
	root = cJSON_ParseWithLengthOpts(copy, len, &end, false);
	if (root && end) {
		while (end < copy + len && isspace((unsigned char)*end))
			end++;
	}
	if (!root || (end && end < copy + len)) {
		const char *at = end && end >= copy && end <= copy + len ? end : copy;

		sp_diag_file(d, file);
		if (d)
			d->line = line_at(copy, at);
		err = sp_diag_set(d, SP_EPARSE, "cannot parse policy '%s' line %u: %s", file,
				  line_at(copy, at),
				  root ? "text after the closing brace" : "invalid JSON");
		goto out;
	}
	c.pol = p;
	c.set = &set;
	c.layer = (sp_layer_ref)p->nlayers;
	c.file = file;
	c.d = d;
	lines = value_lines(copy, len, &nlines);
	c.lines.mask = 1;
	while (c.lines.mask < nlines * 2 + 1)
		c.lines.mask = c.lines.mask * 2 + 1;
	c.lines.slots = xcalloc(c.lines.mask + 1, sizeof(*c.lines.slots));
	map_nodes(&c.lines, root, lines, nlines, &k);
	if (k != nlines) {
		free(c.lines.slots);
		c.lines.slots = NULL; /* cannot pair them: no lines rather than wrong ones */
	}
	if ((err = parse_root(&c, root)))
		goto out;

	/* Accepted: the layer joins, its values merge over those before. */
	p->layers = xrealloc(p->layers, (p->nlayers + 1) * sizeof(*p->layers));
	p->layers[p->nlayers].kind = kind;
	p->layers[p->nlayers].file = xstrdup(file);
	p->layers[p->nlayers].enforced = c.enforced;
	p->nlayers++;
	sp_set_merge(p, &p->eff, &set, p->has_floor ? &p->floor : NULL, true);
	if (c.enforced) {
		sp_set_merge(p, &p->floor, &set, p->has_floor ? &p->floor : NULL, false);
		p->has_floor = true;
	}
out:
	free(c.lines.slots);
	free(lines);
	cJSON_Delete(root);
	free(copy);
	sp_set_release(&set);
	return err;
}
