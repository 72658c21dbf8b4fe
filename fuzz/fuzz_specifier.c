/*
 * libFuzzer: PEP 440 specifier sets. The first line is a specifier set,
 * the next lines candidate versions. Checks that the canonical form of a
 * parsed set parses again and agrees on every candidate, and that pip's
 * filter keeps only what the set contains (or, for an empty set, falls
 * back to pre-releases).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "req/specifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CANDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *p;
	const char *nl = memchr(s, '\n', size);
	struct sp_version cands[MAX_CANDS];
	bool keep[MAX_CANDS];
	struct sp_specset set, again;
	struct sp_arena a;
	struct sp_buf b;
	size_t n = 0, i, kept;

	sp_arena_init(&a);
	sp_buf_init(&b, 1 << 20);
	if (sp_specset_parse(&a, s, nl ? (size_t)(nl - s) : size, &set, NULL))
		goto out;
	if (sp_specset_format(&set, &b) ||
	    sp_specset_parse(&a, b.data ? b.data : "", b.len, &again, NULL))
		abort();
	for (p = nl ? nl + 1 : end; p < end && n < MAX_CANDS;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t len = e ? (size_t)(e - p) : (size_t)(end - p);

		if (sp_version_parse(&cands[n], p, len, NULL) == 0)
			n++;
		p += len + 1;
	}
	for (i = 0; i < n; i++) {
		bool pre;

		for (pre = false;; pre = true) {
			if (sp_specset_contains(&set, &cands[i], pre) !=
			    sp_specset_contains(&again, &cands[i], pre))
				abort();
			if (pre)
				break;
		}
		if (sp_specset_contains(&set, &cands[i], false) &&
		    !sp_specset_contains(&set, &cands[i], true))
			abort();
	}
	kept = sp_specset_filter(&set, cands, n, false, keep);
	for (i = 0; i < n; i++) {
		if (keep[i] && !sp_specset_contains(&set, &cands[i], true))
			abort();
		if (set.n && keep[i] != sp_specset_contains(&set, &cands[i], false))
			abort();
		kept -= keep[i];
	}
	if (kept)
		abort();
out:
	sp_buf_release(&b);
	sp_arena_release(&a);
	return 0;
}
