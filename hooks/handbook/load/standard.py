"""Load standards/national/ (the national 2021 standard) into a ``Standard``.

Each file is read on its own, then cross-checked (categories ↔ items, items ↔ indicators,
materials → slots). Every problem becomes a Diagnostic; whatever is valid is kept, and what is
not is remembered in ``Broken`` so that references to it do not repeat the one real error.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

from handbook.problems import did_you_mean, listing, nearest_number
from handbook.model import (
    EACH,
    OPERATORS,
    TIMINGS,
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
from handbook.load.yamlload import Fields, Source, entries, open_data_file

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


# --------------------------------------------------------------------------- entries not loaded


@dataclass(slots=True)
class Broken:
    """Numbers and ids the files name but that were not loaded, because their entry has an error.

    A reference to one of these is not reported again: otherwise one wrong item number gives
    "事项 45 不存在" in four files, and the real error sorts last. An entry whose number cannot be read
    stands for the numbers between its readable neighbours (the files are written in order).
    """

    categories: set[int] = field(default_factory=set)
    items: set[int] = field(default_factory=set)
    indicators: set[int] = field(default_factory=set)
    materials: set[str] = field(default_factory=set)
    checklists: set[int] = field(default_factory=set)  # items whose checklist could not be attached
    slots: set[str] = field(default_factory=set)

    def has_material(self, material_id: str) -> bool:
        """The material itself, its item or its item's checklist is broken."""
        item = int(material_id.split(".")[0])
        return material_id in self.materials or item in self.items or item in self.checklists


def _entry_number(value: Any, key: str, hi: int) -> int | None:
    """The entry's number if it can be read (an integer 1..hi), else None. Never reports."""
    number = value.get(key) if isinstance(value, dict) else None
    valid = isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= hi
    return number if valid else None


def _dropped(numbers: list[int | None], index: int, hi: int) -> set[int]:
    """The number of the dropped entry ``index``, or the numbers it may have meant."""
    own = numbers[index]
    if own is not None:
        return {own}
    before = next((n for n in reversed(numbers[:index]) if n is not None), 0)
    after = next((n for n in numbers[index + 1 :] if n is not None), hi + 1)
    return set(range(before + 1, after))


def _unread(hi: int) -> set[int]:
    """Every number, when a file could not be read at all: its error is the only one to report."""
    return set(range(1, hi + 1))


def _numbered(src: Source, top: Any, key: str, hi: int, build: Callable[[Any, int, int], Any | None],
              broken: set[int], noun: str, code: str) -> dict[int, Any]:
    """The entries of a numbered list (categories, items, indicators), keyed and sorted by number.

    An entry that cannot be built marks its number (or the numbers it may have meant) as broken, so that
    references to it are not reported again; a repeated number is an error on the later entry.
    """
    if top is None:
        broken |= _unread(hi)
    listed = entries(top, key)
    numbers = [_entry_number(value, "number", hi) for value, _ in listed]
    found: dict[int, Any] = {}
    for index, (value, line) in enumerate(listed):
        entry = build(value, line, index + 1)
        if entry is None:
            broken |= _dropped(numbers, index, hi)
        elif entry.number in found:
            src.error(line, f"{noun}编号 {entry.number} 重复（{found[entry.number].where} 已有）",
                      f"每个{noun}编号只能出现一次；检查是否写错了编号", code)
        else:
            found[entry.number] = entry
    return dict(sorted(found.items()))


def _nearest_hint(number: int, valid: Any) -> str:
    nearest = nearest_number(number, valid)
    return f"是否应为 {nearest}？" if nearest is not None and nearest != number else ""


# --------------------------------------------------------------------------- slots


def _load_slots(root: Path, diagnostics: list[Diagnostic], broken: Broken) -> dict[str, Slot]:
    src, top = open_data_file(root, rel("slots.yml"), diagnostics, ("slots",))
    slots: dict[str, Slot] = {}
    for order, (value, line) in enumerate(entries(top, "slots"), start=1):
        slot = _slot(src, value, line, order)
        if slot is None:
            key = value.get("key") if isinstance(value, dict) else None
            if isinstance(key, str) and key.strip():
                broken.slots.add(key.strip())
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
    key = f.required_text("key", "栏目的英文 key，如 work-plan")
    title = f.required_text("title", "栏目名称，如 工作计划")
    kinds: list[Kind] = []
    for text, kind_line in f.text_list("kinds"):
        kind = _kind(src, text, kind_line, f"栏目“{key}”的 kinds")
        if kind is not None:
            kinds.append(kind)
    county_title = f.required_text("county_title", "县的栏目名称") if f.has("county_title") else None
    if key is None or title is None:
        return None
    return Slot(key, title, tuple(kinds) or (Kind.CITY, Kind.COUNTY), order, county_title, src.where(f.data.line))


def _kind(src: Source, text: str, line: int, label: str) -> Kind | None:
    try:
        return Kind(text)
    except ValueError:
        valid = [k.value for k in Kind]
        src.error(line, f"{label}“{text}”不是有效的类型", did_you_mean(text, valid, fallback="只能是 城市 或 县"), "unknown-kind")
        return None


# --------------------------------------------------------------------------- categories and items


def _load_categories(root: Path, diagnostics: list[Diagnostic], lines: Lines, broken: Broken) -> list[Category]:
    src, top = open_data_file(root, rel("categories.yml"), diagnostics, ("categories",))
    build = lambda value, line, index: _category(src, value, line, index, lines)  # noqa: E731
    found = _numbered(src, top, "categories", MAX_CATEGORY, build, broken.categories, "分类", "duplicate-category")
    return list(found.values())


def _category(src: Source, value: Any, line: int, index: int, lines: Lines) -> Category | None:
    f = Fields.of(src, value, line, f"第 {index} 个分类", ("number", "numeral", "title", "items"), ("number", "title", "items"))
    if f is None:
        return None
    number = f.integer("number", lo=1, hi=MAX_CATEGORY)
    listed = f.int_list("items", lo=1, hi=MAX_ITEM)
    title = f.required_text("title", "分类名称，如 爱国卫生组织管理")
    if number is None or title is None:
        return None
    for item, item_line in listed:
        lines.setdefault(("category-item", number, item), item_line)
    return Category(number, f.text("numeral") or "", title, tuple(n for n, _ in listed), src.where(f.data.line))


_ITEM_FIELDS = ("number", "category", "title", "text", "indicators")


def _load_items(root: Path, diagnostics: list[Diagnostic], lines: Lines, broken: Broken) -> dict[int, Item]:
    src, top = open_data_file(root, rel("items.yml"), diagnostics, ("items",))
    build = lambda value, line, index: _item(src, value, line, index, lines)  # noqa: E731
    return _numbered(src, top, "items", MAX_ITEM, build, broken.items, "事项", "duplicate-item")


def _item(src: Source, value: Any, line: int, index: int, lines: Lines) -> Item | None:
    f = Fields.of(src, value, line, f"第 {index} 个事项", _ITEM_FIELDS, ("number", "category", "title", "text"))
    if f is None:
        return None
    number = f.integer("number", lo=1, hi=MAX_ITEM)
    category = f.integer("category", lo=1, hi=MAX_CATEGORY)
    title = f.required_text("title", "事项的简短标题，如 健康教育网络")
    text = f.required_text("text", "该条标准原文（照种子 000 逐字录入）")
    linked = f.int_list("indicators", lo=1, hi=MAX_INDICATOR)
    if number is None or category is None or title is None or text is None:
        return None
    lines.setdefault(("item-category", number), f.line("category"))
    for indicator, indicator_line in linked:
        lines.setdefault(("item-indicator", number, indicator), indicator_line)
    return Item(number, title, text, category, tuple(n for n, _ in linked), [], src.where(f.data.line))


def _check_categories(src: Source, categories: list[Category], items: dict[int, Item], lines: Lines, broken: Broken) -> None:
    """Every listed item exists and names this category back; every item is listed by its category."""
    numbers = {c.number for c in categories}
    listed: set[int] = set()
    for category in categories:
        for number in category.items:
            listed.add(number)
            item = items.get(number)
            line = lines.get(("category-item", category.number, number), where_line(category.where))
            if item is None and number not in broken.items:
                fix = _nearest_hint(number, [n for n in items if n not in category.items]) + "删去它，或在 items.yml 中补上这个事项"
                src.error(line, f"分类{category.numeral or category.number}列出的事项 {number} 在 items.yml 中不存在", fix, "unknown-item")
            elif item is not None and item.category != category.number:
                src.error(line, f"分类{category.numeral or category.number}列出了事项 {number}，但该事项的 category 是 {item.category}", f"把 {number} 从这个分类的 items 中删去，或把事项 {number} 的 category 改为 {category.number}", "category-mismatch")
    items_src = Source(rel("items.yml"), src.diagnostics)
    for item in items.values():
        line = lines.get(("item-category", item.number), where_line(item.where))
        if not numbers or item.category in broken.categories:
            continue
        if item.category not in numbers:
            items_src.error(line, f"事项 {item.number} 的分类 {item.category} 不存在", f"可用的分类编号：{listing(sorted(numbers))}", "unknown-category")
        elif item.number not in listed:
            items_src.error(line, f"事项 {item.number} 的分类是 {item.category}，但 categories.yml 中该分类的 items 没有列出它", f"在分类 {item.category} 的 items 中加上 {item.number}", "category-mismatch")


# --------------------------------------------------------------------------- checklists


_MATERIAL_FIELDS = ("id", "title", "complete_when", "per_year", "per_unit", "formats", "seal", "slot",
                    "role", "timing", "due", "due_months")
_DUE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")


def _load_checklists(root: Path, diagnostics: list[Diagnostic], items: dict[int, Item], slots: dict[str, Slot], broken: Broken) -> None:
    """Attach each checklist's materials to its item; every item needs a checklist numbered 1, 2, 3…"""
    src, top = open_data_file(root, rel("checklists.yml"), diagnostics, ("checklists",))
    if top is None:  # missing or unreadable: that one error is enough, not 45 more
        broken.checklists |= _unread(MAX_ITEM)
        return
    listed = entries(top, "checklists")
    numbers = [_entry_number(value, "item", MAX_ITEM) for value, _ in listed]
    seen: dict[int, int] = {}
    for index, (value, line) in enumerate(listed):
        if _checklist(src, value, line, index + 1, items, slots, broken, seen) is None:
            broken.checklists |= _dropped(numbers, index, MAX_ITEM)
    for item in items.values():
        item.materials.sort(key=lambda m: m.key)
        if item.number not in seen and item.number not in broken.checklists:
            _no_checklist(Source(rel("items.yml"), diagnostics), item, broken)
        _check_numbering(src, item, broken)


def _no_checklist(src: Source, item: Item, broken: Broken) -> None:
    """Reported on the item; references to its materials are then not reported again."""
    fix = f"在 checklists.yml 中加上 item: {item.number} 及其 materials（每条标准都要有材料清单）"
    src.error(where_line(item.where), f"事项 {item.number} 没有材料清单", fix, "no-checklist")
    broken.checklists.add(item.number)


def _checklist(src: Source, value: Any, line: int, index: int, items: dict[int, Item], slots: dict[str, Slot], broken: Broken, seen: dict[int, int]) -> int | None:
    """Read one checklist into its item; return its item number, or None when it cannot be used."""
    f = Fields.of(src, value, line, f"第 {index} 个清单", ("item", "materials"), ("item", "materials"))
    number = f.integer("item", lo=1, hi=MAX_ITEM) if f is not None else None
    if f is None or number is None:
        return None
    if number in seen:
        src.error(f.line("item"), f"事项 {number} 的清单重复（第 {seen[number]} 行已有）", "把两份清单的 materials 合并为一份", "duplicate-checklist")
        return number
    seen[number] = f.line("item")
    item = items.get(number)
    if item is None:
        broken.checklists.add(number)  # its materials are seen, but belong to nothing
        if number not in broken.items:
            src.error(f.line("item"), f"清单所属的事项 {number} 在 items.yml 中不存在", _nearest_hint(number, items) + "检查事项编号（1–45）", "unknown-item")
    materials = entries(f, "materials")
    if isinstance(f.raw("materials"), list) and not materials:
        src.error(f.line("materials"), f"事项 {number} 的材料清单是空的", "至少写一项材料（id、title、complete_when…）", "empty-checklist")
    _read_materials(src, materials, number, item, slots, broken)
    return number


def _read_materials(src: Source, listed: list[tuple[Any, int]], number: int, item: Item | None, slots: dict[str, Slot], broken: Broken) -> None:
    ks = [_material_k(value) for value, _ in listed]
    for index, (value, line) in enumerate(listed):
        material = _material(src, value, line, number, slots, broken)  # checked even without its item
        if material is None:
            broken.materials |= {f"{number:02d}.{k}" for k in _dropped(ks, index, len(listed))}
        elif item is not None and any(m.id == material.id for m in item.materials):
            src.error(line, f"材料编号“{material.id}”重复", "同一事项内的材料编号 NN.K 不能重复", "duplicate-material")
            # Either copy may be the typo, so it may have meant any number: no gap errors on top.
            broken.materials |= {f"{number:02d}.{k}" for k in range(1, len(listed) + 1)}
        elif item is not None:
            item.materials.append(material)


def _material_k(value: Any) -> int | None:
    """K of a readable ``NN.K`` id (even one under the wrong item): where a dropped material stood."""
    text = value.get("id") if isinstance(value, dict) else None
    match = MATERIAL_ID.match(text.strip()) if isinstance(text, str) else None
    return int(match.group(2)) if match else None


def _check_numbering(src: Source, item: Item, broken: Broken) -> None:
    """Ids count 1, 2, 3… without gaps: evidence folders are named by id, so a gap is a typo."""
    present = {m.key[1]: m for m in item.materials}
    for k in range(1, max(present, default=0)):
        material_id = f"{item.number:02d}.{k}"
        if k in present or material_id in broken.materials:
            continue
        after = present[min(n for n in present if n > k)]
        src.error(where_line(after.where), f"事项 {item.number} 的材料编号不连续：缺少 {material_id}（{after.id} 之前）", f"材料编号从 {item.number:02d}.1 起连续编号：补上 {material_id}，或把其后的编号依次提前（佐证材料文件夹随之改名）", "material-gap")
        return


def _material(src: Source, value: Any, line: int, item: int, slots: dict[str, Slot], broken: Broken) -> Material | None:
    f = Fields.of(src, value, line, f"事项 {item} 的材料", _MATERIAL_FIELDS, ("id", "title"))
    if f is None:
        return None
    material_id = _material_id(src, f.raw("id"), f.line("id"), item) if f.has("id") else None
    title = f.required_text("title", "材料名称，如 年度爱国卫生工作计划")
    formats = _formats(src, f)
    slot = _material_slot(src, f, slots, broken)
    each = _each(src, f)
    per_year, seal = f.flag("per_year"), f.flag("seal")
    timing = _timing(src, f, per_year)
    if material_id is None or title is None:
        return None
    complete_when = f.text("complete_when") or ""
    material = Material(material_id, item, title, complete_when, per_year or timing in ("year", "completed_year"),
                        bool(each), formats, seal, slot, src.where(line))
    material.role, material.each, material.timing = f.text("role") or "", each, timing
    material.due = _due(src, f, timing)
    material.due_months = f.integer("due_months", lo=0, hi=24, default=0) or 0 if timing == "completed_year" else 0
    return material


def _each(src: Source, f: Fields) -> str:
    """``per_unit``: false, true (= every responsible unit), or one of EACH's keys."""
    value = f.raw("per_unit")
    if value is None or value is False:
        return ""
    if value is True:
        return "responsible"
    if isinstance(value, str) and value.strip() in EACH:
        return value.strip()
    fix = did_you_mean(str(value), EACH, fallback=f"只写 true 或 false（yes/no、是/否 都不算），或每单位规则 {listing(EACH)} 之一")
    src.error(f.line("per_unit"), f"per_unit“{value}”无效：应为 true 或 false，或 {listing(EACH)}", fix, "bad-per-unit")
    return "responsible"


def _timing(src: Source, f: Fields, per_year: bool) -> str:
    """``timing``: one of TIMINGS; a per-year timing with ``per_year: false`` (or the reverse) is a contradiction."""
    text = f.text("timing", None)
    if text is None:
        return ""
    if text not in TIMINGS:
        src.error(f.line("timing"), f"timing“{text}”无效", did_you_mean(text, TIMINGS, fallback=f"可用：{listing(TIMINGS)}"), "bad-timing")
        return ""
    yearly = text in ("year", "completed_year")
    if f.has("per_year") and per_year != yearly:
        src.error(f.line("timing"), f"timing: {text} 与 per_year: {str(per_year).lower()} 矛盾",
                  "timing 为 year 或 completed_year 时 per_year 写 true，否则写 false（或删去 per_year）", "bad-timing")
    return text


def _due(src: Source, f: Fields, timing: str) -> str:
    text = f.text("due", None)
    if text is None:
        return ""
    if not _DUE.match(text):
        src.error(f.line("due"), f"due“{text}”格式不对", '写成带引号的 "MM-DD"，如 "03-31"（审查年该份的截止月日）', "bad-due")
        return ""
    if timing not in ("", "year"):
        src.warning(f.line("due"), f"due 只对 timing: year 的材料有效，timing: {timing} 时不起作用", "删去 due", "unused-due")
    return text


def _material_slot(src: Source, f: Fields, slots: dict[str, Slot], broken: Broken) -> str | None:
    slot = f.required_text("slot", "上传栏目的 key，或删去 slot") if f.has("slot") else None
    if slot is None or not slots or slot in slots:
        return slot
    if slot not in broken.slots:
        src.error(f.line("slot"), f"材料的上传栏目“{slot}”不存在", did_you_mean(slot, slots, fallback=f"可用的栏目：{listing(slots)}"), "unknown-slot")
    return None


def _material_id(src: Source, value: Any, line: int, item: int) -> str | None:
    """Check an ``NN.K`` id and that NN is the item it sits under."""
    example = f'"{item:02d}.1"'
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


def _load_indicators(root: Path, diagnostics: list[Diagnostic], lines: Lines, broken: Broken) -> dict[int, Indicator]:
    src, top = open_data_file(root, rel("indicators.yml"), diagnostics, ("indicators",))
    build = lambda value, line, index: _indicator(src, value, line, index, lines)  # noqa: E731
    return _numbered(src, top, "indicators", MAX_INDICATOR, build, broken.indicators, "指标", "duplicate-indicator")


def _indicator(src: Source, value: Any, line: int, index: int, lines: Lines) -> Indicator | None:
    f = Fields.of(src, value, line, f"第 {index} 个指标", _INDICATOR_FIELDS, ("number", "name", "target", "rule"))
    if f is None:
        return None
    number = f.integer("number", lo=1, hi=MAX_INDICATOR)
    label = f"指标 {number if number is not None else index}"
    name = f.required_text("name", "指标名称（照种子 002）")
    target = f.required_text("target", "目标值原文（照种子 002），如 ≥90%")
    rule = parse_rule(src, f.raw("rule"), f.line("rule"), f"{label}的 rule") if f.has("rule") else None
    if target is not None and rule is not None:
        check_target(src, target, rule, f"{label}的 rule", target_line=f.line("target"))
    years = f.integer("years", lo=1, hi=10, default=3)
    linked = f.int_list("items", lo=1, hi=MAX_ITEM)
    county = _county(src, f, label, target, rule) if f.has("county") else CountyVariant()
    if number is None or name is None or target is None or rule is None or years is None:
        return None
    for item, item_line in linked:
        lines.setdefault(("indicator-item", number, item), item_line)
    return Indicator(number, name, target, f.text("note") or "", rule, years, tuple(n for n, _ in linked), county, src.where(line))


def _county(src: Source, indicator: Fields, label: str, target: str | None, rule: Rule | None) -> CountyVariant:
    f = Fields.of(src, indicator.raw("county"), indicator.line("county"), f"{label}的 county", ("applies", "name", "target", "rule"))
    if f is None:
        return CountyVariant()
    own_rule = parse_rule(src, f.raw("rule"), f.line("rule"), f"{label}的 county.rule") if f.has("rule") else None
    own_target = f.required_text("target", "县的目标值原文") if f.has("target") else None
    name = f.required_text("name", "县的指标名称") if f.has("name") else None
    # A 县 takes the city's target or rule where it gives none of its own: the pair must still agree.
    if own_rule is not None and (own_target or target):
        target_line = f.line("target") if own_target else indicator.line("target")
        check_target(src, own_target or target or "", own_rule, f"{label}的 county.rule", target_line=target_line)
    elif own_target and rule is not None:
        line = f.line("target")
        check_target(src, own_target, rule, f"{label}的 rule（县沿用）", target_line=line, rule_line=line)
    return CountyVariant(f.flag("applies", True), name, own_target, own_rule)


def parse_rule(src: Source, value: Any, line: int, label: str) -> Rule | None:
    """Parse a ``rule:`` mapping; report an unknown kind, op or trend with the nearest valid one.

    Every field is checked even when the kind is unknown, so that one run shows every problem.
    """
    f = Fields.of(src, value, line, label, RULE_FIELDS, ("kind",))
    if f is None:
        return None
    kind = _rule_kind(src, f) if f.has("kind") else None
    op = _rule_op(src, f, label) if f.has("op") else None
    trend = _rule_trend(src, f, label) if f.has("trend") else None
    grade = _rule_grade(src, f, label) if f.has("grade") else None
    number = f.number("value")
    unit = f.text("unit") or ""
    if kind is None:
        return None
    missing = [name for name in _RULE_NEEDS[kind] if not f.has(name)]
    for name in missing:
        src.error(f.data.line, f"{label}（kind: {kind.value}）缺少“{name}”", _needs_hint(kind), "rule-missing-field")
    _warn_extra_rule_fields(src, f, kind, label)
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


# --------------------------------------------------------------------------- target text ↔ rule

# The small grammar of seed 002's target texts, as data. A target reads as one of: a phrase naming
# the kind (近5年平均, 规划, C级, 有/无/达到/出台…), or [operator] number [unit] [或 trend], or a trend.
_TARGET_KINDS = (
    (re.compile(r"近\s*5\s*年平均"), RuleKind.FIVE_YEAR_MEAN),
    (re.compile(r"规划"), RuleKind.PLAN),
    (re.compile(r"(?<![A-Za-z])([A-D])\s*级"), RuleKind.GRADE),
    (re.compile(r"^(?:有|无|达到|出台)"), RuleKind.PRESENCE),
)
_TARGET_OPS = {"≥": ">=", ">=": ">=", "不低于": ">=", ">": ">", "＞": ">", "≤": "<=", "<=": "<=", "不高于": "<=", "<": "<", "＜": "<"}
_BARE_OPS = (">=", "==")  # "100%" means reaching it; rules write it >= 100
_TARGET_TRENDS = {**{t: t for t in TRENDS}, "持续提升": "持续提高", "逐年降低": "逐年下降", "持续下降": "持续降低"}
_TARGET_UNITS = {"％": "%", "‰": "‰"}
_THRESHOLD = re.compile(
    "^(?P<op>" + "|".join(sorted(map(re.escape, _TARGET_OPS), key=len, reverse=True)) + r")?\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>/\d+万|[^\d或]*?)\s*(?:或\s*(?P<trend>\S+))?$"
)


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a target text says the rule is; None fields are not said by the text."""

    kind: RuleKind
    ops: tuple[str, ...] = ()
    value: float | None = None
    unit: str | None = None
    trend: str | None = None
    grade: str | None = None


def read_target(text: str) -> _Reading | None:
    """The rule a target text means, or None when the text is outside the grammar."""
    text = text.strip()
    for pattern, kind in _TARGET_KINDS:
        match = pattern.search(text)
        if match:
            return _Reading(kind, grade=match.group(1) if kind is RuleKind.GRADE else None)
    if text in _TARGET_TRENDS:
        return _Reading(RuleKind.TREND, trend=_TARGET_TRENDS[text])
    match = _THRESHOLD.match(text)
    if match is None or (match.group("trend") and match.group("trend") not in _TARGET_TRENDS):
        return None
    op, trend = match.group("op"), match.group("trend")
    return _Reading(
        RuleKind.THRESHOLD_OR_TREND if trend else RuleKind.THRESHOLD,
        ops=(_TARGET_OPS[op],) if op else _BARE_OPS,
        value=float(match.group("value")),
        unit=_unit(match.group("unit")),
        trend=_TARGET_TRENDS[trend] if trend else None,
    )


def _unit(text: str) -> str:
    return _TARGET_UNITS.get(text.strip(), text.strip())


def _disagreements(reading: _Reading, rule: Rule) -> list[str]:
    if reading.kind is not rule.kind:
        return [f"kind 应为 {reading.kind.value}，rule 写的是 {rule.kind.value}"]
    found = []
    if reading.ops and rule.op not in reading.ops:
        found.append(f"比较符应为“{reading.ops[0]}”，rule 写的是“{rule.op}”")
    if reading.value is not None and rule.value is not None and abs(reading.value - rule.value) > 1e-9:
        found.append(f"数值应为 {reading.value:g}，rule 写的是 {rule.value:g}")
    if reading.unit is not None and reading.unit != _unit(rule.unit):
        found.append(f"单位应为“{reading.unit or '（无）'}”，rule 写的是“{rule.unit or '（无）'}”")
    if reading.trend is not None and reading.trend != rule.trend:
        found.append(f"趋势应为“{reading.trend}”，rule 写的是“{rule.trend}”")
    if reading.grade is not None and reading.grade != rule.grade:
        found.append(f"等级应为 {reading.grade}，rule 写的是 {rule.grade}")
    return found


def check_target(src: Source, target: str, rule: Rule, label: str, *, target_line: int, rule_line: int | None = None) -> None:
    """The structured rule must say what the target text says (a rule <= 10 天 on "≥90%" is an error).

    A disagreement is reported at the rule's line (or ``rule_line``); a target outside the grammar is
    a warning at its own line: the pair is then unchecked, not wrong.
    """
    reading = read_target(target)
    if reading is None:
        src.warning(target_line, f"{label}：目标“{target}”的写法无法自动核对", "写成 ≥90%、≤5.6‰或持续降低、逐年下降、不高于近5年平均水平、符合…规划要求、C级、有 之类；确认 rule 与目标一致后可忽略此提示", "target-unchecked")
        return
    found = _disagreements(reading, rule)
    if found:
        src.error(rule_line if rule_line is not None else where_line(rule.where), f"{label}与目标“{target}”不符：{'；'.join(found)}", "改正 rule（或改正 target），使两者说的是同一个要求", "rule-target-mismatch")


def _check_indicator_links(root_diags: list[Diagnostic], items: dict[int, Item], indicators: dict[int, Indicator], lines: Lines, broken: Broken) -> None:
    """items.yml ``indicators`` and indicators.yml ``items`` must name things that exist, and agree."""
    items_src = Source(rel("items.yml"), root_diags)
    ind_src = Source(rel("indicators.yml"), root_diags)
    for item in items.values():
        for number in item.indicators:
            line = lines.get(("item-indicator", item.number, number), where_line(item.where))
            if indicators and number not in indicators and number not in broken.indicators:
                items_src.error(line, f"事项 {item.number} 关联的指标 {number} 在 indicators.yml 中不存在", _nearest_hint(number, indicators) + "检查指标编号（1–56）", "unknown-indicator")
            elif number in indicators and item.number not in indicators[number].items:
                items_src.warning(line, f"事项 {item.number} 关联了指标 {number}，但指标 {number} 的 items 没有列出事项 {item.number}", f"在指标 {number} 的 items 中加上 {item.number}，或从事项中删去", "indicator-link")
    for indicator in indicators.values():
        for number in indicator.items:
            line = lines.get(("indicator-item", indicator.number, number), where_line(indicator.where))
            if items and number not in items and number not in broken.items:
                ind_src.error(line, f"指标 {indicator.number} 所属的事项 {number} 在 items.yml 中不存在", _nearest_hint(number, items) + "检查事项编号（1–45）", "unknown-item")


# --------------------------------------------------------------------------- the whole standard


def load_standard(root: Path, diagnostics: list[Diagnostic], broken: Broken | None = None) -> Standard:
    """Read every file of standards/national/ under ``root``; problems go to ``diagnostics``.

    ``broken`` (optional) receives what was named but not loaded, for the plan's cross-references.
    """
    broken = broken if broken is not None else Broken()
    lines: Lines = {}
    slots = _load_slots(root, diagnostics, broken)
    categories = _load_categories(root, diagnostics, lines, broken)
    items = _load_items(root, diagnostics, lines, broken)
    indicators = _load_indicators(root, diagnostics, lines, broken)
    _load_checklists(root, diagnostics, items, slots, broken)
    if categories or items:
        _check_categories(Source(rel("categories.yml"), diagnostics), categories, items, lines, broken)
    _check_indicator_links(diagnostics, items, indicators, lines, broken)
    return Standard(categories=categories, items=items, indicators=indicators, slots=slots)


def where_line(where: Where | None) -> int:
    return where.line if where else 0
