/*
 * Writing a task back: a plain update writes what it is given; a
 * compare-and-set update writes only while the task is still in the state
 * it was read in, so that a decision made from an old read never undoes a
 * cancel or a retry made meanwhile. A real SQLite file in a temporary
 * folder.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "baton.h"

struct fix {
	char		 dir[64];
	struct store	*s;
	int64_t		 id;
};

static int
setup(void **state)
{
	struct fix	*f;
	struct task	*t;
	char		*path, *cause = NULL;

	f = xcalloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/baton-store-task.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	xasprintf(&path, "%s/baton.db", f->dir);
	if ((f->s = store_open(path, 1, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	free(path);
	t = task_new();
	task_set_text(t, "a task", "", "worker");
	t->state = TASK_READY;
	if (store_task_add(f->s, t, &cause) == -1)
		fail_msg("store_task_add: %s", cause);
	f->id = t->id;
	task_free(t);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fix	*f = *state;
	char		*path;

	store_close(f->s);
	xasprintf(&path, "%s/baton.db", f->dir);
	unlink(path);
	free(path);
	rmdir(f->dir);
	free(f);
	return (0);
}

static struct task *
get(struct fix *f)
{
	struct task	*t;
	char		*cause = NULL;

	if ((t = store_task_get(f->s, f->id, &cause)) == NULL)
		fail_msg("store_task_get: %s", cause);
	return (t);
}

/* Read, someone cancels, write from the old read: the cancel stands. */
static void
test_cas_keeps_a_cancel(void **state)
{
	struct fix	*f = *state;
	struct task	*old, *other, *now;
	char		*cause = NULL;

	old = get(f);
	assert_int_equal(old->stored, TASK_READY);
	other = get(f);
	other->state = TASK_CANCELLED;
	assert_int_equal(store_task_update(f->s, other, &cause), 0);
	task_free(other);

	old->state = TASK_RUNNING;
	assert_int_equal(store_task_update_cas(f->s, old, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, "#1 changed meanwhile (it is no longer "
	    "ready)");
	free(cause);
	now = get(f);
	assert_int_equal(now->state, TASK_CANCELLED);
	task_free(now);
	task_free(old);
}

/* Nobody else wrote: the update lands, and can be followed by another. */
static void
test_cas_writes_when_unchanged(void **state)
{
	struct fix	*f = *state;
	struct task	*t, *now;
	char		*cause = NULL;

	t = get(f);
	t->state = TASK_RUNNING;
	assert_int_equal(store_task_update_cas(f->s, t, &cause), 0);
	assert_int_equal(t->stored, TASK_RUNNING);
	t->state = TASK_REVIEW;
	t->rounds = 2;
	assert_int_equal(store_task_update_cas(f->s, t, &cause), 0);
	now = get(f);
	assert_int_equal(now->state, TASK_REVIEW);
	assert_int_equal(now->rounds, 2);
	task_free(now);
	task_free(t);
}

/* Kind, target and merge base make the round trip. */
static void
test_new_columns(void **state)
{
	struct fix	*f = *state;
	struct task	*t, *now;
	char		*cause = NULL;

	t = task_new();
	task_set_text(t, "resolve it", "", "worker");
	t->kind = TASK_RESOLVE;
	t->target_id = f->id;
	assert_true(store_task_add(f->s, t, &cause) > 0);
	t->merge_base = xstrdup("0123456789abcdef0123456789abcdef01234567");
	assert_int_equal(store_task_update(f->s, t, &cause), 0);
	now = store_task_get(f->s, t->id, &cause);
	assert_non_null(now);
	assert_int_equal(now->kind, TASK_RESOLVE);
	assert_int_equal(now->target_id, f->id);
	assert_string_equal(now->merge_base, t->merge_base);
	task_free(now);
	task_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cas_keeps_a_cancel, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cas_writes_when_unchanged,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_columns, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
