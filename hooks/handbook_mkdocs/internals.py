"""Every touch of a private MkDocs or Material internal, in one place.

Checked against mkdocs 1.6.1 and mkdocs-material 9.8.1 (both frozen: MkDocs 1.x ends at 1.6.1, Material is in
maintenance until 2027-05-05). ``missing_internals()`` names what moved; tests/test_mkdocs_internals.py fails
on it, so an upgrade that moves one is caught by the tests, not by a city's preview. Each touch degrades to
MkDocs' own behaviour when its internal is absent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

MKDOCS_CHECKED = "1.6.1"
MATERIAL_CHECKED = "9.8.1"


def missing_internals() -> list[str]:
    """The internals this module relies on that the installed MkDocs or Material no longer has."""
    from material.plugins.search.plugin import SearchIndex
    from mkdocs.livereload import LiveReloadServer

    missing = []
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=".")
    for name in ("_watched_paths", "observer"):
        if not hasattr(server, name):
            missing.append(f"mkdocs.livereload.LiveReloadServer.{name}")
    if "_title_from_render" not in Page.__init__.__code__.co_names:  # set on the instance in Page.__init__
        missing.append("mkdocs.structure.pages.Page._title_from_render")
    if not hasattr(SearchIndex, "add_entry_from_context"):
        missing.append("material.plugins.search.plugin.SearchIndex.add_entry_from_context")
    return missing


# --------------------------------------------------------------------------- privacy plugin


def switch_off_privacy_scan(config: MkDocsConfig) -> None:
    """With ``assets_fetch: false`` Material's privacy plugin only warns about outside URLs (strict builds fail
    on them); the HTML is the same without it. In the preview it would parse every page again per rebuild."""
    privacy = config.plugins.get("material/privacy") or config.plugins.get("privacy")
    settings = getattr(privacy, "config", None)
    if settings is not None and not settings.get("assets_fetch", True):
        settings.enabled = False


# --------------------------------------------------------------------------- pages


def page_title_from_render(page: Page) -> str | None:
    return getattr(page, "_title_from_render", None)


def set_page_title_from_render(page: Page, title: str | None) -> None:
    # A page whose conversion is reused must keep the title MkDocs found in its first heading.
    if hasattr(page, "_title_from_render"):
        page._title_from_render = title


# --------------------------------------------------------------------------- live-reload server


def use_native_observer(server: Any) -> bool:
    """Move MkDocs' polling watches to watchdog's native observer (inotify …); False when not possible."""
    watched = getattr(server, "_watched_paths", None)
    observer = getattr(server, "observer", None)
    if not isinstance(watched, dict) or observer is None or observer.is_alive():
        return False
    from watchdog.observers import Observer

    counts = dict(watched)
    for path, count in counts.items():
        for _ in range(count):
            server.unwatch(path)
    server.observer = Observer()
    for path, count in counts.items():
        for _ in range(count):
            server.watch(path)
    return True


# --------------------------------------------------------------------------- Material's search index


# A section the page marks ``data-search-exclude``: from its heading to the next heading that starts a section.
_EXCLUDED_SECTION = re.compile(r"<h[1-6]\b[^>]*\bdata-search-exclude\b[^>]*>.*?(?=<h[1-6]\b[^>]*\bid=|\Z)", re.S)


def without_excluded_sections(html: str) -> str:
    """The page's HTML without the sections search leaves out anyway (Material still parses them first)."""
    return _EXCLUDED_SECTION.sub("", html) if "data-search-exclude" in html else html


def speed_up_search(config: MkDocsConfig, memo: dict[tuple[str, bytes], list] | None) -> None:
    """Material's search parses every page: skip the excluded sections before it parses; with ``memo`` (serve),
    reuse the entries of pages whose HTML did not change."""
    search = config.plugins.get("material/search") or config.plugins.get("search")
    index = getattr(search, "search_index", None)
    original: Callable[[Page], None] | None = getattr(index, "add_entry_from_context", None)
    if original is None or not isinstance(getattr(index, "entries", None), list):
        return  # another search plugin: leave it alone

    def index_page(page: Page) -> None:
        content = page.content
        page.content = without_excluded_sections(content or "")
        try:
            original(page)
        finally:
            page.content = content

    def add_entry_from_context(page: Page) -> None:
        if memo is None:
            index_page(page)
            return
        key = (page.url, hashlib.sha1((page.content or "").encode("utf-8", "surrogateescape")).digest())
        entries = memo.get(key)
        if entries is None:
            start = len(index.entries)
            index_page(page)
            entries = memo[key] = index.entries[start:]
        else:
            index.entries.extend(entries)

    index.add_entry_from_context = add_entry_from_context
