/*
 * The capability summary (see capability.h). Details are written by the
 * engine and the file checks in a few fixed shapes: "calls NAME", "calls
 * NAME (written ...)", a literal (variable, module, URL), "file has ...";
 * the summary keeps the part a reader recognises.
 */
#include "scan/capability.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "scan/text.h"
#include "core/banned.h"

static const struct {
	const char *rule;
	const char *name;
} kinds[SP_CAP_COUNT] = {
	[SP_CAP_NETWORK] = {"capability-network", "network"},
	[SP_CAP_PROCESS] = {"capability-process", "process"},
	[SP_CAP_FILE_WRITE] = {"capability-file-write", "file-write"},
	[SP_CAP_ENV] = {"capability-env", "env"},
	[SP_CAP_CREDENTIALS] = {"capability-credentials", "credentials"},
	[SP_CAP_DYNAMIC_CODE] = {"capability-dynamic-code", "dynamic-code"},
	[SP_CAP_NATIVE_CODE] = {"capability-native-code", "native-code"},
	[SP_CAP_TELEMETRY] = {"capability-telemetry", "telemetry"},
};

const char *sp_capability_name(enum sp_capability c)
{
	return (unsigned)c < SP_CAP_COUNT ? kinds[c].name : "?";
}

/* Adds s[0, n) to a set kept as an unsorted array; sorted at the end. */
static void add_item(char ***list, size_t *n, const char *s, size_t len)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; i < *n; i++)
		if (strlen((*list)[i]) == len && !memcmp((*list)[i], s, len))
			return;
	if (*n >= SP_MAX_CAPABILITY_ITEMS)
		return;
	*list = xrealloc(*list, (*n + 1) * sizeof(char *));
	(*list)[(*n)++] = xstrndup(s, len);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The part of a detail worth listing: "calls a.b (written c)" is "a.b". */
static void item_of(const struct sp_finding *f, const char **s, size_t *n)
{
	const char *d = f->detail;
	const char *w;

	*s = "";
	*n = 0;
	if (!d)
		return;
	if (!strncmp(d, "calls ", 6))
		d += 6;
	if (!strncmp(d, "file has ", 9) && f->path)
		d = sp_path_base(f->path);
	*s = d;
	*n = strlen(d);
	if ((w = strstr(d, " (written ")))
		*n = (size_t)(w - d);
}

void sp_capsum_build(struct sp_capsum *s, const struct sp_artifact *a)
{
	size_t i;
	int k;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < a->nfindings; i++) {
		const struct sp_finding *f = &a->findings[i];
		const char *t, *host;
		size_t n;

		if (strcmp(f->rule->category, "capability"))
			continue;
		if (!strcmp(f->rule->id, "capability-destination")) {
			s->caps[SP_CAP_NETWORK].findings++;
			n = f->detail ? sp_text_url_host(f->detail, strlen(f->detail), &host) : 0;
			if (n)
				add_item(&s->hosts, &s->nhosts, host, n);
			continue;
		}
		for (k = 0; k < SP_CAP_COUNT; k++)
			if (!strcmp(f->rule->id, kinds[k].rule))
				break;
		if (k == SP_CAP_COUNT)
			continue;
		s->caps[k].findings++;
		item_of(f, &t, &n);
		add_item(&s->caps[k].items, &s->caps[k].nitems, t, n);
	}
	for (k = 0; k < SP_CAP_COUNT; k++)
		if (s->caps[k].nitems > 1)
			qsort(s->caps[k].items, s->caps[k].nitems, sizeof(char *), cmp_str);
	if (s->nhosts > 1)
		qsort(s->hosts, s->nhosts, sizeof(char *), cmp_str);
}

void sp_capsum_release(struct sp_capsum *s)
{
	size_t i;
	int k;

	for (k = 0; k < SP_CAP_COUNT; k++) {
		for (i = 0; i < s->caps[k].nitems; i++)
			free(s->caps[k].items[i]);
		free(s->caps[k].items);
	}
	for (i = 0; i < s->nhosts; i++)
		free(s->hosts[i]);
	free(s->hosts);
	memset(s, 0, sizeof(*s));
}

bool sp_capsum_any(const struct sp_capsum *s)
{
	int k;

	for (k = 0; k < SP_CAP_COUNT; k++)
		if (s->caps[k].findings)
			return true;
	return false;
}
