/*
 * The HTML report: one self-contained page a person can read, on a
 * desk, a phone or paper.
 *
 * Everything from a package (target, name, version, paths, snippets,
 * details, policy messages that quote them) is hostile and goes through
 * sp_report_html_escape(); ids and classes come only from indexes and enum
 * names. The page loads nothing and runs nothing: its Content-Security-
 * Policy allows only its own stylesheet (by hash), so even markup that got
 * through could not run script or fetch anything. The severity filter is
 * CSS alone (checkboxes and the :checked selector).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "report/report.h"
#include "scan/capability.h"
#include "core/banned.h"

/* The stylesheet; its sha256 goes into the CSP, so it is one constant. */
static const char css[] =
	":root{--fg:#1b1f24;--dim:#57606a;--bg:#fff;--card:#f6f8fa;--line:#d0d7de;"
	"--s4:#7d1a1a;--s3:#c62828;--s2:#b35c00;--s1:#0b6e99;--s0:#57606a;"
	"--block:#c62828;--warn:#b35c00;--allow:#1a7f37}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"color:var(--fg);background:var(--bg)}\n"
	"header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}\n"
	"h1{font-size:1.4rem;margin:1rem 0 "
	".5rem}h2{font-size:1.2rem;margin:0;overflow-wrap:anywhere}\n"
	"code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
	".badge{display:inline-block;padding:0 .45em;border-radius:.3em;color:#fff;"
	"font-size:.8rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em;"
	"white-space:nowrap;print-color-adjust:exact;-webkit-print-color-adjust:exact}\n"
	".v-block{background:var(--block)}.v-warn{background:var(--warn)}"
	".v-allow{background:var(--allow)}.v-none{background:var(--s0)}\n"
	".s4{background:var(--s4)}.s3{background:var(--s3)}.s2{background:var(--s2)}"
	".s1{background:var(--s1)}.s0{background:var(--s0)}\n"
	".caps{margin:0;padding-left:1.1rem}\n"
	".verdict{font-size:1.1rem;margin:.25rem 0 .75rem;display:flex;flex-wrap:wrap;"
	"gap:.5rem;align-items:center}\n.verdict .badge{font-size:1.1rem;padding:.1em .6em}\n"
	".flt{position:absolute;opacity:0;width:1px;height:1px}\n"
	".filters{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0 1rem;align-items:center}\n"
	".filters label{cursor:pointer;border:1px solid var(--line);border-radius:1rem;"
	"padding:.1rem .7rem;user-select:none}\n"
	".filters label::before{content:'\\2713  ';font-weight:700}\n"
	"table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}\n"
	"th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);"
	"vertical-align:top;overflow-wrap:anywhere}\n"
	"th{font-size:.85rem;color:var(--dim);font-weight:600}\n"
	".pkg{border:1px solid var(--line);border-radius:.5rem;margin:0 0 1.5rem;padding:1rem}\n"
	".pkg>header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;padding:0;"
	"margin:0 0 .5rem}\n"
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;"
	"margin:.5rem 0;font-size:.9rem}\n"
	"dl.meta dt{color:var(--dim)}dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
	"ul.reasons{margin:.5rem 0;padding-left:1.2rem}\nul.reasons li{margin:.2rem 0}\n"
	".src{color:var(--dim);font-size:.85rem}\n"
	"ol.findings{list-style:none;margin:.75rem 0 0;padding:0}\n"
	".finding{border-top:1px solid var(--line);padding:.75rem 0;break-inside:avoid}\n"
	".finding .head{display:flex;flex-wrap:wrap;gap:.4rem;align-items:baseline}\n"
	".finding .title{font-weight:600}\n.where{color:var(--dim);overflow-wrap:anywhere}\n"
	"pre.snippet{background:var(--card);border:1px solid var(--line);border-radius:.3rem;"
	"padding:.5rem;margin:.4rem 0;white-space:pre-wrap;overflow-wrap:anywhere}\n"
	".ln{color:var(--dim);user-select:none}\n"
	".why{font-size:.9rem;margin:.25rem 0 0}\n.why p{margin:.2rem 0}\n"
	".err{color:var(--block);font-weight:600}\n.none{color:var(--dim)}\n"
	"footer{color:var(--dim);font-size:.8rem;padding-bottom:2rem}\n"
	"#f4:not(:checked)~main .finding.f4,#f3:not(:checked)~main .finding.f3,"
	"#f2:not(:checked)~main .finding.f2,#f1:not(:checked)~main .finding.f1,"
	"#f0:not(:checked)~main .finding.f0{display:none}\n"
	"#f4:not(:checked)~header label[for=f4],#f3:not(:checked)~header label[for=f3],"
	"#f2:not(:checked)~header label[for=f2],#f1:not(:checked)~header label[for=f1],"
	"#f0:not(:checked)~header label[for=f0]{opacity:.45;text-decoration:line-through}\n"
	"#f4:not(:checked)~header label[for=f4]::before,#f3:not(:checked)~header "
	"label[for=f3]::before,#f2:not(:checked)~header label[for=f2]::before,"
	"#f1:not(:checked)~header label[for=f1]::before,#f0:not(:checked)~header "
	"label[for=f0]::before{content:''}\n"
	"#f4:focus-visible~header label[for=f4],#f3:focus-visible~header label[for=f3],"
	"#f2:focus-visible~header label[for=f2],#f1:focus-visible~header label[for=f1],"
	"#f0:focus-visible~header label[for=f0]{outline:2px solid var(--s1)}\n"
	"@media (max-width:40rem){body{font-size:14px}.pkg{padding:.6rem}"
	"dl.meta{grid-template-columns:1fr}dl.meta dd{margin-bottom:.3rem}"
	"th.opt,td.opt{display:none}}\n"
	"@media print{body{font-size:11pt}header,main,footer{max-width:none;padding:0}"
	".filters label{border:none;padding:0 .5rem 0 0}.filters label::before{content:''}"
	".pkg{border:none;border-top:2px solid var(--fg);border-radius:0;padding:.5rem 0;"
	"break-inside:auto}a{color:inherit;text-decoration:none}}\n";

static const char *const verdict_class[] = {
	[SP_ACTION_UNSET] = "v-none",
	[SP_ACTION_ALLOW] = "v-allow",
	[SP_ACTION_WARN] = "v-warn",
	[SP_ACTION_BLOCK] = "v-block",
};

/* --- escaping --- */

/*
 * Invisible characters that change how text around them is displayed:
 * the Unicode bidirectional controls ("Trojan Source") and C1 controls.
 * Returns the code point of the 2- or 3-byte UTF-8 sequence at p, or 0.
 */
static unsigned hidden_control(const unsigned char *p, size_t n)
{
	unsigned cp;

	if (n >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return p[1]; /* U+0080..U+009F */
	if (n >= 2 && p[0] == 0xd8 && p[1] == 0x9c)
		return 0x61c; /* arabic letter mark */
	if (n < 3 || p[0] != 0xe2 || (p[1] != 0x80 && p[1] != 0x81))
		return 0;
	cp = 0x2000 | ((unsigned)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	if (cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return cp;
	return 0;
}

/* The character reference for c, or NULL when c stands for itself. */
static const char *entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/* Appends the escaped form of valid UTF-8 text s to w; returns the new end. */
static char *escape_clean(char *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	const char *ent;
	unsigned cp;

	while (i < n) {
		unsigned char c = p[i];

		if ((ent = entity(c))) {
			memcpy(w, ent, strlen(ent));
			w += strlen(ent);
		} else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			*w++ = '\\';
			*w++ = 'x';
			*w++ = hex[c >> 4];
			*w++ = hex[c & 15];
		} else if (c >= 0x80 && (cp = hidden_control(p + i, n - i))) {
			w += snprintf(w, 8, "\\u%04x", cp);
			i += cp < 0x100 || cp == 0x61c ? 2 : 3;
			continue;
		} else {
			*w++ = (char)c;
		}
		i++;
	}
	return w;
}

char *sp_report_html_escape(const char *s, size_t len)
{
	/* A byte becomes at most 6 (&quot;), U+FFFD for one bad byte 3 more. */
	char *out = xmalloc(len * 9 + 1), *w = out;
	size_t i = 0;

	/* NULs split the text: sp_utf8_clean works on C strings. */
	while (i <= len) {
		const char *nul = memchr(s + i, '\0', len - i);
		size_t end = nul ? (size_t)(nul - s) : len;
		char *clean = sp_utf8_clean(s + i, end - i);

		w = escape_clean(w, clean);
		free(clean);
		if (!nul)
			break;
		memcpy(w, "\\x00", 4);
		w += 4;
		i = end + 1;
	}
	*w = '\0';
	return out;
}

/* --- output --- */

struct page {
	FILE *out;
	const struct sp_report *r;
};

/* Writes package text, escaped; NULL writes nothing. */
static void text(struct page *pg, const char *s)
{
	char *e;

	if (!s)
		return;
	e = sp_report_html_escape(s, strlen(s));
	fputs(e, pg->out);
	free(e);
}

/* Writes trusted markup (no package text ever goes through here). */
__attribute__((format(printf, 2, 3))) static void markup(struct page *pg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(pg->out, fmt, ap);
	va_end(ap);
}

static void base64(const unsigned char *d, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*out++ = tab[d[i] >> 2];
		*out++ = tab[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
		*out++ = tab[((d[i + 1] & 15) << 2) | (d[i + 2] >> 6)];
		*out++ = tab[d[i + 2] & 63];
	}
	if (n - i == 1) {
		*out++ = tab[d[i] >> 2];
		*out++ = tab[(d[i] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		*out++ = tab[d[i] >> 2];
		*out++ = tab[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
		*out++ = tab[(d[i + 1] & 15) << 2];
		*out++ = '=';
	}
	*out = '\0';
}

static const struct sp_verdict *verdict_of(const struct sp_report *r, size_t i)
{
	return r->verdicts && r->policy ? &r->verdicts[i] : NULL;
}

static void head(struct page *pg, enum sp_action overall)
{
	const struct sp_report *r = pg->r;
	unsigned char d[SP_SHA256_LEN];
	char hash[48];

	sp_sha256(css, sizeof(css) - 1, d);
	base64(d, sizeof(d), hash);
	markup(pg,
	       "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	       "style-src 'sha256-%s'; img-src 'none'; script-src 'none'; base-uri 'none'; "
	       "form-action 'none'\">\n"
	       "<meta name=\"referrer\" content=\"no-referrer\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	       "<meta name=\"generator\" content=\"safepip %s\">\n",
	       hash, SP_VERSION);
	if (r->verdicts && r->policy)
		markup(pg, "<title>safepip report: %s, %zu package%s</title>\n",
		       sp_action_name(overall), r->nartifacts, r->nartifacts == 1 ? "" : "s");
	else
		markup(pg, "<title>safepip report: %zu package%s</title>\n", r->nartifacts,
		       r->nartifacts == 1 ? "" : "s");
	markup(pg, "<style>%s</style>\n</head>\n<body>\n", css);
}

/* The package's display name: name and version from metadata, else the target. */
static void package_name(struct page *pg, const struct sp_artifact *a)
{
	if (!a->name) {
		text(pg, a->target);
		return;
	}
	text(pg, a->name);
	if (a->version) {
		markup(pg, " ");
		text(pg, a->version);
	}
}

static void verdict_badge(struct page *pg, const struct sp_verdict *v)
{
	if (v)
		markup(pg, "<span class=\"badge %s\">%s</span>", verdict_class[v->action],
		       sp_action_name(v->action));
	else
		markup(pg, "<span class=\"badge v-none\">not judged</span>");
}

static void summary(struct page *pg, enum sp_action overall)
{
	const struct sp_report *r = pg->r;
	size_t counts[5], nv[4] = {0}, total = 0, i;
	int k;

	sp_report_counts(r, counts);
	for (k = 0; k < 5; k++)
		total += counts[k];
	/* The filter's checkboxes precede header and main, whose parts they toggle. */
	for (k = 4; k >= 0; k--)
		markup(pg, "<input class=\"flt\" type=\"checkbox\" id=\"f%d\"%s>\n", k,
		       k >= (int)r->min_severity ? " checked" : "");
	markup(pg, "<header>\n<h1>safepip report</h1>\n<div class=\"verdict\">");
	if (r->verdicts && r->policy) {
		for (i = 0; i < r->nartifacts; i++)
			nv[r->verdicts[i].action]++;
		markup(pg,
		       "Verdict <span class=\"badge %s\" id=\"overall\">%s</span> "
		       "<span>%zu package%s: %zu blocked, %zu warned, %zu allowed</span>",
		       verdict_class[overall], sp_action_name(overall), r->nartifacts,
		       r->nartifacts == 1 ? "" : "s", nv[SP_ACTION_BLOCK], nv[SP_ACTION_WARN],
		       nv[SP_ACTION_ALLOW] + nv[SP_ACTION_UNSET]);
	} else {
		markup(pg,
		       "Result <span class=\"badge %s\" id=\"overall\">%s</span> "
		       "<span>%zu package%s</span>",
		       sp_report_failed(r) ? "v-block" : "v-allow",
		       sp_report_failed(r) ? "failed" : "passed", r->nartifacts,
		       r->nartifacts == 1 ? "" : "s");
	}
	markup(pg, "</div>\n<div class=\"filters\"><span>%zu finding%s; show:</span>", total,
	       total == 1 ? "" : "s");
	for (k = 4; k >= 0; k--)
		markup(pg, "<label for=\"f%d\"><span class=\"badge s%d\">%s</span> %zu</label>", k,
		       k, sp_severity_name((enum sp_severity)k), counts[k]);
	markup(pg, "</div>\n");
	if (!r->nartifacts) {
		markup(pg, "<p class=\"none\">Nothing was scanned.</p>\n</header>\n");
		return;
	}
	markup(pg, "<table>\n<thead><tr><th>package</th><th class=\"opt\">file</th>"
		   "<th>verdict</th><th>findings</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < r->nartifacts; i++) {
		const struct sp_artifact *a = r->artifacts[i];
		int max = sp_artifact_max_severity(a);

		markup(pg, "<tr><td><a href=\"#p%zu\">", i + 1);
		package_name(pg, a);
		markup(pg, "</a></td><td class=\"opt\"><code>");
		text(pg, a->target);
		markup(pg, "</code></td><td>");
		verdict_badge(pg, verdict_of(r, i));
		markup(pg, "</td><td>");
		if (a->error)
			markup(pg, "<span class=\"err\">unreadable</span>");
		else if (max < 0)
			markup(pg, "none");
		else
			markup(pg, "%zu, up to <span class=\"badge s%d\">%s</span>", a->nfindings,
			       max, sp_severity_name((enum sp_severity)max));
		markup(pg, "</td></tr>\n");
	}
	markup(pg, "</tbody>\n</table>\n</header>\n");
}

static void reasons(struct page *pg, const struct sp_verdict *v)
{
	const struct sp_policy *p = pg->r->policy;
	size_t i;

	if (!v->nreasons)
		return;
	markup(pg, "<ul class=\"reasons\">\n");
	for (i = 0; i < v->nreasons; i++) {
		const struct sp_reason *x = &v->reasons[i];

		markup(pg, "<li><span class=\"badge %s\">%s</span> <code>",
		       verdict_class[x->action],
		       x->action == SP_ACTION_ALLOW ? "waived" : sp_action_name(x->action));
		text(pg, x->id);
		markup(pg, "</code> ");
		text(pg, x->message);
		if (x->layer >= 0 && (size_t)x->layer < p->nlayers) {
			const struct sp_policy_layer *l = &p->layers[x->layer];

			markup(pg, " <span class=\"src\">[%s", sp_layer_kind_name(l->kind));
			if (l->kind != SP_LAYER_BUILTIN) {
				markup(pg, " ");
				text(pg, l->file);
			}
			markup(pg, "%s]</span>", x->enforced ? ", enforced" : "");
		}
		markup(pg, "</li>\n");
	}
	markup(pg, "</ul>\n");
}

static void finding(struct page *pg, const struct sp_finding *f, const struct sp_verdict *v,
		    size_t j)
{
	const struct sp_rule *rule = f->rule;

	markup(pg,
	       "<li class=\"finding f%d\">\n<div class=\"head\"><span class=\"badge s%d\">%s"
	       "</span> <code>",
	       (int)f->severity, (int)f->severity, sp_severity_name(f->severity));
	text(pg, rule->id);
	markup(pg, "</code> <span class=\"title\">");
	text(pg, rule->title);
	markup(pg, "</span> <span class=\"src\">confidence %s", sp_confidence_name(f->confidence));
	if (f->context != SP_CTX_NONE)
		markup(pg, ", context %s", sp_context_name(f->context));
	if (f->context == SP_CTX_INSTALL || f->context == SP_CTX_IMPORT)
		markup(pg, " (runs at %s)", f->context == SP_CTX_INSTALL ? "install" : "import");
	markup(pg, "</span>");
	if (v && j < v->nfindings)
		markup(pg, " <span class=\"badge %s\">policy: %s</span>",
		       verdict_class[v->finding_actions[j]], sp_action_name(v->finding_actions[j]));
	markup(pg, "</div>\n<div class=\"where\"><code>");
	text(pg, f->path ? f->path : "(the artifact itself)");
	if (f->line)
		markup(pg, ":%u", f->line);
	if (f->line && f->col)
		markup(pg, ":%u", f->col);
	markup(pg, "</code></div>\n");
	if (f->detail) {
		markup(pg, "<div>");
		text(pg, f->detail);
		markup(pg, "</div>\n");
	}
	if (f->snippet) {
		markup(pg, "<pre class=\"snippet\"><code>");
		if (f->line)
			markup(pg, "<span class=\"ln\">%u | </span>", f->line);
		text(pg, f->snippet);
		markup(pg, "</code></pre>\n");
	}
	markup(pg, "<div class=\"why\">");
	if (rule->rationale) {
		markup(pg, "<p><b>Why it matters.</b> ");
		text(pg, rule->rationale);
		markup(pg, "</p>");
	}
	if (rule->remediation) {
		markup(pg, "<p><b>What to do.</b> ");
		text(pg, rule->remediation);
		markup(pg, "</p>");
	}
	if (rule->cwe > 0)
		markup(pg,
		       "<p><a href=\"https://cwe.mitre.org/data/definitions/%d.html\" "
		       "rel=\"noreferrer\">CWE-%d</a></p>",
		       rule->cwe, rule->cwe);
	markup(pg, "</div>\n</li>\n");
}

/* Findings strictest first, in the scanner's order (path, line) within a severity. */
static size_t *severity_order(const struct sp_artifact *a)
{
	size_t *order = xcalloc(a->nfindings + 1, sizeof(*order)), n = 0, j;
	int s;

	for (s = SP_SEV_CRITICAL; s >= SP_SEV_INFO; s--)
		for (j = 0; j < a->nfindings; j++)
			if ((int)a->findings[j].severity == s)
				order[n++] = j;
	return order;
}

/*
 * What the package can do, at a glance: each capability with what was
 * seen (calls, modules, names) and, for the network, the hosts its code
 * names. All of it comes from the package, so all of it is escaped.
 */
static void capabilities(struct page *pg, const struct sp_artifact *a)
{
	struct sp_capsum cs;
	size_t k, j;

	sp_capsum_build(&cs, a);
	if (!sp_capsum_any(&cs))
		goto out;
	markup(pg, "<dt>can</dt><dd><ul class=\"caps\">");
	for (k = 0; k < SP_CAP_COUNT; k++) {
		if (!cs.caps[k].findings)
			continue;
		markup(pg, "<li><b>%s</b>", sp_capability_name((enum sp_capability)k));
		for (j = 0; j < cs.caps[k].nitems; j++) {
			markup(pg, "%s<code>", j ? ", " : ": ");
			text(pg, cs.caps[k].items[j]);
			markup(pg, "</code>");
		}
		if (k == SP_CAP_NETWORK && cs.nhosts) {
			markup(pg, "; hosts: ");
			for (j = 0; j < cs.nhosts; j++) {
				markup(pg, "%s<code>", j ? ", " : "");
				text(pg, cs.hosts[j]);
				markup(pg, "</code>");
			}
		}
		markup(pg, "</li>");
	}
	markup(pg, "</ul></dd>");
out:
	sp_capsum_release(&cs);
}

static void package(struct page *pg, size_t i)
{
	const struct sp_artifact *a = pg->r->artifacts[i];
	const struct sp_verdict *v = verdict_of(pg->r, i);
	char hex[SP_SHA256_HEX];
	size_t *order, j;

	markup(pg, "<section class=\"pkg\" id=\"p%zu\">\n<header><h2>", i + 1);
	package_name(pg, a);
	markup(pg, "</h2> ");
	verdict_badge(pg, v);
	markup(pg, "</header>\n<dl class=\"meta\"><dt>file</dt><dd><code>");
	text(pg, a->target);
	markup(pg, "</code></dd><dt>kind</dt><dd>%s</dd>", sp_report_kind_name(a->kind));
	if (a->has_sha256) {
		sp_hex(a->sha256, SP_SHA256_LEN, hex);
		markup(pg, "<dt>sha256</dt><dd><code>%s</code></dd>", hex);
	}
	markup(pg, "<dt>contents</dt><dd>%zu files, %zu Python sources</dd>", a->files,
	       a->sources);
	capabilities(pg, a);
	markup(pg, "</dl>\n");
	if (v)
		reasons(pg, v);
	if (a->error) {
		markup(pg, "<p class=\"err\">cannot scan: ");
		text(pg, a->error_msg);
		markup(pg, "</p>\n");
	}
	if (!a->nfindings) {
		if (!a->error)
			markup(pg, "<p class=\"none\">No findings.</p>\n");
		markup(pg, "</section>\n");
		return;
	}
	order = severity_order(a);
	markup(pg, "<ol class=\"findings\">\n");
	for (j = 0; j < a->nfindings; j++)
		finding(pg, &a->findings[order[j]], v, order[j]);
	markup(pg, "</ol>\n</section>\n");
	free(order);
}

static void footer(struct page *pg)
{
	const struct sp_report *r = pg->r;
	size_t i;

	markup(pg, "<footer>\n<p>Generated by safepip %s; rule catalog <code>%.16s</code>.",
	       SP_VERSION, r->catalog ? r->catalog->hash : "");
	if (r->policy && r->verdicts) {
		markup(pg, " Policy layers, weakest first:");
		for (i = 0; i < r->policy->nlayers; i++) {
			const struct sp_policy_layer *l = &r->policy->layers[i];

			markup(pg, "%s %s <code>", i ? ";" : "", sp_layer_kind_name(l->kind));
			text(pg, l->file);
			markup(pg, "</code>%s", l->enforced ? " (enforced)" : "");
		}
		markup(pg, ".");
	}
	if (r->min_severity > SP_SEV_INFO)
		markup(pg, " Findings below %s are hidden at first; the filter above shows them.",
		       sp_severity_name(r->min_severity));
	markup(pg, " Nothing in this page runs or loads anything.</p>\n</footer>\n");
}

int sp_report_html(FILE *out, const struct sp_report *r)
{
	struct page pg = {out, r};
	enum sp_action overall = sp_report_verdict(r);
	size_t i;

	head(&pg, overall);
	summary(&pg, overall);
	markup(&pg, "<main>\n");
	for (i = 0; i < r->nartifacts; i++)
		package(&pg, i);
	markup(&pg, "</main>\n");
	footer(&pg);
	markup(&pg, "</body>\n</html>\n");
	return ferror(out) ? SP_EIO : 0;
}
