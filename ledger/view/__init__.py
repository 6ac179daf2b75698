"""The belief view: the one read side of every ledger, and its one write path.

Every ledger, in memory or not, keeps next to its events tables that fold them:
every report (with its strike, if any), every proposition (its version, its
question, the default policy's fold at its last report) and every
proposition's status periods over knowledge time. A :class:`BeliefView` runs
the same logic on every store; a small backend (:mod:`._sqlite`,
:mod:`._postgres`) gives it connections, transactions and SQL.

Writes go through :meth:`BeliefView.writing`: one transaction that holds the
store's write lock, first applies any events other processes saved since the
view's position, then saves this process's events, their view rows and the new
position together. So the view is exactly the fold of the events, and a process
killed at any point leaves both as they were before its transaction.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import hashlib
import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

import attrs

from ledger import _codec, projections
from ledger.errors import ConflictingReport, LedgerError, UnknownReport
from ledger.events import Proposition, Source, archive_id, proposition_id
from ledger.policy import BeliefPolicy, LatestDecisiveWord, canonical_order
from ledger.values import Entry, Kind, Report, Status, Strike
from ledger.view._sql import SCHEMA_VERSION, Statements

__all__ = [
    "Batch",
    "BeliefView",
    "Store",
    "from_micros",
    "micros",
    "postgres_store",
    "sqlite_store",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FOREVER = 2**62
"""The stop of a period that has not ended (microseconds since the epoch)."""

_KIND_CODE = {Kind.CLAIMED: 0, Kind.DISPUTED: 1, Kind.CONFIRMED: 2, Kind.REFUTED: 3}
_STATUS_CODE = {
    Status.UNKNOWN: 0,
    Status.CLAIMED: 1,
    Status.DISPUTED: 2,
    Status.CONFIRMED: 3,
    Status.REFUTED: 4,
}
_STATUS_OF = {code: status for status, code in _STATUS_CODE.items()}
_LAST_KIND = max(_KIND_CODE.values())
_CONFIRMED_BIT, _REFUTED_BIT = 1, 2
_T = TypeVar("_T")
_LOOKUP = 500  # ids per IN-list lookup
# Events of a proposition up to which a refold reads all its reports again (one
# index range) instead of those from the instant it refolds from, and the fold
# before that instant (up to two more lookups where the old fold cannot say).
_WHOLE_REFOLD = 16

TOPIC_FIRST = Proposition.FirstReported.TOPIC
TOPIC_REPORTED = Proposition.Reported.TOPIC
TOPIC_STRUCK = Proposition.Struck.TOPIC
TOPIC_ARCHIVED = Source.Archived.TOPIC


def micros(instant: datetime) -> int:
    """Microseconds since the epoch for an aware datetime (exact)."""
    delta = instant - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> datetime:
    """The UTC datetime ``value`` microseconds after the epoch."""
    return _EPOCH + timedelta(microseconds=value)


_SHORT = 200  # characters: far below any store's limit on an index entry


def text_id(text: str) -> str:
    """The text under which the view indexes a key or report id.

    Short text is indexed as it is (so ids given in order insert in order);
    long text, and text that starts with ``#``, as ``#`` and a 128-bit hash
    (hex), so no index entry is ever too long and the two cannot collide.
    """
    if len(text) <= _SHORT and not text.startswith("#"):
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return "#" + digest[:32]


def sqlite_store(database: str, *, uri: bool) -> Store:
    """The view's backend on the SQLite database ``database`` (a URI if ``uri``)."""
    from ledger.view._sqlite import SQLiteStore

    return SQLiteStore(database, uri=uri)


def postgres_store(datastore: Any, recorder: Any) -> Store:
    """The view's backend in eventsourcing's PostgreSQL datastore and recorder."""
    # Imported here: PostgreSQL support (psycopg) is an optional extra.
    from ledger.view._postgres import PostgresStore

    return PostgresStore(datastore, recorder)


class Store(Protocol):
    """What a backend gives the view: transactions, statements, event inserts."""

    statements: Statements
    name: str

    def reading(self) -> contextlib.AbstractContextManager[Any]:
        """A cursor in a read-only transaction."""

    def streaming(self) -> contextlib.AbstractContextManager[Any]:
        """A cursor for one long result, fetched a chunk at a time."""

    def writing(self) -> contextlib.AbstractContextManager[Any]:
        """A cursor in a transaction holding the store's write lock (commits)."""

    def insert_events(
        self, cursor: Any, rows: Sequence[tuple[Any, ...]]
    ) -> Sequence[int]:
        """Insert ``(originator_id, version, topic, state)`` rows; their ids.

        The notification ids, one per row, in the rows' order.
        """

    def list_param(self, values: Sequence[str]) -> Any:
        """A list of strings as the dialect's list parameter."""

    def tuples(
        self, cursor: Any, statement: str, parameters: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        """Every row of ``statement`` as a plain tuple (no row objects to build)."""

    def pairs_param(self, pairs: Sequence[tuple[str, int]]) -> tuple[Any, ...]:
        """``(kid, since)`` pairs as the parameters of the statements' pair table."""

    def many(self, cursor: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run an insert ``statement`` for every row, in few round trips."""

    def blob(self, value: Any) -> bytes:
        """A stored blob as bytes."""

    def close(self) -> None:
        """Release the backend's own connection, if it has one."""


@attrs.define
class _Fold:
    """The default policy's fold of one proposition, and its last period.

    Instants are microseconds since the epoch: ``first_known`` is the earliest
    report's, ``decisive_at`` the latest decisive report's (``kinds`` the bits
    of the decisive kinds reported then), ``disputed_at`` the earliest
    dispute's; None when there is no such report.
    """

    version: int
    question: str | None
    last_known: int  # -1: no report yet
    first_known: int | None
    decisive_at: int | None
    kinds: int
    disputed_at: int | None
    status: int
    period_start: int

    @classmethod
    def empty(cls) -> _Fold:
        return cls(0, None, -1, None, None, 0, None, status=0, period_start=0)

    def status_now(self) -> int:
        if self.kinds == _CONFIRMED_BIT | _REFUTED_BIT:
            return _STATUS_CODE[Status.DISPUTED]
        if self.kinds == _CONFIRMED_BIT:
            return _STATUS_CODE[Status.CONFIRMED]
        if self.kinds == _REFUTED_BIT:
            return _STATUS_CODE[Status.REFUTED]
        if self.disputed_at is not None:
            return _STATUS_CODE[Status.DISPUTED]
        return _STATUS_CODE[Status.CLAIMED]

    def add(self, known: int, kind: int) -> None:
        """Fold one report (reports arrive in known order)."""
        if self.first_known is None or known < self.first_known:
            self.first_known = known
        if kind >= 2:
            bit = _CONFIRMED_BIT if kind == 2 else _REFUTED_BIT
            if self.decisive_at is None or known > self.decisive_at:
                self.decisive_at, self.kinds = known, bit
            else:
                self.kinds |= bit
        elif kind == 1 and (self.disputed_at is None or known < self.disputed_at):
            self.disputed_at = known
        self.last_known = max(self.last_known, known)

    def claimed_from(self, known: int) -> int:
        """Fold claims made from ``known``, before the first report; the old first.

        Until the first report only these claims were known, so the status is
        claimed from ``known`` until then, and as it was after. The last period
        starts at ``known`` instead if it was the first and of that status.
        """
        first = self.first_known
        assert first is not None
        assert known < first
        if self.period_start == first and self.status == _STATUS_CODE[Status.CLAIMED]:
            self.period_start = known
        self.first_known = known
        return first

    def changes_nothing(self, known: int, kind: int) -> bool:
        """Whether a report at ``known`` leaves the status at every instant as is.

        A claim made no earlier than the first report, a dispute no earlier
        than the first dispute, or a decisive word of a kind already reported
        at the latest decisive instant: the status after each instant depends
        only on whether a dispute and which decisive words were known by then.
        """
        if kind == 0:
            return self.first_known is not None and known >= self.first_known
        if kind == 1:
            return self.disputed_at is not None and known >= self.disputed_at
        bit = _CONFIRMED_BIT if kind == 2 else _REFUTED_BIT
        return known == self.decisive_at and bool(self.kinds & bit)


@attrs.define
class _Periods:
    """The periods one fold adds: ``(start, status)`` rows, in order."""

    rows: list[tuple[int, int]] = attrs.Factory(list)

    def stored(self, kid: str, key: str) -> list[tuple[str, str, int, int, int]]:
        """The rows as stored: each period stops where the next starts."""
        starts = [start for start, _ in self.rows]
        return [
            (
                kid,
                key,
                start,
                starts[i + 1] if i + 1 < len(starts) else FOREVER,
                status,
            )
            for i, (start, status) in enumerate(self.rows)
        ]


class BeliefView:
    """The one view of a ledger's events; reads and the write path share it."""

    def __init__(self, store: Store, policy: BeliefPolicy) -> None:
        self.store = store
        self.policy = policy
        self.sql = store.statements
        # The default policy's periods are kept by an incremental fold; any
        # other policy's are recomputed from a proposition's reports.
        self._incremental = type(policy) is LatestDecisiveWord
        self._folds: OrderedDict[str, _Fold] = OrderedDict()
        self._writing = False

    # -- set-up ----------------------------------------------------------------

    def open(self) -> int:
        """Create or migrate the tables, then catch up; return events applied."""
        with self.store.writing() as cursor:
            cursor.execute(self.sql.create[0])
            state = self._state(cursor)
            if state.get("schema") != SCHEMA_VERSION:
                # An older (or newer) view is a cache of the events: rebuild it.
                for statement in self.sql.drop:
                    cursor.execute(statement)
                state = {}
            for statement in self.sql.create[1:]:
                cursor.execute(statement)
            if not state:
                self._put(cursor, schema=SCHEMA_VERSION, position=0)
            if state.get("policy", _policy_name(self.policy)) != _policy_name(
                self.policy
            ):
                self._recompute_all(cursor)
            self._put(cursor, policy=_policy_name(self.policy))
        return self.catch_up(batch_size=1000)

    def _state(self, cursor: Any) -> dict[str, str]:
        cursor.execute(self.sql.get_state)
        return {row["name"]: row["value"] for row in cursor.fetchall()}

    def _put(self, cursor: Any, **values: object) -> None:
        cursor.executemany(
            self.sql.put_state, [(name, str(value)) for name, value in values.items()]
        )

    def reset(self) -> None:
        """Empty the view, so the next catch-up rebuilds it from the events."""
        with self.store.writing() as cursor:
            for statement in self.sql.drop:
                cursor.execute(statement)
            for statement in self.sql.create[1:]:
                cursor.execute(statement)
            self._put(cursor, schema=SCHEMA_VERSION, position=0)
        self._folds.clear()

    def position(self) -> int:
        """The id of the last event notification folded into the view."""
        with self.store.reading() as cursor:
            return int(self._state(cursor).get("position", 0))

    # -- the write path --------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, *, now: datetime | None = None) -> Iterator[_Writer]:
        """A write session: one transaction, caught up, one system time."""
        if self._writing:
            msg = "a ledger cannot start a write while it is writing"
            raise LedgerError(msg)
        with self.store.writing() as cursor:
            # Folds cached by an earlier transaction may be stale: other
            # processes may have written since.
            self._folds.clear()
            self._writing = True
            try:
                writer = _Writer(self, cursor, self._state(cursor))
                writer.catch_up()
                writer.stamp(now or datetime.now(UTC))
                yield writer
                writer.finish()
            except BaseException:
                self._folds.clear()  # the transaction is rolled back
                raise
            finally:
                self._writing = False

    def catch_up(
        self, *, batch_size: int = 5000, after_batch: Callable[[], None] | None = None
    ) -> int:
        """Fold every event saved since the view's position; return how many.

        ``after_batch`` is called after each batch's transaction commits.
        """
        applied = 0
        while True:
            with self.store.writing() as cursor:
                self._folds.clear()
                writer = _Writer(self, cursor, self._state(cursor))
                count = writer.catch_up(limit=batch_size)
                writer.finish()
            applied += count
            if after_batch is not None:
                after_batch()
            if count < batch_size:
                return applied

    def pending(self) -> bool:
        """Whether events were saved that the view has not folded yet.

        False during this view's own write: that write caught up when it began
        (and a read made while it runs must not start another transaction).
        """
        if self._writing:
            return False
        with self.store.reading() as cursor:
            cursor.execute(self.sql.pending)  # one round trip
            row = cursor.fetchone()
        return (row["id"] or 0) > int(row["position"] or 0)

    def _recompute_all(self, cursor: Any) -> None:
        cursor.execute(self.sql.keys)
        keys = [row["proposition"] for row in cursor.fetchall()]
        for key in keys:
            self._refold(cursor, text_id(key), key, None, since=-FOREVER)
        self._folds.clear()

    # -- folds -------------------------------------------------------------------

    def _fold_of(self, cursor: Any, kids: Iterable[str]) -> dict[str, _Fold]:
        found: dict[str, _Fold] = {}
        missing = []
        for kid in kids:
            fold = self._folds.get(kid)
            if fold is None:
                missing.append(kid)
            else:
                found[kid] = fold
        for chunk in _chunks(missing, _LOOKUP):
            rows = self.store.tuples(
                cursor, self.sql.propositions_by_kid, (self.store.list_param(chunk),)
            )
            for kid, *columns in rows:  # in the order of _Fold's fields
                found[kid] = _Fold(*columns)
        return found

    def _remember(self, kid: str, fold: _Fold) -> None:
        self._folds[kid] = fold
        self._folds.move_to_end(kid)
        if len(self._folds) > 20_000:
            self._folds.popitem(last=False)

    def _refold(
        self, cursor: Any, kid: str, key: str, fold: _Fold | None, *, since: int
    ) -> _Fold:
        """Fold ``key``'s reports again from the instant ``since``; write periods."""
        fold = fold or self._fold_of(cursor, [kid]).get(kid) or _Fold.empty()
        if not self._incremental:
            return self._refold_policy(cursor, kid, key, fold)
        return self._refold_many(cursor, [(kid, key, fold, since)])[kid]

    def _refold_many(
        self, cursor: Any, items: Sequence[tuple[str, str, _Fold, int]]
    ) -> dict[str, _Fold]:
        """Refold each ``(kid, key, fold, since)`` from ``since``; the new folds.

        ``fold`` is the proposition's fold before the change (with its new
        version, and a ``last_known`` at or after every report, new ones
        included). A proposition of a few events is refolded from its first
        report. For the others only the reports from ``since`` on are read:
        the fold before ``since`` is the old one's where its instants are
        earlier, and else read back from the reports and periods stored before
        it. All the propositions go together: a few queries per chunk of them,
        not per proposition.
        """
        folds: dict[str, _Fold] = {}
        previous: dict[str, tuple[int, int]] = {}
        rows: dict[str, list[tuple[int, int]]] = {}
        starts: dict[str, int] = {}
        for chunk in _chunks(items, _LOOKUP):
            decisive, period = [], []
            for kid, _, fold, since in chunk:
                restart = folds[kid] = _Fold.empty()
                restart.version, restart.question = fold.version, fold.question
                rows[kid] = []
                if fold.version <= _WHOLE_REFOLD:
                    since = -FOREVER
                starts[kid] = since
                if since == -FOREVER:
                    continue
                # What the reports before ``since`` (unchanged) made of the fold.
                if fold.first_known is not None and fold.first_known < since:
                    restart.first_known = fold.first_known
                if fold.disputed_at is not None and fold.disputed_at < since:
                    restart.disputed_at = fold.disputed_at
                # No decisive word (none at all, or none from ``since``): the
                # latest before it is the fold's. Likewise the last period.
                if fold.decisive_at is None or fold.decisive_at < since:
                    restart.decisive_at, restart.kinds = fold.decisive_at, fold.kinds
                else:
                    decisive.append((kid, since))
                if fold.status and fold.period_start < since:
                    previous[kid] = (fold.period_start, fold.status)
                elif fold.status:
                    period.append((kid, since))
            tuples = self.store.tuples
            if decisive:
                pairs = self.store.pairs_param(decisive)
                for kid, known, kind in tuples(cursor, self.sql.decisive_before, pairs):
                    folds[kid].add(known, kind)
            if period:
                pairs = self.store.pairs_param(period)
                for kid, start, status in tuples(cursor, self.sql.period_before, pairs):
                    previous[kid] = (start, status)
            pairs = self.store.pairs_param([(kid, starts[kid]) for kid, *_ in chunk])
            for kid, known, kind in tuples(cursor, self.sql.fold_rows_from, pairs):
                rows[kid].append((known, kind))
        self.store.many(cursor, self.sql.delete_periods_from, list(starts.items()))
        stops = []
        added: list[tuple[str, str, int, int, int]] = []
        for kid, key, fold, _ in items:
            restart = folds[kid]
            before = previous.get(kid)
            if before is not None:
                restart.period_start, restart.status = before
            periods = _fold_rows(restart, sorted(rows[kid]))
            if before is not None:
                stop = periods.rows[0][0] if periods.rows else FOREVER
                stops.append((stop, kid, before[0]))
            added.extend(periods.stored(kid, key))
            # At or after every report (the rows read leave out those that
            # change no status): a later batch that adds reports at or before
            # it refolds or checks them, which is always right.
            restart.last_known = max(restart.last_known, starts[kid], fold.last_known)
        self.store.many(cursor, self.sql.set_period_stop, stops)
        if added:
            self.store.many(cursor, self.sql.insert_periods, added)
        return folds

    def _refold_policy(self, cursor: Any, kid: str, key: str, fold: _Fold) -> _Fold:
        """Recompute every period of one proposition under a custom policy."""
        cursor.execute(self.sql.states_of, (kid,))
        reports = [self._decode(row["state"]) for row in cursor.fetchall()]
        cursor.execute(self.sql.delete_periods_from, (kid, -FOREVER))
        periods = _Periods(
            [
                (micros(start), _STATUS_CODE[status])
                for start, status in projections.periods(reports, self.policy)
            ]
        )
        if periods.rows:
            rows = periods.stored(kid, key)
            self.store.many(cursor, self.sql.insert_periods, rows)
            fold.period_start, fold.status = periods.rows[-1]
        else:
            fold.period_start, fold.status = 0, 0
        fold.last_known = max((micros(r.known_from) for r in reports), default=-1)
        return fold

    # -- reads -------------------------------------------------------------------

    def _decode(self, state: Any) -> Report:
        """The report in a stored event's state."""
        return _codec.stored_report_from_event(self.store.blob(state))

    def held(self, report_ids: Iterable[str]) -> dict[str, tuple[Report, bool]]:
        """The held reports among ``report_ids``, each with whether it is struck."""
        with self.store.reading() as cursor:
            return _held(self, cursor, report_ids)

    def has_questions(self) -> bool:
        """Whether any report names the question its proposition answers."""
        with self.store.reading() as cursor:
            cursor.execute(self.sql.has_questions)
            return cursor.fetchone() is not None

    def keys(self) -> list[str]:
        """Every proposition key, sorted."""
        with self.store.reading() as cursor:
            cursor.execute(self.sql.keys)
            return sorted(row["proposition"] for row in cursor.fetchall())

    def entries(self, key: str) -> list[Entry]:
        """Every entry about ``key``, in canonical (reported) order."""
        with self.store.reading() as cursor:
            cursor.execute(self.sql.entries_of, (text_id(key),))
            rows = cursor.fetchall()
        return self._entries(rows)

    def _entries(self, rows: Iterable[Any]) -> list[Entry]:
        found = []
        for row in rows:
            report = self._decode(row["state"])
            strike = None
            if row["struck_at"] is not None:
                strike = Strike(
                    report_id=report.report_id,
                    reason=row["strike_reason"],
                    recorded_at=from_micros(row["struck_at"]),
                )
            found.append(
                Entry(
                    report=report,
                    recorded_at=from_micros(row["recorded_at"]),
                    strike=strike,
                )
            )
        by_id = {entry.report.report_id: entry for entry in found}
        return [by_id[r.report_id] for r in canonical_order([e.report for e in found])]

    def all_entries(
        self, *, known_by: datetime | None = None
    ) -> Iterator[tuple[str, list[Entry]]]:
        """Every proposition's entries, sorted by key; streamed one at a time.

        With ``known_by``, only entries known by then. Memory holds one
        proposition's entries at a time (the database streams the rest).
        """
        by_key = itertools.groupby(
            self.iter_entries(known_by=known_by), key=lambda e: e.report.proposition
        )
        for key, entries in by_key:
            yield key, list(entries)

    def iter_entries(self, *, known_by: datetime | None = None) -> Iterator[Entry]:
        """Every entry, by key and then in canonical order, one at a time.

        Memory holds the entries of one proposition known at one instant at a
        time (canonical order sorts those), however many a proposition has.
        """
        at = FOREVER if known_by is None else micros(known_by)
        with self.store.streaming() as cursor:
            cursor.execute(self.sql.known_reports, (at,))
            group: tuple[str, int] | None = None
            rows: list[Any] = []
            while chunk := cursor.fetchmany(2000):
                for row in chunk:
                    here = (row["proposition"], row["known_from"])
                    if here != group:
                        yield from self._entries(rows)
                        group, rows = here, []
                    rows.append(row)
            yield from self._entries(rows)

    def statuses(self, cutoff: datetime) -> dict[str, Status]:
        """Each proposition's status at the instant ``cutoff``, by key (one scan)."""
        at = micros(cutoff)
        with self.store.reading() as cursor:
            rows = self.store.tuples(cursor, self.sql.statuses_at, (at, at))
        # By code point, as Python sorts text. (SQLite gives the rows in the
        # order of the periods' keys, which is that order but for long keys:
        # sorting finds the sorted runs in one pass.)
        rows.sort()
        status_of = _STATUS_OF
        return {key: status_of[status] for key, status in rows}

    def periods(self, key: str) -> list[tuple[int, int, Status]]:
        """The stored (start, stop, status) periods of ``key``, in microseconds."""
        with self.store.reading() as cursor:
            cursor.execute(self.sql.periods_of, (text_id(key),))
            rows = cursor.fetchall()
        return [(row["start"], row["stop"], _STATUS_OF[row["status"]]) for row in rows]

    def last_recorded(self) -> datetime | None:
        """The latest system time of any event in the view."""
        with self.store.reading() as cursor:
            recorded = self._state(cursor).get("recorded")
        return None if recorded is None else from_micros(int(recorded))

    def archives(self) -> list[tuple[str, str, str, str, bytes]]:
        """Every archive as ``(url, sha256, media_type, retrieved_at, content)``."""
        with self.store.reading() as cursor:
            cursor.execute(self.sql.archives)
            rows = cursor.fetchall()
        return [
            (
                row["url"],
                row["sha256"],
                row["media_type"],
                row["retrieved_at"],
                self.store.blob(row["content"]),
            )
            for row in rows
        ]

    def count(self) -> int:
        """How many reports the view holds."""
        with self.store.reading() as cursor:
            cursor.execute(self.sql.count_reports)
            return int(cursor.fetchone()["n"])


def _held(
    view: BeliefView,
    cursor: Any,
    report_ids: Iterable[str],
    rids: dict[str, str] | None = None,
) -> dict[str, tuple[Report, bool]]:
    if rids is None:
        rids = {report_id: text_id(report_id) for report_id in report_ids}
    found: dict[str, tuple[Report, bool]] = {}
    for chunk in _chunks(sorted(rids.values()), _LOOKUP):
        rows = view.store.tuples(
            cursor, view.sql.reports_by_rid, (view.store.list_param(chunk),)
        )
        for struck_at, state in rows:
            report = view._decode(state)
            found[report.report_id] = (report, struck_at is not None)
    return found


def _claims_first(fold: _Fold, changing: Sequence[tuple[int, int]]) -> bool:
    """Whether the reports that change ``fold``'s periods are all claims.

    Each is then a claim earlier than the first report (the only claims that
    change anything), and the periods change only before that report.
    """
    return fold.first_known is not None and all(kind == 0 for _, kind in changing)


def _fold_rows(fold: _Fold, rows: Sequence[tuple[int, int]]) -> _Periods:
    """Fold ``(known_from, kind)`` rows (in known order) into ``fold``.

    Returns the periods that start: one at each instant after which the status
    differs from the one before.
    """
    periods = _Periods()
    count = len(rows)
    for index, (known, kind) in enumerate(rows):
        fold.add(known, kind)
        if index + 1 < count and rows[index + 1][0] == known:
            continue  # the status after an instant counts, not within it
        status = fold.status_now()
        if status != fold.status:
            periods.rows.append((known, status))
            fold.status, fold.period_start = status, known
    return periods


@attrs.frozen
class Batch:
    """Reports made ready to record, before any write transaction begins.

    What a write needs of each report and does not depend on the store: its
    id's and proposition's lookup keys, its event's originator, its JSON, its
    instant and kind, in canonical order. :meth:`Batch.of` does this work
    outside the write lock, so concurrent writers do it in parallel.
    """

    reports: tuple[Report, ...]
    rids: dict[str, str]
    kids: dict[str, str]
    originators: dict[str, Any]
    bodies: tuple[bytes, ...]
    known: tuple[int, ...]
    kinds: tuple[int, ...]

    @classmethod
    def of(cls, reports: Iterable[Report]) -> Batch:
        """The batch of ``reports``; a report repeated is kept once.

        Raises ConflictingReport if two reports share an id but differ.
        """
        distinct: dict[str, Report] = {}
        for report in reports:
            known = distinct.get(report.report_id)
            if known is not None and known != report:
                _conflict(known, report)
            distinct[report.report_id] = report
        ordered = tuple(canonical_order(list(distinct.values())))
        kids = {report.proposition: text_id(report.proposition) for report in ordered}
        return cls(
            reports=ordered,
            rids={report_id: text_id(report_id) for report_id in distinct},
            kids=kids,
            originators={key: proposition_id(key) for key in kids},
            bodies=tuple(_codec.report_to_json(report) for report in ordered),
            known=tuple(micros(report.known_from) for report in ordered),
            kinds=tuple(_KIND_CODE[report.kind] for report in ordered),
        )


class _Writer:
    """One write transaction of a :class:`BeliefView` (see :meth:`writing`)."""

    def __init__(self, view: BeliefView, cursor: Any, state: dict[str, str]) -> None:
        self.view = view
        self.cursor = cursor
        self._state = state
        self.position = int(state.get("position", 0))
        recorded = state.get("recorded")
        # The latest system time of any event folded (microseconds), kept in the
        # view's state so a write need not scan for it.
        self.recorded = -1 if recorded is None else int(recorded)
        self.timestamp = _EPOCH

    def stamp(self, now: datetime) -> None:
        """Choose the session's system time: after every one already recorded."""
        if micros(now) <= self.recorded:
            now = from_micros(self.recorded + 1)
        self.timestamp = now

    def finish(self) -> None:
        """Move the view's position to the last event saved or folded."""
        changed: dict[str, object] = {}
        if str(self.position) != self._state.get("position"):
            changed["position"] = self.position
        if self.recorded >= 0 and str(self.recorded) != self._state.get("recorded"):
            changed["recorded"] = self.recorded
        if changed:
            self.view._put(self.cursor, **changed)

    # -- catching up -------------------------------------------------------------

    def catch_up(self, *, limit: int | None = None) -> int:
        """Fold events saved by others since the position; return how many."""
        sql = self.view.sql
        applied = 0
        while limit is None or applied < limit:
            size = 5000 if limit is None else min(5000, limit - applied)
            self.cursor.execute(sql.notifications_after, (self.position, size))
            rows = self.cursor.fetchall()
            if not rows:
                break
            reports: list[tuple[_codec.ReportFacts, int, int]] = []
            for row in rows:
                state = _codec.loads(self.view.store.blob(row["state"]))
                recorded = micros(datetime.fromisoformat(state["timestamp"]["_data_"]))
                self.recorded = max(self.recorded, recorded)
                if row["topic"] == TOPIC_STRUCK:
                    self._apply_reports(reports)
                    reports = []
                    found = _held(self.view, self.cursor, [state["report_id"]])
                    self._apply_strike(
                        found[state["report_id"]][0], state["reason"], recorded
                    )
                elif row["topic"] == TOPIC_ARCHIVED:
                    self._apply_reports(reports)
                    reports = []
                    self._insert_archive(
                        _archive_key(state["url"], state["sha256"]),
                        state["url"],
                        state["sha256"],
                        state["media_type"],
                        state["retrieved_at"],
                        base64.b64decode(state["content"]),
                        recorded,
                    )
                elif row["topic"] in (TOPIC_FIRST, TOPIC_REPORTED):
                    facts = _codec.stored_report_facts(state["report"]["_data_"])
                    reports.append((facts, recorded, row["id"]))
                self.position = row["id"]
            self._apply_reports(reports)
            applied += len(rows)
            if len(rows) < size:
                break
        return applied

    # -- recording ---------------------------------------------------------------

    def record(self, reports: Sequence[Report] | Batch) -> int:
        """Save the new reports among ``reports`` (events and view); count them.

        A report already held is skipped; one reusing a held report's id (or
        another's in the batch) for different content raises ConflictingReport,
        and so does a question that differs from its proposition's.
        """
        batch = reports if isinstance(reports, Batch) else Batch.of(reports)
        held = _held(self.view, self.cursor, batch.rids, batch.rids)
        new = []
        for index, report in enumerate(batch.reports):
            known = held.get(report.report_id, (None, False))[0]
            if known is None:
                new.append(index)
            elif known != report:
                _conflict(known, report)
        if not new:
            return 0
        kids = batch.kids
        reports = [batch.reports[index] for index in new]
        keys = {report.proposition for report in reports}
        folds = self.view._fold_of(self.cursor, {kids[key] for key in keys})
        _check_questions(reports, {key: folds.get(kids[key]) for key in keys})
        stamp = micros(self.timestamp)
        when = self.timestamp.isoformat()
        events = []
        versions: dict[str, int] = {}
        for index, report in zip(new, reports, strict=True):
            key = report.proposition
            version = versions.get(key)
            if version is None:
                fold = folds.get(kids[key])
                version = 0 if fold is None else fold.version
            version += 1
            versions[key] = version
            events.append(
                (
                    batch.originators[key],
                    version,
                    TOPIC_FIRST if version == 1 else TOPIC_REPORTED,
                    _codec.reported_state(
                        batch.bodies[index], when, key=key if version == 1 else None
                    ),
                )
            )
        ids = self.view.store.insert_events(self.cursor, events)
        self.position = ids[-1]
        rows = [
            (
                report.proposition,
                report.question,
                batch.rids[report.report_id],
                batch.known[index],
                batch.kinds[index],
                stamp,
                event_id,
            )
            for index, report, event_id in zip(new, reports, ids, strict=True)
        ]
        self._insert(rows, folds, kids, versions)
        self.recorded = max(self.recorded, stamp)
        return len(new)

    def strike(self, report_id: str, reason: str) -> bool:
        """Save a strike of the held report ``report_id``; False if already struck."""
        held = _held(self.view, self.cursor, [report_id]).get(report_id)
        if held is None:
            msg = f"no report with report_id {report_id!r} has been recorded"
            raise UnknownReport(msg)
        report, struck = held
        if struck:
            return False
        key = report.proposition
        kid = text_id(key)
        fold = self.view._fold_of(self.cursor, [kid])[kid]
        fold.version += 1
        event = (
            proposition_id(key),
            fold.version,
            TOPIC_STRUCK,
            _codec.struck_state(report_id, reason, self.timestamp),
        )
        self.position = self.view.store.insert_events(self.cursor, [event])[-1]
        self._apply_strike(report, reason, micros(self.timestamp), fold=fold)
        self.recorded = max(self.recorded, micros(self.timestamp))
        return True

    def archive(
        self, url: str, media_type: str, retrieved_at: datetime, content: bytes
    ) -> bool:
        """Save an archived copy of ``url``; False if this content is held already."""
        sha256 = hashlib.sha256(content).hexdigest()
        aid = _archive_key(url, sha256)
        self.cursor.execute(self.view.sql.archive_by_aid, (aid,))
        if self.cursor.fetchone() is not None:
            return False
        state = _codec.archived_state(
            url, sha256, media_type, retrieved_at, content, self.timestamp
        )
        event = (archive_id(url, sha256), 1, TOPIC_ARCHIVED, state)
        self.position = self.view.store.insert_events(self.cursor, [event])[-1]
        stamp = micros(self.timestamp)
        self._insert_archive(
            aid, url, sha256, media_type, retrieved_at.isoformat(), content, stamp
        )
        self.recorded = max(self.recorded, stamp)
        return True

    def _insert_archive(
        self,
        aid: str,
        url: str,
        sha256: str,
        media_type: str,
        retrieved_at: str,
        content: bytes,
        recorded: int,
    ) -> None:
        self.cursor.execute(
            self.view.sql.insert_archive,
            (
                aid,
                url,
                sha256,
                media_type,
                retrieved_at,
                recorded,
                content,
            ),
        )

    # -- view rows -----------------------------------------------------------------

    def _apply_reports(
        self, reports: Sequence[tuple[_codec.ReportFacts, int, int]]
    ) -> None:
        """Fold reports saved by another process: (facts, recorded, event id)."""
        if not reports:
            return
        kids = {fact.proposition: text_id(fact.proposition) for fact, _, _ in reports}
        folds = self.view._fold_of(self.cursor, kids.values())
        versions: dict[str, int] = {}
        rows = []
        for facts, recorded, event_id in reports:
            key = facts.proposition
            fold = folds.get(kids[key])
            versions[key] = versions.get(key, 0 if fold is None else fold.version) + 1
            rows.append(
                (
                    key,
                    facts.question,
                    text_id(facts.report_id),
                    micros(facts.known_from),
                    _KIND_CODE[facts.kind],
                    recorded,
                    event_id,
                )
            )
        self._insert(rows, folds, kids, versions)

    def _insert(
        self,
        rows: Sequence[tuple[str, str | None, str, int, int, int, int]],
        folds: dict[str, _Fold],
        kids: dict[str, str],
        versions: dict[str, int],
    ) -> None:
        view = self.view
        cursor = self.cursor
        inserts = []
        by_key: dict[str, list[tuple[int, int]]] = {}
        questions: dict[str, str] = {}
        for key, question, rid, known, kind, recorded, event_id in rows:
            inserts.append((rid, kids[key], known, kind, recorded, event_id))
            added = by_key.get(key)
            if added is None:
                added = by_key[key] = []
            added.append((known, kind))
            if question:
                questions.setdefault(key, question)
        view.store.many(cursor, view.sql.insert_reports, inserts)
        updates = []
        refolds: list[tuple[str, str, _Fold, int]] = []
        earlier: list[tuple[str, str, int, int]] = []
        stops: list[tuple[int, str, int]] = []
        period_rows: list[tuple[str, str, int, int, int]] = []
        for key, added in by_key.items():
            kid = kids[key]
            fold = folds.get(kid) or _Fold.empty()
            fold.version = versions[key]
            question = questions.get(key)
            fold.question = fold.question or question
            ordered = sorted(added)
            if view._incremental:
                # Reports at or before the last one known need a refold from
                # the first of them that changes a status, if one does.
                late = bisect.bisect_right(ordered, (fold.last_known, _LAST_KIND))
                changing = [
                    (known, kind)
                    for known, kind in ordered[:late]
                    if not fold.changes_nothing(known, kind)
                ]
                if changing and _claims_first(fold, changing):
                    earlier.append(
                        (kid, key, changing[0][0], fold.claimed_from(changing[0][0]))
                    )
                elif changing:
                    fold.last_known = max(fold.last_known, ordered[-1][0])
                    refolds.append((kid, key, fold, changing[0][0]))
                    continue
                existing = fold.period_start if fold.status else None
                periods = _fold_rows(fold, ordered[late:])
                if periods.rows and existing is not None:
                    stops.append((periods.rows[0][0], kid, existing))
                period_rows.extend(periods.stored(kid, key))
            else:
                fold = view._refold_policy(cursor, kid, key, fold)
                fold.question = fold.question or question
            view._remember(kid, fold)
            updates.append(_proposition_row(kid, key, fold))
        if earlier:
            claimed = _STATUS_CODE[Status.CLAIMED]
            view.store.many(
                cursor,
                view.sql.move_claimed_start,
                [(since, kid, first, claimed) for kid, _, since, first in earlier],
            )
            view.store.many(
                cursor,
                view.sql.insert_new_period,
                [
                    (kid, key, since, first, claimed)
                    for kid, key, since, first in earlier
                ],
            )
        view.store.many(cursor, view.sql.set_period_stop, stops)
        if period_rows:
            view.store.many(cursor, view.sql.insert_periods, period_rows)
        folded = view._refold_many(cursor, refolds)
        for kid, key, _, _ in refolds:
            view._remember(kid, folded[kid])
            updates.append(_proposition_row(kid, key, folded[kid]))
        view.store.many(cursor, view.sql.upsert_propositions, updates)

    def _apply_strike(
        self, report: Report, reason: str, recorded: int, *, fold: _Fold | None = None
    ) -> None:
        """Mark the held ``report`` struck and refold its proposition from it."""
        view = self.view
        key = report.proposition
        kid = text_id(key)
        rid = text_id(report.report_id)
        self.cursor.execute(view.sql.strike, (recorded, reason, rid))
        if fold is None:
            fold = view._fold_of(self.cursor, [kid])[kid]
            fold.version += 1
        version = fold.version
        fold = view._refold(
            self.cursor, kid, key, fold, since=micros(report.known_from)
        )
        fold.version = version
        view._remember(kid, fold)
        self.cursor.executemany(
            view.sql.upsert_propositions, [_proposition_row(kid, key, fold)]
        )


def _archive_key(url: str, sha256: str) -> str:
    """The view's key of one archived copy: its url and content together."""
    return text_id(f"{url}\x00{sha256}")


def _proposition_row(kid: str, key: str, fold: _Fold) -> tuple[Any, ...]:
    return (
        kid,
        key,
        fold.version,
        fold.question,
        fold.last_known,
        fold.first_known,
        fold.decisive_at,
        fold.kinds,
        fold.disputed_at,
        fold.status,
        fold.period_start,
    )


def _conflict(known: Report, new: Report) -> None:
    msg = (
        f"report_id {new.report_id!r} is already used by a different report "
        f"({_codec.report_to_dict(known)}; new: {_codec.report_to_dict(new)})"
    )
    raise ConflictingReport(msg, field="report_id")


def _check_questions(reports: Sequence[Report], folds: dict[str, _Fold | None]) -> None:
    questions: dict[str, str] = {}
    for key, fold in folds.items():
        if fold is not None and fold.question is not None:
            questions[key] = fold.question
    for report in reports:
        if report.question is None:
            continue
        known = questions.setdefault(report.proposition, report.question)
        if known != report.question:
            msg = (
                f"proposition {report.proposition!r} answers the question "
                f"{known!r}; a report cannot make it answer {report.question!r}"
            )
            raise ConflictingReport(msg, field="question")


def _policy_name(policy: BeliefPolicy) -> str:
    """A stable name for a policy: its repr, unless that is the default one."""
    kind = type(policy)
    if kind.__repr__ is object.__repr__:  # "<... object at 0x...>" changes per run
        return f"{kind.__module__}.{kind.__qualname__}"
    return repr(policy)


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
