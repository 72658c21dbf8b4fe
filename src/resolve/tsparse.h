/*
 * One tree-sitter parse of a file from a package (pyproject.toml, setup.py)
 * under a time cap, for the static metadata readers.
 */
#ifndef SP_RESOLVE_TSPARSE_H
#define SP_RESOLVE_TSPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "core/error.h"

/*
 * Parses len bytes of text with lang, giving up after timeout_us. On 0 the
 * caller owns *tree (ts_tree_delete()); otherwise d says why, naming the
 * file as what.
 */
int sp_ts_parse(const TSLanguage *lang, const char *what, const char *text, size_t len,
		uint64_t timeout_us, TSTree **tree, struct sp_diag *d);

#endif
