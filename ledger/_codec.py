"""The one converter between a :class:`~ledger.values.Report` and its data forms.

A report has one dict form (the file format's JSON object: every value a string,
absent fields left out) and one JSON form (that object as compact UTF-8 JSON).
The report files, the stored events, the belief view and every export use these
functions, so they cannot drift apart.

Stored events carry their state as JSON too: :class:`EventTranscoder` is the
transcoder registered with eventsourcing, and :func:`reported_state` /
:func:`struck_state` build the same bytes directly on the write path, without
building event objects first.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, NamedTuple, TypeGuard
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder

from ledger import _time
from ledger._time import TimePoint
from ledger.errors import InvalidReport
from ledger.values import KIND_OF_VALUE, Kind, Report, is_normalised, stored_reports

__all__ = [
    "FIELDS",
    "REQUIRED",
    "EventTranscoder",
    "ReportFacts",
    "archived_state",
    "dumps",
    "loads",
    "report_from_dict",
    "report_from_json",
    "report_to_dict",
    "report_to_json",
    "reported_state",
    "stored_report_from_dict",
    "stored_report_facts",
    "stored_report_from_event",
    "struck_state",
]

FIELDS: tuple[str, ...] = (
    "kind",
    "proposition",
    "statement",
    "source",
    "reported_at",
    "occurred_at",
    "quote",
    "url",
    "question",
    "rating",
    "report_id",
)
"""The fields of a report's dict form, in the column order files use."""

REQUIRED: frozenset[str] = frozenset({"kind", "proposition", "source", "reported_at"})
"""The fields every report's dict form must give."""

_FIELD_SET = frozenset(FIELDS)
_OPTIONAL_TEXT = ("statement", "quote", "url", "question", "rating")
_TIMES = ("reported_at", "occurred_at")


def report_to_dict(report: Report) -> dict[str, str]:
    """The report as the file format's JSON object (absent fields omitted)."""
    row: dict[str, str] = {
        "kind": report.kind.value,
        "proposition": report.proposition,
        "source": report.source,
        "reported_at": report.reported_at.isoformat(),
    }
    if report.occurred_at is not None:
        row["occurred_at"] = report.occurred_at.isoformat()
    for name in _OPTIONAL_TEXT:
        value = getattr(report, name)
        if value is not None:
            row[name] = value
    row["report_id"] = report.report_id
    return row


def report_from_dict(fields: Mapping[str, object]) -> Report:
    """The report whose dict form is ``fields`` (times as ISO text, or values).

    Raises InvalidReport naming the field for an unknown or missing field, or
    a value that is not valid.
    """
    unknown = sorted(name for name in fields if name not in FIELDS)
    if unknown:
        msg = (
            f"unknown field {unknown[0]!r} (expected only {', '.join(FIELDS)})"
            if len(unknown) == 1
            else f"unknown fields {unknown!r} (expected only {', '.join(FIELDS)})"
        )
        raise InvalidReport(msg, field=unknown[0])
    missing = sorted(REQUIRED.difference(fields))
    if missing:
        msg = f"{missing[0]} is required (the report has no {missing[0]} field)"
        raise InvalidReport(msg, field=missing[0])
    values: dict[str, Any] = dict(fields)
    for name in _TIMES:
        text = values.get(name)
        if isinstance(text, str):
            try:
                values[name] = _time.parse(text)
            except ValueError as error:
                msg = f"{name}: {error}"
                raise InvalidReport(msg, field=name) from None
    return Report(**values)


def report_to_json(report: Report) -> bytes:
    """The report's dict form as compact UTF-8 JSON."""
    return orjson.dumps(report_to_dict(report))


def report_from_json(data: bytes | str) -> Report:
    """The report whose JSON form is ``data``."""
    fields = orjson.loads(data)
    if not isinstance(fields, dict):
        msg = f"expected a JSON object, found {type(fields).__name__}"
        raise InvalidReport(msg)
    return report_from_dict(fields)


def stored_report_from_dict(fields: Mapping[str, object]) -> Report:
    """:func:`report_from_dict` for a report read back from a ledger.

    A ledger's reports passed every check when they were recorded, so one
    whose fields are plainly in the stored form is built without checking
    them again (a view rebuild decodes every report); anything else takes
    the checked way.
    """
    trusted = _trusted(fields)
    if trusted is not None:
        return trusted
    with stored_reports():
        return report_from_dict(fields)


class ReportFacts(NamedTuple):
    """What the belief view keeps of a report: its key, id, kind, time and question."""

    proposition: str
    report_id: str
    kind: Kind
    known_from: datetime
    question: str | None


def stored_report_facts(fields: Mapping[str, object]) -> ReportFacts:
    """The :class:`ReportFacts` of a stored report, without building the report.

    A view rebuild reads every report back but keeps only these facts. Where
    they are plainly in the stored form (the conditions under which
    :func:`stored_report_from_dict` trusts them) they are taken as they are;
    anything else takes the checked way, through the report itself. The
    report's other fields are not looked at: they were checked when it was
    recorded, and every read that shows them decodes the whole report.
    """
    if _FIELD_SET.issuperset(fields):
        proposition = fields.get("proposition")
        report_id = fields.get("report_id")
        question = fields.get("question")
        value = fields.get("kind")
        kind = KIND_OF_VALUE.get(value) if isinstance(value, str) else None
        if (
            kind is not None
            and _plain_name(proposition)
            and _plain_text(report_id)
            and (question is None or _plain_name(question))
        ):
            try:
                reported = _stored_time(fields.get("reported_at"))
            except (TypeError, ValueError):
                pass
            else:
                return ReportFacts(
                    proposition, report_id, kind, _time.start(reported), question
                )
    report = stored_report_from_dict(fields)
    return ReportFacts(
        report.proposition,
        report.report_id,
        report.kind,
        report.known_from,
        report.question,
    )


_NAMES = ("proposition", "source", "question")
_TEXTS = ("statement", "quote", "url", "rating", "report_id")


def _plain_name(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a name as stored: a non-empty normalised string."""
    return type(value) is str and bool(value) and is_normalised(value)


def _plain_text(value: object) -> TypeGuard[str]:
    """Whether ``value`` is text as stored: a string that is not blank."""
    return type(value) is str and bool(value.strip())


def _trusted(fields: Mapping[str, object]) -> Report | None:
    """The stored report of ``fields`` built unchecked, or None if it needs checks."""
    if not _FIELD_SET.issuperset(fields):
        return None
    values: dict[str, Any] = {name: fields.get(name) for name in FIELDS}
    try:
        values["kind"] = KIND_OF_VALUE[values["kind"]]
        values["reported_at"] = _stored_time(values["reported_at"])
        if values["occurred_at"] is not None:
            values["occurred_at"] = _stored_time(values["occurred_at"])
    except (KeyError, TypeError, ValueError):
        return None
    if values["proposition"] is None or values["source"] is None:
        return None
    for name in _NAMES:
        value = values[name]
        if value is not None and not _plain_name(value):
            return None
    for name in _TEXTS:
        value = values[name]
        if value is not None and not _plain_text(value):
            return None
    if values["report_id"] is None:
        return None
    return Report._trusted(values)


def _stored_time(text: object) -> TimePoint:
    """A stored ``isoformat()`` time: a date, or a datetime with its offset."""
    if type(text) is not str:
        raise TypeError(text)
    if len(text) == 10:
        return date.fromisoformat(text)
    parsed = datetime.fromisoformat(text)
    if parsed.utcoffset() is None:
        raise ValueError(text)
    return parsed


def stored_report_from_event(state: bytes) -> Report:
    """The report held by the stored state of a ``Reported`` (or first) event."""
    data = orjson.loads(state)["report"]["_data_"]
    return stored_report_from_dict(data)


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON for plain data (the ledger's one JSON encoder)."""
    return orjson.dumps(value)


def loads(data: bytes | str) -> Any:
    """Parse JSON text (the ledger's one JSON decoder)."""
    return orjson.loads(data)


# -- stored events -------------------------------------------------------------

# Tagged values inside an event's state, so decoding gives back the same types.
# The tags are those of eventsourcing's own JSON transcodings, so events stored
# by its JSONTranscoder (the ledger's first format) decode here as they are.
_REPORT_TAG = "ledger_report"
_DATETIME_TAG = "datetime_iso"
_UUID_TAG = "uuid_hex"


def _encode_value(value: object) -> Any:
    if isinstance(value, Report):
        return {"_type_": _REPORT_TAG, "_data_": report_to_dict(value)}
    if isinstance(value, datetime):
        return {"_type_": _DATETIME_TAG, "_data_": value.isoformat()}
    if isinstance(value, UUID):
        return {"_type_": _UUID_TAG, "_data_": value.hex}
    msg = f"cannot store a value of type {type(value).__name__} in an event"
    raise TypeError(msg)


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and value.keys() == {"_type_", "_data_"}:
        tag, data = value["_type_"], value["_data_"]
        if tag == _REPORT_TAG:
            return stored_report_from_dict(data)
        if tag == _DATETIME_TAG:
            return datetime.fromisoformat(data)
        if tag == _UUID_TAG:
            return UUID(data)
    return value


class EventTranscoder(Transcoder):
    """eventsourcing's transcoder for the ledger's events: orjson, tagged values.

    An event's state is a flat object; a report, a datetime or a UUID in it is
    stored as ``{"_type_": tag, "_data_": ...}`` (a report as its dict form).
    """

    def encode(self, obj: Any) -> bytes:
        """The JSON bytes of an event's state."""
        return orjson.dumps(
            obj,
            default=_encode_value,
            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS,
        )

    def decode(self, data: bytes) -> Any:
        """The event state stored as ``data``."""
        state = orjson.loads(data)
        if isinstance(state, dict):
            return {name: _decode_value(value) for name, value in state.items()}
        return state


def _stamp(timestamp: datetime) -> dict[str, str]:
    return {"_type_": _DATETIME_TAG, "_data_": timestamp.isoformat()}


def reported_state(
    report_json: bytes, timestamp: datetime | str, *, key: str | None = None
) -> bytes:
    """The stored state of a ``Reported`` (or, given ``key``, ``FirstReported``).

    ``report_json`` is the report's :func:`report_to_json`; ``key``, its
    proposition, is given for the proposition's first event. ``timestamp`` may
    be given as its ISO text, made once for a whole batch. The bytes are those
    of ``orjson.dumps`` of the state object, put together from the report's
    JSON and a prefix made once per timestamp.
    """
    when = timestamp if isinstance(timestamp, str) else timestamp.isoformat()
    if key is not None:
        first = (_reported_head(when), report_json, b'},"key":', orjson.dumps(key))
        return b"".join((*first, _FIRST_TAIL))
    return _reported_head(when) + report_json + b"}}"


_FIRST_TAIL = b',"originator_topic":"ledger:Proposition"}'


@functools.lru_cache(maxsize=8)
def _reported_head(when: str) -> bytes:
    """The start of a reported state, up to the report's JSON."""
    stamp = orjson.dumps({"_type_": _DATETIME_TAG, "_data_": when})
    return (
        b'{"timestamp":'
        + stamp
        + b',"report":{"_type_":"'
        + _REPORT_TAG.encode()
        + b'","_data_":'
    )


def struck_state(report_id: str, reason: str, timestamp: datetime) -> bytes:
    """The stored state of a ``Struck`` event."""
    return orjson.dumps(
        {"timestamp": _stamp(timestamp), "report_id": report_id, "reason": reason}
    )


def archived_state(
    url: str,
    sha256: str,
    media_type: str,
    retrieved_at: datetime,
    content: bytes,
    timestamp: datetime,
) -> bytes:
    """The stored state of a ``Source.Archived`` event (content as base64)."""
    return orjson.dumps(
        {
            "timestamp": _stamp(timestamp),
            "originator_topic": "ledger:Source",
            "url": url,
            "sha256": sha256,
            "media_type": media_type,
            "retrieved_at": retrieved_at.isoformat(),
            "content": base64.b64encode(content).decode("ascii"),
        }
    )
