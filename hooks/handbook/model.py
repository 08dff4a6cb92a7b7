"""The one model every view is rendered from: load → scan → judge → render.

Plain dataclasses, no MkDocs import. Every value loaded from YAML keeps the
place it came from (``Where``) so that any later message can name file and line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


# Image kinds: what the scanner detects from content ("jpg", "tif") and the extensions they come under
# ("jpeg", "tiff"). One set for the scanner's checks, the thumbnails, the photo merge and the 卷内目录.
IMAGE_TYPES = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"})
_LAST = (10**6, 10**6)


def material_key(material_id: str | None) -> tuple[int, int]:
    """Sort key of a material id: 03.2 before 03.10; an id that is not NN.K sorts after every real one."""
    item, dot, k = (material_id or "").partition(".")
    if not (dot and item.isdigit() and k.isdigit()):
        return _LAST
    return int(item), int(k)


# --------------------------------------------------------------------------- places and messages


@dataclass(frozen=True, slots=True)
class Where:
    """A place in an input file. ``line`` is 1-based; 0 means the whole file."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Level(str, Enum):
    ERROR = "错误"
    WARNING = "警告"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding, printed as ``文件:行: 问题 — 怎么改``."""

    level: Level
    where: Where
    problem: str
    fix: str = ""
    code: str = ""  # stable machine key, e.g. "unknown-unit", "duplicate-key"

    def __str__(self) -> str:
        text = f"{self.where}: {self.level.value}: {self.problem}"
        return f"{text} — {self.fix}" if self.fix else text


# --------------------------------------------------------------------------- the national standard


class Kind(str, Enum):
    """Which indicator set and upload slots apply."""

    CITY = "城市"
    COUNTY = "县"


@dataclass(slots=True)
class Slot:
    """A national 资料评估 upload slot (PDF or OFD only)."""

    key: str  # stable ascii key, e.g. "work-plan"
    title: str  # e.g. "工作计划"
    kinds: tuple[Kind, ...]  # which sets list it
    order: int
    county_title: str | None = None  # the county set's wording, when it differs
    where: Where | None = None

    def title_for(self, kind: Kind) -> str:
        return self.county_title if kind is Kind.COUNTY and self.county_title else self.title


# Time rules of a material (checklists.yml ``timing``), with the words the site shows for them.
TIMINGS = {
    "year": "每年一份（当年的文件）",
    "completed_year": "每个已结束年度一份（年度结束后发布，审查年当年的不在本次复审内）",
    "review_year": "复审当年的一份（往年的不算）",
    "cycle": "本周期一份（覆盖评审期）",
    "once": "一次性（做过一次即可，不限年份）",
}
# Per-unit rules (checklists.yml ``per_unit``): which units each supply their own copy.
EACH = {
    "responsible": "各责任单位各交一份",
    "streets": "各街道（乡镇）各交一份",
    "members": "各爱卫会成员单位各交一份",
}
STREET_KINDS = ("街道", "乡镇", "镇", "乡")


@dataclass(slots=True)
class Material:
    """One line of an item's checklist; id is ``NN.K``."""

    id: str
    item: int
    title: str
    complete_when: str  # what makes it complete, in words
    per_year: bool  # one needed for every year of the window
    per_unit: bool  # every responsible unit supplies its own
    formats: tuple[str, ...]  # accepted extensions without dot, lower case
    seal: bool  # a seal (盖章) is expected
    slot: str | None  # Slot.key it feeds, or None
    where: Where | None = None
    role: str = ""  # the field of duty that produces it (市场监管, 教育, 属地街道…): who supplies it, via units' roles
    each: str = ""  # per-unit rule: "" (one for the city), "responsible", "streets" or "members" (see EACH)
    timing: str = ""  # time rule, one of TIMINGS ("" = "year" when per_year, else "cycle")
    due: str = ""  # "MM-DD": the review year's copy of a document of the year is due then (计划 early, 总结 late)
    due_months: int = 0  # statistics of a completed year: due this many months after that year ends

    @property
    def time_rule(self) -> str:
        return self.timing or ("year" if self.per_year else "cycle")

    @property
    def key(self) -> tuple[int, int]:
        item, k = self.id.split(".")
        return int(item), int(k)


@dataclass(slots=True)
class Item:
    number: int  # 1..45
    title: str  # a short title of ours (the standard itself numbers items only)
    text: str  # the official requirement text, verbatim
    category: int  # 1..7
    indicators: tuple[int, ...] = ()
    materials: list[Material] = field(default_factory=list)
    where: Where | None = None

    @property
    def code(self) -> str:
        return f"{self.number:02d}"


@dataclass(slots=True)
class Category:
    number: int  # 1..7
    numeral: str  # 一..七
    title: str
    items: tuple[int, ...]
    where: Where | None = None


class RuleKind(str, Enum):
    THRESHOLD = "threshold"  # op + value (+ unit) on the latest year
    TREND = "trend"  # one of TRENDS over the years
    THRESHOLD_OR_TREND = "threshold_or_trend"
    FIVE_YEAR_MEAN = "five_year_mean"  # latest ≤ mean of the 5 years before it
    PLAN = "plan"  # value op plan value (regional health plan)
    GRADE = "grade"  # A..D, ``min`` or better
    PRESENCE = "presence"  # 有/无 (or 达到/未达到)


TRENDS = ("逐年下降", "逐年提高", "持续降低", "持续提高", "呈下降趋势", "持续改善")
OPERATORS = (">=", ">", "<=", "<", "==")


@dataclass(slots=True)
class Rule:
    kind: RuleKind
    op: str | None = None  # one of OPERATORS
    value: float | None = None
    unit: str = ""  # "%", "‰", "/10万", "天", "小时", "平方米", "名", "个", "岁", "分贝"
    trend: str | None = None  # one of TRENDS
    grade: str | None = None  # minimum grade for GRADE, e.g. "C"
    where: Where | None = None

    def as_dict(self) -> dict:
        data = {"kind": self.kind.value}
        for name in ("op", "value", "unit", "trend", "grade"):
            value = getattr(self, name)
            if value not in (None, ""):
                data[name] = value
        return data


@dataclass(slots=True)
class CountyVariant:
    """How an indicator differs for a 县 (absent: the same as for a city)."""

    applies: bool = True
    name: str | None = None
    target: str | None = None
    rule: Rule | None = None


@dataclass(slots=True)
class Indicator:
    number: int  # 1..56
    name: str
    target: str  # the target text as written, e.g. "≥75%或持续提高"
    note: str
    rule: Rule
    years: int  # completed years of data needed: 3, or 5 for indicator 38
    items: tuple[int, ...]
    county: CountyVariant = field(default_factory=CountyVariant)
    where: Where | None = None


@dataclass(slots=True)
class Standard:
    categories: list[Category]
    items: dict[int, Item]
    indicators: dict[int, Indicator]
    slots: dict[str, Slot]

    def material(self, material_id: str) -> Material | None:
        try:
            item = self.items[int(material_id.split(".")[0])]
        except (KeyError, ValueError):
            return None
        return next((m for m in item.materials if m.id == material_id), None)

    @property
    def materials(self) -> list[Material]:
        return [m for number in sorted(self.items) for m in self.items[number].materials]


# --------------------------------------------------------------------------- the city's plan


@dataclass(slots=True)
class Unit:
    """A unit that can be chased: it has a liaison and gets cells of its own."""

    name: str  # canonical name, e.g. "市卫健委"
    slug: str  # ascii url slug, stable, e.g. "wjw"
    full_name: str = ""  # e.g. "登封市卫生健康委员会"
    aliases: tuple[str, ...] = ()
    kind: str = ""  # 市直部门 / 街道 / 企业 / 医疗机构 / ...
    parent: str | None = None  # canonical name of the unit it belongs to
    liaison: str = ""
    accounts: tuple[str, ...] = ()  # forge accounts (people) or groups: CODEOWNERS, and who committed a file
    emails: tuple[str, ...] = ()  # git author e-mails of the unit's liaisons: who committed a file
    where: Where | None = None
    roles: tuple[str, ...] = ()  # fields of duty it holds (市场监管, 教育, 属地街道…): it supplies those materials

    @property
    def is_street(self) -> bool:
        """街道/乡镇 are ranked among themselves (the seeds' 流动红旗 go to 街道/办事处)."""
        return self.kind in STREET_KINDS

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.full_name, *self.aliases) if self.full_name else (self.name, *self.aliases)


@dataclass(slots=True)
class Group:
    """A generic entry of a responsibility list (e.g. "其它市直机关、事（企）业单位"): shown, never chased."""

    name: str
    where: Where | None = None


@dataclass(slots=True)
class Assignment:
    item: int
    lead: tuple[str, ...]  # canonical unit names
    responsible: tuple[str, ...]  # canonical unit names (leads are responsible too)
    groups: tuple[str, ...] = ()  # generic entries, shown as text
    duty: str = ""
    where: Where | None = None


@dataclass(slots=True)
class Stage:
    name: str
    start: dt.date | None
    end: dt.date
    description: str = ""
    where: Where | None = None


@dataclass(slots=True)
class Waiver:
    """不适用: an item, a material, or a material for one unit, with the reason."""

    item: int | None
    material: str | None
    unit: str | None
    reason: str
    where: Where | None = None


class ForgeKind(str, Enum):
    GITEA = "gitea"
    GITLAB = "gitlab"


@dataclass(frozen=True, slots=True)
class Forge:
    """The city's git forge (city.yml ``forge:``): where a liaison uploads a file in the browser."""

    kind: ForgeKind
    base_url: str  # e.g. "https://git.dengfeng.example", no trailing slash
    repository: str  # "owner/name" (GitLab: "group/subgroup/project")
    branch: str = "main"
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class Obligation:
    """Who owes one material: its supplier(s), and why them (the plan's words for the site)."""

    material: str
    units: tuple[str, ...]  # one unit, or each unit of a per-unit material
    per_unit: bool
    source: str  # "explicit" | "role" | "lead" | "each"
    role: str = ""
    note: str = ""  # e.g. "角色“教育”未对应单位，由牵头单位交"


@dataclass(slots=True)
class Plan:
    city: str
    kind: Kind
    review_year: int
    window: tuple[int, ...]  # years whose materials are collected, oldest first
    today: dt.date
    units: dict[str, Unit]  # canonical name → unit
    groups: dict[str, Group]
    assignments: dict[int, Assignment]  # item → assignment
    stages: list[Stage]
    deadline_completed_years: dt.date  # cells of years < review_year are due by then
    deadline_current_year: dt.date  # cells of the review year are due by then
    material_deadlines: dict[str, dt.date] = field(default_factory=dict)
    waivers: list[Waiver] = field(default_factory=list)
    indicator_owners: dict[int, str] = field(default_factory=dict)  # indicator → unit
    indicator_targets: dict[int, tuple[str, Rule]] = field(default_factory=dict)  # local overrides
    max_file_mb: int = 50
    restricted_to_reviewers: bool = False  # restricted files go to the reviewers' part of the package, marked
    alias_index: dict[str, str] = field(default_factory=dict)  # any name/alias → canonical name
    forge: Forge | None = None
    account_index: dict[str, str] = field(default_factory=dict)  # forge account (no "@") → canonical name
    email_index: dict[str, str] = field(default_factory=dict)  # git author e-mail (lower case) → canonical name

    def committer_unit(self, author: str, email: str = "") -> str | None:
        """The unit of a commit's author: by e-mail first (what a forge writes), then by account name."""
        by_email = self.email_index.get(email.strip().lower()) if email else None
        if by_email:
            return by_email
        return self.account_index.get(author.strip().lstrip("@")) if author else None
    # Explicit suppliers of assignments.yml ``suppliers:`` (material id, or item number as "NN") → units.
    explicit_suppliers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    obligations: dict[str, Obligation] = field(default_factory=dict)  # material id → who owes it
    min_ranked_cells: int = 5  # a unit owing fewer cells is listed, not ranked

    def resolve_unit(self, name: str) -> Unit | None:
        canonical = self.alias_index.get(name.strip())
        return self.units.get(canonical) if canonical else None

    def deadline_for(self, material_id: str, year: int | None) -> dt.date:
        if material_id in self.material_deadlines:
            return self.material_deadlines[material_id]
        # Standing documents (no year) belong with the completed years: due at the self-check stage.
        if year is None or year < self.review_year:
            return self.deadline_completed_years
        return self.deadline_current_year


@dataclass(slots=True)
class Project:
    """What ``load_project`` returns: the standard, the plan, and everything said about them."""

    root: Path
    standard: Standard
    plan: Plan
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level is Level.WARNING]


# --------------------------------------------------------------------------- evidence (scan)


@dataclass(slots=True)
class Problem:
    """Why a file breaks the evidence contract, and how to fix it (both in Chinese)."""

    code: str  # e.g. "bad-name", "unknown-unit", "outside-window", "empty", "unreadable-pdf"
    message: str
    fix: str
    level: Level = Level.ERROR


@dataclass(slots=True)
class Sidecar:
    doc_number: str = ""  # 文号
    doc_type: str = ""  # 法规/规章/规范性文件/公文/其他
    issuer: str = ""
    issued: dt.date | None = None
    effective: dt.date | None = None
    pages: str = ""  # page range within the file, e.g. "3-7"
    also_for: tuple[str, ...] = ()  # other material ids this file serves
    restricted: bool = False
    note: str = ""


@dataclass(slots=True)
class EvidenceFile:
    path: str  # posix path relative to the evidence root, e.g. "03/03.1-年度工作计划/2023-市爱卫办-….pdf"
    size: int
    mtime_ns: int
    sha256: str
    filetype: str  # detected from content: "pdf", "jpg", "png", "docx", "xlsx", "ofd", "unknown", ...
    item: int | None
    material: str | None  # material id, e.g. "03.1"
    years: tuple[int, ...]  # one year, or a span expanded (2022至2024 → 2022, 2023, 2024)
    unit: str | None  # canonical unit name
    unit_raw: str  # the unit as written in the file name
    title: str
    pages: int | None = None  # PDF page count
    crc32: int | None = None  # CRC-32 of the bytes, read with the hash (the package's zip needs it)
    sidecar: Sidecar | None = None
    committer: str = ""  # from git; empty outside a checkout
    committed: dt.datetime | None = None
    committer_email: str = ""
    committer_unit: str | None = None  # the committer's unit (units.yml accounts/emails), when known
    unit_source: str = ""  # "name": ``unit`` is the file name's; "committer": the name has none, the committer's
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def restricted(self) -> bool:
        return bool(self.sidecar and self.sidecar.restricted)

    @property
    def readable(self) -> bool:
        """A regular file the scan read (and hashed) at ``path``. Links, special files, unreadable files and
        names that are not UTF-8 on disk (``path`` is then only their printable form) and Git LFS pointers (the object
        was not fetched: the bytes on disk are a 130-byte text, not the document) are not: their bytes
        are never published, packed or followed, only listed with their problem."""
        return bool(self.sha256) and self.filetype != "lfs-pointer" and not any(p.code == "bad-encoding" for p in self.problems)

    @property
    def has_error(self) -> bool:
        return any(p.level is Level.ERROR for p in self.problems)

    @property
    def materials(self) -> tuple[str, ...]:
        """Every material this file serves: its folder's, then the sidecar's ``also_for``."""
        extra = self.sidecar.also_for if self.sidecar else ()
        own = (self.material,) if self.material else ()
        return own + tuple(m for m in extra if m not in own)


# --------------------------------------------------------------------------- status (judge)


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


# --------------------------------------------------------------------------- indicators


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


# --------------------------------------------------------------------------- the whole judged archive


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
    indicator_problems: list[Diagnostic] = field(default_factory=list)
    evidence_root: Path | None = None
    stats: dict = field(default_factory=dict)  # timings and scan counters, for logs and the benchmark
    # Commits under evidence/ since handbook.scan.git.history_start(today), newest first (handbook.scan.git.Commit),
    # read by the scan's one git call; None outside a git checkout or when the scan did not ask git.
    recent_commits: list | None = None
    # Material id → its folder as it exists under evidence/ ("14-生活垃圾分类与处理/14.2-…"), from the scan's walk.
    material_folders: dict[str, str] = field(default_factory=dict)
    findings: list = field(default_factory=list)  # Finding, judged (handbook.judge.findings)
    finding_problems: list[Diagnostic] = field(default_factory=list)  # the findings table's bad rows
    campaign: Campaign = field(default_factory=Campaign)  # the local plan's campaign settings

    @property
    def problem_files(self) -> list[EvidenceFile]:
        return [f for f in self.files if f.problems]

    def build_diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic a site build reports (so ``mkdocs build --strict`` fails on it): the project's
        and the findings table's bad rows. A file's own problems are shown on the 问题文件 page instead."""
        return [*self.project.diagnostics, *self.finding_problems]


# --------------------------------------------------------------------------- field findings (督查, 暗访 …)


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
