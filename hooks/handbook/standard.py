"""Load standards/national/ (the national 2021 standard) into a ``Standard``.

Each file is read on its own, then cross-checked (categories ↔ items, items ↔ indicators,
materials → slots). Every problem becomes a Diagnostic; whatever is valid is kept.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from handbook.diagnostics import did_you_mean, listing
from handbook.model import (
    OPERATORS,
    TRENDS,
    Category,
    CountyVariant,
    Diagnostic,
    Indicator,
    Item,
    Kind,
    Material,
    Rule,
    RuleKind,
    Slot,
    Standard,
    Where,
)
from handbook.yamlload import Fields, Source, entries, open_data_file

log = logging.getLogger(__name__)

NATIONAL = "standards/national"
MAX_CATEGORY, MAX_ITEM, MAX_INDICATOR = 7, 45, 56
FORMATS = ("pdf", "ofd", "jpg", "jpeg", "png", "docx", "doc", "xlsx", "xls", "mp4", "zip")
DEFAULT_FORMATS = ("pdf", "ofd")
GRADES = ("A", "B", "C", "D")
MATERIAL_ID = re.compile(r"^(\d{2})\.([1-9]\d*)$")

_OP_TYPOS = {"≥": ">=", "=>": ">=", "≤": "<=", "=<": "<=", "＞": ">", "＜": "<", "=": "==", "＝": "=="}
# Which rule fields each kind needs, and which it may carry.
_RULE_NEEDS: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.THRESHOLD: ("op", "value"),
    RuleKind.TREND: ("trend",),
    RuleKind.THRESHOLD_OR_TREND: ("op", "value", "trend"),
    RuleKind.FIVE_YEAR_MEAN: (),
    RuleKind.PLAN: ("op",),
    RuleKind.GRADE: ("grade",),
    RuleKind.PRESENCE: (),
}
_RULE_MAY: dict[RuleKind, tuple[str, ...]] = {
    RuleKind.THRESHOLD: ("unit",),
    RuleKind.THRESHOLD_OR_TREND: ("unit",),
    RuleKind.PLAN: ("unit",),
    RuleKind.FIVE_YEAR_MEAN: ("unit",),
    RuleKind.TREND: ("unit",),
}
RULE_FIELDS = ("kind", "op", "value", "unit", "trend", "grade")

# Lines of cross-references (e.g. ("category-item", 1, 3) → line of the 3 in category 1's list),
# kept beside the model so that a broken reference is reported on its own line.
Lines = dict[tuple, int]


def rel(name: str) -> str:
    return f"{NATIONAL}/{name}"


# --------------------------------------------------------------------------- slots


def _load_slots(root: Path, diagnostics: list[Diagnostic]) -> dict[str, Slot]:
    src, top = open_data_file(root, rel("slots.yml"), diagnostics, ("slots",))
    slots: dict[str, Slot] = {}
    for order, (value, line) in enumerate(entries(top, "slots"), start=1):
        slot = _slot(src, value, line, order)
        if slot is None:
            continue
        if slot.key in slots:
            first = slots[slot.key].where
            src.error(line, f"上传栏目 key“{slot.key}”重复（{first} 已有）", "每个栏目的 key 只能出现一次", "duplicate-slot")
            continue
        slots[slot.key] = slot
    return slots


def _slot(src: Source, value: Any, line: int, order: int) -> Slot | None:
    f = Fields.of(src, value, line, f"第 {order} 个上传栏目", ("key", "title", "kinds", "county_title"), ("key", "title"))
    if f is None:
        return None
    key, title = f.text("key", None), f.text("title", None)
    kinds: list[Kind] = []
    for text, kind_line in f.text_list("kinds"):
        kind = _kind(src, text, kind_line, f"栏目“{key}”的 kinds")
        if kind is not None:
            kinds.append(kind)
    if not key or not title:
        return None
    county_title = f.text("county_title", None) or None
    return Slot(key, title, tuple(kinds) or (Kind.CITY, Kind.COUNTY), order, county_title, src.where(f.data.line))


def _kind(src: Source, text: str, line: int, label: str) -> Kind | None:
    try:
        return Kind(text)
    except ValueError:
        valid = [k.value for k in Kind]
        src.error(line, f"{label}“{text}”不是有效的类型", did_you_mean(text, valid, fallback="只能是 城市 或 县"), "unknown-kind")
        return None


# --------------------------------------------------------------------------- categories and items


def _load_categories(root: Path, diagnostics: list[Diagnostic], lines: Lines) -> list[Category]:
    src, top = open_data_file(root, rel("categories.yml"), diagnostics, ("categories",))
    found: dict[int, Category] = {}
    for index, (value, line) in enumerate(entries(top, "categories"), start=1):
        f = Fields.of(src, value, line, f"第 {index} 个分类", ("number", "numeral", "title", "items"), ("number", "title", "items"))
        if f is None:
            continue
        number = f.integer("number", lo=1, hi=MAX_CATEGORY)
        listed = f.int_list("items", lo=1, hi=MAX_ITEM)
        items = tuple(n for n, _ in listed)
        title = f.text("title", None)
        if number is None or not title:
            continue
        for item, item_line in listed:
            lines.setdefault(("category-item", number, item), item_line)
        if number in found:
            src.error(f.line("number"), f"分类编号 {number} 重复（{found[number].where} 已有）", "每个分类编号只能出现一次", "duplicate-category")
            continue
        found[number] = Category(number, f.text("numeral") or "", title, items, src.where(f.data.line))
    return [found[n] for n in sorted(found)]


_ITEM_FIELDS = ("number", "category", "title", "text", "indicators")


def _load_items(root: Path, diagnostics: list[Diagnostic], lines: Lines) -> dict[int, Item]:
    src, top = open_data_file(root, rel("items.yml"), diagnostics, ("items",))
    items: dict[int, Item] = {}
    for index, (value, line) in enumerate(entries(top, "items"), start=1):
        item = _item(src, value, line, index, lines)
        if item is None:
            continue
        if item.number in items:
            src.error(item.where.line, f"事项编号 {item.number} 重复（{items[item.number].where} 已有）", "每个事项编号只能出现一次；检查是否写错了编号", "duplicate-item")
            continue
        items[item.number] = item
    return dict(sorted(items.items()))


def _item(src: Source, value: Any, line: int, index: int, lines: Lines) -> Item | None:
    f = Fields.of(src, value, line, f"第 {index} 个事项", _ITEM_FIELDS, ("number", "category", "title", "text"))
    if f is None:
        return None
    number = f.integer("number", lo=1, hi=MAX_ITEM)
    category = f.integer("category", lo=1, hi=MAX_CATEGORY)
    title, text = f.text("title", None), f.text("text", None)
    linked = f.int_list("indicators", lo=1, hi=MAX_INDICATOR)
    indicators = tuple(n for n, _ in linked)
    if number is None or category is None or not title or not text:
        return None
    lines.setdefault(("item-category", number), f.line("category"))
    for indicator, indicator_line in linked:
        lines.setdefault(("item-indicator", number, indicator), indicator_line)
    return Item(number, title, text, category, indicators, [], src.where(f.data.line))


def _check_categories(src: Source, categories: list[Category], items: dict[int, Item], lines: Lines) -> None:
    """Every listed item exists and names this category back; every item is listed by its category."""
    numbers = {c.number for c in categories}
    listed: set[int] = set()
    for category in categories:
        for number in category.items:
            listed.add(number)
            item = items.get(number)
            line = lines.get(("category-item", category.number, number), where_line(category.where))
            if item is None:
                src.error(line, f"分类{category.numeral or category.number}列出的事项 {number} 在 items.yml 中不存在", "删去它，或在 items.yml 中补上这个事项", "unknown-item")
            elif item.category != category.number:
                src.error(line, f"分类{category.numeral or category.number}列出了事项 {number}，但该事项的 category 是 {item.category}", f"把 {number} 从这个分类的 items 中删去，或把事项 {number} 的 category 改为 {category.number}", "category-mismatch")
    items_src = Source(rel("items.yml"), src.diagnostics)
    for item in items.values():
        line = lines.get(("item-category", item.number), where_line(item.where))
        if numbers and item.category not in numbers:
            items_src.error(line, f"事项 {item.number} 的分类 {item.category} 不存在", f"可用的分类编号：{listing(sorted(numbers))}", "unknown-category")
        elif numbers and item.number not in listed:
            items_src.error(line, f"事项 {item.number} 的分类是 {item.category}，但 categories.yml 中该分类的 items 没有列出它", f"在分类 {item.category} 的 items 中加上 {item.number}", "category-mismatch")


# --------------------------------------------------------------------------- checklists


_MATERIAL_FIELDS = ("id", "title", "complete_when", "per_year", "per_unit", "formats", "seal", "slot")


def _load_checklists(root: Path, diagnostics: list[Diagnostic], items: dict[int, Item], slots: dict[str, Slot]) -> None:
    """Attach each checklist's materials to its item."""
    src, top = open_data_file(root, rel("checklists.yml"), diagnostics, ("checklists",))
    seen: dict[int, int] = {}
    for index, (value, line) in enumerate(entries(top, "checklists"), start=1):
        f = Fields.of(src, value, line, f"第 {index} 个清单", ("item", "materials"), ("item", "materials"))
        if f is None:
            continue
        number = f.integer("item", lo=1, hi=MAX_ITEM)
        if number is None:
            continue
        if number in seen:
            src.error(f.line("item"), f"事项 {number} 的清单重复（第 {seen[number]} 行已有）", "把两份清单的 materials 合并为一份", "duplicate-checklist")
            continue
        seen[number] = f.line("item")
        item = items.get(number)
        if item is None:
            src.error(f.line("item"), f"清单所属的事项 {number} 在 items.yml 中不存在", "检查事项编号（1–45）", "unknown-item")
        for m_value, m_line in entries(f, "materials"):
            material = _material(src, m_value, m_line, number, slots)  # checked even without its item
            if material is None or item is None:
                continue
            if any(m.id == material.id for m in item.materials):
                src.error(m_line, f"材料编号“{material.id}”重复", "同一事项内的材料编号 NN.K 不能重复", "duplicate-material")
                continue
            item.materials.append(material)
    for item in items.values():
        item.materials.sort(key=lambda m: m.key)
        if item.number not in seen and top is not None:
            src.warning(0, f"事项 {item.number} 没有材料清单", f"在 checklists.yml 中加上 item: {item.number} 的 materials", "no-checklist")


def _material(src: Source, value: Any, line: int, item: int, slots: dict[str, Slot]) -> Material | None:
    f = Fields.of(src, value, line, f"事项 {item} 的材料", _MATERIAL_FIELDS, ("id", "title"))
    if f is None:
        return None
    material_id = _material_id(src, f.raw("id"), f.line("id"), item)
    title = f.text("title", None)
    formats = _formats(src, f)
    slot = f.text("slot", None) or None
    if slot is not None and slots and slot not in slots:
        src.error(f.line("slot"), f"材料的上传栏目“{slot}”不存在", did_you_mean(slot, slots, fallback=f"可用的栏目：{listing(slots)}"), "unknown-slot")
        slot = None
    per_year, per_unit, seal = f.flag("per_year"), f.flag("per_unit"), f.flag("seal")
    if material_id is None or not title:
        return None
    complete_when = f.text("complete_when") or ""
    return Material(material_id, item, title, complete_when, per_year, per_unit, formats, seal, slot, src.where(line))


def _material_id(src: Source, value: Any, line: int, item: int) -> str | None:
    """Check an ``NN.K`` id and that NN is the item it sits under."""
    example = f'"{item:02d}.1"'
    if value is None:
        return None
    if isinstance(value, float):
        src.error(line, f"材料编号 {value} 被当成了数字（没加引号，开头的 0 和末尾的 0 会丢失）", f"加上引号，如 id: {example}", "bad-material-id")
        return None
    text = str(value).strip()
    match = MATERIAL_ID.match(text)
    if not isinstance(value, str) or match is None:
        src.error(line, f"材料编号“{text}”格式不对", f"写成 NN.K：两位事项编号、点、从 1 起的序号，如 {example}", "bad-material-id")
        return None
    if int(match.group(1)) != item:
        src.error(line, f"材料编号“{text}”与所属事项 {item} 不符", f"事项 {item} 的材料编号应以 {item:02d}. 开头，如 {example}", "material-item-mismatch")
        return None
    return text


def _formats(src: Source, f: Fields) -> tuple[str, ...]:
    if not f.has("formats"):
        return DEFAULT_FORMATS
    found: list[str] = []
    for text, line in f.text_list("formats"):
        ext = text.lower().lstrip(".")
        if ext not in FORMATS:
            src.error(line, f"文件格式“{text}”不在可接受的范围内", did_you_mean(ext, FORMATS, fallback=f"可用：{listing(FORMATS)}"), "unknown-format")
        elif ext not in found:
            found.append(ext)
    return tuple(found) or DEFAULT_FORMATS


# --------------------------------------------------------------------------- indicators and rules


_INDICATOR_FIELDS = ("number", "name", "target", "note", "rule", "years", "items", "county")


def _load_indicators(root: Path, diagnostics: list[Diagnostic], lines: Lines) -> dict[int, Indicator]:
    src, top = open_data_file(root, rel("indicators.yml"), diagnostics, ("indicators",))
    found: dict[int, Indicator] = {}
    for index, (value, line) in enumerate(entries(top, "indicators"), start=1):
        indicator = _indicator(src, value, line, index, lines)
        if indicator is None:
            continue
        if indicator.number in found:
            src.error(line, f"指标编号 {indicator.number} 重复（{found[indicator.number].where} 已有）", "每个指标编号只能出现一次", "duplicate-indicator")
            continue
        found[indicator.number] = indicator
    return dict(sorted(found.items()))


def _indicator(src: Source, value: Any, line: int, index: int, lines: Lines) -> Indicator | None:
    f = Fields.of(src, value, line, f"第 {index} 个指标", _INDICATOR_FIELDS, ("number", "name", "target", "rule"))
    if f is None:
        return None
    number = f.integer("number", lo=1, hi=MAX_INDICATOR)
    label = f"指标 {number if number is not None else index}"
    name, target = f.text("name", None), f.text("target", None)
    rule = parse_rule(src, f.raw("rule"), f.line("rule"), f"{label}的 rule") if f.has("rule") else None
    years = f.integer("years", lo=1, hi=10, default=3)
    linked = f.int_list("items", lo=1, hi=MAX_ITEM)
    items = tuple(n for n, _ in linked)
    county = _county(src, f.raw("county"), f.line("county"), label) if f.has("county") else CountyVariant()
    if number is None or not name or target is None or rule is None or years is None:
        return None
    for item, item_line in linked:
        lines.setdefault(("indicator-item", number, item), item_line)
    return Indicator(number, name, target, f.text("note") or "", rule, years, items, county, src.where(line))


def _county(src: Source, value: Any, line: int, label: str) -> CountyVariant:
    f = Fields.of(src, value, line, f"{label}的 county", ("applies", "name", "target", "rule"))
    if f is None:
        return CountyVariant()
    rule = parse_rule(src, f.raw("rule"), f.line("rule"), f"{label}的 county.rule") if f.has("rule") else None
    return CountyVariant(f.flag("applies", True), f.text("name", None) or None, f.text("target", None) or None, rule)


def parse_rule(src: Source, value: Any, line: int, label: str) -> Rule | None:
    """Parse a ``rule:`` mapping; report an unknown kind, op or trend with the nearest valid one."""
    f = Fields.of(src, value, line, label, RULE_FIELDS, ("kind",))
    if f is None or not f.has("kind"):
        return None
    kind = _rule_kind(src, f)
    if kind is None:
        return None
    missing = [name for name in _RULE_NEEDS[kind] if not f.has(name)]
    for name in missing:
        src.error(f.data.line, f"{label}（kind: {kind.value}）缺少“{name}”", _needs_hint(kind), "rule-missing-field")
    _warn_extra_rule_fields(src, f, kind, label)
    op = _rule_op(src, f, label) if f.has("op") else None
    trend = _rule_trend(src, f, label) if f.has("trend") else None
    grade = _rule_grade(src, f, label) if f.has("grade") else None
    number = f.number("value")
    unit = f.text("unit") or ""
    needed = {"op": op, "value": number, "trend": trend, "grade": grade}
    if missing or any(needed[name] is None for name in _RULE_NEEDS[kind]):
        return None
    return Rule(kind, op, None if number is None else float(number), unit, trend, grade, src.where(f.data.line))


def _needs_hint(kind: RuleKind) -> str:
    needs = _RULE_NEEDS[kind]
    example = {"op": 'op: ">="', "value": "value: 90", "trend": "trend: 逐年下降", "grade": "grade: C"}
    return "补上 " + "，".join(example[n] for n in needs) if needs else ""


def _rule_kind(src: Source, f: Fields) -> RuleKind | None:
    text = f.raw("kind")
    try:
        return RuleKind(text)
    except ValueError:
        valid = [k.value for k in RuleKind]
        src.error(f.line("kind"), f"{f.label}的 kind“{text}”无法识别", did_you_mean(text, valid, fallback=f"可用：{listing(valid)}"), "rule-unknown-kind")
        return None


def _warn_extra_rule_fields(src: Source, f: Fields, kind: RuleKind, label: str) -> None:
    allowed = {"kind", *_RULE_NEEDS[kind], *_RULE_MAY.get(kind, ())}
    for name in f.data:
        if name in RULE_FIELDS and name not in allowed:
            src.warning(f.line_of_key(name), f"{label}（kind: {kind.value}）用不到“{name}”，它会被忽略", "删去它，或改用合适的 kind", "rule-extra-field")


def _rule_op(src: Source, f: Fields, label: str) -> str | None:
    op = f.raw("op")
    if op in OPERATORS:
        return op
    text = str(op).strip()
    nearest = _OP_TYPOS.get(text)
    fix = f'是否应为“{nearest}”？' if nearest else f"只能是 {' '.join(OPERATORS)}（写成半角，并加引号）"
    src.error(f.line("op"), f"{label}的比较符“{text}”无法识别", fix, "rule-unknown-op")
    return None


def _rule_trend(src: Source, f: Fields, label: str) -> str | None:
    trend = f.raw("trend")
    if trend in TRENDS:
        return trend
    src.error(f.line("trend"), f"{label}的趋势“{trend}”无法识别", did_you_mean(trend, TRENDS, fallback=f"可用：{listing(TRENDS)}"), "rule-unknown-trend")
    return None


def _rule_grade(src: Source, f: Fields, label: str) -> str | None:
    grade = str(f.raw("grade")).strip().upper()
    if grade in GRADES:
        return grade
    src.error(f.line("grade"), f"{label}的等级“{f.raw('grade')}”无法识别", "只能是 A、B、C 或 D", "rule-unknown-grade")
    return None


def _check_indicator_links(root_diags: list[Diagnostic], items: dict[int, Item], indicators: dict[int, Indicator], lines: Lines) -> None:
    """items.yml ``indicators`` and indicators.yml ``items`` must name things that exist, and agree."""
    items_src = Source(rel("items.yml"), root_diags)
    ind_src = Source(rel("indicators.yml"), root_diags)
    for item in items.values():
        for number in item.indicators:
            line = lines.get(("item-indicator", item.number, number), where_line(item.where))
            if indicators and number not in indicators:
                items_src.error(line, f"事项 {item.number} 关联的指标 {number} 在 indicators.yml 中不存在", "检查指标编号（1–56）", "unknown-indicator")
            elif number in indicators and item.number not in indicators[number].items:
                items_src.warning(line, f"事项 {item.number} 关联了指标 {number}，但指标 {number} 的 items 没有列出事项 {item.number}", f"在指标 {number} 的 items 中加上 {item.number}，或从事项中删去", "indicator-link")
    for indicator in indicators.values():
        for number in indicator.items:
            line = lines.get(("indicator-item", indicator.number, number), where_line(indicator.where))
            if items and number not in items:
                ind_src.error(line, f"指标 {indicator.number} 所属的事项 {number} 在 items.yml 中不存在", "检查事项编号（1–45）", "unknown-item")


# --------------------------------------------------------------------------- the whole standard


def load_standard(root: Path, diagnostics: list[Diagnostic]) -> Standard:
    """Read every file of standards/national/ under ``root``; problems go to ``diagnostics``."""
    lines: Lines = {}
    slots = _load_slots(root, diagnostics)
    categories = _load_categories(root, diagnostics, lines)
    items = _load_items(root, diagnostics, lines)
    indicators = _load_indicators(root, diagnostics, lines)
    _load_checklists(root, diagnostics, items, slots)
    if categories or items:
        _check_categories(Source(rel("categories.yml"), diagnostics), categories, items, lines)
    _check_indicator_links(diagnostics, items, indicators, lines)
    return Standard(categories=categories, items=items, indicators=indicators, slots=slots)


def where_line(where: Where | None) -> int:
    return where.line if where else 0
