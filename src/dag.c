/*
 * The blocked_by graph: cycle checks and paths. Edges point from a task to
 * the task it waits on, so a path from a to b means a (transitively) waits
 * on b.
 */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

void
dag_init(struct dag *dag)
{
	memset(dag, 0, sizeof *dag);
}

void
dag_free(struct dag *dag)
{
	free(dag->ids);
	free(dag->edges);
	dag_init(dag);
}

void
dag_add_node(struct dag *dag, int64_t id)
{
	dag->ids = xreallocarray(dag->ids, dag->nids + 1, sizeof *dag->ids);
	dag->ids[dag->nids++] = id;
}

void
dag_add_edge(struct dag *dag, int64_t task, int64_t blocker)
{
	dag->edges = xreallocarray(dag->edges, dag->nedges + 1,
	    sizeof *dag->edges);
	dag->edges[dag->nedges].task = task;
	dag->edges[dag->nedges].blocker = blocker;
	dag->nedges++;
}

static int
dag_cmp_id(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

static int
dag_cmp_edge(const void *a, const void *b)
{
	const struct dep_edge	*x = a, *y = b;

	if (x->task != y->task)
		return ((x->task > y->task) - (x->task < y->task));
	return ((x->blocker > y->blocker) - (x->blocker < y->blocker));
}

/* Sort nodes and edges; call after adding and before asking anything. */
void
dag_sort(struct dag *dag)
{
	if (dag->nids > 0)
		qsort(dag->ids, dag->nids, sizeof *dag->ids, dag_cmp_id);
	if (dag->nedges > 0)
		qsort(dag->edges, dag->nedges, sizeof *dag->edges,
		    dag_cmp_edge);
}

/* Index of a node, or -1. */
static ssize_t
dag_index(struct dag *dag, int64_t id)
{
	int64_t	*found;

	if (dag->nids == 0)
		return (-1);
	found = bsearch(&id, dag->ids, dag->nids, sizeof *dag->ids,
	    dag_cmp_id);
	if (found == NULL)
		return (-1);
	return (found - dag->ids);
}

/* Index of the first edge out of task (edges are sorted by task). */
static size_t
dag_first_edge(struct dag *dag, int64_t task)
{
	size_t	lo = 0, hi = dag->nedges, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (dag->edges[mid].task < task)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/*
 * Find a shortest path from a to b along edges, breadth first. Returns 1 and
 * the path (a first, b last) when there is one, 0 when there is none.
 */
int
dag_path(struct dag *dag, int64_t a, int64_t b, int64_t **path, size_t *n)
{
	ssize_t	*prev, ia, ib, cur, next;
	size_t	*queue, head = 0, tail = 0, e, len, i;
	int	 found = 0;

	*path = NULL;
	*n = 0;
	if ((ia = dag_index(dag, a)) == -1 || (ib = dag_index(dag, b)) == -1)
		return (0);

	prev = xreallocarray(NULL, dag->nids, sizeof *prev);
	for (i = 0; i < dag->nids; i++)
		prev[i] = -2;		/* not seen */
	queue = xreallocarray(NULL, dag->nids, sizeof *queue);
	prev[ia] = -1;
	queue[tail++] = ia;
	while (head < tail) {
		cur = queue[head++];
		if (cur == ib) {
			found = 1;
			break;
		}
		for (e = dag_first_edge(dag, dag->ids[cur]);
		    e < dag->nedges && dag->edges[e].task == dag->ids[cur];
		    e++) {
			next = dag_index(dag, dag->edges[e].blocker);
			if (next == -1 || prev[next] != -2)
				continue;
			prev[next] = cur;
			queue[tail++] = next;
		}
	}
	if (found) {
		len = 0;
		for (cur = ib; cur != -1; cur = prev[cur])
			len++;
		*path = xreallocarray(NULL, len, sizeof **path);
		*n = len;
		for (cur = ib; cur != -1; cur = prev[cur])
			(*path)[--len] = dag->ids[cur];
	}
	free(queue);
	free(prev);
	return (found);
}

/* Nodes joined by arrows, each as prefix and (node + bias): "#4 → #7". */
char *
dag_format_path(const int64_t *nodes, size_t n, const char *prefix,
    int64_t bias)
{
	char	*msg = xstrdup(""), *tmp;
	size_t	 i;

	for (i = 0; i < n; i++) {
		xasprintf(&tmp, "%s%s%s%lld", msg, i == 0 ? "" :
		    " \xe2\x86\x92 ", prefix, (long long)(nodes[i] + bias));
		free(msg);
		msg = tmp;
	}
	return (msg);
}

/*
 * Find any cycle. Returns 1 and the cycle's nodes in edge order (the first
 * node not repeated at the end), or 0 when the graph is acyclic.
 */
int
dag_find_cycle(struct dag *dag, int64_t **cycle, size_t *n)
{
	u_char	*colour;		/* 0 new, 1 on the stack, 2 finished */
	size_t	*stack, *edge, depth, i, e, j;
	ssize_t	 next;
	int	 found = 0;

	*cycle = NULL;
	*n = 0;
	if (dag->nids == 0)
		return (0);
	colour = xcalloc(dag->nids, 1);
	stack = xreallocarray(NULL, dag->nids, sizeof *stack);
	edge = xreallocarray(NULL, dag->nids, sizeof *edge);

	for (i = 0; i < dag->nids && !found; i++) {
		if (colour[i] != 0)
			continue;
		depth = 0;
		stack[depth] = i;
		edge[depth] = dag_first_edge(dag, dag->ids[i]);
		colour[i] = 1;
		depth++;
		while (depth > 0 && !found) {
			size_t	top = stack[depth - 1];

			e = edge[depth - 1];
			if (e >= dag->nedges ||
			    dag->edges[e].task != dag->ids[top]) {
				colour[top] = 2;
				depth--;
				continue;
			}
			edge[depth - 1]++;
			next = dag_index(dag, dag->edges[e].blocker);
			if (next == -1 || colour[next] == 2)
				continue;
			if (colour[next] == 1) {
				for (j = 0; j < depth; j++) {
					if (stack[j] == (size_t)next)
						break;
				}
				*n = depth - j;
				*cycle = xreallocarray(NULL, *n,
				    sizeof **cycle);
				for (e = 0; e < *n; e++)
					(*cycle)[e] = dag->ids[stack[j + e]];
				found = 1;
				break;
			}
			colour[next] = 1;
			stack[depth] = next;
			edge[depth] = dag_first_edge(dag, dag->edges[e].blocker);
			depth++;
		}
	}
	free(edge);
	free(stack);
	free(colour);
	return (found);
}

/* Order for the ready set: priority 0 first, then oldest, then lowest id. */
int
dag_ready_compare(const void *a, const void *b)
{
	const struct task	*x = *(struct task *const *)a;
	const struct task	*y = *(struct task *const *)b;

	if (x->priority != y->priority)
		return (x->priority - y->priority);
	if (x->created_at != y->created_at)
		return ((x->created_at > y->created_at) -
		    (x->created_at < y->created_at));
	return ((x->id > y->id) - (x->id < y->id));
}
