"""The thin MkDocs hook: wires the handbook pipeline into MkDocs events, nothing more.

on_startup: remember the command (build / serve). on_config: read ``extra.handbook`` (root, today, package)
and forget last build's archive. on_files: build the archive once, add the generated pages, register the
evidence files (hard-linked into site/, never copied when avoidable) and, for ``mkdocs build``, write the
review package (into the cache folder, published as site/package/ by hard link) so that the /package/ page
shows this build's figures. on_post_build: write handbook.json.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

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


state = _State()


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
    _absolute_jieba_dict(config, config_dir)
    return config


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

        state.archive = build_archive(state.root, today=state.today)
        project = state.archive.project
        for diagnostic in project.diagnostics:
            log.info(str(diagnostic))
    return state.archive


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from handbook.render import render_site
    from handbook.render.context import evidence_uri, is_served

    current = archive()
    for uri, markdown in render_site(current).items():
        if files.get_file_from_path(uri) is not None:
            log.warning(f"docs/{uri} 与生成的页面同名，已用生成的页面替换；请删除 docs/{uri}")
            files.remove(files.get_file_from_path(uri))
        files.append(File.generated(config, uri, content=markdown, inclusion=InclusionLevel.NOT_IN_NAV))
    _add_changes_page(files, config, current)
    evidence_root = current.evidence_root or state.root / "evidence"
    published = [
        (evidence_uri(e.path), evidence_root / e.path)
        for e in current.files
        if not e.restricted and is_served(e.path)  # restricted files are listed on the pages, never published
    ]
    linked, copied = _publish_static(files, config, published)
    note = "（站点目录与 evidence/ 不在同一文件系统，无法硬链接）" if copied else ""
    log.info(f"佐证文件：{linked} 个以硬链接发布，{copied} 个复制发布{note}")
    _add_package(files, config, current)
    return files


def _publish_static(files: Files, config: MkDocsConfig, sources: list[tuple[str, Path]]) -> tuple[int, int]:
    """Register files MkDocs must not copy on every build; hard-link them into site/. Returns (linked, copied)."""
    linked = copied = 0
    for uri, source in sources:
        file = File.generated(config, uri, abs_src_path=str(source), inclusion=InclusionLevel.NOT_IN_NAV)
        files.append(file)
        if _link_into_site(source, Path(file.abs_dest_path)):
            linked += 1
        else:
            copied += 1
    return linked, copied


def _add_package(files: Files, config: MkDocsConfig, current) -> None:
    """The review package and its /package/ page; under ``mkdocs serve`` only a page that says why not."""
    try:
        from handbook.package import build_package, render_page, render_skipped_page
        from handbook.pipeline import default_cache_dir
    except ImportError:
        log.info("handbook.package 模块尚不可用，本次未生成资料评估材料包")
        return
    if state.command == "serve":
        log.info("mkdocs serve 预览时不生成资料评估材料包；需要时运行 mkdocs build")
        page = render_skipped_page("mkdocs serve 预览时不生成（打包要读取全部佐证文件，耗时较长）。")
    elif not state.package:
        page = render_skipped_page("mkdocs.yml 的 extra.handbook.package 设为 false。")
    else:
        # Written atomically into the cache (the previous package survives a failed build), then hard-linked
        # into site/package/, so the bytes exist once and MkDocs' link check sees the download links.
        result = build_package(current, default_cache_dir(state.root) / "package")
        log.info(result.summary_line())
        outputs = [result.zip_path, *result.published.values()]
        _publish_static(files, config, [(f"package/{path.name}", path) for path in outputs])
        page = render_page(result, link_prefix="package/")
    files.append(File.generated(config, "package.md", content=page, inclusion=InclusionLevel.NOT_IN_NAV))


def _add_changes_page(files: Files, config: MkDocsConfig, current) -> None:
    """The /changes/ page (recent commits under evidence/), when that module is there."""
    try:
        from handbook.changes import CHANGES_URI, render_changes_page
    except ImportError:
        log.info("handbook.changes 模块尚不可用，本次未生成“近期提交”页面")
        return
    markdown = render_changes_page(state.root, current.project.plan.today, project=current.project)
    files.append(File.generated(config, CHANGES_URI, content=markdown, inclusion=InclusionLevel.NOT_IN_NAV))


def _link_into_site(source: Path, dest: Path) -> bool:
    """Hard-link ``source`` to ``dest`` (MkDocs then skips the copy); False when it fell back to a copy."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        if os.path.samefile(source, dest):
            return True
        dest.unlink()  # a stale file in site/ (dirty build); never touches evidence/
    try:
        os.link(source, dest)
        return True
    except OSError:
        return False  # another filesystem (e.g. serve's temp dir): MkDocs copies it as usual


def on_post_build(config: MkDocsConfig) -> None:
    _write_export(archive(), Path(config.site_dir) / "handbook.json")


def _write_export(current, path: Path) -> None:
    try:
        from handbook.export import export_model
    except ImportError:
        log.info("handbook.export 模块尚不可用，本次未生成 handbook.json")
        return
    data = export_model(current)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as out:
        json.dump(data, out, ensure_ascii=False, indent=1, default=str)
    os.replace(out.name, path)
