"""Where a ledger lives: one value for the target, one place that opens it.

:class:`Target` describes a ledger's store (in memory, a SQLite file, or a
PostgreSQL schema) with the eventsourcing settings it needs and a redacted form
for messages; :func:`open_store` opens the event store and the view's backend.
:func:`storage_errors` wraps every driver error once, where it crosses into the
ledger. ``Ledger``, the command line and the worker all use these.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import attrs
from eventsourcing.application import Application
from eventsourcing.persistence import PersistenceError, Transcoder
from eventsourcing.utils import Environment

from ledger._codec import EventTranscoder
from ledger.errors import StorageError
from ledger.view import BeliefView, Store, postgres_store, sqlite_store

__all__ = [
    "EventStore",
    "Target",
    "holds_ledger",
    "open_store",
    "open_view",
    "storage_errors",
]

Kind = Literal["memory", "sqlite", "postgres"]

_SETUP_LOCK = 0x1ED6E5  # advisory lock key for creating a ledger's tables
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_DRIVER_ERRORS: tuple[type[Exception], ...] = (PersistenceError, sqlite3.Error, OSError)
_psycopg: Any
try:  # PostgreSQL support is an optional extra
    import psycopg as _psycopg

    _DRIVER_ERRORS = (*_DRIVER_ERRORS, _psycopg.Error)
except ImportError:  # pragma: no cover - the extra is installed in tests
    _psycopg = None


def _is_url(text: str) -> bool:
    return text.startswith(("postgresql://", "postgres://"))


@attrs.frozen
class Target:
    """Where a ledger is kept: its kind, eventsourcing settings and a safe name.

    ``redacted`` never shows a password. Build one with :meth:`parse`.
    """

    kind: Kind
    settings: dict[str, str] = attrs.field(repr=False)
    redacted: str
    path: Path | None = None

    @classmethod
    def parse(cls, target: str | os.PathLike[str] | None) -> Target:
        """The target named by a path, a ``postgresql://`` URL, or None (memory).

        Raises StorageError, naming what is wrong, for a target that cannot
        keep a ledger.
        """
        if target is None:
            name = f"file:ledger-{uuid.uuid4().hex}?mode=memory&cache=shared"
            return cls(
                "memory",
                {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": name},
                "memory",
            )
        text = os.fspath(target)
        if _is_url(text):
            return _postgres(text)
        return _sqlite(text)

    @property
    def exists(self) -> bool:
        """Whether a ledger may already be kept there (always, for a server)."""
        if self.kind == "sqlite":
            assert self.path is not None
            return self.path.exists() and self.path.stat().st_size > 0
        return self.kind == "postgres"


def _refuse(text: str, why: str) -> StorageError:
    return StorageError(f"cannot open ledger {text!r}: {why}")


def _sqlite(text: str) -> Target:
    if not text or text == ":memory:" or text.startswith("file:"):
        what = "an empty name" if not text else repr(text)
        raise _refuse(
            text,
            f"{what} is not a file path (SQLite URIs and in-memory names cannot be "
            "used: a ledger there would not persist; use Ledger() for one in memory)",
        )
    path = Path(text)
    if not path.parent.is_dir():
        raise _refuse(text, f"no directory {str(path.parent)!r}")
    if path.is_dir():
        raise _refuse(text, "it is a directory, not a SQLite file")
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as file:
            header = file.read(16)
        if header != b"SQLite format 3\x00":
            raise _refuse(text, "it exists and is not a SQLite database")
    settings = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "30",
    }
    return Target("sqlite", settings, text, path)


def _redact(url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)
    if password is None:
        return url
    netloc = parts.netloc.replace(f":{password}@", ":***@")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _postgres(url: str) -> Target:
    shown = _redact(url)
    expected = "expected postgresql://user@host:port/dbname[?schema=name]"
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as error:
        raise _refuse(shown, f"{error} ({expected})") from None
    dbname = urllib.parse.unquote(parts.path.lstrip("/"))
    if not dbname or not host:
        raise _refuse(shown, expected)
    query = urllib.parse.parse_qs(parts.query)
    unknown = sorted(set(query) - {"schema"})
    if unknown:
        raise _refuse(shown, f"unknown URL parameter {unknown[0]!r} ({expected})")
    password = parts.password
    if password is None:
        password = os.environ.get(
            "LEDGER_POSTGRES_PASSWORD", os.environ.get("PGPASSWORD", "")
        )
    settings = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(port or 5432),
        "POSTGRES_USER": urllib.parse.unquote(
            parts.username or os.environ.get("PGUSER", "")
        ),
        "POSTGRES_PASSWORD": urllib.parse.unquote(password),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_LOCK_TIMEOUT": "60",
    }
    if "schema" in query:
        schema = query["schema"][-1]
        if not _SCHEMA_NAME.fullmatch(schema):
            raise _refuse(
                shown,
                f"schema {schema!r} is not a plain name (expected lower-case letters, "
                "digits and underscores, not starting with a digit, at most 63)",
            )
        settings["POSTGRES_SCHEMA"] = schema
    return Target("postgres", settings, shown)


@contextlib.contextmanager
def storage_errors(action: str, where: str) -> Iterator[None]:
    """Turn a driver's or eventsourcing's error into one StorageError.

    The message reads ``{action} {where}: {the driver's words}``.
    """
    try:
        yield
    except StorageError:
        raise
    except _DRIVER_ERRORS as error:
        msg = f"{action} {where}: {error}"
        raise StorageError(msg) from error


class EventStore(Application[UUID]):
    """The eventsourcing application behind a ledger, configured only by ``env``."""

    name = "ClaimsLedger"

    def construct_env(self, name: str, env: Any = None) -> Environment:
        """Only the settings the ledger passes: never stray ``os.environ`` keys."""
        return Environment(name, dict(env or {}))

    def construct_transcoder(self) -> Transcoder:
        """The ledger's one JSON transcoding (:mod:`ledger._codec`)."""
        return EventTranscoder()


@contextlib.contextmanager
def _setting_up(target: Target) -> Iterator[None]:
    """Hold PostgreSQL's set-up lock while tables are created (no-op elsewhere).

    Processes opening one ledger at once would otherwise run their CREATE ...
    IF NOT EXISTS statements concurrently, which PostgreSQL can refuse ("tuple
    concurrently updated"). The schema named in the URL is created here too.
    """
    if target.kind != "postgres":
        yield
        return
    if _psycopg is None:  # pragma: no cover - the extra is installed in tests
        msg = (
            "PostgreSQL needs the postgres extra: "
            "pip install 'ledger-of-claims[postgres]'"
        )
        raise StorageError(msg)
    from psycopg import sql

    connection = _connect(target)
    with connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (_SETUP_LOCK,))
        try:
            if "POSTGRES_SCHEMA" in target.settings:
                connection.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        sql.Identifier(target.settings["POSTGRES_SCHEMA"])
                    )
                )
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))


def _connect(target: Target) -> Any:
    """A psycopg connection (autocommit) to the server ``target`` names."""
    env = target.settings
    return _psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
        autocommit=True,
    )


def holds_ledger(target: Target) -> bool:
    """Whether ``target`` already holds a ledger (its events table), reading only.

    An in-memory target never does. Raises StorageError if it cannot be asked.
    """
    if target.kind == "memory":
        return False
    if target.kind == "sqlite":
        assert target.path is not None
        if not target.exists:
            return False
        uri = f"file:{urllib.parse.quote(str(target.path.resolve()))}?mode=ro"
        with storage_errors("cannot open ledger", repr(target.redacted)):
            connection = sqlite3.connect(uri, uri=True)
            try:
                found = connection.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                    " AND name = 'stored_events'"
                ).fetchone()
            finally:
                connection.close()
        return found is not None
    env = target.settings
    schema = env.get("POSTGRES_SCHEMA", "public")
    with storage_errors("cannot open ledger", repr(target.redacted)):
        connection = _connect(target)
        with connection:
            row = connection.execute(
                "SELECT to_regclass(%s) IS NOT NULL",
                (f'"{schema}".{EventStore.name.lower()}_events',),
            ).fetchone()
    return bool(row and row[0])


def open_store(target: Target) -> tuple[EventStore, Store]:
    """Open the event store at ``target`` and the view's backend beside it.

    Creates the events table if needed. Raises StorageError on failure.
    """
    where = repr(target.redacted)
    with storage_errors("cannot open ledger", where), _setting_up(target):
        app = EventStore(env=target.settings)
        store: Store
        if target.kind == "postgres":
            from eventsourcing.postgres import PostgresApplicationRecorder

            recorder = app.recorder
            assert isinstance(recorder, PostgresApplicationRecorder)
            store = postgres_store(recorder.datastore, recorder)
        else:
            name = target.settings["SQLITE_DBNAME"]
            store = sqlite_store(name, uri=target.kind == "memory")
    return app, store


def open_view(store: Store, policy: Any, target: Target) -> tuple[BeliefView, int]:
    """The belief view on ``store`` under ``policy``, opened and caught up."""
    where = repr(target.redacted)
    with storage_errors("cannot open ledger", where), _setting_up(target):
        view = BeliefView(store, policy)
        applied = view.open()
    return view, applied
