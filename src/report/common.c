/* What every report format shares: counts, the overall verdict, names of kinds and formats. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "report/internal.h"
#include "report/report.h"
#include "core/banned.h"

void sp_report_counts(const struct sp_report *r, size_t counts[5])
{
	size_t i, j;

	for (i = 0; i < 5; i++)
		counts[i] = 0;
	for (i = 0; i < r->nartifacts; i++)
		for (j = 0; j < r->artifacts[i]->nfindings; j++)
			counts[r->artifacts[i]->findings[j].severity]++;
}

bool sp_report_failed(const struct sp_report *r)
{
	size_t i;

	for (i = 0; i < r->nartifacts; i++) {
		if (r->artifacts[i]->error)
			return true;
		if (r->fail_on_verdict != SP_ACTION_UNSET) {
			if (r->verdicts && r->verdicts[i].action >= r->fail_on_verdict)
				return true;
			continue;
		}
		if (r->fail_on >= 0 && sp_artifact_max_severity(r->artifacts[i]) >= r->fail_on)
			return true;
	}
	return false;
}

enum sp_action sp_report_verdict(const struct sp_report *r)
{
	enum sp_action a = SP_ACTION_ALLOW;
	size_t i;

	for (i = 0; r->verdicts && i < r->nartifacts; i++)
		if (r->verdicts[i].action > a)
			a = r->verdicts[i].action;
	return a;
}

static const char *const kind_names[] = {
	[SP_SOURCE_UNKNOWN] = "unknown", [SP_SOURCE_WHEEL] = "wheel", [SP_SOURCE_SDIST] = "sdist",
	[SP_SOURCE_ZIP] = "zip",	 [SP_SOURCE_TAR] = "tar",     [SP_SOURCE_DIR] = "directory",
	[SP_SOURCE_FILE] = "file",
};

const char *sp_report_kind_name(enum sp_source_kind k)
{
	return (size_t)k < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[k]
		       ? kind_names[k]
		       : "unknown";
}

static const char *const format_names[] = {
	[SP_REPORT_TEXT] = "text",
	[SP_REPORT_JSON] = "json",
	[SP_REPORT_SARIF] = "sarif",
	[SP_REPORT_HTML] = "html",
};

int sp_report_format_parse(const char *name, enum sp_report_format *out)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum sp_report_format)i;
			return 0;
		}
	}
	return SP_EINVAL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

enum sp_report_format sp_report_format_for_path(const char *path)
{
	if (ends_with(path, ".sarif") || ends_with(path, ".sarif.json"))
		return SP_REPORT_SARIF;
	if (ends_with(path, ".html") || ends_with(path, ".htm"))
		return SP_REPORT_HTML;
	return SP_REPORT_JSON;
}

int sp_report_write(FILE *out, enum sp_report_format fmt, const struct sp_report *r)
{
	switch (fmt) {
	case SP_REPORT_JSON:
		return sp_report_json(out, r);
	case SP_REPORT_SARIF:
		return sp_report_sarif(out, r);
	case SP_REPORT_HTML:
		return sp_report_html(out, r);
	case SP_REPORT_TEXT:
		break;
	}
	return sp_report_text(out, r);
}

void report_add_text(cJSON *o, const char *key, const char *s, bool null_if_absent)
{
	char *clean;

	if (!s) {
		if (null_if_absent)
			cJSON_AddNullToObject(o, key);
		return;
	}
	clean = sp_utf8_clean(s, strlen(s));
	cJSON_AddStringToObject(o, key, clean);
	free(clean);
}

cJSON *report_layers_json(const struct sp_report *r)
{
	cJSON *layers = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < r->policy->nlayers; i++) {
		cJSON *l = cJSON_CreateObject();

		cJSON_AddStringToObject(l, "layer", sp_layer_kind_name(r->policy->layers[i].kind));
		report_add_text(l, "file", r->policy->layers[i].file, true);
		cJSON_AddBoolToObject(l, "enforced", r->policy->layers[i].enforced);
		cJSON_AddItemToArray(layers, l);
	}
	return layers;
}
