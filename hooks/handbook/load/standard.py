"""Load standards/national/ (the national 2021 standard) into a ``Standard``.

Each file is read on its own, then cross-checked (categories ↔ items, items ↔ indicators,
materials → slots). Every problem becomes a Problem; whatever is valid is kept, and what is
not is remembered in ``Broken`` so that references to it do not repeat the one real error.
"""


from __future__ import annotations

from pathlib import Path
from typing import Any

from handbook.problems import did_you_mean, listing
from handbook.model import Category, Problem, Item, Kind, Slot, Standard
from handbook.load.fields import Fields, Source, entries, open_data_file
from handbook.load.entries import MAX_CATEGORY, MAX_INDICATOR, MAX_ITEM, Broken, Lines, nearest_hint, numbered, rel, where_line
from handbook.load.checklists import MATERIAL_ID, load_checklists
from handbook.load.indicator_rules import check_indicator_links, check_target, load_indicators, parse_rule, read_target

# The names other modules import from here (the standard as one entry point).
__all__ = ["MATERIAL_ID", "Broken", "check_target", "load_standard", "parse_rule", "read_target", "where_line"]

# --------------------------------------------------------------------------- slots


def _load_slots(root: Path, diagnostics: list[Problem], broken: Broken) -> dict[str, Slot]:
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


def _load_categories(root: Path, diagnostics: list[Problem], lines: Lines, broken: Broken) -> list[Category]:
    src, top = open_data_file(root, rel("categories.yml"), diagnostics, ("categories",))
    build = lambda value, line, index: _category(src, value, line, index, lines)  # noqa: E731
    found = numbered(src, top, "categories", MAX_CATEGORY, build, broken.categories, "分类", "duplicate-category")
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


def _load_items(root: Path, diagnostics: list[Problem], lines: Lines, broken: Broken) -> dict[int, Item]:
    src, top = open_data_file(root, rel("items.yml"), diagnostics, ("items",))
    build = lambda value, line, index: _item(src, value, line, index, lines)  # noqa: E731
    return numbered(src, top, "items", MAX_ITEM, build, broken.items, "事项", "duplicate-item")


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
                fix = nearest_hint(number, [n for n in items if n not in category.items]) + "删去它，或在 items.yml 中补上这个事项"
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


# --------------------------------------------------------------------------- the whole standard


def load_standard(root: Path, diagnostics: list[Problem], broken: Broken | None = None) -> Standard:
    """Read every file of standards/national/ under ``root``; problems go to ``diagnostics``.

    ``broken`` (optional) receives what was named but not loaded, for the plan's cross-references.
    """
    broken = broken if broken is not None else Broken()
    lines: Lines = {}
    slots = _load_slots(root, diagnostics, broken)
    categories = _load_categories(root, diagnostics, lines, broken)
    items = _load_items(root, diagnostics, lines, broken)
    indicators = load_indicators(root, diagnostics, lines, broken)
    load_checklists(root, diagnostics, items, slots, broken)
    if categories or items:
        _check_categories(Source(rel("categories.yml"), diagnostics), categories, items, lines, broken)
    check_indicator_links(diagnostics, items, indicators, lines, broken)
    return Standard(categories=categories, items=items, indicators=indicators, slots=slots)
