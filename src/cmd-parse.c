/*
 * parse: run an agent's stream log through its adapter and print the
 * normalised events, one JSON object a line, then the run's calls. For
 * checking what baton makes of a CLI's output.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_parse_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_parse_entry = {
	.name = "parse",
	.alias = NULL,
	.usage = "[--format F] [--model M] [--tz ZONE] [--now EPOCH] "
	    "[--exit N] [FILE]",
	.doc = "Print the events baton reads from an agent's stream log "
	    "(standard input by default) as JSON lines, then its calls.",
	.flags = 0,
	.exec = cmd_parse_exec,
};

static void
parse_drain(struct adapter *a)
{
	struct adapter_event	*ev;

	while ((ev = adapter_next(a)) != NULL) {
		cmd_print_json(adapter_event_to_json(ev));
		adapter_event_free(ev);
	}
}

static int
cmd_parse_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option	 options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "model", required_argument, NULL, 'm' },
		{ "tz", required_argument, NULL, 'z' },
		{ "now", required_argument, NULL, 'n' },
		{ "exit", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	struct adapter		*a;
	struct adapter_call	*c;
	const char		*format = "claude", *model = NULL, *tz = NULL;
	const char		*path = "-";
	char			 buf[65536], *cause = NULL, *end;
	long long		 now = 0;
	double			 cost;
	ssize_t			 n;
	size_t			 i;
	int			 ch, fd, status = 0;
	cJSON			*o;

	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (ch) {
		case 'f':
			format = optarg;
			break;
		case 'm':
			model = optarg;
			break;
		case 'z':
			tz = optarg;
			break;
		case 'n':
			now = strtoll(optarg, &end, 10);
			if (*end != '\0' || now <= 0)
				return (cmd_usage_error(&cmd_parse_entry,
				    "--now: seconds since 1970"));
			break;
		case 'x':
			status = (int)strtol(optarg, &end, 10);
			if (*end != '\0')
				return (cmd_usage_error(&cmd_parse_entry,
				    "--exit: a number"));
			break;
		default:
			return (cmd_usage_error(&cmd_parse_entry,
			    "unknown option: %s", argv[optind - 1]));
		}
	}
	if (optind < argc - 1)
		return (cmd_usage_error(&cmd_parse_entry, "one file at most"));
	if (optind == argc - 1)
		path = argv[optind];
	if ((a = adapter_new(format, &cause)) == NULL) {
		cmd_usage_error(&cmd_parse_entry, "%s", cause);
		free(cause);
		return (BATON_EXIT_USAGE);
	}
	if (price_load_user(&cause) != 0) {
		adapter_free(a);
		return (cmd_fail(ctx, cause));
	}
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY)) == -1) {
		adapter_free(a);
		return (cmd_error("%s: %s", path, strerror(errno)));
	}
	adapter_set_now(a, now);
	adapter_set_tz(a, tz);
	adapter_set_model(a, model);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		adapter_feed(a, buf, (size_t)n);
		parse_drain(a);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	adapter_finish(a, status);
	parse_drain(a);

	for (i = 0; i < a->ncalls; i++) {
		c = &a->calls[i];
		if (c->flags & ADAPTER_CALL_SEED)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", "call");
		adapter_json_add_string(o, "msg_id", c->msg_id);
		adapter_json_add_string(o, "model", c->model);
		adapter_json_add_usage(o, &c->usage);
		if (price_cost(c->model, &c->usage, &cost, &cause) == 0)
			cJSON_AddNumberToObject(o, "cost_usd", cost);
		else {
			cJSON_AddNullToObject(o, "cost_usd");
			free(cause);
		}
		if (c->has_cli_cost)
			cJSON_AddNumberToObject(o, "cli_cost_usd", c->cli_cost);
		if (c->flags & ADAPTER_CALL_UNATTRIBUTED)
			cJSON_AddTrueToObject(o, "unattributed");
		cmd_print_json(o);
	}
	adapter_free(a);
	return (n < 0 ? cmd_error("%s: %s", path, strerror(errno)) :
	    BATON_EXIT_OK);
}
