#include "fetch/redact.h"

#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "core/banned.h"

/* Where the authority that starts at p ends. */
static size_t authority_len(const char *p, bool in_text)
{
	size_t n = 0;

	for (; p[n]; n++) {
		unsigned char c = (unsigned char)p[n];

		if (c == '/' || c == '?' || c == '#')
			break;
		if (in_text && (c <= ' ' || c == '\'' || c == '"' || c == '<' || c == '>' ||
				c == '`' || c == 0x7f))
			break;
	}
	return n;
}

static bool scheme_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '-' || c == '.';
}

/*
 * Appends the authority at p (n bytes) with its userinfo handled: masked
 * (mask) or dropped. The last '@' ends the userinfo, since a careless
 * password may hold an unescaped '@'.
 */
static void add_authority(struct sp_buf *b, const char *p, size_t n, bool mask)
{
	const char *at = NULL, *colon;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '@')
			at = p + i;
	if (!at) {
		sp_buf_add(b, p, n);
		return;
	}
	if (mask) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			sp_buf_add(b, p, (size_t)(colon - p));
			sp_buf_addstr(b, ":****");
		} else {
			sp_buf_addstr(b, "****");
		}
		sp_buf_addstr(b, "@");
	}
	sp_buf_add(b, at + 1, n - (size_t)(at + 1 - p));
}

static char *rewrite_url(const char *url, bool mask)
{
	struct sp_buf b;
	const char *sep = strstr(url, "://");
	const char *p;
	size_t n;

	if (!sep || sep == url)
		return xstrdup(url);
	for (p = url; p < sep; p++)
		if (!scheme_char(*p))
			return xstrdup(url);
	sp_buf_init(&b, (size_t)-1);
	sp_buf_add(&b, url, (size_t)(sep + 3 - url));
	p = sep + 3;
	n = authority_len(p, false);
	add_authority(&b, p, n, mask);
	sp_buf_addstr(&b, p + n);
	return sp_buf_detach(&b, NULL);
}

char *sp_redact_url(const char *url)
{
	return rewrite_url(url, true);
}

char *sp_url_strip_userinfo(const char *url)
{
	return rewrite_url(url, false);
}

char *sp_redact_text(const char *text)
{
	struct sp_buf b;
	const char *p = text, *sep;
	size_t n;

	sp_buf_init(&b, (size_t)-1);
	while ((sep = strstr(p, "://")) != NULL) {
		sp_buf_add(&b, p, (size_t)(sep + 3 - p));
		p = sep + 3;
		n = authority_len(p, true);
		add_authority(&b, p, n, true);
		p += n;
	}
	sp_buf_addstr(&b, p);
	return sp_buf_detach(&b, NULL);
}
