"""Whole-ledger output written in bounded memory gives what the in-memory code gave.

``ledger changes`` sorts its changes, ``ledger report --html`` lays out its rows
and every human table measures its columns in a scratch database (``_spool``)
instead of in memory. These properties compare each with a plain in-memory
reference written here: the same answers, in the same order.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ledger import Ledger, Report, _time
from ledger import strategies as ls
from ledger.cli import _changes
from ledger.projections import Period
from ledger.report import html_page, picture, write_html_page
from ledger.report._data import segments
from ledger.values import Status

FAR = datetime(2200, 1, 1, tzinfo=UTC)
QUESTIONS = st.sampled_from([None, "who-did-it", "when-did-it-happen"])


@st.composite
def ledgers_with_questions(draw: st.DrawFn) -> list[Report]:
    """A ledger's reports, some propositions answering one of two questions."""
    reports = draw(
        ls.ledger_reports(
            max_size=25,
            max_propositions=6,
            # A few days, so first reports interleave and changes coincide.
            reported_at=st.dates(
                min_value=date(2017, 6, 1), max_value=date(2017, 6, 9)
            ),
        )
    )
    keys = sorted({report.proposition for report in reports})
    answers = dict(
        zip(
            keys,
            draw(st.lists(QUESTIONS, min_size=len(keys), max_size=len(keys))),
            strict=True,
        )
    )
    return [
        report.replace(question=answers[report.proposition])
        if draw(st.booleans())
        else report
        for report in reports
    ]


def filled(reports: Sequence[Report]) -> Ledger:
    """An in-memory ledger holding ``reports``."""
    ledger = Ledger()
    ledger.record_all(reports)
    return ledger


def reference_order(ledger: Ledger) -> list[str]:
    """The rows' order as the page was first written, from the Python API.

    By first report, then key; those answering one question together, where
    the first of them stood.
    """
    firsts = []
    for key in ledger.propositions():
        entries = ledger.history(key)
        first = min(entry.report.known_from for entry in entries)
        question = next((e.report.question for e in entries if e.report.question), None)
        firsts.append((first, key, question))
    firsts.sort(key=lambda row: (row[0], row[1]))
    groups: dict[object, list[str]] = {}
    for index, (_, key, question) in enumerate(firsts):
        groups.setdefault(question or ("alone", index), []).append(key)
    return [key for group in groups.values() for key in group]


def reference_segments(
    instants: Sequence[datetime],
) -> tuple[tuple[datetime, datetime], ...]:
    """Stretches in one pass over every instant in memory (the first algorithm)."""
    ordered = sorted(set(instants))
    span = ordered[-1] - ordered[0]
    gap = max(span * 0.1, timedelta(days=60))
    pad = max(span * 0.01, timedelta(days=7))
    stretches = [[ordered[0], ordered[0]]]
    for instant in ordered[1:]:
        if instant - stretches[-1][1] > gap:
            stretches.append([instant, instant])
        else:
            stretches[-1][1] = instant
    return tuple((a - pad, b + pad) for a, b in stretches)


@given(ledgers_with_questions())
def test_rows_come_in_the_order_of_first_report_grouped_by_question(
    reports: list[Report],
) -> None:
    """The laid-out rows are those of the in-memory reference, in its order."""
    with filled(reports) as ledger:
        drawn = picture(ledger, on=FAR)
        assert [row.key for row in drawn.rows] == reference_order(ledger)


@given(
    st.lists(
        st.datetimes(
            min_value=datetime(1900, 1, 1),
            max_value=datetime(2100, 1, 1),
            timezones=st.just(UTC),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_segments_read_once_equal_the_first_algorithm(
    instants: list[datetime],
) -> None:
    """Cutting at 60 days first, then joining, gives the one-pass stretches."""
    assert segments(instants) == reference_segments(instants)


@given(ledgers_with_questions(), st.booleans())
def test_a_page_written_row_by_row_is_the_picture_page(
    reports: list[Report], limited: bool
) -> None:
    """``ledger report --html``'s streamed page is the page of the picture."""
    on = datetime(2022, 1, 1, tzinfo=UTC) if limited else None
    with filled(reports) as ledger:
        expected = html_page(ledger, on=on or FAR)
        out = io.StringIO()
        shown = write_html_page(ledger, out, on=on or FAR)
        drawn = picture(ledger, on=on or FAR)
    assert out.getvalue() == expected
    assert shown == (len(drawn.rows), drawn.reports)
    data = json.loads(expected.split('id="ledger-data">')[1].split("</script>")[0])
    assert len(data["rows"]) == len({report.proposition for report in reports}) or (
        limited
    )
    used = {mark[2] for row in data["rows"] for mark in row["m"]}
    assert used == set(range(len(data["sources"])))


def _as_text(before: Status, period: Period) -> str:
    return json.dumps(
        [
            _time.isoformat(period.since),
            period.proposition,
            before.value,
            period.status.value,
        ]
    )


@given(
    ledgers_with_questions(),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(min_value=0, max_value=20 * 365),
)
def test_changes_sorted_on_disk_are_the_ledgers_changes(
    reports: list[Report], since: date, days: int
) -> None:
    """``ledger changes`` gives ``Ledger.changes`` in the same order."""
    until = since + timedelta(days=days)
    with filled(reports) as ledger:
        expected: list[Any] = [
            [_time.isoformat(c.at), c.proposition, c.before.value, c.after.value]
            for c in ledger.changes(since=since, until=until)
        ]
        found = [
            json.loads(text) for text in _changes(ledger, since, until, None, _as_text)
        ]
    assert found == expected
