/*
 * Checks that look at an artifact's files rather than its code: wheel
 * RECORD integrity, native binaries in a pure wheel, .pth files that run
 * code, console scripts, and the name and version from the metadata.
 *
 * One struct sp_checks per artifact, fed every entry by the unpacker's
 * thread; sp_checks_finish() reports what needs the whole archive (RECORD).
 * Findings go to the artifact given to sp_checks_new(), with rule ids from
 * the catalog (see policy/rules/catalog.json, "builtin": true).
 */
#ifndef SP_SCAN_CHECKS_H
#define SP_SCAN_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "scan/scan.h"
#include "unpack/unpack.h"

struct sp_checks;

struct sp_checks *sp_checks_new(const struct sp_catalog *cat, struct sp_artifact *a);
void sp_checks_free(struct sp_checks *c);

/* Whether the checks need the body of the file at path in memory. */
bool sp_checks_want(const char *path);

/* Looks at one entry (any type). Does not take e->data. */
void sp_checks_entry(struct sp_checks *c, const struct sp_entry *e);

/* Reports what needs every entry: RECORD verification, native code in a pure wheel. */
void sp_checks_finish(struct sp_checks *c);

/*
 * The lines of a .pth file that Python executes at start-up (those starting
 * with "import" followed by a space or tab), joined by newlines, in a new
 * string (free() it), or NULL when there are none. *first_line gets the
 * 1-based line number of the first one.
 */
char *sp_pth_code(const char *data, size_t len, size_t *out_len, unsigned *first_line);

#endif
