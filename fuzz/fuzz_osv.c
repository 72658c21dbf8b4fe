/*
 * libFuzzer: the bytes as one OSV record. A record that parses is matched
 * against versions that hit every event kind (the record's own event
 * versions, each with a local label, a pre-release and a post-release
 * next to it); the bytes also go to the CVSS v3 vector parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/osv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void probe(const struct sp_osv_affected *a, const char *v)
{
	static const char *const suffixes[] = {"", "+local.1", "rc1", ".post1", ".dev0", "0"};
	char buf[600];
	const char *fixed;
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(buf, sizeof(buf), "%.500s%s", v, suffixes[i]);
		if (sp_osv_affects(a, buf, &fixed) && fixed && !fixed[0])
			abort(); /* a fixed version is never empty */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_osv_record r;
	char *str;
	double score;
	size_t i, j, k;

	if (sp_osv_parse(&r, (const char *)data, size, NULL) == 0) {
		if (!r.id || !r.modified)
			abort();
		for (i = 0; i < r.naffected; i++) {
			const struct sp_osv_affected *a = &r.affected[i];

			probe(a, "0");
			probe(a, "1!1.0");
			for (j = 0; j < a->nranges && j < 8; j++)
				for (k = 0; k < a->ranges[j].nevents && k < 8; k++)
					probe(a, a->ranges[j].events[k].version);
			for (j = 0; j < a->nversions && j < 8; j++)
				probe(a, a->versions[j]);
		}
		if (r.score > 10.0 || (r.score < 0 && r.score != -1))
			abort();
	}
	sp_osv_release(&r);

	str = malloc(size + 1);
	memcpy(str, data, size);
	str[size] = '\0';
	if (sp_cvss3_base_score(str, &score) == 0 && (score < 0 || score > 10.0))
		abort();
	free(str);
	return 0;
}
