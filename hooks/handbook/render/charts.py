"""Small SVG charts rendered at build time: they print, need no JavaScript and fetch nothing.

Each function returns one ``<svg>`` string with every label HTML-escaped. Colours come from CSS classes
(``hb-bar``, ``hb-bar-bg`` …) so the print and dark styles can change them.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from collections.abc import Sequence

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # e.g. "一、爱国卫生组织管理"
    percent: float | None  # 0..100; None: nothing required (drawn grey, no bar)
    note: str = ""  # e.g. "36/40"
    href: str = ""  # optional link (already a URL)


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _level(percent: float) -> str:
    if percent >= 90:
        return "hb-bar-ok"
    if percent >= 60:
        return "hb-bar-mid"
    return "hb-bar-low"


def bar_chart(bars: list[Bar], *, title: str, width: int = 520, label_width: int = 190, row: int = 28) -> str:
    """Horizontal bars, one per row, 0–100 %. Scales with its container (viewBox, width 100%).

    Sized so the labels stay legible from a 360 px phone (scale ≈ 0.7) to a 36 rem desktop column.
    """
    value_width = 120
    track = width - label_width - value_width
    height = row * len(bars) + 8
    parts = _svg_open(width, height, title)
    for i, bar in enumerate(bars):
        y = 4 + i * row
        filled, value = _filled_and_value(bar, track)
        text_y = y + row / 2 + 5
        label = f'<text class="hb-bar-label" x="{label_width - 8}" y="{text_y:.0f}" text-anchor="end">{_esc(bar.label)}</text>'
        if bar.href:
            label = f'<a href="{_esc(bar.href)}">{label}</a>'
        parts += [
            label,
            f'<rect class="hb-bar-bg" x="{label_width}" y="{y + 5}" width="{track}" height="{row - 10}" rx="3"/>',
            f'<rect class="hb-bar {_level(bar.percent or 0.0)}" x="{label_width}" y="{y + 5}" '
            f'width="{filled:.1f}" height="{row - 10}" rx="3"/>',
            f'<text class="hb-bar-value" x="{label_width + track + 8}" y="{text_y:.0f}">'
            f"{value}{(' · ' + _esc(bar.note)) if bar.note else ''}</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: int, title: str) -> list[str]:
    """The opening of a chart: scales to its column, named for screen readers and as a tooltip."""
    return [
        f'<svg class="hb-chart-svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_esc(title)}</title>",
    ]


def _filled_and_value(bar: Bar, length: float) -> tuple[float, str]:
    """How much of a bar of ``length`` is filled (the percent kept within 0–100), and the figure shown beside it."""
    if bar.percent is None:
        return 0.0, "无应交材料"
    return max(0.0, min(100.0, bar.percent)) / 100 * length, f"{bar.percent:.1f}%"


def bar_chart_narrow(bars: list[Bar], *, title: str, width: int = 360, row: int = 44) -> str:
    """The same bars for a phone: the label and value on one line, the bar full width below it.

    At 360 px wide it is drawn at about 1:1, so the 14 px labels stay 14 px on the screen.
    """
    height = row * len(bars) + 4
    parts = _svg_open(width, height, title)
    for i, bar in enumerate(bars):
        y = 2 + i * row
        filled, value = _filled_and_value(bar, width)
        label = f'<text class="hb-bar-label" x="0" y="{y + 16}">{_esc(bar.label)}</text>'
        if bar.href:
            label = f'<a href="{_esc(bar.href)}">{label}</a>'
        parts += [
            label,
            f'<text class="hb-bar-value" x="{width}" y="{y + 16}" text-anchor="end">'
            f"{value}{(' · ' + _esc(bar.note)) if bar.note else ''}</text>",
            f'<rect class="hb-bar-bg" x="0" y="{y + 23}" width="{width}" height="12" rx="3"/>',
            f'<rect class="hb-bar {_level(bar.percent or 0.0)}" x="0" y="{y + 23}" width="{filled:.1f}" '
            f'height="12" rx="3"/>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def sparkline(
    values: Sequence[float | str | None],
    *,
    title: str,
    reference: Sequence[float | None] | None = None,
    label: str = "",
    width: int = 80,
    height: int = 28,
) -> str:
    """A tiny line over a series, one dot per year (gaps for missing years); "" with fewer than two values.

    ``reference`` (same length) is drawn dashed on the same scale: the target, or a plan value per year.
    ``label`` is the accessible name (defaults to ``title``, the tooltip).
    """
    points = _points(values)
    if len(points) < 2:
        return ""
    marks = _points(reference or [])
    every = [v for _, v in points + marks]
    low, high = min(every), max(every)
    span = (high - low) or 1.0
    step = (width - 8) / max(1, len(values) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return 4 + i * step, height - 4 - (v - low) / span * (height - 8)

    parts = [
        f'<svg class="hb-spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_esc(label or title)}" xmlns="http://www.w3.org/2000/svg"><title>{_esc(title)}</title>'
    ]
    if marks:
        ref = " ".join("{:.1f},{:.1f}".format(*xy(i, v)) for i, v in marks)
        if len(marks) == 1:  # one target for every year: a level line across the chart
            _, y = xy(0, marks[0][1])
            ref = f"4,{y:.1f} {width - 4},{y:.1f}"
        parts.append(f'<polyline class="hb-spark-ref" fill="none" points="{ref}"/>')
    for run in _runs(points):  # a missing year breaks the line instead of bridging it
        if len(run) > 1:
            parts.append('<polyline class="hb-spark-line" fill="none" points="'
                         + " ".join("{:.1f},{:.1f}".format(*xy(i, v)) for i, v in run) + '"/>')
    parts += [f'<circle class="hb-spark-dot" cx="{x:.1f}" cy="{y:.1f}" r="2"/>' for x, y in (xy(i, v) for i, v in points)]
    parts.append("</svg>")
    return "".join(parts)


def _runs(points: list[tuple[int, float]]) -> list[list[tuple[int, float]]]:
    """Consecutive years together: [(0,a),(1,b),(3,c)] → [[(0,a),(1,b)], [(3,c)]]."""
    runs: list[list[tuple[int, float]]] = []
    for point in points:
        if runs and runs[-1][-1][0] == point[0] - 1:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def _points(values: Sequence[object]) -> list[tuple[int, float]]:
    """(position, number) of the entries that are numbers; text and None are gaps."""
    return [(i, float(v)) for i, v in enumerate(values) if isinstance(v, (int, float)) and _is_number(v)]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
