/*
 * The code scanner: tree-sitter-python and the rule catalog's queries.
 *
 * struct sp_engine holds the compiled queries and the map from pattern to
 * rule, and is shared by all threads; it owns everything it points to and
 * frees it in sp_engine_free(). The patterns rooted at a call and keyed by
 * a callee or method name are compiled on first use, each group once
 * whichever thread needs it first (the rest of the engine is immutable
 * after sp_engine_new()). struct sp_worker holds what one thread needs (a
 * parser and a query cursor); one per thread.
 */
#ifndef SP_SCAN_ENGINE_H
#define SP_SCAN_ENGINE_H

#include <stddef.h>

#include "scan/scan.h"

struct sp_engine;
struct sp_worker;

/*
 * Compiles the catalog's queries, except the call patterns, which are only
 * split into groups and checked for a known rule; d names the rule and
 * line of a bad one.
 */
int sp_engine_new(const struct sp_catalog *cat, struct sp_engine **out, struct sp_diag *d);

/*
 * Compiles every group of call patterns not compiled yet, and reports the
 * first that does not compile. A group that fails during a scan makes each
 * file that needed it a source-incomplete finding; the shipped catalog is
 * checked with this by the tests.
 */
int sp_engine_check(const struct sp_engine *e, struct sp_diag *d);
void sp_engine_free(struct sp_engine *e);

struct sp_worker *sp_worker_new(const struct sp_engine *e);
void sp_worker_free(struct sp_worker *w);

/*
 * Scans one Python source (len bytes, need not be NUL-terminated) and adds
 * its findings to a. path names the file inside the artifact; role decides
 * the context of top-level code. line_offset is added to reported lines
 * (for code taken from the middle of a file, such as .pth lines). Sources
 * that are too large, do not parse or time out become findings.
 */
void sp_worker_scan(struct sp_worker *w, struct sp_artifact *a, const char *path,
		    const char *src, size_t len, enum sp_file_role role, unsigned line_offset);

/* The role of a file from its path inside an artifact of the given kind. */
enum sp_file_role sp_file_role_of(const char *path, enum sp_source_kind kind);

#endif
