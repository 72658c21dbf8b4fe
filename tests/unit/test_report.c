/*
 * The report writers, fed hand-made artifacts, verdicts and a hand-made
 * catalog: the HTML escape function case by case, the HTML page's
 * structure with hostile package text (only the page's own tags, a CSP
 * whose hash matches the stylesheet), the severity filter's defaults, and
 * the SARIF log's internal references (rule and artifact indexes, parent
 * artifacts, taxonomy), levels, URIs, columns and fingerprints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "core/digest.h"
#include "core/xalloc.h"
#include "report/report.h"

#define PAYLOAD "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'"

static struct sp_rule rules[] = {
	{.id = "exec-decoded",
	 .title = "Decoded payload executed",
	 .category = "malicious",
	 .severity = SP_SEV_CRITICAL,
	 .confidence = SP_CONF_HIGH,
	 .cwe = 506,
	 .rationale = "Hides code.",
	 .remediation = "Do not install it.",
	 .bandit = "B102"},
	{.id = "os-system",
	 .title = "Shell command",
	 .category = "code-execution",
	 .severity = SP_SEV_MEDIUM,
	 .confidence = SP_CONF_HIGH,
	 .cwe = 78,
	 .rationale = "Runs /bin/sh.",
	 .remediation = "Use a list of arguments."},
	{.id = "net-destination",
	 .title = "Talks to a host",
	 .category = "capability",
	 .severity = SP_SEV_INFO,
	 .confidence = SP_CONF_MEDIUM,
	 .cwe = 0,
	 .rationale = "What the package reaches.",
	 .remediation = "Check the host."},
	{.id = "weak-hash",
	 .title = "Weak hash",
	 .category = "crypto",
	 .severity = SP_SEV_LOW,
	 .confidence = SP_CONF_LOW,
	 .cwe = 78,
	 .rationale = "r",
	 .remediation = "m"},
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

static struct sp_catalog cat;
static struct sp_policy_layer layers[] = {
	{SP_LAYER_BUILTIN, "builtin:default", false},
	{SP_LAYER_PROJECT, "/home/me/" PAYLOAD "/.safepip.json", true},
};
static struct sp_policy policy;

static int setup(void **state)
{
	(void)state;
	memset(&cat, 0, sizeof(cat));
	cat.rules = rules;
	cat.nrules = NRULES;
	memset(cat.hash, 'a', SP_SHA256_HEX - 1);
	memset(&policy, 0, sizeof(policy));
	policy.layers = layers;
	policy.nlayers = 2;
	return 0;
}

/* --- helpers --- */

struct mem {
	char *data;
	size_t len;
	FILE *f;
};

static void mem_open(struct mem *m)
{
	m->data = NULL;
	m->len = 0;
	m->f = open_memstream(&m->data, &m->len);
	assert_non_null(m->f);
}

static void mem_close(struct mem *m)
{
	assert_int_equal(fclose(m->f), 0);
}

/* A report of one hostile wheel (findings at several severities) and one clean file. */
struct fixture {
	struct sp_artifact *arts[3];
	struct sp_verdict verdicts[3];
	struct sp_reason reasons[3];
	enum sp_action actions[8];
	struct sp_report rep;
};

static void fixture_init(struct fixture *x, bool with_policy)
{
	struct sp_artifact *a;

	memset(x, 0, sizeof(*x));
	a = sp_artifact_new("dist/" PAYLOAD ".whl");
	a->kind = SP_SOURCE_WHEEL;
	a->name = xstrdup("evil" PAYLOAD);
	a->version = xstrdup("1.0" PAYLOAD);
	a->has_sha256 = true;
	memset(a->sha256, 0xab, sizeof(a->sha256));
	sp_artifact_add(a, &rules[0], SP_CTX_INSTALL, "pkg/" PAYLOAD ".py", 3, 5,
			"x = 1; exec(b64(" PAYLOAD "))", strlen("x = 1; exec(b64(" PAYLOAD "))"),
			"calls exec " PAYLOAD);
	sp_artifact_add(a, &rules[1], SP_CTX_FUNCTION, "pkg/a.py", 7, 9,
			"\xc3\xa9t\xc3\xa9 = os.system(c)",
			strlen("\xc3\xa9t\xc3\xa9 = os.system(c)"), NULL);
	/* The same line text twice in one file: fingerprints must still differ. */
	sp_artifact_add(a, &rules[1], SP_CTX_FUNCTION, "pkg/a.py", 20, 5, "    os.system(c)",
			strlen("    os.system(c)"), NULL);
	sp_artifact_add(a, &rules[1], SP_CTX_FUNCTION, "pkg/a.py", 30, 5, "os.system(c)   ",
			strlen("os.system(c)   "), NULL);
	sp_artifact_add(a, &rules[2], SP_CTX_MODULE, "pkg/net.py", 1, 1, "urlopen(u)", 10,
			"reaches " PAYLOAD);
	sp_artifact_add(a, &rules[3], SP_CTX_NONE, NULL, 0, 0, NULL, 0, NULL);
	sp_artifact_sort(a);
	x->arts[0] = a;

	a = sp_artifact_new("/abs/dir with space/clean:1.py");
	a->kind = SP_SOURCE_FILE;
	x->arts[1] = a;

	a = sp_artifact_new("broken.tar.gz");
	a->kind = SP_SOURCE_SDIST;
	a->error = SP_EFORMAT;
	a->error_msg = xstrdup("truncated " PAYLOAD);
	x->arts[2] = a;

	x->rep.artifacts = x->arts;
	x->rep.nartifacts = 3;
	x->rep.catalog = &cat;
	x->rep.min_severity = SP_SEV_LOW;
	x->rep.fail_on = SP_SEV_HIGH;
	x->rep.fail_on_verdict = SP_ACTION_UNSET;
	if (!with_policy)
		return;
	x->reasons[0] = (struct sp_reason){SP_ACTION_BLOCK,
					   "exec-decoded",
					   "1 finding in " PAYLOAD,
					   1,
					   "pkg/x.py",
					   3,
					   "$.findings.categories.malicious",
					   1,
					   true};
	x->reasons[1] = (struct sp_reason){SP_ACTION_WARN,
					   SP_CHECK_TYPOSQUAT,
					   "looks like " PAYLOAD,
					   0,
					   NULL,
					   0,
					   "$.typosquatting.action",
					   0,
					   false};
	x->reasons[2] = (struct sp_reason){
		SP_ACTION_BLOCK, SP_CHECK_SCAN_ERROR, "cannot read", 0, NULL, 0, NULL, -1, false};
	for (size_t i = 0; i < x->arts[0]->nfindings; i++)
		x->actions[i] = x->arts[0]->findings[i].severity >= SP_SEV_MEDIUM ? SP_ACTION_BLOCK
										  : SP_ACTION_ALLOW;
	x->verdicts[0] = (struct sp_verdict){SP_ACTION_BLOCK, x->reasons, 2, x->actions,
					     x->arts[0]->nfindings};
	x->verdicts[1] = (struct sp_verdict){SP_ACTION_ALLOW, NULL, 0, NULL, 0};
	x->verdicts[2] = (struct sp_verdict){SP_ACTION_BLOCK, &x->reasons[2], 1, NULL, 0};
	x->rep.policy = &policy;
	x->rep.verdicts = x->verdicts;
}

static void fixture_release(struct fixture *x)
{
	for (size_t i = 0; i < 3; i++)
		sp_artifact_free(x->arts[i]);
}

/* --- the escape function --- */

static const struct {
	const char *in;
	size_t len;
	const char *want;
} escapes[] = {
	{"", 0, ""},
	{"plain text 123", 14, "plain text 123"},
	{"&", 1, "&amp;"},
	{"<", 1, "&lt;"},
	{">", 1, "&gt;"},
	{"\"", 1, "&quot;"},
	{"'", 1, "&#39;"},
	{"&amp;", 5, "&amp;amp;"}, /* already-escaped text is escaped again */
	{"<script>alert(1)</script>", 25, "&lt;script&gt;alert(1)&lt;/script&gt;"},
	{"\"><img src=x onerror='a()'>", 27, "&quot;&gt;&lt;img src=x onerror=&#39;a()&#39;&gt;"},
	{"a\tb\nc", 5, "a\tb\nc"},	    /* tab and newline stay */
	{"a\rb", 3, "a\\x0db"},		    /* a CR would vanish into a newline */
	{"\x1b[31mred", 8, "\\x1b[31mred"}, /* terminal escapes */
	{"\x01\x1f\x7f", 3, "\\x01\\x1f\\x7f"},
	{"a\0b", 3, "a\\x00b"}, /* NUL inside the given length */
	{"\0", 1, "\\x00"},
	{"x\0", 2, "x\\x00"},
	{"\xff", 1, "\xef\xbf\xbd"},				     /* invalid byte -> U+FFFD */
	{"a\xc3", 2, "a\xef\xbf\xbd"},				     /* truncated sequence */
	{"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"},		     /* overlong '/' */
	{"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
	{"\xff<", 2, "\xef\xbf\xbd&lt;"},
	{"caf\xc3\xa9 \xf0\x9f\x90\x8d", 10, "caf\xc3\xa9 \xf0\x9f\x90\x8d"}, /* valid UTF-8 kept */
	{"\xe2\x80\xae"
	 "cod",
	 6, "\\u202ecod"},				     /* RIGHT-TO-LEFT OVERRIDE */
	{"\xe2\x81\xa6x\xe2\x81\xa9", 7, "\\u2066x\\u2069"}, /* isolates */
	{"\xe2\x80\x8f", 3, "\\u200f"},
	{"\xd8\x9c", 2, "\\u061c"},
	{"\xc2\x85", 2, "\\u0085"},	     /* C1 control (NEL) */
	{"\xe2\x80\x94", 3, "\xe2\x80\x94"}, /* an em dash is not a control */
	{"\xe2\x80\xaf", 3, "\xe2\x80\xaf"}, /* nor U+202F */
};

static void test_escape_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		char *got = sp_report_html_escape(escapes[i].in, escapes[i].len);

		if (strcmp(got, escapes[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, got, escapes[i].want);
		free(got);
	}
}

/* Every byte value, alone and after a lead byte: never a raw special or control. */
static void test_escape_all_bytes(void **state)
{
	unsigned char in[2];

	(void)state;
	for (int lead = 0; lead < 256; lead += 17) {
		for (int b = 0; b < 256; b++) {
			char *got;

			in[0] = (unsigned char)lead;
			in[1] = (unsigned char)b;
			got = sp_report_html_escape((const char *)in, 2);
			for (const unsigned char *p = (unsigned char *)got; *p; p++) {
				assert_true(*p != '<' && *p != '>' && *p != '"' && *p != '\'');
				assert_true(*p >= 0x20 || *p == '\t' || *p == '\n');
				assert_true(*p != 0x7f);
				if (*p == '&')
					assert_true(!strncmp((char *)p, "&amp;", 5) ||
						    !strncmp((char *)p, "&lt;", 4) ||
						    !strncmp((char *)p, "&gt;", 4) ||
						    !strncmp((char *)p, "&quot;", 6) ||
						    !strncmp((char *)p, "&#39;", 5));
			}
			free(got);
		}
	}
}

/* --- the HTML page --- */

static const char *const allowed_tags[] = {
	"!DOCTYPE", "html", "head", "meta", "title", "style",	"body",	  "input", "header",
	"h1",	    "h2",   "div",  "span", "label", "table",	"thead",  "tbody", "tr",
	"th",	    "td",   "a",    "code", "main",  "section", "dl",	  "dt",	   "dd",
	"ul",	    "li",   "ol",   "pre",  "p",     "b",	"footer",
};

static bool tag_allowed(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(allowed_tags) / sizeof(allowed_tags[0]); i++)
		if (strlen(allowed_tags[i]) == n && !strncmp(allowed_tags[i], name, n))
			return true;
	return false;
}

/* Every tag in the page is one the writer emits; no attribute is an event handler. */
static void check_tags(const char *html)
{
	const char *p = html;

	while ((p = strchr(p, '<'))) {
		const char *name = p + 1 + (p[1] == '/'), *e = name;

		while (*e && *e != ' ' && *e != '>')
			e++;
		if (!tag_allowed(name, (size_t)(e - name)))
			fail_msg("unexpected tag '%.*s'", (int)(e - name), name);
		e = strchr(p, '>');
		assert_non_null(e);
		for (const char *q = p; q < e; q++) {
			if (!strncmp(q, " on", 3) && q[3] != ' ')
				fail_msg("event attribute in '%.*s'", (int)(e - p + 1), p);
			if (!strncmp(q, " src=", 5) || !strncmp(q, " style=", 7))
				fail_msg("src or style attribute in '%.*s'", (int)(e - p + 1), p);
			if (!strncmp(q, " href=\"", 7) && q[7] != '#' &&
			    strncmp(q + 7, "https://cwe.mitre.org/", 22))
				fail_msg("link elsewhere in '%.*s'", (int)(e - p + 1), p);
		}
		p = e;
	}
}

static void test_html_hostile(void **state)
{
	struct fixture x;
	struct mem m;
	const char *csp, *style, *end;
	unsigned char d[SP_SHA256_LEN];
	char want[64], hex[SP_SHA256_HEX];

	(void)state;
	fixture_init(&x, true);
	mem_open(&m);
	assert_int_equal(sp_report_html(m.f, &x.rep), 0);
	mem_close(&m);

	check_tags(m.data);
	assert_null(strstr(m.data, "<script"));
	assert_null(strstr(m.data, "<img"));
	assert_non_null(strstr(m.data, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img"));
	assert_non_null(strstr(m.data, "evil&lt;script&gt;"));
	assert_non_null(strstr(m.data, "1.0&lt;script&gt;"));
	assert_non_null(strstr(m.data, "truncated &lt;script&gt;"));
	assert_non_null(strstr(m.data, "looks like &lt;script&gt;"));
	assert_non_null(strstr(m.data, "/home/me/&lt;script&gt;"));
	/* The verdict, the packages, the findings and their explanations. */
	assert_non_null(strstr(m.data, "<title>safepip report: block, 3 packages</title>"));
	assert_non_null(strstr(m.data, "id=\"overall\">block</span>"));
	assert_non_null(strstr(m.data, "3 packages: 2 blocked, 0 warned, 1 allowed"));
	assert_non_null(strstr(m.data, "Hides code."));
	assert_non_null(strstr(m.data, "Do not install it."));
	assert_non_null(strstr(m.data, "CWE-506"));
	assert_non_null(strstr(m.data, "(runs at install)"));
	assert_non_null(strstr(m.data, "net-destination")); /* a category it never heard of */
	assert_non_null(strstr(m.data, "(the artifact itself)"));
	sp_hex(x.arts[0]->sha256, SP_SHA256_LEN, hex);
	assert_non_null(strstr(m.data, hex));
	/* Strictest first: the critical finding comes before the medium ones. */
	assert_true(strstr(m.data, "exec-decoded</code> <span") <
		    strstr(m.data, "os-system</code> <span"));

	/* The CSP allows the page's own stylesheet by hash, and nothing else. */
	csp = strstr(m.data, "http-equiv=\"Content-Security-Policy\"");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_non_null(strstr(csp, "script-src 'none'"));
	style = strstr(m.data, "<style>");
	assert_non_null(style);
	style += strlen("<style>");
	end = strstr(style, "</style>");
	assert_non_null(end);
	sp_sha256(style, (size_t)(end - style), d);
	{
		static const char b64[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		char *w = want + snprintf(want, sizeof(want), "'sha256-");
		unsigned v;
		size_t i;

		/* 32 bytes: ten groups of three, then two bytes and one '='. */
		for (i = 0; i + 3 <= 30; i += 3) {
			v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
			for (int k = 18; k >= 0; k -= 6)
				*w++ = b64[(v >> k) & 63];
		}
		v = (unsigned)d[30] << 16 | (unsigned)d[31] << 8;
		*w++ = b64[(v >> 18) & 63];
		*w++ = b64[(v >> 12) & 63];
		*w++ = b64[(v >> 6) & 63];
		memcpy(w, "='", 3);
	}
	assert_non_null(strstr(csp, want));
	/* No external asset of any kind (check_tags saw no src attribute). */
	assert_null(strstr(m.data, "<link"));
	assert_null(strstr(m.data, "@import"));
	assert_null(strstr(m.data, "url("));
	free(m.data);
	fixture_release(&x);
}

static void test_html_filter_defaults(void **state)
{
	struct fixture x;
	struct mem m;

	(void)state;
	fixture_init(&x, false);
	x.rep.min_severity = SP_SEV_MEDIUM;
	mem_open(&m);
	assert_int_equal(sp_report_html(m.f, &x.rep), 0);
	mem_close(&m);
	assert_non_null(strstr(m.data, "id=\"f4\" checked>"));
	assert_non_null(strstr(m.data, "id=\"f2\" checked>"));
	assert_non_null(strstr(m.data, "id=\"f1\">"));
	assert_non_null(strstr(m.data, "id=\"f0\">"));
	/* Without a policy: the result by --fail-on, no verdict badge. */
	assert_non_null(strstr(m.data, "id=\"overall\">failed</span>"));
	assert_non_null(strstr(m.data, "not judged"));
	assert_non_null(strstr(m.data, "class=\"finding f0\""));
	check_tags(m.data);
	free(m.data);
	fixture_release(&x);
}

static void test_html_empty(void **state)
{
	struct sp_report rep = {0};
	struct mem m;

	(void)state;
	rep.catalog = &cat;
	rep.fail_on = -1;
	mem_open(&m);
	assert_int_equal(sp_report_html(m.f, &rep), 0);
	mem_close(&m);
	assert_non_null(strstr(m.data, "Nothing was scanned."));
	assert_non_null(strstr(m.data, "</html>\n"));
	check_tags(m.data);
	free(m.data);
}

/* --- SARIF --- */

static cJSON *sarif_of(struct fixture *x)
{
	struct mem m;
	cJSON *root;

	mem_open(&m);
	assert_int_equal(sp_report_sarif(m.f, &x->rep), 0);
	mem_close(&m);
	root = cJSON_Parse(m.data);
	free(m.data);
	assert_non_null(root);
	return root;
}

static cJSON *at(cJSON *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (key[0] >= '0' && key[0] <= '9')
			o = cJSON_GetArrayItem(o, (int)strtol(key, NULL, 10));
		else
			o = cJSON_GetObjectItem(o, key);
		path += n + (path[n] == '.');
	}
	return o;
}

static const char *str_at(cJSON *o, const char *path)
{
	const char *s = cJSON_GetStringValue(at(o, path));

	if (!s)
		fail_msg("no string at %s", path);
	return s;
}

static const char *uri_of_index(cJSON *run, int k)
{
	return cJSON_GetStringValue(
		at(cJSON_GetArrayItem(at(run, "artifacts"), k), "location.uri"));
}

/* The result for rule id whose region starts at line (0: none), or NULL. */
static cJSON *result_at(cJSON *run, const char *id, int line)
{
	cJSON *r;

	cJSON_ArrayForEach(r, at(run, "results"))
	{
		cJSON *l = at(r, "locations.0.physicalLocation.region.startLine");

		if (!strcmp(str_at(r, "ruleId"), id) && (l ? (int)l->valuedouble : 0) == line)
			return r;
	}
	return NULL;
}

static void test_sarif_references(void **state)
{
	struct fixture x;
	cJSON *root, *run, *rulesj, *r, *arts;
	int n = 0;

	(void)state;
	fixture_init(&x, true);
	root = sarif_of(&x);
	assert_string_equal(str_at(root, "version"), "2.1.0");
	assert_int_equal(cJSON_GetArraySize(at(root, "runs")), 1);
	run = at(root, "runs.0");
	assert_string_equal(str_at(run, "tool.driver.name"), "safepip");
	assert_string_equal(str_at(run, "tool.driver.version"), SP_VERSION);
	assert_non_null(at(run, "tool.driver.informationUri"));

	/* Rules: each that fired once, sorted, plus the deciding policy checks. */
	rulesj = at(run, "tool.driver.rules");
	{
		static const char *const want[] = {"exec-decoded",     "net-destination",
						   "os-system",	       "policy-scan-error",
						   "policy-typosquat", "weak-hash"};

		assert_int_equal(cJSON_GetArraySize(rulesj), 6);
		for (int i = 0; i < 6; i++)
			assert_string_equal(str_at(cJSON_GetArrayItem(rulesj, i), "id"), want[i]);
	}
	r = cJSON_GetArrayItem(rulesj, 0);
	assert_string_equal(str_at(r, "name"), "ExecDecoded");
	assert_string_equal(str_at(r, "shortDescription.text"), "Decoded payload executed");
	assert_string_equal(str_at(r, "fullDescription.text"), "Hides code.");
	assert_string_equal(str_at(r, "help.text"), "Do not install it.");
	assert_string_equal(str_at(r, "properties.category"), "malicious");
	assert_string_equal(str_at(r, "properties.severity"), "critical");
	assert_string_equal(str_at(r, "properties.peers.bandit"), "B102");
	assert_string_equal(str_at(r, "defaultConfiguration.level"), "error");
	assert_string_equal(str_at(r, "properties.tags.2"), "external/cwe/cwe-506");
	/* CWE references point into the taxonomy; 78 appears once for two rules. */
	assert_int_equal(cJSON_GetArraySize(at(run, "taxonomies.0.taxa")), 2);
	cJSON_ArrayForEach(r, rulesj)
	{
		cJSON *t = at(r, "relationships.0.target");

		if (!t)
			continue;
		assert_string_equal(str_at(t, "toolComponent.name"), "CWE");
		assert_string_equal(str_at(cJSON_GetArrayItem(at(run, "taxonomies.0.taxa"),
							      (int)at(t, "index")->valuedouble),
					   "id"),
				    str_at(t, "id"));
		n++;
	}
	assert_int_equal(n, 3);

	/* Artifacts: the three targets first, then files with findings. */
	arts = at(run, "artifacts");
	assert_string_equal(uri_of_index(run, 0),
			    "dist/%3Cscript%3Ealert(1)%3C/script%3E%22%3E%3Cimg%20src=x%20"
			    "onerror=alert(2)%3E'.whl");
	assert_string_equal(str_at(cJSON_GetArrayItem(arts, 0), "hashes.sha-256"),
			    "abababababababababababababababababababababababababababababababab");
	assert_string_equal(uri_of_index(run, 1), "file:///abs/dir%20with%20space/clean%3A1.py");
	assert_string_equal(str_at(cJSON_GetArrayItem(arts, 0), "properties.verdict"), "block");
	assert_string_equal(str_at(cJSON_GetArrayItem(arts, 1), "properties.verdict"), "allow");
	assert_int_equal(cJSON_GetArraySize(arts), 3 + 3); /* pkg/<payload>.py, a.py, net.py */
	for (int k = 3; k < 6; k++)
		assert_int_equal(at(cJSON_GetArrayItem(arts, k), "parentIndex")->valueint, 0);

	/* Every result's ruleIndex and artifact index agree with what they name. */
	n = 0;
	cJSON_ArrayForEach(r, at(run, "results"))
	{
		cJSON *loc = at(r, "locations.0.physicalLocation.artifactLocation");
		int ri = at(r, "ruleIndex")->valueint, ai = at(loc, "index")->valueint;

		assert_string_equal(str_at(cJSON_GetArrayItem(rulesj, ri), "id"),
				    str_at(r, "ruleId"));
		assert_string_equal(uri_of_index(run, ai), str_at(loc, "uri"));
		assert_non_null(at(r, "message.text"));
		n++;
	}
	assert_int_equal(n, 6 + 2); /* findings, typosquat warn, scan-error block */

	/* Levels follow severity; a check's level follows its action. */
	assert_string_equal(str_at(result_at(run, "exec-decoded", 3), "level"), "error");
	assert_string_equal(str_at(result_at(run, "os-system", 7), "level"), "warning");
	assert_string_equal(str_at(result_at(run, "weak-hash", 0), "level"), "note");
	assert_string_equal(str_at(result_at(run, "net-destination", 1), "level"), "note");
	assert_string_equal(str_at(result_at(run, "policy-typosquat", 0), "level"), "warning");
	assert_string_equal(str_at(result_at(run, "policy-scan-error", 0), "level"), "error");
	assert_string_equal(str_at(result_at(run, "policy-typosquat", 0), "properties.setting"),
			    "$.typosquatting.action");

	/* Result properties: context, the finding's policy, the artifact's verdict. */
	r = result_at(run, "exec-decoded", 3);
	assert_string_equal(str_at(r, "properties.context"), "install");
	assert_string_equal(str_at(r, "properties.policy"), "block");
	assert_string_equal(str_at(r, "properties.verdict"), "block");
	assert_string_equal(str_at(r, "properties.path"), "pkg/" PAYLOAD ".py");
	assert_string_equal(str_at(r, "locations.0.physicalLocation.region.snippet.text"),
			    "x = 1; exec(b64(" PAYLOAD "))");
	assert_string_equal(str_at(result_at(run, "weak-hash", 0), "properties.policy"), "allow");
	/* Findings about the artifact itself point at it, without a region. */
	assert_int_equal(at(result_at(run, "weak-hash", 0),
			    "locations.0.physicalLocation.artifactLocation.index")
				 ->valueint,
			 0);
	/* The run: overall verdict, policy layers, the unreadable artifact. */
	assert_string_equal(str_at(run, "properties.verdict"), "block");
	assert_string_equal(str_at(run, "properties.policyLayers.1.layer"), "project");
	assert_false(cJSON_IsTrue(at(run, "invocations.0.executionSuccessful")));
	assert_non_null(
		strstr(str_at(run, "invocations.0.toolExecutionNotifications.0.message.text"),
		       "truncated"));
	cJSON_Delete(root);
	fixture_release(&x);
}

/* Columns count characters: "été = " is 6 characters and 8 bytes. */
static void test_sarif_columns(void **state)
{
	struct fixture x;
	cJSON *root, *run;

	(void)state;
	fixture_init(&x, false);
	root = sarif_of(&x);
	run = at(root, "runs.0");
	assert_string_equal(str_at(run, "columnKind"), "unicodeCodePoints");
	assert_int_equal(at(result_at(run, "os-system", 7),
			    "locations.0.physicalLocation.region.startColumn")
				 ->valueint,
			 7);
	assert_int_equal(at(result_at(run, "exec-decoded", 3),
			    "locations.0.physicalLocation.region.startColumn")
				 ->valueint,
			 5);
	/* No verdicts: no policy properties, and the run says so by omission. */
	assert_null(at(result_at(run, "os-system", 7), "properties.policy"));
	assert_null(at(run, "properties.verdict"));
	assert_string_equal(str_at(run, "properties.failOn"), "high");
	cJSON_Delete(root);
	fixture_release(&x);
}

static const char *fp_of(cJSON *run, const char *id, int line)
{
	return str_at(result_at(run, id, line), "partialFingerprints.safepipFinding/v1");
}

static void test_sarif_fingerprints(void **state)
{
	struct fixture x, y;
	cJSON *a, *b, *ra, *rb;

	(void)state;
	fixture_init(&x, true);
	fixture_init(&y, true);
	/* y: the same findings, lines moved; one snippet changed. */
	for (size_t i = 0; i < y.arts[0]->nfindings; i++)
		if (y.arts[0]->findings[i].line)
			y.arts[0]->findings[i].line += 100;
	a = sarif_of(&x);
	b = sarif_of(&y);
	ra = at(a, "runs.0");
	rb = at(b, "runs.0");
	assert_string_equal(fp_of(ra, "exec-decoded", 3), fp_of(rb, "exec-decoded", 103));
	assert_string_equal(fp_of(ra, "os-system", 7), fp_of(rb, "os-system", 107));
	/* Same text (blanks aside) twice in one file: distinct, and stable. */
	assert_string_not_equal(fp_of(ra, "os-system", 20), fp_of(ra, "os-system", 30));
	assert_string_equal(fp_of(ra, "os-system", 30), fp_of(rb, "os-system", 130));
	assert_string_not_equal(fp_of(ra, "os-system", 7), fp_of(ra, "os-system", 20));
	assert_int_equal(strlen(fp_of(ra, "exec-decoded", 3)), 64);
	cJSON_Delete(b);
	fixture_release(&y);

	/* Another artifact (its sha256 differs): another fingerprint. */
	fixture_init(&y, true);
	y.arts[0]->sha256[0] ^= 1;
	b = sarif_of(&y);
	assert_string_not_equal(fp_of(ra, "exec-decoded", 3),
				fp_of(at(b, "runs.0"), "exec-decoded", 3));
	cJSON_Delete(b);
	fixture_release(&y);
	cJSON_Delete(a);
	fixture_release(&x);
}

static void test_sarif_empty(void **state)
{
	struct sp_report rep = {0};
	struct fixture x;
	cJSON *root;

	(void)state;
	rep.catalog = &cat;
	rep.fail_on = -1;
	memset(&x, 0, sizeof(x));
	x.rep = rep;
	root = sarif_of(&x);
	assert_int_equal(cJSON_GetArraySize(at(root, "runs.0.results")), 0);
	assert_int_equal(cJSON_GetArraySize(at(root, "runs.0.tool.driver.rules")), 0);
	assert_null(at(root, "runs.0.taxonomies"));
	assert_true(cJSON_IsTrue(at(root, "runs.0.invocations.0.executionSuccessful")));
	cJSON_Delete(root);
}

/* --- formats and write errors --- */

static void test_formats(void **state)
{
	static const struct {
		const char *path;
		enum sp_report_format want;
	} paths[] = {
		{"r.sarif", SP_REPORT_SARIF},	   {"out/R.SARIF", SP_REPORT_SARIF},
		{"r.sarif.json", SP_REPORT_SARIF}, {"r.html", SP_REPORT_HTML},
		{"r.HTM", SP_REPORT_HTML},	   {"r.json", SP_REPORT_JSON},
		{"report", SP_REPORT_JSON},	   {"html", SP_REPORT_JSON},
		{".sarif.txt", SP_REPORT_JSON},	   {"", SP_REPORT_JSON},
	};
	static const char *const names[] = {"text", "json", "sarif", "html"};
	enum sp_report_format f;

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (sp_report_format_for_path(paths[i].path) != paths[i].want)
			fail_msg("'%s': got %d", paths[i].path,
				 sp_report_format_for_path(paths[i].path));
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(sp_report_format_parse(names[i], &f), 0);
		assert_int_equal(f, (enum sp_report_format)i);
	}
	assert_int_equal(sp_report_format_parse("HTML", &f), SP_EINVAL);
	assert_int_equal(sp_report_format_parse("yaml", &f), SP_EINVAL);
	assert_int_equal(sp_report_format_parse("", &f), SP_EINVAL);
}

static void test_write_error(void **state)
{
	struct fixture x;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	fixture_init(&x, true);
	for (int fmt = SP_REPORT_TEXT; fmt <= SP_REPORT_HTML; fmt++) {
		clearerr(f);
		assert_int_equal(sp_report_write(f, (enum sp_report_format)fmt, &x.rep), SP_EIO);
	}
	fclose(f);
	fixture_release(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),  cmocka_unit_test(test_escape_all_bytes),
		cmocka_unit_test(test_html_hostile),  cmocka_unit_test(test_html_filter_defaults),
		cmocka_unit_test(test_html_empty),    cmocka_unit_test(test_sarif_references),
		cmocka_unit_test(test_sarif_columns), cmocka_unit_test(test_sarif_fingerprints),
		cmocka_unit_test(test_sarif_empty),   cmocka_unit_test(test_formats),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
