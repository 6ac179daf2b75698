"""The belief view's SQL, per dialect: named statements, built once.

Both dialects keep the same tables; only types, placeholders, list parameters
and identifiers differ. Long keys and report ids are never indexed as they are
(PostgreSQL's btree limit is about 2.7 KB): rows are found by ``kid`` (a
proposition key) and ``rid`` (a report id), the text itself when short, else a
128-bit hash of it (see ``text_id``); the full text is stored beside it.

A report's content is kept once, in its event: a report row holds the event's
notification id (``event_id``), and reads that need the report join the
events table on it. On SQLite the view's tables are clustered on their keys
(``WITHOUT ROWID``): a row is stored in its key's B-tree, not beside it.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

SCHEMA_VERSION = "8"
"""The version of the view's tables; a view of another version is rebuilt."""

VIEW_TABLES = (
    "ledger_reports",
    "ledger_propositions",
    "ledger_periods",
    "ledger_archives",
)


@attrs.frozen
class Statements:
    """Every statement the view runs, by name, in one dialect."""

    create: tuple[str, ...]
    drop: tuple[str, ...]
    get_state: str
    put_state: str
    insert_reports: str
    upsert_propositions: str
    insert_periods: str
    delete_periods_from: str
    set_period_stop: str
    move_claimed_start: str
    insert_new_period: str
    strike: str
    reports_by_rid: str
    propositions_by_kid: str
    fold_rows_from: str
    decisive_before: str
    period_before: str
    periods_of: str
    states_of: str
    entries_of: str
    known_reports: str
    keys: str
    has_questions: str
    statuses_at: str
    count_reports: str
    insert_archive: str
    archive_by_aid: str
    archives: str
    notifications_after: str
    max_notification: str
    pending: str


def _build(
    q: Callable[[str], str],
    *,
    blob: str,
    big: str,
    list_param: Callable[[str], str],
    pairs: str,
    key_index: tuple[str, ...] = (),
) -> Statements:
    return Statements(
        create=(
            q(
                "CREATE TABLE IF NOT EXISTS {t}ledger_view_state ("
                " name TEXT PRIMARY KEY, value TEXT NOT NULL)"
            ),
            q(
                "CREATE TABLE IF NOT EXISTS {t}ledger_propositions ("
                " kid TEXT PRIMARY KEY,"
                " proposition TEXT NOT NULL,"
                " version " + big + " NOT NULL,"
                " question TEXT,"
                # The default policy's fold at the last report, so a batch that
                # only adds later reports continues it without reading back.
                " last_known " + big + " NOT NULL,"
                " first_known " + big + ","
                " decisive_at " + big + ","
                " decisive_kinds INTEGER NOT NULL,"
                " disputed_at " + big + ","
                " status INTEGER NOT NULL,"
                " period_start " + big + " NOT NULL){clustered}"
            ),
            q(
                # In key and time order: a proposition's reports are read
                # together, and (on SQLite) stored together.
                "CREATE TABLE IF NOT EXISTS {t}ledger_reports ("
                " kid TEXT NOT NULL,"
                " known_from " + big + " NOT NULL,"
                " rid TEXT NOT NULL,"
                " kind INTEGER NOT NULL,"
                " recorded_at " + big + " NOT NULL,"
                " event_id " + big + " NOT NULL,"
                " struck_at " + big + ","
                " strike_reason TEXT,"
                " PRIMARY KEY (kid, known_from, rid)){clustered}"
            ),
            q(
                "CREATE UNIQUE INDEX IF NOT EXISTS ledger_reports_by_rid"
                " ON {t}ledger_reports (rid)"
            ),
            q(
                "CREATE TABLE IF NOT EXISTS {t}ledger_periods ("
                " kid TEXT NOT NULL,"
                # The key again: statuses(on=) reads this table alone.
                " proposition TEXT NOT NULL,"
                " start " + big + " NOT NULL,"
                " stop " + big + " NOT NULL,"
                " status INTEGER NOT NULL,"
                " PRIMARY KEY (kid, start)){clustered}"
            ),
            q(
                "CREATE TABLE IF NOT EXISTS {t}ledger_archives ("
                " aid TEXT PRIMARY KEY,"
                " url TEXT NOT NULL,"
                " sha256 TEXT NOT NULL,"
                " media_type TEXT NOT NULL,"
                " retrieved_at TEXT NOT NULL,"
                " recorded_at " + big + " NOT NULL,"
                " content " + blob + " NOT NULL)"
            ),
            *key_index,
        ),
        drop=tuple(q(f"DROP TABLE IF EXISTS {{t}}{table}") for table in VIEW_TABLES),
        get_state=q("SELECT name, value FROM {t}ledger_view_state"),
        put_state=q(
            "INSERT INTO {t}ledger_view_state (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value"
        ),
        insert_reports=q(
            "INSERT INTO {t}ledger_reports"
            " (rid, kid, known_from, kind, recorded_at, event_id)"
            " VALUES (?, ?, ?, ?, ?, ?)"
        ),
        upsert_propositions=q(
            "INSERT INTO {t}ledger_propositions (kid, proposition, version, question,"
            " last_known, first_known, decisive_at, decisive_kinds, disputed_at,"
            " status, period_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (kid) DO UPDATE SET"
            " version = excluded.version, question = excluded.question,"
            " last_known = excluded.last_known, first_known = excluded.first_known,"
            " decisive_at = excluded.decisive_at,"
            " decisive_kinds = excluded.decisive_kinds,"
            " disputed_at = excluded.disputed_at, status = excluded.status,"
            " period_start = excluded.period_start"
        ),
        insert_periods=q(
            "INSERT INTO {t}ledger_periods (kid, proposition, start, stop, status)"
            " VALUES (?, ?, ?, ?, ?)"
        ),
        delete_periods_from=q(
            "DELETE FROM {t}ledger_periods WHERE kid = ? AND start >= ?"
        ),
        set_period_stop=q(
            "UPDATE {t}ledger_periods SET stop = ? WHERE kid = ? AND start = ?"
        ),
        # A claim earlier than a proposition's first report: its first period,
        # if of that status, starts at the claim; else a period is put before it.
        move_claimed_start=q(
            "UPDATE {t}ledger_periods SET start = ?"
            " WHERE kid = ? AND start = ? AND status = ?"
        ),
        insert_new_period=q(
            "INSERT INTO {t}ledger_periods (kid, proposition, start, stop, status)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kid, start) DO NOTHING"
        ),
        strike=q(
            "UPDATE {t}ledger_reports SET struck_at = ?, strike_reason = ?"
            " WHERE rid = ?"
        ),
        reports_by_rid=q(
            "SELECT r.struck_at AS struck_at, e.state AS state"
            " FROM {t}ledger_reports r JOIN {events} e ON e.{event_id} = r.event_id"
            " WHERE r.rid " + list_param("?")
        ),
        propositions_by_kid=q(
            "SELECT kid, version, question, last_known, first_known, decisive_at,"
            " decisive_kinds, disputed_at, status, period_start"
            " FROM {t}ledger_propositions"
            " WHERE kid " + list_param("?")
        ),
        # The refold of many propositions at once: {pairs} is a table of
        # (kid, since) rows, each proposition and the instant it refolds from.
        # Of its reports from then, only those that can change a status: the
        # first claim, the first dispute, each decisive word (once per instant).
        fold_rows_from=q(
            "SELECT r.kid AS kid, MIN(r.known_from) AS known_from, r.kind AS kind"
            " FROM " + pairs + " p JOIN {t}ledger_reports r"
            " ON r.kid = p.kid AND r.known_from >= p.since"
            " WHERE r.struck_at IS NULL"
            " GROUP BY r.kid, r.kind,"
            " CASE WHEN r.kind >= 2 THEN r.known_from ELSE 0 END"
        ),
        # The latest instant before ``since`` is found once per proposition
        # (one backward index scan), then its rows by key and instant.
        decisive_before=q(
            "SELECT r.kid AS kid, r.known_from AS known_from, r.kind AS kind"
            " FROM (SELECT p.kid AS kid, (SELECT MAX(x.known_from)"
            "  FROM {t}ledger_reports x WHERE x.kid = p.kid AND x.struck_at IS NULL"
            "  AND x.kind >= 2 AND x.known_from < p.since) AS at"
            "  FROM " + pairs + " p) m"
            " JOIN {t}ledger_reports r ON r.kid = m.kid AND r.known_from = m.at"
            " WHERE r.struck_at IS NULL AND r.kind >= 2"
        ),
        period_before=q(
            "SELECT e.kid AS kid, e.start AS start, e.status AS status"
            " FROM (SELECT p.kid AS kid, (SELECT MAX(x.start)"
            "  FROM {t}ledger_periods x WHERE x.kid = p.kid AND x.start < p.since)"
            "  AS at FROM " + pairs + " p) m"
            " JOIN {t}ledger_periods e ON e.kid = m.kid AND e.start = m.at"
        ),
        periods_of=q(
            "SELECT start, stop, status FROM {t}ledger_periods WHERE kid = ?"
            " ORDER BY start"
        ),
        states_of=q(
            "SELECT e.state AS state"
            " FROM {t}ledger_reports r JOIN {events} e ON e.{event_id} = r.event_id"
            " WHERE r.kid = ? AND r.struck_at IS NULL"
        ),
        entries_of=q(
            "SELECT e.state AS state, r.recorded_at AS recorded_at,"
            " r.struck_at AS struck_at, r.strike_reason AS strike_reason"
            " FROM {t}ledger_reports r JOIN {events} e ON e.{event_id} = r.event_id"
            " WHERE r.kid = ?"
        ),
        known_reports=q(
            "SELECT p.proposition AS proposition, e.state AS state,"
            " r.recorded_at AS recorded_at, r.struck_at AS struck_at,"
            " r.strike_reason AS strike_reason, r.known_from AS known_from"
            " FROM {t}ledger_reports r JOIN {t}ledger_propositions p ON p.kid = r.kid"
            " JOIN {events} e ON e.{event_id} = r.event_id"
            " WHERE r.known_from <= ?"
            " ORDER BY p.proposition{collate}, r.known_from"
        ),
        keys=q("SELECT proposition FROM {t}ledger_propositions"),
        has_questions=q(
            "SELECT 1 AS found FROM {t}ledger_propositions"
            " WHERE question IS NOT NULL LIMIT 1"
        ),
        statuses_at=q(
            "SELECT proposition, status FROM {t}ledger_periods"
            " WHERE start <= ? AND stop > ?"
        ),
        count_reports=q("SELECT COUNT(*) AS n FROM {t}ledger_reports"),
        insert_archive=q(
            "INSERT INTO {t}ledger_archives (aid, url, sha256, media_type,"
            " retrieved_at, recorded_at, content) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ),
        archive_by_aid=q("SELECT aid FROM {t}ledger_archives WHERE aid = ?"),
        archives=q(
            "SELECT url, sha256, media_type, retrieved_at, content"
            " FROM {t}ledger_archives"
        ),
        notifications_after=q("{notifications_after}"),
        max_notification=q("{max_notification}"),
        pending=q(
            "SELECT (SELECT value FROM {t}ledger_view_state WHERE name = 'position')"
            " AS position, ({max_notification}) AS id"
        ),
    )


def sqlite_statements() -> Statements:
    """The statements for SQLite (``?`` placeholders; lists as JSON arrays)."""

    def q(text: str) -> str:
        return (
            text.replace("{t}", "")
            .replace("{events}", "stored_events")
            .replace("{event_id}", "rowid")
            .replace("{clustered}", " WITHOUT ROWID")
            .replace("{collate}", "")
            .replace(
                "{notifications_after}",
                "SELECT rowid AS id, topic, state FROM stored_events"
                " WHERE rowid > ? ORDER BY rowid LIMIT ?",
            )
            .replace("{max_notification}", "SELECT MAX(rowid) AS id FROM stored_events")
        )

    return _build(
        q,
        blob="BLOB",
        big="INTEGER",
        list_param=lambda mark: f"IN (SELECT value FROM json_each({mark}))",
        pairs=(
            "(SELECT json_extract(value, '$[0]') AS kid,"
            " json_extract(value, '$[1]') AS since FROM json_each(?))"
        ),
        # Keys in order, so whole-ledger reads stream by key without a sort.
        # (Not on PostgreSQL, whose btree entries are limited to about 2.7 KB.)
        key_index=(
            (
                # Unique, so SQLite knows each key is one group and streams a
                # key's reports in time order from their index, without a sort.
                "CREATE UNIQUE INDEX IF NOT EXISTS ledger_propositions_by_key"
                " ON ledger_propositions (proposition)"
            ),
        ),
    )


def postgres_table(schema: str, table: str) -> str:
    """``schema.table`` quoted as a PostgreSQL identifier."""
    return f"{_ident(schema)}.{_ident(table)}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def postgres_statements(schema: str, events_table: str) -> Statements:
    """The statements for PostgreSQL in ``schema`` (``%s``; lists as arrays).

    ``schema`` and ``events_table`` are quoted as identifiers here, once.
    """
    prefix = _ident(schema) + "."
    events = postgres_table(schema, events_table)

    def q(text: str) -> str:
        return (
            text.replace("{t}", prefix)
            .replace("{events}", events)
            .replace("{event_id}", "notification_id")
            .replace("{clustered}", "")
            .replace("{collate}", ' COLLATE "C"')
            .replace(
                "{notifications_after}",
                "SELECT notification_id AS id, topic, state FROM " + events + ""
                " WHERE notification_id > ? ORDER BY notification_id LIMIT ?",
            )
            .replace(
                "{max_notification}",
                "SELECT MAX(notification_id) AS id FROM " + events,
            )
            .replace("?", "%s")
        )

    return _build(
        q,
        blob="BYTEA",
        big="BIGINT",
        list_param=lambda mark: f"= ANY({mark})",
        pairs="(SELECT * FROM unnest(%b::text[], %b::bigint[]) AS u(kid, since))",
    )
