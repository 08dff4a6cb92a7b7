"""standards/local/assignments.yml: who leads and who takes part in each category and item."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handbook.problems import did_you_mean, listing
from handbook.model import Assignment, Problem, Standard
from handbook.load.standard import Broken
from handbook.load.fields import Fields, Source, open_data_file
from handbook.load.entries import local
from handbook.load.units import Roster


@dataclass(slots=True)
class Duty:
    """One ``lead/responsible/duty`` block as written (category default or item override)."""

    line: int
    lead: list[tuple[str, int]] | None = None
    responsible: list[tuple[str, int]] | None = None
    duty: str | None = None


def load_assignment_blocks(root: Path, diagnostics: list[Problem], standard: Standard, broken: Broken) -> tuple[Source, dict[int, Duty], dict[int, Duty], Any]:
    src, top = open_data_file(root, local("assignments.yml"), diagnostics, ("categories", "items", "suppliers"))
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


def build_assignments(src: Source, standard: Standard, roster: Roster, by_category: dict[int, Duty], by_item: dict[int, Duty]) -> dict[int, Assignment]:
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


def warn_idle_units(roster: Roster, assignments: dict[int, Assignment], owners: dict[int, str], diagnostics: list[Problem]) -> None:
    busy = {u for a in assignments.values() for u in (*a.lead, *a.responsible)} | set(owners.values())
    busy |= {u.parent for u in roster.units.values() if u.parent}
    src = Source(local("units.yml"), diagnostics)
    for unit in roster.units.values():
        if unit.name not in busy:
            src.warning(unit.where.line if unit.where else 0, f"单位“{unit.name}”既不牵头也不负责任何事项或指标", "在 assignments.yml 中给它分工，或从 units.yml 删去", "idle-unit")
