#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/xalloc.h"
#include "scan/scan.h"
#include "core/banned.h"

static const char *const severities[] = {"info", "low", "medium", "high", "critical"};
static const char *const confidences[] = {"low", "medium", "high"};
static const char *const contexts[] = {"none", "function", "module", "import", "install"};

const char *sp_severity_name(enum sp_severity s)
{
	return (unsigned)s < 5 ? severities[s] : "?";
}

int sp_severity_parse(const char *s, enum sp_severity *out)
{
	int i;

	for (i = 0; i < 5; i++) {
		if (strcmp(s, severities[i]) == 0) {
			*out = (enum sp_severity)i;
			return 0;
		}
	}
	return SP_EINVAL;
}

const char *sp_confidence_name(enum sp_confidence c)
{
	return (unsigned)c < 3 ? confidences[c] : "?";
}

int sp_confidence_parse(const char *s, enum sp_confidence *out)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(s, confidences[i]) == 0) {
			*out = (enum sp_confidence)i;
			return 0;
		}
	}
	return SP_EINVAL;
}

const char *sp_context_name(enum sp_context c)
{
	return (unsigned)c < 5 ? contexts[c] : "?";
}

struct sp_artifact *sp_artifact_new(const char *target)
{
	struct sp_artifact *a = xcalloc(1, sizeof(*a));

	a->target = xstrdup(target);
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void sp_artifact_free(struct sp_artifact *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nfindings; i++) {
		free(a->findings[i].path);
		free(a->findings[i].snippet);
		free(a->findings[i].detail);
	}
	free(a->findings);
	free(a->target);
	free(a->name);
	free(a->version);
	free(a->error_msg);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

/*
 * Snippets are shown on terminals and in reports: keep one or a few lines,
 * cut at SP_MAX_SNIPPET bytes on a UTF-8 boundary, with tabs kept and other
 * control bytes (escape sequences a package could use to rewrite the
 * terminal) replaced by '?'.
 */
static char *clean_snippet(const char *s, size_t n)
{
	char *out;
	size_t i;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (n > SP_MAX_SNIPPET) {
		n = SP_MAX_SNIPPET;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	out = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f ? '?' : (char)c;
	}
	out[n] = '\0';
	return out;
}

void sp_artifact_add(struct sp_artifact *a, const struct sp_rule *rule, enum sp_context ctx,
		     const char *path, uint32_t line, uint32_t col, const char *snippet,
		     size_t snippet_len, const char *detail)
{
	struct sp_finding f = {0};

	f.rule = rule;
	f.severity = rule->severity;
	if (rule->escalate && (ctx == SP_CTX_INSTALL || ctx == SP_CTX_IMPORT) &&
	    f.severity < SP_SEV_CRITICAL)
		f.severity++;
	f.confidence = rule->confidence;
	f.context = ctx;
	f.path = path ? xstrdup(path) : NULL;
	f.line = line;
	f.col = col;
	f.snippet = snippet ? clean_snippet(snippet, snippet_len) : NULL;
	f.detail = detail ? xstrdup(detail) : NULL;

	pthread_mutex_lock(&a->lock);
	SP_GROW(a->findings, a->nfindings + 1, a->cap);
	a->findings[a->nfindings++] = f;
	pthread_mutex_unlock(&a->lock);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct sp_finding *x = pa, *y = pb;
	int c = strcmp(x->path ? x->path : "", y->path ? y->path : "");

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	c = strcmp(x->rule->id, y->rule->id);
	if (c)
		return c;
	return strcmp(x->detail ? x->detail : "", y->detail ? y->detail : "");
}

void sp_artifact_sort(struct sp_artifact *a)
{
	if (a->nfindings > 1)
		qsort(a->findings, a->nfindings, sizeof(*a->findings), cmp_finding);
}

int sp_artifact_max_severity(const struct sp_artifact *a)
{
	int max = -1;
	size_t i;

	for (i = 0; i < a->nfindings; i++)
		if ((int)a->findings[i].severity > max)
			max = (int)a->findings[i].severity;
	return max;
}
