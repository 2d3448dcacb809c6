/*
 * libtmux-control: a client for tmux control mode (tmux -C).
 *
 * Self-contained: it needs only libc and libevent 2.1 and includes nothing
 * else from baton, so it can be tested and fuzzed on its own.
 *
 * Two layers:
 *  - the parser (tmux-control-parse.c) turns the bytes tmux writes into
 *    events: closed %begin/%end/%error blocks, notifications, stray lines and
 *    lines it does not understand. It does no I/O.
 *  - the client (tmux-control.c) runs one long-lived "tmux -C" process on a
 *    libevent bufferevent, sends commands one per line and matches each reply
 *    block to its command.
 *
 * The protocol is described in tmux(1), CONTROL MODE; guards are printed by
 * cmdq_guard in tmux's cmd-queue.c and notifications by control-notify.c.
 *
 * Use:
 *	struct tmux_control_config	 cf = { .socket_name = "baton-x",
 *					     .session = "baton" };
 *	struct tmux_control_callbacks	 cb = { on_notify, on_closed, on_log,
 *					     owner };
 *	const char			*argv[] = { "kill-window", "-t", "@3" };
 *
 *	c = tmux_control_new(base, &cf, &cb);
 *	if (tmux_control_start(c, &cause) != 0) ...
 *	tmux_control_send(c, "list-windows -F '#{window_id}\t#{window_name}'",
 *	    0, on_windows, owner, &cause);
 *	tmux_control_send_argv(c, 3, argv, 0, on_done, owner, &cause);
 *
 * Attaching to a session that exists gives no %window-add for its windows:
 * list them after start. on_closed may start again after a delay from
 * tmux_control_backoff_next.
 */

#ifndef TMUX_CONTROL_H
#define TMUX_CONTROL_H

#include <stddef.h>

struct event_base;

/*
 * One line without its LF. data[len] is always '\0', but data may itself
 * hold NUL bytes: tmux body lines are raw.
 */
struct tmux_control_line {
	const char	*data;
	size_t		 len;
};

/* ---------------------------------------------------------------- parser */

enum tmux_control_event_type {
	TMUX_CONTROL_BLOCK,	/* a %begin block closed by %end or %error */
	TMUX_CONTROL_NOTIFY,	/* a known notification */
	TMUX_CONTROL_STRAY,	/* a line outside any block not starting with % */
	TMUX_CONTROL_UNKNOWN,	/* a % line not understood; ignored */
	TMUX_CONTROL_TRUNCATED,	/* at end of input: an open block or a partial line */
};

/* Notifications; %unlinked-window-X is reported as window-X with unlinked set. */
enum tmux_control_notify_type {
	TMUX_CONTROL_N_OUTPUT,			/* %P data */
	TMUX_CONTROL_N_EXTENDED_OUTPUT,		/* %P age ... : data */
	TMUX_CONTROL_N_PANE_MODE_CHANGED,	/* %P */
	TMUX_CONTROL_N_LAYOUT_CHANGE,		/* @W layout visible flags */
	TMUX_CONTROL_N_WINDOW_PANE_CHANGED,	/* @W %P */
	TMUX_CONTROL_N_WINDOW_ADD,		/* @W */
	TMUX_CONTROL_N_WINDOW_CLOSE,		/* @W */
	TMUX_CONTROL_N_WINDOW_RENAMED,		/* @W name */
	TMUX_CONTROL_N_SESSION_CHANGED,		/* $S name */
	TMUX_CONTROL_N_CLIENT_SESSION_CHANGED,	/* client $S name */
	TMUX_CONTROL_N_CLIENT_DETACHED,		/* client */
	TMUX_CONTROL_N_SESSION_RENAMED,		/* $S name */
	TMUX_CONTROL_N_SESSIONS_CHANGED,	/* (nothing) */
	TMUX_CONTROL_N_SESSION_WINDOW_CHANGED,	/* $S @W */
	TMUX_CONTROL_N_PAUSE,			/* %P */
	TMUX_CONTROL_N_CONTINUE,		/* %P */
	TMUX_CONTROL_N_SUBSCRIPTION_CHANGED,	/* name $S @W idx %P ... : value */
	TMUX_CONTROL_N_EXIT,			/* [reason] */
	TMUX_CONTROL_N_PASTE_BUFFER_CHANGED,	/* name (tmux 3.4) */
	TMUX_CONTROL_N_PASTE_BUFFER_DELETED,	/* name (tmux 3.4) */
	TMUX_CONTROL_N_MESSAGE,			/* text (tmux 3.4) */
	TMUX_CONTROL_N_CONFIG_ERROR,		/* text (tmux 3.4) */
};

/* A closed block. Lines are the raw body, in order. */
struct tmux_control_block {
	unsigned long long		 time;
	unsigned long long		 number;
	unsigned long long		 flags;
	int				 error;		/* closed by %error */
	int				 solicited;	/* flags 1: from our stdin */
	const struct tmux_control_line	*lines;
	size_t				 nlines;
};

/* A notification. Ids are -1 where the notification has none. */
struct tmux_control_notify {
	enum tmux_control_notify_type	 type;
	const char			*name;		/* "window-close", no % */
	int				 unlinked;	/* %unlinked-window-* */
	int				 in_block;	/* arrived inside a block */
	long				 session;	/* $S */
	long				 window;	/* @W */
	long				 pane;		/* %P */
	long long			 age;		/* %extended-output, ms */
	struct tmux_control_line	 word;		/* client or subscription name */
	struct tmux_control_line	 text;		/* name, layout, data, reason */
};

struct tmux_control_event {
	enum tmux_control_event_type	 type;
	struct tmux_control_line	 line;	/* the raw line (last line for a block) */
	const char			*reason;	/* UNKNOWN, TRUNCATED: why */
	union {
		struct tmux_control_block	 block;
		struct tmux_control_notify	 notify;
	};
};

/* Called for each event; pointers are valid only during the call. */
typedef void (*tmux_control_event_cb)(const struct tmux_control_event *, void *);

struct tmux_control_parser;

struct tmux_control_parser *tmux_control_parser_new(tmux_control_event_cb, void *);
void		 tmux_control_parser_free(struct tmux_control_parser *);
void		 tmux_control_parser_set_crlf(struct tmux_control_parser *, int);
void		 tmux_control_parser_feed(struct tmux_control_parser *, const void *,
		     size_t);
void		 tmux_control_parser_eof(struct tmux_control_parser *);
void		 tmux_control_parser_reset(struct tmux_control_parser *);
int		 tmux_control_parser_in_block(const struct tmux_control_parser *);
const char	*tmux_control_notify_name(enum tmux_control_notify_type);

/* Helpers for command output. */
char		*tmux_control_unescape(const char *, size_t, size_t *);
char		**tmux_control_split(const char *, size_t, char, size_t *);
void		 tmux_control_split_free(char **);
int		 tmux_control_parse_id(const char *, char, long *);

/* ---------------------------------------------------------------- client */

/* How a command ended. */
enum tmux_control_status {
	TMUX_CONTROL_OK,
	TMUX_CONTROL_ERROR,		/* %error: lines hold the message */
	TMUX_CONTROL_TIMEOUT,		/* no reply in time; its reply is discarded */
	TMUX_CONTROL_DISCONNECTED,	/* the client went away first */
};

struct tmux_control_reply {
	enum tmux_control_status	 status;
	const char			*command;	/* the line sent */
	const struct tmux_control_line	*lines;
	size_t				 nlines;
};

/* Client states. */
enum tmux_control_state {
	TMUX_CONTROL_STOPPED,	/* never started, or closed and reaped */
	TMUX_CONTROL_STARTING,	/* tmux runs; its argv command has not finished */
	TMUX_CONTROL_READY,	/* commands flow */
	TMUX_CONTROL_CLOSING,	/* %exit, EOF or stop: waiting to reap tmux */
};

struct tmux_control;

typedef void (*tmux_control_reply_cb)(struct tmux_control *,
		    const struct tmux_control_reply *, void *);
typedef void (*tmux_control_notify_cb)(struct tmux_control *,
		    const struct tmux_control_notify *, void *);
typedef void (*tmux_control_closed_cb)(struct tmux_control *, const char *,
		    void *);
typedef void (*tmux_control_log_cb)(struct tmux_control *, const char *,
		    void *);

/* How to start tmux. Strings are copied. */
struct tmux_control_config {
	const char	*tmux;		/* binary, found in PATH; NULL: "tmux" */
	const char	*socket_name;	/* -L, required */
	const char	*config_file;	/* -f; NULL: /dev/null */
	const char	*session;	/* new-session -A -s, required */
	unsigned int	 width;		/* -x; 0: 200 */
	unsigned int	 height;	/* -y; 0: 50 */
	int		 timeout_ms;	/* default per command; 0: 5000, <0: none */
	int		 output;	/* nonzero: do not set no-output */
	int		 attach_only;	/* attach to the session, never make it
					   (nor a server) */
};

/* What the owner hears. Any may be NULL; none may block. */
struct tmux_control_callbacks {
	tmux_control_notify_cb	 notify;
	tmux_control_closed_cb	 closed;	/* tmux is gone and reaped */
	tmux_control_log_cb	 log;		/* every line in and out */
	void			*arg;
};

/*
 * tmux_control_start sets SIGPIPE to SIG_IGN if it is still SIG_DFL, so that
 * writing to a tmux that has gone gives EPIPE instead of killing the program.
 * tmux_control_free detaches tmux and may wait up to half a second for it.
 */
struct tmux_control *tmux_control_new(struct event_base *,
		     const struct tmux_control_config *,
		     const struct tmux_control_callbacks *);
void		 tmux_control_free(struct tmux_control *);
int		 tmux_control_start(struct tmux_control *, char **);
void		 tmux_control_stop(struct tmux_control *);
enum tmux_control_state tmux_control_state(const struct tmux_control *);
long		 tmux_control_pid(const struct tmux_control *);
size_t		 tmux_control_pending(const struct tmux_control *);
int		 tmux_control_send(struct tmux_control *, const char *, int,
		     tmux_control_reply_cb, void *, char **);
int		 tmux_control_send_argv(struct tmux_control *, int,
		     const char *const *, int, tmux_control_reply_cb, void *,
		     char **);
char		*tmux_control_quote(const char *);
int		 tmux_control_check_command(const char *, const char **);

/* Reconnect delays: 250 ms doubling to 30 s, reset after a good connection. */
struct tmux_control_backoff {
	unsigned int	 attempts;
};
unsigned int	 tmux_control_backoff_next(struct tmux_control_backoff *);
void		 tmux_control_backoff_reset(struct tmux_control_backoff *);

/* Allocation inside the library: these abort rather than return NULL. */
void		*tmux_control_xmalloc(size_t);
void		*tmux_control_xcalloc(size_t, size_t);
void		*tmux_control_xreallocarray(void *, size_t, size_t);
char		*tmux_control_xstrdup(const char *);
char		*tmux_control_xmemdup(const void *, size_t);

#endif /* TMUX_CONTROL_H */
