/*
 * libFuzzer: the same bytes as a PEP 691 JSON page and as a PEP 503 HTML
 * page, as an index on the network could send them.
 */
#include <stddef.h>
#include <stdint.h>

#include "resolve/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_index_page p;
	struct sp_diag d;

	sp_index_page_init(&p, "https://example.org/simple/demo/");
	sp_index_parse_json(&p, (const char *)data, size, &d);
	sp_index_page_release(&p);
	sp_index_page_init(&p, "https://example.org/simple/demo/");
	sp_index_parse_html(&p, (const char *)data, size, &d);
	sp_index_page_release(&p);
	return 0;
}
