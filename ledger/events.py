"""The stored events: one event per report or strike, grouped by proposition.

Events are never edited: a mistaken report is corrected by a ``Struck`` event.
Each proposition key has its own event sequence (its originator id is derived
from the key, so every process finds the same one), which gives every batch
optimistic concurrency for free.

:class:`Proposition` is a *namespace*, not a model that is ever loaded: the
write path checks its invariants (unique report ids, strikes of held reports)
against the belief view, inside the transaction that saves the events, and the
view is the one read side. The event classes exist so that eventsourcing can
read the stored events back (``Application.mapper``) and so each stored shape
has a pinned ``TOPIC`` and a ``class_version`` for upcasting later.

The state of a stored event is JSON made by :mod:`ledger._codec`.
"""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.domain import Snapshot as _Snapshot

from ledger.values import Report

__all__ = ["Proposition", "Source", "archive_id", "proposition_id"]

_NAMESPACE = uuid.UUID("4c6b1f2e-5d0a-4f51-9a57-6c1a2e3b7d90")


def proposition_id(key: str) -> uuid.UUID:
    """The originator id of the events about the proposition ``key``."""
    return uuid.uuid5(_NAMESPACE, key)


def archive_id(url: str, sha256: str) -> uuid.UUID:
    """The originator id of the archive of ``url`` whose content has ``sha256``."""
    return uuid.uuid5(_NAMESPACE, f"archive\x00{url}\x00{sha256}")


class Proposition(Aggregate):
    """The namespace of a proposition's events (never loaded as an aggregate)."""

    TOPIC = "ledger:Proposition"

    class Event(Aggregate.Event):
        """Base class of the proposition's events."""

        def apply(self, aggregate: Any) -> None:
            """Nothing to apply: no aggregate state is kept (see the module)."""

    class Created(Event, Aggregate.Created):
        """Unused creation event, pinned so the topic is stable."""

        TOPIC = "ledger:Proposition.Created"

    class Snapshot(_Snapshot):
        """Snapshot of a proposition (pinned topic; none are taken)."""

        TOPIC = "ledger:Proposition.Snapshot"

    class FirstReported(Created):
        """The first report about a proposition (version 1 of its sequence)."""

        TOPIC = "ledger:Proposition.FirstReported"
        class_version = 1
        key: str
        report: Report

    class Reported(Event):
        """A further report about the proposition."""

        TOPIC = "ledger:Proposition.Reported"
        class_version = 1
        report: Report

    class Struck(Event):
        """A report was recorded by mistake; it no longer counts from now on."""

        TOPIC = "ledger:Proposition.Struck"
        class_version = 1
        report_id: str
        reason: str


class Source(Aggregate):
    """The namespace of the events about source documents (never loaded)."""

    TOPIC = "ledger:Source"

    class Event(Aggregate.Event):
        """Base class of a source's events (pinned topic)."""

        TOPIC = "ledger:Source.Event"

    class Created(Event, Aggregate.Created):
        """Unused creation event, pinned so the topic is stable."""

        TOPIC = "ledger:Source.Created"

    class Snapshot(_Snapshot):
        """Snapshot of a source (pinned topic; none are taken)."""

        TOPIC = "ledger:Source.Snapshot"

    class Archived(Created):
        """A copy of the document at ``url`` was archived (once per content).

        The state carries the bytes (base64), their sha256, media type and
        retrieval time; the originator id is :func:`archive_id`.
        """

        TOPIC = "ledger:Source.Archived"
        class_version = 1
        url: str
        sha256: str
        media_type: str
        retrieved_at: str
        content: str

        def apply(self, aggregate: Any) -> None:
            """Nothing to apply: archives are read from the view."""
