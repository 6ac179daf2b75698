"""Pure folds from reports to beliefs: the one place answers are computed.

Every query of :class:`~ledger.Ledger` filters the reports it holds (by knowledge
time ``reported_at`` and, for audits, by system time ``recorded_at``), puts them
in canonical order and folds them here. The same functions serve the in-memory
answer, any materialised view and the tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

import attrs

from ledger import _time
from ledger._time import TimePoint
from ledger.policy import BeliefPolicy, Verdict, canonical_order
from ledger.values import Belief, Entry, Report, Status

__all__ = [
    "Period",
    "active_reports",
    "belief_at",
    "happened_by",
    "periods",
    "status_periods",
    "statuses",
    "timeline",
]


def active_reports(
    entries: Iterable[Entry], *, recorded: datetime | None
) -> list[Report]:
    """The reports that count as held at system time ``recorded`` (None: now).

    An entry counts if it was recorded by then and not struck by then.
    """
    reports = []
    for entry in entries:
        if recorded is not None and entry.recorded_at > recorded:
            continue
        strike = entry.strike
        if strike is not None and (recorded is None or strike.recorded_at <= recorded):
            continue
        reports.append(entry.report)
    return reports


def statuses(
    reports: Sequence[Report], policy: BeliefPolicy
) -> list[tuple[int, Status]]:
    """The status after each instant at which reports became known.

    ``reports`` must be in canonical order. Returns ``(end, status)`` pairs, where
    ``reports[:end]`` are the reports known at that instant. Uses the policy's
    own linear ``statuses`` method when it has one, else calls ``decide`` on
    each prefix.
    """
    fold = getattr(policy, "statuses", None)
    if callable(fold):
        result: list[tuple[int, Status]] = fold(reports)
        return result
    ends = []
    end = 0
    for _, group in itertools.groupby(reports, key=lambda report: report.known_from):
        end += sum(1 for _ in group)
        ends.append(end)
    return [(end, policy.decide(reports[:end]).status) for end in ends]


def _belief(
    proposition: str,
    known: Sequence[Report],
    verdict: Verdict,
    since: Report | None,
) -> Belief:
    supporting = tuple(report for report in known if report.kind.supports)
    opposing = tuple(report for report in known if not report.kind.supports)
    occurred = [report.occurred_at for report in supporting if report.occurred_at]
    statements = [report.statement for report in known if report.statement]
    return Belief(
        proposition=proposition,
        status=verdict.status,
        since=None if since is None else since.reported_at,
        decided_by=verdict.decided_by,
        supporting=supporting,
        opposing=opposing,
        challenges=verdict.challenges,
        occurred_at=occurred[-1] if occurred else None,
        statement=statements[-1] if statements else None,
        opinion=verdict.opinion,
    )


def timeline(
    proposition: str, reports: Iterable[Report], policy: BeliefPolicy
) -> tuple[Belief, ...]:
    """The belief at the start of each period in which the status held.

    Consecutive periods have different statuses; the first starts with the
    earliest report.
    """
    ordered = canonical_order(list(reports))
    result: list[Belief] = []
    start = 0
    previous = None
    for end, status in statuses(ordered, policy):
        if status is not previous:
            known = ordered[:end]
            result.append(
                _belief(proposition, known, policy.decide(known), ordered[start])
            )
            previous = status
        start = end
    return tuple(result)


@attrs.frozen
class Period:
    """One period of a timeline: the status from ``since``, and what decided it.

    The belief of :func:`timeline` at the period's start without its evidence
    lists: ``decided_by`` and ``challenges`` as the policy gave them, and how
    many reports were ``supporting`` and ``opposing`` by then, so a timeline of
    many periods stays linear in its reports.
    """

    proposition: str
    status: Status
    since: TimePoint
    decided_by: tuple[Report, ...] = ()
    challenges: tuple[Report, ...] = ()
    supporting: int = 0
    opposing: int = 0
    occurred_at: TimePoint | None = None
    statement: str | None = None


def status_periods(
    proposition: str, reports: Iterable[Report], policy: BeliefPolicy
) -> Iterator[Period]:
    """The periods of :func:`timeline`, one at a time, in memory linear in reports.

    Each period has the status, ``since``, ``decided_by``, ``challenges``,
    ``occurred_at`` and ``statement`` of the corresponding :func:`timeline`
    belief, and the lengths of its ``supporting`` and ``opposing``.
    """
    ordered = canonical_order(list(reports))
    start = supporting = opposing = 0
    occurred: TimePoint | None = None
    statement: str | None = None
    previous = None
    for end, status in statuses(ordered, policy):
        for report in itertools.islice(ordered, start, end):
            if report.kind.supports:
                supporting += 1
                if report.occurred_at is not None:
                    occurred = report.occurred_at
            else:
                opposing += 1
            if report.statement is not None:
                statement = report.statement
        if status is not previous:
            verdict = policy.decide(ordered[:end])
            yield Period(
                proposition=proposition,
                status=verdict.status,
                since=ordered[start].reported_at,
                decided_by=verdict.decided_by,
                challenges=verdict.challenges,
                supporting=supporting,
                opposing=opposing,
                occurred_at=occurred,
                statement=statement,
            )
            previous = status
        start = end


def periods(
    reports: Iterable[Report], policy: BeliefPolicy
) -> list[tuple[datetime, Status]]:
    """The start (UTC instant) and status of each period of :func:`timeline`."""
    ordered = canonical_order(list(reports))
    result: list[tuple[datetime, Status]] = []
    start = 0
    for end, status in statuses(ordered, policy):
        if not result or result[-1][1] is not status:
            result.append((ordered[start].known_from, status))
        start = end
    return result


def belief_at(
    proposition: str,
    reports: Iterable[Report],
    cutoff: datetime,
    policy: BeliefPolicy,
) -> Belief:
    """The belief from the reports known at the UTC instant ``cutoff``."""
    known = [r for r in canonical_order(list(reports)) if r.known_from <= cutoff]
    history = statuses(known, policy)
    if not history:
        return Belief(proposition=proposition, status=Status.UNKNOWN)
    verdict = policy.decide(known)
    since_index = 0
    for end, earlier in reversed(history[:-1]):
        if earlier is not verdict.status:
            since_index = end
            break
    return _belief(proposition, known, verdict, known[since_index])


def happened_by(belief: Belief, cutoff: datetime) -> bool:
    """Whether a belief's proposition had happened by the instant ``cutoff``.

    Uses ``occurred_at`` when known, else the earliest supporting report: what is
    reported as done was done by the time it was reported.
    """
    if belief.occurred_at is not None:
        return _time.start(belief.occurred_at) <= cutoff
    return any(report.known_from <= cutoff for report in belief.supporting)
