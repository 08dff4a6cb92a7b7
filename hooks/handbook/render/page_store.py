"""Converted pages kept on disk between ``mkdocs build`` runs, keyed by everything their HTML depends on.

``mkdocs serve`` already reuses a page's HTML in memory when its Markdown did not change; this is the same
for separate ``mkdocs build`` processes. No MkDocs import here: the plugin hands over plain values.

What a page's HTML depends on: its Markdown (after every other plugin's on_page_markdown), its src uri
(relative links are resolved from it), and the build's context: mkdocs.yml (extensions, use_directory_urls),
the set of pages (a link is rewritten, or reported, according to whether its target exists) and the versions
of MkDocs, Markdown and the theme. ``context_digest`` makes one digest of the context; ``page_key`` adds the
page. A stored page holds the HTML, the table of contents as plain data, the title, the anchor ids and
the page's own links to anchors (so that MkDocs checks them again).

One JSON file per page under ``.cache/handbook/pages/`` (safe to delete: the next build converts again),
written atomically; ``prune`` drops the pages the current build did not use.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT = 1  # bump when what a stored page holds changes
FOLDER = "pages"  # under the cache folder (handbook.pipeline.default_cache_dir)


@dataclass(slots=True)
class StoredPage:
    html: str
    toc: list[dict] = field(default_factory=list)  # [{"title", "id", "level", "children": [...]}]
    title: str | None = None
    anchors: list[str] | None = None  # the page's anchor ids (other pages' links are checked against them)
    # The page's own links to anchors, by target src uri ({"items/03.md": {"m03-1": "../03.md#m03-1"}}):
    # given back to MkDocs so that it checks them again at the end of the build (the target may have changed).
    links: dict[str, dict[str, str]] = field(default_factory=dict)


def context_digest(*parts: str | bytes) -> str:
    """One digest of what every page's conversion depends on (config text, page list, versions …)."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else bytes(part)
        digest.update(len(data).to_bytes(8, "little"))  # so that ("ab", "c") and ("a", "bc") differ
        digest.update(data)
    return digest.hexdigest()


def page_key(markdown: str, src_uri: str, context: str) -> str:
    """The key of one page's conversion: its Markdown, where it lives, and the build's context digest."""
    return context_digest(str(FORMAT), context, src_uri, markdown)


def toc_to_data(toc) -> list[dict]:
    """A table of contents as plain data, from any tree of items with title, id, level and children."""
    return [{"title": str(item.title), "id": str(item.id), "level": int(item.level),
             "children": toc_to_data(getattr(item, "children", []) or [])} for item in toc]


def toc_from_data(data: list[dict], make_item):
    """Rebuild a table of contents: ``make_item(title, id, level)`` makes one entry (MkDocs' AnchorLink).

    Returns the top entries; each entry's ``children`` list is filled in.
    """
    items = []
    for entry in data:
        item = make_item(entry["title"], entry["id"], entry["level"])
        item.children = toc_from_data(entry.get("children", []), make_item)
        items.append(item)
    return items


class PageStore:
    """``get(key)`` / ``put(key, page)`` over one folder; ``prune(used)`` drops everything else."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = Path(cache_dir) / FOLDER
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> StoredPage | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            page = StoredPage(html=data["html"], toc=data["toc"], title=data["title"], anchors=data["anchors"],
                              links=data["links"])
        except (OSError, ValueError, KeyError, TypeError):  # none yet, or damaged: convert again
            self.misses += 1
            return None
        if data.get("format") != FORMAT or not isinstance(page.html, str) or not isinstance(page.toc, list):
            self.misses += 1
            return None
        self.hits += 1
        return page

    def put(self, key: str, page: StoredPage) -> None:
        data = {"format": FORMAT, "html": page.html, "toc": page.toc, "title": page.title,
                "anchors": sorted(page.anchors) if page.anchors is not None else None, "links": page.links}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.folder, prefix=f".{key}.",
                                             suffix=".tmp", delete=False) as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(out.name, self._path(key))
        except OSError as error:  # a full or read-only disk costs the next build time, not this one
            log.debug("page store: could not keep %s: %s", key, error)

    def prune(self, used: set[str]) -> int:
        """Remove stored pages whose key is not in ``used`` (and leftovers of interrupted writes)."""
        removed = 0
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return 0
        for path in entries:
            if path.suffix in (".json", ".tmp") and path.stem not in used:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
