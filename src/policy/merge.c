/*
 * Merged policy sets: the table of scalar settings, merging a layer over
 * the layers before it under the enforced floor, and listing the result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/xalloc.h"
#include "policy/internal.h"
#include "core/banned.h"

#define DAY 86400LL
#define YEARS_100 (100LL * 365 * DAY)

const struct keydef sp_policy_keydefs[SP_PK_COUNT] = {
	[SP_PK_FINDINGS_DEFAULT] = {"findings", "default", "$.findings.default", VT_FINDING_ACTION},
	[SP_PK_SDISTS] = {"sdists", "action", "$.sdists.action", VT_ACTION},
	[SP_PK_TYPOSQUAT] = {"typosquatting", "action", "$.typosquatting.action", VT_ACTION},
	[SP_PK_TYPOSQUAT_TOP] = {"typosquatting", "top", "$.typosquatting.top", VT_COUNT, false, 1,
				 SP_MAX_POPULAR_NAMES},
	[SP_PK_MIN_AGE] = {"release_age", "minimum", "$.release_age.minimum", VT_DURATION, false, 0,
			   YEARS_100},
	[SP_PK_MIN_AGE_ACTION] = {"release_age", "action", "$.release_age.action", VT_ACTION},
	[SP_PK_YANKED] = {"", "yanked", "$.yanked", VT_ACTION},
	[SP_PK_REQUIRE_HASHES] = {"", "require_hashes", "$.require_hashes", VT_BOOL},
	[SP_PK_DEP_CONFUSION] = {"indexes", "dependency_confusion",
				 "$.indexes.dependency_confusion", VT_ACTION},
	[SP_PK_ALLOW_HTTP] = {"transport", "allow_http", "$.transport.allow_http", VT_BOOL, true},
	[SP_PK_ALLOW_TRUSTED] = {"transport", "allow_trusted_host",
				 "$.transport.allow_trusted_host", VT_BOOL, true},
	[SP_PK_LICENSE_ACTION] = {"licenses", "action", "$.licenses.action", VT_ACTION},
	[SP_PK_LICENSE_UNKNOWN] = {"licenses", "unknown", "$.licenses.unknown", VT_ACTION},
	[SP_PK_MAX_INACTIVE] = {"maintenance", "max_inactive", "$.maintenance.max_inactive",
				VT_DURATION, true, 1, YEARS_100},
	[SP_PK_INACTIVE_ACTION] = {"maintenance", "action", "$.maintenance.action", VT_ACTION},
	[SP_PK_VENV_ONLY] = {"install", "venv_only", "$.install.venv_only", VT_BOOL},
	[SP_PK_ALLOW_ROOT] = {"install", "allow_root", "$.install.allow_root", VT_BOOL, true},
	[SP_PK_MAX_ARTIFACT_BYTES] = {"limits", "max_artifact_bytes", "$.limits.max_artifact_bytes",
				      VT_BYTES, true, 1, SP_MAX_TOTAL_BYTES},
	[SP_PK_ADV_MALICIOUS] = {"advisories", "malicious", "$.advisories.malicious", VT_ACTION},
	[SP_PK_ADV_CRITICAL] = {"advisories.severity", "critical", "$.advisories.severity.critical",
				VT_ACTION},
	[SP_PK_ADV_HIGH] = {"advisories.severity", "high", "$.advisories.severity.high", VT_ACTION},
	[SP_PK_ADV_MEDIUM] = {"advisories.severity", "medium", "$.advisories.severity.medium",
			      VT_ACTION},
	[SP_PK_ADV_LOW] = {"advisories.severity", "low", "$.advisories.severity.low", VT_ACTION},
	[SP_PK_ADV_UNKNOWN] = {"advisories.severity", "unknown", "$.advisories.severity.unknown",
			       VT_ACTION},
	[SP_PK_ADV_MAX_AGE] = {"advisories", "max_age", "$.advisories.max_age", VT_DURATION, true,
			       3600, YEARS_100},
	[SP_PK_ADV_STALE] = {"advisories", "stale", "$.advisories.stale", VT_ACTION},
	[SP_PK_ADV_MISSING] = {"advisories", "missing", "$.advisories.missing", VT_ACTION},
};

const char *sp_policy_key_path(enum sp_policy_key k)
{
	return (unsigned)k < SP_PK_COUNT ? sp_policy_keydefs[k].path : "?";
}

const char *sp_action_name(enum sp_action a)
{
	switch (a) {
	case SP_ACTION_BLOCK:
		return "block";
	case SP_ACTION_WARN:
		return "warn";
	default:
		return "allow";
	}
}

const char *sp_action_word(enum sp_action a, bool finding)
{
	return a == SP_ACTION_ALLOW && finding ? "ignore" : sp_action_name(a);
}

const char *sp_layer_kind_name(enum sp_layer_kind k)
{
	static const char *const names[] = {"built-in", "system", "user", "project",
					    "command line"};

	return (unsigned)k < 5 ? names[k] : "?";
}

void sp_layer_describe(const struct sp_policy *p, sp_layer_ref l, char *buf, size_t size)
{
	if (l < 0 || (size_t)l >= p->nlayers)
		snprintf(buf, size, "no layer");
	else
		snprintf(buf, size, "%s layer '%s'", sp_layer_kind_name(p->layers[l].kind),
			 p->layers[l].file);
}

bool sp_pk_at_least(enum sp_policy_key k, int64_t a, int64_t b)
{
	return sp_policy_keydefs[k].low_is_strict ? a <= b : a >= b;
}

void sp_pk_format(enum sp_policy_key k, int64_t v, char *buf, size_t size)
{
	static const struct {
		int64_t secs;
		const char *one, *many;
	} units[] = {
		{365 * DAY, "year", "years"}, {7 * DAY, "week", "weeks"}, {DAY, "day", "days"},
		{3600, "hour", "hours"},      {60, "minute", "minutes"},  {1, "second", "seconds"},
	};
	size_t i;

	switch (sp_policy_keydefs[k].type) {
	case VT_FINDING_ACTION:
	case VT_ACTION:
		snprintf(buf, size, "\"%s\"",
			 sp_action_word((enum sp_action)v,
					sp_policy_keydefs[k].type == VT_FINDING_ACTION));
		break;
	case VT_BOOL:
		snprintf(buf, size, "%s", v ? "true" : "false");
		break;
	case VT_DURATION:
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (v % units[i].secs == 0 && (v || units[i].secs == DAY))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			i--;
		snprintf(buf, size, "\"%lld %s\"", (long long)(v / units[i].secs),
			 v / units[i].secs == 1 ? units[i].one : units[i].many);
		break;
	default:
		snprintf(buf, size, "%lld", (long long)v);
		break;
	}
}

static bool applies_at_least(int a, int b)
{
	return a < 0 || (b >= 0 && a <= b);
}

bool sp_entry_at_least(const struct sp_policy_entry *e, const struct sp_policy_entry *f)
{
	return e->action >= f->action && applies_at_least(e->min_severity, f->min_severity) &&
	       applies_at_least(e->min_confidence, f->min_confidence);
}

void sp_set_init(struct sp_policy_set *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < SP_PK_COUNT; i++)
		s->v[i].layer = -1;
	for (i = 0; i < 5; i++) {
		s->severity[i].layer = -1;
		s->severity[i].min_severity = -1;
		s->severity[i].min_confidence = -1;
	}
	sp_arena_init(&s->arena);
}

void sp_set_release(struct sp_policy_set *s)
{
	free(s->categories);
	free(s->rules);
	free(s->sdist_packages);
	free(s->allow);
	free(s->deny);
	free(s->exceptions);
	free(s->typo_allow);
	free(s->age_exempt);
	free(s->indexes);
	free(s->licenses);
	sp_arena_release(&s->arena);
	memset(s, 0, sizeof(*s));
}

static int cmp_entry(const void *a, const void *b)
{
	const struct sp_policy_entry *x = a, *y = b;

	return strcmp(x->key, y->key);
}

const struct sp_policy_entry *sp_map_find(const struct sp_policy_entry *m, size_t n,
					  const char *key)
{
	struct sp_policy_entry k = {.key = (char *)key};

	return n ? bsearch(&k, m, n, sizeof(*m), cmp_entry) : NULL;
}

/* --- warnings --- */

static void warn_loosen(struct sp_policy *p, const char *path, unsigned line, sp_layer_ref by,
			const char *what, sp_layer_ref floor_layer)
{
	struct sp_diag d;
	char enf[700];

	sp_diag_clear(&d);
	sp_layer_describe(p, floor_layer, enf, sizeof(enf));
	sp_diag_file(&d, p->layers[by].file);
	d.line = line;
	snprintf(d.where, sizeof(d.where), "%s", path);
	sp_diag_set(&d, SP_EINVAL,
		    "policy '%s' line %u at %s cannot loosen the enforced %s: %s; the enforced "
		    "setting stays",
		    p->layers[by].file, line, path, enf, what);
	p->warnings = xrealloc(p->warnings, (p->nwarnings + 1) * sizeof(*p->warnings));
	p->warnings[p->nwarnings++] = d;
}

/* --- copying into a set's arena --- */

static char *dup_in(struct sp_policy_set *s, const char *str)
{
	return str ? sp_arena_strdup(&s->arena, str) : NULL;
}

static struct sp_policy_entry copy_entry(struct sp_policy_set *dst, const struct sp_policy_entry *e)
{
	struct sp_policy_entry c = *e;

	c.key = dup_in(dst, e->key);
	c.path = dup_in(dst, e->path);
	return c;
}

static void entry_text(const struct sp_policy_entry *e, bool finding, char *buf, size_t size)
{
	int n = snprintf(buf, size, "'%s'", sp_action_word(e->action, finding));

	if (e->min_severity >= 0 && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " from severity %s",
			      sp_severity_name((enum sp_severity)e->min_severity));
	if (e->min_confidence >= 0 && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " from confidence %s",
			 sp_confidence_name((enum sp_confidence)e->min_confidence));
}

/*
 * Whether a later entry e may replace what the floor says for its key:
 * the floor's entry f, or for sdist packages the floor's sdists action.
 */
static bool entry_allowed(struct sp_policy *p, const struct sp_policy_entry *e,
			  const struct sp_policy_entry *f, bool finding, bool warn)
{
	char a[120], b[120], what[300];

	if (!f || f->layer < 0 || sp_entry_at_least(e, f))
		return true;
	if (warn) {
		entry_text(e, finding, a, sizeof(a));
		entry_text(f, finding, b, sizeof(b));
		snprintf(what, sizeof(what), "%s is looser than %s", a, b);
		warn_loosen(p, e->path, e->line, e->layer, what, f->layer);
	}
	return false;
}

struct tagged {
	struct sp_policy_entry e;
	size_t ord;
};

static int cmp_tagged(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;
	int r = strcmp(x->e.key, y->e.key);

	return r ? r : (x->ord > y->ord) - (x->ord < y->ord);
}

/*
 * dst map := dst map overridden by the src entries the floor allows; kept
 * sorted by key. For sdist packages (sdist_floor set) an entry with no
 * floor entry of its own is held to the floor's sdists action.
 */
static void merge_map(struct sp_policy *p, struct sp_policy_set *dst, struct sp_policy_entry **map,
		      size_t *n, const struct sp_policy_entry *src, size_t nsrc,
		      const struct sp_policy_entry *fmap, size_t nf,
		      const struct sp_pval *sdist_floor, bool warn)
{
	struct tagged *all = xcalloc(*n + nsrc + 1, sizeof(*all));
	size_t k = 0, i, out = 0;
	bool finding = sdist_floor == NULL;

	for (i = 0; i < *n; i++, k++) {
		all[k].e = (*map)[i];
		all[k].ord = k;
	}
	for (i = 0; i < nsrc; i++) {
		const struct sp_policy_entry *f = sp_map_find(fmap, nf, src[i].key);
		struct sp_policy_entry scalar;

		if (!f && sdist_floor && sdist_floor->layer >= 0) {
			memset(&scalar, 0, sizeof(scalar));
			scalar.action = (enum sp_action)sdist_floor->v;
			scalar.min_severity = scalar.min_confidence = -1;
			scalar.layer = sdist_floor->layer;
			f = &scalar;
		}
		if (!entry_allowed(p, &src[i], f, finding, warn))
			continue;
		all[k].e = copy_entry(dst, &src[i]);
		all[k].ord = k;
		k++;
	}
	qsort(all, k, sizeof(*all), cmp_tagged);
	for (i = 0; i < k; i++) {
		if (i + 1 < k && strcmp(all[i].e.key, all[i + 1].e.key) == 0)
			continue; /* a later entry for the same key wins */
		all[out++] = all[i];
	}
	free(*map);
	*map = xcalloc(out ? out : 1, sizeof(**map));
	for (i = 0; i < out; i++)
		(*map)[i] = all[i].e;
	*n = out;
	free(all);
}

static bool name_in(const struct sp_policy_name *l, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return true;
	return false;
}

/*
 * Appends src names to dst. With a floor list (floor_list set and not
 * empty) a name outside it widens the enforced list; while the enforced
 * guard is above guard_min, any name is an exemption from it.
 */
static void merge_names(struct sp_policy *p, struct sp_policy_set *dst, struct sp_policy_name **l,
			size_t *n, const struct sp_policy_name *src, size_t nsrc,
			const struct sp_policy_name *floor_list, size_t nfloor,
			const struct sp_pval *guard, int64_t guard_min, const char *guard_what,
			bool warn)
{
	size_t i;

	*l = xrealloc(*l, (*n + nsrc + 1) * sizeof(**l));
	for (i = 0; i < nsrc; i++) {
		char what[300];

		if (nfloor && !name_in(floor_list, nfloor, src[i].name)) {
			if (warn) {
				snprintf(what, sizeof(what), "'%s' is not in its list",
					 src[i].name);
				warn_loosen(p, src[i].path, src[i].line, src[i].layer, what,
					    floor_list[0].layer);
			}
			continue;
		}
		if (guard && guard->layer >= 0 && guard->v > guard_min) {
			if (warn) {
				snprintf(what, sizeof(what), "'%s' cannot be exempted from %s",
					 src[i].name, guard_what);
				warn_loosen(p, src[i].path, src[i].line, src[i].layer, what,
					    guard->layer);
			}
			continue;
		}
		if (name_in(*l, *n, src[i].name))
			continue;
		(*l)[*n] = src[i];
		(*l)[*n].name = dup_in(dst, src[i].name);
		(*l)[*n].path = dup_in(dst, src[i].path);
		(*n)++;
	}
}

static void merge_pkgs(struct sp_policy *p, struct sp_policy_set *dst, struct sp_policy_pkg **l,
		       size_t *n, const struct sp_policy_pkg *src, size_t nsrc,
		       const struct sp_policy_pkg *floor_list, size_t nfloor, bool warn)
{
	size_t i, j;

	*l = xrealloc(*l, (*n + nsrc + 1) * sizeof(**l));
	for (i = 0; i < nsrc; i++) {
		bool in_floor = nfloor == 0;

		for (j = 0; j < nfloor && !in_floor; j++)
			in_floor = strcmp(floor_list[j].name, src[i].name) == 0;
		if (!in_floor) {
			if (warn) {
				char what[300];

				snprintf(what, sizeof(what), "allow list: '%s' is not in it",
					 src[i].name);
				warn_loosen(p, src[i].path, src[i].line, src[i].layer, what,
					    floor_list[0].layer);
			}
			continue;
		}
		(*l)[*n] = src[i];
		(*l)[*n].name = dup_in(dst, src[i].name);
		(*l)[*n].spec = dup_in(dst, src[i].spec);
		(*l)[*n].path = dup_in(dst, src[i].path);
		(*n)++;
	}
}

static void merge_exceptions(struct sp_policy_set *dst, const struct sp_policy_set *src)
{
	size_t i, j;

	dst->exceptions = xrealloc(dst->exceptions, (dst->nexceptions + src->nexceptions + 1) *
							    sizeof(*dst->exceptions));
	for (i = 0; i < src->nexceptions; i++) {
		const struct sp_policy_exception *s = &src->exceptions[i];
		struct sp_policy_exception *e = &dst->exceptions[dst->nexceptions++];

		*e = *s;
		e->package = dup_in(dst, s->package);
		e->versions = dup_in(dst, s->versions);
		e->reason = dup_in(dst, s->reason);
		e->owner = dup_in(dst, s->owner);
		e->path = dup_in(dst, s->path);
		e->rules =
			sp_arena_alloc(&dst->arena, (s->nrules ? s->nrules : 1) * sizeof(char *));
		for (j = 0; j < s->nrules; j++)
			e->rules[j] = dup_in(dst, s->rules[j]);
	}
}

void sp_set_merge(struct sp_policy *p, struct sp_policy_set *dst, const struct sp_policy_set *src,
		  const struct sp_policy_set *floor, bool warn)
{
	struct sp_policy_set empty;
	const struct sp_policy_set *f = floor;
	char what[300], a[64], b[64];
	struct sp_policy_pkg *floor_allow = NULL;
	struct sp_policy_name *floor_idx = NULL, *floor_lic = NULL;
	struct sp_pval g_sdist, g_typo, g_age;
	size_t nfa, nfi, nfl;
	int k;

	sp_set_init(&empty);
	if (!f)
		f = &empty;
	/* dst may be the floor itself: guards are the floor as it was before src. */
	g_sdist = f->v[SP_PK_SDISTS];
	g_typo = f->v[SP_PK_TYPOSQUAT];
	g_age = f->v[SP_PK_MIN_AGE];
	for (k = 0; k < SP_PK_COUNT; k++) {
		const struct sp_pval *s = &src->v[k], *fv = &f->v[k];

		if (s->layer < 0)
			continue;
		if (fv->layer >= 0 && !sp_pk_at_least((enum sp_policy_key)k, s->v, fv->v)) {
			if (warn) {
				sp_pk_format((enum sp_policy_key)k, s->v, a, sizeof(a));
				sp_pk_format((enum sp_policy_key)k, fv->v, b, sizeof(b));
				snprintf(what, sizeof(what), "%s is looser than %s", a, b);
				warn_loosen(p, sp_policy_keydefs[k].path, s->line, s->layer, what,
					    fv->layer);
			}
			continue;
		}
		dst->v[k] = *s;
	}
	for (k = 0; k < 5; k++) {
		const struct sp_policy_entry *s = &src->severity[k];

		if (s->layer < 0 || !entry_allowed(p, s, &f->severity[k], true, warn))
			continue;
		dst->severity[k] = copy_entry(dst, s);
	}
	merge_map(p, dst, &dst->categories, &dst->ncategories, src->categories, src->ncategories,
		  f->categories, f->ncategories, NULL, warn);
	merge_map(p, dst, &dst->rules, &dst->nrules, src->rules, src->nrules, f->rules, f->nrules,
		  NULL, warn);
	merge_map(p, dst, &dst->sdist_packages, &dst->nsdist_packages, src->sdist_packages,
		  src->nsdist_packages, f->sdist_packages, f->nsdist_packages, &g_sdist, warn);

	/* The same for the floor's lists, which merging into dst may change. */
	nfa = f->nallow;
	nfi = f->nindexes;
	nfl = f->nlicenses;
	floor_allow = nfa ? xmemdup(f->allow, nfa * sizeof(*f->allow)) : NULL;
	floor_idx = nfi ? xmemdup(f->indexes, nfi * sizeof(*f->indexes)) : NULL;
	floor_lic = nfl ? xmemdup(f->licenses, nfl * sizeof(*f->licenses)) : NULL;
	merge_pkgs(p, dst, &dst->allow, &dst->nallow, src->allow, src->nallow, floor_allow, nfa,
		   warn);
	merge_pkgs(p, dst, &dst->deny, &dst->ndeny, src->deny, src->ndeny, NULL, 0, warn);
	merge_names(p, dst, &dst->indexes, &dst->nindexes, src->indexes, src->nindexes, floor_idx,
		    nfi, NULL, 0, NULL, warn);
	merge_names(p, dst, &dst->licenses, &dst->nlicenses, src->licenses, src->nlicenses,
		    floor_lic, nfl, NULL, 0, NULL, warn);
	merge_names(p, dst, &dst->typo_allow, &dst->ntypo_allow, src->typo_allow, src->ntypo_allow,
		    NULL, 0, &g_typo, SP_ACTION_ALLOW, "the typosquatting check", warn);
	merge_names(p, dst, &dst->age_exempt, &dst->nage_exempt, src->age_exempt, src->nage_exempt,
		    NULL, 0, &g_age, 0, "the minimum release age", warn);
	merge_exceptions(dst, src);
	free(floor_allow);
	free(floor_idx);
	free(floor_lic);
	sp_set_release(&empty);
}

/* --- listing --- */

static void add_setting(struct sp_policy_setting **out, size_t *n, size_t *cap, const char *path,
			const char *value, sp_layer_ref layer)
{
	SP_GROW(*out, *n + 1, *cap);
	(*out)[*n].path = xstrdup(path);
	(*out)[*n].value = xstrdup(value);
	(*out)[*n].layer = layer;
	(*n)++;
}

/* s as a JSON string; policy strings hold no control characters. */
static void json_str(struct sp_buf *b, const char *s)
{
	sp_buf_addstr(b, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sp_buf_addstr(b, "\\");
		sp_buf_add(b, s, 1);
	}
	sp_buf_addstr(b, "\"");
}

static char *entry_json(const struct sp_policy_entry *e)
{
	struct sp_buf b;

	sp_buf_init(&b, SIZE_MAX);
	if (e->min_severity < 0 && e->min_confidence < 0) {
		sp_buf_addf(&b, "\"%s\"", sp_action_word(e->action, true));
		return sp_buf_detach(&b, NULL);
	}
	sp_buf_addf(&b, "{\"action\": \"%s\"", sp_action_word(e->action, true));
	if (e->min_severity >= 0)
		sp_buf_addf(&b, ", \"min_severity\": \"%s\"",
			    sp_severity_name((enum sp_severity)e->min_severity));
	if (e->min_confidence >= 0)
		sp_buf_addf(&b, ", \"min_confidence\": \"%s\"",
			    sp_confidence_name((enum sp_confidence)e->min_confidence));
	sp_buf_addstr(&b, "}");
	return sp_buf_detach(&b, NULL);
}

static void add_entries(struct sp_policy_setting **out, size_t *n, size_t *cap, const char *base,
			const struct sp_policy_entry *m, size_t nm, bool finding)
{
	size_t i;

	for (i = 0; i < nm; i++) {
		struct sp_buf path;
		char *v = finding ? entry_json(&m[i]) : NULL;

		sp_buf_init(&path, SIZE_MAX);
		sp_buf_addf(&path, "%s.%s", base, m[i].key);
		add_setting(out, n, cap, path.data,
			    v ? v
			      : (m[i].action == SP_ACTION_BLOCK	 ? "\"block\""
				 : m[i].action == SP_ACTION_WARN ? "\"warn\""
								 : "\"allow\""),
			    m[i].layer);
		free(v);
		sp_buf_release(&path);
	}
}

static void add_names(struct sp_policy_setting **out, size_t *n, size_t *cap, const char *path,
		      const struct sp_policy_name *l, size_t nl)
{
	size_t i;

	for (i = 0; i < nl; i++) {
		struct sp_buf b;

		sp_buf_init(&b, SIZE_MAX);
		json_str(&b, l[i].name);
		add_setting(out, n, cap, path, b.data, l[i].layer);
		sp_buf_release(&b);
	}
}

static void add_pkgs(struct sp_policy_setting **out, size_t *n, size_t *cap, const char *path,
		     const struct sp_policy_pkg *l, size_t nl)
{
	size_t i;

	for (i = 0; i < nl; i++) {
		struct sp_buf b, t;

		sp_buf_init(&b, SIZE_MAX);
		sp_buf_init(&t, SIZE_MAX);
		sp_buf_addf(&t, "%s%s", l[i].name, l[i].spec);
		json_str(&b, t.data);
		add_setting(out, n, cap, path, b.data, l[i].layer);
		sp_buf_release(&b);
		sp_buf_release(&t);
	}
}

size_t sp_policy_settings(const struct sp_policy *p, struct sp_policy_setting **out)
{
	static const char *const sev_paths[] = {
		"$.findings.severity.info",	"$.findings.severity.low",
		"$.findings.severity.medium",	"$.findings.severity.high",
		"$.findings.severity.critical",
	};
	const struct sp_policy_set *s = &p->eff;
	size_t n = 0, cap = 0, i, j;
	char buf[64];
	int k;

	*out = NULL;
	for (k = 4; k >= 0; k--) {
		if (s->severity[k].layer >= 0) {
			char *v = entry_json(&s->severity[k]);

			add_setting(out, &n, &cap, sev_paths[k], v, s->severity[k].layer);
			free(v);
		}
	}
	add_entries(out, &n, &cap, "$.findings.categories", s->categories, s->ncategories, true);
	add_entries(out, &n, &cap, "$.findings.rules", s->rules, s->nrules, true);
	for (k = 0; k < SP_PK_COUNT; k++) {
		if (s->v[k].layer < 0)
			continue;
		sp_pk_format((enum sp_policy_key)k, s->v[k].v, buf, sizeof(buf));
		add_setting(out, &n, &cap, sp_policy_keydefs[k].path, buf, s->v[k].layer);
	}
	add_entries(out, &n, &cap, "$.sdists.packages", s->sdist_packages, s->nsdist_packages,
		    false);
	add_pkgs(out, &n, &cap, "$.packages.allow", s->allow, s->nallow);
	add_pkgs(out, &n, &cap, "$.packages.deny", s->deny, s->ndeny);
	add_names(out, &n, &cap, "$.typosquatting.allow", s->typo_allow, s->ntypo_allow);
	add_names(out, &n, &cap, "$.release_age.exempt", s->age_exempt, s->nage_exempt);
	add_names(out, &n, &cap, "$.indexes.allowed", s->indexes, s->nindexes);
	add_names(out, &n, &cap, "$.licenses.allow", s->licenses, s->nlicenses);
	for (i = 0; i < s->nexceptions; i++) {
		const struct sp_policy_exception *e = &s->exceptions[i];
		struct sp_buf b;

		sp_buf_init(&b, SIZE_MAX);
		sp_buf_addstr(&b, "{\"package\": ");
		json_str(&b, e->package);
		if (e->versions[0]) {
			sp_buf_addstr(&b, ", \"versions\": ");
			json_str(&b, e->versions);
		}
		sp_buf_addstr(&b, ", \"rules\": [");
		for (j = 0; j < e->nrules; j++) {
			if (j)
				sp_buf_addstr(&b, ", ");
			json_str(&b, e->rules[j]);
		}
		sp_buf_addstr(&b, "], \"reason\": ");
		json_str(&b, e->reason);
		sp_buf_addstr(&b, ", \"owner\": ");
		json_str(&b, e->owner);
		sp_buf_addf(&b, ", \"expires\": \"%s\"}", e->expires_text);
		add_setting(out, &n, &cap, "$.exceptions", b.data, e->layer);
		sp_buf_release(&b);
	}
	return n;
}

void sp_policy_settings_free(struct sp_policy_setting *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].path);
		free(s[i].value);
	}
	free(s);
}
