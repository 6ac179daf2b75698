"""The materialised belief view: exactly once, resumable, equal to a replay."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Kind, Ledger, Report, Status, Verdict
from ledger import view as view_module
from ledger.projections import periods
from ledger.strategies import ledger_reports, report_times
from ledger.view import (
    _KIND_CODE,
    _STATUS_CODE,
    FOREVER,
    BeliefView,
    _Fold,
    _fold_rows,
    _policy_name,
    micros,
    text_id,
)
from tests.backends import fresh_ledger, require_postgres

OpenLedger = Callable[[], Ledger]
KEY = "baghdadi-killed-raqqa-strike-2017"


def view_of(ledger: Ledger) -> BeliefView:
    """The view behind a ledger (every backend has one)."""
    return ledger._view


@pytest.fixture
def persistent(open_ledger: OpenLedger) -> Ledger:
    """A fresh ledger on each backend."""
    return open_ledger()


def snapshot(ledger: Ledger) -> Any:
    """Every answer the ledger gives, at a spread of dates."""
    days = [date(2016, 1, 1), date(2017, 6, 16), date(2017, 9, 28), date(2030, 1, 1)]
    keys = ledger.propositions()
    return (
        keys,
        [ledger.beliefs(on=day) for day in days],
        [ledger.timeline(key) for key in keys],
        [ledger.history(key) for key in keys],
    )


def test_view_tables_hold_reports_and_periods(persistent: Ledger) -> None:
    """The view holds each report once and the status periods."""
    persistent.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    persistent.refute(KEY, source="IS", reported_at=date(2017, 9, 28))
    view = view_of(persistent)
    assert view.count() == 2
    assert len(view.entries(KEY)) == 2
    assert [status for _, _, status in view.periods(KEY)] == [
        Status.CLAIMED,
        Status.REFUTED,
    ]
    assert view.statuses(persistent.history(KEY)[0].report.known_from) == {
        KEY: Status.CLAIMED
    }
    assert view.statuses(persistent.history(KEY)[1].report.known_from) == {
        KEY: Status.REFUTED
    }


def test_a_failed_write_leaves_events_and_view_as_they_were(
    persistent: Ledger,
) -> None:
    """Events, view rows and position are one transaction: a failure keeps none."""
    persistent.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    view = view_of(persistent)
    position, before = view.position(), view.entries(KEY)
    events = len(persistent._app.recorder.select_notifications(start=1, limit=10))
    report = Report(
        kind="refuted", proposition=KEY, source="IS", reported_at=date(2017, 9, 28)
    )

    def killed_mid_write() -> None:
        with view.writing() as writer:
            assert writer.record([report]) == 1
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        killed_mid_write()
    assert view.position() == position
    assert view.entries(KEY) == before
    assert (
        len(persistent._app.recorder.select_notifications(start=1, limit=10)) == events
    )


def test_another_ledger_object_catches_the_view_up(
    open_ledger: OpenLedger, persistent: Ledger
) -> None:
    """Events recorded elsewhere are projected by whoever reads next."""
    persistent.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    other = open_ledger()
    other.dispute(KEY, source="US", reported_at=date(2017, 6, 17))
    assert view_of(persistent).position() == view_of(other).position()
    assert persistent.belief(KEY, on=date(2017, 7, 1)).status is Status.DISPUTED


def test_rebuild_gives_the_same_answers(persistent: Ledger) -> None:
    """Rebuilding the view from the events reproduces every answer."""
    rid = persistent.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    persistent.refute(KEY, source="IS", reported_at=date(2017, 9, 28))
    persistent.strike(rid, reason="duplicate")
    before = snapshot(persistent)
    assert persistent.rebuild_view() == 3
    assert snapshot(persistent) == before


def test_rebuild_of_a_memory_ledger_refolds_its_events() -> None:
    """An in-memory ledger has the same view, and rebuilds it the same way."""
    ledger = Ledger()
    ledger.claim(KEY, source="RU", reported_at=date(2017, 6, 16))
    before = snapshot(ledger)
    assert ledger.rebuild_view() == 1
    assert snapshot(ledger) == before


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports=ledger_reports(max_size=15, plausible=False))
def test_rebuilt_view_equals_replay_property(
    backend: str, reports: list[Report]
) -> None:
    """For any reports and strikes, a rebuilt view answers as an in-memory replay."""
    replay = Ledger()
    replay.record(*reports)
    for report in reports[::3]:
        replay.strike(report.report_id, reason="every third is a mistake")
    with fresh_ledger(backend) as ledger:
        ledger.record(*reports)
        for report in reports[::3]:
            ledger.strike(report.report_id, reason="every third is a mistake")
        ledger.rebuild_view(batch_size=4)
        expected, got = snapshot(replay), snapshot(ledger)
        # recorded_at differs between the two ledgers; compare the rest.
        assert got[:3] == expected[:3]
        assert [[e.report for e in h] for h in got[3]] == [
            [e.report for e in h] for h in expected[3]
        ]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports=ledger_reports(max_size=15, plausible=False), data=st.data())
def test_statuses_equal_the_statuses_of_beliefs(
    backend: str, reports: list[Report], data: st.DataObject
) -> None:
    """statuses(on=D) is beliefs(on=D) without the evidence, on every backend."""
    struck = (
        data.draw(st.lists(st.sampled_from(reports), max_size=3)) if reports else []
    )
    days = data.draw(st.lists(report_times(), min_size=1, max_size=4))
    with fresh_ledger(backend) as ledger:
        ledger.record(*reports)
        for report in struck:
            ledger.strike(report.report_id, reason="mistake")
        for day in days + [r.reported_at for r in reports]:
            expected = {b.proposition: b.status for b in ledger.beliefs(on=day)}
            got = ledger.statuses(on=day)
            assert got == expected
            assert list(got) == sorted(expected)  # by key, as Python sorts text
        # The stored periods tile knowledge time, and are the fold's periods.
        for key in ledger.propositions():
            spans = view_of(ledger).periods(key)
            assert [stop for _, stop, _ in spans] == [
                *(start for start, _, _ in spans[1:]),
                *([FOREVER] if spans else []),
            ]
            reports = [e.report for e in ledger.history(key) if e.strike is None]
            assert [
                (micros(start), status)
                for start, status in periods(reports, ledger.policy)
            ] == [(start, status) for start, _, status in spans]


@pytest.mark.parametrize("whole_refold", [64, 0], ids=["whole", "partial"])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports=ledger_reports(max_size=15, plausible=False), data=st.data())
def test_the_stored_folds_are_those_of_the_held_reports(
    backend: str, whole_refold: int, reports: list[Report], data: st.DataObject
) -> None:
    """However reports arrive, each stored fold is its held reports' fold from scratch.

    Any order, any batches, strikes in between: the view's incremental path,
    its skipping of late reports that change no status and its refolds (from
    the first report, or with ``partial``, from the instant a batch changes)
    leave each proposition's fold and periods as folding its held reports
    afresh gives them.
    """
    shuffled = data.draw(st.permutations(reports))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(reports)), max_size=4)))
    with (
        mock.patch.object(view_module, "_WHOLE_REFOLD", whole_refold),
        fresh_ledger(backend) as ledger,
    ):
        recorded: list[Report] = []
        for start, end in zip([0, *cuts], [*cuts, len(reports)], strict=True):
            ledger.record(*shuffled[start:end])
            recorded += shuffled[start:end]
            if data.draw(st.booleans()) and recorded:
                struck = data.draw(st.sampled_from(recorded))
                ledger.strike(struck.report_id, reason="mistake")
        view = view_of(ledger)
        view._folds.clear()  # the stored folds, not those cached by the writes
        for key in ledger.propositions():
            held = [e.report for e in ledger.history(key) if e.strike is None]
            expected = _Fold.empty()
            rows = sorted((micros(r.known_from), _KIND_CODE[r.kind]) for r in held)
            periods_ = _fold_rows(expected, rows)
            with view.store.reading() as cursor:
                stored = view._fold_of(cursor, [text_id(key)])[text_id(key)]
            assert (
                stored.first_known,
                stored.decisive_at,
                stored.kinds,
                stored.disputed_at,
                stored.status,
                stored.period_start,
            ) == (
                expected.first_known,
                expected.decisive_at,
                expected.kinds,
                expected.disputed_at,
                expected.status,
                expected.period_start,
            )
            # Later than every held report: the next batch refolds when it must.
            assert stored.last_known >= expected.last_known
            assert [
                (start, _STATUS_CODE[status]) for start, _, status in view.periods(key)
            ] == periods_.rows


def _said(kind: Kind, day: int, source: str = "s") -> Report:
    return Report(
        kind=kind, proposition=KEY, source=source, reported_at=date(2017, 6, day)
    )


@pytest.mark.parametrize(
    ("late", "status_on_the_4th"),
    [
        # Changes no status: refolding would give the same periods.
        (_said(Kind.CLAIMED, 2), Status.CONFIRMED),
        (_said(Kind.DISPUTED, 4), Status.CONFIRMED),
        (_said(Kind.CONFIRMED, 3, "t"), Status.CONFIRMED),
        # Changes one: before the first report, or a second decisive kind at
        # the latest decisive instant, or an earlier decisive word.
        (_said(Kind.CLAIMED, 1), Status.CONFIRMED),
        (_said(Kind.REFUTED, 3), Status.DISPUTED),
        (_said(Kind.REFUTED, 4), Status.REFUTED),
    ],
)
def test_a_late_report_changes_the_periods_it_must(
    persistent: Ledger, late: Report, status_on_the_4th: Status
) -> None:
    """A report earlier than the last one known leaves the periods a replay gives."""
    persistent.record(
        _said(Kind.CLAIMED, 2), _said(Kind.DISPUTED, 3, "d"), _said(Kind.CONFIRMED, 3)
    )
    persistent.record(_said(Kind.CLAIMED, 5))
    persistent.record(late)
    assert persistent.statuses(on=date(2017, 6, 4)) == {KEY: status_on_the_4th}
    reports = [entry.report for entry in persistent.history(KEY)]
    assert [
        (start, status) for start, _, status in view_of(persistent).periods(KEY)
    ] == [
        (micros(start), status) for start, status in periods(reports, persistent.policy)
    ]


@pytest.mark.parametrize(
    ("first", "then"),
    [
        # The first period is claimed and the last: it starts earlier.
        ([_said(Kind.CLAIMED, 3)], [_said(Kind.CLAIMED, 1, "t")]),
        # ... and a later report in the same batch ends it.
        (
            [_said(Kind.CLAIMED, 3)],
            [_said(Kind.CLAIMED, 1, "t"), _said(Kind.REFUTED, 6)],
        ),
        # The first period is claimed, not the last.
        (
            [_said(Kind.CLAIMED, 3), _said(Kind.CONFIRMED, 5)],
            [_said(Kind.CLAIMED, 2, "t"), _said(Kind.CLAIMED, 1, "u")],
        ),
        # The first period is disputed: a claimed one comes before it.
        (
            [_said(Kind.DISPUTED, 3), _said(Kind.CLAIMED, 5)],
            [_said(Kind.CLAIMED, 1, "t"), _said(Kind.CONFIRMED, 7)],
        ),
        # The first is confirmed (the only period), then claims come before it.
        ([_said(Kind.CONFIRMED, 3)], [_said(Kind.CLAIMED, 2, "t")]),
    ],
)
def test_claims_before_the_first_report_change_only_what_precedes_it(
    persistent: Ledger, first: list[Report], then: list[Report]
) -> None:
    """Claims earlier than every report known: no refold, the periods of a replay."""
    persistent.record(*first)
    real = BeliefView._refold_many
    refolded: list[Any] = []

    def counted(self: BeliefView, cursor: Any, items: Any) -> Any:
        refolded.extend(items)
        return real(self, cursor, items)

    with mock.patch.object(BeliefView, "_refold_many", counted):
        persistent.record(*then)
    assert refolded == []
    reports = [entry.report for entry in persistent.history(KEY)]
    expected = [
        (micros(start), status) for start, status in periods(reports, persistent.policy)
    ]
    view = view_of(persistent)
    assert [(start, status) for start, _, status in view.periods(KEY)] == expected
    view._folds.clear()
    with view.store.reading() as cursor:
        stored = view._fold_of(cursor, [text_id(KEY)])[text_id(KEY)]
    assert (stored.first_known, stored.period_start, stored.status) == (
        micros(min(report.known_from for report in reports)),
        expected[-1][0],
        _STATUS_CODE[expected[-1][1]],
    )


class AlwaysClaimed:
    """A policy that ignores everything but the existence of reports."""

    def decide(self, reports: Sequence[Report]) -> Verdict:
        """Claimed whenever there is a report."""
        return Verdict(Status.CLAIMED if reports else Status.UNKNOWN, tuple(reports))

    def __repr__(self) -> str:
        return "AlwaysClaimed()"


def test_reopening_with_another_policy_recomputes_the_periods(tmp_path: Path) -> None:
    """A view's periods follow the policy the ledger is opened with."""
    path = tmp_path / "c.db"
    with Ledger.open(path) as ledger:
        ledger.refute(KEY, source="IS", reported_at=date(2017, 9, 28))
        assert ledger.statuses(on=date(2018, 1, 1)) == {KEY: Status.REFUTED}
    with Ledger.open(path, policy=AlwaysClaimed()) as ledger:
        assert ledger.statuses(on=date(2018, 1, 1)) == {KEY: Status.CLAIMED}
    with Ledger.open(path) as ledger:
        assert ledger.statuses(on=date(2018, 1, 1)) == {KEY: Status.REFUTED}


def test_a_policy_without_repr_has_a_stable_name() -> None:
    """Periods are not recomputed on every open just because a repr has an address."""

    class Plain:
        def decide(self, reports: Sequence[Report]) -> Verdict:
            return Verdict(Status.UNKNOWN)

    assert _policy_name(Plain()) == _policy_name(Plain())
    assert _policy_name(AlwaysClaimed()) == "AlwaysClaimed()"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reports=ledger_reports(max_size=12, plausible=False), data=st.data())
def test_statuses_equal_beliefs_under_earned_trust(
    reports: list[Report], data: st.DataObject
) -> None:
    """Under Opinions with earned trust (a policy that differs by date), statuses agree."""
    from ledger import Opinions

    days = data.draw(st.lists(report_times(), min_size=1, max_size=3))
    ledger = Ledger(policy=Opinions(trust="earned"))
    ledger.record(*reports)
    for day in days + [r.reported_at for r in reports]:
        expected = {b.proposition: b.status for b in ledger.beliefs(on=day)}
        assert ledger.statuses(on=day) == expected


def test_statuses_follow_earned_trust_as_beliefs_do() -> None:
    """Two sources with good records confirm p: confirmed under earned trust, in both."""
    from ledger import Opinions

    ledger = Ledger(policy=Opinions(trust="earned"))
    for n in range(6):
        for source in ("G1", "G2"):
            ledger.claim(f"q{n}-{source}", source=source, reported_at=date(2017, 1, 1))
            ledger.confirm(f"q{n}-{source}", source="X", reported_at=date(2017, 1, 2))
    for source in ("G1", "G2"):
        ledger.confirm("p", source=source, reported_at=date(2017, 2, 1))
    on = date(2017, 3, 1)
    assert ledger.belief("p", on=on).status is Status.CONFIRMED
    assert ledger.statuses(on=on)["p"] is Status.CONFIRMED
    # With every source trusted at 0.5 (no record yet), p is only claimed.
    assert (
        Ledger(policy=Opinions(trust=0.5))
        .policy.decide([e.report for e in ledger.history("p")])
        .status
        is Status.CLAIMED
    )


def test_a_large_postgres_write_analyses_the_tables_it_filled() -> None:
    """After 10,000 reports in one write, the planner has fresh statistics."""
    require_postgres()
    reports = [
        Report(
            kind=Kind.CLAIMED,
            proposition=f"p-{n % 500}",
            source="s",
            reported_at=date(2017, 1, 1) + timedelta(days=n % 3000),
            report_id=f"analysed-{n}",
        )
        for n in range(10_000)
    ]
    with fresh_ledger("postgres") as ledger:
        schema = ledger._view.store.name
        assert ledger.record_all(reports) == 10_000
        with ledger._view.store.reading() as cursor:
            cursor.execute(
                "SELECT relname, last_analyze FROM pg_stat_user_tables"
                " WHERE schemaname = %s",
                (schema,),
            )
            analysed = {
                row["relname"] for row in cursor.fetchall() if row["last_analyze"]
            }
    assert {"ledger_reports", "ledger_propositions", "ledger_periods"} <= analysed
