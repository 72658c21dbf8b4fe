/*
 * Pure functions on untrusted text for the scanner's built-in rules:
 * code points that hide or disguise code (Trojan Source bidirectional
 * controls, invisible characters, letters that look like or normalise to
 * ASCII), the Shannon entropy and alphabet of literals, the host of a URL
 * literal, analytics and error-reporting endpoints, and data appended to
 * image files.
 *
 * Nothing here allocates or keeps a pointer; every function reads at most
 * the n bytes it is given, which need not be NUL-terminated.
 */
#ifndef SP_SCAN_TEXT_H
#define SP_SCAN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a code point does to the way source is displayed. */
enum sp_char_kind {
	SP_CHAR_PLAIN,
	SP_CHAR_BIDI_CONTROL, /* embeddings, overrides, isolates: reorder what follows */
	SP_CHAR_BIDI_MARK,    /* LRM, RLM, ALM: invisible, direction of neutral text */
	SP_CHAR_INVISIBLE,    /* zero-width and filler characters */
};

enum sp_script {
	SP_SCRIPT_COMMON, /* ASCII digits, '_', and anything not a letter we know */
	SP_SCRIPT_LATIN,
	SP_SCRIPT_GREEK,
	SP_SCRIPT_CYRILLIC,
	SP_SCRIPT_OTHER, /* letters of any other script */
};

enum sp_alphabet {
	SP_ALPHA_OTHER,
	SP_ALPHA_HEX,    /* 0-9 a-f A-F (and whitespace) */
	SP_ALPHA_BASE64, /* A-Z a-z 0-9 + / = - _ (and whitespace) */
};

/*
 * Decodes one UTF-8 code point at s (n > 0) into *cp and returns the bytes
 * it took. An invalid or truncated sequence, an overlong form or a
 * surrogate takes one byte and gives UINT32_MAX.
 */
size_t sp_text_utf8(const unsigned char *s, size_t n, uint32_t *cp);

enum sp_char_kind sp_text_char_kind(uint32_t cp);
/* The Unicode name of a bidirectional or invisible code point, else NULL. */
const char *sp_text_char_name(uint32_t cp);

enum sp_script sp_text_script(uint32_t cp);
/* "Latin", "Greek", "Cyrillic", "other" or "common". */
const char *sp_text_script_name(enum sp_script s);

/*
 * The ASCII letter or digit a code point of another script is drawn like
 * (Cyrillic 'а' U+0430 is 'a'), from Unicode's confusables data; 0 when
 * it has none. ASCII itself gives 0.
 */
char sp_text_lookalike(uint32_t cp);

/*
 * The ASCII character Python reads a compatibility character as, since
 * identifiers are NFKC-normalised (PEP 3131): fullwidth forms and
 * mathematical alphanumerics. 0 for anything else, ASCII included.
 */
char sp_text_nfkc_ascii(uint32_t cp);

/* Shannon entropy of the bytes, in bits per byte (0 for n == 0). */
double sp_text_entropy(const unsigned char *s, size_t n);
/* The smallest of the alphabets above that holds every byte; whitespace is ignored. */
enum sp_alphabet sp_text_alphabet(const unsigned char *s, size_t n);

/*
 * When s is a URL with a host (http, https, ws, wss, ftp, ftps, sftp,
 * ssh, tcp, udp, smtp, redis, mongodb, amqp, mqtt, telnet), or an IPv4
 * address with an optional ":port", returns the length of its host and
 * sets *host to it inside s; else 0. A host with characters a name cannot
 * hold (an f-string's braces, spaces) is no host.
 */
size_t sp_text_url_host(const char *s, size_t n, const char **host);

/*
 * The vendor of an analytics, tracking or error-reporting service whose
 * collection endpoint is host (or a subdomain of it), else NULL.
 */
const char *sp_text_telemetry_vendor(const char *host, size_t n);

/*
 * For a PNG, JPEG, GIF or BMP file, the offset where its image ends, so
 * that bytes from there to n were appended; n when nothing follows or
 * the end cannot be found. *format gets "PNG", "JPEG", "GIF" or "BMP", or
 * NULL (and the result is n) when the bytes are none of these.
 */
size_t sp_text_image_end(const unsigned char *d, size_t n, const char **format);

/*
 * The first sign of Python code or an encoded payload in s: a marker such
 * as "exec(", "import ", "base64" or "marshal", or a run of at least
 * SP_STEGO_MIN_BASE64 base64 characters (reported as "a base64 run").
 * NULL when there is none.
 */
const char *sp_text_code_marker(const unsigned char *s, size_t n);

#endif
