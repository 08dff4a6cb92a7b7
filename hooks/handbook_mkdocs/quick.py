"""The serve preview's quick rebuild: after a change under evidence/ only, rebuild only the pages it changed.

MkDocs 1.6's serve rebuilds everything on every save: it reloads mkdocs.yml, empties the site, copies the
theme's assets, converts and renders every page through the theme, and the plugin re-ran Pagefind. At
N = 1,000 files that was 6 s of which our own pages were a fraction. When only evidence/ changed (the
stamps of mkdocs.yml, docs/, standards/ and the theme are as they were), the quick rebuild instead keeps
the previous build's files, navigation and theme environment and:

1. loads, scans (hash cache: only new or changed files are read) and judges again;
2. renders the dashboards and the item and unit pages of the files and cells that differ from the last
   build's archive (handbook.render.depends), and compares each page's Markdown with the last build's: the
   pages that differ are the pages to rebuild; a change of the page set (a new listing page) falls back to
   the full build;
3. links the new evidence files into the site and unlinks the ones gone;
4. converts and renders through the theme only the pages to rebuild (MkDocs' own ``_populate_page`` and
   ``_build_page``, so every plugin event runs for them as in a full build);
5. rebuilds the Pagefind index in a background thread: the page shows before its search entries do.

Anything else (or any surprise) runs MkDocs' own full rebuild.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files, InclusionLevel

from handbook_mkdocs import internals

if TYPE_CHECKING:
    from handbook_mkdocs.plugin import HandbookPlugin

log = logging.getLogger("mkdocs.plugins.handbook")


@dataclass
class LastBuild:
    """What the quick rebuild reuses from the last complete build of the session."""

    config: MkDocsConfig
    files: Files
    nav: Any
    env: Any
    archive: Any  # handbook.model.Archive the pages were rendered from
    markdown: dict[str, str] = field(default_factory=dict)  # generated src uri → Markdown it was built from
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)  # non-evidence inputs → (size, mtime)


def input_stamps(config: MkDocsConfig, root: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every input that is not evidence: mkdocs.yml, docs/, the project's standards/, the
    watched folders but evidence/, the theme's custom_dir. A stat walk of a few hundred files; any difference
    means a full build."""
    evidence_dir = Path(root) / "evidence"
    roots = [Path(config.config_file_path), Path(config.docs_dir), Path(root) / "standards"]
    roots += [Path(p) for p in config.watch]
    roots += [Path(d) for d in config.theme.dirs if "site-packages" not in d]
    stamps: dict[str, tuple[int, int]] = {}
    evidence = str(evidence_dir.resolve())
    for root in roots:
        if str(root.resolve()) == evidence:
            continue
        _stamp_tree(root, stamps)
    return stamps


def _stamp_tree(root: Path, stamps: dict[str, tuple[int, int]]) -> None:
    try:
        if root.is_file():
            st = root.stat()
            stamps[str(root)] = (st.st_size, st.st_mtime_ns)
            return
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                st = os.stat(path)
                stamps[path] = (st.st_size, st.st_mtime_ns)
    except OSError:
        stamps[str(root)] = (-1, -1)  # unreadable now: never equal to a readable earlier state


def fast_builder(plugin: HandbookPlugin, full: Callable[[], None]) -> Callable[[], None]:
    """The serve loop's builder: the quick rebuild when it applies, else MkDocs' full rebuild."""

    def builder() -> None:
        session = plugin.session
        if session is not None:
            session.wait_for_search()  # never two indexes at once, nor an index of a site being emptied
        if session is not None and session.last is not None:
            try:
                with _no_cycle_collection():
                    if quick_rebuild(plugin):
                        return
            except Exception as exc:  # noqa: BLE001 - the full build below is always right
                log.info(f"快速重建未完成（{type(exc).__name__}: {exc}），改为完整重建")
        if session is not None:
            session.last = None
            _run_pending(session)  # a quick rebuild that gave up may have left its cache's save
        full()

    return builder


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for one quick rebuild. A serve session holds a few million objects (the
    last build's archive, pages, navigation and theme); a rebuild allocates enough to start one or two full
    collections over all of them, 0.1-0.3 s of a 1 s rebuild at N = 10,000. Reference counting still frees
    everything acyclic at once; cycles wait for the next collection, after the page is up."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def quick_rebuild(plugin: HandbookPlugin) -> bool:
    """Rebuild only the pages an evidence change affects; False (nothing written) when a full build is needed."""
    from handbook.render.depends import pages_of, touched
    from handbook_mkdocs.plugin import _Build

    session, last = plugin.session, plugin.session.last if plugin.session else None
    if session is None or last is None:
        return False
    config, files = last.config, last.files
    if input_stamps(config, plugin.settings.root) != last.stamps:
        return False
    plugin.build = _Build()
    plugin.build.quick = True  # input_stamps above covers standards/: the loaded plan still holds
    session.start_build(files, config)
    archive = plugin.archive()
    with plugin.build.phase("render"):
        only = touched(last.archive, archive)  # the item and unit pages to render: those of what differs
        pages = plugin._rendered(archive, config, files, only=only)
        _drop_repeated(files)  # the photos were published again: keep one entry each
    if set(pages) != pages_of(set(last.markdown), only, archive.project.plan):
        return False  # a page appears or goes: the navigation and the page set change
    last.archive = archive
    changed = sorted(uri for uri, text in pages.items() if last.markdown.get(uri) != text)
    with plugin.build.phase("link"):
        _publish_changes(plugin, config, files, archive)
    with plugin.build.phase("pages"):
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
        for uri in changed:
            file = files.get_file_from_path(uri)
            if file is None or file.page is None:
                raise LookupError(uri)
            file.content_string = pages[uri]
            internals.rebuild_page(file.page, config, files, doc_files, last.nav, last.env)
            last.markdown[uri] = pages[uri]
    plugin.build.counts.update(pages_rebuilt=len(changed))
    session.rebuilt = changed
    plugin._write_build_stats(later=session.after_build.append)  # this rebuild's figures, written after the page
    session.search_later(lambda: _in_background(session, lambda: plugin._build_search_index(config)),
                         plugin._write_build_stats)
    log.info(f"快速重建：{len(changed)} 个页面（{', '.join(changed) or '无'}），"
             f"用时 {time.perf_counter() - plugin.build.started:.2f} 秒")
    return True


def _in_background(session, index: Callable[[], None]) -> None:
    """The work the page does not wait for: the scan cache's save and its record of new links, the build's
    figures, then the search index."""
    _run_pending(session)
    index()


def _run_pending(session) -> None:
    pending, session.after_build = session.after_build, []
    for work in pending:
        work()


def _drop_repeated(files: Files) -> None:
    latest = {file.src_uri: file for file in files}
    for file in [f for f in files if latest[f.src_uri] is not f]:
        files.remove(file)


def _publish_changes(plugin: HandbookPlugin, config: MkDocsConfig, files: Files, archive) -> None:
    """Link the evidence files that are new or changed since the last build, unlink the ones gone."""
    from handbook.render.context import evidence_uri, is_published
    from handbook.scan.cache import record_linked
    from handbook_mkdocs.publish import LinkedFile, publish_static

    session = plugin.session
    assert session is not None
    evidence_root = archive.evidence_root or plugin.settings.evidence_dir
    shown = {evidence_uri(e.path): e for e in archive.files if is_published(e)}
    stamps = {uri: (e.size, e.mtime_ns) for uri, e in shown.items()}
    previous = session.evidence_stamps
    site = Path(config.site_dir)
    for uri in previous.keys() - stamps.keys():  # deleted, renamed, or now restricted
        existing = files.get_file_from_path(uri)
        if existing is not None:
            files.remove(existing)
        try:
            os.unlink(site / uri)
        except FileNotFoundError:
            pass
    fresh = [uri for uri, stamp in stamps.items() if previous.get(uri) != stamp]
    for uri in fresh:
        existing = files.get_file_from_path(uri)
        if existing is not None:
            files.remove(existing)
        try:
            os.unlink(site / uri)  # a changed file: link the new bytes
        except FileNotFoundError:
            pass
    linked, copied = publish_static(files, config, [(uri, evidence_root / shown[uri].path) for uri in fresh])
    for uri in fresh:
        file = files.get_file_from_path(uri)
        if isinstance(file, LinkedFile) and not file.linked:
            file.copy_file()
    linked_paths = [shown[uri].path for uri in fresh]
    if linked_paths:  # for the next scan only, which waits for the background work: not on the page's way
        session.after_build.append(lambda: record_linked(plugin.settings.cache_dir, evidence_root, linked_paths))
    session.evidence_stamps = {uri: stamps[uri] for uri in stamps if uri in previous or uri in fresh}
    plugin.build.counts.update(evidence_linked=linked, evidence_copied=copied)


class SearchLater:
    """One background Pagefind run at a time (the serve preview's search box waits a moment for new entries)."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    def start(self, index: Callable[[], None], then: Callable[[], None]) -> None:
        def run() -> None:
            try:
                index()
                then()
            except Exception as exc:  # noqa: BLE001 - a preview's index: said, never fatal
                log.info(f"站内搜索索引未更新（{type(exc).__name__}: {exc}）")

        self._thread = threading.Thread(target=run, name="handbook-search", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
