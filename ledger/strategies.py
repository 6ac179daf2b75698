"""Hypothesis strategies that generate valid, realistic reports and histories.

Use them to property-test code that consumes or produces reports: importers,
dashboards, custom belief policies::

    from hypothesis import given
    from ledger import strategies as ls

    @given(ls.ledger_reports())
    def test_my_importer_round_trips(reports): ...

Every generated value is valid by construction. Times cluster on a few days
shared by every :func:`report_times` draw in one example, so ties and day
boundaries (00:00 UTC, the last microsecond of a day, local midnights in other
offsets) come up often. Keys, sources and texts include non-ASCII text.

This module needs Hypothesis: ``pip install ledger-of-claims[hypothesis]``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from ledger import _time
from ledger._time import TimePoint
from ledger.values import Kind, Report

__all__ = [
    "kinds",
    "ledger_reports",
    "proposition_keys",
    "report_histories",
    "report_times",
    "reports",
    "sources",
]

T = TypeVar("T")

_SOURCES = (
    "Russian Ministry of Defence",
    "US-led coalition (Col. Ryan Dillon)",
    "Iraqi Falcons intelligence cell",
    "Amaq News Agency",
    "Syrian Observatory for Human Rights",
    "Министерство обороны России",
    "وكالة أعماق",
    "Ministère des Armées",
    "新华社",
    "Reuters",
)

_KEYS = (
    "baghdadi-killed-raqqa-strike-2017",
    "baghdadi-killed-raid-2019",
    "baghdadi-audio-recording-2017",
    "hudhayfah-al-badri-killed-homs-2018",
    "is-leader-killed-syria-2023",
    "смерть-багдади-2017",
    "مقتل-البغدادي-2019",
    "baghdadi-tué-près-de-raqqa",
)

_STATEMENTS = (
    "Abu Bakr al-Baghdadi was killed in a Russian strike near Raqqa on 28 May 2017",
    "Abu Bakr al-Baghdadi was killed in a US raid in Idlib province",
    "An audio recording released in September 2017 is Baghdadi's voice",
    "Hudhayfah al-Badri was killed in Homs province",
    "Абу Бакр аль-Багдади погиб при авиаударе под Ракками",  # noqa: RUF001
    "قُتل أبو بكر البغدادي",
)

_HOSTS = (
    "www.reuters.com",
    "www.bbc.co.uk",
    "tass.ru",
    "www.aljazeera.net",
    "example.org",
)

# Offsets users meet in the wild, including the extremes and non-hour ones.
_OFFSET_MINUTES = (0, 180, -300, 330, 345, 60, 540, -600, 840, -720, 120, -210)

_EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=2)
_LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)

# Keys and sources are names: no control characters (nor surrogates, which
# cannot be encoded), no invisible format characters but ZWNJ and ZWJ, and
# generated as a report holds them (NFC, trimmed). Free text may hold newlines
# and tabs, but never NUL.
_NAME_CHARACTERS = st.characters(
    exclude_categories=["Cs", "Cc", "Cf"], include_characters="\u200c\u200d"
)
_TEXT_CHARACTERS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")


def _non_blank(text: str) -> bool:
    return bool(text.strip())


def _names(max_size: int) -> SearchStrategy[str]:
    return (
        st.text(_NAME_CHARACTERS, min_size=1, max_size=max_size)
        .map(lambda text: unicodedata.normalize("NFC", text).strip())
        .filter(bool)
    )


def _check_strategy(value: object, name: str) -> None:
    if not isinstance(value, SearchStrategy):
        msg = (
            f"{name} must be a Hypothesis strategy (got {value!r} of type "
            f"{type(value).__name__}); to always use one value, pass st.just(value)"
        )
        raise InvalidArgument(msg)


def _or_default(
    value: SearchStrategy[T] | None, name: str, default: Callable[[], SearchStrategy[T]]
) -> SearchStrategy[T]:
    if value is None:
        return default()
    _check_strategy(value, name)
    return value


def _check_sizes(min_size: object, max_size: object) -> None:
    if not isinstance(min_size, int) or isinstance(min_size, bool) or min_size < 0:
        msg = f"min_size must be a non-negative integer (got {min_size!r})"
        raise InvalidArgument(msg)
    if max_size is None:
        return
    if not isinstance(max_size, int) or isinstance(max_size, bool) or max_size < 0:
        msg = f"max_size must be None or a non-negative integer (got {max_size!r})"
        raise InvalidArgument(msg)
    if min_size > max_size:
        msg = (
            f"min_size must be at most max_size (got min_size={min_size}, "
            f"max_size={max_size})"
        )
        raise InvalidArgument(msg)


def _check_flag(value: object, name: str) -> None:
    if not isinstance(value, bool):
        msg = f"{name} must be True or False (got {value!r})"
        raise InvalidArgument(msg)


def kinds() -> SearchStrategy[Kind]:
    """Returns a strategy which generates report kinds.

    Examples shrink towards ``Kind.CLAIMED``, then ``DISPUTED``, ``CONFIRMED``,
    ``REFUTED``.
    """
    return st.sampled_from(Kind)


def sources() -> SearchStrategy[str]:
    """Returns a strategy which generates sources: non-blank names, often non-ASCII.

    About half are realistic names ("Russian Ministry of Defence",
    "Министерство обороны России", ...), the rest arbitrary non-blank text
    without control characters. Examples shrink towards
    ``"Russian Ministry of Defence"``.
    """
    return st.one_of(
        st.sampled_from(_SOURCES),
        _names(40),
    )


def proposition_keys() -> SearchStrategy[str]:
    """Returns a strategy which generates proposition keys: non-blank, any Unicode.

    About half are realistic slugs (``baghdadi-killed-raqqa-strike-2017``,
    ``смерть-багдади-2017``, ...), the rest arbitrary non-blank text without
    control characters. Examples shrink towards
    ``"baghdadi-killed-raqqa-strike-2017"``.
    """
    return st.one_of(
        st.sampled_from(_KEYS),
        _names(40),
    )


def _statements() -> SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_STATEMENTS),
        st.text(_TEXT_CHARACTERS, min_size=1, max_size=80).filter(_non_blank),
    )


def _quotes() -> SearchStrategy[str]:
    return st.text(_TEXT_CHARACTERS, min_size=1, max_size=120).filter(_non_blank)


def _urls() -> SearchStrategy[str]:
    slug = st.text(
        st.characters(categories=("L", "Nd"), include_characters="-_"),
        min_size=1,
        max_size=24,
    )
    return st.builds("https://{}/{}".format, st.sampled_from(_HOSTS), slug)


# Built once: strategies made inside a draw are validated on every draw.
_MAYBE_STATEMENTS = st.none() | _statements()
_MAYBE_QUOTES = st.none() | _quotes()
_MAYBE_URLS = st.none() | _urls()
_ANCHOR_INDEXES = st.integers(0, 3)
_NEARBY_DAYS = st.one_of(st.just(0), st.sampled_from((1, -1)))
_FORMS = st.sampled_from(("date", "midnight", "last", "local", "any"))
_OFFSETS = st.sampled_from(_OFFSET_MINUTES).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_TIMES_OF_DAY = st.times()
_SMALL_INDEXES = st.integers(0, 63)


def _bound(value: object, name: str, *, upper: bool) -> datetime:
    why = _time.problem(value)
    if why is not None:
        msg = (
            f"{name} must be a date or a timezone-aware datetime "
            f"(got {_time.describe(value)})"
        )
        raise InvalidArgument(msg)
    instant = _time.cutoff(value, name) if upper else _time.start(value)  # type: ignore[arg-type]
    return min(max(instant, _EARLIEST), _LATEST)


def report_times(
    *,
    min_value: date | datetime = date(2000, 1, 1),
    max_value: date | datetime = date(2030, 12, 31),
    allow_datetimes: bool = True,
) -> SearchStrategy[TimePoint]:
    """Returns a strategy which generates report times: dates and aware datetimes.

    Every value is known (see :attr:`Report.known_from`) between the start of
    ``min_value`` and the end of ``max_value`` (dates: 00:00 UTC and the last
    microsecond of the day, UTC). Draws cluster: all ``report_times`` with the same
    bounds in one example share a small pool of anchor days, and values fall on
    an anchor day or the day next to it, as a date, at 00:00 UTC, at the last
    microsecond of the day, at a local midnight in some UTC offset, or at any
    time in some offset. So equal instants, date/datetime ties and day
    boundaries are frequent. With ``allow_datetimes=False`` only dates are
    generated.

    Examples shrink towards ``min_value``, as a date.
    """
    _check_flag(allow_datetimes, "allow_datetimes")
    lo = _bound(min_value, "min_value", upper=False)
    hi = _bound(max_value, "max_value", upper=True)
    if lo > hi:
        msg = (
            f"min_value must not be later than max_value (got min_value="
            f"{min_value!r}, max_value={max_value!r})"
        )
        raise InvalidArgument(msg)
    first_day = lo.date() if lo.time() == time() else lo.date() + timedelta(days=1)
    if not allow_datetimes and _time.start(first_day) > hi:
        msg = (
            f"no whole UTC day starts between min_value={min_value!r} and "
            f"max_value={max_value!r}, so allow_datetimes=False leaves nothing "
            "to generate"
        )
        raise InvalidArgument(msg)
    span = (hi.date() - lo.date()).days
    days = st.integers(0, span).map(lambda n: lo.date() + timedelta(days=n))
    anchors = st.shared(
        st.lists(days, min_size=1, max_size=4),
        key=("ledger.strategies.report_times", lo, hi),
    )
    return _report_times(anchors, lo, hi, first_day, allow_datetimes=allow_datetimes)


@st.composite
def _report_times(
    draw: st.DrawFn,
    anchors: SearchStrategy[list[date]],
    lo: datetime,
    hi: datetime,
    first_day: date,
    *,
    allow_datetimes: bool,
) -> TimePoint:
    pool = draw(anchors)
    day = pool[draw(_ANCHOR_INDEXES) % len(pool)]
    nearby = day + timedelta(days=draw(_NEARBY_DAYS))
    if lo.date() <= nearby <= hi.date():
        day = nearby
    if not allow_datetimes:
        last_day = hi.date()
        return min(max(day, first_day), last_day)
    form = draw(_FORMS)
    offset = draw(_OFFSETS)
    if form == "date" and first_day <= day and _time.start(day) <= hi:
        return day
    if form == "last":
        instant = datetime.combine(day, time.max, tzinfo=UTC)
    elif form == "local":
        instant = datetime.combine(day, time(), tzinfo=offset)
    elif form == "any":
        instant = datetime.combine(day, draw(_TIMES_OF_DAY), tzinfo=UTC)
    else:
        instant = datetime.combine(day, time(), tzinfo=UTC)
    instant = min(max(instant, lo), hi)
    return instant.astimezone(offset) if form in ("local", "any") else instant


def reports(
    *,
    kinds: SearchStrategy[Kind] | None = None,
    propositions: SearchStrategy[str] | None = None,
    sources: SearchStrategy[str] | None = None,
    reported_at: SearchStrategy[TimePoint] | None = None,
    occurred_at: SearchStrategy[TimePoint | None] | None = None,
    statements: SearchStrategy[str | None] | None = None,
    quotes: SearchStrategy[str | None] | None = None,
    urls: SearchStrategy[str | None] | None = None,
    report_ids: SearchStrategy[str | None] | None = None,
) -> SearchStrategy[Report]:
    """Returns a strategy which generates single reports, any field independent.

    Each argument is a strategy for that field; ``None`` uses the module's
    default (:func:`kinds`, :func:`proposition_keys`, :func:`sources`,
    :func:`report_times`; optional fields are ``None`` or drawn text, and
    ``occurred_at`` is ``None`` or another report time, before or after
    ``reported_at``). A ``report_ids`` strategy may generate ``None``, which
    keeps the id derived from the content (the default).

    Examples shrink towards a claim by the first realistic source about the
    first realistic key, reported on ``min_value`` with no optional field.
    """
    kind_st = _or_default(kinds, "kinds", globals()["kinds"])
    key_st = _or_default(propositions, "propositions", proposition_keys)
    source_st = _or_default(sources, "sources", globals()["sources"])
    time_st = _or_default(reported_at, "reported_at", report_times)
    occurred_st = _or_default(
        occurred_at, "occurred_at", lambda: st.none() | report_times()
    )
    statement_st = _or_default(statements, "statements", lambda: _MAYBE_STATEMENTS)
    quote_st = _or_default(quotes, "quotes", lambda: _MAYBE_QUOTES)
    url_st = _or_default(urls, "urls", lambda: _MAYBE_URLS)
    id_st = _or_default(report_ids, "report_ids", st.none)
    return _reports(
        kind_st,
        key_st,
        source_st,
        time_st,
        occurred_st,
        statement_st,
        quote_st,
        url_st,
        id_st,
    )


@st.composite
def _reports(
    draw: st.DrawFn,
    kind_st: SearchStrategy[Kind],
    key_st: SearchStrategy[str],
    source_st: SearchStrategy[str],
    time_st: SearchStrategy[TimePoint],
    occurred_st: SearchStrategy[TimePoint | None],
    statement_st: SearchStrategy[str | None],
    quote_st: SearchStrategy[str | None],
    url_st: SearchStrategy[str | None],
    id_st: SearchStrategy[str | None],
) -> Report:
    fields: dict[str, Any] = {
        "kind": draw(kind_st),
        "proposition": draw(key_st),
        "source": draw(source_st),
        "reported_at": draw(time_st),
        "occurred_at": draw(occurred_st),
        "statement": draw(statement_st),
        "quote": draw(quote_st),
        "url": draw(url_st),
    }
    report_id = draw(id_st)
    if report_id is not None:
        fields["report_id"] = report_id
    return Report(**fields)


@attrs.frozen
class _Draft:
    # What one plausible report draws, so its kind can be changed afterwards
    # while the rest (and a content-derived id) follows consistently.
    kind: Kind
    proposition: str
    source: str
    reported_at: TimePoint
    occurred_at: TimePoint | None
    gives_occurred: bool
    statement: str | None
    quote: str | None
    url: str | None
    report_id: str | None

    def build(self, kind: Kind | None = None) -> Report:
        kind = self.kind if kind is None else kind
        occurred = None
        if (
            self.gives_occurred
            and kind.supports
            and self.occurred_at is not None
            and _time.start(self.occurred_at) <= _time.start(self.reported_at)
        ):
            occurred = self.occurred_at
        fields: dict[str, Any] = {
            "kind": kind,
            "proposition": self.proposition,
            "source": self.source,
            "reported_at": self.reported_at,
            "occurred_at": occurred,
            "statement": self.statement,
            "quote": self.quote,
            "url": self.url,
        }
        if self.report_id is not None:
            fields["report_id"] = self.report_id
        return Report(**fields)


@attrs.frozen
class _Context:
    # What the reports about one proposition share in a plausible history.
    key: str
    statement: str | None
    occurred_at: TimePoint
    sources: tuple[str, ...]


@attrs.frozen
class _Options:
    kinds: SearchStrategy[Kind]
    sources: SearchStrategy[str]
    reported_at: SearchStrategy[TimePoint]
    report_ids: SearchStrategy[str | None]
    plausible: bool
    source_pools: SearchStrategy[list[str]] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        pools = st.lists(self.sources, min_size=1, max_size=4, unique=True)
        object.__setattr__(self, "source_pools", pools)


@st.composite
def _contexts(draw: st.DrawFn, key: str, options: _Options) -> _Context:
    statement = draw(_MAYBE_STATEMENTS)
    occurred = draw(options.reported_at)
    pool = draw(options.source_pools)
    return _Context(key, statement, occurred, tuple(pool))


@st.composite
def _drafts(draw: st.DrawFn, contexts: Sequence[_Context], options: _Options) -> _Draft:
    context = contexts[draw(_SMALL_INDEXES) % len(contexts)]
    return _Draft(
        kind=draw(options.kinds),
        proposition=context.key,
        source=context.sources[draw(_SMALL_INDEXES) % len(context.sources)],
        reported_at=draw(options.reported_at),
        occurred_at=context.occurred_at,
        gives_occurred=draw(st.booleans()),
        statement=context.statement if draw(st.booleans()) else None,
        quote=draw(_MAYBE_QUOTES),
        url=draw(_MAYBE_URLS),
        report_id=draw(options.report_ids),
    )


def _sort_key(report: Report) -> tuple[datetime, int, str]:
    return (report.known_from, list(Kind).index(report.kind), report.report_id)


@st.composite
def _report_lists(
    draw: st.DrawFn,
    keys: SearchStrategy[list[str]],
    options: _Options,
    min_size: int,
    max_size: int | None,
) -> list[Report]:
    drawn_keys = draw(keys)
    if not options.plausible:
        arbitrary = reports(
            kinds=options.kinds,
            propositions=st.sampled_from(drawn_keys),
            sources=options.sources,
            reported_at=options.reported_at,
            occurred_at=st.none() | options.reported_at,
            report_ids=options.report_ids,
        )
        return draw(
            st.lists(
                arbitrary,
                min_size=min_size,
                max_size=max_size,
                unique_by=lambda report: report.report_id,
            )
        )
    contexts = [draw(_contexts(key, options)) for key in drawn_keys]
    drafts = draw(
        st.lists(
            _drafts(contexts, options),
            min_size=min_size,
            max_size=max_size,
            unique_by=lambda draft: draft.build().report_id,
        )
    )
    built = [draft.build() for draft in drafts]
    # The earliest report about each proposition is a claim. Claims sort first
    # among equal instants, so if the earliest is not a claim there is no claim
    # at that instant for the changed report to collide with.
    first: dict[str, int] = {}
    for index, report in enumerate(built):
        seen = first.get(report.proposition)
        if seen is None or _sort_key(report) < _sort_key(built[seen]):
            first[report.proposition] = index
    for index in first.values():
        if built[index].kind is not Kind.CLAIMED:
            built[index] = drafts[index].build(Kind.CLAIMED)
    return built


def _options(
    kinds: SearchStrategy[Kind] | None,
    sources: SearchStrategy[str] | None,
    reported_at: SearchStrategy[TimePoint] | None,
    report_ids: SearchStrategy[str | None] | None,
    plausible: bool,
) -> _Options:
    _check_flag(plausible, "plausible")
    return _Options(
        kinds=_or_default(kinds, "kinds", globals()["kinds"]),
        sources=_or_default(sources, "sources", globals()["sources"]),
        reported_at=_or_default(reported_at, "reported_at", report_times),
        report_ids=_or_default(report_ids, "report_ids", st.none),
        plausible=plausible,
    )


def report_histories(
    *,
    propositions: SearchStrategy[str] | None = None,
    kinds: SearchStrategy[Kind] | None = None,
    sources: SearchStrategy[str] | None = None,
    reported_at: SearchStrategy[TimePoint] | None = None,
    report_ids: SearchStrategy[str | None] | None = None,
    min_size: int = 0,
    max_size: int | None = None,
    plausible: bool = True,
) -> SearchStrategy[list[Report]]:
    """Returns a strategy which generates the reports about one proposition.

    The key is drawn once from ``propositions``; report ids are unique. With
    ``plausible=True`` (the default) the history is one a newsroom could have
    seen: returned in reported order (by when each became known, then kind,
    then id), the earliest report is a claim (whatever ``kinds`` draws), a few
    sources speak repeatedly, reports share the proposition's statement, and
    supporting reports that give an ``occurred_at`` agree on one, never later
    than the report. With ``plausible=False`` every field is arbitrary and the
    list is in no particular order.

    Examples shrink towards fewer reports, kinds towards ``CLAIMED`` and times
    towards the start of the default or given ``reported_at`` range.
    """
    _check_sizes(min_size, max_size)
    options = _options(kinds, sources, reported_at, report_ids, plausible)
    key_st = _or_default(propositions, "propositions", proposition_keys)
    history = _report_lists(key_st.map(lambda key: [key]), options, min_size, max_size)
    if plausible:
        return history.map(lambda found: sorted(found, key=_sort_key))
    return history


def ledger_reports(
    *,
    propositions: SearchStrategy[str] | None = None,
    kinds: SearchStrategy[Kind] | None = None,
    sources: SearchStrategy[str] | None = None,
    reported_at: SearchStrategy[TimePoint] | None = None,
    report_ids: SearchStrategy[str | None] | None = None,
    min_size: int = 0,
    max_size: int | None = None,
    max_propositions: int = 4,
    plausible: bool = True,
) -> SearchStrategy[list[Report]]:
    """Returns a strategy which generates a ledger's worth of reports.

    Between one and ``max_propositions`` distinct keys are drawn from
    ``propositions``; the ``min_size`` to ``max_size`` reports (unique ids) are
    about those keys, interleaved in an arbitrary recording order. With
    ``plausible=True`` the reports about each key form a plausible history, as
    in :func:`report_histories` (but not sorted); with ``plausible=False``
    every field is arbitrary.

    Examples shrink towards fewer reports about fewer propositions, kinds
    towards ``CLAIMED`` and times towards the start of the ``reported_at`` range.
    """
    _check_sizes(min_size, max_size)
    if (
        not isinstance(max_propositions, int)
        or isinstance(max_propositions, bool)
        or max_propositions < 1
    ):
        msg = f"max_propositions must be a positive integer (got {max_propositions!r})"
        raise InvalidArgument(msg)
    options = _options(kinds, sources, reported_at, report_ids, plausible)
    key_st = _or_default(propositions, "propositions", proposition_keys)
    keys = st.lists(key_st, min_size=1, max_size=max_propositions, unique=True)
    return _report_lists(keys, options, min_size, max_size)
