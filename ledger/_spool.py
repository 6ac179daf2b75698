"""A private scratch database on disk, for output that must be sorted or measured.

Whole-ledger commands print more than fits in memory on a big ledger: the
changes sorted by time, a table whose column widths depend on every row, a page
whose header counts every report. They write their rows here as they make them
and read them back in the order they need. SQLite keeps a private temporary
database (the empty file name) in a small page cache and spills the rest to a
temporary file that it deletes on close, and sorts larger than memory the same
way, so memory stays bounded however big the ledger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from typing import Any

_CACHE_KIB = 8 * 1024


@contextmanager
def spool() -> Iterator[sqlite3.Connection]:
    """A connection to a fresh private scratch database, deleted when closed."""
    with closing(sqlite3.connect("", isolation_level=None)) as connection:
        connection.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("BEGIN")
        yield connection


def rows(
    connection: sqlite3.Connection, query: str, parameters: Sequence[Any] = ()
) -> Iterator[Any]:
    """The rows of ``query``, one at a time (a single column comes as its value)."""
    cursor = connection.execute(query, parameters)
    try:
        while batch := cursor.fetchmany(1000):
            if len(batch[0]) == 1:
                yield from (row[0] for row in batch)
            else:
                yield from batch
    finally:
        # A reader abandoned part-way may be closed after its database.
        with suppress(sqlite3.ProgrammingError):
            cursor.close()


def insert(connection: sqlite3.Connection, table: str, values: Iterable[Any]) -> None:
    """Insert ``values`` (tuples of one row's columns) into ``table``, in batches."""
    batch: list[Any] = []
    statement = ""
    for row in values:
        if not statement:
            marks = ", ".join("?" * len(row))
            statement = f"INSERT INTO {table} VALUES ({marks})"
        batch.append(row)
        if len(batch) == 1000:
            connection.executemany(statement, batch)
            batch.clear()
    if batch:
        connection.executemany(statement, batch)
