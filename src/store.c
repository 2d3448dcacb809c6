/*
 * The SQLite store: one file per repository in WAL mode with foreign keys
 * on. Opening applies any migrations this baton knows and the file lacks.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "baton.h"

/* One cached prepared statement, keyed by its SQL text's address. */
struct store_stmt {
	const char		*sql;
	sqlite3_stmt		*stmt;
	struct store_stmt	*next;
};

/* Say what went wrong in words a user can act on. */
static char *
store_describe(struct store *s, int rc)
{
	char	*msg;

	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		xasprintf(&msg, "%s is damaged or not a baton database (%s); "
		    "it was left as it is", s->path, sqlite3_errstr(rc));
		break;
	case SQLITE_READONLY:
		xasprintf(&msg, "%s is read-only: baton needs to write to it "
		    "and to its directory", s->path);
		break;
	case SQLITE_CANTOPEN:
		xasprintf(&msg, "%s: cannot open (%s): check the permissions "
		    "of %s and its directory", s->path,
		    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), s->path);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		xasprintf(&msg, "%s is busy: another baton held it too long",
		    s->path);
		break;
	case SQLITE_FULL:
		xasprintf(&msg, "%s: the disk is full", s->path);
		break;
	default:
		xasprintf(&msg, "%s: %s", s->path,
		    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		break;
	}
	return (msg);
}

/* The last error, described. */
char *
store_errmsg(struct store *s)
{
	return (store_describe(s, sqlite3_extended_errcode(s->db)));
}

int64_t
store_now(void)
{
	return ((int64_t)time(NULL));
}

int
store_exec(struct store *s, const char *sql, char **cause)
{
	char	*err = NULL;
	int	 rc;

	log_debug("%s: %.60s", __func__, sql);
	rc = sqlite3_exec(s->db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_ERROR && err != NULL)
			xasprintf(cause, "%s: %s", s->path, err);
		else
			*cause = store_describe(s, rc);
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

/* Begin a write transaction: take the write lock now, not at first write. */
int
store_begin(struct store *s, char **cause)
{
	return (store_exec(s, "BEGIN IMMEDIATE", cause));
}

int
store_commit(struct store *s, char **cause)
{
	if (store_exec(s, "COMMIT", cause) != 0) {
		store_rollback(s);
		return (-1);
	}
	return (0);
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * A prepared statement for sql, which must be a string with static storage:
 * it is cached by address. The statement comes back reset and unbound.
 */
sqlite3_stmt *
store_prepare(struct store *s, const char *sql)
{
	struct store_stmt	*ss;
	int			 rc;

	for (ss = s->stmts; ss != NULL; ss = ss->next) {
		if (ss->sql == sql) {
			sqlite3_reset(ss->stmt);
			sqlite3_clear_bindings(ss->stmt);
			return (ss->stmt);
		}
	}
	ss = xcalloc(1, sizeof *ss);
	ss->sql = sql;
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &ss->stmt, NULL);
	if (rc != SQLITE_OK)
		fatalx("%s: %s: %s", __func__, sql, sqlite3_errmsg(s->db));
	ss->next = s->stmts;
	s->stmts = ss;
	return (ss->stmt);
}

/* A text column as a new string, NULL for SQL NULL. */
char *
store_col_text(struct sqlite3_stmt *stmt, int i)
{
	const u_char	*text;

	if (sqlite3_column_type(stmt, i) == SQLITE_NULL)
		return (NULL);
	text = sqlite3_column_text(stmt, i);
	return (xstrdup(text == NULL ? "" : (const char *)text));
}

/*
 * Does a query with one or two integer parameters find a row? sql must
 * have static storage (see store_prepare).
 */
int
store_has_row(struct store *s, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt	*stmt;
	int		 found;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, a);
	if (sqlite3_bind_parameter_count(stmt) > 1)
		sqlite3_bind_int64(stmt, 2, b);
	found = (sqlite3_step(stmt) == SQLITE_ROW);
	sqlite3_reset(stmt);
	return (found);
}

/* Step a statement that returns no rows; reset it either way. */
int
store_step(struct store *s, sqlite3_stmt *stmt, char **cause)
{
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		*cause = store_errmsg(s);
		sqlite3_reset(stmt);
		return (-1);
	}
	sqlite3_reset(stmt);
	return (0);
}

/* Read PRAGMA user_version. */
static int
store_user_version(struct store *s, int *version, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		*cause = store_describe(s, rc);
		return (-1);
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		*cause = store_describe(s, rc);
		sqlite3_finalize(stmt);
		return (-1);
	}
	*version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return (0);
}

/*
 * Apply every migration past the file's version, each in one transaction.
 * BATON_MIGRATE_TO (tests only) stops early, to build an old database.
 */
static int
store_migrate(struct store *s, char **cause)
{
	u_int		 target = store_nmigrations;
	int		 version;
	char		*sql;
	const char	*stop;

	if ((stop = getenv("BATON_MIGRATE_TO")) != NULL) {
		target = (u_int)strtoul(stop, NULL, 10);
		if (target == 0 || target > store_nmigrations)
			target = store_nmigrations;
	}
	if (store_user_version(s, &version, cause) != 0)
		return (-1);
	if (version > (int)store_nmigrations) {
		xasprintf(cause, "%s was made by a newer baton (schema %d; this "
		    "baton knows up to %u): upgrade baton to use it", s->path,
		    version, store_nmigrations);
		return (-1);
	}
	while ((u_int)version < target) {
		if (store_begin(s, cause) != 0)
			return (-1);
		/* Another baton may have migrated while we waited. */
		if (store_user_version(s, &version, cause) != 0) {
			store_rollback(s);
			return (-1);
		}
		if ((u_int)version >= target) {
			store_rollback(s);
			break;
		}
		log_debug("%s: applying migration %d", __func__, version + 1);
		if (store_exec(s, store_migrations[version], cause) != 0) {
			store_rollback(s);
			return (-1);
		}
		xasprintf(&sql, "PRAGMA user_version = %d", version + 1);
		if (store_exec(s, sql, cause) != 0) {
			free(sql);
			store_rollback(s);
			return (-1);
		}
		free(sql);
		if (store_commit(s, cause) != 0)
			return (-1);
		version++;
	}
	s->version = version;
	return (0);
}

/* Every table the schema version promises must be there. */
static int
store_check_tables(struct store *s, char **cause)
{
	static const char	*sql = "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = ?";
	sqlite3_stmt		*stmt;
	u_int			 i;
	int			 rc;

	for (i = 0; i < store_ntables; i++) {
		if (store_tables[i].version > s->version)
			continue;
		stmt = store_prepare(s, sql);
		sqlite3_bind_text(stmt, 1, store_tables[i].name, -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
		if (rc == SQLITE_ROW)
			continue;
		if (rc != SQLITE_DONE)
			*cause = store_errmsg(s);
		else
			xasprintf(cause, "%s is damaged or not a baton database "
			    "(table %s is missing); it was left as it is",
			    s->path, store_tables[i].name);
		return (-1);
	}
	return (0);
}

/*
 * Open the database at path. With create, a missing file is made (mode
 * 0600); without it, a missing file is an error.
 */
struct store *
store_open(const char *path, int create, char **cause)
{
	struct store	*s;
	struct stat	 sb;
	int		 rc, flags;
	mode_t		 old_mask;

	if (!create && stat(path, &sb) != 0) {
		if (errno == ENOENT)
			xasprintf(cause, "no baton database here (%s): run "
			    "'baton init' first", path);
		else
			xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}

	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);

	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	old_mask = umask(077);
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	umask(old_mask);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		rc = SQLITE_READONLY;
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);

	/* Reading the schema is the first thing that touches the file. */
	if (store_exec(s, "PRAGMA journal_mode = WAL", cause) != 0)
		goto fail_cause;
	if (store_exec(s, "PRAGMA foreign_keys = ON", cause) != 0)
		goto fail_cause;
	if (store_exec(s, "PRAGMA synchronous = NORMAL", cause) != 0)
		goto fail_cause;
	if (store_migrate(s, cause) != 0 || store_check_tables(s, cause) != 0)
		goto fail_cause;
	log_debug("%s: %s at schema %d", __func__, path, s->version);
	return (s);

fail:
	*cause = store_describe(s, rc);
fail_cause:
	store_close(s);
	return (NULL);
}

void
store_close(struct store *s)
{
	struct store_stmt	*ss, *next;

	if (s == NULL)
		return;
	for (ss = s->stmts; ss != NULL; ss = next) {
		next = ss->next;
		sqlite3_finalize(ss->stmt);
		free(ss);
	}
	if (s->db != NULL)
		sqlite3_close(s->db);
	free(s->path);
	free(s);
}
