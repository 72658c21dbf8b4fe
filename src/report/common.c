#include "report/report.h"

void sp_report_counts(const struct sp_report *r, size_t counts[5])
{
	size_t i, j;

	for (i = 0; i < 5; i++)
		counts[i] = 0;
	for (i = 0; i < r->nartifacts; i++)
		for (j = 0; j < r->artifacts[i]->nfindings; j++)
			counts[r->artifacts[i]->findings[j].severity]++;
}

bool sp_report_failed(const struct sp_report *r)
{
	size_t i;

	for (i = 0; i < r->nartifacts; i++) {
		if (r->artifacts[i]->error)
			return true;
		if (r->fail_on_verdict != SP_ACTION_UNSET) {
			if (r->verdicts && r->verdicts[i].action >= r->fail_on_verdict)
				return true;
			continue;
		}
		if (r->fail_on >= 0 && sp_artifact_max_severity(r->artifacts[i]) >= r->fail_on)
			return true;
	}
	return false;
}

enum sp_action sp_report_verdict(const struct sp_report *r)
{
	enum sp_action a = SP_ACTION_ALLOW;
	size_t i;

	for (i = 0; r->verdicts && i < r->nartifacts; i++)
		if (r->verdicts[i].action > a)
			a = r->verdicts[i].action;
	return a;
}
