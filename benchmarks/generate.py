"""Generate a deterministic JSON Lines file of reports for the benchmarks.

N reports over P propositions, in the product's report file format, written in
the order they became known (as a news feed would deliver them). The same
arguments always give the same bytes.

The shape aims at what real collections look like: each proposition is a story
that starts on some day between 2010 and 2025 with a claim (a few open with a
dispute), gets most of its reports in bursts of days around its start and a few
much later; reports per proposition are skewed (most get one to a few, some get
hundreds); about a fifth of later reports are decisive (confirmed, refuted);
some decisive words are contradicted on the same day (a tie); about a third of
the times are datetimes with a UTC offset, the rest dates.

Memory is O(P), not O(N): reports stream to disk.

Usage: python benchmarks/generate.py --reports N --propositions P --seed S OUT.jsonl
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import IO

START = datetime(2010, 1, 1, tzinfo=UTC)
END = datetime(2025, 12, 31, 23, 59, tzinfo=UTC)
_SPAN = (END - START).total_seconds()

_SOURCES = (
    "Reuters",
    "Associated Press",
    "Agence France-Presse",
    "BBC News",
    "Al Jazeera",
    "Russian Ministry of Defence",
    "US-led coalition",
    "Iraqi Security Media Cell",
    "Syrian Observatory for Human Rights",
    "Amaq News Agency",
    "Ministère des Armées",
    "Bundesministerium der Verteidigung",
    "Ukrainian General Staff",
    "Kyiv Independent",
    "Meduza",
    "Bellingcat",
    "Le Monde",
    "Süddeutsche Zeitung",
    "El País",
    "新华社 (Xinhua)",
)
_TOPICS = (
    "strike",
    "raid",
    "arrest",
    "death",
    "resignation",
    "election-result",
    "ceasefire",
    "shipment",
    "outbreak",
    "merger",
)
_PLACES = (
    "raqqa",
    "mosul",
    "idlib",
    "kharkiv",
    "kherson",
    "gaza",
    "sahel",
    "caracas",
    "yangon",
    "zürich",
)
# Offsets as people give them: whole hours mostly, a few half and quarter hours.
_OFFSETS = (
    *(timedelta(hours=h) for h in range(-11, 15)),
    timedelta(hours=5, minutes=30),
    timedelta(hours=5, minutes=45),
    timedelta(hours=-3, minutes=-30),
    timedelta(hours=9, minutes=30),
)


@dataclass
class _Story:
    """One proposition: its key, how many reports are left, and its state."""

    index: int
    key: str
    statement: str
    remaining: int
    started: bool = False
    last_decisive: str | None = None


def report_counts(reports: int, propositions: int, rng: random.Random) -> list[int]:
    """How many reports each proposition gets: at least one, skewed, summing to N.

    With fewer reports than propositions, only the first N propositions get one.
    """
    if reports <= propositions:
        return [1] * reports
    # Pareto weights give the long tail: a few propositions collect many reports.
    weights = [rng.paretovariate(1.3) for _ in range(propositions)]
    extra = reports - propositions
    total = sum(weights)
    counts = [1 + int(extra * w / total) for w in weights]
    short = reports - sum(counts)
    for i in rng.sample(range(propositions), short):
        counts[i] += 1
    return counts


def _key(index: int, rng: random.Random) -> tuple[str, str]:
    topic = rng.choice(_TOPICS)
    place = rng.choice(_PLACES)
    year = rng.randint(2010, 2025)
    key = f"{topic}-{place}-{year}-{index:07d}"
    statement = f"A {topic.replace('-', ' ')} took place in {place.title()} ({index})"
    return key, statement


def _time_text(instant: datetime, rng: random.Random) -> str:
    if rng.random() < 0.65:
        return instant.date().isoformat()
    offset = rng.choice(_OFFSETS)
    local = instant.astimezone(timezone(offset)).replace(microsecond=0)
    if rng.random() < 0.1:
        return local.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return local.isoformat()


def _next_gap(rng: random.Random) -> float:
    """Seconds until a story's next report: mostly a burst, sometimes much later."""
    roll = rng.random()
    if roll < 0.08:
        return 0.0  # the same instant: same-day and same-time ties
    if roll < 0.75:
        return rng.expovariate(1 / (2 * 86400))  # within days
    if roll < 0.95:
        return rng.expovariate(1 / (60 * 86400))  # within months
    return rng.expovariate(1 / (700 * 86400))  # years later


def _kind(story: _Story, rng: random.Random) -> str:
    if not story.started:
        return "disputed" if rng.random() < 0.08 else "claimed"
    if story.last_decisive is not None and rng.random() < 0.15:
        # A contradiction: the opposite decisive word (same instant if gap was 0).
        return "refuted" if story.last_decisive == "confirmed" else "confirmed"
    roll = rng.random()
    if roll < 0.52:
        return "claimed"
    if roll < 0.80:
        return "disputed"
    if roll < 0.92:
        return "confirmed"
    return "refuted"


def reports(
    count: int, propositions: int, seed: int, *, ids: bool = True
) -> Iterator[dict[str, str]]:
    """Yield ``count`` report objects over ``propositions`` keys, in known order."""
    rng = random.Random(seed)
    counts = report_counts(count, propositions, rng)
    heap: list[tuple[float, int]] = []
    stories: dict[int, _Story] = {}
    for index, remaining in enumerate(counts):
        key, statement = _key(index, rng)
        stories[index] = _Story(index, key, statement, remaining)
        # Stories start anywhere in the span, a little heavier in recent years.
        start = _SPAN * rng.random() ** 0.8
        heapq.heappush(heap, (start, index))
    serial = 0
    while heap:
        offset, index = heapq.heappop(heap)
        story = stories[index]
        kind = _kind(story, rng)
        instant = START + timedelta(seconds=offset)
        row: dict[str, str] = {
            "kind": kind,
            "proposition": story.key,
            "source": rng.choice(_SOURCES),
            "reported_at": _time_text(instant, rng),
        }
        if not story.started:
            row["statement"] = story.statement
        if kind in ("claimed", "confirmed") and rng.random() < 0.5:
            happened = instant - timedelta(days=rng.expovariate(1 / 5))
            row["occurred_at"] = happened.date().isoformat()
        if rng.random() < 0.3:
            row["quote"] = f"Officials said the {story.key.split('-')[0]} was {kind}."
        row["url"] = f"https://news.example/{serial}"
        if ids:
            row["report_id"] = f"g{seed}-{serial:09d}"
        serial += 1
        story.started = True
        if kind in ("confirmed", "refuted"):
            story.last_decisive = kind
        story.remaining -= 1
        if story.remaining:
            gap = _next_gap(rng)
            following = offset + gap
            if following > _SPAN:
                following = offset + (_SPAN - offset) * rng.random()
            heapq.heappush(heap, (following, index))
        else:
            del stories[index]
        yield row


def write(
    out: IO[str], count: int, propositions: int, seed: int, *, ids: bool = True
) -> int:
    """Write the reports as JSON Lines to ``out``; return how many were written."""
    written = 0
    for row in reports(count, propositions, seed, ids=ids):
        out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        written += 1
    return written


def generate(
    path: Path, count: int, propositions: int, seed: int, *, ids: bool = True
) -> int:
    """Write the reports to ``path`` (UTF-8 JSON Lines); return how many."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        return write(out, count, propositions, seed, ids=ids)


def query_dates(count: int, seed: int) -> list[date]:
    """``count`` deterministic query dates spread over the generated span."""
    rng = random.Random(seed)
    return sorted(
        (START + timedelta(seconds=_SPAN * rng.random())).date() for _ in range(count)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, required=True, help="N")
    parser.add_argument("--propositions", type=int, required=True, help="P")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-ids", action="store_true", help="omit report_id (the ledger derives it)"
    )
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.reports < 0 or args.propositions < 1:
        parser.error("--reports must be >= 0 and --propositions >= 1")
    generate(args.out, args.reports, args.propositions, args.seed, ids=not args.no_ids)


if __name__ == "__main__":
    main()
