/* Fuzz the limit-message classifier and the reset-time parser. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baton.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ratelimit	 rl;
	int64_t			 reset;
	char			*text;

	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (ratelimit_parse_reset(text, 1763035200, "America/New_York",
	    &reset) == 0 && reset < 0)
		abort();
	ratelimit_classify("claude", text, 1763035200, NULL, &rl);
	free(text);
	return (0);
}
