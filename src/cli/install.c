/*
 * safepip install / download: the gate. Resolve from metadata only, fetch
 * every file once (hashes checked), scan each, let the policy decide, and
 * only then hand exactly those files to the real pip (or uv), offline,
 * hashes required. `download` stops before pip and copies the files out.
 *
 * Nothing reaches the environment unless every step succeeded: any error
 * is a non-zero exit with one message, and pip is never started.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/advisories.h"
#include "cli/cache.h"
#include "cli/cli.h"
#include "cli/request.h"
#include "core/file.h"
#include "core/xalloc.h"
#include "delegate/lock.h"
#include "delegate/run.h"
#include "fetch/redact.h"
#include "policy/policy.h"
#include "policy/typosquat.h"
#include "report/report.h"
#include "req/specifier.h"
#include "scan/engine.h"
#include "scan/scanner.h"
#include "core/banned.h"

static void usage(FILE *out, const char *cmd)
{
	fprintf(out,
		"usage: safepip %s%s [options] REQUIREMENT... [-r FILE] [-c FILE]\n"
		"\n"
		"Resolve the requirements as pip would (from index metadata, running nothing),\n"
		"download every file once with its hash checked, scan it, and apply the policy.\n",
		strcmp(cmd, "explain") == 0 ? "policy " : "", cmd);
	if (strcmp(cmd, "download") == 0)
		fputs("Allowed files are then copied to --dest (default: the working directory).\n",
		      out);
	else if (strcmp(cmd, "explain") == 0)
		fputs("Then print each package's verdict with the finding or fact, the policy\n"
		      "setting and the layer behind it; nothing is installed or saved.\n", out);
	else
		fputs("Only then run the real pip in the target virtual environment, offline,\n"
		      "on exactly the scanned files, with hashes required.\n", out);
	sp_pipargs_help(out);
	fputs("\nExit codes: 0 done; 2 usage; 3 error (resolve, fetch or scan); 10 blocked by\n"
	      "the policy; 11 declined at the prompt; 12 environment refused (root, no venv);\n"
	      "any other: the installer's own exit code (see docs/exit-codes.md).\n", out);
}

static void print_reasons(const struct sp_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nreasons; i++)
		if (v->reasons[i].action > SP_ACTION_ALLOW)
			fprintf(stderr, "  %s: %s\n", sp_action_name(v->reasons[i].action),
				v->reasons[i].message);
}

static bool hash_pinned(const struct sp_request *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nroots; i++)
		if (r->roots[i].nhashes && strcmp(r->roots[i].req->key, key) == 0)
			return true;
	return false;
}

/* One JSON line per decision, under $XDG_STATE_HOME/safepip (never fatal). */
static void audit(const struct sp_request *r, int argc, char **argv, struct sp_artifact **arts,
		  const struct sp_verdict *verdicts, size_t n, enum sp_action overall,
		  const char *outcome, int code)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct passwd *pw = getpwuid(geteuid());
	cJSON *o = cJSON_CreateObject(), *a;
	char *dir, *path, *line, when[32];
	time_t now = time(NULL);
	size_t i;
	int fd, k;

	if (state && *state == '/')
		dir = xasprintf("%s/safepip", state);
	else if (home && *home)
		dir = xasprintf("%s/.local/state/safepip", home);
	else
		return;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "user", pw ? pw->pw_name : "?");
	cJSON_AddStringToObject(o, "python", r->venv.python ? r->venv.python : "");
	a = cJSON_AddArrayToObject(o, "request");
	for (k = 0; k < argc; k++) {
		char *red = sp_redact_text(argv[k]);

		cJSON_AddItemToArray(a, cJSON_CreateString(red));
		free(red);
	}
	a = cJSON_AddArrayToObject(o, "artifacts");
	for (i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject();
		char hex[SP_SHA256_HEX] = "";

		if (arts[i]->has_sha256)
			sp_hex(arts[i]->sha256, SP_SHA256_LEN, hex);
		cJSON_AddStringToObject(x, "file", arts[i]->target);
		cJSON_AddStringToObject(x, "name", arts[i]->name ? arts[i]->name : "");
		cJSON_AddStringToObject(x, "version", arts[i]->version ? arts[i]->version : "");
		cJSON_AddStringToObject(x, "sha256", hex);
		cJSON_AddNumberToObject(x, "findings", (double)arts[i]->nfindings);
		cJSON_AddStringToObject(x, "verdict", sp_action_name(verdicts[i].action));
		cJSON_AddItemToArray(a, x);
	}
	cJSON_AddStringToObject(o, "verdict", sp_action_name(overall));
	cJSON_AddStringToObject(o, "outcome", outcome);
	cJSON_AddNumberToObject(o, "exit", code);
	line = cJSON_PrintUnformatted(o);
	path = xasprintf("%s/audit.jsonl", dir);
	sp_mkdirs(dir); /* XDG's state directory may not exist yet */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0 && line) {
		size_t len = strlen(line);

		if (write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
			fprintf(stderr, "safepip: warning: cannot append to '%s'\n", path);
	}
	if (fd >= 0)
		close(fd);
	free(line);
	free(path);
	free(dir);
	cJSON_Delete(o);
}

static bool ask(const char *question)
{
	char answer[16];

	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

static int copy_out(const char *from, const char *dir, const char *name, struct sp_diag *d)
{
	char *to = xasprintf("%s/%s", dir, name);
	int err = 0;

	/* As pip download does, a missing destination is made. */
	if (sp_mkdirs(dir) != 0)
		err = sp_diag_set(d, SP_EIO, "cannot make '%s': %s (check --dest)", dir,
				  strerror(errno));
	else if (sp_file_copy(from, to, 0644, false) != 0)
		err = sp_diag_set(d, SP_EIO, "cannot copy '%s' to '%s': %s (check --dest)", name,
				  dir, strerror(errno));
	free(to);
	return err;
}

/* pip's --no-cache-dir turns the verdict cache off too: the user asked for a fresh look. */
/* pip's --no-cache-dir (or PIP_NO_CACHE_DIR): no verdict cache either. */
static bool no_cache_dir(const struct sp_request *r)
{
	const char *env = getenv("PIP_NO_CACHE_DIR");
	size_t i;

	for (i = 0; i < r->args.nforward; i++)
		if (strcmp(r->args.forward[i], "--no-cache-dir") == 0)
			return true;
	return env && (!strcasecmp(env, "1") || !strcasecmp(env, "true") ||
		       !strcasecmp(env, "yes") || !strcasecmp(env, "on"));
}

static int gate(int argc, char **argv, const char *cmd)
{
	/* explain: the decision for every package of the request, installing nothing */
	bool scan = strcmp(cmd, "scan") == 0;
	bool explain = scan || strcmp(cmd, "explain") == 0;
	bool download = explain || strcmp(cmd, "download") == 0;
	struct sp_request r;
	struct sp_policy policy;
	struct sp_typosquat *popular = NULL;
	struct sp_catalog cat;
	struct sp_engine *engine = NULL;
	struct sp_scanner *scanner = NULL;
	struct sp_artifact **arts = NULL;
	struct sp_vcache *vc = NULL;
	struct sp_vcache_stats vst = {0};
	bool *hit = NULL;
	struct sp_verdict *verdicts = NULL, envv = {0};
	struct sp_policy_ctx ctx;
	struct sp_lock lock = {0};
	struct sp_lock_item *items = NULL;
	struct sp_report rep = {0};
	enum sp_report_format report_fmt, out_fmt = SP_REPORT_TEXT;
	struct cli_advisories adv = {0};
	char prog[32];
	struct sp_diag d, build_diag;
	int build_err = 0;
	enum sp_action overall = SP_ACTION_ALLOW;
	bool have_policy = false, have_cat = false, is_root = geteuid() == 0, prepared = false;
	const char *outcome = "error";
	size_t i, n = 0, nitems = 0;
	int err, rc = SP_EXIT_ERROR;

	sp_diag_clear(&d);
	sp_diag_clear(&build_diag);
	memset(&cat, 0, sizeof(cat));
	err = sp_request_load(&r, explain ? "install" : cmd, argc, argv, true, &d);
	if (!err && r.args.help) {
		usage(stdout, cmd);
		rc = SP_EXIT_OK;
		goto out;
	}
	if (err) {
		rc = err == SP_EUSAGE ? SP_EXIT_USAGE : SP_EXIT_ERROR;
		sp_request_print_error(cmd, &d);
		goto out;
	}
	/* The decision on stdout (or, for scan, -o FILE): --format, --json. */
	if (r.args.json)
		out_fmt = SP_REPORT_JSON;
	else if (r.args.format && sp_report_format_parse(r.args.format, &out_fmt)) {
		fprintf(stderr, "safepip %s: unknown --format '%s' (expected text, json, sarif or "
			"html)\n", cmd, r.args.format);
		rc = SP_EXIT_USAGE;
		goto out;
	}
	if (r.args.output && !scan) {
		fprintf(stderr, "safepip %s: -o/--output is for 'safepip lock' and 'safepip scan' "
			"(use --report FILE)\n", cmd);
		rc = SP_EXIT_USAGE;
		goto out;
	}
	report_fmt = r.args.report ? sp_report_format_for_path(r.args.report) : SP_REPORT_JSON;
	if (r.args.report_format && (sp_report_format_parse(r.args.report_format, &report_fmt) ||
				     report_fmt == SP_REPORT_TEXT)) {
		fprintf(stderr, "safepip %s: unknown --report-format '%s' (expected json, sarif or "
			"html)\n", cmd, r.args.report_format);
		rc = SP_EXIT_USAGE;
		goto out;
	}
	/* The policy first: a malformed one stops the run before any work. */
	if ((err = cli_load_policy(&policy, r.args.policy, download ? "safepip download" : "safepip install"))) {
		rc = cli_policy_exit(err);
		goto out;
	}
	have_policy = true;
	memset(&ctx, 0, sizeof(ctx));
	ctx.policy = &policy;
	ctx.now = (int64_t)time(NULL);
	ctx.version_matches = sp_request_version_matches;
	snprintf(prog, sizeof(prog), "safepip %s", cmd);
	cli_advisories_open(&adv, &ctx, prog);
	if (policy.eff.v[SP_PK_TYPOSQUAT].v > SP_ACTION_ALLOW ||
	    policy.floor.v[SP_PK_TYPOSQUAT].v > SP_ACTION_ALLOW) {
		if ((err = sp_typosquat_new_embedded(&popular, &d))) {
			sp_request_print_error(cmd, &d);
			goto out;
		}
		ctx.popular = popular;
	}
	if (!download) {
		struct sp_venv_opts vo = {0};
		struct sp_policy_env env = {0};
		const struct sp_pipconf_value *th = &r.args.conf.v[SP_PIPOPT_TRUSTED_HOST];

		vo.allow_system = !policy.eff.v[SP_PK_VENV_ONLY].v;
		vo.allow_root = policy.eff.v[SP_PK_ALLOW_ROOT].v;
		if ((err = sp_venv_check(&vo, r.venv.python, r.venv.is_venv, &d))) {
			sp_request_print_error(cmd, &d);
			rc = SP_EXIT_REFUSED;
			outcome = "refused";
			goto out;
		}
		env.installing = true;
		env.in_venv = r.venv.is_venv;
		env.is_root = is_root;
		env.trusted_hosts = (const char *const *)th->items;
		env.ntrusted_hosts = th->n;
		sp_policy_eval_env(&ctx, &env, &envv);
		if (envv.action == SP_ACTION_BLOCK) {
			fprintf(stderr, "safepip %s: refused by the policy:\n", cmd);
			print_reasons(&envv);
			rc = SP_EXIT_REFUSED;
			outcome = "refused";
			goto out;
		}
	}
	err = sp_request_resolve(&r, policy.eff.v[SP_PK_ALLOW_HTTP].v,
				 download || sp_pipconf_bool(&r.args.conf, SP_PIPOPT_IGNORE_INSTALLED),
				 &d);
	if (!err)
		err = sp_session_download(&r.session, &d);
	if (!err)
		err = sp_session_check_hashes(&r.session, r.roots, r.nroots,
					      sp_pipconf_bool(&r.args.conf, SP_PIPOPT_REQUIRE_HASHES),
					      &d);
	if (err) {
		rc = err == SP_EUSAGE ? SP_EXIT_USAGE : SP_EXIT_ERROR;
		sp_request_print_error(cmd, &d);
		goto out;
	}
	/*
	 * Sdists' build requirements run code at build time: gated like the
	 * rest. When they cannot be had, what was resolved is still scanned
	 * and judged: a blocked package is reported as blocked, and only a run
	 * that would go on stops on the missing build environment.
	 */
	if (explain || !download) {
		build_err = sp_session_resolve_builds(&r.session, &build_diag);
		err = 0;
	}
	if (err) {
		rc = err == SP_EUSAGE ? SP_EXIT_USAGE : SP_EXIT_ERROR;
		sp_request_print_error(cmd, &d);
		goto out;
	}

	/* Scan every file that would be installed. */
	if ((err = sp_catalog_load_embedded(&cat, &d))) {
		sp_request_print_error(cmd, &d);
		goto out;
	}
	have_cat = true;
	arts = xcalloc(r.session.npins + 1, sizeof(*arts));
	hit = xcalloc(r.session.npins + 1, sizeof(*hit));
	verdicts = xcalloc(r.session.npins + 1, sizeof(*verdicts));
	vc = cli_vcache_open(&cat, no_cache_dir(&r), download ? "safepip download" : "safepip install");
	for (i = 0; i < r.session.npins; i++) {
		const struct sp_pin *p = &r.session.pins[i];

		if (!p->file)
			continue;
		/* Keyed by the hash the store checked: the bytes pip will be held to. */
		arts[n] = cli_vcache_get(vc, p->filename, p->sha256);
		hit[n] = arts[n] != NULL;
		if (!hit[n]) {
			/* Compiled only when something is left to scan: most of a warm run. */
			if (!engine && (err = sp_engine_new(&cat, &engine, &d))) {
				sp_request_print_error(cmd, &d);
				goto out;
			}
			if (!scanner)
				scanner = sp_scanner_new(&cat, engine, 0);
			arts[n] = sp_scanner_add_as(scanner, p->path, p->filename);
		}
		n++;
	}
	if (scanner)
		sp_scanner_wait(scanner);
	cli_vcache_store(vc, arts, hit, n, download ? "safepip download" : "safepip install");
	sp_vcache_stats(vc, &vst);
	for (i = 0, n = 0; i < r.session.npins; i++) {
		const struct sp_pin *p = &r.session.pins[i];
		const struct sp_index_file *x;
		struct sp_policy_facts facts = {0};
		const char *const *serving;

		if (!p->file)
			continue;
		x = p->file->f;
		if (!arts[n]->name)
			arts[n]->name = xstrdup(p->key);
		if (!arts[n]->version)
			arts[n]->version = xstrdup(p->version);
		facts.name = p->key;
		facts.version = p->version;
		facts.kind = p->file->wheel ? SP_DIST_WHEEL : SP_DIST_SDIST;
		facts.from_index = true;
		facts.upload_time = x->upload_time > 0 ? x->upload_time : 0;
		facts.yanked = x->yanked;
		facts.yanked_reason = x->yanked_reason;
		facts.index_url = x->index;
		facts.nserving = sp_finder_sources(&r.session.finder, p->key, &serving);
		facts.serving = serving;
		facts.hash_pinned = hash_pinned(&r, p->key) ? 1 : 0;
		facts.size = x->size;
		facts.scan_error = arts[n]->error ? arts[n]->error_msg : NULL;
		cli_advisories_fill(&adv, &facts);
		sp_policy_eval_artifact(&ctx, &facts, arts[n], &verdicts[n]);
		if (verdicts[n].action > overall)
			overall = verdicts[n].action;
		n++;
	}
	if (envv.action > overall)
		overall = envv.action;
	if (adv.data_action == SP_ACTION_BLOCK) /* a data warning was said once, above */
		overall = SP_ACTION_BLOCK;

	/* The decision, with every finding and the policy line behind it. */
	rep.artifacts = arts;
	rep.nartifacts = n;
	rep.catalog = &cat;
	rep.min_severity = SP_SEV_LOW;
	rep.fail_on = -1;
	rep.policy = &policy;
	rep.verdicts = verdicts;
	rep.fail_on_verdict = SP_ACTION_BLOCK;
	rep.color = out_fmt == SP_REPORT_TEXT && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	if (scan) {
		/* As 'safepip scan' of a file: its report, failing at high findings. */
		FILE *f = r.args.output ? fopen(r.args.output, "w") : stdout;

		if (build_err)
			fprintf(stderr, "safepip scan: note: %s\n", build_diag.msg);
		rep.cache = vc ? &vst : NULL;
		rep.fail_on = SP_SEV_HIGH;
		rep.fail_on_verdict = SP_ACTION_UNSET;
		rep.color = rep.color && !r.args.output;
		err = f ? sp_report_write(f, out_fmt, &rep) : SP_EIO;
		if (f && f != stdout && fclose(f) != 0)
			err = SP_EIO;
		if (err) {
			fprintf(stderr, "safepip scan: cannot write the report to '%s': %s\n",
				r.args.output ? r.args.output : "standard output", strerror(errno));
			goto out;
		}
		rc = sp_report_failed(&rep) ? SP_EXIT_FINDINGS : SP_EXIT_OK;
		outcome = "scanned";
		goto out;
	}
	rep.cache = vc ? &vst : NULL;
	if (r.args.quiet < 2 || out_fmt != SP_REPORT_TEXT)
		sp_report_write(stdout, out_fmt, &rep);
	if (r.args.quiet == 0 && out_fmt == SP_REPORT_TEXT)
		cli_vcache_summary(stdout, vc, n);
	if (r.args.report) {
		FILE *f = fopen(r.args.report, "w");

		err = f ? sp_report_write(f, report_fmt, &rep) : SP_EIO;
		if (f && fclose(f) != 0)
			err = SP_EIO;
		if (err) {
			fprintf(stderr, "safepip %s: cannot write the report '%s': %s\n", cmd,
				r.args.report, strerror(errno));
			goto out;
		}
	}
	for (i = 0; i < r.session.npins; i++)
		if (r.session.pins[i].installed && r.args.quiet == 0)
			printf("kept: %s %s (already installed)\n", r.session.pins[i].key,
			       r.session.pins[i].version);
	if (envv.action == SP_ACTION_WARN)
		print_reasons(&envv);
	fflush(stdout);
	for (i = 0, n = 0; i < r.session.npins; i++) {
		const struct sp_pin *p = &r.session.pins[i];

		if (p->file && p->for_build && verdicts[n].action == SP_ACTION_BLOCK)
			fprintf(stderr, "safepip %s: '%s %s' is a build requirement (%s%s)\n", cmd,
				p->key, p->version, p->nvia ? p->via[0] : "?",
				p->nvia > 1 ? ", ..." : "");
		n += p->file != NULL;
	}
	if (overall == SP_ACTION_BLOCK) {
		if (build_err)
			fprintf(stderr, "safepip %s: note: %s\n", cmd, build_diag.msg);
		fprintf(stderr, "safepip %s: blocked by the policy; nothing was %s\n", cmd,
			explain ? "changed" : download ? "downloaded" : "installed");
		rc = SP_EXIT_BLOCKED;
		outcome = "blocked";
		goto out;
	}
	if (build_err) {
		rc = build_err == SP_EUSAGE ? SP_EXIT_USAGE : SP_EXIT_ERROR;
		sp_request_print_error(cmd, &build_diag);
		goto out;
	}
	if (overall == SP_ACTION_WARN && !r.args.yes && !explain) {
		if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
			if (!ask("safepip: the policy warns about these packages. Proceed?")) {
				rc = SP_EXIT_DECLINED;
				outcome = "declined";
				goto out;
			}
		} else {
			fprintf(stderr, "safepip %s: proceeding despite the warnings above (no "
				"terminal to ask; --yes silences this)\n", cmd);
		}
	}
	if (r.args.dry_run || explain) {
		printf("%s: %zu file(s) would be %s\n", explain ? "explain" : "dry run", n,
		       explain || !download ? "installed" : "saved");
		rc = SP_EXIT_OK;
		outcome = "dry-run";
		goto out;
	}
	if (download) {
		const char *dest = r.args.dest ? r.args.dest : ".";

		for (i = 0; i < r.session.npins; i++) {
			const struct sp_pin *p = &r.session.pins[i];

			if (p->file && (err = copy_out(p->path, dest, p->filename, &d))) {
				sp_request_print_error(cmd, &d);
				goto out;
			}
		}
		printf("saved %zu file(s) to %s\n", n, dest);
		rc = SP_EXIT_OK;
		outcome = "downloaded";
		goto out;
	}

	/* Hand exactly the scanned files to the installer. */
	items = xcalloc(r.session.npins + 1, sizeof(*items));
	for (i = 0; i < r.session.npins; i++) {
		const struct sp_pin *p = &r.session.pins[i];

		if (!p->file)
			continue;
		items[nitems++] = (struct sp_lock_item){p->key, p->version, p->filename, p->path,
							p->sha256, p->build_only};
	}
	if (!nitems) {
		printf("nothing to install: every requirement is already satisfied\n");
		rc = SP_EXIT_OK;
		outcome = "nothing-to-do";
		goto out;
	}
	if ((err = sp_lock_prepare(&lock, items, nitems, NULL, &d))) {
		sp_request_print_error(cmd, &d);
		goto out;
	}
	prepared = true;
	{
		struct sp_run_opts ro = {0};
		struct sp_proc_status st = {0};
		size_t nfwd = r.args.nforward + (size_t)r.args.quiet + (size_t)r.args.verbose, k = 0;
		char **fwd = xcalloc(nfwd + 1, sizeof(*fwd));
		char how[96];

		for (i = 0; i < r.args.nforward; i++)
			fwd[k++] = (char *)r.args.forward[i];
		/* -q and -v are safepip's and pip's: the installer hears them too. */
		for (i = 0; i < (size_t)r.args.quiet; i++)
			fwd[k++] = (char *)"-q";
		for (i = 0; i < (size_t)r.args.verbose; i++)
			fwd[k++] = (char *)"-v";
		ro.installer = r.args.installer && strcmp(r.args.installer, "uv") == 0
				       ? SP_INSTALLER_UV : SP_INSTALLER_PIP;
		ro.python = r.venv.python;
		ro.wheelhouse = lock.wheelhouse;
		ro.lock_path = lock.lock_path;
		ro.forward = fwd;
		err = sp_run_install(&ro, &st, &d);
		free(fwd);
		if (err) {
			sp_request_print_error(cmd, &d);
			goto out;
		}
		rc = sp_proc_exit_code(&st);
		outcome = rc == 0 ? "installed" : "installer-failed";
		if (rc != 0) {
			sp_proc_describe(&st, how, sizeof(how));
			fprintf(stderr, "safepip %s: %s %s; the environment is as it left it\n", cmd,
				ro.installer == SP_INSTALLER_UV ? "uv" : "pip", how);
		}
	}
out:
	if (have_policy && r.have_session)
		audit(&r, argc, argv, arts, verdicts, n, overall, outcome, rc);
	if (prepared)
		sp_lock_remove(&lock);
	free(items);
	for (i = 0; arts && i < n; i++) {
		sp_verdict_release(&verdicts[i]);
		sp_artifact_free(arts[i]);
	}
	free(arts);
	free(hit);
	sp_vcache_close(vc);
	free(verdicts);
	sp_verdict_release(&envv);
	cli_advisories_close(&adv);
	if (scanner)
		sp_scanner_free(scanner);
	if (engine)
		sp_engine_free(engine);
	if (have_cat)
		sp_catalog_release(&cat);
	sp_typosquat_free(popular);
	if (have_policy)
		sp_policy_release(&policy);
	sp_request_release(&r);
	return rc;
}

int cli_install(int argc, char **argv)
{
	return gate(argc, argv, "install");
}

int cli_download(int argc, char **argv)
{
	return gate(argc, argv, "download");
}

int cli_explain(int argc, char **argv)
{
	return gate(argc, argv, "explain");
}

int cli_scan_requirements(int argc, char **argv)
{
	return gate(argc, argv, "scan");
}
