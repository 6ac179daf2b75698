"""The founding case (examples/founding_case.py): its data, its answers, its output.

The statuses pinned here are the public record as it stood on each date; a change
to the semantics that alters them breaks the example every new user runs first.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from ledger import Ledger, Status
from ledger.io import read_reports

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("LEDGER_SEEDS", REPO.parent / "shared" / "seeds"))


def _import_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "founding_case", REPO / "examples" / "founding_case.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("founding_case", module)
    spec.loader.exec_module(module)
    return module


fc = _import_example()

STRIKE = "baghdadi-killed-raqqa-strike-2017"
SON = "baghdadi-son-killed-2018"
SUICIDE = "baghdadi-son-suicide-attack-2018"
MISSILES = "baghdadi-son-russian-missiles-2018"
US_CAMPAIGN = "baghdadi-killed-by-us-campaign"
AIRSTRIKES = "russian-airstrikes-raqqa-2017"
MUHAJIR = "al-muhajir-killed-us-drone-2023"

MID_JUNE_2017 = date(2017, 6, 20)
EARLY_OCTOBER_2017 = date(2017, 10, 5)
LATE_JULY_2018 = date(2018, 7, 25)
JULY_2023 = date(2023, 7, 10)

# (on, proposition, status, since): the public record on each telling date.
TELLING = [
    (date(2017, 6, 15), STRIKE, Status.UNKNOWN, None),
    (MID_JUNE_2017, STRIKE, Status.DISPUTED, date(2017, 6, 16)),
    (MID_JUNE_2017, AIRSTRIKES, Status.CONFIRMED, date(2017, 6, 16)),
    (MID_JUNE_2017, "raqqa-strike-killed-300-2017", Status.CLAIMED, date(2017, 6, 16)),
    (MID_JUNE_2017, SON, Status.UNKNOWN, None),
    (date(2017, 9, 27), STRIKE, Status.DISPUTED, date(2017, 6, 16)),
    (EARLY_OCTOBER_2017, STRIKE, Status.REFUTED, date(2017, 9, 28)),
    (LATE_JULY_2018, STRIKE, Status.REFUTED, date(2017, 9, 28)),
    (LATE_JULY_2018, SON, Status.CONFIRMED, date(2018, 7, 3)),
    (LATE_JULY_2018, SUICIDE, Status.DISPUTED, date(2018, 7, 4)),
    (LATE_JULY_2018, MISSILES, Status.CLAIMED, date(2018, 7, 4)),
    (LATE_JULY_2018, US_CAMPAIGN, Status.UNKNOWN, None),
    (JULY_2023, STRIKE, Status.REFUTED, date(2017, 9, 28)),
    (JULY_2023, MUHAJIR, Status.CONFIRMED, date(2023, 7, 9)),
    (JULY_2023, US_CAMPAIGN, Status.CONFIRMED, date(2023, 7, 9)),
    (JULY_2023, SON, Status.CONFIRMED, date(2018, 7, 3)),
]


@pytest.fixture
def _temp_folder(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """main() writes its page into a new temp folder: keep those in one, removed."""
    # Short, unlike tmp_path: the path is printed, and lines must fit 80 columns.
    folder = tempfile.mkdtemp(prefix="fc-")
    monkeypatch.setattr(tempfile, "tempdir", folder)
    yield
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def case() -> Ledger:
    """The founding case, loaded by the example's own load()."""
    ledger: Ledger = fc.load()
    return ledger


@pytest.mark.parametrize(("on", "key", "status", "since"), TELLING)
def test_statuses_on_telling_dates(
    ledger: Ledger, on: date, key: str, status: Status, since: date | None
) -> None:
    """On every backend, each telling date gives the status the public record gave."""
    ledger.record_all(read_reports(fc.REPORTS))
    belief = ledger.belief(key, on=on)
    assert (belief.status, belief.since) == (status, since)


def test_strike_claim_timeline(case: Ledger) -> None:
    """Russia's strike claim: disputed the day it was made, refuted by the recording."""
    timeline = case.timeline(STRIKE)
    assert [(b.since, b.status) for b in timeline] == [
        (date(2017, 6, 16), Status.DISPUTED),
        (date(2017, 9, 28), Status.REFUTED),
    ]
    disputed, refuted = timeline
    assert {r.source for r in disputed.supporting} == {"Russian Ministry of Defence"}
    assert "US-led coalition (Col. Ryan Dillon)" in {
        r.source for r in disputed.decided_by
    }
    assert [r.report_id for r in refuted.decided_by] == ["002-audio-recording-refutes"]


def test_strike_claim_history_starts_with_the_claim(case: Ledger) -> None:
    """The strike claim's reports are in reported order, the Russian claims first."""
    history = case.history(STRIKE)
    kinds = [entry.report.kind.value for entry in history]
    assert kinds[:2] == ["claimed", "claimed"]
    assert kinds[-1] == "refuted"
    assert all(
        entry.report.occurred_at in (None, date(2017, 5, 28)) for entry in history
    )


def test_sons_death_two_competing_accounts(case: Ledger) -> None:
    """Late July 2018: the death is confirmed, how he died is told two ways."""
    suicide = case.timeline(SUICIDE)
    assert [(b.since, b.status) for b in suicide] == [
        (date(2018, 7, 3), Status.CLAIMED),
        (date(2018, 7, 4), Status.DISPUTED),
    ]
    missiles = case.belief(MISSILES, on=LATE_JULY_2018)
    assert {r.source for r in missiles.decided_by} == {
        "Iraqi intelligence (Falcons cell)"
    }
    assert case.belief(SON, on=LATE_JULY_2018).occurred_at == date(2018, 7, 2)


def test_refutation_stays_decisive(case: Ledger) -> None:
    """No later word overturns the 2017 refutation: still refuted in 2023."""
    assert case.belief(STRIKE, on=JULY_2023).status is Status.REFUTED
    changes = case.changes(since=date(2017, 9, 28), until=JULY_2023)
    assert STRIKE not in {change.proposition for change in changes}


def test_bitemporal_answer(case: Ledger) -> None:
    """As known on 10 July 2023, what had happened by 2020: dated confirmations only."""
    happened = case.occurred(by=fc.HAPPENED_BY, on=fc.KNOWN_ON)
    assert {b.proposition for b in happened} == {AIRSTRIKES, SON}
    # Confirmed, but the only report gives no date and is from 2023.
    assert case.belief(US_CAMPAIGN, on=fc.KNOWN_ON).occurred_at is None


def test_knowledge_time_versus_valid_time(case: Ledger) -> None:
    """The 7 July 2023 strike had happened by 8 July, but was known only from 9 July."""
    by = date(2023, 7, 8)
    known_then = {b.proposition for b in case.occurred(by=by, on=by)}
    known_later = {b.proposition for b in case.occurred(by=by, on=JULY_2023)}
    assert MUHAJIR not in known_then
    assert MUHAJIR in known_later


def test_loading_twice_records_nothing_new(case: Ledger) -> None:
    """The example's reports have stable ids: loading them again adds nothing."""
    before = len(list(case.entries()))
    assert case.record_all(read_reports(fc.REPORTS)) == 0
    assert len(list(case.entries())) == before == 20


@pytest.mark.usefixtures("_temp_folder")
def test_main_prints_the_answers(
    case: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() prints each date's beliefs, the timelines and the bitemporal answer."""
    assert fc.main([]) == 0
    out = capsys.readouterr().out
    for on, _, _ in fc.TELLING_DATES:
        assert f"On {on} " in out
        section = out.split(f"On {on} ", 1)[1].split("\n\n", 1)[0]
        for belief in case.beliefs(on=on):
            row = f"{belief.proposition:<36} {belief.status.value:<10} {belief.since}"
            assert row in section
    for key in fc.BAGHDADI_DEATHS:
        for belief in case.timeline(key):
            assert f"{belief.since}  {belief.status.value:<10} by " in out
    bitemporal = out.split("what had happened by 2020-01-01?", 1)[1]
    assert (
        "2017-05-28  russian-airstrikes-raqqa-2017 (confirmed 2017-06-16)" in bitemporal
    )
    assert "2018-07-02  baghdadi-son-killed-2018 (confirmed 2018-07-03)" in bitemporal
    assert f"Not listed: {US_CAMPAIGN} is confirmed" in bitemporal


@pytest.mark.usefixtures("_temp_folder")
def test_main_writes_the_timeline_page(
    case: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() ends with the path of the belief timeline page it wrote."""
    fc.main([])
    *_, announce, where = capsys.readouterr().out.splitlines()
    assert announce == "The belief timeline, to open in a browser:"
    page = Path(where.strip()).read_text(encoding="utf-8")
    assert f"<title>{fc.TITLE}</title>" in page
    assert all(f'"k":"{key}"' in page for key in case.propositions())


def test_main_refuses_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    """The script takes no arguments and says how to run it."""
    assert fc.main(["--help"]) == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.usefixtures("_temp_folder")
def test_output_fits_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """Every line the script prints fits in 80 columns."""
    fc.main([])
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 80


# -- the data and its provenance ----------------------------------------------


def test_every_report_names_an_article(case: Ledger) -> None:
    """Each report's url names an article record that lists it, and vice versa."""
    articles = fc.articles()
    listed = {rid: url for url, a in articles.items() for rid in a["reports"]}
    reports = [entry.report for entry in case.entries()]
    assert {r.report_id: r.url for r in reports} == listed
    assert all(a["reports"] for a in articles.values())


def test_article_dates_explain_every_report(case: Ledger) -> None:
    """Each report's reported_at is explained by its article's inference notes."""
    reported = {e.report.report_id: e.report.reported_at for e in case.entries()}
    explained = {}
    for article in fc.articles().values():
        for group in article["reported_at"]:
            assert group["reasoning"].strip()
            for rid in group["reports"]:
                explained[rid] = date.fromisoformat(group["date"])
    assert explained == reported


def test_every_statement_and_quote_is_present(case: Ledger) -> None:
    """Every report carries the proposition's statement and a quote."""
    for entry in case.entries():
        assert entry.report.statement, entry.report.report_id
        assert entry.report.quote, entry.report.report_id


def _seeds() -> dict[str, str]:
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS} (set LEDGER_SEEDS)")
    return {path.name: path.read_text("utf-8") for path in sorted(SEEDS.glob("*.txt"))}


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def test_every_seed_article_is_represented() -> None:
    """Every seed article has a record, with the seed's exact checksum."""
    seeds = _seeds()
    records = {a["seed"]: a for a in fc.articles().values()}
    assert set(records) == set(seeds)
    for name, text in seeds.items():
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert records[name]["sha256"] == digest, name


def test_quotes_and_clues_are_verbatim(case: Ledger) -> None:
    """Every quote, and every phrase a date was inferred from, is in its article."""
    seeds = {name: _squeezed(text) for name, text in _seeds().items()}
    for entry in case.entries():
        report = entry.report
        assert report.url is not None
        seed = report.url.removeprefix("seed:")
        assert report.quote is not None
        assert _squeezed(report.quote) in seeds[seed], report.report_id
    for article in fc.articles().values():
        for clue in article["clues"]:
            assert _squeezed(clue["phrase"]) in seeds[article["seed"]], clue
