"""A writer process for the multi-process tests: records a deterministic workload.

Run as ``python -m tests.workload TARGET WRITER COUNT``. Writers share part of
their reports (so the same report arrives from several processes at once) and
write small batches about a few propositions (so they collide often).
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, timedelta

from ledger import Kind, Ledger, Report

KEYS = [f"proposition-{n:02d}" for n in range(12)]
KINDS = list(Kind)


def reports(writer: int, count: int) -> list[Report]:
    """The reports writer number ``writer`` records (about a third shared by all)."""
    own = random.Random(writer)
    shared = random.Random(-1)
    found = []
    for index in range(count):
        rng = shared if index % 3 == 0 else own
        tag = "shared" if rng is shared else f"w{writer}"
        day = date(2017, 1, 1) + timedelta(days=rng.randrange(400))
        when: date | datetime = day
        if rng.random() < 0.3:
            when = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                minutes=rng.randrange(1440)
            )
        found.append(
            Report(
                kind=rng.choice(KINDS),
                proposition=rng.choice(KEYS),
                source=f"source {rng.randrange(5)}",
                reported_at=when,
                report_id=f"{tag}-{index}",
            )
        )
    return found


def main() -> None:
    """Record this writer's workload in batches of three."""
    target, writer, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    batch = reports(writer, count)
    with Ledger.open(target) as ledger:
        for start in range(0, len(batch), 3):
            ledger.record(*batch[start : start + 3])


if __name__ == "__main__":
    main()
