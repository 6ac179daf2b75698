"""Explanations, per-source views, track records and competing answers (ledger.analysis)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import (
    ConflictingReport,
    InvalidArgument,
    Kind,
    LatestDecisiveWord,
    Ledger,
    Mark,
    Opinions,
    Report,
    Stance,
    Status,
    _time,
)
from ledger.analysis import (
    answers,
    check_questions,
    earned_trust,
    explain,
    question_of,
    track_record,
    track_records,
)
from ledger.cli import cli
from ledger.io import read_reports
from ledger.opinions import from_evidence
from ledger.policy import canonical_order
from ledger.strategies import ledger_reports, report_times
from tests.backends import fresh_ledger as fresh

REPO = Path(__file__).resolve().parent.parent
FOUNDING = REPO / "examples" / "founding_case.jsonl"
STRIKE = "baghdadi-killed-raqqa-strike-2017"
HOW = "how-did-hudeifa-al-badri-die"
SUICIDE = "baghdadi-son-suicide-attack-2018"
MISSILES = "baghdadi-son-russian-missiles-2018"
RUSSIA = "Russian Ministry of Defence"
QUESTIONS = ("q-one", "q-two")

# The `backend` fixture is a plain string, the same for every example.
per_backend = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def report(
    kind: str,
    proposition: str,
    source: str,
    day: int,
    *,
    question: str | None = None,
    quote: str | None = None,
) -> Report:
    """A report made on ``day`` January 2020."""
    return Report(
        kind=kind,
        proposition=proposition,
        source=source,
        reported_at=date(2020, 1, day),
        question=question,
        quote=quote,
    )


@st.composite
def asked(draw: st.DrawFn, reports: st.SearchStrategy[list[Report]]) -> list[Report]:
    """Reports with each proposition answering one of two questions, or none."""
    found = draw(reports)
    keys = sorted({r.proposition for r in found})
    # Mostly the first question, so that answers often have rivals.
    choices = st.sampled_from((QUESTIONS[0], QUESTIONS[0], QUESTIONS[1], None))
    questions = {key: draw(choices) for key in keys}
    return [r.replace(question=questions[r.proposition]) for r in found]


histories = asked(ledger_reports(max_size=12))


@pytest.fixture(scope="module")
def case() -> Ledger:
    """The founding case, in memory."""
    ledger = Ledger()
    ledger.record_all(read_reports(FOUNDING))
    return ledger


def everything(ledger: Ledger, on: Any, recorded: Any = None) -> dict[str, Any]:
    """Every analysis answer on ``on`` (explanations included)."""
    beliefs = ledger.beliefs(on=on, recorded=recorded)
    return {
        "records": ledger.track_records(on=on, recorded=recorded),
        "sources": ledger.sources(on=on, recorded=recorded),
        "answers": [ledger.answers(q, on=on, recorded=recorded) for q in QUESTIONS],
        "beliefs": beliefs,
        "explained": [belief.explain() for belief in beliefs],
        "according_to": [
            ledger.belief(b.proposition, on=on, recorded=recorded, according_to=s)
            for b in beliefs
            for s in sorted({r.source for r in (*b.supporting, *b.opposing)})
        ],
    }


def later_than(reports: Sequence[Report], on: Any) -> list[Report]:
    """The reports made after ``on`` whose ids are new."""
    cutoff = _time.cutoff(on, "on")
    return [r for r in reports if r.known_from > cutoff]


# -- properties -------------------------------------------------------------------


@per_backend
@given(reports=histories, later=histories, on=report_times())
def test_reports_after_a_date_change_no_analysis_on_it(
    backend: str, reports: list[Report], later: list[Report], on: Any
) -> None:
    """Recording reports made after D changes no track record, answer or belief on D."""
    held = {r.report_id for r in reports}
    after = [r for r in later_than(later, on) if r.report_id not in held]
    # A later report may not give a proposition a second question.
    asks = {r.proposition: r.question for r in reports}
    after = [r.replace(question=asks.get(r.proposition, r.question)) for r in after]
    with fresh(backend) as ledger:
        ledger.record(*reports)
        before = everything(ledger, on)
        ledger.record(*after)
        assert everything(ledger, on) == before


@per_backend
@given(reports=histories, later=histories, on=report_times())
def test_earned_trust_opinions_never_anticipate(
    backend: str, reports: list[Report], later: list[Report], on: Any
) -> None:
    """Under Opinions with earned trust, reports after D change no belief on D."""
    held = {r.report_id for r in reports}
    after = [r for r in later_than(later, on) if r.report_id not in held]
    asks = {r.proposition: r.question for r in reports}
    after = [r.replace(question=asks.get(r.proposition, r.question)) for r in after]
    keys = sorted({r.proposition for r in reports + after})
    with fresh(backend, Opinions(trust="earned")) as ledger:
        ledger.record(*reports)
        before = [ledger.belief(key, on=on) for key in keys], ledger.beliefs(on=on)
        ledger.record(*after)
        assert ([ledger.belief(key, on=on) for key in keys], ledger.beliefs(on=on)) == (
            before
        )


@per_backend
@given(reports=histories, data=st.data())
def test_recording_order_does_not_matter(
    backend: str, reports: list[Report], data: st.DataObject
) -> None:
    """The same reports in any order and batches give the same analysis answers."""
    shuffled = data.draw(st.permutations(reports))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(reports)), max_size=3)))
    times = [r.reported_at for r in reports] + [datetime(2100, 1, 1, tzinfo=UTC)]
    with fresh("memory") as reference, fresh(backend) as ledger:
        reference.record(*reports)
        for start, end in zip([0, *cuts], [*cuts, len(reports)], strict=True):
            ledger.record(*shuffled[start:end])
        for on in times:
            assert everything(ledger, on) == everything(reference, on)


@per_backend
@given(reports=histories, later=histories, strikes=st.data())
def test_audits_as_recorded_at_t_never_change(
    backend: str, reports: list[Report], later: list[Report], strikes: st.DataObject
) -> None:
    """Analysis answers with recorded=T stay put whatever is recorded or struck after T."""
    if not reports:
        return
    held = {r.report_id for r in reports}
    asks = {r.proposition: r.question for r in reports}
    more = [
        r.replace(question=asks.get(r.proposition, r.question))
        for r in later
        if r.report_id not in held
    ]
    times = [r.reported_at for r in reports + more]
    with fresh(backend) as ledger:
        ledger.record(*reports)
        recorded_at = max(entry.recorded_at for entry in ledger.entries())
        expected = [everything(ledger, on, recorded_at) for on in times]
        ledger.record(*more)
        for struck in strikes.draw(st.lists(st.sampled_from(reports), max_size=3)):
            ledger.strike(struck.report_id, reason="test strike")
        assert [everything(ledger, on, recorded_at) for on in times] == expected


def reference_record(reports: Sequence[Report], source: str, on: Any) -> list[Any]:
    """The track record by its definition, naively: (key, stance, outcome, mark)."""
    cutoff = _time.cutoff(on, "on")
    known = [r for r in reports if r.known_from <= cutoff]
    rows = []
    for key in sorted({r.proposition for r in known if r.source == source}):
        own = canonical_order([r for r in known if r.proposition == key])
        latest = [r for r in own if r.source == source][-1]
        stance = "for" if latest.kind in (Kind.CLAIMED, Kind.CONFIRMED) else "against"
        others = [r for r in own if r.source != source]
        outcome = LatestDecisiveWord().decide(others).status
        if outcome in (Status.CONFIRMED, Status.REFUTED):
            agrees = (outcome is Status.CONFIRMED) == (stance == "for")
            mark = "right" if agrees else "wrong"
        else:
            mark = "open"
        rows.append((key, stance, outcome, mark))
    return rows


@given(reports=histories, on=report_times())
def test_track_records_follow_the_definition(reports: list[Report], on: Any) -> None:
    """Every source's record, from one pass, is its stance against the outcome without it."""
    ledger = Ledger()
    ledger.record(*reports)
    records = ledger.track_records(on=on)
    assert [r.source for r in records] == list(ledger.sources(on=on))
    for record in records:
        got = [
            (e.proposition, e.stance.value, e.outcome, e.mark.value)
            for e in record.entries
        ]
        assert got == reference_record(reports, record.source, on)
        assert record == ledger.track_record(record.source, on=on)
        assert (record.right, record.wrong, record.open) == tuple(
            sum(1 for e in record.entries if e.mark is mark)
            for mark in (Mark.RIGHT, Mark.WRONG, Mark.OPEN)
        )


@given(reports=histories, on=report_times())
def test_according_to_is_the_policy_on_that_sources_reports(
    reports: list[Report], on: Any
) -> None:
    """belief(according_to=S) equals a ledger holding only S's reports."""
    ledger = Ledger()
    ledger.record(*reports)
    for source in ledger.sources(on=on):
        alone = Ledger()
        alone.record(*[r for r in reports if r.source == source])
        for key in sorted({r.proposition for r in reports}):
            mine = ledger.belief(key, on=on, according_to=source)
            assert mine == alone.belief(key, on=on)


@given(reports=histories, on=report_times())
def test_default_answers_keep_their_own_status(reports: list[Report], on: Any) -> None:
    """Under the default policy each answer is its own belief, with confirmed rivals."""
    ledger = Ledger()
    ledger.record(*reports)
    for question in QUESTIONS:
        found = ledger.answers(question, on=on)
        for belief in found:
            assert belief == ledger.belief(belief.proposition, on=on)
            confirmed = {b.proposition for b in found if b.status is Status.CONFIRMED}
            assert set(belief.rivals) == confirmed - {belief.proposition}
        strengths = [
            [Status.CONFIRMED, Status.CLAIMED, Status.DISPUTED, Status.REFUTED].index(
                b.status
            )
            for b in found
        ]
        assert strengths == sorted(strengths)


# -- explanations -----------------------------------------------------------------


def test_explanation_of_the_raqqa_claim(case: Ledger) -> None:
    """On 1 July 2017 the Raqqa claim is explained by its six disputes."""
    text = case.belief(STRIKE, on=date(2017, 7, 1)).explain()
    lines = text.splitlines()
    assert lines[0] == f"{STRIKE}: disputed since 2017-06-16."
    assert lines[1].startswith(
        "Decided by 6 disputes: Iraqi government, 2017-06-16: "
        "“Although Iraq is skeptical about the report”; US officials, 2017-06-16: "
        "“Until absolute confirmation is published, the United States…”;"
    )
    assert lines[1].endswith("and 3 more, by " + lines[1].split("more, by ")[1])
    assert lines[2] == "Reports for it: 2; against it: 6."
    assert len(lines) == 3


def test_explanation_lists_standing_challenges_and_rivals() -> None:
    """A later claim is a standing challenge; a confirmed rival answer is named."""
    ledger = Ledger()
    ledger.record(
        report("confirmed", "a", "S", 1, question="q"),
        report("claimed", "b", "T", 1, question="q"),
        report("refuted", "b", "U", 2),
        report("claimed", "b", "V", 3, quote="It was b. " * 20),
    )
    lines = ledger.belief("b", on=date(2020, 1, 5)).explain().splitlines()
    assert lines == [
        "b: refuted since 2020-01-02.",
        "Decided by 1 refutation: U, 2020-01-02.",
        "Reports for it: 2; against it: 1.",
        (
            "Still challenged by 1 claim: V, 2020-01-03: “It was b. It was b. It was"
            " b. It was b. It was b. It was b…”."
        ),
        "A rival answer to q is confirmed: a.",
    ]


def test_explanation_of_nothing_known() -> None:
    """With no report known, the explanation says so."""
    belief = Ledger().belief("p", on=date(2020, 1, 1))
    assert (
        belief.explain()
        == explain(belief)
        == "p: unknown: no report about it was known."
    )


def test_explanations_are_the_same_on_every_backend(ledger: Ledger) -> None:
    """The founding case is explained in the same words on every backend."""
    ledger.record_all(read_reports(FOUNDING))
    reference = Ledger()
    reference.record_all(read_reports(FOUNDING))
    for on in (date(2017, 7, 1), date(2018, 7, 25), date(2023, 7, 10)):
        assert [b.explain() for b in ledger.beliefs(on=on)] == [
            b.explain() for b in reference.beliefs(on=on)
        ]


# -- per-source perspective -------------------------------------------------------


def test_according_to_the_russian_ministry(case: Ledger) -> None:
    """According to the Russian MoD alone, its claim stood undisputed in July 2017."""
    belief = case.belief(STRIKE, on=date(2017, 7, 1), according_to=RUSSIA)
    assert (belief.status, belief.since) == (Status.CLAIMED, date(2017, 6, 16))
    assert {r.source for r in belief.supporting} == {RUSSIA}
    assert not belief.opposing
    nobody = case.belief(STRIKE, on=date(2017, 7, 1), according_to="Nobody")
    assert nobody.status is Status.UNKNOWN


def test_sources_known_by_a_date(case: Ledger) -> None:
    """sources(on=D) lists, sorted, exactly the sources with a report known by D."""
    assert case.sources(on=date(2017, 6, 15)) == ()
    june = case.sources(on=date(2017, 7, 1))
    assert list(june) == sorted(june)
    assert RUSSIA in june
    assert "Abu Bakr al-Baghdadi (audio recording)" not in june
    assert "Abu Bakr al-Baghdadi (audio recording)" in case.sources(
        on=date(2017, 9, 28)
    )


@pytest.mark.parametrize("blank", ["", "  ", None])
def test_according_to_needs_a_source(case: Ledger, blank: Any) -> None:
    """A blank source is refused, naming the argument."""
    with pytest.raises(InvalidArgument, match="according_to must be a non-empty"):
        case.belief(STRIKE, on=date(2017, 7, 1), according_to=blank or " ")
    with pytest.raises(InvalidArgument, match="source must be a non-empty"):
        case.track_record(blank, on=date(2017, 7, 1))


# -- track records ----------------------------------------------------------------


def test_the_russian_ministrys_record_as_of_october_2017(case: Ledger) -> None:
    """By 1 October 2017 the Raqqa claim was refuted by others: one wrong, one open."""
    record = case.track_record(RUSSIA, on=date(2017, 10, 1))
    assert (record.right, record.wrong, record.open) == (0, 1, 1)
    strike, killed_300 = record.entries
    assert (strike.proposition, strike.stance, strike.outcome, strike.mark) == (
        STRIKE,
        Stance.FOR,
        Status.REFUTED,
        Mark.WRONG,
    )
    assert [r.report_id for r in strike.decided_by] == ["002-audio-recording-refutes"]
    assert (killed_300.outcome, killed_300.mark) == (Status.UNKNOWN, Mark.OPEN)
    before = case.track_record(RUSSIA, on=date(2017, 9, 27))
    assert (before.right, before.wrong, before.open) == (0, 0, 2)


def test_a_source_cannot_vindicate_itself() -> None:
    """Confirming its own claim leaves a source open; another's confirmation makes it right."""
    ledger = Ledger()
    ledger.record(report("claimed", "p", "S", 1), report("confirmed", "p", "S", 2))
    record = ledger.track_record("S", on=date(2020, 1, 9))
    assert (record.right, record.wrong, record.open) == (0, 0, 1)
    ledger.record(report("confirmed", "p", "T", 3))
    record = ledger.track_record("S", on=date(2020, 1, 9))
    assert (record.right, record.wrong, record.open) == (1, 0, 0)
    # T confirmed after S, but S's confirmation does not count for T either.
    assert ledger.track_record("T", on=date(2020, 1, 9)).right == 1


def test_the_stance_is_the_latest_report() -> None:
    """A source that claimed and then disputed stands against; struck reports do not count."""
    ledger = Ledger()
    ledger.record(
        report("claimed", "p", "S", 1),
        report("disputed", "p", "S", 2),
        report("refuted", "p", "T", 3),
    )
    record = ledger.track_record("S", on=date(2020, 1, 9))
    assert [(e.stance, e.mark) for e in record.entries] == [
        (Stance.AGAINST, Mark.RIGHT)
    ]
    recorded = max(entry.recorded_at for entry in ledger.entries())
    ledger.strike(report("disputed", "p", "S", 2).report_id, reason="mistake")
    record = ledger.track_record("S", on=date(2020, 1, 9))
    assert [(e.stance, e.mark) for e in record.entries] == [(Stance.FOR, Mark.WRONG)]
    audit = ledger.track_record("S", on=date(2020, 1, 9), recorded=recorded)
    assert [e.stance for e in audit.entries] == [Stance.AGAINST]


def test_records_as_of_a_date_ignore_later_reports() -> None:
    """A refutation made after D does not make a claimant wrong on D."""
    ledger = Ledger()
    ledger.record(report("claimed", "p", "S", 1), report("refuted", "p", "T", 5))
    assert ledger.track_record("S", on=date(2020, 1, 4)).open == 1
    assert ledger.track_record("S", on=date(2020, 1, 5)).wrong == 1
    assert ledger.track_record("Nobody", on=date(2020, 1, 5)).entries == ()


def test_pure_track_records_match_the_ledger(case: Ledger) -> None:
    """The pure functions over known() give what the ledger's methods give."""
    on = date(2018, 7, 25)
    records = track_records(case.known(on=on), on=on)
    assert tuple(records.values()) == case.track_records(on=on)
    assert track_record(case.known(on=on), RUSSIA, on=on) == records[RUSSIA]


# -- competing answers ------------------------------------------------------------


def test_the_accounts_of_the_sons_death(case: Ledger) -> None:
    """On 25 July 2018 the Iraqi missile account leads; the IS account is disputed."""
    found = case.answers(HOW, on=date(2018, 7, 25))
    assert [(b.proposition, b.status) for b in found] == [
        (MISSILES, Status.CLAIMED),
        (SUICIDE, Status.DISPUTED),
    ]
    assert all(b.rivals == () for b in found)
    assert case.answers(HOW, on=date(2018, 7, 3))[0].proposition == SUICIDE
    assert case.answers(HOW, on=date(2018, 7, 2)) == ()


def test_default_ranking_rules() -> None:
    """Confirmed, claimed, disputed, refuted; then the more recent since; then key."""
    ledger = Ledger()
    ledger.record(
        report("refuted", "r", "S", 1, question="q"),
        report("claimed", "c-a-old", "S", 1, question="q"),
        report("claimed", "c-z-new", "S", 3, question="q"),
        report("claimed", "c-zz-new-too", "T", 3, question="q"),
        report("disputed", "d", "S", 2, question="q"),
        report("confirmed", "y", "S", 1, question="q"),
        report("confirmed", "other", "S", 1, question="another"),
    )
    found = ledger.answers("q", on=date(2020, 1, 9))
    assert [b.proposition for b in found] == [
        "y",
        "c-z-new",
        "c-zz-new-too",
        "c-a-old",
        "d",
        "r",
    ]
    assert all(b.rivals == ("y",) for b in found[1:])
    assert found[0].rivals == ()
    assert "A rival answer to q is confirmed: y." in found[-1].explain()


def test_opinions_count_support_for_a_rival_against_an_answer() -> None:
    """Under Opinions a claim of one answer weighs against the other, ranked by probability."""
    ledger = Ledger(policy=Opinions())
    ledger.record(
        report("claimed", "a", "S", 1, question="q"),
        report("claimed", "a", "T", 1, question="q"),
        report("claimed", "b", "U", 1, question="q"),
    )
    a, b = ledger.answers("q", on=date(2020, 1, 9))
    assert (a.proposition, b.proposition) == ("a", "b")
    assert a.probability is not None
    assert b.probability is not None
    assert a.probability > 0.5 > b.probability
    # U's claim of b counts against a; S's and T's claims of a against b.
    assert {r.source for r in a.opposing} == {"U"}
    assert {r.source for r in b.opposing} == {"S", "T"}
    # Alone, b is only claimed: it is belief() that does not see rivals.
    only_b = ledger.belief("b", on=date(2020, 1, 9))
    assert only_b.probability is not None
    assert only_b.probability > 0.5


def test_opinions_answer_without_rivals_is_its_belief() -> None:
    """An answer with no rival under Opinions is exactly its belief."""
    ledger = Ledger(policy=Opinions())
    ledger.record(
        report("claimed", "a", "S", 1, question="q"), report("disputed", "a", "T", 2)
    )
    (only,) = ledger.answers("q", on=date(2020, 1, 9))
    assert only == ledger.belief("a", on=date(2020, 1, 9))


def test_the_latest_word_on_the_question_is_the_stance() -> None:
    """A source that moved from answer a to answer b stands against a, for b."""
    ledger = Ledger(policy=Opinions())
    ledger.record(
        report("claimed", "a", "S", 1, question="q"),
        report("claimed", "b", "S", 2, question="q"),
    )
    found = {b.proposition: b for b in ledger.answers("q", on=date(2020, 1, 9))}
    assert found["a"].decided_by[0].kind is Kind.DISPUTED
    assert found["a"].decided_by[0].report_id.endswith("/against/a")
    assert found["b"].status is Status.CLAIMED


def test_a_question_is_named_by_the_reports_known_by_then() -> None:
    """A proposition answers a question on D only if a report known by D names it."""
    ledger = Ledger()
    ledger.record(
        report("claimed", "a", "S", 1), report("claimed", "a", "T", 3, question="q")
    )
    assert ledger.answers("q", on=date(2020, 1, 2)) == ()
    assert [b.proposition for b in ledger.answers("q", on=date(2020, 1, 3))] == ["a"]


def test_answers_needs_a_question(case: Ledger) -> None:
    """A blank question is refused."""
    with pytest.raises(InvalidArgument, match="question must be a non-empty"):
        case.answers(" ", on=date(2018, 7, 25))


def test_pure_answers_match_the_ledger(case: Ledger) -> None:
    """answers() over known() is what the ledger answers."""
    on = date(2018, 7, 25)
    assert answers(case.known(on=on), HOW, on=on, policy=case.policy) == case.answers(
        HOW, on=on
    )


def test_check_questions_refuses_two_questions() -> None:
    """A batch giving one proposition two questions is refused, naming both."""
    batch = [
        report("claimed", "p", "S", 1, question="q1"),
        report("claimed", "p", "T", 2),
    ]
    check_questions(batch, lambda key: None)
    check_questions(batch, lambda key: "q1")
    with pytest.raises(ConflictingReport, match=r"'p'.*'q2'.*'q1'") as held:
        check_questions(batch, lambda key: "q2")
    assert held.value.field == "question"
    clash = [*batch, report("claimed", "p", "U", 3, question="q3")]
    with pytest.raises(ConflictingReport, match=r"'p'.*'q1'.*'q3'"):
        check_questions(clash, lambda key: None)
    asked: list[str] = []
    check_questions(batch + batch, lambda key: asked.append(key) or None)  # type: ignore[func-returns-value]
    assert asked == ["p"]


def test_recording_a_second_question_is_refused() -> None:
    """record() refuses a report naming another question than the held ones; nothing is recorded."""
    ledger = Ledger()
    ledger.record(report("claimed", "p", "S", 1, question="q1"))
    with pytest.raises(ConflictingReport, match=r"'q1'.*'q2'"):
        ledger.record(
            report("claimed", "other", "S", 1),
            report("claimed", "p", "T", 2, question="q2"),
        )
    assert len(list(ledger.entries())) == 1


def test_the_held_question_for_the_write_path() -> None:
    """_question_held names the question of the unstruck held reports."""
    ledger = Ledger()
    assert ledger._question_held("p") is None
    ledger.record(report("claimed", "p", "S", 1, question="q1"))
    assert ledger._question_held("p") == "q1"
    ledger.strike(report("claimed", "p", "S", 1, question="q1").report_id, reason="x")
    assert ledger._question_held("p") is None


# -- earned trust -----------------------------------------------------------------


def test_earned_trust_is_the_track_record() -> None:
    """Opinions(trust="earned") on D decides as given trust from_evidence(right, wrong)."""
    reports = [
        report("claimed", "p", "S", 1),
        report("refuted", "p", "T", 2),
        report("refuted", "p", "U", 2),
        report("claimed", "q", "S", 3),
        report("disputed", "q", "T", 3),
    ]
    on = date(2020, 1, 9)
    earned = Ledger(policy=Opinions(trust="earned"))
    earned.record(*reports)
    trust = earned_trust({r.source: r for r in earned.track_records(on=on)})
    assert trust["S"] == from_evidence(0, 1)
    assert trust["T"] == from_evidence(1, 0)
    given_trust = Ledger(policy=Opinions(trust=trust))
    given_trust.record(*reports)
    assert earned.belief("q", on=on) == given_trust.belief("q", on=on)
    assert earned.beliefs(on=on) == given_trust.beliefs(on=on)
    # Before T refuted p, nobody had a record: everyone is trusted at 0.5.
    half = Ledger(policy=Opinions(trust=0.5))
    half.record(*reports)
    assert earned.belief("p", on=date(2020, 1, 1)) == half.belief(
        "p", on=date(2020, 1, 1)
    )


def test_earned_trust_on_the_founding_case() -> None:
    """On 1 July 2017 nobody had a record yet: the Raqqa claim at trust 0.5 for all."""
    ledger = Ledger(policy=Opinions(trust="earned"))
    ledger.record_all(read_reports(FOUNDING))
    belief = ledger.belief(STRIKE, on=date(2017, 7, 1))
    assert belief.status is Status.DISPUTED
    assert belief.probability == pytest.approx(0.2917, abs=1e-4)


# -- command line -----------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite ledger holding the founding case."""
    path = tmp_path_factory.mktemp("cli") / "case.db"
    with Ledger.open(path) as ledger:
        ledger.record_all(read_reports(FOUNDING))
    return str(path)


def run(db: str, *args: str) -> Any:
    """Run ``ledger --db DB ARGS...`` in this process."""
    return CliRunner().invoke(cli, ["--db", db, *args])


def test_cli_believed_explain(db: str, case: Ledger) -> None:
    """The believed command with --explain prints the table, then each explanation."""
    shown = run(db, "believed", "--on", "2017-07-01", STRIKE, "--explain")
    assert shown.exit_code == 0
    explained = case.belief(STRIKE, on=date(2017, 7, 1)).explain()
    assert shown.output.endswith("\n\n" + explained + "\n")
    data = json.loads(
        run(db, "believed", "--on", "2017-07-01", "--explain", "--json").output
    )
    assert data[0]["explanation"] == case.beliefs(on=date(2017, 7, 1))[0].explain()


def test_cli_believed_according_to(db: str) -> None:
    """The believed command with --according-to lists what that source's reports alone gave."""
    shown = run(db, "believed", "--on", "2017-07-01", "--according-to", RUSSIA)
    assert shown.exit_code == 0
    rows = [line.split()[:2] for line in shown.output.splitlines()[1:]]
    assert rows == [[STRIKE, "claimed"], ["raqqa-strike-killed-300-2017", "claimed"]]
    none = run(db, "believed", "--on", "2017-07-01", "--according-to", "Nobody")
    assert none.output == "no proposition had a report from Nobody by 2017-07-01\n"


def test_cli_sources(db: str, case: Ledger) -> None:
    """The sources command prints each source's counts; --json its entries too."""
    shown = run(db, "sources", "--on", "2017-10-01")
    assert shown.exit_code == 0
    lines = shown.output.splitlines()
    assert lines[0].split() == ["SOURCE", "PROPOSITIONS", "RIGHT", "WRONG", "OPEN"]
    russia_row = next(line for line in lines if line.startswith(RUSSIA + " "))
    assert russia_row.split()[-4:] == ["2", "0", "1", "1"]
    data = json.loads(run(db, "sources", "--on", "2017-10-01", "--json").output)
    assert [d["source"] for d in data] == list(case.sources(on=date(2017, 10, 1)))
    russia = next(d for d in data if d["source"] == RUSSIA)
    assert russia["entries"][0] == {
        "proposition": STRIKE,
        "stance": "for",
        "outcome": "refuted",
        "mark": "wrong",
        "decided_by": ["002-audio-recording-refutes"],
    }
    assert run(db, "sources", "--on", "2000-01-01").output == (
        "no source had a report by 2000-01-01\n"
    )


def test_cli_answers(db: str) -> None:
    """The answers command ranks the answers; --json adds explanations."""
    shown = run(db, "answers", HOW, "--on", "2018-07-25")
    assert shown.exit_code == 0
    assert [line.split()[:3] for line in shown.output.splitlines()[1:]] == [
        ["1", MISSILES, "claimed"],
        ["2", SUICIDE, "disputed"],
    ]
    data = json.loads(run(db, "answers", HOW, "--on", "2018-07-25", "--json").output)
    assert [d["proposition"] for d in data] == [MISSILES, SUICIDE]
    assert data[0]["explanation"].startswith(f"{MISSILES}: claimed since 2018-07-04.")
    nothing = run(db, "answers", "no-such-question", "--on", "2018-07-25")
    assert (
        nothing.output == "no answer to no-such-question had a report by 2018-07-25\n"
    )
    assert run(db, "answers", HOW, "--on", "25/07/2018").exit_code == 2


def test_quotes_are_cut_at_a_word() -> None:
    """Explanations cut quotes at a word, with an ellipsis (sixty characters at most)."""
    long = "word " * 30
    ledger = Ledger()
    ledger.record(report("claimed", "p", "S", 1, quote=long))
    line = ledger.belief("p", on=date(2020, 1, 1)).explain().splitlines()[1]
    quoted = line.split("“")[1].split("”")[0]
    assert quoted.endswith("word…")
    assert len(quoted) <= 61


def test_question_of_depends_only_on_the_set() -> None:
    """Should two reports name different questions, the canonically first counts."""
    later = report("claimed", "p", "S", 2, question="q-later")
    first = report("claimed", "p", "T", 1, question="q-first")
    plain = report("claimed", "p", "U", 1)
    assert (
        question_of([later, plain, first]) == question_of([first, later]) == "q-first"
    )
    assert question_of([plain]) is None
    assert question_of([plain, later]) == "q-later"
