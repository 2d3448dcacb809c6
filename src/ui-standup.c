/* Standup: what moved since the last mark; m sets a new mark. */

#include <stdlib.h>

#include "baton.h"

static void
ui_standup_update(struct ui_view *v)
{
	struct text	*t = ui_textview_text(v);
	struct standup	 su;
	char		*cause = NULL;

	if (report_standup(v->store, ui_now(), &su, &cause) != 0) {
		text_add(t, TEXT_BAD, "standup: %s", cause);
		free(cause);
		return;
	}
	report_standup_text(&su, t);
	report_standup_free(&su);
	text_add(t, TEXT_PLAIN, "%s", "");
	text_add(t, TEXT_DIM, "Press m to set a new standup mark now.");
}

static int
ui_standup_key(struct ui_view *v, enum ui_action action)
{
	char	*cause = NULL, *at;
	int64_t	 now = ui_now();

	if (action != UI_MARK)
		return (ui_textview_key(v, action));
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

const struct ui_view_ops ui_standup_ops = {
	.name = "standup",
	.open = ui_textview_open,
	.close = ui_textview_close,
	.draw = ui_textview_draw,
	.key = ui_standup_key,
	.resize = NULL,
	.update = ui_standup_update,
};
