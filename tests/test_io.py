"""Report files: every bad input gets a message naming what to fix; nothing is lost."""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ledger.io as ledger_io
from ledger import InvalidReport, Kind, Ledger, Report, Status
from ledger.io import (
    FIELDS,
    InvalidFile,
    belief_to_dict,
    change_to_dict,
    check_reports,
    entry_to_dict,
    period_to_dict,
    read_reports,
    write_reports,
)
from ledger.values import StrikeRequest

GOOD = {
    "kind": "claimed",
    "proposition": "baghdadi-killed-raqqa-strike-2017",
    "source": "Russian Ministry of Defence",
    "reported_at": "2017-06-16",
}
LATER = {**GOOD, "kind": "refuted", "source": "Audio", "reported_at": "2017-09-28"}
CSV_HEADER = "kind,proposition,source,reported_at\n"


def jsonl(*rows: dict[str, Any]) -> str:
    """The JSON Lines text of ``rows``."""
    return "".join(json.dumps(row) + "\n" for row in rows)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """Write ``content`` to ``tmp_path / name`` (text as UTF-8) and return the path."""
    path = tmp_path / name
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    return path


def import_fails(ledger: Ledger, path: Path, **options: Any) -> InvalidFile:
    """Import ``path`` expecting InvalidFile; check that nothing was recorded."""
    before = list(ledger.entries())
    with pytest.raises(InvalidFile) as caught:
        ledger.record_all(read_reports(path, **options))
    assert list(ledger.entries()) == before
    return caught.value


def only_error(path: Path, **options: Any) -> InvalidReport:
    """The single problem reading ``path`` finds (asserting there is exactly one)."""
    with pytest.raises(InvalidFile) as caught:
        check_reports(path, **options)
    assert caught.value.count == 1, str(caught.value)
    (error,) = caught.value.errors
    assert error.path == str(path)
    return error


# ---------------------------------------------------------------- valid files


def test_reads_jsonl_as_reports(tmp_path: Path) -> None:
    """Each JSON line becomes the Report its fields describe; blank lines are skipped."""
    full = {**GOOD, "occurred_at": "2017-05-28", "statement": "S", "quote": "Q"}
    path = write(tmp_path, "r.jsonl", jsonl(full) + "\n  \n" + jsonl(LATER))
    reports = list(read_reports(path))
    key = GOOD["proposition"]
    assert reports == [
        Report(Kind.CLAIMED, key, GOOD["source"], date(2017, 6, 16),
               occurred_at=date(2017, 5, 28), statement="S", quote="Q"),
        Report(Kind.REFUTED, key, "Audio", date(2017, 9, 28)),
    ]  # fmt: skip


def test_reads_csv_with_columns_in_any_order(tmp_path: Path) -> None:
    """A CSV header may order the columns freely; empty optional cells are absent."""
    text = "reported_at,source,kind,proposition,quote\n2017-06-16,S,claimed,p,\n"
    (report,) = read_reports(write(tmp_path, "r.csv", text))
    assert report == Report(Kind.CLAIMED, "p", "S", date(2017, 6, 16))


def test_datetimes_keep_their_offset(tmp_path: Path) -> None:
    """An ISO datetime with an offset (or Z) is read as that aware instant."""
    row = {**GOOD, "reported_at": "2017-06-16T09:30:00+03:00"}
    other = {**GOOD, "reported_at": "2017-06-16T06:30:00Z", "source": "Z"}
    first, second = read_reports(write(tmp_path, "r.jsonl", jsonl(row, other)))
    expected = datetime(2017, 6, 16, 6, 30, tzinfo=UTC)
    assert first.reported_at == expected == second.reported_at
    assert isinstance(first.reported_at, datetime)
    assert first.reported_at.utcoffset() == timedelta(hours=3)


def test_format_follows_extension_then_content(tmp_path: Path) -> None:
    """.jsonl/.csv decide the format; otherwise a line starting '{' means JSON Lines."""
    as_csv = CSV_HEADER + "claimed,p,s,2017-06-16\n"
    assert len(list(read_reports(write(tmp_path, "a.txt", as_csv)))) == 1
    assert len(list(read_reports(write(tmp_path, "b.txt", jsonl(GOOD))))) == 1
    assert len(list(read_reports(write(tmp_path, "c", as_csv), format="csv"))) == 1
    error = only_error(write(tmp_path, "d.csv", jsonl(GOOD)))
    assert "header" in str(error)


def test_explicit_format_is_checked(tmp_path: Path) -> None:
    """An unknown format name is an error naming the field and what arrived."""
    with pytest.raises(
        InvalidReport, match=r"format must be 'jsonl' or 'csv' \(got 'xml'\)"
    ):
        list(read_reports(write(tmp_path, "r.jsonl", ""), format="xml"))  # type: ignore[call-overload]


def test_utf8_bom_at_start_is_accepted(tmp_path: Path) -> None:
    """A UTF-8 byte order mark at the start (as Excel writes) is read past."""
    bom = b"\xef\xbb\xbf"
    jsonl_path = write(tmp_path, "r.jsonl", bom + jsonl(GOOD).encode())
    csv_path = write(
        tmp_path, "r.csv", bom + (CSV_HEADER + "claimed,p,s,2017-06-16\n").encode()
    )
    assert [r.kind for r in read_reports(jsonl_path)] == [Kind.CLAIMED]
    assert [r.kind for r in read_reports(csv_path)] == [Kind.CLAIMED]


def test_crlf_line_breaks_are_accepted(tmp_path: Path) -> None:
    """CRLF files (Windows, RFC 4180 CSV) read the same, without stray carriage returns."""
    text = jsonl(GOOD, LATER).replace("\n", "\r\n")
    csv_text = (CSV_HEADER + "claimed,p,s,2017-06-16\n").replace("\n", "\r\n")
    lf = list(read_reports(write(tmp_path, "lf.jsonl", jsonl(GOOD, LATER))))
    assert list(read_reports(write(tmp_path, "crlf.jsonl", text))) == lf
    (report,) = read_reports(write(tmp_path, "crlf.csv", csv_text))
    assert report.reported_at == date(2017, 6, 16)


def test_reads_text_and_unseekable_streams() -> None:
    """A text stream, and a binary stream that cannot seek (a pipe), read like files."""

    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    text = jsonl(GOOD, LATER)
    from_text = list(read_reports(io.StringIO(text)))
    from_pipe = list(read_reports(Pipe(text.encode())))
    assert from_text == from_pipe
    assert len(from_text) == 2


def test_reading_is_streamed(tmp_path: Path) -> None:
    """The first report is yielded after reading one buffer, not the whole file."""
    rows = [{**GOOD, "source": f"source {n}"} for n in range(20_000)]
    data = jsonl(*rows).encode()
    reads: list[int] = []

    class Counting(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            reads.append(self.tell())
            return chunk

    reports = read_reports(Counting(data), skip_invalid=True)
    next(reports)
    assert 0 < max(reads) < len(data) / 10


def test_default_mode_reads_once_and_raises_at_the_end(
    tmp_path: Path, ledger: Ledger
) -> None:
    """One pass: the valid lines come first, then InvalidFile; recorded, nothing is kept."""
    path = write(tmp_path, "r.jsonl", jsonl(GOOD, LATER) + "oops\n")
    reports = read_reports(path)
    assert next(reports).source == GOOD["source"]
    with pytest.raises(InvalidFile, match="line 3"):
        list(reports)
    with pytest.raises(InvalidFile):
        ledger.record_all(read_reports(path))
    assert ledger.propositions() == ()


# ---------------------------------------------------------------- bad input


def test_bad_kind(tmp_path: Path, ledger: Ledger) -> None:
    """A bad kind: file, line, field, the kinds expected and what was found."""
    path = write(tmp_path, "r.jsonl", jsonl(GOOD, {**GOOD, "kind": "claim"}))
    error = import_fails(ledger, path).errors[0]
    assert (error.path, error.line, error.field) == (str(path), 2, "kind")
    assert str(error) == (
        f"{path}, line 2: kind must be one of claimed, disputed, confirmed, refuted "
        "(got 'claim'); did you mean 'claimed'?"
    )


@pytest.mark.parametrize("field", ["kind", "proposition", "source", "reported_at"])
def test_missing_required_field(tmp_path: Path, ledger: Ledger, field: str) -> None:
    """A required field left out, or null, is named as required."""
    row = {k: v for k, v in GOOD.items() if k != field}
    path = write(tmp_path, "r.jsonl", jsonl(row, {**GOOD, field: None}))
    errors = import_fails(ledger, path).errors
    assert [(e.line, e.field) for e in errors] == [(1, field), (2, field)]
    assert errors[0].message == f"{field} is required (the line has no {field} field)"
    assert errors[1].message == f"{field} is required (got null)"


@pytest.mark.parametrize("field", ["kind", "proposition", "source", "reported_at"])
def test_empty_required_csv_cell(tmp_path: Path, ledger: Ledger, field: str) -> None:
    """An empty CSV cell for a required column is named as required."""
    row = {**GOOD, field: ""}
    line = ",".join(
        row[name] for name in ("kind", "proposition", "source", "reported_at")
    )
    path = write(tmp_path, "r.csv", CSV_HEADER + line + "\n")
    (error,) = import_fails(ledger, path).errors
    assert (error.line, error.field) == (2, field)
    assert error.message == f"{field} is required (got an empty cell)"


@pytest.mark.parametrize(("field", "value"), [("proposition", ""), ("source", "  ")])
def test_empty_text_field(
    tmp_path: Path, ledger: Ledger, field: str, value: str
) -> None:
    """An empty or blank proposition or source: expected a non-empty string."""
    path = write(tmp_path, "r.jsonl", jsonl({**GOOD, field: value}))
    (error,) = import_fails(ledger, path).errors
    assert error.field == field
    assert error.message == f"{field} must be a non-empty string (got {value!r})"


def test_empty_optional_field_in_json(tmp_path: Path, ledger: Ledger) -> None:
    """In JSON an absent optional field is left out or null, not an empty string."""
    path = write(
        tmp_path, "r.jsonl", jsonl({**GOOD, "quote": ""}, {**GOOD, "url": None})
    )
    (error,) = import_fails(ledger, path).errors
    assert (error.line, error.message) == (
        1,
        "quote must be a non-empty string or null (got '')",
    )


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("16/06/2017", "got '16/06/2017'"),
        ("2017-13-01", "got '2017-13-01'"),
        ("yesterday", "got 'yesterday'"),
    ],
)
def test_unparsable_datetime(
    tmp_path: Path, ledger: Ledger, value: str, found: str
) -> None:
    """An unparsable time names the field, the ISO forms expected and the text found."""
    path = write(tmp_path, "r.jsonl", jsonl({**GOOD, "occurred_at": value}))
    (error,) = import_fails(ledger, path).errors
    assert error.field == "occurred_at"
    assert error.message.startswith("occurred_at: expected an ISO date (2017-06-16)")
    assert found in error.message


def test_naive_datetime(tmp_path: Path, ledger: Ledger) -> None:
    """A datetime without a UTC offset is refused, saying it has no timezone."""
    path = write(
        tmp_path, "r.jsonl", jsonl({**GOOD, "reported_at": "2017-06-16T12:00"})
    )
    (error,) = import_fails(ledger, path).errors
    assert error.field == "reported_at"
    assert error.message == (
        "reported_at: expected a datetime with a UTC offset (such as +00:00 or Z), "
        "got '2017-06-16T12:00', which has no timezone"
    )


def test_unknown_field(tmp_path: Path, ledger: Ledger) -> None:
    """An unknown field is named, with the fields expected and a likely spelling."""
    path = write(tmp_path, "r.jsonl", jsonl({**GOOD, "sauce": "x"}))
    (error,) = import_fails(ledger, path).errors
    assert error.field == "sauce"
    assert error.message == (
        "unknown field 'sauce' (expected only " + ", ".join(FIELDS) + "); "
        "did you mean 'source'?"
    )


def test_unknown_csv_column(tmp_path: Path, ledger: Ledger) -> None:
    """An unknown CSV column is reported once, on the header line."""
    text = "kind,proposition,source,reported_at,Quote\nclaimed,p,s,2017-06-16,q\n"
    (error,) = import_fails(ledger, write(tmp_path, "r.csv", text)).errors
    assert (error.line, error.field) == (1, "Quote")
    assert error.message.startswith("unknown column 'Quote'")
    assert error.message.endswith("did you mean 'quote'?")


def test_csv_header_missing_required_column(tmp_path: Path, ledger: Ledger) -> None:
    """A header without a required column names the columns that are missing."""
    text = "kind,proposition\nclaimed,p\n"
    (error,) = import_fails(ledger, write(tmp_path, "r.csv", text)).errors
    assert error.line == 1
    assert "missing: source, reported_at" in error.message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "not json",
            "expected one JSON object per line, found text that is not valid JSON",
        ),
        (
            '{"kind": "claimed",',
            "expected one JSON object per line, found an object that the line ends",
        ),
        (
            '{"kind" "claimed"}',
            "found text that is not valid JSON: Expecting ':' delimiter at column 9",
        ),
        ("[1, 2]", "expected a JSON object, found array (the format is JSON Lines"),
        ('"text"', "expected a JSON object, found string"),
        ("[" * 100_000, "expected one JSON object"),
        ("1" * 5000, "expected one JSON object per line"),
    ],
)
def test_malformed_line(
    tmp_path: Path, ledger: Ledger, line: str, expected: str
) -> None:
    """A line that is not one JSON object says so, with its line number."""
    path = write(tmp_path, "r.jsonl", jsonl(GOOD) + line + "\n")
    (error,) = import_fails(ledger, path).errors
    assert (error.line, error.field) == (2, None)
    assert expected in error.message


def test_wrong_json_type(tmp_path: Path, ledger: Ledger) -> None:
    """A number where a string belongs names the field and the JSON type found."""
    path = write(tmp_path, "r.jsonl", jsonl({**GOOD, "proposition": 42, "url": ["x"]}))
    errors = import_fails(ledger, path).errors
    assert [e.message for e in errors] == [
        "proposition must be a string (got number 42)",
        "url must be a string (got array ['x'])",
    ]


def test_duplicate_json_key(tmp_path: Path, ledger: Ledger) -> None:
    """A field given twice on one line is an error, not a silent last-wins."""
    line = '{"kind": "claimed", "kind": "refuted", "proposition": "p", "source": "s", "reported_at": "2017-06-16"}'
    (error,) = import_fails(ledger, write(tmp_path, "r.jsonl", line + "\n")).errors
    assert (error.field, error.message) == (
        "kind",
        "field 'kind' appears twice (expected it at most once)",
    )


def test_bom_in_the_middle(tmp_path: Path, ledger: Ledger) -> None:
    """A byte order mark starting a later line (files joined) is named as such."""
    data = jsonl(GOOD).encode() + b"\xef\xbb\xbf" + jsonl(LATER).encode()
    (error,) = import_fails(ledger, write(tmp_path, "r.jsonl", data)).errors
    assert error.line == 2
    assert "byte order mark (U+FEFF)" in error.message
    assert "joined" in error.message


def test_second_csv_header(tmp_path: Path, ledger: Ledger) -> None:
    """Two CSV files joined: the second header row is pointed out."""
    text = CSV_HEADER + "claimed,p,s,2017-06-16\n" + CSV_HEADER
    (error,) = import_fails(ledger, write(tmp_path, "r.csv", text)).errors
    assert error.line == 3
    assert "the header row again" in error.message


@pytest.mark.parametrize("bom", [b"\xff\xfe", b"\xfe\xff"])
def test_utf16_file(tmp_path: Path, ledger: Ledger, bom: bytes) -> None:
    """A UTF-16 file is one error asking for UTF-8, not one error per line."""
    encoding = "utf-16-le" if bom == b"\xff\xfe" else "utf-16-be"
    data = bom + jsonl(GOOD, GOOD).encode(encoding)
    (error,) = import_fails(ledger, write(tmp_path, "r.jsonl", data)).errors
    assert error.line == 1
    assert "the file is UTF-16" in error.message
    assert "expected UTF-8" in error.message


def test_invalid_utf8(tmp_path: Path, ledger: Ledger) -> None:
    """Bytes that are not UTF-8 are named with their position on the line."""
    data = jsonl(GOOD).encode() + b'{"kind": "claimed", "source": "caf\xe9"}\n'
    (error,) = import_fails(ledger, write(tmp_path, "r.jsonl", data)).errors
    assert error.line == 2
    assert error.message == (
        "expected UTF-8 text, found the byte(s) E9 at byte 35 of the line: "
        "save the file as UTF-8"
    )


def test_lone_surrogate_is_not_text(tmp_path: Path, ledger: Ledger) -> None:
    """A JSON escape for half a surrogate pair is refused as not Unicode text."""
    line = json.dumps(GOOD)[:-1] + ', "quote": "a\\ud800b"}\n'
    (error,) = import_fails(ledger, write(tmp_path, "r.jsonl", line)).errors
    assert error.field == "quote"
    assert "lone surrogate U+D800 at character 2" in error.message


def test_oversized_line(tmp_path: Path, ledger: Ledger) -> None:
    """A line over the 1 MiB limit is refused by size; the next line is still read."""
    huge = {**GOOD, "quote": "x" * ledger_io.MAX_LINE_BYTES}
    path = write(tmp_path, "r.jsonl", jsonl(huge, {**GOOD, "kind": "nope"}))
    errors = import_fails(ledger, path).errors
    assert [(e.line, e.field) for e in errors] == [(1, None), (2, "kind")]
    size = len(json.dumps(huge))
    assert errors[0].message == (
        f"the line is too long: expected at most {ledger_io.MAX_LINE_BYTES} bytes "
        f"(1 MiB) per line, found {size} bytes"
    )


def test_line_at_the_limit_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line of exactly the limit, CRLF or not, is accepted; one byte more is not."""
    line = json.dumps({**GOOD, "quote": "q"})
    monkeypatch.setattr(ledger_io, "MAX_LINE_BYTES", len(line))
    for ending in ("\n", "\r\n", ""):
        assert len(list(read_reports(write(tmp_path, "r.jsonl", line + ending)))) == 1
    longer = json.dumps({**GOOD, "quote": "qq"})
    error = only_error(write(tmp_path, "r.jsonl", longer + "\r\n" + line))
    assert error.line == 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("claimed,p,s", "expected 4 cells as in the header, found 3"),
        ('claimed,p,"s"x,2017-06-16', 'a quote (") inside a cell that is not quoted'),
        ('claimed,p,s,"2017-06-16', 'a quoted cell that is never closed (a missing ")'),
        ("claimed,p,s\r,2017-06-16", "a carriage return (\\r) inside a cell"),
    ],
)
def test_malformed_csv_row(
    tmp_path: Path, ledger: Ledger, row: str, expected: str
) -> None:
    """A CSV row that does not parse, or has the wrong cell count, says why."""
    (error,) = import_fails(
        ledger, write(tmp_path, "r.csv", CSV_HEADER + row + "\n")
    ).errors
    assert error.line == 2
    assert expected in error.message


def test_conflicting_report_ids_in_one_file(tmp_path: Path, ledger: Ledger) -> None:
    """Two different reports given one report_id: the second line names the first."""
    rows = [{**GOOD, "report_id": "r1"}, {**LATER, "report_id": "r1"}]
    (error,) = import_fails(ledger, write(tmp_path, "r.jsonl", jsonl(*rows))).errors
    assert (error.line, error.field) == (2, "report_id")
    assert error.message == (
        "report_id 'r1' must name one report, but line 1 gives it to a different report"
    )


def test_the_ids_kept_for_that_check_are_bounded_and_recent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check keeps the latest ids, forgetting the oldest a block at a time."""
    monkeypatch.setattr(ledger_io, "_IDS_KEPT", 5)
    monkeypatch.setattr(ledger_io, "_IDS_FORGOTTEN", 3)
    rows = [{**GOOD, "statement": f"s{i}", "report_id": f"id{i}"} for i in range(20)]
    ids: dict[str, tuple[int, str, int]] = {}
    path = write(tmp_path, "r.jsonl", jsonl(*rows))
    assert len(list(read_reports(path, ids=ids))) == 20
    assert 5 <= len(ids) <= 8
    assert list(ids) == [f"id{i}" for i in range(20 - len(ids), 20)]
    # An id among the last five is still checked across files.
    again = write(tmp_path, "s.jsonl", jsonl({**LATER, "report_id": "id15"}))
    with pytest.raises(InvalidReport, match="must name one report"):
        list(read_reports(again, ids=ids))


def test_report_id_taken_in_the_ledger(tmp_path: Path, ledger: Ledger) -> None:
    """Checked against a ledger's reports, a reused report_id is refused up front."""
    ledger.claim("other", source="s", reported_at=date(2017, 1, 1), report_id="r1")
    reports = {entry.report.report_id: entry.report for entry in ledger.entries()}
    asked: list[set[str]] = []

    def held(report_ids: Collection[str]) -> dict[str, Report]:
        asked.append(set(report_ids))
        return {i: reports[i] for i in report_ids if i in reports}

    path = write(tmp_path, "r.jsonl", jsonl(GOOD, {**GOOD, "report_id": "r1"}))
    errors = import_fails(ledger, path, held=held).errors
    assert len(asked) == 1  # one lookup for the whole (small) file
    assert "r1" in asked[0]
    assert [(e.line, e.field) for e in errors] == [(2, "report_id")]
    assert "the ledger holds a different report with it" in errors[0].message


def test_every_error_is_listed(tmp_path: Path, ledger: Ledger) -> None:
    """All invalid lines are reported, not only the first, in file order."""
    rows: list[dict[str, Any]] = [
        GOOD,
        {**GOOD, "kind": "x"},
        LATER,
        {**GOOD, "source": ""},
        {**GOOD, "z": 1},
    ]
    failure = import_fails(ledger, write(tmp_path, "r.jsonl", jsonl(*rows)))
    assert [(e.line, e.field) for e in failure.errors] == [
        (2, "kind"),
        (4, "source"),
        (5, "z"),
    ]
    assert (failure.count, failure.lines) == (3, 3)
    assert failure.message.startswith("3 problems on 3 lines; no report was read")
    assert str(failure).startswith(f"{tmp_path / 'r.jsonl'}: 3 problems")


def test_error_list_is_capped_but_counted(tmp_path: Path) -> None:
    """Beyond max_errors problems are counted, and the message says how many more."""
    path = write(tmp_path, "r.jsonl", "oops\n" * 30)
    with pytest.raises(InvalidFile) as caught:
        check_reports(path, max_errors=5)
    assert (len(caught.value.errors), caught.value.count) == (5, 30)
    assert str(caught.value).endswith("... and 25 more")


def test_skip_invalid_records_the_valid_lines(tmp_path: Path, ledger: Ledger) -> None:
    """With skip_invalid the valid lines are recorded and each problem is reported."""
    path = write(
        tmp_path,
        "r.jsonl",
        jsonl(GOOD, {**GOOD, "kind": "x"}) + "oops\n" + jsonl(LATER),
    )
    errors: list[InvalidReport] = []
    recorded = ledger.record_all(read_reports(path, skip_invalid=True, errors=errors))
    assert recorded == 2
    assert [(e.line, e.field) for e in errors] == [(2, "kind"), (3, None)]
    belief = ledger.belief(GOOD["proposition"], on=date(2017, 12, 31))
    assert belief.status is Status.REFUTED


def test_interrupted_import_completes_without_duplicates(
    tmp_path: Path, ledger: Ledger
) -> None:
    """Re-running an import that stopped part-way records only what was missing."""
    rows = [{**GOOD, "source": f"source {n}"} for n in range(25)]
    path = write(tmp_path, "r.jsonl", jsonl(*rows))
    assert ledger.record_all(islice(read_reports(path), 10), batch_size=4) == 10
    assert ledger.record_all(read_reports(path), batch_size=4) == 15
    assert len(list(ledger.entries())) == 25


# ---------------------------------------------------------------- writing


def test_write_reports_to_paths_and_streams(tmp_path: Path) -> None:
    """write_reports writes JSON Lines or CSV to a path, a binary or a text stream."""
    reports = list(read_reports(write(tmp_path, "r.jsonl", jsonl(GOOD, LATER))))
    binary, text = io.BytesIO(), io.StringIO()
    assert write_reports(reports, binary) == 2
    assert write_reports(reports, text, format="csv") == 2
    assert write_reports(reports, tmp_path / "out.csv") == 2
    assert list(read_reports(io.BytesIO(binary.getvalue()))) == reports
    assert text.getvalue() == (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert text.getvalue().splitlines()[0] == ",".join(FIELDS)
    assert list(read_reports(tmp_path / "out.csv")) == reports


def test_answers_as_json_objects(ledger: Ledger) -> None:
    """Beliefs, entries and changes become JSON-able objects with the documented keys."""
    ledger.record(
        Report(
            Kind.CLAIMED, "p", "A", date(2017, 6, 16), occurred_at=date(2017, 5, 28)
        ),
        Report(Kind.REFUTED, "p", "B", date(2017, 9, 28)),
    )
    belief = belief_to_dict(ledger.belief("p", on=date(2017, 12, 1)))
    assert list(belief) == [
        "proposition", "status", "since", "occurred_at", "statement",
        "decided_by", "supporting", "opposing", "challenges",
    ]  # fmt: skip
    assert (belief["status"], belief["since"]) == ("refuted", "2017-09-28")
    assert [r["source"] for r in belief["decided_by"]] == ["B"]
    entry = entry_to_dict(next(iter(ledger.history("p"))))
    assert list(entry) == ["report", "recorded_at", "strike"]
    assert datetime.fromisoformat(entry["recorded_at"]).tzinfo is not None
    (_, change) = ledger.changes(since=date(2017, 1, 1), until=date(2018, 1, 1))
    found = change_to_dict(change)
    assert {
        k: v for k, v in found.items() if k not in ("decided_by", "challenges")
    } == {
        "proposition": "p",
        "at": "2017-09-28",
        "before": "claimed",
        "after": "refuted",
        "occurred_at": "2017-05-28",
        "statement": None,
        "supporting_count": 1,
        "opposing_count": 1,
    }
    assert [r["source"] for r in found["decided_by"]] == ["B"]
    period = period_to_dict(ledger.timeline("p")[-1])
    assert list(period) == [
        "proposition", "status", "since", "occurred_at", "statement",
        "decided_by", "challenges", "supporting_count", "opposing_count",
    ]  # fmt: skip
    json.dumps([belief, entry, found, period])


# ---------------------------------------------------------------- properties

# Names as a report holds them: NFC, trimmed, no NUL, lone surrogates or
# invisible format characters (values.py refuses those).
_text = (
    st.text(
        st.characters(exclude_categories=["Cs", "Cf"], exclude_characters="\x00"),
        min_size=1,
        max_size=20,
    )
    .map(lambda text: unicodedata.normalize("NFC", text).strip())
    .filter(bool)
)
_offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_times = st.one_of(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    st.datetimes(
        min_value=datetime(2000, 1, 2),
        max_value=datetime(2030, 12, 30),
        timezones=_offsets,
    ),
)
_reports = st.builds(
    Report,
    kind=st.sampled_from(Kind),
    proposition=st.sampled_from(["p", 'q, "quoted"', "ключ\nline"]) | _text,
    source=_text,
    reported_at=_times,
    occurred_at=st.none() | _times,
    statement=st.none() | _text,
    quote=st.none() | _text,
    url=st.none() | _text,
)


def _answers(ledger: Ledger, probes: list[date]) -> Any:
    keys = ledger.propositions()
    return (
        [ledger.beliefs(on=day) for day in probes],
        [ledger.timeline(key) for key in keys],
        [[entry.report for entry in ledger.history(key)] for key in keys],
        ledger.changes(since=date(1999, 1, 1), until=date(2031, 1, 1)),
    )


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    reports=st.lists(_reports, max_size=12),
    probes=st.lists(
        st.dates(date(1999, 1, 1), date(2031, 1, 1)), min_size=1, max_size=4
    ),
    fmt=st.sampled_from(["jsonl", "csv"]),
)
def test_export_then_import_reproduces_every_answer(
    reports: list[Report], probes: list[date], fmt: ledger_io.Format
) -> None:
    """Written out and read into an empty ledger, reports give the same answers."""
    with Ledger() as original, Ledger() as copy:
        original.record_all(reports)
        exported = io.BytesIO()
        count = write_reports(
            (e.report for e in original.entries()), exported, format=fmt
        )
        assert count == len({r.report_id for r in reports})
        copy.record_all(read_reports(io.BytesIO(exported.getvalue()), format=fmt))
        assert _answers(copy, probes) == _answers(original, probes)


def _lines() -> st.SearchStrategy[str]:
    valid = st.builds(lambda r: json.dumps(r.to_dict(), ensure_ascii=False), _reports)
    mangled = st.builds(
        lambda row, key, value: json.dumps({**row, key: value}),
        st.just(GOOD),
        st.sampled_from([*FIELDS, "extra"]),
        st.none() | st.integers() | st.text(max_size=12) | st.lists(st.booleans()),
    )
    return st.one_of(valid, mangled, st.text(max_size=40), st.just(""))


def _record_file(
    data: bytes, fmt: ledger_io.Format, **options: Any
) -> tuple[int, bool]:
    """Import ``data`` into a new ledger: how many were recorded, and if it was refused.

    Only InvalidReport is caught: any other exception escapes and fails the test.
    """
    with Ledger() as ledger:
        try:
            ledger.record_all(read_reports(io.BytesIO(data), format=fmt, **options))
            refused = False
        except InvalidReport:
            refused = True
        return len(list(ledger.entries())), refused


@given(data=st.binary(max_size=400), fmt=st.sampled_from(["jsonl", "csv"]))
def test_arbitrary_bytes_raise_only_ledger_errors(
    data: bytes, fmt: ledger_io.Format
) -> None:
    """Any bytes: recorded whole or refused with InvalidReport and nothing recorded."""
    recorded, refused = _record_file(data, fmt)
    if refused:
        assert recorded == 0
    skipped, refused = _record_file(data, fmt, skip_invalid=True)
    assert not refused
    assert skipped >= recorded


@given(lines=st.lists(_lines(), max_size=8), crlf=st.booleans())
def test_a_file_with_any_invalid_line_records_nothing(
    lines: list[str], crlf: bool
) -> None:
    """Valid and invalid lines mixed: all or nothing by default; the valid ones if skipping."""
    data = "".join(line + ("\r\n" if crlf else "\n") for line in lines).encode()
    try:
        check_reports(io.BytesIO(data), format="jsonl")
        clean = True
    except InvalidFile:
        clean = False
    recorded, refused = _record_file(data, "jsonl")
    assert refused == (not clean)
    if refused:
        assert recorded == 0
    errors: list[InvalidReport] = []
    kept, _ = _record_file(data, "jsonl", skip_invalid=True, errors=errors)
    assert clean == (not errors)
    if clean:
        assert kept == recorded


def _csv_cells() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            ["claimed", "refuted", "p", "2017-06-16", "", '"', 'x"y', "\r"]
        ),
        st.text(max_size=8),
    )


@given(
    rows=st.lists(st.lists(_csv_cells(), min_size=0, max_size=6), max_size=6),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_arbitrary_csv_rows_record_all_or_nothing(
    rows: list[list[str]], newline: str
) -> None:
    """CSV rows of any shape: InvalidReport or a full import, never a partial one."""
    text = CSV_HEADER + "".join(",".join(row) + newline for row in rows)
    try:
        expected = len(
            {r.report_id for r in read_reports(io.StringIO(text), format="csv")}
        )
    except InvalidFile:
        expected = 0
    recorded, _ = _record_file(text.encode(), "csv")
    assert recorded == expected


def test_read_reports_is_lazy(tmp_path: Path) -> None:
    """Calling read_reports opens nothing until iteration starts; a missing file is OSError."""
    reports = read_reports(tmp_path / "missing.jsonl")
    with pytest.raises(FileNotFoundError):
        next(reports)


def test_an_input_that_cannot_be_read_raises_its_own_error(
    tmp_path: Path, ledger: Ledger
) -> None:
    """A missing file is FileNotFoundError naming it, not an error of the ledger."""
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(FileNotFoundError) as caught:
        ledger.record_all(read_reports(missing))
    assert caught.value.filename == str(missing)
    assert caught.value.__cause__ is None

    def failing() -> Any:
        yield Report(Kind.CLAIMED, "p", "S", date(2017, 6, 16))
        raise PermissionError("the feed went away")

    with pytest.raises(PermissionError, match="the feed went away"):
        ledger.record_all(failing())
    assert list(ledger.entries()) == []  # the transaction was rolled back


def test_a_huge_line_is_skipped_in_bounded_reads() -> None:
    """A 64 MiB line without a break is measured and refused, never held whole."""

    class HugeLine:
        """A seekable binary stream: one line of 64 MiB of 'x', then a valid line."""

        size = 64 * 1024 * 1024
        tail = jsonl(GOOD).encode()

        def __init__(self) -> None:
            self.position = 0
            self.largest_read = 0

        def read(self, size: int = -1) -> bytes:
            return b"" if size == 0 else self.readline(size)

        def readline(self, size: int = -1) -> bytes:
            assert size > 0, "an unbounded read"
            self.largest_read = max(self.largest_read, size)
            if self.position < self.size:
                chunk = min(size, self.size - self.position)
                self.position += chunk
                return b"x" * chunk + (b"\n" if self.position == self.size else b"")
            start = self.position - self.size
            line = self.tail[start : start + size]
            self.position += len(line)
            return line

        def seekable(self) -> bool:
            return True

        def tell(self) -> int:
            return self.position

        def seek(self, offset: int, whence: int = 0) -> int:
            self.position = offset
            return offset

    stream = HugeLine()
    errors: list[InvalidReport] = []
    source: Any = stream  # duck-typed: read, readline, seek, tell, seekable
    reports = list(
        read_reports(source, format="jsonl", skip_invalid=True, errors=errors)
    )
    assert [report.source for report in reports] == [GOOD["source"]]
    expected = (
        f"the line is too long: expected at most {ledger_io.MAX_LINE_BYTES} bytes "
        f"(1 MiB) per line, found {HugeLine.size} bytes"
    )
    assert [(e.line, e.message) for e in errors] == [(1, expected)]
    assert stream.largest_read <= ledger_io.MAX_LINE_BYTES + 2


def test_csv_cells_may_be_as_long_as_a_line(tmp_path: Path) -> None:
    """A CSV cell beyond csv's own 128 KiB default limit reads and writes back."""
    quote = "q" * 500_000
    report = Report(Kind.CLAIMED, "p", "S", date(2017, 6, 16), quote=quote)
    write_reports([report], tmp_path / "big.csv")
    assert list(read_reports(tmp_path / "big.csv")) == [report]


def test_csv_quotes_every_awkward_cell(tmp_path: Path) -> None:
    """Commas, quotes, CR, LF and CRLF inside cells survive a CSV round trip."""
    awkward = [
        "a,b",
        'say "hi"',
        "carriage\rreturn",
        "two\nlines",
        "crlf\r\nhere",
        " pad ",
    ]
    reports = [
        Report(Kind.CLAIMED, f"p{n}", "S", date(2017, 6, 16), quote=text)
        for n, text in enumerate(awkward)
    ]
    assert write_reports(reports, tmp_path / "awkward.csv") == len(reports)
    assert list(read_reports(tmp_path / "awkward.csv")) == reports


# ---------------------------------------------------------------- strike lines


def test_strike_lines_are_read_only_when_asked(tmp_path: Path) -> None:
    """With strikes=True a strike line is a StrikeRequest; by default it is an error."""
    line = {"strike": "r-1", "reason": "entered twice"}
    path = write(tmp_path, "s.jsonl", jsonl(GOOD, line))
    report, strike = read_reports(path, strikes=True)
    assert isinstance(report, Report)
    assert strike == StrikeRequest("r-1", "entered twice")
    assert isinstance(strike, StrikeRequest)
    assert (strike.path, strike.line) == (str(path), 2)
    check_reports(path, strikes=True)
    error = only_error(path)
    assert (error.line, error.field) == (2, "strike")
    assert "found a strike line" in error.message
    assert "strikes=True" in error.message


def test_strike_lines_round_trip_through_write_reports() -> None:
    """write_reports writes a StrikeRequest as a strike line; CSV refuses one."""
    report = Report(Kind.CLAIMED, "p", "S", date(2017, 6, 16))
    strike = StrikeRequest(report.report_id, "typo \u201cq\u201d")
    out = io.StringIO()
    assert write_reports([report, strike], out, format="jsonl") == 2
    assert out.getvalue().splitlines()[1] == (
        f'{{"strike": "{report.report_id}", "reason": "typo \u201cq\u201d"}}'
    )
    assert list(read_reports(io.StringIO(out.getvalue()), strikes=True)) == [
        report,
        strike,
    ]
    with pytest.raises(InvalidReport, match="a strike cannot be written as CSV"):
        write_reports([report, strike], io.StringIO(), format="csv")


def test_strike_lines_in_csv_are_unknown_columns(tmp_path: Path) -> None:
    """CSV has no strike lines: a strike column is an unknown column."""
    path = write(tmp_path, "s.csv", "strike,reason\nr-1,typo\n")
    with pytest.raises(InvalidFile) as caught:
        check_reports(path, strikes=True)
    assert "expected a header row naming the columns" in str(caught.value)


_GOOD_ROW = {
    "kind": "claimed",
    "proposition": "p",
    "source": "s",
    "reported_at": "2017-06-16",
}


def test_a_good_line_is_read_quickly() -> None:
    """The quick read is taken for a plain good line (the property is not vacuous)."""
    assert ledger_io._quick_report(dict(_GOOD_ROW)) == Report(
        kind=Kind.CLAIMED, proposition="p", source="s", reported_at=date(2017, 6, 16)
    )


# The values a line's field may hold: good ones, near misses and hostile text.
_FIELD_TEXT = st.one_of(
    st.sampled_from(
        [
            "claimed",
            "refuted",
            "Claimed",
            "",
            "  ",
            "2017-06-16",
            "2017-06-16T09:30:00+03:00",
            "2017-06-16T09:30:00",
            "20170616",
            "0001-01-01T00:00:00+01:00",
            "r-" + "0" * 32,
            "S ",
            "cafe\u0301",
            "\ud800",
            "x\x00y",
        ]
    ),
    st.text(max_size=12),
)


@given(
    st.dictionaries(
        st.sampled_from(list(ledger_io.FIELDS)),
        _FIELD_TEXT,
        max_size=len(ledger_io.FIELDS),
    )
)
def test_the_quick_read_of_a_line_is_the_careful_one(changed: dict[str, str]) -> None:
    """A line of strings read quickly gives the report read carefully, or none.

    When the quick read gives none, the careful read names what is wrong.
    """
    row = {**_GOOD_ROW, **changed}
    quick = ledger_io._quick_report(dict(row))
    careful, problems = ledger_io._report_from(row, csv_cells=False)
    if quick is not None:
        assert (quick, problems) == (careful, [])
    else:
        assert careful is None
        assert problems
