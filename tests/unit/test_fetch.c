/*
 * The fetcher against a real server: tests/support/indexserver.py on
 * 127.0.0.1, started twice with `env -i` (plain http, and https with basic
 * auth and the throw-away CA), driven through its fault injection
 * (POST /_faults) and checked through its counters (GET /_stats).
 * Also the store, the HTTP cache, redaction and the progress line, which
 * need no server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/xalloc.h"
#include "fetch/fetch.h"
#include "fetch/httpcache.h"
#include "fetch/progress.h"
#include "fetch/redact.h"
#include "fetch/store.h"

#define USER "alice"
#define PASS "s3cret-Pa55"
#define NFILES 20

struct server {
	pid_t pid;
	char base[96]; /* http(s)://127.0.0.1:PORT */
	int port;
};

static char scratch[256];
static char root[300]; /* artifacts served */
static char certdir[300];
static char cafile[320];
static char clientpem[320];
static struct server plain, tls;
static char hexes[NFILES][SP_SHA256_HEX];
static size_t sizes[NFILES];

/* --- helpers --- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, n, fp), n);
	fclose(fp);
}

static char *read_text(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	buf[fread(buf, 1, (size_t)n, fp)] = '\0';
	fclose(fp);
	return buf;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Starts indexserver.py with env -i and waits for its READY line. */
static void start_server(struct server *s, const char *const *extra)
{
	const char *src = getenv("SP_SOURCE_DIR");
	char script[512], line[256];
	const char *argv[24];
	int pfd[2], n = 0, i;
	FILE *fp;

	snprintf(script, sizeof(script), "%s/tests/support/indexserver.py", src ? src : "../..");
	argv[n++] = "env";
	argv[n++] = "-i";
	argv[n++] = "PATH=/usr/bin:/bin";
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "--root";
	argv[n++] = root;
	for (i = 0; extra && extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	assert_int_equal(pipe(pfd), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execvp("env", (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	fp = fdopen(pfd[0], "r");
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	assert_true(strncmp(line, "READY ", 6) == 0);
	line[strcspn(line, "\r\n")] = '\0';
	snprintf(s->base, sizeof(s->base), "%.90s", line + 6);
	s->port = (int)strtol(strrchr(s->base, ':') + 1, NULL, 10);
}

static void stop_server(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
}

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	struct sp_buf *b = arg;

	sp_buf_add(b, p, size * n);
	return size * n;
}

/* A control request to the server; the reply body into *out (may be NULL). */
static void control(const struct server *s, const char *path, const char *post, char **out)
{
	struct sp_buf b;
	char url[256];
	long code = 0;
	CURL *e = curl_easy_init();

	sp_buf_init(&b, 1 << 24);
	snprintf(url, sizeof(url), "%s%s", s->base, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	if (post)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, post);
	assert_int_equal(curl_easy_perform(e), CURLE_OK);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	assert_int_equal(code, 200);
	curl_easy_cleanup(e);
	if (out)
		*out = sp_buf_detach(&b, NULL);
	sp_buf_release(&b);
}

static void faults(const struct server *s, const char *json)
{
	control(s, "/_faults", json, NULL);
	control(s, "/_reset", "", NULL);
}

/* GET /_stats, parsed; the caller frees it with cJSON_Delete(). */
static cJSON *stats(const struct server *s)
{
	char *text;
	cJSON *j;

	control(s, "/_stats", NULL, &text);
	j = cJSON_Parse(text);
	free(text);
	assert_non_null(j);
	return j;
}

static int stat_int(const struct server *s, const char *key)
{
	cJSON *j = stats(s);
	int v = cJSON_GetObjectItem(j, key)->valueint;

	cJSON_Delete(j);
	return v;
}

/*
 * The server counts a request after its last byte is sent, so a client can
 * see the answer before the count moves: poll up to two seconds for want.
 */
static int requests_settled(const struct server *s, int want)
{
	int n = 0, i;

	for (i = 0; i < 100; i++) {
		n = stat_int(s, "requests");
		if (n == want)
			break;
		usleep(20000);
	}
	return n;
}

/* --- one fetch, its result copied out of the callback --- */

struct got {
	int calls;
	int err;
	long status;
	int attempts;
	bool cached;
	char msg[SP_DIAG_TEXT];
	char url[512], final_url[512];
	char sha256[SP_SHA256_HEX];
	char etag[256], ctype[256];
	char *path;
	char *body;
	size_t len;
	int64_t bytes;
	int64_t range_start, range_total;
};

static void got_release(struct got *g)
{
	free(g->path);
	free(g->body);
	memset(g, 0, sizeof(*g));
}

static void on_result(const struct sp_fetch_result *r, void *arg)
{
	struct got *g = arg;

	g->calls++;
	g->err = r->err;
	g->status = r->status;
	g->attempts = r->attempts;
	g->cached = r->cached;
	snprintf(g->msg, sizeof(g->msg), "%s", r->diag->msg);
	snprintf(g->url, sizeof(g->url), "%s", r->url);
	snprintf(g->final_url, sizeof(g->final_url), "%s", r->final_url ? r->final_url : "");
	snprintf(g->sha256, sizeof(g->sha256), "%s", r->sha256);
	snprintf(g->etag, sizeof(g->etag), "%s", r->etag ? r->etag : "");
	snprintf(g->ctype, sizeof(g->ctype), "%s", r->content_type ? r->content_type : "");
	g->path = r->path ? xstrdup(r->path) : NULL;
	g->bytes = r->bytes;
	g->range_start = r->range_start;
	g->range_total = r->range_total;
	if (r->body)
		g->body = sp_buf_detach(r->body, &g->len);
}

static struct sp_store *store;
static struct sp_httpcache *cache;

static void base_opts(struct sp_fetch_opts *o)
{
	sp_fetch_opts_init(o);
	o->store = store;
	o->cache = cache;
	o->allow_http = true;
	o->ca_bundle = cafile;
	o->backoff_ms = 20;
	o->timeout = 5;
	o->retries = 2;
	o->netrc = false;
}

static int fetch_one(const struct sp_fetch_opts *o, struct sp_fetch_req *r, struct got *g)
{
	struct sp_fetch *f;
	struct sp_diag d;
	int rc;

	memset(g, 0, sizeof(*g));
	sp_diag_clear(&d);
	assert_int_equal(sp_fetch_new(&f, o, &d), 0);
	r->done = on_result;
	r->arg = g;
	assert_int_equal(sp_fetch_add(f, r, &d), 0);
	rc = sp_fetch_run(f);
	sp_fetch_free(f);
	assert_int_equal(g->calls, 1);
	assert_int_equal(rc, g->err);
	return rc;
}

static void file_url(char *out, size_t n, const struct server *s, int i)
{
	snprintf(out, n, "%s/files/f%02d-1.0.tar.gz", s->base, i);
}

static struct sp_fetch_req store_req(const char *url, const char *sha)
{
	struct sp_fetch_req r;

	memset(&r, 0, sizeof(r));
	r.url = url;
	r.sha256 = sha;
	r.size = -1;
	r.sink = SP_SINK_STORE;
	return r;
}

static struct sp_fetch_req mem_req(const char *url)
{
	struct sp_fetch_req r;

	memset(&r, 0, sizeof(r));
	r.url = url;
	r.size = -1;
	r.sink = SP_SINK_MEMORY;
	return r;
}

static void assert_no_secret(const struct got *g)
{
	assert_null(strstr(g->msg, PASS));
	assert_null(strstr(g->url, PASS));
	assert_null(strstr(g->final_url, PASS));
}

/* Deletes every stored artifact so a test downloads afresh. */
static void empty_store(void)
{
	int i;

	for (i = 0; i < NFILES; i++) {
		char *p = sp_store_path(store, hexes[i]);

		unlink(p);
		free(p);
	}
}

static char *tmpdir_path(void)
{
	return xasprintf("%s/tmp", sp_store_root(store));
}

/* --- setup --- */

static void unset_proxies(void)
{
	static const char *const vars[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
					   "HTTPS_PROXY", "all_proxy",	"ALL_PROXY",
					   "no_proxy",	  "NO_PROXY",	"NETRC"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static int group_setup(void **state)
{
	char path[400], *sroot, *croot;
	struct sp_diag d;
	size_t i;

	(void)state;
	unset_proxies();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(scratch, sizeof(scratch), "/tmp/sp-test-fetch-XXXXXX");
	assert_non_null(mkdtemp(scratch));
	snprintf(root, sizeof(root), "%s/root", scratch);
	snprintf(certdir, sizeof(certdir), "%s/certs", scratch);
	snprintf(cafile, sizeof(cafile), "%s/ca.pem", certdir);
	snprintf(clientpem, sizeof(clientpem), "%s/client-with-key.pem", scratch);
	mkdir(root, 0700);
	/* Mixed sizes, distinct bytes; the names are sdists so the server serves them. */
	for (i = 0; i < NFILES; i++) {
		size_t n = 1000 + i * 7919 + (i % 3) * 65536;
		unsigned char *buf = xmalloc(n), dig[SP_SHA256_LEN];

		for (size_t k = 0; k < n; k++)
			buf[k] = (unsigned char)((k * 31 + i * 17) ^ (k >> 8));
		snprintf(path, sizeof(path), "%s/f%02zu-1.0.tar.gz", root, i);
		write_file(path, buf, n);
		sp_sha256(buf, n, dig);
		sp_hex(dig, SP_SHA256_LEN, hexes[i]);
		sizes[i] = n;
		free(buf);
	}
	{
		static const char *const tls_args[] = {"--tls", certdir, "--auth", USER ":" PASS,
						       NULL};
		const char *const *targs = tls_args;

		start_server(&plain, NULL);
		start_server(&tls, targs);
	}
	{
		char *cert, *key, *both;

		snprintf(path, sizeof(path), "%s/client.pem", certdir);
		cert = read_text(path);
		snprintf(path, sizeof(path), "%s/client.key", certdir);
		key = read_text(path);
		assert_non_null(cert);
		assert_non_null(key);
		both = xasprintf("%s%s", cert, key);
		write_file(clientpem, both, strlen(both));
		free(cert);
		free(key);
		free(both);
	}
	sroot = xasprintf("%s/store", scratch);
	croot = xasprintf("%s/http", scratch);
	sp_diag_clear(&d);
	assert_int_equal(sp_store_open(&store, sroot, &d), 0);
	assert_int_equal(sp_httpcache_open(&cache, croot, &d), 0);
	free(sroot);
	free(croot);
	return 0;
}

static int group_teardown(void **state)
{
	char *cmd;

	(void)state;
	stop_server(&plain);
	stop_server(&tls);
	sp_store_free(store);
	sp_httpcache_free(cache);
	cmd = xasprintf("rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", scratch);
	free(cmd);
	curl_global_cleanup();
	return 0;
}

static int each_setup(void **state)
{
	(void)state;
	faults(&plain, "{}");
	faults(&tls, "{}");
	empty_store();
	return 0;
}

/* The bytes of test file i, as group_setup wrote them. */
static unsigned char file_byte(size_t i, size_t k)
{
	return (unsigned char)((k * 31 + i * 17) ^ (k >> 8));
}

static void expect_part(const struct got *g, size_t i, int64_t start, int64_t len)
{
	int64_t k;

	assert_int_equal(g->err, 0);
	assert_int_equal(g->status, 206);
	assert_int_equal(g->range_start, start);
	assert_int_equal(g->range_total, (int64_t)sizes[i]);
	assert_int_equal((int64_t)g->len, len);
	for (k = 0; k < len; k++)
		if ((unsigned char)g->body[k] != file_byte(i, (size_t)(start + k)))
			fail_msg("byte %lld of the part differs", (long long)k);
}

/*
 * A 100-byte part of f09 from start (-1: the last 100) under the fault
 * {"kind":KIND_AND_VALUE} fails with want, saying msg, and yields no body.
 */
static void part_refused(const struct sp_fetch_opts *o, const char *url, const char *fault,
			 int64_t start, int want, const char *msg)
{
	struct sp_fetch_req r;
	struct got g;
	char *table = xasprintf("{\"/files/f09-1.0.tar.gz\":{\"kind\":%s}}", fault);

	faults(&plain, table);
	free(table);
	r = mem_req(url);
	r.range_start = start;
	r.range_len = 100;
	assert_int_equal(fetch_one(o, &r, &g), want);
	if (!strstr(g.msg, msg))
		fail_msg("'%s' does not say '%s'", g.msg, msg);
	assert_null(g.body);
	got_release(&g);
}

/*
 * Range requests: a part from an offset, the end of the file, a part past
 * the end (416), a truncated part retried, a server that ignores ranges
 * (cut off at once, status 200), and requests that cannot be ranges.
 */
static void test_ranges(void **state)
{
	static const char *const nr_args[] = {"--no-ranges", NULL};
	struct server nr;
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct sp_fetch *f;
	struct sp_diag d;
	struct got g;
	char url[256];
	size_t i = 9;

	(void)state;
	base_opts(&o);
	file_url(url, sizeof(url), &plain, (int)i);
	r = mem_req(url);
	r.range_start = 100;
	r.range_len = 5000;
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	expect_part(&g, i, 100, 5000);
	got_release(&g);

	r = mem_req(url);
	r.range_start = -1;
	r.range_len = 777;
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	expect_part(&g, i, (int64_t)sizes[i] - 777, 777);
	got_release(&g);

	r = mem_req(url);
	r.range_start = (int64_t)sizes[i] + 10;
	r.range_len = 10;
	assert_int_not_equal(fetch_one(&o, &r, &g), 0);
	assert_int_equal(g.status, 416);
	assert_null(g.body);
	got_release(&g);

	faults(&plain, "{\"/files/f09-1.0.tar.gz\":{\"kind\":\"truncate\",\"times\":1}}");
	r = mem_req(url);
	r.range_start = 1;
	r.range_len = 20000;
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	assert_int_equal(g.attempts, 2);
	expect_part(&g, i, 1, 20000);
	got_release(&g);

	/* A Content-Range that does not describe the body, or is not complete; a coded part. */
	part_refused(&o, url, "\"content-range\",\"value\":\"bytes 0-1/72271\"", 0, SP_EFORMAT,
		     "not the range asked for");
	part_refused(&o, url, "\"content-range\",\"value\":\"bytes */72271\"", 0, SP_EFORMAT,
		     "is not a complete one");
	/* the right length, at the wrong place */
	part_refused(&o, url, "\"content-range\",\"value\":\"bytes 72171-72270/72271\"", 0,
		     SP_EFORMAT, "not the range asked for");
	part_refused(&o, url, "\"content-encoding\",\"value\":\"gzip\"", -1, SP_EUNSUPPORTED,
		     "Content-Encoding 'gzip'");
	faults(&plain, "{}");

	start_server(&nr, nr_args);
	file_url(url, sizeof(url), &nr, (int)i);
	r = mem_req(url);
	r.range_start = -1;
	r.range_len = 100;
	assert_int_equal(fetch_one(&o, &r, &g), SP_EUNSUPPORTED);
	assert_int_equal(g.status, 200);
	assert_int_equal(g.attempts, 1);
	assert_null(g.body);
	assert_non_null(strstr(g.msg, "answers range requests with the whole file"));
	got_release(&g);
	/* a 200 no larger than the part asked for is the whole file, and fine */
	r = mem_req(url);
	r.range_start = -1;
	r.range_len = (int64_t)sizes[i] + 10;
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	assert_int_equal(g.status, 200);
	assert_int_equal(g.range_start, 0);
	assert_int_equal(g.range_total, (int64_t)sizes[i]);
	assert_int_equal(g.len, sizes[i]);
	assert_int_equal((unsigned char)g.body[sizes[i] - 1], file_byte(i, sizes[i] - 1));
	got_release(&g);
	stop_server(&nr);

	assert_int_equal(sp_fetch_new(&f, &o, &d), 0);
	r = store_req(url, NULL);
	r.range_len = 10;
	assert_int_equal(sp_fetch_add(f, &r, &d), SP_EINVAL);
	r = mem_req(url);
	r.range_len = 10;
	r.use_cache = true;
	assert_int_equal(sp_fetch_add(f, &r, &d), SP_EINVAL);
	r = mem_req(url);
	r.range_start = -2;
	r.range_len = 10;
	assert_int_equal(sp_fetch_add(f, &r, &d), SP_EINVAL);
	sp_fetch_free(f);
}

/* --- the queue --- */

struct many {
	int ok, failed;
	int cached;
};

static void on_many(const struct sp_fetch_result *r, void *arg)
{
	struct many *m = arg;

	if (r->err) {
		m->failed++;
		fprintf(stderr, "unexpected: %s\n", r->diag->msg);
		return;
	}
	m->ok++;
	m->cached += r->cached;
	assert_non_null(r->path);
	assert_string_equal(strrchr(r->path, '/') + 1, r->sha256);
}

static void run_many(struct many *m, int per_host, int total)
{
	struct sp_fetch_opts o;
	struct sp_fetch *f;
	struct sp_diag d;
	char urls[NFILES][256];
	int i;

	base_opts(&o);
	o.max_per_host = per_host;
	o.max_total = total;
	memset(m, 0, sizeof(*m));
	assert_int_equal(sp_fetch_new(&f, &o, &d), 0);
	for (i = 0; i < NFILES; i++) {
		struct sp_fetch_req r;

		file_url(urls[i], sizeof(urls[i]), &plain, i);
		r = store_req(urls[i], hexes[i]);
		r.size = (int64_t)sizes[i];
		r.done = on_many;
		r.arg = m;
		assert_int_equal(sp_fetch_add(f, &r, &d), 0);
	}
	assert_int_equal(sp_fetch_run(f), 0);
	sp_fetch_free(f);
}

static void test_parallel_per_host_cap(void **state)
{
	struct many m;
	char json[4096];
	size_t n = 0;
	int i, maxc;

	(void)state;
	/* Every file waits 0.25 s before answering, so transfers overlap. */
	n += (size_t)snprintf(json + n, sizeof(json) - n, "{");
	for (i = 0; i < NFILES; i++)
		n += (size_t)snprintf(
			json + n, sizeof(json) - n,
			"%s\"/files/f%02d-1.0.tar.gz\":{\"kind\":\"hold\",\"seconds\":0.25}",
			i ? "," : "", i);
	snprintf(json + n, sizeof(json) - n, "}");
	faults(&plain, json);

	run_many(&m, 4, 10);
	assert_int_equal(m.ok, NFILES);
	assert_int_equal(m.failed, 0);
	assert_int_equal(requests_settled(&plain, NFILES), NFILES);
	maxc = stat_int(&plain, "max_concurrent");
	assert_true(maxc <= 4);
	assert_true(maxc >= 2); /* it did run in parallel */

	/* The total cap binds when it is the smaller one. */
	empty_store();
	faults(&plain, json);
	run_many(&m, 8, 3);
	assert_int_equal(m.ok, NFILES);
	assert_true(stat_int(&plain, "max_concurrent") <= 3);

	/* A second run finds every file in the store and asks for nothing. */
	control(&plain, "/_reset", "", NULL);
	run_many(&m, 4, 10);
	assert_int_equal(m.cached, NFILES);
	assert_int_equal(stat_int(&plain, "requests"), 0);
}

static void test_hash_ok_and_mismatch(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256], *p, *tmp, wrong[SP_SHA256_HEX];

	(void)state;
	base_opts(&o);
	file_url(url, sizeof(url), &plain, 3);
	r = store_req(url, hexes[3]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	assert_false(g.cached);
	assert_string_equal(g.sha256, hexes[3]);
	assert_int_equal(g.bytes, (int64_t)sizes[3]);
	p = sp_store_path(store, hexes[3]);
	assert_string_equal(g.path, p);
	assert_int_equal(access(p, R_OK), 0);
	free(p);
	got_release(&g);

	/* The expected hash is another file's: nothing stored, temp removed. */
	snprintf(wrong, sizeof(wrong), "%s", hexes[4]);
	r = store_req(url, wrong);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EHASH);
	assert_non_null(strstr(g.msg, "hash mismatch for '"));
	assert_non_null(strstr(g.msg, url));
	assert_non_null(strstr(g.msg, wrong));
	assert_non_null(strstr(g.msg, hexes[3]));
	assert_null(g.path);
	p = sp_store_path(store, wrong);
	assert_int_not_equal(access(p, F_OK), 0);
	free(p);
	tmp = tmpdir_path();
	assert_int_equal(count_files(tmp), 0);
	free(tmp);
	got_release(&g);

	/* A server that flips a byte: mismatch, not retried. */
	empty_store();
	faults(&plain, "{\"/files/f03-1.0.tar.gz\":{\"kind\":\"corrupt\"}}");
	r = store_req(url, hexes[3]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EHASH);
	assert_int_equal(g.attempts, 1);
	p = sp_store_path(store, hexes[3]);
	assert_int_not_equal(access(p, F_OK), 0);
	free(p);
	got_release(&g);
}

static void test_truncation(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256], *tmp;

	(void)state;
	base_opts(&o);
	file_url(url, sizeof(url), &plain, 5);
	/* Once: the retry gets the whole file. */
	faults(&plain, "{\"/files/f05-1.0.tar.gz\":{\"kind\":\"truncate\",\"times\":1}}");
	r = store_req(url, hexes[5]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	assert_int_equal(g.attempts, 2);
	assert_string_equal(g.sha256, hexes[5]);
	got_release(&g);

	/* Always: it fails after the retries, and leaves nothing. */
	empty_store();
	faults(&plain, "{\"/files/f05-1.0.tar.gz\":{\"kind\":\"truncate\"}}");
	r = store_req(url, hexes[5]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EIO);
	assert_int_equal(g.attempts, 3);
	assert_non_null(strstr(g.msg, "after 3 attempts"));
	tmp = tmpdir_path();
	assert_int_equal(count_files(tmp), 0);
	free(tmp);
	got_release(&g);
}

static void test_404_not_retried(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256];

	(void)state;
	base_opts(&o);
	snprintf(url, sizeof(url), "%s/files/absent-1.0.tar.gz", plain.base);
	r = store_req(url, NULL);
	assert_int_equal(fetch_one(&o, &r, &g), SP_ENOENT);
	assert_int_equal(g.status, 404);
	assert_int_equal(g.attempts, 1);
	assert_int_equal(requests_settled(&plain, 1), 1);
	assert_non_null(strstr(g.msg, "HTTP 404"));
	got_release(&g);
}

static void test_500_then_success(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256];

	(void)state;
	base_opts(&o);
	file_url(url, sizeof(url), &plain, 6);
	faults(&plain,
	       "{\"/files/f06-1.0.tar.gz\":{\"kind\":\"status\",\"code\":500,\"times\":2}}");
	r = store_req(url, hexes[6]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	assert_int_equal(g.attempts, 3);
	assert_int_equal(requests_settled(&plain, 3), 3);
	got_release(&g);

	/* More failures than retries: the last status is reported. */
	empty_store();
	faults(&plain, "{\"/files/f06-1.0.tar.gz\":{\"kind\":\"status\",\"code\":503}}");
	r = store_req(url, hexes[6]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EIO);
	assert_int_equal(g.status, 503);
	assert_non_null(strstr(g.msg, "HTTP 503 after 3 attempts"));
	got_release(&g);
}

static void test_429_retry_after(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256], json[512], date[64];
	double t0, dt;
	time_t when;

	(void)state;
	base_opts(&o);
	file_url(url, sizeof(url), &plain, 7);
	faults(&plain, "{\"/files/f07-1.0.tar.gz\":{\"kind\":\"status\",\"code\":429,"
		       "\"times\":1,\"retry_after\":1}}");
	r = store_req(url, hexes[7]);
	t0 = now();
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	dt = now() - t0;
	assert_int_equal(g.attempts, 2);
	assert_true(dt >= 0.95); /* the back-off alone is 20 ms */
	assert_true(dt < 5.0);
	got_release(&g);

	/* The same as an HTTP date, two seconds ahead (one-second resolution). */
	empty_store();
	when = time(NULL) + 2;
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&when));
	snprintf(json, sizeof(json),
		 "{\"/files/f07-1.0.tar.gz\":{\"kind\":\"status\",\"code\":429,\"times\":1,"
		 "\"retry_after\":\"%s\"}}",
		 date);
	faults(&plain, json);
	r = store_req(url, hexes[7]);
	t0 = now();
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	dt = now() - t0;
	assert_true(dt >= 0.9);
	assert_true(dt < 5.0);
	got_release(&g);
}

static void test_low_speed_timeout(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256];
	double t0, dt;

	(void)state;
	base_opts(&o);
	o.timeout = 1;
	o.retries = 0;
	file_url(url, sizeof(url), &plain, 8);
	/* 20 pieces over 60 s: three seconds of silence between pieces. */
	faults(&plain, "{\"/files/f08-1.0.tar.gz\":{\"kind\":\"slow\",\"seconds\":60}}");
	r = store_req(url, hexes[8]);
	t0 = now();
	assert_int_equal(fetch_one(&o, &r, &g), SP_ETIMEOUT);
	dt = now() - t0;
	assert_true(dt < 4.0);
	assert_non_null(strstr(g.msg, "--timeout"));
	got_release(&g);
}

static void test_oversize_refused(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256], *tmp;

	(void)state;
	base_opts(&o);
	/* Content-Length over the cap: refused before the body. */
	file_url(url, sizeof(url), &plain, 2); /* 2 % 3 != 0: over 64 KiB */
	r = store_req(url, hexes[2]);
	r.max_bytes = 4096;
	assert_int_equal(fetch_one(&o, &r, &g), SP_ELIMIT);
	assert_non_null(strstr(g.msg, "4096-byte cap"));
	got_release(&g);

	/* More bytes than the index said: stopped as soon as they pass the size. */
	faults(&plain, "{\"/files/f02-1.0.tar.gz\":{\"kind\":\"oversize\",\"bytes\":1000000}}");
	r = store_req(url, hexes[2]);
	r.size = (int64_t)sizes[2];
	assert_int_equal(fetch_one(&o, &r, &g), SP_EHASH);
	assert_non_null(strstr(g.msg, "size mismatch"));
	got_release(&g);

	/* A memory body past its cap. */
	r = mem_req(url);
	r.max_bytes = 1000;
	assert_int_equal(fetch_one(&o, &r, &g), SP_ELIMIT);
	assert_null(g.body);
	got_release(&g);
	tmp = tmpdir_path();
	assert_int_equal(count_files(tmp), 0);
	free(tmp);
}

/* --- TLS, credentials, redirects --- */

static void tls_url(char *out, size_t n, const char *userinfo, const char *host, int i)
{
	snprintf(out, n, "https://%s%s:%d/files/f%02d-1.0.tar.gz", userinfo, host, tls.port, i);
}

static void test_tls_and_basic_auth(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256];

	(void)state;
	base_opts(&o);
	tls_url(url, sizeof(url), USER ":" PASS "@", "127.0.0.1", 9);
	r = store_req(url, hexes[9]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	assert_string_equal(g.sha256, hexes[9]);
	assert_null(strstr(g.url, PASS));
	assert_non_null(strstr(g.url, USER ":****@"));
	got_release(&g);

	/* Without the throw-away CA the server is unknown: refused, not retried. */
	empty_store();
	o.ca_bundle = NULL;
	r = store_req(url, hexes[9]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EIO);
	assert_int_equal(g.attempts, 1);
	assert_non_null(strstr(g.msg, "certificate"));
	assert_no_secret(&g);
	got_release(&g);
	o.ca_bundle = cafile;

	/* No credentials: 401 with a hint. */
	tls_url(url, sizeof(url), "", "127.0.0.1", 9);
	r = store_req(url, hexes[9]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EIO);
	assert_int_equal(g.status, 401);
	assert_non_null(strstr(g.msg, "credentials"));
	got_release(&g);

	/* A wrong password never shows up either. */
	snprintf(url, sizeof(url), "https://" USER ":wrong-" PASS "@127.0.0.1:%d/files/nope.whl",
		 tls.port);
	r = store_req(url, NULL);
	assert_int_not_equal(fetch_one(&o, &r, &g), 0);
	assert_no_secret(&g);
	got_release(&g);
}

static void test_netrc(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256], netrc[400], text[256];

	(void)state;
	snprintf(netrc, sizeof(netrc), "%s/netrc", scratch);
	snprintf(text, sizeof(text), "machine 127.0.0.1 login %s password %s\n", USER, PASS);
	write_file(netrc, text, strlen(text));
	chmod(netrc, 0600);
	tls_url(url, sizeof(url), "", "127.0.0.1", 10);

	base_opts(&o);
	o.netrc = true;
	o.netrc_file = netrc;
	r = store_req(url, hexes[10]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	got_release(&g);

	/* Through $NETRC, as pip's requests reads it. */
	empty_store();
	base_opts(&o);
	o.netrc = true;
	setenv("NETRC", netrc, 1);
	r = store_req(url, hexes[10]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	unsetenv("NETRC");
	got_release(&g);

	/* netrc off: no credentials. */
	empty_store();
	base_opts(&o);
	setenv("NETRC", netrc, 1);
	r = store_req(url, hexes[10]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EIO);
	assert_int_equal(g.status, 401);
	unsetenv("NETRC");
	got_release(&g);
}

/* Whether the last logged request for path carried an Authorization header. */
static int last_auth(const char *path)
{
	cJSON *j = stats(&tls), *log = cJSON_GetObjectItem(j, "log"), *e;
	int auth = -1;

	cJSON_ArrayForEach(e, log) if (!strcmp(cJSON_GetObjectItem(e, "path")->valuestring, path))
		auth = cJSON_IsTrue(cJSON_GetObjectItem(e, "auth"));
	cJSON_Delete(j);
	return auth;
}

static void test_redirects(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256], json[512];

	(void)state;
	base_opts(&o);
	/* Same origin, relative Location: the credentials go along. */
	faults(&tls, "{\"/files/f11-1.0.tar.gz\":{\"kind\":\"redirect\","
		     "\"location\":\"/files/f12-1.0.tar.gz\"}}");
	tls_url(url, sizeof(url), USER ":" PASS "@", "127.0.0.1", 11);
	r = store_req(url, hexes[12]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	assert_non_null(strstr(g.final_url, "/files/f12-1.0.tar.gz"));
	assert_no_secret(&g);
	assert_int_equal(requests_settled(&tls, 2), 2);
	assert_int_equal(last_auth("/files/f12-1.0.tar.gz"), 1);
	got_release(&g);

	/* Another host (localhost is not 127.0.0.1): no credentials are sent. */
	empty_store();
	snprintf(json, sizeof(json),
		 "{\"/files/f11-1.0.tar.gz\":{\"kind\":\"redirect\","
		 "\"location\":\"https://localhost:%d/files/f12-1.0.tar.gz\"}}",
		 tls.port);
	faults(&tls, json);
	r = store_req(url, hexes[12]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EIO);
	assert_int_equal(g.status, 401);
	assert_int_equal(requests_settled(&tls, 2), 2);
	assert_int_equal(last_auth("/files/f12-1.0.tar.gz"), 0);
	assert_int_equal(last_auth("/files/f11-1.0.tar.gz"), 1);
	assert_no_secret(&g);
	got_release(&g);

	/* A loop stops at the cap. */
	faults(&plain, "{\"/files/f13-1.0.tar.gz\":{\"kind\":\"redirect\","
		       "\"location\":\"/files/f13-1.0.tar.gz\"}}");
	file_url(url, sizeof(url), &plain, 13);
	o.max_redirects = 3;
	r = store_req(url, hexes[13]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_ELIMIT);
	assert_non_null(strstr(g.msg, "more than 3 redirects"));
	assert_int_equal(requests_settled(&plain, 4), 4);
	got_release(&g);

	/* https to plain http is refused when http is not allowed. */
	o.allow_http = false;
	snprintf(json, sizeof(json),
		 "{\"/files/f11-1.0.tar.gz\":{\"kind\":\"redirect\","
		 "\"location\":\"%s/files/f11-1.0.tar.gz\"}}",
		 plain.base);
	faults(&tls, json);
	control(&plain, "/_reset", "", NULL);
	tls_url(url, sizeof(url), USER ":" PASS "@", "127.0.0.1", 11);
	r = store_req(url, hexes[11]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EUNSUPPORTED);
	assert_non_null(strstr(g.msg, "refusing plain http"));
	assert_int_equal(stat_int(&plain, "requests"), 0);
	assert_no_secret(&g);
	got_release(&g);
}

static void test_plain_http_policy(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256];

	(void)state;
	base_opts(&o);
	o.allow_http = false;
	file_url(url, sizeof(url), &plain, 14);
	r = store_req(url, hexes[14]);
	assert_int_equal(fetch_one(&o, &r, &g), SP_EUNSUPPORTED);
	assert_non_null(strstr(g.msg, "refusing plain http for '"));
	assert_int_equal(stat_int(&plain, "requests"), 0);
	got_release(&g);

	o.allow_http = true;
	r = store_req(url, hexes[14]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	got_release(&g);
}

static void test_client_cert_accepted(void **state)
{
	struct server mtls;
	static const char *const args[3] = {"--tls", NULL, "--client-ca"};
	const char *argv[4];
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256];

	(void)state;
	argv[0] = args[0];
	argv[1] = certdir;
	argv[2] = args[2];
	argv[3] = NULL;
	start_server(&mtls, argv);
	snprintf(url, sizeof(url), "%s/files/f15-1.0.tar.gz", mtls.base);
	base_opts(&o);
	o.client_cert = clientpem;
	r = store_req(url, hexes[15]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	got_release(&g);

	empty_store();
	o.client_cert = NULL;
	o.retries = 0;
	r = store_req(url, hexes[15]);
	assert_int_not_equal(fetch_one(&o, &r, &g), 0);
	got_release(&g);
	stop_server(&mtls);
}

/*
 * Proxies come from libcurl's own reading of the environment: HTTPS_PROXY
 * is used (the plain test server cannot tunnel, so the fetch fails at the
 * CONNECT), and NO_PROXY exempts a host.
 */
static void test_proxy_from_environment(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g;
	char url[256], proxy[256];

	(void)state;
	base_opts(&o);
	o.retries = 0;
	snprintf(proxy, sizeof(proxy), "http://pu:proxy-secret@127.0.0.1:%d", plain.port);
	setenv("HTTPS_PROXY", proxy, 1);
	tls_url(url, sizeof(url), USER ":" PASS "@", "127.0.0.1", 16);
	r = store_req(url, hexes[16]);
	assert_int_not_equal(fetch_one(&o, &r, &g), 0);
	assert_non_null(strstr(g.msg, "CONNECT"));
	assert_null(strstr(g.msg, "proxy-secret"));
	assert_no_secret(&g);
	got_release(&g);

	setenv("NO_PROXY", "127.0.0.1", 1);
	r = store_req(url, hexes[16]);
	assert_int_equal(fetch_one(&o, &r, &g), 0);
	got_release(&g);
	unset_proxies();
}

/* --- the HTTP cache --- */

static void test_revalidation_304(void **state)
{
	struct sp_fetch_opts o;
	struct sp_fetch_req r;
	struct got g1, g2;
	char url[256], *path, *key;
	const char *accept = "application/vnd.pypi.simple.v1+json";

	(void)state;
	base_opts(&o);
	snprintf(url, sizeof(url), "%s/simple/f01/", plain.base);
	sp_httpcache_drop(cache, url, accept);
	r = mem_req(url);
	r.accept = accept;
	r.use_cache = true;
	assert_int_equal(fetch_one(&o, &r, &g1), 0);
	assert_int_equal(g1.status, 200);
	assert_false(g1.cached);
	assert_non_null(g1.body);
	assert_non_null(strstr(g1.body, "f01-1.0.tar.gz"));
	assert_string_equal(g1.ctype, accept);
	assert_true(g1.etag[0] == '"');

	r = mem_req(url);
	r.accept = accept;
	r.use_cache = true;
	assert_int_equal(fetch_one(&o, &r, &g2), 0);
	assert_int_equal(g2.status, 304);
	assert_true(g2.cached);
	assert_int_equal(g2.len, g1.len);
	assert_memory_equal(g2.body, g1.body, g1.len);
	assert_string_equal(g2.sha256, g1.sha256);
	assert_string_equal(g2.ctype, accept);
	got_release(&g2);

	/* Another Accept is another entry: a full answer, in HTML. */
	r = mem_req(url);
	r.accept = "text/html";
	r.use_cache = true;
	assert_int_equal(fetch_one(&o, &r, &g2), 0);
	assert_int_equal(g2.status, 200);
	assert_non_null(strstr(g2.body, "<a "));
	got_release(&g2);

	/* A corrupted entry is ignored: the page comes whole again. */
	{
		struct sp_httpcache_entry e;

		assert_int_equal(sp_httpcache_get(cache, url, accept, &e), 0);
		sp_httpcache_entry_release(&e);
	}
	key = xasprintf("%s\n%s", url, accept);
	{
		unsigned char dig[SP_SHA256_LEN];
		char hex[SP_SHA256_HEX];
		char *text;
		size_t n;

		sp_sha256(key, strlen(key), dig);
		sp_hex(dig, SP_SHA256_LEN, hex);
		path = xasprintf("%s/http/%.2s/%s", scratch, hex, hex);
		text = read_text(path);
		assert_non_null(text);
		n = strlen(text);
		text[n - 1] ^= 0x20; /* one body byte */
		write_file(path, text, n);
		free(text);
	}
	r = mem_req(url);
	r.accept = accept;
	r.use_cache = true;
	assert_int_equal(fetch_one(&o, &r, &g2), 0);
	assert_int_equal(g2.status, 200);
	assert_memory_equal(g2.body, g1.body, g1.len);
	got_release(&g2);
	free(path);
	free(key);
	got_release(&g1);
}

static void test_httpcache_parse(void **state)
{
	struct sp_httpcache_entry e;
	const char *good =
		"safepip-httpcache 1\nurl https://h/x\naccept \netag \"a\"\n"
		"body-size 3\nbody-sha256 "
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n\nabc";
	static const char *const bad[] = {
		"",
		"safepip-httpcache 2\n",
		"safepip-httpcache 1\nurl x\naccept \nbody-size 3\n\nabc", /* no hash */
		"safepip-httpcache 1\nurl x\naccept \nurl y\nbody-size 0\nbody-sha256 "
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\n",
		"safepip-httpcache 1\nurl x\naccept \nbody-size 4\nbody-sha256 "
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n\nabc",
		"safepip-httpcache 1\nurl x\naccept \nbody-size 3\nbody-sha256 "
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ae\n\nabc",
		"safepip-httpcache 1\nurl x\naccept \nweird 1\nbody-size 0\nbody-sha256 "
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\n",
		"safepip-httpcache 1\nurl x\x01y\naccept \nbody-size 0\nbody-sha256 "
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\n",
		"safepip-httpcache 1\nurl x\naccept \nbody-size 99999999999999999999\n",
	};
	size_t i;

	(void)state;
	assert_int_equal(sp_httpcache_parse(good, strlen(good), &e), 0);
	assert_string_equal(e.url, "https://h/x");
	assert_string_equal(e.accept, "");
	assert_string_equal(e.etag, "\"a\"");
	assert_null(e.last_modified);
	assert_int_equal(e.body.len, 3);
	sp_httpcache_entry_release(&e);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(sp_httpcache_parse(bad[i], strlen(bad[i]), &e), 0);
		assert_null(e.url);
	}
}

/* --- the store on its own --- */

static void test_store_tmp_cleanup(void **state)
{
	struct sp_store *s;
	struct sp_store_tmp *t;
	struct sp_diag d;
	struct timeval old[2] = {{1000000, 0}, {1000000, 0}};
	char *sroot = xasprintf("%s/store2", scratch);
	char *stale, *held, *tmp;
	int fd;

	(void)state;
	assert_int_equal(sp_store_open(&s, sroot, &d), 0);
	tmp = xasprintf("%s/tmp", sroot);
	/* A crashed writer's file (old, unlocked) and a live one (old, locked). */
	stale = xasprintf("%s/1-0-dead.part", tmp);
	held = xasprintf("%s/2-0-live.part", tmp);
	write_file(stale, "x", 1);
	write_file(held, "y", 1);
	utimes(stale, old);
	utimes(held, old);
	fd = open(held, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	assert_int_equal(sp_store_clean_tmp(s), 0 + 1);
	assert_int_not_equal(access(stale, F_OK), 0);
	assert_int_equal(access(held, F_OK), 0);
	close(fd);
	sp_store_free(s);

	/* Reopening cleans the one whose lock is gone. */
	assert_int_equal(sp_store_open(&s, sroot, &d), 0);
	assert_int_not_equal(access(held, F_OK), 0);

	/* A stored file that was changed on disk is found bad and dropped. */
	{
		char hex[SP_SHA256_HEX], *path = NULL, *p;
		int64_t size;

		assert_int_equal(sp_store_tmp_open(s, &t, &d), 0);
		assert_int_equal(sp_store_tmp_write(t, "hello", 5), 0);
		assert_int_equal(sp_store_tmp_commit(t, NULL, "test", hex, &path, &d), 0);
		assert_int_equal(sp_store_lookup(s, hex, &p, &size, &d), 0);
		assert_string_equal(p, path);
		assert_int_equal(size, 5);
		free(p);
		write_file(path, "hellO", 5);
		assert_int_equal(sp_store_lookup(s, hex, &p, &size, &d), SP_ENOENT);
		assert_int_not_equal(access(path, F_OK), 0);
		free(path);
	}
	assert_int_equal(count_files(tmp), 0);
	sp_store_free(s);
	free(stale);
	free(held);
	free(tmp);
	free(sroot);
}

/* --- redaction and progress --- */

static void test_redact(void **state)
{
	static const struct {
		const char *in, *url, *bare;
	} cases[] = {
		{"https://user:secret@host/x", "https://user:****@host/x", "https://host/x"},
		{"https://tok@host/x", "https://****@host/x", "https://host/x"},
		{"https://host/x@y", "https://host/x@y", "https://host/x@y"},
		{"https://u:p@ss@host:8443/?q=a@b", "https://u:****@host:8443/?q=a@b",
		 "https://host:8443/?q=a@b"},
		{"https://u:pw@host", "https://u:****@host", "https://host"},
		{"not a url u:p@h", "not a url u:p@h", "not a url u:p@h"},
		{"", "", ""},
	};
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = sp_redact_url(cases[i].in);
		assert_string_equal(s, cases[i].url);
		free(s);
		s = sp_url_strip_userinfo(cases[i].in);
		assert_string_equal(s, cases[i].bare);
		free(s);
	}
	s = sp_redact_text("cannot fetch 'https://a:b1@h/x' via http://p:q2@proxy:3128 now");
	assert_string_equal(s,
			    "cannot fetch 'https://a:****@h/x' via http://p:****@proxy:3128 now");
	free(s);
}

static void test_progress_format(void **state)
{
	struct sp_fetch_stats st = {
		.files_total = 20, .files_done = 3, .bytes = 4100000, .elapsed = 2.0};
	struct sp_progress *p;
	char line[128];

	(void)state;
	sp_progress_format(&st, line, sizeof(line));
	assert_string_equal(line, "fetching 3/20 files, 4.1 MB, 2.0 MB/s");
	st.files_failed = 1;
	sp_progress_format(&st, line, sizeof(line));
	assert_string_equal(line, "fetching 3/20 files (1 failed), 4.1 MB, 2.0 MB/s");
	/* Not a terminal: nothing is drawn. */
	{
		FILE *fp = tmpfile();

		p = sp_progress_new(fp, false);
		assert_false(sp_progress_enabled(p));
		sp_progress_show(&st, false, p);
		assert_int_equal(ftell(fp), 0);
		sp_progress_free(p);
		fclose(fp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_progress_format),
		cmocka_unit_test(test_httpcache_parse),
		cmocka_unit_test(test_store_tmp_cleanup),
		cmocka_unit_test_setup(test_parallel_per_host_cap, each_setup),
		cmocka_unit_test_setup(test_hash_ok_and_mismatch, each_setup),
		cmocka_unit_test_setup(test_truncation, each_setup),
		cmocka_unit_test_setup(test_404_not_retried, each_setup),
		cmocka_unit_test_setup(test_500_then_success, each_setup),
		cmocka_unit_test_setup(test_429_retry_after, each_setup),
		cmocka_unit_test_setup(test_low_speed_timeout, each_setup),
		cmocka_unit_test_setup(test_oversize_refused, each_setup),
		cmocka_unit_test_setup(test_tls_and_basic_auth, each_setup),
		cmocka_unit_test_setup(test_netrc, each_setup),
		cmocka_unit_test_setup(test_redirects, each_setup),
		cmocka_unit_test_setup(test_plain_http_policy, each_setup),
		cmocka_unit_test_setup(test_client_cert_accepted, each_setup),
		cmocka_unit_test_setup(test_proxy_from_environment, each_setup),
		cmocka_unit_test_setup(test_revalidation_304, each_setup),
		cmocka_unit_test_setup(test_ranges, each_setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
