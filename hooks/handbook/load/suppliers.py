"""Who owes each material (its supplier), decided once at load time; every view reads ``plan.obligations``.

The national checklist names the field of duty a material belongs to (``role``: 市场监管, 教育, 属地街道…);
the local plan maps roles to units (``roles:`` in units.yml) and may assign a material or a whole item to a
unit outright (``suppliers:`` in assignments.yml). The supplier is, in this order:

1. the explicit assignment of the local plan;
2. for a per-unit material, each unit its rule names (every responsible unit, every 街道, every member unit);
3. the unit holding the material's role, chosen among the item's responsible units where one of them holds it;
4. else the item's first lead unit (the lead compiles it, as before roles existed).

The item's leads compile and supervise (督促); only the supplier owes, so every cell is counted once.
"""

from __future__ import annotations

from typing import Any

from handbook.model import Problem, Material, Obligation, Plan, Standard
from handbook.problems import did_you_mean, listing
from handbook.load.standard import MATERIAL_ID, Broken
from handbook.load.fields import Source, shown

UNITS_FILE = "standards/local/units.yml"


# --------------------------------------------------------------------------- assignments.yml ``suppliers:``


def read_suppliers(src: Source, block: Any, standard: Standard, alias_index: dict[str, str], broken_units: set[str],
                   broken: Broken) -> dict[str, tuple[str, ...]]:
    """``suppliers:`` keyed by a material id ("17.3") or an item number (16) → a unit, or a list of units.

    Returns canonical unit names keyed by material id, or by the two-digit item code for an item.
    """
    out: dict[str, tuple[str, ...]] = {}
    for key, value in (block or {}).items():
        line = block.key_line(key)
        target = _supplier_key(src, key, line, standard, broken)
        if target is None:
            continue
        names = value if isinstance(value, list) else [value]
        units = _supplier_units(src, names, block.value_line(key), alias_index, broken_units, target)
        if not units:
            continue
        material = standard.material(target) if "." in target else None
        if len(units) > 1 and (material is None or not material.per_unit):
            what = f"材料 {target}" if material else f"第 {int(target)} 条"
            src.error(line, f"{what} 写了 {len(units)} 个供给单位（{'、'.join(units)}）",
                      "非“各单位各交一份”的材料只能有一个供给单位：只留一个；需要每个单位各交的，在 checklists.yml 中把该材料的 per_unit 设为 true", "several-suppliers")
            units = units[:1]
        out[target] = units
    return out


def _supplier_key(src: Source, key: Any, line: int, standard: Standard, broken: Broken) -> str | None:
    if isinstance(key, int) and not isinstance(key, bool):
        if key in standard.items or key in broken.items:
            return f"{key:02d}" if key in standard.items else None
        src.error(line, f"suppliers 中的事项 {key} 不存在", "写事项编号 1–45，或带引号的材料编号，如 \"17.3\"", "unknown-item")
        return None
    text = str(key).strip()
    if not isinstance(key, str) or not MATERIAL_ID.match(text):
        src.error(line, f"suppliers 的键“{shown(key)}”既不是事项编号也不是材料编号", '写事项编号（如 16）或带引号的材料编号（如 "17.3"）', "bad-material-id")
        return None
    if standard.material(text) is None:
        if not broken.has_material(text):
            ids = [m.id for m in standard.materials]
            src.error(line, f"suppliers 中的材料“{text}”在材料清单中不存在", did_you_mean(text, ids, fallback="检查 checklists.yml 中的材料编号"), "unknown-material")
        return None
    return text


def _supplier_units(src: Source, names: list, line: int, alias_index: dict[str, str], broken_units: set[str],
                    target: str) -> tuple[str, ...]:
    units: list[str] = []
    for name in names:
        canonical = alias_index.get(name.strip()) if isinstance(name, str) else None
        if canonical is None:
            if name not in broken_units:
                src.error(line, f"{target} 的供给单位“{shown(name)}”不在 units.yml 中", did_you_mean(str(name), alias_index, fallback="改用 units.yml 中的单位名称"), "unknown-unit")
            continue
        if canonical not in units:
            units.append(canonical)
    return tuple(units)


# --------------------------------------------------------------------------- resolving every material


def resolve_obligations(standard: Standard, plan: Plan, diagnostics: list[Problem]) -> dict[str, Obligation]:
    """Material id → who owes it. Unmapped roles (and an old plan with no roles at all) are warned once each."""
    holders = role_holders(plan)
    obligations: dict[str, Obligation] = {}
    unmapped: dict[str, list[str]] = {}
    for number in sorted(standard.items):
        assignment = plan.assignments.get(number)
        leads = tuple(u for u in (assignment.lead if assignment else ()) if u in plan.units)
        responsible = tuple(u for u in (assignment.responsible if assignment else ()) if u in plan.units)
        for material in standard.items[number].materials:
            obligation = _obligation(plan, material, leads, responsible, holders)
            obligations[material.id] = obligation
            if material.role and holders and material.role not in holders and obligation.source == "lead":
                unmapped.setdefault(material.role, []).append(material.id)
    _warn_roles(standard, plan, holders, unmapped, diagnostics)
    return obligations


def role_holders(plan: Plan) -> dict[str, list[str]]:
    """Role → the units holding it, in units.yml order."""
    holders: dict[str, list[str]] = {}
    for unit in plan.units.values():
        for role in unit.roles:
            holders.setdefault(role, []).append(unit.name)
    return holders


def _obligation(plan: Plan, material: Material, leads: tuple[str, ...], responsible: tuple[str, ...],
                holders: dict[str, list[str]]) -> Obligation:
    mid = material.id
    explicit = plan.explicit_suppliers.get(mid) or plan.explicit_suppliers.get(f"{material.item:02d}")
    if explicit and (mid in plan.explicit_suppliers or not material.per_unit):
        return Obligation(mid, explicit, material.per_unit, "explicit",
                          material.role, "本市分工文件（assignments.yml suppliers）指定")
    if material.per_unit:
        return Obligation(mid, each_units(plan, material.each, responsible), True, "each", material.role)
    held = holders.get(material.role, []) if material.role else []
    if held:
        inside = [u for u in held if _within(plan, u, responsible)]
        chosen = (inside or held)[0]
        note = "" if inside else f"持有“{material.role}”职责的单位不在本条责任单位中"
        return Obligation(mid, (chosen,), False, "role", material.role, note)
    note = f"职责领域“{material.role}”没有对应单位，由牵头单位汇总提交" if material.role else "由牵头单位汇总提交"
    return Obligation(mid, leads[:1], False, "lead", material.role, note)


def _within(plan: Plan, name: str, responsible: tuple[str, ...]) -> bool:
    """A unit is among the item's units when it, or a unit it belongs to, is listed (市爱卫办 within 市卫健委)."""
    seen: set[str] = set()
    while name and name not in seen:
        if name in responsible:
            return True
        seen.add(name)
        unit = plan.units.get(name)
        name = unit.parent if unit and unit.parent else ""
    return False


def each_units(plan: Plan, each: str, responsible: tuple[str, ...]) -> tuple[str, ...]:
    """The units a per-unit rule names: every responsible unit, every 街道 (of the item, else of the city), or
    every member unit of the 爱卫会 (every unit of units.yml: the roster is the 爱卫会's member list)."""
    if each == "streets":
        own = tuple(u for u in responsible if plan.units[u].is_street)
        return own or tuple(u.name for u in plan.units.values() if u.is_street)
    if each == "members":
        return tuple(plan.units)
    return responsible


def _warn_roles(standard: Standard, plan: Plan, holders: dict[str, list[str]], unmapped: dict[str, list[str]],
                diagnostics: list[Problem]) -> None:
    src = Source(UNITS_FILE, diagnostics)
    used = {m.role for m in standard.materials if m.role}
    if not plan.units or not used:
        return
    if not holders:
        src.warning(plan.units_line, "units.yml 中没有任何单位写 roles（职责领域）：全部材料暂由各条的第一个牵头单位汇总提交",
                    f"给每个单位写上它的职责领域，如 市市场监管局 写 roles: [市场监管]；材料用到的领域：{listing(sorted(used))}", "no-roles")
        return
    for role, ids in sorted(unmapped.items()):
        fix = f"在 units.yml 中给负责“{role}”的单位加上 roles: [{role}]（或在 assignments.yml 的 suppliers 中逐条指定）"
        near = did_you_mean(role, holders, fallback="")
        src.warning(plan.units_line, f"职责领域“{role}”没有对应单位：材料 {listing(ids)} 暂由牵头单位汇总提交", f"{fix}{'；' + near if near else ''}", "unmapped-role")
    for role, names in sorted(holders.items()):
        if role not in used:
            unit = plan.units[names[0]]
            line = unit.where.line if unit.where else 0
            src.warning(line, f"单位“{names[0]}”的职责领域“{role}”没有任何材料用到",
                        did_you_mean(role, used, fallback=f"材料用到的领域：{listing(sorted(used))}"), "unused-role")
