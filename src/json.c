/* cJSON helpers that keep baton's JSON output valid whatever it stores. */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* A JSON string from stored text; invalid UTF-8 becomes U+FFFD. */
cJSON *
json_string(const char *s)
{
	cJSON	*item;
	char	*clean;

	if (s == NULL)
		return (cJSON_CreateNull());
	if (utf8_valid(s, strlen(s)))
		item = cJSON_CreateString(s);
	else {
		clean = utf8_sanitize(s);
		item = cJSON_CreateString(clean);
		free(clean);
	}
	if (item == NULL)
		fatalx("cJSON_CreateString failed");
	return (item);
}

cJSON *
json_id_array(const int64_t *ids, size_t n)
{
	cJSON	*array;
	size_t	 i;

	array = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(array, cJSON_CreateNumber((double)ids[i]));
	return (array);
}

/* An id, or null for 0 (no parent, no sprint). */
cJSON *
json_opt_id(int64_t id)
{
	if (id == 0)
		return (cJSON_CreateNull());
	return (cJSON_CreateNumber((double)id));
}
