/*
 * The code scanner: tree-sitter-python and the rule catalog's queries.
 *
 * struct sp_engine holds the compiled query (every rule's patterns in one
 * query) and the map from pattern to rule; it is immutable after
 * sp_engine_new() and shared by all threads. struct sp_worker holds what
 * one thread needs (a parser and a query cursor); one per thread.
 */
#ifndef SP_SCAN_ENGINE_H
#define SP_SCAN_ENGINE_H

#include <stddef.h>

#include "scan/scan.h"

struct sp_engine;
struct sp_worker;

/* Compiles the catalog's queries; d names the rule and offset of a bad one. */
int sp_engine_new(const struct sp_catalog *cat, struct sp_engine **out, struct sp_diag *d);
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
