"""Archived sources: the bytes a report's url pointed to, and checking quotes in them.

An :class:`Archive` is a retrieved copy of one url: its bytes, their sha256,
media type, size and when it was retrieved. :func:`verify` checks that every
report's ``quote`` appears in the archived copy of its ``url``, after
:func:`normalise` on both sides, and lists each report that fails. These are the
pure parts; a ledger records an archive once, as an event, through the
:class:`ArchiveStore` protocol.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

import attrs

from ledger import _time
from ledger.errors import InvalidArgument
from ledger.values import Report

__all__ = [
    "Archive",
    "ArchiveStore",
    "Problem",
    "normalise",
    "quote_found",
    "text_of",
    "verify",
]

_FOLD = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark, the curly apostrophe
        "\u201a": "'",  # single low-9 quotation mark
        "\u201b": "'",  # single high-reversed-9 quotation mark
        "\u2032": "'",  # prime
        "\u00b4": "'",  # acute accent, used as an apostrophe
        "\u0060": "'",  # grave accent, used as an apostrophe
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u201f": '"',  # double high-reversed-9 quotation mark
        "\u2033": '"',  # double prime
        "\u00ab": '"',  # left-pointing double angle quotation mark
        "\u00bb": '"',  # right-pointing double angle quotation mark
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u00ad": None,  # soft hyphen: invisible
        "\u200b": None,  # zero width space
        "\u200c": None,  # zero width non-joiner
        "\u200d": None,  # zero width joiner
        "\u2060": None,  # word joiner
        "\ufeff": None,  # zero width no-break space (byte order mark)
    }
)


def normalise(text: str) -> str:
    """Text as quotes are compared: the same words read the same.

    In this order: Unicode NFKC (so a no-break space is a space, and ``…``
    is ``...``); curly and angle quotes to ``'`` and ``"``, the prime and
    accents used as apostrophes to ``'``, hyphen and dash characters and the
    minus sign to ``-``; soft hyphens and zero-width characters removed;
    every run of whitespace made one space; leading and trailing whitespace
    removed. Case is kept.
    """
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return " ".join(text.split())


def _aware(
    instance: object, attribute: attrs.Attribute[datetime], value: object
) -> None:
    if not isinstance(value, datetime) or not _time.is_aware(value):
        msg = (
            f"{attribute.name} must be a timezone-aware datetime "
            f"(got {_time.describe(value)})"
        )
        raise InvalidArgument(msg)


def _media_type(
    instance: object, attribute: attrs.Attribute[str], value: object
) -> None:
    if not isinstance(value, str) or not re.fullmatch(
        r"[\w.+-]+/[\w.+-]+(;.*)?", value
    ):
        msg = f"media_type must be a media type such as 'text/html' (got {value!r})"
        raise InvalidArgument(msg)


def _non_empty(
    instance: object, attribute: attrs.Attribute[str], value: object
) -> None:
    if not isinstance(value, str) or not value.strip():
        msg = f"{attribute.name} must be a non-empty string (got {value!r})"
        raise InvalidArgument(msg)


@attrs.frozen
class Archive:
    """A retrieved copy of the document at ``url``.

    ``content`` is its bytes, ``media_type`` what they are (``text/html``,
    ``text/plain; charset=utf-8``), ``retrieved_at`` when (timezone-aware).
    ``sha256`` (hex) and ``size`` (bytes) are derived from the content.
    """

    url: str = attrs.field(validator=_non_empty)
    content: bytes = attrs.field(
        repr=False, validator=attrs.validators.instance_of(bytes)
    )
    media_type: str = attrs.field(validator=_media_type)
    retrieved_at: datetime = attrs.field(validator=_aware)
    sha256: str = attrs.field(init=False)
    size: int = attrs.field(init=False)

    @sha256.default
    def _sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @size.default
    def _size(self) -> int:
        return len(self.content)

    def text(self) -> str:
        """The archived document's text, as :func:`text_of` reads it."""
        return text_of(self.content, self.media_type)

    @classmethod
    def from_file(
        cls,
        url: str,
        path: str | os.PathLike[str],
        *,
        retrieved_at: datetime,
        media_type: str | None = None,
    ) -> Archive:
        """The archive of ``url`` whose bytes are the file at ``path``.

        ``media_type`` defaults to the one the file's extension names
        (``.html`` is ``text/html``, ``.txt`` is ``text/plain``); a file whose
        extension names none raises :class:`~ledger.errors.InvalidArgument`.
        """
        if media_type is None:
            media_type, _ = mimetypes.guess_type(os.fspath(path), strict=False)
            if media_type is None:
                msg = (
                    f"cannot tell the media type of {os.fspath(path)!r} from its "
                    "extension: give it (such as text/html)"
                )
                raise InvalidArgument(msg)
        with open(path, "rb") as stream:  # noqa: PTH123 - any PathLike
            content = stream.read()
        return cls(url, content, media_type, retrieved_at)


def _charset(media_type: str) -> str:
    match = re.search(r"charset=\"?([\w.:-]+)", media_type, re.IGNORECASE)
    return match.group(1) if match else "utf-8"


def text_of(content: bytes, media_type: str) -> str:
    """The text a reader sees in ``content``.

    ``text/html`` and ``application/xhtml+xml``: the visible text, as the
    ``html-text`` library extracts it (scripts, styles and markup left out;
    needs the ``html`` extra). Any other ``text/*`` type: the text itself,
    decoded by its ``charset`` (default UTF-8; a UTF-8 byte order mark is
    dropped). Other media types raise :class:`~ledger.errors.InvalidArgument`.
    """
    essence = media_type.split(";", 1)[0].strip().lower()
    if essence in ("text/html", "application/xhtml+xml"):
        try:
            import html_text
        except ImportError:  # pragma: no cover - depends on the installation
            msg = (
                "reading HTML needs the optional dependencies: "
                "pip install 'ledger-of-claims[html]'"
            )
            raise InvalidArgument(msg) from None
        return str(
            html_text.extract_text(content.decode(_charset(media_type), "replace"))
        )
    if essence.startswith("text/"):
        charset = _charset(media_type)
        if charset.lower().replace("-", "") == "utf8":
            charset = "utf-8-sig"
        try:
            return content.decode(charset)
        except (LookupError, UnicodeDecodeError) as error:
            msg = f"the content is not valid {charset} text: {error}"
            raise InvalidArgument(msg) from None
    msg = (
        f"cannot read text from media type {media_type!r}: expected text/html, "
        "application/xhtml+xml or another text/* type"
    )
    raise InvalidArgument(msg)


def quote_found(quote: str, archive: Archive) -> bool:
    """Whether ``quote`` appears in the archive's text, both :func:`normalise`-d."""
    return normalise(quote) in normalise(archive.text())


@attrs.frozen
class Problem:
    """A report that :func:`verify` could not hold to its archived source.

    ``reason`` is ``"no-archive"`` (no archive of its url) or
    ``"quote-not-found"`` (its quote is not in the archived text).
    """

    report: Report
    reason: Literal["no-archive", "quote-not-found"]
    message: str

    def __str__(self) -> str:
        return self.message


def verify(
    reports: Iterable[Report], archives_by_url: Mapping[str, Archive]
) -> list[Problem]:
    """Every report whose quote is not in its archived source, or that has none.

    A report with a ``url`` and no archive of it is listed as ``no-archive``;
    one whose ``quote`` is not found (see :func:`quote_found`) as
    ``quote-not-found``. Reports without a url have nothing to check and are
    passed over, as is the quote check of a report without a quote.
    """
    problems = []
    texts: dict[str, str] = {}
    for report in reports:
        if report.url is None:
            continue
        archive = archives_by_url.get(report.url)
        if archive is None:
            problems.append(
                Problem(
                    report,
                    "no-archive",
                    f"{report.report_id}: no archive of its url {report.url}",
                )
            )
            continue
        if report.quote is None:
            continue
        if report.url not in texts:
            texts[report.url] = normalise(archive.text())
        if normalise(report.quote) not in texts[report.url]:
            problems.append(
                Problem(
                    report,
                    "quote-not-found",
                    f"{report.report_id}: its quote is not in the archive of "
                    f"{report.url} (sha256 {archive.sha256[:12]}): "
                    f"{report.quote!r}",
                )
            )
    return problems


@runtime_checkable
class ArchiveStore(Protocol):
    """Where archives are recorded, once each, as events (a ledger)."""

    def record_archive(self, archive: Archive) -> None:
        """Record ``archive``; recording the same archive again changes nothing."""

    def archives(self) -> Mapping[str, Archive]:
        """The latest archive of each url, by url."""
