"""Value objects: what a report says, and what is believed as a result.

All are frozen attrs classes; collections are tuples. Constructing one with bad
values raises :class:`~ledger.errors.InvalidReport` naming the field, what was
expected and what arrived.
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from ledger import _time
from ledger._time import TimePoint
from ledger.errors import InvalidReport

if TYPE_CHECKING:
    # ledger.opinions imports this module; the annotation needs only the name.
    from ledger.opinions import Opinion

__all__ = [
    "KIND_OF_VALUE",
    "Belief",
    "Change",
    "Entry",
    "Kind",
    "Report",
    "Status",
    "Strike",
    "StrikeRequest",
    "is_normalised",
    "normalise_name",
]


class Kind(enum.Enum):
    """What a report says about its proposition."""

    CLAIMED = "claimed"
    DISPUTED = "disputed"
    CONFIRMED = "confirmed"
    REFUTED = "refuted"

    # Members are singletons compared by identity; hashing them by identity
    # (in C) is consistent with that, and Enum's own hash is Python code that
    # every dict lookup of a kind would run.
    __hash__ = object.__hash__

    decisive: bool
    """Whether this kind settles the question (confirmed, refuted)."""
    supports: bool
    """Whether this kind speaks for the proposition (claimed, confirmed)."""


# Plain attributes, not properties: the folds read them for every report.
for _kind in Kind:
    _kind.decisive = _kind in (Kind.CONFIRMED, Kind.REFUTED)
    _kind.supports = _kind in (Kind.CLAIMED, Kind.CONFIRMED)
del _kind

KIND_OF_VALUE: Mapping[str, Kind] = {kind.value: kind for kind in Kind}
"""Each :class:`Kind` by its value (``"claimed"``...): a dict lookup, where
``Kind(value)`` runs Python code; for readers that turn many values into kinds.
"""


class Status(enum.Enum):
    """What is believed about a proposition at some knowledge time."""

    UNKNOWN = "unknown"
    CLAIMED = "claimed"
    DISPUTED = "disputed"
    CONFIRMED = "confirmed"
    REFUTED = "refuted"

    __hash__ = object.__hash__  # as Kind's


def _to_kind(value: object) -> Kind:
    if isinstance(value, Kind):
        return value
    if isinstance(value, str):
        try:
            return Kind(value)
        except ValueError:
            pass
    expected = ", ".join(kind.value for kind in Kind)
    msg = f"kind must be one of {expected} (got {value!r})"
    raise InvalidReport(msg, field="kind")


def _text(*, optional: bool) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, str) or not value.strip():
            expected = "a non-empty string" + (" or None" if optional else "")
            msg = f"{attribute.name} must be {expected} (got {value!r})"
            raise InvalidReport(msg, field=attribute.name)
        if "\x00" in value:
            # PostgreSQL cannot store it, and no text needs it: refused everywhere.
            msg = (
                f"{attribute.name} must not contain NUL (U+0000) characters "
                f"(found one at position {value.index(chr(0))})"
            )
            raise InvalidReport(msg, field=attribute.name)
        _check_unicode(attribute.name, value)

    return check


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_unicode(name: str, value: str) -> None:
    """Refuse lone surrogates: no store can hold them, and UTF-8 cannot spell them."""
    if value.isascii():
        return
    found = _SURROGATE.search(value)
    if found is not None:
        msg = (
            f"{name} must be Unicode text (got a lone surrogate "
            f"U+{ord(found.group()):04X} at character {found.start() + 1})"
        )
        raise InvalidReport(msg, field=name)


# Invisible format characters (category Cf) a key or source may hold: ZWNJ and
# ZWJ, which Persian, the Indic scripts and emoji sequences need, and the tag
# characters of emoji flags (U+E0020 to U+E007F). Every other one (U+200B, U+2060,
# U+FEFF, U+00AD, bidirectional controls, ...) only makes look-alikes.
_INVISIBLE_ALLOWED = frozenset({"\u200c", "\u200d"})
# Every format character (category Cf) lies in these ranges (whole blocks where
# Unicode keeps adding them; tests/test_values.py checks each Cf character of
# the running Python's Unicode): text with none of them needs no closer look.
_MAYBE_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u089f\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff0-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001345f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def _is_invisible(char: str) -> bool:
    return (
        unicodedata.category(char) == "Cf"
        and char not in _INVISIBLE_ALLOWED
        and not "\U000e0020" <= char <= "\U000e007f"
    )


def _name(value: object) -> object:
    """A key or source as compared: NFC, without surrounding whitespace."""
    if not isinstance(value, str):
        return value
    if value.isascii():  # ASCII is always NFC
        return value.strip()
    return unicodedata.normalize("NFC", value).strip()


def is_normalised(value: str) -> bool:
    """Whether ``value`` is already as :func:`normalise_name` would make it."""
    return (
        value.isascii() or unicodedata.is_normalized("NFC", value)
    ) and value.strip() == value


def normalise_name(value: str) -> str:
    """A proposition key, source or question as the ledger holds it.

    NFC, without surrounding whitespace: what a report's fields are turned into,
    so a query names the same proposition however its key was typed.
    """
    normalised = _name(value)
    return normalised if isinstance(normalised, str) and normalised else value


def _key(*, optional: bool) -> Any:
    text = _text(optional=optional)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        text(instance, attribute, value)
        if value is None:
            return
        assert isinstance(value, str)
        if value.isascii() or _MAYBE_INVISIBLE.search(value) is None:
            return
        for position, char in enumerate(value, start=1):
            if _is_invisible(char):
                name = unicodedata.name(char, "a format character")
                msg = (
                    f"{attribute.name} must not hold invisible characters (got "
                    f"U+{ord(char):04X} {name} at character {position}), "
                    "which make look-alike names"
                )
                raise InvalidReport(msg, field=attribute.name)

    return check


def _report_time(*, optional: bool) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        why = _time.problem(value)
        if why is not None and isinstance(value, datetime) and _time.is_aware(value):
            msg = f"{attribute.name}: {why}"  # no UTC instant
            raise InvalidReport(msg, field=attribute.name)
        if why is not None:
            expected = "a date or a timezone-aware datetime" + (
                " or None" if optional else ""
            )
            msg = f"{attribute.name} must be {expected} (got {_time.describe(value)})"
            raise InvalidReport(msg, field=attribute.name)

    return check


def _content_id(report: Report) -> str:
    # Runs before the validators, so it must not fail on bad values.
    def text(value: object) -> str | None:
        # One instant is one report, whatever offset it was written with.
        if isinstance(value, datetime) and value.utcoffset():
            with contextlib.suppress(OverflowError):  # refused by the validator
                value = value.astimezone(UTC)
        return value.isoformat() if isinstance(value, date) else None

    content = [
        report.kind.value,
        report.proposition,
        report.source,
        text(report.reported_at),
        text(report.occurred_at),
        report.statement,
        report.quote,
        report.url,
    ]
    # Fields added later count only when given, so older reports keep their ids.
    for name in ("question", "rating"):
        value = getattr(report, name, None)
        if value is not None:
            content.append(f"{name}={value}")
    encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: a lone surrogate is refused by the validator, not here.
    digest = hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()
    return "r-" + digest[:32]


def _derive_id(report: Report) -> str:
    # The default of report_id: marks the id as derived, then derives it.
    object.__setattr__(report, "_id_given", False)
    return _content_id(report)


_DERIVED_FORM = re.compile(r"r-[0-9a-f]{32}")
_STORED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ledger_stored_reports", default=False
)


@contextlib.contextmanager
def stored_reports() -> Iterator[None]:
    """Build reports read back from a ledger: their ids are taken as stored.

    A ledger's own reports passed every check when they were recorded, under
    the rules of their time; reading them back must not refuse them.
    """
    token = _STORED.set(True)
    try:
        yield
    finally:
        _STORED.reset(token)


@attrs.frozen
class Report:
    """One report about a proposition: who said what, and when.

    ``report_id`` defaults to an id derived from the content, so the same report
    recorded twice is recorded once. ``proposition``, ``source`` and ``question``
    are names people compare: they are normalised to NFC without surrounding
    whitespace, and invisible format characters other than ZWNJ and ZWJ are
    refused in them (see ``docs/file-format.md``).
    """

    kind: Kind = attrs.field(converter=_to_kind)
    proposition: str = attrs.field(converter=_name, validator=_key(optional=False))
    """The proposition's key, in NFC, without surrounding whitespace."""
    source: str = attrs.field(converter=_name, validator=_key(optional=False))
    """Who made the report, in NFC, without surrounding whitespace."""
    reported_at: TimePoint = attrs.field(validator=_report_time(optional=False))
    occurred_at: TimePoint | None = attrs.field(
        default=None, validator=_report_time(optional=True)
    )
    statement: str | None = attrs.field(default=None, validator=_text(optional=True))
    quote: str | None = attrs.field(default=None, validator=_text(optional=True))
    url: str | None = attrs.field(default=None, validator=_text(optional=True))
    question: str | None = attrs.field(
        default=None, converter=_name, validator=_key(optional=True)
    )
    """The key of the question this report's proposition answers, if any."""
    rating: str | None = attrs.field(default=None, validator=_text(optional=True))
    """A publisher's raw verdict text (kept from ClaimReview), if any."""
    _id_given: bool = attrs.field(init=False, default=True, eq=False, repr=False)
    report_id: str = attrs.field(
        default=attrs.Factory(_derive_id, takes_self=True),
        validator=_text(optional=False),
    )
    known_from: datetime = attrs.field(init=False, eq=False, repr=False)
    """The UTC instant from which this report is known (``reported_at``)."""

    def __attrs_post_init__(self) -> None:
        # Derived once: every query compares it, often many times per report.
        object.__setattr__(self, "known_from", _time.start(self.reported_at))
        if (
            self._id_given
            and _DERIVED_FORM.fullmatch(self.report_id)
            and not _STORED.get()
            and self.report_id != _content_id(self)
        ):
            # Derived ids are the content's own: an explicit one in that form
            # would take over the id of another report for good.
            msg = (
                f"report_id {self.report_id!r} has the form of a derived id "
                "(r- and 32 hex digits) but is not this report's own "
                f"({_content_id(self)}); give another id, or none"
            )
            raise InvalidReport(msg, field="report_id")

    @classmethod
    def _trusted(cls, values: Mapping[str, Any]) -> Report:
        """A report from fields that passed every check once, built unchecked.

        For reports read back from a ledger (see ``_codec``): ``values`` holds
        every init field, converted and normalised, with its ``report_id``.
        """
        reported_at = values["reported_at"]
        return _unchecked(
            values["kind"],
            values["proposition"],
            values["source"],
            reported_at,
            values["occurred_at"],
            values["statement"],
            values["quote"],
            values["url"],
            values["question"],
            values["rating"],
            values["report_id"],
            True,  # noqa: FBT003 - a stored report's id counts as given
            _time.start(reported_at),
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the report's values, rebuilt without checking them again.

        A pickle comes from a process that made the report (reading a file
        in a second process does that), and unpickling runs no code of its
        own but this; rebuilding through the checks would cost more than
        reading the report in the first place.
        """
        return (
            _unpickled,
            (
                self.kind.value,
                self.proposition,
                self.source,
                self.reported_at,
                self.occurred_at,
                self.statement,
                self.quote,
                self.url,
                self.question,
                self.rating,
                self.report_id,
                self._id_given,
                self.known_from,
            ),
        )

    @classmethod
    def from_dict(cls, fields: Mapping[str, object]) -> Report:
        """The report whose :meth:`to_dict` is ``fields`` (times as ISO text).

        Raises InvalidReport naming the field for an unknown or missing field,
        or a value that is not valid (see :mod:`ledger._codec`).
        """
        from ledger import _codec  # the codec builds on this module

        return _codec.report_from_dict(fields)

    def to_dict(self) -> dict[str, str]:
        """The report as the file format's JSON object (absent fields omitted)."""
        from ledger import _codec

        return _codec.report_to_dict(self)

    def replace(self, **changes: Any) -> Report:
        """A copy with ``changes``; an id that was derived is derived again.

        (``attrs.evolve`` would keep the old derived id for new content.)
        """
        fields = {
            field.name: getattr(self, field.name)
            for field in attrs.fields(Report)
            if field.init
        }
        if not self._id_given and "report_id" not in changes:
            del fields["report_id"]
        fields.update(changes)
        return Report(**fields)

    def has_derived_id(self) -> bool:
        """Whether ``report_id`` is the derived one (none was given, or it was).

        An explicit id of the derived form is checked to be the report's own
        when the report is made (outside :func:`stored_reports`).
        """
        return not self._id_given or bool(_DERIVED_FORM.fullmatch(self.report_id))

    def derived_id(self) -> str:
        """The id derived from this report's content (``r-`` and 32 hex digits).

        Its ``report_id``, unless another was given.
        """
        return _content_id(self)


_INIT_FIELDS = tuple(field.name for field in attrs.fields(Report) if field.init)

# Each of a report's slots, set directly (unpacking fails if a field is added
# without its setter): a frozen class refuses setattr, and
# object.__setattr__ by name costs twice as much as the slot's own setter.
_SLOTS = (*_INIT_FIELDS, "_id_given", "known_from")
(
    _set_kind,
    _set_proposition,
    _set_source,
    _set_reported_at,
    _set_occurred_at,
    _set_statement,
    _set_quote,
    _set_url,
    _set_question,
    _set_rating,
    _set_report_id,
    _set_id_given,
    _set_known_from,
) = (Report.__dict__[name].__set__ for name in _SLOTS)


def _unchecked(
    kind: Kind,
    proposition: str,
    source: str,
    reported_at: TimePoint,
    occurred_at: TimePoint | None,
    statement: str | None,
    quote: str | None,
    url: str | None,
    question: str | None,
    rating: str | None,
    report_id: str,
    id_given: bool,
    known_from: datetime,
) -> Report:
    """A report of values that passed its checks once, built without them."""
    report: Report = object.__new__(Report)
    _set_kind(report, kind)
    _set_proposition(report, proposition)
    _set_source(report, source)
    _set_reported_at(report, reported_at)
    _set_occurred_at(report, occurred_at)
    _set_statement(report, statement)
    _set_quote(report, quote)
    _set_url(report, url)
    _set_question(report, question)
    _set_rating(report, rating)
    _set_report_id(report, report_id)
    _set_id_given(report, id_given)
    _set_known_from(report, known_from)
    return report


def _unpickled(kind: str, *values: Any) -> Report:
    """The report :meth:`Report.__reduce__` pickled."""
    return _unchecked(KIND_OF_VALUE[kind], *values)


@attrs.frozen
class Strike:
    """The record that a report was entered by mistake, and why."""

    report_id: str
    reason: str
    recorded_at: datetime


@attrs.frozen
class StrikeRequest:
    """A strike to record: the report ``report_id`` was a mistake, for ``reason``.

    What a strike line of a report file reads as (``{"strike": ID, "reason":
    TEXT}``), and what ``Ledger.record_all`` takes beside reports. ``path`` and
    ``line`` say where it was read, for error messages; they take no part in
    equality.
    """

    report_id: str = attrs.field(validator=_text(optional=False))
    reason: str = attrs.field(validator=_text(optional=False))
    path: str | None = attrs.field(default=None, eq=False, kw_only=True)
    line: int | None = attrs.field(default=None, eq=False, kw_only=True)

    def to_dict(self) -> dict[str, str]:
        """The strike as a line of the file format: ``strike`` and ``reason``."""
        return {"strike": self.report_id, "reason": self.reason}


@attrs.frozen
class Entry:
    """A report as the ledger holds it: when it was recorded, and any strike."""

    report: Report
    recorded_at: datetime
    strike: Strike | None = None


@attrs.frozen
class Belief:
    """What was believed about one proposition at one knowledge time.

    ``since`` is the ``reported_at`` of the report from which ``status`` has held
    without interruption; ``decided_by`` are the reports that decide it;
    ``challenges`` are claims and disputes made no earlier than a decisive word,
    which they do not overturn. ``opinion`` is the fused subjective-logic
    opinion under the :class:`~ledger.opinions.Opinions` policy (None under a
    policy that forms none). ``rivals`` are, for a proposition that answers a
    question, the keys of the other answers to it that are confirmed on the
    same date (sorted; filled by the ledger's queries, see
    :mod:`ledger.analysis`).
    """

    proposition: str
    status: Status
    since: TimePoint | None = None
    decided_by: tuple[Report, ...] = ()
    supporting: tuple[Report, ...] = ()
    opposing: tuple[Report, ...] = ()
    challenges: tuple[Report, ...] = ()
    occurred_at: TimePoint | None = None
    statement: str | None = None
    opinion: Opinion | None = None
    rivals: tuple[str, ...] = ()

    @property
    def probability(self) -> float | None:
        """The projected probability of ``opinion``; None when there is none."""
        return None if self.opinion is None else self.opinion.probability

    def _repr_html_(self) -> str:
        from ledger.report import belief_html  # lazily: only notebooks draw

        return belief_html(self)

    def explain(self) -> str:
        """A few plain sentences on why this is believed (ledger.analysis.explain)."""
        # Imported here: ledger.analysis builds on this module.
        from ledger.analysis import explain

        return explain(self)


@attrs.frozen
class Change:
    """A change of status of one proposition, at the knowledge time ``at``."""

    proposition: str
    at: TimePoint
    before: Status
    after: Status
    belief: Belief
