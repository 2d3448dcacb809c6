/*
 * A run's final text: what its agent said last, for reading a structured
 * answer from.
 */

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "baton.h"

/*
 * Text grown in place: a text-format run has an event per line, and
 * copying the whole text for each would be quadratic.
 */
struct store_answer_buf {
	char	*s;
	size_t	 len;
	size_t	 size;
};

/* Append text with sep before it unless it is the first piece. */
static void
store_answer_append(struct store_answer_buf *b, const char *sep,
    const char *text)
{
	size_t	ns = b->s != NULL ? strlen(sep) : 0, nt = strlen(text);

	if (b->len + ns + nt + 1 > b->size) {
		b->size = (b->len + ns + nt + 1) * 2;
		b->s = xreallocarray(b->s, 1, b->size);
	}
	memcpy(b->s + b->len, sep, ns);
	memcpy(b->s + b->len + ns, text, nt + 1);
	b->len += ns + nt;
}

/*
 * The text of the run's last successful turn end when its adapter keeps
 * one there; else the main agent's text events after its last tool event
 * (all of them if it used no tools), joined by newlines. Streams that only
 * carry pieces of messages (Gemini's deltas) give their pieces joined as
 * they came. Text from inside a subagent is not the answer and is left out.
 */
char *
store_run_final_text(struct store *s, int64_t run, char **cause)
{
	static const char	*end_sql = "SELECT json_extract(data, "
	    "'$.text') FROM events WHERE run_id = ? AND kind = 'turn_end' AND "
	    "json_extract(data, '$.is_error') IS NULL AND "
	    "json_extract(data, '$.text') != '' "
	    "ORDER BY offset DESC, seq DESC LIMIT 1";
	static const char	*tool_sql = "SELECT offset, seq FROM events "
	    "WHERE run_id = ? AND kind IN ('tool_start', 'tool_end') "
	    "ORDER BY offset DESC, seq DESC LIMIT 1";
	static const char	*text_sql = "SELECT json_extract(data, "
	    "'$.text'), kind = 'text' FROM events WHERE run_id = ? AND "
	    "kind IN ('text', 'text_delta') AND "
	    "json_extract(data, '$.parent_tool_id') IS NULL AND "
	    "(offset > ? OR (offset = ? AND seq > ?)) "
	    "ORDER BY offset, seq";
	sqlite3_stmt		*stmt;
	const char		*text;
	int64_t			 offset = -1, seq = -1;
	struct store_answer_buf	 texts = { NULL, 0, 0 };
	struct store_answer_buf	 deltas = { NULL, 0, 0 };
	char			*out = NULL;
	int			 rc;

	stmt = store_prepare(s, end_sql);
	sqlite3_bind_int64(stmt, 1, run);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		out = store_col_text(stmt, 0);
		sqlite3_reset(stmt);
		return (out);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;

	stmt = store_prepare(s, tool_sql);
	sqlite3_bind_int64(stmt, 1, run);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		offset = sqlite3_column_int64(stmt, 0);
		seq = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto fail;

	stmt = store_prepare(s, text_sql);
	sqlite3_bind_int64(stmt, 1, run);
	sqlite3_bind_int64(stmt, 2, offset);
	sqlite3_bind_int64(stmt, 3, offset);
	sqlite3_bind_int64(stmt, 4, seq);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(stmt, 0);
		if (text == NULL || *text == '\0')
			continue;
		if (sqlite3_column_int(stmt, 1))
			store_answer_append(&texts, "\n", text);
		else
			store_answer_append(&deltas, "", text);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		free(texts.s);
		free(deltas.s);
		goto fail;
	}
	if (texts.s != NULL) {
		out = texts.s;
		free(deltas.s);
	} else
		out = deltas.s;
	if (out == NULL)
		xasprintf(cause, "run %lld left no answer", (long long)run);
	return (out);

fail:
	*cause = store_errmsg(s);
	return (NULL);
}
