"""Hostile input (issue 13): what breaks nothing now, run against the real command."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ledger import InvalidReport, Kind, Ledger, Report, Status, read_reports
from ledger.cli import EXIT_INVALID_INPUT, EXIT_STORAGE, EXIT_USAGE
from ledger.errors import InvalidQuery
from ledger.io import FORMULA_STARTS, _csv_neutral, _csv_restore, period_to_dict
from ledger.projections import status_periods, timeline
from ledger.strategies import report_histories
from tests.backends import fresh_postgres_schema, require_postgres
from tests.hostile_support import (
    Run,
    exported,
    line,
    one_error_line,
    runner,
    write,
)

REPO = Path(__file__).resolve().parent.parent
FOUNDING = REPO / "examples" / "founding_case.jsonl"
KEY = "baghdadi-killed-raqqa-strike-2017"


@pytest.fixture
def sqlite_ledger(tmp_path: Path) -> tuple[Run, Path]:
    """The command on a SQLite ledger holding the founding case."""
    db = tmp_path / "claims.db"
    run = runner(tmp_path, db=str(db))
    assert run("import", str(FOUNDING)).returncode == 0
    return run, db


# ---------------------------------------------------------------- 2. the ledger's own file


OWN_FILE = [
    ["report", "--html", "{db}"],
    ["export", "-o", "{db}"],
    ["export", "--format", "csv", "--output", "{db}"],
    ["export", "-o", "{alias}"],
    ["report", "--html", "{alias}"],
    ["report", "--png", "{db}"],
]


def test_output_onto_the_ledger_is_refused(sqlite_ledger: tuple[Run, Path]) -> None:
    """An output path that is the ledger (by name or by inode): exit 2, ledger intact."""
    run, db = sqlite_ledger
    alias = db.parent / "alias.html"
    os.link(db, alias)
    before = db.read_bytes()
    export = exported(run)
    for arguments in OWN_FILE:
        done = run(*(a.format(db=db, alias=alias) for a in arguments))
        assert done.returncode == EXIT_USAGE, arguments
        assert "is the ledger's own file" in one_error_line(done)
        assert db.read_bytes() == before, arguments
    assert exported(run) == export


def test_export_to_stdout_appended_to_the_ledger_is_refused(
    sqlite_ledger: tuple[Run, Path],
) -> None:
    """``ledger export >> ledger.db`` is refused before a byte is written."""
    _, db = sqlite_ledger
    before = db.read_bytes()
    with db.open("ab") as appended:
        done = subprocess.run(
            [sys.executable, "-m", "ledger", "--db", str(db), "export"],
            stdout=appended,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            check=False,
            timeout=60,
        )
    assert done.returncode == EXIT_USAGE
    assert done.stderr.startswith("Error: standard output is the ledger's own file")
    assert db.read_bytes() == before


QUERIES = [
    ["believed", "--on", "2017-07-01"],
    ["timeline", KEY],
    ["history", KEY],
    ["changes", "--since", "2017-01-01", "--until", "2018-01-01"],
    ["export"],
    ["export", "-o", "out.jsonl"],
    ["report", "--html", "out.html"],
]


@pytest.mark.parametrize("kind", ["missing", "empty", "other SQLite database"])
def test_queries_never_create_a_ledger(tmp_path: Path, kind: str) -> None:
    """Every query of a file that is not a ledger exits 4 and leaves it as it was."""
    db = tmp_path / "w.db"
    if kind == "empty":
        db.touch()
    elif kind == "other SQLite database":
        with contextlib.closing(sqlite3.connect(db)) as connection:
            connection.execute("CREATE TABLE notes (text TEXT)")
            connection.commit()
    before = db.read_bytes() if db.exists() else None
    # Every query when the file is missing; one of each kind otherwise.
    queries = QUERIES if kind == "missing" else QUERIES[::3]
    for arguments in queries:
        done = runner(tmp_path, db=str(db))(*arguments)
        assert done.returncode == EXIT_STORAGE, arguments
        assert one_error_line(done).startswith(f"Error: no ledger at {str(db)!r}")
        assert (db.read_bytes() if db.exists() else None) == before
        left = sorted(p.name for p in tmp_path.iterdir())
        assert left == ([] if before is None else ["w.db"]), arguments


# ---------------------------------------------------------------- 7. linear timelines


def _alternating(path: Path, count: int) -> Path:
    start = datetime(2017, 6, 16, tzinfo=UTC)
    lines = [
        line(
            kind="confirmed" if index % 2 == 0 else "refuted",
            source=f"S{index}",
            reported_at=(start + timedelta(hours=index)).isoformat(),
            quote="q" * 200,
        )
        for index in range(count)
    ]
    return write(path, "".join(lines))


def test_timeline_and_changes_output_is_linear(tmp_path: Path, target: str) -> None:
    """Each period carries what decided it and counts, not the whole history again."""
    count = 300
    run = runner(tmp_path, db=target)
    run("import", str(_alternating(tmp_path / "r.jsonl", count)))
    done = run("timeline", "p", "--json")
    assert done.returncode == 0, done.stderr
    periods = json.loads(done.stdout)
    assert len(periods) == count
    assert [(p["supporting_count"], p["opposing_count"]) for p in periods] == [
        ((i + 2) // 2, (i + 1) // 2) for i in range(count)
    ]
    assert all(len(p["decided_by"]) == 1 and "supporting" not in p for p in periods)
    # The quadratic form printed every report again per period: ~count²/2 reports.
    assert len(done.stdout) < 1500 * count
    changes = run("changes", "--since", "2017-01-01", "--until", "2018-01-01", "--json")
    found = json.loads(changes.stdout)
    assert [c["after"] for c in found] == [p["status"] for p in periods]
    assert found[1] == {
        "proposition": "p",
        "at": periods[1]["since"],
        "before": "confirmed",
        "after": "refuted",
        **{
            k: v
            for k, v in periods[1].items()
            if k not in ("proposition", "status", "since")
        },
    }
    assert len(changes.stdout) < 1500 * count


@given(report_histories())
def test_status_periods_are_the_timeline_without_its_lists(
    history: list[Report],
) -> None:
    """status_periods gives each timeline belief's status, deciders and counts."""
    from ledger.policy import LatestDecisiveWord

    policy = LatestDecisiveWord()
    for key in {report.proposition for report in history}:
        reports = [r for r in history if r.proposition == key]
        expected = [period_to_dict(b) for b in timeline(key, reports, policy)]
        found = [period_to_dict(p) for p in status_periods(key, reports, policy)]
        assert found == expected


# ---------------------------------------------------------------- 10. instants out of range

EARLY = "0001-01-01T00:00:00+01:00"
LATE = "9999-12-31T23:59:59-01:00"


def test_instants_outside_utc_are_invalid_lines(tmp_path: Path) -> None:
    """A time with no UTC instant is an invalid line: exit 1, nothing recorded."""
    run = runner(tmp_path, db=str(tmp_path / "claims.db"))
    cases = [(f, w) for f in ("reported_at", "occurred_at") for w in (EARLY, LATE)]
    text = line(source="T") + "".join(line(**{f: w}) for f, w in cases)
    done = run("import", str(write(tmp_path / "r.jsonl", text)))
    assert done.returncode == EXIT_INVALID_INPUT
    shown = done.stderr.splitlines()
    for number, (field, when) in enumerate(cases, start=2):
        which = "before 0001-01-01" if when == EARLY else "after 9999-12-31"
        assert (
            f"  {tmp_path / 'r.jsonl'}, line {number}: {field}: expected an instant "
            "from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z in UTC, got "
            f"{when!r}, which is {which} in UTC"
        ) in shown
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "claims.db").exists() or exported(run) == ""


OUT_OF_RANGE_QUERIES = [
    ["believed", "--on", EARLY],
    ["believed", "--on", LATE],
    ["believed", "--on", "2017-07-01", "--recorded", LATE],
    ["timeline", KEY, "--recorded", EARLY],
    ["changes", "--since", EARLY, "--until", "2018-01-01"],
    ["report", "--html", "-", "--on", LATE],
]


def test_query_times_outside_utc_are_usage_errors(
    sqlite_ledger: tuple[Run, Path],
) -> None:
    """--on, --recorded, --since out of range: exit 2 with the range, no traceback."""
    run, _ = sqlite_ledger
    for arguments in OUT_OF_RANGE_QUERIES:
        done = run(*arguments)
        assert done.returncode == EXIT_USAGE, arguments
        assert "expected an instant from 0001-01-01T00:00:00Z" in done.stderr
        assert "Traceback" not in done.stderr


def test_the_last_day_works_as_a_query(sqlite_ledger: tuple[Run, Path]) -> None:
    """--on 9999-12-31 (its end of day is the last instant) and --recorded work."""
    run, _ = sqlite_ledger
    last = run("believed", "--on", "9999-12-31", "--recorded", "9999-12-31", "--json")
    assert last.returncode == 0, last.stderr
    assert len(json.loads(last.stdout)) == len(
        {r.proposition for r in read_reports(FOUNDING)}
    )
    first = run("believed", "--on", "0001-01-01", "--json")
    assert (first.returncode, json.loads(first.stdout)) == (0, [])
    edge = run("believed", "--on", "0001-01-01T00:00:00-01:00", "--json")
    assert (edge.returncode, json.loads(edge.stdout)) == (0, [])


def test_instants_outside_utc_in_python(ledger: Ledger) -> None:
    """Report refuses them with InvalidReport; queries and occurred() with InvalidQuery."""
    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    late = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-1)))
    for when in (early, late):
        for field in ("reported_at", "occurred_at"):
            times = {"reported_at": date(2017, 6, 16), field: when}
            with pytest.raises(
                InvalidReport, match="expected an instant from"
            ) as error:
                Report(Kind.CONFIRMED, "p", "S", **times)  # type: ignore[arg-type]
            assert error.value.field == field
        with pytest.raises(InvalidQuery, match="on: expected an instant from"):
            ledger.belief("p", on=when)
        with pytest.raises(InvalidQuery, match="recorded: expected an instant"):
            ledger.beliefs(on=date(2017, 1, 1), recorded=when)
        with pytest.raises(InvalidQuery, match="by: expected an instant from"):
            ledger.occurred(by=when, on=date(2017, 7, 1))
    edge = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=-1)))
    ledger.confirm("p", source="S", reported_at=date(2017, 6, 16), occurred_at=edge)
    assert [
        b.proposition for b in ledger.occurred(by=date(1, 1, 1), on=date(9999, 12, 31))
    ] == ["p"]
    assert (
        ledger.occurred(by=datetime(1, 1, 1, tzinfo=UTC), on=date(9999, 12, 31)) == ()
    )


# ---------------------------------------------------------------- 11. output that cannot be written


@pytest.mark.parametrize(
    "arguments",
    [["export", "-o", "nowhere/out.jsonl"], ["report", "--html", "nowhere/out.html"]],
)
def test_output_into_a_missing_directory(
    sqlite_ledger: tuple[Run, Path], arguments: list[str]
) -> None:
    """Into a folder that does not exist: one line, exit 2, nothing made."""
    run, db = sqlite_ledger
    done = run(*arguments)
    assert done.returncode == EXIT_USAGE
    option = "--output" if arguments[0] == "export" else "--html"
    assert one_error_line(done) == (
        f"Error: cannot write {option} {arguments[2]!r}: no directory 'nowhere'"
    )
    assert sorted(p.name for p in db.parent.iterdir()) == ["claims.db"]


@pytest.mark.parametrize(
    "arguments",
    [
        ["export", "-o", "/dev/full"],
        ["export", "--format", "csv", "-o", "/dev/full"],
        ["report", "--html", "/dev/full"],
    ],
)
def test_output_onto_a_full_device(
    sqlite_ledger: tuple[Run, Path], arguments: list[str]
) -> None:
    """Onto /dev/full: one line naming the problem, exit 4."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    run, _ = sqlite_ledger
    done = run(*arguments)
    assert done.returncode == EXIT_STORAGE
    assert one_error_line(done) == (
        "Error: cannot write '/dev/full': No space left on device"
    )


def test_answers_onto_a_full_device(sqlite_ledger: tuple[Run, Path]) -> None:
    """Standard output on /dev/full: one line, exit 4, for exports and tables alike."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    _, db = sqlite_ledger
    for arguments in (["export"], ["report", "--html", "-"], ["timeline", KEY]):
        with Path("/dev/full").open("w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "ledger", "--db", str(db), *arguments],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
                timeout=60,
            )
        assert done.returncode == EXIT_STORAGE, arguments
        assert done.stderr == (
            "Error: cannot write standard output: No space left on device\n"
        ), arguments


def _small_disk() -> None:
    # What a full disk looks like to the writer: a write that fails part-way.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


DISK_FULL = [
    (["export", "-o", "out.jsonl"], "out.jsonl"),
    (["export", "-o", "out.csv"], "out.csv"),
    (["report", "--html", "out.html"], "out.html"),
]


def test_a_disk_full_midway_leaves_no_partial_file(tmp_path: Path) -> None:
    """A write failing part-way: one line, exit 4, the old file intact, no leftovers."""
    run = runner(tmp_path, db=str(tmp_path / "claims.db"))
    lines = "".join(
        line(proposition=f"p{i}", quote="q" * 400, url=f"https://e.org/{i}")
        for i in range(600)
    )
    assert run("import", str(write(tmp_path / "r.jsonl", lines))).returncode == 0
    (tmp_path / "out").mkdir()
    out = runner(tmp_path / "out", db=str(tmp_path / "claims.db"))
    for arguments, name in DISK_FULL:
        old = write(tmp_path / "out" / name, "the previous export\n")
        done = out(*arguments, preexec_fn=_small_disk)
        assert done.returncode == EXIT_STORAGE, done.stderr
        assert one_error_line(done) == f"Error: cannot write {name!r}: File too large"
        assert sorted(p.name for p in old.parent.iterdir()) == [name]
        assert old.read_text(encoding="utf-8") == "the previous export\n"
        old.unlink()
        again = out(*arguments, preexec_fn=_small_disk)
        assert again.returncode == EXIT_STORAGE
        assert list(old.parent.iterdir()) == []


# ---------------------------------------------------------------- 13. look-alike text


def test_look_alike_keys_and_sources_are_one(ledger: Ledger) -> None:
    """NFC and NFD, surrounding spaces: one proposition, one source, on every store."""
    nfc = unicodedata.normalize("NFC", "café-bombing-2017")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    ledger.claim(nfc, source="Agency", reported_at=date(2017, 6, 16))
    ledger.refute(f"  {nfd}\t", source="Agency ", reported_at=date(2017, 9, 28))
    assert ledger.propositions() == (nfc,)
    belief = ledger.belief(nfc, on=date(2017, 10, 1))
    assert belief.status is Status.REFUTED
    assert {r.source for r in (*belief.supporting, *belief.opposing)} == {"Agency"}


def test_the_command_line_normalises_the_keys_it_is_given(tmp_path: Path) -> None:
    """timeline, history and believed find the NFC key from its NFD or padded form."""
    nfc = unicodedata.normalize("NFC", "café-bombing-2017")
    nfd = f" {unicodedata.normalize('NFD', nfc)} "
    run = runner(tmp_path, db=str(tmp_path / "claims.db"))
    run("import", str(write(tmp_path / "r.jsonl", line(proposition=nfc))))
    assert json.loads(run("timeline", nfd, "--json").stdout)[0]["proposition"] == nfc
    assert len(json.loads(run("history", nfd, "--json").stdout)) == 1
    found = json.loads(run("believed", "--on", "2017-07-01", nfd, "--json").stdout)
    assert [(b["proposition"], b["status"]) for b in found] == [(nfc, "claimed")]


def test_the_same_instant_in_two_offsets_is_one_report(ledger: Ledger) -> None:
    """+03:00 and Z naming one instant give one report id: recorded once."""
    moscow = datetime(2017, 6, 16, 12, tzinfo=timezone(timedelta(hours=3)))
    utc = datetime(2017, 6, 16, 9, tzinfo=UTC)
    first = ledger.claim("p", source="S", reported_at=moscow)
    second = ledger.claim("p", source="S", reported_at=utc)
    assert first == second
    assert len(ledger.history("p")) == 1


def test_the_same_instant_in_two_offsets_imports_once(tmp_path: Path) -> None:
    """Two lines naming one instant differently: one report recorded."""
    run = runner(tmp_path, db=str(tmp_path / "claims.db"))
    write(
        tmp_path / "r.jsonl",
        line(reported_at="2017-06-16T12:00:00+03:00")
        + line(reported_at="2017-06-16T09:00:00Z"),
    )
    done = run("import", "r.jsonl")
    assert done.stdout == "recorded 1 new report (1 already present)\n"


INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u200e"]


def test_invisible_characters_in_names_are_refused(ledger: Ledger) -> None:
    """Zero-width and other format characters in a name: InvalidReport, nothing kept."""
    for field in ("proposition", "source", "question"):
        for char in INVISIBLE:
            fields = {"proposition": "p", "source": "S", "question": "q"}
            fields[field] = f"abc{char}def"
            with pytest.raises(InvalidReport) as error:
                ledger.claim(
                    fields["proposition"],
                    source=fields["source"],
                    question=fields["question"],
                    reported_at=date(2017, 6, 16),
                )
            assert error.value.field == field
            assert error.value.message == (
                f"{field} must not hold invisible characters (got U+{ord(char):04X} "
                f"{unicodedata.name(char)} at character 4), which make look-alike "
                "names"
            )
    assert ledger.propositions() == ()


def test_invisible_characters_in_a_file_are_invalid_lines(tmp_path: Path) -> None:
    """In a file: exit 1 naming the line, the field and the position."""
    run = runner(tmp_path, db=str(tmp_path / "claims.db"))
    write(tmp_path / "r.jsonl", line() + line(source="U\u200bS"))
    done = run("import", "r.jsonl")
    assert done.returncode == EXIT_INVALID_INPUT
    assert (
        "  r.jsonl, line 2: source must not hold invisible characters (got U+200B "
        "ZERO WIDTH SPACE at character 2), which make look-alike names"
    ) in done.stderr.splitlines()


def test_joiners_that_scripts_need_are_kept(ledger: Ledger) -> None:
    """ZWNJ (Persian) and ZWJ (emoji sequences) stay: they change what text says."""
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian: "I want"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    flag = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    ledger.claim(persian, source=family, reported_at=date(2017, 6, 16))
    ledger.claim(flag, source="S", reported_at=date(2017, 6, 16))
    assert set(ledger.propositions()) == {persian, flag}
    assert ledger.history(persian)[0].report.source == family


def test_quotes_are_kept_verbatim() -> None:
    """Only names are normalised: a quote keeps its spaces, NFD and soft hyphens."""
    quote = "  cafe\u0301 is a re\u00adport "
    report = Report(Kind.CLAIMED, "p", "S", date(2017, 6, 16), quote=quote)
    assert report.quote == quote


# ---------------------------------------------------------------- 14. CSV injection

FORMULAS = [
    '=HYPERLINK("https://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTAB",
    "\rCR",
    "'=already quoted",
    "''@twice",
    "'plain quote",
]


def test_csv_export_neutralises_formulas_and_reads_back(tmp_path: Path) -> None:
    """No exported cell starts a formula; re-importing gives back the original text."""
    run = runner(tmp_path, db=str(tmp_path / "claims.db"))
    lines = "".join(
        line(proposition=f"{text} key", source=text, quote=text, report_id=f"-{i}")
        for i, text in enumerate(FORMULAS)
    )
    run("import", str(write(tmp_path / "r.jsonl", lines)))
    assert run("export", "-o", "out.csv").returncode == 0
    written = (tmp_path / "out.csv").read_text(encoding="utf-8")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(written, newline="")))
    for cells in rows[1:]:
        assert not any(cell.startswith(FORMULA_STARTS) for cell in cells), cells
    assert "'=HYPERLINK(" in written
    assert ",''=already quoted," in written
    assert ",'''@twice," in written
    assert ",'plain quote," in written
    copy = runner(tmp_path, db=str(tmp_path / "copy.db"))
    assert copy("import", "out.csv").returncode == 0
    assert exported(copy) == exported(run)
    original = sorted(read_reports(tmp_path / "r.jsonl"), key=lambda r: r.report_id)
    back = sorted(read_reports(tmp_path / "out.csv"), key=lambda r: r.report_id)
    assert back == original


@given(st.text())
@example("=1")
@example("'=1")
@example("''")
@example("'")
def test_csv_neutralising_is_reversible(text: str) -> None:
    """The CSV cell rule is a bijection that never leaves a formula start."""
    cell = _csv_neutral(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert _csv_restore(cell) == text


# ---------------------------------------------------------------- 15. messages


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"kind": "claimed", "proposition": "p\x01"}',
            (
                "expected one JSON object per line, found text that is not valid "
                "JSON: Invalid control character at column 38"
            ),
        ),
        (
            line(proposition={"nested": [{"a": 1}]}),
            "proposition must be a string (got object {'nested': [{'a': 1}]})",
        ),
        (
            line(reported_at="20170616"),
            (
                "reported_at: expected an ISO date (2017-06-16) or an ISO datetime "
                "with offset (2017-06-16T09:30:00+03:00), got '20170616'"
            ),
        ),
    ],
)
def test_messages_say_what_they_mean(tmp_path: Path, text: str, message: str) -> None:
    """No "at at", no "array object", and 20170616 is not a datetime missing a zone."""
    run = runner(tmp_path, db=str(tmp_path / "claims.db"))
    write(tmp_path / "r.jsonl", text.rstrip("\n") + "\n")
    done = run("import", "r.jsonl")
    assert done.returncode == EXIT_INVALID_INPUT
    assert f"  r.jsonl, line 1: {message}" in done.stderr.splitlines()


def test_worker_does_not_say_it_applied_nothing(
    sqlite_ledger: tuple[Run, Path],
) -> None:
    """After the catch-up done at opening, the worker says the view is up to date."""
    _, db = sqlite_ledger
    worker = [sys.executable, "-m", "ledger.worker", "--db", str(db)]
    done = subprocess.run(
        worker, capture_output=True, text=True, check=False, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "the view is up to date\n")
    rebuilt = subprocess.run(
        [*worker, "--rebuild"], capture_output=True, text=True, check=False, timeout=60
    )
    assert (rebuilt.returncode, rebuilt.stderr) == (0, "applied 20 events\n")


# ---------------------------------------------------------------- any text, every store


@pytest.fixture(
    scope="module",
    params=[
        "memory",
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
    ],
)
def any_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    """One ledger per store for a whole property (examples add to it)."""
    if request.param == "memory":
        opened = Ledger()
    elif request.param == "sqlite":
        opened = Ledger.open(tmp_path_factory.mktemp("any") / "claims.db")
    else:
        opened = Ledger.open(fresh_postgres_schema(require_postgres()))
    with opened:
        yield opened


_ANY_CHARACTER = st.characters(exclude_categories=[])  # surrogates and NUL too
_ANY_TEXT = st.one_of(
    st.text(_ANY_CHARACTER, min_size=1, max_size=30),
    st.text(st.characters(categories=["Mn", "Me"]), min_size=1, max_size=8).map(
        lambda marks: "e" + marks  # combining marks after a base letter
    ),
    st.builds(lambda char, size: char * size, _ANY_CHARACTER, st.integers(1, 4000)),
)
_NONCE = iter(range(10**9))


@given(key=_ANY_TEXT, source=_ANY_TEXT, quote=_ANY_TEXT)
@example(key="k\x00ey", source="S", quote="q")
@example(
    key="".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000)),
    source="S",
    quote="q",
)
@example(key="p", source="S\ud800", quote="q")
@example(key="cafe\u0301 ", source="S", quote="  verbatim\u00ad ")
def test_any_text_is_recorded_as_given_or_refused(
    any_store: Ledger, key: str, source: str, quote: str
) -> None:
    """Any key, source and quote: recorded and read back equal, or InvalidReport and nothing written."""
    ledger = any_store
    before = sum(1 for _ in ledger.entries())
    # A fresh date per example, so no two examples make the same report.
    when = date(2000, 1, 1) + timedelta(days=next(_NONCE) % 3_000_000)
    try:
        report = Report(Kind.CLAIMED, key, source, when, quote=quote)
    except InvalidReport:
        return
    try:
        ledger.record(report)
    except InvalidReport:
        assert sum(1 for _ in ledger.entries()) == before
        return
    assert report.proposition == unicodedata.normalize("NFC", key).strip()
    assert report.quote == quote
    held = [e.report for e in ledger.history(report.proposition)]
    assert report in held
    assert sum(1 for _ in ledger.entries()) == before + 1
