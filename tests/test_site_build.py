"""A real in-process MkDocs build (load_config + build) of a small fixture project.

Checks what only a build can show: the stable URLs exist, hostile names stay text in the HTML, restricted
files are not published, evidence is hard-linked (same inode) rather than copied, handbook.json is written,
and strict mode (which fails on any outside URL through the privacy plugin) passes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from test_site_render import XSS_NAME

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "site"
LINK_NAME = "2024-爱卫办-链接到系统文件.pdf"
SCRIPT_NAME = "2024-爱卫办-会运行脚本的文件.xml"
GBK_NAME = "2024-爱卫办-国标编码的文件名.pdf"


def _add_hostile_names(root: Path) -> None:
    """Names that must stay text; made here, not committed, because Windows cannot check them out."""
    folder = root / "evidence" / "03-年度计划与卫生创建" / "03.1-年度工作计划"
    sample = next(folder.glob("*.pdf"))
    shutil.copyfile(sample, folder / XSS_NAME)
    shutil.copyfile(sample, folder / "2025-爱卫办-测试市2025年爱国卫生工作计划*终稿*.pdf")
    (folder / LINK_NAME).symlink_to("/etc/passwd")  # must be listed as a problem, never published
    (folder / SCRIPT_NAME).write_text(  # a browser runs this as XHTML: listed, never served
        '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>', encoding="utf-8")
    # A GBK name, as a zip made on Chinese Windows unpacks: shown readably, never crashes the build
    os.close(os.open(os.fsencode(folder) + b"/" + GBK_NAME.encode("gbk"), os.O_CREAT | os.O_WRONLY))


HOOK = "hooks/mkdocs_hook.py"


def site_config(root: Path, *, strict: bool = False, **handbook):
    """The shipped mkdocs.yml (docs, theme, hook) building the project at ``root`` into ``root/site``.

    Overrides are passed as config values, not by editing the file's text, so they cannot silently miss."""
    from mkdocs.config import load_config

    settings = {"root": str(root), "today": "2026-11-23", "package": True, **handbook}
    return load_config(config_file=str(ROOT / "mkdocs.yml"), site_dir=str(root / "site"), strict=strict,
                       extra={"handbook": settings}, watch=[str(root / "evidence")])


def plugin_of(config):
    """The HandbookPlugin object the hook forwards to (one per process: MkDocs loads a hook module once)."""
    return config.plugins[HOOK].plugin


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build once for every assertion of this module; returns (root, site_dir, archive)."""
    from mkdocs.commands.build import build

    root = tmp_path_factory.mktemp("project")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)  # the real load → scan → judge on a small project
    _add_hostile_names(root)
    config = site_config(root, strict=True)
    build(config)
    return root, root / "site", plugin_of(config).build.archive


def test_stable_urls_exist(built):
    _, site, archive = built
    for url in ["index.html", "missing/index.html", "problems/index.html", "indicators/index.html",
                "units/index.html", "guide/index.html", "faq/index.html"]:
        assert (site / url).is_file(), url
    for number in archive.project.standard.items:
        assert (site / f"items/{number:02d}/index.html").is_file()
    for category in archive.project.standard.categories:
        assert (site / f"categories/{category.number}/index.html").is_file()
    for unit in archive.project.plan.units.values():
        assert (site / f"units/{unit.slug}/index.html").is_file()


def test_hostile_name_is_escaped_in_html(built):
    _, site, _ = built
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<img src=x" not in html, page
    item = (site / "items/03/index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in item
    assert "计划*终稿*" in item and "<em>终稿</em>" not in item


def test_restricted_files_are_not_published(built):
    root, site, archive = built
    restricted = [f for f in archive.files if f.restricted]
    assert restricted, "fixture must hold a restricted file"
    for f in restricted:
        assert (root / "evidence" / f.path).exists()
        assert not (site / "evidence" / f.path).exists()


def test_symlink_is_listed_but_its_target_never_published(built):
    _root, site, archive = built
    link = next(f for f in archive.files if f.name == LINK_NAME)
    assert link.filetype == "symlink" and not link.readable
    assert not os.path.lexists(site / "evidence" / link.path)
    secret = Path("/etc/passwd").read_bytes()
    assert not any(p.is_file() and p.stat().st_size == len(secret) and p.read_bytes() == secret
                   for p in (site / "evidence").rglob("*"))
    page = (site / "items" / "03" / "index.html").read_text(encoding="utf-8")
    assert "链接到系统文件" in page and 'href="../../evidence/' not in page.split("链接到系统文件")[0][-300:]


def test_only_inert_file_types_are_published(built):
    _root, site, archive = built
    script = next(f for f in archive.files if f.name == SCRIPT_NAME)
    assert not (site / "evidence" / script.path).exists()
    assert "会运行脚本的文件" in (site / "items" / "03" / "index.html").read_text(encoding="utf-8")
    served = {p.suffix.lower() for p in (site / "evidence").rglob("*") if p.is_file()}
    assert served <= {".pdf", ".jpg", ".png", ".xlsx", ".docx", ".ofd"}, served


def test_non_utf8_name_is_shown_readably_and_not_published(built):
    _root, site, archive = built
    file = next(f for f in archive.files if f.name == GBK_NAME)  # decoded as GBK for display
    assert "bad-encoding" in {p.code for p in file.problems} and not file.readable
    assert file.title == "国标编码的文件名"
    assert not any(p.name == GBK_NAME for p in (site / "evidence").rglob("*"))
    assert GBK_NAME in (site / "problems" / "index.html").read_text(encoding="utf-8")


def test_restricted_bytes_are_nowhere_in_the_site(built):
    """Not under evidence/, and not inside the package zip the /package/ page offers either."""
    root, site, archive = built
    secrets = {(root / "evidence" / f.path).read_bytes() for f in archive.files if f.restricted}
    assert secrets
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".zip", ".xlsx", ".pdf"):
            data = path.read_bytes()
            if path.suffix == ".zip":
                import zipfile
                with zipfile.ZipFile(path) as zf:
                    data = b"".join(zf.read(n) for n in zf.namelist())
            assert not any(secret in data for secret in secrets), path


def test_evidence_is_hard_linked_not_copied(built):
    root, site, archive = built
    from handbook.render.context import is_published

    published = [f for f in archive.files if is_published(f)]
    assert published
    for f in published:
        source, dest = root / "evidence" / f.path, site / "evidence" / f.path
        assert dest.is_file(), f.path
        assert os.stat(source).st_ino == os.stat(dest).st_ino, f"{f.path} was copied, not hard-linked"


def test_item_page_links_the_evidence_file(built):
    _, site, _ = built
    html = (site / "items/45/index.html").read_text(encoding="utf-8")
    assert 'href="../../evidence/45' in html
    assert "../../units/" in html


def test_navigation_keeps_long_lists_out(built):
    _, site, _archive = built
    page = (site / "faq/index.html").read_text(encoding="utf-8")
    nav = page.split("md-sidebar--primary", 1)[1].split("md-sidebar--secondary", 1)[0]
    assert "categories/7/" in nav and "units/" in nav  # the 7 categories and the units index are there
    assert "items/" not in nav
    assert "units/wjw" not in nav


def test_no_outside_urls_in_pages(built):
    _, site, _ = built
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, page


def test_handbook_json_written(built):
    _, site, _ = built
    data = json.loads((site / "handbook.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == "2" and data["export"] == "archive"
    assert len(data["items"]) == 45 and len(data["indicators"]) == 56 and len(data["categories"]) == 7
    assert {f["path"] for f in data["files"]} == {f.path for f in built[2].files}  # every scanned file, once


def test_chinese_heading_anchor_is_readable(built):
    _, site, _ = built
    html = (site / "guide/index.html").read_text(encoding="utf-8")
    assert 'id="一放对文件夹"' in html


def test_package_with_restricted_files_is_built_but_its_zip_not_offered(built):
    root, site, archive = built
    assert any(f.restricted for f in archive.files)
    # The restricted file stays out of parts 1 and 2 (city.yml does not allow it for reviewers), so both are
    # offered; the office's list (part 3) never is.
    assert sorted(p.name for p in (site / "package").glob("*.zip")) == [
        "1-上传资料-测试市-2026.zip", "2-评审资料-测试市-2026.zip"]
    cached = sorted(p.name for p in (root / ".cache" / "handbook" / "package").glob("*.zip"))
    assert cached == ["1-上传资料-测试市-2026.zip", "2-评审资料-测试市-2026.zip", "3-内部清单-测试市-2026.zip"]
    page = (site / "package" / "index.html").read_text(encoding="utf-8")
    assert "不在站点提供（含" not in page and "3-内部清单-测试市-2026.zip" in page  # named, not linked
    for name in ("总目录.xlsx", "卷内目录.pdf", "SHA256SUMS"):
        assert (site / "package" / name).is_file(), name
        assert f'href="{quote(name)}"' in page, name  # a download link that resolves from /package/
    assert not (site / "package" / "缺失资料清单.xlsx").exists()  # part 3 is the office's own


def test_package_without_restricted_files_is_offered_hard_linked(tmp_path):
    from mkdocs.commands.build import build

    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    for sidecar in (tmp_path / "evidence").rglob("*.yml"):
        sidecar.unlink()  # the fixture's only restricted flag
    build(site_config(tmp_path, strict=True))
    site = tmp_path / "site"
    zips = sorted((site / "package").glob("*.zip"))
    assert [z.name for z in zips] == ["1-上传资料-测试市-2026.zip", "2-评审资料-测试市-2026.zip"]  # never part 3
    for published in zips:
        cached = tmp_path / ".cache" / "handbook" / "package" / published.name
        assert os.stat(published).st_ino == os.stat(cached).st_ino  # published by hard link, not copied
    page = (site / "package" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{quote(z.name)}"' in page for z in zips) and "不在站点提供（含" not in page

def test_serve_rebuild_reuses_pages_and_keeps_their_anchors(tmp_path, caplog):
    """Two builds of one ``mkdocs serve`` session: the second reuses unchanged pages, shows the new file, and
    links into reused pages still find their anchors (no "does not contain an anchor" noise)."""
    import logging

    from mkdocs.commands.build import build

    shutil.copytree(FIXTURE, tmp_path, dirs_exist_ok=True)
    config = site_config(tmp_path)
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = plugin_of(config)
    try:
        build(config, serve_url="http://127.0.0.1:8000/")
        folder = tmp_path / "evidence" / "45-病媒生物预防控制" / "45.3-病媒生物密度监测报告"
        sample = next(folder.glob("*.pdf"))
        new_file = folder / "2024-市疾控中心-新交的监测报告.pdf"
        shutil.copyfile(sample, new_file)
        site_evidence = tmp_path / "site" / "evidence"
        removed = next(p for p in (tmp_path / "evidence").rglob("*.pdf") if p.parent != folder)
        published_copy = site_evidence / removed.relative_to(tmp_path / "evidence")
        assert published_copy.is_file()
        removed.unlink()
        untouched = os.stat(sample).st_ctime_ns  # linking or unlinking it again would change its ctime
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="mkdocs"):
            build(config, serve_url="http://127.0.0.1:8000/")
        # The linked tree survived MkDocs emptying site/: the new file is linked, the deleted one is gone.
        assert os.path.samefile(new_file, site_evidence / new_file.relative_to(tmp_path / "evidence"))
        assert not published_copy.exists()
        assert os.path.samefile(sample, site_evidence / sample.relative_to(tmp_path / "evidence"))
        assert os.stat(sample).st_ctime_ns == untouched  # moved aside and back, not unlinked and linked again
        assert not (tmp_path / ".site-evidence").exists()
        assert plugin.session.reused, "the second build should reuse unchanged pages"
        assert "does not contain an anchor" not in caplog.text
        # The generated Markdown the memo handed back is exactly a fresh render of this build's archive.
        from handbook.render import render_site

        fresh = render_site(plugin.build.archive)
        memo = plugin.session.render_memo
        assert memo.reused and {uri: memo._pages[uri][1] for uri in fresh} == fresh
        page = (tmp_path / "site" / "items" / "45" / "index.html").read_text(encoding="utf-8")
        assert "新交的监测报告" in page
    finally:
        config.plugins.on_shutdown()
    assert plugin.command is None and plugin.session is None  # nothing left for the next build


def test_outside_git_the_committer_columns_are_left_out(built):
    root, site, archive = built
    assert not (root / ".git").exists() and not any(f.committer for f in archive.files)
    page = (site / "items" / "03" / "index.html").read_text(encoding="utf-8")
    assert "<th>大小</th>" in page and "提交人" not in page


@pytest.mark.parametrize("watch", ["native", "polling"])
def test_serve_watches_with_file_events_unless_told_to_poll(tmp_path, watch):
    """MkDocs polls every watched file twice a second; the hook moves its watches to the system's file events
    (inotify here), keeping every watched path, and a new evidence file still asks for a rebuild."""
    import time

    from mkdocs.livereload import LiveReloadServer
    from watchdog.observers.polling import PollingObserver

    from handbook_mkdocs.config import load_settings
    from handbook_mkdocs.plugin import HandbookPlugin

    (tmp_path / "docs").mkdir()
    (tmp_path / "evidence").mkdir()
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    server.watch(str(tmp_path / "docs"))
    server.watch(str(tmp_path / "evidence"))

    plugin = HandbookPlugin()
    plugin.config, problems = load_settings({"watch": watch, "root": str(ROOT)}, str(ROOT / "mkdocs.yml"))
    assert problems == []
    assert plugin.on_serve(server, config=None, builder=server.builder) is server
    assert set(server._watched_paths) == {str(tmp_path / "docs"), str(tmp_path / "evidence")}
    assert isinstance(server.observer, PollingObserver) == (watch == "polling")
    server.observer.start()
    try:
        time.sleep(0.3)
        (tmp_path / "evidence" / "2026-市爱卫办-新文件.pdf").write_bytes(b"%PDF-1.4\n")
        deadline = time.monotonic() + 5
        while not server._want_rebuild and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server._want_rebuild
    finally:
        server.observer.stop()
        server.observer.join()


def test_a_misspelt_setting_is_named_with_the_nearest_value():
    from handbook_mkdocs.config import load_settings

    config_file = str(ROOT / "mkdocs.yml")
    _, problems = load_settings({"watch": "poling", "pakage": False}, config_file)
    assert problems == [
        "mkdocs.yml：extra.handbook 中没有设置 'pakage' — 是否应为 package？",
        "mkdocs.yml：extra.handbook.watch 的值 'poling' 无效，只能是 native 或 polling — 是否应为 polling？",
    ]
    # MkDocs' Config.validate stops at the first bad value of a schema (as for mkdocs.yml itself).
    assert load_settings({"root": "typo-root"}, config_file)[1] == [
        f"mkdocs.yml：extra.handbook.root 的文件夹 {ROOT / 'typo-root'} 不存在 — 写含 standards/ 与 evidence/ 的项目根目录（相对 mkdocs.yml），通常是 ."]
    assert load_settings({"today": "2026-02-30"}, config_file)[1] == [
        "mkdocs.yml：extra.handbook.today 的值 '2026-02-30' 不是 YYYY-MM-DD 格式的真实日期 — 写成如 2026-11-23，或删去这一行"]
    assert load_settings({"package": "no"}, config_file)[1] == [
        "mkdocs.yml：extra.handbook.package 的值 'no' 不是 true 或 false — 写 true（生成）或 false（不生成），不加引号"]
    assert load_settings(["root"], config_file)[1] == ["mkdocs.yml：extra.handbook 应是键值表（如 root: .），现在是 list"]
    config, problems = load_settings(None, config_file)
    assert problems == [] and config.package is True and config.watch == "native" and config.fail_on == "warning"
