/*
 * PEP 440 versions: parsing every spelling the PEP allows, the canonical
 * text, and the total order.
 *
 * struct sp_version is a plain value (no pointers, no allocation): copy it,
 * keep it on the stack, compare it. A string that is not a valid PEP 440
 * version is an error; there is no "legacy" fallback (pip dropped it).
 */
#ifndef SP_REQ_VERSION_H
#define SP_REQ_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/limits.h"

/* Bytes that always hold the canonical text of a version, NUL included. */
#define SP_VERSION_TEXT_MAX (SP_MAX_VERSION_LEN + 64)

enum sp_pre_kind {
	SP_PRE_NONE = 0,
	SP_PRE_A,  /* a, alpha */
	SP_PRE_B,  /* b, beta */
	SP_PRE_RC, /* rc, c, pre, preview */
};

struct sp_version {
	uint64_t epoch;
	uint64_t release[SP_MAX_VERSION_SEGMENTS];
	unsigned nrelease; /* >= 1 */
	enum sp_pre_kind pre_kind;
	uint64_t pre;
	bool has_post;
	uint64_t post;
	bool has_dev;
	uint64_t dev;
	/*
	 * The local label, normalised: lower case, '.' separators, leading
	 * zeros of numeric parts dropped; "" when there is none.
	 */
	char local[SP_MAX_VERSION_LEN + 1];
};

/*
 * Parses s (len bytes; surrounding whitespace allowed, case ignored).
 * Returns 0, or SP_EINVAL with a message in d (which may be NULL), or
 * SP_ELIMIT past SP_MAX_VERSION_LEN or SP_MAX_VERSION_SEGMENTS. A number
 * too large for 64 bits is SP_ELIMIT too.
 */
int sp_version_parse(struct sp_version *v, const char *s, size_t len, struct sp_diag *d);

/* Whether s (len bytes) is a valid version. */
bool sp_version_valid(const char *s, size_t len);

/*
 * Writes the canonical text ("1!2.0rc1.post3.dev4+ubuntu.1") to out (size
 * bytes, SP_VERSION_TEXT_MAX always enough). Returns the length it needed,
 * as snprintf does.
 */
size_t sp_version_format(const struct sp_version *v, char *out, size_t size);

/* <0, 0, >0 in PEP 440 order. Local labels count: 1.0 < 1.0+a. */
int sp_version_cmp(const struct sp_version *a, const struct sp_version *b);

/* A pre-release or a development release. */
bool sp_version_is_prerelease(const struct sp_version *v);
bool sp_version_is_postrelease(const struct sp_version *v);

/* v without its local label. out may be v. */
void sp_version_public(const struct sp_version *v, struct sp_version *out);

/* Epoch and release only ("1!2.0rc1+x" gives "1!2.0"). out may be v. */
void sp_version_base(const struct sp_version *v, struct sp_version *out);

#endif
