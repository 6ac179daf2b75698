"""The view's backend for PostgreSQL (imported only when psycopg is installed).

Writes run in one transaction on a connection from eventsourcing's pool: the
events table is locked as eventsourcing locks it (so notification ids are
issued in commit order), listeners are notified, and the view's rows and
position are written with the events.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import sql
from psycopg.rows import tuple_row

from ledger.errors import StorageError
from ledger.view._sql import (
    VIEW_TABLES,
    Statements,
    postgres_statements,
    postgres_table,
)

_CHUNK = 5000  # rows per insert: far below where psycopg's pipeline stalls
_ANALYZE_AFTER = 10_000  # reports written in one transaction


class PostgresStore:
    """A ledger's PostgreSQL schema, for the belief view."""

    def __init__(
        self, datastore: PostgresDatastore, recorder: PostgresApplicationRecorder
    ) -> None:
        self.name = datastore.schema
        self._datastore = datastore
        self._recorder = recorder
        self.statements: Statements = postgres_statements(
            datastore.schema, recorder.events_table_name
        )
        events = sql.Identifier(datastore.schema, recorder.events_table_name)
        tables = [sql.Identifier(datastore.schema, name) for name in VIEW_TABLES]
        self._analyze = sql.SQL("ANALYZE {}").format(
            sql.SQL(", ").join([events, *tables])
        )
        self._written = 0
        self._lock: list[sql.Composed | sql.SQL] = [
            sql.SQL("SET LOCAL lock_timeout = {}").format(
                sql.Literal(f"{datastore.lock_timeout}s")
            ),
            # The write path looks up a few rows per key, for hundreds of keys at
            # once: index lookups are always the plan. Tables filled in this very
            # transaction (or since the last ANALYZE) have no statistics, which
            # would otherwise lead the planner to scan and hash whole tables,
            # and compiling a query (JIT) costs more than running it.
            sql.SQL("SET LOCAL jit = off"),
            sql.SQL("SET LOCAL enable_seqscan = off"),
            sql.SQL("SET LOCAL enable_hashjoin = off"),
            sql.SQL("SET LOCAL enable_mergejoin = off"),
            sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(events),
            sql.SQL("NOTIFY {}").format(sql.Identifier(recorder.channel_name)),
        ]
        # Bulk inserts go by binary COPY: psycopg writes each row in C, where
        # array parameters (unnest) are built element by element in Python.
        self._copy_events = sql.SQL(
            "COPY {} (originator_id, originator_version, topic, state)"
            " FROM STDIN (FORMAT BINARY)"
        ).format(events)
        self._issued = sql.SQL(
            "SELECT originator_id, originator_version, notification_id FROM {}"
            " WHERE notification_id > %s"
        ).format(events)

        # The view's inserts by COPY; its upserts, updates and deletes as one
        # statement over column arrays.
        sql_ = self.statements
        periods = postgres_table(datastore.schema, "ledger_periods")
        self._copies = {
            sql_.insert_reports: _copy(
                sql_.insert_reports, ("text", "text", "int8", "int4", "int8", "int8")
            ),
            sql_.insert_periods: _copy(
                sql_.insert_periods, ("text", "text", "int8", "int8", "int4")
            ),
        }
        self._bulk = {
            sql_.upsert_propositions: _unnest(
                sql_.upsert_propositions,
                _PROPOSITION_TYPES,
            ),
            sql_.delete_periods_from: (
                f"DELETE FROM {periods} AS e"
                " USING unnest(%b::text[], %b::bigint[]) AS u(kid, since)"
                " WHERE e.kid = u.kid AND e.start >= u.since"
            ),
            sql_.set_period_stop: (
                f"UPDATE {periods} AS p SET stop = u.stop"
                " FROM unnest(%b::bigint[], %b::text[], %b::bigint[])"
                " AS u(stop, kid, start) WHERE p.kid = u.kid AND p.start = u.start"
            ),
            sql_.move_claimed_start: (
                f"UPDATE {periods} AS p SET start = u.since"
                " FROM unnest(%b::bigint[], %b::text[], %b::bigint[], %b::int[])"
                " AS u(since, kid, start, status)"
                " WHERE p.kid = u.kid AND p.start = u.start AND p.status = u.status"
            ),
            sql_.insert_new_period: _unnest(
                sql_.insert_new_period, ("text", "text", "bigint", "bigint", "int")
            ),
        }

    def close(self) -> None:
        """Nothing to close: the connections are eventsourcing's pool's."""

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor on an autocommit connection: each read one round trip.

        Every read the view makes is one statement (or independent lookups),
        so no transaction is needed around them.
        """
        with self._datastore.get_connection() as connection:
            yield connection.cursor()

    @contextlib.contextmanager
    def streaming(self) -> Iterator[Any]:
        """A server-side cursor, so a long result arrives a chunk at a time."""
        with (
            self._datastore.get_connection() as connection,
            connection.transaction(),
            connection.cursor(name="ledger_stream") as cursor,
        ):
            cursor.itersize = 2000
            yield cursor

    @contextlib.contextmanager
    def writing(self) -> Iterator[Any]:
        """A cursor in a transaction holding the events table's write lock.

        After a transaction that wrote many reports (an import, a rebuild), the
        tables are analysed at once: until autovacuum gets to them, the planner
        would plan the next reads (which join the events) from statistics of
        tables a fraction of their size.
        """
        self._written = 0
        with self._datastore.get_connection() as connection:
            with connection.transaction():
                cursor = connection.cursor()
                for statement in self._lock:
                    cursor.execute(statement)
                yield cursor
            if self._written >= _ANALYZE_AFTER:
                connection.execute(self._analyze)

    def insert_events(
        self, cursor: Any, rows: Sequence[tuple[Any, ...]]
    ) -> Sequence[int]:
        """Insert stored events by COPY; return their notification ids, in order.

        The write holds the events table's lock, so the events after the
        largest id before the COPY are these, whose ids are read back.
        """
        cursor.execute(self.statements.max_notification)
        before = cursor.fetchone()["id"] or 0
        _copy_rows(cursor, self._copy_events, _EVENT_TYPES, rows)
        issued = {
            (originator, version): notification
            for originator, version, notification in self.tuples(
                cursor, self._issued, (before,)
            )
        }
        if len(issued) != len(rows):
            msg = f"{len(rows)} events were saved, but {len(issued)} came back"
            raise StorageError(msg)
        return [issued[row[0], row[1]] for row in rows]

    def many(self, cursor: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run ``statement`` for every row: inserts by COPY, the rest over arrays."""
        if not rows:
            return
        if statement == self.statements.insert_reports:
            self._written += len(rows)
        copying = self._copies.get(statement)
        if copying is not None:
            _copy_rows(cursor, *copying, rows)
            return
        bulk = self._bulk.get(statement)
        if bulk is None:
            cursor.executemany(statement, rows)
            return
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            columns = [list(column) for column in zip(*chunk, strict=True)]
            # Binary parameters: arrays go over without text escaping.
            cursor.execute(bulk, columns, binary=True)

    def list_param(self, values: Sequence[str]) -> list[str]:
        """A list of strings as a PostgreSQL array parameter."""
        return list(values)

    def tuples(
        self, cursor: Any, statement: str | sql.Composable, parameters: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        """Every row of ``statement`` as a plain tuple (no row objects to build)."""
        factory = cursor.row_factory
        cursor.row_factory = tuple_row
        try:
            cursor.execute(statement, parameters, binary=True)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        finally:
            cursor.row_factory = factory
        return rows

    def pairs_param(self, pairs: Sequence[tuple[str, int]]) -> tuple[Any, ...]:
        """``(kid, since)`` pairs as the parameters of a ``{pairs}`` table."""
        return [kid for kid, _ in pairs], [since for _, since in pairs]

    def blob(self, value: Any) -> bytes:
        """A stored blob as bytes."""
        return bytes(value)


_PROPOSITION_TYPES = (
    *("text", "text", "bigint", "text"),  # kid, proposition, version, question
    *("bigint", "bigint", "bigint", "int", "bigint", "int", "bigint"),  # the fold
)


_EVENT_TYPES = ("uuid", "int8", "text", "bytea")


def _copy(statement: str, types: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """``INSERT INTO t (columns) VALUES ...`` as a binary ``COPY t (columns)``."""
    head, _, _ = statement.partition(" VALUES (")
    target = head.removeprefix("INSERT INTO ")
    return f"COPY {target} FROM STDIN (FORMAT BINARY)", types


def _copy_rows(
    cursor: Any,
    command: str | sql.Composable,
    types: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Write ``rows`` by the binary COPY ``command``, columns of ``types``."""
    with cursor.copy(command) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _unnest(statement: str, types: tuple[str, ...]) -> str:
    """``INSERT ... VALUES (%s, ...)`` as ``INSERT ... SELECT * FROM unnest(...)``."""
    head, _, tail = statement.partition(" VALUES (")
    _, _, rest = tail.partition(")")
    # %b: the arrays go over in binary, without quoting every element as text.
    arrays = ", ".join(f"%b::{kind}[]" for kind in types)
    return f"{head} SELECT * FROM unnest({arrays}){rest}"
