/*
 * Streaming, in-memory unpacking of everything safepip scans: wheels, sdists
 * (.tar.gz, .tar.bz2, .tar.xz, .tgz, .zip), plain zips, directories and single
 * files. Nothing is ever written to disk.
 *
 * Entries are handed to a callback one at a time, in archive order (zips in
 * central-directory order, as pip's zipfile sees them; directories sorted by
 * name). Every regular file is streamed through SHA-256 and its first bytes
 * kept for sniffing; its whole body is held in memory only when want() says
 * so (and never beyond SP_MAX_SOURCE_BYTES). Unsafe entries (traversal,
 * absolute paths, links, devices, duplicates) and caps that are hit are
 * reported through issue(), never followed; the entry itself is still passed
 * to entry() (with its normalised name) so its content is scanned, except
 * one whose name is over SP_MAX_PATH or cannot be decoded.
 *
 * Archives inside an archive (by name: .whl .zip .egg .tar.gz .tgz .tar.bz2
 * .tar.xz .tar; or by zip, gzip, bzip2 or xz magic) are passed on as a file
 * entry first, then opened from memory to SP_MAX_NESTING levels; their
 * entries are named "outer!/inner/path". Entry, byte and ratio caps count
 * every level together, so a bomb cannot hide one level down.
 *
 * Caps that end unpacking (entries, total bytes, ratio) end all of it, and
 * the call still returns 0: hitting a cap is a finding, not an error. The
 * same holds for an archive damaged part way (SP_UI_CORRUPT): what was read
 * before the damage has been passed on.
 *
 * Each call is independent and may run on any thread; callbacks run on the
 * calling thread. Caps are in core/limits.h.
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
	/*
	 * Bytes of content read (files, and links or special files that carry
	 * data), else 0. Past SP_MAX_ENTRY_BYTES it keeps counting while sha256
	 * and head stop, and complete is false.
	 */
	int64_t size;
	/*
	 * Symlinks and hardlinks, else NULL. In a zip a symlink's target is its
	 * data, which pip writes as an ordinary file: sha256, head, size and
	 * data (when wanted) then describe it as content.
	 */
	const char *link_target;
	unsigned mode;           /* permission bits as stored */
	unsigned depth;          /* archive nesting: 0 for the outer archive */
	/*
	 * false when the body was not read to its end: a cap, damage or
	 * encryption. sha256 then covers only what was read.
	 */
	bool complete;
	/* For files: SHA-256 of the whole content and its first bytes. */
	unsigned char sha256[SP_SHA256_LEN];
	unsigned char head[SP_ENTRY_HEAD];
	size_t head_len;
	/*
	 * The body, when want() asked for it, it fit SP_MAX_SOURCE_BYTES and it
	 * is complete: NUL-terminated past len (an empty body is "" and
	 * non-NULL). Owned by the unpacker and valid during the callback only;
	 * the callback may take it by setting data to NULL, after which it
	 * frees it with free().
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

/*
 * Callbacks; any may be NULL. Strings passed to them are valid during the
 * call only.
 */
struct sp_unpack_ops {
	/*
	 * Whether to keep the body of a file in memory; size_hint is the size
	 * the archive declares (untrusted) or -1. NULL: never.
	 */
	bool (*want)(void *ud, const char *path, int64_t size_hint);
	/* Called for every entry. A non-zero return stops unpacking and is returned. */
	int (*entry)(void *ud, struct sp_entry *e);
	/*
	 * Called for every unsafe entry and every cap hit: before entry() for
	 * that entry, except for a nested archive that cannot be opened (after
	 * it). Issues that end unpacking are followed by no more entries. path is the entry's display path, or the nested archive's
	 * for archive-wide issues, or NULL for the outer archive; detail is a
	 * lower-case explanation (a link's target for links) or NULL.
	 */
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

/*
 * Guesses the kind from a path (by name, case-insensitively, or stat() for
 * directories). sp_unpack_path() does not trust it: a file whose content
 * is an archive is opened as one whatever its name.
 */
enum sp_source_kind sp_unpack_kind(const char *path);

/*
 * Unpacks the archive, directory or single file at path (a single file is
 * one entry named by its base name). The SHA-256 of the whole file
 * (archives and single files; zeros for a directory) goes to sha256 when
 * not NULL. Directories are walked without following symlinks, and their
 * symlinks, devices, fifos and sockets are never opened. Returns 0 when
 * unpacking ran to its end or to a cap (issues are not errors), the
 * callback's non-zero return, or a negative SP_E* code with d filled in:
 * SP_ENOENT or SP_EIO when it cannot be opened or read (a file in a
 * directory included), SP_EFORMAT when a name that says archive holds no
 * archive, SP_EINVAL for a device or fifo.
 */
int sp_unpack_path(const char *path, const struct sp_unpack_ops *ops, void *ud,
		   unsigned char sha256[SP_SHA256_LEN], struct sp_diag *d);

/*
 * Unpacks an archive held in memory (len bytes, not copied; it must stay
 * valid during the call). name is used in messages and, when depth > 0, as
 * the prefix of entry paths ("name!/x"). depth is the nesting level (0 at
 * top); archives nested inside are opened while depth < SP_MAX_NESTING.
 * Returns as sp_unpack_path() does.
 */
int sp_unpack_memory(const void *p, size_t len, const char *name, unsigned depth,
		     const struct sp_unpack_ops *ops, void *ud, struct sp_diag *d);

/* One file of a list, for sp_unpack_files(). */
struct sp_unpack_file {
	const char *path; /* where it is: absolute, or relative to the working directory */
	const char *name; /* the entry's name in callbacks and findings */
};

/*
 * Unpacks a list of files that belong together but do not share a
 * directory: an installed distribution, whose RECORD lists files in its
 * site directory and scripts elsewhere. Each is one entry named by its
 * name, read as a directory walk reads files (the last component is never
 * followed: a symlink is an issue, a special file is never opened). A file
 * that no longer exists is skipped: the caller lists what it expects and
 * reports what is missing. Returns as sp_unpack_path() does.
 */
int sp_unpack_files(const struct sp_unpack_file *files, size_t n, const struct sp_unpack_ops *ops,
		    void *ud, struct sp_diag *d);

#endif
