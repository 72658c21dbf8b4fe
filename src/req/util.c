/*
 * Helpers shared by the parsers in src/req (see internal.h).
 */
#include "req/internal.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

void sp_req_quote(char *out, size_t size, const char *s, size_t len)
{
	size_t i, n = 0;

	if (size == 0)
		return;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[5];
		size_t k;

		if (c == '\'' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)c;
			k = 2;
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			k = 4;
		} else {
			tmp[0] = (char)c;
			k = 1;
		}
		/* Keep room for "..." and the NUL unless this is the last byte. */
		if (n + k + (i + 1 < len ? 4 : 1) > size) {
			if (n + 4 <= size) {
				memcpy(out + n, "...", 3);
				n += 3;
			}
			break;
		}
		memcpy(out + n, tmp, k);
		n += k;
	}
	out[n] = '\0';
}

void *sp_req_grow(struct sp_arena *a, void *arr, size_t n, size_t *cap, size_t elem)
{
	void *bigger;

	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 4;
	bigger = sp_arena_alloc(a, *cap * elem);
	if (n)
		memcpy(bigger, arr, n * elem);
	return bigger;
}
