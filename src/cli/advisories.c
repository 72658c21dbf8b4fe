/*
 * safepip advisories sync | info | show: the offline store of known
 * vulnerabilities and malicious packages (OSV data for PyPI), and the
 * per-run helpers that feed it to the policy.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/advisories.h"
#include "cli/cli.h"
#include "core/xalloc.h"
#include "fetch/fetch.h"
#include "fetch/redact.h"
#include "req/name.h"
#include "req/version.h"
#include "core/banned.h"

static void usage(FILE *out)
{
	fputs("usage: safepip advisories sync [--from URL|FILE] [--cert FILE] [--policy FILE]\n"
	      "       safepip advisories info\n"
	      "       safepip advisories show NAME[==VERSION]...\n"
	      "\n"
	      "Known vulnerabilities and malicious packages, kept offline and matched by\n"
	      "exact version when install, download, scan, lock and policy explain judge a\n"
	      "package (docs/advisories.md).\n"
	      "\n"
	      "sync   import the OSV data for PyPI (a zip of OSV records) into the local store;\n"
	      "       the old data stays in place unless the whole import succeeds\n"
	      "info   where the data came from, when, how old it is, and what it holds\n"
	      "show   the advisories that affect NAME==VERSION (every one naming NAME\n"
	      "       without a version), with aliases, severity and the fixed version\n"
	      "\n"
	      "options:\n"
	      "      --from URL|FILE  where to sync from (default: $SAFEPIP_ADVISORY_URL, else\n"
	      "                       " SP_ADVISORY_DEFAULT_URL ")\n"
	      "      --cert FILE      CA bundle for an https:// source (default: the system's,\n"
	      "                       or REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE)\n"
	      "      --policy FILE    a policy over the others (its transport.allow_http\n"
	      "                       decides whether an http:// source is allowed)\n"
	      "  -q, --quiet          sync: print nothing on success\n"
	      "  -h, --help           show this help\n"
	      "\n"
	      "The store is $SAFEPIP_ADVISORY_DB, else $XDG_DATA_HOME/safepip/advisories.sqlite,\n"
	      "else ~/.local/share/safepip/advisories.sqlite.\n"
	      "\n"
	      "exit status: 0 done, 2 bad usage or a malformed policy, 3 error (the source\n"
	      "cannot be read or is not a complete OSV zip; no data for info and show)\n",
	      out);
}

static char *age_text(int64_t secs)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 2 * 86400)
		return xasprintf("%lld days", (long long)(secs / 86400));
	if (secs >= 2 * 3600)
		return xasprintf("%lld hours", (long long)(secs / 3600));
	return xasprintf("%lld minutes", (long long)(secs / 60));
}

static void iso_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "%lld", (long long)t);
}

static int open_db(struct sp_advisory_db **db, const char *prog)
{
	char path[PATH_MAX];
	struct sp_diag d;
	int err;

	sp_diag_clear(&d);
	if ((err = sp_advisory_db_path(path, sizeof(path), &d)) ||
	    (err = sp_advisory_db_open(db, path, &d)))
		fprintf(stderr, "%s: %s\n", prog, d.msg);
	return err;
}

/* --- sync --- */

static int cmd_sync(const char *from, const char *cert, const char *policy_file, bool quiet)
{
	static const char *const vars[] = {"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"};
	const char *prog = "safepip advisories sync", *env = getenv("SAFEPIP_ADVISORY_URL");
	struct sp_advisory_sync_stats st;
	struct sp_fetch_opts fo;
	struct sp_policy policy;
	char path[PATH_MAX];
	struct sp_diag d;
	char *shown;
	size_t i;
	int err;

	if (!from)
		from = env && *env ? env : SP_ADVISORY_DEFAULT_URL;
	/* The policy first: it decides whether plain http is allowed. */
	if ((err = cli_load_policy(&policy, policy_file, prog)))
		return cli_policy_exit(err);
	sp_fetch_opts_init(&fo);
	fo.allow_http = policy.eff.v[SP_PK_ALLOW_HTTP].v;
	sp_policy_release(&policy);
	for (i = 0; !cert && i < sizeof(vars) / sizeof(vars[0]); i++)
		if ((cert = getenv(vars[i])) && !*cert)
			cert = NULL;
	fo.ca_bundle = cert;
	sp_diag_clear(&d);
	shown = sp_redact_text(from);
	if ((err = sp_advisory_db_path(path, sizeof(path), &d)) ||
	    (err = sp_advisory_sync(path, from, &fo, (int64_t)time(NULL), &st, &d))) {
		fprintf(stderr, "%s: %s\n", prog, d.msg);
		free(shown);
		return err == SP_EUSAGE ? SP_EXIT_USAGE : SP_EXIT_ERROR;
	}
	if (!quiet) {
		printf("imported %zu advisories (%zu about malicious packages) from %s into %s\n",
		       st.imported, st.malicious, shown, path);
		printf("skipped: %zu withdrawn, %zu without a PyPI package, %zu invalid\n",
		       st.withdrawn, st.other, st.bad);
	}
	for (i = 0; i < st.nbad_shown; i++)
		fprintf(stderr, "%s: warning: skipped %s\n", prog, st.bad_shown[i]);
	if (st.bad > st.nbad_shown)
		fprintf(stderr, "%s: warning: skipped %zu more invalid records\n", prog,
			st.bad - st.nbad_shown);
	free(shown);
	return SP_EXIT_OK;
}

/* --- info --- */

static int cmd_info(void)
{
	struct sp_advisory_db *db = NULL;
	struct sp_advisory_info info;
	struct sp_diag d;
	char when[64], *age;

	if (open_db(&db, "safepip advisories info"))
		return SP_EXIT_ERROR;
	sp_diag_clear(&d);
	if (sp_advisory_db_info(db, &info, &d)) {
		fprintf(stderr, "safepip advisories info: %s\n", d.msg);
		sp_advisory_db_close(db);
		return SP_EXIT_ERROR;
	}
	iso_time(info.synced_at, when, sizeof(when));
	age = age_text((int64_t)time(NULL) - info.synced_at);
	printf("source:     %s\n", info.source);
	printf("synced:     %s (%s ago)\n", when, age);
	printf("advisories: %zu, %zu of them about malicious packages\n", info.advisories,
	       info.malicious);
	printf("packages:   %zu\n", info.packages);
	printf("skipped:    %zu withdrawn, %zu without a PyPI package, %zu invalid\n",
	       info.withdrawn, info.other, info.bad);
	free(age);
	sp_advisory_db_close(db);
	return ferror(stdout) ? SP_EXIT_ERROR : SP_EXIT_OK;
}

/* --- show --- */

static void show_one(struct sp_advisory_list *l, const struct sp_advisory *a)
{
	const char *aliases = sp_advisory_aliases_text(l, a);

	printf("  %s  ", a->id);
	if (a->malicious)
		fputs("malicious package", stdout);
	else if (a->score >= 0)
		printf("%s (CVSS %.1f)", sp_adv_severity_name(a->severity), a->score);
	else
		printf("%s severity", sp_adv_severity_name(a->severity));
	if (a->fixed)
		printf("  fixed in %s", a->fixed);
	putchar('\n');
	if (*aliases)
		printf("    aliases: %s\n", aliases);
	if (*a->summary)
		printf("    %s\n", a->summary);
}

static int cmd_show(int argc, char **argv)
{
	struct sp_advisory_db *db = NULL;
	int i, rc = SP_EXIT_OK;

	if (argc < 1) {
		fputs("safepip advisories show: give NAME or NAME==VERSION\n", stderr);
		return SP_EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		const char *eq = strstr(argv[i], "==");
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);

		if (!sp_name_valid(argv[i], n) ||
		    (eq && !sp_version_valid(eq + 2, strlen(eq + 2)))) {
			fprintf(stderr,
				"safepip advisories show: invalid '%s' (expected NAME or "
				"NAME==VERSION)\n",
				argv[i]);
			return SP_EXIT_USAGE;
		}
	}
	if (open_db(&db, "safepip advisories show"))
		return SP_EXIT_ERROR;
	for (i = 0; i < argc && rc == SP_EXIT_OK; i++) {
		const char *eq = strstr(argv[i], "==");
		char *name = xstrndup(argv[i], eq ? (size_t)(eq - argv[i]) : strlen(argv[i]));
		struct sp_advisory_list l;
		struct sp_diag d;
		size_t k;

		sp_diag_clear(&d);
		sp_advisory_list_init(&l);
		if (sp_advisory_match(db, name, eq ? eq + 2 : NULL, &l, &d)) {
			fprintf(stderr, "safepip advisories show: %s\n", d.msg);
			rc = SP_EXIT_ERROR;
		} else {
			printf("%s%s%s: ", name, eq ? " " : "", eq ? eq + 2 : "");
			if (l.n == 0)
				puts("no known advisory");
			else
				printf("%zu advisor%s\n", l.n, l.n == 1 ? "y" : "ies");
			for (k = 0; k < l.n; k++)
				show_one(&l, &l.items[k]);
		}
		sp_advisory_list_release(&l);
		free(name);
	}
	sp_advisory_db_close(db);
	return rc;
}

int cli_advisories(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"from", required_argument, NULL, 'f'},	  {"cert", required_argument, NULL, 'c'},
		{"policy", required_argument, NULL, 'p'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	const char *from = NULL, *cert = NULL, *policy = NULL, *sub;
	bool quiet = false;
	int c;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? SP_EXIT_USAGE : SP_EXIT_OK;
	}
	sub = argv[1];
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "+qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'p':
			policy = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return SP_EXIT_OK;
		default:
			fprintf(stderr,
				"safepip advisories: option '%s' is unknown or needs a value (see "
				"'safepip advisories --help')\n",
				argv[optind]);
			return SP_EXIT_USAGE;
		}
	}
	argc -= optind + 1;
	argv += optind + 1;
	if (!strcmp(sub, "sync") && argc == 0)
		return cmd_sync(from, cert, policy, quiet);
	if (!strcmp(sub, "info") && argc == 0 && !from && !cert && !policy)
		return cmd_info();
	if (!strcmp(sub, "show") && !from && !cert && !policy)
		return cmd_show(argc, argv);
	fprintf(stderr,
		"safepip advisories: unknown subcommand or arguments for '%s' (see "
		"'safepip advisories --help')\n",
		sub);
	return SP_EXIT_USAGE;
}

/* --- for the commands that judge packages --- */

void cli_advisories_open(struct cli_advisories *r, const struct sp_policy_ctx *ctx,
			 const char *prog)
{
	struct sp_policy_advisory_data data = {0};
	struct sp_policy_env env = {0};
	struct sp_advisory_info info;
	struct sp_verdict v;
	char path[PATH_MAX];
	struct sp_diag d;
	char *problem = NULL;
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	sp_arena_init(&r->arena);
	sp_advisory_list_init(&r->list);
	r->data_action = SP_ACTION_ALLOW;
	if (!sp_policy_wants_advisories(ctx->policy))
		return;
	sp_diag_clear(&d);
	err = sp_advisory_db_path(path, sizeof(path), &d);
	if (!err)
		err = sp_advisory_db_open(&r->db, path, &d);
	if (!err && !(err = sp_advisory_db_info(r->db, &info, &d))) {
		data.present = true;
		data.synced_at = info.synced_at;
	} else {
		sp_advisory_db_close(r->db);
		r->db = NULL;
		problem = err == SP_ENOENT && d.file[0] ? xasprintf("'%s' does not exist", d.file)
							: xstrdup(d.msg);
		data.problem = problem;
	}
	env.advisory_data = &data;
	sp_policy_eval_env(ctx, &env, &v);
	for (i = 0; i < v.nreasons; i++)
		if (v.reasons[i].action > SP_ACTION_ALLOW)
			fprintf(stderr, "%s: %s: %s\n", prog,
				v.reasons[i].action == SP_ACTION_BLOCK ? "blocked" : "warning",
				v.reasons[i].message);
	r->data_action = v.action;
	sp_verdict_release(&v);
	free(problem);
}

void cli_advisories_fill(struct cli_advisories *r, struct sp_policy_facts *f)
{
	struct sp_policy_advisory *out;
	struct sp_diag d;
	size_t first = r->list.n, i;

	f->advisories = NULL;
	f->nadvisories = 0;
	if (!r->db || !f->name || !f->version)
		return;
	sp_diag_clear(&d);
	if (sp_advisory_match(r->db, f->name, f->version, &r->list, &d)) {
		if (!f->scan_error)
			f->scan_error = sp_arena_strdup(&r->arena, d.msg);
		return;
	}
	if (r->list.n == first)
		return;
	out = sp_arena_alloc(&r->arena, (r->list.n - first) * sizeof(*out));
	for (i = first; i < r->list.n; i++) {
		const struct sp_advisory *a = &r->list.items[i];
		struct sp_policy_advisory *p = &out[i - first];

		p->id = a->id;
		p->aliases = a->aliases;
		p->naliases = a->naliases;
		p->summary = a->summary;
		p->malicious = a->malicious;
		p->severity = (int)a->severity;
		p->score = a->score;
		p->fixed = a->fixed;
	}
	f->advisories = out;
	f->nadvisories = r->list.n - first;
}

enum sp_action cli_advisories_judge(struct cli_advisories *r, const struct sp_policy_ctx *ctx,
				    const char *name, const char *version, const char *prog)
{
	struct sp_policy_facts f = {.yanked = -1, .hash_pinned = -1, .size = -1};
	enum sp_action worst = SP_ACTION_ALLOW;
	struct sp_verdict v;
	size_t i;

	f.name = name;
	f.version = version;
	cli_advisories_fill(r, &f);
	if (f.scan_error) {
		fprintf(stderr, "%s: %s %s: block: %s\n", prog, name, version, f.scan_error);
		return SP_ACTION_BLOCK;
	}
	if (!f.nadvisories)
		return SP_ACTION_ALLOW;
	sp_policy_eval_artifact(ctx, &f, NULL, &v);
	for (i = 0; i < v.nreasons; i++) {
		const struct sp_reason *x = &v.reasons[i];

		if (!sp_policy_is_advisory_id(x->id) || x->action < SP_ACTION_WARN)
			continue;
		fprintf(stderr, "%s: %s %s: %s: %s\n", prog, name, version,
			sp_action_name(x->action), x->message);
		if (x->action > worst)
			worst = x->action;
	}
	sp_verdict_release(&v);
	return worst;
}

void cli_advisories_close(struct cli_advisories *r)
{
	sp_advisory_db_close(r->db);
	sp_advisory_list_release(&r->list);
	sp_arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
}
