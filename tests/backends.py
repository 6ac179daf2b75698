"""The storage backends the tests run on: fresh ledgers on each, and proof of use.

One place for what every backend-parametrised test needs: where a fresh ledger
of a backend lives (:func:`fresh_target`), a fresh ledger for one Hypothesis
example (:func:`fresh_ledger`), the rule for a missing PostgreSQL server
(:func:`require_postgres`: a failure under CI, else a skip), and which backend a
ledger really opened (:func:`opened_backend`), which ``conftest`` checks after
every test that names one.
"""

from __future__ import annotations

import os
import tempfile
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.policy import BeliefPolicy

POSTGRES_URL = os.environ.get("LEDGER_TEST_POSTGRES_URL")
BACKENDS = ("memory", "sqlite", "postgres")


def require_postgres() -> str:
    """The test server's URL; without one, fail under CI and skip elsewhere."""
    if POSTGRES_URL:
        return POSTGRES_URL
    if os.environ.get("CI"):
        pytest.fail(
            "LEDGER_TEST_POSTGRES_URL is not set in CI: PostgreSQL must be tested"
        )
    pytest.skip("no PostgreSQL server configured (set LEDGER_TEST_POSTGRES_URL)")


def fresh_postgres_schema(url: str) -> str:
    """A URL naming a new, empty schema, so tests never see each other's data."""
    schema = "t_" + uuid.uuid4().hex[:12]
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}schema={schema}"


def drop_schema(target: str) -> None:
    """Drop the schema a URL from :func:`fresh_postgres_schema` names."""
    # Imported here: psycopg is only needed where PostgreSQL is configured.
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(target)
    schema = urllib.parse.parse_qs(parts.query)["schema"][-1]
    server = urllib.parse.urlunsplit(parts._replace(query=""))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


def fresh_target(backend: str, folder: Path) -> str | None:
    """Where a fresh ledger of ``backend`` lives (None: in memory).

    A SQLite file in ``folder``, or a new schema on the test server.
    """
    if backend == "memory":
        return None
    if backend == "sqlite":
        return str(folder / f"claims-{uuid.uuid4().hex[:8]}.db")
    if backend == "postgres":
        return fresh_postgres_schema(require_postgres())
    msg = f"unknown backend {backend!r} (expected one of {', '.join(BACKENDS)})"
    raise ValueError(msg)


@contextmanager
def fresh_ledger(backend: str, policy: BeliefPolicy | None = None) -> Iterator[Ledger]:
    """A new, empty ledger of ``backend`` (for one Hypothesis example), then gone.

    It is closed at the end, and its SQLite file or PostgreSQL schema removed.
    """
    with tempfile.TemporaryDirectory() as folder:
        target = fresh_target(backend, Path(folder))
        if target is None:
            with Ledger(policy=policy) as ledger:
                yield ledger
            return
        try:
            with Ledger.open(target, policy=policy) as ledger:
                assert opened_backend(ledger) == backend
                yield ledger
        finally:
            if backend == "postgres":
                drop_schema(target)


def opened_backend(ledger: Ledger) -> str:
    """The backend ``ledger`` really opened, from its event store's driver."""
    driver = type(ledger._app.recorder).__module__
    if driver == "eventsourcing.postgres":
        return "postgres"
    assert driver == "eventsourcing.sqlite", driver
    return "memory" if ledger.target.kind == "memory" else "sqlite"
