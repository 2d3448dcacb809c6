/*
 * The UI: curses on a libevent loop. Callbacks (keys, resize, the data and
 * clock timers) only change state and mark the screen dirty; the loop draws
 * once per turn. Views reload from the store only when they are marked
 * stale: when SQLite's data_version says another connection wrote, when a
 * view is switched to, or when ui_notify() is called. The one-second clock
 * runs only while a drawn view shows a countdown or an elapsed time.
 */

#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
#include <event2/event.h>

#include "baton.h"

#define UI_DATA_SECONDS 2	/* how often to ask SQLite if data changed */
#define UI_MAX_STACK 8
#define UI_CACHE_KB "512"	/* SQLite page cache of the UI, in KiB */

#ifndef CTRL
#define CTRL(c) ((c) & 0x1f)
#endif

/* Every binding; the help view is drawn from this table. */
const struct ui_key ui_keys[] = {
	{ KEY_UP, "Up", UI_UP, "move up" },
	{ 'k', "k", UI_UP, NULL },
	{ KEY_DOWN, "Down", UI_DOWN, "move down" },
	{ 'j', "j", UI_DOWN, NULL },
	{ KEY_LEFT, "Left", UI_LEFT, "previous column or card" },
	{ 'h', "h", UI_LEFT, NULL },
	{ KEY_RIGHT, "Right", UI_RIGHT, "next column or card" },
	{ 'l', "l", UI_RIGHT, NULL },
	{ KEY_PPAGE, "PgUp", UI_PAGE_UP, "page up" },
	{ CTRL('b'), "C-b", UI_PAGE_UP, NULL },
	{ KEY_NPAGE, "PgDn", UI_PAGE_DOWN, "page down" },
	{ CTRL('f'), "C-f", UI_PAGE_DOWN, NULL },
	{ ' ', "Space", UI_PAGE_DOWN, NULL },
	{ KEY_HOME, "Home", UI_HOME, "first" },
	{ 'g', "g", UI_HOME, NULL },
	{ KEY_END, "End", UI_END, "last" },
	{ 'G', "G", UI_END, NULL },
	{ '\r', "Enter", UI_ENTER, "open the selected task" },
	{ '\n', NULL, UI_ENTER, NULL },
	{ KEY_ENTER, NULL, UI_ENTER, NULL },
	{ 27, "Esc", UI_BACK, "close the task or help view" },
	{ KEY_BACKSPACE, "Backspace", UI_BACK, NULL },
	{ 127, NULL, UI_BACK, NULL },
	{ '\t', "Tab", UI_NEXT_VIEW, "next view" },
	{ KEY_BTAB, "S-Tab", UI_PREV_VIEW, "previous view" },
	{ '1', "1", UI_BOARD, "board" },
	{ '2', "2", UI_LIVE, "live runs" },
	{ '3', "3", UI_STANDUP, "standup" },
	{ '4', "4", UI_RETRO, "retrospective" },
	{ '/', "/", UI_FILTER, "filter by text (empty clears)" },
	{ 'a', "a", UI_ATTACH, "attach to the selected run's tmux window" },
	{ 'm', "m", UI_MARK, "standup: set a new mark (now)" },
	{ 'p', "p", UI_GO, "go or pause: work the open sprint, or stop "
	    "dispatching" },
	{ 'P', "P", UI_PLAN, "plan: a request the architect decomposes into "
	    "subtasks" },
	{ CTRL('l'), "C-l", UI_REFRESH, "reload and redraw" },
	{ 'r', "r", UI_REFRESH, NULL },
	{ '?', "?", UI_HELP, "this help" },
	{ 'q', "q", UI_QUIT, "quit (agents keep running)" },
	{ KEY_MOUSE, "click", UI_CLICK, "select; click the tab bar to switch" },
};
const size_t ui_nkeys = nitems(ui_keys);

static int	ui_attach_tmux(const char *, const char *, char **);
int		(*ui_attach_hook)(const char *, const char *, char **) =
		    ui_attach_tmux;

static const struct ui_view_ops *ui_tab_ops[] = {
	&ui_board_ops, &ui_live_ops, &ui_standup_ops, &ui_retro_ops
};
#define UI_NTABS nitems(ui_tab_ops)

static struct store	*ui_store;
static struct runtime	*ui_runtime;	/* NULL: another baton does the work */
static struct event_base *ui_base;
static struct event	*ui_ev_key;
static struct event	*ui_ev_winch;
static struct event	*ui_ev_term;
static struct event	*ui_ev_hup;
static struct event	*ui_ev_data;
static struct event	*ui_ev_clock;
static struct event	*ui_ev_later;
static struct ui_view	*ui_later_view;
static const struct ui_view_ops *ui_later_ops;
static void		(*ui_later_fn)(struct ui_view *);
static struct ui_view	 ui_tabs[UI_NTABS];
static struct ui_view	*ui_stack[UI_MAX_STACK];
static u_int		 ui_depth;
static u_int		 ui_tab;
static int		 ui_dirty;
static int		 ui_quit;
static int		 ui_clock;	/* a drawn view wants the clock */
static int		 ui_data_version;
static char		*ui_socket;	/* baton's tmux server for this repository */
static struct repo	*ui_repo;
static char		*ui_msg;
static int		 ui_msg_error;
static char		*ui_filter_text;
static int		 ui_prompting;	/* UI_FILTER or UI_PLAN: typing */
static char		 ui_prompt_buf[2048];
static int		 ui_mouse_y;
static int		 ui_mouse_x;
static int		 ui_curses;
static struct provider_hold *ui_holds;	/* providers passed over now */
static size_t		 ui_nholds;
static int		 ui_holds_stale = 1;

static struct ui_view *
ui_current(void)
{
	if (ui_depth > 0)
		return (ui_stack[ui_depth - 1]);
	return (&ui_tabs[ui_tab]);
}

void
ui_redraw(void)
{
	ui_dirty = 1;
}

/* Data changed: every view reloads before it is next drawn. */
void
ui_notify(void)
{
	u_int	i;

	for (i = 0; i < UI_NTABS; i++)
		ui_tabs[i].stale = 1;
	for (i = 0; i < ui_depth; i++)
		ui_stack[i]->stale = 1;
	ui_holds_stale = 1;
	ui_dirty = 1;
}

void
ui_want_clock(void)
{
	ui_clock = 1;
}

int64_t
ui_now(void)
{
	return ((int64_t)time(NULL));
}

static void
ui_vmessage(int error, const char *fmt, va_list ap)
{
	free(ui_msg);
	xvasprintf(&ui_msg, fmt, ap);
	ui_msg_error = error;
	ui_dirty = 1;
	log_debug("ui: %s", ui_msg);
}

void
ui_message(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ui_vmessage(0, fmt, ap);
	va_end(ap);
}

void
ui_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ui_vmessage(1, fmt, ap);
	va_end(ap);
}

const char *
ui_filter(void)
{
	return (ui_filter_text);
}

/* Does s pass the filter? Case-insensitive substring; no filter passes. */
int
ui_matches(const char *s)
{
	size_t	n;

	if (ui_filter_text == NULL)
		return (1);
	if (s == NULL)
		return (0);
	n = strlen(ui_filter_text);
	for (; *s != '\0'; s++) {
		if (strncasecmp(s, ui_filter_text, n) == 0)
			return (1);
	}
	return (0);
}

void
ui_mouse(int *y, int *x)
{
	*y = ui_mouse_y;
	*x = ui_mouse_x;
}

/*
 * Draw text at y, x in at most width columns, padding the rest with the
 * role's background. Outside text is made safe (ui_put) first.
 */
void
ui_put_raw(int y, int x, int width, enum ui_role role, const char *s)
{
	char	*fitted;
	size_t	 used;

	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + width > COLS)
		width = COLS - x;
	fitted = util_fit(s, (size_t)width);
	used = util_width(fitted);
	attrset(theme_attr(role));
	mvaddstr(y, x, fitted);
	for (; used < (size_t)width; used++)
		addch(' ');
	attrset(theme_attr(ROLE_DEFAULT));
	free(fitted);
}

/* Combining marks that terminals draw on the character before them. */
static int
ui_combining(wchar_t wc)
{
	return ((wc >= 0x0300 && wc <= 0x036f) ||
	    (wc >= 0x1ab0 && wc <= 0x1aff) ||
	    (wc >= 0x1dc0 && wc <= 0x1dff) ||
	    (wc >= 0x20d0 && wc <= 0x20ff) ||
	    (wc >= 0xfe20 && wc <= 0xfe2f));
}

/*
 * Outside text made safe for a cell grid: util_vis escapes controls and
 * invalid bytes; here characters without a width of their own (joiners,
 * zero-width spaces, direction marks, unassigned code points) are escaped
 * too, since terminals and curses disagree on where they leave the cursor.
 * Combining accents stay, when they follow a character.
 */
static char *
ui_safe(const char *s)
{
	char		*vis, *out, *p;
	const char	*q;
	mbstate_t	 ps;
	wchar_t		 wc;
	size_t		 n, len;
	int		 w, have_base = 0;

	vis = util_vis(s != NULL ? s : "", 4096);
	len = strlen(vis);
	out = p = xmalloc(len * 3 + 1);
	memset(&ps, 0, sizeof ps);
	for (q = vis; *q != '\0'; q += n) {
		n = mbrtowc(&wc, q, len - (size_t)(q - vis), &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* util_vis leaves only valid UTF-8; be safe anyway. */
			*p++ = '?';
			n = 1;
			memset(&ps, 0, sizeof ps);
			continue;
		}
		w = wcwidth(wc);
		if (w > 0 || (w == 0 && have_base && ui_combining(wc))) {
			memcpy(p, q, n);
			p += n;
			have_base = 1;
			continue;
		}
		p += sprintf(p, wc > 0xffff ? "\\U%08x" : "\\u%04x",
		    (u_int)wc);
		have_base = 1;
	}
	*p = '\0';
	free(vis);
	return (out);
}

void
ui_put(int y, int x, int width, enum ui_role role, const char *s)
{
	char	*safe;

	safe = ui_safe(s);
	ui_put_raw(y, x, width, role, safe);
	free(safe);
}

void
ui_fill(int y, int x, int width, enum ui_role role)
{
	ui_put_raw(y, x, width, role, "");
}

static enum ui_role
ui_text_role(enum text_kind kind)
{
	switch (kind) {
	case TEXT_HEADING:
		return (ROLE_HEADING);
	case TEXT_DIM:
		return (ROLE_DIM);
	case TEXT_GOOD:
		return (ROLE_GOOD);
	case TEXT_BAD:
		return (ROLE_BAD);
	case TEXT_WARN:
		return (ROLE_WARN);
	case TEXT_COST:
		return (ROLE_COST);
	case TEXT_PLAIN:
		break;
	}
	return (ROLE_DEFAULT);
}

/* Draw lines of text from top, filling the view. */
void
ui_text_draw(struct ui_view *v, struct text *t, size_t top)
{
	int	i;
	size_t	n;

	for (i = 0; i < v->sy; i++) {
		n = top + (size_t)i;
		if (n < t->n)
			ui_put(v->y + i, v->x, v->sx,
			    ui_text_role(t->lines[n].kind), t->lines[n].text);
		else
			ui_fill(v->y + i, v->x, v->sx, ROLE_DEFAULT);
	}
}

/* Scrolling keys for a text view. */
int
ui_text_key(struct ui_view *v, struct text *t, size_t *top,
    enum ui_action action)
{
	size_t	page = v->sy > 1 ? (size_t)v->sy - 1 : 1;
	size_t	last = t->n > (size_t)v->sy ? t->n - (size_t)v->sy : 0;

	switch (action) {
	case UI_UP:
		if (*top > 0)
			(*top)--;
		break;
	case UI_DOWN:
		if (*top < last)
			(*top)++;
		break;
	case UI_PAGE_UP:
		*top = *top > page ? *top - page : 0;
		break;
	case UI_PAGE_DOWN:
		*top = *top + page < last ? *top + page : last;
		break;
	case UI_HOME:
		*top = 0;
		break;
	case UI_END:
		*top = last;
		break;
	default:
		return (0);
	}
	ui_dirty = 1;
	return (1);
}

/*
 * A view that is one scrolling page of text (standup, retro, help): these
 * are its open, close, draw and key; the view fills the text in update.
 */
struct ui_textview {
	struct text	 text;
	size_t		 top;
};

void
ui_textview_open(struct ui_view *v)
{
	v->data = xcalloc(1, sizeof (struct ui_textview));
}

void
ui_textview_close(struct ui_view *v)
{
	struct ui_textview	*tv = v->data;

	text_free(&tv->text);
	free(tv);
}

/* The view's text, emptied for update to fill. */
struct text *
ui_textview_text(struct ui_view *v)
{
	struct ui_textview	*tv = v->data;

	text_free(&tv->text);
	return (&tv->text);
}

void
ui_textview_draw(struct ui_view *v)
{
	struct ui_textview	*tv = v->data;

	if (tv->top >= tv->text.n)
		tv->top = 0;
	ui_text_draw(v, &tv->text, tv->top);
}

int
ui_textview_key(struct ui_view *v, enum ui_action action)
{
	struct ui_textview	*tv = v->data;

	return (ui_text_key(v, &tv->text, &tv->top, action));
}

/* Views sit between the header (and the holds strip) and the status line. */
static void
ui_layout(struct ui_view *v)
{
	int	top = ui_nholds > 0 ? 2 : 1;

	v->x = 0;
	v->y = top;
	v->sx = COLS;
	v->sy = LINES > top + 1 ? LINES - top - 1 : 0;
}

/* What a hold's kind means, in a few words. */
static char *
ui_hold_kind(const char *kind)
{
	static const struct {
		const char	*kind;
		const char	*text;
	} kinds[] = {
		{ "auth", "login failed" },
		{ "setup", "cannot run" },
		{ "stall", "stalled" },
	};
	char	*text, *p;
	u_int	 i;

	for (i = 0; kind != NULL && i < nitems(kinds); i++) {
		if (strcmp(kind, kinds[i].kind) == 0)
			return (xstrdup(kinds[i].text));
	}
	/* A limit's own kind: five_hour, requests, daily_quota, … */
	xasprintf(&text, "%s limit", kind != NULL ? kind : "usage");
	for (p = text; *p != '\0'; p++) {
		if (*p == '_')
			*p = ' ';
	}
	return (text);
}

/*
 * Every provider passed over, under the header, with a live countdown to
 * its reset ("~" when the CLI gave no reset and the end is a guess): the
 * reason a task is not moving is always on screen.
 */
static void
ui_draw_holds(void)
{
	struct provider_hold	*h;
	char			*part, *d, *kind;
	int64_t			 left, now = ui_now();
	size_t			 i;
	int			 x = 0, w;

	if (ui_holds_stale) {
		char	*cause = NULL;

		provider_holds_free(ui_holds, ui_nholds);
		if (store_holds(ui_store, now, &ui_holds, &ui_nholds,
		    &cause) != 0) {
			log_debug("%s: %s", __func__, cause);
			free(cause);
		}
		ui_holds_stale = 0;
	}
	if (ui_nholds == 0)
		return;
	ui_fill(1, 0, COLS, ROLE_DEFAULT);
	ui_put(1, 0, 6, ROLE_WARN, " held ");
	x = 6;
	for (i = 0; i < ui_nholds && x < COLS; i++) {
		h = &ui_holds[i];
		if ((left = h->until - now) <= 0) {
			ui_holds_stale = 1;	/* over: drop it next time */
			ui_notify();
			left = 0;
		}
		ui_want_clock();
		d = report_duration(left);
		kind = ui_hold_kind(h->kind);
		xasprintf(&part, "%s%s · %s · %s %s%s", i > 0 ? "  " : " ",
		    h->provider, kind, h->kind != NULL && (strcmp(h->kind,
		    "setup") == 0 || strcmp(h->kind, "stall") == 0) ?
		    "again in" : "resets in", h->estimated ? "~" : "", d);
		free(kind);
		free(d);
		w = (int)util_width(part);
		if (x + w > COLS && i + 1 < ui_nholds) {
			free(part);
			xasprintf(&part, "  +%zu more", ui_nholds - i);
			w = (int)util_width(part);
			i = ui_nholds;
		}
		ui_put(1, x, COLS - x, ROLE_COUNTDOWN, part);
		x += w;
		free(part);
	}
}

static void
ui_view_init(struct ui_view *v, const struct ui_view_ops *ops, int64_t arg)
{
	memset(v, 0, sizeof *v);
	v->ops = ops;
	v->store = ui_store;
	v->arg = arg;
	v->stale = 1;
	ui_layout(v);
	if (ops->open != NULL)
		ops->open(v);
}

static void
ui_push(const struct ui_view_ops *ops, int64_t arg)
{
	struct ui_view	*v;

	if (ui_depth == UI_MAX_STACK) {
		ui_error("too many views open: press Esc to close some");
		return;
	}
	v = xcalloc(1, sizeof *v);
	ui_view_init(v, ops, arg);
	ui_stack[ui_depth++] = v;
	ui_dirty = 1;
}

static void
ui_pop(void)
{
	struct ui_view	*v;

	if (ui_depth == 0)
		return;
	v = ui_stack[--ui_depth];
	if (v->ops->close != NULL)
		v->ops->close(v);
	free(v);
	ui_dirty = 1;
}

/*
 * Run fn on the view in the next loop turn, after this frame is drawn: for
 * slow work the first frame need not wait for. Dropped if the view is not
 * the current one by then (it asks again when next drawn).
 */
void
ui_later(struct ui_view *v, void (*fn)(struct ui_view *))
{
	struct timeval	tv = { 0, 0 };

	ui_later_view = v;
	ui_later_ops = v->ops;
	ui_later_fn = fn;
	event_add(ui_ev_later, &tv);
}

static void
ui_later_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ui_view	*v = ui_later_view;

	ui_later_view = NULL;
	if (v == NULL || v != ui_current() || v->ops != ui_later_ops)
		return;
	ui_later_fn(v);
	ui_dirty = 1;
}

/* Open the detail view of a task on top of the current one. */
void
ui_open_task(int64_t id)
{
	ui_push(&ui_task_ops, id);
}

static void
ui_switch_tab(u_int tab)
{
	while (ui_depth > 0)
		ui_pop();
	ui_tab = tab % UI_NTABS;
	ui_tabs[ui_tab].stale = 1;
	ui_dirty = 1;
}

/*
 * Run tmux with these arguments and wait for it. With suspend, curses gives
 * the terminal to tmux (def_prog_mode and endwin) and takes it back after.
 * The first line tmux writes to stderr goes into cause on failure.
 */
static int
ui_tmux_run(const char *socket, const char *cmd, const char *window,
    int suspend, char **cause)
{
	pid_t	 pid;
	int	 status, fds[2];
	char	 buf[256];
	ssize_t	 n;

	if (pipe(fds) != 0) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		return (-1);
	}
	if (suspend) {
		def_prog_mode();
		endwin();
	}
	switch (pid = fork()) {
	case -1:
		xasprintf(cause, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		if (suspend)
			reset_prog_mode();
		return (-1);
	case 0:
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		close(fds[1]);
		if (!suspend) {
			/* Keep tmux off the terminal curses is using. */
			dup2(STDERR_FILENO, STDOUT_FILENO);
			close(STDIN_FILENO);
		}
		if (suspend)
			unsetenv("TMUX");
		execlp("tmux", "tmux", "-L", socket, cmd, "-t", window,
		    (char *)NULL);
		dprintf(STDERR_FILENO, "cannot run tmux: %s", strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (suspend) {
		reset_prog_mode();
		clearok(curscr, TRUE);
		refresh();
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		xasprintf(cause, "tmux -L %s %s -t %s failed%s%s", socket, cmd,
		    window, *buf != '\0' ? ": " : "", buf);
		return (-1);
	}
	return (0);
}

/* Is this process inside a pane of the tmux server on socket? */
static int
ui_in_server(const char *socket)
{
	const char	*env = getenv("TMUX"), *end, *base;
	size_t		 len;

	if (env == NULL || *env == '\0')
		return (0);
	/* $TMUX is "socket-path,server-pid,session". */
	if ((end = strchr(env, ',')) == NULL)
		end = env + strlen(env);
	for (base = end; base > env && base[-1] != '/'; base--)
		;
	len = (size_t)(end - base);
	return (len == strlen(socket) && strncmp(base, socket, len) == 0);
}

/*
 * Show a run's window: from inside the same tmux server, switch this
 * client to it; from anywhere else, suspend the UI and attach a client in
 * this terminal until it detaches.
 */
static int
ui_attach_tmux(const char *socket, const char *window, char **cause)
{
	if (ui_in_server(socket))
		return (ui_tmux_run(socket, "switch-client", window, 0, cause));
	return (ui_tmux_run(socket, "attach-session", window, 1, cause));
}

/* Attach to a run's window through the hook, or say why not. */
void
ui_attach(const char *window, const char *what)
{
	const char	*socket;
	char		*cause = NULL;
	struct winsize	 ws;

	if (window == NULL || *window == '\0') {
		ui_error("%s has no tmux window to attach to", what);
		return;
	}
	if ((socket = getenv("BATON_TMUX_SOCKET")) == NULL || *socket == '\0')
		socket = ui_socket;
	if (ui_attach_hook(socket, window, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
	} else
		ui_message("back from %s", what);
	/* The terminal may have changed size while we were away. */
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	ui_notify();
	clearok(curscr, TRUE);
}

static void
ui_draw_header(void)
{
	struct ui_view	*v = ui_current();
	const char	*state;
	char		*line, *part;
	u_int		 i;
	int		 x;

	ui_fill(0, 0, COLS, ROLE_HEADER);
	ui_put(0, 0, 7, ROLE_HEADER, " baton ");
	x = 7;
	for (i = 0; i < UI_NTABS && x < COLS; i++) {
		xasprintf(&part, " %u %s ", i + 1, ui_tab_ops[i]->name);
		ui_put(0, x, (int)util_width(part), (ui_depth == 0 &&
		    i == ui_tab) ? ROLE_SELECTION : ROLE_HEADER, part);
		x += (int)util_width(part);
		free(part);
	}
	if (ui_depth > 0) {
		xasprintf(&part, " > %s ", v->ops->name);
		ui_put(0, x, (int)util_width(part), ROLE_SELECTION, part);
		x += (int)util_width(part);
		free(part);
	}
	if (ui_filter_text != NULL && x + 4 < COLS) {
		xasprintf(&line, "  filter: %s", ui_filter_text);
		ui_put(0, x, COLS - x, ROLE_HEADER, line);
		x += (int)util_width(line);
		free(line);
	}
	/* Whether baton is working the sprint, at the right. */
	state = store_sprint_going(ui_store) != 0 ? " going " : " paused ";
	if (x + (int)strlen(state) < COLS)
		ui_put(0, COLS - (int)strlen(state), (int)strlen(state),
		    ROLE_HEADER, state);
}

/* Go or pause the open sprint; the scheduler picks it up on its next turn. */
static void
ui_go(void)
{
	char	*cause = NULL;
	int	 going;

	going = store_sprint_going(ui_store) == 0;
	if (sched_set_going(ui_store, going, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
		return;
	}
	if (going && ui_runtime == NULL)
		ui_message("the sprint is going, but another baton holds this "
		    "repository: it does the dispatching");
	else
		ui_message(going ? "the sprint is going" : "paused: running "
		    "agents go on, nothing new starts");
	ui_notify();
}

static const char *
ui_prompt_prefix(void)
{
	return (ui_prompting == UI_PLAN ? "plan: " : "/");
}

/* As much of the end of what is typed as fits after the prefix. */
static const char *
ui_prompt_tail(void)
{
	const char	*p = ui_prompt_buf;
	int		 room = COLS - 1 - (int)util_width(ui_prompt_prefix());

	while (*p != '\0' && (int)util_width(p) > room) {
		p++;
		while (((u_char)*p & 0xc0) == 0x80)
			p++;
	}
	return (p);
}

static void
ui_draw_status(void)
{
	char	*line;

	if (ui_prompting) {
		xasprintf(&line, "%s%s", ui_prompt_prefix(), ui_prompt_tail());
		ui_put(LINES - 1, 0, COLS, ROLE_MESSAGE, line);
		free(line);
		return;
	}
	if (ui_msg != NULL)
		ui_put(LINES - 1, 0, COLS, ui_msg_error ? ROLE_ERROR :
		    ROLE_MESSAGE, ui_msg);
	else
		ui_put(LINES - 1, 0, COLS, ROLE_STATUS,
		    " ? help  Tab views  Enter open  / filter  a attach  "
		    "q quit");
}

/* Draw everything once; views reload first when stale. */
static void
ui_draw(void)
{
	struct ui_view	*v = ui_current();

	ui_dirty = 0;
	ui_clock = 0;
	erase();
	if (COLS < 30 || LINES < 8) {
		ui_put(0, 0, COLS, ROLE_ERROR, "terminal too small");
		refresh();
		return;
	}
	ui_draw_holds();
	ui_layout(v);
	if (v->stale) {
		v->stale = 0;
		if (v->ops->update != NULL)
			v->ops->update(v);
	}
	ui_draw_header();
	v->ops->draw(v);
	ui_draw_status();
	if (ui_prompting) {
		curs_set(1);
		move(LINES - 1, (int)util_width(ui_prompt_prefix()) +
		    (int)util_width(ui_prompt_tail()));
	} else
		curs_set(0);
	refresh();
}

/* A request typed after P becomes a plan task for the architect. */
static void
ui_plan(const char *text)
{
	int64_t	 id;
	char	*cause = NULL, *msg;

	if (*text == '\0')
		return;
	if (plan_request_add(ui_repo, ui_store, text, &id, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
		return;
	}
	xasprintf(&msg, "#%lld: the plan role decomposes it%s", (long long)id,
	    store_sprint_going(ui_store) ? "" : " once the sprint goes (p)");
	ui_message("%s", msg);
	free(msg);
	ui_notify();
}

static void
ui_prompt_key(int is_key, wint_t wc)
{
	char	mb[MB_LEN_MAX + 1];
	size_t	len = strlen(ui_prompt_buf), n;
	mbstate_t ps;

	ui_dirty = 1;
	if (!is_key && (wc == '\r' || wc == '\n') && ui_prompting == UI_PLAN) {
		ui_prompting = 0;
		ui_plan(ui_prompt_buf);
		return;
	}
	if (!is_key && (wc == '\r' || wc == '\n')) {
		ui_prompting = 0;
		free(ui_filter_text);
		ui_filter_text = NULL;
		if (*ui_prompt_buf != '\0')
			ui_filter_text = xstrdup(ui_prompt_buf);
		ui_notify();
		return;
	}
	if (!is_key && wc == 27) {
		ui_prompting = 0;
		return;
	}
	if ((is_key && wc == KEY_BACKSPACE) || (!is_key && (wc == 127 ||
	    wc == CTRL('h')))) {
		/* Drop the last character, not the last byte. */
		while (len > 0 && ((u_char)ui_prompt_buf[len - 1] & 0xc0) ==
		    0x80)
			len--;
		if (len > 0)
			len--;
		ui_prompt_buf[len] = '\0';
		return;
	}
	if (is_key || wc < 32 || wc == 127)
		return;
	memset(&ps, 0, sizeof ps);
	n = wcrtomb(mb, (wchar_t)wc, &ps);
	if (n == (size_t)-1 || len + n >= sizeof ui_prompt_buf)
		return;
	memcpy(ui_prompt_buf + len, mb, n);
	ui_prompt_buf[len + n] = '\0';
}

static enum ui_action
ui_lookup(int key)
{
	size_t	i;

	for (i = 0; i < ui_nkeys; i++) {
		if (ui_keys[i].key == key)
			return (ui_keys[i].action);
	}
	return (UI_NONE);
}

static void
ui_click(void)
{
	MEVENT	me;
	int	x = 7;
	u_int	i;

	if (getmouse(&me) != OK)
		return;
	ui_mouse_y = me.y;
	ui_mouse_x = me.x;
	if (me.y == 0) {
		for (i = 0; i < UI_NTABS; i++) {
			x += (int)strlen(ui_tab_ops[i]->name) + 4;
			if (me.x < x && me.x >= 7) {
				ui_switch_tab(i);
				return;
			}
		}
		return;
	}
	ui_current()->ops->key(ui_current(), UI_CLICK);
	ui_dirty = 1;
}

static void
ui_action(enum ui_action action)
{
	struct ui_view	*v = ui_current();

	switch (action) {
	case UI_QUIT:
		ui_quit = 1;
		return;
	case UI_HELP:
		if (v->ops != &ui_help_ops)
			ui_push(&ui_help_ops, 0);
		return;
	case UI_BACK:
		if (ui_depth > 0)
			ui_pop();
		else if (ui_filter_text != NULL) {
			free(ui_filter_text);
			ui_filter_text = NULL;
			ui_notify();
		}
		return;
	case UI_NEXT_VIEW:
		ui_switch_tab(ui_tab + 1);
		return;
	case UI_PREV_VIEW:
		ui_switch_tab(ui_tab + UI_NTABS - 1);
		return;
	case UI_BOARD:
	case UI_LIVE:
	case UI_STANDUP:
	case UI_RETRO:
		ui_switch_tab(action - UI_BOARD);
		return;
	case UI_FILTER:
		ui_prompting = UI_FILTER;
		snprintf(ui_prompt_buf, sizeof ui_prompt_buf, "%s",
		    ui_filter_text != NULL ? ui_filter_text : "");
		ui_dirty = 1;
		return;
	case UI_PLAN:
		ui_prompting = UI_PLAN;
		*ui_prompt_buf = '\0';
		ui_dirty = 1;
		return;
	case UI_REFRESH:
		ui_notify();
		clearok(curscr, TRUE);
		return;
	case UI_GO:
		ui_go();
		return;
	default:
		break;
	}
	if (action != UI_NONE && v->ops->key(v, action))
		ui_dirty = 1;
}

static void
ui_key_cb(evutil_socket_t fd, short events, void *arg)
{
	wint_t	wc;
	int	rc;

	while ((rc = get_wch(&wc)) != ERR) {
		if (ui_msg != NULL && !ui_prompting) {
			free(ui_msg);
			ui_msg = NULL;
			ui_dirty = 1;
		}
		if (ui_prompting) {
			ui_prompt_key(rc == KEY_CODE_YES, wc);
			continue;
		}
		if (rc == KEY_CODE_YES && wc == KEY_MOUSE) {
			ui_click();
			continue;
		}
		if (rc == KEY_CODE_YES && wc == KEY_RESIZE) {
			ui_dirty = 1;
			continue;
		}
		if (rc != KEY_CODE_YES && wc > 127)
			continue;
		ui_action(ui_lookup((int)wc));
		if (ui_quit)
			break;
	}
}

static void
ui_winch_cb(evutil_socket_t fd, short events, void *arg)
{
	struct winsize	ws;
	u_int		i;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	for (i = 0; i < UI_NTABS; i++) {
		ui_layout(&ui_tabs[i]);
		if (ui_tabs[i].ops->resize != NULL)
			ui_tabs[i].ops->resize(&ui_tabs[i]);
	}
	for (i = 0; i < ui_depth; i++) {
		ui_layout(ui_stack[i]);
		if (ui_stack[i]->ops->resize != NULL)
			ui_stack[i]->ops->resize(ui_stack[i]);
	}
	clearok(curscr, TRUE);
	ui_dirty = 1;
}

/* SIGTERM or SIGHUP: leave the loop so the terminal is given back. */
static void
ui_quit_cb(evutil_socket_t fd, short events, void *arg)
{
	log_debug("%s: signal %d", __func__, (int)fd);
	ui_quit = 1;
}

/* The slow timer: reload only if another connection wrote. */
static void
ui_data_cb(evutil_socket_t fd, short events, void *arg)
{
	int	v = store_data_version(ui_store);

	if (v != ui_data_version) {
		log_debug("%s: data_version %d -> %d", __func__,
		    ui_data_version, v);
		ui_data_version = v;
		ui_notify();
	}
}

static void
ui_clock_cb(evutil_socket_t fd, short events, void *arg)
{
	ui_dirty = 1;
}

/* libevent's own warnings go to the debug log, never onto the screen. */
static void
ui_event_log(int severity, const char *msg)
{
	log_debug("libevent (%d): %s", severity, msg);
}

static void
ui_cleanup(void)
{
	if (ui_curses) {
		endwin();
		ui_curses = 0;
	}
}

/* Run the UI until q. */
/* The repository the UI shows, for views that look at git. */
struct repo *
ui_repository(void)
{
	return (ui_repo);
}

/* The runtime told us something changed: redraw. */
static void
ui_runtime_changed(void *arg)
{
	ui_notify();
}

/* The runtime's problems go to the message line, never to stderr. */
static void
ui_runtime_warn(void *arg, const char *msg)
{
	ui_error("%s", msg);
}

/*
 * Store the runs' output and watch tmux in this loop, unless another baton
 * (baton run, or another UI) already does: then only show. Started after
 * the first frame, since catching up and asking tmux take a while.
 */
static struct runtime *
ui_runtime_start(struct repo *repo, struct store *s, int *lock)
{
	struct runtime	*rt;
	char		*why = NULL;

	if ((*lock = runtime_lock(repo, 0, &why)) == -1) {
		log_debug("%s: %s; only showing", __func__, why);
		free(why);
		return (NULL);
	}
	rt = runtime_new(ui_base, repo, s, ui_runtime_changed,
	    ui_runtime_warn, NULL, &why);
	if (rt == NULL) {
		ui_error("%s", why);
		free(why);
		close(*lock);
		*lock = -1;
	}
	ui_runtime = rt;
	return (rt);
}

int
ui_main(struct repo *repo, struct store *s, char **cause)
{
	const char	*batondir = repo->dir;
	struct runtime	*rt = NULL;
	int		 lock = -1;
	struct timeval	 tv_data = { UI_DATA_SECONDS, 0 };
	struct timeval	 tv_clock = { 1, 0 };
	struct timespec	 ts_start, ts_now;
	const char	*name = baton_theme;
	u_int		 i;
	int		 frames = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts_start);

	if (name == NULL)
		name = theme_config_name(batondir);
	if (theme_load(name, cause) != 0)
		return (-1);

	ui_store = s;
	ui_data_version = store_data_version(s);
	/* The views read little at a time: a small page cache keeps RSS low. */
	if (store_exec(s, "PRAGMA cache_size = -" UI_CACHE_KB, cause) != 0)
		return (-1);
	event_set_log_callback(ui_event_log);
	if ((ui_base = event_base_new()) == NULL) {
		*cause = xstrdup("event_base_new failed");
		return (-1);
	}
	free(ui_socket);
	ui_socket = tmux_socket_name(repo);
	ui_repo = repo;

	if (newterm(NULL, stdout, stdin) == NULL) {
		*cause = xstrdup("cannot start curses on this terminal (check "
		    "TERM)");
		event_base_free(ui_base);
		return (-1);
	}
	ui_curses = 1;
	fatal_set_cleanup(ui_cleanup);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(0);
	theme_start();
	bkgdset((chtype)theme_attr(ROLE_DEFAULT) | ' ');

	for (i = 0; i < UI_NTABS; i++)
		ui_view_init(&ui_tabs[i], ui_tab_ops[i], 0);

	ui_ev_key = event_new(ui_base, STDIN_FILENO, EV_READ|EV_PERSIST,
	    ui_key_cb, NULL);
	ui_ev_winch = evsignal_new(ui_base, SIGWINCH, ui_winch_cb, NULL);
	ui_ev_term = evsignal_new(ui_base, SIGTERM, ui_quit_cb, NULL);
	ui_ev_hup = evsignal_new(ui_base, SIGHUP, ui_quit_cb, NULL);
	ui_ev_data = event_new(ui_base, -1, EV_PERSIST, ui_data_cb, NULL);
	ui_ev_clock = event_new(ui_base, -1, EV_PERSIST, ui_clock_cb, NULL);
	ui_ev_later = evtimer_new(ui_base, ui_later_cb, NULL);
	event_add(ui_ev_key, NULL);
	event_add(ui_ev_winch, NULL);
	event_add(ui_ev_term, NULL);
	event_add(ui_ev_hup, NULL);
	event_add(ui_ev_data, &tv_data);

	ui_dirty = 1;
	while (!ui_quit) {
		if (ui_dirty) {
			ui_draw();
			if (frames++ == 0) {
				clock_gettime(CLOCK_MONOTONIC, &ts_now);
				log_debug("%s: first frame after %lld us", __func__,
				    (long long)(ts_now.tv_sec - ts_start.tv_sec) *
				    1000000 + (ts_now.tv_nsec -
				    ts_start.tv_nsec) / 1000);
				rt = ui_runtime_start(repo, s, &lock);
			}
			if (ui_clock && !evtimer_pending(ui_ev_clock, NULL))
				event_add(ui_ev_clock, &tv_clock);
			else if (!ui_clock &&
			    evtimer_pending(ui_ev_clock, NULL))
				event_del(ui_ev_clock);
		}
		/* Keys already buffered by curses do not wake the loop. */
		ui_key_cb(STDIN_FILENO, EV_READ, NULL);
		if (ui_quit || ui_dirty)
			continue;
		if (event_base_loop(ui_base, EVLOOP_ONCE) != 0)
			break;
	}

	while (ui_depth > 0)
		ui_pop();
	for (i = 0; i < UI_NTABS; i++) {
		if (ui_tabs[i].ops->close != NULL)
			ui_tabs[i].ops->close(&ui_tabs[i]);
	}
	event_free(ui_ev_key);
	event_free(ui_ev_winch);
	event_free(ui_ev_term);
	event_free(ui_ev_hup);
	event_free(ui_ev_data);
	event_free(ui_ev_clock);
	event_free(ui_ev_later);
	runtime_free(rt);
	ui_runtime = NULL;
	if (lock != -1)
		close(lock);
	event_base_free(ui_base);
	ui_cleanup();
	fatal_set_cleanup(NULL);
	free(ui_msg);
	ui_msg = NULL;
	free(ui_filter_text);
	ui_filter_text = NULL;
	return (0);
}
