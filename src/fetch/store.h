/*
 * The content-addressed artifact store: every downloaded file lives at
 * ROOT/ab/cd/<sha256 hex> (ab, cd: the first two byte pairs of the hex), so
 * a file is found by the hash the index gives for it, and a file that is in
 * the store has been checked against that hash.
 *
 * Files arrive through a temporary file in ROOT/tmp/ that is hashed while it
 * is written, flushed with fsync and renamed into place only when its hash
 * is the expected one; otherwise it is deleted and nothing is stored. A
 * writer holds an flock() on its temporary file, so the clean-up at open
 * removes exactly the files whose writer has died (the lock goes with the
 * process), whatever the process ids or clocks say.
 *
 * Ownership: sp_store_open() returns a store freed by sp_store_free(); a
 * struct sp_store_tmp is owned by its writer until sp_store_tmp_commit() or
 * sp_store_tmp_discard(), which both free it. Paths returned as char * are
 * the caller's to free().
 */
#ifndef SP_FETCH_STORE_H
#define SP_FETCH_STORE_H

#include <stdint.h>

#include "core/digest.h"
#include "core/error.h"

struct sp_store;
struct sp_store_tmp;

/*
 * The directory that holds every safepip cache (artifacts/, http/,
 * verdicts.sqlite): $SAFEPIP_CACHE_DIR when set and not empty, else
 * $XDG_CACHE_HOME/safepip, else ~/.cache/safepip when XDG_CACHE_HOME is
 * unset or not absolute (the XDG rule). NULL when none of them is usable.
 */
char *sp_store_cache_root(void);

/* ROOT/artifacts for the cache root above; NULL when there is none. */
char *sp_store_default_root(void);

/*
 * What one cache holds, for `safepip cache info`, or what prune and clean
 * removed. Times are Unix seconds of last use, 0 when there are no entries.
 */
struct sp_cache_usage {
	uint64_t entries;
	uint64_t bytes;
	int64_t oldest;
	int64_t newest;
};

/* Adds e (bytes, last used at when) to u. */
void sp_cache_usage_add(struct sp_cache_usage *u, uint64_t bytes, int64_t when);

/*
 * Counts the entries of the store at root into u (zeroed first). A root
 * that does not exist is an empty store. An entry's last use is its
 * modification time, which sp_store_lookup() refreshes.
 */
int sp_store_usage(const char *root, struct sp_cache_usage *u, struct sp_diag *d);

/*
 * Removes the entries of the store at root last used before the Unix time
 * before (INT64_MAX: every entry), the temporary files of dead writers and
 * the directories left empty; counts the removed entries into removed
 * (zeroed first). A process that looked an entry up just before it was
 * removed fails to link it and stops; nothing unscanned is ever installed.
 */
int sp_store_prune(const char *root, int64_t before, struct sp_cache_usage *removed,
		   struct sp_diag *d);

/*
 * Opens (creating it, mode 0700) the store at root, or at the default root
 * when root is NULL, and removes temporary files left by dead writers.
 */
int sp_store_open(struct sp_store **out, const char *root, struct sp_diag *d);
void sp_store_free(struct sp_store *s);
const char *sp_store_root(const struct sp_store *s);

/* Whether hex is 64 lower- or upper-case hex digits. */
int sp_store_valid_hex(const char *hex);

/* ROOT/ab/cd/<hex> for a valid hex (lower-cased), whether or not it exists. */
char *sp_store_path(const struct sp_store *s, const char *hex);

/*
 * Finds the file for hex and re-hashes it before handing it out: a store
 * under the user's home can be changed behind safepip's back (another tool,
 * a disk error, an attacker with the user's rights), and the scan and the
 * install must see the bytes the index vouched for. Hashing a local file
 * costs a small fraction of downloading it. A file whose content no longer
 * matches its name is deleted and reported as absent. A file found is
 * marked as used now (its modification time), for sp_store_prune().
 *
 * Returns 0 and the path in *path (may be NULL) and the size in *size (may
 * be NULL), SP_ENOENT when absent, or another SP_E* on I/O errors.
 */
int sp_store_lookup(struct sp_store *s, const char *hex, char **path, int64_t *size,
		    struct sp_diag *d);

/* Removes temporary files whose writer has died; returns how many. */
int sp_store_clean_tmp(struct sp_store *s);

/* A new locked temporary file in ROOT/tmp/. */
int sp_store_tmp_open(struct sp_store *s, struct sp_store_tmp **out, struct sp_diag *d);
/* Appends and hashes; SP_EIO on a write error (the file is then useless). */
int sp_store_tmp_write(struct sp_store_tmp *t, const void *p, size_t n);
/* Empties the file and the hash, for a retried download. */
int sp_store_tmp_rewind(struct sp_store_tmp *t);
int64_t sp_store_tmp_size(const struct sp_store_tmp *t);
/* Deletes the file and frees t (NULL is allowed). */
void sp_store_tmp_discard(struct sp_store_tmp *t);

/*
 * Finishes the file: computes its hash into hex_out, compares it with
 * expected (64 hex digits, or NULL to take whatever arrived), and on a match
 * fsyncs, renames it into place (a file already there has the same bytes,
 * so replacing it is atomic and harmless) and fsyncs the directory. On a
 * mismatch the file is deleted and d says "hash mismatch for '<what>':
 * expected X, got Y" with SP_EHASH. what names the source in messages (a
 * URL, already redacted). Frees t in every case;
 * *path (may be NULL) receives the stored path on success.
 */
int sp_store_tmp_commit(struct sp_store_tmp *t, const char *expected, const char *what,
			char hex_out[SP_SHA256_HEX], char **path, struct sp_diag *d);

/*
 * Copies the local file src into the store through a temporary file, as a
 * download would arrive (what names it in messages): checked against
 * expected when not NULL, never stored on a mismatch. For --find-links
 * directories, whose files are read rather than fetched.
 */
int sp_store_put_file(struct sp_store *s, const char *src, const char *expected, const char *what,
		      char hex_out[SP_SHA256_HEX], char **path, struct sp_diag *d);

#endif
