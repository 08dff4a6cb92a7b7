"""The national standard: categories, 45 items, their materials, upload slots, 56 indicators and their rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from handbook.model.core import Where


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
