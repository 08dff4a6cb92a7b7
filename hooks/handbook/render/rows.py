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


def chase_rows(site: Site, cells: list[Cell]) -> list[dict]:
    """Missing and overdue cells, one row per material: who is late (with the years) and who is still due.

    The item page's 缺失材料 and a lead unit's 督促的材料 chase other units, so a row names each owing unit
    once instead of one row per unit with its folder and file names (those are on the owing unit's own page,
    which each name links to). A material every member unit owes is one row, not 44: that per-unit table
    with the upload column was two thirds of the largest unit pages and of item 03 at N = 10,000.
    """
    rows: dict[str, dict] = {}
    for row in open_rows(site, cells, with_unit=True):
        chased = rows.setdefault(row["material"], {
            "item": row["item"], "material": row["material"], "title": row["title"],
            "overdue": [], "missing": [], "due": [],
            "upload": row["upload"],  # the folder's upload page: the same for every unit of the material
        })
        whole_cycle = row["years"] == [None]  # "全周期" beside every name says nothing the material's tags do not
        if row["overdue"]:
            chased["overdue"].append({"owner": row["owner"], "years": [] if whole_cycle else row["overdue"]})
        if row["missing"]:
            chased["missing"].append({"owner": row["owner"], "years": [] if whole_cycle else row["missing"]})
        chased["due"].extend(d for d in row["due"] if d not in chased["due"])
    for chased in rows.values():
        chased["due"].sort()
    return list(rows.values())
