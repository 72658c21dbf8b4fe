/*
 * Policies: every key read and shown with its layer, malformed files with
 * their line and JSON path, layer precedence over every combination of
 * layers, enforced layers against each way of loosening them, exceptions
 * before and after expiry (a fixed "now"), each check of the evaluator,
 * the shipped policies, and finding the files on disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/xalloc.h"
#include "policy/policy.h"
#include "policy/typosquat.h"

/* 2025-06-15 12:00:00 UTC */
#define NOW 1749988800LL
#define DAY 86400LL

/* --- helpers --- */

static int load1(struct sp_policy *p, enum sp_layer_kind kind, const char *text, struct sp_diag *d)
{
	return sp_policy_add_layer(p, kind, "test.json", text, strlen(text), d);
}

/* The value of path in `policy show` terms, or NULL; *layer gets its kind. */
static const char *setting(const struct sp_policy *p, const char *path, int *kind)
{
	static char value[1024];
	struct sp_policy_setting *s;
	size_t n = sp_policy_settings(p, &s), i;
	const char *r = NULL;

	for (i = 0; i < n; i++) {
		if (strcmp(s[i].path, path) == 0) {
			snprintf(value, sizeof(value), "%s", s[i].value);
			if (kind)
				*kind = s[i].layer >= 0 ? (int)p->layers[s[i].layer].kind : -1;
			r = value;
		}
	}
	sp_policy_settings_free(s, n);
	return r;
}

/*
 * A test matcher for "==X", "!=X", ">=X", "<=X", ">X", "<X" joined by
 * commas, on dotted integers; enough for the policy's own logic.
 */
static int vcmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if (!*a && !*b)
			break;
	}
	return 0;
}

static bool matcher(const char *spec, const char *version, void *ctx)
{
	char *copy = xstrdup(spec), *save = NULL, *part;
	bool ok = true;

	(*(int *)ctx)++;
	for (part = strtok_r(copy, ",", &save); part && ok; part = strtok_r(NULL, ",", &save)) {
		int c;

		while (*part == ' ')
			part++;
		if (!strncmp(part, "==", 2))
			c = vcmp(version, part + 2), ok = c == 0;
		else if (!strncmp(part, "!=", 2))
			c = vcmp(version, part + 2), ok = c != 0;
		else if (!strncmp(part, ">=", 2))
			c = vcmp(version, part + 2), ok = c >= 0;
		else if (!strncmp(part, "<=", 2))
			c = vcmp(version, part + 2), ok = c <= 0;
		else if (*part == '>')
			c = vcmp(version, part + 1), ok = c > 0;
		else if (*part == '<')
			c = vcmp(version, part + 1), ok = c < 0;
		else
			fail_msg("test matcher: unknown specifier '%s'", part);
	}
	free(copy);
	return ok;
}

static int matcher_calls;
static struct sp_typosquat *popular;

static struct sp_policy_ctx ctx_for(const struct sp_policy *p)
{
	struct sp_policy_ctx c = {.policy = p,
				  .now = NOW,
				  .version_matches = matcher,
				  .matcher_ctx = &matcher_calls,
				  .popular = popular};

	return c;
}

static struct sp_policy_facts facts_for(const char *name, const char *version)
{
	struct sp_policy_facts f = {.name = name,
				    .version = version,
				    .kind = SP_DIST_WHEEL,
				    .yanked = -1,
				    .hash_pinned = -1,
				    .size = -1};

	return f;
}

/* The reason with this id, or NULL. */
static const struct sp_reason *reason(const struct sp_verdict *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (strcmp(v->reasons[i].id, id) == 0)
			return &v->reasons[i];
	return NULL;
}

static struct sp_rule rules[] = {
	{.id = "reverse-shell",
	 .category = "malicious",
	 .severity = SP_SEV_CRITICAL,
	 .confidence = SP_CONF_MEDIUM},
	{.id = "env-exfil",
	 .category = "malicious",
	 .severity = SP_SEV_HIGH,
	 .confidence = SP_CONF_HIGH},
	{.id = "dev-credential-access",
	 .category = "malicious",
	 .severity = SP_SEV_LOW,
	 .confidence = SP_CONF_MEDIUM},
	{.id = "os-system",
	 .category = "code-execution",
	 .severity = SP_SEV_MEDIUM,
	 .confidence = SP_CONF_HIGH},
	{.id = "hardcoded-password",
	 .category = "crypto",
	 .severity = SP_SEV_LOW,
	 .confidence = SP_CONF_LOW},
	{.id = "network-call",
	 .category = "network",
	 .severity = SP_SEV_INFO,
	 .confidence = SP_CONF_HIGH},
	{.id = "yaml-unsafe-load",
	 .category = "deserialization",
	 .severity = SP_SEV_MEDIUM,
	 .confidence = SP_CONF_HIGH},
};

static const struct sp_rule *rule(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(rules[i].id, id))
			return &rules[i];
	fail_msg("no test rule '%s'", id);
	return NULL;
}

/* An artifact with one finding per rule id in the NULL-terminated list. */
static struct sp_artifact *artifact(const char *first, ...)
{
	struct sp_artifact *a = sp_artifact_new("pkg-1.0-py3-none-any.whl");
	const char *id;
	uint32_t line = 1;
	va_list ap;

	va_start(ap, first);
	for (id = first; id; id = va_arg(ap, const char *))
		sp_artifact_add(a, rule(id), SP_CTX_MODULE, "pkg/x.py", line++, 1, NULL, 0, NULL);
	va_end(ap);
	return a;
}

/* The verdict of name/version with findings a under the layers given as kind, text pairs. */
static enum sp_action verdict_of(const char *const *layers, size_t n,
				 const struct sp_policy_facts *f, struct sp_artifact *a,
				 struct sp_verdict *out)
{
	struct sp_policy p;
	struct sp_policy_ctx c;
	struct sp_diag d;
	size_t i;

	sp_policy_init(&p);
	for (i = 0; i < n; i++) {
		sp_diag_clear(&d);
		if (load1(&p,
			  (enum sp_layer_kind)(i == 0 ? SP_LAYER_BUILTIN : SP_LAYER_SYSTEM + i - 1),
			  layers[i], &d))
			fail_msg("layer %zu rejected: %s", i, d.msg);
	}
	c = ctx_for(&p);
	sp_policy_eval_artifact(&c, f, a, out);
	/* reasons own their text: the policy may go */
	sp_policy_release(&p);
	return out->action;
}

/* --- every key --- */

struct key_case {
	const char *json;
	const char *path;
	const char *value; /* as `policy show` prints it */
};

static const struct key_case key_cases[] = {
	{"{\"findings\": {\"default\": \"warn\"}}", "$.findings.default", "\"warn\""},
	{"{\"findings\": {\"severity\": {\"critical\": \"block\"}}}",
	 "$.findings.severity.critical", "\"block\""},
	{"{\"findings\": {\"severity\": {\"high\": {\"action\": \"block\", \"min_confidence\": "
	 "\"high\"}}}}",
	 "$.findings.severity.high", "{\"action\": \"block\", \"min_confidence\": \"high\"}"},
	{"{\"findings\": {\"severity\": {\"medium\": \"warn\", \"low\": \"ignore\", \"info\": "
	 "\"ignore\"}}}",
	 "$.findings.severity.low", "\"ignore\""},
	{"{\"findings\": {\"categories\": {\"malicious\": {\"action\": \"block\", "
	 "\"min_severity\": \"high\", \"min_confidence\": \"medium\"}}}}",
	 "$.findings.categories.malicious",
	 "{\"action\": \"block\", \"min_severity\": \"high\", \"min_confidence\": \"medium\"}"},
	{"{\"findings\": {\"rules\": {\"subprocess-call\": \"ignore\"}}}",
	 "$.findings.rules.subprocess-call", "\"ignore\""},
	{"{\"packages\": {\"allow\": [\"Requests>=2\"]}}", "$.packages.allow", "\"requests>=2\""},
	{"{\"packages\": {\"deny\": [\"evil_pkg\"]}}", "$.packages.deny", "\"evil-pkg\""},
	{"{\"exceptions\": [{\"package\": \"PyYAML\", \"versions\": \">=6\", \"rules\": "
	 "[\"yaml-unsafe-load\"], \"reason\": \"reviewed\", \"owner\": \"sec@example.com\", "
	 "\"expires\": \"2030-01-31\"}]}",
	 "$.exceptions",
	 "{\"package\": \"pyyaml\", \"versions\": \">=6\", \"rules\": [\"yaml-unsafe-load\"], "
	 "\"reason\": \"reviewed\", \"owner\": \"sec@example.com\", \"expires\": \"2030-01-31\"}"},
	{"{\"sdists\": {\"action\": \"block\"}}", "$.sdists.action", "\"block\""},
	{"{\"sdists\": {\"packages\": {\"PyCrypto\": \"allow\"}}}", "$.sdists.packages.pycrypto",
	 "\"allow\""},
	{"{\"typosquatting\": {\"action\": \"block\"}}", "$.typosquatting.action", "\"block\""},
	{"{\"typosquatting\": {\"top\": 1000}}", "$.typosquatting.top", "1000"},
	{"{\"typosquatting\": {\"allow\": [\"reqeusts\"]}}", "$.typosquatting.allow",
	 "\"reqeusts\""},
	{"{\"release_age\": {\"minimum\": \"7 days\"}}", "$.release_age.minimum", "\"1 week\""},
	{"{\"release_age\": {\"minimum\": \"12h\"}}", "$.release_age.minimum", "\"12 hours\""},
	{"{\"release_age\": {\"action\": \"warn\"}}", "$.release_age.action", "\"warn\""},
	{"{\"release_age\": {\"exempt\": [\"my_pkg\"]}}", "$.release_age.exempt", "\"my-pkg\""},
	{"{\"yanked\": \"block\"}", "$.yanked", "\"block\""},
	{"{\"require_hashes\": true}", "$.require_hashes", "true"},
	{"{\"indexes\": {\"allowed\": [\"https://pypi.org/simple/\"]}}", "$.indexes.allowed",
	 "\"https://pypi.org/simple\""},
	{"{\"indexes\": {\"dependency_confusion\": \"block\"}}", "$.indexes.dependency_confusion",
	 "\"block\""},
	{"{\"transport\": {\"allow_http\": true}}", "$.transport.allow_http", "true"},
	{"{\"transport\": {\"allow_trusted_host\": true}}", "$.transport.allow_trusted_host",
	 "true"},
	{"{\"licenses\": {\"allow\": [\"MIT\"]}}", "$.licenses.allow", "\"MIT\""},
	{"{\"licenses\": {\"action\": \"warn\"}}", "$.licenses.action", "\"warn\""},
	{"{\"licenses\": {\"unknown\": \"block\"}}", "$.licenses.unknown", "\"block\""},
	{"{\"maintenance\": {\"max_inactive\": \"2 years\"}}", "$.maintenance.max_inactive",
	 "\"2 years\""},
	{"{\"maintenance\": {\"action\": \"block\"}}", "$.maintenance.action", "\"block\""},
	{"{\"install\": {\"venv_only\": false}}", "$.install.venv_only", "false"},
	{"{\"install\": {\"allow_root\": true}}", "$.install.allow_root", "true"},
	{"{\"limits\": {\"max_artifact_bytes\": 1048576}}", "$.limits.max_artifact_bytes",
	 "1048576"},
	{"{\"limits\": {\"max_artifact_bytes\": \"100 MiB\"}}", "$.limits.max_artifact_bytes",
	 "104857600"},
	{"{\"$schema\": \"x\", \"description\": \"d\", \"version\": 1, \"yanked\": \"allow\"}",
	 "$.yanked", "\"allow\""},
	{"{\"advisories\": {\"malicious\": \"warn\"}}", "$.advisories.malicious", "\"warn\""},
	{"{\"advisories\": {\"severity\": {\"critical\": \"block\"}}}",
	 "$.advisories.severity.critical", "\"block\""},
	{"{\"advisories\": {\"severity\": {\"high\": \"block\", \"medium\": \"warn\"}}}",
	 "$.advisories.severity.medium", "\"warn\""},
	{"{\"advisories\": {\"severity\": {\"low\": \"warn\"}}}", "$.advisories.severity.low",
	 "\"warn\""},
	{"{\"advisories\": {\"severity\": {\"unknown\": \"allow\"}}}",
	 "$.advisories.severity.unknown", "\"allow\""},
	{"{\"advisories\": {\"max_age\": \"2 days\"}}", "$.advisories.max_age", "\"2 days\""},
	{"{\"advisories\": {\"stale\": \"block\"}}", "$.advisories.stale", "\"block\""},
	{"{\"advisories\": {\"missing\": \"allow\"}}", "$.advisories.missing", "\"allow\""},
	{"{\"exceptions\": [{\"package\": \"requests\", \"rules\": [\"GHSA-j8r2-6x86-q33q\", "
	 "\"CVE-2023-32681\"], \"reason\": \"r\", \"owner\": \"o\", \"expires\": \"2030-01-01\"}]}",
	 "$.exceptions",
	 "{\"package\": \"requests\", \"rules\": [\"GHSA-j8r2-6x86-q33q\", \"CVE-2023-32681\"], "
	 "\"reason\": \"r\", \"owner\": \"o\", \"expires\": \"2030-01-01\"}"},
};

static void test_every_key(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key_cases) / sizeof(key_cases[0]); i++) {
		struct sp_policy p;
		struct sp_diag d;
		const char *v;
		int kind = -1;

		sp_policy_init(&p);
		sp_diag_clear(&d);
		if (load1(&p, SP_LAYER_USER, key_cases[i].json, &d))
			fail_msg("case %zu rejected: %s", i, d.msg);
		v = setting(&p, key_cases[i].path, &kind);
		if (!v || strcmp(v, key_cases[i].value))
			fail_msg("case %zu: %s is %s, want %s", i, key_cases[i].path,
				 v ? v : "unset", key_cases[i].value);
		assert_int_equal(kind, SP_LAYER_USER);
		assert_int_equal(p.nwarnings, 0);
		sp_policy_release(&p);
	}
}

/* --- malformed files --- */

struct bad_case {
	const char *json;
	int err;
	unsigned line;
	const char *where; /* JSON path, or NULL for syntax errors */
};

static const struct bad_case bad_cases[] = {
	{"", SP_EPARSE, 1, NULL},
	{"[]", SP_EFORMAT, 1, "$"},
	{"{\n\"a\": 1\n", SP_EPARSE, 0, NULL},
	{"{} {}", SP_EPARSE, 1, NULL},
	{"{\n /* never closed\n", SP_EPARSE, 2, NULL},
	{"{\"x\": 1}", SP_EFORMAT, 1, "$.x"},
	{"{\n\n  \"findings\": {\n    \"severty\": {}\n  }\n}", SP_EFORMAT, 4,
	 "$.findings.severty"},
	{"{\"findings\": {\"severity\": {\"huge\": \"block\"}}}", SP_EFORMAT, 1,
	 "$.findings.severity.huge"},
	{"{\"findings\": {\"severity\": {\"high\": \"blok\"}}}", SP_EFORMAT, 1,
	 "$.findings.severity.high"},
	{"{\"findings\": {\"severity\": {\"high\": \"allow\"}}}", SP_EFORMAT, 1,
	 "$.findings.severity.high"},
	{"{\"findings\": {\"severity\": {\"high\": {\"action\": \"block\", \"min_severity\": "
	 "\"low\"}}}}",
	 SP_EFORMAT, 1, "$.findings.severity.high.min_severity"},
	{"{\"findings\": {\"categories\": {\"malicious\": {\"min_severity\": \"high\"}}}}",
	 SP_EFORMAT, 1, "$.findings.categories.malicious"},
	{"{\"findings\": {\"categories\": {\"malicious\": {\"action\": \"block\", "
	 "\"min_severity\": \"severe\"}}}}",
	 SP_EFORMAT, 1, "$.findings.categories.malicious.min_severity"},
	{"{\"findings\": {\"rules\": {\"Bad Id\": \"block\"}}}", SP_EFORMAT, 1,
	 "$.findings.rules[\"Bad Id\"]"},
	{"{\"findings\": {\"rules\": {\"a\": \"block\", \"a\": \"warn\"}}}", SP_EFORMAT, 1,
	 "$.findings.rules.a"},
	{"{\"yanked\": \"warn\",\n \"yanked\": \"block\"}", SP_EFORMAT, 2, "$.yanked"},
	{"{\"yanked\": true}", SP_EFORMAT, 1, "$.yanked"},
	{"{\"yanked\": \"ignore\"}", SP_EFORMAT, 1, "$.yanked"},
	{"{\"require_hashes\": \"yes\"}", SP_EFORMAT, 1, "$.require_hashes"},
	{"{\"version\": 2}", SP_EFORMAT, 1, "$.version"},
	{"{\"enforced\": 1}", SP_EFORMAT, 1, "$.enforced"},
	{"{\"packages\": {\"deny\": \"evil\"}}", SP_EFORMAT, 1, "$.packages.deny"},
	{"{\"packages\": {\"deny\": [\"ok\", \"bad name\"]}}", SP_EFORMAT, 1, "$.packages.deny[1]"},
	{"{\"packages\": {\"deny\": [\"pkg[extra]\"]}}", SP_EFORMAT, 1, "$.packages.deny[0]"},
	{"{\"packages\": {\"deny\": [\"\"]}}", SP_EFORMAT, 1, "$.packages.deny[0]"},
	{"{\"packages\": {\"deny\": [\"a;rm\"]}}", SP_EFORMAT, 1, "$.packages.deny[0]"},
	{"{\"exceptions\": [{\"package\": \"x\", \"rules\": [\"a\"], \"reason\": \"r\", "
	 "\"owner\": \"o\"}]}",
	 SP_EFORMAT, 1, "$.exceptions[0]"},
	{"{\"exceptions\": [{\"package\": \"x\", \"rules\": [], \"reason\": \"r\", \"owner\": "
	 "\"o\", \"expires\": \"2030-01-01\"}]}",
	 SP_EFORMAT, 1, "$.exceptions[0].rules"},
	{"{\"exceptions\": [\n{\"package\": \"x\", \"rules\": [\"a\"], \"reason\": \"r\",\n "
	 "\"owner\": \"o\",\n \"expires\": \"2030-02-30\"}]}",
	 SP_EFORMAT, 4, "$.exceptions[0].expires"},
	{"{\"exceptions\": [{\"package\": \"x\", \"rules\": [\"a\"], \"reason\": \"r\", "
	 "\"owner\": \"o\", \"expires\": \"30-01-2030\"}]}",
	 SP_EFORMAT, 1, "$.exceptions[0].expires"},
	{"{\"exceptions\": [{\"package\": \"x\", \"rules\": [\"a\"], \"reason\": \"\", "
	 "\"owner\": \"o\", \"expires\": \"2030-01-01\"}]}",
	 SP_EFORMAT, 1, "$.exceptions[0].reason"},
	{"{\"exceptions\": [{\"package\": \"x\", \"versions\": \"1.0\", \"rules\": [\"a\"], "
	 "\"reason\": \"r\", \"owner\": \"o\", \"expires\": \"2030-01-01\"}]}",
	 SP_EFORMAT, 1, "$.exceptions[0].versions"},
	{"{\"exceptions\": [{\"package\": \"x\", \"rules\": [\"a\"], \"reason\": \"r\", "
	 "\"owner\": \"o\", \"expires\": \"2030-01-01\", \"ticket\": 1}]}",
	 SP_EFORMAT, 1, "$.exceptions[0].ticket"},
	{"{\"release_age\": {\"minimum\": \"7 parsecs\"}}", SP_EFORMAT, 1, "$.release_age.minimum"},
	{"{\"release_age\": {\"minimum\": 7}}", SP_EFORMAT, 1, "$.release_age.minimum"},
	{"{\"release_age\": {\"minimum\": \"-1 days\"}}", SP_EFORMAT, 1, "$.release_age.minimum"},
	{"{\"release_age\": {\"minimum\": \"99999 years\"}}", SP_EFORMAT, 1,
	 "$.release_age.minimum"},
	{"{\"maintenance\": {\"max_inactive\": \"0 days\"}}", SP_EFORMAT, 1,
	 "$.maintenance.max_inactive"},
	{"{\"typosquatting\": {\"top\": 0}}", SP_EFORMAT, 1, "$.typosquatting.top"},
	{"{\"typosquatting\": {\"top\": 1.5}}", SP_EFORMAT, 1, "$.typosquatting.top"},
	{"{\"limits\": {\"max_artifact_bytes\": \"100 TiB\"}}", SP_EFORMAT, 1,
	 "$.limits.max_artifact_bytes"},
	{"{\"limits\": {\"max_artifact_bytes\": 1e15}}", SP_EFORMAT, 1,
	 "$.limits.max_artifact_bytes"},
	{"{\"indexes\": {\"allowed\": [\"ftp://x\"]}}", SP_EFORMAT, 1, "$.indexes.allowed[0]"},
	{"{\"licenses\": {\"allow\": [\"MIT OR GPL\"]}}", SP_EFORMAT, 1, "$.licenses.allow[0]"},
	{"{\"transport\": {\"allow_http\": \"true\"}}", SP_EFORMAT, 1, "$.transport.allow_http"},
	{"{\"install\": {\"sudo\": true}}", SP_EFORMAT, 1, "$.install.sudo"},
	{"{\"description\": \"a\\u0001b\"}", SP_EFORMAT, 1, "$.description"},
	{"{\"description\": \"\xff\xfe\"}", SP_EFORMAT, 1, "$.description"},
	{"{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}", SP_ELIMIT, 1, NULL},
	{"// a comment\n{\n  \"sdists\": {\"action\": \"warn\", /* ok */ \"extra\": 1}\n}",
	 SP_EFORMAT, 3, "$.sdists.extra"},
	{"{\"advisories\": {\"severity\": {\"severe\": \"block\"}}}", SP_EFORMAT, 1,
	 "$.advisories.severity.severe"},
	{"{\"advisories\": {\"severity\": \"block\"}}", SP_EFORMAT, 1, "$.advisories.severity"},
	{"{\"advisories\": {\"malicious\": \"ignore\"}}", SP_EFORMAT, 1, "$.advisories.malicious"},
	{"{\"advisories\": {\"max_age\": \"0 days\"}}", SP_EFORMAT, 1, "$.advisories.max_age"},
	{"{\"advisories\": {\"critical\": \"block\"}}", SP_EFORMAT, 1, "$.advisories.critical"},
	{"{\"exceptions\": [{\"package\": \"x\", \"rules\": [\"GHSA x\"], \"reason\": \"r\", "
	 "\"owner\": \"o\", \"expires\": \"2030-01-01\"}]}",
	 SP_EFORMAT, 1, "$.exceptions[0].rules[0]"},
	{"{\"exceptions\": [{\"package\": \"x\", \"rules\": [\"CVE-\"], \"reason\": \"r\", "
	 "\"owner\": \"o\", \"expires\": \"2030-01-01\"}]}",
	 SP_EFORMAT, 1, "$.exceptions[0].rules[0]"},
};

static void test_malformed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct sp_policy p;
		struct sp_diag d;
		int err;

		sp_policy_init(&p);
		sp_diag_clear(&d);
		err = load1(&p, SP_LAYER_PROJECT, b->json, &d);
		if (err != b->err)
			fail_msg("case %zu: error %d, want %d (%s)", i, err, b->err, d.msg);
		assert_string_equal(d.file, "test.json");
		if (b->line && d.line != b->line)
			fail_msg("case %zu: line %u, want %u (%s)", i, d.line, b->line, d.msg);
		if (b->where && strcmp(d.where, b->where))
			fail_msg("case %zu: path %s, want %s (%s)", i, d.where, b->where, d.msg);
		assert_non_null(strstr(d.msg, "test.json"));
		/* a rejected layer leaves the policy as it was */
		assert_int_equal(p.nlayers, 0);
		assert_null(setting(&p, "$.yanked", NULL));
		sp_policy_release(&p);
	}
}

/* Comments are blanked outside strings only, and lines stay right after them. */
static void test_comments(void **state)
{
	static const char text[] =
		"// leading comment with \"quotes\" and { braces\n"
		"{\n"
		"  /* a block\n"
		"     over lines */ \"packages\": {\"deny\": [\"a\"]},\n"
		"  \"description\": \"not // a comment, nor /* this */\",\n"
		"  \"exceptions\": [{\"package\": \"x\", \"rules\": [\"a\"], \"reason\": "
		"\"r\\\"q\",\n"
		"    \"owner\": \"o\", \"expires\": \"2030-01-01\"}], // trailing\n"
		"  \"yanked\": \"nope\"\n"
		"}\n";
	struct sp_policy p;
	struct sp_diag d;

	(void)state;
	sp_policy_init(&p);
	sp_diag_clear(&d);
	assert_int_equal(load1(&p, SP_LAYER_USER, text, &d), SP_EFORMAT);
	assert_int_equal(d.line, 8);
	assert_string_equal(d.where, "$.yanked");
	sp_policy_release(&p);
}

/* --- layers --- */

static const enum sp_action yank_values[] = {SP_ACTION_ALLOW, SP_ACTION_WARN, SP_ACTION_BLOCK,
					     SP_ACTION_WARN, SP_ACTION_ALLOW};

/*
 * Over every non-empty combination of the five layers, each setting
 * "yanked" to its own value: the last layer present wins and is named.
 */
static void test_layer_precedence(void **state)
{
	static const char *const words[] = {"", "allow", "warn", "block"};
	unsigned mask;

	(void)state;
	for (mask = 1; mask < 32; mask++) {
		struct sp_policy p;
		int k, last = -1, kind = -1;
		const char *v;
		char json[64], want[16];

		sp_policy_init(&p);
		for (k = 0; k < 5; k++) {
			if (!(mask & (1u << k)))
				continue;
			snprintf(json, sizeof(json), "{\"yanked\": \"%s\"}", words[yank_values[k]]);
			assert_int_equal(load1(&p, (enum sp_layer_kind)k, json, NULL), 0);
			last = k;
		}
		v = setting(&p, "$.yanked", &kind);
		snprintf(want, sizeof(want), "\"%s\"", words[yank_values[last]]);
		assert_non_null(v);
		assert_string_equal(v, want);
		assert_int_equal(kind, last);
		assert_int_equal(p.eff.v[SP_PK_YANKED].v, yank_values[last]);
		sp_policy_release(&p);
	}
}

static void test_layer_order_enforced(void **state)
{
	struct sp_policy p;
	struct sp_diag d;

	(void)state;
	sp_policy_init(&p);
	assert_int_equal(load1(&p, SP_LAYER_PROJECT, "{}", NULL), 0);
	sp_diag_clear(&d);
	assert_int_equal(load1(&p, SP_LAYER_USER, "{}", &d), SP_EINVAL);
	sp_policy_release(&p);
}

/* Maps merge key by key; lists add up. */
static void test_layer_merge(void **state)
{
	struct sp_policy p;

	(void)state;
	sp_policy_init(&p);
	assert_int_equal(load1(&p, SP_LAYER_BUILTIN,
			       "{\"findings\": {\"rules\": {\"a\": \"warn\", \"b\": \"warn\"}},"
			       " \"packages\": {\"deny\": [\"x\"]}}",
			       NULL),
			 0);
	assert_int_equal(load1(&p, SP_LAYER_PROJECT,
			       "{\"findings\": {\"rules\": {\"b\": \"block\", \"c\": \"ignore\"}},"
			       " \"packages\": {\"deny\": [\"y\"]}}",
			       NULL),
			 0);
	assert_int_equal(p.eff.nrules, 3);
	assert_string_equal(setting(&p, "$.findings.rules.a", NULL), "\"warn\"");
	assert_string_equal(setting(&p, "$.findings.rules.b", NULL), "\"block\"");
	assert_string_equal(setting(&p, "$.findings.rules.c", NULL), "\"ignore\"");
	assert_int_equal(p.eff.ndeny, 2);
	assert_false(p.has_floor);
	sp_policy_release(&p);
}

/* --- enforced layers --- */

struct loosen_case {
	const char *enforced;  /* system layer, "enforced": true added */
	const char *later;     /* user layer */
	const char *warn_path; /* JSON path the warning names; NULL: no warning (a tightening) */
	const char *path;      /* setting checked after the merge */
	const char *value;     /* its effective value */
};

static const struct loosen_case loosen_cases[] = {
	/* each kind of scalar, loosened */
	{"\"sdists\": {\"action\": \"block\"}", "{\"sdists\": {\"action\": \"allow\"}}",
	 "$.sdists.action", "$.sdists.action", "\"block\""},
	{"\"release_age\": {\"minimum\": \"7 days\"}",
	 "{\"release_age\": {\"minimum\": \"1 day\"}}", "$.release_age.minimum",
	 "$.release_age.minimum", "\"1 week\""},
	{"\"transport\": {\"allow_http\": false}", "{\"transport\": {\"allow_http\": true}}",
	 "$.transport.allow_http", "$.transport.allow_http", "false"},
	{"\"install\": {\"venv_only\": true}", "{\"install\": {\"venv_only\": false}}",
	 "$.install.venv_only", "$.install.venv_only", "true"},
	{"\"install\": {\"allow_root\": false}", "{\"install\": {\"allow_root\": true}}",
	 "$.install.allow_root", "$.install.allow_root", "false"},
	{"\"require_hashes\": true", "{\"require_hashes\": false}", "$.require_hashes",
	 "$.require_hashes", "true"},
	{"\"limits\": {\"max_artifact_bytes\": 1048576}",
	 "{\"limits\": {\"max_artifact_bytes\": 2097152}}", "$.limits.max_artifact_bytes",
	 "$.limits.max_artifact_bytes", "1048576"},
	{"\"typosquatting\": {\"top\": 5000}", "{\"typosquatting\": {\"top\": 100}}",
	 "$.typosquatting.top", "$.typosquatting.top", "5000"},
	{"\"maintenance\": {\"max_inactive\": \"1 year\"}",
	 "{\"maintenance\": {\"max_inactive\": \"5 years\"}}", "$.maintenance.max_inactive",
	 "$.maintenance.max_inactive", "\"1 year\""},
	{"\"findings\": {\"default\": \"warn\"}", "{\"findings\": {\"default\": \"ignore\"}}",
	 "$.findings.default", "$.findings.default", "\"warn\""},
	/* finding entries: a milder action, a higher minimum, a new minimum */
	{"\"findings\": {\"severity\": {\"high\": \"block\"}}",
	 "{\"findings\": {\"severity\": {\"high\": \"warn\"}}}", "$.findings.severity.high",
	 "$.findings.severity.high", "\"block\""},
	{"\"findings\": {\"severity\": {\"high\": \"block\"}}",
	 "{\"findings\": {\"severity\": {\"high\": {\"action\": \"block\", \"min_confidence\": "
	 "\"high\"}}}}",
	 "$.findings.severity.high", "$.findings.severity.high", "\"block\""},
	{"\"findings\": {\"categories\": {\"malicious\": {\"action\": \"block\", \"min_severity\": "
	 "\"medium\"}}}",
	 "{\"findings\": {\"categories\": {\"malicious\": {\"action\": \"block\", "
	 "\"min_severity\": \"high\"}}}}",
	 "$.findings.categories.malicious", "$.findings.categories.malicious",
	 "{\"action\": \"block\", \"min_severity\": \"medium\"}"},
	{"\"findings\": {\"rules\": {\"os-system\": \"warn\"}}",
	 "{\"findings\": {\"rules\": {\"os-system\": \"ignore\"}}}", "$.findings.rules.os-system",
	 "$.findings.rules.os-system", "\"warn\""},
	/* per-package and list exemptions */
	{"\"sdists\": {\"action\": \"block\"}",
	 "{\"sdists\": {\"packages\": {\"foo\": \"allow\"}}}", "$.sdists.packages.foo",
	 "$.sdists.packages.foo", NULL},
	{"\"sdists\": {\"packages\": {\"foo\": \"block\"}}",
	 "{\"sdists\": {\"packages\": {\"foo\": \"warn\"}}}", "$.sdists.packages.foo",
	 "$.sdists.packages.foo", "\"block\""},
	{"\"typosquatting\": {\"action\": \"block\"}",
	 "{\"typosquatting\": {\"allow\": [\"reqeusts\"]}}", "$.typosquatting.allow[0]",
	 "$.typosquatting.allow", NULL},
	{"\"release_age\": {\"minimum\": \"7 days\"}", "{\"release_age\": {\"exempt\": [\"foo\"]}}",
	 "$.release_age.exempt[0]", "$.release_age.exempt", NULL},
	{"\"licenses\": {\"allow\": [\"MIT\"]}",
	 "{\"licenses\": {\"allow\": [\"MIT\", \"GPL-3.0-only\"]}}", "$.licenses.allow[1]",
	 "$.licenses.allow", "\"MIT\""},
	{"\"indexes\": {\"allowed\": [\"https://a.example/simple\"]}",
	 "{\"indexes\": {\"allowed\": [\"https://b.example/simple\"]}}", "$.indexes.allowed[0]",
	 "$.indexes.allowed", "\"https://a.example/simple\""},
	{"\"packages\": {\"allow\": [\"requests\"]}", "{\"packages\": {\"allow\": [\"evil\"]}}",
	 "$.packages.allow[0]", "$.packages.allow", "\"requests\""},
	/* advisories: a milder action, a longer data age */
	{"\"advisories\": {\"malicious\": \"block\"}",
	 "{\"advisories\": {\"malicious\": \"warn\"}}", "$.advisories.malicious",
	 "$.advisories.malicious", "\"block\""},
	{"\"advisories\": {\"severity\": {\"high\": \"block\"}}",
	 "{\"advisories\": {\"severity\": {\"high\": \"allow\"}}}", "$.advisories.severity.high",
	 "$.advisories.severity.high", "\"block\""},
	{"\"advisories\": {\"max_age\": \"2 days\"}",
	 "{\"advisories\": {\"max_age\": \"30 days\"}}", "$.advisories.max_age",
	 "$.advisories.max_age", "\"2 days\""},
	{"\"advisories\": {\"missing\": \"block\"}", "{\"advisories\": {\"missing\": \"warn\"}}",
	 "$.advisories.missing", "$.advisories.missing", "\"block\""},
	{"\"advisories\": {\"max_age\": \"7 days\"}", "{\"advisories\": {\"max_age\": \"1 day\"}}",
	 NULL, "$.advisories.max_age", "\"1 day\""},
	/* tightening is accepted without a word */
	{"\"sdists\": {\"action\": \"warn\"}", "{\"sdists\": {\"action\": \"block\"}}", NULL,
	 "$.sdists.action", "\"block\""},
	{"\"release_age\": {\"minimum\": \"1 day\"}",
	 "{\"release_age\": {\"minimum\": \"7 days\"}}", NULL, "$.release_age.minimum",
	 "\"1 week\""},
	{"\"limits\": {\"max_artifact_bytes\": 2097152}",
	 "{\"limits\": {\"max_artifact_bytes\": 1048576}}", NULL, "$.limits.max_artifact_bytes",
	 "1048576"},
	{"\"findings\": {\"severity\": {\"high\": {\"action\": \"warn\", \"min_confidence\": "
	 "\"high\"}}}",
	 "{\"findings\": {\"severity\": {\"high\": \"block\"}}}", NULL, "$.findings.severity.high",
	 "\"block\""},
	/* deny lists add up (setting() shows the last entry) */
	{"\"packages\": {\"deny\": [\"a\"]}", "{\"packages\": {\"deny\": [\"b\"]}}", NULL,
	 "$.packages.deny", "\"b\""},
	{"\"sdists\": {\"action\": \"block\"}",
	 "{\"sdists\": {\"packages\": {\"foo\": \"block\"}}}", NULL, "$.sdists.packages.foo",
	 "\"block\""},
};

static void test_enforced_loosening(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(loosen_cases) / sizeof(loosen_cases[0]); i++) {
		const struct loosen_case *c = &loosen_cases[i];
		struct sp_policy p;
		struct sp_diag d;
		char sys[1024];
		const char *v;
		int kind = -1;

		sp_policy_init(&p);
		snprintf(sys, sizeof(sys), "{\"enforced\": true, %s}", c->enforced);
		sp_diag_clear(&d);
		if (load1(&p, SP_LAYER_SYSTEM, sys, &d))
			fail_msg("case %zu: system layer rejected: %s", i, d.msg);
		assert_true(p.has_floor);
		sp_diag_clear(&d);
		if (sp_policy_add_layer(&p, SP_LAYER_USER, "later.json", c->later, strlen(c->later),
					&d))
			fail_msg("case %zu: later layer rejected: %s", i, d.msg);
		if (c->warn_path) {
			if (p.nwarnings != 1)
				fail_msg("case %zu: %zu warnings, want 1", i, p.nwarnings);
			assert_string_equal(p.warnings[0].file, "later.json");
			assert_int_equal(p.warnings[0].line, 1);
			if (strcmp(p.warnings[0].where, c->warn_path))
				fail_msg("case %zu: warning at %s, want %s", i, p.warnings[0].where,
					 c->warn_path);
			assert_non_null(strstr(p.warnings[0].msg, "cannot loosen"));
			assert_non_null(strstr(p.warnings[0].msg, "system layer"));
		} else if (p.nwarnings) {
			fail_msg("case %zu: unexpected warning: %s", i, p.warnings[0].msg);
		}
		v = setting(&p, c->path, &kind);
		if (c->value && (!v || strcmp(v, c->value)))
			fail_msg("case %zu: %s is %s, want %s", i, c->path, v ? v : "unset",
				 c->value);
		if (!c->value && v)
			fail_msg("case %zu: %s is %s, want it kept out", i, c->path, v);
		for (k = 0; k < p.nwarnings; k++)
			assert_true(p.warnings[k].msg[0] != '\0');
		sp_policy_release(&p);
	}
}

/* Routes around the merge: evaluation with the floor alone catches them. */
static void test_enforced_cross_setting(void **state)
{
	static const char *const sys =
		"{\"enforced\": true, \"findings\": {\"categories\": {\"malicious\": "
		"{\"action\": \"block\", \"min_severity\": \"high\"}}},"
		" \"exceptions\": [{\"package\": \"trusted\", \"rules\": [\"env-exfil\"], "
		"\"reason\": \"audited\", \"owner\": \"sec\", \"expires\": \"2030-01-01\"}]}";
	const char *layers[3] = {"{}", sys, NULL};
	struct sp_policy_facts f = facts_for("pkg", "1.0");
	struct sp_artifact *a = artifact("env-exfil", NULL);
	const struct sp_reason *r;
	struct sp_verdict v;

	(void)state;
	/* a rule set to ignore under a blocked category */
	layers[2] = "{\"findings\": {\"rules\": {\"env-exfil\": \"ignore\"}}}";
	assert_int_equal(verdict_of(layers, 3, &f, a, &v), SP_ACTION_BLOCK);
	r = reason(&v, "env-exfil");
	assert_non_null(r);
	assert_true(r->enforced);
	assert_string_equal(r->setting, "$.findings.categories.malicious");
	assert_non_null(strstr(r->message, "enforced by the system layer"));
	sp_verdict_release(&v);

	/* an exception from a weaker layer */
	layers[2] = "{\"exceptions\": [{\"package\": \"pkg\", \"rules\": [\"*\"], \"reason\": "
		    "\"mine\", \"owner\": \"me\", \"expires\": \"2030-01-01\"}]}";
	assert_int_equal(verdict_of(layers, 3, &f, a, &v), SP_ACTION_BLOCK);
	r = reason(&v, "env-exfil");
	assert_true(r->enforced);
	assert_non_null(strstr(r->message, "cannot waive"));
	sp_verdict_release(&v);

	/* the same exception works on what is not enforced */
	sp_artifact_free(a);
	a = artifact("os-system", NULL);
	layers[2] = "{\"findings\": {\"rules\": {\"os-system\": \"block\"}}, \"exceptions\": "
		    "[{\"package\": \"pkg\", \"rules\": [\"*\"], \"reason\": \"mine\", \"owner\": "
		    "\"me\", \"expires\": \"2030-01-01\"}]}";
	assert_int_equal(verdict_of(layers, 3, &f, a, &v), SP_ACTION_ALLOW);
	r = reason(&v, "os-system");
	assert_non_null(r);
	assert_int_equal(r->action, SP_ACTION_ALLOW);
	assert_non_null(strstr(r->message, "waived"));
	sp_verdict_release(&v);

	/* an exception in the enforced layer itself waives */
	sp_artifact_free(a);
	a = artifact("env-exfil", NULL);
	f.name = "trusted";
	layers[2] = "{}";
	assert_int_equal(verdict_of(layers, 3, &f, a, &v), SP_ACTION_ALLOW);
	sp_verdict_release(&v);
	sp_artifact_free(a);
}

/* --- exceptions --- */

struct exc_case {
	const char *exception; /* an exceptions[] entry */
	const char *name, *version;
	int64_t now;
	enum sp_action want;
	const char *says; /* in the reason's message */
};

#define EXC(pkg, extra, rules, expires)                                                            \
	"{\"package\": \"" pkg "\", " extra "\"rules\": " rules ", \"reason\": \"reviewed\", "     \
	"\"owner\": \"sec@example.com\", \"expires\": \"" expires "\"}"

static const struct exc_case exc_cases[] = {
	/* valid through the whole day it expires, then no longer */
	{EXC("pyyaml", "", "[\"yaml-unsafe-load\"]", "2025-06-15"), "PyYAML", "6.0", NOW,
	 SP_ACTION_ALLOW, "waived"},
	{EXC("pyyaml", "", "[\"yaml-unsafe-load\"]", "2025-06-15"), "pyyaml", "6.0",
	 NOW + DAY / 2 - 1, SP_ACTION_ALLOW, "until 2025-06-15"},
	{EXC("pyyaml", "", "[\"yaml-unsafe-load\"]", "2025-06-15"), "pyyaml", "6.0", NOW + DAY / 2,
	 SP_ACTION_BLOCK, "expired on 2025-06-15"},
	{EXC("pyyaml", "", "[\"yaml-unsafe-load\"]", "2025-06-14"), "pyyaml", "6.0", NOW,
	 SP_ACTION_BLOCK, "no longer applies"},
	/* versions */
	{EXC("pyyaml", "\"versions\": \">=6,<7\", ", "[\"yaml-unsafe-load\"]", "2030-01-01"),
	 "pyyaml", "6.0.1", NOW, SP_ACTION_ALLOW, "waived"},
	{EXC("pyyaml", "\"versions\": \">=6,<7\", ", "[\"yaml-unsafe-load\"]", "2030-01-01"),
	 "pyyaml", "5.4", NOW, SP_ACTION_BLOCK, "says block"},
	{EXC("pyyaml", "\"versions\": \">=6\", ", "[\"yaml-unsafe-load\"]", "2030-01-01"), "pyyaml",
	 NULL, NOW, SP_ACTION_BLOCK, "says block"},
	/* rules */
	{EXC("pyyaml", "", "[\"*\"]", "2030-01-01"), "pyyaml", "6.0", NOW, SP_ACTION_ALLOW,
	 "waived"},
	{EXC("pyyaml", "", "[\"os-system\"]", "2030-01-01"), "pyyaml", "6.0", NOW, SP_ACTION_BLOCK,
	 "says block"},
	/* another package */
	{EXC("ruamel-yaml", "", "[\"*\"]", "2030-01-01"), "pyyaml", "6.0", NOW, SP_ACTION_BLOCK,
	 "says block"},
	/* an expired one next to a valid one */
	{EXC("pyyaml", "", "[\"*\"]", "2020-01-01") ", " EXC("pyyaml", "", "[\"yaml-unsafe-load\"]",
							     "2030-01-01"),
	 "pyyaml", "6.0", NOW, SP_ACTION_ALLOW, "waived"},
};

static void test_exceptions(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(exc_cases) / sizeof(exc_cases[0]); i++) {
		const struct exc_case *c = &exc_cases[i];
		struct sp_policy p;
		struct sp_policy_ctx ctx;
		struct sp_policy_facts f = facts_for(c->name, c->version);
		struct sp_artifact *a = artifact("yaml-unsafe-load", NULL);
		const struct sp_reason *r;
		struct sp_verdict v;
		char json[2048];
		struct sp_diag d;

		sp_policy_init(&p);
		snprintf(json, sizeof(json),
			 "{\"findings\": {\"rules\": {\"yaml-unsafe-load\": \"block\"}}, "
			 "\"exceptions\": [%s]}",
			 c->exception);
		sp_diag_clear(&d);
		if (load1(&p, SP_LAYER_PROJECT, json, &d))
			fail_msg("case %zu rejected: %s", i, d.msg);
		ctx = ctx_for(&p);
		ctx.now = c->now;
		sp_policy_eval_artifact(&ctx, &f, a, &v);
		if (v.action != c->want)
			fail_msg("case %zu: verdict %s, want %s", i, sp_action_name(v.action),
				 sp_action_name(c->want));
		r = reason(&v, "yaml-unsafe-load");
		assert_non_null(r);
		if (!strstr(r->message, c->says))
			fail_msg("case %zu: reason '%s' does not say '%s'", i, r->message, c->says);
		assert_int_equal(v.finding_actions[0], c->want);
		sp_verdict_release(&v);
		sp_artifact_free(a);
		sp_policy_release(&p);
	}
}

/* --- the checks --- */

struct check_case {
	const char *policy;
	struct sp_policy_facts facts;
	const char *id;	     /* the reason expected, NULL for none */
	enum sp_action want; /* the verdict */
};

/* F() gives defaults that cases override on purpose. */
#ifdef __clang__
#pragma clang diagnostic ignored "-Winitializer-overrides"
#else
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
#define F(...)                                                                                     \
	{                                                                                          \
		.yanked = -1, .hash_pinned = -1, .size = -1, .kind = SP_DIST_WHEEL, __VA_ARGS__    \
	}

static const char *const serving2[] = {"https://internal.example/simple",
				       "https://pypi.org/simple"};
static const char *const mit_cls[] = {"Programming Language :: Python",
				      "License :: OSI Approved :: MIT License"};
static const char *const bsd_cls[] = {"License :: OSI Approved :: BSD License"};

static const struct check_case check_cases[] = {
	/* deny and allow lists; with no version known, a deny entry with specifiers matches */
	{"{\"packages\": {\"deny\": [\"evil\"]}}", F(.name = "Evil", .version = "1.0"),
	 SP_CHECK_DENIED, SP_ACTION_BLOCK},
	{"{\"packages\": {\"deny\": [\"evil<2\"]}}", F(.name = "evil", .version = "2.1"), NULL,
	 SP_ACTION_ALLOW},
	{"{\"packages\": {\"deny\": [\"evil<2\"]}}", F(.name = "evil", .version = "1.9"),
	 SP_CHECK_DENIED, SP_ACTION_BLOCK},
	{"{\"packages\": {\"deny\": [\"evil<2\"]}}", F(.name = "evil"), SP_CHECK_DENIED,
	 SP_ACTION_BLOCK},
	{"{\"packages\": {\"allow\": [\"requests>=2\"]}}", F(.name = "requests", .version = "2.31"),
	 NULL, SP_ACTION_ALLOW},
	{"{\"packages\": {\"allow\": [\"requests>=2\"]}}", F(.name = "requests", .version = "1.0"),
	 SP_CHECK_NOT_ALLOWED, SP_ACTION_BLOCK},
	{"{\"packages\": {\"allow\": [\"requests\"]}}", F(.name = "flask"), SP_CHECK_NOT_ALLOWED,
	 SP_ACTION_BLOCK},
	{"{\"packages\": {\"allow\": [\"requests\"]}}", F(.version = "1.0"), SP_CHECK_NOT_ALLOWED,
	 SP_ACTION_BLOCK},
	/* sdists, with a per-package list */
	{"{\"sdists\": {\"action\": \"block\"}}", F(.name = "x", .kind = SP_DIST_SDIST),
	 SP_CHECK_SDIST, SP_ACTION_BLOCK},
	{"{\"sdists\": {\"action\": \"block\"}}", F(.name = "x"), NULL, SP_ACTION_ALLOW},
	{"{\"sdists\": {\"action\": \"block\", \"packages\": {\"X\": \"allow\"}}}",
	 F(.name = "x", .kind = SP_DIST_SDIST), NULL, SP_ACTION_ALLOW},
	{"{\"sdists\": {\"action\": \"allow\", \"packages\": {\"x\": \"warn\"}}}",
	 F(.name = "x", .kind = SP_DIST_SDIST), SP_CHECK_SDIST, SP_ACTION_WARN},
	/* typosquatting, its cut-off and its allow list */
	{"{\"typosquatting\": {\"action\": \"block\"}}", F(.name = "reqeusts"), SP_CHECK_TYPOSQUAT,
	 SP_ACTION_BLOCK},
	{"{\"typosquatting\": {\"action\": \"block\"}}", F(.name = "requests"), NULL,
	 SP_ACTION_ALLOW},
	{"{\"typosquatting\": {\"action\": \"block\", \"top\": 3}}", F(.name = "reqeusts"), NULL,
	 SP_ACTION_ALLOW},
	{"{\"typosquatting\": {\"action\": \"warn\", \"allow\": [\"Reqeusts\"]}}",
	 F(.name = "reqeusts"), NULL, SP_ACTION_ALLOW},
	{"{\"typosquatting\": {\"action\": \"allow\"}}", F(.name = "reqeusts"), NULL,
	 SP_ACTION_ALLOW},
	/* minimum age: too young, old enough, exempt, unknown from an index, unknown locally */
	{"{\"release_age\": {\"minimum\": \"7 days\"}}",
	 F(.name = "x", .upload_time = NOW - 2 * DAY), SP_CHECK_AGE, SP_ACTION_BLOCK},
	{"{\"release_age\": {\"minimum\": \"7 days\", \"action\": \"warn\"}}",
	 F(.name = "x", .upload_time = NOW - 2 * DAY), SP_CHECK_AGE, SP_ACTION_WARN},
	{"{\"release_age\": {\"minimum\": \"7 days\"}}",
	 F(.name = "x", .upload_time = NOW - 8 * DAY), NULL, SP_ACTION_ALLOW},
	{"{\"release_age\": {\"minimum\": \"12h\"}}", F(.name = "x", .upload_time = NOW - 3600),
	 SP_CHECK_AGE, SP_ACTION_BLOCK},
	{"{\"release_age\": {\"minimum\": \"7 days\", \"exempt\": [\"x\"]}}",
	 F(.name = "x", .upload_time = NOW - 2 * DAY), NULL, SP_ACTION_ALLOW},
	{"{\"release_age\": {\"minimum\": \"7 days\"}}", F(.name = "x", .from_index = true),
	 SP_CHECK_AGE, SP_ACTION_WARN},
	{"{\"release_age\": {\"minimum\": \"7 days\"}}", F(.name = "x"), NULL, SP_ACTION_ALLOW},
	/* yanked, hashes */
	{"{\"yanked\": \"block\"}", F(.name = "x", .yanked = 1, .yanked_reason = "broken"),
	 SP_CHECK_YANKED, SP_ACTION_BLOCK},
	{"{\"yanked\": \"block\"}", F(.name = "x", .yanked = 0), NULL, SP_ACTION_ALLOW},
	{"{\"require_hashes\": true}", F(.name = "x", .hash_pinned = 0), SP_CHECK_HASHES,
	 SP_ACTION_BLOCK},
	{"{\"require_hashes\": true}", F(.name = "x", .hash_pinned = 1), NULL, SP_ACTION_ALLOW},
	{"{\"require_hashes\": false}", F(.name = "x", .hash_pinned = 0), NULL, SP_ACTION_ALLOW},
	/* indexes and dependency confusion */
	{"{\"indexes\": {\"allowed\": [\"https://pypi.org/simple\"]}}",
	 F(.name = "x", .index_url = "https://pypi.org/simple/"), NULL, SP_ACTION_ALLOW},
	{"{\"indexes\": {\"allowed\": [\"https://pypi.org/simple\"]}}",
	 F(.name = "x", .index_url = "https://mirror.example/simple"), SP_CHECK_INDEX,
	 SP_ACTION_BLOCK},
	{"{\"indexes\": {\"dependency_confusion\": \"block\"}}",
	 F(.name = "x", .serving = serving2, .nserving = 2), SP_CHECK_CONFUSION, SP_ACTION_BLOCK},
	{"{\"indexes\": {\"dependency_confusion\": \"block\"}}",
	 F(.name = "x", .serving = serving2, .nserving = 1), NULL, SP_ACTION_ALLOW},
	/* licenses: expressions, classifiers, unknown, invalid */
	{"{\"licenses\": {\"allow\": [\"MIT\", \"Apache-2.0\"]}}",
	 F(.name = "x", .license_expression = "mit"), NULL, SP_ACTION_ALLOW},
	{"{\"licenses\": {\"allow\": [\"MIT\"]}}",
	 F(.name = "x", .license_expression = "GPL-3.0-only"), SP_CHECK_LICENSE, SP_ACTION_BLOCK},
	{"{\"licenses\": {\"allow\": [\"MIT\"], \"action\": \"warn\"}}",
	 F(.name = "x", .license_expression = "GPL-3.0-only"), SP_CHECK_LICENSE, SP_ACTION_WARN},
	{"{\"licenses\": {\"allow\": [\"MIT\"]}}",
	 F(.name = "x", .license_expression = "GPL-3.0-only OR MIT"), NULL, SP_ACTION_ALLOW},
	{"{\"licenses\": {\"allow\": [\"MIT\"]}}",
	 F(.name = "x", .license_expression = "(GPL-3.0-only AND MIT)"), SP_CHECK_LICENSE,
	 SP_ACTION_BLOCK},
	{"{\"licenses\": {\"allow\": [\"GPL-2.0-or-later\"]}}",
	 F(.name = "x", .license_expression = "GPL-2.0-or-later WITH Classpath-exception-2.0"),
	 NULL, SP_ACTION_ALLOW},
	{"{\"licenses\": {\"allow\": [\"MIT\"]}}",
	 F(.name = "x", .classifiers = mit_cls, .nclassifiers = 2), NULL, SP_ACTION_ALLOW},
	{"{\"licenses\": {\"allow\": [\"BSD-3-Clause\"]}}",
	 F(.name = "x", .classifiers = bsd_cls, .nclassifiers = 1), NULL, SP_ACTION_ALLOW},
	{"{\"licenses\": {\"allow\": [\"MIT\"]}}",
	 F(.name = "x", .classifiers = bsd_cls, .nclassifiers = 1), SP_CHECK_LICENSE,
	 SP_ACTION_BLOCK},
	{"{\"licenses\": {\"allow\": [\"MIT\"]}}", F(.name = "x", .from_index = true),
	 SP_CHECK_LICENSE, SP_ACTION_WARN},
	{"{\"licenses\": {\"allow\": [\"MIT\"], \"unknown\": \"block\"}}",
	 F(.name = "x", .from_index = true), SP_CHECK_LICENSE, SP_ACTION_BLOCK},
	{"{\"licenses\": {\"allow\": [\"MIT\"]}}", F(.name = "x"), NULL, SP_ACTION_ALLOW},
	{"{\"licenses\": {\"allow\": [\"MIT\"]}}",
	 F(.name = "x", .license_expression = "MIT AND ("), SP_CHECK_LICENSE, SP_ACTION_WARN},
	/* maintenance, size, scan errors */
	{"{\"maintenance\": {\"max_inactive\": \"1 year\"}}",
	 F(.name = "x", .latest_release_time = NOW - 400 * DAY), SP_CHECK_MAINTENANCE,
	 SP_ACTION_WARN},
	{"{\"maintenance\": {\"max_inactive\": \"1 year\", \"action\": \"block\"}}",
	 F(.name = "x", .latest_release_time = NOW - 400 * DAY), SP_CHECK_MAINTENANCE,
	 SP_ACTION_BLOCK},
	{"{\"maintenance\": {\"max_inactive\": \"1 year\"}}",
	 F(.name = "x", .latest_release_time = NOW - 30 * DAY), NULL, SP_ACTION_ALLOW},
	{"{\"limits\": {\"max_artifact_bytes\": \"1 MiB\"}}", F(.name = "x", .size = 2000000),
	 SP_CHECK_SIZE, SP_ACTION_BLOCK},
	{"{\"limits\": {\"max_artifact_bytes\": \"1 MiB\"}}", F(.name = "x", .size = 1000), NULL,
	 SP_ACTION_ALLOW},
	{"{}", F(.name = "x", .scan_error = "not an archive"), SP_CHECK_SCAN_ERROR,
	 SP_ACTION_BLOCK},
	/* what cannot be waived stays */
	{"{\"packages\": {\"deny\": [\"evil\"]}, \"exceptions\": [{\"package\": \"evil\", "
	 "\"rules\": [\"*\"], \"reason\": \"r\", \"owner\": \"o\", \"expires\": \"2030-01-01\"}]}",
	 F(.name = "evil"), SP_CHECK_DENIED, SP_ACTION_BLOCK},
	/* what can is waived, check ids included */
	{"{\"sdists\": {\"action\": \"block\"}, \"exceptions\": [{\"package\": \"x\", "
	 "\"rules\": [\"policy-sdist\"], \"reason\": \"r\", \"owner\": \"o\", \"expires\": "
	 "\"2030-01-01\"}]}",
	 F(.name = "x", .kind = SP_DIST_SDIST), SP_CHECK_SDIST, SP_ACTION_ALLOW},
};

static void test_checks(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *c = &check_cases[i];
		const char *layers[1] = {c->policy};
		struct sp_verdict v;
		const struct sp_reason *r;

		if (verdict_of(layers, 1, &c->facts, NULL, &v) != c->want)
			fail_msg("case %zu: verdict %s, want %s", i, sp_action_name(v.action),
				 sp_action_name(c->want));
		if (c->id) {
			r = reason(&v, c->id);
			if (!r)
				fail_msg("case %zu: no %s reason", i, c->id);
			assert_int_equal(r->action, c->want);
			assert_true(r->message[0] != '\0');
			assert_int_equal(r->count, 0);
		} else if (c->want == SP_ACTION_ALLOW && v.nreasons) {
			fail_msg("case %zu: unexpected reason %s: %s", i, v.reasons[0].id,
				 v.reasons[0].message);
		}
		sp_verdict_release(&v);
	}
}

struct env_case {
	const char *policy;
	struct sp_policy_env env;
	const char *id;
	enum sp_action want;
};

static const char *const http_idx[] = {"https://pypi.org/simple", "http://mirror.local/simple"};
static const char *const hosts[] = {"mirror.local"};

static const struct env_case env_cases[] = {
	{"{\"install\": {\"venv_only\": true}}",
	 {.installing = true},
	 SP_CHECK_VENV,
	 SP_ACTION_BLOCK},
	{"{\"install\": {\"venv_only\": true}}",
	 {.installing = true, .in_venv = true},
	 NULL,
	 SP_ACTION_ALLOW},
	{"{\"install\": {\"venv_only\": true}}", {.installing = false}, NULL, SP_ACTION_ALLOW},
	{"{\"install\": {\"venv_only\": false}}", {.installing = true}, NULL, SP_ACTION_ALLOW},
	{"{\"install\": {\"allow_root\": false}}",
	 {.installing = true, .in_venv = true, .is_root = true},
	 SP_CHECK_ROOT,
	 SP_ACTION_BLOCK},
	{"{\"install\": {\"allow_root\": true}}",
	 {.installing = true, .is_root = true},
	 NULL,
	 SP_ACTION_ALLOW},
	{"{\"transport\": {\"allow_http\": false}}",
	 {.index_urls = http_idx, .nindex_urls = 2},
	 SP_CHECK_HTTP,
	 SP_ACTION_BLOCK},
	{"{\"transport\": {\"allow_http\": true}}",
	 {.index_urls = http_idx, .nindex_urls = 2},
	 NULL,
	 SP_ACTION_ALLOW},
	{"{\"transport\": {\"allow_http\": false}}",
	 {.index_urls = http_idx, .nindex_urls = 1},
	 NULL,
	 SP_ACTION_ALLOW},
	{"{\"transport\": {\"allow_trusted_host\": false}}",
	 {.trusted_hosts = hosts, .ntrusted_hosts = 1},
	 SP_CHECK_TRUSTED_HOST,
	 SP_ACTION_BLOCK},
	{"{\"transport\": {\"allow_trusted_host\": true}}",
	 {.trusted_hosts = hosts, .ntrusted_hosts = 1},
	 NULL,
	 SP_ACTION_ALLOW},
};

static void test_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(env_cases) / sizeof(env_cases[0]); i++) {
		struct sp_policy p;
		struct sp_policy_ctx c;
		struct sp_verdict v;

		sp_policy_init(&p);
		assert_int_equal(load1(&p, SP_LAYER_USER, env_cases[i].policy, NULL), 0);
		c = ctx_for(&p);
		sp_policy_eval_env(&c, &env_cases[i].env, &v);
		if (v.action != env_cases[i].want)
			fail_msg("case %zu: verdict %s", i, sp_action_name(v.action));
		if (env_cases[i].id)
			assert_non_null(reason(&v, env_cases[i].id));
		sp_verdict_release(&v);
		sp_policy_release(&p);
	}
}

/* --- findings: rule > category > severity > default, with minimums --- */

struct finding_case {
	const char *findings; /* the "findings" object */
	const char *rule;
	enum sp_action want;
	const char *setting;
};

static const struct finding_case finding_cases[] = {
	{"{\"default\": \"warn\"}", "network-call", SP_ACTION_WARN, "$.findings.default"},
	{"{}", "network-call", SP_ACTION_ALLOW, NULL},
	{"{\"severity\": {\"medium\": \"warn\"}}", "os-system", SP_ACTION_WARN,
	 "$.findings.severity.medium"},
	{"{\"severity\": {\"medium\": \"warn\"}, \"categories\": {\"code-execution\": \"block\"}}",
	 "os-system", SP_ACTION_BLOCK, "$.findings.categories.code-execution"},
	{"{\"categories\": {\"code-execution\": \"block\"}, \"rules\": {\"os-system\": "
	 "\"ignore\"}}",
	 "os-system", SP_ACTION_ALLOW, NULL},
	/* below a category's minimum severity: falls through to the severity table */
	{"{\"severity\": {\"low\": \"warn\"}, \"categories\": {\"malicious\": {\"action\": "
	 "\"block\", \"min_severity\": \"high\"}}}",
	 "dev-credential-access", SP_ACTION_WARN, "$.findings.severity.low"},
	{"{\"severity\": {\"low\": \"warn\"}, \"categories\": {\"malicious\": {\"action\": "
	 "\"block\", \"min_severity\": \"high\"}}}",
	 "env-exfil", SP_ACTION_BLOCK, "$.findings.categories.malicious"},
	/* below a severity entry's minimum confidence: to the default */
	{"{\"default\": \"warn\", \"severity\": {\"critical\": {\"action\": \"block\", "
	 "\"min_confidence\": \"high\"}}}",
	 "reverse-shell", SP_ACTION_WARN, "$.findings.default"},
	{"{\"severity\": {\"critical\": {\"action\": \"block\", \"min_confidence\": \"medium\"}}}",
	 "reverse-shell", SP_ACTION_BLOCK, "$.findings.severity.critical"},
	/* a rule entry's own minimum */
	{"{\"severity\": {\"low\": \"warn\"}, \"rules\": {\"hardcoded-password\": {\"action\": "
	 "\"block\", \"min_confidence\": \"medium\"}}}",
	 "hardcoded-password", SP_ACTION_WARN, "$.findings.severity.low"},
};

static void test_findings(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(finding_cases) / sizeof(finding_cases[0]); i++) {
		const struct finding_case *c = &finding_cases[i];
		struct sp_policy_facts f = facts_for("pkg", "1.0");
		struct sp_artifact *a = artifact(c->rule, NULL);
		char json[1024];
		const char *layers[1] = {json};
		const struct sp_reason *r;
		struct sp_verdict v;

		snprintf(json, sizeof(json), "{\"findings\": %s}", c->findings);
		if (verdict_of(layers, 1, &f, a, &v) != c->want)
			fail_msg("case %zu: verdict %s, want %s", i, sp_action_name(v.action),
				 sp_action_name(c->want));
		assert_int_equal(v.nfindings, 1);
		assert_int_equal(v.finding_actions[0], c->want);
		r = reason(&v, c->rule);
		if (c->setting) {
			assert_non_null(r);
			assert_string_equal(r->setting, c->setting);
			assert_int_equal(r->count, 1);
			assert_string_equal(r->path, "pkg/x.py");
			assert_int_equal(r->line, 1);
		} else {
			assert_null(r);
		}
		sp_verdict_release(&v);
		sp_artifact_free(a);
	}
}

/* Findings of one rule decided alike are one reason with a count. */
static void test_grouping(void **state)
{
	const char *layers[1] = {
		"{\"findings\": {\"severity\": {\"medium\": \"warn\", \"critical\": "
		"\"block\"}}}"};
	struct sp_policy_facts f = facts_for("pkg", "1.0");
	struct sp_artifact *a = artifact("os-system", "reverse-shell", "os-system", "os-system",
					 "network-call", NULL);
	struct sp_verdict v;

	(void)state;
	assert_int_equal(verdict_of(layers, 1, &f, a, &v), SP_ACTION_BLOCK);
	assert_int_equal(v.nreasons, 2);
	assert_string_equal(v.reasons[0].id, "reverse-shell"); /* blocks first */
	assert_string_equal(v.reasons[1].id, "os-system");
	assert_int_equal(v.reasons[1].count, 3);
	assert_int_equal(v.reasons[1].line, 1);
	assert_int_equal(v.finding_actions[4], SP_ACTION_ALLOW);
	sp_verdict_release(&v);
	sp_artifact_free(a);
}

/* --- helpers --- */

static void test_durations_dates(void **state)
{
	static const struct {
		const char *s;
		int64_t secs; /* -1: rejected */
	} d[] = {
		{"7 days", 7 * DAY},
		{"12h", 12 * 3600},
		{"1 week", 7 * DAY},
		{"90 min", 5400},
		{"2 years", 2 * 365 * DAY},
		{"1 month", 30 * DAY},
		{"0 days", 0},
		{"30s", 30},
		{"7", -1},
		{"days", -1},
		{"7  days", -1},
		{"7 m", -1},
		{"-7 days", -1},
		{"99999999999999999999 s", -1},
		{"101 years", -1},
		{"", -1},
	};
	static const struct {
		const char *s;
		int64_t days;
	} dates[] = {
		{"1970-01-01", 0},     {"2025-06-15", 20254}, {"2024-02-29", 19782},
		{"2000-03-01", 11017}, {"2023-02-29", -1},    {"2025-13-01", -1},
		{"2025-00-10", -1},    {"2025-1-01", -1},     {"1969-12-31", -1},
		{"2025-06-15T", -1},   {"abcd-ef-gh", -1},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		int64_t v = -1;
		int err = sp_policy_parse_duration(d[i].s, &v);

		if (d[i].secs < 0 ? !err : (err || v != d[i].secs))
			fail_msg("duration '%s': err %d value %lld", d[i].s, err, (long long)v);
	}
	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		int64_t v = -1;
		int err = sp_policy_parse_date(dates[i].s, &v);

		if (dates[i].days < 0 ? !err : (err || v != dates[i].days))
			fail_msg("date '%s': err %d value %lld", dates[i].s, err, (long long)v);
	}
	assert_int_equal(NOW / DAY, 20254);
}

static void test_licenses_names(void **state)
{
	static const struct sp_policy_name allow[] = {{.name = "MIT"}, {.name = "Apache-2.0"}};
	static const struct {
		const char *expr;
		int want;
	} l[] = {
		{"MIT", 1},
		{"apache-2.0", 1},
		{"GPL-3.0-only", 0},
		{"MIT OR GPL-3.0-only", 1},
		{"MIT AND GPL-3.0-only", 0},
		{"MIT AND (Apache-2.0 OR GPL-3.0-only)", 1},
		{"(MIT)", 1},
		{"MIT WITH foo", 1},
		{"", SP_EINVAL},
		{"MIT AND", SP_EINVAL},
		{"(MIT", SP_EINVAL},
		{"MIT)", SP_EINVAL},
		{"MIT WITH", SP_EINVAL},
		{"M%T", SP_EINVAL},
		{"((((((((((((((((((MIT))))))))))))))))))", SP_EINVAL},
	};
	size_t i;
	char *n;

	(void)state;
	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++)
		if (sp_policy_license_ok(l[i].expr, allow, 2) != l[i].want)
			fail_msg("license '%s'", l[i].expr);
	assert_string_equal(sp_policy_classifier_spdx("License :: OSI Approved :: MIT License"),
			    "MIT");
	assert_null(sp_policy_classifier_spdx("License :: Other/Proprietary License"));
	assert_null(sp_policy_classifier_spdx("Topic :: MIT License"));
	n = sp_policy_normalize_name("Foo__Bar.-baz");
	assert_string_equal(n, "foo-bar-baz");
	free(n);
	assert_true(sp_policy_is_check(SP_CHECK_SDIST));
	assert_false(sp_policy_is_check("os-system"));
}

/* --- advisories --- */

static const char *const ghsa_alias[] = {"CVE-2023-32681", "GHSA-j8r2-6x86-q33q"};

/* Advisories for facts: [0] a high vulnerability, [1] malware, [2] no severity, [3] low. */
static const struct sp_policy_advisory advs[] = {
	{.id = "PYSEC-2023-74",
	 .aliases = ghsa_alias,
	 .naliases = 2,
	 .summary = "Proxy-Authorization leak",
	 .severity = 3,
	 .score = 7.5,
	 .fixed = "2.31.0"},
	{.id = "MAL-2024-1", .summary = "Malicious code", .malicious = true, .score = -1},
	{.id = "PYSEC-2024-9", .severity = 0, .score = -1, .fixed = "1.1"},
	{.id = "GHSA-lowl-lowl-lowl", .severity = 1, .score = 2.0},
};

#define ADV_EXC(rules, expires)                                                                    \
	"\"exceptions\": [{\"package\": \"pkg\", \"rules\": " rules ", \"reason\": \"triaged\", "  \
	"\"owner\": \"sec\", \"expires\": \"" expires "\"}]"

struct adv_case {
	const char *policy; /* a layer over the built-in default */
	size_t first, n;    /* advs[first..first+n) */
	enum sp_action want;
	const char *id;	  /* a reason expected */
	const char *says; /* in its message */
};

static const struct adv_case adv_cases[] = {
	/* the built-in defaults: high warns, malware blocks, unknown warns, low is quiet */
	{"{}", 0, 1, SP_ACTION_WARN, "PYSEC-2023-74",
	 "PYSEC-2023-74 (CVE-2023-32681, GHSA-j8r2-6x86-q33q), high severity (CVSS 7.5)"},
	{"{}", 0, 1, SP_ACTION_WARN, "PYSEC-2023-74", "fixed in 2.31.0"},
	{"{}", 0, 1, SP_ACTION_WARN, "PYSEC-2023-74", "$.advisories.severity.high says warn"},
	{"{}", 1, 1, SP_ACTION_BLOCK, "MAL-2024-1", "a known malicious package: MAL-2024-1"},
	{"{}", 1, 1, SP_ACTION_BLOCK, "MAL-2024-1", "no fixed version"},
	{"{}", 2, 1, SP_ACTION_WARN, "PYSEC-2024-9", "unknown severity"},
	{"{}", 3, 1, SP_ACTION_ALLOW, NULL, NULL},
	{"{}", 0, 4, SP_ACTION_BLOCK, "PYSEC-2023-74", "warn"},
	/* actions by severity and category */
	{"{\"advisories\": {\"severity\": {\"high\": \"block\"}}}", 0, 1, SP_ACTION_BLOCK,
	 "PYSEC-2023-74", "says block"},
	{"{\"advisories\": {\"severity\": {\"low\": \"warn\"}}}", 3, 1, SP_ACTION_WARN,
	 "GHSA-lowl-lowl-lowl", "low severity (CVSS 2.0)"},
	{"{\"advisories\": {\"malicious\": \"warn\"}}", 1, 1, SP_ACTION_WARN, "MAL-2024-1",
	 "$.advisories.malicious says warn"},
	{"{\"advisories\": {\"severity\": {\"unknown\": \"allow\"}}}", 2, 1, SP_ACTION_ALLOW, NULL,
	 NULL},
	/* exceptions: by id or by alias, any case; until they expire; not by "*" */
	{"{" ADV_EXC("[\"PYSEC-2023-74\"]", "2030-01-01") "}", 0, 1, SP_ACTION_ALLOW,
	 "PYSEC-2023-74", "waived by the exception"},
	{"{" ADV_EXC("[\"cve-2023-32681\"]", "2030-01-01") "}", 0, 1, SP_ACTION_ALLOW,
	 "PYSEC-2023-74", "owner 'sec', reason 'triaged', until 2030-01-01"},
	{"{" ADV_EXC("[\"GHSA-j8r2-6x86-q33q\"]", "2025-06-14") "}", 0, 1, SP_ACTION_WARN,
	 "PYSEC-2023-74", "expired on 2025-06-14"},
	{"{" ADV_EXC("[\"*\"]", "2030-01-01") "}", 1, 1, SP_ACTION_BLOCK, "MAL-2024-1",
	 "says block"},
	{"{" ADV_EXC("[\"MAL-2024-1\"]", "2030-01-01") "}", 1, 1, SP_ACTION_ALLOW, "MAL-2024-1",
	 "waived"},
	{"{" ADV_EXC("[\"MAL-2024-2\"]", "2030-01-01") "}", 1, 1, SP_ACTION_BLOCK, "MAL-2024-1",
	 "says block"},
	/* one waived, the other still decides */
	{"{" ADV_EXC("[\"MAL-2024-1\"]", "2030-01-01") "}", 0, 2, SP_ACTION_WARN, "PYSEC-2023-74",
	 "warn"},
};

static void test_advisories(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(adv_cases) / sizeof(adv_cases[0]); i++) {
		const struct adv_case *c = &adv_cases[i];
		struct sp_policy_facts f = facts_for("pkg", "2.30.0");
		struct sp_policy p;
		struct sp_policy_ctx ctx;
		struct sp_verdict v;
		struct sp_diag d;
		const struct sp_reason *r;

		sp_policy_init(&p);
		sp_diag_clear(&d);
		if (sp_policy_add_embedded(&p, SP_LAYER_BUILTIN, "default", &d) ||
		    load1(&p, SP_LAYER_PROJECT, c->policy, &d))
			fail_msg("case %zu rejected: %s", i, d.msg);
		f.advisories = &advs[c->first];
		f.nadvisories = c->n;
		ctx = ctx_for(&p);
		sp_policy_eval_artifact(&ctx, &f, NULL, &v);
		if (v.action != c->want)
			fail_msg("case %zu: verdict %s, want %s", i, sp_action_name(v.action),
				 sp_action_name(c->want));
		if (c->id) {
			r = reason(&v, c->id);
			if (!r)
				fail_msg("case %zu: no %s reason", i, c->id);
			if (!strstr(r->message, c->says))
				fail_msg("case %zu: '%s' does not say '%s'", i, r->message,
					 c->says);
		} else if (v.nreasons) {
			fail_msg("case %zu: unexpected reason %s", i, v.reasons[0].message);
		}
		sp_verdict_release(&v);
		sp_policy_release(&p);
	}
	/* the shipped policies: high, malware, unrated */
	{
		static const char *const names[] = {"default", "strict", "permissive"};
		static const enum sp_action want[3][3] = {
			{SP_ACTION_WARN, SP_ACTION_BLOCK, SP_ACTION_WARN},
			{SP_ACTION_BLOCK, SP_ACTION_BLOCK, SP_ACTION_BLOCK},
			{SP_ACTION_WARN, SP_ACTION_BLOCK, SP_ACTION_ALLOW},
		};
		size_t k;

		for (i = 0; i < 3; i++) {
			struct sp_policy p;
			struct sp_policy_ctx ctx;

			sp_policy_init(&p);
			assert_int_equal(
				sp_policy_add_embedded(&p, SP_LAYER_BUILTIN, "default", NULL), 0);
			if (i)
				assert_int_equal(
					sp_policy_add_embedded(&p, SP_LAYER_CLI, names[i], NULL),
					0);
			ctx = ctx_for(&p);
			for (k = 0; k < 3; k++) {
				struct sp_policy_facts f = facts_for("pkg", "1.0");
				struct sp_verdict v;

				f.advisories = &advs[k];
				f.nadvisories = 1;
				sp_policy_eval_artifact(&ctx, &f, NULL, &v);
				if (v.action != want[i][k])
					fail_msg("%s, advisory %zu: %s", names[i], k,
						 sp_action_name(v.action));
				sp_verdict_release(&v);
			}
			sp_policy_release(&p);
		}
	}
	assert_true(sp_policy_is_advisory_id("GHSA-j8r2-6x86-q33q"));
	assert_true(sp_policy_is_advisory_id("CVE-2023-1"));
	assert_true(sp_policy_is_advisory_id("PYSEC-2023-74"));
	assert_false(sp_policy_is_advisory_id("os-system"));
	assert_false(sp_policy_is_advisory_id("CVE-"));
	assert_false(sp_policy_is_advisory_id("-CVE"));
	assert_false(sp_policy_is_advisory_id("GHSA-a b"));
}

/* Enforced advisory settings hold against a later layer, exceptions included. */
static void test_advisories_enforced(void **state)
{
	const char *layers[3] = {
		"{}",
		"{\"enforced\": true, \"advisories\": {\"severity\": {\"high\": \"block\"}}}",
		"{\"advisories\": {\"severity\": {\"high\": \"allow\"}}, " ADV_EXC(
			"[\"PYSEC-2023-74\"]", "2030-01-01") "}",
	};
	struct sp_policy_facts f = facts_for("pkg", "2.30.0");
	const struct sp_reason *r;
	struct sp_verdict v;

	(void)state;
	f.advisories = advs;
	f.nadvisories = 1;
	assert_int_equal(verdict_of(layers, 3, &f, NULL, &v), SP_ACTION_BLOCK);
	r = reason(&v, "PYSEC-2023-74");
	assert_non_null(r);
	assert_true(r->enforced);
	assert_non_null(strstr(r->message, "cannot waive"));
	sp_verdict_release(&v);
	/* the same exception in the enforced layer waives */
	layers[1] = "{\"enforced\": true, \"advisories\": {\"severity\": {\"high\": "
		    "\"block\"}}, " ADV_EXC("[\"GHSA-j8r2-6x86-q33q\"]", "2030-01-01") "}";
	layers[2] = "{}";
	assert_int_equal(verdict_of(layers, 3, &f, NULL, &v), SP_ACTION_ALLOW);
	sp_verdict_release(&v);
}

/* The data itself: missing or too old, judged once per run through eval_env. */
static void test_advisory_data(void **state)
{
	static const struct {
		const char *policy;
		struct sp_policy_advisory_data data;
		enum sp_action want;
		const char *id;
	} cases[] = {
		{"{}",
		 {.present = false, .problem = "'x' does not exist"},
		 SP_ACTION_WARN,
		 SP_CHECK_ADVISORIES_MISSING},
		{"{\"advisories\": {\"missing\": \"block\"}}",
		 {.present = false},
		 SP_ACTION_BLOCK,
		 SP_CHECK_ADVISORIES_MISSING},
		{"{\"advisories\": {\"missing\": \"allow\"}}",
		 {.present = false},
		 SP_ACTION_ALLOW,
		 NULL},
		{"{}",
		 {.present = true, .synced_at = NOW - 8 * DAY},
		 SP_ACTION_WARN,
		 SP_CHECK_ADVISORIES_STALE},
		{"{}", {.present = true, .synced_at = NOW - 6 * DAY}, SP_ACTION_ALLOW, NULL},
		{"{\"advisories\": {\"max_age\": \"1 day\", \"stale\": \"block\"}}",
		 {.present = true, .synced_at = NOW - 2 * DAY},
		 SP_ACTION_BLOCK,
		 SP_CHECK_ADVISORIES_STALE},
		{"{\"advisories\": {\"stale\": \"allow\"}}",
		 {.present = true, .synced_at = NOW - 80 * DAY},
		 SP_ACTION_ALLOW,
		 NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_policy_env env = {.advisory_data = &cases[i].data};
		struct sp_policy p;
		struct sp_policy_ctx c;
		struct sp_verdict v;
		const struct sp_reason *r;

		sp_policy_init(&p);
		assert_int_equal(sp_policy_add_embedded(&p, SP_LAYER_BUILTIN, "default", NULL), 0);
		assert_int_equal(load1(&p, SP_LAYER_USER, cases[i].policy, NULL), 0);
		assert_true(sp_policy_wants_advisories(&p));
		c = ctx_for(&p);
		sp_policy_eval_env(&c, &env, &v);
		if (v.action != cases[i].want)
			fail_msg("case %zu: verdict %s", i, sp_action_name(v.action));
		if (cases[i].id) {
			r = reason(&v, cases[i].id);
			assert_non_null(r);
			assert_non_null(strstr(r->message, "advisories sync"));
		}
		sp_verdict_release(&v);
		sp_policy_release(&p);
	}
}

/* --- shipped policies --- */

static void test_shipped(void **state)
{
	static const char *const names[] = {"default", "strict", "permissive"};
	struct sp_policy_facts sdist = F(.name = "somepkg", .version = "1.0", .kind = SP_DIST_SDIST,
					 .upload_time = NOW - 30 * DAY);
	struct sp_policy_facts young =
		F(.name = "somepkg", .version = "1.0", .upload_time = NOW - 2 * DAY);
	struct sp_policy_facts squat =
		F(.name = "reqeusts", .version = "1.0", .upload_time = NOW - 30 * DAY);
	struct sp_artifact *med = artifact("os-system", NULL);
	struct sp_artifact *mal = artifact("env-exfil", NULL);
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct sp_policy p;
		struct sp_policy_ctx c;
		struct sp_verdict v[5];
		struct sp_diag d;
		size_t k;

		sp_policy_init(&p);
		sp_diag_clear(&d);
		assert_int_equal(sp_policy_add_embedded(&p, SP_LAYER_BUILTIN, "default", &d), 0);
		if (i && sp_policy_add_embedded(&p, SP_LAYER_CLI, names[i], &d))
			fail_msg("%s: %s", names[i], d.msg);
		assert_int_equal(p.nwarnings, 0);
		c = ctx_for(&p);
		sp_policy_eval_artifact(&c, &sdist, NULL, &v[0]);
		sp_policy_eval_artifact(&c, &young, NULL, &v[1]);
		sp_policy_eval_artifact(&c, &squat, NULL, &v[2]);
		sp_policy_eval_artifact(&c, &young, med, &v[3]);
		sp_policy_eval_artifact(&c, &squat, mal, &v[4]);
		switch (i) {
		case 0:
			assert_int_equal(v[0].action, SP_ACTION_WARN);
			assert_int_equal(v[1].action, SP_ACTION_ALLOW);
			assert_int_equal(v[2].action, SP_ACTION_WARN);
			assert_int_equal(v[3].action, SP_ACTION_WARN);
			break;
		case 1:
			assert_int_equal(v[0].action, SP_ACTION_BLOCK);
			assert_int_equal(v[1].action, SP_ACTION_BLOCK);
			assert_int_equal(v[2].action, SP_ACTION_BLOCK);
			assert_int_equal(v[3].action, SP_ACTION_BLOCK);
			break;
		default:
			assert_int_equal(v[0].action, SP_ACTION_ALLOW);
			assert_int_equal(v[1].action, SP_ACTION_ALLOW);
			assert_int_equal(v[2].action, SP_ACTION_WARN);
			assert_int_equal(v[3].action, SP_ACTION_ALLOW);
			break;
		}
		/* every shipped policy blocks a high malicious finding */
		assert_int_equal(v[4].action, SP_ACTION_BLOCK);
		for (k = 0; k < 5; k++)
			sp_verdict_release(&v[k]);
		sp_policy_release(&p);
	}
	sp_artifact_free(med);
	sp_artifact_free(mal);
}

/* --- files on disk --- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_load_files(void **state)
{
	char tmp[] = "/tmp/sp-policy-XXXXXX", path[4096], deep[4096], sys[4096], user[4096];
	struct sp_policy_paths paths = {0};
	struct sp_policy p;
	struct sp_diag d;
	int kind = -1;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(sys, sizeof(sys), "%s/system.json", tmp);
	snprintf(user, sizeof(user), "%s/user.json", tmp);
	snprintf(path, sizeof(path), "%s/proj", tmp);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(deep, sizeof(deep), "%s/proj/a", tmp);
	assert_int_equal(mkdir(deep, 0700), 0);
	snprintf(deep, sizeof(deep), "%s/proj/a/b", tmp);
	assert_int_equal(mkdir(deep, 0700), 0);
	snprintf(path, sizeof(path), "%s/proj/.safepip.json", tmp);
	write_file(path, "{\"yanked\": \"block\"}");
	write_file(sys, "{\"enforced\": true, \"sdists\": {\"action\": \"block\"}}");

	/* missing user file skipped; the project file found two levels up */
	paths.system = sys;
	paths.user = user;
	paths.project_dir = deep;
	sp_policy_init(&p);
	sp_diag_clear(&d);
	assert_int_equal(sp_policy_load(&p, &paths, &d), 0);
	assert_int_equal(p.nlayers, 3);
	assert_string_equal(p.layers[0].file, "builtin:default");
	assert_true(p.layers[1].enforced);
	assert_string_equal(p.layers[2].file, path);
	assert_string_equal(setting(&p, "$.yanked", &kind), "\"block\"");
	assert_int_equal(kind, SP_LAYER_PROJECT);
	assert_string_equal(setting(&p, "$.sdists.action", &kind), "\"block\"");
	assert_int_equal(kind, SP_LAYER_SYSTEM);
	sp_policy_release(&p);

	/* --policy: a file, a built-in name, a missing file, a malformed file */
	paths.cli = "builtin:strict";
	sp_policy_init(&p);
	assert_int_equal(sp_policy_load(&p, &paths, &d), 0);
	assert_int_equal(p.nlayers, 4);
	assert_int_equal(p.layers[3].kind, SP_LAYER_CLI);
	sp_policy_release(&p);
	paths.cli = "builtin:nonesuch";
	sp_policy_init(&p);
	assert_int_equal(sp_policy_load(&p, &paths, &d), SP_ENOENT);
	sp_policy_release(&p);
	snprintf(path, sizeof(path), "%s/missing.json", tmp);
	paths.cli = path;
	sp_policy_init(&p);
	sp_diag_clear(&d);
	assert_int_equal(sp_policy_load(&p, &paths, &d), SP_ENOENT);
	assert_non_null(strstr(d.msg, "missing.json"));
	sp_policy_release(&p);
	write_file(user, "{\n  \"yanked\": \"maybe\"\n}\n");
	paths.cli = NULL;
	sp_policy_init(&p);
	sp_diag_clear(&d);
	assert_int_equal(sp_policy_load(&p, &paths, &d), SP_EFORMAT);
	assert_string_equal(d.file, user);
	assert_int_equal(d.line, 2);
	assert_string_equal(d.where, "$.yanked");
	sp_policy_release(&p);

	/* a directory is not a policy; an oversized file is refused */
	paths.user = tmp;
	sp_policy_init(&p);
	assert_int_equal(sp_policy_load(&p, &paths, &d), SP_EIO);
	sp_policy_release(&p);
	{
		char *big = xmalloc(2 * 1024 * 1024 + 3);

		memset(big, ' ', 2 * 1024 * 1024 + 2);
		big[0] = '{';
		big[2 * 1024 * 1024 + 1] = '}';
		big[2 * 1024 * 1024 + 2] = '\0';
		write_file(user, big);
		free(big);
	}
	paths.user = user;
	sp_policy_init(&p);
	assert_int_equal(sp_policy_load(&p, &paths, &d), SP_ELIMIT);
	sp_policy_release(&p);

	unlink(user);
	unlink(sys);
	snprintf(path, sizeof(path), "%s/proj/.safepip.json", tmp);
	unlink(path);
	rmdir(deep);
	snprintf(deep, sizeof(deep), "%s/proj/a", tmp);
	rmdir(deep);
	snprintf(deep, sizeof(deep), "%s/proj", tmp);
	rmdir(deep);
	rmdir(tmp);
}

static int setup(void **state)
{
	(void)state;
	return sp_typosquat_new_embedded(&popular, NULL);
}

static int teardown(void **state)
{
	(void)state;
	sp_typosquat_free(popular);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_layer_precedence),
		cmocka_unit_test(test_layer_order_enforced),
		cmocka_unit_test(test_layer_merge),
		cmocka_unit_test(test_enforced_loosening),
		cmocka_unit_test(test_enforced_cross_setting),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_durations_dates),
		cmocka_unit_test(test_licenses_names),
		cmocka_unit_test(test_advisories),
		cmocka_unit_test(test_advisories_enforced),
		cmocka_unit_test(test_advisory_data),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_load_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
