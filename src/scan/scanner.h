/*
 * Scanning targets on every core. The calling thread unpacks (decompression
 * is cheap next to parsing) and queues each Python source; worker threads,
 * one sp_worker each, parse and match them. Queued bytes are bounded by
 * SP_MAX_QUEUED_BYTES, so memory stays flat however large the input.
 *
 * Artifacts returned by sp_scanner_add() belong to the caller, who must not
 * read their findings before sp_scanner_wait() and frees them with
 * sp_artifact_free() after it.
 */
#ifndef SP_SCAN_SCANNER_H
#define SP_SCAN_SCANNER_H

#include "scan/engine.h"
#include "scan/scan.h"

struct sp_scanner;

/* threads == 0: one per online core. cat and engine must outlive the scanner. */
struct sp_scanner *sp_scanner_new(const struct sp_catalog *cat, const struct sp_engine *engine,
				  unsigned threads);
/* Stops the workers (after the queue drains) and frees the scanner. */
void sp_scanner_free(struct sp_scanner *s);

/*
 * Unpacks target (a path) and queues its sources. A target that cannot be
 * read at all is an artifact with error set, never a silent skip.
 */
struct sp_artifact *sp_scanner_add(struct sp_scanner *s, const char *target);

/*
 * As sp_scanner_add(), for a file kept under another name (the artifact
 * store names files by their hash): name ("x-1.0-py3-none-any.whl") names
 * the artifact and decides its kind, so a wheel gets the wheel checks
 * (RECORD, tags, console scripts) and an sdist's setup.py its install-time
 * context.
 */
struct sp_artifact *sp_scanner_add_as(struct sp_scanner *s, const char *path, const char *name);

/*
 * Queues a list of files scanned as one artifact named label, as a
 * directory would be (sp_unpack_files()): an installed distribution.
 */
struct sp_artifact *sp_scanner_add_files(struct sp_scanner *s, const char *label,
					 const struct sp_unpack_file *files, size_t n);

/* Waits until every queued source has been scanned; then sorts findings. */
void sp_scanner_wait(struct sp_scanner *s);

#endif
