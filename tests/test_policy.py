"""The default policy, "latest decisive word": every rule, transition and tie."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given

from ledger import Kind, LatestDecisiveWord, Ledger, Report, Status
from ledger.policy import canonical_order
from ledger.strategies import report_histories

KEY = "baghdadi-killed-raqqa-strike-2017"
POLICY = LatestDecisiveWord()


def report(
    kind: str, day: date | datetime, source: str = "s", **extra: object
) -> Report:
    """A report about KEY."""
    return Report(kind=kind, proposition=KEY, source=source, reported_at=day, **extra)  # type: ignore[arg-type]


D1, D2, D3 = date(2017, 6, 16), date(2017, 6, 20), date(2017, 9, 28)


@pytest.mark.parametrize(
    ("kinds_by_day", "expected"),
    [
        ([], Status.UNKNOWN),
        ([("claimed", D1)], Status.CLAIMED),
        ([("claimed", D1), ("claimed", D2)], Status.CLAIMED),
        ([("disputed", D1)], Status.DISPUTED),
        ([("claimed", D1), ("disputed", D2)], Status.DISPUTED),
        ([("disputed", D1), ("claimed", D2)], Status.DISPUTED),
        ([("confirmed", D1)], Status.CONFIRMED),
        ([("refuted", D1)], Status.REFUTED),
        ([("claimed", D1), ("disputed", D2), ("refuted", D3)], Status.REFUTED),
        ([("confirmed", D1), ("refuted", D2)], Status.REFUTED),
        ([("refuted", D1), ("confirmed", D2)], Status.CONFIRMED),
        ([("confirmed", D1), ("disputed", D2)], Status.CONFIRMED),
        ([("refuted", D1), ("claimed", D2)], Status.REFUTED),
        ([("confirmed", D1), ("confirmed", D2)], Status.CONFIRMED),
        ([("confirmed", D2), ("refuted", D2)], Status.DISPUTED),
        ([("confirmed", D1), ("refuted", D2), ("confirmed", D2)], Status.DISPUTED),
        ([("refuted", D1), ("confirmed", D2), ("confirmed", D3)], Status.CONFIRMED),
    ],
)
def test_status_rules(kinds_by_day: list[tuple[str, date]], expected: Status) -> None:
    """The four rules give the documented status for each pattern of reports."""
    reports = [
        report(kind, day, source=f"s{i}") for i, (kind, day) in enumerate(kinds_by_day)
    ]
    assert POLICY.decide(reports).status is expected


def test_same_instant_tie_across_date_and_datetime() -> None:
    """A confirmation dated 16 June and a refutation at 00:00 UTC that day tie."""
    confirm = report("confirmed", D1)
    refute = report("refuted", datetime(2017, 6, 16, tzinfo=UTC))
    verdict = POLICY.decide([confirm, refute])
    assert verdict.status is Status.DISPUTED
    assert set(verdict.decided_by) == {confirm, refute}


def test_decisive_word_lists_later_claims_and_disputes_as_challenges() -> None:
    """Claims and disputes after a refutation do not overturn it; they challenge it."""
    refute = report("refuted", D2, "IS audio")
    later_claim = report("claimed", D3, "Russian MoD")
    earlier_dispute = report("disputed", D1, "coalition")
    verdict = POLICY.decide([earlier_dispute, refute, later_claim])
    assert verdict.status is Status.REFUTED
    assert verdict.decided_by == (refute,)
    assert verdict.challenges == (later_claim,)


def test_decided_by_is_the_latest_decisive_word_only() -> None:
    """Only the decisive reports at the latest decisive instant decide."""
    old, new = report("confirmed", D1, "a"), report("confirmed", D2, "b")
    assert POLICY.decide([new, old]).decided_by == (new,)


def test_disputed_without_decisive_word_is_decided_by_the_disputes() -> None:
    """Without a decisive word, a dispute decides; claims are only support."""
    claim, dispute = report("claimed", D1, "a"), report("disputed", D2, "b")
    verdict = POLICY.decide([claim, dispute])
    assert verdict.decided_by == (dispute,)
    assert verdict.challenges == ()


def test_every_transition_through_a_ledger(ledger: Ledger) -> None:
    """The timeline walks unknown -> claimed -> disputed -> refuted -> confirmed."""
    ledger.claim(KEY, source="Russian MoD", reported_at=D1)
    ledger.dispute(KEY, source="US-led coalition", reported_at=D2)
    ledger.refute(KEY, source="IS audio recording", reported_at=D3)
    ledger.confirm(KEY, source="later inquiry", reported_at=date(2019, 1, 1))
    statuses = [(b.status, b.since) for b in ledger.timeline(KEY)]
    assert statuses == [
        (Status.CLAIMED, D1),
        (Status.DISPUTED, D2),
        (Status.REFUTED, D3),
        (Status.CONFIRMED, date(2019, 1, 1)),
    ]
    assert ledger.belief(KEY, on=date(2017, 6, 15)).status is Status.UNKNOWN
    assert ledger.belief(KEY, on=date(2018, 1, 1)).since == D3


def test_since_holds_across_reports_that_keep_the_status(ledger: Ledger) -> None:
    """A second confirmation keeps `since` at the first; decided_by moves on."""
    ledger.confirm(KEY, source="a", reported_at=D1)
    second = ledger.confirm(KEY, source="b", reported_at=D2)
    belief = ledger.belief(KEY, on=D3)
    assert belief.status is Status.CONFIRMED
    assert belief.since == D1
    assert [r.report_id for r in belief.decided_by] == [second]


def test_supporting_opposing_and_occurred_at(ledger: Ledger) -> None:
    """Support and opposition are split; occurred_at comes from the latest supporter."""
    ledger.claim(KEY, source="a", reported_at=D1, occurred_at=date(2017, 5, 28))
    ledger.dispute(KEY, source="b", reported_at=D2)
    ledger.claim(KEY, source="c", reported_at=D3, occurred_at=date(2017, 5, 29))
    ledger.claim(KEY, source="d", reported_at=date(2017, 10, 1))
    belief = ledger.belief(KEY, on=date(2018, 1, 1))
    assert [r.source for r in belief.supporting] == ["a", "c", "d"]
    assert [r.source for r in belief.opposing] == ["b"]
    assert belief.occurred_at == date(2017, 5, 29)
    assert ledger.belief(KEY, on=D2).occurred_at == date(2017, 5, 28)


def test_statement_is_the_latest_given(ledger: Ledger) -> None:
    """A belief carries the most recently reported statement."""
    ledger.claim(KEY, source="a", reported_at=D1, statement="killed in a strike")
    ledger.dispute(KEY, source="b", reported_at=D2)
    assert ledger.belief(KEY, on=D3).statement == "killed in a strike"


def test_kinds_know_their_direction() -> None:
    """Confirmed and refuted are decisive; claimed and confirmed support."""
    assert {k for k in Kind if k.decisive} == {Kind.CONFIRMED, Kind.REFUTED}
    assert {k for k in Kind if k.supports} == {Kind.CLAIMED, Kind.CONFIRMED}


@given(reports=report_histories(plausible=False, max_size=15))
def test_linear_status_fold_equals_decide_on_every_prefix(
    reports: list[Report],
) -> None:
    """LatestDecisiveWord.statuses agrees with decide() on each known-at-instant prefix."""
    ordered = canonical_order(reports)
    ends = [
        i
        for i in range(1, len(ordered) + 1)
        if i == len(ordered) or ordered[i].known_from != ordered[i - 1].known_from
    ]
    expected = [(end, POLICY.decide(ordered[:end]).status) for end in ends]
    assert POLICY.statuses(ordered) == expected
