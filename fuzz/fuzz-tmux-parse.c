/*
 * libFuzzer target for the control-mode parser. The input is fed whole and
 * then in pieces whose sizes come from the input itself, with and without
 * CRLF stripping; both ways must give the same events, and every line
 * handed out must be NUL-terminated and readable. The quoting helper is
 * checked on the way: its output is always one command argument.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmux-control.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* FNV-1a over everything the parser reports. */
static void
fuzz_hash(uint64_t *h, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 i;

	for (i = 0; i < len; i++) {
		*h ^= p[i];
		*h *= 1099511628211ULL;
	}
}

static void
fuzz_touch(uint64_t *h, const struct tmux_control_line *line)
{
	if (line->data[line->len] != '\0')
		abort();
	fuzz_hash(h, &line->len, sizeof line->len);
	fuzz_hash(h, line->data, line->len);
}

static void
fuzz_event(const struct tmux_control_event *ev, void *arg)
{
	const struct tmux_control_notify	*n = &ev->notify;
	uint64_t				*h = arg;
	size_t					 i, len;
	char					*out;
	long					 ids[3];

	fuzz_hash(h, &ev->type, sizeof ev->type);
	fuzz_touch(h, &ev->line);
	switch (ev->type) {
	case TMUX_CONTROL_BLOCK:
	case TMUX_CONTROL_TRUNCATED:
		fuzz_hash(h, &ev->block.time, sizeof ev->block.time);
		fuzz_hash(h, &ev->block.number, sizeof ev->block.number);
		fuzz_hash(h, &ev->block.flags, sizeof ev->block.flags);
		fuzz_hash(h, &ev->block.error, sizeof ev->block.error);
		for (i = 0; i < ev->block.nlines; i++)
			fuzz_touch(h, &ev->block.lines[i]);
		break;
	case TMUX_CONTROL_NOTIFY:
		ids[0] = n->session;
		ids[1] = n->window;
		ids[2] = n->pane;
		fuzz_hash(h, ids, sizeof ids);
		fuzz_hash(h, &n->type, sizeof n->type);
		fuzz_hash(h, &n->in_block, sizeof n->in_block);
		fuzz_touch(h, &ev->notify.word);
		fuzz_touch(h, &ev->notify.text);
		if (ev->notify.type == TMUX_CONTROL_N_OUTPUT) {
			out = tmux_control_unescape(ev->notify.text.data,
			    ev->notify.text.len, &len);
			if (len > ev->notify.text.len || out[len] != '\0')
				abort();
			free(out);
		}
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmux_control_parser	*p;
	uint64_t			 whole, pieces;
	size_t				 off = 0, n, nfields;
	char				*s, *q, **fields;
	const char			*cause;

	if (size == 0)
		return (0);
	whole = pieces = 14695981039346656037ULL;

	p = tmux_control_parser_new(fuzz_event, &whole);
	tmux_control_parser_set_crlf(p, data[0] & 1);
	tmux_control_parser_feed(p, data + 1, size - 1);
	tmux_control_parser_eof(p);
	tmux_control_parser_free(p);

	p = tmux_control_parser_new(fuzz_event, &pieces);
	tmux_control_parser_set_crlf(p, data[0] & 1);
	n = 1 + (data[0] >> 1);
	off = 1;
	while (off < size) {
		if (n > size - off)
			n = size - off;
		tmux_control_parser_feed(p, data + off, n);
		off += n;
		n = 1 + ((n * 31 + data[off - 1]) % 97);
	}
	tmux_control_parser_eof(p);
	tmux_control_parser_free(p);
	if (whole != pieces)
		abort();

	fields = tmux_control_split((const char *)data, size, '\t', &nfields);
	if (nfields == 0 || fields[nfields] != NULL)
		abort();
	tmux_control_split_free(fields);

	/* Quoting: one argument, never a separator, a comment or a newline. */
	s = malloc(size + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (strpbrk(s, "\n\r") == NULL) {
		q = tmux_control_quote(s);
		if (tmux_control_check_command(q, &cause) != 0)
			abort();
		free(q);
	}
	free(s);
	return (0);
}
