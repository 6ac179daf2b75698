"""The belief timeline page in a real headless Chromium, driven by selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``scripts/test`` installs
them under CI). Without them the tests are skipped, saying why; with ``CI`` set
they fail instead, so CI cannot pass without having opened a browser.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger import Ledger, Status
from ledger.io import read_reports
from ledger.report import html_page
from ledger.report._html import PAGE_SIZE
from tests.test_report import (
    FOUNDING,
    LARGE_PROPOSITIONS,
    LARGE_REPORTS,
    founding,
    large,
)

CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
STRIKE = "baghdadi-killed-raqqa-strike-2017"
DOM_BUDGET = 4_000
"""The page of 10,000 reports may hold at most this many elements at once."""
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI, but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium with a fresh profile, logging console and network."""
    chromium = shutil.which("chromium")
    if chromium is None or not CHROMEDRIVER.exists():
        _unavailable(
            "Debian's chromium and chromium-driver are not installed "
            "(apt-get install chromium chromium-driver)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (it is in the test group)")
    profile = tempfile.mkdtemp(prefix="ledger-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1400,1000")
    options.set_capability(
        "goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"}
    )
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver: Any, path: Path, page: str, *, width: int = 1400) -> None:
    """Write ``page`` to ``path`` and load it from file://, waiting for the rows."""
    from selenium.webdriver.support.ui import WebDriverWait

    path.write_text(page, encoding="utf-8")
    driver.set_window_size(width, 1000)
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get_log("performance")
    driver.get(path.as_uri())
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script(
            "return document.documentElement.classList.contains('drawn')"
        )
    )


def summary_counts(driver: Any) -> dict[str, int]:
    """The cursor summary's count per status, as the page shows it."""
    items = driver.find_elements("css selector", "#summary .count-item")
    return {
        item.get_attribute("data-status"): int(item.get_attribute("data-count"))
        for item in items
    }


def row_statuses(driver: Any) -> dict[str, str]:
    """Each drawn row's status at the cursor ("none": no report yet)."""
    return {
        row.get_attribute("data-key"): row.get_attribute("data-status")
        for row in driver.find_elements("css selector", "#rows .row")
    }


def expected_counts(ledger: Ledger, on: date) -> dict[str, int]:
    """What ledger.statuses(on=) says, counted per status as the summary shows."""
    counted = Counter(status.value for status in ledger.statuses(on=on).values())
    shown = [s for s in Status if s is not Status.UNKNOWN or counted[s.value]]
    return {status.value: counted[status.value] for status in shown}


def type_date(driver: Any, text: str) -> None:
    """Type ``text`` into the cursor's date box, as a user would."""
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element("id", "cursor-date")
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACKSPACE)
    box.send_keys(text)


def no_alert(driver: Any) -> bool:
    """Whether no alert, confirm or prompt is open."""
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert.dismiss()
    except NoAlertPresentException:
        return True
    return False


@pytest.fixture(scope="module")
def case() -> Ledger:
    """The founding case, in memory."""
    return founding()


@pytest.fixture
def founding_page(browser: Any, case: Ledger, tmp_path: Path) -> Any:
    """The founding case's page, open in the browser."""
    open_page(browser, tmp_path / "founding.html", html_page(case))
    return browser


def test_page_loads_from_file_without_errors_or_network(founding_page: Any) -> None:
    """From file://, the page logs no console error and makes no network request."""
    driver = founding_page
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources == []
    requested = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    assert all(url.startswith("file://") for url in requested), requested
    assert len(driver.find_elements("css selector", "#rows .row")) == 10


def test_bands_and_markers_are_those_of_the_ledger(
    founding_page: Any, case: Ledger
) -> None:
    """Each row's bands follow ledger.timeline; its markers hold every report."""
    driver = founding_page
    drawn = driver.execute_script(
        """return Array.from(document.querySelectorAll('#rows .row')).map(row => ({
             key: row.dataset.key,
             bands: Array.from(row.querySelectorAll('.band')).map(b => b.dataset.status),
             kinds: Array.from(row.querySelectorAll('.mark'))
                      .flatMap(m => m.dataset.kinds.split(' ')),
             statement: row.querySelector('.statement').textContent}))"""
    )
    assert sorted(row["key"] for row in drawn) == sorted(case.propositions())
    for row in drawn:
        bands = [
            s for i, s in enumerate(row["bands"]) if i == 0 or row["bands"][i - 1] != s
        ]
        assert bands == [b.status.value for b in case.timeline(row["key"])], row["key"]
        kinds = Counter(e.report.kind.value for e in case.history(row["key"]))
        assert Counter(row["kinds"]) == kinds, row["key"]
        assert row["statement"] == case.timeline(row["key"])[-1].statement


@pytest.mark.parametrize("on", [date(2017, 6, 20), date(2017, 10, 5)])
def test_typing_a_date_shows_what_was_believed_then(
    founding_page: Any, case: Ledger, on: date
) -> None:
    """A typed date moves the cursor; the summary is what statuses(on=) says."""
    driver = founding_page
    type_date(driver, on.isoformat())
    summary = driver.find_element("id", "summary")
    assert summary.get_attribute("data-day") == on.isoformat()
    assert summary_counts(driver) == expected_counts(case, on)
    statuses = {key: s.value for key, s in case.statuses(on=on).items()}
    assert row_statuses(driver) == {
        key: statuses.get(key, "none") for key in case.propositions()
    }


def test_dragging_the_cursor_changes_the_summary(
    founding_page: Any, case: Ledger
) -> None:
    """Dragging the slider moves the date; the summary follows the library."""
    from selenium.webdriver.common.action_chains import ActionChains

    driver = founding_page
    type_date(driver, "2017-06-01")
    slider = driver.find_element("id", "cursor-range")
    width = slider.size["width"]
    days = []
    for fraction in (0.35, 0.7):
        ActionChains(driver).move_to_element_with_offset(
            slider, -width // 2 + 4, 0
        ).click_and_hold().move_by_offset(int(width * fraction), 0).release().perform()
        day = driver.find_element("id", "summary").get_attribute("data-day")
        days.append(day)
        assert summary_counts(driver) == expected_counts(case, date.fromisoformat(day))
    assert days[0] < days[1]
    assert driver.find_element("id", "cursor-date").get_attribute("value") == days[1]


def test_keyboard_focus_reaches_a_marker_and_shows_it(
    founding_page: Any, case: Ledger
) -> None:
    """Tabbing reaches a report marker; its source, kind, date and quote show."""
    from selenium.webdriver.common.keys import Keys

    driver = founding_page
    driver.find_element("id", "filter").click()
    for _ in range(40):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        focused = driver.switch_to.active_element
        if "mark" in (focused.get_attribute("class") or "").split():
            break
    else:
        pytest.fail("Tab never reached a report marker")
    details = driver.find_element("id", "details")
    assert details.is_displayed()
    row = focused.find_element("xpath", "ancestor::div[contains(@class, 'row')]")
    key = row.get_attribute("data-key")
    first = case.history(key)[0].report
    text = details.text
    assert first.source in text
    assert first.kind.value in text
    assert str(first.reported_at) in text
    assert first.quote is not None
    assert first.quote[:40] in text
    focused.send_keys(Keys.ESCAPE)
    assert not details.is_displayed()


def test_screenshots_wide_and_narrow(
    browser: Any, case: Ledger, tmp_path: Path
) -> None:
    """At 1400 and 360 px the page fits its width, dates on one line; saved as PNG."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1400, 360):
        open_page(browser, tmp_path / "founding.html", html_page(case), width=width)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{overflow}px too wide at {width}px"
        wrapped = browser.execute_script(
            """return Array.from(document.querySelectorAll('time, .date'))
                 .filter(e => e.getClientRects().length > 1).length"""
        )
        assert wrapped == 0
        shot = ARTIFACTS / f"founding-case-{width}.png"
        assert browser.save_screenshot(str(shot))
        assert shot.read_bytes().startswith(b"\x89PNG")


def test_struck_reports_are_shown_struck(browser: Any, tmp_path: Path) -> None:
    """A struck report keeps its marker, drawn struck, with the reason in its details."""
    ledger = Ledger()
    ledger.record_all(read_reports(FOUNDING))
    ledger.strike("002-audio-recording-refutes", reason="entered twice by mistake")
    open_page(browser, tmp_path / "struck.html", html_page(ledger, [STRIKE]))
    marks = browser.find_elements("css selector", "#rows .mark[data-struck='1']")
    assert len(marks) == 1
    assert marks[0].find_elements("css selector", ".strike")
    marks[0].click()
    assert (
        "struck: entered twice by mistake" in browser.find_element("id", "details").text
    )
    bands = browser.find_elements("css selector", "#rows .band")
    assert {band.get_attribute("data-status") for band in bands} == {"disputed"}


HOSTILE = {
    "key": "<script>window.__pwned = 1; alert(1)</script>",
    "statement": '"><img src=x onerror="window.__pwned = 2; alert(2)">',
    "source": "<b onmouseover=alert(3)>bold</b></script><script>alert(4)</script>",
    "quote": "</SCRIPT><svg onload=alert(5)>\u2028\u2029",
    "url": "javascript:window.__pwned = 3; alert(6)",
}


def test_hostile_text_is_shown_as_text_and_never_runs(
    browser: Any, tmp_path: Path
) -> None:
    """Markup in keys, statements, sources, quotes and urls is text; nothing runs."""
    ledger = Ledger()
    ledger.claim(
        HOSTILE["key"],
        statement=HOSTILE["statement"],
        source=HOSTILE["source"],
        reported_at=date(2020, 1, 1),
        occurred_at=date(2019, 12, 1),
        quote=HOSTILE["quote"],
        url=HOSTILE["url"],
    )
    ledger.dispute(
        HOSTILE["key"], source="Fact-checker", reported_at=date(2020, 2, 1),
        url="https://example.org/check?a=1&b=<2>",
    )  # fmt: skip
    open_page(browser, tmp_path / "hostile.html", html_page(ledger, title="<i>t</i>"))
    assert no_alert(browser)
    for mark in browser.find_elements("css selector", "#rows .mark"):
        mark.click()
        assert no_alert(browser)
        assert browser.execute_script("return window.__pwned") is None
    assert (
        browser.execute_script(
            "return document.querySelectorAll("
            "'img, i, [onerror], [onload], [onmouseover], b:not(#summary b)').length"
        )
        == 0
    )
    assert (
        browser.find_element("css selector", ".statement").text == HOSTILE["statement"]
    )
    assert browser.find_element("css selector", ".key").text == HOSTILE["key"]
    assert browser.find_element("tag name", "h1").text == "<i>t</i>"
    browser.find_elements("css selector", "#rows .mark")[0].click()
    details = browser.find_element("id", "details")
    assert HOSTILE["source"] in details.text
    assert HOSTILE["url"] in details.text
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a')).map(a => a.href)"
    )
    assert not any(href.lower().startswith("javascript:") for href in hrefs)
    browser.find_elements("css selector", "#rows .mark")[1].click()
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('#details a')).map(a => a.href)"
    )
    assert hrefs == ["https://example.org/check?a=1&b=%3C2%3E"]
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


@pytest.fixture(scope="module")
def big() -> Ledger:
    """10,000 generated reports over 1,000 propositions."""
    return large()


def test_a_big_ledger_is_paged_not_drawn_whole(
    browser: Any, big: Ledger, tmp_path: Path
) -> None:
    """10,000 reports: a page of rows at a time, within the element budget."""
    open_page(browser, tmp_path / "big.html", html_page(big))
    elements = browser.execute_script(
        "return document.getElementsByTagName('*').length"
    )
    assert elements <= DOM_BUDGET, elements
    assert len(browser.find_elements("css selector", "#rows .row")) == PAGE_SIZE
    info = browser.find_element("id", "page-info").text
    assert info == f"propositions 1\u2013{PAGE_SIZE} of {LARGE_PROPOSITIONS:,}"
    assert sum(1 for _ in big.entries()) == LARGE_REPORTS
    on = date(2016, 3, 1)
    type_date(browser, on.isoformat())
    assert summary_counts(browser) == expected_counts(big, on)
    browser.find_element("id", "next").click()
    assert browser.find_element("id", "page-info").text.startswith(
        f"propositions {PAGE_SIZE + 1}\u2013"
    )
    keys = list(row_statuses(browser))
    browser.find_element("id", "filter").send_keys(keys[0])
    assert list(row_statuses(browser)) == [keys[0]]


def test_a_missing_browser_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without chromium, the browser tests fail when CI is set, else skip."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        _unavailable("no chromium")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        _unavailable("no chromium")
