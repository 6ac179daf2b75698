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
        self._insert = sql.SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[])"
            " RETURNING originator_id, originator_version, notification_id"
        ).format(events)

        # The view's bulk inserts as one statement over column arrays.
        sql_ = self.statements
        periods = postgres_table(datastore.schema, "ledger_periods")
        self._bulk = {
            sql_.insert_reports: _unnest(
                sql_.insert_reports,
                ("text", "text", "bigint", "int", "bigint", "bigint"),
            ),
            sql_.insert_periods: _unnest(
                sql_.insert_periods, ("text", "text", "bigint", "bigint", "int")
            ),
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
        """Insert stored events in chunks; return their notification ids, in order."""
        ids: list[int] = []
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            cursor.execute(
                self._insert,
                (
                    [row[0] for row in chunk],
                    [row[1] for row in chunk],
                    [row[2] for row in chunk],
                    [row[3] for row in chunk],
                ),
                binary=True,
            )
            issued = {
                (row["originator_id"], row["originator_version"]): row[
                    "notification_id"
                ]
                for row in cursor.fetchall()
            }
            ids.extend(issued[row[0], row[1]] for row in chunk)
        return ids

    def many(self, cursor: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run an insert for every row as one statement over column arrays."""
        if not rows:
            return
        if statement == self.statements.insert_reports:
            self._written += len(rows)
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
        self, cursor: Any, statement: str, parameters: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        """Every row of ``statement`` as a plain tuple (no row objects to build)."""
        cursor.row_factory = tuple_row
        cursor.execute(statement, parameters)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows

    def pairs_param(self, pairs: Sequence[tuple[str, int]]) -> tuple[Any, ...]:
        """``(kid, since)`` pairs as the parameters of a ``{pairs}`` table."""
        return [kid for kid, _ in pairs], [since for _, since in pairs]

    def blob(self, value: Any) -> bytes:
        """A stored blob as bytes."""
        return bytes(value)


_PROPOSITION_TYPES = (
    *("text", "text", "bigint", "text"),  # kid, proposition, version, question
    *("bigint", "bigint", "int", "int", "int", "bigint"),  # the fold
)


def _unnest(statement: str, types: tuple[str, ...]) -> str:
    """``INSERT ... VALUES (%s, ...)`` as ``INSERT ... SELECT * FROM unnest(...)``."""
    head, _, tail = statement.partition(" VALUES (")
    _, _, rest = tail.partition(")")
    # %b: the arrays go over in binary, without quoting every element as text.
    arrays = ", ".join(f"%b::{kind}[]" for kind in types)
    return f"{head} SELECT * FROM unnest({arrays}){rest}"
