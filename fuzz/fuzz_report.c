/*
 * libFuzzer: package text (target, name, version, path, snippet, detail,
 * an error message) from the input, through every report writer. The
 * HTML must never carry the input's markup, and the JSON and SARIF
 * outputs must stay parseable JSON whatever the bytes.
 */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sp_catalog cat;
static bool loaded;

/* The next field of the input, up to a 0xff byte (NULs stay inside). */
static char *field(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *s = *p, *e = memchr(s, 0xff, (size_t)(end - s));
	char *out;

	if (!e)
		e = end;
	*len = (size_t)(e - s);
	out = xmalloc(*len + 1);
	memcpy(out, s, *len);
	out[*len] = '\0';
	*p = e < end ? e + 1 : end;
	return out;
}

static char *render(const struct sp_report *r, enum sp_report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f || sp_report_write(f, fmt, r) != 0)
		abort();
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *f[7], *out, *esc;
	size_t len[7], i, k;
	struct sp_artifact *a;
	struct sp_artifact *arts[1];
	struct sp_verdict v = {0};
	struct sp_reason reason = {0};
	enum sp_action actions[3] = {SP_ACTION_BLOCK, SP_ACTION_WARN, SP_ACTION_ALLOW};
	struct sp_policy pol = {0};
	struct sp_policy_layer layer = {SP_LAYER_PROJECT, NULL, true};
	struct sp_report r = {0};
	cJSON *doc;

	if (!loaded) {
		if (sp_catalog_load_embedded(&cat, NULL))
			abort();
		loaded = true;
	}
	esc = sp_report_html_escape((const char *)data, size);
	for (k = 0; esc[k]; k++)
		if (strchr("<>\"'", esc[k]) ||
		    ((unsigned char)esc[k] < 0x20 && esc[k] != '\t' && esc[k] != '\n'))
			abort();
	free(esc);

	for (i = 0; i < 7; i++)
		f[i] = field(&p, end, &len[i]);
	a = sp_artifact_new(f[0]);
	a->kind = SP_SOURCE_WHEEL;
	a->name = f[1][0] ? xstrdup(f[1]) : NULL;
	a->version = f[2][0] ? xstrdup(f[2]) : NULL;
	a->has_sha256 = size & 1;
	if (f[6][0]) {
		a->error = SP_EFORMAT;
		a->error_msg = xstrdup(f[6]);
	}
	sp_artifact_add(a, &cat.rules[0], SP_CTX_INSTALL, f[3], (uint32_t)len[4] + 1,
			(uint32_t)len[5], f[4], len[4], f[5]);
	sp_artifact_add(a, &cat.rules[cat.nrules - 1], SP_CTX_MODULE, f[3], 2, 1, f[5], len[5],
			NULL);
	sp_artifact_add(a, &cat.rules[cat.nrules / 2], SP_CTX_NONE, NULL, 0, 0, NULL, 0, f[4]);
	sp_artifact_sort(a);
	arts[0] = a;
	layer.file = f[3];
	pol.layers = &layer;
	pol.nlayers = 1;
	reason = (struct sp_reason){
		SP_ACTION_BLOCK, SP_CHECK_TYPOSQUAT, f[5], 0, f[3], 1, f[4], 0, true};
	v = (struct sp_verdict){SP_ACTION_BLOCK, &reason, 1, actions, 3};
	r.artifacts = arts;
	r.nartifacts = 1;
	r.catalog = &cat;
	r.fail_on = SP_SEV_HIGH;
	r.policy = &pol;
	r.verdicts = &v;

	out = render(&r, SP_REPORT_HTML);
	if (strstr(out, "<script") || strstr(out, "<img") || strstr(out, "<b "))
		abort();
	free(out);
	for (i = SP_REPORT_JSON; i <= SP_REPORT_SARIF; i++) {
		out = render(&r, (enum sp_report_format)i);
		doc = cJSON_Parse(out);
		if (!doc)
			abort();
		cJSON_Delete(doc);
		free(out);
	}
	out = render(&r, SP_REPORT_TEXT);
	free(out);

	sp_artifact_free(a);
	for (i = 0; i < 7; i++)
		free(f[i]);
	return 0;
}
