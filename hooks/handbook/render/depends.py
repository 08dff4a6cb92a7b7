"""Which item and unit pages an archive change touches: the dependency of a page on the archive, as data.

An item page shows the item's cells and the files filed under it (``Site.files_by_item``); a unit page shows
the cells the unit owes or supervises and the files it submitted. So after a change the item and unit pages
to render again are those of the files and cells that differ between the two archives; the dashboards (home,
categories, lists, rankings) count every cell and are rendered every time. ``None`` means "render every page":
something every page may show changed (the plan, the indicators, the findings, the project's diagnostics).
"""

from __future__ import annotations

from dataclasses import dataclass

from handbook.model import Archive, Cell, EvidenceFile


@dataclass(frozen=True)
class Touched:
    items: frozenset[int]
    units: frozenset[str]  # canonical unit names


def touched(old: Archive, new: Archive) -> Touched | None:
    if _shared(old) != _shared(new):
        return None
    items: set[int] = set()
    units: set[str] = set()
    before = {f.path: f for f in old.files}
    after = {f.path: f for f in new.files}
    for path in before.keys() | after.keys():
        was, now = before.get(path), after.get(path)
        if was != now:
            for f in (was, now):
                if f is not None:
                    items |= file_items(f)
                    units.update(u for u in (f.unit,) if u)
    old_cells, new_cells = _cells(old), _cells(new)
    for key in old_cells.keys() | new_cells.keys():
        was_cell, now_cell = old_cells.get(key), new_cells.get(key)
        if was_cell != now_cell:
            for cell in (was_cell, now_cell):
                if cell is not None:
                    items.add(cell.item)
                    units.update(u for u in (cell.owner, *cell.supervisors) if u)
    return Touched(frozenset(items), frozenset(units))


def file_items(f: EvidenceFile) -> set[int]:
    """The items whose page lists the file (as ``Site.files_by_item`` files it)."""
    items = {int(m.split(".")[0]) for m in f.materials if m.split(".")[0].isdigit()}
    if f.item is not None:
        items.add(f.item)
    return items


def _cells(archive: Archive) -> dict[tuple, Cell]:
    return {(c.item, c.material, c.year, c.unit): c for c in archive.cells}


def _shared(archive: Archive) -> tuple:
    """What item and unit pages show besides their own files and cells."""
    project = archive.project
    return (project.plan, project.standard, project.diagnostics, archive.indicators, archive.indicator_problems,
            archive.findings, archive.finding_problems, archive.campaign, archive.recent_commits,
            archive.material_folders)


def pages_of(uris: set[str], only: Touched | None, plan) -> set[str]:
    """Which of a render's page uris a render with ``only`` makes (the touched items' and units' pages, with
    their listing pages, and every page that is neither an item's nor a unit's)."""
    if only is None:
        return set(uris)
    items = {f"items/{n:02d}" for n in only.items}
    units = {f"units/{plan.units[name].slug}" for name in only.units if name in plan.units}

    def made(uri: str) -> bool:
        head, _, rest = uri.partition("/")
        if head not in ("items", "units") or uri == "units/index.md":
            return True
        owner = f"{head}/{rest.split('/')[0].removesuffix('.md')}"
        return owner in (items if head == "items" else units)

    return {uri for uri in uris if made(uri)}
