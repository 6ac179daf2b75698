"""Subjective-logic opinions: the operators, worked examples, and the Opinions policy.

Worked examples cite where their numbers come from: A. Jøsang, *Subjective
Logic* (Springer, 2016), by chapter and definition, for values computed by hand
from the book's definitions; and the published test suites of
vs-uulm/go-subjectivelogic and vs-uulm/subjective-logic-java, whose inputs and
expected outputs are restated here (no code taken).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ledger import (
    Belief,
    InvalidArgument,
    Kind,
    LatestDecisiveWord,
    Ledger,
    LedgerError,
    Opinion,
    Opinions,
    Report,
    Status,
    Verdict,
)
from ledger import strategies as ls
from ledger.opinions import TOLERANCE, discount, from_evidence, fuse
from ledger.policy import canonical_order
from ledger.testing import LedgerMachine, check_policy

KEY = "baghdadi-killed-raqqa-strike-2017"
D1, D2, D3 = date(2017, 6, 16), date(2017, 6, 20), date(2017, 9, 28)

# Properties hold within this distance, per component (every component is in
# [0, 1], so an absolute tolerance is the right one).
CLOSE = 1e-9


def close(x: Opinion, y: Opinion, tolerance: float = CLOSE) -> bool:
    """Whether two opinions agree in every component within ``tolerance``."""
    return all(
        math.isclose(getattr(x, f), getattr(y, f), abs_tol=tolerance, rel_tol=0)
        for f in ("belief", "disbelief", "uncertainty", "base_rate")
    )


def op(b: float, d: float, u: float, a: float = 0.5) -> Opinion:
    """An opinion, written the way the cited sources write them."""
    return Opinion(b, d, u, a)


@st.composite
def opinions(draw: st.DrawFn) -> Opinion:
    """Valid opinions, often dogmatic or vacuous; shrinks towards vacuous."""
    # Uncertainty 0 or at least 1e-12: subnormal uncertainties lose the relative
    # precision that fusion weights opinions by.
    u = draw(st.sampled_from([1.0, 0.0]) | st.floats(min_value=1e-12, max_value=1))
    split = draw(st.sampled_from([0.0, 1.0]) | st.floats(min_value=0, max_value=1))
    a = draw(st.sampled_from([0.5]) | st.floats(min_value=0, max_value=1))
    b = (1 - u) * split
    return Opinion(b, (1 - u) - b, u, a)


probabilities = st.floats(min_value=0, max_value=1)
evidence = st.floats(min_value=0, max_value=1e6)


def report(kind: str, day: date | datetime, source: str, **extra: object) -> Report:
    """A report about KEY."""
    return Report(kind=kind, proposition=KEY, source=source, reported_at=day, **extra)  # type: ignore[arg-type]


# -- Opinion ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ((1.5, 0, 0, 0.5), ["belief must be a number in [0, 1]", "1.5"]),
        ((0, -0.1, 1, 0.5), ["disbelief must be a number in [0, 1]", "-0.1"]),
        ((0, 0, "1", 0.5), ["uncertainty must be a number in [0, 1]", "'1'"]),
        ((0, 0, 1, 2), ["base_rate must be a number in [0, 1]", "2"]),
        ((0, 0, 1, True), ["base_rate must be a number in [0, 1]", "True"]),
        ((math.nan, 0, 1, 0.5), ["belief must be a number in [0, 1]", "nan"]),
        ((0.5, 0.3, 0.1, 0.5), ["must be 1 within 1e-09", "0.5 + 0.3 + 0.1"]),
    ],
)
def test_opinion_rejects_bad_values(
    fields: tuple[object, ...], words: list[str]
) -> None:
    """A bad field raises InvalidArgument naming the field, what was expected and what arrived."""
    with pytest.raises(InvalidArgument) as raised:
        Opinion(*fields)
    assert isinstance(raised.value, LedgerError)
    assert isinstance(raised.value, ValueError)
    for word in words:
        assert word in str(raised.value)


def test_opinion_accepts_sums_within_the_tolerance() -> None:
    """The sum b + d + u may miss 1 by up to TOLERANCE, no more."""
    Opinion(0.5, 0.5, TOLERANCE / 2)
    with pytest.raises(InvalidArgument):
        Opinion(0.5, 0.5, TOLERANCE * 2)


def test_opinion_helpers() -> None:
    """vacuous, dogmatic, probability, is_dogmatic and is_vacuous say what they mean."""
    vacuous = Opinion.vacuous(0.3)
    assert vacuous == Opinion(0, 0, 1, 0.3)
    assert vacuous.is_vacuous
    assert not vacuous.is_dogmatic
    assert vacuous.probability == pytest.approx(0.3)
    certain = Opinion.dogmatic(0.7)
    assert close(certain, Opinion(0.7, 0.3, 0, 0.5))
    assert certain.is_dogmatic
    assert not certain.is_vacuous
    assert certain.probability == pytest.approx(0.7)
    assert Opinion(0.2, 0.4, 0.4, 0.75).probability == pytest.approx(0.5)
    with pytest.raises(InvalidArgument, match="probability must be a number"):
        Opinion.dogmatic(1.2)


@given(opinions())
def test_probability_is_a_probability(opinion: Opinion) -> None:
    """The projected probability b + a·u is always in [0, 1]."""
    assert 0 <= opinion.probability <= 1
    expected = opinion.belief + opinion.base_rate * opinion.uncertainty
    assert opinion.probability == pytest.approx(expected)


# -- from_evidence ------------------------------------------------------------------


@given(evidence, evidence, st.floats(min_value=0.01, max_value=100), probabilities)
def test_from_evidence_matches_the_formula(
    r: float, s: float, w: float, a: float
) -> None:
    """The opinion is b = r/(r+s+W), d = s/(r+s+W), u = W/(r+s+W), a as given (Jøsang 2016, ch. 3)."""
    opinion = from_evidence(r, s, prior_weight=w, base_rate=a)
    total = r + s + w
    expected = Opinion(r / total, s / total, w / total, a)
    assert close(opinion, expected)


def test_from_evidence_by_hand() -> None:
    """8 for, 2 against, W = 2: (2/3, 1/6, 1/6), P = 3/4 (the book's mapping, ch. 3, by hand)."""
    opinion = from_evidence(8, 2)
    assert close(opinion, op(2 / 3, 1 / 6, 1 / 6))
    assert opinion.probability == pytest.approx(0.75)
    assert from_evidence(0, 0, base_rate=0.2) == Opinion.vacuous(0.2)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: from_evidence(-1, 0), "r must be a finite number >= 0 (got -1)"),
        (
            lambda: from_evidence(0, math.inf),
            "s must be a finite number >= 0 (got inf)",
        ),
        (
            lambda: from_evidence(1, 1, prior_weight=0),
            "prior_weight must be a finite number greater than 0 (got 0)",
        ),
        (
            lambda: from_evidence(1, 1, base_rate=1.5),
            "base_rate must be a number in [0, 1] (got 1.5)",
        ),
    ],
)
def test_from_evidence_rejects_bad_arguments(call: object, words: str) -> None:
    """Bad evidence, weight or base rate raise InvalidArgument saying which and why."""
    with pytest.raises(InvalidArgument) as raised:
        call()  # type: ignore[operator]
    assert words in str(raised.value)


@given(evidence, evidence, st.floats(min_value=0, max_value=1e3), probabilities)
def test_more_supporting_evidence_never_lowers_probability(
    r: float, s: float, extra: float, a: float
) -> None:
    """Adding evidence for never lowers the projected probability."""
    before = from_evidence(r, s, base_rate=a).probability
    after = from_evidence(r + extra, s, base_rate=a).probability
    assert after >= before - CLOSE


# -- discount -----------------------------------------------------------------------


@given(opinions(), st.sampled_from([0.0, Opinion(0, 1, 0), Opinion(0, 0, 1, 0)]))
def test_no_trust_leaves_the_vacuous_opinion(opinion: Opinion, trust: object) -> None:
    """Discounting with P(T) = 0 gives the vacuous opinion with the same base rate."""
    result = discount(opinion, trust)  # type: ignore[arg-type]
    assert result.belief == result.disbelief == 0
    assert close(result, Opinion.vacuous(opinion.base_rate))


@given(opinions(), st.sampled_from([1.0, Opinion(1, 0, 0), Opinion(0, 0, 1, 1)]))
def test_full_trust_leaves_the_opinion_unchanged(
    opinion: Opinion, trust: object
) -> None:
    """Discounting with P(T) = 1 returns the opinion exactly (dogmatic stays dogmatic)."""
    assert discount(opinion, trust) == opinion  # type: ignore[arg-type]


@given(opinions(), probabilities)
def test_discount_follows_the_book(opinion: Opinion, p: float) -> None:
    """The result is b = P·b_X, d = P·d_X, u = 1 - P·(b_X + d_X), a = a_X (Jøsang 2016, Def. 14.6)."""
    result = discount(opinion, p)
    committed = opinion.belief + opinion.disbelief
    expected = Opinion(
        p * opinion.belief,
        p * opinion.disbelief,
        1 - p * committed,
        opinion.base_rate,
        # The sum of a generated opinion may miss 1 by rounding only.
    )
    assert close(result, expected)
    assert 0 <= result.probability <= 1


# vs-uulm/go-subjectivelogic, pkg/subjectivelogic/OperatorTrustDiscounting_test.go,
# TestTrustDiscounting: (trust opinion, opinion) -> discounted opinion.
GO_DISCOUNTING = [
    (op(1, 0, 0), op(0, 1, 0), op(0, 1, 0)),
    (op(1, 0, 0), op(0, 0, 1), op(0, 0, 1)),
    (op(0, 1, 0), op(0.6, 0.3, 0.1, 0), op(0, 0, 1, 0)),
    (op(0, 0, 1), op(0.6, 0.3, 0.1, 0), op(0.3, 0.15, 0.55, 0)),
    (
        op(0.6, 0.3, 0.1, 0),
        op(0.091, 0.604, 0.305, 0.4),
        op(0.0546, 0.3624, 0.583, 0.4),
    ),
    (op(0.091, 0.604, 0.305, 0.4), op(0.6, 0.3, 0.1, 0), op(0.1278, 0.0639, 0.8083, 0)),
    (
        op(0.091, 0.604, 0.305, 0.4),
        op(0.53, 0.227, 0.243, 1),
        op(0.11289, 0.048351, 0.838759, 1),
    ),
    (
        op(0.53, 0.227, 0.243, 1),
        op(0.091, 0.604, 0.305, 0.4),
        op(0.070343, 0.466892, 0.462765, 0.4),
    ),
]


@pytest.mark.parametrize(("trust", "opinion", "expected"), GO_DISCOUNTING)
def test_discount_matches_go_subjectivelogic(
    trust: Opinion, opinion: Opinion, expected: Opinion
) -> None:
    """Trust discounting gives go-subjectivelogic's expected values (OperatorTrustDiscounting_test.go)."""
    assert close(discount(opinion, trust), expected)


def test_discount_by_hand() -> None:
    """Trust (0.2, 0.4, 0.4, a=0.75) has P(T) = 0.5 and halves b and d (Def. 14.6, by hand)."""
    trust = op(0.2, 0.4, 0.4, 0.75)
    result = discount(op(0.45, 0.35, 0.2, 0.25), trust)
    assert close(result, op(0.225, 0.175, 0.6, 0.25))


def test_discount_rejects_bad_trust() -> None:
    """Trust outside [0, 1], or not an opinion or number, raises InvalidArgument."""
    for bad in (1.5, -0.1, "high", None):
        with pytest.raises(InvalidArgument, match="trust must be a probability"):
            discount(Opinion.vacuous(), bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="opinion must be an Opinion"):
        discount(0.5, 0.5)  # type: ignore[arg-type]


# -- fuse: properties ----------------------------------------------------------------


@given(opinions(), opinions(), opinions())
def test_fusion_is_commutative(x: Opinion, y: Opinion, z: Opinion) -> None:
    """Every order of the same opinions fuses to the same opinion, within 1e-9."""
    assert close(fuse(x, y), fuse(y, x))
    first = fuse(x, y, z)
    for order in itertools.permutations((x, y, z)):
        assert close(fuse(*order), first)


@given(opinions(), opinions(), opinions())
def test_fusion_is_associative(x: Opinion, y: Opinion, z: Opinion) -> None:
    """Grouping does not matter, within 1e-9, and fusing at once agrees with either grouping.

    The exceptions are the book's averages: three dogmatic opinions (Case II
    averages them) or three vacuous ones (their base rates are averaged); see
    test_dogmatic_opinions_are_averaged_at_once.
    """
    assume(not all(o.is_dogmatic for o in (x, y, z)))
    assume(not all(o.is_vacuous for o in (x, y, z)))
    left = fuse(fuse(x, y), z)
    right = fuse(x, fuse(y, z))
    assert close(left, right)
    assert close(fuse(x, y, z), left)


@given(opinions(), probabilities)
def test_vacuous_opinion_is_the_identity(x: Opinion, a: float) -> None:
    """Fusing with a vacuous opinion (any base rate) leaves a non-vacuous opinion as it was."""
    if x.is_vacuous:
        a = x.base_rate  # two vacuous opinions average their base rates
    assert close(fuse(x, Opinion.vacuous(a)), x)
    assert close(fuse(Opinion.vacuous(a), x), x)
    assert fuse(x) == x
    assert fuse() == Opinion.vacuous()


@given(st.lists(st.tuples(evidence, evidence), min_size=1, max_size=6), probabilities)
def test_fusion_adds_evidence(counts: list[tuple[float, float]], a: float) -> None:
    """Fusing opinions from evidence is the opinion from the summed evidence (Jøsang 2016, §12.3)."""
    fused = fuse(*(from_evidence(r, s, base_rate=a) for r, s in counts))
    total_r = sum(r for r, _ in counts)
    total_s = sum(s for _, s in counts)
    assert close(fused, from_evidence(total_r, total_s, base_rate=a))


@given(opinions(), opinions().filter(lambda o: o.disbelief == 0))
def test_fusing_support_never_lowers_probability(x: Opinion, y: Opinion) -> None:
    """Fusing an opinion with no disbelief (same base rate) never lowers the probability."""
    y = Opinion(y.belief, 0, y.uncertainty, x.base_rate)
    fused = fuse(x, y)
    assert fused.probability >= x.probability - CLOSE
    assert 0 <= fused.probability <= 1


@given(st.lists(opinions(), max_size=6))
def test_fusion_gives_valid_opinions(many: list[Opinion]) -> None:
    """Any number of opinions fuse to a valid opinion with no more uncertainty than any of them."""
    fused = fuse(*many)
    assert 0 <= fused.probability <= 1
    if many:
        assert fused.uncertainty <= min(o.uncertainty for o in many) + CLOSE


def test_fuse_rejects_non_opinions() -> None:
    """The error from fuse names the argument that is not an opinion."""
    with pytest.raises(InvalidArgument, match="opinion 2 of fuse must be an Opinion"):
        fuse(Opinion.vacuous(), 0.5)  # type: ignore[arg-type]


# -- fuse: worked examples -----------------------------------------------------------

# vs-uulm/go-subjectivelogic, pkg/subjectivelogic/OperatorCumulativeFusion_test.go,
# TestCumulativeFusion4 to TestCumulativeFusion12.
GO_FUSION = [
    (op(1, 0, 0), op(0, 1, 0), op(0.5, 0.5, 0)),  # two dogmatic: averaged
    (op(0, 0, 1), op(0, 0, 1), op(0, 0, 1)),  # two vacuous
    (op(1, 0, 0), op(0, 0, 1), op(1, 0, 0)),
    (op(0, 1, 0), op(0, 0, 1), op(0, 1, 0)),
    (op(0, 1, 0), op(0.6, 0.3, 0.1, 0), op(0, 1, 0)),  # the dogmatic one wins
    (op(0, 0, 1), op(0.6, 0.3, 0.1, 0), op(0.6, 0.3, 0.1, 0)),
    (
        op(0.6, 0.3, 0.1, 0),
        op(0.091, 0.604, 0.305, 0.4),
        op(0.5129506008011, 0.4056074766355, 0.08144192256342, 0.08081395348837),
    ),
    (
        op(0.091, 0.604, 0.305, 0.4),
        op(0.53, 0.227, 0.243, 1),
        op(0.3877797355899, 0.4558215600831, 0.156398704327, 0.7465267528829),
    ),
    (op(0.4, 0, 0.6), op(0.7, 0, 0.3), op(0.75, 0, 0.25)),
]


@pytest.mark.parametrize(("x", "y", "expected"), GO_FUSION)
def test_fusion_matches_go_subjectivelogic(
    x: Opinion, y: Opinion, expected: Opinion
) -> None:
    """Two-source fusion gives go-subjectivelogic's expected values, base rates included."""
    assert close(fuse(x, y), expected, tolerance=1e-12)


def test_three_sources_at_once() -> None:
    """C1, C2, C3 of Jøsang, Wang & Zhang (FUSION 2017) fuse to (0.651, 0.209, 0.140).

    The example and its result as tested in vs-uulm/subjective-logic-java,
    test/de/uulm/vs/subjectivelogic/test/TestCumulativeFusion.java
    (testCumulativeBatchFusion_nonDogmatic; inputs in TestFusionSetup.java).
    """
    c1, c2, c3 = op(0.1, 0.3, 0.6), op(0.4, 0.2, 0.4), op(0.7, 0.1, 0.2)
    fused = fuse(c1, c2, c3)
    assert close(fused, op(0.651, 0.209, 0.140), tolerance=0.001)
    # Exactly, by hand: evidence ratios b/u and d/u add up, 1/u = 1 + Σ (1-u)/u.
    assert close(fused, op(28 / 43, 9 / 43, 6 / 43))
    assert close(fuse(fuse(c1, c2), c3), fused)


def test_tri_source_associativity_of_subjective_logic_java() -> None:
    """Every sequential order of soPP, soP, soN equals the batch fusion (TestCumulativeFusion.java)."""
    # vs-uulm/subjective-logic-java, testCumulativeFusion_tri_associativity_nonDogmatic.
    very, slightly = op(0.7, 0, 0.3), op(0.3, 0, 0.7)
    against = op(0, 0.3, 0.7)
    batch = fuse(very, slightly, against)
    for a, b, c in itertools.permutations((very, slightly, against)):
        assert close(fuse(fuse(a, b), c), batch)


def test_dogmatic_opinions_are_averaged_at_once() -> None:
    """With dogmatic opinions only those count, averaged (Jøsang 2016, §12.3, Case II, equal relative dogmatism)."""
    yes, no, slightly = Opinion.dogmatic(1), Opinion.dogmatic(0), op(0.3, 0, 0.7)
    # subjective-logic-java's testCumulativeFusion_2_opinions: the book takes the
    # limits in its Eq. 12.15 as gamma_A = gamma_B = 0.5, so b, d and a are averaged.
    assert fuse(yes, no) == op(0.5, 0.5, 0)
    # "nondogmatic + dogmatic = dogmatic" (testRelativeWeights).
    assert fuse(op(0.7, 0, 0.3), yes) == yes
    # Many at once: only the dogmatic ones, each counted once.
    assert close(fuse(yes, yes, no, slightly), op(2 / 3, 1 / 3, 0))
    assert close(fuse(yes, Opinion.dogmatic(0.4, base_rate=0.1)), op(0.7, 0.3, 0, 0.3))
    # Pairwise grouping would weigh them unequally; that is why fuse takes many.
    assert close(fuse(fuse(yes, yes), no), op(0.5, 0.5, 0))


def test_vacuous_base_rates_are_averaged() -> None:
    """Vacuous opinions alone average their base rates; others ignore a vacuous one's rate."""
    assert close(fuse(Opinion.vacuous(0.2), Opinion.vacuous(0.6)), Opinion.vacuous(0.4))
    assert fuse(op(0.3, 0, 0.7, 0.9), Opinion.vacuous(0.1)).base_rate == pytest.approx(
        0.9
    )


def test_many_sources_do_not_underflow() -> None:
    """Fusing a thousand weak opinions gives the summed evidence, not a product that underflows."""
    weak = from_evidence(1, 0, prior_weight=2)
    assert close(fuse(*[weak] * 1000), from_evidence(1000, 0))


# -- the Opinions policy -------------------------------------------------------------


def trust_by_date(source: str, at: datetime) -> float:
    """Trust a source named "late" only from 2018."""
    return 0.2 if source == "late" and at.year < 2018 else 0.9


@pytest.mark.parametrize(
    "policy",
    [
        Opinions(),
        Opinions(trust={"Russian Ministry of Defence": 0.3}, default_trust=0.7),
        Opinions(trust=Opinion(0.5, 0.1, 0.4), decisive_weight=4),
        Opinions(trust=trust_by_date),
        Opinions(trust="earned"),
    ],
    ids=repr,
)
def test_opinions_meets_the_policy_contract(policy: Opinions) -> None:
    """The policy passes check_policy with every form of trust."""
    check_policy(policy)


class OpinionsMachine(LedgerMachine):
    """The ledger state machine with the Opinions policy on ledger and model."""

    policy = Opinions(trust={"a": 0.3}, default_trust=0.9)


# Whole ledgers under Opinions agree with the reference model, opinions included.
TestOpinionsLedger = OpinionsMachine.TestCase


@given(ls.report_histories(max_size=10) | ls.report_histories(plausible=False))
def test_statuses_agree_with_decide(reports: list[Report]) -> None:
    """The one-pass statuses equal decide on each prefix, for every instant."""
    ordered = canonical_order(reports)
    for policy in (
        Opinions(trust={"a": 0.2}, default_trust=0.9),
        Opinions(trust=trust_by_date),
    ):
        for end, status in policy.statuses(ordered):
            assert policy.decide(ordered[:end]).status is status


def verdict(
    kinds: Sequence[tuple[str, date, str]], policy: Opinions | None = None
) -> Verdict:
    """The policy's verdict on reports given as (kind, day, source)."""
    chosen = Opinions() if policy is None else policy
    return chosen.decide([report(kind, day, source) for kind, day, source in kinds])


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([], Status.UNKNOWN),
        ([("claimed", D1, "a")], Status.CLAIMED),
        ([("disputed", D1, "a")], Status.DISPUTED),
        ([("claimed", D1, "a"), ("disputed", D2, "b")], Status.DISPUTED),
        ([("confirmed", D1, "a")], Status.CONFIRMED),
        ([("refuted", D1, "a")], Status.REFUTED),
        ([("confirmed", D1, "a"), ("disputed", D2, "b")], Status.CONFIRMED),
        ([("confirmed", D1, "a"), ("refuted", D2, "b")], Status.DISPUTED),
        ([("claimed", D1, f"s{i}") for i in range(7)], Status.CLAIMED),
        ([("claimed", D1, f"s{i}") for i in range(8)], Status.CONFIRMED),
        (
            [
                ("claimed", D1, "mod"),
                ("disputed", D1, "coalition"),
                ("refuted", D3, "IS"),
            ],
            Status.REFUTED,
        ),
    ],
)
def test_status_thresholds(
    kinds: list[tuple[str, date, str]], expected: Status
) -> None:
    """Trusting every source fully, the documented thresholds give these statuses."""
    assert verdict(kinds).status is expected


def test_a_confirmation_by_hand() -> None:
    """One trusted confirmation is (10/12, 0, 2/12): P = 11/12, u = 1/6 (confirmed)."""
    result = verdict([("confirmed", D1, "US")])
    assert result.opinion is not None
    assert close(result.opinion, op(10 / 12, 0, 2 / 12))
    assert result.opinion.probability == pytest.approx(11 / 12)


def test_founding_case_on_two_dates() -> None:
    """A claim and a dispute are disputed in June 2017; the audio's refutation settles it."""
    claim = report("claimed", D1, "Russian Ministry of Defence")
    dispute = report("disputed", D1, "US-led coalition")
    refutation = report("refuted", D3, "IS audio recording")
    with Ledger(policy=Opinions()) as ledger:
        ledger.record(claim, dispute, refutation)
        june = ledger.belief(KEY, on=date(2017, 6, 20))
        october = ledger.belief(KEY, on=date(2017, 10, 1))
    assert june.status is Status.DISPUTED
    assert june.opinion is not None
    assert close(june.opinion, op(1 / 4, 1 / 4, 1 / 2))
    assert june.probability == pytest.approx(0.5)
    assert october.status is Status.REFUTED
    assert october.decided_by == (dispute, refutation)
    assert october.challenges == (claim,)
    assert october.probability == pytest.approx(2 / 14)


def test_repeating_a_report_adds_no_evidence() -> None:
    """A source saying the same thing again leaves the opinion as one report gives it."""
    once = verdict([("claimed", D1, "a")])
    thrice = verdict([("claimed", D1, "a"), ("claimed", D2, "a"), ("claimed", D3, "a")])
    assert thrice.opinion == once.opinion
    assert [r.reported_at for r in thrice.decided_by] == [D3]


def test_a_later_report_replaces_the_stance() -> None:
    """A source that claims and later refutes counts only with its refutation."""
    result = verdict([("claimed", D1, "a"), ("refuted", D2, "a")])
    assert result.opinion == verdict([("refuted", D2, "a")]).opinion
    assert result.status is Status.REFUTED
    assert [r.kind for r in result.decided_by] == [Kind.REFUTED]
    assert result.challenges == ()
    # At one instant, canonical order decides: refuted sorts after confirmed.
    tie = verdict([("refuted", D1, "a"), ("confirmed", D1, "a")])
    assert tie.status is Status.REFUTED


def test_trust_is_discounted_per_source() -> None:
    """Each source's opinion is discounted by its own trust before fusion."""
    policy = Opinions(trust={"US": 0.5}, default_trust=0.0)
    result = verdict([("confirmed", D1, "US"), ("refuted", D1, "troll")], policy)
    assert result.opinion is not None
    # The refutation of an untrusted source adds nothing; half trust in the
    # confirmation: b = 0.5·10/12, u = 1 - b.
    assert close(result.opinion, op(5 / 12, 0, 7 / 12))
    assert result.status is Status.CLAIMED
    # Trust as an opinion counts with its projected probability.
    as_opinion = Opinions(trust={"US": op(0.2, 0.4, 0.4, 0.75)}, default_trust=0.0)
    again = verdict([("confirmed", D1, "US"), ("refuted", D1, "troll")], as_opinion)
    assert again.opinion is not None
    assert close(again.opinion, result.opinion)


def test_trust_from_a_callable_sees_source_and_instant() -> None:
    """A trust callable gets the source and the instant the latest report became known."""
    seen: list[tuple[str, datetime]] = []

    def trust(source: str, at: datetime) -> float:
        seen.append((source, at))
        return 1.0

    verdict([("claimed", D1, "a"), ("disputed", D2, "b")], Opinions(trust=trust))
    instant = datetime(2017, 6, 20, tzinfo=UTC)
    assert sorted(seen) == [("a", instant), ("b", instant)]
    bad = Opinions(trust=lambda source, at: 2.0)
    with pytest.raises(
        InvalidArgument, match=r"trust\('a', .*\) must be a probability"
    ):
        verdict([("claimed", D1, "a")], bad)


def test_unbound_earned_trust_is_one_half() -> None:
    """trust="earned" not bound trusts everyone at 0.5; with_trust binds a copy."""
    earned = Opinions(trust="earned", decisive_weight=6)
    assert earned.earned
    assert earned.trust_in("anyone", datetime(2017, 1, 1, tzinfo=UTC)) == 0.5
    half = Opinions(trust=0.5, decisive_weight=6)
    kinds = [("confirmed", D1, "a"), ("disputed", D2, "b")]
    assert verdict(kinds, earned) == verdict(kinds, half)
    bound = earned.with_trust({"a": from_evidence(3, 0)}, default=0.1)
    assert not bound.earned
    assert bound.decisive_weight == 6
    assert bound.trust_in("a", datetime(2017, 1, 1, tzinfo=UTC)) == pytest.approx(0.8)
    assert bound.trust_in("b", datetime(2017, 1, 1, tzinfo=UTC)) == 0.1
    assert earned.trust == "earned"  # the original is unchanged


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (
            {"trust": 1.5},
            "trust must be a probability in [0, 1], an Opinion, a mapping",
        ),
        ({"trust": "high"}, "or 'earned' (got 'high')"),
        ({"trust": {"a": -1}}, "trust['a'] must be a probability"),
        ({"default_trust": "x"}, "default_trust must be a probability"),
        (
            {"decisive_weight": 0.5},
            "decisive_weight must be a finite number at least 1",
        ),
        ({"prior_weight": 0}, "prior_weight must be a finite number greater than 0"),
        ({"confirm_at": 0.1}, "refute_at must be less than confirm_at"),
        ({"max_uncertainty": 2}, "max_uncertainty must be a number in [0, 1]"),
    ],
)
def test_opinions_rejects_bad_parameters(
    arguments: dict[str, object], words: str
) -> None:
    """Bad parameters raise InvalidArgument naming the parameter and the value."""
    with pytest.raises(InvalidArgument) as raised:
        Opinions(**arguments)  # type: ignore[arg-type]
    assert words in str(raised.value)


def test_repr_names_every_parameter() -> None:
    """The repr is stable and shows the parameters, so views can tell policies apart."""
    assert repr(Opinions()) == (
        "Opinions(trust=1.0, default_trust=0.5, decisive_weight=10.0, "
        "prior_weight=2.0, base_rate=0.5, confirm_at=0.8, refute_at=0.2, "
        "max_uncertainty=0.2)"
    )
    assert "trust=<tests.test_opinions.trust_by_date>" in repr(
        Opinions(trust=trust_by_date)
    )


def test_beliefs_carry_the_opinion_only_under_opinions() -> None:
    """Belief.opinion and probability come from Opinions; the default policy leaves them None."""
    claim = report("claimed", D1, "a")
    with Ledger(policy=Opinions()) as ledger:
        ledger.record(claim)
        belief = ledger.belief(KEY, on=D2)
        assert belief.opinion == from_evidence(1, 0)
        assert belief.probability == pytest.approx(2 / 3)
        assert ledger.belief("nothing-here", on=D2).probability is None
    with Ledger(policy=LatestDecisiveWord()) as ledger:
        ledger.record(claim)
        assert ledger.belief(KEY, on=D2).opinion is None
    assert Belief(proposition=KEY, status=Status.UNKNOWN).probability is None
