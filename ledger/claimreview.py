"""ClaimReview in and out: fact-checkers' verdicts as reports, beliefs as verdicts.

:func:`read_claimreviews` reads schema.org ``ClaimReview`` documents — a JSON-LD
file (one review, a list, an ``@graph``), an HTML page with embedded JSON-LD or
microdata, a Google Fact Check Tools ``claims:search`` response, or a feed (a
schema.org ``DataFeed`` as Data Commons publishes, or a JSON API page listing
reviews under ``data``) — and gives up to two reports per review: the claim and
the verdict. :func:`sniff` tells those formats apart.
:func:`beliefs_to_claimreview` writes a ledger's beliefs on a date back as
ClaimReview JSON-LD. The rules, the rating table and the awkward cases are in
``docs/claimreview.md``.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import json
import os
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import IO, TYPE_CHECKING, Any, Literal, Protocol

import attrs

from ledger import _time
from ledger._time import TimePoint
from ledger.errors import InvalidArgument, InvalidReport
from ledger.io import MAX_ERRORS, InvalidFile
from ledger.values import Belief, Kind, Report, Status

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = [
    "FORMATS",
    "PUBLISHER_RATINGS",
    "RATINGS",
    "RATINGS_BY_LANGUAGE",
    "SCALE",
    "BeliefSource",
    "ClaimReviews",
    "Format",
    "beliefs_to_claimreview",
    "normalise_rating",
    "rating_kind",
    "read_aliases",
    "read_claimreviews",
    "sniff",
]

Format = Literal["jsonld", "html", "factcheck", "feed"]
"""The ClaimReview formats :func:`read_claimreviews` reads (see :func:`sniff`)."""

FORMATS: tuple[Format, ...] = ("jsonld", "html", "factcheck", "feed")
"""Every :data:`Format`, in the order :func:`sniff` considers them."""

_R, _C, _D, _K = Kind.REFUTED, Kind.CONFIRMED, Kind.DISPUTED, Kind.CLAIMED

# Textual ratings by language, as written by fact-checkers; the keys are
# normalised with normalise_rating when the table is built. Only a rating that
# says the claim is false without qualification refutes it, and only one that
# says it is true confirms it; every qualified verdict disputes it.
_TABLE: dict[str, dict[str, Kind]] = {
    "ledger": {  # the ledger's own words, so that an export reads back
        "refuted": _R,
        "confirmed": _C,
        "disputed": _D,
        "claimed": _K,
    },
    "en": {
        "false": _R,
        "pants on fire": _R,
        "pants on fire!": _R,
        "fake": _R,
        "fake news": _R,
        "incorrect": _R,
        "wrong": _R,
        "untrue": _R,
        "not true": _R,
        "fabricated": _R,
        "hoax": _R,
        "totally false": _R,
        "completely false": _R,
        "four pinocchios": _R,
        "true": _C,
        "correct": _C,
        "accurate": _C,
        "verified": _C,
        "misleading": _D,
        "half true": _D,
        "half-true": _D,
        "mixture": _D,
        "mixed": _D,
        "missing context": _D,
        "lacks context": _D,
        "needs context": _D,
        "false context": _D,
        "out of context": _D,
        "unproven": _D,
        "unverified": _D,
        "unsupported": _D,
        "unsubstantiated": _D,
        "no evidence": _D,
        "insufficient evidence": _D,
        "mostly false": _D,
        "mostly true": _D,
        "partly false": _D,
        "partly true": _D,
        "partially false": _D,
        "partially true": _D,
        "exaggerated": _D,
        "inaccurate": _D,
        "distorted": _D,
        "one pinocchio": _D,
        "two pinocchios": _D,
        "three pinocchios": _D,
    },
    "es": {
        "falso": _R,
        "falsa": _R,
        "bulo": _R,
        "verdadero": _C,
        "verdadera": _C,
        "cierto": _C,
        "cierta": _C,
        "engañoso": _D,
        "engañosa": _D,
        "impreciso": _D,
        "imprecisa": _D,
        "inexacto": _D,
        "exagerado": _D,
        "exagerada": _D,
        "verdad a medias": _D,
        "medio verdadero": _D,
        "parcialmente falso": _D,
        "parcialmente verdadero": _D,
        "mayormente falso": _D,
        "mayormente verdadero": _D,
        "falta contexto": _D,
        "sacado de contexto": _D,
        "sin evidencia": _D,
        "no hay evidencia": _D,
        "dudoso": _D,
    },
    "fr": {
        "faux": _R,
        "fausse": _R,
        "vrai": _C,
        "vraie": _C,
        "exact": _C,
        "trompeur": _D,
        "trompeuse": _D,
        "partiellement faux": _D,
        "partiellement vrai": _D,
        "plutôt faux": _D,
        "plutôt vrai": _D,
        "manque de contexte": _D,
        "sorti de son contexte": _D,
        "imprécis": _D,
        "inexact": _D,
        "exagéré": _D,
        "infondé": _D,
        "invérifiable": _D,
        "non prouvé": _D,
        "douteux": _D,
    },
    "de": {
        "falsch": _R,
        "frei erfunden": _R,
        "richtig": _C,
        "wahr": _C,
        "korrekt": _C,
        "stimmt": _C,
        "irreführend": _D,
        "teilweise falsch": _D,
        "teilweise richtig": _D,
        "größtenteils falsch": _D,
        "größtenteils richtig": _D,
        "fehlender kontext": _D,
        "unbelegt": _D,
        "unbewiesen": _D,
        "ungenau": _D,
        "übertrieben": _D,
        "zweifelhaft": _D,
    },
    "pt": {
        "falso": _R,
        "falsa": _R,
        "verdadeiro": _C,
        "verdadeira": _C,
        "correto": _C,
        "enganoso": _D,
        "enganosa": _D,
        "impreciso": _D,
        "imprecisa": _D,
        "exagerado": _D,
        "exagerada": _D,
        "distorcido": _D,
        "contraditório": _D,
        "insustentável": _D,
        "não é bem assim": _D,
        "parcialmente falso": _D,
        "parcialmente verdadeiro": _D,
        "fora de contexto": _D,
        "sem contexto": _D,
        "falta contexto": _D,
        "sem evidências": _D,
        "discutível": _D,
    },
    "it": {
        "falso": _R,
        "falsa": _R,
        "panzana pazzesca": _R,
        "vero": _C,
        "vera": _C,
        "corretto": _C,
        "fuorviante": _D,
        "parzialmente falso": _D,
        "parzialmente vero": _D,
        "impreciso": _D,
        "esagerato": _D,
        "manca di contesto": _D,
        "senza prove": _D,
        "non dimostrato": _D,
        "c'eri quasi": _D,
        "nì": _D,
        "pinocchio andante": _D,
    },
    "zh": {
        "錯誤": _R,
        "错误": _R,
        "正確": _C,
        "正确": _C,
        "部分錯誤": _D,
        "部分错误": _D,
        "證據不足": _D,
        "证据不足": _D,
    },
}

_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


def normalise_rating(text: str) -> str:
    """A textual rating as the rating table looks it up.

    NFKC, HTML entities unescaped, case-folded, every run of punctuation,
    symbols and whitespace (underscores included) made one space, trimmed:
    ``"Half-True!"`` and ``"half_true"`` both become ``"half true"``.
    """
    text = unicodedata.normalize("NFKC", html.unescape(text)).casefold()
    return _PUNCTUATION.sub(" ", text).strip()


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)


def _build(table: Mapping[str, Kind | str]) -> dict[str, Kind]:
    built: dict[str, Kind] = {}
    for rating, kind in table.items():
        built[normalise_rating(rating)] = Kind(kind)
    return built


RATINGS_BY_LANGUAGE: Mapping[str, Mapping[str, Kind]] = {
    language: _build(table) for language, table in _TABLE.items()
}
"""The rating table by language (``ledger``: the ledger's own status words)."""

RATINGS: Mapping[str, Kind] = {
    rating: kind
    for table in RATINGS_BY_LANGUAGE.values()
    for rating, kind in table.items()
}
"""Normalised textual rating -> the kind of the verdict report, in every language."""

PUBLISHER_RATINGS: Mapping[str, Mapping[str, Kind]] = {
    # 20 Minutes (Fake Off) writes internal slugs as its ratings.
    "20 minutes": _build({"really_false": _R, "false": _R, "true": _C}),
}
"""Per-publisher overrides: publisher name or host -> its own ratings.

Both the publisher and the rating are compared normalised (:func:`normalise_rating`).
"""

_UNACCENTED: dict[str, Kind] = {}
for _rating, _kind in RATINGS.items():
    _UNACCENTED.setdefault(_unaccented(_rating), _kind)
del _rating, _kind


def rating_kind(
    rating: str,
    *,
    publisher: Iterable[str] = (),
    ratings: Mapping[str, Kind | str] | None = None,
    publisher_ratings: Mapping[str, Mapping[str, Kind | str]] | None = None,
) -> Kind | None:
    """The kind of verdict a textual rating states, or None when it is unknown.

    Looks the normalised rating up, in this order: the overrides of each name
    in ``publisher`` (the reviewer's name or its host; ``publisher_ratings``
    before :data:`PUBLISHER_RATINGS`), then ``ratings``, then :data:`RATINGS`,
    then :data:`RATINGS` with accents removed on both sides.
    """
    key = normalise_rating(rating)
    for name in publisher:
        who = normalise_rating(name)
        for table in (publisher_ratings or {}, PUBLISHER_RATINGS):
            for owner, own in table.items():
                if normalise_rating(owner) == who:
                    found = _build(own).get(key)
                    if found is not None:
                        return found
    if ratings:
        found = _build(ratings).get(key)
        if found is not None:
            return found
    if key in RATINGS:
        return RATINGS[key]
    return _UNACCENTED.get(_unaccented(key))


SCALE: Mapping[Status, int] = {
    Status.REFUTED: 1,
    Status.DISPUTED: 2,
    Status.CLAIMED: 3,
    Status.CONFIRMED: 4,
}
"""The ``ratingValue`` an export gives each status (worstRating 1, bestRating 4)."""

# ---------------------------------------------------------------- sniffing

_HEAD_BYTES = 64 * 1024
_HTML_EXTENSIONS = (".html", ".htm", ".xhtml")


def sniff(path_or_head: str | os.PathLike[str] | bytes) -> Format | None:
    """Which ClaimReview format a file is in, or None when it is none of them.

    Takes a path (its extension and first 64 KiB are read) or the first bytes
    of a file. ``"html"``: a page (it starts with ``<``, or holds a
    ``<script type="application/ld+json">``, or a path ends ``.html``/``.htm``).
    ``"factcheck"``: JSON with a ``"claimReview"`` key (Fact Check Tools).
    ``"feed"``: JSON with ``"dataFeedElement"`` (a ``DataFeed``), or a
    ``"data"`` list of objects typed ClaimReview. ``"jsonld"``: other JSON
    with ``"@context"``, ``"@type"`` or ``"@graph"`` keys. Report files (JSON
    Lines, CSV) have none of these, so they give None.
    """
    extension = ""
    if isinstance(path_or_head, bytes):
        head = path_or_head[:_HEAD_BYTES]
    else:
        path = os.fspath(path_or_head)
        extension = os.path.splitext(path)[1].lower()  # noqa: PTH122
        with open(path, "rb") as stream:  # noqa: PTH123 - any PathLike
            head = stream.read(_HEAD_BYTES)
    text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace")
    stripped = text.lstrip()
    if (
        extension in _HTML_EXTENSIONS
        or stripped.startswith("<")
        or re.search(r"<script[^>]+application/ld\+json", text, re.IGNORECASE)
    ):
        return "html"
    if not stripped.startswith(("{", "[")):
        return None
    if re.search(r'"claimReview"\s*:', text):
        return "factcheck"
    if re.search(r'"dataFeedElement"\s*:', text) or (
        re.search(r'"data"\s*:\s*\[', text) and '"ClaimReview"' in text
    ):
        return "feed"
    if re.search(r'"@(context|type|graph)"\s*:', text):
        return "jsonld"
    return None


# ---------------------------------------------------------------- aliases


def read_aliases(source: str | os.PathLike[str] | Mapping[str, str]) -> dict[str, str]:
    """Read an alias file: a mapping of proposition key (or review url) -> key.

    A ``.json`` file holds one object, ``{"key or url": "canonical key"}``; a
    ``.csv`` file has a header row ``key,canonical`` and one alias per row. A
    mapping is checked and returned as a dict. Raises
    :class:`~ledger.io.InvalidFile` naming each bad entry.
    """
    if isinstance(source, Mapping):
        return _checked_aliases(list(source.items()), "<aliases>")
    path = os.fspath(source)
    with open(path, encoding="utf-8-sig") as stream:  # noqa: PTH123 - any PathLike
        text = stream.read()
    pairs: list[tuple[object, object]] = []
    if path.lower().endswith(".csv"):
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or [c.strip() for c in rows[0]] != ["key", "canonical"]:
            found = ",".join(rows[0]) if rows else "nothing"
            error = InvalidReport(
                f"expected the header row 'key,canonical', found {found!r}",
                path=path,
                line=1,
            )
            raise InvalidFile([error], path=path)
        problems = []
        for number, row in enumerate(rows[1:], start=2):
            if not row:
                continue
            if len(row) != 2:
                problems.append(
                    InvalidReport(
                        f"expected 2 cells (key,canonical), found {len(row)}",
                        path=path,
                        line=number,
                    )
                )
                continue
            pairs.append((row[0].strip(), row[1].strip()))
        if problems:
            raise InvalidFile(problems, path=path)
    else:
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as error:
            problem = InvalidReport(
                f"expected a JSON object of key -> canonical key, found invalid "
                f"JSON: {error.msg} at column {error.colno}",
                path=path,
                line=error.lineno,
            )
            raise InvalidFile([problem], path=path) from None
        if not isinstance(loaded, dict):
            problem = InvalidReport(
                "expected a JSON object of key -> canonical key, found "
                f"{type(loaded).__name__}",
                path=path,
            )
            raise InvalidFile([problem], path=path)
        pairs = list(loaded.items())
    return _checked_aliases(pairs, path)


def _checked_aliases(pairs: list[tuple[object, object]], path: str) -> dict[str, str]:
    aliases: dict[str, str] = {}
    problems = []
    for key, canonical in pairs:
        if not isinstance(key, str) or not key.strip():
            problems.append(
                InvalidReport(f"alias key must be a non-empty string (got {key!r})")
            )
        elif not isinstance(canonical, str) or not canonical.strip():
            problems.append(
                InvalidReport(
                    f"alias {key!r} must map to a non-empty string (got {canonical!r})"
                )
            )
        elif aliases.get(key, canonical) != canonical:
            problems.append(
                InvalidReport(
                    f"alias {key!r} is given twice, to {aliases[key]!r} and to "
                    f"{canonical!r} (expected one canonical key)"
                )
            )
        else:
            aliases[key] = canonical
    if problems:
        raise InvalidFile(
            [p.located(path=path, line=None) for p in problems], path=path
        )
    return aliases


# ---------------------------------------------------------------- reading


class _InvalidReviews(InvalidFile):
    """An InvalidFile whose problems are in reviews, not lines."""

    def __init__(
        self,
        errors: Sequence[InvalidReport],
        *,
        invalid: int = 0,
        total: int = 0,
        count: int | None = None,
        path: str | None,
    ) -> None:
        self.invalid = invalid
        self.total = total
        super().__init__(
            errors[:MAX_ERRORS],
            count=len(errors) if count is None else count,
            lines=max(invalid, 1),
            path=path,
        )

    def _summary(self) -> str:
        head = f"{self.count} problem" + ("" if self.count == 1 else "s")
        if self.invalid:
            head += f" in {self.invalid} of {self.total} review" + (
                "" if self.total == 1 else "s"
            )
        head += "; no report was read (fix them, or skip invalid reviews):"
        listed = [f"  {error}" for error in self.errors]
        if self.count > len(self.errors):
            listed.append(f"  ... and {self.count - len(self.errors)} more")
        return "\n".join([head, *listed])

    def located(self, *, path: str | None, line: int | None) -> InvalidFile:
        """Return a copy naming ``path``."""
        return _InvalidReviews(
            self.errors,
            invalid=self.invalid,
            total=self.total,
            count=self.count,
            path=path,
        )


@attrs.frozen
class ClaimReviews:
    """The reports read from a ClaimReview document, and what was skipped.

    Iterating gives the :class:`~ledger.values.Report` objects, for
    ``Ledger.record_all``; ``len`` counts them.
    ``skipped`` lists the problems of the reviews left out with
    ``skip_invalid=True`` (each an :class:`~ledger.errors.InvalidReport`).
    ``reviews`` counts the distinct reviews read (a duplicate counts once).
    """

    reports: tuple[Report, ...]
    skipped: tuple[InvalidReport, ...] = ()
    reviews: int = 0

    def __iter__(self) -> Iterator[Report]:
        return iter(self.reports)

    def __len__(self) -> int:
        return len(self.reports)


@attrs.frozen
class _Review:
    """One review, read and checked, before it becomes reports."""

    order: int  # position among the document's reviews, for messages
    syntax: int  # 0: JSON-LD or JSON, 1: microdata (JSON-LD wins a duplicate)
    url: str | None
    identifier: str | None
    claim: str | None
    claimant: str | None
    claim_date: TimePoint | None
    reviewer: str
    review_date: TimePoint
    rating: str | None
    kind: Kind


_Problem = tuple[str | None, str]


def _types(node: Mapping[str, Any]) -> list[str]:
    value = node.get("@type", node.get("type"))
    values = value if isinstance(value, list) else [value]
    return [
        re.sub(r"^https?://schema\.org/", "", item.strip())
        for item in values
        if isinstance(item, str)
    ]


def _text(value: object) -> str | None:
    """A text value: HTML entities unescaped, whitespace collapsed; None if empty."""
    if isinstance(value, list):
        parts = [t for t in (_text(v) for v in value) if t is not None]
        return ", ".join(parts) if parts else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    text = " ".join(html.unescape(value).split())
    return text or None


def _date(value: object, field: str) -> tuple[TimePoint | None, str | None]:
    """A report time from a ClaimReview date, or why it cannot be one.

    A date stays a date; a datetime with an offset is that instant; a
    datetime without one is read as its date (its time of day, in a timezone
    nobody gave, is dropped rather than guessed).
    """
    text = _text(value)
    if text is None:
        return None, None
    candidate = (
        text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d\d-\d\d ", text) else text
    )
    if re.fullmatch(r"\d{4}-\d\d-\d\d", candidate):
        try:
            return date.fromisoformat(candidate), None
        except ValueError:
            pass
    else:
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            pass
        else:
            return (parsed if _time.is_aware(parsed) else parsed.date()), None
    return None, (
        f"{field}: expected an ISO date (2017-06-16) or datetime "
        f"(2017-06-16T09:30:00+03:00), got {text!r}"
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip():
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


_HOST_FIRST = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.([a-z]{2,63})/", re.IGNORECASE)
_FILE_ENDINGS = frozenset({"htm", "html", "php", "asp", "aspx", "jsp", "cgi", "shtml"})


def _url(value: object, base: str | None, field: str) -> tuple[str | None, str | None]:
    """An absolute url, or why not: relative ones resolve against ``base``."""
    text = _text(value)
    if text is None:
        return None, None
    parts = urllib.parse.urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc:
        return text, None
    host = _HOST_FIRST.match(text)
    if not parts.scheme and host and host.group(2).lower() not in _FILE_ENDINGS:
        return "https://" + text, None  # "aosfatos.org/...": a host, no scheme
    if not parts.scheme and base is not None:
        return urllib.parse.urljoin(base, text), None
    if not parts.scheme:
        return None, (
            f"{field}: {text!r} is a relative url and the page's own url is not "
            "known: give base_url"
        )
    return None, f"{field}: expected an http(s) url, got {text!r}"


def _host(url: str) -> str:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _key_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    key = _host(url) + parts.path.rstrip("/")
    return key + (f"?{parts.query}" if parts.query else "")


def _entities(value: object) -> list[Mapping[str, Any]]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, Mapping)]


def _is_author_page(entity: Mapping[str, Any]) -> bool:
    url = _text(entity.get("url")) or ""
    return bool(re.search(r"/authors?/", urllib.parse.urlsplit(url).path))


def _reviewer(node: Mapping[str, Any], url: str | None) -> str | None:
    """The reviewing organisation: publisher, else an Organization author, else host."""
    publishers = _names(node.get("publisher"))
    if publishers:
        return publishers[0]
    for author in _entities(node.get("author")):
        organisation = any(
            t.endswith("Organization") or t == "Organisation" for t in _types(author)
        )
        written = _text(author.get("name"))
        # An "Organization" whose url is an author page is a writer mistyped.
        if organisation and written is not None and not _is_author_page(author):
            return written
    return _host(url) if url is not None else None


def _names(value: object) -> list[str]:
    """The names of the entities (or plain strings) in ``value``."""
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        name = _text(item.get("name")) if isinstance(item, Mapping) else _text(item)
        if name is not None:
            names.append(name)
    return names


def _claimants(item: Mapping[str, Any]) -> str | None:
    names = _names(item.get("author"))
    return ", ".join(names) if names else None


def _verdict(
    rating: Mapping[str, Any],
    reviewer: str | None,
    url: str | None,
    options: _Options,
) -> tuple[str | None, Kind | None, str | None]:
    """The raw rating text, its kind, or why there is no verdict."""
    text = _text(rating.get("alternateName")) or _text(rating.get("name"))
    if text is not None:
        publisher = [n for n in (reviewer, url and _host(url)) if n]
        kind = rating_kind(
            text,
            publisher=publisher,
            ratings=options.ratings,
            publisher_ratings=options.publisher_ratings,
        )
        if kind is None:
            return (
                text,
                None,
                (
                    f"unknown rating {text!r} (normalised {normalise_rating(text)!r}): "
                    "not in the rating table; add it with ratings= or "
                    "publisher_ratings=, or skip invalid reviews"
                ),
            )
        return text, kind, None
    value, best, worst = (
        _number(rating.get(name))
        for name in ("ratingValue", "bestRating", "worstRating")
    )
    if value is None or best is None or worst is None or best == worst:
        return (
            None,
            None,
            (
                "no verdict: the rating has no alternateName, and its ratingValue is "
                "not on a scale whose direction is declared (bestRating and "
                "worstRating given and different)"
            ),
        )
    low, high = sorted((best, worst))
    if not low <= value <= high:
        return (
            None,
            None,
            (
                f"ratingValue {value:g} is outside the scale {worst:g} (worst) to "
                f"{best:g} (best)"
            ),
        )
    shown = f"{value:g} ({worst:g} worst, {best:g} best)"
    if value == best:
        return shown, Kind.CONFIRMED, None
    if value == worst:
        return shown, Kind.REFUTED, None
    return shown, Kind.DISPUTED, None


@attrs.frozen
class _Options:
    base_url: str | None
    ratings: Mapping[str, Kind | str] | None
    publisher_ratings: Mapping[str, Mapping[str, Kind | str]] | None


def _read_node(
    node: Mapping[str, Any], order: int, syntax: int, options: _Options
) -> tuple[_Review | None, list[_Problem]]:
    problems: list[_Problem] = []
    url, problem = _url(node.get("url"), options.base_url, "url")
    if problem:
        problems.append(("url", problem))
    # The identifier is a key as written: no unescaping, no whitespace folding.
    raw_identifier = node.get("identifier")
    identifier = (
        raw_identifier
        if isinstance(raw_identifier, str) and raw_identifier.strip()
        else _text(raw_identifier)
    )
    if url is None and identifier is None and problem is None:
        problems.append(
            ("url", "the review has neither url nor identifier to key it by")
        )
    claim = _text(node.get("claimReviewed"))
    items = _entities(node.get("itemReviewed"))
    item = items[0] if items else {}
    claimant = _claimants(item)
    claim_date, problem = _date(item.get("datePublished"), "itemReviewed.datePublished")
    if problem:
        problems.append(("itemReviewed.datePublished", problem))
    review_date, problem = _date(node.get("datePublished"), "datePublished")
    if problem:
        problems.append(("datePublished", problem))
    elif review_date is None:
        problems.append(
            (
                "datePublished",
                "datePublished is missing: the verdict cannot be dated",
            )
        )
    reviewer = _reviewer(node, url)
    if reviewer is None:
        problems.append(
            (
                "author",
                (
                    "no reviewing organisation: no publisher name, no Organization "
                    "author, and no url to take the host from"
                ),
            )
        )
    ratings = _entities(node.get("reviewRating"))
    rating, kind = None, None
    if not ratings:
        problems.append(
            (
                "reviewRating",
                (
                    "reviewRating is missing: the verdict is not stated (reviewBody "
                    "is prose and is not read)"
                ),
            )
        )
    else:
        rating, kind, problem = _verdict(ratings[0], reviewer, url, options)
        if problem:
            worded = _text(ratings[0].get("alternateName")) or _text(
                ratings[0].get("name")
            )
            field = "alternateName" if worded else "ratingValue"
            problems.append((f"reviewRating.{field}", problem))
    if (
        claim_date is not None
        and review_date is not None
        and _after(claim_date, review_date)
    ):
        problems.append(
            (
                "itemReviewed.datePublished",
                (
                    f"the claim ({_time.isoformat(claim_date)}) is dated after its "
                    f"review ({_time.isoformat(review_date)})"
                ),
            )
        )
    if problems:
        return None, problems
    assert reviewer is not None
    assert review_date is not None
    assert kind is not None
    return (
        _Review(
            order=order,
            syntax=syntax,
            url=url,
            identifier=identifier,
            claim=claim,
            claimant=claimant,
            claim_date=claim_date,
            reviewer=reviewer,
            review_date=review_date,
            rating=rating,
            kind=kind,
        ),
        [],
    )


def _after(claim: TimePoint, review: TimePoint) -> bool:
    """Whether a claim is dated after its review (a date: any time that day)."""
    if isinstance(claim, datetime) and isinstance(review, datetime):
        return claim > review

    def day(value: TimePoint) -> date:
        return value.astimezone(UTC).date() if isinstance(value, datetime) else value

    return day(claim) > day(review)


def _from_api(claim: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Fact Check Tools' claim with its reviews, as ClaimReview nodes."""
    for review in _entities(claim.get("claimReview")):
        publisher = review.get("publisher")
        publisher = publisher if isinstance(publisher, Mapping) else {}
        node: dict[str, Any] = {
            "@type": "ClaimReview",
            "url": review.get("url"),
            "claimReviewed": claim.get("text"),
            "datePublished": review.get("reviewDate"),
            "publisher": {"name": publisher.get("name") or publisher.get("site")},
            "itemReviewed": {
                "@type": "Claim",
                "author": {"name": claim.get("claimant")},
                "datePublished": claim.get("claimDate"),
            },
            "reviewRating": {"alternateName": review.get("textualRating")},
        }
        yield node


def _graph_nodes(document: object) -> list[Mapping[str, Any]]:
    """The top-level nodes of a JSON-LD document, with ``@id`` references resolved."""
    nodes: list[Mapping[str, Any]] = []

    def add(value: object) -> None:
        if isinstance(value, list):
            for item in value:
                add(item)
        elif isinstance(value, Mapping):
            if "@graph" in value:
                add(value["@graph"])
            elif "dataFeedElement" in value:
                for element in _entities(value["dataFeedElement"]):
                    add(element.get("item"))
            elif "claims" in value and isinstance(value["claims"], list):
                for claim in _entities(value["claims"]):
                    nodes.extend(_from_api(claim))
            elif (
                "data" in value
                and isinstance(value["data"], list)
                and not _types(value)
            ):
                add(value["data"])
            else:
                nodes.append(value)

    add(document)
    index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}

    def resolve(value: Any, depth: int = 0) -> Any:
        if depth > 8:
            return value
        if isinstance(value, list):
            return [resolve(v, depth + 1) for v in value]
        if isinstance(value, Mapping):
            if set(value) == {"@id"} and value["@id"] in index:
                return resolve(index[value["@id"]], depth + 1)
            return {k: resolve(v, depth + 1) for k, v in value.items()}
        return value

    return [resolve(node) for node in nodes]


def _decode(raw: bytes) -> tuple[str | None, str | None]:
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if raw.startswith(bom):
            return None, f"the file is {encoding}; expected UTF-8: save it as UTF-8"
    try:
        return raw.removeprefix(codecs.BOM_UTF8).decode("utf-8"), None
    except UnicodeDecodeError as error:
        return None, (
            f"expected UTF-8 text, found the byte(s) "
            f"{raw[error.start : error.end].hex(' ').upper()} at byte "
            f"{error.start + 1}: save the file as UTF-8"
        )


def _json(text: str, what: str) -> tuple[object, str | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        return None, (
            f"{what} is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}"
        )
    except RecursionError:
        return None, f"{what} is nested too deeply"


def _html_nodes(
    text: str | bytes, base_url: str | None
) -> tuple[list[tuple[int, Mapping[str, Any]]], list[_Problem], str | None]:
    """The JSON-LD blocks and microdata items of a page, and its url."""
    try:
        import extruct
        from lxml import html as lxml_html
    except ImportError:  # pragma: no cover - depends on the installation
        msg = (
            "reading HTML pages needs the optional dependencies: "
            "pip install 'ledger-of-claims[html]'"
        )
        raise InvalidArgument(msg) from None
    problems: list[_Problem] = []
    if not text.strip():
        return [], [(None, "the page is empty")], base_url
    if isinstance(text, str):
        parser = lxml_html.HTMLParser(encoding="utf-8")
        tree: HtmlElement = lxml_html.fromstring(text.encode("utf-8"), parser=parser)
    else:
        tree = lxml_html.fromstring(text)
    if base_url is None:
        for href in tree.xpath('//link[@rel="canonical"]/@href'):
            base_url = str(href).strip() or None
            break
    found: list[tuple[int, Mapping[str, Any]]] = []
    blocks = tree.xpath('//script[@type="application/ld+json"]')
    for number, block in enumerate(blocks, start=1):
        script = block.text_content()
        if not script.strip():
            continue
        data, problem = _json(script, f"JSON-LD block {number}")
        if problem:
            problems.append((None, problem))
            continue
        found.extend((0, node) for node in _graph_nodes(data))
    microdata = extruct.extract(
        tree, base_url=base_url, syntaxes=["microdata"], uniform=True
    ).get("microdata", [])
    found.extend((1, node) for node in _graph_nodes(microdata))
    return found, problems, base_url


def _name_of(source: object, name: str | None) -> str:
    if name is not None:
        return name
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    own = getattr(source, "name", None)
    return own if isinstance(own, str) else "<stream>"


def _raw(source: str | os.PathLike[str] | IO[bytes] | IO[str]) -> bytes:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:  # noqa: PTH123 - any PathLike
            return stream.read()
    data = source.read()
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data


def _letters(text: str | None) -> str:
    return "".join(c for c in (text or "").casefold() if c.isalnum())


def _dedupe(reviews: list[_Review]) -> list[_Review]:
    """One review per (url or identifier, date, rating, claim's letters and digits)."""
    kept: dict[tuple[object, ...], _Review] = {}
    for review in sorted(reviews, key=lambda r: (r.syntax, r.order)):
        same = (
            _key_of(review.url) if review.url else review.identifier,
            _time.isoformat(review.review_date),
            normalise_rating(review.rating or ""),
            _letters(review.claim),
        )
        kept.setdefault(same, review)
    return sorted(kept.values(), key=lambda r: (r.syntax, r.order))


def _where(order: int, node: Mapping[str, Any]) -> str:
    url = _text(node.get("url"))
    return f"review {order}" + (f" ({url})" if url else "")


def read_claimreviews(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    skip_invalid: bool = False,
    aliases: str | os.PathLike[str] | Mapping[str, str] | None = None,
    format: Format | None = None,
    base_url: str | None = None,
    ratings: Mapping[str, Kind | str] | None = None,
    publisher_ratings: Mapping[str, Mapping[str, Kind | str]] | None = None,
    name: str | None = None,
) -> ClaimReviews:
    """Read the reports of a ClaimReview document: the claims and the verdicts.

    ``source`` is a path or an open file. ``format`` (see :data:`FORMATS`)
    defaults to :func:`sniff`'s answer. Each review gives a ``claimed``
    report by the claim's author at the claim's date (when both are given)
    and a verdict report by the reviewing organisation at the review's date,
    its kind from the rating (see :func:`rating_kind`, extended by
    ``ratings`` and ``publisher_ratings``). The proposition key is made from
    the review's url (else its ``identifier``), then looked up in
    ``aliases`` (see :func:`read_aliases`). ``base_url`` is the page's url,
    for relative urls (an HTML page's canonical link is used otherwise).

    The whole document is checked first: any problem raises
    :class:`~ledger.io.InvalidFile` listing every one, naming the file, the
    review and the field, and nothing is read. With ``skip_invalid=True`` the
    reviews with problems are left out and listed in the result's
    ``skipped``.
    """
    display = _name_of(source, name)
    alias_map = read_aliases(aliases) if aliases is not None else {}
    options = _Options(base_url, ratings, publisher_ratings)
    raw = _raw(source)
    if format is None:
        format = sniff(raw)
        if format is None and display.lower().endswith(_HTML_EXTENSIONS):
            format = "html"
    if format not in FORMATS:
        if format is None:
            msg = (
                "expected a ClaimReview document (JSON-LD, an HTML page, a Fact "
                "Check Tools response or a feed), found none of them"
            )
        else:
            msg = f"format must be one of {', '.join(FORMATS)} (got {format!r})"
        raise _InvalidReviews(
            [InvalidReport(msg, field="format", path=display)], path=display
        )
    file_problems: list[_Problem] = []
    nodes: list[tuple[int, Mapping[str, Any]]] = []
    text, problem = _decode(raw)
    if format == "html" and problem and problem.startswith("expected UTF-8"):
        # Not UTF-8: the page's own <meta charset> says how to read it.
        nodes, file_problems, options = _from_page(raw, options)
    elif problem:
        file_problems.append((None, problem))
    elif text is not None and format == "html":
        nodes, file_problems, options = _from_page(text, options)
    elif text is not None:
        data, problem = _json(text, "the file")
        if problem:
            file_problems.append((None, problem))
        else:
            nodes = [(0, node) for node in _graph_nodes(data)]
    errors: list[InvalidReport] = [
        InvalidReport(message, field=field, path=display)
        for field, message in file_problems
    ]
    reviews: list[_Review] = []
    bad_reviews = 0
    order = 0
    others: list[str] = []
    for syntax, node in nodes:
        types = _types(node)
        if "ClaimReview" not in types:
            url = _text(node.get("url"))
            others.append(
                (", ".join(types) or "an untyped object") + (f" ({url})" if url else "")
            )
            continue
        order += 1
        review, problems = _read_node(node, order, syntax, options)
        if review is not None:
            reviews.append(review)
            continue
        bad_reviews += 1
        errors.extend(
            InvalidReport(
                f"{_where(order, node)}: {message}", field=field, path=display
            )
            for field, message in problems
        )
    if order == 0 and not file_problems:
        found = "; ".join(dict.fromkeys(others)) or "nothing"
        message = f"expected at least one ClaimReview, found {found}"
        if any("MediaReview" in other for other in others):
            message += (
                ": a MediaReview is not read, as its mediaAuthenticityCategory "
                "says how media was presented, not whether a claim is true"
            )
        errors.append(InvalidReport(message, field="@type", path=display))
    if errors and not skip_invalid:
        raise _InvalidReviews(errors, invalid=bad_reviews, total=order, path=display)
    kept = _dedupe(reviews)
    reports = list(_reports(kept, alias_map))
    return ClaimReviews(tuple(reports), tuple(errors), len(kept))


def _from_page(
    text: str | bytes, options: _Options
) -> tuple[list[tuple[int, Mapping[str, Any]]], list[_Problem], _Options]:
    nodes, problems, base = _html_nodes(text, options.base_url)
    return nodes, problems, attrs.evolve(options, base_url=base)


def _reports(reviews: list[_Review], aliases: Mapping[str, str]) -> Iterator[Report]:
    seen: dict[str, int] = {}
    for review in reviews:
        base = _key_of(review.url) if review.url else str(review.identifier)
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base}#{seen[base]}"
        by_url = aliases.get(review.url) if review.url and seen[base] == 1 else None
        key = aliases.get(key) or by_url or key
        if review.claimant is not None and review.claim_date is not None:
            yield Report(
                kind=Kind.CLAIMED,
                proposition=key,
                source=review.claimant,
                reported_at=review.claim_date,
                statement=review.claim,
                quote=review.claim,
                url=review.url,
            )
        yield Report(
            kind=review.kind,
            proposition=key,
            source=review.reviewer,
            reported_at=review.review_date,
            statement=review.claim,
            url=review.url,
            rating=review.rating,
        )


# ---------------------------------------------------------------- writing


class BeliefSource(Protocol):
    """What :func:`beliefs_to_claimreview` needs of a ledger (``Ledger`` has it)."""

    def known(self, *, on: TimePoint) -> Iterator[tuple[str, list[Report]]]:
        """Every proposition's counting reports known by ``on``, by key."""

    def belief(self, proposition: str, *, on: TimePoint) -> Belief:
        """What was believed about ``proposition`` on ``on``."""


def beliefs_to_claimreview(
    ledger: BeliefSource,
    *,
    on: TimePoint,
    author: str,
    keys: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The ledger's beliefs on ``on`` as ClaimReview JSON-LD, one per proposition.

    Each review is by ``author`` (an Organization), published ``on``, with
    ``identifier`` = the proposition key, ``claimReviewed`` = its statement
    (else its key) and ``reviewRating`` = the status as ``alternateName`` on
    the :data:`SCALE` (1 refuted .. 4 confirmed). ``itemReviewed`` is a
    ``Claim`` by the first claimant (the source of the earliest claim known
    by ``on``), dated by that claim, with its url as ``firstAppearance`` and
    every report's url as ``appearance``. ``keys`` limits the propositions.
    Reading the result back with :func:`read_claimreviews` gives the same
    statuses on ``on``.
    """
    if not isinstance(author, str) or not author.strip():
        msg = f"author must be a non-empty string (got {author!r})"
        raise InvalidArgument(msg)
    wanted = None if keys is None else set(keys)
    reviews = []
    for key, reports in ledger.known(on=on):
        if wanted is not None and key not in wanted:
            continue
        belief = ledger.belief(key, on=on)
        if belief.status is Status.UNKNOWN:
            continue
        statement = next((r.statement for r in reports if r.statement), None)
        claims = sorted(
            (r for r in reports if r.kind is Kind.CLAIMED),
            key=lambda r: (r.known_from, r.report_id),
        )
        item: dict[str, Any] = {"@type": "Claim"}
        if claims:
            first = claims[0]
            item["author"] = {"@type": "Organization", "name": first.source}
            item["datePublished"] = _time.isoformat(first.reported_at)
            if first.url:
                item["firstAppearance"] = {"@type": "CreativeWork", "url": first.url}
        urls = sorted({r.url for r in reports if r.url})
        if urls:
            item["appearance"] = [{"@type": "CreativeWork", "url": u} for u in urls]
        reviews.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "identifier": key,
                "claimReviewed": statement or key,
                "datePublished": _time.isoformat(on),
                "author": {"@type": "Organization", "name": author},
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": SCALE[belief.status],
                    "bestRating": max(SCALE.values()),
                    "worstRating": min(SCALE.values()),
                    "alternateName": belief.status.value,
                },
                "itemReviewed": item,
            }
        )
    return reviews
