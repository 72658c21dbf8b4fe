#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static const char *const messages[] = {
	[0] = "success",
	[-SP_ENOMEM] = "out of memory",
	[-SP_EINVAL] = "invalid input",
	[-SP_EIO] = "input/output error",
	[-SP_ENOENT] = "not found",
	[-SP_ELIMIT] = "limit exceeded",
	[-SP_EFORMAT] = "unrecognised format",
	[-SP_EPARSE] = "syntax error",
	[-SP_EUNSUPPORTED] = "not supported",
	[-SP_EHASH] = "hash mismatch",
	[-SP_ETIMEOUT] = "timed out",
	[-SP_EUSAGE] = "bad usage",
	[-SP_EINTERNAL] = "internal error",
};

const char *sp_strerror(int err)
{
	if (err > 0 || err <= SP_E_LAST)
		return "unknown error";
	return messages[-err];
}

void sp_diag_clear(struct sp_diag *d)
{
	if (d)
		memset(d, 0, sizeof(*d));
}

int sp_diag_set(struct sp_diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return err;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}

void sp_diag_file(struct sp_diag *d, const char *file)
{
	if (d)
		snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
}
