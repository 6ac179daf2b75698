"""ledger.strategies and the Hypothesis plugin: valid, realistic, well-shrinking data."""

from __future__ import annotations

import importlib
import inspect
import re
import tomllib
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ledger import Kind, Ledger, Report, Status, _time
from ledger import strategies as ls
from ledger._hypothesis_plugin import _register
from ledger.policy import canonical_order

ROOT = Path(__file__).resolve().parent.parent


def _is_valid(report: Report) -> bool:
    attrs.validate(report)
    return all(
        isinstance(text, str) and text.strip()
        for text in (report.proposition, report.source, report.report_id)
    )


# -- the module's surface ---------------------------------------------------------


def test_all_lists_exactly_the_public_strategies() -> None:
    """__all__ names every public function defined in ledger.strategies, sorted."""
    defined = sorted(
        name
        for name, value in vars(ls).items()
        if not name.startswith("_")
        and inspect.isfunction(value)
        and value.__module__ == ls.__name__
    )
    assert ls.__all__ == defined


@pytest.mark.parametrize("name", ls.__all__)
def test_every_strategy_is_documented(name: str) -> None:
    """Each exported strategy says what it generates and how it shrinks, in Hypothesis' style."""
    doc = inspect.getdoc(getattr(ls, name)) or ""
    assert doc.startswith("Returns a strategy which generates"), doc
    assert "shrink" in doc


@pytest.mark.parametrize("name", ls.__all__)
def test_every_strategy_appears_in_the_testing_guide(name: str) -> None:
    """docs/testing.md mentions every exported strategy."""
    guide = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    assert re.search(rf"\b{name}\(", guide), f"docs/testing.md never shows {name}()"


@pytest.mark.parametrize("name", ls.__all__)
def test_every_strategy_takes_keyword_arguments_only(name: str) -> None:
    """Options are keyword-only, as in Hypothesis' own API."""
    parameters = inspect.signature(getattr(ls, name)).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)


# -- argument validation ----------------------------------------------------------

# Some calls are deliberately mistyped: that is what they test.
BAD_CALLS: list[tuple[str, Any, str]] = [
    (
        "min after max",
        lambda: ls.report_times(min_value=date(2020, 1, 2), max_value=date(2020, 1, 1)),
        "min_value",
    ),
    (
        "naive bound",
        lambda: ls.report_times(min_value=datetime(2020, 1, 1)),
        "no timezone",
    ),
    (
        "string bound",
        lambda: ls.report_times(max_value="2020-01-01"),  # type: ignore[arg-type]
        "max_value",
    ),
    (
        "no whole day for dates only",
        lambda: ls.report_times(
            min_value=datetime(2020, 1, 1, 1, tzinfo=UTC),
            max_value=datetime(2020, 1, 1, 2, tzinfo=UTC),
            allow_datetimes=False,
        ),
        "allow_datetimes",
    ),
    (
        "flag not bool",
        lambda: ls.report_times(allow_datetimes=1),  # type: ignore[arg-type]
        "allow_datetimes",
    ),
    (
        "value for a strategy",
        lambda: ls.reports(kinds=Kind.CLAIMED),  # type: ignore[arg-type]
        "kinds",
    ),
    (
        "string for a strategy",
        lambda: ls.reports(sources="AFP"),  # type: ignore[arg-type]
        "st.just",
    ),
    (
        "min_size > max_size",
        lambda: ls.report_histories(min_size=3, max_size=2),
        "min_size",
    ),
    ("negative min_size", lambda: ls.ledger_reports(min_size=-1), "min_size"),
    (
        "float max_size",
        lambda: ls.ledger_reports(max_size=2.5),  # type: ignore[arg-type]
        "max_size",
    ),
    (
        "plausible not bool",
        lambda: ls.report_histories(plausible="yes"),  # type: ignore[arg-type]
        "plausible",
    ),
    (
        "no propositions",
        lambda: ls.ledger_reports(max_propositions=0),
        "max_propositions",
    ),
]


@pytest.mark.parametrize(
    ("call", "mentions"),
    [pytest.param(call, mentions, id=name) for name, call, mentions in BAD_CALLS],
)
def test_impossible_arguments_raise_invalid_argument(call: Any, mentions: str) -> None:
    """Impossible or mistyped arguments raise InvalidArgument naming the problem."""
    with pytest.raises(InvalidArgument, match=re.escape(mentions)):
        call()


# -- report times -----------------------------------------------------------------

bounds = st.tuples(
    ls.report_times(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
    ls.report_times(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
).map(lambda pair: sorted(pair, key=_time.start))


@given(bounds, st.data())
def test_report_times_stay_within_their_bounds(
    pair: list[date | datetime], data: st.DataObject
) -> None:
    """Every report time is known between the start of min_value and the end of max_value."""
    low, high = pair
    if _time.start(low) > _time.cutoff(high, "max_value"):
        return  # a datetime and a date on the same day can be out of order
    value = data.draw(ls.report_times(min_value=low, max_value=high))
    assert _time.problem(value) is None
    assert _time.start(low) <= _time.start(value) <= _time.cutoff(high, "max_value")


@given(ls.report_times(allow_datetimes=False))
def test_report_times_can_be_dates_only(value: date | datetime) -> None:
    """allow_datetimes=False generates plain dates."""
    assert type(value) is date


def _same_instant_different_value(pair: list[date | datetime]) -> bool:
    first, second = pair
    return first != second and _time.start(first) == _time.start(second)


@pytest.mark.parametrize(
    ("description", "condition"),
    [
        ("a date and a datetime at the same instant", _same_instant_different_value),
        (
            "the last microsecond of a day",
            lambda pair: any(
                isinstance(t, datetime) and t.astimezone(UTC).time() == time.max
                for t in pair
            ),
        ),
        (
            "a local date that is not the UTC date",
            lambda pair: any(
                isinstance(t, datetime) and t.date() != t.astimezone(UTC).date()
                for t in pair
            ),
        ),
        (
            "two times on consecutive UTC days",
            lambda pair: (
                abs((_time.start(pair[0]).date() - _time.start(pair[1]).date()).days)
                == 1
            ),
        ),
    ],
)
def test_report_times_cluster_on_ties_and_day_boundaries(
    description: str, condition: Any
) -> None:
    """Two draws in one example often tie or sit on either side of a day boundary."""
    pair = find(
        st.lists(ls.report_times(), min_size=2, max_size=2),
        condition,
        settings=settings(max_examples=200, database=None),
    )
    assert condition(pair), description


def test_report_times_shrink_to_min_value_as_a_date() -> None:
    """The simplest report time is min_value itself, as a date."""
    assert find(ls.report_times(min_value=date(2017, 6, 16)), lambda _: True) == date(
        2017, 6, 16
    )


# -- single reports ---------------------------------------------------------------


@given(ls.reports())
def test_reports_are_valid(report: Report) -> None:
    """Generated reports pass every validator and survive the file format's fields."""
    assert _is_valid(report)
    assert report.to_dict()["kind"] == report.kind.value


@given(
    ls.reports(
        kinds=st.just(Kind.REFUTED),
        sources=st.just("Agence France-Presse"),
        report_ids=st.just("afp-1"),
    )
)
def test_reports_use_the_strategies_they_are_given(report: Report) -> None:
    """Strategies passed as arguments decide those fields."""
    assert (report.kind, report.source, report.report_id) == (
        Kind.REFUTED,
        "Agence France-Presse",
        "afp-1",
    )


def test_reports_shrink_to_a_plain_claim() -> None:
    """The simplest report is a claim on the default min_value with no optional field."""
    report = find(ls.reports(), lambda _: True)
    assert report.kind is Kind.CLAIMED
    assert report.reported_at == date(2000, 1, 1)
    assert (report.occurred_at, report.statement, report.quote, report.url) == (
        None,
    ) * 4


def test_kinds_shrink_to_claimed() -> None:
    """kinds() shrinks towards CLAIMED."""
    assert find(ls.kinds(), lambda _: True) is Kind.CLAIMED


@pytest.mark.parametrize("strategy", [ls.sources(), ls.proposition_keys()], ids=repr)
def test_names_include_non_ascii_text(strategy: st.SearchStrategy[str]) -> None:
    """Sources and keys are sometimes non-ASCII, never blank."""
    found = find(strategy, lambda text: not text.isascii())
    assert found.strip()


@given(st.one_of(ls.sources(), ls.proposition_keys()))
def test_names_are_never_blank(text: str) -> None:
    """Sources and keys always hold a visible character."""
    assert text.strip()


# -- histories ----------------------------------------------------------------------


def _is_claim_first(reports: list[Report]) -> bool:
    return canonical_order(reports)[0].kind is Kind.CLAIMED


@given(ls.report_histories(min_size=1, max_size=12))
def test_plausible_histories_read_like_the_news(history: list[Report]) -> None:
    """One proposition, unique ids, reported order, a claim first, no event after its report."""
    assert 1 <= len(history) <= 12
    assert len({r.proposition for r in history}) == 1
    assert len({r.report_id for r in history}) == len(history)
    assert history == canonical_order(history)
    assert history[0].kind is Kind.CLAIMED
    for report in history:
        assert _is_valid(report)
        if report.occurred_at is not None:
            assert report.kind.supports
            assert _time.start(report.occurred_at) <= report.known_from
    occurred = {r.occurred_at for r in history if r.occurred_at is not None}
    assert len(occurred) <= 1


@given(ls.report_histories(min_size=2, max_size=5, plausible=False))
def test_arbitrary_histories_keep_only_the_invariants(history: list[Report]) -> None:
    """In arbitrary mode histories are still about one key, with unique ids."""
    assert 2 <= len(history) <= 5
    assert len({r.proposition for r in history}) == 1
    assert len({r.report_id for r in history}) == len(history)


def test_arbitrary_histories_can_open_with_a_refutation() -> None:
    """Arbitrary mode reaches histories no newsroom would see."""
    history = find(
        ls.report_histories(min_size=1, plausible=False),
        lambda h: canonical_order(h)[0].kind is Kind.REFUTED,
    )
    assert not _is_claim_first(history)


def test_histories_shrink_to_fewer_reports() -> None:
    """A history needing three reports shrinks to exactly three plain claims."""
    history = find(ls.report_histories(), lambda h: len(h) >= 3)
    assert len(history) == 3
    assert {r.kind for r in history} == {Kind.CLAIMED}


@given(ls.ledger_reports(max_size=20, max_propositions=3))
def test_ledger_reports_are_plausible_histories_interleaved(
    reports: list[Report],
) -> None:
    """A ledger's worth: unique ids, at most max_propositions keys, a claim first on each."""
    assert len(reports) <= 20
    assert len({r.report_id for r in reports}) == len(reports)
    by_key: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        by_key[report.proposition].append(report)
    assert len(by_key) <= 3
    assert all(_is_claim_first(history) for history in by_key.values())


@given(ls.ledger_reports(min_size=3, max_size=8))
def test_ledger_reports_record_exactly_once(reports: list[Report]) -> None:
    """Recording a generated ledger twice holds each report once, in any order."""
    with Ledger() as ledger:
        assert ledger.record_all(reports, batch_size=3) == len(reports)
        assert ledger.record_all(reversed(reports)) == 0
        held = {entry.report.report_id: entry.report for entry in ledger.entries()}
    assert held == {report.report_id: report for report in reports}


def test_ledger_reports_can_interleave_propositions() -> None:
    """The recording order mixes propositions, as a real import does."""
    reports = find(
        ls.ledger_reports(),
        lambda rs: (
            len({r.proposition for r in rs}) >= 2
            and rs[0].proposition == rs[-1].proposition != rs[1].proposition
        ),
    )
    assert len(reports) == 3


# -- the plugin -----------------------------------------------------------------


def test_the_entry_point_names_the_registration_hook() -> None:
    """The pyproject file declares the hypothesis entry point and the Framework classifier."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hook = project["project"]["entry-points"]["hypothesis"]["_"]
    module, _, function = hook.partition(":")
    assert getattr(importlib.import_module(module), function) is _register
    assert "Framework :: Hypothesis" in project["project"]["classifiers"]


@given(st.data())
def test_from_type_generates_valid_values(data: st.DataObject) -> None:
    """After registration, st.from_type builds valid reports, kinds and statuses."""
    _register()
    report = data.draw(st.from_type(Report))
    assert _is_valid(report)
    assert isinstance(data.draw(st.from_type(Kind)), Kind)
    assert isinstance(data.draw(st.from_type(Status)), Status)


def test_offsets_include_non_whole_hours() -> None:
    """Datetimes come in offsets like +05:45, where local and UTC days differ oddly."""

    def odd_offset(value: date | datetime) -> bool:
        offset = value.utcoffset() if isinstance(value, datetime) else None
        return offset is not None and offset % timedelta(hours=1) != timedelta(0)

    value = find(ls.report_times(), odd_offset)
    assert isinstance(value, datetime)
    assert isinstance(value.tzinfo, timezone)
