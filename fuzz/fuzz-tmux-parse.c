/*
 * libFuzzer target for the control-mode parser: the input is fed in pieces
 * whose sizes come from the input itself, with and without CRLF stripping.
 * Every line handed out must be NUL-terminated and readable. The quoting
 * helper is checked on the way: its output is always one safe command
 * argument.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmux-control.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static volatile unsigned int	sink;

static void
fuzz_touch(const struct tmux_control_line *line)
{
	size_t	i;

	if (line->data[line->len] != '\0')
		abort();
	for (i = 0; i < line->len; i++)
		sink += (unsigned char)line->data[i];
}

static void
fuzz_event(const struct tmux_control_event *ev, void *arg)
{
	size_t	i, len;
	char	*out;

	fuzz_touch(&ev->line);
	switch (ev->type) {
	case TMUX_CONTROL_BLOCK:
	case TMUX_CONTROL_TRUNCATED:
		for (i = 0; i < ev->block.nlines; i++)
			fuzz_touch(&ev->block.lines[i]);
		break;
	case TMUX_CONTROL_NOTIFY:
		fuzz_touch(&ev->notify.word);
		fuzz_touch(&ev->notify.text);
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
	size_t				 off = 0, n, nfields;
	char				*s, *q, **fields;
	const char			*cause;

	if (size == 0)
		return (0);
	p = tmux_control_parser_new(fuzz_event, NULL);
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
