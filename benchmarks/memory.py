"""Peak memory of the whole-ledger commands, per command, on N reports.

    python benchmarks/memory.py                      # N = 20,000 on SQLite
    python benchmarks/memory.py --reports 300000     # the size of issue 13's report
    python benchmarks/memory.py --db postgresql://ledger@127.0.0.1:5432/claims
    python benchmarks/memory.py --max-mib 300        # exit 1 above that bound

A script, not a test: it prints one row per command with its peak resident memory
(each command runs as its own process, so ``ru_maxrss`` is its own, read with
``wait4``), how many bytes it printed and how long it took. The commands are the
ones that read the whole ledger (``believed --json`` of every proposition,
``export`` in both formats, ``changes --json``, ``report --html``) and
``timeline --json`` of one proposition with ``--alternating`` reports that flip
between confirmed and refuted an hour apart (issue 13, item 7).

The commands hold one proposition's reports at a time, so their memory is a
constant plus what the largest proposition needs (its report count is printed;
the generator's Pareto tail makes it grow with N): run it at two sizes and
compare, or give ``--max-mib`` to make the run fail (exit 1) when a command
peaks above that bound. It exits 2 when a command fails.

A child forked from a process starts with that process's resident pages, and
Linux keeps the larger figure in the child's ``ru_maxrss`` across ``exec``. So
this script stays small: it generates the file and loads the ledger in child
processes too, imports nothing of the ledger itself, and prints its own peak,
below which no figure can go.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

COMMAND = [sys.executable, "-m", "ledger"]
KEY = "alternating-confirmed-refuted"


def alternating(path: Path, count: int) -> None:
    """Write ``count`` reports about one key, confirmed then refuted, an hour apart."""
    start = datetime(2017, 6, 16, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            row = {
                "kind": "confirmed" if index % 2 == 0 else "refuted",
                "proposition": KEY,
                "source": f"source {index % 50}",
                "reported_at": (start + timedelta(hours=index)).isoformat(),
                "quote": "a quote of some length " * 4,
            }
            out.write(json.dumps(row) + "\n")


_LARGEST = """
import collections, json, sys
lines = open(sys.argv[1], encoding="utf-8")
counts = collections.Counter(json.loads(line)["proposition"] for line in lines)
print(max(counts.values()))
"""


def largest(path: Path) -> int:
    """How many reports the file's largest proposition has (counted by a child)."""
    done = subprocess.run(
        [sys.executable, "-c", _LARGEST, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def measure(arguments: list[str], db: str, cwd: Path) -> tuple[float, int, float]:
    """Run ``ledger --db db ARGUMENTS``: peak RSS in MiB, bytes printed, seconds."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [*COMMAND, "--db", db, *arguments],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.PIPE,
        )
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            sys.stderr.write(errors.decode("utf-8", "replace"))
            msg = f"ledger {' '.join(arguments)} exited {process.returncode}"
            raise RuntimeError(msg)
        size = out.seek(0, os.SEEK_END)
    return usage.ru_maxrss / 1024, size, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=20_000, help="N")
    parser.add_argument("--propositions", type=int, default=None, help="default N/10")
    parser.add_argument("--alternating", type=int, default=2_000)
    parser.add_argument("--db", default=None, help="postgresql:// URL [SQLite]")
    parser.add_argument("--max-mib", type=float, default=None)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ledger-memory-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or str(workdir / f"memory-{args.reports}.db")
    reports = workdir / f"reports-{args.reports}.jsonl"
    flips = workdir / f"alternating-{args.alternating}.jsonl"
    propositions = args.propositions or max(1, args.reports // 10)
    here = Path(__file__).resolve().parent
    subprocess.run(
        [
            sys.executable,
            str(here / "generate.py"),
            "--reports",
            str(args.reports),
            "--propositions",
            str(propositions),
            "--seed",
            "13",
            str(reports),
        ],
        check=True,
    )
    alternating(flips, args.alternating)
    # Loaded by a child process: what is measured is the commands that read.
    subprocess.run(
        [*COMMAND, "--db", db, "import", str(reports), str(flips)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    commands = [
        ["believed", "--on", "2025-12-31", "--json"],
        ["believed", "--on", "2025-12-31"],
        ["export"],
        ["export", "--format", "csv"],
        ["changes", "--since", "2000-01-01", "--until", "2025-12-31", "--json"],
        ["changes", "--since", "2000-01-01", "--until", "2025-12-31"],
        ["report", "--html", str(workdir / "report.html")],
        ["timeline", KEY, "--json"],
    ]
    print(
        f"N = {args.reports} reports over {propositions} propositions, plus "
        f"{args.alternating} alternating reports about one; {db}"
    )
    print(f"largest proposition: {largest(reports):,} reports")
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"this script's own peak (no figure can be below it): {floor:.1f} MiB")
    print(f"{'command':<60} {'peak MiB':>9} {'output MB':>10} {'seconds':>8}")
    worst = 0.0
    for arguments in commands:
        try:
            peak, size, elapsed = measure(arguments, db, workdir)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 2
        worst = max(worst, peak)
        shown = " ".join(arguments).replace(str(workdir) + "/", "")
        print(f"{shown:<60} {peak:>9.1f} {size / 1e6:>10.2f} {elapsed:>8.2f}")
    if args.max_mib is not None and worst > args.max_mib:
        print(f"peak {worst:.1f} MiB is above the bound of {args.max_mib} MiB")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
