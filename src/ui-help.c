/* Help: drawn from the key table, so it always says what the keys do. */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

struct ui_help {
	struct text	 text;
	size_t		 top;
};

static void
ui_help_open(struct ui_view *v)
{
	v->data = xcalloc(1, sizeof (struct ui_help));
}

static void
ui_help_close(struct ui_view *v)
{
	struct ui_help	*uh = v->data;

	text_free(&uh->text);
	free(uh);
}

/* One line per action: every key bound to it, then what it does. */
static void
ui_help_update(struct ui_view *v)
{
	struct ui_help	*uh = v->data;
	char		*keys, *next;
	size_t		 i, j;

	text_free(&uh->text);
	text_add(&uh->text, TEXT_HEADING, "Keys");
	for (i = 0; i < ui_nkeys; i++) {
		if (ui_keys[i].doc == NULL)
			continue;
		keys = xstrdup("");
		for (j = 0; j < ui_nkeys; j++) {
			if (ui_keys[j].action != ui_keys[i].action ||
			    ui_keys[j].name == NULL)
				continue;
			xasprintf(&next, "%s%s%s", keys, *keys != '\0' ? " " :
			    "", ui_keys[j].name);
			free(keys);
			keys = next;
		}
		text_add(&uh->text, TEXT_PLAIN, "  %-18s %s", keys,
		    ui_keys[i].doc);
		free(keys);
	}
	text_add(&uh->text, TEXT_PLAIN, "%s", "");
	text_add(&uh->text, TEXT_DIM, "Theme: %s%s. Views reload when the "
	    "database changes.", theme_name, theme_is_mono() ?
	    " (monochrome)" : "");
}

static void
ui_help_draw(struct ui_view *v)
{
	struct ui_help	*uh = v->data;

	ui_text_draw(v, &uh->text, uh->top);
}

static int
ui_help_key(struct ui_view *v, enum ui_action action)
{
	struct ui_help	*uh = v->data;

	return (ui_text_key(v, &uh->text, &uh->top, action));
}

const struct ui_view_ops ui_help_ops = {
	.name = "help",
	.open = ui_help_open,
	.close = ui_help_close,
	.draw = ui_help_draw,
	.key = ui_help_key,
	.resize = NULL,
	.update = ui_help_update,
};
