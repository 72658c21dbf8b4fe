/*
 * PEP 508 environment markers: parsing to a tree and evaluating it
 * against a target environment.
 *
 * Trees live in the caller's arena and are freed with it. Evaluation reads
 * the tree and the environment and keeps nothing.
 */
#ifndef SP_REQ_MARKER_H
#define SP_REQ_MARKER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

enum sp_marker_var {
	SP_MV_PYTHON_VERSION,
	SP_MV_PYTHON_FULL_VERSION,
	SP_MV_OS_NAME,
	SP_MV_SYS_PLATFORM,
	SP_MV_PLATFORM_RELEASE,
	SP_MV_PLATFORM_SYSTEM,
	SP_MV_PLATFORM_VERSION,
	SP_MV_PLATFORM_MACHINE,
	SP_MV_PLATFORM_PYTHON_IMPLEMENTATION,
	SP_MV_IMPLEMENTATION_NAME,
	SP_MV_IMPLEMENTATION_VERSION,
	SP_MV_EXTRA,
	SP_MV_COUNT
};

enum sp_marker_op {
	SP_MOP_LT,
	SP_MOP_LE,
	SP_MOP_EQ,
	SP_MOP_NE,
	SP_MOP_GE,
	SP_MOP_GT,
	SP_MOP_COMPATIBLE, /* ~= */
	SP_MOP_ARBITRARY,  /* === */
	SP_MOP_IN,
	SP_MOP_NOT_IN,
};

enum sp_marker_kind {
	SP_MARKER_CMP,
	SP_MARKER_AND,
	SP_MARKER_OR,
};

struct sp_marker {
	enum sp_marker_kind kind;
	/* SP_MARKER_AND, SP_MARKER_OR: two or more operands */
	struct sp_marker **kids;
	size_t nkids;
	/* SP_MARKER_CMP: a variable compared with a quoted string */
	enum sp_marker_var var;
	bool var_left; /* python_version > "3" rather than "3" < python_version */
	enum sp_marker_op op;
	const char *literal; /* the string's content; for extra, normalised */
};

/*
 * The target environment. Each value is a string as Python reports it
 * (python_version "3.11", sys_platform "linux"...); NULL reads as "".
 * extras are the extras requested of the package whose dependency is being
 * evaluated: a marker holds when it holds for any one of them, or for ""
 * when there are none (pip evaluates it once per extra the same way).
 */
struct sp_marker_env {
	const char *python_version;
	const char *python_full_version;
	const char *os_name;
	const char *sys_platform;
	const char *platform_release;
	const char *platform_system;
	const char *platform_version;
	const char *platform_machine;
	const char *platform_python_implementation;
	const char *implementation_name;
	const char *implementation_version;
	const char *const *extras;
	size_t nextras;
};

/* The variable's PEP 508 name. */
const char *sp_marker_var_name(enum sp_marker_var var);

/*
 * Parses a marker, s (len bytes): comparisons of one variable with one
 * quoted string (either side), joined by "and" (binding tighter) and "or",
 * grouped by parentheses up to SP_MAX_MARKER_DEPTH. Variables are PEP
 * 508's plus the dotted aliases packaging accepts (os.name, sys.platform,
 * platform.version, platform.machine, platform.python_implementation,
 * python_implementation). Returns 0 and *out, or SP_EPARSE (SP_ELIMIT for
 * a cap) with the 1-based column in d->col.
 */
int sp_marker_parse(struct sp_arena *a, const char *s, size_t len, struct sp_marker **out,
		    struct sp_diag *d);

/*
 * Evaluates m in env: 1 true, 0 false, or SP_EINVAL with d set when a
 * comparison is undefined (~= on values that are not versions). A
 * comparison is PEP 440's when "OP literal" is a valid specifier and the
 * other value a valid version, as packaging does (with pre-releases
 * allowed); otherwise it compares the strings (in, not in: substring).
 * Values of extra are normalised like project names before comparing.
 */
int sp_marker_evaluate(const struct sp_marker *m, const struct sp_marker_env *env,
		       struct sp_diag *d);

/* Appends m in canonical form: python_version >= "3.8" and (...). */
int sp_marker_format(const struct sp_marker *m, struct sp_buf *out);

#endif
