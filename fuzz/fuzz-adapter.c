/*
 * Fuzz the stream adapters. The first byte picks the format, the second
 * where to split the input into two chunks (so a line crosses a feed), the
 * third the exit status; the rest is the stream, and after a NUL byte, if
 * there is one, the CLI's stderr. The seeds in fuzz/corpus/fuzz-adapter
 * are the recorded real streams of tests/fixtures/agents.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baton.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *fuzz_formats[] = {
	"claude", "amp", "codex", "gemini", "opencode", "text"
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct adapter		*a;
	struct adapter_event	*ev;
	double			 cost;
	char			*cause = NULL, *err;
	const uint8_t		*nul;
	size_t			 split, i;
	int			 status;

	if (size < 3)
		return (0);
	a = adapter_new(fuzz_formats[data[0] % nitems(fuzz_formats)], &cause);
	if (a == NULL)
		abort();
	adapter_set_now(a, 1763035200);
	adapter_set_tz(a, "America/New_York");
	status = data[2];
	data += 3;
	size -= 3;
	if ((nul = memchr(data, '\0', size)) != NULL) {
		err = xstrndup((const char *)nul + 1, size - (nul + 1 - data));
		adapter_set_stderr(a, err);
		free(err);
		size = nul - data;
	}
	split = size == 0 ? 0 : (size_t)data[-2] * size / 256;
	adapter_feed(a, (const char *)data, split);
	adapter_feed(a, (const char *)data + split, size - split);
	adapter_finish(a, status);
	while ((ev = adapter_next(a)) != NULL)
		adapter_event_free(ev);
	for (i = 0; i < a->ncalls; i++) {
		if (price_cost(a->calls[i].model, &a->calls[i].usage, &cost,
		    &cause) != 0)
			free(cause);
	}
	adapter_free(a);
	return (0);
}
