/*
 * What the JSON and SARIF writers share; nothing outside src/report
 * includes this.
 */
#ifndef SP_REPORT_INTERNAL_H
#define SP_REPORT_INTERNAL_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "report/report.h"

/*
 * Adds key: s, cleaned to valid UTF-8 (text from packages is hostile); a
 * NULL s adds null when null_if_absent, else nothing.
 */
void report_add_text(cJSON *o, const char *key, const char *s, bool null_if_absent);

/* The policy's layers, weakest first, as [{"layer", "file", "enforced"}]. */
cJSON *report_layers_json(const struct sp_report *r);

#endif
