/*
 * pip requirements files, read as pip 23.2 reads them: comments, backslash
 * continuations, ${VAR} expansion, -r/-c includes, per-requirement options
 * (--hash, --config-settings, --global-option, --install-option), the
 * file-level options pip accepts there, editables, URLs and local paths.
 * docs/requirements.md lists exactly what is supported and where safepip
 * is stricter than pip.
 *
 * Everything parsed lives in the struct's arena and is freed by
 * sp_reqfile_release(). One struct sp_reqfile can read several files
 * (several -r and -c on a command line); entries and options accumulate
 * in reading order.
 */
#ifndef SP_REQ_REQFILE_H
#define SP_REQ_REQFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "req/marker.h"
#include "req/requirement.h"

/* Where a line came from, for messages and "# via" comments. */
struct sp_origin {
	const char *file; /* as it was named (includes: joined to the including file's directory) */
	unsigned line;	  /* 1-based; a continued line has the number of its first line */
};

enum sp_reqfile_kind {
	SP_REQFILE_NAMED,    /* a PEP 508 requirement (possibly "name @ URL") */
	SP_REQFILE_URL,	     /* a bare URL: http(s), file, ftp or a VCS URL */
	SP_REQFILE_PATH,     /* a local archive or directory */
	SP_REQFILE_EDITABLE, /* -e PATH-or-URL */
};

struct sp_reqfile_hash {
	const char *algo; /* "sha256", "sha384" or "sha512" */
	const char *hex;  /* lower case, of the algorithm's length */
};

struct sp_reqfile_entry {
	enum sp_reqfile_kind kind;
	bool constraint;  /* read from a -c file */
	const char *text; /* the requirement as written (after ${VAR} expansion) */
	/* NAMED: the requirement, with the line's marker; NULL otherwise. */
	struct sp_requirement *req;
	/* URL, PATH, EDITABLE: the URL or path without extras and marker. */
	const char *location;
	/*
	 * The project name and version when known without fetching: NAMED's
	 * name; a wheel's name and version from its file name; a #egg= name.
	 */
	const char *name;
	const char *version;
	/* URL, PATH, EDITABLE: extras ("path[a,b]"), normalised. */
	const char **extras;
	size_t nextras;
	struct sp_marker *marker; /* URL, PATH: after "; " / ";"; NAMED: also in req */
	struct sp_reqfile_hash *hashes;
	size_t nhashes;
	const char **config_settings; /* "KEY=VALUE", in order */
	size_t nconfig_settings;
	const char **global_options;
	size_t nglobal_options;
	const char **install_options; /* accepted for old files; pip 23.2 itself refuses it */
	size_t ninstall_options;
	struct sp_origin origin;
};

/* A repeated option's value and where it was given. */
struct sp_reqfile_value {
	const char *value;
	struct sp_origin origin;
};

/* --no-binary and --only-binary, kept in order: each value changes the last. */
struct sp_reqfile_format {
	bool only_binary;  /* --only-binary, else --no-binary */
	const char *value; /* ":all:", ":none:" or comma-separated names, as written */
	struct sp_origin origin;
};

/* File-level options, for the command line to merge with its own. */
struct sp_reqfile_opts {
	const char *index_url; /* the last -i/--index-url, or NULL */
	struct sp_origin index_url_origin;
	struct sp_reqfile_value *extra_index_urls;
	size_t nextra_index_urls;
	struct sp_reqfile_value *find_links;
	size_t nfind_links;
	struct sp_reqfile_value *trusted_hosts;
	size_t ntrusted_hosts;
	struct sp_reqfile_value *features; /* --use-feature */
	size_t nfeatures;
	struct sp_reqfile_format *formats;
	size_t nformats;
	bool no_index;
	bool pre;
	bool prefer_binary;
	/* --require-hashes, or implied: any requirement has a --hash (as in pip). */
	bool require_hashes;
};

/*
 * Reads the file at path into out (at most max bytes, else SP_ELIMIT).
 * Returns 0 or an error with d set; used for every file, includes too.
 */
typedef int (*sp_reqfile_load_fn)(void *ctx, const char *path, size_t max, struct sp_buf *out,
				  struct sp_diag *d);

/* The value of environment variable name, or NULL. */
typedef const char *(*sp_reqfile_getenv_fn)(void *ctx, const char *name);

struct sp_reqfile {
	struct sp_arena arena;
	struct sp_reqfile_entry *entries;
	size_t nentries;
	struct sp_reqfile_opts opts;
	/* Set after init to change how files and variables are read. */
	sp_reqfile_load_fn load;     /* default: the file system */
	sp_reqfile_getenv_fn getenv; /* default: getenv() */
	void *ctx;		     /* passed to both */
	/* private */
	size_t cap_entries, nfiles;
	struct sp_reqfile_caps *caps;
};

void sp_reqfile_init(struct sp_reqfile *rf);
void sp_reqfile_release(struct sp_reqfile *rf);

/*
 * Reads the requirements (constraint false) or constraints file at path and
 * every file it includes, appending to rf. Relative -r/-c paths are joined
 * to the including file's directory; other relative paths stay as written
 * (pip reads those from the working directory). On error, d names the file
 * and line (d->file, d->line, and the message) and rf keeps what was read
 * before the error; the caller should not use it.
 */
int sp_reqfile_read(struct sp_reqfile *rf, const char *path, bool constraint, struct sp_diag *d);

/* The same for a file already in memory; name is used for messages and includes. */
int sp_reqfile_parse(struct sp_reqfile *rf, const char *name, const char *data, size_t len,
		     bool constraint, struct sp_diag *d);

#endif
