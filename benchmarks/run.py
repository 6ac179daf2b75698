"""Benchmark the ledger against the obvious alternatives and print a table.

    python benchmarks/run.py                 # N = 1,000,000 reports, P = 100,000
    python benchmarks/run.py --quick         # N = 20,000, P = 2,000: a smoke run
    python benchmarks/run.py --only baselines --reports 200000 --propositions 20000

A script, not a timed test: it reports numbers and never fails on them, but it
exits non-zero when a measurement could not run at all (a smoke run for CI). Each
measurement runs in a fresh child process, so its peak memory (ru_maxrss) is its
own. The generated file and databases live in --workdir (reused when present).

Rows: name, N, value, unit, and a ratio: ledger figures against the baseline or
target named in the row (import rates as ledger / raw sqlite3, so higher is
better; query times as ledger / baseline, so lower is better).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import baselines
import generate

HERE = Path(__file__).resolve().parent
FULL = (1_000_000, 100_000)
QUICK = (20_000, 2_000)
BELIEF_QUERIES = 2000
CATCH_UP_REPORTS = 200
ALL_ON = date(2025, 12, 31)  # every proposition has a report by then
MID_ON = date(2018, 1, 1)


@dataclass
class Row:
    """One measurement."""

    name: str
    n: int
    value: float
    unit: str
    note: str = ""


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux: KiB units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timer() -> Iterator[list[float]]:
    """Yield a one-element list that holds the elapsed seconds afterwards."""
    elapsed = [0.0]
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed[0] = time.perf_counter() - start


def latencies_ms(
    ask: Callable[[str, date], object], pairs: list[tuple[str, date]]
) -> list[float]:
    """Milliseconds for each (key, date) query, after a short warm-up."""
    for key, on in pairs[:20]:
        ask(key, on)
    found = []
    for key, on in pairs:
        start = time.perf_counter()
        ask(key, on)
        found.append((time.perf_counter() - start) * 1000)
    return found


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``action``, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def query_pairs(keys: list[str], seed: int) -> list[tuple[str, date]]:
    """The same (key, date) queries for every implementation."""
    rng = random.Random(seed)
    days = generate.query_dates(BELIEF_QUERIES, seed)
    chosen = [rng.choice(keys) for _ in range(BELIEF_QUERIES)]
    rng.shuffle(days)
    return list(zip(chosen, days, strict=True))


# -- phases: each runs in its own child process -------------------------------


def phase_sqlite_raw(args: argparse.Namespace) -> list[Row]:
    """Raw sqlite3: import, belief latency, beliefs(on) in SQL and a Python fold."""
    n = args.reports
    path = Path(args.workdir) / "raw.sqlite"
    path.unlink(missing_ok=True)
    db = baselines.SqliteBaseline(path)
    with timer() as took:
        count = db.import_file(args.file)
    rows = [
        Row("raw sqlite3: import", n, count / took[0], "reports/s", f"{took[0]:.1f} s")
    ]
    keys = [
        k for (k,) in db.connection.execute("SELECT DISTINCT proposition FROM reports")
    ]
    pairs = query_pairs(sorted(keys), args.seed)
    lat = latencies_ms(db.belief, pairs)
    rows += [
        Row("raw sqlite3: belief p50", n, percentile(lat, 50), "ms"),
        Row("raw sqlite3: belief p99", n, percentile(lat, 99), "ms"),
        Row(
            "raw sqlite3: beliefs(on) all",
            n,
            best_of(3, lambda: db.beliefs(ALL_ON)),
            "s",
        ),
        Row(
            "raw sqlite3: beliefs(on) 2018",
            n,
            best_of(3, lambda: db.beliefs(MID_ON)),
            "s",
        ),
        Row(
            "python fold over rows (no view): beliefs(on) all",
            n,
            best_of(3, lambda: baselines.fold_status(db.rows_by_proposition(ALL_ON))),
            "s",
        ),
        Row("raw sqlite3: peak memory", n, peak_rss_mib(), "MiB"),
    ]
    db.close()
    return rows


def phase_duckdb(args: argparse.Namespace) -> list[Row]:
    """DuckDB: read_json import, GROUP BY and ASOF beliefs, belief latency."""
    n = args.reports
    db = baselines.DuckdbBaseline()
    with timer() as took:
        count = db.import_file(args.file)
    rows = [
        Row(
            "duckdb: import (read_json)",
            n,
            count / took[0],
            "reports/s",
            f"{took[0]:.1f} s",
        )
    ]
    with timer() as prepared:
        db.prepare_asof()
    keys = [
        k for (k,) in db.connection.execute("SELECT proposition FROM opened").fetchall()
    ]
    pairs = query_pairs(sorted(keys), args.seed)
    lat = latencies_ms(db.belief, pairs[:500])
    rows += [
        Row("duckdb: belief p50", n, percentile(lat, 50), "ms"),
        Row(
            "duckdb: beliefs(on) all, GROUP BY",
            n,
            best_of(3, lambda: db.beliefs(ALL_ON)),
            "s",
        ),
        Row("duckdb: ASOF tables build", n, prepared[0], "s"),
        Row(
            "duckdb: beliefs(on) all, ASOF",
            n,
            best_of(3, lambda: db.beliefs_asof(ALL_ON)),
            "s",
        ),
        Row("duckdb: peak memory", n, peak_rss_mib(), "MiB"),
    ]
    db.close()
    return rows


def _ledger_rows(label: str, ledger: Any, args: argparse.Namespace) -> list[Row]:
    """Belief latency, statuses(on) and beliefs(on) for an open ledger."""
    n = args.reports
    keys = list(ledger.propositions())
    pairs = query_pairs(sorted(keys), args.seed)
    lat = latencies_ms(lambda key, on: ledger.belief(key, on=on), pairs)
    return [
        Row(f"ledger {label}: belief p50", n, percentile(lat, 50), "ms"),
        Row(f"ledger {label}: belief p99", n, percentile(lat, 99), "ms"),
        Row(
            f"ledger {label}: statuses(on) all",
            n,
            best_of(3, lambda: ledger.statuses(on=ALL_ON)),
            "s",
            "status only, like the baselines",
        ),
        Row(
            f"ledger {label}: statuses(on) 2018",
            n,
            best_of(3, lambda: ledger.statuses(on=MID_ON)),
            "s",
        ),
        Row(
            f"ledger {label}: peak memory (belief, statuses)", n, peak_rss_mib(), "MiB"
        ),
        Row(
            f"ledger {label}: beliefs(on) all",
            n,
            # Streamed: iter_beliefs holds one proposition's evidence at a time.
            best_of(2, lambda: sum(1 for _ in ledger.iter_beliefs(on=ALL_ON))),
            "s",
            "with evidence, iterated",
        ),
        Row(
            f"ledger {label}: peak memory (iterating beliefs)", n, peak_rss_mib(), "MiB"
        ),
    ]


def _import(label: str, ledger: Any, args: argparse.Namespace) -> Row:
    from ledger.io import read_reports

    with timer() as took:
        count = ledger.record_all(read_reports(args.file))
    return Row(
        f"ledger {label}: import",
        args.reports,
        count / took[0],
        "reports/s",
        f"{took[0]:.1f} s",
    )


def phase_ledger_memory(args: argparse.Namespace) -> list[Row]:
    """The in-memory ledger: import, queries, peak memory."""
    from ledger import Ledger

    ledger = Ledger()
    rows = [_import("memory", ledger, args)]
    rows += _ledger_rows("memory", ledger, args)
    rows.append(Row("ledger memory: peak memory", args.reports, peak_rss_mib(), "MiB"))
    return rows


def phase_ledger_sqlite(args: argparse.Namespace) -> list[Row]:
    """The SQLite ledger: import, queries from the view, peak memory."""
    from ledger import Ledger

    path = Path(args.workdir) / "ledger.sqlite"
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    with Ledger.open(path) as ledger:
        rows = [_import("sqlite", ledger, args)]
    rows.append(
        Row("ledger sqlite: peak memory (import)", args.reports, peak_rss_mib(), "MiB")
    )
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if reader:
        rows.append(
            Row(
                "ledger sqlite: peak memory (import's reading process)",
                args.reports,
                reader,
                "MiB",
                "the file read on a second core",
            )
        )
    return rows


def phase_ledger_sqlite_read(args: argparse.Namespace) -> list[Row]:
    """Reopen the SQLite ledger written by phase ledger-sqlite and query it."""
    from ledger import Ledger

    path = Path(args.workdir) / "ledger.sqlite"
    with timer() as opened:
        ledger = Ledger.open(path)
    rows = [Row("ledger sqlite: open (view current)", args.reports, opened[0], "s")]
    rows += _ledger_rows("sqlite", ledger, args)
    rows.append(_catch_up("sqlite", ledger, args))
    ledger.close()
    rows.append(
        Row("ledger sqlite: peak memory (queries)", args.reports, peak_rss_mib(), "MiB")
    )
    return rows


def _catch_up(label: str, ledger: Any, args: argparse.Namespace) -> Row:
    """Record reports one at a time into a full ledger: save plus projecting each.

    The writer projects its own events into the shared view as it saves them,
    so this is the latency a new report costs until every reader sees it: an
    upper bound on the catch-up cost per new report.
    """
    from ledger import Report

    times = []
    for i in range(CATCH_UP_REPORTS):
        report = Report(
            kind="disputed" if i % 3 else "confirmed",
            proposition=f"catch-up-{i % 20}",
            source="benchmark",
            reported_at=date(2025, 12, 1),
            url=f"https://catch-up.example/{i}",
        )
        start = time.perf_counter()
        ledger.record(report)
        times.append((time.perf_counter() - start) * 1000)
    return Row(
        f"ledger {label}: record 1 report (save + view)",
        args.reports,
        statistics.median(times),
        "ms",
        "median; upper bound of catch-up per new report",
    )


def _rebuild(label: str, ledger: Any, args: argparse.Namespace) -> list[Row]:
    """Rebuild the view from every event: the projection cost per event in batches."""
    with timer() as took:
        events = ledger.rebuild_view()
    return [
        Row(f"ledger {label}: view rebuild", args.reports, took[0], "s"),
        Row(
            f"ledger {label}: view rebuild per event",
            args.reports,
            took[0] / max(events, 1) * 1000,
            "ms",
            f"{events:,} events, {events / took[0]:,.0f} events/s",
        ),
    ]


def phase_ledger_sqlite_rebuild(args: argparse.Namespace) -> list[Row]:
    """Rebuild the view of a copy of the SQLite ledger with Ledger.rebuild_view."""
    import shutil

    from ledger import Ledger

    source = Path(args.workdir) / "ledger.sqlite"
    copy = Path(args.workdir) / "rebuild.sqlite"
    shutil.copyfile(source, copy)
    try:
        with Ledger.open(copy) as ledger:
            rows = _rebuild("sqlite", ledger, args)
    finally:
        for made in copy.parent.glob(copy.name + "*"):
            made.unlink()
    rows.append(
        Row("ledger sqlite: peak memory (rebuild)", args.reports, peak_rss_mib(), "MiB")
    )
    return rows


@contextmanager
def _bench_schema(args: argparse.Namespace) -> Iterator[str]:
    """The URL of a fresh schema on the server, dropped afterwards."""
    import urllib.parse
    import uuid

    import psycopg
    from psycopg import sql

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    separator = "&" if "?" in args.postgres else "?"
    server = urllib.parse.urlsplit(args.postgres)._replace(query="").geturl()
    try:
        yield f"{args.postgres}{separator}schema={schema}"
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
            connection.execute(drop.format(sql.Identifier(schema)))


def phase_ledger_postgres(args: argparse.Namespace) -> list[Row]:
    """The PostgreSQL ledger: import into a fresh schema, then queries."""
    from ledger import Ledger

    with _bench_schema(args) as url, Ledger.open(url) as ledger:
        rows = [_import("postgres", ledger, args)]
        rows += _ledger_rows("postgres", ledger, args)
        rows.append(_catch_up("postgres", ledger, args))
        rows += _rebuild("postgres", ledger, args)
    rows.append(
        Row("ledger postgres: peak memory", args.reports, peak_rss_mib(), "MiB")
    )
    return rows


def _data_file(args: argparse.Namespace, reports: int, propositions: int) -> Path:
    """The generated file of ``reports`` over ``propositions`` (made if missing)."""
    path: Path = args.workdir / f"reports-{reports}-{propositions}-{args.seed}.jsonl"
    if not path.exists():
        partial = path.with_suffix(".partial")
        generate.generate(partial, reports, propositions, args.seed)
        partial.rename(path)
    return path


def _import_fresh(
    args: argparse.Namespace, source: Path, name: str
) -> tuple[int, float]:
    """Import ``source`` into a new SQLite ledger in the workdir: (reports, seconds)."""
    from ledger import Ledger
    from ledger.io import read_reports

    path = args.workdir / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Ledger.open(path) as ledger, timer() as took:
        count = ledger.record_all(read_reports(source))
    return count, took[0]


def phase_ledger_sqlite_tenth(args: argparse.Namespace) -> list[Row]:
    """Import a tenth of the data (N/10 over P/10): peak memory to compare with N's."""
    reports, propositions = args.reports // 10, max(args.propositions // 10, 1)
    tenth = _data_file(args, reports, propositions)
    count, took = _import_fresh(args, tenth, "ledger-tenth.sqlite")
    return [
        Row(
            "ledger sqlite: import (a tenth)",
            reports,
            count / took,
            "reports/s",
            f"{took:.1f} s, {propositions:,} propositions",
        ),
        Row(
            "ledger sqlite: peak memory (import, a tenth)",
            reports,
            peak_rss_mib(),
            "MiB",
        ),
    ]


def phase_ledger_sqlite_hot(args: argparse.Namespace) -> list[Row]:
    """Import of N reports over 1,000 propositions (hundreds of reports each)."""
    hot = _data_file(args, args.reports, 1000)
    count, took = _import_fresh(args, hot, "ledger-hot.sqlite")
    return [
        Row(
            "ledger sqlite: import (hot, 1,000 propositions)",
            args.reports,
            count / took,
            "reports/s",
            f"{took:.1f} s",
        ),
        Row(
            "ledger sqlite: peak memory (hot import)",
            args.reports,
            peak_rss_mib(),
            "MiB",
        ),
    ]


_WRITER = """
import sys
from itertools import islice
from ledger import Ledger
from ledger.io import read_reports
path, url = sys.argv[1], sys.argv[2]
with Ledger.open(url) as ledger:
    reports = read_reports(path)
    while batch := list(islice(reports, 5000)):
        ledger.record(*batch)  # a transaction per batch, so writers interleave
"""


def phase_ledger_postgres_writers(args: argparse.Namespace) -> list[Row]:
    """Three writer processes importing a third of the file each, into one schema.

    Two splits of the same file, each into a fresh schema: line by line (every
    story is written by all three at once, each writer's reports interleaved
    with the others'), and by story (each proposition's reports go to one
    writer, as three collectors with feeds of their own). The file is split
    first (not timed); each writer records its share in batches of 5,000, a
    transaction each, so the three interleave.
    """
    rows = []
    for by_story in (False, True):
        with _bench_schema(args) as url:
            rows.append(_three_writers(url, args, by_story=by_story))
    return rows


def _three_writers(url: str, args: argparse.Namespace, *, by_story: bool) -> Row:
    from ledger import Ledger

    Ledger.open(url).close()  # the tables, before the writers race to them
    writers = 3
    parts = [args.workdir / f"writer-{n}.jsonl" for n in range(writers)]
    with args.file.open("rb") as lines:
        outs = [part.open("wb") for part in parts]
        for index, line in enumerate(lines):
            if by_story:
                key = json.loads(line)["proposition"].encode("utf-8")
                index = zlib.crc32(key)
            outs[index % writers].write(line)
        for out in outs:
            out.close()
    with timer() as took:
        running = [
            subprocess.Popen([sys.executable, "-c", _WRITER, str(part), url])
            for part in parts
        ]
        codes = [process.wait() for process in running]
    for part in parts:
        part.unlink()
    if any(codes):
        raise SystemExit(f"a writer failed: exit codes {codes}")
    with Ledger.open(url) as ledger:
        count = ledger._view.count()
    name = "ledger postgres: import, 3 writers"
    return Row(
        f"{name}, separate stories" if by_story else name,
        args.reports,
        count / took[0],
        "reports/s",
        f"{took[0]:.1f} s, all together",
    )


PHASES: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "sqlite-raw": phase_sqlite_raw,
    "duckdb": phase_duckdb,
    "ledger-memory": phase_ledger_memory,
    "ledger-sqlite": phase_ledger_sqlite,
    "ledger-sqlite-read": phase_ledger_sqlite_read,
    "ledger-sqlite-rebuild": phase_ledger_sqlite_rebuild,
    "ledger-postgres": phase_ledger_postgres,
    "ledger-sqlite-hot": phase_ledger_sqlite_hot,
    "ledger-sqlite-tenth": phase_ledger_sqlite_tenth,
    "ledger-postgres-writers": phase_ledger_postgres_writers,
}
BASELINE_PHASES = ("sqlite-raw", "duckdb")
LEDGER_PHASES = (
    "ledger-memory",
    "ledger-sqlite",
    "ledger-sqlite-hot",
    "ledger-sqlite-tenth",
    "ledger-sqlite-read",
    "ledger-sqlite-rebuild",
    "ledger-postgres",
    "ledger-postgres-writers",
)

# (ledger row, baseline row or None for a fixed target, target, higher is better);
# a target of 0 against a baseline marks a ratio shown for information.
RATIOS: list[tuple[str, str | None, float, bool]] = [
    ("ledger sqlite: import", "raw sqlite3: import", 0.5, True),
    (
        "ledger sqlite: import (hot, 1,000 propositions)",
        "ledger sqlite: import",
        0.8,
        True,
    ),
    (
        "ledger sqlite: peak memory (import)",
        "ledger sqlite: peak memory (import, a tenth)",
        1.25,
        False,
    ),
    ("ledger postgres: import", "raw sqlite3: import", 0.0, True),
    ("ledger postgres: import, 3 writers", "ledger postgres: import", 1.0, True),
    (
        "ledger postgres: import, 3 writers, separate stories",
        "ledger postgres: import",
        1.0,
        True,
    ),
    ("ledger memory: import", "raw sqlite3: import", 0.0, True),
    ("ledger sqlite: belief p50", None, 1.0, False),
    ("ledger postgres: belief p50", None, 1.0, False),
    ("ledger sqlite: statuses(on) all", "raw sqlite3: beliefs(on) all", 1.0, False),
    (
        "ledger sqlite: statuses(on) all",
        "duckdb: beliefs(on) all, GROUP BY",
        1.0,
        False,
    ),
    ("ledger sqlite: statuses(on) all", "duckdb: beliefs(on) all, ASOF", 1.0, False),
    ("ledger sqlite: beliefs(on) all", "raw sqlite3: beliefs(on) all", 0.0, False),
    # 20,000 events/s is 0.05 ms an event.
    ("ledger sqlite: view rebuild per event", None, 0.05, False),
    ("ledger postgres: view rebuild per event", None, 0.05, False),
    ("ledger sqlite: record 1 report (save + view)", None, 0.5, False),
    ("ledger sqlite: peak memory (iterating beliefs)", None, 400.0, False),
    ("ledger sqlite: peak memory (import)", None, 1024.0, False),
    ("ledger sqlite: peak memory (rebuild)", None, 1024.0, False),
    ("ledger memory: peak memory", None, 1024.0, False),
    ("ledger postgres: peak memory", None, 1024.0, False),
]
# Fixed rates, higher is better: (row, at least).
RATES: list[tuple[str, float]] = [
    ("ledger postgres: import", 10_000.0),
    ("ledger postgres: import, 3 writers", 10_000.0),
    ("ledger postgres: import, 3 writers, separate stories", 10_000.0),
    ("ledger sqlite: view rebuild", 0.0),
]


def run_phase(name: str, args: argparse.Namespace) -> list[Row]:
    """Run one phase in a child process; return its rows (or a row saying why not)."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        name,
        "--file",
        str(args.file),
        "--workdir",
        str(args.workdir),
        "--seed",
        str(args.seed),
        "--reports",
        str(args.reports),
        "--propositions",
        str(args.propositions),
    ]
    if args.postgres:
        command += ["--postgres", args.postgres]
    print(f"  running {name} ...", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [Row(f"{name}: FAILED", args.reports, float("nan"), "", last[:100])]
    return [
        Row(**json.loads(line[4:]))
        for line in done.stdout.splitlines()
        if line.startswith("ROW ")
    ]


def machine() -> str:
    """One line about the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB;"
        f" Python {platform.python_version()}; {platform.system()} {platform.release()}"
    )


def print_table(rows: list[Row]) -> None:
    """The measurements, then the ratios against baselines and targets."""
    width = max(len(row.name) for row in rows)
    print(f"{'measurement':<{width}}  {'N':>9}  {'value':>12}  unit        note")
    for row in rows:
        shown = f"{row.value:>12.4g}"
        print(f"{row.name:<{width}}  {row.n:>9,}  {shown}  {row.unit:<10}  {row.note}")
    by_name = {row.name: row for row in rows}
    print()
    print(f"{'ratio':<{width + 36}}  {'value':>8}  target")
    for ledger_name, baseline_name, target, higher in RATIOS:
        mine = by_name.get(ledger_name)
        if mine is None:
            continue
        if baseline_name is None:
            label = f"{ledger_name} / {target:g} {mine.unit}"
            value = mine.value / target
            wanted = "< 1"
        else:
            other = by_name.get(baseline_name)
            if other is None:
                continue
            label = f"{ledger_name} / {baseline_name}"
            value = mine.value / other.value
            if not target:
                wanted = "(info)"
            else:
                wanted = f">= {target:g}" if higher else f"< {target:g}"
        print(f"{label:<{width + 36}}  {value:>8.3g}  {wanted}")
    for name, least in RATES:
        mine = by_name.get(name)
        if mine is not None and least:
            label = f"{name} / {least:,.0f} {mine.unit}"
            print(f"{label:<{width + 36}}  {mine.value / least:>8.3g}  >= 1")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N=20,000, P=2,000")
    parser.add_argument("--reports", type=int, help="N (default 1,000,000)")
    parser.add_argument("--propositions", type=int, help="P (default 100,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ledger-bench"))
    parser.add_argument("--only", choices=("all", "baselines", "ledger"), default="all")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("LEDGER_TEST_POSTGRES_URL", ""),
        help="PostgreSQL URL (default: $LEDGER_TEST_POSTGRES_URL), password in"
        " $PGPASSWORD",
    )
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument(
        "--include",
        type=Path,
        action="append",
        default=[],
        help="rows from an earlier --json file to show (and compare) with these",
    )
    parser.add_argument(
        "--phases", help="comma-separated phases to run instead of --only's"
    )
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    default = QUICK if args.quick else FULL
    args.reports = args.reports or default[0]
    args.propositions = args.propositions or default[1]

    if args.phase:  # a child: measure, print rows, exit
        for row in PHASES[args.phase](args):
            print("ROW " + json.dumps(asdict(row)), flush=True)
        return

    args.workdir.mkdir(parents=True, exist_ok=True)
    args.file = (
        args.workdir / f"reports-{args.reports}-{args.propositions}-{args.seed}.jsonl"
    )
    rows: list[Row] = []
    if not args.file.exists():
        print(f"generating {args.file} ...", file=sys.stderr, flush=True)
        partial = args.file.with_suffix(".partial")
        with timer() as took:
            generate.generate(partial, args.reports, args.propositions, args.seed)
        partial.rename(args.file)
        rows.append(
            Row("generate file", args.reports, args.reports / took[0], "reports/s")
        )
    size = args.file.stat().st_size / 2**20
    for earlier in args.include:
        rows += [Row(**fields) for fields in json.loads(earlier.read_text())]
    phases: list[str] = []
    if args.phases is not None:
        phases = [name for name in args.phases.split(",") if name]
        unknown = sorted(set(phases) - set(PHASES))
        if unknown:
            parser.error(f"unknown phases {unknown}; known: {sorted(PHASES)}")
    else:
        if args.only in ("all", "baselines"):
            phases += BASELINE_PHASES
        if args.only in ("all", "ledger"):
            phases += [
                p
                for p in LEDGER_PHASES
                if not p.startswith("ledger-postgres") or args.postgres
            ]
    for name in phases:
        rows += run_phase(name, args)
    print(f"machine: {machine()}")
    print(
        f"data: {args.reports:,} reports over {args.propositions:,} propositions,"
        f" seed {args.seed}, {size:.0f} MiB of JSON Lines"
    )
    if args.phases is None and args.only != "baselines" and not args.postgres:
        print(
            "ledger postgres: skipped (no --postgres URL or $LEDGER_TEST_POSTGRES_URL)"
        )
    print()
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps([asdict(row) for row in rows], indent=1) + "\n")
    failed = [row.name for row in rows if row.name.endswith(": FAILED")]
    if failed:
        # Figures never fail a run; a measurement that could not run does.
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
