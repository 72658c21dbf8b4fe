/*
 * The SARIF 2.1.0 report, for code-scanning dashboards and CI systems.
 *
 * How safepip's model maps onto SARIF (docs/report.md has the reader's view):
 *  - one run; tool.driver.rules lists every catalog rule that fired, then
 *    every policy check that warned or blocked (a typosquat or a yanked
 *    file decides a verdict without any finding, and CI must see why);
 *  - run.artifacts starts with the scanned artifacts (wheel, sdist, ...,
 *    with their sha256); files inside them that have findings follow, each
 *    pointing at its artifact through parentIndex;
 *  - results: one per finding, one per deciding policy check;
 *  - CWE ids form a taxonomy (run.taxonomies), which rules reference;
 *  - the policy's verdicts are properties of each artifact, of each
 *    result and of the run; invocations say whether every artifact could
 *    be read.
 * Package text is cleaned to valid UTF-8; cJSON escapes control bytes.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "report/internal.h"
#include "report/report.h"
#include "core/banned.h"

#define SARIF_SCHEMA                                                                               \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"                      \
	"sarif-schema-2.1.0.json"
#define INFO_URI "https://safepip.dev/"
#define CWE_URI "https://cwe.mitre.org/data/definitions/%d.html"
/* Names the partialFingerprints entry; bump the suffix if its recipe changes. */
#define FINGERPRINT_KEY "safepipFinding/v1"

/* What each policy check is, for its entry in tool.driver.rules. */
static const struct {
	const char *id, *text;
} checks[] = {
	{SP_CHECK_DENIED, "The package is on the policy's deny list."},
	{SP_CHECK_NOT_ALLOWED, "The policy allows only listed packages and this one is not."},
	{SP_CHECK_SCAN_ERROR, "The artifact could not be read or scanned completely."},
	{SP_CHECK_SDIST, "A source distribution: building it runs its setup code."},
	{SP_CHECK_TYPOSQUAT, "The name is close to a popular package's name."},
	{SP_CHECK_AGE, "The release is younger than the policy's minimum age."},
	{SP_CHECK_YANKED, "The file was yanked from its index."},
	{SP_CHECK_HASHES, "The requirement is not pinned by hash."},
	{SP_CHECK_INDEX, "The file comes from an index the policy does not allow."},
	{SP_CHECK_CONFUSION, "The name is served by more than one configured index."},
	{SP_CHECK_LICENSE, "The license is outside the policy's allow list or unknown."},
	{SP_CHECK_MAINTENANCE, "The project has had no release for longer than allowed."},
	{SP_CHECK_SIZE, "The file is larger than the policy allows."},
	{SP_CHECK_VENV, "The target is not a virtual environment."},
	{SP_CHECK_ROOT, "The install would run as root."},
	{SP_CHECK_HTTP, "An index is reached over plain HTTP."},
	{SP_CHECK_TRUSTED_HOST, "TLS verification is turned off for a host."},
};

/* One entry of tool.driver.rules: a catalog rule, or a policy check (rule NULL). */
struct rdesc {
	const char *id;
	const struct sp_rule *rule;
};

/* One entry of run.artifacts. */
struct art {
	size_t artifact;  /* index into r->artifacts */
	const char *path; /* inside it; NULL for the artifact itself */
};

struct ctx {
	const struct sp_report *r;
	struct rdesc *rules;
	size_t nrules;
	int *cwes;
	size_t ncwes;
	size_t *top; /* run.artifacts index of each r->artifacts[i] */
	size_t nart; /* entries of run.artifacts so far */
	cJSON *artifacts;
};

static const char *level_of(enum sp_severity s)
{
	return s >= SP_SEV_HIGH ? "error" : s == SP_SEV_MEDIUM ? "warning" : "note";
}

/*
 * GitHub code scanning ranks security results by this CVSS-like score
 * (critical from 9.0, high 7.0, medium 4.0, low 0.1).
 */
static const char *security_severity(enum sp_severity s)
{
	static const char *const score[] = {"0.0", "2.0", "5.5", "8.0", "9.5"};

	return score[s];
}

static const char *precision_of(enum sp_confidence c)
{
	return c == SP_CONF_HIGH ? "high" : c == SP_CONF_MEDIUM ? "medium" : "low";
}

static cJSON *message(const char *text)
{
	cJSON *m = cJSON_CreateObject();

	report_add_text(m, "text", text, false);
	return m;
}

/*
 * A URI reference for a path: an absolute path becomes a file: URI, a
 * relative one stays relative; every byte outside RFC 3986's unreserved
 * and path characters is percent-encoded (':' too, so that a first segment
 * never reads as a scheme).
 */
static char *uri_of(const char *path)
{
	static const char keep[] = "-._~/!$&'()*+,;=@";
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path), i;
	char *out = xmalloc(n * 3 + sizeof("file://")), *w = out;

	if (path[0] == '/') {
		memcpy(w, "file://", 7);
		w += 7;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c && strchr(keep, c))) {
			*w++ = (char)c;
		} else {
			*w++ = '%';
			*w++ = hex[c >> 4];
			*w++ = hex[c & 15];
		}
	}
	*w = '\0';
	return out;
}

/* "subprocess-shell" -> "SubprocessShell", the form SARIF suggests for names. */
static char *pascal_name(const char *id)
{
	char *out = xmalloc(strlen(id) + 1), *w = out;
	bool up = true;

	for (; *id; id++) {
		if (*id == '-' || *id == '_' || *id == '.') {
			up = true;
			continue;
		}
		*w++ = up && *id >= 'a' && *id <= 'z' ? (char)(*id - 'a' + 'A') : *id;
		up = false;
	}
	*w = '\0';
	return out;
}

static int cmp_rdesc(const void *a, const void *b)
{
	return strcmp(((const struct rdesc *)a)->id, ((const struct rdesc *)b)->id);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static bool deciding_check(const struct sp_reason *x)
{
	return x->action >= SP_ACTION_WARN && sp_policy_is_check(x->id);
}

static const struct sp_verdict *verdict_of(const struct ctx *c, size_t i)
{
	return c->r->verdicts && c->r->policy ? &c->r->verdicts[i] : NULL;
}

/* The rules that fired and the CWE ids they name, each sorted and unique. */
static void collect_rules(struct ctx *c)
{
	const struct sp_report *r = c->r;
	size_t i, j, n = 0, cap = 0, k;

	for (i = 0; i < r->nartifacts; i++) {
		const struct sp_artifact *a = r->artifacts[i];
		const struct sp_verdict *v = verdict_of(c, i);

		for (j = 0; j < a->nfindings; j++) {
			SP_GROW(c->rules, n + 1, cap);
			c->rules[n++] =
				(struct rdesc){a->findings[j].rule->id, a->findings[j].rule};
		}
		for (j = 0; v && j < v->nreasons; j++) {
			if (!deciding_check(&v->reasons[j]))
				continue;
			SP_GROW(c->rules, n + 1, cap);
			c->rules[n++] = (struct rdesc){v->reasons[j].id, NULL};
		}
	}
	if (n)
		qsort(c->rules, n, sizeof(*c->rules), cmp_rdesc);
	for (i = 0, k = 0; i < n; i++)
		if (!k || strcmp(c->rules[k - 1].id, c->rules[i].id))
			c->rules[k++] = c->rules[i];
	c->nrules = k;

	c->cwes = xcalloc(k + 1, sizeof(*c->cwes));
	for (i = 0, n = 0; i < k; i++)
		if (c->rules[i].rule && c->rules[i].rule->cwe > 0)
			c->cwes[n++] = c->rules[i].rule->cwe;
	if (n)
		qsort(c->cwes, n, sizeof(*c->cwes), cmp_int);
	for (i = 0, k = 0; i < n; i++)
		if (!k || c->cwes[k - 1] != c->cwes[i])
			c->cwes[k++] = c->cwes[i];
	c->ncwes = k;
}

static size_t rule_index(const struct ctx *c, const char *id)
{
	struct rdesc key = {id, NULL};
	const struct rdesc *hit = bsearch(&key, c->rules, c->nrules, sizeof(key), cmp_rdesc);

	return hit ? (size_t)(hit - c->rules) : 0;
}

static size_t cwe_index(const struct ctx *c, int cwe)
{
	const int *hit = bsearch(&cwe, c->cwes, c->ncwes, sizeof(cwe), cmp_int);

	return hit ? (size_t)(hit - c->cwes) : 0;
}

static cJSON *rule_json(const struct ctx *c, const struct rdesc *d)
{
	const struct sp_rule *rule = d->rule;
	cJSON *o = cJSON_CreateObject(), *props, *tags, *cfg;
	char *name = pascal_name(d->id);
	size_t i;

	cJSON_AddStringToObject(o, "id", d->id);
	cJSON_AddStringToObject(o, "name", name);
	free(name);
	if (!rule) {
		const char *text = "A check of safepip's policy.";

		for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
			if (strcmp(checks[i].id, d->id) == 0)
				text = checks[i].text;
		cJSON_AddItemToObject(o, "shortDescription", message(text));
		cJSON_AddItemToObject(o, "help",
				      message("See docs/policy.md: the setting named in the "
					      "result's properties decides; an exception in the "
					      "policy can waive most checks."));
		props = cJSON_AddObjectToObject(o, "properties");
		cJSON_AddStringToObject(props, "category", "policy");
		tags = cJSON_AddArrayToObject(props, "tags");
		cJSON_AddItemToArray(tags, cJSON_CreateString("policy"));
		return o;
	}
	cJSON_AddItemToObject(o, "shortDescription", message(rule->title));
	cJSON_AddItemToObject(o, "fullDescription", message(rule->rationale));
	cJSON_AddItemToObject(o, "help", message(rule->remediation));
	cfg = cJSON_AddObjectToObject(o, "defaultConfiguration");
	cJSON_AddStringToObject(cfg, "level", level_of(rule->severity));
	if (rule->cwe > 0) {
		cJSON *rels = cJSON_AddArrayToObject(o, "relationships");
		cJSON *rel = cJSON_CreateObject(), *target, *tc, *rk;
		char id[16];

		snprintf(id, sizeof(id), "%d", rule->cwe);
		target = cJSON_AddObjectToObject(rel, "target");
		cJSON_AddStringToObject(target, "id", id);
		cJSON_AddNumberToObject(target, "index", (double)cwe_index(c, rule->cwe));
		tc = cJSON_AddObjectToObject(target, "toolComponent");
		cJSON_AddStringToObject(tc, "name", "CWE");
		cJSON_AddNumberToObject(tc, "index", 0);
		rk = cJSON_AddArrayToObject(rel, "kinds");
		cJSON_AddItemToArray(rk, cJSON_CreateString("relevant"));
		cJSON_AddItemToArray(rels, rel);
	}
	props = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(props, "category", rule->category);
	cJSON_AddStringToObject(props, "severity", sp_severity_name(rule->severity));
	cJSON_AddStringToObject(props, "confidence", sp_confidence_name(rule->confidence));
	cJSON_AddStringToObject(props, "security-severity", security_severity(rule->severity));
	cJSON_AddStringToObject(props, "precision", precision_of(rule->confidence));
	if (rule->cwe > 0)
		cJSON_AddNumberToObject(props, "cwe", rule->cwe);
	cJSON_AddBoolToObject(props, "escalatesAtInstallOrImport", rule->escalate);
	if (rule->bandit || rule->pycodeaudit || rule->guarddog) {
		cJSON *peers = cJSON_AddObjectToObject(props, "peers");

		report_add_text(peers, "bandit", rule->bandit, false);
		report_add_text(peers, "pycodeaudit", rule->pycodeaudit, false);
		report_add_text(peers, "guarddog", rule->guarddog, false);
	}
	tags = cJSON_AddArrayToObject(props, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
	cJSON_AddItemToArray(tags, cJSON_CreateString(rule->category));
	if (rule->cwe > 0) {
		char tag[40];

		snprintf(tag, sizeof(tag), "external/cwe/cwe-%d", rule->cwe);
		cJSON_AddItemToArray(tags, cJSON_CreateString(tag));
	}
	return o;
}

static cJSON *taxonomy_json(const struct ctx *c)
{
	cJSON *t = cJSON_CreateObject(), *taxa;
	size_t i;

	cJSON_AddStringToObject(t, "name", "CWE");
	cJSON_AddStringToObject(t, "organization", "MITRE");
	cJSON_AddStringToObject(t, "informationUri", "https://cwe.mitre.org/");
	cJSON_AddItemToObject(t, "shortDescription",
			      message("The MITRE Common Weakness Enumeration"));
	taxa = cJSON_AddArrayToObject(t, "taxa");
	for (i = 0; i < c->ncwes; i++) {
		cJSON *x = cJSON_CreateObject();
		char id[16], uri[64];

		snprintf(id, sizeof(id), "%d", c->cwes[i]);
		snprintf(uri, sizeof(uri), CWE_URI, c->cwes[i]);
		cJSON_AddStringToObject(x, "id", id);
		cJSON_AddStringToObject(x, "helpUri", uri);
		cJSON_AddItemToArray(taxa, x);
	}
	return t;
}

static cJSON *reasons_json(const struct sp_report *r, const struct sp_verdict *v)
{
	cJSON *list = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < v->nreasons; i++) {
		const struct sp_reason *x = &v->reasons[i];
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "action", sp_action_name(x->action));
		cJSON_AddStringToObject(e, "id", x->id);
		report_add_text(e, "message", x->message, false);
		if (x->count)
			cJSON_AddNumberToObject(e, "findings", (double)x->count);
		report_add_text(e, "setting", x->setting, false);
		if (x->layer >= 0 && (size_t)x->layer < r->policy->nlayers) {
			cJSON_AddStringToObject(
				e, "layer", sp_layer_kind_name(r->policy->layers[x->layer].kind));
			report_add_text(e, "file", r->policy->layers[x->layer].file, false);
		}
		cJSON_AddBoolToObject(e, "enforced", x->enforced);
		cJSON_AddItemToArray(list, e);
	}
	return list;
}

/* Adds the run.artifacts entry of artifact i (its files come later). */
static void add_top_artifact(struct ctx *c, size_t i)
{
	const struct sp_artifact *a = c->r->artifacts[i];
	const struct sp_verdict *v = verdict_of(c, i);
	cJSON *o = cJSON_CreateObject(), *loc, *props, *roles;
	char *uri = uri_of(a->target);

	loc = cJSON_AddObjectToObject(o, "location");
	report_add_text(loc, "uri", uri, false);
	free(uri);
	roles = cJSON_AddArrayToObject(o, "roles");
	cJSON_AddItemToArray(roles, cJSON_CreateString("analysisTarget"));
	if (a->has_sha256) {
		cJSON *h = cJSON_AddObjectToObject(o, "hashes");
		char hex[SP_SHA256_HEX];

		sp_hex(a->sha256, SP_SHA256_LEN, hex);
		cJSON_AddStringToObject(h, "sha-256", hex);
	}
	props = cJSON_AddObjectToObject(o, "properties");
	report_add_text(props, "target", a->target, false);
	cJSON_AddStringToObject(props, "kind", sp_report_kind_name(a->kind));
	report_add_text(props, "name", a->name, false);
	report_add_text(props, "version", a->version, false);
	cJSON_AddNumberToObject(props, "files", (double)a->files);
	cJSON_AddNumberToObject(props, "sources", (double)a->sources);
	if (a->error)
		report_add_text(props, "error", a->error_msg, false);
	if (v) {
		cJSON_AddStringToObject(props, "verdict", sp_action_name(v->action));
		cJSON_AddItemToObject(props, "reasons", reasons_json(c->r, v));
	}
	cJSON_AddItemToArray(c->artifacts, o);
	c->top[i] = c->nart++;
}

static int cmp_path(const void *a, const void *b)
{
	const struct sp_finding *x = *(const struct sp_finding *const *)a;
	const struct sp_finding *y = *(const struct sp_finding *const *)b;

	if (!x->path || !y->path)
		return (x->path != NULL) - (y->path != NULL);
	return strcmp(x->path, y->path);
}

/*
 * Adds a run.artifacts entry for every distinct path with findings in
 * artifact i, and fills idx (by finding) with the entry of its file.
 */
static void add_files(struct ctx *c, size_t i, size_t *idx)
{
	const struct sp_artifact *a = c->r->artifacts[i];
	const struct sp_finding **order = xcalloc(a->nfindings + 1, sizeof(*order));
	size_t j, cur = c->top[i];

	for (j = 0; j < a->nfindings; j++)
		order[j] = &a->findings[j];
	qsort(order, a->nfindings, sizeof(*order), cmp_path);
	for (j = 0; j < a->nfindings; j++) {
		const struct sp_finding *f = order[j];

		/* A lone file's findings name the file itself. */
		if (!f->path || a->kind == SP_SOURCE_FILE) {
			cur = c->top[i];
		} else if (j == 0 || !order[j - 1]->path || strcmp(order[j - 1]->path, f->path)) {
			cJSON *o = cJSON_CreateObject(), *loc;
			char *uri = uri_of(f->path);

			loc = cJSON_AddObjectToObject(o, "location");
			report_add_text(loc, "uri", uri, false);
			free(uri);
			cJSON_AddNumberToObject(o, "parentIndex", (double)c->top[i]);
			cJSON_AddItemToArray(c->artifacts, o);
			cur = c->nart++;
		}
		idx[f - a->findings] = cur;
	}
	free(order);
}

/* The artifactLocation of run.artifacts entry k. */
static cJSON *art_location(const struct ctx *c, size_t k)
{
	cJSON *entry = cJSON_GetArrayItem(c->artifacts, (int)k);
	cJSON *loc = cJSON_CreateObject();
	cJSON *uri = cJSON_GetObjectItem(cJSON_GetObjectItem(entry, "location"), "uri");

	cJSON_AddStringToObject(loc, "uri", cJSON_GetStringValue(uri));
	cJSON_AddNumberToObject(loc, "index", (double)k);
	return loc;
}

/*
 * Columns from the engine count bytes; SARIF counts characters. The
 * snippet is the finding's line from its start whenever the column lies
 * within it (the engine cuts long lines only left of columns beyond
 * SP_MAX_SNIPPET), so the characters before the column can be counted.
 */
static uint32_t char_column(const struct sp_finding *f)
{
	uint32_t cp = 1, i;

	if (!f->snippet || f->col - 1 > strlen(f->snippet))
		return f->col;
	for (i = 0; i + 1 < f->col; i++)
		if (((unsigned char)f->snippet[i] & 0xc0) != 0x80)
			cp++;
	return cp;
}

/* The first line of a snippet without surrounding blanks: what identifies it. */
static void line_hash(const char *snippet, char hex[SP_SHA256_HEX])
{
	unsigned char d[SP_SHA256_LEN];
	const char *s = snippet ? snippet : "", *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strcspn(s, "\n");
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	sp_sha256(s, (size_t)(e - s), d);
	sp_hex(d, SP_SHA256_LEN, hex);
}

/*
 * Stable across runs and line shifts: the rule, the artifact's sha256 (its
 * name for a directory), the path, a hash of the line's text, and which
 * occurrence of that same text this is in the file.
 */
static void fingerprint(const struct sp_artifact *a, size_t j, char hex[SP_SHA256_HEX])
{
	const struct sp_finding *f = &a->findings[j];
	struct sp_sha256 *h = sp_sha256_new();
	char lh[SP_SHA256_HEX], other[SP_SHA256_HEX], art[SP_SHA256_HEX], occ[24];
	unsigned char d[SP_SHA256_LEN];
	size_t k, n = 0;

	line_hash(f->snippet, lh);
	/* Findings are sorted by path, so same-file ones are adjacent. */
	for (k = j; k-- > 0;) {
		const struct sp_finding *g = &a->findings[k];

		if ((g->path == NULL) != (f->path == NULL) || (f->path && strcmp(g->path, f->path)))
			break;
		if (g->rule != f->rule)
			continue;
		line_hash(g->snippet, other);
		if (strcmp(lh, other) == 0)
			n++;
	}
	snprintf(occ, sizeof(occ), "%zu", n);
	if (a->has_sha256)
		sp_hex(a->sha256, SP_SHA256_LEN, art);
	sp_sha256_update(h, f->rule->id, strlen(f->rule->id) + 1);
	if (a->has_sha256)
		sp_sha256_update(h, art, strlen(art) + 1);
	else
		sp_sha256_update(h, a->target, strlen(a->target) + 1);
	sp_sha256_update(h, f->path ? f->path : "", (f->path ? strlen(f->path) : 0) + 1);
	sp_sha256_update(h, lh, strlen(lh) + 1);
	sp_sha256_update(h, occ, strlen(occ) + 1);
	sp_sha256_final(h, d);
	sp_sha256_free(h);
	sp_hex(d, SP_SHA256_LEN, hex);
}

/* A policy check's result is identified by the check and the artifact. */
static cJSON *check_fingerprint(const struct sp_artifact *a, const struct sp_reason *x)
{
	struct sp_sha256 *h = sp_sha256_new();
	unsigned char d[SP_SHA256_LEN];
	char hex[SP_SHA256_HEX];
	cJSON *fp = cJSON_CreateObject();

	if (a->has_sha256)
		sp_hex(a->sha256, SP_SHA256_LEN, hex);
	sp_sha256_update(h, x->id, strlen(x->id) + 1);
	if (a->has_sha256)
		sp_sha256_update(h, hex, strlen(hex) + 1);
	else
		sp_sha256_update(h, a->target, strlen(a->target) + 1);
	sp_sha256_final(h, d);
	sp_sha256_free(h);
	sp_hex(d, SP_SHA256_LEN, hex);
	cJSON_AddStringToObject(fp, FINGERPRINT_KEY, hex);
	return fp;
}

static cJSON *finding_result(const struct ctx *c, size_t i, size_t j, size_t file)
{
	const struct sp_artifact *a = c->r->artifacts[i];
	const struct sp_finding *f = &a->findings[j];
	const struct sp_verdict *v = verdict_of(c, i);
	cJSON *o = cJSON_CreateObject(), *locs, *loc, *phys, *props, *fp;
	char hex[SP_SHA256_HEX], *text;

	cJSON_AddStringToObject(o, "ruleId", f->rule->id);
	cJSON_AddNumberToObject(o, "ruleIndex", (double)rule_index(c, f->rule->id));
	cJSON_AddStringToObject(o, "level", level_of(f->severity));
	text = f->detail ? xasprintf("%s: %s", f->rule->title, f->detail) : xstrdup(f->rule->title);
	cJSON_AddItemToObject(o, "message", message(text));
	free(text);
	locs = cJSON_AddArrayToObject(o, "locations");
	loc = cJSON_CreateObject();
	phys = cJSON_AddObjectToObject(loc, "physicalLocation");
	cJSON_AddItemToObject(phys, "artifactLocation", art_location(c, file));
	if (f->line) {
		cJSON *region = cJSON_AddObjectToObject(phys, "region");

		cJSON_AddNumberToObject(region, "startLine", f->line);
		if (f->col)
			cJSON_AddNumberToObject(region, "startColumn", char_column(f));
		if (f->snippet)
			cJSON_AddItemToObject(region, "snippet", message(f->snippet));
	}
	cJSON_AddItemToArray(locs, loc);
	fp = cJSON_AddObjectToObject(o, "partialFingerprints");
	fingerprint(a, j, hex);
	cJSON_AddStringToObject(fp, FINGERPRINT_KEY, hex);
	props = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(props, "severity", sp_severity_name(f->severity));
	cJSON_AddStringToObject(props, "confidence", sp_confidence_name(f->confidence));
	cJSON_AddStringToObject(props, "context", sp_context_name(f->context));
	cJSON_AddStringToObject(props, "category", f->rule->category);
	report_add_text(props, "path", f->path, false);
	report_add_text(props, "detail", f->detail, false);
	if (v && j < v->nfindings)
		cJSON_AddStringToObject(props, "policy", sp_action_name(v->finding_actions[j]));
	if (v)
		cJSON_AddStringToObject(props, "verdict", sp_action_name(v->action));
	return o;
}

static cJSON *check_result(const struct ctx *c, size_t i, const struct sp_reason *x)
{
	const struct sp_verdict *v = verdict_of(c, i);
	cJSON *o = cJSON_CreateObject(), *locs, *loc, *phys, *props;
	const struct sp_policy *p = c->r->policy;

	cJSON_AddStringToObject(o, "ruleId", x->id);
	cJSON_AddNumberToObject(o, "ruleIndex", (double)rule_index(c, x->id));
	cJSON_AddStringToObject(o, "level", x->action == SP_ACTION_BLOCK ? "error" : "warning");
	cJSON_AddItemToObject(o, "message", message(x->message ? x->message : x->id));
	locs = cJSON_AddArrayToObject(o, "locations");
	loc = cJSON_CreateObject();
	phys = cJSON_AddObjectToObject(loc, "physicalLocation");
	cJSON_AddItemToObject(phys, "artifactLocation", art_location(c, c->top[i]));
	cJSON_AddItemToArray(locs, loc);
	cJSON_AddItemToObject(o, "partialFingerprints", check_fingerprint(c->r->artifacts[i], x));
	props = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(props, "policy", sp_action_name(x->action));
	cJSON_AddStringToObject(props, "verdict", sp_action_name(v->action));
	report_add_text(props, "setting", x->setting, false);
	if (x->layer >= 0 && (size_t)x->layer < p->nlayers) {
		cJSON_AddStringToObject(props, "layer",
					sp_layer_kind_name(p->layers[x->layer].kind));
		report_add_text(props, "file", p->layers[x->layer].file, false);
	}
	cJSON_AddBoolToObject(props, "enforced", x->enforced);
	return o;
}

static cJSON *run_properties(const struct sp_report *r)
{
	cJSON *props = cJSON_CreateObject(), *sev;
	size_t counts[5], i;

	cJSON_AddStringToObject(props, "catalog", r->catalog ? r->catalog->hash : "");
	if (r->fail_on_verdict != SP_ACTION_UNSET)
		cJSON_AddStringToObject(props, "failOn", sp_action_name(r->fail_on_verdict));
	else if (r->fail_on >= 0)
		cJSON_AddStringToObject(props, "failOn",
					sp_severity_name((enum sp_severity)r->fail_on));
	else
		cJSON_AddStringToObject(props, "failOn", "never");
	cJSON_AddBoolToObject(props, "failed", sp_report_failed(r));
	sp_report_counts(r, counts);
	sev = cJSON_AddObjectToObject(props, "findingsBySeverity");
	for (i = 5; i-- > 0;)
		cJSON_AddNumberToObject(sev, sp_severity_name((enum sp_severity)i),
					(double)counts[i]);
	if (r->verdicts && r->policy) {
		cJSON_AddStringToObject(props, "verdict", sp_action_name(sp_report_verdict(r)));
		cJSON_AddItemToObject(props, "policyLayers", report_layers_json(r));
	}
	return props;
}

static cJSON *invocation_json(const struct ctx *c)
{
	const struct sp_report *r = c->r;
	cJSON *inv = cJSON_CreateObject(), *notes = NULL;
	bool ok = true;
	size_t i;

	for (i = 0; i < r->nartifacts; i++) {
		const struct sp_artifact *a = r->artifacts[i];
		cJSON *n, *locs, *loc;
		char *text;

		if (!a->error)
			continue;
		ok = false;
		if (!notes)
			notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
		n = cJSON_CreateObject();
		cJSON_AddStringToObject(n, "level", "error");
		text = xasprintf("cannot scan '%s': %s", a->target,
				 a->error_msg ? a->error_msg : "unknown error");
		cJSON_AddItemToObject(n, "message", message(text));
		free(text);
		locs = cJSON_AddArrayToObject(n, "locations");
		loc = cJSON_CreateObject();
		cJSON_AddItemToObject(cJSON_AddObjectToObject(loc, "physicalLocation"),
				      "artifactLocation", art_location(c, c->top[i]));
		cJSON_AddItemToArray(locs, loc);
		cJSON_AddItemToArray(notes, n);
	}
	cJSON_AddBoolToObject(inv, "executionSuccessful", ok);
	return inv;
}

int sp_report_sarif(FILE *out, const struct sp_report *r)
{
	struct ctx c = {.r = r};
	cJSON *root = cJSON_CreateObject(), *runs, *run, *tool, *driver, *list, *results;
	size_t **files = xcalloc(r->nartifacts + 1, sizeof(*files));
	size_t i, j;
	char *text;
	int err = 0;

	collect_rules(&c);
	cJSON_AddStringToObject(root, "$schema", SARIF_SCHEMA);
	cJSON_AddStringToObject(root, "version", "2.1.0");
	runs = cJSON_AddArrayToObject(root, "runs");
	run = cJSON_CreateObject();
	cJSON_AddItemToArray(runs, run);

	tool = cJSON_AddObjectToObject(run, "tool");
	driver = cJSON_AddObjectToObject(tool, "driver");
	cJSON_AddStringToObject(driver, "name", "safepip");
	cJSON_AddStringToObject(driver, "version", SP_VERSION);
	cJSON_AddStringToObject(driver, "semanticVersion", SP_VERSION);
	cJSON_AddStringToObject(driver, "informationUri", INFO_URI);
	list = cJSON_AddArrayToObject(driver, "rules");
	for (i = 0; i < c.nrules; i++)
		cJSON_AddItemToArray(list, rule_json(&c, &c.rules[i]));
	if (c.ncwes) {
		cJSON *sup = cJSON_AddArrayToObject(driver, "supportedTaxonomies"), *ref;

		ref = cJSON_CreateObject();
		cJSON_AddStringToObject(ref, "name", "CWE");
		cJSON_AddNumberToObject(ref, "index", 0);
		cJSON_AddItemToArray(sup, ref);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "taxonomies"), taxonomy_json(&c));
	}

	/* Every artifact first, so that their indexes do not depend on findings. */
	c.artifacts = cJSON_AddArrayToObject(run, "artifacts");
	c.top = xcalloc(r->nartifacts + 1, sizeof(*c.top));
	for (i = 0; i < r->nartifacts; i++)
		add_top_artifact(&c, i);
	for (i = 0; i < r->nartifacts; i++) {
		files[i] = xcalloc(r->artifacts[i]->nfindings + 1, sizeof(**files));
		add_files(&c, i, files[i]);
	}
	cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), invocation_json(&c));

	results = cJSON_AddArrayToObject(run, "results");
	for (i = 0; i < r->nartifacts; i++) {
		const struct sp_verdict *v = verdict_of(&c, i);

		for (j = 0; v && j < v->nreasons; j++)
			if (deciding_check(&v->reasons[j]))
				cJSON_AddItemToArray(results, check_result(&c, i, &v->reasons[j]));
		for (j = 0; j < r->artifacts[i]->nfindings; j++)
			cJSON_AddItemToArray(results, finding_result(&c, i, j, files[i][j]));
	}
	cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
	cJSON_AddItemToObject(run, "properties", run_properties(r));

	text = cJSON_Print(root);
	if (!text || fputs(text, out) == EOF || fputc('\n', out) == EOF)
		err = SP_EIO;
	free(text);
	cJSON_Delete(root);
	for (i = 0; i < r->nartifacts; i++)
		free(files[i]);
	free(files);
	free(c.top);
	free(c.rules);
	free(c.cwes);
	return err;
}
