/* Fuzz the Markdown checklist parser with arbitrary bytes. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baton.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_item	*items;
	size_t		 n, i;
	char		*text, *cause = NULL;

	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if (md_checklist_parse(text, size, &items, &n, &cause) == 0) {
		for (i = 0; i < n; i++) {
			if (items[i].parent >= (int)i || *items[i].title == '\0')
				abort();
		}
		md_items_free(items, n);
	} else
		free(cause);
	free(text);
	return (0);
}
