"""Generated pages written as HTML (handbook.render.pages.HTML_MARKER) handed to the theme without Markdown.

MkDocs converts every page's Markdown in ``Page.render``; a plugin cannot skip that call, so
``on_page_markdown`` keeps the page's HTML and gives MkDocs an empty text to convert (nothing to do), and
``on_page_content`` puts the HTML back with what MkDocs and Material would have taken from the conversion:

- the headings' ids as the ``toc`` extension makes them (the mkdocs.yml slugify, ``_1`` … for repeats; an id
  written by the template is kept), each with the ``¶`` permalink;
- ``page.toc`` from the headings (Material's sidebar; its search plugin splits the page at them);
- the title from the ``<h1>`` (internals.set_page_title_from_render) and the anchor ids, against which MkDocs
  checks other pages' ``page.md#anchor`` links.

A Markdown page's links are checked and rewritten by MkDocs; an HTML page's links were made by the render
layer for the URLs the pages are served at (handbook.render.listings.html_linker).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markdown.extensions.toc import slugify as default_slugify  # type: ignore[import-untyped]
from markdown.extensions.toc import unique
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from handbook.render.pages import HTML_MARKER
from handbook_mkdocs import internals

_HEADING = re.compile(r"<h([1-6])(\s[^>]*)?>(.*?)</h\1>", re.S)
_ID = re.compile(r'\sid="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
_ANCHOR_IDS = re.compile(r'<[a-zA-Z][^>]*?\s(?:id|name)="([^"]*)"')


@dataclass
class HtmlPages:
    """One build's HTML pages: the body of each, by src uri, between on_page_markdown and on_page_content."""

    bodies: dict[str, str] = field(default_factory=dict)

    def take(self, markdown: str, page: Page) -> bool:
        """Keep the page's HTML when it is one of ours; then MkDocs should convert nothing."""
        if not markdown.startswith(HTML_MARKER):
            return False
        self.bodies[page.file.src_uri] = markdown[len(HTML_MARKER):].lstrip("\n")
        return True

    def content(self, page: Page, config: MkDocsConfig) -> str | None:
        """The page's HTML with heading ids and permalinks, and its toc, title and anchors set; None when the
        page is not one of ours."""
        body = self.bodies.pop(page.file.src_uri, None)
        if body is None:
            return None
        body, tokens, title = headings(body, _toc_settings(config))
        page.toc = get_toc(tokens)  # type: ignore[arg-type]  # the toc extension's tokens, as plain dicts
        internals.set_page_title_from_render(page, title)
        page.present_anchor_ids = {html.unescape(a) for a in _ANCHOR_IDS.findall(body)}
        return body


@dataclass(frozen=True)
class TocSettings:
    slugify: object = default_slugify
    separator: str = "-"
    permalink: str | None = None
    permalink_title: str = "Permanent link"
    permalink_class: str = "headerlink"


def _toc_settings(config: MkDocsConfig) -> TocSettings:
    """The ``toc`` extension's settings of mkdocs.yml (slugify and permalink), so ids and ¶ are the same."""
    options = dict(config.mdx_configs.get("toc") or {})
    permalink = options.get("permalink")
    return TocSettings(
        slugify=options.get("slugify") or default_slugify,
        separator=options.get("separator", "-"),
        permalink=("¶" if permalink is True else str(permalink)) if permalink else None,
        permalink_title=options.get("permalink_title", "Permanent link"),
        permalink_class=options.get("permalink_class", "headerlink"),
    )


def headings(body: str, settings: TocSettings) -> tuple[str, list[dict], str | None]:
    """``body`` with an id and permalink on every heading, the toc tokens (nested by level) and the h1 text."""
    used: set[str] = set(_ID.findall(body))  # ids the template wrote stay theirs
    flat: list[dict] = []
    title: str | None = None

    def one(match: re.Match) -> str:
        nonlocal title
        level, attrs, inner = int(match.group(1)), match.group(2) or "", match.group(3)
        name = html.unescape(_TAG.sub("", inner)).strip()
        found = _ID.search(attrs)
        if found:
            anchor = html.unescape(found.group(1))
        else:
            anchor = unique(settings.slugify(name, settings.separator), used)  # type: ignore[operator]
            attrs = f' id="{html.escape(anchor, quote=True)}"{attrs}'
        if level == 1 and title is None:
            title = name
        flat.append({"level": level, "id": anchor, "name": html.escape(name, quote=False), "children": []})
        link = ""
        if settings.permalink:
            link = (f'<a class="{settings.permalink_class}" href="#{html.escape(anchor, quote=True)}" '
                    f'title="{html.escape(settings.permalink_title, quote=True)}">{settings.permalink}</a>')
        return f"<h{level}{attrs}>{inner}{link}</h{level}>"

    body = _HEADING.sub(one, body)
    return body, _nest(flat), title


def _nest(flat: list[dict]) -> list[dict]:
    """Headings in page order → a tree: each heading under the nearest earlier one of a higher level."""
    top: list[dict] = []
    stack: list[dict] = []
    for token in flat:
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else top).append(token)
        stack.append(token)
    return top
