"""What a picture of a ledger shows, gathered through the public Ledger API.

The HTML page, the notebook views and the static image all draw a
:class:`Picture`: one row per proposition (its status periods over knowledge
time and its reports, struck ones included), grouped by question, and the
stretches of time worth drawing (long empty gaps are folded out of the axis).
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs

from ledger import _spool, _time, projections
from ledger._time import TimePoint
from ledger.application import Ledger
from ledger.policy import BeliefPolicy
from ledger.values import Entry, Kind, Status
from ledger.view import from_micros, micros

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

        Needs the ``png`` extra (``pip install ledger-of-claims[png]``).
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
    with layout(ledger, keys, on=on, title=title) as laid:
        return Picture(
            title=laid.title,
            on=laid.on,
            cutoff=laid.cutoff,
            rows=tuple(laid.rows()),
            segments=laid.segments,
            cursor=laid.cursor,
        )


@attrs.define
class Layout:
    """A picture's rows laid out in a scratch database, read back in drawing order.

    What :class:`Picture` holds in memory, for a page written row by row: the
    header's figures are known once every row has been added, and the rows
    come back (``rows()``) in the order the page draws them.
    """

    on: TimePoint
    cutoff: datetime
    title: str
    segments: tuple[tuple[datetime, datetime], ...]
    cursor: date
    propositions: int
    reports: int
    struck: int
    _scratch: sqlite3.Connection = attrs.field(repr=False)

    def rows(self) -> Iterator[Row]:
        """The rows in drawing order, one at a time."""
        for data in _spool.rows(self._scratch, _ORDERED):
            row: Row = pickle.loads(data)
            yield row


# The rows in order (by first report, or as the keys were given), those that
# answer one question together where the first of them stood.
_ORDERED = """
SELECT data FROM (
    SELECT data, position, CASE WHEN question IS NULL THEN position
        ELSE MIN(position) OVER (PARTITION BY question) END AS place
    FROM (SELECT data, question,
        ROW_NUMBER() OVER (ORDER BY ordinal, first, key) AS position FROM rows)
) ORDER BY place, position
"""


@contextmanager
def layout(
    ledger: Ledger,
    keys: Iterable[str] | None = None,
    *,
    on: TimePoint | None = None,
    title: str | None = None,
) -> Iterator[Layout]:
    """The picture of :func:`gather` laid out in bounded memory, for writing.

    Raises UnknownProposition for a key in ``keys`` with no recorded report.
    """
    when: TimePoint = datetime.now(UTC) if on is None else on
    cutoff = _time.cutoff(when, "on")
    with _spool.spool() as scratch:
        scratch.execute(
            "CREATE TABLE rows (ordinal INTEGER, first INTEGER, key TEXT, "
            "question TEXT, data BLOB)"
        )
        scratch.execute("CREATE TABLE instants (at INTEGER PRIMARY KEY)")
        counts = [0, 0, 0]
        bounds: list[datetime] = []

        def laid_out() -> Iterator[tuple[int, int, str, str | None, bytes]]:
            for ordinal, row in enumerate(_rows(ledger, keys, cutoff)):
                counts[0] += 1
                counts[1] += len(row.marks)
                counts[2] += sum(mark.struck is not None for mark in row.marks)
                last = row.marks[-1].known_from
                bounds[:] = (
                    [row.first, last]
                    if not bounds
                    else [min(bounds[0], row.first), max(bounds[1], last)]
                )
                scratch.executemany(
                    "INSERT OR IGNORE INTO instants VALUES (?)",
                    ((micros(instant),) for instant in _instants(row)),
                )
                yield (
                    0 if keys is None else ordinal,
                    micros(row.first),
                    row.key,
                    row.question or None,
                    pickle.dumps(row, pickle.HIGHEST_PROTOCOL),
                )

        _spool.insert(scratch, "rows", laid_out())
        if on is not None:
            scratch.execute(
                "INSERT OR IGNORE INTO instants VALUES (?)",
                (micros(cutoff),),
            )
        instants = (
            from_micros(at)
            for at in _spool.rows(scratch, "SELECT at FROM instants ORDER BY at")
        )
        yield Layout(
            on=when,
            cutoff=cutoff,
            title=title or _default_title(bounds, when),
            segments=_stretches(instants),
            cursor=(cutoff if on is not None or not bounds else bounds[1]).date(),
            propositions=counts[0],
            reports=counts[1],
            struck=counts[2],
            scratch=scratch,
        )


def _rows(
    ledger: Ledger, keys: Iterable[str] | None, cutoff: datetime
) -> Iterator[Row]:
    """The row of each proposition with a report known by ``cutoff``, by key."""
    chosen: Iterator[tuple[str, Sequence[Entry]]]
    if keys is None:
        chosen = ledger.histories()
    else:
        chosen = ((key, ledger.history(key)) for key in dict.fromkeys(keys))
    for key, entries in chosen:
        row = _row(key, entries, cutoff, ledger.policy)
        if row is not None:
            yield row


def _instants(row: Row) -> Iterator[datetime]:
    for mark in row.marks:
        yield mark.known_from
        if mark.occurred_at is not None:
            yield _time.start(mark.occurred_at)


def _row(
    key: str, every: Sequence[Entry], cutoff: datetime, policy: BeliefPolicy
) -> Row | None:
    entries = [e for e in every if e.report.known_from <= cutoff]
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
    # A status at an instant depends only on the reports known by then, so the
    # periods of the reports known by the cutoff are the periods up to it.
    standing = projections.active_reports(entries, recorded=None)
    periods = tuple(
        (_time.start(period.since), period.status)
        for period in projections.status_periods(key, standing, policy)
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


def segments(instants: Iterable[datetime]) -> tuple[tuple[datetime, datetime], ...]:
    """The stretches of time to draw around ``instants``, long empty gaps folded.

    A gap longer than a tenth of the whole span (and than 60 days) is left out;
    each stretch is padded by a hundredth of the span (at least a week).
    """
    return _stretches(iter(sorted(set(instants))))


def _stretches(ordered: Iterator[datetime]) -> tuple[tuple[datetime, datetime], ...]:
    """:func:`segments` of instants given sorted and distinct, read once.

    The gaps kept between stretches depend on the whole span, so the stretches
    are first cut at every gap longer than the smallest gap that could ever be
    folded (60 days) and then joined where the span's own gap is not exceeded:
    memory holds the long gaps, not the instants.
    """
    first = next(ordered, None)
    if first is None:
        today = datetime.combine(date.today(), datetime.min.time(), tzinfo=UTC)
        return ((today - _MIN_PAD, today + _MIN_PAD),)
    cut = [[first, first]]
    for instant in ordered:
        if instant - cut[-1][1] > _MIN_GAP:
            cut.append([instant, instant])
        else:
            cut[-1][1] = instant
    span = cut[-1][1] - cut[0][0]
    gap = max(span * _GAP_SHARE, _MIN_GAP)
    pad = max(span * _PAD_SHARE, _MIN_PAD)
    stretches = [cut[0]]
    for start, end in cut[1:]:
        if start - stretches[-1][1] > gap:
            stretches.append([start, end])
        else:
            stretches[-1][1] = end
    return tuple((start - pad, end + pad) for start, end in stretches)


def _default_title(bounds: Sequence[datetime], on: TimePoint) -> str:
    """The title from the first and last report known, or that none was."""
    if not bounds:
        return f"Belief timeline: no reports known by {time_text(on)}"
    start = bounds[0].date().isoformat()
    end_text = bounds[1].date().isoformat()
    period = start if start == end_text else f"{start} to {end_text}"
    return f"Belief timeline, {period}"
