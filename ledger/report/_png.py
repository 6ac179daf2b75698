"""The belief timeline as a static image (PNG or SVG), drawn with matplotlib.

The same picture as the page, without the cursor: bands by status (colour and
hatching), one marker per report (shape by kind; struck ones hollow and crossed
out), happened-at pins joined to the first report that gave them, and the same
folded time axis. Needs the ``png`` extra.
"""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ledger import _time
from ledger.report._data import COLOURS, STATUSES, Picture, Row, status_at, time_text
from ledger.values import Kind, Status

MAX_ROWS = 60
"""An image draws at most this many propositions, and says how many it left out."""

_HATCHES = {
    Status.CLAIMED: "////",
    Status.DISPUTED: "xxxx",
    Status.CONFIRMED: "",
    Status.REFUTED: "----",
    Status.UNKNOWN: "",
}
_MARKERS = {
    Kind.CLAIMED: "o",
    Kind.DISPUTED: "v",
    Kind.CONFIRMED: "s",
    Kind.REFUTED: "X",
}
_BREAK = 0.012  # the width of a fold, as a share of the axis
_MIN_SHARE = 0.2


class _Axis:
    """Maps instants onto [0, 1] across the picture's stretches, folds between."""

    def __init__(self, segments: tuple[tuple[datetime, datetime], ...]) -> None:
        total = sum(((b - a) for a, b in segments), timedelta())
        weights = [max(b - a, total * _MIN_SHARE) for a, b in segments]
        room = 1 - _BREAK * (len(segments) - 1)
        whole = sum(weights, timedelta())
        self.parts: list[tuple[datetime, datetime, float, float]] = []
        offset = 0.0
        for (a, b), weight in zip(segments, weights, strict=True):
            width = room * (weight / whole)
            self.parts.append((a, b, offset, offset + width))
            offset += width + _BREAK

    def x(self, instant: datetime) -> float:
        """Where ``instant`` falls on the axis."""
        for index, (a, b, x0, x1) in enumerate(self.parts):
            if instant < a:
                return x0 if index == 0 else x0 - _BREAK / 2
            if instant <= b:
                return x0 + (instant - a) / (b - a) * (x1 - x0)
        return self.parts[-1][3]


_STEPS = (
    (1, "d"), (2, "d"), (7, "d"), (14, "d"), (1, "m"), (2, "m"), (3, "m"),
    (6, "m"), (1, "y"), (2, "y"), (5, "y"), (10, "y"), (25, "y"),
)  # fmt: skip
_UNIT_DAYS = {"d": 1.0, "m": 30.44, "y": 365.25}


def _calendar(a: datetime, b: datetime, n: int, unit: str) -> list[datetime]:
    """Every n-th day, month or year start from ``a`` to ``b`` (UTC)."""
    found: list[datetime] = []
    if unit == "d":
        day = datetime(a.year, a.month, a.day, tzinfo=UTC) + timedelta(days=1)
        while day <= b:
            if day.toordinal() % n == 0:
                found.append(day)
            day += timedelta(days=1)
        return found
    index = a.year * 12 + a.month  # the month after a's, counted from year 0
    while True:
        year, month = divmod(index, 12)
        instant = datetime(year, month + 1, 1, tzinfo=UTC)
        if instant > b:
            return found
        if (unit == "m" and index % n == 0) or (
            unit == "y" and month == 0 and year % n == 0
        ):
            found.append(instant)
        index += 1


def _ticks(axis: _Axis) -> list[tuple[float, str]]:
    """Tick positions and labels per stretch, at most about one per inch."""
    found: list[tuple[float, str]] = []
    for a, b, x0, x1 in axis.parts:
        days = (b - a) / timedelta(days=1)
        room = 11 * (x1 - x0)  # ticks that fit in the stretch's share of 11 inches
        for n, unit in _STEPS:
            if days / (n * _UNIT_DAYS[unit]) <= max(room, 1):
                break
        pattern = {"d": "%Y-%m-%d", "m": "%Y-%m", "y": "%Y"}[unit]
        found.extend(
            (axis.x(instant), instant.strftime(pattern))
            for instant in _calendar(a, b, n, unit)
        )
    return found


def _draw_row(ax: Any, row: Row, y: float, axis: _Axis, end: datetime) -> None:
    for index, (start, status) in enumerate(row.periods):
        stop = row.periods[index + 1][0] if index + 1 < len(row.periods) else end
        for a, b, _x0, _x1 in axis.parts:
            lo, hi = max(start, a), min(stop, b)
            if hi < lo:
                continue
            left = axis.x(lo)
            width = max(axis.x(hi) - left, 0.002)
            ax.broken_barh(
                [(left, width)],
                (y - 0.14, 0.28),
                facecolors="white" if _HATCHES[status] else COLOURS[status],
                edgecolors=COLOURS[status],
                hatch=_HATCHES[status],
                linewidth=0.8,
            )
    pins: dict[datetime, datetime] = {}
    for mark in row.marks:
        if mark.occurred_at is not None:
            pins.setdefault(_time.start(mark.occurred_at), mark.known_from)
    for happened, first in pins.items():
        ax.plot(
            [axis.x(happened), axis.x(first)],
            [y + 0.36] * 2,
            color="black",
            linewidth=0.7,
            linestyle=(0, (3, 2)),
        )
        ax.plot(
            axis.x(happened),
            y + 0.36,
            marker="D",
            markersize=4,
            color="black",
            markerfacecolor="white",
            linestyle="none",
        )
    for mark in row.marks:
        lane = y + 0.24 if mark.kind.supports else y - 0.26
        struck = mark.struck is not None
        colour = COLOURS[Status(mark.kind.value)]
        ax.plot(
            axis.x(mark.known_from),
            lane,
            marker=_MARKERS[mark.kind],
            markersize=5.5,
            markerfacecolor="white" if struck else colour,
            markeredgecolor="#777777" if struck else "#1d2125",
            markeredgewidth=0.7,
            linestyle="none",
        )
        if struck:
            ax.plot(axis.x(mark.known_from), lane, marker="_", markersize=9, color="k")


def write(picture: Picture, path: Path) -> None:
    """Draw ``picture`` to ``path``: SVG if it ends .svg, else PNG."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
    except ImportError as error:
        msg = (
            "drawing an image needs matplotlib: pip install 'ledger-of-claims[png]' "
            f"({error})"
        )
        raise ImportError(msg) from error
    rows = picture.rows[:MAX_ROWS]
    axis = _Axis(picture.segments)
    end = min(picture.cutoff, picture.segments[-1][1])
    height = 1.6 + 0.62 * max(len(rows), 1)
    figure = pyplot.figure(figsize=(14, height), dpi=100)
    try:
        ax = figure.add_axes((0.3, 0.9 / height, 0.68, 1 - 1.7 / height))
        for index, row in enumerate(rows):
            y = len(rows) - 1 - index
            _draw_row(ax, row, y, axis, end)
            status, _ = status_at(row, end)
            label = textwrap.shorten(row.statement or row.key, 100, placeholder="…")
            ax.text(
                -0.02,
                y + 0.08,
                textwrap.fill(label, 52),
                ha="right",
                va="center",
                fontsize=8.5,
                transform=ax.get_yaxis_transform(),
            )
            ax.text(
                -0.02,
                y - 0.34,
                f"{row.key} · {status.value}",
                ha="right",
                va="center",
                fontsize=7,
                color="#5c636a",
                family="monospace",
                transform=ax.get_yaxis_transform(),
            )
        for _a, _b, x0, _x1 in axis.parts[1:]:
            ax.axvspan(x0 - _BREAK, x0, color="#f2f3f5", zorder=0)
        ticks = _ticks(axis)
        ax.set_xticks([x for x, _ in ticks], [label for _, label in ticks], fontsize=8)
        ax.set_yticks([])
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        title = picture.title
        if len(picture.rows) > len(rows):
            title += f" (first {len(rows)} of {len(picture.rows):,} propositions)"
        figure.suptitle(title, x=0.02, y=1 - 0.18 / height, ha="left", fontsize=13)
        figure.text(
            0.02,
            1 - 0.45 / height,
            f"as known by {time_text(picture.on)}",
            fontsize=8.5,
            color="#5c636a",
        )
        handles = [
            Patch(
                facecolor="white" if _HATCHES[s] else COLOURS[s],
                edgecolor=COLOURS[s],
                hatch=_HATCHES[s],
                label=s.value,
            )
            for s in STATUSES
        ] + [
            Line2D(
                [],
                [],
                marker=_MARKERS[k],
                linestyle="none",
                markersize=6,
                markerfacecolor=COLOURS[Status(k.value)],
                markeredgecolor="#1d2125",
                label=f"{k.value} report",
            )
            for k in Kind
        ]
        figure.legend(
            handles=handles,
            loc="upper right",
            ncol=8,
            fontsize=7.5,
            frameon=False,
            bbox_to_anchor=(0.98, 1 - 0.3 / height),
        )
        figure.savefig(path, format="svg" if path.suffix.lower() == ".svg" else "png")
    finally:
        pyplot.close(figure)
