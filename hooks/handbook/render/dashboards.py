"""The overview pages: home, categories, the missing list and the problems list."""

from __future__ import annotations

from handbook.judge.cells import summarize
from handbook.model import Status
from handbook.render import charts, context, progress
from handbook.render import findings as field_views
from handbook.render import problems as problem_page
from handbook.render.indicators import indicator_category, indicator_table
from handbook.render.pages import render_page
from handbook.render.rows import open_rows
from handbook.render.site import Site, file_date_key, open_cells, tally_cells

RANKING_SIZE = 5  # units shown at each end of the ranking, as the monthly 通报 do
LATEST_SIZE = 10  # latest submissions on the home page


def _category_rows(site: Site) -> list[dict]:
    rows = []
    for category in site.standard.categories:
        rows.append({"category": category, "tally": site.tally_category(category.number),
                     "uri": context.category_uri(category.number)})
    return rows


def home_page(site: Site) -> str:
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
    latest = sorted(site.archive.files, key=file_date_key, reverse=True)[:LATEST_SIZE]
    stages = [{"stage": s, "state": context.stage_state(s, site.plan.today)} for s in site.plan.stages]
    return render_page(
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


def category_page(site: Site, number: int) -> str:
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
    own = [n for n, ind in sorted(site.standard.indicators.items()) if indicator_category(site, ind) is category]
    return render_page("category.md.j2", here, site, category=category, tally=site.tally_category(number),
                   items=items, indicators=indicator_table(site, own))


def missing_page(site: Site) -> str:
    groups = []
    for unit in site.plan.units.values():
        cells = open_cells(site.cells_by_owner.get(unit.name, []))
        if cells:
            groups.append({"unit": site.unit_ref(unit.name), "rows": open_rows(site, cells, with_unit=False, unit=unit.name),
                           "tally": tally_cells(cells)})
    orphans = open_cells([c for owner, cs in site.cells_by_owner.items() if owner not in site.plan.units for c in cs])
    overall = site.overall()
    return render_page(
        "missing.md.j2", "missing.md", site,
        groups=groups,
        orphans=open_rows(site, orphans, with_unit=True),
        # Every cell has one owner, so the groups add up to this total.
        total=overall.counts[Status.MISSING] + overall.counts[Status.OVERDUE],
        overdue=overall.counts[Status.OVERDUE],
    )


def problems_page(site: Site) -> str:
    return render_page("problems.md.j2", "problems.md", site,
                       **problem_page.page_values(site, problem_list_uri=site.problem_list_uri))
