"""Pictures of a ledger: a belief timeline page, a static image, notebook views.

``html_page(ledger)`` returns one self-contained HTML page (no network): per
proposition a band over knowledge time coloured by status, a marker per report,
when the thing reportedly happened, and a date cursor that shows what was
believed on any date. ``picture(ledger)`` gathers the same data as a
:class:`Picture`, which writes the page (``write_html``), a PNG or SVG image
through matplotlib (``write_image``, the ``png`` extra) and shows itself in
Jupyter. ``docs/report.md`` describes the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO

from ledger._time import TimePoint
from ledger.application import Ledger
from ledger.report import _html
from ledger.report._data import Mark, Picture, Row, gather, layout
from ledger.values import Belief

__all__ = [
    "Mark",
    "Picture",
    "Row",
    "belief_html",
    "html_page",
    "ledger_html",
    "picture",
    "write_html_page",
]


def picture(
    ledger: Ledger,
    keys: Iterable[str] | None = None,
    *,
    on: TimePoint | None = None,
    title: str | None = None,
) -> Picture:
    """The picture of ``ledger`` as known by ``on`` (default: now).

    ``keys`` chooses propositions, in that order (default: every proposition
    with a report by ``on``, by first report); propositions that answer one
    question are drawn together. ``title`` defaults to the span of the reports.
    Raises UnknownProposition for a key in ``keys`` with no recorded report.
    In Jupyter a picture shows itself as the page, in a frame.
    """
    return gather(ledger, keys, on=on, title=title)


def html_page(
    ledger: Ledger,
    keys: Iterable[str] | None = None,
    *,
    on: TimePoint | None = None,
    title: str | None = None,
) -> str:
    """The belief timeline of ``ledger`` as one self-contained HTML page.

    The arguments are those of :func:`picture`; ``ledger report --html`` writes
    the same page.
    """
    return picture(ledger, keys, on=on, title=title).html()


def write_html_page(
    ledger: Ledger,
    out: IO[str],
    keys: Iterable[str] | None = None,
    *,
    on: TimePoint | None = None,
    title: str | None = None,
) -> tuple[int, int]:
    """Write the page of :func:`html_page` to ``out``; return (propositions, reports).

    The page is written a row at a time, its rows laid out in a scratch database
    on disk, so memory holds one proposition's reports at a time however big
    the ledger (``ledger report --html`` uses it).
    """
    with layout(ledger, keys, on=on, title=title) as laid:
        _html.write_layout(laid, out)
        return laid.propositions, laid.reports


def belief_html(belief: Belief) -> str:
    """A belief as a small HTML card (``Belief._repr_html_`` in Jupyter)."""
    return _html.belief_card(belief)


def ledger_html(ledger: Ledger) -> str:
    """A summary of ``ledger`` as a small HTML card (``Ledger._repr_html_``)."""
    reports = sum(1 for _ in ledger.entries())
    return _html.summary_card(
        ledger.statuses(on=datetime.now(UTC)), len(ledger.propositions()), reports
    )
