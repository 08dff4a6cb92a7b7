"""Render the judged archive into site pages: ``render_site(archive) -> {src uri: Markdown}``.

The pages are Markdown for MkDocs (Material), but plain enough for any engine: pipe tables, links to
``.md`` sources (so MkDocs validates them in strict mode), raw HTML only for badges and SVG charts.
Templates live in ``handbook/templates/site``; this module only prepares what they show.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import pickle
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from handbook.judge.cells import summarize
from handbook.judge.indicators import verdict_label
from handbook.load.effective import needed_years
from handbook.model import (
    Archive,
    Category,
    Cell,
    EvidenceFile,
    Indicator,
    IndicatorResult,
    Item,
    Kind,
    RuleKind,
    Status,
    Tally,
    Unit,
    material_key,
)
from handbook.render import charts, context, listings
from handbook.render.upload import upload_view, worklist_links
from handbook.render import briefing
from handbook.render import findings as field_views
from handbook.render import progress
from handbook.render.thumbs import Photos
from handbook.render import problems as problem_page

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "site"
RANKING_SIZE = 5  # units shown at each end of the ranking, as the monthly 通报 do
LATEST_SIZE = 10  # latest submissions on the home page
# A checklist cell names at most this many files (problem files first); the rest are counted and listed in
# the item's 已收集文件 table. Twenty links in one cell help nobody, and they doubled a large item page.
CELL_FILES_SHOWN = 3

INDICATOR_VALUES_HINT = "evidence/indicators/values.csv"

# The indicator page's groups, the ones needing work first; keys double as CSS classes and anchors.
VERDICT_GROUPS = (("fail", "未达标"), ("nodata", "缺数据"), ("pass", "达标"), ("na", "不适用"))


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
        anchor=context.anchor,
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
    cells_supervised: dict[str, list[Cell]] = field(default_factory=lambda: defaultdict(list))  # lead → cells it 督促
    files_by_item: dict[int, list[EvidenceFile]] = field(default_factory=lambda: defaultdict(list))
    _quoted: dict[str, str] = field(default_factory=dict)  # link target (relative part) → percent-encoded
    has_git: bool = False  # some file has a committer: outside a git checkout the columns are left out
    memo: PageMemo | None = None  # pages of the previous render (mkdocs serve)
    directory_urls: bool = True  # MkDocs' use_directory_urls: where raw-HTML links point (listings.html_linker)
    _file_views: dict[int, dict] = field(default_factory=dict)  # id of an archive file → its view
    _project_digest: str | None = None
    photos: Photos | None = None  # when the engine serves photos, else None
    problem_list_uri: str | None = None  # the full 问题清单 the engine publishes (render.problems), else None

    def __post_init__(self) -> None:
        self.files_by_path = {f.path: f for f in self.archive.files}
        self.has_git = any(f.committer for f in self.archive.files)
        for cell in self.archive.cells:
            self.cells_by_item[cell.item].append(cell)
            self.cells_by_owner[cell.owner].append(cell)  # one owner: every view counts a cell once
            for lead in cell.supervisors:
                self.cells_supervised[lead].append(cell)
        for f in self.archive.files:
            items = {int(m.split(".")[0]) for m in f.materials if m.split(".")[0].isdigit()}
            if f.item is not None:
                items.add(f.item)
            for number in items:
                self.files_by_item[number].append(f)

    def project_digest(self) -> str:
        """What every page depends on besides its own values: the plan and the standard, as data."""
        if self._project_digest is None:
            data = pickle.dumps((self.plan, self.standard), protocol=pickle.HIGHEST_PROTOCOL)
            self._project_digest = hashlib.blake2b(data).hexdigest()
        return self._project_digest

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
        folder = here.split("/")[:-1]
        quoted = self._quoted

        def link(target: str) -> Markup:
            # Percent-encoded, so nothing in it is Markdown or HTML syntax. A page of a large archive has
            # thousands of links: plain src uris take a string fast path (same result as posixpath.relpath).
            parts = target.split("/")
            if "" in parts or "." in parts or ".." in parts:
                return Markup(context.url_path(context.relative(target, here)))
            common = 0
            while common < len(folder) and common < len(parts) and parts[common] == folder[common]:
                common += 1
            rest = "/".join(parts[common:])
            if rest not in quoted:
                quoted[rest] = context.url_path(rest)
            return Markup("/".join([".."] * (len(folder) - common) + ([quoted[rest]] if rest else [])) or ".")

        return link

    def unit_ref(self, name: str) -> dict:
        """A unit name as the templates show it: linked when it is a chaseable unit."""
        unit = self.plan.units.get(name)
        return {"name": name, "uri": context.unit_uri(unit) if unit else None}

    def file_view(self, f: EvidenceFile) -> dict:
        # A file shows on its item page, in its cell and on its unit's page: one view, built once.
        view = self._file_views.get(id(f))
        if view is None:
            view = self._file_views[id(f)] = self._new_file_view(f)
        return view

    def _new_file_view(self, f: EvidenceFile) -> dict:
        served = context.is_published(f)
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
            "meta": context.sidecar_line(f.sidecar),
            # The commit time when git knows it, else the file's modification date.
            "date": f.committed or dt.datetime.fromtimestamp(f.mtime_ns / 1e9).date(),
            "thumb": self.photos.evidence_thumb(f) if self.photos is not None and served else None,
        }

    def cell_view(self, cell: Cell) -> dict:
        material = self.standard.material(cell.material)
        owner = cell.owner  # the one unit that owes it: the same on every page and in every output
        return {
            "cell": cell,
            "material": material,
            "material_title": material.title if material else "",
            "owner": self.unit_ref(owner) if owner else None,
            "files": [self.file_view(self.files_by_path[p]) for p in cell.files if p in self.files_by_path],
            # 待核: the file is already shown next to it, so the reason drops the path it starts with.
            "reason": context.problem_text(cell.reason, cell.files),
        }

    def item_ref(self, number: int) -> dict:
        item = self.standard.items.get(number)
        return {"number": number, "code": f"{number:02d}", "title": item.title if item else "",
                "uri": context.item_uri(number)}

    def category_of(self, number: int) -> Category | None:
        return next((c for c in self.standard.categories if c.number == number), None)

    def source_view(self, text: str) -> dict:
        """An indicator's 来源: a link when it names a published file under evidence/, else the text."""
        path = text.strip().replace("\\", "/").removeprefix("evidence/").lstrip("/")
        f = self.files_by_path.get(path)
        if f is None:
            return {"text": text, "uri": None}
        view = self.file_view(f)
        return {"text": view["title"], "uri": view["uri"]}


def _tally(cells: list[Cell]) -> Tally:
    tally = Tally()
    for cell in cells:
        tally.add(cell.status)
    return tally


def _open(cells: list[Cell]) -> list[Cell]:
    return [c for c in cells if c.status in (Status.MISSING, Status.OVERDUE)]


def _sort_cells(cells: list[Cell]) -> list[Cell]:
    return sorted(cells, key=lambda c: (c.item, material_key(c.material), c.year or 0, c.unit or ""))


def _file_date_key(f: EvidenceFile):
    # The commit time when there is one (git), else the file's modification time.
    if f.committed is not None:
        return f.committed.timestamp()
    return f.mtime_ns / 1e9


# --------------------------------------------------------------------------- pages


class PageMemo:
    """The Markdown of each page, keyed by a digest of everything its template was given.

    Kept across the rebuilds of one ``mkdocs serve`` session: after one new evidence file only the pages whose
    inputs changed (its item, its unit, the dashboards) go through Jinja again. The inputs are dataclasses,
    strings and numbers; their pickle is a faithful copy (equal bytes, equal inputs, equal page) and about
    three times quicker to make than their repr. A page whose inputs cannot be pickled is rendered every time.
    """

    def __init__(self) -> None:
        self._pages: dict[str, tuple[bytes, str]] = {}
        self.rendered = 0
        self.reused = 0

    def page(self, uri: str, inputs: tuple, render) -> str:
        try:
            key = hashlib.blake2b(pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL), digest_size=20).digest()
        except (pickle.PicklingError, TypeError, AttributeError):  # e.g. a lambda among the values
            self.rendered += 1
            return render()
        cached = self._pages.get(uri)
        if cached is not None and cached[0] == key:
            self.reused += 1
            return cached[1]
        markdown = render()
        self._pages[uri] = (key, markdown)
        self.rendered += 1
        return markdown


def render_site(archive: Archive, memo: PageMemo | None = None, *, directory_urls: bool = True,
                photos=None, problem_list_uri: str | None = None) -> dict[str, str]:
    """Every generated page of the site, keyed by its src uri (e.g. ``items/01.md``).

    With a ``memo`` (``mkdocs serve``), a page whose inputs are those of the previous render is not rendered again.
    ``directory_urls`` is MkDocs' ``use_directory_urls``: the file tables are raw HTML, whose links MkDocs does
    not rewrite, so they are written for the URLs the pages are served at.

    Besides the pages of the navigation's sections, the result holds the file listings of long lists (a
    material's files, ``items/03/03.1.md``; a unit's older files, ``units/<slug>/files-2.md``): none of them
    belongs in the navigation.

    With ``photos`` (a ``handbook.render.thumbs.Photos``), pages show thumbnails; the engine must then serve
    ``photos.static_files()``. Without it, photos are only named.

    With ``problem_list_uri`` (``handbook.render.problems.PROBLEM_LIST_URI``), the capped /problems/ page links
    the full 问题清单 there; the engine must then publish it (``handbook.outputs.problem_list``).
    """
    site = Site(archive, memo=memo, directory_urls=directory_urls, photos=photos, problem_list_uri=problem_list_uri)
    pages: dict[str, str] = {"index.md": _home(site)}
    for category in site.standard.categories:
        pages[context.category_uri(category.number)] = _category(site, category.number)
    for number in sorted(site.standard.items):
        pages.update(_item_pages(site, site.standard.items[number]))
    pages["units/index.md"] = _units_index(site)
    for unit in site.plan.units.values():
        pages.update(_unit_pages(site, unit))
    pages["missing.md"] = _missing(site)
    pages["problems.md"] = _problems(site)
    pages["indicators.md"] = _indicators(site)
    pages[field_views.FINDINGS_URI] = _render("findings.md.j2", field_views.FINDINGS_URI, site,
                                              **field_views.findings_page_values(site))
    pages[briefing.BRIEFING_URI] = _render("briefing.md.j2", briefing.BRIEFING_URI, site, **briefing.briefing_page_values(site))
    return pages


def _render(name: str, here: str, site: Site, **values) -> str:
    def render() -> str:
        return environment().get_template(name).render(
            link=site.linker(here),
            hlink=listings.html_linker(here, site.directory_urls),
            plan=site.plan,
            standard=site.standard,
            unit_ref=site.unit_ref,
            item_ref=site.item_ref,
            has_git=site.has_git,
            **values,
        )

    if site.memo is None:
        return render()
    # Besides ``values``, a template reads only the plan and the standard (through the shorthands above).
    return site.memo.page(here, (name, site.project_digest(), site.has_git, site.directory_urls, values), render)


def _category_rows(site: Site) -> list[dict]:
    rows = []
    for category in site.standard.categories:
        rows.append({"category": category, "tally": site.tally_category(category.number),
                     "uri": context.category_uri(category.number)})
    return rows


def _home(site: Site) -> str:
    rows = _category_rows(site)
    bars = [
        charts.Bar(
            label=f"{r['category'].numeral}、{r['category'].title}",
            percent=r["tally"].percent if r["tally"].required else None,
            note=f"{r['tally'].counts[Status.COLLECTED]}/{r['tally'].required}" if r["tally"].required else "",
        )
        for r in rows
    ]
    groups = [_ranking_ends(group) for group in context.ranking_groups(site.plan, site.by_unit())]
    latest = sorted(site.archive.files, key=_file_date_key, reverse=True)[:LATEST_SIZE]
    stages = [{"stage": s, "state": context.stage_state(s, site.plan.today)} for s in site.plan.stages]
    return _render(
        "home.md.j2", "index.md", site,
        overall=site.overall(),
        by_material=_material_completion(site),
        chart=charts.bar_chart(bars, title="各类别材料完成率"),
        chart_narrow=charts.bar_chart_narrow(bars, title="各类别材料完成率"),
        categories=rows,
        ranking_groups=groups,
        min_ranked=site.plan.min_ranked_cells,
        deadline=context.next_deadline(site.plan),
        latest=[site.file_view(f) for f in latest],
        problem_count=len(site.archive.problem_files),
        stages=stages,
        field=field_views.home_section(site),
        curve=progress.progress_curve(site.archive),
        shallow=problem_page.shallow_notice(site.archive),
    )


def _ranking_ends(group: dict) -> dict:
    """A peer group's top and bottom for the home page (bottom worst first; no overlap with the top)."""
    ranked = group["ranked"]
    top = ranked[:RANKING_SIZE]
    bottom = list(reversed(ranked[RANKING_SIZE:]))[:RANKING_SIZE]
    return {**group, "top": top, "bottom": bottom}


def _material_completion(site: Site) -> dict:
    """Completion by material (each material once, its cells averaged) beside the raw cell count."""
    summary = site.archive.summary or summarize(site.archive)
    return {"percent": summary.material_percent, "complete": summary.materials_complete,
            "required": summary.materials_required}


def _category(site: Site, number: int) -> str:
    category = site.category_of(number)
    here = context.category_uri(number)
    items = []
    for n in category.items if category is not None else ():
        item = site.standard.items.get(n)
        if item is None:
            continue
        assignment = site.plan.assignments.get(n)
        items.append({
            "ref": site.item_ref(n),
            "tally": site.tally_item(n),
            "lead": [site.unit_ref(u) for u in (assignment.lead if assignment else ())],
        })
    own = [n for n, ind in sorted(site.standard.indicators.items()) if _indicator_category(site, ind) is category]
    return _render("category.md.j2", here, site, category=category, tally=site.tally_category(number),
                   items=items, indicators=_indicator_table(site, own))


def _item_pages(site: Site, item: Item) -> dict[str, str]:
    """The item page, and a listing page (or pages) for each material with more files than it shows."""
    files = sorted(site.files_by_item.get(item.number, []), key=lambda f: f.path)
    groups, pages = [], {}
    for group in listings.material_groups(item, files):
        views = [site.file_view(f) for f in group["files"]]
        shown, more = listings.preview(views)
        uris = listings.material_file_uris(item.number, group["key"], len(views)) if more else []
        for index, chunk in enumerate(listings.chunks(views) if more else []):
            pages[uris[index]] = _render("material_files.md.j2", uris[index], site, item=item, key=group["key"],
                                         material=group["material"], count=len(views), files=chunk,
                                         pages=listings.pager(uris, index))
        groups.append({**group, "files": None, "count": len(views), "shown": shown, "more": more,
                       "uri": uris[0] if uris else None})
    return {context.item_uri(item.number): _item(site, item, files, groups), **pages}


def _item(site: Site, item: Item, files: list[EvidenceFile], groups: list[dict]) -> str:
    here = context.item_uri(item.number)
    assignment = site.plan.assignments.get(item.number)
    cells = _sort_cells(site.cells_by_item.get(item.number, []))
    listing = {g["key"]: g["uri"] for g in groups}
    checklist = []
    for material in item.materials:
        rows = [_capped(site.cell_view(c)) for c in cells if c.material == material.id]
        checklist.append({"material": material, "rows": rows, "listing": listing.get(material.id)})
    return _render(
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
        missing=_open_rows(site, cells, with_unit=True),
        problems=_problem_rows(site, [f for f in files if f.problems]),
        indicators=_indicator_table(site, _item_indicators(site, item)),
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


# -- indicators


def _indicator_category(site: Site, indicator: Indicator) -> Category | None:
    """The category an indicator is listed under: that of the first of its items."""
    for number in indicator.items:
        item = site.standard.items.get(number)
        if item is not None:
            return site.category_of(item.category)
    return None


def _indicator_view(site: Site, number: int) -> dict | None:
    """One indicator as every page shows it: target, values by year, chart, verdict, owner, sources."""
    indicator = site.standard.indicators.get(number)
    if indicator is None:
        return None
    result = site.archive.indicators.get(number)
    if result is not None:
        name, target, applies, years = result.name or indicator.name, result.target, result.applies, result.years
        key = "na" if not applies else context.VERDICT_CLASS[result.verdict]
        label, reason = verdict_label(result), result.reason
    else:
        county = site.plan.kind is Kind.COUNTY
        name = (indicator.county.name if county else None) or indicator.name
        target = (indicator.county.target if county else None) or indicator.target
        target = site.plan.indicator_targets.get(number, (target, None))[0]
        applies = not county or indicator.county.applies
        years = needed_years(indicator, site.plan.review_year)
        key, label, reason = ("nodata", "缺数据", "未填报") if applies else ("na", "不适用", "")
    owner = (result.owner if result and result.owner else None) or site.plan.indicator_owners.get(number)
    category = _indicator_category(site, indicator)
    return {
        "number": number,
        "name": name,
        "target": target,
        "applies": applies,
        "years": tuple(years),
        "values": _indicator_values(result),
        "spark": _indicator_chart(result, name),
        "key": key,
        "label": label,
        "reason": reason,
        "owner": site.unit_ref(owner) if owner else None,
        "sources": _indicator_sources(site, result),
        "category": {"numeral": category.numeral, "title": category.title,
                     "uri": context.category_uri(category.number)} if category else None,
        "items": [site.item_ref(n) for n in indicator.items],
    }


def _indicator_values(result: IndicatorResult | None) -> dict[int, dict]:
    if result is None:
        return {}
    return {
        year: {"text": context.fmt_indicator_value(value),
               "parts": context.split_indicator_value(value),
               "plan": context.fmt_number(value.plan_value) if value.plan_value is not None else ""}
        for year, value in result.values.items()
    }


def _indicator_chart(result: IndicatorResult | None, name: str) -> str:
    """The years as a sparkline, with the plan values (49–54) or the numeric target dashed behind."""
    if result is None:
        return ""
    series = [result.values[y].value if y in result.values else None for y in result.years]
    plans = [result.values[y].plan_value if y in result.values else None for y in result.years]
    reference = None
    if any(p is not None for p in plans):
        reference = plans
    elif result.rule.kind in (RuleKind.THRESHOLD, RuleKind.THRESHOLD_OR_TREND) and result.rule.value is not None:
        units = {result.values[y].unit for y in result.values}
        if units <= {result.rule.unit, ""}:  # only a target on the same scale as the values
            reference = [result.rule.value] * len(series)
    # The tooltip lists the values (digits and units only: it sits in Markdown, which would read "*" or "_").
    shown = "，".join(f"{y}年 {context.fmt_indicator_value(result.values[y])}" for y in result.years if y in result.values)
    return charts.sparkline(series, reference=reference, title=shown, label=f"{name}逐年数值")


def _indicator_sources(site: Site, result: IndicatorResult | None) -> list[dict]:
    """Distinct 来源 texts; each names its years only when the years have different sources.

    Yearly reports whose titles differ only in the year are shown once, as "登封市××××年…报告".
    """
    if result is None:
        return []
    years_of: dict[str, list[int]] = defaultdict(list)
    for year, value in sorted(result.values.items()):
        if value.source.strip():
            years_of[value.source.strip()].append(year)
    views = {text: site.source_view(text) for text in years_of}
    if len(years_of) > 1 and not any(v["uri"] for v in views.values()):
        shape = context.same_but_year(years_of)
        if shape:
            years = sorted(y for ys in years_of.values() for y in ys)
            return [{"text": shape, "uri": None, "years": "", "each": context.years_label(years)}]
    several = len(years_of) > 1
    return [{**views[text], "years": context.years_label(years) if several else "", "each": ""}
            for text, years in years_of.items()]


def _indicator_table(site: Site, numbers) -> dict:
    """Rows for one indicator table, with one column per year any row needs (38 needs five)."""
    rows = [view for n in numbers if (view := _indicator_view(site, n)) is not None]
    years = sorted({year for row in rows for year in row["years"]})
    for row in rows:
        row["cells"] = [_year_cell(row, year) for year in years]
    return {"rows": rows, "years": years, "has_values": bool(site.archive.indicators)}


def _year_cell(row: dict, year: int) -> dict:
    if year in row["values"]:
        return {"state": "value", **row["values"][year]}
    if year in row["years"] and row["applies"]:
        return {"state": "gap", "text": "", "parts": ("", ""), "plan": ""}  # needed, not filled in
    return {"state": "none", "text": "", "parts": ("", ""), "plan": ""}  # this indicator does not look at that year


def _indicators(site: Site) -> str:
    numbers = sorted(site.standard.indicators)
    table = _indicator_table(site, numbers)
    groups, summary = [], []
    for key, label in VERDICT_GROUPS:
        chosen = [row["number"] for row in table["rows"] if row["key"] == key]
        summary.append({"key": key, "label": label, "count": len(chosen), "numbers": chosen})
        if chosen:
            groups.append({"key": key, "label": label, "table": _indicator_table(site, chosen)})
    by_category = []
    for category in site.standard.categories:
        rows = [row for row in table["rows"] if row["category"] and row["category"]["numeral"] == category.numeral]
        if rows:
            counts = {key: sum(1 for row in rows if row["key"] == key) for key, _ in VERDICT_GROUPS}
            by_category.append({"category": category, "uri": context.category_uri(category.number),
                                "total": len(rows), "counts": counts})
    return _render(
        "indicators.md.j2", "indicators.md", site,
        has_values=bool(site.archive.indicators),
        table=table,
        groups=groups,
        summary=summary,
        by_category=by_category,
        verdict_groups=VERDICT_GROUPS,
        values_hint=INDICATOR_VALUES_HINT,
    )


# -- units


def _units_index(site: Site) -> str:
    groups = context.ranking_groups(site.plan, site.by_unit())
    owing = {row.unit.name for group in groups for row in group["rows"]}
    idle = [u for u in site.plan.units.values() if u.name not in owing]
    return _render("units.md.j2", "units/index.md", site, groups=groups, idle=idle,
                   idle_refs=[site.unit_ref(u.name) for u in idle], min_ranked=site.plan.min_ranked_cells)


def _unit_pages(site: Site, unit: Unit) -> dict[str, str]:
    """The unit page with its newest files, then pages of its older files (newest first)."""
    files = sorted((f for f in site.archive.files if f.unit == unit.name), key=_file_date_key, reverse=True)
    views = [site.file_view(f) for f in files]
    uris = listings.unit_file_uris(context.unit_uri(unit), len(views))
    chunks = listings.chunks(views)
    pages = {uris[0]: _unit(site, unit, chunks[0], listings.pager(uris, 0), len(views))}
    for index in range(1, len(chunks)):
        pages[uris[index]] = _render("unit_files.md.j2", uris[index], site, unit=unit, unit_uri=uris[0],
                                     count=len(views), files=chunks[index], pages=listings.pager(uris, index))
    return pages


def _unit(site: Site, unit: Unit, files: list[dict], file_pages: list[dict], file_count: int) -> str:
    here = context.unit_uri(unit)
    own_cells = _sort_cells(site.cells_by_owner.get(unit.name, []))
    owned = [n for n, owner in sorted(site.plan.indicator_owners.items()) if owner == unit.name]
    return _render(
        "unit.md.j2", here, site,
        unit=unit,
        parent=site.unit_ref(unit.parent) if unit.parent else None,
        tally=site.tally_unit(unit.name),
        duties=_unit_duties(site, unit, own_cells),
        missing=_open_rows(site, own_cells, with_unit=False, unit=unit.name),
        review=[site.cell_view(c) for c in own_cells if c.status is Status.REVIEW],
        supervised=_open_rows(site, site.cells_supervised.get(unit.name, []), with_unit=True),
        supervised_tally=_tally(site.cells_supervised.get(unit.name, [])),
        files=files,
        file_pages=file_pages,
        file_count=file_count,
        indicators=_indicator_table(site, owned),
        worklist=worklist_links(site.archive, unit.name),
        field=field_views.unit_section(site, unit),
    )


def _unit_duties(site: Site, unit: Unit, own_cells: list[Cell]) -> dict:
    """The items a unit leads and those it takes part in, each with how far the unit's own cells are."""
    by_item: dict[int, Tally] = defaultdict(Tally)
    for cell in own_cells:
        by_item[cell.item].add(cell.status)
    lead: list[dict] = []
    responsible: list[dict] = []
    for number in sorted(site.plan.assignments):
        assignment = site.plan.assignments[number]
        if unit.name in assignment.lead:
            chosen = lead
        elif unit.name in assignment.responsible:
            chosen = responsible
        else:
            continue
        chosen.append({"ref": site.item_ref(number), "tally": by_item.get(number)})
    # Items it takes part in without owing anything itself (its share is in the lead's summary): one line.
    owing = [d for d in responsible if d["tally"] and d["tally"].total]
    return {"lead": lead, "responsible": owing,
            "helping": [d["ref"] for d in responsible if not (d["tally"] and d["tally"].total)]}


# -- missing and problems


def _open_rows(site: Site, cells: list[Cell], *, with_unit: bool, unit: str | None = None) -> list[dict]:
    """Missing and overdue cells, one row per material (and unit), its years split into late and due;
    each row says where its file goes (folder, name per year, upload page). ``unit``: the page's unit."""
    rows: dict[tuple[str, str | None], dict] = {}
    for cell in _open(_sort_cells(cells)):
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


def _problem_rows(site: Site, files: list[EvidenceFile]) -> list[dict]:
    """One row per problem; the file is named on its first row only."""
    rows = []
    for f in files:
        view = site.file_view(f)
        for i, problem in enumerate(f.problems):
            rows.append({"f": view, "first": i == 0, "problem": problem,
                         "message": context.problem_text(problem.message, (f.path,))})
    return rows


def _missing(site: Site) -> str:
    groups = []
    for unit in site.plan.units.values():
        cells = _open(site.cells_by_owner.get(unit.name, []))
        if cells:
            groups.append({"unit": site.unit_ref(unit.name), "rows": _open_rows(site, cells, with_unit=False, unit=unit.name),
                           "tally": _tally(cells)})
    orphans = _open([c for owner, cs in site.cells_by_owner.items() if owner not in site.plan.units for c in cs])
    overall = site.overall()
    return _render(
        "missing.md.j2", "missing.md", site,
        groups=groups,
        orphans=_open_rows(site, orphans, with_unit=True),
        # Every cell has one owner, so the groups add up to this total.
        total=overall.counts[Status.MISSING] + overall.counts[Status.OVERDUE],
        overdue=overall.counts[Status.OVERDUE],
    )


def _problems(site: Site) -> str:
    return _render("problems.md.j2", "problems.md", site,
                   **problem_page.page_values(site, problem_list_uri=site.problem_list_uri))
