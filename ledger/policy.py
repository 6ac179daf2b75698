"""Belief policies: how the reports known at some time become a status.

A policy sees the reports about one proposition that are known at the query time
(struck ones removed), in canonical order, and returns a :class:`Verdict`. It
must depend only on the *set* of reports it is given. Everything else about a
belief (``since``, the timeline, ``occurred_at``) is derived from verdicts by
:mod:`ledger.projections`, so a new policy is one method.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs

from ledger.values import Kind, Report, Status

if TYPE_CHECKING:
    # ledger.opinions imports this module; the annotation needs only the name.
    from ledger.opinions import Opinion

__all__ = ["BeliefPolicy", "LatestDecisiveWord", "Verdict", "canonical_order"]


@attrs.frozen
class Verdict:
    """A policy's answer: the status, the reports that decide it, and challenges.

    ``opinion`` is the subjective-logic opinion behind the status, for policies
    that form one (:class:`ledger.opinions.Opinions`); None otherwise.
    """

    status: Status
    decided_by: tuple[Report, ...] = ()
    challenges: tuple[Report, ...] = ()
    opinion: Opinion | None = None


@runtime_checkable
class BeliefPolicy(Protocol):
    """Turns the reports known about one proposition into a verdict."""

    def decide(self, reports: Sequence[Report]) -> Verdict:
        """Decide on ``reports``: those known at the query time, in canonical order."""
        ...


_KIND_ORDER = {kind: index for index, kind in enumerate(Kind)}


def _sort_key(report: Report) -> tuple[object, ...]:
    return (report.known_from, _KIND_ORDER[report.kind], report.report_id)


def canonical_order(reports: Sequence[Report]) -> list[Report]:
    """Sort reports by when they became known, then kind, then ``report_id``.

    Report ids are unique within a ledger, so this order is total: any recording
    order of the same set gives the same list.
    """
    return sorted(reports, key=_sort_key)


class LatestDecisiveWord:
    """The default policy, "latest decisive word".

    1. No reports: unknown.
    2. Decisive reports (confirmed, refuted): those with the latest ``reported_at``
       decide; all of one kind give that kind, both kinds at that instant give
       disputed. Claims and disputes made no earlier are listed as challenges.
    3. Else any dispute: disputed (decided by the disputes).
    4. Else: claimed (decided by the claims).
    """

    def decide(self, reports: Sequence[Report]) -> Verdict:
        """Apply the policy to ``reports`` (any order)."""
        if not reports:
            return Verdict(Status.UNKNOWN)
        decisive = [report for report in reports if report.kind.decisive]
        if decisive:
            latest = max(report.known_from for report in decisive)
            deciders = tuple(
                canonical_order([r for r in decisive if r.known_from == latest])
            )
            kinds = {report.kind for report in deciders}
            if kinds == {Kind.CONFIRMED}:
                status = Status.CONFIRMED
            elif kinds == {Kind.REFUTED}:
                status = Status.REFUTED
            else:
                status = Status.DISPUTED
            challenges = tuple(
                canonical_order(
                    [
                        r
                        for r in reports
                        if not r.kind.decisive and r.known_from >= latest
                    ]
                )
            )
            return Verdict(status, deciders, challenges)
        disputes = [report for report in reports if report.kind is Kind.DISPUTED]
        if disputes:
            return Verdict(Status.DISPUTED, tuple(canonical_order(disputes)))
        return Verdict(Status.CLAIMED, tuple(canonical_order(reports)))

    def statuses(self, reports: Sequence[Report]) -> list[tuple[int, Status]]:
        """The status after each instant at which reports became known, in one pass.

        ``reports`` are in canonical order; returns ``(end, status)`` pairs where
        ``reports[:end]`` are known at that instant. Equal to calling
        :meth:`decide` on each of those prefixes, in linear time.
        """
        result: list[tuple[int, Status]] = []
        latest = None
        kinds: set[Kind] = set()
        disputed = False
        for end, report in enumerate(reports, start=1):
            if report.kind.decisive:
                if latest is None or report.known_from > latest:
                    latest, kinds = report.known_from, {report.kind}
                else:
                    kinds.add(report.kind)
            elif report.kind is Kind.DISPUTED:
                disputed = True
            if end < len(reports) and reports[end].known_from == report.known_from:
                continue
            if len(kinds) == 2:
                status = Status.DISPUTED
            elif kinds:
                status = Status.CONFIRMED if Kind.CONFIRMED in kinds else Status.REFUTED
            else:
                status = Status.DISPUTED if disputed else Status.CLAIMED
            result.append((end, status))
        return result

    def __repr__(self) -> str:
        return "LatestDecisiveWord()"
