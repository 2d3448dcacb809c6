/*
 * The fast reading of Claude Code transcript lines in cmd-cost.c, against
 * the cJSON reading it stands in for: on lines with answers worked out by
 * hand, and on many mutations of them, where both must find the same call
 * or none. cmd-cost.c is compiled in here to reach its static functions.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#define cmd_cost_entry test_cost_entry
#include "cmd-cost.c"

/* Lines that only a real JSON reading gets right. */
static const char *seeds[] = {
	"{\"type\":\"user\",\"sessionId\":\"s1\",\"message\":{\"role\":\"user\","
	"\"content\":\"x\"},\"toolUseResult\":{\"usage\":{\"input_tokens\":9}}}",
	"{\"type\":\"assistant\",\"sessionId\":\"s1\",\"requestId\":\"req_1\","
	"\"timestamp\":\"2026-02-01T10:00:01Z\",\"message\":{\"id\":\"msg_1\","
	"\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\","
	"\"text\":\"q \\\"usage\\\":{} } ] \\\\\"}],\"usage\":{\"input_tokens\""
	":10,\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":"
	"2000,\"cache_creation\":{\"ephemeral_5m_input_tokens\":400,"
	"\"ephemeral_1h_input_tokens\":600},\"output_tokens\":100,"
	"\"server_tool_use\":{\"web_search_requests\":2},\"speed\":\"fast\"}},"
	"\"costUSD\":0.5}",
	"{\"type\":\"assistant\",\"sessionId\":\"s1\",\"requestId\":\"req_1\","
	"\"message\":{\"id\":\"msg_\\u0031\",\"model\":\"claude-sonnet-4-5\","
	"\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}",
	"{\"message\":{\"id\":\"msg_2\",\"usage\":{\"input_tokens\":7,"
	"\"output_tokens\":3},\"usage\":{\"input_tokens\":70000}},"
	"\"sessionId\":7,\"sessionId\":\"late\"}",
	" { \"message\" : { \"id\" : \"msg_4\" , \"model\" : \"m\" , \"usage\" :"
	" { \"input_tokens\" : 1e3 , \"output_tokens\" : -2.5E1 } } } trailing",
	"{\"message\":{\"id\":\"msg_5\",\"model\":\"<synthetic>\",\"usage\":{}}}",
	"{\"message\":[],\"usage\":{\"input_tokens\":5}}",
	"{\"message\":{\"usage\":[{\"input_tokens\":5}],\"usage\":{}}}",
	"{\"costUSD\":\"1\",\"costUSD\":2,\"message\":{\"usage\":{\"speed\":"
	"\"fa\\u0073t\"},\"x\":[true,false,null,{\"a\":[1,2.5,-3e-2]}]}}",
};

/* Read line both ways; each finds one call or none. */
static void
read_both(const char *line, size_t len, struct cost_state *fast,
    struct cost_state *slow)
{
	memset(fast, 0, sizeof *fast);
	memset(slow, 0, sizeof *slow);
	cost_transcript_line(fast, line, len, "-");
	cost_transcript_json(slow, line, len, "-");
}

static void
state_free(struct cost_state *cs)
{
	size_t	i;

	for (i = 0; i < cs->ncalls; i++)
		cost_call_free(&cs->calls[i]);
	free(cs->calls);
	free(cs->hash);
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* Do both readings agree? */
static int
agree(const char *line, size_t len)
{
	struct cost_state	 a, b;
	struct cost_call	*x, *y;
	int			 same;

	read_both(line, len, &a, &b);
	same = a.ncalls == b.ncalls;
	if (same && a.ncalls == 1) {
		x = &a.calls[0];
		y = &b.calls[0];
		same = same_str(x->key, y->key) &&
		    same_str(x->session, y->session) &&
		    same_str(x->model, y->model) &&
		    strcmp(x->day, y->day) == 0 &&
		    memcmp(&x->u, &y->u, sizeof x->u) == 0 &&
		    x->has_cli == y->has_cli && x->cli == y->cli;
	}
	if (!same) {
		print_error("the readings differ (%zu and %zu calls) on: %.*s\n",
		    a.ncalls, b.ncalls, (int)len, line);
		if (a.ncalls == 1 && b.ncalls == 1)
			print_error("in %lld/%lld out %lld/%lld key %s/%s\n",
			    (long long)a.calls[0].u.in,
			    (long long)b.calls[0].u.in,
			    (long long)a.calls[0].u.out,
			    (long long)b.calls[0].u.out,
			    a.calls[0].key != NULL ? a.calls[0].key : "-",
			    b.calls[0].key != NULL ? b.calls[0].key : "-");
	}
	state_free(&a);
	state_free(&b);
	return (same);
}

/* The answers, worked out by hand. */
static void
test_known(void **state)
{
	struct cost_state	 a, b;
	struct cost_call	*c;

	/* Usage inside toolUseResult is not a call. */
	read_both(seeds[0], strlen(seeds[0]), &a, &b);
	assert_int_equal(a.ncalls, 0);
	state_free(&a);
	state_free(&b);

	/* Quoted usage and braces in a text do not count; the real one does. */
	read_both(seeds[1], strlen(seeds[1]), &a, &b);
	assert_int_equal(a.ncalls, 1);
	c = &a.calls[0];
	assert_string_equal(c->key, "msg_1:req_1");
	assert_string_equal(c->session, "s1");
	assert_string_equal(c->model, "claude-sonnet-4-5");
	assert_string_equal(c->day, "2026-02-01");
	assert_int_equal(c->u.in, 10);
	assert_int_equal(c->u.cache_write, 1000);
	assert_int_equal(c->u.cache_write_1h, 600);
	assert_int_equal(c->u.cache_read, 2000);
	assert_int_equal(c->u.out, 100);
	assert_int_equal(c->u.web_search, 2);
	assert_int_equal(c->u.fast, 1);
	assert_int_equal(c->has_cli, 1);
	assert_true(c->cli == 0.5);
	state_free(&a);
	state_free(&b);

	/* An escaped id is decoded: the same call as msg_1. */
	read_both(seeds[2], strlen(seeds[2]), &a, &b);
	assert_int_equal(a.ncalls, 1);
	assert_string_equal(a.calls[0].key, "msg_1:req_1");
	state_free(&a);
	state_free(&b);

	/*
	 * The first member of a name wins, even one of the wrong type: usage
	 * is 7 in, 3 out; sessionId 7 is not a string, so there is none.
	 */
	read_both(seeds[3], strlen(seeds[3]), &a, &b);
	assert_int_equal(a.ncalls, 1);
	assert_int_equal(a.calls[0].u.in, 7);
	assert_int_equal(a.calls[0].u.out, 3);
	assert_string_equal(a.calls[0].session, "-");
	state_free(&a);
	state_free(&b);

	/* Spaces everywhere, exponents, trailing bytes: 1000 in, -25 out. */
	read_both(seeds[4], strlen(seeds[4]), &a, &b);
	assert_int_equal(a.ncalls, 1);
	assert_int_equal(a.calls[0].u.in, 1000);
	assert_int_equal(a.calls[0].u.out, -25);
	state_free(&a);
	state_free(&b);

	/* Synthetic messages, usage outside message, usage not an object. */
	read_both(seeds[5], strlen(seeds[5]), &a, &b);
	assert_int_equal(a.ncalls, 0);
	state_free(&a);
	state_free(&b);
	read_both(seeds[6], strlen(seeds[6]), &a, &b);
	assert_int_equal(a.ncalls, 0);
	state_free(&a);
	state_free(&b);
	read_both(seeds[7], strlen(seeds[7]), &a, &b);
	assert_int_equal(a.ncalls, 0);
	state_free(&a);
	state_free(&b);

	/* costUSD "1" is not a number and hides the 2 after it. */
	read_both(seeds[8], strlen(seeds[8]), &a, &b);
	assert_int_equal(a.ncalls, 1);
	assert_int_equal(a.calls[0].has_cli, 0);
	assert_int_equal(a.calls[0].u.fast, 1);
	state_free(&a);
	state_free(&b);
}

static void
test_seeds_agree(void **state)
{
	size_t	i, n;

	for (i = 0; i < nitems(seeds); i++) {
		assert_true(agree(seeds[i], strlen(seeds[i])));
		/* Every cut of the line too. */
		for (n = 0; n < strlen(seeds[i]); n++)
			assert_true(agree(seeds[i], n));
	}
}

static uint64_t rng = 88172645463325252ULL;

static u_int
rnd(u_int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return ((u_int)(rng % n));
}

/* Many seeded mutations: bytes dropped, inserted, lines cut, keys added. */
static void
test_mutations_agree(void **state)
{
	static const char	 bytes[] = "{}[]\",:\\ 0123456789eE.+-tfnulx/";
	static const char	*inserts[] = { "\"usage\":{\"input_tokens\":5}",
				    "\"message\":{}", "\\u0041", "\\\"", "\"id\":1" };
	char			 buf[4096];
	const char		*seed, *ins;
	size_t			 len, pos, n, i;
	u_int			 k, m;

	for (i = 0; i < 50000; i++) {
		seed = seeds[rnd(nitems(seeds))];
		len = strlen(seed);
		memcpy(buf, seed, len);
		m = 1 + rnd(4);
		for (k = 0; k < m; k++) {
			pos = len == 0 ? 0 : rnd(len + 1);
			switch (rnd(4)) {
			case 0:
				if (pos < len) {
					memmove(buf + pos, buf + pos + 1,
					    len - pos - 1);
					len--;
				}
				break;
			case 1:
				if (len + 1 < sizeof buf) {
					memmove(buf + pos + 1, buf + pos,
					    len - pos);
					buf[pos] = bytes[rnd(sizeof bytes - 1)];
					len++;
				}
				break;
			case 2:
				len = pos;
				break;
			default:
				ins = inserts[rnd(nitems(inserts))];
				n = strlen(ins);
				if (len + n < sizeof buf) {
					memmove(buf + pos + n, buf + pos,
					    len - pos);
					memcpy(buf + pos, ins, n);
					len += n;
				}
				break;
			}
		}
		if (!agree(buf, len))
			fail();
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_seeds_agree),
		cmocka_unit_test(test_mutations_agree),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
