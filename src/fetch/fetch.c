/*
 * The request queue over one curl multi handle.
 *
 * Each request is a struct xfer that sits in exactly one list: pending
 * (waiting for a slot under the total and per-host caps), sleeping (waiting
 * out a retry delay) or active (added to the multi handle). The scheduling
 * is ours rather than libcurl's (CURLMOPT_MAX_HOST_CONNECTIONS caps
 * connections, not transfers, and with HTTP/2 one connection carries many),
 * so the caps hold for transfers whatever the protocol, and a transfer
 * waiting for a slot is not yet running its timeouts.
 *
 * Redirects are not left to CURLOPT_FOLLOWLOCATION. libcurl (since 7.58 for
 * custom Authorization headers, since 7.83 for URL and CURLOPT_USERPWD
 * credentials) no longer sends credentials to another host on a redirect,
 * but it keeps them for a relative Location and knows nothing of our http
 * policy. Following hop by hop makes every rule explicit and testable: the
 * count, the scheme of each hop, and credentials kept only for the scheme,
 * host and port that they came with (.netrc is looked up per host by
 * libcurl, which is what pip's requests does too).
 */
#include "fetch/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/xalloc.h"
#include "fetch/redact.h"
#include "core/banned.h"

#ifndef SP_VERSION
#define SP_VERSION "0"
#endif

/* Bytes of an error response's body read (and dropped) before giving up on it. */
#define ERROR_BODY_MAX (256 * 1024)
/* Progress callbacks closer together than this are skipped. */
#define PROGRESS_NS (100LL * 1000 * 1000)

enum xstate { X_NEW, X_PENDING, X_SLEEPING, X_ACTIVE };

struct xfer;

struct xlist {
	struct xfer *head, *tail;
	unsigned n;
};

struct host {
	char *key;
	int active;
};

struct sp_fetch {
	struct sp_fetch_opts o; /* strings below are our copies */
	CURLM *multi;
	struct xlist pending, sleeping, active;
	struct host *hosts;
	size_t nhosts, hosts_cap;
	struct sp_fetch_stats st;
	long long started_ns;
	long long progress_ns;
	unsigned long long rng;
	int first_err;
	bool running;
};

struct xfer {
	struct sp_fetch *f;
	struct xfer *prev, *next;
	enum xstate state;

	/* the request, copied */
	char *url;
	char *accept;
	char **headers;
	char *sha256;
	int64_t size;
	int64_t max_bytes;
	enum sp_fetch_sink sink;
	bool use_cache;
	int64_t range_start, range_len; /* range_len 0: the whole body */
	bool range_whole; /* a range request answered 200 with the whole (small) file */
	sp_fetch_done_fn done;
	void *arg;

	char *redacted;	       /* url with its password masked */
	char *cur;	       /* the URL of the current hop */
	char *cred_origin;     /* "scheme://host:port" the URL credentials belong to */
	char *user, *password; /* from the request URL, still URL-encoded */
	bool cross_origin;     /* the current hop left cred_origin */
	int host;	       /* index in f->hosts of the current hop, -1 if unknown */

	CURL *easy;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	int attempts;
	int redirects;
	long long wake_ns;
	long long last_ns; /* when this attempt started or last received bytes */

	long status;	  /* of the response being received */
	int64_t received; /* body bytes of this attempt */
	int64_t dropped;  /* bytes of an error body read and dropped */
	int sink_err;	  /* a failure found while receiving: final */
	struct sp_buf body;
	struct sp_store_tmp *tmp;
	bool looked_up; /* the store and cache were consulted */
	bool have_cached;
	struct sp_httpcache_entry cached;
	struct sp_diag diag;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* xorshift64*: jitter needs spread, not secrecy. */
static unsigned long long rnd(struct sp_fetch *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545F4914F6CDD1DULL;
}

/* --- lists --- */

static void list_remove(struct xlist *l, struct xfer *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		l->head = x->next;
	if (x->next)
		x->next->prev = x->prev;
	else
		l->tail = x->prev;
	x->prev = x->next = NULL;
	l->n--;
}

static void list_push(struct xlist *l, struct xfer *x, bool front)
{
	x->prev = x->next = NULL;
	if (!l->head) {
		l->head = l->tail = x;
	} else if (front) {
		x->next = l->head;
		l->head->prev = x;
		l->head = x;
	} else {
		x->prev = l->tail;
		l->tail->next = x;
		l->tail = x;
	}
	l->n++;
}

static struct xlist *list_of(struct sp_fetch *f, enum xstate s)
{
	switch (s) {
	case X_PENDING:
		return &f->pending;
	case X_SLEEPING:
		return &f->sleeping;
	case X_ACTIVE:
		return &f->active;
	default:
		return NULL;
	}
}

static void move_to(struct xfer *x, enum xstate s, bool front)
{
	struct xlist *from = list_of(x->f, x->state), *to = list_of(x->f, s);

	if (from)
		list_remove(from, x);
	x->state = s;
	if (to)
		list_push(to, x, front);
}

/* --- URLs --- */

/* Parses url into a new CURLU, or NULL when libcurl rejects it. */
static CURLU *parse_url(const char *url)
{
	CURLU *u = curl_url();

	if (!u)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return NULL;
	}
	return u;
}

static char *url_part(CURLU *u, CURLUPart part, unsigned flags)
{
	char *v = NULL, *copy;

	if (curl_url_get(u, part, &v, flags) != CURLUE_OK || !v)
		return NULL;
	copy = xstrdup(v);
	curl_free(v);
	return copy;
}

/* "scheme://host:port", lower-cased by libcurl, with the default port filled in. */
static char *origin_of(CURLU *u)
{
	char *scheme = url_part(u, CURLUPART_SCHEME, 0);
	char *host = url_part(u, CURLUPART_HOST, 0);
	char *port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
	char *o = NULL;

	if (scheme && host && port) {
		for (char *p = host; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		o = xasprintf("%s://%s:%s", scheme, host, port);
	}
	free(scheme);
	free(host);
	free(port);
	return o;
}

/* --- messages --- */

/*
 * Text from libcurl or a server, made safe to show: URL credentials masked
 * and the request's own password masked wherever it appears.
 */
static char *scrub(const struct xfer *x, const char *text)
{
	char *s = sp_redact_text(text);
	struct sp_buf b;
	const char *p, *hit;
	size_t n;

	if (!x->password || strlen(x->password) < 4)
		return s;
	n = strlen(x->password);
	sp_buf_init(&b, (size_t)-1);
	for (p = s; (hit = strstr(p, x->password)) != NULL; p = hit + n) {
		sp_buf_add(&b, p, (size_t)(hit - p));
		sp_buf_addstr(&b, "****");
	}
	sp_buf_addstr(&b, p);
	free(s);
	return sp_buf_detach(&b, NULL);
}

static int fail(struct xfer *x, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the request's diagnostic (text scrubbed) and returns err. */
static int fail(struct xfer *x, int err, const char *fmt, ...)
{
	char raw[SP_DIAG_TEXT];
	char *clean;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	clean = scrub(x, raw);
	sp_diag_set(&x->diag, err, "%s", clean);
	free(clean);
	return err;
}

/* " after 3 attempts", or "" for the first. */
static const char *attempts_note(const struct xfer *x, char *buf, size_t n)
{
	if (x->attempts <= 1)
		return "";
	snprintf(buf, n, " after %d attempts", x->attempts);
	return buf;
}

/* --- hosts --- */

/* The index of key's slot counter (an index: the array moves as it grows). */
static int host_get(struct sp_fetch *f, const char *key)
{
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (strcmp(f->hosts[i].key, key) == 0)
			return (int)i;
	SP_GROW(f->hosts, f->nhosts + 1, f->hosts_cap);
	f->hosts[f->nhosts].key = xstrdup(key);
	f->hosts[f->nhosts].active = 0;
	return (int)f->nhosts++;
}

/* --- options --- */

void sp_fetch_opts_init(struct sp_fetch_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout = 15;
	o->retries = 5;
	o->max_total = 10;
	o->max_per_host = 6;
	o->max_redirects = SP_FETCH_MAX_REDIRECTS;
	o->backoff_ms = 500;
	o->netrc = true;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int sp_fetch_new(struct sp_fetch **out, const struct sp_fetch_opts *o, struct sp_diag *d)
{
	struct sp_fetch *f;
	const char *netrc;

	*out = NULL;
	if (o->timeout < 1 || o->timeout > 24 * 3600)
		return sp_diag_set(d, SP_EINVAL, "invalid timeout %ld: expected 1 to 86400 seconds",
				   o->timeout);
	if (o->retries < 0 || o->retries > SP_FETCH_MAX_RETRIES)
		return sp_diag_set(d, SP_EINVAL, "invalid retries %d: expected 0 to %d", o->retries,
				   SP_FETCH_MAX_RETRIES);
	if (o->max_total < 1 || o->max_total > SP_FETCH_MAX_PARALLEL || o->max_per_host < 1 ||
	    o->max_per_host > SP_FETCH_MAX_PARALLEL)
		return sp_diag_set(d, SP_EINVAL, "invalid parallelism %d/%d: expected 1 to %d",
				   o->max_total, o->max_per_host, SP_FETCH_MAX_PARALLEL);
	if (o->max_redirects < 0 || o->max_redirects > SP_FETCH_MAX_REDIRECTS)
		return sp_diag_set(d, SP_EINVAL, "invalid redirect limit %d: expected 0 to %d",
				   o->max_redirects, SP_FETCH_MAX_REDIRECTS);
	if (o->backoff_ms < 0 || o->backoff_ms > SP_FETCH_MAX_BACKOFF_MS)
		return sp_diag_set(d, SP_EINVAL, "invalid back-off %ld ms", o->backoff_ms);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return sp_diag_set(d, SP_EINTERNAL, "cannot start libcurl");

	f = xcalloc(1, sizeof(*f));
	f->o = *o;
	f->o.proxy = dup_or_null(o->proxy);
	f->o.ca_bundle = dup_or_null(o->ca_bundle);
	f->o.client_cert = dup_or_null(o->client_cert);
	netrc = o->netrc_file;
	if (!netrc && o->netrc) {
		const char *env = getenv("NETRC");

		netrc = env && *env ? env : NULL; /* NULL: libcurl's ~/.netrc */
	}
	f->o.netrc_file = dup_or_null(netrc);
	f->o.user_agent = o->user_agent ? xstrdup(o->user_agent) : xstrdup("safepip/" SP_VERSION);
	f->multi = curl_multi_init();
	if (!f->multi) {
		sp_fetch_free(f);
		return sp_diag_set(d, SP_EINTERNAL, "cannot start libcurl");
	}
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->max_per_host);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->max_total);
	curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, (long)o->max_total * 2);
	f->rng = (unsigned long long)now_ns() ^ ((unsigned long long)getpid() << 32) ^
		 (unsigned long long)(uintptr_t)f;
	if (!f->rng)
		f->rng = 1;
	*out = f;
	return 0;
}

static void xfer_free(struct xfer *x)
{
	size_t i;

	if (!x)
		return;
	if (x->easy) {
		if (x->state == X_ACTIVE)
			curl_multi_remove_handle(x->f->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->hdrs);
	sp_store_tmp_discard(x->tmp);
	sp_buf_release(&x->body);
	sp_httpcache_entry_release(&x->cached);
	for (i = 0; x->headers && x->headers[i]; i++)
		free(x->headers[i]);
	free(x->headers);
	free(x->url);
	free(x->accept);
	free(x->sha256);
	free(x->redacted);
	free(x->cur);
	free(x->cred_origin);
	free(x->user);
	free(x->password);
	free(x);
}

static void free_list(struct xlist *l)
{
	struct xfer *x;

	while ((x = l->head) != NULL) {
		list_remove(l, x);
		xfer_free(x);
	}
}

void sp_fetch_free(struct sp_fetch *f)
{
	size_t i;

	if (!f)
		return;
	free_list(&f->active);
	free_list(&f->pending);
	free_list(&f->sleeping);
	if (f->multi)
		curl_multi_cleanup(f->multi);
	for (i = 0; i < f->nhosts; i++)
		free(f->hosts[i].key);
	free(f->hosts);
	free((char *)f->o.proxy);
	free((char *)f->o.ca_bundle);
	free((char *)f->o.client_cert);
	free((char *)f->o.netrc_file);
	free((char *)f->o.user_agent);
	free(f);
}

void sp_fetch_stats(const struct sp_fetch *f, struct sp_fetch_stats *st)
{
	*st = f->st;
	st->elapsed = f->started_ns ? (double)(now_ns() - f->started_ns) / 1e9 : 0.0;
}

/* --- adding --- */

/*
 * A file:// URL (a file of a local --find-links directory; index pages keep
 * file links only when they are local themselves) is not fetched: the
 * file is copied into the store and checked like a download, at once, and
 * its callback runs before sp_fetch_add() returns.
 */
static int add_local(struct sp_fetch *f, const struct sp_fetch_req *r, struct sp_diag *d)
{
	struct sp_fetch_result res;
	struct sp_diag ld;
	CURLU *u = parse_url(r->url);
	char *path = u ? url_part(u, CURLUPART_PATH, CURLU_URLDECODE) : NULL, *stored = NULL;
	struct stat st = {0};
	int err;

	memset(&res, 0, sizeof(res));
	sp_diag_clear(&ld);
	res.url = res.final_url = r->url;
	res.attempts = 1;
	if (!path)
		err = sp_diag_set(&ld, SP_EINVAL, "cannot read '%s': not a valid file URL", r->url);
	else if (stat(path, &st) == 0 && st.st_size > SP_FETCH_MAX_ARTIFACT_BYTES)
		err = sp_diag_set(&ld, SP_ELIMIT, "cannot read '%s': %lld bytes, over the %lld-byte cap",
				  path, (long long)st.st_size, (long long)SP_FETCH_MAX_ARTIFACT_BYTES);
	else
		err = sp_store_put_file(f->o.store, path, r->sha256, path, res.sha256, &stored, &ld);
	f->st.files_total++;
	if (err) {
		res.err = err;
		res.diag = &ld;
		f->st.files_failed++;
	} else {
		res.path = stored;
		res.bytes = (int64_t)st.st_size;
		f->st.files_done++;
	}
	if (r->done)
		r->done(&res, r->arg);
	free(stored);
	free(path);
	if (u)
		curl_url_cleanup(u);
	(void)d;
	return 0;
}

int sp_fetch_add(struct sp_fetch *f, const struct sp_fetch_req *r, struct sp_diag *d)
{
	struct xfer *x;
	size_t i, n = 0;

	if (!r->url || !*r->url)
		return sp_diag_set(d, SP_EINVAL, "cannot fetch: no URL");
	if (r->sink == SP_SINK_STORE && !f->o.store)
		return sp_diag_set(d, SP_EINVAL, "cannot fetch into the store: no store opened");
	if (r->sink != SP_SINK_STORE && r->sink != SP_SINK_MEMORY)
		return sp_diag_set(d, SP_EINVAL, "cannot fetch: unknown sink %d", (int)r->sink);
	if (r->sha256 && !sp_store_valid_hex(r->sha256))
		return sp_diag_set(d, SP_EINVAL, "invalid sha256 '%.80s': expected 64 hex digits",
				   r->sha256);
	if (r->max_bytes < 0 || r->size < -1)
		return sp_diag_set(d, SP_EINVAL, "invalid size or cap for a request");
	if (r->range_len < 0 || r->range_start < -1 ||
	    (r->range_len > 0 && (r->sink != SP_SINK_MEMORY || r->use_cache)))
		return sp_diag_set(d, SP_EINVAL, "invalid range request");
	if (r->sink == SP_SINK_STORE && !strncmp(r->url, "file://", 7))
		return add_local(f, r, d);

	x = xcalloc(1, sizeof(*x));
	x->f = f;
	x->url = xstrdup(r->url);
	x->accept = dup_or_null(r->accept);
	for (n = 0; r->headers && r->headers[n]; n++)
		;
	if (n) {
		x->headers = xcalloc(n + 1, sizeof(char *));
		for (i = 0; i < n; i++)
			x->headers[i] = xstrdup(r->headers[i]);
	}
	x->sha256 = dup_or_null(r->sha256);
	x->size = r->size;
	x->sink = r->sink;
	x->max_bytes = r->max_bytes ? r->max_bytes
				    : (r->sink == SP_SINK_STORE ? SP_FETCH_MAX_ARTIFACT_BYTES
								: SP_FETCH_MAX_PAGE_BYTES);
	x->use_cache = r->use_cache && r->sink == SP_SINK_MEMORY && f->o.cache;
	x->range_start = r->range_start;
	x->range_len = r->range_len;
	if (x->range_len) {
		x->size = -1;
		x->max_bytes = x->range_len;
	}
	x->done = r->done;
	x->arg = r->arg;
	x->redacted = sp_redact_url(x->url);
	x->cur = xstrdup(x->url);
	x->host = -1;
	sp_buf_init(&x->body, x->sink == SP_SINK_MEMORY ? (size_t)x->max_bytes : 0);
	sp_httpcache_entry_init(&x->cached);
	move_to(x, X_PENDING, false);
	f->st.files_total++;
	return 0;
}

/* The status whose body is what was asked for. */
static long body_status(const struct xfer *x)
{
	return x->range_len && !x->range_whole ? 206 : 200;
}

/* --- finishing --- */

/* A valid sha256 in lower case (the store's names and messages use it). */
static void lower_hex(const char *hex, char out[SP_SHA256_HEX])
{
	size_t i;

	for (i = 0; i + 1 < SP_SHA256_HEX && hex[i]; i++)
		out[i] = (hex[i] >= 'A' && hex[i] <= 'F') ? (char)(hex[i] - 'A' + 'a') : hex[i];
	out[i] = '\0';
}

static void header_value(struct xfer *x, const char *name, char *out, size_t n, bool *have)
{
	struct curl_header *h = NULL;
	size_t i;

	*have = false;
	if (curl_easy_header(x->easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
		return;
	snprintf(out, n, "%s", h->value);
	/* Values go to callers and the cache as text: no control bytes. */
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
	*have = true;
}

/*
 * A 206's Content-Range, "bytes FIRST-LAST/TOTAL", must describe the body
 * received and the range asked for (RFC 9110 14.4): the bytes are placed
 * in the file by it.
 */
static int check_range(struct xfer *x, struct sp_fetch_result *r)
{
	char v[SP_FETCH_MAX_HEADER_VALUE + 1], tail[2];
	long long first, last, total;
	bool have;

	/* curl passes coded bytes through as they are: a part of a gzip is no part of the file */
	header_value(x, "Content-Encoding", v, sizeof(v), &have);
	if (have && strcasecmp(v, "identity") != 0)
		return fail(x, SP_EUNSUPPORTED, "cannot fetch part of '%s': the server sent it "
			    "with Content-Encoding '%.100s'", x->redacted, v);
	if (x->range_whole) {
		r->range_start = 0;
		r->range_total = (int64_t)x->body.len;
		return 0;
	}
	header_value(x, "Content-Range", v, sizeof(v), &have);
	if (!have || sscanf(v, "bytes %lld-%lld/%lld%1s", &first, &last, &total, tail) != 3 ||
	    first < 0 || last < first || total <= last || total > SP_FETCH_MAX_ARTIFACT_BYTES)
		return fail(x, SP_EFORMAT, "cannot fetch part of '%s': the server's Content-Range "
			    "'%.100s' is not a complete one", x->redacted, have ? v : "");
	if ((int64_t)(last - first + 1) != (int64_t)x->body.len ||
	    (x->range_start >= 0 && first != x->range_start) ||
	    (x->range_start < 0 && last + 1 != total))
		return fail(x, SP_EFORMAT, "cannot fetch part of '%s': the server sent bytes "
			    "%lld-%lld/%lld (%zu in the body), not the range asked for",
			    x->redacted, first, last, total, x->body.len);
	r->range_start = first;
	r->range_total = total;
	return 0;
}

static void finish(struct xfer *x, int err)
{
	struct sp_fetch *f = x->f;
	struct sp_fetch_result r;
	char ct[SP_FETCH_MAX_HEADER_VALUE + 1], etag[SP_FETCH_MAX_HEADER_VALUE + 1];
	char lm[SP_FETCH_MAX_HEADER_VALUE + 1];
	char *final_url = sp_redact_url(x->cur);
	char *path = NULL;
	bool have;

	memset(&r, 0, sizeof(r));
	r.url = x->redacted;
	r.final_url = final_url;
	r.status = x->status;
	r.attempts = x->attempts;
	r.diag = &x->diag;
	r.bytes = -1;

	if (!err && x->easy && x->status == body_status(x)) {
		header_value(x, "Content-Type", ct, sizeof(ct), &have);
		r.content_type = have ? ct : NULL;
		header_value(x, "ETag", etag, sizeof(etag), &have);
		r.etag = have ? etag : NULL;
		header_value(x, "Last-Modified", lm, sizeof(lm), &have);
		r.last_modified = have ? lm : NULL;
	} else if (!err && x->status == 304 && x->have_cached) {
		r.cached = true;
		r.content_type = x->cached.content_type;
		r.etag = x->cached.etag;
		r.last_modified = x->cached.last_modified;
	}

	if (!err && x->range_len)
		err = check_range(x, &r);
	if (!err && x->sink == SP_SINK_MEMORY) {
		unsigned char dig[SP_SHA256_LEN];
		char want[SP_SHA256_HEX];

		if (r.cached) {
			sp_buf_reset(&x->body);
			if (sp_buf_add(&x->body, x->cached.body.data, x->cached.body.len) != 0)
				err = fail(x, SP_ELIMIT,
					   "cannot fetch '%s': the cached copy is over the cap",
					   x->redacted);
		}
		sp_sha256(x->body.data ? x->body.data : "", x->body.len, dig);
		sp_hex(dig, SP_SHA256_LEN, r.sha256);
		if (!err && x->sha256) {
			lower_hex(x->sha256, want);
			if (strcmp(want, r.sha256) != 0)
				err = fail(x, SP_EHASH,
					   "hash mismatch for '%s': expected %s, got %s",
					   x->redacted, want, r.sha256);
		}
		if (!err && x->size >= 0 && (int64_t)x->body.len != x->size)
			err = fail(x, SP_EHASH,
				   "size mismatch for '%s': expected %lld bytes, got %zu",
				   x->redacted, (long long)x->size, x->body.len);
		if (!err) {
			r.body = &x->body;
			r.bytes = (int64_t)x->body.len;
			if (x->use_cache && x->status == 200) {
				struct sp_diag cd;

				/* A cache that cannot be written only costs the next run time. */
				sp_diag_clear(&cd);
				sp_httpcache_put(f->o.cache, x->url, x->accept, r.etag,
						 r.last_modified, r.content_type, x->body.data,
						 x->body.len, &cd);
			}
		} else if (x->have_cached && r.cached) {
			sp_httpcache_drop(f->o.cache, x->url, x->accept);
		}
	} else if (!err && x->sink == SP_SINK_STORE && x->tmp) {
		int64_t got = sp_store_tmp_size(x->tmp);

		if (x->size >= 0 && got != x->size) {
			err = fail(x, SP_EHASH,
				   "size mismatch for '%s': expected %lld bytes, got %lld",
				   x->redacted, (long long)x->size, (long long)got);
		} else {
			struct sp_diag sd;

			sp_diag_clear(&sd);
			err = sp_store_tmp_commit(x->tmp, x->sha256, x->redacted, r.sha256, &path,
						  &sd);
			x->tmp = NULL;
			if (err)
				fail(x, err, "%s", sd.msg);
			r.path = path;
			r.bytes = got;
		}
	}
	if (err) {
		r.path = NULL;
		r.body = NULL;
		r.bytes = -1;
		r.sha256[0] = '\0';
		r.content_type = r.etag = r.last_modified = NULL;
		/* A part that cannot be had is fetched another way: not a failed file. */
		if (!x->range_len)
			f->st.files_failed++;
		if (!f->first_err)
			f->first_err = err;
	}
	r.err = err;
	f->st.files_done++;
	move_to(x, X_NEW, false);
	if (x->done)
		x->done(&r, x->arg);
	free(path);
	free(final_url);
	xfer_free(x);
}

/* A store request whose file is already stored finishes without the network. */
static bool finish_from_store(struct xfer *x)
{
	struct sp_fetch *f = x->f;
	struct sp_fetch_result r;
	struct sp_diag sd;
	char *path = NULL;
	int64_t size = 0;

	sp_diag_clear(&sd);
	if (sp_store_lookup(f->o.store, x->sha256, &path, &size, &sd) != 0)
		return false;
	if (x->size >= 0 && size != x->size) {
		free(path);
		return false; /* the index disagrees with its own hash: let the download say so */
	}
	memset(&r, 0, sizeof(r));
	r.url = x->redacted;
	r.final_url = x->redacted;
	r.cached = true;
	r.path = path;
	r.bytes = size;
	r.diag = &x->diag;
	lower_hex(x->sha256, r.sha256);
	f->st.files_done++;
	move_to(x, X_NEW, false);
	if (x->done)
		x->done(&r, x->arg);
	free(path);
	xfer_free(x);
	return true;
}

/* --- receiving --- */

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;
	curl_off_t cl = -1;

	x->last_ns = now_ns();
	if (len > 2 || (len == 2 && p[0] != '\r') || (len == 1 && p[0] != '\n') || len == 0)
		return len;
	/* End of a header block: the status and Content-Length are known. */
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->range_len && x->status == 200) {
		/* The whole file: fine when it is no larger than the part asked for. */
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		x->range_whole = cl >= 0 && cl <= x->range_len;
		if (!x->range_whole) {
			x->sink_err = fail(x, SP_EUNSUPPORTED, "cannot fetch part of '%s': the "
					   "server answers range requests with the whole file",
					   x->redacted);
			return 0;
		}
	}
	if (x->status != body_status(x))
		return len;
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	if (cl > x->max_bytes) {
		x->sink_err = fail(x, SP_ELIMIT,
				   "cannot fetch '%s': %lld bytes is over the %lld-byte cap",
				   x->redacted, (long long)cl, (long long)x->max_bytes);
		return 0;
	}
	if (x->sink == SP_SINK_STORE && x->size >= 0 && cl >= 0 && cl != x->size) {
		x->sink_err = fail(x, SP_EHASH,
				   "size mismatch for '%s': expected %lld bytes, server sends %lld",
				   x->redacted, (long long)x->size, (long long)cl);
		return 0;
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	x->last_ns = now_ns();
	if (x->status != body_status(x)) {
		/* An error page or a redirect's body: read a little, keep none. */
		x->dropped += (int64_t)len;
		return x->dropped > ERROR_BODY_MAX ? 0 : len;
	}
	x->f->st.bytes += (int64_t)len;
	if (x->received + (int64_t)len > x->max_bytes) {
		x->sink_err = fail(x, SP_ELIMIT, "cannot fetch '%s': more than the %lld-byte cap",
				   x->redacted, (long long)x->max_bytes);
		return 0;
	}
	if (x->size >= 0 && x->received + (int64_t)len > x->size) {
		x->sink_err =
			fail(x, SP_EHASH, "size mismatch for '%s': expected %lld bytes, got more",
			     x->redacted, (long long)x->size);
		return 0;
	}
	x->received += (int64_t)len;
	if (x->sink == SP_SINK_MEMORY) {
		if (sp_buf_add(&x->body, p, len) != 0) {
			x->sink_err = fail(x, SP_ELIMIT, "cannot fetch '%s': over the memory cap",
					   x->redacted);
			return 0;
		}
	} else if (sp_store_tmp_write(x->tmp, p, len) != 0) {
		x->sink_err = fail(x, SP_EIO, "cannot fetch '%s': cannot write to the store: %s",
				   x->redacted, strerror(errno));
		return 0;
	}
	return len;
}

/* --- starting --- */

static int setup_easy(struct xfer *x)
{
	struct sp_fetch *f = x->f;
	CURL *e = curl_easy_init();

	if (!e)
		return fail(x, SP_EINTERNAL, "cannot fetch '%s': libcurl cannot start a transfer",
			    x->redacted);
	x->easy = e;
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_USERAGENT, f->o.user_agent);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, f->o.allow_http ? "http,https" : "https");
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	/*
	 * pip's --timeout bounds connecting, and then any wait for bytes; the
	 * second half is check_stalls(), since CURLOPT_LOW_SPEED_TIME averages
	 * over a window and lets a body that trickles in bursts go on for ever.
	 */
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, f->o.timeout);
	/* Stated, not assumed: verification is never turned off. */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (f->o.ca_bundle) {
		curl_easy_setopt(e, CURLOPT_CAINFO, f->o.ca_bundle);
		curl_easy_setopt(e, CURLOPT_PROXY_CAINFO, f->o.ca_bundle);
	}
	if (f->o.client_cert) {
		curl_easy_setopt(e, CURLOPT_SSLCERT, f->o.client_cert);
		curl_easy_setopt(e, CURLOPT_SSLKEY, f->o.client_cert);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
	}
	if (f->o.netrc) {
		curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
		if (f->o.netrc_file)
			curl_easy_setopt(e, CURLOPT_NETRC_FILE, f->o.netrc_file);
	}
	/*
	 * Pages may come compressed; artifacts must be the exact bytes hashed,
	 * and a range counts bytes of the file, not of a compressed copy.
	 */
	if (x->sink == SP_SINK_MEMORY && !x->range_len)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (x->range_len) {
		char rng[64];

		if (x->range_start < 0)
			snprintf(rng, sizeof(rng), "-%lld", (long long)x->range_len);
		else
			snprintf(rng, sizeof(rng), "%lld-%lld", (long long)x->range_start,
				 (long long)(x->range_start + x->range_len - 1));
		curl_easy_setopt(e, CURLOPT_RANGE, rng);
	}
	return 0;
}

static bool sensitive_header(const char *h)
{
	return !strncasecmp(h, "authorization:", 14) || !strncasecmp(h, "cookie:", 7) ||
	       !strncasecmp(h, "proxy-authorization:", 20);
}

static void build_headers(struct xfer *x)
{
	struct curl_slist *l = NULL;
	char *line;
	size_t i;

	curl_slist_free_all(x->hdrs);
	if (x->accept) {
		line = xasprintf("Accept: %s", x->accept);
		l = curl_slist_append(l, line);
		free(line);
	}
	for (i = 0; x->headers && x->headers[i]; i++)
		if (!(x->cross_origin && sensitive_header(x->headers[i])))
			l = curl_slist_append(l, x->headers[i]);
	if (x->have_cached && x->cached.etag) {
		line = xasprintf("If-None-Match: %s", x->cached.etag);
		l = curl_slist_append(l, line);
		free(line);
	}
	if (x->have_cached && x->cached.last_modified) {
		line = xasprintf("If-Modified-Since: %s", x->cached.last_modified);
		l = curl_slist_append(l, line);
		free(line);
	}
	x->hdrs = l;
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, l);
}

/*
 * Checks the current hop's URL against the rules and finds its host key.
 * Returns 0 or an error set in x->diag.
 */
static int check_url(struct xfer *x)
{
	CURLU *u;
	char *scheme = NULL, *origin = NULL;
	int rc = 0;

	if (strlen(x->cur) > SP_FETCH_MAX_URL)
		return fail(x, SP_ELIMIT, "cannot fetch '%.200s...': URL longer than %d bytes",
			    x->redacted, SP_FETCH_MAX_URL);
	u = parse_url(x->cur);
	if (!u)
		return fail(x, SP_EINVAL, "cannot fetch '%s': not a valid URL", x->redacted);
	scheme = url_part(u, CURLUPART_SCHEME, 0);
	origin = origin_of(u);
	if (!scheme || !origin) {
		rc = fail(x, SP_EINVAL, "cannot fetch '%s': not a valid URL", x->redacted);
		goto out;
	}
	if (strcmp(scheme, "https") != 0) {
		if (strcmp(scheme, "http") != 0) {
			rc = fail(x, SP_EUNSUPPORTED,
				  "cannot fetch '%s': unsupported scheme '%s' (https only)",
				  x->redacted, scheme);
			goto out;
		}
		if (!x->f->o.allow_http) {
			char *hop = sp_redact_url(x->cur);

			rc = fail(x, SP_EUNSUPPORTED,
				  "refusing plain http for '%s': downloads must use https (the "
				  "policy can allow http)",
				  hop);
			free(hop);
			goto out;
		}
	}
	x->host = host_get(x->f, origin);
out:
	free(scheme);
	free(origin);
	curl_url_cleanup(u);
	return rc;
}

/* Remembers the request URL's credentials and where they may go. */
static void note_credentials(struct xfer *x)
{
	CURLU *u = parse_url(x->url);

	if (!u)
		return;
	x->user = url_part(u, CURLUPART_USER, 0);
	x->password = url_part(u, CURLUPART_PASSWORD, 0);
	if (x->user || x->password)
		x->cred_origin = origin_of(u);
	curl_url_cleanup(u);
}

/* One-time work before the first attempt: the store, the cache, credentials. */
static int prepare(struct xfer *x)
{
	struct sp_fetch *f = x->f;
	struct sp_diag sd;

	x->looked_up = true;
	note_credentials(x);
	if (x->use_cache && sp_httpcache_get(f->o.cache, x->url, x->accept, &x->cached) == 0)
		x->have_cached = true;
	if (x->sink == SP_SINK_STORE) {
		sp_diag_clear(&sd);
		if (sp_store_tmp_open(f->o.store, &x->tmp, &sd) != 0)
			return fail(x, SP_EIO, "cannot fetch '%s': %s", x->redacted, sd.msg);
	}
	return setup_easy(x);
}

/*
 * --proxy, else NULL: libcurl then reads https_proxy/HTTPS_PROXY,
 * http_proxy, all_proxy and no_proxy/NO_PROXY itself. It ignores an
 * upper-case HTTP_PROXY (a CGI program cannot tell it from a request's
 * "Proxy:" header); pip honours it, so for plain http it is passed on here
 * (no_proxy still applies to a proxy set this way).
 */
static const char *proxy_for(const struct sp_fetch *f, const char *url)
{
	const char *up;

	if (f->o.proxy)
		return f->o.proxy;
	if (strncasecmp(url, "http:", 5) != 0 || getenv("http_proxy"))
		return NULL;
	up = getenv("HTTP_PROXY");
	return up && *up ? up : NULL;
}

/* Starts (or restarts, for a retry or a redirect) x on the multi handle. */
static int start(struct xfer *x)
{
	struct sp_fetch *f = x->f;

	if (x->sink == SP_SINK_STORE && sp_store_tmp_rewind(x->tmp) != 0)
		return fail(x, SP_EIO, "cannot fetch '%s': cannot write to the store", x->redacted);
	sp_buf_reset(&x->body);
	x->status = 0;
	x->range_whole = false;
	x->received = 0;
	x->dropped = 0;
	x->errbuf[0] = '\0';
	x->attempts++;
	x->last_ns = now_ns();
	curl_easy_setopt(x->easy, CURLOPT_URL, x->cur);
	curl_easy_setopt(x->easy, CURLOPT_PROXY, proxy_for(f, x->cur));
	build_headers(x);
	if (curl_multi_add_handle(f->multi, x->easy) != CURLM_OK)
		return fail(x, SP_EINTERNAL, "cannot fetch '%s': libcurl refused the transfer",
			    x->redacted);
	f->hosts[x->host].active++;
	move_to(x, X_ACTIVE, false);
	return 0;
}

/*
 * A memory request pinned by a sha256 (a PEP 658 metadata file) whose
 * cached copy has that hash: the bytes the index vouches for are at hand,
 * so asking the server whether they changed would only cost a round trip.
 */
static bool cached_pinned(const struct xfer *x)
{
	unsigned char dig[SP_SHA256_LEN];
	char got[SP_SHA256_HEX], want[SP_SHA256_HEX];

	if (x->sink != SP_SINK_MEMORY || !x->sha256 || !x->have_cached)
		return false;
	sp_sha256(x->cached.body.data ? x->cached.body.data : "", x->cached.body.len, dig);
	sp_hex(dig, SP_SHA256_LEN, got);
	lower_hex(x->sha256, want);
	return strcmp(got, want) == 0;
}

/* Starts what the caps allow, in queue order, skipping hosts at their cap. */
static void start_pending(struct sp_fetch *f)
{
	struct xfer *x = f->pending.head, *next;
	int rc;

	while (x && (int)f->active.n < f->o.max_total) {
		next = x->next;
		if (!x->looked_up) {
			if (x->sink == SP_SINK_STORE && x->sha256 && finish_from_store(x)) {
				x = next;
				continue;
			}
			rc = prepare(x);
			if (rc || cached_pinned(x)) {
				/* finish() checks the cached copy's hash again, as for a 304 */
				if (!rc)
					x->status = 304;
				finish(x, rc);
				x = next;
				continue;
			}
		}
		if (x->host < 0) {
			rc = check_url(x);
			if (rc) {
				finish(x, rc);
				x = next;
				continue;
			}
		}
		if (f->hosts[x->host].active < f->o.max_per_host) {
			rc = start(x);
			if (rc)
				finish(x, rc);
		}
		/* Callbacks only append, so next is still queued. */
		x = next;
	}
}

/* --- after a transfer --- */

static bool retryable_curl(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static bool retryable_status(long s)
{
	return s == 408 || s == 429 || (s >= 500 && s <= 599);
}

/* Sleeps x before its next attempt; Retry-After wins over a shorter back-off. */
static void schedule_retry(struct xfer *x, curl_off_t retry_after)
{
	struct sp_fetch *f = x->f;
	long long delay = f->o.backoff_ms;
	int i;

	for (i = 1; i < x->attempts && delay < SP_FETCH_MAX_BACKOFF_MS; i++)
		delay *= 2;
	if (delay > SP_FETCH_MAX_BACKOFF_MS)
		delay = SP_FETCH_MAX_BACKOFF_MS;
	/* Jitter over the upper half, so clients that failed together spread out. */
	if (delay > 1)
		delay = delay / 2 + (long long)(rnd(f) % (unsigned long long)(delay / 2 + 1));
	if (retry_after > 0) {
		long long ra = retry_after > SP_FETCH_MAX_RETRY_AFTER_S ? SP_FETCH_MAX_RETRY_AFTER_S
									: (long long)retry_after;

		if (ra * 1000 > delay)
			delay = ra * 1000;
	}
	x->wake_ns = now_ns() + delay * 1000000LL;
	move_to(x, X_SLEEPING, false);
}

/* The next hop of a redirect, with credentials only where they belong. */
static int follow(struct xfer *x)
{
	char *loc = NULL, *next = NULL, *origin = NULL;
	CURLU *u = NULL;
	int rc = 0;

	curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
	if (!loc || !*loc)
		return fail(x, SP_EFORMAT, "cannot fetch '%s': HTTP %ld without a Location",
			    x->redacted, x->status);
	if (++x->redirects > x->f->o.max_redirects)
		return fail(x, SP_ELIMIT, "cannot fetch '%s': more than %d redirects", x->redacted,
			    x->f->o.max_redirects);
	u = parse_url(loc);
	if (!u) {
		rc = fail(x, SP_EFORMAT, "cannot fetch '%s': redirected to an invalid URL",
			  x->redacted);
		goto out;
	}
	origin = origin_of(u);
	x->cross_origin = !x->cred_origin || !origin || strcmp(origin, x->cred_origin) != 0;
	if (x->cred_origin && !x->cross_origin) {
		char *user = url_part(u, CURLUPART_USER, 0);

		if (!user) {
			curl_url_set(u, CURLUPART_USER, x->user, 0);
			curl_url_set(u, CURLUPART_PASSWORD, x->password, 0);
		}
		free(user);
	} else {
		/* Another origin: no credentials but its own .netrc entry. */
		curl_url_set(u, CURLUPART_USER, NULL, 0);
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
	}
	next = url_part(u, CURLUPART_URL, 0);
	if (!next) {
		rc = fail(x, SP_EFORMAT, "cannot fetch '%s': redirected to an invalid URL",
			  x->redacted);
		goto out;
	}
	free(x->cur);
	x->cur = next;
	x->host = -1;
	rc = check_url(x);
out:
	free(origin);
	curl_url_cleanup(u);
	return rc;
}

static int curl_failure(struct xfer *x, CURLcode c)
{
	char note[48];
	const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(c);
	const char *hint = "";
	int err = SP_EIO;

	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		err = SP_ETIMEOUT;
		hint = " (raise --timeout if the index is slow)";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		hint = " (the server's certificate is not trusted: pass its CA bundle with --cert)";
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		err = SP_EUNSUPPORTED;
		break;
	case CURLE_SSL_CERTPROBLEM:
		hint = " (check --client-cert: one PEM file with certificate and key)";
		break;
	default:
		break;
	}
	return fail(x, err, "cannot fetch '%s': %s%s%s", x->redacted, why,
		    attempts_note(x, note, sizeof(note)), hint);
}

static int status_failure(struct xfer *x)
{
	char note[48];
	const char *hint = "";

	if (x->status == 404)
		hint = " (check the index URL and the requirement)";
	else if (x->status == 401 || x->status == 403)
		hint = " (check the credentials: user:password in the URL or .netrc)";
	else if (x->status == 304)
		hint = " (no cached copy to revalidate)";
	return fail(x, x->status == 404 ? SP_ENOENT : SP_EIO, "cannot fetch '%s': HTTP %ld%s%s",
		    x->redacted, x->status, attempts_note(x, note, sizeof(note)), hint);
}

static void on_done(struct sp_fetch *f, CURL *easy, CURLcode c)
{
	struct xfer *x = NULL;
	curl_off_t retry_after = 0;
	int rc;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	curl_multi_remove_handle(f->multi, easy);
	f->hosts[x->host].active--;
	move_to(x, X_NEW, false);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &x->status);

	if (x->sink_err) {
		finish(x, x->sink_err);
		return;
	}
	/* on_body stopped reading an overlong error page: the status says it all. */
	if (c == CURLE_WRITE_ERROR && x->status != body_status(x) && x->dropped > ERROR_BODY_MAX)
		c = CURLE_OK;
	if (c != CURLE_OK) {
		if (retryable_curl(c) && x->attempts <= f->o.retries) {
			schedule_retry(x, 0);
			return;
		}
		finish(x, curl_failure(x, c));
		return;
	}
	if (x->status == body_status(x)) {
		finish(x, 0);
		return;
	}
	switch (x->status) {
	case 304:
		if (x->have_cached) {
			finish(x, 0);
			return;
		}
		break;
	case 301:
	case 302:
	case 303:
	case 307:
	case 308:
		rc = follow(x);
		if (rc)
			finish(x, rc);
		else
			move_to(x, X_PENDING, true);
		return;
	default:
		break;
	}
	if (retryable_status(x->status) && x->attempts <= f->o.retries) {
		curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &retry_after);
		schedule_retry(x, retry_after);
		return;
	}
	finish(x, status_failure(x));
}

/* Active transfers that received nothing for --timeout seconds time out. */
static void check_stalls(struct sp_fetch *f)
{
	struct xfer *x, *next;
	long long t = now_ns(), limit = (long long)f->o.timeout * 1000000000LL;

	for (x = f->active.head; x; x = next) {
		next = x->next;
		if (t - x->last_ns <= limit)
			continue;
		snprintf(x->errbuf, sizeof(x->errbuf), "no data received for %ld seconds",
			 f->o.timeout);
		on_done(f, x->easy, CURLE_OPERATION_TIMEDOUT);
	}
}

static void wake_sleepers(struct sp_fetch *f, long long now)
{
	struct xfer *x = f->sleeping.head, *next;

	for (; x; x = next) {
		next = x->next;
		if (x->wake_ns <= now)
			move_to(x, X_PENDING, true);
	}
}

static long long next_wake(const struct sp_fetch *f)
{
	const struct xfer *x;
	long long w = 0;

	for (x = f->sleeping.head; x; x = x->next)
		if (!w || x->wake_ns < w)
			w = x->wake_ns;
	return w;
}

static void report_progress(struct sp_fetch *f, bool final)
{
	struct sp_fetch_stats st;
	long long t;

	if (!f->o.progress)
		return;
	t = now_ns();
	if (!final && t - f->progress_ns < PROGRESS_NS)
		return;
	f->progress_ns = t;
	sp_fetch_stats(f, &st);
	f->o.progress(&st, final, f->o.progress_arg);
}

int sp_fetch_run(struct sp_fetch *f)
{
	CURLMsg *msg;
	int running, left;
	long long t, wake;
	int timeout_ms;

	if (f->running)
		return SP_EINTERNAL;
	f->running = true;
	if (!f->started_ns)
		f->started_ns = now_ns();
	f->first_err = 0;
	while (f->pending.n || f->sleeping.n || f->active.n) {
		wake_sleepers(f, now_ns());
		start_pending(f);
		curl_multi_perform(f->multi, &running);
		while ((msg = curl_multi_info_read(f->multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				on_done(f, msg->easy_handle, msg->data.result);
		check_stalls(f);
		report_progress(f, false);
		if (f->pending.n && (int)f->active.n < f->o.max_total)
			start_pending(f);
		timeout_ms = 250; /* also the resolution of check_stalls() */
		wake = next_wake(f);
		t = now_ns();
		if (wake) {
			long long ms = wake > t ? (wake - t) / 1000000LL + 1 : 0;

			if (ms < timeout_ms)
				timeout_ms = (int)ms;
		}
		if (f->active.n)
			curl_multi_poll(f->multi, NULL, 0, timeout_ms, NULL);
		else if (f->sleeping.n && !f->pending.n && timeout_ms > 0)
			usleep((useconds_t)timeout_ms * 1000);
	}
	report_progress(f, true);
	f->running = false;
	return f->first_err;
}
