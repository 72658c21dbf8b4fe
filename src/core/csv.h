/*
 * Rows of a RECORD file (PEP 376 / the wheel spec), read as Python's csv
 * module reads them with its default dialect, since that module writes
 * and reads RECORD: a field that starts with '"' is quoted, "" in it is a
 * quote, commas and line breaks in it are data, and text after the closing
 * quote is kept; a quote elsewhere is an ordinary character. Rows end at
 * \n, \r or \r\n; empty rows are skipped.
 *
 * A row holds at most SP_CSV_FIELDS fields (more are counted, not kept),
 * each capped by the max given to sp_csv_row_init(). The reader does not
 * own the text; the row owns its buffers until sp_csv_row_release().
 */
#ifndef SP_CORE_CSV_H
#define SP_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define SP_CSV_FIELDS 3

struct sp_csv {
	const char *p;
	size_t len, pos;
	unsigned line; /* of the next byte, from 1 */
};

struct sp_csv_row {
	struct sp_buf f[SP_CSV_FIELDS];
	size_t nfields;    /* fields in the row, kept or not */
	unsigned line;     /* where the row starts */
	const char *error; /* why the row cannot be trusted, or NULL */
};

void sp_csv_init(struct sp_csv *r, const char *p, size_t len);
void sp_csv_row_init(struct sp_csv_row *row, size_t field_max);
void sp_csv_row_release(struct sp_csv_row *row);
/* Reads the next non-empty row into row; false at the end of the text. */
bool sp_csv_next(struct sp_csv *r, struct sp_csv_row *row);

#endif
