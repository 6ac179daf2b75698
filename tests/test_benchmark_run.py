"""The benchmark script runs end to end and yields every figure its targets name.

A small run (no timing is judged): every phase must run, and every ratio the
script prints against a target must find both of its rows, so one full run can
stand for every target in docs/performance.md.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from tests.backends import require_postgres

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _ratios() -> list[tuple[str, str | None, float, bool]]:
    """The script's RATIOS table, read from the script itself."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(
            "_bench_run", BENCHMARKS / "run.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    ratios: list[tuple[str, str | None, float, bool]] = module.RATIOS
    return ratios


def test_a_small_run_measures_every_target(tmp_path: Path) -> None:
    """Every phase runs on every backend; every target's rows are in the run."""
    url = require_postgres()
    rows_file = tmp_path / "rows.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--reports",
            "2000",
            "--propositions",
            "200",
            "--workdir",
            str(tmp_path / "work"),
            "--postgres",
            url,
            "--json",
            str(rows_file),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = {row["name"] for row in json.loads(rows_file.read_text())}
    assert not [name for name in names if name.endswith("FAILED")]
    wanted = set()
    for mine, baseline, _target, _higher in _ratios():
        wanted.add(mine)
        if baseline is not None:
            wanted.add(baseline)
    assert wanted <= names, sorted(wanted - names)
    for mine, _baseline, _target, _higher in _ratios():
        assert f"\n{mine} / " in done.stdout
