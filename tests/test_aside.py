"""Reading a big file in a second process gives exactly what reading it here gives.

``ledger.io`` reads a big regular file's lines in a child process
(``ledger._aside``) while the caller records; these tests lower the size from
which it does so, and hold everything a read yields, raises and reports against
the same read done in this process.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ledger.io as ledger_io
from ledger import Kind, Ledger, Report, _aside
from ledger.io import InvalidFile, check_reports, read_reports
from ledger.strategies import reports as any_reports
from tests.test_io import CSV_HEADER, GOOD, _lines

# Each example starts a Python process: a few examples cover the line kinds.
_FEW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


class _Reads:
    """Calls to the second-process reader, and whether each ran there."""

    def __init__(self) -> None:
        self.aside = 0
        self.fell_back = 0


@pytest.fixture
def aside(monkeypatch: pytest.MonkeyPatch) -> _Reads:
    """Every file read in a second process; counts the reads that really were."""
    reads = _Reads()
    real = _aside.items_aside

    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from real(*args, **kwargs)
        except _aside.AsideFailed as failure:
            if not failure.started:
                reads.fell_back += 1
            raise
        reads.aside += 1

    monkeypatch.setattr(ledger_io, "_ASIDE_BYTES", 0)
    monkeypatch.setattr(_aside, "cores", lambda: 2)
    monkeypatch.setattr(_aside, "items_aside", counted)
    return reads


def _read(path: Path, **options: Any) -> tuple[list[Any], list[Any], str | None, int]:
    """What reading ``path`` gives: items, skipped problems, the refusal, bytes seen."""
    seen: list[int] = []
    errors: list[Any] = []
    try:
        with _aside.feeding_a_write():  # as record_all reads
            reads = read_reports(path, progress=seen.append, errors=errors, **options)
            items = list(reads)
        refusal = None
    except InvalidFile as failure:
        items = []
        refusal = str(failure)
    problems = [(e.line, e.field, e.message) for e in errors]
    return items, problems, refusal, sum(seen)


def _same_read(path: Path, reads: _Reads, **options: Any) -> None:
    """Reading ``path`` aside gives what reading it here gives."""
    aside = _read(path, **options)
    assert reads.aside >= 1, "the file was not read in a second process"
    assert reads.fell_back == 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger_io, "_ASIDE_BYTES", 1 << 62)
        here = _read(path, **options)
    assert aside == here
    for mine, theirs in zip(aside[0], here[0], strict=True):
        if isinstance(mine, Report):
            assert mine.known_from == theirs.known_from
            assert mine.has_derived_id() == theirs.has_derived_id()


@_FEW
@given(
    lines=st.lists(_lines(), max_size=30),
    strike=st.booleans(),
    skip=st.booleans(),
)
def test_any_jsonl_file_reads_the_same_aside(
    tmp_path_factory: pytest.TempPathFactory,
    aside: _Reads,
    lines: list[str],
    strike: bool,
    skip: bool,
) -> None:
    """Valid, invalid and strike lines: the same items, problems and refusal."""
    if strike:
        lines = [*lines, json.dumps({"strike": "r-1", "reason": "typo"})]
    path = tmp_path_factory.mktemp("aside") / "reports.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    aside.aside = aside.fell_back = 0
    _same_read(path, aside, strikes=strike, skip_invalid=skip)


@pytest.mark.parametrize(
    "content",
    [
        CSV_HEADER + "claimed,p,S,2017-06-16\nrefuted,p,,2017-06-17\n\nbad,p,S,x\n",
        CSV_HEADER + 'claimed,"p\nq",S,2017-06-16\n"unclosed,p\n',
        "strike,reason\nr-1,typo\n",
    ],
)
def test_csv_reads_the_same_aside(tmp_path: Path, aside: _Reads, content: str) -> None:
    """CSV rows, good and bad, read aside as they read here."""
    path = tmp_path / "reports.csv"
    path.write_text(content, encoding="utf-8")
    _same_read(path, aside)
    _same_read(path, aside, skip_invalid=True)


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe{\x00}\x00\n\x00",  # UTF-16: the whole file is refused at once
        b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\n\xc3(\n",  # BOM, bad UTF-8
        json.dumps(GOOD).encode() + b"\n" + b"x" * (ledger_io.MAX_LINE_BYTES + 5),
    ],
)
def test_awkward_bytes_read_the_same_aside(
    tmp_path: Path, aside: _Reads, data: bytes
) -> None:
    """Encodings, byte order marks and oversized lines are judged as here."""
    path = tmp_path / "reports.jsonl"
    path.write_bytes(data)
    _same_read(path, aside)
    _same_read(path, aside, skip_invalid=True)


def test_an_open_file_is_read_aside_from_where_it_stands(
    tmp_path: Path, aside: _Reads
) -> None:
    """A caller's open binary file is read from its position, not its start."""
    first = {**GOOD, "source": "First"}
    path = tmp_path / "reports.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps(GOOD) + "\n")
    with path.open("rb") as stream, _aside.feeding_a_write():
        stream.readline()
        (report,) = read_reports(stream)
    assert aside.aside == 1
    assert report.source == GOOD["source"]


def test_an_import_read_aside_records_what_one_read_here_does(
    tmp_path: Path, aside: _Reads
) -> None:
    """record_all of a file read aside: the same entries as reading it here."""
    rows = [
        {**GOOD, "source": f"S{i}", "reported_at": f"2017-06-{i % 28 + 1:02d}"}
        for i in range(2500)  # several of the child's messages
    ]
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with Ledger() as there:
        assert there.record_all(read_reports(path)) == len(rows)
        entries = [entry.report for entry in there.entries()]
    assert aside.aside == 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ledger_io, "_ASIDE_BYTES", 1 << 62)
        with Ledger() as here:
            here.record_all(read_reports(path))
            assert entries == [entry.report for entry in here.entries()]


def _one_report_file(tmp_path: Path) -> Path:
    """A JSON Lines file of the one report GOOD."""
    path = tmp_path / "reports.jsonl"
    path.write_text(json.dumps(GOOD) + "\n")
    return path


def test_check_reports_reads_here(tmp_path: Path, aside: _Reads) -> None:
    """Checking a file does little with each line, so it reads it here."""
    path = _one_report_file(tmp_path)
    with _aside.feeding_a_write():
        check_reports(path)
    assert aside.aside == 0


def test_a_loop_over_a_big_file_reads_it_here(tmp_path: Path, aside: _Reads) -> None:
    """Only a read that feeds a write goes to a second process.

    A loop that records batch by batch (or does anything else) reads here.
    """
    path = _one_report_file(tmp_path)
    with Ledger() as ledger:
        for report in read_reports(path):
            ledger.record(report)
        assert aside.aside == 0
        assert ledger.record_all(read_reports(path)) == 0  # held already
    assert aside.aside == 1


def test_read_aside_can_be_turned_off(
    tmp_path: Path, aside: _Reads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LEDGER_READ_ASIDE=0 keeps the read in this process."""
    path = _one_report_file(tmp_path)
    monkeypatch.setenv("LEDGER_READ_ASIDE", "0")
    with _aside.feeding_a_write():
        (report,) = read_reports(path)
    assert report.source == GOOD["source"]
    assert aside.aside == aside.fell_back == 0
    monkeypatch.setenv("LEDGER_READ_ASIDE", "1")
    with _aside.feeding_a_write():
        (report,) = read_reports(path)
    assert aside.aside == 1


@pytest.mark.parametrize(
    "executable",
    ["{tmp}/no-python", "/bin/false"],
    ids=["no interpreter", "exits at once"],
)
def test_a_child_that_cannot_start_leaves_the_read_here(
    tmp_path: Path, aside: _Reads, monkeypatch: pytest.MonkeyPatch, executable: str
) -> None:
    """No interpreter, or one that exits before sending anything: read here."""
    path = _one_report_file(tmp_path)
    monkeypatch.setattr("sys.executable", executable.format(tmp=tmp_path))
    with Ledger() as ledger:
        assert ledger.record_all(read_reports(path)) == 1
        (report,) = [entry.report for entry in ledger.entries()]
    assert report.source == GOOD["source"]
    assert aside.fell_back == 1


# -- the second process itself ---------------------------------------------------


def numbers(count: int) -> Iterator[int]:
    """0, 1, ... ``count - 1``: a generator for the child to run."""
    yield from range(count)


def pid_then_forever() -> Iterator[int]:
    """The child's process id, then numbers without end."""
    yield os.getpid()
    n = 0
    while True:
        yield n
        n += 1


def fails_after(count: int) -> Iterator[int]:
    """``count`` numbers, then a ValueError."""
    yield from range(count)
    msg = f"stopped after {count}"
    raise ValueError(msg)


def dies_after(count: int) -> Iterator[int]:
    """``count`` numbers, then the process exits at once, saying nothing."""
    yield from range(count)
    os._exit(3)


def test_the_items_come_back_in_order() -> None:
    """Many messages' worth of items, in order, none lost or repeated."""
    assert list(_aside.items_aside(__name__, "numbers", 2500)) == list(range(2500))
    assert list(_aside.items_aside(__name__, "numbers", 0)) == []


def test_an_exception_in_the_child_is_raised_here() -> None:
    """The child's exception, with its type and message, after its items."""
    got: list[int] = []
    with pytest.raises(ValueError, match="stopped after 1500"):
        got.extend(_aside.items_aside(__name__, "fails_after", 1500))
    assert got == list(range(1500))


def test_a_child_that_dies_midway_is_an_error() -> None:
    """A child that ends without finishing: AsideFailed with its exit code."""
    got: list[int] = []
    with pytest.raises(_aside.AsideFailed, match="exit code 3") as caught:
        got.extend(_aside.items_aside(__name__, "dies_after", 1500))
    assert caught.value.started
    assert got == list(range(1000))  # the messages it finished


def test_closing_early_ends_the_child() -> None:
    """A reader that stops early leaves no process behind."""
    items = _aside.items_aside(__name__, "pid_then_forever")
    pid = next(items)
    assert next(items) == 0
    items.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


_LEFT_UNFINISHED = """
import sys
from ledger import _aside
items = _aside.items_aside("tests.test_aside", "pid_then_forever")
print(next(items), flush=True)
assert next(items) == 0
if sys.argv[1] == "raise":
    raise RuntimeError("the script fails while the reader is open")
"""


@pytest.mark.parametrize("ending", ["return", "raise"])
def test_a_reader_left_unfinished_ends_with_the_interpreter(ending: str) -> None:
    """A script that exits with a reader open exits as it would without one.

    Its own exit code and traceback, not an abort; and the child is gone.
    """
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", _LEFT_UNFINISHED, ending],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if ending == "return":
        assert (done.returncode, done.stderr) == (0, "")
    else:
        assert done.returncode == 1
        assert done.stderr.rstrip().endswith(
            "RuntimeError: the script fails while the reader is open"
        )
    assert "Fatal Python error" not in done.stderr
    with pytest.raises(ProcessLookupError):
        os.kill(int(done.stdout.split()[0]), 0)


@given(any_reports())
def test_a_pickled_report_is_the_same_report(report: Report) -> None:
    """Unpickled without its checks, a report equals itself in every respect."""
    copy = pickle.loads(pickle.dumps(report))
    assert copy == report
    assert type(copy.kind) is Kind
    assert copy.known_from == report.known_from
    assert copy.has_derived_id() == report.has_derived_id()
    assert copy.to_dict() == report.to_dict()
    assert hash(copy) == hash(report)


def test_a_pickled_report_keeps_its_times() -> None:
    """Dates stay dates and datetimes keep their offset."""
    report = Report(
        Kind.CLAIMED, "p", "S", datetime(2017, 6, 16, 9, tzinfo=UTC), date(2017, 6, 1)
    )
    copy = pickle.loads(pickle.dumps(report))
    assert copy.reported_at == report.reported_at
    assert type(copy.occurred_at) is date
