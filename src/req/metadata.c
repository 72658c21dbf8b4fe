/*
 * Core metadata headers (see metadata.h).
 *
 * Python's email parser, which pip reads metadata with, quietly ends the
 * headers at a line that is not a header and treats the rest as the body:
 * any Requires-Dist after it would be lost without a word. Here such a
 * line is an error, so a malformed file cannot hide dependencies.
 */
#include "req/metadata.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "req/internal.h"
#include "req/name.h"
#include "core/banned.h"

enum field {
	F_METADATA_VERSION,
	F_NAME,
	F_VERSION,
	F_REQUIRES_PYTHON,
	F_SUMMARY,
	F_HOME_PAGE,
	F_LICENSE,
	F_LICENSE_EXPRESSION,
	F_AUTHOR,
	F_AUTHOR_EMAIL,
	F_REQUIRES_DIST,
	F_PROVIDES_EXTRA,
	F_DYNAMIC,
	F_CLASSIFIER,
	F_PROJECT_URL,
	F_COUNT,
	F_OTHER = F_COUNT,
};

static const char *const field_names[F_COUNT] = {
	[F_METADATA_VERSION] = "Metadata-Version",
	[F_NAME] = "Name",
	[F_VERSION] = "Version",
	[F_REQUIRES_PYTHON] = "Requires-Python",
	[F_SUMMARY] = "Summary",
	[F_HOME_PAGE] = "Home-page",
	[F_LICENSE] = "License",
	[F_LICENSE_EXPRESSION] = "License-Expression",
	[F_AUTHOR] = "Author",
	[F_AUTHOR_EMAIL] = "Author-email",
	[F_REQUIRES_DIST] = "Requires-Dist",
	[F_PROVIDES_EXTRA] = "Provides-Extra",
	[F_DYNAMIC] = "Dynamic",
	[F_CLASSIFIER] = "Classifier",
	[F_PROJECT_URL] = "Project-URL",
};

/* Growable arrays of the repeated headers, with their capacities. */
struct lists {
	size_t cap[F_COUNT];
};

static enum field lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < F_COUNT; i++)
		if (strlen(field_names[i]) == len && !strncasecmp(field_names[i], name, len))
			return (enum field)i;
	return F_OTHER;
}

static const char **single(struct sp_metadata *m, enum field f)
{
	switch (f) {
	case F_METADATA_VERSION:
		return &m->metadata_version;
	case F_NAME:
		return &m->name;
	case F_VERSION:
		return &m->version_text;
	case F_REQUIRES_PYTHON:
		return &m->requires_python;
	case F_SUMMARY:
		return &m->summary;
	case F_HOME_PAGE:
		return &m->home_page;
	case F_LICENSE:
		return &m->license;
	case F_LICENSE_EXPRESSION:
		return &m->license_expression;
	case F_AUTHOR:
		return &m->author;
	case F_AUTHOR_EMAIL:
		return &m->author_email;
	default:
		return NULL;
	}
}

static void add_multi(struct sp_metadata *m, struct lists *l, enum field f, const char *value,
		      unsigned line)
{
	const char ***arr = NULL;
	size_t *n = NULL;

	switch (f) {
	case F_REQUIRES_DIST:
		m->requires_dist = sp_req_grow(&m->arena, m->requires_dist, m->nrequires_dist,
					       &l->cap[f], sizeof(*m->requires_dist));
		m->requires_dist[m->nrequires_dist].value = value;
		m->requires_dist[m->nrequires_dist++].line = line;
		return;
	case F_PROVIDES_EXTRA:
		arr = &m->provides_extra;
		n = &m->nprovides_extra;
		break;
	case F_DYNAMIC:
		arr = &m->dynamic;
		n = &m->ndynamic;
		break;
	case F_CLASSIFIER:
		arr = &m->classifiers;
		n = &m->nclassifiers;
		break;
	case F_PROJECT_URL:
		arr = &m->project_urls;
		n = &m->nproject_urls;
		break;
	default:
		return;
	}
	*arr = sp_req_grow(&m->arena, *arr, *n, &l->cap[f], sizeof(**arr));
	(*arr)[(*n)++] = value;
}

static int fail(struct sp_diag *d, int err, unsigned line, const char *what)
{
	if (d)
		d->line = line;
	return sp_diag_set(d, err, "invalid metadata at line %u: %s", line, what);
}

/* fail() for a message about one header. */
static int fail_field(struct sp_diag *d, int err, unsigned line, enum field f, const char *what)
{
	char msg[SP_DIAG_TEXT];

	snprintf(msg, sizeof(msg), "'%s' %s", field_names[f], what);
	return fail(d, err, line, msg);
}

/* One header being collected: its field, first line and unfolded value. */
struct header {
	enum field f;
	unsigned line;
	struct sp_buf value;
	bool active;
};

static int finish(struct sp_metadata *m, struct lists *l, struct header *h, struct sp_diag *d)
{
	const char **slot;
	char *v;
	size_t len;

	if (!h->active)
		return 0;
	h->active = false;
	if (h->f == F_OTHER)
		return 0;
	len = h->value.len;
	v = h->value.data ? h->value.data : "";
	while (len && sp_req_space(v[len - 1]))
		len--;
	while (len && sp_req_space(*v)) {
		v++;
		len--;
	}
	v = sp_arena_strndup(&m->arena, v, len);
	slot = single(m, h->f);
	if (!slot) {
		add_multi(m, l, h->f, v, h->line);
		return 0;
	}
	if (*slot && h->f <= F_VERSION)
		return fail_field(d, SP_EFORMAT, h->line, h->f, "appears twice");
	if (!*slot)
		*slot = v;
	return 0;
}

int sp_metadata_parse(struct sp_metadata *m, const char *data, size_t len, struct sp_diag *d)
{
	const char *p = data, *end = data + len;
	struct header h = {F_OTHER, 0, {0}, false};
	struct lists l;
	unsigned line = 0;
	size_t nheaders = 0;
	int err = 0;

	memset(m, 0, sizeof(*m));
	memset(&l, 0, sizeof(l));
	sp_arena_init(&m->arena);
	sp_buf_init(&h.value, SP_MAX_METADATA_VALUE);
	if (len > SP_MAX_METADATA_BYTES) {
		err = sp_diag_set(d, SP_ELIMIT,
				  "invalid metadata: larger than "
				  "SP_MAX_METADATA_BYTES");
		goto out;
	}
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		const char *eol = p, *next;
		size_t n;

		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		next = eol < end && *eol == '\r' && eol + 1 < end && eol[1] == '\n' ? eol + 2
		       : eol < end						    ? eol + 1
										    : eol;
		n = (size_t)(eol - p);
		line++;
		if (memchr(p, '\0', n)) {
			err = fail(d, SP_EFORMAT, line, "a NUL byte in the headers");
			goto out;
		}
		if (n == 0)
			break; /* the body follows */
		if (*p == ' ' || *p == '\t') {
			if (!h.active) {
				err = fail(d, SP_EFORMAT, line, "a folded line before any header");
				goto out;
			}
			if (h.f != F_OTHER && sp_buf_add(&h.value, p, n)) {
				err = fail_field(d, SP_ELIMIT, line, h.f,
						 "is longer than SP_MAX_METADATA_VALUE");
				goto out;
			}
		} else {
			const char *colon = memchr(p, ':', n), *q;

			for (q = p; q < (colon ? colon : eol); q++)
				if ((unsigned char)*q <= 32 || (unsigned char)*q >= 127)
					break;
			if (!colon || colon == p || q != colon) {
				char quoted[SP_REQ_QUOTE_MAX], msg[SP_DIAG_TEXT];

				sp_req_quote(quoted, sizeof(quoted), p, n);
				snprintf(msg, sizeof(msg), "not a 'Name: value' header: '%s'",
					 quoted);
				err = fail(d, SP_EFORMAT, line, msg);
				goto out;
			}
			if ((err = finish(m, &l, &h, d)))
				goto out;
			if (++nheaders > SP_MAX_METADATA_HEADERS) {
				err = fail(d, SP_ELIMIT, line,
					   "more headers than SP_MAX_METADATA_HEADERS");
				goto out;
			}
			h.f = lookup(p, (size_t)(colon - p));
			h.line = line;
			h.active = true;
			sp_buf_reset(&h.value);
			if (h.f != F_OTHER &&
			    sp_buf_add(&h.value, colon + 1, (size_t)(eol - colon - 1))) {
				err = fail_field(d, SP_ELIMIT, line, h.f,
						 "is longer than SP_MAX_METADATA_VALUE");
				goto out;
			}
		}
		p = next;
	}
	if ((err = finish(m, &l, &h, d)))
		goto out;
	if (!m->metadata_version || !m->name || !m->version_text) {
		err = sp_diag_set(d, SP_EFORMAT, "invalid metadata: no '%s' header",
				  !m->metadata_version ? "Metadata-Version"
				  : !m->name	       ? "Name"
						       : "Version");
		goto out;
	}
	if (!sp_name_valid(m->name, strlen(m->name))) {
		char quoted[SP_REQ_QUOTE_MAX];

		sp_req_quote(quoted, sizeof(quoted), m->name, strlen(m->name));
		err = sp_diag_set(d, SP_EFORMAT, "invalid metadata: Name '%s' is not a valid name",
				  quoted);
		goto out;
	}
	if ((err = sp_version_parse(&m->version, m->version_text, strlen(m->version_text), d))) {
		char msg[SP_DIAG_TEXT];

		snprintf(msg, sizeof(msg), "%s", d ? d->msg : "");
		err = sp_diag_set(d, SP_EFORMAT, "invalid metadata: %s", msg);
		goto out;
	}
out:
	sp_buf_release(&h.value);
	return err;
}

void sp_metadata_release(struct sp_metadata *m)
{
	sp_arena_release(&m->arena);
	memset(m, 0, sizeof(*m));
}

/* "2.2" and later; anything unreadable counts as older. */
static bool version_at_least_2_2(const char *v)
{
	unsigned long major = 0, minor = 0;
	size_t i = 0;

	if (!v || !sp_req_digit(v[0]))
		return false;
	for (; sp_req_digit(v[i]) && major < 1000; i++)
		major = major * 10 + (unsigned long)(v[i] - '0');
	if (v[i] == '.') {
		for (i++; sp_req_digit(v[i]) && minor < 1000; i++)
			minor = minor * 10 + (unsigned long)(v[i] - '0');
	}
	return major > 2 || (major == 2 && minor >= 2);
}

bool sp_metadata_requires_dist_is_static(const struct sp_metadata *m)
{
	size_t i;

	if (!version_at_least_2_2(m->metadata_version))
		return false;
	for (i = 0; i < m->ndynamic; i++)
		if (!strcasecmp(m->dynamic[i], "Requires-Dist"))
			return false;
	return true;
}

int sp_metadata_requirements(const struct sp_metadata *m, struct sp_arena *a,
			     struct sp_requirement ***out, size_t *n, struct sp_diag *d)
{
	size_t i;

	*out = sp_arena_alloc(a, (m->nrequires_dist + 1) * sizeof(**out));
	*n = 0;
	for (i = 0; i < m->nrequires_dist; i++) {
		const struct sp_metadata_line *rd = &m->requires_dist[i];
		int err = sp_requirement_parse(a, rd->value, strlen(rd->value), &(*out)[i], d);

		if (err) {
			char msg[SP_DIAG_TEXT];

			snprintf(msg, sizeof(msg), "%s", d ? d->msg : "");
			if (d)
				d->line = rd->line;
			return sp_diag_set(d, err, "invalid Requires-Dist at line %u: %s", rd->line,
					   msg);
		}
		(*n)++;
	}
	return 0;
}
