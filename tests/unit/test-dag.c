/* The blocked_by graph: paths, cycle messages, cycle search, ready order. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baton.h"

/* A graph from "task:blocker" pairs over nodes 1..n. */
static void
build(struct dag *dag, int64_t n, const int64_t (*edges)[2], size_t nedges)
{
	int64_t	i;
	size_t	e;

	dag_init(dag);
	for (i = n; i >= 1; i--)
		dag_add_node(dag, i);
	for (e = 0; e < nedges; e++)
		dag_add_edge(dag, edges[e][0], edges[e][1]);
	dag_sort(dag);
}

static void
test_path_chain(void **state)
{
	static const int64_t	 edges[][2] = { { 3, 2 }, { 2, 1 }, { 4, 1 } };
	struct dag		 dag;
	int64_t			*path;
	size_t			 n;

	build(&dag, 4, edges, nitems(edges));
	assert_int_equal(dag_path(&dag, 3, 1, &path, &n), 1);
	assert_int_equal(n, 3);
	assert_int_equal(path[0], 3);
	assert_int_equal(path[1], 2);
	assert_int_equal(path[2], 1);
	free(path);
	/* Edges have a direction: 1 does not wait on 3. */
	assert_int_equal(dag_path(&dag, 1, 3, &path, &n), 0);
	assert_null(path);
	assert_int_equal(dag_path(&dag, 4, 3, &path, &n), 0);
	/* Unknown nodes have no path. */
	assert_int_equal(dag_path(&dag, 9, 1, &path, &n), 0);
	dag_free(&dag);
}

static void
test_path_shortest(void **state)
{
	/* 1 reaches 5 directly and through 2, 3, 4: the direct one wins. */
	static const int64_t	 edges[][2] = {
		{ 1, 2 }, { 2, 3 }, { 3, 4 }, { 4, 5 }, { 1, 5 }
	};
	struct dag		 dag;
	int64_t			*path;
	size_t			 n;

	build(&dag, 5, edges, nitems(edges));
	assert_int_equal(dag_path(&dag, 1, 5, &path, &n), 1);
	assert_int_equal(n, 2);
	free(path);
	dag_free(&dag);
}

static void
test_cycle_message(void **state)
{
	static const int64_t	 edges[][2] = { { 7, 4 } };
	struct dag		 dag;
	int64_t			*path;
	size_t			 n;
	char			*msg;

	/* Adding 4 -> 7 closes a loop when 7 already reaches 4. */
	build(&dag, 7, edges, nitems(edges));
	assert_int_equal(dag_path(&dag, 7, 4, &path, &n), 1);
	assert_int_equal(n, 2);
	msg = dag_format_path(path, n, "#", 0);
	assert_string_equal(msg, "#7 \xe2\x86\x92 #4");
	free(msg);
	/* Indexes shown from 0 for nodes numbered from 1. */
	msg = dag_format_path(path, n, "", -1);
	assert_string_equal(msg, "6 \xe2\x86\x92 3");
	free(msg);
	free(path);
	dag_free(&dag);
}

static void
test_find_cycle(void **state)
{
	static const int64_t	 acyclic[][2] = {
		{ 2, 1 }, { 3, 1 }, { 4, 2 }, { 4, 3 }
	};
	static const int64_t	 cyclic[][2] = {
		{ 1, 2 }, { 2, 3 }, { 3, 4 }, { 4, 2 }, { 5, 1 }
	};
	struct dag		 dag;
	int64_t			*cycle;
	size_t			 n, i;

	build(&dag, 4, acyclic, nitems(acyclic));
	assert_int_equal(dag_find_cycle(&dag, &cycle, &n), 0);
	assert_int_equal(n, 0);
	dag_free(&dag);

	build(&dag, 5, cyclic, nitems(cyclic));
	assert_int_equal(dag_find_cycle(&dag, &cycle, &n), 1);
	assert_int_equal(n, 3);
	/* The loop is 2 -> 3 -> 4 -> 2, in edge order from some node. */
	for (i = 0; i < n; i++) {
		int64_t	from = cycle[i], to = cycle[(i + 1) % n];

		assert_true((from == 2 && to == 3) || (from == 3 && to == 4) ||
		    (from == 4 && to == 2));
	}
	free(cycle);
	dag_free(&dag);
}

static void
test_find_cycle_deep(void **state)
{
	struct dag	 dag;
	int64_t		*cycle, i, n = 20000;
	size_t		 len;

	/* A long chain must not overflow anything; closing it is found. */
	dag_init(&dag);
	for (i = 1; i <= n; i++) {
		dag_add_node(&dag, i);
		if (i > 1)
			dag_add_edge(&dag, i, i - 1);
	}
	dag_sort(&dag);
	assert_int_equal(dag_find_cycle(&dag, &cycle, &len), 0);
	dag_add_edge(&dag, 1, n);
	dag_sort(&dag);
	assert_int_equal(dag_find_cycle(&dag, &cycle, &len), 1);
	assert_int_equal(len, (size_t)n);
	free(cycle);
	dag_free(&dag);
}

static void
test_self_loop(void **state)
{
	static const int64_t	 edges[][2] = { { 1, 1 } };
	struct dag		 dag;
	int64_t			*cycle;
	size_t			 n;

	build(&dag, 1, edges, nitems(edges));
	assert_int_equal(dag_find_cycle(&dag, &cycle, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(cycle[0], 1);
	free(cycle);
	dag_free(&dag);
}

static void
test_ready_order(void **state)
{
	struct task	 t[4], *list[4];
	size_t		 i;

	memset(t, 0, sizeof t);
	t[0].id = 1; t[0].priority = 2; t[0].created_at = 100;
	t[1].id = 2; t[1].priority = 0; t[1].created_at = 300;
	t[2].id = 3; t[2].priority = 2; t[2].created_at = 50;
	t[3].id = 4; t[3].priority = 2; t[3].created_at = 50;
	for (i = 0; i < 4; i++)
		list[i] = &t[i];
	qsort(list, 4, sizeof *list, dag_ready_compare);
	assert_int_equal(list[0]->id, 2);	/* most urgent */
	assert_int_equal(list[1]->id, 3);	/* oldest, lower id */
	assert_int_equal(list[2]->id, 4);
	assert_int_equal(list[3]->id, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_chain),
		cmocka_unit_test(test_path_shortest),
		cmocka_unit_test(test_cycle_message),
		cmocka_unit_test(test_find_cycle),
		cmocka_unit_test(test_find_cycle_deep),
		cmocka_unit_test(test_self_loop),
		cmocka_unit_test(test_ready_order),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
