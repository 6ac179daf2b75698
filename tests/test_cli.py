"""The ``ledger`` command, run for real in a subprocess against a SQLite file."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

import ledger.cli
from ledger import Ledger
from ledger.cli import (
    EXIT_INTERRUPTED,
    EXIT_INVALID_INPUT,
    EXIT_STORAGE,
    EXIT_UNKNOWN_PROPOSITION,
    EXIT_USAGE,
)
from ledger.io import (
    belief_to_dict,
    change_to_dict,
    entry_to_dict,
    period_to_dict,
    read_reports,
)

REPO = Path(__file__).resolve().parent.parent
FOUNDING = REPO / "examples" / "founding_case.jsonl"
KEY = "baghdadi-killed-raqqa-strike-2017"
SCRIPT = Path(sys.executable).parent / "ledger"

Run = Callable[..., subprocess.CompletedProcess[str]]


def _runner(command: list[str], cwd: Path) -> Run:
    def run(
        *args: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if k != "LEDGER_DB"}
        environment.update(env or {})
        return subprocess.run(
            [*command, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            encoding="utf-8",
            env=environment,
            timeout=120,
            check=False,
        )

    return run


@pytest.fixture(params=["python -m ledger", "console script"])
def any_ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Run:
    """Run ``python -m ledger``, or the installed ``ledger`` script, in tmp_path."""
    if request.param == "console script":
        if not SCRIPT.exists():
            pytest.skip("the ledger console script is not installed (pip install -e .)")
        return _runner([str(SCRIPT)], tmp_path)
    return _runner([sys.executable, "-m", "ledger"], tmp_path)


@pytest.fixture
def ledger_cmd(tmp_path: Path) -> Run:
    """Run ``python -m ledger ...`` in tmp_path."""
    return _runner([sys.executable, "-m", "ledger"], tmp_path)


def expected_beliefs(path: Path, on: date) -> list[dict[str, Any]]:
    """What the Python API answers for the reports of ``path`` on ``on``."""
    with Ledger() as ledger:
        ledger.record_all(read_reports(path))
        return [belief_to_dict(belief) for belief in ledger.beliefs(on=on)]


def entries_of(db: Path) -> list[Any]:
    """Every entry of the SQLite ledger ``db`` (empty when there is no file)."""
    if not db.exists():
        return []
    with Ledger.open(db) as ledger:
        return list(ledger.entries())


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` as UTF-8."""
    path.write_text(text, encoding="utf-8")
    return path


def row(**fields: str) -> str:
    """One JSON line with the founding key and a source, date and kind by default."""
    base = {
        "kind": "claimed",
        "proposition": KEY,
        "source": "S",
        "reported_at": "2017-06-16",
    }
    return json.dumps({**base, **fields}) + "\n"


# ---------------------------------------------------------------- the happy path


def test_two_commands_from_jsonl_to_what_was_believed(
    any_ledger: Run, tmp_path: Path
) -> None:
    """Running import FILE, then believed --on DATE --json, gives the API's answer."""
    imported = any_ledger("import", str(FOUNDING))
    assert imported.returncode == 0, imported.stderr
    lines = sum(1 for line in FOUNDING.read_text(encoding="utf-8").splitlines() if line)
    assert imported.stdout == f"recorded {lines} new reports (0 already present)\n"
    assert imported.stderr == ""
    assert (tmp_path / "ledger.db").exists()
    answer = any_ledger("believed", "--on", "2017-06-20", "--json")
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout) == expected_beliefs(FOUNDING, date(2017, 6, 20))


def test_believed_prints_an_aligned_table(ledger_cmd: Run) -> None:
    """Human output is a table: a header, then one aligned row per proposition."""
    ledger_cmd("import", str(FOUNDING))
    shown = ledger_cmd("believed", "--on", "2018-07-05").stdout.splitlines()
    beliefs = expected_beliefs(FOUNDING, date(2018, 7, 5))
    assert shown[0].split() == [
        "PROPOSITION",
        "STATUS",
        "SINCE",
        "OCCURRED",
        "FOR",
        "AGAINST",
        "DECIDED",
        "BY",
    ]
    assert len(shown) == 1 + len(beliefs)
    status_column = shown[0].index("STATUS")
    for line, belief in zip(shown[1:], beliefs, strict=True):
        assert line.startswith(belief["proposition"] + " ")
        assert line[status_column:].split()[0] == belief["status"]
        assert line[shown[0].index("SINCE") :].split()[0] == belief["since"]
        against = line[shown[0].index("AGAINST") :].split()[0]
        assert int(against) == len(belief["opposing"])


def test_believed_about_given_keys(ledger_cmd: Run) -> None:
    """With KEY... believed answers for those keys only; an unheard-of one is unknown."""
    ledger_cmd("import", str(FOUNDING))
    done = ledger_cmd("believed", "--on", "2017-10-01", KEY, "no-such-key", "--json")
    found = json.loads(done.stdout)
    assert [b["proposition"] for b in found] == [KEY, "no-such-key"]
    assert found[0] == next(
        b
        for b in expected_beliefs(FOUNDING, date(2017, 10, 1))
        if b["proposition"] == KEY
    )
    assert (found[1]["status"], found[1]["decided_by"]) == ("unknown", [])


def test_timeline_history_and_changes(ledger_cmd: Run, tmp_path: Path) -> None:
    """timeline, history and changes print what the Python API answers."""
    ledger_cmd("import", str(FOUNDING))
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        timeline = [period_to_dict(b) for b in ledger.timeline(KEY)]
        history = [entry_to_dict(e) for e in ledger.history(KEY)]
        changes = [
            change_to_dict(c)
            for c in ledger.changes(since=date(2017, 1, 1), until=date(2018, 12, 31))
        ]
    assert json.loads(ledger_cmd("timeline", KEY, "--json").stdout) == timeline
    assert json.loads(ledger_cmd("history", KEY, "--json").stdout) == history
    found = ledger_cmd(
        "changes", "--since", "2017-01-01", "--until", "2018-12-31", "--json"
    )
    assert json.loads(found.stdout) == changes

    table = ledger_cmd("timeline", KEY).stdout.splitlines()
    assert table[0].split() == ["SINCE", "STATUS", "DECIDED", "BY"]
    assert [line.split()[:2] for line in table[1:]] == [
        [b["since"], b["status"]] for b in timeline
    ]
    table = ledger_cmd("history", KEY).stdout.splitlines()
    assert len(table) == 1 + len(history)
    assert all(
        e["report"]["report_id"] in line
        for line, e in zip(table[1:], history, strict=True)
    )
    shown = ledger_cmd("changes", "--since", "2017-01-01", "--until", "2018-12-31")
    assert [line.split()[:2] for line in shown.stdout.splitlines()[1:]] == [
        [c["at"], c["proposition"]] for c in changes
    ]


def test_history_marks_struck_reports(ledger_cmd: Run, tmp_path: Path) -> None:
    """A struck report is shown with its reason in history; CSV export leaves it out."""
    write(tmp_path / "r.jsonl", row(report_id="a") + row(kind="refuted", report_id="b"))
    ledger_cmd("import", "r.jsonl")
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        ledger.strike("b", reason="entered by mistake")
    lines = ledger_cmd("history", KEY).stdout.splitlines()
    assert lines[2].endswith("struck: entered by mistake")
    history = json.loads(ledger_cmd("history", KEY, "--json").stdout)
    assert history[1]["strike"]["reason"] == "entered by mistake"
    exported = ledger_cmd("export", "--format", "csv")
    assert [line.split(",")[-1] for line in exported.stdout.splitlines()[1:]] == ["a"]
    assert exported.stderr == (
        "left out 1 struck report: CSV holds no strikes; export JSON Lines "
        "(--format jsonl) to keep them\n"
    )


def test_table_cells_cannot_drive_the_terminal(ledger_cmd: Run, tmp_path: Path) -> None:
    """Control characters in reports are neutralised; line breaks become spaces."""
    write(tmp_path / "r.jsonl", row(source="evil\u001b[2J\nsource"))
    ledger_cmd("import", "r.jsonl")
    shown = ledger_cmd("believed", "--on", "2017-07-01").stdout
    assert "\u001b" not in shown
    assert "evil\ufffd[2J source" in shown
    assert len(shown.splitlines()) == 2


# ---------------------------------------------------------------- import


def test_import_twice_records_nothing_new(ledger_cmd: Run) -> None:
    """Importing the same file again adds nothing and says so."""
    ledger_cmd("import", str(FOUNDING))
    again = ledger_cmd("import", str(FOUNDING))
    count = len(list(read_reports(FOUNDING)))
    assert again.stdout == f"recorded 0 new reports ({count} already present)\n"


def test_interrupted_import_completes(ledger_cmd: Run, tmp_path: Path) -> None:
    """After an import stopped part-way, running it again records only the rest."""
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        ledger.record_all(islice(read_reports(FOUNDING), 7))
    done = ledger_cmd("import", str(FOUNDING))
    count = len(list(read_reports(FOUNDING)))
    assert done.stdout == f"recorded {count - 7} new reports (7 already present)\n"
    assert len(entries_of(tmp_path / "ledger.db")) == count


def test_import_from_stdin_and_csv(ledger_cmd: Run, tmp_path: Path) -> None:
    """'-' reads stdin (format by content); a .csv file reads as CSV; one import, both."""
    csv_text = "kind,proposition,source,reported_at\nrefuted,other,S,2017-09-28\n"
    write(tmp_path / "r.csv", csv_text)
    done = ledger_cmd("import", "-", "r.csv", stdin=row())
    assert done.returncode == 0, done.stderr
    assert done.stdout == "recorded 2 new reports (0 already present)\n"
    believed = json.loads(ledger_cmd("believed", "--on", "2018-01-01", "--json").stdout)
    assert [(b["proposition"], b["status"]) for b in believed] == [
        (KEY, "claimed"),
        ("other", "refuted"),
    ]


def test_invalid_file_records_nothing_and_lists_every_problem(
    any_ledger: Run, tmp_path: Path
) -> None:
    """Exit 1, every problem on stderr with file and line, and the ledger untouched."""
    write(tmp_path / "good.jsonl", row())
    any_ledger("import", "good.jsonl")
    before = entries_of(tmp_path / "ledger.db")
    text = (
        row(kind="claim")
        + row(source="T")
        + "{oops\n"
        + row(reported_at="2017-06-16T10:00")
    )
    write(tmp_path / "bad.jsonl", text)
    done = any_ledger("import", "bad.jsonl")
    assert done.returncode == EXIT_INVALID_INPUT
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0] == "Error: 3 problems on 3 lines; nothing was recorded:"
    assert lines[1].startswith("  bad.jsonl, line 1: kind must be one of claimed,")
    assert lines[2].startswith("  bad.jsonl, line 3: expected one JSON object per line")
    assert lines[3].startswith(
        "  bad.jsonl, line 4: reported_at: expected a datetime with"
    )
    assert (
        lines[4]
        == "Fix these lines, or run with --skip-invalid to record the valid ones."
    )
    assert entries_of(tmp_path / "ledger.db") == before


def test_one_bad_file_stops_the_whole_import(ledger_cmd: Run, tmp_path: Path) -> None:
    """With several files, one invalid line anywhere means nothing is recorded."""
    write(tmp_path / "good.jsonl", row())
    write(
        tmp_path / "bad.csv",
        "kind,proposition,source,reported_at\nclaimed,,S,2017-01-01\n",
    )
    done = ledger_cmd("import", "good.jsonl", "bad.csv")
    assert done.returncode == EXIT_INVALID_INPUT
    assert (
        "  bad.csv, line 2: proposition is required (got an empty cell)" in done.stderr
    )
    assert entries_of(tmp_path / "ledger.db") == []


def test_skip_invalid_records_the_rest(ledger_cmd: Run, tmp_path: Path) -> None:
    """--skip-invalid records the valid lines, lists the others, and exits 0."""
    write(
        tmp_path / "r.jsonl", row() + row(kind="nope") + row(kind="refuted", source="T")
    )
    done = ledger_cmd("import", "--skip-invalid", "r.jsonl")
    assert done.returncode == 0
    assert done.stdout == (
        "recorded 2 new reports (0 already present); skipped 1 invalid line\n"
    )
    assert done.stderr.splitlines()[0] == "1 problem on the skipped lines:"
    assert "r.jsonl, line 2: kind must be one of" in done.stderr
    assert len(entries_of(tmp_path / "ledger.db")) == 2


def test_report_id_taken_in_the_ledger_is_refused(
    ledger_cmd: Run, tmp_path: Path
) -> None:
    """A line reusing a held report_id for another report is an error before recording."""
    write(tmp_path / "a.jsonl", row(report_id="x"))
    ledger_cmd("import", "a.jsonl")
    write(
        tmp_path / "b.jsonl",
        row(source="new", report_id="y") + row(source="T", report_id="x"),
    )
    done = ledger_cmd("import", "b.jsonl")
    assert done.returncode == EXIT_INVALID_INPUT
    assert "b.jsonl, line 2: report_id 'x' must name one report" in done.stderr
    assert [e.report.report_id for e in entries_of(tmp_path / "ledger.db")] == ["x"]


def test_no_progress_bar_when_stderr_is_not_a_terminal(ledger_cmd: Run) -> None:
    """Piped, a successful import writes nothing at all to stderr."""
    done = ledger_cmd("import", str(FOUNDING))
    assert (done.returncode, done.stderr) == (0, "")


def test_progress_bar_when_stderr_is_a_terminal(tmp_path: Path) -> None:
    """On a terminal, the import draws a progress bar on stderr (not on stdout)."""
    parent, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger", "import", str(FOUNDING)],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=child,
        env={k: v for k, v in os.environ.items() if k != "LEDGER_DB"},
    )
    os.close(child)
    drawn = b""
    while True:
        try:
            chunk = os.read(parent, 4096)
        except OSError:  # the terminal closed: the process has exited
            break
        if not chunk:
            break
        drawn += chunk
    os.close(parent)
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    assert b"importing" in drawn
    assert b"100%" in drawn
    assert b"importing" not in stdout


# ---------------------------------------------------------------- where the ledger is


def test_db_option_env_and_default(ledger_cmd: Run, tmp_path: Path) -> None:
    """--db wins (before or after the command), then $LEDGER_DB, then ./ledger.db."""
    write(tmp_path / "r.jsonl", row())
    ledger_cmd("--db", "one.db", "import", "r.jsonl")
    ledger_cmd("import", "r.jsonl", "--db", "two.db")
    ledger_cmd("import", "r.jsonl", env={"LEDGER_DB": str(tmp_path / "three.db")})
    ledger_cmd("import", "r.jsonl")
    for name in ("one.db", "two.db", "three.db", "ledger.db"):
        assert len(entries_of(tmp_path / name)) == 1, name
    shown = ledger_cmd("believed", "--on", "2017-07-01", env={"LEDGER_DB": "one.db"})
    assert KEY in shown.stdout


def test_querying_a_missing_ledger_does_not_create_one(
    ledger_cmd: Run, tmp_path: Path
) -> None:
    """A query against a ledger file that does not exist: exit 4, and no file made."""
    done = ledger_cmd("believed", "--on", "2017-07-01")
    assert done.returncode == EXIT_STORAGE
    assert done.stderr == (
        "Error: no ledger at 'ledger.db': import reports first, or name the ledger "
        "with --db PATH or LEDGER_DB\n"
    )
    assert not (tmp_path / "ledger.db").exists()


def test_a_file_that_is_not_a_ledger(ledger_cmd: Run, tmp_path: Path) -> None:
    """--db naming a file that is not SQLite: exit 4 with the storage error."""
    write(tmp_path / "notes.txt", "hello")
    done = ledger_cmd("--db", "notes.txt", "believed", "--on", "2017-01-01")
    assert done.returncode == EXIT_STORAGE
    assert "is not a SQLite database" in done.stderr


# ---------------------------------------------------------------- usage errors


def test_unknown_proposition(ledger_cmd: Run) -> None:
    """Timeline or history of a key with no reports: exit 3, message on stderr."""
    ledger_cmd("import", str(FOUNDING))
    for command in ("timeline", "history"):
        done = ledger_cmd(command, "no-such-key")
        assert done.returncode == EXIT_UNKNOWN_PROPOSITION
        assert done.stdout == ""
        assert done.stderr == "Error: no report about 'no-such-key' has been recorded\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["believed", "--on", "20/06/2017"],
            "Invalid value for '--on': expected an ISO date",
        ),
        (["believed", "--on", "2017-06-20T10:00"], "which has no timezone"),
        (["strike", "x"], "Missing option '--reason'"),
        (["import", "missing.jsonl"], "'missing.jsonl' does not exist"),
        (["import"], "Missing argument 'FILE...'"),
        (["export", "--format", "xml"], "'xml' is not one of 'jsonl', 'csv'"),
        (
            ["changes", "--since", "2018-01-01", "--until", "2017-01-01"],
            "--until 2017-01-01 is before --since 2018-01-01",
        ),
    ],
)
def test_usage_errors(ledger_cmd: Run, arguments: list[str], message: str) -> None:
    """Bad options, dates and files: exit 2 with a message naming the option."""
    ledger_cmd("import", str(FOUNDING))
    done = ledger_cmd(*arguments)
    assert done.returncode == EXIT_USAGE
    assert message in done.stderr
    assert done.stdout == ""


def test_help_names_every_command(any_ledger: Run) -> None:
    """--help lists the commands, with exit 0."""
    done = any_ledger("--help")
    assert done.returncode == 0
    commands = (
        "import",
        "believed",
        "timeline",
        "history",
        "changes",
        "export",
        "report",
    )
    for command in commands:
        assert f"  {command} " in done.stdout


# ---------------------------------------------------------------- export


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_import_gives_the_same_answers(
    ledger_cmd: Run, tmp_path: Path, fmt: str
) -> None:
    """export, then import into an empty ledger: every belief and timeline is the same."""
    ledger_cmd("import", str(FOUNDING))
    exported = ledger_cmd("export", "--format", fmt)
    assert exported.returncode == 0
    done = ledger_cmd(
        "--db", "copy.db", "import", "--format", fmt, "-", stdin=exported.stdout
    )
    assert done.returncode == 0, done.stderr
    for day in ("2017-06-20", "2017-10-01", "2019-01-01", "2024-01-01"):
        original = ledger_cmd("believed", "--on", day, "--json").stdout
        copy = ledger_cmd("--db", "copy.db", "believed", "--on", day, "--json").stdout
        assert json.loads(copy) == json.loads(original)
    assert (
        ledger_cmd("--db", "copy.db", "timeline", KEY).stdout
        == ledger_cmd("timeline", KEY).stdout
    )


def test_export_to_a_file_picks_the_format_by_extension(
    ledger_cmd: Run, tmp_path: Path
) -> None:
    """With -o out.csv, export writes CSV with a header row; it reads back whole."""
    ledger_cmd("import", str(FOUNDING))
    done = ledger_cmd("export", "-o", "out.csv")
    assert (done.returncode, done.stdout) == (0, "")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert text.startswith("kind,proposition,statement,source,reported_at,")
    exported = sorted(read_reports(tmp_path / "out.csv"), key=lambda r: r.report_id)
    assert exported == sorted(read_reports(FOUNDING), key=lambda r: r.report_id)


# ---------------------------------------------------------------- report


class _Page(HTMLParser):
    """Collects an HTML page's start tags and its embedded JSON data."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.data = ""
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_data = ("id", "ledger-data") in attrs
        if tag == "a":
            self.links.extend(value or "" for name, value in attrs if name == "href")

    def handle_endtag(self, tag: str) -> None:
        self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data += data


def parse_page(text: str) -> _Page:
    """Parse a report page, with its embedded JSON data."""
    page = _Page()
    page.feed(text)
    page.close()
    assert page.data, "the page embeds no data"
    return page


def test_html_report_shows_what_was_believed(ledger_cmd: Run, tmp_path: Path) -> None:
    """The report --html page draws what was known by --on, and says how much."""
    ledger_cmd("import", str(FOUNDING))
    done = ledger_cmd("report", "--html", "out.html", "--on", "2017-06-20")
    beliefs = expected_beliefs(FOUNDING, date(2017, 6, 20))
    end_of_day = datetime(2017, 6, 21, tzinfo=UTC)
    known = [r for r in read_reports(FOUNDING) if r.known_from < end_of_day]
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"wrote out.html: {len(beliefs)} propositions, {len(known)} reports\n"
    )
    page = parse_page((tmp_path / "out.html").read_text(encoding="utf-8"))
    data = json.loads(page.data)
    assert data["on"] == "2017-06-20"
    assert sorted(row["k"] for row in data["rows"]) == sorted(
        b["proposition"] for b in beliefs
    )
    assert sum(len(row["m"]) for row in data["rows"]) == len(known)


def test_html_report_of_chosen_keys(ledger_cmd: Run) -> None:
    """KEYs choose the propositions drawn; a key nobody reported on exits 3."""
    ledger_cmd("import", str(FOUNDING))
    done = ledger_cmd("report", "--html", "-", KEY, "--title", "One claim")
    assert done.returncode == 0, done.stderr
    data = json.loads(parse_page(done.stdout).data)
    assert [row["k"] for row in data["rows"]] == [KEY]
    assert "<title>One claim</title>" in done.stdout
    missing = ledger_cmd("report", "--html", "-", "nobody-said-this")
    assert missing.returncode == EXIT_UNKNOWN_PROPOSITION
    assert "no report about 'nobody-said-this'" in missing.stderr


def test_html_report_escapes_what_reports_say(ledger_cmd: Run, tmp_path: Path) -> None:
    """Markup in reports stays inside escaped JSON, and only web URLs are links."""
    lines = row(source="<script>alert(1)</script>", url="javascript:alert(1)") + row(
        kind="disputed", source="T", url="https://example.org/?a=1&b=2"
    )
    write(tmp_path / "r.jsonl", lines)
    ledger_cmd("import", "r.jsonl")
    text = ledger_cmd("report", "--html", "-", "--on", "2017-07-01").stdout
    assert "<script>alert" not in text
    page = parse_page(text)
    assert page.tags.count("script") == 2
    assert page.links == []  # links are made by the page's script, from web urls only
    (drawn,) = json.loads(page.data)["rows"]
    sources = json.loads(page.data)["sources"]
    assert "<script>alert(1)</script>" in sources
    assert [(mark[7], mark[8]) for mark in drawn["m"]] == [
        (None, "javascript:alert(1)"),
        ("https://example.org/?a=1&b=2", None),
    ]


@pytest.mark.parametrize(("name", "magic"), [("t.png", b"\x89PNG"), ("t.svg", b"<")])
def test_png_report_draws_an_image(
    ledger_cmd: Run, tmp_path: Path, name: str, magic: bytes
) -> None:
    """With --png the report is a PNG image, or SVG when the name ends .svg."""
    pytest.importorskip("matplotlib")
    ledger_cmd("import", str(FOUNDING))
    done = ledger_cmd("report", "--png", name)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote {name}: 10 propositions, 20 reports\n"
    assert (tmp_path / name).read_bytes().startswith(magic)


def test_report_needs_an_output(ledger_cmd: Run) -> None:
    """Asking for a report without --html or --png is a usage error."""
    ledger_cmd("import", str(FOUNDING))
    done = ledger_cmd("report")
    assert done.returncode == EXIT_USAGE
    assert "give --html OUT, --png OUT or both" in done.stderr


def test_interrupted_command_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C exits with 130, not with the code for invalid input."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ledger.cli, "read_reports", interrupted)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as caught:
        ledger.cli.main(["import", str(FOUNDING)])
    assert caught.value.code == EXIT_INTERRUPTED
    assert capsys.readouterr().err.endswith("Aborted!\n")


def test_main_exits_with_the_command_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process, main() exits 0 on success and with the error's code on failure."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_DB", raising=False)
    for argv, code in (
        (["import", str(FOUNDING)], 0),
        (["timeline", "no-such-key"], EXIT_UNKNOWN_PROPOSITION),
        (["--help"], 0),
        (["believed", "--on", "tomorrow"], EXIT_USAGE),
    ):
        with pytest.raises(SystemExit) as caught:
            ledger.cli.main(argv)
        assert caught.value.code == code, argv
    assert "no report about 'no-such-key'" in capsys.readouterr().err


def test_recorded_answers_as_the_ledger_stood(ledger_cmd: Run, tmp_path: Path) -> None:
    """With --recorded T, reports recorded after T are not seen (an audit)."""
    write(tmp_path / "first.jsonl", row())
    write(tmp_path / "later.jsonl", row(kind="refuted", source="T"))
    ledger_cmd("import", "first.jsonl")
    (entry,) = entries_of(tmp_path / "ledger.db")
    ledger_cmd("import", "later.jsonl")
    then = entry.recorded_at.isoformat()
    found = ledger_cmd("believed", "--on", "2017-07-01", "--recorded", then, "--json")
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        expected = ledger.beliefs(on=date(2017, 7, 1), recorded=entry.recorded_at)
        now = ledger.beliefs(on=date(2017, 7, 1))
    assert json.loads(found.stdout) == [belief_to_dict(b) for b in expected]
    assert [b.status.value for b in expected] == ["claimed"]
    assert [b.status.value for b in now] == ["refuted"]


def test_export_claimreview_reads_back_to_the_same_verdicts(
    ledger_cmd: Run, tmp_path: Path
) -> None:
    """Export --format claimreview, imported into a new ledger, gives the same statuses."""
    on = "2017-10-05"
    assert ledger_cmd("--db", "a.db", "import", str(FOUNDING)).returncode == 0
    missing = ledger_cmd("--db", "a.db", "export", "--format", "claimreview")
    assert missing.returncode == 2
    assert "--author" in missing.stderr
    done = ledger_cmd(
        "--db", "a.db", "export", "--format", "claimreview", "--on", on,
        "--author", "Example Desk", "-o", "out.jsonld",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    reviews = json.loads((tmp_path / "out.jsonld").read_text(encoding="utf-8"))
    assert {review["@type"] for review in reviews} == {"ClaimReview"}
    assert ledger_cmd("--db", "b.db", "import", "out.jsonld").returncode == 0
    with (
        Ledger.open(tmp_path / "a.db") as first,
        Ledger.open(tmp_path / "b.db") as again,
    ):
        day = date.fromisoformat(on)
        assert again.statuses(on=day) == first.statuses(on=day)
