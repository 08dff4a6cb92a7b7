"""Judge: derive the status of every required cell from the checklist, the plan and the scanned files.

A cell is (item, material, year if the material is needed every year, unit if every responsible unit
supplies its own). Its status is never typed by anyone: it follows from the files found, the
deadlines, the waivers and the date taken as today.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from handbook.load.suppliers import resolve_obligations
from handbook.judge.timing import deadline_for, fits_year, wrong_year, years_for
from handbook.model import (
    Archive,
    Cell,
    EvidenceFile,
    Level,
    Material,
    Plan,
    Project,
    Status,
    Summary,
    Tally,
    Waiver,
    format_problem,
)

log = logging.getLogger(__name__)

_FileIndex = dict[str, list[EvidenceFile]]


def judge_cells(project: Project, files: Iterable[EvidenceFile]) -> list[Cell]:
    """Every required cell of the standard, in item → material → year → unit order.

    Each cell has exactly one owner: its supplier (``plan.obligations``), or, for a per-unit material,
    the unit the cell is for. The item's leads are recorded as supervisors: they 督促, they do not owe.
    """
    plan = project.plan
    # A project built by hand (tests, other tools) has no obligations yet: decide them as load_project would.
    obligations = plan.obligations or resolve_obligations(project.standard, plan, [])
    by_material = _index_by_material(files)
    cells: list[Cell] = []
    for number in sorted(project.standard.items):
        item = project.standard.items[number]
        assignment = plan.assignments.get(number)
        leads = _chaseable(plan, assignment.lead if assignment else ())
        for material in item.materials:
            obligation = obligations.get(material.id)
            owners = obligation.units if obligation else leads[:1]
            per_unit = bool(obligation and obligation.per_unit and owners)
            candidates = by_material.get(material.id, [])
            for year in years_for(material, plan):
                for owner in (owners if per_unit else owners[:1] or (None,)):
                    cells.append(_judge_one(plan, material, year, owner if per_unit else None, owner, leads, candidates))
    return cells


def summarize(archive: Archive) -> Summary:
    """Roll the cells up for the whole city, each item, category, owning unit, year and material.

    Every cell is counted once, for its one owner; the leads that supervise it do not count it.
    """
    categories = {number: item.category for number, item in archive.project.standard.items.items()}
    overall = Tally()
    by_item: dict[int, Tally] = {number: Tally() for number in sorted(categories)}
    by_category: dict[int, Tally] = {c.number: Tally() for c in archive.project.standard.categories}
    by_unit: dict[str, Tally] = {name: Tally() for name in archive.project.plan.units}
    by_year: dict[int, Tally] = {year: Tally() for year in archive.project.plan.window}
    by_material: dict[str, Tally] = {m.id: Tally() for m in archive.project.standard.materials}
    for cell in archive.cells:
        overall.add(cell.status)
        by_item.setdefault(cell.item, Tally()).add(cell.status)
        by_category.setdefault(categories.get(cell.item, 0), Tally()).add(cell.status)
        by_material.setdefault(cell.material, Tally()).add(cell.status)
        if cell.owner:
            by_unit.setdefault(cell.owner, Tally()).add(cell.status)
        if cell.year is not None:
            by_year.setdefault(cell.year, Tally()).add(cell.status)
    return Summary(overall=overall, by_item=by_item, by_category=by_category, by_unit=by_unit, by_year=by_year,
                   by_material=by_material)


# --------------------------------------------------------------------------- one cell


def _judge_one(
    plan: Plan,
    material: Material,
    year: int | None,
    unit: str | None,
    owner: str | None,
    leads: tuple[str, ...],
    candidates: list[EvidenceFile],
) -> Cell:
    cell = Cell(
        item=material.item, material=material.id, year=year, unit=unit, status=Status.MISSING,
        owner=owner, supervisors=tuple(u for u in leads if u != owner),
    )
    waiver = _waiver_for(plan.waivers, material, unit)
    if waiver:
        cell.status, cell.reason = Status.WAIVED, waiver.reason
        return cell
    matching = [f for f in candidates if fits_year(material, f, year, plan) and (unit is None or f.unit == unit)]
    cell.files = [f.path for f in matching]
    good = [f for f in matching if not f.has_error]
    old = wrong_year(material, good, plan)
    if good and not old:
        cell.status = Status.COLLECTED
        return cell
    if matching:
        # Present, but every file has a problem (or is of the wrong year): someone must look before it counts.
        first = next((p for p in matching[0].problems if p.level is Level.ERROR), None)
        reason = format_problem(first, beside=matching[0].path, fix=False) if first else ""
        cell.status, cell.reason = Status.REVIEW, old or reason
        return cell
    cell.deadline = deadline_for(plan, material, year)
    cell.status = Status.OVERDUE if plan.today > cell.deadline else Status.MISSING
    return cell


def _waiver_for(waivers: list[Waiver], material: Material, unit: str | None) -> Waiver | None:
    for waiver in waivers:
        if waiver.material is not None and waiver.material != material.id:
            continue
        if waiver.material is None and waiver.item != material.item:
            continue
        if waiver.unit is not None and waiver.unit != unit:
            continue
        return waiver
    return None


# --------------------------------------------------------------------------- expansion


def _chaseable(plan: Plan, names: tuple[str, ...]) -> tuple[str, ...]:
    """Only units the plan knows as chaseable get cells of their own (groups are shown, not chased)."""
    return tuple(name for name in names if name in plan.units)


def _index_by_material(files: Iterable[EvidenceFile]) -> _FileIndex:
    index: _FileIndex = defaultdict(list)
    for file in files:
        for material_id in file.materials:
            index[material_id].append(file)
    return index
