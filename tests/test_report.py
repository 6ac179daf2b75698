"""ledger.report: the data a picture draws, the page's safety, sizes, images."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ledger import Ledger, Report, Status
from ledger.io import read_reports
from ledger.report import belief_html, html_page, ledger_html, picture
from ledger.report._data import segments, status_at
from ledger.report._html import script_json, web_link

REPO = Path(__file__).resolve().parent.parent
FOUNDING = REPO / "examples" / "founding_case.jsonl"
STRIKE = "baghdadi-killed-raqqa-strike-2017"

FOUNDING_BUDGET = 64 * 1024
"""The founding case's page may weigh at most this many bytes (docs/report.md)."""
LARGE_REPORTS = 10_000
LARGE_PROPOSITIONS = 1_000
LARGE_BUDGET = 2 * 1024 * 1024
"""The page of 10,000 generated reports may weigh at most this many bytes."""


def founding() -> Ledger:
    """An in-memory ledger holding the founding case."""
    ledger = Ledger()
    ledger.record_all(read_reports(FOUNDING))
    return ledger


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_generate", REPO / "benchmarks" / "generate.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_generate", module)
    spec.loader.exec_module(module)
    return module


def large() -> Ledger:
    """An in-memory ledger of 10,000 deterministic generated reports."""
    ledger = Ledger()
    rows = _generator().reports(LARGE_REPORTS, LARGE_PROPOSITIONS, 1)
    ledger.record_all(Report.from_dict(row) for row in rows)
    return ledger


def page_data(page: str) -> dict[str, Any]:
    """The JSON a page embeds for its script."""
    match = re.search(
        r'<script type="application/json" id="ledger-data">(.*?)</script>', page, re.S
    )
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


class _Tags(HTMLParser):
    """Collects the tags and attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    """The start tags of ``page``, with their attributes."""
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


# -- the picture's data ---------------------------------------------------------


@pytest.mark.parametrize(
    "on", [date(2017, 6, 15), date(2017, 6, 20), date(2017, 10, 5), date(2023, 7, 10)]
)
def test_rows_give_the_statuses_of_the_library(on: date) -> None:
    """At every telling date, each row's status is what ledger.statuses(on=) says."""
    ledger = founding()
    drawn = picture(ledger)
    end = datetime.combine(on, datetime.max.time(), tzinfo=UTC)
    shown = {
        row.key: status
        for row in drawn.rows
        if (status := status_at(row, end)[0]) is not Status.UNKNOWN
    }
    assert shown == ledger.statuses(on=on)


def test_on_limits_the_picture_to_what_was_known() -> None:
    """With on=, only reports known by then are drawn, and the cursor starts there."""
    ledger = founding()
    drawn = picture(ledger, on=date(2017, 6, 20))
    known = [
        r for r in read_reports(FOUNDING) if r.known_from.date() <= date(2017, 6, 20)
    ]
    assert drawn.reports == len(known)
    assert {row.key for row in drawn.rows} == set(ledger.statuses(on=date(2017, 6, 20)))
    assert drawn.cursor == date(2017, 6, 20)


def test_keys_choose_and_order_the_rows() -> None:
    """Given keys, the picture draws those propositions, in that order."""
    keys = ["baghdadi-son-killed-2018", STRIKE]
    assert [row.key for row in picture(founding(), keys).rows] == keys


def test_struck_reports_stay_in_the_picture_marked_struck() -> None:
    """A struck report is still drawn, with its reason, and leaves the bands."""
    ledger = founding()
    ledger.strike("002-audio-recording-refutes", reason="entered twice")
    (row,) = picture(ledger, [STRIKE]).rows
    struck = [mark for mark in row.marks if mark.struck is not None]
    assert [(m.report_id, m.struck) for m in struck] == [
        ("002-audio-recording-refutes", "entered twice")
    ]
    assert [status for _, status in row.periods] == [
        b.status for b in ledger.timeline(STRIKE)
    ]


def test_answers_to_one_question_are_drawn_together() -> None:
    """Propositions naming the same question are adjacent, where the first stood."""
    ledger = Ledger()
    day = date(2018, 7, 4)
    for key, question in (
        ("suicide-attack", "how-did-hudeifa-die"),
        ("unrelated", None),
        ("russian-missiles", "how-did-hudeifa-die"),
    ):
        ledger.claim(key, source="S", reported_at=day, question=question)
    keys = ["suicide-attack", "unrelated", "russian-missiles"]
    rows = picture(ledger, keys).rows
    assert [row.key for row in rows] == [
        "suicide-attack",
        "russian-missiles",
        "unrelated",
    ]
    assert [row.question for row in rows] == [
        "how-did-hudeifa-die",
        "how-did-hudeifa-die",
        None,
    ]
    assert page_data(html_page(ledger))["rows"][0]["q"] == "how-did-hudeifa-die"


def test_long_empty_gaps_are_folded_out_of_the_axis() -> None:
    """The founding case's axis has three stretches: 2017, 2018 and 2023."""
    drawn = picture(founding())
    assert [(a.year, b.year) for a, b in drawn.segments] == [
        (2017, 2017),
        (2018, 2018),
        (2023, 2023),
    ]


def test_segments_cover_every_instant() -> None:
    """Every instant drawn lies inside one stretch; one instant gets a padded one."""
    base = datetime(2020, 1, 1, tzinfo=UTC)
    instants = [base + timedelta(days=d) for d in (0, 3, 400, 401, 2000)]
    found = segments(instants)
    assert all(any(a <= t <= b for a, b in found) for t in instants)
    assert len(found) == 3
    ((a, b),) = segments([base])
    assert a < base < b


def test_default_title_names_the_span_not_a_timestamp() -> None:
    """Without a title, the page is named for the dates its reports span."""
    drawn = picture(founding())
    assert drawn.title == "Belief timeline, 2017-06-16 to 2023-07-09"
    assert "<title>Belief timeline, 2017-06-16 to 2023-07-09</title>" in drawn.html()


# -- the page ---------------------------------------------------------------------


def test_page_is_self_contained() -> None:
    """The page loads nothing: no src or external href, a CSP that forbids it."""
    page = html_page(founding())
    for tag, attrs in tags(page):
        assert "src" not in attrs, tag
        if tag == "link":
            pytest.fail(f"the page links a resource: {attrs}")
    assert "default-src 'none'" in page
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", page)
    assert "http://" not in page.split("<script", 1)[0].replace("http://www.w3.org", "")


def test_page_data_is_the_ledger() -> None:
    """The embedded data lists every proposition and report of the ledger."""
    ledger = founding()
    data = page_data(html_page(ledger))
    rows = data["rows"]
    assert isinstance(rows, list)
    assert sorted(row["k"] for row in rows) == sorted(ledger.propositions())
    assert sum(len(row["m"]) for row in rows) == len(list(ledger.entries()))


def test_script_json_cannot_close_the_script() -> None:
    """Embedded JSON escapes <, >, & and U+2028/2029, and reads back the same."""
    value = {"k": "</script><script>alert(1)</script>&\u2028\u2029"}
    text = script_json(value)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in text
    assert json.loads(text) == value


def test_only_web_addresses_become_links() -> None:
    """http(s) urls are links; javascript:, data: and others are not."""
    assert web_link("https://example.org/a?b=1&c=2") == "https://example.org/a?b=1&c=2"
    assert web_link("HTTP://example.org") == "HTTP://example.org"
    for url in ("javascript:alert(1)", " javascript:x", "data:text/html,x", "seed:1"):
        assert web_link(url) is None


def test_hostile_text_stays_inside_the_json() -> None:
    """Markup in keys, statements, quotes and urls never reaches the page as markup."""
    ledger = Ledger()
    ledger.claim(
        "<script>alert(1)</script>",
        statement='"><img src=x onerror=alert(2)>',
        source="</script><script>alert(3)</script>",
        reported_at=date(2020, 1, 1),
        quote="\u2028</SCRIPT>",
        url="javascript:alert(4)",
    )
    page = html_page(ledger, title="<b>bold</b>")
    assert [tag for tag, _ in tags(page)].count("script") == 2
    assert not any(tag in ("img", "b") for tag, _ in tags(page))
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    (row,) = page_data(page)["rows"]
    assert row["k"] == "<script>alert(1)</script>"
    assert row["m"][0][7] is None  # no link
    assert row["m"][0][8] == "javascript:alert(4)"  # shown as text


def test_size_budgets() -> None:
    """The founding page and the page of 10,000 reports stay within their budgets."""
    small = len(html_page(founding()).encode("utf-8"))
    big = len(html_page(large()).encode("utf-8"))
    assert small <= FOUNDING_BUDGET, small
    assert big <= LARGE_BUDGET, big


# -- notebooks and images -----------------------------------------------------------


def test_belief_renders_in_notebooks() -> None:
    """Belief._repr_html_ is a card with the status, since and deciding sources."""
    belief = founding().belief(STRIKE, on=date(2017, 6, 20))
    card = belief._repr_html_()
    assert card == belief_html(belief)
    assert 'data-status="disputed"' in card
    assert "2017-06-16" in card
    assert "US-led coalition (Col. Ryan Dillon)" in card


def test_belief_card_escapes_and_links_only_the_web() -> None:
    """A belief card escapes what reports say and links only http(s) urls."""
    ledger = Ledger()
    ledger.refute(
        "p", source="<i>S</i>", reported_at=date(2020, 1, 1), url="javascript:x"
    )
    card = ledger.belief("p", on=date(2020, 1, 2))._repr_html_()
    assert "<i>S</i>" not in card
    assert "&lt;i&gt;S&lt;/i&gt;" in card
    assert "href" not in card


def test_ledger_renders_in_notebooks() -> None:
    """Ledger._repr_html_ summarises its size and today's count per status."""
    ledger = founding()
    card = ledger._repr_html_()
    assert card == ledger_html(ledger)
    assert "10 propositions, 20 reports" in card
    counts = Counter(ledger.statuses(on=datetime.now(UTC)).values())
    assert f"{counts[Status.CONFIRMED]}&nbsp;" in card


def test_picture_renders_in_notebooks_in_a_frame() -> None:
    """A picture shows itself in Jupyter as the page, sandboxed in an iframe."""
    frame = picture(founding(), [STRIKE])._repr_html_()
    assert frame.startswith("<iframe srcdoc=")
    assert 'sandbox="allow-scripts"' in frame
    assert "<script" not in frame  # the page is inside the escaped attribute


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_static_image(tmp_path: Path, suffix: str) -> None:
    """write_image draws a PNG, or an SVG when the name ends .svg."""
    pytest.importorskip("matplotlib")
    out = tmp_path / f"timeline{suffix}"
    picture(founding(), title="The founding case").write_image(out)
    data = out.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    else:
        assert b"<svg" in data[:500]
        assert b"The founding case" in data or b"founding" in data
