"""The handbook as a MkDocs plugin: one short method per event, state on the object.

hooks/mkdocs_hook.py forwards MkDocs' events here (the project keeps ``hooks:`` in mkdocs.yml); the class is
also registered as the entry-point plugin ``handbook``. The work itself is the core package ``handbook``
(load → scan → judge → render → outputs), which never imports MkDocs.

Project problems are logged under ``mkdocs.plugins.handbook``: errors always as errors, warnings as warnings
when ``fail_on: warning`` (the default), so ``mkdocs build --strict`` fails on them and a city's CI cannot
publish a broken plan as green. A genuine failure raises ``PluginError`` with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from handbook import settings as project_settings
from handbook.model import Archive, Level, Project, format_problem
from handbook_mkdocs import internals
from handbook_mkdocs.config import HandbookConfig, load_settings
from handbook_mkdocs.html_pages import HtmlPages
from handbook_mkdocs.publish import LinkedFile, bring_back_evidence, publish_static, set_evidence_aside, shown_path
from handbook_mkdocs.serve import Converted, ServeSession
from handbook_mkdocs.stored_pages import BuildPages

log = logging.getLogger("mkdocs.plugins.handbook")


class _Build:
    """What one build knows: its archive, and its own figures for the benchmark."""

    def __init__(self) -> None:
        self.archive: Archive | None = None
        self.started = time.perf_counter()
        self.phases: dict[str, float] = {}  # seconds per phase (archive, render, link, package, export)
        self.counts: dict[str, int] = {}  # pages generated, evidence files linked / copied
        self.pages: BuildPages | None = None  # generated pages converted or reused (mkdocs build, not serve)
        self.html = HtmlPages()  # generated pages written as HTML: never converted
        self.rendered: list[str] = []  # src uris of the pages Jinja rendered (the others came from the memo)
        self.quick = False  # a serve session's quick rebuild (quick.py), which has compared standards/' stamps

    @contextmanager
    def phase(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = round(self.phases.get(name, 0.0) + time.perf_counter() - start, 3)


class HandbookPlugin(BasePlugin[HandbookConfig]):
    def __init__(self) -> None:
        super().__init__()
        self.command: str | None = None  # build, serve, gh-deploy; None when built in-process (tests)
        self.session: ServeSession | None = None  # only under mkdocs serve
        self.settings = project_settings.resolve(".")
        self.build = _Build()

    # ------------------------------------------------------------------ configuration

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        self.session = ServeSession() if command == "serve" else None

    @event_priority(100)  # before the search plugin reads its jieba user dictionary
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        extra = config.extra.get("handbook")
        self.config, problems = load_settings(extra, config.config_file_path)
        if problems:
            raise PluginError("\n".join(problems))
        self.settings = project_settings.resolve(self.config.root, today=self.config.today)
        self.build = _Build()
        self.site_dir = Path(config.site_dir)  # where evidence is linked: those links are the build's own
        if self.session is not None:
            internals.switch_off_privacy_scan(config)
        return config

    # ------------------------------------------------------------------ pages and files

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        archive = self.archive()
        with self.build.phase("render"):
            pages = self._rendered(archive, config, files)
            self._add_pages(files, config, pages)
        with self.build.phase("changes"):
            self._add_changes_page(files, config, archive)
        with self.build.phase("link"):
            self._publish_evidence(files, config, archive)
        with self.build.phase("package"):
            self._add_package(files, config, archive)
        with self.build.phase("worklists"):
            self._publish_worklists(files, config, archive)
        if self.session is not None:
            self.session.start_build(files, config)
            self.session.building = {"markdown": dict(pages), "archive": archive}  # for quick.py
        return files

    def archive(self) -> Archive:
        """The archive of the current build: load → scan → judge once, then reused by later events."""
        if self.build.archive is None:
            from handbook.pipeline import build_archive

            with self.build.phase("archive"), _failure("读取标准、本地方案和 evidence/"):
                site = getattr(self, "site_dir", None)  # mkdocs serve builds into a temporary folder
                own = (site / "evidence", site.parent / f".{site.name}-evidence") if site else None
                session = self.session
                memo = session.file_memo if session is not None else None
                later = session.after_build.append if session is not None and self.build.quick else None
                self.build.archive = build_archive(self.settings.root, today=self.settings.today, own_dirs=own,
                                                   file_memo=memo, project=self._session_project(),
                                                   later=later)
            self._report(self.build.archive)
        return self.build.archive

    def _session_project(self) -> Project | None:
        """Under ``mkdocs serve``: the standard and plan, loaded again only when a quick rebuild cannot vouch
        that standards/ is as it was (quick.py compares its stamps) or the day changed (the plan's today may be
        the system date). None outside serve: build_archive loads them."""
        session = self.session
        if session is None:
            return None
        from handbook.load.project import load_project

        day = dt.date.today()
        if not (self.build.quick and session.project is not None and session.project[0] == day):
            session.project = (day, load_project(self.settings.root, today=self.settings.today))
        return session.project[1]

    def _report(self, archive: Archive) -> None:
        for diagnostic in archive.build_diagnostics():
            if diagnostic.level is Level.ERROR:
                log.error(format_problem(diagnostic))
            elif self.config.fail_on == "warning":
                log.warning(format_problem(diagnostic))
            else:
                log.info(format_problem(diagnostic))

    def _rendered(self, archive: Archive, config: MkDocsConfig, files: Files, only: Any = None) -> dict[str, str]:
        from handbook.render import PageMemo, render_site
        from handbook.render.thumbs import Photos

        # A build takes the pages of the last build from disk; serve keeps them in memory for its session.
        memo = self.session.render_memo if self.session is not None else PageMemo.load(self.settings.cache_dir)
        # Finding photos and their thumbnails (made once, cached by content): published beside the pages.
        photos = Photos(archive.evidence_root or self.settings.evidence_dir, self.settings.cache_dir,
                        private=archive.campaign.photos_private if archive.campaign else False)
        problem_list = self._problem_list(archive)
        with _failure("生成页面"):
            pages = render_site(archive, memo=memo, directory_urls=config.use_directory_urls, photos=photos,
                                problem_list_uri=problem_list[0][0] if problem_list else None, only=only)
            publish_static(files, config, sorted(photos.static_files()) + problem_list)
        if self.session is None:
            memo.save(self.settings.cache_dir)
        self.build.rendered = sorted(memo.rendered_now)
        self.build.counts.update(pages_rendered=len(memo.rendered_now), pages_rendered_reused=len(pages) - len(memo.rendered_now))
        return pages

    def _problem_list(self, archive: Archive) -> list[tuple[str, Path]]:
        """The full list of problem files the capped /problems/ page links (mkdocs build only: the preview
        shows the check command instead of writing a workbook on every save)."""
        if self.session is not None:
            return []
        from handbook.outputs.problem_list import write_problem_list
        from handbook.render.problems import PROBLEM_LIST_URI

        with _failure("写出问题文件清单"):
            path = write_problem_list(archive, _writable(self.settings.cache_dir / "problems", "问题文件清单"))
        return [(PROBLEM_LIST_URI, path)]

    def _add_pages(self, files: Files, config: MkDocsConfig, pages: dict[str, str]) -> None:
        self.build.counts["pages"] = len(pages)
        if self.session is None:  # serve keeps its conversions in memory; builds keep them on disk
            from handbook.render.page_store import PageStore

            from handbook.render.pages import is_html_page

            # Pages written as HTML are never converted: only the Markdown ones are worth storing.
            markdown_pages = {uri for uri, text in pages.items() if not is_html_page(text)}
            self.build.pages = BuildPages(PageStore(self.settings.cache_dir), markdown_pages)
        for uri, markdown in pages.items():
            existing = files.get_file_from_path(uri)
            if existing is not None:
                log.warning(f"docs/{uri} 与生成的页面同名，已用生成的页面替换；请删除 docs/{uri}")
                files.remove(existing)
            files.append(File.generated(config, uri, content=markdown, inclusion=InclusionLevel.NOT_IN_NAV))

    def _add_changes_page(self, files: Files, config: MkDocsConfig, archive: Archive) -> None:
        from handbook.outputs.changes import CHANGES_URI, render_changes_page

        commits = archive.recent_commits or []  # outside a checkout there is nothing to list
        project = archive.project
        # Under serve, a new uncommitted file leaves the history as it was: the page is not rendered again.
        key = (tuple(c.sha for c in commits), project.plan.today, repr((project.plan, project.standard)))
        if self.session is not None and self.session.changes_page[0] == key:
            markdown = self.session.changes_page[1]
        else:
            with _failure("生成近期提交页面"):
                markdown = render_changes_page(self.settings.root, project.plan.today, project=project, commits=commits)
            if self.session is not None:
                self.session.changes_page = (key, markdown)
        files.append(File.generated(config, CHANGES_URI, content=markdown, inclusion=InclusionLevel.NOT_IN_NAV))

    def _publish_evidence(self, files: Files, config: MkDocsConfig, archive: Archive) -> None:
        from handbook.render.context import evidence_uri, is_published
        from handbook.scan.cache import record_linked

        evidence_root = archive.evidence_root or self.settings.evidence_dir
        shown = [e for e in archive.files if is_published(e)]  # restricted files and links: listed, never published
        published = [(evidence_uri(e.path), evidence_root / e.path) for e in shown]
        if self.session is not None:
            stamps = {uri: (e.size, e.mtime_ns) for (uri, _), e in zip(published, shown)}
            still_linked = self.session.bring_back_evidence(config, stamps)
        else:
            still_linked = set()
            bring_back_evidence(Path(config.site_dir), {uri for uri, _ in published})
        linked, copied = publish_static(files, config, published, still_linked)
        # Linking changed the files' ctime, which the hash cache watches: record it, or every file is read again.
        record_linked(self.settings.cache_dir, evidence_root, [e.path for e in shown])
        if self.session is not None:  # only now: a build that failed half-way leaves nothing to trust
            self.session.evidence_stamps = {f.src_uri: stamps[f.src_uri] for f in files
                                            if isinstance(f, LinkedFile) and f.linked and f.src_uri in stamps}
        self.build.counts.update(evidence_linked=linked, evidence_copied=copied)
        note = "（站点目录与 evidence/ 不在同一文件系统，无法硬链接）" if copied else ""
        log.info(f"佐证文件：{linked} 个以硬链接发布，{copied} 个复制发布{note}")

    def _publish_worklists(self, files: Files, config: MkDocsConfig, archive: Archive) -> None:
        """Each unit's 催报单 and the 催报汇总, linked from the unit pages; a workbook holding restricted data is
        written for the 爱卫办 but never published (its unit page says to ask for it)."""
        if self.session is not None:
            return  # the preview links them; they are written by mkdocs build (about a second for 44 units)
        from handbook.outputs.worklist_site import write_site_worklists

        with _failure("生成催报单"):
            written = write_site_worklists(archive, _writable(self.settings.worklist_dir, "催报单"))
        publish_static(files, config, sorted(written.published.items()))

    def _add_package(self, files: Files, config: MkDocsConfig, archive: Archive) -> None:
        """The review package and its /package/ page; under ``mkdocs serve`` only a page that says why not."""
        from handbook.outputs.package import render_skipped_page

        if self.session is not None:
            log.info("mkdocs serve 预览时不生成资料评估材料包；需要时运行 mkdocs build")
            page = render_skipped_page("mkdocs serve 预览时不生成（打包要读取全部佐证文件，耗时较长）。")
        elif not self.config.package:
            page = render_skipped_page("mkdocs.yml 的 extra.handbook.package 设为 false。")
        else:
            page = self._write_package(files, config, archive)
        files.append(File.generated(config, "package.md", content=page, inclusion=InclusionLevel.NOT_IN_NAV))

    def _write_package(self, files: Files, config: MkDocsConfig, archive: Archive) -> str:
        # Written atomically outside site/ (the previous package survives a failed build), then hard-linked into
        # site/package/, so the bytes exist once and MkDocs' link check sees the download links.
        from handbook.outputs.package import FontMissingError, PackageError, build_package, render_page, render_skipped_page
        from handbook.render.context import md_escape

        try:
            with _failure("生成资料评估材料包", expected=(PackageError, FontMissingError)):
                result = build_package(archive, self.settings.package_dir)
        except (PackageError, FontMissingError) as error:
            # The site still builds; strict mode fails on the logged problem.
            log.warning(f"材料包生成失败（站点照常构建，上一版材料包保持不变）：{error}")
            return render_skipped_page(md_escape(f"生成失败：{error}"))
        log.info(result.summary_line())
        # The zip holds restricted files for the reviewers; the intranet site never offers those bytes.
        offer_zip = result.restricted_files == 0
        outputs = [result.zip_path] if offer_zip else []
        outputs += result.published.values()
        publish_static(files, config, [(f"package/{path.name}", path) for path in outputs])
        location = "" if offer_zip else shown_path(result.zip_path, self.settings.root)
        if location:
            log.info(f"材料包含 {result.restricted_files} 个受限文件，压缩包不发布到站点：{location}")
        return render_page(result, link_prefix="package/", zip_location=location)

    # ------------------------------------------------------------------ building

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # MkDocs empties site/ next; the linked evidence waits beside it (unlinking and linking again would
        # change every file's ctime, which the hash cache watches, and cost 10,000 system calls).
        if self.session is not None:
            self.session.set_evidence_aside(config)
        else:
            set_evidence_aside(Path(config.site_dir))

    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        # MkDocs makes a new theme environment on every build, which compiles the theme's ~50 templates again
        # (about 0.3 s); under serve, compiled templates are kept (keyed by their source: an edit still shows).
        if self.session is not None:
            env.bytecode_cache = self.session.bytecode
            self.session.building.update(env=env, config=config, files=files)
        return env

    def on_nav(self, nav: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        if self.session is not None:
            self.session.building["nav"] = nav
        return nav

    @event_priority(-100)  # after every other plugin: the Markdown as it will be converted
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.build.html.take(markdown, page):
            return ""  # written as HTML: nothing to convert, on_page_content hands it to the theme
        if self.session is None:
            return self.build.pages.markdown(markdown, page, config, files) if self.build.pages else markdown
        uri = page.file.src_uri
        key = _digest(markdown)
        self.session.keys[uri] = key
        cached = self.session.pages.get(uri)
        if cached is not None and cached.key == key:
            self.session.reused.add(uri)
            return ""  # nothing to convert: on_page_content puts the previous HTML back
        return markdown

    @event_priority(-100)  # after every other plugin: the HTML as the theme will show it
    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        written = self.build.html.content(page, config)
        if written is not None:
            return written
        session = self.session
        if session is None:
            return self.build.pages.content(html, page, files) if self.build.pages else html
        uri = page.file.src_uri
        if uri in session.reused:
            cached = session.pages[uri]
            page.toc, page.present_anchor_ids = cached.toc, cached.anchors
            internals.set_page_title_from_render(page, cached.title)
            return cached.html
        if uri in session.keys:
            session.pages[uri] = Converted(session.keys[uri], html, page.toc,
                                           internals.page_title_from_render(page), page.present_anchor_ids)
        return html

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.session is None:  # nothing in the preview reads it; writing it costs ~1 s at N = 10,000
            from handbook.outputs.export import write_export

            with self.build.phase("export"), _failure("写出 handbook.json"):
                write_export(self.archive(), Path(config.site_dir) / "handbook.json")
        with self.build.phase("search"):  # the preview's search box needs it too
            self._build_search_index(config)
        if self.build.pages is not None:
            self.build.counts.update(self.build.pages.finish())
        if self.session is not None:  # a complete build: the next evidence change can rebuild from it
            self.session.keep_build(self.settings.root)
        self._write_build_stats()

    def _build_search_index(self, config: MkDocsConfig) -> None:
        """Pagefind's index of the written site (Chinese segmented), loaded by the header's search box. The
        index is kept in the cache and linked back while the pages and records are unchanged."""
        from handbook.outputs.search import SearchIndexError, build_search_index

        kept = self.settings.cache_dir / ("search-serve" if self.session is not None else "search-build")
        try:
            with _failure("生成站内搜索索引", expected=(SearchIndexError,)):
                stats = build_search_index(Path(config.site_dir), self.archive(), self.settings.cache_dir, kept)
        except SearchIndexError as error:
            log.warning(f"站内搜索索引未生成：{error}")
            return
        self.build.counts.update({k: v for k, v in stats.as_dict().items() if isinstance(v, int)})  # search_…

    def _write_build_stats(self, later: Any = None) -> None:
        """The scan's counters and each phase's seconds, for the benchmark; a read-only checkout skips it.
        The figures are taken now; ``later`` (a serve session's background queue) may take the writing."""
        from handbook.util.atomic import write_json

        archive = self.build.archive
        stats = {**(archive.stats if archive is not None else {}), "command": self.command,
                 "phases": dict(self.build.phases), **self.build.counts,
                 # on_config → on_post_build: everything MkDocs did for this build, theme rendering included.
                 "build_seconds": round(time.perf_counter() - self.build.started, 3)}
        path = self.settings.cache_dir / "last-build.json"

        def write() -> None:
            try:
                write_json(path, stats)
            except OSError as exc:
                log.debug(f"未能写入构建统计：{exc}")

        if later is None:
            write()
        else:
            later(write)

    # ------------------------------------------------------------------ serve

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        """Watch with the system's file events (inotify …) instead of MkDocs' polling of every file twice a
        second: at N = 10,000 files the poller held a quarter of a core when idle and slowed every rebuild.
        ``extra.handbook.watch: polling`` keeps the polling (some network drives and containers send no events)."""
        if self.config.watch == "native" and not internals.use_native_observer(server):
            log.info("无法改用系统文件事件监视，仍按 MkDocs 默认轮询")
        if hasattr(server, "builder"):  # after a change under evidence/ only, rebuild only the pages it changed
            from handbook_mkdocs.quick import fast_builder

            server.builder = fast_builder(self, server.builder)
        return server

    def on_shutdown(self) -> None:
        if self.session is not None:
            self.session.close()
        self.command, self.session = None, None


# --------------------------------------------------------------------------- helpers


@contextmanager
def _failure(doing: str, expected: tuple[type[BaseException], ...] = ()):
    """Turn an unexpected exception of the core into a PluginError that says what was being done."""
    try:
        yield
    except PluginError:
        raise
    except expected:  # the caller's own failures, which it reports itself
        raise
    except MemoryError:
        raise PluginError(f"{doing}时内存不足：请用 python -m handbook check --evidence 找出过大的输入文件") from None
    except Exception as exc:
        from handbook.util.faults import unexpected_message

        raise PluginError(f"{doing}时出错：{unexpected_message(exc)}") from exc


def _writable(folder: Path, what: str) -> Path:
    """``folder``, or a temporary folder when it cannot be written (a read-only checkout still builds whole).

    The temporary folder (mode 0700: a 催报单 may hold restricted data) is left for the system to clear: the
    site's copies are made from it later in the same build."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
        return folder
    except OSError as error:
        import tempfile

        temporary = Path(tempfile.mkdtemp(prefix="handbook-"))
        logging.getLogger("handbook.cache").warning(
            f"无法写入 {folder}（{error.strerror or error}），本次构建把{what}写在临时文件夹 {temporary}；"
            "佐证文件本身没有问题。请检查该文件夹的权限")
        return temporary


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()
