/*
 * Helpers shared by the files of src/fetch, not part of its interface.
 */
#ifndef SP_FETCH_INTERNAL_H
#define SP_FETCH_INTERNAL_H

/*
 * $XDG_CACHE_HOME/safepip/LEAF, or ~/.cache/safepip/LEAF when XDG_CACHE_HOME
 * is unset or not absolute (the XDG rule); NULL when HOME is no better. The
 * caller frees the string.
 */
char *sp_fetch_cache_dir(const char *leaf);

#endif
