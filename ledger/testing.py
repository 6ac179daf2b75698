"""Helpers for property-testing ledgers and belief policies with Hypothesis.

- :class:`ReferenceLedger`: a small, deliberately naive model of the product
  rules, to check answers against.
- :class:`LedgerMachine`: a Hypothesis state machine that records, strikes,
  reopens and queries a ledger at random times, comparing every answer with the
  reference model. Subclass it to point it at your backend or wrapper;
  :class:`SQLiteLedgerMachine` is ready made.
- :func:`check_policy`: the contract every belief policy must meet.

This module needs Hypothesis: ``pip install ledger-of-claims[hypothesis]``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar

import attrs
import hypothesis
import hypothesis.errors
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
)
from hypothesis.strategies import SearchStrategy

from ledger import Ledger, strategies
from ledger.analysis import bind_policy
from ledger.errors import (
    ConflictingReport,
    InvalidArgument,
    UnknownProposition,
    UnknownReport,
)
from ledger.policy import BeliefPolicy, Verdict
from ledger.values import (
    Belief,
    Change,
    Entry,
    Kind,
    Report,
    Status,
    Strike,
)

__all__ = [
    "LedgerMachine",
    "ReferenceLedger",
    "SQLiteLedgerMachine",
    "check_policy",
]

TimePoint = date | datetime

# The reference model restates the product rules on purpose instead of
# importing ledger._time, ledger.policy or ledger.projections: it is the
# independent second opinion those modules are checked against.

_KIND_RANK = {
    Kind.CLAIMED: 0,
    Kind.DISPUTED: 1,
    Kind.CONFIRMED: 2,
    Kind.REFUTED: 3,
}


def _known_from(value: TimePoint) -> datetime:
    """A report time as an instant: a date is known from 00:00 UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _until(value: TimePoint) -> datetime:
    """A query time as the last instant it includes: a date, its end (UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time.max, tzinfo=UTC)


def _canonical(reports: Iterable[Report]) -> tuple[Report, ...]:
    return tuple(
        sorted(
            reports,
            key=lambda r: (_known_from(r.reported_at), _KIND_RANK[r.kind], r.report_id),
        )
    )


def _latest_decisive_word(reports: Sequence[Report]) -> Verdict:
    """The four rules of the default policy, written out once more."""
    if not reports:
        return Verdict(Status.UNKNOWN)
    decisive = [r for r in reports if r.kind in (Kind.CONFIRMED, Kind.REFUTED)]
    if decisive:
        latest = max(_known_from(r.reported_at) for r in decisive)
        word = [r for r in decisive if _known_from(r.reported_at) == latest]
        kinds = {r.kind for r in word}
        if kinds == {Kind.CONFIRMED}:
            status = Status.CONFIRMED
        elif kinds == {Kind.REFUTED}:
            status = Status.REFUTED
        else:
            status = Status.DISPUTED
        challenges = [
            r
            for r in reports
            if r.kind in (Kind.CLAIMED, Kind.DISPUTED)
            and _known_from(r.reported_at) >= latest
        ]
        return Verdict(status, _canonical(word), _canonical(challenges))
    disputes = [r for r in reports if r.kind is Kind.DISPUTED]
    if disputes:
        return Verdict(Status.DISPUTED, _canonical(disputes))
    return Verdict(Status.CLAIMED, _canonical(reports))


@attrs.define
class _Held:
    report: Report
    recorded_at: datetime
    strike: Strike | None = None


class ReferenceLedger:
    """A small, obviously correct model of a ledger, for checking one against.

    It keeps a plain list of reports with the system time each was recorded at
    (and struck at), and answers every query by brute force straight from the
    product rules: filter by ``recorded`` and ``reported_at``, drop struck
    reports, decide; ``since`` by trying every earlier instant. With no
    ``policy`` it applies its own restatement of "latest decisive word".
    It is slow on purpose; use it with small examples.
    """

    def __init__(self, *, policy: BeliefPolicy | None = None) -> None:
        self._decide: Callable[[Sequence[Report]], Verdict] = (
            _latest_decisive_word if policy is None else policy.decide
        )
        self._held: list[_Held] = []

    # -- writing --------------------------------------------------------------

    def new_reports(self, reports: Iterable[Report]) -> list[Report]:
        """The reports of a batch that are not held yet, without recording them.

        Raises ConflictingReport if one reuses the id of a different report,
        held or earlier in the batch.
        """
        seen = {held.report.report_id: held.report for held in self._held}
        new = []
        for report in reports:
            known = seen.get(report.report_id)
            if known is None:
                seen[report.report_id] = report
                new.append(report)
            elif known != report:
                msg = f"report_id {report.report_id!r} is used by a different report"
                raise ConflictingReport(msg, field="report_id")
        return new

    def record(self, report: Report, *, recorded_at: datetime) -> bool:
        """Hold ``report`` from system time ``recorded_at``; False if already held."""
        if not self.new_reports([report]):
            return False
        self._held.append(_Held(report, recorded_at))
        return True

    def strike(self, report_id: str, *, reason: str, recorded_at: datetime) -> bool:
        """Strike a held report from ``recorded_at``; False if already struck.

        Raises UnknownReport if no report has that id.
        """
        for held in self._held:
            if held.report.report_id == report_id:
                if held.strike is not None:
                    return False
                held.strike = Strike(report_id, reason, recorded_at)
                return True
        msg = f"no report with report_id {report_id!r} has been recorded"
        raise UnknownReport(msg)

    # -- reading --------------------------------------------------------------

    def recorded_times(self) -> list[datetime]:
        """Every system time at which something was recorded or struck, sorted."""
        times = [held.recorded_at for held in self._held]
        times += [held.strike.recorded_at for held in self._held if held.strike]
        return sorted(times)

    def _entries(self, recorded: TimePoint | None) -> list[Entry]:
        until = None if recorded is None else _until(recorded)
        entries = []
        for held in self._held:
            if until is not None and held.recorded_at > until:
                continue
            strike = held.strike
            if strike is not None and until is not None and strike.recorded_at > until:
                strike = None
            entries.append(Entry(held.report, held.recorded_at, strike))
        return entries

    def _counting(self, key: str, recorded: TimePoint | None) -> list[Report]:
        return [
            entry.report
            for entry in self._entries(recorded)
            if entry.report.proposition == key and entry.strike is None
        ]

    def _belief(self, key: str, reports: Sequence[Report], until: datetime) -> Belief:
        def known(at: datetime) -> tuple[Report, ...]:
            return _canonical(r for r in reports if _known_from(r.reported_at) <= at)

        now = known(until)
        verdict = self._decide(now)
        if not now:
            return Belief(proposition=key, status=verdict.status)
        instants = sorted({_known_from(r.reported_at) for r in now})
        since = instants[-1]
        for instant in reversed(instants):
            if self._decide(known(instant)).status is not verdict.status:
                break
            since = instant
        first = next(r for r in now if _known_from(r.reported_at) == since)
        supporting = [r for r in now if r.kind in (Kind.CLAIMED, Kind.CONFIRMED)]
        occurred = [r.occurred_at for r in supporting if r.occurred_at is not None]
        statements = [r.statement for r in now if r.statement is not None]
        return Belief(
            proposition=key,
            status=verdict.status,
            since=first.reported_at,
            decided_by=verdict.decided_by,
            supporting=tuple(supporting),
            opposing=tuple(r for r in now if r.kind in (Kind.DISPUTED, Kind.REFUTED)),
            challenges=verdict.challenges,
            occurred_at=occurred[-1] if occurred else None,
            statement=statements[-1] if statements else None,
            opinion=verdict.opinion,
        )

    def belief(
        self, proposition: str, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> Belief:
        """What was believed about ``proposition`` on ``on``, held at ``recorded``."""
        return self._belief(
            proposition, self._counting(proposition, recorded), _until(on)
        )

    def propositions(self) -> tuple[str, ...]:
        """Every key with a recorded report, sorted."""
        return tuple(sorted({held.report.proposition for held in self._held}))

    def beliefs(
        self, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> tuple[Belief, ...]:
        """The belief about every proposition with a counting report by ``on``."""
        found = (
            self.belief(key, on=on, recorded=recorded) for key in self.propositions()
        )
        return tuple(b for b in found if b.status is not Status.UNKNOWN)

    def history(
        self, proposition: str, *, recorded: TimePoint | None = None
    ) -> tuple[Entry, ...]:
        """The entries about ``proposition`` (struck ones too), in reported order."""
        entries = [
            e for e in self._entries(recorded) if e.report.proposition == proposition
        ]
        if not entries:
            msg = f"no report about {proposition!r} has been recorded"
            raise UnknownProposition(msg)
        order = {
            r.report_id: i for i, r in enumerate(_canonical(e.report for e in entries))
        }
        return tuple(sorted(entries, key=lambda e: order[e.report.report_id]))

    def timeline(
        self, proposition: str, *, recorded: TimePoint | None = None
    ) -> tuple[Belief, ...]:
        """The belief at each instant at which the status changed."""
        self.history(proposition, recorded=recorded)  # raises if unknown
        return self._timeline(proposition, self._counting(proposition, recorded))

    def _timeline(self, key: str, reports: Sequence[Report]) -> tuple[Belief, ...]:
        result: list[Belief] = []
        for instant in sorted({_known_from(r.reported_at) for r in reports}):
            belief = self._belief(key, reports, instant)
            if not result or result[-1].status is not belief.status:
                result.append(belief)
        return tuple(result)

    def changes(
        self, *, since: TimePoint, until: TimePoint, recorded: TimePoint | None = None
    ) -> tuple[Change, ...]:
        """Every status change after ``since`` and by ``until``."""
        start, end = _until(since), _until(until)
        if end < start:
            msg = f"until ({until!r}) is before since ({since!r})"
            raise InvalidArgument(msg)
        found = []
        for key in self.propositions():
            before = Status.UNKNOWN
            for belief in self._timeline(key, self._counting(key, recorded)):
                assert belief.since is not None
                if start < _known_from(belief.since) <= end:
                    found.append(
                        Change(key, belief.since, before, belief.status, belief)
                    )
                before = belief.status
        return tuple(sorted(found, key=lambda c: (_known_from(c.at), c.proposition)))

    def occurred(
        self, *, by: TimePoint, on: TimePoint, recorded: TimePoint | None = None
    ) -> tuple[Belief, ...]:
        """As known on ``on``, the confirmed propositions that happened by ``by``."""
        until = _until(by)

        def happened(belief: Belief) -> bool:
            if belief.occurred_at is not None:
                return _known_from(belief.occurred_at) <= until
            first = min(
                (_known_from(r.reported_at) for r in belief.supporting), default=None
            )
            return first is not None and first <= until

        return tuple(
            b
            for b in self.beliefs(on=on, recorded=recorded)
            if b.status is Status.CONFIRMED and happened(b)
        )

    def entries(self) -> tuple[Entry, ...]:
        """Every entry, by proposition key then in reported order."""
        return tuple(
            entry for key in self.propositions() for entry in self.history(key)
        )


# -- the policy contract --------------------------------------------------------


def _histories() -> SearchStrategy[list[Report]]:
    return strategies.report_histories(max_size=8) | strategies.report_histories(
        plausible=False, max_size=8
    )


def _describe(verdict: Verdict) -> str:
    def ids(reports: Sequence[Report]) -> str:
        return "[" + ", ".join(r.report_id for r in reports) + "]"

    opinion = "" if verdict.opinion is None else f", opinion={verdict.opinion!r}"
    return (
        f"Verdict({verdict.status.name}, decided_by={ids(verdict.decided_by)}, "
        f"challenges={ids(verdict.challenges)}{opinion})"
    )


def _broken(policy: BeliefPolicy, clause: str, summary: str) -> str:
    # The first line names the policy and the clause; details follow.
    return f"{policy!r} breaks the policy contract ({clause}): {summary}"


def _check_verdict(policy: BeliefPolicy, reports: Sequence[Report]) -> Verdict:
    given_list = list(reports)
    verdict = policy.decide(given_list)

    def broken(summary: str) -> str:
        return _broken(policy, "well-formed", summary)

    assert isinstance(verdict, Verdict), broken(
        f"decide must return a Verdict\n  got: {verdict!r}"
    )
    assert isinstance(verdict.status, Status), broken(
        f"a verdict's status must be a Status\n  got: {verdict.status!r}"
    )
    assert given_list == list(reports), broken("decide changed the list it was given")
    if reports:
        assert verdict.status is not Status.UNKNOWN, broken(
            f"UNKNOWN for {len(reports)} report(s); unknown must mean no reports"
        )
    else:
        assert verdict.status is Status.UNKNOWN, broken(
            f"{verdict.status.name} for no reports; expected UNKNOWN"
        )
    ids = {r.report_id: r for r in reports}
    for field in ("decided_by", "challenges"):
        for report in getattr(verdict, field):
            assert ids.get(report.report_id) == report, broken(
                f"{field} lists a report it was not given\n  {report!r}"
            )
    return verdict


def check_policy(
    policy: BeliefPolicy,
    *,
    histories: SearchStrategy[list[Report]] | None = None,
    settings: hypothesis.settings | None = None,
    make_ledger: Callable[[BeliefPolicy], Ledger] | None = None,
) -> None:
    """Check that ``policy`` meets the contract of a belief policy.

    Runs one Hypothesis search per clause and raises AssertionError, naming the
    clause and the falsifying example, at the first one it breaks:

    - *well-formed*: ``decide`` returns a :class:`~ledger.policy.Verdict` whose
      status is UNKNOWN exactly when there are no reports, whose ``decided_by``
      and ``challenges`` are among the reports given, and leaves its argument
      unchanged;
    - *deterministic*: the same reports give an equal verdict every time;
    - *order-independent*: any order of the same reports gives an equal verdict
      (return tuples in canonical order, e.g. with
      :func:`~ledger.policy.canonical_order`);
    - *filter-then-fold*: a ledger using the policy answers
      ``belief(key, on=D)`` with the verdict on the reports known by ``D``
      (of the policy as it decides on ``D``,
      :func:`~ledger.analysis.bind_policy`: earned trust bound, say);
    - *no change of past answers*: recording reports made after ``D`` leaves
      every answer for ``D`` as it was.

    ``histories`` generates the report lists to decide on (default: plausible
    and arbitrary :func:`ledger.strategies.report_histories`); ``settings``
    are Hypothesis settings for every search (default: the current profile);
    ``make_ledger`` builds the ledger for the last two clauses (default:
    ``Ledger(policy=policy)``, in memory).
    """
    if histories is None:
        histories = _histories()
    if make_ledger is None:
        make_ledger = _memory_ledger

    # One clear failure beats a group of them for a contract check.
    chosen = hypothesis.settings(settings, report_multiple_bugs=False)

    def search(test: Callable[..., None]) -> Callable[..., None]:
        return chosen(test)

    @search
    @hypothesis.given(histories)
    def well_formed(reports: list[Report]) -> None:
        _check_verdict(policy, reports)
        _check_verdict(policy, _canonical(reports))

    @search
    @hypothesis.given(histories)
    def deterministic(reports: list[Report]) -> None:
        first = policy.decide(list(reports))
        second = policy.decide(list(reports))
        assert first == second, _broken(
            policy,
            "deterministic",
            "the same reports gave different verdicts"
            f"\n  first:  {_describe(first)}\n  second: {_describe(second)}",
        )

    @search
    @hypothesis.given(histories, st.data())
    def order_independent(reports: list[Report], data: st.DataObject) -> None:
        ordered = list(_canonical(reports))
        canonical = policy.decide(ordered)
        # Reversed order swaps every pair; a random one mixes ties as well.
        shuffled = data.draw(st.permutations(ordered), label="reordered")
        for other_order in (ordered[::-1], shuffled):
            other = policy.decide(list(other_order))
            assert canonical == other, _broken(
                policy,
                "order-independent",
                "two orders of the same reports gave different verdicts"
                f"\n  canonical order: {_describe(canonical)}"
                f"\n  another order:   {_describe(other)}",
            )

    @search
    @hypothesis.given(
        strategies.ledger_reports(max_size=10),
        strategies.report_times(),
        st.data(),
    )
    def through_a_ledger(
        reports: list[Report], on: TimePoint, data: st.DataObject
    ) -> None:
        keys = sorted({r.proposition for r in reports}) or ["no-reports-yet"]
        cutoff = _until(on)
        later = data.draw(
            st.lists(
                strategies.reports(
                    propositions=st.sampled_from(keys),
                    reported_at=strategies.report_times(
                        min_value=cutoff + timedelta(microseconds=1),
                        max_value=cutoff.date() + timedelta(days=3650),
                    ),
                ),
                max_size=4,
            ),
            label="later",
        )
        ledger = make_ledger(policy)
        try:
            ledger.record(*reports)
            answers = {key: ledger.belief(key, on=on) for key in keys}
            for key, belief in answers.items():
                known = _canonical(
                    r
                    for r in reports
                    if r.proposition == key and _known_from(r.reported_at) <= cutoff
                )
                # The policy as it decides on D (earned trust bound, say).
                bound = bind_policy(policy, ledger.known(on=on), on=on)
                verdict = bound.decide(list(known))
                got = Verdict(
                    belief.status, belief.decided_by, belief.challenges, belief.opinion
                )
                assert got == verdict, _broken(
                    policy,
                    "filter-then-fold",
                    "a ledger using it did not answer with its verdict on the "
                    f"reports known then\n  belief({key!r}, on={on!r}): "
                    f"{_describe(got)}\n  the policy's verdict: {_describe(verdict)}",
                )
            ledger.record(*later)
            for key, belief in answers.items():
                again = ledger.belief(key, on=on)
                assert again == belief, _broken(
                    policy,
                    "no change of past answers",
                    "recording later reports changed an earlier answer"
                    f"\n  belief({key!r}, on={on!r}) was: {belief!r}"
                    f"\n  and became: {again!r}",
                )
        finally:
            ledger.close()

    for clause in (well_formed, deterministic, order_independent, through_a_ledger):
        try:
            clause()
        except hypothesis.errors.FlakyFailure as flaky:
            # A policy that is not deterministic fails, then passes on replay.
            failures = [e for e in _leaves(flaky) if isinstance(e, AssertionError)]
            if not failures:
                raise
            msg = (
                f"{failures[0]}\n  (this failure did not happen again when "
                "replayed: the policy's verdicts vary from call to call)"
            )
            raise AssertionError(msg) from flaky


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    found: list[BaseException] = []
    for error in group.exceptions:
        if isinstance(error, BaseExceptionGroup):
            found += _leaves(error)
        else:
            found.append(error)
    return found


def _memory_ledger(policy: BeliefPolicy) -> Ledger:
    return Ledger(policy=policy)


# -- the state machine ------------------------------------------------------------


_INDEXES = st.integers(min_value=0, max_value=15)


@st.composite
def _pick(draw: st.DrawFn, pools: SearchStrategy[list[str]]) -> str:
    # Not .flatmap(st.sampled_from): that builds a new strategy on every draw.
    pool = draw(pools)
    return pool[draw(_INDEXES) % len(pool)]


def _keys() -> SearchStrategy[str]:
    # A few keys and sources per run, so propositions gather several reports
    # and sources speak more than once.
    pool = st.lists(strategies.proposition_keys(), min_size=1, max_size=3, unique=True)
    return _pick(st.shared(pool, key="ledger.testing.keys"))


def _sources() -> SearchStrategy[str]:
    pool = st.lists(strategies.sources(), min_size=1, max_size=4, unique=True)
    return _pick(st.shared(pool, key="ledger.testing.sources"))


def _machine_reports() -> SearchStrategy[Report]:
    # Mostly content-derived ids; a few explicit ones from a tiny pool, so that
    # conflicting ids (and the atomicity of a failed batch) come up.
    explicit = st.sampled_from(("id-1", "id-2", "ид-3"))
    return strategies.reports(
        # Claims more often than not, or "claimed" would rarely be the status.
        kinds=st.just(Kind.CLAIMED) | strategies.kinds(),
        propositions=_keys(),
        sources=_sources(),
        report_ids=st.one_of(st.none(), st.none(), explicit),
        # Free text only tells reports apart here; a few fixed texts keep each
        # step cheap, which matters most when Hypothesis shrinks a failure.
        statements=st.none() | st.sampled_from(_TEXTS),
        quotes=st.none() | st.sampled_from(_TEXTS),
        urls=st.none() | st.sampled_from(_URLS),
    )


_TEXTS = ("«Нет»", "قال مسؤول", "Baghdadi is dead", "line one\nline two")
_URLS = ("https://tass.ru/x", "https://example.org/ü")


_REASONS = st.sampled_from(("entered twice by mistake", "wrong proposition")) | st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    min_size=1,
    max_size=20,
).filter(str.strip)

# Indexes into the model's system times (wrapped around), or None for "now".
_RECORDED_PICKS = st.none() | st.integers(min_value=0, max_value=1000)


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except (UnknownProposition, InvalidArgument) as error:
        return type(error)


class LedgerMachine(RuleBasedStateMachine):
    """A state machine that checks a ledger against :class:`ReferenceLedger`.

    Rules record single reports (through ``claim``/``dispute``/``confirm``/
    ``refute``), batches (with duplicates and conflicting ids, which must leave
    the batch unrecorded) and streams (``record_all``); strike reports (again,
    and unknown ones); reopen persistent ledgers; and compare every query
    (``belief``, ``beliefs``, ``timeline``, ``history``, ``changes``,
    ``occurred``, at random knowledge times and past system times) with the
    model. The ledger's own system-time stamps are fed to the model, and must
    grow with every write.

    Run it as a test by assigning its ``TestCase``; override :meth:`make_target`,
    :meth:`open_ledger` and :meth:`remove_target` for other backends or wrappers,
    and set ``policy`` to check a ledger using a custom policy::

        class MyMachine(LedgerMachine):
            def open_ledger(self, target):
                return MyCachingLedger(Ledger())

        TestMyLedger = MyMachine.TestCase
    """

    policy: ClassVar[BeliefPolicy | None] = None
    """The belief policy for both the ledger and the model (None: the default)."""

    recorded = Bundle("recorded")

    def __init__(self) -> None:
        super().__init__()
        self.target = self.make_target()
        self.ledger = self.open_ledger(self.target)
        self.model = ReferenceLedger(policy=self.policy)

    # -- hooks -----------------------------------------------------------------

    def make_target(self) -> str | None:
        """Where a fresh, empty ledger lives; None (the default) means in memory.

        A machine whose target is not None also reopens its ledger.
        """
        return None

    def open_ledger(self, target: str | None) -> Ledger:
        """Open the ledger at ``target`` (None: a new in-memory ledger)."""
        if target is None:
            return Ledger(policy=self.policy)
        return Ledger.open(target, policy=self.policy)

    def remove_target(self, target: str) -> None:
        """Clean up after one run (the default does nothing)."""

    def teardown(self) -> None:
        """Close the ledger and remove its target."""
        self.ledger.close()
        if self.target is not None:
            self.remove_target(self.target)

    # -- helpers ---------------------------------------------------------------

    def _learn(self, new: Sequence[Report]) -> None:
        # The ledger stamps system time; the model adopts those stamps, after
        # checking they are later than anything written before.
        if not new:
            return
        latest = max(self.model.recorded_times(), default=None)
        for report in new:
            entry = self._entry(report.report_id)
            assert entry.report == report, (
                f"the ledger holds {entry.report!r}, but {report!r} was recorded"
            )
            stamp = entry.recorded_at
            assert stamp.utcoffset() is not None, f"recorded_at {stamp!r} is naive"
            assert latest is None or stamp > latest, (
                f"recorded_at {stamp!r} of a new report is not later than "
                f"{latest!r}, when something was already recorded"
            )
            self.model.record(report, recorded_at=stamp)

    def _entry(self, report_id: str) -> Entry:
        found = [e for e in self.ledger.entries() if e.report.report_id == report_id]
        assert len(found) == 1, (
            f"entries() should hold {report_id!r} once, but holds it {len(found)} times"
        )
        return found[0]

    def _unchanged_after(self, call: Callable[[], Any], error: type[Exception]) -> None:
        before = tuple(self.ledger.entries())
        try:
            call()
        except error:
            pass
        else:
            raise AssertionError(f"expected {error.__name__}, nothing was raised")
        assert tuple(self.ledger.entries()) == before, (
            f"a write that raised {error.__name__} changed the ledger"
        )

    def _recorded_time(self, pick: int | None) -> datetime | None:
        times = self.model.recorded_times()
        if pick is None or not times:
            return None
        # Just before a write, or exactly at it.
        return times[pick % len(times)] - timedelta(
            microseconds=(pick // len(times)) % 2
        )

    def _same(self, query: str, **arguments: Any) -> None:
        actual = _outcome(lambda: getattr(self.ledger, query)(**arguments))
        expected = _outcome(lambda: getattr(self.model, query)(**arguments))
        shown = ", ".join(f"{name}={value!r}" for name, value in arguments.items())
        assert actual == expected, (
            f"{query}({shown}) disagrees with the reference model:\n"
            f"ledger: {actual!r}\nmodel:  {expected!r}"
        )

    # -- writes ----------------------------------------------------------------

    @rule(target=recorded, batch=st.lists(_machine_reports(), min_size=1, max_size=4))
    def record(self, batch: list[Report]) -> MultipleResults[Report]:
        """Record a batch; a conflicting id must leave it all unrecorded."""
        try:
            new = self.model.new_reports(batch)
        except ConflictingReport:
            self._unchanged_after(lambda: self.ledger.record(*batch), ConflictingReport)
            return multiple()
        ids = self.ledger.record(*batch)
        assert ids == tuple(r.report_id for r in batch), ids
        self._learn(new)
        return multiple(*new)

    @rule(
        target=recorded,
        again=st.lists(recorded, min_size=1, max_size=3),
        fresh=_machine_reports(),
    )
    def record_with_duplicates(
        self, again: list[Report], fresh: Report
    ) -> MultipleResults[Report]:
        """Record held reports again, with a fresh one twice: only it is new."""
        self.record([*again, fresh, fresh])
        return multiple()

    @rule(target=recorded, report=_machine_reports())
    def say(self, report: Report) -> MultipleResults[Report]:
        """Record one report through claim, dispute, confirm or refute."""
        method = {
            Kind.CLAIMED: self.ledger.claim,
            Kind.DISPUTED: self.ledger.dispute,
            Kind.CONFIRMED: self.ledger.confirm,
            Kind.REFUTED: self.ledger.refute,
        }[report.kind]
        fields = {
            name: getattr(report, name)
            for name in ("occurred_at", "statement", "quote", "url")
            if getattr(report, name) is not None
        }
        if report.report_id != report.derived_id():
            fields["report_id"] = report.report_id

        def call() -> str:
            return method(
                report.proposition,
                source=report.source,
                reported_at=report.reported_at,
                **fields,
            )

        try:
            new = self.model.new_reports([report])
        except ConflictingReport:
            self._unchanged_after(call, ConflictingReport)
            return multiple()
        assert call() == report.report_id
        self._learn(new)
        return multiple(*new)

    @rule(
        target=recorded,
        stream=st.lists(_machine_reports(), max_size=6),
        batch_size=st.integers(min_value=1, max_value=3),
    )
    def record_all(
        self, stream: list[Report], batch_size: int
    ) -> MultipleResults[Report]:
        """Stream reports in batches: all or nothing, the count is of new ones."""
        try:
            recorded = self.model.new_reports(stream)
        except ConflictingReport:
            self._unchanged_after(
                lambda: self.ledger.record_all(iter(stream), batch_size=batch_size),
                ConflictingReport,
            )
            return multiple()
        count = self.ledger.record_all(iter(stream), batch_size=batch_size)
        assert count == len(recorded), (count, len(recorded))
        self._learn(recorded)
        return multiple(*recorded)

    @rule(report=recorded, reason=_REASONS)
    def strike(self, report: Report, reason: str) -> None:
        """Strike a recorded report; striking it again changes nothing."""
        struck = self.ledger.strike(report.report_id, reason=reason)
        entry = self._entry(report.report_id)
        assert entry.strike is not None, f"{report.report_id!r} was not struck"
        held = next(
            e for e in self.model.entries() if e.report.report_id == report.report_id
        )
        assert struck is (held.strike is None), (
            f"strike() returned {struck!r} for a report "
            + ("already struck" if held.strike is not None else "not struck before")
        )
        if held.strike is not None:
            assert entry.strike == held.strike, (
                f"striking again changed the strike from {held.strike!r} "
                f"to {entry.strike!r}"
            )
            return
        assert entry.strike.reason == reason
        latest = max(self.model.recorded_times())
        assert entry.strike.recorded_at > latest, (
            f"the strike's recorded_at {entry.strike.recorded_at!r} is not later "
            f"than {latest!r}"
        )
        self.model.strike(
            report.report_id, reason=reason, recorded_at=entry.strike.recorded_at
        )

    @rule(report=_machine_reports())
    def strike_unknown(self, report: Report) -> None:
        """Striking an id never recorded raises UnknownReport and writes nothing."""
        if report.report_id in {e.report.report_id for e in self.model.entries()}:
            return
        self._unchanged_after(
            lambda: self.ledger.strike(report.report_id, reason="no such report"),
            UnknownReport,
        )

    @precondition(lambda self: self.target is not None)
    @rule()
    def reopen(self) -> None:
        """Close the ledger and open its store again: nothing is lost."""
        assert self.target is not None
        self.ledger.close()
        self.ledger = self.open_ledger(self.target)

    # -- queries ---------------------------------------------------------------

    @rule(key=_keys(), on=strategies.report_times(), pick=_RECORDED_PICKS)
    def check_belief(self, key: str, on: TimePoint, pick: int | None) -> None:
        """The belief about a key (known or not) agrees with the model."""
        self._same("belief", proposition=key, on=on, recorded=self._recorded_time(pick))

    @rule(on=strategies.report_times(), pick=_RECORDED_PICKS)
    def check_beliefs(self, on: TimePoint, pick: int | None) -> None:
        """The beliefs about every key agree with the model."""
        self._same("beliefs", on=on, recorded=self._recorded_time(pick))

    @rule(key=_keys(), pick=_RECORDED_PICKS)
    def check_timeline_and_history(self, key: str, pick: int | None) -> None:
        """The timeline and history of a key (known or not) agree with the model."""
        recorded = self._recorded_time(pick)
        self._same("timeline", proposition=key, recorded=recorded)
        self._same("history", proposition=key, recorded=recorded)

    @rule(
        since=strategies.report_times(),
        until=strategies.report_times(),
        pick=_RECORDED_PICKS,
    )
    def check_changes(
        self, since: TimePoint, until: TimePoint, pick: int | None
    ) -> None:
        """The changes between two times agree with the model."""
        if _until(until) < _until(since):
            since, until = until, since
        self._same(
            "changes", since=since, until=until, recorded=self._recorded_time(pick)
        )

    @rule(
        by=strategies.report_times(), on=strategies.report_times(), pick=_RECORDED_PICKS
    )
    def check_occurred(self, by: TimePoint, on: TimePoint, pick: int | None) -> None:
        """The propositions that had happened by some time agree with the model."""
        self._same("occurred", by=by, on=on, recorded=self._recorded_time(pick))

    @invariant()
    def holds_what_was_recorded(self) -> None:
        """propositions() and entries() agree with the model after every step."""
        self._same("propositions")
        actual, expected = tuple(self.ledger.entries()), self.model.entries()
        assert actual == expected, (
            "entries() disagrees with the reference model:\n"
            f"ledger: {actual!r}\nmodel:  {expected!r}"
        )


class SQLiteLedgerMachine(LedgerMachine):
    """:class:`LedgerMachine` on a fresh SQLite file per run, reopened at random."""

    def make_target(self) -> str:
        """A new file in a new temporary directory."""
        self._directory = tempfile.mkdtemp(prefix="ledger-of-claims-")
        return str(Path(self._directory) / "claims.db")

    def remove_target(self, target: str) -> None:
        """Delete the temporary directory."""
        shutil.rmtree(self._directory, ignore_errors=True)
