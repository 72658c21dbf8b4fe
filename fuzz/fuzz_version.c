/*
 * libFuzzer: PEP 440 versions. Input is split at the first newline into two
 * versions. Checks the invariants: the canonical text parses back to an
 * equal version with the same text; comparison is antisymmetric and equal
 * canonical texts compare equal; a public version sorts below its local
 * ones; a base version is neither a pre- nor a post-release.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "req/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(const struct sp_version *v)
{
	char text[SP_VERSION_TEXT_MAX], again_text[SP_VERSION_TEXT_MAX];
	struct sp_version again, pub;
	size_t n = sp_version_format(v, text, sizeof(text));

	if (n >= sizeof(text))
		abort();
	if (sp_version_parse(&again, text, n, NULL))
		abort();
	if (sp_version_cmp(v, &again) != 0)
		abort();
	sp_version_format(&again, again_text, sizeof(again_text));
	if (strcmp(text, again_text))
		abort();
	sp_version_public(v, &pub);
	if (sp_version_cmp(&pub, v) > 0 || (v->local[0] && sp_version_cmp(&pub, v) >= 0))
		abort();
	sp_version_base(v, &pub);
	if (sp_version_is_prerelease(&pub) || sp_version_is_postrelease(&pub))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t n1 = nl ? (size_t)(nl - s) : size;
	struct sp_version a, b;
	bool ok_a, ok_b;

	ok_a = sp_version_parse(&a, s, n1, NULL) == 0;
	ok_b = nl && sp_version_parse(&b, nl + 1, size - n1 - 1, NULL) == 0;
	if (ok_a)
		check_one(&a);
	if (ok_b)
		check_one(&b);
	if (ok_a && ok_b) {
		char ta[SP_VERSION_TEXT_MAX], tb[SP_VERSION_TEXT_MAX];
		int ab = sp_version_cmp(&a, &b), ba = sp_version_cmp(&b, &a);

		if (ab != -ba || ab < -1 || ab > 1)
			abort();
		sp_version_format(&a, ta, sizeof(ta));
		sp_version_format(&b, tb, sizeof(tb));
		/* Equal canonical text means equal versions (not the converse: 1.0 == 1.0.0). */
		if (!strcmp(ta, tb) && ab != 0)
			abort();
	}
	return 0;
}
