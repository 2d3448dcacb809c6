/* Fuzz the decomposition parser: any bytes, never a bad plan accepted. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baton.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan	 plan;
	size_t		 i, j;
	char		*text, *cause = NULL;

	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (plan_parse(text, size, &plan, &cause) == 0) {
		for (i = 0; i < plan.count; i++) {
			for (j = 0; j < plan.items[i].nblocked_by; j++) {
				if (plan.items[i].blocked_by[j] >= plan.count ||
				    plan.items[i].blocked_by[j] == i)
					abort();
			}
		}
		plan_free(&plan);
	} else
		free(cause);
	free(text);
	return (0);
}
