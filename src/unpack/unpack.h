/*
 * Streaming, in-memory unpacking of everything safepip scans: wheels, sdists
 * (.tar.gz, .tar.bz2, .tar.xz, .tgz, .zip), plain zips, directories and single
 * files. Nothing is ever written to disk.
 *
 * Entries are handed to a callback one at a time, in archive order. Every
 * regular file is streamed through SHA-256 and its first bytes kept for
 * sniffing; its whole body is held in memory only when want() says so (and
 * never beyond SP_MAX_SOURCE_BYTES). Unsafe entries (traversal, absolute
 * paths, links, devices, duplicates) and caps that are hit are reported
 * through issue(), never followed. Archives inside an archive are opened
 * to SP_MAX_NESTING levels; their entries are named "outer!/inner/path".
 *
 * Caps are in core/limits.h.
 */
#ifndef SP_UNPACK_UNPACK_H
#define SP_UNPACK_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/error.h"

enum sp_entry_type {
	SP_ENTRY_FILE,
	SP_ENTRY_DIR,
	SP_ENTRY_SYMLINK,
	SP_ENTRY_HARDLINK,
	SP_ENTRY_DEVICE, /* character or block device */
	SP_ENTRY_FIFO,
	SP_ENTRY_SOCKET,
	SP_ENTRY_OTHER,
};

#define SP_ENTRY_HEAD 64

struct sp_entry {
	const char *path;        /* normalised (sp_path_normalize), NUL-terminated */
	enum sp_entry_type type;
	int64_t size;            /* bytes of content read (files), else 0 */
	const char *link_target; /* symlinks and hardlinks, else NULL */
	unsigned mode;           /* permission bits as stored */
	unsigned depth;          /* archive nesting: 0 for the outer archive */
	bool complete;           /* false when the body was cut short by a cap */
	/* For files: SHA-256 of the whole content and its first bytes. */
	unsigned char sha256[SP_SHA256_LEN];
	unsigned char head[SP_ENTRY_HEAD];
	size_t head_len;
	/*
	 * The body, when want() asked for it and it fit SP_MAX_SOURCE_BYTES:
	 * NUL-terminated past len. Owned by the unpacker and valid during the
	 * callback only; the callback may take it by setting data to NULL,
	 * after which it frees it with free().
	 */
	char *data;
	size_t len;
	/* Set when want() asked for the body but it exceeded the source cap. */
	bool too_large;
};

enum sp_unpack_issue {
	SP_UI_TRAVERSAL,       /* a ".." component */
	SP_UI_ABSOLUTE,        /* absolute path or drive letter */
	SP_UI_BAD_PATH,        /* NUL, control characters or backslashes in a name */
	SP_UI_SYMLINK,
	SP_UI_HARDLINK,
	SP_UI_DEVICE,          /* device, fifo or socket */
	SP_UI_DUPLICATE,       /* a name seen before in the same archive */
	SP_UI_PATH_TOO_LONG,   /* SP_MAX_PATH */
	SP_UI_TOO_DEEP,        /* SP_MAX_PATH_DEPTH */
	SP_UI_ENTRY_TOO_LARGE, /* SP_MAX_ENTRY_BYTES; the entry is cut short */
	SP_UI_TOO_MANY_ENTRIES,/* SP_MAX_ENTRIES; unpacking stops */
	SP_UI_TOTAL_TOO_LARGE, /* SP_MAX_TOTAL_BYTES; unpacking stops */
	SP_UI_BOMB,            /* SP_MAX_RATIO; unpacking stops */
	SP_UI_NESTING,         /* SP_MAX_NESTING or SP_MAX_NESTED_BYTES */
	SP_UI_ENCRYPTED,       /* an encrypted entry, which cannot be scanned */
	SP_UI_CORRUPT,         /* the archive is damaged past this point */
};

/* A short, lower-case, stable name for an issue ("traversal", "bomb"). */
const char *sp_unpack_issue_name(enum sp_unpack_issue issue);

struct sp_unpack_ops {
	/* Whether to keep the body of a file in memory. May be NULL: never. */
	bool (*want)(void *ud, const char *path, int64_t size_hint);
	/* Called for every entry. A non-zero return stops unpacking and is returned. */
	int (*entry)(void *ud, struct sp_entry *e);
	/* Called for every unsafe entry and every cap hit; detail may be NULL. */
	void (*issue)(void *ud, enum sp_unpack_issue issue, const char *path, const char *detail);
};

enum sp_source_kind {
	SP_SOURCE_UNKNOWN,
	SP_SOURCE_WHEEL, /* .whl */
	SP_SOURCE_SDIST, /* .tar.gz .tgz .tar.bz2 .tar.xz, or a .zip with PKG-INFO at its root */
	SP_SOURCE_ZIP,   /* any other zip (.zip, .egg) */
	SP_SOURCE_TAR,
	SP_SOURCE_DIR,
	SP_SOURCE_FILE,
};

/* Guesses the kind from a path (by name, or stat() for directories). */
enum sp_source_kind sp_unpack_kind(const char *path);

/*
 * Unpacks the archive, directory or single file at path. The SHA-256 of
 * the whole file (archives and single files) goes to sha256 when not NULL.
 * Returns 0 when every entry was visited (issues are not errors), the
 * callback's non-zero return, or a negative SP_E* code with d filled in
 * (file cannot be opened, not an archive at all).
 */
int sp_unpack_path(const char *path, const struct sp_unpack_ops *ops, void *ud,
		   unsigned char sha256[SP_SHA256_LEN], struct sp_diag *d);

/*
 * Unpacks an archive held in memory (len bytes); name is used in messages
 * and to prefix nested entry paths. depth is the nesting level (0 at top).
 */
int sp_unpack_memory(const void *p, size_t len, const char *name, unsigned depth,
		     const struct sp_unpack_ops *ops, void *ud, struct sp_diag *d);

#endif
