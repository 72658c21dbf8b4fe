/*
 * The one file in core/ backed by a third-party library: OpenSSL's EVP
 * digests. Its header stays free of OpenSSL types.
 */
#include "core/digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/banned.h"

struct sp_sha256 {
	EVP_MD_CTX *ctx;
};

static void die(const char *what)
{
	fprintf(stderr, "safepip: fatal: OpenSSL %s failed\n", what);
	abort();
}

struct sp_sha256 *sp_sha256_new(void)
{
	struct sp_sha256 *h = malloc(sizeof(*h));

	if (!h || !(h->ctx = EVP_MD_CTX_new()))
		die("EVP_MD_CTX_new");
	sp_sha256_reset(h);
	return h;
}

void sp_sha256_free(struct sp_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

void sp_sha256_reset(struct sp_sha256 *h)
{
	if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		die("EVP_DigestInit_ex");
}

void sp_sha256_update(struct sp_sha256 *h, const void *p, size_t n)
{
	if (n && EVP_DigestUpdate(h->ctx, p, n) != 1)
		die("EVP_DigestUpdate");
}

void sp_sha256_final(struct sp_sha256 *h, unsigned char out[SP_SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != SP_SHA256_LEN)
		die("EVP_DigestFinal_ex");
}

void sp_sha256(const void *p, size_t n, unsigned char out[SP_SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1)
		die("EVP_Digest");
}

void sp_hex(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void sp_b64url_nopad(const unsigned char *d, size_t n, char *out, size_t outlen)
{
	unsigned char tmp[4 * ((64 + 2) / 3) + 1];
	int len, i;

	if (n > 64 || outlen == 0) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	len = EVP_EncodeBlock(tmp, d, (int)n);
	while (len > 0 && tmp[len - 1] == '=')
		len--;
	for (i = 0; i < len && (size_t)i + 1 < outlen; i++)
		out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : (char)tmp[i];
	out[i] = '\0';
}
