"""Render the judged archive into site pages: ``render_site(archive) -> {src uri: Markdown}``.

The pages are Markdown for MkDocs (Material), but plain enough for any engine: pipe tables, links to
``.md`` sources (so MkDocs validates them in strict mode), raw HTML only for badges and SVG charts.
Templates live in ``handbook/templates/site``; this module only prepares what they show.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from handbook.model import (
    Archive,
    Cell,
    EvidenceFile,
    Item,
    Kind,
    Status,
    Tally,
    Unit,
)
from handbook.render import charts, context

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "site"
RANKING_SIZE = 5  # units shown at each end of the ranking, as the monthly 通报 do
LATEST_SIZE = 10  # latest submissions on the home page

INDICATOR_VALUES_HINT = "evidence/indicators/values.csv"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("j2",), default=True),
        finalize=context.finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=context.md_escape,
        e=context.md_escape,
        h=context.html_escape,
        size=context.human_size,
        date=context.fmt_date,
        pct=context.fmt_percent,
        years=context.years_label,
        urlpath=context.url_path,
        pclass=context.percent_class,
    )
    env.globals.update(badge=context.badge, Status=Status)
    return env


# --------------------------------------------------------------------------- the page builder


@dataclass
class Site:
    """Indexes over the archive that several pages share (built once per render)."""

    archive: Archive
    files_by_path: dict[str, EvidenceFile] = field(default_factory=dict)
    cells_by_item: dict[int, list[Cell]] = field(default_factory=lambda: defaultdict(list))
    cells_by_owner: dict[str | None, list[Cell]] = field(default_factory=lambda: defaultdict(list))
    files_by_item: dict[int, list[EvidenceFile]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.files_by_path = {f.path: f for f in self.archive.files}
        for cell in self.archive.cells:
            self.cells_by_item[cell.item].append(cell)
            for owner in cell.owners or (cell.owner or cell.unit,):
                self.cells_by_owner[owner].append(cell)
        for f in self.archive.files:
            items = {int(m.split(".")[0]) for m in f.materials if m.split(".")[0].isdigit()}
            if f.item is not None:
                items.add(f.item)
            for number in items:
                self.files_by_item[number].append(f)

    # -- shorthands

    @property
    def project(self):
        return self.archive.project

    @property
    def plan(self):
        return self.archive.project.plan

    @property
    def standard(self):
        return self.archive.project.standard

    def tally_item(self, number: int) -> Tally:
        summary = self.archive.summary
        if summary and number in summary.by_item:
            return summary.by_item[number]
        return _tally(self.cells_by_item.get(number, []))

    def tally_category(self, number: int) -> Tally:
        summary = self.archive.summary
        if summary and number in summary.by_category:
            return summary.by_category[number]
        cat = next(c for c in self.standard.categories if c.number == number)
        return _tally([cell for n in cat.items for cell in self.cells_by_item.get(n, [])])

    def tally_unit(self, name: str) -> Tally:
        summary = self.archive.summary
        if summary and name in summary.by_unit:
            return summary.by_unit[name]
        return _tally(self.cells_by_owner.get(name, []))

    def overall(self) -> Tally:
        summary = self.archive.summary
        return summary.overall if summary else _tally(self.archive.cells)

    def by_unit(self) -> dict[str, Tally]:
        return {name: self.tally_unit(name) for name in self.plan.units}

    # -- links: every page gets a ``link(target_src_uri)`` bound to where it lives

    def linker(self, here: str):
        def link(target: str) -> Markup:
            # Percent-encoded, so nothing in it is Markdown or HTML syntax.
            return Markup(context.url_path(context.relative(target, here)))

        return link

    def unit_ref(self, name: str) -> dict:
        """A unit name as the templates show it: linked when it is a chaseable unit."""
        unit = self.plan.units.get(name)
        return {"name": name, "uri": context.unit_uri(unit) if unit else None}

    def file_view(self, f: EvidenceFile) -> dict:
        served = not f.restricted and context.is_served(f.path)
        material_titles = []
        for mid in f.materials:
            material = self.standard.material(mid)
            material_titles.append({"id": mid, "title": material.title if material else ""})
        return {
            "file": f,
            "title": f.title or f.name,
            "uri": context.evidence_uri(f.path) if served else None,
            "restricted": f.restricted,
            "unserved": not served and not f.restricted,
            "unit": self.unit_ref(f.unit) if f.unit else {"name": f.unit_raw, "uri": None},
            "years": context.years_label(f.years),
            "materials": material_titles,
            # The commit time when git knows it, else the file's modification date.
            "date": f.committed or dt.datetime.fromtimestamp(f.mtime_ns / 1e9).date(),
        }

    def cell_view(self, cell: Cell) -> dict:
        material = self.standard.material(cell.material)
        # The unit column says who supplied it (per-unit cells, or the files' unit) before who leads it.
        suppliers = [self.files_by_path[p].unit for p in cell.files if p in self.files_by_path]
        owner = cell.unit or next((u for u in suppliers if u), None) or cell.owner
        return {
            "cell": cell,
            "material": material,
            "material_title": material.title if material else "",
            "owner": self.unit_ref(owner) if owner else None,
            "files": [self.file_view(self.files_by_path[p]) for p in cell.files if p in self.files_by_path],
        }

    def item_ref(self, number: int) -> dict:
        item = self.standard.items.get(number)
        return {"number": number, "code": f"{number:02d}", "title": item.title if item else "",
                "uri": context.item_uri(number)}


def _tally(cells: list[Cell]) -> Tally:
    tally = Tally()
    for cell in cells:
        tally.add(cell.status)
    return tally


def _open(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.status in (Status.MISSING, Status.OVERDUE)]


def _sort_cells(cells: list[Cell]) -> list[Cell]:
    return sorted(cells, key=lambda c: (c.item, _material_key(c.material), c.year or 0, c.unit or ""))


def _material_key(material_id: str) -> tuple[int, int]:
    try:
        item, k = material_id.split(".")
        return int(item), int(k)
    except ValueError:
        return (0, 0)


def _file_date_key(f: EvidenceFile):
    # The commit time when there is one (git), else the file's modification time.
    if f.committed is not None:
        return f.committed.timestamp()
    return f.mtime_ns / 1e9


# --------------------------------------------------------------------------- pages


def render_site(archive: Archive) -> dict[str, str]:
    """Every generated page of the site, keyed by its src uri (e.g. ``items/01.md``)."""
    site = Site(archive)
    pages: dict[str, str] = {"index.md": _home(site)}
    for category in site.standard.categories:
        pages[context.category_uri(category.number)] = _category(site, category.number)
    for number in sorted(site.standard.items):
        pages[context.item_uri(number)] = _item(site, site.standard.items[number])
    pages["units/index.md"] = _units_index(site)
    for unit in site.plan.units.values():
        pages[context.unit_uri(unit)] = _unit(site, unit)
    pages["missing.md"] = _missing(site)
    pages["problems.md"] = _problems(site)
    pages["indicators.md"] = _indicators(site)
    return pages


def _render(name: str, here: str, site: Site, **values) -> str:
    template = environment().get_template(name)
    return template.render(
        link=site.linker(here),
        plan=site.plan,
        standard=site.standard,
        unit_ref=site.unit_ref,
        item_ref=site.item_ref,
        **values,
    )


def _category_rows(site: Site) -> list[dict]:
    rows = []
    for category in site.standard.categories:
        rows.append({"category": category, "tally": site.tally_category(category.number),
                     "uri": context.category_uri(category.number)})
    return rows


def _home(site: Site) -> str:
    rows = _category_rows(site)
    chart = charts.bar_chart(
        [
            charts.Bar(
                label=f"{r['category'].numeral}、{r['category'].title}",
                percent=r["tally"].percent if r["tally"].required else None,
                note=f"{r['tally'].counts[Status.COLLECTED]}/{r['tally'].required}" if r["tally"].required else "",
            )
            for r in rows
        ],
        title="各类别材料完成率",
    )
    ranking = context.unit_ranking(site.plan, site.by_unit())
    top = ranking[:RANKING_SIZE]
    bottom = list(reversed(ranking[-RANKING_SIZE:])) if len(ranking) > RANKING_SIZE else []
    latest = sorted(site.archive.files, key=_file_date_key, reverse=True)[:LATEST_SIZE]
    stages = [{"stage": s, "state": context.stage_state(s, site.plan.today)} for s in site.plan.stages]
    return _render(
        "home.md.j2", "index.md", site,
        overall=site.overall(),
        chart=chart,
        categories=rows,
        top=top,
        bottom=bottom,
        ranked=len(ranking),
        deadline=context.next_deadline(site.plan),
        latest=[site.file_view(f) for f in latest],
        problem_count=len(site.archive.problem_files),
        stages=stages,
    )


def _category(site: Site, number: int) -> str:
    category = next(c for c in site.standard.categories if c.number == number)
    here = context.category_uri(number)
    items = []
    for n in category.items:
        item = site.standard.items.get(n)
        if item is None:
            continue
        assignment = site.plan.assignments.get(n)
        items.append({
            "ref": site.item_ref(n),
            "tally": site.tally_item(n),
            "lead": [site.unit_ref(u) for u in (assignment.lead if assignment else ())],
        })
    return _render("category.md.j2", here, site, category=category, tally=site.tally_category(number),
                   items=items)


def _item(site: Site, item: Item) -> str:
    here = context.item_uri(item.number)
    assignment = site.plan.assignments.get(item.number)
    category = next((c for c in site.standard.categories if c.number == item.category), None)
    cells = _sort_cells(site.cells_by_item.get(item.number, []))
    checklist = []
    for material in item.materials:
        rows = [site.cell_view(c) for c in cells if c.material == material.id]
        checklist.append({"material": material, "rows": rows})
    files = sorted(site.files_by_item.get(item.number, []), key=lambda f: f.path)
    problems = [site.file_view(f) for f in files if f.problems]
    return _render(
        "item.md.j2", here, site,
        item=item,
        category=category,
        assignment=assignment,
        lead=[site.unit_ref(u) for u in (assignment.lead if assignment else ())],
        responsible=[site.unit_ref(u) for u in (assignment.responsible if assignment else ())],
        groups=list(assignment.groups) if assignment else [],
        tally=site.tally_item(item.number),
        checklist=checklist,
        files=[site.file_view(f) for f in files],
        missing=[site.cell_view(c) for c in _open(cells)],
        problems=problems,
        indicators=_indicator_rows(site, item.indicators),
    )


def _indicator_rows(site: Site, numbers) -> list[dict]:
    rows = []
    for number in numbers:
        indicator = site.standard.indicators.get(number)
        if indicator is None:
            continue
        target = indicator.target
        if site.plan.kind is Kind.COUNTY and indicator.county.target:
            target = indicator.county.target
        target = site.plan.indicator_targets.get(number, (target, None))[0]
        applies = result.applies if (result := site.archive.indicators.get(number)) else (
            site.plan.kind is not Kind.COUNTY or indicator.county.applies)
        values = []
        spark = ""
        if result is not None:
            for year in result.years:
                value = result.values.get(year)
                values.append({"year": year, "raw": value.raw if value else "—"})
            spark = charts.sparkline(
                [result.values[y].value if y in result.values else None for y in result.years],
                title=f"{indicator.name} 逐年变化",
            )
        owner = (result.owner if result and result.owner else None) or site.plan.indicator_owners.get(number)
        rows.append({
            "indicator": indicator,
            "target": target,
            "applies": applies,
            "result": result,
            "series": values,
            "spark": spark,
            "owner": site.unit_ref(owner) if owner else None,
        })
    return rows


def _units_index(site: Site) -> str:
    ranking = context.unit_ranking(site.plan, site.by_unit())
    ranked = {row.unit.name for row in ranking}
    idle = [u for u in site.plan.units.values() if u.name not in ranked]
    return _render("units.md.j2", "units/index.md", site, ranking=ranking, idle=idle,
                   idle_refs=[site.unit_ref(u.name) for u in idle])


def _unit(site: Site, unit: Unit) -> str:
    here = context.unit_uri(unit)
    lead, responsible = [], []
    for number in sorted(site.plan.assignments):
        assignment = site.plan.assignments[number]
        if unit.name in assignment.lead:
            lead.append(site.item_ref(number))
        elif unit.name in assignment.responsible:
            responsible.append(site.item_ref(number))
    own_cells = _sort_cells(site.cells_by_owner.get(unit.name, []))
    files = sorted((f for f in site.archive.files if f.unit == unit.name), key=_file_date_key, reverse=True)
    owned = [n for n, owner in sorted(site.plan.indicator_owners.items()) if owner == unit.name]
    return _render(
        "unit.md.j2", here, site,
        unit=unit,
        parent=site.unit_ref(unit.parent) if unit.parent else None,
        tally=site.tally_unit(unit.name),
        lead=lead,
        responsible=responsible,
        missing=[site.cell_view(c) for c in _open(own_cells)],
        review=[site.cell_view(c) for c in own_cells if c.status is Status.REVIEW],
        files=[site.file_view(f) for f in files],
        indicators=_indicator_rows(site, owned),
    )


def _missing(site: Site) -> str:
    groups = []
    for unit in site.plan.units.values():
        cells = _open(_sort_cells(site.cells_by_owner.get(unit.name, [])))
        if cells:
            groups.append({"unit": site.unit_ref(unit.name), "rows": [site.cell_view(c) for c in cells]})
    orphans = _open(_sort_cells([c for owner, cs in site.cells_by_owner.items()
                                 if owner not in site.plan.units for c in cs]))
    total = sum(len(g["rows"]) for g in groups) + len(orphans)
    return _render("missing.md.j2", "missing.md", site, groups=groups,
                   orphans=[site.cell_view(c) for c in orphans], total=total)


def _problems(site: Site) -> str:
    files = sorted(site.archive.problem_files, key=lambda f: f.path)
    return _render(
        "problems.md.j2", "problems.md", site,
        files=[site.file_view(f) for f in files],
        diagnostics=site.project.diagnostics,
        indicator_problems=site.archive.indicator_problems,
    )


def _indicators(site: Site) -> str:
    numbers = sorted(site.standard.indicators)
    return _render(
        "indicators.md.j2", "indicators.md", site,
        has_values=bool(site.archive.indicators),
        rows=_indicator_rows(site, numbers),
        values_hint=INDICATOR_VALUES_HINT,
    )
