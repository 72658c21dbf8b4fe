/*
 * pip requirements files (see reqfile.h and docs/requirements.md).
 *
 * The steps are pip 23.2's, in its order:
 *   1. split into lines as Python's str.splitlines() does;
 *   2. join lines ending in '\' with the next one (not comment lines; all
 *      backslashes at either end of a joined line are dropped, and a
 *      comment line ends the join), numbering the result by its first line;
 *   3. cut comments: from the first '#' at the start or after whitespace;
 *      strip, and skip empty lines;
 *   4. expand ${NAME} (NAME of A-Z, 0-9, _) from the environment, unset or
 *      empty variables left as written;
 *   5. split at single spaces: the words before the first one starting
 *      with '-' are the requirement, the rest are options, which are split
 *      like a POSIX shell and parsed as optparse does (unique prefixes of
 *      long options, "--opt=value", "--opt value", "-rvalue").
 * Where pip silently ignores something (an option on a line where it has
 * no effect, a stray word after the options, a second -r on a line) this
 * reader refuses the file instead: whatever pip would skip, safepip could
 * not check.
 */
#include "req/reqfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/xalloc.h"
#include "req/filename.h"
#include "req/internal.h"
#include "req/name.h"
#include "core/banned.h"

struct sp_reqfile_caps {
	size_t extra_index_urls, find_links, trusted_hosts, features, formats;
};

/* The files being read, innermost first, for cycle detection. */
struct frame {
	const struct frame *up;
	const char *id; /* real path, or the name when there is none */
	const char *name;
};

/* One logical line being handled. */
struct line {
	struct sp_reqfile *rf;
	struct sp_diag *d;
	const char *file;
	unsigned lineno;
	bool constraint;
	unsigned depth;
	const struct frame *stack;
};

static int read_file(struct sp_reqfile *rf, const char *path, const char *id, const char *data,
		     size_t len, bool constraint, unsigned depth, const struct frame *stack,
		     struct sp_diag *d);
static int include(struct line *l, const char *path, bool constraint);

/* --- messages --- */

static int lfail(struct line *l, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lfail(struct line *l, int err, const char *fmt, ...)
{
	char msg[SP_DIAG_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->d) {
		sp_diag_file(l->d, l->file);
		l->d->line = l->lineno;
	}
	return sp_diag_set(l->d, err, "%s at %s:%u", msg, l->file, l->lineno);
}

/* Prefixes a message from another parser with the position. */
static int lwrap(struct line *l, int err)
{
	char inner[SP_DIAG_TEXT];

	snprintf(inner, sizeof(inner), "%s", l->d ? l->d->msg : "");
	return lfail(l, err, "%s", inner);
}

static const char *quote(char *buf, size_t size, const char *s)
{
	sp_req_quote(buf, size, s, strlen(s));
	return buf;
}

/* --- reading --- */

static int load_disk(void *ctx, const char *path, size_t max, struct sp_buf *out, struct sp_diag *d)
{
	char buf[65536], q[SP_REQ_QUOTE_MAX];
	int fd, err = 0;

	(void)ctx;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sp_diag_set(d, errno == ENOENT ? SP_ENOENT : SP_EIO,
				   "cannot read requirements file '%s': %s",
				   quote(q, sizeof(q), path), strerror(errno));
	sp_buf_init(out, max);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = sp_diag_set(d, SP_EIO, "cannot read requirements file '%s': %s",
					  quote(q, sizeof(q), path), strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (sp_buf_add(out, buf, (size_t)n)) {
			err = sp_diag_set(d, SP_ELIMIT,
					  "requirements file '%s' is larger than "
					  "SP_MAX_REQFILE_BYTES",
					  quote(q, sizeof(q), path));
			break;
		}
	}
	close(fd);
	return err;
}

static const char *env_default(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

void sp_reqfile_init(struct sp_reqfile *rf)
{
	memset(rf, 0, sizeof(*rf));
	sp_arena_init(&rf->arena);
	rf->caps = sp_arena_alloc(&rf->arena, sizeof(*rf->caps));
	rf->load = load_disk;
	rf->getenv = env_default;
}

void sp_reqfile_release(struct sp_reqfile *rf)
{
	sp_arena_release(&rf->arena);
	memset(rf, 0, sizeof(*rf));
}

/* --- text helpers --- */

/*
 * The length of the line break at p (0 if none): what Python's
 * str.splitlines() splits at, in UTF-8.
 */
static size_t line_break(const char *p, const char *end)
{
	unsigned char c = (unsigned char)*p;

	if (c == '\r')
		return p + 1 < end && p[1] == '\n' ? 2 : 1;
	if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e))
		return 1;
	if (c == 0xc2 && p + 1 < end && (unsigned char)p[1] == 0x85)
		return 2;
	if (c == 0xe2 && p + 2 < end && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] == 0xa8 || (unsigned char)p[2] == 0xa9))
		return 3;
	return 0;
}

/* Whether s is valid UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
static bool utf8_ok(const unsigned char *s, size_t n, size_t *bad)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k, need;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			*bad = i;
			return false;
		}
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80) {
				*bad = i;
				return false;
			}
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff))) {
			*bad = i;
			return false;
		}
		i += need + 1;
	}
	return true;
}

/* Whether the line is a comment line for joining: '#' after optional whitespace. */
static bool comment_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && sp_req_space(s[i]))
		i++;
	return i < n && s[i] == '#';
}

/* --- options --- */

enum opt_id {
	O_INDEX_URL,
	O_EXTRA_INDEX_URL,
	O_NO_INDEX,
	O_CONSTRAINT,
	O_REQUIREMENT,
	O_EDITABLE,
	O_FIND_LINKS,
	O_NO_BINARY,
	O_ONLY_BINARY,
	O_PREFER_BINARY,
	O_REQUIRE_HASHES,
	O_PRE,
	O_TRUSTED_HOST,
	O_USE_FEATURE,
	O_GLOBAL_OPTION,
	O_INSTALL_OPTION,
	O_HASH,
	O_CONFIG_SETTINGS,
	O_COUNT
};

static const struct {
	const char *name; /* long form, without "--" */
	enum opt_id id;
	bool value;
} long_opts[] = {
	{"index-url", O_INDEX_URL, true},
	{"pypi-url", O_INDEX_URL, true},
	{"extra-index-url", O_EXTRA_INDEX_URL, true},
	{"no-index", O_NO_INDEX, false},
	{"constraint", O_CONSTRAINT, true},
	{"requirement", O_REQUIREMENT, true},
	{"editable", O_EDITABLE, true},
	{"find-links", O_FIND_LINKS, true},
	{"no-binary", O_NO_BINARY, true},
	{"only-binary", O_ONLY_BINARY, true},
	{"prefer-binary", O_PREFER_BINARY, false},
	{"require-hashes", O_REQUIRE_HASHES, false},
	{"pre", O_PRE, false},
	{"trusted-host", O_TRUSTED_HOST, true},
	{"use-feature", O_USE_FEATURE, true},
	{"global-option", O_GLOBAL_OPTION, true},
	{"install-option", O_INSTALL_OPTION, true},
	{"hash", O_HASH, true},
	{"config-settings", O_CONFIG_SETTINGS, true},
};

static const struct {
	char c;
	enum opt_id id;
} short_opts[] = {
	{'i', O_INDEX_URL}, {'c', O_CONSTRAINT}, {'r', O_REQUIREMENT},
	{'e', O_EDITABLE},  {'f', O_FIND_LINKS}, {'C', O_CONFIG_SETTINGS},
};

static const char *opt_name(enum opt_id id)
{
	size_t i;

	for (i = 0; i < sizeof(long_opts) / sizeof(long_opts[0]); i++)
		if (long_opts[i].id == id)
			return long_opts[i].name;
	return "?";
}

/* Options that belong to a requirement line. */
static bool per_requirement(enum opt_id id)
{
	return id == O_HASH || id == O_CONFIG_SETTINGS || id == O_GLOBAL_OPTION ||
	       id == O_INSTALL_OPTION;
}

/* One option as given on a line. */
struct opt {
	enum opt_id id;
	const char *value; /* NULL for flags */
};

struct parsed {
	struct opt *opts;
	size_t n, cap;
};

/*
 * Splits s like Python's shlex.split() (POSIX mode, no comments) into
 * arena strings. Fails on an unclosed quote or a trailing backslash.
 */
static int shell_split(struct line *l, const char *s, char ***argv, size_t *argc)
{
	size_t len = strlen(s), cap = 0, i = 0;
	char *tok = sp_arena_alloc(&l->rf->arena, len + 1);

	*argv = NULL;
	*argc = 0;
	while (i < len) {
		size_t n = 0;

		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i == len)
			break;
		while (i < len && !(s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) {
			char c = s[i++];

			if (c == '\\') {
				if (i == len)
					return lfail(l, SP_EPARSE,
						     "cannot split options: a '\\' at the end");
				tok[n++] = s[i++];
			} else if (c == '\'') {
				const char *q = memchr(s + i, '\'', len - i);

				if (!q)
					return lfail(l, SP_EPARSE,
						     "cannot split options: no closing quotation");
				memcpy(tok + n, s + i, (size_t)(q - (s + i)));
				n += (size_t)(q - (s + i));
				i = (size_t)(q - s) + 1;
			} else if (c == '"') {
				for (;;) {
					if (i == len)
						return lfail(l, SP_EPARSE,
							     "cannot split options: no "
							     "closing quotation");
					c = s[i++];
					if (c == '"')
						break;
					if (c == '\\' && i < len && (s[i] == '"' || s[i] == '\\'))
						c = s[i++];
					tok[n++] = c;
				}
			} else {
				tok[n++] = c;
			}
		}
		*argv = sp_req_grow(&l->rf->arena, *argv, *argc, &cap, sizeof(**argv));
		(*argv)[(*argc)++] = sp_arena_strndup(&l->rf->arena, tok, n);
	}
	return 0;
}

static void add_opt(struct line *l, struct parsed *p, enum opt_id id, const char *value)
{
	p->opts = sp_req_grow(&l->rf->arena, p->opts, p->n, &p->cap, sizeof(*p->opts));
	p->opts[p->n].id = id;
	p->opts[p->n++].value = value;
}

/* Parses argv as optparse does with pip's options. */
static int parse_options(struct line *l, char **argv, size_t argc, struct parsed *p)
{
	char q[SP_REQ_QUOTE_MAX];
	size_t i, j;

	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--")) {
			if (i + 1 < argc)
				return lfail(l, SP_EPARSE, "unexpected argument '%s' after options",
					     quote(q, sizeof(q), argv[i + 1]));
			break;
		}
		if (!strncmp(arg, "--", 2)) {
			const char *eq = strchr(arg, '=');
			size_t nlen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
			int match = -1;
			bool ambiguous = false;

			for (j = 0; j < sizeof(long_opts) / sizeof(long_opts[0]); j++) {
				if (strncmp(long_opts[j].name, arg + 2, nlen))
					continue;
				if (strlen(long_opts[j].name) == nlen) {
					match = (int)j;
					ambiguous = false;
					break;
				}
				/* Aliases of one option are not ambiguous with each other. */
				if (match >= 0 && long_opts[match].id != long_opts[j].id)
					ambiguous = true;
				if (match < 0)
					match = (int)j;
			}
			if (match < 0 || nlen == 0) {
				char name[SP_REQ_QUOTE_MAX];

				sp_req_quote(name, sizeof(name), arg, nlen + 2);
				return lfail(l, SP_EPARSE,
					     "unknown option '%s' (see docs/requirements.md)",
					     name);
			}
			if (ambiguous) {
				char name[SP_REQ_QUOTE_MAX];

				sp_req_quote(name, sizeof(name), arg, nlen + 2);
				return lfail(l, SP_EPARSE, "ambiguous option '%s'", name);
			}
			if (!long_opts[match].value) {
				if (eq)
					return lfail(l, SP_EPARSE, "option '--%s' takes no value",
						     long_opts[match].name);
				add_opt(l, p, long_opts[match].id, NULL);
			} else if (eq) {
				add_opt(l, p, long_opts[match].id, eq + 1);
			} else if (i + 1 < argc) {
				add_opt(l, p, long_opts[match].id, argv[++i]);
			} else {
				return lfail(l, SP_EPARSE, "option '--%s' needs a value",
					     long_opts[match].name);
			}
			continue;
		}
		if (arg[0] == '-' && arg[1]) {
			for (j = 0; j < sizeof(short_opts) / sizeof(short_opts[0]); j++)
				if (short_opts[j].c == arg[1])
					break;
			if (j == sizeof(short_opts) / sizeof(short_opts[0])) {
				char name[3] = {'-', arg[1], '\0'};

				return lfail(l, SP_EPARSE,
					     "unknown option '%s' (see docs/requirements.md)",
					     quote(q, sizeof(q), name));
			}
			if (arg[2])
				add_opt(l, p, short_opts[j].id, arg + 2);
			else if (i + 1 < argc)
				add_opt(l, p, short_opts[j].id, argv[++i]);
			else
				return lfail(l, SP_EPARSE, "option '-%c' needs a value", arg[1]);
			continue;
		}
		return lfail(l, SP_EPARSE,
			     "unexpected argument '%s' after options (a requirement goes first)",
			     quote(q, sizeof(q), arg));
	}
	return 0;
}

/* --- requirement lines --- */

static bool has_prefix_ci(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

/* pip's is_url(): a scheme it can install from. */
static bool is_url(const char *s)
{
	static const char *const schemes[] = {
		"http:",      "https:",	   "file:",	 "ftp:",      "git+http:",
		"git+https:", "git+ssh:",  "git+git:",	 "git+file:", "git:",
		"hg+file:",   "hg+http:",  "hg+https:",	 "hg+ssh:",   "hg+static-http:",
		"svn+ssh:",   "svn+http:", "svn+https:", "svn+svn:",  "svn+file:",
		"svn:",	      "bzr+http:", "bzr+https:", "bzr+ssh:",  "bzr+sftp:",
		"bzr+ftp:",   "bzr+lp:",   "bzr+file:",
	};
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (has_prefix_ci(s, schemes[i]))
			return true;
	return false;
}

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !strncasecmp(s + n - k, suffix, k);
}

/* pip's is_archive_file(). */
static bool is_archive(const char *s, size_t n)
{
	static const char *const exts[] = {".whl", ".zip",     ".tar.gz", ".tgz",
					   ".tar", ".tar.bz2", ".tbz",	  ".tar.xz",
					   ".txz", ".tlz",     ".tar.lz", ".tar.lzma"};
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with_ci(s, n, exts[i]))
			return true;
	return false;
}

static bool looks_like_path(const char *s)
{
	return strchr(s, '/') || s[0] == '.';
}

/* Splits a trailing "[extras]" off location into entry->extras. */
static int strip_extras(struct line *l, struct sp_reqfile_entry *e, char *location)
{
	size_t n = strlen(location);
	char *open, *text;
	struct sp_requirement *r;
	int err;

	if (n < 3 || location[n - 1] != ']')
		return 0;
	open = strrchr(location, '[');
	if (!open || open == location || memchr(open, ']', (size_t)(location + n - 1 - open)) ||
	    open + 1 == location + n - 1)
		return 0;
	text = sp_arena_alloc(&l->rf->arena, n + 12);
	snprintf(text, n + 12, "placeholder%s", open);
	err = sp_requirement_parse(&l->rf->arena, text, strlen(text), &r, l->d);
	if (err)
		return lwrap(l, err);
	e->extras = r->extras;
	e->nextras = r->nextras;
	*open = '\0';
	return 0;
}

/* The name (and version) a URL or path gives away: a wheel file name or #egg=. */
static void name_from_location(struct line *l, struct sp_reqfile_entry *e)
{
	const char *loc = e->location, *end, *base, *egg;
	size_t n;

	egg = strstr(loc, "#egg=");
	if (!egg)
		egg = strstr(loc, "&egg=");
	if (egg) {
		egg += 5;
		n = strcspn(egg, "&");
		if (sp_name_valid(egg, n))
			e->name = sp_arena_strndup(&l->rf->arena, egg, n);
	}
	end = loc + strcspn(loc, "?#");
	for (base = end; base > loc && base[-1] != '/'; base--)
		;
	n = (size_t)(end - base);
	if (ends_with_ci(base, n, ".whl")) {
		char *file = sp_arena_strndup(&l->rf->arena, base, n);
		struct sp_wheel_name w;

		if (sp_wheel_name_parse(&l->rf->arena, file, &w, NULL) == 0) {
			e->name = w.name;
			e->version = w.version_text;
		}
	}
}

static int parse_marker_text(struct line *l, const char *text, struct sp_marker **out)
{
	size_t n = strlen(text), i = 0;
	int err;

	*out = NULL;
	while (i < n && sp_req_space(text[i]))
		i++;
	while (n > i && sp_req_space(text[n - 1]))
		n--;
	if (i == n)
		return 0;
	err = sp_marker_parse(&l->rf->arena, text + i, n - i, out, l->d);
	return err ? lwrap(l, err) : 0;
}

static char *trim(struct sp_arena *a, const char *s, size_t n)
{
	while (n && sp_req_space(*s)) {
		s++;
		n--;
	}
	while (n && sp_req_space(s[n - 1]))
		n--;
	return sp_arena_strndup(a, s, n);
}

/* Fills e from the requirement words of a line, as pip's parse_req_from_line. */
static int requirement_line(struct line *l, struct sp_reqfile_entry *e, const char *args)
{
	struct sp_arena *a = &l->rf->arena;
	bool url = is_url(args);
	const char *sep = strstr(args, url ? "; " : ";");
	char *name = trim(a, args, sep ? (size_t)(sep - args) : strlen(args));
	char q[SP_REQ_QUOTE_MAX];
	int err;

	e->text = args;
	if (sep && (err = parse_marker_text(l, sep + (url ? 2 : 1), &e->marker)))
		return err;
	if (url) {
		e->kind = SP_REQFILE_URL;
		e->location = name;
		name_from_location(l, e);
		return 0;
	}
	if ((err = strip_extras(l, e, name)))
		return err;
	if (is_archive(name, strlen(name))) {
		const char *at = strchr(name, '@');

		if (!at || looks_like_path(sp_arena_strndup(a, name, (size_t)(at - name)))) {
			e->kind = SP_REQFILE_PATH;
			e->location = name;
			name_from_location(l, e);
			return 0;
		}
	} else if (looks_like_path(name)) {
		e->kind = SP_REQFILE_PATH;
		e->location = name;
		return 0;
	}
	/* A PEP 508 requirement: what came before ';', with the line's marker. */
	e->kind = SP_REQFILE_NAMED;
	e->nextras = 0;
	e->extras = NULL;
	name = trim(a, args, sep ? (size_t)(sep - args) : strlen(args));
	err = sp_requirement_parse(a, name, strlen(name), &e->req, l->d);
	if (err) {
		if (strchr(name, '=') && !strpbrk(name, "<>!~") && !strstr(name, "=="))
			return lfail(l, err, "%s (hint: '=' is not an operator; use '==')",
				     l->d ? l->d->msg : quote(q, sizeof(q), name));
		return lwrap(l, err);
	}
	e->req->marker = e->marker;
	e->name = e->req->name;
	return 0;
}

static bool hex_ok(const char *s, size_t want)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return i == want;
}

static int add_hash(struct line *l, struct sp_reqfile_entry *e, size_t *cap, const char *value)
{
	static const struct {
		const char *algo;
		size_t hexlen;
	} algos[] = {{"sha256", 64}, {"sha384", 96}, {"sha512", 128}};
	const char *colon = strchr(value, ':');
	char q[SP_REQ_QUOTE_MAX], *hex;
	size_t i, k;

	if (!colon)
		return lfail(l, SP_EPARSE,
			     "invalid --hash '%s': expected ALGO:HEX, like "
			     "--hash=sha256:abcd...",
			     quote(q, sizeof(q), value));
	for (i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (strlen(algos[i].algo) == (size_t)(colon - value) &&
		    !strncmp(value, algos[i].algo, (size_t)(colon - value)))
			break;
	if (i == sizeof(algos) / sizeof(algos[0]))
		return lfail(l, SP_EPARSE,
			     "invalid --hash '%s': the algorithm must be sha256, sha384 or sha512",
			     quote(q, sizeof(q), value));
	if (!hex_ok(colon + 1, algos[i].hexlen))
		return lfail(l, SP_EPARSE, "invalid --hash '%s': expected %zu hex digits",
			     quote(q, sizeof(q), value), algos[i].hexlen);
	if (e->nhashes == SP_MAX_REQFILE_HASHES)
		return lfail(l, SP_ELIMIT, "more --hash values than SP_MAX_REQFILE_HASHES");
	hex = sp_arena_strdup(&l->rf->arena, colon + 1);
	for (k = 0; hex[k]; k++)
		hex[k] = sp_req_lower(hex[k]);
	e->hashes = sp_req_grow(&l->rf->arena, e->hashes, e->nhashes, cap, sizeof(*e->hashes));
	e->hashes[e->nhashes].algo = algos[i].algo;
	e->hashes[e->nhashes++].hex = hex;
	return 0;
}

static void add_string(struct sp_arena *a, const char ***arr, size_t *n, size_t *cap, const char *v)
{
	*arr = sp_req_grow(a, *arr, *n, cap, sizeof(**arr));
	(*arr)[(*n)++] = v;
}

/* What pip's resolver accepts as a constraint: a named requirement, no extras. */
static int check_constraint(struct line *l, const struct sp_reqfile_entry *e)
{
	if (e->kind == SP_REQFILE_EDITABLE)
		return lfail(l, SP_EPARSE, "an editable requirement cannot be a constraint");
	if (!e->name)
		return lfail(l, SP_EPARSE,
			     "a constraint needs a project name, not just a "
			     "location");
	if (e->nextras || (e->req && e->req->nextras))
		return lfail(l, SP_EPARSE, "a constraint cannot have extras");
	return 0;
}

static struct sp_reqfile_entry *new_entry(struct line *l)
{
	struct sp_reqfile *rf = l->rf;
	struct sp_reqfile_entry *e;

	rf->entries = sp_req_grow(&rf->arena, rf->entries, rf->nentries, &rf->cap_entries,
				  sizeof(*rf->entries));
	e = &rf->entries[rf->nentries];
	memset(e, 0, sizeof(*e));
	e->constraint = l->constraint;
	e->origin.file = l->file;
	e->origin.line = l->lineno;
	return e;
}

static int entry_line(struct line *l, const char *args, const struct parsed *p)
{
	struct sp_reqfile *rf = l->rf;
	struct sp_reqfile_entry *e;
	size_t i, cap_hash = 0, cap_cs = 0, cap_go = 0, cap_io = 0, neditable = 0;
	const char *editable = NULL;
	int err;

	for (i = 0; i < p->n; i++) {
		if (p->opts[i].id == O_EDITABLE) {
			editable = p->opts[i].value;
			neditable++;
		}
	}
	if (rf->nentries == SP_MAX_REQFILE_ENTRIES)
		return lfail(l, SP_ELIMIT, "more requirements than SP_MAX_REQFILE_ENTRIES");
	e = new_entry(l);
	if (*args && neditable)
		return lfail(l, SP_EPARSE, "a requirement and -e on one line");
	if (neditable > 1)
		return lfail(l, SP_EPARSE, "more than one -e on one line");
	for (i = 0; i < p->n; i++) {
		enum opt_id id = p->opts[i].id;

		if (id == O_EDITABLE)
			continue;
		if (editable)
			return lfail(l, SP_EPARSE, "option '--%s' cannot follow -e", opt_name(id));
		if (!per_requirement(id))
			return lfail(l, SP_EPARSE,
				     "option '--%s' cannot follow a requirement (put it on a line "
				     "of its own)",
				     opt_name(id));
	}
	if (editable) {
		char *loc = trim(&rf->arena, editable, strlen(editable));

		e->kind = SP_REQFILE_EDITABLE;
		e->text = editable;
		if (!*loc)
			return lfail(l, SP_EPARSE, "-e needs a path or URL");
		if (!is_url(loc) && (err = strip_extras(l, e, loc)))
			return err;
		e->location = loc;
		name_from_location(l, e);
	} else if ((err = requirement_line(l, e, args))) {
		return err;
	}
	for (i = 0; i < p->n; i++) {
		const char *v = p->opts[i].value;

		switch (p->opts[i].id) {
		case O_HASH:
			if ((err = add_hash(l, e, &cap_hash, v)))
				return err;
			rf->opts.require_hashes = true;
			break;
		case O_CONFIG_SETTINGS:
			if (!strchr(v, '='))
				return lfail(l, SP_EPARSE,
					     "invalid --config-settings: expected KEY=VALUE");
			add_string(&rf->arena, &e->config_settings, &e->nconfig_settings, &cap_cs,
				   v);
			break;
		case O_GLOBAL_OPTION:
			add_string(&rf->arena, &e->global_options, &e->nglobal_options, &cap_go, v);
			break;
		case O_INSTALL_OPTION:
			add_string(&rf->arena, &e->install_options, &e->ninstall_options, &cap_io,
				   v);
			break;
		default:
			break;
		}
	}
	if (l->constraint && (err = check_constraint(l, e)))
		return err;
	rf->nentries++;
	return 0;
}

/* --- option lines --- */

static void add_value(struct line *l, struct sp_reqfile_value **arr, size_t *n, size_t *cap,
		      const char *v)
{
	*arr = sp_req_grow(&l->rf->arena, *arr, *n, cap, sizeof(**arr));
	(*arr)[*n].value = v;
	(*arr)[*n].origin.file = l->file;
	(*arr)[(*n)++].origin.line = l->lineno;
}

/* Joins a -r/-c path to the including file's directory, as pip does. */
static char *include_path(struct line *l, const char *path)
{
	const char *slash = strrchr(l->file, '/');
	size_t dl, pl;
	char *out;

	if (path[0] == '/' || !slash)
		return sp_arena_strdup(&l->rf->arena, path);
	dl = (size_t)(slash - l->file) + 1;
	pl = strlen(path);
	out = sp_arena_alloc(&l->rf->arena, dl + pl + 1);
	memcpy(out, l->file, dl);
	memcpy(out + dl, path, pl + 1);
	return out;
}

static int option_line(struct line *l, const struct parsed *p)
{
	struct sp_reqfile_opts *o = &l->rf->opts;
	struct sp_reqfile_caps *c = l->rf->caps;
	size_t i, includes = 0;
	int err;

	for (i = 0; i < p->n; i++) {
		enum opt_id id = p->opts[i].id;

		if (per_requirement(id))
			return lfail(l, SP_EPARSE, "option '--%s' needs a requirement on its line",
				     opt_name(id));
		includes += id == O_REQUIREMENT || id == O_CONSTRAINT;
	}
	if (includes && p->n > 1)
		return lfail(l, SP_EPARSE, "-r/-c must be alone on its line");
	for (i = 0; i < p->n; i++) {
		const char *v = p->opts[i].value;
		char q[SP_REQ_QUOTE_MAX];

		switch (p->opts[i].id) {
		case O_REQUIREMENT:
		case O_CONSTRAINT:
			if ((err = include(l, v, p->opts[i].id == O_CONSTRAINT)))
				return err;
			break;
		case O_INDEX_URL:
			o->index_url = v;
			o->index_url_origin.file = l->file;
			o->index_url_origin.line = l->lineno;
			break;
		case O_EXTRA_INDEX_URL:
			add_value(l, &o->extra_index_urls, &o->nextra_index_urls,
				  &c->extra_index_urls, v);
			break;
		case O_FIND_LINKS:
			add_value(l, &o->find_links, &o->nfind_links, &c->find_links, v);
			break;
		case O_TRUSTED_HOST:
			add_value(l, &o->trusted_hosts, &o->ntrusted_hosts, &c->trusted_hosts, v);
			break;
		case O_USE_FEATURE:
			if (strcmp(v, "fast-deps") && strcmp(v, "truststore") &&
			    strcmp(v, "no-binary-enable-wheel-cache"))
				return lfail(l, SP_EPARSE, "unknown --use-feature '%s'",
					     quote(q, sizeof(q), v));
			add_value(l, &o->features, &o->nfeatures, &c->features, v);
			break;
		case O_NO_BINARY:
		case O_ONLY_BINARY:
			if (v[0] == '-')
				return lfail(l, SP_EPARSE,
					     "--no-binary/--only-binary needs a value");
			o->formats = sp_req_grow(&l->rf->arena, o->formats, o->nformats,
						 &c->formats, sizeof(*o->formats));
			o->formats[o->nformats].only_binary = p->opts[i].id == O_ONLY_BINARY;
			o->formats[o->nformats].value = v;
			o->formats[o->nformats].origin.file = l->file;
			o->formats[o->nformats++].origin.line = l->lineno;
			break;
		case O_NO_INDEX:
			o->no_index = true;
			break;
		case O_PRE:
			o->pre = true;
			break;
		case O_PREFER_BINARY:
			o->prefer_binary = true;
			break;
		case O_REQUIRE_HASHES:
			o->require_hashes = true;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* --- logical lines --- */

/* Replaces every occurrence of ref in *cur by value, within SP_MAX_REQFILE_LINE. */
static int replace_all(struct line *l, char **cur, const char *ref, const char *value)
{
	struct sp_buf out;
	const char *at = *cur;
	size_t rlen = strlen(ref);
	int err = 0;

	sp_buf_init(&out, SP_MAX_REQFILE_LINE);
	while (!err) {
		const char *hit = strstr(at, ref);

		if (!hit) {
			err = sp_buf_addstr(&out, at);
			break;
		}
		err = sp_buf_add(&out, at, (size_t)(hit - at));
		if (!err)
			err = sp_buf_addstr(&out, value);
		at = hit + rlen;
	}
	if (!err)
		*cur = sp_arena_strndup(&l->rf->arena, out.data ? out.data : "", out.len);
	sp_buf_release(&out);
	if (err)
		return lfail(l, SP_ELIMIT,
			     "line longer than SP_MAX_REQFILE_LINE after expanding ${...}");
	return 0;
}

/*
 * Expands ${NAME} as pip does: the references are found in the line as
 * read; then, for each in order (repeats included), every occurrence in
 * the current text is replaced by the variable's value when that is set
 * and not empty. Unset and empty variables stay as written.
 */
static int expand(struct line *l, char **text)
{
	const char *orig = *text, *p;
	int err;

	for (p = orig; (p = strstr(p, "${"));) {
		const char *q = p + 2, *value;
		char *name, *ref;

		while ((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_')
			q++;
		if (q == p + 2 || *q != '}') {
			p++;
			continue;
		}
		ref = sp_arena_strndup(&l->rf->arena, p, (size_t)(q + 1 - p));
		name = sp_arena_strndup(&l->rf->arena, p + 2, (size_t)(q - p - 2));
		p = q + 1;
		value = l->rf->getenv(l->rf->ctx, name);
		if (value && *value && (err = replace_all(l, text, ref, value)))
			return err;
	}
	return 0;
}

static int logical_line(struct line *l, char *text)
{
	char *opts, *args, **argv;
	size_t argc, i, n;
	struct parsed p = {NULL, 0, 0};
	int err;

	if ((err = expand(l, &text)))
		return err;
	/* Words up to the first one starting with '-', split at single spaces. */
	n = strlen(text);
	for (i = 0; i < n; i++)
		if (text[i] == '-' && (i == 0 || text[i - 1] == ' '))
			break;
	args = sp_arena_strndup(&l->rf->arena, text, i == 0 ? 0 : i < n ? i - 1 : n);
	opts = text + i;
	if ((err = shell_split(l, opts, &argv, &argc)))
		return err;
	if ((err = parse_options(l, argv, argc, &p)))
		return err;
	if (*args)
		return entry_line(l, args, &p);
	for (i = 0; i < p.n; i++)
		if (p.opts[i].id == O_EDITABLE)
			return entry_line(l, args, &p);
	return option_line(l, &p);
}

/* Cuts a comment and surrounding whitespace; returns the new length. */
static size_t cut_comment(char *s, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '#' && (i == 0 || sp_req_space(s[i - 1]))) {
			n = i;
			break;
		}
	}
	while (n && sp_req_space(s[n - 1]))
		n--;
	while (start < n && sp_req_space(s[start]))
		start++;
	memmove(s, s + start, n - start);
	s[n - start] = '\0';
	return n - start;
}

static int handle(struct line *l, struct sp_buf *joined)
{
	char *text;
	size_t n;

	if (!joined->len)
		return 0;
	text = sp_arena_strndup(&l->rf->arena, joined->data, joined->len);
	n = cut_comment(text, joined->len);
	sp_buf_reset(joined);
	if (!n)
		return 0;
	return logical_line(l, text);
}

/* Appends s (n bytes) without its leading and trailing backslashes. */
static int add_stripped(struct sp_buf *b, const char *s, size_t n)
{
	while (n && *s == '\\') {
		s++;
		n--;
	}
	while (n && s[n - 1] == '\\')
		n--;
	return sp_buf_add(b, s, n);
}

static int read_lines(struct line *l, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	struct sp_buf joined;
	unsigned number = 0, first = 0;
	bool joining = false, overflow = false;
	int err = 0;

	sp_buf_init(&joined, SP_MAX_REQFILE_LINE);
	while (p < end && !err && !overflow) {
		const char *eol = p;
		size_t brk = 0, n;

		while (eol < end && !(brk = line_break(eol, end)))
			eol++;
		n = (size_t)(eol - p);
		number++;
		if (n && p[n - 1] == '\\' && !comment_line(p, n)) {
			if (!joining)
				first = number;
			joining = true;
			overflow = add_stripped(&joined, p, n) != 0;
		} else {
			/* A comment line ending a join gets a space so its '#' still starts a
			 * comment. */
			if (joining && comment_line(p, n))
				overflow = sp_buf_add(&joined, " ", 1) != 0;
			overflow = overflow || sp_buf_add(&joined, p, n) != 0;
			l->lineno = joining ? first : number;
			joining = false;
			if (!overflow)
				err = handle(l, &joined);
		}
		p = eol + brk;
	}
	if (!err && !overflow && joining) {
		l->lineno = first;
		err = handle(l, &joined);
	}
	if (overflow) {
		l->lineno = joining ? first : number;
		err = lfail(l, SP_ELIMIT, "line longer than SP_MAX_REQFILE_LINE");
	}
	sp_buf_release(&joined);
	return err;
}

static int read_file(struct sp_reqfile *rf, const char *path, const char *id, const char *data,
		     size_t len, bool constraint, unsigned depth, const struct frame *stack,
		     struct sp_diag *d)
{
	struct line l = {rf, d, path, 0, constraint, depth, NULL};
	struct frame self = {stack, id, path};
	struct sp_buf buf;
	char q[SP_REQ_QUOTE_MAX];
	const char *nul;
	size_t bad = 0;
	bool utf8;
	int err = 0;

	sp_buf_init(&buf, SP_MAX_REQFILE_BYTES);
	if (++rf->nfiles > SP_MAX_REQFILE_FILES) {
		err = sp_diag_set(d, SP_ELIMIT,
				  "more than SP_MAX_REQFILE_FILES requirements files read, at '%s'",
				  quote(q, sizeof(q), path));
		goto out;
	}
	if (!data) {
		if ((err = rf->load(rf->ctx, path, SP_MAX_REQFILE_BYTES, &buf, d)))
			goto out;
		data = buf.data ? buf.data : "";
		len = buf.len;
	} else if (len > SP_MAX_REQFILE_BYTES) {
		err = sp_diag_set(d, SP_ELIMIT,
				  "requirements file '%s' is larger than SP_MAX_REQFILE_BYTES",
				  quote(q, sizeof(q), path));
		goto out;
	}
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		data += 3;
		len -= 3;
	} else if (len >= 2 && (!memcmp(data, "\xff\xfe", 2) || !memcmp(data, "\xfe\xff", 2))) {
		err = sp_diag_set(d, SP_EUNSUPPORTED,
				  "requirements file '%s' is UTF-16 or UTF-32 (save it as UTF-8)",
				  quote(q, sizeof(q), path));
		goto out;
	}
	nul = memchr(data, '\0', len);
	utf8 = utf8_ok((const unsigned char *)data, len, &bad);
	if (!utf8 || nul) {
		bool at_nul = nul && (utf8 || (size_t)(nul - data) < bad);
		size_t stop = at_nul ? (size_t)(nul - data) : bad, i;

		l.lineno = 1;
		for (i = 0; i < stop; i++)
			l.lineno += data[i] == '\n';
		err = lfail(&l, SP_EPARSE, at_nul ? "a NUL byte" : "invalid UTF-8");
		goto out;
	}
	l.stack = &self;
	err = read_lines(&l, data, len);
out:
	sp_buf_release(&buf);
	return err;
}

/* A file's identity for cycle detection: its real path, else its name. */
static const char *file_id(struct sp_reqfile *rf, const char *path)
{
	char *real = realpath(path, NULL);
	const char *id;

	if (!real)
		return path;
	id = sp_arena_strdup(&rf->arena, real);
	free(real);
	return id;
}

static int include(struct line *l, const char *path, bool constraint)
{
	struct sp_reqfile *rf = l->rf;
	char q[SP_REQ_QUOTE_MAX];
	const struct frame *f;
	const char *joined, *id;
	struct sp_buf buf;
	int err;

	if (!*path)
		return lfail(l, SP_EPARSE, "-r/-c needs a file name");
	if (has_prefix_ci(path, "http:") || has_prefix_ci(path, "https:") ||
	    has_prefix_ci(path, "file:"))
		return lfail(l, SP_EUNSUPPORTED,
			     "cannot read requirements from URL '%s' (download it and use -r "
			     "with the file)",
			     quote(q, sizeof(q), path));
	if (l->depth + 1 > SP_MAX_REQFILE_DEPTH)
		return lfail(l, SP_ELIMIT, "-r/-c nested deeper than SP_MAX_REQFILE_DEPTH");
	joined = include_path(l, path);
	id = file_id(rf, joined);
	for (f = l->stack; f; f = f->up)
		if (!strcmp(f->id, id))
			return lfail(l, SP_EPARSE, "'%s' includes itself (a -r/-c cycle)",
				     quote(q, sizeof(q), joined));
	sp_buf_init(&buf, SP_MAX_REQFILE_BYTES);
	err = rf->load(rf->ctx, joined, SP_MAX_REQFILE_BYTES, &buf, l->d);
	if (err)
		err = lwrap(l, err); /* name the -r/-c line */
	else
		err = read_file(rf, joined, id, buf.data ? buf.data : "", buf.len, constraint,
				l->depth + 1, l->stack, l->d);
	sp_buf_release(&buf);
	return err;
}

int sp_reqfile_read(struct sp_reqfile *rf, const char *path, bool constraint, struct sp_diag *d)
{
	const char *name = sp_arena_strdup(&rf->arena, path);

	rf->nfiles = 0;
	return read_file(rf, name, file_id(rf, name), NULL, 0, constraint, 0, NULL, d);
}

int sp_reqfile_parse(struct sp_reqfile *rf, const char *name, const char *data, size_t len,
		     bool constraint, struct sp_diag *d)
{
	const char *copy = sp_arena_strdup(&rf->arena, name);

	rf->nfiles = 0;
	return read_file(rf, copy, file_id(rf, copy), data, len, constraint, 0, NULL, d);
}
