/*
 * Error codes and diagnostics.
 *
 * Functions return 0 or a negative SP_E* code. The code says what kind of
 * failure it was; the detail (file, line, offset, JSON path, rule) goes into
 * a struct sp_diag the caller passes in, so messages can name the subject
 * without every layer formatting strings.
 */
#ifndef SP_CORE_ERROR_H
#define SP_CORE_ERROR_H

#include <stddef.h>

enum {
	SP_OK = 0,
	SP_ENOMEM = -1,
	SP_EINVAL = -2,       /* bad argument or malformed input */
	SP_EIO = -3,          /* read or write failed */
	SP_ENOENT = -4,       /* no such file, package or key */
	SP_ELIMIT = -5,       /* a cap in core/limits.h was hit */
	SP_EFORMAT = -6,      /* input is not in the expected format */
	SP_EPARSE = -7,       /* syntax error in a file safepip reads */
	SP_EUNSUPPORTED = -8, /* recognised, but not supported */
	SP_EHASH = -9,        /* content does not match its hash */
	SP_ETIMEOUT = -10,
	SP_EUSAGE = -11,      /* bad command line */
	SP_EINTERNAL = -12,
	SP_E_LAST = -13,
};

const char *sp_strerror(int err);

#define SP_DIAG_TEXT 512

/*
 * Where and why something failed. Embedded by the caller; every field is
 * optional and empty when unknown. sp_diag_set() formats the message.
 */
struct sp_diag {
	char file[512]; /* file being read, when the error is about one */
	unsigned line;  /* 1-based, 0 when unknown */
	unsigned col;   /* 1-based, 0 when unknown */
	char where[256]; /* JSON path, rule id or query offset */
	char msg[SP_DIAG_TEXT];
};

void sp_diag_clear(struct sp_diag *d);
/* Formats d->msg; a NULL d is allowed and ignored. Returns err unchanged. */
int sp_diag_set(struct sp_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sp_diag_file(struct sp_diag *d, const char *file);

#endif
