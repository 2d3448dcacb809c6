/*
 * Tests for the control-mode parser: transcripts recorded from tmux 3.3a
 * (tests/fixtures/tmux, see its README.md), fed whole and split at every
 * byte, and hand-written edge cases.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tmux-control.h"

#ifndef TMUX_FIXTURES
#define TMUX_FIXTURES "tests/fixtures/tmux"
#endif

/* A growing string. */
struct str {
	char	*s;
	size_t	 len;
	size_t	 size;
};

static void
str_addn(struct str *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->size) {
		b->size = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->size);
		assert_non_null(b->s);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
str_add(struct str *b, const char *s)
{
	str_addn(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
str_printf(struct str *b, const char *fmt, ...)
{
	char	buf[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	str_add(b, buf);
}

/* Add bytes with anything unprintable as \xNN, so logs compare as text. */
static void
str_add_escaped(struct str *b, const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == '\\')
			str_printf(b, "\\x%02x", (unsigned char)s[i]);
		else
			str_addn(b, s + i, 1);
	}
}

/* A list of strings. */
struct list {
	char	**v;
	size_t	  n;
};

static void
list_add(struct list *l, struct str *b)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
	assert_non_null(l->v);
	l->v[l->n++] = b->s != NULL ? b->s : strdup("");
	memset(b, 0, sizeof *b);
}

static void
list_free(struct list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Check a list against expected strings. */
static void
list_check(const struct list *l, const char *const *want, size_t nwant)
{
	size_t	i;

	for (i = 0; i < l->n && i < nwant; i++) {
		if (strcmp(l->v[i], want[i]) != 0)
			print_error("item %zu: got [%s] want [%s]\n", i,
			    l->v[i], want[i]);
		assert_string_equal(l->v[i], want[i]);
	}
	if (l->n != nwant)
		print_error("got %zu items, want %zu\n", l->n, nwant);
	assert_int_equal(l->n, nwant);
}

/* What the parser reported. */
struct rec {
	struct str	log;		/* everything, for split comparisons */
	struct list	solicited;	/* "ok:line\nline" / "error:..." */
	struct list	unsolicited;
	struct list	notify;		/* all but output and window-renamed */
	struct list	stray;
	struct list	unknown;	/* "reason: line" */
	struct list	truncated;
	struct str	output;		/* decoded %output bytes */
	size_t		nrenamed;
};

static void
rec_free(struct rec *r)
{
	free(r->log.s);
	list_free(&r->solicited);
	list_free(&r->unsolicited);
	list_free(&r->notify);
	list_free(&r->stray);
	list_free(&r->unknown);
	list_free(&r->truncated);
	free(r->output.s);
	memset(r, 0, sizeof *r);
}

static void
rec_block(struct rec *r, const struct tmux_control_block *b)
{
	struct str	s = { 0 };
	size_t		i;

	str_add(&s, b->error ? "error:" : "ok:");
	for (i = 0; i < b->nlines; i++) {
		/* Lines are NUL-terminated as promised. */
		assert_int_equal(b->lines[i].data[b->lines[i].len], '\0');
		if (i != 0)
			str_add(&s, "\n");
		str_add_escaped(&s, b->lines[i].data, b->lines[i].len);
	}
	list_add(b->solicited ? &r->solicited : &r->unsolicited, &s);
}

static void
rec_notify(struct rec *r, const struct tmux_control_notify *n)
{
	struct str	 s = { 0 };
	char		*data;
	size_t		 len;

	assert_int_equal(n->text.data[n->text.len], '\0');
	assert_int_equal(n->word.data[n->word.len], '\0');
	if (n->type == TMUX_CONTROL_N_OUTPUT) {
		data = tmux_control_unescape(n->text.data, n->text.len, &len);
		str_printf(&r->output, "%%%ld:", n->pane);
		str_addn(&r->output, data, len);
		free(data);
		return;
	}
	if (n->type == TMUX_CONTROL_N_WINDOW_RENAMED) {
		r->nrenamed++;
		return;
	}
	str_add(&s, n->name);
	if (n->session != -1)
		str_printf(&s, " $%ld", n->session);
	if (n->window != -1)
		str_printf(&s, " @%ld", n->window);
	if (n->pane != -1)
		str_printf(&s, " %%%ld", n->pane);
	if (n->age != -1)
		str_printf(&s, " age=%lld", n->age);
	if (n->word.len != 0) {
		str_add(&s, " word=");
		str_add_escaped(&s, n->word.data, n->word.len);
	}
	if (n->text.len != 0) {
		str_add(&s, " text=");
		str_add_escaped(&s, n->text.data, n->text.len);
	}
	if (n->unlinked)
		str_add(&s, " unlinked");
	if (n->in_block)
		str_add(&s, " in-block");
	list_add(&r->notify, &s);
}

static void
rec_event(const struct tmux_control_event *ev, void *arg)
{
	struct rec	*r = arg;
	struct str	 s = { 0 };
	size_t		 i;

	assert_int_equal(ev->line.data[ev->line.len], '\0');
	switch (ev->type) {
	case TMUX_CONTROL_BLOCK:
		str_printf(&r->log, "B %llu %llu %llu %d %zu\n",
		    ev->block.time, ev->block.number, ev->block.flags,
		    ev->block.error, ev->block.nlines);
		for (i = 0; i < ev->block.nlines; i++) {
			str_add(&r->log, "| ");
			str_add_escaped(&r->log, ev->block.lines[i].data,
			    ev->block.lines[i].len);
			str_add(&r->log, "\n");
		}
		rec_block(r, &ev->block);
		return;
	case TMUX_CONTROL_NOTIFY:
		str_add(&r->log, "N ");
		rec_notify(r, &ev->notify);
		break;
	case TMUX_CONTROL_STRAY:
		str_add(&r->log, "S ");
		str_add_escaped(&s, ev->line.data, ev->line.len);
		list_add(&r->stray, &s);
		break;
	case TMUX_CONTROL_UNKNOWN:
		str_add(&r->log, "U ");
		str_printf(&s, "%s: ", ev->reason);
		str_add_escaped(&s, ev->line.data, ev->line.len);
		list_add(&r->unknown, &s);
		break;
	case TMUX_CONTROL_TRUNCATED:
		str_add(&r->log, "T ");
		str_printf(&s, "%s: ", ev->reason);
		str_add_escaped(&s, ev->line.data, ev->line.len);
		if (ev->block.nlines != 0)
			str_printf(&s, " (%zu lines)", ev->block.nlines);
		list_add(&r->truncated, &s);
		break;
	}
	str_add_escaped(&r->log, ev->line.data, ev->line.len);
	str_add(&r->log, "\n");
}

/* Feed data in pieces cut at the given offsets (ascending), then EOF. */
static void
parse_cuts(struct rec *r, const char *data, size_t len, const size_t *cuts,
    size_t ncuts, int crlf)
{
	struct tmux_control_parser	*p;
	size_t				 i, start = 0;

	memset(r, 0, sizeof *r);
	p = tmux_control_parser_new(rec_event, r);
	tmux_control_parser_set_crlf(p, crlf);
	for (i = 0; i < ncuts; i++) {
		tmux_control_parser_feed(p, data + start, cuts[i] - start);
		start = cuts[i];
	}
	tmux_control_parser_feed(p, data + start, len - start);
	tmux_control_parser_eof(p);
	tmux_control_parser_free(p);
}

static void
parse_string(struct rec *r, const char *data)
{
	parse_cuts(r, data, strlen(data), NULL, 0, 0);
}

static char *
read_fixture(const char *name, size_t *len)
{
	const char	*dir;
	char		 path[4096];
	FILE		*f;
	char		*data;
	long		 size;

	if ((dir = getenv("TMUX_FIXTURES")) == NULL)
		dir = TMUX_FIXTURES;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	data = malloc(size + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, size, f), (size_t)size);
	data[size] = '\0';
	fclose(f);
	*len = size;
	return (data);
}

/*
 * Parse a transcript whole, then cut at every byte offset, in three pieces
 * around every pair of offsets a few bytes apart, and one byte at a time:
 * every way must give the same events.
 */
static void
parse_fixture(const char *name, struct rec *r)
{
	struct rec	 other;
	char		*data;
	size_t		 len, k, j, cuts[2], *all;

	data = read_fixture(name, &len);
	parse_cuts(r, data, len, NULL, 0, 0);
	assert_non_null(r->log.s);

	for (k = 0; k <= len; k++) {
		cuts[0] = k;
		parse_cuts(&other, data, len, cuts, 1, 0);
		if (strcmp(other.log.s, r->log.s) != 0)
			fail_msg("%s: split at %zu differs", name, k);
		rec_free(&other);
		for (j = k + 1; j <= len && j < k + 8; j++) {
			cuts[1] = j;
			parse_cuts(&other, data, len, cuts, 2, 0);
			if (strcmp(other.log.s, r->log.s) != 0)
				fail_msg("%s: split at %zu,%zu differs", name,
				    k, j);
			rec_free(&other);
		}
	}

	all = calloc(len, sizeof *all);
	assert_non_null(all);
	for (k = 0; k < len; k++)
		all[k] = k;
	parse_cuts(&other, data, len, all, len, 0);
	assert_string_equal(other.log.s, r->log.s);
	rec_free(&other);
	free(all);
	free(data);
}

#define CHECK(list, ...) do {						\
	static const char *const want_[] = { __VA_ARGS__ };		\
	list_check(&(list), want_, sizeof want_ / sizeof want_[0]);	\
} while (0)
#define CHECK_EMPTY(list) assert_int_equal((list).n, 0)

static void
test_fixture_session(void **state)
{
	struct rec	r;

	parse_fixture("session.txt", &r);
	CHECK(r.solicited,
	    "ok:hello",
	    "ok:@0\\x090\\x09cat",
	    "error:parse error: unknown command: bogus-command",
	    "ok:a",
	    "error:can't find pane: %99",
	    "ok:it's $HOME ~ 3.3a",
	    "ok:",	/* set-hook */
	    "ok:",	/* new-window */
	    "ok:",	/* kill-window */
	    "ok:",	/* set-hook -u */
	    "ok:",	/* refresh-client -A pause: %pause is not body */
	    "ok:",	/* refresh-client -A continue */
	    "ok:", "ok:", "ok:", "ok:",	/* send-keys */
	    "ok:caf\\x5c\xc3\xa9 %end 0 0 1\n"
	    "caf\\x5c\xc3\xa9 %end 0 0 1\n"
	    "%error 1 2 1\n"
	    "%error 1 2 1",
	    "ok:",	/* load-buffer - */
	    "ok:",	/* refresh-client -f no-output */
	    "ok:done");
	CHECK(r.unsolicited, "ok:", "ok:hook-ran");
	CHECK(r.notify,
	    "window-add @0",
	    "sessions-changed",
	    "session-changed $0 text=rec",
	    "session-window-changed $0 @1",
	    "window-add @1",
	    "session-window-changed $0 @0",
	    "window-close @1 unlinked",
	    "pause %0 in-block",
	    "continue %0 in-block",
	    "exit");
	CHECK(r.stray, "-: Bad file descriptor");
	CHECK_EMPTY(r.unknown);
	CHECK_EMPTY(r.truncated);
	/* %output, decoded and joined, whatever tmux's chunking was. */
	assert_non_null(r.output.s);
	assert_non_null(strstr(r.output.s, "%0:caf\\\xc3\xa9 %end 0 0 1"));
	assert_non_null(strstr(r.output.s, "\r\n%0:%error 1 2 1"));
	rec_free(&r);
}

static void
test_fixture_attach(void **state)
{
	struct rec	r;

	parse_fixture("attach.txt", &r);
	CHECK(r.solicited,
	    "ok:@2\\x090\\x091\n@3\\x091\\x090",
	    "ok:%2\\x09@2\\x090\n%3\\x09@3\\x090");
	CHECK(r.unsolicited, "ok:");
	CHECK(r.notify, "session-changed $1 text=rec2", "exit");
	CHECK_EMPTY(r.stray);
	CHECK_EMPTY(r.unknown);
	CHECK_EMPTY(r.truncated);
	rec_free(&r);
}

static void
test_fixture_attach_missing(void **state)
{
	struct rec	r;

	parse_fixture("attach-missing.txt", &r);
	CHECK_EMPTY(r.solicited);
	CHECK(r.unsolicited, "error:can't find session: nope");
	CHECK(r.notify, "exit");
	CHECK_EMPTY(r.stray);
	CHECK_EMPTY(r.unknown);
	CHECK_EMPTY(r.truncated);
	rec_free(&r);
}

static void
test_fixture_kill_server(void **state)
{
	struct rec	r;

	parse_fixture("kill-server.txt", &r);
	CHECK(r.solicited, "ok:", "ok:3.3a", "ok:");
	CHECK(r.unsolicited, "ok:");
	assert_true(r.notify.n >= 5);
	assert_string_equal(r.notify.v[0], "window-add @4");
	assert_string_equal(r.notify.v[2], "session-changed $2 text=rec3");
	assert_string_equal(r.notify.v[r.notify.n - 1], "exit");
	CHECK_EMPTY(r.stray);
	CHECK_EMPTY(r.unknown);
	CHECK_EMPTY(r.truncated);
	rec_free(&r);
}

/* A body line that looks like a guard but differs closes nothing. */
static void
test_fake_end(void **state)
{
	struct rec	r;

	parse_string(&r,
	    "%begin 1700000000 5 1\n"
	    "%end 1700000000 5 0\n"
	    "%end 1700000000 6 1\n"
	    "%end 1700000001 5 1\n"
	    "%error 1700000000 5\n"
	    "%end 1700000000 5 1 \n"
	    "%end  1700000000 5 1\n"
	    "%end 1700000000 05 1\n"
	    "%begin 1700000000 7 1\n"
	    "%exit\n"
	    "%window-add @1\n"
	    "\n"
	    "%end 1700000000 5 1\n");
	CHECK(r.solicited,
	    "ok:%end 1700000000 5 0\n"
	    "%end 1700000000 6 1\n"
	    "%end 1700000001 5 1\n"
	    "%error 1700000000 5\n"
	    "%end 1700000000 5 1 \n"
	    "%end  1700000000 5 1\n"
	    "%end 1700000000 05 1\n"
	    "%begin 1700000000 7 1\n"
	    "%exit\n"
	    "%window-add @1\n");
	CHECK_EMPTY(r.notify);
	CHECK_EMPTY(r.unsolicited);
	CHECK_EMPTY(r.truncated);
	rec_free(&r);

	/* %error with the exact guard closes as an error. */
	parse_string(&r, "%begin 1 2 1\n%end 1 2 0\n%error 1 2 1\n");
	CHECK(r.solicited, "error:%end 1 2 0");
	rec_free(&r);
}

/* Numbers skip, and flags 0 blocks come between ours. */
static void
test_numbers_and_flags(void **state)
{
	struct rec	r;

	parse_string(&r,
	    "%begin 10 3 0\nargv\n%end 10 3 0\n"
	    "%begin 10 9 1\nfirst\n%end 10 9 1\n"
	    "%begin 11 100 0\nhook\n%error 11 100 0\n"
	    "%window-add @7\n"
	    "%begin 11 101 1\nsecond\n%error 11 101 1\n"
	    "%begin 12 4 1\n%end 12 4 1\n");
	CHECK(r.solicited, "ok:first", "error:second", "ok:");
	CHECK(r.unsolicited, "ok:argv", "error:hook");
	CHECK(r.notify, "window-add @7");
	assert_non_null(strstr(r.log.s, "B 10 9 1 0 1\n"));
	assert_non_null(strstr(r.log.s, "B 11 100 0 1 1\n"));
	rec_free(&r);
}

/* Inside a block only exact %pause/%continue lines are notifications. */
static void
test_pause_in_block(void **state)
{
	struct rec	r;

	parse_string(&r,
	    "%begin 1 1 1\n"
	    "%pause %12\n"
	    "%pause %12 \n"
	    "%pause %x\n"
	    "%pause 12\n"
	    "%pause %\n"
	    "%continue %3\n"
	    "%continue %3x\n"
	    "%pausex %1\n"
	    "%sessions-changed\n"
	    "%end 1 1 1\n"
	    "%pause %4\n");
	CHECK(r.solicited,
	    "ok:%pause %12 \n%pause %x\n%pause 12\n%pause %\n"
	    "%continue %3x\n%pausex %1\n%sessions-changed");
	CHECK(r.notify, "pause %12 in-block", "continue %3 in-block",
	    "pause %4");
	rec_free(&r);
}

/* Arguments of each kind of notification. */
static void
test_notifications(void **state)
{
	struct rec	r;

	parse_string(&r,
	    "%layout-change @1 b25d,80x24,0,0,1 b25d,80x24,0,0,1 \n"
	    "%layout-change @1 a,1x1 a,1x1 *Z\n"
	    "%window-pane-changed @2 %5\n"
	    "%window-renamed @3 my window\\040x\n"
	    "%unlinked-window-renamed @3 other\n"
	    "%unlinked-window-add @9\n"
	    "%window-close @9\n"
	    "%pane-mode-changed %0\n"
	    "%client-session-changed /dev/pts/3 $1 work\n"
	    "%client-detached client-42\n"
	    "%session-renamed $1 new name\n"
	    "%session-window-changed $1 @2\n"
	    "%subscription-changed sub $0 @0 0 %0 : bash 80\n"
	    "%subscription-changed s2 $0 - - - : a : b\n"
	    "%extended-output %3 1500 x y : hi\\015\\012\n"
	    "%output %3 \n"
	    "%paste-buffer-changed buffer0\n"
	    "%message hello there\n"
	    "%config-error /x:1: bad\n"
	    "%exit too far behind\n"
	    "%exit\n");
	CHECK(r.notify,
	    "layout-change @1 text=b25d,80x24,0,0,1 b25d,80x24,0,0,1 ",
	    "layout-change @1 text=a,1x1 a,1x1 *Z",
	    "window-pane-changed @2 %5",
	    "window-add @9 unlinked",
	    "window-close @9",
	    "pane-mode-changed %0",
	    "client-session-changed $1 word=/dev/pts/3 text=work",
	    "client-detached word=client-42",
	    "session-renamed $1 text=new name",
	    "session-window-changed $1 @2",
	    "subscription-changed $0 @0 %0 word=sub text=bash 80",
	    "subscription-changed $0 word=s2 text=a : b",
	    "extended-output %3 age=1500 text=hi\\x5c015\\x5c012",
	    "paste-buffer-changed text=buffer0",
	    "message text=hello there",
	    "config-error text=/x:1: bad",
	    "exit text=too far behind",
	    "exit");
	assert_int_equal(r.nrenamed, 2);
	CHECK_EMPTY(r.unknown);
	CHECK_EMPTY(r.stray);
	rec_free(&r);
}

/* Unknown and malformed % lines are reported, never fatal. */
static void
test_unknown(void **state)
{
	struct rec	r;

	parse_string(&r,
	    "%frobnicate 1 2\n"
	    "%\n"
	    "%window-add x\n"
	    "%window-add @1 extra\n"
	    "%window-add @99999999999\n"
	    "%window-add\n"
	    "%unlinked-session-changed $1 x\n"
	    "%unlinked-\n"
	    "%sessions-changed now\n"
	    "%subscription-changed s $0 @0 0 %0 no-colon\n"
	    "%end 1 2 1\n"
	    "%error 1 2 1\n"
	    "%end\n"
	    "%begin\n"
	    "%begin 1 2\n"
	    "%begin 1 2 3 4\n"
	    "%begin a 2 3\n"
	    "%begin 111111111111111111111 2 3\n"
	    "%begin 1  2 3\n"
	    "%window-add @2\n");
	CHECK(r.unknown,
	    "unknown notification: %frobnicate 1 2",
	    "unknown notification: %",
	    "malformed notification: %window-add x",
	    "malformed notification: %window-add @1 extra",
	    "malformed notification: %window-add @99999999999",
	    "malformed notification: %window-add",
	    "unknown notification: %unlinked-session-changed $1 x",
	    "unknown notification: %unlinked-",
	    "malformed notification: %sessions-changed now",
	    "malformed notification: %subscription-changed s $0 @0 0 %0 "
	    "no-colon",
	    "guard outside a block: %end 1 2 1",
	    "guard outside a block: %error 1 2 1",
	    "guard outside a block: %end",
	    "malformed %begin: %begin",
	    "malformed %begin: %begin 1 2",
	    "malformed %begin: %begin 1 2 3 4",
	    "malformed %begin: %begin a 2 3",
	    "malformed %begin: %begin 111111111111111111111 2 3",
	    "malformed %begin: %begin 1  2 3");
	/* The parser is still in step afterwards. */
	CHECK(r.notify, "window-add @2");
	CHECK_EMPTY(r.solicited);
	rec_free(&r);
}

static void
test_stray(void **state)
{
	struct rec	r;

	parse_string(&r, "-: Bad file descriptor\n\nplain text %x\n");
	CHECK(r.stray, "-: Bad file descriptor", "", "plain text %x");
	rec_free(&r);
}

/* End of input in the middle of a line or of a block. */
static void
test_truncated(void **state)
{
	struct rec	r;

	parse_string(&r, "%begin 1 2 1\nabc\n%end 1 2");
	CHECK(r.truncated,
	    "partial line at end of input: %end 1 2",
	    "block not closed at end of input:  (1 lines)");
	CHECK_EMPTY(r.solicited);
	rec_free(&r);

	parse_string(&r, "%exit");
	CHECK(r.truncated, "partial line at end of input: %exit");
	CHECK_EMPTY(r.notify);
	rec_free(&r);
}

/* CR before LF is stripped only when asked (output that went via a tty). */
static void
test_crlf(void **state)
{
	struct rec	 r;
	const char	*s = "%begin 1 1 1\r\nx\r\n%end 1 1 1\r\n%exit\r\n";

	parse_cuts(&r, s, strlen(s), NULL, 0, 1);
	CHECK(r.solicited, "ok:x");
	CHECK(r.notify, "exit");
	rec_free(&r);

	/* Without it the CR is part of each line, so nothing fits. */
	parse_cuts(&r, s, strlen(s), NULL, 0, 0);
	CHECK_EMPTY(r.solicited);
	CHECK_EMPTY(r.notify);
	CHECK(r.stray, "x\\x0d");
	CHECK(r.unknown,
	    "malformed %begin: %begin 1 1 1\\x0d",
	    "guard outside a block: %end 1 1 1\\x0d",
	    "unknown notification: %exit\\x0d");
	rec_free(&r);
}

/* A body line of several megabytes, fed in odd-sized pieces, with NULs. */
static void
test_long_line(void **state)
{
	struct tmux_control_parser	*p;
	struct rec			 r;
	char				*big;
	size_t				 n = 3 * 1024 * 1024 + 7, i, step;
	const char			*head = "%begin 5 6 1\n";
	const char			*tail = "\n%end 5 6 1\n";

	big = malloc(n);
	assert_non_null(big);
	for (i = 0; i < n; i++)
		big[i] = "ab\0%\r"[i % 5];

	memset(&r, 0, sizeof r);
	p = tmux_control_parser_new(rec_event, &r);
	tmux_control_parser_feed(p, head, strlen(head));
	for (i = 0; i < n; i += step) {
		step = 1 + (i * 7919) % 65521;
		if (step > n - i)
			step = n - i;
		tmux_control_parser_feed(p, big + i, step);
	}
	tmux_control_parser_feed(p, tail, strlen(tail));
	tmux_control_parser_free(p);

	assert_int_equal(r.solicited.n, 1);
	/* In the record NUL and CR are escaped as \xNN: 11 bytes per 5. */
	assert_int_equal(n % 5, 0);
	assert_int_equal(strlen(r.solicited.v[0]), strlen("ok:") + n / 5 * 11);
	assert_memory_equal(r.solicited.v[0], "ok:ab\\x00%\\x0dab", 16);
	rec_free(&r);
	free(big);
}

static void
test_unescape(void **state)
{
	char	*out;
	size_t	 len;

	out = tmux_control_unescape("a\\134b\\015\\012\\000\\7x\\\\477\\", 27,
	    &len);
	assert_int_equal(len, 15);
	assert_memory_equal(out, "a\\b\r\n\0\\7x\\\\477\\", 15);
	assert_int_equal(out[len], '\0');
	free(out);

	out = tmux_control_unescape("", 0, &len);
	assert_int_equal(len, 0);
	free(out);
}

static void
test_split(void **state)
{
	char	**f;
	size_t	  n;
	long	  id;

	f = tmux_control_split("@1\t0\tname with space", 20, '\t', &n);
	assert_int_equal(n, 3);
	assert_string_equal(f[0], "@1");
	assert_string_equal(f[1], "0");
	assert_string_equal(f[2], "name with space");
	assert_null(f[3]);
	tmux_control_split_free(f);

	f = tmux_control_split("a\t\t", 3, '\t', &n);
	assert_int_equal(n, 3);
	assert_string_equal(f[0], "a");
	assert_string_equal(f[1], "");
	assert_string_equal(f[2], "");
	tmux_control_split_free(f);

	f = tmux_control_split("", 0, '\t', &n);
	assert_int_equal(n, 1);
	assert_string_equal(f[0], "");
	tmux_control_split_free(f);

	assert_int_equal(tmux_control_parse_id("@12", '@', &id), 0);
	assert_int_equal(id, 12);
	assert_int_equal(tmux_control_parse_id("%0", '%', &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(tmux_control_parse_id("$4294967295", '$', &id), 0);
	assert_int_equal(id, 4294967295L);
	assert_int_equal(tmux_control_parse_id("$4294967296", '$', &id), -1);
	assert_int_equal(tmux_control_parse_id("@12", '%', &id), -1);
	assert_int_equal(tmux_control_parse_id("@", '@', &id), -1);
	assert_int_equal(tmux_control_parse_id("@1x", '@', &id), -1);
	assert_int_equal(tmux_control_parse_id("@-1", '@', &id), -1);
	assert_int_equal(tmux_control_parse_id(NULL, '@', &id), -1);
}

/* Quoting: user text is single-quoted, ' as '\'', % words always quoted. */
static void
test_quote(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} t[] = {
		{ "display", "display" },
		{ "-t", "-t" },
		{ "@1", "@1" },
		{ "%0", "'%0'" },
		{ "%0:pause", "'%0:pause'" },
		{ "%if", "'%if'" },
		{ "", "''" },
		{ "it's", "'it'\\''s'" },
		{ "'", "''\\'''" },
		{ "a b", "'a b'" },
		{ "$HOME", "'$HOME'" },
		{ "~", "'~'" },
		{ "#{pane_id}\t#{pane_dead}", "'#{pane_id}\t#{pane_dead}'" },
		{ ";", "';'" },
		{ "a;b", "'a;b'" },
		{ "\\;", "'\\;'" },
		{ "\"x\"", "'\"x\"'" },
		{ "{", "'{'" },
		{ "caf\xc3\xa9", "'caf\xc3\xa9'" },
	};
	char	*q;
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		q = tmux_control_quote(t[i].in);
		assert_string_equal(q, t[i].out);
		free(q);
	}
}

/* Lines that would desync the reply FIFO are refused. */
static void
test_check_command(void **state)
{
	static const char *const good[] = {
		"display -p hello",
		"display -p 'a;b'",
		"display -p \"a;b\"",
		"display -p 'it'\\''s'",
		"send-keys -t %0 -l 'x'",
		"display -p a\\;b",
	};
	static const char *const bad[] = {
		"",
		"   ",
		"\t",
		"# comment",
		"  # comment",
		"display -p a ; display -p b",
		"display -p a;b",
		"display -p 'a' ;",
		"display -p \"x\" ; kill-server",
		"display -p a\nb",
		"display -p a\r",
		"display -p 'unterminated ; x",
	};
	const char	*cause;
	size_t		 i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (tmux_control_check_command(good[i], &cause) != 0)
			fail_msg("refused [%s]: %s", good[i], cause);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (tmux_control_check_command(bad[i], &cause) == 0)
			fail_msg("accepted [%s]", bad[i]);
		assert_non_null(cause);
	}
}

static void
test_backoff(void **state)
{
	struct tmux_control_backoff	b = { 0 };
	unsigned int			want[] = { 250, 500, 1000, 2000, 4000,
					    8000, 16000, 30000, 30000 };
	size_t				i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(tmux_control_backoff_next(&b), want[i]);
	for (i = 0; i < 100; i++)
		assert_int_equal(tmux_control_backoff_next(&b), 30000);
	tmux_control_backoff_reset(&b);
	assert_int_equal(tmux_control_backoff_next(&b), 250);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_session),
		cmocka_unit_test(test_fixture_attach),
		cmocka_unit_test(test_fixture_attach_missing),
		cmocka_unit_test(test_fixture_kill_server),
		cmocka_unit_test(test_fake_end),
		cmocka_unit_test(test_numbers_and_flags),
		cmocka_unit_test(test_pause_in_block),
		cmocka_unit_test(test_notifications),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_stray),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_check_command),
		cmocka_unit_test(test_backoff),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
