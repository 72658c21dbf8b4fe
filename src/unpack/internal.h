/*
 * What the files of src/unpack share; nothing outside src/unpack includes
 * this. Module-internal functions are prefixed unpack_ (public ones sp_).
 *
 * One struct run lives for one call of sp_unpack_path() or
 * sp_unpack_memory() and holds what every nesting level counts against:
 * the callbacks, the byte and entry totals, the stop flag. One struct
 * level lives for one archive (or directory, or single file); nested
 * archives get a level whose parent is the level they were found in.
 */
#ifndef SP_UNPACK_INTERNAL_H
#define SP_UNPACK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "unpack/unpack.h"

struct archive;

/* Bytes asked of libarchive or read() at a time. */
#define UNPACK_CHUNK (64 * 1024)

/* Names seen in one archive, to find duplicates; strings live in the arena. */
struct unpack_names {
	struct unpack_name *slots;
	size_t cap, n;
	struct sp_arena arena;
};

struct run {
	const struct sp_unpack_ops *ops;
	void *ud;
	struct sp_diag *d;
	int64_t total;	       /* uncompressed bytes produced at every level */
	uint64_t entries;      /* entries seen at every level */
	uint64_t max_entries;  /* SP_MAX_ENTRIES, or SP_MAX_DIR_FILES for a directory */
	bool stop;	       /* a cap, the callback or an error ended the run */
	int rc;		       /* the callback's non-zero return, or a negative SP_E* */
	struct sp_sha256 *sha; /* per entry; bodies are read one at a time */
	char *chunk;	       /* UNPACK_CHUNK bytes, shared for the same reason */
};

struct level {
	struct run *run;
	struct level *parent;
	struct archive *a; /* NULL for a directory or a single file */
	const char *name;  /* display path of this archive; NULL at the top */
	unsigned depth;	   /* nesting: 0 for what the caller named */
	uint64_t entries;
	int64_t produced;   /* bytes produced here and in archives nested here */
	bool dead;	    /* damaged past repair: reported once, read no further */
	int64_t sparse_end; /* size of the current entry when it is sparse, else 0 */
	struct unpack_names names;
	struct sp_buf path; /* display path of the current entry */
};

void unpack_run_init(struct run *run, const struct sp_unpack_ops *ops, void *ud, struct sp_diag *d);
void unpack_run_release(struct run *run);
void unpack_level_init(struct level *lv, struct run *run, struct level *parent, struct archive *a,
		       const char *name, unsigned depth);
void unpack_level_release(struct level *lv);
/* Sets lv->path to the level's prefix ("outer!/") followed by n bytes of p. */
const char *unpack_level_path(struct level *lv, const char *p, size_t n);

/* Reports an issue; fmt may be NULL for no detail. */
void unpack_issue(struct level *lv, enum sp_unpack_issue issue, const char *path, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));
/* Ends the whole run (every level) after a cap was hit; the run still returns 0. */
void unpack_stop(struct level *lv);

/*
 * Counts one more entry against SP_MAX_ENTRIES and run->max_entries;
 * false (with the issue reported and the run stopped) when over.
 */
bool unpack_count_entry(struct level *lv, const char *path);

/*
 * Counts n bytes produced at lv against the total and, for every archive
 * from lv up, the expansion ratio; false (reported, run stopped) when over.
 */
bool unpack_count_bytes(struct level *lv, const char *path, int64_t n);

/*
 * Reads the body of one entry from lv->a (or from fd when lv->a is NULL),
 * fills e (sha256, head, size, complete, data, too_large), hands it to the
 * callback, and opens it when it is an archive. e->path must be set.
 * Returns 0 or the callback's non-zero return.
 */
int unpack_file(struct level *lv, struct sp_entry *e, int64_t size_hint, int fd);

/*
 * Fills e's content fields from n bytes already in memory (a zip symlink's
 * target, which is its data), counting them; false when a cap ended the run.
 */
bool unpack_bytes(struct level *lv, struct sp_entry *e, const char *p, size_t n);

/* Hands e to the callback and frees e->data when the callback left it. */
int unpack_emit(struct level *lv, struct sp_entry *e);

/* Reads and discards what is left of the current libarchive entry, counting it. */
void unpack_drain(struct level *lv, const char *path);

/* Unpacks every entry of the open archive lv->a. Returns 0 or the callback's return. */
int unpack_archive(struct level *lv);

/*
 * Opens an archive held in memory as a level nested in parent; strong when
 * its name says it is an archive (a failure to open it is then reported).
 */
int unpack_nested(struct level *parent, const char *path, const void *p, size_t len, bool strong);

/* Walks the directory open at dfd (which it closes) as the level lv. */
int unpack_dir(struct level *lv, int dfd, const char *dirpath);

/* A new libarchive reader for the formats and filters safepip accepts. */
struct archive *unpack_reader_new(void);
/*
 * Runs archive_read_open1() under a UTF-8 character type so names are not
 * mangled by the "C" locale. Returns libarchive's status.
 */
int unpack_reader_open(struct archive *a);
/*
 * Opens a on len bytes at p (archive_read_open_memory(), but through
 * unpack_reader_open()). Seekable, so zips are read by their central
 * directory as pip reads them. m must outlive a.
 */
struct unpack_mem {
	const char *p;
	size_t len, pos;
};
int unpack_open_memory(struct archive *a, struct unpack_mem *m, const void *p, size_t len);

/* Names whose suffix says archive (.whl .zip .egg .tar.gz .tgz .tar.bz2 .tar.xz .tar). */
bool unpack_archive_name(const char *path);
/* Whether head starts with the magic of a format or filter unpack reads. */
bool unpack_archive_magic(const unsigned char *head, size_t len, bool *zip);

/* 1 when name was seen before (*was_dir tells what it was), else 0 and it is added. */
int unpack_names_add(struct unpack_names *s, const char *name, size_t len, bool dir, bool *was_dir);
void unpack_names_init(struct unpack_names *s);
void unpack_names_release(struct unpack_names *s);

#endif
