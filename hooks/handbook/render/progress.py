"""The progress curve on the home page: materials' completion and open findings over time, as one SVG.

No extra git call: the scan's one ``git log`` already gives every file the date of its last commit. A
collected cell counts from the earliest date among its files (the commit date, or the file's modification
date outside git); the share uses today's required cells, so the curve ends at today's completion. Open
findings on a day: found by then and not yet rectified then (from the findings table's dates).
"""

from __future__ import annotations

import datetime as dt
import html
from bisect import bisect_right
from dataclasses import dataclass

from handbook.model import Archive, EvidenceFile, Status

STEP_DAYS = 7
MIN_SPAN_DAYS = 56  # a curve of fewer weeks says nothing


@dataclass(frozen=True, slots=True)
class Point:
    day: dt.date
    percent: float  # materials collected, of the cells required today
    open_findings: int


def file_day(f: EvidenceFile) -> dt.date:
    if f.committed is not None:
        return f.committed.date()
    return dt.datetime.fromtimestamp(f.mtime_ns / 1e9).date()


def collected_days(archive: Archive) -> list[dt.date]:
    """The day each collected cell was first collected, sorted."""
    by_path = {f.path: f for f in archive.files}
    today = archive.project.plan.today
    days = []
    for cell in archive.cells:
        if cell.status is Status.COLLECTED:
            known = [file_day(by_path[p]) for p in cell.files if p in by_path]
            if known:
                days.append(min(min(known), today))  # a commit dated after a pinned today counts today
    return sorted(days)


def series(archive: Archive) -> list[Point]:
    today = archive.project.plan.today
    required = sum(1 for c in archive.cells if c.status is not Status.WAIVED)
    days = collected_days(archive)
    findings = archive.findings
    starts = [d for d in days[:1]] + [f.found for f in findings if f.found]
    if not required and not findings:
        return []
    start = min(starts + [today - dt.timedelta(days=MIN_SPAN_DAYS)])
    points, day = [], start
    while True:
        collected = bisect_right(days, day)
        open_now = sum(1 for f in findings if f.found and f.found <= day and (f.fixed is None or f.fixed > day))
        points.append(Point(day, round(100.0 * collected / required, 1) if required else 0.0, open_now))
        if day >= today:
            return points
        day = min(day + dt.timedelta(days=STEP_DAYS), today)


def progress_curve(archive: Archive) -> dict:
    points = series(archive)
    if len(points) < 2:
        return {"svg": "", "note": ""}
    dated = "最后一次提交的日期（git）" if any(f.committed for f in archive.files) else "修改日期（本目录不在 git 中）"
    note = (f"材料完成率按每份文件{dated}计入，分母是今天应交的材料；未整改问题数取自问题台账的发现日期和整改日期。"
            f"每 {STEP_DAYS} 天一个点，{points[0].day.isoformat()} 至 {points[-1].day.isoformat()}。")
    if not archive.findings:
        note = note.replace("未整改问题数取自问题台账的发现日期和整改日期。", "")
        return {"svg": line_chart(points, title="材料完成率", findings=False), "note": note}
    return {"svg": line_chart(points, title="材料完成率与未整改问题数"), "note": note}


def line_chart(points: list[Point], *, title: str, findings: bool = True, width: int = 640, height: int = 240) -> str:
    """Completion (0–100 %, left axis, solid) and open findings (right axis, dashed; only with ``findings``)."""
    left, right, top, bottom = 44, 44, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = points[0].day, points[-1].day
    span = max(1, (last - first).days)
    most = max(1, max(p.open_findings for p in points))

    def x(day: dt.date) -> float:
        return left + plot_w * (day - first).days / span

    def y_pct(value: float) -> float:
        return top + plot_h * (1 - value / 100)

    def y_open(value: int) -> float:
        return top + plot_h * (1 - value / most)

    esc = lambda v: html.escape(str(v), quote=True)  # noqa: E731
    parts = [f'<svg class="hb-chart-svg hb-progress" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="{esc(title)}" xmlns="http://www.w3.org/2000/svg"><title>{esc(title)}</title>']
    for value in (0, 25, 50, 75, 100):
        y = y_pct(value)
        parts.append(f'<line class="hb-grid" x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text class="hb-axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{value}%</text>')
    for value in sorted({0, most // 2, most}) if findings else ():
        parts.append(f'<text class="hb-axis" x="{left + plot_w + 6}" y="{y_open(value) + 4:.1f}" font-size="11" '
                     f'fill="#b71c1c">{value}</text>')
    for day in _month_starts(first, last):
        parts.append(f'<text class="hb-axis" x="{x(day):.1f}" y="{height - 12}" text-anchor="middle" font-size="11">'
                     f'{day.year % 100:02d}年{day.month}月</text>')
    completion = " ".join(f"{x(p.day):.1f},{y_pct(p.percent):.1f}" for p in points)
    opened = " ".join(f"{x(p.day):.1f},{y_open(p.open_findings):.1f}" for p in points)
    parts += [
        f'<polyline class="hb-line-done" points="{completion}" fill="none" stroke="#00796b" stroke-width="2.5"/>',
        f'<text x="{left + 4}" y="{top + 12}" font-size="12" fill="#00796b">— 材料完成率 {points[-1].percent:.1f}%</text>',
    ]
    if findings:
        parts += [
            f'<polyline class="hb-line-open" points="{opened}" fill="none" stroke="#b71c1c" stroke-width="2" stroke-dasharray="5 3"/>',
            f'<text x="{left + 4}" y="{top + 28}" font-size="12" fill="#b71c1c">'
            f'- - 未整改问题 {points[-1].open_findings} 个</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    days, day = [], dt.date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            days.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    if len(days) > 8:  # a long history: every other month
        days = days[::2]
    return days
