"""What the files of standards/ share: numbered entries, and the record of what was not loaded.

An entry that cannot be read is remembered in ``Broken`` so that references to it (from items, the plan,
the suppliers) do not repeat the one real error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handbook.problems import nearest_number
from handbook.model import Where
from handbook.load.fields import Source, entries

NATIONAL = "standards/national"
LOCAL = "standards/local"
MAX_CATEGORY, MAX_ITEM, MAX_INDICATOR = 7, 45, 56

# Lines of cross-references (e.g. ("category-item", 1, 3) → line of the 3 in category 1's list),
# kept beside the model so that a broken reference is reported on its own line.
Lines = dict[tuple, int]


def rel(name: str) -> str:
    return f"{NATIONAL}/{name}"


def local(name: str) -> str:
    return f"{LOCAL}/{name}"


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


def entry_number(value: Any, key: str, hi: int) -> int | None:
    """The entry's number if it can be read (an integer 1..hi), else None. Never reports."""
    number = value.get(key) if isinstance(value, dict) else None
    valid = isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= hi
    return number if valid else None


def dropped(numbers: list[int | None], index: int, hi: int) -> set[int]:
    """The number of the dropped entry ``index``, or the numbers it may have meant."""
    own = numbers[index]
    if own is not None:
        return {own}
    before = next((n for n in reversed(numbers[:index]) if n is not None), 0)
    after = next((n for n in numbers[index + 1 :] if n is not None), hi + 1)
    return set(range(before + 1, after))


def unread(hi: int) -> set[int]:
    """Every number, when a file could not be read at all: its error is the only one to report."""
    return set(range(1, hi + 1))


def numbered(src: Source, top: Any, key: str, hi: int, build: Callable[[Any, int, int], Any | None],
              broken: set[int], noun: str, code: str) -> dict[int, Any]:
    """The entries of a numbered list (categories, items, indicators), keyed and sorted by number.

    An entry that cannot be built marks its number (or the numbers it may have meant) as broken, so that
    references to it are not reported again; a repeated number is an error on the later entry.
    """
    if top is None:
        broken |= unread(hi)
    listed = entries(top, key)
    numbers = [entry_number(value, "number", hi) for value, _ in listed]
    found: dict[int, Any] = {}
    for index, (value, line) in enumerate(listed):
        entry = build(value, line, index + 1)
        if entry is None:
            broken |= dropped(numbers, index, hi)
        elif entry.number in found:
            src.error(line, f"{noun}编号 {entry.number} 重复（{found[entry.number].where} 已有）",
                      f"每个{noun}编号只能出现一次；检查是否写错了编号", code)
        else:
            found[entry.number] = entry
    return dict(sorted(found.items()))


def nearest_hint(number: int, valid: Any) -> str:
    nearest = nearest_number(number, valid)
    return f"是否应为 {nearest}？" if nearest is not None and nearest != number else ""


def where_line(where: Where | None) -> int:
    return where.line if where else 0
