"""The time rules of the three clocks, in one place.

A date-only time is known from 00:00 UTC of that day; a query ``on=date`` means
"by the end of that day, UTC"; datetimes compare as instants and must carry a
timezone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from ledger.errors import InvalidQuery

TimePoint = date | datetime
"""A report time as users give it: a date, or a timezone-aware datetime."""

_END_OF_DAY = time(23, 59, 59, 999999)
_RANGE = (
    "expected an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z "
    "in UTC"
)


def out_of_range(value: datetime) -> str | None:
    """Why an aware datetime names no representable UTC instant, or None.

    ``0001-01-01T00:00:00+01:00`` is an hour before the first instant a
    datetime can hold in UTC, ``9999-12-31T23:59:59-01:00`` after the last.
    """
    try:
        value.astimezone(UTC)
    except OverflowError:
        when = "before" if value.year == 1 else "after"
        first = "0001-01-01" if value.year == 1 else "9999-12-31"
        return f"{_RANGE}, got {value.isoformat()!r}, which is {when} {first} in UTC"
    return None


def describe(value: object) -> str:
    """Render a value for an error message, saying what is wrong with datetimes."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return f"{value!r}, which has no timezone"
    return f"{value!r} of type {type(value).__name__}"


def is_aware(value: datetime) -> bool:
    """Whether ``value`` has a timezone that gives it a UTC offset."""
    return value.tzinfo is not None and value.utcoffset() is not None


def problem(value: object) -> str | None:
    """Why ``value`` is not a valid report time, or None when it is valid."""
    if isinstance(value, datetime):
        if not is_aware(value):
            return "has no timezone"
        return out_of_range(value)
    if isinstance(value, date):
        return None
    return "is not a date or datetime"


def start(value: TimePoint) -> datetime:
    """The UTC instant from which a report time is known (a date: 00:00 UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time(), tzinfo=UTC)


def cutoff(value: object, name: str) -> datetime:
    """The last UTC instant a query time includes (a date: the end of that day).

    Raises InvalidQuery, naming the argument ``name``, for anything else.
    """
    if isinstance(value, datetime):
        if not is_aware(value):
            msg = (
                f"{name} must be a date or a timezone-aware datetime "
                f"(got {describe(value)})"
            )
            raise InvalidQuery(msg)
        why = out_of_range(value)
        if why is not None:
            msg = f"{name}: {why}"
            raise InvalidQuery(msg)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, _END_OF_DAY, tzinfo=UTC)
    msg = f"{name} must be a date or a timezone-aware datetime (got {describe(value)})"
    raise InvalidQuery(msg)


def isoformat(value: TimePoint) -> str:
    """ISO 8601 text for a report time (a date stays a date)."""
    return value.isoformat()


def human(value: TimePoint, *, exact: bool = False) -> str:
    """A time as people read it: ``2017-06-16``, else ``2017-06-16 09:30 UTC``.

    A date, and a datetime at midnight UTC, read as the date; any other
    datetime as its UTC instant to the minute. For tables, messages and page
    titles; machine output (``--json``) keeps :func:`isoformat`. ``exact=True``
    (for a time a user asked about, where a date means the whole day) keeps
    every datetime a time, with its seconds when it has any.
    """
    if not isinstance(value, datetime):
        return value.isoformat()
    instant = value.astimezone(UTC)
    if not exact and instant.time() == time():
        return instant.date().isoformat()
    # Not strftime: its %Y drops the leading zeros of years before 1000.
    shown = f"{instant.date().isoformat()} {instant:%H:%M}"
    if exact and (instant.second or instant.microsecond):
        shown += f":{instant:%S}" + (f".{instant:%f}" if instant.microsecond else "")
    return f"{shown} UTC"


def parse(text: str) -> TimePoint:
    """Parse an ISO date, or an ISO datetime with an offset.

    Raises ValueError with a sentence saying what was wrong.
    """
    text = text.strip()
    expected = (
        "expected an ISO date (2017-06-16) or an ISO datetime with offset "
        f"(2017-06-16T09:30:00+03:00), got {text!r}"
    )
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    # Without a time part it is meant as a date, and only 2017-06-16 is one
    # (fromisoformat would read 20170616 as a datetime with no timezone).
    if len(text) < 11 or text[10] not in "Tt ":
        raise ValueError(expected)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(expected) from None
    if not is_aware(parsed):
        msg = (
            "expected a datetime with a UTC offset (such as +00:00 or Z), "
            f"got {text!r}, which has no timezone"
        )
        raise ValueError(msg)
    why = out_of_range(parsed)
    if why is not None:
        raise ValueError(why)
    return parsed
