"""Names that only a case-sensitive, normalisation-blind file system keeps apart.

Linux (and git) keep ``计划A.pdf`` and ``计划a.pdf``, or ``café`` written as one character (NFC) and as
``e`` + accent (NFD), as two files. A Windows or macOS clone folds them into one: one file silently replaces
the other. Each of the two is warned, naming the other, so a department can rename before that happens.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from handbook.model import EvidenceFile, Level, Problem

CODE = "name-clash"


def folded(path: str) -> str:
    """What Windows and macOS compare: the same characters (NFC), case ignored."""
    return unicodedata.normalize("NFC", path).casefold()


def _how(a: str, b: str) -> str:
    if unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b):
        return "只是 Unicode 组合方式不同（NFC/NFD，看起来完全一样）"
    return "只差大小写"


def add_clash_problems(files: list[EvidenceFile]) -> None:
    """Warn on every file whose path folds to the same as another's (in place)."""
    groups: dict[str, list[EvidenceFile]] = defaultdict(list)
    for file in files:
        groups[folded(file.path)].append(file)
    for group in groups.values():
        if len(group) < 2:
            continue
        for file in group:
            others = [o for o in group if o is not file]
            said = "、".join(f"“{o.path}”（{_how(file.path, o.path)}）" for o in others)
            file.problems.append(Problem(
                CODE, f"与 {said}在 Windows 和 macOS 上是同一个名字，在那里检出时只会剩下一个",
                "给其中一个改一个明显不同的名字（或删除重复的那个）", Level.WARNING))
