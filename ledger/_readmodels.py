"""The read side of a ledger: what it holds, kept up to date with the event store.

A :class:`MemoryModel` folds the notification log into dictionaries (for
in-memory ledgers); a :class:`ViewModel` reads the materialised
:class:`~ledger.view.BeliefView` in the ledger's database, so a persistent
ledger of millions of reports opens at once and holds none of them in memory.
Both are caught up before every read and after every write, so a process reads
its own writes and sees other processes' writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol

from ledger.events import Proposition
from ledger.policy import canonical_order
from ledger.values import Entry, Report, Strike
from ledger.view import BeliefView

_BATCH = 1000


class ReadModel(Protocol):
    """What the :class:`~ledger.Ledger` needs from its read side."""

    def catch_up(self, *, batch_size: int = _BATCH) -> int:
        """Apply every event recorded since the last catch-up; return how many."""

    def saved(
        self,
        events: Sequence[DomainEventProtocol[UUID]],
        notification_ids: Sequence[int],
    ) -> None:
        """Take note of events this process has just saved."""

    def versions(self, keys: Iterable[str]) -> dict[str, int]:
        """The aggregate version of each known key among ``keys``."""

    def held(self, report_ids: Iterable[str]) -> dict[str, tuple[Report, bool]]:
        """The held reports among ``report_ids``, with whether each is struck."""

    def keys(self) -> list[str]:
        """Every proposition key, sorted."""

    def entries(self, key: str) -> list[Entry]:
        """The entries about ``key`` in reported order (empty if unknown)."""

    def all_entries(
        self, *, known_by: datetime | None = None
    ) -> Iterator[tuple[str, list[Entry]]]:
        """Every proposition's entries by key; may omit those after ``known_by``."""

    def last_recorded(self) -> datetime | None:
        """The latest system time of any event held."""


class _Held:
    __slots__ = ("reports", "struck", "version")

    def __init__(self) -> None:
        self.version = 0
        self.reports: dict[str, tuple[Report, datetime]] = {}
        self.struck: dict[str, Strike] = {}

    def entries(self) -> list[Entry]:
        ordered = canonical_order([report for report, _ in self.reports.values()])
        return [
            Entry(
                report=report,
                recorded_at=self.reports[report.report_id][1],
                strike=self.struck.get(report.report_id),
            )
            for report in ordered
        ]


class MemoryModel:
    """The notification log folded into dictionaries."""

    def __init__(self, app: Application[UUID]) -> None:
        self._app = app
        self._held: dict[str, _Held] = {}
        self._owner: dict[str, str] = {}
        self._position = 0
        self._last: datetime | None = None

    def catch_up(self, *, batch_size: int = _BATCH) -> int:
        """Apply every notification after the last one applied; return how many."""
        applied = 0
        while True:
            notifications = self._app.recorder.select_notifications(
                start=self._position + 1, limit=batch_size
            )
            if not notifications:
                return applied
            self._apply(self._app.mapper.to_domain_event(n) for n in notifications)
            self._position = notifications[-1].id
            applied += len(notifications)

    def saved(
        self,
        events: Sequence[DomainEventProtocol[UUID]],
        notification_ids: Sequence[int],
    ) -> None:
        """Apply our own events at once (catch-up skips them later)."""
        self._apply(events)

    def _apply(self, events: Iterable[DomainEventProtocol[UUID]]) -> None:
        for event in events:
            if isinstance(event, Proposition.Struck):
                key = self._owner[event.report_id]
            elif isinstance(event, Proposition.FirstReported | Proposition.Reported):
                key = event.report.proposition
            else:  # pragma: no cover - no other events are stored
                continue
            held = self._held.setdefault(key, _Held())
            if event.originator_version <= held.version:
                continue  # our own write, applied when it was saved
            held.version = event.originator_version
            if self._last is None or event.timestamp > self._last:
                self._last = event.timestamp
            if isinstance(event, Proposition.Struck):
                held.struck[event.report_id] = Strike(
                    report_id=event.report_id,
                    reason=event.reason,
                    recorded_at=event.timestamp,
                )
            else:
                held.reports[event.report.report_id] = (event.report, event.timestamp)
                self._owner[event.report.report_id] = key

    def versions(self, keys: Iterable[str]) -> dict[str, int]:
        """The aggregate version of each known key among ``keys``."""
        return {key: self._held[key].version for key in keys if key in self._held}

    def held(self, report_ids: Iterable[str]) -> dict[str, tuple[Report, bool]]:
        """The held reports among ``report_ids``, with whether each is struck."""
        result = {}
        for report_id in report_ids:
            key = self._owner.get(report_id)
            if key is not None:
                held = self._held[key]
                result[report_id] = (
                    held.reports[report_id][0],
                    report_id in held.struck,
                )
        return result

    def keys(self) -> list[str]:
        """Every proposition key, sorted."""
        return sorted(self._held)

    def entries(self, key: str) -> list[Entry]:
        """The entries about ``key`` in reported order (empty if unknown)."""
        held = self._held.get(key)
        return [] if held is None else held.entries()

    def all_entries(
        self, *, known_by: datetime | None = None
    ) -> Iterator[tuple[str, list[Entry]]]:
        """Every proposition's entries by key; may omit those after ``known_by``."""
        for key in self.keys():
            yield key, self._held[key].entries()

    def last_recorded(self) -> datetime | None:
        """The latest system time of any event held."""
        return self._last


class ViewModel:
    """The materialised view in the ledger's own database."""

    def __init__(self, app: Application[UUID], view: BeliefView) -> None:
        self._app = app
        self.view = view

    def catch_up(self, *, batch_size: int = _BATCH) -> int:
        """Bring the view up to date with the event store; return how many applied."""
        return self.view.catch_up(self._app, batch_size=batch_size)

    def saved(
        self,
        events: Sequence[DomainEventProtocol[UUID]],
        notification_ids: Sequence[int],
    ) -> None:
        """Project our own events (and any others' before them) into the view."""
        self.view.apply_saved(self._app, events, notification_ids)

    def versions(self, keys: Iterable[str]) -> dict[str, int]:
        """The aggregate version of each known key among ``keys``."""
        return self.view.versions(keys)

    def held(self, report_ids: Iterable[str]) -> dict[str, tuple[Report, bool]]:
        """The held reports among ``report_ids``, with whether each is struck."""
        return self.view.held(report_ids)

    def keys(self) -> list[str]:
        """Every proposition key, sorted."""
        return self.view.keys()

    def entries(self, key: str) -> list[Entry]:
        """The entries about ``key`` in reported order (empty if unknown)."""
        return self.view.entries(key)

    def all_entries(
        self, *, known_by: datetime | None = None
    ) -> Iterator[tuple[str, list[Entry]]]:
        """Every proposition's entries by key; may omit those after ``known_by``."""
        return self.view.all_entries(known_by=known_by)

    def last_recorded(self) -> datetime | None:
        """The latest system time of any event held."""
        return self.view.last_recorded()
