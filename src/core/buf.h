/*
 * A growable byte buffer with a hard maximum, for everything fed by
 * untrusted bytes (curl's dynbuf is the model).
 *
 * The buffer owns data; sp_buf_release() frees it, sp_buf_detach() hands it
 * to the caller (who frees it with free()). data is always NUL-terminated
 * past len so text can be used as a C string, but may contain NULs.
 */
#ifndef SP_CORE_BUF_H
#define SP_CORE_BUF_H

#include <stddef.h>

struct sp_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* appending past max fails with SP_ELIMIT */
};

void sp_buf_init(struct sp_buf *b, size_t max);
void sp_buf_release(struct sp_buf *b);
void sp_buf_reset(struct sp_buf *b);
/* Appends n bytes; SP_ELIMIT (and b unchanged) if len + n > max. */
int sp_buf_add(struct sp_buf *b, const void *p, size_t n);
int sp_buf_addstr(struct sp_buf *b, const char *s);
int sp_buf_addf(struct sp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sp_buf_detach(struct sp_buf *b, size_t *len);

#endif
