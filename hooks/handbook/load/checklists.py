"""standards/national/checklists.yml: the materials of each of the 45 items, with their time rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from handbook.problems import did_you_mean, listing
from handbook.model import EACH, TIMINGS, Problem, Item, Material, Slot
from handbook.load.fields import Fields, Source, entries, open_data_file
from handbook.load.entries import MAX_ITEM, Broken, dropped, entry_number, nearest_hint, rel, unread, where_line

FORMATS = ("pdf", "ofd", "jpg", "jpeg", "png", "docx", "doc", "xlsx", "xls", "mp4", "zip")
DEFAULT_FORMATS = ("pdf", "ofd")
MATERIAL_ID = re.compile(r"^(\d{2})\.([1-9]\d*)$")


_MATERIAL_FIELDS = ("id", "title", "complete_when", "per_year", "per_unit", "formats", "seal", "slot",
                    "role", "timing", "due", "due_months")
_DUE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")


def load_checklists(root: Path, diagnostics: list[Problem], items: dict[int, Item], slots: dict[str, Slot], broken: Broken) -> None:
    """Attach each checklist's materials to its item; every item needs a checklist numbered 1, 2, 3…"""
    src, top = open_data_file(root, rel("checklists.yml"), diagnostics, ("checklists",))
    if top is None:  # missing or unreadable: that one error is enough, not 45 more
        broken.checklists |= unread(MAX_ITEM)
        return
    listed = entries(top, "checklists")
    numbers = [entry_number(value, "item", MAX_ITEM) for value, _ in listed]
    seen: dict[int, int] = {}
    for index, (value, line) in enumerate(listed):
        if _checklist(src, value, line, index + 1, items, slots, broken, seen) is None:
            broken.checklists |= dropped(numbers, index, MAX_ITEM)
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
            src.error(f.line("item"), f"清单所属的事项 {number} 在 items.yml 中不存在", nearest_hint(number, items) + "检查事项编号（1–45）", "unknown-item")
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
            broken.materials |= {f"{number:02d}.{k}" for k in dropped(ks, index, len(listed))}
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
