/*
 * safepip audit: what is already installed, checked as an install would
 * have been. Every distribution of the target environment has its files
 * verified against its RECORD, then scanned, then judged by the policy;
 * start-up files nobody owns (.pth, sitecustomize.py) are scanned too.
 * With -r, a requirements file is resolved, fetched and judged instead,
 * installing nothing (policy explain).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/advisories.h"
#include "cli/cli.h"
#include "cli/reportopts.h"
#include "cli/request.h"
#include "core/path.h"
#include "core/xalloc.h"
#include "delegate/installed.h"
#include "delegate/target.h"
#include "delegate/venv.h"
#include "policy/policy.h"
#include "policy/typosquat.h"
#include "req/version.h"
#include "report/report.h"
#include "scan/engine.h"
#include "scan/scanner.h"
#include "core/banned.h"

static void usage(FILE *out)
{
	fputs("usage: safepip audit [options]\n"
	      "       safepip audit -r FILE [pip options]\n"
	      "\n"
	      "Check an environment that is already installed, or a requirements file,\n"
	      "without installing anything or running any package's code.\n"
	      "\n"
	      "Installed environment (the default): the target is --python PATH, else\n"
	      "$VIRTUAL_ENV, else ./.venv, else python3 from PATH. Every installed\n"
	      "distribution's files are verified against its RECORD (a file changed after\n"
	      "install is a finding), scanned like a wheel, and judged by the policy.\n"
	      "Start-up files in the site directories that no distribution owns (.pth files,\n"
	      "sitecustomize.py, usercustomize.py) are scanned as well.\n"
	      "\n"
	      "With -r FILE: resolves, fetches and scans what 'safepip install -r FILE' would\n"
	      "install (pip options such as --index-url apply), and prints each verdict;\n"
	      "the same as 'safepip policy explain -r FILE'.\n"
	      "\n"
	      "options:\n"
	      "      --python PATH      the interpreter, or virtual environment, to audit\n"
	      "  -f, --format FORMAT    report format: text (default), json, sarif or html\n"
	      "  -o, --output FILE      write the report to FILE instead of standard output\n"
	      "      --fail-on WHAT     exit 1 when a verdict is at least block (default) or\n"
	      "                         warn, or a finding at least a severity (info, low,\n"
	      "                         medium, high, critical); never: exit 0\n"
	      "      --policy FILE      a policy file over the built-in, system, user and\n"
	      "                         project ones (or builtin:strict, builtin:permissive)\n"
	      "      --min-severity SEV list findings at or above SEV in the text report\n"
	      "      --color WHEN       auto (default: only on a terminal), always, never\n"
	      "      --no-color         same as --color=never\n"
	      "  -q, --quiet            no progress on standard error\n"
	      "  -h, --help             show this help\n"
	      "\n"
	      "exit status: 0 nothing reached --fail-on, 1 something did, 2 bad usage or a\n"
	      "malformed policy, 3 the environment could not be read (docs/exit-codes.md)\n",
	      out);
}

/* The rule behind each kind of RECORD problem (policy/rules/installed.json). */
static const char *problem_rule(enum sp_installed_problem_kind kind)
{
	switch (kind) {
	case SP_IP_MODIFIED:
		return "installed-file-modified";
	case SP_IP_MISSING:
		return "installed-file-missing";
	case SP_IP_NOT_FILE:
		return "installed-file-replaced";
	case SP_IP_OUTSIDE:
		return "installed-outside-prefix";
	case SP_IP_NO_RECORD:
		return "installed-no-record";
	case SP_IP_BAD_RECORD:
	case SP_IP_UNREADABLE:
		break;
	}
	return "installed-record-invalid";
}

/* With -r anywhere: the requirements file is judged by policy explain. */
static bool wants_requirements(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strncmp(argv[i], "-r", 2) || !strncmp(argv[i], "--requirement", 13))
			return true;
	}
	return false;
}

static int audit_requirements(int argc, char **argv)
{
	char **av = xcalloc((size_t)argc + 1, sizeof(*av));
	int i, rc;

	av[0] = (char *)"audit";
	for (i = 1; i < argc; i++)
		av[i] = argv[i];
	rc = cli_explain(argc, av);
	free(av);
	/* One meaning for audit's exit codes, whichever way it ran. */
	return rc == SP_EXIT_BLOCKED ? SP_EXIT_FINDINGS : rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_startup_file(const char *name)
{
	return sp_str_endswith(name, ".pth") || !strcmp(name, "sitecustomize.py") ||
	       !strcmp(name, "usercustomize.py");
}

/*
 * Start-up files in dir that no RECORD lists (owned: sorted paths),
 * scanned together as one artifact, with a finding for each.
 */
static struct sp_artifact *scan_unowned(struct sp_scanner *sc, const struct sp_catalog *cat,
					const char *dir, char **owned, size_t nowned)
{
	struct sp_unpack_file *files = NULL;
	struct sp_artifact *a = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *dp = opendir(dir);
	char *label;

	if (!dp)
		return NULL;
	while ((de = readdir(dp))) {
		char *path;

		if (!is_startup_file(de->d_name))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (bsearch(&path, owned, nowned, sizeof(*owned), cmp_str)) {
			free(path);
			continue;
		}
		SP_GROW(files, n + 1, cap);
		files[n].path = path;
		files[n].name = xstrdup(de->d_name);
		n++;
	}
	closedir(dp);
	if (!n)
		return NULL;
	label = xasprintf("%s (start-up files no distribution owns)", dir);
	a = sp_scanner_add_files(sc, label, files, n);
	free(label);
	for (i = 0; i < n; i++) {
		sp_artifact_add(a, sp_catalog_find(cat, "installed-unowned-startup"), SP_CTX_NONE,
				files[i].name, 0, 0, NULL, 0,
				"runs or is read at every Python start-up, and no installed "
				"distribution's RECORD lists it");
		free((char *)files[i].path);
		free((char *)files[i].name);
	}
	free(files);
	return a;
}

/*
 * The highest first-fixed version among n advisories into out (a buffer
 * of SP_VERSION_TEXT_MAX bytes); false when none of them has a fix.
 */
static bool highest_fix(const struct sp_policy_advisory *adv, size_t n, char *out)
{
	struct sp_version best, v;
	bool have = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!adv[i].fixed || sp_version_parse(&v, adv[i].fixed, strlen(adv[i].fixed), NULL))
			continue;
		if (!have || sp_version_cmp(&v, &best) > 0) {
			best = v;
			have = true;
		}
	}
	if (have)
		sp_version_format(&best, out, SP_VERSION_TEXT_MAX);
	return have;
}

/*
 * For an installed version with advisories: the first version that fixes
 * them all and has none of its own, following fixes a few steps (a fix
 * can be affected by a later report). Printed as one line to out.
 */
static void suggest_upgrade(FILE *out, struct cli_advisories *adv, const char *name,
			    const char *version, const struct sp_policy_advisory *found, size_t n)
{
	char cand[SP_VERSION_TEXT_MAX];
	size_t i, step;

	fprintf(out, "  %s %s: ", name, version);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", found[i].id);
	if (!highest_fix(found, n, cand)) {
		fputs("; no fixed release is known\n", out);
		return;
	}
	for (step = 0; step < 5; step++) {
		struct sp_policy_facts f = {.name = name, .version = cand};

		cli_advisories_fill(adv, &f);
		if (f.scan_error) {
			fputs("; the advisory data could not be read\n", out);
			return;
		}
		if (!f.nadvisories) {
			fprintf(out, "; upgrade to %s or later\n", cand);
			return;
		}
		if (!highest_fix(f.advisories, f.nadvisories, cand))
			break;
	}
	fputs("; no release free of known advisories is recorded\n", out);
}

enum { OPT_PYTHON = CLI_OPT_FIRST_FREE };

int cli_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_REPORT_LONGOPTS,
		{"python", required_argument, NULL, OPT_PYTHON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *python = NULL;
	struct cli_report_opts ro;
	int c, rc = SP_EXIT_ERROR, err;
	bool progress, have_policy = false, have_cat = false, have_target = false;
	struct sp_venv_opts vo = {0};
	struct sp_venv venv = {0};
	struct sp_target t;
	struct sp_target_opts to = {0};
	struct sp_policy policy;
	struct sp_typosquat *popular = NULL;
	struct sp_catalog cat;
	struct sp_engine *engine = NULL;
	struct sp_scanner *scanner = NULL;
	struct sp_artifact **arts = NULL;
	struct sp_verdict *verdicts = NULL;
	struct sp_report rep = {0};
	struct sp_diag d;
	struct cli_advisories adv = {0};
	struct sp_policy_facts *facts = NULL;
	char **owned = NULL;
	size_t n = 0, i, j, nowned = 0, owned_cap = 0;
	FILE *out = stdout;

	if (wants_requirements(argc, argv))
		return audit_requirements(argc, argv);
	cli_report_opts_init(&ro, "safepip audit", -1, SP_ACTION_BLOCK);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:o:qh", longopts, NULL)) != -1) {
		int taken = cli_report_opt(&ro, c, optarg);

		if (taken < 0)
			return SP_EXIT_USAGE;
		if (taken)
			continue;
		switch (c) {
		case OPT_PYTHON:
			python = optarg;
			break;
		case 'h':
			usage(stdout);
			return SP_EXIT_OK;
		default:
			fprintf(stderr, "safepip audit: option '%s' is unknown or needs a value\n",
				argv[optind - 1]);
			fputs("see 'safepip audit --help'\n", stderr);
			return SP_EXIT_USAGE;
		}
	}
	if (cli_report_opts_finish(&ro))
		return SP_EXIT_USAGE;
	if (optind < argc) {
		fprintf(stderr,
			"safepip audit: unexpected argument '%s' (audit an environment with --python, "
			"or a requirements file with -r)\n",
			argv[optind]);
		return SP_EXIT_USAGE;
	}

	if ((err = cli_load_policy(&policy, ro.policy, "safepip audit")))
		return cli_policy_exit(err);
	have_policy = true;
	{
		struct sp_policy_ctx actx = {.policy = &policy, .now = (int64_t)time(NULL)};

		cli_advisories_open(&adv, &actx, "safepip audit");
	}
	memset(&cat, 0, sizeof(cat));
	memset(&t, 0, sizeof(t));
	sp_diag_clear(&d);
	/* Reading an environment changes nothing in it: no venv or root rule applies. */
	vo.python = python;
	vo.allow_system = true;
	vo.allow_root = true;
	if ((err = sp_venv_find(&vo, &venv, &d)) ||
	    (have_target = true, err = sp_target_probe(&t, venv.python, &to, &d))) {
		fprintf(stderr, "safepip audit: %s\n", d.msg);
		goto out;
	}
	if ((policy.eff.v[SP_PK_TYPOSQUAT].v > SP_ACTION_ALLOW ||
	     policy.floor.v[SP_PK_TYPOSQUAT].v > SP_ACTION_ALLOW) &&
	    (err = sp_typosquat_new_embedded(&popular, &d))) {
		fprintf(stderr, "safepip audit: cannot load the popular-name list: %s\n", d.msg);
		goto out;
	}
	if ((err = sp_catalog_load_embedded(&cat, &d)) ||
	    (have_cat = true, err = sp_engine_new(&cat, &engine, &d))) {
		fprintf(stderr, "safepip audit: cannot load the rule catalog: %s\n", d.msg);
		goto out;
	}
	if (ro.output && !(out = fopen(ro.output, "w"))) {
		fprintf(stderr, "safepip audit: cannot write '%s': %s\n", ro.output, strerror(errno));
		out = stdout;
		goto out;
	}

	progress = !ro.quiet && isatty(STDERR_FILENO);
	scanner = sp_scanner_new(&cat, engine, 0);
	arts = xcalloc(t.n_installed + t.n_site_dirs + 1, sizeof(*arts));
	for (i = 0; i < t.n_installed; i++) {
		const struct sp_dist *dist = &t.installed[i];
		struct sp_installed in;
		struct sp_unpack_file *files;
		struct sp_artifact *a;
		size_t nf = 0;

		if (progress)
			fprintf(stderr, "\r\033[Kauditing %zu/%zu: %s", i + 1, t.n_installed,
				dist->name);
		if ((err = sp_installed_read(&t, dist, &in, &d))) {
			fprintf(stderr, "%ssafepip audit: %s\n", progress ? "\r\033[K" : "", d.msg);
			goto out;
		}
		sp_installed_verify(&in);
		files = xcalloc(in.nfiles + 1, sizeof(*files));
		for (j = 0; j < in.nfiles; j++) {
			SP_GROW(owned, nowned + 1, owned_cap);
			owned[nowned++] = xstrdup(in.files[j].path);
			/* Bytecode cannot be scanned, and pip records it unhashed. */
			if (sp_str_endswith(in.files[j].path, ".pyc"))
				continue;
			files[nf].path = in.files[j].path;
			files[nf].name = in.files[j].name;
			nf++;
		}
		a = sp_scanner_add_files(scanner, sp_path_base(dist->path), files, nf);
		free(files);
		free(a->name);
		free(a->version);
		a->name = xstrdup(dist->name);
		a->version = xstrdup(dist->version);
		for (j = 0; j < in.nproblems; j++) {
			const struct sp_installed_problem *p = &in.problems[j];

			sp_artifact_add(a, sp_catalog_find(&cat, problem_rule(p->kind)), SP_CTX_NONE,
					p->name, p->line, 0, NULL, 0, p->detail);
		}
		sp_installed_release(&in);
		arts[n++] = a;
	}
	qsort(owned, nowned, sizeof(*owned), cmp_str);
	for (i = 0; i < t.n_site_dirs; i++) {
		struct sp_artifact *a = scan_unowned(scanner, &cat, t.site_dirs[i], owned, nowned);

		if (a)
			arts[n++] = a;
	}
	sp_scanner_wait(scanner);
	if (progress)
		fputs("\r\033[K", stderr);

	verdicts = xcalloc(n + 1, sizeof(*verdicts));
	facts = xcalloc(n + 1, sizeof(*facts));
	for (i = 0; i < n; i++) {
		struct sp_policy_ctx ctx = {.policy = &policy, .now = (int64_t)time(NULL),
					    .version_matches = sp_request_version_matches,
					    .popular = popular};
		struct sp_policy_facts *f = &facts[i];

		f->yanked = -1;
		f->hash_pinned = -1;
		f->size = -1;
		f->name = arts[i]->name;
		f->version = arts[i]->version;
		f->kind = SP_DIST_UNKNOWN;
		f->scan_error = arts[i]->error ? arts[i]->error_msg : NULL;
		cli_advisories_fill(&adv, f);
		sp_policy_eval_artifact(&ctx, f, arts[i], &verdicts[i]);
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
	if (ro.fmt == SP_REPORT_TEXT && !ro.quiet)
		fprintf(out, "audit of %s (%s): %zu distribution(s)\n", venv.python,
			t.in_venv ? "virtual environment" : "not a virtual environment",
			t.n_installed);
	err = sp_report_write(out, ro.fmt, &rep);
	if (!err) {
		/* What to upgrade to, from the advisories' fixed versions (offline). */
		FILE *sink = ro.fmt == SP_REPORT_TEXT ? out : stderr;
		bool header = false;

		for (i = 0; i < n; i++) {
			if (!facts[i].nadvisories || !facts[i].name || !facts[i].version)
				continue;
			if (!header)
				fputs("\nknown advisories and upgrades:\n", sink);
			header = true;
			suggest_upgrade(sink, &adv, facts[i].name, facts[i].version,
					facts[i].advisories, facts[i].nadvisories);
		}
	}
	if (!err && fflush(out))
		err = SP_EIO;
	if (err) {
		fprintf(stderr, "safepip audit: cannot write the report to '%s': %s\n",
			ro.output ? ro.output : "standard output", strerror(errno));
		goto out;
	}
	rc = cli_report_status(&ro, &rep);
out:
	sp_scanner_free(scanner);
	for (i = 0; verdicts && i < n; i++)
		sp_verdict_release(&verdicts[i]);
	free(verdicts);
	free(facts);
	cli_advisories_close(&adv);
	for (i = 0; i < n; i++)
		sp_artifact_free(arts[i]);
	free(arts);
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	sp_typosquat_free(popular);
	sp_engine_free(engine);
	if (have_cat)
		sp_catalog_release(&cat);
	if (have_policy)
		sp_policy_release(&policy);
	if (have_target)
		sp_target_release(&t);
	sp_venv_release(&venv);
	if (out != stdout && fclose(out) && rc != SP_EXIT_ERROR) {
		fprintf(stderr, "safepip audit: cannot write '%s': %s\n", ro.output, strerror(errno));
		rc = SP_EXIT_ERROR;
	}
	return rc;
}
