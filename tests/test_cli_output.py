"""What the ``ledger`` console script prints: propositions, times, messages, help."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import ledger.cli
from ledger import Ledger, _time
from ledger.cli import EXIT_USAGE, cli
from ledger.io import belief_to_dict, read_reports
from tests.test_cli import FOUNDING, KEY, SCRIPT, Run, _runner, row, write

SON = "baghdadi-son-suicide-attack-2018"


@pytest.fixture
def ledger_sh(tmp_path: Path) -> Run:
    """Run the installed ``ledger`` console script in tmp_path."""
    if not SCRIPT.exists():
        pytest.skip("the ledger console script is not installed (pip install -e .)")
    return _runner([str(SCRIPT)], tmp_path)


# ---------------------------------------------------------------- propositions


def test_propositions_lists_each_with_statement_count_and_status(
    ledger_sh: Run, tmp_path: Path
) -> None:
    """Propositions --json: key, statement, report counts and the status now."""
    ledger_sh("import", str(FOUNDING))
    ledger_sh("strike", "003-iraq-disputes-suicide-attack", "--reason", "typo")
    done = ledger_sh("propositions", "--json")
    assert (done.returncode, done.stderr) == (0, "")
    found = json.loads(done.stdout)
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        now = ledger.beliefs(on=datetime.now(UTC))
        keys = ledger.propositions()
        counts = {key: len(ledger.history(key)) for key in keys}
    assert [p["proposition"] for p in found] == list(keys)
    assert {p["proposition"]: p["status"] for p in found} == {
        b.proposition: b.status.value for b in now
    }
    assert {p["proposition"]: p["statement"] for p in found} == {
        b.proposition: b.statement for b in now
    }
    assert {p["proposition"]: p["reports"] + p["struck"] for p in found} == counts
    son = next(p for p in found if p["proposition"] == SON)
    assert (son["reports"], son["struck"], son["status"]) == (1, 1, "claimed")

    table = ledger_sh("propositions").stdout.splitlines()
    assert table[0].split() == ["PROPOSITION", "STATUS", "REPORTS", "STATEMENT"]
    assert len(table) == 1 + len(found)
    line = next(line for line in table if line.startswith(SON + " "))
    assert line.split()[1:4] == ["claimed", "1", "(+1"]
    assert line.endswith(son["statement"])


def test_propositions_counts_future_and_struck_reports_apart(
    ledger_sh: Run, tmp_path: Path
) -> None:
    """A proposition known only from a later date, or wholly struck, is unknown now."""
    write(
        tmp_path / "r.jsonl",
        row(proposition="later", reported_at="2999-01-01", statement="Not yet")
        + row(proposition="gone", report_id="g"),
    )
    ledger_sh("import", "r.jsonl")
    ledger_sh("strike", "g", "--reason", "typo")
    found = json.loads(ledger_sh("propositions", "--json").stdout)
    assert found == [
        {
            "proposition": "gone",
            "statement": None,
            "reports": 0,
            "struck": 1,
            "status": "unknown",
        },
        {
            "proposition": "later",
            "statement": "Not yet",
            "reports": 1,
            "struck": 0,
            "status": "unknown",
        },
    ]


def test_propositions_of_an_empty_ledger(ledger_sh: Run, tmp_path: Path) -> None:
    """An empty ledger: one line saying so, or an empty JSON array."""
    write(tmp_path / "empty.jsonl", "")
    ledger_sh("import", "empty.jsonl")
    assert ledger_sh("propositions").stdout == "no report has been recorded\n"
    assert ledger_sh("propositions", "--json").stdout == "[]\n"


def test_propositions_streams_from_the_view(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """It never asks for the list of every key or every belief at once."""
    with Ledger.open(tmp_path / "l.db") as opened:
        opened.record_all(read_reports(FOUNDING))

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("propositions must stream")

    for name in ("propositions", "beliefs", "statuses"):
        monkeypatch.setattr(Ledger, name, refused)
    monkeypatch.setattr(ledger.view.BeliefView, "keys", refused)
    # Rows spill to disk after a few bytes: the table is still one aligned table.
    monkeypatch.setattr(ledger.cli, "_SPOOLED_BYTES", 64)
    for arguments in (["propositions"], ["propositions", "--json"]):
        with pytest.raises(SystemExit) as caught:
            ledger.cli.main(["--db", str(tmp_path / "l.db"), *arguments])
        assert caught.value.code == 0
    table, listed = capsys.readouterr().out.split("[\n", 1)
    found = json.loads("[\n" + listed)
    rows = [
        (p["proposition"], p["status"], p["reports"], p["statement"]) for p in found
    ]
    expected = in_memory_table(("PROPOSITION", "STATUS", "REPORTS", "STATEMENT"), rows)
    assert table == expected + "\n"


def in_memory_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A table as first printed, every row in memory: the reference to match."""
    cells = [list(headers), *([ledger.cli._cell(v) for v in row] for row in rows)]
    widths = [
        max(ledger.cli._width(row[i]) for row in cells) for i in range(len(headers))
    ]
    return "\n".join(
        "  ".join(
            text + " " * (width - ledger.cli._width(text))
            for text, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in cells
    )


def test_streamed_table_is_the_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """_echo_table prints what the in-memory table did, wide characters too."""
    monkeypatch.setattr(ledger.cli, "_SPOOLED_BYTES", 10)  # spilled to disk
    rows = [("a", "x" * 5, 1), ("日本語", "y", 22), ("b\tc", None, 333)]
    assert ledger.cli._echo_table(("K", "V", "N"), iter(rows))
    assert capsys.readouterr().out == in_memory_table(("K", "V", "N"), rows) + "\n"
    assert not ledger.cli._echo_table(("K",), iter([]))
    assert capsys.readouterr().out == ""
    assert not ledger.cli._echo_table(("K",), iter([]), empty="nothing")
    assert capsys.readouterr().out == "nothing\n"
    noted = [("a", "first\nnote"), ("b", "second")]
    assert ledger.cli._echo_table(("K",), iter(noted), notes=True)
    assert capsys.readouterr().out == "K\na\nb\n\nfirst\nnote\n\nsecond\n"


# ---------------------------------------------------------------- history


def test_history_shows_when_each_report_was_recorded(
    ledger_sh: Run, tmp_path: Path
) -> None:
    """History's RECORDED column is each entry's recorded_at, as a time for people."""
    ledger_sh("import", str(FOUNDING))
    lines = ledger_sh("history", KEY).stdout.splitlines()
    column = lines[0].index("RECORDED")
    with Ledger.open(tmp_path / "ledger.db") as opened:
        entries = opened.history(KEY)
    assert [line[column:].split("  ")[0] for line in lines[1:]] == [
        _time.human(entry.recorded_at) for entry in entries
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", lines[1][column:].strip())


# ---------------------------------------------------------------- times and messages


def test_tables_show_times_for_people(ledger_sh: Run, tmp_path: Path) -> None:
    """A datetime reads 2017-06-16 06:30 UTC in tables; --json keeps ISO 8601."""
    write(tmp_path / "r.jsonl", row(reported_at="2017-06-16T09:30:00+03:00"))
    ledger_sh("import", "r.jsonl")
    table = ledger_sh("believed", "--on", "2017-07-01").stdout
    assert "2017-06-16 06:30 UTC" in table
    assert "T" not in table.splitlines()[1].split()[2]
    found = json.loads(ledger_sh("believed", "--on", "2017-07-01", "--json").stdout)
    assert found[0]["since"] == "2017-06-16T09:30:00+03:00"


def test_html_page_title_and_subtitle_read_as_times(ledger_sh: Run) -> None:
    """The report page says 'as known by 2017-06-20 07:00 UTC', not an ISO string."""
    ledger_sh("import", str(FOUNDING))
    page = ledger_sh("report", "--html", "-", "--on", "2017-06-20T10:00:00+03:00")
    assert "as known by 2017-06-20 07:00 UTC" in page.stdout
    empty = ledger_sh("report", "--html", "-", "--on", "2000-01-01T10:30:00Z")
    assert "<title>Belief timeline: no reports known by 2000-01-01 10:30 UTC" in (
        empty.stdout
    )
    assert "+00:00" not in empty.stdout.split("<body", 1)[1].split("<script", 1)[0]


def test_changes_in_the_wrong_order_says_so_plainly(ledger_sh: Run) -> None:
    """--until before --since: exit 2, both dates as dates, no Python repr."""
    ledger_sh("import", str(FOUNDING))
    done = ledger_sh("changes", "--since", "2018-12-31", "--until", "2017-01-01")
    assert done.returncode == EXIT_USAGE
    assert done.stderr == "Error: --until 2017-01-01 is before --since 2018-12-31\n"
    close = ledger_sh(
        "changes", "--since", "2018-01-01T00:00:30Z", "--until", "2018-01-01T00:00Z"
    )
    assert close.stderr == (
        "Error: --until 2018-01-01 00:00 UTC is before --since 2018-01-01 00:00:30 UTC\n"
    )


@pytest.mark.parametrize(
    "arguments",
    [
        ["changes", "--since", "2018-12-31", "--until", "2017-01-01"],
        ["believed", "--on", "2017-06-20", "--recorded", "2000-01-01"],
        ["believed", "--on", "2017-06-20T10:00"],
        ["sources", "--on", "2017-06-20", "--recorded", "2000-01-01"],
        ["answers", "how-did-hudeifa-al-badri-die", "--recorded", "2000-01-01"],
        ["timeline", "nobody-said-this", "--recorded", "2000-01-01T00:00:00Z"],
        ["strike", "no-such-report", "--reason", "x"],
    ],
)
def test_no_message_shows_a_python_repr(ledger_sh: Run, arguments: list[str]) -> None:
    """Messages never show datetime.date(...) or other Python reprs."""
    ledger_sh("import", str(FOUNDING))
    done = ledger_sh(*arguments)
    shown = done.stdout + done.stderr
    assert shown
    assert not re.search(r"datetime\.|date\(|timezone\(|<\w+ object", shown), shown


def test_an_empty_audit_says_which_clock_emptied_it(ledger_sh: Run) -> None:
    """--recorded before anything was recorded: said so, not 'no report by --on'."""
    ledger_sh("import", str(FOUNDING))
    audit = ledger_sh("believed", "--on", "2017-06-20", "--recorded", "2000-01-01")
    assert audit.stdout == (
        "no proposition had a report by 2017-06-20 that was recorded by 2000-01-01 "
        "(--recorded): the reports known by then were recorded later\n"
    )
    before = ledger_sh("believed", "--on", "2000-01-01", "--recorded", "2999-01-01")
    assert before.stdout == "no proposition had a report by 2000-01-01\n"
    sources = ledger_sh("sources", "--on", "2017-06-20", "--recorded", "2000-01-01")
    assert sources.stdout.startswith(
        "no source had a report by 2017-06-20 that was recorded by 2000-01-01"
    )
    answers = ledger_sh(
        "answers", "how-did-hudeifa-al-badri-die", "--recorded", "2000-01-01"
    )
    assert answers.stdout.startswith("no answer to how-did-hudeifa-al-badri-die")
    assert "that was recorded by 2000-01-01 (--recorded)" in answers.stdout
    unsaid = ledger_sh("believed", "--according-to", "Nobody")
    assert unsaid.stdout == "no proposition had a report from Nobody by now\n"
    nobody = ledger_sh(
        "believed", "--on", "2017-06-20", "--recorded", "2000-01-01",
        "--according-to", "Nobody",
    )  # fmt: skip
    assert nobody.stdout == "no proposition had a report from Nobody by 2017-06-20\n"


# ---------------------------------------------------------------- --on, --db, -V


def test_on_defaults_to_now_for_every_command(ledger_sh: Run, tmp_path: Path) -> None:
    """Without --on, believed, sources and answers answer for now, not for all time."""
    write(
        tmp_path / "r.jsonl",
        row()
        + row(
            proposition="future",
            source="Oracle",
            reported_at="2999-01-01",
            question="q",
        ),
    )
    ledger_sh("import", "r.jsonl")
    found = json.loads(ledger_sh("believed", "--json").stdout)
    with Ledger.open(tmp_path / "ledger.db") as opened:
        now = [belief_to_dict(b) for b in opened.beliefs(on=date.today())]
    assert found == now
    assert [b["proposition"] for b in found] == [KEY]
    sources = json.loads(ledger_sh("sources", "--json").stdout)
    assert [s["source"] for s in sources] == ["S"]
    assert json.loads(ledger_sh("answers", "q", "--json").stdout) == []
    later = json.loads(ledger_sh("believed", "--on", "2999-12-31", "--json").stdout)
    assert [b["proposition"] for b in later] == [KEY, "future"]
    answers = json.loads(
        ledger_sh("answers", "q", "--on", "2999-12-31", "--json").stdout
    )
    assert [b["proposition"] for b in answers] == ["future"]


def _help(ledger_sh: Run, *command: str) -> str:
    done = ledger_sh(*command, "--help")
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


def test_help_says_one_thing_about_db_and_on(ledger_sh: Run) -> None:
    """Every --db help has one wording; every --on help says it defaults to now."""
    commands = sorted(cli.commands)
    assert {"strike", "propositions"} <= set(commands)
    wording = "[default: $LEDGER_DB, else ./ledger.db]"
    assert wording in _help(ledger_sh)
    assert "default: ledger.db" not in _help(ledger_sh)
    on_commands = []
    for name in commands:
        text = _help(ledger_sh, name)
        assert wording in text, name
        if "--on DATE" in text:
            on_commands.append(name)
            assert re.search(r"--on DATE [^-]*\[default: now\]", text), name
    assert on_commands == ["answers", "believed", "export", "report", "sources"]


def test_short_version_option(ledger_sh: Run) -> None:
    """-V prints what --version prints."""
    long, short = ledger_sh("--version"), ledger_sh("-V")
    assert (short.returncode, short.stdout) == (0, long.stdout)
    assert short.stdout.startswith("ledger, version ")


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _ledger_completion ledger"),
        ("zsh", "#compdef ledger"),
        ("fish", "complete --no-files --command ledger"),
    ],
)
def test_the_console_script_emits_shell_completion(
    ledger_sh: Run, shell: str, marker: str
) -> None:
    """_LEDGER_COMPLETE=SHELL_source ledger prints that shell's completion script."""
    done = ledger_sh(env={"_LEDGER_COMPLETE": f"{shell}_source"})
    assert (done.returncode, done.stderr) == (0, "")
    assert marker in done.stdout
    assert "_LEDGER_COMPLETE" in done.stdout


def test_completion_completes_commands(ledger_sh: Run) -> None:
    """The completion the scripts ask for lists matching commands."""
    done = ledger_sh(
        env={
            "_LEDGER_COMPLETE": "bash_complete",
            "COMP_WORDS": "ledger pro",
            "COMP_CWORD": "1",
        }
    )
    assert done.stdout.splitlines() == ["plain,propositions"]
