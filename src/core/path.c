#include "core/path.h"

#include <string.h>

#include "core/banned.h"

unsigned sp_path_check(const char *p, size_t len, unsigned *depth)
{
	unsigned flags = 0, n = 0;
	size_t i, start = 0;

	if (len == 0)
		flags |= SP_PATH_EMPTY;
	if (len && (p[0] == '/' || p[0] == '\\'))
		flags |= SP_PATH_ABSOLUTE;
	if (len >= 2 && p[1] == ':' && ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z'))
		flags |= SP_PATH_ABSOLUTE;
	for (i = 0; i <= len; i++) {
		char c = i < len ? p[i] : '/';

		if (i < len) {
			if (c == '\0')
				flags |= SP_PATH_NUL;
			else if ((unsigned char)c < 0x20 || c == 0x7f)
				flags |= SP_PATH_CONTROL;
			if (c == '\\')
				flags |= SP_PATH_BACKSLASH;
		}
		if (c == '/' || c == '\\') {
			size_t clen = i - start;

			if (clen == 2 && p[start] == '.' && p[start + 1] == '.')
				flags |= SP_PATH_DOTDOT;
			if (clen && !(clen == 1 && p[start] == '.'))
				n++;
			start = i + 1;
		}
	}
	if (depth)
		*depth = n;
	return flags;
}

size_t sp_path_normalize(char *p, size_t len)
{
	size_t r = 0, w = 0;

	while (len - r >= 2 && p[r] == '.' && p[r + 1] == '/')
		r += 2;
	while (r < len) {
		if (p[r] == '/') {
			if (w > 0 && p[w - 1] == '/') {
				r++;
				continue;
			}
			if (r + 2 <= len && p[r + 1] == '.' && (r + 2 == len || p[r + 2] == '/')) {
				r += 2;
				continue;
			}
		}
		p[w++] = p[r++];
	}
	while (w > 1 && p[w - 1] == '/')
		w--;
	if (w < len)
		p[w] = '\0';
	return w;
}

const char *sp_path_base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

int sp_str_endswith(const char *p, const char *suffix)
{
	size_t a = strlen(p), b = strlen(suffix);

	return a >= b && memcmp(p + a - b, suffix, b) == 0;
}
