"""Where a SQLite import's time goes: each kind of statement, the reader, the rest.

Usage: ``python benchmarks/import_breakdown.py FILE.jsonl [--db PATH]``. Imports
FILE into a fresh SQLite ledger, as ``ledger import`` does, with a timer around
the reader, the writer's batches and each statement the view runs, then prints
the totals (seconds). The timers cost a few percent; ``benchmarks/run.py`` gives
the figures that count. A diagnostic, so it wraps the ledger's private parts.
"""

from __future__ import annotations

import argparse
import collections
import resource
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ledger.view as view
from ledger import Ledger, Report
from ledger.io import read_reports
from ledger.values import StrikeRequest
from ledger.view._sqlite import SQLiteStore

TOTALS: collections.defaultdict[str, float] = collections.defaultdict(float)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, its time added to ``TOTALS[name]``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            TOTALS[name] += time.perf_counter() - start

    return wrapper


def instrument() -> None:
    """Put timers around the store's statements and the writer's steps."""
    many = SQLiteStore.many

    def timed_many(store: SQLiteStore, cursor: Any, statement: str, rows: Any) -> None:
        start = time.perf_counter()
        many(store, cursor, statement, rows)
        TOTALS["sql: " + " ".join(statement.split()[:3])] += time.perf_counter() - start

    SQLiteStore.many = timed_many  # type: ignore[method-assign,assignment]
    SQLiteStore.insert_events = timed(  # type: ignore[method-assign]
        "sql: INSERT INTO stored_events", SQLiteStore.insert_events
    )
    view.BeliefView._fold_of = timed(  # type: ignore[method-assign]
        "folds read", view.BeliefView._fold_of
    )
    view.BeliefView._refold_many = timed(  # type: ignore[method-assign]
        "refolds (SQL and Python)", view.BeliefView._refold_many
    )
    view._Writer.record = timed(  # type: ignore[method-assign]
        "writer, all of it", view._Writer.record
    )


def reader(path: Path) -> Iterator[Report | StrikeRequest]:
    """The file's reports, the time spent reading them added up."""
    reports = iter(read_reports(path, strikes=True))
    while True:
        start = time.perf_counter()
        try:
            report = next(reports)
        except StopIteration:
            TOTALS["reader"] += time.perf_counter() - start
            return
        TOTALS["reader"] += time.perf_counter() - start
        yield report


def main() -> None:
    """Import the file with timers; print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--db", type=Path, default=Path("/tmp/breakdown.sqlite"))
    args = parser.parse_args()
    for stale in args.db.parent.glob(args.db.name + "*"):
        stale.unlink()
    instrument()
    with Ledger.open(args.db) as ledger:
        start = time.perf_counter()
        count = ledger.record_all(reader(args.file))
        took = time.perf_counter() - start
    print(f"{count:,} reports in {took:.2f} s = {count / took:,.0f}/s")
    for name, seconds in sorted(TOTALS.items(), key=lambda item: -item[1]):
        print(f"  {name:40s} {seconds:7.2f} s")
    writer = TOTALS["writer, all of it"] + TOTALS["reader"]
    print(f"  {'the rest (commit, the batching loop)':40s} {took - writer:7.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.1f} MiB")


if __name__ == "__main__":
    main()
