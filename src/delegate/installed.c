/*
 * An installed distribution's files against its RECORD.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/file.h"
#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "delegate/installed.h"
#include "core/banned.h"

const char *sp_installed_problem_name(enum sp_installed_problem_kind kind)
{
	static const char *const names[] = {
		[SP_IP_MODIFIED] = "modified",	   [SP_IP_MISSING] = "missing",
		[SP_IP_NOT_FILE] = "not-a-file",   [SP_IP_OUTSIDE] = "outside",
		[SP_IP_NO_RECORD] = "no-record",   [SP_IP_BAD_RECORD] = "bad-record",
		[SP_IP_UNREADABLE] = "unreadable",
	};

	return (unsigned)kind < sizeof(names) / sizeof(*names) ? names[kind] : "?";
}

static void problem(struct sp_installed *in, enum sp_installed_problem_kind kind, const char *name,
		    unsigned line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(struct sp_installed *in, enum sp_installed_problem_kind kind, const char *name,
		    unsigned line, const char *fmt, ...)
{
	struct sp_installed_problem *p;
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	in->problems = xrealloc(in->problems, (in->nproblems + 1) * sizeof(*in->problems));
	p = &in->problems[in->nproblems++];
	p->kind = kind;
	p->name = xstrdup(name ? name : "");
	p->line = line;
	p->detail = xstrdup(detail);
}

/*
 * base (absolute) joined with rel and normalised lexically: "." dropped,
 * ".." taking off the last component. An absolute rel stands alone. NULL
 * when ".." would climb above the root.
 */
static char *join_lexical(const char *base, const char *rel)
{
	size_t blen = *rel == '/' ? 0 : strlen(base), cap = blen + strlen(rel) + 2, len = 0;
	char *out = xmalloc(cap), *src = xmalloc(cap), *tok, *save = NULL;

	snprintf(src, cap, "%.*s/%s", (int)blen, base, rel);
	for (tok = strtok_r(src, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			if (!len) {
				free(out);
				out = NULL;
				break;
			}
			while (len && out[len - 1] != '/')
				len--;
			len--; /* the slash before the component */
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, tok, strlen(tok));
		len += strlen(tok);
	}
	free(src);
	if (out) {
		if (!len)
			out[len++] = '/';
		out[len] = '\0';
	}
	return out;
}

/* Whether path is dir or below it (both normalised). */
static bool within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return true;
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

static void add_file(struct sp_installed *in, const char *path, const char *name, const char *hash,
		     int64_t size, size_t *cap)
{
	struct sp_installed_file *f;

	SP_GROW(in->files, in->nfiles + 1, *cap);
	f = &in->files[in->nfiles++];
	f->path = xstrdup(path);
	f->name = xstrdup(name);
	f->hash = hash ? xstrdup(hash) : NULL;
	f->size = size;
}

/* One RECORD row; base is the site directory, prefix the environment's. */
static void record_row(struct sp_installed *in, const struct sp_csv_row *row, const char *base,
		       const char *prefix, size_t *cap)
{
	const char *name = row->f[0].data, *h = row->f[1].data, *sz = row->f[2].data;
	char *path, *end, hash[64];
	long long size = -1;

	if (row->error || row->nfields != 3 || !row->f[0].len) {
		problem(in, SP_IP_BAD_RECORD, in->record, row->line, "RECORD row %u: %s", row->line,
			row->error ? row->error : "not path,hash,size");
		return;
	}
	if (name[row->f[0].len - 1] == '/')
		return; /* a directory */
	if (sp_path_check(name, row->f[0].len, NULL) & (SP_PATH_NUL | SP_PATH_CONTROL)) {
		problem(in, SP_IP_BAD_RECORD, in->record, row->line,
			"RECORD row %u names a path with control characters", row->line);
		return;
	}
	if (row->f[2].len) {
		errno = 0;
		size = strtoll(sz, &end, 10);
		if (errno || *end || size < 0) {
			problem(in, SP_IP_BAD_RECORD, name, row->line,
				"RECORD row %u has a size that is not a number", row->line);
			return;
		}
	}
	hash[0] = '\0';
	if (row->f[1].len) {
		size_t hl;

		if (strncmp(h, "sha256=", 7) != 0) {
			problem(in, SP_IP_BAD_RECORD, name, row->line,
				"RECORD row %u hashes '%s' with something other than sha256; it "
				"is not verified",
				row->line, name);
			return;
		}
		hl = strlen(h + 7);
		while (hl && h[7 + hl - 1] == '=')
			hl--;
		if (hl >= sizeof(hash)) {
			problem(in, SP_IP_BAD_RECORD, name, row->line,
				"RECORD row %u has a sha256 that is too long", row->line);
			return;
		}
		memcpy(hash, h + 7, hl);
		hash[hl] = '\0';
	}
	path = join_lexical(base, name);
	if (!path || !within(path, prefix)) {
		problem(in, SP_IP_OUTSIDE, name, row->line,
			"'%s' is listed outside the environment (%s); it was not read", name,
			prefix);
		free(path);
		return;
	}
	if (!hash[0] && strcmp(path, in->record) != 0)
		in->unhashed++;
	add_file(in, path, name, hash[0] ? hash : NULL, size, cap);
	free(path);
}

/* installed-files.txt of an .egg-info: paths relative to it, one per line, no hashes. */
static void read_egg_list(struct sp_installed *in, const struct sp_buf *b, const char *dir,
			  const char *prefix, size_t *cap)
{
	const char *p = b->data, *e = b->data + b->len;

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t n = (size_t)((nl ? nl : e) - p);
		char *line = xstrndup(p, n), *path;

		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		p = nl ? nl + 1 : e;
		if (!*line || line[strlen(line) - 1] == '/') {
			free(line);
			continue;
		}
		path = join_lexical(dir, line);
		if (path && within(path, prefix))
			add_file(in, path, line, NULL, -1, cap);
		else
			problem(in, SP_IP_OUTSIDE, line, 0,
				"'%s' is listed outside the environment (%s); it was not read", line,
				prefix);
		free(path);
		free(line);
	}
}

int sp_installed_read(const struct sp_target *t, const struct sp_dist *dist,
		      struct sp_installed *out, struct sp_diag *d)
{
	const char *site = dist->site < t->n_site_dirs ? t->site_dirs[dist->site] : NULL;
	char *record = NULL, *prefix = NULL, *base = NULL;
	struct sp_buf b;
	size_t cap = 0;
	int err;

	memset(out, 0, sizeof(*out));
	sp_buf_init(&b, SP_MAX_SOURCE_BYTES);
	if (!site || !t->prefix)
		return sp_diag_set(d, SP_EINVAL, "'%s' is not in a site directory of '%s'", dist->path,
				   t->python);
	base = join_lexical("/", site);
	/* A system interpreter's dist-packages may sit outside sys.prefix (/usr/local). */
	prefix = join_lexical("/", within(base, t->prefix) ? t->prefix : site);
	record = xasprintf("%s/RECORD", dist->path);
	err = sp_file_read(record, SP_MAX_SOURCE_BYTES, &b, d);
	if (!err) {
		struct sp_csv r;
		struct sp_csv_row row;
		size_t rows = 0;

		out->record = join_lexical("/", record);
		sp_csv_init(&r, b.data, b.len);
		sp_csv_row_init(&row, SP_MAX_PATH);
		while (sp_csv_next(&r, &row)) {
			if (++rows > SP_MAX_ENTRIES) {
				problem(out, SP_IP_BAD_RECORD, out->record, row.line,
					"RECORD has more than %d rows; the rest are not checked",
					SP_MAX_ENTRIES);
				break;
			}
			record_row(out, &row, base, prefix, &cap);
		}
		sp_csv_row_release(&row);
		goto done;
	}
	if (err != SP_ENOENT) {
		problem(out, SP_IP_BAD_RECORD, record, 0, "cannot read RECORD: %s", d->msg);
		goto done;
	}
	free(record);
	record = xasprintf("%s/installed-files.txt", dist->path);
	sp_diag_clear(d);
	if (sp_file_read(record, SP_MAX_SOURCE_BYTES, &b, d) == 0) {
		out->record = join_lexical("/", record);
		read_egg_list(out, &b, dist->path, prefix, &cap);
	}
	problem(out, SP_IP_NO_RECORD, dist->path, 0,
		"'%s' has no RECORD, so no file of it can be verified against what was installed",
		sp_path_base(dist->path));
done:
	sp_diag_clear(d);
	sp_buf_release(&b);
	free(record);
	free(prefix);
	free(base);
	return 0;
}

/* sha256 of an open regular file in RECORD's encoding; false on a read error. */
static bool hash_fd(int fd, char *out, size_t outlen, int64_t *size)
{
	struct sp_sha256 *h = sp_sha256_new();
	unsigned char digest[SP_SHA256_LEN];
	char *chunk = xmalloc(64 * 1024);
	ssize_t n;
	bool ok = true;

	*size = 0;
	while ((n = read(fd, chunk, 64 * 1024)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ok = false;
			break;
		}
		sp_sha256_update(h, chunk, (size_t)n);
		*size += n;
	}
	sp_sha256_final(h, digest);
	sp_sha256_free(h);
	free(chunk);
	sp_b64url_nopad(digest, SP_SHA256_LEN, out, outlen);
	return ok;
}

void sp_installed_verify(struct sp_installed *in)
{
	size_t i;

	for (i = 0; i < in->nfiles; i++) {
		const struct sp_installed_file *f = &in->files[i];
		char have[64];
		struct stat st;
		int64_t size;
		int fd;

		if (lstat(f->path, &st)) {
			if (errno == ENOENT || errno == ENOTDIR)
				problem(in, SP_IP_MISSING, f->name, 0,
					"'%s' is listed in RECORD but no longer exists", f->name);
			else
				problem(in, SP_IP_UNREADABLE, f->name, 0, "cannot stat '%s': %s",
					f->path, strerror(errno));
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			problem(in, SP_IP_NOT_FILE, f->name, 0,
				"'%s' was installed as a file and is now a %s", f->name,
				S_ISLNK(st.st_mode)   ? "symbolic link"
				: S_ISDIR(st.st_mode) ? "directory"
						      : "special file");
			continue;
		}
		if (!f->hash)
			continue;
		fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || !hash_fd(fd, have, sizeof(have), &size)) {
			problem(in, SP_IP_UNREADABLE, f->name, 0, "cannot read '%s': %s", f->path,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		if (strcmp(have, f->hash) != 0)
			problem(in, SP_IP_MODIFIED, f->name, 0,
				"'%s' changed after it was installed: sha256 %s, RECORD says %s",
				f->name, have, f->hash);
		else if (f->size >= 0 && f->size != size)
			problem(in, SP_IP_MODIFIED, f->name, 0,
				"'%s' is %lld bytes, RECORD says %lld", f->name, (long long)size,
				(long long)f->size);
	}
}

void sp_installed_release(struct sp_installed *in)
{
	size_t i;

	for (i = 0; i < in->nfiles; i++) {
		free(in->files[i].path);
		free(in->files[i].name);
		free(in->files[i].hash);
	}
	for (i = 0; i < in->nproblems; i++) {
		free(in->problems[i].name);
		free(in->problems[i].detail);
	}
	free(in->files);
	free(in->problems);
	free(in->record);
	memset(in, 0, sizeof(*in));
}
