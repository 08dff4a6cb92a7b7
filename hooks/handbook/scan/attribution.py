"""Who committed a file: units.yml maps forge accounts and git author e-mails to units.

A file whose name names no known unit (``IMG_0031.jpg``, ``2024-市城管委-….pdf``) belongs to its committer's
unit: it is listed under that unit in the check, on its page, in its 催报单 and on /changes/, with a warning
that the name should carry the unit (its own errors stay: the name still breaks the contract). A file whose
name names another unit than the committer's is warned: a liaison may hand in for another unit, but more
often the name was copied from someone else's file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from handbook.model import EvidenceFile, Level, Plan, Problem
from handbook.scan import names as fn

# Files that are not evidence (junk, links, stray sidecars): attributed for grouping, never told to rename.
NOT_EVIDENCE = frozenset({"junk-file", "symlink", "not-regular-file", "orphan-sidecar", "unreadable"})
# The name checks' problems: their fixes already give a whole new name (with a unit placeholder when the name
# named none), which now names the committer's unit, so the liaison reads one name, not two.
NAMING = frozenset({"bad-name", "no-year", "bad-year", "unknown-unit"})
PLACEHOLDER = "单位简称"


def attribute_to_committers(files: Iterable[EvidenceFile], plan: Plan) -> None:
    """Set ``committer_unit`` (and ``unit`` when the name has none) on every committed file; add the warnings."""
    for file in files:
        if file.unit:
            file.unit_source = "name"
        if not file.committer:
            continue
        unit = plan.committer_unit(file.committer, file.committer_email)
        file.committer_unit = unit
        if unit is None:
            continue
        if file.unit is None:
            file.unit, file.unit_source = unit, "committer"
            if not any(p.code in NOT_EVIDENCE for p in file.problems):
                _name_the_unit(file, unit)
                file.problems.append(_from_committer(file, unit))
        elif file.unit != unit:
            file.problems.append(_differs(file, unit))


def committer_label(file: EvidenceFile) -> str:
    """The committer as a message names them: the account, and the e-mail when git has one."""
    name = f"“{file.committer}”"
    return f"{name}（{file.committer_email}）" if file.committer_email else name


def _name_the_unit(file: EvidenceFile, unit: str) -> None:
    for index, problem in enumerate(file.problems):
        if problem.code in NAMING and PLACEHOLDER in problem.fix:
            file.problems[index] = replace(problem, fix=problem.fix.replace(PLACEHOLDER, unit))


def _from_committer(file: EvidenceFile, unit: str) -> Problem:
    if any(p.code in NAMING for p in file.problems):
        fix = f"文件名要写明单位：按上面的改法改名，单位写“{unit}”"
    else:
        fix = f"文件名要写明单位，改名为 {suggested_name(file, unit)}"
    return Problem(
        "unit-from-committer",
        f"文件名中没有可识别的单位，按提交人{committer_label(file)}的单位归为“{unit}”",
        fix,
        Level.WARNING,
    )


def _differs(file: EvidenceFile, unit: str) -> Problem:
    return Problem(
        "unit-differs-from-committer",
        f"文件名写的单位是“{file.unit}”，提交人{committer_label(file)}属于“{unit}”",
        f"若是替“{file.unit}”提交的，无需改动；若单位写错了，改名为 {suggested_name(file, unit)}",
        Level.WARNING,
    )


def suggested_name(file: EvidenceFile, unit: str) -> str:
    """The file's name with ``unit`` in the unit's place (a year placeholder when the name has none)."""
    parts = fn.parse_file_name(file.name)
    year = parts.year_raw or "年份"
    # Without a year, "IMG_0031" or "城管局-统计" is read as unit-title; the whole stem is the title then.
    title = (parts.title or parts.stem) if parts.year_raw else parts.stem
    ext = f".{parts.ext_raw}" if parts.ext_raw else ""
    return f"{year}-{unit}-{title}{ext}"
