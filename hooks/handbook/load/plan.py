"""Load standards/local/ (this city's plan) into a ``Plan``, checked against the ``Standard``.

Unit names in every list may be a canonical name, a full name or an alias; they are stored
canonical. A name that is neither a unit nor a group is an error with the nearest valid name.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handbook.problems import did_you_mean, listing, nearest_material, nearest_number
from handbook.model import (
    Assignment,
    Diagnostic,
    Forge,
    Group,
    Kind,
    Plan,
    Rule,
    Stage,
    Standard,
    Unit,
    Waiver,
)
from handbook.load.forge import load_forge
from handbook.load.standard import MATERIAL_ID, Broken, check_target, parse_rule
from handbook.settings import resolve_today
from handbook.load.suppliers import read_suppliers
from handbook.load.yamlload import Fields, LineDict, Source, check_date, entries, open_data_file, shown

log = logging.getLogger(__name__)

LOCAL = "standards/local"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def rel(name: str) -> str:
    return f"{LOCAL}/{name}"


# --------------------------------------------------------------------------- city.yml


@dataclass(slots=True)
class CitySettings:
    city: str = ""
    kind: Kind = Kind.CITY
    review_year: int = 0
    window: tuple[int, ...] = ()
    today: dt.date | None = None
    max_file_mb: int = 50
    forge: Forge | None = None
    min_ranked_cells: int = 5


def default_window(review_year: int) -> tuple[int, ...]:
    """The three completed years before the review year, plus the review year itself."""
    return (review_year - 3, review_year - 2, review_year - 1, review_year)


def _load_city(root: Path, diagnostics: list[Diagnostic]) -> CitySettings:
    known = ("city", "kind", "review_year", "window", "today", "max_file_mb", "forge", "min_ranked_cells")
    src, top = open_data_file(root, rel("city.yml"), diagnostics, known, required_keys=("city", "kind", "review_year"))
    settings = CitySettings(review_year=dt.date.today().year)
    if top is None:
        settings.window = default_window(settings.review_year)
        return settings
    settings.city = top.required_text("city", "城市名称，如 登封市") or ""
    settings.kind = _city_kind(src, top)
    settings.review_year = top.integer("review_year", lo=2000, hi=2100) or settings.review_year
    settings.window = _window(src, top, settings.review_year)
    settings.today = top.date("today")
    settings.max_file_mb = top.integer("max_file_mb", lo=1, hi=10_000, default=50) or 50
    if top.has("forge"):
        settings.forge = load_forge(src, top.raw("forge"), top.line_of_key("forge"))
    # A unit owing fewer cells than this is listed in the ranking but not ranked (1 of 1 is no 100 %).
    settings.min_ranked_cells = top.integer("min_ranked_cells", lo=0, hi=10_000, default=5)
    return settings


def _city_kind(src: Source, top: Fields) -> Kind:
    text = top.text("kind", None)
    if text is None:
        return Kind.CITY
    try:
        return Kind(text)
    except ValueError:
        valid = [k.value for k in Kind]
        src.error(top.line("kind"), f"kind“{text}”无效", did_you_mean(text, valid, fallback="只能是 城市 或 县"), "unknown-kind")
        return Kind.CITY


def _window(src: Source, top: Fields, review_year: int) -> tuple[int, ...]:
    if not top.has("window"):
        return default_window(review_year)
    years: list[int] = []
    for year, line in top.int_list("window", lo=2000, hi=2100):
        if year > review_year:
            src.error(line, f"window 中的年份 {year} 晚于复审年份 {review_year}", "window 只能包含复审年份及以前的年份", "bad-window")
        elif year in years:
            src.error(line, f"window 中的年份 {year} 重复", "删去重复的年份", "bad-window")
        else:
            years.append(year)
    return tuple(sorted(years)) or default_window(review_year)


# --------------------------------------------------------------------------- units.yml


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


def _load_units(root: Path, diagnostics: list[Diagnostic]) -> Roster:
    src, top = open_data_file(root, rel("units.yml"), diagnostics, ("units", "groups"))
    roster = Roster()
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


# --------------------------------------------------------------------------- assignments.yml


@dataclass(slots=True)
class Duty:
    """One ``lead/responsible/duty`` block as written (category default or item override)."""

    line: int
    lead: list[tuple[str, int]] | None = None
    responsible: list[tuple[str, int]] | None = None
    duty: str | None = None


def _load_assignment_blocks(root: Path, diagnostics: list[Diagnostic], standard: Standard, broken: Broken) -> tuple[Source, dict[int, Duty], dict[int, Duty], Any]:
    src, top = open_data_file(root, rel("assignments.yml"), diagnostics, ("categories", "items", "suppliers"))
    if top is None:
        return src, {}, {}, None
    categories = {c.number: c for c in standard.categories}
    by_category = _duty_blocks(src, top, "categories", categories, "分类", broken.categories)
    by_item = _duty_blocks(src, top, "items", standard.items, "事项", broken.items)
    return src, by_category, by_item, top.mapping("suppliers") if top.has("suppliers") else None


def _duty_blocks(src: Source, top: Fields, key: str, valid: dict[int, Any], noun: str, broken: set[int]) -> dict[int, Duty]:
    """The blocks of ``categories:`` or ``items:``. One naming a broken entry is read without complaint:
    its own error stands, and the items of a category whose number was mistyped still get their units."""
    blocks = top.mapping(key)
    if blocks is None:
        return {}
    out: dict[int, Duty] = {}
    for number, value in blocks.items():
        line = blocks.key_line(number)
        if isinstance(number, bool) or not isinstance(number, int):
            src.error(line, f"{key} 下的键“{number}”应为{noun}编号（整数）", "写成不带引号的数字，如 1:", "wrong-type")
            continue
        if valid and number not in valid and number not in broken:
            src.error(line, f"{noun} {number} 不存在", f"可用的{noun}编号：{listing(sorted(valid))}", f"unknown-{'category' if key == 'categories' else 'item'}")
            continue
        f = Fields.of(src, value, line, f"{noun} {number} 的分工", ("lead", "responsible", "duty"))
        if f is None:
            continue
        out[number] = Duty(
            line=line,
            lead=f.text_list("lead") if f.has("lead") else None,
            responsible=f.text_list("responsible") if f.has("responsible") else None,
            duty=f.text("duty", None),
        )
    return out


def _resolve_list(src: Source, names: list[tuple[str, int]], roster: Roster, *, lead: bool) -> tuple[list[str], list[str]]:
    """Canonical unit names and group names of one list; unknown names are errors."""
    units: list[str] = []
    groups: list[str] = []
    for name, line in names:
        found = roster.resolve(name)
        if found is None and name in roster.broken:
            continue
        if found is None:
            src.error(line, f"单位“{name}”不在 units.yml 中", did_you_mean(name, roster.known_names(), fallback="先在 units.yml 中登记该单位（或写进 groups），或改用已登记的名称"), "unknown-unit")
        elif found[0] == "group" and lead:
            src.error(line, f"牵头单位不能是泛指单位“{name}”", "牵头单位必须是 units.yml 中的具体单位", "group-as-lead")
        elif found[0] == "group":
            if found[1] not in groups:
                groups.append(found[1])
        elif found[1] not in units:
            units.append(found[1])
    return units, groups


def _build_assignments(src: Source, standard: Standard, roster: Roster, by_category: dict[int, Duty], by_item: dict[int, Duty]) -> dict[int, Assignment]:
    """Every item's lead and responsible units: the item's own lists, else its category's."""
    cache: dict[tuple[int, str], tuple[list[str], list[str]]] = {}
    for block in [*by_category.values(), *by_item.values()]:  # check every list, even one no item uses
        for which in ("lead", "responsible"):
            _pick(src, roster, cache, block, None, which)
    assignments: dict[int, Assignment] = {}
    for item in standard.items.values():
        base, own = by_category.get(item.category), by_item.get(item.number)
        lead, _ = _pick(src, roster, cache, base, own, "lead")
        responsible, groups = _pick(src, roster, cache, base, own, "responsible")
        line = own.line if own is not None else (base.line if base is not None else 0)
        if not lead:
            src.error(line, f"事项 {item.number} 没有牵头单位", f"在 assignments.yml 的 categories.{item.category}.lead 或 items.{item.number}.lead 中写上牵头单位", "no-lead")
        duty = _pick_duty(base, own)
        everyone = [u for u in lead if u not in responsible] + responsible
        assignments[item.number] = Assignment(item.number, tuple(lead), tuple(everyone), tuple(groups), duty, src.where(line))
    return assignments


def _pick(src: Source, roster: Roster, cache: dict, base: Duty | None, own: Duty | None, which: str) -> tuple[list[str], list[str]]:
    """Resolve the item's list ``which`` (lead/responsible), falling back to the category's.

    Each written list is resolved once (cached by its line), so an unknown name is reported once
    rather than once for every item of the category.
    """
    block = own if own is not None and getattr(own, which) is not None else base
    names = getattr(block, which) if block is not None else None
    if block is None or names is None:
        return [], []
    key = (block.line, which)
    if key not in cache:
        cache[key] = _resolve_list(src, names, roster, lead=which == "lead")
    return cache[key]


def _pick_duty(base: Duty | None, own: Duty | None) -> str:
    if own is not None and own.duty is not None:
        return own.duty
    return (base.duty if base is not None else None) or ""


def _warn_idle_units(roster: Roster, assignments: dict[int, Assignment], owners: dict[int, str], diagnostics: list[Diagnostic]) -> None:
    busy = {u for a in assignments.values() for u in (*a.lead, *a.responsible)} | set(owners.values())
    busy |= {u.parent for u in roster.units.values() if u.parent}
    src = Source(rel("units.yml"), diagnostics)
    for unit in roster.units.values():
        if unit.name not in busy:
            src.warning(unit.where.line if unit.where else 0, f"单位“{unit.name}”既不牵头也不负责任何事项或指标", "在 assignments.yml 中给它分工，或从 units.yml 删去", "idle-unit")


# --------------------------------------------------------------------------- deadlines.yml


@dataclass(slots=True)
class Deadlines:
    stages: list[Stage] = field(default_factory=list)
    completed_years: dt.date | None = None
    current_year: dt.date | None = None
    materials: dict[str, dt.date] = field(default_factory=dict)


def _load_deadlines(root: Path, diagnostics: list[Diagnostic], standard: Standard, broken: Broken) -> Deadlines:
    known = ("stages", "completed_years_due", "current_year_due", "materials")
    src, top = open_data_file(root, rel("deadlines.yml"), diagnostics, known, required_keys=("completed_years_due", "current_year_due"))
    out = Deadlines()
    if top is None:
        return out
    out.completed_years = top.date("completed_years_due")
    out.current_year = top.date("current_year_due")
    for index, (value, line) in enumerate(entries(top, "stages"), start=1):
        stage = _stage(src, value, line, index)
        if stage is not None:
            out.stages.append(stage)
    materials = top.mapping("materials") or LineDict()
    for material_id, value in materials.items():
        line = materials.key_line(material_id)
        checked = check_material_ref(src, material_id, line, standard, "期限", broken)
        date = check_date(src, value, materials.value_line(material_id), f"材料“{shown(material_id)}”的期限")
        if checked is not None and date is not None:
            out.materials[checked] = date
    return out


def _stage(src: Source, value: Any, line: int, index: int) -> Stage | None:
    f = Fields.of(src, value, line, f"第 {index} 个阶段", ("name", "start", "end", "description"), ("name", "end"))
    if f is None:
        return None
    name, start, end = f.required_text("name", "阶段名称，如 自查达标"), f.date("start"), f.date("end")
    if start is not None and end is not None and start > end:
        src.error(f.line("start"), f"阶段“{name}”的开始日期 {start} 晚于结束日期 {end}", "检查 start 和 end", "bad-stage")
    if name is None or end is None:
        return None
    return Stage(name, start, end, f.text("description") or "", src.where(line))


def check_material_ref(src: Source, value: Any, line: int, standard: Standard, what: str, broken: Broken | None = None) -> str | None:
    """A reference to a material id: must be a quoted NN.K of an existing material.

    A material that is named in checklists.yml but broken there is not reported again here.
    """
    if isinstance(value, float):
        src.error(line, f"{what}中的材料编号 {value} 被当成了数字（没加引号）", '加上引号，如 "03.1"', "bad-material-id")
        return None
    text = str(value).strip()
    if not isinstance(value, str) or not MATERIAL_ID.match(text):
        src.error(line, f"{what}中的材料编号“{text}”格式不对", '写成带引号的 NN.K，如 "03.1"', "bad-material-id")
        return None
    if standard.material(text) is None:
        if broken is None or not broken.has_material(text):
            src.error(line, f"{what}中的材料“{text}”在材料清单中不存在", _material_hint(text, standard), "unknown-material")
        return None
    return text


def _material_hint(material_id: str, standard: Standard) -> str:
    """Suggest a material of the same item, nearest by number (never one of another item)."""
    number = int(material_id[:2])
    item = standard.items.get(number)
    if item is None or not item.materials:
        return f"事项 {number}{'不存在' if item is None else '没有材料'}；检查 checklists.yml 中的材料编号"
    ids = [m.id for m in item.materials]
    span = ids[0] if len(ids) == 1 else f"{ids[0]}–{ids[-1]}"
    return f"是否应为“{nearest_material(material_id, ids)}”？事项 {item.number} 的材料为 {span}"


# --------------------------------------------------------------------------- waivers.yml


def _load_waivers(root: Path, diagnostics: list[Diagnostic], standard: Standard, roster: Roster, broken: Broken) -> list[Waiver]:
    src, top = open_data_file(root, rel("waivers.yml"), diagnostics, ("waivers",), required=False)
    waivers: list[Waiver] = []
    for index, (value, line) in enumerate(entries(top, "waivers"), start=1):
        waiver = _waiver(src, value, line, index, standard, roster, broken)
        if waiver is not None:
            waivers.append(waiver)
    return waivers


def _waiver(src: Source, value: Any, line: int, index: int, standard: Standard, roster: Roster, broken: Broken) -> Waiver | None:
    f = Fields.of(src, value, line, f"第 {index} 条不适用说明", ("item", "material", "unit", "reason"), ("reason",))
    if f is None:
        return None
    if not f.has("item") and not f.has("material"):
        src.error(line, f"第 {index} 条不适用说明既没有 item 也没有 material", '写上 item: 26 或 material: "26.4"', "waiver-target")
        return None
    item = f.integer("item", lo=1, hi=45)
    if item is None and not f.has("material"):
        return None  # a bad item, reported by f.integer, and nothing else to say what is waived
    if item is not None and item not in standard.items:
        if item not in broken.items:
            nearest = nearest_number(item, standard.items)
            fix = (f"是否应为 {nearest}？" if nearest is not None else "") + "检查事项编号"
            src.error(f.line("item"), f"不适用说明中的事项 {item} 不存在", fix, "unknown-item")
        return None
    material = check_material_ref(src, f.raw("material"), f.line("material"), standard, "不适用说明", broken) if f.has("material") else None
    if f.has("material") and material is None:
        return None
    if material is not None and item is not None and int(material[:2]) != item:
        src.error(f.line("material"), f"材料“{material}”不属于事项 {item}", f"删去 item，或改为事项 {item} 的材料", "material-item-mismatch")
        return None
    unit = _waiver_unit(src, f, roster)
    reason = f.text("reason", None)
    if not reason:
        src.error(f.line("reason"), f"第 {index} 条不适用说明没有写理由", "reason 写明为什么不适用（会显示在站点和材料包中）", "waiver-reason")
        return None
    if f.has("unit") and unit is None:
        return None
    if item is None and material is None:
        return None  # unreachable after the checks above; says so to the type checker
    number = item if item is not None else int(str(material)[:2])
    return Waiver(number, material, unit, reason, src.where(line))


def _waiver_unit(src: Source, f: Fields, roster: Roster) -> str | None:
    name = f.required_text("unit", "单位名称，或删去 unit（对所有单位都不适用）") if f.has("unit") else None
    if not name:
        return None
    canonical = roster.alias_index.get(name)
    if canonical is None and name not in roster.broken:
        src.error(f.line("unit"), f"不适用说明中的单位“{name}”不在 units.yml 中", did_you_mean(name, roster.alias_index, fallback="改用 units.yml 中的单位名称"), "unknown-unit")
    return canonical


# --------------------------------------------------------------------------- local indicators.yml


def _load_local_indicators(root: Path, diagnostics: list[Diagnostic], standard: Standard, roster: Roster, broken: Broken) -> tuple[dict[int, str], dict[int, tuple[str, Rule]]]:
    src, top = open_data_file(root, rel("indicators.yml"), diagnostics, ("owners", "overrides"), required=False)
    if top is None:
        return {}, {}
    owners: dict[int, str] = {}
    mapping = top.mapping("owners") or LineDict()
    for number, name in mapping.items():
        if not _indicator_key(src, number, mapping.key_line(number), standard, broken):
            continue
        line = mapping.value_line(number)
        canonical = roster.alias_index.get(name) if isinstance(name, str) else None
        if canonical is None and name in roster.broken:
            continue
        if canonical is None:
            src.error(line, f"指标 {number} 的填报单位“{shown(name)}”不在 units.yml 中", did_you_mean(name, roster.alias_index, fallback="改用 units.yml 中的单位名称"), "unknown-unit")
        else:
            owners[number] = canonical
    return owners, _overrides(src, top, standard, broken)


def _overrides(src: Source, top: Fields, standard: Standard, broken: Broken) -> dict[int, tuple[str, Rule]]:
    out: dict[int, tuple[str, Rule]] = {}
    mapping = top.mapping("overrides") or LineDict()
    for number, value in mapping.items():
        line = mapping.key_line(number)
        if not _indicator_key(src, number, line, standard, broken):
            continue
        f = Fields.of(src, value, line, f"指标 {number} 的本地目标", ("target", "rule"), ("target", "rule"))
        if f is None:
            continue
        target = f.required_text("target", "本市的目标值原文，如 ≥330天或持续改善")
        rule = parse_rule(src, f.raw("rule"), f.line("rule"), f"指标 {number} 的本地 rule") if f.has("rule") else None
        if target is not None and rule is not None:
            check_target(src, target, rule, f"指标 {number} 的本地 rule", target_line=f.line("target"))
            out[number] = (target, rule)
    return out


def _indicator_key(src: Source, number: Any, line: int, standard: Standard, broken: Broken) -> bool:
    if isinstance(number, bool) or not isinstance(number, int):
        src.error(line, f"指标编号“{shown(number)}”应为整数", "写成不带引号的数字，如 22:", "wrong-type")
        return False
    if standard.indicators and number not in standard.indicators:
        if number not in broken.indicators:
            nearest = nearest_number(number, standard.indicators)
            fix = (f"是否应为 {nearest}？" if nearest is not None else "") + "检查指标编号（1–56）"
            src.error(line, f"指标 {number} 不存在", fix, "unknown-indicator")
        return False
    return True


# --------------------------------------------------------------------------- the whole plan


def load_plan(root: Path, standard: Standard, diagnostics: list[Diagnostic], *, today: dt.date | None = None, broken: Broken | None = None) -> Plan:
    """Read every file of standards/local/ under ``root`` against ``standard``.

    ``broken`` is what ``load_standard`` named but could not load: references to it are not errors here.
    """
    broken = broken if broken is not None else Broken()
    city = _load_city(root, diagnostics)
    roster = _load_units(root, diagnostics)
    src, by_category, by_item, supplier_block = _load_assignment_blocks(root, diagnostics, standard, broken)
    assignments = _build_assignments(src, standard, roster, by_category, by_item) if (root / rel("assignments.yml")).is_file() else {}
    explicit = read_suppliers(src, supplier_block, standard, roster.alias_index, roster.broken, broken)
    deadlines = _load_deadlines(root, diagnostics, standard, broken)
    waivers = _load_waivers(root, diagnostics, standard, roster, broken)
    owners, targets = _load_local_indicators(root, diagnostics, standard, roster, broken)
    if standard.items:  # with no items loaded every unit would look idle: items.yml's error says why
        _warn_idle_units(roster, assignments, owners, diagnostics)
    fallback = dt.date(city.review_year, 12, 31)
    return Plan(
        city=city.city,
        kind=city.kind,
        review_year=city.review_year,
        window=city.window,
        today=resolve_today(today, city.today, diagnostics),
        units=roster.units,
        groups=roster.groups,
        assignments=assignments,
        stages=deadlines.stages,
        deadline_completed_years=deadlines.completed_years or fallback,
        deadline_current_year=deadlines.current_year or fallback,
        material_deadlines=deadlines.materials,
        waivers=waivers,
        indicator_owners=owners,
        indicator_targets=targets,
        max_file_mb=city.max_file_mb,
        alias_index=roster.alias_index,
        forge=city.forge,
        account_index=roster.accounts,
        email_index=roster.emails,
        explicit_suppliers=explicit,
        min_ranked_cells=city.min_ranked_cells,
    )

