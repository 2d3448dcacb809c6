/*
 * Fuzz the configuration reader: any bytes as a user's file after the
 * built-in one. Every problem has a place, every provider and role built
 * from it is whole, and every provider's argv expands.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "baton.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cf;
	struct provider	*p;
	struct role	*r;
	char		*text, *cause = NULL, **argv;
	size_t		 i, j;

	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	cf = config_new();
	config_read_string(cf, CONFIG_BUILTIN, config_default_data);
	config_read_string(cf, "fuzz", text);
	config_finish(cf);
	for (i = 0; i < cf->nproblems; i++) {
		if (cf->problems[i].file == NULL ||
		    cf->problems[i].message == NULL)
			abort();
	}
	for (i = 0; i < cf->nroles; i++) {
		r = cf->roles[i];
		for (j = 0; j < r->nchain; j++) {
			if (config_provider(cf, r->chain[j]->name) !=
			    r->chain[j])
				abort();
		}
	}
	for (i = 0; i < cf->nproviders; i++) {
		p = cf->providers[i];
		if (p->argc == 0)
			continue;
		if (provider_argv(p, "a prompt", "m", "s", 0, &argv,
		    &cause) != 0) {
			/* Only a missing value may stop a checked template. */
			if (strstr(cause, "has no value") == NULL)
				abort();
			free(cause);
			continue;
		}
		for (j = 0; j < p->argc; j++) {
			if (argv[j] == NULL)
				abort();
		}
		if (argv[p->argc] != NULL)
			abort();
		provider_argv_free(argv);
	}
	config_free(cf);
	free(text);
	return (0);
}
