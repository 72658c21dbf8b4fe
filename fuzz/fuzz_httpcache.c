/*
 * libFuzzer: the bytes as an HTTP cache entry file (src/fetch/httpcache.c
 * reads those back from disk, where anything may have changed them), and as
 * a URL and as free text for the credential redaction every message goes
 * through.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/httpcache.h"
#include "fetch/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_httpcache_entry e;
	char *text, *a, *b, *c;

	if (sp_httpcache_parse((const char *)data, size, &e) == 0) {
		if (!e.url || !e.accept || e.body.len > size)
			abort();
	}
	sp_httpcache_entry_release(&e);

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	a = sp_redact_url(text);
	b = sp_redact_text(text);
	c = sp_url_strip_userinfo(text);
	/* Redacting twice changes nothing more. */
	{
		char *again = sp_redact_text(b);

		if (strcmp(again, b) != 0)
			abort();
		free(again);
	}
	free(a);
	free(b);
	free(c);
	free(text);
	return 0;
}
