/* Retrospective of the open (or latest) sprint. */

#include <stdlib.h>

#include "baton.h"

struct ui_retro {
	struct text	 text;
	size_t		 top;
};

static void
ui_retro_open(struct ui_view *v)
{
	v->data = xcalloc(1, sizeof (struct ui_retro));
}

static void
ui_retro_close(struct ui_view *v)
{
	struct ui_retro	*ur = v->data;

	text_free(&ur->text);
	free(ur);
}

static void
ui_retro_update(struct ui_view *v)
{
	struct ui_retro	*ur = v->data;
	struct retro	 r;
	char		*cause = NULL;

	text_free(&ur->text);
	if (report_retro(v->store, 0, &r, &cause) != 0) {
		text_add(&ur->text, TEXT_DIM, "%s", cause);
		free(cause);
		return;
	}
	report_retro_text(&r, 0, &ur->text);
	report_retro_free(&r);
}

static void
ui_retro_draw(struct ui_view *v)
{
	struct ui_retro	*ur = v->data;

	ui_text_draw(v, &ur->text, ur->top);
}

static int
ui_retro_key(struct ui_view *v, enum ui_action action)
{
	struct ui_retro	*ur = v->data;

	return (ui_text_key(v, &ur->text, &ur->top, action));
}

const struct ui_view_ops ui_retro_ops = {
	.name = "retro",
	.open = ui_retro_open,
	.close = ui_retro_close,
	.draw = ui_retro_draw,
	.key = ui_retro_key,
	.resize = NULL,
	.update = ui_retro_update,
};
