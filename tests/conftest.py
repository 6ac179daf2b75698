"""Shared fixtures: Hypothesis profiles and ledgers on every backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from ledger import Ledger

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

POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL")
BACKENDS = ["memory", "sqlite", "postgres"]

OpenLedger = Callable[[], Ledger]


def _postgres_skip() -> None:
    if POSTGRES_URL:
        return
    if os.environ.get("CI"):
        pytest.fail(
            "LEDGER_TEST_POSTGRES_URL is not set in CI: PostgreSQL must be tested"
        )
    pytest.skip("no PostgreSQL server configured (set LEDGER_TEST_POSTGRES_URL)")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of a storage backend: memory, sqlite or postgres."""
    name: str = request.param
    if name == "postgres":
        _postgres_skip()
    return name


@pytest.fixture
def ledger_target(backend: str, tmp_path: Path) -> str | None:
    """Where a fresh ledger of ``backend`` lives (None: in memory)."""
    if backend == "memory":
        return None
    if backend == "sqlite":
        return str(tmp_path / "claims.db")
    assert POSTGRES_URL is not None
    return fresh_postgres_schema(POSTGRES_URL)


def fresh_postgres_schema(url: str) -> str:
    """A URL naming a new, empty schema, so tests never see each other's data."""
    schema = "t_" + uuid.uuid4().hex[:12]
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}schema={schema}"


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
