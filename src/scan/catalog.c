/*
 * The rule catalog: rule metadata from JSON files, patterns from query
 * files. Rules are data (docs/rules.md is generated from the same files),
 * so the loader is strict: unknown keys, wrong types and missing fields are
 * errors that name the file and the JSON path, and a query rule without a
 * positive, a negative and an aliased example is refused.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "scan/scan.h"
#include "core/banned.h"

void sp_catalog_init(struct sp_catalog *cat)
{
	memset(cat, 0, sizeof(*cat));
	sp_arena_init(&cat->arena);
	cat->hasher = sp_sha256_new();
}

void sp_catalog_release(struct sp_catalog *cat)
{
	free(cat->rules);
	free(cat->peers);
	free(cat->bandit_notes);
	free(cat->bandit_run.counts);
	free(cat->queries);
	sp_sha256_free(cat->hasher);
	sp_arena_release(&cat->arena);
	memset(cat, 0, sizeof(*cat));
}

static void hash_file(struct sp_catalog *cat, const char *name, const char *text, size_t len)
{
	sp_sha256_update(cat->hasher, name, strlen(name) + 1);
	sp_sha256_update(cat->hasher, text, len);
}

static const char *const rule_keys[] = {
	"id", "title", "category", "severity", "confidence", "cwe", "rationale",
	"remediation", "builtin", "escalate", "equivalents", "examples", NULL,
};

static bool known_key(const char *k, const char *const *keys)
{
	for (; *keys; keys++)
		if (strcmp(k, *keys) == 0)
			return true;
	return false;
}

static int bad(struct sp_diag *d, const char *name, size_t i, const char *key, const char *what)
{
	sp_diag_file(d, name);
	if (d)
		snprintf(d->where, sizeof(d->where), "$[%zu]%s%s", i, key ? "." : "", key ? key : "");
	return sp_diag_set(d, SP_EFORMAT, "invalid rule in '%s' at $[%zu]%s%s: %s", name, i,
			   key ? "." : "", key ? key : "", what);
}

static const char *get_string(struct sp_catalog *cat, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || !v->valuestring[0])
		return NULL;
	return sp_arena_strdup(&cat->arena, v->valuestring);
}

/* A JSON array of strings joined with ", " (peer ids); NULL when empty. */
static int get_ids(struct sp_catalog *cat, const cJSON *arr, const char **out)
{
	const cJSON *v;
	size_t n = 0, len = 0;
	char *s;

	*out = NULL;
	if (!cJSON_IsArray(arr))
		return -1;
	cJSON_ArrayForEach(v, arr) {
		if (!cJSON_IsString(v) || !v->valuestring[0])
			return -1;
		len += strlen(v->valuestring) + 2;
		n++;
	}
	if (!n)
		return 0;
	s = sp_arena_alloc(&cat->arena, len + 1);
	cJSON_ArrayForEach(v, arr) {
		if (*s)
			memcpy(s + strlen(s), ", ", 3);
		memcpy(s + strlen(s), v->valuestring, strlen(v->valuestring) + 1);
	}
	*out = s;
	return 0;
}

/* A JSON array of non-empty strings as a NULL-terminated array. */
static int get_examples(struct sp_catalog *cat, const cJSON *arr, const char ***out)
{
	const cJSON *v;
	size_t n = 0, i = 0;
	const char **list;

	if (!arr) {
		*out = sp_arena_alloc(&cat->arena, sizeof(char *));
		return 0;
	}
	if (!cJSON_IsArray(arr))
		return -1;
	cJSON_ArrayForEach(v, arr) {
		if (!cJSON_IsString(v) || !v->valuestring[0])
			return -1;
		n++;
	}
	list = sp_arena_alloc(&cat->arena, (n + 1) * sizeof(char *));
	cJSON_ArrayForEach(v, arr)
		list[i++] = sp_arena_strdup(&cat->arena, v->valuestring);
	*out = list;
	return 0;
}

/*
 * The examples of a rule: source texts that must raise it (positive), must
 * not (negative), and must raise it although the dangerous name is reached
 * through an alias the engine has to resolve (aliased). An alias form the
 * engine does not resolve yet goes in aliased_gap, a known gap that the
 * example test reports rather than hides; note says what "aliased" means
 * for a rule about a literal. A query rule needs one of each kind: a rule
 * no example proves is a rule nobody knows works.
 */
static int parse_examples(struct sp_catalog *cat, const char *name, size_t i, const cJSON *ex,
			  struct sp_rule *r, struct sp_diag *d)
{
	static const char *const keys[] = {"positive", "negative", "aliased", "aliased_gap",
					   "note", NULL};
	const char ***lists[] = {&r->positive, &r->negative, &r->aliased, &r->aliased_gap};
	char where[48];
	const cJSON *v;
	size_t k;

	cJSON_ArrayForEach(v, ex) {
		if (!known_key(v->string, keys)) {
			snprintf(where, sizeof(where), "examples.%.30s", v->string);
			return bad(d, name, i, where,
				   "unknown key (positive, negative, aliased, aliased_gap, note)");
		}
	}
	for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		if (get_examples(cat, cJSON_GetObjectItemCaseSensitive(ex, keys[k]), lists[k])) {
			snprintf(where, sizeof(where), "examples.%s", keys[k]);
			return bad(d, name, i, where, "expected an array of source strings");
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(ex, "note");
	if (v && !(r->alias_note = get_string(cat, ex, "note")))
		return bad(d, name, i, "examples.note", "expected a non-empty string");
	if (r->builtin)
		return 0;
	if (!r->positive[0])
		return bad(d, name, i, "examples.positive",
			   "a query rule needs at least one positive example");
	if (!r->negative[0])
		return bad(d, name, i, "examples.negative",
			   "a query rule needs at least one negative example");
	if (!r->aliased[0] && !r->aliased_gap[0])
		return bad(d, name, i, "examples.aliased",
			   "a query rule needs at least one aliased example (one the engine "
			   "cannot resolve yet goes in aliased_gap)");
	return 0;
}

static int parse_rule(struct sp_catalog *cat, const char *name, size_t i, const cJSON *o,
		      struct sp_rule *r, struct sp_diag *d)
{
	static const char *const peers[] = {"bandit", "pycodeaudit", "guarddog", NULL};
	const cJSON *v, *eq, *ex;
	const char *s;

	if (!cJSON_IsObject(o))
		return bad(d, name, i, NULL, "expected an object");
	cJSON_ArrayForEach(v, o) {
		if (!known_key(v->string, rule_keys))
			return bad(d, name, i, v->string, "unknown key");
	}
	memset(r, 0, sizeof(*r));
#define REQUIRE_STRING(field)                                                                  \
	if (!(r->field = get_string(cat, o, #field)))                                           \
		return bad(d, name, i, #field, "expected a non-empty string");
	REQUIRE_STRING(id)
	REQUIRE_STRING(title)
	REQUIRE_STRING(category)
	REQUIRE_STRING(rationale)
	REQUIRE_STRING(remediation)
#undef REQUIRE_STRING
	for (s = r->id; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return bad(d, name, i, "id", "ids are lower-case letters, digits and '-'");
	v = cJSON_GetObjectItemCaseSensitive(o, "severity");
	if (!cJSON_IsString(v) || sp_severity_parse(v->valuestring, &r->severity))
		return bad(d, name, i, "severity", "expected info, low, medium, high or critical");
	v = cJSON_GetObjectItemCaseSensitive(o, "confidence");
	if (!cJSON_IsString(v) || sp_confidence_parse(v->valuestring, &r->confidence))
		return bad(d, name, i, "confidence", "expected low, medium or high");
	v = cJSON_GetObjectItemCaseSensitive(o, "cwe");
	if (v && (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 100000))
		return bad(d, name, i, "cwe", "expected a CWE number");
	r->cwe = v ? v->valueint : 0;
	v = cJSON_GetObjectItemCaseSensitive(o, "builtin");
	if (v && !cJSON_IsBool(v))
		return bad(d, name, i, "builtin", "expected true or false");
	r->builtin = cJSON_IsTrue(v);
	v = cJSON_GetObjectItemCaseSensitive(o, "escalate");
	if (v && !cJSON_IsBool(v))
		return bad(d, name, i, "escalate", "expected true or false");
	r->escalate = cJSON_IsTrue(v);

	eq = cJSON_GetObjectItemCaseSensitive(o, "equivalents");
	if (eq) {
		if (!cJSON_IsObject(eq))
			return bad(d, name, i, "equivalents", "expected an object");
		cJSON_ArrayForEach(v, eq) {
			if (!known_key(v->string, peers))
				return bad(d, name, i, "equivalents",
					   "unknown peer (bandit, pycodeaudit, guarddog)");
		}
		const char **fields[] = {&r->bandit, &r->pycodeaudit, &r->guarddog};
		char where[48];
		size_t k;

		for (k = 0; peers[k]; k++) {
			v = cJSON_GetObjectItemCaseSensitive(eq, peers[k]);
			if (v && get_ids(cat, v, fields[k]) < 0) {
				snprintf(where, sizeof(where), "equivalents.%s", peers[k]);
				return bad(d, name, i, where, "expected an array of ids");
			}
		}
	}
	ex = cJSON_GetObjectItemCaseSensitive(o, "examples");
	if (ex && !cJSON_IsObject(ex))
		return bad(d, name, i, "examples", "expected an object");
	return parse_examples(cat, name, i, ex, r, d);
}

int sp_catalog_add_rules(struct sp_catalog *cat, const char *name, const char *json, size_t len,
			 struct sp_diag *d)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *o;
	size_t i = 0;
	int err = 0;

	if (!root) {
		sp_diag_file(d, name);
		err = sp_diag_set(d, SP_EPARSE, "cannot parse rules '%s': invalid JSON near byte %td",
				  name, cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - json : 0);
		goto out;
	}
	if (!cJSON_IsArray(root)) {
		err = bad(d, name, 0, NULL, "the file must hold an array of rules");
		goto out;
	}
	hash_file(cat, name, json, len);
	cJSON_ArrayForEach(o, root) {
		SP_GROW(cat->rules, cat->nrules + 1, cat->cap);
		err = parse_rule(cat, name, i, o, &cat->rules[cat->nrules], d);
		if (err)
			goto out;
		cat->nrules++;
		i++;
	}
out:
	cJSON_Delete(root);
	return err;
}

int sp_catalog_add_queries(struct sp_catalog *cat, const char *name, const char *text, size_t len,
			   struct sp_diag *d)
{
	(void)d;
	hash_file(cat, name, text, len);
	cat->queries = xrealloc(cat->queries, cat->queries_len + len + 2);
	memcpy(cat->queries + cat->queries_len, text, len);
	cat->queries_len += len;
	cat->queries[cat->queries_len++] = '\n';
	cat->queries[cat->queries_len] = '\0';
	return 0;
}

static const char *peer_field(struct sp_catalog *cat, const char **p, const char *end, bool last)
{
	const char *s = *p, *e = s;

	while (e < end && *e != '\t' && *e != '\n' && *e != '\r')
		e++;
	if (e == s || (!last && (e == end || *e != '\t')) || (last && e < end && *e == '\t'))
		return NULL;
	*p = e < end && *e == '\t' ? e + 1 : e;
	return sp_arena_strndup(&cat->arena, s, (size_t)(e - s));
}

int sp_catalog_add_peers(struct sp_catalog *cat, const char *name, const char *text, size_t len,
			 struct sp_diag *d)
{
	const char *p = text, *end = text + len;
	unsigned line = 0;

	hash_file(cat, name, text, len);
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q = p;
		struct sp_peer_check pc;

		if (!eol)
			eol = end;
		line++;
		if (q == eol || *q == '#' || (eol - q == 1 && *q == '\r')) {
			p = eol + (eol < end);
			continue;
		}
		if (!(pc.peer = peer_field(cat, &q, eol, false)) ||
		    !(pc.id = peer_field(cat, &q, eol, false)) ||
		    !(pc.title = peer_field(cat, &q, eol, false)) ||
		    !(pc.reason = peer_field(cat, &q, eol, true)) ||
		    (q < eol && !(*q == '\r' && q + 1 == eol))) {
			sp_diag_file(d, name);
			if (d)
				d->line = line;
			return sp_diag_set(d, SP_EFORMAT,
					   "invalid peer check in '%s' at line %u: expected PEER, "
					   "ID, WHAT and REASON ('-' for none) separated by tabs",
					   name, line);
		}
		if (strcmp(pc.peer, "bandit") && strcmp(pc.peer, "pycodeaudit") &&
		    strcmp(pc.peer, "guarddog")) {
			sp_diag_file(d, name);
			if (d)
				d->line = line;
			return sp_diag_set(d, SP_EFORMAT,
					   "unknown peer '%s' in '%s' at line %u (bandit, "
					   "pycodeaudit, guarddog)",
					   pc.peer, name, line);
		}
		if (!strcmp(pc.reason, "-"))
			pc.reason = NULL;
		SP_GROW(cat->peers, cat->npeers + 1, cat->peers_cap);
		cat->peers[cat->npeers++] = pc;
		p = eol + (eol < end);
	}
	return 0;
}

/* --- the comparison with bandit (bench/compare-bandit.sh) --- */

/*
 * Splits the line [p, eol) at tabs into at most max non-empty fields (arena
 * copies); a trailing '\r' is dropped. Returns the number of fields, or -1
 * when one is empty or there are more than max.
 */
static int tab_fields(struct sp_catalog *cat, const char *p, const char *eol, const char **f,
		      int max)
{
	int n = 0;

	if (eol > p && eol[-1] == '\r')
		eol--;
	for (;;) {
		const char *t = memchr(p, '\t', (size_t)(eol - p));
		const char *e = t ? t : eol;

		if (e == p || n == max)
			return -1;
		f[n++] = sp_arena_strndup(&cat->arena, p, (size_t)(e - p));
		if (!t)
			return n;
		p = t + 1;
	}
}

/*
 * Calls fn for each line of text that is neither blank nor a '#' comment,
 * with its 1-based number; stops at the first error fn returns.
 */
static int each_line(struct sp_catalog *cat, const char *name, const char *text, size_t len,
		     struct sp_diag *d,
		     int (*fn)(struct sp_catalog *, const char *, unsigned, const char *,
			       const char *, struct sp_diag *))
{
	const char *p = text, *end = text + len;
	unsigned line = 0;
	int err = 0;

	while (p < end && !err) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		line++;
		if (p < eol && *p != '#' && !(eol - p == 1 && *p == '\r'))
			err = fn(cat, name, line, p, eol, d);
		p = eol + (eol < end);
	}
	return err;
}

static int bad_line(struct sp_diag *d, const char *name, unsigned line, const char *what)
{
	sp_diag_file(d, name);
	if (d)
		d->line = line;
	return sp_diag_set(d, SP_EFORMAT, "invalid line %u in '%s': %s", line, name, what);
}

static int note_line(struct sp_catalog *cat, const char *name, unsigned line, const char *p,
		     const char *eol, struct sp_diag *d)
{
	const char *f[2];
	struct sp_bandit_note *n;

	if (tab_fields(cat, p, eol, f, 2) != 2)
		return bad_line(d, name, line,
				"expected a bandit test id and the text explaining it, "
				"separated by a tab (neither empty)");
	SP_GROW(cat->bandit_notes, cat->nbandit_notes + 1, cat->bandit_notes_cap);
	n = &cat->bandit_notes[cat->nbandit_notes++];
	n->id = f[0];
	n->text = f[1];
	n->file = sp_arena_strdup(&cat->arena, name);
	n->line = line;
	return 0;
}

int sp_catalog_add_bandit_notes(struct sp_catalog *cat, const char *name, const char *text,
				size_t len, struct sp_diag *d)
{
	return each_line(cat, name, text, len, d, note_line);
}

/*
 * A count of findings: decimal digits only. Nine digits at most: a billion
 * findings is no real run, and the value stays far from overflowing.
 */
static bool parse_count(const char *s, unsigned long *out)
{
	size_t n = strlen(s), i;

	*out = 0;
	if (!n || n > 9)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned long)(s[i] - '0');
	}
	return true;
}

static int run_line(struct sp_catalog *cat, const char *name, unsigned line, const char *p,
		    const char *eol, struct sp_diag *d)
{
	static const char *const keys[] = {"command", "tree", "date", "bandit", "safepip", NULL};
	struct sp_bandit_run *run = &cat->bandit_run;
	const char **slots[] = {&run->command, &run->tree, &run->date, &run->bandit,
				&run->safepip};
	struct sp_bandit_count *c;
	unsigned long v[5];
	const char *f[7];
	int n = tab_fields(cat, p, eol, f, 7), k;

	if (n == 3 && !strcmp(f[0], "run")) {
		for (k = 0; keys[k]; k++) {
			if (strcmp(f[1], keys[k]))
				continue;
			if (*slots[k])
				return bad_line(d, name, line, "this key was given before");
			*slots[k] = f[2];
			return 0;
		}
		return bad_line(d, name, line,
				"unknown key (command, tree, date, bandit, safepip)");
	}
	if (n != 7 || strcmp(f[0], "count"))
		return bad_line(d, name, line,
				"expected run<TAB>KEY<TAB>VALUE or count<TAB>BANDIT_ID<TAB>"
				"BANDIT<TAB>SAFEPIP<TAB>BOTH<TAB>BANDIT_ONLY<TAB>SAFEPIP_ONLY");
	for (k = 0; k < 5; k++)
		if (!parse_count(f[k + 2], &v[k]))
			return bad_line(d, name, line, "a count is not a number of 1 to 9 digits");
	if (v[2] + v[3] != v[0] || v[2] + v[4] != v[1])
		return bad_line(d, name, line,
				"the counts do not add up (both + bandit only must be bandit's "
				"count, both + safepip only safepip's)");
	SP_GROW(run->counts, run->ncounts + 1, run->counts_cap);
	c = &run->counts[run->ncounts++];
	c->id = f[1];
	c->bandit = v[0];
	c->safepip = v[1];
	c->both = v[2];
	c->bandit_only = v[3];
	c->safepip_only = v[4];
	c->file = sp_arena_strdup(&cat->arena, name);
	c->line = line;
	return 0;
}

int sp_catalog_add_bandit_run(struct sp_catalog *cat, const char *name, const char *text,
			      size_t len, struct sp_diag *d)
{
	return each_line(cat, name, text, len, d, run_line);
}

static bool bandit_test_known(const struct sp_catalog *cat, const char *id)
{
	size_t i;

	for (i = 0; i < cat->npeers; i++)
		if (!strcmp(cat->peers[i].peer, "bandit") && !strcmp(cat->peers[i].id, id))
			return true;
	return false;
}

static int bad_bandit_id(struct sp_diag *d, const char *file, unsigned line, const char *id,
			 const char *what)
{
	sp_diag_file(d, file);
	if (d)
		d->line = line;
	return sp_diag_set(d, SP_EFORMAT, "invalid line %u in '%s': bandit test '%s' %s", line,
			   file, id, what);
}

/* Every bandit id of the comparison is one peers.tsv lists, and each is given once. */
static int check_bandit(const struct sp_catalog *cat, struct sp_diag *d)
{
	static const char not_in_peers[] = "is not in peers.tsv (a typo, or a test to add there)";
	const struct sp_bandit_run *run = &cat->bandit_run;
	size_t i, j;

	for (i = 0; i < cat->nbandit_notes; i++) {
		const struct sp_bandit_note *n = &cat->bandit_notes[i];

		if (!bandit_test_known(cat, n->id))
			return bad_bandit_id(d, n->file, n->line, n->id, not_in_peers);
		for (j = 0; j < i; j++)
			if (!strcmp(cat->bandit_notes[j].id, n->id))
				return bad_bandit_id(d, n->file, n->line, n->id,
						     "is explained twice");
	}
	for (i = 0; i < run->ncounts; i++) {
		const struct sp_bandit_count *c = &run->counts[i];

		if (!bandit_test_known(cat, c->id))
			return bad_bandit_id(d, c->file, c->line, c->id, not_in_peers);
		for (j = 0; j < i; j++)
			if (!strcmp(run->counts[j].id, c->id))
				return bad_bandit_id(d, c->file, c->line, c->id,
						     "is counted twice");
	}
	if (run->ncounts &&
	    !(run->command && run->tree && run->date && run->bandit && run->safepip))
		return sp_diag_set(d, SP_EFORMAT,
				   "the recorded bandit comparison lacks one of its facts "
				   "(run command, tree, date, bandit, safepip)");
	if (!run->ncounts && run->command)
		return sp_diag_set(d, SP_EFORMAT,
				   "the recorded bandit comparison has no count lines");
	return 0;
}

const struct sp_bandit_note *sp_catalog_bandit_note(const struct sp_catalog *cat,
						    const char *id)
{
	size_t i;

	for (i = 0; i < cat->nbandit_notes; i++)
		if (!strcmp(cat->bandit_notes[i].id, id))
			return &cat->bandit_notes[i];
	return NULL;
}

bool sp_rule_covers(const struct sp_rule *r, const char *peer, const char *id)
{
	const char *list = !strcmp(peer, "bandit")	  ? r->bandit
			   : !strcmp(peer, "pycodeaudit") ? r->pycodeaudit
			   : !strcmp(peer, "guarddog")	  ? r->guarddog
							  : NULL;
	size_t n = strlen(id);

	while (list && *list) {
		size_t k = strcspn(list, ",");

		if (k == n && !memcmp(list, id, n))
			return true;
		list += k;
		list += strspn(list, ", ");
	}
	return false;
}

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct sp_rule *)a)->id, ((const struct sp_rule *)b)->id);
}

int sp_catalog_seal(struct sp_catalog *cat, struct sp_diag *d)
{
	unsigned char digest[SP_SHA256_LEN];
	size_t i;

	if (cat->nrules > 1)
		qsort(cat->rules, cat->nrules, sizeof(*cat->rules), cmp_rule);
	for (i = 0; i + 1 < cat->nrules; i++) {
		if (strcmp(cat->rules[i].id, cat->rules[i + 1].id) == 0)
			return sp_diag_set(d, SP_EFORMAT, "duplicate rule id '%s' in the catalog",
					   cat->rules[i].id);
	}
	if (check_bandit(cat, d))
		return SP_EFORMAT;
	if (!cat->queries)
		sp_catalog_add_queries(cat, "(none)", "", 0, d);
	sp_sha256_final(cat->hasher, digest);
	sp_hex(digest, sizeof(digest), cat->hash);
	sp_sha256_free(cat->hasher);
	cat->hasher = NULL;
	return 0;
}

int sp_catalog_add_embedded(struct sp_catalog *cat, struct sp_diag *d)
{
	const struct sp_embedded *e;
	int err = 0;

	for (e = sp_embedded_files; e->name && !err; e++) {
		if (strncmp(e->name, "rules/", 6) != 0)
			continue;
		if (sp_str_endswith(e->name, ".json"))
			err = sp_catalog_add_rules(cat, e->name, (const char *)e->data, e->len, d);
		else if (sp_str_endswith(e->name, ".scm"))
			err = sp_catalog_add_queries(cat, e->name, (const char *)e->data, e->len, d);
		else if (!strcmp(e->name, "rules/peers.tsv"))
			err = sp_catalog_add_peers(cat, e->name, (const char *)e->data, e->len, d);
		else if (!strcmp(e->name, "rules/bandit-compare.tsv"))
			err = sp_catalog_add_bandit_notes(cat, e->name, (const char *)e->data,
							  e->len, d);
		else if (!strcmp(e->name, "rules/bandit-compare-run.tsv"))
			err = sp_catalog_add_bandit_run(cat, e->name, (const char *)e->data,
							e->len, d);
	}
	return err;
}

int sp_catalog_load_embedded(struct sp_catalog *cat, struct sp_diag *d)
{
	int err;

	sp_catalog_init(cat);
	err = sp_catalog_add_embedded(cat, d);
	if (!err)
		err = sp_catalog_seal(cat, d);
	if (err)
		sp_catalog_release(cat);
	return err;
}

const struct sp_rule *sp_catalog_find(const struct sp_catalog *cat, const char *id)
{
	struct sp_rule key = {.id = id};
	size_t i;

	if (!cat->nrules)
		return NULL; /* rules is NULL: bsearch must not see it */
	if (!cat->hash[0]) {
		for (i = 0; i < cat->nrules; i++)
			if (strcmp(cat->rules[i].id, id) == 0)
				return &cat->rules[i];
		return NULL;
	}
	return bsearch(&key, cat->rules, cat->nrules, sizeof(*cat->rules), cmp_rule);
}
