"""Many processes on one ledger: writers, a projection worker, and a SIGKILL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger import LatestDecisiveWord, Ledger
from ledger._storage import Target, open_store
from ledger.view import BeliefView
from tests import workload

REPO = Path(__file__).resolve().parent.parent
DAYS = [date(2017, 1, 1), date(2017, 6, 1), date(2017, 12, 31), date(2018, 3, 1)]
# Seconds before a wait gives up: a hung test fails instead of hanging CI.
DEADLINE = 120.0


@pytest.fixture
def shared_target(backend: str, ledger_target: str | None) -> str:
    """A fresh SQLite file or PostgreSQL schema that several processes open."""
    if ledger_target is None:
        pytest.skip("an in-memory ledger cannot be shared between processes")
    with Ledger.open(ledger_target):
        pass  # create the tables before the processes race to
    return ledger_target


def python(*args: str) -> subprocess.Popen[str]:
    """Start ``python *args`` in the repository, with output captured."""
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> None:
    """Wait for a process and fail with its output if it failed."""
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, f"exit {process.returncode}: {out}{err}"


class Store:
    """The raw state of a shared store, read without projecting anything."""

    def __init__(self, target: str) -> None:
        self.app, self._store = open_store(Target.parse(target))
        self.view = BeliefView(self._store, LatestDecisiveWord())

    def events(self) -> int:
        """How many events were recorded."""
        return len(self.app.recorder.select_notifications(start=1, limit=1_000_000))

    def last(self) -> int:
        """The id of the last notification (PostgreSQL's ids can have gaps)."""
        return self.app.recorder.max_notification_id() or 0

    def rows(self) -> int:
        """How many reports the view holds."""
        return len([e for _, entries in self.view.all_entries() for e in entries])

    def close(self) -> None:
        """Release the connection."""
        self._store.close()
        self.app.close()


def answers(ledger: Ledger) -> Any:
    """Everything comparable about a ledger's reports, at several dates."""
    keys = ledger.propositions()
    return (
        keys,
        [ledger.beliefs(on=day) for day in DAYS],
        [ledger.timeline(key) for key in keys],
        [[entry.report for entry in ledger.history(key)] for key in keys],
    )


def replay(expected: list[Any]) -> Ledger:
    """An in-memory ledger holding exactly ``expected``."""
    memory = Ledger()
    memory.record(*expected)
    return memory


def wait_until(
    condition: Callable[[], bool], what: str, *, worker: subprocess.Popen[str]
) -> None:
    """Wait until ``condition()`` holds; fail if the worker dies or at the deadline.

    The deadline only stops a hung test: nothing is timed.
    """
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if worker.poll() is not None:
            _, err = worker.communicate()
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}: {err}")
        if time.monotonic() > deadline:
            pytest.fail(f"not within {DEADLINE:.0f} s: {what}")
        time.sleep(0.01)


def test_concurrent_writers_and_a_worker_lose_and_duplicate_nothing(
    shared_target: str,
) -> None:
    """Three writers and a worker at once: every report once, the view equals a replay.

    Writers fold their own events into the view, so to see the worker's own work
    the test then empties the view, twice, through a store that never projects
    anything: only the following worker can fill it again.
    """
    writers, count = 3, 150
    worker = python(
        "-m",
        "ledger.worker",
        "--db",
        shared_target,
        "--follow",
        "--poll-interval",
        "0.05",
    )
    try:
        processes = [
            python("-m", "tests.workload", shared_target, str(n), str(count))
            for n in range(writers)
        ]
        for process in processes:
            finish(process)
        expected = {
            r.report_id: r for n in range(writers) for r in workload.reports(n, count)
        }
        store = Store(shared_target)
        try:
            # One event per distinct report: nothing lost, nothing recorded twice.
            assert store.events() == len(expected)
            for round_ in ("first", "second"):
                # The following worker may refill the view as soon as this
                # commits, so the emptying is proven by the count below (the
                # worker folded every event again), not by a racing read.
                store.view.reset()
                wait_until(
                    lambda: store.view.position() == store.last(),
                    f"the worker refilled the emptied view ({round_} time)",
                    worker=worker,
                )
                assert store.rows() == len(expected)
        finally:
            store.close()
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=300)
    finally:
        if worker.poll() is None:  # a failed assertion must not leave it running
            worker.kill()
            worker.communicate(timeout=60)
    assert worker.returncode == 0, f"exit {worker.returncode}: {out}{err}"
    # The writers fold their own events, so only the resets gave the worker
    # work: by the second it was following and folded every event again.
    applied = re.fullmatch(r"the view is up to date; applied (\d+) events.*\n", err)
    assert applied, err
    assert int(applied[1]) >= len(expected)
    with Ledger.open(shared_target) as ledger:
        assert answers(ledger) == answers(replay(list(expected.values())))


def test_worker_killed_mid_batch_resumes_without_gaps_or_double_counting(
    shared_target: str,
) -> None:
    """SIGKILL a worker rebuilding the view, again and again; it ends equal to a replay."""
    reports = workload.reports(7, 4000)
    with Ledger.open(shared_target) as ledger:
        ledger.record_all(reports, batch_size=500)
    store = Store(shared_target)
    total, last = store.events(), store.last()
    store.view.reset()
    interrupted = 0
    try:
        for _ in range(3):
            before = store.view.position()
            if before == last:
                break
            worker = python(
                "-m", "ledger.worker", "--db", shared_target, "--batch-size", "400"
            )
            deadline = time.monotonic() + DEADLINE
            while store.view.position() == before and worker.poll() is None:
                assert time.monotonic() < deadline, "the worker never committed"
                time.sleep(0.005)
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=60)
            after = store.view.position()
            assert after == 0 or after > before
            interrupted += after < last
        assert interrupted > 0, "no kill landed before the rebuild finished"
        # A last run finishes the job; whatever batches were cut off are redone once.
        finish(
            python("-m", "ledger.worker", "--db", shared_target, "--batch-size", "400")
        )
        assert store.view.position() == last
        assert store.rows() == total == len(reports)
    finally:
        store.close()
    with Ledger.open(shared_target) as ledger:
        assert answers(ledger) == answers(replay(reports))
