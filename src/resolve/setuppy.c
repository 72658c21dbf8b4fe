/*
 * Literal setup() arguments out of a setup.py (see setuppy.h).
 *
 * Soundness comes before coverage: whatever could make the value at run
 * time differ from the text is "unknown". So the call must be the file's
 * only call of setup() or setuptools.setup() (two calls usually sit in
 * if/else branches), it must not take **kwargs or *args, and a name used as
 * a value must be bound exactly once, at module level, to a literal, and
 * appear nowhere else in the file (no append, no +=, no import over it),
 * in a file with no star import and no exec/eval/globals/locals/vars that
 * could rebind it behind the parser's back.
 */
#include "resolve/setuppy.h"
#include "resolve/tsparse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "core/banned.h"

const TSLanguage *tree_sitter_python(void);

struct ctx {
	struct sp_arena *a;
	const char *text;
	struct sp_diag *d;
	TSNode root;
	TSNode call;           /* the setup() call */
	size_t ncalls;
	bool rebinding;        /* star import or exec-like builtins: names are not trusted */
	const char **items;    /* list being built (malloc'd) */
	size_t nitems, capitems;
};

static unsigned line_of(TSNode n)
{
	return ts_node_start_point(n).row + 1;
}

static int unknown(struct ctx *c, TSNode n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int unknown(struct ctx *c, TSNode n, const char *fmt, ...)
{
	char msg[SP_DIAG_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->d)
		c->d->line = ts_node_is_null(n) ? 0 : line_of(n);
	return sp_diag_set(c->d, SP_EUNSUPPORTED, "setup.py: %s", msg);
}

static bool is_type(TSNode n, const char *type)
{
	return strcmp(ts_node_type(n), type) == 0;
}

static bool text_is(struct ctx *c, TSNode n, const char *s)
{
	uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);

	return strlen(s) == e - b && memcmp(c->text + b, s, e - b) == 0;
}

/* setup(...), setuptools.setup(...) or distutils.core.setup(...). */
static bool is_setup_call(struct ctx *c, TSNode call)
{
	TSNode f = ts_node_child_by_field_name(call, "function", 8), o;

	if (ts_node_is_null(f))
		return false;
	if (is_type(f, "identifier"))
		return text_is(c, f, "setup");
	if (!is_type(f, "attribute"))
		return false;
	o = ts_node_child_by_field_name(f, "object", 6);
	return text_is(c, ts_node_child_by_field_name(f, "attribute", 9), "setup") &&
	       !ts_node_is_null(o) &&
	       (text_is(c, o, "setuptools") || text_is(c, o, "distutils.core"));
}

static bool is_rebinding_builtin(struct ctx *c, TSNode id)
{
	static const char *const names[] = {"exec", "eval", "globals", "locals", "vars",
					    "setattr", "__builtins__", "__dict__"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (text_is(c, id, names[i]))
			return true;
	return false;
}

/* Whether id is a reference to a variable (not a keyword name or an attribute name). */
static bool is_reference(TSNode id)
{
	TSNode parent = ts_node_parent(id), f;

	if (ts_node_is_null(parent))
		return true;
	if (is_type(parent, "keyword_argument")) {
		f = ts_node_child_by_field_name(parent, "name", 4);
		return !ts_node_eq(f, id);
	}
	if (is_type(parent, "attribute")) {
		f = ts_node_child_by_field_name(parent, "attribute", 9);
		return !ts_node_eq(f, id);
	}
	return true;
}

/*
 * One bounded, iterative walk of the whole tree. With name NULL: finds the
 * setup() calls and anything that could rebind names. With a name: counts
 * its references.
 */
static int walk(struct ctx *c, const char *name, size_t *refs)
{
	TSTreeCursor cur = ts_tree_cursor_new(c->root);
	size_t visited = 0;
	int err = 0;

	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&cur);

		if (++visited > SP_MAX_SETUPPY_NODES) {
			err = sp_diag_set(c->d, SP_ELIMIT, "setup.py: more than %d syntax nodes",
					  SP_MAX_SETUPPY_NODES);
			break;
		}
		if (!name && is_type(n, "call") && is_setup_call(c, n)) {
			if (c->ncalls++ == 0)
				c->call = n;
		} else if (!name && is_type(n, "wildcard_import")) {
			c->rebinding = true;
		} else if (is_type(n, "identifier")) {
			if (!name && is_rebinding_builtin(c, n))
				c->rebinding = true;
			else if (name && text_is(c, n, name) && is_reference(n))
				(*refs)++;
		}
		if (ts_tree_cursor_goto_first_child(&cur))
			continue;
		while (!ts_tree_cursor_goto_next_sibling(&cur))
			if (!ts_tree_cursor_goto_parent(&cur))
				goto out;
	}
out:
	ts_tree_cursor_delete(&cur);
	return err;
}

/*
 * The literal a name stands for: its one module-level `NAME = literal`,
 * when the name occurs nowhere else than there and at use.
 */
static int resolve_name(struct ctx *c, TSNode id, const char *arg, TSNode *out)
{
	uint32_t i, m = ts_node_named_child_count(c->root);
	char *name;
	size_t refs = 0, nbind = 0;
	int err;

	if (c->rebinding)
		return unknown(c, id, "%s is a name, and the file may rebind names (star import or "
			       "exec-like call)", arg);
	name = xstrndup(c->text + ts_node_start_byte(id),
			ts_node_end_byte(id) - ts_node_start_byte(id));
	for (i = 0; i < m; i++) {
		TSNode st = ts_node_named_child(c->root, i), as, left;

		if (!is_type(st, "expression_statement") || ts_node_named_child_count(st) != 1)
			continue;
		as = ts_node_named_child(st, 0);
		if (!is_type(as, "assignment"))
			continue;
		left = ts_node_child_by_field_name(as, "left", 4);
		if (!ts_node_is_null(left) && is_type(left, "identifier") &&
		    text_is(c, left, name)) {
			*out = ts_node_child_by_field_name(as, "right", 5);
			nbind++;
		}
	}
	err = walk(c, name, &refs);
	if (!err && (nbind != 1 || refs != 2 || ts_node_is_null(*out)))
		err = unknown(c, id, "%s is the name '%s', which is not bound once to a literal "
			      "and left alone", arg, name);
	free(name);
	return err;
}

static void push(struct ctx *c, const char *s)
{
	SP_GROW(c->items, c->nitems + 1, c->capitems);
	c->items[c->nitems++] = s;
}

/* A Python string literal's value: plain or r/u prefix, simple escapes only. */
static int py_string(struct ctx *c, TSNode s, const char *arg, struct sp_buf *out)
{
	uint32_t i, m = ts_node_child_count(s);
	bool raw = false;
	int err = 0;

	if (is_type(s, "concatenated_string")) {
		for (i = 0; i < m && !err; i++)
			if (is_type(ts_node_child(s, i), "string"))
				err = py_string(c, ts_node_child(s, i), arg, out);
		return err;
	}
	if (!is_type(s, "string"))
		return unknown(c, s, "%s holds a %s, not a string literal", arg, ts_node_type(s));
	for (i = 0; i < m; i++) {
		TSNode k = ts_node_child(s, i);
		uint32_t b = ts_node_start_byte(k), e = ts_node_end_byte(k), j;
		const char *t = c->text + b;

		if (is_type(k, "string_start")) {
			for (j = 0; j < e - b && t[j] != '"' && t[j] != '\''; j++) {
				if (t[j] == 'r' || t[j] == 'R')
					raw = true;
				else if (t[j] != 'u' && t[j] != 'U')
					return unknown(c, k, "%s holds a %c-string", arg, t[j]);
			}
		} else if (is_type(k, "string_content")) {
			for (j = 0; j < e - b; j++) {
				char ch = t[j];

				if (ch == '\\' && !raw) {
					if (++j == e - b)
						return unknown(c, k, "%s: bad escape", arg);
					ch = t[j];
					if (ch == '\n')
						continue;
					if (ch == 'n')
						ch = '\n';
					else if (ch == 't')
						ch = '\t';
					else if (ch != '\\' && ch != '\'' && ch != '"')
						return unknown(c, k, "%s holds the escape "
							       "'\\%c'", arg, ch);
				}
				if (ch == '\0')
					return unknown(c, k, "%s holds a NUL byte", arg);
				if (sp_buf_add(out, &ch, 1) < 0)
					return sp_diag_set(c->d, SP_ELIMIT,
							   "setup.py: string too long");
			}
		} else if (is_type(k, "interpolation")) {
			return unknown(c, k, "%s holds an f-string", arg);
		} else if (!is_type(k, "string_end")) {
			return unknown(c, k, "%s holds %s", arg, ts_node_type(k));
		}
	}
	return 0;
}

/* A string's lines as requirements, as setuptools' yield_lines reads them. */
static int add_lines(struct ctx *c, TSNode s, const char *arg)
{
	struct sp_buf b;
	char *line, *save = NULL, *hash;
	int err;

	sp_buf_init(&b, SP_MAX_SETUPPY_BYTES);
	err = py_string(c, s, arg, &b);
	for (line = err || !b.len ? NULL : strtok_r(b.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n;

		if ((hash = strstr(line, " #")) || (hash = strstr(line, "\t#")))
			*hash = '\0';
		while (*line == ' ' || *line == '\t' || *line == '\r')
			line++;
		n = strlen(line);
		while (n && strchr(" \t\r", line[n - 1]))
			n--;
		if (!n || line[0] == '#')
			continue;
		if (c->nitems == SP_MAX_PYPROJECT_LIST) {
			err = sp_diag_set(c->d, SP_ELIMIT, "setup.py: %s has more than %d items",
					  arg, SP_MAX_PYPROJECT_LIST);
			break;
		}
		push(c, sp_arena_strndup(c->a, line, n));
	}
	sp_buf_release(&b);
	return err;
}

/* A string, or a list or tuple of strings, into a fresh arena list. */
static int req_list(struct ctx *c, TSNode v, const char *arg, const char *const **out,
		    size_t *n)
{
	const char **list;
	int err = 0;

	c->nitems = 0;
	if (is_type(v, "list") || is_type(v, "tuple")) {
		uint32_t i, m = ts_node_named_child_count(v);

		for (i = 0; i < m && !err; i++) {
			TSNode x = ts_node_named_child(v, i);

			if (!is_type(x, "comment"))
				err = add_lines(c, x, arg);
		}
	} else if (is_type(v, "string") || is_type(v, "concatenated_string")) {
		err = add_lines(c, v, arg);
	} else {
		err = unknown(c, v, "%s is computed (a %s, not a list of string literals)", arg,
			      ts_node_type(v));
	}
	if (err)
		return err;
	list = sp_arena_alloc(c->a, (c->nitems + 1) * sizeof(*list));
	if (c->nitems)
		memcpy(list, c->items, c->nitems * sizeof(*list));
	*out = list;
	*n = c->nitems;
	return 0;
}

static int value_of(struct ctx *c, TSNode v, const char *arg, TSNode *out)
{
	*out = v;
	if (is_type(v, "identifier"))
		return resolve_name(c, v, arg, out);
	return 0;
}

static int extras(struct ctx *c, TSNode v, struct sp_setuppy *s)
{
	uint32_t i, m, k = 0;
	int err;

	if (!is_type(v, "dictionary"))
		return unknown(c, v, "extras_require is computed (a %s, not a dict literal)",
			       ts_node_type(v));
	m = ts_node_named_child_count(v);
	if (m > SP_MAX_PYPROJECT_LIST)
		return sp_diag_set(c->d, SP_ELIMIT, "setup.py: more than %d extras",
				   SP_MAX_PYPROJECT_LIST);
	s->extras = sp_arena_alloc(c->a, (m + 1) * sizeof(*s->extras));
	for (i = 0; i < m; i++) {
		TSNode p = ts_node_named_child(v, i), key, val;
		struct sp_buf b;

		if (is_type(p, "comment"))
			continue;
		if (!is_type(p, "pair"))
			return unknown(c, p, "extras_require holds a %s", ts_node_type(p));
		key = ts_node_child_by_field_name(p, "key", 3);
		val = ts_node_child_by_field_name(p, "value", 5);
		if (ts_node_is_null(key) || ts_node_is_null(val))
			return unknown(c, p, "extras_require has an incomplete entry");
		sp_buf_init(&b, 4096);
		err = py_string(c, key, "an extras_require key", &b);
		if (!err)
			s->extras[k].name = sp_arena_strndup(c->a, b.data ? b.data : "", b.len);
		sp_buf_release(&b);
		if (err || (err = req_list(c, val, "extras_require", &s->extras[k].reqs,
					   &s->extras[k].nreqs)))
			return err;
		k++;
	}
	s->nextras = k;
	return 0;
}

static int arguments(struct ctx *c, struct sp_setuppy *s)
{
	TSNode args = ts_node_child_by_field_name(c->call, "arguments", 9), v;
	bool seen[3] = {false, false, false};
	uint32_t i, m;
	int err = 0;

	if (ts_node_is_null(args))
		return unknown(c, c->call, "setup() has no argument list");
	m = ts_node_named_child_count(args);
	for (i = 0; i < m && !err; i++) {
		TSNode a = ts_node_named_child(args, i), name;
		int which;

		if (is_type(a, "comment"))
			continue;
		if (is_type(a, "dictionary_splat") || is_type(a, "list_splat"))
			return unknown(c, a, "setup() takes arguments from %s",
				       is_type(a, "dictionary_splat") ? "**kwargs" : "*args");
		if (!is_type(a, "keyword_argument"))
			return unknown(c, a, "setup() takes a positional argument");
		name = ts_node_child_by_field_name(a, "name", 4);
		which = text_is(c, name, "install_requires") ? 0
			: text_is(c, name, "extras_require") ? 1
			: text_is(c, name, "python_requires") ? 2 : -1;
		if (which < 0)
			continue;
		if (seen[which])
			return unknown(c, a, "setup() repeats a keyword argument");
		seen[which] = true;
		if ((err = value_of(c, ts_node_child_by_field_name(a, "value", 5),
				    which == 0 ? "install_requires" : which == 1 ? "extras_require"
				    : "python_requires", &v)))
			return err;
		if (which == 0) {
			s->has_install_requires = true;
			err = req_list(c, v, "install_requires", &s->install_requires,
				       &s->ninstall_requires);
		} else if (which == 1) {
			s->has_extras_require = true;
			err = extras(c, v, s);
		} else {
			struct sp_buf b;

			sp_buf_init(&b, 4096);
			err = py_string(c, v, "python_requires", &b);
			if (!err)
				s->python_requires = sp_arena_strndup(c->a, b.data ? b.data : "",
								      b.len);
			sp_buf_release(&b);
		}
	}
	return err;
}

int sp_setuppy_parse(struct sp_arena *a, const char *text, size_t len, struct sp_setuppy *out,
		     struct sp_diag *d)
{
	struct ctx c;
	TSTree *tree = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if (len > SP_MAX_SETUPPY_BYTES)
		return sp_diag_set(d, SP_ELIMIT, "setup.py is larger than %d bytes",
				   SP_MAX_SETUPPY_BYTES);
	c.a = a;
	c.text = text;
	c.d = d;
	if ((err = sp_ts_parse(tree_sitter_python(), "setup.py", text, len,
			       SP_SETUPPY_PARSE_TIMEOUT_US, &tree, d)))
		goto out;
	c.root = ts_tree_root_node(tree);
	if (ts_node_has_error(c.root)) {
		err = unknown(&c, c.root, "the file does not parse as Python");
		goto out;
	}
	if ((err = walk(&c, NULL, NULL)))
		goto out;
	if (c.ncalls != 1) {
		err = unknown(&c, c.ncalls ? c.call : c.root, "%s",
			      c.ncalls ? "more than one setup() call"
				       : "no setup() or setuptools.setup() call");
		goto out;
	}
	out->line = line_of(c.call);
	err = arguments(&c, out);
out:
	free(c.items);
	if (tree)
		ts_tree_delete(tree);
	if (err)
		memset(out, 0, sizeof(*out));
	return err;
}
