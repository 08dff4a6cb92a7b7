"""The /problems/ page, capped: what a department must fix, never a page that grows with every bad file.

A CI run of 20,000 misnamed files (or a 200,000-row table with a bad row each) once made a 50 MB page and a
101 MB search index. The page now lists at most ``PER_UNIT`` files for each unit (files whose unit is not
recognised form one group) and ``FILES_SHOWN`` in all, and at most ``DIAGNOSTICS_SHOWN`` lines of each
diagnostics table; whatever is left out is counted, per unit, with where the whole list is: the downloadable
问题清单 (``handbook.outputs.problem_list``, written by the build) and ``python -m handbook check --evidence``.
Nothing is dropped from the data: only this page is short.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from handbook.model import Archive, Problem, EvidenceFile, Level
from handbook.render import context
from handbook.scan.git import SHALLOW_CODE
from handbook.render.rows import problem_rows

PER_UNIT = 50  # files listed per unit: a unit's liaison sees their own first page of work
FILES_SHOWN = 500  # files listed on the whole page (the units' groups together)
DIAGNOSTICS_SHOWN = 200  # lines of each diagnostics table (standards/plan, indicator tables)
PROBLEM_LIST_URI = "problems/问题文件清单.xlsx"  # the full list, when the build writes and publishes it
CHECK_COMMAND = context.Markup("python -m handbook check --evidence")  # shown in a code span: not escaped
UNKNOWN_UNIT = "（单位无法识别）"


@dataclass(slots=True)
class Omitted:
    """One unit's files left off the page: how many, with how many problems."""

    unit: str
    files: int
    problems: int


@dataclass(slots=True)
class Selection:
    shown: list[EvidenceFile] = field(default_factory=list)
    omitted: list[Omitted] = field(default_factory=list)

    @property
    def omitted_files(self) -> int:
        return sum(o.files for o in self.omitted)


def _unit_key(archive: Archive, file: EvidenceFile) -> str:
    return file.unit if file.unit in archive.project.plan.units else UNKNOWN_UNIT


def select_files(archive: Archive, files: Iterable[EvidenceFile], *, per_unit: int = PER_UNIT,
                 total: int = FILES_SHOWN) -> Selection:
    """The problem files the page lists (by path, at most ``per_unit`` of a unit and ``total`` in all) and,
    per unit in units.yml order (unrecognised last), what is left off."""
    by_unit: dict[str, list[EvidenceFile]] = {}
    for file in sorted(files, key=lambda f: f.path):
        by_unit.setdefault(_unit_key(archive, file), []).append(file)
    order = [*archive.project.plan.units, UNKNOWN_UNIT]
    selection = Selection()
    room = total
    for unit in order:
        group = by_unit.get(unit, [])
        take = min(len(group), per_unit, room)
        selection.shown.extend(group[:take])
        room -= take
        rest = group[take:]
        if rest:
            selection.omitted.append(Omitted(unit, len(rest), sum(len(f.problems) for f in rest)))
    selection.shown.sort(key=lambda f: f.path)
    return selection


def capped(diagnostics: list[Problem], limit: int = DIAGNOSTICS_SHOWN) -> tuple[list[Problem], int]:
    """Errors first, then in the order found: the first ``limit``, and how many more there are."""
    ordered = sorted(diagnostics, key=lambda d: d.level is not Level.ERROR)
    return ordered[:limit], max(0, len(ordered) - limit)


def shallow_notice(archive: Archive) -> Problem | None:
    """The shallow-clone warning, shown at the top of the home and problems pages (not only in the log)."""
    return next((d for d in archive.project.diagnostics if d.code == SHALLOW_CODE), None)


def page_values(site, *, problem_list_uri: str | None = None) -> dict:
    """What problems.md.j2 shows; ``problem_list_uri``: where the full list is published (None: not published)."""
    archive = site.archive
    files = archive.problem_files
    selection = select_files(archive, files)
    diagnostics, more_diagnostics = capped(archive.project.diagnostics)
    indicator_problems, more_indicator = capped(archive.indicator_problems)
    finding_problems, more_findings = capped(archive.finding_problems)
    return {
        "rows": problem_rows(site, selection.shown),
        "file_count": len(files),
        "problem_count": sum(len(f.problems) for f in files),
        "shown_count": len(selection.shown),
        "omitted": [{"unit": site.unit_ref(o.unit) if o.unit != UNKNOWN_UNIT else {"name": o.unit, "uri": None},
                     "files": o.files, "problems": o.problems} for o in selection.omitted],
        "per_unit": PER_UNIT,
        "files_shown": FILES_SHOWN,
        "diagnostics": diagnostics,
        "more_diagnostics": more_diagnostics,
        "indicator_problems": indicator_problems,
        "more_indicator": more_indicator,
        "finding_problems": finding_problems,
        "more_findings": more_findings,
        "problem_list_uri": problem_list_uri,
        "check_command": CHECK_COMMAND,
        "shallow": shallow_notice(archive),
    }
