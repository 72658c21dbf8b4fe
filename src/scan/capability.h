/*
 * What a package can do, summed up from its capability findings (rules
 * capability-*, category "capability"): network (with the hosts its code
 * names), process launch, file writes, environment and credential reads,
 * dynamic code, native code and telemetry. The reports show it per
 * artifact; since it is derived from findings, the verdict cache and the
 * policy need nothing more.
 *
 * Ownership: sp_capsum_build() fills a struct the caller owns; its strings
 * are copies, freed by sp_capsum_release(). The artifact may be freed after.
 */
#ifndef SP_SCAN_CAPABILITY_H
#define SP_SCAN_CAPABILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "scan/scan.h"

enum sp_capability {
	SP_CAP_NETWORK,
	SP_CAP_PROCESS,
	SP_CAP_FILE_WRITE,
	SP_CAP_ENV,
	SP_CAP_CREDENTIALS,
	SP_CAP_DYNAMIC_CODE,
	SP_CAP_NATIVE_CODE,
	SP_CAP_TELEMETRY,
	SP_CAP_COUNT
};

struct sp_capsum {
	struct {
		size_t findings; /* capability findings of this kind */
		char **items;    /* distinct details (callee, variable, module, file), sorted */
		size_t nitems;
	} caps[SP_CAP_COUNT];
	char **hosts; /* distinct hosts of URL and IP literals, sorted (part of network) */
	size_t nhosts;
};

/* "network", "process", "file-write", "env", "credentials", "dynamic-code", ... */
const char *sp_capability_name(enum sp_capability c);

/* Sums up a's findings; items and hosts are capped at SP_MAX_CAPABILITY_ITEMS each. */
void sp_capsum_build(struct sp_capsum *s, const struct sp_artifact *a);
void sp_capsum_release(struct sp_capsum *s);
/* Whether any capability was found. */
bool sp_capsum_any(const struct sp_capsum *s);

#endif
