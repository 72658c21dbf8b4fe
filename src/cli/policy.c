/*
 * safepip policy show | check: the effective policy with the layer of each
 * value, and validation of policy files. `policy explain` (why a package
 * gets its verdict) runs the gate without installing: src/cli/install.c.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/utf8.h"
#include "policy/policy.h"
#include "scan/scan.h"
#include "core/banned.h"

static void usage(FILE *out)
{
	fputs("usage: safepip policy show [--format text|json] [--policy FILE]\n"
	      "       safepip policy check [FILE...]\n"
	      "\n"
	      "show   print the effective policy: every value with the layer it came from\n"
	      "       (built-in < system < user < project < --policy); an enforced layer's\n"
	      "       values can be tightened by later layers, never loosened\n"
	      "check  validate policy files (default: every layer that would be loaded);\n"
	      "       each error names the file, the line and the JSON path\n"
	      "\n"
	      "options:\n"
	      "  -f, --format FORMAT  text (default) or json (show)\n"
	      "      --policy FILE    a policy file over the others, or builtin:strict,\n"
	      "                       builtin:permissive, builtin:default\n"
	      "  -h, --help           show this help\n"
	      "\n"
	      "exit status: 0 valid, 2 bad usage or a malformed policy, 3 a file could not be\n"
	      "read (see docs/exit-codes.md); the policy format is in docs/policy.md\n",
	      out);
}

int cli_policy_exit(int err)
{
	switch (err) {
	case 0:
		return SP_EXIT_OK;
	case SP_EPARSE:
	case SP_EFORMAT:
	case SP_ELIMIT:
	case SP_EINVAL:
		return SP_EXIT_USAGE;
	default:
		return SP_EXIT_ERROR;
	}
}

int cli_load_policy(struct sp_policy *p, const char *cli_file, const char *prog)
{
	struct sp_policy_paths paths;
	char buf[2 * PATH_MAX + 64];
	struct sp_diag d;
	size_t i;
	int err;

	sp_diag_clear(&d);
	sp_policy_init(p);
	sp_policy_paths_default(&paths, buf, sizeof(buf));
	paths.cli = cli_file;
	if ((err = sp_policy_load(p, &paths, &d))) {
		fprintf(stderr, "%s: %s\n", prog, d.msg);
		sp_policy_release(p);
		return err;
	}
	for (i = 0; i < p->nwarnings; i++)
		fprintf(stderr, "%s: warning: %s\n", prog, p->warnings[i].msg);
	return 0;
}

static const char *layer_label(const struct sp_policy *p, sp_layer_ref l)
{
	return l >= 0 && (size_t)l < p->nlayers ? sp_layer_kind_name(p->layers[l].kind) : "-";
}

static void put_clean(FILE *out, const char *s)
{
	char *c = sp_utf8_clean(s, strlen(s));

	fputs(c, out);
	free(c);
}

static int show_text(const struct sp_policy *p)
{
	struct sp_policy_setting *s;
	size_t n = sp_policy_settings(p, &s), i, w = 0;

	puts("layers, weakest first:");
	for (i = 0; i < p->nlayers; i++) {
		printf("  %-12s ", sp_layer_kind_name(p->layers[i].kind));
		put_clean(stdout, p->layers[i].file);
		puts(p->layers[i].enforced ? "  (enforced)" : "");
	}
	for (i = 0; i < n; i++)
		if (strlen(s[i].path) > w)
			w = strlen(s[i].path);
	puts("\nsettings:");
	for (i = 0; i < n; i++) {
		printf("  %-*s  ", (int)w, s[i].path);
		put_clean(stdout, s[i].value);
		printf("  [%s%s]\n", layer_label(p, s[i].layer),
		       s[i].layer >= 0 && p->layers[s[i].layer].enforced ? ", enforced" : "");
	}
	if (p->nwarnings) {
		puts("\nwarnings:");
		for (i = 0; i < p->nwarnings; i++) {
			fputs("  ", stdout);
			put_clean(stdout, p->warnings[i].msg);
			fputc('\n', stdout);
		}
	}
	sp_policy_settings_free(s, n);
	return ferror(stdout) ? SP_EXIT_ERROR : SP_EXIT_OK;
}

static cJSON *clean_string(const char *s)
{
	char *c = sp_utf8_clean(s, strlen(s));
	cJSON *j = cJSON_CreateString(c);

	free(c);
	return j;
}

static int show_json(const struct sp_policy *p)
{
	cJSON *root = cJSON_CreateObject(), *layers, *settings, *warnings;
	struct sp_policy_setting *s;
	size_t n = sp_policy_settings(p, &s), i;
	char *text;
	int rc = SP_EXIT_OK;

	layers = cJSON_AddArrayToObject(root, "layers");
	for (i = 0; i < p->nlayers; i++) {
		cJSON *l = cJSON_CreateObject();

		cJSON_AddStringToObject(l, "layer", sp_layer_kind_name(p->layers[i].kind));
		cJSON_AddItemToObject(l, "file", clean_string(p->layers[i].file));
		cJSON_AddBoolToObject(l, "enforced", p->layers[i].enforced);
		cJSON_AddItemToArray(layers, l);
	}
	settings = cJSON_AddArrayToObject(root, "settings");
	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject(), *v = cJSON_Parse(s[i].value);

		cJSON_AddStringToObject(o, "path", s[i].path);
		cJSON_AddItemToObject(o, "value", v ? v : clean_string(s[i].value));
		cJSON_AddStringToObject(o, "layer", layer_label(p, s[i].layer));
		if (s[i].layer >= 0)
			cJSON_AddItemToObject(o, "file", clean_string(p->layers[s[i].layer].file));
		cJSON_AddItemToArray(settings, o);
	}
	warnings = cJSON_AddArrayToObject(root, "warnings");
	for (i = 0; i < p->nwarnings; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToObject(o, "file", clean_string(p->warnings[i].file));
		cJSON_AddNumberToObject(o, "line", p->warnings[i].line);
		cJSON_AddStringToObject(o, "path", p->warnings[i].where);
		cJSON_AddItemToObject(o, "message", clean_string(p->warnings[i].msg));
		cJSON_AddItemToArray(warnings, o);
	}
	text = cJSON_Print(root);
	if (!text || puts(text) == EOF)
		rc = SP_EXIT_ERROR;
	free(text);
	cJSON_Delete(root);
	sp_policy_settings_free(s, n);
	return rc;
}

/* Each file on its own over the built-in layer, then checked against the catalog. */
static int check_files(int argc, char **argv)
{
	struct sp_catalog cat;
	bool have_cat;
	int i, rc = SP_EXIT_OK;
	struct sp_diag d;

	sp_diag_clear(&d);
	have_cat = sp_catalog_load_embedded(&cat, &d) == 0;
	for (i = 0; i < argc; i++) {
		struct sp_policy p;
		char *text;
		size_t len, k;
		int err;

		sp_policy_init(&p);
		sp_diag_clear(&d);
		err = sp_policy_add_embedded(&p, SP_LAYER_BUILTIN, "default", &d);
		if (!err && strncmp(argv[i], "builtin:", 8) == 0) {
			err = sp_policy_add_embedded(&p, SP_LAYER_CLI, argv[i] + 8, &d);
		} else if (!err && !(err = sp_policy_read_file(argv[i], &text, &len, &d))) {
			err = sp_policy_add_layer(&p, SP_LAYER_CLI, argv[i], text, len, &d);
			free(text);
		}
		if (err) {
			fprintf(stderr, "safepip policy check: %s\n", d.msg);
			if (cli_policy_exit(err) > rc)
				rc = cli_policy_exit(err);
		} else {
			if (have_cat)
				sp_policy_lint(&p, &cat);
			for (k = 0; k < p.nwarnings; k++)
				fprintf(stderr, "safepip policy check: warning: %s\n",
					p.warnings[k].msg);
			printf("ok: %s\n", argv[i]);
		}
		sp_policy_release(&p);
	}
	if (have_cat)
		sp_catalog_release(&cat);
	return rc;
}

/* The layers that would be loaded, together. */
static int check_layers(const char *cli_file)
{
	struct sp_catalog cat;
	struct sp_policy p;
	struct sp_diag d;
	size_t i;
	int err;

	if ((err = cli_load_policy(&p, cli_file, "safepip policy check")))
		return cli_policy_exit(err);
	sp_diag_clear(&d);
	if (sp_catalog_load_embedded(&cat, &d) == 0) {
		size_t before = p.nwarnings;

		sp_policy_lint(&p, &cat);
		for (i = before; i < p.nwarnings; i++)
			fprintf(stderr, "safepip policy check: warning: %s\n", p.warnings[i].msg);
		sp_catalog_release(&cat);
	}
	for (i = 0; i < p.nlayers; i++)
		printf("ok: %s (%s)\n", p.layers[i].file, sp_layer_kind_name(p.layers[i].kind));
	sp_policy_release(&p);
	return SP_EXIT_OK;
}

int cli_policy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"policy", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text", *cli_file = NULL, *sub;
	struct sp_policy p;
	int c, rc, err;

	/* explain takes pip's options (indexes, -r...), not these. */
	if (argc >= 2 && !strcmp(argv[1], "explain"))
		return cli_explain(argc - 1, argv + 1);
	if (argc < 2) {
		usage(stderr);
		return SP_EXIT_USAGE;
	}
	sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage(stdout);
		return SP_EXIT_OK;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "+f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'P':
			cli_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return SP_EXIT_OK;
		default:
			fprintf(stderr,
				"safepip policy: option '%s' is unknown or needs a value\n"
				"see 'safepip policy --help'\n",
				argv[optind]);
			return SP_EXIT_USAGE;
		}
	}
	if (!strcmp(sub, "check"))
		return optind < argc - 1 ? check_files(argc - 1 - optind, argv + 1 + optind)
					 : check_layers(cli_file);
	if (strcmp(sub, "show")) {
		fprintf(stderr,
			"safepip policy: unknown subcommand '%s' (expected show or check)\n", sub);
		return SP_EXIT_USAGE;
	}
	if (optind < argc - 1) {
		fprintf(stderr, "safepip policy show: unexpected argument '%s'\n",
			argv[optind + 1]);
		return SP_EXIT_USAGE;
	}
	if (strcmp(format, "text") && strcmp(format, "json")) {
		fprintf(stderr,
			"safepip policy show: unknown format '%s' (expected text or json)\n",
			format);
		return SP_EXIT_USAGE;
	}
	if ((err = cli_load_policy(&p, cli_file, "safepip policy show")))
		return cli_policy_exit(err);
	rc = !strcmp(format, "json") ? show_json(&p) : show_text(&p);
	sp_policy_release(&p);
	return rc;
}
