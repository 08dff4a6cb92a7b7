"""Rows several pages share: open (missing/overdue) cells grouped by material, and problem rows."""

from __future__ import annotations

from handbook.model import Cell, EvidenceFile, Status, format_problem
from handbook.render.site import Site, open_cells, sort_cells
from handbook.render.upload import upload_view


def open_rows(site: Site, cells: list[Cell], *, with_unit: bool, unit: str | None = None) -> list[dict]:
    """Missing and overdue cells, one row per material (and unit), its years split into late and due;
    each row says where its file goes (folder, name per year, upload page). ``unit``: the page's unit."""
    rows: dict[tuple[str, str | None], dict] = {}
    for cell in open_cells(sort_cells(cells)):
        view = site.cell_view(cell)
        owner = view["owner"] if with_unit else None
        row = rows.setdefault((cell.material, owner["name"] if owner else None), {
            "item": site.item_ref(cell.item),
            "material": cell.material,
            "title": view["material_title"],
            "owner": owner,
            "supplier": cell.unit or (owner["name"] if owner else None) or unit or cell.owner,
            "overdue": [],
            "missing": [],
            "due": [],
            "years": [],
        })
        row["years"].append(cell.year)
        label = str(cell.year) if cell.year else "全周期"
        if cell.status is Status.OVERDUE:
            row["overdue"].append(label)
        else:
            row["missing"].append(label)
            if cell.deadline and cell.deadline not in row["due"]:
                row["due"].append(cell.deadline)
    for row in rows.values():
        row["upload"] = upload_view(site.archive, site.standard.material(row["material"]), row["supplier"], row["years"])
    return list(rows.values())


def problem_rows(site: Site, files: list[EvidenceFile]) -> list[dict]:
    """One row per problem; the file is named on its first row only."""
    rows = []
    for f in files:
        view = site.file_view(f)
        for i, problem in enumerate(f.problems):
            rows.append({"f": view, "first": i == 0, "problem": problem,
                         "message": format_problem(problem, beside=f.path, fix=False)})
    return rows
