#include "resolve/index.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <libxml/HTMLparser.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/limits.h"
#include "core/xalloc.h"
#include "core/banned.h"

void sp_index_page_init(struct sp_index_page *p, const char *url)
{
	memset(p, 0, sizeof(*p));
	sp_arena_init(&p->arena);
	p->url = sp_arena_strdup(&p->arena, url ? url : "");
	p->api_major = 1;
}

void sp_index_page_release(struct sp_index_page *p)
{
	free(p->files);
	sp_arena_release(&p->arena);
	memset(p, 0, sizeof(*p));
}

static int unhex(const char *s, size_t n, unsigned char *out)
{
	size_t i;

	if (n != SP_SHA256_LEN * 2)
		return -1;
	for (i = 0; i < n; i += 2) {
		int hi = isxdigit((unsigned char)s[i]), lo = isxdigit((unsigned char)s[i + 1]);
		char pair[3] = {s[i], s[i + 1], 0};

		if (!hi || !lo)
			return -1;
		out[i / 2] = (unsigned char)strtoul(pair, NULL, 16);
	}
	return 0;
}

int64_t sp_parse_iso8601(const char *s)
{
	struct tm tm;
	int y, mo, da, h, mi, se, n = 0;
	const char *p;
	time_t t;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &da, &h, &mi, &se, &n) != 6 ||
	    n != 19)
		return -1;
	if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 60 || y < 1970)
		return -1;
	p = s + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = da;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	return t < 0 ? -1 : (int64_t)t;
}

/* A file name an index may give: one path component, printable. */
static bool good_filename(const char *f)
{
	const unsigned char *p;

	if (!*f || strcmp(f, ".") == 0 || strcmp(f, "..") == 0 || strlen(f) > 255)
		return false;
	for (p = (const unsigned char *)f; *p; p++)
		if (*p == '/' || *p == '\\' || *p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/*
 * Resolves ref against the page URL. Returns the absolute URL without its
 * fragment (in the arena) and the fragment in *frag (malloc'd, or NULL), or
 * NULL when ref is not a URL safepip may follow from this page: only
 * http(s), and file: only from a file: page.
 */
static const char *resolve_url(struct sp_index_page *p, const char *base, const char *ref,
			       char **frag)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *out = NULL;
	const char *res = NULL;
	bool base_is_file = strncmp(base, "file:", 5) == 0;

	*frag = NULL;
	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, ref, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto out;
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0 &&
	    !(strcmp(scheme, "file") == 0 && base_is_file))
		goto out;
	if (curl_url_get(u, CURLUPART_FRAGMENT, frag, 0) != CURLUE_OK)
		*frag = NULL;
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK)
		goto out;
	res = sp_arena_strdup(&p->arena, out);
out:
	curl_free(out);
	curl_free(scheme);
	curl_url_cleanup(u);
	return res;
}

/* The decoded last path component of an absolute URL, in the arena. */
static const char *url_filename(struct sp_index_page *p, const char *url)
{
	CURLU *u = curl_url();
	char *path = NULL;
	const char *res = NULL, *slash;

	if (!u)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) == CURLUE_OK) {
		slash = strrchr(path, '/');
		res = sp_arena_strdup(&p->arena, slash ? slash + 1 : path);
	}
	curl_free(path);
	curl_url_cleanup(u);
	return res;
}

static struct sp_index_file *add_file(struct sp_index_page *p, struct sp_diag *d)
{
	struct sp_index_file *f;

	if (p->nfiles >= SP_MAX_INDEX_FILES) {
		sp_diag_set(d, SP_ELIMIT, "index page '%s' lists more than %d files", p->url,
			    SP_MAX_INDEX_FILES);
		return NULL;
	}
	SP_GROW(p->files, p->nfiles + 1, p->cap);
	f = &p->files[p->nfiles++];
	memset(f, 0, sizeof(*f));
	f->size = -1;
	f->upload_time = -1;
	f->index = p->url;
	return f;
}

/* "sha256=HEX" (a URL fragment, or an HTML metadata attribute). */
static void hash_from_fragment(const char *frag, bool *has, unsigned char *out)
{
	if (frag && strncmp(frag, "sha256=", 7) == 0 && unhex(frag + 7, strlen(frag + 7), out) == 0)
		*has = true;
}

/* --- PEP 691 JSON --- */

/* field is under files[i], or at the top when i is SIZE_MAX. */
static int json_bad(struct sp_index_page *p, struct sp_diag *d, size_t i, const char *field,
		    const char *what)
{
	if (d && i == SIZE_MAX)
		snprintf(d->where, sizeof(d->where), "%s", field);
	else if (d)
		snprintf(d->where, sizeof(d->where), "files[%zu]%s%s", i, *field ? "." : "", field);
	return sp_diag_set(d, SP_EFORMAT, "bad index page '%s': %s", p->url, what);
}

static int json_hashes(const cJSON *h, bool *has, unsigned char *out)
{
	const cJSON *s;

	if (!cJSON_IsObject(h))
		return -1;
	s = cJSON_GetObjectItemCaseSensitive(h, "sha256");
	if (!s)
		return 0;
	if (!cJSON_IsString(s) || unhex(s->valuestring, strlen(s->valuestring), out) != 0)
		return -1;
	*has = true;
	return 0;
}

static int json_file(struct sp_index_page *p, const cJSON *o, size_t i, struct sp_diag *d)
{
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(o, "filename");
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(o, "url");
	const cJSON *v;
	struct sp_index_file *f;
	char *frag = NULL;
	const char *abs;

	if (!cJSON_IsObject(o))
		return json_bad(p, d, i, "", "a file entry is not an object");
	if (!cJSON_IsString(fn) || !good_filename(fn->valuestring))
		return json_bad(p, d, i, "filename", "missing or unsafe file name");
	if (!cJSON_IsString(url))
		return json_bad(p, d, i, "url", "missing url");
	abs = resolve_url(p, p->url, url->valuestring, &frag);
	free(frag);
	if (!abs)
		return json_bad(p, d, i, "url", "url is not an http(s) URL");
	f = add_file(p, d);
	if (!f)
		return SP_ELIMIT;
	f->filename = sp_arena_strdup(&p->arena, fn->valuestring);
	f->url = abs;
	v = cJSON_GetObjectItemCaseSensitive(o, "hashes");
	if (v && json_hashes(v, &f->has_sha256, f->sha256) < 0)
		return json_bad(p, d, i, "hashes", "hashes is malformed");
	v = cJSON_GetObjectItemCaseSensitive(o, "requires-python");
	if (cJSON_IsString(v) && *v->valuestring)
		f->requires_python = sp_arena_strdup(&p->arena, v->valuestring);
	else if (v && !cJSON_IsNull(v) && !cJSON_IsString(v))
		return json_bad(p, d, i, "requires-python", "not a string");
	v = cJSON_GetObjectItemCaseSensitive(o, "yanked");
	if (cJSON_IsString(v)) {
		f->yanked = true;
		if (*v->valuestring)
			f->yanked_reason = sp_arena_strdup(&p->arena, v->valuestring);
	} else if (cJSON_IsBool(v)) {
		f->yanked = cJSON_IsTrue(v);
	} else if (v) {
		return json_bad(p, d, i, "yanked", "not a boolean or string");
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "size");
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9e15)
		f->size = (int64_t)v->valuedouble;
	else if (v && !cJSON_IsNull(v))
		return json_bad(p, d, i, "size", "not a size");
	v = cJSON_GetObjectItemCaseSensitive(o, "upload-time");
	if (cJSON_IsString(v)) {
		f->upload_time = sp_parse_iso8601(v->valuestring);
		if (f->upload_time < 0)
			return json_bad(p, d, i, "upload-time", "not an ISO 8601 time");
	}
	/* PEP 714 renamed the key; indexes may send either or both. */
	v = cJSON_GetObjectItemCaseSensitive(o, "core-metadata");
	if (!v)
		v = cJSON_GetObjectItemCaseSensitive(o, "dist-info-metadata");
	if (cJSON_IsTrue(v)) {
		f->has_metadata = true;
	} else if (cJSON_IsObject(v)) {
		f->has_metadata = true;
		if (json_hashes(v, &f->metadata_has_sha256, f->metadata_sha256) < 0)
			return json_bad(p, d, i, "core-metadata", "malformed hashes");
	} else if (v && !cJSON_IsFalse(v)) {
		return json_bad(p, d, i, "core-metadata", "not a boolean or object");
	}
	return 0;
}

static int api_version(struct sp_index_page *p, const char *s, struct sp_diag *d)
{
	int major, minor, n = 0;

	if (sscanf(s, "%d.%d%n", &major, &minor, &n) != 2 || s[n] || major < 0 || minor < 0)
		return sp_diag_set(d, SP_EFORMAT, "bad index page '%s': api-version '%s'", p->url,
				   s);
	if (major != 1)
		return sp_diag_set(d, SP_EUNSUPPORTED, "index page '%s' uses repository API "
				   "version %d, which safepip does not know", p->url, major);
	p->api_major = major;
	p->api_minor = minor;
	return 0;
}

int sp_index_parse_json(struct sp_index_page *p, const char *body, size_t len, struct sp_diag *d)
{
	cJSON *root = NULL;
	const cJSON *meta, *ver, *name, *files, *f;
	size_t i = 0;
	int err = 0;

	if (len > SP_MAX_INDEX_PAGE_BYTES)
		return sp_diag_set(d, SP_ELIMIT, "index page '%s' is larger than %lld bytes", p->url,
				   (long long)SP_MAX_INDEX_PAGE_BYTES);
	root = cJSON_ParseWithLength(body, len);
	if (!root) {
		err = sp_diag_set(d, SP_EPARSE, "bad index page '%s': not valid JSON", p->url);
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		err = json_bad(p, d, SIZE_MAX, "$", "not a JSON object");
		goto out;
	}
	meta = cJSON_GetObjectItemCaseSensitive(root, "meta");
	ver = meta ? cJSON_GetObjectItemCaseSensitive(meta, "api-version") : NULL;
	if (ver && !cJSON_IsString(ver)) {
		err = json_bad(p, d, SIZE_MAX, "meta.api-version", "not a string");
		goto out;
	}
	if (ver && (err = api_version(p, ver->valuestring, d)))
		goto out;
	name = cJSON_GetObjectItemCaseSensitive(root, "name");
	if (cJSON_IsString(name))
		p->name = sp_arena_strdup(&p->arena, name->valuestring);
	files = cJSON_GetObjectItemCaseSensitive(root, "files");
	if (!cJSON_IsArray(files)) {
		err = json_bad(p, d, SIZE_MAX, "files", "no files array");
		goto out;
	}
	cJSON_ArrayForEach(f, files) {
		if ((err = json_file(p, f, i++, d)))
			goto out;
	}
out:
	cJSON_Delete(root);
	return err;
}

/* --- PEP 503 HTML --- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

static const char *attr(struct sp_index_page *p, xmlNode *n, const char *name, bool *present)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	const char *res;

	if (present)
		*present = v != NULL;
	if (!v)
		return NULL;
	res = sp_arena_strdup(&p->arena, (const char *)v);
	xmlFree(v);
	return res;
}

static bool is_tag(xmlNode *n, const char *tag)
{
	return n->type == XML_ELEMENT_NODE && n->name &&
	       strcasecmp((const char *)n->name, tag) == 0;
}

/* The next node in document order, without recursion (pages are hostile). */
static xmlNode *next_node(xmlNode *n)
{
	if (n->children)
		return n->children;
	while (n) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

static int html_anchor(struct sp_index_page *p, const char *base, xmlNode *a, struct sp_diag *d)
{
	const char *href = attr(p, a, "href", NULL), *v, *abs, *fn;
	struct sp_index_file *f;
	char *frag = NULL;
	bool present;

	if (!href)
		return 0;
	abs = resolve_url(p, base, href, &frag);
	if (!abs || !(fn = url_filename(p, abs)) || !good_filename(fn)) {
		free(frag);
		return 0; /* not a link to a file: pages have navigation too */
	}
	f = add_file(p, d);
	if (!f) {
		free(frag);
		return SP_ELIMIT;
	}
	f->url = abs;
	f->filename = fn;
	hash_from_fragment(frag, &f->has_sha256, f->sha256);
	free(frag);
	v = attr(p, a, "data-requires-python", NULL);
	if (v && *v)
		f->requires_python = v;
	v = attr(p, a, "data-yanked", &present);
	if (present) {
		f->yanked = true;
		f->yanked_reason = v && *v ? v : NULL;
	}
	v = attr(p, a, "data-core-metadata", &present);
	if (!present)
		v = attr(p, a, "data-dist-info-metadata", &present);
	if (present && v && strcmp(v, "false") != 0) {
		f->has_metadata = true;
		hash_from_fragment(v, &f->metadata_has_sha256, f->metadata_sha256);
	}
	return 0;
}

int sp_index_parse_html(struct sp_index_page *p, const char *body, size_t len, struct sp_diag *d)
{
	htmlParserCtxtPtr ctx;
	htmlDocPtr doc;
	const xmlError *e;
	xmlNode *n;
	const char *base = p->url;
	int err = 0;

	if (len > SP_MAX_INDEX_PAGE_BYTES)
		return sp_diag_set(d, SP_ELIMIT, "index page '%s' is larger than %lld bytes", p->url,
				   (long long)SP_MAX_INDEX_PAGE_BYTES);
	pthread_once(&xml_once, xml_init);
	ctx = htmlNewParserCtxt();
	if (!ctx)
		return sp_diag_set(d, SP_ENOMEM, "cannot parse index page '%s'", p->url);
	doc = htmlCtxtReadMemory(ctx, body, (int)len, NULL, "UTF-8",
				 HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
					 HTML_PARSE_NONET);
	/*
	 * Tag soup is normal and recovered from; a fatal error (libxml2's depth
	 * cap) means the rest of the page was dropped, so links could be missing.
	 */
	e = xmlCtxtGetLastError(ctx);
	if (!doc || (e && e->level == XML_ERR_FATAL)) {
		err = sp_diag_set(d, SP_EPARSE, "bad index page '%s': %s", p->url,
				  e && e->message ? e->message : "not HTML");
		if (d && strchr(d->msg, '\n'))
			*strchr(d->msg, '\n') = '\0';
		goto out;
	}
	for (n = xmlDocGetRootElement(doc); n; n = next_node(n)) {
		if (is_tag(n, "base")) {
			/* The first <base href> sets where relative links point. */
			const char *h = attr(p, n, "href", NULL);
			char *frag = NULL;
			const char *abs = h && base == p->url ? resolve_url(p, p->url, h, &frag)
							       : NULL;

			free(frag);
			if (abs)
				base = abs;
		} else if (is_tag(n, "meta")) {
			const char *name = attr(p, n, "name", NULL);
			const char *content = attr(p, n, "content", NULL);

			if (name && content && strcmp(name, "pypi:repository-version") == 0 &&
			    (err = api_version(p, content, d)))
				goto out;
		} else if (is_tag(n, "a")) {
			if ((err = html_anchor(p, base, n, d)))
				goto out;
		}
	}
out:
	if (doc)
		xmlFreeDoc(doc);
	htmlFreeParserCtxt(ctx);
	return err;
}

int sp_index_parse(struct sp_index_page *p, const char *content_type, const char *body, size_t len,
		   struct sp_diag *d)
{
	const char *ct = content_type ? content_type : "";
	size_t n = strcspn(ct, ";");

	while (n && ct[n - 1] == ' ')
		n--;
	if (n == strlen("application/vnd.pypi.simple.v1+json") &&
	    strncasecmp(ct, "application/vnd.pypi.simple.v1+json", n) == 0)
		return sp_index_parse_json(p, body, len, d);
	if ((n == 9 && strncasecmp(ct, "text/html", n) == 0) ||
	    (n == strlen("application/vnd.pypi.simple.v1+html") &&
	     strncasecmp(ct, "application/vnd.pypi.simple.v1+html", n) == 0))
		return sp_index_parse_html(p, body, len, d);
	if (strncasecmp(ct, "application/vnd.pypi.simple.", 28) == 0)
		return sp_diag_set(d, SP_EUNSUPPORTED, "index page '%s' is '%.*s', a version "
				   "of the repository API safepip does not know", p->url, (int)n,
				   ct);
	return sp_diag_set(d, SP_EFORMAT, "index page '%s' has content type '%.*s', not an "
			   "index page (check --index-url)", p->url, (int)n, ct);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct sp_index_file *)a)->filename,
		      ((const struct sp_index_file *)b)->filename);
}

int sp_index_scan_dir(struct sp_index_page *p, const char *dir, struct sp_diag *d)
{
	char *real = realpath(dir, NULL);
	DIR *dh = real ? opendir(real) : NULL;
	struct dirent *e;
	CURLU *u = NULL;
	int err = 0;

	if (!dh) {
		free(real);
		return sp_diag_set(d, SP_ENOENT, "cannot read find-links directory '%s'", dir);
	}
	u = curl_url();
	while ((e = readdir(dh))) {
		struct stat st;
		char *path, *url = NULL;
		struct sp_index_file *f;

		if (e->d_name[0] == '.' || !good_filename(e->d_name))
			continue;
		path = xasprintf("%s/%s", real, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (!u || curl_url_set(u, CURLUPART_URL, "file:///", 0) != CURLUE_OK ||
		    curl_url_set(u, CURLUPART_PATH, path, CURLU_URLENCODE) != CURLUE_OK ||
		    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
			free(path);
			err = sp_diag_set(d, SP_EINVAL, "cannot make a URL of '%s'", dir);
			goto out;
		}
		free(path);
		f = add_file(p, d);
		if (!f) {
			curl_free(url);
			err = SP_ELIMIT;
			goto out;
		}
		f->url = sp_arena_strdup(&p->arena, url);
		f->filename = sp_arena_strdup(&p->arena, e->d_name);
		f->size = (int64_t)st.st_size;
		curl_free(url);
	}
	/* readdir's order is the file system's; keep runs reproducible. */
	if (p->nfiles > 1)
		qsort(p->files, p->nfiles, sizeof(*p->files), cmp_file);
out:
	curl_url_cleanup(u);
	closedir(dh);
	free(real);
	return err;
}
