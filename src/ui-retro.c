/* Retrospective of the open (or latest) sprint. */

#include <stdlib.h>

#include "baton.h"

static void
ui_retro_update(struct ui_view *v)
{
	struct text	*t = ui_textview_text(v);
	struct retro	 r;
	char		*cause = NULL;

	if (report_retro(v->store, 0, &r, &cause) != 0) {
		text_add(t, TEXT_DIM, "%s", cause);
		free(cause);
		return;
	}
	report_retro_text(&r, 0, t);
	report_retro_free(&r);
}

const struct ui_view_ops ui_retro_ops = {
	.name = "retro",
	.open = ui_textview_open,
	.close = ui_textview_close,
	.draw = ui_textview_draw,
	.key = ui_textview_key,
	.resize = NULL,
	.update = ui_retro_update,
};
