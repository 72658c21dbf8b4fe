#include <string.h>

#include "core/csv.h"
#include "core/banned.h"

void sp_csv_init(struct sp_csv *r, const char *p, size_t len)
{
	r->p = p ? p : "";
	r->len = p ? len : 0;
	r->pos = 0;
	r->line = 1;
}

void sp_csv_row_init(struct sp_csv_row *row, size_t field_max)
{
	size_t i;

	memset(row, 0, sizeof(*row));
	for (i = 0; i < SP_CSV_FIELDS; i++)
		sp_buf_init(&row->f[i], field_max);
}

void sp_csv_row_release(struct sp_csv_row *row)
{
	size_t i;

	for (i = 0; i < SP_CSV_FIELDS; i++)
		sp_buf_release(&row->f[i]);
}

static void put(struct sp_csv_row *row, char ch)
{
	if (row->nfields < SP_CSV_FIELDS && sp_buf_add(&row->f[row->nfields], &ch, 1) &&
	    !row->error)
		row->error = "a field is too long";
}

bool sp_csv_next(struct sp_csv *r, struct sp_csv_row *row)
{
	enum { START, FIELD, QUOTED, QUOTE } st = START;
	size_t i;

	for (i = 0; i < SP_CSV_FIELDS; i++)
		sp_buf_reset(&row->f[i]);
	row->nfields = 0;
	row->error = NULL;
	while (r->pos < r->len && (r->p[r->pos] == '\n' || r->p[r->pos] == '\r')) {
		if (r->p[r->pos] == '\n' || r->pos + 1 >= r->len || r->p[r->pos + 1] != '\n')
			r->line++;
		r->pos++;
	}
	if (r->pos >= r->len)
		return false;
	row->line = r->line;
	while (r->pos < r->len) {
		char ch = r->p[r->pos++];
		bool nl = ch == '\n' || ch == '\r';

		if (nl) {
			if (ch == '\r' && r->pos < r->len && r->p[r->pos] == '\n')
				r->pos++;
			r->line++;
		}
		if (ch == '\0' && !row->error)
			row->error = "a NUL byte";
		switch (st) {
		case START:
			if (ch == '"') {
				st = QUOTED;
				break;
			}
			/* fall through */
		case QUOTE:
			/* "" is a quote; anything else continues the field unquoted. */
			if (ch == '"') {
				put(row, '"');
				st = QUOTED;
				break;
			}
			/* fall through */
		case FIELD:
			if (ch == ',') {
				row->nfields++;
				st = START;
			} else if (nl) {
				row->nfields++;
				return true;
			} else {
				put(row, ch);
				st = FIELD;
			}
			break;
		case QUOTED:
			if (ch == '"')
				st = QUOTE;
			else
				put(row, nl ? '\n' : ch);
			break;
		}
	}
	if (st == QUOTED && !row->error)
		row->error = "a quoted field is not closed";
	row->nfields++;
	return true;
}
