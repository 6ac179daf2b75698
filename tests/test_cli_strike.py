"""``ledger strike``, and strikes through export and import, via the console script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger import Ledger, _time
from ledger.cli import (
    EXIT_INVALID_INPUT,
    EXIT_STORAGE,
    EXIT_UNKNOWN_PROPOSITION,
    EXIT_USAGE,
)
from ledger.values import Entry
from tests.backends import fresh_target
from tests.test_cli import FOUNDING, KEY, SCRIPT, Run, _runner, row, write

SON = "baghdadi-son-suicide-attack-2018"
CLAIM = "003-is-claims-suicide-attack"
DISPUTE = "003-iraq-disputes-suicide-attack"


@pytest.fixture
def ledger_sh(tmp_path: Path) -> Run:
    """Run the installed ``ledger`` console script in tmp_path."""
    if not SCRIPT.exists():
        pytest.skip("the ledger console script is not installed (pip install -e .)")
    return _runner([str(SCRIPT)], tmp_path)


def state(target: str | Path) -> list[Entry]:
    """Every entry of the ledger at ``target``, strikes included."""
    with Ledger.open(target, create=False) as ledger:
        return list(ledger.entries())


# ---------------------------------------------------------------- ledger strike


def test_strike_takes_a_report_out_of_every_answer(
    ledger_sh: Run, tmp_path: Path
) -> None:
    """Striking a report: exit 0, one line; history marks it, and answers drop it."""
    ledger_sh("import", str(FOUNDING))
    before = json.loads(ledger_sh("believed", SON, "--json").stdout)
    assert before[0]["status"] == "disputed"
    done = ledger_sh("strike", DISPUTE, "--reason", "entered twice by mistake")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        f"struck report {DISPUTE} about {SON}: entered twice by mistake\n"
    )
    after = json.loads(ledger_sh("believed", SON, "--json").stdout)
    assert after[0]["status"] == "claimed"
    history = json.loads(ledger_sh("history", SON, "--json").stdout)
    assert [e["strike"] and e["strike"]["reason"] for e in history] == [
        None,
        "entered twice by mistake",
    ]
    (struck,) = [e for e in state(tmp_path / "ledger.db") if e.strike is not None]
    assert struck.report.report_id == DISPUTE


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (
            ["strike", "no-such-report", "--reason", "typo"],
            EXIT_UNKNOWN_PROPOSITION,
            "Error: no report with report_id 'no-such-report' has been recorded\n",
        ),
        (
            ["strike", CLAIM, "--reason", ""],
            EXIT_USAGE,
            "Error: --reason must not be empty: say why the report is struck\n",
        ),
        (
            ["strike", CLAIM, "--reason", "  \t"],
            EXIT_USAGE,
            "Error: --reason must not be empty: say why the report is struck\n",
        ),
    ],
)
def test_strike_refusals_write_nothing(
    ledger_sh: Run, tmp_path: Path, arguments: list[str], code: int, message: str
) -> None:
    """An unknown id, an empty reason: one line on stderr, its exit code, no change."""
    ledger_sh("import", str(FOUNDING))
    before = state(tmp_path / "ledger.db")
    done = ledger_sh(*arguments)
    assert (done.returncode, done.stdout, done.stderr) == (code, "", message)
    assert state(tmp_path / "ledger.db") == before


def test_striking_a_struck_report_is_refused(ledger_sh: Run, tmp_path: Path) -> None:
    """A second strike: exit 1, one line naming the first strike, and no change."""
    ledger_sh("import", str(FOUNDING))
    ledger_sh("strike", CLAIM, "--reason", "first")
    before = state(tmp_path / "ledger.db")
    (first,) = [e.strike for e in before if e.strike is not None]
    done = ledger_sh("strike", CLAIM, "--reason", "second")
    assert done.returncode == EXIT_INVALID_INPUT
    assert done.stdout == ""
    when = _time.human(first.recorded_at)
    assert done.stderr == (
        f"Error: report '{CLAIM}' is already struck (on {when}: first); "
        "nothing was written\n"
    )
    assert state(tmp_path / "ledger.db") == before


def test_strike_without_a_ledger_creates_none(ledger_sh: Run, tmp_path: Path) -> None:
    """Striking in a missing ledger exits 4 and leaves no file behind."""
    done = ledger_sh("strike", CLAIM, "--reason", "typo")
    assert done.returncode == EXIT_STORAGE
    assert not (tmp_path / "ledger.db").exists()


# ---------------------------------------------------------------- export, import


def _targets(backend: str, tmp_path: Path) -> tuple[str, str]:
    first, copy = fresh_target(backend, tmp_path), fresh_target(backend, tmp_path)
    assert first is not None
    assert copy is not None
    return first, copy


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_export_import_export_is_the_same_file_strikes_included(
    ledger_sh: Run, tmp_path: Path, backend: str
) -> None:
    """export, import into a fresh ledger, export: byte for byte the same file."""
    first, copy = _targets(backend, tmp_path)
    assert ledger_sh("--db", first, "import", str(FOUNDING)).returncode == 0
    ledger_sh("--db", first, "strike", CLAIM, "--reason", "an \u201cerror\u201d")
    ledger_sh("--db", first, "strike", "001-lavrov-hedges", "--reason", "wrong key")
    assert ledger_sh("--db", first, "export", "-o", "a.jsonl").returncode == 0
    exported = (tmp_path / "a.jsonl").read_bytes()
    lines = [json.loads(line) for line in exported.decode().splitlines()]
    strikes = [line for line in lines if "strike" in line]
    assert strikes == [
        {"strike": "001-lavrov-hedges", "reason": "wrong key"},
        {"strike": CLAIM, "reason": "an \u201cerror\u201d"},
    ]
    for strike in strikes:  # each right after the line of the report it strikes
        index = lines.index(strike)
        assert lines[index - 1]["report_id"] == strike["strike"]
    assert len(lines) == 20 + 2

    done = ledger_sh("--db", copy, "import", "a.jsonl")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "recorded 20 new reports (0 already present) "
        "and 2 new strikes (0 already present)\n"
    )
    assert ledger_sh("--db", copy, "export", "-o", "b.jsonl").returncode == 0
    assert (tmp_path / "b.jsonl").read_bytes() == exported
    for day in ("2017-06-20", "2018-07-05"):
        assert (
            ledger_sh("--db", copy, "believed", "--on", day, "--json").stdout
            == ledger_sh("--db", first, "believed", "--on", day, "--json").stdout
        )

    again = ledger_sh("--db", copy, "import", "a.jsonl")
    assert again.stdout == (
        "recorded 0 new reports (20 already present) "
        "and 0 new strikes (2 already present)\n"
    )
    assert ledger_sh("--db", copy, "export", "-o", "c.jsonl").returncode == 0
    assert (tmp_path / "c.jsonl").read_bytes() == exported
    copied = state(copy)
    assert [e.strike.reason for e in copied if e.strike] == [
        "wrong key",
        "an \u201cerror\u201d",
    ]
    # System time: re-imported strikes get the import's recorded_at, as reports do.
    assert all(e.strike.recorded_at == e.recorded_at for e in copied if e.strike)


def test_a_strike_in_a_later_file_of_one_import(ledger_sh: Run, tmp_path: Path) -> None:
    """A strike may name a report of an earlier file of the same import."""
    write(tmp_path / "a.jsonl", row(report_id="a"))
    write(tmp_path / "b.jsonl", json.dumps({"strike": "a", "reason": "typo"}) + "\n")
    done = ledger_sh("import", "a.jsonl", "b.jsonl")
    assert done.returncode == 0, done.stderr
    (entry,) = state(tmp_path / "ledger.db")
    assert entry.strike is not None
    assert entry.strike.reason == "typo"


def test_a_strike_of_an_unknown_report_records_nothing(
    ledger_sh: Run, tmp_path: Path
) -> None:
    """A strike of an id neither held nor earlier in the input: the line is named."""
    write(tmp_path / "held.jsonl", row(report_id="held"))
    ledger_sh("import", "held.jsonl")
    before = state(tmp_path / "ledger.db")
    text = (
        json.dumps({"strike": "later", "reason": "too early"})  # line 1
        + "\n"
        + row(source="T", report_id="later")  # line 2
        + json.dumps({"strike": "held", "reason": "fine"})  # line 3
        + "\n"
        + json.dumps({"strike": "nobody", "reason": "unknown"})  # line 4
        + "\n"
    )
    write(tmp_path / "s.jsonl", text)
    done = ledger_sh("import", "s.jsonl")
    assert done.returncode == EXIT_INVALID_INPUT
    assert done.stdout == ""
    unknown = "no report with this report_id is in the ledger or earlier in the input"
    assert done.stderr.splitlines() == [
        "Error: 2 problems on 2 lines; nothing was recorded:",
        f"  s.jsonl, line 1: strike 'later': {unknown}",
        f"  s.jsonl, line 4: strike 'nobody': {unknown}",
        "Fix these lines, or run with --skip-invalid to record the valid ones.",
    ]
    assert state(tmp_path / "ledger.db") == before

    skipped = ledger_sh("import", "--skip-invalid", "s.jsonl")
    assert skipped.returncode == 0
    assert skipped.stdout == (
        "recorded 1 new report (0 already present) and 1 new strike "
        "(0 already present); skipped 2 invalid lines\n"
    )
    assert "s.jsonl, line 4: strike 'nobody'" in skipped.stderr
    struck = {e.report.report_id: e.strike for e in state(tmp_path / "ledger.db")}
    assert struck["later"] is None
    assert struck["held"] is not None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            {"strike": "a", "reason": "r", "kind": "claimed"},
            (
                "unknown field 'kind' in a strike line (expected only strike and "
                "reason; a report is a line of its own)"
            ),
        ),
        ({"strike": "a"}, "reason is required in a strike line (the line has no "),
        ({"strike": "a", "reason": " "}, "reason must be a non-empty string"),
        ({"strike": "", "reason": "r"}, "strike must be a non-empty string"),
        ({"strike": 7, "reason": "r"}, "strike must be a string (got number 7)"),
        ({"strike": "a", "reason": None}, "reason is required in a strike line"),
    ],
)
def test_bad_strike_lines_are_named(
    ledger_sh: Run, tmp_path: Path, line: dict[str, object], message: str
) -> None:
    """A malformed strike line is an invalid line: its field and what was wrong."""
    write(tmp_path / "r.jsonl", row(report_id="a") + json.dumps(line) + "\n")
    done = ledger_sh("import", "r.jsonl")
    assert done.returncode == EXIT_INVALID_INPUT
    assert f"  r.jsonl, line 2: {message}" in done.stderr
    assert not state(tmp_path / "ledger.db")


def test_csv_export_leaves_strikes_out_and_says_so(
    ledger_sh: Run, tmp_path: Path
) -> None:
    """CSV cannot carry strikes: the struck report is left out, with a note on stderr."""
    ledger_sh("import", str(FOUNDING))
    ledger_sh("strike", CLAIM, "--reason", "typo")
    done = ledger_sh("export", "-o", "out.csv")
    assert done.returncode == 0
    assert done.stderr == (
        "left out 1 struck report: CSV holds no strikes; export JSON Lines "
        "(--format jsonl) to keep them\n"
    )
    text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert CLAIM not in text
    assert len(text.splitlines()) == 1 + 19


def test_strikes_of_an_export_name_their_keys(ledger_sh: Run, tmp_path: Path) -> None:
    """The history of a re-imported export marks the same reports struck."""
    ledger_sh("import", str(FOUNDING))
    ledger_sh("strike", "000-us-doubtful", "--reason", "typo")
    exported = ledger_sh("export").stdout
    ledger_sh("--db", "copy.db", "import", "-", stdin=exported)
    history = json.loads(ledger_sh("--db", "copy.db", "history", KEY, "--json").stdout)
    assert [e["report"]["report_id"] for e in history if e["strike"]] == [
        "000-us-doubtful"
    ]
