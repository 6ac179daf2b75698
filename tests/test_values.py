"""Report and belief value objects: validation, ids, immutability."""

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from ledger import InvalidReport, Kind, Report
from ledger import strategies as ls
from ledger.values import stored_reports

BASE: dict[str, Any] = {
    "kind": "claimed",
    "proposition": "baghdadi-killed-raqqa-strike-2017",
    "source": "Russian Ministry of Defence",
    "reported_at": date(2017, 6, 16),
}


def test_kind_accepts_its_text_value() -> None:
    """A kind given as its file-format text becomes the enum member."""
    assert Report(**BASE).kind is Kind.CLAIMED


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (
            "kind",
            "rumoured",
            "kind must be one of claimed, disputed, confirmed, refuted",
        ),
        ("kind", 3, "(got 3)"),
        ("proposition", "", "proposition must be a non-empty string (got '')"),
        ("proposition", "   ", "proposition must be a non-empty string"),
        ("source", None, "source must be a non-empty string (got None)"),
        ("reported_at", "2017-06-16", "reported_at must be a date or a timezone-aware"),
        ("reported_at", datetime(2017, 6, 16, 12), "which has no timezone"),
        ("occurred_at", datetime(2017, 5, 28), "occurred_at must be a date or a"),
        ("statement", "", "statement must be a non-empty string or None"),
        ("url", 5, "url must be a non-empty string or None (got 5)"),
        ("report_id", "", "report_id must be a non-empty string (got '')"),
    ],
)
def test_invalid_fields_are_named(field: str, value: object, expected: str) -> None:
    """Each invalid field raises InvalidReport naming it and showing the value."""
    with pytest.raises(InvalidReport) as caught:
        Report(**{**BASE, field: value})
    assert expected in str(caught.value)
    assert caught.value.field == field


def test_naive_datetime_message_matches_conventions() -> None:
    """The naive-datetime message is the one CONVENTIONS.md shows."""
    with pytest.raises(
        InvalidReport,
        match=r"^reported_at must be a date or a "
        r"timezone-aware datetime \(got datetime\.datetime\(2017, 6, 16, "
        r"12, 0\), which has no timezone\)$",
    ):
        Report(**{**BASE, "reported_at": datetime(2017, 6, 16, 12)})


def test_content_id_is_deterministic_and_content_sensitive() -> None:
    """The same content gives the same id; any change of content a different one."""
    first = Report(**BASE)
    assert Report(**BASE).report_id == first.report_id
    assert first.report_id.startswith("r-")
    changed = [
        Report(**{**BASE, "source": "Iraq"}),
        Report(**{**BASE, "kind": "disputed"}),
        Report(**{**BASE, "reported_at": date(2017, 6, 17)}),
        Report(**BASE, occurred_at=date(2017, 5, 28)),
        Report(**BASE, quote="may have killed"),
    ]
    assert len({report.report_id for report in changed} | {first.report_id}) == 6


def test_given_report_id_is_kept() -> None:
    """An explicit report_id is used as given."""
    assert Report(**BASE, report_id="ru-mod-1").report_id == "ru-mod-1"


def test_unicode_keys_and_sources() -> None:
    """Keys and sources may be any non-blank Unicode."""
    report = Report(
        **{**BASE, "proposition": "أبو بكر البغدادي-مقتول", "source": "Минобороны"}
    )
    assert report.to_dict()["proposition"] == "أبو بكر البغدادي-مقتول"


def test_known_from_is_utc_start_of_day_for_dates() -> None:
    """A date-only report is known from 00:00 UTC; a datetime from its instant."""
    assert Report(**BASE).known_from == datetime(2017, 6, 16, tzinfo=UTC)
    moscow = timezone(timedelta(hours=3))
    report = Report(**{**BASE, "reported_at": datetime(2017, 6, 16, 2, tzinfo=moscow)})
    assert report.known_from == datetime(2017, 6, 15, 23, tzinfo=UTC)


def test_reports_are_immutable() -> None:
    """Reports are frozen."""
    report = Report(**BASE)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        report.source = "someone else"  # type: ignore[misc]


def test_to_dict_is_the_file_format() -> None:
    """to_dict gives the file format's object, omitting absent optional fields."""
    report = Report(**BASE, occurred_at=date(2017, 5, 28), report_id="x")
    assert report.to_dict() == {
        "kind": "claimed",
        "proposition": BASE["proposition"],
        "source": BASE["source"],
        "reported_at": "2017-06-16",
        "occurred_at": "2017-05-28",
        "report_id": "x",
    }


def test_an_explicit_id_in_the_derived_form_must_be_the_reports_own() -> None:
    """r- and 32 hex digits is the derived ids' namespace: another report's is refused."""
    genuine = Report(
        kind="claimed", proposition="p", source="genuine", reported_at=date(2017, 6, 16)
    )
    assert genuine.report_id == genuine.derived_id()
    assert Report.from_dict(genuine.to_dict()).report_id == genuine.report_id
    with pytest.raises(InvalidReport, match="form of a derived id"):
        Report(
            kind="claimed",
            proposition="p",
            source="impostor",
            reported_at=date(2017, 6, 16),
            report_id=genuine.report_id,
        )
    assert (
        Report(
            kind="claimed",
            proposition="p",
            source="x",
            reported_at=date(2017, 6, 16),
            report_id="r-mine",
        ).report_id
        == "r-mine"
    )


def test_replace_derives_a_derived_id_again_and_keeps_a_given_one() -> None:
    """Report.replace: new content gets its own derived id; an explicit id stays."""
    derived = Report(
        kind="claimed", proposition="p", source="s", reported_at=date(2017, 6, 16)
    )
    changed = derived.replace(source="t")
    assert changed.report_id == changed.derived_id() != derived.report_id
    given = Report(
        kind="claimed",
        proposition="p",
        source="s",
        reported_at=date(2017, 6, 16),
        report_id="mine",
    )
    assert given.replace(source="t").report_id == "mine"


def test_stored_reports_are_read_back_as_they_were_recorded() -> None:
    """A stored report whose id was derived under older rules still reads back."""
    from ledger import _codec

    data = {
        "kind": "claimed",
        "proposition": "p",
        "source": "s",
        "reported_at": "2017-06-16",
        "report_id": "r-" + "0" * 32,
    }
    with pytest.raises(InvalidReport):
        _codec.report_from_dict(data)
    assert _codec.stored_report_from_dict(data).report_id == "r-" + "0" * 32


@st.composite
def any_text_reports(draw: st.DrawFn) -> Report:
    """A valid report whose names and texts are arbitrary Unicode."""
    texts = st.none() | st.text(min_size=1)
    given_id = draw(texts)
    ids: dict[str, Any] = {} if given_id is None else {"report_id": given_id}
    try:
        return Report(
            **ids,
            kind=draw(ls.kinds()),
            proposition=draw(st.text(min_size=1)),
            source=draw(st.text(min_size=1)),
            reported_at=draw(ls.report_times()),
            quote=draw(texts),
            url=draw(texts),
            question=draw(texts),
            rating=draw(texts),
        )
    except InvalidReport:
        reject()


@given(st.one_of(ls.reports(), any_text_reports()))
def test_a_stored_report_read_unchecked_is_the_checked_one(report: Report) -> None:
    """Reading a stored report without its checks gives the report they give."""
    from ledger import _codec

    data = _codec.report_to_dict(report)
    with stored_reports():
        checked = _codec.report_from_dict(data)
    trusted = _codec._trusted(data)
    assert trusted is not None
    assert trusted == checked == report
    assert trusted.known_from == checked.known_from
    assert trusted.has_derived_id() == checked.has_derived_id()
    assert attrs.asdict(trusted) == attrs.asdict(checked)


def _facts_of(report: Report) -> tuple[object, ...]:
    return (
        report.proposition,
        report.report_id,
        report.kind,
        report.known_from,
        report.question,
    )


@given(st.one_of(ls.reports(), any_text_reports()))
def test_a_stored_reports_facts_are_those_of_the_report(report: Report) -> None:
    """What a view rebuild keeps of a stored report is what the report says."""
    from ledger import _codec

    facts = _codec.stored_report_facts(_codec.report_to_dict(report))
    assert tuple(facts) == _facts_of(report)
    assert type(facts.kind) is Kind


def _stored_form(change: dict[str, Any]) -> dict[str, Any]:
    """A plainly stored report's fields, with ``change`` applied."""
    return {
        "kind": "claimed",
        "proposition": "p",
        "source": "s",
        "reported_at": "2017-06-16",
        "report_id": "x",
        **change,
    }


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "Claimed"},
        {"proposition": " p"},
        {"proposition": "cafe\u0301"},
        {"question": " q "},
        {"reported_at": "2017-06-16T09:30:00+02:00"},
        {"report_id": " x"},
    ],
)
def test_a_stored_reports_facts_off_the_stored_form_are_the_checked_ones(
    change: dict[str, Any],
) -> None:
    """Facts not plainly stored are those of the report built the checked way."""
    from ledger import _codec

    data = _stored_form(change)
    try:
        with stored_reports():
            checked = _codec.report_from_dict(data)
    except InvalidReport:
        with pytest.raises(InvalidReport):
            _codec.stored_report_facts(data)
    else:
        assert tuple(_codec.stored_report_facts(data)) == _facts_of(checked)


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "Claimed"},
        {"proposition": " p"},
        {"source": "cafe\u0301"},
        {"reported_at": "2017-06-16T09:30:00"},
        {"reported_at": 20170616},
        {"quote": ""},
        {"unknown": "x"},
    ],
)
def test_a_stored_report_off_the_stored_form_is_checked(change: dict[str, Any]) -> None:
    """Anything but the plain stored form goes the checked way."""
    from ledger import _codec

    data = _stored_form(change)
    assert _codec._trusted(data) is None


@given(
    st.one_of(ls.reports(), any_text_reports()),
    st.datetimes(timezones=st.just(UTC)),
    st.booleans(),
)
def test_a_reported_state_is_the_json_of_its_state_object(
    report: Report, timestamp: datetime, first: bool
) -> None:
    """The state put together from parts is orjson's encoding of the whole object."""
    import orjson

    from ledger import _codec

    data = _codec.report_to_dict(report)
    state: dict[str, Any] = {
        "timestamp": {"_type_": "datetime_iso", "_data_": timestamp.isoformat()},
        "report": {"_type_": "ledger_report", "_data_": data},
    }
    if first:
        state["key"] = report.proposition
        state["originator_topic"] = "ledger:Proposition"
    encoded = _codec.reported_state(
        _codec.report_to_json(report),
        timestamp,
        key=report.proposition if first else None,
    )
    assert encoded == orjson.dumps(state)
    decoded = _codec.EventTranscoder().decode(encoded)
    assert decoded["report"] == report
    assert decoded["timestamp"] == timestamp
    assert _codec.stored_report_from_event(encoded) == report


def test_every_format_character_is_looked_at_closely() -> None:
    """The quick test for invisible characters misses no format character (Cf)."""
    import unicodedata

    from ledger.values import _MAYBE_INVISIBLE

    missed = [
        f"U+{code:04X}"
        for code in range(0x110000)
        if unicodedata.category(chr(code)) == "Cf"
        and _MAYBE_INVISIBLE.fullmatch(chr(code)) is None
    ]
    assert missed == [], f"Unicode {unicodedata.unidata_version}"


@given(
    st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        min_size=1,
    ).filter(str.strip)
    | st.sampled_from(["a\u200bb", "\u00e9\u2060", "x\U000e0001", "\u200d\u0915"])
)
def test_a_key_is_refused_exactly_when_it_holds_an_invisible_character(
    key: str,
) -> None:
    """The quick look finds what the character-by-character look finds."""
    from ledger.values import _is_invisible, normalise_name

    held = normalise_name(key)
    invisible = [char for char in held if _is_invisible(char)]
    if invisible:
        with pytest.raises(InvalidReport, match=f"U\\+{ord(invisible[0]):04X} "):
            Report(**{**BASE, "proposition": key})
    else:
        assert Report(**{**BASE, "proposition": key}).proposition == held
