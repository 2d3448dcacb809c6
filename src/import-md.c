/*
 * Markdown checklists into items. "- [ ] title" (also "*", "+", "1." and
 * "1)"), "[x]" for done; an item indented under another is its subtask;
 * other lines indented under an item are its body. Fenced code is skipped.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "baton.h"

struct md_level {
	size_t	indent;
	int	item;
};

/* Column of the first non-blank character; tabs stop every 4. */
static size_t
md_indent(const char *line, const char **rest)
{
	size_t	col = 0;

	for (; *line == ' ' || *line == '\t'; line++)
		col = (*line == '\t') ? (col / 4 + 1) * 4 : col + 1;
	*rest = line;
	return (col);
}

/*
 * If line is a list item with a checkbox, return 1 with the mark and where
 * the title starts; 0 if it is not one; -1 for a checkbox we do not know.
 */
static int
md_checkbox(const char *p, char *mark, const char **title)
{
	if (*p == '-' || *p == '*' || *p == '+')
		p++;
	else if (isdigit((u_char)*p)) {
		while (isdigit((u_char)*p))
			p++;
		if (*p != '.' && *p != ')')
			return (0);
		p++;
	} else
		return (0);
	if (*p != ' ' && *p != '\t')
		return (0);
	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] != '[' || p[1] == '\0' || p[2] != ']')
		return (0);
	if (p[3] != '\0' && p[3] != ' ' && p[3] != '\t')
		return (0);
	*mark = p[1];
	if (*mark != ' ' && *mark != 'x' && *mark != 'X')
		return (-1);
	p += 3;
	while (*p == ' ' || *p == '\t')
		p++;
	*title = p;
	return (1);
}

static void
md_trim_end(char *s)
{
	size_t	len = strlen(s);

	while (len > 0 && isspace((u_char)s[len - 1]))
		s[--len] = '\0';
}

/* Add a body line to an item, keeping blank lines between text. */
static void
md_body_add(struct md_item *item, const char *text, size_t extra,
    u_int *blanks)
{
	size_t	len = strlen(text), need;
	u_int	gaps;

	gaps = item->body_len == 0 ? 0 : 1 + *blanks;
	need = item->body_len + gaps + extra + len + 1;
	item->body = xrealloc(item->body, need);
	memset(item->body + item->body_len, '\n', gaps);
	memset(item->body + item->body_len + gaps, ' ', extra);
	memcpy(item->body + item->body_len + gaps + extra, text, len + 1);
	item->body_len = need - 1;
	*blanks = 0;
}

int
md_checklist_parse(const char *text, size_t len, struct md_item **items,
    size_t *nitems, char **cause)
{
	struct md_level	*stack = NULL;
	struct md_item	*it, *cur = NULL;
	const char	*p, *end = text + len, *nl, *rest, *title;
	char		*line, mark, fence = 0;
	size_t		 depth = 0, indent, body_indent = 0, n = 0;
	u_int		 lineno = 0, blanks = 0, fence_line = 0;
	int		 kind;

	*items = NULL;
	*nitems = 0;
	if (!utf8_valid(text, len)) {
		*cause = xstrdup("the file is not valid UTF-8");
		return (-1);
	}
	for (p = text; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		line = xstrndup(p, nl - p);
		lineno++;
		md_trim_end(line);
		indent = md_indent(line, &rest);

		if (strncmp(rest, "```", 3) == 0 || strncmp(rest, "~~~", 3) == 0) {
			if (fence == 0) {
				fence = rest[0];
				fence_line = lineno;
			} else if (fence == rest[0])
				fence = 0;
			free(line);
			continue;
		}
		if (fence != 0) {
			free(line);
			continue;
		}

		kind = md_checkbox(rest, &mark, &title);
		if (kind == -1) {
			xasprintf(cause, "line %u: unknown checkbox [%c] (use "
			    "[ ] or [x])", lineno, mark);
			free(line);
			goto fail;
		}
		if (kind == 1) {
			if (*title == '\0') {
				xasprintf(cause, "line %u: checklist item has no "
				    "title", lineno);
				free(line);
				goto fail;
			}
			while (depth > 0 && stack[depth - 1].indent >= indent)
				depth--;
			*items = xreallocarray(*items, n + 1, sizeof **items);
			it = &(*items)[n];
			it->title = xstrdup(title);
			it->body = xstrdup("");
			it->body_len = 0;
			it->checked = (mark != ' ');
			it->parent = depth > 0 ? stack[depth - 1].item : -1;
			it->line = lineno;
			stack = xreallocarray(stack, depth + 1, sizeof *stack);
			stack[depth].indent = indent;
			stack[depth].item = (int)n;
			depth++;
			cur = it;
			body_indent = indent + 2;
			blanks = 0;
			n++;
			*nitems = n;
		} else if (*rest == '\0') {
			if (cur != NULL)
				blanks++;
		} else {
			/*
			 * Text: it belongs to the innermost item it is indented
			 * under, and closes the items it is not.
			 */
			while (depth > 0 && stack[depth - 1].indent >= indent)
				depth--;
			if (depth == 0) {
				cur = NULL;
				blanks = 0;
			} else {
				if (cur != &(*items)[stack[depth - 1].item]) {
					cur = &(*items)[stack[depth - 1].item];
					body_indent = stack[depth - 1].indent + 2;
				}
				/* Keep indentation past the item's, for code. */
				md_body_add(cur, rest, indent > body_indent ?
				    indent - body_indent : 0, &blanks);
			}
		}
		free(line);
	}
	free(stack);
	stack = NULL;
	if (fence != 0) {
		xasprintf(cause, "line %u: a code fence is never closed",
		    fence_line);
		goto fail;
	}
	if (n == 0) {
		*cause = xstrdup("no checklist items (lines like '- [ ] "
		    "title') found");
		return (-1);
	}
	return (0);

fail:
	free(stack);
	md_items_free(*items, n);
	*items = NULL;
	*nitems = 0;
	return (-1);
}

void
md_items_free(struct md_item *items, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(items[i].title);
		free(items[i].body);
	}
	free(items);
}
