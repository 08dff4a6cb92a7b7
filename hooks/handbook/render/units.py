"""Unit pages: the unit index (rankings), each unit's duties, open cells and files, and its older files."""

from __future__ import annotations

from collections import defaultdict

from handbook.model import Cell, Status, Tally, Unit
from handbook.render import context, listings
from handbook.render import findings as field_views
from handbook.render.indicators import indicator_table
from handbook.render.pages import render_page
from handbook.render.rows import chase_rows, open_rows
from handbook.render.site import Site, file_date_key, sort_cells, tally_cells
from handbook.render.upload import worklist_links


def units_index_page(site: Site) -> str:
    groups = context.ranking_groups(site.plan, site.by_unit())
    owing = {row.unit.name for group in groups for row in group["rows"]}
    idle = [u for u in site.plan.units.values() if u.name not in owing]
    return render_page("units.md.j2", "units/index.md", site, groups=groups, idle=idle,
                   idle_refs=[site.unit_ref(u.name) for u in idle], min_ranked=site.plan.min_ranked_cells)


def unit_pages(site: Site, unit: Unit) -> dict[str, str]:
    """The unit page with its newest files, then pages of its older files (newest first)."""
    files = sorted((f for f in site.archive.files if f.unit == unit.name), key=file_date_key, reverse=True)
    views = [site.file_view(f) for f in files]
    uris = listings.unit_file_uris(context.unit_uri(unit), len(views))
    chunks = listings.chunks(views)
    pages = {uris[0]: _unit(site, unit, chunks[0], listings.pager(uris, 0), len(views))}
    for index in range(1, len(chunks)):
        pages[uris[index]] = render_page("unit_files.md.j2", uris[index], site, unit=unit, unit_uri=uris[0],
                                     count=len(views), files=chunks[index], pages=listings.pager(uris, index))
    return pages


def _unit(site: Site, unit: Unit, files: list[dict], file_pages: list[dict], file_count: int) -> str:
    here = context.unit_uri(unit)
    own_cells = sort_cells(site.cells_by_owner.get(unit.name, []))
    owned = [n for n, owner in sorted(site.plan.indicator_owners.items()) if owner == unit.name]
    return render_page(
        "unit.md.j2", here, site,
        unit=unit,
        parent=site.unit_ref(unit.parent) if unit.parent else None,
        tally=site.tally_unit(unit.name),
        duties=_unit_duties(site, unit, own_cells),
        missing=open_rows(site, own_cells, with_unit=False, unit=unit.name),
        review=[site.cell_view(c) for c in own_cells if c.status is Status.REVIEW],
        supervised=chase_rows(site, site.cells_supervised.get(unit.name, [])),
        supervised_tally=tally_cells(site.cells_supervised.get(unit.name, [])),
        files=files,
        file_pages=file_pages,
        file_count=file_count,
        indicators=indicator_table(site, owned),
        worklist=worklist_links(site.archive, unit.name),
        field=field_views.unit_section(site, unit),
    )


def _unit_duties(site: Site, unit: Unit, own_cells: list[Cell]) -> dict:
    """The items a unit leads, takes part in, or owes in without being listed (the papers every member unit
    owes, such as 02.11), each with how far the unit's own cells are."""
    by_item: dict[int, Tally] = defaultdict(Tally)
    for cell in own_cells:
        by_item[cell.item].add(cell.status)
    lead: list[dict] = []
    responsible: list[dict] = []
    unlisted: list[dict] = []
    for number in sorted(site.plan.assignments):
        assignment = site.plan.assignments[number]
        if unit.name in assignment.lead:
            chosen = lead
        elif unit.name in assignment.responsible:
            chosen = responsible
        elif number in by_item:
            chosen = unlisted
        else:
            continue
        chosen.append({"ref": site.item_ref(number), "tally": by_item.get(number)})

    def owes(d: dict) -> bool:
        return bool(d["tally"] and d["tally"].total)

    # Items it leads or takes part in without owing anything itself (the lead compiles; the others' share is
    # in the lead's summary): one line each instead of a table row saying "无".
    return {"lead": [d for d in lead if owes(d)], "responsible": [d for d in responsible if owes(d)],
            "unlisted": unlisted,
            "leading_only": [d["ref"] for d in lead if not owes(d)],
            "helping": [d["ref"] for d in responsible if not owes(d)]}
