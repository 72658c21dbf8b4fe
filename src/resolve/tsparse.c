#include "resolve/tsparse.h"
#include "core/banned.h"

int sp_ts_parse(const TSLanguage *lang, const char *what, const char *text, size_t len,
		uint64_t timeout_us, TSTree **tree, struct sp_diag *d)
{
	TSParser *parser = ts_parser_new();
	int err = 0;

	*tree = NULL;
	if (!ts_parser_set_language(parser, lang)) {
		err = sp_diag_set(d, SP_EINTERNAL,
				  "cannot read %s: its grammar does not match the tree-sitter library",
				  what);
		goto out;
	}
	ts_parser_set_timeout_micros(parser, timeout_us);
	*tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)len);
	if (!*tree)
		err = sp_diag_set(d, SP_ELIMIT, "%s took too long to parse", what);
out:
	ts_parser_delete(parser);
	return err;
}
