"""Beyond one status word: explanations, per-source views, track records, answers.

Every function here is pure: it folds ``(key, reports)`` pairs, as
:meth:`Ledger.known <ledger.Ledger.known>` yields them (the counting reports
known by a date, in canonical order, keys sorted), with a policy. So each answer
uses only the reports known by ``on``, honours ``recorded=`` through ``known``,
and depends on the *set* of reports, never on the order they were recorded.
:class:`AnalysisQueries` puts them on the :class:`~ledger.Ledger`.

Track record, as of a date D, of a source S (PRODUCT.md, "Track record as of D"):

- S's *stance* on a proposition P is the kind of S's latest report on P (in
  canonical order): claimed or confirmed is *for*, disputed or refuted *against*;
- P's *outcome without S* is P's status under the default policy
  (:class:`~ledger.policy.LatestDecisiveWord`) over the reports of every other
  source, so a source cannot vindicate itself;
- *right*: for and confirmed, or against and refuted; *wrong*: for and refuted,
  or against and confirmed; *open*: anything else.

Competing answers: a proposition answers a question on D when its reports known
by D name that question (:func:`question_of`). :func:`answers` ranks them from
most to least believed (see there for the rules).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from ledger import _time, projections
from ledger._time import TimePoint
from ledger.errors import ConflictingReport, InvalidArgument
from ledger.opinions import Opinion, Opinions, from_evidence
from ledger.policy import BeliefPolicy, LatestDecisiveWord, canonical_order
from ledger.values import Belief, Kind, Report, Status, normalise_name

if TYPE_CHECKING:
    from ledger.values import Entry

__all__ = [
    "AnalysisQueries",
    "Known",
    "Mark",
    "RecordEntry",
    "Stance",
    "TrackRecord",
    "according_to",
    "answers",
    "bind_policy",
    "check_questions",
    "earned_trust",
    "explain",
    "question_of",
    "sources",
    "track_record",
    "track_records",
    "with_rivals",
]

Known = Iterable[tuple[str, Sequence[Report]]]
"""``(key, reports)`` pairs: each proposition's counting reports known by a date,
in canonical order, as :meth:`Ledger.known <ledger.Ledger.known>` yields them."""

_DEFAULT = LatestDecisiveWord()
_QUOTE_LENGTH = 60
_SHOWN_REPORTS = 3
_NOUNS = {
    Kind.CLAIMED: ("claim", "claims"),
    Kind.DISPUTED: ("dispute", "disputes"),
    Kind.CONFIRMED: ("confirmation", "confirmations"),
    Kind.REFUTED: ("refutation", "refutations"),
}


class Stance(enum.Enum):
    """Which side a source takes on a proposition: its latest report's side."""

    FOR = "for"
    AGAINST = "against"


class Mark(enum.Enum):
    """How a source's stance compares with the outcome without it."""

    RIGHT = "right"
    WRONG = "wrong"
    OPEN = "open"


@attrs.frozen
class RecordEntry:
    """One proposition in a source's track record.

    ``stance`` is the source's side; ``outcome`` the proposition's status under
    the default policy without the source's reports; ``decided_by`` the reports
    that decided that outcome; ``mark`` whether the stance was right, wrong or
    still open.
    """

    proposition: str
    stance: Stance
    outcome: Status
    decided_by: tuple[Report, ...]
    mark: Mark


@attrs.frozen
class TrackRecord:
    """How often a source had been right and wrong, as of the date ``on``.

    ``entries`` has one :class:`RecordEntry` per proposition the source had
    reported on by then, sorted by key; ``right``, ``wrong`` and ``open``
    count them.
    """

    source: str
    on: TimePoint
    right: int = 0
    wrong: int = 0
    open: int = 0
    entries: tuple[RecordEntry, ...] = ()


# -- track records ------------------------------------------------------------


def _stance(kind: Kind) -> Stance:
    return Stance.FOR if kind.supports else Stance.AGAINST


def _mark(stance: Stance, outcome: Status) -> Mark:
    if outcome is Status.CONFIRMED:
        return Mark.RIGHT if stance is Stance.FOR else Mark.WRONG
    if outcome is Status.REFUTED:
        return Mark.RIGHT if stance is Stance.AGAINST else Mark.WRONG
    return Mark.OPEN


def _entries(
    key: str, reports: Sequence[Report], only: str | None = None
) -> Iterator[tuple[str, RecordEntry]]:
    """Each source's entry for one proposition: one fold per distinct source."""
    latest: dict[str, Report] = {}
    for report in canonical_order(reports):
        latest[report.source] = report
    for source in sorted(latest):
        if only is not None and source != only:
            continue
        without = [report for report in reports if report.source != source]
        verdict = _DEFAULT.decide(without)
        stance = _stance(latest[source].kind)
        entry = RecordEntry(
            proposition=key,
            stance=stance,
            outcome=verdict.status,
            decided_by=verdict.decided_by,
            mark=_mark(stance, verdict.status),
        )
        yield source, entry


def _record(source: str, on: TimePoint, entries: Sequence[RecordEntry]) -> TrackRecord:
    marks = [entry.mark for entry in entries]
    return TrackRecord(
        source=source,
        on=on,
        right=marks.count(Mark.RIGHT),
        wrong=marks.count(Mark.WRONG),
        open=marks.count(Mark.OPEN),
        entries=tuple(sorted(entries, key=lambda entry: entry.proposition)),
    )


def track_records(known: Known, *, on: TimePoint) -> dict[str, TrackRecord]:
    """Every source's track record as of ``on``, by source (sorted), in one pass.

    ``known`` are the reports known by ``on``. For each proposition, the
    outcome without each of its sources is one fold of the default policy.
    """
    found: dict[str, list[RecordEntry]] = {}
    for key, reports in known:
        for source, entry in _entries(key, reports):
            found.setdefault(source, []).append(entry)
    return {source: _record(source, on, found[source]) for source in sorted(found)}


def track_record(known: Known, source: str, *, on: TimePoint) -> TrackRecord:
    """The track record of ``source`` as of ``on`` (empty if it reported nothing)."""
    _check_source(source, "source")
    entries = [
        entry
        for key, reports in known
        if any(report.source == source for report in reports)
        for _, entry in _entries(key, reports, only=source)
    ]
    return _record(source, on, entries)


def earned_trust(records: Mapping[str, TrackRecord]) -> dict[str, Opinion]:
    """Trust earned by each source: ``from_evidence(right, wrong)`` of its record.

    A source with no decided entries gets the vacuous opinion (probability 0.5).
    """
    return {
        source: from_evidence(record.right, record.wrong)
        for source, record in records.items()
    }


def bind_policy(policy: BeliefPolicy, known: Known, *, on: TimePoint) -> BeliefPolicy:
    """``policy`` as it decides on ``on``: earned trust bound from ``known``.

    For ``Opinions(trust="earned")``, a copy whose trust in each source is
    :func:`earned_trust` from :func:`track_records` of ``known`` (the reports
    known by ``on``), 0.5 for a source with no record; any other policy is
    returned as it is (and ``known`` is not read).
    """
    if isinstance(policy, Opinions) and policy.earned:
        return policy.with_trust(earned_trust(track_records(known, on=on)), default=0.5)
    return policy


def sources(known: Known) -> tuple[str, ...]:
    """Every source with a report in ``known``, sorted."""
    return tuple(sorted({report.source for _, reports in known for report in reports}))


def according_to(reports: Iterable[Report], source: str) -> list[Report]:
    """The reports of ``source`` only, in the order given."""
    return [report for report in reports if report.source == source]


def _check_source(value: object, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"{name} must be a non-empty string (got {value!r})"
        raise InvalidArgument(msg)


# -- competing answers ----------------------------------------------------------


def question_of(reports: Iterable[Report]) -> str | None:
    """The question the reports' proposition answers, if any names one.

    Should two reports name different questions (which :func:`check_questions`
    refuses), the first in canonical order counts; so the answer depends only on
    the set of reports.
    """
    reports = list(reports)
    named = {report.question for report in reports if report.question is not None}
    if len(named) <= 1:
        return next(iter(named), None)
    return next(r.question for r in canonical_order(reports) if r.question)


def check_questions(
    reports: Iterable[Report], held_question_of: Callable[[str], str | None]
) -> None:
    """Refuse reports that would give one proposition two different questions.

    ``held_question_of(key)`` is the question the held reports of ``key`` name
    (None if none does); it is called once per proposition. Raises
    ConflictingReport naming the proposition and both questions; returns None
    if the batch is consistent with itself and with what is held.
    """
    named: dict[str, tuple[str, Report | None]] = {}
    asked: set[str] = set()
    for report in reports:
        if report.question is None:
            continue
        key = report.proposition
        if key not in asked:
            asked.add(key)
            held = held_question_of(key)
            if held is not None:
                named[key] = (held, None)
        first = named.setdefault(key, (report.question, report))
        if first[0] != report.question:
            where = (
                "by the reports already held"
                if first[1] is None
                else f"by report {first[1].report_id!r}"
            )
            msg = (
                f"proposition {key!r} can answer only one question: it is asked "
                f"{first[0]!r} {where} and {report.question!r} by report "
                f"{report.report_id!r}; nothing was recorded"
            )
            raise ConflictingReport(msg, field="question")


def _against_rivals(
    answer: str, own: Sequence[Report], rivals: Iterable[Sequence[Report]]
) -> list[Report]:
    """``own`` plus, for each source's stance for a rival, a report against ``answer``.

    The derived report has the stance's source, times, quote and url, kind
    disputed (for a claim) or refuted (for a confirmation), and the id
    ``<stance id>/against/<answer>``.
    """
    derived = list(own)
    for reports in rivals:
        stances: dict[str, Report] = {}
        for report in canonical_order(reports):
            stances[report.source] = report
        for stance in stances.values():
            if not stance.kind.supports:
                continue
            kind = Kind.REFUTED if stance.kind.decisive else Kind.DISPUTED
            derived.append(
                Report(
                    kind=kind,
                    proposition=answer,
                    source=stance.source,
                    reported_at=stance.reported_at,
                    occurred_at=None,
                    quote=stance.quote,
                    url=stance.url,
                    question=stance.question,
                    report_id=f"{stance.report_id}/against/{answer}",
                )
            )
    return derived


_STRENGTH = {
    Status.CONFIRMED: 0,
    Status.CLAIMED: 1,
    Status.DISPUTED: 2,
    Status.REFUTED: 3,
    Status.UNKNOWN: 4,
}


def _rank_key(belief: Belief) -> tuple[object, ...]:
    if belief.opinion is not None:
        return (-belief.opinion.probability, belief.proposition)
    since = _time.start(belief.since).timestamp() if belief.since is not None else 0
    return (_STRENGTH[belief.status], -since, belief.proposition)


def answers(
    known: Known, question: str, *, on: TimePoint, policy: BeliefPolicy
) -> tuple[Belief, ...]:
    """The propositions answering ``question`` in ``known``, most believed first.

    Under a policy that forms no opinion (the default), each answer is decided
    on its own reports and ranked by status strength (confirmed, claimed,
    disputed, refuted), then the more recent ``since`` first, then key.

    Under :class:`~ledger.opinions.Opinions`, support for one answer is evidence
    against each rival: each source's stance *for* a rival (its latest report on
    it, a claim or confirmation) also counts as a report by that source, at the
    same time, against this answer (a dispute or refutation, weighed as usual,
    with the id ``<id>/against/<answer>``). A source's stance on an answer is
    then the latest of its own reports on it and its stances for rivals. The
    answers are ranked by probability, highest first, then key.

    Each belief's ``rivals`` are the other answers confirmed on the same terms.
    """
    _check_source(question, "question")
    cutoff = _time.cutoff(on, "on")
    group = {key: reports for key, reports in known if question_of(reports) == question}
    opinions = isinstance(policy, Opinions)
    found = []
    for key, reports in group.items():
        if opinions:
            rivals = (other for name, other in group.items() if name != key)
            reports = _against_rivals(key, reports, rivals)
        found.append(projections.belief_at(key, reports, cutoff, policy))
    ranked = sorted(with_rivals(found, dict.fromkeys(group, question)), key=_rank_key)
    return tuple(ranked)


def with_rivals(
    beliefs: Iterable[Belief], questions: Mapping[str, str | None]
) -> list[Belief]:
    """``beliefs`` with ``rivals`` set: the other confirmed answers to each question.

    ``questions`` maps each belief's proposition to the question it answers.
    """
    beliefs = list(beliefs)
    confirmed: dict[str, list[str]] = {}
    for belief in beliefs:
        question = questions.get(belief.proposition)
        if question is not None and belief.status is Status.CONFIRMED:
            confirmed.setdefault(question, []).append(belief.proposition)
    result = []
    for belief in beliefs:
        question = questions.get(belief.proposition)
        rivals = tuple(
            sorted(
                k for k in confirmed.get(question or "", ()) if k != belief.proposition
            )
        )
        if question is not None and rivals != belief.rivals:
            belief = attrs.evolve(belief, rivals=rivals)
        result.append(belief)
    return result


# -- explanations ---------------------------------------------------------------


def _short(quote: str) -> str:
    text = " ".join(quote.split())
    if len(text) <= _QUOTE_LENGTH:
        return text
    cut = text[:_QUOTE_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:.!?-\u2013\u2014")
    return cut + "…"


def _count(number: int, kind: Kind) -> str:
    singular, plural = _NOUNS[kind]
    return f"{number} {singular if number == 1 else plural}"


def _counts(reports: Sequence[Report]) -> str:
    parts = [
        _count(sum(1 for r in reports if r.kind is kind), kind)
        for kind in Kind
        if any(r.kind is kind for r in reports)
    ]
    return " and ".join(parts) if len(parts) <= 2 else ", ".join(parts)


def _listed(reports: Sequence[Report]) -> str:
    items = []
    for report in reports[:_SHOWN_REPORTS]:
        item = f"{report.source}, {_time.human(report.reported_at)}"
        if report.quote is not None:
            item += f": “{_short(report.quote)}”"
        items.append(item)
    rest = reports[_SHOWN_REPORTS:]
    if rest:
        others = "; ".join(dict.fromkeys(report.source for report in rest))
        items.append(f"and {len(rest)} more, by {others}")
    return "; ".join(items)


def explain(belief: Belief) -> str:
    """A few plain sentences saying why ``belief`` is what it is, one per line.

    The status and since when; the reports that decided it (source, date and
    the first words of its quote, at most three, then who made the rest); how
    many reports were for and against; the challenges still standing; any
    rival answer to the same question that is confirmed; and, under the
    :class:`~ledger.opinions.Opinions` policy, the fused opinion. The text
    depends only on the belief, so it is the same on every backend.
    """
    key = belief.proposition
    if belief.status is Status.UNKNOWN:
        return f"{key}: unknown: no report about it was known."
    assert belief.since is not None
    lines = [f"{key}: {belief.status.value} since {_time.human(belief.since)}."]
    if belief.decided_by:
        decided = belief.decided_by
        lines.append(f"Decided by {_counts(decided)}: {_listed(decided)}.")
    lines.append(
        f"Reports for it: {len(belief.supporting)}; against it: {len(belief.opposing)}."
    )
    if belief.challenges:
        challenges = belief.challenges
        lines.append(
            f"Still challenged by {_counts(challenges)}: {_listed(challenges)}."
        )
    if belief.rivals:
        question = question_of((*belief.supporting, *belief.opposing))
        asked = "" if question is None else f" to {question}"
        if len(belief.rivals) == 1:
            lines.append(f"A rival answer{asked} is confirmed: {belief.rivals[0]}.")
        else:
            names = ", ".join(belief.rivals)
            lines.append(f"Rival answers{asked} are confirmed: {names}.")
    if belief.opinion is not None:
        o = belief.opinion
        lines.append(
            f"Probability {o.probability:.2f} (belief {o.belief:.2f}, disbelief "
            f"{o.disbelief:.2f}, uncertainty {o.uncertainty:.2f})."
        )
    return "\n".join(lines)


# -- on the ledger ----------------------------------------------------------------


class AnalysisQueries:
    """The analysis queries of :class:`~ledger.Ledger` (a mixin it inherits).

    Each is one pass over :meth:`known` folded by this module's functions.
    When the ledger's policy is ``Opinions(trust="earned")``, ``belief``,
    ``beliefs`` and :meth:`answers` on a date D bind trust earned from
    :meth:`track_records` on D (:func:`earned_trust`).
    """

    policy: BeliefPolicy

    if TYPE_CHECKING:

        def known(
            self, *, on: TimePoint, recorded: TimePoint | None = None
        ) -> Iterator[tuple[str, list[Report]]]:
            """Every proposition's counting reports known by ``on`` (the Ledger's)."""
            ...

        def history(
            self, proposition: str, *, recorded: TimePoint | None = None
        ) -> tuple[Entry, ...]:
            """Every report about ``proposition`` (the Ledger's)."""
            ...

    def sources(
        self, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> tuple[str, ...]:
        """Every source with a report known by ``on`` (held at ``recorded``), sorted."""
        return sources(self.known(on=on, recorded=recorded))

    def track_record(
        self, source: str, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> TrackRecord:
        """The track record of ``source`` as of ``on`` (see :mod:`ledger.analysis`)."""
        _check_source(source, "source")
        source = normalise_name(source)
        return track_record(self.known(on=on, recorded=recorded), source, on=on)

    def track_records(
        self, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> tuple[TrackRecord, ...]:
        """Every source's track record as of ``on``, sorted by source, in one pass."""
        found = track_records(self.known(on=on, recorded=recorded), on=on)
        return tuple(found.values())

    def answers(
        self, question: str, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> tuple[Belief, ...]:
        """The answers to ``question`` known by ``on``, most believed first.

        See :func:`ledger.analysis.answers` for the ranking.
        """
        _check_source(question, "question")
        question = normalise_name(question)
        policy = self.policy_on(on=on, recorded=recorded)
        known = self.known(on=on, recorded=recorded)
        return answers(known, question, on=on, policy=policy)

    # -- hooks for Ledger.belief and Ledger.beliefs

    def policy_on(
        self, *, on: TimePoint, recorded: TimePoint | None = None
    ) -> BeliefPolicy:
        """The policy that decides on ``on``: :attr:`policy`, earned trust bound.

        For ``Opinions(trust="earned")``, a copy whose trust in each source is
        :func:`earned_trust` from :meth:`track_records` on ``on`` (0.5 for a
        source with no record); any other policy is returned as it is. See
        :func:`bind_policy`.
        """
        policy = self.policy
        if isinstance(policy, Opinions) and policy.earned:
            known = self.known(on=on, recorded=recorded)
            return bind_policy(policy, known, on=on)
        return policy

    def _believed(
        self,
        proposition: str,
        reports: Sequence[Report],
        cutoff: datetime,
        *,
        on: TimePoint,
        recorded: TimePoint | None,
        according_to: str | None,
    ) -> Belief:
        """The belief for ``Ledger.belief``: one source's view, rivals, earned trust."""
        if according_to is not None:
            _check_source(according_to, "according_to")
            reports = [r for r in reports if r.source == according_to]
        policy = self.policy_on(on=on, recorded=recorded)
        belief = projections.belief_at(proposition, reports, cutoff, policy)
        question = question_of(r for r in reports if r.known_from <= cutoff)
        if question is None:
            return belief
        others = []
        for key, known in self.known(on=on, recorded=recorded):
            if key == proposition:
                continue
            if according_to is not None:
                known = [r for r in known if r.source == according_to]
            if question_of(known) == question:
                others.append(projections.belief_at(key, known, cutoff, policy))
        questions = {b.proposition: question for b in [belief, *others]}
        return with_rivals([belief, *others], questions)[0]

    def _with_rivals(self, beliefs: Sequence[Belief]) -> tuple[Belief, ...]:
        """``beliefs`` (every proposition's, on one date) with confirmed rivals."""
        questions = {
            belief.proposition: question_of((*belief.supporting, *belief.opposing))
            for belief in beliefs
        }
        return tuple(with_rivals(beliefs, questions))

    def _question_held(self, proposition: str) -> str | None:
        """The question the held, unstruck reports of ``proposition`` name, if any.

        For :func:`check_questions` on the write path.
        """
        try:
            entries = self.history(proposition)
        except KeyError:
            return None
        return question_of(e.report for e in entries if e.strike is None)
