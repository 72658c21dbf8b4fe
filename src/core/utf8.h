/*
 * Package text (paths, snippets, metadata) is untrusted and may be invalid
 * UTF-8; reports must stay valid. sp_utf8_clean() returns a new string
 * (free() it) where every invalid sequence is replaced by U+FFFD.
 */
#ifndef SP_CORE_UTF8_H
#define SP_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

char *sp_utf8_clean(const char *s, size_t len);

#endif
