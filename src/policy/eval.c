/*
 * Evaluation: findings + facts + policy -> verdict. Pure: no I/O, no
 * clock; "now" comes from the caller.
 *
 * Every subject (each of the policy's checks, each finding) gets a
 * decision from the effective settings and, when some layer is enforced,
 * a second one from the enforced floor alone; the stricter one stands.
 * That is what keeps a weaker layer from getting under an enforced one by
 * a route the merge cannot see: a rule set to "ignore" under a category
 * the floor blocks, or an exception from a non-enforced layer (the floor
 * only knows the enforced layers' exceptions).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "policy/internal.h"
#include "policy/typosquat.h"
#include "core/banned.h"

#define DAY 86400

enum check {
	CK_SCAN_ERROR,
	CK_DENIED,
	CK_NOT_ALLOWED,
	CK_SDIST,
	CK_TYPOSQUAT,
	CK_AGE,
	CK_YANKED,
	CK_HASHES,
	CK_INDEX,
	CK_CONFUSION,
	CK_LICENSE,
	CK_MAINTENANCE,
	CK_SIZE,
	CK_VENV,
	CK_ROOT,
	CK_HTTP,
	CK_TRUSTED,
	CK_ADV_MISSING,
	CK_ADV_STALE,
	CK_COUNT
};

static const char *const check_ids[CK_COUNT] = {
	SP_CHECK_SCAN_ERROR,
	SP_CHECK_DENIED,
	SP_CHECK_NOT_ALLOWED,
	SP_CHECK_SDIST,
	SP_CHECK_TYPOSQUAT,
	SP_CHECK_AGE,
	SP_CHECK_YANKED,
	SP_CHECK_HASHES,
	SP_CHECK_INDEX,
	SP_CHECK_CONFUSION,
	SP_CHECK_LICENSE,
	SP_CHECK_MAINTENANCE,
	SP_CHECK_SIZE,
	SP_CHECK_VENV,
	SP_CHECK_ROOT,
	SP_CHECK_HTTP,
	SP_CHECK_TRUSTED_HOST,
	SP_CHECK_ADVISORIES_MISSING,
	SP_CHECK_ADVISORIES_STALE,
};

bool sp_policy_is_check(const char *id)
{
	int i;

	for (i = 0; i < CK_COUNT; i++)
		if (strcmp(id, check_ids[i]) == 0)
			return true;
	return false;
}

bool sp_policy_is_advisory_id(const char *id)
{
	const char *p = id;

	if (strlen(id) > 100 || !isupper((unsigned char)*p))
		return false;
	while (isupper((unsigned char)*p) || isdigit((unsigned char)*p))
		p++;
	if (*p++ != '-' || !*p)
		return false;
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
			return false;
	return true;
}

/* The settings that decide advisories, by severity (enum sp_adv_severity order). */
static const enum sp_policy_key adv_keys[5] = {
	SP_PK_ADV_UNKNOWN, SP_PK_ADV_LOW, SP_PK_ADV_MEDIUM, SP_PK_ADV_HIGH, SP_PK_ADV_CRITICAL,
};

bool sp_policy_wants_advisories(const struct sp_policy *p)
{
	const struct sp_policy_set *sets[2] = {&p->eff, &p->floor};
	size_t i, k;

	for (i = 0; i < 2; i++) {
		const struct sp_policy_set *s = sets[i];

		if (s->v[SP_PK_ADV_MALICIOUS].layer >= 0 &&
		    s->v[SP_PK_ADV_MALICIOUS].v > SP_ACTION_ALLOW)
			return true;
		for (k = 0; k < 5; k++)
			if (s->v[adv_keys[k]].layer >= 0 && s->v[adv_keys[k]].v > SP_ACTION_ALLOW)
				return true;
	}
	return false;
}

struct decision {
	enum sp_action action;
	char *message;	     /* what was seen; owned */
	const char *setting; /* JSON path of the deciding setting, or NULL */
	sp_layer_ref layer;
	bool waivable;
	const struct sp_policy_exception *waived_by;
	const struct sp_policy_exception *expired;
};

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
	va_list ap;
	size_t n;
	char *s;
	int r;

	va_start(ap, f);
	r = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	n = r > 0 ? (size_t)r : 0;
	s = xmalloc(n + 1);
	s[0] = '\0';
	va_start(ap, f);
	vsnprintf(s, n + 1, f, ap);
	va_end(ap);
	return s;
}

static void decide(struct decision *d, enum sp_action a, const char *setting, sp_layer_ref layer,
		   bool waivable, char *message)
{
	free(d->message);
	d->action = a;
	d->setting = setting;
	d->layer = layer;
	d->waivable = waivable;
	d->message = message;
}

/* From a scalar: its action when set and above allow. */
static bool act(const struct sp_policy_set *s, enum sp_policy_key k, enum sp_action dflt,
		enum sp_action *a)
{
	*a = s->v[k].layer >= 0 ? (enum sp_action)s->v[k].v : dflt;
	return *a > SP_ACTION_ALLOW;
}

static void decide_key(struct decision *d, const struct sp_policy_set *s, enum sp_policy_key k,
		       enum sp_action a, char *message)
{
	decide(d, a, sp_policy_keydefs[k].path, s->v[k].layer, true, message);
}

static bool name_listed(const struct sp_policy_name *l, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return true;
	return false;
}

/* Whether version satisfies spec; unknown answers go to fallback. */
static bool version_ok(const struct sp_policy_ctx *ctx, const char *spec, const char *version,
		       bool fallback)
{
	if (!spec[0])
		return true;
	if (!version || !ctx->version_matches)
		return fallback;
	return ctx->version_matches(spec, version, ctx->matcher_ctx);
}

static char *duration_text(int64_t secs)
{
	if (secs >= 2 * DAY)
		return fmt("%lld days", (long long)(secs / DAY));
	if (secs >= 2 * 3600)
		return fmt("%lld hours", (long long)(secs / 3600));
	return fmt("%lld minutes", (long long)(secs / 60));
}

struct in {
	const struct sp_policy_ctx *ctx;
	const struct sp_policy_facts *f;
	const char *name; /* normalised, or NULL */
};

static void check_lists(const struct in *in, const struct sp_policy_set *s, struct decision *ck)
{
	size_t i;

	for (i = 0; in->name && i < s->ndeny; i++) {
		const struct sp_policy_pkg *p = &s->deny[i];

		if (strcmp(p->name, in->name) ||
		    !version_ok(in->ctx, p->spec, in->f->version, true))
			continue;
		decide(&ck[CK_DENIED], SP_ACTION_BLOCK, p->path, p->layer, false,
		       fmt("'%s%s%s' is on the deny list ('%s%s')", in->name,
			   in->f->version ? " " : "", in->f->version ? in->f->version : "", p->name,
			   p->spec));
		break;
	}
	if (s->nallow) {
		bool ok = false;

		for (i = 0; in->name && i < s->nallow && !ok; i++)
			ok = !strcmp(s->allow[i].name, in->name) &&
			     version_ok(in->ctx, s->allow[i].spec, in->f->version, false);
		if (!ok)
			decide(&ck[CK_NOT_ALLOWED], SP_ACTION_BLOCK, "$.packages.allow",
			       s->allow[0].layer, false,
			       in->name ? fmt("'%s%s%s' is not on the allow list", in->name,
					      in->f->version ? " " : "",
					      in->f->version ? in->f->version : "")
					: fmt("the package name is unknown, so it cannot be on the "
					      "allow list"));
	}
}

static void check_sdist(const struct in *in, const struct sp_policy_set *s, struct decision *ck)
{
	const struct sp_policy_entry *e;
	enum sp_action a;

	if (in->f->kind != SP_DIST_SDIST)
		return;
	e = in->name ? sp_map_find(s->sdist_packages, s->nsdist_packages, in->name) : NULL;
	if (e) {
		if (e->action > SP_ACTION_ALLOW)
			decide(&ck[CK_SDIST], e->action, e->path, e->layer, true,
			       fmt("a source distribution: building it runs its setup code"));
		return;
	}
	if (act(s, SP_PK_SDISTS, SP_ACTION_UNSET, &a))
		decide_key(&ck[CK_SDIST], s, SP_PK_SDISTS, a,
			   fmt("a source distribution: building it runs its setup code"));
}

static void check_typosquat(const struct in *in, const struct sp_policy_set *s, struct decision *ck)
{
	struct sp_typosquat_match m;
	enum sp_action a;
	unsigned top =
		s->v[SP_PK_TYPOSQUAT_TOP].layer >= 0 ? (unsigned)s->v[SP_PK_TYPOSQUAT_TOP].v : 0;

	if (!in->name || !in->ctx->popular || !act(s, SP_PK_TYPOSQUAT, SP_ACTION_UNSET, &a) ||
	    name_listed(s->typo_allow, s->ntypo_allow, in->name))
		return;
	if (sp_typosquat_check(in->ctx->popular, in->name, top, &m))
		decide_key(&ck[CK_TYPOSQUAT], s, SP_PK_TYPOSQUAT, a,
			   fmt("'%s' looks like the popular '%s' (download rank %u): %s", in->name,
			       m.popular, m.rank, m.how));
}

static void check_index_facts(const struct in *in, const struct sp_policy_set *s,
			      struct decision *ck)
{
	const struct sp_policy_facts *f = in->f;
	int64_t now = in->ctx->now;
	enum sp_action a;
	size_t i;

	if (s->v[SP_PK_MIN_AGE].layer >= 0 && s->v[SP_PK_MIN_AGE].v > 0 &&
	    !(in->name && name_listed(s->age_exempt, s->nage_exempt, in->name))) {
		int64_t min = s->v[SP_PK_MIN_AGE].v;

		act(s, SP_PK_MIN_AGE_ACTION, SP_ACTION_BLOCK, &a);
		if (f->upload_time > 0 && now - f->upload_time < min) {
			char *age = duration_text(now > f->upload_time ? now - f->upload_time : 0);
			char *want = duration_text(min);

			decide(&ck[CK_AGE], a, sp_policy_keydefs[SP_PK_MIN_AGE].path,
			       s->v[SP_PK_MIN_AGE].layer, true,
			       fmt("released %s ago; the policy wants releases at least %s old",
				   age, want));
			free(age);
			free(want);
		} else if (f->upload_time <= 0 && f->from_index) {
			decide(&ck[CK_AGE], SP_ACTION_WARN, sp_policy_keydefs[SP_PK_MIN_AGE].path,
			       s->v[SP_PK_MIN_AGE].layer, true,
			       fmt("the index gave no upload time, so the release's age is "
				   "unknown"));
		}
	}
	if (f->yanked == 1 && act(s, SP_PK_YANKED, SP_ACTION_UNSET, &a))
		decide_key(&ck[CK_YANKED], s, SP_PK_YANKED, a,
			   fmt("the file was yanked from its index%s%s",
			       f->yanked_reason ? ": " : "",
			       f->yanked_reason ? f->yanked_reason : ""));
	if (f->hash_pinned == 0 && s->v[SP_PK_REQUIRE_HASHES].layer >= 0 &&
	    s->v[SP_PK_REQUIRE_HASHES].v)
		decide_key(&ck[CK_HASHES], s, SP_PK_REQUIRE_HASHES, SP_ACTION_BLOCK,
			   fmt("the requirement is not pinned with --hash"));
	if (f->index_url && s->nindexes) {
		size_t n = strlen(f->index_url);
		bool ok = false;

		while (n > 1 && f->index_url[n - 1] == '/')
			n--;
		for (i = 0; i < s->nindexes && !ok; i++)
			ok = strlen(s->indexes[i].name) == n &&
			     strncmp(s->indexes[i].name, f->index_url, n) == 0;
		if (!ok)
			decide(&ck[CK_INDEX], SP_ACTION_BLOCK, "$.indexes.allowed",
			       s->indexes[0].layer, true,
			       fmt("served by '%s', which is not an allowed index", f->index_url));
	}
	if (f->nserving > 1 && act(s, SP_PK_DEP_CONFUSION, SP_ACTION_UNSET, &a)) {
		struct sp_buf b;

		sp_buf_init(&b, 4096);
		for (i = 0; i < f->nserving; i++)
			sp_buf_addf(&b, "%s'%s'", i ? ", " : "", f->serving[i]);
		decide_key(&ck[CK_CONFUSION], s, SP_PK_DEP_CONFUSION, a,
			   fmt("the name is served by %zu indexes (%s): dependency confusion",
			       f->nserving, b.data ? b.data : ""));
		sp_buf_release(&b);
	}
	if (s->v[SP_PK_MAX_INACTIVE].layer >= 0 && f->latest_release_time > 0 &&
	    now - f->latest_release_time > s->v[SP_PK_MAX_INACTIVE].v) {
		char *idle = duration_text(now - f->latest_release_time);
		char *lim = duration_text(s->v[SP_PK_MAX_INACTIVE].v);

		act(s, SP_PK_INACTIVE_ACTION, SP_ACTION_WARN, &a);
		decide(&ck[CK_MAINTENANCE], a, sp_policy_keydefs[SP_PK_MAX_INACTIVE].path,
		       s->v[SP_PK_MAX_INACTIVE].layer, true,
		       fmt("no release for %s; the policy allows %s", idle, lim));
		free(idle);
		free(lim);
	}
	if (f->size >= 0 && s->v[SP_PK_MAX_ARTIFACT_BYTES].layer >= 0 &&
	    f->size > s->v[SP_PK_MAX_ARTIFACT_BYTES].v)
		decide_key(&ck[CK_SIZE], s, SP_PK_MAX_ARTIFACT_BYTES, SP_ACTION_BLOCK,
			   fmt("the file is %lld bytes; the policy allows %lld", (long long)f->size,
			       (long long)s->v[SP_PK_MAX_ARTIFACT_BYTES].v));
}

static void check_license(const struct in *in, const struct sp_policy_set *s, struct decision *ck)
{
	const struct sp_policy_facts *f = in->f;
	struct sp_buf expr;
	enum sp_action a;
	size_t i;
	int ok;

	if (!s->nlicenses)
		return;
	sp_buf_init(&expr, 64 * 1024);
	if (f->license_expression && f->license_expression[0]) {
		sp_buf_addstr(&expr, f->license_expression);
	} else {
		for (i = 0; i < f->nclassifiers; i++) {
			const char *spdx = sp_policy_classifier_spdx(f->classifiers[i]);

			if (spdx)
				sp_buf_addf(&expr, "%s(%s)", expr.len ? " OR " : "", spdx);
		}
	}
	if (!expr.len) {
		if (f->from_index && act(s, SP_PK_LICENSE_UNKNOWN, SP_ACTION_WARN, &a))
			decide(&ck[CK_LICENSE], a, sp_policy_keydefs[SP_PK_LICENSE_UNKNOWN].path,
			       s->v[SP_PK_LICENSE_UNKNOWN].layer, true,
			       fmt("no license could be read (no License-Expression and no known "
				   "license classifier)"));
		goto out;
	}
	ok = sp_policy_license_ok(expr.data, s->licenses, s->nlicenses);
	if (ok == 1)
		goto out;
	if (ok < 0) {
		if (act(s, SP_PK_LICENSE_UNKNOWN, SP_ACTION_WARN, &a))
			decide(&ck[CK_LICENSE], a, sp_policy_keydefs[SP_PK_LICENSE_UNKNOWN].path,
			       s->v[SP_PK_LICENSE_UNKNOWN].layer, true,
			       fmt("the license expression '%s' is not valid SPDX", expr.data));
		goto out;
	}
	act(s, SP_PK_LICENSE_ACTION, SP_ACTION_BLOCK, &a);
	if (a > SP_ACTION_ALLOW)
		decide(&ck[CK_LICENSE], a, "$.licenses.allow", s->licenses[0].layer, true,
		       fmt("the license '%s' is not in the allowed list", expr.data));
out:
	sp_buf_release(&expr);
}

/* "PYSEC-1 (CVE-2, GHSA-3)" */
static void advisory_ids(struct sp_buf *b, const struct sp_policy_advisory *a)
{
	size_t i;

	sp_buf_addstr(b, a->id);
	for (i = 0; i < a->naliases; i++)
		sp_buf_addf(b, "%s%s", i ? ", " : " (", a->aliases[i]);
	if (a->naliases)
		sp_buf_addstr(b, ")");
}

static void decide_advisory(const struct sp_policy_set *s, const struct sp_policy_advisory *a,
			    struct decision *d)
{
	static const char *const sev[] = {"unknown", "low", "medium", "high", "critical"};
	int k = a->severity >= 0 && a->severity <= 4 ? a->severity : 0;
	enum sp_policy_key key = a->malicious ? SP_PK_ADV_MALICIOUS : adv_keys[k];
	enum sp_action act_;
	struct sp_buf b;

	if (!act(s, key, SP_ACTION_UNSET, &act_))
		return;
	sp_buf_init(&b, SIZE_MAX);
	sp_buf_addstr(&b, a->malicious ? "a known malicious package: " : "a known vulnerability: ");
	advisory_ids(&b, a);
	if (!a->malicious && a->score >= 0)
		sp_buf_addf(&b, ", %s severity (CVSS %.1f)", sev[k], a->score);
	else if (!a->malicious)
		sp_buf_addf(&b, ", %s severity", sev[k]);
	if (a->summary && a->summary[0])
		sp_buf_addf(&b, ": %.200s", a->summary);
	if (a->fixed)
		sp_buf_addf(&b, "; fixed in %s", a->fixed);
	else
		sp_buf_addstr(&b, "; no fixed version");
	decide_key(d, s, key, act_, sp_buf_detach(&b, NULL));
}

/* Exceptions waive an advisory only by its id or an alias, compared without case. */
static void apply_advisory_exceptions(const struct in *in, const struct sp_policy_exception **ex,
				      size_t nex, const struct sp_policy_advisory *a,
				      struct decision *d)
{
	int64_t today = in->ctx->now >= 0 ? in->ctx->now / DAY : (in->ctx->now - DAY + 1) / DAY;
	size_t i, j, k;

	if (d->action < SP_ACTION_WARN)
		return;
	for (i = 0; i < nex; i++) {
		bool named = false;

		for (j = 0; j < ex[i]->nrules && !named; j++) {
			named = !strcasecmp(ex[i]->rules[j], a->id);
			for (k = 0; k < a->naliases && !named; k++)
				named = !strcasecmp(ex[i]->rules[j], a->aliases[k]);
		}
		if (!named)
			continue;
		if (today <= ex[i]->expires) {
			d->waived_by = ex[i];
			d->expired = NULL;
			return;
		}
		if (!d->expired)
			d->expired = ex[i];
	}
}

/* Whether entry e decides finding f (f reaches both of its minimums). */
static bool entry_applies(const struct sp_policy_entry *e, const struct sp_finding *f)
{
	return e && e->layer >= 0 && (e->min_severity < 0 || (int)f->severity >= e->min_severity) &&
	       (e->min_confidence < 0 || (int)f->confidence >= e->min_confidence);
}

static void decide_finding(const struct sp_policy_set *s, const struct sp_finding *f,
			   struct decision *d)
{
	const struct sp_policy_entry *e = sp_map_find(s->rules, s->nrules, f->rule->id);

	if (!entry_applies(e, f))
		e = sp_map_find(s->categories, s->ncategories, f->rule->category);
	if (!entry_applies(e, f))
		e = &s->severity[f->severity];
	if (entry_applies(e, f)) {
		d->action = e->action;
		d->setting = e->path;
		d->layer = e->layer;
	} else if (s->v[SP_PK_FINDINGS_DEFAULT].layer >= 0) {
		d->action = (enum sp_action)s->v[SP_PK_FINDINGS_DEFAULT].v;
		d->setting = sp_policy_keydefs[SP_PK_FINDINGS_DEFAULT].path;
		d->layer = s->v[SP_PK_FINDINGS_DEFAULT].layer;
	}
	d->waivable = true;
}

/* Exceptions of s for this package and version. */
static size_t relevant_exceptions(const struct in *in, const struct sp_policy_set *s,
				  const struct sp_policy_exception ***out)
{
	size_t i, n = 0;

	*out = NULL;
	if (!in->name)
		return 0;
	for (i = 0; i < s->nexceptions; i++) {
		const struct sp_policy_exception *e = &s->exceptions[i];

		if (strcmp(e->package, in->name) ||
		    !version_ok(in->ctx, e->versions, in->f->version, false))
			continue;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = e;
	}
	return n;
}

static void apply_exceptions(const struct in *in, const struct sp_policy_exception **ex, size_t nex,
			     struct decision *d, const char *id)
{
	int64_t today = in->ctx->now >= 0 ? in->ctx->now / DAY : (in->ctx->now - DAY + 1) / DAY;
	size_t i, j;

	if (d->action < SP_ACTION_WARN || !d->waivable)
		return;
	for (i = 0; i < nex; i++) {
		for (j = 0; j < ex[i]->nrules; j++)
			if (!strcmp(ex[i]->rules[j], "*") || !strcmp(ex[i]->rules[j], id))
				break;
		if (j == ex[i]->nrules)
			continue;
		if (today <= ex[i]->expires) {
			d->waived_by = ex[i];
			d->expired = NULL;
			return;
		}
		if (!d->expired)
			d->expired = ex[i];
	}
}

static void check_advisory_data(const struct in *in, const struct sp_policy_set *s,
				const struct sp_policy_advisory_data *data, struct decision *ck)
{
	enum sp_action a;

	if (!data->present) {
		if (act(s, SP_PK_ADV_MISSING, SP_ACTION_UNSET, &a))
			decide_key(&ck[CK_ADV_MISSING], s, SP_PK_ADV_MISSING, a,
				   fmt("no advisory data%s%s, so known vulnerabilities and "
				       "malicious packages are not checked (run 'safepip "
				       "advisories sync')",
				       data->problem ? ": " : "",
				       data->problem ? data->problem : ""));
		return;
	}
	if (s->v[SP_PK_ADV_MAX_AGE].layer >= 0 &&
	    in->ctx->now - data->synced_at > s->v[SP_PK_ADV_MAX_AGE].v) {
		char *age = duration_text(in->ctx->now - data->synced_at);
		char *lim = duration_text(s->v[SP_PK_ADV_MAX_AGE].v);

		act(s, SP_PK_ADV_STALE, SP_ACTION_WARN, &a);
		if (a > SP_ACTION_ALLOW)
			decide(&ck[CK_ADV_STALE], a, sp_policy_keydefs[SP_PK_ADV_MAX_AGE].path,
			       s->v[SP_PK_ADV_MAX_AGE].layer, true,
			       fmt("the advisory data is %s old; the policy allows %s (run "
				   "'safepip advisories sync')",
				   age, lim));
		free(age);
		free(lim);
	}
}

/* Decisions of one set for every check and finding. */
static void eval_set(const struct in *in, const struct sp_policy_set *s,
		     const struct sp_artifact *a, const struct sp_policy_env *env,
		     struct decision *ck, struct decision *fd, struct decision *ad)
{
	const struct sp_policy_exception **ex;
	size_t nex, i;

	if (env) {
		if (env->installing && !env->in_venv && s->v[SP_PK_VENV_ONLY].layer >= 0 &&
		    s->v[SP_PK_VENV_ONLY].v)
			decide_key(&ck[CK_VENV], s, SP_PK_VENV_ONLY, SP_ACTION_BLOCK,
				   fmt("not in a virtual environment (activate one, or use "
				       "--python)"));
		if (env->installing && env->is_root && s->v[SP_PK_ALLOW_ROOT].layer >= 0 &&
		    !s->v[SP_PK_ALLOW_ROOT].v)
			decide_key(&ck[CK_ROOT], s, SP_PK_ALLOW_ROOT, SP_ACTION_BLOCK,
				   fmt("running as root"));
		for (i = 0; i < env->nindex_urls; i++) {
			if (strncmp(env->index_urls[i], "http://", 7) == 0 &&
			    s->v[SP_PK_ALLOW_HTTP].layer >= 0 && !s->v[SP_PK_ALLOW_HTTP].v) {
				decide_key(&ck[CK_HTTP], s, SP_PK_ALLOW_HTTP, SP_ACTION_BLOCK,
					   fmt("the index '%s' is plain http", env->index_urls[i]));
				break;
			}
		}
		if (env->ntrusted_hosts && s->v[SP_PK_ALLOW_TRUSTED].layer >= 0 &&
		    !s->v[SP_PK_ALLOW_TRUSTED].v)
			decide_key(&ck[CK_TRUSTED], s, SP_PK_ALLOW_TRUSTED, SP_ACTION_BLOCK,
				   fmt("--trusted-host '%s' turns off TLS verification",
				       env->trusted_hosts[0]));
		if (env->advisory_data)
			check_advisory_data(in, s, env->advisory_data, ck);
		return;
	}
	if (in->f->scan_error)
		decide(&ck[CK_SCAN_ERROR], SP_ACTION_BLOCK, NULL, -1, false,
		       fmt("could not be scanned: %s", in->f->scan_error));
	check_lists(in, s, ck);
	check_sdist(in, s, ck);
	check_typosquat(in, s, ck);
	check_index_facts(in, s, ck);
	check_license(in, s, ck);
	for (i = 0; a && i < a->nfindings; i++)
		decide_finding(s, &a->findings[i], &fd[i]);
	for (i = 0; i < in->f->nadvisories; i++)
		decide_advisory(s, &in->f->advisories[i], &ad[i]);

	nex = relevant_exceptions(in, s, &ex);
	for (i = 0; i < CK_COUNT; i++)
		apply_exceptions(in, ex, nex, &ck[i], check_ids[i]);
	for (i = 0; a && i < a->nfindings; i++)
		apply_exceptions(in, ex, nex, &fd[i], a->findings[i].rule->id);
	for (i = 0; i < in->f->nadvisories; i++)
		apply_advisory_exceptions(in, ex, nex, &in->f->advisories[i], &ad[i]);
	free(ex);
}

static enum sp_action final_action(const struct decision *d)
{
	return d->waived_by ? SP_ACTION_ALLOW : d->action;
}

/* --- reasons --- */

static void exception_text(struct sp_buf *b, const struct sp_policy *p,
			   const struct sp_policy_exception *e, const char *verb)
{
	char who[700];

	sp_layer_describe(p, e->layer, who, sizeof(who));
	sp_buf_addf(b, "; %s by the exception at %s of the %s (owner '%s', reason '%s', ", verb,
		    e->path, who, e->owner, e->reason);
	if (strcmp(verb, "waived") == 0)
		sp_buf_addf(b, "until %s)", e->expires_text);
	else
		sp_buf_addf(b, "expired on %s, no longer applies)", e->expires_text);
}

static void add_reason(const struct sp_policy *p, struct sp_verdict *v, const struct decision *d,
		       bool enforced, const struct decision *loose, const char *id, char *message,
		       size_t count, const struct sp_finding *first)
{
	struct sp_reason *r;
	struct sp_buf b;
	char who[700];

	sp_buf_init(&b, SIZE_MAX);
	sp_buf_addstr(&b, message);
	if (d->setting)
		sp_buf_addf(&b, "; %s says %s", d->setting, sp_action_word(d->action, count > 0));
	if (d->waived_by)
		exception_text(&b, p, d->waived_by, "waived");
	else if (d->expired)
		exception_text(&b, p, d->expired, "it was waived");
	if (enforced) {
		sp_layer_describe(p, d->layer, who, sizeof(who));
		sp_buf_addf(&b, "; enforced by the %s", who);
		if (loose && loose->waived_by)
			sp_buf_addstr(&b, ", which an exception from a later layer cannot waive");
		else
			sp_buf_addstr(&b, ", which later layers cannot loosen");
	}
	v->reasons = xrealloc(v->reasons, (v->nreasons + 1) * sizeof(*v->reasons));
	r = &v->reasons[v->nreasons++];
	memset(r, 0, sizeof(*r));
	r->action = final_action(d);
	r->id = xstrdup(id);
	r->message = sp_buf_detach(&b, NULL);
	r->count = count;
	r->setting = d->setting ? xstrdup(d->setting) : NULL;
	r->layer = d->layer;
	r->enforced = enforced;
	if (first) {
		r->path = first->path ? xstrdup(first->path) : NULL;
		r->line = first->line;
	}
	if (r->action > v->action)
		v->action = r->action;
}

/* The stricter of the effective and floor decisions; *enforced when the floor's. */
static const struct decision *pick(const struct decision *e, const struct decision *f,
				   bool *enforced)
{
	*enforced = f && final_action(f) > final_action(e);
	return *enforced ? f : e;
}

struct group {
	size_t idx; /* finding index */
	const struct decision *d;
	const struct sp_rule *rule;
	enum sp_severity severity;
	bool enforced;
};

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int r;

	if (final_action(x->d) != final_action(y->d))
		return final_action(x->d) > final_action(y->d) ? -1 : 1;
	if ((r = strcmp(x->rule->id, y->rule->id)))
		return r;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->enforced != y->enforced)
		return x->enforced ? -1 : 1;
	if ((r = strcmp(x->d->setting ? x->d->setting : "", y->d->setting ? y->d->setting : "")))
		return r;
	if (x->d->layer != y->d->layer)
		return x->d->layer < y->d->layer ? -1 : 1;
	if (x->d->waived_by != y->d->waived_by)
		return x->d->waived_by < y->d->waived_by ? -1 : 1;
	if (x->d->expired != y->d->expired)
		return x->d->expired < y->d->expired ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static bool same_group(const struct group *x, const struct group *y)
{
	return final_action(x->d) == final_action(y->d) && x->rule == y->rule &&
	       x->severity == y->severity && x->enforced == y->enforced &&
	       x->d->setting == y->d->setting && x->d->layer == y->d->layer &&
	       x->d->waived_by == y->d->waived_by && x->d->expired == y->d->expired;
}

static void finding_reasons(const struct sp_policy *p, struct sp_verdict *v,
			    const struct sp_artifact *a, const struct decision *fe,
			    const struct decision *ff)
{
	struct group *g = xcalloc(a->nfindings + 1, sizeof(*g));
	size_t n = 0, i, j;

	for (i = 0; i < a->nfindings; i++) {
		bool enforced;
		const struct decision *d = pick(&fe[i], ff ? &ff[i] : NULL, &enforced);

		v->finding_actions[i] =
			final_action(d) == SP_ACTION_UNSET ? SP_ACTION_ALLOW : final_action(d);
		if (d->action < SP_ACTION_WARN)
			continue;
		g[n].idx = i;
		g[n].d = d;
		g[n].rule = a->findings[i].rule;
		g[n].severity = a->findings[i].severity;
		g[n].enforced = enforced;
		n++;
	}
	qsort(g, n, sizeof(*g), cmp_group);
	for (i = 0; i < n; i = j) {
		const struct sp_finding *f;
		char *msg;

		for (j = i + 1; j < n && same_group(&g[i], &g[j]); j++)
			;
		/* the first by position: g is ordered by finding index within a group */
		f = &a->findings[g[i].idx];
		if (f->path && f->line)
			msg = fmt("%zu finding%s (%s, %s), first at %s:%u", j - i,
				  j - i == 1 ? "" : "s", f->rule->category,
				  sp_severity_name(f->severity), f->path, f->line);
		else if (f->path)
			msg = fmt("%zu finding%s (%s, %s), first in %s", j - i,
				  j - i == 1 ? "" : "s", f->rule->category,
				  sp_severity_name(f->severity), f->path);
		else
			msg = fmt("%zu finding%s (%s, %s)", j - i, j - i == 1 ? "" : "s",
				  f->rule->category, sp_severity_name(f->severity));
		add_reason(p, v, g[i].d, g[i].enforced, &fe[g[i].idx], f->rule->id, msg, j - i, f);
		free(msg);
	}
	free(g);
}

static void check_reasons(const struct sp_policy *p, struct sp_verdict *v,
			  const struct decision *ce, const struct decision *cf)
{
	int order[CK_COUNT], n = 0, i, pass;

	/* blocks first, then warnings, then notes; check order within each */
	for (pass = SP_ACTION_BLOCK; pass >= SP_ACTION_ALLOW; pass--) {
		for (i = 0; i < CK_COUNT; i++) {
			bool enforced;
			const struct decision *d = pick(&ce[i], cf ? &cf[i] : NULL, &enforced);

			if (d->action >= SP_ACTION_WARN && (int)final_action(d) == pass)
				order[n++] = i;
		}
	}
	for (i = 0; i < n; i++) {
		bool enforced;
		const struct decision *d =
			pick(&ce[order[i]], cf ? &cf[order[i]] : NULL, &enforced);

		add_reason(p, v, d, enforced, &ce[order[i]], check_ids[order[i]], d->message, 0,
			   NULL);
	}
}

static void advisory_reasons(const struct sp_policy *p, struct sp_verdict *v,
			     const struct sp_policy_facts *f, const struct decision *ae,
			     const struct decision *af)
{
	size_t i;
	int pass;

	for (pass = SP_ACTION_BLOCK; pass >= SP_ACTION_ALLOW; pass--) {
		for (i = 0; i < f->nadvisories; i++) {
			bool enforced;
			const struct decision *d = pick(&ae[i], af ? &af[i] : NULL, &enforced);

			if (d->action >= SP_ACTION_WARN && (int)final_action(d) == pass)
				add_reason(p, v, d, enforced, &ae[i], f->advisories[i].id,
					   d->message, 0, NULL);
		}
	}
}

static void release_decisions(struct decision *d, size_t n)
{
	size_t i;

	for (i = 0; d && i < n; i++)
		free(d[i].message);
	free(d);
}

static void evaluate(const struct sp_policy_ctx *ctx, const struct sp_policy_facts *facts,
		     const struct sp_artifact *a, const struct sp_policy_env *env,
		     struct sp_verdict *v)
{
	const struct sp_policy *p = ctx->policy;
	size_t nf = a ? a->nfindings : 0, na = facts->nadvisories;
	struct decision *ce = xcalloc(CK_COUNT, sizeof(*ce)), *cf = NULL;
	struct decision *fe = xcalloc(nf + 1, sizeof(*fe)), *ff = NULL;
	struct decision *ae = xcalloc(na + 1, sizeof(*ae)), *af = NULL;
	struct in in = {ctx, facts, NULL};
	char *name = NULL;

	memset(v, 0, sizeof(*v));
	v->action = SP_ACTION_ALLOW;
	if (facts && facts->name && facts->name[0])
		in.name = name = sp_policy_normalize_name(facts->name);
	eval_set(&in, &p->eff, a, env, ce, fe, ae);
	if (p->has_floor) {
		cf = xcalloc(CK_COUNT, sizeof(*cf));
		ff = xcalloc(nf + 1, sizeof(*ff));
		af = xcalloc(na + 1, sizeof(*af));
		eval_set(&in, &p->floor, a, env, cf, ff, af);
	}
	check_reasons(p, v, ce, cf);
	advisory_reasons(p, v, facts, ae, af);
	if (nf) {
		v->finding_actions = xcalloc(nf, sizeof(*v->finding_actions));
		v->nfindings = nf;
		finding_reasons(p, v, a, fe, ff);
	}
	release_decisions(ce, CK_COUNT);
	release_decisions(cf, CK_COUNT);
	release_decisions(fe, nf);
	release_decisions(ff, nf);
	release_decisions(ae, na);
	release_decisions(af, na);
	free(name);
}

void sp_policy_eval_artifact(const struct sp_policy_ctx *ctx, const struct sp_policy_facts *facts,
			     const struct sp_artifact *a, struct sp_verdict *v)
{
	struct sp_policy_facts none = {.yanked = -1, .hash_pinned = -1, .size = -1};

	evaluate(ctx, facts ? facts : &none, a, NULL, v);
}

void sp_policy_eval_env(const struct sp_policy_ctx *ctx, const struct sp_policy_env *env,
			struct sp_verdict *v)
{
	struct sp_policy_facts none = {.yanked = -1, .hash_pinned = -1, .size = -1};

	evaluate(ctx, &none, NULL, env, v);
}

void sp_verdict_release(struct sp_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++) {
		free(v->reasons[i].id);
		free(v->reasons[i].message);
		free(v->reasons[i].setting);
		free(v->reasons[i].path);
	}
	free(v->reasons);
	free(v->finding_actions);
	memset(v, 0, sizeof(*v));
}
