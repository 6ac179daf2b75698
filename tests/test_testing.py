"""ledger.testing: the reference model, the ledger state machine, the policy contract."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from ledger import (
    Kind,
    LatestDecisiveWord,
    Ledger,
    Report,
    Status,
    UnknownProposition,
    Verdict,
)
from ledger import strategies as ls
from ledger.policy import canonical_order
from ledger.testing import (
    LedgerMachine,
    ReferenceLedger,
    SQLiteLedgerMachine,
    check_policy,
)
from tests.backends import (
    drop_schema,
    fresh_postgres_schema,
    opened_backend,
    require_postgres,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY = "baghdadi-killed-raqqa-strike-2017"


def _report(kind: Kind, reported_at: date | datetime, **fields: object) -> Report:
    fields.setdefault("source", "Russian Ministry of Defence")
    return Report(kind=kind, proposition=KEY, reported_at=reported_at, **fields)  # type: ignore[arg-type]


# -- the reference model, by example --------------------------------------------


def test_reference_model_follows_the_founding_case() -> None:
    """The model answers the Baghdadi case as the product brief says."""
    model = ReferenceLedger()
    claim = _report(Kind.CLAIMED, date(2017, 6, 16), occurred_at=date(2017, 5, 28))
    dispute = _report(Kind.DISPUTED, date(2017, 6, 16), source="US-led coalition")
    refutation = _report(Kind.REFUTED, date(2017, 9, 28), source="audio recording")
    for step, each in enumerate((claim, dispute, refutation)):
        model.record(each, recorded_at=NOW + timedelta(seconds=step))
    on_20_june = model.belief(KEY, on=date(2017, 6, 20))
    assert (on_20_june.status, on_20_june.since) == (Status.DISPUTED, date(2017, 6, 16))
    assert on_20_june.occurred_at == date(2017, 5, 28)
    assert model.belief(KEY, on=date(2017, 10, 1)).status is Status.REFUTED
    assert [b.status for b in model.timeline(KEY)] == [Status.DISPUTED, Status.REFUTED]
    assert model.belief(KEY, on=date(2017, 6, 15)).status is Status.UNKNOWN


def test_reference_model_audits_by_recorded_time() -> None:
    """A strike hides a report from then on, never before."""
    model = ReferenceLedger()
    claim = _report(Kind.CLAIMED, date(2017, 6, 16))
    model.record(claim, recorded_at=NOW)
    model.strike(
        claim.report_id, reason="entered by mistake", recorded_at=NOW + timedelta(1)
    )
    assert model.belief(KEY, on=date(2018, 1, 1)).status is Status.UNKNOWN
    before = model.belief(KEY, on=date(2018, 1, 1), recorded=NOW)
    assert before.status is Status.CLAIMED
    with pytest.raises(UnknownProposition):
        model.history(KEY, recorded=NOW - timedelta(1))


def test_reference_model_keeps_since_through_repeated_words() -> None:
    """A second confirmation does not move since: the status held without interruption."""
    model = ReferenceLedger()
    reports = [
        _report(Kind.CLAIMED, date(2019, 10, 27)),
        _report(Kind.CONFIRMED, date(2019, 10, 27), source="US"),
        _report(Kind.CONFIRMED, date(2019, 10, 31), source="IS"),
    ]
    for step, each in enumerate(reports):
        model.record(each, recorded_at=NOW + timedelta(seconds=step))
    belief = model.belief(KEY, on=date(2020, 1, 1))
    assert (belief.status, belief.since) == (Status.CONFIRMED, date(2019, 10, 27))


@given(ls.ledger_reports(max_size=12), ls.report_times(), ls.report_times())
def test_reference_model_agrees_with_the_ledger(
    reports: list[Report], on: date | datetime, by: date | datetime
) -> None:
    """On whole generated ledgers, the model and a Ledger give the same answers."""
    model = ReferenceLedger()
    with Ledger() as ledger:
        ledger.record_all(reports)
        for entry in ledger.entries():
            model.record(entry.report, recorded_at=entry.recorded_at)
        assert ledger.beliefs(on=on) == model.beliefs(on=on)
        assert ledger.occurred(by=by, on=on) == model.occurred(by=by, on=on)
        for key in ledger.propositions():
            assert ledger.timeline(key) == model.timeline(key)


# -- the state machine on every backend --------------------------------------------

TestMemoryLedger = LedgerMachine.TestCase
TestSQLiteLedger = SQLiteLedgerMachine.TestCase
# Every SQLite write commits to disk: shorter runs keep the suite quick.
TestSQLiteLedger.settings = settings(stateful_step_count=25)


class PostgresLedgerMachine(LedgerMachine):
    """The machine on a fresh PostgreSQL schema per run."""

    def make_target(self) -> str:
        """A URL naming a new schema (the ledger creates it)."""
        return fresh_postgres_schema(require_postgres())

    def open_ledger(self, target: str | None) -> Ledger:
        """The ledger at ``target``, checked to be on the PostgreSQL server."""
        ledger = super().open_ledger(target)
        assert opened_backend(ledger) == "postgres"
        return ledger

    def remove_target(self, target: str) -> None:
        """Drop the run's schema."""
        drop_schema(target)


TestPostgresLedger = pytest.mark.postgres(PostgresLedgerMachine.TestCase)
# Every step is a round trip to the server: shorter runs keep the suite quick.
TestPostgresLedger.settings = settings(
    stateful_step_count=20, suppress_health_check=[HealthCheck.too_slow]
)


# -- custom policies through the machine -------------------------------------------


class Majority:
    """Confirmed or refuted by the larger number of decisive reports; ties disputed."""

    def decide(self, reports: Sequence[Report]) -> Verdict:
        """Count the decisive reports; without any, disputes make it disputed."""
        if not reports:
            return Verdict(Status.UNKNOWN)
        counts = Counter(r.kind for r in reports)
        confirmed, refuted = counts[Kind.CONFIRMED], counts[Kind.REFUTED]
        if confirmed or refuted:
            if confirmed == refuted:
                status, kinds = Status.DISPUTED, {Kind.CONFIRMED, Kind.REFUTED}
            elif confirmed > refuted:
                status, kinds = Status.CONFIRMED, {Kind.CONFIRMED}
            else:
                status, kinds = Status.REFUTED, {Kind.REFUTED}
        elif counts[Kind.DISPUTED]:
            status, kinds = Status.DISPUTED, {Kind.DISPUTED}
        else:
            status, kinds = Status.CLAIMED, {Kind.CLAIMED}
        return Verdict(
            status, tuple(canonical_order([r for r in reports if r.kind in kinds]))
        )

    def __repr__(self) -> str:
        return "Majority()"


class MajorityMachine(LedgerMachine):
    """The machine with a custom policy on both the ledger and the model."""

    policy = Majority()


TestMajorityLedger = MajorityMachine.TestCase


# -- the policy contract ------------------------------------------------------------

# Fixed searches, so that finding each broken policy does not depend on luck;
# where only failing matters, without the (slow) shrinking.
QUICK = settings(max_examples=100, database=None, derandomize=True)
UNSHRUNK = settings(QUICK, phases=[Phase.explicit, Phase.generate])


@pytest.mark.parametrize("policy", [LatestDecisiveWord(), Majority()], ids=repr)
def test_sound_policies_meet_the_contract(policy: object) -> None:
    """The default policy and a correct custom one pass every clause."""
    check_policy(policy)  # type: ignore[arg-type]


class FirstWordWins:
    """Broken: whatever report comes first in the list decides."""

    def decide(self, reports: Sequence[Report]) -> Verdict:
        """Take the first report's kind as the status."""
        if not reports:
            return Verdict(Status.UNKNOWN)
        return Verdict(Status(reports[0].kind.value), (reports[0],))

    def __repr__(self) -> str:
        return "FirstWordWins()"


class CoinFlip(LatestDecisiveWord):
    """Broken: flips a confirmation into a refutation now and then."""

    def __init__(self) -> None:
        self.random = random.Random(0)

    def decide(self, reports: Sequence[Report]) -> Verdict:
        """The default verdict, with confirmed turned refuted at random."""
        verdict = super().decide(reports)
        if verdict.status is Status.CONFIRMED and self.random.random() < 0.5:
            return Verdict(Status.REFUTED, verdict.decided_by, verdict.challenges)
        return verdict

    def __repr__(self) -> str:
        return "CoinFlip()"


class AlwaysClaimed:
    """Broken: claimed even with no reports at all."""

    def decide(self, reports: Sequence[Report]) -> Verdict:
        """Claimed, decided by every report."""
        return Verdict(Status.CLAIMED, tuple(canonical_order(reports)))

    def __repr__(self) -> str:
        return "AlwaysClaimed()"


class Forgetful(LatestDecisiveWord):
    """Broken: remembers the first verdict about each proposition, forever."""

    def __init__(self) -> None:
        self.seen: dict[str, Verdict] = {}

    def decide(self, reports: Sequence[Report]) -> Verdict:
        """The first verdict ever given for this proposition."""
        if not reports:
            return Verdict(Status.UNKNOWN)
        return self.seen.setdefault(reports[0].proposition, super().decide(reports))

    def __repr__(self) -> str:
        return "Forgetful()"


@pytest.mark.parametrize(
    ("policy", "clause"),
    [
        (FirstWordWins(), "order-independent"),
        (CoinFlip(), "deterministic"),
        (AlwaysClaimed(), "well-formed"),
        (Forgetful(), "well-formed"),
    ],
    ids=repr,
)
def test_the_contract_catches_broken_policies(policy: object, clause: str) -> None:
    """Each broken policy fails check_policy, at the clause it breaks."""
    with pytest.raises(AssertionError, match=rf"\({clause}\)"):
        check_policy(policy, settings=UNSHRUNK)  # type: ignore[arg-type]


def test_the_contract_catches_a_ledger_that_ignores_the_policy() -> None:
    """filter-then-fold fails when the ledger does not use the policy it was given."""
    with pytest.raises(AssertionError, match=r"\(filter-then-fold\)"):
        check_policy(Majority(), settings=UNSHRUNK, make_ledger=lambda _: Ledger())


def test_the_machine_catches_a_ledger_that_forgets_strikes() -> None:
    """The state machine is not vacuous: a ledger that ignores strikes fails it."""

    class Unstruck(Ledger):
        def strike(self, report_id: str, *, reason: str) -> bool:
            if report_id not in {e.report.report_id for e in self.entries()}:
                return super().strike(report_id, reason=reason)
            return True

    class Careless(LedgerMachine):
        def open_ledger(self, target: str | None) -> Ledger:
            return Unstruck()

    Careless.TestCase.settings = settings(UNSHRUNK, max_examples=300)
    with pytest.raises(AssertionError):
        Careless.TestCase("runTest").runTest()
