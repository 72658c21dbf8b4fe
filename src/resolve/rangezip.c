#include "resolve/rangezip.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/limits.h"
#include "core/xalloc.h"
#include "resolve/meta.h"
#include "core/banned.h"

/* Bytes [off, off + len) of the file, known. Kept sorted, disjoint, not adjacent. */
struct seg {
	int64_t off, len;
	unsigned char *data;
};

struct sp_rzip {
	int64_t total;
	struct seg *segs;
	size_t nsegs;
	int rounds;

	/* the zip source's state during one step */
	int64_t pos;
	zip_error_t err;
	bool missing; /* the first read that found an unknown byte */
	int64_t miss_off, miss_len;
};

struct sp_rzip *sp_rzip_new(int64_t total)
{
	struct sp_rzip *z = xcalloc(1, sizeof(*z));

	z->total = total < 0 ? 0 : total;
	zip_error_init(&z->err);
	return z;
}

void sp_rzip_free(struct sp_rzip *z)
{
	size_t i;

	if (!z)
		return;
	for (i = 0; i < z->nsegs; i++)
		free(z->segs[i].data);
	free(z->segs);
	zip_error_fini(&z->err);
	free(z);
}

int64_t sp_rzip_known(const struct sp_rzip *z)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < z->nsegs; i++)
		n += z->segs[i].len;
	return n;
}

int sp_rzip_rounds(const struct sp_rzip *z)
{
	return z->rounds;
}

int64_t sp_rzip_total(const struct sp_rzip *z)
{
	return z->total;
}

/* Merges the new bytes with every segment they overlap or touch. */
int sp_rzip_add(struct sp_rzip *z, int64_t off, const void *data, size_t len)
{
	int64_t lo = off, hi;
	size_t i, first, last;
	unsigned char *buf;

	if (off < 0 || (int64_t)len > z->total || off > z->total - (int64_t)len)
		return SP_EINVAL;
	if (!len)
		return 0;
	hi = off + (int64_t)len;
	for (first = 0; first < z->nsegs && z->segs[first].off + z->segs[first].len < lo; first++)
		;
	for (last = first; last < z->nsegs && z->segs[last].off <= hi; last++) {
		if (z->segs[last].off < lo)
			lo = z->segs[last].off;
		if (z->segs[last].off + z->segs[last].len > hi)
			hi = z->segs[last].off + z->segs[last].len;
	}
	/* segs[first, last) merge into one: old bytes first, the new ones on top */
	buf = xmalloc((size_t)(hi - lo));
	for (i = first; i < last; i++) {
		memcpy(buf + (z->segs[i].off - lo), z->segs[i].data, (size_t)z->segs[i].len);
		free(z->segs[i].data);
	}
	memcpy(buf + (off - lo), data, len);
	if (last == first) {
		z->segs = xrealloc(z->segs, (z->nsegs + 1) * sizeof(*z->segs));
		memmove(z->segs + first + 1, z->segs + first,
			(z->nsegs - first) * sizeof(*z->segs));
		z->nsegs++;
	} else if (last > first + 1) {
		memmove(z->segs + first + 1, z->segs + last, (z->nsegs - last) * sizeof(*z->segs));
		z->nsegs -= last - first - 1;
	}
	z->segs[first] = (struct seg){lo, hi - lo, buf};
	return 0;
}

/* The segment holding byte at, or NULL. */
static const struct seg *seg_at(const struct sp_rzip *z, int64_t at)
{
	size_t i;

	for (i = 0; i < z->nsegs; i++)
		if (z->segs[i].off <= at && at < z->segs[i].off + z->segs[i].len)
			return &z->segs[i];
	return NULL;
}

/* libzip's read: served from the segments; an unknown byte is a read error, noted. */
static zip_int64_t read_at(struct sp_rzip *z, void *data, zip_uint64_t want)
{
	int64_t len = z->total - z->pos;
	const struct seg *s;

	if ((zip_uint64_t)len > want)
		len = (int64_t)want;
	if (len <= 0)
		return 0;
	s = seg_at(z, z->pos);
	if (!s || s->off + s->len < z->pos + len) {
		if (!z->missing) {
			int64_t end = z->pos + len;
			size_t i;

			/* the unknown bytes from the first one, up to the next known ones */
			z->missing = true;
			z->miss_off = s ? s->off + s->len : z->pos;
			for (i = 0; i < z->nsegs; i++)
				if (z->segs[i].off > z->miss_off && z->segs[i].off < end)
					end = z->segs[i].off;
			z->miss_len = end - z->miss_off;
		}
		zip_error_set(&z->err, ZIP_ER_READ, EIO);
		return -1;
	}
	memcpy(data, s->data + (z->pos - s->off), (size_t)len);
	z->pos += len;
	return len;
}

static zip_int64_t source_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct sp_rzip *z = ud;
	zip_stat_t *st;
	zip_int64_t pos;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		z->pos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		return read_at(z, data, len);
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_STAT:
		st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &z->err);
		if (!st)
			return -1;
		zip_stat_init(st);
		st->size = (zip_uint64_t)z->total;
		st->valid |= ZIP_STAT_SIZE;
		return sizeof(*st);
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&z->err, data, len);
	case ZIP_SOURCE_SEEK:
		pos = zip_source_seek_compute_offset((zip_uint64_t)z->pos, (zip_uint64_t)z->total,
						     data, len, &z->err);
		if (pos < 0)
			return -1;
		z->pos = pos;
		return 0;
	case ZIP_SOURCE_TELL:
		return z->pos;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
						      ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
						      ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
						      ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
						      ZIP_SOURCE_SUPPORTS, -1);
	default:
		zip_error_set(&z->err, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

/* n known bytes at off, or NULL. */
static const unsigned char *known_at(const struct sp_rzip *z, int64_t off, int64_t n)
{
	const struct seg *s = off >= 0 ? seg_at(z, off) : NULL;

	return s && off + n <= s->off + s->len ? s->data + (off - s->off) : NULL;
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/*
 * Whether an end record in the last bytes of the file claims a central
 * directory larger than ranges may hold. libzip sizes its entry table by
 * the count an end record (or a zip64 one) claims before it reads a byte
 * of the directory, so such a claim is refused before libzip sees it.
 * Every candidate counts, as libzip tries each "PK\5\6" it finds.
 */
static bool claims_too_much(const struct sp_rzip *z)
{
	/* the end record: 22 bytes and a comment of up to 65535 */
	int64_t from = z->total - 22 - 65535, at;
	const unsigned char *e, *loc, *e64;

	if (from < 0)
		from = 0;
	for (at = z->total - 22; at >= from; at--) {
		e = known_at(z, at, 22);
		if (!e || memcmp(e, "PK\5\6", 4) != 0)
			continue;
		/* 0xffffffff: the size is in the zip64 end record */
		if (le(e + 12, 4) != 0xffffffffu && le(e + 12, 4) > SP_RANGE_MAX_BYTES)
			return true;
		/* a zip64 locator just before it points at the zip64 end record */
		loc = known_at(z, at - 20, 20);
		if (!loc || memcmp(loc, "PK\6\7", 4) != 0 || le(loc + 8, 8) > (uint64_t)z->total)
			continue;
		e64 = known_at(z, (int64_t)le(loc + 8, 8), 56);
		/* each directory entry takes 46 bytes at least */
		if (e64 && !memcmp(e64, "PK\6\6", 4) &&
		    (le(e64 + 40, 8) > SP_RANGE_MAX_BYTES ||
		     le(e64 + 24, 8) > SP_RANGE_MAX_BYTES / 46 ||
		     le(e64 + 32, 8) > SP_RANGE_MAX_BYTES / 46))
			return true;
	}
	return false;
}

/*
 * The range to ask for after a miss: the missing bytes, extended to at
 * least hint bytes from where they start but not into bytes already known
 * (a gap before the tail is filled in one request), within the budget.
 */
static enum sp_rzip_rc ask(struct sp_rzip *z, int64_t hint, int64_t *off, int64_t *len,
			   struct sp_diag *d)
{
	int64_t start = z->miss_off, need = z->miss_off + z->miss_len, end = need;
	int64_t budget = z->total / 100 * SP_RANGE_MAX_SHARE_PCT;
	size_t i;

	/* a small file of unknown size costs little either way */
	if (budget < 2 * SP_RANGE_TAIL_BYTES)
		budget = 2 * SP_RANGE_TAIL_BYTES;
	if (hint > z->total - start)
		hint = z->total - start;
	if (start + hint > end)
		end = start + hint;
	for (i = 0; i < z->nsegs; i++) {
		if (z->segs[i].off > start) {
			if (z->segs[i].off < end && z->segs[i].off >= need)
				end = z->segs[i].off;
			break;
		}
	}
	if (sp_rzip_known(z) + (end - start) > SP_RANGE_MAX_BYTES) {
		sp_diag_set(d, SP_ELIMIT, "range requests would hold over %d bytes in memory "
			    "(%lld at %lld)", SP_RANGE_MAX_BYTES, (long long)(end - start),
			    (long long)start);
		return SP_RZIP_GIVE_UP;
	}
	if (sp_rzip_known(z) + (end - start) > budget) {
		sp_diag_set(d, SP_ELIMIT, "range requests would fetch over %d%% of the file",
			    SP_RANGE_MAX_SHARE_PCT);
		return SP_RZIP_GIVE_UP;
	}
	*off = start;
	*len = end - start;
	return SP_RZIP_MORE;
}

static enum sp_rzip_rc give_up(struct sp_diag *d, const char *what, const char *why)
{
	sp_diag_set(d, SP_EFORMAT, "%s%s%s", what, why ? ": " : "", why ? why : "");
	return SP_RZIP_GIVE_UP;
}

/* Finds the one X.dist-info/METADATA entry. */
static enum sp_rzip_rc find_metadata(zip_t *za, zip_uint64_t *idx, size_t *namelen,
				     struct sp_diag *d)
{
	zip_int64_t n = zip_get_num_entries(za, 0), i;
	unsigned found = 0;

	for (i = 0; i < n; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);

		if (name && sp_meta_is_wheel_metadata(name)) {
			found++;
			*idx = (zip_uint64_t)i;
			*namelen = strlen(name);
		}
	}
	if (found != 1)
		return give_up(d, found ? "more than one .dist-info/METADATA"
					: "no .dist-info/METADATA", NULL);
	return SP_RZIP_DONE;
}

enum sp_rzip_rc sp_rzip_step(struct sp_rzip *z, int64_t *off, int64_t *len, char **md,
			     size_t *mdlen, struct sp_diag *d)
{
	enum sp_rzip_rc rc;
	zip_source_t *src;
	zip_t *za = NULL;
	zip_file_t *zf = NULL;
	zip_error_t ze;
	zip_stat_t st;
	zip_uint64_t idx = 0;
	size_t namelen = 0;
	char *buf = NULL;
	int64_t got = 0, hint;
	zip_int64_t r;

	*md = NULL;
	*mdlen = 0;
	if (++z->rounds > SP_RANGE_MAX_ROUNDS) {
		sp_diag_set(d, SP_ELIMIT, "more than %d rounds of range requests",
			    SP_RANGE_MAX_ROUNDS);
		return SP_RZIP_GIVE_UP;
	}
	z->missing = false;
	zip_error_init(&ze);
	if (claims_too_much(z)) {
		sp_diag_set(d, SP_ELIMIT, "the zip claims a central directory of over %d bytes",
			    SP_RANGE_MAX_BYTES);
		return SP_RZIP_GIVE_UP;
	}
	src = zip_source_function_create(source_cb, z, &ze);
	if (!src) {
		rc = give_up(d, "libzip cannot start", zip_error_strerror(&ze));
		goto out;
	}
	za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (!za) {
		zip_source_free(src);
		/* Until the directory is read, fill the gap up to the bytes known. */
		rc = z->missing ? ask(z, z->total, off, len, d)
				: give_up(d, "not a zip archive", zip_error_strerror(&ze));
		goto out;
	}
	/* A miss while libzip tried another end record is no longer the one that matters. */
	z->missing = false;
	if ((rc = find_metadata(za, &idx, &namelen, d)) != SP_RZIP_DONE)
		goto out;
	zip_stat_init(&st);
	if (zip_stat_index(za, idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
	    !(st.valid & ZIP_STAT_COMP_SIZE)) {
		rc = give_up(d, "METADATA has no size", zip_strerror(za));
		goto out;
	}
	if (st.size > SP_MAX_METADATA_BYTES || st.comp_size > (zip_uint64_t)SP_RANGE_MAX_BYTES ||
	    st.comp_size > (zip_uint64_t)z->total) {
		rc = give_up(d, "METADATA is larger than the cap", NULL);
		goto out;
	}
	/* The local header (30 bytes, the name, an extra field), then the data. */
	hint = (int64_t)st.comp_size + 30 + (int64_t)namelen + SP_RANGE_SLACK_BYTES;
	zf = zip_fopen_index(za, idx, 0);
	if (!zf) {
		rc = z->missing ? ask(z, hint, off, len, d)
				: give_up(d, "cannot open METADATA", zip_strerror(za));
		goto out;
	}
	buf = xmalloc((size_t)st.size + 1);
	while ((r = zip_fread(zf, buf + got, (zip_uint64_t)st.size + 1 - (zip_uint64_t)got)) > 0)
		got += r;
	if (r < 0) {
		rc = z->missing ? ask(z, hint, off, len, d)
				: give_up(d, "cannot read METADATA", zip_file_strerror(zf));
		goto out;
	}
	if ((zip_uint64_t)got != st.size) {
		rc = give_up(d, "METADATA is not the size its directory entry says", NULL);
		goto out;
	}
	buf[got] = '\0';
	*md = buf;
	*mdlen = (size_t)got;
	buf = NULL;
	rc = SP_RZIP_DONE;
out:
	if (zf)
		zip_fclose(zf);
	if (za)
		zip_discard(za);
	zip_error_fini(&ze);
	free(buf);
	return rc;
}
