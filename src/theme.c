/*
 * Colour themes. Each theme fills the same table of roles from a small INI
 * file ("role = FG [on BG] [attributes]"); the default and mono themes are
 * compiled in from themes/default and themes/mono, the others are read from
 * disk with the same parser. NO_COLOR and terminals with fewer than 16
 * colours get mono.
 */

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "baton.h"

/* After baton.h: term.h defines "lines" and "columns" as macros. */
#include <curses.h>
#include <ini.h>
#include <term.h>

#include "theme-default.h"
#include "theme-mono.h"

#define THEME_RGB 0x1000000	/* flag: the value is #rrggbb */
#define THEME_DEFAULT -1

struct theme_entry {
	int	fg;
	int	bg;
	int	attrs;
	int	set;
};

static const char *theme_role_names[UI_NROLES] = {
	[ROLE_DEFAULT] = "default",
	[ROLE_HEADER] = "header",
	[ROLE_STATUS] = "status",
	[ROLE_MESSAGE] = "message",
	[ROLE_ERROR] = "error",
	[ROLE_SELECTION] = "selection",
	[ROLE_BORDER] = "border",
	[ROLE_COLUMN] = "column",
	[ROLE_TASK_ID] = "task-id",
	[ROLE_TITLE] = "title",
	[ROLE_ROLE] = "role",
	[ROLE_PROVIDER] = "provider",
	[ROLE_COST] = "cost",
	[ROLE_COST_UNKNOWN] = "cost-unknown",
	[ROLE_COUNTDOWN] = "countdown",
	[ROLE_RUN_STARTING] = "run-starting",
	[ROLE_RUN_RUNNING] = "run-running",
	[ROLE_RUN_WAITING] = "run-waiting",
	[ROLE_RUN_DONE] = "run-done",
	[ROLE_RUN_FAILED] = "run-failed",
	[ROLE_TOOL] = "tool",
	[ROLE_DIM] = "dim",
	[ROLE_HEADING] = "heading",
	[ROLE_KEY] = "key",
	[ROLE_GOOD] = "good",
	[ROLE_BAD] = "bad",
	[ROLE_WARN] = "warn",
};

static const char *theme_colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

/* The standard xterm values of the 16 basic colours, for nearest matches. */
static const int theme_basic_rgb[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd,
	0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff,
	0x00ffff, 0xffffff
};

const char			*theme_name = "default";
/* --theme, from the command line: it beats every config file. */
const char			*baton_theme;
static struct theme_entry	 theme_table[UI_NROLES];
static int			 theme_attrs[UI_NROLES];
static int			 theme_mono;

struct theme_parse_state {
	struct theme_entry	 table[UI_NROLES];
	char			*error;
};

/* One colour word: -1 default, 0-255 index, or THEME_RGB|rgb. */
static int
theme_colour(const char *word, int *out)
{
	const char	*name = word;
	char		*end;
	long		 v;
	u_int		 i;
	int		 bright = 0;

	if (strcmp(word, "default") == 0) {
		*out = THEME_DEFAULT;
		return (0);
	}
	if (word[0] == '#') {
		if (strlen(word) != 7)
			return (-1);
		for (i = 1; i < 7; i++) {
			if (!isxdigit((u_char)word[i]))
				return (-1);
		}
		*out = THEME_RGB | (int)strtol(word + 1, NULL, 16);
		return (0);
	}
	if (strncmp(word, "color", 5) == 0 || strncmp(word, "colour", 6) == 0) {
		name = word + (word[5] == 'r' ? 6 : 5);
		errno = 0;
		v = strtol(name, &end, 10);
		if (*name == '\0' || *end != '\0' || errno != 0 || v < 0 ||
		    v > 255)
			return (-1);
		*out = (int)v;
		return (0);
	}
	if (strncmp(word, "bright-", 7) == 0) {
		bright = 8;
		name = word + 7;
	}
	for (i = 0; i < nitems(theme_colour_names); i++) {
		if (strcmp(name, theme_colour_names[i]) == 0) {
			*out = (int)i + bright;
			return (0);
		}
	}
	return (-1);
}

static int
theme_attr_word(const char *word, int *attrs)
{
	static const struct {
		const char	*name;
		int		 attr;
	} names[] = {
		{ "bold", A_BOLD },
		{ "dim", A_DIM },
		{ "reverse", A_REVERSE },
		{ "underline", A_UNDERLINE },
		{ "italic", A_ITALIC },
		{ "normal", 0 },
	};
	u_int	i;

	for (i = 0; i < nitems(names); i++) {
		if (strcmp(word, names[i].name) == 0) {
			*attrs |= names[i].attr;
			return (0);
		}
	}
	return (-1);
}

/* "FG [on BG] [attributes]" into an entry. */
static int
theme_value(const char *value, struct theme_entry *e, char **cause)
{
	char	*copy, *word, *next;
	int	 n = 0, want_bg = 0, colour;

	e->fg = e->bg = THEME_DEFAULT;
	e->attrs = 0;
	copy = xstrdup(value);
	for (next = copy; (word = strsep(&next, " \t")) != NULL;) {
		if (*word == '\0')
			continue;
		if (strcmp(word, "on") == 0 && n == 1 && !want_bg) {
			want_bg = 1;
			continue;
		}
		if (want_bg == 1) {
			if (theme_colour(word, &colour) != 0)
				goto bad;
			e->bg = colour;
			want_bg = 2;
			continue;
		}
		if (n == 0 && theme_colour(word, &colour) == 0) {
			e->fg = colour;
			n = 1;
			continue;
		}
		n = 1;
		if (theme_attr_word(word, &e->attrs) != 0)
			goto bad;
	}
	if (want_bg == 1) {
		xasprintf(cause, "\"on\" without a colour in \"%s\"", value);
		free(copy);
		return (-1);
	}
	free(copy);
	e->set = 1;
	return (0);
bad:
	xasprintf(cause, "unknown colour or attribute \"%s\" in \"%s\"", word,
	    value);
	free(copy);
	return (-1);
}

static int
theme_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct theme_parse_state	*ps = user;
	char				*cause = NULL;
	u_int				 i;

	if (ps->error != NULL)
		return (0);
	if (strcmp(section, "theme") != 0) {
		xasprintf(&ps->error, "unknown section [%s]", section);
		return (0);
	}
	for (i = 0; i < UI_NROLES; i++) {
		if (strcmp(name, theme_role_names[i]) == 0)
			break;
	}
	if (i == UI_NROLES) {
		xasprintf(&ps->error, "unknown role \"%s\"", name);
		return (0);
	}
	if (theme_value(value, &ps->table[i], &cause) != 0) {
		xasprintf(&ps->error, "%s: %s", name, cause);
		free(cause);
		return (0);
	}
	return (1);
}

/* Parse theme text into the role table; roles it leaves out are plain. */
int
theme_parse(const char *text, size_t len, char **cause)
{
	struct theme_parse_state	 ps;
	char				*copy;
	int				 line;
	u_int				 i;

	memset(&ps, 0, sizeof ps);
	copy = xstrndup(text, len);
	line = ini_parse_string(copy, theme_handler, &ps);
	free(copy);
	if (ps.error != NULL) {
		if (line > 0)
			xasprintf(cause, "line %d: %s", line, ps.error);
		else
			*cause = xstrdup(ps.error);
		free(ps.error);
		return (-1);
	}
	if (line != 0) {
		xasprintf(cause, "line %d: not \"role = value\"", line);
		return (-1);
	}
	for (i = 0; i < UI_NROLES; i++) {
		if (!ps.table[i].set) {
			ps.table[i].fg = ps.table[i].bg = THEME_DEFAULT;
			ps.table[i].attrs = 0;
		}
	}
	memcpy(theme_table, ps.table, sizeof theme_table);
	return (0);
}

/* Where theme files are looked for, in order. */
static char *
theme_find(const char *name)
{
	const char	*dirs[4], *env, *home;
	char		*path, *xdg = NULL;
	struct stat	 sb;
	u_int		 n = 0, i;

	if (strchr(name, '/') != NULL)
		return (xstrdup(name));
	if ((env = getenv("BATON_THEME_DIR")) != NULL && *env != '\0')
		dirs[n++] = env;
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/')
		xasprintf(&xdg, "%s/baton/themes", env);
	else if ((home = getenv("HOME")) != NULL && *home == '/')
		xasprintf(&xdg, "%s/.config/baton/themes", home);
	if (xdg != NULL)
		dirs[n++] = xdg;
	dirs[n++] = BATON_DATADIR "/themes";
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dirs[i], name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			free(xdg);
			return (path);
		}
		free(path);
	}
	free(xdg);
	return (NULL);
}

/* Whether a theme of this name or path can be found (for config check). */
int
theme_known(const char *name)
{
	struct stat	 sb;
	char		*path;
	int		 found;

	if (strcmp(name, "default") == 0 || strcmp(name, "mono") == 0)
		return (1);
	if ((path = theme_find(name)) == NULL)
		return (0);
	found = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
	free(path);
	return (found);
}

/* Load a theme by name or path; "default" and "mono" are built in. */
int
theme_load(const char *name, char **cause)
{
	char	*path, *text, *why = NULL;
	int	 rc;

	if (name == NULL)
		name = "default";
	theme_name = name;
	if ((path = theme_find(name)) == NULL) {
		if (strcmp(name, "default") == 0)
			return (theme_parse(theme_default_text,
			    strlen(theme_default_text), cause));
		if (strcmp(name, "mono") == 0)
			return (theme_parse(theme_mono_text,
			    strlen(theme_mono_text), cause));
		xasprintf(cause, "no theme called \"%s\" (built in: default, "
		    "mono; others are files in $XDG_CONFIG_HOME/baton/themes "
		    "or %s/themes)", name, BATON_DATADIR);
		return (-1);
	}
	if ((text = cmd_read_file(path, &why)) == NULL) {
		xasprintf(cause, "theme %s", why);
		free(why);
		free(path);
		return (-1);
	}
	rc = theme_parse(text, strlen(text), &why);
	if (rc != 0) {
		xasprintf(cause, "theme %s: %s", path, why);
		free(why);
	}
	free(text);
	free(path);
	return (rc);
}

/*
 * The theme the configuration asks for: [baton] theme (or its older
 * spelling [ui] theme) from the built-in defaults, the user's config and
 * the repository's .baton/config in batondir. The configuration's other
 * problems are for 'baton config check', not for the UI.
 */
const char *
theme_config_name(const char *batondir)
{
	static char	*found;
	struct config	*cf;

	cf = config_read_all(batondir);
	free(found);
	found = cf->theme != NULL ? xstrdup(cf->theme) : NULL;
	config_free(cf);
	return (found);
}

/* The nearest colour the terminal has to rgb. */
static int
theme_nearest(int rgb, int ncolours)
{
	int	r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
	int	i, best = 0, dr, dg, db;
	long	d, bestd = -1;
	static const int steps[6] = { 0, 95, 135, 175, 215, 255 };
	int	ri, gi, bi, grey, gi2, cr, cg, cb;

	if (ncolours >= 256) {
		/* The 6x6x6 cube and the grey ramp; keep the closer. */
		ri = r < 48 ? 0 : r < 115 ? 1 : (r - 35) / 40;
		gi = g < 48 ? 0 : g < 115 ? 1 : (g - 35) / 40;
		bi = b < 48 ? 0 : b < 115 ? 1 : (b - 35) / 40;
		cr = steps[ri], cg = steps[gi], cb = steps[bi];
		grey = (r + g + b) / 3;
		gi2 = grey > 238 ? 23 : (grey < 8 ? 0 : (grey - 8) / 10);
		dr = r - cr, dg = g - cg, db = b - cb;
		d = (long)dr * dr + (long)dg * dg + (long)db * db;
		i = 8 + gi2 * 10;
		dr = r - i, dg = g - i, db = b - i;
		if ((long)dr * dr + (long)dg * dg + (long)db * db < d)
			return (232 + gi2);
		return (16 + 36 * ri + 6 * gi + bi);
	}
	for (i = 0; i < 16 && i < ncolours; i++) {
		dr = r - ((theme_basic_rgb[i] >> 16) & 0xff);
		dg = g - ((theme_basic_rgb[i] >> 8) & 0xff);
		db = b - (theme_basic_rgb[i] & 0xff);
		d = (long)dr * dr + (long)dg * dg + (long)db * db;
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return (best);
}

/* Map a theme colour to what this terminal can show. */
static int
theme_resolve(int c, int direct)
{
	if (c == THEME_DEFAULT)
		return (-1);
	if (c & THEME_RGB) {
		if (direct)
			return (c & 0xffffff);
		return (theme_nearest(c & 0xffffff, COLORS));
	}
	if (c >= COLORS) {
		if (c < 16)
			return (c - 8);	/* bright on an 8-colour terminal */
		return (theme_nearest(theme_basic_rgb[c < 16 ? c : 7], COLORS));
	}
	return (c);
}

int
theme_is_mono(void)
{
	return (theme_mono);
}

/* After initscr: make colour pairs, or fall back to mono. */
void
theme_start(void)
{
	const char	*no_colour = getenv("NO_COLOR");
	char		*cause = NULL;
	int		 i, direct, fg, bg;

	theme_mono = (no_colour != NULL && *no_colour != '\0') ||
	    !has_colors() || strcmp(theme_name, "mono") == 0;
	if (!theme_mono) {
		start_color();
		if (COLORS < 16)
			theme_mono = 1;
	}
	if (theme_mono) {
		if (theme_parse(theme_mono_text, strlen(theme_mono_text),
		    &cause) != 0)
			fatalx("built-in mono theme: %s", cause);
		for (i = 0; i < UI_NROLES; i++)
			theme_attrs[i] = theme_table[i].attrs;
		return;
	}
	use_default_colors();
	direct = tigetflag("RGB") > 0 || COLORS >= 0x1000000;
	for (i = 0; i < UI_NROLES; i++) {
		fg = theme_resolve(theme_table[i].fg, direct);
		bg = theme_resolve(theme_table[i].bg, direct);
		/* Roles with no background take the default role's. */
		if (bg == -1 && i != ROLE_DEFAULT)
			bg = theme_resolve(theme_table[ROLE_DEFAULT].bg, direct);
		if (fg == -1 && i != ROLE_DEFAULT)
			fg = theme_resolve(theme_table[ROLE_DEFAULT].fg, direct);
		init_extended_pair(i + 1, fg, bg);
		theme_attrs[i] = (int)COLOR_PAIR(i + 1) | theme_table[i].attrs;
	}
}

/* The curses attributes of a role. */
int
theme_attr(enum ui_role role)
{
	if ((u_int)role >= UI_NROLES)
		return (0);
	return (theme_attrs[role]);
}
