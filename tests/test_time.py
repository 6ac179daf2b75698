"""The clock rules: dates, aware datetimes, end-of-day queries."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ledger import InvalidQuery, Ledger, Status
from ledger._time import human

KEY = "strike-2017"
PLUS3 = timezone(timedelta(hours=3))
MINUS5 = timezone(timedelta(hours=-5))


@pytest.fixture
def memory() -> Ledger:
    """An in-memory ledger with a claim made on 16 June 2017 (date only)."""
    ledger = Ledger()
    ledger.claim(
        KEY, source="Russian Ministry of Defence", reported_at=date(2017, 6, 16)
    )
    return ledger


def test_date_report_is_known_from_midnight_utc(memory: Ledger) -> None:
    """A date-only report counts from 00:00 UTC of its day, not before."""
    assert (
        memory.belief(KEY, on=datetime(2017, 6, 16, tzinfo=UTC)).status
        is Status.CLAIMED
    )
    just_before = datetime(2017, 6, 15, 23, 59, 59, 999999, tzinfo=UTC)
    assert memory.belief(KEY, on=just_before).status is Status.UNKNOWN


def test_query_date_means_end_of_that_day_utc() -> None:
    """A datetime report late in the day UTC counts for a query on that date."""
    ledger = Ledger()
    late = datetime(2017, 6, 16, 23, 59, 59, 999999, tzinfo=UTC)
    ledger.claim(KEY, source="s", reported_at=late)
    assert ledger.belief(KEY, on=date(2017, 6, 16)).status is Status.CLAIMED
    assert ledger.belief(KEY, on=date(2017, 6, 15)).status is Status.UNKNOWN


def test_offsets_compare_as_instants() -> None:
    """A report at 01:00+03:00 on the 17th is the 16th in UTC."""
    ledger = Ledger()
    ledger.claim(KEY, source="s", reported_at=datetime(2017, 6, 17, 1, tzinfo=PLUS3))
    assert ledger.belief(KEY, on=date(2017, 6, 16)).status is Status.CLAIMED
    query = datetime(2017, 6, 16, 17, 0, tzinfo=MINUS5)  # 22:00 UTC: after 22:00 UTC
    assert ledger.belief(KEY, on=query).status is Status.CLAIMED
    earlier = datetime(2017, 6, 16, 16, 59, tzinfo=MINUS5)
    assert ledger.belief(KEY, on=earlier).status is Status.UNKNOWN


@pytest.mark.parametrize("argument", ["on", "recorded"])
def test_naive_query_datetime_is_rejected(memory: Ledger, argument: str) -> None:
    """A naive datetime query raises InvalidQuery naming the argument."""
    kwargs: dict[str, object] = {"on": date(2017, 7, 1), argument: datetime(2017, 7, 1)}
    with pytest.raises(
        InvalidQuery,
        match=rf"^{argument} must be a date or a timezone-aware"
        r" datetime \(got .*which has no timezone\)$",
    ):
        memory.belief(KEY, **kwargs)  # type: ignore[arg-type]


def test_query_with_a_string_is_rejected(memory: Ledger) -> None:
    """A query time that is not a date names what arrived."""
    with pytest.raises(
        InvalidQuery,
        match="on must be a date or a timezone-aware datetime"
        r" \(got '2017-07-01' of type str\)",
    ):
        memory.belief(KEY, on="2017-07-01")  # type: ignore[arg-type]


def test_naive_datetime_report_is_rejected() -> None:
    """Recording a naive datetime raises and records nothing."""
    ledger = Ledger()
    with pytest.raises(
        ValueError, match="reported_at must be a date or a timezone-aware"
    ):
        ledger.claim(KEY, source="s", reported_at=datetime(2017, 6, 16, 12))
    assert ledger.propositions() == ()


@pytest.mark.parametrize(
    ("value", "shown", "exact"),
    [
        (date(2017, 6, 16), "2017-06-16", "2017-06-16"),
        (datetime(2017, 6, 16, tzinfo=UTC), "2017-06-16", "2017-06-16 00:00 UTC"),
        (datetime(2017, 6, 16, 3, tzinfo=PLUS3), "2017-06-16", "2017-06-16 00:00 UTC"),
        (
            datetime(2017, 6, 16, 9, 30, tzinfo=PLUS3),
            "2017-06-16 06:30 UTC",
            "2017-06-16 06:30 UTC",
        ),
        (
            datetime(2026, 12, 1, 19, 54, 41, 828168, tzinfo=UTC),
            "2026-12-01 19:54 UTC",
            "2026-12-01 19:54:41.828168 UTC",
        ),
        (
            datetime(2017, 6, 15, 20, 0, 5, tzinfo=MINUS5),
            "2017-06-16 01:00 UTC",
            "2017-06-16 01:00:05 UTC",
        ),
        (date(1, 1, 1), "0001-01-01", "0001-01-01"),
        (
            datetime(1, 1, 1, 0, 1, tzinfo=UTC),
            "0001-01-01 00:01 UTC",
            "0001-01-01 00:01 UTC",
        ),
    ],
)
def test_times_for_people(value: date, shown: str, exact: str) -> None:
    """human(): a date (or midnight UTC) as a date, else the UTC minute; exact keeps time."""
    assert human(value) == shown
    assert human(value, exact=True) == exact
