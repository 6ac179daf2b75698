"""Properties of the core ledger that hold for every set of reports."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import LatestDecisiveWord, Ledger, Report, Status, _time
from ledger.policy import canonical_order
from ledger.strategies import ledger_reports, report_times
from tests.backends import fresh_ledger as fresh

# The `backend` fixture is a plain string, the same for every example.
per_backend = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
histories = ledger_reports(max_size=12, plausible=False) | ledger_reports(max_size=12)


def query_times(reports: Sequence[Report]) -> list[Any]:
    """Times at and just around every report's time, as dates and datetimes."""
    times: list[Any] = []
    for report in reports:
        times.append(report.reported_at)
        times.append(report.known_from - timedelta(microseconds=1))
        times.append(report.known_from.date())
    times.append(datetime(1999, 1, 1, tzinfo=UTC))
    return times


def answers(ledger: Ledger, reports: Sequence[Report]) -> dict[str, Any]:
    """Everything the ledger says about the reports' propositions, at every query time."""
    keys = sorted({report.proposition for report in reports})
    return {
        "beliefs": [ledger.beliefs(on=when) for when in query_times(reports)],
        "timelines": [ledger.timeline(key) for key in keys],
        "history": [[entry.report for entry in ledger.history(key)] for key in keys],
    }


@per_backend
@given(reports=histories, data=st.data())
def test_order_and_batching_do_not_matter(
    backend: str, reports: list[Report], data: st.DataObject
) -> None:
    """The same set recorded in any order and any batch split gives the same answers."""
    shuffled = data.draw(st.permutations(reports))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(reports)), max_size=4)))
    with fresh("memory") as reference, fresh(backend) as ledger:
        reference.record(*reports)
        for start, end in zip([0, *cuts], [*cuts, len(reports)], strict=True):
            ledger.record(*shuffled[start:end])
        assert answers(ledger, reports) == answers(reference, reports)


@per_backend
@given(reports=histories, on=report_times())
def test_belief_is_the_policy_applied_to_the_reports_known_by_then(
    backend: str, reports: list[Report], on: Any
) -> None:
    """belief(on=D) equals the policy applied to exactly the reports reported by D."""
    cutoff = _time.cutoff(on, "on")
    with fresh(backend) as ledger:
        ledger.record(*reports)
        for key in {report.proposition for report in reports}:
            known = [
                r for r in reports if r.proposition == key and r.known_from <= cutoff
            ]
            verdict = LatestDecisiveWord().decide(canonical_order(known))
            belief = ledger.belief(key, on=on)
            assert belief.status is verdict.status
            assert belief.decided_by == verdict.decided_by
            assert belief.challenges == verdict.challenges
            assert set(belief.supporting) | set(belief.opposing) == set(known)


@per_backend
@given(reports=histories, later=histories, on=report_times())
def test_reports_after_a_date_never_change_the_answer_on_it(
    backend: str, reports: list[Report], later: list[Report], on: Any
) -> None:
    """Recording reports made after D leaves every belief on D unchanged."""
    cutoff = _time.cutoff(on, "on")
    held = {r.report_id for r in reports}
    after = [r for r in later if r.known_from > cutoff and r.report_id not in held]
    keys = {r.proposition for r in reports + after}
    with fresh(backend) as ledger:
        ledger.record(*reports)
        before = {key: ledger.belief(key, on=on) for key in keys}
        ledger.record(*after)
        assert {key: ledger.belief(key, on=on) for key in keys} == before


@per_backend
@given(reports=histories, later=histories, strikes=st.data())
def test_answers_as_recorded_at_t_never_change(
    backend: str, reports: list[Report], later: list[Report], strikes: st.DataObject
) -> None:
    """Answers with recorded=T stay the same whatever is recorded or struck after T."""
    held = {r.report_id for r in reports}
    more = [r for r in later if r.report_id not in held]
    with fresh(backend) as ledger:
        ledger.record(*reports)
        if not reports:
            return
        recorded_at = max(
            e.recorded_at for k in ledger.propositions() for e in ledger.history(k)
        )
        times = query_times(reports + more)

        def audit() -> Any:
            return [ledger.beliefs(on=when, recorded=recorded_at) for when in times]

        expected = audit()
        ledger.record(*more)
        for report in strikes.draw(st.lists(st.sampled_from(reports), max_size=3)):
            ledger.strike(report.report_id, reason="test strike")
        assert audit() == expected


@per_backend
@given(reports=histories)
def test_recording_twice_equals_recording_once(
    backend: str, reports: list[Report]
) -> None:
    """Recording every report a second time changes nothing, not even recorded_at."""
    with fresh(backend) as ledger:
        ledger.record(*reports)
        once = answers(ledger, reports)
        entries = list(ledger.entries())
        ledger.record(*reports, *reports)
        assert ledger.record_all(reports) == 0
        assert answers(ledger, reports) == once
        assert list(ledger.entries()) == entries


@given(reports=histories)
def test_timeline_agrees_with_belief(reports: list[Report]) -> None:
    """At every time, belief's status is the status of the timeline period holding then."""
    ledger = Ledger()
    ledger.record(*reports)
    for key in ledger.propositions():
        periods = ledger.timeline(key)
        for when in query_times(reports):
            cutoff = _time.cutoff(when, "on")
            started = [p for p in periods if p.since and _time.start(p.since) <= cutoff]
            expected = started[-1].status if started else Status.UNKNOWN
            belief = ledger.belief(key, on=when)
            assert belief.status is expected
            if started:
                assert belief.since == started[-1].since


@given(reports=histories, strikes=st.data())
def test_sqlite_equals_memory_and_survives_reopening(
    reports: list[Report], strikes: st.DataObject
) -> None:
    """A SQLite ledger answers as a memory one, and identically after reopening."""
    struck = (
        strikes.draw(st.lists(st.sampled_from(reports), max_size=2)) if reports else []
    )
    memory = Ledger()
    memory.record(*reports)
    for report in struck:
        memory.strike(report.report_id, reason="mistake")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.db"
        with Ledger.open(path) as ledger:
            ledger.record(*reports)
            for report in struck:
                ledger.strike(report.report_id, reason="mistake")
            assert answers(ledger, reports) == answers(memory, reports)
            entries = list(ledger.entries())
        with Ledger.open(path) as reopened:
            assert answers(reopened, reports) == answers(memory, reports)
            assert list(reopened.entries()) == entries
