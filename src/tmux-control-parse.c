/*
 * Parser for the output of tmux control mode. No I/O: bytes go in through
 * tmux_control_parser_feed, events come out through a callback.
 *
 * The stream is a sequence of LF-terminated lines (tmux(1), CONTROL MODE):
 *
 *	%begin TIME NUMBER FLAGS	opens the reply to one command
 *	...				raw output lines, never escaped
 *	%end TIME NUMBER FLAGS		closes it (%error if the command failed)
 *	%notification args		outside blocks
 *
 * The state machine has two states. Outside a block every line is a guard,
 * a notification, an unknown % line or a stray line (tmux prints some
 * errors, such as those of load-buffer -, on their own). Inside a block only
 * %end or %error with exactly the TIME NUMBER FLAGS text of the %begin
 * closes it: body lines are raw pane or command output and may themselves
 * look like guards. tmux 3.3a also writes %pause and %continue while a
 * block is open (control_pause_pane and control_continue_pane in control.c
 * write at once), so inside a block a line that is exactly "%pause %N" or
 * "%continue %N" is a notification; every other line is body.
 *
 * FLAGS is 1 when the command came from this client's stdin and 0 for
 * anything else, such as the command given on tmux's command line or a hook
 * (cmdq_guard and cmdq_fire_command in cmd-queue.c). Numbers come from one
 * counter shared by all clients and skip, so nothing may assume they follow
 * on.
 */

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmux-control.h"

/* Longest TIME NUMBER FLAGS text: three 20-digit numbers and two spaces. */
#define TMUX_CONTROL_GUARD_MAX 64

struct tmux_control_parser {
	tmux_control_event_cb		 cb;
	void				*arg;
	int				 crlf;

	char				*buf;	/* the line being read */
	size_t				 buflen;
	size_t				 bufsize;

	int				 in_block;
	char				 guard[TMUX_CONTROL_GUARD_MAX + 1];
	size_t				 guardlen;
	unsigned long long		 time;
	unsigned long long		 number;
	unsigned long long		 flags;

	char				*body;	/* body lines, each NUL-ended */
	size_t				 bodylen;
	size_t				 bodysize;
	size_t				*offsets;
	size_t				 noffsets;
	size_t				 offsetsize;
	struct tmux_control_line	*lines;
	size_t				 linesize;

	char				*word;	/* copy of a notification word */
	size_t				 wordsize;
};

/*
 * How the arguments of each notification look, one character per field,
 * fields separated by one space:
 *	$ @ %	a session, window or pane id
 *	w	a word (client or subscription name)
 *	a	a number (the age of %extended-output)
 *	n	a number or -, skipped
 *	*	the rest of the line, possibly empty
 *	:	skip to " : " and take the rest of the line
 * Formats are those printed by control-notify.c and control.c in tmux 3.3a,
 * plus the three notifications tmux 3.4 added.
 */
struct tmux_control_notify_entry {
	const char			*name;
	enum tmux_control_notify_type	 type;
	const char			*args;
	int				 flags;
#define TMUX_CONTROL_UNLINKED 0x1	/* also comes as %unlinked-NAME */
#define TMUX_CONTROL_DASH 0x2		/* ids may be - */
};

static const struct tmux_control_notify_entry tmux_control_notify_table[] = {
	{ "output", TMUX_CONTROL_N_OUTPUT, "%*", 0 },
	{ "extended-output", TMUX_CONTROL_N_EXTENDED_OUTPUT, "%a:", 0 },
	{ "pane-mode-changed", TMUX_CONTROL_N_PANE_MODE_CHANGED, "%", 0 },
	{ "layout-change", TMUX_CONTROL_N_LAYOUT_CHANGE, "@*", 0 },
	{ "window-pane-changed", TMUX_CONTROL_N_WINDOW_PANE_CHANGED, "@%", 0 },
	{ "window-add", TMUX_CONTROL_N_WINDOW_ADD, "@", TMUX_CONTROL_UNLINKED },
	{ "window-close", TMUX_CONTROL_N_WINDOW_CLOSE, "@",
	  TMUX_CONTROL_UNLINKED },
	{ "window-renamed", TMUX_CONTROL_N_WINDOW_RENAMED, "@*",
	  TMUX_CONTROL_UNLINKED },
	{ "session-changed", TMUX_CONTROL_N_SESSION_CHANGED, "$*", 0 },
	{ "client-session-changed", TMUX_CONTROL_N_CLIENT_SESSION_CHANGED,
	  "w$*", 0 },
	{ "client-detached", TMUX_CONTROL_N_CLIENT_DETACHED, "w", 0 },
	{ "session-renamed", TMUX_CONTROL_N_SESSION_RENAMED, "$*", 0 },
	{ "sessions-changed", TMUX_CONTROL_N_SESSIONS_CHANGED, "", 0 },
	{ "session-window-changed", TMUX_CONTROL_N_SESSION_WINDOW_CHANGED,
	  "$@", 0 },
	{ "pause", TMUX_CONTROL_N_PAUSE, "%", 0 },
	{ "continue", TMUX_CONTROL_N_CONTINUE, "%", 0 },
	{ "subscription-changed", TMUX_CONTROL_N_SUBSCRIPTION_CHANGED,
	  "w$@n%:", TMUX_CONTROL_DASH },
	{ "exit", TMUX_CONTROL_N_EXIT, "*", 0 },
	{ "paste-buffer-changed", TMUX_CONTROL_N_PASTE_BUFFER_CHANGED, "*", 0 },
	{ "paste-buffer-deleted", TMUX_CONTROL_N_PASTE_BUFFER_DELETED, "*", 0 },
	{ "message", TMUX_CONTROL_N_MESSAGE, "*", 0 },
	{ "config-error", TMUX_CONTROL_N_CONFIG_ERROR, "*", 0 },
};
#define TMUX_CONTROL_NNOTIFY \
	(sizeof tmux_control_notify_table / sizeof tmux_control_notify_table[0])

static __attribute__((__noreturn__)) void
tmux_control_oom(size_t nmemb, size_t size)
{
	fprintf(stderr, "tmux-control: out of memory (%zu * %zu bytes)\n",
	    nmemb, size);
	abort();
}

void *
tmux_control_xmalloc(size_t size)
{
	void	*ptr;

	if ((ptr = malloc(size == 0 ? 1 : size)) == NULL)
		tmux_control_oom(1, size);
	return (ptr);
}

void *
tmux_control_xcalloc(size_t nmemb, size_t size)
{
	void	*ptr;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((ptr = calloc(nmemb, size)) == NULL)
		tmux_control_oom(nmemb, size);
	return (ptr);
}

void *
tmux_control_xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*new_ptr;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (SIZE_MAX / nmemb < size)
		tmux_control_oom(nmemb, size);
	if ((new_ptr = realloc(ptr, nmemb * size)) == NULL)
		tmux_control_oom(nmemb, size);
	return (new_ptr);
}

char *
tmux_control_xmemdup(const void *data, size_t len)
{
	char	*s;

	if (len == SIZE_MAX)
		tmux_control_oom(1, len);
	s = tmux_control_xmalloc(len + 1);
	if (len != 0)
		memcpy(s, data, len);
	s[len] = '\0';
	return (s);
}

char *
tmux_control_xstrdup(const char *s)
{
	return (tmux_control_xmemdup(s, strlen(s)));
}

/* Make room for need more bytes in a growing buffer. */
static void
tmux_control_grow(char **buf, size_t *size, size_t used, size_t need)
{
	size_t	new_size;

	if (need > SIZE_MAX - used - 1)
		tmux_control_oom(used, need);
	if (used + need + 1 <= *size)
		return;
	new_size = *size == 0 ? 256 : *size;
	while (new_size < used + need + 1) {
		if (new_size > SIZE_MAX / 2) {
			new_size = used + need + 1;
			break;
		}
		new_size *= 2;
	}
	*buf = tmux_control_xreallocarray(*buf, 1, new_size);
	*size = new_size;
}

struct tmux_control_parser *
tmux_control_parser_new(tmux_control_event_cb cb, void *arg)
{
	struct tmux_control_parser	*p;

	p = tmux_control_xcalloc(1, sizeof *p);
	p->cb = cb;
	p->arg = arg;
	return (p);
}

void
tmux_control_parser_free(struct tmux_control_parser *p)
{
	if (p == NULL)
		return;
	free(p->buf);
	free(p->body);
	free(p->offsets);
	free(p->lines);
	free(p->word);
	free(p);
}

/* Strip a CR before each LF, for output that went through a tty (-CC). */
void
tmux_control_parser_set_crlf(struct tmux_control_parser *p, int crlf)
{
	p->crlf = crlf;
}

int
tmux_control_parser_in_block(const struct tmux_control_parser *p)
{
	return (p->in_block);
}

/* Forget any partial line and open block, for a new connection. */
void
tmux_control_parser_reset(struct tmux_control_parser *p)
{
	p->buflen = 0;
	p->in_block = 0;
	p->guardlen = 0;
	p->bodylen = 0;
	p->noffsets = 0;
}

const char *
tmux_control_notify_name(enum tmux_control_notify_type type)
{
	size_t	i;

	for (i = 0; i < TMUX_CONTROL_NNOTIFY; i++) {
		if (tmux_control_notify_table[i].type == type)
			return (tmux_control_notify_table[i].name);
	}
	return ("unknown");
}

/* Parse 1 to 20 decimal digits at s[*pos] up to a space or the end. */
static int
tmux_control_parse_number(const char *s, size_t len, size_t *pos,
    unsigned long long *value)
{
	unsigned long long	v = 0;
	size_t			start = *pos;

	while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
		if (v > (ULLONG_MAX - (s[*pos] - '0')) / 10)
			return (-1);
		v = v * 10 + (s[*pos] - '0');
		(*pos)++;
	}
	if (*pos == start || (*pos < len && s[*pos] != ' '))
		return (-1);
	*value = v;
	return (0);
}

/* Parse "TIME NUMBER FLAGS" filling the whole of s. */
static int
tmux_control_parse_guard(const char *s, size_t len, unsigned long long *time,
    unsigned long long *number, unsigned long long *flags)
{
	size_t	pos = 0;

	if (len > TMUX_CONTROL_GUARD_MAX)
		return (-1);
	if (tmux_control_parse_number(s, len, &pos, time) != 0)
		return (-1);
	if (pos++ == len)
		return (-1);
	if (tmux_control_parse_number(s, len, &pos, number) != 0)
		return (-1);
	if (pos++ == len)
		return (-1);
	if (tmux_control_parse_number(s, len, &pos, flags) != 0)
		return (-1);
	return (pos == len ? 0 : -1);
}

/* Does line start with the literal prefix? */
static int
tmux_control_prefix(const char *line, size_t len, const char *prefix)
{
	size_t	plen = strlen(prefix);

	return (len >= plen && memcmp(line, prefix, plen) == 0);
}

/* Parse "$12", "@3" or "%7" (prefix given) into *id. */
int
tmux_control_parse_id(const char *s, char prefix, long *id)
{
	unsigned long long	v;
	size_t			pos = 1, len;

	if (s == NULL || s[0] != prefix)
		return (-1);
	len = strlen(s);
	if (tmux_control_parse_number(s, len, &pos, &v) != 0 || pos != len)
		return (-1);
	if (v > UINT_MAX)
		return (-1);
	*id = (long)v;
	return (0);
}

/* Parse an id token of a notification, ending at a space or the end. */
static int
tmux_control_parse_id_token(const char *s, size_t len, size_t *pos,
    char prefix, int dash, long *id)
{
	unsigned long long	v;

	if (dash && *pos < len && s[*pos] == '-' &&
	    (*pos + 1 == len || s[*pos + 1] == ' ')) {
		(*pos)++;
		*id = -1;
		return (0);
	}
	if (*pos >= len || s[*pos] != prefix)
		return (-1);
	(*pos)++;
	if (tmux_control_parse_number(s, len, pos, &v) != 0 || v > UINT_MAX)
		return (-1);
	*id = (long)v;
	return (0);
}

/* Keep a NUL-terminated copy of a word of the current line. */
static struct tmux_control_line
tmux_control_parser_word(struct tmux_control_parser *p, const char *s,
    size_t len)
{
	struct tmux_control_line	word;

	tmux_control_grow(&p->word, &p->wordsize, 0, len);
	memcpy(p->word, s, len);
	p->word[len] = '\0';
	word.data = p->word;
	word.len = len;
	return (word);
}

/*
 * Match the arguments of a notification (line[pos..len]) against the
 * pattern of its table entry, filling n. Returns -1 if they do not fit.
 */
static int
tmux_control_parse_args(struct tmux_control_parser *p,
    const struct tmux_control_notify_entry *entry, const char *line,
    size_t len, size_t pos, struct tmux_control_notify *n)
{
	const char		*a, *found;
	unsigned long long	 v;
	size_t			 start;
	int			 dash = (entry->flags & TMUX_CONTROL_DASH);

	for (a = entry->args; *a != '\0'; a++) {
		if (*a == '*') {
			if (pos == len) {
				n->text.data = line + len;
				n->text.len = 0;
				return (0);
			}
			if (line[pos] != ' ')
				return (-1);
			n->text.data = line + pos + 1;
			n->text.len = len - pos - 1;
			return (0);
		}
		if (*a == ':') {
			found = NULL;
			for (start = pos; start + 3 <= len; start++) {
				if (memcmp(line + start, " : ", 3) == 0) {
					found = line + start;
					break;
				}
			}
			if (found == NULL)
				return (-1);
			n->text.data = found + 3;
			n->text.len = len - (start + 3);
			return (0);
		}
		if (pos == len || line[pos] != ' ')
			return (-1);
		pos++;
		switch (*a) {
		case '$':
			if (tmux_control_parse_id_token(line, len, &pos, '$',
			    dash, &n->session) != 0)
				return (-1);
			break;
		case '@':
			if (tmux_control_parse_id_token(line, len, &pos, '@',
			    dash, &n->window) != 0)
				return (-1);
			break;
		case '%':
			if (tmux_control_parse_id_token(line, len, &pos, '%',
			    dash, &n->pane) != 0)
				return (-1);
			break;
		case 'a':
			if (tmux_control_parse_number(line, len, &pos, &v) != 0)
				return (-1);
			n->age = v > LLONG_MAX ? LLONG_MAX : (long long)v;
			break;
		case 'n':
			if (pos < len && line[pos] == '-') {
				pos++;
				if (pos != len && line[pos] != ' ')
					return (-1);
			} else if (tmux_control_parse_number(line, len, &pos,
			    &v) != 0)
				return (-1);
			break;
		case 'w':
			start = pos;
			while (pos < len && line[pos] != ' ')
				pos++;
			if (pos == start)
				return (-1);
			n->word = tmux_control_parser_word(p, line + start,
			    pos - start);
			break;
		default:
			return (-1);
		}
	}
	return (pos == len ? 0 : -1);
}

/* Report a line of one of the simple kinds. */
static void
tmux_control_parser_emit(struct tmux_control_parser *p,
    enum tmux_control_event_type type, const char *line, size_t len,
    const char *reason)
{
	struct tmux_control_event	ev;

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.line.data = line;
	ev.line.len = len;
	ev.reason = reason;
	p->cb(&ev, p->arg);
}

/*
 * Try line as a notification. Inside a block only pause and continue are
 * accepted. Returns 0 if it was reported as one, -1 otherwise (with *reason
 * saying why when the word was known but the arguments did not fit).
 */
static int
tmux_control_parser_notify(struct tmux_control_parser *p, const char *line,
    size_t len, const char **reason)
{
	const struct tmux_control_notify_entry	*entry;
	struct tmux_control_event		 ev;
	struct tmux_control_notify		*n = &ev.notify;
	const char				*word;
	size_t					 i, wordlen, end;
	int					 unlinked = 0;

	*reason = "unknown notification";
	if (len < 2 || line[0] != '%')
		return (-1);
	word = line + 1;
	for (end = 1; end < len && line[end] != ' '; end++)
		/* nothing */;
	wordlen = end - 1;
	if (wordlen > 9 && memcmp(word, "unlinked-", 9) == 0) {
		unlinked = 1;
		word += 9;
		wordlen -= 9;
	}

	entry = NULL;
	for (i = 0; i < TMUX_CONTROL_NNOTIFY; i++) {
		if (strlen(tmux_control_notify_table[i].name) == wordlen &&
		    memcmp(tmux_control_notify_table[i].name, word,
		    wordlen) == 0) {
			entry = &tmux_control_notify_table[i];
			break;
		}
	}
	if (entry == NULL)
		return (-1);
	if (unlinked && (~entry->flags & TMUX_CONTROL_UNLINKED))
		return (-1);
	if (p->in_block && entry->type != TMUX_CONTROL_N_PAUSE &&
	    entry->type != TMUX_CONTROL_N_CONTINUE)
		return (-1);

	memset(&ev, 0, sizeof ev);
	ev.type = TMUX_CONTROL_NOTIFY;
	ev.line.data = line;
	ev.line.len = len;
	n->type = entry->type;
	n->name = entry->name;
	n->unlinked = unlinked;
	n->in_block = p->in_block;
	n->session = n->window = n->pane = -1;
	n->age = -1;
	n->word.data = n->text.data = line + len;
	if (tmux_control_parse_args(p, entry, line, len, end, n) != 0) {
		*reason = "malformed notification";
		return (-1);
	}
	p->cb(&ev, p->arg);
	return (0);
}

/* Add a line to the body of the open block. */
static void
tmux_control_parser_body(struct tmux_control_parser *p, const char *line,
    size_t len)
{
	if (p->noffsets == p->offsetsize) {
		p->offsetsize = p->offsetsize == 0 ? 16 : p->offsetsize * 2;
		p->offsets = tmux_control_xreallocarray(p->offsets,
		    p->offsetsize, sizeof *p->offsets);
	}
	p->offsets[p->noffsets++] = p->bodylen;
	tmux_control_grow(&p->body, &p->bodysize, p->bodylen, len);
	if (len != 0)
		memcpy(p->body + p->bodylen, line, len);
	p->bodylen += len;
	p->body[p->bodylen++] = '\0';
}

/* Report the open block, closed by line, and leave it. */
static void
tmux_control_parser_close(struct tmux_control_parser *p,
    enum tmux_control_event_type type, const char *line, size_t len,
    int error, const char *reason)
{
	struct tmux_control_event	 ev;
	struct tmux_control_block	*b = &ev.block;
	size_t				 i, end;

	if (p->noffsets > p->linesize) {
		p->linesize = p->noffsets;
		p->lines = tmux_control_xreallocarray(p->lines, p->linesize,
		    sizeof *p->lines);
	}
	for (i = 0; i < p->noffsets; i++) {
		end = (i + 1 < p->noffsets) ? p->offsets[i + 1] : p->bodylen;
		p->lines[i].data = p->body + p->offsets[i];
		p->lines[i].len = end - p->offsets[i] - 1;
	}

	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.line.data = line;
	ev.line.len = len;
	ev.reason = reason;
	b->time = p->time;
	b->number = p->number;
	b->flags = p->flags;
	b->error = error;
	b->solicited = (p->flags & 1);
	b->lines = p->lines;
	b->nlines = p->noffsets;

	p->in_block = 0;
	p->guardlen = 0;
	p->bodylen = 0;
	p->noffsets = 0;
	p->cb(&ev, p->arg);
}

/* Does line close the open block, exactly? Sets *error for %error. */
static int
tmux_control_parser_closes(struct tmux_control_parser *p, const char *line,
    size_t len, int *error)
{
	size_t	skip;

	if (tmux_control_prefix(line, len, "%end ")) {
		skip = 5;
		*error = 0;
	} else if (tmux_control_prefix(line, len, "%error ")) {
		skip = 7;
		*error = 1;
	} else
		return (0);
	return (len - skip == p->guardlen &&
	    memcmp(line + skip, p->guard, p->guardlen) == 0);
}

/* Handle one complete line, without its LF; line[len] is '\0'. */
static void
tmux_control_parser_line(struct tmux_control_parser *p, const char *line,
    size_t len)
{
	const char	*reason;
	int		 error;

	if (p->in_block) {
		if (tmux_control_parser_closes(p, line, len, &error)) {
			tmux_control_parser_close(p, TMUX_CONTROL_BLOCK, line,
			    len, error, NULL);
			return;
		}
		if ((tmux_control_prefix(line, len, "%pause ") ||
		    tmux_control_prefix(line, len, "%continue ")) &&
		    tmux_control_parser_notify(p, line, len, &reason) == 0)
			return;
		tmux_control_parser_body(p, line, len);
		return;
	}

	if (len == 0 || line[0] != '%') {
		tmux_control_parser_emit(p, TMUX_CONTROL_STRAY, line, len,
		    NULL);
		return;
	}
	if (tmux_control_prefix(line, len, "%begin ") ||
	    (len == 6 && memcmp(line, "%begin", 6) == 0)) {
		if (len < 7 || tmux_control_parse_guard(line + 7, len - 7,
		    &p->time, &p->number, &p->flags) != 0) {
			tmux_control_parser_emit(p, TMUX_CONTROL_UNKNOWN, line,
			    len, "malformed %begin");
			return;
		}
		p->guardlen = len - 7;
		memcpy(p->guard, line + 7, p->guardlen);
		p->guard[p->guardlen] = '\0';
		p->in_block = 1;
		p->bodylen = 0;
		p->noffsets = 0;
		return;
	}
	if (tmux_control_prefix(line, len, "%end ") ||
	    tmux_control_prefix(line, len, "%error ") ||
	    (len == 4 && memcmp(line, "%end", 4) == 0) ||
	    (len == 6 && memcmp(line, "%error", 6) == 0)) {
		tmux_control_parser_emit(p, TMUX_CONTROL_UNKNOWN, line, len,
		    "guard outside a block");
		return;
	}
	if (tmux_control_parser_notify(p, line, len, &reason) != 0)
		tmux_control_parser_emit(p, TMUX_CONTROL_UNKNOWN, line, len,
		    reason);
}

/* Take the line in p->buf, strip its CR if asked, and handle it. */
static void
tmux_control_parser_flush(struct tmux_control_parser *p)
{
	size_t	len = p->buflen;

	tmux_control_grow(&p->buf, &p->bufsize, len, 0);
	if (p->crlf && len != 0 && p->buf[len - 1] == '\r')
		len--;
	p->buf[len] = '\0';
	p->buflen = 0;
	tmux_control_parser_line(p, p->buf, len);
}

/* Feed bytes; complete lines are handled at once, the rest is kept. */
void
tmux_control_parser_feed(struct tmux_control_parser *p, const void *data,
    size_t size)
{
	const char	*s = data, *nl;
	size_t		 n;

	while (size != 0) {
		nl = memchr(s, '\n', size);
		n = (nl == NULL) ? size : (size_t)(nl - s);
		tmux_control_grow(&p->buf, &p->bufsize, p->buflen, n);
		memcpy(p->buf + p->buflen, s, n);
		p->buflen += n;
		if (nl == NULL)
			return;
		s += n + 1;
		size -= n + 1;
		tmux_control_parser_flush(p);
	}
}

/* The input ended: report a partial line or an open block as truncated. */
void
tmux_control_parser_eof(struct tmux_control_parser *p)
{
	size_t	len;

	if (p->buflen != 0) {
		len = p->buflen;
		tmux_control_grow(&p->buf, &p->bufsize, len, 0);
		p->buf[len] = '\0';
		p->buflen = 0;
		tmux_control_parser_emit(p, TMUX_CONTROL_TRUNCATED, p->buf,
		    len, "partial line at end of input");
	}
	if (p->in_block) {
		tmux_control_parser_close(p, TMUX_CONTROL_TRUNCATED, "", 0, 1,
		    "block not closed at end of input");
	}
}

/*
 * Decode %output data: a backslash and three octal digits stand for one
 * byte (control_append_data in tmux's control.c escapes bytes below 0x20
 * and the backslash). Anything else is copied. The result is NUL-ended.
 */
char *
tmux_control_unescape(const char *data, size_t len, size_t *outlen)
{
	char	*out;
	size_t	 i, n = 0;

	out = tmux_control_xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (data[i] == '\\' && i + 3 < len &&
		    data[i + 1] >= '0' && data[i + 1] <= '3' &&
		    data[i + 2] >= '0' && data[i + 2] <= '7' &&
		    data[i + 3] >= '0' && data[i + 3] <= '7') {
			out[n++] = (char)(((data[i + 1] - '0') << 6) |
			    ((data[i + 2] - '0') << 3) | (data[i + 3] - '0'));
			i += 3;
		} else
			out[n++] = data[i];
	}
	out[n] = '\0';
	if (outlen != NULL)
		*outlen = n;
	return (out);
}

/*
 * Split a line of -F output at sep (a tab, usually) into a NULL-terminated
 * array of copies. Free with tmux_control_split_free.
 */
char **
tmux_control_split(const char *line, size_t len, char sep, size_t *nfields)
{
	char		**fields;
	const char	 *start = line, *end = line + len, *next;
	size_t		  n = 1, i = 0;

	for (next = line; next < end; next++) {
		if (*next == sep)
			n++;
	}
	fields = tmux_control_xcalloc(n + 1, sizeof *fields);
	for (;;) {
		next = memchr(start, sep, end - start);
		if (next == NULL) {
			fields[i++] = tmux_control_xmemdup(start, end - start);
			break;
		}
		fields[i++] = tmux_control_xmemdup(start, next - start);
		start = next + 1;
	}
	fields[i] = NULL;
	if (nfields != NULL)
		*nfields = n;
	return (fields);
}

void
tmux_control_split_free(char **fields)
{
	size_t	i;

	if (fields == NULL)
		return;
	for (i = 0; fields[i] != NULL; i++)
		free(fields[i]);
	free(fields);
}
