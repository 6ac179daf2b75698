"""The event-sourced model: one aggregate per proposition, one event per report.

A :class:`Proposition` aggregate holds the reports about one proposition key and
the strikes recorded against them. Its id is derived from the key, so every
process finds the same aggregate for the same key. Events are never edited: a
mistaken report is corrected by a ``Struck`` event. The :class:`~ledger.Ledger`
checks the invariants (ids unique, strikes of held reports) against its read
side and builds the events; the aggregate replays them.

Stored event shapes are part of the file format of every ledger: the ``TOPIC``s
are pinned, and each event has a ``class_version`` for upcasting later.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from eventsourcing.domain import Aggregate
from eventsourcing.domain import Snapshot as _Snapshot
from eventsourcing.persistence import JSONTranscoder, Transcoding

from ledger.values import Report

__all__ = ["Proposition", "proposition_id", "register_transcodings"]

_NAMESPACE = uuid.UUID("4c6b1f2e-5d0a-4f51-9a57-6c1a2e3b7d90")


def proposition_id(key: str) -> uuid.UUID:
    """The aggregate id of the proposition named ``key`` (the same everywhere)."""
    return uuid.uuid5(_NAMESPACE, key)


class Proposition(Aggregate):
    """Every report about one proposition, and every strike against them."""

    TOPIC = "ledger:Proposition"

    class Event(Aggregate.Event):
        """Base class of the proposition's events."""

    class Created(Event, Aggregate.Created):
        """Unused creation event, pinned so the topic is stable."""

        TOPIC = "ledger:Proposition.Created"

    class Snapshot(_Snapshot):
        """Snapshot of a proposition (pinned topic)."""

        TOPIC = "ledger:Proposition.Snapshot"

    class FirstReported(Created):
        """The first report about a proposition: it starts the aggregate."""

        TOPIC = "ledger:Proposition.FirstReported"
        class_version = 1
        key: str
        report: Report

        def apply(self, aggregate: Any) -> None:
            """Hold the first report."""
            cast("Proposition", aggregate)._add(self.report, self.timestamp)

    class Reported(Event):
        """A further report about the proposition."""

        TOPIC = "ledger:Proposition.Reported"
        class_version = 1
        report: Report

        def apply(self, aggregate: Any) -> None:
            """Hold the report."""
            cast("Proposition", aggregate)._add(self.report, self.timestamp)

    class Struck(Event):
        """A report was recorded by mistake; it no longer counts from now on."""

        TOPIC = "ledger:Proposition.Struck"
        class_version = 1
        report_id: str
        reason: str

        def apply(self, aggregate: Any) -> None:
            """Mark the report struck."""
            cast("Proposition", aggregate).struck[self.report_id] = (
                self.reason,
                self.timestamp,
            )

    def __init__(self, key: str) -> None:
        self.key = key
        self.reports: dict[str, tuple[Report, datetime]] = {}
        self.struck: dict[str, tuple[str, datetime]] = {}

    @staticmethod
    def create_id(key: str) -> uuid.UUID:
        """Derive the id from the key."""
        return proposition_id(key)

    def _add(self, report: Report, recorded_at: datetime) -> None:
        self.reports[report.report_id] = (report, recorded_at)

    @classmethod
    def start(cls, report: Report, *, timestamp: datetime) -> Proposition:
        """Start a proposition with its first report."""
        return cls._create(
            cls.FirstReported,
            key=report.proposition,
            report=report,
            timestamp=timestamp,
        )


class _ReportAsDict(Transcoding):
    # A report is stored as its file-format object: plain strings only, so the
    # JSON encoder needs no further hooks for its dates and kind.
    type = Report
    name = "ledger_report"

    def encode(self, obj: Report) -> dict[str, str]:
        return obj.to_dict()

    def decode(self, data: dict[str, str]) -> Report:
        return Report.from_dict(data)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach eventsourcing's JSON transcoder the ledger's value types."""
    transcoder.register(_ReportAsDict())
