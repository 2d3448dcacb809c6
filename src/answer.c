/*
 * Structured answers: the JSON an agent gives at the end of a run (a
 * review's verdict, a plan, a validation's gaps) or a lesson in a few words.
 * Agents wrap JSON in prose and Markdown fences, so the value is looked for
 * the way a reader would: the last fenced block, the whole text, then the
 * first bracket that starts a complete value.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* Start positions tried by the bracket scan: keeps hostile text linear. */
#define ANSWER_MAX_STARTS	64

/* Longest lesson kept, in bytes, with the "…" that marks a cut. */
#define ANSWER_LESSON_MAX	400

/* A fenced block: the text between its fence lines. */
struct answer_fence {
	const char	*start;
	size_t		 len;
};

static int
answer_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v');
}

/*
 * Parse len bytes at p as exactly one object or array with nothing but
 * white space after it. On failure *error is where parsing stopped, or
 * NULL if the text does not even start like JSON (a fence of plain output
 * is not malformed JSON).
 */
static cJSON *
answer_parse_all(const char *p, size_t len, const char **error)
{
	cJSON		*root;
	const char	*end = NULL;

	*error = NULL;
	while (len > 0 && answer_space(*p)) {
		p++;
		len--;
	}
	while (len > 0 && answer_space(p[len - 1]))
		len--;
	if (len == 0 || (*p != '{' && *p != '['))
		return (NULL);
	root = cJSON_ParseWithLengthOpts(p, len, &end, 0);
	if (root == NULL) {
		*error = end != NULL ? end : p;
		return (NULL);
	}
	if (end != p + len) {
		*error = end;
		cJSON_Delete(root);
		return (NULL);
	}
	return (root);
}

/*
 * A fence opens a JSON block if it is ``` alone or ```json (any case);
 * other languages are somebody's code, not the answer.
 */
static int
answer_fence_opens(const char *line, size_t len)
{
	size_t	i = 3;

	while (i < len && answer_space(line[i]))
		i++;
	if (i == len)
		return (1);
	if (len - i < 4 || strncasecmp(line + i, "json", 4) != 0)
		return (0);
	for (i += 4; i < len; i++) {
		if (!answer_space(line[i]))
			return (0);
	}
	return (1);
}

/* Whether a line, indent and trailing space aside, starts with ```. */
static const char *
answer_fence_line(const char *line, const char *eol)
{
	while (line < eol && (*line == ' ' || *line == '\t'))
		line++;
	if (eol - line >= 3 && strncmp(line, "```", 3) == 0)
		return (line);
	return (NULL);
}

/* Every JSON fenced block in text, in order. */
static struct answer_fence *
answer_fences(const char *text, size_t *nfences)
{
	struct answer_fence	*f = NULL;
	const char		*line, *eol, *fence, *body = NULL;
	size_t			 n = 0, size = 0;
	int			 open = 0, want = 0;

	for (line = text; *line != '\0'; line = eol + (*eol != '\0')) {
		if ((eol = strchr(line, '\n')) == NULL)
			eol = line + strlen(line);
		if ((fence = answer_fence_line(line, eol)) == NULL)
			continue;
		if (!open) {
			open = 1;
			want = answer_fence_opens(fence, eol - fence);
			body = eol + (*eol != '\0');
			continue;
		}
		open = 0;
		if (want) {
			if (n == size) {
				size = size == 0 ? 4 : size * 2;
				f = xreallocarray(f, size, sizeof *f);
			}
			f[n].start = body;
			f[n].len = line - body;
			n++;
		}
	}
	*nfences = n;
	return (f);
}

/* Find the answer's JSON value; NULL and *cause if there is none. */
static cJSON *
answer_find(const char *text, char **cause)
{
	struct answer_fence	*f;
	cJSON			*root = NULL;
	const char		*p, *end, *error, *first_error = NULL;
	size_t			 n, i;
	u_int			 starts = 0;
	char			*where;

	/* The last fenced block that parses: earlier ones are often drafts. */
	f = answer_fences(text, &n);
	for (i = n; i > 0 && root == NULL; i--) {
		root = answer_parse_all(f[i - 1].start, f[i - 1].len, &error);
		if (root == NULL && first_error == NULL && error != NULL)
			first_error = error;
	}
	free(f);
	if (root != NULL)
		return (root);

	if ((root = answer_parse_all(text, strlen(text), &error)) != NULL)
		return (root);

	/* JSON after prose: the first bracket that starts a whole value. */
	for (p = text; *p != '\0' && starts < ANSWER_MAX_STARTS; p++) {
		if (*p != '{' && *p != '[')
			continue;
		starts++;
		end = NULL;
		root = cJSON_ParseWithOpts(p, &end, 0);
		if (root != NULL)
			return (root);
		if (first_error == NULL && end != NULL)
			first_error = end;
	}

	if (first_error == NULL) {
		*cause = xstrdup("the answer holds no JSON");
		return (NULL);
	}
	where = plan_where(text, first_error);
	xasprintf(cause, "the answer's JSON is malformed at %s", where);
	free(where);
	return (NULL);
}

/*
 * The JSON value an agent's final message holds, printed compactly; NULL
 * and *cause when there is none or it is malformed.
 */
char *
answer_json(const char *text, char **cause)
{
	cJSON	*root;
	char	*out;

	if ((root = answer_find(text, cause)) == NULL)
		return (NULL);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (out == NULL)
		fatalx("%s: out of memory", __func__);
	return (out);
}

/* A copy of s without leading and trailing white space. */
static char *
answer_trim(const char *s)
{
	size_t	len;

	while (answer_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && answer_space(s[len - 1]))
		len--;
	return (xstrndup(s, len));
}

/*
 * Flattened comments grow in place: joining with a fresh copy each time
 * would be quadratic in the number of comments.
 */
struct answer_buf {
	char	*s;
	size_t	 len;
	size_t	 size;
};

static void
answer_buf_add(struct answer_buf *b, const char *s)
{
	size_t	n = strlen(s);

	if (b->len + n + 1 > b->size) {
		b->size = (b->len + n + 1) * 2;
		b->s = xreallocarray(b->s, 1, b->size);
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/* Add one "- " line. */
static void
answer_add_line(struct answer_buf *b, const char *file, const char *line,
    const char *text)
{
	char	*t;

	t = answer_trim(text);
	if (b->len != 0)
		answer_buf_add(b, "\n");
	answer_buf_add(b, "- ");
	if (file != NULL) {
		answer_buf_add(b, file);
		if (line != NULL) {
			answer_buf_add(b, ":");
			answer_buf_add(b, line);
		}
		answer_buf_add(b, ": ");
	}
	answer_buf_add(b, t);
	free(t);
}

/* One comment object: {"file", "line", "comment" | "body" | "text"}. */
static int
answer_comment_object(cJSON *obj, size_t i, struct answer_buf *b,
    char **cause)
{
	static const char	*keys[] = { "comment", "body", "text" };
	cJSON			*file, *line, *text = NULL;
	const char		*f = NULL;
	char			*l = NULL;
	size_t			 k;

	for (k = 0; k < nitems(keys) && text == NULL; k++) {
		text = cJSON_GetObjectItemCaseSensitive(obj, keys[k]);
		if (text != NULL && !cJSON_IsString(text))
			text = NULL;
	}
	if (text == NULL) {
		xasprintf(cause, "comment %zu has no \"comment\" string", i);
		return (-1);
	}
	file = cJSON_GetObjectItemCaseSensitive(obj, "file");
	if (cJSON_IsString(file) && *file->valuestring != '\0')
		f = file->valuestring;
	line = cJSON_GetObjectItemCaseSensitive(obj, "line");
	if (f != NULL && cJSON_IsNumber(line) && line->valuedouble >= 0 &&
	    line->valuedouble < 1e9)
		xasprintf(&l, "%lld", (long long)line->valuedouble);
	else if (f != NULL && cJSON_IsString(line) &&
	    *line->valuestring != '\0')
		l = xstrdup(line->valuestring);
	answer_add_line(b, f, l, text->valuestring);
	free(l);
	return (0);
}

/* Comments as one text; NULL in *out if there were none. */
static int
answer_comments(cJSON *comments, char **out, char **cause)
{
	struct answer_buf	 b = { NULL, 0, 0 };
	cJSON			*c;
	size_t			 i = 0;

	*out = NULL;
	if (comments == NULL || cJSON_IsNull(comments))
		return (0);
	if (cJSON_IsString(comments)) {
		*out = answer_trim(comments->valuestring);
		if (**out == '\0') {
			free(*out);
			*out = NULL;
		}
		return (0);
	}
	if (!cJSON_IsArray(comments)) {
		*cause = xstrdup("\"comments\" must be a string or an array");
		return (-1);
	}
	cJSON_ArrayForEach(c, comments) {
		if (cJSON_IsString(c))
			answer_add_line(&b, NULL, NULL, c->valuestring);
		else if (!cJSON_IsObject(c)) {
			xasprintf(cause, "comment %zu is neither a string nor "
			    "an object", i);
			free(b.s);
			return (-1);
		} else if (answer_comment_object(c, i, &b, cause) != 0) {
			free(b.s);
			return (-1);
		}
		i++;
	}
	*out = b.s;
	return (0);
}

/*
 * A review's verdict. comments is never NULL after success: empty for an
 * approval without comments.
 */
int
answer_verdict(const char *text, struct answer_verdict *v, char **cause)
{
	static const char	*approve[] = { "approve", "approved" };
	static const char	*changes[] = { "changes", "request_changes",
				    "request changes", "changes_requested" };
	cJSON			*root, *verdict;
	const char		*word;
	size_t			 i;
	char			*comments, *shown;

	memset(v, 0, sizeof *v);
	if ((root = answer_find(text, cause)) == NULL)
		return (-1);
	if (!cJSON_IsObject(root)) {
		*cause = xstrdup("a verdict is a JSON object with \"verdict\" "
		    "and \"comments\"");
		goto fail;
	}
	verdict = cJSON_GetObjectItemCaseSensitive(root, "verdict");
	if (!cJSON_IsString(verdict)) {
		*cause = xstrdup("the answer has no \"verdict\" string");
		goto fail;
	}
	word = verdict->valuestring;
	v->approve = -1;
	for (i = 0; i < nitems(approve); i++) {
		if (strcasecmp(word, approve[i]) == 0)
			v->approve = 1;
	}
	for (i = 0; i < nitems(changes); i++) {
		if (strcasecmp(word, changes[i]) == 0)
			v->approve = 0;
	}
	if (v->approve == -1) {
		shown = util_vis(word, 64);
		xasprintf(cause, "\"verdict\" must be \"approve\" or "
		    "\"changes\", not \"%s\"", shown);
		free(shown);
		goto fail;
	}
	if (answer_comments(cJSON_GetObjectItemCaseSensitive(root,
	    "comments"), &comments, cause) != 0)
		goto fail;
	if (comments == NULL)
		comments = xstrdup(v->approve ? "" : "(no comments given)");
	v->comments = comments;
	cJSON_Delete(root);
	return (0);

fail:
	cJSON_Delete(root);
	memset(v, 0, sizeof *v);
	return (-1);
}

void
answer_verdict_free(struct answer_verdict *v)
{
	free(v->comments);
	memset(v, 0, sizeof *v);
}

/* Check an array of subtasks with plan_parse. */
static int
answer_plan_array(cJSON *array, struct plan *plan, char **cause)
{
	char	*s;
	int	 rc;

	if ((s = cJSON_PrintUnformatted(array)) == NULL)
		fatalx("%s: out of memory", __func__);
	rc = plan_parse(s, strlen(s), plan, cause);
	free(s);
	return (rc);
}

/* An architect's plan: [subtasks] or {"subtasks": [...]} ("tasks" too). */
int
answer_plan(const char *text, struct plan *plan, char **cause)
{
	cJSON	*root, *array = NULL;
	int	 rc;

	memset(plan, 0, sizeof *plan);
	if ((root = answer_find(text, cause)) == NULL)
		return (-1);
	if (cJSON_IsArray(root))
		array = root;
	else {
		array = cJSON_GetObjectItemCaseSensitive(root, "subtasks");
		if (array == NULL)
			array = cJSON_GetObjectItemCaseSensitive(root, "tasks");
	}
	if (!cJSON_IsArray(array)) {
		*cause = xstrdup("a plan is a JSON array of subtasks or an "
		    "object with a \"subtasks\" array");
		cJSON_Delete(root);
		return (-1);
	}
	rc = answer_plan_array(array, plan, cause);
	cJSON_Delete(root);
	return (rc);
}

/*
 * A validation's gaps: {"gaps": [subtasks]}, with {"ok": true},
 * {"gaps": []} or [] meaning none (count 0).
 */
int
answer_gaps(const char *text, struct plan *plan, char **cause)
{
	cJSON	*root, *gaps, *ok;
	int	 rc;

	memset(plan, 0, sizeof *plan);
	if ((root = answer_find(text, cause)) == NULL)
		return (-1);
	if (cJSON_IsArray(root))
		gaps = root;
	else {
		gaps = cJSON_GetObjectItemCaseSensitive(root, "gaps");
		ok = cJSON_GetObjectItemCaseSensitive(root, "ok");
		if ((gaps == NULL || cJSON_IsNull(gaps)) && cJSON_IsTrue(ok)) {
			cJSON_Delete(root);
			return (0);
		}
	}
	if (!cJSON_IsArray(gaps)) {
		*cause = xstrdup("a validation answers {\"gaps\": [subtasks]} "
		    "or {\"ok\": true}");
		cJSON_Delete(root);
		return (-1);
	}
	if (cJSON_GetArraySize(gaps) == 0) {
		cJSON_Delete(root);
		return (0);
	}
	rc = answer_plan_array(gaps, plan, cause);
	cJSON_Delete(root);
	return (rc);
}

/*
 * A lesson as one line: white space and control characters become single
 * spaces, cut on a character boundary with "…".
 */
static char *
answer_lesson_clean(const char *text)
{
	char	*clean, *out;
	size_t	 i, n = 0, len;
	int	 space = 0;

	clean = utf8_sanitize(text);
	out = xmalloc(strlen(clean) + 1);
	for (i = 0; clean[i] != '\0'; i++) {
		if ((u_char)clean[i] < 0x20 || clean[i] == 0x7f) {
			space = 1;
			continue;
		}
		if (clean[i] == ' ') {
			space = 1;
			continue;
		}
		if (space && n > 0)
			out[n++] = ' ';
		space = 0;
		out[n++] = clean[i];
	}
	out[n] = '\0';
	free(clean);

	if (n > ANSWER_LESSON_MAX) {
		len = ANSWER_LESSON_MAX - (sizeof "…" - 1);
		while (len > 0 && ((u_char)out[len] & 0xc0) == 0x80)
			len--;
		while (len > 0 && out[len - 1] == ' ')
			len--;
		memcpy(out + len, "…", sizeof "…");
	}
	return (out);
}

/* The first paragraph of text that is not a fence line or blank. */
static char *
answer_paragraph(const char *text)
{
	const char	*line, *eol, *p, *start = NULL, *end = NULL;
	int		 blank;

	for (line = text; *line != '\0'; line = eol + (*eol != '\0')) {
		if ((eol = strchr(line, '\n')) == NULL)
			eol = line + strlen(line);
		blank = answer_fence_line(line, eol) != NULL;
		if (!blank) {
			blank = 1;
			for (p = line; p < eol; p++) {
				if (!answer_space(*p))
					blank = 0;
			}
		}
		if (blank && start != NULL)
			break;
		if (!blank && start == NULL)
			start = line;
		end = eol;
	}
	if (start == NULL)
		return (NULL);
	return (xstrndup(start, end - start));
}

/* What a run learned: {"lesson": "..."}, else its first paragraph. */
char *
answer_lesson(const char *text, char **cause)
{
	cJSON		*root, *lesson;
	char		*found = NULL, *ignore = NULL, *out;

	root = answer_find(text, &ignore);
	free(ignore);
	lesson = cJSON_GetObjectItemCaseSensitive(root, "lesson");
	if (cJSON_IsString(lesson))
		found = xstrdup(lesson->valuestring);
	cJSON_Delete(root);
	if (found == NULL)
		found = answer_paragraph(text);
	if (found == NULL) {
		*cause = xstrdup("the answer holds no lesson");
		return (NULL);
	}
	out = answer_lesson_clean(found);
	free(found);
	if (*out == '\0') {
		free(out);
		*cause = xstrdup("the lesson is empty");
		return (NULL);
	}
	return (out);
}
