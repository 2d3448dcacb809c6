/*
 * Command lines for tmux control mode: quoting arguments and checking that
 * a line holds exactly one command. Pure string work, no I/O.
 */

#include <string.h>

#include "tmux-control.h"

/* Characters that need no quoting in a bare tmux word. */
static int
tmux_control_safe(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return (1);
	return (ch != '\0' && strchr("-_./:@,=+", ch) != NULL);
}

/*
 * Quote one argument for a tmux command line. Bare words are only left bare
 * if made of safe characters; anything else is put in single quotes, which
 * tmux takes literally (no \ escapes, ~ or $ expansion: yylex_token in
 * cmd-parse.y), with ' written as '\''. A word that starts with % is always
 * quoted, since tmux reads a bare %word as a directive such as %if.
 */
char *
tmux_control_quote(const char *s)
{
	const char	*p;
	char		*out;
	size_t		 n = 2;
	int		 bare = (*s != '\0');

	for (p = s; *p != '\0'; p++) {
		if (!tmux_control_safe(*p))
			bare = 0;
		n += (*p == '\'') ? 4 : 1;
	}
	if (bare)
		return (tmux_control_xstrdup(s));

	out = tmux_control_xmalloc(n + 1);
	n = 0;
	out[n++] = '\'';
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else
			out[n++] = *p;
	}
	out[n++] = '\'';
	out[n] = '\0';
	return (out);
}

/*
 * Is line exactly one command? tmux prints no block for a line with no
 * command (and an empty line detaches), and one block per command of a ;
 * list but none for those after a failure, so such lines would put the
 * reply FIFO out of step. Quotes are followed as cmd-parse.y does: nothing
 * is special inside single quotes, \ escapes inside double quotes and bare
 * words. Returns 0, or -1 with *cause set to a constant string.
 */
int
tmux_control_check_command(const char *line, const char **cause)
{
	const char	*p;
	char		 quote = '\0';

	if (strpbrk(line, "\n\r") != NULL) {
		*cause = "command contains a newline";
		return (-1);
	}
	p = line + strspn(line, " \t");
	if (*p == '\0') {
		*cause = "empty command";
		return (-1);
	}
	if (*p == '#') {
		*cause = "command is a comment";
		return (-1);
	}
	for (; *p != '\0'; p++) {
		if (quote == '\'') {
			if (*p == '\'')
				quote = '\0';
			continue;
		}
		if (*p == '\\') {
			if (p[1] != '\0')
				p++;
			continue;
		}
		if (quote == '"') {
			if (*p == '"')
				quote = '\0';
			continue;
		}
		if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == ';') {
			*cause = "more than one command (bare ;)";
			return (-1);
		}
	}
	if (quote != '\0') {
		*cause = "unterminated quote";
		return (-1);
	}
	return (0);
}
