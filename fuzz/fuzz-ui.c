/*
 * Outside bytes the UI parses: theme files (first byte even) and agent
 * event data shown in the live and task views (first byte odd).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baton.h"


int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*text, *cause = NULL, *out;

	if (size < 1)
		return (0);
	text = xmalloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if ((data[0] & 1) == 0) {
		if (theme_parse(text, strlen(text), &cause) != 0)
			free(cause);
	} else {
		out = event_summary("text", text);
		free(out);
	}
	free(text);
	return (0);
}
