/*
 * The JSON report; its schema is documented in docs/json-output.md and
 * versioned by "schema". Every finding is listed, whatever min_severity.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cache/vcache.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "report/internal.h"
#include "report/report.h"
#include "scan/capability.h"
#include "core/banned.h"

#define SCHEMA_VERSION 1

static cJSON *finding_json(const struct sp_finding *f, const struct sp_verdict *v, size_t i)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "rule", f->rule->id);
	cJSON_AddStringToObject(o, "title", f->rule->title);
	cJSON_AddStringToObject(o, "category", f->rule->category);
	cJSON_AddStringToObject(o, "severity", sp_severity_name(f->severity));
	cJSON_AddStringToObject(o, "confidence", sp_confidence_name(f->confidence));
	cJSON_AddStringToObject(o, "context", sp_context_name(f->context));
	report_add_text(o, "path", f->path, true);
	if (f->line)
		cJSON_AddNumberToObject(o, "line", f->line);
	else
		cJSON_AddNullToObject(o, "line");
	if (f->col)
		cJSON_AddNumberToObject(o, "column", f->col);
	else
		cJSON_AddNullToObject(o, "column");
	report_add_text(o, "snippet", f->snippet, true);
	report_add_text(o, "detail", f->detail, true);
	if (f->rule->cwe)
		cJSON_AddNumberToObject(o, "cwe", f->rule->cwe);
	else
		cJSON_AddNullToObject(o, "cwe");
	if (v && i < v->nfindings)
		cJSON_AddStringToObject(o, "policy", sp_action_name(v->finding_actions[i]));
	return o;
}

static cJSON *verdict_json(const struct sp_report *r, const struct sp_verdict *v)
{
	cJSON *o = cJSON_CreateObject(), *list;
	size_t i;

	cJSON_AddStringToObject(o, "action", sp_action_name(v->action));
	list = cJSON_AddArrayToObject(o, "reasons");
	for (i = 0; i < v->nreasons; i++) {
		const struct sp_reason *x = &v->reasons[i];
		cJSON *e = cJSON_CreateObject();
		bool has_layer = x->layer >= 0 && (size_t)x->layer < r->policy->nlayers;

		cJSON_AddStringToObject(e, "action", sp_action_name(x->action));
		cJSON_AddStringToObject(e, "id", x->id);
		report_add_text(e, "message", x->message, true);
		cJSON_AddNumberToObject(e, "findings", (double)x->count);
		report_add_text(e, "path", x->path, true);
		if (x->line)
			cJSON_AddNumberToObject(e, "line", x->line);
		else
			cJSON_AddNullToObject(e, "line");
		report_add_text(e, "setting", x->setting, true);
		report_add_text(e, "layer",
			 has_layer ? sp_layer_kind_name(r->policy->layers[x->layer].kind) : NULL, true);
		report_add_text(e, "file", has_layer ? r->policy->layers[x->layer].file : NULL, true);
		cJSON_AddBoolToObject(e, "enforced", x->enforced);
		cJSON_AddItemToArray(list, e);
	}
	return o;
}

/*
 * "capabilities": {"network": {"findings": 3, "items": [...], "hosts": [...]},
 * ...}: one key per capability found, derived from the capability findings.
 */
static cJSON *capabilities_json(const struct sp_artifact *a)
{
	cJSON *o = cJSON_CreateObject();
	struct sp_capsum cs;
	size_t i;
	int k;

	sp_capsum_build(&cs, a);
	for (k = 0; k < SP_CAP_COUNT; k++) {
		cJSON *c, *items;

		if (!cs.caps[k].findings)
			continue;
		c = cJSON_AddObjectToObject(o, sp_capability_name((enum sp_capability)k));
		cJSON_AddNumberToObject(c, "findings", (double)cs.caps[k].findings);
		items = cJSON_AddArrayToObject(c, "items");
		for (i = 0; i < cs.caps[k].nitems; i++) {
			const char *it = cs.caps[k].items[i];
			char *clean = sp_utf8_clean(it, strlen(it));

			cJSON_AddItemToArray(items, cJSON_CreateString(clean));
			free(clean);
		}
		if (k == SP_CAP_NETWORK) {
			items = cJSON_AddArrayToObject(c, "hosts");
			for (i = 0; i < cs.nhosts; i++)
				cJSON_AddItemToArray(items, cJSON_CreateString(cs.hosts[i]));
		}
	}
	sp_capsum_release(&cs);
	return o;
}

static cJSON *artifact_json(const struct sp_report *r, size_t idx)
{
	const struct sp_artifact *a = r->artifacts[idx];
	const struct sp_verdict *v = r->verdicts && r->policy ? &r->verdicts[idx] : NULL;
	cJSON *o = cJSON_CreateObject(), *list;
	char hex[SP_SHA256_HEX];
	size_t i;
	int max;

	report_add_text(o, "target", a->target, true);
	cJSON_AddStringToObject(o, "kind", sp_report_kind_name(a->kind));
	report_add_text(o, "name", a->name, true);
	report_add_text(o, "version", a->version, true);
	if (a->has_sha256) {
		sp_hex(a->sha256, SP_SHA256_LEN, hex);
		cJSON_AddStringToObject(o, "sha256", hex);
	} else {
		cJSON_AddNullToObject(o, "sha256");
	}
	cJSON_AddNumberToObject(o, "files", (double)a->files);
	cJSON_AddNumberToObject(o, "sources", (double)a->sources);
	cJSON_AddNumberToObject(o, "source_bytes", (double)a->source_bytes);
	report_add_text(o, "error", a->error ? a->error_msg : NULL, true);
	max = sp_artifact_max_severity(a);
	if (max >= 0)
		cJSON_AddStringToObject(o, "max_severity", sp_severity_name((enum sp_severity)max));
	else
		cJSON_AddNullToObject(o, "max_severity");
	if (v)
		cJSON_AddItemToObject(o, "verdict", verdict_json(r, v));
	cJSON_AddItemToObject(o, "capabilities", capabilities_json(a));
	list = cJSON_AddArrayToObject(o, "findings");
	for (i = 0; i < a->nfindings; i++)
		cJSON_AddItemToArray(list, finding_json(&a->findings[i], v, i));
	return o;
}

int sp_report_json(FILE *out, const struct sp_report *r)
{
	cJSON *root = cJSON_CreateObject(), *summary, *sev, *list;
	size_t counts[5], total = 0, i;
	char *text;
	int err = 0;

	cJSON_AddStringToObject(root, "tool", "safepip");
	cJSON_AddStringToObject(root, "version", SP_VERSION);
	cJSON_AddNumberToObject(root, "schema", SCHEMA_VERSION);
	cJSON_AddStringToObject(root, "catalog", r->catalog ? r->catalog->hash : "");
	if (r->fail_on_verdict != SP_ACTION_UNSET)
		cJSON_AddStringToObject(root, "fail_on", sp_action_name(r->fail_on_verdict));
	else if (r->fail_on >= 0)
		cJSON_AddStringToObject(root, "fail_on",
					sp_severity_name((enum sp_severity)r->fail_on));
	else
		cJSON_AddStringToObject(root, "fail_on", "never");
	sp_report_counts(r, counts);
	summary = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(summary, "artifacts", (double)r->nartifacts);
	sev = cJSON_CreateObject();
	for (i = 0; i < 5; i++) {
		cJSON_AddNumberToObject(sev, sp_severity_name((enum sp_severity)(4 - i)),
					(double)counts[4 - i]);
		total += counts[i];
	}
	cJSON_AddNumberToObject(summary, "findings", (double)total);
	cJSON_AddItemToObject(summary, "by_severity", sev);
	cJSON_AddBoolToObject(summary, "failed", sp_report_failed(r));
	if (r->verdicts && r->policy) {
		cJSON *pol = cJSON_AddObjectToObject(root, "policy");

		cJSON_AddStringToObject(summary, "verdict", sp_action_name(sp_report_verdict(r)));
		cJSON_AddItemToObject(pol, "layers", report_layers_json(r));
	}
	{
		cJSON *c = cJSON_AddObjectToObject(root, "cache");
		size_t hits = r->cache ? r->cache->hits : 0;

		cJSON_AddBoolToObject(c, "enabled", r->cache != NULL);
		cJSON_AddNumberToObject(c, "scanned", (double)(r->nartifacts - hits));
		cJSON_AddNumberToObject(c, "hits", (double)hits);
		cJSON_AddNumberToObject(c, "misses", r->cache ? (double)r->cache->misses : 0);
		cJSON_AddNumberToObject(c, "stores", r->cache ? (double)r->cache->stores : 0);
	}
	list = cJSON_AddArrayToObject(root, "artifacts");
	for (i = 0; i < r->nartifacts; i++)
		cJSON_AddItemToArray(list, artifact_json(r, i));

	text = cJSON_Print(root);
	if (!text || fputs(text, out) == EOF || fputc('\n', out) == EOF)
		err = SP_EIO;
	free(text);
	cJSON_Delete(root);
	return err;
}
