"""Shared fixtures: Hypothesis profiles and ledgers on every backend."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from ledger import Ledger
from tests.backends import BACKENDS, fresh_target, opened_backend, require_postgres
from tests.hostile_support import STORES, store_target

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)

OpenLedger = Callable[[], Ledger]
_CALL = pytest.StashKey[pytest.TestReport]()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of a storage backend: memory, sqlite or postgres."""
    name: str = request.param
    if name == "postgres":
        require_postgres()
    return name


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each test's call report, for :func:`_opens_the_backend_it_names`."""
    report = yield
    if report.when == "call":
        item.stash[_CALL] = report
    return report


@pytest.fixture(autouse=True)
def _opens_the_backend_it_names(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A test run with ``backend`` X that passes must have opened a ledger on X.

    Every ledger the test process opens is noted with the backend its event
    store really uses (:func:`tests.backends.opened_backend`), so a helper that
    quietly opens SQLite for "postgres" fails the test.
    """
    callspec = getattr(request.node, "callspec", None)
    backend = callspec.params.get("backend") if callspec else None
    if backend is None:
        yield
        return
    opened: set[str] = set()
    setup = Ledger._setup

    def noting(ledger: Ledger, *args: object, **kwargs: object) -> None:
        setup(ledger, *args, **kwargs)  # type: ignore[arg-type]
        opened.add(opened_backend(ledger))

    monkeypatch.setattr(Ledger, "_setup", noting)
    yield
    call = request.node.stash.get(_CALL, None)
    if call is not None and call.passed:
        assert backend in opened, (
            f"{request.node.nodeid} names backend {backend!r} but opened only "
            f"{sorted(opened) or 'no ledger'} in this process"
        )


@pytest.fixture
def ledger_target(backend: str, tmp_path: Path) -> str | None:
    """Where a fresh ledger of ``backend`` lives (None: in memory)."""
    return fresh_target(backend, tmp_path)


@pytest.fixture
def open_ledger(ledger_target: str | None) -> Iterator[OpenLedger]:
    """Open (or reopen) the test's ledger; all are closed at the end."""
    opened: list[Ledger] = []
    memory: list[Ledger] = []

    def opener() -> Ledger:
        if ledger_target is None:
            # An in-memory ledger cannot be reopened: hand back the same one.
            if not memory:
                memory.append(Ledger())
            return memory[0]
        ledger = Ledger.open(ledger_target)
        opened.append(ledger)
        return ledger

    yield opener
    for ledger in opened + memory:
        ledger.close()


@pytest.fixture
def ledger(open_ledger: OpenLedger) -> Ledger:
    """A fresh, empty ledger on each backend."""
    return open_ledger()


@pytest.fixture(params=STORES)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh ledger's --db on each persistent store, made before the test runs.

    So a missing PostgreSQL server in CI is an error even for an xfail test.
    """
    return store_target(request.param, tmp_path)
