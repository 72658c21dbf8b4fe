#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/xalloc.h"
#include "core/banned.h"

void sp_buf_init(struct sp_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void sp_buf_release(struct sp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void sp_buf_reset(struct sp_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void ensure(struct sp_buf *b, size_t need)
{
	size_t n;

	if (need + 1 <= b->cap)
		return;
	n = b->cap ? b->cap : 256;
	while (n < need + 1)
		n *= 2;
	b->data = xrealloc(b->data, n);
	b->cap = n;
}

int sp_buf_add(struct sp_buf *b, const void *p, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return SP_ELIMIT;
	ensure(b, b->len + n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int sp_buf_addstr(struct sp_buf *b, const char *s)
{
	return sp_buf_add(b, s, strlen(s));
}

int sp_buf_addf(struct sp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return SP_EINVAL;
	if ((size_t)n > b->max || b->len > b->max - (size_t)n)
		return SP_ELIMIT;
	ensure(b, b->len + (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *sp_buf_detach(struct sp_buf *b, size_t *len)
{
	char *p;

	ensure(b, b->len);
	b->data[b->len] = '\0';
	p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
