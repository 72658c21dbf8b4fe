/*
 * Advisories: CVSS v3 base scores against published ones, the OSV parser
 * on good and malformed records, each matching rule (ranges, pre-releases,
 * local versions, epochs, last_affected, limit, several ranges, explicit
 * versions), and the store: a fixture zip written by tests/support/osvgen.py
 * is imported and looked up, then syncs that fail half way (truncated zip,
 * damaged entry, missing or unreadable source, nothing for PyPI) must leave
 * the previous data working.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "advisory/db.h"
#include "advisory/osv.h"
#include "core/xalloc.h"

/* --- CVSS --- */

/* Base scores as NVD publishes them for these vectors. */
static const struct {
	const char *vector;
	double score;
} cvss_cases[] = {
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
	{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
	{"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1},
	{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
	{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5},
	{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N", 4.3},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8},
	{"CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8},
	{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 6.5},
	{"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", 9.1},
	{"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2},
	{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:H", 8.6},
	{"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
	/* temporal and environmental metrics leave the base score alone */
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C", 9.8},
	{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H/MAV:L/MS:C", 9.8},
	/* order does not matter */
	{"CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 9.8},
};

static const char *const bad_vectors[] = {
	"",
	"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",		     /* no prefix */
	"CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",	     /* another version */
	"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H",  /* v4 is not v3 */
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",	     /* A missing */
	"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /* twice */
	"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",	     /* bad value */
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",     /* trailing slash */
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1", /* unknown metric */
	"CVSS:3.1/av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:h",	     /* case */
	"CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",     /* two letters */
	"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q",  /* bad temporal value */
	"CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
	"CVSS:3.1/AV",
};

static void test_cvss(void **state)
{
	size_t i;
	double s;

	(void)state;
	for (i = 0; i < sizeof(cvss_cases) / sizeof(cvss_cases[0]); i++) {
		if (sp_cvss3_base_score(cvss_cases[i].vector, &s))
			fail_msg("case %zu rejected: %s", i, cvss_cases[i].vector);
		if (s < cvss_cases[i].score - 1e-9 || s > cvss_cases[i].score + 1e-9)
			fail_msg("%s: %.1f, want %.1f", cvss_cases[i].vector, s,
				 cvss_cases[i].score);
	}
	for (i = 0; i < sizeof(bad_vectors) / sizeof(bad_vectors[0]); i++)
		if (sp_cvss3_base_score(bad_vectors[i], &s) != SP_EINVAL)
			fail_msg("bad vector %zu accepted: %s", i, bad_vectors[i]);
	assert_int_equal(sp_adv_severity_of_score(9.0), SP_ADV_CRITICAL);
	assert_int_equal(sp_adv_severity_of_score(8.9), SP_ADV_HIGH);
	assert_int_equal(sp_adv_severity_of_score(7.0), SP_ADV_HIGH);
	assert_int_equal(sp_adv_severity_of_score(6.9), SP_ADV_MEDIUM);
	assert_int_equal(sp_adv_severity_of_score(4.0), SP_ADV_MEDIUM);
	assert_int_equal(sp_adv_severity_of_score(3.9), SP_ADV_LOW);
	assert_int_equal(sp_adv_severity_of_score(0.0), SP_ADV_LOW);
}

/* --- parsing --- */

/* JSON written with ' for " (none of these texts needs a real '). */
static char *json(const char *s)
{
	char *j = xstrdup(s), *p;

	for (p = j; *p; p++)
		if (*p == '\'')
			*p = '"';
	return j;
}

static int parse(struct sp_osv_record *r, const char *text, struct sp_diag *d)
{
	char *j = json(text);
	int err;

	sp_diag_clear(d);
	err = sp_osv_parse(r, j, strlen(j), d);
	free(j);
	return err;
}

static void test_parse_good(void **state)
{
	static const char *const rec =
		"{'schema_version': '1.6.0', 'id': 'PYSEC-2023-74', 'modified': "
		"'2024-01-01T00:00:00Z', 'published': '2023-05-26T18:15:00Z', 'aliases': "
		"['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'], 'summary': 'Leak\\nof "
		"a header', 'details': 'long text', 'severity': [{'type': 'CVSS_V3', 'score': "
		"'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N'}, {'type': 'CVSS_V4', 'score': "
		"'CVSS:4.0/AV:N'}], 'affected': [{'package': {'ecosystem': 'npm', 'name': 'x'}, "
		"'ranges': [{'type': 'SEMVER', 'events': [{'introduced': '0'}]}]}, {'package': "
		"{'ecosystem': 'PyPI', 'name': 'Requests', 'purl': 'pkg:pypi/requests'}, "
		"'ranges': [{'type': 'ECOSYSTEM', 'events': [{'introduced': '2.3.0'}, {'fixed': "
		"'2.31.0'}]}, {'type': 'GIT', 'repo': 'https://x', 'events': [{'introduced': "
		"'abcdef'}]}], 'versions': ['2.3.0', 'legacy-1'], 'ecosystem_specific': {'x': 1}, "
		"'database_specific': {'source': 'y'}}], 'references': [], 'future_key': {}}";
	struct sp_osv_record r;
	struct sp_diag d;

	(void)state;
	if (parse(&r, rec, &d))
		fail_msg("rejected: %s", d.msg);
	assert_string_equal(r.id, "PYSEC-2023-74");
	assert_string_equal(r.modified, "2024-01-01T00:00:00Z");
	assert_null(r.withdrawn);
	/* the record's own id among its aliases is dropped */
	assert_int_equal(r.naliases, 2);
	assert_string_equal(r.aliases[1], "GHSA-j8r2-6x86-q33q");
	assert_string_equal(r.summary, "Leak of a header");
	assert_true(r.score > 6.09 && r.score < 6.11);
	assert_int_equal(r.severity, SP_ADV_MEDIUM);
	assert_false(r.malicious);
	assert_int_equal(r.naffected, 1);
	assert_string_equal(r.affected[0].name, "requests");
	assert_int_equal(r.affected[0].nranges, 2);
	assert_int_equal(r.affected[0].ranges[0].nevents, 2);
	assert_int_equal(r.affected[0].ranges[0].events[1].kind, SP_OSV_FIXED);
	assert_int_equal(r.affected[0].ranges[1].type, SP_OSV_GIT);
	assert_int_equal(r.affected[0].nversions, 2);
	sp_osv_release(&r);

	/* malicious by id, by alias, by database_specific; severity words */
	assert_int_equal(parse(&r, "{'id': 'MAL-2024-1', 'modified': 'x'}", &d), 0);
	assert_true(r.malicious);
	assert_int_equal(r.severity, SP_ADV_UNKNOWN);
	sp_osv_release(&r);
	assert_int_equal(parse(&r, "{'id': 'GHSA-a', 'modified': 'x', 'aliases': ['MAL-1']}", &d),
			 0);
	assert_true(r.malicious);
	sp_osv_release(&r);
	assert_int_equal(parse(&r,
			       "{'id': 'OSV-1', 'modified': 'x', 'database_specific': "
			       "{'malicious-packages-origins': [], 'severity': 'MODERATE'}}",
			       &d),
			 0);
	assert_true(r.malicious);
	assert_int_equal(r.severity, SP_ADV_MEDIUM);
	sp_osv_release(&r);
	assert_int_equal(parse(&r,
			       "{'id': 'GHSA-b', 'modified': 'x', 'withdrawn': 'y', 'affected': "
			       "[{'package': {'ecosystem': 'PyPI', 'name': 'p'}, "
			       "'database_specific': {'severity': 'CRITICAL'}}]}",
			       &d),
			 0);
	assert_non_null(r.withdrawn);
	assert_int_equal(r.severity, SP_ADV_CRITICAL);
	sp_osv_release(&r);
}

static const struct {
	const char *json;
	int err;
	const char *where;
} bad_records[] = {
	{"", SP_EPARSE, "$"},
	{"[]", SP_EFORMAT, "$"},
	{"{'modified': 'x'}", SP_EFORMAT, "$.id"},
	{"{'id': 'A-1'}", SP_EFORMAT, "$.modified"},
	{"{'id': 'has space', 'modified': 'x'}", SP_EFORMAT, "$.id"},
	{"{'id': 7, 'modified': 'x'}", SP_EFORMAT, "$.id"},
	{"{'id': 'A-1', 'modified': 'x', 'aliases': 'CVE-1'}", SP_EFORMAT, "$.aliases"},
	{"{'id': 'A-1', 'modified': 'x', 'aliases': ['ok', 'a\\tb']}", SP_EFORMAT, "$.aliases[1]"},
	{"{'id': 'A-1', 'modified': 'x', 'summary': 1}", SP_EFORMAT, "$.summary"},
	{"{'id': 'A-1', 'modified': 'x', 'severity': [{'type': 'CVSS_V3', 'score': "
	 "'CVSS:3.1/AV:N'}]}",
	 SP_EFORMAT, "$.severity[0].score"},
	{"{'id': 'A-1', 'modified': 'x', 'severity': [{'type': 'CVSS_V3'}]}", SP_EFORMAT,
	 "$.severity[0].score"},
	{"{'id': 'A-1', 'modified': 'x', 'database_specific': []}", SP_EFORMAT, "$"},
	{"{'id': 'A-1', 'modified': 'x', 'affected': {}}", SP_EFORMAT, "$.affected"},
	{"{'id': 'A-1', 'modified': 'x', 'affected': [1]}", SP_EFORMAT, "$.affected[0]"},
	{"{'id': 'A-1', 'modified': 'x', 'affected': [{'package': {'ecosystem': 'PyPI'}}]}",
	 SP_EFORMAT, "$.affected[0].package.name"},
	{"{'id': 'A-1', 'modified': 'x', 'affected': [{'package': {'ecosystem': 'PyPI', 'name': "
	 "'p'}, 'ranges': [{'type': 'RANGE', 'events': []}]}]}",
	 SP_EFORMAT, "$.affected[0].ranges[0]"},
	{"{'id': 'A-1', 'modified': 'x', 'affected': [{'package': {'ecosystem': 'PyPI', 'name': "
	 "'p'}, 'ranges': [{'type': 'ECOSYSTEM', 'events': [{'introduced': '0', 'fixed': "
	 "'1'}]}]}]}",
	 SP_EFORMAT, "$.affected[0].ranges[0].events[0]"},
	{"{'id': 'A-1', 'modified': 'x', 'affected': [{'package': {'ecosystem': 'PyPI', 'name': "
	 "'p'}, 'ranges': [{'type': 'ECOSYSTEM', 'events': [{'fixed': '1.0-beta-weird'}]}]}]}",
	 SP_EFORMAT, "$.affected[0].ranges[0].events[0]"},
	{"{'id': 'A-1', 'modified': 'x', 'affected': [{'package': {'ecosystem': 'PyPI', 'name': "
	 "'p'}, 'ranges': [{'type': 'ECOSYSTEM', 'events': [{'fixed': 1}]}]}]}",
	 SP_EFORMAT, "$.affected[0].ranges[0].events[0].fixed"},
	{"{'id': 'A-1', 'modified': 'x', 'affected': [{'package': {'ecosystem': 'PyPI', 'name': "
	 "'p'}, 'versions': ['1.0', 2]}]}",
	 SP_EFORMAT, "$.affected[0].versions[1]"},
	{"{'id': 'A-1', 'modified': 'x', 'affected': [{'package': {'ecosystem': 'PyPI', 'name': "
	 "'p'}, 'ranges': [{'type': 'ECOSYSTEM'}]}]}",
	 SP_EFORMAT, "$.affected[0].ranges[0].events"},
	{"{'id': 'A-1', 'modified': 'x'} trailing", SP_EPARSE, "$"},
};

static void test_parse_bad(void **state)
{
	char deep[400];
	struct sp_osv_record r;
	struct sp_diag d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_records) / sizeof(bad_records[0]); i++) {
		int err = parse(&r, bad_records[i].json, &d);

		if (err != bad_records[i].err)
			fail_msg("case %zu: error %d, want %d (%s)", i, err, bad_records[i].err,
				 d.msg);
		if (strcmp(d.where, bad_records[i].where))
			fail_msg("case %zu: at %s, want %s (%s)", i, d.where, bad_records[i].where,
				 d.msg);
		assert_non_null(strstr(d.msg, "invalid OSV record"));
		sp_osv_release(&r);
	}
	/* nesting is refused before cJSON recurses */
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	assert_int_equal(parse(&r, deep, &d), SP_ELIMIT);
	sp_osv_release(&r);
}

/* --- matching --- */

struct match_case {
	const char *affected; /* the affected entry's ranges and versions */
	const char *version;
	bool hit;
	const char *fixed; /* NULL: none expected */
};

#define EV(...) "'ranges': [{'type': 'ECOSYSTEM', 'events': [" __VA_ARGS__ "]}]"
#define INTRO(v) "{'introduced': '" v "'}"
#define FIXED(v) "{'fixed': '" v "'}"
#define LAST(v) "{'last_affected': '" v "'}"
#define LIMIT(v) "{'limit': '" v "'}"

static const struct match_case match_cases[] = {
	/* introduced and fixed: the fixed version itself is not affected */
	{EV(INTRO("1.0") "," FIXED("2.0")), "0.9", false, NULL},
	{EV(INTRO("1.0") "," FIXED("2.0")), "1.0", true, "2.0"},
	{EV(INTRO("1.0") "," FIXED("2.0")), "1.5.3", true, "2.0"},
	{EV(INTRO("1.0") "," FIXED("2.0")), "2.0", false, NULL},
	{EV(INTRO("1.0") "," FIXED("2.0")), "2.0.0", false, NULL},
	{EV(INTRO("1.0") "," FIXED("2.0")), "3.0", false, NULL},
	/* pre-releases are ordered by PEP 440: 2.0rc1 < 2.0, 1.0rc1 < 1.0 */
	{EV(INTRO("1.0") "," FIXED("2.0")), "2.0rc1", true, "2.0"},
	{EV(INTRO("1.0") "," FIXED("2.0")), "2.0.dev3", true, "2.0"},
	{EV(INTRO("1.0") "," FIXED("2.0")), "1.0rc1", false, NULL},
	{EV(INTRO("1.0") "," FIXED("2.0")), "1.0.post1", true, "2.0"},
	{EV(INTRO("2.0a1") "," FIXED("2.0")), "2.0a1", true, "2.0"},
	{EV(INTRO("2.0a1") "," FIXED("2.0")), "2.0b3", true, "2.0"},
	{EV(INTRO("2.0a1") "," FIXED("2.0")), "2.0.dev1", false, NULL},
	{EV(INTRO("0") "," FIXED("2.0rc1")), "2.0rc1", false, NULL},
	{EV(INTRO("0") "," FIXED("2.0rc1")), "2.0b9", true, "2.0rc1"},
	/* local versions: affected when their public version is */
	{EV(INTRO("1.0") "," FIXED("2.0")), "1.0+local", true, "2.0"},
	{EV(INTRO("1.0") "," FIXED("2.0")), "1.9+ubuntu.1", true, "2.0"},
	{EV(INTRO("1.0") "," FIXED("2.0")), "2.0+local", false, NULL},
	{EV(INTRO("0") "," LAST("1.4")), "1.4+local", true, NULL},
	/* epochs: 1!1.5 comes after every epoch-0 version */
	{EV(INTRO("1.0") "," FIXED("2.0")), "0!1.5", true, "2.0"},
	{EV(INTRO("1.0") "," FIXED("2.0")), "1!1.5", false, NULL},
	{EV(INTRO("1!1.0") "," FIXED("1!2.0")), "1!1.5", true, "1!2.0"},
	{EV(INTRO("1!1.0") "," FIXED("1!2.0")), "1.5", false, NULL},
	{EV(INTRO("1!1.0") "," FIXED("1!2.0")), "5.0", false, NULL},
	/* last_affected is inclusive */
	{EV(INTRO("0") "," LAST("1.4")), "0.0.1", true, NULL},
	{EV(INTRO("0") "," LAST("1.4")), "1.4", true, NULL},
	{EV(INTRO("0") "," LAST("1.4")), "1.4.0", true, NULL},
	{EV(INTRO("0") "," LAST("1.4")), "1.4.post1", false, NULL},
	{EV(INTRO("0") "," LAST("1.4")), "1.4.1", false, NULL},
	/* limit: nothing at or above it */
	{EV(INTRO("0") "," LIMIT("2.0")), "1.9", true, NULL},
	{EV(INTRO("0") "," LIMIT("2.0")), "2.0", false, NULL},
	{EV(INTRO("0") "," LIMIT("2.0")), "3.0", false, NULL},
	{EV(INTRO("0") "," LIMIT("*")), "99", true, NULL},
	/* events in any order are sorted first */
	{EV(FIXED("2.0") "," INTRO("1.0")), "1.5", true, "2.0"},
	{EV(FIXED("2.0") "," INTRO("1.0")), "2.5", false, NULL},
	/* introduced again after a fix, in one range */
	{EV(INTRO("1.0") "," FIXED("1.2") "," INTRO("1.5") "," FIXED("1.6")), "1.3", false, NULL},
	{EV(INTRO("1.0") "," FIXED("1.2") "," INTRO("1.5") "," FIXED("1.6")), "1.1", true, "1.2"},
	{EV(INTRO("1.0") "," FIXED("1.2") "," INTRO("1.5") "," FIXED("1.6")), "1.5.1", true, "1.6"},
	/* several ranges; the first fixed version is one no range brings back */
	{"'ranges': [{'type': 'ECOSYSTEM', 'events': [" INTRO("0") "," FIXED(
		 "1.0") "]}, "
			"{'type': 'ECOSYSTEM', 'events': [" INTRO("2.0") "," FIXED("2.5") "]}]",
	 "2.1", true, "2.5"},
	{"'ranges': [{'type': 'ECOSYSTEM', 'events': [" INTRO("0") "," FIXED(
		 "1.0") "]}, "
			"{'type': 'ECOSYSTEM', 'events': [" INTRO("2.0") "," FIXED("2.5") "]}]",
	 "1.5", false, NULL},
	{"'ranges': [{'type': 'ECOSYSTEM', 'events': [" INTRO("0") "," FIXED(
		 "1.0") "]}, "
			"{'type': 'ECOSYSTEM', 'events': [" INTRO("1.0") "," FIXED("1.1") "]}]",
	 "0.5", true, "1.1"},
	/* SEMVER ranges of PyPI packages are PEP 440 too; GIT ranges never match */
	{"'ranges': [{'type': 'SEMVER', 'events': [" INTRO("1.0.0") "," FIXED("1.2.0") "]}]", "1.1",
	 true, "1.2.0"},
	{"'ranges': [{'type': 'GIT', 'repo': 'r', 'events': [" INTRO("0") "]}]", "1.0", false,
	 NULL},
	/* explicit versions: PEP 440 equality, local labels, legacy strings */
	{"'versions': ['1.0', '1.1+abc', 'weird-legacy']", "1.0", true, NULL},
	{"'versions': ['1.0', '1.1+abc', 'weird-legacy']", "1.00", true, NULL},
	{"'versions': ['1.0', '1.1+abc', 'weird-legacy']", "1.0+x", true, NULL},
	{"'versions': ['1.0', '1.1+abc', 'weird-legacy']", "1.1", false, NULL},
	{"'versions': ['1.0', '1.1+abc', 'weird-legacy']", "1.1+ABC", true, NULL},
	{"'versions': ['1.0', '1.1+abc', 'weird-legacy']", "1.1+abd", false, NULL},
	{"'versions': ['1.0', '1.1+abc', 'weird-legacy']", "weird-legacy", true, NULL},
	{"'versions': ['1.0', '1.1+abc', 'weird-legacy']", "1.2", false, NULL},
	/* listed and in a range: the fixed version comes from the range */
	{EV(INTRO("1.0") "," FIXED("1.3")) ", 'versions': ['0.5']", "0.5", true, "1.3"},
	/* a queried version that is not PEP 440 matches only a list entry */
	{EV(INTRO("0")), "not a version", false, NULL},
	/* no introduced event: nothing is affected */
	{EV(FIXED("1.0")), "0.5", false, NULL},
};

static void test_match(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		struct sp_osv_record r;
		struct sp_diag d;
		const char *fixed = "unset";
		char text[2048];
		bool hit;

		snprintf(text, sizeof(text),
			 "{'id': 'T-1', 'modified': 'x', 'affected': [{'package': {'ecosystem': "
			 "'PyPI', 'name': 'p'}, %s}]}",
			 c->affected);
		if (parse(&r, text, &d))
			fail_msg("case %zu rejected: %s", i, d.msg);
		assert_int_equal(r.naffected, 1);
		hit = sp_osv_affects(&r.affected[0], c->version, &fixed);
		if (hit != c->hit)
			fail_msg("case %zu: '%s' %s, want %s", i, c->version,
				 hit ? "affected" : "not affected",
				 c->hit ? "affected" : "not affected");
		if (hit && (c->fixed ? !fixed || strcmp(fixed, c->fixed) : fixed != NULL))
			fail_msg("case %zu: '%s' fixed in %s, want %s", i, c->version,
				 fixed ? fixed : "(none)", c->fixed ? c->fixed : "(none)");
		sp_osv_release(&r);
	}
}

/* --- the store --- */

static char tmpdir[64];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static const char *osvgen(void)
{
	static char path[4096];
	const char *src = getenv("SP_SOURCE_DIR");

	snprintf(path, sizeof(path), "%s/tests/support/osvgen.py", src ? src : "../..");
	return path;
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sp-advisory-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	sh("python3 '%s' fixture %s/fixture.zip", osvgen(), tmpdir);
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	sh("rm -rf '%s'", tmpdir);
	return 0;
}

static char *tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* The ids affecting name==version, joined by ' ', with "@fixed" after each when known. */
static char *lookup(struct sp_advisory_db *db, const char *name, const char *version)
{
	struct sp_advisory_list l;
	struct sp_diag d;
	char buf[1024] = "";
	size_t i, n = 0;

	sp_advisory_list_init(&l);
	sp_diag_clear(&d);
	if (sp_advisory_match(db, name, version, &l, &d))
		fail_msg("lookup %s %s: %s", name, version ? version : "-", d.msg);
	for (i = 0; i < l.n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s%s", i ? " " : "",
				      l.items[i].id, l.items[i].fixed ? "@" : "",
				      l.items[i].fixed ? l.items[i].fixed : "");
	sp_advisory_list_release(&l);
	return xstrdup(buf);
}

static void expect(struct sp_advisory_db *db, const char *name, const char *version,
		   const char *want)
{
	char *got = lookup(db, name, version);

	if (strcmp(got, want))
		fail_msg("%s %s: '%s', want '%s'", name, version ? version : "-", got, want);
	free(got);
}

static const struct {
	const char *name, *version, *want;
} db_cases[] = {
	{"requests", "2.30.0", "PYSEC-2023-74@2.31.0"},
	{"Requests", "2.3.0+local", "PYSEC-2023-74@2.31.0"},
	{"requests", "2.31.0", ""},
	{"requests", "2.2", ""}, /* the withdrawn record would match it */
	{"demo-lib", "1.4", "GHSA-demo-crit-0001"},
	{"demo.lib", "1.0", "GHSA-demo-crit-0001"},
	{"demo-lib", "1.4.1", ""},
	{"evil_pkg", "0.1.0", "MAL-2024-0001"},
	{"EVIL-PKG", "0.2.0", "MAL-2024-0001"},
	{"evil-pkg", "0.3.0", ""},
	{"mixed", "2.9", "GHSA-word-high-0001@3.0"},
	{"left-pad", "1.0", ""},
	{"prelib", "2.0rc1", ""},
	{"prelib", "2.0b1", "PYSEC-2024-0002@2.0rc1"},
	{"prelib", "3.0b1", "PYSEC-2024-0002"},
	{"prelib", "3.0", ""},
	{"epochlib", "1!1.5", "PYSEC-2024-0003@1!2.0"},
	{"epochlib", "1.5", ""},
	{"multi", "1.5.1", "PYSEC-2024-0004@1.6"},
	{"multi", "2.0", "PYSEC-2024-0004@2.1"},
	{"multi", "1.3", ""},
	/* two affected entries of one record for one package: one advisory */
	{"split-lib", "1.0", "PYSEC-2024-0005@1.1"},
	{"split_lib", "2.1", "PYSEC-2024-0005@2.2"},
	{"split-lib", "1.5", ""},
	{"badlib", "1.0", ""},
	{"unknown-package", "1.0", ""},
	/* no version: every advisory naming the package */
	{"requests", NULL, "PYSEC-2023-74"},
};

static void open_ok(const char *path, struct sp_advisory_db **db)
{
	struct sp_diag d;

	sp_diag_clear(&d);
	if (sp_advisory_db_open(db, path, &d))
		fail_msg("open %s: %s", path, d.msg);
}

static int import_file(const char *db, const char *zip, struct sp_advisory_sync_stats *st,
		       struct sp_diag *d)
{
	sp_diag_clear(d);
	return sp_advisory_sync(db, zip, NULL, 1700000000, st, d);
}

static void test_store(void **state)
{
	char *db = tpath("store/adv.sqlite"), *zip = tpath("fixture.zip");
	struct sp_advisory_sync_stats st;
	struct sp_advisory_info info;
	struct sp_advisory_list l;
	struct sp_advisory_db *h;
	struct sp_diag d;
	size_t i;

	(void)state;
	sp_diag_clear(&d);
	assert_int_equal(sp_advisory_db_open(&h, db, &d), SP_ENOENT);
	assert_non_null(strstr(d.msg, "advisories sync"));
	if (import_file(db, zip, &st, &d))
		fail_msg("import: %s", d.msg);
	assert_int_equal(st.imported, 8);
	assert_int_equal(st.malicious, 1);
	assert_int_equal(st.withdrawn, 1);
	assert_int_equal(st.other, 1);
	assert_int_equal(st.bad, 1);
	assert_int_equal(st.nbad_shown, 1);
	assert_non_null(strstr(st.bad_shown[0], "PYSEC-2024-9999"));
	assert_non_null(strstr(st.bad_shown[0], "not a PEP 440 version"));

	open_ok(db, &h);
	for (i = 0; i < sizeof(db_cases) / sizeof(db_cases[0]); i++)
		expect(h, db_cases[i].name, db_cases[i].version, db_cases[i].want);

	/* the details of one: aliases together, severity from CVSS, summary */
	sp_advisory_list_init(&l);
	assert_int_equal(sp_advisory_match(h, "requests", "2.30.0", &l, &d), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(sp_advisory_aliases_text(&l, &l.items[0]),
			    "CVE-2023-32681, GHSA-j8r2-6x86-q33q");
	assert_int_equal(l.items[0].severity, SP_ADV_MEDIUM);
	assert_true(l.items[0].score > 6.09 && l.items[0].score < 6.11);
	assert_false(l.items[0].malicious);
	assert_non_null(strstr(l.items[0].summary, "Proxy-Authorization"));
	/* lookups append: malicious and critical ones sort first within a lookup */
	assert_int_equal(sp_advisory_match(h, "evil-pkg", "0.1.0", &l, &d), 0);
	assert_int_equal(l.n, 2);
	assert_true(l.items[1].malicious);
	assert_int_equal(l.items[1].severity, SP_ADV_UNKNOWN);
	sp_advisory_list_release(&l);

	assert_int_equal(sp_advisory_db_info(h, &info, &d), 0);
	assert_string_equal(info.source, zip);
	assert_int_equal(info.synced_at, 1700000000);
	assert_int_equal(info.advisories, 8);
	assert_int_equal(info.malicious, 1);
	assert_int_equal(info.packages, 8);
	assert_int_equal(info.withdrawn, 1);
	assert_int_equal(info.bad, 1);
	sp_advisory_db_close(h);
	free(db);
	free(zip);
}

/* A sync that fails at any point leaves the previous data as it was. */
static void test_failed_syncs(void **state)
{
	char *db = tpath("fail/adv.sqlite"), *good = tpath("fixture.zip");
	char *trunc = tpath("trunc.zip"), *corrupt = tpath("corrupt.zip");
	char *invalid = tpath("invalid.zip"), *npm = tpath("npm.zip"), *npmjson = tpath("npm.json");
	char *notzip = tpath("notzip.zip"), *dir = tpath("adir");
	const char *const failing[] = {trunc, corrupt, notzip, npm, dir, "/nonexistent/all.zip"};
	struct sp_advisory_sync_stats st;
	struct sp_advisory_info info;
	struct sp_advisory_db *h;
	struct sp_diag d;
	FILE *f;
	size_t i;

	(void)state;
	sh("python3 '%s' truncate %s %s", osvgen(), good, trunc);
	sh("python3 '%s' corrupt %s %s", osvgen(), good, corrupt);
	sh("python3 '%s' invalid %s", osvgen(), invalid);
	f = fopen(npmjson, "w");
	assert_non_null(f);
	fputs("{\"id\": \"GHSA-only-npm\", \"modified\": \"x\", \"affected\": [{\"package\": "
	      "{\"ecosystem\": \"npm\", \"name\": \"x\"}}]}",
	      f);
	fclose(f);
	sh("python3 '%s' records %s %s", osvgen(), npm, npmjson);
	f = fopen(notzip, "w");
	assert_non_null(f);
	fputs("not a zip at all\n", f);
	fclose(f);
	assert_int_equal(mkdir(dir, 0700), 0);

	if (import_file(db, good, &st, &d))
		fail_msg("import: %s", d.msg);
	for (i = 0; i < sizeof(failing) / sizeof(failing[0]); i++) {
		int err = import_file(db, failing[i], &st, &d);

		if (err == 0)
			fail_msg("sync from %s succeeded", failing[i]);
		assert_true(d.msg[0] != '\0');
		/* the old data still answers, from the old source */
		open_ok(db, &h);
		expect(h, "requests", "2.30.0", "PYSEC-2023-74@2.31.0");
		assert_int_equal(sp_advisory_db_info(h, &info, &d), 0);
		assert_string_equal(info.source, good);
		sp_advisory_db_close(h);
	}
	/* no temporary file is left behind */
	sh("test $(ls %s/fail | wc -l) -eq 1", tmpdir);

	/* a record that is not JSON is counted and named; the rest is imported */
	if (import_file(db, invalid, &st, &d))
		fail_msg("import: %s", d.msg);
	assert_int_equal(st.bad, 2);
	assert_int_equal(st.imported, 8);
	assert_non_null(strstr(st.bad_shown[0], ".json"));
	open_ok(db, &h);
	assert_int_equal(sp_advisory_db_info(h, &info, &d), 0);
	assert_string_equal(info.source, invalid);
	expect(h, "evil-pkg", "0.1.0", "MAL-2024-0001");
	sp_advisory_db_close(h);

	/* a file that is no database is refused, not trusted */
	f = fopen(notzip, "w");
	fputs("SQLite format 3\n garbage", f);
	fclose(f);
	sp_diag_clear(&d);
	assert_int_not_equal(sp_advisory_db_open(&h, notzip, &d), 0);
	assert_true(d.msg[0] != '\0');

	free(db);
	free(good);
	free(trunc);
	free(corrupt);
	free(invalid);
	free(npm);
	free(npmjson);
	free(notzip);
	free(dir);
}

static void test_path(void **state)
{
	char buf[4096];

	(void)state;
	setenv("SAFEPIP_ADVISORY_DB", "/x/y.sqlite", 1);
	assert_int_equal(sp_advisory_db_path(buf, sizeof(buf), NULL), 0);
	assert_string_equal(buf, "/x/y.sqlite");
	unsetenv("SAFEPIP_ADVISORY_DB");
	setenv("XDG_DATA_HOME", "/data", 1);
	assert_int_equal(sp_advisory_db_path(buf, sizeof(buf), NULL), 0);
	assert_string_equal(buf, "/data/safepip/advisories.sqlite");
	setenv("XDG_DATA_HOME", "relative", 1);
	setenv("HOME", "/home/u", 1);
	assert_int_equal(sp_advisory_db_path(buf, sizeof(buf), NULL), 0);
	assert_string_equal(buf, "/home/u/.local/share/safepip/advisories.sqlite");
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	assert_int_equal(sp_advisory_db_path(buf, sizeof(buf), NULL), SP_ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cvss),	  cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad), cmocka_unit_test(test_match),
		cmocka_unit_test(test_store),	  cmocka_unit_test(test_failed_syncs),
		cmocka_unit_test(test_path),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
