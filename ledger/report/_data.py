"""What a picture of a ledger shows, gathered through the public Ledger API.

The HTML page, the notebook views and the static image all draw a
:class:`Picture`: one row per proposition (its status periods over knowledge
time and its reports, struck ones included), grouped by question, and the
stretches of time worth drawing (long empty gaps are folded out of the axis).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs

from ledger import _time
from ledger._time import TimePoint
from ledger.application import Ledger
from ledger.values import Kind, Status

# Okabe & Ito's colour-blind-safe palette: supporting words in blues, opposing
# words in warm colours, the decisive ones darker. Patterns and labels repeat
# what the colours say, for readers (and printers) that see no colour.
COLOURS = {
    Status.UNKNOWN: "#BBBBBB",
    Status.CLAIMED: "#56B4E9",
    Status.DISPUTED: "#E69F00",
    Status.CONFIRMED: "#0072B2",
    Status.REFUTED: "#D55E00",
}
HAPPENED_COLOUR = "#000000"
STATUSES = (Status.CLAIMED, Status.DISPUTED, Status.CONFIRMED, Status.REFUTED)
KINDS = tuple(Kind)

_GAP_SHARE = 0.1  # a gap longer than this share of the span is folded out
_MIN_GAP = timedelta(days=60)
_PAD_SHARE = 0.01
_MIN_PAD = timedelta(days=7)


@attrs.frozen
class Mark:
    """One report as drawn: when it became known, what it said, and any strike."""

    known_from: datetime
    kind: Kind
    source: str
    reported_at: TimePoint
    occurred_at: TimePoint | None
    quote: str | None
    url: str | None
    report_id: str
    struck: str | None
    """The strike's reason, or None when the report stands."""


@attrs.frozen
class Row:
    """One proposition: its statement, question, status periods and reports."""

    key: str
    statement: str | None
    question: str | None
    periods: tuple[tuple[datetime, Status], ...]
    marks: tuple[Mark, ...]

    @property
    def first(self) -> datetime:
        """When the first of its reports became known."""
        return self.marks[0].known_from


@attrs.frozen
class Picture:
    """Everything a picture of a ledger shows, as known by ``on``."""

    title: str
    on: TimePoint
    cutoff: datetime
    rows: tuple[Row, ...]
    segments: tuple[tuple[datetime, datetime], ...]
    """The stretches of knowledge time drawn, in order; gaps between are folded."""
    cursor: date
    """The day the date cursor starts on: ``on``, else the day of the last report."""

    @property
    def reports(self) -> int:
        """How many reports the picture shows, struck ones included."""
        return sum(len(row.marks) for row in self.rows)

    @property
    def struck(self) -> int:
        """How many of its reports are struck."""
        return sum(mark.struck is not None for row in self.rows for mark in row.marks)

    def html(self) -> str:
        """The picture as one self-contained HTML page (inline CSS, JS and SVG)."""
        from ledger.report import _html

        return _html.page(self)

    def write_html(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`html` to ``path`` (UTF-8)."""
        Path(path).write_text(self.html(), encoding="utf-8")

    def write_image(self, path: str | os.PathLike[str]) -> None:
        """Draw the picture with matplotlib: SVG if ``path`` ends .svg, else PNG.

        Needs the ``png`` extra (``pip install claims-ledger[png]``).
        """
        from ledger.report._png import write

        write(self, Path(path))

    def _repr_html_(self) -> str:
        from ledger.report import _html

        return _html.iframe(self.html(), height=_html.frame_height(self))


def time_text(value: TimePoint) -> str:
    """A time as people read it (``2017-06-16``, ``2017-06-16 09:30 UTC``)."""
    return _time.human(value)


def status_at(row: Row, instant: datetime) -> tuple[Status, datetime | None]:
    """The row's status at ``instant``, and since when (unknown: no report yet)."""
    found: tuple[Status, datetime | None] = (Status.UNKNOWN, None)
    for start, status in row.periods:
        if start > instant:
            break
        found = (status, start)
    return found


def gather(
    ledger: Ledger,
    keys: Iterable[str] | None = None,
    *,
    on: TimePoint | None = None,
    title: str | None = None,
) -> Picture:
    """The picture of ``ledger`` (or of ``keys``) as known by ``on`` (default: now).

    Raises UnknownProposition for a key in ``keys`` with no recorded report.
    """
    when: TimePoint = datetime.now(UTC) if on is None else on
    cutoff = _time.cutoff(when, "on")
    chosen = ledger.propositions() if keys is None else tuple(dict.fromkeys(keys))
    rows = [row for key in chosen if (row := _row(ledger, key, cutoff)) is not None]
    if keys is None:
        rows.sort(key=lambda row: (row.first, row.key))
    rows = _grouped(rows)
    instants = [
        instant
        for row in rows
        for mark in row.marks
        for instant in (
            mark.known_from,
            *(() if mark.occurred_at is None else (_time.start(mark.occurred_at),)),
        )
    ]
    if on is not None:
        instants.append(cutoff)
    last = max((row.marks[-1].known_from for row in rows), default=cutoff)
    return Picture(
        title=title or _default_title(rows, when),
        on=when,
        cutoff=cutoff,
        rows=tuple(rows),
        segments=segments(instants),
        cursor=(cutoff if on is not None else last).date(),
    )


def _row(ledger: Ledger, key: str, cutoff: datetime) -> Row | None:
    entries = [e for e in ledger.history(key) if e.report.known_from <= cutoff]
    if not entries:
        return None
    marks = tuple(
        Mark(
            known_from=report.known_from,
            kind=report.kind,
            source=report.source,
            reported_at=report.reported_at,
            occurred_at=report.occurred_at,
            quote=report.quote,
            url=report.url,
            report_id=report.report_id,
            struck=None if entry.strike is None else entry.strike.reason,
        )
        for entry in entries
        for report in (entry.report,)
    )
    periods = tuple(
        (_time.start(belief.since), belief.status)
        for belief in ledger.timeline(key)
        if belief.since is not None and _time.start(belief.since) <= cutoff
    )
    statements = [e.report.statement for e in entries if e.report.statement]
    questions = [e.report.question for e in entries]
    return Row(
        key=key,
        statement=statements[-1] if statements else None,
        question=next((q for q in questions if q), None),
        periods=periods,
        marks=tuple(sorted(marks, key=lambda mark: mark.known_from)),
    )


def _grouped(rows: Sequence[Row]) -> list[Row]:
    """The rows with those answering one question together, where the first stood."""
    groups: dict[object, list[Row]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(
            row.question if row.question else ("alone", index), []
        ).append(row)
    return [row for group in groups.values() for row in group]


def segments(instants: Iterable[datetime]) -> tuple[tuple[datetime, datetime], ...]:
    """The stretches of time to draw around ``instants``, long empty gaps folded.

    A gap longer than a tenth of the whole span (and than 60 days) is left out;
    each stretch is padded by a hundredth of the span (at least a week).
    """
    ordered = sorted(set(instants))
    if not ordered:
        today = datetime.combine(date.today(), datetime.min.time(), tzinfo=UTC)
        return ((today - _MIN_PAD, today + _MIN_PAD),)
    span = ordered[-1] - ordered[0]
    gap = max(span * _GAP_SHARE, _MIN_GAP)
    pad = max(span * _PAD_SHARE, _MIN_PAD)
    stretches = [[ordered[0], ordered[0]]]
    for instant in ordered[1:]:
        if instant - stretches[-1][1] > gap:
            stretches.append([instant, instant])
        else:
            stretches[-1][1] = instant
    return tuple((start - pad, end + pad) for start, end in stretches)


def _default_title(rows: Sequence[Row], on: TimePoint) -> str:
    if not rows:
        return f"Belief timeline: no reports known by {time_text(on)}"
    start = min(row.first for row in rows).date().isoformat()
    end = max(mark.known_from for row in rows for mark in row.marks)
    end_text = end.date().isoformat()
    period = start if start == end_text else f"{start} to {end_text}"
    return f"Belief timeline, {period}"
