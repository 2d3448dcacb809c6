/*
 * The prompt a run starts from: the task, its parent's context, where an
 * earlier attempt got to (its checkpoint and a summary of how it ended)
 * and the lessons recorded for the role; or, for the runs that answer in
 * JSON (a review, a plan, a validation, a lesson), the question and the
 * exact shape of the answer. It is one argument of the
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
#define PROMPT_TESTS 6000
#define PROMPT_PATCH (200 * 1024)

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

static void
prompt_lessons(struct prompt_buf *b, const struct prompt_ctx *pc)
{
	char	*q;
	size_t	 i;

	if (pc->nlessons == 0)
		return;
	prompt_add(b, "\nLessons from earlier tasks of the %s:\n", pc->role);
	for (i = 0; i < pc->nlessons; i++) {
		q = prompt_quote(pc->lessons[i], PROMPT_LAST_WORDS);
		prompt_add(b, "- %s\n", q);
		free(q);
	}
}

/* "You are the ROLE ...": the task's title and body. */
static void
prompt_task(struct prompt_buf *b, struct task *t, const char *role,
    const char *what)
{
	char	*q;

	q = prompt_quote(t->title, SIZE_MAX);
	prompt_add(b, "You are the %s %s #%lld of this repository.\n\n"
	    "Task: %s\n", role, what, (long long)t->id, q);
	free(q);
	if (t->body != NULL && *t->body != '\0') {
		q = prompt_quote(t->body, SIZE_MAX);
		prompt_add(b, "\n%s\n", q);
		free(q);
	}
}

/* The shape of a list of subtasks, for plans and gaps. */
static const char prompt_subtasks[] =
    "[{\"title\": \"...\", \"role\": \"worker\", \"body\": \"what to do "
    "and how to know it is done\", \"blocked_by\": [0]}, ...]\n"
    "where blocked_by lists the indexes (from 0) of subtasks in the same "
    "list that must land first; the roles are architect, worker, designer, "
    "reviewer, sre, assistant, triager and ops, or any the configuration "
    "defines. No cycles.\n";

/* An independent review of t's branch: the diff and the verdict's shape. */
char *
prompt_review(struct task *t, const struct prompt_ctx *pc)
{
	struct prompt_buf	 b = { NULL, 0 };
	char			*q;

	prompt_task(&b, t, pc->role, "reviewing task");
	q = prompt_quote(pc->patch != NULL ? pc->patch : "", PROMPT_PATCH);
	prompt_add(&b, "\nAnother agent did this task on branch %s. You did "
	    "not write it: review it independently. Its change against main:"
	    "\n\n```diff\n%s```\n", t->branch != NULL ? t->branch : "?", q);
	free(q);
	prompt_lessons(&b, pc);
	prompt_add(&b, "\nCheck that it does what the task asks, that it is "
	    "correct and tested, and that it drops nothing. Do not change or "
	    "commit any file. End your answer with one JSON object, either\n"
	    "{\"verdict\": \"approve\"}\nor\n{\"verdict\": \"changes\", "
	    "\"comments\": [\"file:line: what to change and why\", ...]}\n");
	return (b.s);
}

/* A decomposition: the request, and nothing to do but answer the plan. */
char *
prompt_plan(struct task *t, const struct prompt_ctx *pc)
{
	struct prompt_buf	 b = { NULL, 0 };

	prompt_task(&b, t, pc->role, "planning request");
	prompt_lessons(&b, pc);
	prompt_add(&b, "\nThe repository is checked out in this directory: "
	    "read what you need to understand it. Your only job is a plan: "
	    "do not change or commit any file. Split the request into "
	    "subtasks that each land on their own, small enough for one agent "
	    "run. End your answer with the plan as JSON:\n%s"
	    "A validation task is added after them by itself.\n",
	    prompt_subtasks);
	return (b.s);
}

/* A plan's validation: what was asked, what was done, the gaps' shape. */
char *
prompt_validate(struct task *t, const struct prompt_ctx *pc)
{
	struct prompt_buf	 b = { NULL, 0 };
	char			*q, *q2;

	prompt_task(&b, t, pc->role, "validating");
	if (pc->parent != NULL) {
		q = prompt_quote(pc->parent->title, SIZE_MAX);
		q2 = prompt_quote(pc->parent->body, SIZE_MAX);
		prompt_add(&b, "\nThe request (#%lld): %s\n%s\n",
		    (long long)pc->parent->id, q, q2);
		free(q2);
		free(q);
	}
	if (pc->context != NULL) {
		q = prompt_quote(pc->context, SIZE_MAX);
		prompt_add(&b, "\nIts subtasks:\n%s", q);
		free(q);
	}
	prompt_lessons(&b, pc);
	prompt_add(&b, "\nThe landed work is on main, checked out in this "
	    "directory. Check that together it does what the request asks. Do "
	    "not change or commit any file. End your answer with JSON: "
	    "{\"gaps\": []} when nothing is missing, or {\"gaps\": LIST} with "
	    "a subtask for each thing missing, LIST being\n%s",
	    prompt_subtasks);
	return (b.s);
}

/* A lesson: how the attempts at a task differed, in one sentence or two. */
char *
prompt_lesson(struct task *t, const struct prompt_ctx *pc)
{
	struct prompt_buf	 b = { NULL, 0 };
	char			*q;

	prompt_task(&b, t, pc->role, "looking back at");
	if (pc->context != NULL) {
		q = prompt_quote(pc->context, SIZE_MAX);
		prompt_add(&b, "\nThe attempts, in order:\n%s", q);
		free(q);
	}
	prompt_add(&b, "\nCompare the attempts that failed or were sent back "
	    "with the one that landed. What should the next agent of this role "
	    "do differently from the start? Do not change or commit any file. "
	    "End your answer with JSON: {\"lesson\": \"one or two sentences\"}"
	    "\n");
	return (b.s);
}

/* Build the prompt for task t from what pc says. */
char *
prompt_build(struct task *t, const struct prompt_ctx *pc)
{
	struct prompt_buf	 b = { NULL, 0 };
	char			*q, *q2;

	prompt_task(&b, t, pc->role, "on task");
	if (pc->parent != NULL) {
		q = prompt_quote(pc->parent->title, SIZE_MAX);
		q2 = prompt_quote(pc->parent->body, PROMPT_PARENT_BODY);
		prompt_add(&b, "\nThis is part of #%lld: %s\n%s%s",
		    (long long)pc->parent->id, q, q2, *q2 != '\0' ? "\n" : "");
		free(q2);
		free(q);
	}
	if (pc->history != NULL) {
		q = prompt_quote(pc->history, PROMPT_LAST_WORDS);
		prompt_add(&b, "\nAs the %s you have worked on earlier tasks, in "
		    "a conversation that cannot be continued in this folder. "
		    "Where it ended: %s\n", pc->role, q);
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
		    "there: what it changed is in this worktree already.\n", q);
		free(q);
	}
	if (pc->review != NULL) {
		q = prompt_quote(pc->review, SIZE_MAX);
		prompt_add(&b, "\nAn independent review of your branch asked "
		    "for changes:\n%s\nMake them, or explain in your answer why "
		    "one is wrong.\n", q);
		free(q);
	}
	if (pc->tests != NULL) {
		q = prompt_quote(pc->tests, PROMPT_TESTS);
		prompt_add(&b, "\nThe project's tests failed on your branch "
		    "rebased onto main. The end of their output:\n%s\nFix the "
		    "cause; the branch is already on top of main.\n", q);
		free(q);
	}
	prompt_lessons(&b, pc);
	prompt_add(&b, "\nWork in this directory, a git worktree of its own on "
	    "branch %s. Leave your changes in it: when you finish, baton "
	    "commits everything you changed here (you need not run git "
	    "yourself), and your final answer becomes the commit message's "
	    "body.\n", t->branch != NULL ? t->branch : "(the task's)");
	if (pc->checkpoint_path != NULL)
		prompt_add(&b, "Keep the file %s current as you go: what is "
		    "done, what is next and anything you learned. If this run "
		    "is cut short, the next one starts from it.\n",
		    pc->checkpoint_path);
	prompt_add(&b, "If you run builds or tests, run them through 'baton "
	    "lock -- COMMAND' where you can, so that parallel tasks take "
	    "turns.\n");
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
