/*
 * SHA-256, backed by OpenSSL's EVP interface (never hand-written). The
 * header keeps OpenSSL's types out of every file that hashes.
 */
#ifndef SP_CORE_DIGEST_H
#define SP_CORE_DIGEST_H

#include <stddef.h>

#define SP_SHA256_LEN 32
#define SP_SHA256_HEX (SP_SHA256_LEN * 2 + 1)

struct sp_sha256; /* opaque; sp_sha256_new() / sp_sha256_free() */

struct sp_sha256 *sp_sha256_new(void);
void sp_sha256_free(struct sp_sha256 *h);
void sp_sha256_reset(struct sp_sha256 *h);
void sp_sha256_update(struct sp_sha256 *h, const void *p, size_t n);
void sp_sha256_final(struct sp_sha256 *h, unsigned char out[SP_SHA256_LEN]);
/* One-shot. */
void sp_sha256(const void *p, size_t n, unsigned char out[SP_SHA256_LEN]);

/* Lower-case hex, NUL-terminated into out (SP_SHA256_HEX bytes). */
void sp_hex(const unsigned char *d, size_t n, char *out);
/* URL-safe base64 without padding, as wheel RECORD files use; out >= 44 bytes. */
void sp_b64url_nopad(const unsigned char *d, size_t n, char *out, size_t outlen);

#endif
