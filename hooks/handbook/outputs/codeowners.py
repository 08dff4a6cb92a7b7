"""CODEOWNERS from the local plan: each unit owns the evidence folders it must fill.

- Item folders ``evidence/NN/`` or ``evidence/NN-标签/`` belong to the item's lead units.
- Per-unit material folders ``evidence/NN…/NN.K/`` or ``…/NN.K-标签/`` belong to every responsible
  unit (leads included), since each of them commits its own file there.
- The 爱卫办 is the default owner of everything.

Two flavours, because the servers read the file differently:

GitLab (``.gitlab/CODEOWNERS``): gitignore-like globs, matched with ``File.fnmatch`` (``*`` never
crosses ``/``; a pattern ending in ``/`` covers the folder and everything below). Inside a section the
*last* matching line wins; every section is judged on its own. So the 爱卫办 line sits outside any
section (always applies) and the units' lines go into one section per category of the standard.

Gitea (``.gitea/CODEOWNERS``): one Go regular expression per line, anchored at both ends, matched
against the path without a leading ``/``; *every* matching line applies. A backslash in the file
escapes the next character before the regexp is compiled, so a literal dot is written ``\\\\.``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from handbook.model import Item, Project, Unit

log = logging.getLogger(__name__)

FLAVORS = ("gitlab", "gitea")
DEFAULT_PATHS = {"gitlab": ".gitlab/CODEOWNERS", "gitea": ".gitea/CODEOWNERS"}
OFFICE_HINT = "爱卫办"
# A folder is "03" or "03-标签" / "03_标签" (handbook.scan.names' canonical forms).
LABEL_GLOB = "[-_]*"
LABEL_REGEX = "([-_][^/]*)?"
_VALID_ACCOUNT = re.compile(r"^@[\w.\-]+(/[\w.\-]+)*$|^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(slots=True)
class Rule:
    """Who owns one folder, and why (the comment above the line)."""

    folder: str  # "evidence/03" (item) or "evidence/03/03.2" (material; item part is a placeholder)
    item: int
    material: str | None
    owners: tuple[str, ...]
    note: str


@dataclass(slots=True)
class Duties:
    """What a unit without accounts would own: items it leads, per-unit materials it supplies."""

    leads: list[int] = field(default_factory=list)
    supplies: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = []
        if self.leads:
            parts.append(f"牵头第 {'、'.join(str(n) for n in self.leads)} 项")
        if self.supplies:
            parts.append(f"提供材料 {'、'.join(self.supplies)}")
        return "；".join(parts)


@dataclass(slots=True)
class Ownership:
    """The plan turned into rules, plus what the office must still sort out."""

    office: Unit | None
    office_accounts: tuple[str, ...]
    rules: list[Rule] = field(default_factory=list)
    unowned: dict[str, Duties] = field(default_factory=dict)  # unit without accounts → its duties
    bad_accounts: list[tuple[str, str]] = field(default_factory=list)  # (unit, account as written)


# --------------------------------------------------------------------------- from the plan


def find_office(project: Project, name: str | None = None) -> Unit | None:
    """The 爱卫办: the unit named (or aliased) ``name``, else the first whose names mention 爱卫办."""
    plan = project.plan
    if name:
        return plan.resolve_unit(name)
    for unit in plan.units.values():
        if any(OFFICE_HINT in n for n in unit.names):
            return unit
    return None


def ownership(project: Project, *, office: Unit | None = None, flavor: str = "gitlab") -> Ownership:
    plan = project.plan
    result = Ownership(office=office, office_accounts=())
    accounts = {name: _usable_accounts(unit, flavor, result) for name, unit in plan.units.items()}
    if office is not None:
        result.office_accounts = accounts.get(office.name, ())
    for number in sorted(project.standard.items):
        item = project.standard.items[number]
        assignment = plan.assignments.get(number)
        if assignment is None:
            continue
        leads = [u for u in assignment.lead if u in plan.units]
        suppliers = list(dict.fromkeys([*leads, *(u for u in assignment.responsible if u in plan.units)]))
        item_owners = _owners_of(leads, accounts)
        if item_owners:
            result.rules.append(Rule(f"evidence/{number:02d}", number, None, item_owners,
                                     f"第 {number} 项 {item.title} — 牵头：{'、'.join(leads)}"))
        for name in leads:
            if not accounts[name]:
                result.unowned.setdefault(name, Duties()).leads.append(number)
        for material in _per_unit(item):
            owners = _owners_of(suppliers, accounts)
            if owners and owners != item_owners:
                result.rules.append(Rule(f"evidence/{number:02d}/{material.id}", number, material.id, owners,
                                         f"{material.id} {material.title} — 各责任单位各交一份"))
            for name in suppliers:
                if not accounts[name] and name not in leads:
                    result.unowned.setdefault(name, Duties()).supplies.append(material.id)
    return result


def _per_unit(item: Item):
    return [m for m in item.materials if m.per_unit]


def _owners_of(names: Iterable[str], accounts: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a for name in names for a in accounts.get(name, ())))


def _usable_accounts(unit: Unit, flavor: str, result: Ownership) -> tuple[str, ...]:
    """Accounts as written, ``@`` added when missing; invalid ones are reported, never emitted."""
    usable = []
    for raw in unit.accounts:
        account = raw.strip()
        if account and "@" not in account:
            account = "@" + account
        email = not account.startswith("@")
        if not _VALID_ACCOUNT.match(account) or (flavor == "gitea" and (email or account.count("/") > 1)):
            result.bad_accounts.append((unit.name, raw))
            continue
        usable.append(account)
    return tuple(usable)


# --------------------------------------------------------------------------- writing the file


def codeowners_text(project: Project, *, flavor: str = "gitlab", office_name: str | None = None) -> str:
    """The whole CODEOWNERS file for ``flavor`` (gitlab or gitea)."""
    if flavor not in FLAVORS:
        raise ValueError(f"未知的 CODEOWNERS 格式“{flavor}”，可选：{'、'.join(FLAVORS)}")
    office = find_office(project, office_name)
    owned = ownership(project, office=office, flavor=flavor)
    lines = _header(project, owned, flavor)
    lines += _gitlab_body(project, owned) if flavor == "gitlab" else _gitea_body(owned)
    return "\n".join(lines).rstrip("\n") + "\n"


def _header(project: Project, owned: Ownership, flavor: str) -> list[str]:
    where = DEFAULT_PATHS[flavor]
    lines = [
        f"# {where}：{project.plan.city}佐证材料文件夹的负责人（{flavor} 格式）",
        f"# 由 `python -m handbook codeowners --flavor {flavor}` 根据 standards/local/ 生成，请勿手改；",
        "# 单位或账号有变化时，改 standards/local/units.yml 的 accounts 后重新生成。",
        "# 牵头单位负责各项的文件夹 evidence/NN…/；“各责任单位各交一份”的材料文件夹 evidence/NN…/NN.K…/",
        "# 由全部责任单位负责；爱卫办是全部文件的默认负责人。",
    ]
    if flavor == "gitlab":
        lines.append("# GitLab：同一节内最后一条匹配的规则生效，各节分别生效；节外的爱卫办规则始终生效。")
    else:
        lines.append("# Gitea：每行是一个正则表达式（整条路径匹配），所有匹配的行都生效。")
    if owned.office is None:
        lines.append("# 注意：本地方案里找不到爱卫办（名称含“爱卫办”的单位），没有默认负责人。")
    elif not owned.office_accounts:
        lines.append(f"# 注意：{owned.office.name} 没有配置 accounts，没有默认负责人。")
    if owned.unowned:
        lines.append("#")
        lines.append("# 以下单位没有配置 git 账号（units.yml 的 accounts），其文件夹暂由爱卫办负责，请联系补充：")
        for name, duties in owned.unowned.items():
            lines.append(f"#   {name}：{duties}")
    if owned.bad_accounts:
        lines.append("#")
        lines.append("# 以下账号写法不对（或此格式不支持），已跳过：")
        for name, raw in owned.bad_accounts:
            lines.append(f"#   {name}：{_comment_safe(raw)}")
    lines.append("")
    return lines


def _comment_safe(text: str) -> str:
    return " ".join(str(text).split())


def _gitlab_body(project: Project, owned: Ownership) -> list[str]:
    lines = ["# 默认：爱卫办负责全部文件"]
    if owned.office_accounts:
        lines.append(f"* {' '.join(owned.office_accounts)}")
    by_category = {c.number: c for c in project.standard.categories}
    current = None
    for rule in owned.rules:
        category = project.standard.items[rule.item].category
        if category != current:
            current = category
            cat = by_category.get(category)
            title = f"第{cat.numeral}类 {cat.title}" if cat else f"第{category}类"
            lines += ["", f"[{_section_safe(title)}]"]
        lines.append(f"# {_comment_safe(rule.note)}")
        lines += [f"{pattern} {' '.join(rule.owners)}" for pattern in gitlab_patterns(rule)]
    return lines


def _section_safe(title: str) -> str:
    # A "]" would end the section heading early.
    return title.replace("[", "（").replace("]", "）")


def gitlab_patterns(rule: Rule) -> list[str]:
    """Globs for a rule: the folder bare or with its "-标签"/"_标签", never a sibling (03.1 vs 03.10)."""
    item = f"{rule.item:02d}"
    item_dirs = [f"/evidence/{item}/", f"/evidence/{item}{LABEL_GLOB}/"]
    if rule.material is None:
        return item_dirs
    return [f"{d}{m}/" for d in item_dirs for m in (rule.material, f"{rule.material}{LABEL_GLOB}")]


def gitea_pattern(rule: Rule) -> str:
    """One anchored regexp; ``\\\\.`` in the file becomes ``\\.`` after Gitea's unescaping."""
    pattern = f"evidence/{rule.item:02d}{LABEL_REGEX}/"
    if rule.material is not None:
        pattern += rule.material.replace(".", "\\\\.") + f"{LABEL_REGEX}/"
    return pattern + ".*"


def _gitea_body(owned: Ownership) -> list[str]:
    lines = ["# 默认：爱卫办负责全部文件"]
    if owned.office_accounts:
        lines.append(f".* {' '.join(owned.office_accounts)}")
    for rule in owned.rules:
        lines += ["", f"# {_comment_safe(rule.note)}", f"{gitea_pattern(rule)} {' '.join(rule.owners)}"]
    return lines
