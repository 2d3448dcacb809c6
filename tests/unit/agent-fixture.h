/* Helpers for the adapter tests: play a fixture file through an adapter. */

#ifndef AGENT_FIXTURE_H
#define AGENT_FIXTURE_H

#include "baton.h"

/* Everything one run of a fixture produced. */
struct fx {
	struct adapter		 *a;
	struct adapter_event	**ev;
	size_t			  nev;
	size_t			  count[ADAPTER_NEV];
};

/* How to play it. */
struct fx_opts {
	int64_t		 now;		/* 0: a fixed default */
	const char	*tz;		/* NULL: UTC */
	const char	*model;		/* default model, or NULL */
	size_t		 chunk;		/* bytes per feed, 0: all at once */
	int		 exit_status;
	const char	*replace;	/* "from=to": edit the file first */
	const char	*stderr_name;	/* a fixture: the CLI's stderr */
	const char	*seed_session;	/* usage of the session before */
	struct adapter_usage seed;
};

char		*fx_path(const char *);
char		*fx_read(const char *, size_t *);
void		 fx_play(struct fx *, const char *, const char *,
		     const struct fx_opts *);
void		 fx_play_data(struct fx *, const char *, const char *, size_t,
		     const struct fx_opts *);
void		 fx_free(struct fx *);
struct adapter_event *fx_nth(struct fx *, enum adapter_ev, size_t);
double		 fx_cost(struct fx *, size_t *);
double		 fx_cli_cost(struct fx *);
const struct adapter_call *fx_call(struct fx *, const char *);

#endif
