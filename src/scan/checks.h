/*
 * Checks that look at an artifact's files rather than its code: wheel
 * RECORD integrity, native binaries in a pure wheel or in an sdist, .pth
 * files that run code, console scripts that shadow common commands, images
 * carrying data after their end (stego-image-payload), every native binary
 * as a capability (capability-native-code), and the name and version from
 * the metadata.
 *
 * One struct sp_checks per artifact, fed every entry by the unpacker's
 * thread (one thread per sp_checks; different ones may run in parallel);
 * sp_checks_finish() reports what needs the whole archive. Findings go to
 * the artifact given to sp_checks_new(), with rule ids from the catalog
 * (policy/rules/builtin-checks.json). The catalog and the artifact must
 * outlive the struct sp_checks; it keeps no pointer into any entry.
 *
 * Which checks run depends on a->kind, read at each entry:
 *   wheel  RECORD, WHEEL, METADATA, entry_points.txt and .data/scripts of
 *          the outer archive (depth 0); .pth files where site.py reads them;
 *          native binaries anywhere, judged against the wheel's tags.
 *   sdist  native binaries anywhere; any .pth that runs code; PKG-INFO.
 *   other  any .pth that runs code; a top-level PKG-INFO ("x/PKG-INFO" too,
 *          except in directories, where that is an installed egg-info).
 * a->name and a->version are set from the metadata when not already set,
 * and only to a valid name (PEP 508) and version (PEP 440 characters);
 * a->pure to the wheel's Root-Is-Purelib.
 */
#ifndef SP_SCAN_CHECKS_H
#define SP_SCAN_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "scan/scan.h"
#include "unpack/unpack.h"

struct sp_checks;

/* Aborts when a builtin rule is missing from cat: that is a build error, not input. */
struct sp_checks *sp_checks_new(const struct sp_catalog *cat, struct sp_artifact *a);
void sp_checks_free(struct sp_checks *c);

/* Whether the checks need the body of the file at path in memory. */
bool sp_checks_want(const char *path);

/*
 * Looks at one entry (any type). Does not take e->data, and copies what it
 * keeps. An entry whose body is needed but missing (too large, cut short)
 * is itself a finding where the check cannot be made without it.
 */
void sp_checks_entry(struct sp_checks *c, const struct sp_entry *e);

/*
 * Reports what needs every entry: RECORD verification, missing RECORD or
 * METADATA, native code in a wheel that claims none, console scripts.
 * Call once, after the last entry; later entries are ignored.
 */
void sp_checks_finish(struct sp_checks *c);

/*
 * The lines of a .pth file that Python executes at start-up: those that
 * start with "import" followed by a space or tab (site.py's test; no
 * leading whitespace), as a new string (free() it), or NULL when there are
 * none. *first_line gets the 1-based line number of the first one, and
 * line k of the code is line first_line + k - 1 of the file: lines that
 * do not run are left empty, so findings keep the file's line numbers.
 *
 * Lines are what every supported CPython sees, in union: \n, \r and \r\n
 * (up to 3.12, and how lines are numbered), and the extra breaks of 3.13's
 * str.splitlines() (\v, \f, \x1c-\x1e, U+0085, U+2028, U+2029; a lone
 * 0x85 byte when the file is not UTF-8) with a UTF-8 BOM stripped. A line
 * run by 3.12 is returned whole with 3.13's breaks in it as newlines;
 * only such lines shift the numbering of the lines after them.
 */
char *sp_pth_code(const char *data, size_t len, size_t *out_len, unsigned *first_line);

#endif
