#include "fetch/progress.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "core/banned.h"

/* Redraws closer together than this flicker and cost terminal time. */
#define REDRAW_NS (100LL * 1000 * 1000)

struct sp_progress {
	FILE *out;
	bool enabled;
	bool drawn;
	long long last_ns;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct sp_progress *sp_progress_new(FILE *out, bool quiet)
{
	struct sp_progress *p = xcalloc(1, sizeof(*p));

	p->out = out;
	p->enabled = out && !quiet && isatty(fileno(out));
	return p;
}

void sp_progress_free(struct sp_progress *p)
{
	free(p);
}

bool sp_progress_enabled(const struct sp_progress *p)
{
	return p && p->enabled;
}

/* Bytes in the largest unit that keeps the number under 1000. */
static void human(double v, char *out, size_t n)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	size_t u = 0;

	while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%.0f %s", v, units[u]);
	else
		snprintf(out, n, "%.1f %s", v, units[u]);
}

size_t sp_progress_format(const struct sp_fetch_stats *st, char *out, size_t n)
{
	char bytes[32], rate[32];
	int len;

	human((double)(st->bytes > 0 ? st->bytes : 0), bytes, sizeof(bytes));
	human(st->elapsed > 0.05 ? (double)st->bytes / st->elapsed : 0.0, rate, sizeof(rate));
	if (st->files_failed)
		len = snprintf(out, n, "fetching %u/%u files (%u failed), %s, %s/s", st->files_done,
			       st->files_total, st->files_failed, bytes, rate);
	else
		len = snprintf(out, n, "fetching %u/%u files, %s, %s/s", st->files_done,
			       st->files_total, bytes, rate);
	if (len < 0)
		return 0;
	return (size_t)len < n ? (size_t)len : (n ? n - 1 : 0);
}

void sp_progress_show(const struct sp_fetch_stats *st, bool final, void *arg)
{
	struct sp_progress *p = arg;
	char line[160];
	long long t;

	if (!p || !p->enabled)
		return;
	if (final) {
		/* Leave the terminal as it was: the summary is the report's job. */
		if (p->drawn)
			fputs("\r\033[K", p->out);
		fflush(p->out);
		p->drawn = false;
		return;
	}
	t = now_ns();
	if (p->drawn && t - p->last_ns < REDRAW_NS)
		return;
	p->last_ns = t;
	sp_progress_format(st, line, sizeof(line));
	fprintf(p->out, "\r\033[K%s", line);
	fflush(p->out);
	p->drawn = true;
}
