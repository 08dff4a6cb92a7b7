"""Small SVG charts rendered at build time: they print, need no JavaScript and fetch nothing.

Each function returns one ``<svg>`` string with every label HTML-escaped. Colours come from CSS classes
(``hb-bar``, ``hb-bar-bg`` …) so the print and dark styles can change them.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

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
    parts = [
        f'<svg class="hb-chart-svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_esc(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * row
        filled = max(0.0, min(100.0, bar.percent)) / 100 * track if bar.percent is not None else 0.0
        value = f"{bar.percent:.1f}%" if bar.percent is not None else "无应交材料"
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


def sparkline(values: list[float | None], *, title: str, width: int = 120, height: int = 28) -> str:
    """A tiny line over a series (gaps for missing years); empty string when fewer than two values."""
    points = [(i, v) for i, v in enumerate(values) if isinstance(v, (int, float))]
    if len(points) < 2:
        return ""
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1.0
    step = (width - 8) / max(1, len(values) - 1)
    coords = [(4 + i * step, height - 4 - (v - low) / span * (height - 8)) for i, v in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    return (
        f'<svg class="hb-spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>{_esc(title)}</title>'
        f'<polyline class="hb-spark-line" fill="none" points="{path}"/>'
        f'<circle class="hb-spark-dot" cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5"/></svg>'
    )
