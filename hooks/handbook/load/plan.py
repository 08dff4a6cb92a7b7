"""Load standards/local/ (this city's plan) into a ``Plan``, checked against the ``Standard``.

Unit names in every list may be a canonical name, a full name or an alias; they are stored
canonical. A name that is neither a unit nor a group is an error with the nearest valid name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handbook.problems import did_you_mean, nearest_material, nearest_number
from handbook.model import Problem, Forge, Kind, Plan, Rule, Stage, Standard, Waiver
from handbook.load.forge import load_forge
from handbook.load.standard import MATERIAL_ID, Broken, check_target, parse_rule
from handbook.settings import resolve_today
from handbook.load.suppliers import read_suppliers
from handbook.load.yamlload import LineDict
from handbook.load.fields import Fields, Source, check_date, entries, open_data_file, shown
from handbook.load.entries import local
from handbook.load.units import Roster, load_units
from handbook.load.assignments import build_assignments, load_assignment_blocks, warn_idle_units


# --------------------------------------------------------------------------- city.yml


@dataclass(slots=True)
class CitySettings:
    city: str = ""
    kind: Kind = Kind.CITY
    review_year: int = 0
    window: tuple[int, ...] = ()
    today: dt.date | None = None
    max_file_mb: int = 50
    restricted_to_reviewers: bool = False
    forge: Forge | None = None
    min_ranked_cells: int = 5


def default_window(review_year: int) -> tuple[int, ...]:
    """The three completed years before the review year, plus the review year itself."""
    return (review_year - 3, review_year - 2, review_year - 1, review_year)


def _load_city(root: Path, diagnostics: list[Problem]) -> CitySettings:
    known = ("city", "kind", "review_year", "window", "today", "max_file_mb", "forge", "min_ranked_cells",
             "restricted_to_reviewers")
    src, top = open_data_file(root, local("city.yml"), diagnostics, known, required_keys=("city", "kind", "review_year"))
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
    settings.restricted_to_reviewers = top.flag("restricted_to_reviewers", False)
    if top.has("forge"):
        settings.forge = load_forge(src, top.raw("forge"), top.line_of_key("forge"))
    # A unit owing fewer cells than this is listed in the ranking but not ranked (1 of 1 is no 100 %).
    ranked = top.integer("min_ranked_cells", lo=0, hi=10_000, default=5)
    settings.min_ranked_cells = 5 if ranked is None else ranked  # 0 is a valid setting: rank everyone
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


# --------------------------------------------------------------------------- deadlines.yml


@dataclass(slots=True)
class Deadlines:
    stages: list[Stage] = field(default_factory=list)
    completed_years: dt.date | None = None
    current_year: dt.date | None = None
    materials: dict[str, dt.date] = field(default_factory=dict)


def _load_deadlines(root: Path, diagnostics: list[Problem], standard: Standard, broken: Broken) -> Deadlines:
    known = ("stages", "completed_years_due", "current_year_due", "materials")
    src, top = open_data_file(root, local("deadlines.yml"), diagnostics, known, required_keys=("completed_years_due", "current_year_due"))
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


def _load_waivers(root: Path, diagnostics: list[Problem], standard: Standard, roster: Roster, broken: Broken) -> list[Waiver]:
    src, top = open_data_file(root, local("waivers.yml"), diagnostics, ("waivers",), required=False)
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


def _load_local_indicators(root: Path, diagnostics: list[Problem], standard: Standard, roster: Roster, broken: Broken) -> tuple[dict[int, str], dict[int, tuple[str, Rule]]]:
    src, top = open_data_file(root, local("indicators.yml"), diagnostics, ("owners", "overrides"), required=False)
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


def load_plan(root: Path, standard: Standard, diagnostics: list[Problem], *, today: dt.date | None = None, broken: Broken | None = None) -> Plan:
    """Read every file of standards/local/ under ``root`` against ``standard``.

    ``broken`` is what ``load_standard`` named but could not load: references to it are not errors here.
    """
    broken = broken if broken is not None else Broken()
    city = _load_city(root, diagnostics)
    roster = load_units(root, diagnostics)
    src, by_category, by_item, supplier_block = load_assignment_blocks(root, diagnostics, standard, broken)
    assignments = build_assignments(src, standard, roster, by_category, by_item) if (root / local("assignments.yml")).is_file() else {}
    explicit = read_suppliers(src, supplier_block, standard, roster.alias_index, roster.broken, broken)
    deadlines = _load_deadlines(root, diagnostics, standard, broken)
    waivers = _load_waivers(root, diagnostics, standard, roster, broken)
    owners, targets = _load_local_indicators(root, diagnostics, standard, roster, broken)
    if standard.items:  # with no items loaded every unit would look idle: items.yml's error says why
        warn_idle_units(roster, assignments, owners, diagnostics)
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
        restricted_to_reviewers=city.restricted_to_reviewers,
        alias_index=roster.alias_index,
        forge=city.forge,
        account_index=roster.accounts,
        email_index=roster.emails,
        explicit_suppliers=explicit,
        min_ranked_cells=city.min_ranked_cells,
        units_line=roster.units_line,
    )
