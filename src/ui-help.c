/* Help: drawn from the key table, so it always says what the keys do. */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

/* One line per action: every key bound to it, then what it does. */
static void
ui_help_update(struct ui_view *v)
{
	struct text	*t = ui_textview_text(v);
	char		*keys, *next;
	size_t		 i, j;

	text_add(t, TEXT_HEADING, "Keys");
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
		text_add(t, TEXT_PLAIN, "  %-18s %s", keys,
		    ui_keys[i].doc);
		free(keys);
	}
	text_add(t, TEXT_PLAIN, "%s", "");
	text_add(t, TEXT_DIM, "Theme: %s%s. Views reload when the "
	    "database changes.", theme_name, theme_is_mono() ?
	    " (monochrome)" : "");
}

const struct ui_view_ops ui_help_ops = {
	.name = "help",
	.open = ui_textview_open,
	.close = ui_textview_close,
	.draw = ui_textview_draw,
	.key = ui_textview_key,
	.resize = NULL,
	.update = ui_help_update,
};
