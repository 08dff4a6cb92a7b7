"""Item pages: the checklist of each material, its files by material, and the per-material listings."""

from __future__ import annotations

from handbook.model import EvidenceFile, Item
from handbook.render import context, listings
from handbook.render import findings as field_views
from handbook.render.indicators import indicator_table
from handbook.render.pages import render_page
from handbook.render.rows import open_rows, problem_rows
from handbook.render.site import Site, sort_cells

# A checklist cell names at most this many files (problem files first); the rest are counted and listed in
# the item's 已收集文件 table. Twenty links in one cell help nobody, and they doubled a large item page.
CELL_FILES_SHOWN = 3


def item_pages(site: Site, item: Item) -> dict[str, str]:
    """The item page, and a listing page (or pages) for each material with more files than it shows."""
    files = sorted(site.files_by_item.get(item.number, []), key=lambda f: f.path)
    groups, pages = [], {}
    for group in listings.material_groups(item, files):
        views = [site.file_view(f) for f in group["files"]]
        shown, more = listings.preview(views)
        uris = listings.material_file_uris(item.number, group["key"], len(views)) if more else []
        for index, chunk in enumerate(listings.chunks(views) if more else []):
            pages[uris[index]] = render_page("material_files.md.j2", uris[index], site, item=item, key=group["key"],
                                         material=group["material"], count=len(views), files=chunk,
                                         pages=listings.pager(uris, index))
        groups.append({**group, "files": None, "count": len(views), "shown": shown, "more": more,
                       "uri": uris[0] if uris else None})
    return {context.item_uri(item.number): _item(site, item, files, groups), **pages}


def _item(site: Site, item: Item, files: list[EvidenceFile], groups: list[dict]) -> str:
    here = context.item_uri(item.number)
    assignment = site.plan.assignments.get(item.number)
    cells = sort_cells(site.cells_by_item.get(item.number, []))
    listing = {g["key"]: g["uri"] for g in groups}
    checklist = []
    for material in item.materials:
        rows = [_capped(site.cell_view(c)) for c in cells if c.material == material.id]
        checklist.append({"material": material, "rows": rows, "listing": listing.get(material.id)})
    return render_page(
        "item.md.j2", here, site,
        item=item,
        category=site.category_of(item.category),
        assignment=assignment,
        lead=[site.unit_ref(u) for u in (assignment.lead if assignment else ())],
        responsible=[site.unit_ref(u) for u in (assignment.responsible if assignment else ())],
        groups=list(assignment.groups) if assignment else [],
        tally=site.tally_item(item.number),
        checklist=checklist,
        file_count=len(files),
        file_groups=groups,
        missing=open_rows(site, cells, with_unit=True),
        problems=problem_rows(site, [f for f in files if f.problems]),
        indicators=indicator_table(site, _item_indicators(site, item)),
        field=field_views.item_section(site, item.number),
    )


def _capped(view: dict) -> dict:
    """A cell view with ``shown`` (the files its cell names) and ``more`` (how many it only counts)."""
    files = view["files"]
    if len(files) <= CELL_FILES_SHOWN + 1:  # never "and 1 more": that line would be as long as the file
        return {**view, "shown": files, "more": 0}
    first = sorted(files, key=lambda v: not v["file"].problems)[:CELL_FILES_SHOWN]
    return {**view, "shown": first, "more": len(files) - CELL_FILES_SHOWN}


def _item_indicators(site: Site, item: Item) -> list[int]:
    """The item's indicators, whichever side of the standard's data names the link."""
    linked = {n for n, indicator in site.standard.indicators.items() if item.number in indicator.items}
    return sorted(set(item.indicators) | linked)
