/* Helpers for the adapter tests: play a fixture file through an adapter. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent-fixture.h"

#ifndef TEST_FIXTURES
#define TEST_FIXTURES "tests/fixtures"
#endif

/* A fixture's path: $FIXTURES/agents/name. */
char *
fx_path(const char *name)
{
	const char	*dir;
	char		*path;

	if ((dir = getenv("FIXTURES")) == NULL)
		dir = TEST_FIXTURES;
	xasprintf(&path, "%s/agents/%s", dir, name);
	return (path);
}

char *
fx_read(const char *name, size_t *len)
{
	FILE	*f;
	char	*path, *data;
	size_t	 size = 0, n;

	path = fx_path(name);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	data = NULL;
	*len = 0;
	do {
		if (*len + 1 >= size) {
			size = size == 0 ? 65536 : size * 2;
			data = xrealloc(data, size);
		}
		n = fread(data + *len, 1, size - *len - 1, f);
		*len += n;
	} while (n != 0);
	fclose(f);
	data[*len] = '\0';
	free(path);
	return (data);
}

/* Play data through a new adapter of format; events are kept in fx. */
void
fx_play_data(struct fx *fx, const char *format, const char *data, size_t len,
    const struct fx_opts *o)
{
	struct adapter_event	*ev;
	char			*cause = NULL, *err;
	size_t			 off, n;

	memset(fx, 0, sizeof *fx);
	fx->a = adapter_new(format, &cause);
	assert_non_null(fx->a);
	adapter_set_now(fx->a, o->now != 0 ? o->now : 1763035200);
	adapter_set_tz(fx->a, o->tz != NULL ? o->tz : "UTC");
	if (o->model != NULL)
		adapter_set_model(fx->a, o->model);
	if (o->seed_session != NULL)
		adapter_seed_usage(fx->a, o->seed_session, &o->seed);
	if (o->stderr_name != NULL) {
		err = fx_read(o->stderr_name, &n);
		adapter_set_stderr(fx->a, err);
		free(err);
	}
	for (off = 0; off < len; off += n) {
		n = o->chunk != 0 ? o->chunk : len;
		if (n > len - off)
			n = len - off;
		adapter_feed(fx->a, data + off, n);
	}
	adapter_finish(fx->a, o->exit_status);
	while ((ev = adapter_next(fx->a)) != NULL) {
		fx->ev = xreallocarray(fx->ev, fx->nev + 1, sizeof *fx->ev);
		fx->ev[fx->nev++] = ev;
		fx->count[ev->kind]++;
	}
}

/* Play the fixture file name (under agents/). */
void
fx_play(struct fx *fx, const char *format, const char *name,
    const struct fx_opts *o)
{
	char	*data, *from, *to, *p, *out;
	size_t	 len, flen, tlen, olen;

	data = fx_read(name, &len);
	if (o->replace != NULL) {
		from = xstrdup(o->replace);
		to = strchr(from, '=');
		assert_non_null(to);
		*to++ = '\0';
		flen = strlen(from);
		tlen = strlen(to);
		out = xmalloc(len * (tlen + 1) + 1);
		olen = 0;
		for (p = data; *p != '\0';) {
			if (strncmp(p, from, flen) == 0) {
				memcpy(out + olen, to, tlen);
				olen += tlen;
				p += flen;
			} else
				out[olen++] = *p++;
		}
		out[olen] = '\0';
		free(data);
		free(from);
		data = out;
		len = olen;
	}
	fx_play_data(fx, format, data, len, o);
	free(data);
}

void
fx_free(struct fx *fx)
{
	size_t	i;

	for (i = 0; i < fx->nev; i++)
		adapter_event_free(fx->ev[i]);
	free(fx->ev);
	adapter_free(fx->a);
	memset(fx, 0, sizeof *fx);
}

/* The nth (from 0) event of a kind. */
struct adapter_event *
fx_nth(struct fx *fx, enum adapter_ev kind, size_t nth)
{
	size_t	i;

	for (i = 0; i < fx->nev; i++) {
		if (fx->ev[i]->kind == kind && nth-- == 0)
			return (fx->ev[i]);
	}
	fail_msg("no %s event number %zu", adapter_ev_name(kind), nth);
	return (NULL);
}

/* baton's cost of the run's ledger; *unknown counts unpriced calls. */
double
fx_cost(struct fx *fx, size_t *unknown)
{
	double	 total = 0, cost;
	char	*cause;
	size_t	 i;

	*unknown = 0;
	for (i = 0; i < fx->a->ncalls; i++) {
		if (fx->a->calls[i].flags & ADAPTER_CALL_SEED)
			continue;
		if (price_cost(fx->a->calls[i].model, &fx->a->calls[i].usage,
		    &cost, &cause) != 0) {
			free(cause);
			(*unknown)++;
		} else
			total += cost;
	}
	return (total);
}

/* The run's cost as the CLI reported it: the last TURN_END's figure. */
double
fx_cli_cost(struct fx *fx)
{
	size_t	i;

	for (i = fx->nev; i > 0; i--) {
		if (fx->ev[i - 1]->kind == ADAPTER_EV_TURN_END) {
			assert_true(fx->ev[i - 1]->has_cli_cost);
			return (fx->ev[i - 1]->cli_cost);
		}
	}
	fail_msg("no turn_end");
	return (0);
}

const struct adapter_call *
fx_call(struct fx *fx, const char *msg_id)
{
	const struct adapter_call	*c;

	c = adapter_call_find(fx->a, msg_id);
	if (c == NULL)
		fail_msg("no call %s", msg_id);
	return (c);
}
