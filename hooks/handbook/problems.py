"""Building Problems (``error()``/``warning()``), and ``suggest``: the nearest valid value for a typo.

Every problem reads ``文件:行: 错误: 问题 — 怎么改`` (``handbook.model.format_problem``); the helpers here only
save repetition.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence

from handbook.model import Level, Problem, Where, format_problem

NOWHERE = Where("")  # the place of a problem that has none, for sorting and the export

log = logging.getLogger(__name__)


def error(where: Where, problem: str, fix: str = "", code: str = "") -> Problem:
    return Problem(code, problem, fix, Level.ERROR, where)


def warning(where: Where, problem: str, fix: str = "", code: str = "") -> Problem:
    return Problem(code, problem, fix, Level.WARNING, where)


def _normalise(text: str) -> str:
    # Full-width letters/digits and stray spaces are the commonest "typos" in Chinese input.
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _char_overlap(a: str, b: str) -> float:
    """Order-insensitive similarity: catches swapped characters (市管城局 → 市城管局)."""
    if not a or not b:
        return 0.0
    common = sum(min(a.count(c), b.count(c)) for c in set(a))
    return 2.0 * common / (len(a) + len(b))


def _score(name: str, candidate: str) -> float:
    ratio = difflib.SequenceMatcher(None, name, candidate).ratio()
    return max(ratio, 0.9 * _char_overlap(name, candidate))


# Chinese unit names are 3–8 characters and share 市…局: "市城官局"/"市城管局" scores 0.75 and must
# match, "市教育局"/"市城管局" scores 0.5 and must not; one cutoff between serves every length.
CUTOFF = 0.6

# Item numbers ("45") and material ids ("03.9") are compared as numbers: by characters "03.9" would
# be nearest to "09.3", which belongs to another item.
_NUMBER = re.compile(r"^\d{1,3}$")
_MATERIAL_ID = re.compile(r"^(\d{1,3})\.(\d{1,3})$")


def nearest_number(number: int, candidates: Iterable[int]) -> int | None:
    """The candidate closest to ``number``; a tie goes to the smaller one."""
    values = sorted(set(candidates))
    return min(values, key=lambda c: (abs(c - number), c)) if values else None


def nearest_material(material_id: str, candidates: Iterable[str]) -> str | None:
    """The id of the *same* item nearest by number ("26.7" → "26.5"), or None when the item has none."""
    wanted = _MATERIAL_ID.match(material_id.strip())
    if wanted is None:
        return None
    item, k = int(wanted.group(1)), int(wanted.group(2))
    same: dict[int, str] = {}
    for candidate in candidates:
        match = _MATERIAL_ID.match(str(candidate).strip())
        if match and int(match.group(1)) == item:
            same.setdefault(int(match.group(2)), str(candidate))
    nearest = nearest_number(k, same)
    return same[nearest] if nearest is not None else None


def _suggest_number(wanted: str, options: Sequence[str]) -> str | None:
    if _MATERIAL_ID.match(wanted):
        return nearest_material(wanted, options)
    by_number = {int(o): o for o in reversed(options) if _NUMBER.match(o.strip())}
    nearest = nearest_number(int(wanted), by_number)
    return by_number[nearest] if nearest is not None else None


def suggest(name: object, candidates: Iterable[object]) -> str | None:
    """The candidate nearest to ``name`` (a likely typo), or None when nothing is close.

    Comparison ignores full-width/half-width differences, spaces and case; ties go to the
    candidate listed first, so the answer is deterministic. Numbers and ``NN.K`` material ids
    are compared by number (see ``nearest_material``).
    """
    wanted = _normalise(str(name))
    if not wanted:
        return None
    options: Sequence[str] = list(dict.fromkeys(str(c) for c in candidates))
    if _NUMBER.match(wanted) or _MATERIAL_ID.match(wanted):
        return _suggest_number(wanted, options)
    best: str | None = None
    best_score = 0.0
    for option in options:
        norm = _normalise(option)
        if norm == wanted:
            return option
        score = _score(wanted, norm)
        if score > best_score:
            best, best_score = option, score
    return best if best is not None and best_score >= CUTOFF else None


def did_you_mean(name: object, candidates: Iterable[object], *, fallback: str = "") -> str:
    """A ``fix`` text: "改为“X”？" when a near value exists, else ``fallback``."""
    nearest = suggest(name, candidates)
    if nearest is not None:
        return f"是否应为“{nearest}”？"
    return fallback


def listing(values: Iterable[object], limit: int = 12) -> str:
    """A short, readable list of valid values for a fix text."""
    items = [str(v) for v in values]
    shown = "、".join(items[:limit])
    return f"{shown} 等 {len(items)} 个" if len(items) > limit else shown


def sort_key(problem: Problem) -> tuple[int, str, int]:
    """Errors before warnings, then by file and line: the order people fix things in."""
    place = problem.place or NOWHERE
    return (0 if problem.level is Level.ERROR else 1, place.file, place.line)


def as_dict(problem: Problem) -> dict:
    """The JSON export's ``diagnostics[]`` entry (docs/schema.md)."""
    place = problem.place or NOWHERE
    return {
        "level": problem.level.name.lower(),
        "file": place.file,
        "line": place.line,
        "problem": problem.message,
        "fix": problem.fix,
        "code": problem.code,
        "text": format_problem(problem),
    }
