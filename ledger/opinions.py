"""Trust-weighted opinions: subjective logic after A. Jøsang, *Subjective Logic*.

An :class:`Opinion` ``(belief, disbelief, uncertainty, base_rate)`` says how
much evidence speaks for a proposition, how much against, how much is missing,
and what to expect without any (A. Jøsang, *Subjective Logic: A Formalism for
Reasoning Under Uncertainty*, Springer 2016, ch. 3). The operators are plain
functions: :func:`from_evidence` (the book's mapping from evidence counts to a
binomial opinion, ch. 3), :func:`discount` (probability-sensitive trust
discounting, ch. 14, Def. 14.6) and :func:`fuse` (cumulative belief fusion of
any number of opinions at once, ch. 12, §12.3). Where published implementations
disagree, the book's definitions are followed.

:class:`Opinions` is a belief policy built from them: each source's latest
report gives one opinion, discounted by the trust in that source; all of them
are fused, and the status follows documented thresholds on the result.

``TOLERANCE`` (``1e-9``) is how far ``belief + disbelief + uncertainty`` may be
from 1 in a valid opinion; results of the operators are within rounding of 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Literal, TypeAlias

import attrs

from ledger.errors import InvalidArgument
from ledger.policy import Verdict, canonical_order
from ledger.values import Kind, Report, Status

__all__ = [
    "TOLERANCE",
    "Opinion",
    "Opinions",
    "Trust",
    "TrustValue",
    "discount",
    "from_evidence",
    "fuse",
]

TOLERANCE = 1e-9
"""How far belief + disbelief + uncertainty of a valid opinion may be from 1."""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _to_float(value: object) -> object:
    # Numbers become floats; anything else is left for the validator to name.
    return float(value) if _is_number(value) else value  # type: ignore[arg-type]


def _unit(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    _check_unit(attribute.name, value)


def _check_unit(name: str, value: object) -> float:
    if not _is_number(value) or not 0 <= value <= 1:  # type: ignore[operator]
        msg = f"{name} must be a number in [0, 1] (got {value!r})"
        raise InvalidArgument(msg)
    return float(value)  # type: ignore[arg-type]


def _check_positive(name: str, value: object, *, minimum: float = 0.0) -> float:
    if (
        not _is_number(value)
        or not math.isfinite(value)  # type: ignore[arg-type]
        or not value > minimum  # type: ignore[operator]
    ):
        bound = "greater than 0" if minimum == 0 else f"at least {minimum:g}"
        msg = f"{name} must be a finite number {bound} (got {value!r})"
        raise InvalidArgument(msg)
    return float(value)  # type: ignore[arg-type]


@attrs.frozen
class Opinion:
    """A binomial opinion about one proposition (Jøsang 2016, ch. 3).

    ``belief``, ``disbelief`` and ``uncertainty`` are the masses for, against
    and not yet committed; ``base_rate`` is the prior probability, used for the
    uncommitted mass. Each is in [0, 1] and the first three sum to 1 within
    :data:`TOLERANCE`; otherwise InvalidArgument names the field, what was
    expected and what arrived.
    """

    belief: float = attrs.field(converter=_to_float, validator=_unit)
    disbelief: float = attrs.field(converter=_to_float, validator=_unit)
    uncertainty: float = attrs.field(converter=_to_float, validator=_unit)
    base_rate: float = attrs.field(default=0.5, converter=_to_float, validator=_unit)

    def __attrs_post_init__(self) -> None:
        total = self.belief + self.disbelief + self.uncertainty
        if abs(total - 1) > TOLERANCE:
            msg = (
                "belief + disbelief + uncertainty must be 1 within "
                f"{TOLERANCE:g} (got {self.belief!r} + {self.disbelief!r} + "
                f"{self.uncertainty!r} = {total!r})"
            )
            raise InvalidArgument(msg)

    @classmethod
    def vacuous(cls, base_rate: float = 0.5) -> Opinion:
        """The opinion of no evidence at all: uncertainty 1."""
        return cls(0.0, 0.0, 1.0, base_rate=base_rate)

    @classmethod
    def dogmatic(cls, probability: float, *, base_rate: float = 0.5) -> Opinion:
        """The opinion without uncertainty whose projected probability is given."""
        p = _check_unit("probability", probability)
        return cls(p, 1.0 - p, 0.0, base_rate=base_rate)

    @property
    def probability(self) -> float:
        """The projected probability ``belief + base_rate * uncertainty``."""
        return min(1.0, self.belief + self.base_rate * self.uncertainty)

    @property
    def is_dogmatic(self) -> bool:
        """Whether the opinion has no uncertainty at all (``uncertainty == 0``)."""
        return self.uncertainty == 0

    @property
    def is_vacuous(self) -> bool:
        """Whether the opinion commits no mass (``belief == disbelief == 0``)."""
        return self.belief == 0 and self.disbelief == 0


def _opinion(belief: float, disbelief: float, uncertainty: float, a: float) -> Opinion:
    # Results of the operators: only rounding can take them out of [0, 1].
    def clamp(x: float) -> float:
        return min(1.0, max(0.0, x))

    return Opinion(
        clamp(belief), clamp(disbelief), clamp(uncertainty), base_rate=clamp(a)
    )


def from_evidence(
    r: float, s: float, *, prior_weight: float = 2, base_rate: float = 0.5
) -> Opinion:
    """The opinion from ``r`` observations for and ``s`` against (Jøsang 2016, ch. 3).

    With W = ``prior_weight``: ``b = r/(r+s+W)``, ``d = s/(r+s+W)``,
    ``u = W/(r+s+W)``, ``a = base_rate``. Evidence is a finite number >= 0 and
    W a finite number > 0 (the book's default is 2).
    """
    for name, value in (("r", r), ("s", s)):
        if not _is_number(value) or not math.isfinite(value) or value < 0:
            msg = f"{name} must be a finite number >= 0 (got {value!r})"
            raise InvalidArgument(msg)
    weight = _check_positive("prior_weight", prior_weight)
    _check_unit("base_rate", base_rate)
    total = r + s + weight
    if not math.isfinite(total):
        msg = f"r + s + prior_weight must be finite (got {r!r} + {s!r} + {weight!r})"
        raise InvalidArgument(msg)
    return _opinion(r / total, s / total, weight / total, base_rate)


def _check_opinion(value: object, name: str) -> None:
    if not isinstance(value, Opinion):
        msg = f"{name} must be an Opinion (got {value!r})"
        raise InvalidArgument(msg)


TrustValue: TypeAlias = float | Opinion
"""Trust in a source: the probability that it is right, or an opinion about that."""


def _trust_probability(trust: object, name: str = "trust") -> float:
    if isinstance(trust, Opinion):
        return trust.probability
    if not _is_number(trust) or not 0 <= trust <= 1:  # type: ignore[operator]
        msg = f"{name} must be a probability in [0, 1] or an Opinion (got {trust!r})"
        raise InvalidArgument(msg)
    return float(trust)  # type: ignore[arg-type]


def discount(opinion: Opinion, trust: TrustValue) -> Opinion:
    """``opinion`` as seen through ``trust`` in its source (Jøsang 2016, Def. 14.6).

    The book's probability-sensitive trust discounting: with P(T) the projected
    probability of ``trust`` (an :class:`Opinion`, or a probability given
    directly), ``b = P(T)·b_X``, ``d = P(T)·d_X``, ``u = 1 - P(T)·(b_X + d_X)``,
    ``a = a_X``. Full trust leaves the opinion as it is; no trust leaves the
    vacuous opinion with the same base rate.
    """
    _check_opinion(opinion, "opinion")
    p = _trust_probability(trust)
    committed = opinion.belief + opinion.disbelief
    # u_X + (1 - P)(b_X + d_X) equals 1 - P·(b_X + d_X) but gives u_X exactly
    # for full trust, so a dogmatic opinion stays dogmatic.
    return _opinion(
        p * opinion.belief,
        p * opinion.disbelief,
        opinion.uncertainty + (1 - p) * committed,
        opinion.base_rate,
    )


def fuse(*opinions: Opinion) -> Opinion:
    """The cumulative fusion of ``opinions``, all at once (Jøsang 2016, §12.3).

    For N opinions none of which is dogmatic (Case I of the book):

        b = Σ_A b_A Π_{A'≠A} u_A' / (Σ_A Π_{A'≠A} u_A' - (N-1) Π_A u_A)
        u = Π_A u_A / (Σ_A Π_{A'≠A} u_A' - (N-1) Π_A u_A)

    and the book's fused base rate, the average of the ``a_A`` weighted by
    ``(1 - u_A) Π_{A'≠A} u_A'`` (the plain average when every opinion is
    vacuous); for two opinions this is the book's
    ``(a_A u_B + a_B u_A - (a_A + a_B) u_A u_B) / (u_A + u_B - 2 u_A u_B)``.
    In evidence terms the amounts of evidence add up, and base rates are
    averaged by amount of evidence. If some are dogmatic (Case II, u = 0),
    only those count (the Case I formula would be 0/0 with two of them): the
    book takes their relative dogmatism as equal, so their beliefs, disbeliefs
    and base rates are averaged. ``fuse()`` is the vacuous opinion;
    ``fuse(x)`` is ``x``.

    Fusion is commutative, the vacuous opinion changes nothing (except the base
    rate of another vacuous opinion, averaged as the book says), and grouping
    does not matter within rounding, except for three or more dogmatic (or
    three or more vacuous) opinions, whose averages depend on grouping: fuse
    such opinions in one call.
    """
    for index, opinion in enumerate(opinions):
        _check_opinion(opinion, f"opinion {index + 1} of fuse")
    if not opinions:
        return Opinion.vacuous()
    if len(opinions) == 1:
        return opinions[0]
    dogmatic = [o for o in opinions if o.is_dogmatic]
    if dogmatic:
        n = len(dogmatic)
        return _opinion(
            sum(o.belief for o in dogmatic) / n,
            sum(o.disbelief for o in dogmatic) / n,
            0.0,
            sum(o.base_rate for o in dogmatic) / n,
        )
    # The book's formula with numerator and denominator divided by the product
    # of the uncertainties and multiplied by the least one, m: the same value,
    # without products that underflow when many opinions are fused.
    m = min(o.uncertainty for o in opinions)
    belief = disbelief = evidence = rated = 0.0
    for o in opinions:
        weight = m / o.uncertainty
        belief += weight * o.belief
        disbelief += weight * o.disbelief
        committed = weight * (o.belief + o.disbelief)
        evidence += committed
        rated += committed * o.base_rate
    total = m + evidence
    if evidence > 0:
        rate = rated / evidence
    else:
        rate = sum(o.base_rate for o in opinions) / len(opinions)
    return _opinion(belief / total, disbelief / total, m / total, rate)


Trust: TypeAlias = (
    TrustValue
    | Mapping[str, TrustValue]
    | Callable[[str, datetime], TrustValue]
    | Literal["earned"]
)
"""How an :class:`Opinions` policy trusts sources (see its ``trust`` argument)."""

_UNBOUND_EARNED_TRUST = 0.5


def _check_trust(trust: object) -> None:
    if trust == "earned" or callable(trust):
        return
    if isinstance(trust, Mapping):
        for source, value in trust.items():
            if not isinstance(source, str):
                msg = f"trust mapping keys must be source names (got {source!r})"
                raise InvalidArgument(msg)
            _trust_probability(value, f"trust[{source!r}]")
        return
    if isinstance(trust, Opinion) or (
        _is_number(trust) and 0 <= trust <= 1  # type: ignore[operator]
    ):
        return
    msg = (
        "trust must be a probability in [0, 1], an Opinion, a mapping from "
        "source to either, a callable (source, at) returning either, or "
        f"'earned' (got {trust!r})"
    )
    raise InvalidArgument(msg)


def _describe_trust(trust: object) -> str:
    if callable(trust) and not isinstance(trust, Opinion):
        name = getattr(trust, "__qualname__", type(trust).__qualname__)
        return f"<{getattr(trust, '__module__', '?')}.{name}>"
    if isinstance(trust, Mapping):
        return repr(dict(trust))
    return repr(trust)


class Opinions:
    """The subjective-logic belief policy (Jøsang 2016): trust-weighted opinions.

    For one proposition, each source's *stance* is its latest report in
    canonical order (earlier reports of that source no longer count, so
    repeating a report adds no evidence). A stance gives evidence: a claim
    r = 1, a dispute s = 1, a confirmation r = ``decisive_weight``, a refutation
    s = ``decisive_weight`` (R, default 10: one decisive word weighs as much as
    ten claims). Each becomes :func:`from_evidence` (``prior_weight`` W, default
    2, and ``base_rate``, default 0.5), is :func:`discount`-ed by the trust in
    its source, and all are fused at once with :func:`fuse`.

    ``trust`` is one of: a probability or an :class:`Opinion` for every source
    (default 1.0: every source taken at its word); a mapping from source to
    probability or Opinion, with ``default_trust`` (default 0.5) for sources it
    does not name; a callable ``(source, at)`` returning either, where ``at`` is
    the UTC instant the latest of the reports became known (the policy sees
    reports, not the query date); or ``"earned"``, trust from each source's
    track record as of the query date. Earned trust is bound by the ledger
    through :meth:`with_trust`; a policy made with ``trust="earned"`` and not
    bound trusts every source at 0.5, as for a source with no record.

    The status follows thresholds on the fused opinion, with P its projected
    probability and u its uncertainty:

    - no reports: unknown (and no opinion);
    - P >= ``confirm_at`` (0.8) and u <= ``max_uncertainty`` (0.2): confirmed;
    - P <= ``refute_at`` (0.2) and u <= ``max_uncertainty``: refuted;
    - else, if any disbelief survives discounting (d > 0): disputed;
    - else: claimed.

    With the defaults one fully trusted confirmation (u = 1/6) settles a
    proposition, as does one refutation, while it takes eight independent,
    fully trusted claims and no disputes; a confirmation and a refutation
    from equally trusted sources leave it disputed.

    ``decided_by`` are the stances on the winning side (for: confirmed and
    claimed; against: refuted and disputed), ``challenges`` the stances on
    the other side; reports that are no longer their source's stance are in
    neither. The fused opinion is the verdict's ``opinion``.
    """

    def __init__(
        self,
        *,
        trust: Trust = 1.0,
        default_trust: TrustValue = 0.5,
        decisive_weight: float = 10,
        prior_weight: float = 2,
        base_rate: float = 0.5,
        confirm_at: float = 0.8,
        refute_at: float = 0.2,
        max_uncertainty: float = 0.2,
    ) -> None:
        _check_trust(trust)
        _trust_probability(default_trust, "default_trust")
        self.decisive_weight = _check_positive(
            "decisive_weight", decisive_weight, minimum=1.0
        )
        self.prior_weight = _check_positive("prior_weight", prior_weight)
        self.base_rate = _check_unit("base_rate", base_rate)
        self.confirm_at = _check_unit("confirm_at", confirm_at)
        self.refute_at = _check_unit("refute_at", refute_at)
        self.max_uncertainty = _check_unit("max_uncertainty", max_uncertainty)
        if not self.refute_at < self.confirm_at:
            msg = (
                "refute_at must be less than confirm_at "
                f"(got refute_at={refute_at!r}, confirm_at={confirm_at!r})"
            )
            raise InvalidArgument(msg)
        self.trust: Trust = dict(trust) if isinstance(trust, Mapping) else trust
        self.default_trust = default_trust
        weight, rate = self.prior_weight, self.base_rate
        self._evidence = {
            kind: from_evidence(r, s, prior_weight=weight, base_rate=rate)
            for kind, (r, s) in {
                Kind.CLAIMED: (1.0, 0.0),
                Kind.DISPUTED: (0.0, 1.0),
                Kind.CONFIRMED: (self.decisive_weight, 0.0),
                Kind.REFUTED: (0.0, self.decisive_weight),
            }.items()
        }

    @property
    def earned(self) -> bool:
        """Whether trust is to be earned from track records (not bound yet)."""
        return isinstance(self.trust, str) and self.trust == "earned"

    def with_trust(
        self, trust: Trust, *, default: TrustValue | None = None
    ) -> Opinions:
        """A copy of this policy with ``trust`` (and ``default`` for unnamed sources).

        This is the hook for earned trust: at each query date the caller maps
        every source to its trust as of then, e.g. ``from_evidence(right,
        wrong)`` from its track record, and decides with the copy. Every other
        parameter is kept; ``default`` None keeps ``default_trust``.
        """
        return Opinions(
            trust=trust,
            default_trust=self.default_trust if default is None else default,
            decisive_weight=self.decisive_weight,
            prior_weight=self.prior_weight,
            base_rate=self.base_rate,
            confirm_at=self.confirm_at,
            refute_at=self.refute_at,
            max_uncertainty=self.max_uncertainty,
        )

    def trust_in(self, source: str, at: datetime) -> float:
        """The probability P(T) that discounts ``source``'s opinion at ``at``."""
        trust = self.trust
        if isinstance(trust, str):  # "earned", not bound: no record yet
            return _UNBOUND_EARNED_TRUST
        if isinstance(trust, Mapping):
            value = trust.get(source, self.default_trust)
            return _trust_probability(value, f"trust[{source!r}]")
        if callable(trust) and not isinstance(trust, Opinion):
            value = trust(source, at)
            return _trust_probability(value, f"trust({source!r}, {at!r})")
        return _trust_probability(trust)

    def opinion(self, reports: Sequence[Report]) -> Opinion | None:
        """The fused opinion from ``reports`` (any order); None if there are none."""
        if not reports:
            return None
        return self._fused(_stances(canonical_order(reports)))

    def decide(self, reports: Sequence[Report]) -> Verdict:
        """Apply the policy to ``reports`` (any order)."""
        if not reports:
            return Verdict(Status.UNKNOWN)
        stances = _stances(canonical_order(reports))
        opinion = self._fused(stances)
        status = self._status(opinion)
        for_side = status in (Status.CONFIRMED, Status.CLAIMED)
        ordered = canonical_order(list(stances.values()))
        winning = tuple(r for r in ordered if r.kind.supports is for_side)
        others = tuple(r for r in ordered if r.kind.supports is not for_side)
        return Verdict(status, winning, others, opinion)

    def statuses(self, reports: Sequence[Report]) -> list[tuple[int, Status]]:
        """The status after each instant at which reports became known, in one pass.

        ``reports`` are in canonical order; returns ``(end, status)`` pairs where
        ``reports[:end]`` are known at that instant, equal to :meth:`decide` on
        each prefix. Each instant fuses the current stances once.
        """
        result: list[tuple[int, Status]] = []
        stances: dict[str, Report] = {}
        for end, report in enumerate(reports, start=1):
            stances[report.source] = report
            if end < len(reports) and reports[end].known_from == report.known_from:
                continue
            result.append((end, self._status(self._fused(stances))))
        return result

    def _fused(self, stances: Mapping[str, Report]) -> Opinion:
        at = max(report.known_from for report in stances.values())
        # Sorted by source, so that the floating-point sums (and thus the
        # verdict) do not depend on the order the reports came in.
        return fuse(
            *(
                discount(
                    self._evidence[stances[source].kind], self.trust_in(source, at)
                )
                for source in sorted(stances)
            )
        )

    def _status(self, opinion: Opinion) -> Status:
        p = opinion.probability
        settled = opinion.uncertainty <= self.max_uncertainty
        if settled and p >= self.confirm_at:
            return Status.CONFIRMED
        if settled and p <= self.refute_at:
            return Status.REFUTED
        if opinion.disbelief > 0:
            return Status.DISPUTED
        return Status.CLAIMED

    def __repr__(self) -> str:
        return (
            f"Opinions(trust={_describe_trust(self.trust)}, "
            f"default_trust={self.default_trust!r}, "
            f"decisive_weight={self.decisive_weight!r}, "
            f"prior_weight={self.prior_weight!r}, base_rate={self.base_rate!r}, "
            f"confirm_at={self.confirm_at!r}, refute_at={self.refute_at!r}, "
            f"max_uncertainty={self.max_uncertainty!r})"
        )


def _stances(ordered: Sequence[Report]) -> dict[str, Report]:
    # The last report of each source in canonical order is its stance.
    return {report.source: report for report in ordered}
