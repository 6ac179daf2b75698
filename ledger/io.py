"""Report files: JSON Lines and CSV, read as a stream and checked line by line.

:func:`read_reports` yields :class:`~ledger.values.Report` objects from a file
in one pass, without loading it into memory; if any line is invalid it raises
:class:`InvalidFile` at the end, listing every problem, so
``ledger.record_all(read_reports(path))`` -- one transaction -- records a file
completely or not at all. :func:`write_reports` writes the same formats.

The ``*_to_dict`` functions turn query answers into the JSON-able objects that
``ledger ... --json`` prints.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import io
import itertools
import json
import os
import stat
import tempfile
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from pathlib import Path
from typing import IO, Any, Literal, TypeVar, overload

import attrs
import orjson

from ledger import _aside, _time
from ledger._codec import FIELDS, REQUIRED
from ledger._time import TimePoint
from ledger.errors import InvalidReport, LedgerError
from ledger.projections import Period
from ledger.values import (
    KIND_OF_VALUE,
    Belief,
    Change,
    Entry,
    Kind,
    Report,
    Status,
    Strike,
    StrikeRequest,
)

__all__ = [
    "FIELDS",
    "FORMULA_STARTS",
    "MAX_ERRORS",
    "MAX_LINE_BYTES",
    "REQUIRED",
    "Format",
    "Held",
    "InvalidFile",
    "Source",
    "belief_to_dict",
    "change_to_dict",
    "check_reports",
    "entry_to_dict",
    "period_to_dict",
    "read_reports",
    "report_to_dict",
    "write_reports",
]

Format = Literal["jsonl", "csv"]
"""The file formats: JSON Lines (one object per line) and CSV with a header row."""

Source = str | os.PathLike[str] | IO[bytes] | IO[str]
"""Where reports are read from: a path, or an open binary or text file."""

Held = Callable[[Collection[str]], Mapping[str, Report]]
"""Looks up report ids: returns the reports held under any of the ids given."""

MAX_LINE_BYTES = 1024 * 1024
"""The longest line accepted, in bytes of UTF-8, not counting the line break."""

MAX_SKIP_BYTES = 256 * 1024 * 1024
"""How far past the limit a too-long line is followed before reading stops."""

MAX_ERRORS = 100
"""How many problems :class:`InvalidFile` keeps by default (it counts them all)."""

_EXTENSIONS: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
}
_SKIP_CHUNK = 64 * 1024
_IDS_KEPT = 100_000
# Forgotten together: deleting one at a time from the front of a dict makes
# each next deletion skip over the earlier ones.
_IDS_FORGOTTEN = 10_000
_LOOKUP_BATCH = 1000
_T = TypeVar("_T")
_SHOW_CHARS = 60


class InvalidFile(InvalidReport):
    """A report file has invalid lines, so none of its reports were read.

    ``errors`` holds the first problems found (each an :class:`InvalidReport`
    naming its file, line and field), ``count`` how many there were in all, and
    ``lines`` on how many lines.
    """

    def __init__(
        self,
        errors: Sequence[InvalidReport],
        *,
        count: int | None = None,
        lines: int | None = None,
        path: str | None = None,
    ) -> None:
        self.errors = tuple(errors)
        self.count = len(self.errors) if count is None else count
        self.lines = (
            len({(e.path, e.line) for e in self.errors}) if lines is None else lines
        )
        super().__init__(self._summary(), path=path)

    def _summary(self) -> str:
        problems = _plural(self.count, "problem")
        head = (
            f"{problems} on {_plural(self.lines, 'line')}; no report was read "
            "(fix them, or skip invalid lines):"
        )
        listed = [f"  {error}" for error in self.errors]
        if self.count > len(self.errors):
            listed.append(f"  ... and {self.count - len(self.errors)} more")
        return "\n".join([head, *listed])

    def located(self, *, path: str | None, line: int | None) -> InvalidFile:
        """Return a copy naming ``path`` (each listed error keeps its own line)."""
        return InvalidFile(self.errors, count=self.count, lines=self.lines, path=path)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# ---------------------------------------------------------------- opening


@attrs.define
class _Input:
    stream: IO[bytes]
    name: str
    start: int


@contextlib.contextmanager
def _opened(source: Source, name: str | None) -> Iterator[_Input]:
    """Open ``source`` as a buffered binary stream, read once from where it is.

    Pipes, FIFOs and process substitutions are read as they come: nothing is
    spooled, as nothing is read twice.
    """
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        with open(path, "rb") as stream:  # noqa: PTH123 - the path may be any PathLike
            yield _Input(_peekable(stream), path if name is None else name, 0)
        return
    own = getattr(source, "name", None)
    display = name if name is not None else own if isinstance(own, str) else "<stream>"
    if isinstance(source.read(0), str):
        # surrogatepass: a lone surrogate becomes bytes the decoder rejects
        # with a line number, instead of failing here.
        text: IO[str] = source  # type: ignore[assignment]
        yield _Input(_peekable(_TextAsBytes(text)), display, 0)
        return
    binary: IO[bytes] = source  # type: ignore[assignment]
    yield _Input(_peekable(binary), display, 0)


def _peekable(stream: Any) -> io.BufferedReader:
    if isinstance(stream, io.BufferedReader):
        return stream
    return io.BufferedReader(_RawReader(stream), buffer_size=_SKIP_CHUNK)


class _RawReader(io.RawIOBase):
    """Any object with ``read(n)`` of bytes, as a raw stream to buffer."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._pending or self._stream.read(len(view))
        # A stream may give more than asked: keep the rest for the next read.
        data, self._pending = data[: len(view)], data[len(view) :]
        view[: len(data)] = data
        return len(data)


class _TextAsBytes:
    """A text stream read as UTF-8 bytes (lone surrogates passed through)."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._pending = b""

    def read(self, size: int) -> bytes:
        while len(self._pending) < size:
            chunk = self._text.read(_SKIP_CHUNK)
            if not chunk:
                break
            self._pending += str(chunk).encode("utf-8", "surrogatepass")
        data, self._pending = self._pending[:size], self._pending[size:]
        return data


def _format_of(given: str | None, source: _Input, head: bytes) -> Format:
    if given is not None:
        if given not in ("jsonl", "csv"):
            msg = f"format must be 'jsonl' or 'csv' (got {given!r})"
            raise InvalidReport(msg, field="format", path=source.name)
        return given  # type: ignore[return-value]
    extension = os.path.splitext(source.name)[1].lower()  # noqa: PTH122
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    # No telling extension (stdin, reports.txt): a JSON line starts with "{".
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    return "jsonl" if text[:1] in (b"{", b"[") else "csv"


# ---------------------------------------------------------------- lines


@attrs.define
class _Line:
    number: int
    text: str | None  # None: the line could not be decoded (see problem)
    problem: str | None = None
    fatal: bool = False


def _physical_lines(
    stream: IO[bytes], progress: Callable[[int], None] | None
) -> Iterator[_Line]:
    """Yield each line decoded, never holding more than one bounded line."""
    number = 0
    while True:
        chunk = stream.readline(MAX_LINE_BYTES + 2)
        if not chunk:
            return
        number += 1
        consumed = len(chunk)
        oversized = False
        if not chunk.endswith(b"\n") and len(chunk) == MAX_LINE_BYTES + 2:
            oversized = True
            while not chunk.endswith(b"\n"):
                if consumed > MAX_SKIP_BYTES:
                    # No end of line in sight: the rest may never end
                    # (/dev/zero), so reading stops here, with this problem.
                    if progress is not None:
                        progress(consumed)
                    yield _Line(
                        number,
                        None,
                        f"the line is too long: expected at most {MAX_LINE_BYTES} "
                        f"bytes (1 MiB) per line, found no end of line in the next "
                        f"{MAX_SKIP_BYTES // (1024 * 1024)} MiB; the rest of the "
                        "input was not read",
                    )
                    return
                chunk = stream.readline(_SKIP_CHUNK)
                if not chunk:
                    break
                consumed += len(chunk)
        length = consumed - len(_line_break(chunk))
        if progress is not None:
            progress(consumed)
        if oversized or length > MAX_LINE_BYTES:
            yield _Line(
                number,
                None,
                f"the line is too long: expected at most {MAX_LINE_BYTES} bytes "
                f"(1 MiB) per line, found {length} bytes",
            )
            continue
        yield _decode(number, chunk)


def _line_break(chunk: bytes) -> bytes:
    if chunk.endswith(b"\r\n"):
        return b"\r\n"
    return b"\n" if chunk.endswith(b"\n") else b""


def _decode(number: int, raw: bytes) -> _Line:
    if number == 1:
        for bom, encoding in (
            (codecs.BOM_UTF32_LE, "UTF-32"),
            (codecs.BOM_UTF32_BE, "UTF-32"),
            (codecs.BOM_UTF16_LE, "UTF-16"),
            (codecs.BOM_UTF16_BE, "UTF-16"),
        ):
            if raw.startswith(bom):
                problem = (
                    f"the file is {encoding} (it starts with the byte order mark "
                    f"{bom.hex(' ').upper()}); expected UTF-8: save it as UTF-8"
                )
                return _Line(number, None, problem, fatal=True)
        raw = raw.removeprefix(codecs.BOM_UTF8)
        if b"\x00" in raw[:4]:
            problem = (
                "the file looks UTF-16 or UTF-32 encoded (it has NUL bytes); "
                "expected UTF-8: save it as UTF-8"
            )
            return _Line(number, None, problem, fatal=True)
    try:
        return _Line(number, raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        bad = raw[error.start : error.end].hex(" ").upper()
        problem = (
            f"expected UTF-8 text, found the byte(s) {bad} at byte "
            f"{error.start + 1} of the line: save the file as UTF-8"
        )
        return _Line(number, None, problem)


# ---------------------------------------------------------------- fields


class _Missing:
    pass


_MISSING = _Missing()


def _json_type(value: object) -> str:
    if isinstance(value, _Pairs):  # a list subclass: test it before list
        return "object"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _plain(value: object) -> object:
    """A parsed JSON value with its objects as dicts again, for messages."""
    if isinstance(value, _Pairs):
        return {key: _plain(item) for key, item in value}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _show(value: object) -> str:
    text = repr(_plain(value))
    if len(text) > _SHOW_CHARS:
        text = text[: _SHOW_CHARS - 3] + "..."
    return text


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word.strip().lower(), list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


_KINDS = tuple(kind.value for kind in Kind)
_FIELD_SET = frozenset(FIELDS)
_BOM = "\ufeff"
_TIMES = ("reported_at", "occurred_at")

_Problem = tuple[str | None, str]


def _check_field(name: str, value: object, *, empty: str) -> tuple[object, str | None]:
    """Convert one present field's value, or say what is wrong with it."""
    if not isinstance(value, str):
        kind = _json_type(value)
        return None, f"{name} must be a string (got {kind} {_show(value)})"
    try:
        if not value.isascii():
            value.encode("utf-8")
    except UnicodeEncodeError as error:
        bad = value[error.start]
        return None, (
            f"{name} must be Unicode text (got a lone surrogate "
            f"U+{ord(bad):04X} at character {error.start + 1})"
        )
    if not value.strip():
        return None, f"{name} must be a non-empty string{empty} (got {value!r})"
    if name == "kind":
        if value in _KINDS:
            return Kind(value), None
        hint = _suggest(value, _KINDS)
        if value.startswith(_BOM):
            hint = "; it starts with a byte order mark: were files joined together?"
        elif value == "kind":
            hint = "; is this a second header row? Were files joined together?"
        return (
            None,
            f"kind must be one of {', '.join(_KINDS)} (got {_show(value)}){hint}",
        )
    if name in _TIMES:
        try:
            return _time.parse(value), None
        except ValueError as error:
            return None, f"{name}: {error}"
    return value, None


@attrs.frozen
class _Given:
    """A report whose line gave its ``report_id`` (which may name another report)."""

    report: Report

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the report alone (read aside, see :func:`_line_items`)."""
        return (_Given, (self.report,))


def _report_from(
    row: Mapping[str, object], *, csv_cells: bool
) -> tuple[Report | _Given | None, list[_Problem]]:
    """Build a report from a line's fields, or list every problem with them."""
    problems: list[_Problem] = []
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = row.get(name, _MISSING)
        absent = value is _MISSING or value is None or (csv_cells and value == "")
        if absent:
            if name in REQUIRED:
                found = (
                    "got an empty cell"
                    if csv_cells and value == ""
                    else "got null"
                    if value is None
                    else f"the line has no {name} field"
                )
                problems.append((name, f"{name} is required ({found})"))
            continue
        empty = "" if name in REQUIRED or csv_cells else " or null"
        converted, problem = _check_field(name, value, empty=empty)
        if problem is not None:
            problems.append((name, problem))
        else:
            values[name] = converted
    if problems:
        return None, problems
    try:
        report = Report(**values)
    except InvalidReport as error:
        return None, [(error.field, error.message)]
    return (_Given(report) if "report_id" in values else report), []


def _quick_report(row: dict[str, object]) -> Report | _Given | None:
    """The report of a line whose values are all strings, or None if any is bad.

    The report's own validation is the whole check here; when it fails, the
    caller reads the line with :func:`_report_from`, which names every problem.
    (Both give the same report for a good line: a property test says so.)
    """
    values: dict[str, Any] = dict(row)
    try:
        values["kind"] = KIND_OF_VALUE[values["kind"]]
        values["reported_at"] = _time.parse(values["reported_at"])
        if "occurred_at" in values:
            values["occurred_at"] = _time.parse(values["occurred_at"])
        report = Report(**values)
    except (KeyError, TypeError, ValueError, LedgerError):
        return None
    return _Given(report) if "report_id" in values else report


def _unknown_field(name: str) -> str:
    return (
        f"unknown field {_show(name)} (expected only {', '.join(FIELDS)})"
        f"{_suggest(name, FIELDS)}"
    )


# ---------------------------------------------------------------- JSON Lines


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs, so duplicate keys can be seen."""


def _fast_row(text: str) -> dict[str, object] | None:
    """The line's object when it is plainly well formed, else None (read slowly).

    orjson parses; a line is taken as it is only when every value is a string,
    every key a known field, and there are as many ``":`` in the text as keys
    (so no key can appear twice). Anything else goes the careful way, which
    names every problem.
    """
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if (
        type(parsed) is not dict
        or text.count('":') != len(parsed)
        or not all(type(value) is str for value in parsed.values())
        or not _FIELD_SET.issuperset(parsed)
    ):
        return None
    return parsed


_STRIKE_FIELDS = ("strike", "reason")


def _strike_from(parsed: _Pairs) -> tuple[StrikeRequest | None, list[_Problem]]:
    """Read a strike line (``{"strike": ID, "reason": TEXT}``), or list its problems."""
    row: dict[str, object] = {}
    problems: list[_Problem] = []
    for key, value in parsed:
        if key in row:
            problems.append(
                (key, f"field {_show(key)} appears twice (expected it at most once)")
            )
        elif key not in _STRIKE_FIELDS:
            message = (
                f"unknown field {_show(key)} in a strike line (expected only "
                "strike and reason; a report is a line of its own)"
            )
            problems.append((key, message))
        row[key] = value
    values: dict[str, str] = {}
    for name in _STRIKE_FIELDS:
        value = row.get(name, _MISSING)
        if value is _MISSING or value is None:
            found = "got null" if value is None else f"the line has no {name} field"
            problems.append((name, f"{name} is required in a strike line ({found})"))
            continue
        converted, problem = _check_field(name, value, empty="")
        if problem is not None:
            problems.append((name, problem))
        else:
            assert isinstance(converted, str)
            values[name] = converted
    if problems:
        return None, problems
    try:
        return StrikeRequest(values["strike"], values["reason"]), []
    except InvalidReport as error:
        field = "strike" if error.field == "report_id" else error.field
        message = error.message.replace("report_id", "strike", 1)
        return None, [(field, message)]


def _jsonl_line(
    line: _Line,
) -> tuple[Report | _Given | StrikeRequest | None, list[_Problem]]:
    assert line.text is not None
    if line.text.startswith(_BOM):
        problem = (
            "expected a JSON object, found a byte order mark (U+FEFF) at the start "
            "of the line: were files joined together? Remove it"
        )
        return None, [(None, problem)]
    text = line.text.rstrip("\r\n")
    fast = _fast_row(text)
    if fast is not None:
        quick = _quick_report(fast)
        if quick is not None:
            return quick, []
        return _report_from(fast, csv_cells=False)
    try:
        parsed = json.loads(text, object_pairs_hook=_Pairs)
    except RecursionError:
        return None, [(None, "expected one JSON object, found JSON nested too deeply")]
    except json.JSONDecodeError as error:
        if error.pos >= len(text.rstrip()) and text.lstrip().startswith("{"):
            found = "an object that the line ends before closing"
        else:
            # Some of json's messages end "at" ("Invalid control character at").
            what = error.msg.removesuffix(" at")
            found = f"text that is not valid JSON: {what} at column {error.colno}"
        return None, [(None, f"expected one JSON object per line, found {found}")]
    except ValueError as error:  # e.g. an integer with too many digits
        return None, [(None, f"expected one JSON object per line, found {error}")]
    if not isinstance(parsed, _Pairs):
        hint = ""
        if isinstance(parsed, list):
            hint = " (the format is JSON Lines: one object per line, not an array)"
        return None, [
            (None, f"expected a JSON object, found {_json_type(parsed)}{hint}")
        ]
    if any(key == "strike" for key, _ in parsed):
        return _strike_from(parsed)
    row: dict[str, object] = {}
    problems: list[_Problem] = []
    for key, value in parsed:
        if key in row:
            problems.append(
                (key, f"field {_show(key)} appears twice (expected it at most once)")
            )
        elif key not in FIELDS:
            problems.append((key, _unknown_field(key)))
        row[key] = value
    report, more = _report_from(row, csv_cells=False)
    return (None, problems + more) if problems else (report, more)


def _scan_jsonl(
    lines: Iterator[_Line],
) -> Iterator[tuple[int, Report | _Given | StrikeRequest | _Problem]]:
    for line in lines:
        if line.text is None:
            assert line.problem is not None
            yield line.number, (None, line.problem)
            if line.fatal:
                return
            continue
        if not line.text.strip():
            continue
        report, problems = _jsonl_line(line)
        for problem in problems:
            yield line.number, problem
        if report is not None:
            yield line.number, report


# ---------------------------------------------------------------- CSV


@attrs.define
class _CsvFeed:
    """Feeds decoded lines to csv.reader, keeping line numbers and line problems."""

    lines: Iterator[_Line]
    last: int = 0
    problems: list[tuple[int, str]] = attrs.Factory(list)
    fatal: bool = False

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.last = line.number
            if line.text is None:
                assert line.problem is not None
                self.problems.append((line.number, line.problem))
                if line.fatal:
                    self.fatal = True
                    return
                # Keep the record structure going; the record is rejected anyway.
                yield "\n"
                continue
            yield line.text


_CSV_PROBLEMS = {
    "new-line character seen in unquoted field": (
        "a carriage return (\\r) inside a cell that is not quoted: quote the "
        'cell ("...") or end lines with \\n or \\r\\n'
    ),
    "',' expected after '\"'": (
        'a quote (") inside a cell that is not quoted as a whole: write the cell '
        'as "..." with each inner quote doubled ("")'
    ),
    "unexpected end of data": 'a quoted cell that is never closed (a missing ")',
    "field larger than field limit": (
        f"a cell longer than {MAX_LINE_BYTES} characters (a missing closing quote?)"
    ),
}


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    for known, meaning in _CSV_PROBLEMS.items():
        if text.startswith(known):
            return f"expected valid CSV, found {meaning}"
    return f"expected valid CSV, found {text}"


def _scan_csv(
    lines: Iterator[_Line],
) -> Iterator[tuple[int, Report | _Given | StrikeRequest | _Problem]]:
    # csv's default cell limit (128 KiB) is below the line limit; raise it
    # (never lower it) so any line this module accepts can be one cell.
    if csv.field_size_limit() < MAX_LINE_BYTES:
        csv.field_size_limit(MAX_LINE_BYTES)
    feed = _CsvFeed(lines)
    reader = csv.reader(feed, strict=True)
    header: list[str] | None = None
    end = 0
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            row = None
        except csv.Error as error:
            row = []
            feed.problems.append((start, _csv_problem(error)))
        end = feed.last
        spoiled = bool(feed.problems)
        for number, message in feed.problems:
            yield number, (None, message)
        feed.problems.clear()
        if row is None or feed.fatal:
            return
        if spoiled or not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            problems = _header_problems(header)
            for problem in problems:
                yield start, problem
            if problems:
                return
            continue
        if [cell.strip() for cell in row] == header:
            message = (
                "expected a report, found the header row again: were files joined "
                "together? Remove it"
            )
            yield start, (None, message)
            continue
        if len(row) != len(header):
            message = f"expected {len(header)} cells as in the header, found {len(row)}"
            yield start, (None, message)
            continue
        cells = (_csv_restore(cell) for cell in row)
        report, problems = _report_from(
            dict(zip(header, cells, strict=True)), csv_cells=True
        )
        for problem in problems:
            yield start, problem
        if report is not None:
            yield start, report


def _header_problems(header: list[str]) -> list[_Problem]:
    if not any(name in FIELDS for name in header):
        hint = ""
        if header[0].startswith(("{", "[")):
            hint = (
                " (this looks like JSON Lines: name the file .jsonl or give the format)"
            )
        found = _show(",".join(header))
        required = ", ".join(name for name in FIELDS if name in REQUIRED)
        problem = (
            f"expected a header row naming the columns (required: {required}), "
            f"found {found}{hint}"
        )
        return [(None, problem)]
    problems: list[_Problem] = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(
                (name, f"column {_show(name)} appears twice (expected it at most once)")
            )
        elif name not in FIELDS:
            problems.append((name, _unknown_field(name).replace("field", "column", 1)))
        seen.add(name)
    missing = [name for name in FIELDS if name in REQUIRED and name not in seen]
    if missing:
        problems.append(
            (
                missing[0],
                (
                    "the header row must name the columns "
                    f"{', '.join(n for n in FIELDS if n in REQUIRED)} "
                    f"(missing: {', '.join(missing)}; found: {_show(','.join(header))})"
                ),
            )
        )
    return problems


# ---------------------------------------------------------------- reading


def _scan(
    source: _Input,
    fmt: Format,
    progress: Callable[[int], None] | None,
    held: Held | None,
    ids: dict[str, tuple[int, str, int]] | None = None,
    *,
    strikes: bool = False,
    aside: bool = False,
) -> Iterator[Report | StrikeRequest | InvalidReport]:
    """One pass over a file: each valid report or strike, or each problem, in order.

    With ``aside``, a big file's lines are read in a second process (see
    :func:`_line_items`): for a caller that records what it is given.
    """
    chosen = {} if ids is None else ids
    items = _scan_file(source, fmt, progress, chosen, strikes, aside=aside)
    if held is None:
        for _, item in items:
            yield item
        return
    # Ask about held reports a chunk at a time: one lookup per chunk, and
    # never more than a chunk in memory.
    for chunk in _batched(items, _LOOKUP_BATCH):
        wanted = {item.report_id for _, item in chunk if isinstance(item, Report)}
        known = held(wanted) if wanted else {}
        for number, item in chunk:
            other = known.get(item.report_id) if isinstance(item, Report) else None
            if other is not None and other != item:
                assert isinstance(item, Report)
                message = (
                    f"report_id {_show(item.report_id)} must name one report, but "
                    f"the ledger holds a different report with it: {other.to_dict()}"
                )
                yield InvalidReport(
                    message, field="report_id", path=source.name, line=number
                )
            else:
                yield item


def _batched(items: Iterator[_T], size: int) -> Iterator[list[_T]]:
    # itertools.batched arrives in Python 3.12.
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _scan_file(
    source: _Input,
    fmt: Format,
    progress: Callable[[int], None] | None,
    chosen: dict[str, tuple[int, str, int]],
    strikes: bool,
    *,
    aside: bool,
) -> Iterator[tuple[int, Report | StrikeRequest | InvalidReport]]:
    scan = _line_items(source, fmt, progress, aside=aside)
    # report_id -> (content id, file, line): only ids that differ from the
    # content's own id can name two different reports, so only those are kept.
    for number, item in scan:
        if isinstance(item, _Given) and item.report.has_derived_id():
            # A derived-form id is its report's own (Report checks that), so
            # it cannot name two different reports.
            yield number, item.report
        elif isinstance(item, _Given):
            report = item.report
            content = hash(report)  # equal reports hash equal; enough to compare
            earlier = chosen.setdefault(
                report.report_id, (content, source.name, number)
            )
            if len(chosen) > _IDS_KEPT + _IDS_FORGOTTEN:
                # Bounded memory: the oldest ids are forgotten here; the ledger
                # still refuses a reused id when it records (ConflictingReport).
                for old in list(itertools.islice(chosen, _IDS_FORGOTTEN)):
                    del chosen[old]
            if earlier[0] != content:
                where = (
                    f"line {earlier[2]}"
                    if earlier[1] == source.name
                    else f"{earlier[1]}, line {earlier[2]},"
                )
                message = (
                    f"report_id {_show(report.report_id)} must name one report, "
                    f"but {where} gives it to a different report"
                )
                yield (
                    number,
                    InvalidReport(
                        message, field="report_id", path=source.name, line=number
                    ),
                )
            else:
                yield number, report
        elif isinstance(item, Report):
            yield number, item
        elif isinstance(item, StrikeRequest) and strikes:
            yield number, attrs.evolve(item, path=source.name, line=number)
        elif isinstance(item, StrikeRequest):
            message = (
                "expected a report, found a strike line (a ledger export's record "
                "of a struck report): read it with strikes=True"
            )
            yield (
                number,
                InvalidReport(message, field="strike", path=source.name, line=number),
            )
        else:
            field, message = item
            yield (
                number,
                InvalidReport(message, field=field, path=source.name, line=number),
            )


_Scanned = tuple[int, "Report | _Given | StrikeRequest | _Problem"]


def _line_items(
    source: _Input,
    fmt: Format,
    progress: Callable[[int], None] | None,
    *,
    aside: bool,
) -> Iterator[_Scanned]:
    """Each line's items, read here or (``aside``, a big file) in a second process.

    Reading a line costs about as much as recording its report; read in a
    child process (:mod:`ledger._aside`), a big file's lines are ready while
    this process records, on a second core. The child reads the same open
    file, from where this process stands in it; one that cannot start leaves
    the reading to this process.
    """
    fd = _aside_fd(source) if aside else None
    if fd is not None:
        start = source.stream.tell()
        try:
            for item in _aside.items_aside(
                __name__,
                "_items_of_fd",
                fd,
                start,
                fmt,
                progress is not None,
                fds=(fd,),
            ):
                if type(item) is int:
                    assert progress is not None
                    progress(item)
                else:
                    yield item
        except _aside.AsideFailed as failure:
            if failure.started:
                raise
            source.stream.seek(start)  # nothing was read: read it here instead
        else:
            return
    yield from _scan_stream(source.stream, fmt, progress)


def _scan_stream(
    stream: IO[bytes], fmt: Format, progress: Callable[[int], None] | None
) -> Iterator[_Scanned]:
    """Each line's items, read from ``stream`` in this process."""
    lines = _physical_lines(stream, progress)
    return _scan_jsonl(lines) if fmt == "jsonl" else _scan_csv(lines)


_ASIDE_BYTES = 16 * 1024 * 1024
"""Files from this size on are read in a second process (given two cores)."""


def _aside_fd(source: _Input) -> int | None:
    """The file descriptor of a big regular file to read aside, or None.

    Only for a read that feeds a write (``record_all``), on two cores or more.
    """
    if not _aside.feeds_a_write():
        return None
    raw = getattr(source.stream, "raw", None)
    if not isinstance(raw, io.FileIO) or _aside.cores() < 2:
        return None
    if os.environ.get("LEDGER_READ_ASIDE", "1").strip() == "0":
        return None
    fd = raw.fileno()
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode):
        return None
    if status.st_size - source.stream.tell() < _ASIDE_BYTES:
        return None
    return fd


def _items_of_fd(fd: int, start: int, fmt: Format, progress: bool) -> Iterator[object]:
    """In the second process: :func:`_line_items` of the file open as ``fd``.

    Byte counts for ``progress`` come as ints among the items, in order.
    """
    os.lseek(fd, start, os.SEEK_SET)
    with open(fd, "rb", closefd=False) as stream:
        counts: list[int] = []
        for item in _scan_stream(stream, fmt, counts.append if progress else None):
            if counts:
                yield from counts
                counts.clear()
            yield item
        yield from counts


def _head(source: _Input) -> bytes:
    stream = source.stream
    assert isinstance(stream, io.BufferedReader)
    return stream.peek(64)[:64]


def _collect(
    opened: _Input,
    fmt: Format,
    max_errors: int,
    progress: Callable[[int], None] | None,
    held: Held | None,
    strikes: bool,
) -> InvalidFile | None:
    errors: list[InvalidReport] = []
    count = 0
    lines: set[int] = set()
    for item in _scan(opened, fmt, progress, held, strikes=strikes):
        if isinstance(item, InvalidReport):
            count += 1
            lines.add(item.line or 0)
            if len(errors) < max_errors:
                errors.append(item)
    if count:
        return InvalidFile(errors, count=count, lines=len(lines), path=opened.name)
    return None


def check_reports(
    source: Source,
    *,
    format: Format | None = None,
    max_errors: int = MAX_ERRORS,
    progress: Callable[[int], None] | None = None,
    held: Held | None = None,
    name: str | None = None,
    strikes: bool = False,
) -> None:
    """Check every line of a report file, raising :class:`InvalidFile` if any is bad.

    The file is read as a stream. ``format`` is ``"jsonl"`` or ``"csv"``; by
    default it follows the extension (``.jsonl``, ``.ndjson``, ``.json``,
    ``.csv``), else the content (a line starting ``{`` is JSON Lines).
    ``max_errors`` bounds how many problems the error keeps (all are counted);
    ``progress`` is called with the number of bytes read after each line.
    ``held``, given report ids, returns the reports already held under any of
    them (in a ledger, say): a line giving one of those ids to a different
    report is then an error. ``name`` is the file's name in error messages
    (default: its path, or the open file's ``name``). ``strikes=True``
    accepts strike lines, as :func:`read_reports` does.
    """
    with _opened(source, name) as opened:
        fmt = _format_of(format, opened, _head(opened))
        invalid = _collect(opened, fmt, max_errors, progress, held, strikes)
    if invalid is not None:
        raise invalid


@overload
def read_reports(
    source: Source,
    *,
    format: Format | None = None,
    skip_invalid: bool = False,
    errors: list[InvalidReport] | None = None,
    max_errors: int = MAX_ERRORS,
    progress: Callable[[int], None] | None = None,
    held: Held | None = None,
    name: str | None = None,
    ids: dict[str, tuple[int, str, int]] | None = None,
    strikes: Literal[False] = False,
) -> Iterator[Report]: ...


@overload
def read_reports(
    source: Source,
    *,
    format: Format | None = None,
    skip_invalid: bool = False,
    errors: list[InvalidReport] | None = None,
    max_errors: int = MAX_ERRORS,
    progress: Callable[[int], None] | None = None,
    held: Held | None = None,
    name: str | None = None,
    ids: dict[str, tuple[int, str, int]] | None = None,
    strikes: bool,
) -> Iterator[Report | StrikeRequest]: ...


def read_reports(
    source: Source,
    *,
    format: Format | None = None,
    skip_invalid: bool = False,
    errors: list[InvalidReport] | None = None,
    max_errors: int = MAX_ERRORS,
    progress: Callable[[int], None] | None = None,
    held: Held | None = None,
    name: str | None = None,
    ids: dict[str, tuple[int, str, int]] | None = None,
    strikes: bool = False,
) -> Iterator[Report | StrikeRequest]:
    """Yield the reports of a JSON Lines or CSV file, in one pass.

    Each valid line's report is yielded as it is read. With ``strikes=True``
    a strike line of JSON Lines (``{"strike": REPORT_ID, "reason": TEXT}``,
    as ``ledger export`` writes for a struck report) is yielded too, as a
    :class:`~ledger.values.StrikeRequest`, which ``record_all`` records;
    without it, a strike line is an invalid line. If any line is invalid,
    :class:`InvalidFile` (an :class:`~ledger.errors.InvalidReport`) is raised
    at the end, listing the problems (reading stops at the ``max_errors``-th),
    so ``ledger.record_all(read_reports(path))`` -- one transaction -- records
    all of a file or nothing. With ``skip_invalid=True`` the valid lines are
    yielded and each problem is appended to ``errors`` (when given).

    ``source`` is a path or an open file (binary or text; pipes and other
    streams are read as they come). ``format``, ``progress``, ``held`` and
    ``name`` are as for :func:`check_reports`. ``ids`` lets several files of
    one import share the check that an explicit ``report_id`` names one report.

    A regular file of 16 MiB or more that ``record_all`` records is read in a
    second Python process, on a second core, while the write records what it
    yields; what it yields, raises and reports is the same. Iterated any other
    way, the file is read in this process: faster for a caller that does little
    with each report, and, for writers recording batch by batch, the reading
    fills their waits for the write lock. ``LEDGER_READ_ASIDE=0`` in the
    environment keeps every read in this process.
    """
    with _opened(source, name) as opened:
        fmt = _format_of(format, opened, _head(opened))
        found: list[InvalidReport] = []
        count = 0
        lines: set[int] = set()
        scan = _scan(opened, fmt, progress, held, ids, strikes=strikes, aside=True)
        for item in scan:
            if not isinstance(item, InvalidReport):
                yield item
                continue
            if skip_invalid:
                if errors is not None:
                    errors.append(item)
                continue
            count += 1
            lines.add(item.line or 0)
            if len(found) < max_errors:
                found.append(item)
            if count >= max_errors:
                break  # endless input must end; the file is refused anyway
        if count:
            if errors is not None:
                errors.extend(found)
            raise InvalidFile(found, count=count, lines=len(lines), path=opened.name)


# ---------------------------------------------------------------- writing


def write_reports(
    reports: Iterable[Report | StrikeRequest],
    target: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    format: Format | None = None,
) -> int:
    """Write reports as JSON Lines or CSV (UTF-8, Unix line breaks); return how many.

    ``target`` is a path or an open binary or text file. ``format`` defaults to
    CSV for a path ending ``.csv`` and to JSON Lines otherwise. What is written
    reads back with :func:`read_reports` as the same reports, ``report_id``
    included. A :class:`~ledger.values.StrikeRequest` among ``reports`` is
    written as a strike line (JSON Lines only: CSV has no strike lines, and
    InvalidReport is raised). A path is written whole or not at all: to a
    temporary file beside it, renamed over it at the end. CSV cells that a
    spreadsheet would run as formulas are neutralised (see
    :data:`FORMULA_STARTS`).
    """
    if format is None:
        name = os.fspath(target) if isinstance(target, str | os.PathLike) else ""
        format = "csv" if str(name).lower().endswith(".csv") else "jsonl"
    if format not in ("jsonl", "csv"):
        msg = f"format must be 'jsonl' or 'csv' (got {format!r})"
        raise InvalidReport(msg, field="format")
    if isinstance(target, str | os.PathLike):
        with _replacing(target) as text:
            return _write(reports, text, format)
    if isinstance(target, io.TextIOBase):
        return _write(reports, target, format)
    return _write(reports, _BinaryText(target), format)  # type: ignore[arg-type]


def _new_file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def _replacing(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """A UTF-8 text file that becomes ``path`` only once all of it is written.

    A new or regular file is written to a temporary file in the same directory,
    then renamed over ``path``, so a failure (a full disk, Ctrl-C) leaves no
    partial file behind and an existing file untouched. Anything else that
    exists (a device such as /dev/stdout, a named pipe) is written in place.
    """
    target = os.path.realpath(path)
    try:
        status: os.stat_result | None = os.stat(target)  # noqa: PTH116
    except FileNotFoundError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        with open(target, "w", encoding="utf-8", newline="") as text:  # noqa: PTH123
            yield text
        return
    directory, name = os.path.split(target)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
    try:
        mode = _new_file_mode() if status is None else stat.S_IMODE(status.st_mode)
        os.fchmod(descriptor, mode)
        with open(descriptor, "w", encoding="utf-8", newline="") as text:  # noqa: PTH123
            yield text
            text.flush()
            os.fsync(text.fileno())
        Path(temporary).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # noqa: PTH108
        raise


@contextlib.contextmanager
def _replacing_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix) that is renamed to it at the end.

    For writers that want a path, not a file (an image library); as
    :func:`_replacing`, a failure leaves no partial file, and anything but a new
    or regular file is written in place.
    """
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        yield target
        return
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix
    )
    os.close(descriptor)
    try:
        os.chmod(temporary, _new_file_mode())  # noqa: PTH101
        yield Path(temporary)
        Path(temporary).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


@attrs.define
class _BinaryText:
    """A minimal text writer over a binary stream (UTF-8), left open afterwards."""

    binary: IO[bytes]

    def write(self, text: str) -> int:
        self.binary.write(text.encode("utf-8"))
        return len(text)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP, CSV injection).

:func:`write_reports` writes a CSV cell that starts with one of these, after
any number of ``'``, with one more ``'`` in front; reading CSV removes it.
"""


def _csv_neutral(value: str) -> str:
    """The cell text for ``value``, never a formula; :func:`_csv_restore` undoes it."""
    if value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_restore(cell: str) -> str:
    """The text a cell written by :func:`_csv_neutral` stands for."""
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def _csv_cell(value: str) -> str:
    # Neutralised first, so no spreadsheet runs it, then RFC 4180 quoting.
    # csv.writer would leave a lone "\r" unquoted when lines end with "\n",
    # and the cell would not read back.
    value = _csv_neutral(value)
    if not any(char in value for char in ',"\r\n'):
        return value
    return '"' + value.replace('"', '""') + '"'


def _write(reports: Iterable[Report | StrikeRequest], text: Any, fmt: Format) -> int:
    count = 0
    if fmt == "csv":
        text.write(",".join(FIELDS) + "\n")
        for report in reports:
            if isinstance(report, StrikeRequest):
                msg = (
                    "a strike cannot be written as CSV: a CSV file holds only "
                    "reports (write JSON Lines to keep strikes)"
                )
                raise InvalidReport(msg, field="strike")
            row = report.to_dict()
            text.write(",".join(_csv_cell(row.get(name, "")) for name in FIELDS))
            text.write("\n")
            count += 1
        return count
    for report in reports:
        text.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
        count += 1
    return count


# ---------------------------------------------------------------- answers as JSON


def _when(value: TimePoint | None) -> str | None:
    return None if value is None else _time.isoformat(value)


def report_to_dict(report: Report) -> dict[str, str]:
    """A report as the file format's JSON object (absent fields omitted)."""
    return report.to_dict()


def belief_to_dict(belief: Belief) -> dict[str, Any]:
    """A belief as a JSON-able object with stable keys (see ``docs/cli.md``)."""
    return {
        "proposition": belief.proposition,
        "status": belief.status.value,
        "since": _when(belief.since),
        "occurred_at": _when(belief.occurred_at),
        "statement": belief.statement,
        "decided_by": [r.to_dict() for r in belief.decided_by],
        "supporting": [r.to_dict() for r in belief.supporting],
        "opposing": [r.to_dict() for r in belief.opposing],
        "challenges": [r.to_dict() for r in belief.challenges],
    }


def _strike_to_dict(strike: Strike | None) -> dict[str, str] | None:
    if strike is None:
        return None
    return {"reason": strike.reason, "recorded_at": strike.recorded_at.isoformat()}


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    """A recorded report as a JSON-able object: the report, when, and any strike."""
    return {
        "report": entry.report.to_dict(),
        "recorded_at": entry.recorded_at.isoformat(),
        "strike": _strike_to_dict(entry.strike),
    }


def period_to_dict(period: Period | Belief) -> dict[str, Any]:
    """A period of a timeline as a JSON-able object (see ``docs/cli.md``).

    Like :func:`belief_to_dict` with the reports for and against counted, not
    listed: ``supporting_count`` and ``opposing_count``, so a timeline's output
    is linear in its reports. Takes a :class:`~ledger.projections.Period` or a
    belief of ``Ledger.timeline``.
    """
    counts = (
        (period.supporting, period.opposing)
        if isinstance(period, Period)
        else (len(period.supporting), len(period.opposing))
    )
    return {
        "proposition": period.proposition,
        "status": period.status.value,
        "since": _when(period.since),
        "occurred_at": _when(period.occurred_at),
        "statement": period.statement,
        "decided_by": [r.to_dict() for r in period.decided_by],
        "challenges": [r.to_dict() for r in period.challenges],
        "supporting_count": counts[0],
        "opposing_count": counts[1],
    }


def _change_dict(
    at: TimePoint, before: Status, period: Period | Belief
) -> dict[str, Any]:
    found = period_to_dict(period)
    return {
        "proposition": found.pop("proposition"),
        "at": _time.isoformat(at),
        "before": before.value,
        "after": found.pop("status"),
        **{name: value for name, value in found.items() if name != "since"},
    }


def change_to_dict(change: Change) -> dict[str, Any]:
    """A status change as a JSON-able object: when, from what to what, and why.

    ``decided_by``, ``challenges``, ``supporting_count``, ``opposing_count``,
    ``occurred_at`` and ``statement`` are those of :func:`period_to_dict` for
    the belief it led to.
    """
    return _change_dict(change.at, change.before, change.belief)
