/*
 * Plain text, for CLIs with no JSON mode: every line is a TEXT event, and
 * a line that reads like a limit, auth failure or retry is reported as
 * one. The turn ends when the process does.
 */

#include "baton.h"

static void
text_line(__unused struct adapter *a, __unused struct cJSON *json)
{
	/* Never called: lines of a non-JSON format are text. */
}

const struct adapter_ops adapter_text_ops = {
	.name = "text",
	.provider = "text",
	.json = 0,
	.line = text_line,
};
