/*
 * The human report: grouped by artifact, then by file; colors only when
 * the caller says the output is a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "report/report.h"
#include "scan/capability.h"
#include "core/banned.h"

#define RESET "\033[0m"
#define BOLD "\033[1m"
#define DIM "\033[2m"

static const char *const sev_colors[] = {
	"\033[2m",    /* info: dim */
	"\033[36m",   /* low: cyan */
	"\033[33m",   /* medium: yellow */
	"\033[31m",   /* high: red */
	"\033[1;31m", /* critical: bold red */
};

struct style {
	const char *bold, *dim, *reset;
	bool on;
};

static const char *sev_color(const struct style *s, enum sp_severity sev)
{
	return s->on ? sev_colors[sev] : "";
}

/*
 * Prints package text with escapes for anything a terminal would
 * interpret: the scanner already replaced control bytes in snippets, but
 * paths and names come from archives directly.
 */
static void put_text(FILE *out, const char *s)
{
	char *clean = sp_utf8_clean(s, strlen(s));
	const unsigned char *p;

	for (p = (const unsigned char *)clean; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
	free(clean);
}

static void artifact_head(FILE *out, const struct style *st, const struct sp_artifact *a)
{
	char hex[SP_SHA256_HEX];

	fprintf(out, "%s", st->bold);
	put_text(out, a->target);
	fprintf(out, "%s", st->reset);
	if (a->name) {
		fputs("  (", out);
		put_text(out, a->name);
		if (a->version) {
			fputc(' ', out);
			put_text(out, a->version);
		}
		fputc(')', out);
	}
	fputc('\n', out);
	fprintf(out, "  %s%zu files, %zu Python sources", st->dim, a->files, a->sources);
	if (a->has_sha256) {
		sp_hex(a->sha256, SP_SHA256_LEN, hex);
		fprintf(out, ", sha256 %s", hex);
	}
	fprintf(out, "%s\n", st->reset);
}

static void finding(FILE *out, const struct style *st, const struct sp_finding *f)
{
	fputs("    ", out);
	if (f->line)
		fprintf(out, "%u:%u  ", f->line, f->col);
	fprintf(out, "%s%-8s%s %s", sev_color(st, f->severity), sp_severity_name(f->severity),
		st->reset, f->rule->id);
	fprintf(out, "  %s", f->rule->title);
	if (f->context == SP_CTX_INSTALL || f->context == SP_CTX_IMPORT)
		fprintf(out, " %s[runs at %s]%s", st->dim,
			f->context == SP_CTX_INSTALL ? "install" : "import", st->reset);
	fputc('\n', out);
	if (f->detail) {
		fputs("        ", out);
		put_text(out, f->detail);
		fputc('\n', out);
	}
	if (f->snippet) {
		fprintf(out, "        %s| ", st->dim);
		put_text(out, f->snippet);
		fprintf(out, "%s\n", st->reset);
	}
}

/* Up to three items of a list, then how many more. */
static void some(FILE *out, char *const *items, size_t n, size_t total_more)
{
	size_t i;

	for (i = 0; i < n && i < 3; i++) {
		if (i)
			fputs(", ", out);
		put_text(out, items[i]);
	}
	if (n > 3 || total_more)
		fputs(", …", out);
}

/*
 * One line of what the package can do, from its capability findings:
 * "capabilities: network (2 hosts: a.example, b.example), process (git)".
 */
static void capabilities(FILE *out, const struct style *st, const struct sp_artifact *a)
{
	struct sp_capsum cs;
	const char *sep = "";
	int k;

	sp_capsum_build(&cs, a);
	if (!sp_capsum_any(&cs))
		goto out;
	fprintf(out, "  %scapabilities:%s ", st->bold, st->reset);
	for (k = 0; k < SP_CAP_COUNT; k++) {
		if (!cs.caps[k].findings)
			continue;
		fprintf(out, "%s%s", sep, sp_capability_name((enum sp_capability)k));
		sep = ", ";
		if (k == SP_CAP_NETWORK && cs.nhosts) {
			fprintf(out, " (%zu host%s: ", cs.nhosts, cs.nhosts == 1 ? "" : "s");
			some(out, cs.hosts, cs.nhosts, 0);
			fputc(')', out);
		} else if (cs.caps[k].nitems) {
			fputs(" (", out);
			some(out, cs.caps[k].items, cs.caps[k].nitems, 0);
			fputc(')', out);
		}
	}
	fputc('\n', out);
out:
	sp_capsum_release(&cs);
}

static const char *verdict_color(const struct style *s, enum sp_action a)
{
	if (!s->on)
		return "";
	return a == SP_ACTION_BLOCK ? sev_colors[SP_SEV_HIGH]
	       : a == SP_ACTION_WARN ? sev_colors[SP_SEV_MEDIUM]
				     : "\033[32m";
}

/* The verdict and why: one line per reason, with the layer that decided. */
static void verdict(FILE *out, const struct style *st, const struct sp_report *r,
		    const struct sp_verdict *v)
{
	size_t i;

	fprintf(out, "  verdict: %s%s%s\n", verdict_color(st, v->action), sp_action_name(v->action),
		st->reset);
	for (i = 0; i < v->nreasons; i++) {
		const struct sp_reason *x = &v->reasons[i];
		const char *label =
			x->action == SP_ACTION_ALLOW ? "waived" : sp_action_name(x->action);

		fprintf(out, "    %s%-6s%s %s: ", verdict_color(st, x->action), label, st->reset,
			x->id);
		put_text(out, x->message);
		if (x->layer >= 0 && (size_t)x->layer < r->policy->nlayers) {
			const struct sp_policy_layer *l = &r->policy->layers[x->layer];

			fprintf(out, " %s[%s", st->dim, sp_layer_kind_name(l->kind));
			if (l->kind != SP_LAYER_BUILTIN) {
				fputc(' ', out);
				put_text(out, l->file);
			}
			fprintf(out, "]%s", st->reset);
		}
		fputc('\n', out);
	}
}

int sp_report_text(FILE *out, const struct sp_report *r)
{
	struct style st = {"", "", "", r->color};
	size_t counts[5], i, j, hidden = 0, total = 0;
	int k;

	if (r->color) {
		st.bold = BOLD;
		st.dim = DIM;
		st.reset = RESET;
	}
	for (i = 0; i < r->nartifacts; i++) {
		const struct sp_artifact *a = r->artifacts[i];
		const char *last = NULL;

		artifact_head(out, &st, a);
		capabilities(out, &st, a);
		if (r->verdicts && r->policy)
			verdict(out, &st, r, &r->verdicts[i]);
		if (a->error) {
			fprintf(out, "  %serror:%s ", sev_color(&st, SP_SEV_HIGH), st.reset);
			put_text(out, a->error_msg);
			fputc('\n', out);
		}
		for (j = 0; j < a->nfindings; j++) {
			const struct sp_finding *f = &a->findings[j];
			const char *path = f->path ? f->path : "(archive)";

			if (f->severity < r->min_severity) {
				hidden++;
				continue;
			}
			if (!last || strcmp(last, path)) {
				fputs("  ", out);
				put_text(out, path);
				fputc('\n', out);
				last = path;
			}
			finding(out, &st, f);
		}
		if (!a->nfindings && !a->error)
			fputs("  no findings\n", out);
		fputc('\n', out);
	}
	sp_report_counts(r, counts);
	for (k = 0; k < 5; k++)
		total += counts[k];
	fprintf(out, "%zu artifact%s, %zu finding%s", r->nartifacts, r->nartifacts == 1 ? "" : "s",
		total, total == 1 ? "" : "s");
	if (total) {
		const char *sep = " (";

		for (k = 4; k >= 0; k--) {
			if (!counts[k])
				continue;
			fprintf(out, "%s%s%zu %s%s", sep, sev_color(&st, (enum sp_severity)k), counts[k],
				sp_severity_name((enum sp_severity)k), st.reset);
			sep = ", ";
		}
		fputc(')', out);
	}
	if (hidden)
		fprintf(out, "; %zu below %s not shown", hidden, sp_severity_name(r->min_severity));
	if (r->verdicts) {
		size_t nv[4] = {0};

		for (i = 0; i < r->nartifacts; i++)
			nv[r->verdicts[i].action]++;
		enum sp_action all = sp_report_verdict(r);

		fprintf(out, "; verdict %s%s%s (%zu blocked, %zu warned, %zu allowed)",
			verdict_color(&st, all), sp_action_name(all), st.reset,
			nv[SP_ACTION_BLOCK], nv[SP_ACTION_WARN],
			nv[SP_ACTION_ALLOW] + nv[SP_ACTION_UNSET]);
	}
	fputc('\n', out);
	if (ferror(out))
		return SP_EIO;
	return 0;
}
