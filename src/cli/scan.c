/*
 * safepip scan: unpack and scan targets, report, exit by --fail-on.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/advisories.h"
#include "cli/cache.h"
#include "cli/cli.h"
#include "cli/reportopts.h"
#include "cli/request.h"
#include "policy/policy.h"
#include "policy/typosquat.h"
#include "req/requirement.h"
#include "report/report.h"
#include "scan/engine.h"
#include "scan/scanner.h"
#include "core/banned.h"

static void usage(FILE *out)
{
	fputs("usage: safepip scan [options] TARGET...\n"
	      "       safepip scan [pip options] NAME[==VERSION]... [--no-deps]\n"
	      "\n"
	      "Scan Python packages without installing them or running any of their code.\n"
	      "TARGET is a wheel (.whl), an sdist (.tar.gz, .tar.bz2, .tar.xz, .zip), any zip,\n"
	      "a directory or a single .py file. Archives are read in memory; nothing is\n"
	      "extracted to disk.\n"
	      "\n"
	      "options:\n"
	      "  -f, --format FORMAT    report format: text (default), json, sarif or html\n"
	      "                         (see docs/report.md)\n"
	      "  -o, --output FILE      write the report to FILE instead of standard output\n"
	      "      --fail-on SEV      exit 1 when a finding is at least SEV: info, low,\n"
	      "                         medium, high (default), critical, or never; or when\n"
	      "                         the policy's verdict of an artifact is at least\n"
	      "                         block or warn\n"
	      "      --policy FILE      a policy file over the built-in, system, user and\n"
	      "                         project ones (or builtin:strict, builtin:permissive)\n"
	      "      --min-severity SEV list findings at or above SEV in the text report\n"
	      "                         (default low; JSON and SARIF list every finding,\n"
	      "                         HTML lists all and hides those below SEV at first)\n"
	      "  -j, --jobs N           scan threads (default: one per core)\n"
	      "      --color WHEN       auto (default: only on a terminal), always, never\n"
	      "      --no-color         same as --color=never (NO_COLOR is honoured too)\n"
	      "  -q, --quiet            no progress on standard error\n"
	      "  -h, --help             show this help\n"
	      "\n"
	      "A NAME[==VERSION] that is no file is fetched instead, as 'safepip download'\n"
	      "would pick it for the target environment (--python, $VIRTUAL_ENV, ./.venv,\n"
	      "python3), with pip's options (--index-url, --no-deps, --only-binary, ...),\n"
	      "hashes checked, then scanned; nothing is installed or saved. Then -f/--format,\n"
	      "-o/--output, --policy and -q apply as above.\n"
	      "\n"
	      "Each artifact gets the policy's verdict (allow, warn or block) with its\n"
	      "reasons; see docs/policy.md and 'safepip policy show'.\n"
	      "\n"
	      "exit status: 0 nothing at or above --fail-on, 1 findings at or above it,\n"
	      "2 bad usage or a malformed policy, 3 a target could not be read (see\n"
	      "docs/exit-codes.md)\n",
	      out);
}

/*
 * Whether the command names packages to fetch rather than files: an
 * operand that is no path on disk but a requirement ("requests==2.31").
 * Option values are operands here too; a pip option's value only counts
 * when it looks like a requirement and is no file, which a value of
 * scan's own options never needs to be.
 */
static bool names_requirements(int argc, char **argv)
{
	static const char *const valued[] = {"-f", "-o", "-j", "--format", "--output", "--fail-on",
					     "--min-severity", "--jobs", "--color", "--policy"};
	struct sp_arena arena;
	bool found = false;
	int i;

	sp_arena_init(&arena);
	for (i = 1; i < argc && !found; i++) {
		const char *a = argv[i];
		struct sp_requirement *req;
		struct sp_diag d;
		size_t k;

		if (a[0] == '-') {
			for (k = 0; k < sizeof(valued) / sizeof(valued[0]); k++)
				if (!strcmp(a, valued[k]))
					i++;
			continue;
		}
		if (access(a, F_OK) == 0 || strchr(a, '/'))
			continue;
		found = sp_requirement_parse(&arena, a, strlen(a), &req, &d) == 0;
	}
	sp_arena_release(&arena);
	return found;
}

int cli_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_REPORT_LONGOPTS,
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_report_opts ro;
	struct sp_policy policy;
	bool have_policy = false;
	struct sp_typosquat *popular = NULL;
	struct sp_verdict *verdicts = NULL;
	int c, rc = SP_EXIT_ERROR, err;
	unsigned jobs = 0;
	bool progress;
	struct sp_catalog cat;
	bool have_cat = false;
	struct sp_engine *engine = NULL;
	struct sp_scanner *scanner = NULL;
	struct sp_artifact **arts = NULL;
	struct sp_vcache *vc = NULL;
	struct sp_vcache_stats vst;
	bool *hit = NULL;
	struct sp_report rep = {0};
	struct cli_advisories adv = {0};
	struct sp_diag d;
	FILE *out = stdout;
	size_t n = 0, i;

	if (names_requirements(argc, argv))
		return cli_scan_requirements(argc, argv);
	cli_report_opts_init(&ro, "safepip scan", SP_SEV_HIGH, SP_ACTION_UNSET);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:o:j:qh", longopts, NULL)) != -1) {
		int taken = cli_report_opt(&ro, c, optarg);

		if (taken < 0)
			return SP_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 256) {
				fprintf(stderr, "safepip scan: invalid --jobs '%s' (expected 1 to 256)\n", optarg);
				return SP_EXIT_USAGE;
			}
			jobs = (unsigned)v;
			break;
		}
		case 'h':
			usage(stdout);
			return SP_EXIT_OK;
		default:
			if (optopt && optopt < 256)
				fprintf(stderr, "safepip scan: option '-%c' %s\n", optopt,
					strchr("foj", optopt) ? "needs a value" : "is unknown");
			else
				fprintf(stderr, "safepip scan: option '%s' is unknown or needs a value\n",
					argv[optind - 1]);
			fputs("see 'safepip scan --help'\n", stderr);
			return SP_EXIT_USAGE;
		}
	}
	if (cli_report_opts_finish(&ro))
		return SP_EXIT_USAGE;
	if (optind >= argc) {
		fputs("safepip scan: nothing to scan (give a wheel, sdist, directory or .py file)\n", stderr);
		usage(stderr);
		return SP_EXIT_USAGE;
	}

	/* The policy first: a malformed one stops the run before any work. */
	if ((err = cli_load_policy(&policy, ro.policy, "safepip scan")))
		return cli_policy_exit(err);
	have_policy = true;
	{
		struct sp_policy_ctx actx = {.policy = &policy, .now = (int64_t)time(NULL)};

		cli_advisories_open(&adv, &actx, "safepip scan");
	}
	sp_diag_clear(&d);
	/* The name index costs ~20 ms to build: only when some layer asks for the check. */
	if ((policy.eff.v[SP_PK_TYPOSQUAT].v > SP_ACTION_ALLOW ||
	     policy.floor.v[SP_PK_TYPOSQUAT].v > SP_ACTION_ALLOW) &&
	    (err = sp_typosquat_new_embedded(&popular, &d))) {
		fprintf(stderr, "safepip scan: cannot load the popular-name list: %s\n", d.msg);
		goto out;
	}
	sp_diag_clear(&d);
	if ((err = sp_catalog_load_embedded(&cat, &d))) {
		fprintf(stderr, "safepip scan: cannot load the rule catalog: %s\n", d.msg);
		goto out;
	}
	have_cat = true;
	if (ro.output && !(out = fopen(ro.output, "w"))) {
		fprintf(stderr, "safepip scan: cannot write '%s': %s\n", ro.output, strerror(errno));
		out = stdout;
		goto out;
	}
	progress = !ro.quiet && isatty(STDERR_FILENO);
	arts = calloc((size_t)(argc - optind), sizeof(*arts));
	hit = calloc((size_t)(argc - optind), sizeof(*hit));
	if (!arts || !hit)
		goto out;
	vc = cli_vcache_open(&cat, false, "safepip scan");
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (progress)
			fprintf(stderr, "\r\033[Kscanning %zu/%d: %s", n + 1, argc - optind, argv[i]);
		arts[n] = cli_vcache_get(vc, argv[i], NULL);
		hit[n] = arts[n] != NULL;
		if (!hit[n]) {
			/* Compiled only when something is left to scan: most of a warm run. */
			if (!engine && (err = sp_engine_new(&cat, &engine, &d))) {
				fprintf(stderr, "safepip scan: cannot compile the rules: %s\n",
					d.msg);
				goto out;
			}
			if (!scanner)
				scanner = sp_scanner_new(&cat, engine, jobs);
			arts[n] = sp_scanner_add(scanner, argv[i]);
		}
		n++;
	}
	if (scanner)
		sp_scanner_wait(scanner);
	cli_vcache_store(vc, arts, hit, n, "safepip scan");
	sp_vcache_stats(vc, &vst);
	if (progress)
		fputs("\r\033[K", stderr);

	verdicts = calloc(n ? n : 1, sizeof(*verdicts));
	if (!verdicts)
		goto out;
	for (i = 0; i < n; i++) {
		struct sp_policy_ctx ctx = {.policy = &policy, .now = (int64_t)time(NULL),
					    .version_matches = sp_request_version_matches,
					    .popular = popular};
		struct sp_policy_facts facts = {.yanked = -1, .hash_pinned = -1, .size = -1};
		struct stat st;

		/* A local file: only what it says about itself is known. */
		facts.name = arts[i]->name;
		facts.version = arts[i]->version;
		facts.kind = arts[i]->kind == SP_SOURCE_WHEEL   ? SP_DIST_WHEEL
			     : arts[i]->kind == SP_SOURCE_SDIST ? SP_DIST_SDIST
								: SP_DIST_UNKNOWN;
		if (stat(arts[i]->target, &st) == 0 && S_ISREG(st.st_mode))
			facts.size = (int64_t)st.st_size;
		facts.scan_error = arts[i]->error ? arts[i]->error_msg : NULL;
		cli_advisories_fill(&adv, &facts);
		sp_policy_eval_artifact(&ctx, &facts, arts[i], &verdicts[i]);
	}

	rep.artifacts = arts;
	rep.nartifacts = n;
	rep.policy = &policy;
	rep.verdicts = verdicts;
	rep.fail_on_verdict = ro.fail_on_verdict;
	rep.catalog = &cat;
	rep.min_severity = (enum sp_severity)ro.min_sev;
	rep.fail_on = ro.fail_on;
	rep.color = ro.fmt == SP_REPORT_TEXT && cli_want_color(ro.color, out);
	rep.cache = vc ? &vst : NULL;
	err = sp_report_write(out, ro.fmt, &rep);
	if (!err && fflush(out))
		err = SP_EIO;
	if (err) {
		fprintf(stderr, "safepip scan: cannot write the report to '%s': %s\n",
			ro.output ? ro.output : "standard output", strerror(errno));
		goto out;
	}
	if (!ro.quiet)
		cli_vcache_summary(stderr, vc, n);
	rc = cli_report_status(&ro, &rep);
out:
	sp_scanner_free(scanner);
	sp_vcache_close(vc);
	free(hit);
	for (i = 0; verdicts && i < n; i++)
		sp_verdict_release(&verdicts[i]);
	free(verdicts);
	cli_advisories_close(&adv);
	sp_typosquat_free(popular);
	if (have_policy)
		sp_policy_release(&policy);
	for (i = 0; i < n; i++)
		sp_artifact_free(arts[i]);
	free(arts);
	sp_engine_free(engine);
	if (have_cat)
		sp_catalog_release(&cat);
	if (out != stdout && fclose(out) && rc != SP_EXIT_ERROR) {
		fprintf(stderr, "safepip scan: cannot write '%s': %s\n", ro.output, strerror(errno));
		rc = SP_EXIT_ERROR;
	}
	return rc;
}
