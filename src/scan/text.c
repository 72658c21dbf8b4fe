/*
 * Facts about characters and bytes for the built-in rules (see text.h).
 * The tables are facts from Unicode (names, scripts, the confusables data
 * and NFKC), reduced to what can make Python source deceive its reader.
 */
#include "scan/text.h"

#include <math.h>
#include <string.h>

#include "core/limits.h"
#include "core/banned.h"

size_t sp_text_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		*cp = UINT32_MAX;
		return 1;
	}
	if (n < len) {
		*cp = UINT32_MAX;
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = UINT32_MAX;
			return 1;
		}
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*cp = UINT32_MAX;
		return 1;
	}
	*cp = v;
	return len;
}

struct named {
	uint32_t cp;
	enum sp_char_kind kind;
	const char *name;
};

/* Sorted by code point. */
static const struct named special[] = {
	{0x00ad, SP_CHAR_INVISIBLE, "SOFT HYPHEN"},
	{0x034f, SP_CHAR_INVISIBLE, "COMBINING GRAPHEME JOINER"},
	{0x061c, SP_CHAR_BIDI_MARK, "ARABIC LETTER MARK"},
	{0x115f, SP_CHAR_INVISIBLE, "HANGUL CHOSEONG FILLER"},
	{0x1160, SP_CHAR_INVISIBLE, "HANGUL JUNGSEONG FILLER"},
	{0x17b4, SP_CHAR_INVISIBLE, "KHMER VOWEL INHERENT AQ"},
	{0x17b5, SP_CHAR_INVISIBLE, "KHMER VOWEL INHERENT AA"},
	{0x180e, SP_CHAR_INVISIBLE, "MONGOLIAN VOWEL SEPARATOR"},
	{0x200b, SP_CHAR_INVISIBLE, "ZERO WIDTH SPACE"},
	{0x200c, SP_CHAR_INVISIBLE, "ZERO WIDTH NON-JOINER"},
	{0x200d, SP_CHAR_INVISIBLE, "ZERO WIDTH JOINER"},
	{0x200e, SP_CHAR_BIDI_MARK, "LEFT-TO-RIGHT MARK"},
	{0x200f, SP_CHAR_BIDI_MARK, "RIGHT-TO-LEFT MARK"},
	{0x202a, SP_CHAR_BIDI_CONTROL, "LEFT-TO-RIGHT EMBEDDING"},
	{0x202b, SP_CHAR_BIDI_CONTROL, "RIGHT-TO-LEFT EMBEDDING"},
	{0x202c, SP_CHAR_BIDI_CONTROL, "POP DIRECTIONAL FORMATTING"},
	{0x202d, SP_CHAR_BIDI_CONTROL, "LEFT-TO-RIGHT OVERRIDE"},
	{0x202e, SP_CHAR_BIDI_CONTROL, "RIGHT-TO-LEFT OVERRIDE"},
	{0x2060, SP_CHAR_INVISIBLE, "WORD JOINER"},
	{0x2061, SP_CHAR_INVISIBLE, "FUNCTION APPLICATION"},
	{0x2062, SP_CHAR_INVISIBLE, "INVISIBLE TIMES"},
	{0x2063, SP_CHAR_INVISIBLE, "INVISIBLE SEPARATOR"},
	{0x2064, SP_CHAR_INVISIBLE, "INVISIBLE PLUS"},
	{0x2066, SP_CHAR_BIDI_CONTROL, "LEFT-TO-RIGHT ISOLATE"},
	{0x2067, SP_CHAR_BIDI_CONTROL, "RIGHT-TO-LEFT ISOLATE"},
	{0x2068, SP_CHAR_BIDI_CONTROL, "FIRST STRONG ISOLATE"},
	{0x2069, SP_CHAR_BIDI_CONTROL, "POP DIRECTIONAL ISOLATE"},
	{0x3164, SP_CHAR_INVISIBLE, "HANGUL FILLER"},
	{0xfeff, SP_CHAR_INVISIBLE, "ZERO WIDTH NO-BREAK SPACE"},
	{0xffa0, SP_CHAR_INVISIBLE, "HALFWIDTH HANGUL FILLER"},
};

static const struct named *find_special(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(special) / sizeof(special[0]);

	if (cp < 0xad)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (special[mid].cp < cp)
			lo = mid + 1;
		else if (special[mid].cp > cp)
			hi = mid;
		else
			return &special[mid];
	}
	return NULL;
}

enum sp_char_kind sp_text_char_kind(uint32_t cp)
{
	const struct named *s = find_special(cp);

	return s ? s->kind : SP_CHAR_PLAIN;
}

const char *sp_text_char_name(uint32_t cp)
{
	const struct named *s = find_special(cp);

	return s ? s->name : NULL;
}

struct span {
	uint32_t lo, hi;
	enum sp_script script;
};

/* Sorted, disjoint. Combining marks and anything unlisted are common. */
static const struct span scripts[] = {
	{0x0041, 0x005a, SP_SCRIPT_LATIN},     {0x0061, 0x007a, SP_SCRIPT_LATIN},
	{0x00aa, 0x00aa, SP_SCRIPT_LATIN},     {0x00ba, 0x00ba, SP_SCRIPT_LATIN},
	{0x00c0, 0x00d6, SP_SCRIPT_LATIN},     {0x00d8, 0x00f6, SP_SCRIPT_LATIN},
	{0x00f8, 0x02af, SP_SCRIPT_LATIN},     {0x0300, 0x036f, SP_SCRIPT_COMMON},
	{0x0370, 0x03ff, SP_SCRIPT_GREEK},     {0x0400, 0x052f, SP_SCRIPT_CYRILLIC},
	{0x0530, 0x1c7f, SP_SCRIPT_OTHER},     {0x1c80, 0x1c8f, SP_SCRIPT_CYRILLIC},
	{0x1c90, 0x1dff, SP_SCRIPT_OTHER},     {0x1e00, 0x1eff, SP_SCRIPT_LATIN},
	{0x1f00, 0x1fff, SP_SCRIPT_GREEK},     {0x2c60, 0x2c7f, SP_SCRIPT_LATIN},
	{0x2de0, 0x2dff, SP_SCRIPT_CYRILLIC},  {0x2e80, 0xa63f, SP_SCRIPT_OTHER},
	{0xa640, 0xa69f, SP_SCRIPT_CYRILLIC},  {0xa6a0, 0xa71f, SP_SCRIPT_OTHER},
	{0xa720, 0xa7ff, SP_SCRIPT_LATIN},     {0xa800, 0xab2f, SP_SCRIPT_OTHER},
	{0xab30, 0xab6f, SP_SCRIPT_LATIN},     {0xab70, 0xfaff, SP_SCRIPT_OTHER},
	{0xfb00, 0xfb06, SP_SCRIPT_LATIN},     {0xfb13, 0xfdff, SP_SCRIPT_OTHER},
	{0xfe70, 0xfefe, SP_SCRIPT_OTHER},     {0xff21, 0xff3a, SP_SCRIPT_LATIN},
	{0xff41, 0xff5a, SP_SCRIPT_LATIN},     {0xff66, 0xffdc, SP_SCRIPT_OTHER},
	{0x10000, 0x1d3ff, SP_SCRIPT_OTHER},   {0x1d400, 0x1d7ff, SP_SCRIPT_LATIN},
	{0x1d800, 0x10ffff, SP_SCRIPT_OTHER},
};

enum sp_script sp_text_script(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(scripts) / sizeof(scripts[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (scripts[mid].hi < cp)
			lo = mid + 1;
		else if (scripts[mid].lo > cp)
			hi = mid;
		else
			return scripts[mid].script;
	}
	return SP_SCRIPT_COMMON;
}

const char *sp_text_script_name(enum sp_script s)
{
	static const char *const names[] = {"common", "Latin", "Greek", "Cyrillic", "other"};

	return (unsigned)s < 5 ? names[s] : "?";
}

struct alike {
	uint32_t cp;
	char ascii;
};

/*
 * From Unicode's confusables data: letters of other scripts (and a few
 * Latin extensions) that are drawn like an ASCII letter in common fonts.
 * Sorted by code point.
 */
static const struct alike lookalikes[] = {
	{0x0131, 'i'}, {0x01c0, 'l'}, {0x0251, 'a'}, {0x0261, 'g'}, {0x0269, 'i'},
	{0x0391, 'A'}, {0x0392, 'B'}, {0x0395, 'E'}, {0x0396, 'Z'}, {0x0397, 'H'},
	{0x0399, 'I'}, {0x039a, 'K'}, {0x039c, 'M'}, {0x039d, 'N'}, {0x039f, 'O'},
	{0x03a1, 'P'}, {0x03a4, 'T'}, {0x03a5, 'Y'}, {0x03a7, 'X'}, {0x03b1, 'a'},
	{0x03b3, 'y'}, {0x03b9, 'i'}, {0x03bd, 'v'}, {0x03bf, 'o'}, {0x03c1, 'p'},
	{0x03c5, 'u'}, {0x03f2, 'c'}, {0x03f3, 'j'}, {0x0405, 'S'}, {0x0406, 'I'},
	{0x0408, 'J'}, {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'}, {0x041a, 'K'},
	{0x041c, 'M'}, {0x041d, 'H'}, {0x041e, 'O'}, {0x0420, 'P'}, {0x0421, 'C'},
	{0x0422, 'T'}, {0x0425, 'X'}, {0x0430, 'a'}, {0x0435, 'e'}, {0x043e, 'o'},
	{0x0440, 'p'}, {0x0441, 'c'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0455, 's'},
	{0x0456, 'i'}, {0x0458, 'j'}, {0x04ae, 'Y'}, {0x04bb, 'h'}, {0x04c0, 'l'},
	{0x04cf, 'l'}, {0x0501, 'd'}, {0x051b, 'q'}, {0x051d, 'w'}, {0x0570, 'h'},
	{0x0578, 'n'}, {0x057d, 'u'}, {0x0585, 'o'}, {0x13a0, 'D'}, {0x13a1, 'R'},
	{0x13a2, 'T'}, {0x13a9, 'Y'}, {0x13aa, 'A'}, {0x13ab, 'J'}, {0x13ac, 'E'},
	{0x13b3, 'W'}, {0x13b7, 'M'}, {0x13bb, 'H'}, {0x13c0, 'G'}, {0x13c2, 'h'},
	{0x13c3, 'Z'}, {0x13cf, 'b'}, {0x13d2, 'R'}, {0x13da, 'V'}, {0x13de, 'L'},
	{0x13df, 'C'}, {0x13e2, 'P'}, {0x13e6, 'K'}, {0x13f4, 'B'},
};

char sp_text_lookalike(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(lookalikes) / sizeof(lookalikes[0]);

	if (cp < 0x80)
		return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (lookalikes[mid].cp < cp)
			lo = mid + 1;
		else if (lookalikes[mid].cp > cp)
			hi = mid;
		else
			return lookalikes[mid].ascii;
	}
	return 0;
}

/* Letterlike symbols NFKC maps to one ASCII letter. Sorted. */
static const struct alike letterlike[] = {
	{0x2071, 'i'}, {0x207f, 'n'}, {0x210a, 'g'}, {0x210b, 'H'}, {0x210c, 'H'},
	{0x210d, 'H'}, {0x210e, 'h'}, {0x2110, 'I'}, {0x2111, 'I'}, {0x2112, 'L'},
	{0x2113, 'l'}, {0x2115, 'N'}, {0x2119, 'P'}, {0x211a, 'Q'}, {0x211b, 'R'},
	{0x211c, 'R'}, {0x211d, 'R'}, {0x2124, 'Z'}, {0x2128, 'Z'}, {0x212c, 'B'},
	{0x212d, 'C'}, {0x212f, 'e'}, {0x2130, 'E'}, {0x2131, 'F'}, {0x2133, 'M'},
	{0x2134, 'o'}, {0x2139, 'i'},
};

char sp_text_nfkc_ascii(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(letterlike) / sizeof(letterlike[0]);

	if (cp >= 0xff10 && cp <= 0xff19)
		return (char)('0' + (cp - 0xff10));
	if (cp >= 0xff21 && cp <= 0xff3a)
		return (char)('A' + (cp - 0xff21));
	if (cp >= 0xff41 && cp <= 0xff5a)
		return (char)('a' + (cp - 0xff41));
	if (cp == 0xff3f)
		return '_';
	/* Thirteen styled alphabets of 52 letters (bold, italic, script ...). */
	if (cp >= 0x1d400 && cp <= 0x1d6a3) {
		uint32_t i = (cp - 0x1d400) % 52;

		return (char)(i < 26 ? 'A' + i : 'a' + (i - 26));
	}
	/* Five styled sets of the ten digits. */
	if (cp >= 0x1d7ce && cp <= 0x1d7ff)
		return (char)('0' + (cp - 0x1d7ce) % 10);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (letterlike[mid].cp < cp)
			lo = mid + 1;
		else if (letterlike[mid].cp > cp)
			hi = mid;
		else
			return letterlike[mid].ascii;
	}
	return 0;
}

double sp_text_entropy(const unsigned char *s, size_t n)
{
	size_t counts[256] = {0}, i;
	double h = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		counts[s[i]]++;
	for (i = 0; i < 256; i++) {
		double p;

		if (!counts[i])
			continue;
		p = (double)counts[i] / (double)n;
		h -= p * log2(p);
	}
	return h;
}

enum sp_alphabet sp_text_alphabet(const unsigned char *s, size_t n)
{
	bool hex = true;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
			continue;
		hex = false;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '+' || c == '/' ||
		    c == '=' || c == '-' || c == '_')
			continue;
		return SP_ALPHA_OTHER;
	}
	return hex ? SP_ALPHA_HEX : SP_ALPHA_BASE64;
}

static bool prefix_nocase(const char *s, size_t n, const char *p)
{
	size_t i, len = strlen(p);

	if (n < len)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != p[i])
			return false;
	}
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "a.b.c.d" or "a.b.c.d:port", each part 0-255, and nothing else. */
static size_t ipv4_literal(const char *s, size_t n)
{
	size_t i = 0, host;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part && (i >= n || s[i++] != '.'))
			return 0;
		while (i < n && is_digit(s[i]) && digits < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255)
			return 0;
	}
	host = i;
	if (i < n && s[i] == ':') {
		size_t d = 0;

		for (i++; i < n && is_digit(s[i]); i++)
			d++;
		if (!d || d > 5)
			return 0;
	}
	return i == n ? host : 0;
}

size_t sp_text_url_host(const char *s, size_t n, const char **host)
{
	static const char *const schemes[] = {
		"https://", "http://", "wss://", "ws://", "ftps://", "ftp://", "sftp://",
		"ssh://", "tcp://", "udp://", "smtp://", "redis://", "mongodb://",
		"amqp://", "mqtt://", "telnet://", NULL,
	};
	size_t i, end, at, len;
	const char *h;
	bool dot = false;

	*host = NULL;
	if ((len = ipv4_literal(s, n))) {
		*host = s;
		return len;
	}
	for (i = 0; schemes[i]; i++)
		if (prefix_nocase(s, n, schemes[i]))
			break;
	if (!schemes[i])
		return 0;
	s += strlen(schemes[i]);
	n -= strlen(schemes[i]);
	for (end = 0; end < n && s[end] != '/' && s[end] != '?' && s[end] != '#'; end++)
		;
	/* userinfo@host: the host follows the last '@' of the authority */
	for (at = end; at > 0 && s[at - 1] != '@'; at--)
		;
	h = s + at;
	len = end - at;
	if (len && h[0] == '[') {
		for (i = 1; i < len && h[i] != ']'; i++)
			if (!is_digit(h[i]) && !((h[i] | 0x20) >= 'a' && (h[i] | 0x20) <= 'f') &&
			    h[i] != ':' && h[i] != '.')
				return 0;
		if (i == len || i == 1)
			return 0;
		*host = h;
		return i + 1;
	}
	for (i = 0; i < len && h[i] != ':'; i++) {
		char c = h[i];

		if (c == '.')
			dot = true;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
			   c == '-' || c == '_'))
			return 0;
	}
	if (!i || h[0] == '.' || h[i - 1] == '.' ||
	    (!dot && !(i == 9 && prefix_nocase(h, i, "localhost"))))
		return 0;
	*host = h;
	return i;
}

struct vendor {
	const char *suffix;
	const char *name;
};

/* Collection endpoints of analytics, tracking and error-reporting services. */
static const struct vendor vendors[] = {
	{"google-analytics.com", "Google Analytics"},
	{"analytics.google.com", "Google Analytics"},
	{"googletagmanager.com", "Google Tag Manager"},
	{"doubleclick.net", "Google ads"},
	{"api.segment.io", "Segment"},
	{"api.segment.com", "Segment"},
	{"mixpanel.com", "Mixpanel"},
	{"amplitude.com", "Amplitude"},
	{"posthog.com", "PostHog"},
	{"sentry.io", "Sentry"},
	{"datadoghq.com", "Datadog"},
	{"datadoghq.eu", "Datadog"},
	{"bugsnag.com", "Bugsnag"},
	{"rollbar.com", "Rollbar"},
	{"newrelic.com", "New Relic"},
	{"nr-data.net", "New Relic"},
	{"honeybadger.io", "Honeybadger"},
	{"heapanalytics.com", "Heap"},
	{"keen.io", "Keen"},
	{"scarf.sh", "Scarf"},
	{"plausible.io", "Plausible"},
	{"matomo.cloud", "Matomo"},
	{"hotjar.com", "Hotjar"},
	{"fullstory.com", "FullStory"},
	{"logrocket.io", "LogRocket"},
	{"raygun.io", "Raygun"},
	{"airbrake.io", "Airbrake"},
	{"appsignal.com", "AppSignal"},
	{"applicationinsights.azure.com", "Azure Application Insights"},
	{"dc.services.visualstudio.com", "Azure Application Insights"},
};

const char *sp_text_telemetry_vendor(const char *host, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++) {
		const char *suf = vendors[i].suffix;
		size_t k = strlen(suf), j;
		bool same = true;

		if (n < k || (n > k && host[n - k - 1] != '.'))
			continue;
		for (j = 0; j < k && same; j++) {
			char c = host[n - k + j];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			same = c == suf[j];
		}
		if (same)
			return vendors[i].name;
	}
	return NULL;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t png_end(const unsigned char *d, size_t n)
{
	size_t pos = 8, chunks = 0;

	while (chunks++ < SP_MAX_PNG_CHUNKS && n - pos >= 12) {
		uint32_t len = be32(d + pos);

		if (len > n - pos - 12)
			return n; /* cut short: no end to speak of */
		if (!memcmp(d + pos + 4, "IEND", 4))
			return pos + 12 + len;
		pos += 12 + (size_t)len;
	}
	return n;
}

/*
 * JPEG: segments with lengths up to the start of scan, then entropy-coded
 * data, where 0xff is followed by 0x00 (stuffing) or a restart marker;
 * any other marker ends the scan (progressive files have several).
 */
static size_t jpeg_end(const unsigned char *d, size_t n)
{
	size_t pos = 2;

	while (pos + 1 < n) {
		unsigned char m;

		if (d[pos] != 0xff)
			return n;
		m = d[pos + 1];
		if (m == 0xff) {
			pos++; /* fill byte */
			continue;
		}
		if (m == 0xd9)
			return pos + 2;
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			pos += 2;
			continue;
		}
		if (pos + 4 > n)
			return n;
		{
			size_t len = (size_t)d[pos + 2] << 8 | d[pos + 3];

			if (len < 2 || len > n - pos - 2)
				return n;
			pos += 2 + len;
		}
		if (m != 0xda)
			continue;
		while (pos + 1 < n && !(d[pos] == 0xff && d[pos + 1] != 0 &&
					!(d[pos + 1] >= 0xd0 && d[pos + 1] <= 0xd7)))
			pos++;
	}
	return n;
}

/* GIF: header, colour tables, then blocks up to the 0x3b trailer. */
static size_t gif_end(const unsigned char *d, size_t n)
{
	size_t pos = 13;

	if (n < 13)
		return n;
	if (d[10] & 0x80)
		pos += 3u << ((d[10] & 7) + 1);
	while (pos < n) {
		unsigned char b = d[pos];

		if (b == 0x3b)
			return pos + 1;
		if (b == 0x21) {
			pos += 2;
		} else if (b == 0x2c) {
			if (n - pos < 11)
				return n;
			if (d[pos + 9] & 0x80)
				pos += 3u << ((d[pos + 9] & 7) + 1);
			pos += 11; /* descriptor, then the LZW minimum code size */
		} else {
			return n;
		}
		/* data sub-blocks, each a length byte, up to an empty one */
		while (pos < n && d[pos])
			pos += 1 + (size_t)d[pos];
		if (pos >= n)
			return n;
		pos++;
	}
	return n;
}

size_t sp_text_image_end(const unsigned char *d, size_t n, const char **format)
{
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

	*format = NULL;
	if (n >= 8 && !memcmp(d, png, 8)) {
		*format = "PNG";
		return png_end(d, n);
	}
	if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) {
		*format = "JPEG";
		return jpeg_end(d, n);
	}
	if (n >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6))) {
		*format = "GIF";
		return gif_end(d, n);
	}
	if (n >= 26 && d[0] == 'B' && d[1] == 'M') {
		uint32_t size = (uint32_t)d[2] | (uint32_t)d[3] << 8 | (uint32_t)d[4] << 16 |
				(uint32_t)d[5] << 24;

		*format = "BMP";
		return size >= 26 && size < n ? size : n;
	}
	return n;
}

static bool b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

const char *sp_text_code_marker(const unsigned char *s, size_t n)
{
	static const char *const markers[] = {
		"exec(", "eval(", "__import__", "import ", "compile(", "marshal", "base64",
		"b64decode", "zlib.decompress", "subprocess", "os.system", "socket.",
		"urlopen", "getattr(", NULL,
	};
	size_t i, run = 0, k;

	for (k = 0; markers[k]; k++) {
		size_t len = strlen(markers[k]);

		for (i = 0; i + len <= n; i++) {
			if (s[i] == (unsigned char)markers[k][0] && !memcmp(s + i, markers[k], len))
				return markers[k];
		}
	}
	for (i = 0; i < n; i++) {
		run = b64_char(s[i]) ? run + 1 : 0;
		if (run >= SP_STEGO_MIN_BASE64)
			return "a base64 run";
	}
	return NULL;
}
