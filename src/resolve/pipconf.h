/*
 * pip's configuration, read the way pip 23.2 reads it, so a user's
 * pip.conf, PIP_* variables and command line reach the same indexes through
 * safepip as through pip.
 *
 * Sources, weakest first (a later one replaces an earlier value):
 *   built-in default < global files (XDG_CONFIG_DIRS/pip/pip.conf, then
 *   /etc/pip.conf) < user files (~/.pip/pip.conf, then
 *   $XDG_CONFIG_HOME/pip/pip.conf; skipped when PIP_CONFIG_FILE names an
 *   existing file) < site file (the target environment's pip.conf) <
 *   PIP_CONFIG_FILE < PIP_* variables < requirement files and command line.
 * Within the files, a command's section ([install], [download]) beats
 * [global]. PIP_CONFIG_FILE=/dev/null turns every file off. --isolated
 * (or PIP_ISOLATED) skips the user files and the variables. That is pip's
 * code, not its documentation, which lists PIP_CONFIG_FILE as weakest.
 *
 * List options (extra-index-url, find-links, trusted-host) take a
 * whitespace-separated list; a file or a variable replaces the whole list,
 * the command line appends to it, as optparse does for pip.
 *
 * Ownership: struct sp_pipconf owns every string it holds until
 * sp_pipconf_release(). Values may hold credentials: print them only
 * through a redacting function.
 */
#ifndef SP_RESOLVE_PIPCONF_H
#define SP_RESOLVE_PIPCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* The pip options safepip reads itself; everything else is pip's alone. */
enum sp_pipopt {
	SP_PIPOPT_CERT,
	SP_PIPOPT_CLIENT_CERT,
	SP_PIPOPT_EXTRA_INDEX_URL,
	SP_PIPOPT_FIND_LINKS,
	SP_PIPOPT_FORCE_REINSTALL,
	SP_PIPOPT_IGNORE_INSTALLED,
	SP_PIPOPT_INDEX_URL,
	SP_PIPOPT_ISOLATED,
	SP_PIPOPT_NO_BINARY,
	/*
	 * Honoured from the command line only: that is all the installer gets
	 * (its configuration files and PIP_* variables are switched off), and
	 * pip reads PIP_NO_BUILD_ISOLATION inverted.
	 */
	SP_PIPOPT_NO_BUILD_ISOLATION,
	SP_PIPOPT_NO_DEPS,
	SP_PIPOPT_NO_INDEX,
	SP_PIPOPT_ONLY_BINARY,
	SP_PIPOPT_PRE,
	SP_PIPOPT_PREFER_BINARY,
	SP_PIPOPT_PROXY,
	SP_PIPOPT_REQUIRE_HASHES,
	SP_PIPOPT_RETRIES,
	SP_PIPOPT_TIMEOUT,
	SP_PIPOPT_TRUSTED_HOST,
	SP_PIPOPT_UPGRADE,
	SP_PIPOPT_UPGRADE_STRATEGY,
	SP_PIPOPT__COUNT
};

/* Where a value came from, weakest first. */
enum sp_pipconf_origin {
	SP_ORIGIN_DEFAULT,
	SP_ORIGIN_GLOBAL,  /* a global pip.conf */
	SP_ORIGIN_USER,    /* a user pip.conf */
	SP_ORIGIN_SITE,    /* the environment's pip.conf */
	SP_ORIGIN_ENVFILE, /* the file PIP_CONFIG_FILE names */
	SP_ORIGIN_ENV,     /* a PIP_* variable */
	SP_ORIGIN_REQFILE, /* an option line in a requirements file */
	SP_ORIGIN_CMDLINE,
};

struct sp_pipconf_value {
	char **items;  /* one for scalars, any number for lists; NULL when unset */
	size_t n;
	enum sp_pipconf_origin origin;
	char *source;  /* file path, variable name or "command line"; NULL for defaults */
};

struct sp_pipconf {
	struct sp_pipconf_value v[SP_PIPOPT__COUNT];
};

/* Where pip would look; every field may be NULL (not looked at). */
struct sp_pipconf_paths {
	const char *const *global; /* NULL-terminated */
	const char *const *user;   /* NULL-terminated, legacy first */
	const char *site;
};

void sp_pipconf_init(struct sp_pipconf *c);
void sp_pipconf_release(struct sp_pipconf *c);

/*
 * pip's default file locations for this process: XDG_CONFIG_DIRS (else
 * /etc/xdg), /etc/pip.conf, ~/.pip/pip.conf, $XDG_CONFIG_HOME (else
 * ~/.config)/pip/pip.conf, and site_prefix/pip.conf when site_prefix is not
 * NULL (a virtual environment's directory). The strings live in *store,
 * freed with sp_pipconf_paths_release().
 */
struct sp_pipconf_pathstore {
	char *strings[8];
	const char *global[4];
	const char *user[3];
};
void sp_pipconf_default_paths(struct sp_pipconf_paths *p, struct sp_pipconf_pathstore *store,
			      const char *site_prefix);
void sp_pipconf_paths_release(struct sp_pipconf_pathstore *store);

/*
 * Loads the files in `paths` and the PIP_* variables of envp (NULL-
 * terminated "NAME=value" strings, usually environ) as pip does for the
 * command `cmd` ("install", "download"). A file that does not exist is
 * skipped; one that cannot be parsed, or a value of the wrong type, is an
 * error naming the file and line (or the variable).
 */
int sp_pipconf_load(struct sp_pipconf *c, const char *cmd, const struct sp_pipconf_paths *paths,
		    char *const *envp, struct sp_diag *d);

/*
 * The settings of one pip.conf's text (name is used in messages), as
 * sp_pipconf_load() applies each file: [global], then [cmd].
 */
int sp_pipconf_load_text(struct sp_pipconf *c, const char *cmd, const char *name,
			 const char *text, size_t len, enum sp_pipconf_origin origin,
			 struct sp_diag *d);

/*
 * Sets one option by its long name without dashes ("index-url", or an alias
 * such as "default-timeout"). A list option appends when origin is the
 * command line or a requirements file, and replaces otherwise. Returns
 * SP_ENOENT for a name safepip does not read (the caller decides whether
 * that matters), SP_EINVAL for a value of the wrong type.
 */
int sp_pipconf_set(struct sp_pipconf *c, const char *name, const char *value,
		   enum sp_pipconf_origin origin, const char *source, struct sp_diag *d);

/* The option's canonical long name ("index-url"). */
const char *sp_pipopt_name(enum sp_pipopt opt);
/* The option for a long name or alias, or -1. */
int sp_pipopt_lookup(const char *name);
const char *sp_pipconf_origin_name(enum sp_pipconf_origin o);

/* The last value of a scalar option, or NULL when unset. */
const char *sp_pipconf_str(const struct sp_pipconf *c, enum sp_pipopt opt);
/* A boolean option; false when unset. */
bool sp_pipconf_bool(const struct sp_pipconf *c, enum sp_pipopt opt);
/* A number option, or def when unset. */
double sp_pipconf_num(const struct sp_pipconf *c, enum sp_pipopt opt, double def);

/* pip's strtobool: 1 true, 0 false, -1 neither. */
int sp_strtobool(const char *s);

#endif
