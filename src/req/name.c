/*
 * Project names (see name.h). Normalisation follows PEP 503: every run of
 * '-', '_' and '.' becomes one '-', and ASCII letters are lower-cased.
 */
#include "req/name.h"

#include <string.h>

#include "core/xalloc.h"
#include "core/banned.h"

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_sep(unsigned char c)
{
	return c == '-' || c == '_' || c == '.';
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

bool sp_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || !is_alnum((unsigned char)name[0]) ||
	    !is_alnum((unsigned char)name[len - 1]))
		return false;
	for (i = 1; i + 1 < len; i++)
		if (!is_alnum((unsigned char)name[i]) && !is_sep((unsigned char)name[i]))
			return false;
	return true;
}

size_t sp_name_normalize_buf(char *out, const char *name, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (is_sep(c)) {
			if (n == 0 || out[n - 1] != '-' || !is_sep((unsigned char)name[i - 1]))
				out[n++] = '-';
			continue;
		}
		out[n++] = (char)lower(c);
	}
	out[n] = '\0';
	return n;
}

char *sp_name_normalize(const char *name)
{
	size_t len = strlen(name);
	char *out = xmalloc(len + 1);

	sp_name_normalize_buf(out, name, len);
	return out;
}

/* The next byte of the normalised form of *p, advancing *p; 0 at the end. */
static int next_norm(const char **p)
{
	unsigned char c = (unsigned char)**p;

	if (!c)
		return 0;
	if (is_sep(c)) {
		while (is_sep((unsigned char)**p))
			(*p)++;
		return '-';
	}
	(*p)++;
	return lower(c);
}

bool sp_name_equal(const char *a, const char *b)
{
	int ca, cb;

	do {
		ca = next_norm(&a);
		cb = next_norm(&b);
		if (ca != cb)
			return false;
	} while (ca);
	return true;
}
