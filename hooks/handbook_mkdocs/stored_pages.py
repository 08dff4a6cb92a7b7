"""Generated pages converted once and reused by later ``mkdocs build`` runs (handbook.render.page_store on disk).

A generated page whose Markdown, place and build context are those of a stored conversion is not converted
again: the plugin hands MkDocs an empty Markdown (nothing to convert) and puts the stored HTML, table of
contents, title and anchors back on the page, with its links to anchors so that MkDocs still checks them.
Only the pages of ``render_site`` are stored: they are the big ones, and their Markdown is a function of the
archive (a link target they name exists exactly when the archive says so). Hand-written pages can include
other files and are small: they are converted every time.

What the HTML also depends on, the build context: mkdocs.yml (its text and the values a caller overrode:
extensions, use_directory_urls), the set of documentation pages (a link to a page is rewritten only when
the page exists) and the versions of the converters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from handbook.render.page_store import (
    PageStore,
    StoredPage,
    context_digest,
    page_key,
    toc_from_data,
    toc_to_data,
)
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from handbook_mkdocs import internals

CONVERTERS = ("mkdocs", "markdown", "pymdown-extensions", "mkdocs-material")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def build_context(config: MkDocsConfig, files: Files) -> str:
    """One digest of everything but a page's own Markdown and place that its HTML depends on."""
    try:
        config_text = Path(config.config_file_path).read_bytes()
    except (OSError, TypeError):  # a config made in memory: its values below are all there is
        config_text = b""
    overrides = _stable_repr((config.use_directory_urls, config.markdown_extensions, config.mdx_configs,
                              config.validation))
    pages = "\n".join(sorted(f.src_uri for f in files.documentation_pages()))
    return context_digest(config_text, overrides, pages, *(_version(name) for name in CONVERTERS))


def _stable_repr(value) -> str:
    """``repr`` without memory addresses: mkdocs.yml names functions (``!!python/name:`` emoji index, slugify),
    whose repr says where this process put them, and the key must be the same in the next build's process."""
    return _ADDRESS.sub("", repr(value))


def _version(name: str) -> str:
    try:
        return f"{name}={metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name}=none"


@dataclass
class BuildPages:
    """One build's use of the store: which generated pages it converts and which it takes back."""

    store: PageStore
    generated: set[str]  # src uris of the pages render_site made in this build
    context: str | None = None  # computed at the first page: by then every plugin has added its files
    keys: dict[str, str] = field(default_factory=dict)  # src uri → key, for every generated page of this build
    reused: dict[str, StoredPage] = field(default_factory=dict)
    converted: set[str] = field(default_factory=set)

    def markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """The Markdown MkDocs should convert: empty when the stored conversion is this page's."""
        uri = page.file.src_uri
        if uri not in self.generated:
            return markdown
        if self.context is None:
            self.context = build_context(config, files)
        key = self.keys[uri] = page_key(markdown, uri, self.context)
        stored = self.store.get(key)
        if stored is None:
            return markdown
        self.reused[uri] = stored
        return ""

    def content(self, html: str, page: Page, files: Files) -> str:
        """The HTML of the page: the stored one put back, or this conversion stored for the next build."""
        uri = page.file.src_uri
        stored = self.reused.get(uri)
        if stored is not None:
            _restore(page, stored, files)
            return stored.html
        if uri in self.keys:
            self.converted.add(uri)
            self.store.put(self.keys[uri], _to_store(page, html))
        return html

    def finish(self) -> dict[str, int]:
        """Drop the stored pages this build did not use; the counts for the benchmark."""
        self.store.prune(set(self.keys.values()))
        return {"pages_converted": len(self.converted), "pages_reused": len(self.reused)}


def _to_store(page: Page, html: str) -> StoredPage:
    links = {target.src_uri: dict(anchors) for target, anchors in (page.links_to_anchors or {}).items()}
    anchors = sorted(page.present_anchor_ids) if page.present_anchor_ids is not None else None
    return StoredPage(html=html, toc=toc_to_data(page.toc), title=internals.page_title_from_render(page),
                      anchors=anchors, links=links)


def _restore(page: Page, stored: StoredPage, files: Files) -> None:
    page.toc = TableOfContents(toc_from_data(stored.toc, AnchorLink))
    page.present_anchor_ids = set(stored.anchors) if stored.anchors is not None else None
    internals.set_page_title_from_render(page, stored.title)
    links = {}
    for uri, anchors in stored.links.items():
        target = files.get_file_from_path(uri)
        if target is not None:  # the page set is in the key: a missing target means a changed build
            links[target] = dict(anchors)
    page.links_to_anchors = links or None
