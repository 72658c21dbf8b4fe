/*
 * Shared by the policy's own files only: the table of scalar settings and
 * the operations on merged sets.
 */
#ifndef SP_POLICY_INTERNAL_H
#define SP_POLICY_INTERNAL_H

#include "policy/policy.h"

enum vtype {
	VT_FINDING_ACTION, /* ignore | warn | block */
	VT_ACTION,	   /* allow | warn | block */
	VT_BOOL,
	VT_DURATION, /* "7 days" -> seconds */
	VT_BYTES,    /* 1048576 or "1 MiB" */
	VT_COUNT,    /* a positive integer */
};

struct keydef {
	const char *section; /* "" for the top level */
	const char *name;
	const char *path; /* "$.section.name" */
	enum vtype type;
	bool low_is_strict; /* smaller values are stricter (false for bools: true is stricter) */
	int64_t min, max;   /* accepted range of numbers and durations */
};

extern const struct keydef sp_policy_keydefs[SP_PK_COUNT];

/* Whether a is at least as strict as b for scalar k (b set). */
bool sp_pk_at_least(enum sp_policy_key k, int64_t a, int64_t b);

/* Formats a scalar's value as JSON text into buf. */
void sp_pk_format(enum sp_policy_key k, int64_t v, char *buf, size_t size);

/* The action word for findings ("ignore") or other settings ("allow"). */
const char *sp_action_word(enum sp_action a, bool finding);

/* Whether entry e is at least as strict as f (applies as widely, acts as hard). */
bool sp_entry_at_least(const struct sp_policy_entry *e, const struct sp_policy_entry *f);

void sp_set_init(struct sp_policy_set *s);
void sp_set_release(struct sp_policy_set *s);

/*
 * Merges layer set src over dst. Values looser than floor (the enforced
 * layers before src's layer; may be NULL) are kept out, and each such
 * attempt is added to p's warnings when warn is set.
 */
void sp_set_merge(struct sp_policy *p, struct sp_policy_set *dst, const struct sp_policy_set *src,
		  const struct sp_policy_set *floor, bool warn);

/* Looks up an entry by key in a map sorted by key, or NULL. */
const struct sp_policy_entry *sp_map_find(const struct sp_policy_entry *m, size_t n,
					  const char *key);

/* "project layer (path)" for messages, into buf. */
void sp_layer_describe(const struct sp_policy *p, sp_layer_ref l, char *buf, size_t size);

#endif
