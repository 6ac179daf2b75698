"""The :class:`Ledger`: record reports, ask what was believed when.

The write side is eventsourcing: one :class:`~ledger.events.Proposition`
aggregate per proposition key, one event per report or strike, saved atomically
per batch with optimistic concurrency. The read side is the materialised
:class:`~ledger.view.BeliefView` in a persistent ledger's database (or, in
memory, the notification log folded into dictionaries), caught up before every
query, so other processes' writes are seen and this process reads its own.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    PersistenceError,
)
from eventsourcing.utils import Environment

from ledger import _time, projections
from ledger._readmodels import MemoryModel, ReadModel, ViewModel
from ledger._time import TimePoint
from ledger.analysis import AnalysisQueries
from ledger.errors import (
    ConflictingReport,
    InvalidArgument,
    LedgerError,
    StorageError,
    UnknownProposition,
    UnknownReport,
)
from ledger.events import Proposition, register_transcodings
from ledger.policy import BeliefPolicy, LatestDecisiveWord, canonical_order
from ledger.values import Belief, Change, Entry, Kind, Report, Status
from ledger.view import BeliefView

__all__ = ["Ledger"]

_SETUP_LOCK = 0x1ED6E5  # advisory lock key for creating a ledger's tables
_SAVE_RETRIES = 20


class _EventStore(Application[UUID]):
    """The eventsourcing application behind a ledger, configured only by ``env``."""

    name = "ClaimsLedger"

    def construct_env(self, name: str, env: Any = None) -> Environment:
        # Only what the ledger passes counts: a stray PERSISTENCE_MODULE in
        # os.environ must not send a ledger's events somewhere else.
        return Environment(name, dict(env or {}))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_transcodings(transcoder)


def _env_for(target: str | os.PathLike[str] | None) -> dict[str, str]:
    if target is None:
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    text = os.fspath(target)
    if text.startswith(("postgresql://", "postgres://")):
        return _postgres_env(text)
    path = Path(text)
    if not path.parent.is_dir():
        msg = f"cannot open ledger {text!r}: no directory {str(path.parent)!r}"
        raise StorageError(msg)
    if path.is_dir():
        msg = f"cannot open ledger {text!r}: it is a directory, not a SQLite file"
        raise StorageError(msg)
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as file:
            header = file.read(16)
        if header != b"SQLite format 3\x00":
            msg = f"cannot open ledger {text!r}: it exists and is not a SQLite database"
            raise StorageError(msg)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": text,
        "SQLITE_LOCK_TIMEOUT": "30",
    }


def _postgres_env(url: str) -> dict[str, str]:
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    dbname = parts.path.lstrip("/")
    if not dbname or not parts.hostname:
        msg = f"cannot open ledger {_redact(url)!r}: expected postgresql://user@host:port/dbname"
        raise StorageError(msg)
    password = parts.password
    if password is None:
        password = os.environ.get(
            "LEDGER_POSTGRES_PASSWORD", os.environ.get("PGPASSWORD", "")
        )
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": urllib.parse.unquote(dbname),
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": urllib.parse.unquote(
            parts.username or os.environ.get("PGUSER", "")
        ),
        "POSTGRES_PASSWORD": urllib.parse.unquote(password),
        "POSTGRES_CONNECT_TIMEOUT": "10",
    }
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"][-1]
    return env


@contextlib.contextmanager
def _setting_up(env: dict[str, str]) -> Iterator[None]:
    """Hold PostgreSQL's set-up lock while tables are created (no-op elsewhere).

    Processes opening one ledger at once would otherwise run their CREATE ...
    IF NOT EXISTS statements concurrently, which PostgreSQL can refuse ("tuple
    concurrently updated"). The schema named in the URL is created here too.
    """
    if env["PERSISTENCE_MODULE"] != "eventsourcing.postgres":
        yield
        return
    try:
        import psycopg
        from psycopg import sql
    except ImportError as error:  # pragma: no cover - the extra is installed in tests
        msg = (
            "PostgreSQL needs the postgres extra: pip install 'claims-ledger[postgres]'"
        )
        raise StorageError(msg) from error
    try:
        connection = psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
            connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
            autocommit=True,
        )
    except psycopg.Error as error:
        msg = f"cannot connect to PostgreSQL: {error}"
        raise StorageError(msg) from error
    with connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (_SETUP_LOCK,))
        try:
            if "POSTGRES_SCHEMA" in env:
                connection.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        sql.Identifier(env["POSTGRES_SCHEMA"])
                    )
                )
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))


def _redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


class Ledger(AnalysisQueries):
    """An event-sourced ledger of reports about propositions.

    ``Ledger()`` keeps everything in memory; :meth:`Ledger.open` keeps it in a
    SQLite file or a PostgreSQL database. Every report is an immutable event;
    queries say what was believed at any knowledge time (``on``) as the ledger
    held it at any system time (``recorded``).
    """

    def __init__(self, *, policy: BeliefPolicy | None = None) -> None:
        self._setup(None, policy)

    @classmethod
    def open(
        cls, target: str | os.PathLike[str], *, policy: BeliefPolicy | None = None
    ) -> Self:
        """Open (creating if needed) the ledger kept at ``target``.

        ``target`` is a SQLite file path, or a ``postgresql://user@host:port/db``
        URL (optionally ``?schema=name``; the password from ``PGPASSWORD``).
        Raises StorageError if it cannot be used.
        """
        ledger = cls.__new__(cls)
        ledger._setup(target, policy)
        return ledger

    def _setup(
        self, target: str | os.PathLike[str] | None, policy: BeliefPolicy | None
    ) -> None:
        self.policy: BeliefPolicy = (
            policy if policy is not None else LatestDecisiveWord()
        )
        self._target = None if target is None else os.fspath(target)
        self._closed = False
        where = "memory" if target is None else _redact(os.fspath(target))
        try:
            env = _env_for(target)
            self._model: ReadModel
            with _setting_up(env):
                self._app = _EventStore(env=env)
                if target is None:
                    self._model = MemoryModel(self._app)
                else:
                    view = BeliefView.for_application(self._app, self.policy)
                    self._model = ViewModel(self._app, view)
            self._model.catch_up()
        except (PersistenceError, sqlite3.Error, OSError) as error:
            msg = f"cannot open ledger {where!r}: {error}"
            raise StorageError(msg) from error
        last = self._model.last_recorded()
        self._last_timestamp = last or datetime.min.replace(tzinfo=UTC)

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        """Release the database connection (a closed ledger cannot be used)."""
        if not self._closed:
            self._closed = True
            self._app.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "memory" if self._target is None else _redact(self._target)
        return f"<Ledger {where}>"

    # -- recording -----------------------------------------------------------

    def claim(
        self,
        proposition: str,
        *,
        source: str,
        reported_at: TimePoint,
        occurred_at: TimePoint | None = None,
        statement: str | None = None,
        quote: str | None = None,
        url: str | None = None,
        question: str | None = None,
        rating: str | None = None,
        report_id: str | None = None,
    ) -> str:
        """Record that ``source`` claimed ``proposition``; return the report id."""
        return self._report(Kind.CLAIMED, proposition, locals())

    def dispute(
        self,
        proposition: str,
        *,
        source: str,
        reported_at: TimePoint,
        occurred_at: TimePoint | None = None,
        statement: str | None = None,
        quote: str | None = None,
        url: str | None = None,
        question: str | None = None,
        rating: str | None = None,
        report_id: str | None = None,
    ) -> str:
        """Record that ``source`` disputed ``proposition``; return the report id."""
        return self._report(Kind.DISPUTED, proposition, locals())

    def confirm(
        self,
        proposition: str,
        *,
        source: str,
        reported_at: TimePoint,
        occurred_at: TimePoint | None = None,
        statement: str | None = None,
        quote: str | None = None,
        url: str | None = None,
        question: str | None = None,
        rating: str | None = None,
        report_id: str | None = None,
    ) -> str:
        """Record that ``source`` confirmed ``proposition``; return the report id."""
        return self._report(Kind.CONFIRMED, proposition, locals())

    def refute(
        self,
        proposition: str,
        *,
        source: str,
        reported_at: TimePoint,
        occurred_at: TimePoint | None = None,
        statement: str | None = None,
        quote: str | None = None,
        url: str | None = None,
        question: str | None = None,
        rating: str | None = None,
        report_id: str | None = None,
    ) -> str:
        """Record that ``source`` refuted ``proposition``; return the report id."""
        return self._report(Kind.REFUTED, proposition, locals())

    def _report(self, kind: Kind, proposition: str, arguments: dict[str, Any]) -> str:
        fields: dict[str, Any] = {
            name: value
            for name, value in arguments.items()
            if name not in ("self", "proposition") and value is not None
        }
        report = Report(kind=kind, proposition=proposition, **fields)
        self.record(report)
        return report.report_id

    def record(self, *reports: Report) -> tuple[str, ...]:
        """Record ``reports`` as one atomic batch; return their report ids.

        Reports already held are skipped (recording is idempotent). A report
        reusing the id of a different report raises ConflictingReport and the
        batch records nothing.
        """
        self._record(reports, "record()", start=0)
        return tuple(report.report_id for report in reports)

    def record_all(self, reports: Iterable[Report], *, batch_size: int = 1000) -> int:
        """Record a stream of reports in batches; return how many were new.

        Each batch is atomic; re-running an interrupted call completes it
        without duplicates.
        """
        if batch_size < 1:
            msg = f"batch_size must be at least 1 (got {batch_size!r})"
            raise InvalidArgument(msg)
        new = seen = 0
        batch: list[Report] = []
        for report in reports:
            batch.append(report)
            if len(batch) >= batch_size:
                new += self._record(batch, "record_all()", start=seen)
                seen += len(batch)
                batch = []
        if batch:
            new += self._record(batch, "record_all()", start=seen)
        return new

    def _record(self, reports: Sequence[Report], caller: str, *, start: int) -> int:
        """Record one atomic batch; return how many reports were new."""
        for index, report in enumerate(reports, start):
            if not isinstance(cast("object", report), Report):
                msg = (
                    f"{caller} takes Report objects (argument {index} is "
                    f"{type(report).__name__})"
                )
                raise InvalidArgument(msg)
        return self._write(lambda: self._report_events(reports))

    def strike(self, report_id: str, *, reason: str) -> None:
        """Record that the report ``report_id`` was a mistake, and why.

        The report stays in the ledger; from now on it no longer counts.
        Answers with ``recorded`` before the strike still see it. Striking a
        struck report again changes nothing.
        """
        if not isinstance(reason, str) or not reason.strip():
            msg = f"reason must be a non-empty string (got {reason!r})"
            raise InvalidArgument(msg)
        self._write(lambda: self._strike_events(report_id, reason))

    def _write(self, make_events: Any) -> int:
        """Save the events ``make_events`` builds, retrying on conflicts; count them."""
        self._check_open()
        for _ in range(_SAVE_RETRIES):
            self._model.catch_up()
            events = make_events()
            if not events:
                return 0
            try:
                # The event store's put() is what save() does for us, without
                # save()'s per-object protocol checks (no snapshots, no hooks).
                recordings = self._app.events.put(events)
            except IntegrityError:
                # Another writer got there first: read what it wrote, try again.
                continue
            except (PersistenceError, sqlite3.Error) as error:
                msg = f"could not write to {self!r}: {error}"
                raise StorageError(msg) from error
            self._model.saved(events, [r.notification.id for r in recordings])
            return len(events)
        msg = f"could not write to {self!r}: too many concurrent conflicts"
        raise StorageError(msg)

    def _report_events(
        self, reports: Sequence[Report]
    ) -> list[DomainEventProtocol[UUID]]:
        held = self._model.held(report.report_id for report in reports)
        versions = self._model.versions(report.proposition for report in reports)
        events: list[DomainEventProtocol[UUID]] = []
        batch: dict[str, Report] = {}
        # One system time for the whole batch: it is recorded atomically, so an
        # audit must see all of it or none of it.
        timestamp = self._tick()
        for report in reports:
            known = batch.get(report.report_id)
            if known is None and report.report_id in held:
                known = held[report.report_id][0]
            if known is not None:
                if known != report:
                    msg = (
                        f"report_id {report.report_id!r} is already used by a "
                        f"different report ({known.to_dict()}; new: {report.to_dict()})"
                    )
                    raise ConflictingReport(msg, field="report_id")
                continue
            batch[report.report_id] = report
            key = report.proposition
            version = versions[key] = versions.get(key, 0) + 1
            if version == 1:
                proposition = Proposition.start(report, timestamp=timestamp)
                events.extend(proposition.collect_events())
            else:
                fields: dict[str, Any] = {
                    "originator_id": Proposition.create_id(key),
                    "originator_version": version,
                    "timestamp": timestamp,
                    "report": report,
                }
                events.append(Proposition.Reported(**fields))
        return events

    def _strike_events(
        self, report_id: str, reason: str
    ) -> list[DomainEventProtocol[UUID]]:
        held = self._model.held([report_id]).get(report_id)
        if held is None:
            msg = f"no report with report_id {report_id!r} has been recorded"
            raise UnknownReport(msg)
        report, struck = held
        if struck:
            return []
        key = report.proposition
        fields: dict[str, Any] = {
            "originator_id": Proposition.create_id(key),
            "originator_version": self._model.versions([key])[key] + 1,
            "timestamp": self._tick(),
            "report_id": report_id,
            "reason": reason,
        }
        return [Proposition.Struck(**fields)]

    def _tick(self) -> datetime:
        # Strictly increasing system time per process, so "as recorded at T" is
        # well defined even for batches saved within one microsecond.
        now = datetime.now(UTC)
        if now <= self._last_timestamp:
            now = self._last_timestamp + timedelta(microseconds=1)
        self._last_timestamp = now
        return now

    # -- the read side ---------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            msg = f"{self!r} is closed"
            raise LedgerError(msg)

    def _read(self) -> None:
        self._check_open()
        try:
            self._model.catch_up()
        except (PersistenceError, sqlite3.Error) as error:
            msg = f"could not read {self!r}: {error}"
            raise StorageError(msg) from error

    def _reports(self, key: str, recorded: datetime | None) -> list[Report]:
        return projections.active_reports(self._model.entries(key), recorded=recorded)

    @staticmethod
    def _recorded(recorded: object) -> datetime | None:
        return None if recorded is None else _time.cutoff(recorded, "recorded")

    # -- queries ---------------------------------------------------------------

    def belief(
        self,
        proposition: str,
        *,
        on: TimePoint,
        recorded: TimePoint | None = None,
        according_to: str | None = None,
    ) -> Belief:
        """What was believed about ``proposition`` on ``on``.

        Uses the reports with ``reported_at`` by ``on`` (a date: by the end of
        that day, UTC) that the ledger held at ``recorded`` (default: now). An
        unknown proposition has status ``UNKNOWN``. ``according_to`` applies
        the policy to that source's reports only (see :mod:`ledger.analysis`).
        """
        cutoff = _time.cutoff(on, "on")
        held_at = self._recorded(recorded)
        self._read()
        reports = self._reports(proposition, held_at)
        return self._believed(
            proposition,
            reports,
            cutoff,
            on=on,
            recorded=recorded,
            according_to=according_to,
        )

    def beliefs(
        self, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> tuple[Belief, ...]:
        """The belief about every proposition with a report known by ``on``."""
        cutoff = _time.cutoff(on, "on")
        held_at = self._recorded(recorded)
        self._read()
        policy = self.policy_on(on=on, recorded=recorded)
        result = []
        for key, entries in self._model.all_entries(known_by=cutoff):
            reports = projections.active_reports(entries, recorded=held_at)
            belief = projections.belief_at(key, reports, cutoff, policy)
            if belief.status is not Status.UNKNOWN:
                result.append(belief)
        return self._with_rivals(result)

    def known(
        self, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> Iterator[tuple[str, list[Report]]]:
        """Every proposition's counting reports known by ``on``, by key.

        Yields ``(key, reports)`` in key order, the reports in canonical order,
        struck ones (as of ``recorded``) left out; propositions with no such
        report are skipped. The input every whole-ledger analysis folds.
        """
        cutoff = _time.cutoff(on, "on")
        held_at = self._recorded(recorded)
        self._read()
        for key, entries in self._model.all_entries(known_by=cutoff):
            reports = projections.active_reports(entries, recorded=held_at)
            known = [r for r in canonical_order(reports) if r.known_from <= cutoff]
            if known:
                yield key, known

    def statuses(
        self, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> dict[str, Status]:
        """The status of every proposition with a report known by ``on``, by key.

        The same statuses as :meth:`beliefs`, without the evidence: a persistent
        ledger answers from its view's status periods in one scan, which is much
        faster for many propositions.
        """
        cutoff = _time.cutoff(on, "on")
        held_at = self._recorded(recorded)
        self._read()
        if held_at is None and isinstance(self._model, ViewModel):
            return self._model.view.statuses(cutoff)  # sorted by key
        found = {}
        for key, entries in self._model.all_entries(known_by=cutoff):
            reports = projections.active_reports(entries, recorded=held_at)
            known = [r for r in canonical_order(reports) if r.known_from <= cutoff]
            if known:
                found[key] = projections.statuses(known, self.policy)[-1][1]
        return found

    def timeline(
        self, proposition: str, *, recorded: TimePoint | None = None
    ) -> tuple[Belief, ...]:
        """The status changes of ``proposition`` over knowledge time.

        One belief per period, as it stood when the period began (its
        ``since``). Raises UnknownProposition if nothing about it was recorded.
        """
        entries = self.history(proposition, recorded=recorded)
        held_at = self._recorded(recorded)
        reports = projections.active_reports(entries, recorded=held_at)
        return projections.timeline(proposition, reports, self.policy)

    def history(
        self, proposition: str, *, recorded: TimePoint | None = None
    ) -> tuple[Entry, ...]:
        """Every report about ``proposition``, struck ones included, in reported order.

        Raises UnknownProposition if nothing about it was recorded (by
        ``recorded``, when given).
        """
        held_at = self._recorded(recorded)
        self._read()
        entries = self._model.entries(proposition)
        if held_at is not None:
            entries = [
                Entry(
                    report=entry.report,
                    recorded_at=entry.recorded_at,
                    strike=(
                        entry.strike
                        if entry.strike and entry.strike.recorded_at <= held_at
                        else None
                    ),
                )
                for entry in entries
                if entry.recorded_at <= held_at
            ]
        if not entries:
            msg = f"no report about {proposition!r} has been recorded"
            raise UnknownProposition(msg)
        return tuple(entries)

    def changes(
        self,
        *,
        since: TimePoint,
        until: TimePoint,
        recorded: TimePoint | None = None,
    ) -> tuple[Change, ...]:
        """Every change of status after ``since`` and by ``until``, in time order."""
        start = _time.cutoff(since, "since")
        end = _time.cutoff(until, "until")
        if end < start:
            msg = f"until ({until!r}) is before since ({since!r})"
            raise InvalidArgument(msg)
        held_at = self._recorded(recorded)
        self._read()
        result = []
        for key, entries in self._model.all_entries():
            before = Status.UNKNOWN
            reports = projections.active_reports(entries, recorded=held_at)
            for belief in projections.timeline(key, reports, self.policy):
                assert belief.since is not None
                moment = _time.start(belief.since)
                if start < moment <= end:
                    result.append(
                        Change(
                            proposition=key,
                            at=belief.since,
                            before=before,
                            after=belief.status,
                            belief=belief,
                        )
                    )
                before = belief.status
        result.sort(key=lambda change: (_time.start(change.at), change.proposition))
        return tuple(result)

    def occurred(
        self, *, by: TimePoint, on: TimePoint, recorded: TimePoint | None = None
    ) -> tuple[Belief, ...]:
        """As known on ``on``, the confirmed propositions that had happened by ``by``.

        A proposition had happened by ``by`` if its ``occurred_at`` is at or
        before it or, where that is unknown, its earliest supporting report was.
        """
        happened = _time.cutoff(by, "by")
        return tuple(
            belief
            for belief in self.beliefs(on=on, recorded=recorded)
            if belief.status is Status.CONFIRMED
            and projections.happened_by(belief, happened)
        )

    def catch_up(self, *, batch_size: int = 500) -> int:
        """Bring the read side up to date; return how many events were applied.

        Every query does this first, so calling it is never needed for correct
        answers; a projection worker calls it to keep a shared view fresh.
        """
        self._check_open()
        try:
            return self._model.catch_up(batch_size=batch_size)
        except (PersistenceError, sqlite3.Error) as error:
            msg = f"could not update the view of {self!r}: {error}"
            raise StorageError(msg) from error

    def rebuild_view(self, *, batch_size: int = 500) -> int:
        """Rebuild a persistent ledger's view from its events; return events applied.

        Answers are the same before and after: the view is a pure fold of the
        events. An in-memory ledger has no view; this re-folds nothing and
        returns 0.
        """
        self._check_open()
        if not isinstance(self._model, ViewModel):
            return 0
        try:
            self._model.view.reset()
        except (PersistenceError, sqlite3.Error) as error:
            msg = f"could not reset the view of {self!r}: {error}"
            raise StorageError(msg) from error
        return self.catch_up(batch_size=batch_size)

    def _subscription(self) -> Any | None:
        """A subscription to newly recorded notifications, where pushed (PostgreSQL)."""
        if self._target is None or not self._target.startswith(
            ("postgresql://", "postgres://")
        ):
            return None
        recorder = self._app.recorder
        return recorder.subscribe(gt=recorder.max_notification_id())

    def held(self, report_ids: Iterable[str]) -> dict[str, Report]:
        """The reports this ledger holds among ``report_ids``, by id (struck included).

        Lets an importer find which reports are already recorded, or which ids
        are taken, without recording anything.
        """
        self._read()
        return {
            report_id: report
            for report_id, (report, _struck) in self._model.held(report_ids).items()
        }

    def propositions(self) -> tuple[str, ...]:
        """Every proposition key with a recorded report, sorted."""
        self._read()
        return tuple(self._model.keys())

    def entries(self) -> Iterator[Entry]:
        """Every recorded report, by proposition key then in reported order."""
        self._read()
        for _, entries in self._model.all_entries():
            yield from entries
