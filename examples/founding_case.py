"""The founding case: what was believed about the deaths of ISIS leaders, 2017-2023.

Run it from the repository, once the package is installed
(``python -m pip install -e .``)::

    python examples/founding_case.py

It loads the reports of five news articles (``founding_case.jsonl``; where each
came from and how its dates were inferred is in ``founding_case_articles.json``)
into an in-memory ledger, and prints what was believed on four telling dates,
how the claims about the deaths of Abu Bakr al-Baghdadi and his son developed,
and one bitemporal answer: as known in July 2023, what had happened by 2020.
Last, it writes the belief timeline page (``ledger.report``) to a new temporary
folder and prints where, to open in a browser.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import textwrap
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ledger import Belief, Ledger, Report, Status
from ledger.archive import Archive, verify
from ledger.io import read_reports
from ledger.report import html_page

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "founding_case.jsonl"
ARTICLES = HERE / "founding_case_articles.json"
# The five articles, in the shared folder beside the repository.
SEEDS = Path(os.environ.get("LEDGER_SEEDS", HERE.parent.parent / "shared" / "seeds"))
ARCHIVED_AT = datetime(2026, 12, 1, tzinfo=UTC)

TELLING_DATES = (
    (date(2017, 6, 20), "mid-June 2017", "Russia's claim, just made and answered"),
    (date(2017, 10, 5), "early October 2017", "a new recording of Baghdadi"),
    (date(2018, 7, 25), "late July 2018", "two accounts of how his son died"),
    (date(2023, 7, 10), "July 2023", "a US drone strike; Baghdadi long dead"),
)
BAGHDADI_DEATHS = (
    "baghdadi-killed-raqqa-strike-2017",
    "baghdadi-son-killed-2018",
    "baghdadi-son-suicide-attack-2018",
    "baghdadi-son-russian-missiles-2018",
    "baghdadi-killed-by-us-campaign",
)
TITLE = "The founding case: reports of the deaths of IS leaders, 2017-2023"
KNOWN_ON = date(2023, 7, 10)
HAPPENED_BY = date(2020, 1, 1)
WIDTH = 78


def load(path: Path = REPORTS) -> Ledger:
    """Return an in-memory ledger holding the reports of ``path``."""
    ledger = Ledger()
    ledger.record_all(read_reports(path))
    return ledger


def articles(path: Path = ARTICLES) -> dict[str, dict[str, Any]]:
    """Return the seed articles' records, keyed by the ``url`` reports cite."""
    records: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))["articles"]
    return {record["url"]: record for record in records}


def sources(reports: Iterable[Report]) -> str:
    """The distinct sources of ``reports``, in order, joined by semicolons."""
    return "; ".join(dict.fromkeys(report.source for report in reports))


def decided_by(belief: Belief) -> str:
    """Who decided a belief and, when it is disputed, whose claim is disputed."""
    text = "by " + sources(belief.decided_by)
    if belief.status is Status.DISPUTED and belief.supporting:
        text += ", against " + sources(belief.supporting)
    return text


def _wrapped(text: str, indent: str, more: int = 4) -> str:
    return textwrap.fill(
        text, WIDTH, initial_indent=indent, subsequent_indent=" " * (len(indent) + more)
    )


def print_articles(ledger: Ledger) -> None:
    """Print the seed articles, each with the date of its earliest report."""
    by_url: dict[str, list[Report]] = {}
    for entry in ledger.entries():
        by_url.setdefault(entry.report.url or "", []).append(entry.report)
    count = sum(len(reports) for reports in by_url.values())
    print(f"The founding case: {count} reports from {len(by_url)} articles")
    for url, record in articles().items():
        first = min(report.reported_at for report in by_url[url])
        outlet = "" if record["outlet"] == "unknown" else f" ({record['outlet']})"
        line = f"{record['seed'][:3]}  {first}  {record['title']}{outlet}"
        print(_wrapped(line, "  ", more=17))


def print_beliefs(ledger: Ledger, on: date, label: str, why: str) -> None:
    """Print every proposition's status on ``on``, since when, and decided by whom."""
    print(f"\nOn {on} ({label}): {why}")
    print(f"  {'proposition':<36} {'status':<10} since")
    for belief in ledger.beliefs(on=on):
        print(f"  {belief.proposition:<36} {belief.status.value:<10} {belief.since}")
        print(_wrapped(decided_by(belief), "      "))


def print_timelines(ledger: Ledger, keys: Sequence[str]) -> None:
    """Print how the status of each proposition in ``keys`` changed over time."""
    print("\nHow the claims about Baghdadi's death and his son's developed")
    for key in keys:
        periods = ledger.timeline(key)
        print(f"\n  {key}")
        print(_wrapped(periods[-1].statement or "", "  ", more=0))
        for belief in periods:
            period = f"{belief.since}  {belief.status.value:<10} {decided_by(belief)}"
            print(_wrapped(period, "    ", more=23))


def print_occurred(ledger: Ledger, *, by: date, on: date) -> None:
    """Print, as known on ``on``, the confirmed propositions that happened by ``by``."""
    print(f"\nAs known on {on}, what had happened by {by}?")
    happened = ledger.occurred(by=by, on=on)
    for belief in sorted(happened, key=lambda belief: str(belief.occurred_at)):
        when = belief.occurred_at or "undated"
        print(f"  {when}  {belief.proposition} (confirmed {belief.since})")
    undated = [
        belief
        for belief in ledger.beliefs(on=on)
        if belief.status is Status.CONFIRMED
        and belief.occurred_at is None
        and belief not in happened
    ]
    for belief in undated:
        first = min(report.reported_at for report in belief.supporting)
        print(
            _wrapped(
                f"Not listed: {belief.proposition} is confirmed, but no report says"
                f" when it happened, and it was first reported on {first}.",
                "  ",
            )
        )


def write_page(ledger: Ledger, folder: Path | None = None) -> Path:
    """Write the belief timeline page into ``folder`` (default: a new temp folder)."""
    where = (
        Path(tempfile.mkdtemp(prefix="founding-case-")) if folder is None else folder
    )
    path = where / "founding_case.html"
    path.write_text(html_page(ledger, title=TITLE), encoding="utf-8")
    return path


def verify_quotes(ledger: Ledger, seeds: Path = SEEDS) -> None:
    """Archive the five seed articles and check every quote against them."""
    if not seeds.is_dir():
        print(f"\nQuotes not verified: the seed articles are not at {seeds}")
        return
    for path in sorted(seeds.glob("*.txt")):
        ledger.record_archive(
            Archive.from_file(
                f"seed:{path.name}",
                path,
                retrieved_at=ARCHIVED_AT,
                media_type="text/plain; charset=utf-8",
            )
        )
    reports = [entry.report for entry in ledger.entries() if entry.report.quote]
    problems = verify(reports, ledger.archives())
    print(
        f"\nQuotes verified against the {len(ledger.archives())} archived articles: "
        f"{len(reports) - len(problems)} of {len(reports)} found verbatim"
    )
    for problem in problems:
        print(_wrapped(str(problem), "  "))


def main(argv: Sequence[str] | None = None) -> int:
    """Load the founding case and print its answers; return the exit status."""
    if argv:
        print("usage: python examples/founding_case.py", file=sys.stderr)
        return 2
    ledger = load()
    print_articles(ledger)
    print("\nWhat was believed on four telling dates")
    for on, label, why in TELLING_DATES:
        print_beliefs(ledger, on, label, why)
    print_timelines(ledger, BAGHDADI_DEATHS)
    print_occurred(ledger, by=HAPPENED_BY, on=KNOWN_ON)
    verify_quotes(ledger)
    print(f"\nWhere each report comes from: examples/{ARTICLES.name}")
    print("Step by step with the Python API: docs/tutorial.md")
    print(f"The belief timeline, to open in a browser:\n  {write_page(ledger)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
