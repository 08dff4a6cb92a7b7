"""The long file lists of the site, as bounded pages a phone can open.

At city size (N = 10,000) an item's 已收集文件 and a unit's 已提交文件 tables were most of the generated
Markdown (20,093 rows, 12.4 of 14.1 MB) and made pages of 450–550 KB. Here:

- an item page shows, per material, at most ``FILES_PER_MATERIAL_SHOWN`` files and links to that material's
  own listing page (``items/03/03.1.md``; one page per material, paginated when it is long), never a page
  per evidence file;
- a unit page shows its newest ``FILES_PER_PAGE`` files; the rest are on ``units/<slug>/files-2.md`` …

These pages are written as HTML (render.pages.HTML_TEMPLATES, macros in templates/site/_html.md.j2): no
Markdown runs on them, and MkDocs does not rewrite their links, so the links are made here for the URL the
page is served at (``html_linker``), not for its source file.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from urllib.parse import quote

from handbook.model import EvidenceFile, Item
from handbook.render import context

FILES_PER_MATERIAL_SHOWN = 3  # per material, on the item page; the material's listing page has them all
FILES_PER_PAGE = 100  # rows of one listing page (a material's, a unit's): about 60–80 KB of HTML
OTHERS = "others"  # listing of an item's files that name none of its materials


# --------------------------------------------------------------------------- links inside raw HTML

# Printable non-ASCII text stays as it is in a raw-HTML link (browsers encode it as UTF-8 when they follow
# it): a Chinese path percent-encoded is three times as long, and evidence paths were a third of an item
# page. Whitespace, controls, zero-width and bidi marks, and surrogates are still percent-encoded.
_LITERAL = re.compile(r"[^\x00-\x7f\s\x80-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff0-\uffff]+")


def iri_path(path: str) -> str:
    """``path`` for an ``href``: ASCII percent-encoded as ``url_path`` does, printable non-ASCII kept."""
    parts, start = [], 0
    for run in _LITERAL.finditer(path):
        parts.append(quote(path[start:run.start()], safe="/"))
        parts.append(run.group())
        start = run.end()
    parts.append(quote(path[start:], safe="/"))
    return "".join(parts)



def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """The URL of ``src_uri`` relative to the site root, as MkDocs links it (``items/03.md`` → ``items/03/``).

    A target that is not a page (an evidence file) is served at its own path.
    """
    if not src_uri.endswith(".md"):
        return src_uri
    stem = src_uri[:-3]
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return f"{stem}/"


def _served_folder(src_uri: str, directory_urls: bool) -> str:
    """The folder of the HTML file MkDocs writes for a page: relative links start there."""
    url = page_url(src_uri, directory_urls)
    return url.rstrip("/") if url.endswith("/") or not url else posixpath.dirname(url)


def html_linker(here: str, directory_urls: bool = True):
    """``hlink(target)`` for raw HTML on page ``here``: a percent-encoded URL relative to the served page.

    ``target`` is a src uri, optionally with ``#anchor``. In Markdown, MkDocs turns ``x.md`` links into
    URLs (and checks them); in raw HTML nobody does, so this does what MkDocs would.
    """
    folder = _served_folder(here, directory_urls) or "."
    made: dict[str, str] = {}

    def hlink(target: str) -> context.Markup:
        path, _, fragment = target.partition("#")
        url = made.get(path)
        if url is None:
            served = page_url(path, directory_urls)
            url = posixpath.relpath(served or ".", folder)
            if served.endswith("/") or not served:
                url = "./" if url == "." else f"{url}/"
            url = made[path] = iri_path(url)
        return context.Markup(f"{url}#{iri_path(fragment)}" if fragment else url)

    return hlink


# --------------------------------------------------------------------------- pages of a long list


def chunks(rows: list, size: int = FILES_PER_PAGE) -> list[list]:
    """``rows`` cut into pages of ``size``; an empty list is one empty page."""
    return [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]


def pager(uris: list[str], current: int) -> list[dict]:
    """The page links of a paginated list: number, src uri, and whether it is the page shown."""
    return [{"number": i + 1, "uri": uri, "current": i == current} for i, uri in enumerate(uris)]


def unit_file_uris(unit_uri: str, count: int) -> list[str]:
    """The unit page itself, then ``units/<slug>/files-2.md`` … for ``count`` files."""
    stem = unit_uri[:-3]
    pages = len(chunks(list(range(count))))
    return [unit_uri] + [f"{stem}/files-{k}.md" for k in range(2, pages + 1)]


def material_file_uris(item_number: int, key: str, count: int) -> list[str]:
    """``items/03/03.1.md``, then ``items/03/03.1-2.md`` … (``key`` is a material id or ``OTHERS``)."""
    base = f"items/{item_number:02d}/{key}"
    pages = len(chunks(list(range(count))))
    return [f"{base}.md"] + [f"{base}-{k}.md" for k in range(2, pages + 1)]


def material_groups(item: Item, files: list[EvidenceFile]) -> list[dict]:
    """The item's files by material (the checklist's order); a file naming two of them is under both.

    A file that names none of this item's materials (it sits in the item's folder) is under ``OTHERS``:
    nothing committed is left out of the lists.
    """
    own = {m.id: m for m in item.materials}
    by_key: dict[str, list[EvidenceFile]] = defaultdict(list)
    for f in files:
        for key in dict.fromkeys(m for m in f.materials if m in own) or (OTHERS,):
            by_key[key].append(f)
    groups = []
    for key in [m.id for m in item.materials] + [OTHERS]:
        if key in by_key:
            groups.append({"key": key, "material": own.get(key), "files": by_key[key]})
    return groups


def preview(files: list, shown: int = FILES_PER_MATERIAL_SHOWN) -> tuple[list, int]:
    """The files an item page names for one material (problem files first), and how many it only counts."""
    if len(files) <= shown + 1:  # never "and 1 more": that line would be as long as the file
        return files, 0
    first = sorted(files, key=lambda view: not view["file"].problems)[:shown]
    return first, len(files) - shown
