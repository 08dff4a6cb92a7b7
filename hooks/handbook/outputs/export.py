"""``export_model``: the whole model as plain JSON-ready data, for other systems.

Documented in docs/schema.md (and hooks/handbook/outputs/schema/handbook.schema.json). Order is
deterministic: things keep the standard's order (numbers, ids), files sort by path, cells by
(item, material, year, unit). Bump ``SCHEMA_VERSION`` on any incompatible change.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from handbook.problems import as_dict as diagnostic_dict
from handbook.model import (
    Archive,
    Cell,
    Finding,
    Category,
    EvidenceFile,
    Indicator,
    IndicatorResult,
    IndicatorValue,
    Item,
    Kind,
    Material,
    Plan,
    Problem,
    Project,
    Sidecar,
    Slot,
    Summary,
    Tally,
    Unit,
    Waiver,
    format_problem,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = "2"  # 2: who owes what (supervisors, material role and time rule), the campaign's findings


def export_model(obj: Project | Archive) -> dict[str, Any]:
    """The JSON export of a Project (standard + plan) or of a judged Archive (also files, cells…)."""
    archive = obj if isinstance(obj, Archive) else None
    project = obj.project if isinstance(obj, Archive) else obj
    data = _project_part(project)
    if archive is not None:
        data["export"] = "archive"
        data["files"] = [_file(f) for f in sorted(archive.files, key=lambda f: f.path)]
        data["cells"] = [_cell(c) for c in sorted(archive.cells, key=_cell_order)]
        data["summary"] = _summary(archive.summary) if archive.summary is not None else None
        _add_indicator_results(data["indicators"], archive.indicators)
        data["diagnostics"] += [diagnostic_dict(d) for d in archive.indicator_problems]
        data["diagnostics"] += [diagnostic_dict(d) for d in archive.finding_problems]
        data["findings"] = [_finding(f) for f in archive.findings]
    return data


def _project_part(project: Project) -> dict[str, Any]:
    plan, standard = project.plan, project.standard
    return {
        "schema_version": SCHEMA_VERSION,
        "export": "project",
        "city": plan.city,
        "kind": plan.kind.value,
        "review_year": plan.review_year,
        "window": list(plan.window),
        "today": _date(plan.today),
        "deadlines": _deadlines(plan),
        "categories": [_category(c) for c in standard.categories],
        "items": [_item(item, plan) for item in standard.items.values()],
        "indicators": [_indicator(i, plan) for i in standard.indicators.values()],
        "units": [_unit(u) for u in plan.units.values()],
        "groups": sorted(plan.groups),
        "slots": [_slot(s, plan.kind) for s in sorted(standard.slots.values(), key=lambda s: s.order)],
        "waivers": [_waiver(w) for w in plan.waivers],
        "diagnostics": [diagnostic_dict(d) for d in project.diagnostics],
    }


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _deadlines(plan: Plan) -> dict[str, Any]:
    return {
        "completed_years": _date(plan.deadline_completed_years),
        "current_year": _date(plan.deadline_current_year),
        "materials": {k: _date(v) for k, v in sorted(plan.material_deadlines.items())},
        "stages": [
            {"name": s.name, "start": _date(s.start), "end": _date(s.end), "description": s.description}
            for s in plan.stages
        ],
    }


def _category(category: Category) -> dict[str, Any]:
    return {"number": category.number, "numeral": category.numeral, "title": category.title, "items": list(category.items)}


def _item(item: Item, plan: Plan) -> dict[str, Any]:
    assignment = plan.assignments.get(item.number)
    return {
        "number": item.number,
        "code": item.code,
        "title": item.title,
        "text": item.text,
        "category": item.category,
        "indicators": list(item.indicators),
        "lead_units": list(assignment.lead) if assignment else [],
        "responsible_units": list(assignment.responsible) if assignment else [],
        "groups": list(assignment.groups) if assignment else [],
        "duty": assignment.duty if assignment else "",
        "materials": [_material(m) for m in item.materials],
    }


def _material(material: Material) -> dict[str, Any]:
    return {
        "id": material.id,
        "title": material.title,
        "complete_when": material.complete_when,
        "per_year": material.per_year,
        "per_unit": material.per_unit,
        "formats": list(material.formats),
        "seal": material.seal,
        "slot": material.slot,
        "role": material.role,  # the field of duty that supplies it ("" = the item's leads)
        "each": material.each,
        "timing": material.time_rule,
        "due": material.due,
        "due_months": material.due_months,
    }


def _indicator(indicator: Indicator, plan: Plan) -> dict[str, Any]:
    """The indicator as it applies to this city: county wording for a 县, local target if overridden."""
    county = plan.kind is Kind.COUNTY
    variant = indicator.county
    name = (variant.name if county and variant.name else None) or indicator.name
    target = (variant.target if county and variant.target else None) or indicator.target
    rule = (variant.rule if county and variant.rule else None) or indicator.rule
    local = plan.indicator_targets.get(indicator.number)
    if local is not None:
        target, rule = local
    return {
        "number": indicator.number,
        "name": name,
        "target": target,
        "target_is_local": local is not None,
        "note": indicator.note,
        "rule": rule.as_dict(),
        "years": indicator.years,
        "items": list(indicator.items),
        "applies": variant.applies if county else True,
        "owner": plan.indicator_owners.get(indicator.number),
    }


def _unit(unit: Unit) -> dict[str, Any]:
    # liaison (a person's name and phone) stays out of the export on purpose.
    return {
        "name": unit.name,
        "slug": unit.slug,
        "full_name": unit.full_name,
        "aliases": list(unit.aliases),
        "kind": unit.kind,
        "parent": unit.parent,
    }


def _slot(slot: Slot, kind: Kind) -> dict[str, Any]:
    return {
        "key": slot.key,
        "title": slot.title_for(kind),
        "national_title": slot.title,
        "county_title": slot.county_title,
        "kinds": [k.value for k in slot.kinds],
        "applies": kind in slot.kinds,
        "order": slot.order,
    }


def _waiver(waiver: Waiver) -> dict[str, Any]:
    return {"item": waiver.item, "material": waiver.material, "unit": waiver.unit, "reason": waiver.reason}


# --------------------------------------------------------------------------- archive parts


def _file(f: EvidenceFile) -> dict[str, Any]:
    return {
        "path": f.path,
        "item": f.item,
        "material": f.material,
        "materials": list(f.materials),
        "years": list(f.years),
        "unit": f.unit,
        "unit_raw": f.unit_raw,
        "title": f.title,
        "size": f.size,
        "sha256": f.sha256,
        "pages": f.pages,
        "filetype": f.filetype,
        "restricted": f.restricted,
        "sidecar": _sidecar(f.sidecar) if f.sidecar else None,
        "committer": f.committer,
        "committed": f.committed.isoformat() if f.committed is not None else None,
        "problems": [_problem(p, f.path) for p in f.problems],
    }


def _sidecar(s: Sidecar) -> dict[str, Any]:
    return {
        "doc_number": s.doc_number,
        "doc_type": s.doc_type,
        "issuer": s.issuer,
        "issued": s.issued.isoformat() if s.issued else None,
        "effective": s.effective.isoformat() if s.effective else None,
        "pages": s.pages,
        "also_for": list(s.also_for),
        "restricted": s.restricted,
        "note": s.note,
    }


def _problem(problem: Problem, path: str) -> dict[str, Any]:
    """Said beside its file (the entry's ``path``): the message names the place only when it is the sidecar."""
    message = format_problem(problem, beside=path, fix=False)
    return {"code": problem.code, "message": message, "fix": problem.fix, "level": problem.level.name.lower()}


def _cell_order(cell: Cell) -> tuple:
    key = tuple(int(part) for part in cell.material.split(".")) if cell.material[:1].isdigit() else (999, 0)
    return (cell.item, key, cell.year or 0, cell.unit or "")


def _cell(cell: Cell) -> dict[str, Any]:
    return {
        "item": cell.item,
        "material": cell.material,
        "year": cell.year,
        "unit": cell.unit,
        "owner": cell.owner,
        "supervisors": list(cell.supervisors),
        "status": cell.status.value,
        "files": list(cell.files),
        "deadline": _date(cell.deadline),
        "reason": cell.reason,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "found": _date(finding.found),
        "source": finding.source,
        "group": finding.group,
        "place": finding.place,
        "item": finding.item,
        "problem": finding.problem,
        "area_unit": finding.area_unit,
        "field_unit": finding.field_unit,
        "deadline": _date(finding.deadline),
        "fixed": _date(finding.fixed),
        "confirmer": finding.confirmer,
        "state": finding.state.value,
        "overdue": finding.overdue,
        "rebound_of": finding.rebound_of,
        "on_time": finding.on_time,
        # Restricted rows keep their photos out of every published output, the export included.
        "photos_before": [] if finding.restricted else list(finding.photos_before),
        "photos_after": [] if finding.restricted else list(finding.photos_after),
        "restricted": finding.restricted,
        "flagged": finding.flagged,
        "where": str(finding.where) if finding.where else None,
    }


def _tallies(tallies: dict[Any, Tally]) -> dict[str, Any]:
    return {str(key): tallies[key].as_dict() for key in sorted(tallies, key=lambda k: (str(type(k)), k))}


def _summary(summary: Summary) -> dict[str, Any]:
    return {
        "overall": summary.overall.as_dict(),
        "by_item": _tallies(summary.by_item),
        "by_category": _tallies(summary.by_category),
        "by_unit": _tallies(summary.by_unit),
        "by_year": _tallies(summary.by_year),
    }


def _value(value: IndicatorValue) -> dict[str, Any]:
    return {
        "year": value.year,
        "value": value.value,
        "raw": value.raw,
        "unit": value.unit,
        "plan_value": value.plan_value,
        "reporter": value.reporter,
        "source": value.source,
        "where": str(value.where) if value.where else None,
    }


def _add_indicator_results(indicators: list[dict[str, Any]], results: dict[int, IndicatorResult]) -> None:
    from handbook.judge.indicators import verdict_label

    for entry in indicators:
        result = results.get(entry["number"])
        if result is None:
            continue
        entry["applies"] = result.applies
        entry["judged_years"] = list(result.years)
        entry["values"] = {str(year): _value(result.values[year]) for year in sorted(result.values)}
        entry["verdict"] = verdict_label(result)
        entry["reason"] = result.reason


def write_export(obj: Project | Archive, path: Path) -> Path:
    """The export as ``path`` (handbook.json beside the site), written atomically."""
    from handbook.util.atomic import write_json

    return write_json(path, export_model(obj))
