/*
 * libFuzzer: what the delegate reads from outside safepip. The first byte
 * picks the reader:
 *   0  the target interpreter's JSON answer (sp_target_parse)
 *   1  an installed METADATA head (sp_target_dist_fields)
 *   2  lock items from index metadata: lines name, version, file name,
 *      sha256, repeated (sp_lock_format)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "delegate/lock.h"
#include "delegate/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lock_items(const char *text)
{
	struct sp_lock_item items[16];
	char *copy = strdup(text), *p = copy, *fields[64];
	size_t nf = 0, n = 0;
	struct sp_buf out;

	while (p && nf < 64) {
		fields[nf++] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	for (size_t i = 0; i + 3 < nf && n < 16; i += 4, n++)
		items[n] = (struct sp_lock_item){fields[i], fields[i + 1], fields[i + 2], "/s",
						 fields[i + 3], (fields[i][0] & 1) != 0};
	sp_buf_init(&out, 1 << 20);
	sp_lock_format(items, n, &out, NULL);
	sp_buf_release(&out);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *name, *version;
	struct sp_target t;

	if (size < 1)
		return 0;
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		memset(&t, 0, sizeof(t));
		if (sp_target_parse(&t, text, size - 1, NULL) == 0) {
			sp_target_tag_priority(&t, "py3-none-any");
			sp_target_marker(&t, "python_version");
		}
		sp_target_release(&t);
		break;
	case 1:
		if (sp_target_dist_fields(text, size - 1, &name, &version) == 0) {
			free(name);
			free(version);
		}
		break;
	default:
		lock_items(text);
		break;
	}
	free(text);
	return 0;
}
