/*
 * Fuzz the answer readers: any bytes, no crash, and whatever is accepted
 * holds what its reader promises.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_plan(struct plan *plan)
{
	size_t	i, j;

	for (i = 0; i < plan->count; i++) {
		for (j = 0; j < plan->items[i].nblocked_by; j++) {
			if (plan->items[i].blocked_by[j] >= plan->count ||
			    plan->items[i].blocked_by[j] == i)
				abort();
		}
	}
	plan_free(plan);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answer_verdict	 v;
	struct plan		 plan;
	cJSON			*json;
	char			*text, *out, *cause = NULL;

	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	/* What answer_json gives back is JSON that parses again. */
	if ((out = answer_json(text, &cause)) != NULL) {
		if ((json = cJSON_Parse(out)) == NULL)
			abort();
		if (!cJSON_IsObject(json) && !cJSON_IsArray(json))
			abort();
		cJSON_Delete(json);
		free(out);
	} else {
		if (cause == NULL)
			abort();
		free(cause);
	}

	cause = NULL;
	if (answer_verdict(text, &v, &cause) == 0) {
		if (v.comments == NULL || (v.approve != 0 && v.approve != 1))
			abort();
		answer_verdict_free(&v);
	} else
		free(cause);

	cause = NULL;
	if (answer_plan(text, &plan, &cause) == 0) {
		if (plan.count == 0)
			abort();
		check_plan(&plan);
	} else
		free(cause);

	cause = NULL;
	if (answer_gaps(text, &plan, &cause) == 0)
		check_plan(&plan);
	else
		free(cause);

	/* A lesson is one line of valid UTF-8, 400 bytes at most. */
	cause = NULL;
	if ((out = answer_lesson(text, &cause)) != NULL) {
		if (*out == '\0' || strlen(out) > 400 || strchr(out, '\n') !=
		    NULL || !utf8_valid(out, strlen(out)))
			abort();
		free(out);
	} else
		free(cause);

	free(text);
	return (0);
}
