/*
 * Project names: PEP 508 validity and PEP 503 normalisation.
 *
 * A valid name is ASCII letters and digits, with '-', '_' and '.' allowed
 * inside but not at either end. Normalising lower-cases it and turns every
 * run of '-', '_' and '.' into one '-', so "Foo.Bar_baz" and "foo-bar-baz"
 * name the same project. Normalisation is defined for any bytes (other
 * bytes are kept as they are), so it can be applied before validation.
 */
#ifndef SP_REQ_NAME_H
#define SP_REQ_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* Whether name (len bytes) is a valid PEP 508 project name. */
bool sp_name_valid(const char *name, size_t len);

/*
 * Writes the normalised form of name (len bytes) to out, which must hold
 * len + 1 bytes (the result is never longer), NUL-terminated. Returns its
 * length.
 */
size_t sp_name_normalize_buf(char *out, const char *name, size_t len);

/* The normalised form of a C string, as a new string (free() it). */
char *sp_name_normalize(const char *name);

/* Whether two names are the same project (compares normalised forms). */
bool sp_name_equal(const char *a, const char *b);

#endif
