/*
 * The readable transcript a run's pane shows: one agent output line at a
 * time, made into text for a person, never raw JSON and never raw control
 * bytes.
 */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* Find the first string under one of the names, depth first. */
static const char *
transcript_find(cJSON *item, const char *const *names, int depth)
{
	cJSON		*child;
	const char	*found;
	u_int		 i;

	if (item == NULL || depth > 5)
		return (NULL);
	for (i = 0; names[i] != NULL; i++) {
		child = cJSON_GetObjectItemCaseSensitive(item, names[i]);
		if (cJSON_IsString(child) && *child->valuestring != '\0')
			return (child->valuestring);
	}
	cJSON_ArrayForEach(child, item) {
		if (cJSON_IsObject(child) || cJSON_IsArray(child)) {
			found = transcript_find(child, names, depth + 1);
			if (found != NULL)
				return (found);
		}
	}
	return (NULL);
}

static void
transcript_print(FILE *f, const char *prefix, const char *text, size_t max)
{
	char	*safe, *p, *line;

	safe = xstrdup(text);
	for (p = safe; (line = strsep(&p, "\n")) != NULL;) {
		char	*vis = util_vis(line, max);

		fprintf(f, "%s%s\n", prefix, vis);
		free(vis);
		prefix = "  ";
	}
	free(safe);
}

/* Show one line of agent output. */
void
shim_render_line(FILE *f, const char *format, const char *line, size_t len)
{
	static const char *const text_names[] = { "text", "result", "content",
	    "message", NULL };
	static const char *const tool_names[] = { "name", "tool", "tool_name",
	    "command", NULL };
	cJSON		*root, *type;
	const char	*t, *text, *tool;
	char		*copy;

	copy = xstrndup(line, len);
	if (strcmp(format, "text") == 0 || (root = cJSON_Parse(copy)) == NULL) {
		transcript_print(f, "", copy, 4096);
		free(copy);
		return;
	}
	free(copy);
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	t = cJSON_IsString(type) ? type->valuestring : "";
	text = transcript_find(root, text_names, 0);
	if (strstr(t, "tool") != NULL ||
	    memmem(line, len, "\"tool_use\"", 10) != NULL) {
		tool = transcript_find(root, tool_names, 0);
		fprintf(f, "\033[36m▸ %s\033[0m\n", tool != NULL ? tool : t);
	} else if (strstr(t, "error") != NULL || strstr(t, "failed") != NULL)
		transcript_print(f, "\033[31m✗\033[0m ", text != NULL ? text : t,
		    1024);
	else if (strcmp(t, "result") == 0)
		transcript_print(f, "\033[32m✓\033[0m ", text != NULL ? text :
		    "done", 1024);
	else if (text != NULL)
		transcript_print(f, "", text, 4096);
	cJSON_Delete(root);
}
