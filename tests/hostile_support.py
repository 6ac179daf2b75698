"""Helpers for the hostile-input tests: the real command, real files, real servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.backends import fresh_postgres_schema, require_postgres

SCRIPT = Path(sys.executable).parent / "ledger"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "ledger"]

Run = Callable[..., subprocess.CompletedProcess[str]]


def runner(cwd: Path, *, db: str | None = None) -> Run:
    """Run the console script in ``cwd`` (with ``--db db`` first, when given)."""

    def run(
        *args: str,
        stdin: str | None = None,
        timeout: float = 120,
        preexec_fn: Callable[[], None] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if k != "LEDGER_DB"}
        where = [] if db is None else ["--db", db]
        return subprocess.run(
            [*COMMAND, *where, *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            env=environment,
            timeout=timeout,
            check=False,
            preexec_fn=preexec_fn,
        )

    return run


def store_target(store: str, tmp_path: Path) -> str:
    """Where a fresh ledger of ``store`` (sqlite or postgres) lives, for ``--db``."""
    if store == "postgres":
        return fresh_postgres_schema(require_postgres())
    return str(tmp_path / "claims.db")


def line(**fields: Any) -> str:
    """One JSON line: a claim about ``p`` by ``S`` on 2017-06-16, with ``fields``."""
    base = {
        "kind": "claimed",
        "proposition": "p",
        "source": "S",
        "reported_at": "2017-06-16",
    }
    return json.dumps({**base, **fields}) + "\n"


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` as UTF-8 and return the path."""
    path.write_text(text, encoding="utf-8")
    return path


def exported(run: Run) -> str:
    """The ledger's export (JSON Lines), asserting that the export worked."""
    done = run("export", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    return done.stdout


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single ``Error: ...`` line a refused command printed (no traceback)."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: "), done.stderr
    return lines[0]


STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
"""The persistent stores, for ``@pytest.mark.parametrize("store", STORES)``."""
