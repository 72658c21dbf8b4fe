/*
 * safepip cache info|clean|prune: what the artifact store, the HTTP page
 * cache and the verdict cache hold, and removing it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "cli/cache.h"
#include "cli/cli.h"
#include "fetch/store.h"
#include "core/banned.h"

static void usage(FILE *out)
{
	fputs("usage: safepip cache info\n"
	      "       safepip cache clean\n"
	      "       safepip cache prune --older-than DURATION\n"
	      "\n"
	      "safepip keeps three caches under one directory: downloaded files by their\n"
	      "sha256 (artifacts/), index pages for revalidation (http/), and the findings\n"
	      "of every file scanned (verdicts.sqlite), so a file is neither downloaded nor\n"
	      "scanned twice. The directory is $SAFEPIP_CACHE_DIR, else\n"
	      "$XDG_CACHE_HOME/safepip, else ~/.cache/safepip.\n"
	      "\n"
	      "  info     where each cache is, its entries, size and oldest and newest use\n"
	      "  clean    remove everything from the three caches (asks nothing)\n"
	      "  prune    remove what was not used within DURATION: a number and a unit,\n"
	      "           s, m, h, d or w (30d, 12h, 90m, 2w)\n"
	      "\n"
	      "A verdict is never cached, only findings: the policy is applied afresh on\n"
	      "every run. 'safepip install --no-cache-dir' or SAFEPIP_NO_VERDICT_CACHE=1\n"
	      "scans everything again. See docs/cache.md.\n"
	      "\n"
	      "exit status: 0 done, 2 bad usage, 3 a cache could not be read or changed\n",
	      out);
}

static void human(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
}

static void when(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, size, "%" PRId64, t);
}

static void print_usage_line(const struct sp_cache_usage *u, const char *verb)
{
	char size[32], a[32], b[32];

	human(u->bytes, size, sizeof(size));
	if (!u->entries) {
		printf("%s, %s\n", verb ? "nothing removed" : "empty", size);
		return;
	}
	when(u->oldest, a, sizeof(a));
	when(u->newest, b, sizeof(b));
	printf("%s%" PRIu64 " entr%s, %s, last used %s to %s\n", verb ? verb : "", u->entries,
	       u->entries == 1 ? "y" : "ies", size, a, b);
}

static int report(const struct sp_cache_set *s, const char *verb)
{
	int i;

	printf("cache: %s\n", s->root);
	for (i = 0; i < SP_CACHE__COUNT; i++) {
		const struct sp_cache_part *p = &s->part[i];

		printf("  %-10s %s\n", p->name, p->path);
		printf("  %-10s ", "");
		if (p->err)
			printf("error\n");
		else
			print_usage_line(&p->usage, verb);
		if (p->msg)
			fprintf(stderr, "safepip cache: %s%s\n", p->err ? "" : "warning: ", p->msg);
	}
	return sp_cache_failed(s) ? SP_EXIT_ERROR : SP_EXIT_OK;
}

int cli_cache(int argc, char **argv)
{
	struct sp_cache_set s;
	struct sp_diag d;
	const char *sub, *age = NULL;
	int64_t seconds = 0;
	int i, rc;

	if (argc < 2) {
		fputs("safepip cache: name an action: info, clean or prune\n", stderr);
		usage(stderr);
		return SP_EXIT_USAGE;
	}
	sub = argv[1];
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return SP_EXIT_OK;
		}
	}
	if (strcmp(sub, "info") && strcmp(sub, "clean") && strcmp(sub, "prune")) {
		fprintf(stderr, "safepip cache: unknown action '%s' (expected info, clean or prune)\n",
			sub);
		return SP_EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(sub, "prune") && !strncmp(a, "--older-than=", 13)) {
			age = a + 13;
		} else if (!strcmp(sub, "prune") && !strcmp(a, "--older-than")) {
			if (i + 1 >= argc) {
				fputs("safepip cache prune: option '--older-than' needs a value "
				      "(such as 30d)\n", stderr);
				return SP_EXIT_USAGE;
			}
			age = argv[++i];
		} else {
			fprintf(stderr, "safepip cache %s: unexpected argument '%s' (see 'safepip "
				"cache --help')\n", sub, a);
			return SP_EXIT_USAGE;
		}
	}
	if (!strcmp(sub, "prune")) {
		if (!age) {
			fputs("safepip cache prune: say how old with --older-than DURATION (such "
			      "as 30d)\n", stderr);
			return SP_EXIT_USAGE;
		}
		if (sp_cache_parse_duration(age, &seconds)) {
			fprintf(stderr, "safepip cache prune: invalid duration '%s' (a number and "
				"s, m, h, d or w: 30d, 12h, 90m, 2w)\n", age);
			return SP_EXIT_USAGE;
		}
	}
	sp_diag_clear(&d);
	if (sp_cache_set_init(&s, NULL, &d)) {
		fprintf(stderr, "safepip cache: %s\n", d.msg);
		return SP_EXIT_ERROR;
	}
	if (!strcmp(sub, "info")) {
		sp_cache_info(&s);
		rc = report(&s, NULL);
	} else {
		sp_cache_prune(&s, !strcmp(sub, "clean") ? INT64_MAX : (int64_t)time(NULL) - seconds);
		rc = report(&s, "removed ");
	}
	sp_cache_set_release(&s);
	return rc;
}

/* --- the verdict cache in scanning commands --- */

static void warn(const char *prog, const char *msg)
{
	fprintf(stderr, "%s: warning: %s\n", prog, msg);
}

struct sp_vcache *cli_vcache_open(const struct sp_catalog *cat, bool off, const char *prog)
{
	const char *env = getenv("SAFEPIP_NO_VERDICT_CACHE");
	struct sp_vcache_opts o = {NULL, NULL, cat};
	struct sp_vcache *vc = NULL;
	struct sp_diag d;

	if (off || (env && *env && strcmp(env, "0") != 0))
		return NULL;
	sp_diag_clear(&d);
	if (sp_vcache_open(&vc, &o, &d) != 0) {
		fprintf(stderr, "%s: warning: %s; scanning without the verdict cache\n", prog,
			d.msg);
		return NULL;
	}
	if (sp_vcache_warning(vc))
		warn(prog, sp_vcache_warning(vc));
	return vc;
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

struct sp_artifact *cli_vcache_get(struct sp_vcache *vc, const char *target,
				   const char *sha256_hex)
{
	unsigned char sha[SP_SHA256_LEN];
	struct sp_artifact *a = NULL;
	size_t i;

	if (!vc)
		return NULL;
	if (!sha256_hex) {
		sp_vcache_get_file(vc, target, &a);
		return a;
	}
	if (!sp_store_valid_hex(sha256_hex))
		return NULL;
	for (i = 0; i < SP_SHA256_LEN; i++)
		sha[i] = (unsigned char)(unhex(sha256_hex[2 * i]) << 4 |
					 unhex(sha256_hex[2 * i + 1]));
	sp_vcache_get(vc, sha, target, &a);
	return a;
}

void cli_vcache_store(struct sp_vcache *vc, struct sp_artifact **arts, const bool *hit, size_t n,
		      const char *prog)
{
	bool warned = false;
	size_t i;

	for (i = 0; vc && i < n; i++) {
		if (hit[i] || sp_vcache_put(vc, arts[i]) != SP_EIO || warned)
			continue;
		warned = true;
		fprintf(stderr, "%s: warning: cannot store findings in the verdict cache '%s'%s%s\n",
			prog, sp_vcache_path(vc), sp_vcache_warning(vc) ? ": " : "",
			sp_vcache_warning(vc) ? sp_vcache_warning(vc) : "");
	}
}

void cli_vcache_summary(FILE *out, const struct sp_vcache *vc, size_t n)
{
	struct sp_vcache_stats st;

	if (!vc)
		return;
	sp_vcache_stats(vc, &st);
	fprintf(out, "scanned %zu artifact%s, %zu from the verdict cache\n", n - st.hits,
		n - st.hits == 1 ? "" : "s", st.hits);
}
