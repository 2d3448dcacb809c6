/*
 * Fuzz the fast reading of Claude Code transcript lines in cmd-cost.c
 * against the cJSON reading it stands in for: they must find the same
 * call or none. cmd-cost.c is compiled in to reach its static functions.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define cmd_cost_entry fuzz_cost_entry
#include "cmd-cost.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static void
fuzz_free(struct cost_state *cs)
{
	size_t	i;

	for (i = 0; i < cs->ncalls; i++)
		cost_call_free(&cs->calls[i]);
	free(cs->calls);
	free(cs->hash);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cost_state	 a, b;
	struct cost_call	*x, *y;
	char			*line;

	/* A line has no newline in it. */
	if (memchr(data, '\n', size) != NULL)
		return (0);
	line = xmalloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	cost_transcript_line(&a, line, size, "-");
	cost_transcript_json(&b, line, size, "-");
	if (a.ncalls != b.ncalls)
		abort();
	if (a.ncalls == 1) {
		x = &a.calls[0];
		y = &b.calls[0];
		if (!fuzz_same(x->key, y->key) ||
		    !fuzz_same(x->session, y->session) ||
		    !fuzz_same(x->model, y->model) ||
		    strcmp(x->day, y->day) != 0 ||
		    memcmp(&x->u, &y->u, sizeof x->u) != 0 ||
		    x->has_cli != y->has_cli || x->cli != y->cli)
			abort();
	}
	fuzz_free(&a);
	fuzz_free(&b);
	free(line);
	return (0);
}
