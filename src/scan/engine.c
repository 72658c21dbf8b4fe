/*
 * The code scanner.
 *
 * A file is parsed once. One iterative walk over the tree collects its
 * structure: imports (the import table), function and lambda bodies
 * (context), import-like assignments, every call, and the nodes the other
 * rule patterns can be rooted at. Rule patterns are split at load time:
 * those rooted at a call and keyed by the callee's name, the method name
 * or the function node's type go into groups compiled on first use and run
 * only on the calls their keys name (a query's cost grows with every
 * pattern that could start at a node, and most rules start at calls); the
 * rest run on the nodes of their root types the walk noted, never over the
 * whole tree, and a type whose patterns all need some descendant (read from
 * their text, see node_paths()) only when the walk meets one. Root patterns
 * that name a callee for a child under a field ("x = random.random()",
 * "cert_reqs=ssl.CERT_NONE") are keyed instead (see keyed_shape()): they
 * run only on the nodes whose child there resolves to one of the names,
 * which most assignments and arguments do not. Every run is
 * limited to the node's last byte (see limit_to_end()). Queries run after
 * the walk, when the import table is complete (a module may use a name
 * above the import that binds it).
 *
 * Predicates tree-sitter leaves to the host:
 *   (#rule! "id")                    which catalog rule a pattern belongs to
 *   (#callee? @c "os.system" "os.exec*" ...)
 *                                    @c resolves, through the import table,
 *                                    to one of the names ("x*" is a prefix)
 *   (#not-callee? @c ...)            the opposite
 *   (#literal? @c) (#not-literal? @c)
 *                                    @c is a constant (string without
 *                                    interpolation, number, True/False/None)
 *   (#eq? @c "text") (#not-eq? ...) (#any-of? @c "a" "b" ...)
 *   (#match? @c "regex") (#not-match? ...)    on @c's source text
 *   (#str-match? @c "regex") (#not-str-match? ...)
 *                                    on the value of the string literal @c
 *   (#context? @c "function" "module" "import" "install" "toplevel")
 *   (#has-kwarg? @args "name") (#not-has-kwarg? @args "name")
 *   (#max-args? @args "N")           at most N positional arguments
 *   (#detail! @c)                    the finding's detail is @c's value (a
 *                                    string's contents, else its source
 *                                    text), capped: what a capability names
 * Every rule pattern captures @match: where the finding is reported.
 *
 * Built-in rules found by code rather than queries, on every file: raw
 * bidirectional controls and invisible characters (found by a byte scan,
 * placed by the tree), identifiers that mix scripts, look like ASCII or
 * normalise to it, long high-entropy literals, and every URL, host and IP
 * literal (capability-destination, capability-telemetry). Capability
 * findings are kept once per rule and detail in a file, apart from the
 * per-file cap, so they never crowd out a finding that matters.
 */
#include "scan/engine.h"

#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tree_sitter/api.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "scan/text.h"
#include "core/banned.h"

const TSLanguage *tree_sitter_python(void);


enum pred_op {
	P_CALLEE,
	P_NOT_CALLEE,
	P_LITERAL,
	P_NOT_LITERAL,
	P_EQ,
	P_NOT_EQ,
	P_ANY_OF,
	P_MATCH,
	P_NOT_MATCH,
	P_STR_MATCH,
	P_NOT_STR_MATCH,
	P_CONTEXT,
	P_HAS_KWARG,
	P_NOT_HAS_KWARG,
	P_MAX_ARGS,
};

struct pred {
	enum pred_op op;
	uint32_t capture;
	const char **args; /* strings owned by the TSQuery */
	uint32_t nargs;
	regex_t re;
	bool has_re;
	unsigned mask; /* P_CONTEXT: 1 << enum sp_context */
	long num;
};

struct pattern {
	const struct sp_rule *rule;
	struct pred *preds;
	uint32_t npreds;
	bool has_callee; /* the detail names the resolved callee */
	uint32_t callee_capture;
	bool has_detail; /* (#detail! @c): the detail is @c's value */
	uint32_t detail_capture;
};

/* A compiled query and what each of its patterns means. */
struct qset {
	TSQuery *query;
	struct pattern *patterns;
	uint32_t npatterns;
	uint32_t cap_match;
};

/*
 * Call patterns compiled on first use: compiling costs about a millisecond
 * per pattern, most of a run's start-up, while a small package calls few
 * of the names the rules know.
 */
struct unit {
	char *text;
	pthread_mutex_t lock;
	atomic_int state; /* 0 not compiled, 1 ready, -1 does not compile */
	int err;
	char msg[200];
	struct qset qs;
};

struct key {
	char *s;
	uint32_t unit;
};

struct type_key {
	TSSymbol sym;
	uint32_t unit;
};

/*
 * A chain of node types below a root pattern's node that the pattern
 * cannot match without (see node_paths()): step 0 is the root's type, each
 * next step a child of the one before, under a field unless 0.
 */
#define TRIGGER_STEPS 8
/* An alternative that needs more chains than this is noted on every node of its type. */
#define TRIGGER_PATHS 16

struct tstep {
	TSSymbol sym;
	TSFieldId field;
};

struct trigger {
	struct tstep s[TRIGGER_STEPS];
	uint32_t len;
};

/* How the walk notes a node of a type for rootq (root_mode[symbol]). */
enum { ROOT_NO, ROOT_ALWAYS, ROOT_TRIGGERED };

/*
 * A keyed root pattern's entry condition (see keyed_shape()): a node of
 * type sym runs the keyed unit only when a child under field (or, with
 * via_call, the function of a call under field) resolves to one of the
 * names of the pattern's own (#callee? ...), which it cannot match without.
 */
struct keyed {
	TSSymbol sym;
	TSFieldId field;
	bool via_call;
	struct pred names; /* P_CALLEE; args and their strings owned here */
};

struct sp_engine {
	const struct sp_catalog *cat;
	/*
	 * Rule patterns not dispatched by callee whose root node types are
	 * known: run on the nodes of those types the walk meets, not over the
	 * whole tree. A type whose every pattern needs some descendant
	 * (ROOT_TRIGGERED) is noted only when the walk meets the end of one of
	 * its triggers below it: triggers[trig_at[s] .. trig_at[s + 1]) end in
	 * symbol s. need_field[s]: a trigger step of type s, not the last,
	 * names a field.
	 */
	struct qset rootq;
	uint8_t *root_mode;
	struct trigger *triggers;
	size_t ntriggers, captriggers;
	uint32_t *trig_at;
	bool *need_field;
	uint32_t nsyms;
	/* Patterns whose root could be any node (a wildcard): one pass over the tree. */
	struct qset wholeq;
	/*
	 * Keyed root patterns, in one unit (keyed_unit, UINT32_MAX if none):
	 * keyed[keyed_at[s] .. keyed_at[s + 1]) are the conditions of type s.
	 */
	struct keyed *keyed;
	size_t nkeyed, capkeyed;
	uint32_t *keyed_at;
	uint32_t keyed_unit;
	/* Node types and fields the structure walk looks for. */
	TSSymbol sym_call, sym_import, sym_import_from, sym_assignment, sym_function, sym_lambda,
		sym_identifier, sym_attribute, sym_dotted_name, sym_aliased_import, sym_wildcard,
		sym_relative, sym_string, sym_expression, sym_parenthesized;
	TSFieldId fld_function, fld_name, fld_alias, fld_module_name, fld_left, fld_right,
		fld_body;
	/*
	 * Rule patterns rooted at a call and keyed by the callee's resolved
	 * name (exact or a prefix "x*"), the method name or the type of the
	 * function node, grouped into units: each key belongs to one unit.
	 * A call runs only the units its keys name.
	 */
	struct unit *units;
	size_t nunits;
	struct key *names; /* sorted */
	size_t nnames, capnames;
	struct key *prefixes; /* sorted; those starting with byte b: [pfx_at[b], pfx_at[b + 1]) */
	size_t nprefixes, capprefixes;
	uint32_t pfx_at[257];
	struct key *methods; /* sorted: calls of x.<method>(...) */
	size_t nmethods, capmethods;
	struct type_key *fn_types;
	size_t nfn_types, capfn_types;
	const struct sp_rule *r_too_large, *r_parse, *r_timeout, *r_incomplete, *r_nul;
	const struct sp_rule *r_bidi, *r_invisible, *r_confusable, *r_nfkc, *r_entropy,
		*r_destination, *r_telemetry;
};

/* A file's import table and resolution cache: a slot is empty unless its gen is the file's. */
struct slot {
	const char *key;
	const char *val;
	uint32_t gen;
};

struct cache_slot {
	const void *id;
	const char *qual; /* NULL: not resolvable */
	uint32_t gen;
};

/*
 * The hash tables live as long as the worker and are emptied for each file
 * by a new generation number rather than cleared: most files fill few of
 * their slots.
 */
struct sp_worker {
	const struct sp_engine *engine;
	TSParser *parser;
	TSQueryCursor *cursor;
	struct slot *imports;     /* IMPORT_SLOTS */
	struct cache_slot *cache; /* CACHE_SLOTS */
	uint32_t gen;
};

#define IMPORT_SLOTS (2 * SP_MAX_IMPORTS)
#define CACHE_SLOTS 4096

/* ---------- engine construction ---------- */

static const struct {
	const char *name;
	enum pred_op op;
	int min_args; /* string arguments after the capture */
} pred_names[] = {
	{"callee?", P_CALLEE, 1},	   {"not-callee?", P_NOT_CALLEE, 1},
	{"literal?", P_LITERAL, 0},	   {"not-literal?", P_NOT_LITERAL, 0},
	{"eq?", P_EQ, 1},		   {"not-eq?", P_NOT_EQ, 1},
	{"any-of?", P_ANY_OF, 1},	   {"match?", P_MATCH, 1},
	{"not-match?", P_NOT_MATCH, 1},	   {"str-match?", P_STR_MATCH, 1},
	{"not-str-match?", P_NOT_STR_MATCH, 1}, {"context?", P_CONTEXT, 1},
	{"has-kwarg?", P_HAS_KWARG, 1},	   {"not-has-kwarg?", P_NOT_HAS_KWARG, 1},
	{"max-args?", P_MAX_ARGS, 1},
};

static const char *query_error_name(TSQueryError e)
{
	switch (e) {
	case TSQueryErrorSyntax:
		return "syntax error";
	case TSQueryErrorNodeType:
		return "unknown node type";
	case TSQueryErrorField:
		return "unknown field";
	case TSQueryErrorCapture:
		return "unknown capture";
	case TSQueryErrorStructure:
		return "impossible pattern structure";
	case TSQueryErrorLanguage:
		return "incompatible language";
	default:
		return "error";
	}
}

/* The rule id of the pattern around byte offset off of the query text, for messages. */
static void locate(const char *text, size_t len, uint32_t off, unsigned *line, char *rule,
		   size_t rulelen)
{
	size_t i;
	const char *p, *last = NULL;

	*line = 1;
	for (i = 0; i < off && i < len; i++)
		if (text[i] == '\n')
			(*line)++;
	rule[0] = '\0';
	p = text;
	while ((p = strstr(p, "#rule! \"")) && (size_t)(p - text) < len) {
		last = p;
		p++;
		if ((size_t)(p - text) > off)
			break;
	}
	if (last)
		snprintf(rule, rulelen, "%.*s", (int)strcspn(last + 8, "\""), last + 8);
}

static int pattern_error(struct qset *qs, const char *text, uint32_t pat, const char *what,
			 struct sp_diag *d)
{
	uint32_t off = ts_query_start_byte_for_pattern(qs->query, pat);
	unsigned line;
	char rule[128];

	locate(text, strlen(text), off, &line, rule, sizeof(rule));
	if (d) {
		d->line = line;
		snprintf(d->where, sizeof(d->where), "%s", rule);
	}
	return sp_diag_set(d, SP_EFORMAT, "invalid rule query%s%s%s at line %u: %s",
			   rule[0] ? " '" : "", rule, rule[0] ? "'" : "", line, what);
}

static int parse_predicates(const struct sp_engine *e, struct qset *qs, const char *text,
			    uint32_t pat, struct sp_diag *d)
{
	struct pattern *p = &qs->patterns[pat];
	const TSQueryPredicateStep *steps;
	uint32_t nsteps, i = 0, len;
	bool has_match = false;

	steps = ts_query_predicates_for_pattern(qs->query, pat, &nsteps);
	p->preds = xcalloc(nsteps ? nsteps : 1, sizeof(*p->preds));
	while (i < nsteps) {
		uint32_t start = i, argc;
		const char *name;
		struct pred *pr;
		size_t k;

		while (i < nsteps && steps[i].type != TSQueryPredicateStepTypeDone)
			i++;
		argc = i - start;
		i++; /* the Done step */
		if (argc == 0 || steps[start].type != TSQueryPredicateStepTypeString)
			return pattern_error(qs, text, pat, "predicate without a name", d);
		name = ts_query_string_value_for_id(qs->query, steps[start].value_id, &len);
		if (strcmp(name, "rule!") == 0) {
			const char *v;

			if (argc != 2 || steps[start + 1].type != TSQueryPredicateStepTypeString)
				return pattern_error(qs, text, pat, "expected one string argument",
						     d);
			v = ts_query_string_value_for_id(qs->query, steps[start + 1].value_id, &len);
			p->rule = sp_catalog_find(e->cat, v);
			if (!p->rule)
				return pattern_error(qs, text, pat,
						     "names a rule missing from the catalog", d);
			continue;
		}
		if (strcmp(name, "detail!") == 0) {
			if (argc != 2 || steps[start + 1].type != TSQueryPredicateStepTypeCapture)
				return pattern_error(qs, text, pat, "expected one capture", d);
			p->has_detail = true;
			p->detail_capture = steps[start + 1].value_id;
			continue;
		}
		for (k = 0; k < sizeof(pred_names) / sizeof(pred_names[0]); k++)
			if (strcmp(name, pred_names[k].name) == 0)
				break;
		if (k == sizeof(pred_names) / sizeof(pred_names[0]))
			return pattern_error(qs, text, pat, "unknown predicate", d);
		if (argc < 2 || steps[start + 1].type != TSQueryPredicateStepTypeCapture ||
		    (int)argc - 2 < pred_names[k].min_args)
			return pattern_error(qs, text, pat,
					     "predicate needs a capture and its arguments", d);
		pr = &p->preds[p->npreds++];
		pr->op = pred_names[k].op;
		pr->capture = steps[start + 1].value_id;
		pr->nargs = argc - 2;
		pr->args = xcalloc(pr->nargs + 1, sizeof(char *));
		for (k = 0; k < pr->nargs; k++) {
			if (steps[start + 2 + k].type != TSQueryPredicateStepTypeString)
				return pattern_error(qs, text, pat, "expected a string argument", d);
			pr->args[k] = ts_query_string_value_for_id(
				qs->query, steps[start + 2 + k].value_id, &len);
		}
		if (pr->op == P_MATCH || pr->op == P_NOT_MATCH || pr->op == P_STR_MATCH ||
		    pr->op == P_NOT_STR_MATCH) {
			if (regcomp(&pr->re, pr->args[0], REG_EXTENDED | REG_NOSUB))
				return pattern_error(qs, text, pat, "invalid regular expression", d);
			pr->has_re = true;
		} else if (pr->op == P_CONTEXT) {
			for (k = 0; k < pr->nargs; k++) {
				const char *c = pr->args[k];

				if (strcmp(c, "toplevel") == 0)
					pr->mask |= 1u << SP_CTX_MODULE | 1u << SP_CTX_IMPORT |
						    1u << SP_CTX_INSTALL;
				else if (strcmp(c, "function") == 0)
					pr->mask |= 1u << SP_CTX_FUNCTION;
				else if (strcmp(c, "module") == 0)
					pr->mask |= 1u << SP_CTX_MODULE;
				else if (strcmp(c, "import") == 0)
					pr->mask |= 1u << SP_CTX_IMPORT;
				else if (strcmp(c, "install") == 0)
					pr->mask |= 1u << SP_CTX_INSTALL;
				else
					return pattern_error(qs, text, pat, "unknown context", d);
			}
		} else if (pr->op == P_MAX_ARGS) {
			char *end;

			pr->num = strtol(pr->args[0], &end, 10);
			if (*end || pr->num < 0)
				return pattern_error(qs, text, pat, "expected a number", d);
		} else if (pr->op == P_CALLEE && !p->has_callee) {
			p->has_callee = true;
			p->callee_capture = pr->capture;
		}
	}
	if (!p->rule)
		return pattern_error(qs, text, pat, "pattern has no (#rule! \"id\")", d);
	/* The pattern's own text, up to the next pattern, must capture @match. */
	{
		uint32_t from = ts_query_start_byte_for_pattern(qs->query, pat);
		uint32_t to = pat + 1 < qs->npatterns
				      ? ts_query_start_byte_for_pattern(qs->query, pat + 1)
				      : (uint32_t)strlen(text);
		const char *m = text + from;

		while ((m = strstr(m, "@match")) && m < text + to) {
			char c = m[6];

			if (!(c == '_' || c == '-' || c == '.' || (c >= 'a' && c <= 'z') ||
			      (c >= '0' && c <= '9')))
				has_match = true;
			m += 6;
		}
	}
	if (!has_match)
		return pattern_error(qs, text, pat, "pattern does not capture @match", d);
	return 0;
}

static uint32_t capture_id(const TSQuery *q, const char *name)
{
	uint32_t i, n = ts_query_capture_count(q), len;

	for (i = 0; i < n; i++)
		if (strcmp(ts_query_capture_name_for_id(q, i, &len), name) == 0)
			return i;
	return UINT32_MAX;
}

static const struct sp_rule *need_rule(const struct sp_catalog *cat, const char *id,
				       struct sp_diag *d, int *err)
{
	const struct sp_rule *r = sp_catalog_find(cat, id);

	if (!r && !*err)
		*err = sp_diag_set(d, SP_EFORMAT, "the catalog lacks the built-in rule '%s'", id);
	return r;
}

/* Compiles text into qs and reads every pattern's predicates. */
static int compile(const struct sp_engine *e, struct qset *qs, const char *text, struct sp_diag *d)
{
	uint32_t off = 0, i;
	TSQueryError qerr = TSQueryErrorNone;
	int err = 0;

	qs->query = ts_query_new(tree_sitter_python(), text, (uint32_t)strlen(text), &off, &qerr);
	if (!qs->query) {
		unsigned line;
		char rule[128];

		locate(text, strlen(text), off, &line, rule, sizeof(rule));
		if (d) {
			d->line = line;
			snprintf(d->where, sizeof(d->where), "%s", rule);
		}
		return sp_diag_set(d, SP_EPARSE,
				   "cannot compile the rule queries: %s near rule '%s'",
				   query_error_name(qerr), rule[0] ? rule : "?");
	}
	qs->cap_match = capture_id(qs->query, "match");
	qs->npatterns = ts_query_pattern_count(qs->query);
	qs->patterns = xcalloc(qs->npatterns ? qs->npatterns : 1, sizeof(*qs->patterns));
	for (i = 0; i < qs->npatterns && !err; i++)
		err = parse_predicates(e, qs, text, i, d);
	return err;
}

static void release(struct qset *qs)
{
	uint32_t i, j;

	for (i = 0; qs->patterns && i < qs->npatterns; i++) {
		for (j = 0; j < qs->patterns[i].npreds; j++) {
			if (qs->patterns[i].preds[j].has_re)
				regfree(&qs->patterns[i].preds[j].re);
			free(qs->patterns[i].preds[j].args);
		}
		free(qs->patterns[i].preds);
	}
	free(qs->patterns);
	if (qs->query)
		ts_query_delete(qs->query);
	memset(qs, 0, sizeof(*qs));
}

/*
 * How a pattern can be dispatched, from its shape (see split()):
 *   ((call function: (_) @x ...) @match ... (#callee? @x "name" ...))
 *       by the callee's resolved name;
 *   ((call function: (attribute ... attribute: (identifier) @m ...) ...) @match
 *    ... (#eq? @m "name") or (#any-of? @m "a" "b" ...))
 *       by the method name, whatever the object is;
 *   ((call function: (call ...) ...) @match), ((call function: (subscript ...) ...) @match)
 *       by the type of the function node.
 * Only a pattern that reports the call itself (@match on it) is
 * dispatched: a call's run keeps only the matches at that call.
 */
enum dispatch { D_NONE, D_CALLEE, D_METHOD, D_TYPE };

struct shapes {
	regex_t callee, type;
};

static int shapes_init(struct shapes *sh)
{
	if (regcomp(&sh->callee,
		    "^\\(\\(call[[:space:]]+function:[[:space:]]*\\(_\\)[[:space:]]*@([A-Za-z_][A-Za-z0-9_.-]*)",
		    REG_EXTENDED))
		return -1;
	if (regcomp(&sh->type, "^\\(\\(call[[:space:]]+function:[[:space:]]*\\((call|subscript)[[:space:]]",
		    REG_EXTENDED)) {
		regfree(&sh->callee);
		return -1;
	}
	return 0;
}

static void shapes_release(struct shapes *sh)
{
	regfree(&sh->callee);
	regfree(&sh->type);
}

/*
 * Moves *text to the start of the next top-level pattern (past blanks and
 * ';' comments) and returns its length up to its closing bracket, or 0 at
 * the end. Strings may hold brackets. An unbalanced pattern runs to the end
 * of the text, where compiling it reports the error.
 */
static size_t next_pattern(const char **text)
{
	const char *p = *text, *start;
	int depth = 0;

	for (;;) {
		p += strspn(p, " \t\r\n\f\v");
		if (*p != ';')
			break;
		p += strcspn(p, "\n");
	}
	*text = start = p;
	if (!*p)
		return 0;
	for (; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				break;
		} else if (*p == ';') {
			p += strcspn(p, "\n");
			if (!*p)
				break;
		} else if (*p == '(' || *p == '[') {
			depth++;
		} else if ((*p == ')' || *p == ']') && --depth <= 0) {
			return (size_t)(p + 1 - start);
		}
	}
	return (size_t)(p - start);
}

/* Past blanks and ';' comments. */
static const char *skip_blank(const char *p)
{
	for (;;) {
		p += strspn(p, " \t\r\n\f\v");
		if (*p != ';')
			return p;
		p += strcspn(p, "\n");
	}
}

/* The length of one item of a pattern: a bracketed group, a string or a bare token. */
static size_t item_len(const char *p)
{
	const char *q = p;

	if (*p == '(' || *p == '[')
		return next_pattern(&q);
	if (*p == '"') {
		for (q++; *q && *q != '"'; q++)
			if (*q == '\\' && q[1])
				q++;
		return (size_t)(q - p) + (*q == '"');
	}
	return strcspn(p, " \t\r\n\f\v()[];\"");
}

/* Whether c can continue a capture or field name. */
static bool name_char(char c)
{
	return c == '_' || c == '-' || c == '.' || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * The next child item of a node pattern or alternation (cur: past its
 * type name or '['), skipping captures, anchors, negated fields and
 * predicates: a node "(...)", an alternation "[...]", a literal "\"x\"" or
 * a bare "_". *field gets the field it is under (flen bytes, NULL when
 * none) and *quant its quantifier ('?', '*', '+' or 0). NULL at the end.
 */
static const char *items_next(const char **cur, const char **field, size_t *flen, char *quant)
{
	const char *q = *cur, *item;
	size_t n;

	*field = NULL;
	*flen = 0;
	*quant = 0;
	for (;;) {
		q = skip_blank(q);
		if (!*q || *q == ')' || *q == ']') {
			*cur = q;
			return NULL;
		}
		n = item_len(q);
		if (!n)
			n = 1;
		if (*q == '(' && q[1] == '#') {
			q += n;
			continue;
		}
		if (*q == '(' || *q == '[' || *q == '"' || (*q == '_' && n == 1))
			break;
		if (*q != '@' && *q != '!' && q[n - 1] == ':') {
			*field = q;
			*flen = n - 1;
		}
		q += n;
	}
	item = q;
	q += n;
	if (*q == '?' || *q == '*' || *q == '+')
		*quant = *q++;
	*cur = q;
	return item;
}

/* The node pattern at p ("(type ...)"): its type name (*n bytes) and where its items start. */
static const char *node_type(const char *p, size_t *n, const char **items)
{
	const char *t;

	if (*p != '(')
		return NULL;
	t = skip_blank(p + 1);
	*n = strcspn(t, " \t\r\n\f\v()[];\"");
	*items = t + *n;
	return t;
}

static bool node_is_type(const char *p, const char *type, const char **items)
{
	size_t n;
	const char *t = node_type(p, &n, items);

	return t && n == strlen(type) && !memcmp(t, type, n);
}

/* The item under field name among the items at cur, when it is there exactly once, or NULL. */
static const char *field_item(const char *cur, const char *name, const char **after)
{
	const char *f, *it;
	size_t fl;
	char quant;

	while ((it = items_next(&cur, &f, &fl, &quant))) {
		if (f && fl == strlen(name) && !memcmp(f, name, fl)) {
			*after = cur;
			return quant ? NULL : it;
		}
	}
	return NULL;
}

/* A pattern's symbol for a node type name, when it is a visible named type, else 0. */
static TSSymbol regular_symbol(const struct sp_engine *e, const char *t, size_t n)
{
	TSSymbol sym;

	if (!n || !((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z')) || memchr(t, '/', n))
		return 0;
	sym = ts_language_symbol_for_name(tree_sitter_python(), t, (uint32_t)n, true);
	if (!sym || sym >= e->nsyms ||
	    ts_language_symbol_type(tree_sitter_python(), sym) != TSSymbolTypeRegular)
		return 0;
	return sym;
}

/* Chains of node types (see struct trigger), one of which a pattern needs; none: no need known. */
struct tset {
	struct trigger *t;
	size_t n, cap;
	bool none;
};

static void tset_release(struct tset *s)
{
	free(s->t);
	memset(s, 0, sizeof(*s));
}

static void node_paths(const struct sp_engine *e, const char *p, TSFieldId field, unsigned depth,
		       struct tset *out);

/* The chains of an item under field: the union of an alternation's, a node's own, none else. */
static void item_paths(const struct sp_engine *e, const char *it, TSFieldId field,
		       unsigned depth, struct tset *out)
{
	const char *cur, *f, *sub;
	size_t fl, i;
	char quant;

	memset(out, 0, sizeof(*out));
	out->none = true;
	if (depth > 16)
		return;
	if (*it == '(') {
		node_paths(e, it, field, depth + 1, out);
		return;
	}
	if (*it != '[')
		return;
	out->none = false;
	cur = it + 1;
	while (!out->none && (sub = items_next(&cur, &f, &fl, &quant))) {
		struct tset alt;

		item_paths(e, sub, field, depth + 1, &alt);
		if (alt.none || quant == '?' || quant == '*') {
			out->none = true;
		} else {
			for (i = 0; i < alt.n; i++) {
				SP_GROW(out->t, out->n + 1, out->cap);
				out->t[out->n++] = alt.t[i];
			}
		}
		tset_release(&alt);
	}
	if (!out->none && !out->n)
		out->none = true;
	if (out->none) {
		free(out->t);
		out->t = NULL;
		out->n = out->cap = 0;
	}
}

/* Whether chain set a narrows more than b: deeper, then fewer chains, then not ending in a name. */
static bool better_paths(const struct sp_engine *e, const struct tset *a, const struct tset *b)
{
	uint32_t da = UINT32_MAX, db = UINT32_MAX;
	size_t i;
	bool ida = false, idb = false;

	for (i = 0; i < a->n; i++) {
		da = a->t[i].len < da ? a->t[i].len : da;
		ida |= a->t[i].s[a->t[i].len - 1].sym == e->sym_identifier;
	}
	for (i = 0; i < b->n; i++) {
		db = b->t[i].len < db ? b->t[i].len : db;
		idb |= b->t[i].s[b->t[i].len - 1].sym == e->sym_identifier;
	}
	if (da != db)
		return da > db;
	if (a->n != b->n)
		return a->n < b->n;
	return !ida && idb;
}

/*
 * What the node pattern at p, under field, cannot match without: the
 * chains of types from it down to a descendant the pattern requires. Of
 * its required children (no '?' or '*'), the one whose chains narrow most
 * is followed; a wildcard, a literal or an unknown type requires nothing
 * known. Any one child is a necessary condition, so the choice changes how
 * often a node is noted, never whether a match can be missed.
 */
static void node_paths(const struct sp_engine *e, const char *p, TSFieldId field, unsigned depth,
		       struct tset *out)
{
	const char *items, *t, *it, *f;
	struct tset best = {0}, cand;
	size_t n, fl, i, k;
	TSSymbol sym;
	char quant;

	memset(out, 0, sizeof(*out));
	out->none = true;
	t = node_type(p, &n, &items);
	if (!t || !(sym = regular_symbol(e, t, n)) || depth > 16)
		return;
	best.none = true;
	while ((it = items_next(&items, &f, &fl, &quant))) {
		TSFieldId cf = 0;

		if (quant == '?' || quant == '*')
			continue;
		if (f)
			cf = ts_language_field_id_for_name(tree_sitter_python(), f, (uint32_t)fl);
		item_paths(e, it, cf, depth + 1, &cand);
		if (!cand.none && cand.n <= TRIGGER_PATHS &&
		    (best.none || better_paths(e, &cand, &best))) {
			tset_release(&best);
			best = cand;
		} else {
			tset_release(&cand);
		}
	}
	out->none = false;
	for (i = 0; i < (best.none ? 1 : best.n); i++) {
		struct trigger tr = {.len = 1};

		tr.s[0].sym = sym;
		tr.s[0].field = field;
		for (k = 0; !best.none && k < best.t[i].len && tr.len < TRIGGER_STEPS; k++)
			tr.s[tr.len++] = best.t[i].s[k];
		SP_GROW(out->t, out->n + 1, out->cap);
		out->t[out->n++] = tr;
	}
	tset_release(&best);
}

/*
 * Marks in e->root_mode the node types a pattern can be rooted at, read
 * from its text: "(type ...)", a group "((type ...) @c (#pred ...))" or an
 * alternation "[(a ...) (b ...)]", and adds each root's triggers. False
 * when a root could be any node (a wildcard, an anonymous node, a type
 * this grammar lacks): the pattern then runs over the whole tree.
 */
static bool mark_roots(struct sp_engine *e, const char *p, unsigned depth)
{
	const char *end, *items, *t;
	size_t len, n, i;
	struct tset ts;
	TSSymbol sym;
	bool any = false;

	p = skip_blank(p);
	if (depth > 8)
		return false;
	if (*p == '[') {
		end = p + item_len(p) - 1;
		for (p = skip_blank(p + 1); p < end && *p != ']'; p = skip_blank(p + len)) {
			len = item_len(p);
			if (!len)
				return false;
			if (*p == '(' || *p == '[') {
				if (!mark_roots(e, p, depth + 1))
					return false;
				any = true;
			} else if (*p == '"') {
				return false;
			}
		}
		return any;
	}
	if (*p != '(')
		return false;
	if (*skip_blank(p + 1) == '(' || *skip_blank(p + 1) == '[')
		return mark_roots(e, skip_blank(p + 1), depth + 1);
	if (!(t = node_type(p, &n, &items)) || !(sym = regular_symbol(e, t, n)))
		return false;
	node_paths(e, p, 0, 0, &ts);
	if (ts.none || ts.n == 0 || ts.t[0].len < 2) {
		e->root_mode[sym] = ROOT_ALWAYS;
	} else {
		if (e->root_mode[sym] == ROOT_NO)
			e->root_mode[sym] = ROOT_TRIGGERED;
		for (i = 0; i < ts.n; i++) {
			SP_GROW(e->triggers, e->ntriggers + 1, e->captriggers);
			e->triggers[e->ntriggers++] = ts.t[i];
		}
	}
	tset_release(&ts);
	return true;
}

/*
 * By last type, then longest first (an outer root noted first covers an
 * inner one that ends where it does), then by content, so that copies are
 * neighbours.
 */
static int cmp_trigger(const void *a, const void *b)
{
	const struct trigger *x = a, *y = b;
	TSSymbol sx = x->s[x->len - 1].sym, sy = y->s[y->len - 1].sym;

	if (sx != sy)
		return (sx > sy) - (sx < sy);
	if (x->len != y->len)
		return (x->len < y->len) - (x->len > y->len);
	return memcmp(x->s, y->s, x->len * sizeof(x->s[0]));
}

/*
 * Indexes the triggers by their last type, dropping copies and those of
 * types noted always; marks the types whose field a step before the last names (the
 * walk reads those fields as it enters such nodes).
 */
static void index_triggers(struct sp_engine *e)
{
	size_t i, w = 0;
	uint32_t k;

	for (i = 0; i < e->ntriggers; i++)
		if (e->root_mode[e->triggers[i].s[0].sym] == ROOT_TRIGGERED)
			e->triggers[w++] = e->triggers[i];
	e->ntriggers = w;
	if (w > 1)
		qsort(e->triggers, w, sizeof(*e->triggers), cmp_trigger);
	/* Several patterns often need the same chain: keep it once. */
	for (i = 0, e->ntriggers = 0; i < w; i++)
		if (!e->ntriggers ||
		    cmp_trigger(&e->triggers[e->ntriggers - 1], &e->triggers[i]) != 0)
			e->triggers[e->ntriggers++] = e->triggers[i];
	w = e->ntriggers;
	e->trig_at = xcalloc(e->nsyms + 1, sizeof(*e->trig_at));
	e->need_field = xcalloc(e->nsyms, sizeof(*e->need_field));
	for (i = 0; i < w; i++) {
		const struct trigger *t = &e->triggers[i];

		e->trig_at[t->s[t->len - 1].sym + 1]++;
		/* The last step's field is read only when the rest matched. */
		for (k = 1; k + 1 < t->len; k++)
			if (t->s[k].field)
				e->need_field[t->s[k].sym] = true;
	}
	for (k = 0; k < e->nsyms; k++)
		e->trig_at[k + 1] += e->trig_at[k];
}

/*
 * The predicate of one of the ops on @name (ptext[m.rm_so, m.rm_eo)), read
 * from the pattern's text before it is compiled: a pointer just past
 * "(#op? @name", the first in the text, or NULL.
 */
static const char *pred_text(const char *ptext, regmatch_t m, enum pred_op op1, enum pred_op op2)
{
	const char *best = NULL;
	size_t i;

	for (i = 0; i < sizeof(pred_names) / sizeof(pred_names[0]); i++) {
		char needle[64];
		const char *at = ptext;
		size_t n;

		if (pred_names[i].op != op1 && pred_names[i].op != op2)
			continue;
		n = (size_t)snprintf(needle, sizeof(needle), "(#%s @%.*s", pred_names[i].name,
				     (int)(m.rm_eo - m.rm_so), ptext + m.rm_so);
		if (n >= sizeof(needle))
			continue;
		while ((at = strstr(at, needle))) {
			char c = at[n];

			at += n;
			if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ')') {
				if (!best || at < best)
					best = at;
				break;
			}
		}
	}
	return best;
}

/*
 * The call node of a pattern "((call ...) @match ...)", or NULL when the
 * pattern is not a group whose first node is a call captured as @match.
 */
static const char *match_call(const char *pt)
{
	const char *call, *items, *after;

	if (*pt != '(')
		return NULL;
	call = skip_blank(pt + 1);
	if (!node_is_type(call, "call", &items))
		return NULL;
	after = skip_blank(call + item_len(call));
	if (strncmp(after, "@match", 6) || name_char(after[6]))
		return NULL;
	return call;
}

/*
 * The capture on the method name of a call pattern whose function is
 * (attribute ... attribute: (identifier) @m ...), whatever its object, as
 * offsets into pt; false for any other shape.
 */
static bool method_shape(const char *pt, const char *call, regmatch_t *m)
{
	const char *items, *fn, *id, *after, *c;

	(void)node_is_type(call, "call", &items);
	fn = field_item(items, "function", &after);
	if (!fn || !node_is_type(fn, "attribute", &items))
		return false;
	id = field_item(items, "attribute", &after);
	if (!id || !node_is_type(id, "identifier", &items) || *skip_blank(items) != ')')
		return false;
	c = skip_blank(after);
	if (*c != '@' || !name_char(c[1]))
		return false;
	m->rm_so = (regoff_t)(c + 1 - pt);
	m->rm_eo = (regoff_t)(c + 1 + strcspn(c + 1, " \t\r\n\f\v()[];\"") - pt);
	return true;
}

/* How a pattern can be dispatched, and where its key is: the predicate's arguments or the type. */
static enum dispatch classify(const char *ptext, const struct shapes *sh, const char **args,
			      char *type, size_t typelen)
{
	regmatch_t m[2];
	const char *call = match_call(ptext);

	if (!call)
		return D_NONE;
	if (!regexec(&sh->callee, ptext, 2, m, 0) &&
	    (*args = pred_text(ptext, m[1], P_CALLEE, P_CALLEE)))
		return D_CALLEE;
	if (method_shape(ptext, call, &m[0]) && (*args = pred_text(ptext, m[0], P_EQ, P_ANY_OF)))
		return D_METHOD;
	if (!regexec(&sh->type, ptext, 2, m, 0)) {
		snprintf(type, typelen, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), ptext + m[1].rm_so);
		return D_TYPE;
	}
	return D_NONE;
}

/*
 * The string arguments of a predicate, from the text after its capture up
 * to its ')', unescaped as tree-sitter does (\n \r \t \0, else the
 * character itself). Returns how many were added to *out (malloc'd).
 */
static size_t read_strings(const char *p, char ***out, size_t *n)
{
	size_t added = 0;

	for (p = skip_blank(p); *p == '"'; p = skip_blank(p)) {
		struct sp_buf b;

		sp_buf_init(&b, SIZE_MAX);
		for (p++; *p && *p != '"'; p++) {
			char c = *p;

			if (c == '\\' && p[1]) {
				c = *++p;
				c = c == 'n'   ? '\n'
				    : c == 'r' ? '\r'
				    : c == 't' ? '\t'
				    : c == '0' ? '\0'
						 : c;
			}
			sp_buf_add(&b, &c, 1);
		}
		if (*p == '"')
			p++;
		*out = xrealloc(*out, (*n + 1) * sizeof(char *));
		(*out)[(*n)++] = xstrndup(b.data ? b.data : "", b.len);
		sp_buf_release(&b);
		added++;
	}
	return added;
}

/* How often the capture "@name" (n bytes) appears in text[0, len). */
static unsigned count_captures(const char *text, size_t len, const char *name, size_t n)
{
	const char *p = text, *end = text + len;
	unsigned count = 0;

	while (p < end && (p = memchr(p, '@', (size_t)(end - p)))) {
		if ((size_t)(end - p) > n && !memcmp(p + 1, name, n) &&
		    (p + 1 + n == end || !name_char(p[1 + n])))
			count++;
		p++;
	}
	return count;
}

/*
 * The names of (#callee? @c ...) when the capture at c (a '@', in pt)
 * captures only that one node of the node pattern [node, node_end) and
 * nothing after the root item that ends at root_end; else 0.
 */
static size_t capture_keys(const char *pt, const char *node, const char *node_end,
			   const char *root_end, const char *c, char ***names)
{
	regmatch_t m;
	const char *args;
	size_t n = 0;

	if (*c != '@' || !name_char(c[1]))
		return 0;
	m.rm_so = (regoff_t)(c + 1 - pt);
	m.rm_eo = (regoff_t)(c + 1 + strcspn(c + 1, " \t\r\n\f\v()[];\"") - pt);
	if (count_captures(node, (size_t)(node_end - node), pt + m.rm_so,
			   (size_t)(m.rm_eo - m.rm_so)) != 1 ||
	    count_captures(node_end, strcspn(node_end, "()[]"), pt + m.rm_so,
			   (size_t)(m.rm_eo - m.rm_so)) ||
	    count_captures(root_end, strcspn(root_end, "("), pt + m.rm_so,
			   (size_t)(m.rm_eo - m.rm_so)))
		return 0;
	if (!(args = pred_text(pt, m, P_CALLEE, P_CALLEE)))
		return 0;
	read_strings(args, names, &n);
	return n;
}

/*
 * The entry condition of one node pattern at p (the root, or one
 * alternative of it), when a required child (no '?' or '*') under a field
 * is captured as @c, or is a call whose function "(_)" is, and the pattern
 * holds (#callee? @c ...): a node whose child there resolves to none of
 * the names cannot match. False for any other shape.
 */
static bool keyed_node(const struct sp_engine *e, const char *pt, const char *root_end,
		       const char *p, struct keyed *k)
{
	const char *p_end = p + item_len(p);
	const char *items, *t, *it, *f, *citems, *fn, *after;
	size_t n, fl, nn;
	char quant, **names = NULL;
	TSFieldId fid;

	if (!(t = node_type(p, &n, &items)) || !(k->sym = regular_symbol(e, t, n)))
		return false;
	while ((it = items_next(&items, &f, &fl, &quant))) {
		if (!f || quant == '?' || quant == '*')
			continue;
		fid = ts_language_field_id_for_name(tree_sitter_python(), f, (uint32_t)fl);
		if (!fid)
			continue;
		k->via_call = false;
		nn = capture_keys(pt, p, p_end, root_end, skip_blank(items), &names);
		if (!nn && node_is_type(it, "call", &citems) &&
		    (fn = field_item(citems, "function", &after)) && node_type(fn, &n, &t) &&
		    n == 1 && *skip_blank(fn + 1) == '_' && *skip_blank(t) == ')') {
			k->via_call = true;
			nn = capture_keys(pt, p, p_end, root_end, skip_blank(after), &names);
		}
		if (nn) {
			k->field = fid;
			k->names.op = P_CALLEE;
			k->names.args = (const char **)names;
			k->names.nargs = (uint32_t)nn;
			return true;
		}
		free(names);
		names = NULL;
	}
	return false;
}

static void keyed_release(struct keyed *k)
{
	uint32_t i;

	for (i = 0; i < k->names.nargs; i++)
		free((char *)k->names.args[i]);
	free(k->names.args);
}

/*
 * Whether pattern pt is a keyed root pattern: "((type ...) ... (#callee?
 * @c ...))" or an alternation of such node patterns as its root, each
 * with an entry condition (see keyed_node()); no predicate inside the
 * root. Adds the conditions to e->keyed when it is.
 */
static bool keyed_shape(struct sp_engine *e, const char *pt)
{
	const char *root, *end, *alt;
	size_t len, first = e->nkeyed, i;
	struct keyed k;

	if (*pt != '(')
		return false;
	root = skip_blank(pt + 1);
	if (*root != '(' && *root != '[')
		return false;
	len = item_len(root);
	end = root + len;
	if (!len)
		return false;
	for (alt = root; alt + 1 < end; alt++)
		if (alt[0] == '(' && alt[1] == '#')
			return false;
	alt = root;
	if (*root == '[')
		alt = skip_blank(root + 1);
	while (alt < end && *alt != ']') {
		memset(&k, 0, sizeof(k));
		if (*alt != '(' || !keyed_node(e, pt, end, alt, &k))
			goto undo;
		SP_GROW(e->keyed, e->nkeyed + 1, e->capkeyed);
		e->keyed[e->nkeyed++] = k;
		if (*root == '(')
			return true;
		alt = skip_blank(alt + item_len(alt));
		/* A capture on one alternative ("[(a) @x (b)]") is fine; anything else is not. */
		while (*alt == '@')
			alt = skip_blank(alt + strcspn(alt, " \t\r\n\f\v()[];\""));
	}
	if (e->nkeyed > first)
		return true;
undo:
	for (i = first; i < e->nkeyed; i++)
		keyed_release(&e->keyed[i]);
	e->nkeyed = first;
	return false;
}

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	return (x->sym > y->sym) - (x->sym < y->sym);
}

/* Indexes the keyed conditions by their node type. */
static void index_keyed(struct sp_engine *e)
{
	size_t i;
	uint32_t k;

	if (e->nkeyed > 1)
		qsort(e->keyed, e->nkeyed, sizeof(*e->keyed), cmp_keyed);
	e->keyed_at = xcalloc(e->nsyms + 1, sizeof(*e->keyed_at));
	for (i = 0; i < e->nkeyed; i++)
		e->keyed_at[e->keyed[i].sym + 1]++;
	for (k = 0; k < e->nsyms; k++)
		e->keyed_at[k + 1] += e->keyed_at[k];
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct key *)a)->s, ((const struct key *)b)->s);
}

/* A dispatch key of one pattern: "n:name", "p:prefix", "m:method" or "t:type". */
struct tagged {
	char *key;
	uint32_t pattern;
};

static int cmp_tagged(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->pattern > y->pattern) - (x->pattern < y->pattern);
}

static uint32_t find_set(uint32_t *parent, uint32_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/* Adds key k (tagged) of unit u to the engine's indexes, once. */
static void index_key(struct sp_engine *e, const char *k, uint32_t u)
{
	const char *v = k + 2;

	switch (k[0]) {
	case 'n':
		SP_GROW(e->names, e->nnames + 1, e->capnames);
		e->names[e->nnames].s = xstrdup(v);
		e->names[e->nnames++].unit = u;
		break;
	case 'p':
		SP_GROW(e->prefixes, e->nprefixes + 1, e->capprefixes);
		e->prefixes[e->nprefixes].s = xstrdup(v);
		e->prefixes[e->nprefixes++].unit = u;
		break;
	case 'm':
		SP_GROW(e->methods, e->nmethods + 1, e->capmethods);
		e->methods[e->nmethods].s = xstrdup(v);
		e->methods[e->nmethods++].unit = u;
		break;
	case 'k':
		e->keyed_unit = u;
		break;
	default:
		SP_GROW(e->fn_types, e->nfn_types + 1, e->capfn_types);
		e->fn_types[e->nfn_types].sym = ts_language_symbol_for_name(
			tree_sitter_python(), v, (uint32_t)strlen(v), true);
		e->fn_types[e->nfn_types++].unit = u;
		break;
	}
}

/*
 * What can be checked of a pattern compiled later, from its text: it names
 * a known rule, captures @match, uses only known predicates, and its
 * regular expressions compile. Node types and fields wait for the compiler
 * (sp_engine_check()).
 */
static int check_text(const struct sp_engine *e, const char *pt, struct sp_diag *d)
{
	const char *r = strstr(pt, "(#rule! \""), *p, *why = NULL;
	char id[128] = "";
	size_t n, k;

	if (r && (n = strcspn(r + 9, "\"")) < sizeof(id)) {
		memcpy(id, r + 9, n);
		id[n] = '\0';
	}
	if (!r)
		why = "pattern has no (#rule! \"id\")";
	else if (!sp_catalog_find(e->cat, id))
		why = "names a rule missing from the catalog";
	for (p = pt; !why && (p = strstr(p, "@match")); p += 6)
		if (!(p[6] == '_' || p[6] == '-' || p[6] == '.' || (p[6] >= 'a' && p[6] <= 'z') ||
		      (p[6] >= '0' && p[6] <= '9')))
			break;
	if (!why && !p)
		why = "pattern does not capture @match";
	for (p = pt; !why && (p = strstr(p, "(#")); p += 2) {
		char **args = NULL;
		size_t nargs = 0;
		regex_t re;

		n = strcspn(p + 2, " \t\r\n)");
		if ((n == 5 && !memcmp(p + 2, "rule!", 5)) ||
		    (n == 7 && !memcmp(p + 2, "detail!", 7)))
			continue;
		for (k = 0; k < sizeof(pred_names) / sizeof(pred_names[0]); k++)
			if (strlen(pred_names[k].name) == n &&
			    !memcmp(p + 2, pred_names[k].name, n))
				break;
		if (k == sizeof(pred_names) / sizeof(pred_names[0])) {
			why = "unknown predicate";
			break;
		}
		if (pred_names[k].op != P_MATCH && pred_names[k].op != P_NOT_MATCH &&
		    pred_names[k].op != P_STR_MATCH && pred_names[k].op != P_NOT_STR_MATCH)
			continue;
		read_strings(skip_blank(p + 2 + n) + strcspn(skip_blank(p + 2 + n), " \t\r\n)"),
			     &args, &nargs);
		if (!nargs || regcomp(&re, args[0], REG_EXTENDED | REG_NOSUB))
			why = "invalid regular expression";
		else
			regfree(&re);
		for (k = 0; k < nargs; k++)
			free(args[k]);
		free(args);
	}
	if (!why)
		return 0;
	if (d)
		snprintf(d->where, sizeof(d->where), "%s", id);
	return sp_diag_set(d, SP_EFORMAT, "invalid rule query%s%s%s: %s", id[0] ? " '" : "", id,
			   id[0] ? "'" : "", why);
}

/*
 * Groups the dispatched patterns into units: patterns that share a key
 * (a callee name, a prefix, a method or a function type) go together, so a
 * call meets at most a few units, and each unit is compiled on first use.
 */
static int build_units(struct sp_engine *e, char **pats, char **const *keys, const size_t *nkeys,
		       uint32_t npats, struct sp_diag *d)
{
	struct tagged *all = NULL;
	size_t nall = 0, capall = 0, i, k;
	uint32_t *parent = xcalloc(npats ? npats : 1, sizeof(*parent));
	uint32_t *unit_of = xcalloc(npats ? npats : 1, sizeof(*unit_of));
	struct sp_buf *texts = NULL;
	uint32_t p, u;
	int err = 0;

	for (p = 0; p < npats; p++)
		parent[p] = p;
	for (p = 0; p < npats; p++) {
		for (k = 0; k < nkeys[p]; k++) {
			SP_GROW(all, nall + 1, capall);
			all[nall].key = keys[p][k];
			all[nall++].pattern = p;
		}
	}
	if (nall > 1)
		qsort(all, nall, sizeof(*all), cmp_tagged);
	for (i = 1; i < nall; i++) {
		if (!strcmp(all[i].key, all[i - 1].key)) {
			uint32_t a = find_set(parent, all[i].pattern);

			parent[a] = find_set(parent, all[i - 1].pattern);
		}
	}
	for (p = 0; p < npats; p++) {
		uint32_t root = find_set(parent, p);

		unit_of[p] = root == p ? e->nunits++ : UINT32_MAX;
	}
	for (p = 0; p < npats; p++)
		unit_of[p] = unit_of[find_set(parent, p)];
	e->units = xcalloc(e->nunits ? e->nunits : 1, sizeof(*e->units));
	texts = xcalloc(e->nunits ? e->nunits : 1, sizeof(*texts));
	for (u = 0; u < e->nunits; u++)
		sp_buf_init(&texts[u], SIZE_MAX);
	for (p = 0; p < npats && !err; p++) {
		err = check_text(e, pats[p], d);
		sp_buf_addf(&texts[unit_of[p]], "%s\n", pats[p]);
	}
	for (u = 0; u < e->nunits; u++) {
		e->units[u].text = xstrndup(texts[u].data ? texts[u].data : "", texts[u].len);
		pthread_mutex_init(&e->units[u].lock, NULL);
		sp_buf_release(&texts[u]);
	}
	for (i = 0; i < nall; i++)
		if (!i || strcmp(all[i].key, all[i - 1].key))
			index_key(e, all[i].key, unit_of[all[i].pattern]);
	if (e->nnames > 1)
		qsort(e->names, e->nnames, sizeof(*e->names), cmp_key);
	if (e->nprefixes > 1)
		qsort(e->prefixes, e->nprefixes, sizeof(*e->prefixes), cmp_key);
	for (i = 0; i < e->nprefixes; i++)
		e->pfx_at[(unsigned char)e->prefixes[i].s[0] + 1]++;
	for (i = 0; i < 256; i++)
		e->pfx_at[i + 1] += e->pfx_at[i];
	if (e->nmethods > 1)
		qsort(e->methods, e->nmethods, sizeof(*e->methods), cmp_key);
	free(all);
	free(parent);
	free(unit_of);
	free(texts);
	return err;
}

/*
 * Compiles unit u if no thread has yet; 0 when its query is ready, else the
 * error (kept with its message in the unit, reported on every file that
 * needs it). The unit's qset is written once, under its lock, and only
 * read after state says it is ready.
 */
static int unit_ready(const struct sp_engine *e, struct unit *u, struct sp_diag *d)
{
	int state = atomic_load_explicit(&u->state, memory_order_acquire);

	if (state > 0)
		return 0;
	pthread_mutex_lock(&u->lock);
	if (!(state = atomic_load_explicit(&u->state, memory_order_relaxed))) {
		struct sp_diag ud;

		sp_diag_clear(&ud);
		u->err = compile(e, &u->qs, u->text, &ud);
		if (u->err) {
			snprintf(u->msg, sizeof(u->msg), "%.*s", (int)sizeof(u->msg) - 1, ud.msg);
			release(&u->qs);
		}
		state = u->err ? -1 : 1;
		atomic_store_explicit(&u->state, state, memory_order_release);
	}
	pthread_mutex_unlock(&u->lock);
	if (state < 0 && d)
		sp_diag_set(d, u->err, "%s", u->msg);
	return state > 0 ? 0 : u->err;
}

int sp_engine_check(const struct sp_engine *e, struct sp_diag *d)
{
	size_t i;
	int err;

	for (i = 0; i < e->nunits; i++)
		if ((err = unit_ready(e, &e->units[i], d)))
			return err;
	return 0;
}

/*
 * The catalog's queries are split into patterns by their text and routed
 * before anything is compiled, so each pattern is compiled once: the
 * patterns rooted at known node types into rootq, those rooted anywhere
 * into wholeq (both compiled now), the call patterns into units compiled
 * on first use.
 */
static int split(struct sp_engine *e, const char *text, struct sp_diag *d)
{
	struct sp_buf main_text, whole_text;
	struct shapes sh;
	char type[32];
	char **pats = NULL, ***keys = NULL;
	size_t *nkeys = NULL, npats = 0, cappats = 0, capkeys = 0, capn = 0, i;
	int err = 0;

	if (shapes_init(&sh))
		return sp_diag_set(d, SP_EINTERNAL, "cannot compile the dispatch shapes");
	sp_buf_init(&main_text, SIZE_MAX);
	sp_buf_init(&whole_text, SIZE_MAX);
	e->nsyms = ts_language_symbol_count(tree_sitter_python());
	e->root_mode = xcalloc(e->nsyms, sizeof(*e->root_mode));
	e->keyed_unit = UINT32_MAX;
	for (;;) {
		size_t len = next_pattern(&text), k, nk = 0;
		const char *args = NULL;
		enum dispatch kind;
		char **pk = NULL;
		char *pt;

		if (!len)
			break;
		pt = xstrndup(text, len);
		text += len;
		kind = classify(pt, &sh, &args, type, sizeof(type));
		if (kind == D_CALLEE || kind == D_METHOD)
			read_strings(args, &pk, &nk);
		if (kind == D_TYPE) {
			pk = xmalloc(sizeof(char *));
			pk[nk++] = xstrdup(type);
		}
		if (kind != D_NONE && nk) {
			for (k = 0; k < nk; k++) {
				size_t l = strlen(pk[k]);
				char tag = kind == D_TYPE ? 't' : kind == D_METHOD ? 'm'
					   : l && pk[k][l - 1] == '*' ? 'p' : 'n';
				char *t = xmalloc(l + 3);

				if (tag == 'p')
					l--;
				t[0] = tag;
				t[1] = ':';
				memcpy(t + 2, pk[k], l);
				t[l + 2] = '\0';
				free(pk[k]);
				pk[k] = t;
			}
			SP_GROW(pats, npats + 1, cappats);
			SP_GROW(keys, npats + 1, capkeys);
			SP_GROW(nkeys, npats + 1, capn);
			pats[npats] = pt;
			keys[npats] = pk;
			nkeys[npats++] = nk;
			continue;
		}
		for (k = 0; k < nk; k++)
			free(pk[k]);
		free(pk);
		if (keyed_shape(e, pt)) {
			/* One shared key: the keyed patterns form one unit. */
			SP_GROW(pats, npats + 1, cappats);
			SP_GROW(keys, npats + 1, capkeys);
			SP_GROW(nkeys, npats + 1, capn);
			pats[npats] = pt;
			keys[npats] = xmalloc(sizeof(char *));
			keys[npats][0] = xstrdup("k:");
			nkeys[npats++] = 1;
			continue;
		}
		if (mark_roots(e, pt, 0))
			sp_buf_addf(&main_text, "%s\n", pt);
		else
			sp_buf_addf(&whole_text, "%s\n", pt);
		free(pt);
	}
	index_triggers(e);
	index_keyed(e);
	if ((err = compile(e, &e->rootq, main_text.data ? main_text.data : "", d)))
		goto out;
	if (whole_text.data && (err = compile(e, &e->wholeq, whole_text.data, d)))
		goto out;
	err = build_units(e, pats, keys, nkeys, (uint32_t)npats, d);
out:
	for (i = 0; i < npats; i++) {
		size_t k;

		for (k = 0; k < nkeys[i]; k++)
			free(keys[i][k]);
		free(keys[i]);
		free(pats[i]);
	}
	free(pats);
	free(keys);
	free(nkeys);
	shapes_release(&sh);
	sp_buf_release(&main_text);
	sp_buf_release(&whole_text);
	return err;
}

static TSSymbol symbol(const char *name)
{
	return ts_language_symbol_for_name(tree_sitter_python(), name, (uint32_t)strlen(name), true);
}

static TSFieldId field(const char *name)
{
	return ts_language_field_id_for_name(tree_sitter_python(), name, (uint32_t)strlen(name));
}

static void lookup_grammar(struct sp_engine *e)
{
	e->sym_call = symbol("call");
	e->sym_import = symbol("import_statement");
	e->sym_import_from = symbol("import_from_statement");
	e->sym_assignment = symbol("assignment");
	e->sym_function = symbol("function_definition");
	e->sym_lambda = symbol("lambda");
	e->sym_identifier = symbol("identifier");
	e->sym_attribute = symbol("attribute");
	e->sym_dotted_name = symbol("dotted_name");
	e->sym_aliased_import = symbol("aliased_import");
	e->sym_wildcard = symbol("wildcard_import");
	e->sym_relative = symbol("relative_import");
	e->sym_string = symbol("string");
	e->sym_expression = symbol("expression_statement");
	e->sym_parenthesized = symbol("parenthesized_expression");
	e->fld_function = field("function");
	e->fld_name = field("name");
	e->fld_alias = field("alias");
	e->fld_module_name = field("module_name");
	e->fld_left = field("left");
	e->fld_right = field("right");
	e->fld_body = field("body");
}

int sp_engine_new(const struct sp_catalog *cat, struct sp_engine **out, struct sp_diag *d)
{
	struct sp_engine *e = xcalloc(1, sizeof(*e));
	char *text;
	int err;

	*out = NULL;
	e->cat = cat;
	text = xstrdup(cat->queries ? cat->queries : "");
	lookup_grammar(e);
	if ((err = split(e, text, d)))
		goto out;
	e->r_too_large = need_rule(cat, "source-too-large", d, &err);
	e->r_parse = need_rule(cat, "source-parse-error", d, &err);
	e->r_timeout = need_rule(cat, "source-timeout", d, &err);
	e->r_incomplete = need_rule(cat, "source-incomplete", d, &err);
	e->r_nul = need_rule(cat, "source-nul-bytes", d, &err);
	e->r_bidi = need_rule(cat, "bidi-control", d, &err);
	e->r_invisible = need_rule(cat, "invisible-character", d, &err);
	e->r_confusable = need_rule(cat, "confusable-identifier", d, &err);
	e->r_nfkc = need_rule(cat, "nfkc-identifier", d, &err);
	e->r_entropy = need_rule(cat, "high-entropy-literal", d, &err);
	e->r_destination = need_rule(cat, "capability-destination", d, &err);
	e->r_telemetry = need_rule(cat, "capability-telemetry", d, &err);
out:
	free(text);
	if (err)
		sp_engine_free(e);
	else
		*out = e;
	return err;
}

void sp_engine_free(struct sp_engine *e)
{
	size_t i;

	if (!e)
		return;
	release(&e->rootq);
	release(&e->wholeq);
	free(e->root_mode);
	free(e->triggers);
	free(e->trig_at);
	free(e->need_field);
	for (i = 0; i < e->nkeyed; i++)
		keyed_release(&e->keyed[i]);
	free(e->keyed);
	free(e->keyed_at);
	for (i = 0; i < e->nunits; i++) {
		release(&e->units[i].qs);
		pthread_mutex_destroy(&e->units[i].lock);
		free(e->units[i].text);
	}
	free(e->units);
	for (i = 0; i < e->nnames; i++)
		free(e->names[i].s);
	for (i = 0; i < e->nprefixes; i++)
		free(e->prefixes[i].s);
	for (i = 0; i < e->nmethods; i++)
		free(e->methods[i].s);
	free(e->fn_types);
	free(e->names);
	free(e->prefixes);
	free(e->methods);
	free(e);
}

struct sp_worker *sp_worker_new(const struct sp_engine *e)
{
	struct sp_worker *w = xcalloc(1, sizeof(*w));

	w->engine = e;
	w->parser = ts_parser_new();
	if (!ts_parser_set_language(w->parser, tree_sitter_python())) {
		fprintf(stderr, "safepip: fatal: tree-sitter-python's ABI is not supported by this libtree-sitter\n");
		abort();
	}
	ts_parser_set_timeout_micros(w->parser, SP_PARSE_TIMEOUT_US);
	w->cursor = ts_query_cursor_new();
	ts_query_cursor_set_match_limit(w->cursor, SP_QUERY_MATCH_LIMIT);
	w->imports = xcalloc(IMPORT_SLOTS, sizeof(*w->imports));
	w->cache = xcalloc(CACHE_SLOTS, sizeof(*w->cache));
	return w;
}

void sp_worker_free(struct sp_worker *w)
{
	if (!w)
		return;
	ts_query_cursor_delete(w->cursor);
	ts_parser_delete(w->parser);
	free(w->imports);
	free(w->cache);
	free(w);
}

/* ---------- one file ---------- */

struct range {
	uint32_t start, end;
};

struct call_site {
	TSNode call, fn;
};

struct local_finding {
	const struct sp_rule *rule;
	enum sp_context ctx;
	uint32_t byte, line, col;
	const char *detail;
};

struct file {
	const struct sp_engine *e;
	const char *src;
	uint32_t len;
	enum sp_file_role role;
	struct sp_arena arena;

	struct slot *imports; /* open addressing, IMPORT_SLOTS, the worker's */
	uint32_t gen;         /* of the slots that belong to this file */
	size_t nimports;
	const char **stars;
	size_t nstars, capstars;

	struct range *fn;
	size_t nfn, capfn;

	TSNode *roots; /* nodes rootq runs on (see note_root()) */
	size_t nroots, caproots;
	TSNode *keyed; /* nodes of the types of keyed root patterns, in document order */
	size_t nkeyed, capkeyed;
	TSTreeCursor kc; /* keyed_hit()'s, reset for each node: creating one allocates */
	bool has_kc;
	struct call_site *calls;
	size_t ncalls, capcalls;
	uint32_t *cu; /* the units of the call at hand */
	size_t ncu, capcu;
	const struct unit *unit_failed;
	bool overflow;
	struct call_site *assigns; /* name = call(...): fn is the name */
	size_t nassigns, capassigns;

	struct cache_slot *cache; /* open addressing, CACHE_SLOTS, the worker's */

	struct local_finding *found;
	size_t nfound, capfound;
	bool truncated;

	/* For the built-in rules (see check_literals(), check_unicode()). */
	bool nonascii;        /* the file has a byte >= 0x80 */
	uint32_t bare_string; /* start byte of a string that is a statement on its own */
	struct literal *lits; /* long strings, and strings that start like a URL or IP */
	size_t nlits, caplits;
	TSNode *idents;       /* identifiers with non-ASCII characters */
	size_t nidents, capidents;
	uint32_t *capidx;     /* capability findings kept by flush(), in found[] */
};

struct literal {
	TSNode node;
	bool bare; /* a docstring or other expression statement: not talked to */
};

/* Components of a dotted name that resolution follows (a.b.c...). */
#define MAX_NAME_PARTS 16
/* Calls inside a name that resolution looks through (__import__("os").x). */
#define MAX_RESOLVE_DEPTH 4

static uint32_t hash_bytes(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

static const char *node_text(struct file *f, TSNode n, uint32_t *len)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);

	if (e > f->len)
		e = f->len;
	if (s > e)
		s = e;
	*len = e - s;
	return f->src + s;
}

static bool node_is(TSNode n, const char *type)
{
	return strcmp(ts_node_type(n), type) == 0;
}

static const char *lookup_import(struct file *f, const char *name, size_t n)
{
	uint32_t h = hash_bytes(name, n) % IMPORT_SLOTS;

	while (f->imports[h].gen == f->gen) {
		if (strlen(f->imports[h].key) == n && memcmp(f->imports[h].key, name, n) == 0)
			return f->imports[h].val;
		h = (h + 1) % IMPORT_SLOTS;
	}
	return NULL;
}

/* Binds name to qual; a later binding of the same name wins, as in Python. */
static void bind_import(struct file *f, const char *name, size_t n, const char *qual)
{
	uint32_t h = hash_bytes(name, n) % IMPORT_SLOTS;

	while (f->imports[h].gen == f->gen) {
		if (strlen(f->imports[h].key) == n && memcmp(f->imports[h].key, name, n) == 0) {
			f->imports[h].val = qual;
			return;
		}
		h = (h + 1) % IMPORT_SLOTS;
	}
	if (f->nimports >= SP_MAX_IMPORTS)
		return; /* the file is reported as incomplete */
	f->imports[h].key = sp_arena_strndup(&f->arena, name, n);
	f->imports[h].val = qual;
	f->imports[h].gen = f->gen;
	f->nimports++;
}

/*
 * The value of a plain string literal (no interpolation), escapes left as
 * written; NULL for anything else. Implicitly concatenated strings join.
 */
static const char *string_value(struct file *f, TSNode n)
{
	uint32_t i, j, count, len;
	size_t total = 0;
	char *out;
	TSNode parts[64];
	uint32_t nparts = 0;

	if (node_is(n, "string")) {
		parts[nparts++] = n;
	} else if (node_is(n, "concatenated_string")) {
		count = ts_node_named_child_count(n);
		for (i = 0; i < count && nparts < 64; i++) {
			TSNode c = ts_node_named_child(n, i);

			if (!node_is(c, "string"))
				return NULL;
			parts[nparts++] = c;
		}
		if (count > 64)
			return NULL;
	} else {
		return NULL;
	}
	for (i = 0; i < nparts; i++) {
		count = ts_node_named_child_count(parts[i]);
		for (j = 0; j < count; j++) {
			TSNode c = ts_node_named_child(parts[i], j);

			if (node_is(c, "interpolation"))
				return NULL;
			if (node_is(c, "string_content"))
				total += ts_node_end_byte(c) - ts_node_start_byte(c);
		}
	}
	if (total > SP_MAX_SOURCE_BYTES)
		return NULL;
	out = sp_arena_alloc(&f->arena, total + 1);
	total = 0;
	for (i = 0; i < nparts; i++) {
		count = ts_node_named_child_count(parts[i]);
		for (j = 0; j < count; j++) {
			TSNode c = ts_node_named_child(parts[i], j);

			if (node_is(c, "string_content")) {
				const char *t = node_text(f, c, &len);

				memcpy(out + total, t, len);
				total += len;
			}
		}
	}
	out[total] = '\0';
	return out;
}

static bool is_literal(struct file *f, TSNode n)
{
	const char *t = ts_node_type(n);

	if (!strcmp(t, "string") || !strcmp(t, "concatenated_string"))
		return string_value(f, n) != NULL;
	if (!strcmp(t, "integer") || !strcmp(t, "float") || !strcmp(t, "true") ||
	    !strcmp(t, "false") || !strcmp(t, "none"))
		return true;
	if (!strcmp(t, "unary_operator") && ts_node_named_child_count(n) == 1)
		return is_literal(f, ts_node_named_child(n, 0));
	if (!strcmp(t, "parenthesized_expression") && ts_node_named_child_count(n) == 1)
		return is_literal(f, ts_node_named_child(n, 0));
	return false;
}

static TSNode first_positional(TSNode args, uint32_t index)
{
	uint32_t i, n = ts_node_named_child_count(args), seen = 0;

	for (i = 0; i < n; i++) {
		TSNode c = ts_node_named_child(args, i);

		if (node_is(c, "keyword_argument") || node_is(c, "list_splat") ||
		    node_is(c, "dictionary_splat") || node_is(c, "comment"))
			continue;
		if (seen++ == index)
			return c;
	}
	return (TSNode){0};
}

/* Drops the spellings of the builtins module so "builtins.eval" is "eval". */
static const char *strip_builtins(const char *q)
{
	static const char *const prefixes[] = {"builtins.", "__builtins__.", "__builtin__."};
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strncmp(q, prefixes[i], strlen(prefixes[i])))
			return q + strlen(prefixes[i]);
	return q;
}

static const char *resolve(struct file *f, TSNode n, int depth);

/* "a" + "." + "b" in the file's arena, without the builtins prefix. */
static const char *join_name(struct file *f, const char *a, size_t an, const char *b, size_t bn)
{
	char *s = sp_arena_alloc(&f->arena, an + bn + 2);

	memcpy(s, a, an);
	s[an] = '.';
	memcpy(s + an + 1, b, bn);
	s[an + 1 + bn] = '\0';
	return strip_builtins(s);
}

/*
 * The module a call evaluates to, when it is an import with a literal name:
 * __import__("os"), importlib.import_module("os"), or getattr(x, "name").
 */
static const char *resolve_call(struct file *f, TSNode call, int depth)
{
	TSNode fn = ts_node_child_by_field_name(call, "function", 8);
	TSNode args = ts_node_child_by_field_name(call, "arguments", 9);
	const char *q, *lit, *base;
	TSNode a0, a1;

	if (ts_node_is_null(fn) || ts_node_is_null(args) || !node_is(args, "argument_list"))
		return NULL;
	q = resolve(f, fn, depth + 1);
	if (!q)
		return NULL;
	a0 = first_positional(args, 0);
	if (ts_node_is_null(a0))
		return NULL;
	if (!strcmp(q, "__import__")) {
		if (!(lit = string_value(f, a0)) || !*lit)
			return NULL;
		/* __import__("a.b") returns the top package a. */
		return sp_arena_strndup(&f->arena, lit, strcspn(lit, "."));
	}
	if (!strcmp(q, "importlib.import_module") || !strcmp(q, "importlib.__import__")) {
		lit = string_value(f, a0);
		return lit && *lit && *lit != '.' ? lit : NULL;
	}
	if (!strcmp(q, "getattr")) {
		a1 = first_positional(args, 1);
		if (ts_node_is_null(a1) || !(lit = string_value(f, a1)) || !*lit)
			return NULL;
		if (!(base = resolve(f, a0, depth + 1)))
			return NULL;
		return join_name(f, base, strlen(base), lit, strlen(lit));
	}
	return NULL;
}

static const char *resolve_uncached(struct file *f, TSNode n, int depth)
{
	TSNode parts[MAX_NAME_PARTS];
	int np = 0, i;
	const char *base, *t;
	uint32_t len;
	size_t total;
	char *out, *w;

	if (depth > MAX_RESOLVE_DEPTH)
		return NULL;
	for (;;) {
		if (node_is(n, "identifier")) {
			t = node_text(f, n, &len);
			base = lookup_import(f, t, len);
			if (!base)
				base = sp_arena_strndup(&f->arena, t, len);
			break;
		}
		if (node_is(n, "attribute")) {
			TSNode attr = ts_node_child_by_field_name(n, "attribute", 9);

			if (np == MAX_NAME_PARTS || ts_node_is_null(attr))
				return NULL;
			parts[np++] = attr;
			n = ts_node_child_by_field_name(n, "object", 6);
			if (ts_node_is_null(n))
				return NULL;
			continue;
		}
		if (node_is(n, "call")) {
			if (!(base = resolve_call(f, n, depth)))
				return NULL;
			break;
		}
		if (node_is(n, "parenthesized_expression") && ts_node_named_child_count(n) == 1) {
			n = ts_node_named_child(n, 0);
			continue;
		}
		return NULL;
	}
	total = strlen(base);
	for (i = 0; i < np; i++) {
		node_text(f, parts[i], &len);
		total += len + 1;
	}
	out = w = sp_arena_alloc(&f->arena, total + 1);
	memcpy(w, base, strlen(base));
	w += strlen(base);
	for (i = np - 1; i >= 0; i--) {
		t = node_text(f, parts[i], &len);
		*w++ = '.';
		memcpy(w, t, len);
		w += len;
	}
	*w = '\0';
	return strip_builtins(out);
}

/* The qualified name an expression refers to, or NULL; memoized per node. */
static const char *resolve(struct file *f, TSNode n, int depth)
{
	uint32_t h;
	const char *q;

	h = (uint32_t)(((uintptr_t)n.id >> 4) ^ ts_node_start_byte(n)) % CACHE_SLOTS;
	if (f->cache[h].gen == f->gen && f->cache[h].id == n.id && f->cache[h].id)
		return f->cache[h].qual;
	q = resolve_uncached(f, n, depth);
	f->cache[h].id = n.id;
	f->cache[h].qual = q;
	f->cache[h].gen = f->gen;
	return q;
}

static bool name_matches(const char *q, const char *const *names, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (len && names[i][len - 1] == '*') {
			if (!strncmp(q, names[i], len - 1))
				return true;
		} else if (!strcmp(q, names[i])) {
			return true;
		}
	}
	return false;
}

/*
 * Whether the callee @n names one of the wanted names; *q gets the name it
 * resolved to. A bare name that no import binds may come from a star
 * import, so each "from m import *" module is tried as its prefix.
 */
static bool callee_matches(struct file *f, TSNode n, const struct pred *p, const char **q)
{
	size_t i;
	uint32_t len;
	const char *t;

	*q = resolve(f, n, 0);
	if (!*q)
		return false;
	if (name_matches(*q, p->args, p->nargs))
		return true;
	if (f->nstars && node_is(n, "identifier")) {
		t = node_text(f, n, &len);
		if (lookup_import(f, t, len))
			return false;
		for (i = 0; i < f->nstars; i++) {
			const char *cand = join_name(f, f->stars[i], strlen(f->stars[i]), t, len);

			if (name_matches(cand, p->args, p->nargs)) {
				*q = cand;
				return true;
			}
		}
	}
	return false;
}

static bool in_function(const struct file *f, uint32_t byte)
{
	size_t lo = 0, hi = f->nfn;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->fn[mid].end <= byte)
			lo = mid + 1;
		else if (f->fn[mid].start > byte)
			hi = mid;
		else
			return true;
	}
	return false;
}

static enum sp_context context_at(const struct file *f, uint32_t byte)
{
	if (in_function(f, byte))
		return SP_CTX_FUNCTION;
	switch (f->role) {
	case SP_FILE_SETUP:
	case SP_FILE_PTH:
		return SP_CTX_INSTALL;
	case SP_FILE_INIT:
		return SP_CTX_IMPORT;
	default:
		return SP_CTX_MODULE;
	}
}

static bool regex_on(const regex_t *re, const char *t, size_t len)
{
	char small[4096];
	char *s = len < sizeof(small) ? small : xmalloc(len + 1);
	bool ok;

	memcpy(s, t, len);
	s[len] = '\0';
	ok = regexec(re, s, 0, NULL, 0) == 0;
	if (s != small)
		free(s);
	return ok;
}

static bool has_kwarg(struct file *f, TSNode args, const char *name)
{
	uint32_t i, n = ts_node_named_child_count(args), len;

	for (i = 0; i < n; i++) {
		TSNode c = ts_node_named_child(args, i);
		TSNode k;
		const char *t;

		if (node_is(c, "dictionary_splat"))
			return true; /* **kwargs may carry it */
		if (!node_is(c, "keyword_argument"))
			continue;
		k = ts_node_child_by_field_name(c, "name", 4);
		t = node_text(f, k, &len);
		if (len == strlen(name) && !memcmp(t, name, len))
			return true;
	}
	return false;
}

static uint32_t positional_count(TSNode args)
{
	uint32_t i, n = ts_node_named_child_count(args), count = 0;

	for (i = 0; i < n; i++) {
		TSNode c = ts_node_named_child(args, i);

		if (node_is(c, "list_splat"))
			return UINT32_MAX; /* *args: any number */
		if (!node_is(c, "keyword_argument") && !node_is(c, "dictionary_splat") &&
		    !node_is(c, "comment"))
			count++;
	}
	return count;
}

static bool eval_pred(struct file *f, const struct pred *p, const TSQueryCapture *caps,
		      uint32_t ncaps, const char **callee)
{
	TSNode n = {0};
	bool found = false;
	uint32_t i, len;
	const char *t, *q;

	for (i = 0; i < ncaps; i++) {
		if (caps[i].index == p->capture) {
			n = caps[i].node;
			found = true;
			break;
		}
	}
	if (!found)
		return false;
	switch (p->op) {
	case P_CALLEE:
		if (!callee_matches(f, n, p, &q))
			return false;
		if (callee && !*callee)
			*callee = q;
		return true;
	case P_NOT_CALLEE:
		return !callee_matches(f, n, p, &q);
	case P_LITERAL:
		return is_literal(f, n);
	case P_NOT_LITERAL:
		return !is_literal(f, n);
	case P_EQ:
	case P_NOT_EQ:
		t = node_text(f, n, &len);
		return (len == strlen(p->args[0]) && !memcmp(t, p->args[0], len)) == (p->op == P_EQ);
	case P_ANY_OF:
		t = node_text(f, n, &len);
		for (i = 0; i < p->nargs; i++)
			if (len == strlen(p->args[i]) && !memcmp(t, p->args[i], len))
				return true;
		return false;
	case P_MATCH:
	case P_NOT_MATCH:
		t = node_text(f, n, &len);
		return regex_on(&p->re, t, len) == (p->op == P_MATCH);
	case P_STR_MATCH:
	case P_NOT_STR_MATCH:
		t = string_value(f, n);
		if (!t)
			return p->op == P_NOT_STR_MATCH;
		return regex_on(&p->re, t, strlen(t)) == (p->op == P_STR_MATCH);
	case P_CONTEXT:
		return (p->mask >> context_at(f, ts_node_start_byte(n))) & 1u;
	case P_HAS_KWARG:
	case P_NOT_HAS_KWARG:
		return has_kwarg(f, n, p->args[0]) == (p->op == P_HAS_KWARG);
	case P_MAX_ARGS:
		return positional_count(n) <= (uint32_t)p->num;
	}
	return false;
}

/*
 * One imported name: "import a.b" binds a; "import a.b as c" binds c to
 * a.b; "from m import n [as c]" binds n (or c) to m.n. Relative modules
 * keep their dots, so they never look like a top-level module.
 */
static void bind_one(struct file *f, bool from, TSNode module, TSNode name, TSNode alias)
{
	uint32_t len, mlen, alen;
	const char *t = node_text(f, name, &len), *m, *al;

	if (!from) {
		if (!ts_node_is_null(alias)) {
			al = node_text(f, alias, &alen);
			bind_import(f, al, alen, sp_arena_strndup(&f->arena, t, len));
		} else {
			/* The source need not be NUL-terminated: stay inside the name. */
			const char *dot = memchr(t, '.', len);
			size_t top = dot ? (size_t)(dot - t) : len;
			bind_import(f, t, top, sp_arena_strndup(&f->arena, t, top));
		}
		return;
	}
	if (ts_node_is_null(module))
		return;
	m = node_text(f, module, &mlen);
	if (!ts_node_is_null(alias)) {
		al = node_text(f, alias, &alen);
		bind_import(f, al, alen, join_name(f, m, mlen, t, len));
	} else {
		bind_import(f, t, len, join_name(f, m, mlen, t, len));
	}
}

static void walk_import(struct file *f, TSNode n, bool from)
{
	const struct sp_engine *e = f->e;
	TSNode module = from ? ts_node_child_by_field_id(n, e->fld_module_name) : (TSNode){0};
	TSTreeCursor c = ts_tree_cursor_new(n);

	if (!ts_tree_cursor_goto_first_child(&c))
		goto out;
	do {
		TSNode ch = ts_tree_cursor_current_node(&c);
		TSSymbol sym = ts_node_symbol(ch);

		if (sym == e->sym_wildcard && from && !ts_node_is_null(module) &&
		    ts_node_symbol(module) != e->sym_relative) {
			uint32_t mlen;
			const char *m = node_text(f, module, &mlen);

			SP_GROW(f->stars, f->nstars + 1, f->capstars);
			f->stars[f->nstars++] = sp_arena_strndup(&f->arena, m, mlen);
			continue;
		}
		if (ts_tree_cursor_current_field_id(&c) != e->fld_name)
			continue;
		if (sym == e->sym_dotted_name) {
			bind_one(f, from, module, ch, (TSNode){0});
		} else if (sym == e->sym_aliased_import) {
			TSNode name = ts_node_child_by_field_id(ch, e->fld_name);
			TSNode alias = ts_node_child_by_field_id(ch, e->fld_alias);

			if (!ts_node_is_null(name) && !ts_node_is_null(alias))
				bind_one(f, from, module, name, alias);
		}
	} while (ts_tree_cursor_goto_next_sibling(&c));
out:
	ts_tree_cursor_delete(&c);
}

/* Builtins worth following through a plain alias (e = eval; e(x)). */
static bool risky_builtin(const char *t, uint32_t n)
{
	static const char *const names[] = {"eval", "exec", "compile", "__import__", "getattr",
					    "open", "breakpoint"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !memcmp(names[i], t, n))
			return true;
	return false;
}

/*
 * x = __import__("os"), x = importlib.import_module("m"), x = getattr(os,
 * "system"); and plain aliases of what an import or a risky builtin names:
 * sp = subprocess, run = os.system, e = eval. Other plain assignments bind
 * nothing, so a fallback (yaml = fallback_yaml) never hides the import.
 */
static void handle_assign(struct file *f, TSNode alias, TSNode value)
{
	uint32_t len, hlen;
	const char *q = NULL, *t, *ht;
	TSNode head = value;

	if (node_is(value, "call")) {
		q = resolve_call(f, value, 0);
	} else {
		while (node_is(head, "attribute"))
			head = ts_node_child_by_field_name(head, "object", 6);
		if (ts_node_is_null(head) || !node_is(head, "identifier"))
			return;
		ht = node_text(f, head, &hlen);
		if (lookup_import(f, ht, hlen) ||
		    (node_is(value, "identifier") && risky_builtin(ht, hlen)))
			q = resolve(f, value, 0);
	}
	if (!q)
		return;
	t = node_text(f, alias, &len);
	/* x = x and the like bind nothing new. */
	if (strlen(q) == len && !memcmp(q, t, len))
		return;
	bind_import(f, t, len, q);
}

static void add_range(struct file *f, TSNode body)
{
	SP_GROW(f->fn, f->nfn + 1, f->capfn);
	f->fn[f->nfn].start = ts_node_start_byte(body);
	f->fn[f->nfn].end = ts_node_end_byte(body);
	f->nfn++;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

/* Function bodies nest or are disjoint: merge them into disjoint ranges. */
static void merge_ranges(struct file *f)
{
	size_t i, w = 0;

	if (!f->nfn)
		return;
	qsort(f->fn, f->nfn, sizeof(*f->fn), cmp_range);
	for (i = 1; i < f->nfn; i++) {
		if (f->fn[i].start < f->fn[w].end) {
			if (f->fn[i].end > f->fn[w].end)
				f->fn[w].end = f->fn[i].end;
		} else {
			f->fn[++w] = f->fn[i];
		}
	}
	f->nfn = w + 1;
}

static void add_local(struct file *f, const struct sp_rule *r, enum sp_context ctx,
		      uint32_t byte, TSPoint pt, const char *detail)
{
	SP_GROW(f->found, f->nfound + 1, f->capfound);
	f->found[f->nfound].rule = r;
	f->found[f->nfound].ctx = ctx;
	f->found[f->nfound].byte = byte;
	f->found[f->nfound].line = pt.row + 1;
	f->found[f->nfound].col = pt.column + 1;
	f->found[f->nfound].detail = detail;
	f->nfound++;
}

/*
 * Untrusted text as a detail: at most SP_MAX_CAPABILITY_DETAIL bytes, cut
 * on a UTF-8 boundary, control bytes replaced, in the file's arena.
 */
static char *detail_text(struct file *f, const char *t, size_t len)
{
	char *out;
	size_t i;

	if (len > SP_MAX_CAPABILITY_DETAIL) {
		len = SP_MAX_CAPABILITY_DETAIL;
		while (len && ((unsigned char)t[len] & 0xc0) == 0x80)
			len--;
	}
	out = sp_arena_alloc(&f->arena, len + 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];

		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[len] = '\0';
	return out;
}

/* A capture's value for (#detail! @c): a plain string's contents, else its text. */
static char *capture_detail(struct file *f, TSNode n)
{
	const char *v = string_value(f, n);
	uint32_t len;

	if (v)
		return detail_text(f, v, strlen(v));
	v = node_text(f, n, &len);
	return detail_text(f, v, len);
}

static void eval_rule(struct file *f, const struct qset *qs, uint32_t pattern,
		      const TSQueryCapture *caps, uint32_t count)
{
	const struct pattern *p = &qs->patterns[pattern];
	const char *callee = NULL;
	char *detail = NULL;
	uint32_t i;
	TSNode at = {0};

	for (i = 0; i < p->npreds; i++)
		if (!eval_pred(f, &p->preds[i], caps, count, &callee))
			return;
	for (i = 0; i < count; i++) {
		if (caps[i].index == qs->cap_match) {
			at = caps[i].node;
			break;
		}
	}
	if (ts_node_is_null(at))
		return;
	if (p->has_detail) {
		for (i = 0; i < count && !detail; i++)
			if (caps[i].index == p->detail_capture)
				detail = capture_detail(f, caps[i].node);
	} else if (p->has_callee && callee) {
		uint32_t len = 0;
		const char *t = NULL;

		for (i = 0; i < count; i++)
			if (caps[i].index == p->callee_capture)
				t = node_text(f, caps[i].node, &len);
		/* Name the resolution when the source spells it differently. */
		if (t && len <= 120 && (strlen(callee) != len || memcmp(callee, t, len))) {
			size_t n = strlen(callee) + len + 32;

			detail = sp_arena_alloc(&f->arena, n);
			snprintf(detail, n, "calls %s (written %.*s)", callee, (int)len, t);
		} else {
			size_t n = strlen(callee) + 8;

			detail = sp_arena_alloc(&f->arena, n);
			snprintf(detail, n, "calls %s", callee);
		}
	}
	add_local(f, p->rule, context_at(f, ts_node_start_byte(at)), ts_node_start_byte(at),
		  ts_node_start_point(at), detail);
}

static void add_call(struct file *f, TSNode call, TSNode fn)
{
	SP_GROW(f->calls, f->ncalls + 1, f->capcalls);
	f->calls[f->ncalls].call = call;
	f->calls[f->ncalls].fn = fn;
	f->ncalls++;
}

/*
 * Strings the built-in rules look at again after the walk: those long
 * enough to be judged by their entropy, and those that start like a URL
 * ("://" near the start) or an IP address (a digit). Most strings are
 * neither, and cost one look at their first bytes.
 */
static void note_string(struct file *f, TSNode n)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n), i = s, k;
	bool keep = false;

	if (e > f->len || s >= e)
		return;
	if (e - s >= SP_ENTROPY_MIN_LEN) {
		keep = true;
	} else {
		while (i < e && i - s < 4 && f->src[i] != '"' && f->src[i] != '\'')
			i++; /* prefix: r, b, u, f and their mixes */
		while (i < e && (f->src[i] == '"' || f->src[i] == '\''))
			i++;
		if (i < e && f->src[i] >= '0' && f->src[i] <= '9')
			keep = true;
		for (k = i; !keep && k + 3 <= e && k < i + 12; k++)
			keep = f->src[k] == ':' && f->src[k + 1] == '/' && f->src[k + 2] == '/';
	}
	if (!keep)
		return;
	SP_GROW(f->lits, f->nlits + 1, f->caplits);
	f->lits[f->nlits].node = n;
	f->lits[f->nlits].bare = s == f->bare_string;
	f->nlits++;
}

/*
 * A node rootq's patterns may be rooted at, unless covered: rootq runs only
 * on a node's last byte (see run_root_rules()), where it also meets every
 * node inside it that ends at that byte. Those are skipped, so a chain such
 * as a = b = c = ... is looked at once, not once per link. covering is the
 * end byte of the nearest noted ancestor (UINT32_MAX: none); returns what
 * n's descendants inherit.
 */
static uint32_t note_root(struct file *f, TSNode n, uint32_t covering)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);

	if (e > s && e == covering)
		return covering;
	SP_GROW(f->roots, f->nroots + 1, f->caproots);
	f->roots[f->nroots++] = n;
	return e > s ? e : covering;
}

/* The walk's path from the root to the node at hand, one entry per depth. */
struct level {
	TSNode node;
	uint32_t cover;  /* what note_root() passes down to the node's descendants */
	TSFieldId field; /* the node's field, when need_field[sym] */
	TSSymbol sym;
	bool decided;    /* noted for rootq or covered, or not a root */
	bool own;        /* cover is the node's own note, not inherited */
};

/*
 * Notes the ancestor at depth a, now that one of its triggers turned up at
 * depth d, and passes its cover down to the levels between, as if it had
 * been noted when the walk entered it.
 */
static void note_late(struct file *f, struct level *lv, size_t a, size_t d)
{
	size_t k;

	lv[a].cover = note_root(f, lv[a].node, a ? lv[a - 1].cover : UINT32_MAX);
	lv[a].decided = true;
	lv[a].own = true;
	for (k = a + 1; k < d; k++)
		if (!lv[k].own)
			lv[k].cover = lv[k - 1].cover;
}

/* The triggers that end at the node at depth d (the cursor's node): notes their roots. */
static void fire_triggers(struct file *f, const TSTreeCursor *c, struct level *lv, size_t d)
{
	const struct sp_engine *e = f->e;
	uint32_t i, k;
	TSSymbol sym = lv[d].sym;
	bool have_field = e->need_field[sym];

	for (i = e->trig_at[sym]; i < e->trig_at[sym + 1]; i++) {
		const struct trigger *t = &e->triggers[i];
		size_t a;

		if (d + 1 < t->len)
			continue;
		a = d + 1 - t->len;
		if (lv[a].decided || lv[a].sym != t->s[0].sym)
			continue;
		for (k = 1; k < t->len; k++) {
			const struct level *l = &lv[a + k];

			if (l->sym != t->s[k].sym)
				break;
			if (!t->s[k].field)
				continue;
			if (a + k == d && !have_field) {
				lv[d].field = ts_tree_cursor_current_field_id(c);
				have_field = true;
			}
			if (l->field != t->s[k].field)
				break;
		}
		if (k == t->len)
			note_late(f, lv, a, d);
	}
}

/*
 * One pass over every node, in document order, collecting what the rules
 * need to know about the file: imports (the import table), function and
 * lambda bodies (context), import-like assignments, every call (for
 * dispatched patterns), and the nodes rootq runs on. Iterative, so nesting
 * depth costs no stack. A query would do the same at more than twice the
 * cost.
 */
static void walk(struct file *f, TSNode root)
{
	const struct sp_engine *e = f->e;
	TSTreeCursor c = ts_tree_cursor_new(root);
	struct level *lv = NULL;
	size_t depth = 0, caplv = 0;

	for (;;) {
		TSNode n = ts_tree_cursor_current_node(&c);
		TSSymbol sym = ts_node_symbol(n);
		uint8_t mode = sym < e->nsyms ? e->root_mode[sym] : ROOT_NO;
		struct level *l;

		SP_GROW(lv, depth + 1, caplv);
		l = &lv[depth];
		l->node = n;
		l->sym = sym;
		l->decided = mode == ROOT_NO;
		l->own = false;
		l->field = 0;
		if (sym < e->nsyms) {
			if (e->need_field[sym])
				l->field = ts_tree_cursor_current_field_id(&c);
			if (e->trig_at[sym] != e->trig_at[sym + 1])
				fire_triggers(f, &c, lv, depth);
			if (e->keyed_at[sym] != e->keyed_at[sym + 1]) {
				SP_GROW(f->keyed, f->nkeyed + 1, f->capkeyed);
				f->keyed[f->nkeyed++] = n;
			}
		}
		l->cover = depth ? lv[depth - 1].cover : UINT32_MAX;
		if (mode == ROOT_ALWAYS) {
			l->cover = note_root(f, n, l->cover);
			l->decided = true;
			l->own = true;
		}
		if (sym == e->sym_call) {
			TSNode fn = ts_node_child_by_field_id(n, e->fld_function);

			if (!ts_node_is_null(fn))
				add_call(f, n, fn);
		} else if (sym == e->sym_assignment) {
			TSNode left = ts_node_child_by_field_id(n, e->fld_left);
			TSNode right = ts_node_child_by_field_id(n, e->fld_right);

			if (!ts_node_is_null(left) && !ts_node_is_null(right) &&
			    ts_node_symbol(left) == e->sym_identifier &&
			    (ts_node_symbol(right) == e->sym_call ||
			     ts_node_symbol(right) == e->sym_identifier ||
			     ts_node_symbol(right) == e->sym_attribute)) {
				SP_GROW(f->assigns, f->nassigns + 1, f->capassigns);
				f->assigns[f->nassigns].call = right;
				f->assigns[f->nassigns].fn = left;
				f->nassigns++;
			}
		} else if (sym == e->sym_function || sym == e->sym_lambda) {
			TSNode body = ts_node_child_by_field_id(n, e->fld_body);

			if (!ts_node_is_null(body))
				add_range(f, body);
		} else if (sym == e->sym_import) {
			walk_import(f, n, false);
		} else if (sym == e->sym_import_from) {
			walk_import(f, n, true);
		} else if (sym == e->sym_expression) {
			TSNode only = ts_node_named_child(n, 0);

			if (ts_node_named_child_count(n) == 1 &&
			    ts_node_symbol(only) == e->sym_string)
				f->bare_string = ts_node_start_byte(only);
		} else if (sym == e->sym_string) {
			note_string(f, n);
		} else if (sym == e->sym_identifier && f->nonascii) {
			SP_GROW(f->idents, f->nidents + 1, f->capidents);
			f->idents[f->nidents++] = n;
		}
		if (ts_tree_cursor_goto_first_child(&c)) {
			depth++;
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (!ts_tree_cursor_goto_parent(&c))
				goto done;
			depth--;
		}
	}
done:
	free(lv);
	ts_tree_cursor_delete(&c);
}

/* Adds unit u to the call's list, once. */
static void want_unit(struct file *f, uint32_t u)
{
	size_t i;

	for (i = 0; i < f->ncu; i++)
		if (f->cu[i] == u)
			return;
	SP_GROW(f->cu, f->ncu + 1, f->capcu);
	f->cu[f->ncu++] = u;
}

/* The units keyed by the resolved name q: its exact name and every prefix of it. */
static void name_units(struct file *f, const char *q)
{
	const struct sp_engine *e = f->e;
	struct key k = {(char *)q, 0}, *hit;
	size_t i;

	if (e->nnames && (hit = bsearch(&k, e->names, e->nnames, sizeof(*e->names), cmp_key)))
		want_unit(f, hit->unit);
	for (i = e->pfx_at[(unsigned char)q[0]]; i < e->pfx_at[(unsigned char)q[0] + 1]; i++)
		if (!strncmp(q, e->prefixes[i].s, strlen(e->prefixes[i].s)))
			want_unit(f, e->prefixes[i].unit);
}

/*
 * The units whose patterns could match this call (into f->cu): those keyed
 * by the type of its function node, by its method name, or by the name its
 * callee resolves to (for a bare name that no import binds, under each star
 * import too, as callee_matches() tries them).
 */
static void call_units(struct file *f, TSNode fn)
{
	const struct sp_engine *e = f->e;
	TSSymbol sym = ts_node_symbol(fn);
	const char *q, *t;
	uint32_t len;
	size_t i;

	f->ncu = 0;
	for (i = 0; i < e->nfn_types; i++)
		if (sym == e->fn_types[i].sym)
			want_unit(f, e->fn_types[i].unit);
	if (e->nmethods && node_is(fn, "attribute")) {
		TSNode attr = ts_node_child_by_field_name(fn, "attribute", 9);
		char name[64];

		t = node_text(f, attr, &len);
		if (!ts_node_is_null(attr) && len < sizeof(name)) {
			struct key k = {name, 0}, *hit;

			memcpy(name, t, len);
			name[len] = '\0';
			hit = bsearch(&k, e->methods, e->nmethods, sizeof(*e->methods), cmp_key);
			if (hit)
				want_unit(f, hit->unit);
		}
	}
	q = resolve(f, fn, 0);
	if (!q)
		return;
	name_units(f, q);
	if (!f->nstars || !node_is(fn, "identifier"))
		return;
	t = node_text(f, fn, &len);
	if (lookup_import(f, t, len))
		return;
	for (i = 0; i < f->nstars; i++)
		name_units(f, join_name(f, f->stars[i], strlen(f->stars[i]), t, len));
}

/*
 * Limits a cursor to the nodes that contain n's last byte: patterns start
 * only there (n and the nodes that end where it does), and the cursor
 * descends into n's other children only as far as a pattern already
 * started needs. A query run on n then costs the depth of its patterns,
 * not the size of n's subtree. The last byte, not the first: a chain such
 * as f()()() or a + b + c nests at its start, and patterns started at each
 * link would wait there for the link's later children. (A node of no width
 * contains no byte: its subtree is empty, so it gets no limit.)
 */
static void limit_to_end(TSQueryCursor *c, TSNode n)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);

	if (e > s)
		ts_query_cursor_set_byte_range(c, e - 1, e);
	else
		ts_query_cursor_set_byte_range(c, 0, UINT32_MAX);
}

/*
 * rootq on one node: every match it finds is kept, including those rooted
 * at the nodes inside n that end where n does (note_root() skips them).
 */
static void run_root_rules(struct sp_worker *w, struct file *f, TSNode n)
{
	const struct qset *qs = &f->e->rootq;
	TSQueryMatch m;

	limit_to_end(w->cursor, n);
	ts_query_cursor_exec(w->cursor, qs->query, n);
	while (ts_query_cursor_next_match(w->cursor, &m))
		eval_rule(f, qs, m.pattern_index, m.captures, m.capture_count);
}

/*
 * The units of one call (f->cu): matches rooted at other nodes are dropped,
 * since those nodes get their own run. A unit that does not compile makes
 * the file incomplete rather than silently unchecked.
 */
static void run_call_rules(struct sp_worker *w, struct file *f, TSNode call)
{
	TSQueryMatch m;
	size_t k;
	uint32_t i;

	for (k = 0; k < f->ncu; k++) {
		struct unit *u = &f->e->units[f->cu[k]];
		const struct qset *qs = &u->qs;

		if (unit_ready(f->e, u, NULL)) {
			f->unit_failed = u;
			continue;
		}
		limit_to_end(w->cursor, call);
		ts_query_cursor_exec(w->cursor, qs->query, call);
		while (ts_query_cursor_next_match(w->cursor, &m)) {
			for (i = 0; i < m.capture_count; i++) {
				if (m.captures[i].index == qs->cap_match) {
					if (ts_node_eq(m.captures[i].node, call))
						eval_rule(f, qs, m.pattern_index, m.captures,
							  m.capture_count);
					break;
				}
			}
		}
		f->overflow |= ts_query_cursor_did_exceed_match_limit(w->cursor);
	}
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Whether a child of n under k's field (or the function of a call there) resolves to k's names. */
static bool keyed_hit(struct file *f, TSNode n, const struct keyed *k)
{
	const struct sp_engine *e = f->e;
	TSTreeCursor *c = &f->kc;
	bool hit = false;
	const char *q;

	if (f->has_kc) {
		ts_tree_cursor_reset(c, n);
	} else {
		*c = ts_tree_cursor_new(n);
		f->has_kc = true;
	}
	if (!ts_tree_cursor_goto_first_child(c))
		return false;
	do {
		TSNode ch;
		TSSymbol sym;

		if (ts_tree_cursor_current_field_id(c) != k->field)
			continue;
		ch = ts_tree_cursor_current_node(c);
		if (k->via_call) {
			if (ts_node_symbol(ch) != e->sym_call)
				continue;
			ch = ts_node_child_by_field_id(ch, e->fld_function);
			if (ts_node_is_null(ch))
				continue;
		}
		/* resolve() names nothing else: spare it the work. */
		sym = ts_node_symbol(ch);
		if (sym != e->sym_identifier && sym != e->sym_attribute && sym != e->sym_call &&
		    sym != e->sym_parenthesized)
			continue;
		hit = callee_matches(f, ch, &k->names, &q);
	} while (!hit && ts_tree_cursor_goto_next_sibling(c));
	return hit;
}

/*
 * The keyed unit on the nodes that meet one of their type's conditions.
 * Like rootq's runs, each run is limited to the node's last byte and finds
 * the matches rooted at the nodes inside it that end there, so such a node
 * after a run on its ancestor is skipped. Returns whether time ran out.
 */
static bool run_keyed_rules(struct sp_worker *w, struct file *f, uint64_t deadline)
{
	const struct sp_engine *e = f->e;
	struct unit *u;
	uint32_t cs = 0, ce = 0, s, end, k;
	TSQueryMatch m;
	size_t i;

	if (!f->nkeyed)
		return false;
	u = &e->units[e->keyed_unit];
	for (i = 0; i < f->nkeyed; i++) {
		TSNode n = f->keyed[i];
		TSSymbol sym = ts_node_symbol(n);

		s = ts_node_start_byte(n);
		end = ts_node_end_byte(n);
		if (end > s && end == ce && s >= cs)
			continue;
		for (k = e->keyed_at[sym]; k < e->keyed_at[sym + 1]; k++)
			if (keyed_hit(f, n, &e->keyed[k]))
				break;
		if (k == e->keyed_at[sym + 1])
			continue;
		if (unit_ready(e, u, NULL)) {
			f->unit_failed = u;
			return false;
		}
		limit_to_end(w->cursor, n);
		ts_query_cursor_exec(w->cursor, u->qs.query, n);
		while (ts_query_cursor_next_match(w->cursor, &m))
			eval_rule(f, &u->qs, m.pattern_index, m.captures, m.capture_count);
		f->overflow |= ts_query_cursor_did_exceed_match_limit(w->cursor);
		cs = s;
		ce = end;
		if (now_us() > deadline)
			return true;
	}
	return false;
}

/* The first ERROR or MISSING node, found by descending through has_error. */
static TSNode first_error(TSNode root)
{
	TSTreeCursor c = ts_tree_cursor_new(root);
	TSNode n = root;

	for (;;) {
		n = ts_tree_cursor_current_node(&c);
		if (ts_node_is_missing(n) || node_is(n, "ERROR"))
			break;
		if (!ts_tree_cursor_goto_first_child(&c))
			break;
		for (;;) {
			TSNode k = ts_tree_cursor_current_node(&c);

			if (ts_node_has_error(k))
				break;
			if (!ts_tree_cursor_goto_next_sibling(&c)) {
				ts_tree_cursor_delete(&c);
				return n;
			}
		}
	}
	ts_tree_cursor_delete(&c);
	return n;
}

static int cmp_local(const void *a, const void *b)
{
	const struct local_finding *x = a, *y = b;

	if (x->byte != y->byte)
		return x->byte < y->byte ? -1 : 1;
	return strcmp(x->rule->id, y->rule->id);
}

/* The source line around byte, for the snippet. */
static void line_at(const char *src, uint32_t len, uint32_t byte, const char **s, size_t *n)
{
	uint32_t a = byte, b = byte;

	if (a > len)
		a = b = len;
	while (a > 0 && src[a - 1] != '\n' && byte - a < SP_MAX_SNIPPET)
		a--;
	while (b < len && src[b] != '\n' && b - a < SP_MAX_SNIPPET)
		b++;
	*s = src + a;
	*n = b - a;
}

/*
 * Capability findings are facts, kept once per rule and detail in a file
 * (a module that calls requests.get forty times gets one) and apart from
 * the per-file cap, so they never crowd out a finding that matters.
 * Returns whether x repeats one already kept (or is past the cap).
 */
static bool capability_seen(struct file *f, const struct local_finding *x, size_t *ncap)
{
	size_t i;

	for (i = 0; i < *ncap; i++) {
		const struct local_finding *y = &f->found[f->capidx[i]];

		if (y->rule == x->rule &&
		    !strcmp(y->detail ? y->detail : "", x->detail ? x->detail : ""))
			return true;
	}
	if (*ncap >= SP_MAX_CAPABILITY_PER_FILE)
		return true;
	f->capidx[(*ncap)++] = (uint32_t)(x - f->found);
	return false;
}

static void flush(struct file *f, struct sp_artifact *a, const char *path, unsigned line_offset)
{
	size_t i, kept = 0, ncap = 0;
	const char *s;
	size_t n;
	bool full = false;

	if (f->nfound > 1)
		qsort(f->found, f->nfound, sizeof(*f->found), cmp_local);
	f->capidx = sp_arena_alloc(&f->arena, SP_MAX_CAPABILITY_PER_FILE * sizeof(*f->capidx));
	for (i = 0; i < f->nfound; i++) {
		const struct local_finding *x = &f->found[i];
		bool cap = !strcmp(x->rule->category, "capability");

		if (i && x->byte == f->found[i - 1].byte && x->rule == f->found[i - 1].rule)
			continue; /* several patterns of one rule on one node */
		if (cap && capability_seen(f, x, &ncap))
			continue;
		if (!cap && full)
			continue;
		if (!cap && kept == SP_MAX_FINDINGS_PER_FILE) {
			char msg[96];

			snprintf(msg, sizeof(msg), "more than %d findings in this file; the rest are not listed",
				 SP_MAX_FINDINGS_PER_FILE);
			sp_artifact_add(a, f->e->r_incomplete, SP_CTX_NONE, path, 0, 0, NULL, 0, msg);
			full = true;
			continue;
		}
		line_at(f->src, f->len, x->byte, &s, &n);
		sp_artifact_add(a, x->rule, x->ctx, path, x->line + line_offset, x->col, s, n,
				x->detail);
		kept += !cap;
	}
}

/* ---------- built-in rules on literals and characters ---------- */

/* Whether any byte has its high bit set, eight at a time. */
static bool any_nonascii(const char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ull)
			return true;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* The raw text of a string literal between its quotes; false when it interpolates. */
static bool string_body(struct file *f, TSNode n, const char **t, uint32_t *len)
{
	uint32_t i, count = ts_node_named_child_count(n), s = 0, e = 0;
	bool any = false;

	for (i = 0; i < count; i++) {
		TSNode c = ts_node_named_child(n, i);

		if (node_is(c, "interpolation"))
			return false;
		if (!node_is(c, "string_content"))
			continue;
		if (!any)
			s = ts_node_start_byte(c);
		e = ts_node_end_byte(c);
		any = true;
	}
	if (!any || e > f->len || s > e)
		return false;
	*t = f->src + s;
	*len = e - s;
	return true;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/*
 * A long literal whose characters look random: an encoded or encrypted
 * payload. Judged on what is written, without whitespace and with "\xNN"
 * escapes read as hex digits (marshalled code is often shipped that way).
 * Random base64 has close to 6 bits per character, hex close to 4; text,
 * identifiers and code stay well below the thresholds.
 */
static void check_entropy(struct file *f, TSNode n)
{
	const char *t;
	uint32_t len, i, escapes = 0;
	bool escaped;
	unsigned char *buf;
	size_t m = 0;
	enum sp_alphabet alpha;
	double h, min;
	char *detail;
	static const char *const names[] = {"mixed", "hex", "base64"};

	if (!string_body(f, n, &t, &len) || len < SP_ENTROPY_MIN_LEN)
		return;
	if (len > SP_ENTROPY_MAX_BYTES)
		len = SP_ENTROPY_MAX_BYTES;
	for (i = 0; i + 3 < len; i++)
		if (t[i] == '\\' && t[i + 1] == 'x')
			escapes++;
	buf = sp_arena_alloc(&f->arena, len);
	escaped = escapes * 4 >= len - len / 10;
	for (i = 0; i < len; i++) {
		if (escaped && t[i] == '\\' && i + 1 < len && t[i + 1] == 'x') {
			i++;
			continue;
		}
		if (!is_space((unsigned char)t[i]))
			buf[m++] = (unsigned char)t[i];
	}
	if (m < SP_ENTROPY_MIN_LEN)
		return;
	alpha = sp_text_alphabet(buf, m);
	h = sp_text_entropy(buf, m);
	min = alpha == SP_ALPHA_HEX ? 3.6 : alpha == SP_ALPHA_BASE64 ? 5.2 : 5.9;
	if (h < min || (alpha == SP_ALPHA_OTHER && m < (size_t)len - len / 100))
		return;
	detail = sp_arena_alloc(&f->arena, 96);
	snprintf(detail, 96, "%zu-character %s literal%s, entropy %.2f bits per character", m,
		 names[alpha], escaped ? " of \\x escapes" : "", h);
	add_local(f, f->e->r_entropy, context_at(f, ts_node_start_byte(n)), ts_node_start_byte(n),
		  ts_node_start_point(n), detail);
}

/* A URL, host or IP literal in code: where the package may connect. */
static void check_destination(struct file *f, TSNode n)
{
	uint32_t i, count = ts_node_named_child_count(n), len;
	const char *t = NULL, *host, *vendor;
	size_t hlen;
	TSNode c = {0};
	char *detail;

	/* The text up to the first interpolation: f"https://api.x.io/{p}" names its host. */
	for (i = 0; i < count; i++) {
		c = ts_node_named_child(n, i);
		if (node_is(c, "string_content") || node_is(c, "interpolation"))
			break;
	}
	if (i == count || !node_is(c, "string_content"))
		return;
	t = node_text(f, c, &len);
	if (!(hlen = sp_text_url_host(t, len, &host)))
		return;
	for (i = 0; i < len && !is_space((unsigned char)t[i]) && t[i] != '\\'; i++)
		;
	add_local(f, f->e->r_destination, context_at(f, ts_node_start_byte(n)),
		  ts_node_start_byte(n), ts_node_start_point(n), detail_text(f, t, i));
	if (!(vendor = sp_text_telemetry_vendor(host, hlen)))
		return;
	detail = sp_arena_alloc(&f->arena, strlen(vendor) + hlen + 8);
	snprintf(detail, strlen(vendor) + hlen + 8, "%s (%.*s)", vendor, (int)hlen, host);
	add_local(f, f->e->r_telemetry, context_at(f, ts_node_start_byte(n)), ts_node_start_byte(n),
		  ts_node_start_point(n), detail);
}

static void check_literals(struct file *f)
{
	size_t i;

	for (i = 0; i < f->nlits; i++) {
		TSNode n = f->lits[i].node;

		if (ts_node_end_byte(n) - ts_node_start_byte(n) >= SP_ENTROPY_MIN_LEN)
			check_entropy(f, n);
		if (!f->lits[i].bare)
			check_destination(f, n);
	}
}

/* Where a byte is, for a character's finding: "comment", "string", "identifier" or "code". */
static const char *place_of(TSNode root, uint32_t byte, uint32_t end)
{
	TSNode n = ts_node_descendant_for_byte_range(root, byte, end);
	const char *t = ts_node_type(n);

	if (!strcmp(t, "comment"))
		return "comment";
	if (!strncmp(t, "string", 6) || !strcmp(t, "escape_sequence") ||
	    !strcmp(t, "concatenated_string"))
		return "string";
	if (!strcmp(t, "identifier"))
		return "identifier";
	return "code";
}

/*
 * Raw bidirectional controls anywhere (the Trojan Source attack: code that
 * runs differently from how it reads), and bidirectional marks outside
 * strings (inside them they are honest right-to-left text). Invisible
 * characters matter in identifiers, where check_identifiers() sees them;
 * elsewhere Python refuses them or they are text. Rows are counted once
 * up to each hit, so the cost stays linear.
 */
static void check_bidi(struct file *f, TSNode root)
{
	const unsigned char *s = (const unsigned char *)f->src;
	uint32_t i, reported = 0, looked = 0, row = 0, line_start = 0, counted = 0;
	uint32_t last_row = UINT32_MAX;

	for (i = 0; i < f->len && reported < SP_MAX_UNICODE_FINDINGS; i++) {
		uint32_t cp, k;
		enum sp_char_kind kind;
		const char *where;
		char *detail;
		TSPoint pt;

		if (s[i] != 0xe2 && s[i] != 0xd8)
			continue;
		k = (uint32_t)sp_text_utf8(s + i, f->len - i, &cp);
		kind = sp_text_char_kind(cp);
		if (kind != SP_CHAR_BIDI_CONTROL && kind != SP_CHAR_BIDI_MARK)
			continue;
		if (looked++ >= 64 * SP_MAX_UNICODE_FINDINGS)
			break; /* thousands of marks in text: enough has been looked at */
		where = place_of(root, i, i + k);
		if (kind == SP_CHAR_BIDI_MARK && !strcmp(where, "string"))
			continue;
		for (; counted < i; counted++) {
			if (s[counted] == '\n') {
				row++;
				line_start = counted + 1;
			}
		}
		if (row == last_row)
			continue; /* one per line: the first shows the line is affected */
		last_row = row;
		pt.row = row;
		pt.column = i - line_start;
		detail = sp_arena_alloc(&f->arena, 96);
		snprintf(detail, 96, "U+%04X %s in %s %s", (unsigned)cp, sp_text_char_name(cp),
			 !strcmp(where, "identifier") ? "an" : "a", where);
		add_local(f, f->e->r_bidi, context_at(f, i), i, pt, detail);
		reported++;
		i += k - 1;
	}
}

/*
 * Identifiers that deceive the reader: written with compatibility
 * characters that Python's NFKC normalisation turns into ASCII (so
 * "ｅｘｅｃ" is exec), built only of letters that look like ASCII ones
 * ("ехес" in Cyrillic reads as exec but is another name), mixing Cyrillic
 * with Latin or Greek, or holding an invisible character. Mathematics'
 * Greek letters and single letter-like symbols are honest and left alone.
 * Each distinct name is reported once.
 */
struct ident_facts {
	char skel[128];      /* what the name reads as in ASCII, '?' where nothing */
	size_t letters;      /* characters in skel */
	uint32_t invisible;  /* the first invisible character, or 0 */
	unsigned scripts;    /* 1 << enum sp_script of every character */
	unsigned foreign;    /* non-ASCII characters with no ASCII reading */
	unsigned alike;      /* look-alikes of ASCII letters from other scripts */
	unsigned nfkc;       /* compatibility characters Python reads as ASCII */
	unsigned strong;     /* of those, fullwidth or mathematical: never honest */
};

static void ident_facts(const char *t, uint32_t len, struct ident_facts *x)
{
	uint32_t j = 0, k, cp;

	memset(x, 0, sizeof(*x));
	while (j < len) {
		enum sp_script sc;
		char a;

		k = (uint32_t)sp_text_utf8((const unsigned char *)t + j, len - j, &cp);
		j += k;
		if (sp_text_char_kind(cp) == SP_CHAR_INVISIBLE) {
			x->invisible = x->invisible ? x->invisible : cp;
			continue;
		}
		sc = sp_text_script(cp);
		if ((a = sp_text_nfkc_ascii(cp))) {
			x->nfkc++;
			x->strong += (cp >= 0xff00 && cp <= 0xffef) ||
				     (cp >= 0x1d400 && cp <= 0x1d7ff);
			sc = SP_SCRIPT_LATIN;
		} else if (cp < 0x80) {
			a = (char)cp;
		} else if ((a = sp_text_lookalike(cp))) {
			x->alike++;
		} else {
			x->foreign++;
			a = '?';
		}
		x->scripts |= 1u << sc;
		if (x->letters + 1 < sizeof(x->skel))
			x->skel[x->letters++] = a;
	}
	x->skel[x->letters] = '\0';
}

static void check_identifiers(struct file *f)
{
	size_t i, nseen = 0, counts[3] = {0, 0, 0};
	const char *seen[SP_MAX_UNICODE_FINDINGS * 3];
	const unsigned cyr = 1u << SP_SCRIPT_CYRILLIC;
	const unsigned latin_greek = 1u << SP_SCRIPT_LATIN | 1u << SP_SCRIPT_GREEK;

	for (i = 0; i < f->nidents; i++) {
		TSNode n = f->idents[i];
		uint32_t len;
		const char *t = node_text(f, n, &len);
		struct ident_facts x;
		const size_t dlen = 512;
		char *detail, *name;
		const struct sp_rule *r = NULL;
		size_t q, which = 0;

		if (!any_nonascii(t, len) || len > 256)
			continue;
		for (q = 0; q < nseen; q++)
			if (strlen(seen[q]) == len && !memcmp(seen[q], t, len))
				break;
		if (q < nseen)
			continue;
		ident_facts(t, len, &x);
		name = detail_text(f, t, len);
		detail = sp_arena_alloc(&f->arena, dlen);
		if (x.invisible) {
			r = f->e->r_invisible;
			which = 0;
			snprintf(detail, dlen, "U+%04X %s in the name '%s'", (unsigned)x.invisible,
				 sp_text_char_name(x.invisible), x.skel);
		} else if (!x.foreign && (x.strong || x.nfkc >= 2)) {
			r = f->e->r_nfkc;
			which = 1;
			snprintf(detail, dlen, "'%s' is read by Python as '%s'", name, x.skel);
		} else if (!x.foreign && x.alike && x.letters >= 3) {
			r = f->e->r_confusable;
			which = 2;
			snprintf(detail, dlen,
				 "'%s' looks like the ASCII name '%s' but is another name", name,
				 x.skel);
		} else if ((x.scripts & cyr) && (x.scripts & latin_greek)) {
			r = f->e->r_confusable;
			which = 2;
			snprintf(detail, dlen, "'%s' mixes Cyrillic and %s letters", name,
				 x.scripts & 1u << SP_SCRIPT_LATIN ? "Latin" : "Greek");
		}
		if (!r || counts[which] >= SP_MAX_UNICODE_FINDINGS)
			continue;
		counts[which]++;
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			seen[nseen++] = sp_arena_strndup(&f->arena, t, len);
		add_local(f, r, context_at(f, ts_node_start_byte(n)), ts_node_start_byte(n),
			  ts_node_start_point(n), detail);
	}
}

void sp_worker_scan(struct sp_worker *w, struct sp_artifact *a, const char *path,
		    const char *src, size_t len, enum sp_file_role role, unsigned line_offset)
{
	const struct sp_engine *e = w->engine;
	struct file f = {0};
	TSTree *tree = NULL;
	TSNode root;
	TSQueryMatch m;
	uint64_t deadline;
	size_t i, nmatches = 0;
	bool timed_out = false, overflow = false;
	char msg[160];

	if (len > SP_MAX_SOURCE_BYTES) {
		snprintf(msg, sizeof(msg), "%zu bytes, over the %d MiB limit; not scanned", len,
			 SP_MAX_SOURCE_BYTES >> 20);
		sp_artifact_add(a, e->r_too_large, SP_CTX_NONE, path, 0, 0, NULL, 0, msg);
		return;
	}
	f.e = e;
	/* Generation 0 marks the slots of no file: on wrapping, empty the tables. */
	if (++w->gen == 0) {
		memset(w->imports, 0, IMPORT_SLOTS * sizeof(*w->imports));
		memset(w->cache, 0, CACHE_SLOTS * sizeof(*w->cache));
		w->gen = 1;
	}
	f.gen = w->gen;
	f.imports = w->imports;
	f.cache = w->cache;
	f.src = src;
	f.len = (uint32_t)len;
	f.role = role;
	sp_arena_init(&f.arena);

	if (memchr(src, '\0', len)) {
		const char *z = memchr(src, '\0', len);
		uint32_t line = 1;
		const char *p;

		for (p = src; p < z; p++)
			line += *p == '\n';
		sp_artifact_add(a, e->r_nul, SP_CTX_NONE, path, line + line_offset, 0, NULL, 0,
				"the file contains NUL bytes, which Python refuses to run");
	}
	tree = ts_parser_parse_string(w->parser, NULL, src, (uint32_t)len);
	if (!tree) {
		ts_parser_reset(w->parser);
		snprintf(msg, sizeof(msg), "parsing took longer than %llu s; not scanned",
			 (unsigned long long)(SP_PARSE_TIMEOUT_US / 1000000));
		sp_artifact_add(a, e->r_timeout, SP_CTX_NONE, path, 0, 0, NULL, 0, msg);
		goto out;
	}
	root = ts_tree_root_node(tree);
	if (ts_node_has_error(root)) {
		TSNode bad = first_error(root);
		TSPoint pt = ts_node_start_point(bad);
		const char *s;
		size_t n;

		line_at(src, f.len, ts_node_start_byte(bad), &s, &n);
		sp_artifact_add(a, e->r_parse, SP_CTX_NONE, path, pt.row + 1 + line_offset,
				pt.column + 1, s, n, "the rest of the file was scanned as far as it parsed");
	}

	deadline = now_us() + SP_QUERY_TIMEOUT_US;
	f.nonascii = any_nonascii(src, len);
	walk(&f, root);
	merge_ranges(&f);
	check_literals(&f);
	if (f.nonascii) {
		check_bidi(&f, root);
		check_identifiers(&f);
	}
	for (i = 0; i < f.nassigns; i++)
		handle_assign(&f, f.assigns[i].fn, f.assigns[i].call);
	for (i = 0; i < f.nroots && !timed_out; i++) {
		run_root_rules(w, &f, f.roots[i]);
		overflow |= ts_query_cursor_did_exceed_match_limit(w->cursor);
		if ((i & 63) == 0 && now_us() > deadline)
			timed_out = true;
	}
	if (!timed_out)
		timed_out = run_keyed_rules(w, &f, deadline);
	if (e->wholeq.npatterns && !timed_out) {
		ts_query_cursor_set_byte_range(w->cursor, 0, UINT32_MAX);
		ts_query_cursor_exec(w->cursor, e->wholeq.query, root);
		while (ts_query_cursor_next_match(w->cursor, &m)) {
			if ((++nmatches & 255) == 0 && now_us() > deadline) {
				timed_out = true;
				break;
			}
			eval_rule(&f, &e->wholeq, m.pattern_index, m.captures, m.capture_count);
		}
		overflow |= ts_query_cursor_did_exceed_match_limit(w->cursor);
	}
	for (i = 0; i < f.ncalls && !timed_out; i++) {
		call_units(&f, f.calls[i].fn);
		if (!f.ncu)
			continue;
		run_call_rules(w, &f, f.calls[i].call);
		if ((i & 63) == 0 && now_us() > deadline)
			timed_out = true;
	}
	overflow |= f.overflow;
	if (timed_out || overflow || f.nimports >= SP_MAX_IMPORTS) {
		snprintf(msg, sizeof(msg), "%s; findings may be missing",
			 timed_out		       ? "rule matching took too long"
			 : f.nimports >= SP_MAX_IMPORTS ? "too many imported names"
							: "too many overlapping matches");
		sp_artifact_add(a, e->r_incomplete, SP_CTX_NONE, path, 0, 0, NULL, 0, msg);
	}
	if (f.unit_failed) {
		char why[sizeof(f.unit_failed->msg) + 64];

		snprintf(why, sizeof(why), "%s; findings may be missing", f.unit_failed->msg);
		sp_artifact_add(a, e->r_incomplete, SP_CTX_NONE, path, 0, 0, NULL, 0, why);
	}
	flush(&f, a, path, line_offset);
out:
	if (tree)
		ts_tree_delete(tree);
	free(f.stars);
	free(f.fn);
	free(f.roots);
	free(f.keyed);
	if (f.has_kc)
		ts_tree_cursor_delete(&f.kc);
	free(f.calls);
	free(f.cu);
	free(f.assigns);
	free(f.found);
	free(f.lits);
	free(f.idents);
	sp_arena_release(&f.arena);
}

enum sp_file_role sp_file_role_of(const char *path, enum sp_source_kind kind)
{
	const char *base = sp_path_base(path);
	unsigned depth = 0;

	sp_path_check(path, strlen(path), &depth);
	if (!strcmp(base, "__init__.py"))
		return SP_FILE_INIT;
	/* setup.py runs at install from the root of an sdist ("name-1.0/setup.py") or a tree. */
	if (!strcmp(base, "setup.py") && kind != SP_SOURCE_WHEEL && depth <= 2)
		return SP_FILE_SETUP;
	return SP_FILE_MODULE;
}
