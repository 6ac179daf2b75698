"""Hostile input (issue 13) in the core's part: storage set-up, write path, reader.

Each was written failing before the core rewrite and passes on it: storage
set-up in ``ledger/_storage.py`` (items 1, 3, 11, 12 and the doubled "cannot
open ledger"), NUL refused in every text field (6), the one-pass import in one
transaction (4, 9), derived ids as a namespace (5) and query keys normalised
(13). The cases run against the real command on real SQLite files, and on
PostgreSQL where the item concerns it.
"""

from __future__ import annotations

import json
import os
import random
import resource
import string
import subprocess
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ledger import InvalidReport, Kind, Ledger, Report, Status
from ledger.cli import EXIT_INVALID_INPUT, EXIT_STORAGE
from ledger.errors import StorageError
from tests.backends import POSTGRES_URL, require_postgres
from tests.hostile_support import (
    COMMAND,
    line,
    one_error_line,
    runner,
    write,
)


def _refusal(action: Callable[[], object]) -> InvalidReport | None:
    """The InvalidReport ``action`` raises, or None if it raises nothing."""
    try:
        action()
    except InvalidReport as error:
        return error
    return None


def _entries(target: str) -> list[Report]:
    with Ledger.open(target) as ledger:
        return [entry.report for entry in ledger.entries()]


# ---------------------------------------------------------------- 1. long names


def test_long_keys_sources_and_ids_record_and_read_back(
    tmp_path: Path, target: str
) -> None:
    """3,000-character key, source and report id: recorded, read back, reopenable."""
    run = runner(tmp_path, db=target)
    # Text that does not compress: PostgreSQL would shrink "k" * 3000 to fit.
    letters = random.Random(13).choices(string.ascii_letters + string.digits, k=9000)
    key, source, report_id = (
        "".join(letters[i : i + 3000]) for i in range(0, 9000, 3000)
    )
    write(
        tmp_path / "r.jsonl",
        line(proposition=key, source=source, report_id=report_id),
    )
    done = run("import", "r.jsonl")
    assert (done.returncode, done.stdout) == (
        0,
        "recorded 1 new report (0 already present)\n",
    ), done.stderr
    shown = run("history", key, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)[0]["report"]["report_id"] == report_id
    believed = run("believed", "--on", "2017-07-01", "--json")
    assert json.loads(believed.stdout)[0]["proposition"] == key
    rebuilt = subprocess.run(
        [sys.executable, "-m", "ledger.worker", "--db", target, "--rebuild"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert (rebuilt.returncode, rebuilt.stderr) == (0, "applied 1 events\n")


# ---------------------------------------------------------------- 3. names that cannot persist


def test_memory_database_name_is_refused(tmp_path: Path) -> None:
    """--db :memory: cannot keep a ledger: refused with exit 4, nothing claimed."""
    write(tmp_path / "r.jsonl", line())
    done = runner(tmp_path, db=":memory:")("import", "r.jsonl")
    assert done.returncode == EXIT_STORAGE
    assert "':memory:'" in one_error_line(done)
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl"]


def test_file_uri_names_are_consistent(tmp_path: Path) -> None:
    """--db file:x.db: refused, or imported and then found by queries with that name."""
    write(tmp_path / "r.jsonl", line())
    run = runner(tmp_path, db="file:x.db")
    done = run("import", "r.jsonl")
    if done.returncode != 0:
        assert done.returncode == EXIT_STORAGE
        one_error_line(done)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["r.jsonl"]
        return
    found = run("believed", "--on", "2017-07-01", "--json")
    assert found.returncode == 0, found.stderr
    assert [b["proposition"] for b in json.loads(found.stdout)] == ["p"]


# ---------------------------------------------------------------- 4, 5. all or nothing


def test_a_report_id_shared_across_files_records_nothing(
    tmp_path: Path, target: str
) -> None:
    """Two files giving one report_id to different reports: exit 1, nothing recorded."""
    run = runner(tmp_path, db=target)
    first = "".join(line(proposition=f"p{i}") for i in range(1500))
    write(tmp_path / "a.jsonl", first + line(source="A", report_id="x"))
    write(tmp_path / "b.jsonl", line(source="B", report_id="x"))
    done = run("import", "a.jsonl", "b.jsonl")
    assert done.returncode == EXIT_INVALID_INPUT
    assert "nothing was recorded" in done.stderr
    assert "b.jsonl, line 1: report_id 'x'" in done.stderr
    assert _entries(target) == []


def _impostor_and_genuine() -> tuple[str, str]:
    genuine = Report(Kind.CLAIMED, "p", "genuine", date(2017, 6, 16))
    impostor = line(source="impostor", report_id=genuine.report_id)
    return impostor, line(source="genuine")


def test_an_explicit_id_never_takes_over_a_derived_one_in_one_import(
    tmp_path: Path, target: str
) -> None:
    """A line claiming another line's derived id: both recorded, or nothing and exit 1."""
    run = runner(tmp_path, db=target)
    impostor, genuine = _impostor_and_genuine()
    filler = "".join(line(proposition=f"p{i}") for i in range(1500))
    write(tmp_path / "r.jsonl", impostor + filler + genuine)
    done = run("import", "r.jsonl")
    recorded = _entries(target)
    if done.returncode == 0:
        sources = {r.source for r in recorded if r.proposition == "p"}
        assert sources == {"impostor", "genuine"}
    else:
        assert done.returncode == EXIT_INVALID_INPUT
        assert "nothing was recorded" in done.stderr
        assert recorded == []


def test_an_explicit_id_never_takes_over_a_derived_one_for_good(
    tmp_path: Path, target: str
) -> None:
    """The impostor is refused, or the genuine report can still be recorded later."""
    run = runner(tmp_path, db=target)
    impostor, genuine = _impostor_and_genuine()
    write(tmp_path / "a.jsonl", impostor)
    write(tmp_path / "b.jsonl", genuine)
    first = run("import", "a.jsonl")
    if first.returncode != 0:
        assert first.returncode == EXIT_INVALID_INPUT
        assert "report_id" in first.stderr
        return
    second = run("import", "b.jsonl")
    assert (second.returncode, second.stdout) == (
        0,
        "recorded 1 new report (0 already present)\n",
    ), second.stderr
    assert {r.source for r in _entries(target)} == {"impostor", "genuine"}


# ---------------------------------------------------------------- 6. NUL


TEXT_FIELDS = [
    "proposition",
    "source",
    "statement",
    "quote",
    "url",
    "question",
    "rating",
    "report_id",
]


def test_nul_in_any_text_field_is_refused(ledger: Ledger) -> None:
    """A NUL in any text field: InvalidReport, on every store, and nothing written."""
    for field in TEXT_FIELDS:
        fields = dict.fromkeys(TEXT_FIELDS, "x")
        fields[field] = "a\x00b"
        proposition = fields.pop("proposition")
        error = _refusal(
            lambda: ledger.claim(proposition, reported_at=date(2017, 6, 16), **fields)  # type: ignore[arg-type]  # noqa: B023
        )
        assert error is not None, field
        assert error.field == field
    assert ledger.propositions() == ()


def test_nul_late_in_a_file_writes_nothing(tmp_path: Path, target: str) -> None:
    """2,500 good lines, then one with NUL: exit 1 naming it, and nothing recorded."""
    run = runner(tmp_path, db=target)
    good = "".join(line(proposition=f"p{i}") for i in range(2500))
    write(tmp_path / "r.jsonl", good + line(proposition="p\x00"))
    done = run("import", "r.jsonl")
    assert done.returncode == EXIT_INVALID_INPUT
    assert (
        "  r.jsonl, line 2501: proposition must not contain NUL (U+0000) characters "
        "(found one at position 1)"
    ) in done.stderr.splitlines()
    assert _entries(target) == []


def test_nul_in_a_file_is_an_invalid_line(tmp_path: Path, target: str) -> None:
    """A JSON line with an escaped NUL in its quote: exit 1, nothing recorded."""
    run = runner(tmp_path, db=target)
    write(tmp_path / "r.jsonl", line() + line(source="T", quote="a\x00b"))
    done = run("import", "r.jsonl")
    assert done.returncode == EXIT_INVALID_INPUT
    assert "r.jsonl, line 2: quote" in done.stderr
    assert _entries(target) == []


# ---------------------------------------------------------------- 9. streams that are not files


def _bounded_memory() -> None:
    # A guard, not a measurement: an importer that grows without bound dies here.
    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_endless_input_ends_with_an_error(tmp_path: Path) -> None:
    """Import of /dev/zero or /dev/urandom: an error on stderr, not a hang."""
    devices = {"zero": ["/dev/zero"], "urandom": ["--format", "jsonl", "/dev/urandom"]}
    if not all(Path(arguments[-1]).exists() for arguments in devices.values()):
        pytest.skip("no /dev/zero or /dev/urandom on this system")
    # Both at once, so a hang costs the time limit once.
    running = {
        name: subprocess.Popen(
            [*COMMAND, "--db", f"{name}.db", "import", *arguments],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            preexec_fn=_bounded_memory,
        )
        for name, arguments in devices.items()
    }
    deadline = time.monotonic() + 8
    results = {}
    for name, process in running.items():
        try:
            _, stderr = process.communicate(
                timeout=max(0.1, deadline - time.monotonic())
            )
        except subprocess.TimeoutExpired:
            for other in running.values():
                other.kill()
                other.communicate()
            msg = f"import of {name} did not end within 8 seconds"
            raise AssertionError(msg) from None
        results[name] = (process.returncode, stderr)
    for name, (code, stderr) in results.items():
        assert code == EXIT_INVALID_INPUT, name
        assert stderr.startswith("Error: "), name
        assert "Traceback" not in stderr, name


def test_import_from_a_named_pipe(tmp_path: Path) -> None:
    """A named pipe (a FIFO) imports like a file."""
    write(tmp_path / "r.jsonl", line())
    os.mkfifo(tmp_path / "pipe")
    script = (
        'cat r.jsonl > pipe & feeder=$!; "$@" import pipe; status=$?; '
        'kill "$feeder" 2>/dev/null; exit "$status"'
    )
    done = subprocess.run(
        ["bash", "-c", script, "bash", *COMMAND, "--db", "claims.db"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (
        0,
        "recorded 1 new report (0 already present)\n",
    ), done.stderr


def test_import_from_process_substitution(tmp_path: Path) -> None:
    """``ledger import <(cat f)`` imports like a file."""
    write(tmp_path / "r.jsonl", line())
    done = subprocess.run(
        ["bash", "-c", '"$@" import <(cat r.jsonl)', "bash", *COMMAND, "--db", "x.db"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (
        0,
        "recorded 1 new report (0 already present)\n",
    ), done.stderr


# ---------------------------------------------------------------- 11. bad URLs


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://ledger@127.0.0.1:99999/claims",
        "postgresql://ledger@127.0.0.1:abc/claims",
        "postgresql://ledger@[::1/claims",
    ],
)
@pytest.mark.parametrize(
    "command", [["import", "r.jsonl"], ["believed", "--on", "2017-07-01"]]
)
def test_malformed_urls_are_one_line_storage_errors(
    tmp_path: Path, url: str, command: list[str]
) -> None:
    """Port 99999, port abc, a broken IPv6 host: one line, exit 4."""
    write(tmp_path / "r.jsonl", line())
    done = runner(tmp_path, db=url)(*command)
    assert done.returncode == EXIT_STORAGE
    assert one_error_line(done).startswith(f"Error: cannot open ledger {url!r}: ")


# ---------------------------------------------------------------- 12. schema names


SCHEMAS = ["Mixed_Case", "has space", 'q"uote', "x-y", "1abc"]


def _schema_exists(name: str) -> bool:
    import psycopg

    assert POSTGRES_URL is not None
    parts = POSTGRES_URL.split("?")[0]
    with psycopg.connect(parts, password=os.environ.get("PGPASSWORD")) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (name,)
        ).fetchone()
    return found is not None


@pytest.mark.postgres
@pytest.mark.parametrize("schema", SCHEMAS)
def test_schema_names_work_or_are_refused_up_front(schema: str) -> None:
    """A schema name not in plain lower case works fully, or is refused leaving none."""
    require_postgres()
    assert POSTGRES_URL is not None
    name = f"{schema}{uuid.uuid4().hex[:8]}"
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}schema={name}"
    refused: str | None = None
    try:
        ledger = Ledger.open(url)
    except StorageError as error:
        refused = str(error)
    if refused is not None:
        assert "LINE 1" not in refused
        assert not _schema_exists(name)
        return
    with ledger:
        ledger.claim("p", source="S", reported_at=date(2017, 6, 16))
    with Ledger.open(url) as again:
        assert again.belief("p", on=date(2017, 7, 1)).status is Status.CLAIMED


# ---------------------------------------------------------------- 13, 15. queries and messages


def test_queries_normalise_keys(ledger: Ledger) -> None:
    """belief() and history() of the NFD or padded form find the NFC proposition."""
    nfc = unicodedata.normalize("NFC", "café-bombing-2017")
    ledger.claim(nfc, source="S", reported_at=date(2017, 6, 16))
    nfd = unicodedata.normalize("NFD", nfc)
    assert ledger.belief(f" {nfd} ", on=date(2017, 7, 1)).status is Status.CLAIMED
    assert len(ledger.history(nfd)) == 1


def test_storage_errors_name_the_ledger_once(tmp_path: Path) -> None:
    """A ledger in a missing folder: one line naming it once, exit 4."""
    target = str(tmp_path / "nowhere" / "x.db")
    write(tmp_path / "r.jsonl", line())
    done = runner(tmp_path, db=target)("import", "r.jsonl")
    assert done.returncode == EXIT_STORAGE
    assert one_error_line(done).count("cannot open ledger") == 1
