"""Hypothesis entry point: ``st.from_type`` for the ledger's value classes.

Hypothesis calls :func:`_register` when it is imported, through the
``hypothesis`` entry point declared in ``pyproject.toml``. Only values a user
would generate on their own are registered: kinds, statuses and reports.
Beliefs, entries and changes are answers the ledger derives; generate reports
and ask a ledger (or :class:`ledger.testing.ReferenceLedger`) for those.

The hook may run while :mod:`ledger.strategies` is itself being imported (its
first line imports Hypothesis, which runs the hook), so it must not touch that
module: the strategies are deferred until Hypothesis first draws from them.
"""

from __future__ import annotations


def _register() -> None:
    # Imported here so that importing Hypothesis never fails on our account
    # before the hook runs, and ledger stays importable without Hypothesis.
    from hypothesis import strategies as st

    from ledger.values import Kind, Report, Status

    def kinds() -> st.SearchStrategy[Kind]:
        from ledger import strategies

        return strategies.kinds()

    def reports() -> st.SearchStrategy[Report]:
        from ledger import strategies

        return strategies.reports()

    st.register_type_strategy(Kind, st.deferred(kinds))
    st.register_type_strategy(Status, st.sampled_from(Status))
    st.register_type_strategy(Report, st.deferred(reports))
