/*
 * libFuzzer: the text helpers behind the Unicode, entropy, destination and
 * image rules, on arbitrary bytes: UTF-8 decoding and classification of
 * every code point, entropy and alphabet, URL hosts and telemetry vendors,
 * image ends and code markers in what follows them; and the same bytes as
 * a peers.tsv parity list.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "scan/scan.h"
#include "scan/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = 0, end, n;
	const char *host, *format;
	uint32_t cp;

	while (i < size) {
		size_t k = sp_text_utf8(data + i, size - i, &cp);

		if (k < 1 || k > size - i)
			abort();
		(void)sp_text_char_kind(cp);
		(void)sp_text_char_name(cp);
		(void)sp_text_script_name(sp_text_script(cp));
		(void)sp_text_lookalike(cp);
		(void)sp_text_nfkc_ascii(cp);
		i += k;
	}
	if (sp_text_entropy(data, size) > 8.0001)
		abort();
	(void)sp_text_alphabet(data, size);
	n = sp_text_url_host((const char *)data, size, &host);
	if (n && (host < (const char *)data || host + n > (const char *)data + size))
		abort();
	if (n)
		(void)sp_text_telemetry_vendor(host, n);
	end = sp_text_image_end(data, size, &format);
	if (end > size)
		abort();
	(void)sp_text_code_marker(data + end, size - end);
	{
		struct sp_catalog cat;

		sp_catalog_init(&cat);
		(void)sp_catalog_add_peers(&cat, "fuzz.tsv", (const char *)data, size, NULL);
		sp_catalog_release(&cat);
	}
	return 0;
}
