"""The benchmark's data generator and baselines: deterministic, valid, and right.

The baselines answer the default policy in SQL (SQLite, DuckDB) and in a plain
Python fold; these tests hold every answer against LatestDecisiveWord, so the
figures the benchmark compares are figures for the same job.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import Report, _time
from ledger.io import read_reports
from ledger.policy import LatestDecisiveWord
from ledger.strategies import ledger_reports

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    # benchmarks/ holds scripts, not a package: load them by path.
    spec = importlib.util.spec_from_file_location(
        f"_bench_{name}", BENCHMARKS / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _load("generate")
baselines = _load("baselines")
duckdb = pytest.importorskip("duckdb")

Query = date | datetime


def expected(reports: Iterable[Report], on: Query) -> list[tuple[str, str]]:
    """(key, status) by key, as LatestDecisiveWord decides on ``on``."""
    cutoff = _time.cutoff(on, "on")
    known: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        if report.known_from <= cutoff:
            known[report.proposition].append(report)
    policy = LatestDecisiveWord()
    return sorted(
        (key, policy.decide(found).status.value) for key, found in known.items()
    )


def write_jsonl(reports: Sequence[Report], path: Path) -> None:
    """Write reports in the file format, one JSON object a line."""
    with path.open("w", encoding="utf-8") as out:
        for report in reports:
            out.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")


def loaded(path: Path) -> tuple[Any, Any]:
    """A SQLite and a DuckDB baseline, each holding the file at ``path``."""
    sqlite = baselines.SqliteBaseline()
    sqlite.import_file(path)
    duck = baselines.DuckdbBaseline()
    duck.import_file(path)
    duck.prepare_asof()
    return sqlite, duck


def assert_all_agree(
    sqlite: Any, duck: Any, reports: Sequence[Report], on: Query
) -> None:
    """Every baseline's beliefs(on) equals the policy's."""
    want = expected(reports, on)
    assert sqlite.beliefs(on) == want, on
    assert duck.beliefs(on) == want, on
    assert duck.beliefs_asof(on) == want, on
    assert baselines.fold_status(sqlite.rows_by_proposition(on)) == want, on
    statuses = dict(want)
    for key in {report.proposition for report in reports}:
        status = statuses.get(key, "unknown")
        assert sqlite.belief(key, on) == status, (key, on)
        assert duck.belief(key, on) == status, (key, on)


@pytest.fixture(scope="module")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated file of 3,000 reports over 300 propositions."""
    path = tmp_path_factory.mktemp("bench") / "reports.jsonl"
    generate.generate(path, 3000, 300, seed=11)
    return path


def test_generator_is_deterministic(tmp_path: Path) -> None:
    """The same seed writes the same bytes; another seed writes others."""
    first, again, other = (tmp_path / name for name in ("a", "b", "c"))
    generate.generate(first, 500, 60, seed=3)
    generate.generate(again, 500, 60, seed=3)
    generate.generate(other, 500, 60, seed=4)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_generator_writes_n_valid_reports_over_p_propositions(small_file: Path) -> None:
    """Every line is a valid report; N lines, every one of the P keys used."""
    reports = list(read_reports(small_file))
    assert len(reports) == 3000
    assert len({report.proposition for report in reports}) == 300
    assert len({report.report_id for report in reports}) == 3000


def test_generator_spreads_like_real_collections(small_file: Path) -> None:
    """All kinds, dates and offset datetimes, 2010-2025, in known order, with ties."""
    reports = list(read_reports(small_file))
    assert {report.kind.value for report in reports} == set(baselines.KINDS)
    offsets = {
        report.reported_at.utcoffset()
        for report in reports
        if isinstance(report.reported_at, datetime)
    }
    assert len(offsets) > 5
    assert sum(isinstance(r.reported_at, datetime) for r in reports) > 300
    assert sum(not isinstance(r.reported_at, datetime) for r in reports) > 300
    known = [report.known_from for report in reports]
    assert min(known) >= datetime(2009, 12, 31, tzinfo=UTC)
    assert max(known) <= datetime(2026, 1, 2, tzinfo=UTC)
    days = {(r.proposition, r.known_from.date()) for r in reports}
    assert len(days) < len(reports)  # some proposition hears twice in a day
    decisive_ties = defaultdict(set)
    for report in reports:
        if report.kind.decisive:
            decisive_ties[(report.proposition, report.known_from)].add(report.kind)
    assert any(len(kinds) == 2 for kinds in decisive_ties.values())
    # Written in the order the reports became known (a date is known from 00:00).
    assert all(b >= a - timedelta(days=1) for a, b in itertools.pairwise(known))


def test_generator_with_no_ids_leaves_report_id_out(tmp_path: Path) -> None:
    """--no-ids writes no report_id, so the ledger derives one from the content."""
    path = tmp_path / "r.jsonl"
    generate.main(
        ["--reports", "50", "--propositions", "5", "--seed", "2", "--no-ids", str(path)]
    )
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 50
    assert all("report_id" not in row for row in rows)


def test_baselines_agree_with_the_policy_on_a_generated_file(small_file: Path) -> None:
    """SQL, DuckDB (GROUP BY and ASOF) and the Python fold answer as the policy does."""
    reports = list(read_reports(small_file))
    sqlite, duck = loaded(small_file)
    assert sqlite.count() == len(reports)
    queries: list[Query] = list(generate.query_dates(12, seed=5))
    queries += [report.reported_at for report in reports[::250]]
    queries.append(datetime(2017, 6, 16, 12, 0, tzinfo=UTC))
    for on in queries:
        assert_all_agree(sqlite, duck, reports, on)


def test_baselines_answer_unknown_for_a_key_never_reported(small_file: Path) -> None:
    """A key with no reports by the query time is unknown, as in the ledger."""
    sqlite, duck = loaded(small_file)
    assert sqlite.belief("no-such-key", date(2025, 1, 1)) == "unknown"
    assert duck.belief("no-such-key", date(2025, 1, 1)) == "unknown"
    assert sqlite.beliefs(date(2000, 1, 1)) == []


def test_a_date_query_includes_the_whole_day_and_a_datetime_the_instant() -> None:
    """cutoff_us: a date reaches to the day's last microsecond; datetimes compare instants."""
    day = date(2017, 6, 16)
    start = baselines.known_from_us("2017-06-16")
    assert baselines.cutoff_us(day) == start + 86_400_000_000 - 1
    moscow = "2017-06-16T01:30:00+03:00"  # 2017-06-15 22:30 UTC
    assert baselines.known_from_us(moscow) < start
    at = datetime(2017, 6, 15, 22, 30, tzinfo=UTC)
    assert baselines.cutoff_us(at) == baselines.known_from_us(moscow)


@given(
    reports=ledger_reports(max_size=25, max_propositions=3),
    extra=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2030, 12, 31),
        timezones=st.just(UTC),
    ),
)
def test_baselines_agree_with_the_policy_on_any_reports(
    tmp_path_factory: pytest.TempPathFactory, reports: list[Report], extra: datetime
) -> None:
    """On tie-heavy generated histories, at every report time and its day, all agree."""
    path = tmp_path_factory.mktemp("prop") / "reports.jsonl"
    write_jsonl(reports, path)
    sqlite, duck = loaded(path)
    queries: set[Query] = {extra}
    for report in reports:
        queries.add(report.reported_at)
        queries.add(report.known_from.date())
        queries.add(report.known_from - timedelta(microseconds=1))
    for on in queries:
        assert_all_agree(sqlite, duck, reports, on)
