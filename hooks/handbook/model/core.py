"""Places in input files, the one message shape, and the keys every stage sorts by."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


# Image kinds: what the scanner detects from content ("jpg", "tif") and the extensions they come under
# ("jpeg", "tiff"). One set for the scanner's checks, the thumbnails, the photo merge and the 卷内目录.
IMAGE_TYPES = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"})
_LAST = (10**6, 10**6)


def material_key(material_id: str | None) -> tuple[int, int]:
    """Sort key of a material id: 03.2 before 03.10; an id that is not NN.K sorts after every real one."""
    item, dot, k = (material_id or "").partition(".")
    if not (dot and item.isdigit() and k.isdigit()):
        return _LAST
    return int(item), int(k)


@dataclass(frozen=True, slots=True)
class Where:
    """A place in an input file. ``line`` is 1-based; 0 means the whole file."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Level(str, Enum):
    ERROR = "错误"
    WARNING = "警告"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding, printed as ``文件:行: 问题 — 怎么改``."""

    level: Level
    where: Where
    problem: str
    fix: str = ""
    code: str = ""  # stable machine key, e.g. "unknown-unit", "duplicate-key"

    def __str__(self) -> str:
        text = f"{self.where}: {self.level.value}: {self.problem}"
        return f"{text} — {self.fix}" if self.fix else text
