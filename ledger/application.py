"""The :class:`Ledger`: record reports, ask what was believed when.

The facade over the two halves of every ledger: the event store
(eventsourcing; one event per report or strike) and the
:class:`~ledger.view.BeliefView` that folds the events and answers every query.
Each write is one transaction that saves the events together with their view
rows, so a process reads its own writes; the view catches up with other
processes' writes before a query reads it. Where the ledger lives is a
:class:`~ledger._storage.Target`.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import weakref
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import attrs

from ledger import _aside, _time, projections
from ledger._storage import (
    Target,
    holds_ledger,
    open_store,
    open_view,
    storage_errors,
)
from ledger._time import TimePoint
from ledger.analysis import AnalysisQueries, question_of
from ledger.archive import Archive
from ledger.errors import (
    InvalidArgument,
    InvalidReport,
    LedgerError,
    StorageError,
    UnknownProposition,
    UnknownReport,
)
from ledger.policy import BeliefPolicy, LatestDecisiveWord, canonical_order
from ledger.values import (
    Belief,
    Change,
    Entry,
    Kind,
    Report,
    Status,
    StrikeRequest,
    normalise_name,
)
from ledger.view import Batch

__all__ = ["Ledger", "Recorded"]

_BATCH = 5000  # reports per write batch

# Ledgers still open, closed at interpreter exit (see Ledger.close).
_open_ledgers: weakref.WeakSet[Ledger] = weakref.WeakSet()


@atexit.register
def _close_open_ledgers() -> None:
    for ledger in list(_open_ledgers):
        ledger.close()


def _unknown_strike(item: StrikeRequest) -> InvalidReport:
    """The problem with a strike of a report that is not held, naming its line."""
    msg = (
        f"strike {item.report_id!r}: no report with this report_id is in the "
        "ledger or earlier in the input"
    )
    return InvalidReport(msg, field="strike", path=item.path, line=item.line)


def _not_taken(caller: str, takes: str, position: int, item: object) -> InvalidArgument:
    """The error for an item of the wrong type, ``position`` counted from 1."""
    msg = (
        f"{caller} takes {takes} objects (argument {position} is {type(item).__name__})"
    )
    return InvalidArgument(msg)


def _check_reports(reports: tuple[object, ...]) -> None:
    for position, report in enumerate(reports, start=1):
        if not isinstance(report, Report):
            raise _not_taken("record()", "Report", position, report)


def _collect_young() -> None:
    gc.collect(1)


class _InputFailed(Exception):
    """An exception raised by the stream given to ``record_all``, carried through.

    :func:`~ledger._storage.storage_errors` would make an ``OSError`` of the
    input (a file the stream cannot read) a StorageError about the ledger; it
    is the input's, and reaches the caller as it was raised.
    """

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def _pulled(items: Iterable[object]) -> Iterator[object]:
    """``items``, with any exception they raise wrapped in :class:`_InputFailed`."""
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except Exception as error:
            raise _InputFailed(error) from error
        yield item


@contextlib.contextmanager
def _collecting_per_batch() -> Iterator[Callable[[], None]]:
    """Pause the cyclic collector's automatic runs for a long write.

    Gives the function to call after each batch: it collects the young
    objects (those allocated since the last batch). A long import keeps a
    batch of reports and the writer's caches alive, so automatic full
    collections, each walking them all, would run every few batches and cost
    a sixth of the import. The collector is enabled again afterwards, unless
    it was disabled before.
    """
    if not gc.isenabled():
        yield lambda: None
        return
    gc.disable()
    try:
        yield _collect_young
    finally:
        gc.enable()


@attrs.define
class Recorded:
    """How many new reports and new strikes a :meth:`Ledger.record_all` recorded.

    ``unknown`` counts the strikes skipped (``skip_invalid=True``) because
    their report was not held. Pass one as ``tally=`` to have it counted into.
    """

    reports: int = 0
    strikes: int = 0
    unknown: int = 0


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
        cls,
        target: str | os.PathLike[str],
        *,
        policy: BeliefPolicy | None = None,
        create: bool = True,
    ) -> Self:
        """Open (creating if needed) the ledger kept at ``target``.

        ``target`` is a SQLite file path, or a ``postgresql://user@host:port/db``
        URL (optionally ``?schema=name``; the password from ``PGPASSWORD``).
        With ``create=False``, a target that holds no ledger yet raises
        StorageError and is left as it was. Raises StorageError if it cannot
        be used.
        """
        ledger = cls.__new__(cls)
        ledger._setup(target, policy, create=create)
        return ledger

    def _setup(
        self,
        target: str | os.PathLike[str] | None,
        policy: BeliefPolicy | None,
        *,
        create: bool = True,
    ) -> None:
        self.policy: BeliefPolicy = (
            policy if policy is not None else LatestDecisiveWord()
        )
        self._closed = True
        self._where = Target.parse(target)
        if not create and not holds_ledger(self._where):
            msg = f"no ledger at {self._where.redacted!r} (and none was created)"
            raise StorageError(msg)
        self._app, self._store = open_store(self._where)
        try:
            self._view, self.applied_at_open = open_view(
                self._store, self.policy, self._where
            )
        except BaseException:
            self._app.close()
            self._store.close()
            raise
        self._closed = False
        _open_ledgers.add(self)

    @property
    def target(self) -> Target:
        """Where this ledger is kept."""
        return self._where

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        """Release the database connection (a closed ledger cannot be used).

        A ledger left open is closed at interpreter exit.
        """
        if self._closed:
            return
        self._closed = True
        _open_ledgers.discard(self)
        try:
            self._store.close()
            self._app.close()
        finally:
            # Let them go now, while every module is intact: eventsourcing's
            # __del__ methods close again, and fail noisily ("Exception
            # ignored in ... __del__") if that waits for interpreter teardown.
            del self._view, self._store, self._app

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _repr_html_(self) -> str:
        from ledger.report import ledger_html  # lazily: only notebooks draw

        return ledger_html(self)

    def __repr__(self) -> str:
        return f"<Ledger {self._where.redacted}>"

    @property
    def _named(self) -> str:
        """The ledger as messages name it: ``the ledger 'claims.db'``."""
        if self._where.kind == "memory":
            return "the in-memory ledger"
        return f"the ledger {self._where.redacted!r}"

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
        self._check_open()
        _check_reports(reports)
        # Made ready before the write begins: writers in other processes hold
        # the write lock meanwhile, so this work runs beside theirs.
        batches = [
            Batch.of(reports[start : start + _BATCH])
            for start in range(0, len(reports), _BATCH)
        ]
        with self._writing("write to") as writer, _collecting_per_batch() as collect:
            for batch in batches:
                writer.record(batch)
                collect()
        return tuple(report.report_id for report in reports)

    def record_all(
        self,
        reports: Iterable[Report | StrikeRequest],
        *,
        batch_size: int = _BATCH,
        skip_invalid: bool = False,
        errors: list[InvalidReport] | None = None,
        tally: Recorded | None = None,
    ) -> int:
        """Record a stream of reports in one transaction; return how many were new.

        All or nothing: if the stream raises (a file with an invalid line) or a
        report conflicts, nothing of it is recorded. Reports are written
        ``batch_size`` at a time, so memory stays bounded however long the
        stream; re-running an interrupted call records what is missing, once.

        The stream may hold strikes too (:class:`~ledger.values.StrikeRequest`,
        what :func:`~ledger.io.read_reports` yields for a strike line): each
        strikes a report held in the ledger or earlier in the stream, and
        striking a struck report changes nothing. A strike of any other report
        id raises InvalidReport naming its line, and nothing is recorded; with
        ``skip_invalid=True`` that strike is skipped instead and its problem
        appended to ``errors`` (when given). A :class:`Recorded` given as
        ``tally`` has the new reports, the new strikes and the strikes skipped
        added to its counts.
        """
        if batch_size < 1:
            msg = f"batch_size must be at least 1 (got {batch_size!r})"
            raise InvalidArgument(msg)
        done = self._record_stream(
            reports,
            batch_size=batch_size,
            skip_invalid=skip_invalid,
            errors=errors,
        )
        if tally is not None:
            tally.reports += done.reports
            tally.strikes += done.strikes
            tally.unknown += done.unknown
        return done.reports

    def _record_stream(
        self,
        items: Iterable[object],  # checked here, as a caller may pass anything
        *,
        batch_size: int,
        skip_invalid: bool,
        errors: list[InvalidReport] | None,
    ) -> Recorded:
        """:meth:`record_all`'s write: ``items`` in one transaction, counted."""
        self._check_open()
        try:
            # A big file read as the write consumes it is read in a second
            # process: else the write would wait for each batch's reading.
            with _aside.feeding_a_write():
                return self._record_pulled(
                    _pulled(items),
                    batch_size=batch_size,
                    skip_invalid=skip_invalid,
                    errors=errors,
                )
        except _InputFailed as failed:
            error = failed.error
        raise error  # outside the handler: the input's own error, unchained

    def _record_pulled(
        self,
        items: Iterator[object],
        *,
        batch_size: int,
        skip_invalid: bool,
        errors: list[InvalidReport] | None,
    ) -> Recorded:
        """:meth:`_record_stream` once the items' own errors are marked."""
        done = Recorded()
        seen = 0
        with self._writing("write to") as writer, _collecting_per_batch() as collect:
            batch: list[Report] = []
            batched: set[str] = set()
            for item in items:
                if isinstance(item, StrikeRequest):
                    seen += 1
                    if item.report_id in batched:
                        # Its report is in this batch: saved first, then struck.
                        done.reports += writer.record(batch)
                        batch, batched = [], set()
                    try:
                        if writer.strike(item.report_id, item.reason):
                            done.strikes += 1
                    except UnknownReport:
                        problem = _unknown_strike(item)
                        if not skip_invalid:
                            raise problem from None
                        done.unknown += 1
                        if errors is not None:
                            errors.append(problem)
                    continue
                if not isinstance(item, Report):
                    takes = "Report or StrikeRequest"
                    raise _not_taken("record_all()", takes, seen + 1, item)
                seen += 1
                batch.append(item)
                batched.add(item.report_id)
                if len(batch) >= batch_size:
                    done.reports += writer.record(batch)
                    batch, batched = [], set()
                    collect()
            if batch:
                done.reports += writer.record(batch)
        return done

    def strike(self, report_id: str, *, reason: str) -> bool:
        """Record that the report ``report_id`` was a mistake, and why.

        The report stays in the ledger; from now on it no longer counts.
        Answers with ``recorded`` before the strike still see it. Returns True
        if the report is struck now; striking a struck report again changes
        nothing and returns False. Raises UnknownReport if no report has that
        id.
        """
        if not isinstance(reason, str) or not reason.strip():
            msg = f"reason must be a non-empty string (got {reason!r})"
            raise InvalidArgument(msg)
        if "\x00" in reason:
            msg = "reason must not contain NUL (U+0000) characters"
            raise InvalidArgument(msg)
        self._check_open()
        with self._writing("write to") as writer:
            struck: bool = writer.strike(report_id, reason)
        return struck

    def record_archive(self, archive: Archive) -> None:
        """Record an archived copy of a source document, once, as an event.

        Recording the same content for the same url again changes nothing;
        another copy of the url (new content) is kept beside the first.
        """
        self._check_open()
        with self._writing("write to") as writer:
            writer.archive(
                archive.url, archive.media_type, archive.retrieved_at, archive.content
            )

    def archives(self) -> dict[str, Archive]:
        """The latest archived copy of each url (by retrieval time), by url."""
        self._read()
        latest: dict[str, Archive] = {}
        rows = sorted(
            (datetime.fromisoformat(row[3]), row[1], row)
            for row in self._view.archives()
        )
        for retrieved, _, (url, _, media_type, _, content) in rows:
            latest[url] = Archive(url, content, media_type, retrieved)
        return latest

    @contextlib.contextmanager
    def _writing(self, action: str) -> Iterator[Any]:
        """One write transaction of the view, its errors wrapped."""
        with storage_errors(action, self._named), self._view.writing() as writer:
            yield writer

    # -- the read side ---------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            msg = f"{self._named} is closed"
            raise LedgerError(msg)

    def _read(self) -> None:
        self._check_open()
        with storage_errors("could not read", self._named):
            if self._view.pending():
                self._view.catch_up()

    def _reports(self, key: str, recorded: datetime | None) -> list[Report]:
        return projections.active_reports(self._view.entries(key), recorded=recorded)

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
        Keys and sources are compared as reports hold them (NFC, trimmed).
        """
        proposition = normalise_name(proposition)
        if according_to is not None:
            according_to = normalise_name(according_to)
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
        """The belief about every proposition with a report known by ``on``.

        Holds every answer at once; :meth:`iter_beliefs` gives the same answers
        one at a time, in bounded memory.
        """
        return tuple(self.iter_beliefs(on=on, recorded=recorded))

    def iter_beliefs(
        self, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> Iterator[Belief]:
        """The answers of :meth:`beliefs`, by key, one at a time.

        Memory holds one proposition's reports at a time (and, where reports
        name questions, the keys of the confirmed answers, found in a first pass).
        """
        cutoff = _time.cutoff(on, "on")
        held_at = self._recorded(recorded)
        self._read()
        policy = self.policy_on(on=on, recorded=recorded)
        confirmed: dict[str, list[str]] = {}
        if self._view.has_questions():
            for key, reports in self.known(on=on, recorded=recorded):
                question = question_of(reports)
                if question is not None:
                    status = projections.statuses(reports, policy)[-1][1]
                    if status is Status.CONFIRMED:
                        confirmed.setdefault(question, []).append(key)
        for key, entries in self._view.all_entries(known_by=cutoff):
            reports = projections.active_reports(entries, recorded=held_at)
            belief = projections.belief_at(key, reports, cutoff, policy)
            if belief.status is Status.UNKNOWN:
                continue
            question = question_of((*belief.supporting, *belief.opposing))
            if question is not None:
                rivals = tuple(
                    sorted(k for k in confirmed.get(question, ()) if k != key)
                )
                if rivals != belief.rivals:
                    belief = attrs.evolve(belief, rivals=rivals)
            yield belief

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
        for key, entries in self._view.all_entries(known_by=cutoff):
            reports = projections.active_reports(entries, recorded=held_at)
            known = [r for r in canonical_order(reports) if r.known_from <= cutoff]
            if known:
                yield key, known

    def statuses(
        self, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> dict[str, Status]:
        """The status of every proposition with a report known by ``on``, by key.

        The same statuses as :meth:`beliefs`, without the evidence: answered
        from the view's status periods in one scan, which is much faster for
        many propositions. (Audits with ``recorded``, and a policy that decides
        differently on each date, such as ``Opinions`` with earned trust, fold
        every proposition's reports instead.)
        """
        cutoff = _time.cutoff(on, "on")
        held_at = self._recorded(recorded)
        self._read()
        policy = self.policy_on(on=on, recorded=recorded)
        if held_at is None and policy is self.policy:
            return self._view.statuses(cutoff)  # sorted by key
        return {
            key: projections.statuses(known, policy)[-1][1]
            for key, known in self.known(on=on, recorded=recorded)
        }

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
        proposition = normalise_name(proposition)
        held_at = self._recorded(recorded)
        self._read()
        entries = self._view.entries(proposition)
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
            msg = (
                f"until ({_time.isoformat(until)}) is before "
                f"since ({_time.isoformat(since)})"
            )
            raise InvalidArgument(msg)
        held_at = self._recorded(recorded)
        self._read()
        result = []
        for key, entries in self._view.all_entries():
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

    def catch_up(self, *, batch_size: int = 5000) -> int:
        """Fold events saved by other processes into the view; return how many.

        Every query does this first, so calling it is never needed for correct
        answers; a projection worker calls it to keep a shared view fresh.
        """
        self._check_open()
        with (
            storage_errors("could not update the view of", self._named),
            _collecting_per_batch() as collect,
        ):
            return self._view.catch_up(batch_size=batch_size, after_batch=collect)

    def rebuild_view(self, *, batch_size: int = 50_000) -> int:
        """Rebuild the view from the events; return how many events it folded.

        Answers are the same before and after: the view is a pure fold of the
        events. Each transaction folds ``batch_size`` events (read 5,000 at a
        time, so memory stays bounded): fewer, longer transactions read fewer
        folds back and commit less often, at the cost of holding the write
        lock longer, which a rebuild does anyway.
        """
        self._check_open()
        with (
            storage_errors("could not rebuild the view of", self._named),
            _collecting_per_batch() as collect,
        ):
            self._view.reset()
            return self._view.catch_up(batch_size=batch_size, after_batch=collect)

    def subscribe(self) -> Any | None:
        """A subscription to newly saved events where the store pushes them.

        PostgreSQL notifies listeners; elsewhere this is None and a worker
        polls. Iterate it for notifications; close it when done.
        """
        self._check_open()
        if self._where.kind != "postgres":
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
            for report_id, (report, _struck) in self._view.held(report_ids).items()
        }

    def propositions(self) -> tuple[str, ...]:
        """Every proposition key with a recorded report, sorted."""
        self._read()
        return tuple(self._view.keys())

    def entries(self) -> Iterator[Entry]:
        """Every recorded report, by proposition key then in reported order."""
        self._read()
        yield from self._view.iter_entries()

    def histories(self) -> Generator[tuple[str, list[Entry]]]:
        """Every proposition's :meth:`history` (struck reports included), by key.

        Streamed: memory holds one proposition's entries at a time; close the
        generator to end the read early.
        """
        self._read()
        yield from self._view.all_entries()
