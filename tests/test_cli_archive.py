"""The ``ledger archive`` and ``ledger verify`` commands and the functions behind them."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger import InvalidArgument, Ledger, Report, read_reports
from ledger.archive import Archive, ArchiveStore
from ledger.cli import EXIT_INVALID_INPUT, archive_file, cli, verify_archives

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("LEDGER_SEEDS", REPO.parent / "shared" / "seeds"))
WHEN = datetime(2026, 12, 1, tzinfo=UTC)


class _Store:
    """An ArchiveStore in a dict, as the ledger will be one."""

    def __init__(self) -> None:
        self.held: dict[str, Archive] = {}

    def record_archive(self, archive: Archive) -> None:
        self.held[archive.url] = archive

    def archives(self) -> Mapping[str, Archive]:
        return dict(self.held)


def test_archive_file_and_verify_archives_on_a_store(tmp_path: Path) -> None:
    """The command functions record a file as an archive and verify against it."""
    store = _Store()
    assert isinstance(store, ArchiveStore)
    page = tmp_path / "page.html"
    page.write_text("<p>The bridge \u2014 closed.</p>", encoding="utf-8")
    archive = archive_file(store, "https://x.example/1", page, retrieved_at=WHEN)
    assert archive.media_type == "text/html"
    assert store.archives() == {"https://x.example/1": archive}
    said = Report(
        kind="claimed",
        proposition="p",
        source="S",
        reported_at=date(2020, 1, 1),
        url="https://x.example/1",
        quote="The bridge - closed.",
    )
    assert verify_archives(store, [said]) == []
    other = Report(
        kind="claimed",
        proposition="p",
        source="S",
        reported_at=date(2020, 1, 1),
        url="https://x.example/2",
    )
    assert [p.reason for p in verify_archives(store, [said, other])] == ["no-archive"]
    blob = tmp_path / "blob.unknownext"
    blob.write_bytes(b"x")
    with pytest.raises(InvalidArgument, match="media type"):
        archive_file(store, "https://x.example/3", blob, retrieved_at=WHEN)


def test_archives_are_recorded_once_and_survive_a_rebuild(tmp_path: Path) -> None:
    """An archive is one event: recording it again adds nothing; a rebuild keeps it."""
    db = str(tmp_path / "l.db")
    page = tmp_path / "a.txt"
    page.write_text("words", encoding="utf-8")
    archive = Archive.from_file("https://x.example/a", page, retrieved_at=WHEN)
    with Ledger.open(db) as ledger:
        ledger.record_archive(archive)
        ledger.record_archive(archive)
        events = ledger._app.recorder.select_notifications(start=1, limit=10)
        assert [n.topic for n in events] == ["ledger:Source.Archived"]
        ledger.rebuild_view()
        assert ledger.archives() == {"https://x.example/a": archive}
    with Ledger.open(db) as ledger:
        assert ledger.archives() == {"https://x.example/a": archive}


def test_archive_and_verify_the_founding_case(tmp_path: Path) -> None:
    """Archive the five seed articles; verify finds every founding quote in them."""
    if not SEEDS.is_dir():
        pytest.skip(f"the seed articles are not at {SEEDS}")
    db = str(tmp_path / "l.db")
    with Ledger.open(db) as ledger:
        ledger.record_all(read_reports(REPO / "examples" / "founding_case.jsonl"))
    runner = CliRunner()
    for seed in sorted(SEEDS.iterdir()):
        done = runner.invoke(
            cli,
            [
                "--db",
                db,
                "archive",
                f"seed:{seed.name}",
                str(seed),
                "--retrieved-at",
                "2026-12-01T00:00:00Z",
            ],
        )
        assert done.exit_code == 0, done.output
        assert done.output.startswith(f"archived seed:{seed.name}: text/plain")
    done = runner.invoke(cli, ["--db", db, "verify", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output) == []


def test_verify_lists_an_unarchived_report(tmp_path: Path) -> None:
    """A report whose url has no archive is listed, and verify exits 1."""
    db = str(tmp_path / "l.db")
    with Ledger.open(db) as ledger:
        ledger.claim(
            "p",
            source="S",
            reported_at=date(2020, 1, 1),
            url="https://x.example/1",
            quote="words",
        )
    done = CliRunner().invoke(cli, ["--db", db, "verify", "--json"])
    assert done.exit_code == EXIT_INVALID_INPUT
    (problem,) = json.loads(done.output)
    assert problem["reason"] == "no-archive"
    assert problem["url"] == "https://x.example/1"
