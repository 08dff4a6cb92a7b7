"""Rendering one page: the Jinja environment of the site templates, and the memo of pages across rebuilds.

Every page goes through ``render_page``: it binds the page's links to where it lives and, in ``mkdocs serve``,
reuses the previous Markdown when the template gets the same inputs.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from handbook.model import Status
from handbook.render import context, listings

if TYPE_CHECKING:
    from handbook.render.site import Site

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "site"


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


def render_page(name: str, here: str, site: Site, **values) -> str:
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
