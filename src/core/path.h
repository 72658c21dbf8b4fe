/*
 * Checks on paths named inside archives, which are untrusted text.
 */
#ifndef SP_CORE_PATH_H
#define SP_CORE_PATH_H

#include <stddef.h>

enum {
	SP_PATH_ABSOLUTE = 1 << 0, /* starts with '/', '\\' or a drive letter */
	SP_PATH_DOTDOT = 1 << 1,   /* a ".." component */
	SP_PATH_BACKSLASH = 1 << 2,
	SP_PATH_NUL = 1 << 3,      /* an embedded NUL byte */
	SP_PATH_CONTROL = 1 << 4,  /* control characters (newlines, escapes) */
	SP_PATH_EMPTY = 1 << 5,
};

/*
 * Returns SP_PATH_* flags for p (len bytes) and stores its number of
 * components in *depth (may be NULL).
 */
unsigned sp_path_check(const char *p, size_t len, unsigned *depth);

/*
 * Normalises an archive path in place: strips a leading "./", collapses
 * "//" and "/./", drops a trailing '/'. ".." is kept (it is reported, not
 * resolved). Returns the new length.
 */
size_t sp_path_normalize(char *p, size_t len);

/* The last component of p. */
const char *sp_path_base(const char *p);

/* Whether p ends with suffix (case-sensitive). */
int sp_str_endswith(const char *p, const char *suffix);

#endif
