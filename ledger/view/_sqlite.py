"""The view's backend for SQLite: a file, or an in-memory database.

The ledger keeps one connection of its own to the database eventsourcing
created (a shared-cache URI for an in-memory ledger), so the events, the view's
rows and its position are written in one transaction. ``BEGIN IMMEDIATE`` takes
the write lock before anything is read, so concurrent writers queue instead of
failing, and each sees the others' events before saving its own.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from ledger.errors import StorageError
from ledger.view._sql import Statements, sqlite_statements

_STATEMENTS = sqlite_statements()


class SQLiteStore:
    """A connection to a ledger's SQLite database, for the belief view."""

    statements: Statements = _STATEMENTS

    def __init__(self, database: str, *, uri: bool, timeout: float = 30.0) -> None:
        self.name = database
        self._connection = sqlite3.connect(
            database,
            uri=uri,
            timeout=timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        self._connection.row_factory = sqlite3.Row
        if not uri:
            # WAL (set by eventsourcing) with NORMAL sync: a killed process never
            # loses a committed write; only a power cut or OS crash can lose the
            # last commits (never corrupting the file). FULL syncs every commit.
            synchronous = os.environ.get("LEDGER_SQLITE_SYNCHRONOUS", "NORMAL").upper()
            if synchronous not in ("NORMAL", "FULL", "EXTRA"):
                msg = (
                    "LEDGER_SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA "
                    f"(got {synchronous!r})"
                )
                raise StorageError(msg)
            self._connection.execute(f"PRAGMA synchronous = {synchronous}")
            # 64 MiB of page cache (SQLite's default is 2 MiB): the events' and
            # the view's keys of a large ledger are inserted at random places.
            # (A 1M-report import runs at 21.5k/s with it, 17.9k/s with 32 MiB;
            # the cache is the most of what a larger file adds to a process.)
            self._connection.execute("PRAGMA cache_size = -65536")

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Cursor]:
        """A cursor in a read transaction (one snapshot of the database)."""
        cursor = self._connection.cursor()
        if self._connection.in_transaction:  # inside a write: read our own rows
            yield cursor
            return
        cursor.execute("BEGIN")
        try:
            yield cursor
        finally:
            self._connection.rollback()

    def streaming(self) -> contextlib.AbstractContextManager[sqlite3.Cursor]:
        """A cursor whose rows SQLite produces as they are fetched."""
        return self.reading()

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Cursor]:
        """A cursor in a transaction holding the write lock; commits on success."""
        cursor = self._connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            self._connection.rollback()
            raise
        self._connection.commit()

    def insert_events(
        self, cursor: Any, rows: Sequence[tuple[Any, ...]]
    ) -> Sequence[int]:
        """Insert stored events; return their notification ids (rowids), in order.

        A rowid is one more than the largest in the table, and this write holds
        the lock, so the rows get the next ids in turn; checked all the same.
        """
        before = self._last_rowid(cursor)
        cursor.executemany(
            "INSERT INTO stored_events"
            " (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
            [(uid.hex, version, topic, state) for uid, version, topic, state in rows],
        )
        last = self._last_rowid(cursor)
        if last - before != len(rows):
            msg = (
                f"{len(rows)} events were saved as notifications {before + 1} "
                f"to {last}: not consecutive"
            )
            raise StorageError(msg)
        return range(before + 1, last + 1)

    def _last_rowid(self, cursor: Any) -> int:
        cursor.execute(self.statements.max_notification)
        last: int | None = cursor.fetchone()["id"]
        return last or 0

    def many(self, cursor: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run ``statement`` for every row (``executemany``)."""
        cursor.executemany(statement, rows)

    def list_param(self, values: Sequence[str]) -> str:
        """A list of strings as a JSON array (read with ``json_each``)."""
        return orjson.dumps(list(values)).decode()

    def tuples(
        self, cursor: Any, statement: str, parameters: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        """Every row of ``statement`` as a plain tuple (no row objects to build)."""
        factory = cursor.row_factory
        cursor.row_factory = None
        try:
            cursor.execute(statement, parameters)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        finally:
            cursor.row_factory = factory
        return rows

    def pairs_param(self, pairs: Sequence[tuple[str, int]]) -> tuple[Any, ...]:
        """``(kid, since)`` pairs as the parameter of a ``{pairs}`` table (JSON)."""
        return (orjson.dumps(list(pairs)).decode(),)

    def blob(self, value: Any) -> bytes:
        """A stored blob as bytes."""
        return bytes(value)
