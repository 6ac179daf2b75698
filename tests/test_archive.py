"""Archived sources (ledger.archive): normalising, reading and verifying quotes."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import InvalidArgument, Report, read_reports
from ledger.archive import Archive, normalise, quote_found, text_of, verify

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("LEDGER_SEEDS", REPO.parent / "shared" / "seeds"))
WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_normalise_folds_quotes_dashes_and_whitespace() -> None:
    """Curly quotes, dashes, odd spaces and zero-width characters read as ASCII."""
    assert normalise("\u201cIt\u2019s\u00a0done\u201d \u2014  they said\u2026\n") == (
        '"It\'s done" - they said...'
    )
    assert normalise("co\u00adop\u200beration") == "cooperation"
    assert normalise("Case Kept") == "Case Kept"
    assert normalise("\ufb01ne") == "fine"  # NFKC: the ligature is two letters


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    """Normalising twice is normalising once."""
    assert normalise(normalise(text)) == normalise(text)


def test_archive_derives_hash_and_size() -> None:
    """sha256 and size come from the content; times must be aware."""
    archive = Archive("https://x.example/", b"hello", "text/plain", WHEN)
    assert archive.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert archive.size == 5
    with pytest.raises(InvalidArgument, match="timezone-aware"):
        Archive("https://x.example/", b"", "text/plain", datetime(2026, 1, 1))
    with pytest.raises(InvalidArgument, match="media type"):
        Archive("https://x.example/", b"", "plain", WHEN)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        archive.url = "https://y.example/"  # type: ignore[misc]


def test_text_of_html_is_the_visible_text() -> None:
    """HTML gives its visible text: no markup, scripts or styles."""
    page = (
        b"<html><head><style>p{}</style><script>var x = 'hidden';</script></head>"
        b"<body><p>The mayor&rsquo;s <b>office</b>\n said so.</p></body></html>"
    )
    text = text_of(page, "text/html; charset=utf-8")
    assert "hidden" not in text
    assert "<b>" not in text
    assert normalise(text) == "The mayor's office said so."


def test_text_of_plain_text_and_others() -> None:
    """Plain text is decoded by its charset; other media types are refused."""
    assert text_of("caf\u00e9".encode("latin-1"), "text/plain; charset=latin-1") == (
        "caf\u00e9"
    )
    assert text_of(b"\xef\xbb\xbfhi", "text/plain") == "hi"
    with pytest.raises(InvalidArgument, match="cannot read text"):
        text_of(b"%PDF", "application/pdf")


def test_quote_found_and_verify() -> None:
    """The verify function lists quotes not in their archive and urls with no archive."""
    page = Archive(
        "https://x.example/a",
        "<p>He said \u201cwe\u2019ll see\u201d.</p>".encode(),
        "text/html",
        WHEN,
    )
    found = Report(
        kind="claimed",
        proposition="p",
        source="S",
        reported_at=date(2020, 1, 1),
        quote='he said "we\'ll see"'.capitalize(),
        url=page.url,
    )
    assert quote_found(found.quote or "", page)
    altered = found.replace(quote="He said \u201cwe\u2019ll go\u201d")
    elsewhere = found.replace(url="https://x.example/b")
    no_url = found.replace(url=None)
    problems = verify([found, altered, elsewhere, no_url], {page.url: page})
    assert [(p.report, p.reason) for p in problems] == [
        (altered, "quote-not-found"),
        (elsewhere, "no-archive"),
    ]
    assert "https://x.example/b" in str(problems[1])


# ---------------------------------------------------------------- founding case


def _articles() -> dict[str, Archive]:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed articles are not at {SEEDS}")
    about = json.loads(
        (REPO / "examples" / "founding_case_articles.json").read_text(encoding="utf-8")
    )
    archives = {}
    for article in about["articles"]:
        content = (SEEDS / article["seed"]).read_bytes()
        archive = Archive(article["url"], content, "text/plain; charset=utf-8", WHEN)
        assert archive.sha256 == article["sha256"], article["seed"]
        archives[archive.url] = archive
    return archives


def test_founding_case_quotes_are_in_their_articles() -> None:
    """Every quote of the founding case is found, normalised, in its seed article."""
    archives = _articles()
    reports = list(read_reports(REPO / "examples" / "founding_case.jsonl"))
    assert len(reports) == 20
    assert all(r.quote and r.url in archives for r in reports)
    assert verify(reports, archives) == []


def test_founding_case_quote_altered_by_one_word_fails() -> None:
    """Changing one word of a quote makes verify report it."""
    archives = _articles()
    reports = list(read_reports(REPO / "examples" / "founding_case.jsonl"))
    first = reports[0]
    assert first.quote is not None
    altered = first.replace(quote=first.quote.replace("killed", "wounded", 1))
    assert altered.quote != first.quote
    (problem,) = verify([altered, *reports[1:]], archives)
    assert problem.report == altered
    assert problem.reason == "quote-not-found"
