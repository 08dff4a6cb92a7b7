"""Places in input files, the one problem type and its one formatter, and the keys every stage sorts by."""

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
class Problem:
    """One problem of the project, from the loader, the scan, the judge or the package: how bad (``level``),
    a stable key (``code``: the scan's PROBLEM_CODES or a loader code such as "unknown-unit"), where it is
    (``place``: file and line, kept as data), what is wrong (``message``) and how to fix it (``fix``).

    ``message`` never repeats the place: ``format_problem`` is the one code that puts the place, the level,
    the message and the fix into words, so every view says one problem the same way. The positional order
    (code, message, fix, level) is the scan's; loader code builds problems with ``handbook.problems.error()``
    and ``warning()``.
    """

    code: str
    message: str
    fix: str = ""
    level: Level = Level.ERROR
    place: Where | None = None

    def __str__(self) -> str:
        return format_problem(self)

    # Read-only names of the former ``Diagnostic``, for code written against it (tests, other branches).
    @property
    def where(self) -> Where:
        return self.place if self.place is not None else Where("")

    @property
    def problem(self) -> str:
        return self.message


class Diagnostic(Problem):
    """Compatibility alias: ``Diagnostic(level, where, problem, fix, code)``, the former argument order, returns
    a plain ``Problem`` (so equality, ``dataclasses.replace`` and pickling see one type). Nothing in handbook/
    uses it: new code builds problems with ``handbook.problems.error()``/``warning()``."""

    __slots__ = ()

    def __new__(cls, level: Level, where: Where | None, problem: str, fix: str = "", code: str = "") -> Problem:  # type: ignore[misc]
        return Problem(code, problem, fix, level, where)


SIDECAR_SUFFIXES = (".yml", ".yaml")


def format_problem(problem: Problem, *, beside: str | None = None, fix: bool = True, full_place: bool = False) -> str:
    """The text of ``problem``: the one formatter every view uses.

    ``beside=None`` (the CLI, the logs, the MkDocs warnings, lists of many files):
    ``文件:行: 错误: 问题 — 怎么改``. ``beside=<the file's path>`` (a row or a cell that already shows that
    file and the level): ``问题 — 怎么改``, naming the place only when it is another file
    (``说明文件第 4 行：`` for the file's own sidecar, or its path and line with ``full_place``, for a text
    that someone searches for the file to edit: the CLI check). ``fix=False`` for a view with a column of its own for the fix.
    """
    text = f"{problem.message} — {problem.fix}" if fix and problem.fix else problem.message
    if beside is None:
        where = f"{problem.place}: " if problem.place else ""
        return f"{where}{problem.level.value}: {text}"
    return place_beside(problem.place, beside, full_place=full_place) + text


def place_beside(place: Where | None, beside: str, *, full_place: bool = False) -> str:
    """How to name ``place`` in a view that already shows the file ``beside``: nothing, a line, or its sidecar."""
    if place is None or (place.file == beside and not place.line):
        return ""
    if place.file == beside:
        return f"第 {place.line} 行："
    if is_sidecar_of(place.file, beside) and not full_place:
        return f"说明文件第 {place.line} 行：" if place.line else "说明文件："
    return f"{place}："


def is_sidecar_of(path: str, beside: str) -> bool:
    """``path`` is the sidecar of ``beside`` (``x.pdf`` → ``x.yml`` or ``x.yaml``)."""
    name = beside.rsplit("/", 1)[-1]
    stem = beside[: len(beside) - len(name)] + (name.rsplit(".", 1)[0] if "." in name else name)
    return any(path == stem + suffix for suffix in SIDECAR_SUFFIXES)
