"""Periods, peer-grouped scores and the figures of the 通报 and the 工作简报, from the one judged archive.

A unit is ranked only against units of the same ``kind`` in units.yml (街道 among 街道, 市直部门 among 市直部门 …).
Its score is the weighted mean of two shares, the weights from standards/local/campaign.yml:

- materials: its cells collected by the period's last day (each cell counted from the earliest date among
  its files: the last commit, or the modification date outside git), of the cells it owes today;
- findings on time: of its findings (as 属地 or 行业 unit) whose deadline fell in the period, those
  rectified by the deadline. A unit with no finding due in the period is scored on materials alone.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from handbook.model import Archive, EvidenceFile, Finding, Status

# --------------------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str  # e.g. 2026年11月, 2026年第四季度, 2026-11-16至2026-11-22

    def __contains__(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


QUARTERS = "一二三四"


def parse_period(text: str) -> Period | None:
    """"2026-11" (a month), "2026Q4" / "2026-Q4" (a quarter), "2026-W47" (an ISO week); else None."""
    text = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return Period(dt.date(year, month, 1), _month_end(year, month), f"{year}年{month}月")
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
        year, q = int(m.group(1)), int(m.group(2))
        return Period(dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q), f"{year}年第{QUARTERS[q - 1]}季度")
    if m := re.fullmatch(r"(\d{4})-?W(\d{1,2})", text):
        try:
            start = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            return None
        return Period(start, start + dt.timedelta(days=6), f"{m.group(1)}年第{int(m.group(2))}周")
    return None


def span(start: dt.date, end: dt.date) -> Period:
    return Period(start, end, f"{start.isoformat()}至{end.isoformat()}")


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


# --------------------------------------------------------------------------- when a cell was collected


def file_day(f: EvidenceFile) -> dt.date:
    if f.committed is not None:
        return f.committed.date()
    return dt.datetime.fromtimestamp(f.mtime_ns / 1e9).date()


class Collected:
    """The day each required cell was first collected, per owner, for "completion on day d"."""

    def __init__(self, archive: Archive) -> None:
        by_path = {f.path: f for f in archive.files}
        today = archive.project.plan.today
        self.days: dict[object, list[dt.date]] = defaultdict(list)  # key → sorted collected days
        self.required: dict[object, int] = defaultdict(int)
        categories = {n: item.category for n, item in archive.project.standard.items.items()}
        for cell in archive.cells:
            if cell.status is Status.WAIVED:
                continue
            keys = [("all",), ("category", categories.get(cell.item))]
            keys += [("unit", owner) for owner in (cell.owners or (cell.owner or cell.unit,)) if owner]
            known = [file_day(by_path[p]) for p in cell.files if p in by_path] if cell.status is Status.COLLECTED else []
            for key in keys:
                self.required[key] += 1
                if known:
                    self.days[key].append(min(min(known), today))  # a commit after a pinned today counts today
        for days in self.days.values():
            days.sort()

    def percent(self, key: tuple, day: dt.date) -> float | None:
        required = self.required.get(key, 0)
        if not required:
            return None
        return round(100.0 * bisect_right(self.days.get(key, []), day) / required, 1)


# --------------------------------------------------------------------------- peer-grouped scores


@dataclass(slots=True)
class Score:
    unit: str
    kind: str
    materials: float | None  # % collected by the period's end
    due: int  # findings whose deadline fell in the period
    on_time: int  # … rectified by the deadline
    score: float | None
    rank: int = 0

    @property
    def on_time_percent(self) -> float | None:
        return round(100.0 * self.on_time / self.due, 1) if self.due else None


@dataclass(slots=True)
class PeerGroup:
    kind: str
    scores: list[Score]  # best first
    top: list[Score] = field(default_factory=list)
    bottom: list[Score] = field(default_factory=list)


def peer_groups(archive: Archive, period: Period, collected: Collected | None = None) -> list[PeerGroup]:
    """Every kind of unit with at least two scored units, in the plan's order of kinds; 街道 first."""
    campaign = archive.campaign
    collected = collected or Collected(archive)
    by_kind: dict[str, list[Score]] = defaultdict(list)
    for unit in archive.project.plan.units.values():
        score = _score(unit.name, unit.kind or "其他", archive.findings, collected, period, campaign)
        if score.score is not None:
            by_kind[score.kind].append(score)
    named = getattr(campaign, "named", 3)
    groups = []
    for kind in sorted(by_kind, key=lambda k: (k != "街道", list(by_kind).index(k))):
        scores = sorted(by_kind[kind], key=lambda s: (s.score is None, -(s.score or 0.0), s.unit))  # unscored last
        if len(scores) < 2:
            continue
        for rank, score in enumerate(scores, start=1):
            score.rank = rank
        shown = min(named, len(scores) // 2)  # never name the same unit at both ends
        groups.append(PeerGroup(kind, scores, scores[:shown], list(reversed(scores[-shown:])) if shown else []))
    return groups


def _closed_on_time(finding: Finding) -> bool:
    return finding.fixed is not None and finding.deadline is not None and finding.fixed <= finding.deadline


def _score(unit: str, kind: str, findings: list[Finding], collected: Collected, period: Period, campaign) -> Score:
    materials = collected.percent(("unit", unit), period.end)
    due = [f for f in findings if unit in f.units and f.deadline in period]
    on_time = len([f for f in due if _closed_on_time(f)])
    weight_m = getattr(campaign, "weight_materials", 60.0)
    weight_f = getattr(campaign, "weight_findings", 40.0)
    parts = []
    if materials is not None:
        parts.append((materials, weight_m))
    if due:
        parts.append((100.0 * on_time / len(due), weight_f))
    total_weight = sum(w for _, w in parts)
    score = round(sum(v * w for v, w in parts) / total_weight, 1) if parts and total_weight else None
    return Score(unit, kind, materials, len(due), on_time, score)


def red_flag(archive: Archive, groups: list[PeerGroup]) -> Score | None:
    """The 流动红旗 holder: first of the configured kind's group, when campaign.yml names a flag."""
    campaign = archive.campaign
    if not getattr(campaign, "red_flag", ""):
        return None
    group = next((g for g in groups if g.kind == campaign.red_flag_kind), None)
    return group.scores[0] if group and group.scores else None


# --------------------------------------------------------------------------- period figures


def findings_in(findings: list[Finding], period: Period) -> dict:
    opened = [f for f in findings if f.found in period]
    closed = [f for f in findings if f.fixed in period]
    due = [f for f in findings if f.deadline in period]
    on_time = [f for f in due if _closed_on_time(f)]
    open_at_end = [f for f in findings if f.found and f.found <= period.end and (f.fixed is None or f.fixed > period.end)]
    late_at_end = [f for f in open_at_end if f.deadline and f.deadline < period.end]
    return {"opened": opened, "closed": closed, "due": due, "on_time": on_time, "open_at_end": open_at_end,
            "late_at_end": late_at_end,
            "on_time_percent": round(100.0 * len(on_time) / len(due), 1) if due else None}


def files_received(archive: Archive, period: Period) -> list[EvidenceFile]:
    return [f for f in archive.files if file_day(f) in period]


def completion_change(archive: Archive, period: Period, collected: Collected | None = None) -> dict:
    """Completion on the day before the period and on its last day: the city, each category, each unit."""
    collected = collected or Collected(archive)
    before = period.start - dt.timedelta(days=1)

    def change(key: tuple) -> dict:
        return {"before": collected.percent(key, before), "after": collected.percent(key, period.end)}

    categories = {c.number: change(("category", c.number)) for c in archive.project.standard.categories}
    units = {name: change(("unit", name)) for name in archive.project.plan.units if collected.required.get(("unit", name))}
    return {"all": change(("all",)), "categories": categories, "units": units}


# --------------------------------------------------------------------------- the 工作简报's figures

UNKNOWN_UNIT = "（单位不明）"


@dataclass(slots=True)
class UnitChange:
    unit: str
    received: int  # files received in the period
    before: float | None  # completion % the day before the period
    after: float | None  # … on its last day


@dataclass(slots=True)
class Briefing:
    """What the 工作简报 says of a period: the same figures on the site and in the office's XLSX/PDF."""

    period: Period
    received: list[EvidenceFile]
    change: dict  # completion_change(): "all", "categories", "units" → {"before", "after"}
    units: list[UnitChange]  # units whose completion changed or that sent files, in the plan's order
    findings: dict  # findings_in()
    opened: list[Finding]  # found in the period, by date then id
    closed: list[Finding]  # rectified in the period, by date then id


def briefing(archive: Archive, period: Period, collected: Collected | None = None) -> Briefing:
    collected = collected or Collected(archive)
    received = files_received(archive, period)
    change = completion_change(archive, period, collected)
    figures = findings_in(archive.findings, period)
    by_unit = Counter(f.unit or f.unit_raw or UNKNOWN_UNIT for f in received)
    return Briefing(period, received, change, _unit_changes(archive, change["units"], by_unit), figures,
                    sorted(figures["opened"], key=lambda f: (f.found, f.id)),
                    sorted(figures["closed"], key=lambda f: (f.fixed, f.id)))


def _unit_changes(archive: Archive, changes: dict, by_unit: Counter) -> list[UnitChange]:
    """Units whose completion changed or that sent files (one that owes nothing too), in the plan's order;
    files naming no known unit last, so every received file is counted somewhere."""
    order = [*archive.project.plan.units, *sorted(set(by_unit) - set(archive.project.plan.units))]
    rows = []
    for name in order:
        change = changes.get(name, {"before": None, "after": None})
        if change["before"] != change["after"] or by_unit.get(name):
            rows.append(UnitChange(name, by_unit.get(name, 0), change["before"], change["after"]))
    return rows


def delta(before: float | None, after: float | None) -> float | None:
    """The change in percentage points, rounded as the figures are; None when either end is unknown."""
    return None if before is None or after is None else round(after - before, 1)
