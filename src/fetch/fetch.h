/*
 * Downloads: a queue of requests run by one libcurl multi handle.
 *
 *     struct sp_fetch_opts o;
 *     sp_fetch_opts_init(&o);           pip's defaults
 *     o.store = store;                  for SP_SINK_STORE requests
 *     f = sp_fetch_new(&o, &diag);
 *     sp_fetch_add(f, &req);            any number, also from callbacks
 *     rc = sp_fetch_run(f);             until every request has finished
 *     sp_fetch_free(f);
 *
 * Transfers run in parallel up to a total cap and a per-host cap, over
 * HTTP/2 where the server offers it (many transfers share one connection)
 * and reused connections otherwise. Redirects are followed by the fetcher
 * itself, hop by hop, so each hop is checked: at most max_redirects, https
 * only unless allow_http, and credentials (from the URL or set by the
 * fetcher) go only to the scheme, host and port they were given for.
 * Connection errors, timeouts, truncated bodies, 408, 429 and 5xx are
 * retried with exponential back-off and jitter, honouring Retry-After (in
 * seconds or as an HTTP date, capped at SP_FETCH_MAX_RETRY_AFTER_S); other
 * failures are final at once. Timeouts follow pip's --timeout: it bounds
 * connecting, and a transfer that receives no byte for that long is
 * abandoned.
 *
 * TLS is always verified; there is no option to turn it off. Plain http://
 * URLs are refused unless allow_http is set. Every message names the URL
 * with its password replaced by "****" (fetch/redact.h).
 *
 * Ownership: the fetcher copies everything in opts and in each request
 * (strings, header lists) when they are passed in, except opts.store,
 * opts.cache and opts.progress_arg, which must outlive it. A result and
 * everything it points to is valid during the callback only; the callback
 * may take a memory body with sp_buf_detach(r->body, ...) (it then owns
 * the bytes). Callbacks run inside sp_fetch_run(); they may queue more
 * requests with sp_fetch_add() (a resolver queues what a page names) but
 * must not run or free the fetcher.
 */
#ifndef SP_FETCH_FETCH_H
#define SP_FETCH_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"
#include "fetch/httpcache.h"
#include "fetch/progress.h"
#include "fetch/store.h"

struct sp_fetch_opts {
	/* --proxy; NULL: libcurl reads https_proxy/HTTPS_PROXY, no_proxy/NO_PROXY */
	const char *proxy;
	/* CA bundle; the caller decides among --cert, PIP_CERT, REQUESTS_CA_BUNDLE... */
	const char *ca_bundle;
	const char *client_cert; /* --client-cert: one PEM file with certificate and key */
	long timeout;		 /* seconds, --timeout (default 15) */
	int retries;		 /* --retries (default 5) */
	int max_total;		 /* parallel transfers in all (default 10) */
	int max_per_host;	 /* parallel transfers to one host (default 6) */
	int max_redirects;	 /* default SP_FETCH_MAX_REDIRECTS */
	long backoff_ms;	 /* first retry delay, doubled each time (default 500) */
	bool allow_http;	 /* plain http:// (policy decides; default false) */
	bool netrc;		 /* credentials from a .netrc file (default true) */
	/* that file; NULL: $NETRC, else ~/.netrc (as pip's requests does) */
	const char *netrc_file;
	const char *user_agent;	       /* NULL: "safepip/VERSION" */
	struct sp_store *store;	       /* where SP_SINK_STORE requests land */
	struct sp_httpcache *cache;    /* NULL: no HTTP caching */
	sp_fetch_progress_fn progress; /* NULL: no progress */
	void *progress_arg;
};

/* pip's defaults, no store, no cache, no progress. */
void sp_fetch_opts_init(struct sp_fetch_opts *o);

enum sp_fetch_sink {
	SP_SINK_MEMORY, /* the body in a capped sp_buf: index pages, metadata */
	SP_SINK_STORE,	/* the body into opts.store, checked against sha256 */
};

struct sp_fetch_result;
typedef void (*sp_fetch_done_fn)(const struct sp_fetch_result *r, void *arg);

struct sp_fetch_req {
	const char *url;
	/*
	 * Accept header (PEP 691 negotiation); part of the HTTP cache key.
	 * NULL: none for memory requests, none for store requests.
	 */
	const char *accept;
	const char *const *headers; /* more "Name: value" lines, NULL-terminated, or NULL */
	/* Expected sha256, 64 hex digits, or NULL. Store: the file's name. */
	const char *sha256;
	int64_t size;	   /* expected size in bytes, or -1 */
	int64_t max_bytes; /* cap; 0: SP_FETCH_MAX_PAGE/ARTIFACT_BYTES */
	enum sp_fetch_sink sink;
	/*
	 * Memory requests with opts.cache: revalidate a cached copy
	 * (If-None-Match / If-Modified-Since) and store a fresh one. A request
	 * with its own validator headers should leave this off.
	 */
	bool use_cache;
	/*
	 * A part of the file, for memory requests (never cached, never
	 * compressed): when range_len > 0, range_len bytes from range_start,
	 * or the last range_len bytes when range_start is -1. The answer must
	 * be a 206 whose Content-Range matches; a server that sends the whole
	 * file (200) is cut off at once with SP_EUNSUPPORTED and status 200,
	 * so the caller can fetch it another way.
	 */
	int64_t range_start, range_len;
	sp_fetch_done_fn done; /* may be NULL */
	void *arg;
};

struct sp_fetch_result {
	const char *url;       /* as requested, redacted */
	const char *final_url; /* after redirects, redacted */
	int err;	       /* 0 or SP_E*: the failure is in diag */
	long status;	       /* last HTTP status, 0 if none arrived */
	int attempts;	       /* 1 + retries made */
	/*
	 * Memory: 304 answered from the HTTP cache (status stays 304).
	 * Store: the file was already in the store, nothing was downloaded.
	 */
	bool cached;
	const char *content_type; /* response headers, NULL when absent */
	const char *etag;
	const char *last_modified;
	struct sp_buf *body;	    /* memory sink, on success */
	const char *path;	    /* store sink, on success: the file in the store */
	char sha256[SP_SHA256_HEX]; /* hash of the body on success ("" otherwise) */
	int64_t bytes;		    /* body size on success */
	/* range requests, on success: where the body starts, the file's size */
	int64_t range_start, range_total;
	const struct sp_diag *diag;
};

struct sp_fetch;

/* SP_EINVAL (in d) if an option is out of range or libcurl cannot start. */
int sp_fetch_new(struct sp_fetch **out, const struct sp_fetch_opts *o, struct sp_diag *d);
/* Frees the fetcher; requests not yet run are dropped without callbacks. */
void sp_fetch_free(struct sp_fetch *f);

/*
 * Queues a request (copied). Invalid requests (no URL, a store request
 * without a store, a malformed sha256) fail here with SP_EINVAL; refusals
 * that depend on the URL (http, credentials, length) are reported through
 * the callback like any other failure.
 */
int sp_fetch_add(struct sp_fetch *f, const struct sp_fetch_req *r, struct sp_diag *d);

/*
 * Runs until the queue is empty, calling each request's callback once.
 * Returns 0 when every request succeeded, else the error of the first
 * request that failed (its message went to that request's callback).
 */
int sp_fetch_run(struct sp_fetch *f);

/* Counters since sp_fetch_new(). */
void sp_fetch_stats(const struct sp_fetch *f, struct sp_fetch_stats *st);

#endif
