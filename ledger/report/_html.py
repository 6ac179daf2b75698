"""The belief timeline as one self-contained HTML page, and small HTML views.

The page carries its data as JSON in a ``<script type="application/json">``
element and draws it with an inline script, using only ``textContent`` and
``setAttribute`` (never markup built from data). A Content-Security-Policy
allows that one script (by hash) and nothing from the network.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from typing import IO, Any

from ledger import _spool, _time
from ledger._time import TimePoint
from ledger.report._data import (
    COLOURS,
    KINDS,
    STATUSES,
    Layout,
    Picture,
    Row,
    time_text,
)
from ledger.values import Belief, Kind, Report, Status

PAGE_SIZE = 50
"""How many propositions the page draws at once; a pager shows the rest."""

_JSON_ESCAPES = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)
_ALL_STATUSES = tuple(Status)


def _resource(name: str) -> str:
    return files("ledger.report").joinpath(name).read_text(encoding="utf-8")


def script_json(value: object) -> str:
    r"""JSON for a ``<script>`` element: ``</script>`` and friends cannot break out.

    ``<``, ``>`` and ``&`` (and U+2028/2029, line breaks to old JavaScript) are
    written as ``\u`` escapes, which JSON reads back as the same characters.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_JSON_ESCAPES)


def web_link(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, else None: only those become links."""
    if url is not None and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def _ms(instant: datetime) -> int:
    """Milliseconds since the epoch, rounded down (JavaScript's time unit)."""
    return (instant - _EPOCH) // _MS


def _row_data(row: Row, source: Callable[[str], int]) -> dict[str, Any]:
    """One row of the page's data; ``source`` numbers each source's name."""
    marks = []
    for mark in row.marks:
        reported = (
            None
            if not isinstance(mark.reported_at, datetime)
            else time_text(mark.reported_at)
        )
        occurred = mark.occurred_at
        link = web_link(mark.url)
        marks.append(
            [
                _ms(mark.known_from),
                KINDS.index(mark.kind),
                source(mark.source),
                reported,
                None if occurred is None else time_text(occurred),
                None if occurred is None else _ms(_time.start(occurred)),
                mark.quote,
                link,
                mark.url if link is None else None,
                mark.struck,
                mark.report_id,
            ]
        )
    return {
        "k": row.key,
        "s": row.statement,
        "q": row.question,
        "p": [[_ms(t), _ALL_STATUSES.index(s)] for t, s in row.periods],
        "m": marks,
    }


class _Sources:
    """Numbers for source names in order of first use, in bounded memory.

    The most recent names are kept in a dictionary; the rest live in a
    scratch table, so a ledger of a million sources does not fill memory.
    """

    _KEPT = 4096

    def __init__(self, scratch: sqlite3.Connection) -> None:
        self._scratch = scratch
        scratch.execute("CREATE TABLE sources (name TEXT PRIMARY KEY, number INTEGER)")
        self._recent: dict[str, int] = {}
        self.count = 0

    def __call__(self, name: str) -> int:
        number = self._recent.get(name)
        if number is None:
            found = self._scratch.execute(
                "SELECT number FROM sources WHERE name = ?", (name,)
            ).fetchone()
            if found is None:
                number = self.count
                self.count += 1
                self._scratch.execute(
                    "INSERT INTO sources VALUES (?, ?)", (name, number)
                )
            else:
                number = found[0]
            if len(self._recent) >= self._KEPT:
                self._recent.clear()
            self._recent[name] = number
        return number

    def names(self) -> Iterator[str]:
        """Every name, in number order."""
        query = "SELECT name FROM sources ORDER BY number"
        yield from _spool.rows(self._scratch, query)


def _write_data(
    out: IO[str],
    rows: Iterable[Row],
    *,
    cursor: date,
    cutoff: datetime,
    segments: Sequence[tuple[datetime, datetime]],
) -> None:
    """Write the page's JSON data, one row at a time (sources after the rows)."""
    head = {
        "on": cursor.isoformat(),
        "cutoff": _ms(cutoff),
        "segments": [[_ms(a), _ms(b)] for a, b in segments],
        "kinds": [kind.value for kind in KINDS],
        "statuses": [status.value for status in _ALL_STATUSES],
        "page": PAGE_SIZE,
    }
    with _spool.spool() as scratch:
        sources = _Sources(scratch)
        out.write(script_json(head)[:-1] + ',"rows":[')
        for index, row in enumerate(rows):
            out.write(("," if index else "") + script_json(_row_data(row, sources)))
        out.write('],"sources":[')
        for index, name in enumerate(sources.names()):
            out.write(("," if index else "") + script_json(name))
        out.write("]}")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def subtitle(propositions: int, reports: int, struck: int, on: TimePoint) -> str:
    """One line under the title: how much the page shows, as known by when."""
    text = _count(reports, "report")
    if struck:
        text += f" ({struck:,} struck)"
    return f"{_count(propositions, 'proposition')}, {text}, as known by {time_text(on)}"


_PATTERNS = """<svg class="defs" width="0" height="0" aria-hidden="true" \
style="position:absolute">
<defs>
<pattern id="pattern-claimed" width="6" height="6" patternUnits="userSpaceOnUse" \
patternTransform="rotate(45)"><rect width="6" height="6" fill="#d9effb"/>\
<rect width="3" height="6" fill="{claimed}"/></pattern>
<pattern id="pattern-disputed" width="6" height="6" patternUnits="userSpaceOnUse">\
<rect width="6" height="6" fill="#fbe9c7"/><path d="M0 0L6 6M6 0L0 6" \
stroke="{disputed}" stroke-width="1.8"/></pattern>
<pattern id="pattern-confirmed" width="6" height="6" patternUnits="userSpaceOnUse">\
<rect width="6" height="6" fill="{confirmed}"/></pattern>
<pattern id="pattern-refuted" width="6" height="5" patternUnits="userSpaceOnUse">\
<rect width="6" height="5" fill="{refuted}"/><rect y="4" width="6" height="1" \
fill="#f3c2a3"/></pattern>
<pattern id="pattern-unknown" width="6" height="6" patternUnits="userSpaceOnUse">\
<rect width="6" height="6" fill="{unknown}"/></pattern>
</defs></svg>""".format(**{status.value: COLOURS[status] for status in Status})

_GLYPHS = {
    Kind.CLAIMED: '<circle cx="7" cy="7" r="4.5" class="glyph" data-kind="claimed"/>',
    Kind.CONFIRMED: '<rect x="2.5" y="2.5" width="9" height="9" class="glyph" '
    'data-kind="confirmed"/>',
    Kind.DISPUTED: '<path d="M2 3h10l-5 9z" class="glyph" data-kind="disputed"/>',
    Kind.REFUTED: '<path d="M2.5 2.5l9 9m0-9l-9 9" class="glyph" data-kind="refuted"/>',
}


def _svg(inner: str, width: int = 14, height: int = 14) -> str:
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-hidden="true">{inner}</svg>'
    )


def legend() -> str:
    """The legend: each status's band, each kind's marker, happened, struck."""
    parts = ['<div class="legend" role="list" aria-label="Legend">']
    for status in STATUSES:
        band = (
            f'<rect x="0" y="2" width="28" height="10" class="band" '
            f'fill="url(#pattern-{status.value})"/>'
        )
        parts.append(
            f'<span role="listitem">{_svg(band, 28)} {status.value} (status)</span>'
        )
    for kind in KINDS:
        side = "above the band" if kind.supports else "below the band"
        parts.append(
            f'<span role="listitem" title="{side}">{_svg(_GLYPHS[kind])} '
            f"{kind.value} (report)</span>"
        )
    happened = (
        '<line x1="6" x2="28" y1="7" y2="7" class="gap"/>'
        '<path d="M6 2l4 5-4 5-4-5z" class="pin"/>'
    )
    parts.append(
        f'<span role="listitem">{_svg(happened, 30)} happened, and when first '
        "reported</span>"
    )
    struck = (
        '<g class="mark" data-struck="1"><circle cx="7" cy="7" r="4.5" class="glyph" '
        'data-kind="claimed"/><line x1="0" x2="14" y1="12" y2="2" class="strike"/></g>'
    )
    parts.append(f'<span role="listitem">{_svg(struck)} struck report</span>')
    parts.append("</div>")
    return "".join(parts)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{style}</style>
</head><body>
{patterns}
<header><h1>{title}</h1><p class="sub">{subtitle}</p></header>
<div class="sticky"><section class="controls" aria-label="Date cursor">
<label for="cursor-date">Believed on</label>
<input id="cursor-date" type="text" inputmode="numeric" value="{cursor}" \
placeholder="YYYY-MM-DD" autocomplete="off" spellcheck="false" \
aria-describedby="cursor-help">
<output id="summary" for="cursor-date cursor-range" aria-live="polite"></output>
</section>
<div class="axis-row"><div class="label-col" id="cursor-help">Drag the slider or \
the axis, or type a date; arrow keys step a day.</div>
<div class="track" id="axis-track">
<input id="cursor-range" type="range" min="0" max="1000" value="0" \
aria-label="Knowledge date (drag to move the date cursor)">
<svg id="axis" height="30" aria-hidden="true"></svg></div></div></div>
{legend}
<div class="tools"><input id="filter" type="search" \
placeholder="Filter by key, statement, question or source" \
aria-label="Filter propositions">
<span id="pager" hidden><button id="prev" type="button">Previous</button>
<span id="page-info"></span><button id="next" type="button">Next</button></span></div>
<main id="rows" aria-label="Propositions"></main>
<div id="details" hidden role="dialog" aria-label="Report details"></div>
<noscript><p>This page draws its timeline with JavaScript, which is turned off. \
<code>ledger believed --on DATE</code> gives the same answers as text.</p></noscript>
<script type="application/json" id="ledger-data">{data}</script>
<script>{script}</script>
</body></html>
"""


def page(picture: Picture) -> str:
    """The whole page: inline CSS, JSON data, one inline script, no network."""
    out = io.StringIO()
    write_page(
        out,
        picture.rows,
        title=picture.title,
        subtitle=subtitle(
            len(picture.rows), picture.reports, picture.struck, picture.on
        ),
        cursor=picture.cursor,
        cutoff=picture.cutoff,
        segments=picture.segments,
    )
    return out.getvalue()


def write_layout(laid: Layout, out: IO[str]) -> None:
    """Write the page of a laid-out picture to ``out``, a row at a time."""
    write_page(
        out,
        laid.rows(),
        title=laid.title,
        subtitle=subtitle(laid.propositions, laid.reports, laid.struck, laid.on),
        cursor=laid.cursor,
        cutoff=laid.cutoff,
        segments=laid.segments,
    )


def write_page(
    out: IO[str],
    rows: Iterable[Row],
    *,
    title: str,
    subtitle: str,
    cursor: date,
    cutoff: datetime,
    segments: Sequence[tuple[datetime, datetime]],
) -> None:
    """Write the page of ``rows`` to ``out``; the rows are read once, in turn."""
    script = _resource("_page.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest())
    policy = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest.decode('ascii')}'; base-uri 'none'; "
        "form-action 'none'"
    )
    # Every value but the script and the escaped JSON is escaped HTML text.
    before, after = _PAGE.split("{data}")
    out.write(
        before.format(
            policy=policy,
            title=html.escape(title),
            style=_resource("_page.css"),
            patterns=_PATTERNS,
            subtitle=html.escape(subtitle),
            cursor=html.escape(cursor.isoformat()),
            legend=legend(),
        )
    )
    _write_data(out, rows, cursor=cursor, cutoff=cutoff, segments=segments)
    out.write(after.format(script=script))


def iframe(document: str, *, height: int) -> str:
    """``document`` in an ``<iframe srcdoc>``: its script and ids kept to itself."""
    return (
        f'<iframe srcdoc="{html.escape(document, quote=True)}" '
        f'style="width:100%;height:{height}px;border:1px solid #dde1e5" '
        'sandbox="allow-scripts" title="Belief timeline"></iframe>'
    )


def frame_height(picture: Picture) -> int:
    """A notebook frame tall enough for the page's first screen of rows."""
    rows = min(len(picture.rows), PAGE_SIZE)
    groups = len({row.question for row in picture.rows[:rows] if row.question})
    return min(300 + 66 * rows + 44 * groups, 900)


_CARD_STYLE = (
    "font:14px/1.45 system-ui,sans-serif;border:1px solid #dde1e5;"
    "border-radius:6px;padding:.5em .8em;max-width:48em"
)
_CHIP_STYLE = {
    Status.UNKNOWN: "background:#BBBBBB;color:#000",
    Status.CLAIMED: "background:repeating-linear-gradient(45deg,#56B4E9 0 3px,"
    "#d9effb 3px 6px);color:#000",
    Status.DISPUTED: "background:repeating-linear-gradient(45deg,#E69F00 0 2px,"
    "#fbe9c7 2px 6px);color:#000",
    Status.CONFIRMED: "background:#0072B2;color:#fff",
    Status.REFUTED: "background:repeating-linear-gradient(0deg,#D55E00 0 4px,"
    "#f3c2a3 4px 5px);color:#fff",
}


def chip(status: Status | Kind) -> str:
    """A status (or a report's kind) as a small labelled, patterned chip."""
    style = _CHIP_STYLE[Status(status.value)]
    return (
        f'<span data-status="{status.value}" style="{style};padding:0 .4em;'
        "border-radius:3px;border:1px solid rgba(0,0,0,.35);font-weight:600;"
        f'font-size:.85em;white-space:nowrap">{status.value}</span>'
    )


def _date(value: object) -> str:
    if value is None:
        return "unknown"
    text = time_text(value) if isinstance(value, datetime) else str(value)
    return f'<span style="white-space:nowrap">{html.escape(text)}</span>'


def _report_line(report: Report) -> str:
    line = (
        f"<li>{chip(report.kind)} <b>{html.escape(report.source)}</b>, "
        f"{_date(report.reported_at)}"
    )
    if report.quote:
        line += f": <i>“{html.escape(report.quote)}”</i>"
    link = web_link(report.url)
    if link is not None:
        line += (
            f' <a href="{html.escape(link, quote=True)}" rel="noreferrer">source</a>'
        )
    elif report.url:
        line += f" ({html.escape(report.url)})"
    return line + "</li>"


def belief_card(belief: Belief) -> str:
    """A belief as a small HTML card: status, since, statement and evidence."""
    title = html.escape(belief.statement or belief.proposition)
    parts = [
        f'<div class="ledger-belief" style="{_CARD_STYLE}">',
        f"<div>{chip(belief.status)} since {_date(belief.since)}",
        f" &middot; happened {_date(belief.occurred_at)}</div>",
        f'<div style="font-weight:600;margin:.2em 0">{title}</div>',
        (
            '<div style="font-family:monospace;font-size:.85em;color:#5c636a">'
            f"{html.escape(belief.proposition)}</div>"
        ),
    ]
    for label, reports in (
        ("Decided by", belief.decided_by),
        ("Challenges", belief.challenges),
    ):
        if reports:
            parts.append(f'<div style="margin-top:.3em">{label}:</div>')
            parts.append('<ul style="margin:.1em 0 .2em 1.2em;padding:0">')
            parts.extend(_report_line(report) for report in reports)
            parts.append("</ul>")
    parts.append(
        f'<div style="color:#5c636a;font-size:.85em">{len(belief.supporting)} for, '
        f"{len(belief.opposing)} against</div></div>"
    )
    return "".join(parts)


def summary_card(statuses: dict[str, Status], rows: int, reports: int) -> str:
    """A ledger as a small card: its size and how many hold each status now."""
    counts = Counter(statuses.values())
    total = max(sum(counts.values()), 1)
    bar = "".join(
        f'<span title="{status.value}: {counts[status]}" style="display:inline-block;'
        f"height:12px;width:{100 * counts[status] / total:.2f}%;"
        f'{_CHIP_STYLE[status]}"></span>'
        for status in STATUSES
        if counts[status]
    )
    items = " ".join(f"{counts[status]:,}&nbsp;{chip(status)}" for status in STATUSES)
    return (
        f'<div class="ledger-summary" style="{_CARD_STYLE}">'
        f"<div><b>Ledger</b>: {_count(rows, 'proposition')}, "
        f"{_count(reports, 'report')}</div>"
        f'<div style="margin:.3em 0">Believed now: {items}</div>'
        f'<div style="display:flex;width:100%;border:1px solid #dde1e5">{bar}</div>'
        "</div>"
    )
