/*
 * pyproject.toml through the tree-sitter TOML grammar (see pyproject.h).
 *
 * The grammar gives the syntax; this file gives the few TOML rules that
 * matter for the keys read: a key path is the table header plus the
 * (dotted) key plus any inline tables around the value, quoted keys and
 * strings are decoded, and a key read here may be set only once. A file
 * the grammar flags with an error is refused whole, since pip's TOML reader
 * would refuse it too and nothing read from it could be trusted.
 */
#include "resolve/pyproject.h"
#include "resolve/tsparse.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "core/banned.h"

const TSLanguage *tree_sitter_toml(void);

/* Longest key path this file cares about: project.optional-dependencies.NAME. */
#define MAX_PATH_READ 3

struct ctx {
	struct sp_arena *a;
	const char *text;
	struct sp_pyproject *p;
	struct sp_diag *d;
	/* keys set once already */
	bool seen_requires, seen_backend, seen_backend_path, seen_name, seen_version;
	bool seen_python, seen_deps, seen_dynamic;
	bool table_project, table_build, table_optional;
	size_t capextras;
};

static unsigned line_of(TSNode n)
{
	return ts_node_start_point(n).row + 1;
}

static int fail(struct ctx *c, TSNode n, int err, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(struct ctx *c, TSNode n, int err, const char *where, const char *fmt, ...)
{
	char msg[SP_DIAG_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->d) {
		c->d->line = line_of(n);
		snprintf(c->d->where, sizeof(c->d->where), "%s", where);
	}
	return sp_diag_set(c->d, err, "pyproject.toml: %s", msg);
}

static bool is_type(TSNode n, const char *type)
{
	return strcmp(ts_node_type(n), type) == 0;
}

static void put_utf8(struct sp_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sp_buf_add(b, u, n);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* One escape of a basic string at s[*i] (after the backslash); false when invalid. */
static bool unescape(struct sp_buf *b, const char *s, size_t len, size_t *i, bool multi)
{
	static const char from[] = "btnfr\"\\e", to[] = "\b\t\n\f\r\"\\\033";
	const char *hit;
	size_t digits, k;
	uint32_t cp = 0;

	if (*i >= len)
		return false;
	if (s[*i] && (hit = strchr(from, s[*i]))) {
		sp_buf_add(b, &to[hit - from], 1);
		(*i)++;
		return true;
	}
	if (multi && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r' || s[*i] == '\n')) {
		/* A line-ending backslash drops all whitespace up to the next text. */
		while (*i < len && strchr(" \t\r\n", s[*i]))
			(*i)++;
		return true;
	}
	digits = s[*i] == 'u' ? 4 : s[*i] == 'U' ? 8 : s[*i] == 'x' ? 2 : 0;
	if (!digits || len - *i - 1 < digits)
		return false;
	for (k = 1; k <= digits; k++) {
		int v = hexval(s[*i + k]);

		if (v < 0)
			return false;
		cp = cp << 4 | (uint32_t)v;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return false;
	put_utf8(b, cp);
	*i += digits + 1;
	return true;
}

/*
 * The value of a string or quoted-key node: quotes removed, escapes of
 * basic strings decoded, the newline right after an opening triple quote
 * dropped. NULL when the text is not a string the grammar should have let
 * through (defensive: then the file is refused).
 */
static const char *decode(struct ctx *c, TSNode n)
{
	uint32_t start = ts_node_start_byte(n), end = ts_node_end_byte(n);
	const char *s = c->text + start;
	size_t len = end - start, q, i;
	bool basic, multi;
	struct sp_buf b;
	const char *out = NULL;

	if (len < 2 || (s[0] != '"' && s[0] != '\''))
		return NULL;
	basic = s[0] == '"';
	multi = len >= 6 && s[1] == s[0] && s[2] == s[0];
	q = multi ? 3 : 1;
	if (len < 2 * q || s[len - 1] != s[0])
		return NULL;
	s += q;
	len -= 2 * q;
	if (multi && len && s[0] == '\n') {
		s++;
		len--;
	} else if (multi && len > 1 && s[0] == '\r' && s[1] == '\n') {
		s += 2;
		len -= 2;
	}
	sp_buf_init(&b, len + 1);
	for (i = 0; i < len;) {
		if (basic && s[i] == '\\') {
			i++;
			if (!unescape(&b, s, len, &i, multi))
				goto out;
			continue;
		}
		if (s[i] == '\0')
			goto out; /* a NUL cannot be in a requirement or a name */
		sp_buf_add(&b, &s[i], 1);
		i++;
	}
	out = sp_arena_strndup(c->a, b.data ? b.data : "", b.len);
out:
	sp_buf_release(&b);
	return out;
}

/* The parts of a key node (bare, quoted or dotted), in order. */
static int key_parts(struct ctx *c, TSNode key, const char **parts, size_t *n)
{
	TSNode stack[SP_MAX_TOML_KEY_PARTS * 2];
	size_t sp = 0;

	*n = 0;
	stack[sp++] = key;
	while (sp) {
		TSNode k = stack[--sp];

		if (is_type(k, "dotted_key")) {
			uint32_t m = ts_node_named_child_count(k);

			if (sp + m > sizeof(stack) / sizeof(stack[0]))
				return fail(c, key, SP_ELIMIT, "", "a key with more than %d parts",
					    SP_MAX_TOML_KEY_PARTS);
			while (m--)
				stack[sp++] = ts_node_named_child(k, m);
			continue;
		}
		if (*n == SP_MAX_TOML_KEY_PARTS)
			return fail(c, key, SP_ELIMIT, "", "a key with more than %d parts",
				    SP_MAX_TOML_KEY_PARTS);
		if (is_type(k, "bare_key")) {
			parts[*n] = sp_arena_strndup(c->a, c->text + ts_node_start_byte(k),
						     ts_node_end_byte(k) - ts_node_start_byte(k));
		} else if (is_type(k, "quoted_key")) {
			if (!(parts[*n] = decode(c, k)))
				return fail(c, k, SP_EPARSE, "", "bad quoted key");
		} else {
			return fail(c, k, SP_EPARSE, "", "unexpected %s in a key", ts_node_type(k));
		}
		(*n)++;
	}
	return 0;
}

static void join(char *buf, size_t size, const char *const *parts, size_t n)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "." : "", parts[i]);
}

/* Named children that are not comments, and the i-th of them. */
static uint32_t nkids(TSNode n)
{
	uint32_t i, k = 0, m = ts_node_named_child_count(n);

	for (i = 0; i < m; i++)
		k += !is_type(ts_node_named_child(n, i), "comment");
	return k;
}

static TSNode kid(TSNode n, uint32_t want)
{
	uint32_t i, k = 0, m = ts_node_named_child_count(n);

	for (i = 0; i < m; i++) {
		TSNode x = ts_node_named_child(n, i);

		if (is_type(x, "comment"))
			continue;
		if (k++ == want)
			return x;
	}
	return ts_node_named_child(n, m); /* null node */
}

static int get_string(struct ctx *c, TSNode v, const char *where, const char **out)
{
	if (!is_type(v, "string"))
		return fail(c, v, SP_EFORMAT, where, "'%s' must be a string", where);
	if (!(*out = decode(c, v)))
		return fail(c, v, SP_EPARSE, where, "bad string in '%s'", where);
	return 0;
}

static int get_list(struct ctx *c, TSNode v, const char *where, const char *const **out,
		    size_t *n)
{
	const char **items;
	uint32_t i, m;
	int err;

	if (!is_type(v, "array"))
		return fail(c, v, SP_EFORMAT, where, "'%s' must be an array of strings", where);
	m = ts_node_named_child_count(v);
	if (m > SP_MAX_PYPROJECT_LIST)
		return fail(c, v, SP_ELIMIT, where, "'%s' has more than %d items", where,
			    SP_MAX_PYPROJECT_LIST);
	items = sp_arena_alloc(c->a, (m + 1) * sizeof(*items));
	*n = 0;
	for (i = 0; i < m; i++) {
		TSNode x = ts_node_named_child(v, i);

		if (is_type(x, "comment"))
			continue;
		if (!is_type(x, "string"))
			return fail(c, x, SP_EFORMAT, where, "'%s' must be an array of strings",
				    where);
		if ((err = get_string(c, x, where, &items[*n])))
			return err;
		(*n)++;
	}
	*out = items;
	return 0;
}

static int once(struct ctx *c, TSNode n, bool *seen, const char *where)
{
	if (*seen)
		return fail(c, n, SP_EFORMAT, where, "'%s' is defined twice", where);
	*seen = true;
	return 0;
}

static bool eq(const char *const *parts, size_t n, const char *a, const char *b, const char *e)
{
	const char *want[3] = {a, b, e};
	size_t k = e ? 3 : b ? 2 : 1, i;

	if (n != k)
		return false;
	for (i = 0; i < k; i++)
		if (strcmp(parts[i], want[i]) != 0)
			return false;
	return true;
}

static int add_extra(struct ctx *c, TSNode v, const char *name, const char *where)
{
	struct sp_pyproject *p = c->p;
	struct sp_static_extra *x;
	size_t i;
	int err;

	for (i = 0; i < p->nextras; i++)
		if (strcmp(p->extras[i].name, name) == 0)
			return fail(c, v, SP_EFORMAT, where, "'%s' is defined twice", where);
	if (p->nextras == SP_MAX_PYPROJECT_LIST)
		return fail(c, v, SP_ELIMIT, where, "more than %d extras",
			    SP_MAX_PYPROJECT_LIST);
	if (p->nextras == c->capextras) {
		struct sp_static_extra *grown;

		c->capextras = c->capextras ? c->capextras * 2 : 8;
		grown = sp_arena_alloc(c->a, c->capextras * sizeof(*grown));
		if (p->nextras)
			memcpy(grown, p->extras, p->nextras * sizeof(*grown));
		p->extras = grown;
	}
	x = &p->extras[p->nextras];
	x->name = name;
	if ((err = get_list(c, v, where, &x->reqs, &x->nreqs)))
		return err;
	p->nextras++;
	return 0;
}

/* The leaves read here; a longer path under one of them means it is not a leaf. */
static const char *const leaves[][2] = {
	{"build-system", "requires"},   {"build-system", "build-backend"},
	{"build-system", "backend-path"}, {"project", "name"},
	{"project", "version"},         {"project", "requires-python"},
	{"project", "dependencies"},    {"project", "dynamic"},
};

static bool is_leaf(const char *t, const char *k)
{
	size_t i;

	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		if (strcmp(t, leaves[i][0]) == 0 && strcmp(k, leaves[i][1]) == 0)
			return true;
	return false;
}

static bool under_extras(const char *const *path, size_t n)
{
	return n >= 2 && strcmp(path[0], "project") == 0 &&
	       strcmp(path[1], "optional-dependencies") == 0;
}

static int put_string(struct ctx *c, TSNode v, bool *seen, const char *where, const char **out)
{
	int err = once(c, v, seen, where);

	return err ? err : get_string(c, v, where, out);
}

static int put_list(struct ctx *c, TSNode v, bool *seen, const char *where,
		    const char *const **out, size_t *n)
{
	int err = once(c, v, seen, where);

	return err ? err : get_list(c, v, where, out, n);
}

/* A value at a key path (inline tables already taken apart). */
static int assign(struct ctx *c, const char *const *path, size_t n, TSNode v)
{
	struct sp_pyproject *p = c->p;
	const char *const *ignored;
	size_t nignored;
	char where[256];

	join(where, sizeof(where), path, n);
	if (n == 1 || (n == 2 && under_extras(path, n)))
		return fail(c, v, SP_EFORMAT, where, "'%s' must be a table", where);
	if ((n > 2 && is_leaf(path[0], path[1])) || (n > 3 && under_extras(path, n)))
		return fail(c, v, SP_EFORMAT, where, "'%s' must not be a table", where);
	if (n == 3 && under_extras(path, n))
		return add_extra(c, v, path[2], where);
	if (eq(path, n, "build-system", "requires", NULL)) {
		p->has_build_requires = true;
		return put_list(c, v, &c->seen_requires, where, &p->build_requires,
				&p->nbuild_requires);
	}
	if (eq(path, n, "build-system", "build-backend", NULL))
		return put_string(c, v, &c->seen_backend, where, &p->build_backend);
	if (eq(path, n, "build-system", "backend-path", NULL)) {
		p->has_backend_path = true;
		return put_list(c, v, &c->seen_backend_path, where, &ignored, &nignored);
	}
	if (eq(path, n, "project", "name", NULL))
		return put_string(c, v, &c->seen_name, where, &p->name);
	if (eq(path, n, "project", "version", NULL))
		return put_string(c, v, &c->seen_version, where, &p->version);
	if (eq(path, n, "project", "requires-python", NULL))
		return put_string(c, v, &c->seen_python, where, &p->requires_python);
	if (eq(path, n, "project", "dependencies", NULL)) {
		p->has_dependencies = true;
		return put_list(c, v, &c->seen_deps, where, &p->dependencies, &p->ndependencies);
	}
	if (eq(path, n, "project", "dynamic", NULL))
		return put_list(c, v, &c->seen_dynamic, where, &p->dynamic, &p->ndynamic);
	return 0;
}

static bool relevant(const char *first)
{
	return strcmp(first, "project") == 0 || strcmp(first, "build-system") == 0;
}

/* A key = value pair under prefix (a table header or an enclosing inline table). */
static int pair(struct ctx *c, const char *const *prefix, size_t np, TSNode pr)
{
	const char *parts[SP_MAX_TOML_KEY_PARTS], *path[MAX_PATH_READ + 1];
	size_t nk, n, i;
	TSNode v;
	int err;

	if (nkids(pr) < 2)
		return fail(c, pr, SP_EPARSE, "", "a key without a value");
	if ((err = key_parts(c, kid(pr, 0), parts, &nk)))
		return err;
	n = np + nk;
	for (i = 0; i < n && i <= MAX_PATH_READ; i++)
		path[i] = i < np ? prefix[i] : parts[i - np];
	if (!relevant(path[0]))
		return 0;
	if (strcmp(path[0], "project") == 0)
		c->p->has_project = true;
	else
		c->p->has_build_system = true;
	v = kid(pr, nkids(pr) - 1);
	if (n > MAX_PATH_READ)
		return assign(c, path, MAX_PATH_READ + 1, v);
	if (is_type(v, "inline_table")) {
		uint32_t k, m = ts_node_named_child_count(v);

		for (k = 0; k < m; k++) {
			TSNode x = ts_node_named_child(v, k);

			if (is_type(x, "pair") && (err = pair(c, path, n, x)))
				return err;
		}
		return 0;
	}
	return assign(c, path, n, v);
}

static int table(struct ctx *c, TSNode t, bool array_of_tables)
{
	const char *parts[SP_MAX_TOML_KEY_PARTS];
	char where[256];
	uint32_t i, m;
	size_t n;
	bool *seen = NULL;
	int err;

	if ((err = key_parts(c, ts_node_named_child(t, 0), parts, &n)))
		return err;
	if (!relevant(parts[0]))
		return 0;
	join(where, sizeof(where), parts, n);
	if (array_of_tables && n <= 2)
		return fail(c, t, SP_EFORMAT, where, "'%s' must be a table, not an array of "
			    "tables", where);
	if (strcmp(parts[0], "project") == 0)
		c->p->has_project = true;
	else
		c->p->has_build_system = true;
	if (n == 1)
		seen = strcmp(parts[0], "project") == 0 ? &c->table_project : &c->table_build;
	else if (n == 2 && strcmp(parts[0], "project") == 0 &&
		 strcmp(parts[1], "optional-dependencies") == 0)
		seen = &c->table_optional;
	if (seen && (err = once(c, t, seen, where)))
		return err;
	/* A header below a leaf ([project.dependencies]) would make that leaf a table. */
	if ((n >= 2 && is_leaf(parts[0], parts[1])) || (n > 3 && under_extras(parts, n)))
		return fail(c, t, SP_EFORMAT, where, "'%s' must not be a table", where);
	if (n == 3 && under_extras(parts, n))
		return fail(c, t, SP_EFORMAT, where, "'%s' must be an array of strings", where);
	m = ts_node_named_child_count(t);
	for (i = 1; i < m; i++) {
		TSNode x = ts_node_named_child(t, i);

		if (is_type(x, "pair") && (err = pair(c, parts, n, x)))
			return err;
	}
	return 0;
}

/* The line of the first syntax error, by descending into children that have one. */
static unsigned error_line(TSNode n)
{
	uint32_t i, m, steps = 0;

	while (strcmp(ts_node_type(n), "ERROR") != 0 && !ts_node_is_missing(n) &&
	       steps++ < 100000) {
		m = ts_node_child_count(n);
		for (i = 0; i < m; i++)
			if (ts_node_has_error(ts_node_child(n, i)))
				break;
		if (i == m)
			break;
		n = ts_node_child(n, i);
	}
	return line_of(n);
}

int sp_pyproject_parse(struct sp_arena *a, const char *text, size_t len,
		       struct sp_pyproject *out, struct sp_diag *d)
{
	struct ctx c = {0};
	TSTree *tree = NULL;
	TSNode root;
	uint32_t i, m;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (len > SP_MAX_PYPROJECT_BYTES)
		return sp_diag_set(d, SP_ELIMIT, "pyproject.toml is larger than %d bytes",
				   SP_MAX_PYPROJECT_BYTES);
	if (memchr(text, '\0', len))
		return sp_diag_set(d, SP_EPARSE, "pyproject.toml holds a NUL byte");
	c.a = a;
	c.text = text;
	c.p = out;
	c.d = d;
	if ((err = sp_ts_parse(tree_sitter_toml(), "pyproject.toml", text, len,
			       SP_TOML_PARSE_TIMEOUT_US, &tree, d)))
		goto out;
	root = ts_tree_root_node(tree);
	if (ts_node_has_error(root)) {
		if (d)
			d->line = error_line(root);
		err = sp_diag_set(d, SP_EPARSE, "pyproject.toml is not valid TOML (line %u)",
				  d ? d->line : 0);
		goto out;
	}
	m = ts_node_named_child_count(root);
	for (i = 0; i < m && !err; i++) {
		TSNode x = ts_node_named_child(root, i);

		if (is_type(x, "pair"))
			err = pair(&c, NULL, 0, x);
		else if (is_type(x, "table"))
			err = table(&c, x, false);
		else if (is_type(x, "table_array_element"))
			err = table(&c, x, true);
	}
out:
	if (tree)
		ts_tree_delete(tree);
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}

bool sp_pyproject_is_dynamic(const struct sp_pyproject *p, const char *field)
{
	size_t i;

	for (i = 0; i < p->ndynamic; i++)
		if (strcmp(p->dynamic[i], field) == 0)
			return true;
	return false;
}
