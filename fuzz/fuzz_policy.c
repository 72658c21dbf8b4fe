/*
 * libFuzzer: the bytes as a policy layer over the built-in one, and as an
 * enforced layer with a second layer over it (the input split at its first
 * NUL byte); each policy that loads is listed, checked against the catalog
 * and evaluated. The same bytes go to the duration, date and SPDX parsers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/typosquat.h"

static struct sp_catalog cat;
static struct sp_typosquat *popular;
static struct sp_artifact *art;
static bool loaded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool match_all(const char *spec, const char *version, void *ctx)
{
	(void)ctx;
	return strlen(spec) % 2 == strlen(version) % 2;
}

static void exercise(struct sp_policy *p)
{
	static const char *const serving[] = {"https://a.example/simple", "http://b.example"};
	static const char *const cls[] = {"License :: OSI Approved :: BSD License"};
	struct sp_policy_ctx ctx = {
		.policy = p, .now = 1749988800, .popular = popular, .version_matches = match_all};
	struct sp_policy_facts f = {.name = "Reqeusts",
				    .version = "1.0",
				    .kind = SP_DIST_SDIST,
				    .from_index = true,
				    .upload_time = 1749988000,
				    .yanked = 1,
				    .index_url = serving[0],
				    .serving = serving,
				    .nserving = 2,
				    .classifiers = cls,
				    .nclassifiers = 1,
				    .latest_release_time = 1,
				    .hash_pinned = 0,
				    .size = 1 << 30};
	struct sp_policy_env env = {.installing = true,
				    .is_root = true,
				    .index_urls = serving,
				    .nindex_urls = 2,
				    .trusted_hosts = serving,
				    .ntrusted_hosts = 1};
	struct sp_policy_setting *s;
	struct sp_verdict v;
	size_t n;

	n = sp_policy_settings(p, &s);
	sp_policy_settings_free(s, n);
	sp_policy_lint(p, &cat);
	sp_policy_eval_artifact(&ctx, &f, art, &v);
	sp_verdict_release(&v);
	f.license_expression = "MIT OR (Apache-2.0 AND GPL-3.0-only WITH x)";
	f.name = "pyyaml";
	ctx.version_matches = NULL;
	sp_policy_eval_artifact(&ctx, &f, art, &v);
	sp_verdict_release(&v);
	sp_policy_eval_env(&ctx, &env, &v);
	sp_verdict_release(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const uint8_t *nul = memchr(data, 0, size);
	struct sp_policy p;
	char *str;
	int64_t x;

	if (!loaded) {
		const char *ids[] = {"os-system", "env-exfil", "reverse-shell", "yaml-unsafe-load"};
		size_t i;

		if (sp_catalog_load_embedded(&cat, NULL) ||
		    sp_typosquat_new_embedded(&popular, NULL))
			abort();
		art = sp_artifact_new("fuzz.whl");
		for (i = 0; i < 4; i++)
			sp_artifact_add(art, sp_catalog_find(&cat, ids[i]), SP_CTX_INSTALL,
					"setup.py", (uint32_t)i + 1, 1, NULL, 0, NULL);
		loaded = true;
	}

	sp_policy_init(&p);
	if (sp_policy_add_embedded(&p, SP_LAYER_BUILTIN, "default", NULL))
		abort();
	if (sp_policy_add_layer(&p, SP_LAYER_PROJECT, "fuzz.json", text, size, NULL) == 0)
		exercise(&p);
	sp_policy_release(&p);

	if (nul) {
		size_t first = (size_t)(nul - data);

		sp_policy_init(&p);
		if (sp_policy_add_layer(&p, SP_LAYER_SYSTEM, "a.json", text, first, NULL) == 0 &&
		    sp_policy_add_layer(&p, SP_LAYER_USER, "b.json", text + first + 1,
					size - first - 1, NULL) == 0)
			exercise(&p);
		sp_policy_release(&p);
	}

	str = malloc(size + 1);
	memcpy(str, data, size);
	str[size] = '\0';
	sp_policy_parse_duration(str, &x);
	sp_policy_parse_date(str, &x);
	{
		struct sp_policy_name allow[] = {{.name = "MIT"}, {.name = "Apache-2.0"}};

		sp_policy_license_ok(str, allow, 2);
	}
	sp_typosquat_check(popular, str, 0, NULL);
	free(str);
	return 0;
}
