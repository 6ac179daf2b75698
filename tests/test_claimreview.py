"""ClaimReview import (read_claimreviews, sniff) and export (beliefs_to_claimreview)."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import (
    InvalidFile,
    Kind,
    Ledger,
    Report,
    Status,
    beliefs_to_claimreview,
    read_claimreviews,
)
from ledger.claimreview import (
    RATINGS,
    normalise_rating,
    rating_kind,
    read_aliases,
    sniff,
)
from ledger.strategies import ledger_reports, report_times

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "claimreview"
SHARED = REPO.parent / "shared" / "claimreview"

R, C, D, K = Kind.REFUTED, Kind.CONFIRMED, Kind.DISPUTED, Kind.CLAIMED


def kinds(path: Path, **options: object) -> list[tuple[str, str]]:
    """(kind, source) of every report read from ``path``."""
    return [(r.kind.value, r.source) for r in read_claimreviews(path, **options)]  # type: ignore[arg-type]


def problems(path: Path, **options: object) -> list[str]:
    """The messages of the InvalidFile raised reading ``path``."""
    with pytest.raises(InvalidFile) as caught:
        read_claimreviews(path, **options)  # type: ignore[arg-type]
    return [error.message for error in caught.value.errors]


# ---------------------------------------------------------------- ratings


@pytest.mark.parametrize(
    ("rating", "kind"),
    [
        ("False", R),
        (" PANTS ON FIRE! ", R),
        ("Fake", R),
        ("incorrect", R),
        ("True", C),
        ("Correct", C),
        ("Misleading", D),
        ("Half-True", D),
        ("half_true", D),
        ("Mixture", D),
        ("Missing context", D),
        ("Unproven", D),
        ("Falso", R),
        ("Engañoso", D),
        ("Enganoso", D),
        ("Faux", R),
        ("Trompeur", D),
        ("Falsch", R),
        ("Irreführend", D),
        ("não_é_bem_assim", D),
        ("Verdadeiro", C),
        ("Fuorviante", D),
        ("C'eri quasi", D),
        ("證據不足", D),
        ("Mostly&nbsp;False", D),
    ],
)
def test_rating_table_maps_each_language(rating: str, kind: Kind) -> None:
    """Textual ratings in many languages map, after normalisation, to a kind."""
    assert rating_kind(rating) is kind


def test_unknown_rating_is_none_and_overrides_win() -> None:
    """An unknown rating maps to nothing; user and publisher overrides add to it."""
    assert rating_kind("Satire") is None
    assert rating_kind("really_false") is None
    assert rating_kind("really_false", publisher=["20 Minutes"]) is R
    assert rating_kind("Satire", ratings={"satire": "refuted"}) is R
    table = {"checks.example": {"False": "disputed"}}
    assert (
        rating_kind("False", publisher=["checks.example"], publisher_ratings=table) is D
    )


def test_normalise_rating() -> None:
    """Case-folded, trimmed, punctuation and underscores made single spaces."""
    assert normalise_rating("  Half-True!! ") == "half true"
    assert normalise_rating("NÃO_É_BEM_ASSIM") == "não é bem assim"
    assert all(key == normalise_rating(key) for key in RATINGS)


# ---------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("graph-and-type-list.jsonld", "jsonld"),
        ("relative-url.html", "html"),
        ("datafeed.json", "feed"),
        ("factcheck-api.json", "factcheck"),
        ("mediareview.jsonld", "jsonld"),
    ],
)
def test_sniff_recognises_each_format(name: str, expected: str) -> None:
    """The sniff function names the format of each kind of document, from a path or its head."""
    assert sniff(FIXTURES / name) == expected
    assert sniff((FIXTURES / name).read_bytes()[:200]) == expected


def test_sniff_leaves_report_files_alone() -> None:
    """JSON Lines and CSV report files are no ClaimReview format."""
    assert sniff(REPO / "examples" / "founding_case.jsonl") is None
    assert sniff(b"kind,proposition,source,reported_at\n") is None


# ---------------------------------------------------------------- mapping


def test_claim_and_verdict_reports() -> None:
    """A review gives a claim by its author at its date and a verdict by the org."""
    claim, verdict = read_claimreviews(FIXTURES / "graph-and-type-list.jsonld")
    assert (claim.kind, claim.source, claim.reported_at) == (
        K,
        "A blogger",
        date(2021, 2, 27),
    )
    assert claim.statement == claim.quote == "The moon is made of cheese"
    assert claim.rating is None
    assert (verdict.kind, verdict.source, verdict.reported_at) == (
        R,
        "Example Checks",  # the publisher, found through its @id; not the writer
        date(2021, 3, 2),
    )
    assert verdict.rating == "Pants on Fire!"
    assert verdict.url == claim.url == "https://checks.example/2021/moon-cheese/"
    assert verdict.proposition == claim.proposition == "checks.example/2021/moon-cheese"


def test_no_claim_report_without_claimant_and_date() -> None:
    """Empty claimant or claim date: only the verdict; numbers on a declared scale."""
    (verdict,) = read_claimreviews(FIXTURES / "empty-fields.jsonld")
    assert verdict.kind is R
    assert verdict.rating == "1 (1 worst, 5 best)"


def test_numbers_only_on_a_declared_scale() -> None:
    """On a declared scale: worst refutes, best confirms, between disputes."""
    assert [k for k, _ in kinds(FIXTURES / "numbers.jsonld")] == [
        "refuted",
        "confirmed",
        "disputed",
    ]
    with pytest.raises(InvalidFile) as caught:
        read_claimreviews(FIXTURES / "undeclared-scale.jsonld")
    assert [e.field for e in caught.value.errors] == ["reviewRating.ratingValue"] * 2
    found = problems(FIXTURES / "undeclared-scale.jsonld")
    assert len(found) == 2
    assert all("not on a scale whose direction is declared" in m for m in found)


def test_dates_with_and_without_zones() -> None:
    """Dates stay dates; offsets are kept; a datetime without zone keeps its date."""
    times = [r.reported_at for r in read_claimreviews(FIXTURES / "dates.jsonld")]
    assert times == [
        date(2022, 5, 30),
        date(2022, 6, 1),
        datetime(2022, 5, 31, 8, 0, 0, 250000, tzinfo=UTC),
        datetime(2022, 6, 1, 18, 30, tzinfo=timezone(timedelta(hours=2))),
        date(2022, 6, 1),
    ]


def test_bad_dates_are_refused() -> None:
    """An unreadable date, and a claim dated after its review, name review and field."""
    with pytest.raises(InvalidFile) as caught:
        read_claimreviews(FIXTURES / "bad-dates.jsonld")
    first, second = caught.value.errors
    assert first.field == "datePublished"
    assert "review 1 (https://checks.example/b/1)" in first.message
    assert "'1 June 2022'" in first.message
    assert second.field == "itemReviewed.datePublished"
    assert "dated after its review" in second.message
    assert "bad-dates.jsonld" in str(caught.value)


def test_relative_url_resolves_against_the_page_and_entities_unescape() -> None:
    """A page's canonical url resolves a relative review url; entities unescape."""
    claim, verdict = read_claimreviews(FIXTURES / "relative-url.html")
    assert verdict.url == "https://checks.example/2023/parade/"
    assert claim.source == "Town & Country Radio"
    assert claim.statement == 'The parade was cancelled & moved to "next year"'
    assert verdict.rating == "Mostly False"
    assert verdict.kind is D


def test_relative_url_without_a_page_url_is_refused() -> None:
    """A relative url with no page url to resolve it against is an error."""
    doc = {
        "@type": "ClaimReview",
        "url": "/checks/1",
        "datePublished": "2023-01-01",
        "author": {"@type": "Organization", "name": "Example Checks"},
        "reviewRating": {"alternateName": "False"},
    }
    stream = io.BytesIO(json.dumps(doc).encode())
    with pytest.raises(InvalidFile) as caught:
        read_claimreviews(stream, name="doc.jsonld")
    assert "relative url" in caught.value.errors[0].message
    stream.seek(0)
    (verdict,) = read_claimreviews(stream, base_url="https://checks.example/x/")
    assert verdict.url == "https://checks.example/checks/1"


def test_two_serialisations_of_one_review_are_read_once() -> None:
    """The same review in JSON-LD and microdata gives its reports once."""
    reports = list(read_claimreviews(FIXTURES / "two-serialisations.html"))
    assert [(r.kind, r.source) for r in reports] == [
        (K, "A commuter"),
        (C, "Example Checks"),
    ]
    assert reports[0].statement == 'The ferry now runs "every hour"'  # JSON-LD's


def test_two_reviews_on_one_page_get_keys_by_position() -> None:
    """Reviews sharing a url are keyed by it and their position on the page."""
    keys = [
        r.proposition
        for r in read_claimreviews(FIXTURES / "two-reviews-one-page.jsonld")
    ]
    assert keys == ["checks.example/roundup", "checks.example/roundup#2"]


def test_a_writer_typed_organization_is_not_the_reviewer() -> None:
    """An Organization author whose url is an author page yields to the url's host."""
    assert kinds(FIXTURES / "writer-typed-organization.jsonld") == [
        ("refuted", "checks.example")
    ]


def test_feeds_and_the_fact_check_api() -> None:
    """DataFeed items and claims:search reviews are read like any ClaimReview."""
    assert kinds(FIXTURES / "datafeed.json") == [
        ("claimed", "Speaker A"),
        ("disputed", "Example Checks"),
        ("confirmed", "Example Checks"),
    ]
    found = problems(FIXTURES / "factcheck-api.json")
    assert found == [
        (
            "review 3 (https://checks.example/mayor/): unknown rating 'Satire' "
            "(normalised 'satire'): not in the rating table; add it with ratings= or "
            "publisher_ratings=, or skip invalid reviews"
        )
    ]


def test_skip_invalid_lists_what_was_skipped() -> None:
    """With skip_invalid the valid reviews are read and the problems listed."""
    read = read_claimreviews(FIXTURES / "factcheck-api.json", skip_invalid=True)
    assert [(r.kind.value, r.source) for r in read] == [
        ("claimed", "A forum post"),
        ("refuted", "Example Checks"),
        ("claimed", "A forum post"),
        ("refuted", "other.example"),  # no publisher name: the site
    ]
    assert len(read) == 4
    assert [e.field for e in read.skipped] == ["reviewRating.alternateName"]
    assert "'Satire'" in read.skipped[0].message


def test_mediareview_and_invalid_json_are_refused() -> None:
    """A MediaReview is not read as a verdict; invalid JSON names line and column."""
    (message,) = problems(FIXTURES / "mediareview.jsonld")
    assert message.startswith(
        "expected at least one ClaimReview, found MediaReview "
        "(https://checks.example/video/): a MediaReview is not read"
    )
    with pytest.raises(InvalidFile) as caught:
        read_claimreviews(io.BytesIO(b'{"@type": "ClaimReview",}'), name="x.jsonld")
    assert "not valid JSON" in caught.value.errors[0].message
    assert "line 1, column 25" in caught.value.errors[0].message


def test_not_a_claimreview_document() -> None:
    """A report file given to read_claimreviews is refused, saying what was expected."""
    with pytest.raises(InvalidFile) as caught:
        read_claimreviews(REPO / "examples" / "founding_case.jsonl")
    assert caught.value.errors[0].field == "format"


def test_aliases_merge_keys_across_checkers_and_languages(tmp_path: Path) -> None:
    """An alias file maps default keys (or review urls) to one canonical key."""
    english = read_claimreviews(
        FIXTURES / "factcheck-api.json",
        skip_invalid=True,
        aliases=FIXTURES / "aliases.csv",
    )
    spanish = read_claimreviews(
        FIXTURES / "factcheck-api.json",
        skip_invalid=True,
        aliases=FIXTURES / "aliases.json",
    )
    assert {r.proposition for r in english} == {
        "river-froze-july-2023",
        "other.example/es/rio",
    }
    assert {r.proposition for r in spanish} == {
        "river-froze-july-2023",
        "checks.example/river",
    }
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": ""}', encoding="utf-8")
    with pytest.raises(InvalidFile):
        read_aliases(bad)
    assert read_aliases({"a": "b"}) == {"a": "b"}
    twice = tmp_path / "twice.csv"
    twice.write_text("key,canonical\na,b\na,c\n", encoding="utf-8")
    with pytest.raises(InvalidFile, match="given twice"):
        read_aliases(twice)


def test_import_is_idempotent_in_a_ledger() -> None:
    """Recording a document twice records its reports once (content ids)."""
    ledger = Ledger()
    assert ledger.record_all(read_claimreviews(FIXTURES / "datafeed.json")) == 3
    ledger.record_all(read_claimreviews(FIXTURES / "datafeed.json"))
    assert len(list(ledger.entries())) == 3
    assert ledger.belief("checks.example/feed/b", on=date(2023, 6, 2)).status is (
        Status.CONFIRMED
    )


# ---------------------------------------------------------------- export


def _founding_ledger() -> Ledger:
    from ledger import read_reports

    ledger = Ledger()
    ledger.record_all(read_reports(REPO / "examples" / "founding_case.jsonl"))
    return ledger


@pytest.mark.parametrize(
    "on", [date(2017, 6, 20), date(2017, 10, 5), date(2018, 7, 25), date(2023, 7, 10)]
)
def test_export_round_trips_to_the_same_statuses(on: date, tmp_path: Path) -> None:
    """Export, read back, record: every proposition has the same status on D."""
    ledger = _founding_ledger()
    reviews = beliefs_to_claimreview(ledger, on=on, author="Example Desk")
    path = tmp_path / "export.jsonld"
    path.write_text(json.dumps(reviews, ensure_ascii=False), encoding="utf-8")
    again = Ledger()
    again.record_all(read_claimreviews(path))
    assert again.statuses(on=on) == ledger.statuses(on=on)


def test_export_shape() -> None:
    """One ClaimReview per proposition, status on the declared scale, claim and urls."""
    ledger = _founding_ledger()
    reviews = beliefs_to_claimreview(
        ledger,
        on=date(2017, 6, 20),
        author="Example Desk",
        keys=["baghdadi-killed-raqqa-strike-2017"],
    )
    (review,) = reviews
    assert review["@type"] == "ClaimReview"
    assert review["identifier"] == "baghdadi-killed-raqqa-strike-2017"
    assert review["author"] == {"@type": "Organization", "name": "Example Desk"}
    assert review["datePublished"] == "2017-06-20"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 2,
        "bestRating": 4,
        "worstRating": 1,
        "alternateName": "disputed",
    }
    item = review["itemReviewed"]
    assert item["author"]["name"] == "Russian Ministry of Defence"
    assert item["datePublished"] == "2017-06-16"
    assert item["firstAppearance"]["url"] == "seed:000_51d1c624726e51c5.txt"
    assert [a["url"] for a in item["appearance"]] == [
        "seed:000_51d1c624726e51c5.txt",
        "seed:001_7d6f7f87e964a03e.txt",
    ]


# ---------------------------------------------------------------- shared fixtures

MEDIAREVIEW = (
    "found MediaReview (https://www.politifact.com/factchecks/2021/apr/27/"
    "instagram-posts/mariah-carey-didnt-fake-getting-her-covid-19-vacci/): "
    "a MediaReview is not read"
)

# What each real document means, read by hand: the (kind, source) of every
# report it gives, or words every refusal must contain.
EXPECTED: dict[str, list[tuple[str, str]] | list[str]] = {
    "api/sih-web__factCheckApiResponse.json": [
        (
            "claimed",
            "NewsX, One India, Live Hindustan's Deputy Chief Content Producer at Himanshu Jha; India Today anchor Gaurav C Sawant; senior correspondent at RSS mouthpiece Organiser Nishant Azad, Earshot founding editor Abhijit Majumder, and journalist Vicky Nanjappa",
        ),
        ("refuted", "Alt News"),
        ("claimed", "Social media"),
        ("disputed", "Newsmobile"),
        ("claimed", "Social media"),
        ("refuted", "Newsmobile"),
        ("claimed", "Social Media"),
        ("refuted", "Newsmobile"),
        ("claimed", "Facebook"),
        ("refuted", "The Quint"),
        ("claimed", "Social Media"),
        ("disputed", "Newsmobile"),
        ("claimed", "SOCIAL MEDIA POST"),
        ("refuted", "FACTLY"),
        ("claimed", "Viral Social Media Post"),
        ("disputed", "Newschecker"),  # "False Context"
        ("claimed", "Facebook,Twitter"),
        ("refuted", "The Quint"),
        ("claimed", "Facebook"),
        ("refuted", "The Quint"),
    ],
    "pages/meedan-fetch__afp_factuel_raw.jsonld": [
        ("claimed", "Sources multiples"),
        ("refuted", "AFP"),
    ],
    "pages/meedan-fetch__afp_faktencheck_raw.jsonld": [
        ("claimed", "Facebook-Nutzer"),
        ("refuted", "AFP"),
    ],
    "pages/meedan-fetch__afp_raw.jsonld": [
        ("claimed", "multiple sources"),
        ("refuted", "AFP Fact Check"),
    ],
    "pages/meedan-fetch__africa_check_raw.jsonld": [
        ("claimed", "Mzwandile Masina, mayor of Ekurhuleni"),
        ("refuted", "africacheck.org"),  # the "Organization" author is a writer
    ],
    "pages/meedan-fetch__aos_fatos_raw.jsonld": [
        ("claimed", "desinformação"),
        ("disputed", "Aos Fatos"),
    ],
    "pages/meedan-fetch__boom_live_raw.jsonld": [
        ("claimed", "Facebook Page - NoConversion"),
        ("refuted", "BOOM"),
    ],
    "pages/meedan-fetch__estadao_raw.jsonld": [
        "is a relative url",
        "datePublished is missing",
        "no reviewing organisation",
    ],
    "pages/meedan-fetch__fact_check_cite_raw.jsonld": [
        "unknown rating 'The Health Desk Experts said"
    ],
    "pages/meedan-fetch__india_today_mixed_ld_json_types.jsonld": [
        ("claimed", "Facebook user"),
        ("disputed", "India Today"),
    ],
    "pages/meedan-fetch__india_today_raw.jsonld": ["datePublished is missing"],
    "pages/meedan-fetch__news_checker_raw.jsonld": [
        ("claimed", "Viral social media post"),
        ("refuted", "Newschecker.in"),
    ],
    "pages/meedan-fetch__newtral_fact_check_raw.jsonld": [
        ("claimed", "Sergio Sayas"),
        ("disputed", "Newtral"),
    ],
    "pages/meedan-fetch__tfc_taiwan_missing_page.jsonld": [
        ("disputed", "台灣事實查核中心"),
    ],
    "pages/meedan-fetch__twenty_minutes_claim_review_page.jsonld": [
        ("claimed", "Réseaux sociaux"),
        ("refuted", "20 minutes"),
    ],
    "schemaorg/issue-2450-examples.MediaReview.eg-0467.jsonld": [MEDIAREVIEW],
    "schemaorg/issue-2450-examples.MediaReview.txt": [MEDIAREVIEW],
    "schemaorg/pending-issue-1061-examples.2016-04-12.block1.jsonld": [
        "not valid JSON: Expecting property name enclosed in double quotes at line 19"
    ],
    "schemaorg/pending-issue-1061-examples.2016-04-12.txt": [
        "JSON-LD block 1 is not valid JSON"
    ],
    "schemaorg/sdo-ClaimReview-issue-1061-examples.eg-0324.jsonld": [
        ("claimed", "Rich Perry"),
        ("confirmed", "politifact.com"),  # alternateName "True"; scale undeclared
    ],
    "schemaorg/sdo-ClaimReview-issue-1061-examples.eg-0325.jsonld": [
        "review 1 (http://danbri.org/2017/TODO): reviewRating is missing"
    ],
    "schemaorg/sdo-ClaimReview-issue-1061-examples.txt": [
        "review 2 (http://danbri.org/2017/TODO): reviewRating is missing"
    ],
}

NEWTRAL_FEED = "feeds/meedan-fetch__newtral_fact_check_index_raw.json"


def _shared(relative: str) -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared ClaimReview documents are not at {SHARED}")
    return SHARED / relative


def test_every_shared_document_has_an_expectation() -> None:
    """Each document in ../shared/claimreview is checked by a test below."""
    if not SHARED.is_dir():
        pytest.skip(f"the shared ClaimReview documents are not at {SHARED}")
    present = {
        str(p.relative_to(SHARED))
        for p in SHARED.rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    assert present == {*EXPECTED, NEWTRAL_FEED}


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_shared_document(relative: str) -> None:
    """Each real document imports with the verdicts its ratings mean, or is refused."""
    path = _shared(relative)
    expected = EXPECTED[relative]
    if expected and isinstance(expected[0], tuple):
        assert kinds(path) == expected
        return
    found = problems(path)
    assert len(found) == len(expected)
    for words, message in zip(expected, found, strict=True):
        assert isinstance(words, str)
        assert words in message
        assert message.startswith(
            ("review ", "the file", "JSON-LD block", "expected at least one")
        )


def test_shared_newtral_feed_and_page_agree() -> None:
    """Newtral's feed gives 15 verdicts; its page's review is one of them, exactly."""
    feed = list(read_claimreviews(_shared(NEWTRAL_FEED)))
    verdicts = [r for r in feed if r.source == "Newtral"]
    assert len(verdicts) == 15
    assert len(feed) == 29  # one review has no claim date, so no claim report
    assert {r.kind for r in verdicts} == {R, D}
    assert all(r.rating in ("Falso", "Engañoso") for r in verdicts)
    page = read_claimreviews(
        _shared("pages/meedan-fetch__newtral_fact_check_raw.jsonld")
    )
    assert set(page) <= set(feed)


def test_shared_schemaorg_page_dedupes_microdata_when_skipping() -> None:
    """The schema.org page holds one review twice (JSON-LD, microdata): read once."""
    read = read_claimreviews(
        _shared("schemaorg/sdo-ClaimReview-issue-1061-examples.txt"), skip_invalid=True
    )
    assert [(r.kind.value, r.source) for r in read] == [
        ("claimed", "Rich Perry"),
        ("confirmed", "politifact.com"),
    ]
    assert len(read.skipped) == 1


# ---------------------------------------------------------------- more rules


def _review(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "@type": "ClaimReview",
        "url": "https://checks.example/r/",
        "datePublished": "2023-01-01",
        "author": {"@type": "Organization", "name": "Example Checks"},
        "claimReviewed": "Something happened",
        "reviewRating": {"alternateName": "False"},
    }
    base.update(fields)
    return base


def _read(document: object, **options: object) -> list[tuple[str, str, str]]:
    stream = io.BytesIO(json.dumps(document).encode())
    return [
        (r.proposition, r.kind.value, r.source)
        for r in read_claimreviews(stream, name="doc.jsonld", **options)  # type: ignore[arg-type]
    ]


def test_a_mediareview_beside_a_claimreview_is_skipped() -> None:
    """Only a document with no ClaimReview at all is refused for holding none."""
    media = {"@type": "MediaReview", "url": "https://checks.example/m/"}
    assert _read([media, _review()]) == [
        ("checks.example/r", "refuted", "Example Checks")
    ]


def test_host_first_urls_and_file_names() -> None:
    """'host.tld/path' gains https://; a file name is relative, not a host."""
    assert _read(_review(url="checks.example/r/"))[0][0] == "checks.example/r"
    stream = io.BytesIO(json.dumps(_review(url="page.html/x")).encode())
    with pytest.raises(InvalidFile, match="relative url"):
        read_claimreviews(stream, name="doc.jsonld")


def test_plain_text_publisher_and_claimant() -> None:
    """A publisher or claim author given as text is that name."""
    doc = _review(
        publisher="Checks Weekly",
        itemReviewed={"author": ["A", {"name": "B"}], "datePublished": "2022-12-30"},
    )
    assert _read(doc) == [
        ("checks.example/r", "claimed", "A, B"),
        ("checks.example/r", "refuted", "Checks Weekly"),
    ]


def test_an_alias_by_url_names_only_the_first_review_of_a_page() -> None:
    """Aliasing a round-up page's url does not merge its other reviews."""
    doc = [_review(), _review(claimReviewed="Something else")]
    aliases = {"https://checks.example/r/": "first"}
    assert [key for key, _, _ in _read(doc, aliases=aliases)] == [
        "first",
        "checks.example/r#2",
    ]


def test_a_page_not_in_utf8_is_read_by_its_charset() -> None:
    """A page in Latin-1 that says so in <meta charset> reads correctly."""
    page = (
        '<html><head><meta charset="iso-8859-1">'
        '<script type="application/ld+json">'
        + json.dumps(_review(author={"@type": "Organization", "name": "Vérif"}))
        + "</script></head><body></body></html>"
    ).encode("latin-1")
    (verdict,) = read_claimreviews(io.BytesIO(page), format="html")
    assert verdict.source == "Vérif"


def test_a_value_outside_the_scale_is_refused() -> None:
    """A ratingValue beyond bestRating or worstRating is an error."""
    rating = {"ratingValue": 7, "worstRating": 1, "bestRating": 5}
    stream = io.BytesIO(json.dumps(_review(reviewRating=rating)).encode())
    with pytest.raises(InvalidFile, match="outside the scale"):
        read_claimreviews(stream, name="doc.jsonld")


def test_ratings_given_by_the_user() -> None:
    """ratings= and publisher_ratings= extend the table."""
    doc = _review(reviewRating={"alternateName": "Satire"})
    assert _read(doc, ratings={"satire": "disputed"})[0][1] == "disputed"
    table = {"Example Checks": {"satire": "refuted"}}
    assert _read(doc, publisher_ratings=table)[0][1] == "refuted"


@settings(max_examples=60)
@given(reports=ledger_reports(max_size=12, plausible=False), data=st.data())
def test_any_ledger_round_trips_through_claimreview(
    reports: list[Report], data: st.DataObject
) -> None:
    """For any reports and date, export then import gives the same statuses."""
    times = [r.reported_at for r in reports]
    on = data.draw(st.sampled_from(times) | report_times() if times else report_times())
    ledger = Ledger()
    ledger.record(*reports)
    reviews = beliefs_to_claimreview(ledger, on=on, author="Example Desk")
    stream = io.BytesIO(json.dumps(reviews).encode())
    again = Ledger()
    if reviews:
        again.record_all(read_claimreviews(stream, name="export.jsonld"))
    assert again.statuses(on=on) == ledger.statuses(on=on)


def test_many_problems_are_counted_and_the_first_listed() -> None:
    """InvalidFile keeps the first 100 problems and counts them all."""
    doc = [
        _review(url=f"https://checks.example/{n}", datePublished="") for n in range(150)
    ]
    stream = io.BytesIO(json.dumps(doc).encode())
    with pytest.raises(InvalidFile) as caught:
        read_claimreviews(stream, name="big.jsonld")
    assert caught.value.count == 150
    assert len(caught.value.errors) == 100
    assert str(caught.value).endswith("... and 50 more")
    assert caught.value.located(path="x", line=None).count == 150
