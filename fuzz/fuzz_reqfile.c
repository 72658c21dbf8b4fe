/*
 * libFuzzer: requirements files, in memory. Every -r/-c include is served
 * the same input, so include chains, cycles and the depth and file caps
 * are exercised without touching the disk; variables come from a fixed
 * table, not the environment.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "req/reqfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *data;
	size_t size;
};

static int load_same(void *ctx, const char *path, size_t max, struct sp_buf *out, struct sp_diag *d)
{
	const struct input *in = ctx;

	(void)path;
	sp_buf_init(out, max);
	if (sp_buf_add(out, in->data, in->size))
		return sp_diag_set(d, SP_ELIMIT, "too large");
	return 0;
}

static const char *fixed_env(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "A"))
		return "1.0";
	if (!strcmp(name, "B"))
		return "${A}${A}";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct sp_reqfile rf;
	struct sp_diag d;
	size_t i, j;

	sp_reqfile_init(&rf);
	rf.load = load_same;
	rf.getenv = fixed_env;
	rf.ctx = &in;
	sp_diag_clear(&d);
	if (sp_reqfile_parse(&rf, "fuzz/requirements.txt", (const char *)data, size, false, &d) ==
	    0) {
		for (i = 0; i < rf.nentries; i++) {
			const struct sp_reqfile_entry *e = &rf.entries[i];

			if (!e->origin.file || !e->origin.line || !e->text)
				abort();
			if (e->kind == SP_REQFILE_NAMED && !e->req)
				abort();
			if (e->kind != SP_REQFILE_NAMED && !e->location)
				abort();
			for (j = 0; j < e->nhashes; j++)
				if (!e->hashes[j].algo || strlen(e->hashes[j].hex) < 64)
					abort();
		}
	} else if (!d.msg[0]) {
		abort(); /* every failure says why */
	}
	sp_reqfile_release(&rf);
	return 0;
}
