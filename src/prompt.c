/*
 * The prompt a run starts from: the task, its parent's context, where an
 * earlier attempt got to (its checkpoint and a summary of how it ended)
 * and the lessons recorded for the role. It is one argument of the
 * agent's argv, never shell text; bytes that are not UTF-8 become U+FFFD
 * so that every CLI reads it as text.
 */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

/* How much of a parent's body and of an earlier attempt's words to quote. */
#define PROMPT_PARENT_BODY 4000
#define PROMPT_LAST_WORDS 1500
#define PROMPT_CHECKPOINT 16000

struct prompt_buf {
	char	*s;
	size_t	 len;
};

static void
prompt_add(struct prompt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
prompt_add(struct prompt_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*piece;
	size_t	 n;

	va_start(ap, fmt);
	n = (size_t)xvasprintf(&piece, fmt, ap);
	va_end(ap);
	b->s = xrealloc(b->s, b->len + n + 1);
	memcpy(b->s + b->len, piece, n + 1);
	b->len += n;
	free(piece);
}

/* Text quoted into the prompt, cut to max bytes at a character boundary. */
static char *
prompt_quote(const char *text, size_t max)
{
	char	*safe, *cut;
	size_t	 len;

	safe = utf8_sanitize(text != NULL ? text : "");
	len = strlen(safe);
	if (len <= max)
		return (safe);
	while (max > 0 && (safe[max] & 0xc0) == 0x80)
		max--;
	xasprintf(&cut, "%.*s […]", (int)max, safe);
	free(safe);
	return (cut);
}

/* Build the prompt for task t from what pc says. */
char *
prompt_build(struct task *t, const struct prompt_ctx *pc)
{
	struct prompt_buf	 b = { NULL, 0 };
	char			*q, *q2;
	size_t			 i;

	q = prompt_quote(t->title, SIZE_MAX);
	prompt_add(&b, "You are the %s on task #%lld of this repository.\n\n"
	    "Task: %s\n", pc->role, (long long)t->id, q);
	free(q);
	if (t->body != NULL && *t->body != '\0') {
		q = prompt_quote(t->body, SIZE_MAX);
		prompt_add(&b, "\n%s\n", q);
		free(q);
	}
	if (pc->parent != NULL) {
		q = prompt_quote(pc->parent->title, SIZE_MAX);
		q2 = prompt_quote(pc->parent->body, PROMPT_PARENT_BODY);
		prompt_add(&b, "\nThis is part of #%lld: %s\n%s%s",
		    (long long)pc->parent->id, q, q2, *q2 != '\0' ? "\n" : "");
		free(q2);
		free(q);
	}
	if (pc->summary != NULL) {
		q = prompt_quote(pc->summary, SIZE_MAX);
		prompt_add(&b, "\nAn earlier attempt at this task: %s\n", q);
		free(q);
	}
	if (pc->checkpoint_text != NULL && *pc->checkpoint_text != '\0') {
		q = prompt_quote(pc->checkpoint_text, PROMPT_CHECKPOINT);
		prompt_add(&b, "\nThe checkpoint it left:\n%s\nGo on from "
		    "there: what it committed is on this branch already.\n", q);
		free(q);
	}
	if (pc->nlessons != 0) {
		prompt_add(&b, "\nLessons from earlier tasks of the %s:\n",
		    pc->role);
		for (i = 0; i < pc->nlessons; i++) {
			q = prompt_quote(pc->lessons[i], PROMPT_LAST_WORDS);
			prompt_add(&b, "- %s\n", q);
			free(q);
		}
	}
	prompt_add(&b, "\nWork in this directory, a git worktree of its own on "
	    "branch %s. Commit your work there when it is done; uncommitted "
	    "changes are not landed.\n", t->branch != NULL ? t->branch :
	    "(the task's)");
	if (pc->checkpoint_path != NULL)
		prompt_add(&b, "Keep the file %s current as you go: what is "
		    "done, what is next and anything you learned. If this run "
		    "is cut short, the next one starts from it.\n",
		    pc->checkpoint_path);
	prompt_add(&b, "Run builds and tests through 'baton lock -- COMMAND' "
	    "so that parallel tasks take turns.\n");
	return (b.s);
}

/*
 * One line on how a run ended, for the prompt of the next attempt: which
 * provider, why it stopped, how far it got.
 */
char *
prompt_summary(struct run *r, struct run_verdict *v)
{
	char	*why, *words = NULL, *s;

	if (v->limited == RATELIMIT_AUTH)
		xasprintf(&why, "stopped when %s could not authenticate",
		    r->provider != NULL ? r->provider : "its provider");
	else if (v->limited)
		xasprintf(&why, "stopped at a usage limit of %s",
		    r->provider != NULL ? r->provider : "its provider");
	else if (v->error_text != NULL) {
		words = prompt_quote(v->error_text, 300);
		xasprintf(&why, "failed (%s)", words);
		free(words);
		words = NULL;
	} else
		xasprintf(&why, "ended: %s", r->outcome != NULL ? r->outcome :
		    "no exit status");
	if (v->last_text != NULL)
		words = prompt_quote(v->last_text, PROMPT_LAST_WORDS);
	xasprintf(&s, "run %lld (attempt %d, %s) %s after %u tool call%s.%s%s%s",
	    (long long)r->id, r->attempt, r->provider != NULL ? r->provider :
	    "started by hand", why, v->tools, v->tools == 1 ? "" : "s",
	    words != NULL ? " Its last words: \"" : "",
	    words != NULL ? words : "", words != NULL ? "\"" : "");
	free(why);
	free(words);
	return (s);
}
