"""The obvious alternatives to the ledger, for the benchmarks to measure against.

Each baseline loads a JSON Lines report file and answers the default policy
("latest decisive word", PRODUCT.md) for one proposition or for all of them, as
status only. tests/test_benchmark_baselines.py checks every answer here against
:class:`ledger.policy.LatestDecisiveWord`, so the baselines are proven right,
not only fast.

- :class:`SqliteBaseline`: plain ``sqlite3``. ``json.loads`` per line, the
  report time turned into a UTC instant, rows inserted with ``executemany`` in
  batches into a table indexed for the query; one ``GROUP BY`` answers.
- :class:`DuckdbBaseline`: DuckDB reads the file with ``read_json``; answers
  either straight from the raw rows (``GROUP BY``) or from two pre-aggregated
  tables with an ``ASOF JOIN`` (the latest decisive instant at or before the
  query time).
- :func:`fold_status`: the policy in plain Python over rows in proposition
  order, the "replay with no view" floor.

All times are integers: microseconds since 1970-01-01 UTC. A date-only report
time is known from 00:00 UTC of that day; a query on a date means "by the end
of that day, UTC"; a query with a datetime compares instants.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "DuckdbBaseline",
    "SqliteBaseline",
    "cutoff_us",
    "fold_status",
    "known_from_us",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = date(1970, 1, 1).toordinal()
_DAY_US = 86_400_000_000
_MICRO = timedelta(microseconds=1)
KINDS = ("claimed", "disputed", "confirmed", "refuted")
_COLUMNS = ("statement", "occurred_at", "quote", "url")


def known_from_us(text: str) -> int:
    """The UTC instant (µs since the epoch) from which a report time is known."""
    if len(text) == 10:
        return (date.fromisoformat(text).toordinal() - _EPOCH_DAY) * _DAY_US
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None or moment.utcoffset() is None:
        msg = f"reported_at must have a UTC offset (got {text!r})"
        raise ValueError(msg)
    return (moment - _EPOCH) // _MICRO


def cutoff_us(on: date | datetime) -> int:
    """The last instant (µs since the epoch) that a query ``on`` includes."""
    if isinstance(on, datetime):
        if on.tzinfo is None or on.utcoffset() is None:
            msg = f"on must be a date or a timezone-aware datetime (got {on!r})"
            raise ValueError(msg)
        return (on - _EPOCH) // _MICRO
    return (on.toordinal() - _EPOCH_DAY + 1) * _DAY_US - 1


def _content_id(row: dict[str, Any]) -> str:
    content = [
        row["kind"],
        row["proposition"],
        row["source"],
        row["reported_at"],
        row.get("occurred_at"),
        row.get("statement"),
        row.get("quote"),
        row.get("url"),
    ]
    encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return "r-" + hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:32]


def parse_line(line: str) -> tuple[Any, ...]:
    """One JSON line as a row for the ``reports`` table (raises ValueError)."""
    row = json.loads(line)
    kind = row["kind"]
    if kind not in KINDS:
        msg = f"kind must be one of {', '.join(KINDS)} (got {kind!r})"
        raise ValueError(msg)
    reported_at = row["reported_at"]
    report_id = row.get("report_id") or _content_id(row)
    return (
        report_id,
        row["proposition"],
        kind,
        known_from_us(reported_at),
        reported_at,
        row["source"],
        row.get("statement"),
        row.get("occurred_at"),
        row.get("quote"),
        row.get("url"),
    )


def status_of(confirmed: int | None, refuted: int | None, disputed: bool) -> str:
    """The policy's status from the latest decisive instants and any dispute."""
    if confirmed is None and refuted is None:
        return "disputed" if disputed else "claimed"
    if refuted is None or (confirmed is not None and confirmed > refuted):
        return "confirmed"
    if confirmed is None or refuted > confirmed:
        return "refuted"
    return "disputed"  # both decisive kinds at the latest instant


# The policy in SQL: the latest instant of each decisive kind, and whether any
# dispute is known. Both SQLite and DuckDB run it as written.
_STATUS_SQL = """
    CASE
        WHEN c IS NULL AND r IS NULL THEN
            CASE WHEN d THEN 'disputed' ELSE 'claimed' END
        WHEN r IS NULL OR c > r THEN 'confirmed'
        WHEN c IS NULL OR r > c THEN 'refuted'
        ELSE 'disputed'
    END
"""
_AGGREGATES_SQL = """
    max(CASE WHEN kind = 'confirmed' THEN known_from END) AS c,
    max(CASE WHEN kind = 'refuted' THEN known_from END) AS r,
    max(kind = 'disputed') AS d
"""


class SqliteBaseline:
    """The ledger's job done with plain ``sqlite3`` and one indexed table."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.connection = sqlite3.connect(str(path), isolation_level=None)
        self.connection.executescript(
            """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS reports (
                seq INTEGER PRIMARY KEY,
                report_id TEXT NOT NULL UNIQUE,
                proposition TEXT NOT NULL,
                kind TEXT NOT NULL,
                known_from INTEGER NOT NULL,
                reported_at TEXT NOT NULL,
                source TEXT NOT NULL,
                statement TEXT,
                occurred_at TEXT,
                quote TEXT,
                url TEXT
            );
            CREATE INDEX IF NOT EXISTS reports_by_proposition
                ON reports (proposition, known_from, kind);
            """
        )
        self._insert = (
            "INSERT OR IGNORE INTO reports (report_id, proposition, kind, known_from,"
            " reported_at, source, statement, occurred_at, quote, url)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        self._one = (
            f"SELECT {_AGGREGATES_SQL}, count(*) AS n FROM reports"
            " WHERE proposition = ? AND known_from <= ?"
        )
        self._all = (
            f"SELECT proposition, {_STATUS_SQL} FROM ("
            f"  SELECT proposition, {_AGGREGATES_SQL} FROM reports"
            "   WHERE known_from <= ? GROUP BY proposition"
            ") ORDER BY proposition"
        )

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def import_lines(self, lines: Iterable[str], *, batch_size: int = 1000) -> int:
        """Parse and insert report lines, one transaction per batch; return count."""
        count = 0
        batch: list[tuple[Any, ...]] = []
        for line in lines:
            batch.append(parse_line(line))
            if len(batch) >= batch_size:
                count += self._write(batch)
                batch = []
        if batch:
            count += self._write(batch)
        return count

    def import_file(self, path: str | Path, *, batch_size: int = 1000) -> int:
        """Import a JSON Lines file (see :meth:`import_lines`)."""
        with Path(path).open(encoding="utf-8") as lines:
            return self.import_lines(lines, batch_size=batch_size)

    def _write(self, batch: list[tuple[Any, ...]]) -> int:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN")
        before = self.connection.total_changes
        cursor.executemany(self._insert, batch)
        cursor.execute("COMMIT")
        return self.connection.total_changes - before

    def belief(self, proposition: str, on: date | datetime) -> str:
        """The status of one proposition on ``on`` ("unknown" with no reports)."""
        row = self.connection.execute(
            self._one, (proposition, cutoff_us(on))
        ).fetchone()
        confirmed, refuted, disputed, count = row
        if not count:
            return "unknown"
        return status_of(confirmed, refuted, bool(disputed))

    def beliefs(self, on: date | datetime) -> list[tuple[str, str]]:
        """(proposition, status) for every proposition reported by ``on``, by key."""
        return self.connection.execute(self._all, (cutoff_us(on),)).fetchall()

    def rows_by_proposition(
        self, on: date | datetime
    ) -> Iterator[tuple[str, str, int]]:
        """(proposition, kind, known_from) known by ``on``, in proposition order."""
        return iter(
            self.connection.execute(
                "SELECT proposition, kind, known_from FROM reports"
                " WHERE known_from <= ? ORDER BY proposition",
                (cutoff_us(on),),
            )
        )

    def count(self) -> int:
        """How many reports the table holds."""
        (count,) = self.connection.execute("SELECT count(*) FROM reports").fetchone()
        return int(count)


def fold_status(rows: Iterable[tuple[str, str, int]]) -> list[tuple[str, str]]:
    """The policy folded in Python over (proposition, kind, known_from) rows.

    The rows must come grouped by proposition; returns (proposition, status)
    in the order the groups come.
    """
    answers: list[tuple[str, str]] = []
    current: str | None = None
    confirmed: int | None = None
    refuted: int | None = None
    disputed = False
    for proposition, kind, known_from in rows:
        if proposition != current:
            if current is not None:
                answers.append((current, status_of(confirmed, refuted, disputed)))
            current, confirmed, refuted, disputed = proposition, None, None, False
        if kind == "confirmed":
            if confirmed is None or known_from > confirmed:
                confirmed = known_from
        elif kind == "refuted":
            if refuted is None or known_from > refuted:
                refuted = known_from
        elif kind == "disputed":
            disputed = True
    if current is not None:
        answers.append((current, status_of(confirmed, refuted, disputed)))
    return answers


class DuckdbBaseline:
    """The ledger's job done with DuckDB: columnar scans and an ASOF join."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        import duckdb  # optional: only the benchmarks need it

        self.connection: Any = duckdb.connect(str(path))
        self.connection.execute("SET TimeZone = 'UTC'")

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def import_file(self, path: str | Path) -> int:
        """Load a JSON Lines file with ``read_json``; return the row count."""
        columns = {
            "kind": "VARCHAR",
            "proposition": "VARCHAR",
            "source": "VARCHAR",
            "reported_at": "VARCHAR",
            "occurred_at": "VARCHAR",
            "statement": "VARCHAR",
            "quote": "VARCHAR",
            "url": "VARCHAR",
            "report_id": "VARCHAR",
        }
        self.connection.execute(
            """
            CREATE OR REPLACE TABLE reports AS
            SELECT
                coalesce(report_id, 'seq-' || row_number() OVER ()) AS report_id,
                proposition,
                kind,
                CASE WHEN length(reported_at) = 10
                    THEN epoch_us(CAST(reported_at AS DATE)::TIMESTAMP)
                    ELSE epoch_us(CAST(reported_at AS TIMESTAMPTZ))
                END AS known_from,
                reported_at, source, statement, occurred_at, quote, url
            FROM read_json(?, format = 'newline_delimited', columns = ?)
            """,
            [str(path), columns],
        )
        (count,) = self.connection.execute("SELECT count(*) FROM reports").fetchone()
        return int(count)

    def beliefs(self, on: date | datetime) -> list[tuple[str, str]]:
        """(proposition, status) by key, straight from the raw rows (GROUP BY)."""
        result: list[tuple[str, str]] = self.connection.execute(
            f"""
            SELECT proposition, {_STATUS_SQL} FROM (
                SELECT proposition, {_AGGREGATES_SQL} FROM reports
                WHERE known_from <= ? GROUP BY proposition
            ) ORDER BY proposition
            """,
            [cutoff_us(on)],
        ).fetchall()
        return result

    def belief(self, proposition: str, on: date | datetime) -> str:
        """The status of one proposition on ``on``, from the raw rows."""
        row = self.connection.execute(
            f"SELECT {_AGGREGATES_SQL}, count(*) FROM reports"
            " WHERE proposition = ? AND known_from <= ?",
            [proposition, cutoff_us(on)],
        ).fetchone()
        confirmed, refuted, disputed, count = row
        if not count:
            return "unknown"
        return status_of(confirmed, refuted, bool(disputed))

    def prepare_asof(self) -> None:
        """Pre-aggregate for :meth:`beliefs_asof`: one row per decisive instant.

        ``decisive`` has, per proposition and decisive instant, whether a
        confirmation and a refutation were made then; ``opened`` has each
        proposition's first report and first dispute.
        """
        self.connection.execute(
            """
            CREATE OR REPLACE TABLE decisive AS
            SELECT proposition, known_from AS decided_at,
                   bool_or(kind = 'confirmed') AS confirmed,
                   bool_or(kind = 'refuted') AS refuted
            FROM reports WHERE kind IN ('confirmed', 'refuted')
            GROUP BY proposition, known_from
            ORDER BY proposition, decided_at
            """
        )
        self.connection.execute(
            """
            CREATE OR REPLACE TABLE opened AS
            SELECT proposition, min(known_from) AS first,
                   min(known_from) FILTER (WHERE kind = 'disputed') AS first_dispute
            FROM reports GROUP BY proposition ORDER BY proposition
            """
        )

    def beliefs_asof(self, on: date | datetime) -> list[tuple[str, str]]:
        """(proposition, status) by key: ASOF JOIN on the pre-aggregated tables."""
        result: list[tuple[str, str]] = self.connection.execute(
            """
            WITH asked AS (
                SELECT proposition, first_dispute, ?::BIGINT AS q
                FROM opened WHERE first <= ?
            )
            SELECT a.proposition,
                CASE
                    WHEN d.decided_at IS NULL THEN
                        CASE WHEN a.first_dispute <= a.q
                            THEN 'disputed' ELSE 'claimed' END
                    WHEN d.confirmed AND d.refuted THEN 'disputed'
                    WHEN d.confirmed THEN 'confirmed'
                    ELSE 'refuted'
                END
            FROM asked a ASOF LEFT JOIN decisive d
                ON a.proposition = d.proposition AND a.q >= d.decided_at
            ORDER BY a.proposition
            """,
            [cutoff_us(on), cutoff_us(on)],
        ).fetchall()
        return result
