"""The thin MkDocs hook: wires the handbook pipeline into MkDocs events, nothing more.

on_startup: remember the command (build / serve). on_config: read ``extra.handbook`` (root, today, package)
and forget last build's archive. on_files: build the archive once, add the generated pages, register the
evidence files (hard-linked into site/, never copied when avoidable) and, for ``mkdocs build``, write the
review package (into the cache folder, published as site/package/ by hard link) so that the /package/ page
shows this build's figures. on_post_build: write handbook.json (not under serve), and the build's own figures (scan counters,
time of each phase) to ``<root>/.cache/handbook/last-build.json`` for the benchmark and for curious maintainers.

Under ``mkdocs serve`` only (a session of rebuilds in one process): pages whose inputs did not change are not
rendered again (handbook.render.PageMemo), nor converted again (their HTML, anchors and search entries are
reused); the hard-linked evidence tree is moved aside while MkDocs empties site/ and put back; the theme's
compiled templates are kept; and the watches use the system's file events instead of MkDocs' polling
(``extra.handbook.watch: polling`` keeps the polling). After one new evidence file only the few pages that
list it are rendered and converted again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

HOOKS_DIR = Path(__file__).resolve().parent


def _make_package_importable() -> None:
    # MkDocs restores sys.path right after loading a hook, so the lazy ``import handbook`` of later
    # events needs hooks/ on the path again.
    if str(HOOKS_DIR) not in sys.path:
        sys.path.insert(0, str(HOOKS_DIR))

log = logging.getLogger("mkdocs.hooks.handbook")


class _State:
    command: str | None = None  # "build", "serve", "gh-deploy"; None when built in-process (tests)
    root: Path | None = None
    today: dt.date | None = None
    package: bool = True
    archive = None  # the Archive of the current build, built once in on_files
    started: float = 0.0  # perf_counter at on_config: the build as the hook sees it
    phases: dict[str, float] = {}  # seconds per phase of the current build (archive, render, link, …)
    counts: dict[str, int] = {}  # pages generated, evidence files linked / copied


class _Converted:
    """A page as MkDocs converted it: reused by the next ``mkdocs serve`` rebuild if its Markdown is the same.

    The anchors are kept too: other pages' ``page#anchor`` links are checked against them. (The reused page's
    own outgoing anchor links are not checked again; they were when it was converted.)"""

    __slots__ = ("key", "html", "toc", "title", "anchors")

    def __init__(self, key: str, html: str, toc, title: str | None, anchors: set[str] | None) -> None:
        self.key, self.html, self.toc, self.title, self.anchors = key, html, toc, title, anchors


class _MemoryBytecodeCache(BytecodeCache):
    """Jinja's compiled templates in memory; the bucket key includes a checksum of the template's source."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


class _ServeCache:
    """Kept across the rebuilds of one ``mkdocs serve`` session (MkDocs imports a hook module once)."""

    def __init__(self) -> None:
        self.pages: dict[str, _Converted] = {}  # src uri → last conversion
        self.keys: dict[str, str] = {}  # src uri → key of this build's Markdown
        self.reused: set[str] = set()  # pages of this build taken from ``pages``
        self.search: dict[tuple[str, bytes], list] = {}  # (url, content digest) → search index entries
        self.context = ""  # what else a conversion depends on: the page set and mkdocs.yml
        self.render_memo = None  # handbook.render.PageMemo: the generated Markdown, by its inputs
        self.changes_page: tuple = (None, "")  # (history and plan it was rendered from, Markdown)
        self.bytecode = _MemoryBytecodeCache()  # the theme's compiled templates
        self.evidence_stamps: dict[str, tuple[int, int]] = {}  # uri → (size, mtime) linked by the last build
        self.kept_dir: Path | None = None  # where they wait while MkDocs empties site/

    def start_build(self, files: Files, config: MkDocsConfig) -> None:
        self.keys, self.reused = {}, set()
        config_file = Path(config.config_file_path)
        pages = "\n".join(sorted(f.src_uri for f in files.documentation_pages()))
        stamp = f"{config_file.stat().st_mtime_ns}:{pages}"
        context = hashlib.sha1(stamp.encode("utf-8", "surrogateescape")).hexdigest()
        if context != self.context:  # another page set or another mkdocs.yml: start afresh
            self.pages.clear()
            self.search.clear()
            self.context = context


state = _State()
serve_cache = _ServeCache()


@contextmanager
def _phase(name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        state.phases[name] = round(state.phases.get(name, 0.0) + time.perf_counter() - start, 3)


def on_startup(command: str, dirty: bool) -> None:
    state.command = command


@event_priority(100)  # before the search plugin reads its jieba user dictionary
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _make_package_importable()
    settings = config.extra.get("handbook", {}) or {}
    config_dir = Path(config.config_file_path).resolve().parent
    state.root = (config_dir / str(settings.get("root", "."))).resolve()
    state.today = _today(settings.get("today"))
    state.package = bool(settings.get("package", True))
    state.archive = None
    state.started, state.phases, state.counts = time.perf_counter(), {}, {}
    _absolute_jieba_dict(config, config_dir)
    if state.command == "serve":
        _no_privacy_scan_in_preview(config)
    return config


def _no_privacy_scan_in_preview(config: MkDocsConfig) -> None:
    # With assets_fetch off, Material's privacy plugin only warns about outside URLs (strict builds fail on
    # them); the HTML is the same without it. In the preview it would parse every page again on every rebuild.
    privacy = config.plugins.get("material/privacy") or config.plugins.get("privacy")
    settings = getattr(privacy, "config", None)
    if settings is not None and not settings.get("assets_fetch", True):
        settings.enabled = False


def _today(value) -> dt.date | None:
    value = value or os.environ.get("HANDBOOK_TODAY")
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        log.warning(f"extra.handbook.today 或 HANDBOOK_TODAY 的值 {value!r} 不是 YYYY-MM-DD 日期，改用系统日期")
        return None


def _absolute_jieba_dict(config: MkDocsConfig, config_dir: Path) -> None:
    # The search plugin opens the path relative to the working directory; make it relative to mkdocs.yml.
    search = config.plugins.get("material/search") or config.plugins.get("search")
    path = getattr(getattr(search, "config", None), "jieba_dict_user", None)
    if path and not os.path.isabs(path):
        search.config.jieba_dict_user = str(config_dir / path)


def archive():
    """The archive of the current build (built on first use, then reused by later events)."""
    if state.archive is None:
        from handbook.pipeline import build_archive

        with _phase("archive"):
            state.archive = build_archive(state.root, today=state.today)
        project = state.archive.project
        for diagnostic in project.diagnostics:
            log.info(str(diagnostic))
    return state.archive


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from handbook.render import PageMemo, render_site
    from handbook.render.context import evidence_uri, is_published

    current = archive()
    memo = None
    if state.command == "serve":
        memo = serve_cache.render_memo = serve_cache.render_memo or PageMemo()
    with _phase("render"):
        pages = render_site(current, memo=memo)
    state.counts["pages"] = len(pages)
    for uri, markdown in pages.items():
        if files.get_file_from_path(uri) is not None:
            log.warning(f"docs/{uri} 与生成的页面同名，已用生成的页面替换；请删除 docs/{uri}")
            files.remove(files.get_file_from_path(uri))
        files.append(File.generated(config, uri, content=markdown, inclusion=InclusionLevel.NOT_IN_NAV))
    with _phase("changes"):
        _add_changes_page(files, config, current)
    evidence_root = current.evidence_root or state.root / "evidence"
    shown = [e for e in current.files if is_published(e)]  # restricted files and links are listed, never published
    published = [(evidence_uri(e.path), evidence_root / e.path) for e in shown]
    with _phase("link"):
        still_linked: set[str] = set()
        if state.command == "serve":
            stamps = {uri: (e.size, e.mtime_ns) for (uri, _), e in zip(published, shown)}
            still_linked = _bring_back_evidence(config, stamps)
        linked, copied = _publish_static(files, config, published, still_linked)
        if state.command == "serve":  # only now: a build that failed half-way leaves nothing to trust
            serve_cache.evidence_stamps = {f.src_uri: stamps[f.src_uri] for f in files
                                           if isinstance(f, _LinkedFile) and f.linked and f.src_uri in stamps}
    state.counts.update(evidence_linked=linked, evidence_copied=copied)
    note = "（站点目录与 evidence/ 不在同一文件系统，无法硬链接）" if copied else ""
    log.info(f"佐证文件：{linked} 个以硬链接发布，{copied} 个复制发布{note}")
    with _phase("package"):
        _add_package(files, config, current)
    if state.command == "serve":
        serve_cache.start_build(files, config)
    return files


def on_pre_build(config: MkDocsConfig) -> None:
    _speed_up_search(config, memoize=state.command == "serve")
    if state.command == "serve":
        _set_evidence_aside(config)


# Under serve MkDocs empties site/ before every build, and the hook then hard-linked all 10,000 evidence files
# again. Instead the linked tree is moved out of the way (one rename) and back; only what changed is linked
# or unlinked.
def _kept_evidence(config: MkDocsConfig) -> tuple[Path, Path]:
    site = Path(config.site_dir)
    return site / "evidence", site.parent / f".{site.name}-evidence"


def _set_evidence_aside(config: MkDocsConfig) -> None:
    linked, kept = _kept_evidence(config)
    if linked.is_dir() and not kept.exists():
        os.replace(linked, kept)
        serve_cache.kept_dir = kept


def _bring_back_evidence(config: MkDocsConfig, stamps: dict[str, tuple[int, int]]) -> set[str]:
    """Put the linked tree back; the uris whose file is as it was (path, size, mtime: the scan's own test)."""
    linked, kept = _kept_evidence(config)
    previous, serve_cache.evidence_stamps = serve_cache.evidence_stamps, {}
    if not kept.is_dir() or linked.exists():
        return set()
    os.replace(kept, linked)
    serve_cache.kept_dir = None
    site = Path(config.site_dir)
    for uri in previous.keys() - stamps.keys():  # deleted, renamed, or now restricted: gone from the preview
        with suppress(FileNotFoundError):
            os.unlink(site / uri)
    return {uri for uri, stamp in stamps.items() if previous.get(uri) == stamp}


def on_shutdown() -> None:
    if state.command == "serve" and serve_cache.kept_dir is not None:
        shutil.rmtree(serve_cache.kept_dir, ignore_errors=True)  # hard links only: evidence/ is not touched


WATCH_CHOICES = ("native", "polling")


def on_serve(server, config: MkDocsConfig, builder):
    """Watch with the system's file events (inotify …) instead of MkDocs' polling of every file twice a second.

    MkDocs polls: at N = 10,000 evidence files the poller holds a quarter of a core even when nothing changes,
    and while a rebuild runs it competes with it for the interpreter (the rebuild took twice as long). Set
    ``extra.handbook.watch: polling`` where events do not arrive (some network drives, some containers).
    """
    settings = config.extra.get("handbook", {}) or {}
    watch = str(settings.get("watch", "native"))
    if watch not in WATCH_CHOICES:
        from handbook.problems import suggest

        nearest = suggest(watch, list(WATCH_CHOICES)) or "native"
        log.warning(f"mkdocs.yml：extra.handbook.watch 的值 {watch!r} 无效，只能是 native 或 polling"
                    f" — 是否应为 {nearest}？本次按 {nearest} 处理")
        watch = nearest
    if watch == "polling":
        return server
    if not _use_native_observer(server):
        log.info("无法改用系统文件事件监视，仍按 MkDocs 默认轮询")
    return server


def _use_native_observer(server) -> bool:
    # Private parts of MkDocs' LiveReloadServer (1.5–1.6); when they are not there, polling stays.
    watched = getattr(server, "_watched_paths", None)
    observer = getattr(server, "observer", None)
    if not isinstance(watched, dict) or observer is None or observer.is_alive():
        return False
    try:
        from watchdog.observers import Observer
    except ImportError:
        return False
    counts = dict(watched)
    for path, count in counts.items():
        for _ in range(count):
            server.unwatch(path)
    server.observer = Observer()
    for path, count in counts.items():
        for _ in range(count):
            server.watch(path)
    return True


def on_env(env, config: MkDocsConfig, files: Files):
    # MkDocs makes a new theme environment on every build, which compiles the theme's ~50 templates again
    # (about 0.3 s); under serve, compiled templates are kept (keyed by their source: an edit still shows).
    if state.command == "serve":
        env.bytecode_cache = serve_cache.bytecode
    return env


@event_priority(-100)  # after every other plugin: the Markdown as it will be converted
def on_page_markdown(markdown: str, page, config: MkDocsConfig, files: Files) -> str:
    if state.command != "serve":
        return markdown
    uri = page.file.src_uri
    key = hashlib.sha1(markdown.encode("utf-8", "surrogateescape")).hexdigest()
    serve_cache.keys[uri] = key
    cached = serve_cache.pages.get(uri)
    if cached is not None and cached.key == key:
        serve_cache.reused.add(uri)
        return ""  # nothing to convert: on_page_content puts the previous HTML back
    return markdown


@event_priority(-100)  # after every other plugin: the HTML as the theme will show it
def on_page_content(html: str, page, config: MkDocsConfig, files: Files) -> str:
    if state.command != "serve":
        return html
    uri = page.file.src_uri
    if uri in serve_cache.reused:
        cached = serve_cache.pages[uri]
        page.toc = cached.toc
        page.present_anchor_ids = cached.anchors
        if hasattr(page, "_title_from_render"):
            page._title_from_render = cached.title
        return cached.html
    if uri in serve_cache.keys:
        serve_cache.pages[uri] = _Converted(serve_cache.keys[uri], html, page.toc,
                                            getattr(page, "_title_from_render", None),
                                            getattr(page, "present_anchor_ids", None))
    return html


# A section the page marks ``data-search-exclude``: from its heading to the next heading that starts a section.
_EXCLUDED_SECTION = re.compile(r"<h[1-6]\b[^>]*\bdata-search-exclude\b[^>]*>.*?(?=<h[1-6]\b[^>]*\bid=|\Z)", re.S)


def without_excluded_sections(html: str) -> str:
    """The page's HTML without the sections search leaves out anyway (Material still parses them first)."""
    return _EXCLUDED_SECTION.sub("", html) if "data-search-exclude" in html else html


def _speed_up_search(config: MkDocsConfig, *, memoize: bool) -> None:
    """Material's search parses every page: skip the excluded sections (the item file tables, most of a large
    item page) before it parses; under serve, also reuse the entries of pages whose HTML did not change."""
    search = config.plugins.get("material/search") or config.plugins.get("search")
    index = getattr(search, "search_index", None)
    original = getattr(index, "add_entry_from_context", None)
    if original is None or not isinstance(getattr(index, "entries", None), list):
        return  # another search plugin: leave it alone

    def index_page(page) -> None:
        content = page.content
        page.content = without_excluded_sections(content or "")
        try:
            original(page)
        finally:
            page.content = content

    def add_entry_from_context(page) -> None:
        if not memoize:
            index_page(page)
            return
        key = (page.url, hashlib.sha1((page.content or "").encode("utf-8", "surrogateescape")).digest())
        entries = serve_cache.search.get(key)
        if entries is None:
            start = len(index.entries)
            index_page(page)
            entries = serve_cache.search[key] = index.entries[start:]
        else:
            index.entries.extend(entries)

    index.add_entry_from_context = add_entry_from_context


class _LinkedFile(File):
    """A file already hard-linked into site/: MkDocs has nothing to copy (it would stat both ends to find out)."""

    linked = False

    def copy_file(self, dirty: bool = False) -> None:
        if not self.linked:
            super().copy_file(dirty)


def _publish_static(
    files: Files, config: MkDocsConfig, sources: list[tuple[str, Path]], still_linked: set[str] = frozenset()
) -> tuple[int, int]:
    """Register files MkDocs must not copy on every build; hard-link them into site/ (``still_linked``: already
    there from the previous serve build). Returns (linked, copied)."""
    linked = copied = 0
    made: set[str] = set()
    for uri, source in sources:
        file = _LinkedFile.generated(config, uri, abs_src_path=str(source), inclusion=InclusionLevel.NOT_IN_NAV)
        files.append(file)
        file.linked = uri in still_linked or _link_into_site(source, file.abs_dest_path, made)
        if file.linked:
            linked += 1
        else:
            copied += 1
    return linked, copied


def _add_package(files: Files, config: MkDocsConfig, current) -> None:
    """The review package and its /package/ page; under ``mkdocs serve`` only a page that says why not."""
    from handbook.outputs.package import PackageError, build_package, render_page, render_skipped_page
    from handbook.pipeline import default_cache_dir
    from handbook.render.context import md_escape

    if state.command == "serve":
        log.info("mkdocs serve 预览时不生成资料评估材料包；需要时运行 mkdocs build")
        page = render_skipped_page("mkdocs serve 预览时不生成（打包要读取全部佐证文件，耗时较长）。")
    elif not state.package:
        page = render_skipped_page("mkdocs.yml 的 extra.handbook.outputs.package 设为 false。")
    else:
        # Written atomically into the cache (the previous package survives a failed build), then hard-linked
        # into site/package/, so the bytes exist once and MkDocs' link check sees the download links.
        try:
            result = build_package(current, default_cache_dir(state.root) / "package")
        except PackageError as error:
            # The site still builds (the evidence check reports the file on its own); the page says why.
            log.info(f"材料包生成失败（站点照常构建，上一版材料包保持不变）：{error}")
            page = render_skipped_page(md_escape(f"生成失败：{error}"))
            files.append(File.generated(config, "package.md", content=page, inclusion=InclusionLevel.NOT_IN_NAV))
            return
        log.info(result.summary_line())
        # The zip holds restricted files for the reviewers; the intranet site never offers those bytes.
        offer_zip = result.restricted_files == 0
        outputs = [result.zip_path] if offer_zip else []
        outputs += result.published.values()
        _publish_static(files, config, [(f"package/{path.name}", path) for path in outputs])
        location = "" if offer_zip else _shown_path(result.zip_path, state.root)
        if location:
            log.info(f"材料包含 {result.restricted_files} 个受限文件，压缩包不发布到站点：{location}")
        page = render_page(result, link_prefix="package/", zip_location=location)
    files.append(File.generated(config, "package.md", content=page, inclusion=InclusionLevel.NOT_IN_NAV))


def _shown_path(path: Path, root: Path) -> str:
    """``path`` relative to the project when it is inside it (what a maintainer types), else absolute."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _add_changes_page(files: Files, config: MkDocsConfig, current) -> None:
    """The /changes/ page (recent commits under evidence/), from the scan's git history."""
    from handbook.outputs.changes import CHANGES_URI, render_changes_page

    commits = current.recent_commits or []  # outside a checkout there is nothing to list
    project = current.project
    # Under serve, a new uncommitted file leaves the history as it was: the page is not rendered again.
    key = (tuple(c.sha for c in commits), project.plan.today, repr((project.plan, project.standard)))
    if state.command == "serve" and serve_cache.changes_page[0] == key:
        markdown = serve_cache.changes_page[1]
    else:
        markdown = render_changes_page(state.root, project.plan.today, project=project, commits=commits)
        serve_cache.changes_page = (key, markdown)
    files.append(File.generated(config, CHANGES_URI, content=markdown, inclusion=InclusionLevel.NOT_IN_NAV))


def _link_into_site(source: Path, dest: Path, made: set[str]) -> bool:
    """Hard-link ``source`` to ``dest`` (MkDocs then skips the copy); False when it fell back to a copy.

    ``made``: folders already created in this build (ten thousand files share a few hundred folders)."""
    folder = os.path.dirname(dest)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    for attempt in range(2):
        try:
            os.link(source, dest, follow_symlinks=False)  # a file swapped for a link after the scan stays a link
            return True
        except FileExistsError:  # a stale file in site/ (dirty build); never touches evidence/
            if attempt or os.path.samefile(source, dest):
                return not attempt
            os.unlink(dest)
        except OSError:
            return False  # another filesystem (e.g. serve's temp dir): MkDocs copies it as usual
    return False


def on_post_build(config: MkDocsConfig) -> None:
    if state.command != "serve":  # nothing in the preview reads it; writing it costs ~1 s at N = 10,000
        with _phase("export"):
            _write_export(archive(), Path(config.site_dir) / "handbook.json")
    _write_build_stats()


def _write_build_stats() -> None:
    """The scan's counters and each phase's seconds, atomically; a read-only checkout just skips it."""
    from handbook.pipeline import default_cache_dir

    stats = {
        **(state.archive.stats if state.archive is not None else {}),
        "command": state.command,
        "phases": dict(state.phases),
        # on_config → on_post_build: everything MkDocs did for this build, theme rendering included.
        "build_seconds": round(time.perf_counter() - state.started, 3),
        **state.counts,
    }
    cache = default_cache_dir(state.root)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=cache, suffix=".tmp", delete=False) as out:
            json.dump(stats, out, ensure_ascii=False, indent=1, default=str)
        os.replace(out.name, cache / "last-build.json")
    except OSError as exc:
        log.debug(f"未能写入构建统计 {cache / 'last-build.json'}：{exc}")


def _write_export(current, path: Path) -> None:
    from handbook.outputs.export import export_model

    data = export_model(current)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as out:
        json.dump(data, out, ensure_ascii=False, indent=1, default=str)
    os.replace(out.name, path)
