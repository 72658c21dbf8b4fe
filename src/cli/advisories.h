/*
 * safepip advisories: the command, and the helpers install, download,
 * policy explain, scan and lock use to put known advisories into the
 * policy's facts (src/advisory, docs/advisories.md).
 *
 * Ownership: struct cli_advisories owns the database handle and every
 * advisory handed to facts until cli_advisories_close(); facts filled by
 * cli_advisories_fill() must not outlive it.
 */
#ifndef SP_CLI_ADVISORIES_H
#define SP_CLI_ADVISORIES_H

#include <stdbool.h>

#include "advisory/db.h"
#include "core/arena.h"
#include "policy/policy.h"

int cli_advisories(int argc, char **argv);

struct cli_advisories {
	struct sp_advisory_db *db; /* NULL: the policy does not ask, or there is no data */
	struct sp_advisory_list list;
	struct sp_arena arena;
	/* the policy's verdict on the data itself (missing, too old): ALLOW when fine */
	enum sp_action data_action;
};

/*
 * Opens the advisory data when the policy acts on advisories, and judges
 * the data (missing, older than advisories.max_age): a warning or block is
 * printed once to stderr prefixed by prog, and kept in data_action. Never
 * fails: unreadable data is missing data, which the policy decides about.
 * A zeroed struct may be closed.
 */
void cli_advisories_open(struct cli_advisories *r, const struct sp_policy_ctx *ctx,
			 const char *prog);

/*
 * Sets f->advisories to what affects f->name at f->version (nothing when
 * either is unknown or there is no data). A failed lookup sets
 * f->scan_error (when not set already), so the artifact is blocked: a
 * check that could not run does not pass.
 */
void cli_advisories_fill(struct cli_advisories *r, struct sp_policy_facts *f);

/*
 * For commands that judge no artifact as a whole (lock): the policy's
 * verdict on name==version by its advisories alone. Each advisory that
 * warns or blocks is printed to stderr prefixed by prog; returns the
 * strictest action (ALLOW when none), BLOCK when the lookup failed.
 */
enum sp_action cli_advisories_judge(struct cli_advisories *r, const struct sp_policy_ctx *ctx,
				    const char *name, const char *version, const char *prog);

void cli_advisories_close(struct cli_advisories *r);

#endif
