#include "cli/pipopts.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "core/banned.h"

extern char **environ;

enum how {
	CONF,     /* a pip setting safepip reads: stored in conf */
	BOTH,     /* read by safepip and passed to pip too (how pip installs) */
	REQ,      /* -r */
	CONS,     /* -c */
	FORWARD,  /* pip's business only: passed on unchanged */
	REFUSE,   /* would bypass or weaken the gate */
	OWN,      /* safepip's own */
	IGNORE,   /* accepted and meaningless here */
};

struct opt {
	const char *name;  /* long name without dashes */
	char shortopt;     /* 0 when none */
	bool arg;          /* takes a value */
	enum how how;
	const char *why;   /* REFUSE: the reason; OWN: help text */
};

/* Sorted by name; pip 23.2's `pip install` options, then safepip's. */
static const struct opt opts[] = {
	{"abi", 0, true, REFUSE, "installs for another platform; use --python with that interpreter"},
	{"break-system-packages", 0, false, REFUSE, "safepip installs into virtual environments only"},
	{"cache-dir", 0, true, FORWARD, NULL},
	{"cert", 0, true, CONF, NULL},
	{"check-build-dependencies", 0, false, FORWARD, NULL},
	{"client-cert", 0, true, CONF, NULL},
	{"compile", 0, false, FORWARD, NULL},
	{"config-settings", 'C', true, FORWARD, NULL},
	{"constraint", 'c', true, CONS, NULL},
	{"create-venv", 0, false, OWN, "make ./.venv when there is no target environment"},
	{"debug", 0, false, FORWARD, NULL},
	{"default-timeout", 0, true, CONF, NULL},
	{"dest", 'd', true, OWN, "download: where the allowed files go (default: .)"},
	{"disable-pip-version-check", 0, false, FORWARD, NULL},
	{"dry-run", 0, false, OWN, "resolve, fetch and scan; install nothing"},
	{"editable", 'e', true, REFUSE, "editable installs run the project's build; install a built "
					 "wheel instead"},
	{"exists-action", 0, true, FORWARD, NULL},
	{"extra-index-url", 0, true, CONF, NULL},
	{"find-links", 'f', true, CONF, NULL},
	{"force-reinstall", 0, false, BOTH, NULL},
	{"format", 0, true, OWN, "the decision on stdout: text (default), json, sarif or html"},
	{"global-option", 0, true, FORWARD, NULL},
	{"help", 'h', false, OWN, "show this help"},
	{"ignore-installed", 'I', false, CONF, NULL},
	{"ignore-requires-python", 0, false, REFUSE, "the resolver follows Requires-Python, as pip "
						     "would install it"},
	{"implementation", 0, true, REFUSE, "installs for another interpreter; use --python"},
	{"index-url", 'i', true, CONF, NULL},
	{"install-option", 0, true, REFUSE, "pip 23.2 no longer accepts it"},
	{"installer", 0, true, OWN, "pip (default) or uv"},
	{"isolated", 0, false, CONF, NULL},
	{"json", 0, false, OWN, "the decision as JSON on stdout"},
	{"log", 0, true, FORWARD, NULL},
	{"no-binary", 0, true, CONF, NULL},
	{"no-build-isolation", 0, false, BOTH, NULL},
	{"no-cache-dir", 0, false, FORWARD, NULL},
	{"no-clean", 0, false, FORWARD, NULL},
	{"no-color", 0, false, FORWARD, NULL},
	{"no-compile", 0, false, FORWARD, NULL},
	{"no-dependencies", 0, false, CONF, NULL},
	{"no-deps", 0, false, CONF, NULL},
	{"no-index", 0, false, CONF, NULL},
	{"no-input", 0, false, FORWARD, NULL},
	{"no-python-version-warning", 0, false, FORWARD, NULL},
	{"no-use-pep517", 0, false, REFUSE, "legacy setup.py installs are not gated"},
	{"no-warn-conflicts", 0, false, FORWARD, NULL},
	{"no-warn-script-location", 0, false, FORWARD, NULL},
	{"only-binary", 0, true, CONF, NULL},
	{"output", 'o', true, OWN, "lock: the requirements file; scan NAME: the report"},
	{"platform", 0, true, REFUSE, "installs for another platform; use --python"},
	{"policy", 0, true, OWN, "a policy file on top of the configured ones"},
	{"pre", 0, false, CONF, NULL},
	{"prefer-binary", 0, false, CONF, NULL},
	{"prefix", 0, true, REFUSE, "safepip installs into the target virtual environment only"},
	{"progress-bar", 0, true, FORWARD, NULL},
	{"proxy", 0, true, CONF, NULL},
	{"python", 0, true, OWN, "the target interpreter or virtual environment"},
	{"python-version", 0, true, REFUSE, "installs for another interpreter; use --python"},
	{"quiet", 'q', false, OWN, NULL},
	{"report", 0, true, OWN, "write the decision to this file (.sarif, .html, else JSON)"},
	{"report-format", 0, true, OWN, "format of --report: json, sarif or html"},
	{"require-hashes", 0, false, CONF, NULL},
	{"require-virtualenv", 0, false, IGNORE, NULL},
	{"requirement", 'r', true, REQ, NULL},
	{"retries", 0, true, CONF, NULL},
	{"root", 0, true, REFUSE, "safepip installs into the target virtual environment only"},
	{"root-user-action", 0, true, FORWARD, NULL},
	{"src", 0, true, REFUSE, "only used by editable VCS installs, which are refused"},
	{"target", 't', true, REFUSE, "safepip installs into the target virtual environment only"},
	{"timeout", 0, true, CONF, NULL},
	{"trusted-host", 0, true, CONF, NULL},
	{"upgrade", 'U', false, BOTH, NULL},
	{"upgrade-strategy", 0, true, CONF, NULL},
	{"use-deprecated", 0, true, FORWARD, NULL},
	{"use-feature", 0, true, FORWARD, NULL},
	{"use-pep517", 0, false, FORWARD, NULL},
	{"user", 0, false, REFUSE, "safepip installs into virtual environments only"},
	{"verbose", 'v', false, OWN, NULL},
	{"yes", 'y', false, OWN, "proceed on warnings without asking"},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static const struct opt *find_long(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (strlen(opts[i].name) == n && strncmp(opts[i].name, name, n) == 0)
			return &opts[i];
	return NULL;
}

static const struct opt *find_short(char c)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (opts[i].shortopt == c)
			return &opts[i];
	return NULL;
}

bool sp_pipopt_known(const char *name)
{
	return find_long(name, strlen(name)) != NULL;
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static int apply(struct sp_pipargs *a, const struct opt *o, const char *val, const char *given,
		 struct sp_diag *d)
{
	int err;

	switch (o->how) {
	case CONF:
	case BOTH:
		err = sp_pipconf_set(&a->conf, o->name, val ? val : "yes", SP_ORIGIN_CMDLINE,
				     "command line", d);
		if (err)
			return sp_diag_set(d, SP_EUSAGE, "bad option %s: %s", given,
					   d ? d->msg : "");
		if (o->how == BOTH)
			push(&a->forward, &a->nforward, given[1] == '-' ? given : "--upgrade");
		return 0;
	case REQ:
		push(&a->reqfiles, &a->nreqfiles, val);
		return 0;
	case CONS:
		push(&a->constraints, &a->nconstraints, val);
		return 0;
	case FORWARD:
		push(&a->forward, &a->nforward, given);
		if (val && !strchr(given, '=') && given[1] == '-')
			push(&a->forward, &a->nforward, val);
		return 0;
	case REFUSE:
		return sp_diag_set(d, SP_EUSAGE, "refusing %s: %s", given, o->why);
	case IGNORE:
		return 0;
	case OWN:
		break;
	}
	if (strcmp(o->name, "python") == 0)
		a->python = val;
	else if (strcmp(o->name, "policy") == 0)
		a->policy = val;
	else if (strcmp(o->name, "installer") == 0)
		a->installer = val;
	else if (strcmp(o->name, "output") == 0)
		a->output = val;
	else if (strcmp(o->name, "report") == 0)
		a->report = val;
	else if (strcmp(o->name, "report-format") == 0)
		a->report_format = val;
	else if (strcmp(o->name, "dest") == 0)
		a->dest = val;
	else if (strcmp(o->name, "format") == 0)
		a->format = val;
	else if (strcmp(o->name, "dry-run") == 0)
		a->dry_run = true;
	else if (strcmp(o->name, "yes") == 0)
		a->yes = true;
	else if (strcmp(o->name, "create-venv") == 0)
		a->create_venv = true;
	else if (strcmp(o->name, "help") == 0)
		a->help = true;
	else if (strcmp(o->name, "json") == 0)
		a->json = true;
	else if (strcmp(o->name, "quiet") == 0)
		a->quiet++;
	else if (strcmp(o->name, "verbose") == 0)
		a->verbose++;
	return 0;
}

/* --isolated changes which configuration is read, so it is looked for first. */
static bool wants_isolated(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--isolated") == 0)
			return true;
	return false;
}

int sp_pipargs_parse(struct sp_pipargs *a, const char *cmd, int argc, char **argv,
		     struct sp_diag *d)
{
	struct sp_pipconf_paths paths;
	struct sp_pipconf_pathstore store;
	const char *venv = getenv("VIRTUAL_ENV");
	bool only_args = false;
	int i, err;

	memset(a, 0, sizeof(*a));
	sp_pipconf_init(&a->conf);
	if (wants_isolated(argc, argv))
		sp_pipconf_set(&a->conf, "isolated", "yes", SP_ORIGIN_CMDLINE, "command line", NULL);
	sp_pipconf_default_paths(&paths, &store, venv && *venv ? venv : NULL);
	err = sp_pipconf_load(&a->conf, cmd, &paths, environ, d);
	sp_pipconf_paths_release(&store);
	if (err)
		return err;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i], *val = NULL;
		const struct opt *o;

		if (only_args || s[0] != '-' || !s[1]) {
			push(&a->reqs, &a->nreqs, s);
			continue;
		}
		if (strcmp(s, "--") == 0) {
			only_args = true;
			continue;
		}
		if (s[1] == '-') {
			const char *eq = strchr(s + 2, '=');

			o = find_long(s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2));
			if (!o)
				return sp_diag_set(d, SP_EUSAGE, "unknown option '%s' (see 'safepip "
						   "%s --help')", s, cmd);
			if (o->arg)
				val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			else if (eq)
				return sp_diag_set(d, SP_EUSAGE, "option '--%s' takes no value",
						   o->name);
		} else {
			o = find_short(s[1]);
			if (!o)
				return sp_diag_set(d, SP_EUSAGE, "unknown option '%s' (see 'safepip "
						   "%s --help')", s, cmd);
			if (o->arg)
				val = s[2] ? s + 2 : (i + 1 < argc ? argv[++i] : NULL);
			else if (s[2]) {
				/* -qq, -vv: the same flag repeated */
				const char *p;

				for (p = s + 2; *p; p++)
					if (*p != s[1])
						return sp_diag_set(d, SP_EUSAGE, "unknown option "
								   "'%s'", s);
				for (p = s + 2; *p; p++)
					if ((err = apply(a, o, NULL, s, d)))
						return err;
			}
		}
		if (o->arg && !val)
			return sp_diag_set(d, SP_EUSAGE, "option '%s' needs a value", s);
		if ((err = apply(a, o, val, s, d)))
			return err;
	}
	if (a->installer && strcmp(a->installer, "pip") != 0 && strcmp(a->installer, "uv") != 0)
		return sp_diag_set(d, SP_EUSAGE, "unknown --installer '%s' (pip or uv)", a->installer);
	return 0;
}

void sp_pipargs_release(struct sp_pipargs *a)
{
	sp_pipconf_release(&a->conf);
	free(a->reqs);
	free(a->reqfiles);
	free(a->constraints);
	free(a->forward);
	memset(a, 0, sizeof(*a));
}

void sp_pipargs_help(FILE *out)
{
	static const char *const heads[] = {
		[CONF] = "pip options safepip follows",
		[BOTH] = NULL,
		[REQ] = NULL,
		[CONS] = NULL,
		[FORWARD] = "pip options passed to pip",
		[REFUSE] = "pip options safepip refuses",
		[OWN] = "safepip options",
		[IGNORE] = NULL,
	};
	static const enum how order[] = {OWN, CONF, FORWARD, REFUSE};
	size_t k, i;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		fprintf(out, "\n%s:\n", heads[order[k]]);
		for (i = 0; i < NOPTS; i++) {
			const struct opt *o = &opts[i];
			char left[64];

			if (o->how != order[k] && !(order[k] == CONF && (o->how == REQ ||
									  o->how == CONS ||
									  o->how == BOTH)))
				continue;
			snprintf(left, sizeof(left), "%s%c%s--%s%s", o->shortopt ? "-" : "",
				 o->shortopt ? o->shortopt : ' ', o->shortopt ? ", " : "  ",
				 o->name, o->arg ? " X" : "");
			if (!o->shortopt)
				snprintf(left, sizeof(left), "    --%s%s", o->name, o->arg ? " X" : "");
			if (o->why)
				fprintf(out, "  %-30s %s\n", left, o->why);
			else
				fprintf(out, "  %s\n", left);
		}
	}
}
