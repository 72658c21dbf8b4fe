/*
 * OSV records: the schema's fields safepip uses, checked as they are read,
 * and the CVSS v3 base score written from the specification's formula.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advisory/osv.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "req/name.h"
#include "req/version.h"
#include "core/banned.h"

/* Bytes of an id or alias ("GHSA-xxxx-xxxx-xxxx", "PYSEC-2023-74"). */
#define MAX_ID 256

const char *sp_adv_severity_name(enum sp_adv_severity s)
{
	static const char *const names[] = {"unknown", "low", "medium", "high", "critical"};

	return (unsigned)s <= SP_ADV_CRITICAL ? names[s] : "unknown";
}

enum sp_adv_severity sp_adv_severity_of_score(double score)
{
	if (score >= 9.0)
		return SP_ADV_CRITICAL;
	if (score >= 7.0)
		return SP_ADV_HIGH;
	if (score >= 4.0)
		return SP_ADV_MEDIUM;
	return SP_ADV_LOW;
}

/* --- CVSS v3 --- */

/*
 * The specification's Roundup: the smallest number with one decimal that
 * is at least x, computed on integers so that 4.000000001 rounds to 4.1
 * and 4.0 stays 4.0 whatever the floating-point error in x.
 */
static double roundup(double x)
{
	long long i = llround(x * 100000.0);

	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

struct metric {
	const char *name;
	const char *values; /* the letters allowed */
};

/* Temporal and environmental metrics: accepted, not part of the base score. */
static const struct metric other_metrics[] = {
	{"E", "XUPFH"}, {"RL", "XOTWU"},  {"RC", "XURC"}, {"CR", "XLMH"},  {"IR", "XLMH"},
	{"AR", "XLMH"}, {"MAV", "XNALP"}, {"MAC", "XLH"}, {"MPR", "XNLH"}, {"MUI", "XNR"},
	{"MS", "XUC"},	{"MC", "XNLH"},	  {"MI", "XNLH"}, {"MA", "XNLH"},
};

static const struct metric base_metrics[] = {
	{"AV", "NALP"}, {"AC", "LH"}, {"PR", "NLH"}, {"UI", "NR"},
	{"S", "UC"},	{"C", "HLN"}, {"I", "HLN"},  {"A", "HLN"},
};

#define NBASE (sizeof(base_metrics) / sizeof(base_metrics[0]))
#define NOTHER (sizeof(other_metrics) / sizeof(other_metrics[0]))

static double cia_weight(char v)
{
	return v == 'H' ? 0.56 : v == 'L' ? 0.22 : 0.0;
}

int sp_cvss3_base_score(const char *vector, double *score)
{
	char base[NBASE] = {0}, other[NOTHER] = {0};
	const char *p;
	double av, ac, pr, ui, iss, impact, expl;
	bool changed;
	size_t i;

	*score = -1;
	if (strncmp(vector, "CVSS:3.0/", 9) && strncmp(vector, "CVSS:3.1/", 9))
		return SP_EINVAL;
	if (strlen(vector) > 256)
		return SP_EINVAL;
	for (p = vector + 9; *p;) {
		const char *colon = strchr(p, ':'), *end;
		size_t klen;
		char v;
		bool found = false;

		if (!colon)
			return SP_EINVAL;
		klen = (size_t)(colon - p);
		v = colon[1];
		end = colon + 2;
		if (!v || (*end && *end != '/'))
			return SP_EINVAL;
		for (i = 0; i < NBASE && !found; i++) {
			if (strlen(base_metrics[i].name) != klen ||
			    strncmp(base_metrics[i].name, p, klen))
				continue;
			if (base[i] || !strchr(base_metrics[i].values, v))
				return SP_EINVAL;
			base[i] = v;
			found = true;
		}
		for (i = 0; i < NOTHER && !found; i++) {
			if (strlen(other_metrics[i].name) != klen ||
			    strncmp(other_metrics[i].name, p, klen))
				continue;
			if (other[i] || !strchr(other_metrics[i].values, v))
				return SP_EINVAL;
			other[i] = v;
			found = true;
		}
		if (!found)
			return SP_EINVAL;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return SP_EINVAL; /* a trailing '/' */
	}
	for (i = 0; i < NBASE; i++)
		if (!base[i])
			return SP_EINVAL;
	changed = base[4] == 'C';
	av = base[0] == 'N' ? 0.85 : base[0] == 'A' ? 0.62 : base[0] == 'L' ? 0.55 : 0.2;
	ac = base[1] == 'L' ? 0.77 : 0.44;
	if (base[2] == 'N')
		pr = 0.85;
	else if (base[2] == 'L')
		pr = changed ? 0.68 : 0.62;
	else
		pr = changed ? 0.5 : 0.27;
	ui = base[3] == 'N' ? 0.85 : 0.62;
	iss = 1.0 - (1.0 - cia_weight(base[5])) * (1.0 - cia_weight(base[6])) *
			    (1.0 - cia_weight(base[7]));
	if (changed)
		impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
	else
		impact = 6.42 * iss;
	expl = 8.22 * av * ac * pr * ui;
	if (impact <= 0)
		*score = 0.0;
	else if (changed)
		*score = roundup(fmin(1.08 * (impact + expl), 10.0));
	else
		*score = roundup(fmin(impact + expl, 10.0));
	return 0;
}

/* --- parsing --- */

struct ctx {
	struct sp_osv_record *r;
	struct sp_diag *d;
	char path[256];
};

static int fail(struct ctx *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, int err, const char *fmt, ...)
{
	char what[SP_DIAG_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->d) {
		snprintf(c->d->where, sizeof(c->d->where), "%s", c->path);
		sp_diag_set(c->d, err, "invalid OSV record%s%s at %s: %s", c->r->id ? " " : "",
			    c->r->id ? c->r->id : "", c->path, what);
	}
	return err;
}

/* Appends ".key" or "[i]" to the path; returns the old length to restore. */
static size_t push(struct ctx *c, const char *key, size_t index)
{
	size_t n = strlen(c->path);

	if (key)
		snprintf(c->path + n, sizeof(c->path) - n, ".%s", key);
	else
		snprintf(c->path + n, sizeof(c->path) - n, "[%zu]", index);
	return n;
}

static void pop(struct ctx *c, size_t n)
{
	c->path[n] = '\0';
}

/* Nesting of the text, strings skipped; cJSON recurses once per level. */
static bool too_deep(const char *s, size_t len)
{
	size_t i, depth = 0;
	bool in_str = false;

	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == '[' || ch == '{') {
			if (++depth > SP_MAX_OSV_DEPTH)
				return true;
		} else if ((ch == ']' || ch == '}') && depth) {
			depth--;
		}
	}
	return false;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* A string value of at most SP_MAX_OSV_STRING bytes with no control characters. */
static int get_string(struct ctx *c, const cJSON *v, const char *key, const char **out)
{
	size_t n = key ? push(c, key, 0) : strlen(c->path);
	int err = 0;

	if (!cJSON_IsString(v) || !v->valuestring)
		err = fail(c, SP_EFORMAT, "expected a string");
	else if (strlen(v->valuestring) > SP_MAX_OSV_STRING)
		err = fail(c, SP_ELIMIT, "string longer than %d bytes (SP_MAX_OSV_STRING)",
			   SP_MAX_OSV_STRING);
	else if (has_control(v->valuestring))
		err = fail(c, SP_EFORMAT, "control character in a string");
	else
		*out = sp_arena_strdup(&c->r->arena, v->valuestring);
	pop(c, n);
	return err;
}

/* Ids and aliases: letters, digits and "-_.:", as osv.dev writes them. */
static bool valid_id(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > MAX_ID)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.:", s[i]))
			return false;
	return true;
}

static int get_id(struct ctx *c, const cJSON *v, const char *key, const char **out)
{
	int err = get_string(c, v, key, out);
	size_t n;

	if (err || valid_id(*out))
		return err;
	n = key ? push(c, key, 0) : strlen(c->path);
	err = fail(c, SP_EFORMAT, "invalid id '%.60s' (letters, digits, '-', '_', '.', ':')", *out);
	pop(c, n);
	return err;
}

/* An array of at most SP_MAX_OSV_ITEMS items; *n gets its size. */
static int get_array(struct ctx *c, const cJSON *v, const char *key, size_t *n)
{
	size_t old = push(c, key, 0);
	const cJSON *k;
	int err = 0;

	*n = 0;
	if (!cJSON_IsArray(v)) {
		err = fail(c, SP_EFORMAT, "expected an array");
	} else {
		for (k = v->child; k && *n <= SP_MAX_OSV_ITEMS; k = k->next)
			(*n)++;
		if (*n > SP_MAX_OSV_ITEMS)
			err = fail(c, SP_ELIMIT, "more than %d items (SP_MAX_OSV_ITEMS)",
				   SP_MAX_OSV_ITEMS);
	}
	pop(c, old);
	return err;
}

static int expect_object(struct ctx *c, const cJSON *v, const char *key, size_t index)
{
	size_t n;
	int err = 0;

	if (cJSON_IsObject(v))
		return 0;
	n = push(c, key, index);
	err = fail(c, SP_EFORMAT, "expected an object");
	pop(c, n);
	return err;
}

static enum sp_adv_severity severity_word(const char *s)
{
	if (!strcasecmp(s, "critical"))
		return SP_ADV_CRITICAL;
	if (!strcasecmp(s, "high"))
		return SP_ADV_HIGH;
	if (!strcasecmp(s, "moderate") || !strcasecmp(s, "medium"))
		return SP_ADV_MEDIUM;
	if (!strcasecmp(s, "low"))
		return SP_ADV_LOW;
	return SP_ADV_UNKNOWN;
}

/*
 * database_specific (of the record or of an affected entry): a severity
 * word (GitHub's), and the origins list of the malicious-packages
 * database, which marks a malware report.
 */
static int database_specific(struct ctx *c, const cJSON *o, enum sp_adv_severity *word)
{
	const cJSON *v;

	if (!o)
		return 0;
	if (!cJSON_IsObject(o))
		return fail(c, SP_EFORMAT, "database_specific: expected an object");
	v = cJSON_GetObjectItemCaseSensitive(o, "severity");
	if (cJSON_IsString(v) && v->valuestring && severity_word(v->valuestring) > *word)
		*word = severity_word(v->valuestring);
	if (cJSON_GetObjectItemCaseSensitive(o, "malicious-packages-origins") ||
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "malicious")))
		c->r->malicious = true;
	return 0;
}

static int parse_severity(struct ctx *c, const cJSON *a)
{
	const cJSON *k;
	size_t n, i = 0, old;
	int err;

	if ((err = get_array(c, a, "severity", &n)))
		return err;
	old = push(c, "severity", 0);
	for (k = a->child; k && !err; k = k->next, i++) {
		const char *type = NULL, *vector = NULL;
		size_t m = push(c, NULL, i);
		double score;

		if (!cJSON_IsObject(k))
			err = fail(c, SP_EFORMAT, "expected an object");
		else if (!(err = get_string(c, cJSON_GetObjectItemCaseSensitive(k, "type"), "type",
					    &type)) &&
			 !(err = get_string(c, cJSON_GetObjectItemCaseSensitive(k, "score"),
					    "score", &vector)) &&
			 !strcmp(type, "CVSS_V3")) {
			if (sp_cvss3_base_score(vector, &score)) {
				push(c, "score", 0);
				err = fail(c, SP_EFORMAT, "invalid CVSS v3 vector '%.100s'",
					   vector);
			} else if (score > c->r->score) {
				c->r->score = score;
				c->r->vector = vector;
			}
		}
		/* CVSS_V2, CVSS_V4 and Ubuntu's words: no v3 score from them */
		pop(c, m);
	}
	pop(c, old);
	return err;
}

static bool range_version_ok(enum sp_osv_range_type t, enum sp_osv_event_kind k, const char *v)
{
	if (t == SP_OSV_GIT)
		return true;
	if (k == SP_OSV_INTRODUCED && !strcmp(v, "0"))
		return true;
	if (k == SP_OSV_LIMIT && !strcmp(v, "*"))
		return true;
	return sp_version_valid(v, strlen(v));
}

static int parse_range(struct ctx *c, const cJSON *o, struct sp_osv_range *rg, size_t *nevents)
{
	static const char *const kinds[] = {"introduced", "fixed", "last_affected", "limit"};
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(o, "events"), *k;
	const char *type = NULL;
	size_t n, i = 0, old;
	int err;

	if ((err = get_string(c, t, "type", &type)))
		return err;
	if (!strcmp(type, "ECOSYSTEM"))
		rg->type = SP_OSV_ECOSYSTEM;
	else if (!strcmp(type, "SEMVER"))
		rg->type = SP_OSV_SEMVER;
	else if (!strcmp(type, "GIT"))
		rg->type = SP_OSV_GIT;
	else
		return fail(c, SP_EFORMAT, "unknown range type '%.40s'", type);
	if ((err = get_array(c, ev, "events", &n)))
		return err;
	if ((*nevents += n) > SP_MAX_OSV_EVENTS)
		return fail(c, SP_ELIMIT,
			    "more than %d range events in one affected entry "
			    "(SP_MAX_OSV_EVENTS)",
			    SP_MAX_OSV_EVENTS);
	rg->events = sp_arena_alloc(&c->r->arena, (n ? n : 1) * sizeof(*rg->events));
	old = push(c, "events", 0);
	for (k = ev->child; k && !err; k = k->next, i++) {
		struct sp_osv_event *e = &rg->events[rg->nevents];
		size_t m = push(c, NULL, i), j, found = 0;

		if (!cJSON_IsObject(k)) {
			err = fail(c, SP_EFORMAT, "expected an object");
			pop(c, m);
			break;
		}
		for (j = 0; j < 4 && !err; j++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, kinds[j]);

			if (!v)
				continue;
			found++;
			e->kind = (enum sp_osv_event_kind)j;
			err = get_string(c, v, kinds[j], &e->version);
		}
		if (!err && found != 1)
			err = fail(c, SP_EFORMAT,
				   "an event needs exactly one of introduced, fixed, last_affected "
				   "and limit");
		if (!err && !range_version_ok(rg->type, e->kind, e->version))
			err = fail(c, SP_EFORMAT, "'%.60s' is not a PEP 440 version", e->version);
		if (!err)
			rg->nevents++;
		pop(c, m);
	}
	pop(c, old);
	return err;
}

static int parse_affected_entry(struct ctx *c, const cJSON *o, enum sp_adv_severity *word)
{
	const cJSON *pkg = cJSON_GetObjectItemCaseSensitive(o, "package"), *k;
	const cJSON *ranges = cJSON_GetObjectItemCaseSensitive(o, "ranges");
	const cJSON *versions = cJSON_GetObjectItemCaseSensitive(o, "versions");
	struct sp_osv_affected *a;
	const char *eco = NULL, *name = NULL;
	size_t n, i, old, nevents = 0;
	char *norm;
	int err;

	if (!pkg)
		return 0; /* affected by repository only: nothing to match on PyPI */
	if ((err = expect_object(c, pkg, "package", 0)))
		return err;
	old = push(c, "package", 0);
	err = get_string(c, cJSON_GetObjectItemCaseSensitive(pkg, "ecosystem"), "ecosystem", &eco);
	if (!err && strcmp(eco, "PyPI")) {
		pop(c, old);
		return 0;
	}
	if (!err)
		err = get_string(c, cJSON_GetObjectItemCaseSensitive(pkg, "name"), "name", &name);
	if (!err && !*name)
		err = fail(c, SP_EFORMAT, "empty package name");
	pop(c, old);
	if (err)
		return err;
	if ((err = database_specific(c, cJSON_GetObjectItemCaseSensitive(o, "database_specific"),
				     word)))
		return err;
	a = &c->r->affected[c->r->naffected];
	memset(a, 0, sizeof(*a));
	norm = sp_name_normalize(name);
	a->name = sp_arena_strdup(&c->r->arena, norm);
	free(norm);
	if (ranges) {
		if ((err = get_array(c, ranges, "ranges", &n)))
			return err;
		a->ranges = sp_arena_alloc(&c->r->arena, (n ? n : 1) * sizeof(*a->ranges));
		old = push(c, "ranges", 0);
		for (k = ranges->child, i = 0; k && !err; k = k->next, i++) {
			size_t m = push(c, NULL, i);

			if (!cJSON_IsObject(k))
				err = fail(c, SP_EFORMAT, "expected an object");
			else if (!(err = parse_range(c, k, &a->ranges[a->nranges], &nevents)))
				a->nranges++;
			pop(c, m);
		}
		pop(c, old);
		if (err)
			return err;
	}
	if (versions) {
		if ((err = get_array(c, versions, "versions", &n)))
			return err;
		a->versions = sp_arena_alloc(&c->r->arena, (n ? n : 1) * sizeof(*a->versions));
		old = push(c, "versions", 0);
		for (k = versions->child, i = 0; k && !err; k = k->next, i++) {
			size_t m = push(c, NULL, i);

			err = get_string(c, k, NULL, &a->versions[a->nversions]);
			if (err == 0)
				a->nversions++;
			pop(c, m);
		}
		pop(c, old);
		if (err)
			return err;
	}
	c->r->naffected++;
	return 0;
}

static int parse_affected(struct ctx *c, const cJSON *a, enum sp_adv_severity *word)
{
	const cJSON *k;
	size_t n, i = 0, old;
	int err;

	if ((err = get_array(c, a, "affected", &n)))
		return err;
	c->r->affected = sp_arena_alloc(&c->r->arena, (n ? n : 1) * sizeof(*c->r->affected));
	old = push(c, "affected", 0);
	for (k = a->child; k && !err; k = k->next, i++) {
		size_t m = push(c, NULL, i);

		if (!cJSON_IsObject(k))
			err = fail(c, SP_EFORMAT, "expected an object");
		else
			err = parse_affected_entry(c, k, word);
		pop(c, m);
	}
	pop(c, old);
	return err;
}

static bool mal_id(const char *s)
{
	return strncmp(s, "MAL-", 4) == 0;
}

/* The summary as shown: valid UTF-8, control characters as spaces, capped. */
static const char *clean_summary(struct sp_osv_record *r, const char *s)
{
	size_t n = strlen(s);
	char *clean, *p, *out;

	clean = sp_utf8_clean(s, n > SP_MAX_OSV_STRING ? SP_MAX_OSV_STRING : n);
	for (p = clean; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	out = sp_arena_strdup(&r->arena, clean);
	free(clean);
	return out;
}

static int parse_root(struct ctx *c, const cJSON *root)
{
	struct sp_osv_record *r = c->r;
	enum sp_adv_severity word = SP_ADV_UNKNOWN;
	const cJSON *v;
	size_t n, i;
	int err;

	if (!cJSON_IsObject(root))
		return fail(c, SP_EFORMAT, "expected an object");
	if ((err = get_id(c, cJSON_GetObjectItemCaseSensitive(root, "id"), "id", &r->id)))
		return err;
	if ((err = get_string(c, cJSON_GetObjectItemCaseSensitive(root, "modified"), "modified",
			      &r->modified)))
		return err;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "published")) &&
	    (err = get_string(c, v, "published", &r->published)))
		return err;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "withdrawn")) &&
	    (err = get_string(c, v, "withdrawn", &r->withdrawn)))
		return err;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "summary"))) {
		size_t old = push(c, "summary", 0);

		if (!cJSON_IsString(v) || !v->valuestring)
			err = fail(c, SP_EFORMAT, "expected a string");
		else
			r->summary = clean_summary(r, v->valuestring);
		pop(c, old);
		if (err)
			return err;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "aliases"))) {
		const cJSON *k;
		size_t old;

		if ((err = get_array(c, v, "aliases", &n)))
			return err;
		r->aliases = sp_arena_alloc(&r->arena, (n ? n : 1) * sizeof(*r->aliases));
		old = push(c, "aliases", 0);
		for (k = v->child, i = 0; k && !err; k = k->next, i++) {
			size_t m = push(c, NULL, i);

			err = get_id(c, k, NULL, &r->aliases[r->naliases]);
			/* an alias of itself adds nothing */
			if (!err && strcmp(r->aliases[r->naliases], r->id)) {
				if (mal_id(r->aliases[r->naliases]))
					r->malicious = true;
				r->naliases++;
			}
			pop(c, m);
		}
		pop(c, old);
		if (err)
			return err;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "severity")) &&
	    (err = parse_severity(c, v)))
		return err;
	if ((err = database_specific(c, cJSON_GetObjectItemCaseSensitive(root, "database_specific"),
				     &word)))
		return err;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "affected")) &&
	    (err = parse_affected(c, v, &word)))
		return err;
	if (mal_id(r->id))
		r->malicious = true;
	r->severity = r->score >= 0 ? sp_adv_severity_of_score(r->score) : word;
	return 0;
}

/* --- matching --- */

struct ev {
	size_t ord; /* position in the record: equal versions keep their order */
	enum sp_osv_event_kind kind;
	bool zero; /* introduced "0": before every version */
	bool star; /* limit "*": after every version */
	struct sp_version v;
};

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->zero != y->zero)
		return x->zero ? -1 : 1;
	if (x->star != y->star)
		return x->star ? 1 : -1;
	if (!x->zero && !x->star) {
		int r = sp_version_cmp(&x->v, &y->v);

		if (r)
			return r;
	}
	return (x->ord > y->ord) - (x->ord < y->ord);
}

/* OSV's evaluation of one ECOSYSTEM or SEMVER range for the public version v. */
static bool in_range(const struct sp_osv_range *rg, const struct sp_version *v)
{
	struct ev *evs = xcalloc(rg->nevents + 1, sizeof(*evs));
	bool affected = false, limited = false, below_limit = false;
	size_t n = 0, i;

	for (i = 0; i < rg->nevents; i++) {
		const struct sp_osv_event *e = &rg->events[i];
		struct ev *x = &evs[n];

		x->ord = i;
		x->kind = e->kind;
		x->zero = e->kind == SP_OSV_INTRODUCED && !strcmp(e->version, "0");
		x->star = e->kind == SP_OSV_LIMIT && !strcmp(e->version, "*");
		if (!x->zero && !x->star &&
		    sp_version_parse(&x->v, e->version, strlen(e->version), NULL))
			continue; /* checked at parse; a damaged store entry is skipped */
		n++;
	}
	qsort(evs, n, sizeof(*evs), cmp_ev);
	for (i = 0; i < n; i++) {
		const struct ev *x = &evs[i];

		switch (x->kind) {
		case SP_OSV_INTRODUCED:
			if (x->zero || sp_version_cmp(v, &x->v) >= 0)
				affected = true;
			break;
		case SP_OSV_FIXED:
			if (sp_version_cmp(v, &x->v) >= 0)
				affected = false;
			break;
		case SP_OSV_LAST_AFFECTED:
			if (sp_version_cmp(v, &x->v) > 0)
				affected = false;
			break;
		case SP_OSV_LIMIT:
			limited = true;
			if (x->star || sp_version_cmp(v, &x->v) < 0)
				below_limit = true;
			break;
		}
	}
	free(evs);
	return affected && (!limited || below_limit);
}

static bool listed(const struct sp_osv_affected *a, const char *text, const struct sp_version *v,
		   const struct sp_version *pub)
{
	struct sp_version x;
	size_t i;

	for (i = 0; i < a->nversions; i++) {
		const char *s = a->versions[i];

		if (!v || sp_version_parse(&x, s, strlen(s), NULL)) {
			if (!strcmp(s, text))
				return true;
			continue;
		}
		if (!sp_version_cmp(&x, v) || (!x.local[0] && !sp_version_cmp(&x, pub)))
			return true;
	}
	return false;
}

static bool in_ranges(const struct sp_osv_affected *a, const struct sp_version *pub)
{
	size_t i;

	for (i = 0; i < a->nranges; i++)
		if (a->ranges[i].type != SP_OSV_GIT && in_range(&a->ranges[i], pub))
			return true;
	return false;
}

bool sp_osv_affects(const struct sp_osv_affected *a, const char *version, const char **fixed)
{
	struct sp_version v, pub, f, best;
	size_t i, j;
	bool have_best = false;

	if (fixed)
		*fixed = NULL;
	if (sp_version_parse(&v, version, strlen(version), NULL))
		return listed(a, version, NULL, NULL);
	sp_version_public(&v, &pub);
	if (!in_ranges(a, &pub) && !listed(a, version, &v, &pub))
		return false;
	/*
	 * The lowest fixed version above this one that the ranges do not
	 * bring back (a later "introduced" may reopen it). The explicit list
	 * is not consulted: it is long, and osv.dev derives it from the
	 * ranges anyway.
	 */
	for (i = 0; fixed && i < a->nranges; i++) {
		const struct sp_osv_range *rg = &a->ranges[i];

		for (j = 0; rg->type != SP_OSV_GIT && j < rg->nevents; j++) {
			const char *s = rg->events[j].version;

			if (rg->events[j].kind != SP_OSV_FIXED ||
			    sp_version_parse(&f, s, strlen(s), NULL) ||
			    sp_version_cmp(&f, &v) <= 0 ||
			    (have_best && sp_version_cmp(&f, &best) >= 0) || in_ranges(a, &f))
				continue;
			best = f;
			have_best = true;
			*fixed = s;
		}
	}
	return true;
}

int sp_osv_parse(struct sp_osv_record *r, const char *text, size_t len, struct sp_diag *d)
{
	struct ctx c = {r, d, "$"};
	cJSON *root = NULL;
	const char *end = NULL;
	int err;

	memset(r, 0, sizeof(*r));
	sp_arena_init(&r->arena);
	r->score = -1;
	if (len > SP_MAX_OSV_RECORD_BYTES)
		return fail(&c, SP_ELIMIT, "larger than %d bytes (SP_MAX_OSV_RECORD_BYTES)",
			    SP_MAX_OSV_RECORD_BYTES);
	if (too_deep(text, len))
		return fail(&c, SP_ELIMIT, "nested deeper than %d levels (SP_MAX_OSV_DEPTH)",
			    SP_MAX_OSV_DEPTH);
	root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	while (root && end && end < text + len && *end && strchr(" \t\r\n", *end))
		end++;
	if (!root || (end && end < text + len)) {
		cJSON_Delete(root);
		return fail(&c, SP_EPARSE, "%s near byte %zu",
			    root ? "text after the record" : "invalid JSON",
			    end && end >= text ? (size_t)(end - text) : 0);
	}
	err = parse_root(&c, root);
	cJSON_Delete(root);
	return err;
}

void sp_osv_release(struct sp_osv_record *r)
{
	sp_arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
}
