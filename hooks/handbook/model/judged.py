"""What judge decided: each cell's status, the tallies, the indicators' verdicts, the whole archive and the
campaign's findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from handbook.model.core import Problem, Where
from handbook.model.standard import Rule
from handbook.model.plan import Project
from handbook.model.evidence import EvidenceFile


class Status(str, Enum):
    COLLECTED = "已收集"
    MISSING = "缺失"
    OVERDUE = "逾期"
    WAIVED = "不适用"
    REVIEW = "待核"


@dataclass(slots=True)
class Cell:
    """A required cell: (item, material, year if per-year, unit if per-unit)."""

    item: int
    material: str
    year: int | None
    unit: str | None  # canonical unit name when per-unit; else the lead unit is answerable
    status: Status
    files: list[str] = field(default_factory=list)  # EvidenceFile.path
    deadline: dt.date | None = None
    reason: str = ""  # waiver reason, or what is wrong for 待核
    owner: str | None = None  # the one unit that owes it: the per-unit unit, else the material's supplier
    supervisors: tuple[str, ...] = ()  # the item's leads (other than the owner): they 督促, never count it

    @property
    def owners(self) -> tuple[str, ...]:
        """The owner as a tuple (one unit: a cell is counted once, for its owner)."""
        return (self.owner,) if self.owner else ()


@dataclass(slots=True)
class Tally:
    """Counts per status and the share collected (waived cells do not count against)."""

    counts: dict[Status, int] = field(default_factory=lambda: {s: 0 for s in Status})

    def add(self, status: Status) -> None:
        self.counts[status] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def required(self) -> int:
        return self.total - self.counts[Status.WAIVED]

    @property
    def percent(self) -> float:
        return round(100.0 * self.counts[Status.COLLECTED] / self.required, 1) if self.required else 100.0

    def as_dict(self) -> dict:
        return {
            **{s.value: n for s, n in self.counts.items()},
            "total": self.total,
            "required": self.required,
            "percent": self.percent,
        }


@dataclass(slots=True)
class Summary:
    """Roll-ups of the cells: the whole city, and per item, category, unit and year."""

    overall: Tally
    by_item: dict[int, Tally]
    by_category: dict[int, Tally]
    by_unit: dict[str, Tally]  # canonical unit name → cells it owes
    by_year: dict[int, Tally]  # per-year cells only
    by_material: dict[str, Tally] = field(default_factory=dict)  # material id → its cells

    @property
    def material_percent(self) -> float:
        """Completion by material: each material counts once, as the share of its own cells collected.

        A per-unit material with 40 cells weighs as much as a city-level one with one cell, so the
        per-unit obligations do not swamp the headline.
        """
        shares = [t.counts[Status.COLLECTED] / t.required for t in self.by_material.values() if t.required]
        return round(100.0 * sum(shares) / len(shares), 1) if shares else 100.0

    @property
    def materials_complete(self) -> int:
        return sum(1 for t in self.by_material.values() if t.required and t.counts[Status.COLLECTED] == t.required)

    @property
    def materials_required(self) -> int:
        return sum(1 for t in self.by_material.values() if t.required)


class Verdict(str, Enum):
    PASS = "达标"
    FAIL = "未达标"
    NO_DATA = "缺数据"


@dataclass(slots=True)
class IndicatorValue:
    indicator: int
    year: int
    value: float | str | None  # number, grade letter, or "有"/"无"
    unit: str
    raw: str
    plan_value: float | None = None
    reporter: str = ""
    source: str = ""
    where: Where | None = None  # table file and row


@dataclass(slots=True)
class IndicatorResult:
    indicator: int
    applies: bool
    target: str
    rule: Rule
    years: tuple[int, ...]  # the years judged, oldest first
    values: dict[int, IndicatorValue]
    verdict: Verdict
    reason: str
    owner: str | None = None
    name: str = ""  # the name that applies (the county variant's for a 县)


@dataclass(slots=True)
class Campaign:
    """The local plan's campaign settings (standards/local/campaign.yml; load.campaign reads it)."""

    rebound_days: int = 90  # found again within this many days of the closure: 反弹
    photos_private: bool = False  # true: no finding photo is published (faces, plates), only listed
    weight_materials: float = 60.0  # the 通报's score: materials' completion …
    weight_findings: float = 40.0  # … and the share of findings closed by their deadline
    named: int = 3  # units named at the top and at the bottom of each peer group
    red_flag: str = ""  # e.g. 流动红旗; empty: none is awarded
    red_flag_kind: str = "街道"  # which peer group holds it (units.yml kind)


@dataclass(slots=True)
class Archive:
    """Project + scanned files + judged cells + indicator results: what renderers read."""

    project: Project
    files: list[EvidenceFile]
    cells: list[Cell]
    summary: Summary | None = None
    indicators: dict[int, IndicatorResult] = field(default_factory=dict)
    indicator_problems: list[Problem] = field(default_factory=list)
    evidence_root: Path | None = None
    stats: dict = field(default_factory=dict)  # timings and scan counters, for logs and the benchmark
    # Commits under evidence/ since handbook.scan.git.history_start(today), newest first (handbook.scan.git.Commit),
    # read by the scan's one git call; None outside a git checkout or when the scan did not ask git.
    recent_commits: list | None = None
    # Material id → its folder as it exists under evidence/ ("14-生活垃圾分类与处理/14.2-…"), from the scan's walk.
    material_folders: dict[str, str] = field(default_factory=dict)
    findings: list = field(default_factory=list)  # Finding, judged (handbook.judge.findings)
    finding_problems: list[Problem] = field(default_factory=list)  # the findings table's bad rows
    campaign: Campaign = field(default_factory=Campaign)  # the local plan's campaign settings

    @property
    def problem_files(self) -> list[EvidenceFile]:
        return [f for f in self.files if f.problems]

    def build_diagnostics(self) -> list[Problem]:
        """Every diagnostic a site build reports (so ``mkdocs build --strict`` fails on it): the project's
        and the findings table's bad rows. A file's own problems are shown on the 问题文件 page instead."""
        return [*self.project.diagnostics, *self.finding_problems]


FINDING_SOURCES = ("暗访", "督查", "模拟检查", "群众投诉", "上级反馈")


class FindingState(str, Enum):
    """Derived, never typed: from the dates and the confirmer in the findings table, and today."""

    OPEN = "待整改"
    FIXED = "已整改待确认"
    CLOSED = "已销号"
    OVERDUE = "逾期"  # open and past its deadline
    REBOUND = "反弹"  # open, and the same place and item were closed not long before


@dataclass(slots=True)
class Finding:
    """One row of evidence/findings/findings.{xlsx,csv}: a problem an inspection found, and its closure."""

    id: str  # 编号
    found: dt.date | None  # 日期 (None: unreadable, reported; the row is still shown)
    source: str  # one of FINDING_SOURCES
    group: str  # 检查组
    place: str  # 地点
    item: int | None  # 条目: the standard item it breaks
    problem: str  # 问题描述
    area_unit: str | None  # 属地单位 (a 街道), canonical name
    field_unit: str | None  # 行业单位, canonical name (given, or the item's lead)
    deadline: dt.date | None  # 整改期限
    fixed: dt.date | None = None  # 整改日期
    confirmer: str = ""  # 销号人/确认人
    coordinates: str = ""  # 坐标, as written
    photos_before: tuple[str, ...] = ()  # paths under evidence/findings/photos/
    photos_after: tuple[str, ...] = ()
    restricted: bool = False  # 不公开: photos listed, never published
    field_unit_given: bool = True  # False when 行业单位 came from the item's lead
    area_raw: str = ""  # 属地单位 and 行业单位 as written (shown when not a known unit)
    field_raw: str = ""
    flagged: bool = False  # the row has an error (see Archive.finding_problems); shown, marked
    where: Where | None = None  # table file and row
    # judged (judge/findings.py)
    state: FindingState = FindingState.OPEN
    overdue: bool = False  # open and past its deadline (also when its state shows 反弹)
    rebound_of: str = ""  # id of the closed finding it repeats

    @property
    def is_open(self) -> bool:
        return self.fixed is None

    @property
    def on_time(self) -> bool | None:
        """Closed (fixed) by its deadline; None while open or without a deadline."""
        if self.fixed is None or self.deadline is None:
            return None
        return self.fixed <= self.deadline

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(u for u in dict.fromkeys((self.area_unit, self.field_unit)) if u)
