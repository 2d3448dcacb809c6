/* Standup: what moved since the last mark; m sets a new mark. */

#include <stdlib.h>

#include "baton.h"

struct ui_standup {
	struct text	 text;
	size_t		 top;
};

static void
ui_standup_open(struct ui_view *v)
{
	v->data = xcalloc(1, sizeof (struct ui_standup));
}

static void
ui_standup_close(struct ui_view *v)
{
	struct ui_standup	*us = v->data;

	text_free(&us->text);
	free(us);
}

static void
ui_standup_update(struct ui_view *v)
{
	struct ui_standup	*us = v->data;
	struct standup		 su;
	char			*cause = NULL;

	text_free(&us->text);
	if (report_standup(v->store, ui_now(), &su, &cause) != 0) {
		text_add(&us->text, TEXT_BAD, "standup: %s", cause);
		free(cause);
		return;
	}
	report_standup_text(&su, &us->text);
	report_standup_free(&su);
	text_add(&us->text, TEXT_PLAIN, "%s", "");
	text_add(&us->text, TEXT_DIM, "Press m to set a new standup mark now.");
}

static void
ui_standup_draw(struct ui_view *v)
{
	struct ui_standup	*us = v->data;

	ui_text_draw(v, &us->text, us->top);
}

static int
ui_standup_key(struct ui_view *v, enum ui_action action)
{
	struct ui_standup	*us = v->data;
	char			*cause = NULL, *at;
	int64_t			 now = ui_now();

	if (action == UI_MARK) {
		if (store_mark_set(v->store, "standup", now, &cause) != 0) {
			ui_error("%s", cause);
			free(cause);
			return (1);
		}
		at = util_time(now);
		ui_message("standup mark set at %s", at);
		free(at);
		ui_notify();
		return (1);
	}
	return (ui_text_key(v, &us->text, &us->top, action));
}

const struct ui_view_ops ui_standup_ops = {
	.name = "standup",
	.open = ui_standup_open,
	.close = ui_standup_close,
	.draw = ui_standup_draw,
	.key = ui_standup_key,
	.resize = NULL,
	.update = ui_standup_update,
};
