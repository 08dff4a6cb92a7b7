"""Item pages: the checklist of each material, its files by material, and the per-material listings."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from handbook.model import Cell, EvidenceFile, Item, Status
from handbook.render import context, listings
from handbook.render import findings as field_views
from handbook.render.indicators import indicator_table
from handbook.render.pages import render_page
from handbook.render.rows import chase_rows, problem_rows
from handbook.render.site import Site, sort_cells, tally_cells

# A checklist cell names at most this many files (problem files first); the rest are counted and listed in
# the item's 已收集文件 table. Twenty links in one cell help nobody, and they doubled a large item page.
CELL_FILES_SHOWN = 3
# A material with more cell rows than this (one per unit and year: the papers every member unit owes, 44
# units × 4 years) is summed up on the item page: its counts and the units that still owe it, by status. Its
# full per-unit table is on the material's own page. Item 03's four such tables were 105 of its 249 KB.
CELL_ROWS_SHOWN = 12


def item_pages(site: Site, item: Item) -> dict[str, str]:
    """The item page, and a page (or pages) for each material with more files or cells than it shows."""
    files = sorted(site.files_by_item.get(item.number, []), key=lambda f: f.path)
    cells = _cells_by_material(site, item)
    summed = {m.id for m in item.materials if len(cells[m.id]) > CELL_ROWS_SHOWN}
    file_groups = {g["key"]: g for g in listings.material_groups(item, files)}
    groups, pages, listing = [], {}, {}
    for key in [m.id for m in item.materials] + [listings.OTHERS]:
        group = file_groups.get(key)
        views = [site.file_view(f) for f in group["files"]] if group else []
        shown, more = listings.preview(views)
        if more or key in summed:
            uris = listings.material_file_uris(item.number, key, len(views))
            listing[key] = uris[0]
            rows = [_capped(site.cell_view(c)) for c in _by_unit(site, cells[key])] if key in summed else []
            pages.update(_material_pages(site, item, key, group["material"] if group else item_material(item, key),
                                         uris, views, rows))
        if group:
            groups.append({**group, "files": None, "count": len(views), "shown": shown, "more": more,
                           "uri": listing.get(key) if more else None})
    return {context.item_uri(item.number): _item(site, item, files, cells, groups, listing, summed), **pages}


def item_material(item: Item, key: str):
    return next((m for m in item.materials if m.id == key), None)


def _cells_by_material(site: Site, item: Item) -> dict[str, list[Cell]]:
    by_material: dict[str, list[Cell]] = defaultdict(list)
    for cell in sort_cells(site.cells_by_item.get(item.number, [])):
        by_material[cell.material].append(cell)
    return by_material


def _by_unit(site: Site, cells: list[Cell]) -> list[Cell]:
    """The material page's table reads unit by unit (the plan's order), each unit's years together."""
    order = {name: i for i, name in enumerate(site.plan.units)}
    return sorted(cells, key=lambda c: (order.get(c.owner or "", len(order)), c.owner or "", c.year or 0))


def _material_pages(site: Site, item: Item, key: str, material, uris: list[str], views: list[dict],
                    rows: list[dict]) -> dict[str, str]:
    """A material's own pages: its per-unit cell table (first page, when the item page sums it up), then its
    files, ``listings.FILES_PER_PAGE`` a page."""
    pages = {}
    for index, chunk in enumerate(listings.chunks(views)):
        pages[uris[index]] = render_page("material_files.md.j2", uris[index], site, item=item, key=key,
                                         material=material, count=len(views), files=chunk,
                                         cells=rows if index == 0 else [], cell_count=len(rows), uris_first=uris[0],
                                         pages=listings.pager(uris, index))
    return pages


def _item(site: Site, item: Item, files: list[EvidenceFile], cells: dict[str, list[Cell]], groups: list[dict],
          listing: dict[str, str], summed: set[str]) -> str:
    here = context.item_uri(item.number)
    assignment = site.plan.assignments.get(item.number)
    all_cells = [c for m in cells.values() for c in m]
    checklist = []
    for material in item.materials:
        own = cells[material.id]
        entry: dict[str, Any] = {"material": material, "listing": listing.get(material.id), "rows": None,
                                 "summary": None}
        if material.id in summed:
            entry["summary"] = _summary(site, own)
        else:
            entry["rows"] = [_capped(site.cell_view(c)) for c in own]
        checklist.append(entry)
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
        missing=chase_rows(site, all_cells),
        problems=problem_rows(site, [f for f in files if f.problems]),
        indicators=indicator_table(site, _item_indicators(site, item)),
        field=field_views.item_section(site, item.number),
    )


def _summary(site: Site, cells: list[Cell]) -> dict:
    """A summed-up material: its counts, how many units owe it, and the units with a cell in each open status
    (each unit once per status, in the plan's order); the collected ones are counted, not named."""
    cells = _by_unit(site, cells)
    owners = list(dict.fromkeys(c.owner for c in cells))
    by_status: dict[Status, list] = {}
    for status in (Status.OVERDUE, Status.MISSING, Status.REVIEW):
        names = list(dict.fromkeys(c.owner for c in cells if c.status is status))
        by_status[status] = [site.unit_ref(n) if n else None for n in names]
    return {"tally": tally_cells(cells), "units": len(owners), "cells": len(cells),
            "overdue": by_status[Status.OVERDUE], "missing": by_status[Status.MISSING],
            "review": by_status[Status.REVIEW]}


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
