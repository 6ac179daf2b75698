"""The materialised belief view: reports and status periods, kept in the database.

A persistent ledger keeps, next to its events, tables that a projection folds the
events into: every report (with its strike, if any), every proposition's version,
and every proposition's status periods over knowledge time. The view follows
eventsourcing's projection model: each batch of notifications is applied in one
transaction together with the view's tracking position, so every event is applied
exactly once, and a projection that is stopped (even killed) resumes where it
stopped. Any process may bring the view up to date; concurrent projectors never
apply an event twice.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, OperationalError, Tracking
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from ledger import projections
from ledger.events import Proposition
from ledger.policy import BeliefPolicy, canonical_order
from ledger.values import Entry, Report, Status, Strike

__all__ = ["BeliefView", "report_from_json", "report_to_json"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TRACKING_NAME = "ledger-belief-view"
"""The name under which the view tracks its position in the notification log."""


def micros(instant: datetime) -> int:
    """Microseconds since the epoch for an aware datetime (exact)."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """The UTC datetime ``value`` microseconds after the epoch."""
    return _EPOCH + timedelta(microseconds=value)


def report_to_json(report: Report) -> str:
    """The report as one line of the JSON Lines file format."""
    return json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":"))


def report_from_json(text: str) -> Report:
    """The report stored by :func:`report_to_json`."""
    return Report.from_dict(json.loads(text))


class _Cursor(Protocol):
    def execute(self, query: Any, params: Any = ..., /) -> Any: ...
    def executemany(self, query: Any, params_seq: Any, /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> Any: ...


class BeliefView:
    """Tables of reports and status periods, and the projection that fills them.

    Use :meth:`for_application` to get the view of an eventsourcing application's
    database (SQLite or PostgreSQL).
    """

    # Set by the concrete classes below.
    datastore: Any
    placeholder = "?"
    _table_prefix = ""
    _code_points = ""  # the collation that sorts text as Python does (SQLite: default)

    def __init__(self, policy: BeliefPolicy, *, cache_size: int = 50_000) -> None:
        self.policy = policy
        # Decoded reports by id, most recent last: rewriting a proposition's
        # periods needs its earlier reports, which were usually seen recently.
        self._cache: OrderedDict[str, Report] = OrderedDict()
        self._cache_size = cache_size

    if TYPE_CHECKING:  # provided by eventsourcing's tracking recorders

        def create_table(self) -> None:
            """Create eventsourcing's tracking table."""

        def max_tracking_id(self, application_name: str) -> int | None:
            """The last notification id tracked for ``application_name``."""

        def _insert_tracking(self, c: Any, tracking: Tracking) -> None: ...

    @staticmethod
    def for_application(app: Application[UUID], policy: BeliefPolicy) -> BeliefView:
        """The belief view in the database of ``app`` (tables created if needed)."""
        datastore = getattr(app.factory, "datastore", None)
        view: BeliefView
        if isinstance(datastore, SQLiteDatastore):
            view = _SQLiteBeliefView(datastore, policy)
        elif type(datastore).__name__ == "PostgresDatastore":
            # Imported here: PostgreSQL support (psycopg) is an optional extra.
            from ledger._postgres_view import PostgresBeliefView

            view = PostgresBeliefView(cast("Any", datastore), policy)
        else:
            msg = f"no belief view for {type(app.factory).__name__}"
            raise TypeError(msg)
        view.create_tables()
        return view

    # -- SQL plumbing ----------------------------------------------------------

    def _q(self, sql: str) -> str:
        """Qualify ``{t}`` table names and use the driver's placeholder."""
        return sql.replace("{t}", self._table_prefix).replace("?", self.placeholder)

    def create_tables(self) -> None:
        """Create the view's tables and the tracking table, if missing."""
        self.create_table()  # eventsourcing's tracking table
        with self.datastore.transaction(commit=True) as cursor:
            for statement in self._create_statements():
                cursor.execute(self._q(statement))
        self._check_policy()

    def _check_policy(self) -> None:
        # The periods are the policy's answers: if they were computed under
        # another policy, compute them again for every proposition.
        wanted = _policy_name(self.policy)
        query = "SELECT value FROM {t}ledger_view_settings WHERE name = ?"
        if [row["value"] for row in self._select(query, ("policy",))] == [wanted]:
            return
        with self._write_transaction() as cursor:
            cursor.execute(self._q("SELECT proposition FROM {t}ledger_propositions"))
            keys = sorted(r["proposition"] for r in cursor.fetchall())
            self._rewrite_periods(cursor, keys)
            cursor.execute(
                self._q(
                    "INSERT INTO {t}ledger_view_settings (name, value) VALUES (?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value"
                ),
                ("policy", wanted),
            )

    def _create_statements(self) -> list[str]:
        return [
            (
                "CREATE TABLE IF NOT EXISTS {t}ledger_reports ("
                " report_id TEXT PRIMARY KEY,"
                " proposition TEXT NOT NULL,"
                " known_from BIGINT NOT NULL,"
                " recorded_at BIGINT NOT NULL,"
                " struck_at BIGINT,"
                " strike_reason TEXT,"
                " payload TEXT NOT NULL)"
            ),
            (
                "CREATE INDEX IF NOT EXISTS ledger_reports_by_proposition"
                " ON {t}ledger_reports (proposition, known_from)"
            ),
            (
                "CREATE TABLE IF NOT EXISTS {t}ledger_propositions ("
                " proposition TEXT PRIMARY KEY,"
                " version BIGINT NOT NULL)"
            ),
            (
                "CREATE TABLE IF NOT EXISTS {t}ledger_periods ("
                " proposition TEXT NOT NULL,"
                " start BIGINT NOT NULL,"
                " stop BIGINT NOT NULL,"
                " status TEXT NOT NULL,"
                " PRIMARY KEY (proposition, start))"
            ),
            (
                "CREATE TABLE IF NOT EXISTS {t}ledger_view_settings ("
                " name TEXT PRIMARY KEY,"
                " value TEXT NOT NULL)"
            ),
        ]

    def reset(self) -> None:
        """Empty the view and its position, so the next catch-up rebuilds it."""
        with self._write_transaction() as cursor:
            for table in ("ledger_reports", "ledger_propositions", "ledger_periods"):
                cursor.execute(self._q(f"DELETE FROM {{t}}{table}"))
            cursor.execute(self._reset_tracking_sql(), (TRACKING_NAME,))
        self._cache.clear()

    def _reset_tracking_sql(self) -> str:
        return "DELETE FROM tracking WHERE application_name = ?"

    def _write_transaction(self) -> contextlib.AbstractContextManager[Any]:
        """A transaction that will write: committed on success, else rolled back."""
        return cast(
            "contextlib.AbstractContextManager[Any]",
            self.datastore.transaction(commit=True),
        )

    # -- the projection --------------------------------------------------------

    def position(self) -> int:
        """The id of the last notification applied (0 before any)."""
        return self.max_tracking_id(TRACKING_NAME) or 0

    def catch_up(self, app: Application[UUID], *, batch_size: int = 500) -> int:
        """Apply every notification not yet in the view; return how many were applied.

        Each batch is one transaction with the tracking position. If another
        process applied the same notifications first, this one's batch is rolled
        back and it carries on from the newer position.
        """
        applied = 0
        while True:
            start = self.position()
            notifications = app.recorder.select_notifications(
                start=start + 1, limit=batch_size
            )
            if not notifications:
                return applied
            events = [app.mapper.to_domain_event(n) for n in notifications]
            try:
                self.apply(events, start, notifications[-1].id)
            except (IntegrityError, OperationalError):
                # Another projector got there first, or held the write lock:
                # read the position again and continue from there.
                if self.position() == start:
                    raise
                continue
            applied += len(notifications)

    def apply_saved(
        self,
        app: Application[UUID],
        events: Sequence[DomainEventProtocol[UUID]],
        notification_ids: Sequence[int],
    ) -> None:
        """Apply events this process has just saved, then catch up.

        When nothing else was recorded between the view's position and these
        events, they are applied as they are, without reading them back.
        """
        start = self.position()
        ids = list(notification_ids)
        if ids and ids == list(range(start + 1, start + 1 + len(ids))):
            # If another projector moved on first, the catch-up below does it.
            with contextlib.suppress(IntegrityError, OperationalError):
                self.apply(events, start, ids[-1])
        self.catch_up(app)

    def apply(
        self,
        events: Sequence[DomainEventProtocol[UUID]],
        expected_position: int,
        position: int,
    ) -> None:
        """Apply ``events`` and move the tracking position to ``position``, atomically.

        Raises IntegrityError, applying nothing, unless the view's position is
        still ``expected_position`` when the transaction writes.
        """
        with self._write_transaction() as cursor:
            self._lock_position(cursor, expected_position)
            versions: dict[str, int] = {}
            rows = []
            for event in events:
                if isinstance(event, Proposition.FirstReported | Proposition.Reported):
                    report = event.report
                    self._remember(report)
                    versions[report.proposition] = event.originator_version
                    rows.append(
                        (
                            report.report_id,
                            report.proposition,
                            micros(report.known_from),
                            micros(event.timestamp),
                            report_to_json(report),
                        )
                    )
                elif isinstance(event, Proposition.Struck):
                    self._insert_reports(cursor, rows)
                    rows = []
                    key = self._strike(cursor, event)
                    versions[key] = event.originator_version
                else:  # pragma: no cover - no other events are stored
                    msg = f"unexpected event {type(event).__name__}"
                    raise TypeError(msg)
            self._insert_reports(cursor, rows)
            cursor.executemany(
                self._q(
                    "INSERT INTO {t}ledger_propositions (proposition, version)"
                    " VALUES (?, ?) ON CONFLICT (proposition)"
                    " DO UPDATE SET version = excluded.version"
                ),
                list(versions.items()),
            )
            self._rewrite_periods(cursor, sorted(versions))
            self._insert_tracking(cursor, Tracking(TRACKING_NAME, position))

    def _lock_position(self, cursor: _Cursor, expected: int) -> None:
        cursor.execute(self._lock_position_sql(), (TRACKING_NAME,))
        row = cursor.fetchone()
        current = row["notification_id"] if row else 0
        if (current or 0) != expected:
            msg = f"view is at {current}, expected {expected}"
            raise IntegrityError(msg)

    def _lock_position_sql(self) -> str:
        return "SELECT notification_id FROM tracking WHERE application_name = ?"

    def _insert_reports(self, cursor: _Cursor, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            cursor.executemany(
                self._q(
                    "INSERT INTO {t}ledger_reports (report_id, proposition,"
                    " known_from, recorded_at, payload) VALUES (?, ?, ?, ?, ?)"
                ),
                rows,
            )

    def _strike(self, cursor: _Cursor, event: Any) -> str:
        cursor.execute(
            self._q(
                "UPDATE {t}ledger_reports SET struck_at = ?, strike_reason = ?"
                " WHERE report_id = ? RETURNING proposition"
            ),
            (micros(event.timestamp), event.reason, event.report_id),
        )
        key: str = cursor.fetchone()["proposition"]
        return key

    def _remember(self, report: Report) -> None:
        self._cache[report.report_id] = report
        self._cache.move_to_end(report.report_id)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _decoded(self, report_id: str, payload: str) -> Report:
        report = self._cache.get(report_id)
        if report is None:
            report = report_from_json(payload)
        self._remember(report)  # a hit counts as a use too: least recently used goes
        return report

    def _rewrite_periods(self, cursor: _Cursor, keys: Sequence[str]) -> None:
        by_key: dict[str, list[Report]] = {key: [] for key in keys}
        for chunk in _chunks(keys, 500):
            marks = ", ".join("?" * len(chunk))
            cursor.execute(
                self._q(
                    "SELECT report_id, payload FROM {t}ledger_reports"
                    f" WHERE proposition IN ({marks}) AND struck_at IS NULL"
                ),
                chunk,
            )
            for row in cursor.fetchall():
                report = self._decoded(row["report_id"], row["payload"])
                by_key[report.proposition].append(report)
            cursor.execute(
                self._q(
                    f"DELETE FROM {{t}}ledger_periods WHERE proposition IN ({marks})"
                ),
                chunk,
            )
        cursor.executemany(
            self._q(
                "INSERT INTO {t}ledger_periods (proposition, start, stop, status)"
                " VALUES (?, ?, ?, ?)"
            ),
            [
                (key, start, stop, status.value)
                for key, reports in by_key.items()
                for start, stop, status in _spans(
                    projections.periods(reports, self.policy)
                )
            ],
        )

    # -- reads -------------------------------------------------------------------

    def _select(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._q(sql), params)
            return list(cursor.fetchall())

    def _select_in(self, sql: str, values: Iterable[str]) -> Iterator[Any]:
        """Rows of ``sql`` (ending ``IN``) for ``values``, 500 placeholders a query."""
        for chunk in _chunks(sorted(set(values)), 500):
            yield from self._select(f"{sql} ({', '.join('?' * len(chunk))})", chunk)

    def versions(self, keys: Iterable[str]) -> dict[str, int]:
        """The current aggregate version of each of ``keys`` that has one."""
        rows = self._select_in(
            "SELECT proposition, version FROM {t}ledger_propositions"
            " WHERE proposition IN",
            keys,
        )
        return {row["proposition"]: row["version"] for row in rows}

    def held(self, report_ids: Iterable[str]) -> dict[str, tuple[Report, bool]]:
        """The held reports among ``report_ids``, each with whether it is struck."""
        rows = self._select_in(
            "SELECT report_id, payload, struck_at FROM {t}ledger_reports"
            " WHERE report_id IN",
            report_ids,
        )
        return {
            row["report_id"]: (
                self._decoded(row["report_id"], row["payload"]),
                row["struck_at"] is not None,
            )
            for row in rows
        }

    def keys(self) -> list[str]:
        """Every proposition key, sorted."""
        rows = self._select("SELECT proposition FROM {t}ledger_propositions")
        return sorted(row["proposition"] for row in rows)

    def entries(self, key: str) -> list[Entry]:
        """Every entry about ``key``, in reported order."""
        rows = self._select(
            "SELECT payload, recorded_at, struck_at, strike_reason, report_id"
            " FROM {t}ledger_reports WHERE proposition = ?",
            (key,),
        )
        return self._entries(rows)

    def all_entries(
        self, *, known_by: datetime | None = None
    ) -> Iterator[tuple[str, list[Entry]]]:
        """Every proposition's entries, by key (only those known by ``known_by``)."""
        sql = (
            "SELECT proposition, payload, recorded_at, struck_at, strike_reason,"
            " report_id FROM {t}ledger_reports"
        )
        params: tuple[int, ...] = ()
        if known_by is not None:
            sql += " WHERE known_from <= ?"
            params = (micros(known_by),)
        grouped: dict[str, list[Any]] = {}
        for row in self._select(sql, params):
            grouped.setdefault(row["proposition"], []).append(row)
        for key in sorted(grouped):
            yield key, self._entries(grouped[key])

    def _entries(self, rows: Iterable[Any]) -> list[Entry]:
        found = []
        for row in rows:
            strike = None
            if row["struck_at"] is not None:
                strike = Strike(
                    report_id=row["report_id"],
                    reason=row["strike_reason"],
                    recorded_at=from_micros(row["struck_at"]),
                )
            found.append(
                Entry(
                    report=self._decoded(row["report_id"], row["payload"]),
                    recorded_at=from_micros(row["recorded_at"]),
                    strike=strike,
                )
            )
        by_id = {entry.report.report_id: entry for entry in found}
        return [by_id[r.report_id] for r in canonical_order([e.report for e in found])]

    def periods(self, key: str) -> list[tuple[int, int, Status]]:
        """The stored (start, stop, status) periods of ``key``, in microseconds."""
        rows = self._select(
            "SELECT start, stop, status FROM {t}ledger_periods"
            " WHERE proposition = ? ORDER BY start",
            (key,),
        )
        return [(row["start"], row["stop"], Status(row["status"])) for row in rows]

    def statuses(self, cutoff: datetime) -> dict[str, Status]:
        """Each proposition's status at the instant ``cutoff``, by key (one scan)."""
        at = micros(cutoff)
        rows = self._select(
            "SELECT proposition, status FROM {t}ledger_periods"
            f" WHERE start <= ? AND stop > ? ORDER BY proposition{self._code_points}",
            (at, at),
        )
        return {row["proposition"]: _STATUSES[row["status"]] for row in rows}

    def last_recorded(self) -> datetime | None:
        """The latest system time of any event in the view."""
        rows = self._select(
            "SELECT MAX(recorded_at) AS r, MAX(struck_at) AS s FROM {t}ledger_reports"
        )
        values = [v for v in (rows[0]["r"], rows[0]["s"]) if v is not None]
        return from_micros(max(values)) if values else None


_STATUSES = {status.value: status for status in Status}


def _policy_name(policy: BeliefPolicy) -> str:
    """A stable name for a policy: its repr, unless that is the default one."""
    kind = type(policy)
    if kind.__repr__ is object.__repr__:  # "<... object at 0x...>" changes per run
        return f"{kind.__module__}.{kind.__qualname__}"
    return repr(policy)


FOREVER = 2**62
"""The stop of a period that has not ended (microseconds since the epoch)."""


def _spans(
    periods: Sequence[tuple[datetime, Status]],
) -> Iterator[tuple[int, int, Status]]:
    """Each period as (start, stop, status) in microseconds; stop is the next start."""
    starts = [micros(start) for start, _ in periods]
    for index, (_, status) in enumerate(periods):
        stop = starts[index + 1] if index + 1 < len(starts) else FOREVER
        yield starts[index], stop, status


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _SQLiteBeliefView(BeliefView, SQLiteTrackingRecorder):
    def __init__(self, datastore: SQLiteDatastore, policy: BeliefPolicy) -> None:
        SQLiteTrackingRecorder.__init__(self, datastore)
        BeliefView.__init__(self, policy)

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[Any]:
        # BEGIN IMMEDIATE takes the write lock first, waiting for other writers.
        # A deferred transaction that reads the position before writing would
        # fail at once ("database is locked") if another process committed
        # in between, instead of waiting its turn.
        with self.datastore.get_connection(commit=True) as connection:
            cursor = connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                yield cursor
                connection.commit()
            except sqlite3.IntegrityError as error:
                connection.rollback()
                raise IntegrityError(error) from error
            except sqlite3.OperationalError as error:
                connection.rollback()
                raise OperationalError(error) from error
            except BaseException:
                connection.rollback()
                raise
