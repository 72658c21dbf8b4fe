/*
 * Download progress: the fetcher counts, a callback shows. The default
 * callback here draws one updating line on a terminal ("fetching 3/20
 * files, 4.1 MB, 2.0 MB/s") and nothing at all when the stream is not a
 * terminal or output is quiet; the report layer may install its own.
 *
 * The line shows counts only, never URLs or file names: those come from
 * index pages and would need cleaning before they reach a terminal.
 */
#ifndef SP_FETCH_PROGRESS_H
#define SP_FETCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sp_fetch_stats {
	unsigned files_total; /* requests added so far */
	unsigned files_done;  /* finished, successfully or not */
	unsigned files_failed;
	int64_t bytes;	/* body bytes received, retries included */
	double elapsed; /* seconds since the first request started */
};

/*
 * Called by the fetcher when something changed (at most about ten times a
 * second) and once with final set when a run ends. st is valid during the
 * call only.
 */
typedef void (*sp_fetch_progress_fn)(const struct sp_fetch_stats *st, bool final, void *arg);

struct sp_progress;

/*
 * A progress line on out, drawn only if out is a terminal and quiet is
 * false. Freed with sp_progress_free(), which does not close out.
 */
struct sp_progress *sp_progress_new(FILE *out, bool quiet);
void sp_progress_free(struct sp_progress *p);
/* Whether the line is drawn at all. */
bool sp_progress_enabled(const struct sp_progress *p);

/* An sp_fetch_progress_fn; arg is the struct sp_progress. */
void sp_progress_show(const struct sp_fetch_stats *st, bool final, void *arg);

/* The text of the line for st, without control codes; returns its length. */
size_t sp_progress_format(const struct sp_fetch_stats *st, char *out, size_t n);

#endif
