"""standards/local/units.yml: the units of the city (names, aliases, committers) and their groups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handbook.problems import did_you_mean
from handbook.model import Problem, Group, Unit
from handbook.load.fields import Fields, Source, entries, open_data_file
from handbook.load.entries import local

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(slots=True)
class Roster:
    """Units and groups, plus the index every unit list is resolved against."""

    units: dict[str, Unit] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    alias_index: dict[str, str] = field(default_factory=dict)
    slugs: dict[str, Unit] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)  # a person's forge account (no "@") → canonical name
    emails: dict[str, str] = field(default_factory=dict)  # git author e-mail, lower case → canonical name
    broken: set[str] = field(default_factory=set)  # names of unit entries not loaded: not reported again
    units_line: int = 0  # line of ``units:`` in units.yml: where a warning about the list as a whole points

    def known_names(self) -> list[str]:
        return [*self.alias_index, *self.groups]

    def resolve(self, name: str) -> tuple[str, str] | None:
        """("unit", canonical) or ("group", name), or None when unknown."""
        canonical = self.alias_index.get(name.strip())
        if canonical is not None:
            return "unit", canonical
        if name.strip() in self.groups:
            return "group", name.strip()
        return None


_UNIT_FIELDS = ("name", "slug", "full_name", "aliases", "kind", "parent", "liaison", "accounts", "emails", "roles")


def load_units(root: Path, diagnostics: list[Problem]) -> Roster:
    src, top = open_data_file(root, local("units.yml"), diagnostics, ("units", "groups"))
    roster = Roster(units_line=top.line_of_key("units") if top is not None else 0)
    parents: list[tuple[Unit, int]] = []
    for index, (value, line) in enumerate(entries(top, "units"), start=1):
        found = _unit(src, value, line, index, roster)
        if found is not None and found[0].parent:
            parents.append(found)
    for index, (value, line) in enumerate(entries(top, "groups"), start=1):
        _group(src, value, line, index, roster)
    for unit, parent_line in parents:  # after all units: a parent may be listed later
        _check_parent(src, unit, parent_line, roster)
    return roster


def _unit(src: Source, value: Any, line: int, index: int, roster: Roster) -> tuple[Unit, int] | None:
    """The unit and the line of its ``parent``; None when unusable (reported)."""
    f = Fields.of(src, value, line, f"第 {index} 个单位", _UNIT_FIELDS, ("name", "slug"))
    if f is None:
        return None
    name = f.required_text("name", "单位的规范简称，如 市卫健委")
    slug = f.required_text("slug", "英文短名，如 wjw")
    aliases = f.text_list("aliases")
    if name is None or slug is None:
        roster.broken |= {n for n in (name, f.text("full_name"), *(a for a, _ in aliases)) if n}
        return None
    if name in roster.units:
        src.error(f.line("name"), f"单位名称“{name}”重复（{roster.units[name].where} 已有）", "每个单位只写一次；别名写进 aliases", "duplicate-unit")
        return None
    unit = Unit(
        name=name,
        slug=slug,
        full_name=f.text("full_name") or "",
        aliases=tuple(a for a, _ in aliases),
        kind=f.text("kind") or "",
        parent=f.text("parent", None) or None,
        liaison=f.text("liaison") or "",
        accounts=tuple(a for a, _ in f.text_list("accounts")),
        emails=tuple(e for e, _ in f.text_list("emails")),
        where=src.where(line),
        roles=tuple(dict.fromkeys(r for r, _ in f.text_list("roles"))),
    )
    _check_slug(src, unit, f.line("slug"), roster)
    _index_committers(src, unit, f, roster)
    names = [(name, f.line("name"))] + ([(unit.full_name, f.line("full_name"))] if unit.full_name else []) + aliases
    _index_names(src, unit, names, roster)
    roster.units[name] = unit
    return unit, f.line("parent")


def _check_slug(src: Source, unit: Unit, line: int, roster: Roster) -> None:
    if not SLUG.match(unit.slug):
        src.error(line, f"单位“{unit.name}”的 slug“{unit.slug}”无效", "只用小写英文字母、数字和连字符，如 wjw、cgj", "bad-slug")
    elif unit.slug in roster.slugs:
        other = roster.slugs[unit.slug]
        src.error(line, f"slug“{unit.slug}”重复（单位“{other.name}”在 {other.where} 已使用）", "每个单位的 slug 必须不同", "duplicate-slug")
    else:
        roster.slugs[unit.slug] = unit


def _index_names(src: Source, unit: Unit, names: list[tuple[str, int]], roster: Roster) -> None:
    for text, line in names:
        owner = roster.alias_index.get(text)
        if owner is not None and owner != unit.name:
            src.error(line, f"名称或别名“{text}”已属于单位“{owner}”（{roster.units[owner].where}）", "同一个名称只能指向一个单位；删去其中一处", "duplicate-alias")
            continue
        roster.alias_index[text] = unit.name


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _index_committers(src: Source, unit: Unit, f: Fields, roster: Roster) -> None:
    """A person's account (``@zhangsan``) and e-mail name one unit: it is the committer's unit. Group accounts
    (``@dengfeng/wjw``, with a "/") are CODEOWNERS teams, shared by units, never a committer."""
    for account, line in f.text_list("accounts"):
        name = account.lstrip("@")
        if "/" in name:
            continue
        owner = roster.accounts.setdefault(name, unit.name)
        if owner != unit.name:
            src.error(line, f"账号“{account}”已登记给单位“{owner}”", "一个人的账号只能属于一个单位；删去其中一处（共用的用群组账号，如 @dengfeng/wjw）", "duplicate-account")
    for email, line in f.text_list("emails"):
        if EMAIL.match(email) is None:
            src.error(line, f"单位“{unit.name}”的邮箱“{email}”格式不对", "写成 名字@域名，如 liaison@example.gov.cn（即联络员在代码托管平台上登记的提交邮箱）", "bad-email")
            continue
        owner = roster.emails.setdefault(email.lower(), unit.name)
        if owner != unit.name:
            src.error(line, f"邮箱“{email}”已登记给单位“{owner}”", "一个邮箱只能属于一个单位；删去其中一处", "duplicate-email")


def _group(src: Source, value: Any, line: int, index: int, roster: Roster) -> None:
    f = Fields.of(src, value, line, f"第 {index} 个泛指单位（groups）", ("name",), ("name",))
    name = f.required_text("name", "泛指单位的原文，如 其它市直机关、事（企）业单位") if f is not None else None
    if name is None:
        return
    if name in roster.alias_index or name in roster.groups:
        src.error(f.line("name"), f"泛指单位“{name}”与已有的单位或泛指单位重名", "删去其中一处", "duplicate-group")
        return
    roster.groups[name] = Group(name, src.where(line))


def _check_parent(src: Source, unit: Unit, line: int, roster: Roster) -> None:
    parent = roster.alias_index.get(unit.parent or "")
    if parent is None and unit.parent in roster.broken:
        unit.parent = None
    elif parent is None:
        src.error(line, f"单位“{unit.name}”的上级单位“{unit.parent}”不存在", did_you_mean(unit.parent, roster.alias_index, fallback="parent 应为 units.yml 中某个单位的名称"), "unknown-unit")
        unit.parent = None
    elif parent == unit.name:
        src.error(line, f"单位“{unit.name}”的上级单位不能是它自己", "删去 parent", "bad-parent")
        unit.parent = None
    else:
        unit.parent = parent
