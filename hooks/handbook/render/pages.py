"""Rendering one page: the Jinja environments of the site templates, and the memo of pages across rebuilds.

Every page goes through ``render_page``: it binds the page's links to where it lives and, in ``mkdocs serve``,
reuses the previous text when the template gets the same inputs.

The pages of ``HTML_TEMPLATES`` (item, unit and their file listings: at city size nearly all of the site's
bytes) are written straight as HTML: their environment escapes every value with ``html_escape`` and their
``link()`` is the URL the page is served at. They start with ``HTML_MARKER`` after their front matter, so the
MkDocs plugin hands their body to the theme without Python-Markdown (handbook_mkdocs.html_pages); another
engine given the ``.md`` file passes the HTML through (no blank line inside, so each element is one raw
HTML block). The other pages are still Markdown.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from handbook.model import Status
from handbook.render import context, listings
from handbook.render.memo import PageMemo

if TYPE_CHECKING:
    from handbook.render.site import Site

__all__ = ["HTML_MARKER", "HTML_TEMPLATES", "PageMemo", "environment", "is_html_page", "render_page"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "site"
HTML_TEMPLATES = frozenset({"item.md.j2", "material_files.md.j2", "unit.md.j2", "unit_files.md.j2"})
HTML_MARKER = "<!-- handbook: html -->"  # first line after the front matter of a page written as HTML
_BLANK_LINES = re.compile(r"\n[ \t]*(?=\n)")


def is_html_page(text: str) -> bool:
    """Whether a rendered page is one written as HTML (its body, after the front matter, starts with the marker)."""
    return f"\n{HTML_MARKER}\n" in text[:400] or text.startswith(HTML_MARKER)


def environment(html: bool = False) -> Environment:
    """The site templates' environment: Markdown pages (``html=False``) or pages written as HTML. One of each
    per process, so each template is compiled once: ``environment()`` and ``environment(False)`` are the same
    (cached apart, a third environment pushed the HTML one out of a two-entry cache, and every build compiled
    the item and unit templates again: 0.2 s of a quick rebuild at N = 10,000)."""
    return _environment(bool(html))


@lru_cache(maxsize=2)
def _environment(html: bool) -> Environment:
    escape = context.html_escape if html else context.md_escape
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("j2",), default=True),
        finalize=context.finalize_html if html else context.finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=escape,
        e=escape,
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


def render_page(name: str, here: str, site: Site, **values) -> str:
    html = name in HTML_TEMPLATES
    hlink = listings.html_linker(here, site.directory_urls)

    def render() -> str:
        text = environment(html).get_template(name).render(
            link=hlink if html else site.linker(here),
            hlink=hlink,
            html_marker=Markup(HTML_MARKER),
            plan=site.plan,
            standard=site.standard,
            unit_ref=site.unit_ref,
            item_ref=site.item_ref,
            has_git=site.has_git,
            **values,
        )
        return _BLANK_LINES.sub("", text) if html else text

    if site.memo is None:
        return render()
    # Besides ``values``, a template reads only the plan and the standard (through the shorthands above).
    return site.memo.page(here, (name, site.project_digest(), site.has_git, site.directory_urls, values), render)
