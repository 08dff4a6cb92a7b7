"""The city's plan: units and groups, who leads and takes part in each item, deadlines, waivers, the project."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from handbook.model.core import Problem, Level, Where
from handbook.model.standard import STREET_KINDS, Kind, Rule, Standard


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
    units_line: int = 0  # line of ``units:`` in units.yml (roles are mapped there): for warnings on the list

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
    diagnostics: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [d for d in self.diagnostics if d.level is Level.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [d for d in self.diagnostics if d.level is Level.WARNING]
