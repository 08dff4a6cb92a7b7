"""Render the judged archive into site pages: ``render_site(archive) -> {src uri: Markdown}``.

The item and unit pages and their file listings are written straight as HTML inside their ``.md`` file (no
Markdown conversion: render.pages.HTML_TEMPLATES); the dashboards are still Markdown for MkDocs (Material),
plain enough for any engine: pipe tables, links to ``.md`` sources (so MkDocs validates them in strict mode).
Templates live in ``handbook/templates/site``; the modules of this package only prepare what they show:
``site`` (the shared indexes and views), ``pages`` (Jinja and the memo), ``dashboards``, ``items``, ``units``,
``indicators`` and ``rows``.
"""

from __future__ import annotations

from handbook.model import Archive
from handbook.render import briefing, context
from handbook.render import findings as field_views
from handbook.render.depends import Touched
from handbook.render.dashboards import (
    category_page,
    home_page,
    missing_page,
    problems_page,
)
from handbook.render.indicators import indicators_page
from handbook.render.items import item_pages
from handbook.render.pages import PageMemo, environment, render_page
from handbook.render.site import Site
from handbook.render.units import unit_pages, units_index_page

__all__ = ["PageMemo", "Site", "environment", "render_site"]


def render_site(archive: Archive, memo: PageMemo | None = None, *, directory_urls: bool = True,
                photos=None, problem_list_uri: str | None = None, only: Touched | None = None) -> dict[str, str]:
    """Every generated page of the site, keyed by its src uri (e.g. ``items/01.md``).

    With a ``memo`` (handbook.render.memo: ``mkdocs serve`` keeps one in memory, ``mkdocs build`` on disk), a page
    whose inputs are those of the previous render is not rendered again.
    ``directory_urls`` is MkDocs' ``use_directory_urls``: the file tables are raw HTML, whose links MkDocs does
    not rewrite, so they are written for the URLs the pages are served at.

    Besides the pages of the navigation's sections, the result holds the file listings of long lists (a
    material's files, ``items/03/03.1.md``; a unit's older files, ``units/<slug>/files-2.md``): none of them
    belongs in the navigation.

    With ``photos`` (a ``handbook.render.thumbs.Photos``), pages show thumbnails; the engine must then serve
    ``photos.static_files()``. Without it, photos are only named.

    With ``problem_list_uri`` (``handbook.render.problems.PROBLEM_LIST_URI``), the capped /problems/ page links
    the full 问题清单 there; the engine must then publish it (``handbook.outputs.problem_list``).

    With ``only`` (``handbook.render.depends.touched``: the serve preview after an evidence change), the item and
    unit pages are those of the touched items and units only; the dashboards are always there.
    """
    site = Site(archive, memo=memo, directory_urls=directory_urls, photos=photos, problem_list_uri=problem_list_uri)
    if memo is not None:
        memo.begin()
    pages: dict[str, str] = {"index.md": home_page(site)}
    for category in site.standard.categories:
        pages[context.category_uri(category.number)] = category_page(site, category.number)
    for number in sorted(site.standard.items):
        if only is None or number in only.items:
            pages.update(item_pages(site, site.standard.items[number]))
    pages["units/index.md"] = units_index_page(site)
    for unit in site.plan.units.values():
        if only is None or unit.name in only.units:
            pages.update(unit_pages(site, unit))
    pages["missing.md"] = missing_page(site)
    pages["problems.md"] = problems_page(site)
    pages["indicators.md"] = indicators_page(site)
    pages[field_views.FINDINGS_URI] = render_page("findings.md.j2", field_views.FINDINGS_URI, site,
                                              **field_views.findings_page_values(site))
    pages[briefing.BRIEFING_URI] = render_page("briefing.md.j2", briefing.BRIEFING_URI, site,
                                               **briefing.briefing_page_values(site))
    return pages
