/*
 * sp-fetch: safepip's downloader on its own, for bench/download.sh.
 *
 *     sp-fetch --store DIR [--cert CA] [--allow-http] [-j N] [--per-host N]
 *              [--cache DIR] LIST
 *
 * LIST (or "-" for standard input) holds one request a line: "URL SHA256"
 * downloads into the store at DIR and checks the hash; a URL alone is read
 * into memory, as the resolver reads index pages (Accept: PEP 691 JSON).
 * Everything is queued at once and run by one fetcher, as a resolve and its
 * downloads would be.
 *
 * Output is one "key value" pair per line: requests, failed, bytes,
 * seconds (wall, CLOCK_MONOTONIC, from the first request to the last).
 * Failures are printed to standard error.
 *
 * exit status: 0 all requests succeeded, 1 one failed, 2 bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/xalloc.h"
#include "fetch/fetch.h"
#include "core/banned.h"

struct tally {
	unsigned failed;
	long long bytes;
};

static void done(const struct sp_fetch_result *r, void *arg)
{
	struct tally *t = arg;

	if (r->err) {
		t->failed++;
		fprintf(stderr, "sp-fetch: %s\n", r->diag->msg);
		return;
	}
	t->bytes += r->bytes;
}

static void usage(void)
{
	fprintf(stderr, "usage: sp-fetch --store DIR [--cert CA] [--allow-http] [-j N] "
			"[--per-host N] [--cache DIR] LIST\n");
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *store_dir = NULL, *cache_dir = NULL, *list = NULL;
	struct sp_fetch_opts o;
	struct sp_store *store = NULL;
	struct sp_httpcache *cache = NULL;
	struct sp_fetch *f = NULL;
	struct sp_diag d;
	struct tally t = {0, 0};
	char line[4096];
	unsigned n = 0;
	double t0;
	FILE *in;
	int i, rc;

	sp_fetch_opts_init(&o);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--store") && i + 1 < argc)
			store_dir = argv[++i];
		else if (!strcmp(a, "--cache") && i + 1 < argc)
			cache_dir = argv[++i];
		else if (!strcmp(a, "--cert") && i + 1 < argc)
			o.ca_bundle = argv[++i];
		else if (!strcmp(a, "--allow-http"))
			o.allow_http = true;
		else if (!strcmp(a, "-j") && i + 1 < argc)
			o.max_total = (int)strtol(argv[++i], NULL, 10);
		else if (!strcmp(a, "--per-host") && i + 1 < argc)
			o.max_per_host = (int)strtol(argv[++i], NULL, 10);
		else if (a[0] == '-' && a[1])
			usage();
		else if (!list)
			list = a;
		else
			usage();
	}
	if (!store_dir || !list)
		usage();
	sp_diag_clear(&d);
	if (sp_store_open(&store, store_dir, &d) != 0 ||
	    (cache_dir && sp_httpcache_open(&cache, cache_dir, &d) != 0)) {
		fprintf(stderr, "sp-fetch: %s\n", d.msg);
		return 1;
	}
	o.store = store;
	o.cache = cache;
	if (sp_fetch_new(&f, &o, &d) != 0) {
		fprintf(stderr, "sp-fetch: %s\n", d.msg);
		return 2;
	}
	in = strcmp(list, "-") ? fopen(list, "r") : stdin;
	if (!in) {
		fprintf(stderr, "sp-fetch: cannot read '%s'\n", list);
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		struct sp_fetch_req r;
		char *save = NULL;
		char *url = strtok_r(line, " \t\r\n", &save), *sha;

		if (!url || url[0] == '#')
			continue;
		sha = strtok_r(NULL, " \t\r\n", &save);
		memset(&r, 0, sizeof(r));
		r.size = -1;
		r.done = done;
		r.arg = &t;
		r.url = url;
		if (sha) {
			r.sink = SP_SINK_STORE;
			r.sha256 = sha;
		} else {
			r.sink = SP_SINK_MEMORY;
			r.accept = "application/vnd.pypi.simple.v1+json";
			r.use_cache = cache != NULL;
		}
		if (sp_fetch_add(f, &r, &d) != 0) {
			fprintf(stderr, "sp-fetch: %s\n", d.msg);
			return 2;
		}
		n++;
	}
	if (in != stdin)
		fclose(in);
	t0 = now();
	rc = sp_fetch_run(f);
	printf("requests %u\nfailed %u\nbytes %lld\nseconds %.3f\n", n, t.failed, t.bytes,
	       now() - t0);
	sp_fetch_free(f);
	sp_httpcache_free(cache);
	sp_store_free(store);
	return rc ? 1 : 0;
}
