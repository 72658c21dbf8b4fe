/*
 * Small parsers the policy loader and evaluator share: package names,
 * durations, dates, SPDX license expressions and license classifiers. All
 * pure, all bounded by their input.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/xalloc.h"
#include "policy/policy.h"
#include "req/name.h"
#include "core/banned.h"

char *sp_policy_normalize_name(const char *name)
{
	return sp_name_normalize(name);
}

struct unit {
	const char *name;
	int64_t seconds;
};

static const struct unit units[] = {
	{"s", 1},
	{"sec", 1},
	{"secs", 1},
	{"second", 1},
	{"seconds", 1},
	{"min", 60},
	{"mins", 60},
	{"minute", 60},
	{"minutes", 60},
	{"h", 3600},
	{"hr", 3600},
	{"hrs", 3600},
	{"hour", 3600},
	{"hours", 3600},
	{"d", 86400},
	{"day", 86400},
	{"days", 86400},
	{"w", 604800},
	{"week", 604800},
	{"weeks", 604800},
	{"month", 2592000},
	{"months", 2592000},
	{"y", 31536000},
	{"year", 31536000},
	{"years", 31536000},
};

/* A century: no policy means more, and it keeps the arithmetic far from overflow. */
#define MAX_DURATION (100LL * 31536000)

int sp_policy_parse_duration(const char *s, int64_t *seconds)
{
	int64_t n = 0;
	const char *p = s;
	size_t i;

	if (!isdigit((unsigned char)*p))
		return SP_EINVAL;
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (*p++ - '0');
		if (n > MAX_DURATION)
			return SP_EINVAL;
	}
	if (*p == ' ')
		p++;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].name) == 0) {
			if (n > MAX_DURATION / units[i].seconds)
				return SP_EINVAL;
			*seconds = n * units[i].seconds;
			return 0;
		}
	}
	return SP_EINVAL;
}

/*
 * Days from 1970-01-01 to a proleptic Gregorian date: count whole 400-year
 * eras from 0000-03-01 (leap days fall at the end of such a year), then days
 * within the era.
 */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int sp_policy_parse_date(const char *s, int64_t *days)
{
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y = 0, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return SP_EINVAL;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return SP_EINVAL;
	for (i = 0; i < 4; i++)
		y = y * 10 + (unsigned)(s[i] - '0');
	m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
	d = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return SP_EINVAL;
	if (d > mdays[m - 1] + (m == 2 && leap(y)))
		return SP_EINVAL;
	*days = days_from_civil(y, m, d);
	return 0;
}

/* --- SPDX expressions --- */

/* Parentheses deeper than this are not a real license. */
#define MAX_LICENSE_DEPTH 16

struct lexer {
	const char *p;
	char tok[128];
	int depth;
	bool bad;
};

enum { T_END, T_ID, T_AND, T_OR, T_WITH, T_OPEN, T_CLOSE };

static bool id_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '+' || c == ':';
}

static int next_token(struct lexer *lx)
{
	size_t n = 0;

	while (*lx->p == ' ' || *lx->p == '\t')
		lx->p++;
	if (!*lx->p)
		return T_END;
	if (*lx->p == '(' || *lx->p == ')')
		return *lx->p++ == '(' ? T_OPEN : T_CLOSE;
	while (id_char(*lx->p)) {
		if (n + 1 >= sizeof(lx->tok)) {
			lx->bad = true;
			return T_END;
		}
		lx->tok[n++] = *lx->p++;
	}
	lx->tok[n] = '\0';
	if (n == 0) {
		lx->bad = true;
		return T_END;
	}
	if (strcasecmp(lx->tok, "AND") == 0)
		return T_AND;
	if (strcasecmp(lx->tok, "OR") == 0)
		return T_OR;
	if (strcasecmp(lx->tok, "WITH") == 0)
		return T_WITH;
	return T_ID;
}

static int peek(struct lexer *lx)
{
	const char *save = lx->p;
	int t = next_token(lx);

	lx->p = save;
	return t;
}

static bool allowed_id(const char *id, const struct sp_policy_name *allow, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(id, allow[i].name) == 0)
			return true;
	return false;
}

static bool parse_or(struct lexer *lx, const struct sp_policy_name *allow, size_t n);

static bool parse_atom(struct lexer *lx, const struct sp_policy_name *allow, size_t n)
{
	int t = next_token(lx);
	bool ok;

	if (t == T_OPEN) {
		if (++lx->depth > MAX_LICENSE_DEPTH) {
			lx->bad = true;
			return false;
		}
		ok = parse_or(lx, allow, n);
		if (next_token(lx) != T_CLOSE)
			lx->bad = true;
		lx->depth--;
		return ok;
	}
	if (t != T_ID) {
		lx->bad = true;
		return false;
	}
	/* "X WITH exception" only adds permissions to X: X decides. */
	ok = allowed_id(lx->tok, allow, n);
	if (peek(lx) == T_WITH) {
		next_token(lx);
		if (next_token(lx) != T_ID)
			lx->bad = true;
	}
	return ok;
}

static bool parse_and(struct lexer *lx, const struct sp_policy_name *allow, size_t n)
{
	bool ok = parse_atom(lx, allow, n);

	while (!lx->bad && peek(lx) == T_AND) {
		next_token(lx);
		ok = parse_atom(lx, allow, n) && ok;
	}
	return ok;
}

static bool parse_or(struct lexer *lx, const struct sp_policy_name *allow, size_t n)
{
	bool ok = parse_and(lx, allow, n);

	while (!lx->bad && peek(lx) == T_OR) {
		next_token(lx);
		ok = parse_and(lx, allow, n) || ok;
	}
	return ok;
}

int sp_policy_license_ok(const char *expr, const struct sp_policy_name *allow, size_t nallow)
{
	struct lexer lx = {.p = expr};
	bool ok = parse_or(&lx, allow, nallow);

	if (lx.bad || next_token(&lx) != T_END || lx.bad)
		return SP_EINVAL;
	return ok ? 1 : 0;
}

struct classifier {
	const char *suffix; /* last part of "License :: ..." */
	const char *spdx;   /* an SPDX expression */
};

/*
 * Trove license classifiers and what they stand for. Ambiguous ones
 * become an OR of what they can mean, so an allow list with any of those
 * accepts them.
 */
static const struct classifier classifiers[] = {
	{"MIT License", "MIT"},
	{"MIT No Attribution License (MIT-0)", "MIT-0"},
	{"BSD License", "BSD-2-Clause OR BSD-3-Clause"},
	{"Apache Software License", "Apache-2.0"},
	{"ISC License (ISCL)", "ISC"},
	{"Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"},
	{"Python Software Foundation License", "PSF-2.0"},
	{"GNU General Public License v2 (GPLv2)", "GPL-2.0-only"},
	{"GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"},
	{"GNU General Public License v3 (GPLv3)", "GPL-3.0-only"},
	{"GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later"},
	{"GNU Lesser General Public License v2 (LGPLv2)", "LGPL-2.0-only"},
	{"GNU Lesser General Public License v2 or later (LGPLv2+)", "LGPL-2.0-or-later"},
	{"GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"},
	{"GNU Lesser General Public License v3 or later (LGPLv3+)", "LGPL-3.0-or-later"},
	{"GNU Affero General Public License v3", "AGPL-3.0-only"},
	{"GNU Affero General Public License v3 or later (AGPLv3+)", "AGPL-3.0-or-later"},
	{"The Unlicense (Unlicense)", "Unlicense"},
	{"Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0"},
	{"Boost Software License 1.0 (BSL-1.0)", "BSL-1.0"},
	{"zlib/libpng License", "Zlib"},
	{"CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"},
	{"Historical Permission Notice and Disclaimer (HPND)", "HPND"},
};

const char *sp_policy_classifier_spdx(const char *c)
{
	const char *last;
	size_t i;

	if (strncmp(c, "License ::", 10) != 0)
		return NULL;
	last = strrchr(c, ':');
	last = last ? last + 1 : c;
	while (*last == ' ')
		last++;
	for (i = 0; i < sizeof(classifiers) / sizeof(classifiers[0]); i++)
		if (strcmp(last, classifiers[i].suffix) == 0)
			return classifiers[i].spdx;
	return NULL;
}
