#include "scan/scanner.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "scan/checks.h"
#include "core/banned.h"

struct job {
	struct job *next;
	struct sp_artifact *artifact;
	char *path;
	char *data;
	size_t len;
	enum sp_file_role role;
	unsigned line_offset;
};

struct sp_scanner {
	const struct sp_catalog *cat;
	const struct sp_engine *engine;
	pthread_t *threads;
	unsigned nthreads;

	pthread_mutex_t lock;
	pthread_cond_t has_work;  /* a job was queued, or stopping */
	pthread_cond_t has_room;  /* queued bytes fell */
	pthread_cond_t idle;      /* no job queued or running */
	struct job *head, *tail;
	size_t queued_bytes;
	size_t busy;              /* jobs queued or running */
	bool stopping;

	struct sp_artifact **artifacts;
	size_t nartifacts, cap;
};

static const char *const issue_rules[] = {
	[SP_UI_TRAVERSAL] = "archive-traversal",
	[SP_UI_ABSOLUTE] = "archive-absolute-path",
	[SP_UI_BAD_PATH] = "archive-bad-path",
	[SP_UI_SYMLINK] = "archive-symlink",
	[SP_UI_HARDLINK] = "archive-hardlink",
	[SP_UI_DEVICE] = "archive-device",
	[SP_UI_DUPLICATE] = "archive-duplicate",
	[SP_UI_PATH_TOO_LONG] = "archive-path-too-long",
	[SP_UI_TOO_DEEP] = "archive-too-deep",
	[SP_UI_ENTRY_TOO_LARGE] = "archive-entry-too-large",
	[SP_UI_TOO_MANY_ENTRIES] = "archive-too-many-entries",
	[SP_UI_TOTAL_TOO_LARGE] = "archive-too-large",
	[SP_UI_BOMB] = "archive-bomb",
	[SP_UI_NESTING] = "archive-nesting",
	[SP_UI_ENCRYPTED] = "archive-encrypted",
	[SP_UI_CORRUPT] = "archive-corrupt",
};

/* The rule id reported for an unpacking issue. */
static const char *issue_rule(enum sp_unpack_issue issue)
{
	if ((size_t)issue >= sizeof(issue_rules) / sizeof(issue_rules[0]) || !issue_rules[issue])
		return "archive-corrupt";
	return issue_rules[issue];
}

static const struct sp_rule *rule(const struct sp_catalog *cat, const char *id)
{
	const struct sp_rule *r = sp_catalog_find(cat, id);

	if (!r) {
		fprintf(stderr, "safepip: fatal: built-in rule '%s' missing from the catalog\n", id);
		abort();
	}
	return r;
}

static void *worker_main(void *arg)
{
	struct sp_scanner *s = arg;
	struct sp_worker *w = sp_worker_new(s->engine);
	struct job *j;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->head && !s->stopping)
			pthread_cond_wait(&s->has_work, &s->lock);
		if (!s->head)
			break;
		j = s->head;
		s->head = j->next;
		if (!s->head)
			s->tail = NULL;
		pthread_mutex_unlock(&s->lock);

		sp_worker_scan(w, j->artifact, j->path, j->data, j->len, j->role, j->line_offset);

		pthread_mutex_lock(&s->lock);
		s->queued_bytes -= j->len;
		s->busy--;
		pthread_cond_broadcast(&s->has_room);
		if (!s->busy)
			pthread_cond_broadcast(&s->idle);
		free(j->data);
		free(j->path);
		free(j);
	}
	pthread_mutex_unlock(&s->lock);
	sp_worker_free(w);
	return NULL;
}

struct sp_scanner *sp_scanner_new(const struct sp_catalog *cat, const struct sp_engine *engine,
				  unsigned threads)
{
	struct sp_scanner *s = xcalloc(1, sizeof(*s));
	unsigned i;

	if (!threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 0 ? (unsigned)n : 1;
	}
	if (threads > 256)
		threads = 256;
	s->cat = cat;
	s->engine = engine;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->has_work, NULL);
	pthread_cond_init(&s->has_room, NULL);
	pthread_cond_init(&s->idle, NULL);
	s->threads = xcalloc(threads, sizeof(*s->threads));
	for (i = 0; i < threads; i++) {
		if (pthread_create(&s->threads[i], NULL, worker_main, s)) {
			fprintf(stderr, "safepip: fatal: cannot start a scan thread\n");
			abort();
		}
	}
	s->nthreads = threads;
	return s;
}

void sp_scanner_free(struct sp_scanner *s)
{
	unsigned i;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->has_work);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	free(s->threads);
	free(s->artifacts);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->has_work);
	pthread_cond_destroy(&s->has_room);
	pthread_cond_destroy(&s->idle);
	free(s);
}

/* Takes data (malloc'd); blocks while the queue holds too many bytes. */
static void enqueue(struct sp_scanner *s, struct sp_artifact *a, const char *path, char *data,
		    size_t len, enum sp_file_role role, unsigned line_offset)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->artifact = a;
	j->path = xstrdup(path);
	j->data = data;
	j->len = len;
	j->role = role;
	j->line_offset = line_offset;
	pthread_mutex_lock(&s->lock);
	while (s->queued_bytes && s->queued_bytes + len > SP_MAX_QUEUED_BYTES)
		pthread_cond_wait(&s->has_room, &s->lock);
	s->queued_bytes += len;
	s->busy++;
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	pthread_cond_signal(&s->has_work);
	pthread_mutex_unlock(&s->lock);
}

struct visit {
	struct sp_scanner *s;
	struct sp_artifact *a;
	struct sp_checks *checks;
};

static bool is_source(const char *path)
{
	return sp_str_endswith(path, ".py") || sp_str_endswith(path, ".pyw");
}

static bool want(void *ud, const char *path, int64_t size)
{
	(void)ud;
	(void)size;
	return is_source(path) || sp_checks_want(path);
}

static int on_entry(void *ud, struct sp_entry *e)
{
	struct visit *v = ud;
	struct sp_artifact *a = v->a;
	char msg[128];

	a->files++;
	sp_checks_entry(v->checks, e);
	/*
	 * A zip entry marked as a link still carries bytes, and pip's zipfile
	 * writes them out as a regular file: scan any body we were given.
	 */
	if (is_source(e->path)) {
		if (e->type == SP_ENTRY_FILE && (e->too_large || !e->complete)) {
			snprintf(msg, sizeof(msg), "%lld bytes, over the %d MiB limit; not scanned",
				 (long long)e->size, SP_MAX_SOURCE_BYTES >> 20);
			sp_artifact_add(a, rule(v->s->cat, "source-too-large"), SP_CTX_NONE, e->path,
					0, 0, NULL, 0, msg);
			return 0;
		}
		if (!e->data)
			return 0;
		a->sources++;
		a->source_bytes += e->len;
		enqueue(v->s, a, e->path, e->data, e->len, sp_file_role_of(e->path, a->kind), 0);
		e->data = NULL;
		return 0;
	}
	if (sp_str_endswith(e->path, ".pth") && e->data) {
		size_t n;
		unsigned first = 1;
		char *code = sp_pth_code(e->data, e->len, &n, &first);

		if (code)
			enqueue(v->s, a, e->path, code, n, SP_FILE_PTH, first - 1);
	}
	return 0;
}

static void on_issue(void *ud, enum sp_unpack_issue issue, const char *path, const char *detail)
{
	struct visit *v = ud;

	sp_artifact_add(v->a, rule(v->s->cat, issue_rule(issue)), SP_CTX_NONE, path, 0,
			0, NULL, 0, detail);
}

/*
 * Scans the file or directory at path, or the files when given; name names
 * the artifact and, by its ending, says what kind it is.
 */
static struct sp_artifact *add(struct sp_scanner *s, const char *path, const char *name,
			       const struct sp_unpack_file *files, size_t nfiles)
{
	static const struct sp_unpack_ops ops = {want, on_entry, on_issue};
	struct sp_artifact *a = sp_artifact_new(name);
	struct visit v = {s, a, NULL};
	struct sp_diag d;
	int err;

	sp_diag_clear(&d);
	a->kind = files ? SP_SOURCE_DIR : sp_unpack_kind(name);
	/* A named file whose name says nothing (a store path) is judged by its path. */
	if (!files && a->kind == SP_SOURCE_UNKNOWN && name != path)
		a->kind = sp_unpack_kind(path);
	v.checks = sp_checks_new(s->cat, a);
	if (files)
		err = sp_unpack_files(files, nfiles, &ops, &v, &d);
	else
		err = sp_unpack_path(path, &ops, &v, a->sha256, &d);
	if (err < 0) {
		a->error = err;
		a->error_msg = xstrdup(d.msg[0] ? d.msg : sp_strerror(err));
	} else {
		a->has_sha256 = a->kind != SP_SOURCE_DIR;
		sp_checks_finish(v.checks);
	}
	sp_checks_free(v.checks);
	SP_GROW(s->artifacts, s->nartifacts + 1, s->cap);
	s->artifacts[s->nartifacts++] = a;
	return a;
}

struct sp_artifact *sp_scanner_add(struct sp_scanner *s, const char *target)
{
	return add(s, target, target, NULL, 0);
}

struct sp_artifact *sp_scanner_add_as(struct sp_scanner *s, const char *path, const char *name)
{
	return add(s, path, name, NULL, 0);
}

struct sp_artifact *sp_scanner_add_files(struct sp_scanner *s, const char *label,
					 const struct sp_unpack_file *files, size_t n)
{
	return add(s, label, label, files, n);
}

void sp_scanner_wait(struct sp_scanner *s)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	while (s->busy)
		pthread_cond_wait(&s->idle, &s->lock);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < s->nartifacts; i++)
		sp_artifact_sort(s->artifacts[i]);
	s->nartifacts = 0;
}
