"""A projection worker: keeps a shared ledger's belief view up to date.

Run it as its own process beside the writers::

    python -m ledger.worker --db postgresql://ledger@127.0.0.1/claims --follow

It applies every recorded event to the view exactly once, in batches, each batch
in one transaction with the view's position, so a worker that is stopped or
killed (even with SIGKILL) resumes where it stopped. On PostgreSQL it waits for
new events with LISTEN/NOTIFY; on SQLite, which has no notifications, it polls.
Any number of workers and writers may run at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from ledger.application import Ledger
from ledger.errors import LedgerError

__all__ = ["follow", "main"]


def follow(
    ledger: Ledger,
    *,
    stop: threading.Event,
    batch_size: int = 500,
    poll_interval: float = 0.2,
) -> int:
    """Apply new events to ``ledger``'s view until ``stop`` is set; return the count."""
    applied = 0
    wakeup = _Wakeup(ledger.subscribe())
    try:
        while not stop.is_set():
            done = ledger.catch_up(batch_size=batch_size)
            applied += done
            if not done:
                wakeup.wait(stop, poll_interval)
    finally:
        wakeup.close()
    return applied


class _Wakeup:
    """Wakes the worker when new events are pushed, or after ``poll_interval``."""

    def __init__(self, subscription: Any | None) -> None:
        self._subscription = subscription
        self._pushed = threading.Event()
        if subscription is not None:
            threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        assert self._subscription is not None
        for _ in self._subscription:
            self._pushed.set()

    def wait(self, stop: threading.Event, poll_interval: float) -> None:
        if self._subscription is None:
            stop.wait(poll_interval)
        else:
            self._pushed.wait(poll_interval)
            self._pushed.clear()

    def close(self) -> None:
        if self._subscription is not None:
            self._subscription.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the worker from the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m ledger.worker",
        description="Keep a ledger's materialised belief view up to date.",
    )
    parser.add_argument(
        "--db",
        default=os.environ.get("LEDGER_DB", "ledger.db"),
        help="SQLite file or postgresql:// URL (default: $LEDGER_DB, else ./ledger.db)",
    )
    parser.add_argument(
        "--follow",
        action="store_true",
        help="keep running and apply new events as they are recorded",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="empty the view first and rebuild it from every event",
    )
    parser.add_argument("--batch-size", type=int, default=500, metavar="N")
    parser.add_argument("--poll-interval", type=float, default=0.2, metavar="SECONDS")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        with Ledger.open(args.db) as ledger:
            applied_first = ledger.applied_at_open
            if args.rebuild:
                applied_first += ledger.rebuild_view(batch_size=args.batch_size)
            if args.follow:
                applied = follow(
                    ledger,
                    stop=stop,
                    batch_size=args.batch_size,
                    poll_interval=args.poll_interval,
                )
            else:
                applied = ledger.catch_up(batch_size=args.batch_size)
    except LedgerError as error:
        print(f"ledger.worker: {error}", file=sys.stderr)
        return 1
    if args.rebuild:
        print(f"applied {applied_first + applied} events", file=sys.stderr)
    else:
        # Opening the ledger already brought its view up to date, without a
        # count: saying "applied 0 events" after that would mislead.
        since = f"; applied {applied} events recorded since" if applied else ""
        print(f"the view is up to date{since}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised in a subprocess
    sys.exit(main())
