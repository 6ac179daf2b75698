"""A script that leaves its ledger open exits cleanly, on every store."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ledger import Ledger, Status
from tests.backends import drop_schema, fresh_target

REPO = Path(__file__).resolve().parent.parent
KEY = "baghdadi-killed-raqqa-strike-2017"

# A module-level ledger and a Hypothesis test using it (as in docs/testing.md):
# Hypothesis keeps a reference to the script's module (it collects constants from
# it), so the module's globals, the ledger among them, outlive the modules that
# eventsourcing's __del__ methods need at interpreter teardown. Unless the ledger
# is closed at exit and lets its store go, this printed "Exception ignored in:
# <function Application.__del__ ...> TypeError: 'NoneType' object is not
# callable" (and, on PostgreSQL, the same from PostgresDatastore.__del__). With
# fewer examples Hypothesis does not always keep the module, so the default.
SCRIPT = """\
import sys
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import Ledger

target = sys.argv[1] if len(sys.argv) > 1 else None
ledger = Ledger() if target is None else Ledger.open(target)
ledger.claim(KEY, source="Russian Ministry of Defence", reported_at=date(2017, 6, 16))


@settings(database=None, deadline=None)
@given(st.dates(min_value=date(2018, 1, 1)))
def test_claimed_from_then_on(day):
    assert ledger.belief(KEY, on=day).status.value == "claimed"


test_claimed_from_then_on()
print(ledger.belief(KEY, on=date(2018, 1, 1)).status.value)
""".replace("KEY", repr(KEY))

# The same, closed explicitly: the closed ledger lingers in the module just as long.
CLOSED = SCRIPT + "ledger.close()\n"


@pytest.mark.parametrize("store", ["memory", "sqlite", "postgres"])
@pytest.mark.parametrize("script", [SCRIPT, CLOSED], ids=["left-open", "closed"])
def test_a_script_exits_cleanly(store: str, script: str, tmp_path: Path) -> None:
    """Exit status 0, the answer on stdout, and nothing at all on stderr."""
    target = fresh_target(store, tmp_path)
    program = tmp_path / "script.py"
    program.write_text(script, encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, str(program), *([target] if target else [])],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == "claimed\n"
        if target is not None:  # the script's write is there, on that store
            with Ledger.open(target, create=False) as ledger:
                assert ledger.target.kind == store
                belief = ledger.belief(KEY, on=date(2018, 1, 1))
                assert belief.status is Status.CLAIMED
    finally:
        if store == "postgres" and target is not None:
            drop_schema(target)
