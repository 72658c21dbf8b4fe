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

/* mkdir -p, mode 0700 for the directories it creates; 0 or -1 with errno. */
int sp_fetch_mkdirs(const char *path);

#endif
